//! The GHL Contacts API operations that are neither a field edit nor a task or note: workflows,
//! campaigns, followers, business association, bulk tags and upsert. Each is a value stored in a
//! [`Change`](super::Change) (`Subject::Op`), reviewed, then sent through the outbox like any
//! other write.
//!
//! Names (workflow, campaign, user, business) are kept beside the ids so that lists, the
//! journal and the dry run can say what a person chose even offline.

use serde::{Deserialize, Serialize};

/// Something in the location referred to by id, with the name it had when it was chosen
/// (a workflow, campaign, user or business).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Named {
    pub id: String,
    pub name: String,
}

/// One Contacts API operation as a reviewed write. The contact(s) it applies to are the
/// change's `contact_id` for single-contact operations and `contact_ids` here for bulk ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "op")]
pub enum ContactOp {
    /// `POST /contacts/{contactId}/workflow/{workflowId}` with `{eventStartTime?}` (ISO 8601).
    /// GHL has no way to ask whether a contact is in a workflow, so a lost answer is never sent
    /// again: it fails asking a person to check GHL.
    WorkflowAdd {
        workflow: Named,
        #[serde(default)]
        event_start_time: Option<String>,
    },
    /// `DELETE /contacts/{contactId}/workflow/{workflowId}`.
    WorkflowRemove { workflow: Named },
    /// `POST /contacts/{contactId}/campaigns/{campaignId}` (sent at most once, as a workflow add).
    CampaignAdd { campaign: Named },
    /// `DELETE /contacts/{contactId}/campaigns/{campaignId}`.
    CampaignRemove { campaign: Named },
    /// `DELETE /contacts/{contactId}/campaigns/removeAll`.
    CampaignRemoveAll,
    /// `POST /contacts/{contactId}/followers` with `{followers: [userId]}`.
    FollowersAdd { users: Vec<Named> },
    /// `DELETE /contacts/{contactId}/followers` with `{followers: [userId]}`.
    FollowersRemove { users: Vec<Named> },
    /// `POST /contacts/bulk/business` with `{locationId, ids, businessId}`; `business: None`
    /// clears the association (`businessId: null`).
    Business {
        business: Option<Named>,
        contact_ids: Vec<String>,
    },
    /// `POST /contacts/bulk/tags/update/{type}` with `{contacts, tags, locationId}`; `add` picks
    /// `type` = `add` or `remove`.
    BulkTags {
        add: bool,
        tags: Vec<String>,
        contact_ids: Vec<String>,
    },
    /// `POST /contacts/upsert` with the change's fields. Only for "create if missing": it is
    /// held when email and phone belong to different contacts, or when the email is not the
    /// primary email of the contact it would match (ghl-pitfalls.md §5, §6).
    Upsert,
}

impl ContactOp {
    /// The registry name of the operation (`contact.workflow_add`, …); also the `op` CLI name
    /// without its `contact.` prefix.
    pub fn name(&self) -> &'static str {
        match self {
            ContactOp::WorkflowAdd { .. } => "workflow-add",
            ContactOp::WorkflowRemove { .. } => "workflow-remove",
            ContactOp::CampaignAdd { .. } => "campaign-add",
            ContactOp::CampaignRemove { .. } => "campaign-remove",
            ContactOp::CampaignRemoveAll => "campaign-remove-all",
            ContactOp::FollowersAdd { .. } => "followers-add",
            ContactOp::FollowersRemove { .. } => "followers-remove",
            ContactOp::Business { .. } => "business",
            ContactOp::BulkTags { .. } => "bulk-tags",
            ContactOp::Upsert => "upsert",
        }
    }

    /// What the operation does, for lists, the diff header and the journal:
    /// `add to workflow Nurture`, `tag 40 contacts: vip`.
    pub fn describe(&self) -> String {
        fn names(v: &[Named]) -> String {
            v.iter()
                .map(|n| n.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        }
        fn count(n: usize) -> String {
            format!("{n} contact{}", if n == 1 { "" } else { "s" })
        }
        match self {
            ContactOp::WorkflowAdd { workflow, .. } => format!("add to workflow {}", workflow.name),
            ContactOp::WorkflowRemove { workflow } => {
                format!("remove from workflow {}", workflow.name)
            }
            ContactOp::CampaignAdd { campaign } => format!("add to campaign {}", campaign.name),
            ContactOp::CampaignRemove { campaign } => {
                format!("remove from campaign {}", campaign.name)
            }
            ContactOp::CampaignRemoveAll => "remove from every campaign".into(),
            ContactOp::FollowersAdd { users } => format!("add follower {}", names(users)),
            ContactOp::FollowersRemove { users } => format!("remove follower {}", names(users)),
            ContactOp::Business {
                business: Some(b),
                contact_ids,
            } => format!("business {} for {}", b.name, count(contact_ids.len())),
            ContactOp::Business {
                business: None,
                contact_ids,
            } => format!("clear business of {}", count(contact_ids.len())),
            ContactOp::BulkTags {
                add,
                tags,
                contact_ids,
            } => format!(
                "{} {}: {}",
                if *add { "tag" } else { "untag" },
                count(contact_ids.len()),
                tags.join(", ")
            ),
            ContactOp::Upsert => "upsert".into(),
        }
    }

    /// True for operations over many contacts (`contact_ids`), false for one (`contact_id`).
    pub fn is_bulk(&self) -> bool {
        matches!(
            self,
            ContactOp::Business { .. } | ContactOp::BulkTags { .. }
        )
    }
}

/// What an operation's write actually changed, per contact, as GHL's answer (or, when the answer
/// does not say, the contact as cached just before the write) showed it. Kept in the journal
/// entry's `snapshot` (JSON `{"changed": {contactId: [..]}, "business_before": {..},
/// "unknown": [..]}`) so that a revert undoes only what the write did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpEffect {
    /// Contact id → the tags (bulk tags) or follower user ids (followers) the write added (an
    /// add) or removed (a remove). Contacts it did not change are absent.
    pub changed: std::collections::BTreeMap<String, Vec<String>>,
    /// For a business set: contact id → the business it had before (`None`: none), only for
    /// contacts whose business the write changed.
    #[serde(default)]
    pub business_before: std::collections::BTreeMap<String, Option<Named>>,
    /// Contacts the write may have changed, but neither the answer nor the cache said how.
    #[serde(default)]
    pub unknown: Vec<String>,
}

impl OpEffect {
    /// The effect kept in a journal entry's `snapshot`, if it holds one (entries written before
    /// effects were kept have none).
    pub fn from_snapshot(snapshot: Option<&serde_json::Value>) -> Option<OpEffect> {
        serde_json::from_value(snapshot?.clone()).ok()
    }

    /// True when the write changed nothing that is known.
    pub fn is_empty(&self) -> bool {
        self.changed.values().all(Vec::is_empty) && self.business_before.is_empty()
    }
}
