//! Proposing Contacts API operations ([`ContactOp`]: workflows, campaigns, followers, business,
//! bulk tags, upsert) as pending changes, and the location's lists people choose from
//! (workflows, campaigns, users, businesses), cached so the pickers work offline.
//!
//! An operation is a [`Change`] with `subject: Subject::Op(op)`, reviewed and sent through the
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
    /// `GET /locations/{locationId}/tags` (scope `locations/tags.readonly`): tag names to
    /// complete from.
    Tags,
}

impl ListKind {
    pub const ALL: [ListKind; 5] = [
        ListKind::Workflows,
        ListKind::Campaigns,
        ListKind::Users,
        ListKind::Businesses,
        ListKind::Tags,
    ];

    /// `workflows`, `campaigns`, `users`, `businesses`.
    pub fn label(self) -> &'static str {
        match self {
            ListKind::Workflows => "workflows",
            ListKind::Campaigns => "campaigns",
            ListKind::Users => "users",
            ListKind::Businesses => "businesses",
            ListKind::Tags => "tags",
        }
    }

    /// One item of the list: `workflow`, `campaign`, `user`, `business`.
    pub fn singular(self) -> &'static str {
        match self {
            ListKind::Workflows => "workflow",
            ListKind::Campaigns => "campaign",
            ListKind::Users => "user",
            ListKind::Businesses => "business",
            ListKind::Tags => "tag",
        }
    }
}

/// The singular of a list's label (`workflows` → `workflow`); any other word as it is.
fn singular_of(what: &str) -> &str {
    ListKind::ALL
        .iter()
        .find(|k| k.label() == what)
        .map_or(what, |k| k.singular())
}

/// The cache's `meta` key holding the list of `kind` (JSON array of [`Named`]).
fn meta_key(kind: ListKind) -> String {
    format!("list:{}", kind.label())
}

/// The cached list of `kind`, sorted by name; `None` when it was never fetched (or the cached
/// value is unreadable, which a refresh mends).
pub fn cached_list(store: &Store, kind: ListKind) -> Result<Option<Vec<Named>>, StoreError> {
    Ok(store
        .meta(&meta_key(kind))
        .and_then(|s| serde_json::from_str::<Vec<Named>>(&s).ok()))
}

/// The location's users as cached ([`ListKind::Users`]), for names instead of ids; empty when
/// the list was never fetched or cannot be read (ids are then shown as unknown users).
pub fn cached_users(store: &Store) -> crate::domain::UserDirectory {
    let list = cached_list(store, ListKind::Users)
        .ok()
        .flatten()
        .unwrap_or_default();
    crate::domain::UserDirectory::new(&list)
}

/// Stores the list of `kind` in the cache, sorted by name (then id).
pub fn put_list(store: &Store, kind: ListKind, items: &[Named]) -> Result<(), StoreError> {
    let mut v = items.to_vec();
    v.sort_by(|a, b| {
        a.name
            .to_lowercase()
            .cmp(&b.name.to_lowercase())
            .then_with(|| a.id.cmp(&b.id))
    });
    let text = serde_json::to_string(&v).expect("JSON encoding of plain data cannot fail");
    store.set_meta(&meta_key(kind), &text)
}

/// The business contact `c` is associated with (`businessId` of the raw GHL record), if any.
/// Pure: reads `c.raw_json`, so a contact loaded without its raw record has none.
pub fn business_of(c: &crate::domain::Contact) -> Option<String> {
    raw_field(c, "businessId").and_then(|v| v.as_str().map(crate::sanitize::clean_line))
}

/// The user ids following contact `c` (`followers` of the raw GHL record).
pub fn followers_of(c: &crate::domain::Contact) -> Vec<String> {
    raw_field(c, "followers")
        .and_then(|v| {
            v.as_array().map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(crate::sanitize::clean_line))
                    .collect()
            })
        })
        .unwrap_or_default()
}

fn raw_field(c: &crate::domain::Contact, key: &str) -> Option<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_str(&c.raw_json).ok()?;
    v.get(key).filter(|x| !x.is_null()).cloned()
}

/// The business of cached contact `id` (from the cached raw record); `None` when the contact
/// is not cached or has no business. For the offline business filter.
pub fn cached_business_of(store: &Store, id: &str) -> Result<Option<String>, StoreError> {
    Ok(store.contact(id)?.as_ref().and_then(business_of))
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

/// Why an operation was not proposed.
#[derive(Debug, thiserror::Error)]
pub enum ProposeError {
    /// The operation is malformed (no tag, no user, a start time in the past, …).
    #[error(transparent)]
    Invalid(#[from] super::op_check::InvalidOp),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Stores `p` as a pending change (origin `local`) and returns it, its operation cleaned and
/// checked first ([`super::op_check::checked`]: every path, TUI and CLI, goes through here).
/// Errors: the operation is malformed (nothing stored); the store failed.
pub fn propose(store: &Store, p: Proposal) -> Result<Change, ProposeError> {
    let at = jiff::Timestamp::now();
    let op = super::op_check::checked(p.op, p.contact_id.as_deref(), at)?;
    let p = Proposal { op, ..p };
    let now = at.to_string();
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
        subject: Subject::Op(p.op),
        target: Target::Ghl,
        choice: None,
        matched: None,
        removable_tags: Vec::new(),
    };
    store.put_change(&c)?;
    store.flush()?;
    Ok(c)
}

/// Fetches the list of `kind` from GHL (`GET /workflows/`, `/campaigns/`, `/users/`,
/// `/businesses/` every page), names sanitized, unsorted.
pub async fn fetch_list(
    client: &crate::ghl::GhlClient,
    kind: ListKind,
) -> Result<Vec<Named>, crate::ghl::GhlError> {
    match kind {
        ListKind::Workflows => client.workflows().await,
        ListKind::Campaigns => client.campaigns().await,
        ListKind::Users => client.users().await,
        ListKind::Businesses => client.businesses().await,
        ListKind::Tags => client.location_tags().await,
    }
}

/// Fetches every list of [`ListKind::ALL`] from GHL into the cache: for each, how many items it
/// has, or GHL's error (a missing scope names the scope, see
/// [`crate::ghl::error::advice_for_endpoint`]). A list GHL refused keeps its cached copy.
pub async fn refresh_lists(
    client: &crate::ghl::GhlClient,
    store: &Store,
) -> Vec<(ListKind, Result<usize, crate::ghl::GhlError>)> {
    let mut out = Vec::new();
    for kind in ListKind::ALL {
        let r = match fetch_list(client, kind).await {
            Ok(items) => {
                if let Err(e) = put_list(store, kind, &items) {
                    tracing::warn!(error = %e, list = kind.label(), "list not cached");
                }
                Ok(items.len())
            }
            Err(e) => Err(e),
        };
        out.push((kind, r));
    }
    out
}

/// The ids of the contacts associated with `business_id` (`GET /contacts/business/{id}`, every
/// page), in GHL's order.
pub async fn business_contact_ids(
    client: &crate::ghl::GhlClient,
    business_id: &str,
) -> Result<Vec<String>, crate::ghl::GhlError> {
    Ok(client
        .business_contacts(business_id)
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect())
}

/// Why a name did not pick one item of a list.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PickError {
    #[error("no {} matches \"{query}\"", singular_of(what))]
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
    if q.is_empty() {
        // An empty name picks nothing (it is contained in every name).
        return Err(PickError::None {
            what,
            query: query.to_owned(),
        });
    }
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
        // One workflow is missing, not "workflows".
        assert_eq!(
            find_named(&l, "Nope", "workflows").unwrap_err().to_string(),
            "no workflow matches \"Nope\""
        );
        assert_eq!(
            find_named(&l, "Nope", "businesses")
                .unwrap_err()
                .to_string(),
            "no business matches \"Nope\""
        );
        let one = vec![n("w1", "Nurture")];
        assert!(matches!(
            find_named(&one, " ", "workflows"),
            Err(PickError::None { .. })
        ));
    }
}
