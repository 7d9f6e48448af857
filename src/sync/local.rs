//! Changes a person makes by hand (the TUI's edit keys, support staff fixing one contact): a
//! contact field, a note added/edited/deleted, a task added/edited/completed/deleted. Each is a
//! pending change with origin [`LOCAL_ORIGIN`], shown in the same diff view and dispatched only
//! after approval. Values are validated as in review ([`validate_value`]); the base of the diff
//! is the record as cached now. A second edit of the same contact, task or note joins its
//! pending change; setting a field back to GHL's value takes it out again.

use super::diff::{field_label, ghl_value, same};
use super::dispatch::activity::{note_value, task_value, yes_no};
use super::review::{validate_value, ReviewError};
use crate::domain::{
    Change, ChangeKind, ChangeState, Contact, CustomFieldDef, FieldChange, Note, Subject, Target,
    Task, LOCAL_ORIGIN,
};
use crate::store::Store;

/// Labels of task and note fields.
pub fn activity_label(field: &str) -> &'static str {
    match field {
        "title" => "Title",
        "dueDate" => "Due",
        "body" => "Body",
        "completed" => "Completed",
        _ => "Field",
    }
}

fn invalid(field: &str, message: String) -> ReviewError {
    ReviewError::Value {
        field: field.to_owned(),
        message,
    }
}

/// A value that must be given: checked as [`validate_value`] does, `empty` when it is blank.
fn required(field: &str, typed: &str, empty: &str) -> Result<String, ReviewError> {
    validate_value(field, typed)
        .map_err(|m| invalid(field, m))?
        .ok_or_else(|| invalid(field, empty.into()))
}

/// The pending local update of this subject of this contact, if any: a second edit of the same
/// contact, task or note joins it instead of making another change.
fn pending_local(
    store: &Store,
    contact_id: &str,
    subject: &Subject,
) -> Result<Option<Change>, ReviewError> {
    Ok(store.changes()?.into_iter().rev().find(|c| {
        c.origin == LOCAL_ORIGIN
            && c.state == ChangeState::Pending
            && c.kind == ChangeKind::Update
            && c.target == Target::Ghl
            && c.subject == *subject
            && c.contact_id.as_deref() == Some(contact_id)
    }))
}

/// Puts `fields` into the pending change `c`: a field edited again is replaced, a field set
/// back to the value it is based on drops out, and a change left with no field is withdrawn
/// (rejected, with a warning saying so).
fn merge_into(
    store: &Store,
    mut c: Change,
    fields: Vec<FieldChange>,
    same: impl Fn(&FieldChange) -> bool,
) -> Result<Change, ReviewError> {
    for f in fields {
        let base = c
            .fields
            .iter()
            .find(|x| x.field == f.field)
            .map(|x| x.ghl_now.clone())
            .unwrap_or_else(|| f.ghl_now.clone());
        c.fields.retain(|x| x.field != f.field);
        let f = FieldChange { ghl_now: base, ..f };
        if !same(&f) {
            c.fields.push(f);
        }
    }
    if c.fields.is_empty() {
        c.state = ChangeState::Rejected;
        c.warnings
            .push("withdrawn: every field was set back to the value GHL has".into());
    }
    c.updated_at = stamp();
    store.put_change(&c)?;
    store.flush()?;
    Ok(c)
}

fn field(name: &str, label: &str, now: Option<String>, proposed: Option<String>) -> FieldChange {
    FieldChange {
        field: name.to_owned(),
        label: label.to_owned(),
        source_field: LOCAL_ORIGIN.to_owned(),
        ghl_now: now,
        proposed,
        // The whole change is a person's; "edited" marks a person's value in an import.
        edited: false,
        value_json: None,
    }
}

fn stamp() -> String {
    jiff::Timestamp::now().to_string()
}

fn new_change(
    store: &Store,
    kind: ChangeKind,
    contact: &Contact,
    subject: Subject,
    fields: Vec<FieldChange>,
) -> Result<Change, ReviewError> {
    let now = stamp();
    let id = store.next_seq("change")?;
    let fingerprint = format!("local:{id}:{}", contact.id);
    let c = Change {
        id,
        kind,
        state: ChangeState::Pending,
        client_id: String::new(),
        contact_id: Some(contact.id.clone()),
        display_name: contact.display_name(),
        fields,
        base_date_updated: contact.date_updated.clone(),
        origin: LOCAL_ORIGIN.to_owned(),
        warnings: Vec::new(),
        candidates: Vec::new(),
        fingerprint,
        created_at: now.clone(),
        updated_at: now,
        subject,
        target: Target::Ghl,
        choice: None,
        matched: None,
        removable_tags: Vec::new(),
    };
    store.put_change(&c)?;
    store.flush()?;
    Ok(c)
}

/// Proposes a new value for one of the contact's fields (`email`, `phone`, `firstName`,
/// `source`, `type`, `assignedTo` (a user id), `tags` (the whole list, `a, b`), `dnd` (`on`/
/// `off`), `dndSettings.<Channel>` (`active`/`inactive`), …). Errors: an invalid value
/// ([`ReviewError::Value`] naming the field); a value equal to GHL's is refused too. A pending
/// local edit of the same contact gets the field added.
pub fn edit_contact_field(
    store: &Store,
    contact: &Contact,
    name: &str,
    value: &str,
) -> Result<Change, ReviewError> {
    let proposed = validate_value(name, value).map_err(|m| invalid(name, m))?;
    let now = ghl_value(contact, name);
    propose_field(
        store,
        contact,
        field(name, field_label(name), now, proposed),
    )
}

/// Proposes the field change `f` of `contact`: joins the contact's pending local edit, or makes
/// a new pending change; refused when the value equals GHL's.
fn propose_field(store: &Store, contact: &Contact, f: FieldChange) -> Result<Change, ReviewError> {
    if let Some(c) = pending_local(store, &contact.id, &Subject::Contact)? {
        return merge_into(store, c, vec![f], |f| {
            same(&f.field, f.ghl_now.as_deref(), f.proposed.as_deref())
        });
    }
    if same(&f.field, f.ghl_now.as_deref(), f.proposed.as_deref()) {
        return Err(invalid(
            &f.field,
            "unchanged: GHL already has this value".into(),
        ));
    }
    new_change(
        store,
        ChangeKind::Update,
        contact,
        Subject::Contact,
        vec![f],
    )
}

/// The value of `field` this contact will have once its pending local edit is sent: the
/// pending proposal when there is one, else GHL's value.
pub fn pending_or_ghl(store: &Store, contact: &Contact, field: &str) -> Option<String> {
    let pending = pending_local(store, &contact.id, &Subject::Contact)
        .ok()
        .flatten()
        .and_then(|c| c.fields.into_iter().find(|f| f.field == field));
    match pending {
        Some(f) => f.proposed,
        None => ghl_value(contact, field),
    }
}

/// Proposes the contact's owner (`assignedTo`): a user id of the location, or `None` to clear.
/// Views show the id as the user's name.
pub fn set_owner(
    store: &Store,
    contact: &Contact,
    user_id: Option<&str>,
) -> Result<Change, ReviewError> {
    edit_contact_field(store, contact, "assignedTo", user_id.unwrap_or(""))
}

/// Adds and removes tags (on top of a pending tag edit of the contact, if any). Tag names are
/// cleaned and trimmed; adding a tag the contact has (any case) or removing one it lacks
/// changes nothing. Error: nothing would change.
pub fn edit_tags(
    store: &Store,
    contact: &Contact,
    add: &[String],
    remove: &[String],
) -> Result<Change, ReviewError> {
    let mut tags = super::dispatch::tags_of(&pending_or_ghl(store, contact, "tags"));
    for t in remove {
        let t = crate::sanitize::clean_line(t).trim().to_lowercase();
        tags.retain(|x| x.to_lowercase() != t);
    }
    for t in add {
        let t = crate::sanitize::clean_line(t).trim().replace(',', " ");
        if !t.is_empty() && !tags.iter().any(|x| x.eq_ignore_ascii_case(&t)) {
            tags.push(t);
        }
    }
    edit_contact_field(store, contact, "tags", &tags.join(", "))
}

/// Proposes do-not-disturb on or off: for every channel (`channel: None`, GHL's `dnd`) or for
/// one channel of `dndSettings` (`SMS`, `Email`, `Call`, `WhatsApp`, `GMB`, `FB`).
pub fn set_dnd(
    store: &Store,
    contact: &Contact,
    channel: Option<&str>,
    on: bool,
) -> Result<Change, ReviewError> {
    match channel {
        None => edit_contact_field(store, contact, "dnd", if on { "on" } else { "off" }),
        Some(ch) => {
            let ch = crate::domain::contact::DND_CHANNELS
                .iter()
                .find(|c| c.eq_ignore_ascii_case(ch.trim()))
                .ok_or_else(|| {
                    invalid(
                        "dndSettings",
                        format!(
                            "`{ch}` is not a DND channel ({})",
                            crate::domain::contact::DND_CHANNELS.join(", ")
                        ),
                    )
                })?;
            let field = format!("dndSettings.{ch}");
            edit_contact_field(
                store,
                contact,
                &field,
                if on { "active" } else { "inactive" },
            )
        }
    }
}

/// Proposes a custom field value typed by a person, checked against the field's definition
/// ([`CustomFieldDef::parse_input`]); the write carries the typed JSON GHL takes. Blank
/// clears the field. Errors: a value the definition refuses (nothing is proposed), or the
/// value GHL already has.
pub fn set_custom_field(
    store: &Store,
    contact: &Contact,
    def: &CustomFieldDef,
    typed: &str,
) -> Result<Change, ReviewError> {
    let name = format!("customFields.{}", def.id);
    let v = def.parse_input(typed).map_err(|m| invalid(&name, m))?;
    let now = contact
        .custom_fields
        .iter()
        .find(|f| f.id == def.id)
        .map(|f| def.format(f))
        .filter(|s| !s.is_empty());
    let mut f = field(&name, &def.name, now, v.display);
    f.value_json = (!v.wire.is_null()).then(|| v.wire.to_string());
    propose_field(store, contact, f)
}

/// Proposes a new task (`title` and `due` required; `due` as [`validate_value`] reads
/// `dueDate`).
pub fn add_task(
    store: &Store,
    contact: &Contact,
    title: &str,
    due: &str,
    body: &str,
) -> Result<Change, ReviewError> {
    let title_v = required("title", title, "a task needs a title")?;
    let due_v = required("dueDate", due, "a task needs a due date")?;
    let body_v = validate_value("body", body).map_err(|m| invalid("body", m))?;
    let mut fields = vec![
        field("title", "Title", None, Some(title_v)),
        field("dueDate", "Due", None, Some(due_v)),
    ];
    if body_v.is_some() {
        fields.push(field("body", "Body", None, body_v));
    }
    fields.push(field("completed", "Completed", None, Some(yes_no(false))));
    new_change(
        store,
        ChangeKind::Create,
        contact,
        Subject::Task { task_id: None },
        fields,
    )
}

/// Proposes new values for a task's fields: `(field, typed value)` pairs among `title`,
/// `dueDate`, `body`, `completed`. Fields left as they are drop out; nothing left is an error.
pub fn edit_task(
    store: &Store,
    contact: &Contact,
    task: &Task,
    values: &[(&str, &str)],
) -> Result<Change, ReviewError> {
    let subject = Subject::Task {
        task_id: Some(task.id.clone()),
    };
    let unchanged = |f: &FieldChange| {
        f.ghl_now.as_deref().map(str::trim) == f.proposed.as_deref().map(str::trim)
    };
    let mut fields = Vec::new();
    for (name, typed) in values {
        let proposed = validate_value(name, typed).map_err(|m| invalid(name, m))?;
        if *name == "title" && proposed.is_none() {
            return Err(invalid("title", "a task needs a title".into()));
        }
        fields.push(field(
            name,
            activity_label(name),
            task_value(task, name),
            proposed,
        ));
    }
    if let Some(c) = pending_local(store, &contact.id, &subject)? {
        return merge_into(store, c, fields, unchanged);
    }
    fields.retain(|f| !unchanged(f));
    if fields.is_empty() {
        return Err(invalid("task", "nothing changed".into()));
    }
    new_change(store, ChangeKind::Update, contact, subject, fields)
}

/// Proposes completing (or reopening) a task.
pub fn set_task_completed(
    store: &Store,
    contact: &Contact,
    task: &Task,
    completed: bool,
) -> Result<Change, ReviewError> {
    edit_task(store, contact, task, &[("completed", &yes_no(completed))])
}

/// Proposes deleting a task (the diff shows what goes).
pub fn delete_task(store: &Store, contact: &Contact, task: &Task) -> Result<Change, ReviewError> {
    let fields = ["title", "dueDate", "body"]
        .into_iter()
        .filter_map(|f| task_value(task, f).map(|v| field(f, activity_label(f), Some(v), None)))
        .collect();
    new_change(
        store,
        ChangeKind::Delete,
        contact,
        Subject::Task {
            task_id: Some(task.id.clone()),
        },
        fields,
    )
}

/// Proposes a new note (multi-line `body`, required).
pub fn add_note(store: &Store, contact: &Contact, body: &str) -> Result<Change, ReviewError> {
    let body_v = required("body", body, "a note needs some text")?;
    new_change(
        store,
        ChangeKind::Create,
        contact,
        Subject::Note { note_id: None },
        vec![field("body", "Body", None, Some(body_v))],
    )
}

/// Proposes new text for a note.
pub fn edit_note(
    store: &Store,
    contact: &Contact,
    note: &Note,
    body: &str,
) -> Result<Change, ReviewError> {
    let body_v = required("body", body, "a note needs some text (delete it instead)")?;
    let now = note_value(note, "body");
    let subject = Subject::Note {
        note_id: Some(note.id.clone()),
    };
    let f = field("body", "Body", now.clone(), Some(body_v.clone()));
    if let Some(c) = pending_local(store, &contact.id, &subject)? {
        return merge_into(store, c, vec![f], |f| {
            f.ghl_now.as_deref().map(str::trim) == f.proposed.as_deref().map(str::trim)
        });
    }
    if now.as_deref().map(str::trim) == Some(body_v.trim()) {
        return Err(invalid("body", "nothing changed".into()));
    }
    new_change(store, ChangeKind::Update, contact, subject, vec![f])
}

/// Proposes deleting a note.
pub fn delete_note(store: &Store, contact: &Contact, note: &Note) -> Result<Change, ReviewError> {
    new_change(
        store,
        ChangeKind::Delete,
        contact,
        Subject::Note {
            note_id: Some(note.id.clone()),
        },
        vec![field("body", "Body", note_value(note, "body"), None)],
    )
}
