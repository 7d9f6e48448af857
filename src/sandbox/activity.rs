//! Task and note writes of a contact (`apps/contacts.json`, Version 2021-07-28), validated the
//! way GHL's NestJS DTOs do:
//! - `POST /contacts/{contactId}/tasks` (`CreateTaskParams`: `title*` string, `dueDate*` ISO
//!   date string, `completed*` boolean, `body?`, `assignedTo?`) → 201 `{ task }`;
//! - `GET|PUT|DELETE /contacts/{contactId}/tasks/{taskId}` (`UpdateTaskBody`: any of `title, body,
//!   dueDate, completed, assignedTo`) → 200 `{ task }` / `{ succeded: true }`;
//! - `PUT /contacts/{contactId}/tasks/{taskId}/completed` (`{ completed* }`) → 200 `{ task }`;
//! - `POST /contacts/{contactId}/notes` (`NotesDTO`: `body*` string, `userId?`, `title?`, `color?`,
//!   `pinned?`) → 201 `{ note }`; `GET|PUT|DELETE …/notes/{id}` → 200.
//!
//! Unknown properties (`locationId` included) → 422 `["property X should not exist"]`; a wrong
//! type → 422 in class-validator's words; an unknown contact → 400 `Contact with id … not found`;
//! an unknown task or note → 400 `Task with id … not found` / `Note with id … not found`.

// Handlers return early with a ready HTTP answer; that is the natural error type here.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

use super::errors;
use super::ids;
use super::state::{Shared, Store};

/// `CreateTaskParams` / `UpdateTaskBody` properties.
pub const TASK_FIELDS: &[&str] = &["title", "body", "dueDate", "completed", "assignedTo"];
/// `NotesDTO` properties.
pub const NOTE_FIELDS: &[&str] = &["body", "userId", "title", "color", "pinned"];

#[derive(Clone, Copy)]
enum Kind {
    Task,
    Note,
}

impl Kind {
    fn key(self) -> &'static str {
        match self {
            Kind::Task => "task",
            Kind::Note => "note",
        }
    }
    fn name(self) -> &'static str {
        match self {
            Kind::Task => "Task",
            Kind::Note => "Note",
        }
    }
    fn list(self, s: &mut Store) -> &mut std::collections::HashMap<String, Vec<Value>> {
        match self {
            Kind::Task => &mut s.tasks,
            Kind::Note => &mut s.notes,
        }
    }
}

/// Checks a body against a DTO: an object, no unknown property, the right types, and (for a
/// create) the required properties.
fn validate(
    body: Option<Json<Value>>,
    allowed: &[&str],
    required: &[&str],
) -> Result<Map<String, Value>, Response> {
    let Some(Json(Value::Object(body))) = body else {
        return Err(errors::unprocessable(vec![
            "body must be a JSON object".into()
        ]));
    };
    let mut problems: Vec<String> = body
        .keys()
        .filter(|k| !allowed.contains(&k.as_str()))
        .map(|k| format!("property {k} should not exist"))
        .collect();
    for (k, v) in &body {
        let ok = match k.as_str() {
            "completed" | "pinned" => v.is_boolean(),
            "dueDate" => v.as_str().and_then(ids::parse_ms).is_some(),
            _ => v.is_string(),
        };
        if allowed.contains(&k.as_str()) && !ok {
            problems.push(match k.as_str() {
                "completed" | "pinned" => format!("{k} must be a boolean value"),
                "dueDate" => format!("{k} must be a valid ISO 8601 date string"),
                _ => format!("{k} must be a string"),
            });
        }
    }
    for r in required {
        if !body.contains_key(*r) {
            problems.push(format!("{r} should not be empty"));
        }
    }
    if problems.is_empty() {
        Ok(body)
    } else {
        Err(errors::unprocessable(problems))
    }
}

fn not_found(kind: Kind, id: &str) -> Response {
    errors::bad_request(format!("{} with id {id} not found", kind.name()))
}

fn one(v: Value, kind: Kind, status: StatusCode) -> Response {
    let mut m = Map::new();
    m.insert(kind.key().into(), v);
    m.insert("traceId".into(), Value::String(ids::trace_id()));
    (status, Json(Value::Object(m))).into_response()
}

fn create(sh: &Shared, contact_id: &str, kind: Kind, body: Map<String, Value>) -> Response {
    if sh.read().get(contact_id).is_none() {
        return errors::contact_not_found(contact_id);
    }
    let mut doc = body;
    doc.insert("id".into(), Value::String(ids::new_id()));
    doc.insert("contactId".into(), Value::String(contact_id.to_owned()));
    if let Kind::Note = kind {
        doc.insert(
            "dateAdded".into(),
            Value::String(ids::iso_ms(ids::now_ms())),
        );
    }
    let out = Value::Object(doc);
    sh.with_store_mut(|s| {
        kind.list(s)
            .entry(contact_id.to_owned())
            .or_default()
            .push(out.clone())
    });
    one(out, kind, StatusCode::CREATED)
}

/// Applies `f` to one task or note; the record afterwards.
fn modify(
    sh: &Shared,
    contact_id: &str,
    kind: Kind,
    id: &str,
    f: impl FnOnce(&mut Map<String, Value>),
) -> Response {
    if sh.read().get(contact_id).is_none() {
        return errors::contact_not_found(contact_id);
    }
    let found = sh.with_store_mut(|s| {
        let item = kind
            .list(s)
            .get_mut(contact_id)?
            .iter_mut()
            .find(|v| v.get("id").and_then(Value::as_str) == Some(id))?;
        let m = item.as_object_mut()?;
        f(m);
        Some(Value::Object(m.clone()))
    });
    match found {
        Some(v) => one(v, kind, StatusCode::OK),
        None => not_found(kind, id),
    }
}

fn remove(sh: &Shared, contact_id: &str, kind: Kind, id: &str) -> Response {
    if sh.read().get(contact_id).is_none() {
        return errors::contact_not_found(contact_id);
    }
    let removed = sh.with_store_mut(|s| {
        let list = kind.list(s).get_mut(contact_id)?;
        let n = list.len();
        list.retain(|v| v.get("id").and_then(Value::as_str) != Some(id));
        (list.len() < n).then_some(())
    });
    match removed {
        Some(()) => Json(json!({ "succeded": true })).into_response(),
        None => not_found(kind, id),
    }
}

fn merge(doc: &mut Map<String, Value>, body: Map<String, Value>) {
    for (k, v) in body {
        doc.insert(k, v);
    }
}

/// `POST /contacts/{contactId}/tasks`.
pub async fn create_task(
    State(sh): State<Arc<Shared>>,
    Path(contact_id): Path<String>,
    body: Option<Json<Value>>,
) -> Response {
    match validate(body, TASK_FIELDS, &["title", "dueDate", "completed"]) {
        Ok(b) => create(&sh, &contact_id, Kind::Task, b),
        Err(r) => r,
    }
}

/// `GET /contacts/{contactId}/tasks/{taskId}`.
pub async fn get_task(
    State(sh): State<Arc<Shared>>,
    Path((contact_id, id)): Path<(String, String)>,
) -> Response {
    modify(&sh, &contact_id, Kind::Task, &id, |_| {})
}

/// `PUT /contacts/{contactId}/tasks/{taskId}`.
pub async fn update_task(
    State(sh): State<Arc<Shared>>,
    Path((contact_id, id)): Path<(String, String)>,
    body: Option<Json<Value>>,
) -> Response {
    match validate(body, TASK_FIELDS, &[]) {
        Ok(b) => modify(&sh, &contact_id, Kind::Task, &id, |d| merge(d, b)),
        Err(r) => r,
    }
}

/// `PUT /contacts/{contactId}/tasks/{taskId}/completed`.
pub async fn complete_task(
    State(sh): State<Arc<Shared>>,
    Path((contact_id, id)): Path<(String, String)>,
    body: Option<Json<Value>>,
) -> Response {
    match validate(body, &["completed"], &["completed"]) {
        Ok(b) => modify(&sh, &contact_id, Kind::Task, &id, |d| merge(d, b)),
        Err(r) => r,
    }
}

/// `DELETE /contacts/{contactId}/tasks/{taskId}`.
pub async fn delete_task(
    State(sh): State<Arc<Shared>>,
    Path((contact_id, id)): Path<(String, String)>,
) -> Response {
    remove(&sh, &contact_id, Kind::Task, &id)
}

/// `POST /contacts/{contactId}/notes`.
pub async fn create_note(
    State(sh): State<Arc<Shared>>,
    Path(contact_id): Path<String>,
    body: Option<Json<Value>>,
) -> Response {
    match validate(body, NOTE_FIELDS, &["body"]) {
        Ok(b) => create(&sh, &contact_id, Kind::Note, b),
        Err(r) => r,
    }
}

/// `GET /contacts/{contactId}/notes/{id}`.
pub async fn get_note(
    State(sh): State<Arc<Shared>>,
    Path((contact_id, id)): Path<(String, String)>,
) -> Response {
    modify(&sh, &contact_id, Kind::Note, &id, |_| {})
}

/// `PUT /contacts/{contactId}/notes/{id}`.
pub async fn update_note(
    State(sh): State<Arc<Shared>>,
    Path((contact_id, id)): Path<(String, String)>,
    body: Option<Json<Value>>,
) -> Response {
    match validate(body, NOTE_FIELDS, &[]) {
        Ok(b) => modify(&sh, &contact_id, Kind::Note, &id, |d| merge(d, b)),
        Err(r) => r,
    }
}

/// `DELETE /contacts/{contactId}/notes/{id}`.
pub async fn delete_note(
    State(sh): State<Arc<Shared>>,
    Path((contact_id, id)): Path<(String, String)>,
) -> Response {
    remove(&sh, &contact_id, Kind::Note, &id)
}
