//! Issue #10's walk-through on the real binary over the demo, in tmux at 80x24: `ctrl-p`, type
//! "workflow", add the contact to a workflow, approve, send, see the write in the journal; mark
//! three contacts and `:tag add vip`; filter the contacts by a business. Skipped (with a note)
//! when tmux is absent. Waiting is by condition (the screen is polled until the text appears).

use std::process::Command;

use crate::tmux_support::{demo_cmd, fits_80, pending, Tmux};

#[test]
fn palette_workflow_add_send_journal_then_bulk_tags_and_business_filter() {
    let dir = tempfile::tempdir().unwrap();
    let Some(t) = Tmux::start("palette", &demo_cmd(dir.path()), 80, 24) else {
        return;
    };
    let s = t.wait_for("the contact list and the pending count", |s| {
        s.contains("Contacts 540") && pending(s).is_some()
    });
    let before = pending(&s).unwrap();

    // ctrl-p, "workflow": the fuzzy list of actions.
    t.keys(&["C-p"]);
    t.wait_for("the action list", |s| s.contains("Actions here"));
    t.literal("workflow");
    let s = t.wait_for("workflow actions", |s| {
        s.contains("contact: add to workflow") && s.contains("contact: remove from workflow")
    });
    fits_80(&s);
    // Enter opens the ':' line for its argument; the location's workflows are the candidates.
    t.keys(&["Enter"]);
    let s = t.wait_for("the workflow candidates", |s| {
        s.contains(":workflow add") && s.contains("Nurture") && s.contains("Welcome")
    });
    fits_80(&s);
    t.literal("Nurt");
    t.keys(&["Tab"]);
    t.wait_for("completed", |s| s.contains(":workflow add Nurture"));
    t.keys(&["Enter"]);
    t.wait_for("proposed", |s| s.contains("proposed: add to wo"));
    // The changes are read again off the UI thread: wait until the new one is counted.
    t.wait_for("one more pending", |s| pending(s) == Some(before + 1));

    // Review, approve and send it on the changes screen.
    t.keys(&["c"]);
    t.wait_for("the changes screen", |s| s.contains("Changes"));
    t.keys(&["G"]);
    let s = t.wait_for("the operation's diff", |s| {
        s.contains("Operation: add to workflow Nurture") && s.contains("Request  POST /contacts/")
    });
    fits_80(&s);
    t.keys(&["a"]);
    t.wait_for("approved", |s| s.contains("1 ✓"));
    t.keys(&["S"]);
    t.wait_for("the send question", |s| s.contains("1 operation"));
    t.keys(&["y"]);
    t.wait_for("sent", |s| s.contains("1 ●"));
    t.keys(&["J"]);
    let s = t.wait_for_joined("the journal entry", |s| {
        s.contains("add to workflow Nurture") && s.contains("workflow: (empty) → Nurture")
    });
    assert!(s.contains("200 · applied"), "{s}");
    fits_80(&t.screen());
    t.keys(&["Escape"]);
    t.wait_for("journal closed", |s| !s.contains("Journal ·"));
    t.keys(&["c"]);
    t.wait_for("the contacts screen", |s| s.contains("Contacts 540"));

    // Mark three contacts, then ':tag add vip'.
    t.keys(&["Space"]);
    t.keys(&["Space"]);
    t.keys(&["Space"]);
    t.wait_for("three marked", |s| s.contains("3 marked"));
    t.keys(&[":"]);
    t.literal("tag add vip");
    t.keys(&["Enter"]);
    let s = t.wait_for("the bulk question", |s| {
        s.contains("Add tag vip to 3 contacts?")
    });
    fits_80(&s);
    t.keys(&["y"]);
    t.wait_for("the bulk change proposed", |s| s.contains("proposed: tag"));
    t.wait_for("marks cleared", |s| !s.contains("marked"));

    // Filter the contacts by a business.
    t.keys(&[":"]);
    t.literal("business filter Acme");
    t.keys(&["Enter"]);
    let s = t.wait_for("the business filter", |s| {
        s.contains("business: Acme Realty (")
    });
    assert!(!s.contains("Contacts 540 "), "the list is filtered:\n{s}");
    fits_80(&s);
    t.keys(&["q"]);
    t.wait_for("clean exit", |s| s.contains("EXITED 0"));

    // What was stored: the workflow add applied, the tag change pending over three contacts.
    let o = Command::new(env!("CARGO_BIN_EXE_bmby-ghl"))
        .args([
            "--data-dir",
            dir.path().to_str().unwrap(),
            "changes",
            "--json",
            "--state",
            "all",
        ])
        .env("GHL_LOCATION_ID", bmby_ghl::sandbox::DEMO_LOCATION_ID)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let ops: Vec<&serde_json::Value> = doc["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["subject"].get("op").is_some())
        .collect();
    assert_eq!(ops.len(), 2, "{ops:?}");
    assert_eq!(ops[0]["state"], "applied", "{}", ops[0]);
    assert_eq!(ops[0]["subject"]["op"]["op"], "workflow_add");
    assert_eq!(ops[1]["state"], "pending", "{}", ops[1]);
    assert_eq!(ops[1]["subject"]["op"]["op"], "bulk_tags");
    assert_eq!(
        ops[1]["subject"]["op"]["contact_ids"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}
