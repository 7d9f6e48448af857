//! Display helpers for untrusted text: sanitize, then fit by display width.
//!
//! Everything drawn from data goes through [`clean`] (one line) or [`clean_lines`]
//! (multi-line), which strip control characters, escape sequences and bidi overrides even if
//! the boundary missed them. Widths are terminal cells (CJK and most emoji take two).
//! Hebrew and other RTL text is kept in logical order; no bidi reordering is done here.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::sanitize;

/// One line of untrusted text, safe to draw (tabs and newlines become spaces).
pub fn clean(s: &str) -> String {
    sanitize::clean_line(s)
}

/// Multi-line untrusted text as safe lines (tabs become four spaces).
pub fn clean_lines(s: &str) -> Vec<String> {
    sanitize::clean_text(s)
        .split('\n')
        .map(|l| sanitize::clean_line(&l.replace('\t', "    ")))
        .collect()
}

/// Display width in terminal cells.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
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
