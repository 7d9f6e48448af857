//! Normalization of Bmby data (bmby.md §7): one place, pure functions, no I/O.
//!
//! * [`phone`]: free-text phones → E.164 ([`Phone`], [`PhoneStatus`]), default region IL.
//! * [`phone_check`]: the one rule for a phone that may be written to GHL ([`check_phone`]).
//! * [`text`]: entity decoding, sanitizing, NFC, whitespace; [`match_key`] for comparisons;
//!   [`split_full_name`], the full-name rule.
//! * [`time`]: naive Israel local time → UTC RFC 3339 (Asia/Jerusalem, compatible DST rule).
//! * [`national_id`]: Teudat Zehut padding and check digit.
//! * [`email`]: trimmed display form, lowercase key, shape check.
//! * [`client`]: [`normalize`] a whole [`crate::bmby::BmbyClient`] into a [`NormalizedClient`].
pub mod client;
pub mod email;
pub mod national_id;
pub mod phone;
pub mod phone_check;
pub mod text;
pub mod time;

pub use client::{normalize, FieldWarning, NormalizedClient};
pub use email::{normalize_email, Email};
pub use national_id::{israeli_id_check_ok, normalize_national_id, NationalId, NationalIdStatus};
pub use phone::{normalize_phone, Phone, PhoneStatus};
pub use phone_check::{check_phone, is_writable, writable_e164, PhoneRejection};
pub use text::{
    clean_multi_line, clean_one_line, collapse_whitespace, decode_html_entities, match_key,
    split_full_name,
};
pub use time::{
    bmby_local_to_utc_rfc3339, excel_serial_to_civil, local_to_utc, parse_date, parse_local,
};
