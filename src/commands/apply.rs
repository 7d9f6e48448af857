//! `bmby-ghl apply [--all | ID...] [--dry-run]`: send approved changes to GHL, and write-backs
//! to Bmby when a Bmby login (or lead password) is configured.

use color_eyre::eyre::{eyre, Result};
use serde_json::json;
use tokio::runtime::Runtime;

use super::{client, location, open_store};
use crate::config::{Paths, Settings};
use crate::domain::{ChangeKind, ChangeState, Target};
use crate::sync::{dispatch, review};

pub(super) fn apply_cmd(
    paths: &Paths,
    settings: &Settings,
    rt: &Runtime,
    all: bool,
    ids: &[u64],
    dry_run: bool,
    as_json: bool,
) -> Result<i32> {
    let loc = location(settings)?;
    // A location signed in without contacts.write cannot write: say so before anything is
    // sent (GHL would refuse every write with 401 and the changes would fail).
    let read_only = if settings.token.is_some() {
        None
    } else {
        super::token_store(settings)
            .ok()
            .and_then(|s| s.get(&loc).ok().flatten())
            .and_then(|e| e.read_only_reason())
    };
    if let (Some(why), false) = (&read_only, dry_run) {
        return Err(eyre!(
            "{loc} is read-only: {why}; nothing was sent (sign in again with `bmby-ghl auth login` without --read-only)"
        ));
    }
    if let Some(why) = &read_only {
        eprintln!("warning: {loc} is read-only ({why}): these requests would be refused");
    }
    let store = open_store(paths, &loc)?;
    let changes = store.changes()?;
    // What is selected: --all takes every pending (non-ambiguous) and queued change; ids name
    // changes that must be approved (or in flight, to finish them); nothing = everything queued.
    let mut selected = Vec::new();
    if !ids.is_empty() {
        for id in ids {
            let c = changes
                .iter()
                .find(|c| c.id == *id)
                .ok_or_else(|| eyre!("change {id} does not exist (see `bmby-ghl changes`)"))?;
            // Naming a change is the decision to send it: a pending, failed or conflicting one
            // is approved first (a conflict is rebased on GHL's current values).
            match c.state {
                s if s.is_queued() => {}
                ChangeState::Pending | ChangeState::Failed | ChangeState::Conflict => {
                    if !dry_run {
                        review::approve(&store, *id)?;
                    }
                }
                other => {
                    return Err(eyre!(
                        "change {id} is {}; only pending, approved, failed or conflicting changes can be sent",
                        other.label()
                    ))
                }
            }
            selected.push(c.id);
        }
    } else {
        for c in &changes {
            let pending_ok =
                all && c.state == ChangeState::Pending && c.kind != ChangeKind::Ambiguous;
            if c.state.is_queued() || pending_ok {
                selected.push(c.id);
            }
        }
    }
    if dry_run {
        let plans: Vec<_> = changes
            .iter()
            .filter(|c| selected.contains(&c.id))
            .map(|c| (c, dispatch::plan(c, &loc)))
            .collect();
        if as_json {
            let doc: Vec<_> = plans
                .iter()
                .map(|(c, p)| json!({ "change": c.id, "kind": c.kind, "target": c.target, "requests": p }))
                .collect();
            outln!(
                "{}",
                serde_json::to_string_pretty(&json!({ "dryRun": true, "changes": doc }))?
            );
            return Ok(0);
        }
        let base = settings.base_url.trim_end_matches('/');
        for (c, reqs) in &plans {
            outln!(
                "# change {} — {} {} ({})",
                c.id,
                c.describe(),
                c.display_name,
                c.state.label()
            );
            for r in reqs {
                if c.target == Target::Bmby {
                    outln!("{} {}", r.method, r.path);
                } else {
                    outln!("{} {base}{}", r.method, r.path);
                }
                for h in &r.headers {
                    outln!("{h}");
                }
                if let Some(b) = &r.body {
                    outln!("\n{}", serde_json::to_string_pretty(b)?);
                }
                outln!();
            }
        }
        if plans.is_empty() {
            eprintln!(
                "nothing to send: no change is approved{} (name changes by id to send them)",
                if all {
                    " or pending"
                } else {
                    " (--all approves the pending ones)"
                }
            );
        }
        return Ok(0);
    }
    if all {
        for id in &selected {
            if store
                .change(*id)?
                .is_some_and(|c| c.state == ChangeState::Pending)
            {
                review::approve(&store, *id)?;
            }
        }
    }
    let ghl = client(settings)?;
    let bmby = super::bmby_writeback_client(settings)?;
    let mut results = Vec::new();
    // A refused token stops the run (the rest would be refused too); what was done is still
    // reported before the error.
    let stopped = rt.block_on(async {
        for id in &selected {
            match dispatch::dispatch_one_with(&ghl, bmby.as_ref(), &store, *id).await {
                Ok(state) => results.push((*id, state)),
                Err(e @ dispatch::DispatchError::Unauthorized(_)) => {
                    results.push((*id, ChangeState::Approved));
                    return Ok(Some(e));
                }
                Err(e) => return Err(e),
            }
        }
        Ok::<_, dispatch::DispatchError>(None)
    })?;
    let mut out = Vec::new();
    for (id, state) in &results {
        let c = store.change(*id)?;
        let info = store.outbox_info(*id)?;
        out.push(json!({
            "change": id,
            "state": state.label(),
            "name": c.as_ref().map(|c| c.display_name.clone()),
            "contactId": info.contact_id,
            "error": info.last_error,
            "droppedFields": info.dropped_fields,
        }));
        // A create held back because it matches an existing contact: back in review, say why.
        let held = c
            .as_ref()
            .and_then(|c| c.matched.as_ref())
            .filter(|_| *state == ChangeState::Pending)
            .map(|m| format!(" — held for review: {}", m.describe()));
        if !as_json {
            let mut line = format!(
                "#{id} {} {}",
                state.label(),
                c.map(|c| c.display_name).unwrap_or_default()
            );
            if let Some(cid) = &info.contact_id {
                line.push_str(&format!(" ({cid})"));
            }
            if !info.dropped_fields.is_empty() {
                line.push_str(&format!(
                    " — GHL did not store: {}",
                    info.dropped_fields.join(", ")
                ));
            }
            if let Some(h) = &held {
                line.push_str(h);
            }
            // A change still approved waits (a Bmby write-back without a login, or trouble on
            // the way that the next run retries): say why.
            if matches!(
                state,
                ChangeState::Failed
                    | ChangeState::Conflict
                    | ChangeState::InFlight
                    | ChangeState::Approved
            ) {
                if let Some(e) = &info.last_error {
                    line.push_str(&format!(" — {e}"));
                }
            }
            outln!("{line}");
        }
    }
    let count = |s: ChangeState| results.iter().filter(|(_, x)| *x == s).count();
    if as_json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&json!({ "results": out }))?
        );
    } else {
        let n =
            |k: usize, one: &str, many: &str| format!("{k} {}", if k == 1 { one } else { many });
        outln!(
            "{} applied, {} failed, {}, {} still in flight, {} still approved (not sent yet){}",
            count(ChangeState::Applied),
            count(ChangeState::Failed),
            n(count(ChangeState::Conflict), "conflict", "conflicts"),
            count(ChangeState::InFlight),
            count(ChangeState::Approved),
            if selected.len() > results.len() {
                format!(", {} not tried", selected.len() - results.len())
            } else {
                String::new()
            }
        );
    }
    if let Some(e) = stopped {
        return Err(e.into());
    }
    Ok(
        if count(ChangeState::Failed)
            + count(ChangeState::Conflict)
            + count(ChangeState::InFlight)
            + count(ChangeState::Approved)
            > 0
        {
            2
        } else {
            0
        },
    )
}

/// `bmby-ghl approve ID…` / `reject ID…`: review from the command line (the TUI's `a` and `x`).
/// Every id is tried; each line says what became of it. Exit 1 when any was refused.
pub(super) fn review_cmd(
    paths: &Paths,
    settings: &Settings,
    ids: &[u64],
    approve: bool,
) -> Result<i32> {
    let loc = location(settings)?;
    let store = open_store(paths, &loc)?;
    let mut refused = 0;
    for id in ids {
        let r = if approve {
            review::approve(&store, *id)
        } else {
            review::reject(&store, *id)
        };
        match r {
            Ok(c) => outln!(
                "#{id} {} {} ({})",
                c.state.label(),
                crate::sanitize::clean_line(&c.display_name),
                c.describe()
            ),
            Err(e) => {
                refused += 1;
                eprintln!("#{id}: {e}");
            }
        }
    }
    if approve && refused < ids.len() {
        outln!("send them with `bmby-ghl apply`");
    }
    Ok(if refused > 0 { 1 } else { 0 })
}
