//! The three panes. Each draws itself read-only from the [`App`](super::app::App).
pub mod activity;
pub mod contacts;
pub mod details;

use ratatui::style::Style;
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

/// A label cell (fixed width) for field lists.
pub fn label(text: &str, width: usize, theme: &Theme) -> Span<'static> {
    Span::styled(super::text::fit(text, width), theme.label())
}

/// Plain untrusted text, cleaned.
pub fn value(text: &str) -> Span<'static> {
    Span::styled(super::text::clean(text), Style::new())
}

/// An ISO 8601 instant as `YYYY-MM-DD HH:MM` in Israel time (`Asia/Jerusalem`, as Bmby keeps
/// times and as due dates are typed) when it parses, else the text as it came.
pub fn short_time(s: &str) -> String {
    match s.parse::<jiff::Timestamp>() {
        Ok(t) => t
            .to_zoned(crate::bmby::normalize::time::jerusalem().clone())
            .strftime("%Y-%m-%d %H:%M")
            .to_string(),
        Err(_) => super::text::clean(s),
    }
}
