//! The journal screen (`J` on the changes screen) says what happened to whom — contact, task or
//! note, each field before → after, status and traceId, in Israel time — and `R` reverts the
//! selected write after asking, as a pending change; what cannot be reverted says why.
use crate::tui_support;

use crate::tui_changes_support::*;
use bmby_ghl::domain::{ChangeKind, ChangeState, JournalEntry, JournalValue, Subject};
use bmby_ghl::tui::{Driver, Screen, Theme};

fn value(field: &str, label: &str, before: Option<&str>, after: Option<&str>) -> JournalValue {
    JournalValue {
        field: field.into(),
        label: label.into(),
        before: before.map(Into::into),
        after: after.map(Into::into),
    }
}

/// The changes screen with the journal open over three entries: an old-format one (no
/// values), a contact update, and a task delete (newest).
fn journal_driver() -> (tempfile::TempDir, Driver) {
    let (dir, s) = store();
    // The fixture stores its changes with fixed ids: new ones are numbered after them.
    let top = s.changes().unwrap().iter().map(|c| c.id).max().unwrap();
    while s.next_seq("change").unwrap() < top {}
    s.append_journal(JournalEntry {
        change_id: 3,
        request: "PUT /contacts/c00yossi000000000005".into(),
        fields_sent: vec!["city".into()],
        status: Some(200),
        outcome: "applied".into(),
        at: "2026-03-26T22:30:00Z".into(),
        ..Default::default()
    })
    .unwrap();
    s.append_journal(JournalEntry {
        change_id: 5,
        request: "PUT /contacts/c00dana0000000000003".into(),
        fields_sent: vec!["city".into(), "email".into()],
        status: Some(200),
        trace_id: Some("0b7e1f00-1111-4222-8333-444455556666".into()),
        outcome: "applied".into(),
        at: "2026-07-01T06:05:00Z".into(),
        contact_id: Some("c00dana0000000000003".into()),
        contact_name: "דנה כהן".into(),
        kind: Some(ChangeKind::Update),
        values: vec![
            value("city", "City", Some("Haifa"), Some("תל אביב")),
            value("email", "Email", None, Some("dana@example.com")),
        ],
        date_updated_after: Some("2026-07-01T06:05:00.120Z".into()),
        ..Default::default()
    })
    .unwrap();
    s.append_journal(JournalEntry {
        change_id: 6,
        request: "DELETE /contacts/c00dana0000000000003/tasks/t0000000000000000001".into(),
        status: Some(200),
        trace_id: None,
        outcome: "deleted".into(),
        at: "2026-07-01T06:06:00Z".into(),
        contact_id: Some("c00dana0000000000003".into()),
        contact_name: "דנה כהן".into(),
        kind: Some(ChangeKind::Delete),
        subject: Subject::Task {
            task_id: Some("t0000000000000000001".into()),
        },
        subject_name: Some("Call back".into()),
        values: vec![
            value("title", "Title", Some("Call back"), None),
            value("dueDate", "Due", Some("2026-07-02T06:00:00Z"), None),
        ],
        snapshot: Some(serde_json::json!({
            "title": "Call back",
            "dueDate": "2026-07-02T06:00:00Z"
        })),
        ..Default::default()
    })
    .unwrap();
    let mut d = Driver::new(s, tui_support::options(Theme::colored()));
    d.keys("c");
    assert_eq!(d.app.screen, Screen::Changes);
    d.keys("J");
    assert!(d.app.changes.journal.as_ref().unwrap().loaded);
    (dir, d)
}

#[test]
fn the_journal_names_who_and_shows_before_and_after_in_israel_time() {
    let (_dir, mut d) = journal_driver();
    let s = screen(&mut d, 80, 24);
    insta::assert_snapshot!("journal_who_what_80x24", s);
    let text = lines(&mut d, 160, 48).join("\n");
    // Israel summer time (UTC+3); the task's due date too.
    assert!(
        text.contains("#3 · 2026-07-01 09:06 · change #6 · DELETE"),
        "{text}"
    );
    assert!(
        text.contains("דנה כהן (c00dana0000000000003) · task \"Call back\" (t0000000000000000001)"),
        "{text}"
    );
    assert!(text.contains("Due: 2026-07-02 09:00 → (empty)"), "{text}");
    assert!(text.contains("City: Haifa → תל אביב"), "{text}");
    assert!(text.contains("Email: (empty) → dana@example.com"), "{text}");
    assert!(
        text.contains("trace 0b7e1f00-1111-4222-8333-444455556666"),
        "{text}"
    );
    // The old entry still reads (winter time, UTC+2: the night before the DST switch).
    assert!(
        text.contains("#1 · 2026-03-27 00:30 · change #3 · PUT"),
        "{text}"
    );
}

#[test]
fn r_asks_then_proposes_the_revert_as_a_pending_change() {
    let (_dir, mut d) = journal_driver();
    let before = d.app.store().changes().unwrap().len();
    // The top entry (the task delete) is selected.
    d.keys("R");
    assert!(d.app.changes.asking());
    insta::assert_snapshot!("journal_revert_ask_80x24", screen(&mut d, 80, 24));
    // n cancels: nothing proposed.
    d.keys("n");
    assert!(!d.app.changes.asking());
    assert_eq!(d.app.store().changes().unwrap().len(), before);
    // R, y: the task comes back as a pending create.
    d.keys("R y");
    let all = d.app.store().changes().unwrap();
    assert_eq!(all.len(), before + 1);
    let c = all.last().unwrap();
    assert_eq!(c.state, ChangeState::Pending);
    assert_eq!(c.kind, ChangeKind::Create);
    assert_eq!(c.subject, Subject::Task { task_id: None });
    assert_eq!(c.proposed("title"), Some("Call back"));
    assert_eq!(c.origin, "revert of journal #3");
    let status = status_line(&mut d);
    assert!(
        status.contains(&format!("proposed change #{}: reverts journal #3", c.id)),
        "{status}"
    );
    // The update below: back to the values before.
    d.keys("j R y");
    let c = d.app.store().changes().unwrap().last().unwrap().clone();
    assert_eq!(c.kind, ChangeKind::Update);
    assert_eq!(c.proposed("city"), Some("Haifa"));
    assert_eq!(c.proposed("email"), None);
    assert_eq!(
        c.base_date_updated.as_deref(),
        Some("2026-07-01T06:05:00.120Z")
    );
    // The old entry cannot be reverted, and says why.
    d.keys("j R");
    assert!(!d.app.changes.asking());
    let status = status_line(&mut d);
    assert!(
        status.contains("journal #1 cannot be reverted: written before the journal kept values"),
        "{status}"
    );
}

/// `R` on an entry whose revert is already proposed refuses at once, without first asking
/// "Revert journal #3 …?" (a newcomer answered `y` only to be told no).
#[test]
fn r_refuses_before_asking_when_a_revert_is_already_proposed() {
    let (_dir, mut d) = journal_driver();
    d.keys("R y");
    let c = d.app.store().changes().unwrap().last().unwrap().clone();
    assert_eq!(c.origin, "revert of journal #3");
    d.keys("R");
    assert!(!d.app.changes.asking(), "asked before refusing");
    let err = d.app.status.error.clone().unwrap_or_default();
    assert_eq!(
        err,
        format!(
            "journal entry 3 is already being reverted by change {} (pending)",
            c.id
        )
    );
    assert!(status_line(&mut d).contains("already being reverted"));
}
