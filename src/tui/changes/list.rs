//! The change list: kind, name, number of fields, origin, state. Windowed: only the visible
//! rows are built, so 100k changes draw as fast as 10.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::{change_badge, kind_badge, ChangesFocus, StateFilter};
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::keymap::Context;
use crate::tui::text;

const KIND_W: usize = 11;
const COUNT_W: usize = 4;
const STATE_W: usize = 10;

/// Column widths (kind, name, fields, origin, state) for an inner width; 0 = hidden.
fn columns(inner: usize) -> [usize; 5] {
    let avail = inner.saturating_sub(2); // selection marker
    if avail >= 56 {
        let rest = avail - KIND_W - COUNT_W - STATE_W - 4;
        let name = rest * 9 / 20;
        [KIND_W, name, COUNT_W, rest - name, STATE_W]
    } else if avail >= 36 {
        let rest = avail - KIND_W - STATE_W - 2;
        [KIND_W, rest, 0, 0, STATE_W]
    } else {
        [KIND_W.min(avail), avail.saturating_sub(KIND_W + 1), 0, 0, 0]
    }
}

fn key_for(app: &App, a: Action) -> String {
    app.keymap
        .keys_for(&[Context::Changes, Context::List, Context::Global], a)
        .first()
        .map_or_else(|| a.name().to_owned(), |k| k.to_string())
}

/// Draws the list into `area`.
pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let t = &app.theme;
    let cs = &app.changes;
    let focused = cs.focus == ChangesFocus::List
        && app.help.is_none()
        && cs.edit.is_none()
        && !cs.asking()
        && cs.journal.is_none();
    let mut title = format!("Changes · {}", cs.filter.label());
    if cs.loaded {
        let of_filter = cs.counts.get(cs.filter);
        if cs.query.is_empty() {
            title.push_str(&format!(" {of_filter}"));
        } else {
            title.push_str(&format!(" {}/{of_filter}", cs.view.len()));
        }
    }
    if cs.loading {
        title.push_str(if cs.loaded {
            " (reading…)"
        } else {
            " (loading…)"
        });
    }
    if let Some(note) = &app.import_problems_note {
        title.push_str(&format!(" · {note}"));
    }
    let block = crate::tui::panes::block(title, focused, t);
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    let w = inner.width as usize;
    let widths = columns(w);
    let filter_line = cs.query_editing || !cs.query.is_empty();
    let mut lines: Vec<Line> = Vec::new();
    if filter_line {
        let mut spans = vec![
            Span::styled("/ ", t.key()),
            // While typing, the end of the query (with the cursor) stays in view.
            Span::raw(if cs.query_editing {
                text::tail(&text::clean(&cs.query), w.saturating_sub(4))
            } else {
                text::truncate(&text::clean(&cs.query), w.saturating_sub(4))
            }),
        ];
        if cs.query_editing {
            spans.push(Span::styled("█", t.dim()));
        }
        lines.push(Line::from(spans));
    }
    let header = ["Kind", "Name", "Flds", "Origin", "State"];
    let mut h = String::from("  ");
    for (i, (c, cw)) in header.iter().zip(widths).enumerate() {
        if cw == 0 {
            continue;
        }
        if i > 0 {
            h.push(' ');
        }
        if i == 2 {
            h.push_str(&format!("{c:>cw$}"));
        } else {
            h.push_str(&text::fit(c, cw));
        }
    }
    lines.push(Line::styled(text::fit(&h, w), t.header()));
    if cs.view.is_empty() {
        let msg = if !cs.loaded {
            "Loading changes…".to_owned()
        } else if cs.all.is_empty() {
            "No changes. `bmby-ghl bmby pull` reads Bmby and proposes them.".to_owned()
        } else if !cs.query.is_empty() {
            "No matches.".to_owned()
        } else if cs.filter != StateFilter::All {
            format!(
                "No {} changes. Press {} to show others.",
                cs.filter.label(),
                key_for(app, Action::ChangesCycleState)
            )
        } else {
            "No changes.".to_owned()
        };
        for l in text::wrap(&msg, w.saturating_sub(2)) {
            lines.push(Line::styled(format!("  {l}"), t.dim()));
        }
    }
    let page = crate::tui::layout::changes_list_page(area, filter_line);
    // The pane's height follows the selected diff: keep the selection in the window even if
    // the state was last scrolled for another height.
    let mut offset = cs.offset;
    if cs.selected >= offset + page.max(1) {
        offset = cs.selected + 1 - page.max(1);
    }
    let end = (offset + page).min(cs.view.len());
    for i in offset..end {
        let Some(c) = cs.shown(i) else { break };
        let selected = i == cs.selected;
        let base = if selected {
            t.selected(focused)
        } else {
            Style::new()
        };
        let mut spans = vec![Span::styled(if selected { "> " } else { "  " }, base)];
        let cells: [(String, Style); 5] = [
            (kind_badge(c).to_owned(), t.change_kind(c.kind).patch(base)),
            (
                match &c.subject {
                    crate::domain::Subject::Op(op) => super::op_view::list_name(c, op),
                    _ => c.display_name.clone(),
                },
                base,
            ),
            // An operation with no fields (tags on several contacts) says so by its name:
            // `–`, not a count of 0.
            (
                match (&c.subject, c.field_count()) {
                    (crate::domain::Subject::Op(_), 0) => format!("{:>COUNT_W$}", "–"),
                    (_, n) => format!("{n:>COUNT_W$}"),
                },
                base,
            ),
            (c.origin.clone(), t.dim().patch(base)),
            (
                change_badge(c).to_owned(),
                t.change_state(c.state).patch(base),
            ),
        ];
        let mut used = 2;
        for (j, ((txt, style), cw)) in cells.into_iter().zip(widths).enumerate() {
            if cw == 0 {
                continue;
            }
            if j > 0 {
                spans.push(Span::styled(" ", base));
                used += 1;
            }
            spans.push(Span::styled(text::cell(&txt, cw), style));
            used += cw;
        }
        if used < w {
            spans.push(Span::styled(" ".repeat(w - used), base));
        }
        lines.push(Line::from(spans));
    }
    f.render_widget(Paragraph::new(lines), inner);
}
