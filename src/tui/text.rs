//! Display helpers for untrusted text: sanitize, then fit by display width.
//!
//! Everything drawn from data goes through [`clean`] (one line) or [`clean_lines`]
//! (multi-line), which strip control characters, escape sequences and bidi overrides even if
//! the boundary missed them. Widths are terminal cells (CJK and most emoji take two).
//! Hebrew and other RTL text is kept in logical order; no bidi reordering is done here.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::sanitize;

/// Characters terminals disagree on the width of, dropped from displayed text: the ZERO
/// WIDTH JOINER (a ZWJ emoji sequence such as 👨‍👩‍👧 is one cell pair in some terminals and
/// three in others) and the variation selectors (U+FE0F/U+FE0E turn a one-cell symbol into a
/// two-cell emoji in some terminals only). Without them every pictograph is drawn on its own
/// and the width the layout counts is the width the terminal draws. Display only: stored data
/// keeps them.
fn unpredictable_width(c: char) -> bool {
    matches!(c, '\u{200d}' | '\u{fe0e}' | '\u{fe0f}')
}

fn predictable(s: String) -> String {
    if s.chars().any(unpredictable_width) {
        s.chars().filter(|c| !unpredictable_width(*c)).collect()
    } else {
        s
    }
}

/// One line of untrusted text, safe to draw (tabs and newlines become spaces).
pub fn clean(s: &str) -> String {
    predictable(sanitize::clean_line(s))
}

/// Multi-line untrusted text as safe lines (tabs become four spaces).
pub fn clean_lines(s: &str) -> Vec<String> {
    sanitize::clean_text(s)
        .split('\n')
        .map(|l| predictable(sanitize::clean_line(&l.replace('\t', "    "))))
        .collect()
}

/// Display width in terminal cells.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// The end of `s` in at most `max` cells, starting with `…` when cut: what a one-line input
/// shows while its cursor is at the end (the text scrolls left as it grows). Never splits a
/// wide character across the limit.
pub fn tail(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_owned();
    }
    if max == 0 {
        return String::new();
    }
    let budget = max - 1; // room for the ellipsis
    let mut kept: Vec<char> = Vec::new();
    let mut used = 0;
    for c in s.chars().rev() {
        let w = UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > budget {
            break;
        }
        used += w;
        kept.push(c);
    }
    let mut out: String = kept.into_iter().rev().collect();
    while width(&out) > budget {
        out.remove(0);
    }
    out.insert(0, '…');
    out
}

/// `s` cut to at most `max` cells, ending with `…` when cut. Never splits a wide character
/// across the limit.
pub fn truncate(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_owned();
    }
    if max == 0 {
        return String::new();
    }
    let budget = max - 1; // room for the ellipsis
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > budget {
            break;
        }
        used += w;
        out.push(c);
    }
    // Zero-width joiners or combining marks at the cut can make the total differ from the
    // per-char sum; trim until the whole fits.
    while width(&out) > budget {
        out.pop();
    }
    out.push('…');
    out
}

/// `s` cut or padded with spaces to exactly `w` cells.
pub fn fit(s: &str, w: usize) -> String {
    let mut t = truncate(s, w);
    let tw = width(&t);
    if tw < w {
        t.extend(std::iter::repeat_n(' ', w - tw));
    }
    t
}

/// Clean and fit in one step (for table cells from data).
pub fn cell(s: &str, w: usize) -> String {
    fit(&clean(s), w)
}

/// `s` (one line, already clean) wrapped into lines of at most `max` cells: at spaces where
/// possible, inside a word when a word is longer than a line. Nothing is dropped (only the
/// spaces a line is broken at); characters are never reordered; a wide character never
/// straddles two lines. Zero-width marks stay with the character before them. An empty `s`
/// gives one empty line.
pub fn wrap(s: &str, max: usize) -> Vec<String> {
    let max = max.max(2);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut lw = 0usize;
    let mut spaces = 0usize;
    for (i, word) in s.split(' ').enumerate() {
        if i > 0 {
            spaces += 1;
        }
        if word.is_empty() {
            continue;
        }
        let ww = width(word);
        // Spaces between words are kept; at the start of a continuation line they are not.
        let gap = if lw > 0 || lines.is_empty() {
            spaces
        } else {
            0
        };
        spaces = 0;
        if lw + gap + ww <= max {
            line.extend(std::iter::repeat_n(' ', gap));
            line.push_str(word);
            lw += gap + ww;
            continue;
        }
        if ww <= max {
            if lw > 0 {
                lines.push(std::mem::take(&mut line));
            }
            line.push_str(word);
            lw = ww;
            continue;
        }
        // Longer than a line: fill the current line, then break by characters.
        if lw > 0 && lw + gap + 1 < max {
            line.extend(std::iter::repeat_n(' ', gap));
            lw += gap;
        } else if lw > 0 {
            lines.push(std::mem::take(&mut line));
            lw = 0;
        }
        for c in word.chars() {
            let cw = UnicodeWidthChar::width(c).unwrap_or(0);
            if lw + cw > max && lw > 0 {
                lines.push(std::mem::take(&mut line));
                lw = 0;
            }
            line.push(c);
            lw += cw;
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod wrap_tests {
    use super::*;

    #[test]
    fn wraps_words_and_long_runs_by_width() {
        assert_eq!(wrap("", 10), vec![""]);
        assert_eq!(wrap("תל אביב", 10), vec!["תל אביב"]);
        assert_eq!(
            wrap("one two three four", 9),
            vec!["one two", "three", "four"]
        );
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert_eq!(wrap("1  two", 10), vec!["1  two"], "inner spaces kept");
        assert_eq!(wrap("aaa bbb", 3), vec!["aaa", "bbb"]);
        // A wide character never straddles.
        assert_eq!(wrap("王小明王小明", 5), vec!["王小", "明王", "小明"]);
        for (s, w) in [
            ("רחוב הרצל 12, דירה 4, קומה שלישית, כניסה ב׳", 11),
            ("a-very-long-email-address@example-company.co.il x", 8),
            ("short  double  spaces", 7),
        ] {
            let lines = wrap(s, w);
            assert!(lines.iter().all(|l| width(l) <= w), "{lines:?}");
            let joined: String = lines.concat().chars().filter(|c| *c != ' ').collect();
            let orig: String = s.chars().filter(|c| *c != ' ').collect();
            assert_eq!(joined, orig, "nothing dropped or reordered");
        }
    }
}
