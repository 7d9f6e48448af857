//! A write `bmby-ghl op NAME` asks for, as a value ([`Edit`]), turned into a pending change by
//! the same functions as the TUI's hand edits ([`crate::sync::local`]) or, for the newer
//! operations, [`crate::sync::ops::propose`]. [`preview`] proposes it into a scratch store
//! that is thrown away, so a dry run shows the planner's exact requests and stores nothing.

use crate::domain::{
    Change, ChangeKind, ChangeState, Contact, FieldChange, Note, Subject, Target, Task,
    LOCAL_ORIGIN,
};
use crate::store::Store;
use crate::sync::dispatch::{self, PlannedRequest};
use crate::sync::ops::Proposal;
use crate::sync::review::ReviewError;
use crate::sync::{local, ops};

/// The contact fields `update-contact --set` and `upsert --set` accept (besides
/// `customFields.<id>`).
pub const SETTABLE: &[&str] = &[
    "firstName",
    "lastName",
    "email",
    "phone",
    "address1",
    "city",
    "state",
    "postalCode",
    "country",
    "website",
    "timezone",
    "source",
    "dateOfBirth",
];

/// One write, with the cached records it is based on.
#[derive(Debug, Clone)]
pub enum Edit {
    /// New values of contact fields: `(field, typed value)` (`tags` as a comma list).
    Fields {
        contact: Contact,
        values: Vec<(String, String)>,
    },
    DeleteContact {
        contact: Contact,
    },
    NewTask {
        contact: Contact,
        title: String,
        due: String,
        body: String,
    },
    /// `(field, typed value)` among `title`, `dueDate`, `body`.
    EditTask {
        contact: Contact,
        task: Task,
        values: Vec<(String, String)>,
    },
    TaskCompleted {
        contact: Contact,
        task: Task,
        completed: bool,
    },
    DeleteTask {
        contact: Contact,
        task: Task,
    },
    NewNote {
        contact: Contact,
        body: String,
    },
    EditNote {
        contact: Contact,
        note: Note,
        body: String,
    },
    DeleteNote {
        contact: Contact,
        note: Note,
    },
    /// A [`crate::domain::ContactOp`] (workflows, campaigns, followers, business, bulk tags,
    /// upsert).
    Op(Proposal),
}

impl Edit {
    /// The contact a single-contact edit is about.
    pub fn contact(&self) -> Option<&Contact> {
        match self {
            Edit::Fields { contact, .. }
            | Edit::DeleteContact { contact }
            | Edit::NewTask { contact, .. }
            | Edit::EditTask { contact, .. }
            | Edit::TaskCompleted { contact, .. }
            | Edit::DeleteTask { contact, .. }
            | Edit::NewNote { contact, .. }
            | Edit::EditNote { contact, .. }
            | Edit::DeleteNote { contact, .. } => Some(contact),
            Edit::Op(_) => None,
        }
    }

    /// The subject of the change it makes (to find a pending hand edit it would join).
    pub fn subject(&self) -> Option<Subject> {
        match self {
            Edit::Fields { .. } => Some(Subject::Contact),
            Edit::EditTask { task, .. } | Edit::TaskCompleted { task, .. } => Some(Subject::Task {
                task_id: Some(task.id.clone()),
            }),
            Edit::EditNote { note, .. } => Some(Subject::Note {
                note_id: Some(note.id.clone()),
            }),
            _ => None,
        }
    }
}

/// The pending hand edit of the same contact and subject that `e` would join, if any: `op`
/// refuses to send it along (a person has not approved it).
pub fn joins_pending(store: &Store, e: &Edit) -> Result<Option<Change>, ReviewError> {
    let (Some(contact), Some(subject)) = (e.contact(), e.subject()) else {
        return Ok(None);
    };
    Ok(store.changes()?.into_iter().find(|c| {
        c.origin == LOCAL_ORIGIN
            && c.state == ChangeState::Pending
            && c.kind == ChangeKind::Update
            && c.target == Target::Ghl
            && c.subject == subject
            && c.contact_id.as_deref() == Some(contact.id.as_str())
    }))
}

/// Stores `e` as a pending change (origin `local`) and returns it.
/// Errors: a value refused ([`ReviewError::Value`], naming the field), the store failing.
pub fn propose(store: &Store, e: &Edit) -> Result<Change, ReviewError> {
    match e {
        Edit::Fields { contact, values } => {
            let mut last = None;
            for (field, value) in values {
                last = Some(local::edit_contact_field(store, contact, field, value)?);
            }
            last.ok_or_else(|| ReviewError::Value {
                field: "contact".into(),
                message: "no field to set".into(),
            })
        }
        Edit::DeleteContact { contact } => delete_contact(store, contact),
        Edit::NewTask {
            contact,
            title,
            due,
            body,
        } => local::add_task(store, contact, title, due, body),
        Edit::EditTask {
            contact,
            task,
            values,
        } => {
            let v: Vec<(&str, &str)> = values
                .iter()
                .map(|(f, v)| (f.as_str(), v.as_str()))
                .collect();
            local::edit_task(store, contact, task, &v)
        }
        Edit::TaskCompleted {
            contact,
            task,
            completed,
        } => local::set_task_completed(store, contact, task, *completed),
        Edit::DeleteTask { contact, task } => local::delete_task(store, contact, task),
        Edit::NewNote { contact, body } => local::add_note(store, contact, body),
        Edit::EditNote {
            contact,
            note,
            body,
        } => local::edit_note(store, contact, note, body),
        Edit::DeleteNote { contact, note } => local::delete_note(store, contact, note),
        Edit::Op(p) => ops::propose(store, p.clone()).map_err(|e| match e {
            ops::ProposeError::Invalid(i) => ReviewError::Value {
                field: i.field.to_owned(),
                message: i.message,
            },
            ops::ProposeError::Store(s) => s.into(),
        }),
    }
}

/// Proposes deleting a contact: the diff shows its name, email and phone going.
fn delete_contact(store: &Store, contact: &Contact) -> Result<Change, ReviewError> {
    let now = jiff::Timestamp::now().to_string();
    let id = store.next_seq("change")?;
    let fields = ["firstName", "lastName", "email", "phone"]
        .into_iter()
        .filter_map(|f| {
            crate::sync::diff::ghl_value(contact, f).map(|v| FieldChange {
                field: f.to_owned(),
                label: crate::sync::diff::field_label(f).to_owned(),
                source_field: LOCAL_ORIGIN.to_owned(),
                ghl_now: Some(v),
                proposed: None,
                edited: false,
                value_json: None,
            })
        })
        .collect();
    let c = Change {
        id,
        kind: ChangeKind::Delete,
        state: ChangeState::Pending,
        client_id: String::new(),
        fingerprint: format!("local:{id}:{}", contact.id),
        contact_id: Some(contact.id.clone()),
        display_name: contact.display_name(),
        fields,
        base_date_updated: contact.date_updated.clone(),
        origin: LOCAL_ORIGIN.to_owned(),
        warnings: Vec::new(),
        candidates: Vec::new(),
        created_at: now.clone(),
        updated_at: now,
        subject: Subject::Contact,
        target: Target::Ghl,
        choice: None,
        matched: None,
        removable_tags: Vec::new(),
    };
    store.put_change(&c)?;
    store.flush()?;
    Ok(c)
}

/// Why a dry run could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PreviewError {
    #[error("a scratch store for the dry run: {0}")]
    Scratch(#[from] std::io::Error),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Review(#[from] ReviewError),
}

/// The change `e` would make and the requests sending it would make (the planner's, as
/// `apply --dry-run` prints them), without storing anything: it is proposed into a scratch
/// store in a temporary directory, removed on return.
pub fn preview(e: &Edit, location_id: &str) -> Result<(Change, Vec<PlannedRequest>), PreviewError> {
    let dir = tempfile::tempdir()?;
    let scratch = Store::open_path(&dir.path().join("cache.sled"))?;
    if let Some(c) = e.contact() {
        scratch.put_contacts(std::slice::from_ref(c))?;
    }
    let c = propose(&scratch, e)?;
    let plan = dispatch::plan(&c, location_id);
    Ok((c, plan))
}
