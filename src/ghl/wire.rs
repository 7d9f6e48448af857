//! Wire → domain conversion. GHL's payloads vary by endpoint (a search item has `address` and
//! an epoch-number `dateOfBirth`; `GET /contacts/{id}` has `address1` and a date string), carry
//! undocumented fields, and contain text anyone can type into a web form. So responses are read
//! as JSON values, every field is taken leniently, and every string is sanitized here, once.
//! The contact reader is written once over `super::wire_tree`'s [`JsonVal`]: a pull's search
//! pages are read as borrowed trees ([`contact_from_tree`]), everything else as `Value`s
//! ([`contact_from_json`]); both give the same contact.

use serde_json::Value;

use super::wire_tree::{JsonObj, JsonVal, Tree};
use crate::domain::{
    Appointment, Contact, CustomFieldDef, CustomFieldValue, DndChannel, Note, Task,
};
use crate::sanitize::{clean_line, clean_text};

fn s<O: JsonObj>(m: &O, key: &str) -> Option<String> {
    let v = m.get(key)?;
    if let Some(t) = v.as_str() {
        return (!t.is_empty()).then(|| clean_line(t));
    }
    v.as_number().map(|n| n.to_string())
}

fn text<O: JsonObj>(m: &O, key: &str) -> Option<String> {
    match m.get(key)?.as_str() {
        Some(v) if !v.is_empty() => Some(clean_text(v)),
        _ => None,
    }
}

fn b<O: JsonObj>(m: &O, key: &str) -> bool {
    match m.get(key) {
        Some(v) => v.as_bool().unwrap_or_else(|| v.as_str() == Some("true")),
        None => false,
    }
}

fn strings<O: JsonObj>(m: &O, key: &str) -> Vec<String> {
    match m.get(key).and_then(JsonVal::as_array) {
        Some(a) => a
            .iter()
            .filter_map(|v| match (v.as_str(), v.as_object()) {
                (Some(s), _) => Some(clean_line(s)),
                // `additionalEmails` comes as `[{ "email": … }]` on live servers.
                (_, Some(o)) => o.get("email").and_then(JsonVal::as_str).map(clean_line),
                _ => None,
            })
            .filter(|s| !s.is_empty())
            .collect(),
        None => Vec::new(),
    }
}

/// `dateOfBirth` as a date: strings are kept as given (trimmed to the date part when they are
/// ISO timestamps); epoch milliseconds (search results) become `YYYY-MM-DD` in UTC.
fn date_of_birth<O: JsonObj>(m: &O) -> Option<String> {
    let v = m.get("dateOfBirth")?;
    if let Some(v) = v.as_str() {
        if v.is_empty() {
            return None;
        }
        let v = clean_line(v);
        return Some(match v.find('T') {
            Some(10) => v[..10].to_owned(),
            _ => v,
        });
    }
    let ms = v.as_number()?.as_i64()?;
    let ts = jiff::Timestamp::from_millisecond(ms).ok()?;
    Some(ts.to_zoned(jiff::tz::TimeZone::UTC).date().to_string())
}

/// Converts a contact object from any contacts endpoint (full, search item, create/update
/// response). Errors when it has no `id`.
pub fn contact_from_json(v: &Value) -> Result<Contact, String> {
    contact_from(v)
}

/// [`contact_from_json`] of a contact read as a [`Tree`] (a search page's item, see
/// `super::wire_tree`): the same contact, the same raw JSON.
pub fn contact_from_tree(v: &Tree<'_>) -> Result<Contact, String> {
    contact_from(v)
}

fn contact_from<V: JsonVal>(v: &V) -> Result<Contact, String> {
    let m = v.as_object().ok_or("contact is not a JSON object")?;
    let id = s(m, "id").ok_or("contact has no id")?;
    let dnd_settings = match m.get("dndSettings").and_then(JsonVal::as_object) {
        Some(o) => o
            .entries()
            .filter_map(|(ch, st)| {
                let st = st.as_object()?;
                Some(DndChannel {
                    channel: clean_line(ch),
                    status: s(st, "status").unwrap_or_default(),
                    message: s(st, "message"),
                })
            })
            .collect(),
        None => Vec::new(),
    };
    let custom_fields = match m.get("customFields").and_then(JsonVal::as_array) {
        Some(a) => a
            .iter()
            .filter_map(|f| {
                let f = f.as_object()?;
                let id = s(f, "id")?;
                let value = f.get("value").or_else(|| f.get("field_value"))?;
                Some(CustomFieldValue {
                    id,
                    value_json: value.clean_compact(),
                })
            })
            .collect(),
        None => Vec::new(),
    };
    Ok(Contact {
        id,
        location_id: s(m, "locationId").unwrap_or_default(),
        first_name: s(m, "firstName"),
        last_name: s(m, "lastName"),
        full_name: s(m, "contactName").or_else(|| s(m, "name")),
        email: s(m, "email"),
        phone: s(m, "phone"),
        company_name: s(m, "companyName"),
        address1: s(m, "address1").or_else(|| s(m, "address")),
        city: s(m, "city"),
        state: s(m, "state"),
        postal_code: s(m, "postalCode"),
        country: s(m, "country"),
        website: s(m, "website"),
        timezone: s(m, "timezone"),
        source: s(m, "source"),
        contact_type: s(m, "type"),
        assigned_to: s(m, "assignedTo"),
        business_id: s(m, "businessId"),
        date_of_birth: date_of_birth(m),
        dnd: b(m, "dnd"),
        dnd_settings,
        tags: strings(m, "tags"),
        additional_emails: strings(m, "additionalEmails"),
        custom_fields,
        date_added: s(m, "dateAdded"),
        date_updated: s(m, "dateUpdated"),
        raw_json: v.clean_pretty(),
    })
}

/// Converts a task (`TaskSchema`).
pub fn task_from_json(v: &Value, contact_id: &str) -> Option<Task> {
    let m = v.as_object()?;
    Some(Task {
        id: s(m, "id")?,
        contact_id: s(m, "contactId").unwrap_or_else(|| contact_id.to_owned()),
        title: s(m, "title").unwrap_or_default(),
        body: text(m, "body"),
        assigned_to: s(m, "assignedTo"),
        due_date: s(m, "dueDate"),
        completed: b(m, "completed"),
    })
}

/// Converts a note (`GetNoteSchema`).
pub fn note_from_json(v: &Value, contact_id: &str) -> Option<Note> {
    let m = v.as_object()?;
    Some(Note {
        id: s(m, "id")?,
        contact_id: s(m, "contactId").unwrap_or_else(|| contact_id.to_owned()),
        body: text(m, "body").unwrap_or_default(),
        title: s(m, "title"),
        user_id: s(m, "userId"),
        date_added: s(m, "dateAdded"),
        pinned: b(m, "pinned"),
    })
}

/// Converts an appointment of `GET /contacts/{id}/appointments` (`GetEventSchema`).
pub fn appointment_from_json(v: &Value, contact_id: &str) -> Option<Appointment> {
    let m = v.as_object()?;
    Some(Appointment {
        id: s(m, "id")?,
        contact_id: s(m, "contactId").unwrap_or_else(|| contact_id.to_owned()),
        calendar_id: s(m, "calendarId"),
        title: s(m, "title").unwrap_or_default(),
        start_time: s(m, "startTime"),
        end_time: s(m, "endTime"),
        appointment_status: s(m, "appointmentStatus").or_else(|| s(m, "status")),
        address: s(m, "address"),
        notes: text(m, "notes"),
    })
}

/// Converts a custom field definition (`CustomFieldSchema` of the locations API).
pub fn custom_field_from_json(v: &Value) -> Option<CustomFieldDef> {
    let m = v.as_object()?;
    Some(CustomFieldDef {
        id: s(m, "id")?,
        name: s(m, "name").unwrap_or_default(),
        field_key: s(m, "fieldKey").unwrap_or_default(),
        data_type: s(m, "dataType").unwrap_or_default(),
        picklist_options: strings(m, "picklistOptions"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn search_item_shape_maps_address_and_epoch_birthday() {
        let c = contact_from_json(&json!({
            "id": "c1", "address": "1 Test St", "dateOfBirth": 946684800000i64,
            "firstName": "Ann", "additionalEmails": [{"email": "a2@example.com"}],
            "searchAfter": [1, "c1"], "unknownField": {"x": 1}
        }))
        .unwrap();
        assert_eq!(c.address1.as_deref(), Some("1 Test St"));
        assert_eq!(c.date_of_birth.as_deref(), Some("2000-01-01"));
        assert_eq!(c.additional_emails, ["a2@example.com"]);
        assert!(c.raw_json.contains("unknownField"));
    }

    #[test]
    fn full_shape_and_hostile_text() {
        let c = contact_from_json(&json!({
            "id": "c2", "address1": "Herzl 1", "dateOfBirth": "1990-05-17T00:00:00.000Z",
            "firstName": "Eve\u{1b}]0;pwned\u{7} Evil", "lastName": "\u{202e}x",
            "dndSettings": {"SMS": {"status": "active"}},
            "customFields": [{"id": "cf1", "value": ["a", "b"]}],
            "tags": ["buyer", 3]
        }))
        .unwrap();
        assert_eq!(c.first_name.as_deref(), Some("Eve Evil"));
        assert_eq!(c.last_name.as_deref(), Some("x"));
        assert_eq!(c.date_of_birth.as_deref(), Some("1990-05-17"));
        assert_eq!(c.dnd_settings[0].channel, "SMS");
        assert_eq!(c.custom_fields[0].display(), "a, b");
        assert_eq!(c.tags, ["buyer"]);
        assert!(!c.raw_json.contains('\u{1b}'));
    }

    #[test]
    fn contact_without_id_is_an_error() {
        assert!(contact_from_json(&json!({"firstName": "x"})).is_err());
    }
}
