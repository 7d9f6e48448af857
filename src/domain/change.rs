//! A change Bmby (or a person) wants to make in GHL, reviewed before anything is written.

use serde::{Deserialize, Serialize};

/// What a change does to GHL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// No GHL contact matches the Bmby client: create one (`POST /contacts/`).
    Create,
    /// Update the differing fields of the matched contact (`PUT /contacts/{id}`).
    Update,
    /// A linked client is missing from a full export: delete the contact (`DELETE /contacts/{id}`).
    Delete,
    /// Email and phone point at different GHL contacts: a person must choose; never guessed.
    Ambiguous,
}

impl ChangeKind {
    pub fn label(self) -> &'static str {
        match self {
            ChangeKind::Create => "create",
            ChangeKind::Update => "update",
            ChangeKind::Delete => "delete",
            ChangeKind::Ambiguous => "ambiguous",
        }
    }
}

/// What a change writes: the contact itself, or one of its tasks or notes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    /// The contact's own fields (`/contacts/{id}`), or a Bmby client (`Insert`).
    #[default]
    Contact,
    /// A task of the contact (`/contacts/{contactId}/tasks/{taskId}`); no id before a create.
    /// Fields: `title`, `dueDate` (ISO 8601 UTC), `body`, `completed` (`true`/`false`).
    Task { task_id: Option<String> },
    /// A note of the contact (`/contacts/{contactId}/notes/{id}`); no id before a create.
    /// Field: `body` (multi-line).
    Note { note_id: Option<String> },
    /// A Contacts API operation that is neither a field edit nor a task or note (workflow,
    /// campaign, followers, business, bulk tags, upsert): see [`super::op::ContactOp`].
    Op(super::op::ContactOp),
}

impl Subject {
    /// `contact`, `task`, `note`.
    pub fn label(&self) -> &'static str {
        match self {
            Subject::Contact => "contact",
            Subject::Task { .. } => "task",
            Subject::Note { .. } => "note",
            Subject::Op(_) => "operation",
        }
    }
}

/// The system a change writes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// GHL, through its REST API.
    #[default]
    Ghl,
    /// Bmby, through its SOAP web service (`NewTask`, `Insert`) or `AddClient`.
    Bmby,
}

impl Target {
    /// `GHL` or `Bmby`.
    pub fn label(self) -> &'static str {
        match self {
            Target::Ghl => "GHL",
            Target::Bmby => "Bmby",
        }
    }
}

/// Where a change stands: review (`pending → approved | rejected`), then dispatch through the
/// outbox (`approved → in_flight → applied | failed | conflict`, or `cancelled`). New states are
/// only ever appended (stored records keep their variant numbers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeState {
    Pending,
    Approved,
    Rejected,
    /// A write was (or may have been) sent; the next start finishes it.
    InFlight,
    Applied,
    /// GHL refused it (400/401/403/422) or retries ran out; `Outbox::last_error` says why.
    Failed,
    /// The contact changed in GHL after the diff was computed: a person settles it.
    Conflict,
    Cancelled,
}

impl ChangeState {
    pub fn label(self) -> &'static str {
        match self {
            ChangeState::Pending => "pending",
            ChangeState::Approved => "approved",
            ChangeState::Rejected => "rejected",
            ChangeState::InFlight => "in_flight",
            ChangeState::Applied => "applied",
            ChangeState::Failed => "failed",
            ChangeState::Conflict => "conflict",
            ChangeState::Cancelled => "cancelled",
        }
    }

    /// True while the change may still be written to GHL by the dispatcher.
    pub fn is_queued(self) -> bool {
        matches!(self, ChangeState::Approved | ChangeState::InFlight)
    }
}

/// Dispatch details of a change, kept beside it in the outbox.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxInfo {
    /// Write attempts made (a resumed in-flight change counts again).
    pub attempts: u32,
    /// GHL's words (and advice) for the last failure.
    pub last_error: Option<String>,
    /// For a conflict: the fields as GHL has them now, `(field, value)`.
    pub ghl_now: Vec<(String, Option<String>)>,
    /// Fields GHL accepted but did not store (compared after the write).
    pub dropped_fields: Vec<String>,
    /// The contact the change ended up writing (a create's new id, or the duplicate it joined).
    pub contact_id: Option<String>,
    /// A non-idempotent write sent whose answer never came (`POST /contacts/`): set just before
    /// sending, cleared once the outcome is known. While set, the write is looked up before it
    /// is ever sent again.
    #[serde(default)]
    pub unknown_outcome: Option<String>,
}

/// One write sent to GHL (or Bmby), appended to the journal. Never holds a token.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    pub seq: u64,
    pub change_id: u64,
    /// `PUT /contacts/abc`.
    pub request: String,
    /// Names of the body's fields (their values before and after: `values`).
    pub fields_sent: Vec<String>,
    /// HTTP status, `None` when no answer came (dropped connection, timeout).
    pub status: Option<u16>,
    pub trace_id: Option<String>,
    /// `applied`, `duplicate → update of X`, `conflict`, the error text, …
    pub outcome: String,
    /// RFC 3339 UTC.
    pub at: String,
    /// The GHL contact the write was about (none for a create that never answered).
    #[serde(default)]
    pub contact_id: Option<String>,
    /// The contact's name as the change showed it.
    #[serde(default)]
    pub contact_name: String,
    /// What the change did (`None` in entries written before the journal said so).
    #[serde(default)]
    pub kind: Option<ChangeKind>,
    /// The contact itself, or the task/note (with its id once known).
    #[serde(default)]
    pub subject: Subject,
    /// A task's title or a note's first line, when the write is about one.
    #[serde(default)]
    pub subject_name: Option<String>,
    /// Where the write went (GHL, or Bmby for a write-back).
    #[serde(default)]
    pub target: Target,
    /// The fields written: GHL's value read just before the write, and the value after
    /// (what GHL answered, else what was sent).
    #[serde(default)]
    pub values: Vec<JournalValue>,
    /// What a delete removed, kept so it can be created again: the contact's raw GHL JSON as
    /// read just before the `DELETE`, or the task's/note's fields (`{field: value}`). For an
    /// operation's write: what it changed per contact ([`crate::domain::OpEffect`]).
    #[serde(default)]
    pub snapshot: Option<serde_json::Value>,
    /// The contact's `dateUpdated` as GHL answered the write (ISO 8601 UTC), when it said.
    #[serde(default)]
    pub date_updated_after: Option<String>,
}

/// One field of a journal entry: before and after the write. Values are display text as in
/// [`FieldChange`]; `None` is an empty field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalValue {
    /// GHL field name (`firstName`, `tags`, `customFields.<id>`, a task's `title`, …).
    pub field: String,
    /// What to call it on screen.
    pub label: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// One field of a change: what GHL has now and what is proposed. Values are display text
/// (phones in E.164, tags joined with `, `); `None` is an empty field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    /// GHL field name (`firstName`, `email`, `phone`, `address1`, `city`, `tags`) or
    /// `customFields.<id>` for a custom field.
    pub field: String,
    /// What to call it on screen (`First name`, a custom field's name).
    pub label: String,
    /// The Bmby field it comes from (`fname`, `phone_mobile`, …).
    pub source_field: String,
    pub ghl_now: Option<String>,
    pub proposed: Option<String>,
    /// True once a person edited the proposed value.
    pub edited: bool,
    /// The proposed value as the JSON GHL's write takes, when that is not the display text as a
    /// string: a custom field's number or option list (`2500000`, `["a","b"]`), decided from the
    /// field's definition when the change is made ([`crate::domain::CustomFieldDef::parse_input`]).
    /// `None`: the write sends `proposed` as a string (or, for `dnd`/`dndSettings.*`, as GHL's
    /// boolean/object, see `sync::dispatch::requests::body_of`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_json: Option<String>,
}

/// A GHL contact that matched an ambiguous client, and on what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    pub contact_id: String,
    pub name: String,
    /// `email` or `phone`.
    pub matched_on: String,
}

/// A reviewed unit of work: one Bmby client against one GHL contact.
///
/// Stored as JSON (record format 3, `store/changes.rs`): a field added from now on must carry
/// `#[serde(default)]` so changes stored before it still read. The same holds for
/// [`OutboxInfo`] and [`JournalEntry`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// Sequence number, unique in the location's database.
    pub id: u64,
    pub kind: ChangeKind,
    pub state: ChangeState,
    /// Bmby `client_id` (empty for a local edit of a contact no Bmby client is linked to).
    pub client_id: String,
    /// The GHL contact this change applies to (none for a create or an unresolved ambiguity).
    pub contact_id: Option<String>,
    /// A name to show for the change (the contact's, else the Bmby client's).
    pub display_name: String,
    pub fields: Vec<FieldChange>,
    /// GHL `dateUpdated` of the contact when the diff was computed (the base for conflict checks).
    pub base_date_updated: Option<String>,
    /// File name or `Bmby SOAP GetAll`, with the row when known (`clients.csv row 12`).
    pub origin: String,
    /// Notes for the reviewer: flagged phones, ambiguous matches, skipped mappings.
    pub warnings: Vec<String>,
    pub candidates: Vec<Candidate>,
    /// Hash of what the Bmby data proposes (before edits); reading the same data again
    /// recognizes it and adds nothing.
    pub fingerprint: String,
    /// RFC 3339 UTC.
    pub created_at: String,
    pub updated_at: String,
    /// What is written: the contact, a task or a note.
    pub subject: Subject,
    /// Where it is written: GHL, or Bmby for a write-back.
    pub target: Target,
    /// For an ambiguous change a person settled: what was chosen and what it replaced, so that
    /// "back to pending" (`u`, `bmby-ghl reset`) makes it ambiguous again and puts the links
    /// back ([`crate::sync::review::reset`]). `None` for every other change.
    #[serde(default)]
    pub choice: Option<AmbiguousChoice>,
    /// Set when a create was found to match an existing GHL contact (GHL's duplicate answer, or
    /// the look-up made before sending): the create was not sent and came back for review.
    #[serde(default)]
    pub matched: Option<CreateMatch>,
    /// Tags this change may remove although it is not a hand edit: tags the mapping says Bmby
    /// owns (`[mapping] owned_tags`). Other tags are never removed by a Bmby change.
    #[serde(default)]
    pub removable_tags: Vec<String>,
}

/// How a person settled an ambiguous change ([`crate::sync::review::resolve`]), kept on the
/// change until it is sent so the choice can be undone.
///
/// The link moves when the choice is made, not when the change is applied: the next import
/// then matches the Bmby client to the chosen contact and does not ask again. Undoing the
/// choice restores [`link_before`](Self::link_before) and the links in
/// [`unlinked`](Self::unlinked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmbiguousChoice {
    /// The GHL contact chosen; `None` = a new contact.
    pub contact_id: Option<String>,
    /// The change as it was before the choice (kind ambiguous, with its candidates).
    pub before: Box<Change>,
    /// The GHL contact this Bmby client was linked to before the choice (`None`: no link).
    pub link_before: Option<String>,
    /// Other Bmby clients that were linked to the chosen contact: the choice moved the link
    /// from them to this client.
    pub unlinked: Vec<String>,
}

/// The existing GHL contact a create matched, and on what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateMatch {
    pub contact_id: String,
    /// The contact's name as GHL has it.
    pub name: String,
    /// `email`, `phone` or `client id` (the Bmby client id custom field).
    pub matched_on: String,
    /// The Bmby client already linked to that contact, if any (another person when it differs
    /// from the change's client).
    pub linked_client: Option<String>,
}

impl CreateMatch {
    /// One line for people: `matches existing contact Ann Example (abc123) on phone; linked to
    /// Bmby client 300002`.
    pub fn describe(&self) -> String {
        let mut s = format!(
            "matches existing contact {} ({}) on {}",
            self.name, self.contact_id, self.matched_on
        );
        if let Some(b) = &self.linked_client {
            s.push_str(&format!("; linked to Bmby client {b}"));
        }
        s
    }
}

/// Start of the `fingerprint` of a change that reverts a journalled write
/// (`revert:<journal seq>`, see `sync::revert`).
pub const REVERT_FINGERPRINT_PREFIX: &str = "revert:";

/// `origin` of a change a person made by hand in the TUI.
pub const LOCAL_ORIGIN: &str = "local";

impl Change {
    /// What the change does, for lists and journals: `update`, `create task`, `delete note`,
    /// `Bmby: create task` (a GHL task written back), `Bmby: insert client`.
    pub fn describe(&self) -> String {
        let verb = self.kind.label();
        match (self.target, &self.subject) {
            (Target::Ghl, Subject::Contact) => verb.to_owned(),
            (_, Subject::Op(op)) => op.describe(),
            (Target::Ghl, s) => format!("{verb} {}", s.label()),
            (Target::Bmby, Subject::Contact) => "Bmby: insert client".to_owned(),
            (Target::Bmby, Subject::Task { .. }) => "Bmby: new task".to_owned(),
            (Target::Bmby, Subject::Note { .. }) => "Bmby: new comment".to_owned(),
        }
    }

    /// The proposed value of `field`, if the change carries it.
    pub fn proposed(&self, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.field == field)
            .and_then(|f| f.proposed.as_deref())
    }

    /// True for a change an import of Bmby data made (not a hand edit, a revert or a
    /// write-back to Bmby): only those are superseded by newer Bmby data.
    pub fn is_import(&self) -> bool {
        is_import(&self.origin, &self.fingerprint, self.target, &self.subject)
    }

    /// Number of fields that would change.
    pub fn field_count(&self) -> usize {
        self.fields.len()
    }

    /// A hand edit withdrawn by setting every field back to GHL's value
    /// (`sync::local`): stored as a rejected update with no field left. It has nothing to
    /// write, so it can be neither approved nor put back to pending, and it is not counted
    /// as a rejection (a person's "no") but as a withdrawal.
    pub fn is_withdrawn(&self) -> bool {
        self.state == ChangeState::Rejected
            && self.kind == ChangeKind::Update
            && self.fields.is_empty()
            && self.origin == LOCAL_ORIGIN
            && !matches!(self.subject, Subject::Op(_))
    }

    /// The state as people read it: `withdrawn` for a withdrawn hand edit
    /// ([`is_withdrawn`](Self::is_withdrawn)), else [`ChangeState::label`].
    pub fn state_label(&self) -> &'static str {
        if self.is_withdrawn() {
            "withdrawn"
        } else {
            self.state.label()
        }
    }
}

/// [`Change::is_import`] from the fields it looks at (for readers that decode only those).
pub fn is_import(origin: &str, fingerprint: &str, target: Target, subject: &Subject) -> bool {
    origin != LOCAL_ORIGIN
        && !fingerprint.starts_with(REVERT_FINGERPRINT_PREFIX)
        && target == Target::Ghl
        && *subject == Subject::Contact
}
