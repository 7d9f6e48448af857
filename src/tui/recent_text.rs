//! The text of the recent-changes list ([`super::recent`]), built and measured without
//! drawing: the title, one line per contact (`14:03 Dana Levi — email a@x → b@x, tags +vip`,
//! cut with `…` to the width), and below them what changed of the selected contact, field by
//! field, wrapped. Times are Israel time ([`crate::clock`]); owner ids read as names
//! ([`App::users`]); every piece of data is cleaned. The update side takes its page size from
//! [`list_rows`]; the renderer ([`super::recent_view`]) styles and draws the lines.

use jiff::Timestamp;

use super::app::App;
use super::look::{Look, TextLine};
use super::recent::RecentView;
use super::text;
use crate::sync::recent::{change_text, summary, RecentItem};

/// Columns of a field's label in the detail part.
const LABEL: usize = 12;

/// Where the list's parts go inside its frame of `w` x `h` cells (the main area: the screen
/// without the status bar and the key hints).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Geometry {
    /// Inside the frame.
    pub inner_w: usize,
    pub inner_h: usize,
    /// Lines of contacts.
    pub list: usize,
    /// Lines of the selected contact's detail (its rule included); 0 when the frame is short.
    pub detail: usize,
}

/// The parts for a frame of `w` x `h`: a third of the inside (3 to 12 lines) for the detail,
/// the rest for the list; no detail below 9 lines inside.
pub fn geometry(w: u16, h: u16) -> Geometry {
    let inner_w = w.saturating_sub(2) as usize;
    let inner_h = h.saturating_sub(2) as usize;
    let detail = if inner_h < 9 {
        0
    } else {
        (inner_h / 3).clamp(3, 12)
    };
    Geometry {
        inner_w,
        inner_h,
        list: inner_h.saturating_sub(detail).max(1),
        detail,
    }
}

/// Lines of contacts in a frame of `w` x `h` (the update side's page).
pub fn list_rows(w: u16, h: u16) -> usize {
    geometry(w, h).list
}

/// `14:00` when `since` is today in Israel, else `2026-12-02 12:00`.
pub fn since_text(since: Timestamp, now: Timestamp) -> String {
    let tz = crate::clock::israel().clone();
    if since.to_zoned(tz.clone()).date() == now.to_zoned(tz).date() {
        crate::clock::short(since, now)
    } else {
        crate::clock::human(since)
    }
}

/// `since 14:00 (session start)`, `since 2026-12-02 12:00 (1d)`; `long` says `Israel time`
/// and `this session opened`.
fn since_phrase(v: &RecentView, now: Timestamp, long: bool) -> String {
    let how = match (&v.asked, long) {
        (Some(a), _) => text::clean(a),
        (None, true) => "this session opened".to_owned(),
        (None, false) => "session start".to_owned(),
    };
    let zone = if long { " Israel time" } else { "" };
    format!("since {}{zone} ({how})", since_text(v.since, now))
}

/// The frame's title for `w` cells: `GHL changes since 14:00 (session start) · 3 contacts,
/// newest first`, then `· Israel time` where it fits (the detail below says it too).
pub fn title(app: &App, v: &RecentView, w: usize) -> String {
    let mut t = format!("GHL changes {}", since_phrase(v, app.now(), false));
    if v.loaded {
        let n = v.items.len();
        t.push_str(&format!(
            " · {n} contact{}, newest first",
            if n == 1 { "" } else { "s" }
        ));
    }
    if v.loading && v.loaded {
        t.push_str(" (reading…)");
    }
    let zone = " · Israel time";
    if text::width(&t) + text::width(zone) <= w {
        t.push_str(zone);
    }
    t
}

/// The pieces cut to `w` cells in all (the last one cut shows `…`).
fn cut(pieces: Vec<(String, Look)>, w: usize) -> Vec<(String, Look)> {
    let mut out = Vec::new();
    let mut room = w;
    for (s, look) in pieces {
        if room == 0 {
            break;
        }
        let sw = text::width(&s);
        if sw <= room {
            room -= sw;
            out.push((s, look));
        } else {
            out.push((text::truncate(&s, room), look));
            room = 0;
        }
    }
    out
}

/// An item's time in the list: GHL's `dateUpdated` (else when a pull saw it), short.
fn when(item: &RecentItem, now: Timestamp) -> String {
    item.when()
        .map(|t| crate::clock::short(t, now))
        .unwrap_or_else(|| "?".to_owned())
}

/// The lines of the contacts in the window (`v.sel.offset`, at most `rows`), `w` cells wide.
pub fn list_lines(app: &App, v: &RecentView, w: usize, rows: usize) -> Vec<TextLine> {
    let now = app.now();
    let tw = v
        .items
        .iter()
        .map(|i| text::width(&when(i, now)))
        .max()
        .unwrap_or(0);
    let name_max = (w / 3).max(12);
    v.items
        .iter()
        .enumerate()
        .skip(v.sel.offset)
        .take(rows)
        .map(|(i, item)| {
            let selected = i == v.sel.pos;
            let name = text::truncate(&text::clean(&item.name), name_max);
            let what = text::clean(&summary(item, &app.users));
            let (marker, time, name_look, what_look) = if selected {
                ("> ", Look::Selected, Look::Selected, Look::Selected)
            } else {
                let what_look = if item.known { Look::Plain } else { Look::Dim };
                ("  ", Look::Dim, Look::Bold, what_look)
            };
            let marker_look = if selected {
                Look::Selected
            } else {
                Look::Plain
            };
            let pieces = vec![
                (marker.to_owned(), marker_look),
                (text::fit(&when(item, now), tw), time),
                (" ".to_owned(), marker_look),
                (name, name_look),
                (
                    " — ".to_owned(),
                    if selected { Look::Selected } else { Look::Dim },
                ),
                (what, what_look),
            ];
            let mut pieces = cut(pieces, w);
            if selected {
                // The selection bar runs the whole width.
                let used: usize = pieces.iter().map(|(s, _)| text::width(s)).sum();
                pieces.push((" ".repeat(w.saturating_sub(used)), Look::Selected));
            }
            TextLine::Pieces(pieces)
        })
        .collect()
}

/// `text` wrapped to `w` with a label of `lw` columns before its first line and as many spaces
/// before the others.
fn labelled(out: &mut Vec<TextLine>, label: &str, value: &str, look: Look, lw: usize, w: usize) {
    let lines = text::wrap(value, w.saturating_sub(lw).max(2));
    for (k, l) in lines.into_iter().enumerate() {
        let head = if k == 0 {
            // A space always follows the label.
            (
                text::fit(&text::truncate(label, lw.saturating_sub(1)), lw),
                Look::Label,
            )
        } else {
            (" ".repeat(lw), Look::Plain)
        };
        out.push(TextLine::Pieces(vec![head, (l, look)]));
    }
}

/// What changed of `item`, `w` cells wide: a rule with its name and when GHL changed it
/// (Israel time, said), its id and when a pull saw it, then one entry per field
/// (`Email       a@x → b@x`), wrapped.
pub fn detail_lines(app: &App, item: &RecentItem, w: usize) -> Vec<TextLine> {
    let now = app.now();
    let when = item
        .date_updated
        .map(|t| {
            format!(
                " · updated {} {}",
                crate::clock::human(t),
                crate::clock::ISRAEL
            )
        })
        .unwrap_or_default();
    let name = text::truncate(
        &text::clean(&item.name),
        w.saturating_sub(4 + text::width(&when)).max(8),
    );
    let head = text::truncate(&format!("── {name}{when} "), w);
    let rule = "─".repeat(w.saturating_sub(text::width(&head)));
    let mut out = vec![TextLine::whole(format!("{head}{rule}"), Look::Header)];
    let mut facts = vec![format!("id {}", text::clean(&item.contact_id))];
    if let Some(t) = item.seen_at {
        let how = if item.from_webhook {
            "updated from GHL"
        } else if item.sent {
            "sent by bmby-ghl"
        } else {
            "pulled"
        };
        facts.push(format!("{how} {}", since_text(t, now)));
    }
    for l in text::wrap(&facts.join(" · "), w.max(2)) {
        out.push(TextLine::whole(l, Look::Dim));
    }
    // The label column fits the longest field name (at least [`LABEL`], at most a third).
    let lw = item
        .fields
        .iter()
        .map(|f| text::width(&text::clean(&f.label)) + 1)
        .max()
        .unwrap_or(0)
        .max(LABEL)
        .min(w / 3);
    if item.created {
        labelled(
            &mut out,
            "Created",
            "new in GHL (the cache did not have it)",
            Look::Added,
            lw,
            w,
        );
    }
    if !item.known {
        for l in text::wrap(
            "What changed is not known: the cache had not recorded its earlier values (pulls record them while bmby-ghl runs).",
            w.max(2),
        ) {
            out.push(TextLine::whole(l, Look::Dim));
        }
    } else if item.fields.is_empty() && !item.created && item.unshown {
        for l in text::wrap(
            "GHL changed a field bmby-ghl does not show (a phone's label, an attribution, …).",
            w.max(2),
        ) {
            out.push(TextLine::whole(l, Look::Dim));
        }
    } else if item.fields.is_empty() && !item.created {
        out.push(TextLine::whole("Changed, and changed back.", Look::Dim));
    }
    for f in &item.fields {
        let value = text::clean(&change_text(f, &app.users));
        labelled(&mut out, &text::clean(&f.label), &value, Look::Plain, lw, w);
    }
    out
}

/// What the list says when it has no contact: since when it looked, and how to look further.
pub fn empty_lines(app: &App, v: &RecentView, w: usize) -> Vec<TextLine> {
    let mut out = Vec::new();
    let msg = if !v.loaded {
        "Reading the cache…".to_owned()
    } else {
        format!(
            "No contact changed in GHL {}. Pulls record what GHL changes while bmby-ghl runs; r pulls now, and :recent 1d (or 2h, 2026-12-01) looks further back.",
            since_phrase(v, app.now(), true)
        )
    };
    for l in text::wrap(&msg, w.max(2)) {
        out.push(TextLine::whole(l, Look::Dim));
    }
    out
}

/// Every line inside the frame of `w` x `h` (`h` the main area's height): an error first,
/// then the contacts (or the empty message), then the selected contact's detail: after a blank
/// line below a list shorter than its page, else in the bottom [`Geometry::detail`] lines.
pub fn lines(app: &App, v: &RecentView, w: u16, h: u16) -> Vec<TextLine> {
    let g = geometry(w, h);
    let mut out = Vec::new();
    if let Some(e) = &v.error {
        for l in text::wrap(
            &format!("! reading the recent changes: {}", text::clean(e)),
            g.inner_w.max(2),
        ) {
            out.push(TextLine::whole(l, Look::Error));
        }
    }
    if v.items.is_empty() {
        out.extend(empty_lines(app, v, g.inner_w));
        out.truncate(g.inner_h);
        return out;
    }
    let rows = g.list.saturating_sub(out.len()).max(1);
    out.extend(list_lines(app, v, g.inner_w, rows));
    if g.detail > 0 {
        if let Some(item) = v.items.get(v.sel.pos) {
            if out.len() < g.inner_h - g.detail {
                out.push(TextLine::raw(""));
            }
            let room = g.inner_h.saturating_sub(out.len());
            let mut d = detail_lines(app, item, g.inner_w);
            if d.len() > room {
                d.truncate(room.saturating_sub(1));
                d.push(TextLine::whole(
                    "… (bmby-ghl recent shows every field)",
                    Look::Dim,
                ));
            }
            out.extend(d);
        }
    }
    out.truncate(g.inner_h);
    out
}
