//! Write-back to Bmby: GHL tasks and notes of linked contacts, and unlinked contacts, proposed
//! as Bmby changes and dispatched to the Bmby stand-in (both stand-ins on loopback, port 0).

use crate::ghl_support;

use std::sync::Arc;
use std::time::Duration;

use bmby_ghl::bmby::soap::{BmbySoapClient, BmbySoapConfig};
use bmby_ghl::domain::{Change, ChangeState, Subject, Target};
use bmby_ghl::ghl::{GhlClient, Secret};
use bmby_ghl::sandbox::bmby::{
    BmbySandbox, BmbySandboxConfig, DEMO_LEAD_PASSWORD, DEMO_LOGIN, DEMO_PASSWORD, DEMO_PROJECT_ID,
};
use bmby_ghl::sandbox::{Sandbox, SandboxConfig, Seed, DEMO_LOCATION_ID, DEMO_TOKEN};
use bmby_ghl::store::Store;
use bmby_ghl::sync::dispatch::{self, bmby::NOT_CONFIGURED};
use bmby_ghl::sync::writeback::{propose_writeback, WritebackOptions, WritebackSummary};
use bmby_ghl::sync::{self, review, worker, Job, SyncEvent};
use serde_json::json;

/// A demo contact with three open tasks and two notes.
const CONTACT: &str = "x64Mt6pwWmOf7NAPeeIE";

struct Env {
    ghl_sb: Sandbox,
    bmby_sb: BmbySandbox,
    client: GhlClient,
    store: Store,
    dir: tempfile::TempDir,
}

async fn env(seed: Seed) -> Env {
    let ghl_sb = Sandbox::start(SandboxConfig {
        seed,
        rate_limit_interval: Duration::from_secs(1),
        ..Default::default()
    })
    .await
    .unwrap();
    let bmby_sb = BmbySandbox::start(BmbySandboxConfig::default())
        .await
        .unwrap();
    let client = ghl_support::fast_client(&ghl_sb.base_url());
    let dir = tempfile::tempdir().unwrap();
    // The binary (CLI test) uses `dir` itself; this store lives beside it.
    let store = Store::open(&dir.path().join("lib"), DEMO_LOCATION_ID).unwrap();
    Env {
        ghl_sb,
        bmby_sb,
        client,
        store,
        dir,
    }
}

impl Env {
    async fn pull(&self) {
        sync::pull_contacts(&self.client, &self.store, true, |_| {})
            .await
            .unwrap();
    }

    fn soap_config(&self, login: &str, password: &str) -> BmbySoapConfig {
        let mut cfg = BmbySoapConfig::new(
            self.bmby_sb.soap_url(),
            login,
            Secret::new(password),
            DEMO_PROJECT_ID,
        );
        cfg.lead_password = Some(Secret::new(DEMO_LEAD_PASSWORD));
        cfg.max_attempts = 2;
        cfg.backoff_base = Duration::from_millis(1);
        cfg.backoff_cap = Duration::from_millis(5);
        cfg
    }

    /// A client with the full SOAP login (NewTask, Insert).
    fn bmby(&self) -> BmbySoapClient {
        BmbySoapClient::new(self.soap_config(DEMO_LOGIN, DEMO_PASSWORD)).unwrap()
    }

    /// A client with only the project's lead password (AddClient).
    fn lead_only(&self) -> BmbySoapClient {
        BmbySoapClient::new(self.soap_config("", "")).unwrap()
    }

    /// A client of the demo project in the Bmby stand-in.
    fn bmby_client_id(&self) -> String {
        self.bmby_sb
            .clients()
            .iter()
            .find(|c| c.project_id == DEMO_PROJECT_ID)
            .unwrap()
            .client_id
            .to_string()
    }

    async fn propose(&self, opts: WritebackOptions) -> WritebackSummary {
        propose_writeback(&self.client, &self.store, opts)
            .await
            .unwrap()
    }

    fn changes(&self) -> Vec<Change> {
        self.store.changes().unwrap()
    }

    fn approve_all(&self) {
        for c in self.changes() {
            if c.state == ChangeState::Pending {
                review::approve(&self.store, c.id).unwrap();
            }
        }
    }

    fn bmby_ops(&self, op: &str) -> usize {
        self.bmby_sb
            .requests()
            .iter()
            .filter(|r| r.operation == op)
            .count()
    }
}

fn new_clients() -> WritebackOptions {
    WritebackOptions {
        new_clients: true,
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn linked_contacts_tasks_and_notes_are_proposed_once() {
    let e = env(Seed::Demo).await;
    e.pull().await;
    let client_id = e.bmby_client_id();
    e.store.put_link(&client_id, CONTACT).unwrap();
    assert!(e
        .ghl_sb
        .update_task(CONTACT, "OlFpi3RhE9ZstQcA6dAk", json!({"completed": true})));
    assert!(e.store.tasks(CONTACT).unwrap().is_none());

    let s = e.propose(WritebackOptions::default()).await;
    assert_eq!((s.tasks, s.notes, s.inserts), (2, 2, 0), "{s:?}");
    assert_eq!(s.skipped_completed, 1);
    // Fetched and cached.
    assert_eq!(e.store.tasks(CONTACT).unwrap().unwrap().len(), 3);
    assert_eq!(e.store.notes(CONTACT).unwrap().unwrap().len(), 2);

    let changes = e.changes();
    assert_eq!(changes.len(), 4);
    for c in &changes {
        assert_eq!(c.target, Target::Bmby);
        assert_eq!(c.state, ChangeState::Pending);
        assert_eq!(c.client_id, client_id);
        assert_eq!(c.contact_id.as_deref(), Some(CONTACT));
        assert!(c.fields.iter().all(|f| f.ghl_now.is_none()));
    }
    let task = changes
        .iter()
        .find(|c| {
            c.subject
                == Subject::Task {
                    task_id: Some("jh5PtZmKFWAu1SnTO8zs".into()),
                }
        })
        .expect("task change");
    assert_eq!(task.origin, "GHL task");
    assert_eq!(task.fingerprint, "bmby-task:jh5PtZmKFWAu1SnTO8zs");
    assert_eq!(task.proposed("title"), Some("Send listing brochure"));
    assert_eq!(task.proposed("dueDate"), Some("2027-04-22T13:00:00.000Z"));
    assert!(task.proposed("body").unwrap().contains('\n'));
    assert_eq!(task.describe(), "Bmby: new task");
    let note = changes
        .iter()
        .find(|c| {
            c.subject
                == Subject::Note {
                    note_id: Some("WefPUdr4KkBKHX6JiOCU".into()),
                }
        })
        .expect("note change");
    assert_eq!(note.origin, "GHL note");
    assert_eq!(note.proposed("title"), Some("Follow-up summary"));
    assert_eq!(
        note.proposed("body"),
        Some("Called, no answer. Left voicemail.")
    );
    assert!(!changes
        .iter()
        .any(|c| c.fingerprint.contains("OlFpi3RhE9ZstQcA6dAk")));

    // Again (from the cache: no GHL read): nothing new, also once one is rejected and the
    // cache is refreshed.
    e.ghl_sb.clear_requests();
    let again = e.propose(WritebackOptions::default()).await;
    assert_eq!((again.tasks, again.notes), (0, 0));
    assert_eq!(again.already_proposed, 4);
    assert!(e
        .ghl_sb
        .requests()
        .iter()
        .all(|r| !r.path.ends_with("/tasks")));
    review::reject(&e.store, note.id).unwrap();
    let third = e
        .propose(WritebackOptions {
            refresh: true,
            ..Default::default()
        })
        .await;
    assert_eq!(
        (third.tasks, third.notes, third.already_proposed),
        (0, 0, 4)
    );
    assert!(e
        .ghl_sb
        .requests()
        .iter()
        .any(|r| r.path.ends_with("/tasks")));
    assert_eq!(e.changes().len(), 4);
    // The import's change heads never see write-backs.
    assert!(e.store.change_heads().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approved_tasks_and_notes_reach_bmby_once_in_israel_time() {
    let e = env(Seed::Demo).await;
    e.pull().await;
    let client_id = e.bmby_client_id();
    e.store.put_link(&client_id, CONTACT).unwrap();
    // 2026-03-27 is the day Israel moves to summer time (02:00 → 03:00): 08:00Z is 11:00.
    // The day before is still UTC+2.
    assert!(e.ghl_sb.update_task(
        CONTACT,
        "jh5PtZmKFWAu1SnTO8zs",
        json!({"dueDate": "2026-03-27T08:00:00.000Z"})
    ));
    assert!(e.ghl_sb.update_task(
        CONTACT,
        "wK7YeYHA5GGZ1WWJNzer",
        json!({"dueDate": "2026-03-26T08:00:00.000Z"})
    ));
    let s = e.propose(WritebackOptions::default()).await;
    assert_eq!((s.tasks, s.notes), (3, 2));
    e.approve_all();
    let bmby = e.bmby();
    let before = e.bmby_sb.tasks().len();
    let sum = dispatch::dispatch_all_with(&e.client, Some(&bmby), &e.store)
        .await
        .unwrap();
    assert_eq!((sum.applied, sum.failed), (5, 0));
    assert_eq!(e.bmby_ops("NewTask"), 5);
    let id: u64 = client_id.parse().unwrap();
    let created: Vec<_> = e.bmby_sb.tasks()[before..].to_vec();
    assert_eq!(created.len(), 5);
    assert!(created.iter().all(|t| t.client_id == id));
    let by_subject = |s: &str| {
        created
            .iter()
            .find(|t| t.fields.get("subject").map(String::as_str) == Some(s))
            .unwrap_or_else(|| panic!("no Bmby task {s}: {created:?}"))
    };
    let brochure = by_subject("Send listing brochure");
    assert_eq!(brochure.fields["type"], "Task");
    assert_eq!(brochure.fields["start_date"], "2026-03-27 11:00");
    assert_eq!(brochure.fields["due_date"], "2026-03-27 11:00");
    assert!(brochure.fields["message"].starts_with("לשאול לגבי חניה ומחסן.\n"));
    assert_eq!(
        by_subject("לבדוק אישור משכנתא").fields["start_date"],
        "2026-03-26 10:00"
    );
    let comment = by_subject("Follow-up summary");
    assert_eq!(comment.fields["type"], "Comment");
    assert_eq!(
        comment.fields["message"],
        "Called, no answer. Left voicemail."
    );
    // A note without a title: the subject is its first line.
    let untitled = by_subject("Offer submitted: ₪2,950,000.");
    assert_eq!(untitled.fields["type"], "Comment");
    assert!(untitled.fields["message"].contains("Waiting for seller"));
    // Every NewTask carried the API login; the recorded password is masked.
    for r in e.bmby_sb.requests() {
        assert_eq!(r.params.get("Login").map(String::as_str), Some(DEMO_LOGIN));
    }

    // Journal: one entry per write, naming the operation, never the password.
    let journal = e.store.journal().unwrap();
    assert_eq!(journal.len(), 5);
    assert!(journal
        .iter()
        .all(|j| j.request.starts_with("Bmby NewTask") && j.outcome == "applied"));
    assert_eq!(
        journal
            .iter()
            .filter(|j| j.request == format!("Bmby NewTask (Comment) client {client_id}"))
            .count(),
        2
    );
    let dump = format!(
        "{}{:?}",
        serde_json::to_string(&journal).unwrap(),
        e.changes()
    );
    assert!(!dump.contains(DEMO_PASSWORD));

    // At most once: nothing is sent again, and nothing is proposed again once applied.
    assert!(e.changes().iter().all(|c| c.state == ChangeState::Applied));
    let again = dispatch::dispatch_all_with(&e.client, Some(&bmby), &e.store)
        .await
        .unwrap();
    assert_eq!(again.applied, 0);
    assert_eq!(e.bmby_ops("NewTask"), 5);
    let s = e.propose(WritebackOptions::default()).await;
    assert_eq!((s.tasks, s.notes, s.already_proposed), (0, 0, 5));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_contact_is_inserted_linked_and_not_proposed_again() {
    let e = env(Seed::Generated { contacts: 3 }).await;
    e.ghl_sb.insert_contact(json!({
        "id": "NewBuyerContact00001",
        "firstName": "נועה",
        "lastName": "Levi",
        "email": "noa.levi@example.co.il",
        "phone": "+972541234567",
        "city": "חיפה",
        "address1": "הנביאים 12",
    }));
    e.ghl_sb.insert_contact(json!({
        "id": "NoWayToReachContact1",
        "firstName": "Nobody",
    }));
    e.pull().await;
    let linked = e
        .store
        .contacts_without_raw()
        .unwrap()
        .into_iter()
        .find(|c| c.email.as_deref() == Some("user0@example.com"))
        .unwrap();
    let bmby_client = e.bmby_client_id();
    e.store.put_link(&bmby_client, &linked.id).unwrap();
    // The linked contact has no tasks; cache that so nothing is fetched for it.
    e.store.put_tasks(&linked.id, &[]).unwrap();
    e.store.put_notes(&linked.id, &[]).unwrap();

    let s = e.propose(new_clients()).await;
    // 3 generated + the new buyer, minus the linked one; the unreachable one is skipped.
    assert_eq!(s.inserts, 3, "{s:?}");
    assert_eq!(s.skipped_no_email_or_phone, 1);
    let changes = e.changes();
    assert!(changes
        .iter()
        .all(|c| c.contact_id.as_deref() != Some(linked.id.as_str())));
    let c = changes
        .iter()
        .find(|c| c.contact_id.as_deref() == Some("NewBuyerContact00001"))
        .unwrap();
    assert_eq!(c.subject, Subject::Contact);
    assert_eq!(c.target, Target::Bmby);
    assert_eq!(c.fingerprint, "bmby-insert:NewBuyerContact00001");
    assert_eq!(c.describe(), "Bmby: insert client");
    assert_eq!(c.proposed("fname"), Some("נועה"));
    assert_eq!(c.proposed("lname"), Some("Levi"));
    assert_eq!(c.proposed("email"), Some("noa.levi@example.co.il"));
    assert_eq!(c.proposed("phone_mobile"), Some("0541234567"));
    assert_eq!(c.proposed("city"), Some("חיפה"));
    assert_eq!(c.proposed("address"), Some("הנביאים 12"));
    // A US number keeps its E.164 form.
    assert!(changes
        .iter()
        .any(|c| c.proposed("phone_mobile") == Some("+15550000001")));

    review::approve(&e.store, c.id).unwrap();
    let state = dispatch::dispatch_one_with(&e.client, Some(&e.bmby()), &e.store, c.id)
        .await
        .unwrap();
    assert_eq!(state, ChangeState::Applied);
    assert_eq!(e.bmby_ops("Insert"), 1);
    let done = e.store.change(c.id).unwrap().unwrap();
    let new_id = done.client_id.clone();
    assert!(!new_id.is_empty());
    assert_eq!(
        e.store.link(&new_id).unwrap().as_deref(),
        Some("NewBuyerContact00001")
    );
    let rec = e.bmby_sb.client(&new_id).expect("client in Bmby");
    assert_eq!(rec.fields["fname"], "נועה");
    assert_eq!(rec.fields["phone_mobile"], "0541234567");
    assert_eq!(rec.fields["address"], "הנביאים 12");
    assert_eq!(e.store.journal().unwrap()[0].request, "Bmby Insert");

    // A proposed client linked before it is sent (a `bmby pull` matched it) is not inserted.
    let other = e
        .changes()
        .into_iter()
        .find(|x| x.state == ChangeState::Pending)
        .unwrap();
    e.store
        .put_link("424242", other.contact_id.as_deref().unwrap())
        .unwrap();
    review::approve(&e.store, other.id).unwrap();
    let state = dispatch::dispatch_one_with(&e.client, Some(&e.bmby()), &e.store, other.id)
        .await
        .unwrap();
    assert_eq!(state, ChangeState::Failed);
    let err = e.store.outbox_info(other.id).unwrap().last_error.unwrap();
    assert!(err.contains("linked to Bmby client 424242"), "{err}");
    assert_eq!(e.bmby_ops("Insert"), 1);

    // Linked now (and proposed before): a second run proposes none of them again.
    let again = e.propose(new_clients()).await;
    assert_eq!(again.inserts, 0);
    assert_eq!(again.already_proposed, 1);
    assert_eq!(e.changes().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lead_password_only_sends_addclient_and_refuses_tasks() {
    let e = env(Seed::Generated { contacts: 2 }).await;
    e.pull().await;
    let s = e.propose(new_clients()).await;
    assert_eq!(s.inserts, 2);
    let (insert, other): (Vec<Change>, Vec<Change>) = e
        .changes()
        .into_iter()
        .partition(|c| c.proposed("email") == Some("user0@example.com"));
    let (insert, other) = (insert[0].clone(), other[0].clone());
    // The other contact is a Bmby client after all: link it, reject its insert, and give it
    // a task to write back.
    review::reject(&e.store, other.id).unwrap();
    let contact = other.contact_id.clone().unwrap();
    e.store.put_link(&e.bmby_client_id(), &contact).unwrap();
    e.client
        .create_task(
            &contact,
            &serde_json::from_value(json!({
                "title": "Call back",
                "dueDate": "2026-07-01T09:00:00.000Z",
                "completed": false
            }))
            .unwrap(),
        )
        .await
        .unwrap();
    let s = e.propose(WritebackOptions::default()).await;
    assert_eq!(s.tasks, 1);
    e.approve_all();
    let lead = e.lead_only();
    dispatch::dispatch_all_with(&e.client, Some(&lead), &e.store)
        .await
        .unwrap();

    let add = e
        .bmby_sb
        .requests()
        .into_iter()
        .filter(|r| r.operation == "AddClient")
        .collect::<Vec<_>>();
    assert_eq!(add.len(), 1);
    assert_eq!(add[0].params["Email"], "user0@example.com");
    assert_eq!(add[0].params["Password"], "***");
    assert_eq!(e.bmby_ops("Insert") + e.bmby_ops("NewTask"), 0);
    assert_eq!(
        e.store.change(insert.id).unwrap().unwrap().state,
        ChangeState::Applied
    );
    let task = e
        .changes()
        .into_iter()
        .find(|c| matches!(c.subject, Subject::Task { .. }))
        .unwrap();
    assert_eq!(task.state, ChangeState::Failed);
    let err = e.store.outbox_info(task.id).unwrap().last_error.unwrap();
    assert!(err.contains("SOAP login"), "{err}");
    let journal = serde_json::to_string(&e.store.journal().unwrap()).unwrap();
    assert!(journal.contains("Bmby AddClient"));
    assert!(!journal.contains(DEMO_LEAD_PASSWORD));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bmby_error_fails_the_change_and_no_client_leaves_it_waiting() {
    let e = env(Seed::Demo).await;
    e.pull().await;
    // A client id Bmby does not have: NewTask answers `Error`.
    e.store.put_link("999999", CONTACT).unwrap();
    e.propose(WritebackOptions::default()).await;
    e.approve_all();
    let ids: Vec<u64> = e.changes().iter().map(|c| c.id).collect();

    // No Bmby client: everything waits, approved, saying what to configure.
    let s = dispatch::dispatch_all(&e.client, &e.store).await.unwrap();
    assert_eq!((s.applied, s.failed), (0, 0));
    for id in &ids {
        assert_eq!(
            e.store.change(*id).unwrap().unwrap().state,
            ChangeState::Approved
        );
        let info = e.store.outbox_info(*id).unwrap();
        assert_eq!(info.last_error.as_deref(), Some(NOT_CONFIGURED));
    }
    assert!(e.bmby_sb.requests().is_empty());

    let state = dispatch::dispatch_one_with(&e.client, Some(&e.bmby()), &e.store, ids[0])
        .await
        .unwrap();
    assert_eq!(state, ChangeState::Failed);
    let err = e.store.outbox_info(ids[0]).unwrap().last_error.unwrap();
    assert!(err.contains("Client not found"), "{err}");
    let j = e.store.journal().unwrap();
    assert_eq!(j.len(), 1);
    assert!(j[0].outcome.starts_with("failed") && j[0].outcome.contains("Client not found"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_dispatches_writebacks_with_its_bmby_client() {
    let e = env(Seed::Demo).await;
    e.pull().await;
    e.store.put_link(&e.bmby_client_id(), CONTACT).unwrap();
    let s = e.propose(WritebackOptions::default()).await;
    e.approve_all();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let jobs = worker::spawn(
        e.client.clone(),
        e.store.clone(),
        tx,
        worker::WorkerConfig {
            pull_interval: None,
            pull_on_start: false,
            bmby: Some(Arc::new(e.bmby())),
            ..Default::default()
        },
    );
    jobs.send(Job::Dispatch { ids: None }).await.unwrap();
    let finished = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            if let SyncEvent::DispatchFinished { applied, .. } = rx.recv().await.unwrap() {
                return applied;
            }
        }
    })
    .await
    .expect("dispatch finished");
    assert_eq!(finished, s.tasks + s.notes);
    assert_eq!(e.bmby_ops("NewTask"), s.tasks + s.notes);
}

/// The TUI's `W` asks the worker to propose; without a Bmby login it says what to set.
#[tokio::test]
async fn the_worker_proposes_writebacks_on_request() {
    async fn next_interesting(
        rx: &mut tokio::sync::mpsc::UnboundedReceiver<SyncEvent>,
    ) -> SyncEvent {
        tokio::time::timeout(Duration::from_secs(60), async {
            loop {
                let ev = rx.recv().await.unwrap();
                if matches!(
                    ev,
                    SyncEvent::WritebackProposed { .. } | SyncEvent::Error { .. }
                ) {
                    return ev;
                }
            }
        })
        .await
        .expect("an answer from the worker")
    }
    let e = env(Seed::Demo).await;
    e.pull().await;
    e.store.put_link(&e.bmby_client_id(), CONTACT).unwrap();
    for bmby in [None, Some(Arc::new(e.bmby()))] {
        let configured = bmby.is_some();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let jobs = worker::spawn(
            e.client.clone(),
            e.store.clone(),
            tx,
            worker::WorkerConfig {
                pull_interval: None,
                pull_on_start: false,
                bmby,
                ..Default::default()
            },
        );
        jobs.send(Job::ProposeWriteback).await.unwrap();
        match (configured, next_interesting(&mut rx).await) {
            (false, SyncEvent::Error { message, .. }) => {
                assert!(message.contains("BMBY_LOGIN"), "{message}");
                assert!(e
                    .store
                    .changes()
                    .unwrap()
                    .iter()
                    .all(|c| c.target != Target::Bmby));
            }
            (true, SyncEvent::WritebackProposed { tasks, notes, .. }) => {
                assert!(tasks + notes > 0);
                let stored = e
                    .store
                    .changes()
                    .unwrap()
                    .into_iter()
                    .filter(|c| c.target == Target::Bmby)
                    .count();
                assert_eq!(stored, tasks + notes);
            }
            (c, ev) => panic!("configured={c}: unexpected {ev:?}"),
        }
    }
}

fn bin(e: &Env, args: &[&str], bmby_env: &[(&str, String)]) -> std::process::Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_bmby-ghl"));
    cmd.args([
        "--data-dir",
        e.dir.path().to_str().unwrap(),
        "--config",
        "/dev/null",
    ])
    .args(args)
    .env("GHL_BASE_URL", e.ghl_sb.base_url())
    .env("GHL_TOKEN", DEMO_TOKEN)
    .env("GHL_LOCATION_ID", DEMO_LOCATION_ID);
    for k in [
        "BMBY_LOGIN",
        "BMBY_PASSWORD",
        "BMBY_PROJECT_ID",
        "BMBY_LEAD_PASSWORD",
    ] {
        cmd.env_remove(k);
    }
    for (k, v) in bmby_env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

/// Fails on `YYYY-MM-DDTHH:MM` or a `…:MM[:SS[.fff]]Z` instant in text meant for people.
fn assert_no_utc_instant(text: &str) {
    let b = text.as_bytes();
    let d = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    for i in 0..b.len() {
        let iso = (0..4).all(|k| d(i + k))
            && b.get(i + 4) == Some(&b'-')
            && b.get(i + 7) == Some(&b'-')
            && b.get(i + 10) == Some(&b'T')
            && d(i + 11);
        let zulu = d(i) && d(i + 1) && b.get(i + 2) == Some(&b':') && {
            let mut j = i + 3;
            while b
                .get(j)
                .is_some_and(|c| c.is_ascii_digit() || *c == b':' || *c == b'.')
            {
                j += 1;
            }
            b.get(j) == Some(&b'Z')
        };
        assert!(!(iso || zulu), "a UTC instant at byte {i} in\n{text}");
    }
}

fn ok(o: &std::process::Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bmby_push_and_apply_through_the_binary() {
    let e = env(Seed::Demo).await;
    let full_login = vec![
        ("BMBY_SOAP_URL", e.bmby_sb.soap_url()),
        ("BMBY_LOGIN", DEMO_LOGIN.to_owned()),
        ("BMBY_PASSWORD", DEMO_PASSWORD.to_owned()),
        ("BMBY_PROJECT_ID", DEMO_PROJECT_ID.to_owned()),
    ];
    ok(&bin(&e, &["sync"], &[]));
    // Link one client by hand (a `bmby pull` would link dozens and fetch all their tasks).
    let client_id = e.bmby_client_id();
    {
        let store = Store::open(e.dir.path(), DEMO_LOCATION_ID).unwrap();
        store.put_link(&client_id, CONTACT).unwrap();
        store.flush().unwrap();
    }

    let dry: serde_json::Value =
        serde_json::from_str(&ok(&bin(&e, &["bmby", "push", "--dry-run", "--json"], &[]))).unwrap();
    assert_eq!(dry["summary"]["tasks"], 3);
    // The same plan for people: due dates in Israel time, no UTC instant.
    let dry_text = ok(&bin(&e, &["bmby", "push", "--dry-run"], &[]));
    assert!(dry_text.contains("Due: 20"), "{dry_text}");
    assert_no_utc_instant(&dry_text);
    let out: serde_json::Value =
        serde_json::from_str(&ok(&bin(&e, &["bmby", "push", "--json"], &[]))).unwrap();
    assert_eq!(out["summary"]["tasks"], 3);
    assert_eq!(out["summary"]["notes"], 2);
    let again: serde_json::Value =
        serde_json::from_str(&ok(&bin(&e, &["bmby", "push", "--json"], &[]))).unwrap();
    assert_eq!(again["summary"]["tasks"], 0);
    assert_eq!(again["summary"]["already_proposed"], 5);

    let listed: serde_json::Value =
        serde_json::from_str(&ok(&bin(&e, &["changes", "--json"], &[]))).unwrap();
    let changes = listed["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 5);
    assert!(changes.iter().all(|c| c["target"] == "bmby"));
    let human = ok(&bin(&e, &["changes"], &[]));
    assert!(human.contains("Bmby: new task"), "{human}");
    assert!(human.contains("Bmby: new comment"), "{human}");
    assert_no_utc_instant(&human);

    let plan = ok(&bin(&e, &["apply", "--all", "--dry-run"], &full_login));
    assert!(
        plan.contains("SOAP Bmby tasks.php NewTask (Type Task)"),
        "{plan}"
    );
    assert!(plan.contains("Login/Password: [redacted]"), "{plan}");
    assert!(!plan.contains(DEMO_PASSWORD));
    assert!(e.bmby_sb.requests().is_empty());

    // Without a Bmby login the changes wait (approved) and apply says why.
    let waiting = bin(&e, &["apply", "--all"], &[]);
    let text = String::from_utf8_lossy(&waiting.stdout);
    assert!(text.contains("BMBY_LOGIN"), "{text}");
    assert!(e.bmby_sb.requests().is_empty());

    let applied = ok(&bin(&e, &["apply"], &full_login));
    assert!(applied.contains("5 applied"), "{applied}");
    assert_eq!(e.bmby_ops("NewTask"), 5);
    let journal: serde_json::Value =
        serde_json::from_str(&ok(&bin(&e, &["changes", "--json"], &[]))).unwrap();
    let j = journal["journal"].as_array().unwrap();
    assert_eq!(j.len(), 5);
    assert!(!journal.to_string().contains(DEMO_PASSWORD));
    let log = std::fs::read_to_string(e.dir.path().join("logs/bmby-ghl.log")).unwrap_or_default();
    assert!(!log.contains(DEMO_PASSWORD));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_outcomes_are_never_resent() {
    let e = env(Seed::Demo).await;
    e.pull().await;
    e.store.put_link(&e.bmby_client_id(), CONTACT).unwrap();
    e.propose(WritebackOptions::default()).await;
    e.approve_all();
    let ids: Vec<u64> = e.changes().iter().map(|c| c.id).collect();
    let bmby = e.bmby();

    // The connection drops after the request went out: failed, not retried, not resent.
    e.bmby_sb.faults().set_drop(1);
    let state = dispatch::dispatch_one_with(&e.client, Some(&bmby), &e.store, ids[0])
        .await
        .unwrap();
    assert_eq!(state, ChangeState::Failed);
    let err = e.store.outbox_info(ids[0]).unwrap().last_error.unwrap();
    assert!(err.contains("may have reached Bmby"), "{err}");
    assert_eq!(e.bmby_ops("NewTask"), 1);
    dispatch::dispatch_all_with(&e.client, Some(&bmby), &e.store)
        .await
        .unwrap();
    assert_eq!(
        e.bmby_sb
            .requests()
            .iter()
            .filter(|r| r.operation == "NewTask" && r.status == 0)
            .count(),
        1
    );
    // Every other change went once; the dropped one is sent again only after a new approval.
    assert_eq!(e.bmby_ops("NewTask"), ids.len());
    review::approve(&e.store, ids[0]).unwrap();
    let state = dispatch::dispatch_one_with(&e.client, Some(&bmby), &e.store, ids[0])
        .await
        .unwrap();
    assert_eq!(state, ChangeState::Applied);
    assert_eq!(e.bmby_ops("NewTask"), ids.len() + 1);

    // A change left in flight by a crash is not sent again either.
    let fresh = e.propose(WritebackOptions::default()).await;
    assert_eq!(fresh.changes.len(), 0);
    let mut c = e.store.change(ids[1]).unwrap().unwrap();
    c.state = ChangeState::InFlight;
    e.store
        .put_dispatch(&c, &e.store.outbox_info(ids[1]).unwrap())
        .unwrap();
    let before = e.bmby_sb.requests().len();
    let state = dispatch::dispatch_one_with(&e.client, Some(&bmby), &e.store, ids[1])
        .await
        .unwrap();
    assert_eq!(state, ChangeState::Failed);
    assert_eq!(e.bmby_sb.requests().len(), before);
    let err = e.store.outbox_info(ids[1]).unwrap().last_error.unwrap();
    assert!(err.contains("check the client in Bmby"), "{err}");
}

#[test]
fn writeback_client_from_settings_full_lead_only_or_none() {
    use bmby_ghl::commands::bmby_writeback_client;
    use bmby_ghl::config::{BmbySettings, Settings};
    let with = |b: BmbySettings| Settings {
        bmby: BmbySettings {
            soap_url: "http://127.0.0.1:9/WebServices/srv/v3/".into(),
            ..b
        },
        ..Default::default()
    };
    let full = bmby_writeback_client(&with(BmbySettings {
        login: Some(DEMO_LOGIN.into()),
        password: Some(Secret::new(DEMO_PASSWORD)),
        project_id: Some(DEMO_PROJECT_ID.into()),
        lead_password: Some(Secret::new(DEMO_LEAD_PASSWORD)),
        ..Default::default()
    }))
    .unwrap()
    .expect("full client");
    assert_eq!(full.config().login, DEMO_LOGIN);
    assert!(full.config().lead_password.is_some());
    let shown = format!("{full:?}");
    assert!(!shown.contains(DEMO_PASSWORD) && !shown.contains(DEMO_LEAD_PASSWORD));

    let lead = bmby_writeback_client(&with(BmbySettings {
        project_id: Some(DEMO_PROJECT_ID.into()),
        lead_password: Some(Secret::new(DEMO_LEAD_PASSWORD)),
        ..Default::default()
    }))
    .unwrap()
    .expect("lead-only client");
    assert!(lead.config().login.is_empty());
    assert_eq!(
        lead.config().lead_password.as_ref().unwrap().expose(),
        DEMO_LEAD_PASSWORD
    );

    // A login without its password, or nothing at all: no client (write-backs wait).
    for b in [
        BmbySettings {
            login: Some(DEMO_LOGIN.into()),
            project_id: Some(DEMO_PROJECT_ID.into()),
            ..Default::default()
        },
        BmbySettings::default(),
    ] {
        assert!(bmby_writeback_client(&with(b)).unwrap().is_none());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_clients_through_the_binary_with_only_a_lead_password() {
    let e = env(Seed::Generated { contacts: 2 }).await;
    let lead_only = vec![
        ("BMBY_SOAP_URL", e.bmby_sb.soap_url()),
        ("BMBY_PROJECT_ID", DEMO_PROJECT_ID.to_owned()),
        ("BMBY_LEAD_PASSWORD", DEMO_LEAD_PASSWORD.to_owned()),
    ];
    ok(&bin(&e, &["sync"], &[]));
    let out = ok(&bin(&e, &["bmby", "push", "--new-clients"], &[]));
    assert!(out.contains("2 new clients"), "{out}");
    let plan = ok(&bin(
        &e,
        &["apply", "--all", "--dry-run", "--json"],
        &lead_only,
    ));
    let plan: serde_json::Value = serde_json::from_str(&plan).unwrap();
    assert_eq!(plan["changes"][0]["target"], "bmby");
    assert_eq!(
        plan["changes"][0]["requests"][0]["body"]["email"],
        "user0@example.com"
    );
    let applied = ok(&bin(&e, &["apply", "--all"], &lead_only));
    assert!(applied.contains("2 applied"), "{applied}");
    let adds: Vec<_> = e
        .bmby_sb
        .requests()
        .into_iter()
        .filter(|r| r.operation == "AddClient")
        .collect();
    assert_eq!(adds.len(), 2);
    assert!(adds.iter().all(|r| r.params["Password"] == "***"));
    assert_eq!(e.bmby_ops("Insert"), 0);
    let again = ok(&bin(&e, &["bmby", "push", "--new-clients"], &[]));
    assert!(again.contains("0 new clients"), "{again}");
    let log = std::fs::read_to_string(e.dir.path().join("logs/bmby-ghl.log")).unwrap_or_default();
    assert!(!log.contains(DEMO_LEAD_PASSWORD));
}

/// Nothing listening at the Bmby URL: the write never arrived, so the change stays approved for
/// the next run (no "check Bmby" note).
#[tokio::test]
async fn a_refused_connection_leaves_the_change_approved() {
    let e = env(Seed::Demo).await;
    e.pull().await;
    e.store.put_link(&e.bmby_client_id(), CONTACT).unwrap();
    e.propose(WritebackOptions::default()).await;
    e.approve_all();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut cfg = e.soap_config(DEMO_LOGIN, DEMO_PASSWORD);
    cfg.url = format!("http://127.0.0.1:{port}/WebServices/srv/v3/");
    cfg.max_attempts = 1;
    let nowhere = BmbySoapClient::new(cfg).unwrap();
    let id = e
        .changes()
        .into_iter()
        .find(|c| c.target == Target::Bmby)
        .unwrap()
        .id;
    let state = dispatch::dispatch_one_with(&e.client, Some(&nowhere), &e.store, id)
        .await
        .unwrap();
    assert_eq!(state, ChangeState::Approved);
    let err = e.store.outbox_info(id).unwrap().last_error.unwrap();
    assert!(!err.contains("may have reached Bmby"), "{err}");
}
