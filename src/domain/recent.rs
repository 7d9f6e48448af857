//! What a pull saw change in GHL: for each contact it overwrote in the cache, the field-level
//! difference between the cached record and the one GHL sent (or that the contact is new),
//! with the time it was seen. Recorded by [`crate::sync::recent`], kept in the store's
//! `recent` tree ([`crate::store::Store::put_recent`]), listed by the TUI's `U` and
//! `bmby-ghl recent`. Pure data: no I/O.

use serde::{Deserialize, Serialize};

/// One contact as one pull (or one contact fetch) saw it change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecentChange {
    /// When the pull stored the new record: RFC 3339 UTC (`2026-12-03T12:03:41.120Z`).
    pub seen_at: String,
    pub contact_id: String,
    /// The contact's display name in the new record (sanitized, as every cached string).
    pub name: String,
    /// GHL's `dateUpdated` of the new record (ISO 8601 UTC), when it has one.
    #[serde(default)]
    pub date_updated: Option<String>,
    /// The cache did not hold the contact: GHL created it (or the cache had never seen it).
    #[serde(default)]
    pub created: bool,
    /// What changed (empty for a created contact): names, email, phone, tags, owner, DND,
    /// custom fields and the other fields the cache models, in display order.
    #[serde(default)]
    pub fields: Vec<RecentField>,
    /// GHL's `dateUpdated` moved on but no field the cache models changed: GHL changed one
    /// bmby-ghl does not show (a phone's label, an attribution, …).
    #[serde(default)]
    pub unshown: bool,
    /// What saw the change: a pull (the default, also of records written before this field
    /// existed) or a GHL webhook ([`crate::webhooks`]): "updated from GHL just now".
    #[serde(default)]
    pub source: RecentSource,
}

/// Where a [`RecentChange`] was seen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecentSource {
    /// A pull (or a contact fetch) found it changed.
    #[default]
    Pull,
    /// A GHL webhook event told us, as it happened.
    Webhook,
    /// Our own send (the outbox) changed it; the fields are GHL's answer against the record
    /// read just before the write.
    Sent,
}

/// One field of a [`RecentChange`]: its value before and after, as display text (custom
/// fields by their display value, tags joined with `, `, instants as ISO 8601 UTC).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecentField {
    /// The field as changes name it: `email`, `tags`, `assignedTo`, `dnd`, `dnd.SMS`,
    /// `customFields.<id>`.
    pub field: String,
    /// For people: `Email`, `Owner`, `DND SMS`, a custom field's name.
    pub label: String,
    /// `None` = empty.
    #[serde(default)]
    pub before: Option<String>,
    #[serde(default)]
    pub after: Option<String>,
    /// For a list field (tags): the items added and removed, so a person reads `+vip −old`.
    #[serde(default)]
    pub added: Vec<String>,
    #[serde(default)]
    pub removed: Vec<String>,
}
