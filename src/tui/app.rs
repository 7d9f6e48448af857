//! UI state and its update functions. One owner (the UI loop on the main task); nothing here
//! blocks for long (single-contact cache reads only) and nothing here draws.
//!
//! Inputs: [`App::handle_key`] / [`App::handle_action`] (user), [`App::handle_event`]
//! (background sync), [`App::handle_filter_result`], [`App::handle_rows_loaded`] and
//! [`App::on_fetch_timer`]. Each returns the [`Effect`]s the loop must carry out, and sets
//! [`App::dirty`] when the screen must be redrawn.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{KeyEvent, KeyEventKind};
use ratatui::layout::Rect;

use super::action::Action;
use super::changes::{ChangesState, ReviewOp};
use super::filter::{FilterMsg, FilterResult, ListSource};
use super::keymap::{self, Context, KeyCombo, Keymap};
use super::layer::Layer;
use super::layout;
use super::scroll::{self, Nav, Scroll};
use super::theme::Theme;
use crate::domain::{Appointment, Contact, CustomFieldDef, Note, RowList, RowRef, RowSet, Task};
use crate::ghl::RateBudget;
use crate::store::Store;
use crate::sync::{Job, SyncEvent};

/// How many rows are read synchronously for the first frame.
pub const HEAD_ROWS: usize = 200;
/// How many status messages the messages popup keeps.
pub const MESSAGE_LOG: usize = 50;
/// How long the selection must rest before its details are fetched.
pub const FETCH_DEBOUNCE: Duration = Duration::from_millis(250);

/// The three panes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Contacts,
    Details,
    Activity,
}

impl Pane {
    fn next(self) -> Pane {
        match self {
            Pane::Contacts => Pane::Details,
            Pane::Details => Pane::Activity,
            Pane::Activity => Pane::Contacts,
        }
    }
    fn prev(self) -> Pane {
        match self {
            Pane::Contacts => Pane::Activity,
            Pane::Details => Pane::Contacts,
            Pane::Activity => Pane::Details,
        }
    }
    /// The keymap context of the pane.
    pub fn context(self) -> Context {
        match self {
            Pane::Contacts => Context::Contacts,
            Pane::Details => Context::Details,
            Pane::Activity => Context::Activity,
        }
    }
}

/// The two screens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Screen {
    /// Contacts, details and activity.
    #[default]
    Contacts,
    /// What Bmby wants to change in GHL (list and diff).
    Changes,
}

/// The list's sort key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Name,
    /// Most recently updated first.
    Updated,
    Email,
}

impl SortKey {
    fn next(self) -> SortKey {
        match self {
            SortKey::Name => SortKey::Updated,
            SortKey::Updated => SortKey::Email,
            SortKey::Email => SortKey::Name,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            SortKey::Name => "name",
            SortKey::Updated => "updated",
            SortKey::Email => "email",
        }
    }
}

/// Display order of `rows` for a sort key (indices into `rows`): a [`RowList`] or a slice of
/// `ContactRow`s.
pub fn sort_order<R: RowSet + ?Sized>(rows: &R, key: SortKey) -> Vec<u32> {
    let mut idx: Vec<u32> = (0..rows.count() as u32).collect();
    match key {
        SortKey::Name => return crate::domain::row_list::order_by_name(rows),
        SortKey::Updated => idx.sort_by(|&a, &b| {
            let (a, b) = (a as usize, b as usize);
            rows.date_updated_at(b)
                .cmp(rows.date_updated_at(a))
                .then_with(|| rows.id_at(a).cmp(rows.id_at(b)))
        }),
        SortKey::Email => {
            idx.sort_by_cached_key(|&i| {
                let i = i as usize;
                let e = rows.email_at(i);
                (e.is_empty(), e.to_lowercase(), rows.id_at(i))
            });
        }
    }
    idx
}

/// The activity tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActivityTab {
    Tasks,
    Notes,
    Appointments,
}

impl ActivityTab {
    fn next(self) -> Self {
        match self {
            ActivityTab::Tasks => ActivityTab::Notes,
            ActivityTab::Notes => ActivityTab::Appointments,
            ActivityTab::Appointments => ActivityTab::Tasks,
        }
    }
    fn prev(self) -> Self {
        match self {
            ActivityTab::Tasks => ActivityTab::Appointments,
            ActivityTab::Notes => ActivityTab::Tasks,
            ActivityTab::Appointments => ActivityTab::Notes,
        }
    }
}

/// What the loop must do for the app.
#[derive(Debug, Clone)]
pub enum Effect {
    /// Send a job to the background worker (`try_send`; a full queue → [`App::set_busy`]).
    Job(Job),
    /// Read every row from the store off the UI thread, sort by the key, and hand the result to
    /// [`App::handle_rows_loaded`].
    LoadRows(SortKey),
    /// Send to the matcher thread; its results go to [`App::handle_filter_result`].
    Filter(FilterMsg),
    /// Suspend the process (ctrl-z): restore the terminal, stop, re-enter on resume.
    Suspend,
    /// Read every change from the store off the UI thread and hand the result to
    /// [`App::handle_changes_loaded`].
    LoadChanges,
    /// Run a review action off the UI thread (it writes and flushes sled) and hand the
    /// result to [`App::handle_review_done`].
    Review(ReviewOp),
    /// Read the journal off the UI thread and hand it (newest first) to
    /// [`App::handle_journal_loaded`].
    LoadJournal,
    /// Store a hand edit as a pending change off the UI thread and hand the result to
    /// [`App::handle_local_done`].
    Local(super::edits::LocalOp),
    /// Store a Contacts API operation as a pending change off the UI thread
    /// ([`crate::sync::ops::propose`]) and hand the result to [`App::handle_proposed`].
    Propose(crate::sync::ops::Proposal),
    /// Hand the terminal to `$VISUAL`/`$EDITOR` for a note, then call
    /// [`App::handle_external_edit`] with the text saved.
    ExternalEdit(super::edits::ExternalEdit),
    /// Read the cached contacts of a business off the UI thread (offline business filter,
    /// [`super::business_filter::cached_business_contacts`]) and hand the result to
    /// [`App::handle_business_contacts`].
    ScanBusiness { business_id: String },
    /// Build the list of contacts GHL changed since `since` off the UI thread
    /// ([`super::recent::load`]: the recorded changes and these rows) and hand it to
    /// [`App::handle_recent_loaded`].
    LoadRecent {
        since: jiff::Timestamp,
        rows: Arc<RowList>,
    },
    /// Put text on the clipboard of the terminal the user sits at: write the OSC 52 sequence
    /// ([`super::clipboard::osc52`]) to the terminal (through SSH and tmux).
    Clipboard(String),
    /// Run a setup check or save off the UI thread ([`super::setup::work::run`]: a token
    /// check, the OAuth sign-in, the Bmby login, the location's custom fields, writing the
    /// config) and hand each result to [`App::handle_setup_done`].
    Setup(super::setup::SetupTask),
}

/// The filter's state.
#[derive(Debug, Default)]
pub struct FilterState {
    /// The filter line has the keyboard.
    pub editing: bool,
    pub query: String,
    /// Generation of the latest query sent; results of other generations are dropped.
    pub generation: u64,
    /// A query was sent and its result has not arrived.
    pub pending: bool,
    /// Only the first screenful of the current query's matches is listed; the whole list and
    /// its count are on their way (issue #14: the title says "counting…").
    pub counting: bool,
    /// Why the current query cannot be used (unknown filter, bad date, …), shown on the
    /// filter line and in the (then empty) list.
    pub error: Option<String>,
}

/// The selected contact with what the cache has of it. `None` lists = never fetched.
#[derive(Debug, Clone, Default)]
pub struct Details {
    pub id: String,
    pub contact: Option<Contact>,
    pub tasks: Option<Vec<Task>>,
    pub notes: Option<Vec<Note>>,
    pub appointments: Option<Vec<Appointment>>,
    /// A fetch was asked for and has not come back.
    pub fetching: bool,
    /// A cache read failed.
    pub error: Option<String>,
}

/// A pull in progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PullProgress {
    pub full: bool,
    pub fetched: u64,
    pub total: Option<u64>,
}

/// Sending approved changes, as the worker reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DispatchStatus {
    pub done: usize,
    pub total: usize,
    pub failed: usize,
    pub conflicts: usize,
    /// Cancel was asked for: the worker stops after the change being sent.
    pub cancelling: bool,
}

/// What the status bar shows.
#[derive(Debug, Clone, Default)]
pub struct Status {
    pub last_sync: Option<jiff::Timestamp>,
    pub pull: Option<PullProgress>,
    /// Approved changes being sent.
    pub dispatch: Option<DispatchStatus>,
    pub rate: Option<RateBudget>,
    pub retry: Option<String>,
    pub error: Option<String>,
    pub info: Option<String>,
    /// A notice the user must read (the last import's row problems): shown beside `info` and
    /// `news`, so routine news (a pull's summary) does not overwrite it; it stays until the
    /// messages are opened (`m`) or another pinned notice replaces it.
    pub pinned: Option<String>,
    /// Routine news from background work (a pull's summary, another session's action): the
    /// least important message (see [`super::status_msgs::Priority`]). Set with
    /// [`App::news`] (it replaces `info`) or [`App::background_news`] (it replaces an `info`
    /// shown for [`super::status_msgs::OWN_NEWS_KEPT`] or longer); a newer `info` replaces it.
    pub news: Option<String>,
    /// When `info` was first seen (by the app's clock; see `news`).
    pub info_at: Option<jiff::Timestamp>,
    /// A notice kept until the next key (the takeover of the cache from an owner that
    /// exited), shown on the whole hint line; see [`App::notice_until_key`].
    pub until_key: Option<String>,
    /// When `error` was first seen (by the app's clock): it clears after
    /// [`super::status_msgs::ERROR_SHOWN_FOR`], or on the user's next action that succeeds.
    pub error_at: Option<jiff::Timestamp>,
    pub busy: bool,
    /// The `error` a failed pull put up: the next pull that succeeds clears it (unless another
    /// error replaced it since).
    pub pull_error: Option<String>,
    /// When the last pull failed (cleared when one succeeds): the status bar then says
    /// `last sync failed 12:03` instead of the cache's age.
    pub pull_failed_at: Option<jiff::Timestamp>,
    /// Why the users were not refreshed with the last pull (reported once, not every pull).
    pub users_error: Option<String>,
}

/// How the app tells time (fixed in tests, for stable snapshots).
#[derive(Debug, Clone, Copy)]
pub enum Clock {
    System,
    Fixed(jiff::Timestamp),
}

/// Construction options.
#[derive(Debug, Clone)]
pub struct AppOptions {
    pub location_label: String,
    pub theme: Theme,
    pub keymap: Keymap,
    /// Problems with the user keymap, shown at start.
    pub keymap_diagnostics: Vec<keymap::Diagnostic>,
    /// A background worker is connected (jobs can be sent).
    pub online: bool,
    pub clock: Clock,
    /// Terminal size (columns, rows).
    pub size: (u16, u16),
}

impl AppOptions {
    /// Defaults for tests and tools: default keymap, colours on, offline, 80x24, system clock.
    pub fn new(location_label: impl Into<String>) -> AppOptions {
        AppOptions {
            location_label: location_label.into(),
            theme: Theme::colored(),
            keymap: Keymap::default_keymap(),
            keymap_diagnostics: Vec::new(),
            online: false,
            clock: Clock::System,
            size: (80, 24),
        }
    }
}

/// The contacts currently listed: a source and either all of it or filter matches.
#[derive(Debug, Clone)]
pub struct ListView {
    pub source: Arc<ListSource>,
    /// Row indices (into `source.rows`) when filtered; `None` = every row in source order.
    pub matches: Option<Arc<Vec<u32>>>,
}

impl ListView {
    pub fn len(&self) -> usize {
        self.matches
            .as_ref()
            .map_or(self.source.order.len(), |m| m.len())
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The row at display position `i`.
    pub fn row(&self, i: usize) -> Option<RowRef<'_>> {
        let idx = match &self.matches {
            Some(m) => *m.get(i)?,
            None => *self.source.order.get(i)?,
        };
        self.source.rows.get(idx as usize)
    }
    fn position_of(&self, id: &str) -> Option<usize> {
        (0..self.len()).find(|&i| self.row(i).is_some_and(|r| r.id == id))
    }
}

/// The whole UI state.
pub struct App {
    store: Store,
    pub location_label: String,
    pub theme: Theme,
    pub keymap: Keymap,
    pub online: bool,
    pub clock: Clock,
    pub size: (u16, u16),
    /// Every row known (the first [`HEAD_ROWS`] until the full load arrives), in sort order.
    pub source: Arc<ListSource>,
    pub rows_complete: bool,
    rows_loading: bool,
    reload_queued: bool,
    next_version: u64,
    pub sort: SortKey,
    pub filter: FilterState,
    pub view: ListView,
    /// Display position of the selection in `view`.
    pub selected: usize,
    /// The user moved the selection: reloads keep that contact selected. Until then the
    /// first row stays selected (the full load may put another contact first).
    pub(crate) selection_chosen: bool,
    /// First display position drawn (the list is windowed).
    pub offset: usize,
    pub focus: Pane,
    pub details: Option<Details>,
    pub details_scroll: u16,
    /// The details pane's field cursor: the line `y` copies (highlighted while focused).
    pub details_cursor: usize,
    /// The focused pane fills the screen (`z`).
    pub zoom: bool,
    pub raw_json: bool,
    pub tab: ActivityTab,
    pub activity_scroll: u16,
    pub custom_fields: HashMap<String, CustomFieldDef>,
    /// The location's users (owner, assignee and follower names), from the cached users list;
    /// reloaded when the lists are fetched again.
    pub users: crate::domain::UserDirectory,
    /// Contacts a GHL webhook changed while the TUI runs, with when (the details pane says
    /// "updated from GHL HH:MM").
    pub from_ghl: HashMap<String, jiff::Timestamp>,
    /// The location's time zone (cached from `GET /locations/{id}`), for appointment times GHL
    /// sends without a zone; `None` while unknown (they are then labelled as location time).
    pub location_zone: Option<jiff::tz::TimeZone>,
    /// The recent status messages (newest first, at most [`MESSAGE_LOG`]), each with when it
    /// was said; a repeated one is counted, not repeated (see [`super::messages::log`]).
    pub messages: std::collections::VecDeque<super::messages::LoggedMessage>,
    /// The messages popup is open, scrolled by this many lines.
    pub messages_open: Option<u16>,
    /// The error and info last copied into `messages`.
    noted: (Option<String>, Option<String>),
    /// Help is open, scrolled by this many lines.
    pub help: Option<u16>,
    /// The command palette, when open.
    pub palette: Option<super::palette::PaletteState>,
    /// A message box (keymap problems) that the next key closes.
    pub notice: Option<String>,
    pub status: Status,
    /// Which screen is shown.
    pub screen: Screen,
    /// The changes screen.
    pub changes: ChangesState,
    /// A hand edit of the selected contact (field picker, line editor, delete question).
    pub hand_edit: Option<super::edits::HandEdit>,
    /// The selected task or note on the activity tab shown.
    pub activity_selected: usize,
    /// Notes are written in `$VISUAL`/`$EDITOR` (set when one is configured).
    pub external_editor: bool,
    /// This session is attached: hosted by the owner for another terminal's `bmby-ghl`
    /// (`tui::hosted`). The owner's own things (switching location, the setup) are not
    /// offered here; the registry says why (`registry::owner_session`).
    pub hosted: bool,
    /// Why edits are refused (e.g. the token's scopes are read-only); `None` = editable.
    pub read_only: Option<String>,
    fetch_due: Option<(Instant, String)>,
    pub should_quit: bool,
    /// Signed-in locations, the picker and the sign-in state (see `tui::locations`).
    pub locations: super::locations::LocationsUi,
    /// Something changed since the last draw.
    pub dirty: bool,
    /// `import: N problems (m)` when the last Bmby file import had row problems (shown in the
    /// changes list's title; the problems themselves are in the message log).
    pub import_problems_note: Option<String>,
    /// When the import whose problems are shown ran (`ImportProblems::at`): a CLI `import`
    /// beside this TUI is noticed by a different time (see `tui::import_notice`).
    pub(crate) import_problems_at: Option<String>,
    /// The marked contacts (multi-select for bulk actions).
    pub marks: super::marks::Marks,
    /// The contacts pane shows only the contacts of this business.
    pub business: Option<super::business_filter::BusinessFilter>,
    /// The "tag N contacts?" question of a bulk operation.
    pub bulk_confirm: Option<super::bulk::BulkConfirm>,
    /// When this session opened (by the app's clock): what `U` lists changes since.
    pub session_start: jiff::Timestamp,
    /// The list of contacts GHL changed lately (`U`), when open.
    pub recent: Option<super::recent::RecentView>,
    /// The setup screen, when open (first run, `:setup`, `:location add`, `:bmby login`).
    pub setup: Option<Box<super::setup::Setup>>,
    /// What the setup needs to know (API host, OAuth app, config file, data dir); `None` in
    /// tests and the demo, where `:setup` says it is not available.
    pub setup_env: Option<super::setup::SetupEnv>,
}

impl App {
    /// Builds the state and reads what the first frame needs synchronously (the first
    /// [`HEAD_ROWS`] rows, custom field names, last sync time, the first contact). Then the loop
    /// must run [`App::start`]'s effects (full row load, custom fields job).
    pub fn new(store: Store, opts: AppOptions) -> App {
        let (rows, mut error) = match store.contact_list_head(HEAD_ROWS) {
            Ok(r) => (r, None),
            Err(e) => (RowList::default(), Some(format!("cache: {e}"))),
        };
        let custom_fields = store.custom_fields().unwrap_or_default();
        let users = crate::sync::ops::cached_users(&store);
        let location_zone = crate::sync::location_zone::cached(&store);
        let last_sync = store.meta("last_sync").and_then(|s| s.parse().ok());
        let complete = rows.len() < HEAD_ROWS;
        let order = sort_order(&rows, SortKey::Name);
        let source = Arc::new(ListSource {
            version: 1,
            order: rows.share_order(order),
            rows: Arc::new(rows),
        });
        let notice = if opts.keymap_diagnostics.is_empty() {
            None
        } else {
            let first = opts.keymap_diagnostics[0].to_string();
            error.get_or_insert(format!("keymap: {first}"));
            Some(format!(
                "Your keymap has problems; these lines are skipped, the rest applies.\n\n{}\n\nPress any key to continue.",
                keymap::format_diagnostics(&opts.keymap_diagnostics)
            ))
        };
        let mut app = App {
            store,
            location_label: opts.location_label,
            theme: opts.theme,
            keymap: opts.keymap,
            online: opts.online,
            clock: opts.clock,
            size: opts.size,
            view: ListView {
                source: source.clone(),
                matches: None,
            },
            source,
            rows_complete: complete,
            rows_loading: false,
            reload_queued: false,
            next_version: 2,
            sort: SortKey::Name,
            filter: FilterState::default(),
            selected: 0,
            selection_chosen: false,
            offset: 0,
            focus: Pane::Contacts,
            details: None,
            details_scroll: 0,
            details_cursor: 0,
            zoom: false,
            raw_json: false,
            tab: ActivityTab::Tasks,
            activity_scroll: 0,
            custom_fields,
            users,
            from_ghl: HashMap::new(),
            location_zone,
            help: None,
            palette: None,
            messages: Default::default(),
            messages_open: None,
            noted: (None, None),
            notice,
            status: Status {
                last_sync,
                error,
                ..Default::default()
            },
            screen: Screen::Contacts,
            changes: ChangesState::default(),
            hand_edit: None,
            activity_selected: 0,
            external_editor: false,
            hosted: false,
            read_only: None,
            fetch_due: None,
            should_quit: false,
            locations: Default::default(),
            dirty: true,
            import_problems_note: None,
            import_problems_at: None,
            marks: Default::default(),
            business: None,
            bulk_confirm: None,
            session_start: match opts.clock {
                Clock::System => jiff::Timestamp::now(),
                Clock::Fixed(t) => t,
            },
            recent: None,
            setup: None,
            setup_env: None,
        };
        app.selection_changed();
        app.note_import_problems();
        app
    }

    /// The last Bmby file import's row problems (stored by the import): each one goes to the
    /// message log, and the status bar says how many there are.
    pub(crate) fn note_import_problems(&mut self) {
        let Some(p) = crate::sync::import_problems::load(&self.store) else {
            return;
        };
        self.import_problems_at = Some(p.at.clone());
        for line in p.lines().into_iter().rev() {
            self.log_message(line);
        }
        self.log_message(p.summary());
        // Short enough for the status bar at 80 columns, with the key that shows them all.
        let key = self
            .keymap
            .keys_for(&[super::keymap::Context::Global], Action::MessagesOpen)
            .first()
            .map(|k| format!(" ({k})"))
            .unwrap_or_default();
        let info = format!("import: {}{key}", p.count_text());
        self.noted.1 = Some(info.clone());
        self.import_problems_note = Some(info.clone());
        self.status.pinned = Some(info);
    }

    /// The effects to run once after construction: load every row, fetch custom fields, and
    /// prepare the matcher.
    pub fn start(&mut self) -> Vec<Effect> {
        let mut fx = vec![
            // `owner:`, `business:` and `updated:` resolve against it from the first keystroke,
            // also when the first read held every row (no reload sends it).
            Effect::Filter(FilterMsg::Context(self.search_context())),
            Effect::Filter(FilterMsg::Source(self.source.clone())),
        ];
        if !self.rows_complete {
            self.rows_loading = true;
            fx.push(Effect::LoadRows(self.sort));
        }
        if self.online {
            fx.push(Effect::Job(Job::FetchCustomFields));
            // Workflows, campaigns, users and businesses, for the palette's completion.
            fx.push(Effect::Job(Job::FetchLists));
        }
        fx.extend(self.request_changes_reload());
        fx
    }

    /// The store this app reads.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Now, by the app's clock.
    pub fn now(&self) -> jiff::Timestamp {
        match self.clock {
            Clock::System => jiff::Timestamp::now(),
            Clock::Fixed(t) => t,
        }
    }

    /// The screen areas for the current size.
    pub fn areas(&self) -> layout::Areas {
        layout::areas_zoomed(
            Rect::new(0, 0, self.size.0, self.size.1),
            self.focus,
            self.zoom,
        )
    }

    /// Whether the filter line is shown above the list.
    pub fn filter_line_shown(&self) -> bool {
        self.filter.editing || !self.filter.query.is_empty() || self.business.is_some()
    }

    /// How many contacts fit in the list pane (at least 1).
    pub fn list_page(&self) -> usize {
        self.areas()
            .contacts
            .map_or(1, |r| layout::list_rows(r, self.filter_line_shown()))
            .max(1)
    }

    /// Rows of the activity pane's body (below its tab line).
    pub(crate) fn activity_page(&self) -> u16 {
        self.pane_page(Pane::Activity).saturating_sub(1)
    }

    fn pane_page(&self, p: Pane) -> u16 {
        self.areas()
            .pane(p)
            .map_or(1, |r| r.height.saturating_sub(2))
            .max(1)
    }

    /// The selected row.
    pub fn selected_row(&self) -> Option<RowRef<'_>> {
        self.view.row(self.selected)
    }

    /// When the details fetch for the resting selection is due.
    pub fn fetch_deadline(&self) -> Option<Instant> {
        self.fetch_due.as_ref().map(|(t, _)| *t)
    }

    /// Terminal resized.
    pub fn resize(&mut self, cols: u16, rows: u16) {
        self.size = (cols, rows);
        self.ensure_visible();
        self.changes_ensure_visible();
        self.after_resize();
        self.dirty = true;
    }

    pub(crate) fn ensure_contacts_visible(&mut self) {
        self.ensure_visible();
    }

    fn ensure_visible(&mut self) {
        let mut sc = Scroll {
            pos: self.selected,
            offset: self.offset,
        };
        sc.keep_visible(self.view.len(), self.list_page());
        self.selected = sc.pos;
        self.offset = sc.offset;
    }

    /// The selection may point at another contact: show its cached details now and schedule
    /// the fetch.
    pub(crate) fn selection_changed(&mut self) {
        self.ensure_visible();
        let id = self.selected_row().map(|r| r.id.to_owned());
        if self.details.as_ref().map(|d| &d.id) == id.as_ref() {
            return;
        }
        self.details_scroll = 0;
        self.details_cursor = 0;
        self.activity_scroll = 0;
        self.activity_selected = 0;
        match id {
            Some(id) => {
                self.details = Some(self.read_details(&id));
                self.fetch_due = Some((Instant::now() + FETCH_DEBOUNCE, id));
            }
            None => {
                self.details = None;
                self.fetch_due = None;
            }
        }
    }

    fn read_details(&self, id: &str) -> Details {
        let mut d = Details {
            id: id.to_owned(),
            ..Default::default()
        };
        let mut errs = Vec::new();
        match self.store.contact(id) {
            Ok(c) => d.contact = c,
            Err(e) => errs.push(e.to_string()),
        }
        match self.store.tasks(id) {
            Ok(v) => d.tasks = v,
            Err(e) => errs.push(e.to_string()),
        }
        match self.store.notes(id) {
            Ok(v) => d.notes = v,
            Err(e) => errs.push(e.to_string()),
        }
        match self.store.appointments(id) {
            Ok(v) => d.appointments = v,
            Err(e) => errs.push(e.to_string()),
        }
        if !errs.is_empty() {
            d.error = Some(errs.join("; "));
        }
        d
    }

    pub(crate) fn reload_details(&mut self) {
        if let Some(d) = &self.details {
            let fetching = d.fetching;
            let mut fresh = self.read_details(&d.id.clone());
            fresh.fetching = fetching;
            self.details = Some(fresh);
        }
    }

    /// The debounce timer fired: fetch the resting selection's details.
    pub fn on_fetch_timer(&mut self) -> Vec<Effect> {
        let Some((_, id)) = self.fetch_due.take() else {
            return Vec::new();
        };
        self.fetch_now(id)
    }

    fn fetch_now(&mut self, id: String) -> Vec<Effect> {
        if !self.online {
            return Vec::new();
        }
        if let Some(d) = self.details.as_mut().filter(|d| d.id == id) {
            d.fetching = true;
            self.dirty = true;
        }
        vec![Effect::Job(Job::FetchDetails { contact_id: id })]
    }

    /// The job queue was full (or the worker is gone): show it.
    pub fn set_busy(&mut self, closed: bool) {
        if closed {
            self.status.error = Some("background worker stopped; restart bmby-ghl".into());
        } else {
            self.status.busy = true;
        }
        if let Some(d) = self.details.as_mut() {
            d.fetching = false;
        }
        self.dirty = true;
    }

    /// A terminal key event.
    pub fn handle_key(&mut self, ev: KeyEvent) -> Vec<Effect> {
        if ev.kind == KeyEventKind::Release {
            return Vec::new();
        }
        let Some(key) = KeyCombo::from_event(&ev) else {
            return Vec::new();
        };
        // Read: a notice kept until a key goes (the key does what it does).
        if self.status.until_key.take().is_some() {
            self.dirty = true;
        }
        if key == KeyCombo::ctrl('c') {
            self.should_quit = true;
            return Vec::new();
        }
        let layer = self.layer();
        let chain = layer.chain();
        match layer {
            Layer::Notice => {
                self.notice = None;
                self.dirty = true;
                Vec::new()
            }
            Layer::LocationPicker => self.handle_picker_key(key),
            Layer::Palette => self.handle_palette_key(key),
            Layer::BulkConfirm => self.handle_bulk_confirm_key(key),
            Layer::Recent => self.handle_recent_key(key),
            Layer::Setup => self.handle_setup_key(key),
            l if l.is_changes() => {
                if self.read_only.is_some()
                    && !matches!(l, Layer::ValueEdit | Layer::ChangesFilter)
                    && self.refuse_if_read_only(self.keymap.lookup(&chain, key))
                {
                    return Vec::new();
                }
                self.handle_changes_key(key)
            }
            Layer::HandEditLine | Layer::HandEditConfirm | Layer::HandEditFields => {
                self.handle_hand_edit_key(key)
            }
            Layer::ContactsFilter if key.printable().is_some() => {
                if let Some(c) = key.printable() {
                    self.filter.query.push(c);
                }
                self.query_changed()
            }
            _ => match self.keymap.lookup(&chain, key) {
                Some(a) => self.handle_action(a),
                None => Vec::new(),
            },
        }
    }

    /// Pasted text (bracketed paste): typed into the open one-line editor or filter, line
    /// breaks and tabs as spaces and control characters dropped; never run as keys.
    pub fn handle_paste(&mut self, text: &str) -> Vec<Effect> {
        self.dirty = true;
        if self.setup.is_some() {
            return self.handle_setup_paste(text);
        }
        let flat: String = text
            .chars()
            .map(|c| {
                if c == '\n' || c == '\r' || c == '\t' {
                    ' '
                } else {
                    c
                }
            })
            .collect();
        let flat = crate::sanitize::clean_line(&flat);
        if let Some(p) = self.palette.as_mut() {
            flat.chars().for_each(|c| p.input.insert(c));
            return Vec::new();
        }
        if let Some(super::edits::HandEdit::Line { edit, .. }) = self.hand_edit.as_mut() {
            flat.chars().for_each(|c| edit.insert(c));
            edit.error = None;
            return Vec::new();
        }
        if self.screen == Screen::Changes {
            if let Some(e) = self.changes.edit.as_mut() {
                flat.chars().for_each(|c| e.insert(c));
                return Vec::new();
            }
            if self.changes.query_editing {
                self.changes.query.push_str(&flat);
                self.changes_refilter();
                return Vec::new();
            }
        } else if self.filter.editing {
            self.filter.query.push_str(&flat);
            return self.query_changed();
        }
        self.status.info = Some("paste ignored: open an editor (e) or the filter (/) first".into());
        Vec::new()
    }

    /// Copies a new status error or info into the message log (call after handling anything
    /// that may set one).
    pub fn note_messages(&mut self) {
        // The user's own news replaces routine news, and an action that succeeded (new info,
        // no new error) clears the error before it (see `status_msgs`).
        let mut error = self.status.error.clone();
        let info = self.status.info.clone();
        if info.is_some() && info != self.noted.1 {
            self.status.news = None;
            if error.is_some() && error == self.noted.0 {
                self.status.error = None;
                error = None;
            }
        }
        if error.is_some() && error != self.noted.0 {
            self.log_message(format!("! {}", error.as_deref().unwrap_or_default()));
            self.status.error_at = Some(self.now());
        }
        if info.is_some() && info != self.noted.1 {
            self.log_message(info.clone().unwrap_or_default());
            self.status.info_at = Some(self.now());
        }
        self.noted = (error, info);
    }

    /// Routine news from background work (a pull's summary, another session's action): the
    /// least important status message; it replaces the info shown (logged at once).
    pub fn news(&mut self, text: String) {
        self.log_message(text.clone());
        self.status.news = Some(text);
        self.status.info = None;
        self.noted.1 = None;
    }

    /// News of this session's own background work (a pull's summary, the users not loaded):
    /// as [`App::news`], but the answer to what the user just did (an `info` younger than
    /// [`super::status_msgs::OWN_NEWS_KEPT`]) stays: a pull finishing a moment after an action
    /// must not take its answer away (found in `e2e_palette`: `proposed: …` gone at once).
    pub fn background_news(&mut self, text: String) {
        let fresh = self
            .status
            .info_at
            .is_some_and(|at| self.now().duration_since(at) < super::status_msgs::OWN_NEWS_KEPT);
        if fresh && self.status.info.is_some() {
            self.log_message(text.clone());
            self.status.news = Some(text);
        } else {
            self.news(text);
        }
    }

    /// Shows `line` in place of the key hints until the next key; `whole` (the same said in
    /// full) goes to the message log.
    pub fn notice_until_key(&mut self, line: String, whole: String) {
        self.log_message(whole);
        self.status.until_key = Some(line);
        self.dirty = true;
    }

    pub(crate) fn log_message(&mut self, m: String) {
        let now = self.now();
        super::messages::log(&mut self.messages, m, now, MESSAGE_LOG);
        self.dirty = true;
    }

    /// Types text into the filter as if each character were a key (tests, benchmarks).
    pub fn type_text(&mut self, text: &str) -> Vec<Effect> {
        let mut fx = Vec::new();
        for c in text.chars() {
            fx.extend(self.handle_key(KeyCombo::char(c).to_event()));
        }
        fx
    }

    /// Carries out a user action.
    pub fn handle_action(&mut self, action: Action) -> Vec<Effect> {
        self.dirty = true;
        if let Some(scroll) = self.messages_open {
            let page = self.size.1.saturating_sub(6).max(1) as usize;
            let width = super::messages::messages_width(self.size.0);
            let len = super::messages::message_lines(&self.messages, width).len();
            self.messages_open = match action {
                Action::HelpClose
                | Action::HelpToggle
                | Action::MessagesOpen
                | Action::Back
                | Action::Quit => None,
                a => Some(match Nav::of(a) {
                    Some(nav) => {
                        scroll::scrolled(scroll as usize, nav, len.saturating_sub(page), page)
                            as u16
                    }
                    None => scroll,
                }),
            };
            return Vec::new();
        }
        if let Some(scroll) = self.help {
            let page = self.size.1.saturating_sub(4).max(1) as usize;
            let len = super::help_text::line_count(&self.keymap, self.size.0);
            self.help = match action {
                Action::HelpClose | Action::HelpToggle | Action::Back | Action::Quit => None,
                a => Some(match Nav::of(a) {
                    Some(nav) => {
                        scroll::scrolled(scroll as usize, nav, len.saturating_sub(page), page)
                            as u16
                    }
                    None => scroll,
                }),
            };
            return Vec::new();
        }
        if self.recent.is_some()
            && (Nav::of(action).is_some()
                || matches!(action, Action::RecentGoTo | Action::RecentClose))
        {
            return self.handle_recent_action(action);
        }
        if let Some(fx) = self.handle_view_action(action) {
            return fx;
        }
        if self.screen == Screen::Changes {
            return self.handle_changes_action(action);
        }
        match action {
            Action::ScreenToggle => {
                self.screen = Screen::Changes;
                self.changes_ensure_visible();
            }
            Action::PaneNext => self.focus = self.focus.next(),
            Action::PanePrev => self.focus = self.focus.prev(),
            Action::Back => {
                if self.filter.editing {
                    return self.filter_cancel();
                } else if self.clear_marks_on_back() {
                } else if self.focus != Pane::Contacts {
                    self.focus = Pane::Contacts;
                } else if !self.filter.query.is_empty() {
                    return self.filter_cancel();
                } else if self.business.is_some() {
                    return self.clear_business_filter();
                }
            }
            Action::MarkToggle | Action::MarkAllShown | Action::UnmarkAll => {
                return self.handle_mark_action(action)
            }
            Action::OpenContact => {
                if self.details.is_some() {
                    self.focus = Pane::Details;
                }
            }
            Action::NavUp
            | Action::NavDown
            | Action::NavPageUp
            | Action::NavPageDown
            | Action::NavTop
            | Action::NavBottom => {
                if let Some(nav) = Nav::of(action) {
                    self.nav(nav);
                }
            }
            Action::FilterOpen => {
                self.focus = Pane::Contacts;
                self.filter.editing = true;
                self.ensure_visible();
            }
            Action::FilterAccept => {
                self.filter.editing = false;
                self.ensure_visible();
            }
            Action::FilterCancel => return self.filter_cancel(),
            Action::FilterDeleteChar => {
                if self.filter.query.pop().is_some() {
                    return self.query_changed();
                }
            }
            Action::FilterClear => {
                if !self.filter.query.is_empty() {
                    self.filter.query.clear();
                    return self.query_changed();
                }
            }
            Action::CycleSort => return self.cycle_sort(),
            Action::ToggleRaw => {
                self.raw_json = !self.raw_json;
                self.details_scroll = 0;
                self.details_cursor = 0;
            }
            Action::TabNext => {
                self.tab = self.tab.next();
                self.activity_scroll = 0;
                self.activity_selected = 0;
            }
            Action::TabPrev => {
                self.tab = self.tab.prev();
                self.activity_scroll = 0;
                self.activity_selected = 0;
            }
            Action::ContactEditField
            | Action::ActivityNew
            | Action::ActivityEdit
            | Action::ActivityDelete
            | Action::TaskToggleDone => return self.handle_edit_action(action),
            Action::RefreshContact => {
                if let Some(id) = self.details.as_ref().map(|d| d.id.clone()) {
                    self.fetch_due = None;
                    if !self.online {
                        self.status.info = Some("offline: showing the cache".into());
                    }
                    return self.fetch_now(id);
                }
            }
            other => return self.handle_common_action(other),
        }
        Vec::new()
    }

    /// Actions that do the same on every screen (the rest are ignored where they mean
    /// nothing).
    pub(crate) fn handle_common_action(&mut self, action: Action) -> Vec<Effect> {
        self.dirty = true;
        match action {
            Action::Quit => self.should_quit = true,
            Action::Suspend => return vec![Effect::Suspend],
            Action::LocationSwitch => {
                let e = super::registry::entry(action);
                if let Err(why) = e.enabled(self) {
                    self.status.error = Some(format!("{}: {why}", e.label));
                    return Vec::new();
                }
                return self.open_location_picker();
            }
            Action::HelpToggle => self.help = Some(0),
            Action::PaletteOpen => self.open_palette(super::palette::Mode::List, ""),
            Action::PaletteCommand => self.open_palette(super::palette::Mode::Command, ""),
            Action::MessagesOpen => {
                self.note_messages();
                self.messages_open = Some(0);
                // Read: the pinned notice is in the messages shown now.
                self.status.pinned = None;
            }
            Action::RecentOpen => return self.toggle_recent(),
            Action::SyncPull | Action::SyncPullFull => {
                let full = action == Action::SyncPullFull;
                if !self.online {
                    self.status.info = Some("offline: no sync worker".into());
                } else {
                    self.status.info = Some(if full {
                        "full pull requested".into()
                    } else {
                        "pull requested".into()
                    });
                    return vec![Effect::Job(Job::Pull { full })];
                }
            }
            a => {
                // An operation bound to a key by the user: run it (or ask its arguments).
                let e = super::registry::entry(a);
                if let Some(h) = e.handler {
                    if let Err(why) = e.enabled(self) {
                        self.status.error = Some(format!("{}: {why}", e.label));
                    } else if e.args.is_empty() {
                        return h(self, &[]);
                    } else {
                        let name = e.command.unwrap_or(e.id());
                        self.open_palette(super::palette::Mode::Command, &format!("{name} "));
                        return self.refresh_palette_candidates();
                    }
                }
            }
        }
        Vec::new()
    }

    fn nav(&mut self, nav: Nav) {
        match self.focus {
            Pane::Contacts => {
                let mut sc = Scroll {
                    pos: self.selected,
                    offset: self.offset,
                };
                if sc.apply(nav, self.view.len(), self.list_page()) {
                    self.selected = sc.pos;
                    self.selection_chosen = true;
                    self.selection_changed();
                }
            }
            Pane::Details => self.details_nav(nav),
            Pane::Activity => {
                let page = self.pane_page(Pane::Activity) as usize;
                if self.activity_nav(nav.delta(page)) {
                    return;
                }
                let max = self.activity_scroll_max();
                self.activity_scroll =
                    scroll::scrolled(self.activity_scroll as usize, nav, max, page) as u16;
            }
        }
    }

    pub(crate) fn filter_cancel(&mut self) -> Vec<Effect> {
        self.filter.editing = false;
        if self.filter.query.is_empty() {
            self.ensure_visible();
            return Vec::new();
        }
        self.filter.query.clear();
        self.query_changed()
    }

    /// The filter text changed: ask the matcher (or show everything for an empty query).
    pub(crate) fn query_changed(&mut self) -> Vec<Effect> {
        self.dirty = true;
        self.filter.generation += 1;
        self.filter.counting = false;
        if self.filter.query.is_empty() {
            self.filter.pending = false;
            self.filter.error = None;
            let keep = self.selected_row().map(|r| r.id.to_owned());
            self.selection_chosen = keep.is_some();
            self.set_view(self.base_view(self.source.clone()), keep);
            return Vec::new();
        }
        self.filter.pending = true;
        // Timing in the log (`--log-level debug`): query sent → result handled. The query's
        // length only: its text may be a customer's name.
        tracing::debug!(
            generation = self.filter.generation,
            chars = self.filter.query.chars().count(),
            "filter query sent"
        );
        vec![Effect::Filter(FilterMsg::Query {
            generation: self.filter.generation,
            query: self.filter.query.clone(),
        })]
    }

    pub(crate) fn set_view(&mut self, view: ListView, keep_id: Option<String>) {
        self.view = view;
        self.selected = keep_id
            .and_then(|id| self.view.position_of(&id))
            .unwrap_or(0);
        if self.selected == 0 {
            self.offset = 0;
        }
        // Scroll the window to the selection whatever the list became.
        self.ensure_visible();
        self.selection_changed();
    }

    /// Matches from the matcher thread. Results of an older generation are dropped (returns
    /// false).
    pub fn handle_filter_result(&mut self, r: FilterResult) -> bool {
        tracing::debug!(
            generation = r.generation,
            complete = r.complete,
            indexed = r.indexed,
            rows = r.indices.len(),
            "filter result"
        );
        if r.generation != self.filter.generation || self.filter.query.is_empty() {
            return false;
        }
        self.filter.pending = false;
        self.filter.error = r.error;
        // The whole list after its first screenful: the same rows first, so the selection
        // and the scroll stay where they are.
        let after_first = std::mem::replace(&mut self.filter.counting, !r.complete);
        let keep = after_first
            .then(|| self.selected_row().map(|r| r.id.to_owned()))
            .flatten();
        if !after_first {
            self.offset = 0;
        }
        if self.filter.error.is_some() {
            // A query that cannot be used lists nothing; the pane explains it.
            self.set_view(
                ListView {
                    source: r.source,
                    matches: Some(Arc::new(Vec::new())),
                },
                None,
            );
            self.dirty = true;
            return true;
        }
        let indices = self.business_restrict(&r.source, r.indices);
        self.set_view(
            ListView {
                source: r.source,
                matches: Some(indices),
            },
            keep,
        );
        self.dirty = true;
        true
    }

    fn cycle_sort(&mut self) -> Vec<Effect> {
        self.sort = self.sort.next();
        self.status.info = Some(format!("sorted by {}", self.sort.label()));
        let rows = self.source.rows.clone();
        let order = sort_order(&*rows, self.sort);
        self.install_source(rows, order)
    }

    /// Every row, read off the UI thread ([`Store::contact_list`], or `ContactRow`s); `order`
    /// is their order by `sort`.
    pub fn handle_rows_loaded<R: Into<RowList>>(
        &mut self,
        rows: Result<R, String>,
        sort: SortKey,
        order: Vec<u32>,
    ) -> Vec<Effect> {
        self.rows_loading = false;
        self.dirty = true;
        let mut fx = Vec::new();
        match rows {
            Ok(rows) => {
                let rows: RowList = rows.into();
                let mem = crate::memory::resident();
                tracing::info!(
                    rows = rows.len(),
                    rss_mb = mem.now_mib(),
                    peak_mb = mem.peak_mib(),
                    "contact list loaded"
                );
                let order = if sort == self.sort {
                    order
                } else {
                    sort_order(&rows, self.sort)
                };
                self.rows_complete = true;
                fx = self.install_source(Arc::new(rows), order);
            }
            Err(e) => self.status.error = Some(format!("loading contacts: {e}")),
        }
        if self.reload_queued {
            self.reload_queued = false;
            self.rows_loading = true;
            fx.push(Effect::LoadRows(self.sort));
        }
        fx
    }

    fn install_source(&mut self, rows: Arc<RowList>, order: Vec<u32>) -> Vec<Effect> {
        let keep = self
            .selected_row()
            .filter(|_| self.selection_chosen)
            .map(|r| r.id.to_owned());
        let source = Arc::new(ListSource {
            version: self.next_version,
            order: rows.share_order(order),
            rows,
        });
        self.next_version += 1;
        self.source = source.clone();
        let mut fx = vec![
            Effect::Filter(FilterMsg::Context(self.search_context())),
            Effect::Filter(FilterMsg::Source(source.clone())),
        ];
        self.prune_marks();
        if self.filter.query.is_empty() {
            self.set_view(self.base_view(source), keep);
        } else {
            // Keep showing the current matches until the new ones arrive.
            fx.extend(self.query_changed());
        }
        // An open list of recent GHL changes follows the rows (a pull changed contacts).
        fx.extend(self.reload_recent());
        self.dirty = true;
        fx
    }

    /// What the filter's `owner:`, `business:` and `updated:` resolve against: the users and
    /// businesses lists of the cache, and the app's clock.
    pub fn search_context(&self) -> Arc<crate::search::SearchContext> {
        let mut ctx = crate::search::SearchContext::from_store(&self.store);
        ctx.users = self.users.clone();
        ctx.now = match self.clock {
            Clock::Fixed(t) => Some(t),
            Clock::System => None,
        };
        Arc::new(ctx)
    }

    fn request_reload(&mut self) -> Vec<Effect> {
        if self.rows_loading {
            self.reload_queued = true;
            Vec::new()
        } else {
            self.rows_loading = true;
            vec![Effect::LoadRows(self.sort)]
        }
    }

    /// An event from the background worker.
    pub fn handle_event(&mut self, ev: SyncEvent) -> Vec<Effect> {
        self.dirty = true;
        match ev {
            SyncEvent::PullStarted { full } => {
                self.status.pull = Some(PullProgress {
                    full,
                    fetched: 0,
                    total: None,
                });
                self.status.busy = false;
            }
            SyncEvent::PullProgress { fetched, total } => {
                let full = self.status.pull.is_some_and(|p| p.full);
                self.status.pull = Some(PullProgress {
                    full,
                    fetched,
                    total,
                });
                self.status.retry = None;
            }
            SyncEvent::ContactsChanged { ids } => {
                if self.details.as_ref().is_some_and(|d| ids.contains(&d.id)) {
                    self.reload_details();
                }
                // The selected change's contact may have changed in GHL since its diff.
                self.changes.ghl_since = None;
                self.refresh_selected_ghl_since();
                return self.request_reload();
            }
            SyncEvent::PullFinished(s) => {
                // GHL answered: the location is signed in (again, after an `auth login`).
                self.locations.needs_sign_in = None;
                self.status.pull = None;
                self.status.retry = None;
                self.status.busy = false;
                self.status.last_sync = self.store.meta("last_sync").and_then(|s| s.parse().ok());
                self.background_news(s.describe());
                self.status.pull_failed_at = None;
                if let Some(e) = self.status.pull_error.take() {
                    if self.status.error.as_ref() == Some(&e) {
                        self.status.error = None;
                    }
                }
            }
            SyncEvent::PullFailed { message } => self.pull_failed(message),
            SyncEvent::UsersLoaded { count } => self.users_loaded(count),
            SyncEvent::DetailsLoaded { contact_id } => {
                self.locations.needs_sign_in = None;
                self.status.retry = None;
                self.status.busy = false;
                if self.details.as_ref().is_some_and(|d| d.id == contact_id) {
                    self.reload_details();
                    if let Some(d) = self.details.as_mut() {
                        d.fetching = false;
                    }
                }
            }
            SyncEvent::CustomFieldsLoaded => {
                self.location_zone = crate::sync::location_zone::cached(&self.store);
                match self.store.custom_fields() {
                    Ok(cf) => self.custom_fields = cf,
                    Err(e) => self.status.error = Some(format!("custom fields: {e}")),
                }
            }
            SyncEvent::ListsLoaded { errors } => {
                self.users = crate::sync::ops::cached_users(&self.store);
                if let Some(e) = errors.first() {
                    self.status.error = Some(e.clone());
                }
                // An open `:` line waiting for a list completes from it now.
                let mut fx = self.refresh_palette_candidates();
                // `owner:` and `business:` resolve against the lists just loaded.
                fx.push(Effect::Filter(FilterMsg::Context(self.search_context())));
                if !self.filter.query.is_empty() {
                    fx.extend(self.query_changed());
                }
                return fx;
            }
            SyncEvent::BusinessContacts {
                business_id,
                contact_ids,
            } => return self.handle_business_contacts(&business_id, contact_ids),
            SyncEvent::RateLimit(b) => self.status.rate = Some(b),
            SyncEvent::Retrying {
                what,
                attempt,
                wait_ms,
            } => {
                self.status.retry = Some(format!(
                    "retrying {} (attempt {attempt}) in {:.1}s",
                    what,
                    wait_ms as f64 / 1000.0
                ));
            }
            ev @ (SyncEvent::DispatchStarted { .. }
            | SyncEvent::DispatchProgress { .. }
            | SyncEvent::DispatchFinished { .. }) => return self.handle_dispatch_event(ev),
            SyncEvent::WritebackProposed {
                tasks,
                notes,
                skipped,
            } => {
                self.status.info = Some(if tasks + notes == 0 {
                    format!("nothing new to write back to Bmby ({skipped} left out)")
                } else {
                    format!(
                        "proposed for Bmby: {tasks} task{}, {notes} note{} (pending; {skipped} left out)",
                        if tasks == 1 { "" } else { "s" },
                        if notes == 1 { "" } else { "s" }
                    )
                });
                return self.request_changes_reload();
            }
            SyncEvent::UpdatedFromGhl { contact_id } => {
                let now = self.now();
                self.from_ghl.insert(contact_id, now);
            }
            SyncEvent::ClientCommand { command, code } => {
                // An `import` beside this TUI may have replaced the last import's problems.
                self.refresh_import_problems();
                self.news(format!(
                    "another bmby-ghl ran `{}` here (exit {code})",
                    crate::tui::text::clean(&command)
                ));
                return self.request_changes_reload();
            }
            SyncEvent::PeerChanged { what } => {
                self.news(format!(
                    "another TUI here: {}",
                    crate::tui::text::clean(&what)
                ));
                return self.request_changes_reload();
            }
            SyncEvent::SignInNeeded { message } => {
                self.needs_sign_in(message);
            }
            SyncEvent::Error { context, message } => {
                self.status.error = Some(format!("{context}: {message}"));
                // A failed pull sends no more progress; a running one re-reports it.
                self.status.pull = None;
                if let Some(d) = self.details.as_mut() {
                    d.fetching = false;
                }
            }
        }
        Vec::new()
    }
}
