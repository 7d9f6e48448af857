//! Issue #12's webhooks on the real binary: the demo in tmux at 80x24 receives the GHL
//! stand-in's signed webhooks. A note edited in the stand-in (as someone would in GHL's UI)
//! appears in the open contact's notes tab without a key being pressed: the stand-in delivers a
//! NoteUpdate, the receiver stores and applies it, and the TUI hears of it. Skipped (with a note)
//! when tmux is absent. Waiting is by condition, never a fixed sleep.

use crate::tmux_support::{demo_cmd, fits_80, Tmux};
use bmby_ghl::sandbox::DEMO_TOKEN;

/// The demo's first contact (אבי מזרחי) and one of its notes (assets/demo/).
const CONTACT: &str = "x64Mt6pwWmOf7NAPeeIE";
const NOTE: &str = "WefPUdr4KkBKHX6JiOCU";

/// The GHL stand-in's address, from the demo's log line `demo stand-ins listening ghl=…`.
fn stand_in_url(data: &std::path::Path) -> Option<String> {
    let log = std::fs::read_to_string(data.join("logs").join("bmby-ghl.log")).ok()?;
    let line = log
        .lines()
        .find(|l| l.contains("demo stand-ins listening"))?;
    let start = line.find("ghl=")? + 4;
    let url: String = line[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    Some(url)
}

#[test]
fn a_note_edited_in_ghl_appears_in_the_open_notes_tab_by_webhook() {
    let dir = tempfile::tempdir().unwrap();
    let Some(t) = Tmux::start("hooks", &demo_cmd(dir.path()), 80, 24) else {
        return;
    };
    t.wait_for("the contact list", |s| s.contains("Contacts 540"));
    let url = stand_in_url(dir.path()).expect("the demo logs its stand-ins' addresses");

    // Find the contact by its GHL id, open it, and show its notes.
    t.keys(&["/"]);
    t.literal(CONTACT);
    t.wait_for("the one contact", |s| s.contains("Contacts 1/540"));
    t.keys(&["Enter"]);
    t.wait_for("the details", |s| s.contains("Details"));
    // Focus the activity pane (list → details → activity), then its notes tab.
    t.keys(&["Tab"]);
    t.wait_for("the details focused", |s| s.contains("▶ Details"));
    t.keys(&["Tab"]);
    t.wait_for("the activity focused", |s| s.contains("▶ Activity"));
    t.keys(&["]"]);
    t.wait_for("the notes tab with the note", |s| {
        s.contains("Left voicemail")
    });

    // Edit the note in GHL (the stand-in's API), as a colleague would.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let status = rt.block_on(async {
        reqwest::Client::new()
            .put(format!("{url}/contacts/{CONTACT}/notes/{NOTE}"))
            .bearer_auth(DEMO_TOKEN)
            .header("Version", "2021-07-28")
            .json(&serde_json::json!({"body": "Called again: viewing on Sunday 10:00"}))
            .send()
            .await
            .unwrap()
            .status()
    });
    assert!(status.is_success(), "{status}");

    // No key pressed: the webhook brings it.
    let s = t.wait_for("the edited note", |s| s.contains("viewing on Sunday"));
    assert!(!s.contains("Left voicemail"), "{s}");
    // The record says where the change came from.
    let s = t.wait_for("the webhook mark on the record", |s| {
        s.contains("Updated from GHL")
    });
    fits_80(&s);
    // It came by webhook: the receiver applied it (the notes are otherwise fetched only when a
    // contact is opened or refreshed, and no key was pressed).
    let log = std::fs::read_to_string(dir.path().join("logs").join("bmby-ghl.log")).unwrap();
    assert!(
        log.contains("webhooks applied"),
        "no webhook applied in the log"
    );
}
