//! `GET /contacts/{contactId}` and its sub-resources (`apps/contacts.json`, Version 2021-07-28).
//! An unknown contact id answers 400 `{"statusCode":400,"message":"Contact with id <id> not found"}`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::errors;
use super::state::Shared;

/// `GET /contacts/{contactId}` → 200 `{"contact": Contact}` (`ContactsByIdSuccessfulResponseDto`,
/// full GET shape: `address1`, `dateOfBirth` as a date string, `customFields:[{id,value}]`, …).
pub async fn get_contact(State(sh): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let store = sh.read();
    match store.get(&id) {
        Some(c) => Json(json!({ "contact": c.doc })).into_response(),
        None => errors::contact_not_found(&id),
    }
}

fn sub_list(
    sh: &Shared,
    id: &str,
    key: &str,
    pick: impl Fn(&super::state::Store) -> &HashMap<String, Vec<Value>>,
) -> Response {
    let store = sh.read();
    if store.get(id).is_none() {
        return errors::contact_not_found(id);
    }
    let items = pick(&store).get(id).cloned().unwrap_or_default();
    let mut body = serde_json::Map::new();
    body.insert(key.into(), Value::Array(items));
    Json(Value::Object(body)).into_response()
}

/// `GET /contacts/{contactId}/tasks` → 200 `{"tasks":[TaskSchema]}`; task fields
/// `id, title, body, assignedTo, dueDate (ISO ms Z), completed, contactId`.
pub async fn get_tasks(State(sh): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    sub_list(&sh, &id, "tasks", |s| &s.tasks)
}

/// `GET /contacts/{contactId}/notes` → 200 `{"notes":[GetNoteSchema]}`; note fields
/// `id, body, userId, dateAdded, contactId` and, on some notes only, `title, color, pinned`.
pub async fn get_notes(State(sh): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    sub_list(&sh, &id, "notes", |s| &s.notes)
}

/// `GET /contacts/{contactId}/appointments` → 200 `{"events":[GetEventSchema]}`; times
/// (`startTime`, `endTime`, `dateAdded`, `dateUpdated`) as `"YYYY-MM-DD HH:MM:SS"` without zone,
/// like the spec example.
pub async fn get_appointments(State(sh): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    sub_list(&sh, &id, "events", |s| &s.appointments)
}
