//! Draws the recent-changes list ([`super::recent::RecentView`]) over the main area: its
//! frame and title, and the lines [`super::recent_text`] builds (contacts, then what changed
//! of the selected one).

use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use super::app::App;
use super::recent::RecentView;
use super::{panes, recent_text, text};

/// Draws the list over `area` (the screen without the status bar and key hints).
pub fn render(app: &App, v: &RecentView, f: &mut Frame, area: Rect) {
    f.render_widget(Clear, area);
    let room = (area.width as usize).saturating_sub(6);
    let title = text::truncate(&recent_text::title(app, v, room), room);
    let block = panes::block(title, true, &app.theme);
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    let lines: Vec<Line> = recent_text::lines(app, v, area.width, area.height)
        .iter()
        .map(|l| l.to_line(&app.theme))
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
}
