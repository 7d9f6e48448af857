//! Cleaning of untrusted text (anything that came from GHL or Bmby) before it is stored,
//! displayed, printed or logged.
//!
//! What goes: C0 controls (except `\n` and `\t` where multi-line text is allowed), DEL, C1
//! controls (U+0080–U+009F, which include the 8-bit CSI), and the bidi embedding/override/isolate
//! controls (U+202A–U+202E, U+2066–U+2069) that can make text display as something else. The
//! invisible direction marks LRM/RLM/ALM (U+200E, U+200F, U+061C) are dropped too: they carry no
//! meaning in a name and break comparisons. An ESC starts an escape sequence: the whole CSI/OSC
//! sequence is removed, so `"\x1b]0;title\x07"` leaves nothing behind. The result is NFC.

use unicode_normalization::UnicodeNormalization;

/// True for characters that must never reach a terminal from untrusted text.
pub fn is_forbidden(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

fn clean_inner(s: &str, keep_newlines: bool) -> String {
    clean_cow(s, keep_newlines).into_owned()
}

/// Whether `s` comes out of cleaning unchanged: no character that cleaning touches, and NFC.
pub(crate) fn is_clean(s: &str, keep_newlines: bool) -> bool {
    // ASCII is NFC; only the C0 controls and DEL are touched there.
    let ascii_ok = |b: u8| (0x20..0x7f).contains(&b) || (keep_newlines && b == b'\n');
    if s.bytes().all(ascii_ok) {
        return true;
    }
    !s.chars()
        .any(|c| is_forbidden(c) || c == '\r' || (!keep_newlines && (c == '\n' || c == '\t')))
        && unicode_normalization::is_nfc(s)
}

/// `s` cleaned (multi-line rules when `keep_newlines`), borrowed when it is already clean.
pub(crate) fn clean_cow(s: &str, keep_newlines: bool) -> std::borrow::Cow<'_, str> {
    // Fast path: most text is clean and already NFC.
    if is_clean(s, keep_newlines) {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(clean_slow(s, keep_newlines))
}

fn clean_slow(s: &str, keep_newlines: bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            '\u{9b}' => skip_csi_params(&mut chars),
            '\u{9d}' => skip_osc_body(&mut chars),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push(if keep_newlines { '\n' } else { ' ' });
                }
            }
            '\n' => out.push(if keep_newlines { '\n' } else { ' ' }),
            '\t' => out.push(if keep_newlines { '\t' } else { ' ' }),
            c if is_forbidden(c) => {}
            c => out.push(c),
        }
    }
    out.nfc().collect()
}

fn skip_escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match chars.peek().copied() {
        Some('[') => {
            chars.next();
            skip_csi_params(chars);
        }
        Some(']') | Some('P') | Some('_') | Some('^') | Some('X') => {
            chars.next();
            skip_osc_body(chars);
        }
        Some(c) if ('\u{20}'..='\u{7e}').contains(&c) => {
            chars.next();
        }
        _ => {}
    }
}

fn skip_csi_params(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    // Parameters and intermediates are 0x20–0x3F; the final byte is 0x40–0x7E.
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) || !('\u{20}'..='\u{7e}').contains(&c) {
            break;
        }
    }
}

fn skip_osc_body(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    // Ends at BEL, ST (ESC \) or the 8-bit ST U+009C.
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => break,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                break;
            }
            _ => {}
        }
    }
}

/// One-line text (names, emails, tags, titles): newlines and tabs become spaces.
pub fn clean_line(s: &str) -> String {
    clean_inner(s, false)
}

/// Multi-line text (note and task bodies): newlines and tabs are kept, `\r\n` becomes `\n`.
pub fn clean_text(s: &str) -> String {
    clean_inner(s, true)
}

/// Cleans every string (keys and values) inside a JSON value, one-line rules for keys and
/// multi-line rules for values. Used for the raw JSON view of a record.
pub fn clean_json(v: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::String(s) => Value::String(clean_text(s)),
        Value::Array(a) => Value::Array(a.iter().map(clean_json).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (clean_line(k), clean_json(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// `serde_json::to_string_pretty(&clean_json(v))` without building the cleaned copy: strings
/// are cleaned as they are written (one-line rules for keys, multi-line rules for values), and
/// only strings that need it are copied. An object with a key that cleaning changes is cleaned
/// whole first, so keys that clean to the same text merge exactly as in [`clean_json`].
pub fn clean_json_pretty(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(&Cleaned(v)).unwrap_or_default()
}

/// A JSON value serialized with its strings cleaned (see [`clean_json_pretty`]).
struct Cleaned<'a>(&'a serde_json::Value);

impl serde::Serialize for Cleaned<'_> {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        use serde_json::Value;
        match self.0 {
            Value::String(t) => ser.serialize_str(&clean_cow(t, true)),
            Value::Array(a) => {
                let mut seq = ser.serialize_seq(Some(a.len()))?;
                for v in a {
                    seq.serialize_element(&Cleaned(v))?;
                }
                seq.end()
            }
            Value::Object(m) if m.keys().all(|k| is_clean(k, false)) => {
                let mut map = ser.serialize_map(Some(m.len()))?;
                for (k, v) in m {
                    map.serialize_entry(k, &Cleaned(v))?;
                }
                map.end()
            }
            Value::Object(_) => clean_json(self.0).serialize(ser),
            other => other.serialize(ser),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc_title_sequence_removed_whole() {
        assert_eq!(clean_line("Eve\u{1b}]0;pwned\u{7} Evil"), "Eve Evil");
        assert_eq!(clean_line("a\u{1b}]8;;http://x\u{1b}\\link"), "alink");
    }

    #[test]
    fn csi_removed() {
        assert_eq!(clean_line("\u{1b}[31mred\u{1b}[0m"), "red");
        assert_eq!(clean_line("x\u{9b}2Jy"), "xy");
    }

    #[test]
    fn bidi_controls_and_marks_removed() {
        assert_eq!(clean_line("abc\u{202e}fed"), "abcfed");
        assert_eq!(clean_line("\u{200f}יוסי\u{200e} כהן"), "יוסי כהן");
        assert_eq!(clean_line("\u{2066}x\u{2069}"), "x");
    }

    #[test]
    fn newlines_by_kind() {
        assert_eq!(clean_line("a\nb\tc\r\nd"), "a b c d");
        assert_eq!(clean_text("a\r\nb\rc"), "a\nb\nc");
    }

    #[test]
    fn nfc_applied() {
        // "é" as e + combining acute becomes one code point.
        assert_eq!(clean_line("e\u{301}"), "\u{e9}");
    }

    #[test]
    fn plain_text_untouched() {
        for s in ["Dana Levi", "מיכל לוי", "王小明", "👩‍💻 dev"] {
            assert_eq!(clean_line(s), s);
        }
    }

    #[test]
    fn json_cleaned_deeply() {
        let v = serde_json::json!({"a\u{1b}[1m": ["x\u{7}", {"b": "c\u{202e}"}], "n": 1});
        let c = clean_json(&v);
        assert_eq!(c, serde_json::json!({"a": ["x", {"b": "c"}], "n": 1}));
    }

    #[test]
    fn json_pretty_equals_pretty_of_cleaned_copy() {
        let cases = [
            serde_json::json!({"a\u{1b}[1m": ["x\u{7}", {"b": "c\u{202e}"}], "n": 1}),
            // keys that clean to the same text merge as in `clean_json`
            serde_json::json!({"a": 1, "a\u{7}": 2, "b": {"k\tl": "v\r\nw", "k l": null}}),
            serde_json::json!({"id": "c1", "note": "line\nnext\ttab", "e\u{301}": "e\u{301}", "t": [true, 1.5, "כהן"]}),
            serde_json::json!("top\u{9b}2J"),
            serde_json::json!([]),
        ];
        for v in cases {
            assert_eq!(
                clean_json_pretty(&v),
                serde_json::to_string_pretty(&clean_json(&v)).unwrap(),
                "{v}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn json_pretty_streams_what_clean_json_builds(
            k in "\\PC{0,6}|[\\x00-\\x1f\\x7f-\\x9fa\u{301}]{0,4}",
            s in "\\PC*|[\\x00-\\x1f\\x7f-\\x9f\u{202a}-\u{202e}\u{301}a-z\n\t\r]*",
        ) {
            let v = serde_json::json!({ k.clone(): s.clone(), "a": [s.clone(), {"x": k}], "b": s });
            proptest::prop_assert_eq!(
                clean_json_pretty(&v),
                serde_json::to_string_pretty(&clean_json(&v)).unwrap()
            );
        }

        #[test]
        fn never_emits_forbidden(s in "\\PC*|[\\x00-\\x1f\\x7f-\\x9f\u{202a}-\u{202e}a-z]*") {
            let out = clean_text(&s);
            let bad = out.chars().any(|c| is_forbidden(c) || c == '\u{1b}' || c == '\r');
            proptest::prop_assert!(!bad, "forbidden char left in {:?}", out);
            let line = clean_line(&s);
            proptest::prop_assert!(!line.contains('\n'));
        }
    }
}
