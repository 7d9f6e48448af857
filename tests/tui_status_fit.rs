//! The status bar gives a message the width first (a newcomer's finding 5): at 80 columns an
//! error was cut to 10–15 characters while `41 pending · 0 ✓ · 0 ✗ · 1 ●` and `API 95/100`
//! kept their full width, and at 60 columns the line was cut mid-number (`API 98/10`). Now
//! the counters shrink to a tiny form (`41p 1●`), then the budget, the counters and the rest
//! give way whole; a number is never cut, and a message still too long ends with `… (m)`.
//! Snapshots at 80x24, 60x20 and 160x48 with a long Hebrew error.

use crate::tui_support::*;
use bmby_ghl::ghl::ratelimit::RateBudget;
use bmby_ghl::tui::changes::Counts;
use bmby_ghl::tui::Driver;

const HEBREW_ERROR: &str =
    "שליחת שינוי 43 נכשלה: GHL החזיר 422 — השדה \"תקציב (ILS)\" חייב להיות מספר; \
                            journal entry 1 is already being reverted by change 43 (pending)";

/// The bottom-but-one line (the status bar) at `cols`x`rows`.
fn bar(d: &mut Driver, cols: u16, rows: u16) -> String {
    let buf = d.buffer(cols, rows);
    assert_clean(&buf);
    text_lines(&buf)[rows as usize - 2].trim_end().to_owned()
}

/// A driver as in the demo: 41 pending changes, one applied, the API budget known.
fn demo_like() -> (tempfile::TempDir, Driver) {
    let (dir, mut d) = driver();
    d.app.online = true;
    d.app.changes.loaded = true;
    d.app.changes.counts = Counts {
        pending: 41,
        applied: 1,
        ..Counts::default()
    };
    d.app.status.rate = Some(RateBudget {
        max: Some(100),
        remaining: Some(95),
        ..RateBudget::default()
    });
    (dir, d)
}

/// No number is cut: every `API` segment reads `N/100`, the counters are whole.
fn numbers_whole(b: &str) {
    if let Some(i) = b.find("API ") {
        let rest = &b[i + 4..];
        let seg = rest.split(" │").next().unwrap();
        assert!(seg.ends_with("/100"), "the budget was cut: {b}");
    }
    assert!(
        !b.contains("4…") && !b.contains("1…"),
        "a number was cut: {b}"
    );
}

fn states(cols: u16, rows: u16) -> String {
    let mut out = Vec::new();
    let (_dir, mut d) = demo_like();
    let b = bar(&mut d, cols, rows);
    numbers_whole(&b);
    out.push(format!("quiet:    {b}"));
    d.app.status.error =
        Some("journal entry 1 is already being reverted by change 43 (pending)".into());
    let b = bar(&mut d, cols, rows);
    numbers_whole(&b);
    out.push(format!("error:    {b}"));
    d.app.status.error = Some(HEBREW_ERROR.into());
    let b = bar(&mut d, cols, rows);
    numbers_whole(&b);
    assert!(b.contains("שליחת שינוי 43"), "{b}");
    if b.contains('…') {
        assert!(b.contains("… (m)"), "cut without the key: {b}");
    }
    out.push(format!("hebrew:   {b}"));
    d.app.status.error = None;
    d.app.status.info = Some("proposed change #48: Address city → Haifa (pending)".into());
    let b = bar(&mut d, cols, rows);
    numbers_whole(&b);
    out.push(format!("info:     {b}"));
    out.join("\n")
}

#[test]
fn an_error_gets_the_width_first_80x24() {
    let s = states(80, 24);
    let err = s.lines().find(|l| l.starts_with("error:")).unwrap();
    // The whole error fits at 80 columns next to the location and the tiny counters.
    assert!(
        err.contains("already being reverted by change 43 (pending)"),
        "{err}"
    );
    // The counters gave way whole (never cut) for the error.
    assert!(!err.contains("41"), "{err}");
    insta::assert_snapshot!(s);
}

#[test]
fn an_error_gets_the_width_first_60x20() {
    let s = states(60, 20);
    for l in s.lines() {
        assert!(l.contains("Demo Realty"), "the location stays: {l}");
    }
    let heb = s.lines().find(|l| l.starts_with("hebrew:")).unwrap();
    assert!(heb.ends_with("… (m)"), "{heb}");
    insta::assert_snapshot!(s);
}

#[test]
fn an_error_gets_the_width_first_160x48() {
    let s = states(160, 48);
    let quiet = s.lines().find(|l| l.starts_with("quiet:")).unwrap();
    assert!(
        quiet.contains("changes 41 pending"),
        "wide: the full counters: {quiet}"
    );
    assert!(quiet.contains("API 95/100"), "{quiet}");
    insta::assert_snapshot!(s);
}

/// Even with no message, a narrow bar drops the budget whole rather than cutting it.
#[test]
fn a_narrow_bar_never_cuts_a_number() {
    let (_dir, mut d) = demo_like();
    d.app.changes.counts.approved = 12;
    d.app.changes.counts.rejected = 3;
    d.app.changes.counts.applied = 48;
    for cols in 30..=100u16 {
        let b = bar(&mut d, cols, 20);
        numbers_whole(&b);
        assert!(bmby_ghl::tui::text::width(&b) <= cols as usize, "{b}");
    }
}

/// A pull's summary (routine news, every 10 s in the demo) takes what is left at 80 columns and
/// is cut: the full counters and the budget stay, so they do not shrink and grow back with every
/// pull (found trying the demo after the change above).
#[test]
fn routine_news_does_not_shrink_the_counters_80x24() {
    let (_dir, mut d) = demo_like();
    d.app.status.news =
        Some("incremental pull: 1 contact in 1 page, 104 already up to date".into());
    let b = bar(&mut d, 80, 24);
    numbers_whole(&b);
    assert!(b.contains("41 pending"), "{b}");
    assert!(b.contains("API 95/100"), "{b}");
    assert!(
        b.contains("incremental pull") && b.ends_with("… (m)"),
        "{b}"
    );
    // An error still gets the width first.
    d.app.status.error =
        Some("journal entry 1 is already being reverted by change 43 (pending)".into());
    let b = bar(&mut d, 80, 24);
    assert!(!b.contains("41 pending"), "{b}");
}
