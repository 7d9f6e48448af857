//! Phone numbers → E.164 with the `phonenumber` crate (libphonenumber metadata), default
//! region Israel (bmby.md §7 "Phones").

use phonenumber::{country, Mode};
use serde::{Deserialize, Serialize};

use crate::sanitize::clean_line;

/// How far a phone field could be understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhoneStatus {
    /// Parsed and valid per libphonenumber's metadata.
    Valid,
    /// Parsed into country code + national number, but libphonenumber's metadata says the
    /// number is not allocated (`is_valid()` is false). The metadata lags real allocations
    /// (e.g. `054-123-4567`), so such numbers are kept, formatted as E.164 anyway, and flagged.
    ParsedButInvalid,
    /// Not a phone number at all (`abc`, `12`): the raw text is kept, there is no E.164 form.
    Unparseable,
}

/// One phone field: the raw text as it came (after [`clean_line`] and trimming) next to its
/// E.164 form (`+972501234567`: `+`, country code, national number, no separators).
///
/// `e164` is `Some` for [`PhoneStatus::Valid`] and [`PhoneStatus::ParsedButInvalid`] (a
/// parsed-but-invalid number is still formatted: `+` + country code + national significant
/// number, so it can be matched and pushed; its status tells it apart) and `None` for
/// [`PhoneStatus::Unparseable`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Phone {
    /// The input, cleaned of control/bidi characters and trimmed; never rewritten otherwise.
    pub raw: String,
    /// E.164 form, e.g. `+972501234567`, `+97231234567`, `+12125550100`.
    pub e164: Option<String>,
    pub status: PhoneStatus,
}

impl Phone {
    /// True when `status` is [`PhoneStatus::Valid`].
    pub fn is_valid(&self) -> bool {
        self.status == PhoneStatus::Valid
    }
}

/// Rewrites the shapes libphonenumber does not read with region IL into ones it does; returns
/// the candidate string to parse. Pure digit manipulation, documented per rule:
///
/// * `+972 (0)50 …` / `972 (0)50…` / `00972 (0)…`: the bracketed trunk `(0)` is dropped.
/// * `00` international prefix (`00972501234567`, `0044…`): becomes `+`.
/// * `972…` without `+` and with 11–12 digits (972 + an 8/9-digit NSN): becomes `+972…`.
/// * Leading zero lost in Excel: 9 digits starting with `5` or `7` (mobile / VoIP) or
///   8 digits starting with `2`, `3`, `4`, `8`, `9` (landline) get the `0` back.
fn candidate(raw: &str) -> String {
    let s = raw.replace("(0)", " ");
    let trimmed = s.trim();
    if trimmed.starts_with('+') {
        return trimmed.to_owned();
    }
    let digits: String = trimmed.chars().filter(|c| c.is_ascii_digit()).collect();
    // Only pure "number-like" inputs (digits and separators) are rewritten.
    let number_like = trimmed
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')' | '/'));
    if !number_like || digits.is_empty() {
        return trimmed.to_owned();
    }
    if let Some(rest) = digits.strip_prefix("00") {
        if !rest.is_empty() && !rest.starts_with('0') {
            return format!("+{rest}");
        }
    }
    if digits.starts_with("972") && (digits.len() == 11 || digits.len() == 12) {
        return format!("+{digits}");
    }
    let first = digits.as_bytes()[0];
    if (digits.len() == 9 && matches!(first, b'5' | b'7'))
        || (digits.len() == 8 && matches!(first, b'2' | b'3' | b'4' | b'8' | b'9'))
    {
        return format!("0{digits}");
    }
    trimmed.to_owned()
}

/// Normalizes one phone field. `raw` is free text from Bmby; it is cleaned with
/// [`clean_line`] and trimmed, kept verbatim in [`Phone::raw`], and parsed with default region
/// IL after the rewrites described on this module (bracketed `(0)`, `00` prefix, bare `972`,
/// lost Excel leading zero). Inputs with letters (other than an `ext`/`x` extension marker) are
/// [`PhoneStatus::Unparseable`]: libphonenumber would read them as vanity numbers, which Bmby
/// data never holds. Never fails and never drops input.
pub fn normalize_phone(raw: &str) -> Phone {
    let raw = clean_line(raw).trim().to_owned();
    let unparseable = |raw: String| Phone {
        raw,
        e164: None,
        status: PhoneStatus::Unparseable,
    };
    let digit_count = raw.chars().filter(|c| c.is_ascii_digit()).count();
    let lower = raw.to_lowercase();
    let without_ext = lower
        .split_once("ext")
        .map(|(a, _)| a)
        .or_else(|| lower.split_once('x').map(|(a, _)| a))
        .unwrap_or(&lower);
    if digit_count < 3 || without_ext.chars().any(|c| c.is_alphabetic()) {
        return unparseable(raw);
    }
    let cand = candidate(&raw);
    match phonenumber::parse(Some(country::Id::IL), &cand) {
        Ok(n) => {
            let e164 = n.format().mode(Mode::E164).to_string();
            let status = if n.is_valid() {
                PhoneStatus::Valid
            } else {
                PhoneStatus::ParsedButInvalid
            };
            Phone {
                raw,
                e164: Some(e164),
                status,
            }
        }
        Err(_) => unparseable(raw),
    }
}

/// An E.164 phone as Bmby's clients usually hold it: an Israeli number (`+972…`) in its local
/// form with the trunk `0` (`+972501234567` → `0501234567`); any other number stays E.164
/// (Bmby stores free text, and a foreign number needs its country code).
pub fn e164_to_bmby_local(e164: &str) -> String {
    let t = e164.trim();
    match t.strip_prefix("+972") {
        Some(rest) if !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit()) => {
            format!("0{rest}")
        }
        _ => t.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidate_rules() {
        assert_eq!(candidate("00972501234567"), "+972501234567");
        assert_eq!(candidate("972 54 347 22 15"), "+972543472215");
        assert_eq!(candidate("501234567"), "0501234567");
        assert_eq!(candidate("31234567"), "031234567");
        assert_eq!(candidate("+972 (0)50 123 4567"), "+972  50 123 4567");
        assert_eq!(candidate("abc"), "abc");
    }

    #[test]
    fn bmby_local_form() {
        assert_eq!(e164_to_bmby_local("+972501234567"), "0501234567");
        assert_eq!(e164_to_bmby_local("+97231234567"), "031234567");
        assert_eq!(e164_to_bmby_local("+12125550100"), "+12125550100");
        assert_eq!(e164_to_bmby_local("+972"), "+972");
    }
}
