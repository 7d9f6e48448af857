//! What a journal entry says about a write: who (the contact, the task or note), what (the
//! fields with GHL's value just before the write and the value after), and, for a delete, a
//! snapshot of what was removed so it can be created again ([`super::revert`]).
//!
//! Dispatch builds the entry's request, status and outcome; [`describe`] fills the rest from
//! the change being dispatched and what dispatch read from GHL just before writing
//! ([`ReadBefore`]). Never holds a token: only field values of the contact, task or note.

use serde_json::{Map, Value};

use super::diff::{field_label, ghl_value};
use super::local::activity_label;
use crate::domain::{
    Change, ChangeKind, Contact, JournalEntry, JournalValue, OutboxInfo, Subject, Target,
};

/// What dispatch read from GHL just before a write: the journal's `before` values.
#[derive(Debug, Clone, Default)]
pub enum ReadBefore {
    /// Nothing read (a create, a Bmby write-back): the change's own base values are used.
    #[default]
    Nothing,
    /// The contact as `GET /contacts/{id}` returned it just before the write.
    Contact(Box<Contact>),
    /// A task's or note's fields as listed just before the write, `(field, value)`.
    Values(Vec<(String, Option<String>)>),
}

impl ReadBefore {
    fn value(&self, field: &str) -> Option<Option<String>> {
        match self {
            ReadBefore::Nothing => None,
            ReadBefore::Contact(c) => Some(ghl_value(c, field)),
            ReadBefore::Values(v) => Some(
                v.iter()
                    .find(|(k, _)| k == field)
                    .and_then(|(_, v)| v.clone()),
            ),
        }
    }
}

/// The HTTP method of an entry's request (`PUT`, `POST`, `GET`, `DELETE`, `Bmby`, …).
pub fn method(e: &JournalEntry) -> &str {
    e.request.split_whitespace().next().unwrap_or_default()
}

/// True when a change field is among the names the write's body carried (`customFields`
/// stands for every `customFields.<id>`).
fn was_sent(sent: &[String], field: &str) -> bool {
    sent.iter().any(|s| s == field)
        || (field.starts_with("customFields.") && sent.iter().any(|s| s == "customFields"))
}

/// A task's title or a note's first line, for naming the record.
fn record_name(change: &Change, before: &ReadBefore) -> Option<String> {
    let field = match change.subject {
        Subject::Contact | Subject::Op(_) => return None,
        Subject::Task { .. } => "title",
        Subject::Note { .. } => "body",
    };
    let from_change = change
        .fields
        .iter()
        .find(|f| f.field == field)
        .and_then(|f| f.ghl_now.clone().or_else(|| f.proposed.clone()));
    before
        .value(field)
        .flatten()
        .or(from_change)
        .and_then(|s| s.lines().next().map(|l| l.trim().to_owned()))
        .filter(|s| !s.is_empty())
}

fn label(change: &Change, field: &str) -> String {
    match change
        .fields
        .iter()
        .find(|f| f.field == field)
        .map(|f| f.label.clone())
    {
        Some(l) if !l.is_empty() => l,
        _ if change.subject == Subject::Contact => field_label(field).to_owned(),
        _ => activity_label(field).to_owned(),
    }
}

/// Fills the entry's who and what from `change` (as dispatch holds it at the write), `info`,
/// what was read just `before` the write, and the contact GHL `answer`ed with (a create's or
/// update's response body).
///
/// `values`: the change's fields the request carried (`fields_sent`; every field for a delete
/// or a Bmby write-back); `before` is GHL's value as read just before, else the change's base;
/// `after` is GHL's answer, else what was sent, and nothing for a delete. A `DELETE` keeps a
/// snapshot: the contact's raw GHL JSON, or the task's/note's fields.
pub fn describe(
    e: &mut JournalEntry,
    change: &Change,
    info: &OutboxInfo,
    before: &ReadBefore,
    answer: Option<&Contact>,
) {
    e.contact_id = change
        .contact_id
        .clone()
        .or_else(|| info.contact_id.clone());
    e.contact_name = answer
        .map(Contact::display_name)
        .unwrap_or_else(|| change.display_name.clone());
    e.kind = Some(change.kind);
    e.subject = change.subject.clone();
    e.subject_name = record_name(change, before);
    e.target = change.target;
    e.date_updated_after = answer.and_then(|c| c.date_updated.clone());
    let is_delete = change.kind == ChangeKind::Delete;
    let all = is_delete || change.target == Target::Bmby;
    e.values = change
        .fields
        .iter()
        .filter(|f| all || was_sent(&e.fields_sent, &f.field))
        .map(|f| JournalValue {
            field: f.field.clone(),
            label: label(change, &f.field),
            before: before.value(&f.field).unwrap_or_else(|| f.ghl_now.clone()),
            after: if is_delete {
                None
            } else {
                match answer {
                    Some(c) if change.subject == Subject::Contact => ghl_value(c, &f.field),
                    _ => f.proposed.clone(),
                }
            },
        })
        .collect();
    if let Subject::Op(op) = &change.subject {
        if !matches!(op, crate::domain::ContactOp::Upsert) {
            e.values = op_values(op, before);
        }
    }
    if is_delete && method(e) == "DELETE" {
        e.snapshot = match before {
            ReadBefore::Contact(c) => serde_json::from_str(&c.raw_json).ok(),
            ReadBefore::Values(v) => Some(Value::Object(
                v.iter()
                    .filter_map(|(k, v)| Some((k.clone(), Value::String(v.clone()?))))
                    .collect::<Map<String, Value>>(),
            )),
            ReadBefore::Nothing => None,
        };
    }
}

/// The journal values of an operation's write: the workflow,
/// campaign, followers, business or tags before and after, and for bulk writes the contact ids
/// the body named (`contacts`). `before` may hold the business as cached (`business`).
pub fn op_values(op: &crate::domain::ContactOp, before: &ReadBefore) -> Vec<JournalValue> {
    use crate::domain::ContactOp as Op;
    let v = |field: &str, before: Option<String>, after: Option<String>| JournalValue {
        field: field.to_owned(),
        label: field.to_owned(),
        before,
        after,
    };
    let names = |n: &[crate::domain::Named]| {
        Some(
            n.iter()
                .map(|x| x.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        )
    };
    match op {
        Op::WorkflowAdd {
            workflow,
            event_start_time,
        } => {
            let mut out = vec![v("workflow", None, Some(workflow.name.clone()))];
            // ISO 8601 as sent; shown in Israel time ([`shown`]).
            if let Some(t) = event_start_time {
                out.push(v("start time", None, Some(t.clone())));
            }
            out
        }
        Op::WorkflowRemove { workflow } => vec![v("workflow", Some(workflow.name.clone()), None)],
        Op::CampaignAdd { campaign } => vec![v("campaign", None, Some(campaign.name.clone()))],
        Op::CampaignRemove { campaign } => vec![v("campaign", Some(campaign.name.clone()), None)],
        Op::CampaignRemoveAll => vec![v("campaign", Some("every campaign".into()), None)],
        Op::FollowersAdd { users } => vec![v("followers", None, names(users))],
        Op::FollowersRemove { users } => vec![v("followers", names(users), None)],
        Op::Business {
            business,
            contact_ids,
        } => vec![
            v(
                "business",
                before.value("business").flatten(),
                business.as_ref().map(|b| b.name.clone()),
            ),
            v("contacts", None, Some(contact_ids.join(", "))),
        ],
        Op::BulkTags {
            add,
            tags,
            contact_ids,
        } => {
            let t = Some(tags.join(", "));
            vec![
                if *add {
                    v("tags", None, t)
                } else {
                    v("tags", t, None)
                },
                v("contacts", None, Some(contact_ids.join(", "))),
            ]
        }
        Op::Upsert => Vec::new(),
    }
}

/// When `at` (RFC 3339) was, as Israel time `YYYY-MM-DD HH:MM` ([`crate::clock::value`]);
/// unreadable text as it is, on one line.
pub fn israel_time(at: &str) -> String {
    shown(Some(at))
}

/// A value for people: one line, instants (a task's `dueDate`) in Israel time, `(empty)`.
pub fn shown(v: Option<&str>) -> String {
    match v {
        None => "(empty)".into(),
        Some(s) => crate::clock::value(&crate::sanitize::clean_line(s)).into_owned(),
    }
}

/// The entry's head line: `#12 · 2025-01-02 11:03 · change #5 · PUT /contacts/abc · 200 ·
/// applied · trace …` (Israel time).
pub fn head_line(e: &JournalEntry) -> String {
    let status = e
        .status
        .map_or_else(|| "no answer".to_owned(), |s| s.to_string());
    let trace = e
        .trace_id
        .as_deref()
        .map_or_else(|| "no traceId".to_owned(), |t| format!("trace {t}"));
    crate::sanitize::clean_line(&format!(
        "#{} · {} · change #{} · {} · {} · {} · {}",
        e.seq,
        israel_time(&e.at),
        e.change_id,
        e.request,
        status,
        e.outcome,
        trace
    ))
}

/// Who the write was about: `Dana Cohen (abc123) · task "Call back"`; `None` for an entry
/// written before the journal said so.
pub fn who_line(e: &JournalEntry) -> Option<String> {
    // Entries written before the journal named anyone have no kind.
    e.kind?;
    let mut s = if e.target == Target::Bmby {
        "Bmby write-back for ".to_owned()
    } else {
        String::new()
    };
    s.push_str(if e.contact_name.is_empty() {
        "(no name)"
    } else {
        &e.contact_name
    });
    if let Some(id) = &e.contact_id {
        s.push_str(&format!(" ({id})"));
    }
    if let Subject::Op(op) = &e.subject {
        s.push_str(&format!(" · {}", op.describe()));
    } else if e.subject != Subject::Contact {
        s.push_str(&format!(" · {}", e.subject.label()));
        if let Some(n) = &e.subject_name {
            s.push_str(&format!(" \"{n}\""));
        }
        let id = match &e.subject {
            Subject::Task { task_id } => task_id.as_deref(),
            Subject::Note { note_id } => note_id.as_deref(),
            Subject::Contact | Subject::Op(_) => None,
        };
        if let Some(id) = id {
            s.push_str(&format!(" ({id})"));
        }
    }
    Some(crate::sanitize::clean_line(&s))
}

/// Each field as `Label: before → after`.
pub fn value_lines(e: &JournalEntry) -> Vec<String> {
    let mut out: Vec<String> = e
        .values
        .iter()
        .map(|v| {
            format!(
                "{}: {} → {}",
                crate::sanitize::clean_line(&v.label),
                shown(v.before.as_deref()),
                shown(v.after.as_deref())
            )
        })
        .collect();
    if let Subject::Op(op) = &e.subject {
        if let Some(fx) = crate::domain::OpEffect::from_snapshot(e.snapshot.as_ref()) {
            out.push(effect_line(op, &fx));
        }
    } else if e.snapshot.is_some() {
        out.push("snapshot kept: can be created again (revert)".into());
    }
    out
}

/// What an operation's write changed, in short: `changed for 1 of 2 contacts (the others
/// already were so)`.
fn effect_line(op: &crate::domain::ContactOp, fx: &crate::domain::OpEffect) -> String {
    use crate::domain::ContactOp as Op;
    let of = match op {
        Op::BulkTags { contact_ids, .. } | Op::Business { contact_ids, .. } => contact_ids.len(),
        _ => 1,
    };
    let n = fx.changed.values().filter(|v| !v.is_empty()).count() + fx.business_before.len();
    let mut s = format!(
        "changed for {n} of {of} contact{}",
        if of == 1 { "" } else { "s" }
    );
    // Per tag or follower: on how many contacts it changed anything (the others already were
    // so), so `vip` asked for on contacts that had it does not read as added.
    let items: Vec<(&str, &str)> = match op {
        Op::BulkTags { tags, .. } => tags.iter().map(|t| (t.as_str(), t.as_str())).collect(),
        Op::FollowersAdd { users } | Op::FollowersRemove { users } => users
            .iter()
            .map(|u| (u.id.as_str(), u.name.as_str()))
            .collect(),
        _ => Vec::new(),
    };
    if !items.is_empty() {
        let parts: Vec<String> = items
            .iter()
            .map(|(key, label)| {
                let c = fx
                    .changed
                    .values()
                    .filter(|v| v.iter().any(|x| x == key))
                    .count();
                format!("{}: {c} of {of}", crate::sanitize::clean_line(label))
            })
            .collect();
        s.push_str(&format!(" ({})", parts.join(", ")));
    }
    if !fx.unknown.is_empty() {
        s.push_str(&format!("; unknown for {}", fx.unknown.len()));
    }
    s
}

/// The whole entry for people: the head line, then (indented by the caller) who and each
/// field before → after.
pub fn entry_lines(e: &JournalEntry) -> Vec<String> {
    let mut out = vec![head_line(e)];
    out.extend(who_line(e));
    out.extend(value_lines(e));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn effect_line_says_per_tag_where_it_changed_anything() {
        use crate::domain::{ContactOp, OpEffect};
        let op = ContactOp::BulkTags {
            add: true,
            tags: vec!["vip".into(), "newt".into()],
            contact_ids: vec!["a".into(), "b".into()],
        };
        let mut fx = OpEffect::default();
        fx.changed.insert("a".into(), vec!["newt".into()]);
        fx.changed.insert("b".into(), vec!["newt".into()]);
        assert_eq!(
            effect_line(&op, &fx),
            "changed for 2 of 2 contacts (vip: 0 of 2, newt: 2 of 2)"
        );
    }
    use crate::domain::{ChangeState, FieldChange};

    fn change(kind: ChangeKind, fields: &[(&str, Option<&str>, Option<&str>)]) -> Change {
        Change {
            id: 7,
            kind,
            state: ChangeState::InFlight,
            client_id: "300001".into(),
            contact_id: Some("c1".into()),
            display_name: "Dana Cohen".into(),
            fields: fields
                .iter()
                .map(|(f, now, new)| FieldChange {
                    field: (*f).into(),
                    label: String::new(),
                    source_field: String::new(),
                    ghl_now: now.map(Into::into),
                    proposed: new.map(Into::into),
                    edited: false,
                    value_json: None,
                })
                .collect(),
            base_date_updated: None,
            origin: "test".into(),
            warnings: vec![],
            candidates: vec![],
            fingerprint: String::new(),
            created_at: String::new(),
            updated_at: String::new(),
            subject: Subject::Contact,
            target: Target::Ghl,
            choice: None,
            matched: None,
            removable_tags: Vec::new(),
        }
    }

    #[test]
    fn an_update_names_the_contact_and_takes_before_from_the_read_and_after_from_the_answer() {
        let c = change(
            ChangeKind::Update,
            &[
                ("city", Some("Haifa"), Some("Tel Aviv")),
                ("customFields.k1", None, Some("Gold")),
                ("tags", None, Some("vip")),
            ],
        );
        let read = Contact {
            id: "c1".into(),
            city: Some("Eilat".into()),
            ..Default::default()
        };
        let answer = Contact {
            id: "c1".into(),
            first_name: Some("Dana".into()),
            last_name: Some("Levi".into()),
            city: Some("Tel Aviv".into()),
            date_updated: Some("2026-12-01T10:00:00.000Z".into()),
            ..Default::default()
        };
        let mut e = JournalEntry {
            request: "PUT /contacts/c1".into(),
            fields_sent: vec!["city".into(), "customFields".into()],
            ..Default::default()
        };
        describe(
            &mut e,
            &c,
            &OutboxInfo::default(),
            &ReadBefore::Contact(Box::new(read)),
            Some(&answer),
        );
        assert_eq!(e.contact_id.as_deref(), Some("c1"));
        assert_eq!(e.contact_name, "Dana Levi");
        assert_eq!(e.kind, Some(ChangeKind::Update));
        assert_eq!(e.values.len(), 2, "tags were not in this request");
        assert_eq!(e.values[0].label, "City");
        assert_eq!(e.values[0].before.as_deref(), Some("Eilat"));
        assert_eq!(e.values[0].after.as_deref(), Some("Tel Aviv"));
        assert_eq!(e.values[1].field, "customFields.k1");
        assert_eq!(
            e.date_updated_after.as_deref(),
            Some("2026-12-01T10:00:00.000Z")
        );
        assert_eq!(e.snapshot, None);
        e.seq = 3;
        e.status = Some(200);
        e.at = "2026-07-01T09:00:00Z".into();
        assert_eq!(
            entry_lines(&e),
            vec![
                "#3 · 2026-07-01 12:00 · change #0 · PUT /contacts/c1 · 200 ·  · no traceId",
                "Dana Levi (c1)",
                "City: Eilat → Tel Aviv",
                "customFields.k1: (empty) → (empty)",
            ]
        );
    }

    #[test]
    fn a_delete_keeps_the_contact_as_read_and_a_task_delete_its_fields() {
        let c = change(ChangeKind::Delete, &[("email", Some("d@x.com"), None)]);
        let read = Contact {
            id: "c1".into(),
            email: Some("d@x.com".into()),
            raw_json: r#"{"id":"c1","email":"d@x.com","firstName":"Dana"}"#.into(),
            ..Default::default()
        };
        let mut e = JournalEntry {
            request: "DELETE /contacts/c1".into(),
            ..Default::default()
        };
        describe(
            &mut e,
            &c,
            &OutboxInfo::default(),
            &ReadBefore::Contact(Box::new(read)),
            None,
        );
        assert_eq!(e.snapshot.as_ref().unwrap()["firstName"], "Dana");
        assert_eq!(e.values[0].before.as_deref(), Some("d@x.com"));
        assert_eq!(e.values[0].after, None);

        let mut t = change(ChangeKind::Delete, &[("title", Some("Call"), None)]);
        t.subject = Subject::Task {
            task_id: Some("t1".into()),
        };
        let mut e = JournalEntry {
            request: "DELETE /contacts/c1/tasks/t1".into(),
            ..Default::default()
        };
        let read = ReadBefore::Values(vec![
            ("title".into(), Some("Call back".into())),
            ("body".into(), None),
        ]);
        describe(&mut e, &t, &OutboxInfo::default(), &read, None);
        assert_eq!(e.subject_name.as_deref(), Some("Call back"));
        assert_eq!(
            e.snapshot,
            Some(serde_json::json!({ "title": "Call back" }))
        );
    }
}
