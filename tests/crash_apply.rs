//! Crash safety of the outbox: the real binary applies 200 changes while being killed with
//! SIGKILL at random moments, 20 rounds, then runs to the end. Every change must end applied,
//! exactly once in effect: no contact created twice, every update present, nothing lost.

use std::process::{Command, Stdio};
use std::time::Duration;

use bmby_ghl::domain::{Change, ChangeKind, ChangeState, FieldChange};
use bmby_ghl::ghl::{ClientConfig, GhlClient, PrivateIntegrationToken, Secret};
use bmby_ghl::sandbox::{Sandbox, SandboxConfig, Seed, DEMO_LOCATION_ID, DEMO_TOKEN};
use bmby_ghl::store::Store;
use bmby_ghl::sync;
use rand::Rng;

const UPDATES: usize = 150;
const CREATES: usize = 50;

fn change(
    id: u64,
    kind: ChangeKind,
    contact: Option<String>,
    base: Option<String>,
    fields: Vec<FieldChange>,
) -> Change {
    Change {
        id,
        kind,
        state: ChangeState::Approved,
        client_id: format!("bmby{id}"),
        contact_id: contact,
        display_name: format!("change {id}"),
        fields,
        base_date_updated: base,
        origin: "crash test".into(),
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
    }
}

fn field(f: &str, v: &str) -> FieldChange {
    FieldChange {
        field: f.into(),
        label: f.into(),
        source_field: f.into(),
        ghl_now: None,
        proposed: Some(v.into()),
        edited: false,
        value_json: None,
    }
}

fn apply(sb: &Sandbox, dir: &std::path::Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_bmby-ghl"))
        .args([
            "--data-dir",
            dir.to_str().unwrap(),
            "--config",
            "/dev/null",
            "apply",
        ])
        .env("GHL_BASE_URL", sb.base_url())
        .env("GHL_TOKEN", DEMO_TOKEN)
        .env("GHL_LOCATION_ID", DEMO_LOCATION_ID)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_at_random_moments_then_every_change_applied_once() {
    sigkill_loop(false, 20).await;
}

/// The same on a location that allows duplicate contacts, where a create sent twice would land
/// twice: every create must still be there exactly once (fewer rounds keep the runtime short).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_loop_with_duplicates_allowed_creates_no_duplicate() {
    sigkill_loop(true, 12).await;
}

async fn sigkill_loop(allow_dup: bool, rounds: usize) {
    let sb = Sandbox::start(SandboxConfig {
        seed: Seed::Generated { contacts: UPDATES },
        rate_limit_max: 100_000,
        ..Default::default()
    })
    .await
    .unwrap();
    sb.set_allow_duplicate_contact(allow_dup);
    let dir = tempfile::tempdir().unwrap();
    let mut contacts = Vec::new();
    {
        let client = GhlClient::new(
            ClientConfig::new(&sb.base_url(), DEMO_LOCATION_ID),
            std::sync::Arc::new(PrivateIntegrationToken(Secret::new(DEMO_TOKEN))),
        )
        .unwrap();
        let store = Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();
        sync::pull_contacts(&client, &store, true, |_| {})
            .await
            .unwrap();
        let mut id = 0;
        for row in store.contact_rows().unwrap() {
            id += 1;
            let c = store.contact(&row.id).unwrap().unwrap();
            store
                .put_change(&change(
                    id,
                    ChangeKind::Update,
                    Some(c.id.clone()),
                    c.date_updated.clone(),
                    vec![field("city", &format!("עיר {id}"))],
                ))
                .unwrap();
            contacts.push((c.id, format!("עיר {id}")));
        }
        for n in 0..CREATES {
            id += 1;
            store
                .put_change(&change(
                    id,
                    ChangeKind::Create,
                    None,
                    None,
                    vec![
                        field("firstName", "חדש"),
                        field("email", &format!("crash{n}@example.com")),
                    ],
                ))
                .unwrap();
        }
        store.flush().unwrap();
    }
    // Slow replies (≥ 8 ms each, ≥ 4.8 s for all the work) so that the kills within 200 ms of
    // each start land in the middle of the run, and in the middle of requests.
    sb.faults().set_slow(Duration::from_millis(8));
    let mut rng = rand::rng();
    for _round in 0..rounds {
        let mut child = apply(&sb, dir.path());
        let at = rng.random_range(30..200);
        std::thread::sleep(Duration::from_millis(at)); // the crash moment, not a synchronization
        let _ = child.kill(); // SIGKILL
        child.wait().unwrap();
    }
    sb.faults().clear();
    {
        let store = Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();
        let applied = store
            .changes()
            .unwrap()
            .iter()
            .filter(|c| c.state == ChangeState::Applied)
            .count();
        eprintln!(
            "after {rounds} killed rounds: {applied} of {} applied",
            UPDATES + CREATES
        );
        assert!(
            applied < UPDATES + CREATES,
            "the kills interrupted the work"
        );
    }
    // Run to the end (a run that finds creates in flight resolves them, then finishes).
    let mut finished = false;
    for _ in 0..5 {
        let status = apply(&sb, dir.path()).wait().unwrap();
        if status.success() {
            finished = true;
            break;
        }
    }
    assert!(finished, "apply never finished cleanly");

    let store = Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();
    let changes = store.changes().unwrap();
    assert_eq!(changes.len(), UPDATES + CREATES, "nothing lost");
    for c in &changes {
        assert_eq!(
            c.state,
            ChangeState::Applied,
            "change {} is {:?}: {:?}",
            c.id,
            c.state,
            store.outbox_info(c.id).unwrap()
        );
    }
    // The stand-in's own record: each new email exists once, every update is there.
    let duplicates = (0..CREATES)
        .filter(|n| sb.contacts_with_email(&format!("crash{n}@example.com")) != 1)
        .count();
    assert_eq!(duplicates, 0, "every create landed exactly once");
    assert_eq!(
        sb.contact_count(),
        UPDATES + CREATES,
        "no contact created twice"
    );
    let created: Vec<_> = sb
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == "/contacts/" && r.status == 201)
        .map(|r| r.body["email"].as_str().unwrap_or_default().to_owned())
        .collect();
    let mut unique = created.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        created.len(),
        "a create was sent twice and succeeded twice"
    );
    let client = GhlClient::new(
        ClientConfig::new(&sb.base_url(), DEMO_LOCATION_ID),
        std::sync::Arc::new(PrivateIntegrationToken(Secret::new(DEMO_TOKEN))),
    )
    .unwrap();
    for (id, city) in contacts.iter().step_by(10) {
        let c = client.get_contact(id).await.unwrap();
        assert_eq!(c.city.as_deref(), Some(city.as_str()));
    }
}
