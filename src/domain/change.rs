//! A change Bmby (or a person) wants to make in GHL, reviewed before anything is written.

use serde::{Deserialize, Serialize};

/// What a change does to GHL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// No GHL contact matches the Bmby client: create one (`POST /contacts/`).
    Create,
    /// Update the differing fields of the matched contact (`PUT /contacts/{id}`).
    Update,
    /// A linked client is missing from a full export: delete the contact (`DELETE /contacts/{id}`).
    Delete,
    /// Email and phone point at different GHL contacts: a person must choose; never guessed.
    Ambiguous,
}

impl ChangeKind {
    pub fn label(self) -> &'static str {
        match self {
            ChangeKind::Create => "create",
            ChangeKind::Update => "update",
            ChangeKind::Delete => "delete",
            ChangeKind::Ambiguous => "ambiguous",
        }
    }
}

/// Where a change stands in review. (Dispatch states come with the outbox.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeState {
    Pending,
    Approved,
    Rejected,
}

impl ChangeState {
    pub fn label(self) -> &'static str {
        match self {
            ChangeState::Pending => "pending",
            ChangeState::Approved => "approved",
            ChangeState::Rejected => "rejected",
        }
    }
}

/// One field of a change: what GHL has now and what is proposed. Values are display text
/// (phones in E.164, tags joined with `, `); `None` is an empty field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    /// GHL field name (`firstName`, `email`, `phone`, `address1`, `city`, `tags`) or
    /// `customFields.<id>` for a custom field.
    pub field: String,
    /// What to call it on screen (`First name`, a custom field's name).
    pub label: String,
    /// The Bmby field it comes from (`fname`, `phone_mobile`, …).
    pub source_field: String,
    pub ghl_now: Option<String>,
    pub proposed: Option<String>,
    /// True once a person edited the proposed value.
    pub edited: bool,
}

/// A GHL contact that matched an ambiguous client, and on what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    pub contact_id: String,
    pub name: String,
    /// `email` or `phone`.
    pub matched_on: String,
}

/// A reviewed unit of work: one Bmby client against one GHL contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// Sequence number, unique in the location's database.
    pub id: u64,
    pub kind: ChangeKind,
    pub state: ChangeState,
    /// Bmby `client_id`.
    pub client_id: String,
    /// The GHL contact this change applies to (none for a create or an unresolved ambiguity).
    pub contact_id: Option<String>,
    /// A name to show for the change (the contact's, else the Bmby client's).
    pub display_name: String,
    pub fields: Vec<FieldChange>,
    /// GHL `dateUpdated` of the contact when the diff was computed (the base for conflict checks).
    pub base_date_updated: Option<String>,
    /// File name or `Bmby SOAP GetAll`, with the row when known (`clients.csv row 12`).
    pub origin: String,
    /// Notes for the reviewer: flagged phones, ambiguous matches, skipped mappings.
    pub warnings: Vec<String>,
    pub candidates: Vec<Candidate>,
    /// Hash of what the Bmby data proposes (before edits); reading the same data again
    /// recognizes it and adds nothing.
    pub fingerprint: String,
    /// RFC 3339 UTC.
    pub created_at: String,
    pub updated_at: String,
}

impl Change {
    /// Number of fields that would change.
    pub fn field_count(&self) -> usize {
        self.fields.len()
    }
}
