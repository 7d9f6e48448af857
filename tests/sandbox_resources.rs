//! Sandbox: contact by id, tasks, notes, appointments, custom fields; demo seed content.

use crate::sandbox_common::*;
use bmby_ghl::sandbox::{Seed, DEMO_LOCATION_ID};
use reqwest::StatusCode;
use serde_json::{json, Value};

fn keys(v: &Value) -> Vec<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

#[tokio::test]
async fn unknown_contact_is_400_with_exact_message() {
    let sb = start(Seed::Demo).await;
    for suffix in ["", "/tasks", "/notes", "/appointments"] {
        let r = get(&sb, &format!("/contacts/doesNotExist123{suffix}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            r.body,
            json!({"statusCode":400,"message":"Contact with id doesNotExist123 not found"})
        );
    }
}

#[tokio::test]
async fn contact_has_the_full_get_shape() {
    let sb = start(Seed::Demo).await;
    let r = get(&sb, "/contacts/hostileEscOsc0000001").await;
    assert_eq!(r.status, StatusCode::OK);
    let c = &r.body["contact"];
    assert_eq!(c["id"], "hostileEscOsc0000001");
    assert_eq!(c["firstName"], "Eve\u{1b}]0;pwned\u{7}");
    assert_eq!(c["locationId"], DEMO_LOCATION_ID);
    for k in [
        "address1",
        "customFields",
        "tags",
        "dateAdded",
        "dateUpdated",
        "dndSettings",
        "attributionSource",
    ] {
        assert!(c.get(k).is_some(), "missing {k}");
    }
    assert!(c.get("address").is_none() && c.get("searchAfter").is_none());
    assert!(c["dateOfBirth"].is_string());
    let added = c["dateAdded"].as_str().unwrap();
    assert!(added.ends_with('Z') && added.len() == 24, "{added}");
    let cf = &c["customFields"][0];
    assert_eq!(keys(cf), vec!["id", "value"]);
}

/// The newest contacts (dateAdded desc) all have tasks, notes and appointments.
#[tokio::test]
async fn newest_contacts_have_tasks_notes_and_appointments() {
    let sb = start(Seed::Demo).await;
    let r = search(&sb, body(20, json!({}))).await;
    let mut notes_without_title = 0;
    let mut notes_with_title = 0;
    for id in ids(&r) {
        let t = get(&sb, &format!("/contacts/{id}/tasks")).await;
        assert_eq!(t.status, StatusCode::OK);
        let tasks = t.body["tasks"].as_array().unwrap();
        assert!(!tasks.is_empty(), "{id} has no task");
        for task in tasks {
            assert_eq!(
                keys(task),
                vec![
                    "id",
                    "title",
                    "body",
                    "assignedTo",
                    "dueDate",
                    "completed",
                    "contactId"
                ]
            );
            assert_eq!(task["contactId"], id.as_str());
            assert!(task["completed"].is_boolean());
            assert!(task["dueDate"].as_str().unwrap().ends_with('Z'));
        }

        let n = get(&sb, &format!("/contacts/{id}/notes")).await;
        let notes = n.body["notes"].as_array().unwrap();
        assert!(!notes.is_empty(), "{id} has no note");
        for note in notes {
            for k in ["id", "body", "userId", "dateAdded", "contactId"] {
                assert!(note.get(k).is_some(), "note lacks {k}");
            }
            if note.get("title").is_some() {
                notes_with_title += 1;
                assert!(note["pinned"].is_boolean() && note["color"].is_string());
            } else {
                notes_without_title += 1;
            }
        }

        let a = get(&sb, &format!("/contacts/{id}/appointments")).await;
        let events = a.body["events"].as_array().unwrap();
        assert!(!events.is_empty(), "{id} has no appointment");
        for e in events {
            for k in [
                "id",
                "calendarId",
                "status",
                "title",
                "assignedUserId",
                "notes",
                "startTime",
                "endTime",
                "address",
                "locationId",
                "contactId",
                "groupId",
                "appointmentStatus",
                "users",
                "dateAdded",
                "dateUpdated",
            ] {
                assert!(e.get(k).is_some(), "event lacks {k}");
            }
            let st = e["startTime"].as_str().unwrap();
            assert_eq!(st.len(), 19, "{st}");
            assert_eq!(&st[10..11], " ");
        }
    }
    assert!(notes_with_title > 0 && notes_without_title > 0);
}

#[tokio::test]
async fn custom_fields_by_model() {
    let sb = start(Seed::Demo).await;
    let path = format!("/locations/{DEMO_LOCATION_ID}/customFields");
    let contact = get(&sb, &format!("{path}?model=contact")).await;
    assert_eq!(contact.status, StatusCode::OK);
    let fields = contact.body["customFields"].as_array().unwrap();
    assert!(fields.len() >= 6);
    let mut types = std::collections::HashSet::new();
    for f in fields {
        for k in [
            "id",
            "name",
            "fieldKey",
            "placeholder",
            "dataType",
            "position",
            "picklistOptions",
            "locationId",
            "model",
        ] {
            assert!(f.get(k).is_some(), "field lacks {k}");
        }
        assert_eq!(f["model"], "contact");
        assert!(f["fieldKey"].as_str().unwrap().starts_with("contact."));
        types.insert(f["dataType"].as_str().unwrap().to_string());
    }
    for t in [
        "TEXT",
        "NUMERICAL",
        "DATE",
        "SINGLE_OPTIONS",
        "MULTIPLE_OPTIONS",
        "CHECKBOX",
        "LARGE_TEXT",
    ] {
        assert!(types.contains(t), "no {t} field");
    }
    let all = get(&sb, &format!("{path}?model=all")).await;
    assert!(all.body["customFields"].as_array().unwrap().len() > fields.len());
    let default = get(&sb, &path).await;
    assert_eq!(default.body, contact.body);
    let bad = get(&sb, &format!("{path}?model=user")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn demo_seed_content() {
    let sb = start(Seed::Demo).await;
    assert!(sb.contact_count() >= 520);
    let hebrew = search(&sb, body(10, json!({"query": "כהן"}))).await;
    assert!(hebrew.body["total"].as_u64().unwrap() > 5);
    let il = search(&sb, body(10, json!({"query": "+97250"}))).await;
    assert!(il.body["total"].as_u64().unwrap() > 5);
    let dnd = search(
        &sb,
        body(
            10,
            json!({"filters":[{"field":"dnd","operator":"eq","value":true}]}),
        ),
    )
    .await;
    assert!(dnd.body["total"].as_u64().unwrap() > 5);
    for id in [
        "hostileEscOsc0000001",
        "hostileCsi0000000002",
        "hostileBidi000000003",
        "hostileZwj0000000004",
        "hostileLong000000005",
        "hostileCjk0000000006",
        "hostileEmoji00000007",
        "hostileCtrl000000008",
        "hostileZalgo00000009",
    ] {
        assert_eq!(
            get(&sb, &format!("/contacts/{id}")).await.status,
            StatusCode::OK,
            "{id}"
        );
    }
}
