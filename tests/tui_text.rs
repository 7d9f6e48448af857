//! Width-aware text helpers.
use bmby_ghl::tui::text::{clean, clean_lines, fit, truncate, width};

#[test]
fn truncation_by_display_width() {
    assert_eq!(truncate("王小明王小明", 7), "王小明…");
    assert_eq!(width(&truncate("王小明王小明", 7)), 7);
    assert_eq!(truncate("abc", 3), "abc");
    assert_eq!(truncate("abcd", 3), "ab…");
    assert_eq!(truncate("abcd", 0), "");
    assert_eq!(fit("יוסי", 6), "יוסי  ");
    assert_eq!(width(&fit("🎉🎉🎉", 5)), 5);
}

#[test]
fn cleaning_for_display() {
    assert_eq!(clean("Eve\u{1b}]0;pwned\u{7} Evil"), "Eve Evil");
    assert_eq!(clean("abc\u{202e}fed"), "abcfed");
    assert_eq!(clean_lines("a\tb\r\nc\u{1b}[31m"), vec!["a    b", "c"]);
}

proptest::proptest! {
    #[test]
    fn truncate_never_exceeds(s in "\\PC{0,60}", w in 0usize..40) {
        let t = truncate(&s, w);
        proptest::prop_assert!(width(&t) <= w, "{:?} -> {:?}", s, t);
        let f = fit(&s, w);
        proptest::prop_assert!(width(&f) <= w.max(width(&f).min(w)));
    }
}
