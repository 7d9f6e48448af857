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

/// Whether a write may be retried after it may have arrived (see the module docs).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Retry {
    /// Updates and deletes: the same request twice leaves the same state.
    Idempotent,
    /// Creates: sent with [`GhlClient::call_once`].
    Once,
}

/// Where a write's answer holds its record (`task`, `note`) and how that record is read.
type Answer<T> = (&'static str, fn(&Value, &str) -> Option<T>);

/// A task write's answer: `{ task }`.
const TASK: Answer<Task> = ("task", wire::task_from_json);
/// A note write's answer: `{ note }`.
const NOTE: Answer<Note> = ("note", wire::note_from_json);

impl GhlClient {
    /// One task or note write below `/contacts/{contactId}/…` (`rest` the further segments),
    /// its answer's `key` record read with `conv`.
    async fn activity_write<T>(
        &self,
        method: Method,
        contact_id: &str,
        rest: &[&str],
        body: Option<Value>,
        retry: Retry,
        (key, conv): Answer<T>,
    ) -> Result<ActivityWrite<T>, GhlError> {
        let mut segments = vec!["contacts", contact_id];
        segments.extend_from_slice(rest);
        let v = match retry {
            Retry::Idempotent => {
                self.call(ApiFamily::Contacts, method, &segments, &[], body.as_ref())
                    .await?
            }
            Retry::Once => {
                self.call_once(ApiFamily::Contacts, method, &segments, &[], body.as_ref())
                    .await?
            }
        };
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
        let body = Some(Value::Object(body.clone()));
        self.activity_write(
            Method::POST,
            contact_id,
            &["tasks"],
            body,
            Retry::Once,
            TASK,
        )
        .await
    }

    /// `PUT /contacts/{contactId}/tasks/{taskId}` with the fields to change.
    pub async fn update_task(
        &self,
        contact_id: &str,
        task_id: &str,
        body: &Map<String, Value>,
    ) -> Result<ActivityWrite<Task>, GhlError> {
        let body = Some(Value::Object(body.clone()));
        let rest = ["tasks", task_id];
        self.activity_write(
            Method::PUT,
            contact_id,
            &rest,
            body,
            Retry::Idempotent,
            TASK,
        )
        .await
    }

    /// `PUT /contacts/{contactId}/tasks/{taskId}/completed` `{ completed }`: complete or reopen.
    pub async fn set_task_completed(
        &self,
        contact_id: &str,
        task_id: &str,
        completed: bool,
    ) -> Result<ActivityWrite<Task>, GhlError> {
        let body = Some(json!({ "completed": completed }));
        let rest = ["tasks", task_id, "completed"];
        self.activity_write(
            Method::PUT,
            contact_id,
            &rest,
            body,
            Retry::Idempotent,
            TASK,
        )
        .await
    }

    /// `DELETE /contacts/{contactId}/tasks/{taskId}`.
    pub async fn delete_task(
        &self,
        contact_id: &str,
        task_id: &str,
    ) -> Result<ActivityWrite<Task>, GhlError> {
        let rest = ["tasks", task_id];
        self.activity_write(
            Method::DELETE,
            contact_id,
            &rest,
            None,
            Retry::Idempotent,
            TASK,
        )
        .await
    }

    /// `POST /contacts/{contactId}/notes`. `body` must hold `body` (the note's text).
    pub async fn create_note(
        &self,
        contact_id: &str,
        body: &Map<String, Value>,
    ) -> Result<ActivityWrite<Note>, GhlError> {
        let body = Some(Value::Object(body.clone()));
        self.activity_write(
            Method::POST,
            contact_id,
            &["notes"],
            body,
            Retry::Once,
            NOTE,
        )
        .await
    }

    /// `PUT /contacts/{contactId}/notes/{id}` with the fields to change.
    pub async fn update_note(
        &self,
        contact_id: &str,
        note_id: &str,
        body: &Map<String, Value>,
    ) -> Result<ActivityWrite<Note>, GhlError> {
        let body = Some(Value::Object(body.clone()));
        let rest = ["notes", note_id];
        self.activity_write(
            Method::PUT,
            contact_id,
            &rest,
            body,
            Retry::Idempotent,
            NOTE,
        )
        .await
    }

    /// `DELETE /contacts/{contactId}/notes/{id}`.
    pub async fn delete_note(
        &self,
        contact_id: &str,
        note_id: &str,
    ) -> Result<ActivityWrite<Note>, GhlError> {
        let rest = ["notes", note_id];
        self.activity_write(
            Method::DELETE,
            contact_id,
            &rest,
            None,
            Retry::Idempotent,
            NOTE,
        )
        .await
    }
}
