//! Draws the command palette ([`super::palette::PaletteState`]): the input line on the
//! footer's row, and above it the actions that apply here (with their keys, disabled ones with
//! the reason) or the command's candidates, and a note.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use super::app::App;
use super::palette::{items, Mode, MAX_ROWS};
use super::registry;
use super::text;

/// Draws the palette at the bottom of `area`: the input on the footer's row, the list or the
/// candidates (and a note) above it.
pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let Some(p) = &app.palette else { return };
    let t = &app.theme;
    if area.height < 3 || area.width < 10 {
        return;
    }
    let w = area.width as usize;
    let line_row = Rect {
        y: area.y + area.height - 1,
        height: 1,
        ..area
    };
    // The rows above the line.
    let mut rows: Vec<Line> = Vec::new();
    let title = match p.mode {
        Mode::List => {
            let list = items(app, p.under, &p.input.input);
            let key_w = 12;
            let label_w = 34.min(w.saturating_sub(key_w + 4));
            let mut sc = p.selected;
            sc.keep_visible(list.len(), MAX_ROWS);
            // The selected action's reason in full when its row cuts it.
            let mut cut_reason = None;
            for (i, it) in list.iter().enumerate().skip(sc.offset).take(MAX_ROWS) {
                let selected = i == sc.pos;
                let marker = if selected { "> " } else { "  " };
                let reason = it
                    .disabled
                    .as_deref()
                    .map(|r| format!("disabled: {}", text::clean(r)))
                    .unwrap_or_default();
                let body = format!(
                    "{marker}{} {} {reason}",
                    text::fit(it.entry.label, label_w),
                    text::fit(&it.keys, key_w)
                );
                if selected && !reason.is_empty() && text::width(&body) > w.saturating_sub(2) {
                    cut_reason = Some(reason.clone());
                }
                let body = text::fit(&body, w.saturating_sub(2));
                let style = match (selected, it.disabled.is_some()) {
                    (true, _) => t.selected(true),
                    (false, true) => t.dim(),
                    (false, false) => ratatui::style::Style::new(),
                };
                rows.push(Line::styled(body, style));
            }
            if list.is_empty() {
                rows.push(Line::styled("  no action matches", t.dim()));
            }
            if let Some(r) = cut_reason {
                for l in text::wrap(&r, w.saturating_sub(2)) {
                    rows.push(Line::styled(l, t.dim()));
                }
            }
            format!(
                "Actions here ({} of {})",
                list.len(),
                registry::all()
                    .iter()
                    .filter(|e| e.applies(p.under))
                    .count()
            )
        }
        Mode::Command => {
            let mut sc = p.selected;
            sc.keep_visible(p.candidates.len(), MAX_ROWS);
            for (i, c) in p
                .candidates
                .iter()
                .enumerate()
                .skip(sc.offset)
                .take(MAX_ROWS)
            {
                // A single candidate is marked too: it is what tab takes.
                let here = i == sc.pos;
                // The marker keeps the highlight visible without colours (NO_COLOR).
                let mark = if here { "> " } else { "  " };
                let s = text::fit(&format!("{mark}{}", text::clean(c)), w.saturating_sub(2));
                rows.push(if here {
                    Line::styled(s, t.selected(true))
                } else {
                    Line::raw(s)
                });
            }
            if p.candidates.is_empty() {
                "Command".to_owned()
            } else {
                format!("Candidates ({})", p.candidates.len())
            }
        }
    };
    if let Some(n) = &p.note {
        for l in text::wrap(&text::clean(n), w.saturating_sub(2)) {
            rows.push(Line::styled(l, t.dim()));
        }
    }
    if !rows.is_empty() {
        let h = (rows.len() + 2).min(area.height.saturating_sub(1) as usize) as u16;
        let r = Rect {
            y: line_row.y.saturating_sub(h),
            height: h,
            ..area
        };
        f.render_widget(Clear, r);
        let block = super::panes::block(text::truncate(&title, w.saturating_sub(6)), true, t);
        f.render_widget(Paragraph::new(rows).block(block), r);
    }
    // The input line, with the cursor as a reversed cell.
    let prompt = match p.mode {
        Mode::Command => ":",
        Mode::List => "> ",
    };
    let chars: Vec<char> = p.input.input.chars().collect();
    let before: String = chars[..p.input.cursor.min(chars.len())].iter().collect();
    let at: String = chars
        .get(p.input.cursor)
        .map_or(" ".to_owned(), |c| c.to_string());
    let after: String = chars.iter().skip(p.input.cursor + 1).collect::<String>();
    // Keep the cursor on screen: show the end of what is before it.
    let room = w.saturating_sub(text::width(prompt) + 2);
    let before = if text::width(&before) > room {
        let rev: String = before.chars().rev().collect();
        let cut: String = text::truncate(&rev, room).chars().rev().collect();
        cut
    } else {
        before
    };
    f.render_widget(Clear, line_row);
    f.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(prompt, t.key()),
            Span::raw(text::clean(&before)),
            Span::styled(
                text::clean(&at),
                ratatui::style::Style::new().add_modifier(ratatui::style::Modifier::REVERSED),
            ),
            Span::raw(text::clean(&after)),
        ])),
        line_row,
    );
}
