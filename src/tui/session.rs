//! The event loop of one TUI session, shared by the TUI on this process's terminal
//! ([`super::run`]) and the sessions the owner of a cache hosts for attached TUIs
//! ([`super::hosted`]).
//!
//! A session is an [`App`] plus where it draws and reads ([`Surface`]): input comes from a
//! channel of terminal events (the terminal input thread, or the frames of an attached
//! client), drawing goes to any writer (stdout, or the owner socket), and only the local
//! surface can suspend (ctrl-z), hand the terminal to `$EDITOR` and hear SIGTERM/SIGHUP/
//! SIGCONT. Review actions that change the changes list are told to the other sessions of the
//! cache ([`Peers`]), so a change approved in one TUI shows as approved in the other.

use std::io;
use std::time::Duration;

use crossterm::event::Event;
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::Terminal;
use tokio::sync::mpsc;

use super::app::{self, App, Effect};
use super::{
    business_filter, changes, clipboard, edits, external, filter, input, recent, render, setup,
    status, terminal, ChangesMsg, RowsMsg,
};
use crate::store::Store;
use crate::sync::{Job, SyncEvent};

/// The terminal a session draws on: stdout, or the socket of an attached client.
pub type Term = Terminal<CrosstermBackend<Box<dyn io::Write + Send>>>;

/// Tells the other sessions of the cache about a change made in this one.
pub type Peers = std::sync::Arc<dyn Fn(SyncEvent) + Send + Sync>;

/// Where a session draws and reads.
pub enum Surface {
    /// This process's terminal: raw mode behind the guard, read by the input thread.
    Local {
        guard: terminal::TerminalGuard,
        input: input::Input,
    },
    /// A client's terminal over the owner socket, of this size (columns, rows); its events
    /// arrive as frames. It cannot be suspended nor lent to `$EDITOR` from here.
    Hosted { size: (u16, u16) },
}

/// What ctrl-z says in a hosted session.
pub const HOSTED_NO_SUSPEND: &str =
    "ctrl-z does not suspend a TUI attached to another bmby-ghl: quit with q (the other one goes on)";

/// What an external edit says in a hosted session (the one-line editor is used there).
pub const HOSTED_NO_EDITOR: &str =
    "$EDITOR cannot run in a TUI attached to another bmby-ghl (it would open on that one's terminal)";

/// What a session is made of besides its [`App`] and terminal.
pub struct Parts {
    pub store: Store,
    pub jobs: Option<mpsc::Sender<Job>>,
    pub events: mpsc::UnboundedReceiver<SyncEvent>,
    pub input: mpsc::UnboundedReceiver<io::Result<Event>>,
    pub surface: Surface,
    pub setup_env: Option<setup::SetupEnv>,
    pub peers: Option<Peers>,
}

pub(super) fn draw(terminal: &mut Term, app: &App) -> io::Result<()> {
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
    surface: Surface,
    jobs: Option<mpsc::Sender<Job>>,
    filter: filter::FilterHandle,
    rows_tx: mpsc::UnboundedSender<RowsMsg>,
    changes_tx: mpsc::UnboundedSender<ChangesMsg>,
    store: Store,
    setup_tx: mpsc::UnboundedSender<setup::SetupDone>,
    setup_env: Option<setup::SetupEnv>,
    peers: Option<Peers>,
}

impl Loop {
    fn run_effects(&mut self, app: &mut App, fx: Vec<Effect>, term: &mut Term) {
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
                    // Hosted: the bytes go to the client's terminal like any output.
                    use std::io::Write;
                    let out = term.backend_mut();
                    let r = out
                        .write_all(clipboard::osc52(&text).as_bytes())
                        .and_then(|_| out.flush());
                    if let Err(e) = r {
                        app.status.error = Some(format!("copy: {e}"));
                    }
                }
                Effect::Suspend => match (&self.surface, super::hosted::suspend_refusal()) {
                    (Surface::Local { .. }, Some(why)) => {
                        app.status.info = Some(why);
                        app.dirty = true;
                    }
                    (Surface::Local { guard, .. }, None) => {
                        if let Err(e) = guard.suspend() {
                            tracing::warn!(error = %e, "resume after suspend failed");
                        }
                        // Back in raw mode on the alternate screen: repaint everything, as
                        // after a resize (the size may have changed while stopped).
                        repaint(app, term, &self.surface);
                    }
                    (Surface::Hosted { .. }, _) => {
                        app.status.info = Some(HOSTED_NO_SUSPEND.into());
                        app.dirty = true;
                    }
                },
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
                    let r = match &self.surface {
                        Surface::Local { guard, input } => {
                            // The editor owns the terminal until it exits: input is paused so
                            // no key meant for it is read here.
                            input.pause();
                            let r = guard.run_outside(|| external::edit(&e.initial));
                            input.resume();
                            repaint(app, term, &self.surface);
                            r.unwrap_or_else(|e| Err(e.to_string()))
                        }
                        Surface::Hosted { .. } => Err(HOSTED_NO_EDITOR.to_owned()),
                    };
                    let more = app.handle_external_edit(e, r);
                    self.run_effects(app, more, term);
                }
            }
        }
    }

    /// A terminal event: keys and pastes to the app; a resize resizes (a hosted terminal is
    /// told its new size by this very event).
    fn on_terminal_event(&mut self, app: &mut App, ev: Event, term: &mut Term) -> Vec<Effect> {
        match ev {
            Event::Key(k) => app.handle_key(k),
            Event::Paste(text) => app.handle_paste(&text),
            Event::Resize(w, h) => {
                match &mut self.surface {
                    Surface::Local { .. } => {
                        let _ = term.clear();
                    }
                    Surface::Hosted { size } => {
                        *size = (w, h);
                        let _ = term.resize(Rect::new(0, 0, w, h));
                    }
                }
                app.resize(w, h);
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    /// A changes message; those that changed the changes list are told to the other sessions.
    fn on_changes(&self, app: &mut App, m: ChangesMsg) -> Vec<Effect> {
        if let (Some(peers), Some(what)) = (&self.peers, peer_note(&m)) {
            peers(SyncEvent::PeerChanged { what });
        }
        m.apply(app)
    }
}

/// What a changes message did that other sessions should hear about (`approved #3 Dana`), or
/// `None` (a read, or nothing succeeded).
fn peer_note(m: &ChangesMsg) -> Option<String> {
    let name = |c: &crate::domain::Change| format!("#{} {}", c.id, c.display_name);
    match m {
        ChangesMsg::Reviewed(d) => {
            let ok: Vec<&crate::domain::Change> =
                d.results.iter().filter_map(|r| r.as_ref().ok()).collect();
            let first = ok.first()?;
            let verb = match &d.op {
                changes::ReviewOp::Approve(_) | changes::ReviewOp::ApproveMany(_) => "approved",
                changes::ReviewOp::Reject(_) => "rejected",
                changes::ReviewOp::Reset(_) => "put back to pending",
                changes::ReviewOp::Edit { .. } => "edited",
                changes::ReviewOp::Resolve { .. } => "resolved",
                changes::ReviewOp::Revert(_) => "proposed a revert:",
            };
            Some(if ok.len() == 1 {
                format!("{verb} {}", name(first))
            } else {
                format!("{verb} {} changes", ok.len())
            })
        }
        ChangesMsg::Local(r) => r
            .as_ref()
            .as_ref()
            .ok()
            .map(|c| format!("edited {}", name(c))),
        ChangesMsg::Proposed(r) => r
            .as_ref()
            .as_ref()
            .ok()
            .map(|c| format!("proposed {}", name(c))),
        _ => None,
    }
}

/// Forgets what the terminal shows and schedules a full redraw at the current size (after a
/// resize, and after resuming from ctrl-z).
fn repaint(app: &mut App, term: &mut Term, surface: &Surface) {
    let size = match surface {
        Surface::Local { .. } => {
            let _ = term.clear();
            crossterm::terminal::size()
                .ok()
                .or_else(|| term.size().ok().map(|s| (s.width, s.height)))
        }
        // Never ask the backend: it would query this process's terminal, not the client's.
        Surface::Hosted { size } => Some(*size),
    };
    if let Some((w, h)) = size {
        let _ = term.resize(Rect::new(0, 0, w, h));
        app.resize(w, h);
    }
    app.dirty = true;
}

/// Waits for a signal when there is one to wait for (local sessions), forever otherwise.
async fn recv_signal(s: &mut Option<tokio::signal::unix::Signal>) {
    match s {
        Some(s) => {
            s.recv().await;
        }
        None => std::future::pending().await,
    }
}

/// Runs `app` on `term` until the person quits (or switches location), the input ends (a
/// hosted client went away), a SIGTERM/SIGHUP arrives (local sessions) or the terminal fails.
/// `start_fx` are carried out first (with [`App::start`]'s). Returns the app (its
/// `locations.switch_to` tells a switch) and how the loop ended; the input thread of a local
/// surface is stopped, its guard handed back so the caller restores the terminal when it
/// wants.
pub async fn run(
    mut app: App,
    mut term: Term,
    parts: Parts,
    start_fx: Vec<Effect>,
) -> color_eyre::Result<(App, Term, Surface, color_eyre::Result<()>)> {
    use tokio::signal::unix::{signal, SignalKind};
    let Parts {
        store,
        jobs,
        mut events,
        mut input,
        surface,
        setup_env,
        peers,
    } = parts;
    let local = matches!(surface, Surface::Local { .. });
    let (mut sigterm, mut sighup, mut sigcont) = if local {
        // Resumed (fg after ctrl-z, or SIGCONT from elsewhere): the shell and the terminal may
        // have drawn over the screen or reset its modes after we re-entered, so repaint again
        // once the loop runs.
        (
            Some(signal(SignalKind::terminate())?),
            Some(signal(SignalKind::hangup())?),
            Some(signal(SignalKind::from_raw(libc::SIGCONT))?),
        )
    } else {
        (None, None, None)
    };
    draw(&mut term, &app)?;
    let mem = crate::memory::resident();
    tracing::info!(
        rss_mb = mem.now_mib(),
        peak_mb = mem.peak_mib(),
        "first frame drawn"
    );
    app.dirty = false;

    let (filter_tx, mut filter_rx) = mpsc::unbounded_channel();
    let (rows_tx, mut rows_rx) = mpsc::unbounded_channel::<RowsMsg>();
    let (changes_tx, mut changes_rx) = mpsc::unbounded_channel::<ChangesMsg>();
    let (setup_tx, mut setup_rx) = mpsc::unbounded_channel::<setup::SetupDone>();
    let mut lp = Loop {
        surface,
        jobs,
        filter: filter::spawn(filter_tx),
        rows_tx,
        changes_tx,
        store,
        setup_tx,
        setup_env,
        peers,
    };
    let mut age_tick = tokio::time::interval(Duration::from_secs(20));
    age_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut shown_age = status::sync_text(&app);
    let mut fx = app.start();
    fx.extend(start_fx);
    let mut result = Ok(());

    loop {
        lp.run_effects(&mut app, std::mem::take(&mut fx), &mut term);
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
                Some(Ok(ev)) => fx = lp.on_terminal_event(&mut app, ev, &mut term),
                Some(Err(e)) => { result = Err(e.into()); break; }
                None => break,
            },
            Some(ev) = events.recv() => fx = app.handle_event(ev),
            Some(r) = filter_rx.recv() => { app.handle_filter_result(r); }
            Some(m) = rows_rx.recv() => fx = app.handle_rows_loaded(m.rows, m.sort, m.order),
            Some(m) = changes_rx.recv() => fx = lp.on_changes(&mut app, m),
            Some(m) = setup_rx.recv() => fx = app.handle_setup_done(m),
            _ = async { tokio::time::sleep_until(deadline.unwrap_or_else(tokio::time::Instant::now)).await },
                if deadline.is_some() => fx = app.on_fetch_timer(),
            _ = age_tick.tick() => {
                app.expire_messages();
                let age = status::sync_text(&app);
                if age != shown_age {
                    shown_age = age;
                    app.dirty = true;
                }
            }
            _ = recv_signal(&mut sigterm) => { tracing::info!("SIGTERM: quitting"); break; }
            _ = recv_signal(&mut sighup) => { tracing::info!("SIGHUP: quitting"); break; }
            _ = recv_signal(&mut sigcont) => {
                tracing::info!("resumed: repainting");
                if let Surface::Local { guard, .. } = &lp.surface {
                    guard.reenter();
                }
                repaint(&mut app, &mut term, &lp.surface);
            }
        }
        // Coalesce: take everything already queued before drawing once.
        loop {
            let mut more = false;
            while let Ok(ev) = input.try_recv() {
                match ev {
                    Ok(ev) => fx.extend(lp.on_terminal_event(&mut app, ev, &mut term)),
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
                fx.extend(lp.on_changes(&mut app, m));
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
    if let Surface::Local { input, .. } = &lp.surface {
        input.stop();
    }
    Ok((app, term, lp.surface, result))
}
