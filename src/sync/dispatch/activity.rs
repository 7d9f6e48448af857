//! Dispatching changes of a contact's tasks and notes to GHL, exactly once.
//!
//! Tasks and notes carry no `dateUpdated` in GHL's schema, so the conflict check is per field:
//! before an update the record is read again, and a field whose value in GHL is neither the one
//! the change was based on (`FieldChange::ghl_now`) nor the proposed one makes the change a
//! conflict. A create whose outcome is unknown (a crash, a lost answer) first lists the contact's
//! tasks or notes and takes one with the same content as the earlier write's result, so it is
//! never created twice. A delete of a record that is already gone is applied.

use serde_json::{json, Map, Value};

use super::runner::Ctx;
use crate::domain::{ChangeKind, ChangeState, FieldChange, Note, Subject, Task};
use crate::ghl::WriteResult;
use crate::ghl::{ActivityWrite, ErrorKind, GhlError};
use crate::store::StoreError;

/// Task fields a change may carry (GHL's `UpdateTaskBody` names).
pub const TASK_FIELDS: &[&str] = &["title", "dueDate", "body", "completed"];

/// `yes`/`no`: how a task's `completed` is shown and stored in a change.
pub fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_owned()
}

/// The display value of a task's field (`title`, `dueDate`, `body`, `completed`).
pub fn task_value(t: &Task, field: &str) -> Option<String> {
    match field {
        "title" => Some(t.title.clone()).filter(|s| !s.is_empty()),
        "body" => t.body.clone().filter(|s| !s.is_empty()),
        "dueDate" => t.due_date.clone(),
        "completed" => Some(yes_no(t.completed)),
        _ => None,
    }
}

/// The display value of a note's field (`body`).
pub fn note_value(n: &Note, field: &str) -> Option<String> {
    match field {
        "body" => Some(n.body.clone()).filter(|s| !s.is_empty()),
        _ => None,
    }
}

/// True when two task/note values are the same (instants compared as instants).
fn same_value(field: &str, a: Option<&str>, b: Option<&str>) -> bool {
    if field == "dueDate" {
        let t = |s: Option<&str>| s.and_then(|s| s.parse::<jiff::Timestamp>().ok());
        if let (Some(x), Some(y)) = (t(a), t(b)) {
            return x == y;
        }
    }
    a.map(str::trim) == b.map(str::trim)
}

/// The JSON body for the change's fields: `completed` as a boolean, the rest as strings.
pub fn activity_body(fields: &[FieldChange]) -> Map<String, Value> {
    let mut body = Map::new();
    for f in fields {
        let v = match (f.field.as_str(), &f.proposed) {
            ("completed", p) => Value::Bool(p.as_deref() == Some("yes")),
            (_, Some(s)) => Value::String(s.clone()),
            (_, None) => Value::String(String::new()),
        };
        body.insert(f.field.clone(), v);
    }
    body
}

/// True when a task change only completes or reopens the task (sent to `/completed`).
pub fn only_completed(c: &crate::domain::Change) -> bool {
    c.fields.iter().all(|f| f.field == "completed")
}

/// A task create's body: GHL requires `title`, `dueDate` and `completed`.
pub fn task_create_body(fields: &[FieldChange]) -> Map<String, Value> {
    let mut body = activity_body(fields);
    body.entry("completed").or_insert(Value::Bool(false));
    body
}

/// Splits a task/note answer into what the journal needs and the record GHL returned.
fn split<T>(r: Result<ActivityWrite<T>, GhlError>) -> (Result<WriteResult, GhlError>, Option<T>) {
    match r {
        Ok(w) => (
            Ok(WriteResult {
                trace_id: w.trace_id,
                ..Default::default()
            }),
            w.record,
        ),
        Err(e) => (Err(e), None),
    }
}

/// Which record the change is about: `(contact id, record id, is task)`.
fn ids(cx: &Ctx<'_>) -> (String, Option<String>, bool) {
    let contact = cx.change.contact_id.clone().unwrap_or_default();
    match &cx.change.subject {
        Subject::Task { task_id } => (contact, task_id.clone(), true),
        Subject::Note { note_id } => (contact, note_id.clone(), false),
        Subject::Contact | Subject::Op(_) => (contact, None, false),
    }
}

fn set_record_id(cx: &mut Ctx<'_>, id: String) {
    match &mut cx.change.subject {
        Subject::Task { task_id } => *task_id = Some(id),
        Subject::Note { note_id } => *note_id = Some(id),
        Subject::Contact | Subject::Op(_) => {}
    }
}

/// Keeps the cached list of the contact's tasks true after a write.
fn cache_task(cx: &Ctx<'_>, contact: &str, id: &str, now: Option<&Task>) -> Result<(), StoreError> {
    let mut list = cx.store.tasks(contact)?.unwrap_or_default();
    list.retain(|t| t.id != id);
    if let Some(t) = now {
        list.push(t.clone());
    }
    cx.store.put_tasks(contact, &list)
}

/// Takes a deleted task (or note) out of the cached list.
fn forget(cx: &Ctx<'_>, contact: &str, id: &str, is_task: bool) -> Result<(), StoreError> {
    if is_task {
        cache_task(cx, contact, id, None)
    } else {
        cache_note(cx, contact, id, None)
    }
}

fn cache_note(cx: &Ctx<'_>, contact: &str, id: &str, now: Option<&Note>) -> Result<(), StoreError> {
    let mut list = cx.store.notes(contact)?.unwrap_or_default();
    list.retain(|n| n.id != id);
    if let Some(n) = now {
        list.insert(0, n.clone());
    }
    cx.store.put_notes(contact, &list)
}

/// Dispatches a task or note change (`cx.change.subject` is a task or a note).
pub(super) async fn dispatch(cx: &mut Ctx<'_>, resumed: bool) -> Result<ChangeState, StoreError> {
    match cx.change.kind {
        ChangeKind::Create => create(cx, resumed).await,
        ChangeKind::Update => update(cx).await,
        ChangeKind::Delete => delete(cx).await,
        ChangeKind::Ambiguous => {
            cx.info.last_error = Some("a task or note change cannot be ambiguous".into());
            cx.save(ChangeState::Failed)?;
            Ok(ChangeState::Failed)
        }
    }
}

/// The content a created record must have for an unknown outcome to count as written.
fn matches_created(cx: &Ctx<'_>, value: impl Fn(&str) -> Option<String>) -> bool {
    cx.change
        .fields
        .iter()
        .filter(|f| f.field != "completed")
        .all(|f| same_value(&f.field, value(&f.field).as_deref(), f.proposed.as_deref()))
}

async fn create(cx: &mut Ctx<'_>, resumed: bool) -> Result<ChangeState, StoreError> {
    let (contact, _, is_task) = ids(cx);
    let what = if is_task { "tasks" } else { "notes" };
    let path = format!("POST /contacts/{contact}/{what}");
    if resumed {
        // The earlier write may have gone through: look for it before writing again.
        let found = if is_task {
            match cx.client.contact_tasks(&contact).await {
                Ok(list) => list
                    .into_iter()
                    .find(|t| matches_created(cx, |f| task_value(t, f)))
                    .map(|t| t.id),
                Err(e) => return cx.fail(&e),
            }
        } else {
            match cx.client.contact_notes(&contact).await {
                Ok(list) => list
                    .into_iter()
                    .find(|n| matches_created(cx, |f| note_value(n, f)))
                    .map(|n| n.id),
                Err(e) => return cx.fail(&e),
            }
        };
        if let Some(id) = found {
            set_record_id(cx, id.clone());
            cx.journal(
                format!("GET /contacts/{contact}/{what}"),
                vec![],
                &Ok(WriteResult::default()),
                &format!("found {id} after an unknown outcome"),
            )?;
            cx.save(ChangeState::Applied)?;
            return Ok(ChangeState::Applied);
        }
    }
    let body = if is_task {
        task_create_body(&cx.change.fields)
    } else {
        activity_body(&cx.change.fields)
    };
    let fields: Vec<String> = body.keys().cloned().collect();
    let (r, id) = if is_task {
        let (r, rec) = split(cx.client.create_task(&contact, &body).await);
        if let Some(t) = &rec {
            cache_task(cx, &contact, &t.id, Some(t))?;
        }
        (r, rec.map(|t| t.id))
    } else {
        let (r, rec) = split(cx.client.create_note(&contact, &body).await);
        if let Some(n) = &rec {
            cache_note(cx, &contact, &n.id, Some(n))?;
        }
        (r, rec.map(|n| n.id))
    };
    match &r {
        Ok(_) => {
            let id = id.unwrap_or_default();
            set_record_id(cx, id.clone());
            cx.journal(path, fields, &r, &format!("created {id}"))?;
            cx.save(ChangeState::Applied)?;
            Ok(ChangeState::Applied)
        }
        Err(e) if matches!(e.kind(), ErrorKind::UnknownOutcome | ErrorKind::BadAnswer) => {
            cx.info.last_error = Some(e.to_string());
            cx.journal(path, fields, &r, "no answer; outcome unknown")?;
            cx.save(ChangeState::InFlight)?;
            Ok(ChangeState::InFlight)
        }
        Err(e) => {
            cx.journal(path, fields, &r, "failed")?;
            cx.fail(e)
        }
    }
}

/// Reads the record again; `Ok(None)` when it no longer exists.
async fn read_now(
    cx: &Ctx<'_>,
    contact: &str,
    id: &str,
    is_task: bool,
) -> Result<Option<Vec<(String, Option<String>)>>, GhlError> {
    let fields: Vec<String> = cx.change.fields.iter().map(|f| f.field.clone()).collect();
    if is_task {
        let list = cx.client.contact_tasks(contact).await?;
        Ok(list.iter().find(|t| t.id == id).map(|t| {
            fields
                .iter()
                .map(|f| (f.clone(), task_value(t, f)))
                .collect()
        }))
    } else {
        let list = cx.client.contact_notes(contact).await?;
        Ok(list.iter().find(|n| n.id == id).map(|n| {
            fields
                .iter()
                .map(|f| (f.clone(), note_value(n, f)))
                .collect()
        }))
    }
}

async fn update(cx: &mut Ctx<'_>) -> Result<ChangeState, StoreError> {
    let (contact, id, is_task) = ids(cx);
    let id = id.unwrap_or_default();
    let what = if is_task { "tasks" } else { "notes" };
    let now = match read_now(cx, &contact, &id, is_task).await {
        Ok(Some(now)) => {
            cx.before = crate::sync::journal::ReadBefore::Values(now.clone());
            now
        }
        Ok(None) => {
            cx.info.last_error = Some(format!("{} {id} no longer exists in GHL", &what[..4]));
            cx.save(ChangeState::Failed)?;
            return Ok(ChangeState::Failed);
        }
        Err(e) if e.is_not_found() => {
            cx.info.last_error = Some(format!("contact {contact} no longer exists in GHL"));
            cx.save(ChangeState::Failed)?;
            return Ok(ChangeState::Failed);
        }
        Err(e) => return cx.fail(&e),
    };
    let value_now = |f: &FieldChange| {
        now.iter()
            .find(|(k, _)| *k == f.field)
            .and_then(|(_, v)| v.clone())
    };
    if cx
        .change
        .fields
        .iter()
        .all(|f| same_value(&f.field, value_now(f).as_deref(), f.proposed.as_deref()))
    {
        cx.save(ChangeState::Applied)?;
        return Ok(ChangeState::Applied);
    }
    let moved: Vec<&FieldChange> = cx
        .change
        .fields
        .iter()
        .filter(|f| {
            let v = value_now(f);
            !same_value(&f.field, v.as_deref(), f.ghl_now.as_deref())
                && !same_value(&f.field, v.as_deref(), f.proposed.as_deref())
        })
        .collect();
    if !moved.is_empty() {
        let names: Vec<String> = moved.iter().map(|f| f.label.clone()).collect();
        cx.info.ghl_now = now.clone();
        cx.info.last_error = Some(format!(
            "the {} changed in GHL after the edit: {}",
            &what[..4],
            names.join(", ")
        ));
        cx.save(ChangeState::Conflict)?;
        return Ok(ChangeState::Conflict);
    }
    let (path, body, r) = if is_task && only_completed(&cx.change) {
        let done = cx.change.proposed("completed") == Some("yes");
        let (r, rec) = split(cx.client.set_task_completed(&contact, &id, done).await);
        if let Some(t) = &rec {
            cache_task(cx, &contact, &id, Some(t))?;
        }
        (
            format!("PUT /contacts/{contact}/tasks/{id}/completed"),
            json!({ "completed": done }),
            r,
        )
    } else {
        let body = activity_body(&cx.change.fields);
        let r = if is_task {
            let (r, rec) = split(cx.client.update_task(&contact, &id, &body).await);
            if let Some(t) = &rec {
                cache_task(cx, &contact, &id, Some(t))?;
            }
            r
        } else {
            let (r, rec) = split(cx.client.update_note(&contact, &id, &body).await);
            if let Some(n) = &rec {
                cache_note(cx, &contact, &id, Some(n))?;
            }
            r
        };
        (
            format!("PUT /contacts/{contact}/{what}/{id}"),
            Value::Object(body),
            r,
        )
    };
    let fields: Vec<String> = body
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    match &r {
        Ok(_) => {
            cx.journal(path, fields, &r, "applied")?;
            cx.save(ChangeState::Applied)?;
            Ok(ChangeState::Applied)
        }
        Err(e) => {
            cx.journal(path, fields, &r, "failed")?;
            cx.fail(e)
        }
    }
}

async fn delete(cx: &mut Ctx<'_>) -> Result<ChangeState, StoreError> {
    let (contact, id, is_task) = ids(cx);
    let id = id.unwrap_or_default();
    let what = if is_task { "tasks" } else { "notes" };
    match read_now(cx, &contact, &id, is_task).await {
        Ok(None) => {
            forget(cx, &contact, &id, is_task)?;
            cx.save(ChangeState::Applied)?;
            return Ok(ChangeState::Applied);
        }
        Err(e) if e.is_not_found() => {
            cx.save(ChangeState::Applied)?;
            return Ok(ChangeState::Applied);
        }
        Err(e) => return cx.fail(&e),
        Ok(Some(now)) => cx.before = crate::sync::journal::ReadBefore::Values(now),
    }
    let path = format!("DELETE /contacts/{contact}/{what}/{id}");
    let r = if is_task {
        split(cx.client.delete_task(&contact, &id).await).0
    } else {
        split(cx.client.delete_note(&contact, &id).await).0
    };
    match &r {
        Ok(_) => {
            forget(cx, &contact, &id, is_task)?;
            cx.journal(path, vec![], &r, "deleted")?;
            cx.save(ChangeState::Applied)?;
            Ok(ChangeState::Applied)
        }
        Err(e) if e.is_not_found() => {
            // A retry after a lost answer finds it gone: the first delete went through.
            forget(cx, &contact, &id, is_task)?;
            cx.journal(path, vec![], &r, "already gone")?;
            cx.save(ChangeState::Applied)?;
            Ok(ChangeState::Applied)
        }
        Err(e) => {
            cx.journal(path, vec![], &r, "failed")?;
            cx.fail(e)
        }
    }
}
