//! Custom field definitions of a location.

use serde::{Deserialize, Serialize};

/// A custom field definition from `GET /locations/{locationId}/customFields`
/// (GHL schema `CustomFieldSchema`), used to show a contact's custom fields by name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomFieldDef {
    pub id: String,
    pub name: String,
    /// e.g. `contact.pincode`.
    pub field_key: String,
    /// `TEXT`, `LARGE_TEXT`, `NUMERICAL`, `DATE`, `SINGLE_OPTIONS`, `MULTIPLE_OPTIONS`, `CHECKBOX`, ...
    pub data_type: String,
    pub picklist_options: Vec<String>,
}

impl CustomFieldDef {
    /// A value of this field for display: `DATE` values GHL stores as epoch milliseconds are
    /// shown as `YYYY-MM-DD` (UTC); everything else as [`super::CustomFieldValue::display`].
    pub fn format(&self, v: &super::CustomFieldValue) -> String {
        if self.data_type == "DATE" {
            if let Ok(ms) = v.value_json.trim().trim_matches('"').parse::<i64>() {
                if let Ok(ts) = jiff::Timestamp::from_millisecond(ms) {
                    return ts.to_zoned(jiff::tz::TimeZone::UTC).date().to_string();
                }
            }
        }
        v.display()
    }
}

/// A custom field value shown by its definition when known (see [`CustomFieldDef::format`]).
pub fn format_custom(def: Option<&CustomFieldDef>, v: &super::CustomFieldValue) -> String {
    def.map(|d| d.format(v)).unwrap_or_else(|| v.display())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_fields_in_epoch_ms_show_as_dates() {
        let d = CustomFieldDef {
            data_type: "DATE".into(),
            ..Default::default()
        };
        let v = crate::domain::CustomFieldValue {
            id: "x".into(),
            value_json: "1810425600000".into(),
        };
        assert_eq!(d.format(&v), "2027-05-16");
        let t = CustomFieldDef {
            data_type: "TEXT".into(),
            ..Default::default()
        };
        assert_eq!(t.format(&v), "1810425600000");
    }
}
