//! Every operation of GHL's Contacts API (`../shared/ghl-api/apps/contacts.json`, 32 of them),
//! with how this program reaches it: the TUI registry action, the `bmby-ghl` commands (`op …`
//! and others), or the written reason it is not offered. `tests/op_catalog.rs` checks the list
//! against the spec (method, path, scope), so a new GHL operation cannot go unnoticed.

use serde::Serialize;

/// How an operation is reached, or why it is not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reach {
    /// TUI registry action ids that send (or read) it (`contact.workflow_add`).
    pub tui: &'static [&'static str],
    /// `bmby-ghl op` commands that run it (`workflow-add`); empty when `op` does not offer it.
    pub op: &'static [&'static str],
    /// Other `bmby-ghl` commands that use it (`apply`, `sync`, `contact ID`).
    pub cli: &'static [&'static str],
    /// Why it is not offered directly (set exactly when `tui` and `op` are both empty).
    pub reason: Option<&'static str>,
}

/// One GHL Contacts API operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    /// The catalog name (kebab-case; for the operations of [`crate::domain::ContactOp`] the same
    /// as [`ContactOp::name`](crate::domain::ContactOp::name)).
    pub name: &'static str,
    /// The spec's `operationId`.
    pub operation_id: &'static str,
    /// `GET`, `POST`, `PUT` or `DELETE`.
    pub method: &'static str,
    /// The path exactly as in the spec (`/contacts/{contactId}/workflow/{workflowId}`).
    pub path: &'static str,
    /// The OAuth scope it needs (`contacts.readonly`, `contacts.write`).
    pub scope: &'static str,
    /// Set when the spec's `security` is empty and the scope above is ours (the two bulk
    /// endpoints: they write contacts, so `contacts.write`).
    pub scope_note: Option<&'static str>,
    /// True when it changes data in GHL.
    pub writes: bool,
    /// What it does, in a few words.
    pub summary: &'static str,
    pub reach: Reach,
}

impl Operation {
    /// True when a person can run it (from the TUI or `op`), false when left out with a reason.
    pub fn offered(&self) -> bool {
        !self.reach.tui.is_empty() || !self.reach.op.is_empty()
    }
}

const R: &str = "contacts.readonly";
const W: &str = "contacts.write";
const BULK_SCOPE: &str =
    "the spec lists no security for this endpoint; it writes contacts, so contacts.write";

const fn reach(
    tui: &'static [&'static str],
    op: &'static [&'static str],
    cli: &'static [&'static str],
) -> Reach {
    Reach {
        tui,
        op,
        cli,
        reason: None,
    }
}

const fn left_out(cli: &'static [&'static str], reason: &'static str) -> Reach {
    Reach {
        tui: &[],
        op: &[],
        cli,
        reason: Some(reason),
    }
}

#[allow(clippy::too_many_arguments)]
const fn op(
    name: &'static str,
    operation_id: &'static str,
    method: &'static str,
    path: &'static str,
    scope: &'static str,
    writes: bool,
    summary: &'static str,
    reach: Reach,
) -> Operation {
    Operation {
        name,
        operation_id,
        method,
        path,
        scope,
        scope_note: None,
        writes,
        summary,
        reach,
    }
}

const fn bulk(mut o: Operation) -> Operation {
    o.scope_note = Some(BULK_SCOPE);
    o
}

/// The catalog, in the spec's order.
#[rustfmt::skip]
pub const CATALOG: &[Operation] = &[
    op("search", "search-contacts-advanced", "POST", "/contacts/search", R, false,
        "search contacts (filters, sort, pages)",
        reach(&["sync.pull", "sync.pull_full"], &["search"], &["sync", "contacts"])),
    op("find-duplicate", "get-duplicate-contact", "GET", "/contacts/search/duplicate", R, false,
        "the contact GHL treats as the same person (email, phone)",
        reach(&[], &["find-duplicate"], &["apply (look-up before a create)"])),
    op("tasks", "get-all-tasks", "GET", "/contacts/{contactId}/tasks", R, false,
        "a contact's tasks",
        reach(&["contact.open", "contact.refresh"], &["tasks"], &["contact ID"])),
    op("create-task", "create-task", "POST", "/contacts/{contactId}/tasks", W, true,
        "new task",
        reach(&["activity.new"], &["create-task"], &["apply"])),
    op("get-task", "get-task", "GET", "/contacts/{contactId}/tasks/{taskId}", R, false,
        "one task",
        left_out(&[], "covered by the list of the contact's tasks (op tasks), which holds every field")),
    op("update-task", "update-task", "PUT", "/contacts/{contactId}/tasks/{taskId}", W, true,
        "edit a task",
        reach(&["activity.edit"], &["update-task"], &["apply"])),
    op("delete-task", "delete-task", "DELETE", "/contacts/{contactId}/tasks/{taskId}", W, true,
        "delete a task",
        reach(&["activity.delete"], &["delete-task"], &["apply"])),
    op("complete-task", "update-task-completed", "PUT",
        "/contacts/{contactId}/tasks/{taskId}/completed", W, true,
        "complete or reopen a task",
        reach(&["task.toggle_done"], &["complete-task"], &["apply"])),
    op("appointments", "get-appointments-for-contact", "GET",
        "/contacts/{contactId}/appointments", R, false,
        "a contact's appointments",
        reach(&["contact.open", "contact.refresh"], &["appointments"], &["contact ID"])),
    op("add-tags", "add-tags", "POST", "/contacts/{contactId}/tags", W, true,
        "add tags to a contact",
        reach(&["contact.edit_field"], &["add-tags"], &["apply"])),
    op("remove-tags", "remove-tags", "DELETE", "/contacts/{contactId}/tags", W, true,
        "remove tags from a contact",
        reach(&["contact.edit_field"], &["remove-tags"], &["apply"])),
    op("notes", "get-all-notes", "GET", "/contacts/{contactId}/notes", R, false,
        "a contact's notes",
        reach(&["contact.open", "contact.refresh"], &["notes"], &["contact ID"])),
    op("create-note", "create-note", "POST", "/contacts/{contactId}/notes", W, true,
        "new note",
        reach(&["activity.new"], &["create-note"], &["apply"])),
    op("get-note", "get-note", "GET", "/contacts/{contactId}/notes/{id}", R, false,
        "one note",
        left_out(&[], "covered by the list of the contact's notes (op notes), which holds every field")),
    op("update-note", "update-note", "PUT", "/contacts/{contactId}/notes/{id}", W, true,
        "edit a note",
        reach(&["activity.edit"], &["update-note"], &["apply"])),
    op("delete-note", "delete-note", "DELETE", "/contacts/{contactId}/notes/{id}", W, true,
        "delete a note",
        reach(&["activity.delete"], &["delete-note"], &["apply"])),
    bulk(op("bulk-tags", "create-association", "POST", "/contacts/bulk/tags/update/{type}", W,
        true, "add or remove tags on many contacts",
        reach(&["contacts.tags_add", "contacts.tags_remove"], &["bulk-tags"], &["apply"]))),
    bulk(op("business", "add-remove-contact-from-business", "POST", "/contacts/bulk/business", W,
        true, "associate contacts with a business, or clear it",
        reach(&["contacts.business_set", "contacts.business_clear"],
            &["business-set", "business-clear"], &["apply"]))),
    op("get-contact", "get-contact", "GET", "/contacts/{contactId}", R, false,
        "one contact",
        reach(&["contact.open", "contact.refresh"], &["get-contact"],
            &["contact ID", "apply (conflict check)"])),
    op("update-contact", "update-contact", "PUT", "/contacts/{contactId}", W, true,
        "edit a contact's fields",
        reach(&["contact.edit_field"], &["update-contact"], &["apply (Bmby imports)"])),
    op("delete-contact", "delete-contact", "DELETE", "/contacts/{contactId}", W, true,
        "delete a contact",
        reach(&[], &["delete-contact"], &["apply (full Bmby imports)"])),
    op("upsert", "upsert-contact", "POST", "/contacts/upsert", W, true,
        "create a contact if missing (held when email and phone disagree)",
        reach(&[], &["upsert"], &["apply"])),
    op("business-contacts", "get-contacts-by-businessId", "GET",
        "/contacts/business/{businessId}", R, false,
        "the contacts of a business",
        reach(&["contacts.filter_business"], &["business-contacts"], &[])),
    op("followers-add", "add-followers-contact", "POST", "/contacts/{contactId}/followers", W,
        true, "make users followers of a contact",
        reach(&["contact.follower_add"], &["followers-add"], &["apply"])),
    op("followers-remove", "remove-followers-contact", "DELETE",
        "/contacts/{contactId}/followers", W, true,
        "remove followers of a contact",
        reach(&["contact.follower_remove"], &["followers-remove"], &["apply"])),
    op("campaign-add", "add-contact-to-campaign", "POST",
        "/contacts/{contactId}/campaigns/{campaignId}", W, true,
        "add a contact to a campaign",
        reach(&["contact.campaign_add"], &["campaign-add"], &["apply"])),
    op("campaign-remove", "remove-contact-from-campaign", "DELETE",
        "/contacts/{contactId}/campaigns/{campaignId}", W, true,
        "remove a contact from a campaign",
        reach(&["contact.campaign_remove"], &["campaign-remove"], &["apply"])),
    op("campaign-remove-all", "remove-contact-from-every-campaign", "DELETE",
        "/contacts/{contactId}/campaigns/removeAll", W, true,
        "remove a contact from every campaign",
        reach(&["contact.campaign_remove_all"], &["campaign-remove-all"], &["apply"])),
    op("workflow-add", "add-contact-to-workflow", "POST",
        "/contacts/{contactId}/workflow/{workflowId}", W, true,
        "add a contact to a workflow",
        reach(&["contact.workflow_add"], &["workflow-add"], &["apply"])),
    op("workflow-remove", "delete-contact-from-workflow", "DELETE",
        "/contacts/{contactId}/workflow/{workflowId}", W, true,
        "remove a contact from a workflow",
        reach(&["contact.workflow_remove"], &["workflow-remove"], &["apply"])),
    op("create-contact", "create-contact", "POST", "/contacts/", W, true,
        "new contact (looked up first: never a duplicate)",
        left_out(&["import", "bmby pull", "apply"], "created from Bmby clients (import or bmby pull, then apply), \
            whose look-up before sending keeps a create from duplicating a contact and links it to \
            its client; without a Bmby client, op upsert creates one if missing")),
    op("get-contacts", "get-contacts", "GET", "/contacts/", R, false,
        "list contacts (deprecated)",
        left_out(&[], "deprecated by GHL: use search (POST /contacts/search), which sync and op search use")),
];

/// The operation named `name`: its catalog name or one of its `op` commands.
pub fn by_name(name: &str) -> Option<&'static Operation> {
    CATALOG
        .iter()
        .find(|o| o.name == name || o.reach.op.contains(&name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_reasons_exactly_for_left_out() {
        let mut names: Vec<&str> = CATALOG.iter().map(|o| o.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), CATALOG.len());
        for o in CATALOG {
            for c in o.reach.op {
                if *c != o.name {
                    assert!(by_name(c).is_some_and(|x| x.name == o.name), "{c}");
                }
            }
            assert_eq!(o.offered(), o.reach.reason.is_none(), "{}", o.name);
            assert!(!o.writes || o.scope == W, "{}", o.name);
        }
        assert_eq!(CATALOG.len(), 32);
    }

    #[test]
    fn new_operation_names_match_contact_op_names() {
        use crate::domain::{ContactOp, Named};
        let n = Named {
            id: "x".into(),
            name: "x".into(),
        };
        for op in [
            ContactOp::WorkflowAdd {
                workflow: n.clone(),
                event_start_time: None,
            },
            ContactOp::WorkflowRemove {
                workflow: n.clone(),
            },
            ContactOp::CampaignAdd {
                campaign: n.clone(),
            },
            ContactOp::CampaignRemove {
                campaign: n.clone(),
            },
            ContactOp::CampaignRemoveAll,
            ContactOp::FollowersAdd { users: vec![] },
            ContactOp::FollowersRemove { users: vec![] },
            ContactOp::Business {
                business: None,
                contact_ids: vec![],
            },
            ContactOp::BulkTags {
                add: true,
                tags: vec![],
                contact_ids: vec![],
            },
            ContactOp::Upsert,
        ] {
            assert!(
                CATALOG.iter().any(|o| o.name == op.name() && o.writes),
                "{}",
                op.name()
            );
        }
    }
}
