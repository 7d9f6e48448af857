//! Issue #11's walk-through on the real binary over the demo, in tmux at 80x24: a support
//! ticket gives a phone in a local form; paste it into the filter, find the contact, change its
//! owner and a custom field, add a tag, approve, send, and see the names in the journal.
//! Skipped (with a note) when tmux is absent. Waiting is by condition, never a fixed sleep.

use std::process::Command;

use crate::tmux_support::{demo_cmd, fits_80, pending, Tmux};

#[test]
fn find_by_local_phone_change_owner_field_and_tag_send_and_read_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    let Some(t) = Tmux::start("ticket", &demo_cmd(dir.path()), 80, 24) else {
        return;
    };
    let s = t.wait_for("the contact list and the pending count", |s| {
        s.contains("Contacts 540") && pending(s).is_some()
    });
    let before = pending(&s).unwrap();

    // The ticket says 054-8720752 (ליאור אזולאי, +972548720752): paste it into the filter.
    assert!(Command::new("tmux")
        .args(["set-buffer", "-b", "ticket", "054-8720752"])
        .status()
        .unwrap()
        .success());
    t.keys(&["/"]);
    t.paste_buffer("ticket");
    let s = t.wait_for("the one contact", |s| {
        s.contains("Contacts 1/540") && s.contains("אזולאי")
    });
    fits_80(&s);
    t.keys(&["Enter"]);

    // Owner: O opens ':owner ' with the users; John completes to John Smith.
    t.keys(&["O"]);
    t.wait_for("the users", |s| {
        s.contains(":owner") && s.contains("John Smith")
    });
    t.literal("John");
    t.keys(&["Tab"]);
    t.wait_for("completed", |s| s.contains(":owner \"John Smith\""));
    t.keys(&["Enter"]);
    t.wait_for("one more pending", |s| pending(s) == Some(before + 1));

    // A custom field, checked by its type, and a tag: both join the same change.
    t.keys(&[":"]);
    t.literal("field budget 1,750,000");
    t.keys(&["Enter"]);
    t.wait_for("the palette closed", |s| !s.contains(":field"));
    t.keys(&["t"]);
    t.wait_for("the tags line", |s| s.contains(":tags"));
    t.literal("+ticket-4411");
    t.keys(&["Enter"]);
    t.wait_for("the palette closed", |s| !s.contains(":tags"));

    // Review it on the changes screen: the newest change is the hand edit.
    t.keys(&["c"]);
    t.wait_for("the changes screen", |s| s.contains("Changes"));
    t.keys(&["G"]);
    let s = t.wait_for("the diff with owner by name, budget and tag", |s| {
        s.contains("John Smith") && s.contains("1750000") && s.contains("ticket-4411")
    });
    fits_80(&s);
    t.keys(&["a"]);
    t.wait_for("approved", |s| s.contains("1 ✓"));
    t.keys(&["S"]);
    t.wait_for("the send question", |s| s.contains("Send"));
    t.keys(&["y"]);
    t.wait_for("sent", |s| s.contains("1 ●"));
    t.keys(&["J"]);
    let s = t.wait_for_joined("the journal with the owner's names", |s| {
        s.contains("John Smith") && s.contains("Dana Levi")
    });
    assert!(s.contains("applied"), "{s}");
    fits_80(&t.screen());
    t.keys(&["Escape"]);
    t.wait_for("journal closed", |s| !s.contains("Journal ·"));
    t.keys(&["q"]);
    t.wait_for("clean exit", |s| s.contains("EXITED 0"));

    // What the CLI says afterwards: the contact by its phone in another local form, owner named.
    let o = Command::new(env!("CARGO_BIN_EXE_bmby-ghl"))
        .args(["--data-dir", dir.path().to_str().unwrap(), "journal"])
        .env("GHL_LOCATION_ID", bmby_ghl::sandbox::DEMO_LOCATION_ID)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("John Smith"), "{out}");
}
