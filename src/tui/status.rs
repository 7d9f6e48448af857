//! The status bar: location, cache age, sync progress, API budget, retries, errors.
//!
//! Order (what matters first, as the bar is cut at the right edge): the location (always
//! there: shortened to its name, then cut, never dropped), `offline`, an error, the sync state
//! (`synced 3 min ago`, or `last sync failed 12:03` in Israel time after a failed pull), then
//! the counters, progress, budget and the latest info.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::action::Action;
use super::app::App;
use super::keymap::Context;
use super::text;

/// "synced 3 min ago", or "never synced".
pub fn age_text(last: Option<jiff::Timestamp>, now: jiff::Timestamp) -> String {
    let Some(last) = last else {
        return "never synced".into();
    };
    let secs = now.as_second() - last.as_second();
    if secs < 60 {
        "synced just now".into()
    } else if secs < 3600 {
        format!("synced {} min ago", secs / 60)
    } else if secs < 86_400 {
        format!("synced {} h ago", secs / 3600)
    } else {
        format!("synced {} d ago", secs / 86_400)
    }
}

/// The sync segment: `last sync failed 12:03` (Israel time; with the date when not today)
/// after a failed pull, until a pull succeeds; else [`age_text`].
pub fn sync_text(app: &App) -> String {
    let now = app.now();
    match app.status.pull_failed_at {
        Some(at) => format!("last sync failed {}", failed_at_text(at, now)),
        None => age_text(app.status.last_sync, now),
    }
}

/// `12:03` when `at` is on `now`'s Israel date, else `2026-12-03 12:03`.
fn failed_at_text(at: jiff::Timestamp, now: jiff::Timestamp) -> String {
    let tz = crate::clock::israel();
    let (a, n) = (at.to_zoned(tz.clone()), now.to_zoned(tz.clone()));
    if a.date() == n.date() {
        a.strftime("%H:%M").to_string()
    } else {
        crate::clock::human(at)
    }
}

/// The review counts: `changes 41 pending · 2 approved · 1 rejected`, or a compact form
/// (`41 pending · 2 ✓ · 1 ✗`).
pub fn counts_text(app: &App, compact: bool) -> String {
    let cs = &app.changes;
    if !cs.loaded {
        return "changes …".into();
    }
    let c = cs.counts;
    if c.total() == 0 {
        return "no changes".into();
    }
    // Withdrawals and dispatch outcomes are named only when there are some.
    let outcomes = [
        (c.withdrawn, "withdrawn", "–"),
        (c.failed, "failed", "!"),
        (c.conflict, "conflict", "⚠"),
        (c.applied, "applied", "●"),
    ];
    let mut out = if compact {
        format!(
            "{} pending · {} ✓ · {} ✗",
            c.pending, c.approved, c.rejected
        )
    } else {
        let flight = if c.in_flight > 0 {
            format!(" ({} in flight)", c.in_flight)
        } else {
            String::new()
        };
        format!(
            "changes {} pending · {} approved{flight} · {} rejected",
            c.pending, c.approved, c.rejected
        )
    };
    for (n, word, sym) in outcomes {
        if n > 0 {
            if compact {
                out.push_str(&format!(" · {n} {sym}"));
            } else {
                out.push_str(&format!(" · {n} {word}"));
            }
        }
    }
    out
}

/// The sending progress: `sending 12/40 · 2 failed · 1 conflict`.
pub fn dispatch_text(d: &super::app::DispatchStatus) -> String {
    let mut s = format!("sending {}/{}", d.done, d.total);
    if d.failed > 0 {
        s.push_str(&format!(" · {} failed", d.failed));
    }
    if d.conflicts > 0 {
        s.push_str(&format!(
            " · {} conflict{}",
            d.conflicts,
            if d.conflicts == 1 { "" } else { "s" }
        ));
    }
    if d.cancelling {
        s.push_str(" · stopping…");
    }
    s
}

/// The segments, in priority order: (text, style).
pub fn segments(app: &App) -> Vec<(String, Style)> {
    segments_with(app, false)
}

fn segments_with(app: &App, compact: bool) -> Vec<(String, Style)> {
    let t = &app.theme;
    let s = &app.status;
    let mut out = vec![(
        text::truncate(&text::clean(&app.location_label), 28),
        Style::new(),
    )];
    // Offline and an error come before the counters: they say the rest may be stale.
    if !app.online {
        out.push(("offline".into(), t.warn()));
    }
    if let Some(e) = &s.error {
        out.push((format!("! {}", text::clean(e)), t.error()));
    }
    let sync_style = if s.pull_failed_at.is_some() {
        t.warn()
    } else {
        t.dim()
    };
    out.push((sync_text(app), sync_style));
    if let Some(a) = super::locations::status_text(app) {
        out.push((a, t.warn()));
    }
    if let Some(d) = &s.dispatch {
        let style = if d.failed + d.conflicts > 0 {
            t.warn()
        } else {
            t.ok()
        };
        out.push((dispatch_text(d), style));
    }
    let c = app.changes.counts;
    let pending_style = if c.pending + c.failed + c.conflict > 0 {
        t.warn()
    } else {
        Style::new()
    };
    out.push((counts_text(app, compact), pending_style));
    if app.changes.in_flight > 0 {
        out.push(("saving…".into(), t.warn()));
    }
    if let Some(p) = s.pull {
        let kind = if p.full { "full pull" } else { "pulling" };
        let txt = match p.total {
            Some(total) => format!("{kind} {}/{}", p.fetched, total),
            None => format!("{kind} {}", p.fetched),
        };
        out.push((txt, t.ok()));
    }
    if s.busy {
        out.push(("busy".into(), t.warn()));
    }
    if let Some(r) = &s.retry {
        out.push((text::clean(r), t.warn()));
    }
    if let Some(b) = &s.rate {
        if let (Some(rem), Some(max)) = (b.remaining, b.max) {
            let style = if rem * 10 < max { t.warn() } else { t.dim() };
            out.push((format!("API {rem}/{max}"), style));
        }
    }
    if let Some(p) = &s.pinned {
        out.push((text::clean(p), Style::new()));
    }
    if let Some(i) = s.info.as_ref().filter(|i| s.pinned.as_ref() != Some(*i)) {
        out.push((text::clean(i), Style::new()));
    }
    out
}

fn total_width(segs: &[(String, Style)]) -> usize {
    segs.iter().map(|(t, _)| text::width(t)).sum::<usize>() + 3 * segs.len().saturating_sub(1)
}

/// The fewest columns the location label is shortened to: which sub-account edits go to is
/// always said.
const LABEL_MIN: usize = 12;

/// The label without its ` (location id)` tail (`Demo Realty (ve9EPM…)` → `Demo Realty`), as
/// the TUI's caller builds it; the label itself when it has no such tail.
fn label_name(label: &str) -> &str {
    match label.rfind(" (") {
        Some(i) if i > 0 && label.ends_with(')') => &label[..i],
        _ => label,
    }
}

/// The segments fitted to `width`: compact counts first, then a shorter location label (its
/// name without the id, then cut, never gone), then shorter messages.
pub fn fitted_segments(app: &App, width: usize) -> Vec<(String, Style)> {
    let full = segments_with(app, false);
    if total_width(&full) <= width {
        return full;
    }
    let mut compact = segments_with(app, true);
    let over = total_width(&compact).saturating_sub(width);
    if over > 0 && compact.len() > 1 {
        let label = text::clean(&app.location_label);
        let name = label_name(&label);
        let label_w = text::width(&compact[0].0);
        let keep = label_w.saturating_sub(over).max(LABEL_MIN);
        compact[0].0 = if text::width(name) <= keep {
            name.to_owned()
        } else {
            text::truncate(name, keep)
        };
    }
    // An error (and a pinned notice) outranks the latest info: when both do not fit, the
    // info goes (it stays in the message log, `m`) so the error keeps its words.
    let error_style = app.theme.error();
    let has_error = compact
        .iter()
        .any(|(t, st)| t.starts_with("! ") && *st == error_style);
    let pinned = app.status.pinned.as_deref().map(text::clean);
    // A pinned notice outranks routine news only; the result of the user's own action stays.
    let routine = app.status.info.is_some() && app.status.info == app.status.routine_info;
    if (has_error || (pinned.is_some() && routine)) && total_width(&compact) > width {
        if let Some(info) = app
            .status
            .info
            .as_deref()
            .map(text::clean)
            .filter(|i| Some(i) != pinned.as_ref())
        {
            compact.retain(|(t, _)| *t != info);
        }
    }
    // The news of the user's own action outranks a pinned notice: when both do not fit, the
    // notice steps aside until routine news replaces that info (it stays in `m`).
    if let (Some(p), false) = (pinned.as_ref(), routine) {
        if app.status.info.is_some() && total_width(&compact) > width {
            compact.retain(|(t, _)| t != p);
        }
    }
    // Narrower still: the cache's age gives way before any message is cut (a failed sync
    // stays: it is news).
    if app.status.pull_failed_at.is_none() && total_width(&compact) > width {
        let age = sync_text(app);
        compact.retain(|(t, _)| *t != age);
    }
    shorten_messages(app, &mut compact, width);
    compact
}

/// Still too wide: cut the message segments (error, info, retry), each ending with
/// `… (m)` (the key that shows them in full).
fn shorten_messages(app: &App, segs: &mut [(String, Style)], width: usize) {
    let key = app
        .keymap
        .keys_for(&[Context::Global], Action::MessagesOpen)
        .first()
        .map(|k| k.to_string());
    let hint = match &key {
        Some(k) => format!(" ({k})"),
        None => String::new(),
    };
    let error_style = app.theme.error();
    let info = app.status.info.as_deref().map(text::clean);
    let retry = app.status.retry.as_deref().map(text::clean);
    let pinned = app.status.pinned.as_deref().map(text::clean);
    let routine = app.status.info.is_some() && app.status.info == app.status.routine_info;
    // Routine info gives way first, then a retry, then a pinned notice, the error last; the
    // news of the user's own action is cut after a pinned notice.
    let mut idx: Vec<usize> = (0..segs.len())
        .filter(|&i| {
            let t = &segs[i].0;
            (t.starts_with("! ") && segs[i].1 == error_style)
                || info.as_deref() == Some(t.as_str())
                || retry.as_deref() == Some(t.as_str())
                || pinned.as_deref() == Some(t.as_str())
        })
        .collect();
    idx.sort_by_key(
        |&i| match segs[i].0.starts_with("! ") && segs[i].1 == error_style {
            true => 3,
            false if pinned.as_deref() == Some(segs[i].0.as_str()) => {
                if routine {
                    2
                } else {
                    0
                }
            }
            false if info.as_deref() == Some(segs[i].0.as_str()) => {
                if routine {
                    0
                } else {
                    2
                }
            }
            false => 1,
        },
    );
    for i in idx {
        let over = total_width(segs).saturating_sub(width);
        if over == 0 {
            return;
        }
        let w = text::width(&segs[i].0);
        // Keep at least a few characters of every message.
        let keep = w.saturating_sub(over + text::width(&hint)).max(8);
        if keep + text::width(&hint) >= w {
            continue;
        }
        segs[i].0 = format!("{}{hint}", text::truncate(&segs[i].0, keep));
    }
}

pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let mut spans = Vec::new();
    for (i, (txt, style)) in fitted_segments(app, area.width as usize)
        .into_iter()
        .enumerate()
    {
        if i > 0 {
            spans.push(Span::styled(" │ ", app.theme.dim()));
        }
        spans.push(Span::styled(txt, style));
    }
    f.render_widget(
        Paragraph::new(Line::from(spans)).style(app.theme.status_bar()),
        area,
    );
}
