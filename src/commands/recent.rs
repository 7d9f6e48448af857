//! `bmby-ghl recent [--since 2h] [--json]`: the contacts GHL changed since a time, newest
//! first, with what changed where the pulls recorded the earlier values (as the TUI's `U`;
//! [`crate::sync::recent`]). Reads the cache only: run `bmby-ghl sync` first to see the latest.

use color_eyre::eyre::Result;
use serde_json::json;

use super::{location, open_store};
use crate::config::{Paths, Settings};
use crate::sanitize::clean_line;
use crate::sync::recent::{changed_since, field_text, parse_since, RecentItem};

/// What `--since` is when not given: the last day (OUR CHOICE: the CLI has no session start).
pub(super) const DEFAULT_SINCE: &str = "1d";

fn item_json(i: &RecentItem) -> serde_json::Value {
    let iso = |t: Option<jiff::Timestamp>| t.map(crate::clock::iso_utc);
    json!({
        "id": i.contact_id,
        "name": i.name,
        "dateUpdated": iso(i.date_updated),
        "seenAt": iso(i.seen_at),
        "created": i.created,
        "known": i.known,
        "unshown": i.unshown,
        "fields": i.fields,
    })
}

/// Prints the list: a head line naming the time (Israel time) and the count, then per contact
/// its time, name and id, and each change on its own indented line. `--json`: `{locationId,
/// since, count, contacts: [{id, name, dateUpdated, seenAt, created, known, unshown, fields}]}` with
/// ISO 8601 times. A `--since` that is not a time: exit 2 with what is understood.
pub(super) fn recent_cmd(
    paths: &Paths,
    settings: &Settings,
    since: Option<&str>,
    as_json: bool,
) -> Result<i32> {
    let typed = since.unwrap_or(DEFAULT_SINCE);
    let now = jiff::Timestamp::now();
    let since = match parse_since(typed, now) {
        Ok(t) => t,
        Err(e) => {
            errln!("--since: {e}");
            return Ok(2);
        }
    };
    let loc = location(settings)?;
    let store = open_store(paths, &loc)?;
    let items = changed_since(&store.contact_list()?, &store.recent()?, since);
    if as_json {
        let doc = json!({
            "locationId": loc,
            "since": crate::clock::iso_utc(since),
            "count": items.len(),
            "contacts": items.iter().map(item_json).collect::<Vec<_>>(),
        });
        outln!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(0);
    }
    let users = crate::sync::ops::cached_users(&store);
    outln!(
        "{} contact{} changed in GHL since {} ({}), newest first:",
        items.len(),
        if items.len() == 1 { "" } else { "s" },
        crate::clock::human_labelled(since),
        clean_line(typed.trim()),
    );
    for i in &items {
        let when = i
            .when()
            .map(crate::clock::human)
            .unwrap_or_else(|| "?".to_owned());
        outln!("{when}  {}  ({})", clean_line(&i.name), i.contact_id);
        if i.created {
            outln!("    created");
        }
        for f in &i.fields {
            outln!("    {}", clean_line(&field_text(f, &users)));
        }
        if !i.known {
            outln!("    changed; earlier values not cached");
        } else if !i.created && i.fields.is_empty() && i.unshown {
            outln!("    changed a field bmby-ghl does not show");
        } else if !i.created && i.fields.is_empty() {
            outln!("    changed, and changed back");
        }
    }
    if items.is_empty() && store.meta("last_sync").is_none() {
        errln!("the cache is empty: run `bmby-ghl sync` first");
    } else {
        errln!(
            "from the cache as of the last pull ({}); `bmby-ghl sync` pulls what changed since",
            store
                .meta("last_sync")
                .and_then(|s| crate::clock::instant(&s))
                .map_or_else(|| "never".to_owned(), crate::clock::human_labelled)
        );
    }
    Ok(0)
}
