//! Snapshots of the screen (TestBackend) with English, Hebrew, CJK, emoji and hostile data.

use crate::tui_support::*;
use bmby_ghl::tui::{Driver, Pane, Theme};
use ratatui::style::Color;

fn snap(d: &mut Driver, w: u16, h: u16) -> String {
    let t = d.render(w, h);
    assert_clean(t.backend().buffer());
    format!("{}", t.backend())
}

#[test]
fn main_screen_80x24() {
    let (_dir, mut d) = driver();
    insta::assert_snapshot!(snap(&mut d, 80, 24));
}

#[test]
fn main_screen_160x48() {
    let (_dir, mut d) = driver();
    insta::assert_snapshot!(snap(&mut d, 160, 48));
}

#[test]
fn narrow_shows_one_pane_and_tab_switches() {
    let (_dir, mut d) = driver();
    insta::assert_snapshot!("narrow_contacts", snap(&mut d, 50, 16));
    d.keys("tab");
    assert_eq!(d.app.focus, Pane::Details);
    insta::assert_snapshot!("narrow_details", snap(&mut d, 50, 16));
}

#[test]
fn help_screen() {
    let (_dir, mut d) = driver();
    d.keys("?");
    insta::assert_snapshot!("help_top", snap(&mut d, 80, 24));
    d.keys("G");
    insta::assert_snapshot!("help_bottom", snap(&mut d, 80, 24));
    d.keys("esc");
    assert!(d.app.help.is_none());
}

#[test]
fn filter_with_hebrew_query() {
    let (_dir, mut d) = driver();
    d.keys("/");
    d.type_text("כה");
    assert_eq!(d.app.view.len(), 1, "only יוסי כהן matches");
    assert_eq!(d.app.selected_row().unwrap().name, "יוסי כהן");
    insta::assert_snapshot!(snap(&mut d, 80, 24));
}

#[test]
fn activity_tabs_and_raw_json() {
    let (_dir, mut d) = driver();
    d.keys("tab tab ]");
    insta::assert_snapshot!("notes_tab", snap(&mut d, 80, 24));
    d.keys("] shift-tab v");
    insta::assert_snapshot!("appointments_raw_json", snap(&mut d, 160, 48));
}

#[test]
fn hostile_rows_selected_never_leak() {
    let (_dir, mut d) = driver();
    // Walk over every contact, at several sizes, in both themes.
    for _ in 0..12 {
        for (w, h) in [
            (80, 24),
            (160, 48),
            (40, 12),
            (61, 20),
            (121, 30),
            (1, 1),
            (10, 3),
        ] {
            let t = d.render(w, h);
            assert_clean(t.backend().buffer());
        }
        d.keys("j");
    }
    let lines = text_lines(&d.buffer(160, 48));
    let all = lines.join("\n");
    assert!(
        all.contains("Eve Evil"),
        "OSC sequence removed whole:\n{all}"
    );
    assert!(!all.contains("pwned"));
    assert!(all.contains("abcfed"));
}

#[test]
fn no_color_mode_keeps_selection_visible() {
    let (_dir, s) = store();
    let mut d = Driver::new(s, options(Theme::no_color()));
    let t = d.render(80, 24);
    let buf = t.backend().buffer().clone();
    assert_clean(&buf);
    for cell in buf.content() {
        assert!(
            matches!(cell.fg, Color::Reset) && matches!(cell.bg, Color::Reset),
            "no colours with NO_COLOR: {cell:?}"
        );
    }
    let lines = text_lines(&buf);
    let sel = lines
        .iter()
        .find(|l| l.contains("> Aaron"))
        .expect("selected row drawn");
    assert!(sel.contains("> Aaron"), "marker visible: {sel}");
    // The selected row is drawn reversed.
    let y = lines.iter().position(|l| l == sel).unwrap() as u16;
    let cell = &buf[(3u16, y)];
    assert!(cell.modifier.contains(ratatui::style::Modifier::REVERSED));
    insta::assert_snapshot!(format!("{}", t.backend()));
}

#[test]
fn keymap_problem_shows_notice_and_starts() {
    let (_dir, s) = store();
    let mut o = options(Theme::colored());
    let (km, diags) = bmby_ghl::tui::Keymap::with_user_text(
        "[keys.global]\n\"q\" = \"app.quit\"\n\"x\" = \"app.explode\"\n",
        "/home/u/.config/bmby-ghl/keymap.toml",
    );
    o.keymap = km;
    o.keymap_diagnostics = diags;
    let mut d = Driver::new(s, o);
    let screen = snap(&mut d, 80, 24);
    assert!(screen.contains("keymap.toml:3"), "{screen}");
    insta::assert_snapshot!(screen);
    d.keys("x"); // any key closes the notice
    assert!(d.app.notice.is_none());
}

#[test]
fn long_status_messages_are_shortened_and_readable_in_full() {
    let (_dir, mut d) = driver();
    let long = "change 33 (משה כהן) matches several GHL contacts: pick one on the changes screen \
                and the rest of this very long message goes here \u{1b}[31m";
    d.app.status.error = Some(long.into());
    d.app.status.info =
        Some("pulling contacts: POST https://services.example/contacts/search failed: 502".into());
    d.run(Vec::new());
    let buf = d.buffer(80, 24);
    assert_clean(&buf);
    let lines = text_lines(&buf);
    let bar = &lines[22];
    assert!(bar.contains("! change 33"), "error shown:\n{bar}");
    assert!(bar.contains("… (m)"), "truncation hint:\n{bar}");
    // The error outranks the info at 80 columns: the info gives its place (it is in the log)
    // and the error keeps enough words to read.
    assert!(!bar.contains("pulling"), "the info gave way:\n{bar}");
    assert!(bar.contains("matches sev"), "the error is readable:\n{bar}");
    d.keys("m");
    assert!(d.app.messages_open.is_some());
    let buf = d.buffer(80, 24);
    assert_clean(&buf);
    let all = text_lines(&buf).join("\n");
    assert!(all.contains("Messages"), "{all}");
    assert!(
        all.contains("and the rest of this very long"),
        "wrapped in full:\n{all}"
    );
    assert!(all.contains("502"), "{all}");
    // Newest first: the info was noted after the error.
    let info_at = all.find("pulling contacts").unwrap();
    let err_at = all.find("! change 33").unwrap();
    assert!(info_at < err_at, "newest first:\n{all}");
    d.keys("j");
    d.keys("esc");
    assert!(d.app.messages_open.is_none());
    // The log keeps the last 50.
    for i in 0..60 {
        d.app.status.info = Some(format!("message {i}"));
        d.run(Vec::new());
    }
    assert_eq!(d.app.messages.len(), 50);
    assert_eq!(d.app.messages[0], "message 59");
}

#[test]
fn zwj_emoji_sequences_have_a_predictable_width() {
    let (_dir, s) = store();
    s.put_contacts(&[contact(
        "c00zfam0000000000099",
        "Zoe 👨\u{200d}👩\u{200d}👧",
        "Family ❤\u{fe0f}",
        "fam👨\u{200d}👩\u{200d}👧@example.com",
        "",
        &["☺\u{fe0e}"],
    )])
    .unwrap();
    let mut d = Driver::new(s, options(Theme::colored()));
    for (w, h) in [(80u16, 24u16), (160, 48), (50, 16)] {
        let buf = d.buffer(w, h);
        assert_clean(&buf);
        for c in buf.content() {
            assert!(
                !c.symbol().contains(['\u{200d}', '\u{fe0f}', '\u{fe0e}']),
                "joiner or variation selector drawn"
            );
        }
        let lines = text_lines(&buf);
        let row = lines
            .iter()
            .find(|l| l.contains("Zoe 👨👩👧"))
            .unwrap_or_else(|| panic!("family row shown:\n{}", lines.join("\n")));
        assert_eq!(
            unicode_width::UnicodeWidthStr::width(row.as_str()),
            w as usize,
            "row width equals the screen width: {row:?}"
        );
    }
    // Display only: the stored name keeps the joiners.
    let row = d
        .app
        .view
        .row(d.app.selected)
        .map(|r| r.name.to_owned())
        .unwrap();
    let stored = (0..d.app.view.len())
        .filter_map(|i| d.app.view.row(i))
        .find(|r| r.id == "c00zfam0000000000099")
        .unwrap();
    assert!(stored.name.contains('\u{200d}'), "{row} / {}", stored.name);
}
