//! The changes screen: what Bmby wants to change in GHL, field by field, with approve,
//! reject, back to pending, edit a proposed value, approve everything shown, and settling an
//! ambiguous match.
//!
//! - [`ChangesState`]: the list (every change, in id order), the shown subset, selection,
//!   field cursor, the open editor and the open question.
//! - [`ReviewOp`] / [`run_review`]: the review actions as data; the loop runs them with
//!   `spawn_blocking` (they write to sled and flush) and hands the [`ReviewDone`] back to
//!   [`App::handle_review_done`](crate::tui::App::handle_review_done).
//! - `update.rs` (the App's handlers), `list.rs` and `diff.rs` (drawing), `edit.rs` (the
//!   one-line editor), `confirm.rs` (the y/n questions).
//! - `dispatch.rs` (the App's side of sending approved changes: the question, the worker's
//!   progress, cancelling) and `journal.rs` (the journal view of every write sent).

pub mod confirm;
pub mod diff;
pub mod diff_text;
mod dispatch;
pub mod edit;
pub mod edit_view;
pub mod journal;
pub mod list;
pub mod op_view;
mod update;

use crate::domain::{Change, ChangeKind, ChangeState, JournalEntry, OutboxInfo};
use crate::store::Store;
use crate::sync::review;

pub use edit::EditState;

/// Which changes the list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StateFilter {
    #[default]
    Pending,
    /// Approved and in flight (queued for sending).
    Approved,
    /// Failed or in conflict: what a person must look at after sending.
    Problems,
    Applied,
    /// Rejected and cancelled.
    Rejected,
    /// Hand edits withdrawn by setting every field back ([`Change::is_withdrawn`]).
    Withdrawn,
    All,
}

impl StateFilter {
    /// The next filter in the cycle pending → approved → failed/conflict → applied →
    /// rejected → withdrawn → all.
    pub fn next(self) -> StateFilter {
        match self {
            StateFilter::Pending => StateFilter::Approved,
            StateFilter::Approved => StateFilter::Problems,
            StateFilter::Problems => StateFilter::Applied,
            StateFilter::Applied => StateFilter::Rejected,
            StateFilter::Rejected => StateFilter::Withdrawn,
            StateFilter::Withdrawn => StateFilter::All,
            StateFilter::All => StateFilter::Pending,
        }
    }
    /// The next filter, skipping the outcome filters (failed/conflict, applied) and withdrawn
    /// while no change is in them, so review before the first send cycles as it always did.
    pub fn next_with(self, counts: &Counts) -> StateFilter {
        let mut f = self.next();
        while matches!(
            f,
            StateFilter::Problems | StateFilter::Applied | StateFilter::Withdrawn
        ) && counts.get(f) == 0
        {
            f = f.next();
        }
        f
    }
    pub fn label(self) -> &'static str {
        match self {
            StateFilter::Pending => "pending",
            StateFilter::Approved => "approved",
            StateFilter::Problems => "failed/conflict",
            StateFilter::Applied => "applied",
            StateFilter::Rejected => "rejected",
            StateFilter::Withdrawn => "withdrawn",
            StateFilter::All => "all",
        }
    }
    /// Whether the filter shows `c` (a withdrawn hand edit only under withdrawn and all).
    pub fn accepts(self, c: &Change) -> bool {
        use ChangeState::*;
        let s = c.state;
        match self {
            StateFilter::Pending => s == Pending,
            StateFilter::Approved => matches!(s, Approved | InFlight),
            StateFilter::Problems => matches!(s, Failed | Conflict),
            StateFilter::Applied => s == Applied,
            StateFilter::Rejected => matches!(s, Rejected | Cancelled) && !c.is_withdrawn(),
            StateFilter::Withdrawn => c.is_withdrawn(),
            StateFilter::All => true,
        }
    }
}

/// Which pane of the changes screen has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChangesFocus {
    #[default]
    List,
    Diff,
}

/// How many changes are in each state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub pending: usize,
    /// Approved or in flight (queued for sending).
    pub approved: usize,
    /// Of `approved`: in flight (sent, outcome not known yet).
    pub in_flight: usize,
    /// Rejected or cancelled (a withdrawal is not a rejection).
    pub rejected: usize,
    /// Hand edits withdrawn ([`Change::is_withdrawn`]).
    pub withdrawn: usize,
    pub applied: usize,
    pub failed: usize,
    pub conflict: usize,
}

impl Counts {
    pub fn of(all: &[Change]) -> Counts {
        let mut c = Counts::default();
        for ch in all {
            if ch.is_withdrawn() {
                c.withdrawn += 1;
                continue;
            }
            match ch.state {
                ChangeState::Pending => c.pending += 1,
                ChangeState::Approved => c.approved += 1,
                ChangeState::InFlight => {
                    c.approved += 1;
                    c.in_flight += 1;
                }
                ChangeState::Rejected | ChangeState::Cancelled => c.rejected += 1,
                ChangeState::Applied => c.applied += 1,
                ChangeState::Failed => c.failed += 1,
                ChangeState::Conflict => c.conflict += 1,
            }
        }
        c
    }
    pub fn total(&self) -> usize {
        self.pending
            + self.approved
            + self.rejected
            + self.withdrawn
            + self.applied
            + self.failed
            + self.conflict
    }
    pub fn get(&self, f: StateFilter) -> usize {
        match f {
            StateFilter::Pending => self.pending,
            StateFilter::Approved => self.approved,
            StateFilter::Problems => self.failed + self.conflict,
            StateFilter::Applied => self.applied,
            StateFilter::Rejected => self.rejected,
            StateFilter::Withdrawn => self.withdrawn,
            StateFilter::All => self.total(),
        }
    }
}

/// The "send every approved change?" question, with the ids fixed when it was asked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SendPlan {
    pub ids: Vec<u64>,
    pub creates: usize,
    pub updates: usize,
    pub deletes: usize,
    /// Task and note writes to GHL (creates and updates).
    pub activity: usize,
    /// Task and note deletes in GHL.
    pub activity_deletes: usize,
    /// Write-backs to Bmby.
    pub bmby: usize,
    /// Contacts API operations (workflows, campaigns, followers, business, bulk tags).
    pub ops: usize,
    /// Of `ops`: the bulk operations, each as its number of contacts (in id order).
    pub bulk: Vec<usize>,
    /// Of them: in flight from an earlier run (finished first: looked up, never sent twice).
    pub resumed: usize,
}

impl SendPlan {
    /// Every queued change (approved or in flight), oldest first.
    pub fn of(all: &[Change]) -> SendPlan {
        let mut p = SendPlan::default();
        for c in all.iter().filter(|c| c.state.is_queued()) {
            p.ids.push(c.id);
            if c.target == crate::domain::Target::Ghl {
                p.bulk.extend(bulk_size(c));
            }
            match (c.target, &c.subject, c.kind) {
                (crate::domain::Target::Bmby, _, _) => p.bmby += 1,
                (_, crate::domain::Subject::Op(_), _) => p.ops += 1,
                (_, crate::domain::Subject::Contact, ChangeKind::Create) => p.creates += 1,
                (_, crate::domain::Subject::Contact, ChangeKind::Delete) => p.deletes += 1,
                (_, crate::domain::Subject::Contact, _) => p.updates += 1,
                (_, _, ChangeKind::Delete) => p.activity_deletes += 1,
                (_, _, _) => p.activity += 1,
            }
            if c.state == ChangeState::InFlight {
                p.resumed += 1;
            }
        }
        p
    }
}

/// How many contacts `c` applies to when it is a bulk operation (bulk tags, business).
pub fn bulk_size(c: &Change) -> Option<usize> {
    match &c.subject {
        crate::domain::Subject::Op(op) => op_view::bulk_ids(op).map(<[String]>::len),
        _ => None,
    }
}

/// The journal view: every write sent, newest first.
#[derive(Debug, Clone, Default)]
pub struct JournalView {
    /// Newest first.
    pub entries: Vec<JournalEntry>,
    pub loaded: bool,
    pub(crate) loading: bool,
    pub(crate) reload_queued: bool,
    /// First entry drawn; also the selected one (`R` reverts it).
    pub scroll: usize,
    pub error: Option<String>,
    /// The "revert journal entry #N?" question is open for this entry's `seq`.
    pub revert_ask: Option<u64>,
}

/// The journal, newest first (blocking), for [`App::handle_journal_loaded`](crate::tui::App::handle_journal_loaded).
pub fn load_journal(store: &Store) -> Result<Vec<JournalEntry>, String> {
    let mut v = store.journal().map_err(|e| e.to_string())?;
    v.reverse();
    Ok(v)
}

/// The "approve every change shown" question, with the ids fixed when it was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    pub ids: Vec<u64>,
    /// Shown ambiguous changes that cannot be approved (and are left alone).
    pub ambiguous: usize,
    /// Shown changes that are approved already.
    pub already: usize,
    /// Of `ids`: the bulk operations, each as its number of contacts (in id order).
    pub bulk: Vec<usize>,
}

/// A review action, run off the UI thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewOp {
    Approve(u64),
    Reject(u64),
    Reset(u64),
    Edit {
        id: u64,
        field: String,
        value: String,
    },
    /// `None` = create a new contact.
    Resolve {
        id: u64,
        contact_id: Option<String>,
    },
    ApproveMany(Vec<u64>),
    /// Propose the inverse of journal entry `seq` as a pending change.
    Revert(u64),
}

/// What a [`ReviewOp`] did: one result per change it touched, errors as text.
#[derive(Debug, Clone)]
pub struct ReviewDone {
    pub op: ReviewOp,
    pub results: Vec<Result<Change, String>>,
}

/// Carries out a review action (blocking: writes and flushes sled).
pub fn run_review(store: &Store, op: ReviewOp) -> ReviewDone {
    let s = |r: Result<Change, review::ReviewError>| r.map_err(|e| e.to_string());
    let results = match &op {
        ReviewOp::Approve(id) => vec![s(review::approve(store, *id))],
        ReviewOp::Reject(id) => vec![s(review::reject(store, *id))],
        ReviewOp::Reset(id) => vec![s(review::reset(store, *id))],
        ReviewOp::Edit { id, field, value } => vec![s(review::edit(store, *id, field, value))],
        ReviewOp::Resolve { id, contact_id } => {
            vec![s(review::resolve(store, *id, contact_id.as_deref()))]
        }
        ReviewOp::ApproveMany(ids) => ids
            .iter()
            .map(|id| s(review::approve(store, *id)))
            .collect(),
        ReviewOp::Revert(seq) => {
            vec![crate::sync::revert::propose(store, *seq).map_err(|e| e.to_string())]
        }
    };
    ReviewDone { op, results }
}

/// Every change from the store (blocking), for [`App::handle_changes_loaded`](crate::tui::App::handle_changes_loaded).
pub fn load(store: &Store) -> Result<Vec<Change>, String> {
    let mut v = store.changes().map_err(|e| e.to_string())?;
    v.sort_by_key(|c| c.id);
    Ok(v)
}

/// A contact GHL changed after a pending change's diff was made (see
/// [`ChangesState::selected_for_display`]).
#[derive(Debug, Clone, PartialEq)]
pub struct GhlSince {
    pub change_id: u64,
    pub updated_at: String,
    /// GHL's `dateUpdated` of the contact as cached now.
    pub date_updated: String,
    /// `(field, value now)` for each field of the change.
    pub values: Vec<(String, Option<String>)>,
}

/// The state of the changes screen.
#[derive(Debug, Default)]
pub struct ChangesState {
    /// Every change, in id order.
    pub all: Vec<Change>,
    /// The first load has arrived.
    pub loaded: bool,
    pub(crate) loading: bool,
    pub(crate) reload_queued: bool,
    pub filter: StateFilter,
    /// Text filter (`/`): case-insensitive substring of name, ids, origin, kind.
    pub query: String,
    pub query_editing: bool,
    /// Indices into `all` of the shown changes, in order.
    pub view: Vec<u32>,
    /// Position in `view`.
    pub selected: usize,
    /// First position drawn (the list is windowed).
    pub offset: usize,
    pub focus: ChangesFocus,
    /// The field cursor (index into the selected change's fields); for a change without
    /// fields (an operation), the first line of the diff pane drawn (j/k scroll it).
    pub field: usize,
    /// The change whose fields `field` points into.
    pub(crate) field_of: Option<u64>,
    pub edit: Option<EditState>,
    pub confirm: Option<Confirm>,
    /// The "choose this candidate?" question of an ambiguous change (`1`–`9`, `n`).
    pub choice_confirm: Option<review::ChoicePreview>,
    /// The "send approved changes?" question.
    pub send_confirm: Option<SendPlan>,
    /// Dispatch details of the selected change when it has been sent: (id, `updated_at`,
    /// info), read again whenever either moves.
    pub outbox: Option<(u64, String, OutboxInfo)>,
    /// The journal view, when open.
    pub journal: Option<JournalView>,
    /// For the selected change: the contact as the cache has it now, when GHL changed it after
    /// the diff was made (`change id`, `updated_at` of the change, GHL's `dateUpdated` now,
    /// each field's value now).
    pub ghl_since: Option<GhlSince>,
    /// Names of the contacts of the bulk operations in `all`, by contact id (sanitized), from
    /// the contacts list when the changes were read: the diff lists each contact by name.
    pub names: std::collections::HashMap<String, String>,
    /// Review actions sent and not yet back.
    pub in_flight: usize,
    pub counts: Counts,
    /// The status line's error came from a review action (cleared by the next success).
    pub(crate) review_error: bool,
}

impl ChangesState {
    /// A y/n question is open.
    pub fn asking(&self) -> bool {
        self.confirm.is_some()
            || self.send_confirm.is_some()
            || self.choice_confirm.is_some()
            || self
                .journal
                .as_ref()
                .is_some_and(|j| j.revert_ask.is_some())
    }

    /// The selected change as the diff shows it, with a notice for the top of the diff: when
    /// GHL changed the contact after the diff ([`GhlSince`]), "GHL now" holds the cached values
    /// and the notice says so. The stored change (and its base for the conflict check) is not
    /// touched.
    pub fn selected_for_display(&self) -> Option<(std::borrow::Cow<'_, Change>, Option<String>)> {
        let c = self.selected_change()?;
        match self
            .ghl_since
            .as_ref()
            .filter(|g| g.change_id == c.id && g.updated_at == c.updated_at)
        {
            None => Some((std::borrow::Cow::Borrowed(c), None)),
            Some(g) => {
                let mut c = c.clone();
                for f in &mut c.fields {
                    if let Some((_, v)) = g.values.iter().find(|(k, _)| *k == f.field) {
                        f.ghl_now = v.clone();
                    }
                }
                let notice = format!(
                    "GHL changed this contact at {} after the diff: \"GHL now\" shows it as cached; sending checks again and makes it a conflict rather than overwrite",
                    crate::tui::panes::short_time(&g.date_updated)
                );
                Some((std::borrow::Cow::Owned(c), Some(notice)))
            }
        }
    }

    /// [`Self::selected_for_display`] with owners and assignees by name from `users`
    /// ([`crate::domain::people::named_change`]): what the diff shows.
    pub fn selected_named(
        &self,
        users: &crate::domain::UserDirectory,
    ) -> Option<(std::borrow::Cow<'_, Change>, Option<String>)> {
        let (c, notice) = self.selected_for_display()?;
        let c = match crate::domain::people::named_change(users, &c) {
            std::borrow::Cow::Borrowed(_) => c,
            std::borrow::Cow::Owned(named) => std::borrow::Cow::Owned(named),
        };
        Some((c, notice))
    }

    /// The dispatch details of the selected change, when they are at hand.
    pub fn selected_outbox(&self) -> Option<&OutboxInfo> {
        let c = self.selected_change()?;
        self.outbox
            .as_ref()
            .filter(|(id, at, _)| *id == c.id && *at == c.updated_at)
            .map(|(_, _, i)| i)
    }

    /// The change at view position `i`.
    pub fn shown(&self, i: usize) -> Option<&Change> {
        self.all.get(*self.view.get(i)? as usize)
    }

    /// The selected change.
    pub fn selected_change(&self) -> Option<&Change> {
        self.shown(self.selected)
    }

    fn matches(&self, c: &Change, q: &str) -> bool {
        if !self.filter.accepts(c) {
            return false;
        }
        if q.is_empty() {
            return true;
        }
        let has = |s: &str| s.to_lowercase().contains(q);
        has(&c.display_name)
            || has(&c.client_id)
            || c.contact_id.as_deref().is_some_and(has)
            || has(&c.origin)
            || c.kind.label().contains(q)
            || c.describe().to_lowercase().contains(q)
            || c.id.to_string() == q.trim_start_matches('#')
    }

    /// Recomputes `view`; the selection stays on `keep` when it is still shown, else at the
    /// same position.
    pub(crate) fn refilter(&mut self, keep: Option<u64>) {
        let q = self.query.trim().to_lowercase();
        self.view = (0..self.all.len() as u32)
            .filter(|&i| self.matches(&self.all[i as usize], &q))
            .collect();
        if let Some(pos) = keep.and_then(|id| self.position_of(id)) {
            self.selected = pos;
        }
        self.selected = self.selected.min(self.view.len().saturating_sub(1));
        self.counts = Counts::of(&self.all);
    }

    fn position_of(&self, id: u64) -> Option<usize> {
        self.view
            .iter()
            .position(|&i| self.all.get(i as usize).is_some_and(|c| c.id == id))
    }

    /// Replaces a change by id (keeps id order); returns whether it was known.
    pub(crate) fn replace(&mut self, c: Change) -> bool {
        match self.all.binary_search_by_key(&c.id, |x| x.id) {
            Ok(i) => {
                self.all[i] = c;
                true
            }
            Err(i) => {
                self.all.insert(i, c);
                // Indices after `i` moved: the view is recomputed by the caller.
                false
            }
        }
    }

    /// Keeps the selection visible with `page` rows, and the field cursor on the selected
    /// change.
    pub(crate) fn ensure_visible(&mut self, page: usize) {
        let mut sc = crate::tui::scroll::Scroll {
            pos: self.selected,
            offset: self.offset,
        };
        sc.keep_visible(self.view.len(), page);
        self.selected = sc.pos;
        self.offset = sc.offset;
        let (id, n) = self
            .selected_change()
            .map_or((None, 0), |c| (Some(c.id), c.fields.len()));
        if id != self.field_of {
            self.field_of = id;
            self.field = 0;
        }
        // A change without fields keeps its scroll line (bounded where it is moved).
        if n > 0 {
            self.field = self.field.min(n - 1);
        }
    }

    /// The shown changes "approve all shown" would approve, and those it leaves alone.
    pub fn approvable_shown(&self) -> Confirm {
        let mut c = Confirm {
            ids: Vec::new(),
            ambiguous: 0,
            already: 0,
            bulk: Vec::new(),
        };
        for ch in self.view.iter().filter_map(|&i| self.all.get(i as usize)) {
            if ch.kind == ChangeKind::Ambiguous {
                c.ambiguous += 1;
            } else if ch.state == ChangeState::Approved {
                c.already += 1;
            } else if ch.state == ChangeState::Pending {
                // Only changes still waiting for a decision: a rejection, a conflict or a
                // failure is a person's (or GHL's) word and is not overturned in bulk.
                c.ids.push(ch.id);
                c.bulk.extend(bulk_size(ch));
            }
        }
        c
    }
}

/// The kind as a symbol and a word (readable without colour).
pub fn kind_badge(c: &Change) -> &'static str {
    use crate::domain::{Subject, Target};
    match (c.target, &c.subject, c.kind) {
        (Target::Ghl, Subject::Op(op), _) => op_view::badge(op),
        (Target::Bmby, Subject::Task { .. }, _) => "→Bmby task",
        (Target::Bmby, Subject::Note { .. }, _) => "→Bmby note",
        (Target::Bmby, Subject::Contact, _) => "→Bmby new",
        (_, Subject::Task { .. }, ChangeKind::Create) => "+ task",
        (_, Subject::Task { .. }, ChangeKind::Delete) => "- task",
        (_, Subject::Task { .. }, _) => "~ task",
        (_, Subject::Note { .. }, ChangeKind::Create) => "+ note",
        (_, Subject::Note { .. }, ChangeKind::Delete) => "- note",
        (_, Subject::Note { .. }, _) => "~ note",
        (_, _, ChangeKind::Create) => "+ create",
        (_, _, ChangeKind::Update) => "~ update",
        (_, _, ChangeKind::Delete) => "- delete",
        (_, _, ChangeKind::Ambiguous) => "? ambiguous",
    }
}

/// The state of a change as a symbol and a word: [`state_badge`], or `– withdrawn` for a
/// withdrawn hand edit.
pub fn change_badge(c: &Change) -> &'static str {
    if c.is_withdrawn() {
        "– withdrawn"
    } else {
        state_badge(c.state)
    }
}

/// The state as a symbol and a word.
pub fn state_badge(s: ChangeState) -> &'static str {
    match s {
        ChangeState::Pending => "  pending",
        ChangeState::Approved => "✓ approved",
        ChangeState::Rejected => "✗ rejected",
        ChangeState::InFlight => "… sending",
        ChangeState::Applied => "● applied",
        ChangeState::Failed => "! failed",
        ChangeState::Conflict => "⚠ conflict",
        ChangeState::Cancelled => "✗ cancelled",
    }
}
