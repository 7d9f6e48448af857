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
