//! The background crawl of `serve` (`src/sync/crawl.rs`) against the GHL stand-in: every
//! contact's tasks, notes and appointments, most recently updated first, each contact once per
//! pass even across a restart; and the re-fetch of recently active contacts' tasks (GHL has no
//! TaskUpdate webhook).

use crate::ghl_support;

use bmby_ghl::sandbox::DEMO_LOCATION_ID;
use bmby_ghl::sandbox::{Sandbox, SandboxConfig, Seed, DEMO_TOKEN};
use bmby_ghl::store::Store;
use bmby_ghl::sync::crawl::{self, CrawlCursor, CrawlStep};
use bmby_ghl::sync::pull_contacts;
use serde_json::{json, Value};

/// Creates a task or a note of `contact` in the stand-in through its API (as someone in GHL's
/// UI would); returns GHL's answer.
async fn create(sb: &Sandbox, contact: &str, what: &str, body: Value) -> Value {
    let r = reqwest::Client::new()
        .post(format!("{}/contacts/{contact}/{what}", sb.base_url()))
        .bearer_auth(DEMO_TOKEN)
        .header("Version", "2021-07-28")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    r.json().await.unwrap()
}

/// The contact ids whose `GET /contacts/{id}/tasks` the stand-in saw, in order.
fn tasks_requests(sb: &Sandbox) -> Vec<String> {
    sb.requests()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path.ends_with("/tasks"))
        .map(|r| r.path.split('/').nth(2).unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crawl_fills_every_contact_once_most_recent_first_and_resumes_after_a_restart() {
    let sb = Sandbox::start(SandboxConfig {
        seed: Seed::Generated { contacts: 12 },
        ..Default::default()
    })
    .await
    .unwrap();
    let client = ghl_support::fast_client(&sb.base_url());
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();
    pull_contacts(&client, &store, true, |_| {}).await.unwrap();
    let mut rows = store.contact_rows().unwrap();
    assert_eq!(rows.len(), 12);
    // Someone adds a task and a note in GHL to a contact nobody opened here.
    let oldest = rows
        .iter()
        .min_by_key(|r| r.date_updated.clone())
        .unwrap()
        .id
        .clone();
    create(
        &sb,
        &oldest,
        "tasks",
        json!({"title": "Call back about the flat", "dueDate": "2026-12-07T07:00:00.000Z", "completed": false}),
    )
    .await;
    create(&sb, &oldest, "notes", json!({"body": "מחפשים 4 חדרים"})).await;
    assert_eq!(store.tasks(&oldest).unwrap(), None, "never fetched yet");
    sb.clear_requests();

    // Five contacts, then the process stops (the store is closed) and starts again.
    for _ in 0..5 {
        assert!(matches!(
            crawl::crawl_step(&client, &store).await.unwrap(),
            CrawlStep::Contact { ok: true, .. }
        ));
    }
    drop(store);
    // sled may hold the dropped handle's lock a moment longer.
    let store = Store::open_waiting(
        dir.path(),
        DEMO_LOCATION_ID,
        std::time::Duration::from_secs(10),
    )
    .unwrap();
    let c = CrawlCursor::load(&store);
    assert!(c.running(), "{c:?}");
    assert_eq!((c.pass, c.done), (1, 5));
    let finished = loop {
        match crawl::crawl_step(&client, &store).await.unwrap() {
            CrawlStep::Contact { ok, id } => assert!(ok, "{id}"),
            CrawlStep::PassFinished(c) => break c,
            CrawlStep::Paused => panic!("paused with a full daily budget"),
        }
    };
    assert_eq!((finished.pass, finished.done, finished.failed), (1, 12, 0));
    assert!(finished.finished_at.is_some());

    // Each contact once, across the restart, most recently updated first.
    rows.sort_by(|a, b| (&b.date_updated, &b.id).cmp(&(&a.date_updated, &a.id)));
    let expected: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    assert_eq!(tasks_requests(&sb), expected);
    for r in &rows {
        assert!(store.tasks(&r.id).unwrap().is_some(), "tasks of {}", r.id);
        assert!(store.notes(&r.id).unwrap().is_some(), "notes of {}", r.id);
        assert!(
            store.appointments(&r.id).unwrap().is_some(),
            "appointments of {}",
            r.id
        );
    }
    let tasks = store.tasks(&oldest).unwrap().unwrap();
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].title, "Call back about the flat");
    let notes = store.notes(&oldest).unwrap().unwrap();
    assert_eq!(notes.len(), 1);
    assert!(notes[0].body.contains("4 חדרים"), "{:?}", notes[0].body);
    // No contact was opened (`GET /contacts/{id}`): the crawl asks for the activity only.
    assert!(
        !sb.requests()
            .iter()
            .any(|r| r.method == "GET" && r.path.matches('/').count() == 2),
        "a contact was fetched"
    );

    // The next step starts the second pass at the most recently updated contact.
    assert_eq!(
        crawl::crawl_step(&client, &store).await.unwrap(),
        CrawlStep::Contact {
            id: expected[0].clone(),
            ok: true
        }
    );
    assert_eq!(CrawlCursor::load(&store).pass, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tasks_of_recently_active_contacts_are_fetched_again() {
    let sb = Sandbox::start(SandboxConfig {
        seed: Seed::Generated { contacts: 6 },
        ..Default::default()
    })
    .await
    .unwrap();
    let client = ghl_support::fast_client(&sb.base_url());
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();
    pull_contacts(&client, &store, true, |_| {}).await.unwrap();
    let ids: Vec<String> = store
        .contact_rows()
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    let active = ids[2].clone();
    let task = create(
        &sb,
        &active,
        "tasks",
        json!({"title": "Send the contract", "dueDate": "2026-12-07T07:00:00.000Z", "completed": false}),
    )
    .await;
    let task_id = task["task"]["id"].as_str().unwrap().to_owned();
    while !matches!(
        crawl::crawl_step(&client, &store).await.unwrap(),
        CrawlStep::PassFinished(_)
    ) {}
    assert!(!store.tasks(&active).unwrap().unwrap()[0].completed);

    // In GHL: the contact is edited (recent activity) and its task completed; no webhook
    // tells of the task.
    assert!(sb.update_contact(&active, json!({"city": "חיפה"})));
    assert!(sb.update_task(&active, &task_id, json!({"completed": true})));
    pull_contacts(&client, &store, false, |_| {}).await.unwrap();
    let since = jiff::Timestamp::now()
        .checked_sub(jiff::SignedDuration::from_hours(1))
        .unwrap();
    assert_eq!(
        crawl::recent_contact_ids(&store, since, 50).unwrap(),
        vec![active.clone()],
        "only the contact edited in the last hour"
    );
    sb.clear_requests();
    assert_eq!(
        crawl::refresh_recent_tasks(&client, &store).await.unwrap(),
        1
    );
    assert_eq!(tasks_requests(&sb), vec![active.clone()]);
    assert!(store.tasks(&active).unwrap().unwrap()[0].completed);
}
