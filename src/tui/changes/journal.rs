//! The journal view: every write sent to GHL, newest first. Each entry is a head line
//! (`#seq · time · change #id · METHOD /path · status · outcome · traceId`, Israel time), then
//! who it was about (contact, task or note) and each field `before → after`, wrapped when the
//! terminal is narrow. The entry at the top is the selected one: `R` asks, then proposes its
//! revert as a pending change. Windowed: only the entries from the scroll position down to the
//! bottom of the screen are built.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use super::JournalView;
use crate::domain::JournalEntry;
use crate::sync::journal as jtext;
use crate::tui::app::App;
use crate::tui::text;
use crate::tui::theme::Theme;

/// One entry's head line (Israel time).
pub fn entry_text(e: &JournalEntry) -> String {
    jtext::head_line(e)
}

fn entry_style(e: &JournalEntry, t: &Theme) -> Style {
    match e.status {
        Some(s) if (200..300).contains(&s) => Style::new(),
        Some(_) => t.error(),
        None => t.warn(),
    }
}

/// `s` wrapped for a pane `width` columns wide inside: the first line has `first_indent`
/// columns before it, the lines after it four, so no line is cut at the pane's edge.
fn wrap_hanging(s: &str, width: usize, first_indent: usize) -> Vec<String> {
    let mut out = text::wrap(s, width.saturating_sub(first_indent).max(2));
    if out.len() > 1 {
        let rest = out.split_off(1).join(" ");
        out.extend(text::wrap(&rest, width.saturating_sub(4).max(2)));
    }
    out
}

/// The lines for entries from `j.scroll`, at most `height` of them, for an inner width `w`;
/// owners and assignees by name from `users`.
pub fn lines(
    j: &JournalView,
    users: &crate::domain::UserDirectory,
    t: &Theme,
    w: usize,
    height: usize,
) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    if let Some(e) = &j.error {
        out.push(Line::styled(
            format!("! reading the journal: {}", text::clean(e)),
            t.error(),
        ));
    }
    if j.entries.is_empty() {
        let msg = if !j.loaded {
            "Reading the journal…"
        } else {
            "Nothing sent yet. Approved changes are sent with the send key on the changes screen."
        };
        for l in text::wrap(msg, w.max(2)) {
            out.push(Line::styled(l, t.dim()));
        }
        return out;
    }
    for (n, e) in j.entries.iter().skip(j.scroll).enumerate() {
        if out.len() >= height {
            break;
        }
        let style = entry_style(e, t);
        let e = crate::domain::people::named_entry(users, e);
        for (k, part) in super::op_view::entry_lines(&e).into_iter().enumerate() {
            let (indent, part_style) = match k {
                0 if n == 0 => ("", t.selected(true)),
                0 => ("", style),
                _ => ("  ", t.dim()),
            };
            for (i, l) in wrap_hanging(&text::clean(&part), w, indent.len() + 2)
                .into_iter()
                .enumerate()
            {
                let lead = if i == 0 { indent } else { "    " };
                out.push(Line::from(vec![Span::styled(
                    format!("{lead}{l}"),
                    part_style,
                )]));
            }
        }
    }
    out.truncate(height);
    out
}

/// Draws the journal over `area`.
pub fn render(app: &App, j: &JournalView, f: &mut Frame, area: Rect) {
    let t = &app.theme;
    f.render_widget(Clear, area);
    let n = j.entries.len();
    let mut title = format!(
        "Journal · {n} write{} sent, newest first, Israel time",
        if n == 1 { "" } else { "s" }
    );
    if n > 0 {
        title.push_str(&format!(" · {}/{n}", j.scroll + 1));
    }
    if j.loading && j.loaded {
        title.push_str(" (reading…)");
    }
    let title = text::truncate(&title, (area.width as usize).saturating_sub(6));
    let block = crate::tui::panes::block(title, true, t);
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    let l = lines(
        j,
        &app.users,
        t,
        inner.width as usize,
        inner.height as usize,
    );
    f.render_widget(Paragraph::new(l), inner);
    if let Some(e) = j
        .revert_ask
        .and_then(|seq| j.entries.iter().find(|e| e.seq == seq))
    {
        // Wrapped here to the box's inner width, so the box is as tall as its text.
        let inner = area
            .width
            .saturating_sub(4)
            .min(60)
            .saturating_sub(2)
            .max(2) as usize;
        super::confirm::render_box(app, revert_question(e, inner), "revert", f, area);
    }
}

/// The "revert?" question, wrapped to `w` columns: what the entry did and what reverting
/// proposes.
fn revert_question(e: &JournalEntry, w: usize) -> Vec<Line<'static>> {
    use crate::domain::ChangeKind;
    let what = match (e.kind, &e.subject) {
        (Some(ChangeKind::Create), s) => format!("delete the {} it created", s.label()),
        (Some(ChangeKind::Delete), s) => {
            format!("create the {} again from the snapshot", s.label())
        }
        _ => "set the fields back to their values before".to_owned(),
    };
    let mut parts = vec![format!("Revert journal #{} ({})?", e.seq, e.request)];
    parts.extend(jtext::who_line(e));
    parts.push(format!(
        "Proposes a pending change to {what}; nothing is sent until it is approved and sent."
    ));
    parts
        .iter()
        .flat_map(|p| text::wrap(&text::clean(p), w))
        .map(Line::raw)
        .collect()
}
