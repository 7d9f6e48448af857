//! GHL webhooks end to end (issue 12, items 3 and 4): the stand-in delivers signed events for
//! its own changes to the receiver, which stores them; applying the inbox brings the cache to
//! the stand-in's state — for each of the 14 event types, with duplicated and out-of-order
//! deliveries, and not at all for stale or badly signed ones. Loopback only; every wait is on
//! a condition (`settled`: every change delivered and answered).

use crate::webhooks_support;

use std::collections::BTreeSet;
use std::sync::atomic::Ordering;

use crate::webhooks_support::World;
use bmby_ghl::domain::RecentSource;
use serde_json::{json, Value};

fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread")]
async fn each_event_type_reaches_the_cache() {
    let w = World::start(6).await;
    let ids = w.ids();
    let (a, b, gone) = (ids[0].clone(), ids[1].clone(), ids[2].clone());
    w.open(&a).await;

    // ContactCreate
    w.sb.insert_contact(json!({"id": "newContactWebhook01", "firstName": "נועה",
        "lastName": "Levi", "email": "noa@example.org", "tags": ["fresh"]}));
    // ContactUpdate
    assert!(w
        .sb
        .update_contact(&a, json!({"firstName": "Zed", "city": "Haifa"})));
    // ContactTagUpdate
    assert!(w.sb.update_contact(&b, json!({"tags": ["vip", "buyer"]})));
    w.deliver_and_apply().await;
    // ContactDndUpdate
    assert!(w.sb.update_contact(
        &b,
        json!({"dnd": true, "dndSettings": {"SMS": {"status": "active", "message": "", "code": ""}}})
    ));
    // ContactDelete
    assert!(w.sb.delete_contact(&gone));
    // TaskCreate, NoteCreate, AppointmentCreate
    let task = json!({"id": "taskWebhook000000001", "title": "Call back", "body": "about the flat",
        "dueDate": "2026-12-10T09:00:00.000Z", "completed": false, "contactId": a});
    assert!(w.sb.put_item("tasks", &a, task.clone()));
    assert!(w.sb.put_item(
        "notes",
        &a,
        json!({"id": "noteWebhook000000001",
        "body": "first\nsecond line", "contactId": a, "dateAdded": "2026-12-04T10:00:00.000Z"})
    ));
    assert!(w.sb.put_item(
        "appointments",
        &a,
        json!({"id": "apptWebhook000000001",
        "title": "Viewing", "contactId": a, "calendarId": "cal1", "appointmentStatus": "confirmed",
        "startTime": "2026-12-10T12:00:00+02:00", "endTime": "2026-12-10T13:00:00+02:00",
        "dateUpdated": "2026-12-04T10:00:00.000Z"})
    ));
    let r = w.deliver_and_apply().await;
    assert_eq!(r.older, 0, "{r:?}");

    let c = w
        .store
        .contact("newContactWebhook01")
        .unwrap()
        .expect("created");
    assert_eq!(c.first_name.as_deref(), Some("נועה"));
    assert_eq!(c.tags, ["fresh"]);
    let c = w.store.contact(&a).unwrap().unwrap();
    assert_eq!(c.first_name.as_deref(), Some("Zed"));
    assert_eq!(c.city.as_deref(), Some("Haifa"));
    let c = w.store.contact(&b).unwrap().unwrap();
    assert_eq!(c.tags, ["vip", "buyer"]);
    assert!(c.dnd);
    assert_eq!(c.dnd_settings[0].status, "active");
    assert!(w.store.contact(&gone).unwrap().is_none());
    let tasks = w.store.tasks(&a).unwrap().unwrap();
    let t = tasks
        .iter()
        .find(|t| t.id == "taskWebhook000000001")
        .unwrap();
    assert_eq!((t.title.as_str(), t.completed), ("Call back", false));
    let notes = w.store.notes(&a).unwrap().unwrap();
    assert_eq!(notes[0].body, "first\nsecond line", "multi-line kept");
    let appts = w.store.appointments(&a).unwrap().unwrap();
    assert!(appts
        .iter()
        .any(|x| x.id == "apptWebhook000000001" && x.title == "Viewing"));

    // TaskComplete, NoteUpdate, AppointmentUpdate
    let mut done = task.clone();
    done["completed"] = json!(true);
    assert!(w.sb.put_item("tasks", &a, done));
    assert!(w.sb.put_item(
        "notes",
        &a,
        json!({"id": "noteWebhook000000001",
        "body": "edited in GHL", "contactId": a, "dateAdded": "2026-12-04T10:00:00.000Z"})
    ));
    assert!(w.sb.put_item(
        "appointments",
        &a,
        json!({"id": "apptWebhook000000001",
        "title": "Viewing (moved)", "contactId": a, "dateUpdated": "2026-12-04T11:00:00.000Z"})
    ));
    w.deliver_and_apply().await;
    let tasks = w.store.tasks(&a).unwrap().unwrap();
    assert!(tasks
        .iter()
        .any(|t| t.id == "taskWebhook000000001" && t.completed));
    let notes = w.store.notes(&a).unwrap().unwrap();
    assert!(notes.iter().any(|n| n.body == "edited in GHL"));
    let appts = w.store.appointments(&a).unwrap().unwrap();
    assert!(appts.iter().any(|x| x.title == "Viewing (moved)"));

    // TaskDelete, NoteDelete, AppointmentDelete
    assert!(w.sb.remove_item("tasks", &a, "taskWebhook000000001"));
    assert!(w.sb.remove_item("notes", &a, "noteWebhook000000001"));
    assert!(w.sb.remove_item("appointments", &a, "apptWebhook000000001"));
    w.deliver_and_apply().await;
    assert!(!w
        .store
        .tasks(&a)
        .unwrap()
        .unwrap()
        .iter()
        .any(|t| t.id == "taskWebhook000000001"));
    assert!(!w
        .store
        .notes(&a)
        .unwrap()
        .unwrap()
        .iter()
        .any(|n| n.id == "noteWebhook000000001"));
    assert!(!w
        .store
        .appointments(&a)
        .unwrap()
        .unwrap()
        .iter()
        .any(|x| x.id == "apptWebhook000000001"));

    let kinds: BTreeSet<String> =
        w.sb.webhooks()
            .unwrap()
            .deliveries()
            .into_iter()
            .inspect(|d| assert_eq!(d.status, 200, "{d:?}"))
            .map(|d| d.kind)
            .collect();
    assert_eq!(kinds.len(), 14, "every event type was delivered: {kinds:?}");
    assert_eq!(w.store.webhook_inbox_len().unwrap(), 0);

    // The recent list says where the news came from.
    let recent = w.store.recent().unwrap();
    let from_hooks: Vec<_> = recent
        .iter()
        .filter(|e| e.source == RecentSource::Webhook)
        .collect();
    assert!(from_hooks.iter().any(|e| e.contact_id == a
        && e.fields
            .iter()
            .any(|f| f.field == "firstName" && f.after.as_deref() == Some("Zed"))));
    assert!(from_hooks
        .iter()
        .any(|e| e.contact_id == "newContactWebhook01" && e.created));
    assert!(from_hooks.iter().any(|e| e
        .fields
        .iter()
        .any(|f| f.label == "Note" && f.after.as_deref() == Some("edited in GHL"))));
    // … and the list of recent changes says it came from GHL as it happened.
    let items = bmby_ghl::sync::recent::changed_since(
        &w.store.contact_rows().unwrap(),
        &recent,
        jiff::Timestamp::now()
            .checked_sub(jiff::SignedDuration::from_hours(1))
            .unwrap(),
    );
    let item = items
        .iter()
        .find(|i| i.contact_id == a)
        .expect("a is listed");
    assert!(item.from_webhook, "{item:?}");
}

/// The task part of the cache as (id, title, completed), and the stand-in's.
/// (id, title, completed) of each task.
type TaskRows = Vec<(String, String, bool)>;

fn tasks_of(w: &World, id: &str) -> (TaskRows, TaskRows) {
    let cached = w
        .store
        .tasks(id)
        .unwrap()
        .unwrap_or_default()
        .into_iter()
        .map(|t| (t.id, t.title, t.completed))
        .collect();
    let ghl =
        w.sb.tasks(id)
            .into_iter()
            .map(|t: Value| {
                (
                    t["id"].as_str().unwrap().to_owned(),
                    t["title"].as_str().unwrap_or("").to_owned(),
                    t["completed"].as_bool().unwrap_or(false),
                )
            })
            .collect();
    (sorted(cached), sorted(ghl))
}

#[tokio::test(flavor = "multi_thread")]
async fn duplicated_and_reordered_deliveries_leave_the_cache_equal_to_ghl() {
    let w = World::start(6).await;
    let ids = w.ids();
    let (a, b, gone) = (ids[0].clone(), ids[1].clone(), ids[2].clone());
    w.open(&a).await;
    let hooks = w.sb.webhooks().unwrap();
    hooks.faults().duplicate.store(true, Ordering::SeqCst);
    hooks.faults().hold.store(true, Ordering::SeqCst);
    // One change at a time, so each is its own event; all are held, then sent newest first.
    for name in ["One", "Two", "Three"] {
        assert!(w.sb.update_contact(&a, json!({ "firstName": name })));
        hooks.settled().await;
    }
    assert!(w.sb.update_contact(&b, json!({"tags": ["late"]})));
    hooks.settled().await;
    let task = json!({"id": "taskReorder000000001", "title": "Sign", "dueDate": "2026-12-10T09:00:00.000Z",
        "completed": false, "contactId": a});
    assert!(w.sb.put_item("tasks", &a, task.clone()));
    hooks.settled().await;
    let mut done = task;
    done["completed"] = json!(true);
    assert!(w.sb.put_item("tasks", &a, done));
    hooks.settled().await;
    assert!(w.sb.put_item(
        "notes",
        &a,
        json!({"id": "noteReorder000000001", "body": "v1", "contactId": a})
    ));
    hooks.settled().await;
    assert!(w.sb.put_item(
        "notes",
        &a,
        json!({"id": "noteReorder000000001", "body": "v2", "contactId": a})
    ));
    hooks.settled().await;
    assert!(w.sb.put_item(
        "notes",
        &a,
        json!({"id": "noteGone000000000001", "body": "brief", "contactId": a})
    ));
    hooks.settled().await;
    assert!(w.sb.remove_item("notes", &a, "noteGone000000000001"));
    hooks.settled().await;
    assert!(w.sb.update_contact(&gone, json!({"city": "Eilat"})));
    hooks.settled().await;
    assert!(w.sb.delete_contact(&gone));
    hooks.settled().await;
    assert!(hooks.deliveries().is_empty(), "all held so far");

    hooks.release_held().await;
    let sent = hooks.deliveries();
    assert_eq!(sent.len(), 2 * 12, "12 events, each twice");
    assert!(sent.iter().all(|d| d.status == 200), "{sent:?}");
    assert_eq!(sent[0].kind, "ContactDelete", "newest first");
    assert_eq!(
        w.store.webhook_inbox_len().unwrap(),
        12,
        "duplicates not stored"
    );
    let r = bmby_ghl::webhooks::apply_pending(&w.store, None, None)
        .await
        .unwrap();
    assert!(r.older >= 5, "late events changed nothing: {r:?}");

    for id in [&a, &b] {
        let ghl = w.sb.contact(id).unwrap();
        let c = w.store.contact(id).unwrap().unwrap();
        assert_eq!(c.first_name.as_deref(), ghl["firstName"].as_str(), "{id}");
        let tags: Vec<String> = serde_json::from_value(ghl["tags"].clone()).unwrap_or_default();
        assert_eq!(c.tags, tags, "{id}");
    }
    assert_eq!(
        w.store.contact(&a).unwrap().unwrap().first_name.as_deref(),
        Some("Three")
    );
    assert!(
        w.store.contact(&gone).unwrap().is_none(),
        "deleted stays deleted"
    );
    let (cached, ghl) = tasks_of(&w, &a);
    assert_eq!(cached, ghl);
    let notes = |v: Vec<(String, String)>| sorted(v);
    assert_eq!(
        notes(
            w.store
                .notes(&a)
                .unwrap()
                .unwrap()
                .into_iter()
                .map(|n| (n.id, n.body))
                .collect()
        ),
        notes(
            w.sb.notes(&a)
                .into_iter()
                .map(|n| (
                    n["id"].as_str().unwrap().to_owned(),
                    n["body"].as_str().unwrap().to_owned()
                ))
                .collect()
        )
    );
    // Applying again changes nothing.
    let again = bmby_ghl::webhooks::apply_pending(&w.store, None, None)
        .await
        .unwrap();
    assert_eq!(again.applied + again.older + again.dropped, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn stale_and_badly_signed_deliveries_never_reach_the_cache() {
    let w = World::start(4).await;
    let a = w.ids()[0].clone();
    let before = w.store.contact(&a).unwrap().unwrap();
    let hooks = w.sb.webhooks().unwrap();

    hooks.faults().stale.store(true, Ordering::SeqCst);
    assert!(w.sb.update_contact(&a, json!({"firstName": "Stale"})));
    hooks.settled().await;
    hooks.faults().stale.store(false, Ordering::SeqCst);
    hooks.faults().bad_signature.store(true, Ordering::SeqCst);
    assert!(w.sb.update_contact(&a, json!({"firstName": "Forged"})));
    hooks.settled().await;

    let statuses: Vec<u16> = hooks.deliveries().iter().map(|d| d.status).collect();
    assert_eq!(statuses, [400, 401]);
    assert_eq!(w.store.webhook_inbox_len().unwrap(), 0, "nothing stored");
    let r = bmby_ghl::webhooks::apply_pending(&w.store, None, None)
        .await
        .unwrap();
    assert_eq!(r.applied, 0);
    assert_eq!(w.store.contact(&a).unwrap().unwrap(), before);
}

/// The demo's path: the stand-in runs first, the cache is pulled, `webhooks::serve` starts in
/// front of it, and the stand-in is then told where to deliver. A note edited in the stand-in
/// reaches the cache and a listener (the TUI) hears of it without anything else being asked.
#[tokio::test(flavor = "multi_thread")]
async fn a_note_edited_in_the_stand_in_reaches_a_served_cache_and_its_listener() {
    use bmby_ghl::sandbox::DEMO_LOCATION_ID;
    use bmby_ghl::sandbox::{webhooks::SandboxWebhooks, Sandbox, SandboxConfig, Seed};
    use bmby_ghl::sync::SyncEvent;
    let sb = Sandbox::start(SandboxConfig {
        seed: Seed::Generated { contacts: 3 },
        ..Default::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = bmby_ghl::store::Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();
    let client = webhooks_support::fast_client(&sb.base_url());
    bmby_ghl::sync::pull_contacts(&client, &store, true, |_| {})
        .await
        .unwrap();
    let id = store.contact_rows().unwrap()[0].id.clone();
    bmby_ghl::sync::fetch_details(&client, &store, &id)
        .await
        .unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut locs = std::collections::HashMap::new();
    locs.insert(
        DEMO_LOCATION_ID.to_owned(),
        bmby_ghl::webhooks::WebhookLocation {
            store: store.clone(),
            client: Some(client),
            events: Some(tx),
        },
    );
    let server = bmby_ghl::webhooks::serve(
        "127.0.0.1:0".parse().unwrap(),
        locs,
        webhooks_support::test_cfg(),
    )
    .await
    .unwrap();
    assert!(sb.webhooks().is_none());
    assert!(sb.send_webhooks_to(SandboxWebhooks::to(server.url())));
    assert!(
        !sb.send_webhooks_to(SandboxWebhooks::to(server.url())),
        "once"
    );
    assert!(sb.put_item(
        "notes",
        &id,
        json!({"id": "noteLive000000000001", "body": "שלום from GHL", "contactId": id})
    ));
    let ev = tokio::time::timeout(std::time::Duration::from_secs(30), rx.recv())
        .await
        .expect("the applier reported")
        .unwrap();
    assert_eq!(
        ev,
        SyncEvent::DetailsLoaded {
            contact_id: id.clone()
        }
    );
    let notes = store.notes(&id).unwrap().unwrap();
    assert_eq!(notes[0].body, "שלום from GHL");
    server.shutdown().await;
}
