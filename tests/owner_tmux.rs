//! The TUI owns the cache: with the demo's TUI open in tmux, the CLI (another process) lists
//! and approves changes and lists contacts through it; after the TUI is killed with SIGKILL its
//! socket is left behind, and the next CLI command recovers (owns the cache, replaces the stale
//! socket, removes it when done).

use crate::cli_support::ok;
use std::path::Path;
use std::process::{Command, Output};

use bmby_ghl::owner::socket_path;
use bmby_ghl::sandbox::DEMO_LOCATION_ID;
use serde_json::Value;

use crate::tmux_support::{demo_cmd, pending, Tmux};

fn bin(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bmby-ghl"))
        .args(["--data-dir", dir.to_str().unwrap(), "--config", "/dev/null"])
        .args(args)
        .env("GHL_LOCATION_ID", DEMO_LOCATION_ID)
        .env_remove("GHL_TOKEN")
        .output()
        .unwrap()
}

#[test]
fn the_cli_runs_through_the_tui_and_recovers_after_the_tui_is_killed() {
    let dir = tempfile::tempdir().unwrap();
    let Some(t) = Tmux::start("owner", &demo_cmd(dir.path()), 80, 24) else {
        return;
    };
    let before = t.wait_for("the contact list and pending changes", |s| {
        s.contains("Contacts 540") && pending(s).is_some()
    });
    let pending_before = pending(&before).unwrap();
    let sock = socket_path(dir.path(), DEMO_LOCATION_ID);
    assert!(sock.exists(), "the TUI listens on {}", sock.display());

    // Through the TUI: without an owner these would fail ("in use by another process").
    let list: Value = serde_json::from_str(&ok(&bin(dir.path(), &["contacts", "--json"]))).unwrap();
    assert_eq!(list["count"], 540);
    let pending_doc: Value = serde_json::from_str(&ok(&bin(
        dir.path(),
        &["changes", "--json", "--state", "pending"],
    )))
    .unwrap();
    let sendable: Vec<u64> = pending_doc
        .as_array()
        .or_else(|| pending_doc["changes"].as_array())
        .expect("a list of changes")
        .iter()
        .filter(|c| c["kind"] != "ambiguous")
        .filter_map(|c| c["id"].as_u64())
        .collect();
    let (id, sent) = (sendable[0], sendable[1]);
    let approved = ok(&bin(dir.path(), &["approve", &id.to_string()]));
    assert!(approved.contains(&format!("#{id}")), "{approved}");
    assert!(approved.contains("bmby-ghl apply"), "{approved}");
    // The TUI reads its changes again after a command ran through it: one fewer pending.
    t.wait_for("the TUI's pending count after the CLI's approve", |s| {
        pending(s) == Some(pending_before - 1)
    });

    // `apply` through the demo's TUI sends to the demo's stand-in (the caller's settings name
    // no token and would mean the real GHL): the dry run shows the stand-in, the send works.
    ok(&bin(dir.path(), &["approve", &sent.to_string()]));
    let dry = ok(&bin(dir.path(), &["apply", &sent.to_string(), "--dry-run"]));
    assert!(dry.contains("http://127.0.0.1:"), "{dry}");
    assert!(!dry.contains("leadconnectorhq"), "{dry}");
    let applied = ok(&bin(dir.path(), &["apply", &sent.to_string()]));
    let after: Value = serde_json::from_str(&ok(&bin(
        dir.path(),
        &["changes", "--json", "--state", "applied"],
    )))
    .unwrap();
    let applied_ids: Vec<u64> = after
        .as_array()
        .or_else(|| after["changes"].as_array())
        .unwrap()
        .iter()
        .filter_map(|c| c["id"].as_u64())
        .collect();
    assert!(applied_ids.contains(&sent), "{applied}\n{applied_ids:?}");

    // SIGKILL: no clean-up, the socket stays behind.
    let pid = t.pane_child_pid().expect("the binary's pid");
    assert!(Command::new("kill")
        .args(["-KILL", &pid])
        .status()
        .unwrap()
        .success());
    t.wait_for_joined("the TUI killed", |s| s.contains("EXITED"));
    assert!(sock.exists(), "a killed owner leaves its socket");

    // The next process owns the cache (the kernel dropped the killed one's lock), replaces the
    // stale socket and removes it when it is done; the approval made through the TUI is there.
    let now: Value = serde_json::from_str(&ok(&bin(
        dir.path(),
        &["changes", "--json", "--state", "approved"],
    )))
    .unwrap();
    let ids: Vec<u64> = now
        .as_array()
        .or_else(|| now["changes"].as_array())
        .unwrap()
        .iter()
        .filter_map(|c| c["id"].as_u64())
        .collect();
    assert!(ids.contains(&id), "#{id} approved through the TUI: {ids:?}");
    assert!(!sock.exists(), "the stale socket is gone");
}
