//! What the changes not yet sent would write to the selected contact, for showing on the
//! contact itself: every field of every change of this contact that is pending or approved
//! (a hand edit or a Bmby change), generic over [`FieldChange::field`](crate::domain::FieldChange)
//! (standard fields, `tags`, `assignedTo`, `dnd`, `dndSettings.<Channel>`,
//! `customFields.<id>`), and the pending task and note changes. Built without drawing.

use crate::domain::{Change, ChangeKind, ChangeState, Subject, Target};
use crate::tui::app::App;
use crate::tui::text;

/// One field's value as a change not yet sent would write it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingValue {
    /// GHL field name (`email`, `assignedTo`, `customFields.<id>`, …).
    pub field: String,
    /// What the change calls the field (cleaned).
    pub label: String,
    /// The proposed value as people read it (cleaned; a user id by name; `(cleared)` for none).
    pub value: String,
    /// The change's id.
    pub change: u64,
    /// Approved (waiting to be sent) rather than pending review.
    pub approved: bool,
}

impl PendingValue {
    /// `(pending #12)` or `(approved #12)`.
    pub fn tag(&self) -> String {
        tag(self.change, self.approved)
    }
}

/// `(pending #12)` or `(approved #12)`.
pub fn tag(change: u64, approved: bool) -> String {
    format!(
        "({} #{change})",
        if approved { "approved" } else { "pending" }
    )
}

/// The change still waits to be written: pending review, or approved and not sent.
pub fn waiting(c: &Change) -> bool {
    matches!(c.state, ChangeState::Pending | ChangeState::Approved)
}

/// The changes of contact `id` still waiting to be written, oldest first.
pub fn changes_of<'a>(app: &'a App, id: &str) -> Vec<&'a Change> {
    app.changes
        .all
        .iter()
        .filter(|c| waiting(c) && c.contact_id.as_deref() == Some(id))
        .collect()
}

/// A proposed value as people read it: a user id by name (`assignedTo`, unknown ids marked),
/// `dnd` as on/off, an ISO 8601 instant in Israel time, anything else cleaned; `(cleared)` for no value.
pub fn display_value(app: &App, field: &str, proposed: Option<&str>) -> String {
    let Some(v) = proposed.filter(|v| !v.trim().is_empty()) else {
        return "(cleared)".into();
    };
    match field {
        "assignedTo" => text::clean(&app.users.display(v)),
        "dnd" => match v {
            "true" | "on" => "ON (all channels)".into(),
            "false" | "off" => "off".into(),
            other => text::clean(other),
        },
        // An instant reads in Israel time, like every time on screen.
        _ => match crate::clock::instant(v) {
            Some(t) => crate::clock::human(t),
            None => text::clean(v),
        },
    }
}

/// The values the waiting contact changes of `id` would write, one per field (the newest
/// change wins), in the order the fields first appear.
pub fn values(app: &App, id: &str) -> Vec<PendingValue> {
    let mut out: Vec<PendingValue> = Vec::new();
    for c in changes_of(app, id) {
        if c.subject != Subject::Contact || c.kind == ChangeKind::Delete {
            continue;
        }
        for f in &c.fields {
            let v = PendingValue {
                field: f.field.clone(),
                label: text::clean(&f.label),
                value: display_value(app, &f.field, f.proposed.as_deref()),
                change: c.id,
                approved: c.state == ChangeState::Approved,
            };
            match out.iter_mut().find(|o| o.field == f.field) {
                Some(o) => *o = v,
                None => out.push(v),
            }
        }
    }
    out
}

/// A waiting change that deletes contact `id`: its id and whether it is approved.
pub fn delete_of(app: &App, id: &str) -> Option<(u64, bool)> {
    changes_of(app, id)
        .into_iter()
        .rev()
        .find(|c| c.subject == Subject::Contact && c.kind == ChangeKind::Delete)
        .map(|c| (c.id, c.state == ChangeState::Approved))
}

/// What a waiting task change does to the task, in words: `completes`, `reopens`, `deletes`,
/// `edits`, or `new` for a task not created yet.
pub fn task_effect(c: &Change) -> &'static str {
    let Subject::Task { task_id } = &c.subject else {
        return "edits";
    };
    if c.target == Target::Bmby {
        return "to Bmby";
    }
    if c.kind == ChangeKind::Delete {
        return "deletes";
    }
    if task_id.is_none() || c.kind == ChangeKind::Create {
        return "new";
    }
    let only_completed = c.fields.iter().all(|f| f.field == "completed");
    if only_completed {
        match c
            .fields
            .iter()
            .find(|f| f.field == "completed")
            .and_then(|f| f.proposed.as_deref())
        {
            Some("yes" | "true") => return "completes",
            Some("no" | "false") => return "reopens",
            _ => {}
        }
    }
    "edits"
}

/// What a waiting note change does to the note: `deletes`, `edits`, or `new`.
pub fn note_effect(c: &Change) -> &'static str {
    let Subject::Note { note_id } = &c.subject else {
        return "edits";
    };
    if c.target == Target::Bmby {
        "to Bmby"
    } else if c.kind == ChangeKind::Delete {
        "deletes"
    } else if note_id.is_none() || c.kind == ChangeKind::Create {
        "new"
    } else {
        "edits"
    }
}

/// A proposed field of a change (`title`, `body`, `dueDate`), cleaned.
pub fn proposed(c: &Change, field: &str) -> Option<String> {
    c.fields
        .iter()
        .find(|f| f.field == field)
        .and_then(|f| f.proposed.as_deref())
        .filter(|v| !v.trim().is_empty())
        .map(text::clean)
}
