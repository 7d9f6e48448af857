//! A Bmby client as read, with Bmby's own field names (bmby.md §3.5, §8.1).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Where a record came from, for messages and for the change's origin.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// File name (`clients-2026-11.xlsx`) or `Bmby SOAP GetAll` / `Bmby SOAP GetAllJson`.
    pub source: String,
    /// 1-based row number in the file (the header is row 1), when read from a file.
    pub row: Option<usize>,
}

/// A Bmby client as read from an export row or a SOAP `GetAll` row: raw text as Bmby gave it
/// (after decoding the file's encoding), not yet normalized. Empty cells are `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BmbyClient {
    /// Bmby `client_id` (digits, kept as text).
    pub client_id: String,
    pub fname: Option<String>,
    pub lname: Option<String>,
    pub email: Option<String>,
    pub phone_mobile: Option<String>,
    pub phone_home: Option<String>,
    pub phone_work: Option<String>,
    /// Israeli national ID number (Teudat Zehut) or a foreign passport number.
    pub passport: Option<String>,
    pub birth_day: Option<String>,
    pub address: Option<String>,
    pub city: Option<String>,
    pub company_name: Option<String>,
    pub status: Option<String>,
    pub remark: Option<String>,
    pub media_title: Option<String>,
    pub user_name: Option<String>,
    /// Creation time, naive Israel local time `YYYY-MM-DD HH:MM:SS` as Bmby gives it.
    pub client_date: Option<String>,
    /// Last-modified time, naive Israel local time, when the source has it.
    pub update_date: Option<String>,
    /// Custom fields (`<Dynamic>` title → value) and export columns with no standard meaning.
    pub custom: BTreeMap<String, String>,
    pub origin: Origin,
}
