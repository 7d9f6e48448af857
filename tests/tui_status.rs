//! The status bar (issue #11): the location always said, offline and an error before the
//! counters, a failed pull said with its time (Israel time) until a pull succeeds, which also
//! clears the pull's error. Snapshots of the bar at 80 and 160 columns (on 24 and 48 rows).

use crate::tui_support::*;
use bmby_ghl::sync::{PullSummary, SyncEvent};
use bmby_ghl::tui::{Driver, Theme};

/// The bottom-but-one line (the status bar) at `cols`x`rows`.
fn bar(d: &mut Driver, cols: u16, rows: u16) -> String {
    let buf = d.buffer(cols, rows);
    assert_clean(&buf);
    let lines = text_lines(&buf);
    lines[rows as usize - 2].clone()
}

fn online_driver(label: &str) -> (tempfile::TempDir, Driver) {
    let (dir, s) = store();
    let mut o = options(Theme::colored());
    o.location_label = label.into();
    o.online = true;
    (dir, Driver::new(s, o))
}

fn pulled(d: &mut Driver) {
    d.event(SyncEvent::PullStarted { full: false });
    d.event(SyncEvent::PullFinished(PullSummary {
        full: false,
        fetched: 3,
        pages: 1,
        resumed: false,
        changed: 3,
    }));
}

/// The bar in each state, one line per state, at `cols`x`rows`.
fn states(cols: u16, rows: u16) -> String {
    let mut out = Vec::new();
    // Offline (no worker), the fixture's location.
    let (_dir, mut d) = driver();
    out.push(format!("offline:      {}", bar(&mut d, cols, rows)));
    // Offline with an error.
    d.app.status.error = Some("loading contact abc: GET /contacts/abc failed: 503".into());
    out.push(format!("offline+err:  {}", bar(&mut d, cols, rows)));

    // Online, a Hebrew (and hostile) location name.
    let (_dir2, mut d) =
        online_driver("נדל\"ן הצפון — סניף חיפה \u{1b}[31mRED\u{202e} (ve9EPM428h8vShlRW1KT)");
    out.push(format!("hebrew:       {}", bar(&mut d, cols, rows)));
    // A pull that fails: its error before the counters, and when it failed (the fixed clock's
    // 12:00Z is 14:00 in Israel).
    d.event(SyncEvent::PullStarted { full: false });
    d.event(SyncEvent::PullFailed {
        message: "POST /contacts/search failed: 502 Bad Gateway".into(),
    });
    out.push(format!("pull failed:  {}", bar(&mut d, cols, rows)));
    // The next pull succeeds: the error is gone, the age is back.
    pulled(&mut d);
    out.push(format!("pull again:   {}", bar(&mut d, cols, rows)));
    out.join("\n")
}

#[test]
fn status_bar_80x24() {
    let s = states(80, 24);
    // The location is there in every state, even with an error at 80 columns.
    for l in s.lines() {
        assert!(
            l.contains("Demo Realty") || l.contains("נדל\"ן הצפון"),
            "location shown:\n{l}"
        );
    }
    insta::assert_snapshot!(s);
}

#[test]
fn status_bar_160x48() {
    insta::assert_snapshot!(states(160, 48));
}

#[test]
fn error_and_offline_come_before_the_counters() {
    let (_dir, mut d) = driver();
    d.app.status.error = Some("custom fields: disk full".into());
    let b = bar(&mut d, 80, 24);
    let (off, err, counts) = (
        b.find("offline").expect("offline shown"),
        b.find("! custom").expect("error shown"),
        b.find("no changes").expect("counters shown"),
    );
    assert!(off < counts && err < counts, "{b}");
}

#[test]
fn a_failed_pull_says_when_in_israel_time_until_a_pull_succeeds() {
    let (_dir, mut d) = online_driver(LOCATION);
    d.event(SyncEvent::PullFailed {
        message: "GHL unreachable".into(),
    });
    let b = bar(&mut d, 160, 48);
    // NOW is 2025-01-01T12:00:00Z: 14:00 in Israel (winter, UTC+2).
    assert!(b.contains("last sync failed 14:00"), "{b}");
    assert!(!b.contains("synced 3 min ago"), "{b}");
    assert!(b.contains("! pull: GHL unreachable"), "{b}");
    pulled(&mut d);
    let b = bar(&mut d, 160, 48);
    assert!(!b.contains("failed"), "{b}");
    assert!(!b.contains('!'), "{b}");
    assert!(b.contains("synced 3 min ago"), "{b}");
    d.event(SyncEvent::Error {
        context: "loading contact abc".into(),
        message: "503".into(),
    });
    // Another error (not the pull's) is not cleared by a pull.
    pulled(&mut d);
    assert!(bar(&mut d, 160, 48).contains("! loading contact abc: 503"));
    // Nor one that came after a failed pull and replaced its error.
    d.event(SyncEvent::PullFailed {
        message: "GHL unreachable".into(),
    });
    d.event(SyncEvent::Error {
        context: "custom fields".into(),
        message: "disk full".into(),
    });
    pulled(&mut d);
    let b = bar(&mut d, 160, 48);
    assert!(b.contains("! custom fields: disk full"), "{b}");
    assert!(b.contains("synced 3 min ago"), "{b}");
}

#[test]
fn users_refreshed_with_a_pull_rename_owners_and_a_failure_is_said_once() {
    let (_dir, mut d) = online_driver(LOCATION);
    d.event(SyncEvent::UsersLoaded {
        count: Err("GET /users/ needs the users.readonly scope".into()),
    });
    // Routine news (it comes with a pull), not the answer to an action.
    let info = d.app.status.news.clone().expect("said");
    assert!(info.contains("users.readonly"), "{info}");
    d.app.status.news = None;
    d.event(SyncEvent::UsersLoaded {
        count: Err("GET /users/ needs the users.readonly scope".into()),
    });
    assert_eq!(d.app.status.news, None, "said once, not on every pull");
    // A pull never fails because of the users.
    assert!(d.app.status.error.is_none());
    // Refreshed: the app reads the names the worker cached.
    assert_eq!(d.app.users.display("u1"), "unknown user (id u1)");
    bmby_ghl::sync::ops::put_list(
        d.app.store(),
        bmby_ghl::sync::ops::ListKind::Users,
        &[bmby_ghl::domain::Named {
            id: "u1".into(),
            name: "Dana Levi".into(),
        }],
    )
    .unwrap();
    d.event(SyncEvent::UsersLoaded { count: Ok(1) });
    assert_eq!(d.app.users.display("u1"), "Dana Levi");
    assert_eq!(d.app.status.users_error, None);
}
