//! `bmby-ghl journal` (the writes sent, with who and each field before → after) and
//! `bmby-ghl revert JOURNAL_ID` (propose the inverse of one as a pending change).

use color_eyre::eyre::Result;
use serde_json::json;

use super::{location, open_store};
use crate::config::{Paths, Settings};
use crate::sync::journal as jtext;
use crate::sync::revert::{self, RevertError};

/// Prints the journal, oldest first: per entry its head line, then (indented) who it was about
/// and each field `before → after` (Israel time; owners and assignees by name). `--json`: `{locationId, journal: [...]}`
/// with ISO 8601 times.
pub(super) fn journal_cmd(paths: &Paths, settings: &Settings, as_json: bool) -> Result<i32> {
    let loc = location(settings)?;
    let store = open_store(paths, &loc)?;
    let journal = store.journal()?;
    if as_json {
        let doc = json!({ "locationId": loc, "journal": journal });
        outln!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(0);
    }
    if journal.is_empty() {
        errln!("nothing sent yet (approve changes, then `bmby-ghl apply`)");
    }
    // Owners and assignees by name (the journal itself keeps the ids, for reverts).
    let users = crate::sync::ops::cached_users(&store);
    for e in &journal {
        let named = crate::domain::people::named_entry(&users, e);
        for (i, l) in jtext::entry_lines(&named).into_iter().enumerate() {
            outln!("{}{l}", if i == 0 { "" } else { "    " });
        }
        if let Some(why) = revert::why_not(e) {
            outln!("    (no revert: {why})");
        }
    }
    if !journal.is_empty() {
        outln!("Times are {} (Asia/Jerusalem).", crate::clock::ISRAEL);
    }
    Ok(0)
}

/// Proposes the revert of journal entry `seq`; prints `proposed change #N …` and its diff
/// (`--json`: `{locationId, journalId, change}`). Exit 1 with the reason when it cannot be
/// reverted.
pub(super) fn revert_cmd(
    paths: &Paths,
    settings: &Settings,
    seq: u64,
    as_json: bool,
) -> Result<i32> {
    let loc = location(settings)?;
    let store = open_store(paths, &loc)?;
    let c = match revert::propose(&store, seq) {
        Ok(c) => c,
        Err(e @ RevertError::Store(_)) => return Err(e.into()),
        Err(e) => {
            errln!("{e}");
            return Ok(1);
        }
    };
    if as_json {
        let doc = json!({ "locationId": loc, "journalId": seq, "change": c });
        outln!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(0);
    }
    let clean = crate::sanitize::clean_line;
    outln!(
        "proposed change #{} ({}, pending): {} {}{}",
        c.id,
        revert::origin(seq),
        c.describe(),
        clean(&c.display_name),
        c.contact_id
            .as_ref()
            .map(|i| format!(" ({i})"))
            .unwrap_or_default()
    );
    for f in &c.fields {
        let v = |v: &Option<String>| jtext::shown(v.as_deref());
        outln!(
            "    {}: {} → {}",
            clean(&f.label),
            v(&f.ghl_now),
            v(&f.proposed)
        );
    }
    for w in &c.warnings {
        outln!("    ! {}", clean(w));
    }
    outln!(
        "review it, then `bmby-ghl approve {}` and `bmby-ghl apply`",
        c.id
    );
    Ok(0)
}
