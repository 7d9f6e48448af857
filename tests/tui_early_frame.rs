//! The early frame (issue 14): drawn from the list snapshot's head before the cache opens,
//! at 80x24 and 120x40, with Hebrew, wide and hostile text sanitized.

use bmby_ghl::domain::Contact;
use bmby_ghl::store::list_snapshot::read_head;
use bmby_ghl::store::Store;
use bmby_ghl::tui::early_view::render_early;
use bmby_ghl::tui::Theme;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

fn frame(w: u16, h: u16) -> String {
    frame_as(w, h, false)
}

fn frame_as(w: u16, h: u16, upgrading: bool) -> String {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path(), "loc1").unwrap();
    let names = [
        ("יצחק", "כהן"),
        ("Dana", "Levi"),
        ("王", "小明"),
        ("Evil\u{1b}[31m", "Name\u{7}"),
        ("Zoe", "\u{202e}dlrow"),
    ];
    let cs: Vec<Contact> = (0..10)
        .map(|i| {
            let (f, l) = names[i % names.len()];
            Contact {
                id: format!("c{i:03}"),
                first_name: Some(f.into()),
                last_name: Some(format!("{l} {i}")),
                email: Some(format!("user{i}@example.com")),
                phone: Some(format!("+97254{i:07}")),
                ..Default::default()
            }
        })
        .collect();
    s.put_contacts(&cs).unwrap();
    s.contact_list().unwrap(); // writes the snapshot
    let head = read_head(&s.list_snapshot_path()).unwrap();
    assert_eq!(head.count, 10);
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| {
        render_early(
            "Demo Realty (loc1)",
            &head,
            upgrading,
            &Theme::no_color(),
            f,
        )
    })
    .unwrap();
    let out = format!("{}", t.backend());
    assert!(
        !out.contains('\u{1b}') && !out.contains('\u{7}'),
        "sanitized"
    );
    if upgrading {
        assert!(
            out.contains("10 contacts · upgrading the cache once"),
            "{out}"
        );
    } else {
        assert!(out.contains("10 contacts · opening the cache…"), "{out}");
    }
    out
}

#[test]
fn early_frame_80x24() {
    insta::assert_snapshot!("early_80x24", frame(80, 24));
}

#[test]
fn early_frame_120x40() {
    insta::assert_snapshot!("early_120x40", frame(120, 40));
}

/// A cache last opened by a bmby-ghl before layout 6 is migrated at this open (a minute at a
/// million contacts): the early frame says so instead of "opening".
#[test]
fn early_frame_while_upgrading_80x24() {
    insta::assert_snapshot!("early_upgrading_80x24", frame_as(80, 24, true));
}

/// The hint is the open lock's absence: a cache this version opened has it.
#[test]
fn upgrade_is_likely_only_for_a_cache_an_older_version_left() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.sled");
    assert!(!bmby_ghl::store::upgrade_likely(&path), "no cache yet");
    std::fs::create_dir_all(&path).unwrap();
    assert!(
        bmby_ghl::store::upgrade_likely(&path),
        "a cache without the lock"
    );
    drop(bmby_ghl::store::Store::open_path(&path).unwrap());
    assert!(
        !bmby_ghl::store::upgrade_likely(&path),
        "opened by this version"
    );
}
