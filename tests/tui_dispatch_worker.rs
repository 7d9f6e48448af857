//! The worker sends approved changes to the GHL stand-in on loopback (`Job::Dispatch`),
//! reporting progress after each change, while an interactive details fetch still runs.

use crate::ghl_support;

use std::time::Duration;

use bmby_ghl::domain::{Change, ChangeKind, ChangeState, FieldChange};
use bmby_ghl::sandbox::{Sandbox, SandboxConfig, Seed, DEMO_LOCATION_ID};
use bmby_ghl::store::Store;
use bmby_ghl::sync::{self, worker, Job, SyncEvent};

#[tokio::test]
async fn worker_dispatches_every_queued_change_with_progress() {
    let sb = Sandbox::start(SandboxConfig {
        seed: Seed::Generated { contacts: 30 },
        rate_limit_interval: Duration::from_secs(1),
        ..Default::default()
    })
    .await
    .unwrap();
    let client = ghl_support::fast_client(&sb.base_url());
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();
    sync::pull_contacts(&client, &store, true, |_| {})
        .await
        .unwrap();
    let targets: Vec<String> = store
        .contact_rows()
        .unwrap()
        .into_iter()
        .take(4)
        .map(|r| r.id)
        .collect();
    let mut ids = Vec::new();
    for (i, cid) in targets.iter().enumerate() {
        let id = store.next_id().unwrap() + 1;
        store
            .put_change(&Change {
                id,
                kind: ChangeKind::Update,
                state: ChangeState::Approved,
                client_id: format!("client{id}"),
                contact_id: Some(cid.clone()),
                display_name: format!("change {id}"),
                fields: vec![FieldChange {
                    field: "city".into(),
                    label: "City".into(),
                    source_field: "city".into(),
                    ghl_now: None,
                    proposed: Some(format!("עיר {i}")),
                    edited: false,
                    value_json: None,
                }],
                base_date_updated: store.contact(cid).unwrap().unwrap().date_updated,
                origin: "test".into(),
                warnings: vec![],
                candidates: vec![],
                fingerprint: String::new(),
                created_at: String::new(),
                updated_at: String::new(),
                subject: Default::default(),
                target: Default::default(),
                choice: None,
                matched: None,
                removable_tags: Vec::new(),
            })
            .unwrap();
        ids.push(id);
    }
    let (ev_tx, mut ev_rx) = tokio::sync::mpsc::unbounded_channel();
    let jobs = worker::spawn(
        client,
        store.clone(),
        ev_tx,
        worker::WorkerConfig {
            pull_interval: None,
            pull_on_start: false,
            ..Default::default()
        },
    );
    jobs.send(Job::Dispatch { ids: None }).await.unwrap();
    // An interactive fetch is answered while the dispatch runs (its own task).
    jobs.send(Job::FetchDetails {
        contact_id: targets[0].clone(),
    })
    .await
    .unwrap();
    // A second dispatch while one runs is ignored (no second DispatchStarted).
    jobs.send(Job::Dispatch { ids: None }).await.unwrap();
    let mut progress = Vec::new();
    let mut started = 0;
    let mut details = false;
    let finished = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            match ev_rx.recv().await.expect("worker alive") {
                SyncEvent::DispatchStarted { total } => {
                    started += 1;
                    assert_eq!(total, 4);
                }
                SyncEvent::DispatchProgress {
                    done,
                    total,
                    change_id,
                    state,
                } => progress.push((done, total, change_id, state)),
                SyncEvent::DetailsLoaded { .. } => details = true,
                SyncEvent::Error { context, message } => panic!("{context}: {message}"),
                f @ SyncEvent::DispatchFinished { .. } => break f,
                _ => {}
            }
        }
    })
    .await
    .expect("the dispatch finishes");
    assert_eq!(
        finished,
        SyncEvent::DispatchFinished {
            applied: 4,
            failed: 0,
            conflicts: 0,
            queued: 0,
            cancelled: false,
        }
    );
    assert_eq!(started, 1);
    let want: Vec<_> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (i + 1, 4, *id, ChangeState::Applied))
        .collect();
    assert_eq!(progress, want);
    for id in &ids {
        assert_eq!(
            store.change(*id).unwrap().unwrap().state,
            ChangeState::Applied
        );
    }
    // The details fetch came back (before or after the end; wait for it if still due).
    if !details {
        let got = tokio::time::timeout(Duration::from_secs(30), async {
            loop {
                if let SyncEvent::DetailsLoaded { .. } = ev_rx.recv().await.unwrap() {
                    break;
                }
            }
        })
        .await;
        assert!(got.is_ok(), "details were loaded beside the dispatch");
    }
    // Written exactly once each; the cache holds GHL's answer.
    let reqs = sb.requests();
    for (i, cid) in targets.iter().enumerate() {
        let puts = reqs
            .iter()
            .filter(|r| r.method == "PUT" && r.path.ends_with(cid.as_str()))
            .count();
        assert_eq!(puts, 1, "{cid}");
        let c = store.contact(cid).unwrap().unwrap();
        assert_eq!(c.city.as_deref(), Some(format!("עיר {i}").as_str()));
    }
}
