//! A contact's tasks, notes and appointments.

use serde::{Deserialize, Serialize};

/// A task (`GET /contacts/{contactId}/tasks`, GHL schema `TaskSchema`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    pub id: String,
    pub contact_id: String,
    pub title: String,
    /// Multi-line; newlines kept.
    pub body: Option<String>,
    pub assigned_to: Option<String>,
    /// ISO 8601 UTC, e.g. `2021-07-08T02:30:00.000Z`.
    pub due_date: Option<String>,
    pub completed: bool,
}

/// A note (`GET /contacts/{contactId}/notes`, GHL schema `GetNoteSchema`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub id: String,
    pub contact_id: String,
    /// Multi-line; newlines kept.
    pub body: String,
    pub title: Option<String>,
    pub user_id: Option<String>,
    /// ISO 8601 UTC.
    pub date_added: Option<String>,
    pub pinned: bool,
}

/// An appointment of a contact (`GET /contacts/{contactId}/appointments`, GHL schema
/// `GetEventSchema`). Times are kept as GHL sent them: this endpoint gives
/// `YYYY-MM-DD HH:MM:SS` with no zone, meaning the location's time zone; people see them
/// through [`crate::clock::location_text`] (Israel time, or labelled `location time` while the
/// zone is unknown).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Appointment {
    pub id: String,
    pub contact_id: String,
    pub calendar_id: Option<String>,
    pub title: String,
    pub start_time: Option<String>,
    pub end_time: Option<String>,
    /// `new|confirmed|cancelled|showed|noshow|invalid`.
    pub appointment_status: Option<String>,
    pub address: Option<String>,
    pub notes: Option<String>,
}
