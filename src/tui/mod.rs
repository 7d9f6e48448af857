//! The terminal UI: browse contacts, details, tasks, notes and appointments from the cache.
//!
//! Architecture (see `shared/docs/tui-anchors.md`): one owner of the state ([`App`]) on the
//! main task; a `tokio::select!` loop over terminal events, sync events, filter results, row
//! loads, the details debounce timer and signals; every handler returns [`Effect`]s that the
//! loop carries out; drawing ([`render()`]) is read-only and happens once per batch of queued
//! messages, only when something changed.
//!
//! Entry points: [`run`] (the app) and [`keymap_dump`] (`bmby-ghl keymap`). Tests and
//! benchmarks use [`App`], [`Driver`] and [`render()`].

pub mod action;
pub mod app;
pub mod bulk;
pub mod bulk_view;
pub mod business_filter;
pub mod changes;
pub mod clipboard;
pub mod driver;
pub mod early_text;
pub mod early_view;
pub mod edits;
mod external;
pub mod filter;
pub mod help;
pub mod help_text;
pub mod hosted;
mod import_notice;
pub mod input;
pub mod keymap;
pub mod layer;
pub mod layout;
pub mod locations;
pub mod locations_view;
pub mod look;
pub mod marks;
pub mod messages;
mod op_actions;
pub mod palette;
pub mod palette_view;
pub mod panes;
pub mod recent;
pub mod recent_text;
pub mod recent_view;
pub mod registry;
pub mod render;
pub mod scroll;
pub mod session;
pub mod setup;
pub mod status;
pub mod status_msgs;
mod sync_status;
pub mod terminal;
pub mod text;
pub mod theme;
mod view_actions;

use std::io;
use std::path::{Path, PathBuf};

use crossterm::event::Event;
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;
use tokio::sync::mpsc;

pub use action::Action;
pub use app::{App, AppOptions, Clock, DispatchStatus, Effect, Pane, Screen, SortKey};
pub use driver::Driver;
pub use keymap::{Context, KeyCombo, Keymap};
pub use render::render;
pub use theme::Theme;

use crate::store::Store;
use crate::sync::{Job, SyncEvent};

/// What `main.rs` hands the UI.
pub struct TuiContext {
    pub store: Store,
    /// None = offline/no worker (tests, or cache-only); else bounded channel: `try_send`, a full
    /// queue shows "busy".
    pub jobs: Option<mpsc::Sender<Job>>,
    pub events: mpsc::UnboundedReceiver<SyncEvent>,
    /// e.g. "Demo Realty (ve9EPM428h8vShlRW1KT)"
    pub location_label: String,
    /// The user's keymap file (config dir); may not exist.
    pub user_keymap: Option<PathBuf>,
    pub log_path: PathBuf,
    /// Signed-in locations for the picker (`L`); the current one is `current_location`.
    pub locations: Vec<locations::LocationChoice>,
    pub current_location: String,
    /// Why the app may not write (token without `contacts.write`), if so.
    pub read_only: Option<String>,
    /// Why the location must sign in again, if it must (shown in the status bar).
    pub needs_sign_in: Option<String>,
    /// What `:setup` needs (`None`: the demo, where it says it is not available), and whether
    /// the setup opens at start (nothing is configured).
    pub setup: Option<(setup::SetupEnv, bool)>,
    /// The other TUI sessions of this cache (attached TUIs the owner hosts), told about the
    /// review actions taken here; `None`: no other session can exist.
    pub peers: Option<session::Peers>,
    /// A notice kept until a key, in place of the key hints (this process took the cache
    /// over from an owner that exited): (the line shown, the whole text for the messages),
    /// `owner::Takeover::line` and `owner::Takeover::notice`.
    pub notice: Option<(String, String)>,
}

/// How the UI ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TuiExit {
    Quit,
    /// The user picked another location: open it and run the UI again.
    SwitchTo(String),
}

/// `bmby-ghl keymap [--check FILE]`: the effective keymap (default plus `user`) as text, or
/// the diagnostics of `user` (one `FILE:LINE: message` per line).
pub fn keymap_dump(user: Option<&Path>) -> Result<String, String> {
    let (text, diags) = keymap_listing(user);
    if !diags.is_empty() {
        return Err(keymap::format_diagnostics(&diags));
    }
    Ok(text)
}

/// The effective keymap as text — the default plus every good line of `user` — followed by
/// every action with its description, also when `user` has problems; and those problems.
pub fn keymap_listing(user: Option<&Path>) -> (String, Vec<keymap::Diagnostic>) {
    let (km, diags) = Keymap::load(user);
    let mut out = km.dump();
    out.push_str("\n# Actions\n");
    for a in Action::ALL {
        out.push_str(&format!(
            "#   {:<22} {}\n",
            a.name(),
            registry::entry(*a).description
        ));
    }
    out.push_str("#   none                   (unbinds the key)\n");
    (out, diags)
}

struct RowsMsg {
    rows: Result<crate::domain::RowList, String>,
    sort: SortKey,
    order: Vec<u32>,
}

/// Results of the changes screen's blocking work.
enum ChangesMsg {
    Loaded(Result<Vec<crate::domain::Change>, String>),
    Reviewed(changes::ReviewDone),
    Journal(Result<Vec<crate::domain::JournalEntry>, String>),
    Local(Box<Result<crate::domain::Change, String>>),
    Proposed(Box<Result<crate::domain::Change, String>>),
    Business {
        business_id: String,
        ids: Result<Vec<String>, String>,
    },
    Recent(Box<recent::RecentLoaded>),
}

impl ChangesMsg {
    fn apply(self, app: &mut App) -> Vec<Effect> {
        match self {
            ChangesMsg::Loaded(r) => app.handle_changes_loaded(r),
            ChangesMsg::Reviewed(d) => app.handle_review_done(d),
            ChangesMsg::Journal(r) => app.handle_journal_loaded(r),
            ChangesMsg::Local(r) => app.handle_local_done(*r),
            ChangesMsg::Proposed(r) => app.handle_proposed(*r),
            ChangesMsg::Business { business_id, ids } => {
                app.handle_business_contacts(&business_id, ids)
            }
            ChangesMsg::Recent(r) => app.handle_recent_loaded(*r),
        }
    }
}

/// Runs the UI until the user quits, a SIGTERM/SIGHUP arrives or the terminal fails. Owns
/// the terminal; restores it on every way out (the panic hook included). The loop itself is
/// [`session::run`], shared with the sessions an owner hosts for attached TUIs ([`hosted`]).
pub async fn run(ctx: TuiContext) -> color_eyre::Result<TuiExit> {
    let TuiContext {
        store,
        jobs,
        events,
        location_label,
        user_keymap,
        log_path,
        locations,
        current_location,
        read_only,
        needs_sign_in,
        setup: setup_start,
        peers,
        notice,
    } = ctx;
    let (keymap, diags) = Keymap::load(user_keymap.as_deref());
    for d in &diags {
        tracing::warn!(problem = %d, "user keymap line ignored");
    }
    tracing::info!(log = %log_path.display(), "starting the TUI");

    let guard = terminal::TerminalGuard::enter()?;
    let out: Box<dyn io::Write + Send> = Box::new(io::stdout());
    let mut term: session::Term = Terminal::new(CrosstermBackend::new(out))?;
    // The early frame (issue 14) may still be on the screen: ratatui draws only the cells that
    // differ from what it believes is there (nothing), so the screen is cleared first.
    term.clear()?;
    let size = term.size()?;
    let opts = AppOptions {
        location_label,
        theme: Theme::from_env(),
        keymap,
        keymap_diagnostics: diags,
        online: jobs.is_some(),
        clock: Clock::System,
        size: (size.width, size.height),
    };
    let mut app = App::new(store.clone(), opts);
    app.read_only = read_only;
    app.locations.choices = locations;
    app.locations.current = current_location;
    app.locations.needs_sign_in = needs_sign_in;
    if let Some((line, whole)) = notice {
        app.notice_until_key(line, whole);
    }
    let setup_env = setup_start.as_ref().map(|(e, _)| e.clone());
    app.setup_env = setup_env.clone();
    let mut setup_fx = Vec::new();
    if let Some((_, true)) = setup_start {
        setup_fx = app.open_setup(setup::Step::Ghl, true);
    }
    app.external_editor = external::configured();
    // One reader of the terminal: a thread forwarding crossterm's events into a channel, so
    // the loop can drain queued input without polling outside `select!`.
    let (input_tx, input) = mpsc::unbounded_channel::<io::Result<Event>>();
    let parts = session::Parts {
        store: store.clone(),
        jobs,
        events,
        input,
        surface: session::Surface::Local {
            guard,
            input: input::Input::spawn(input_tx),
        },
        setup_env,
        peers,
    };
    let (mut app, term, surface, result) = session::run(app, term, parts, setup_fx).await?;
    drop(term);
    drop(surface);
    // The next start reads the list in one go (issue 14).
    if let Err(e) = store.save_list_snapshot() {
        tracing::warn!(error = %e, "saving the list snapshot on exit failed");
    }
    if let Err(e) = store.flush() {
        tracing::warn!(error = %e, "flushing the cache on exit failed");
    }
    result.map(|()| match app.locations.switch_to.take() {
        Some(l) => TuiExit::SwitchTo(l),
        None => TuiExit::Quit,
    })
}
