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
pub mod setup;
pub mod status;
mod sync_status;
pub mod terminal;
pub mod text;
pub mod theme;
mod view_actions;

use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

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

type Term = Terminal<CrosstermBackend<io::Stdout>>;

fn draw(terminal: &mut Term, app: &App) -> io::Result<()> {
    crossterm::queue!(
        terminal.backend_mut(),
        crossterm::terminal::BeginSynchronizedUpdate
    )?;
    terminal.draw(|f| render(app, f))?;
    crossterm::execute!(
        terminal.backend_mut(),
        crossterm::terminal::EndSynchronizedUpdate
    )?;
    Ok(())
}

struct Loop {
    input: input::Input,
    jobs: Option<mpsc::Sender<Job>>,
    filter: filter::FilterHandle,
    rows_tx: mpsc::UnboundedSender<RowsMsg>,
    changes_tx: mpsc::UnboundedSender<ChangesMsg>,
    store: Store,
    setup_tx: mpsc::UnboundedSender<setup::SetupDone>,
    setup_env: Option<setup::SetupEnv>,
}

impl Loop {
    fn run_effects(
        &self,
        app: &mut App,
        fx: Vec<Effect>,
        guard: &terminal::TerminalGuard,
        term: &mut Term,
    ) {
        for e in fx {
            match e {
                Effect::Job(job) => {
                    if let Some(tx) = &self.jobs {
                        match tx.try_send(job) {
                            Ok(()) => {}
                            Err(mpsc::error::TrySendError::Full(j)) => {
                                tracing::debug!(job = ?j, "job queue full");
                                app.set_busy(false);
                            }
                            Err(mpsc::error::TrySendError::Closed(_)) => app.set_busy(true),
                        }
                    }
                }
                Effect::LoadRows(sort) => {
                    let store = self.store.clone();
                    let tx = self.rows_tx.clone();
                    let handle = tokio::task::spawn_blocking(move || {
                        let rows = store.contact_list().map_err(|e| e.to_string());
                        let order = rows
                            .as_ref()
                            .map(|r| app::sort_order(r, sort))
                            .unwrap_or_default();
                        RowsMsg { rows, sort, order }
                    });
                    tokio::spawn(async move {
                        let msg = match handle.await {
                            Ok(m) => m,
                            Err(e) => RowsMsg {
                                rows: Err(format!("row loader failed: {e}")),
                                sort,
                                order: Vec::new(),
                            },
                        };
                        let _ = tx.send(msg);
                    });
                }
                Effect::Filter(m) => self.filter.send(m),
                Effect::LoadChanges => {
                    let store = self.store.clone();
                    let tx = self.changes_tx.clone();
                    let handle = tokio::task::spawn_blocking(move || changes::load(&store));
                    tokio::spawn(async move {
                        let r = handle
                            .await
                            .unwrap_or_else(|e| Err(format!("change loader failed: {e}")));
                        let _ = tx.send(ChangesMsg::Loaded(r));
                    });
                }
                Effect::LoadJournal => {
                    let store = self.store.clone();
                    let tx = self.changes_tx.clone();
                    let handle = tokio::task::spawn_blocking(move || changes::load_journal(&store));
                    tokio::spawn(async move {
                        let r = handle
                            .await
                            .unwrap_or_else(|e| Err(format!("journal loader failed: {e}")));
                        let _ = tx.send(ChangesMsg::Journal(r));
                    });
                }
                Effect::Review(op) => {
                    let store = self.store.clone();
                    let tx = self.changes_tx.clone();
                    let op2 = op.clone();
                    let handle =
                        tokio::task::spawn_blocking(move || changes::run_review(&store, op));
                    tokio::spawn(async move {
                        let done = handle.await.unwrap_or_else(|e| changes::ReviewDone {
                            results: vec![Err(format!("review action failed: {e}"))],
                            op: op2,
                        });
                        let _ = tx.send(ChangesMsg::Reviewed(done));
                    });
                }
                Effect::Setup(task) => {
                    if let Some(env) = self.setup_env.clone() {
                        tokio::spawn(setup::work::run(task, env, self.setup_tx.clone()));
                    }
                }
                Effect::Clipboard(text) => {
                    use std::io::Write;
                    let out = term.backend_mut();
                    let r = out
                        .write_all(clipboard::osc52(&text).as_bytes())
                        .and_then(|_| out.flush());
                    if let Err(e) = r {
                        app.status.error = Some(format!("copy: {e}"));
                    }
                }
                Effect::Suspend => {
                    if let Err(e) = guard.suspend() {
                        tracing::warn!(error = %e, "resume after suspend failed");
                    }
                    // Back in raw mode on the alternate screen: repaint everything, as after
                    // a resize (the size may have changed while stopped).
                    repaint(app, term);
                }
                Effect::Local(op) => {
                    let store = self.store.clone();
                    let tx = self.changes_tx.clone();
                    let handle = tokio::task::spawn_blocking(move || edits::run_local(&store, &op));
                    tokio::spawn(async move {
                        let r = handle
                            .await
                            .unwrap_or_else(|e| Err(format!("saving the edit failed: {e}")));
                        let _ = tx.send(ChangesMsg::Local(Box::new(r)));
                    });
                }
                Effect::Propose(p) => {
                    let store = self.store.clone();
                    let tx = self.changes_tx.clone();
                    let handle = tokio::task::spawn_blocking(move || {
                        crate::sync::ops::propose(&store, p).map_err(|e| e.to_string())
                    });
                    tokio::spawn(async move {
                        let r = handle
                            .await
                            .unwrap_or_else(|e| Err(format!("proposing failed: {e}")));
                        let _ = tx.send(ChangesMsg::Proposed(Box::new(r)));
                    });
                }
                Effect::ScanBusiness { business_id } => {
                    let store = self.store.clone();
                    let tx = self.changes_tx.clone();
                    let id = business_id.clone();
                    let handle = tokio::task::spawn_blocking(move || {
                        business_filter::cached_business_contacts(&store, &id)
                    });
                    tokio::spawn(async move {
                        let ids = handle
                            .await
                            .unwrap_or_else(|e| Err(format!("reading the cache failed: {e}")));
                        let _ = tx.send(ChangesMsg::Business { business_id, ids });
                    });
                }
                Effect::LoadRecent { since, rows } => {
                    let store = self.store.clone();
                    let tx = self.changes_tx.clone();
                    let handle =
                        tokio::task::spawn_blocking(move || recent::load(&store, &*rows, since));
                    tokio::spawn(async move {
                        let r = handle.await.unwrap_or_else(|e| recent::RecentLoaded {
                            since,
                            items: Err(format!("reading the recent changes failed: {e}")),
                        });
                        let _ = tx.send(ChangesMsg::Recent(Box::new(r)));
                    });
                }
                Effect::ExternalEdit(e) => {
                    // The editor owns the terminal until it exits: input is paused so no key
                    // meant for it is read here.
                    self.input.pause();
                    let r = guard.run_outside(|| external::edit(&e.initial));
                    self.input.resume();
                    repaint(app, term);
                    let r = r.unwrap_or_else(|e| Err(e.to_string()));
                    let more = app.handle_external_edit(e, r);
                    self.run_effects(app, more, guard, term);
                }
            }
        }
    }
}

/// Forgets what the terminal shows and schedules a full redraw at the current size (after a
/// resize, and after resuming from ctrl-z).
fn repaint(app: &mut App, term: &mut Term) {
    let _ = term.clear();
    let size = crossterm::terminal::size()
        .ok()
        .or_else(|| term.size().ok().map(|s| (s.width, s.height)));
    if let Some((w, h)) = size {
        let _ = term.resize(ratatui::layout::Rect::new(0, 0, w, h));
        app.resize(w, h);
    }
    app.dirty = true;
}

fn on_terminal_event(app: &mut App, ev: Event, term: &mut Term) -> Vec<Effect> {
    match ev {
        Event::Key(k) => app.handle_key(k),
        Event::Paste(text) => app.handle_paste(&text),
        Event::Resize(w, h) => {
            let _ = term.clear();
            app.resize(w, h);
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// Runs the UI until the user quits, a SIGTERM/SIGHUP arrives or the terminal fails. Owns
/// the terminal; restores it on every way out (the panic hook included).
pub async fn run(ctx: TuiContext) -> color_eyre::Result<TuiExit> {
    let TuiContext {
        store,
        jobs,
        mut events,
        location_label,
        user_keymap,
        log_path,
        locations,
        current_location,
        read_only,
        needs_sign_in,
        setup: setup_start,
    } = ctx;
    let (keymap, diags) = Keymap::load(user_keymap.as_deref());
    for d in &diags {
        tracing::warn!(problem = %d, "user keymap line ignored");
    }
    tracing::info!(log = %log_path.display(), "starting the TUI");
    use tokio::signal::unix::{signal, SignalKind};
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sighup = signal(SignalKind::hangup())?;
    // Resumed (fg after ctrl-z, or SIGCONT from elsewhere): the shell and the terminal may
    // have drawn over the screen or reset its modes after we re-entered, so repaint again
    // once the loop runs.
    let mut sigcont = signal(SignalKind::from_raw(libc::SIGCONT))?;

    let guard = terminal::TerminalGuard::enter()?;
    let mut term: Term = Terminal::new(CrosstermBackend::new(io::stdout()))?;
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
    let setup_env = setup_start.as_ref().map(|(e, _)| e.clone());
    app.setup_env = setup_env.clone();
    let mut setup_fx = Vec::new();
    if let Some((_, true)) = setup_start {
        setup_fx = app.open_setup(setup::Step::Ghl, true);
    }
    draw(&mut term, &app)?;
    app.dirty = false;

    let (filter_tx, mut filter_rx) = mpsc::unbounded_channel();
    let (rows_tx, mut rows_rx) = mpsc::unbounded_channel::<RowsMsg>();
    let (changes_tx, mut changes_rx) = mpsc::unbounded_channel::<ChangesMsg>();
    let (input_tx, mut input) = mpsc::unbounded_channel::<io::Result<Event>>();
    let (setup_tx, mut setup_rx) = mpsc::unbounded_channel::<setup::SetupDone>();
    app.external_editor = external::configured();
    let lp = Loop {
        input: input::Input::spawn(input_tx),
        jobs,
        filter: filter::spawn(filter_tx),
        rows_tx,
        changes_tx,
        store: store.clone(),
        setup_tx,
        setup_env,
    };
    // One reader of the terminal: a task forwarding crossterm's stream into a channel, so the
    // loop can drain queued input without polling the stream outside `select!`.
    let mut age_tick = tokio::time::interval(Duration::from_secs(20));
    age_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut shown_age = status::sync_text(&app);
    let mut fx = app.start();
    fx.extend(setup_fx);
    let mut result = Ok(());

    loop {
        lp.run_effects(&mut app, std::mem::take(&mut fx), &guard, &mut term);
        if app.should_quit || app.locations.switch_to.is_some() {
            break;
        }
        app.note_messages();
        if app.dirty {
            if let Err(e) = draw(&mut term, &app) {
                result = Err(e.into());
                break;
            }
            app.dirty = false;
        }
        let deadline = app.fetch_deadline().map(tokio::time::Instant::from_std);
        tokio::select! {
            ev = input.recv() => match ev {
                Some(Ok(ev)) => fx = on_terminal_event(&mut app, ev, &mut term),
                Some(Err(e)) => { result = Err(e.into()); break; }
                None => break,
            },
            Some(ev) = events.recv() => fx = app.handle_event(ev),
            Some(r) = filter_rx.recv() => { app.handle_filter_result(r); }
            Some(m) = rows_rx.recv() => fx = app.handle_rows_loaded(m.rows, m.sort, m.order),
            Some(m) = changes_rx.recv() => fx = m.apply(&mut app),
            Some(m) = setup_rx.recv() => fx = app.handle_setup_done(m),
            _ = async { tokio::time::sleep_until(deadline.unwrap_or_else(tokio::time::Instant::now)).await },
                if deadline.is_some() => fx = app.on_fetch_timer(),
            _ = age_tick.tick() => {
                let age = status::sync_text(&app);
                if age != shown_age {
                    shown_age = age;
                    app.dirty = true;
                }
            }
            _ = sigterm.recv() => { tracing::info!("SIGTERM: quitting"); break; }
            _ = sighup.recv() => { tracing::info!("SIGHUP: quitting"); break; }
            _ = sigcont.recv() => {
                tracing::info!("resumed: repainting");
                guard.reenter();
                repaint(&mut app, &mut term);
            }
        }
        // Coalesce: take everything already queued before drawing once.
        loop {
            let mut more = false;
            while let Ok(ev) = input.try_recv() {
                match ev {
                    Ok(ev) => fx.extend(on_terminal_event(&mut app, ev, &mut term)),
                    Err(e) => tracing::warn!(error = %e, "terminal input error"),
                }
                more = true;
            }
            while let Ok(ev) = events.try_recv() {
                fx.extend(app.handle_event(ev));
                more = true;
            }
            while let Ok(r) = filter_rx.try_recv() {
                app.handle_filter_result(r);
                more = true;
            }
            while let Ok(m) = rows_rx.try_recv() {
                fx.extend(app.handle_rows_loaded(m.rows, m.sort, m.order));
                more = true;
            }
            while let Ok(m) = changes_rx.try_recv() {
                fx.extend(m.apply(&mut app));
                more = true;
            }
            while let Ok(m) = setup_rx.try_recv() {
                fx.extend(app.handle_setup_done(m));
                more = true;
            }
            if !more || app.should_quit || app.locations.switch_to.is_some() {
                break;
            }
        }
    }
    lp.input.stop();
    drop(term);
    drop(guard);
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
