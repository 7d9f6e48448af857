//! Writes of a contact's tasks and notes (Contacts API, `Version: 2021-07-28`,
//! `apps/contacts.json`):
//! - `POST /contacts/{contactId}/tasks` body `CreateTaskParams` `{ title*, dueDate*, completed*,
//!   body?, assignedTo? }` → 201 `{ task }`;
//! - `PUT /contacts/{contactId}/tasks/{taskId}` body `UpdateTaskBody` (any of `title, body,
//!   dueDate, completed, assignedTo`) → 200 `{ task }`;
//! - `PUT /contacts/{contactId}/tasks/{taskId}/completed` `{ completed* }` → 200 `{ task }`;
//! - `DELETE /contacts/{contactId}/tasks/{taskId}` → 200 `{ succeded: true }`;
//! - `POST /contacts/{contactId}/notes` body `NotesDTO` `{ body*, userId?, title?, color?,
//!   pinned? }` → 201 `{ note }` (never `locationId`: GHL answers 422);
//! - `PUT /contacts/{contactId}/notes/{id}` → 200 `{ note }`;
//! - `DELETE /contacts/{contactId}/notes/{id}` → 200 `{ succeded: true }`.
//!
//! A missing contact, task or note answers 400 (GHL's words kept in [`GhlError::Api`]).
//!
//! Creates are sent with [`GhlClient::call_once`]: a task or note has no natural key GHL could
//! refuse a second copy on, so a create that may have arrived is never resent here; the
//! dispatcher looks for it first.

use reqwest::Method;
use serde_json::{json, Map, Value};

use super::client::{ApiFamily, GhlClient};
use super::{wire, GhlError};
use crate::domain::{Note, Task};
use crate::sanitize::clean_line;

/// What a task or note write returned: the record as GHL now has it (absent for a delete or an
/// answer without it) and GHL's `traceId` when present.
#[derive(Debug, Clone, Default)]
pub struct ActivityWrite<T> {
    pub record: Option<T>,
    pub trace_id: Option<String>,
}

fn result<T>(
    v: &Value,
    key: &str,
    contact_id: &str,
    conv: fn(&Value, &str) -> Option<T>,
) -> ActivityWrite<T> {
    ActivityWrite {
        record: v.get(key).and_then(|r| conv(r, contact_id)),
        trace_id: v.get("traceId").and_then(Value::as_str).map(clean_line),
    }
}

impl GhlClient {
    /// `POST /contacts/{contactId}/tasks`. `body` must hold `title`, `dueDate` (ISO 8601) and
    /// `completed`.
    pub async fn create_task(
        &self,
        contact_id: &str,
        body: &Map<String, Value>,
    ) -> Result<ActivityWrite<Task>, GhlError> {
        let v = self
            .call_once(
                ApiFamily::Contacts,
                Method::POST,
                &["contacts", contact_id, "tasks"],
                &[],
                Some(&Value::Object(body.clone())),
            )
            .await?;
        Ok(result(&v, "task", contact_id, wire::task_from_json))
    }

    /// `PUT /contacts/{contactId}/tasks/{taskId}` with the fields to change.
    pub async fn update_task(
        &self,
        contact_id: &str,
        task_id: &str,
        body: &Map<String, Value>,
    ) -> Result<ActivityWrite<Task>, GhlError> {
        let v = self
            .call(
                ApiFamily::Contacts,
                Method::PUT,
                &["contacts", contact_id, "tasks", task_id],
                &[],
                Some(&Value::Object(body.clone())),
            )
            .await?;
        Ok(result(&v, "task", contact_id, wire::task_from_json))
    }

    /// `PUT /contacts/{contactId}/tasks/{taskId}/completed` `{ completed }`: complete or reopen.
    pub async fn set_task_completed(
        &self,
        contact_id: &str,
        task_id: &str,
        completed: bool,
    ) -> Result<ActivityWrite<Task>, GhlError> {
        let v = self
            .call(
                ApiFamily::Contacts,
                Method::PUT,
                &["contacts", contact_id, "tasks", task_id, "completed"],
                &[],
                Some(&json!({ "completed": completed })),
            )
            .await?;
        Ok(result(&v, "task", contact_id, wire::task_from_json))
    }

    /// `DELETE /contacts/{contactId}/tasks/{taskId}`.
    pub async fn delete_task(
        &self,
        contact_id: &str,
        task_id: &str,
    ) -> Result<ActivityWrite<Task>, GhlError> {
        let v = self
            .call(
                ApiFamily::Contacts,
                Method::DELETE,
                &["contacts", contact_id, "tasks", task_id],
                &[],
                None,
            )
            .await?;
        Ok(result(&v, "task", contact_id, wire::task_from_json))
    }

    /// `POST /contacts/{contactId}/notes`. `body` must hold `body` (the note's text).
    pub async fn create_note(
        &self,
        contact_id: &str,
        body: &Map<String, Value>,
    ) -> Result<ActivityWrite<Note>, GhlError> {
        let v = self
            .call_once(
                ApiFamily::Contacts,
                Method::POST,
                &["contacts", contact_id, "notes"],
                &[],
                Some(&Value::Object(body.clone())),
            )
            .await?;
        Ok(result(&v, "note", contact_id, wire::note_from_json))
    }

    /// `PUT /contacts/{contactId}/notes/{id}` with the fields to change.
    pub async fn update_note(
        &self,
        contact_id: &str,
        note_id: &str,
        body: &Map<String, Value>,
    ) -> Result<ActivityWrite<Note>, GhlError> {
        let v = self
            .call(
                ApiFamily::Contacts,
                Method::PUT,
                &["contacts", contact_id, "notes", note_id],
                &[],
                Some(&Value::Object(body.clone())),
            )
            .await?;
        Ok(result(&v, "note", contact_id, wire::note_from_json))
    }

    /// `DELETE /contacts/{contactId}/notes/{id}`.
    pub async fn delete_note(
        &self,
        contact_id: &str,
        note_id: &str,
    ) -> Result<ActivityWrite<Note>, GhlError> {
        let v = self
            .call(
                ApiFamily::Contacts,
                Method::DELETE,
                &["contacts", contact_id, "notes", note_id],
                &[],
                None,
            )
            .await?;
        Ok(result(&v, "note", contact_id, wire::note_from_json))
    }
}
