//! Text folding for search: the same function is applied to contact fields (once per list)
//! and to query words (once per keystroke), so matching is a plain substring test.
//!
//! Folding: Unicode NFD, combining marks dropped (Latin accents, Hebrew niqqud and
//! cantillation), lower case, Hebrew final letters replaced by their base forms
//! (ך→כ, ם→מ, ן→נ, ף→פ, ץ→צ). Control and bidi characters are dropped by `clean_line` first.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Hebrew letters without points (alef to tav, finals included): already folded but for the
/// finals, and alphabetic.
const HEBREW_LETTERS: std::ops::RangeInclusive<char> = '\u{5D0}'..='\u{5EA}';

/// The base form of a Hebrew final letter; any other character as it is.
fn unfinal(c: char) -> char {
    match c {
        'ך' => 'כ',
        'ם' => 'מ',
        'ן' => 'נ',
        'ף' => 'פ',
        'ץ' => 'צ',
        c => c,
    }
}

/// The folded form of `s` (see the module doc). `"כֹּהֵן"` → `"כהנ"`, `"ÉLI"` → `"eli"`.
pub fn fold(s: &str) -> String {
    // Fast path (most names, emails and tags): printable ASCII and unpointed Hebrew letters,
    // which `clean_line` and NFD leave as they are; the result is the same as the full path.
    if s.chars()
        .all(|c| matches!(c, ' '..='~') || HEBREW_LETTERS.contains(&c))
    {
        return s.chars().map(|c| unfinal(c.to_ascii_lowercase())).collect();
    }
    let clean = crate::sanitize::clean_line(s);
    let mut out = String::with_capacity(clean.len());
    for c in clean.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        match c {
            c if c.is_uppercase() => out.extend(c.to_lowercase()),
            c => out.push(unfinal(c)),
        }
    }
    out
}

/// True when [`fold`] gives `s` back unchanged, told without folding: printable ASCII but
/// upper case, and unpointed Hebrew letters but the finals (most emails). Conservative: false
/// for any other text, even when it happens to fold to itself.
pub fn is_folded(s: &str) -> bool {
    s.chars().all(|c| {
        (matches!(c, ' '..='~') && !c.is_ascii_uppercase())
            || (HEBREW_LETTERS.contains(&c) && unfinal(c) == c)
    })
}

/// True for characters that separate words in folded text (anything not alphanumeric).
/// ASCII and Hebrew letters are answered without the Unicode tables (the matcher asks this
/// for many characters per keystroke).
#[inline]
pub fn is_separator(c: char) -> bool {
    if c.is_ascii() {
        return !c.is_ascii_alphanumeric();
    }
    if HEBREW_LETTERS.contains(&c) {
        return false;
    }
    !c.is_alphanumeric()
}

/// The words of folded text: maximal runs of alphanumeric characters.
pub fn words(folded: &str) -> impl Iterator<Item = &str> {
    folded.split(is_separator).filter(|w| !w.is_empty())
}

/// True when `token` looks like (part of) a phone number: only digits and the separators
/// people type (`+ - . ( ) /` and spaces), with at least 3 digits.
pub fn is_phone_like(token: &str) -> bool {
    let digits = token.chars().filter(char::is_ascii_digit).count();
    digits >= 3
        && token
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | '.' | '(' | ')' | '/' | ' '))
}

/// The digits of `s`, in order.
pub fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// What a cached phone is searched by: the digits of its E.164 form and, for Israeli
/// numbers, the domestic form with its trunk `0` (`+972542848828` → `972542848828 0542848828`).
pub fn phone_haystack(e164: &str) -> String {
    let d = digits(e164);
    if d.is_empty() {
        return d;
    }
    match d.strip_prefix("972") {
        Some(rest) if !rest.is_empty() => format!("{d} 0{rest}"),
        _ => d,
    }
}

/// The E.164 form of a typed phone number, by the importer's rules
/// ([`crate::bmby::normalize::phone`]): `054-2848828`, `+972-54-…`, `00972…`, `542848828`
/// all give `+972542848828`. `None` when it is not a phone number.
pub fn phone_e164(token: &str) -> Option<String> {
    crate::bmby::normalize::phone::normalize_phone(token).e164
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_niqqud_cantillation_and_final_letters() {
        assert_eq!(fold("כֹּהֵן"), "כהנ");
        assert_eq!(fold("יִצְחָק֑"), "יצחק");
        assert_eq!(fold("ÉLI Cohen"), "eli cohen");
        assert_eq!(fold("ITZIK.COHEN@GMAIL.COM"), "itzik.cohen@gmail.com");
        assert_eq!(fold("ךםןףץ"), "כמנפצ");
        // The fast path (printable ASCII, unpointed Hebrew) and the full path agree.
        for s in [
            "Dana LEVI-Cohen",
            "יצחק כהן",
            "ITZIK.COHEN@GMAIL.COM",
            "שלום ~ [x]",
        ] {
            assert_eq!(fold(s), fold(&format!("{s}\u{301}")), "{s}");
        }
        assert_eq!(fold("Dana\tLevi"), "dana levi");
        assert!(is_separator('-') && is_separator('\u{5BE}') && !is_separator('ש'));
        assert!(!is_separator('é') && !is_separator('7') && is_separator('\u{1}'));
    }

    #[test]
    fn is_folded_only_for_text_that_folds_to_itself() {
        for s in [
            "dana.levi@x.io",
            "user1.2@example.com",
            "Dana@X.io",
            "שלום",
            "כהן",
            "",
            "é",
            "a\u{301}",
            "a\tb",
            "ÉLI",
            "~[x] 1",
        ] {
            if is_folded(s) {
                assert_eq!(fold(s), s, "{s}");
            }
        }
        assert!(is_folded("user1.2@example.com") && is_folded("שלומי") && is_folded(""));
        assert!(!is_folded("Dana@X.io") && !is_folded("שלום") && !is_folded("a\tb"));
    }

    #[test]
    fn phone_forms() {
        assert!(is_phone_like("054-2848828"));
        assert!(is_phone_like("+972 (54) 284.8828"));
        assert!(!is_phone_like("dan"));
        assert!(!is_phone_like("05"));
        assert_eq!(phone_haystack("+972542848828"), "972542848828 0542848828");
        for t in [
            "054-2848828",
            "+972-54-284-8828",
            "00972542848828",
            "542848828",
            "0542848828",
        ] {
            assert_eq!(phone_e164(t).as_deref(), Some("+972542848828"), "{t}");
        }
    }
}
