//! Editing by hand on the contacts screen (support staff fixing one contact): a contact field,
//! a task (add, edit, complete/reopen, delete), a note (add and edit in `$EDITOR`, delete).
//! Each edit becomes a pending local change ([`crate::sync::local`]), shown on the changes
//! screen and sent only after approval; deletes ask first.
//!
//! Values are checked as they are saved ([`validate_value`]: email shape, phone to E.164, due
//! dates as Israel time); the store write runs off the UI thread ([`Effect::Local`]).

// Drawing lives in its own file: this module only updates.
pub mod choices;
pub mod commands;
pub mod render;

use crate::domain::{Change, Contact, CustomFieldDef, Note, Task};
use crate::store::Store;
use crate::sync::local;
use crate::sync::review::validate_value;
use crate::tui::action::Action;
use crate::tui::app::{ActivityTab, App, Effect, Pane};
use crate::tui::changes::edit::EditState;
use crate::tui::keymap::{Context, KeyCombo};

/// Contact fields that can be edited by hand: `(GHL field, label)`.
pub const CONTACT_FIELDS: &[(&str, &str)] = &[
    ("firstName", "First name"),
    ("lastName", "Last name"),
    ("email", "Email"),
    ("phone", "Phone"),
    ("address1", "Address"),
    ("city", "City"),
    ("postalCode", "Postal code"),
    ("website", "Website"),
    ("dateOfBirth", "Date of birth"),
];

/// What is being typed, step by step (a new task asks title, due date, body in turn).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    ContactField {
        field: String,
        label: String,
    },
    TaskTitle {
        task: Option<Task>,
    },
    TaskDue {
        task: Option<Task>,
        title: String,
    },
    TaskBody {
        task: Option<Task>,
        title: String,
        due: String,
    },
    /// A note typed on one line (no `$EDITOR`/`$VISUAL` set).
    NoteBody {
        note: Option<Note>,
    },
    /// A custom field's value, checked by its definition.
    CustomField {
        def: CustomFieldDef,
    },
}

impl Step {
    /// The field the typed value is checked as.
    fn field(&self) -> &str {
        match self {
            Step::ContactField { field, .. } => field,
            Step::TaskTitle { .. } => "title",
            Step::TaskDue { .. } => "dueDate",
            Step::TaskBody { .. } | Step::NoteBody { .. } => "body",
            Step::CustomField { .. } => "customField",
        }
    }
}

/// An open hand edit.
#[derive(Debug, Clone, PartialEq)]
pub enum HandEdit {
    /// Choosing which contact field to edit.
    Fields { cursor: usize },
    /// Typing a value.
    Line { step: Step, edit: EditState },
    /// A y/n question before a delete.
    Confirm { question: String, op: LocalOp },
}

/// A hand edit to store as a pending change (run off the UI thread).
#[derive(Debug, Clone, PartialEq)]
pub enum LocalOp {
    ContactField {
        contact: Box<Contact>,
        field: String,
        value: String,
    },
    AddTask {
        contact: Box<Contact>,
        title: String,
        due: String,
        body: String,
    },
    EditTask {
        contact: Box<Contact>,
        task: Task,
        values: Vec<(String, String)>,
    },
    SetTaskCompleted {
        contact: Box<Contact>,
        task: Task,
        completed: bool,
    },
    DeleteTask {
        contact: Box<Contact>,
        task: Task,
    },
    AddNote {
        contact: Box<Contact>,
        body: String,
    },
    EditNote {
        contact: Box<Contact>,
        note: Note,
        body: String,
    },
    DeleteNote {
        contact: Box<Contact>,
        note: Note,
    },
    /// The owner: a user id, or `None` to clear.
    SetOwner {
        contact: Box<Contact>,
        user: Option<String>,
    },
    EditTags {
        contact: Box<Contact>,
        add: Vec<String>,
        remove: Vec<String>,
    },
    /// DND on every channel (`channel: None`) or one.
    SetDnd {
        contact: Box<Contact>,
        channel: Option<String>,
        on: bool,
    },
    SetCustomField {
        contact: Box<Contact>,
        def: CustomFieldDef,
        typed: String,
    },
}

/// A note to write in `$EDITOR`: the loop hands the terminal over, then calls
/// [`App::handle_external_edit`] with what was saved.
#[derive(Debug, Clone, PartialEq)]
pub struct ExternalEdit {
    pub contact: Box<Contact>,
    /// The note being edited; `None` for a new one.
    pub note: Option<Note>,
    /// The text the editor starts with.
    pub initial: String,
}

/// Stores the op as a pending change. Errors are the messages to show.
pub fn run_local(store: &Store, op: &LocalOp) -> Result<Change, String> {
    let r = match op {
        LocalOp::ContactField {
            contact,
            field,
            value,
        } => local::edit_contact_field(store, contact, field, value),
        LocalOp::AddTask {
            contact,
            title,
            due,
            body,
        } => local::add_task(store, contact, title, due, body),
        LocalOp::EditTask {
            contact,
            task,
            values,
        } => {
            let v: Vec<(&str, &str)> = values
                .iter()
                .map(|(a, b)| (a.as_str(), b.as_str()))
                .collect();
            local::edit_task(store, contact, task, &v)
        }
        LocalOp::SetTaskCompleted {
            contact,
            task,
            completed,
        } => local::set_task_completed(store, contact, task, *completed),
        LocalOp::DeleteTask { contact, task } => local::delete_task(store, contact, task),
        LocalOp::AddNote { contact, body } => local::add_note(store, contact, body),
        LocalOp::EditNote {
            contact,
            note,
            body,
        } => local::edit_note(store, contact, note, body),
        LocalOp::DeleteNote { contact, note } => local::delete_note(store, contact, note),
        LocalOp::SetOwner { contact, user } => local::set_owner(store, contact, user.as_deref()),
        LocalOp::EditTags {
            contact,
            add,
            remove,
        } => local::edit_tags(store, contact, add, remove),
        LocalOp::SetDnd {
            contact,
            channel,
            on,
        } => local::set_dnd(store, contact, channel.as_deref(), *on),
        LocalOp::SetCustomField {
            contact,
            def,
            typed,
        } => local::set_custom_field(store, contact, def, typed),
    };
    r.map_err(|e| e.to_string())
}

/// Tomorrow 09:00 Israel time, `YYYY-MM-DD HH:MM`: the due date a new task starts with.
fn default_due(now: jiff::Timestamp) -> String {
    let d = now
        .to_zoned(crate::clock::israel().clone())
        .date()
        .tomorrow()
        .unwrap_or_default();
    format!("{d} 09:00")
}

/// An ISO instant as Israel local `YYYY-MM-DD HH:MM` (to edit a due date).
fn local_due(iso: &str) -> String {
    crate::clock::value(iso).into_owned()
}

/// The tasks in the order the activity pane lists them (open first).
pub fn tasks_in_order(tasks: &[Task]) -> Vec<&Task> {
    let mut v: Vec<&Task> = tasks.iter().collect();
    v.sort_by_key(|t| t.completed);
    v
}

impl App {
    fn edit_contact(&self) -> Option<Contact> {
        self.details.as_ref().and_then(|d| d.contact.clone())
    }

    /// Refuses a hand edit with a reason; `None` when editing is possible.
    fn edit_refused(&self) -> Option<String> {
        if let Some(r) = &self.read_only {
            return Some(format!("read-only: {r}"));
        }
        if self.edit_contact().is_none() {
            return Some("no contact selected (or not in the cache yet)".into());
        }
        None
    }

    fn selected_task(&self) -> Option<Task> {
        let d = self.details.as_ref()?;
        tasks_in_order(d.tasks.as_deref()?)
            .get(self.activity_selected)
            .map(|t| (*t).clone())
    }

    fn selected_note(&self) -> Option<Note> {
        let d = self.details.as_ref()?;
        d.notes.as_ref()?.get(self.activity_selected).cloned()
    }

    /// The pending hand edits of the selected contact (newest last), from the changes last
    /// loaded: one pass, for a frame or a key press.
    pub fn pending_local(&self) -> Vec<&Change> {
        let Some(contact) = self.details.as_ref().map(|d| d.id.as_str()) else {
            return Vec::new();
        };
        self.changes
            .all
            .iter()
            .filter(|c| {
                c.origin == crate::domain::LOCAL_ORIGIN
                    && c.state == crate::domain::ChangeState::Pending
                    && c.contact_id.as_deref() == Some(contact)
            })
            .collect()
    }

    /// The pending hand edit of `subject` (a task or note of the selected contact).
    pub fn pending_local_for(&self, subject: &crate::domain::Subject) -> Option<&Change> {
        self.pending_local()
            .into_iter()
            .rev()
            .find(|c| c.subject == *subject)
    }

    /// Number of selectable items on the current activity tab.
    pub fn activity_items(&self) -> usize {
        let Some(d) = &self.details else { return 0 };
        match self.tab {
            ActivityTab::Tasks => d.tasks.as_ref().map_or(0, Vec::len),
            ActivityTab::Notes => d.notes.as_ref().map_or(0, Vec::len),
            ActivityTab::Appointments => 0,
        }
    }

    fn open_line(&mut self, step: Step, label: &str, value: &str) {
        // A due date's editor shows live which instant the text means (`dueDate`).
        let field = if matches!(step, Step::TaskDue { .. }) {
            "dueDate"
        } else {
            ""
        };
        self.hand_edit = Some(HandEdit::Line {
            step,
            edit: EditState::new(0, field, label, value),
        });
    }

    /// The edit actions of the contacts screen (`contact.edit_field`, `activity.*`,
    /// `task.toggle_done`).
    pub(crate) fn handle_edit_action(&mut self, action: Action) -> Vec<Effect> {
        self.dirty = true;
        if let Some(why) = self.edit_refused() {
            self.status.error = Some(why);
            return Vec::new();
        }
        let contact = Box::new(self.edit_contact().expect("checked"));
        // Editing a contact keeps it selected when the list reloads.
        self.selection_chosen = true;
        match action {
            Action::ContactEditField => {
                self.hand_edit = Some(HandEdit::Fields { cursor: 0 });
            }
            Action::ActivityNew => match self.tab {
                ActivityTab::Tasks => {
                    self.open_line(Step::TaskTitle { task: None }, "New task: title", "")
                }
                ActivityTab::Notes => return self.note_editor(contact, None),
                ActivityTab::Appointments => {
                    self.status.info = Some("appointments are read-only here".into());
                }
            },
            Action::ActivityEdit => match self.tab {
                ActivityTab::Tasks => match self.selected_task() {
                    Some(t) => {
                        let title = t.title.clone();
                        self.open_line(Step::TaskTitle { task: Some(t) }, "Task: title", &title)
                    }
                    None => self.status.info = Some("no task selected".into()),
                },
                ActivityTab::Notes => match self.selected_note() {
                    Some(n) => return self.note_editor(contact, Some(n)),
                    None => self.status.info = Some("no note selected".into()),
                },
                ActivityTab::Appointments => {
                    self.status.info = Some("appointments are read-only here".into());
                }
            },
            Action::TaskToggleDone => match (self.tab, self.selected_task()) {
                (ActivityTab::Tasks, Some(task)) => {
                    // Toggles what the task will be: a pending completion counts.
                    let pending = self
                        .pending_local_for(&crate::domain::Subject::Task {
                            task_id: Some(task.id.clone()),
                        })
                        .and_then(|c| c.proposed("completed").map(|v| v == "yes"));
                    let completed = !pending.unwrap_or(task.completed);
                    return vec![Effect::Local(LocalOp::SetTaskCompleted {
                        contact,
                        task,
                        completed,
                    })];
                }
                _ => self.status.info = Some("select a task on the Tasks tab first".into()),
            },
            Action::ActivityDelete => match self.tab {
                ActivityTab::Tasks => match self.selected_task() {
                    Some(task) => {
                        self.hand_edit = Some(HandEdit::Confirm {
                            question: format!(
                            "Propose deleting the task \"{}\" of {}? (sent only after approval)",
                            crate::tui::text::clean(&task.title),
                            crate::tui::text::clean(&contact.display_name())
                        ),
                            op: LocalOp::DeleteTask { contact, task },
                        })
                    }
                    None => self.status.info = Some("no task selected".into()),
                },
                ActivityTab::Notes => match self.selected_note() {
                    Some(note) => {
                        let first: String = note
                            .body
                            .lines()
                            .next()
                            .unwrap_or("")
                            .chars()
                            .take(40)
                            .collect();
                        self.hand_edit = Some(HandEdit::Confirm {
                            question: format!(
                                "Propose deleting the note \"{}\" of {}? (sent only after approval)",
                                crate::tui::text::clean(&first),
                                crate::tui::text::clean(&contact.display_name())
                            ),
                            op: LocalOp::DeleteNote { contact, note },
                        })
                    }
                    None => self.status.info = Some("no note selected".into()),
                },
                ActivityTab::Appointments => {
                    self.status.info = Some("appointments are read-only here".into());
                }
            },
            _ => {}
        }
        Vec::new()
    }

    /// A note is written in `$VISUAL`/`$EDITOR` when one is set, else on one line.
    fn note_editor(&mut self, contact: Box<Contact>, note: Option<Note>) -> Vec<Effect> {
        if self.external_editor {
            let initial = note.as_ref().map(|n| n.body.clone()).unwrap_or_default();
            return vec![Effect::ExternalEdit(ExternalEdit {
                contact,
                note,
                initial,
            })];
        }
        let (label, value) = match &note {
            Some(n) => (
                "Note (set $EDITOR for several lines)",
                n.body.replace('\n', " "),
            ),
            None => ("New note (set $EDITOR for several lines)", String::new()),
        };
        self.open_line(Step::NoteBody { note }, label, &value);
        Vec::new()
    }

    /// What `$EDITOR` left: the note's new text, `None` when the editor failed or was
    /// quit without a change.
    pub fn handle_external_edit(
        &mut self,
        e: ExternalEdit,
        result: Result<String, String>,
    ) -> Vec<Effect> {
        self.dirty = true;
        match result {
            Err(why) => {
                self.status.error = Some(format!("editor: {why}"));
                Vec::new()
            }
            Ok(text) if text.trim().is_empty() => {
                self.status.info = Some("empty note: nothing proposed".into());
                Vec::new()
            }
            Ok(text) if text.trim() == e.initial.trim() => {
                self.status.info = Some("note unchanged: nothing proposed".into());
                Vec::new()
            }
            Ok(body) => vec![Effect::Local(match e.note {
                Some(note) => LocalOp::EditNote {
                    contact: e.contact,
                    note,
                    body,
                },
                None => LocalOp::AddNote {
                    contact: e.contact,
                    body,
                },
            })],
        }
    }

    /// A hand edit was stored (or refused).
    pub fn handle_local_done(&mut self, r: Result<Change, String>) -> Vec<Effect> {
        self.dirty = true;
        match r {
            Ok(c) if c.state == crate::domain::ChangeState::Rejected => {
                self.status.error = None;
                self.status.info = Some(format!(
                    "change #{} withdrawn: every field is back to GHL's value",
                    c.id
                ));
                vec![Effect::LoadChanges]
            }
            Ok(c) => {
                self.status.error = None;
                // The instant a typed due date was saved as, said once more in words.
                let due = c
                    .proposed("dueDate")
                    .and_then(crate::clock::instant)
                    .map(|t| format!(", due {}", crate::clock::human_labelled(t)))
                    .unwrap_or_default();
                self.status.info = Some(format!(
                    "change #{} ({} for {}{due}) is pending: approve it on the Changes screen (c)",
                    c.id,
                    c.describe(),
                    crate::tui::text::clean(&c.display_name)
                ));
                vec![Effect::LoadChanges]
            }
            Err(e) => {
                self.status.error = Some(e);
                Vec::new()
            }
        }
    }

    /// Keys while a hand edit is open.
    pub(crate) fn handle_hand_edit_key(&mut self, key: KeyCombo) -> Vec<Effect> {
        self.dirty = true;
        let Some(he) = self.hand_edit.as_mut() else {
            return Vec::new();
        };
        match he {
            HandEdit::Line { edit, .. } => {
                if let Some(c) = key.printable() {
                    edit.insert(c);
                    edit.error = None;
                    return Vec::new();
                }
                match self.keymap.lookup(&[Context::Edit], key) {
                    Some(Action::EditSave) => self.save_line(),
                    Some(Action::EditCancel) => {
                        self.hand_edit = None;
                        Vec::new()
                    }
                    Some(a) => {
                        if let Some(HandEdit::Line { edit, .. }) = self.hand_edit.as_mut() {
                            match a {
                                Action::EditDeleteBack => edit.delete_back(),
                                Action::EditDeleteForward => edit.delete_forward(),
                                Action::EditLeft => edit.left(),
                                Action::EditRight => edit.right(),
                                Action::EditHome => edit.home(),
                                Action::EditEnd => edit.end(),
                                Action::EditClear => edit.clear(),
                                _ => {}
                            }
                        }
                        Vec::new()
                    }
                    None => Vec::new(),
                }
            }
            HandEdit::Confirm { op, .. } => match self.keymap.lookup(&[Context::Confirm], key) {
                Some(Action::ConfirmYes) => {
                    let op = op.clone();
                    self.hand_edit = None;
                    vec![Effect::Local(op)]
                }
                Some(Action::ConfirmNo) => {
                    self.hand_edit = None;
                    self.status.info = Some("nothing deleted".into());
                    Vec::new()
                }
                _ => Vec::new(),
            },
            HandEdit::Fields { cursor } => {
                let at = *cursor;
                let chain = crate::tui::layer::Layer::HandEditFields.chain();
                let choices = choices::choices(self);
                let n = choices.len();
                let at = at.min(n.saturating_sub(1));
                match self.keymap.lookup(&chain, key) {
                    Some(
                        a @ (Action::NavDown
                        | Action::NavUp
                        | Action::NavTop
                        | Action::NavBottom
                        | Action::NavPageDown
                        | Action::NavPageUp),
                    ) => {
                        if let (Some(nav), Some(HandEdit::Fields { cursor })) =
                            (crate::tui::scroll::Nav::of(a), self.hand_edit.as_mut())
                        {
                            *cursor = crate::tui::scroll::scrolled(at, nav, n - 1, 10);
                        }
                    }
                    Some(Action::OpenContact) | Some(Action::ContactEditField) => {
                        self.hand_edit = None;
                        return self.edit_choice(choices[at].clone());
                    }
                    Some(Action::Back) | Some(Action::Quit) => self.hand_edit = None,
                    _ => {}
                }
                Vec::new()
            }
        }
    }

    /// Opens the editor of one picker choice (or, for DND, proposes the toggle at once).
    pub(crate) fn edit_choice(&mut self, choice: choices::Choice) -> Vec<Effect> {
        use choices::Choice;
        let Some(contact) = self.edit_contact() else {
            return Vec::new();
        };
        match choice {
            Choice::Field { field, label } => {
                let now = crate::sync::diff::ghl_value(&contact, field).unwrap_or_default();
                self.open_line(
                    Step::ContactField {
                        field: field.into(),
                        label: label.into(),
                    },
                    label,
                    &now,
                );
            }
            Choice::Owner => {
                self.open_palette(crate::tui::palette::Mode::Command, "owner ");
                return self.refresh_palette_candidates();
            }
            Choice::Tags => {
                self.open_palette(crate::tui::palette::Mode::Command, "tags ");
                return self.refresh_palette_candidates();
            }
            Choice::Dnd(channel) => {
                // Toggles what the contact will have: a pending DND edit counts.
                let field = channel.map_or("dnd".to_owned(), |c| format!("dndSettings.{c}"));
                let now = crate::sync::local::pending_or_ghl(self.store(), &contact, &field);
                let on = !matches!(now.as_deref(), Some("on" | "active" | "permanent"));
                return vec![Effect::Local(LocalOp::SetDnd {
                    contact: Box::new(contact),
                    channel: channel.map(str::to_owned),
                    on,
                })];
            }
            Choice::Custom(def) => {
                let now = contact
                    .custom_fields
                    .iter()
                    .find(|v| v.id == def.id)
                    .map(|v| def.format(v))
                    .unwrap_or_default();
                let hint = if def.has_options() {
                    format!(
                        "{} ({}: {})",
                        def.name,
                        def.kind_hint().unwrap_or(""),
                        def.picklist_options.join(", ")
                    )
                } else {
                    format!("{} ({})", def.name, def.kind_hint().unwrap_or("text"))
                };
                let label = crate::tui::text::clean(&hint);
                self.open_line(Step::CustomField { def }, &label, &now);
            }
        }
        Vec::new()
    }

    /// Enter in the line editor: check the value, then go to the next step or store it.
    fn save_line(&mut self) -> Vec<Effect> {
        let Some(HandEdit::Line { step, edit }) = self.hand_edit.clone() else {
            return Vec::new();
        };
        let Some(contact) = self.edit_contact().map(Box::new) else {
            self.hand_edit = None;
            return Vec::new();
        };
        let typed = edit.input.clone();
        if let Step::CustomField { def } = step {
            if let Err(e) = def.parse_input(&typed) {
                self.set_line_error(&e);
                return Vec::new();
            }
            self.hand_edit = None;
            return vec![Effect::Local(LocalOp::SetCustomField {
                contact,
                def,
                typed,
            })];
        }
        if let Err(e) = validate_value(step.field(), &typed) {
            if let Some(HandEdit::Line { edit, .. }) = self.hand_edit.as_mut() {
                edit.error = Some(e);
            }
            return Vec::new();
        }
        let now = self.now();
        match step {
            Step::ContactField { field, .. } => {
                self.hand_edit = None;
                vec![Effect::Local(LocalOp::ContactField {
                    contact,
                    field,
                    value: typed,
                })]
            }
            Step::TaskTitle { task } => {
                if typed.trim().is_empty() {
                    self.set_line_error("a task needs a title");
                    return Vec::new();
                }
                let due = match &task {
                    Some(t) => t.due_date.as_deref().map(local_due).unwrap_or_default(),
                    None => default_due(now),
                };
                self.open_line(
                    Step::TaskDue { task, title: typed },
                    "Due (YYYY-MM-DD HH:MM, Israel time)",
                    &due,
                );
                Vec::new()
            }
            Step::TaskDue { task, title } => {
                if typed.trim().is_empty() {
                    self.set_line_error("a task needs a due date");
                    return Vec::new();
                }
                if let Err(e) = crate::clock::parse_typed(&typed) {
                    self.set_line_error(&e);
                    return Vec::new();
                }
                let body = task
                    .as_ref()
                    .and_then(|t| t.body.clone())
                    .unwrap_or_default()
                    .replace('\n', " ");
                self.open_line(
                    Step::TaskBody {
                        task,
                        title,
                        due: typed,
                    },
                    "Body (optional)",
                    &body,
                );
                Vec::new()
            }
            Step::TaskBody { task, title, due } => {
                self.hand_edit = None;
                vec![Effect::Local(match task {
                    None => LocalOp::AddTask {
                        contact,
                        title,
                        due,
                        body: typed,
                    },
                    Some(task) => {
                        // Only the fields that changed; the due date compared as an instant.
                        let mut values = Vec::new();
                        if title.trim() != task.title.trim() {
                            values.push(("title".to_owned(), title));
                        }
                        let due_iso = validate_value("dueDate", &due).ok().flatten();
                        let same_due = match (due_iso.as_deref(), task.due_date.as_deref()) {
                            (Some(a), Some(b)) => {
                                a.parse::<jiff::Timestamp>().ok()
                                    == b.parse::<jiff::Timestamp>().ok()
                            }
                            (a, b) => a == b,
                        };
                        if !same_due {
                            values.push(("dueDate".to_owned(), due));
                        }
                        if typed.trim()
                            != task.body.as_deref().unwrap_or("").replace('\n', " ").trim()
                        {
                            values.push(("body".to_owned(), typed));
                        }
                        LocalOp::EditTask {
                            contact,
                            task,
                            values,
                        }
                    }
                })]
            }
            Step::CustomField { .. } => Vec::new(),
            Step::NoteBody { note } => {
                if typed.trim().is_empty() {
                    self.set_line_error("a note needs some text");
                    return Vec::new();
                }
                self.hand_edit = None;
                vec![Effect::Local(match note {
                    Some(note) => LocalOp::EditNote {
                        contact,
                        note,
                        body: typed,
                    },
                    None => LocalOp::AddNote {
                        contact,
                        body: typed,
                    },
                })]
            }
        }
    }

    fn set_line_error(&mut self, e: &str) {
        if let Some(HandEdit::Line { edit, .. }) = self.hand_edit.as_mut() {
            edit.error = Some(e.to_owned());
        }
    }

    /// Moves the activity selection and scrolls so the selected item's first line shows.
    pub(crate) fn activity_nav(&mut self, delta: i64) -> bool {
        let n = self.activity_items();
        if n == 0 || self.focus != Pane::Activity {
            return false;
        }
        self.activity_selected =
            crate::tui::scroll::clamp_move(self.activity_selected, delta, n - 1);
        let starts = crate::tui::panes::activity_text::item_starts(self);
        if let Some(&start) = starts.get(self.activity_selected) {
            let page = self.activity_page().max(1);
            let start = start as u16;
            if start < self.activity_scroll {
                self.activity_scroll = start;
            } else if start >= self.activity_scroll + page {
                self.activity_scroll = start + 1 - page;
            }
        }
        true
    }
}
