//! GHL webhook events as typed values (`../shared/ghl-api/docs/webhook events/`), read from a
//! verified body. Every string is sanitized here, at the boundary ([`crate::sanitize`]), as
//! [`crate::ghl::wire`] does for API answers.
//!
//! Envelope fields of a signed delivery: `type` (the event name), `locationId`, `webhookId`,
//! `timestamp` (ISO 8601), and on live payloads `appId`, `versionId` (ghl-api.md §9).
//! Payloads:
//! - contact events: flat contact fields (`id, firstName, …, tags[], customFields[{id,value}]`;
//!   `dndSettings` on ContactDndUpdate). Note the event's `type` shadows the contact's own `type`
//!   (lead/customer), which these events therefore never carry;
//! - task events: `id, assignedTo, body, contactId, title, dateAdded, dueDate` (TaskCreate may
//!   lack `contactId` and `body`, a known GHL quirk);
//! - note events: `id, body, contactId, dateAdded`;
//! - appointment events: `{ appointment: { id, …, contactId, startTime, endTime, dateUpdated } }`
//!   (the docs' Update/Delete examples wrongly say `"type":"AppointmentCreate"`: the HTTP type
//!   we trust is the `type` field as sent).

use serde_json::{Map, Value};

use crate::domain::{Appointment, Note, Task};
use crate::sanitize::{clean_json, clean_line};

/// The event types this receiver understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    ContactCreate,
    ContactUpdate,
    ContactDelete,
    ContactDndUpdate,
    ContactTagUpdate,
    TaskCreate,
    TaskComplete,
    TaskDelete,
    NoteCreate,
    NoteUpdate,
    NoteDelete,
    AppointmentCreate,
    AppointmentUpdate,
    AppointmentDelete,
}

impl EventKind {
    /// Every kind, in the order of the issue.
    pub const ALL: [EventKind; 14] = [
        EventKind::ContactCreate,
        EventKind::ContactUpdate,
        EventKind::ContactDelete,
        EventKind::ContactDndUpdate,
        EventKind::ContactTagUpdate,
        EventKind::TaskCreate,
        EventKind::TaskComplete,
        EventKind::TaskDelete,
        EventKind::NoteCreate,
        EventKind::NoteUpdate,
        EventKind::NoteDelete,
        EventKind::AppointmentCreate,
        EventKind::AppointmentUpdate,
        EventKind::AppointmentDelete,
    ];

    /// The `type` GHL sends.
    pub fn name(self) -> &'static str {
        match self {
            EventKind::ContactCreate => "ContactCreate",
            EventKind::ContactUpdate => "ContactUpdate",
            EventKind::ContactDelete => "ContactDelete",
            EventKind::ContactDndUpdate => "ContactDndUpdate",
            EventKind::ContactTagUpdate => "ContactTagUpdate",
            EventKind::TaskCreate => "TaskCreate",
            EventKind::TaskComplete => "TaskComplete",
            EventKind::TaskDelete => "TaskDelete",
            EventKind::NoteCreate => "NoteCreate",
            EventKind::NoteUpdate => "NoteUpdate",
            EventKind::NoteDelete => "NoteDelete",
            EventKind::AppointmentCreate => "AppointmentCreate",
            EventKind::AppointmentUpdate => "AppointmentUpdate",
            EventKind::AppointmentDelete => "AppointmentDelete",
        }
    }

    /// The kind named `type`, if it is one of ours.
    pub fn from_name(name: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Whether the event removes its record.
    pub fn is_delete(self) -> bool {
        matches!(
            self,
            EventKind::ContactDelete
                | EventKind::TaskDelete
                | EventKind::NoteDelete
                | EventKind::AppointmentDelete
        )
    }
}

/// The signed envelope every event carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    pub kind: EventKind,
    pub location_id: String,
    /// `webhookId`: unique per delivery of an event (repeats are replays or GHL retries).
    pub webhook_id: String,
    /// `timestamp` as sent (ISO 8601).
    pub timestamp: String,
}

/// One webhook event, sanitized.
#[derive(Debug, Clone, PartialEq)]
pub enum WebhookEvent {
    /// ContactCreate / ContactUpdate / ContactDelete / ContactDndUpdate / ContactTagUpdate: the
    /// contact fields sent (envelope fields removed, strings sanitized), GET-shaped so
    /// [`crate::ghl::wire::contact_from_json`] reads them.
    Contact {
        env: Envelope,
        id: String,
        fields: Map<String, Value>,
    },
    /// TaskCreate / TaskComplete / TaskDelete. `task.contact_id` is empty when GHL left
    /// `contactId` out; `task.completed` is true for TaskComplete.
    Task { env: Envelope, task: Task },
    /// NoteCreate / NoteUpdate / NoteDelete.
    Note { env: Envelope, note: Note },
    /// AppointmentCreate / AppointmentUpdate / AppointmentDelete, with the appointment's
    /// `dateUpdated` when sent.
    Appointment {
        env: Envelope,
        appointment: Appointment,
        date_updated: Option<String>,
    },
}

/// Why a body is not an event we take. Never carries the body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    #[error("body is not a JSON object")]
    NotJson,
    #[error("no {0} in the body")]
    Missing(&'static str),
    #[error("event type {0} is not one this receiver handles")]
    UnknownType(String),
}

const ENVELOPE: &[&str] = &[
    "type",
    "locationId",
    "webhookId",
    "timestamp",
    "appId",
    "versionId",
];

fn s(m: &Map<String, Value>, key: &str) -> Option<String> {
    match m.get(key)? {
        Value::String(v) if !v.trim().is_empty() => Some(clean_line(v)),
        _ => None,
    }
}

/// The envelope of a JSON body (`type`, `locationId`, `webhookId`, `timestamp`), before the
/// payload is read: what the receiver needs to route, dedupe and age-check a delivery.
///
/// Errors: [`EventError::NotJson`], [`EventError::Missing`] for an absent field,
/// [`EventError::UnknownType`] for a `type` we do not handle.
pub fn envelope(v: &Value) -> Result<Envelope, EventError> {
    let m = v.as_object().ok_or(EventError::NotJson)?;
    let ty = s(m, "type").ok_or(EventError::Missing("type"))?;
    let kind = EventKind::from_name(&ty).ok_or(EventError::UnknownType(ty))?;
    Ok(Envelope {
        kind,
        location_id: s(m, "locationId").ok_or(EventError::Missing("locationId"))?,
        webhook_id: s(m, "webhookId").ok_or(EventError::Missing("webhookId"))?,
        timestamp: s(m, "timestamp").ok_or(EventError::Missing("timestamp"))?,
    })
}

/// Reads a whole event from a parsed body.
///
/// Errors: as [`envelope`], and [`EventError::Missing`] when the record has no `id`.
pub fn parse(v: &Value) -> Result<WebhookEvent, EventError> {
    let env = envelope(v)?;
    let m = v.as_object().ok_or(EventError::NotJson)?;
    use EventKind::*;
    Ok(match env.kind {
        ContactCreate | ContactUpdate | ContactDelete | ContactDndUpdate | ContactTagUpdate => {
            let id = s(m, "id").ok_or(EventError::Missing("id"))?;
            let mut fields = match clean_json(v) {
                Value::Object(o) => o,
                _ => return Err(EventError::NotJson),
            };
            for k in ENVELOPE {
                if *k != "locationId" {
                    fields.remove(*k);
                }
            }
            WebhookEvent::Contact { env, id, fields }
        }
        TaskCreate | TaskComplete | TaskDelete => {
            let mut task =
                crate::ghl::wire::task_from_json(v, "").ok_or(EventError::Missing("id"))?;
            task.completed = env.kind == TaskComplete;
            WebhookEvent::Task { env, task }
        }
        NoteCreate | NoteUpdate | NoteDelete => {
            let note = crate::ghl::wire::note_from_json(v, "").ok_or(EventError::Missing("id"))?;
            WebhookEvent::Note { env, note }
        }
        AppointmentCreate | AppointmentUpdate | AppointmentDelete => {
            let a = m
                .get("appointment")
                .ok_or(EventError::Missing("appointment"))?;
            let appointment = crate::ghl::wire::appointment_from_json(a, "")
                .ok_or(EventError::Missing("appointment.id"))?;
            let date_updated = a.as_object().and_then(|a| s(a, "dateUpdated"));
            WebhookEvent::Appointment {
                env,
                appointment,
                date_updated,
            }
        }
    })
}

impl WebhookEvent {
    /// The signed envelope.
    pub fn envelope(&self) -> &Envelope {
        match self {
            WebhookEvent::Contact { env, .. }
            | WebhookEvent::Task { env, .. }
            | WebhookEvent::Note { env, .. }
            | WebhookEvent::Appointment { env, .. } => env,
        }
    }

    /// The record the event is about, as a key of the applied-events tree: `contact:<id>`,
    /// `task:<id>`, `note:<id>`, `appointment:<id>`.
    pub fn record_key(&self) -> String {
        match self {
            WebhookEvent::Contact { id, .. } => format!("contact:{id}"),
            WebhookEvent::Task { task, .. } => format!("task:{}", task.id),
            WebhookEvent::Note { note, .. } => format!("note:{}", note.id),
            WebhookEvent::Appointment { appointment, .. } => {
                format!("appointment:{}", appointment.id)
            }
        }
    }

    /// The contact the event touches (empty for a task GHL sent without `contactId`).
    pub fn contact_id(&self) -> &str {
        match self {
            WebhookEvent::Contact { id, .. } => id,
            WebhookEvent::Task { task, .. } => &task.contact_id,
            WebhookEvent::Note { note, .. } => &note.contact_id,
            WebhookEvent::Appointment { appointment, .. } => &appointment.contact_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn env(ty: &str) -> Value {
        json!({"type": ty, "locationId": "loc", "webhookId": "w1",
               "timestamp": "2026-12-04T12:00:00.000Z", "appId": "app"})
    }

    #[test]
    fn every_kind_round_trips_its_name() {
        for k in EventKind::ALL {
            assert_eq!(EventKind::from_name(k.name()), Some(k));
        }
        assert_eq!(EventKind::from_name("OpportunityCreate"), None);
    }

    #[test]
    fn contact_event_drops_the_envelope_and_cleans_text() {
        let mut v = env("ContactUpdate");
        let m = v.as_object_mut().unwrap();
        m.insert("id".into(), json!("c1"));
        m.insert("firstName".into(), json!("Eve\u{1b}[2J\u{202e}"));
        let WebhookEvent::Contact { id, fields, env } = parse(&v).unwrap() else {
            panic!()
        };
        assert_eq!(id, "c1");
        assert_eq!(env.kind, EventKind::ContactUpdate);
        assert_eq!(fields["firstName"], "Eve");
        assert!(
            !fields.contains_key("type"),
            "the event name is not the contact type"
        );
        assert!(!fields.contains_key("webhookId"));
        assert_eq!(fields["locationId"], "loc");
    }

    #[test]
    fn task_without_contact_and_appointment_shape() {
        let mut v = env("TaskComplete");
        v["id"] = json!("t1");
        v["title"] = json!("Call \u{7}back");
        let WebhookEvent::Task { task, .. } = parse(&v).unwrap() else {
            panic!()
        };
        assert_eq!(task.contact_id, "");
        assert!(task.completed);
        assert_eq!(task.title, "Call back");
        let mut v = env("AppointmentUpdate");
        v["appointment"] = json!({"id": "a1", "contactId": "c1", "title": "Viewing",
            "dateUpdated": "2026-12-04T11:00:00Z"});
        let e = parse(&v).unwrap();
        assert_eq!(e.record_key(), "appointment:a1");
        assert_eq!(e.contact_id(), "c1");
    }

    #[test]
    fn missing_envelope_fields_and_unknown_types_are_errors() {
        assert_eq!(parse(&json!([1])), Err(EventError::NotJson));
        let mut v = env("NoteCreate");
        v.as_object_mut().unwrap().remove("webhookId");
        assert_eq!(parse(&v), Err(EventError::Missing("webhookId")));
        assert!(matches!(
            parse(&env("INSTALL")),
            Err(EventError::UnknownType(_))
        ));
        assert_eq!(parse(&env("NoteCreate")), Err(EventError::Missing("id")));
    }
}
