//! Proposing write-backs to Bmby: pending changes with target [`Target::Bmby`], reviewed like
//! every other change and sent by the dispatcher ([`super::dispatch::bmby`]).
//!
//! - Every GHL task of a linked contact (`GET /contacts/{id}/tasks`) → a `NewTask` (`Type`
//!   `Task`) on the linked Bmby client: fields `title`, `dueDate` (ISO 8601 UTC), `body`.
//! - Every GHL note of a linked contact (`GET /contacts/{id}/notes`) → a `NewTask` (`Type`
//!   `Comment`): fields `body` and, when the note has one, `title`.
//! - With [`WritebackOptions::new_clients`]: every cached GHL contact no Bmby client is linked
//!   to, with an email or a phone → a clients `Insert` (or `AddClient` with only a lead
//!   password) with Bmby field names: `fname`, `lname`, `email`, `phone_mobile` (Israeli
//!   numbers in local form, see [`e164_to_bmby_local`]), `city`, `address`.
//!
//! Each proposal has a fingerprint (`bmby-task:<task id>`, `bmby-note:<note id>`,
//! `bmby-insert:<contact id>`); one that any stored change already carries — pending, applied,
//! rejected or failed — is not proposed again, so running this twice adds nothing.
//! Completed GHL tasks are skipped: `NewTask` has no completed state, so they would arrive in
//! Bmby as open work.

use std::collections::{HashMap, HashSet};

use super::local::activity_label;
use crate::bmby::normalize::phone::e164_to_bmby_local;
use crate::domain::{
    Change, ChangeKind, ChangeState, Contact, FieldChange, Note, Subject, Target, Task,
};
use crate::ghl::{GhlClient, GhlError};
use crate::store::{Store, StoreError};

/// `origin` of a write-back of a GHL task.
pub const ORIGIN_TASK: &str = "GHL task";
/// `origin` of a write-back of a GHL note.
pub const ORIGIN_NOTE: &str = "GHL note";
/// `origin` of a GHL contact proposed as a new Bmby client.
pub const ORIGIN_CONTACT: &str = "GHL contact";

/// What [`propose_writeback`] proposes.
#[derive(Debug, Clone, Copy, Default)]
pub struct WritebackOptions {
    /// Also propose unlinked GHL contacts (with an email or phone) as new Bmby clients.
    pub new_clients: bool,
    /// Compute the proposals but store no change (fetched tasks and notes are still cached).
    pub dry_run: bool,
    /// Fetch the tasks and notes of every linked contact again, even when cached.
    pub refresh: bool,
    /// Ask GHL for nothing: only contacts whose tasks and notes are cached are looked at (the
    /// demo, which must start fast). Beats `refresh`.
    pub cached_only: bool,
}

/// What [`propose_writeback`] did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct WritebackSummary {
    /// New `NewTask` (Task) proposals.
    pub tasks: usize,
    /// New `NewTask` (Comment) proposals.
    pub notes: usize,
    /// New `Insert`/`AddClient` proposals.
    pub inserts: usize,
    /// Tasks, notes and contacts proposed by an earlier run (in any state since).
    pub already_proposed: usize,
    /// Completed GHL tasks (not written back).
    pub skipped_completed: usize,
    /// Unlinked contacts with neither email nor phone (Bmby needs one of them).
    pub skipped_no_email_or_phone: usize,
    /// Unlinked contacts an open ambiguous change names as a candidate (they may well be a
    /// Bmby client already; settle the ambiguity first).
    pub skipped_ambiguous: usize,
    /// Links whose GHL contact is gone (its tasks could not be read).
    pub problems: Vec<String>,
    /// The proposed changes (stored unless a dry run).
    pub changes: Vec<Change>,
}

impl WritebackSummary {
    /// Everything left out, whatever the reason.
    pub fn skipped(&self) -> usize {
        self.already_proposed
            + self.skipped_completed
            + self.skipped_no_email_or_phone
            + self.skipped_ambiguous
    }
}

/// Why proposing stopped.
#[derive(Debug, thiserror::Error)]
pub enum WritebackError {
    #[error("reading tasks and notes from GHL: {0}")]
    Ghl(#[from] GhlError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Fingerprint of a GHL task's write-back.
pub fn task_fingerprint(task_id: &str) -> String {
    format!("bmby-task:{task_id}")
}

/// Fingerprint of a GHL note's write-back.
pub fn note_fingerprint(note_id: &str) -> String {
    format!("bmby-note:{note_id}")
}

/// Fingerprint of a GHL contact proposed as a new Bmby client.
pub fn insert_fingerprint(contact_id: &str) -> String {
    format!("bmby-insert:{contact_id}")
}

fn field(name: &str, label: &str, source: &str, value: Option<String>) -> Option<FieldChange> {
    let value = value.filter(|v| !v.trim().is_empty())?;
    Some(FieldChange {
        field: name.to_owned(),
        label: label.to_owned(),
        source_field: source.to_owned(),
        ghl_now: None,
        proposed: Some(value),
        edited: false,
        value_json: None,
    })
}

/// What every proposal shares; `id` is given when stored.
struct Proposal {
    client_id: String,
    contact: Option<String>,
    display_name: String,
    subject: Subject,
    fields: Vec<FieldChange>,
    origin: &'static str,
    fingerprint: String,
}

/// Proposes write-backs to Bmby (see the module docs). GHL is asked only for tasks and notes
/// of linked contacts not cached yet (all of them with [`WritebackOptions::refresh`]); a
/// contact GHL no longer has is reported in [`WritebackSummary::problems`] and skipped.
/// Errors: any other GHL failure (after the client's retries) and store failures; changes
/// proposed before the error stay stored, and a second run adds only the rest.
pub async fn propose_writeback(
    client: &GhlClient,
    store: &Store,
    opts: WritebackOptions,
) -> Result<WritebackSummary, WritebackError> {
    let mut known: HashSet<String> = store
        .changes()?
        .into_iter()
        .filter(|c| c.target == Target::Bmby)
        .map(|c| c.fingerprint)
        .collect();
    let mut s = WritebackSummary::default();
    let mut proposals = Vec::new();
    let links = store.links()?;
    let mut seen_contacts = HashSet::new();
    for (client_id, contact_id) in &links {
        if !seen_contacts.insert(contact_id.clone()) {
            continue;
        }
        if opts.cached_only
            && (store.tasks(contact_id)?.is_none() || store.notes(contact_id)?.is_none())
        {
            continue;
        }
        let refresh = opts.refresh && !opts.cached_only;
        let Some((tasks, notes)) = activities(client, store, contact_id, refresh).await? else {
            s.problems.push(format!(
                "GHL contact {contact_id} (linked to Bmby client {client_id}) no longer exists; \
                 its tasks and notes were not read"
            ));
            continue;
        };
        let name = store
            .contact(contact_id)?
            .map(|c| c.display_name())
            .unwrap_or_else(|| format!("Bmby client {client_id}"));
        for t in &tasks {
            if t.completed {
                s.skipped_completed += 1;
                continue;
            }
            proposals.push(task_proposal(client_id, contact_id, &name, t));
        }
        for n in &notes {
            proposals.push(note_proposal(client_id, contact_id, &name, n));
        }
    }
    if opts.new_clients {
        insert_proposals(store, &links, &mut s, &mut proposals)?;
    }
    for p in proposals {
        if !known.insert(p.fingerprint.clone()) {
            s.already_proposed += 1;
            continue;
        }
        match p.subject {
            Subject::Task { .. } => s.tasks += 1,
            Subject::Note { .. } => s.notes += 1,
            Subject::Contact => s.inserts += 1,
            // Write-backs never propose GHL operations.
            Subject::Op(_) => continue,
        }
        let id = if opts.dry_run {
            0
        } else {
            store.next_seq("change")?
        };
        let c = into_change(id, p);
        if !opts.dry_run {
            store.put_change(&c)?;
        }
        s.changes.push(c);
    }
    store.flush()?;
    Ok(s)
}

/// The contact's tasks and notes, from the cache or fetched (and cached); `None` when GHL
/// no longer has the contact.
async fn activities(
    client: &GhlClient,
    store: &Store,
    contact_id: &str,
    refresh: bool,
) -> Result<Option<(Vec<Task>, Vec<Note>)>, WritebackError> {
    let gone = |e: &GhlError| e.is_not_found();
    let tasks = match store.tasks(contact_id)?.filter(|_| !refresh) {
        Some(t) => t,
        None => match client.contact_tasks(contact_id).await {
            Ok(t) => {
                store.put_tasks(contact_id, &t)?;
                t
            }
            Err(e) if gone(&e) => return Ok(None),
            Err(e) => return Err(e.into()),
        },
    };
    let notes = match store.notes(contact_id)?.filter(|_| !refresh) {
        Some(n) => n,
        None => match client.contact_notes(contact_id).await {
            Ok(n) => {
                store.put_notes(contact_id, &n)?;
                n
            }
            Err(e) if gone(&e) => return Ok(None),
            Err(e) => return Err(e.into()),
        },
    };
    Ok(Some((tasks, notes)))
}

fn task_proposal(client_id: &str, contact_id: &str, name: &str, t: &Task) -> Proposal {
    let fields = [
        ("title", Some(t.title.clone())),
        ("dueDate", t.due_date.clone()),
        ("body", t.body.clone()),
    ]
    .into_iter()
    .filter_map(|(f, v)| field(f, activity_label(f), f, v))
    .collect();
    Proposal {
        client_id: client_id.to_owned(),
        contact: Some(contact_id.to_owned()),
        display_name: name.to_owned(),
        subject: Subject::Task {
            task_id: Some(t.id.clone()),
        },
        fields,
        origin: ORIGIN_TASK,
        fingerprint: task_fingerprint(&t.id),
    }
}

fn note_proposal(client_id: &str, contact_id: &str, name: &str, n: &Note) -> Proposal {
    let fields = [("title", n.title.clone()), ("body", Some(n.body.clone()))]
        .into_iter()
        .filter_map(|(f, v)| field(f, activity_label(f), f, v))
        .collect();
    Proposal {
        client_id: client_id.to_owned(),
        contact: Some(contact_id.to_owned()),
        display_name: name.to_owned(),
        subject: Subject::Note {
            note_id: Some(n.id.clone()),
        },
        fields,
        origin: ORIGIN_NOTE,
        fingerprint: note_fingerprint(&n.id),
    }
}

/// Insert proposals for cached contacts no Bmby client is linked to.
fn insert_proposals(
    store: &Store,
    links: &[(String, String)],
    s: &mut WritebackSummary,
    out: &mut Vec<Proposal>,
) -> Result<(), StoreError> {
    let linked: HashSet<&str> = links.iter().map(|(_, c)| c.as_str()).collect();
    // Contacts an open import change already ties to a Bmby client, or names as a candidate.
    let mut tied: HashMap<String, bool> = HashMap::new();
    for c in store.changes()? {
        let open = matches!(
            c.state,
            ChangeState::Pending | ChangeState::Approved | ChangeState::InFlight
        );
        if c.target != Target::Ghl || !open || c.client_id.is_empty() {
            continue;
        }
        if let Some(id) = &c.contact_id {
            tied.insert(id.clone(), false);
        }
        for cand in &c.candidates {
            tied.entry(cand.contact_id.clone()).or_insert(true);
        }
    }
    let mut contacts = store.contacts_without_raw()?;
    contacts.sort_by(|a, b| a.id.cmp(&b.id));
    for c in &contacts {
        if linked.contains(c.id.as_str()) || tied.get(&c.id) == Some(&false) {
            continue;
        }
        if c.email.is_none() && c.phone.is_none() {
            s.skipped_no_email_or_phone += 1;
            continue;
        }
        if tied.get(&c.id) == Some(&true) {
            s.skipped_ambiguous += 1;
            continue;
        }
        out.push(insert_proposal(c));
    }
    Ok(())
}

fn insert_proposal(c: &Contact) -> Proposal {
    let (first, last) = match (&c.first_name, &c.last_name) {
        (None, None) => (c.full_name.clone(), None),
        (f, l) => (f.clone(), l.clone()),
    };
    let fields = [
        ("fname", "First name", "firstName", first),
        ("lname", "Last name", "lastName", last),
        ("email", "Email", "email", c.email.clone()),
        (
            "phone_mobile",
            "Mobile phone",
            "phone",
            c.phone.as_deref().map(e164_to_bmby_local),
        ),
        ("city", "City", "city", c.city.clone()),
        ("address", "Address", "address1", c.address1.clone()),
    ]
    .into_iter()
    .filter_map(|(f, label, src, v)| field(f, label, src, v))
    .collect();
    Proposal {
        client_id: String::new(),
        contact: Some(c.id.clone()),
        display_name: c.display_name(),
        subject: Subject::Contact,
        fields,
        origin: ORIGIN_CONTACT,
        fingerprint: insert_fingerprint(&c.id),
    }
}

fn into_change(id: u64, p: Proposal) -> Change {
    let now = jiff::Timestamp::now().to_string();
    Change {
        id,
        kind: ChangeKind::Create,
        state: ChangeState::Pending,
        client_id: p.client_id,
        contact_id: p.contact,
        display_name: p.display_name,
        fields: p.fields,
        base_date_updated: None,
        origin: p.origin.to_owned(),
        warnings: Vec::new(),
        candidates: Vec::new(),
        fingerprint: p.fingerprint,
        created_at: now.clone(),
        updated_at: now,
        subject: p.subject,
        target: Target::Bmby,
        choice: None,
        matched: None,
        removable_tags: Vec::new(),
    }
}
