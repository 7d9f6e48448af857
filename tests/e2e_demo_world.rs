//! End to end in tmux: `bmby-ghl demo --data-dir DIR` twice. The first run approves and sends
//! one change and quits; the stand-ins' world is then on disk (holding that write), and the
//! second run continues it: the change is still applied and nothing is proposed again.
//! Skipped (with a note) when tmux is absent.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::tmux_support::{demo_cmd, Tmux};

fn changes_json(data: &Path) -> Value {
    let o = Command::new(env!("CARGO_BIN_EXE_bmby-ghl"))
        .args([
            "--data-dir",
            data.to_str().unwrap(),
            "--config",
            "/dev/null",
            "changes",
            "--json",
        ])
        .env("GHL_LOCATION_ID", bmby_ghl::sandbox::DEMO_LOCATION_ID)
        .env_remove("GHL_TOKEN")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

fn states(doc: &Value) -> Vec<(u64, String)> {
    doc["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_u64().unwrap(),
                c["state"].as_str().unwrap().into(),
            )
        })
        .collect()
}

#[test]
fn demo_with_a_data_dir_twice_keeps_its_world() {
    let dir = tempfile::tempdir().unwrap();
    let Some(t) = Tmux::start("world1", &demo_cmd(dir.path()), 80, 24) else {
        return;
    };
    t.wait_for("the contact list", |s| s.contains("Contacts 540"));
    t.keys(&["c"]);
    t.wait_for("the changes screen", |s| {
        s.contains("Changes") && s.contains("pending")
    });
    t.keys(&["a"]);
    t.wait_for("one approved", |s| s.contains("1 ✓"));
    t.keys(&["S"]);
    t.wait_for("send?", |s| s.contains("Send 1 approved change"));
    t.keys(&["y"]);
    t.wait_for("applied", |s| s.contains("1 ●"));
    t.keys(&["q"]);
    t.wait_for("clean exit", |s| s.contains("EXITED 0"));
    drop(t);

    // The world on disk holds the write.
    let first = changes_json(dir.path());
    let applied = first["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["state"] == "applied")
        .cloned()
        .expect("one applied change");
    let id = applied["id"].as_u64().unwrap().to_string();
    let contact = first["outbox"][&id]["contactId"]
        .as_str()
        .or(applied["contact_id"].as_str())
        .expect("the contact written")
        .to_owned();
    let world: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("demo-world/ghl.json")).unwrap(),
    )
    .unwrap();
    assert!(dir.path().join("demo-world/bmby.json").exists());
    let doc = world["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == contact.as_str());
    if applied["kind"] == "delete" {
        assert!(doc.is_none(), "the deleted contact stays deleted");
    } else {
        let text = doc
            .expect("the written contact is in the world")
            .to_string();
        let proposed: Vec<&str> = applied["fields"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["proposed"].as_str())
            .collect();
        assert!(
            proposed.iter().any(|v| text.contains(v)),
            "{proposed:?} in {text}"
        );
    }

    // Second run: the same world; the change is still applied, nothing is proposed again.
    let Some(t) = Tmux::start("world2", &demo_cmd(dir.path()), 80, 24) else {
        return;
    };
    t.wait_for("the contact list", |s| s.contains("Contacts "));
    t.keys(&["c"]);
    t.wait_for("the applied change", |s| s.contains("1 ●"));
    t.keys(&["q"]);
    t.wait_for("clean exit", |s| s.contains("EXITED 0"));
    drop(t);
    let second = changes_json(dir.path());
    assert_eq!(states(&second), states(&first));
}
