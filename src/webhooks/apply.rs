//! Applying stored webhook deliveries (the location's `webhook_inbox`) to the cache.
//!
//! Deliveries are taken oldest received first, each applied then removed from the inbox, so a
//! crash in between applies it again — which changes nothing (every step is an upsert or a
//! removal by id).
//!
//! **Order per record.** GHL may deliver late or out of order (retries). Each event has a
//! time: its record's `dateUpdated` when it carries one (appointments; a contact payload that
//! has it), else its signed `timestamp`. The newest time applied per record is kept
//! ([`crate::store::AppliedMark`]); an event older than it changes nothing, and neither does one
//! older than the cached contact's `dateUpdated` (a pull brought a newer record). An event at
//! the same time as a delete does not bring the record back.
//!
//! **What each event does.**
//! - Contact events merge the fields sent into the cached raw record (a field not sent keeps
//!   its cached value) and re-read it as a pull does ([`crate::ghl::wire::contact_from_json`]);
//!   ContactDelete removes the contact and what is cached under it.
//! - Task, note and appointment events update the contact's cached list by id (create/update:
//!   upsert; TaskComplete: completed; delete: removed). A list never fetched stays unfetched
//!   (**OUR CHOICE**: it is fetched whole when the contact is opened, and a list made of one
//!   event's task would look complete).
//! - A TaskCreate without `contactId` (a GHL quirk) is looked up among the cached tasks, then
//!   by `POST /locations/{locationId}/tasks/search` (the title as query; needs
//!   `locations/tasks.readonly`); not found → dropped with a log line (the reconciliation pull
//!   catches up).
//!
//! Each applied change is recorded in the `recent` tree with [`RecentSource::Webhook`], and
//! reported as [`SyncEvent::ContactsChanged`] (contacts) or [`SyncEvent::DetailsLoaded`]
//! (tasks, notes, appointments) to whoever listens (a running TUI).

use std::collections::HashMap;

use jiff::Timestamp;
use serde_json::{json, Map, Value};
use tokio::sync::mpsc::UnboundedSender;

use super::events::{parse, EventKind, WebhookEvent};
use crate::domain::{Contact, RecentChange, RecentField, RecentSource};
use crate::ghl::{ApiFamily, GhlClient};
use crate::store::{AppliedMark, Store, StoreError};
use crate::sync::SyncEvent;

/// What one [`apply_pending`] round did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplyReport {
    /// Events that changed the cache.
    pub applied: usize,
    /// Events older than what the cache holds (or repeats): nothing changed.
    pub older: usize,
    /// Deliveries dropped: unreadable, or a task whose contact could not be found.
    pub dropped: usize,
    /// Contacts whose record changed, in order, without repeats.
    pub contacts: Vec<String>,
    /// Contacts whose tasks, notes or appointments changed.
    pub details: Vec<String>,
}

/// How many deliveries one round reads from the inbox at a time.
const BATCH: usize = 512;

/// Applies every delivery waiting in `store`'s inbox (see the module docs), then records what
/// changed in the `recent` tree and sends it to `events`. `client` resolves a TaskCreate
/// without `contactId`; without one such a task is dropped.
///
/// Errors: a cache read or write failed (the delivery stays in the inbox for the next round).
pub async fn apply_pending(
    store: &Store,
    client: Option<&GhlClient>,
    events: Option<&UnboundedSender<SyncEvent>>,
) -> Result<ApplyReport, StoreError> {
    let mut report = ApplyReport::default();
    loop {
        let batch = store.webhook_inbox(BATCH)?;
        if batch.is_empty() {
            break;
        }
        let mut recent = Vec::new();
        for (id, w) in batch {
            let parsed = serde_json::from_str::<Value>(&w.body)
                .ok()
                .and_then(|v| parse(&v).ok());
            match parsed {
                None => {
                    tracing::warn!(inbox_id = id, "stored webhook unreadable; dropped");
                    report.dropped += 1;
                }
                Some(ev) => match apply_event(store, client, ev).await? {
                    Outcome::Applied {
                        contact,
                        detail,
                        entry,
                    } => {
                        report.applied += 1;
                        let list = if detail {
                            &mut report.details
                        } else {
                            &mut report.contacts
                        };
                        if !list.contains(&contact) {
                            list.push(contact);
                        }
                        recent.extend(entry);
                    }
                    Outcome::Older => report.older += 1,
                    Outcome::Dropped => report.dropped += 1,
                },
            }
            store.remove_webhook(id)?;
        }
        crate::sync::recent::record(store, &recent, Timestamp::now());
    }
    if let Some(tx) = events {
        if !report.contacts.is_empty() {
            let _ = tx.send(SyncEvent::ContactsChanged {
                ids: report.contacts.clone(),
            });
        }
        for c in &report.details {
            let _ = tx.send(SyncEvent::DetailsLoaded {
                contact_id: c.clone(),
            });
        }
        let mut told = std::collections::HashSet::new();
        for c in report.contacts.iter().chain(&report.details) {
            if told.insert(c) {
                let _ = tx.send(SyncEvent::UpdatedFromGhl {
                    contact_id: c.clone(),
                });
            }
        }
    }
    Ok(report)
}

/// What applying one event did.
#[derive(Debug)]
enum Outcome {
    Applied {
        contact: String,
        /// Tasks, notes or appointments (not the contact record) changed.
        detail: bool,
        entry: Option<RecentChange>,
    },
    Older,
    Dropped,
}

fn ms(s: &str) -> Option<i64> {
    crate::clock::instant(s)
        .or_else(|| s.parse::<Timestamp>().ok())
        .map(|t| t.as_millisecond())
}

/// The event's time (see the module docs), epoch ms.
fn event_ms(ev: &WebhookEvent) -> i64 {
    let own = match ev {
        WebhookEvent::Contact { fields, .. } => fields
            .get("dateUpdated")
            .and_then(Value::as_str)
            .and_then(ms),
        WebhookEvent::Appointment { date_updated, .. } => date_updated.as_deref().and_then(ms),
        _ => None,
    };
    own.or_else(|| ms(&ev.envelope().timestamp)).unwrap_or(0)
}

fn recent_entry(store: &Store, contact_id: &str, fields: Vec<RecentField>) -> RecentChange {
    let name = store
        .contact(contact_id)
        .ok()
        .flatten()
        .map_or_else(|| contact_id.to_owned(), |c| c.display_name());
    RecentChange {
        seen_at: crate::clock::iso_utc(Timestamp::now()),
        contact_id: contact_id.to_owned(),
        name,
        fields,
        source: RecentSource::Webhook,
        ..Default::default()
    }
}

fn field(field: &str, label: &str, before: Option<String>, after: Option<String>) -> RecentField {
    RecentField {
        field: field.into(),
        label: label.into(),
        before,
        after,
        ..Default::default()
    }
}

async fn apply_event(
    store: &Store,
    client: Option<&GhlClient>,
    mut ev: WebhookEvent,
) -> Result<Outcome, StoreError> {
    let kind = ev.envelope().kind;
    let at = event_ms(&ev);
    let key = ev.record_key();
    if let Some(mark) = store.webhook_applied(&key)? {
        if at < mark.at_ms || (at == mark.at_ms && mark.deleted && !kind.is_delete()) {
            return Ok(Outcome::Older);
        }
    }
    // A task GHL sent without its contact.
    if let WebhookEvent::Task { task, .. } = &mut ev {
        if task.contact_id.is_empty() {
            match find_task_contact(store, client, &task.id, &task.title).await? {
                Some(c) => task.contact_id = c,
                None => {
                    tracing::warn!(task = %task.id, "webhook task without contactId not found; dropped");
                    return Ok(Outcome::Dropped);
                }
            }
        }
    }
    let contact_id = ev.contact_id().to_owned();
    if contact_id.is_empty() {
        tracing::warn!(record = %key, "webhook event without contactId; dropped");
        return Ok(Outcome::Dropped);
    }
    let outcome = match ev {
        WebhookEvent::Contact { id, fields, .. } => apply_contact(store, kind, &id, fields, at)?,
        WebhookEvent::Task { task, .. } => {
            let Some(mut list) = store.tasks(&task.contact_id)? else {
                return mark_only(store, &key, at, kind, &contact_id, None);
            };
            let pos = list.iter().position(|t| t.id == task.id);
            let before = pos.map(|i| list[i].clone());
            match (kind, pos) {
                (EventKind::TaskDelete, Some(i)) => {
                    list.remove(i);
                }
                (EventKind::TaskDelete, None) => {}
                (_, Some(i)) => {
                    let t = &mut list[i];
                    if !task.title.is_empty() {
                        t.title = task.title.clone();
                    }
                    t.body = task.body.clone().or(t.body.take());
                    t.assigned_to = task.assigned_to.clone().or(t.assigned_to.take());
                    t.due_date = task.due_date.clone().or(t.due_date.take());
                    t.completed = kind == EventKind::TaskComplete;
                }
                (_, None) => list.push(task.clone()),
            }
            store.put_tasks(&task.contact_id, &list)?;
            let text = |t: &crate::domain::Task| {
                format!("{}{}", t.title, if t.completed { " (done)" } else { "" })
            };
            let after = (kind != EventKind::TaskDelete)
                .then(|| text(list.iter().find(|t| t.id == task.id).unwrap_or(&task)));
            let f = field(
                &format!("tasks.{}", task.id),
                "Task",
                before.as_ref().map(text),
                after,
            );
            Outcome::Applied {
                contact: contact_id.clone(),
                detail: true,
                entry: Some(recent_entry(store, &contact_id, vec![f])),
            }
        }
        WebhookEvent::Note { note, .. } => {
            let Some(mut list) = store.notes(&note.contact_id)? else {
                return mark_only(store, &key, at, kind, &contact_id, None);
            };
            let pos = list.iter().position(|n| n.id == note.id);
            let before = pos.map(|i| list[i].body.clone());
            match (kind, pos) {
                (EventKind::NoteDelete, Some(i)) => {
                    list.remove(i);
                }
                (EventKind::NoteDelete, None) => {}
                (_, Some(i)) => {
                    let n = &mut list[i];
                    n.body = note.body.clone();
                    n.date_added = note.date_added.clone().or(n.date_added.take());
                }
                (_, None) => list.insert(0, note.clone()),
            }
            store.put_notes(&note.contact_id, &list)?;
            let after = (kind != EventKind::NoteDelete).then(|| note.body.clone());
            let f = field(&format!("notes.{}", note.id), "Note", before, after);
            Outcome::Applied {
                contact: contact_id.clone(),
                detail: true,
                entry: Some(recent_entry(store, &contact_id, vec![f])),
            }
        }
        WebhookEvent::Appointment { appointment, .. } => {
            let cid = appointment.contact_id.clone();
            let Some(mut list) = store.appointments(&cid)? else {
                return mark_only(store, &key, at, kind, &contact_id, None);
            };
            let pos = list.iter().position(|a| a.id == appointment.id);
            let before = pos.map(|i| list[i].title.clone());
            match (kind, pos) {
                (EventKind::AppointmentDelete, Some(i)) => {
                    list.remove(i);
                }
                (EventKind::AppointmentDelete, None) => {}
                (_, Some(i)) => list[i] = appointment.clone(),
                (_, None) => list.push(appointment.clone()),
            }
            store.put_appointments(&cid, &list)?;
            let after = (kind != EventKind::AppointmentDelete).then(|| appointment.title.clone());
            let f = field(
                &format!("appointments.{}", appointment.id),
                "Appointment",
                before,
                after,
            );
            Outcome::Applied {
                contact: contact_id.clone(),
                detail: true,
                entry: Some(recent_entry(store, &contact_id, vec![f])),
            }
        }
    };
    if !matches!(outcome, Outcome::Older) {
        store.put_webhook_applied(
            &key,
            AppliedMark {
                at_ms: at,
                deleted: kind.is_delete(),
            },
        )?;
    }
    Ok(outcome)
}

/// The event's list was never fetched: only remember that the event was applied (so an older
/// one arriving later changes nothing either) and record it.
fn mark_only(
    store: &Store,
    key: &str,
    at: i64,
    kind: EventKind,
    contact_id: &str,
    entry: Option<RecentChange>,
) -> Result<Outcome, StoreError> {
    store.put_webhook_applied(
        key,
        AppliedMark {
            at_ms: at,
            deleted: kind.is_delete(),
        },
    )?;
    Ok(Outcome::Applied {
        contact: contact_id.to_owned(),
        detail: true,
        entry,
    })
}

fn apply_contact(
    store: &Store,
    kind: EventKind,
    id: &str,
    fields: Map<String, Value>,
    at: i64,
) -> Result<Outcome, StoreError> {
    let cached = store.contact(id)?;
    if let Some(c) = &cached {
        if c.date_updated
            .as_deref()
            .and_then(ms)
            .is_some_and(|d| d > at)
        {
            return Ok(Outcome::Older);
        }
    }
    if kind == EventKind::ContactDelete {
        let Some(old) = cached else {
            return Ok(Outcome::Applied {
                contact: id.to_owned(),
                detail: false,
                entry: None,
            });
        };
        store.remove_contact(id)?;
        let mut e = recent_entry(
            store,
            id,
            vec![field(
                "deleted",
                "Deleted in GHL",
                Some(old.display_name()),
                None,
            )],
        );
        e.name = old.display_name();
        return Ok(Outcome::Applied {
            contact: id.to_owned(),
            detail: false,
            entry: Some(e),
        });
    }
    let mut raw: Map<String, Value> = cached
        .as_ref()
        .and_then(|c| serde_json::from_str::<Value>(&c.raw_json).ok())
        .and_then(|v| match v {
            Value::Object(o) => Some(o),
            _ => None,
        })
        .unwrap_or_default();
    if let Some(name) = fields.get("name").cloned() {
        // GHL's derived display name follows the names.
        raw.insert("contactName".into(), name);
    }
    let sent: Vec<String> = fields.keys().cloned().collect();
    raw.extend(fields);
    raw.insert("id".into(), json!(id));
    let new = match crate::ghl::wire::contact_from_json(&Value::Object(raw)) {
        Ok(mut c) => {
            if let Some(old) = &cached {
                keep_unsent(old, &mut c, &sent);
            }
            c
        }
        Err(e) => {
            tracing::warn!(contact = %id, error = %e, "webhook contact unreadable; dropped");
            return Ok(Outcome::Dropped);
        }
    };
    let defs = store.custom_fields().unwrap_or_default();
    let (created, diff) = match &cached {
        None => (true, Vec::new()),
        Some(old) => (false, crate::sync::recent::contact_diff(old, &new, &defs)),
    };
    // No field we model changed, yet GHL's `dateUpdated` moved on: a field we do not show did.
    // (The echo of our own send carries the `dateUpdated` we already cached: nothing to say.)
    let unshown = !created
        && diff.is_empty()
        && new.date_updated.is_some()
        && !cached.as_ref().is_some_and(|old| {
            crate::sync::recent::same_instant(
                old.date_updated.as_deref(),
                new.date_updated.as_deref(),
            )
        });
    store.put_contacts(std::slice::from_ref(&new))?;
    let entry = (created || !diff.is_empty() || unshown).then(|| RecentChange {
        seen_at: crate::clock::iso_utc(Timestamp::now()),
        contact_id: id.to_owned(),
        name: new.display_name(),
        date_updated: new.date_updated.clone(),
        created,
        fields: diff,
        unshown,
        source: RecentSource::Webhook,
    });
    Ok(Outcome::Applied {
        contact: id.to_owned(),
        detail: false,
        entry,
    })
}

/// A webhook carries some of a contact's fields (GHL's ContactUpdate lists which); every
/// standard field it does not carry keeps its cached value, even when the cached raw record
/// lacks it (a record first cached from a search answer, then completed by `GET /contacts/{id}`).
fn keep_unsent(old: &crate::domain::Contact, new: &mut crate::domain::Contact, sent: &[String]) {
    let has = |k: &str| sent.iter().any(|s| s == k);
    macro_rules! keep {
        ($key:literal, $f:ident) => {
            if !has($key) && new.$f.is_none() {
                new.$f = old.$f.clone();
            }
        };
    }
    keep!("timezone", timezone);
    keep!("dateOfBirth", date_of_birth);
    keep!("website", website);
    keep!("postalCode", postal_code);
    keep!("companyName", company_name);
    keep!("address1", address1);
    keep!("city", city);
    keep!("state", state);
    keep!("country", country);
    keep!("source", source);
    keep!("type", contact_type);
    keep!("assignedTo", assigned_to);
    keep!("businessId", business_id);
    if !has("customFields") && !has("customField") && new.custom_fields.is_empty() {
        new.custom_fields = old.custom_fields.clone();
    }
    if !has("dndSettings") && new.dnd_settings.is_empty() {
        new.dnd_settings = old.dnd_settings.clone();
    }
}

/// The contact of task `task_id`: from the cached task lists, else from GHL's task search.
async fn find_task_contact(
    store: &Store,
    client: Option<&GhlClient>,
    task_id: &str,
    title: &str,
) -> Result<Option<String>, StoreError> {
    for row in store.contact_rows()? {
        if store
            .tasks(&row.id)?
            .is_some_and(|l| l.iter().any(|t| t.id == task_id))
        {
            return Ok(Some(row.id));
        }
    }
    let Some(client) = client else {
        return Ok(None);
    };
    let mut body = json!({ "limit": 100 });
    if !title.is_empty() {
        body["query"] = json!(title);
    }
    let loc = client.location_id().to_owned();
    match client
        .call(
            ApiFamily::Locations,
            reqwest::Method::POST,
            &["locations", &loc, "tasks", "search"],
            &[],
            Some(&body),
        )
        .await
    {
        Ok(v) => Ok(task_contact_of_search(&v, task_id)),
        Err(e) => {
            tracing::warn!(task = %task_id, error = %e, "task search for a webhook task failed");
            Ok(None)
        }
    }
}

/// The `contactId` of task `task_id` in an answer of `POST /locations/{id}/tasks/search`
/// (`{ tasks: [...] }`; items are loosely typed in the spec: `id` or `_id`, and `contactId` or
/// `contactDetails.id`, all read).
pub fn task_contact_of_search(v: &Value, task_id: &str) -> Option<String> {
    let items = v.get("tasks")?.as_array()?;
    items.iter().find_map(|t| {
        let id = t.get("id").or_else(|| t.get("_id"))?.as_str()?;
        if id != task_id {
            return None;
        }
        t.get("contactId")
            .or_else(|| t.get("contactDetails").and_then(|c| c.get("id")))
            .and_then(Value::as_str)
            .map(crate::sanitize::clean_line)
    })
}

/// The cached contacts by id (for tests and the benchmark: the cache compared with GHL's state).
pub fn cached_contacts(store: &Store) -> Result<HashMap<String, Contact>, StoreError> {
    Ok(store
        .contacts_without_raw()?
        .into_iter()
        .map(|c| (c.id.clone(), c))
        .collect())
}
