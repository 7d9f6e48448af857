//! Draws the setup screen ([`super::Setup`]) over the main area: cleared, then the lines
//! [`super::setup_text`] builds. No border, so a URL cut into whole-width lines can be
//! selected and joined.

use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use super::{setup_text, Setup};
use crate::tui::app::App;

/// Draws the setup over `area` (the screen without the status bar and key hints).
pub fn render(app: &App, s: &Setup, f: &mut Frame, area: Rect) {
    f.render_widget(Clear, area);
    if area.width == 0 || area.height == 0 {
        return;
    }
    let lines: Vec<Line> = setup_text::lines(s, area.width, area.height)
        .iter()
        .map(|l| l.to_line(&app.theme))
        .collect();
    f.render_widget(Paragraph::new(lines), area);
}
