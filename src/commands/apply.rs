//! `bmby-ghl apply [--all | ID...] [--dry-run]`: send approved changes to GHL, and write-backs
//! to Bmby when a Bmby login (or lead password) is configured.

use std::io::{IsTerminal as _, Write as _};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::Arc;

use color_eyre::eyre::{eyre, Result};
use serde_json::json;
use tokio::runtime::Runtime;

use super::apply_report::{change_line, id_list, Progress};
use super::{client, location, open_store};
use crate::config::{Paths, Settings};
use crate::domain::{ChangeKind, ChangeState, Target};
use crate::sync::{dispatch, dispatch_run, review};

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
        errln!("warning: {loc} is read-only ({why}): these requests would be refused");
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
            errln!(
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
    if selected.is_empty() {
        nothing_approved(&changes, all, as_json)?;
        return Ok(0);
    }
    let ghl = client(settings)?;
    let bmby = super::bmby_writeback_client(settings)?;
    send(&store, &ghl, bmby.as_ref(), rt, &selected, as_json)
}

/// The changes that wait for a person besides the pending ones, said with how to see and
/// send them: `2 change(s) are in conflict with GHL (see them with `bmby-ghl changes --state
/// conflict`; `bmby-ghl apply ID` sends one as proposed)`, the failed ones likewise; empty when
/// there are none.
fn settle_first(changes: &[crate::domain::Change]) -> String {
    let count = |st: ChangeState| changes.iter().filter(|c| c.state == st).count();
    let mut parts = Vec::new();
    for (st, what) in [
        (ChangeState::Conflict, "are in conflict with GHL"),
        (ChangeState::Failed, "failed"),
    ] {
        let n = count(st);
        if n > 0 {
            parts.push(format!(
                "{n} change(s) {what} (see them with `bmby-ghl changes --state {}`; `bmby-ghl \
                 apply ID` sends one as proposed, or `bmby-ghl reject ID` drops it)",
                st.label()
            ));
        }
    }
    parts.join("; ")
}

/// `apply` found nothing to send: say so on stderr, and how to approve (`--json`: an empty
/// result document on stdout as well).
fn nothing_approved(changes: &[crate::domain::Change], all: bool, as_json: bool) -> Result<()> {
    let pending = changes
        .iter()
        .filter(|c| c.state == ChangeState::Pending)
        .count();
    let settle = settle_first(changes);
    let how = if pending == 0 && !settle.is_empty() {
        format!("no change is pending review either; {settle}")
    } else if pending == 0 {
        "no change is pending review either (import a Bmby export with `bmby-ghl import FILE`, or `bmby-ghl bmby pull`)".to_owned()
    } else if all {
        format!("the {pending} pending change(s) are ambiguous: choose a contact for each first (`bmby-ghl changes --state pending`)")
    } else {
        format!(
            "{pending} change(s) wait for review: approve them with `bmby-ghl approve ID…` \
             (see `bmby-ghl changes --state pending`) or in the TUI (`c`, then `a`), or send \
             every pending one with `bmby-ghl apply --all`"
        )
    };
    if pending > 0 && !settle.is_empty() {
        errln!("nothing to send: no change is approved; {how}; {settle}");
    } else {
        errln!("nothing to send: no change is approved; {how}");
    }
    if as_json {
        outln!(
            "{}",
            serde_json::to_string_pretty(
                &json!({ "results": [], "stopped": false, "notTried": [] })
            )?
        );
    }
    Ok(())
}

/// Sends `selected` one by one, printing a line per change as it lands and a progress line on a
/// terminal's stderr; Ctrl-C or SIGTERM stops the run after the change in flight. Exit code 2
/// when something failed, conflicted or still waits (including changes a stop left unsent).
pub(super) fn send(
    store: &crate::store::Store,
    ghl: &crate::ghl::GhlClient,
    bmby: Option<&crate::bmby::soap::BmbySoapClient>,
    rt: &Runtime,
    selected: &[u64],
    as_json: bool,
) -> Result<i32> {
    let stop = Arc::new(AtomicBool::new(false));
    let why = Arc::new(AtomicU8::new(0));
    let mut progress = Progress::new(selected.len());
    let mut out = Vec::new();
    let mut write_err = None;
    let run = rt.block_on(async {
        let _listener = stop_on_signals(stop.clone(), why.clone())?;
        progress.draw();
        dispatch_run::dispatch_each(ghl, bmby, store, selected, &stop, |c, state| {
            let info = store.outbox_info(c.id).unwrap_or_default();
            out.push(json!({
                "change": c.id,
                "state": state.label(),
                "kind": c.kind,
                "what": c.describe(),
                "name": c.display_name,
                "contactId": info.contact_id,
                "error": info.last_error,
                "droppedFields": info.dropped_fields,
            }));
            progress.landed(state);
            if let Some(w) = signal_name(why.load(Ordering::SeqCst)) {
                progress.stopping(w);
            }
            if !as_json && write_err.is_none() {
                progress.clear();
                let mut o = super::out::stdout();
                if let Err(e) = writeln!(o, "{}", change_line(c, state, &info)) {
                    // A closed stdout: stop sending (nobody sees the outcome) after this one.
                    write_err = Some(e);
                    stop.store(true, Ordering::SeqCst);
                }
            }
            progress.draw();
        })
        .await
        .map_err(color_eyre::Report::from)
    })?;
    progress.clear();
    if let Some(e) = write_err {
        return Err(e.into());
    }
    let count = |s| run.count(s);
    let ids_in = |s| -> Vec<u64> {
        run.done
            .iter()
            .filter(|(_, x)| *x == s)
            .map(|(i, _)| *i)
            .collect()
    };
    let waiting = count(ChangeState::Approved) + count(ChangeState::InFlight) + run.not_tried.len();
    let stopped_by = run
        .stopped
        .then(|| signal_name(why.load(Ordering::SeqCst)).unwrap_or("a stop"));
    if as_json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "results": out,
                "stopped": run.stopped,
                "stoppedBy": stopped_by,
                "notTried": run.not_tried,
            }))?
        );
    } else {
        if let Some(by) = stopped_by {
            outln!(
                "stopped by {by} after the change in flight: sent {} of {}",
                run.done.len(),
                selected.len()
            );
        }
        let n =
            |k: usize, one: &str, many: &str| format!("{k} {}", if k == 1 { one } else { many });
        outln!(
            "{} applied, {} failed, {}, {} still in flight, {} still approved (not sent yet){}",
            count(ChangeState::Applied),
            count(ChangeState::Failed),
            n(count(ChangeState::Conflict), "conflict", "conflicts"),
            count(ChangeState::InFlight),
            count(ChangeState::Approved),
            if run.not_tried.is_empty() {
                String::new()
            } else {
                format!(", {} not tried", run.not_tried.len())
            }
        );
        for (what, s) in [
            ("failed", ChangeState::Failed),
            ("conflicts", ChangeState::Conflict),
            (
                "held for review (a create matching an existing contact; see `bmby-ghl changes`)",
                ChangeState::Pending,
            ),
        ] {
            let ids = ids_in(s);
            if !ids.is_empty() {
                outln!("{what}: {}", id_list(&ids, 10));
            }
        }
        if waiting > 0 {
            let mut ids = ids_in(ChangeState::Approved);
            ids.extend(ids_in(ChangeState::InFlight));
            ids.extend(&run.not_tried);
            outln!(
                "still waiting: {} ({}): `bmby-ghl apply` sends them",
                n(waiting, "change", "changes"),
                id_list(&ids, 10)
            );
        }
    }
    if let Some(why) = run.unauthorized {
        return Err(dispatch::DispatchError::Unauthorized(why).into());
    }
    // A create held back for review (it matches an existing contact) waits for a person too.
    let held = count(ChangeState::Pending);
    Ok(
        if count(ChangeState::Failed) + count(ChangeState::Conflict) + waiting + held > 0 {
            2
        } else {
            0
        },
    )
}

/// The name of the signal stored by [`stop_on_signals`] (0: none yet).
fn signal_name(n: u8) -> Option<&'static str> {
    match n {
        1 => Some("Ctrl-C"),
        2 => Some("SIGTERM"),
        _ => None,
    }
}

/// Listens for Ctrl-C (SIGINT) and SIGTERM while `apply` sends: the first one sets `stop` (the
/// run ends after the change in flight, whose state the outbox saves) and records which signal
/// in `why`. Ctrl-\ (SIGQUIT) still quits at once: the outbox is crash-safe, and the next
/// `apply` resolves a change left in flight by looking it up. The listener ends when the
/// returned guard is dropped.
fn stop_on_signals(stop: Arc<AtomicBool>, why: Arc<AtomicU8>) -> Result<AbortOnDrop> {
    // Run by the owner of the cache for another process: that process's Ctrl-C and SIGTERM
    // (forwarded over the socket) stop the run, never the owner's own signals.
    if let Some(sink) = super::out::current() {
        let Some(mut signals) = sink.signals.clone() else {
            return Ok(AbortOnDrop(tokio::spawn(async {})));
        };
        let task = tokio::spawn(super::out::with_sink_async(sink, async move {
            while signals.changed().await.is_ok() {
                let n = *signals.borrow_and_update();
                let first = !stop.swap(true, Ordering::SeqCst);
                if first {
                    why.store(n, Ordering::SeqCst);
                }
                let clear = if super::out::stderr_is_terminal() {
                    "\r\x1b[2K"
                } else {
                    ""
                };
                errln!(
                    "{clear}{}: stopping after the change in flight (its state is saved); Ctrl-\\ quits at once",
                    signal_name(n).unwrap_or("signal")
                );
            }
        }));
        return Ok(AbortOnDrop(task));
    }
    #[cfg(unix)]
    let task = {
        use tokio::signal::unix::{signal, SignalKind};
        // Registered now, before anything is sent (not on the task's first poll).
        let mut int = signal(SignalKind::interrupt())?;
        let mut term = signal(SignalKind::terminate())?;
        tokio::spawn(async move {
            loop {
                let n = tokio::select! {
                    _ = int.recv() => 1,
                    _ = term.recv() => 2,
                };
                let first = !stop.swap(true, Ordering::SeqCst);
                if first {
                    why.store(n, Ordering::SeqCst);
                }
                // On a terminal, over the progress line.
                let clear = if std::io::stderr().is_terminal() {
                    "\r\x1b[2K"
                } else {
                    ""
                };
                errln!(
                    "{clear}{}: stopping after the change in flight (its state is saved); Ctrl-\\ quits at once",
                    signal_name(n).unwrap_or("signal")
                );
            }
        })
    };
    #[cfg(not(unix))]
    let task = tokio::spawn(async move {
        while tokio::signal::ctrl_c().await.is_ok() {
            stop.store(true, Ordering::SeqCst);
            why.store(1, Ordering::SeqCst);
        }
    });
    Ok(AbortOnDrop(task))
}

/// Aborts a task when dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
