//! `bmby-ghl demo --data-dir DIR` keeps its world: the demo's setup run twice on one data dir
//! (through the library; the TUI part is the same as always) continues where the first run
//! stopped. Applied changes stay applied, created contacts exist, write-backs to Bmby stay
//! written, and nothing applied is proposed again. Without a kept world the stand-ins start
//! from their seeds.

use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use bmby_ghl::commands::{bmby_writeback_client, client, demo_setup, DemoOptions};
use bmby_ghl::config::Paths;
use bmby_ghl::domain::{ChangeKind, ChangeState, Target};
use bmby_ghl::sandbox::persist::world_dir;
use bmby_ghl::sync::{dispatch_run, review};

/// Contacts in the demo seed.
const SEEDED_CONTACTS: usize = 540;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn opts(keep_world: bool) -> DemoOptions {
    DemoOptions {
        keep_world,
        // No edits from "GHL's UI" during the test: what changes is what the test applies.
        churn: None,
    }
}

#[test]
fn a_second_demo_run_continues_the_first_ones_world() {
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths::resolve(
        Some(&dir.path().join("none.toml")),
        Some(&dir.path().join("data")),
    );
    let rt = runtime();

    // First run: approve every pending, unambiguous change and send them all.
    let d = demo_setup(&paths, &rt, &opts(true)).unwrap();
    assert!(!d.world.as_ref().unwrap().restored, "a fresh world");
    assert_eq!(d.ghl.contact_count(), SEEDED_CONTACTS);
    let pending: Vec<_> = d
        .store
        .changes()
        .unwrap()
        .into_iter()
        .filter(|c| c.state == ChangeState::Pending && c.kind != ChangeKind::Ambiguous)
        .collect();
    let count = |k: ChangeKind, t: Target| {
        pending
            .iter()
            .filter(|c| c.kind == k && c.target == t)
            .count()
    };
    let (creates, deletes) = (
        count(ChangeKind::Create, Target::Ghl),
        count(ChangeKind::Delete, Target::Ghl),
    );
    let bmby_writes = pending.iter().filter(|c| c.target == Target::Bmby).count();
    assert!(
        creates > 0 && deletes > 0 && bmby_writes > 0,
        "{creates} {deletes} {bmby_writes}"
    );
    for c in &pending {
        review::approve(&d.store, c.id).unwrap();
    }
    let ghl = client(&d.settings).unwrap();
    let bmby = bmby_writeback_client(&d.settings).unwrap();
    let run = rt
        .block_on(dispatch_run::dispatch_all_each(
            &ghl,
            bmby.as_ref(),
            &d.store,
            &AtomicBool::new(false),
            |_, _| {},
        ))
        .unwrap();
    assert_eq!(run.count(ChangeState::Applied), pending.len(), "{run:?}");
    let created: Vec<String> = pending
        .iter()
        .filter(|c| c.kind == ChangeKind::Create && c.target == Target::Ghl)
        .map(|c| d.store.outbox_info(c.id).unwrap().contact_id.unwrap())
        .collect();
    let contacts_after = d.ghl.contact_count();
    assert_eq!(contacts_after, SEEDED_CONTACTS + creates - deletes);
    let bmby_tasks = d.bmby.tasks().len();
    let changes_after: Vec<_> = d
        .store
        .changes()
        .unwrap()
        .into_iter()
        .map(|c| (c.id, c.state))
        .collect();

    // The world is saved after each write, without waiting for the end of the run: poll the
    // file until it holds the stand-in's final state (every create and delete), then stop
    // without a final save (as a crash would).
    let ghl_file = world_dir(&paths.data_dir).join("ghl.json");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let text = std::fs::read_to_string(&ghl_file).unwrap_or_default();
        let saved: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        let ids: Vec<&str> = saved["contacts"]
            .as_array()
            .map(|a| a.iter().filter_map(|c| c["id"].as_str()).collect())
            .unwrap_or_default();
        if ids.len() == contacts_after && created.iter().all(|c| ids.contains(&c.as_str())) {
            break;
        }
        assert!(Instant::now() < deadline, "the world was not saved");
        std::thread::sleep(Duration::from_millis(50));
    }
    let bmby_file = world_dir(&paths.data_dir).join("bmby.json");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let text = std::fs::read_to_string(&bmby_file).unwrap_or_default();
        let saved: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        if saved["tasks"].as_array().map(Vec::len) == Some(bmby_tasks) {
            break;
        }
        assert!(Instant::now() < deadline, "the Bmby world was not saved");
        std::thread::sleep(Duration::from_millis(50));
    }
    d.store.flush().unwrap();
    drop(d);

    // Second run on the same data dir: the same world.
    let d = demo_setup(&paths, &rt, &opts(true)).unwrap();
    assert!(
        d.world.as_ref().unwrap().restored,
        "the world was read back"
    );
    assert_eq!(d.ghl.contact_count(), contacts_after);
    let ghl = client(&d.settings).unwrap();
    for id in &created {
        let c = rt.block_on(ghl.get_contact(id)).unwrap();
        assert_eq!(&c.id, id, "a created contact still exists");
    }
    assert_eq!(d.bmby.tasks().len(), bmby_tasks, "write-backs stay written");
    let again: Vec<_> = d
        .store
        .changes()
        .unwrap()
        .into_iter()
        .map(|c| (c.id, c.state))
        .collect();
    assert_eq!(again, changes_after, "nothing proposed again, nothing lost");
    assert!(d
        .store
        .changes()
        .unwrap()
        .iter()
        .all(|c| c.state != ChangeState::Pending || c.kind == ChangeKind::Ambiguous));
    drop(d);

    // Without a kept world (no --data-dir): the stand-ins start from their seeds.
    let fresh = tempfile::tempdir().unwrap();
    let paths = Paths::resolve(Some(&fresh.path().join("none.toml")), Some(fresh.path()));
    let d = demo_setup(&paths, &rt, &opts(false)).unwrap();
    assert!(d.world.is_none());
    assert_eq!(d.ghl.contact_count(), SEEDED_CONTACTS);
    assert!(!world_dir(fresh.path()).exists());
}

#[test]
fn a_broken_world_file_is_a_clear_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths::resolve(Some(&dir.path().join("none.toml")), Some(dir.path()));
    let world = world_dir(dir.path());
    std::fs::create_dir_all(&world).unwrap();
    std::fs::write(world.join("ghl.json"), b"{\"version\":1,\"contacts\":[").unwrap();
    let rt = runtime();
    let Err(e) = demo_setup(&paths, &rt, &opts(true)) else {
        panic!("a torn world file was accepted");
    };
    let text = format!("{e:#}");
    assert!(text.contains("ghl.json"), "{text}");
    assert!(text.contains("start the demo fresh"), "{text}");
}
