//! The diff pane: what a change would do to one GHL contact, field by field.
//!
//! Above the table: kind, state, Bmby client, GHL contact, origin, base `dateUpdated`. The
//! table is `field | GHL now | proposed`: GHL-now in the "removed" style with a `-` marker,
//! proposed in the "added" style with a `+` marker (`*` and bold when a person edited it),
//! so it reads the same without colour. Columns are aligned by display width and long values
//! WRAP inside their column; nothing is cut. Text is kept in logical order (no bidi
//! reordering), so Hebrew reads right in a bidi-aware terminal and stays aligned in others.
//! Below: warnings, and for an ambiguous change the numbered candidates.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::{kind_badge, state_badge, ChangesFocus};
use crate::domain::{Change, ChangeKind, FieldChange};
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::keymap::{Context, Keymap};
use crate::tui::panes::short_time;
use crate::tui::text;
use crate::tui::theme::Theme;

/// The diff as lines, and the line range of each field's row (for the field cursor).
pub struct DiffLines {
    pub lines: Vec<Line<'static>>,
    pub rows: Vec<std::ops::Range<usize>>,
}

fn empty_text(c: &Change, ghl_side: bool) -> &'static str {
    match (c.kind, ghl_side) {
        (ChangeKind::Create | ChangeKind::Ambiguous, true) => "(no contact)",
        (ChangeKind::Delete, false) => "(deleted)",
        _ => "(empty)",
    }
}

/// A cell's lines: the marker on the first line, the value wrapped to `w - 2`.
fn value_cell(v: Option<&str>, marker: &str, empty: &str, w: usize) -> (Vec<String>, bool) {
    let inner = w.saturating_sub(2).max(1);
    match v {
        Some(v) => {
            let wrapped = text::wrap(&text::clean(v), inner);
            let out = wrapped
                .into_iter()
                .enumerate()
                .map(|(i, l)| {
                    if i == 0 {
                        format!("{marker} {l}")
                    } else {
                        format!("  {l}")
                    }
                })
                .collect();
            (out, false)
        }
        None => (
            text::wrap(empty, w)
                .into_iter()
                .map(|l| l.to_string())
                .collect(),
            true,
        ),
    }
}

fn wrapped_line(s: &str, w: usize, style: Style, indent: usize) -> Vec<Line<'static>> {
    text::wrap(&text::clean(s), w.saturating_sub(indent).max(1))
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            let pad = if i == 0 { 0 } else { indent };
            Line::styled(format!("{}{l}", " ".repeat(pad)), style)
        })
        .collect()
}

fn digits_key(km: &Keymap) -> String {
    let chain = [Context::Changes, Context::List, Context::Global];
    let keys = km.keys_for(&chain, Action::ChangeResolve);
    let mut s = crate::tui::help::keys_text(&keys);
    if s.is_empty() {
        s = Action::ChangeResolve.name().to_owned();
    }
    s
}

/// Builds the diff of `c` for an inner width `w`.
pub fn lines(
    c: &Change,
    t: &Theme,
    km: &Keymap,
    w: usize,
    cursor: usize,
    focused: bool,
) -> DiffLines {
    let w = w.max(10);
    let mut out: Vec<Line<'static>> = Vec::new();
    // Summary.
    out.push(Line::from(vec![
        Span::styled(kind_badge(c.kind), t.change_kind(c.kind)),
        Span::styled(" · ", t.dim()),
        Span::styled(state_badge(c.state).trim_start(), t.change_state(c.state)),
        Span::styled(
            format!(
                " · #{} · {} field{}",
                c.id,
                c.field_count(),
                if c.field_count() == 1 { "" } else { "s" }
            ),
            t.dim(),
        ),
    ]));
    let target = match (&c.contact_id, c.kind) {
        (Some(id), _) => format!("GHL {id}"),
        (None, ChangeKind::Ambiguous) => "GHL ? (choose a candidate)".to_owned(),
        (None, _) => "new GHL contact".to_owned(),
    };
    out.extend(wrapped_line(
        &format!("Bmby client {} → {target}", c.client_id),
        w,
        Style::new(),
        2,
    ));
    let base = c
        .base_date_updated
        .as_deref()
        .map_or_else(|| "–".to_owned(), short_time);
    out.extend(wrapped_line(
        &format!("Origin: {} · base dateUpdated {base}", c.origin),
        w,
        t.dim(),
        2,
    ));
    // For an ambiguous change the choice comes first: it is what must be done.
    candidates(c, t, km, w, &mut out);
    // The table.
    let mut rows = Vec::new();
    if c.fields.is_empty() {
        out.push(Line::styled("No field changes.", t.dim()));
    } else if w >= 36 {
        table(c, t, w, cursor, focused, &mut out, &mut rows);
    } else {
        stacked(c, t, w, cursor, focused, &mut out, &mut rows);
    }
    // Warnings (the ambiguity itself is shown as the candidates).
    let listed = c.kind == ChangeKind::Ambiguous && !c.candidates.is_empty();
    for warn in &c.warnings {
        if listed && warn.starts_with("matches several GHL contacts") {
            continue;
        }
        out.extend(wrapped_line(&format!("! {warn}"), w, t.warn(), 2));
    }
    DiffLines { lines: out, rows }
}

fn candidates(c: &Change, t: &Theme, km: &Keymap, w: usize, out: &mut Vec<Line<'static>>) {
    if c.kind == ChangeKind::Ambiguous && !c.candidates.is_empty() {
        out.extend(wrapped_line(
            &format!(
                "Candidates: press {} to choose one, {} for a new contact",
                digits_key(km),
                km.keys_for(
                    &[Context::Changes, Context::List, Context::Global],
                    Action::ChangeResolveNew
                )
                .first()
                .map_or_else(|| "change.resolve_new".to_owned(), |k| k.to_string())
            ),
            w,
            t.header(),
            0,
        ));
        for (i, cand) in c.candidates.iter().enumerate() {
            let num = if i < 9 {
                format!("{}", i + 1)
            } else {
                " ".to_owned()
            };
            let mut l = wrapped_line(
                &format!(
                    "{num}  {} · {} · matched on {}",
                    cand.name, cand.contact_id, cand.matched_on
                ),
                w,
                Style::new(),
                3,
            );
            if let Some(first) = l.first_mut() {
                first.spans[0].style = first.spans[0].style.add_modifier(Modifier::BOLD);
            }
            out.extend(l);
        }
    }
}

fn label_lines(f: &FieldChange, w: usize) -> Vec<String> {
    let mut l = text::wrap(&text::clean(&f.label), w);
    if f.edited {
        l.push("(edited)".to_owned());
    }
    l
}

#[allow(clippy::too_many_arguments)]
fn table(
    c: &Change,
    t: &Theme,
    w: usize,
    cursor: usize,
    focused: bool,
    out: &mut Vec<Line<'static>>,
    rows: &mut Vec<std::ops::Range<usize>>,
) {
    let longest = c
        .fields
        .iter()
        .map(|f| text::width(&text::clean(&f.label)))
        .max()
        .unwrap_or(5)
        .max(8);
    let fw = longest.min((w / 5).max(8));
    let values = w - 2 - fw - 6;
    let nw = values / 2;
    let pw = values - nw;
    let sep = Span::styled(" │ ", t.dim());
    out.push(Line::from(vec![
        Span::styled(format!("  {}", text::fit("Field", fw)), t.header()),
        sep.clone(),
        Span::styled(text::fit("GHL now", nw), t.header()),
        sep.clone(),
        Span::styled(text::fit("Proposed", pw), t.header()),
    ]));
    for (i, f) in c.fields.iter().enumerate() {
        let start = out.len();
        let on = i == cursor;
        let label = label_lines(f, fw);
        let (now, now_empty) = value_cell(f.ghl_now.as_deref(), "-", empty_text(c, true), nw);
        let marker = if f.edited { "*" } else { "+" };
        let (prop, prop_empty) =
            value_cell(f.proposed.as_deref(), marker, empty_text(c, false), pw);
        let h = label.len().max(now.len()).max(prop.len());
        let label_style = if on && focused {
            t.selected(true)
        } else if on {
            t.label().add_modifier(Modifier::UNDERLINED)
        } else {
            t.label()
        };
        let now_style = if now_empty { t.dim() } else { t.removed() };
        let prop_style = if prop_empty {
            t.dim()
        } else if f.edited {
            t.edited()
        } else {
            t.added()
        };
        for r in 0..h {
            let marker = if on && r == 0 { "> " } else { "  " };
            let cell = |v: &Vec<String>, cw: usize| text::fit(v.get(r).map_or("", |s| s), cw);
            let lstyle = if r > 0 && label.get(r).is_some_and(|l| l == "(edited)") {
                t.warn()
            } else {
                label_style
            };
            out.push(Line::from(vec![
                Span::styled(marker, if on { t.key() } else { Style::new() }),
                Span::styled(cell(&label, fw), lstyle),
                sep.clone(),
                Span::styled(cell(&now, nw), now_style),
                sep.clone(),
                Span::styled(cell(&prop, pw), prop_style),
            ]));
        }
        rows.push(start..out.len());
    }
}

/// Narrow panes: each field as a label line, then `-` and `+` lines.
fn stacked(
    c: &Change,
    t: &Theme,
    w: usize,
    cursor: usize,
    focused: bool,
    out: &mut Vec<Line<'static>>,
    rows: &mut Vec<std::ops::Range<usize>>,
) {
    for (i, f) in c.fields.iter().enumerate() {
        let start = out.len();
        let on = i == cursor;
        let style = if on && focused {
            t.selected(true)
        } else {
            t.label()
        };
        let edited = if f.edited { " (edited)" } else { "" };
        for l in text::wrap(&format!("{}{edited}", text::clean(&f.label)), w - 2) {
            out.push(Line::from(vec![
                Span::raw(if on && out.len() == start { "> " } else { "  " }),
                Span::styled(l, style),
            ]));
        }
        let (now, _) = value_cell(f.ghl_now.as_deref(), "-", empty_text(c, true), w - 2);
        for l in now {
            out.push(Line::styled(format!("  {l}"), t.removed()));
        }
        let marker = if f.edited { "*" } else { "+" };
        let (prop, _) = value_cell(f.proposed.as_deref(), marker, empty_text(c, false), w - 2);
        for l in prop {
            out.push(Line::styled(format!("  {l}"), t.added()));
        }
        rows.push(start..out.len());
    }
}

/// The first line to draw so the cursor's row is visible (the whole bottom once the cursor
/// is on the last field, so warnings and candidates can be reached).
pub fn scroll_for(d: &DiffLines, cursor: usize, height: usize) -> usize {
    let total = d.lines.len();
    if total <= height {
        return 0;
    }
    let Some(r) = d.rows.get(cursor) else {
        return 0;
    };
    let last = cursor + 1 == d.rows.len();
    let want_end = if last { total } else { r.end };
    want_end.saturating_sub(height).min(r.start)
}

/// Draws the diff pane for the selected change.
pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let cs = &app.changes;
    let t = &app.theme;
    let focused = cs.focus == ChangesFocus::Diff
        && app.help.is_none()
        && cs.edit.is_none()
        && cs.confirm.is_none();
    let title = match cs.selected_change() {
        Some(c) => format!("Diff #{} · {}", c.id, text::clean(&c.display_name)),
        None => "Diff".to_owned(),
    };
    let title = text::truncate(&title, (area.width as usize).saturating_sub(6));
    let block = crate::tui::panes::block(title, focused, t);
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    let Some(c) = cs.selected_change() else {
        let msg = if cs.loaded {
            "Nothing selected."
        } else {
            "Loading changes…"
        };
        f.render_widget(Paragraph::new(Line::styled(msg, t.dim())), inner);
        return;
    };
    let mut height = inner.height as usize;
    if cs.edit.is_some() {
        height = height.saturating_sub(3);
    }
    let d = lines(c, t, &app.keymap, inner.width as usize, cs.field, focused);
    let scroll = scroll_for(&d, cs.field, height);
    let shown: Vec<Line> = d.lines.into_iter().skip(scroll).take(height).collect();
    f.render_widget(Paragraph::new(shown), inner);
    if let Some(e) = &cs.edit {
        super::edit::render(app, e, f, area);
    }
}
