//! The vocabulary between the UI (or CLI) and the background worker.

use crate::domain::ChangeState;
use crate::ghl::RateBudget;

/// Work the UI asks the background worker to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Job {
    /// Pull contacts: `full = false` asks only for contacts updated since the last pull.
    Pull { full: bool },
    /// Fetch one contact afresh with its tasks, notes and appointments (interactive: goes
    /// before bulk work).
    FetchDetails { contact_id: String },
    /// Fetch custom field definitions of the location.
    FetchCustomFields,
    /// Send approved changes to GHL through the outbox, one at a time (`None`: every queued
    /// change, oldest first). Only one dispatch runs at a time; a second one while it runs is
    /// ignored.
    Dispatch { ids: Option<Vec<u64>> },
    /// Stop the running dispatch before its next change (the change being sent is finished).
    CancelDispatch,
    /// Propose writing the GHL tasks and notes of linked contacts back to Bmby
    /// ([`super::writeback::propose_writeback`]); needs a Bmby SOAP login.
    ProposeWriteback,
    /// Fetch the location's workflows, campaigns, users and businesses into the cache
    /// ([`super::ops::ListKind`]); answered by [`SyncEvent::ListsLoaded`].
    FetchLists,
    /// The ids of the contacts associated with a business
    /// (`GET /contacts/business/{businessId}`, every page); answered by
    /// [`SyncEvent::BusinessContacts`].
    FetchBusinessContacts { business_id: String },
}

/// What a finished pull did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PullSummary {
    pub full: bool,
    /// Contacts received in this pull.
    pub fetched: u64,
    /// Pages requested in this pull (after a resume: only the ones this run asked for).
    pub pages: u32,
    /// Whether this pull continued one that had been interrupted.
    pub resumed: bool,
    /// Contacts written to the cache (new, or with a newer `dateUpdated`); `fetched - changed`
    /// were received again in an incremental pull's safety window and already held.
    pub changed: u64,
}

impl PullSummary {
    /// One line for people: `incremental pull: 2 contacts in 1 page` (the contacts written),
    /// then `, 5 already up to date` when the safety window brought back contacts already held,
    /// and ` (resumed)` after an interrupted pull.
    pub fn describe(&self) -> String {
        let s = |n: u64| if n == 1 { "" } else { "s" };
        let held = self.fetched.saturating_sub(self.changed);
        format!(
            "{} pull: {} contact{} in {} page{}{}{}",
            if self.full { "full" } else { "incremental" },
            self.changed,
            s(self.changed),
            self.pages,
            s(u64::from(self.pages)),
            if held > 0 {
                format!(", {held} already up to date")
            } else {
                String::new()
            },
            if self.resumed { " (resumed)" } else { "" }
        )
    }
}

/// What background work reports back. Every string is sanitized.
#[derive(Debug, Clone, PartialEq)]
pub enum SyncEvent {
    PullStarted {
        full: bool,
    },
    /// A page was stored.
    PullProgress {
        fetched: u64,
        total: Option<u64>,
    },
    /// Contacts with these ids were added or changed in the cache.
    ContactsChanged {
        ids: Vec<String>,
    },
    PullFinished(PullSummary),
    /// The contact and its tasks, notes and appointments are fresh in the cache.
    DetailsLoaded {
        contact_id: String,
    },
    CustomFieldsLoaded,
    /// The lists of [`Job::FetchLists`] are in the cache (those GHL refused are named in
    /// `errors`, e.g. a missing scope).
    ListsLoaded {
        errors: Vec<String>,
    },
    /// The location's users were refreshed after a pull ([`super::users::refresh_users`]): how
    /// many there are, or why not (GHL's error, e.g. a missing `users.readonly` scope; the pull
    /// itself succeeded and the users cached before stay).
    UsersLoaded {
        count: Result<usize, String>,
    },
    /// A pull failed (nothing more comes of it); `message` the cause. The next pull that
    /// succeeds clears it from the status bar.
    PullFailed {
        message: String,
    },
    /// The contacts of a business ([`Job::FetchBusinessContacts`]), or why they could not be
    /// read.
    BusinessContacts {
        business_id: String,
        contact_ids: Result<Vec<String>, String>,
    },
    /// The budget from the last response's `X-RateLimit-*` headers.
    RateLimit(RateBudget),
    /// Waiting before a retry (429, 5xx, dropped connection): `attempt` of `max`, waiting `wait_ms`.
    Retrying {
        what: String,
        attempt: u32,
        wait_ms: u64,
    },
    /// A dispatch began: `total` changes will be tried.
    DispatchStarted {
        total: usize,
    },
    /// One change was tried (`done` of `total`); `state` is where it stands now.
    DispatchProgress {
        done: usize,
        total: usize,
        change_id: u64,
        state: ChangeState,
    },
    /// The dispatch ended: every change tried, cancelled between two changes, or stopped by a
    /// store error (reported as [`SyncEvent::Error`] first). `queued` changes are still waiting
    /// (not reached, or left approved / in flight after retries ran out).
    DispatchFinished {
        applied: usize,
        failed: usize,
        conflicts: usize,
        queued: usize,
        cancelled: bool,
    },
    /// Write-backs to Bmby were proposed (pending changes).
    WritebackProposed {
        tasks: usize,
        notes: usize,
        /// Left out: proposed before, completed tasks, …
        skipped: usize,
    },
    /// Another `bmby-ghl` process ran a command through this one, the owner of the cache
    /// (`crate::owner`): `command` its words (`approve 3 4`), `code` its exit code. The cache
    /// may have changed under the TUI: its changes are read again.
    ClientCommand {
        command: String,
        code: i32,
    },
    /// Another TUI session on this cache (a TUI attached to the owner, or the owner's own TUI:
    /// `crate::owner::Hub`) changed the changes list: `what` says how (`approved #3 Dana`). The
    /// changes are read again.
    PeerChanged {
        what: String,
    },
    /// A GHL webhook changed this contact (or its tasks, notes, appointments) in the cache just
    /// now (`crate::webhooks`): the details pane says "updated from GHL HH:MM".
    UpdatedFromGhl {
        contact_id: String,
    },
    /// GHL refused this location's credentials, or there are none ([`crate::ghl::ErrorKind::Unauthorized`],
    /// decided from the typed error, never its text): the TUI's status bar says
    /// `needs sign-in: auth login` and `message` (GHL's or our own words: how to sign in) goes to
    /// the message log. Sent before the [`SyncEvent::PullFailed`] of a pull that failed so.
    SignInNeeded {
        message: String,
    },
    /// A job failed; `context` names what was being done (endpoint, contact), `message` the cause.
    Error {
        context: String,
        message: String,
    },
}
