//! End-to-end runs of the real binary in a real terminal: tmux at 80x24, keys sent with
//! `send-keys`, the screen read with `capture-pane`. Skipped (with a note) when tmux is absent.
//!
//! Waiting is by condition: poll the screen until the expected text appears, with a deadline.

use std::process::Command;

use crate::tmux_support::{demo_cmd, Tmux};

#[test]
fn demo_browse_filter_help_quit_at_80x24() {
    let dir = tempfile::tempdir().unwrap();
    let Some(t) = Tmux::start("browse", &demo_cmd(dir.path()), 80, 24) else {
        return;
    };
    let s = t.wait_for("the contact list", |s| s.contains("Contacts 540"));
    assert!(
        s.contains("Details") && s.contains("Activity"),
        "three panes:\n{s}"
    );
    // Every line fits the 80-column terminal.
    assert!(
        s.lines()
            .all(|l| unicode_width::UnicodeWidthStr::width(l) <= 80),
        "{s}"
    );

    // Filter by a Hebrew surname.
    t.keys(&["/"]);
    t.literal("כהן");
    let s = t.wait_for("the filtered list", |s| {
        s.contains("כהן") && !s.contains("Contacts 540")
    });
    assert!(s.lines().filter(|l| l.contains("כהן")).count() >= 2, "{s}");
    t.keys(&["Enter"]);
    // Move the selection: details and activity follow.
    t.keys(&["j"]);
    t.wait_for("details of the selected contact", |s| {
        s.contains("Phone") || s.contains("Email")
    });

    t.keys(&["?"]);
    let s = t.wait_for("help", |s| {
        s.to_lowercase().contains("help") && s.contains("quit")
    });
    assert!(s.contains("filter"), "{s}");
    t.keys(&["Escape"]);
    t.wait_for("help closed", |s| {
        s.contains("Details") && !s.contains("Help: keys")
    });

    t.keys(&["q"]);
    let s = t.wait_for("clean exit", |s| s.contains("EXITED 0"));
    assert!(
        !s.contains("Details") && !s.contains("Contacts"),
        "terminal restored:\n{s}"
    );
}

#[test]
fn sigterm_restores_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let Some(t) = Tmux::start("term", &demo_cmd(dir.path()), 80, 24) else {
        return;
    };
    t.wait_for("the contact list", |s| s.contains("Contacts 540"));
    let pid = t.pane_child_pid().expect("the binary's pid");
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let s = t.wait_for("exit after SIGTERM", |s| s.contains("EXITED"));
    assert!(!s.contains("Details"), "alternate screen left:\n{s}");
}

#[test]
fn demo_review_changes_approve_reject_edit_then_changes_json() {
    let dir = tempfile::tempdir().unwrap();
    let Some(t) = Tmux::start("review", &demo_cmd(dir.path()), 80, 24) else {
        return;
    };
    t.wait_for("the contact list", |s| s.contains("Contacts 540"));
    t.keys(&["c"]);
    let s = t.wait_for("the changes screen", |s| {
        s.contains("Changes") && s.contains("pending") && s.contains("GHL now")
    });
    assert!(s.contains("Proposed"), "{s}");
    t.keys(&["a"]);
    t.wait_for("one approved", |s| s.contains("1 ✓"));
    t.keys(&["x"]);
    t.wait_for("one rejected", |s| s.contains("1 ✗"));
    // Edit the proposed value of the next change's first field.
    t.keys(&["Enter"]);
    t.keys(&["e"]);
    t.wait_for("the editor", |s| s.contains("enter save"));
    t.keys(&["C-u"]);
    t.literal("רמת השרון");
    t.keys(&["Enter"]);
    t.wait_for("the edited value", |s| s.contains("(edited)"));
    t.keys(&["q"]);
    t.wait_for("clean exit", |s| s.contains("EXITED 0"));

    let o = Command::new(env!("CARGO_BIN_EXE_bmby-ghl"))
        .args([
            "--data-dir",
            dir.path().to_str().unwrap(),
            "changes",
            "--json",
        ])
        .env("GHL_LOCATION_ID", bmby_ghl::sandbox::DEMO_LOCATION_ID)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["counts"]["approved"], 1, "{}", doc["counts"]);
    assert_eq!(doc["counts"]["rejected"], 1, "{}", doc["counts"]);
    let edited: Vec<_> = doc["changes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["fields"].as_array().unwrap().iter())
        .filter(|f| f["edited"] == true)
        .collect();
    assert_eq!(edited.len(), 1);
    assert_eq!(edited[0]["proposed"], "רמת השרון");
    // Every kind of change is there.
    for kind in ["create", "update", "delete", "ambiguous"] {
        assert!(
            doc["changes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["kind"] == kind),
            "no {kind}"
        );
    }
}

/// Issue #4's flow at 80x24 on the demo: fix a contact's email, add a note in `$EDITOR`,
/// complete a task, approve them, watch them apply, see them in the journal; a delete asks
/// first.
#[test]
fn demo_edit_by_hand_then_send_and_read_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    let note = dir.path().join("note.txt");
    std::fs::write(&note, "Called the client.\nWants a 4-room flat in Haifa.").unwrap();
    // The "editor" copies the prepared note over the file it is given.
    let cmd = format!(
        "EDITOR='cp {}' {}",
        note.display(),
        demo_cmd(&dir.path().join("data"))
    );
    let Some(t) = Tmux::start("edit", &cmd, 80, 24) else {
        return;
    };
    t.wait_for("the contact list", |s| s.contains("Contacts 540"));
    t.wait_for("the first contact's tasks", |s| s.contains("[ ] "));
    // Fix the email: details pane, e, third field.
    t.keys(&["Tab", "e"]);
    t.wait_for("the field picker", |s| s.contains("Edit which field?"));
    t.keys(&["j", "j", "Enter", "C-u"]);
    t.literal("not an email");
    t.keys(&["Enter"]);
    t.wait_for("the email check", |s| s.contains("is not an email address"));
    t.keys(&["C-u"]);
    t.literal("fixed@example.com");
    t.keys(&["Enter"]);
    t.wait_for("the pending change", |s| {
        s.contains("1 pending") || s.contains("change #")
    });
    // Add a note in the editor, then complete the open task.
    t.keys(&["Tab", "]", "n"]);
    t.wait_for("the note's change", |s| {
        s.contains("create note") || s.contains("(m)")
    });
    t.keys(&["[", "Space"]);
    // Delete asks first; no leaves everything as it was.
    t.keys(&["D"]);
    t.wait_for("the delete question", |s| {
        s.contains("Propose deleting the task")
    });
    t.keys(&["n"]);
    // The question is gone (its status line may already be replaced by a background pull's).
    t.wait_for("the question answered", |s| {
        !s.contains("Propose deleting the task")
    });
    // Review the three local changes and send them.
    t.keys(&["c", "/"]);
    t.literal("local");
    t.keys(&["Enter"]);
    // The list and the selected change's diff are drawn by the same frame, but the screen
    // may be read while that frame is still being written: wait for both.
    t.wait_for("the local changes and the first one's diff", |s| {
        s.contains("~ update")
            && s.contains("+ note")
            && s.contains("~ task")
            && s.contains("fixed@example.com")
    });
    t.keys(&["A"]);
    t.wait_for("approve all?", |s| s.contains("Approve 3 shown changes?"));
    t.keys(&["y"]);
    t.wait_for("three approved", |s| s.contains("3 ✓"));
    t.keys(&["S"]);
    t.wait_for("send?", |s| s.contains("Send 3 approved changes to GHL?"));
    t.keys(&["y"]);
    t.wait_for("applied", |s| s.contains("3 ●"));
    t.keys(&["J"]);
    let s = t.wait_for("the journal", |s| s.contains("Journal · 3 writes"));
    assert!(s.contains("/notes") && s.contains("/completed"), "{s}");
    // Escape and q in one burst would read as alt-q.
    t.keys(&["Escape"]);
    t.wait_for("the journal closed", |s| !s.contains("Journal ·"));
    t.keys(&["q"]);
    t.wait_for("clean exit", |s| s.contains("EXITED 0"));

    // The writes are in the journal `changes --json` prints.
    let o = Command::new(env!("CARGO_BIN_EXE_bmby-ghl"))
        .args([
            "--data-dir",
            dir.path().join("data").to_str().unwrap(),
            "changes",
            "--json",
            "--state",
            "applied",
        ])
        .env("GHL_LOCATION_ID", bmby_ghl::sandbox::DEMO_LOCATION_ID)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let applied = doc["changes"].as_array().unwrap();
    assert_eq!(applied.len(), 3, "{doc}");
    assert!(applied.iter().all(|c| c["origin"] == "local"));
    let body: Vec<_> = applied
        .iter()
        .flat_map(|c| c["fields"].as_array().unwrap().iter())
        .filter(|f| f["field"] == "body")
        .collect();
    assert_eq!(
        body[0]["proposed"],
        "Called the client.\nWants a 4-room flat in Haifa."
    );
}

/// Thousands of bytes typed at once (a paste into a terminal without bracketed paste) are all
/// read, without waiting for another key; a bracketed paste arrives as text, never as keys.
#[test]
fn a_burst_of_input_is_read_whole_and_a_paste_is_text() {
    let dir = tempfile::tempdir().unwrap();
    let Some(t) = Tmux::start("burst", &demo_cmd(dir.path()), 80, 24) else {
        return;
    };
    t.wait_for("the contact list", |s| s.contains("Contacts 540"));
    t.keys(&["Tab", "e"]);
    t.wait_for("the field picker", |s| s.contains("Edit which field?"));
    // Website, the eighth field.
    t.keys(&["j", "j", "j", "j", "j", "j", "j", "Enter", "C-u"]);
    t.wait_for("the editor", |s| s.contains("Edit Website"));
    t.literal(&format!("{}ZZEND", "b".repeat(6000)));
    t.wait_for("the end of the burst", |s| s.contains("ZZEND"));
    t.keys(&["C-u"]);
    t.wait_for("the editor cleared", |s| !s.contains("ZZEND"));
    // A bracketed paste with a newline and keys that would be commands.
    let buf = dir.path().join("paste.txt");
    std::fs::write(&buf, "example.com\ncA").unwrap();
    assert!(Command::new("tmux")
        .args(["load-buffer", "-b", "bmbyghl-paste", buf.to_str().unwrap()])
        .status()
        .unwrap()
        .success());
    t.paste_buffer("bmbyghl-paste");
    let s = t.wait_for("the pasted text", |s| s.contains("example.com cA"));
    assert!(
        s.contains("Edit Website"),
        "still editing, no command ran:\n{s}"
    );
    t.keys(&["Escape"]);
    t.wait_for("the editor closed", |s| !s.contains("Edit Website"));
    t.keys(&["q"]);
    t.wait_for("clean exit", |s| s.contains("EXITED 0"));
}
