//! The status bar's messages by priority (error > the user's own action > a pinned notice >
//! routine news), read by one fitting rule at any width: every piece is said once (never
//! `offline` twice), the most important message fits, a lower one gives way whole rather
//! than being cut, and an error clears on the next action that succeeds or after a minute.

use crate::tui_support::*;
use bmby_ghl::sync::{PullSummary, SyncEvent};
use bmby_ghl::tui::status_msgs::ERROR_SHOWN_FOR;
use bmby_ghl::tui::{Clock, Driver};

const NOTICE: &str = "import: 1 problem (m)";

/// The bottom-but-one line (the status bar) at `cols`x`rows`.
fn bar(d: &mut Driver, cols: u16, rows: u16) -> String {
    let buf = d.buffer(cols, rows);
    assert_clean(&buf);
    text_lines(&buf)[rows as usize - 2].trim_end().to_owned()
}

fn pull_summary() -> SyncEvent {
    SyncEvent::PullFinished(PullSummary {
        full: false,
        fetched: 12,
        pages: 1,
        resumed: false,
        changed: 12,
    })
}

/// A driver whose bar carries the import notice, as after an import with one problem.
fn with_notice() -> (tempfile::TempDir, Driver) {
    let (dir, mut d) = driver();
    d.app.status.pinned = Some(NOTICE.into());
    (dir, d)
}

/// The notice is said whole or not at all: never cut to `import: 1 p… (m)`.
fn notice_whole_or_absent(bar: &str) {
    assert!(
        bar.contains(NOTICE) || !bar.contains("import"),
        "the notice was cut: {bar}"
    );
}

fn states(cols: u16, rows: u16) -> String {
    let mut out = Vec::new();
    // Offline with the notice: it fits whole.
    let (_dir, mut d) = with_notice();
    let b = bar(&mut d, cols, rows);
    assert!(b.contains(NOTICE), "{b}");
    out.push(format!("notice:        {b}"));
    // `r` offline: the answer does not say `offline` a second time.
    let t0 = d.app.now();
    d.app.clock = Clock::Fixed(t0);
    d.keys("r");
    let b = bar(&mut d, cols, rows);
    assert_eq!(b.matches("offline").count(), 1, "offline said twice: {b}");
    assert!(b.contains("no sync worker"), "{b}");
    notice_whole_or_absent(&b);
    out.push(format!("own+notice:    {b}"));
    // Routine news right after the user's action does not take its answer away.
    d.event(pull_summary());
    let b = bar(&mut d, cols, rows);
    assert!(
        b.contains("no sync worker"),
        "the own news stays a moment: {b}"
    );
    // Later news replaces it, and gives way to the notice.
    d.app.clock = Clock::Fixed(t0 + bmby_ghl::tui::status_msgs::OWN_NEWS_KEPT);
    d.event(pull_summary());
    let b = bar(&mut d, cols, rows);
    assert!(b.contains(NOTICE), "{b}");
    assert!(!b.contains("no sync worker"), "news replaces the info: {b}");
    out.push(format!("news+notice:   {b}"));
    // An error outranks everything: it fits (cut with `… (m)` only when it alone is too
    // long), the notice whole or not at all.
    d.app.status.error = Some("loading contact abc: GET /contacts/abc failed: 503".into());
    let b = bar(&mut d, cols, rows);
    assert!(b.contains("! loading contact"), "{b}");
    notice_whole_or_absent(&b);
    assert!(b.matches('…').count() <= 1, "more than one piece cut: {b}");
    out.push(format!("error+all:     {b}"));
    // A long error alone is cut, ending with the key that shows it all.
    d.app.status.pinned = None;
    d.app.status.news = None;
    d.app.status.error = Some(format!("sending #12: {}", "GHL said no ".repeat(12)));
    let b = bar(&mut d, cols, rows);
    assert!(b.contains("! sending #12"), "{b}");
    out.push(format!("long error:    {b}"));
    out.join("\n")
}

#[test]
fn one_rule_reads_the_priorities_80x24() {
    insta::assert_snapshot!(states(80, 24));
}

#[test]
fn one_rule_reads_the_priorities_160x48() {
    let s = states(160, 48);
    // Wide enough: the notice and the news both, once each.
    let news = s.lines().find(|l| l.starts_with("news+notice")).unwrap();
    assert!(news.contains("incremental pull: 12 contacts"), "{news}");
    insta::assert_snapshot!(s);
}

/// The user's own action that succeeds clears an error left from before (an attached client
/// kept `setup is not av…` for ever), and the news of a pull does not.
#[test]
fn an_error_clears_on_the_next_action_that_succeeds() {
    let (_dir, mut d) = driver();
    d.app.status.error = Some("setup: setup is not available here".into());
    d.app.note_messages();
    d.event(pull_summary());
    assert!(
        d.app.status.error.is_some(),
        "routine news cleared the error"
    );
    d.keys("s");
    assert_eq!(d.app.status.error, None);
    assert!(d
        .app
        .status
        .info
        .as_deref()
        .unwrap_or_default()
        .starts_with("sorted by"));
    // The error is still in the messages.
    assert!(d
        .app
        .messages
        .iter()
        .any(|m| m.contains("setup is not available")));
}

/// An error nothing replaces clears after [`ERROR_SHOWN_FOR`] (the session's tick asks).
#[test]
fn an_error_clears_after_a_minute() {
    let (_dir, mut d) = driver();
    d.app.status.error = Some("setup: setup is not available here".into());
    d.app.note_messages();
    let t0: jiff::Timestamp = NOW.parse().unwrap();
    d.app.clock = Clock::Fixed(t0 + jiff::SignedDuration::from_secs(30));
    assert!(!d.app.expire_messages());
    assert!(bar(&mut d, 80, 24).contains("setup is not"));
    d.app.clock = Clock::Fixed(t0 + ERROR_SHOWN_FOR);
    assert!(d.app.expire_messages());
    assert!(!bar(&mut d, 80, 24).contains("setup is not"));
}
