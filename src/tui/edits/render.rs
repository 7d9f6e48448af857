//! Drawing a hand edit over the contacts screen: the field picker, the line editor at the
//! bottom, the delete question. Read-only.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use super::HandEdit;
use crate::tui::app::App;
use crate::tui::text;

/// Draws the open hand edit over `area` (the screen above the status bar).
pub fn render(app: &App, f: &mut Frame, area: Rect) {
    match &app.hand_edit {
        None => {}
        Some(HandEdit::Line { edit, .. }) => {
            crate::tui::changes::edit_view::render(app, edit, f, area)
        }
        Some(HandEdit::Confirm { question, .. }) => crate::tui::changes::confirm::render_box(
            app,
            vec![Line::raw(question.clone())],
            "propose delete",
            f,
            area,
        ),
        Some(HandEdit::Fields { cursor }) => fields(app, *cursor, f, area),
    }
}

fn fields(app: &App, cursor: usize, f: &mut Frame, area: Rect) {
    let t = &app.theme;
    let contact = app.details.as_ref().and_then(|d| d.contact.as_ref());
    let choices = super::choices::choices(app);
    let cursor = cursor.min(choices.len().saturating_sub(1));
    let w = area.width.saturating_sub(4).min(70);
    let h = (choices.len() as u16 + 2).min(area.height);
    let r = crate::tui::layout::centered(area, w, h);
    let rows = h.saturating_sub(2) as usize;
    // The window of choices that keeps the cursor in view.
    let first = cursor.saturating_sub(rows.saturating_sub(1));
    let labels: Vec<String> = choices.iter().map(|c| text::clean(&c.label())).collect();
    let label_w = labels
        .iter()
        .map(|l| text::width(l))
        .max()
        .unwrap_or(0)
        .min(22);
    let value_w = (w as usize).saturating_sub(label_w + 5);
    let lines: Vec<Line> = choices
        .iter()
        .enumerate()
        .skip(first)
        .take(rows)
        .map(|(i, choice)| {
            let now = contact
                .map(|c| choice.current(app, c))
                .unwrap_or_else(|| "–".into());
            let style = if i == cursor {
                t.selected(true)
            } else {
                ratatui::style::Style::new()
            };
            Line::from(vec![
                Span::styled(if i == cursor { "> " } else { "  " }, style),
                Span::styled(text::fit(&labels[i], label_w), style.patch(t.label())),
                Span::styled(" ", style),
                Span::styled(text::truncate(&text::clean(&now), value_w), style),
            ])
        })
        .collect();
    f.render_widget(Clear, r);
    let title = format!("Edit which field? (enter) {}/{}", cursor + 1, choices.len());
    let block = crate::tui::panes::block(title, true, t);
    f.render_widget(Paragraph::new(lines).block(block), r);
}
