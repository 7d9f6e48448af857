//! Initial data: the embedded demo files (`assets/demo/*.json`, made by
//! `assets/demo/generate.py`), a fast deterministic generator for paging tests, or nothing.

use std::collections::HashMap;
use std::io;
use std::sync::OnceLock;

use serde_json::{json, Map, Value};

use super::ids;
use super::state::{Store, StoredContact};
use super::DEMO_LOCATION_ID;

/// What the sandbox starts with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seed {
    /// The embedded demo location: 540 contacts in full GHL shape (Hebrew, English and mixed
    /// names, hostile display strings), with tasks, notes, appointments and custom-field
    /// definitions, and the seeded workflows, campaigns, businesses and users
    /// ([`super::lists`]). `locationId`s are rewritten to the configured location.
    Demo,
    /// `contacts` simple contacts built in memory (deterministic ids and dates, no
    /// tasks/notes/appointments) plus the demo custom-field definitions. Groups of three
    /// contacts share a `dateAdded` so sort tie-breaks get exercised.
    Generated {
        /// How many contacts.
        contacts: usize,
    },
    /// No contacts, no custom fields.
    Empty,
}

const CONTACTS: &str = include_str!("../../assets/demo/ghl_contacts.json");
const TASKS: &str = include_str!("../../assets/demo/ghl_tasks.json");
const NOTES: &str = include_str!("../../assets/demo/ghl_notes.json");
const APPOINTMENTS: &str = include_str!("../../assets/demo/ghl_appointments.json");
const CUSTOM_FIELDS: &str = include_str!("../../assets/demo/ghl_custom_fields.json");

struct DemoData {
    contacts: Vec<Value>,
    tasks: Vec<Value>,
    notes: Vec<Value>,
    appointments: Vec<Value>,
    custom_fields: Vec<Value>,
}

fn parse_list(name: &str, text: &str) -> Result<Vec<Value>, String> {
    serde_json::from_str(text).map_err(|e| format!("assets/demo/{name}: {e}"))
}

fn demo() -> io::Result<&'static DemoData> {
    static DEMO: OnceLock<Result<DemoData, String>> = OnceLock::new();
    DEMO.get_or_init(|| {
        Ok(DemoData {
            contacts: parse_list("ghl_contacts.json", CONTACTS)?,
            tasks: parse_list("ghl_tasks.json", TASKS)?,
            notes: parse_list("ghl_notes.json", NOTES)?,
            appointments: parse_list("ghl_appointments.json", APPOINTMENTS)?,
            custom_fields: parse_list("ghl_custom_fields.json", CUSTOM_FIELDS)?,
        })
    })
    .as_ref()
    .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.clone()))
}

/// Replace the demo location id wherever it appears as `locationId`.
fn relocate(mut v: Value, location_id: &str) -> Value {
    if let Some(o) = v.as_object_mut() {
        if o.get("locationId").and_then(Value::as_str) == Some(DEMO_LOCATION_ID) {
            o.insert("locationId".into(), Value::String(location_id.into()));
        }
    }
    v
}

fn group_by_contact(items: &[Value], location_id: &str) -> HashMap<String, Vec<Value>> {
    let mut m: HashMap<String, Vec<Value>> = HashMap::new();
    for it in items {
        if let Some(cid) = it.get("contactId").and_then(Value::as_str) {
            m.entry(cid.to_string())
                .or_default()
                .push(relocate(it.clone(), location_id));
        }
    }
    m
}

/// Build the store for `seed`.
pub fn load(seed: &Seed, location_id: &str) -> io::Result<Store> {
    let mut store = Store::default();
    match seed {
        Seed::Empty => {}
        Seed::Demo => {
            let d = demo()?;
            for c in &d.contacts {
                if let Value::Object(o) = relocate(c.clone(), location_id) {
                    store.upsert(StoredContact::new(o, location_id));
                }
            }
            store.tasks = group_by_contact(&d.tasks, location_id);
            store.notes = group_by_contact(&d.notes, location_id);
            store.appointments = group_by_contact(&d.appointments, location_id);
            store.custom_fields = d
                .custom_fields
                .iter()
                .map(|f| relocate(f.clone(), location_id))
                .collect();
            store.lists = super::lists::seeded(location_id);
        }
        Seed::Generated { contacts } => {
            store.contacts.reserve(*contacts);
            store.by_id.reserve(*contacts);
            for i in 0..*contacts {
                store.upsert(generated_contact(i, location_id));
            }
            store.custom_fields = demo()?
                .custom_fields
                .iter()
                .map(|f| relocate(f.clone(), location_id))
                .collect();
            store.lists = super::lists::seeded(location_id);
        }
    }
    Ok(store)
}

const FIRST: [&str; 8] = [
    "Noa", "Avi", "Mary", "John", "Yael", "David", "Sarah", "Omer",
];
const LAST: [&str; 6] = ["Cohen", "Levi", "Smith", "Mizrahi", "Brown", "Peretz"];
/// 2026-11-01T00:00:00Z
const GEN_BASE_MS: i64 = 1_793_491_200_000;

fn generated_contact(i: usize, location_id: &str) -> StoredContact {
    let id = ids::id_from_index(i as u64);
    let first = FIRST[i % FIRST.len()];
    let last = LAST[(i / FIRST.len()) % LAST.len()];
    // groups of three share dateAdded (one minute apart per group); dateUpdated in hour steps
    let added_ms = GEN_BASE_MS - (i as i64 / 3) * 60_000;
    let updated_ms = added_ms + (i as i64 % 7) * 3_600_000;
    let tags: Vec<&str> = match i % 5 {
        0 => vec!["buyer"],
        1 => vec!["investor", "hot-lead"],
        _ => vec![],
    };
    let doc = json!({
        "id": id,
        "locationId": location_id,
        "name": format!("{first} {last}{i}"),
        "contactName": format!("{first} {last}{i}"),
        "firstName": first,
        "lastName": format!("{last}{i}"),
        "firstNameLowerCase": first.to_lowercase(),
        "lastNameLowerCase": format!("{}{i}", last.to_lowercase()),
        "fullNameLowerCase": format!("{} {}{i}", first.to_lowercase(), last.to_lowercase()),
        "email": format!("user{i}@example.com"),
        "emailLowerCase": format!("user{i}@example.com"),
        "phone": format!("+1555{:07}", i % 10_000_000),
        "dnd": i % 50 == 0,
        "type": "lead",
        "source": "generated",
        "country": "US",
        "tags": tags,
        "dateAdded": ids::iso_ms(added_ms),
        "dateUpdated": ids::iso_ms(updated_ms),
        "customFields": [],
    });
    let Value::Object(doc) = doc else {
        unreachable!("json! object literal")
    };
    StoredContact {
        doc: doc as Map<String, Value>,
        added_ms,
        updated_ms,
    }
}
