//! A GHL contact as the cache keeps it.

use serde::{Deserialize, Serialize};

/// A GHL contact (GHL schema `GetContectByIdSchema`, or a search item from
/// `POST /contacts/search`), sanitized. Every string here is safe to print.
///
/// `raw_json` keeps the whole record as GHL sent it (strings sanitized), including fields this
/// type does not model, for the raw view.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    /// 20-character GHL id.
    pub id: String,
    pub location_id: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// `contactName`/`name` as GHL sent it, when present.
    pub full_name: Option<String>,
    pub email: Option<String>,
    /// E.164 as GHL returns it, e.g. `+972501234567`.
    pub phone: Option<String>,
    pub company_name: Option<String>,
    pub address1: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    pub website: Option<String>,
    /// IANA zone name.
    pub timezone: Option<String>,
    pub source: Option<String>,
    /// `type`: `lead`, `customer`, ...
    pub contact_type: Option<String>,
    /// User id of the owner.
    pub assigned_to: Option<String>,
    /// As text: `YYYY-MM-DD` when GHL gave a date or an epoch number we could convert.
    pub date_of_birth: Option<String>,
    /// Do-not-disturb on all channels.
    pub dnd: bool,
    /// Per-channel DND (`dndSettings`): channel name and status (`active|inactive|permanent`).
    pub dnd_settings: Vec<DndChannel>,
    pub tags: Vec<String>,
    /// `additionalEmails`, read-only in GHL (writing them is a 422).
    pub additional_emails: Vec<String>,
    pub custom_fields: Vec<CustomFieldValue>,
    /// ISO 8601 UTC with milliseconds, e.g. `2021-07-02T05:18:26.704Z`.
    pub date_added: Option<String>,
    /// ISO 8601 UTC with milliseconds; the base of every change computed against this contact.
    pub date_updated: Option<String>,
    /// The record as received, pretty-printable JSON with strings sanitized.
    pub raw_json: String,
}

/// The channels of GHL's `dndSettings`, in GHL's spelling.
pub const DND_CHANNELS: &[&str] = &["SMS", "Email", "Call", "WhatsApp", "GMB", "FB"];

/// One channel of `dndSettings`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DndChannel {
    /// `Call`, `Email`, `SMS`, `WhatsApp`, `GMB`, `FB`, ...
    pub channel: String,
    /// `active`, `inactive` or `permanent`.
    pub status: String,
    pub message: Option<String>,
}

/// A custom field value on a contact (`customFields[]` item `{ id, value }`); the value is
/// kept as JSON text because GHL sends strings, numbers, arrays or objects by field type.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomFieldValue {
    pub id: String,
    /// The value as compact JSON (`"Gold"`, `42`, `["a","b"]`).
    pub value_json: String,
}

impl CustomFieldValue {
    /// The value for display: strings unquoted, arrays joined with `, `.
    pub fn display(&self) -> String {
        match serde_json::from_str::<serde_json::Value>(&self.value_json) {
            Ok(serde_json::Value::String(s)) => s,
            Ok(serde_json::Value::Array(a)) => a
                .iter()
                .map(|v| match v {
                    serde_json::Value::String(s) => s.clone(),
                    o => o.to_string(),
                })
                .collect::<Vec<_>>()
                .join(", "),
            Ok(v) => v.to_string(),
            Err(_) => self.value_json.clone(),
        }
    }
}

impl Contact {
    /// The name to show: first + last, else the full name, else the email, else the phone,
    /// else `(no name)`.
    pub fn display_name(&self) -> String {
        let joined = [self.first_name.as_deref(), self.last_name.as_deref()]
            .into_iter()
            .flatten()
            .filter(|s| !s.trim().is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        if !joined.is_empty() {
            return joined;
        }
        self.full_name
            .clone()
            .filter(|s| !s.trim().is_empty())
            .or_else(|| self.email.clone())
            .or_else(|| self.phone.clone())
            .unwrap_or_else(|| "(no name)".to_owned())
    }

    /// The small row the contact list shows and filters on.
    pub fn row(&self) -> ContactRow {
        ContactRow {
            id: self.id.clone(),
            name: self.display_name(),
            email: self.email.clone().unwrap_or_default(),
            phone: self.phone.clone().unwrap_or_default(),
            tags: self.tags.join(", "),
            date_updated: self.date_updated.clone().unwrap_or_default(),
            dnd: self.dnd,
        }
    }
}

/// What the contact list needs of a contact, stored in its own tree so the list can be
/// loaded without decoding whole contacts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    /// Tags joined with `, `.
    pub tags: String,
    /// ISO 8601 UTC; sorts as text.
    pub date_updated: String,
    pub dnd: bool,
}

impl ContactRow {
    /// The text the fuzzy filter matches against: name, email, phone (E.164, and for Israeli
    /// numbers also the domestic form `0501234567` people type) and tags.
    pub fn haystack(&self) -> String {
        let domestic = self
            .phone
            .strip_prefix("+972")
            .map(|rest| format!(" 0{rest}"))
            .unwrap_or_default();
        format!(
            "{} {} {}{domestic} {}",
            self.name, self.email, self.phone, self.tags
        )
    }
}

/// A filter query as matched: sanitized and lowercased; a query that looks like a phone
/// number (digits with `-`, spaces, dots or parentheses, at least 4 digits) loses its
/// separators, so `050-860-3764` finds `0508603764` / `+972508603764`.
pub fn normalize_query(q: &str) -> String {
    let q = crate::sanitize::clean_line(q).trim().to_lowercase();
    let digits = q.chars().filter(char::is_ascii_digit).count();
    let phone_like = digits >= 4
        && q.chars()
            .all(|c| c.is_ascii_digit() || " -().+".contains(c));
    if phone_like {
        q.chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect()
    } else {
        q
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_queries_lose_separators_and_rows_carry_the_domestic_form() {
        assert_eq!(normalize_query("050-860-3764"), "0508603764");
        assert_eq!(normalize_query(" +972 (50) 860.3764 "), "+972508603764");
        assert_eq!(normalize_query("Dana Levi"), "dana levi");
        let row = ContactRow {
            phone: "+972508603764".into(),
            ..Default::default()
        };
        assert!(row.haystack().contains("0508603764"));
    }
}
