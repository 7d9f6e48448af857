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

use super::{client, location, open_store};
use crate::cli::{OpCommand, OpFlags};
use crate::config::{Paths, Settings};
use crate::domain::{Change, Contact, ContactOp, FieldChange, Named, LOCAL_ORIGIN};
use crate::ghl::{GhlClient, GhlRequest, WriteClass};
use crate::ops::{Edit, CATALOG};
use crate::sanitize::{clean_json, clean_line};
use crate::store::Store;
use crate::sync::dispatch::PlannedRequest;
use crate::sync::ops::{cached_list, find_named, refresh_lists, ListKind, PickError, Proposal};

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
        Some(o) if !o.offered() => eprintln!(
            "op {name} ({} {}) is not offered: {}",
            o.method,
            o.path,
            o.reach.reason.unwrap_or("")
        ),
        _ => eprintln!("no operation `{name}`: `bmby-ghl op list` shows them all"),
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
                eprintln!("warning: using the cache: {e}");
                Ok(())
            }
            Err(e) => return Err(e),
        };
        match fetched {
            Ok(()) => {}
            Err(crate::sync::PullError::Ghl(e)) if e.is_not_found() => {
                return Err(eyre!("contact {id}: GHL says it does not exist ({e})"))
            }
            Err(e) if cache_ok => eprintln!("warning: using the cache; GHL could not be read: {e}"),
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

/// The GET (or search) request of a read, or `None` for a write.
fn read_request(cmd: &OpCommand, cx: &mut Cx<'_>) -> Result<Option<(GhlRequest, OpFlags)>> {
    let get = |segs: &[&str]| GhlRequest {
        method: reqwest::Method::GET,
        segments: segs.iter().map(|s| (*s).to_owned()).collect(),
        query: Vec::new(),
        body: None,
        family: crate::ghl::client::ApiFamily::Contacts,
        class: WriteClass::Read,
    };
    Ok(Some(match cmd {
        OpCommand::Search {
            query,
            limit,
            flags,
        } => {
            let mut body = json!({ "locationId": cx.loc, "pageLimit": (*limit).clamp(1, 500) });
            if let Some(q) = query {
                body["query"] = json!(q.chars().take(75).collect::<String>());
            }
            let mut r = get(&["contacts", "search"]);
            r.method = reqwest::Method::POST;
            r.body = Some(body);
            (r, *flags)
        }
        OpCommand::FindDuplicate {
            email,
            phone,
            flags,
        } => (
            GhlRequest::find_duplicate(&cx.loc, email.as_deref(), phone.as_deref()),
            *flags,
        ),
        OpCommand::GetContact { contact, flags } => (GhlRequest::get_contact(contact), *flags),
        OpCommand::Tasks { contact, flags } => {
            (GhlRequest::list_activity(contact, "tasks"), *flags)
        }
        OpCommand::Notes { contact, flags } => {
            (GhlRequest::list_activity(contact, "notes"), *flags)
        }
        OpCommand::Appointments { contact, flags } => {
            (GhlRequest::list_activity(contact, "appointments"), *flags)
        }
        OpCommand::BusinessContacts { business, flags } => {
            let b = cx.pick(ListKind::Businesses, business)?;
            // The first page (GHL's `limit`/`skip`; the TUI's filter reads every page).
            (GhlRequest::business_contacts(&cx.loc, &b.id, 0), *flags)
        }
        _ => return Ok(None),
    }))
}

/// Runs a read: GHL's answer as text, or sanitized JSON; `--dry-run` prints the request.
fn read_cmd(name: &str, req: &GhlRequest, flags: OpFlags, cx: &Cx<'_>) -> Result<i32> {
    if flags.dry_run {
        print_requests(&[PlannedRequest::from(req)], cx, flags.json, name, None)?;
        return Ok(0);
    }
    let client = client(cx.settings)?;
    let v = cx
        .rt
        .block_on(client.send_request(req))
        .map_err(|e| eyre!("{}: {e}", req.endpoint()))?;
    let v = clean_json(&v);
    if flags.json {
        outln!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(0);
    }
    let when = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .map(|s| crate::clock::value(s).into_owned())
            .unwrap_or_else(|| "-".into())
    };
    let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    let contacts = |key: &str| -> Vec<Value> {
        match v.get(key) {
            Some(Value::Array(a)) => a.clone(),
            Some(o @ Value::Object(_)) => vec![o.clone()],
            _ => Vec::new(),
        }
    };
    match name {
        "tasks" => {
            let items = contacts("tasks");
            for t in &items {
                let done = t.get("completed").and_then(Value::as_bool) == Some(true);
                outln!(
                    "[{}] {}  due {}  ({})",
                    if done { "x" } else { " " },
                    s(t, "title"),
                    when(t.get("dueDate")),
                    s(t, "id")
                );
            }
            outln!(
                "{} task(s); times are {}.",
                items.len(),
                crate::clock::ISRAEL
            );
        }
        "notes" => {
            let items = contacts("notes");
            for n in &items {
                outln!("{}  ({})", when(n.get("dateAdded")), s(n, "id"));
                for l in s(n, "body").lines() {
                    outln!("    {l}");
                }
            }
            outln!(
                "{} note(s); times are {}.",
                items.len(),
                crate::clock::ISRAEL
            );
        }
        "appointments" => {
            let items = contacts("events");
            for a in &items {
                outln!(
                    "{} → {}  {}  {}",
                    s(a, "startTime"),
                    s(a, "endTime"),
                    s(a, "title"),
                    s(a, "appointmentStatus")
                );
            }
            outln!(
                "{} appointment(s); times as GHL gives them (the location's time zone).",
                items.len()
            );
        }
        _ => {
            let key = if name == "search" || name == "business-contacts" {
                "contacts"
            } else {
                "contact"
            };
            let items = contacts(key);
            for c in &items {
                let contact = crate::ghl::wire::contact_from_json(c).unwrap_or_default();
                outln!(
                    "{}  {}  {}  {}  updated {}",
                    contact.id,
                    contact.display_name(),
                    contact.email.as_deref().unwrap_or("-"),
                    contact.phone.as_deref().unwrap_or("-"),
                    when(c.get("dateUpdated"))
                );
                if !contact.tags.is_empty() {
                    outln!("    tags: {}", contact.tags.join(", "));
                }
            }
            if items.is_empty() && name == "find-duplicate" {
                outln!("no contact GHL would treat as the same person");
            } else {
                outln!(
                    "{} contact(s); times are {}.",
                    items.len(),
                    crate::clock::ISRAEL
                );
            }
        }
    }
    Ok(0)
}

/// `FIELD=VALUE` pairs, the field checked against [`crate::ops::edit::SETTABLE`].
fn pairs(set: &[String]) -> Result<Vec<(String, String)>> {
    set.iter()
        .map(|s| {
            let (k, v) = s
                .split_once('=')
                .ok_or_else(|| eyre!("--set {s}: expected FIELD=VALUE"))?;
            let k = k.trim();
            if !crate::ops::edit::SETTABLE.contains(&k) && !k.starts_with("customFields.") {
                return Err(eyre!(
                    "--set {k}: not a field that can be set; fields: {}, customFields.ID (tags: add-tags, remove-tags)",
                    crate::ops::edit::SETTABLE.join(", ")
                ));
            }
            Ok((k.to_owned(), v.to_owned()))
        })
        .collect()
}

/// The contacts' names for a bulk change: `Dana Levi, Ann Example +38` (ids when not cached).
fn sample(store: &Store, ids: &[String]) -> String {
    const SHOWN: usize = 3;
    let mut names: Vec<String> = ids
        .iter()
        .take(SHOWN)
        .map(|id| {
            store
                .contact(id)
                .ok()
                .flatten()
                .map(|c| c.display_name())
                .unwrap_or_else(|| id.clone())
        })
        .collect();
    if ids.len() > SHOWN {
        names.push(format!("+{}", ids.len() - SHOWN));
    }
    names.join(", ")
}

/// The write a command asks for, with the records it is based on (fetched fresh).
fn write_edit(cmd: OpCommand, cx: &mut Cx<'_>) -> Result<(Edit, OpFlags)> {
    let one = |cx: &mut Cx<'_>, contact: &str, op: ContactOp, flags: OpFlags| {
        let c = cx.contact(contact, flags.dry_run)?;
        Ok::<_, color_eyre::Report>((
            Edit::Op(Proposal {
                contact_id: Some(c.id.clone()),
                display_name: c.display_name(),
                op,
                fields: Vec::new(),
                base_date_updated: c.date_updated.clone(),
            }),
            flags,
        ))
    };
    let bulk = |cx: &mut Cx<'_>, contacts: Vec<String>, op: ContactOp, flags: OpFlags| {
        (
            Edit::Op(Proposal {
                contact_id: None,
                display_name: sample(&cx.store, &contacts),
                op,
                fields: Vec::new(),
                base_date_updated: None,
            }),
            flags,
        )
    };
    Ok(match cmd {
        OpCommand::UpdateContact {
            contact,
            set,
            flags,
        } => {
            let values = pairs(&set)?;
            let contact = cx.contact(&contact, flags.dry_run)?;
            (Edit::Fields { contact, values }, flags)
        }
        OpCommand::AddTags {
            contact,
            tags,
            flags,
        } => {
            let contact = cx.contact(&contact, flags.dry_run)?;
            let mut now = contact.tags.clone();
            let new: Vec<String> = clean_tags(&tags)
                .into_iter()
                .filter(|t| !now.iter().any(|n| n.eq_ignore_ascii_case(t)))
                .collect();
            if new.is_empty() {
                return Err(eyre!(
                    "contact {} has every tag already ({})",
                    contact.id,
                    now.join(", ")
                ));
            }
            now.extend(new);
            let values = vec![("tags".to_owned(), now.join(", "))];
            (Edit::Fields { contact, values }, flags)
        }
        OpCommand::RemoveTags {
            contact,
            tags,
            flags,
        } => {
            let contact = cx.contact(&contact, flags.dry_run)?;
            let gone = clean_tags(&tags);
            let keep: Vec<String> = contact
                .tags
                .iter()
                .filter(|t| !gone.iter().any(|g| g.eq_ignore_ascii_case(t)))
                .cloned()
                .collect();
            if keep.len() == contact.tags.len() {
                return Err(eyre!(
                    "contact {} has none of these tags (its tags: {})",
                    contact.id,
                    list_or_none(&contact.tags.iter().map(String::as_str).collect::<Vec<_>>())
                ));
            }
            let values = vec![("tags".to_owned(), keep.join(", "))];
            (Edit::Fields { contact, values }, flags)
        }
        OpCommand::DeleteContact { contact, flags } => {
            let contact = cx.contact(&contact, flags.dry_run)?;
            (Edit::DeleteContact { contact }, flags)
        }
        OpCommand::CreateTask {
            contact,
            title,
            due,
            body,
            flags,
        } => {
            let contact = cx.contact(&contact, flags.dry_run)?;
            (
                Edit::NewTask {
                    contact,
                    title,
                    due,
                    body,
                },
                flags,
            )
        }
        OpCommand::UpdateTask {
            contact,
            task,
            title,
            due,
            body,
            flags,
        } => {
            let contact = cx.contact(&contact, flags.dry_run)?;
            let task = cx.task(&contact.id, &task)?;
            let values: Vec<(String, String)> =
                [("title", title), ("dueDate", due), ("body", body)]
                    .into_iter()
                    .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v)))
                    .collect();
            if values.is_empty() {
                return Err(eyre!("nothing to change: give --title, --due or --body"));
            }
            (
                Edit::EditTask {
                    contact,
                    task,
                    values,
                },
                flags,
            )
        }
        OpCommand::CompleteTask {
            contact,
            task,
            reopen,
            flags,
        } => {
            let contact = cx.contact(&contact, flags.dry_run)?;
            let task = cx.task(&contact.id, &task)?;
            (
                Edit::TaskCompleted {
                    contact,
                    task,
                    completed: !reopen,
                },
                flags,
            )
        }
        OpCommand::DeleteTask {
            contact,
            task,
            flags,
        } => {
            let contact = cx.contact(&contact, flags.dry_run)?;
            let task = cx.task(&contact.id, &task)?;
            (Edit::DeleteTask { contact, task }, flags)
        }
        OpCommand::CreateNote {
            contact,
            body,
            flags,
        } => {
            let contact = cx.contact(&contact, flags.dry_run)?;
            (Edit::NewNote { contact, body }, flags)
        }
        OpCommand::UpdateNote {
            contact,
            note,
            body,
            flags,
        } => {
            let contact = cx.contact(&contact, flags.dry_run)?;
            let note = cx.note(&contact.id, &note)?;
            (
                Edit::EditNote {
                    contact,
                    note,
                    body,
                },
                flags,
            )
        }
        OpCommand::DeleteNote {
            contact,
            note,
            flags,
        } => {
            let contact = cx.contact(&contact, flags.dry_run)?;
            let note = cx.note(&contact.id, &note)?;
            (Edit::DeleteNote { contact, note }, flags)
        }
        OpCommand::WorkflowAdd {
            contact,
            workflow,
            event_start_time,
            flags,
        } => {
            if let Some(t) = &event_start_time {
                if crate::clock::instant(t).is_none() {
                    return Err(eyre!(
                        "--event-start-time {t}: not an ISO 8601 instant (2026-07-01T09:00:00+03:00)"
                    ));
                }
            }
            let workflow = cx.pick(ListKind::Workflows, &workflow)?;
            let op = ContactOp::WorkflowAdd {
                workflow,
                event_start_time,
            };
            one(cx, &contact, op, flags)?
        }
        OpCommand::WorkflowRemove {
            contact,
            workflow,
            flags,
        } => {
            let workflow = cx.pick(ListKind::Workflows, &workflow)?;
            one(cx, &contact, ContactOp::WorkflowRemove { workflow }, flags)?
        }
        OpCommand::CampaignAdd {
            contact,
            campaign,
            flags,
        } => {
            let campaign = cx.pick(ListKind::Campaigns, &campaign)?;
            one(cx, &contact, ContactOp::CampaignAdd { campaign }, flags)?
        }
        OpCommand::CampaignRemove {
            contact,
            campaign,
            flags,
        } => {
            let campaign = cx.pick(ListKind::Campaigns, &campaign)?;
            one(cx, &contact, ContactOp::CampaignRemove { campaign }, flags)?
        }
        OpCommand::CampaignRemoveAll { contact, flags } => {
            one(cx, &contact, ContactOp::CampaignRemoveAll, flags)?
        }
        OpCommand::FollowersAdd {
            contact,
            users,
            flags,
        } => {
            let users = users
                .iter()
                .map(|u| cx.pick(ListKind::Users, u))
                .collect::<Result<Vec<_>>>()?;
            one(cx, &contact, ContactOp::FollowersAdd { users }, flags)?
        }
        OpCommand::FollowersRemove {
            contact,
            users,
            flags,
        } => {
            let users = users
                .iter()
                .map(|u| cx.pick(ListKind::Users, u))
                .collect::<Result<Vec<_>>>()?;
            one(cx, &contact, ContactOp::FollowersRemove { users }, flags)?
        }
        OpCommand::BusinessSet {
            business,
            contacts,
            flags,
        } => {
            let business = Some(cx.pick(ListKind::Businesses, &business)?);
            let contact_ids = dedup(contacts);
            let op = ContactOp::Business {
                business,
                contact_ids: contact_ids.clone(),
            };
            bulk(cx, contact_ids, op, flags)
        }
        OpCommand::BusinessClear { contacts, flags } => {
            let contact_ids = dedup(contacts);
            let op = ContactOp::Business {
                business: None,
                contact_ids: contact_ids.clone(),
            };
            bulk(cx, contact_ids, op, flags)
        }
        OpCommand::BulkTags {
            add,
            tags,
            contacts,
            flags,
            ..
        } => {
            let contact_ids = dedup(contacts);
            let op = ContactOp::BulkTags {
                add,
                tags: clean_tags(&tags),
                contact_ids: contact_ids.clone(),
            };
            bulk(cx, contact_ids, op, flags)
        }
        OpCommand::Upsert { set, flags } => {
            let values = pairs(&set)?;
            if !values.iter().any(|(k, _)| k == "email" || k == "phone") {
                return Err(eyre!(
                    "upsert needs --set email=… or --set phone=… (GHL matches on them)"
                ));
            }
            let mut fields = Vec::new();
            for (k, v) in &values {
                let proposed = crate::sync::review::validate_value(k, v)
                    .map_err(|m| eyre!("--set {k}: {m}"))?;
                fields.push(FieldChange {
                    field: k.clone(),
                    label: crate::sync::diff::field_label(k).to_owned(),
                    source_field: LOCAL_ORIGIN.to_owned(),
                    ghl_now: None,
                    proposed,
                    edited: false,
                });
            }
            let get = |f: &str| values.iter().find(|(k, _)| k == f).map(|(_, v)| v.as_str());
            let display_name = match (get("firstName"), get("lastName")) {
                (None, None) => get("email").or(get("phone")).unwrap_or("").to_owned(),
                (a, b) => [a, b].into_iter().flatten().collect::<Vec<_>>().join(" "),
            };
            (
                Edit::Op(Proposal {
                    contact_id: None,
                    display_name,
                    op: ContactOp::Upsert,
                    fields,
                    base_date_updated: None,
                }),
                flags,
            )
        }
        other => return Err(eyre!("op {} is not a write", other.name())),
    })
}

/// Tags as typed, trimmed, empty ones and repeats dropped.
fn clean_tags(tags: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in tags.iter().flat_map(|t| t.split(',')) {
        let t = clean_line(t.trim());
        if !t.is_empty() && !out.iter().any(|o| o.eq_ignore_ascii_case(&t)) {
            out.push(t);
        }
    }
    out
}

/// Ids in order, each once.
fn dedup(ids: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for i in ids {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

/// Runs a write: `--dry-run` prints the planned requests; otherwise the change is stored,
/// approved and sent by `apply`'s sender. Exit code as `apply`.
fn write_cmd(name: &str, edit: Edit, flags: OpFlags, cx: &Cx<'_>) -> Result<i32> {
    let read_only = if cx.settings.token.is_some() {
        None
    } else {
        super::token_store(cx.settings)
            .ok()
            .and_then(|s| s.get(&cx.loc).ok().flatten())
            .and_then(|e| e.read_only_reason())
    };
    if flags.dry_run {
        if let Some(why) = &read_only {
            eprintln!(
                "warning: {} is read-only ({why}): this request would be refused",
                cx.loc
            );
        }
        let (c, plan) = crate::ops::preview(&edit, &cx.loc)?;
        print_requests(&plan, cx, flags.json, name, Some(&c))?;
        if plan.is_empty() {
            eprintln!("op {name}: the planner has no request for it yet; nothing would be sent");
            return Ok(1);
        }
        return Ok(0);
    }
    if let Some(why) = read_only {
        return Err(eyre!(
            "{} is read-only: {why}; nothing was stored or sent (sign in again with `bmby-ghl auth login` without --read-only)",
            cx.loc
        ));
    }
    if let Some(p) = crate::ops::edit::joins_pending(&cx.store, &edit)? {
        return Err(eyre!(
            "{} has a pending hand edit (change #{}) this would join; approve and `apply` it, or reject it, first",
            clean_line(&p.display_name),
            p.id
        ));
    }
    let c = crate::ops::propose(&cx.store, &edit)?;
    if !flags.json {
        print_change(&c, "proposed")?;
    }
    crate::sync::review::approve(&cx.store, c.id)?;
    let ghl = client(cx.settings)?;
    super::apply::send(&cx.store, &ghl, None, cx.rt, &[c.id], flags.json)
}

/// `change #N (what, proposed): name (id)` and its fields `before → after`.
fn print_change(c: &Change, how: &str) -> Result<()> {
    outln!(
        "change #{} ({how}): {} {}{}",
        c.id,
        c.describe(),
        clean_line(&c.display_name),
        c.contact_id
            .as_ref()
            .map(|i| format!(" ({i})"))
            .unwrap_or_default()
    );
    for f in &c.fields {
        let v = |v: &Option<String>| crate::sync::journal::shown(v.as_deref());
        outln!(
            "    {}: {} → {}",
            clean_line(&f.label),
            v(&f.ghl_now),
            v(&f.proposed)
        );
    }
    Ok(())
}

/// The requests of a dry run, as `apply --dry-run` prints them (`--json`: `{dryRun, op,
/// change, requests}`).
fn print_requests(
    plan: &[PlannedRequest],
    cx: &Cx<'_>,
    as_json: bool,
    name: &str,
    change: Option<&Change>,
) -> Result<()> {
    if as_json {
        let doc = json!({
            "dryRun": true,
            "stored": false,
            "op": name,
            "locationId": cx.loc,
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
    let base = cx.settings.base_url.trim_end_matches('/');
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
