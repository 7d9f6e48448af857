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
    /// `businessId`: the business (company) the contact belongs to.
    #[serde(default)]
    pub business_id: Option<String>,
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
    /// The record as received, pretty-printable JSON with strings sanitized. Keep it the last
    /// field: the cache's record encoding cuts it off the end (`store::record`).
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
            tags: self.tags.clone(),
            date_updated: self.date_updated.clone().unwrap_or_default(),
            dnd: self.dnd,
            owner: self.assigned_to.clone().unwrap_or_default(),
            source: self.source.clone().unwrap_or_default(),
            contact_type: self.contact_type.clone().unwrap_or_default(),
            business_id: self.business_id.clone().unwrap_or_default(),
            dnd_channels: self.row_dnd_channels(),
        }
    }

    /// [`ContactRow::dnd_channels`] of this contact: the bits of the channels whose DND is
    /// active or permanent.
    pub fn row_dnd_channels(&self) -> u8 {
        let active =
            |st: &str| st.eq_ignore_ascii_case("active") || st.eq_ignore_ascii_case("permanent");
        self.dnd_settings
            .iter()
            .filter(|d| active(&d.status))
            .fold(0, |acc, d| {
                acc | crate::search::query::dnd_bit::of(&d.channel)
            })
    }
}

/// What the contact list needs of a contact, stored in its own tree (`contact_rows`) so the
/// list can be loaded and searched without decoding whole contacts. Kept small (issue #14:
/// a million of these): empty strings for absent values, DND channels as bits.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactRow {
    pub id: String,
    pub name: String,
    pub email: String,
    /// E.164 as GHL returns it.
    pub phone: String,
    pub tags: Vec<String>,
    /// ISO 8601 UTC; sorts as text.
    pub date_updated: String,
    /// Global DND.
    pub dnd: bool,
    /// User id of the owner (`assignedTo`), `""` when none.
    pub owner: String,
    /// `source`, `""` when none.
    pub source: String,
    /// `type` (`lead`, `customer`, …), `""` when none.
    pub contact_type: String,
    /// `businessId`, `""` when none.
    pub business_id: String,
    /// Channels whose DND is active or permanent: bits of
    /// [`crate::search::query::dnd_bit`] (`Call` 1, `Email` 2, `SMS` 4, `WhatsApp` 8,
    /// `GMB` 16, `FB` 32).
    pub dnd_channels: u8,
}

impl ContactRow {
    /// The tags joined with `, `, for display.
    pub fn tags_text(&self) -> String {
        self.tags.join(", ")
    }
}
