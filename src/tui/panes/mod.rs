//! The three panes. Each draws itself read-only from the [`App`](super::app::App); the lines of
//! the details and activity panes are built (and measured by the update side) in
//! [`details_text`] and [`activity_text`].
pub mod activity;
pub mod activity_text;
pub mod contacts;
pub mod details;
pub mod details_text;
pub mod pending_text;

use ratatui::text::Span;
use ratatui::widgets::{Block, BorderType};

use super::theme::Theme;

/// The frame of a pane, marking focus by border style and a bold underlined title.
pub fn block<'a>(title: String, focused: bool, theme: &Theme) -> Block<'a> {
    let title = if focused {
        format!("▶ {title} ")
    } else {
        format!(" {title} ")
    };
    Block::bordered()
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(theme.border(focused))
        .title(Span::styled(title, theme.title(focused)))
}

/// An ISO 8601 instant in the one human format, Israel time ([`crate::clock::value`]:
/// `2026-12-07 09:00`), else the text as it came (cleaned).
pub fn short_time(s: &str) -> String {
    match crate::clock::instant(s) {
        Some(t) => crate::clock::human(t),
        None => super::text::clean(s),
    }
}
