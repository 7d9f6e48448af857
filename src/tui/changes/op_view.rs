//! How a Contacts API operation change (`Subject::Op`: workflows, campaigns, followers,
//! business, bulk tags, upsert) reads on the changes screen: its badge and name in the list,
//! a section in the diff pane (what it does, the workflow/campaign/user/business by name and
//! id, for bulk operations the count and the first contacts, and the GHL request it sends, from
//! the same [`crate::sync::dispatch::plan`] values the sender uses), and its journal
//! lines. Every name from GHL is sanitized here. No drawing: the diff pane styles the looks.

use crate::domain::{Change, ContactOp, JournalEntry, Named, Subject};
use crate::tui::look::{Look, TextLine};
use crate::tui::text;

/// The list's kind column for an operation (at most 11 columns, readable without colour).
pub fn badge(op: &ContactOp) -> &'static str {
    match op {
        ContactOp::WorkflowAdd { .. } => "+ workflow",
        ContactOp::WorkflowRemove { .. } => "- workflow",
        ContactOp::CampaignAdd { .. } => "+ campaign",
        ContactOp::CampaignRemove { .. } => "- campaign",
        ContactOp::CampaignRemoveAll => "- campaigns",
        ContactOp::FollowersAdd { .. } => "+ follower",
        ContactOp::FollowersRemove { .. } => "- follower",
        ContactOp::Business {
            business: Some(_), ..
        } => "~ business",
        ContactOp::Business { business: None, .. } => "- business",
        ContactOp::BulkTags { add: true, .. } => "+ tags",
        ContactOp::BulkTags { add: false, .. } => "- tags",
        ContactOp::Upsert => "~ upsert",
    }
}

/// The list's name cell for an operation change (sanitized by the list): the contact first
/// for one contact (`Dana Levi · add to workflow Nurture`), what it does first for a bulk
/// operation, whose name is only a sample (`tag 3 contacts: vip · Dana Levi, Ann +1`).
pub fn list_name(c: &Change, op: &ContactOp) -> String {
    if c.display_name.is_empty() {
        op.describe()
    } else if op.is_bulk() {
        format!("{} · {}", op.describe(), c.display_name)
    } else {
        format!("{} · {}", c.display_name, op.describe())
    }
}

fn named(n: &Named) -> String {
    format!("{} ({})", text::clean(&n.name), text::clean(&n.id))
}

fn plural(n: usize, w: &str) -> String {
    format!("{n} {w}{}", if n == 1 { "" } else { "s" })
}

/// The contacts of a bulk operation (`None` for one on a single contact).
pub fn bulk_ids(op: &ContactOp) -> Option<&[String]> {
    match op {
        ContactOp::Business { contact_ids, .. } | ContactOp::BulkTags { contact_ids, .. } => {
            Some(contact_ids)
        }
        _ => None,
    }
}

/// `label: value` lines describing `op` (what, on what), before the contacts.
fn what(op: &ContactOp) -> Vec<(String, String)> {
    let users = |v: &[Named]| v.iter().map(named).collect::<Vec<_>>().join(", ");
    match op {
        ContactOp::WorkflowAdd {
            workflow,
            event_start_time,
        } => vec![
            ("Workflow".into(), named(workflow)),
            (
                "Starts".into(),
                event_start_time.as_deref().map_or_else(
                    || "now (no event start time)".to_owned(),
                    |s| text::clean(&crate::clock::value(s)),
                ),
            ),
            (
                "Note".into(),
                "GHL cannot be asked whether a contact is in a workflow: a lost answer is never sent again, it fails asking you to check GHL".into(),
            ),
        ],
        ContactOp::WorkflowRemove { workflow } => vec![
            ("Workflow".into(), named(workflow)),
            ("Does".into(), "takes the contact out of the workflow".into()),
        ],
        ContactOp::CampaignAdd { campaign } => vec![
            ("Campaign".into(), named(campaign)),
            ("Does".into(), "adds the contact to the campaign (sent at most once)".into()),
        ],
        ContactOp::CampaignRemove { campaign } => vec![
            ("Campaign".into(), named(campaign)),
            ("Does".into(), "takes the contact out of the campaign".into()),
        ],
        ContactOp::CampaignRemoveAll => vec![(
            "Does".into(),
            "takes the contact out of every campaign".into(),
        )],
        ContactOp::FollowersAdd { users: u } => vec![
            ("Followers".into(), users(u)),
            ("Does".into(), "makes these users followers of the contact".into()),
        ],
        ContactOp::FollowersRemove { users: u } => vec![
            ("Followers".into(), users(u)),
            ("Does".into(), "stops these users following the contact".into()),
        ],
        ContactOp::Business {
            business: Some(b), ..
        } => vec![
            ("Business".into(), named(b)),
            ("Does".into(), "associates each contact with the business".into()),
        ],
        ContactOp::Business { business: None, .. } => vec![
            ("Business".into(), "none".into()),
            ("Does".into(), "clears each contact's business".into()),
        ],
        ContactOp::BulkTags { add, tags, .. } => vec![
            (
                "Tags".into(),
                tags.iter().map(|t| text::clean(t)).collect::<Vec<_>>().join(", "),
            ),
            (
                "Does".into(),
                if *add {
                    "adds the tags to each contact (other tags stay)".into()
                } else {
                    "removes the tags from each contact (other tags stay)".into()
                },
            ),
        ],
        ContactOp::Upsert => vec![(
            "Does".into(),
            "creates the contact, or updates the one GHL matches by email or phone".into(),
        )],
    }
}

/// The contacts lines: one contact, or a bulk operation's count then every contact, one a
/// line (`Dana Levi (c1)`; the id alone when `names` does not know it).
fn contacts(
    c: &Change,
    op: &ContactOp,
    names: &std::collections::HashMap<String, String>,
) -> Vec<(String, String)> {
    match bulk_ids(op) {
        None => vec![(
            "Contact".into(),
            match &c.contact_id {
                Some(id) => format!("{} ({})", text::clean(&c.display_name), text::clean(id)),
                None => text::clean(&c.display_name),
            },
        )],
        Some(ids) => {
            let mut out = vec![("Contacts".into(), plural(ids.len(), "contact"))];
            out.extend(ids.iter().map(|id| {
                let id = text::clean(id);
                let line = match names.get(&id) {
                    Some(n) => format!("{n} ({id})"),
                    None => format!("({id})"),
                };
                (String::new(), line)
            }));
            out
        }
    }
}

/// The writes the change sends, `METHOD /path` (reads are left out), from the dispatch plan.
pub fn requests(c: &Change) -> Vec<String> {
    crate::sync::dispatch::plan(c, "")
        .iter()
        .filter(|r| r.method != "GET")
        .map(|r| text::clean(&format!("{} {}", r.method, r.path)))
        .collect()
}

/// The diff pane's section for an operation change, for an inner width `w` (text and looks;
/// the diff pane styles them).
pub fn lines(
    c: &Change,
    op: &ContactOp,
    names: &std::collections::HashMap<String, String>,
    w: usize,
) -> Vec<TextLine> {
    let mut rows = what(op);
    rows.extend(contacts(c, op, names));
    rows.extend(requests(c).into_iter().map(|r| ("Request".to_owned(), r)));
    let lw = rows
        .iter()
        .map(|(l, _)| text::width(l))
        .max()
        .unwrap_or(0)
        .min(w / 3);
    let mut out = vec![TextLine::whole(
        text::clean(&format!("Operation: {}", op.describe())),
        Look::Header,
    )];
    let room = w.saturating_sub(lw + 3).max(8);
    for (label, value) in rows {
        let look = if label == "Note" {
            Look::Dim
        } else {
            Look::Plain
        };
        for (i, part) in text::wrap(&value, room).into_iter().enumerate() {
            let head = if i == 0 { label.as_str() } else { "" };
            out.push(TextLine::Pieces(vec![
                (format!("  {}", text::fit(head, lw)), Look::Label),
                (format!(" {part}"), look),
            ]));
        }
    }
    out
}

/// The journal lines of an operation's write: the head line, then who and what
/// (`Dana Levi (c1) · add to workflow Nurture (wf1)`), then the values.
pub fn journal_lines(e: &JournalEntry, op: &ContactOp) -> Vec<String> {
    let mut out = vec![crate::sync::journal::head_line(e)];
    let name = if e.contact_name.is_empty() {
        "(no name)".to_owned()
    } else {
        e.contact_name.clone()
    };
    let target = match op {
        ContactOp::WorkflowAdd { workflow, .. } | ContactOp::WorkflowRemove { workflow } => {
            format!(" ({})", workflow.id)
        }
        ContactOp::CampaignAdd { campaign } | ContactOp::CampaignRemove { campaign } => {
            format!(" ({})", campaign.id)
        }
        ContactOp::Business {
            business: Some(b), ..
        } => format!(" ({})", b.id),
        _ => String::new(),
    };
    let who = match (&e.contact_id, bulk_ids(op)) {
        (Some(id), None) => format!("{name} ({id}) · {}{target}", op.describe()),
        _ => format!("{}{target} · {name}", op.describe()),
    };
    out.push(crate::sanitize::clean_line(&who));
    out.extend(crate::sync::journal::value_lines(e));
    out
}

/// The journal lines of `e`: [`journal_lines`] for an operation, else the journal's own.
pub fn entry_lines(e: &JournalEntry) -> Vec<String> {
    match &e.subject {
        Subject::Op(op) => journal_lines(e, op),
        _ => crate::sync::journal::entry_lines(e),
    }
}
