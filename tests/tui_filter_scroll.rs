//! A long filter query keeps its end and the cursor in view (the line scrolls left as it
//! grows) at 80x24 and 160x48: English, Hebrew and wide (CJK) text, on the contacts and the
//! changes screens. Before, the line kept the query's start and the cursor left the screen
//! after about 33 characters at 80 columns.
use crate::tui_changes_support;

use crate::tui_support::*;
use bmby_ghl::tui::text;

/// The filter line of the contacts pane (the line starting `│/ `).
fn filter_line(d: &mut bmby_ghl::tui::Driver, w: u16, h: u16) -> String {
    let buf = d.buffer(w, h);
    assert_clean(&buf);
    text_lines(&buf)
        .into_iter()
        .find(|l| l.starts_with("│/ ") || l.starts_with("┃/ "))
        .unwrap_or_else(|| panic!("no filter line"))
}

fn shows_the_end(query: &str, end: &str, snap_name: &str) {
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let (_dir, mut d) = driver();
        d.keys("/");
        d.type_text(query);
        let line = filter_line(&mut d, w, h);
        assert!(
            line.contains(&format!("{end}█")),
            "the cursor and the end of the query at {w}x{h}: {line}"
        );
        if text::width(query) > 70 || w == 80 {
            assert!(line.contains("/ …"), "scrolled, said with …: {line}");
        }
        if w == 80 {
            let t = d.render(w, h);
            assert_clean(t.backend().buffer());
            insta::assert_snapshot!(snap_name, format!("{}", t.backend()));
        }
        // Accepted (enter), the line shows the query's start again.
        d.keys("enter");
        let line = filter_line(&mut d, w, h);
        assert!(!line.contains('█'), "{line}");
    }
}

#[test]
fn a_long_english_query_scrolls_80x24() {
    shows_the_end(
        "tag:vip updated:<2d source:facebook owner:dana has:phone dnd:sms zzz-last",
        "zzz-last",
        "long_english_80x24",
    );
}

#[test]
fn a_long_hebrew_query_scrolls_80x24() {
    shows_the_end(
        "יצחק כהן לוי אברהם נדל\"ן הצפון סניף חיפה ירושלים תל אביב סוף",
        "אביב סוף",
        "long_hebrew_80x24",
    );
}

#[test]
fn a_long_wide_query_scrolls_80x24() {
    shows_the_end(
        "王小明 王小明 王小明 王小明 王小明 王小明 王小明 王小明 結束",
        "王小明 結束",
        "long_wide_80x24",
    );
}

#[test]
fn tail_keeps_the_end_within_the_width() {
    assert_eq!(text::tail("abcdef", 10), "abcdef");
    assert_eq!(text::tail("abcdef", 4), "…def");
    assert_eq!(text::tail("abcdef", 0), "");
    // A wide character never splits across the limit.
    let t = text::tail("王小明結束", 6);
    assert_eq!(t, "…結束");
    assert!(text::width(&t) <= 6);
    let t = text::tail("王小明結束", 5);
    assert_eq!(t, "…結束");
    assert_eq!(text::tail("שלום עולם", 5), "…עולם");
}

/// The changes screen's filter line scrolls the same way.
#[test]
fn the_changes_filter_scrolls_too() {
    let (_dir, mut d) = tui_changes_support::driver();
    d.keys("/");
    d.type_text(&format!(
        "bmby_export.csv row 12 {} to the very end",
        "and more ".repeat(8)
    ));
    let buf = d.buffer(80, 24);
    assert_clean(&buf);
    let line = text_lines(&buf)
        .into_iter()
        .find(|l| l.contains("/ "))
        .unwrap_or_default();
    assert!(line.contains("/ …"), "{line}");
    assert!(line.contains("to the very end█"), "{line}");
}
