//! Reverting a write from the journal: the inverse change is proposed as a **pending** change,
//! reviewed and sent like every other (never sent from here).
//!
//! - a contact update → an update back to the `before` values, based on the contact's
//!   `dateUpdated` as the write (and the rest of its change) left it, so a contact GHL changed
//!   since becomes a conflict when sent, as usual;
//! - a created contact → a delete of it; a deleted contact → a create from the snapshot the
//!   journal kept (a new contact id: its tasks, notes and history are not brought back);
//! - a task/note create → its delete; a task/note update → back; a task/note delete → created
//!   again from the snapshot;
//! - an operation → only what its write changed ([`OpEffect`], kept by dispatch): tags and
//!   followers each contact gained are removed (lost ones added back), the business each
//!   contact had is set again. Workflow and campaign enrolments are never undone from here.
//!
//! A failed write, a look-up, a Bmby write-back and an entry written before the journal kept
//! values cannot be reverted: [`why_not`] says why.

use serde_json::Value;

use super::diff::{field_label, ghl_value, same};
use super::journal::method;
use super::local::activity_label;
use crate::domain::{
    Change, ChangeKind, ChangeState, ContactOp, FieldChange, JournalEntry, Named, OpEffect,
    Subject, Target,
};
use crate::store::{Store, StoreError};

/// Why a revert was not proposed.
#[derive(Debug, thiserror::Error)]
pub enum RevertError {
    #[error("journal entry {0} does not exist (see `bmby-ghl journal`)")]
    NoSuchEntry(u64),
    #[error("journal entry {seq} cannot be reverted: {why}")]
    NotRevertable { seq: u64, why: String },
    #[error("journal entry {seq} is already being reverted by change {change} ({state})")]
    AlreadyProposed {
        seq: u64,
        change: u64,
        state: &'static str,
    },
    /// Its revert was sent: GHL is back as before that write. Revert the revert's own journal
    /// entry to write it again.
    #[error("journal entry {seq} was already reverted by change {change} (applied); to write it again, revert that change's journal entry")]
    AlreadyReverted { seq: u64, change: u64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// `origin` of a revert change: `revert of journal #12`.
pub fn origin(seq: u64) -> String {
    format!("revert of journal #{seq}")
}

fn fingerprint(seq: u64) -> String {
    format!("{}{seq}", crate::domain::change::REVERT_FINGERPRINT_PREFIX)
}

/// Why the entry cannot be reverted, or `None` when it can be (as far as the entry alone
/// tells: a revert already proposed is found by [`propose`]).
pub fn why_not(e: &JournalEntry) -> Option<String> {
    if e.kind.is_none() {
        return Some("written before the journal kept values; undo it by hand".into());
    }
    if e.target == Target::Bmby {
        return Some("a Bmby write-back: Bmby cannot undo it from here (remove it in Bmby)".into());
    }
    match e.status {
        None => {
            return Some(
                "no answer came (outcome unknown): check GHL, the change's later entries say \
                 what happened"
                    .into(),
            )
        }
        Some(s) if !(200..300).contains(&s) => {
            return Some(format!("GHL answered {s}: this write changed nothing"))
        }
        Some(_) => {}
    }
    if method(e) == "GET" {
        return Some("a look-up: nothing was written by it".into());
    }
    if let Subject::Op(op) = &e.subject {
        return inverse_op(op, e).err();
    }
    match (e.kind, &e.subject) {
        (Some(ChangeKind::Ambiguous), _) => Some("an ambiguous match writes nothing".into()),
        (Some(ChangeKind::Delete), _) if e.snapshot.is_none() => {
            Some("no snapshot of what was deleted was kept".into())
        }
        (Some(ChangeKind::Update), _) if e.values.iter().all(unchanged) => {
            Some("the write recorded no value that changed".into())
        }
        (Some(ChangeKind::Create | ChangeKind::Update), _) if e.contact_id.is_none() => {
            Some("the contact it wrote is unknown".into())
        }
        (Some(ChangeKind::Create), Subject::Task { task_id: None })
        | (Some(ChangeKind::Create), Subject::Note { note_id: None }) => {
            Some("the id of the created record is unknown".into())
        }
        _ => None,
    }
}

fn unchanged(v: &crate::domain::JournalValue) -> bool {
    same(&v.field, v.before.as_deref(), v.after.as_deref())
}

/// The contact's `dateUpdated` as the write and the rest of its change left it: the newest of
/// the answers' `dateUpdated` of this and later successful writes of the same change to the
/// same contact; a write whose answer carried none (a tag edit) counts by when it was
/// journaled (ISO 8601 UTC, milliseconds, as GHL writes it).
fn base_after(e: &JournalEntry, all: &[JournalEntry]) -> Option<String> {
    let mut best: Option<(jiff::Timestamp, String)> = None;
    for x in all.iter().filter(|x| {
        x.change_id == e.change_id
            && x.seq >= e.seq
            && x.contact_id == e.contact_id
            && x.status.is_some_and(|s| (200..300).contains(&s))
            && method(x) != "GET"
    }) {
        let cand = match &x.date_updated_after {
            Some(d) => d.parse::<jiff::Timestamp>().ok().map(|t| (t, d.clone())),
            None => x.at.parse::<jiff::Timestamp>().ok().map(|t| {
                let ms = jiff::Timestamp::from_millisecond(t.as_millisecond()).unwrap_or(t);
                (ms, ms.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
            }),
        };
        if let Some(c) = cand {
            if best.as_ref().is_none_or(|b| c.0 > b.0) {
                best = Some(c);
            }
        }
    }
    best.map(|b| b.1).or_else(|| e.date_updated_after.clone())
}

fn field(name: &str, label: &str, now: Option<String>, proposed: Option<String>) -> FieldChange {
    FieldChange {
        field: name.to_owned(),
        label: label.to_owned(),
        source_field: "revert".into(),
        ghl_now: now,
        proposed,
        edited: false,
        value_json: None,
    }
}

/// Contact fields a create from a snapshot carries (then custom fields, then tags).
const RECREATE_FIELDS: &[&str] = &[
    "firstName",
    "lastName",
    "email",
    "phone",
    "dateOfBirth",
    "address1",
    "city",
    "state",
    "postalCode",
    "country",
    "website",
    "timezone",
    "source",
];

/// The fields creating the snapshot's contact again.
fn contact_from_snapshot(
    store: &Store,
    snapshot: &Value,
) -> Result<(String, Vec<FieldChange>), String> {
    let c = crate::ghl::wire::contact_from_json(snapshot)
        .map_err(|m| format!("the snapshot does not read as a contact: {m}"))?;
    let defs = store.custom_fields().map_err(|e| e.to_string())?;
    let mut fields: Vec<FieldChange> = RECREATE_FIELDS
        .iter()
        .filter_map(|f| ghl_value(&c, f).map(|v| field(f, field_label(f), None, Some(v))))
        .collect();
    for cf in &c.custom_fields {
        let name = format!("customFields.{}", cf.id);
        let label = defs
            .get(&cf.id)
            .map(|d| d.name.clone())
            .unwrap_or_else(|| cf.id.clone());
        let def = defs.get(&cf.id);
        let mut f = field(
            &name,
            &label,
            None,
            Some(crate::domain::custom_field::format_custom(def, cf)),
        );
        // Written back exactly as GHL had it (a number, a list of options, epoch ms).
        f.value_json = Some(cf.value_json.clone());
        fields.push(f);
    }
    if let Some(t) = ghl_value(&c, "tags") {
        fields.push(field("tags", field_label("tags"), None, Some(t)));
    }
    Ok((c.display_name(), fields))
}

/// The fields creating a task or note again from its snapshot (`{field: value}`).
fn activity_from_snapshot(subject: &Subject, snapshot: &Value) -> Vec<FieldChange> {
    let names: &[&str] = match subject {
        Subject::Task { .. } => &["title", "dueDate", "body", "completed"],
        _ => &["body"],
    };
    names
        .iter()
        .filter_map(|f| {
            let v = snapshot.get(*f).and_then(Value::as_str).map(str::to_owned);
            let v = match (*f, v) {
                ("completed", None) => Some("no".to_owned()),
                (_, v) => v?.into(),
            };
            Some(field(f, activity_label(f), None, v))
        })
        .collect()
}

/// Why a workflow or campaign enrolment cannot be undone from here.
fn enrolment_why(what: &str, name: &str, manual: &str) -> String {
    format!(
        "GHL cannot say whether the contact was already in {what} {name} before this write, so \
         undoing it could remove an enrolment the contact had (or start the {what} over); if \
         that is what is meant, do it by hand: {manual}"
    )
}

/// The operation undoing `op` as journal entry `e` recorded it: only what the write changed
/// (its [`OpEffect`], kept in the entry's `snapshot`): the tags or followers each contact
/// gained are removed (those lost are added back), each contact's previous business is set
/// again. Workflow and campaign enrolments are never undone from here (GHL cannot say whether
/// the contact was enrolled before). Errors: why it cannot be undone from here.
fn inverse_op(op: &ContactOp, e: &JournalEntry) -> Result<ContactOp, String> {
    let effect = || {
        OpEffect::from_snapshot(e.snapshot.as_ref()).ok_or_else(|| {
            "written before the journal recorded what the write changed for each contact; \
             undo it by hand"
                .to_owned()
        })
    };
    let nothing = |what: &str| {
        format!("the write changed no contact's {what} (they had it already or GHL refused)")
    };
    Ok(match op {
        ContactOp::WorkflowAdd { workflow, .. } => {
            return Err(enrolment_why(
                "workflow",
                &workflow.name,
                &format!(
                    "`:workflow remove {}` or `bmby-ghl op workflow-remove`",
                    workflow.name
                ),
            ))
        }
        ContactOp::WorkflowRemove { workflow } => {
            return Err(enrolment_why(
                "workflow",
                &workflow.name,
                &format!(
                    "`:workflow add {}` or `bmby-ghl op workflow-add`",
                    workflow.name
                ),
            ))
        }
        ContactOp::CampaignAdd { campaign } => {
            return Err(enrolment_why(
                "campaign",
                &campaign.name,
                "`bmby-ghl op campaign-remove`",
            ))
        }
        ContactOp::CampaignRemove { .. } => {
            return Err(
                "a campaign removal cannot be undone from here: adding the contact \
                        again starts the campaign over; add it by hand if meant"
                    .into(),
            )
        }
        ContactOp::CampaignRemoveAll => {
            return Err(
                "removing from every campaign did not record which campaigns; add \
                        them back by hand"
                    .into(),
            )
        }
        ContactOp::FollowersAdd { users } | ContactOp::FollowersRemove { users } => {
            let add = matches!(op, ContactOp::FollowersAdd { .. });
            let fx = effect()?;
            let changed: Vec<String> = fx.changed.values().flatten().cloned().collect();
            if changed.is_empty() {
                return Err(nothing("followers"));
            }
            let users: Vec<Named> = changed
                .iter()
                .map(|id| {
                    users
                        .iter()
                        .find(|u| &u.id == id)
                        .cloned()
                        .unwrap_or(Named {
                            id: id.clone(),
                            name: id.clone(),
                        })
                })
                .collect();
            if add {
                ContactOp::FollowersRemove { users }
            } else {
                ContactOp::FollowersAdd { users }
            }
        }
        ContactOp::BulkTags { add, .. } => {
            let fx = effect()?;
            let mut groups: Vec<(Vec<String>, Vec<String>)> = Vec::new();
            for (id, tags) in fx.changed.iter().filter(|(_, t)| !t.is_empty()) {
                match groups.iter_mut().find(|(t, _)| t == tags) {
                    Some((_, ids)) => ids.push(id.clone()),
                    None => groups.push((tags.clone(), vec![id.clone()])),
                }
            }
            match groups.as_slice() {
                [] => return Err(nothing("tags")),
                [(tags, ids)] => ContactOp::BulkTags {
                    add: !add,
                    tags: tags.clone(),
                    contact_ids: ids.clone(),
                },
                many => {
                    let list: Vec<String> = many
                        .iter()
                        .map(|(t, ids)| format!("{} on {}", t.join(", "), ids.join(", ")))
                        .collect();
                    return Err(format!(
                        "the contacts {} different tags ({}); undo it by hand, one tag at a time",
                        if *add { "gained" } else { "lost" },
                        list.join("; ")
                    ));
                }
            }
        }
        ContactOp::Business { .. } => {
            let fx = effect()?;
            let mut groups: Vec<(Option<Named>, Vec<String>)> = Vec::new();
            for (id, b) in &fx.business_before {
                match groups.iter_mut().find(|(x, _)| x == b) {
                    Some((_, ids)) => ids.push(id.clone()),
                    None => groups.push((b.clone(), vec![id.clone()])),
                }
            }
            match groups.as_slice() {
                [] => return Err(nothing("business")),
                [(b, ids)] => ContactOp::Business {
                    business: b.clone(),
                    contact_ids: ids.clone(),
                },
                many => {
                    let list: Vec<String> = many
                        .iter()
                        .map(|(b, ids)| {
                            format!(
                                "{} for {}",
                                b.as_ref().map_or("(none)", |b| b.name.as_str()),
                                ids.join(", ")
                            )
                        })
                        .collect();
                    return Err(format!(
                        "the contacts had different businesses before ({}); set them back by \
                         hand",
                        list.join("; ")
                    ));
                }
            }
        }
        ContactOp::Upsert => {
            return Err("an upsert may have created or updated a contact: undo it by hand".into())
        }
    })
}

/// For a bulk operation: the names of the contacts it writes to, from the cache
/// (`Dana Levi, Ann Example +38`; an id where the cache has no name), so a revert that undoes
/// the write for only some of the contacts is named after those. `None` for other operations.
fn op_names(store: &Store, op: &crate::domain::ContactOp) -> Option<String> {
    use crate::domain::ContactOp;
    let ids = match op {
        ContactOp::BulkTags { contact_ids, .. } | ContactOp::Business { contact_ids, .. } => {
            contact_ids
        }
        _ => return None,
    };
    const SHOWN: usize = 2;
    let mut names: Vec<String> = ids
        .iter()
        .take(SHOWN)
        .map(|id| {
            store
                .contact(id)
                .ok()
                .flatten()
                .map(|c| crate::sanitize::clean_line(&c.display_name()))
                .unwrap_or_else(|| id.clone())
        })
        .collect();
    if ids.len() > SHOWN {
        names.push(format!("+{}", ids.len() - SHOWN));
    }
    Some(names.join(", "))
}

/// The inverse of `e` (which [`why_not`] accepts), unsaved (`id` 0).
fn inverse(store: &Store, e: &JournalEntry, all: &[JournalEntry]) -> Result<Change, String> {
    let kind = e.kind.ok_or("no kind")?;
    if let Subject::Op(op) = &e.subject {
        let inv = inverse_op(op, e)?;
        let now = jiff::Timestamp::now().to_string();
        let mut warnings = vec![format!(
            "reverts journal #{}: {} ({}, change #{})",
            e.seq,
            e.request,
            op.describe(),
            e.change_id
        )];
        if let Some(fx) = OpEffect::from_snapshot(e.snapshot.as_ref()) {
            if !fx.unknown.is_empty() {
                warnings.push(format!(
                    "not undone for {}: neither GHL's answer nor the cache said what the write \
                     changed for them; check them in GHL",
                    fx.unknown.join(", ")
                ));
            }
        }
        return Ok(Change {
            id: 0,
            kind: ChangeKind::Update,
            state: ChangeState::Pending,
            client_id: String::new(),
            contact_id: e.contact_id.clone(),
            display_name: op_names(store, &inv).unwrap_or_else(|| e.contact_name.clone()),
            fields: Vec::new(),
            base_date_updated: None,
            origin: origin(e.seq),
            warnings,
            candidates: Vec::new(),
            fingerprint: fingerprint(e.seq),
            created_at: now.clone(),
            updated_at: now,
            subject: Subject::Op(inv),
            target: Target::Ghl,
            choice: None,
            matched: None,
            removable_tags: Vec::new(),
        });
    }
    let label = |f: &str, l: &str| {
        if l.is_empty() {
            match e.subject {
                Subject::Contact => field_label(f).to_owned(),
                _ => activity_label(f).to_owned(),
            }
        } else {
            l.to_owned()
        }
    };
    let back: Vec<FieldChange> = e
        .values
        .iter()
        .filter(|v| !unchanged(v))
        .map(|v| {
            field(
                &v.field,
                &label(&v.field, &v.label),
                v.after.clone(),
                v.before.clone(),
            )
        })
        .collect();
    let gone: Vec<FieldChange> = e
        .values
        .iter()
        .map(|v| field(&v.field, &label(&v.field, &v.label), v.after.clone(), None))
        .collect();
    let cached_base = || {
        e.contact_id
            .as_deref()
            .and_then(|id| store.contact(id).ok().flatten())
            .and_then(|c| c.date_updated)
    };
    let mut warnings = vec![format!(
        "reverts journal #{}: {} (change #{})",
        e.seq, e.request, e.change_id
    )];
    let mut client_id = String::new();
    let mut name = e.contact_name.clone();
    let (new_kind, subject, fields, contact_id, base) = match (&e.subject, kind) {
        (Subject::Contact, ChangeKind::Update) => (
            ChangeKind::Update,
            Subject::Contact,
            back,
            e.contact_id.clone(),
            base_after(e, all),
        ),
        (Subject::Contact, ChangeKind::Create) => (
            ChangeKind::Delete,
            Subject::Contact,
            gone,
            e.contact_id.clone(),
            base_after(e, all),
        ),
        (Subject::Contact, ChangeKind::Delete) => {
            let snap = e.snapshot.as_ref().ok_or("no snapshot")?;
            let (n, fields) = contact_from_snapshot(store, snap)?;
            if fields.is_empty() {
                return Err("the snapshot holds no field to create the contact from".into());
            }
            if name.is_empty() {
                name = n;
            }
            // Link the new contact to the Bmby client the deleted one was linked to.
            client_id = store
                .change(e.change_id)
                .map_err(|er| er.to_string())?
                .map(|c| c.client_id)
                .unwrap_or_default();
            warnings.push(format!(
                "creates the contact again from the snapshot taken before the delete (it was {}); \
                 it gets a new id, and its tasks, notes and history are not brought back",
                e.contact_id.as_deref().unwrap_or("?")
            ));
            (ChangeKind::Create, Subject::Contact, fields, None, None)
        }
        (s, ChangeKind::Create) => (
            ChangeKind::Delete,
            s.clone(),
            gone,
            e.contact_id.clone(),
            cached_base(),
        ),
        (s, ChangeKind::Update) => (
            ChangeKind::Update,
            s.clone(),
            back,
            e.contact_id.clone(),
            cached_base(),
        ),
        (s, ChangeKind::Delete) => {
            let snap = e.snapshot.as_ref().ok_or("no snapshot")?;
            let subject = match s {
                Subject::Task { .. } => Subject::Task { task_id: None },
                _ => Subject::Note { note_id: None },
            };
            let fields = activity_from_snapshot(&subject, snap);
            (
                ChangeKind::Create,
                subject,
                fields,
                e.contact_id.clone(),
                cached_base(),
            )
        }
        (_, ChangeKind::Ambiguous) => return Err("an ambiguous match writes nothing".into()),
    };
    let now = jiff::Timestamp::now().to_string();
    let mut fields = fields;
    // A custom field put back is written as the JSON type its definition takes.
    if let Ok(defs) = store.custom_fields() {
        for f in fields.iter_mut().filter(|f| f.value_json.is_none()) {
            let Some(def) = f
                .field
                .strip_prefix("customFields.")
                .and_then(|id| defs.get(id))
            else {
                continue;
            };
            if let (Some(v), Ok(t)) = (
                &f.proposed,
                def.parse_input(f.proposed.as_deref().unwrap_or("")),
            ) {
                if !v.is_empty() && !t.wire.is_null() {
                    f.value_json = Some(t.wire.to_string());
                }
            }
        }
    }
    // A revert puts GHL back as it was: the tags the write added are the revert's to remove.
    let removable_tags = crate::sync::diff::removed_tags(&fields);
    Ok(Change {
        id: 0,
        kind: new_kind,
        state: ChangeState::Pending,
        client_id,
        contact_id,
        display_name: name,
        fields,
        base_date_updated: base,
        origin: origin(e.seq),
        warnings,
        candidates: Vec::new(),
        fingerprint: fingerprint(e.seq),
        created_at: now.clone(),
        updated_at: now,
        subject,
        target: Target::Ghl,
        choice: None,
        matched: None,
        removable_tags,
    })
}

/// The revert of journal entry `seq` already among `changes`, as the error [`propose`] gives
/// ([`RevertError::AlreadyProposed`] while pending, approved, in flight, failed or in conflict;
/// [`RevertError::AlreadyReverted`] once applied), or `None`. The TUI asks this before asking
/// "Revert …?", so it refuses before it asks.
pub fn already(changes: &[Change], seq: u64) -> Option<RevertError> {
    let c = changes.iter().find(|c| {
        c.fingerprint == fingerprint(seq)
            && matches!(
                c.state,
                ChangeState::Pending
                    | ChangeState::Approved
                    | ChangeState::InFlight
                    | ChangeState::Conflict
                    | ChangeState::Failed
                    | ChangeState::Applied
            )
    })?;
    Some(if c.state == ChangeState::Applied {
        RevertError::AlreadyReverted { seq, change: c.id }
    } else {
        RevertError::AlreadyProposed {
            seq,
            change: c.id,
            state: c.state.label(),
        }
    })
}

/// Proposes the inverse of journal entry `seq` as a pending change and returns it (stored and
/// flushed). Errors: no such entry; an entry that cannot be reverted (the reason, see
/// [`why_not`]); a revert of it still pending, approved, in flight, failed or in conflict, or
/// one already applied; the store.
pub fn propose(store: &Store, seq: u64) -> Result<Change, RevertError> {
    let all = store.journal()?;
    let e = all
        .iter()
        .find(|e| e.seq == seq)
        .ok_or(RevertError::NoSuchEntry(seq))?;
    if let Some(why) = why_not(e) {
        return Err(RevertError::NotRevertable { seq, why });
    }
    if let Some(err) = already(&store.changes()?, seq) {
        return Err(err);
    }
    let mut c = inverse(store, e, &all).map_err(|why| RevertError::NotRevertable { seq, why })?;
    c.id = store.next_seq("change")?;
    store.put_change(&c)?;
    store.flush()?;
    Ok(c)
}
