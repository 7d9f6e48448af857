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
//! Each request is a [`GhlRequest`] value; creates are sent with [`GhlClient::call_once`]: a task or note has no natural key GHL could
//! refuse a second copy on, so a create that may have arrived is never resent here; the
//! dispatcher looks for it first.

use serde_json::{Map, Value};

use super::client::GhlClient;
use super::write::GhlRequest;
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

/// Where a write's answer holds its record (`task`, `note`) and how that record is read.
type Answer<T> = (&'static str, fn(&Value, &str) -> Option<T>);

/// A task write's answer: `{ task }`.
const TASK: Answer<Task> = ("task", wire::task_from_json);
/// A note write's answer: `{ note }`.
const NOTE: Answer<Note> = ("note", wire::note_from_json);

impl GhlClient {
    /// Sends one task or note write, its answer's `key` record read with `conv`.
    async fn activity_write<T>(
        &self,
        contact_id: &str,
        r: GhlRequest,
        (key, conv): Answer<T>,
    ) -> Result<ActivityWrite<T>, GhlError> {
        let v = self.send_request(&r).await?;
        Ok(ActivityWrite {
            record: v.get(key).and_then(|r| conv(r, contact_id)),
            trace_id: v.get("traceId").and_then(Value::as_str).map(clean_line),
        })
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
        let r = GhlRequest::activity_create(contact_id, "tasks", body);
        self.activity_write(contact_id, r, TASK).await
    }

    /// `PUT /contacts/{contactId}/tasks/{taskId}` with the fields to change.
    pub async fn update_task(
        &self,
        contact_id: &str,
        task_id: &str,
        body: &Map<String, Value>,
    ) -> Result<ActivityWrite<Task>, GhlError> {
        let r = GhlRequest::activity_update(contact_id, "tasks", task_id, body);
        self.activity_write(contact_id, r, TASK).await
    }

    /// `PUT /contacts/{contactId}/tasks/{taskId}/completed` `{ completed }`: complete or reopen.
    pub async fn set_task_completed(
        &self,
        contact_id: &str,
        task_id: &str,
        completed: bool,
    ) -> Result<ActivityWrite<Task>, GhlError> {
        let r = GhlRequest::task_completed(contact_id, task_id, completed);
        self.activity_write(contact_id, r, TASK).await
    }

    /// `DELETE /contacts/{contactId}/tasks/{taskId}`.
    pub async fn delete_task(
        &self,
        contact_id: &str,
        task_id: &str,
    ) -> Result<ActivityWrite<Task>, GhlError> {
        let r = GhlRequest::activity_delete(contact_id, "tasks", task_id);
        self.activity_write(contact_id, r, TASK).await
    }

    /// `POST /contacts/{contactId}/notes`. `body` must hold `body` (the note's text).
    pub async fn create_note(
        &self,
        contact_id: &str,
        body: &Map<String, Value>,
    ) -> Result<ActivityWrite<Note>, GhlError> {
        let r = GhlRequest::activity_create(contact_id, "notes", body);
        self.activity_write(contact_id, r, NOTE).await
    }

    /// `PUT /contacts/{contactId}/notes/{id}` with the fields to change.
    pub async fn update_note(
        &self,
        contact_id: &str,
        note_id: &str,
        body: &Map<String, Value>,
    ) -> Result<ActivityWrite<Note>, GhlError> {
        let r = GhlRequest::activity_update(contact_id, "notes", note_id, body);
        self.activity_write(contact_id, r, NOTE).await
    }

    /// `DELETE /contacts/{contactId}/notes/{id}`.
    pub async fn delete_note(
        &self,
        contact_id: &str,
        note_id: &str,
    ) -> Result<ActivityWrite<Note>, GhlError> {
        let r = GhlRequest::activity_delete(contact_id, "notes", note_id);
        self.activity_write(contact_id, r, NOTE).await
    }
}
