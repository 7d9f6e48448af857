//! Israeli national ID numbers (Teudat Zehut), bmby.md §7: 9 digits, the last a check digit;
//! shorter numbers are left-padded with zeros. Bmby keeps them in `passport`, where foreign
//! passport numbers land too, so nothing is ever rejected — only classified.

use serde::{Deserialize, Serialize};

use super::text::clean_one_line;

/// What a `passport` value turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NationalIdStatus {
    /// 7–9 digits (after removing spaces, `-`, `.`, `/`), padded to 9, check digit correct.
    Valid,
    /// 7–9 digits, padded to 9, check digit wrong (typo, or not an Israeli ID).
    BadCheckDigit,
    /// Anything else (letters — a foreign passport —, or too few/many digits): kept as written.
    NotIsraeli,
}

/// A normalized `passport` field.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NationalId {
    /// The input after [`clean_one_line`] (controls and bidi marks removed, trimmed).
    pub raw: String,
    /// 9 digits for an Israeli-shaped ID (`"1234567"` → `"001234567"`); otherwise equal to `raw`.
    pub value: String,
    pub status: NationalIdStatus,
}

/// Check digit test for a 9-digit string: weights 1,2,1,2,… from the left, each product's
/// digits summed (i.e. subtract 9 when > 9), total divisible by 10. `false` for anything that
/// is not exactly 9 ASCII digits.
pub fn israeli_id_check_ok(nine_digits: &str) -> bool {
    if nine_digits.len() != 9 || !nine_digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = nine_digits
        .bytes()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 2 };
            if d > 9 {
                d - 9
            } else {
                d
            }
        })
        .sum();
    sum % 10 == 0
}

/// Normalizes a `passport` value. Returns `None` for empty input. Digit strings of length 7–9
/// (separators ` - . /` ignored, e.g. `12345678-2`) are left-padded to 9 and checked with
/// [`israeli_id_check_ok`]; everything else is [`NationalIdStatus::NotIsraeli`] and kept as is.
pub fn normalize_national_id(raw: &str) -> Option<NationalId> {
    let raw = clean_one_line(raw)?;
    let digits: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '/'))
        .collect();
    if (7..=9).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
        let value = format!("{digits:0>9}");
        let status = if israeli_id_check_ok(&value) {
            NationalIdStatus::Valid
        } else {
            NationalIdStatus::BadCheckDigit
        };
        return Some(NationalId { raw, value, status });
    }
    Some(NationalId {
        value: raw.clone(),
        raw,
        status: NationalIdStatus::NotIsraeli,
    })
}
