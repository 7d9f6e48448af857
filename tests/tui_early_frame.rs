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
    t.draw(|f| render_early("Demo Realty (loc1)", &head, &Theme::no_color(), f))
        .unwrap();
    let out = format!("{}", t.backend());
    assert!(
        !out.contains('\u{1b}') && !out.contains('\u{7}'),
        "sanitized"
    );
    assert!(out.contains("10 contacts · opening the cache…"));
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
