//! People's names in the CLI (issue #11): `sync` refreshes the location's users from the
//! stand-in (`GET /users/`) with the contacts; `contact` shows the owner, followers and each
//! task's assignee by name (`--json` keeps the ids and adds the names), `contacts --json` adds
//! `owner`/`ownerName`, and `changes` and `journal` show `assignedTo` values as names. An id
//! the location does not know (the demo keeps one on purpose) reads `unknown user (id <id>)`.

use crate::cli_support::{ok, run};

use bmby_ghl::domain::{
    Change, ChangeKind, ChangeState, FieldChange, JournalEntry, JournalValue, Subject,
};
use bmby_ghl::sandbox::{Sandbox, SandboxConfig, Seed, DEMO_LOCATION_ID};
use bmby_ghl::store::Store;
use bmby_ghl::sync::ops::{cached_list, ListKind};
use serde_json::Value;

/// Owned by Dana Levi, followed by the unknown user, with tasks for אבי כהן and the unknown
/// user.
const DANAS: &str = "If3zjts5VsTgmG7BJtWd";
/// Owned by the user the location does not know.
const UNKNOWNS: &str = "LvtWjbLQy7AawydILrdz";
const UNKNOWN_USER: &str = "mNy0lCuWe4bOmmC8B6zg";
const DANA: &str = "usrDanaLevi000000001";

async fn demo() -> Sandbox {
    Sandbox::start(SandboxConfig {
        seed: Seed::Demo,
        ..Default::default()
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_caches_the_users_and_contact_shows_names() {
    let sb = demo().await;
    let dir = tempfile::tempdir().unwrap();
    ok(&run(&sb, dir.path(), &["sync"]).await);
    {
        let store = Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();
        let users = cached_list(&store, ListKind::Users)
            .unwrap()
            .expect("cached");
        let names: Vec<&str> = users.iter().map(|u| u.name.as_str()).collect();
        assert_eq!(users.len(), 4, "{names:?}");
        assert!(names.contains(&"Dana Levi"), "{names:?}");
    }

    // Online: the details (tasks) are fetched from the stand-in.
    let text = ok(&run(&sb, dir.path(), &["contact", DANAS]).await);
    assert!(text.contains("Owner          Dana Levi\n"), "{text}");
    assert!(
        text.contains(&format!(
            "Followers      unknown user (id {UNKNOWN_USER})\n"
        )),
        "{text}"
    );
    assert!(text.contains(" · אבי כהן\n"), "a task's assignee:\n{text}");
    assert!(
        text.contains(&format!(" · unknown user (id {UNKNOWN_USER})\n")),
        "{text}"
    );
    assert!(!text.contains(DANA), "no known id shown:\n{text}");

    let text = ok(&run(&sb, dir.path(), &["contact", UNKNOWNS, "--offline"]).await);
    assert!(
        text.contains(&format!(
            "Owner          unknown user (id {UNKNOWN_USER})\n"
        )),
        "{text}"
    );

    let doc: Value = serde_json::from_str(&ok(&run(
        &sb,
        dir.path(),
        &["contact", DANAS, "--offline", "--json"],
    )
    .await))
    .unwrap();
    assert_eq!(doc["contact"]["assigned_to"], DANA, "the id is kept");
    assert_eq!(doc["contact"]["owner"], DANA);
    assert_eq!(doc["contact"]["ownerName"], "Dana Levi");
    assert_eq!(doc["followers"][0]["id"], UNKNOWN_USER);
    assert_eq!(
        doc["followers"][0]["name"],
        format!("unknown user (id {UNKNOWN_USER})")
    );
    let tasks = doc["tasks"].as_array().unwrap();
    assert!(
        tasks
            .iter()
            .any(|t| t["assigned_to"] == "usrAviCohen000000002" && t["assignedToName"] == "אבי כהן"),
        "{tasks:?}"
    );

    let doc: Value =
        serde_json::from_str(&ok(&run(&sb, dir.path(), &["contacts", "--json"]).await)).unwrap();
    let all = doc["contacts"].as_array().unwrap();
    let of = |id: &str| all.iter().find(|c| c["id"] == id).unwrap().clone();
    assert_eq!(of(DANAS)["owner"], DANA);
    assert_eq!(of(DANAS)["ownerName"], "Dana Levi");
    assert_eq!(
        of(UNKNOWNS)["ownerName"],
        format!("unknown user (id {UNKNOWN_USER})")
    );
    // Contacts without an owner say so with nulls.
    assert!(all
        .iter()
        .any(|c| c["owner"].is_null() && c["ownerName"].is_null()));
}

fn owner_change(id: u64) -> Change {
    Change {
        id,
        kind: ChangeKind::Update,
        state: ChangeState::Pending,
        client_id: String::new(),
        contact_id: Some(DANAS.into()),
        display_name: "ליאור פרץ".into(),
        fields: vec![FieldChange {
            field: "assignedTo".into(),
            label: "Owner".into(),
            source_field: "assignedTo".into(),
            ghl_now: Some(UNKNOWN_USER.into()),
            proposed: Some(DANA.into()),
            edited: true,
            value_json: None,
        }],
        base_date_updated: None,
        origin: "local".into(),
        warnings: vec![],
        candidates: vec![],
        fingerprint: format!("owner:{id}"),
        created_at: "2026-12-01T10:00:00Z".into(),
        updated_at: "2026-12-01T10:00:00Z".into(),
        subject: Default::default(),
        target: Default::default(),
        choice: None,
        matched: None,
        removable_tags: Vec::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_and_journal_show_owners_by_name() {
    let sb = demo().await;
    let dir = tempfile::tempdir().unwrap();
    ok(&run(&sb, dir.path(), &["sync"]).await);
    {
        let store = Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();
        let id = store.next_id().unwrap() + 1;
        store.put_change(&owner_change(id)).unwrap();
        store
            .append_journal(JournalEntry {
                change_id: id,
                request: format!("PUT /contacts/{DANAS}"),
                fields_sent: vec!["assignedTo".into()],
                status: Some(200),
                outcome: "applied".into(),
                at: "2026-12-01T10:03:00Z".into(),
                contact_id: Some(DANAS.into()),
                contact_name: "ליאור פרץ".into(),
                kind: Some(ChangeKind::Update),
                subject: Subject::Contact,
                values: vec![JournalValue {
                    field: "assignedTo".into(),
                    label: "Owner".into(),
                    before: Some(UNKNOWN_USER.into()),
                    after: Some(DANA.into()),
                }],
                ..Default::default()
            })
            .unwrap();
        store.flush().unwrap();
    }
    let text = ok(&run(&sb, dir.path(), &["changes"]).await);
    assert!(
        text.contains(&format!(
            "Owner: unknown user (id {UNKNOWN_USER}) → Dana Levi (edited)"
        )),
        "{text}"
    );
    let text = ok(&run(&sb, dir.path(), &["journal"]).await);
    assert!(
        text.contains(&format!(
            "Owner: unknown user (id {UNKNOWN_USER}) → Dana Levi"
        )),
        "{text}"
    );
    // The stored change and journal keep the ids (`--json`, reverts).
    let doc: Value =
        serde_json::from_str(&ok(&run(&sb, dir.path(), &["journal", "--json"]).await)).unwrap();
    assert_eq!(doc["journal"][0]["values"][0]["after"], DANA);
    let doc: Value =
        serde_json::from_str(&ok(&run(&sb, dir.path(), &["changes", "--json"]).await)).unwrap();
    assert_eq!(doc["changes"][0]["fields"][0]["proposed"], DANA);
}
