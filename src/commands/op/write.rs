//! `op NAME` for writes: the [`Edit`] a command asks for (records fetched fresh, names of
//! workflows, campaigns, users and businesses resolved), then stored, approved and sent by
//! `apply`'s sender, or only previewed with `--dry-run`.

use color_eyre::eyre::{eyre, Result};

use super::{list_or_none, print_requests, Cx};
use crate::cli::{OpCommand, OpFlags};
use crate::domain::{Change, ContactOp, FieldChange, LOCAL_ORIGIN};
use crate::ops::Edit;
use crate::sanitize::clean_line;
use crate::store::Store;
use crate::sync::ops::{ListKind, Proposal};

/// `FIELD=VALUE` pairs, the field checked against [`crate::ops::edit::SETTABLE`].
pub(super) fn pairs(set: &[String]) -> Result<Vec<(String, String)>> {
    set.iter()
        .map(|s| {
            let (k, v) = s
                .split_once('=')
                .ok_or_else(|| {
                    crate::commands::BadArgument(format!("--set {s}: expected FIELD=VALUE"))
                })?;
            let k = k.trim();
            if !crate::ops::edit::SETTABLE.contains(&k) && !k.starts_with("customFields.") {
                return Err(crate::commands::BadArgument(format!(
                    "--set {k}: not a field that can be set; fields: {}, customFields.ID (tags: add-tags, remove-tags)",
                    crate::ops::edit::SETTABLE.join(", ")
                ))
                .into());
            }
            Ok((k.to_owned(), v.to_owned()))
        })
        .collect()
}

/// The contacts' names for a bulk change: `Dana Levi, Ann Example +38` (ids when not cached).
fn sample(store: &Store, ids: &[String]) -> String {
    const SHOWN: usize = 3;
    let mut names: Vec<String> = ids
        .iter()
        .take(SHOWN)
        .map(|id| {
            store
                .contact(id)
                .ok()
                .flatten()
                .map(|c| c.display_name())
                .unwrap_or_else(|| id.clone())
        })
        .collect();
    if ids.len() > SHOWN {
        names.push(format!("+{}", ids.len() - SHOWN));
    }
    names.join(", ")
}

/// The write a command asks for, with the records it is based on (fetched fresh).
pub(super) fn write_edit(cmd: OpCommand, cx: &mut Cx<'_>) -> Result<(Edit, OpFlags)> {
    let one = |cx: &mut Cx<'_>, contact: &str, op: ContactOp, flags: OpFlags| {
        let c = cx.contact(contact, flags.dry_run)?;
        Ok::<_, color_eyre::Report>((
            Edit::Op(Proposal {
                contact_id: Some(c.id.clone()),
                display_name: c.display_name(),
                op,
                fields: Vec::new(),
                base_date_updated: c.date_updated.clone(),
            }),
            flags,
        ))
    };
    let bulk = |cx: &mut Cx<'_>, contacts: Vec<String>, op: ContactOp, flags: OpFlags| {
        // Every contact must be one this location has: an id GHL does not know is refused,
        // never sent (GHL answers per contact, and a typo would pass for success). Contacts
        // not cached are read from GHL; a dry run only warns.
        for id in &contacts {
            if matches!(cx.store.contact(id), Ok(Some(_))) {
                continue;
            }
            if flags.dry_run {
                errln!(
                    "warning: contact {} is not in the cache (not checked with GHL in a dry run)",
                    crate::sanitize::clean_line(id)
                );
            } else {
                cx.contact(id, false)?;
            }
        }
        Ok::<_, color_eyre::Report>((
            Edit::Op(Proposal {
                contact_id: None,
                display_name: sample(&cx.store, &contacts),
                op,
                fields: Vec::new(),
                base_date_updated: None,
            }),
            flags,
        ))
    };
    Ok(match cmd {
        OpCommand::UpdateContact {
            contact,
            set,
            flags,
        } => {
            let values = pairs(&set)?;
            let contact = cx.contact(&contact, flags.dry_run)?;
            (Edit::Fields { contact, values }, flags)
        }
        OpCommand::AddTags {
            contact,
            tags,
            flags,
        } => {
            let asked = clean_tags(&tags);
            if asked.is_empty() {
                return Err(eyre!("tags: add-tags needs at least one tag (--tag)"));
            }
            let contact = cx.contact(&contact, flags.dry_run)?;
            let mut now = contact.tags.clone();
            let new: Vec<String> = asked
                .into_iter()
                .filter(|t| !now.iter().any(|n| n.eq_ignore_ascii_case(t)))
                .collect();
            if new.is_empty() {
                return Err(eyre!(
                    "contact {} has every tag already ({})",
                    contact.id,
                    now.join(", ")
                ));
            }
            now.extend(new);
            let values = vec![("tags".to_owned(), now.join(", "))];
            (Edit::Fields { contact, values }, flags)
        }
        OpCommand::RemoveTags {
            contact,
            tags,
            flags,
        } => {
            let gone = clean_tags(&tags);
            if gone.is_empty() {
                return Err(eyre!("tags: remove-tags needs at least one tag (--tag)"));
            }
            let contact = cx.contact(&contact, flags.dry_run)?;
            let keep: Vec<String> = contact
                .tags
                .iter()
                .filter(|t| !gone.iter().any(|g| g.eq_ignore_ascii_case(t)))
                .cloned()
                .collect();
            if keep.len() == contact.tags.len() {
                return Err(eyre!(
                    "contact {} has none of these tags (its tags: {})",
                    contact.id,
                    list_or_none(&contact.tags.iter().map(String::as_str).collect::<Vec<_>>())
                ));
            }
            let values = vec![("tags".to_owned(), keep.join(", "))];
            (Edit::Fields { contact, values }, flags)
        }
        OpCommand::DeleteContact { contact, flags } => {
            let contact = cx.contact(&contact, flags.dry_run)?;
            (Edit::DeleteContact { contact }, flags)
        }
        OpCommand::CreateTask {
            contact,
            title,
            due,
            body,
            flags,
        } => {
            let contact = cx.contact(&contact, flags.dry_run)?;
            (
                Edit::NewTask {
                    contact,
                    title,
                    due,
                    body,
                },
                flags,
            )
        }
        OpCommand::UpdateTask {
            contact,
            task,
            title,
            due,
            body,
            flags,
        } => {
            let contact = cx.contact(&contact, flags.dry_run)?;
            let task = cx.task(&contact.id, &task)?;
            let values: Vec<(String, String)> =
                [("title", title), ("dueDate", due), ("body", body)]
                    .into_iter()
                    .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v)))
                    .collect();
            if values.is_empty() {
                return Err(eyre!("nothing to change: give --title, --due or --body"));
            }
            (
                Edit::EditTask {
                    contact,
                    task,
                    values,
                },
                flags,
            )
        }
        OpCommand::CompleteTask {
            contact,
            task,
            reopen,
            flags,
        } => {
            let contact = cx.contact(&contact, flags.dry_run)?;
            let task = cx.task(&contact.id, &task)?;
            (
                Edit::TaskCompleted {
                    contact,
                    task,
                    completed: !reopen,
                },
                flags,
            )
        }
        OpCommand::DeleteTask {
            contact,
            task,
            flags,
        } => {
            let contact = cx.contact(&contact, flags.dry_run)?;
            let task = cx.task(&contact.id, &task)?;
            (Edit::DeleteTask { contact, task }, flags)
        }
        OpCommand::CreateNote {
            contact,
            body,
            flags,
        } => {
            let contact = cx.contact(&contact, flags.dry_run)?;
            (Edit::NewNote { contact, body }, flags)
        }
        OpCommand::UpdateNote {
            contact,
            note,
            body,
            flags,
        } => {
            let contact = cx.contact(&contact, flags.dry_run)?;
            let note = cx.note(&contact.id, &note)?;
            (
                Edit::EditNote {
                    contact,
                    note,
                    body,
                },
                flags,
            )
        }
        OpCommand::DeleteNote {
            contact,
            note,
            flags,
        } => {
            let contact = cx.contact(&contact, flags.dry_run)?;
            let note = cx.note(&contact.id, &note)?;
            (Edit::DeleteNote { contact, note }, flags)
        }
        OpCommand::WorkflowAdd {
            contact,
            workflow,
            event_start_time,
            flags,
        } => {
            // Israel time `YYYY-MM-DD HH:MM` or ISO 8601, as the `:` line takes it; stored as
            // ISO 8601 UTC; a time in the past is refused.
            // Not a time at all is a bad argument (exit 2); a time in the past is refused as
            // the other checks refuse (exit 1).
            let event_start_time = match event_start_time {
                Some(t) => {
                    crate::clock::parse_typed(t.trim()).map_err(|e| {
                        crate::commands::BadArgument(format!("--event-start-time {t}: {e}"))
                    })?;
                    Some(
                        crate::sync::op_check::start_time(&t, jiff::Timestamp::now())
                            .map_err(|e| eyre!("--event-start-time {t}: {}", e.message))?,
                    )
                }
                None => None,
            };
            let workflow = cx.pick(ListKind::Workflows, &workflow)?;
            let op = ContactOp::WorkflowAdd {
                workflow,
                event_start_time,
            };
            one(cx, &contact, op, flags)?
        }
        OpCommand::WorkflowRemove {
            contact,
            workflow,
            flags,
        } => {
            let workflow = cx.pick(ListKind::Workflows, &workflow)?;
            one(cx, &contact, ContactOp::WorkflowRemove { workflow }, flags)?
        }
        OpCommand::CampaignAdd {
            contact,
            campaign,
            flags,
        } => {
            let campaign = cx.pick(ListKind::Campaigns, &campaign)?;
            one(cx, &contact, ContactOp::CampaignAdd { campaign }, flags)?
        }
        OpCommand::CampaignRemove {
            contact,
            campaign,
            flags,
        } => {
            let campaign = cx.pick(ListKind::Campaigns, &campaign)?;
            one(cx, &contact, ContactOp::CampaignRemove { campaign }, flags)?
        }
        OpCommand::CampaignRemoveAll { contact, flags } => {
            one(cx, &contact, ContactOp::CampaignRemoveAll, flags)?
        }
        OpCommand::FollowersAdd {
            contact,
            users,
            flags,
        } => {
            let users = users
                .iter()
                .map(|u| cx.pick(ListKind::Users, u))
                .collect::<Result<Vec<_>>>()?;
            one(cx, &contact, ContactOp::FollowersAdd { users }, flags)?
        }
        OpCommand::FollowersRemove {
            contact,
            users,
            flags,
        } => {
            let users = users
                .iter()
                .map(|u| cx.pick(ListKind::Users, u))
                .collect::<Result<Vec<_>>>()?;
            one(cx, &contact, ContactOp::FollowersRemove { users }, flags)?
        }
        OpCommand::BusinessSet {
            business,
            contacts,
            flags,
        } => {
            let business = Some(cx.pick(ListKind::Businesses, &business)?);
            let contact_ids = dedup(contacts);
            let op = ContactOp::Business {
                business,
                contact_ids: contact_ids.clone(),
            };
            bulk(cx, contact_ids, op, flags)?
        }
        OpCommand::BusinessClear { contacts, flags } => {
            let contact_ids = dedup(contacts);
            let op = ContactOp::Business {
                business: None,
                contact_ids: contact_ids.clone(),
            };
            bulk(cx, contact_ids, op, flags)?
        }
        OpCommand::BulkTags {
            add,
            tags,
            contacts,
            flags,
            ..
        } => {
            let contact_ids = dedup(contacts);
            let op = ContactOp::BulkTags {
                add,
                tags: clean_tags(&tags),
                contact_ids: contact_ids.clone(),
            };
            bulk(cx, contact_ids, op, flags)?
        }
        OpCommand::Upsert { set, flags } => {
            let values = pairs(&set)?;
            if !values.iter().any(|(k, _)| k == "email" || k == "phone") {
                return Err(eyre!(
                    "upsert needs --set email=… or --set phone=… (GHL matches on them)"
                ));
            }
            let mut fields = Vec::new();
            for (k, v) in &values {
                let proposed = crate::sync::review::validate_value(k, v)
                    .map_err(|m| eyre!("--set {k}: {m}"))?;
                fields.push(FieldChange {
                    field: k.clone(),
                    label: crate::sync::diff::field_label(k).to_owned(),
                    source_field: LOCAL_ORIGIN.to_owned(),
                    ghl_now: None,
                    proposed,
                    edited: false,
                    value_json: None,
                });
            }
            let get = |f: &str| values.iter().find(|(k, _)| k == f).map(|(_, v)| v.as_str());
            let display_name = match (get("firstName"), get("lastName")) {
                (None, None) => get("email").or(get("phone")).unwrap_or("").to_owned(),
                (a, b) => [a, b].into_iter().flatten().collect::<Vec<_>>().join(" "),
            };
            (
                Edit::Op(Proposal {
                    contact_id: None,
                    display_name,
                    op: ContactOp::Upsert,
                    fields,
                    base_date_updated: None,
                }),
                flags,
            )
        }
        other => return Err(eyre!("op {} is not a write", other.name())),
    })
}

/// Tags as typed, trimmed, empty ones and repeats dropped.
fn clean_tags(tags: &[String]) -> Vec<String> {
    crate::sync::op_check::typed_tags(tags)
}

/// Ids in order, each once.
fn dedup(ids: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for i in ids {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

/// Runs a write: `--dry-run` prints the planned requests; otherwise the change is stored,
/// approved and sent by `apply`'s sender. Exit code as `apply`.
pub(super) fn write_cmd(name: &str, edit: Edit, flags: OpFlags, cx: &Cx<'_>) -> Result<i32> {
    let read_only = if cx.settings.token.is_some() {
        None
    } else {
        crate::commands::token_store(cx.settings)
            .ok()
            .and_then(|s| s.get(&cx.loc).ok().flatten())
            .and_then(|e| e.read_only_reason())
    };
    if flags.dry_run {
        if let Some(why) = &read_only {
            errln!(
                "warning: {} is read-only ({why}): this request would be refused",
                cx.loc
            );
        }
        let (c, plan) = crate::ops::preview(&edit, &cx.loc)?;
        print_requests(&plan, cx, flags.json, name, Some(&c))?;
        if plan.is_empty() {
            errln!("op {name}: the planner has no request for it yet; nothing would be sent");
            return Ok(1);
        }
        return Ok(0);
    }
    if let Some(why) = read_only {
        return Err(eyre!(
            "{} is read-only: {why}; nothing was stored or sent (sign in again with `bmby-ghl auth login` without --read-only)",
            cx.loc
        ));
    }
    if let Some(p) = crate::ops::edit::joins_pending(&cx.store, &edit)? {
        return Err(eyre!(
            "{} has a pending hand edit (change #{}) this would join; approve and `apply` it, or reject it, first",
            clean_line(&p.display_name),
            p.id
        ));
    }
    let c = crate::ops::propose(&cx.store, &edit)?;
    if !flags.json {
        print_change(&c, "proposed")?;
    }
    crate::sync::review::approve(&cx.store, c.id)?;
    let ghl = crate::commands::client(cx.settings)?;
    crate::commands::apply::send(&cx.store, &ghl, None, cx.rt, &[c.id], flags.json)
}

/// `change #N (what, proposed): name (id)` and its fields `before → after`.
fn print_change(c: &Change, how: &str) -> Result<()> {
    outln!(
        "change #{} ({how}): {} {}{}",
        c.id,
        c.describe(),
        clean_line(&c.display_name),
        c.contact_id
            .as_ref()
            .map(|i| format!(" ({i})"))
            .unwrap_or_default()
    );
    for f in &c.fields {
        let v = |v: &Option<String>| crate::sync::journal::shown(v.as_deref());
        outln!(
            "    {}: {} → {}",
            clean_line(&f.label),
            v(&f.ghl_now),
            v(&f.proposed)
        );
    }
    Ok(())
}
