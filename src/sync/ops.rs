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

/// Fetches every list of [`ListKind::ALL`] from GHL into the cache: for each, how many items it
/// has, or GHL's error (a missing scope names the scope). Filled in by the operations work.
pub async fn refresh_lists(
    _client: &crate::ghl::GhlClient,
    _store: &Store,
) -> Vec<(ListKind, Result<usize, crate::ghl::GhlError>)> {
    Vec::new()
}

/// Why a name did not pick one item of a list.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PickError {
    #[error("no {what} matches \"{query}\"")]
    None { what: &'static str, query: String },
    #[error("\"{query}\" matches several {what}: {}", names.join(", "))]
    Several {
        what: &'static str,
        query: String,
        names: Vec<String>,
    },
}

/// The item of `list` that `query` names: its id, or its name (case-insensitive) exactly, else
/// the only name containing it. `what` names the list in errors (`workflows`).
/// Errors: nothing matches, or several names contain `query` and none equals it.
pub fn find_named<'a>(
    list: &'a [Named],
    query: &str,
    what: &'static str,
) -> Result<&'a Named, PickError> {
    let q = query.trim().to_lowercase();
    if let Some(n) = list
        .iter()
        .find(|n| n.id == query.trim() || n.name.to_lowercase() == q)
    {
        return Ok(n);
    }
    let hits: Vec<&Named> = list
        .iter()
        .filter(|n| n.name.to_lowercase().contains(&q))
        .collect();
    match hits.as_slice() {
        [one] => Ok(one),
        [] => Err(PickError::None {
            what,
            query: query.to_owned(),
        }),
        many => Err(PickError::Several {
            what,
            query: query.to_owned(),
            names: many.iter().map(|n| n.name.clone()).collect(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(id: &str, name: &str) -> Named {
        Named {
            id: id.into(),
            name: name.into(),
        }
    }

    #[test]
    fn find_named_prefers_exact_then_unique_substring() {
        let l = vec![n("w1", "Nurture"), n("w2", "Nurture 2"), n("w3", "Welcome")];
        assert_eq!(find_named(&l, "nurture", "workflows").unwrap().id, "w1");
        assert_eq!(find_named(&l, "w3", "workflows").unwrap().name, "Welcome");
        assert_eq!(find_named(&l, "welc", "workflows").unwrap().id, "w3");
        assert!(matches!(
            find_named(&l, "urt", "workflows"),
            Err(PickError::Several { .. })
        ));
        assert!(matches!(
            find_named(&l, "zzz", "workflows"),
            Err(PickError::None { .. })
        ));
    }
}
