//! Hand edits (a contact field, tasks, notes) dispatched to the GHL stand-in: each kind of
//! write, exactly once under faults, conflicts, and bodies the spec accepts.

use crate::pulled_support::Env;

use std::time::Duration;

use bmby_ghl::domain::{ChangeState, Contact, Subject};
use bmby_ghl::sandbox::{SandboxConfig, Seed, DEMO_LOCATION_ID};
use bmby_ghl::sync::{dispatch, local, review};
use serde_json::{json, Value};

/// A demo contact with two open tasks and notes.
const CONTACT: &str = "x64Mt6pwWmOf7NAPeeIE";

async fn env() -> Env {
    Env::pulled_fast(SandboxConfig {
        seed: Seed::Demo,
        rate_limit_interval: Duration::from_secs(1),
        ..Default::default()
    })
    .await
    .with_tasks_and_notes(CONTACT)
    .await
}

fn contact(e: &Env) -> Contact {
    e.store.contact(CONTACT).unwrap().unwrap()
}

async fn approve_and_send(e: &Env, id: u64) -> ChangeState {
    review::approve(&e.store, id).unwrap();
    dispatch::dispatch_one(&e.client, &e.store, id)
        .await
        .unwrap()
}

/// Every write the stand-in saw carried the Contacts API version and none was refused as
/// invalid (the stand-in validates bodies against the spec's DTOs).
fn assert_bodies_valid(e: &Env) {
    for r in e.sb.requests() {
        assert_eq!(
            r.version.as_deref(),
            Some("2021-07-28"),
            "{} {}",
            r.method,
            r.path
        );
        assert_ne!(r.status, 422, "{} {} {}", r.method, r.path, r.body);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_note_complete_task_edit_and_delete_reach_ghl() {
    let e = env().await;
    let c = contact(&e);
    // Add a note (multi-line, Hebrew).
    let note = local::add_note(&e.store, &c, "שיחה עם הלקוח\nמעוניין בדירת 4 חדרים").unwrap();
    assert_eq!(note.subject, Subject::Note { note_id: None });
    assert_eq!(approve_and_send(&e, note.id).await, ChangeState::Applied);
    let notes = e.sb.notes(CONTACT);
    let created: Vec<&Value> = notes
        .iter()
        .filter(|n| n["body"] == "שיחה עם הלקוח\nמעוניין בדירת 4 חדרים")
        .collect();
    assert_eq!(created.len(), 1);
    let note_id = created[0]["id"].as_str().unwrap().to_owned();
    let stored = e.store.change(note.id).unwrap().unwrap();
    assert_eq!(
        stored.subject,
        Subject::Note {
            note_id: Some(note_id.clone())
        }
    );
    // The cache holds the new note without another pull.
    assert!(e
        .store
        .notes(CONTACT)
        .unwrap()
        .unwrap()
        .iter()
        .any(|n| n.id == note_id));

    // Complete a task: only the completed endpoint is called.
    let task = e.store.tasks(CONTACT).unwrap().unwrap()[0].clone();
    assert!(!task.completed);
    let done = local::set_task_completed(&e.store, &c, &task, true).unwrap();
    e.sb.clear_requests();
    assert_eq!(approve_and_send(&e, done.id).await, ChangeState::Applied);
    let paths: Vec<String> =
        e.sb.requests()
            .iter()
            .map(|r| format!("{} {}", r.method, r.path))
            .collect();
    assert!(
        paths.contains(&format!(
            "PUT /contacts/{CONTACT}/tasks/{}/completed",
            task.id
        )),
        "{paths:?}"
    );
    let t =
        e.sb.tasks(CONTACT)
            .into_iter()
            .find(|t| t["id"] == task.id.as_str())
            .unwrap();
    assert_eq!(t["completed"], true);

    // Edit the note, then delete it.
    let n = e
        .store
        .notes(CONTACT)
        .unwrap()
        .unwrap()
        .into_iter()
        .find(|n| n.id == note_id)
        .unwrap();
    let edit = local::edit_note(&e.store, &c, &n, "עודכן").unwrap();
    assert_eq!(approve_and_send(&e, edit.id).await, ChangeState::Applied);
    assert!(e.sb.notes(CONTACT).iter().any(|n| n["body"] == "עודכן"));
    let n = e
        .store
        .notes(CONTACT)
        .unwrap()
        .unwrap()
        .into_iter()
        .find(|n| n.id == note_id)
        .unwrap();
    assert_eq!(n.body, "עודכן");
    let del = local::delete_note(&e.store, &c, &n).unwrap();
    assert_eq!(approve_and_send(&e, del.id).await, ChangeState::Applied);
    assert!(!e
        .sb
        .notes(CONTACT)
        .iter()
        .any(|n| n["id"] == note_id.as_str()));

    // Add a task with a local due date, edit its title, delete it.
    let add = local::add_task(&e.store, &c, "להתקשר", "2026-12-01 10:00", "").unwrap();
    assert_eq!(add.proposed("dueDate"), Some("2026-12-01T08:00:00.000Z"));
    assert_eq!(approve_and_send(&e, add.id).await, ChangeState::Applied);
    let created: Vec<Value> =
        e.sb.tasks(CONTACT)
            .into_iter()
            .filter(|t| t["title"] == "להתקשר")
            .collect();
    assert_eq!(created.len(), 1);
    assert_eq!(created[0]["completed"], false);
    let t = e
        .store
        .tasks(CONTACT)
        .unwrap()
        .unwrap()
        .into_iter()
        .find(|t| t.title == "להתקשר")
        .unwrap();
    let ed = local::edit_task(&e.store, &c, &t, &[("title", "להתקשר שוב")]).unwrap();
    assert_eq!(approve_and_send(&e, ed.id).await, ChangeState::Applied);
    assert!(e
        .sb
        .tasks(CONTACT)
        .iter()
        .any(|x| x["title"] == "להתקשר שוב"));
    let t = e
        .store
        .tasks(CONTACT)
        .unwrap()
        .unwrap()
        .into_iter()
        .find(|x| x.id == t.id)
        .unwrap();
    let del = local::delete_task(&e.store, &c, &t).unwrap();
    assert_eq!(approve_and_send(&e, del.id).await, ChangeState::Applied);
    assert!(!e.sb.tasks(CONTACT).iter().any(|x| x["id"] == t.id.as_str()));

    assert_bodies_valid(&e);
    let journal = e.store.journal().unwrap();
    for want in [
        format!("POST /contacts/{CONTACT}/notes"),
        format!("PUT /contacts/{CONTACT}/tasks/{}/completed", task.id),
        format!("DELETE /contacts/{CONTACT}/tasks/{}", t.id),
    ] {
        assert!(journal.iter().any(|j| j.request == want), "{want}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contact_field_edits_are_validated_and_join_one_change() {
    let e = env().await;
    let c = contact(&e);
    let err = local::edit_contact_field(&e.store, &c, "email", "dana at example").unwrap_err();
    assert!(err.to_string().contains("not an email address"), "{err}");
    let err = local::edit_contact_field(&e.store, &c, "phone", "12").unwrap_err();
    assert!(err.to_string().contains("not a phone number"), "{err}");
    let a = local::edit_contact_field(&e.store, &c, "email", "fixed@example.com").unwrap();
    let b = local::edit_contact_field(&e.store, &c, "phone", "050-765-4321").unwrap();
    assert_eq!(a.id, b.id, "a second edit joins the pending one");
    assert_eq!(b.proposed("phone"), Some("+972507654321"));
    assert_eq!(b.origin, "local");
    assert_eq!(approve_and_send(&e, b.id).await, ChangeState::Applied);
    let now = e.client.get_contact(CONTACT).await.unwrap();
    assert_eq!(now.email.as_deref(), Some("fixed@example.com"));
    assert_eq!(now.phone.as_deref(), Some("+972507654321"));
    assert_bodies_valid(&e);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creates_land_once_when_answers_are_lost() {
    let e = env().await;
    let c = contact(&e);
    let ids: Vec<u64> = (0..4)
        .map(|i| {
            let id = local::add_note(&e.store, &c, &format!("הערה {i}"))
                .unwrap()
                .id;
            review::approve(&e.store, id).unwrap();
            id
        })
        .chain((0..3).map(|i| {
            let id = local::add_task(&e.store, &c, &format!("משימה {i}"), "2027-01-05", "")
                .unwrap()
                .id;
            review::approve(&e.store, id).unwrap();
            id
        }))
        .collect();
    // The writes go through but their answers are lost; then 429s and 5xx on the way.
    e.sb.faults().set_drop_after(3);
    e.sb.faults().set_429_storm(2);
    e.sb.faults().set_5xx(2);
    for _ in 0..6 {
        dispatch::dispatch_all(&e.client, &e.store).await.unwrap();
    }
    for id in &ids {
        assert_eq!(
            e.store.change(*id).unwrap().unwrap().state,
            ChangeState::Applied,
            "change {id}: {:?}",
            e.store.outbox_info(*id).unwrap().last_error
        );
    }
    let notes = e.sb.notes(CONTACT);
    for i in 0..4 {
        let n = notes
            .iter()
            .filter(|n| n["body"] == format!("הערה {i}"))
            .count();
        assert_eq!(n, 1, "note {i} exists {n} times");
    }
    let tasks = e.sb.tasks(CONTACT);
    for i in 0..3 {
        let n = tasks
            .iter()
            .filter(|t| t["title"] == format!("משימה {i}"))
            .count();
        assert_eq!(n, 1, "task {i} exists {n} times");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_changed_in_ghl_after_the_edit_is_a_conflict() {
    let e = env().await;
    let c = contact(&e);
    let task = e.store.tasks(CONTACT).unwrap().unwrap()[1].clone();
    let ch = local::edit_task(&e.store, &c, &task, &[("title", "כותרת חדשה")]).unwrap();
    // Someone renames it in GHL meanwhile.
    assert!(e
        .sb
        .update_task(CONTACT, &task.id, json!({"title": "renamed in GHL"})));
    assert_eq!(approve_and_send(&e, ch.id).await, ChangeState::Conflict);
    let info = e.store.outbox_info(ch.id).unwrap();
    assert!(info.last_error.unwrap().contains("Title"));
    assert_eq!(
        info.ghl_now,
        vec![("title".to_owned(), Some("renamed in GHL".to_owned()))]
    );
    assert!(e
        .sb
        .tasks(CONTACT)
        .iter()
        .any(|t| t["title"] == "renamed in GHL"));
    // Approving the conflict means "write mine over it".
    assert_eq!(approve_and_send(&e, ch.id).await, ChangeState::Applied);
    assert!(e
        .sb
        .tasks(CONTACT)
        .iter()
        .any(|t| t["title"] == "כותרת חדשה"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stand_in_refuses_bodies_the_spec_does_not_allow() {
    let e = env().await;
    let bad = serde_json::Map::from_iter([
        ("body".to_owned(), json!("x")),
        ("locationId".to_owned(), json!(DEMO_LOCATION_ID)),
    ]);
    let err = e.client.create_note(CONTACT, &bad).await.unwrap_err();
    assert_eq!(err.status(), Some(422));
    assert!(
        err.to_string()
            .contains("property locationId should not exist"),
        "{err}"
    );
    let no_due = serde_json::Map::from_iter([
        ("title".to_owned(), json!("x")),
        ("completed".to_owned(), json!(false)),
    ]);
    let err = e.client.create_task(CONTACT, &no_due).await.unwrap_err();
    assert!(err.to_string().contains("dueDate"), "{err}");
    let err = e
        .client
        .update_task(CONTACT, "noSuchTask", &serde_json::Map::new())
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("Task with id noSuchTask not found"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_plans_task_and_note_requests() {
    let e = env().await;
    let c = contact(&e);
    let task = e.store.tasks(CONTACT).unwrap().unwrap()[0].clone();
    let ch = local::set_task_completed(&e.store, &c, &task, true).unwrap();
    let plan = dispatch::plan(&ch, DEMO_LOCATION_ID);
    assert_eq!(plan.len(), 2);
    assert_eq!(plan[1].method, "PUT");
    assert_eq!(
        plan[1].path,
        format!("/contacts/{CONTACT}/tasks/{}/completed", task.id)
    );
    assert_eq!(plan[1].body, Some(json!({"completed": true})));
    let n = local::add_note(&e.store, &c, "a\nb").unwrap();
    let plan = dispatch::plan(&n, DEMO_LOCATION_ID);
    assert_eq!(plan[0].body, Some(json!({"body": "a\nb"})));
    assert!(plan[0].headers.iter().any(|h| h == "Version: 2021-07-28"));
}
