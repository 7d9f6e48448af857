//! A second TUI attaches to the owner of the cache and sees the same changes live (issue 12):
//! the demo owns its cache in one tmux session; `bmby-ghl` on the demo's data dir in another
//! attaches as a client at 80x24. The client shows the contact list; a change approved in
//! either TUI shows as approved in the other without a key pressed there; quitting the client
//! leaves the owner running; killing the owner makes a client take the cache over (it opens it
//! itself, owns it, and serves the CLI). Waiting is by condition, never a fixed sleep.

use std::path::Path;
use std::process::Command;

use bmby_ghl::owner::{socket_path, who_owns};
use bmby_ghl::sandbox::DEMO_LOCATION_ID;

use crate::tmux_support::{demo_cmd, fits_80, pending, Tmux};

/// The second TUI: the plain binary on the demo's data dir (no token: it would be offline on
/// its own), then `EXITED <code>`.
fn client_cmd(dir: &Path) -> String {
    format!(
        "env -u GHL_TOKEN -u NO_COLOR GHL_LOCATION_ID={DEMO_LOCATION_ID} {} --data-dir {} --config /dev/null; echo EXITED $?; sleep 60",
        env!("CARGO_BIN_EXE_bmby-ghl"),
        dir.display()
    )
}

/// The approved count of the changes screen's header (`N ✓`).
fn approved(s: &str) -> Option<u32> {
    let i = s.find(" ✓")?;
    s[..i]
        .rsplit(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

#[test]
fn a_second_tui_attaches_sees_approvals_live_and_takes_over_when_the_owner_dies() {
    let dir = tempfile::tempdir().unwrap();
    let Some(owner) = Tmux::start("attach-owner", &demo_cmd(dir.path()), 80, 24) else {
        return;
    };
    let s = owner.wait_for("the owner's contact list and pending changes", |s| {
        s.contains("Contacts 540") && pending(s).is_some()
    });
    let pending_before = pending(&s).unwrap();
    let owner_pid: u32 = owner.pane_child_pid().unwrap().parse().unwrap();

    let client = Tmux::start("attach-client", &client_cmd(dir.path()), 80, 24).unwrap();
    let s = client.wait_for("the attached TUI's contact list", |s| {
        s.contains("Contacts 540") && pending(s) == Some(pending_before)
    });
    fits_80(&s);
    // It is the owner's session: the owner still holds the cache, the client opened nothing.
    assert_eq!(
        who_owns(dir.path(), DEMO_LOCATION_ID).map(|h| h.pid),
        Some(owner_pid)
    );

    // Approve in the client: the owner shows it without a key pressed there.
    client.keys(&["c"]);
    client.wait_for("the client's changes screen", |s| s.contains("Changes"));
    // The last change is an update or a create (the ambiguous one needs a choice).
    client.keys(&["G"]);
    client.keys(&["a"]);
    client.wait_for("approved in the client", |s| approved(s) == Some(1));
    // (The status line says `another TUI here: approved #N …` until the next pull's news.)
    owner.wait_for(
        "the owner's pending count after the client's approve",
        |s| pending(s) == Some(pending_before - 1) && approved(s) == Some(1),
    );

    // And the other way: approve in the owner, the client's changes screen shows it.
    owner.keys(&["c"]);
    owner.wait_for("the owner's changes screen", |s| s.contains("Changes"));
    owner.keys(&["G", "k", "a"]);
    owner.wait_for("approved in the owner", |s| approved(s) == Some(2));
    let s = client.wait_for(
        "the client's approved count after the owner's approve",
        |s| approved(s) == Some(2) && s.contains(&format!("pending {}", pending_before - 2)),
    );
    fits_80(&s);

    // Quitting the client ends its session only.
    client.keys(&["q"]);
    client.wait_for("the client exited", |s| s.contains("EXITED 0"));
    owner.keys(&["c"]);
    owner.wait_for("the owner still answers keys", |s| {
        s.contains("Contacts 540") && pending(s) == Some(pending_before - 2)
    });
    assert_eq!(
        who_owns(dir.path(), DEMO_LOCATION_ID).map(|h| h.pid),
        Some(owner_pid)
    );

    // SIGTERM to an attached TUI: its terminal is restored, it exits 0, the owner goes on.
    let term = Tmux::start("attach-term", &client_cmd(dir.path()), 80, 24).unwrap();
    term.wait_for("the third client's contact list", |s| {
        s.contains("Contacts 540")
    });
    let pid = term.pane_child_pid().unwrap();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let s = term.wait_for("the client stopped by SIGTERM", |s| s.contains("EXITED 0"));
    assert!(
        !s.contains("Contacts 540"),
        "the screen is the shell's again: {s}"
    );
    assert_eq!(
        who_owns(dir.path(), DEMO_LOCATION_ID).map(|h| h.pid),
        Some(owner_pid)
    );

    // A new client; then the owner is killed: the client takes the cache over and shows it.
    let client = Tmux::start("attach-client2", &client_cmd(dir.path()), 80, 24).unwrap();
    client.wait_for("the second client's contact list", |s| {
        s.contains("Contacts 540")
    });
    let client_pid: u32 = client.pane_child_pid().unwrap().parse().unwrap();
    assert!(Command::new("kill")
        .args(["-KILL", &owner_pid.to_string()])
        .status()
        .unwrap()
        .success());
    owner.wait_for_joined("the owner killed", |s| s.contains("EXITED"));
    let s = client.wait_for(
        "the client owning the cache, with the approvals kept",
        |s| {
            s.contains("Contacts 540")
                && pending(s) == Some(pending_before - 2)
                && who_owns(dir.path(), DEMO_LOCATION_ID).map(|h| h.pid) == Some(client_pid)
        },
    );
    fits_80(&s);
    // The takeover of a demo's cache says the demo's stand-ins ended and how to restart it,
    // kept (in place of the key hints) until a key; no sign-in is asked for the demo's
    // location (this TUI is offline, it has no stand-in to pull from).
    assert!(s.contains("demo ended, stand-ins gone"), "{s}");
    assert!(!s.contains("needs sign-in"), "{s}");
    assert!(socket_path(dir.path(), DEMO_LOCATION_ID).exists());
    // The CLI runs through the new owner.
    let o = Command::new(env!("CARGO_BIN_EXE_bmby-ghl"))
        .args([
            "--data-dir",
            dir.path().to_str().unwrap(),
            "--config",
            "/dev/null",
        ])
        .args(["changes", "--json", "--state", "approved"])
        .env("GHL_LOCATION_ID", DEMO_LOCATION_ID)
        .env_remove("GHL_TOKEN")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let n = doc
        .as_array()
        .or_else(|| doc["changes"].as_array())
        .unwrap()
        .len();
    assert_eq!(n, 2, "{doc}");
    client.keys(&["q"]);
    client.wait_for("the new owner exited", |s| s.contains("EXITED 0"));
    assert!(!socket_path(dir.path(), DEMO_LOCATION_ID).exists());
}
