//! The "approve every change shown?" question: a small box that names how many.

use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::Confirm;
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::keymap::Context;

/// The question's text.
pub fn question(c: &Confirm) -> String {
    let n = c.ids.len();
    let mut q = format!("Approve {n} shown change{}?", if n == 1 { "" } else { "s" });
    let mut notes = Vec::new();
    if c.ambiguous > 0 {
        notes.push(format!(
            "{} ambiguous left alone: choose a contact first",
            c.ambiguous
        ));
    }
    if c.already > 0 {
        notes.push(format!("{} already approved", c.already));
    }
    if !notes.is_empty() {
        q.push_str(&format!(" ({})", notes.join("; ")));
    }
    q
}

/// Draws the question centred over `area`.
pub fn render(app: &App, c: &Confirm, f: &mut Frame, area: Rect) {
    let t = &app.theme;
    let key = |a: Action| {
        app.keymap
            .keys_for(&[Context::Confirm], a)
            .first()
            .map_or_else(|| a.name().to_owned(), |k| k.to_string())
    };
    let lines = vec![
        Line::raw(question(c)),
        Line::raw(""),
        Line::styled(
            format!(
                "{} yes · {} no",
                key(Action::ConfirmYes),
                key(Action::ConfirmNo)
            ),
            t.key(),
        ),
    ];
    let w = area.width.saturating_sub(4).min(60);
    let inner_w = w.saturating_sub(2).max(1) as usize;
    let h: usize = lines
        .iter()
        .map(|l| l.width().max(1).div_ceil(inner_w))
        .sum::<usize>()
        + 2;
    let r = crate::tui::layout::centered(area, w, h.min(u16::MAX as usize) as u16);
    f.render_widget(Clear, r);
    let block = crate::tui::panes::block("Confirm".into(), true, t).border_style(t.warn());
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        r,
    );
}
