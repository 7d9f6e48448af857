//! A newcomer's findings in the TUI (tmux, 80x24 and 60x20): the messages (`m`) say when each
//! message was said (Israel time) and fold a repeated pull summary into one line (`×3`), so an
//! import problem is not buried; a copied URL is shown whole (wrapped, not cut); the hint of an
//! empty contacts list is wrapped; the activity pane's footer names both tab keys (`[/] tab`);
//! the help explains the lookup order first, wrapped at 60 columns.

use crate::tui_support::*;
use bmby_ghl::store::Store;
use bmby_ghl::sync::{PullSummary, SyncEvent};
use bmby_ghl::tui::app::Pane;
use bmby_ghl::tui::{Clock, Driver, Theme};

fn screen(d: &mut Driver, w: u16, h: u16) -> String {
    let buf = d.buffer(w, h);
    assert_clean(&buf);
    text_lines(&buf).join("\n")
}

fn snap(d: &mut Driver, w: u16, h: u16) -> String {
    let t = d.render(w, h);
    assert_clean(t.backend().buffer());
    format!("{}", t.backend())
}

fn quiet_pull() -> SyncEvent {
    SyncEvent::PullFinished(PullSummary {
        full: false,
        fetched: 0,
        pages: 1,
        resumed: false,
        changed: 0,
    })
}

#[test]
fn messages_have_times_fold_repeats_and_wrap_a_copied_url() {
    let (_dir, mut d) = driver();
    let t0: jiff::Timestamp = NOW.parse().unwrap();
    // An import problem, then the same pull summary three times, 10 s apart.
    d.app.status.pinned = Some("import: 1 problem (m)".into());
    d.app.status.error = Some("import bmby.csv: row 7: phone \"05x\" is not a phone number".into());
    d.run(Vec::new());
    for i in 1..=3 {
        d.app.clock = Clock::Fixed(t0 + jiff::SignedDuration::from_secs(10 * i));
        d.event(quiet_pull());
    }
    // `y` on the list copies the contact's GHL address: the status says it whole.
    d.app.clock = Clock::Fixed(t0 + jiff::SignedDuration::from_secs(45));
    d.keys("y");
    let url = "https://app.gohighlevel.com/v2/location/ve9EPM428h8vShlRW1KT/contacts/detail/";
    assert!(
        d.app
            .status
            .info
            .as_deref()
            .unwrap_or_default()
            .contains(url),
        "{:?}",
        d.app.status.info
    );
    d.keys("m");
    let s = screen(&mut d, 80, 24);
    // The pull summary once, counted; the error still on the first page.
    assert_eq!(s.matches("incremental pull").count(), 1, "{s}");
    assert!(s.contains("×3"), "{s}");
    assert!(s.contains("row 7: phone"), "{s}");
    // Israel time (UTC+2 in January): 12:00:30Z is 14:00:30.
    assert!(s.contains("14:00:30 incremental pull"), "{s}");
    assert!(s.contains("14:00:00 ! import bmby.csv"), "{s}");
    // The URL whole, across lines (never cut with `…`).
    let popup: Vec<&str> = s.lines().take(22).collect();
    let joined: String = popup
        .iter()
        .map(|l| l.trim_matches(|c: char| c == '│' || c == '┃' || c == ' '))
        .collect();
    assert!(
        joined.contains(&format!("{url}c00aaron000000000001")),
        "{s}"
    );
    assert!(!popup.join("\n").contains('…'), "{s}");
    insta::assert_snapshot!("messages_80x24", snap(&mut d, 80, 24));
    insta::assert_snapshot!("messages_60x20", snap(&mut d, 60, 20));
}

#[test]
fn the_empty_list_hint_is_wrapped_not_cut() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path(), "ve9EPM428h8vShlRW1KT").unwrap();
    let mut d = Driver::new(s, options(Theme::colored()));
    let text = screen(&mut d, 80, 24);
    let joined: String = text
        .lines()
        .map(|l| l.split('┃').nth(1).unwrap_or("").trim().to_owned())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        joined.contains("No contacts in the cache yet. Press r to sync."),
        "{text}"
    );
}

#[test]
fn the_activity_footer_names_both_tab_keys() {
    let (_dir, mut d) = driver();
    d.app.focus = Pane::Activity;
    let hints = bmby_ghl::tui::help::hints(&d.app);
    assert_eq!(hints[0], ("[/]".to_owned(), "tab"), "{hints:?}");
    for (w, h) in [(80u16, 24u16), (60, 20), (160, 48)] {
        let s = screen(&mut d, w, h);
        let last = s.lines().last().unwrap();
        assert!(last.starts_with("[/] tab"), "{w}x{h}: {last}");
    }
}

#[test]
fn help_explains_first_and_wraps_at_60_columns() {
    let (_dir, mut d) = driver();
    d.keys("?");
    let s = screen(&mut d, 60, 20);
    let lines: Vec<&str> = s.lines().collect();
    // Inside the box: the explanation first, whole, then ctrl-c.
    assert!(
        lines[1].contains("Keys are looked up in the focused pane's"),
        "{s}"
    );
    assert!(lines[2].contains("Everywhere."), "{s}");
    assert!(lines[3].contains("ctrl-c"), "{s}");
    insta::assert_snapshot!("help_60x20", snap(&mut d, 60, 20));
}
