//! The details pane: draws the selected contact's lines ([`super::details_text`]: every field,
//! custom fields by name, DND per channel, tags; or the raw JSON record), wrapped and scrolled.

use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use crate::tui::app::{App, Pane};

/// Draws the pane.
pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let focused = app.focus == Pane::Details && app.help.is_none();
    let mut title = if app.raw_json {
        "Details (raw JSON)".to_owned()
    } else {
        "Details".to_owned()
    };
    if app.details.as_ref().is_some_and(|d| d.fetching) {
        title.push_str(" ⟳");
    }
    let block = super::block(title, focused, &app.theme);
    let lines: Vec<Line> = super::details_text::lines(app)
        .iter()
        .map(|l| l.to_line(&app.theme))
        .collect();
    let p = Paragraph::new(lines)
        .block(block)
        .wrap(Wrap { trim: false })
        .scroll((app.details_scroll, 0));
    f.render_widget(p, area);
}
