//! The one rule for "may this phone be written to GHL": used by every path that proposes a
//! phone write — import rows (csv, xlsx, SOAP: through [`crate::sync::client_view`]), the TUI
//! editor and `op … --set phone=` (through [`crate::sync::review::validate_value`]).
//!
//! A phone is **writable** when libphonenumber (the `phonenumber` crate, region IL by default)
//! parses it and either
//! * its metadata says the number is valid ([`PhoneStatus::Valid`]), or
//! * it parses but the metadata does not list it as allocated
//!   ([`PhoneStatus::ParsedButInvalid`]: the metadata lags real allocations, e.g.
//!   `054-123-4567`) and it still has the *shape* of a number of its country: for Israel
//!   (`+972`) libphonenumber's general pattern — 9 digits starting with 5 or 7 (mobile, VoIP),
//!   8 digits starting with 1–4, 8 or 9 (landline), 7 or 10–12 digits starting with 1 — and for
//!   any other country a national number of a length its fixed-line or mobile numbers have
//!   (`+1`: 10 digits).
//!
//! The rule reads the parsed number, never how it was written: `0541234567`, `054-1234567`
//! and `+972541234567` get the same answer. OUR CHOICE: numbers the metadata does not know
//! but that have their country's shape are accepted (as import has always kept them), so
//! junk (`123` → `+972123`, 17 digits, `+1234`) is refused while a newly allocated range is
//! not.

use phonenumber::metadata::DATABASE;

use super::phone::{normalize_phone, Phone, PhoneStatus};

/// Why a phone cannot be written to GHL. The `Display` text names the value and what a
/// valid one looks like; it is what the editor, `op` and import problems show.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneRejection {
    /// Letters, `*` or `#` beside the digits (an extension, a code): not kept by GHL.
    #[error("`{raw}` is not a plain phone number (extensions and codes like * or # are not kept)")]
    NotPlain { raw: String },
    /// Not read as a phone number at all (`abc`, `12`).
    #[error("`{raw}` is not a phone number (e.g. 050-7654321 or +972507654321)")]
    NotANumber { raw: String },
    /// Read as `e164` (`+972…`), but too short, too long or of no Israeli number's shape.
    #[error(
        "`{raw}` is not a valid Israeli number (like 050-7654321 or 03-1234567); a number abroad needs its country code (+1 310 555 0100)"
    )]
    NotIsraeli { raw: String, e164: String },
    /// Read as `e164` with another country code, but of no length that country's numbers have.
    #[error("`{raw}` is not a valid phone number for +{country_code} (read as {e164})")]
    NotOfCountry {
        raw: String,
        e164: String,
        country_code: u16,
    },
}

/// True when `p` may be proposed to GHL (see the module doc): valid per libphonenumber, or
/// parsed with its country's shape. `Unparseable` never is.
pub fn is_writable(p: &Phone) -> bool {
    match (p.status, p.e164.as_deref()) {
        (PhoneStatus::Valid, Some(_)) => true,
        (PhoneStatus::ParsedButInvalid, Some(e)) => has_country_shape(e),
        _ => false,
    }
}

/// The E.164 form of `p` when it [`is_writable`], else `None`.
pub fn writable_e164(p: &Phone) -> Option<&str> {
    is_writable(p).then_some(()).and(p.e164.as_deref())
}

/// Checks a phone as written (typed by a person, or a cell of an export) and returns its E.164
/// form (`+972541234567`), or why it cannot be written to GHL.
pub fn check_phone(typed: &str) -> Result<String, PhoneRejection> {
    let raw = crate::sanitize::clean_line(typed).trim().to_owned();
    if raw
        .chars()
        .any(|c| c.is_alphabetic() || c == '*' || c == '#')
    {
        return Err(PhoneRejection::NotPlain { raw });
    }
    let p = normalize_phone(&raw);
    if let Some(e) = writable_e164(&p) {
        return Ok(e.to_owned());
    }
    Err(rejection(&p))
}

/// Why `p` is not writable (call only when [`is_writable`] is false).
pub fn rejection(p: &Phone) -> PhoneRejection {
    let raw = p.raw.clone();
    match p.e164.clone() {
        None => PhoneRejection::NotANumber { raw },
        Some(e164) => match country_code(&e164) {
            Some(972) | None => PhoneRejection::NotIsraeli { raw, e164 },
            Some(country_code) => PhoneRejection::NotOfCountry {
                raw,
                e164,
                country_code,
            },
        },
    }
}

/// The country code of an E.164 string, as libphonenumber reads it.
fn country_code(e164: &str) -> Option<u16> {
    phonenumber::parse(None, e164)
        .ok()
        .map(|n| n.country().code())
}

/// Whether an E.164 number (parsed, maybe not allocated) has its country's shape.
fn has_country_shape(e164: &str) -> bool {
    if let Some(national) = e164.strip_prefix("+972") {
        return israeli_shape(national);
    }
    let Ok(n) = phonenumber::parse(None, e164) else {
        return false;
    };
    let national = n.national().to_string();
    let Some(meta) = n.metadata(&DATABASE) else {
        return false;
    };
    let d = meta.descriptors();
    let lengths: Vec<u16> = [d.fixed_line(), d.mobile()]
        .into_iter()
        .flatten()
        .flat_map(|d| d.possible_length().iter().copied())
        .collect();
    let len = national.len() as u16;
    if lengths.is_empty() {
        (4..=14).contains(&len)
    } else {
        lengths.contains(&len)
    }
}

/// libphonenumber's general pattern for Israel (`generalDesc` of `IL`):
/// `1\d{6}(?:\d{3,5})?|[57]\d{8}|[1-489]\d{7}`, on the national significant number.
fn israeli_shape(national: &str) -> bool {
    if !national.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let Some(&first) = national.as_bytes().first() else {
        return false;
    };
    match national.len() {
        7 | 10..=12 => first == b'1',
        9 => matches!(first, b'5' | b'7'),
        8 => matches!(first, b'1'..=b'4' | b'8' | b'9'),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn israeli_local_and_plus_forms_agree() {
        for (local, plus, e164) in [
            ("0541234567", "+972541234567", "+972541234567"),
            ("054-1234567", "+972-54-123-4567", "+972541234567"),
            ("050-1234567", "+972501234567", "+972501234567"),
            ("050-7654321", "+972507654321", "+972507654321"),
            ("03-1234567", "+97231234567", "+97231234567"),
        ] {
            assert_eq!(check_phone(local).as_deref(), Ok(e164), "{local}");
            assert_eq!(check_phone(plus).as_deref(), Ok(e164), "{plus}");
        }
    }

    #[test]
    fn junk_is_refused_in_any_form() {
        for bad in [
            "123",
            "+972123",
            "12345678901234567",
            "+97212345678901234567",
            "050-123",
            "+1234",
            "abc",
            "12",
            "*2345",
            "050 1234567 ext 5",
        ] {
            assert!(check_phone(bad).is_err(), "{bad} accepted");
        }
        assert!(matches!(
            check_phone("+972123"),
            Err(PhoneRejection::NotIsraeli { .. })
        ));
        assert!(matches!(
            check_phone("+1234"),
            Err(PhoneRejection::NotOfCountry { .. }) | Err(PhoneRejection::NotANumber { .. })
        ));
    }

    #[test]
    fn us_numbers_need_their_country_code() {
        assert_eq!(
            check_phone("+1 310 563 9317").as_deref(),
            Ok("+13105639317")
        );
        assert_eq!(
            check_phone("+1 212 555 0100").as_deref(),
            Ok("+12125550100")
        );
        assert!(check_phone("(310) 563-9317").is_err());
        assert!(check_phone("+1 310 563 93").is_err());
    }

    #[test]
    fn excel_and_toll_free_forms() {
        assert_eq!(check_phone("541234111").as_deref(), Ok("+972541234111"));
        assert_eq!(
            check_phone("1-800-222-333").as_deref(),
            Ok("+9721800222333")
        );
    }
}
