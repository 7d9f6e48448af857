//! The changes list changed by another session (or a CLI command) while an editor is open
//! over a change: the screen keeps showing the change being edited, with the editor on its
//! field; when that change is no longer shown, the editor closes and says so.

use crate::tui_changes_support::*;
use bmby_ghl::domain::{ChangeKind, ChangeState};
use bmby_ghl::sync::SyncEvent;

fn another_command(d: &mut bmby_ghl::tui::Driver, command: &str) {
    d.event(SyncEvent::ClientCommand {
        command: command.into(),
        code: 0,
    });
}

#[test]
fn the_editor_stays_over_its_change_when_the_list_changes_80x24() {
    let (_dir, mut d) = driver();
    // Dana Levi (#7), the last pending change; its email field; the editor open on it.
    d.keys("G tab j e");
    let e = d.app.changes.edit.as_ref().expect("editor open");
    assert_eq!((e.change_id, e.field.as_str()), (7, "email"));
    d.type_text(".x");
    // Elsewhere: #1 is removed and a new pending change #8 added after #7, so #7 moves up
    // one place and #8 takes the place #7 had.
    d.app.store().remove_change(1).unwrap();
    let ron = change(
        8,
        ChangeKind::Update,
        ChangeState::Pending,
        "10888",
        Some("c00aaron000000000001"),
        "Ron Shamir",
        "bmby_export.csv row 88",
        vec![field("city", "City", Some("Haifa"), Some("Eilat"))],
    );
    d.app.store().put_change(&ron).unwrap();
    another_command(&mut d, "import new.csv");
    let sel = d.app.changes.selected_change().expect("selected");
    assert_eq!(sel.id, 7, "the screen moved to another change");
    assert_eq!(
        d.app.changes.field, 1,
        "the cursor stays on the edited field"
    );
    let e = d.app.changes.edit.as_ref().expect("editor still open");
    assert_eq!(
        e.input, "dana.levi@example.com.x",
        "the half-typed value is kept"
    );
    let s = screen(&mut d, 80, 24);
    assert!(s.contains("Dana Levi"), "{s}");
    assert!(!s.contains("Eilat"), "the diff shows another change:\n{s}");
    insta::assert_snapshot!("editor_stays_80x24", s);
    // The save goes to #7.
    d.keys("enter");
    assert_eq!(
        stored(&d, 7).fields[1].proposed.as_deref(),
        Some("dana.levi@example.com.x")
    );
    assert!(stored(&d, 8).fields[0].proposed.as_deref() == Some("Eilat"));
}

#[test]
fn the_editor_closes_with_a_notice_when_its_change_leaves_the_view() {
    let (_dir, mut d) = driver();
    d.keys("G tab j e");
    d.type_text(".x");
    // Elsewhere: #7 is approved; the pending list no longer shows it.
    let mut dana = stored(&d, 7);
    dana.state = ChangeState::Approved;
    d.app.store().put_change(&dana).unwrap();
    another_command(&mut d, "approve 7");
    assert!(d.app.changes.edit.is_none(), "the editor stayed open");
    let err = d.app.status.error.clone().unwrap_or_default();
    assert!(
        err.contains("#7 changed elsewhere") && err.contains("nothing saved"),
        "{err}"
    );
    assert_eq!(
        stored(&d, 7).fields[1].proposed.as_deref(),
        Some("dana.levi@example.com")
    );
}
