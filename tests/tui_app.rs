//! App behaviour without a terminal: selection, debounce, sync events, keys.

use crate::tui_support::*;
use bmby_ghl::sync::{Job, PullSummary, SyncEvent};
use bmby_ghl::tui::{Driver, Pane, SortKey, Theme};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

fn online() -> (tempfile::TempDir, Driver) {
    let (dir, s) = store();
    let mut o = options(Theme::colored());
    o.online = true;
    (dir, Driver::new(s, o))
}

#[test]
fn start_asks_for_custom_fields_and_first_frame_has_rows() {
    let (_dir, d) = online();
    assert_eq!(d.jobs, vec![Job::FetchCustomFields, Job::FetchLists]);
    assert_eq!(d.app.view.len(), 10);
    assert_eq!(d.app.selected_row().unwrap().name, "Aaron Avraham");
    assert!(d.app.fetch_deadline().is_some());
}

#[test]
fn details_fetch_after_selection_rests() {
    let (_dir, mut d) = online();
    d.jobs.clear();
    d.keys("j j j");
    assert!(d.jobs.is_empty(), "no fetch while moving");
    assert_eq!(d.app.details.as_ref().unwrap().id, "c00dana0000000000003");
    d.fire_fetch_timer();
    assert_eq!(
        d.jobs,
        vec![Job::FetchDetails {
            contact_id: "c00dana0000000000003".into()
        }]
    );
    assert!(d.app.details.as_ref().unwrap().fetching);
    d.fire_fetch_timer();
    assert_eq!(d.jobs.len(), 1, "fires once");
    // Fresh data arrives: re-read from the store.
    d.app
        .store()
        .put_tasks("c00dana0000000000003", &[])
        .unwrap();
    d.event(SyncEvent::DetailsLoaded {
        contact_id: "c00dana0000000000003".into(),
    });
    let det = d.app.details.as_ref().unwrap();
    assert!(!det.fetching);
    assert_eq!(det.tasks, Some(vec![]));
}

#[test]
fn contacts_changed_reloads_and_keeps_selection() {
    let (_dir, mut d) = online();
    d.keys("j j j");
    let id = d.app.selected_row().unwrap().id.to_owned();
    let mut c = contact(
        "c00aaa00000000000099",
        "AAA",
        "First",
        "aaa@example.com",
        "",
        &[],
    );
    c.date_updated = Some("2025-01-01T00:00:00.000Z".into());
    d.app.store().put_contacts(&[c]).unwrap();
    d.event(SyncEvent::ContactsChanged {
        ids: vec!["c00aaa00000000000099".into()],
    });
    assert_eq!(d.app.view.len(), 11);
    assert_eq!(
        d.app.selected_row().unwrap().id,
        id,
        "selection follows the contact"
    );
}

#[test]
fn sort_cycles_and_keeps_selection() {
    let (_dir, mut d) = driver();
    d.keys("j j");
    let id = d.app.selected_row().unwrap().id.to_owned();
    d.keys("s");
    assert_eq!(d.app.sort, SortKey::Updated);
    assert_eq!(d.app.selected_row().unwrap().id, id);
    d.keys("s");
    assert_eq!(d.app.sort, SortKey::Email);
    assert_eq!(d.app.view.row(0).unwrap().email, "aaron@example.com");
    d.keys("s");
    assert_eq!(d.app.sort, SortKey::Name);
}

#[test]
fn status_events() {
    let (_dir, mut d) = online();
    d.event(SyncEvent::PullStarted { full: false });
    d.event(SyncEvent::PullProgress {
        fetched: 500,
        total: Some(1200),
    });
    d.event(SyncEvent::RateLimit(bmby_ghl::ghl::RateBudget {
        max: Some(100),
        remaining: Some(97),
        ..Default::default()
    }));
    d.event(SyncEvent::Retrying {
        what: "contacts search".into(),
        attempt: 2,
        wait_ms: 1500,
    });
    let lines = text_lines(&d.buffer(160, 48)).join("\n");
    assert!(lines.contains("pulling 500/1200"), "{lines}");
    assert!(lines.contains("API 97/100"), "{lines}");
    assert!(
        lines.contains("retrying contacts search (attempt 2) in 1.5s"),
        "{lines}"
    );
    d.event(SyncEvent::Error {
        context: "GET /contacts/x".into(),
        message: "HTTP 503".into(),
    });
    d.app
        .store()
        .set_meta("last_sync", "2025-01-01T12:00:00Z")
        .unwrap();
    d.event(SyncEvent::PullFinished(PullSummary {
        full: false,
        fetched: 1200,
        pages: 3,
        resumed: false,
        changed: 1200,
    }));
    let lines = text_lines(&d.buffer(160, 48)).join("\n");
    assert!(lines.contains("synced just now"), "{lines}");
    assert!(lines.contains("! GET /contacts/x: HTTP 503"), "{lines}");
    assert!(
        lines.contains("incremental pull: 1200 contacts in 3 pages"),
        "{lines}"
    );
    d.keys("r");
    assert!(d.jobs.contains(&Job::Pull { full: false }));
    d.keys("R");
    assert!(d.jobs.contains(&Job::Pull { full: true }));
}

#[test]
fn keys_release_ignored_ctrl_c_quits_panes_cycle() {
    let (_dir, mut d) = driver();
    let mut rel = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE);
    rel.kind = KeyEventKind::Release;
    d.key(rel);
    assert_eq!(d.app.selected, 0);
    d.keys("enter");
    assert_eq!(d.app.focus, Pane::Details);
    d.keys("tab");
    assert_eq!(d.app.focus, Pane::Activity);
    d.keys("esc");
    assert_eq!(d.app.focus, Pane::Contacts);
    d.keys("G");
    assert_eq!(d.app.selected, 9);
    d.keys("g");
    assert_eq!(d.app.selected, 0);
    d.keys("pagedown");
    assert!(d.app.selected > 0);
    d.keys("?");
    d.keys("ctrl-c");
    assert!(d.app.should_quit, "ctrl-c quits even in help");
}

#[test]
fn windowed_list_scrolls() {
    let (_dir, s) = store();
    let many: Vec<_> = (0..500)
        .map(|i| {
            contact(
                &format!("bulk{i:05}"),
                &format!("Person{i:05}"),
                "X",
                "",
                "",
                &[],
            )
        })
        .collect();
    s.put_contacts(&many).unwrap();
    let mut d = Driver::new(s, options(Theme::colored()));
    assert_eq!(d.app.view.len(), 510);
    d.keys("G");
    let lines = text_lines(&d.buffer(80, 24)).join("\n");
    assert!(
        lines.contains("> 王小明"),
        "last row visible and selected:\n{lines}"
    );
    assert!(d.app.offset > 0);
}

/// More rows than the first synchronous read: rows whose ids sort after their names.
fn big_store() -> (tempfile::TempDir, bmby_ghl::store::Store) {
    let (dir, s) = store();
    let many: Vec<_> = (0..500)
        .map(|i| {
            contact(
                &format!("zz{i:05}"),
                &format!("A{:05}", 500 - i),
                "X",
                "",
                "",
                &[],
            )
        })
        .collect();
    s.put_contacts(&many).unwrap();
    (dir, s)
}

#[test]
fn first_row_is_selected_after_the_full_load() {
    let (_dir, s) = big_store();
    let d = Driver::new(s, options(Theme::colored()));
    assert!(d.app.view.len() > 200);
    assert_eq!(d.app.selected, 0);
    assert_eq!(d.app.offset, 0);
    let lines = text_lines(&d.buffer_as_is());
    let first = lines
        .iter()
        .find(|l| l.contains("> "))
        .expect("a selected row");
    assert!(
        first.contains("A00001"),
        "first row selected:\n{}",
        lines.join("\n")
    );
}

#[test]
fn selection_stays_visible_after_clearing_a_filter() {
    let (_dir, s) = big_store();
    let mut d = Driver::new(s, options(Theme::colored()));
    d.app.resize(80, 24);
    d.keys("/");
    d.type_text("A00450");
    d.keys("enter");
    assert_eq!(d.app.selected_row().unwrap().name, "A00450 X");
    d.keys("esc");
    assert!(d.app.filter.query.is_empty());
    assert_eq!(d.app.selected_row().unwrap().name, "A00450 X");
    let lines = text_lines(&d.buffer_as_is()).join("\n");
    assert!(lines.contains("> A00450"), "selection visible:\n{lines}");
    // And while a filter is typed and erased without accepting.
    d.keys("/");
    d.type_text("A0049");
    d.keys("j j");
    d.keys("esc");
    let lines = text_lines(&d.buffer_as_is()).join("\n");
    let name = d.app.selected_row().unwrap().name.to_owned();
    let short: String = name.chars().take(6).collect();
    assert!(
        lines.contains(&format!("> {short}")),
        "selection visible:\n{lines}"
    );
}

#[test]
fn resume_repaints_at_the_new_size_and_keys_still_work() {
    // What the loop does after ctrl-z and fg (or SIGCONT): a resize to the current size and a
    // full redraw; the app must take keys afterwards as before.
    let (_dir, mut d) = online();
    d.app.dirty = false;
    d.keys("ctrl-z");
    d.app.resize(100, 30);
    assert!(d.app.dirty, "a repaint is due");
    let lines = text_lines(&d.buffer_as_is());
    assert_eq!(lines.len(), 30);
    assert!(
        lines[0].starts_with('┏'),
        "borders drawn:\n{}",
        lines.join("\n")
    );
    d.keys("j");
    assert_eq!(d.app.selected, 1);
}
