//! `bmby-ghl op list [--json]` (the catalog of Contacts API operations) and `bmby-ghl op NAME
//! … [--dry-run] [--json]` (run one on the location).
//!
//! Reads print GHL's answer (text with Israel times; `--json`: the answer sanitized). Writes
//! become a pending change ([`crate::ops::edit`]) that is approved and sent at once through the
//! outbox by `apply`'s own sender, so the exit code is `apply`'s: 0 applied, 2 when it failed,
//! conflicted or still waits; 1 for an error before anything was stored. `--dry-run` prints the
//! planner's exact requests and stores nothing. A name the catalog leaves out (or none of it)
//! exits 2 with the reason, as a usage error.

use color_eyre::eyre::{eyre, Result};
use serde_json::{json, Value};
use tokio::runtime::Runtime;

mod read;
mod write;

use super::{client, location, open_store};
use crate::cli::OpCommand;
use crate::config::{Paths, Settings};
use crate::domain::{Change, Contact, Named};
use crate::ghl::GhlClient;
use crate::ops::CATALOG;
use crate::sanitize::clean_line;
use crate::store::Store;
use crate::sync::dispatch::PlannedRequest;
use crate::sync::ops::{cached_list, find_named, refresh_lists, ListKind, PickError};
use read::{read_cmd, read_request};
use write::{write_cmd, write_edit};

/// Width of `op list`'s text.
const WIDTH: usize = 80;

pub(super) fn op_cmd(
    cmd: OpCommand,
    paths: &Paths,
    settings: &Settings,
    rt: &Runtime,
) -> Result<i32> {
    match cmd {
        OpCommand::List { json } => list_cmd(json),
        OpCommand::Other(args) => Ok(unknown(args.first().map_or("", String::as_str))),
        cmd => {
            let name = cmd.name().to_owned();
            let mut cx = Cx::new(paths, settings, rt)?;
            match read_request(&cmd, &mut cx)? {
                Some((req, flags)) => read_cmd(&name, &req, flags, &cx),
                None => {
                    let (edit, flags) = write_edit(cmd, &mut cx)?;
                    write_cmd(&name, edit, flags, &cx)
                }
            }
        }
    }
}

/// A name that is not an `op` command: the catalog's reason when it has one. Exit code 2.
fn unknown(name: &str) -> i32 {
    match crate::ops::by_name(name) {
        Some(o) if !o.offered() => errln!(
            "op {name} ({} {}) is not offered: {}",
            o.method,
            o.path,
            o.reach.reason.unwrap_or("")
        ),
        _ => errln!("no operation `{name}`: `bmby-ghl op list` shows them all"),
    }
    2
}

/// `op list`: every operation, in the spec's order.
fn list_cmd(as_json: bool) -> Result<i32> {
    if as_json {
        let doc: Vec<Value> = CATALOG
            .iter()
            .map(|o| {
                json!({
                    "name": o.name,
                    "operationId": o.operation_id,
                    "method": o.method,
                    "path": o.path,
                    "scope": o.scope,
                    "scopeNote": o.scope_note,
                    "writes": o.writes,
                    "summary": o.summary,
                    "offered": o.offered(),
                    "tuiActions": o.reach.tui,
                    "opCommands": o.reach.op,
                    "cliCommands": o.reach.cli,
                    "reason": o.reach.reason,
                })
            })
            .collect();
        outln!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(0);
    }
    for o in CATALOG {
        outln!("{:<19} {:<6} {}", o.name, o.method, o.path);
        let mut words = vec![format!(
            "{}; {}.",
            o.scope,
            if o.writes { "writes" } else { "reads" }
        )];
        words.push(format!("{}.", o.summary));
        if !o.reach.tui.is_empty() {
            words.push(format!("TUI: {}.", o.reach.tui.join(", ")));
        }
        if !o.reach.op.is_empty() {
            let ops: Vec<String> = o.reach.op.iter().map(|c| format!("op {c}")).collect();
            words.push(format!("CLI: {}.", ops.join(", ")));
        }
        if !o.reach.cli.is_empty() {
            words.push(format!("Also: {}.", o.reach.cli.join(", ")));
        }
        if let Some(r) = o.reach.reason {
            words.push(format!("Not offered: {r}."));
        }
        if let Some(n) = o.scope_note {
            words.push(format!("Scope: {n}."));
        }
        for l in wrap(&words.join(" "), WIDTH - 4) {
            outln!("    {l}");
        }
    }
    let offered = CATALOG.iter().filter(|o| o.offered()).count();
    outln!(
        "{} operations: {offered} offered, {} left out (with the reason).",
        CATALOG.len(),
        CATALOG.len() - offered
    );
    Ok(0)
}

/// `text` in lines of at most `width` characters (a longer word is cut).
pub(super) fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for w in text.split_whitespace() {
        let w: String = w.chars().take(width).collect();
        if !line.is_empty() && line.chars().count() + 1 + w.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&w);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// What an `op` run works with: the location, its cache, and (once asked for) its client.
struct Cx<'a> {
    settings: &'a Settings,
    rt: &'a Runtime,
    loc: String,
    store: Store,
    client: Option<GhlClient>,
}

impl<'a> Cx<'a> {
    fn new(paths: &Paths, settings: &'a Settings, rt: &'a Runtime) -> Result<Cx<'a>> {
        let loc = location(settings)?;
        let store = open_store(paths, &loc)?;
        Ok(Cx {
            settings,
            rt,
            loc,
            store,
            client: None,
        })
    }

    fn client(&mut self) -> Result<&GhlClient> {
        if self.client.is_none() {
            self.client = Some(client(self.settings)?);
        }
        Ok(self.client.as_ref().expect("set above"))
    }

    /// The contact fetched fresh from GHL with its tasks and notes (stored in the cache), or
    /// the cached copy when GHL cannot be reached and `cache_ok` (a dry run).
    fn contact(&mut self, id: &str, cache_ok: bool) -> Result<Contact> {
        let fetched = match self.client() {
            Ok(c) => {
                let c = c.clone();
                self.rt
                    .block_on(crate::sync::fetch_details(&c, &self.store, id))
            }
            Err(e) if cache_ok => {
                errln!("warning: using the cache: {e}");
                Ok(())
            }
            Err(e) => return Err(e),
        };
        match fetched {
            Ok(()) => {}
            Err(crate::sync::PullError::Ghl(e)) if e.is_not_found() => {
                return Err(eyre!("contact {id}: GHL says it does not exist ({e})"))
            }
            Err(e) if cache_ok => errln!("warning: using the cache; GHL could not be read: {e}"),
            Err(e) => return Err(eyre!("contact {id}: GHL could not be read: {e}")),
        }
        self.store.contact(id)?.ok_or_else(|| {
            eyre!(
                "contact {id} is not in the cache of location {} (check the id)",
                self.loc
            )
        })
    }

    fn task(&self, contact: &str, id: &str) -> Result<crate::domain::Task> {
        let tasks = self.store.tasks(contact)?.unwrap_or_default();
        let known: Vec<&str> = tasks.iter().map(|t| t.id.as_str()).collect();
        tasks.iter().find(|t| t.id == id).cloned().ok_or_else(|| {
            eyre!(
                "contact {contact} has no task {id}; its tasks: {}",
                list_or_none(&known)
            )
        })
    }

    fn note(&self, contact: &str, id: &str) -> Result<crate::domain::Note> {
        let notes = self.store.notes(contact)?.unwrap_or_default();
        let known: Vec<&str> = notes.iter().map(|n| n.id.as_str()).collect();
        notes.iter().find(|n| n.id == id).cloned().ok_or_else(|| {
            eyre!(
                "contact {contact} has no note {id}; its notes: {}",
                list_or_none(&known)
            )
        })
    }

    /// The item of the location's `kind` list that `query` names (its name, a unique part of
    /// it, or its id); the list is fetched when it was never cached.
    fn pick(&mut self, kind: ListKind, query: &str) -> Result<Named> {
        let (one, many) = singular(kind);
        let mut list = cached_list(&self.store, kind)?;
        let mut why = String::new();
        if list.is_none() {
            let client = self.client()?.clone();
            for (k, r) in self.rt.block_on(refresh_lists(&client, &self.store)) {
                if let (true, Err(e)) = (k == kind, r) {
                    why = format!(": {e}");
                }
            }
            list = cached_list(&self.store, kind)?;
        }
        let list = list.ok_or_else(|| {
            eyre!(
                "the {many} of location {} could not be loaded{why}",
                self.loc
            )
        })?;
        find_named(&list, query, many).cloned().map_err(|e| match e {
            PickError::None { query, .. } => {
                let names: Vec<&str> = list.iter().map(|n| n.name.as_str()).collect();
                eyre!(
                    "no {one} matches \"{}\" in location {}; known: {}",
                    clean_line(&query),
                    self.loc,
                    clean_line(&list_or_none(&names))
                )
            }
            PickError::Several { query, names, .. } => eyre!(
                "\"{}\" matches several {many} in location {}: {}; give more of the name, or the id",
                clean_line(&query),
                self.loc,
                clean_line(&names.join(", "))
            ),
        })
    }
}

fn singular(kind: ListKind) -> (&'static str, &'static str) {
    match kind {
        ListKind::Workflows => ("workflow", "workflows"),
        ListKind::Campaigns => ("campaign", "campaigns"),
        ListKind::Users => ("user", "users"),
        ListKind::Businesses => ("business", "businesses"),
        ListKind::Tags => ("tag", "tags"),
    }
}

fn list_or_none(v: &[&str]) -> String {
    const MAX: usize = 10;
    if v.is_empty() {
        return "none".into();
    }
    let mut s = v.iter().take(MAX).copied().collect::<Vec<_>>().join(", ");
    if v.len() > MAX {
        s.push_str(&format!(" (+{} more)", v.len() - MAX));
    }
    s
}

/// The requests of a dry run, as `apply --dry-run` prints them, after the location and host
/// they are for and, when this data dir has no sign-in, a line saying so (`--json`: `{dryRun,
/// stored, op, locationId, baseUrl, signedIn, change, requests}`).
fn print_requests(
    plan: &[PlannedRequest],
    cx: &Cx<'_>,
    as_json: bool,
    name: &str,
    change: Option<&Change>,
) -> Result<()> {
    let base = cx.settings.base_url.trim_end_matches('/');
    // A dry run needs no token, but says where its requests would go and whether this data
    // dir could send them.
    let signed_in = client(cx.settings).is_ok();
    if as_json {
        let doc = json!({
            "dryRun": true,
            "stored": false,
            "op": name,
            "locationId": cx.loc,
            "baseUrl": base,
            "signedIn": signed_in,
            "change": change,
            "requests": plan,
        });
        outln!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(());
    }
    if let Some(c) = change {
        outln!(
            "# op {name} (dry run, nothing stored) — {} {}",
            c.describe(),
            clean_line(&c.display_name)
        );
    } else {
        outln!("# op {name} (dry run)");
    }
    outln!("# location {} at {base}", cx.loc);
    if !signed_in {
        outln!(
            "# not signed in: showing the requests for {base} (nothing can be sent from this \
             data dir until `bmby-ghl auth login`)"
        );
    }
    for r in plan {
        outln!("{} {base}{}", r.method, r.path);
        for h in &r.headers {
            outln!("{h}");
        }
        if let Some(b) = &r.body {
            outln!("\n{}", serde_json::to_string_pretty(b)?);
        }
        outln!();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use write::pairs;

    #[test]
    fn wrap_keeps_lines_within_the_width() {
        let text =
            "contacts.write; writes. add a contact to a workflow. TUI: contact.workflow_add. \
                    CLI: op workflow-add. Also: apply. averyveryveryveryverylongwordthatiscut";
        let lines = wrap(text, 30);
        assert!(lines.iter().all(|l| l.chars().count() <= 30), "{lines:?}");
        assert_eq!(
            lines.join(" ").split_whitespace().count(),
            text.split_whitespace().count()
        );
    }

    #[test]
    fn set_pairs_name_the_fields_that_can_be_set() {
        assert_eq!(
            pairs(&["email=a@b.c".into()]).unwrap(),
            vec![("email".to_owned(), "a@b.c".to_owned())]
        );
        let e = pairs(&["nope=1".into()]).unwrap_err().to_string();
        assert!(e.contains("not a field") && e.contains("firstName"), "{e}");
        assert!(pairs(&["email".into()]).is_err());
    }
}
