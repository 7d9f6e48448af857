//! Request bodies against the contract: the write DTOs of GHL's official `apps/contacts.json`
//! (extracted to `tests/fixtures/ghl_write_dtos.json`). The stand-in's allow-lists must equal
//! the spec's properties, and every body the dispatcher plans for a contact, task, note or tag
//! write must use only properties its DTO allows, with the required ones present and the
//! Contacts API `Version` header.

use std::collections::BTreeSet;

use bmby_ghl::domain::{Change, ChangeKind, ChangeState, FieldChange, Subject, Target};
use bmby_ghl::sandbox::writes::{update_fields, CREATE_FIELDS};
use bmby_ghl::sandbox::{NOTE_FIELDS, TASK_FIELDS};
use bmby_ghl::sync::dispatch::plan;
use serde_json::Value;

fn dtos() -> Value {
    serde_json::from_str(include_str!("fixtures/ghl_write_dtos.json")).unwrap()
}

fn props(dto: &str) -> BTreeSet<String> {
    dtos()[dto]["properties"]
        .as_array()
        .unwrap_or_else(|| panic!("{dto} missing from the fixture"))
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

fn required(dto: &str) -> Vec<String> {
    dtos()[dto]["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

fn set(v: impl IntoIterator<Item = &'static str>) -> BTreeSet<String> {
    v.into_iter().map(str::to_owned).collect()
}

#[test]
fn stand_in_allows_exactly_what_the_spec_allows() {
    assert_eq!(
        set(CREATE_FIELDS.iter().copied()),
        props("CreateContactDto")
    );
    assert_eq!(set(update_fields()), props("UpdateContactDto"));
    assert_eq!(set(TASK_FIELDS.iter().copied()), props("CreateTaskParams"));
    assert_eq!(set(TASK_FIELDS.iter().copied()), props("UpdateTaskBody"));
    assert_eq!(set(NOTE_FIELDS.iter().copied()), props("NotesDTO"));
    assert_eq!(set(NOTE_FIELDS.iter().copied()), props("UpdateNoteDTO"));
}

fn f(field: &str, now: Option<&str>, proposed: Option<&str>) -> FieldChange {
    FieldChange {
        field: field.into(),
        label: field.into(),
        source_field: String::new(),
        ghl_now: now.map(Into::into),
        proposed: proposed.map(Into::into),
        edited: false,
        value_json: None,
    }
}

fn change(kind: ChangeKind, subject: Subject, fields: Vec<FieldChange>) -> Change {
    Change {
        id: 1,
        kind,
        state: ChangeState::Approved,
        client_id: "1001".into(),
        contact_id: Some("c1".into()),
        display_name: "x".into(),
        fields,
        base_date_updated: None,
        origin: "local".into(),
        warnings: vec![],
        candidates: vec![],
        fingerprint: String::new(),
        created_at: String::new(),
        updated_at: String::new(),
        subject,
        target: Target::Ghl,
        choice: None,
        matched: None,
        removable_tags: Vec::new(),
    }
}

/// The DTO GHL checks a request against, by method and path.
fn dto_for(method: &str, path: &str) -> Option<&'static str> {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    Some(match (method, parts.as_slice()) {
        ("POST", ["contacts"]) => "CreateContactDto",
        ("PUT", ["contacts", _]) => "UpdateContactDto",
        ("POST" | "DELETE", ["contacts", _, "tags"]) => "TagsDTO",
        ("POST", ["contacts", _, "tasks"]) => "CreateTaskParams",
        ("PUT", ["contacts", _, "tasks", _]) => "UpdateTaskBody",
        ("PUT", ["contacts", _, "tasks", _, "completed"]) => "UpdateTaskStatusParams",
        ("POST", ["contacts", _, "notes"]) => "NotesDTO",
        ("PUT", ["contacts", _, "notes", _]) => "UpdateNoteDTO",
        _ => return None,
    })
}

#[test]
fn every_planned_body_is_valid_against_its_dto() {
    let task = Subject::Task {
        task_id: Some("t1".into()),
    };
    let note = Subject::Note {
        note_id: Some("n1".into()),
    };
    let changes = vec![
        change(
            ChangeKind::Create,
            Subject::Contact,
            vec![
                f("firstName", None, Some("דנה")),
                f("email", None, Some("d@example.com")),
                f("customFields.cf1", None, Some("3")),
                f("tags", None, Some("buyer, vip")),
            ],
        ),
        change(
            ChangeKind::Update,
            Subject::Contact,
            vec![
                f("city", Some("חיפה"), Some("תל אביב")),
                f("tags", Some("a"), Some("b")),
            ],
        ),
        change(ChangeKind::Delete, Subject::Contact, vec![]),
        change(
            ChangeKind::Create,
            Subject::Task { task_id: None },
            vec![
                f("title", None, Some("להתקשר")),
                f("dueDate", None, Some("2026-12-01T08:00:00.000Z")),
            ],
        ),
        change(
            ChangeKind::Update,
            task.clone(),
            vec![f("title", Some("a"), Some("b")), f("body", None, Some("c"))],
        ),
        change(
            ChangeKind::Update,
            task.clone(),
            vec![f("completed", Some("no"), Some("yes"))],
        ),
        change(ChangeKind::Delete, task, vec![]),
        change(
            ChangeKind::Create,
            Subject::Note { note_id: None },
            vec![f("body", None, Some("שורה\nשנייה"))],
        ),
        change(
            ChangeKind::Update,
            note.clone(),
            vec![f("body", Some("a"), Some("b"))],
        ),
        change(ChangeKind::Delete, note, vec![]),
    ];
    let mut checked = BTreeSet::new();
    for c in &changes {
        for r in plan(c, "loc1") {
            assert!(
                r.headers.iter().any(|h| h == "Version: 2021-07-28"),
                "{} {}",
                r.method,
                r.path
            );
            assert!(
                r.headers.iter().all(|h| !h.contains("pit-")),
                "token redacted"
            );
            let Some(dto) = dto_for(r.method, &r.path) else {
                assert!(r.body.is_none(), "{} {} has a body", r.method, r.path);
                continue;
            };
            let body = r.body.as_ref().and_then(Value::as_object).unwrap();
            let allowed = props(dto);
            for k in body.keys() {
                assert!(allowed.contains(k), "{dto} does not allow {k}");
            }
            for k in required(dto) {
                assert!(body.contains_key(&k), "{dto} requires {k}");
            }
            checked.insert(dto);
        }
    }
    assert_eq!(checked.len(), 8, "every DTO was exercised: {checked:?}");
}
