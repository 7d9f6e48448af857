//! Snapshots of the changes screen (TestBackend): Hebrew on both sides of the diff, a long
//! value that wraps, a create, a delete, an ambiguous change with candidates, warnings,
//! NO_COLOR, the editor and the confirmation.
use crate::tui_support;

use crate::tui_changes_support::*;
use bmby_ghl::tui::{Driver, Theme};
use ratatui::style::{Color, Modifier};

#[test]
fn hebrew_update_80x24() {
    let (_dir, mut d) = driver();
    let s = screen(&mut d, 80, 24);
    // Hebrew stays in logical order, on both sides.
    assert!(s.contains("כהן-לוי"), "{s}");
    assert!(s.contains("ירושלים") && s.contains("תל אביב"), "{s}");
    insta::assert_snapshot!(s);
}

#[test]
fn hebrew_update_160x48() {
    let (_dir, mut d) = driver();
    let s = screen(&mut d, 160, 48);
    insta::assert_snapshot!(s);
}

#[test]
fn long_value_wraps_and_nothing_is_cut() {
    let (_dir, mut d) = driver();
    for (w, h) in [(80, 40), (160, 48), (100, 40)] {
        let text: String = lines(&mut d, w, h)
            .iter()
            .map(|l| {
                // The proposed column: after the second separator of each table row.
                l.split('│').nth(3).unwrap_or("").to_owned()
            })
            .collect::<Vec<_>>()
            .join(" ");
        let joined: String = text
            .split_whitespace()
            .filter(|w| *w != "+")
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            joined.contains(LONG_ADDRESS),
            "{w}x{h}: the whole address is shown, wrapped:\n{joined}"
        );
    }
}

#[test]
fn diff_columns_stay_aligned_with_hebrew() {
    let (_dir, mut d) = driver();
    let l = lines(&mut d, 80, 24);
    let cols: Vec<Vec<usize>> = l
        .iter()
        .filter(|l| l.matches(" │ ").count() == 2)
        .map(|l| {
            // Display column of each separator.
            let mut out = Vec::new();
            let mut col = 0;
            for c in l.chars() {
                if c == '│' && col > 2 {
                    out.push(col);
                }
                col += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
            }
            out
        })
        .collect();
    assert!(cols.len() >= 5, "{l:#?}");
    assert!(cols.windows(2).all(|w| w[0] == w[1]), "{cols:?}");
}

#[test]
fn create_delete_ambiguous_80x24() {
    let (_dir, mut d) = driver();
    d.keys("j");
    insta::assert_snapshot!("create_80x24", screen(&mut d, 80, 24));
    d.keys("j");
    insta::assert_snapshot!("delete_80x24", screen(&mut d, 80, 24));
    d.keys("j");
    let s = screen(&mut d, 80, 24);
    insta::assert_snapshot!("ambiguous_80x24", s);
    assert!(s.contains("1-9 choose"), "footer offers the digits: {s}");
}

#[test]
fn ambiguous_candidates_in_the_diff() {
    let (_dir, mut d) = driver();
    d.keys("j j j");
    let s = screen(&mut d, 160, 48);
    assert!(
        s.contains("1  מיכל לוי · c00michal00000000006 · matched on email"),
        "{s}"
    );
    assert!(
        s.contains("2  Dana Levi · c00dana0000000000003 · matched on phone"),
        "{s}"
    );
    insta::assert_snapshot!("ambiguous_160x48", s);
}

#[test]
fn no_color_uses_markers() {
    let (_dir, mut d) = driver_with(Theme::no_color());
    let t = d.render(80, 24);
    let buf = t.backend().buffer().clone();
    tui_support::assert_clean(&buf);
    for cell in buf.content() {
        assert!(
            matches!(cell.fg, Color::Reset) && matches!(cell.bg, Color::Reset),
            "no colours with NO_COLOR: {cell:?}"
        );
    }
    let l = tui_support::text_lines(&buf);
    let all = l.join("\n");
    assert!(all.contains("- כהן") && all.contains("+ כהן-לוי"), "{all}");
    assert!(
        all.contains("~ update") && all.contains(" pending"),
        "{all}"
    );
    // The selected change is reversed, with the marker.
    let y = l.iter().position(|s| s.contains("> ~ update")).unwrap() as u16;
    assert!(buf[(3u16, y)].modifier.contains(Modifier::REVERSED));
    insta::assert_snapshot!(format!("{}", t.backend()));
}

#[test]
fn diff_focus_edit_and_error_80x24() {
    let (_dir, mut d) = driver();
    d.keys("G tab j");
    assert_eq!(d.app.changes.field, 1);
    insta::assert_snapshot!("diff_focused_80x24", screen(&mut d, 80, 24));
    d.keys("e ctrl-u");
    d.type_text("dana@@nowhere");
    d.keys("enter");
    let s = screen(&mut d, 80, 24);
    assert!(s.contains("is not an email address"), "{s}");
    insta::assert_snapshot!("edit_error_80x24", s);
}

#[test]
fn confirm_names_how_many() {
    let (_dir, mut d) = driver();
    d.keys("A");
    let s = screen(&mut d, 80, 24);
    assert!(
        s.contains("Approve 4 shown changes? (1 ambiguous left alone"),
        "{s}"
    );
    insta::assert_snapshot!("confirm_80x24", s);
}

#[test]
fn first_frame_does_not_wait_for_changes() {
    let (_dir, s) = store();
    let (mut d, fx) = Driver::unstarted(s, tui_support::options(Theme::colored()));
    d.keys("c");
    let before = lines(&mut d, 80, 24).join("\n");
    assert!(before.contains("Loading changes…"), "{before}");
    assert!(before.contains("changes …"), "{before}");
    d.run(fx);
    let after = lines(&mut d, 80, 24).join("\n");
    assert!(after.contains("5 pending · 1 ✓ · 1 ✗"), "{after}");
}

#[test]
fn hostile_values_never_leak_at_any_size() {
    let (_dir, mut d) = driver();
    d.keys("s s s"); // all
    for _ in 0..8 {
        for (w, h) in [(80, 24), (160, 48), (50, 16), (30, 10), (1, 1), (140, 20)] {
            let t = d.render(w, h);
            tui_support::assert_clean(t.backend().buffer());
        }
        d.keys("j");
    }
    d.keys("g j j j j j"); // the rejected Eve change
    let all = lines(&mut d, 160, 48).join("\n");
    assert!(all.contains("Eve Evil"), "{all}");
    assert!(!all.contains("pwned"), "{all}");
}

#[test]
fn narrow_shows_one_pane() {
    let (_dir, mut d) = driver();
    insta::assert_snapshot!("narrow_list", screen(&mut d, 50, 16));
    d.keys("tab");
    insta::assert_snapshot!("narrow_diff", screen(&mut d, 50, 16));
}

#[test]
fn short_diff_gives_the_list_more_rows_at_80x24() {
    let (_dir, mut d) = driver();
    d.keys("j"); // the create: a short diff
    let l = lines(&mut d, 80, 24);
    let diff_top = l.iter().position(|x| x.contains("Diff #2")).unwrap();
    // The list pane spans the rows above the diff: at least 8 change rows fit.
    assert!(diff_top >= 11, "list pane too short:\n{}", l.join("\n"));
    // The whole diff is shown, with no empty rows at its bottom.
    let s = l.join("\n");
    assert!(s.contains("+ +972507654321"), "{s}");
    assert!(
        !l[diff_top + 1..21]
            .iter()
            .any(|r| r.trim_matches(|c| c == '│' || c == ' ').is_empty()),
        "{s}"
    );
}

/// GHL changed the contact after the diff (the cache is newer than the change's base): the
/// diff says so and shows GHL's values as cached; the stored change is untouched.
#[test]
fn a_contact_changed_in_ghl_since_the_diff_is_flagged() {
    let (dir, s) = store();
    let mut c = s.change(1).unwrap().unwrap();
    c.base_date_updated = Some("2024-12-01T10:00:00.000Z".into());
    c.fields[1].ghl_now = Some("a city GHL no longer has".into());
    s.put_change(&c).unwrap();
    let mut d = Driver::new(s, tui_support::options(Theme::colored()));
    d.keys("c");
    let out = screen(&mut d, 80, 24);
    assert!(out.contains("GHL changed this contact"), "{out}");
    assert!(!out.contains("a city GHL no longer has"), "{out}");
    insta::assert_snapshot!("ghl_changed_since_80x24", out);
    assert_eq!(stored(&d, 1), c, "display only");
    drop(dir);
}
