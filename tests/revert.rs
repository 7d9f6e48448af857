//! Reverting writes from the journal against the GHL stand-in: apply, revert (a pending
//! change), approve, apply again → GHL is back where it was; a contact GHL changed since the
//! write makes the revert a conflict; what cannot be reverted says why.

use crate::pulled_support::{field, Env};

use std::time::Duration;

use bmby_ghl::domain::{
    Change, ChangeKind, ChangeState, Contact, FieldChange, JournalEntry, Subject, Target,
};
use bmby_ghl::sandbox::{SandboxConfig, Seed};
use bmby_ghl::sync::{dispatch, local, revert, review};
use serde_json::json;

/// A demo contact with open tasks and notes.
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

/// Stores an approved contact change (as an import would make it) and returns its id.
fn put(e: &Env, kind: ChangeKind, contact: Option<&str>, fields: Vec<FieldChange>) -> u64 {
    let id = e.store.next_seq("change").unwrap();
    let cached = contact.and_then(|c| e.store.contact(c).unwrap());
    e.store
        .put_change(&Change {
            id,
            kind,
            state: ChangeState::Approved,
            client_id: format!("30{id:04}"),
            contact_id: contact.map(Into::into),
            display_name: cached
                .as_ref()
                .map_or_else(|| "New Person".into(), Contact::display_name),
            fields,
            base_date_updated: cached.and_then(|c| c.date_updated),
            origin: "test".into(),
            warnings: vec![],
            candidates: vec![],
            fingerprint: String::new(),
            created_at: String::new(),
            updated_at: String::new(),
            subject: Subject::Contact,
            target: Target::Ghl,
            choice: None,
            matched: None,
            removable_tags: Vec::new(),
        })
        .unwrap();
    id
}

async fn send(e: &Env, id: u64) -> ChangeState {
    dispatch::dispatch_one(&e.client, &e.store, id)
        .await
        .unwrap()
}

/// Approves the revert change and sends it.
async fn approve_and_send(e: &Env, id: u64) -> ChangeState {
    review::approve(&e.store, id).unwrap();
    send(e, id).await
}

/// The journal entries of change `id` whose request starts with `method`.
fn entries(e: &Env, id: u64, method: &str) -> Vec<JournalEntry> {
    e.store
        .journal()
        .unwrap()
        .into_iter()
        .filter(|j| j.change_id == id && j.request.starts_with(method))
        .collect()
}

/// A contact of the demo seed with tags and a custom field value, and its id.
fn rich_contact(e: &Env) -> Contact {
    e.store
        .contacts_without_raw()
        .unwrap()
        .into_iter()
        .filter(|c| !c.tags.is_empty() && !c.custom_fields.is_empty() && c.email.is_some())
        .find(|c| c.id != CONTACT)
        .map(|c| e.store.contact(&c.id).unwrap().unwrap())
        .expect("a seeded contact with tags and custom fields")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_with_tags_is_reverted_to_the_values_before() {
    let e = env().await;
    let before = rich_contact(&e);
    assert_eq!(before.website, None, "the seed leaves website empty");
    let tags_now = before.tags.join(", ");
    let tags_new = format!("{tags_now}, revert-test");
    let id = put(
        &e,
        ChangeKind::Update,
        Some(&before.id),
        vec![
            field("city", before.city.as_deref(), Some("באר שבע")),
            field("firstName", before.first_name.as_deref(), Some("Renamed")),
            field(
                "website",
                before.website.as_deref(),
                Some("https://revert.example.com"),
            ),
            field("tags", Some(&tags_now), Some(&tags_new)),
        ],
    );
    assert_eq!(send(&e, id).await, ChangeState::Applied);

    // The journal says who and what: the PUT names the contact with each field before → after.
    let put_entry = entries(&e, id, "PUT").remove(0);
    assert_eq!(put_entry.contact_id.as_deref(), Some(before.id.as_str()));
    assert_eq!(
        put_entry.contact_name,
        format!("Renamed {}", before.last_name.clone().unwrap_or_default()).trim()
    );
    assert_eq!(put_entry.kind, Some(ChangeKind::Update));
    let city = put_entry.values.iter().find(|v| v.field == "city").unwrap();
    assert_eq!(city.before, before.city);
    assert_eq!(city.after.as_deref(), Some("באר שבע"));
    assert!(put_entry.date_updated_after.is_some());
    let tag_entry = entries(&e, id, "POST /contacts/").remove(0);
    assert_eq!(tag_entry.values[0].field, "tags");
    assert_eq!(
        tag_entry.values[0].before.as_deref(),
        Some(tags_now.as_str())
    );

    // Revert the PUT: a pending update back to the values before, never sent by itself.
    let r = revert::propose(&e.store, put_entry.seq).unwrap();
    assert_eq!(r.state, ChangeState::Pending);
    assert_eq!(r.kind, ChangeKind::Update);
    assert_eq!(r.contact_id.as_deref(), Some(before.id.as_str()));
    assert_eq!(r.proposed("city"), before.city.as_deref());
    assert_eq!(r.proposed("firstName"), before.first_name.as_deref());
    assert!(
        r.fields.iter().all(|f| f.field != "tags"),
        "only the PUT's fields"
    );
    let now = e.client.get_contact(&before.id).await.unwrap();
    assert_eq!(now.city.as_deref(), Some("באר שבע"), "nothing sent yet");
    // A second revert of the same entry while the first waits is refused.
    assert!(matches!(
        revert::propose(&e.store, put_entry.seq),
        Err(revert::RevertError::AlreadyProposed { .. })
    ));

    // Approve and send: the base is the contact as the whole change (PUT, then tags) left
    // it, so this is no conflict, and GHL is back to the values before.
    assert_eq!(approve_and_send(&e, r.id).await, ChangeState::Applied);
    let back = e.client.get_contact(&before.id).await.unwrap();
    assert_eq!(back.city, before.city);
    assert_eq!(back.first_name, before.first_name);
    // Reverted once and sent: reverting the same entry again is refused, naming the change.
    let again = revert::propose(&e.store, put_entry.seq).unwrap_err();
    assert!(
        matches!(again, revert::RevertError::AlreadyReverted { change, .. } if change == r.id),
        "{again}"
    );
    assert_eq!(
        back.website, before.website,
        "an empty field is emptied again"
    );

    // The tag write is reverted on its own: the revert above moved dateUpdated, so this is
    // now a conflict (GHL changed since that write), as usual.
    let rt = revert::propose(&e.store, tag_entry.seq).unwrap();
    assert_eq!(rt.proposed("tags"), Some(tags_now.as_str()));
    assert_eq!(approve_and_send(&e, rt.id).await, ChangeState::Conflict);
    // Approving the conflict writes over what GHL has now.
    assert_eq!(approve_and_send(&e, rt.id).await, ChangeState::Applied);
    let back = e.client.get_contact(&before.id).await.unwrap();
    assert_eq!(back.tags, before.tags);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revert_of_a_contact_ghl_changed_since_is_a_conflict() {
    let e = env().await;
    let before = rich_contact(&e);
    let id = put(
        &e,
        ChangeKind::Update,
        Some(&before.id),
        vec![field("city", before.city.as_deref(), Some("Eilat"))],
    );
    assert_eq!(send(&e, id).await, ChangeState::Applied);
    let seq = entries(&e, id, "PUT")[0].seq;
    // Someone edits the contact in GHL after the write.
    assert!(e
        .sb
        .update_contact(&before.id, json!({ "lastName": "Someone Else" })));
    let r = revert::propose(&e.store, seq).unwrap();
    assert_eq!(approve_and_send(&e, r.id).await, ChangeState::Conflict);
    let now = e.client.get_contact(&before.id).await.unwrap();
    assert_eq!(
        now.city.as_deref(),
        Some("Eilat"),
        "a conflict writes nothing"
    );
    assert_eq!(now.last_name.as_deref(), Some("Someone Else"));
    let info = e.store.outbox_info(r.id).unwrap();
    assert!(info.last_error.unwrap().contains("changed in GHL"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_created_contact_is_deleted_and_a_deleted_one_created_again() {
    let e = env().await;
    let count = e.sb.contact_count();
    // Create, then revert → a delete of it.
    let id = put(
        &e,
        ChangeKind::Create,
        None,
        vec![
            field("firstName", None, Some("Revert")),
            field("lastName", None, Some("Me")),
            field("email", None, Some("revert.me@example.com")),
        ],
    );
    assert_eq!(send(&e, id).await, ChangeState::Applied);
    assert_eq!(e.sb.contact_count(), count + 1);
    let created = entries(&e, id, "POST").remove(0);
    let new_id = created.contact_id.clone().unwrap();
    assert_eq!(created.contact_name, "Revert Me");
    let r = revert::propose(&e.store, created.seq).unwrap();
    assert_eq!(r.kind, ChangeKind::Delete);
    assert_eq!(r.contact_id.as_deref(), Some(new_id.as_str()));
    assert_eq!(
        e.sb.contact_count(),
        count + 1,
        "nothing sent before approval"
    );
    assert_eq!(approve_and_send(&e, r.id).await, ChangeState::Applied);
    assert_eq!(e.sb.contact_count(), count);
    assert!(e
        .client
        .get_contact(&new_id)
        .await
        .unwrap_err()
        .is_not_found());

    // Delete a contact with tags and custom fields, then revert → created again.
    let gone = rich_contact(&e);
    let id = put(&e, ChangeKind::Delete, Some(&gone.id), vec![]);
    assert_eq!(send(&e, id).await, ChangeState::Applied);
    assert_eq!(e.sb.contact_count(), count - 1);
    let deleted = entries(&e, id, "DELETE").remove(0);
    let snap = deleted
        .snapshot
        .clone()
        .expect("a snapshot of the deleted contact");
    assert_eq!(snap["id"], gone.id.as_str());
    let r = revert::propose(&e.store, deleted.seq).unwrap();
    assert_eq!(r.kind, ChangeKind::Create);
    assert_eq!(r.state, ChangeState::Pending);
    assert_eq!(r.proposed("email"), gone.email.as_deref());
    assert_eq!(approve_and_send(&e, r.id).await, ChangeState::Applied);
    assert_eq!(e.sb.contact_count(), count);
    let again_id = e.store.outbox_info(r.id).unwrap().contact_id.unwrap();
    assert_ne!(again_id, gone.id, "a new contact");
    let again = e.client.get_contact(&again_id).await.unwrap();
    assert_eq!(again.first_name, gone.first_name);
    assert_eq!(again.last_name, gone.last_name);
    assert_eq!(again.email, gone.email);
    assert_eq!(again.phone, gone.phone);
    assert_eq!(again.city, gone.city);
    assert_eq!(again.tags, gone.tags);
    let mut want = gone.custom_fields.clone();
    let mut got = again.custom_fields.clone();
    want.sort_by(|a, b| a.id.cmp(&b.id));
    got.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(
        got.iter().map(|c| (&c.id, c.display())).collect::<Vec<_>>(),
        want.iter()
            .map(|c| (&c.id, c.display()))
            .collect::<Vec<_>>()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn task_and_note_writes_are_reverted() {
    let e = env().await;
    let c = e.store.contact(CONTACT).unwrap().unwrap();

    // A task edit → back.
    let task = e.store.tasks(CONTACT).unwrap().unwrap()[0].clone();
    let edit = local::edit_task(&e.store, &c, &task, &[("title", "Renamed task")]).unwrap();
    assert_eq!(approve_and_send(&e, edit.id).await, ChangeState::Applied);
    let w = entries(&e, edit.id, "PUT").remove(0);
    assert_eq!(
        w.subject,
        Subject::Task {
            task_id: Some(task.id.clone())
        }
    );
    assert_eq!(w.subject_name.as_deref(), Some(task.title.as_str()));
    assert_eq!(w.values[0].before.as_deref(), Some(task.title.as_str()));
    assert_eq!(w.values[0].after.as_deref(), Some("Renamed task"));
    let r = revert::propose(&e.store, w.seq).unwrap();
    assert_eq!(r.kind, ChangeKind::Update);
    assert_eq!(approve_and_send(&e, r.id).await, ChangeState::Applied);
    let t = e.sb.tasks(CONTACT);
    let t = t.iter().find(|t| t["id"] == task.id.as_str()).unwrap();
    assert_eq!(t["title"], task.title.as_str());

    // A note create → deleted.
    let add = local::add_note(&e.store, &c, "a note to revert").unwrap();
    assert_eq!(approve_and_send(&e, add.id).await, ChangeState::Applied);
    let w = entries(&e, add.id, "POST").remove(0);
    let Subject::Note {
        note_id: Some(note_id),
    } = w.subject.clone()
    else {
        panic!("the create names its note: {w:?}");
    };
    let r = revert::propose(&e.store, w.seq).unwrap();
    assert_eq!(r.kind, ChangeKind::Delete);
    assert_eq!(approve_and_send(&e, r.id).await, ChangeState::Applied);
    assert!(e
        .sb
        .notes(CONTACT)
        .iter()
        .all(|n| n["id"] != note_id.as_str()));

    // A task delete → created again from the snapshot.
    let task = e.store.tasks(CONTACT).unwrap().unwrap()[0].clone();
    let del = local::delete_task(&e.store, &c, &task).unwrap();
    assert_eq!(approve_and_send(&e, del.id).await, ChangeState::Applied);
    assert!(e
        .sb
        .tasks(CONTACT)
        .iter()
        .all(|t| t["id"] != task.id.as_str()));
    let w = entries(&e, del.id, "DELETE").remove(0);
    assert_eq!(w.snapshot.as_ref().unwrap()["title"], task.title.as_str());
    let r = revert::propose(&e.store, w.seq).unwrap();
    assert_eq!(r.kind, ChangeKind::Create);
    assert_eq!(r.subject, Subject::Task { task_id: None });
    assert_eq!(approve_and_send(&e, r.id).await, ChangeState::Applied);
    let tasks = e.sb.tasks(CONTACT);
    let again = tasks
        .iter()
        .find(|t| t["title"] == task.title.as_str())
        .expect("the task is back");
    assert_eq!(again["body"].as_str(), task.body.as_deref());
    let due = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
    assert_eq!(
        due(again["dueDate"].as_str().unwrap()),
        due(task.due_date.as_deref().unwrap())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_cannot_be_reverted_says_why() {
    let e = env().await;
    let before = rich_contact(&e);
    // A write GHL refused (an unknown property is a 422).
    let id = put(
        &e,
        ChangeKind::Update,
        Some(&before.id),
        vec![field("notAField", None, Some("x"))],
    );
    assert_eq!(send(&e, id).await, ChangeState::Failed);
    let failed = entries(&e, id, "PUT").remove(0);
    match revert::propose(&e.store, failed.seq) {
        Err(revert::RevertError::NotRevertable { why, .. }) => {
            assert!(why.contains("GHL answered 422"), "{why}")
        }
        other => panic!("{other:?}"),
    }
    // An entry written before the journal kept values (read back from an old record).
    let seq = e
        .store
        .append_journal(JournalEntry {
            change_id: 99,
            request: "PUT /contacts/abc".into(),
            status: Some(200),
            outcome: "applied".into(),
            at: "2025-01-02T09:00:00Z".into(),
            ..Default::default()
        })
        .unwrap();
    let err = revert::propose(&e.store, seq).unwrap_err().to_string();
    assert!(err.contains("before the journal kept values"), "{err}");
    assert!(matches!(
        revert::propose(&e.store, 9999),
        Err(revert::RevertError::NoSuchEntry(9999))
    ));
}
