//! Owners and assignees by name on the changes screen's diff and in the journal (issue #11):
//! `assignedTo` values read as the location's users' names, an id the location does not know
//! as `unknown user (id <id>)`; the stored change and journal keep the ids. Snapshots at 80x24 and
//! 160x48.
use crate::tui_support;

use crate::tui_changes_support::*;
use bmby_ghl::domain::{ChangeKind, ChangeState, JournalEntry, JournalValue, Named, Subject};
use bmby_ghl::store::Store;
use bmby_ghl::sync::ops::{put_list, ListKind};
use bmby_ghl::tui::{Driver, Screen, Theme};

const DANA: &str = "usrDanaLevi000000001";
const AVI: &str = "usrAviCohen000000002";
const GONE: &str = "mNy0lCuWe4bOmmC8B6zg";

fn users(s: &Store) {
    put_list(
        s,
        ListKind::Users,
        &[
            Named {
                id: DANA.into(),
                name: "Dana Levi".into(),
            },
            Named {
                id: AVI.into(),
                name: "אבי כהן".into(),
            },
        ],
    )
    .unwrap();
}

fn value(field: &str, label: &str, before: Option<&str>, after: Option<&str>) -> JournalValue {
    JournalValue {
        field: field.into(),
        label: label.into(),
        before: before.map(Into::into),
        after: after.map(Into::into),
    }
}

/// The contacts fixture with the users cached, one pending owner change (from a user the
/// location does not know to Dana Levi, with a city) and two journal entries: an owner change
/// and a task given to אבי כהן.
fn owner_driver() -> (tempfile::TempDir, Driver) {
    let (dir, s) = tui_support::store();
    users(&s);
    s.put_change(&change(
        1,
        ChangeKind::Update,
        ChangeState::Pending,
        "",
        Some("c00dana0000000000003"),
        "דנה כהן",
        "local",
        vec![
            field("assignedTo", "Owner", Some(GONE), Some(DANA)),
            field("city", "City", Some("Haifa"), Some("תל אביב")),
        ],
    ))
    .unwrap();
    while s.next_seq("change").unwrap() < 1 {}
    s.append_journal(JournalEntry {
        change_id: 1,
        request: "PUT /contacts/c00dana0000000000003".into(),
        fields_sent: vec!["assignedTo".into()],
        status: Some(200),
        outcome: "applied".into(),
        at: "2026-07-01T06:05:00Z".into(),
        contact_id: Some("c00dana0000000000003".into()),
        contact_name: "דנה כהן".into(),
        kind: Some(ChangeKind::Update),
        values: vec![value("assignedTo", "Owner", Some(GONE), Some(DANA))],
        ..Default::default()
    })
    .unwrap();
    s.append_journal(JournalEntry {
        change_id: 2,
        request: "PUT /contacts/c00dana0000000000003/tasks/t0000000000000000001".into(),
        fields_sent: vec!["assignedTo".into()],
        status: Some(200),
        outcome: "applied".into(),
        at: "2026-07-01T06:06:00Z".into(),
        contact_id: Some("c00dana0000000000003".into()),
        contact_name: "דנה כהן".into(),
        kind: Some(ChangeKind::Update),
        subject: Subject::Task {
            task_id: Some("t0000000000000000001".into()),
        },
        subject_name: Some("Call back".into()),
        values: vec![value("assignedTo", "Assignee", Some(DANA), Some(AVI))],
        ..Default::default()
    })
    .unwrap();
    let mut d = Driver::new(s, tui_support::options(Theme::colored()));
    d.keys("c");
    assert_eq!(d.app.screen, Screen::Changes);
    (dir, d)
}

#[test]
fn the_diff_names_the_owner_and_marks_an_unknown_user() {
    let (_dir, mut d) = owner_driver();
    let wide = lines(&mut d, 160, 48).join("\n");
    assert!(wide.contains("Dana Levi"), "{wide}");
    // Wrapped in its cell: `unknown user (id` then the id.
    assert!(wide.contains("unknown user (id"), "{wide}");
    assert!(!wide.contains(DANA), "a known id is not shown:\n{wide}");
    insta::assert_snapshot!("diff_owner_80x24", screen(&mut d, 80, 24));
    insta::assert_snapshot!("diff_owner_160x48", screen(&mut d, 160, 48));
    // The change keeps the ids it sends.
    assert_eq!(stored(&d, 1).proposed("assignedTo"), Some(DANA));
}

#[test]
fn the_journal_names_owners_and_assignees() {
    let (_dir, mut d) = owner_driver();
    d.keys("J");
    assert!(d.app.changes.journal.as_ref().unwrap().loaded);
    let wide = lines(&mut d, 160, 48).join("\n");
    assert!(
        wide.contains(&format!("Owner: unknown user (id {GONE}) → Dana Levi")),
        "{wide}"
    );
    assert!(wide.contains("Assignee: Dana Levi → אבי כהן"), "{wide}");
    insta::assert_snapshot!("journal_owner_80x24", screen(&mut d, 80, 24));
    insta::assert_snapshot!("journal_owner_160x48", screen(&mut d, 160, 48));
    // The journal keeps the ids (reverts read them).
    let j = d.app.store().journal().unwrap();
    assert_eq!(j[0].values[0].after.as_deref(), Some(DANA));
}
