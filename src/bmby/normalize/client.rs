//! [`BmbyClient`] (raw, as read) → [`NormalizedClient`] (comparable with GHL data).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::email::normalize_email;
use super::national_id::{normalize_national_id, NationalId, NationalIdStatus};
use super::phone::{normalize_phone, Phone, PhoneStatus};
use super::text::{clean_multi_line, clean_one_line, split_full_name};
use super::time::{bmby_local_to_utc_rfc3339, parse_date};
use crate::bmby::record::{BmbyClient, Origin};

/// Something in one field that could not be fully normalized. The value is still kept
/// (raw or best-effort); the warning says what to look at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldWarning {
    /// Bmby field name: `phone_mobile`, `passport`, `email`, `client_date`, …
    pub field: String,
    /// The value as it came (cleaned of control characters only).
    pub raw: String,
    /// Human-readable explanation, e.g. `phone number not allocated per libphonenumber data`.
    pub message: String,
}

/// A Bmby client after normalization: clean NFC text, E.164 phones, padded ID, UTC times.
/// Empty fields are `None`. Built only by [`normalize`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NormalizedClient {
    /// Bmby `client_id`, trimmed (digits as text).
    pub client_id: String,
    /// First name; from a full name in `fname` with empty `lname`, everything before the last
    /// space ([`split_full_name`]).
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// Email as written (trimmed).
    pub email: Option<String>,
    /// Lowercased email, for matching.
    pub email_key: Option<String>,
    pub phone_mobile: Option<Phone>,
    pub phone_home: Option<Phone>,
    pub phone_work: Option<Phone>,
    /// E.164 of the first *valid* phone in the order mobile, home, work; if none is valid, the
    /// first parsed-but-invalid one in that order that may still be written to GHL
    /// ([`super::phone_check::is_writable`]); `None` when there is none.
    pub primary_phone_e164: Option<String>,
    /// From `passport`: Israeli ID padded to 9 digits, or a foreign passport kept as is.
    pub national_id: Option<NationalId>,
    pub address: Option<String>,
    pub city: Option<String>,
    pub company_name: Option<String>,
    pub status: Option<String>,
    /// Multi-line free text; newlines kept, HTML entities decoded.
    pub remark: Option<String>,
    pub media_title: Option<String>,
    /// Assigned agent's name.
    pub user_name: Option<String>,
    /// `YYYY-MM-DD` when parseable (otherwise `None` plus a warning).
    pub birth_day: Option<String>,
    /// `client_date` as RFC 3339 UTC (`2026-03-26T23:30:00Z`), read as Asia/Jerusalem time.
    pub created_utc: Option<String>,
    /// `update_date` as RFC 3339 UTC, read as Asia/Jerusalem time.
    pub updated_utc: Option<String>,
    /// Custom fields: keys one-line cleaned, values multi-line cleaned; empty values dropped.
    pub custom: BTreeMap<String, String>,
    pub warnings: Vec<FieldWarning>,
    pub origin: Origin,
}

fn warn(warnings: &mut Vec<FieldWarning>, field: &str, raw: &str, message: impl Into<String>) {
    warnings.push(FieldWarning {
        field: field.to_owned(),
        raw: crate::sanitize::clean_line(raw),
        message: message.into(),
    });
}

fn phone_field(
    warnings: &mut Vec<FieldWarning>,
    field: &str,
    raw: &Option<String>,
) -> Option<Phone> {
    let raw = raw.as_deref()?;
    clean_one_line(raw)?;
    let p = normalize_phone(raw);
    match p.status {
        PhoneStatus::Valid => {}
        PhoneStatus::ParsedButInvalid if !super::phone_check::is_writable(&p) => warn(
            warnings,
            field,
            raw,
            format!("{}; not proposed to GHL", super::phone_check::rejection(&p)),
        ),
        PhoneStatus::ParsedButInvalid => warn(
            warnings,
            field,
            raw,
            format!(
                "phone number parsed as {} but is not a valid number per libphonenumber data; kept",
                p.e164.as_deref().unwrap_or("?")
            ),
        ),
        PhoneStatus::Unparseable => warn(warnings, field, raw, "not a phone number; raw text kept"),
    }
    Some(p)
}

fn time_field(
    warnings: &mut Vec<FieldWarning>,
    field: &str,
    raw: &Option<String>,
) -> Option<String> {
    let raw = raw.as_deref()?;
    clean_one_line(raw)?;
    let out = bmby_local_to_utc_rfc3339(&crate::sanitize::clean_line(raw));
    if out.is_none() {
        warn(
            warnings,
            field,
            raw,
            "unrecognized date/time; expected YYYY-MM-DD HH:MM:SS",
        );
    }
    out
}

/// Normalizes one client. Pure; never fails: anything that cannot be normalized is kept in
/// its raw (cleaned) form and explained in [`NormalizedClient::warnings`].
///
/// Rules: text fields via [`clean_one_line`] / [`clean_multi_line`] (entities decoded, bidi
/// marks and controls removed, NFC, whitespace collapsed); when `lname` is empty the `fname`
/// is split with [`split_full_name`] (never when `lname` has a value); phones via
/// [`normalize_phone`]; `passport` via [`normalize_national_id`]; emails via
/// [`normalize_email`]; `client_date`/`update_date` read as Asia/Jerusalem local time and
/// converted to UTC; `birth_day` to `YYYY-MM-DD`.
pub fn normalize(c: &BmbyClient) -> NormalizedClient {
    let mut warnings = Vec::new();
    let fname = c.fname.as_deref().and_then(clean_one_line);
    let lname = c.lname.as_deref().and_then(clean_one_line);
    let (first_name, last_name) = match (fname, lname) {
        (Some(f), None) => {
            let (first, last) = split_full_name(&f);
            (Some(first), last)
        }
        (f, l) => (f, l),
    };

    let (email, email_key) = match c.email.as_deref().and_then(normalize_email) {
        Some(e) => {
            if !e.well_formed {
                warn(
                    &mut warnings,
                    "email",
                    &e.display,
                    "malformed email address; kept",
                );
            }
            (Some(e.display), Some(e.key))
        }
        None => (None, None),
    };

    let phone_mobile = phone_field(&mut warnings, "phone_mobile", &c.phone_mobile);
    let phone_home = phone_field(&mut warnings, "phone_home", &c.phone_home);
    let phone_work = phone_field(&mut warnings, "phone_work", &c.phone_work);
    let phones = [&phone_mobile, &phone_home, &phone_work];
    // Only phones that may be written to GHL (`phone_check`): junk never becomes the primary.
    let pick = |status: PhoneStatus| {
        phones
            .iter()
            .filter_map(|p| p.as_ref())
            .find(|p| p.status == status && super::phone_check::is_writable(p))
            .and_then(|p| p.e164.clone())
    };
    let primary_phone_e164 =
        pick(PhoneStatus::Valid).or_else(|| pick(PhoneStatus::ParsedButInvalid));

    let national_id = c.passport.as_deref().and_then(normalize_national_id);
    if let Some(id) = &national_id {
        match id.status {
            NationalIdStatus::Valid => {}
            NationalIdStatus::BadCheckDigit => warn(
                &mut warnings,
                "passport",
                &id.raw,
                "Israeli ID check digit does not match; kept",
            ),
            NationalIdStatus::NotIsraeli => warn(
                &mut warnings,
                "passport",
                &id.raw,
                "not an Israeli ID number (foreign passport?); kept as written",
            ),
        }
    }

    let birth_day = c.birth_day.as_deref().and_then(|raw| {
        clean_one_line(raw)?;
        let d = parse_date(&crate::sanitize::clean_line(raw));
        if d.is_none() {
            warn(
                &mut warnings,
                "birth_day",
                raw,
                "unrecognized date; kept out",
            );
        }
        d
    });
    let created_utc = time_field(&mut warnings, "client_date", &c.client_date);
    let updated_utc = time_field(&mut warnings, "update_date", &c.update_date);

    let custom = c
        .custom
        .iter()
        .filter_map(|(k, v)| Some((clean_one_line(k)?, clean_multi_line(v)?)))
        .collect();

    let one = |v: &Option<String>| v.as_deref().and_then(clean_one_line);
    NormalizedClient {
        client_id: clean_one_line(&c.client_id).unwrap_or_default(),
        first_name,
        last_name,
        email,
        email_key,
        phone_mobile,
        phone_home,
        phone_work,
        primary_phone_e164,
        national_id,
        address: one(&c.address),
        city: one(&c.city),
        company_name: one(&c.company_name),
        status: one(&c.status),
        remark: c.remark.as_deref().and_then(clean_multi_line),
        media_title: one(&c.media_title),
        user_name: one(&c.user_name),
        birth_day,
        created_utc,
        updated_utc,
        custom,
        warnings,
        origin: c.origin.clone(),
    }
}
