//! Text normalization for names and free text (bmby.md §7 "Names and text"): HTML entities
//! decoded, then [`crate::sanitize`] (control/escape/bidi characters removed, NFC), then
//! whitespace tidied. Plus a matching key that folds Hebrew punctuation variants and case.

use crate::sanitize::{clean_line, clean_text};

/// Decodes HTML character references, one pass: decimal `&#1493;`, hex `&#x5D5;`/`&#X5d5;`,
/// and the named `&amp; &quot; &lt; &gt; &apos; &nbsp;` (`&#39;` is decimal). A reference that
/// is unknown, unterminated, or names an invalid code point (0, a surrogate, > U+10FFFF) is left
/// as written. `&amp;#1493;` decodes once, to `&#1493;` (no double decoding).
pub fn decode_html_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find('&') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        // An entity is at most 10 characters before ';' (`#x10FFFF` is 8).
        let semi = after
            .char_indices()
            .take(12)
            .find(|&(_, c)| c == ';')
            .map(|(i, _)| i);
        let decoded = semi.and_then(|end| decode_one(&after[..end]).map(|c| (c, end)));
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn decode_one(name: &str) -> Option<char> {
    let code = if let Some(num) = name.strip_prefix('#') {
        if let Some(hex) = num.strip_prefix('x').or_else(|| num.strip_prefix('X')) {
            if hex.is_empty() || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                return None;
            }
            u32::from_str_radix(hex, 16).ok()?
        } else {
            if num.is_empty() || !num.chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
            num.parse::<u32>().ok()?
        }
    } else {
        return match name {
            "amp" => Some('&'),
            "quot" => Some('"'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            _ => None,
        };
    };
    if code == 0 {
        return None;
    }
    char::from_u32(code)
}

/// Collapses every run of Unicode whitespace (including NBSP) to one ASCII space and trims.
pub fn collapse_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One-line field (names, city, email, status…): entities decoded, [`clean_line`] (controls,
/// escape sequences, bidi marks/overrides/isolates removed; newlines and tabs to spaces; NFC),
/// whitespace collapsed and trimmed. Returns `None` when nothing is left.
pub fn clean_one_line(s: &str) -> Option<String> {
    let out = collapse_whitespace(&clean_line(&decode_html_entities(s)));
    (!out.is_empty()).then_some(out)
}

/// Multi-line field (remark, custom values): entities decoded, [`clean_text`] (newlines and
/// tabs kept, `\r\n` → `\n`, everything else as [`clean_one_line`]), trailing spaces of each
/// line removed, leading/trailing blank space of the whole trimmed. `None` when empty.
pub fn clean_multi_line(s: &str) -> Option<String> {
    let cleaned = clean_text(&decode_html_entities(s));
    let lines: Vec<&str> = cleaned.split('\n').map(str::trim_end).collect();
    let joined = lines.join("\n");
    let out = joined.trim();
    (!out.is_empty()).then(|| out.to_owned())
}

/// Matching key, for comparison only (never stored for display): [`clean_one_line`], then
/// Hebrew punctuation variants folded to ASCII — geresh `׳` (U+05F3) and the quote-like
/// `’ ‘ ‛`, the backtick and the acute accent `´` to `'`; gershayim `״` (U+05F4) and `“ ” „` to `"`; maqaf `־` (U+05BE) and
/// `‐ ‑ ‒ – —` to `-` — then lowercased (Hebrew has no case; Latin does). Empty input → `""`.
pub fn match_key(s: &str) -> String {
    let Some(line) = clean_one_line(s) else {
        return String::new();
    };
    line.chars()
        .map(fold_punct)
        .collect::<String>()
        .to_lowercase()
}

fn fold_punct(c: char) -> char {
    match c {
        '\u{05f3}' | '\u{2019}' | '\u{2018}' | '\u{201b}' | '`' | '\u{b4}' => '\'',
        '\u{05f4}' | '\u{201c}' | '\u{201d}' | '\u{201e}' => '"',
        '\u{05be}' | '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' => '-',
        c => c,
    }
}

/// The full-name rule for a name that came whole in `fname` with an empty `lname` (common in
/// Bmby lead injection, bmby.md §7): split on the **last** run of whitespace — everything
/// before it is the first name, the last word is the last name (`"יוסי בן דוד"` →
/// (`"יוסי בן"`, `Some("דוד")`)). A single word stays the first name with no last name.
/// Input is cleaned with [`clean_one_line`] first; empty input gives `("", None)`.
///
/// Only call this when the last name is empty: names that came split are never re-split.
pub fn split_full_name(full: &str) -> (String, Option<String>) {
    let Some(clean) = clean_one_line(full) else {
        return (String::new(), None);
    };
    match clean.rsplit_once(' ') {
        Some((first, last)) => (first.to_owned(), Some(last.to_owned())),
        None => (clean, None),
    }
}
