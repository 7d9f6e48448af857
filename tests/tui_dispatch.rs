//! Sending approved changes from the changes screen, through the app and the driver: the
//! question (deletes called out), `Job::Dispatch`, progress and the end from the worker's
//! events, cancelling; the new states in the list, the filter and the counts; the diff pane of
//! a failed change, a conflict (three ways) and an applied one; the journal view.
use crate::tui_support;

use crate::tui_changes_support::*;
use bmby_ghl::domain::{ChangeState, JournalEntry, OutboxInfo};
use bmby_ghl::store::Store;
use bmby_ghl::sync::{Job, SyncEvent};
use bmby_ghl::tui::changes::StateFilter;
use bmby_ghl::tui::{Driver, Screen, Theme};

const HEBREW_ERROR: &str = "GHL 422 Unprocessable Entity on PUT /contacts/c00dana0000000000003: השדה \"טלפון\" אינו תקין: מספר הטלפון חייב להיות בפורמט בינלאומי (E.164), לדוגמה +972541112233; בדקו את הערך שהוזן ב-Bmby ונסו שוב. traceId 4f1c2e9a-77b0-4c1e-9d51-0a2b3c4d5e6f";

fn set_state(s: &Store, id: u64, state: ChangeState, info: Option<OutboxInfo>) {
    let mut c = s.change(id).unwrap().unwrap();
    c.state = state;
    c.updated_at = format!("2025-01-02T09:00:{id:02}Z");
    match info {
        Some(i) => s.put_dispatch(&c, &i).unwrap(),
        None => s.put_change(&c).unwrap(),
    }
}

/// An online driver on the changes screen; #1, #2 (create), #3 (delete) and #7 approved
/// beside #5: 3 updates, 1 create, 1 delete.
fn online() -> (tempfile::TempDir, Driver) {
    let (dir, s) = store();
    for id in [1, 2, 3, 7] {
        set_state(&s, id, ChangeState::Approved, None);
    }
    let mut o = tui_support::options(Theme::colored());
    o.online = true;
    let mut d = Driver::new(s, o);
    d.keys("c");
    assert_eq!(d.app.screen, Screen::Changes);
    (dir, d)
}

fn started(d: &mut Driver) {
    d.keys("S");
    d.keys("y");
    assert_eq!(
        d.jobs.last(),
        Some(&Job::Dispatch {
            ids: Some(vec![1, 2, 3, 5, 7])
        })
    );
    d.event(SyncEvent::DispatchStarted { total: 5 });
}

#[test]
fn send_asks_first_and_names_deletes() {
    let (_dir, mut d) = online();
    d.keys("S");
    let q = d.app.changes.send_confirm.clone().expect("asks first");
    assert_eq!(q.ids, vec![1, 2, 3, 5, 7]);
    assert_eq!(
        bmby_ghl::tui::changes::confirm::send_question(&q),
        "Send 5 approved changes to GHL? 3 updates, 1 create, 1 DELETE"
    );
    assert!(!d.jobs.iter().any(|j| matches!(j, Job::Dispatch { .. })));
    let s = screen(&mut d, 80, 24);
    assert!(s.contains("1 DELETE"), "{s}");
    assert!(s.contains("will be deleted in GHL"), "{s}");
    insta::assert_snapshot!("send_confirm_80x24", s);
    // No: nothing is sent.
    d.keys("n");
    assert!(d.app.changes.send_confirm.is_none());
    assert!(!d.jobs.iter().any(|j| matches!(j, Job::Dispatch { .. })));
    assert_eq!(d.app.status.info.as_deref(), Some("not sent"));
    // Yes: the ids fixed when asked go to the worker.
    started(&mut d);
    assert!(status_line(&mut d).contains("sending 0/5"));
    // A second S while sending does not ask again.
    d.keys("S");
    assert!(d.app.changes.send_confirm.is_none());
    assert_eq!(d.app.status.info.as_deref(), Some("already sending 0/5"));
}

#[test]
fn offline_or_nothing_approved_does_not_ask() {
    let (_dir, mut d) = driver();
    d.keys("S");
    assert!(d.app.changes.send_confirm.is_none());
    assert!(d.app.status.info.as_deref().unwrap().starts_with("offline"));
}

#[test]
fn progress_updates_the_status_bar_and_the_list_and_cancel_stops() {
    let (_dir, mut d) = online();
    started(&mut d);
    // The worker moved #1 to applied and #2 to failed.
    let s = d.app.store().clone();
    set_state(
        &s,
        1,
        ChangeState::Applied,
        Some(OutboxInfo {
            attempts: 1,
            contact_id: Some("c00yossi000000000005".into()),
            ..Default::default()
        }),
    );
    d.event(SyncEvent::DispatchProgress {
        done: 1,
        total: 5,
        change_id: 1,
        state: ChangeState::Applied,
    });
    assert_eq!(d.app.changes.all[0].state, ChangeState::Applied);
    set_state(
        &s,
        2,
        ChangeState::Failed,
        Some(OutboxInfo {
            attempts: 1,
            last_error: Some(HEBREW_ERROR.into()),
            ..Default::default()
        }),
    );
    d.event(SyncEvent::DispatchProgress {
        done: 2,
        total: 5,
        change_id: 2,
        state: ChangeState::Failed,
    });
    assert_eq!(d.app.changes.all[1].state, ChangeState::Failed);
    let line = status_line(&mut d);
    assert!(line.contains("sending 2/5 · 1 failed"), "{line}");
    assert!(line.contains("· 1 failed · 1 applied"), "{line}");
    insta::assert_snapshot!("sending_80x24", screen(&mut d, 80, 24));
    insta::assert_snapshot!("sending_160x48", screen(&mut d, 160, 48));
    // The UI answers keys while sending.
    d.keys("j");
    // Cancel.
    d.keys("ctrl-x");
    assert_eq!(d.jobs.last(), Some(&Job::CancelDispatch));
    assert!(status_line(&mut d).contains("sending 2/5 · 1 failed · stopping…"));
    d.event(SyncEvent::DispatchFinished {
        applied: 1,
        failed: 1,
        conflicts: 0,
        queued: 3,
        cancelled: true,
    });
    assert!(d.app.status.dispatch.is_none());
    assert_eq!(
        d.app.status.info.as_deref(),
        Some("sending stopped: 1 applied · 1 failed · 0 conflicts · 3 still approved")
    );
    // Cancelling when nothing is sent sends nothing.
    let n = d.jobs.len();
    d.keys("ctrl-x");
    assert_eq!(d.jobs.len(), n);
}

#[test]
fn filter_cycles_through_outcomes_when_there_are_some() {
    let (_dir, mut d) = online();
    let s = d.app.store().clone();
    set_state(&s, 1, ChangeState::Applied, Some(OutboxInfo::default()));
    set_state(&s, 2, ChangeState::Conflict, Some(OutboxInfo::default()));
    set_state(&s, 6, ChangeState::Cancelled, None);
    d.keys("r");
    let mut seen = vec![d.app.changes.filter];
    for _ in 0..5 {
        d.keys("s");
        seen.push(d.app.changes.filter);
    }
    use StateFilter::*;
    assert_eq!(
        seen,
        vec![Pending, Approved, Problems, Applied, Rejected, All]
    );
    d.keys("s s s");
    assert_eq!(d.app.changes.filter, Problems);
    assert_eq!(d.app.changes.selected_change().unwrap().id, 2);
    let l = lines(&mut d, 80, 24);
    let status = &l[l.len() - 2];
    // The filter's news gets the width first: the counters in their tiny form.
    assert!(status.contains("1p 3✓ 1✗ 1⚠ 1●"), "{status}");
}

/// #7 (Dana Levi, phone and email) failed with a long Hebrew error, shown alone.
fn failed_driver() -> (tempfile::TempDir, Driver) {
    let (dir, mut d) = online();
    let s = d.app.store().clone();
    set_state(
        &s,
        7,
        ChangeState::Failed,
        Some(OutboxInfo {
            attempts: 2,
            last_error: Some(HEBREW_ERROR.into()),
            ..Default::default()
        }),
    );
    d.keys("r s s");
    assert_eq!(d.app.changes.filter, StateFilter::Problems);
    assert_eq!(d.app.changes.selected_change().unwrap().id, 7);
    (dir, d)
}

#[test]
fn failed_change_shows_ghls_words_80x24() {
    let (_dir, mut d) = failed_driver();
    let s = screen(&mut d, 80, 24);
    assert!(s.contains("Failed after 2 attempts"), "{s}");
    insta::assert_snapshot!("failed_80x24", s);
}

#[test]
fn failed_change_shows_ghls_words_160x48() {
    let (_dir, mut d) = failed_driver();
    let s = screen(&mut d, 160, 48);
    // The whole error is there, wrapped.
    let text: String = lines(&mut d, 160, 48).join(" ");
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        joined.contains("בדקו את הערך שהוזן ב-Bmby ונסו שוב"),
        "{joined}"
    );
    insta::assert_snapshot!("failed_160x48", s);
}

/// #1 (יוסי כהן) in conflict: GHL's city moved since the diff.
fn conflict_driver() -> (tempfile::TempDir, Driver) {
    let (dir, mut d) = online();
    let s = d.app.store().clone();
    set_state(
        &s,
        1,
        ChangeState::Conflict,
        Some(OutboxInfo {
            attempts: 1,
            last_error: Some(
                "contact changed in GHL at 2025-01-02 10:59 after the diff (base 2024-12-04 12:00; Israel time)"
                    .into(),
            ),
            ghl_now: vec![
                ("lastName".into(), Some("כהן".into())),
                ("city".into(), Some("רמת גן".into())),
                ("address1".into(), Some("רחוב הרצל 12".into())),
                ("customFields.cf_area".into(), Some("צפון".into())),
            ],
            ..Default::default()
        }),
    );
    d.keys("r s s");
    assert_eq!(d.app.changes.selected_change().unwrap().id, 1);
    (dir, d)
}

#[test]
fn conflict_shows_three_ways_80x24() {
    let (_dir, mut d) = conflict_driver();
    let s = screen(&mut d, 80, 24);
    assert!(s.contains("GHL now") && s.contains("Base"), "{s}");
    assert!(
        s.contains("רמת גן") && s.contains("תל אביב") && s.contains("ירושלים"),
        "{s}"
    );
    insta::assert_snapshot!("conflict_80x24", s);
}

#[test]
fn conflict_shows_three_ways_160x48() {
    let (_dir, mut d) = conflict_driver();
    let s = screen(&mut d, 160, 48);
    assert!(
        s.contains("writes the proposed value over GHL's current one"),
        "{s}"
    );
    insta::assert_snapshot!("conflict_160x48", s);
}

#[test]
fn applied_change_names_the_contact_and_dropped_fields() {
    let (_dir, mut d) = online();
    let s = d.app.store().clone();
    set_state(
        &s,
        7,
        ChangeState::Applied,
        Some(OutboxInfo {
            attempts: 1,
            contact_id: Some("c00dana0000000000003".into()),
            dropped_fields: vec!["website".into()],
            ..Default::default()
        }),
    );
    d.keys("r s s");
    assert_eq!(d.app.changes.filter, StateFilter::Applied);
    let s = screen(&mut d, 160, 48);
    assert!(
        s.contains("Applied to GHL contact c00dana0000000000003"),
        "{s}"
    );
    assert!(s.contains("GHL did not store: website"), "{s}");
}

fn journal_driver() -> (tempfile::TempDir, Driver) {
    let (dir, mut d) = online();
    let s = d.app.store().clone();
    let entries = [
        (
            1,
            "GET /contacts/search/duplicate",
            Some(200),
            None,
            "found c00new after an unknown outcome",
        ),
        (
            2,
            "POST /contacts/",
            Some(400),
            Some("a1b2c3d4-0000-4000-8000-000000000001"),
            "duplicate of c00dana0000000000003: becomes an update",
        ),
        (
            7,
            "PUT /contacts/c00dana0000000000003",
            Some(422),
            Some("4f1c2e9a-77b0-4c1e-9d51-0a2b3c4d5e6f"),
            "failed",
        ),
        (
            5,
            "PUT /contacts/c00aaron000000000001",
            Some(200),
            Some("0b7e1f00-1111-4222-8333-444455556666"),
            "applied; GHL did not store: website",
        ),
        (
            3,
            "DELETE /contacts/c00noa00000000000010",
            None,
            None,
            "failed",
        ),
    ];
    for (i, (change_id, request, status, trace, outcome)) in entries.into_iter().enumerate() {
        s.append_journal(JournalEntry {
            seq: 0,
            change_id,
            request: request.into(),
            fields_sent: vec![],
            status,
            trace_id: trace.map(Into::into),
            outcome: outcome.into(),
            at: format!("2025-01-02T09:0{i}:00Z"),
            ..Default::default()
        })
        .unwrap();
    }
    d.keys("J");
    assert!(d.app.changes.journal.as_ref().unwrap().loaded);
    (dir, d)
}

#[test]
fn journal_newest_first_scrolls_and_closes() {
    let (_dir, mut d) = journal_driver();
    let j = d.app.changes.journal.as_ref().unwrap();
    assert_eq!(j.entries.len(), 5);
    assert_eq!(j.entries[0].change_id, 3, "newest first");
    let s = screen(&mut d, 160, 48);
    assert!(
        s.contains("#4 · 2025-01-02 11:03 · change #5 · PUT /contacts/c00aaron000000000001 · 200 · applied; GHL did not store: website · trace"),
        "{s}"
    );
    assert!(s.contains("0b7e1f00-1111-4222-8333-444455556666"), "{s}");
    insta::assert_snapshot!("journal_160x48", s);
    insta::assert_snapshot!("journal_80x24", screen(&mut d, 80, 24));
    d.keys("j j");
    assert_eq!(d.app.changes.journal.as_ref().unwrap().scroll, 2);
    d.keys("G");
    assert_eq!(d.app.changes.journal.as_ref().unwrap().scroll, 4);
    // q closes the journal, not the app.
    d.keys("q");
    assert!(d.app.changes.journal.is_none());
    assert!(!d.app.should_quit);
    d.keys("J esc");
    assert!(d.app.changes.journal.is_none());
}

#[test]
fn journal_reloads_as_progress_arrives() {
    let (_dir, mut d) = journal_driver();
    d.keys("esc");
    started(&mut d);
    d.keys("J");
    d.app
        .store()
        .append_journal(JournalEntry {
            seq: 0,
            change_id: 1,
            request: "PUT /contacts/c00yossi000000000005".into(),
            fields_sent: vec!["city".into()],
            status: Some(200),
            trace_id: None,
            outcome: "applied".into(),
            at: "2025-01-02T09:10:00Z".into(),
            ..Default::default()
        })
        .unwrap();
    d.event(SyncEvent::DispatchProgress {
        done: 1,
        total: 5,
        change_id: 1,
        state: ChangeState::Applied,
    });
    let j = d.app.changes.journal.as_ref().unwrap();
    assert_eq!(j.entries.len(), 6);
    // ctrl-x works from the journal too.
    d.keys("ctrl-x");
    assert_eq!(d.jobs.last(), Some(&Job::CancelDispatch));
}
