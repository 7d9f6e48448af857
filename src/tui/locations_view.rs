//! Draws the location picker ([`super::locations::LocationPicker`]): the locations to switch
//! to, the current one starred, and the keys that switch or stay.

use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use super::action::Action;
use super::app::App;
use super::layer::Layer;
use super::{layout, panes, text};

/// Draws the picker over `area`.
pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let Some(p) = &app.locations.picker else {
        return;
    };
    let w = area.width.saturating_sub(4).min(70);
    let inner = w.saturating_sub(2) as usize;
    let mut lines: Vec<Line> = Vec::new();
    for (i, c) in app.locations.choices.iter().enumerate() {
        let mark = if c.id == app.locations.current {
            "*"
        } else {
            " "
        };
        let note = c
            .note
            .as_deref()
            .map(|n| format!(" — {n}"))
            .unwrap_or_default();
        let s = text::truncate(
            &text::clean(&format!("{}{mark} {}{note}", i + 1, c.label)),
            inner,
        );
        lines.push(if i == p.selected {
            Line::styled(s, app.theme.selected(true))
        } else {
            Line::raw(s)
        });
    }
    lines.push(Line::raw(""));
    let chain = Layer::LocationPicker.chain();
    let key = |a: Action| {
        app.keymap
            .keys_for(&chain, a)
            .first()
            .map_or_else(|| "?".to_owned(), |k| k.to_string())
    };
    lines.push(Line::styled(
        text::truncate(
            &format!(
                "{} or 1-9: switch · {}: stay",
                key(Action::ConfirmYes),
                key(Action::Back)
            ),
            inner,
        ),
        app.theme.dim(),
    ));
    let h = (lines.len() + 2).min(area.height as usize) as u16;
    let r = layout::centered(area, w, h);
    f.render_widget(Clear, r);
    let block = panes::block("Switch location".into(), true, &app.theme);
    f.render_widget(Paragraph::new(lines).block(block), r);
}
