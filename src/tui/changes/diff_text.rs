//! The diff pane's content, built without drawing: which lines a change's diff has, their
//! text wrapped to a width and a semantic [`Look`] per piece. The update side measures it (how
//! tall the diff pane wants to be, [`crate::tui::app::App::changes_areas`]); the renderer
//! ([`super::diff`]) styles and draws it.
//!
//! Above the table: kind, state, Bmby client, GHL contact, origin, base `dateUpdated`. The
//! table is `field | GHL now | proposed`: GHL-now in the "removed" look with a `-` marker,
//! proposed in the "added" look with a `+` marker (`*` and bold when a person edited it),
//! so it reads the same without colour. Columns are aligned by display width and long values
//! WRAP inside their column; nothing is cut. Text is kept in logical order (no bidi
//! reordering), so Hebrew reads right in a bidi-aware terminal and stays aligned in others.
//! Below: warnings, and for an ambiguous change the numbered candidates.
//!
//! Once sent, the outbox says more: a failed change shows GHL's words (wrapped, whole); a
//! conflict shows three value columns, `field | base (when diffed) | GHL now | proposed`, and
//! says that approving again writes the proposed value over GHL's current one; an applied
//! change shows the contact it wrote and any field GHL did not store.

use super::{change_badge, kind_badge};
use crate::domain::{Change, ChangeKind, ChangeState, FieldChange, OutboxInfo};
use crate::tui::action::Action;
use crate::tui::keymap::{Context, Keymap};
use crate::tui::look::{Look, TextLine};
use crate::tui::panes::short_time;
use crate::tui::text;

/// A piece of a line in a look.
fn piece(s: impl Into<String>, look: Look) -> (String, Look) {
    (s.into(), look)
}

/// A piece with no style.
fn plain(s: impl Into<String>) -> (String, Look) {
    (s.into(), Look::Plain)
}

/// The column separator of the table.
fn sep() -> (String, Look) {
    piece(" │ ", Look::Dim)
}

/// The diff as lines, and the line range of each field's row (for the field cursor).
pub struct DiffLines {
    pub lines: Vec<TextLine>,
    pub rows: Vec<std::ops::Range<usize>>,
}

fn empty_text(c: &Change, ghl_side: bool) -> &'static str {
    use crate::domain::{Subject, Target};
    match (c.target, &c.subject, c.kind, ghl_side) {
        (Target::Bmby, _, _, true) => "(not in Bmby yet)",
        (_, Subject::Task { .. }, ChangeKind::Create, true) => "(new task)",
        (_, Subject::Note { .. }, ChangeKind::Create, true) => "(new note)",
        (_, _, ChangeKind::Create | ChangeKind::Ambiguous, true) => "(no contact)",
        (_, _, ChangeKind::Delete, false) => "(deleted)",
        _ => "(empty)",
    }
}

/// A cell's lines: the marker on the first line, the value (an instant in Israel time,
/// [`crate::clock::value`]) wrapped to `w - 2`.
fn value_cell(v: Option<&str>, marker: &str, empty: &str, w: usize) -> (Vec<String>, bool) {
    let inner = w.saturating_sub(2).max(1);
    match v.map(crate::clock::value) {
        Some(v) => {
            // Each line of a multi-line value (a note's body) wrapped on its own.
            let wrapped: Vec<String> = text::clean_lines(&v)
                .iter()
                .flat_map(|l| text::wrap(l, inner))
                .collect();
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

fn wrapped_line(s: &str, w: usize, look: Look, indent: usize) -> Vec<TextLine> {
    text::wrap(&text::clean(s), w.saturating_sub(indent).max(1))
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            let pad = if i == 0 { 0 } else { indent };
            TextLine::whole(format!("{}{l}", " ".repeat(pad)), look)
        })
        .collect()
}

fn digits_key(km: &Keymap) -> String {
    let chain = [Context::Changes, Context::List, Context::Global];
    let keys = km.keys_for(&chain, Action::ChangeResolve);
    let mut s = crate::tui::help_text::keys_text(&keys);
    if s.is_empty() {
        s = Action::ChangeResolve.name().to_owned();
    }
    s
}

fn key_of(km: &Keymap, a: Action) -> String {
    km.keys_for(&[Context::Changes, Context::List, Context::Global], a)
        .first()
        .map_or_else(|| a.name().to_owned(), |k| k.to_string())
}

fn plural(n: u32, w: &str) -> String {
    format!("{n} {w}{}", if n == 1 { "" } else { "s" })
}

/// What sending did to the change, from its outbox details.
fn outcome(c: &Change, info: Option<&OutboxInfo>, km: &Keymap, w: usize, out: &mut Vec<TextLine>) {
    let Some(info) = info else {
        if c.state == ChangeState::InFlight {
            out.extend(wrapped_line(
                "… sent; outcome not known yet",
                w,
                Look::Warn,
                2,
            ));
        }
        return;
    };
    let approve = key_of(km, Action::ChangeApprove);
    let send = key_of(km, Action::ChangesSend);
    let err = info.last_error.as_deref().unwrap_or("(no reason recorded)");
    match c.state {
        ChangeState::Failed => {
            out.extend(wrapped_line(
                &format!(
                    "! Failed after {}. GHL said:",
                    plural(info.attempts, "attempt")
                ),
                w,
                Look::Error,
                2,
            ));
            out.extend(indented(err, w, Look::Error));
            out.extend(wrapped_line(
                &format!("Fix it, then approve again ({approve}) and send ({send}) to retry."),
                w,
                Look::Dim,
                0,
            ));
        }
        ChangeState::Conflict => {
            out.extend(wrapped_line(
                "⚠ Conflict: the contact changed in GHL after this diff was made.",
                w,
                Look::Warn,
                2,
            ));
            out.extend(indented(err, w, Look::Warn));
            let what = if c.kind == ChangeKind::Delete {
                "deletes the contact as GHL has it now".to_owned()
            } else {
                "writes the proposed value over GHL's current one".to_owned()
            };
            out.extend(wrapped_line(
                &format!("Approving again ({approve}) {what}; reject to keep GHL's."),
                w,
                Look::Header,
                0,
            ));
        }
        ChangeState::Applied => {
            let id = info
                .contact_id
                .as_deref()
                .or(c.contact_id.as_deref())
                .unwrap_or("?");
            let verb = if c.kind == ChangeKind::Delete {
                "Deleted"
            } else {
                "Applied to"
            };
            let done = match (c.target, &c.subject) {
                (crate::domain::Target::Bmby, _) => {
                    format!("● Written to Bmby client {}", c.client_id)
                }
                (_, crate::domain::Subject::Contact) => format!("● {verb} GHL contact {id}"),
                (_, crate::domain::Subject::Op(op)) if op.is_bulk() => {
                    format!("● Applied: {}", op.describe())
                }
                (_, crate::domain::Subject::Op(op)) => {
                    format!("● Applied to GHL contact {id}: {}", op.describe())
                }
                (_, s) => format!("● {verb} the {} of GHL contact {id}", s.label()),
            };
            out.extend(wrapped_line(&done, w, Look::Ok, 2));
            if !info.dropped_fields.is_empty() {
                out.extend(wrapped_line(
                    &format!("! GHL did not store: {}", info.dropped_fields.join(", ")),
                    w,
                    Look::Warn,
                    2,
                ));
            }
        }
        ChangeState::InFlight => {
            out.extend(wrapped_line(
                "… sent; outcome not known yet. The next send looks it up first and never sends it twice.",
                w,
                Look::Warn,
                2,
            ));
            if let Some(e) = &info.last_error {
                out.extend(indented(e, w, Look::Dim));
            }
        }
        ChangeState::Approved => {
            if let Some(e) = &info.last_error {
                out.extend(wrapped_line(
                    &format!(
                        "Last attempt ({}) did not get through; it stays approved for the next send:",
                        info.attempts
                    ),
                    w,
                    Look::Warn,
                    2,
                ));
                out.extend(indented(e, w, Look::Dim));
            }
        }
        _ => {}
    }
}

/// Where the change comes from and where it is written: `Bmby client 1001 → GHL abc`,
/// `local edit → GHL abc, task t1`, `GHL abc, note n1 → Bmby client 1001 (NewTask Comment)`.
fn route(c: &Change) -> String {
    use crate::domain::{Subject, Target};
    let record = match &c.subject {
        Subject::Contact => String::new(),
        // The operation's own section says what it does.
        Subject::Op(_) => String::new(),
        Subject::Task { task_id } => {
            format!(", task {}", task_id.as_deref().unwrap_or("(new)"))
        }
        Subject::Note { note_id } => {
            format!(", note {}", note_id.as_deref().unwrap_or("(new)"))
        }
    };
    let bulk = match &c.subject {
        Subject::Op(op) => super::op_view::bulk_ids(op).map(|ids| ids.len()),
        _ => None,
    };
    let ghl = match (&c.contact_id, c.kind) {
        (Some(id), _) => format!("GHL {id}{record}"),
        (None, _) if bulk.is_some() => format!(
            "GHL, {} contact{}{record}",
            bulk.unwrap_or(0),
            if bulk == Some(1) { "" } else { "s" }
        ),
        (None, ChangeKind::Ambiguous) => "GHL ? (choose a candidate)".to_owned(),
        (None, _) => "new GHL contact".to_owned(),
    };
    match c.target {
        Target::Bmby => {
            let (client, op) = match c.subject {
                Subject::Contact | Subject::Op(_) => ("new Bmby client".to_owned(), "Insert"),
                Subject::Task { .. } => (format!("Bmby client {}", c.client_id), "NewTask Task"),
                Subject::Note { .. } => (format!("Bmby client {}", c.client_id), "NewTask Comment"),
            };
            format!("{ghl} → {client} ({op})")
        }
        Target::Ghl if c.origin == crate::domain::LOCAL_ORIGIN => format!("local edit → {ghl}"),
        // A revert of a hand edit (or of a contact no Bmby client is linked to) has no client.
        Target::Ghl if c.client_id.is_empty() => {
            format!("{} → {ghl}", crate::sanitize::clean_line(&c.origin))
        }
        Target::Ghl => format!("Bmby client {} → {ghl}", c.client_id),
    }
}

/// Multi-line text from data, each line wrapped and indented by two.
fn indented(s: &str, w: usize, look: Look) -> Vec<TextLine> {
    let mut out = Vec::new();
    for para in text::clean_lines(s) {
        for l in text::wrap(&para, w.saturating_sub(2).max(2)) {
            out.push(TextLine::whole(format!("  {l}"), look));
        }
    }
    out
}

/// Builds the diff of `c` for an inner width `w`; `notice` goes under the summary (GHL changed
/// the contact since); `outbox` is its dispatch details, when it has been sent.
#[allow(clippy::too_many_arguments)] // what one diff is drawn from; a struct would only rename them
pub fn lines(
    c: &Change,
    notice: Option<&str>,
    outbox: Option<&OutboxInfo>,
    km: &Keymap,
    names: &std::collections::HashMap<String, String>,
    w: usize,
    cursor: usize,
    focused: bool,
) -> DiffLines {
    let w = w.max(10);
    let mut out: Vec<TextLine> = Vec::new();
    // Summary.
    let op = match &c.subject {
        crate::domain::Subject::Op(op) => Some(op),
        _ => None,
    };
    // An operation without fields counts its contacts instead.
    let count = match op.map(|o| (o, super::op_view::bulk_ids(o))) {
        Some((_, Some(ids))) => format!(
            " · #{} · {} contact{}",
            c.id,
            ids.len(),
            if ids.len() == 1 { "" } else { "s" }
        ),
        Some((_, None)) if c.fields.is_empty() => format!(" · #{}", c.id),
        _ => format!(
            " · #{} · {} field{}",
            c.id,
            c.field_count(),
            if c.field_count() == 1 { "" } else { "s" }
        ),
    };
    out.push(TextLine::Pieces(vec![
        piece(kind_badge(c), Look::Kind(c.kind)),
        piece(" · ", Look::Dim),
        piece(change_badge(c).trim_start(), Look::State(c.state)),
        piece(count, Look::Dim),
    ]));
    out.extend(wrapped_line(&route(c), w, Look::Plain, 2));
    let base = c
        .base_date_updated
        .as_deref()
        .map_or_else(|| "–".to_owned(), short_time);
    let origin =
        if c.subject == crate::domain::Subject::Contact && c.target == crate::domain::Target::Ghl {
            format!("Origin: {} · base dateUpdated {base}", c.origin)
        } else {
            format!("Origin: {}", c.origin)
        };
    out.extend(wrapped_line(&origin, w, Look::Dim, 2));
    // A create held back because it matches an existing contact: on what, and whose it is.
    let held = c.matched.as_ref().map(|m| m.describe());
    if let Some(m) = &held {
        out.extend(wrapped_line(&format!("= {m}"), w, Look::Warn, 2));
    }
    if let Some(n) = notice {
        out.extend(wrapped_line(&format!("! {n}"), w, Look::Warn, 2));
    }
    // What sending did comes first after the summary: it is what must be looked at.
    outcome(c, outbox, km, w, &mut out);
    // For an ambiguous change the choice comes first: it is what must be done.
    candidates(c, km, w, &mut out);
    // An operation: what it does, on what, and the request.
    if let Some(op) = op {
        out.extend(super::op_view::lines(c, op, names, w));
    }
    // The table.
    let mut rows = Vec::new();
    let conflict_now = outbox
        .filter(|i| c.state == ChangeState::Conflict && !i.ghl_now.is_empty())
        .map(|i| i.ghl_now.as_slice());
    if c.fields.is_empty() {
        if op.is_none() {
            out.push(TextLine::whole("No field changes.", Look::Dim));
        }
    } else if let Some(now) = conflict_now {
        if w >= 48 {
            three_way(c, now, w, cursor, focused, &mut out, &mut rows);
        } else {
            three_way_stacked(c, now, w, cursor, focused, &mut out, &mut rows);
        }
    } else if w >= 36 {
        table(c, w, cursor, focused, &mut out, &mut rows);
    } else {
        stacked(c, w, cursor, focused, &mut out, &mut rows);
    }
    // Warnings (the ambiguity itself is shown as the candidates).
    let listed = c.kind == ChangeKind::Ambiguous && !c.candidates.is_empty();
    for warn in &c.warnings {
        if listed && warn.starts_with("matches several GHL contacts") {
            continue;
        }
        // The match itself is in the header; keep only what follows it.
        let warn = match &held {
            Some(m) if warn.starts_with(m.as_str()) => {
                warn[m.len()..].trim_start_matches([':', ' '])
            }
            _ => warn.as_str(),
        };
        out.extend(wrapped_line(&format!("! {warn}"), w, Look::Warn, 2));
    }
    DiffLines { lines: out, rows }
}

fn candidates(c: &Change, km: &Keymap, w: usize, out: &mut Vec<TextLine>) {
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
            Look::Header,
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
                Look::Plain,
                3,
            );
            // The first line bold (a line of no look, so only its text is bold).
            if let Some(TextLine::Whole(first, Look::Plain)) = l.first().cloned() {
                l[0] = TextLine::Pieces(vec![piece(first, Look::Bold)]);
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

/// Width of the field-label column: the longest label (at least 8), at most `w / share`.
fn label_width(c: &Change, w: usize, share: usize) -> usize {
    let longest = c
        .fields
        .iter()
        .map(|f| text::width(&text::clean(&f.label)))
        .max()
        .unwrap_or(5)
        .max(8);
    longest.min((w / share).max(8))
}

#[allow(clippy::too_many_arguments)]
fn table(
    c: &Change,
    w: usize,
    cursor: usize,
    focused: bool,
    out: &mut Vec<TextLine>,
    rows: &mut Vec<std::ops::Range<usize>>,
) {
    let fw = label_width(c, w, 5);
    let values = w - 2 - fw - 6;
    let nw = values / 2;
    let pw = values - nw;
    // Once applied, the left column is what GHL had before the write.
    let (left, right) = match (c.target, c.state) {
        (crate::domain::Target::Bmby, _) => ("Bmby now", "To write"),
        (_, ChangeState::Applied) => ("GHL before", "Written"),
        _ => ("GHL now", "Proposed"),
    };
    out.push(TextLine::Pieces(vec![
        piece(format!("  {}", text::fit("Field", fw)), Look::Header),
        sep(),
        piece(text::fit(left, nw), Look::Header),
        sep(),
        piece(text::fit(right, pw), Look::Header),
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
            Look::Selected
        } else if on {
            Look::LabelUnderlined
        } else {
            Look::Label
        };
        let now_style = if now_empty { Look::Dim } else { Look::Removed };
        let prop_style = if prop_empty {
            Look::Dim
        } else if f.edited {
            Look::Edited
        } else {
            Look::Added
        };
        for r in 0..h {
            let marker = if on && r == 0 { "> " } else { "  " };
            let cell = |v: &Vec<String>, cw: usize| text::fit(v.get(r).map_or("", |s| s), cw);
            let lstyle = if r > 0 && label.get(r).is_some_and(|l| l == "(edited)") {
                Look::Warn
            } else {
                label_style
            };
            out.push(TextLine::Pieces(vec![
                piece(marker, if on { Look::Key } else { Look::Plain }),
                piece(cell(&label, fw), lstyle),
                sep(),
                piece(cell(&now, nw), now_style),
                sep(),
                piece(cell(&prop, pw), prop_style),
            ]));
        }
        rows.push(start..out.len());
    }
}

/// GHL's value of `field` now, from a conflict's re-read: `None` = not read.
fn now_of<'a>(now: &'a [(String, Option<String>)], field: &str) -> Option<Option<&'a str>> {
    now.iter()
        .find(|(f, _)| f == field)
        .map(|(_, v)| v.as_deref())
}

fn changed_in_ghl(f: &FieldChange, now: Option<Option<&str>>) -> bool {
    now.is_some_and(|n| n != f.ghl_now.as_deref())
}

/// A conflict: `field | base (when diffed) | GHL now | proposed`. A field GHL changed since
/// the base is marked `!` in the GHL-now column and `(changed in GHL)` under its label.
#[allow(clippy::too_many_arguments)]
fn three_way(
    c: &Change,
    ghl_now: &[(String, Option<String>)],
    w: usize,
    cursor: usize,
    focused: bool,
    out: &mut Vec<TextLine>,
    rows: &mut Vec<std::ops::Range<usize>>,
) {
    let fw = label_width(c, w, 6);
    let values = w - 2 - fw - 9;
    let bw = values / 3;
    let nw = (values - bw) / 2;
    let pw = values - bw - nw;
    out.push(TextLine::Pieces(vec![
        piece(format!("  {}", text::fit("Field", fw)), Look::Header),
        sep(),
        piece(text::fit("Base (when diffed)", bw), Look::Header),
        sep(),
        piece(text::fit("GHL now", nw), Look::Header),
        sep(),
        piece(text::fit("Proposed", pw), Look::Header),
    ]));
    for (i, f) in c.fields.iter().enumerate() {
        let start = out.len();
        let on = i == cursor;
        let now = now_of(ghl_now, &f.field);
        let moved = changed_in_ghl(f, now);
        let mut label = label_lines(f, fw);
        if moved {
            label.extend(text::wrap("(changed in GHL)", fw));
        }
        let (base, _) = value_cell(f.ghl_now.as_deref(), " ", empty_text(c, true), bw);
        let (nowc, now_empty) = match now {
            Some(v) => value_cell(v, if moved { "!" } else { "=" }, "(empty)", nw),
            None => (vec!["(not read)".to_owned()], true),
        };
        let marker = if f.edited { "*" } else { "+" };
        let (prop, prop_empty) =
            value_cell(f.proposed.as_deref(), marker, empty_text(c, false), pw);
        let h = label.len().max(base.len()).max(nowc.len()).max(prop.len());
        let label_style = if on && focused {
            Look::Selected
        } else if on {
            Look::LabelUnderlined
        } else {
            Look::Label
        };
        let base_style = Look::Dim;
        let now_style = if now_empty {
            Look::Dim
        } else if moved {
            Look::Warn
        } else {
            Look::Removed
        };
        let prop_style = if prop_empty {
            Look::Dim
        } else if f.edited {
            Look::Edited
        } else {
            Look::Added
        };
        for r in 0..h {
            let marker = if on && r == 0 { "> " } else { "  " };
            let cell = |v: &Vec<String>, cw: usize| text::fit(v.get(r).map_or("", |s| s), cw);
            let lstyle = match label.get(r).map(String::as_str) {
                Some("(edited)") | Some("(changed in GHL)") if r > 0 => Look::Warn,
                _ => label_style,
            };
            out.push(TextLine::Pieces(vec![
                piece(marker, if on { Look::Key } else { Look::Plain }),
                piece(cell(&label, fw), lstyle),
                sep(),
                piece(cell(&base, bw), base_style),
                sep(),
                piece(cell(&nowc, nw), now_style),
                sep(),
                piece(cell(&prop, pw), prop_style),
            ]));
        }
        rows.push(start..out.len());
    }
}

/// A conflict in a narrow pane: label, then `base`, `now` and `+` lines.
#[allow(clippy::too_many_arguments)]
fn three_way_stacked(
    c: &Change,
    ghl_now: &[(String, Option<String>)],
    w: usize,
    cursor: usize,
    focused: bool,
    out: &mut Vec<TextLine>,
    rows: &mut Vec<std::ops::Range<usize>>,
) {
    for (i, f) in c.fields.iter().enumerate() {
        let start = out.len();
        let on = i == cursor;
        let style = if on && focused {
            Look::Selected
        } else {
            Look::Label
        };
        let now = now_of(ghl_now, &f.field);
        let moved = changed_in_ghl(f, now);
        let note = if moved { " (changed in GHL)" } else { "" };
        for l in text::wrap(&format!("{}{note}", text::clean(&f.label)), w - 2) {
            out.push(TextLine::Pieces(vec![
                plain(if on && out.len() == start { "> " } else { "  " }),
                piece(l, style),
            ]));
        }
        let push = |out: &mut Vec<TextLine>, tag: &str, v: Option<&str>, st: Look| {
            let (cell, _) = value_cell(v, tag, "(empty)", w - 2);
            for l in cell {
                out.push(TextLine::whole(format!("  {l}"), st));
            }
        };
        push(out, "base", f.ghl_now.as_deref(), Look::Dim);
        match now {
            Some(v) => push(
                out,
                "now",
                v,
                if moved { Look::Warn } else { Look::Removed },
            ),
            None => out.push(TextLine::whole("  now (not read)", Look::Dim)),
        }
        push(out, "+", f.proposed.as_deref(), Look::Added);
        rows.push(start..out.len());
    }
}

/// Narrow panes: each field as a label line, then `-` and `+` lines.
fn stacked(
    c: &Change,
    w: usize,
    cursor: usize,
    focused: bool,
    out: &mut Vec<TextLine>,
    rows: &mut Vec<std::ops::Range<usize>>,
) {
    for (i, f) in c.fields.iter().enumerate() {
        let start = out.len();
        let on = i == cursor;
        let style = if on && focused {
            Look::Selected
        } else {
            Look::Label
        };
        let edited = if f.edited { " (edited)" } else { "" };
        for l in text::wrap(&format!("{}{edited}", text::clean(&f.label)), w - 2) {
            out.push(TextLine::Pieces(vec![
                plain(if on && out.len() == start { "> " } else { "  " }),
                piece(l, style),
            ]));
        }
        let (now, _) = value_cell(f.ghl_now.as_deref(), "-", empty_text(c, true), w - 2);
        for l in now {
            out.push(TextLine::whole(format!("  {l}"), Look::Removed));
        }
        let marker = if f.edited { "*" } else { "+" };
        let (prop, _) = value_cell(f.proposed.as_deref(), marker, empty_text(c, false), w - 2);
        for l in prop {
            out.push(TextLine::whole(format!("  {l}"), Look::Added));
        }
        rows.push(start..out.len());
    }
}

/// The first line to draw so the cursor's row is visible (the whole bottom once the cursor
/// is on the last field, so warnings and candidates can be reached). A diff without field rows
/// (an operation) takes `cursor` as the first line itself, kept so the pane stays full.
pub fn scroll_for(d: &DiffLines, cursor: usize, height: usize) -> usize {
    let total = d.lines.len();
    if total <= height {
        return 0;
    }
    if d.rows.is_empty() {
        return cursor.min(total - height);
    }
    let Some(r) = d.rows.get(cursor) else {
        return 0;
    };
    let last = cursor + 1 == d.rows.len();
    let want_end = if last { total } else { r.end };
    want_end.saturating_sub(height).min(r.start)
}
