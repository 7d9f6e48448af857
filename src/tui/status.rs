//! The status bar: location, cache age, sync progress, API budget, retries, errors.
//!
//! Order (what matters first, as the bar is cut at the right edge): the location (always
//! there: shortened to its name, then cut, never dropped), `offline`, an error, the sync state
//! (`synced 3 min ago`, or `last sync failed 12:03` in Israel time after a failed pull), then
//! the counters, progress, budget and the messages (a pinned notice, the user's own news,
//! routine news). When it does not fit, one rule reads the messages' priorities
//! (`status_msgs::Priority`): see [`fitted_segments`].

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::action::Action;
use super::app::App;
use super::keymap::Context;
use super::status_msgs::Priority;
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

/// What a segment of the bar is, for the fitting rule: a message (with its priority), the
/// cache's age, or the rest (the location, `offline`, counters, progress: never dropped).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Label,
    Fixed,
    /// The review counts: compact, then tiny (`41p 1●`), then hidden while a message shows.
    Counts,
    /// The API budget (`API 95/100`): hidden whole when the room is needed, never cut.
    Budget,
    Age,
    Message(Priority),
}

/// The segments, in display order: (text, style).
pub fn segments(app: &App) -> Vec<(String, Style)> {
    segments_with(app, false)
        .into_iter()
        .map(|(t, st, _)| (t, st))
        .collect()
}

/// A message as the bar says it: sanitized, and without a leading `offline: ` when the bar
/// already says `offline` (every piece is said once).
fn said_once(app: &App, m: &str) -> String {
    let m = text::clean(m);
    if !app.online {
        if let Some(rest) = m.strip_prefix("offline: ") {
            return rest.to_owned();
        }
    }
    m
}

fn segments_with(app: &App, compact: bool) -> Vec<(String, Style, Kind)> {
    let t = &app.theme;
    let s = &app.status;
    let mut out = vec![(
        text::truncate(&text::clean(&app.location_label), 28),
        Style::new(),
        Kind::Label,
    )];
    // Offline and an error come before the counters: they say the rest may be stale.
    if !app.online {
        out.push(("offline".into(), t.warn(), Kind::Fixed));
    }
    if let Some(e) = &s.error {
        out.push((
            format!("! {}", said_once(app, e)),
            t.error(),
            Kind::Message(Priority::Error),
        ));
    }
    if s.pull_failed_at.is_some() {
        out.push((sync_text(app), t.warn(), Kind::Fixed));
    } else {
        out.push((sync_text(app), t.dim(), Kind::Age));
    }
    if let Some(a) = super::locations::status_text(app) {
        out.push((a, t.warn(), Kind::Fixed));
    }
    if let Some(d) = &s.dispatch {
        let style = if d.failed + d.conflicts > 0 {
            t.warn()
        } else {
            t.ok()
        };
        out.push((dispatch_text(d), style, Kind::Fixed));
    }
    let c = app.changes.counts;
    let pending_style = if c.pending + c.failed + c.conflict > 0 {
        t.warn()
    } else {
        Style::new()
    };
    out.push((counts_text(app, compact), pending_style, Kind::Counts));
    if app.changes.in_flight > 0 {
        out.push(("saving…".into(), t.warn(), Kind::Fixed));
    }
    if let Some(p) = s.pull {
        let kind = if p.full { "full pull" } else { "pulling" };
        let txt = match p.total {
            Some(total) => format!("{kind} {}/{}", p.fetched, total),
            None => format!("{kind} {}", p.fetched),
        };
        out.push((txt, t.ok(), Kind::Fixed));
    }
    if s.busy {
        out.push(("busy".into(), t.warn(), Kind::Fixed));
    }
    if let Some(r) = &s.retry {
        out.push((text::clean(r), t.warn(), Kind::Message(Priority::Retry)));
    }
    if let Some(b) = &s.rate {
        if let (Some(rem), Some(max)) = (b.remaining, b.max) {
            let style = if rem * 10 < max { t.warn() } else { t.dim() };
            out.push((format!("API {rem}/{max}"), style, Kind::Budget));
        }
    }
    // Each message once: a notice repeated as info or news is said as the notice.
    let pinned = s.pinned.as_deref().map(|p| said_once(app, p));
    if let Some(p) = &pinned {
        out.push((p.clone(), Style::new(), Kind::Message(Priority::Pinned)));
    }
    for (m, prio) in [(&s.info, Priority::Own), (&s.news, Priority::Routine)] {
        let Some(m) = m.as_deref().map(|m| said_once(app, m)) else {
            continue;
        };
        if out
            .iter()
            .any(|(t, _, k)| *t == m && matches!(k, Kind::Message(_)))
        {
            continue;
        }
        out.push((m, Style::new(), Kind::Message(prio)));
    }
    out
}

fn total_width<T>(segs: &[(String, Style, T)]) -> usize {
    segs.iter().map(|(t, _, _)| text::width(t)).sum::<usize>() + 3 * segs.len().saturating_sub(1)
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

/// What gives way first when the bar is too narrow, lowest first: routine news, a retry
/// notice, the cache's age (a failed sync is not age: it stays), a pinned notice, the user's
/// own news. An error is never dropped.
fn drop_rank(k: Kind) -> Option<u8> {
    match k {
        Kind::Message(Priority::Routine) => Some(0),
        Kind::Message(Priority::Retry) => Some(1),
        Kind::Age => Some(2),
        Kind::Message(Priority::Pinned) => Some(3),
        Kind::Message(Priority::Own) => Some(4),
        Kind::Message(Priority::Error)
        | Kind::Label
        | Kind::Fixed
        | Kind::Counts
        | Kind::Budget => None,
    }
}

/// The segments fitted to `width`, by one rule (see `status_msgs`): compact counts, then a
/// shorter location label (its name without the id, then cut, never gone), then the least
/// important pieces give way whole (lowest [`drop_rank`] first) while the most important
/// message present stays; then the counters shrink to `41p 1●` and the budget, the counters
/// and the other fixed pieces (not `offline`) give way whole until an error or the user's own
/// news fits whole (routine news, a retry or a notice: [`NEWS_ROOM`] columns); last that message is cut, ending
/// `… (m)`. A number is never cut: the line is never wider than `width`.
pub fn fitted_segments(app: &App, width: usize) -> Vec<(String, Style)> {
    let full = segments_with(app, false);
    if total_width(&full) <= width {
        return full.into_iter().map(|(t, st, _)| (t, st)).collect();
    }
    let mut segs = segments_with(app, true);
    let over = total_width(&segs).saturating_sub(width);
    if over > 0 && segs.len() > 1 {
        let label = text::clean(&app.location_label);
        let name = label_name(&label);
        let label_w = text::width(&segs[0].0);
        let keep = label_w.saturating_sub(over).max(LABEL_MIN);
        segs[0].0 = if text::width(name) <= keep {
            name.to_owned()
        } else {
            text::truncate(name, keep)
        };
    }
    // The most important message present is never dropped (the first of equals).
    let top: Option<(String, Kind)> = segs
        .iter()
        .enumerate()
        .filter_map(|(i, (t, _, k))| match k {
            Kind::Message(p) => Some((*p, std::cmp::Reverse(i), t.clone(), *k)),
            _ => None,
        })
        .max_by_key(|(p, i, _, _)| (*p, *i))
        .map(|(_, _, t, k)| (t, k));
    let is_top = |t: &String, k: &Kind| top.as_ref().is_some_and(|(tt, tk)| tt == t && tk == k);
    while total_width(&segs) > width {
        let lowest = segs
            .iter()
            .enumerate()
            .filter(|(_, (t, _, k))| !is_top(t, k))
            .filter_map(|(i, (_, _, k))| drop_rank(*k).map(|r| (r, i)))
            .min();
        let Some((_, i)) = lowest else { break };
        segs.remove(i);
    }
    // An error or the news of the user's own action is wanted whole (the user's own news when
    // hiding the rest is enough, else [`MESSAGE_ROOM`] columns); routine news (a pull's summary
    // every few seconds), a retry or a pinned notice only [`NEWS_ROOM`]: it takes what is
    // left and is cut, so the counters do not shrink and grow back with every pull.
    let droppable = |t: &str, k: Kind| {
        matches!(k, Kind::Budget | Kind::Counts) || (k == Kind::Fixed && t != "offline")
    };
    let least = total_width(
        &segs
            .iter()
            .filter(|(t, _, k)| !droppable(t, *k))
            .cloned()
            .collect::<Vec<_>>(),
    );
    let top_w = top.as_ref().map_or(0, |(t, k)| match k {
        Kind::Message(Priority::Error) => text::width(t),
        Kind::Message(Priority::Own) if least <= width => text::width(t),
        Kind::Message(Priority::Own) => text::width(t).min(MESSAGE_ROOM),
        _ => text::width(t).min(NEWS_ROOM),
    });
    let wanted = |segs: &[(String, Style, Kind)]| {
        let full = top.as_ref().map_or(0, |(t, _)| text::width(t));
        total_width(segs) - full + top_w
    };
    // Still too wide: the counters in their tiny form, then whole segments give way (the
    // budget, the counters, the rest from the right; `offline` stays): a number is never cut.
    if wanted(&segs) > width {
        if let Some(seg) = segs.iter_mut().find(|s| s.2 == Kind::Counts) {
            seg.0 = tiny_counts_text(app);
        }
    }
    while wanted(&segs) > width {
        let victim = segs
            .iter()
            .enumerate()
            .filter(|(_, (t, _, k))| !is_top(t, k))
            .filter_map(|(i, (t, _, k))| {
                if !droppable(t, *k) {
                    return None;
                }
                let rank = match k {
                    Kind::Budget => 0,
                    Kind::Counts => 1,
                    _ => 2,
                };
                Some((rank, std::cmp::Reverse(i)))
            })
            .min();
        let Some((_, std::cmp::Reverse(i))) = victim else {
            break;
        };
        segs.remove(i);
    }
    let mut segs: Vec<(String, Style)> = segs.into_iter().map(|(t, st, _)| (t, st)).collect();
    if let Some((t, _)) = &top {
        cut_message(app, &mut segs, t, width);
    }
    // Narrower than the location and the shortest message: the line ends with `…`.
    let total = |segs: &[(String, Style)]| {
        segs.iter().map(|(t, _)| text::width(t)).sum::<usize>() + 3 * segs.len().saturating_sub(1)
    };
    if total(&segs) > width {
        let over = total(&segs) - width;
        if let Some(last) = segs.last_mut() {
            let keep = text::width(&last.0).saturating_sub(over).max(1);
            last.0 = text::truncate(&last.0, keep);
        }
    }
    segs
}

/// The columns the user's own news keeps when hiding the counters and the rest is not enough to
/// show it whole (OUR CHOICE: enough for its gist at 60 columns next to the location and tiny
/// counters; an error is wanted whole).
const MESSAGE_ROOM: usize = 32;

/// The columns routine news, a retry or a pinned notice keeps before the counters shrink: its
/// first words and `… (m)` (OUR CHOICE: at 80 columns the full counters and the budget stay).
const NEWS_ROOM: usize = 14;

/// The review counts in the fewest columns, for a narrow bar: `41p` (pending) and the others
/// only when there are some (`2✓ 1✗ 1● 1! 1⚠ 1–`); as [`counts_text`] when there are none.
pub fn tiny_counts_text(app: &App) -> String {
    let c = app.changes.counts;
    if !app.changes.loaded || c.total() == 0 {
        return counts_text(app, true);
    }
    let mut out = format!("{}p", c.pending);
    for (n, sym) in [
        (c.approved, "✓"),
        (c.rejected, "✗"),
        (c.withdrawn, "–"),
        (c.failed, "!"),
        (c.conflict, "⚠"),
        (c.applied, "●"),
    ] {
        if n > 0 {
            out.push_str(&format!(" {n}{sym}"));
        }
    }
    out
}

/// Still too wide: cut the message `which` to fit, ending with `… (m)` (the key that shows it
/// in full); at least a few characters of it stay.
fn cut_message(app: &App, segs: &mut [(String, Style)], which: &str, width: usize) {
    let over =
        segs.iter().map(|(t, _)| text::width(t)).sum::<usize>() + 3 * segs.len().saturating_sub(1);
    let over = over.saturating_sub(width);
    if over == 0 {
        return;
    }
    let Some(seg) = segs.iter_mut().find(|(t, _)| t == which) else {
        return;
    };
    let key = app
        .keymap
        .keys_for(&[Context::Global], Action::MessagesOpen)
        .first()
        .map(|k| k.to_string());
    let hint = match &key {
        Some(k) => format!(" ({k})"),
        None => String::new(),
    };
    let w = text::width(&seg.0);
    let keep = w.saturating_sub(over + text::width(&hint)).max(8);
    if keep + text::width(&hint) >= w {
        return;
    }
    seg.0 = format!("{}{hint}", text::truncate(&seg.0, keep));
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
