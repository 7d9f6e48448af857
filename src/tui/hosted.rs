//! A TUI session the owner of a cache runs for an attached TUI (another `bmby-ghl` process on
//! the same location, `crate::owner::host`): a second [`App`] on the owner's open store and
//! worker, drawn into a terminal of the client's size whose bytes go to the client, fed by the
//! client's terminal events. The loop is the local TUI's ([`super::session::run`]).
//!
//! Differences from the local TUI, all OUR CHOICE: `$EDITOR` is not run (it would open on the
//! owner's terminal: the one-line editor is used), ctrl-z says it does not suspend, location
//! switching (`L`) offers no other location, and `:setup` is not available (it writes the
//! owner's configuration).

use std::io;
use std::path::PathBuf;

use crossterm::event::Event;
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use tokio::sync::mpsc;

use super::session::{self, Peers, Surface};
use super::{App, AppOptions, Clock, Keymap, Theme};
use crate::store::Store;
use crate::sync::{Job, SyncEvent};

/// What a hosted session needs.
pub struct HostedSession {
    /// The owner's open store.
    pub store: Store,
    /// The owner's worker (writes go through its one outbox); `None`: offline.
    pub jobs: Option<mpsc::Sender<Job>>,
    /// The location's events, fanned out to this session.
    pub events: mpsc::UnboundedReceiver<SyncEvent>,
    /// The client's terminal events; closed when the client went away (or the owner stops).
    pub input: mpsc::UnboundedReceiver<io::Result<Event>>,
    /// Where the drawing goes (the client's terminal).
    pub out: Box<dyn io::Write + Send>,
    /// The client terminal's size (columns, rows).
    pub size: (u16, u16),
    /// The client asked for no colour (`NO_COLOR`).
    pub no_color: bool,
    /// The client's keymap file.
    pub user_keymap: Option<PathBuf>,
    /// e.g. "Demo Realty (bmbyDemoLoc7Qx2Lm9Za)".
    pub location_label: String,
    /// Why the location may not write, if so.
    pub read_only: Option<String>,
    /// The other sessions of the cache, told about review actions taken here.
    pub peers: Option<Peers>,
}

/// Runs the session until the person quits (`Ok(true)`) or the client goes away (`Ok(false)`).
/// Errors: writing to the client failed mid-draw (it went away).
pub async fn run(s: HostedSession) -> color_eyre::Result<bool> {
    let _running = Running::start();
    let (keymap, diags) = Keymap::load(s.user_keymap.as_deref());
    let (w, h) = (s.size.0.max(1), s.size.1.max(1));
    let mut term: session::Term = Terminal::with_options(
        CrosstermBackend::new(s.out),
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, w, h)),
        },
    )?;
    // The client's screen may hold its early frame (issue 14) or a shell: ratatui draws only
    // the cells that differ from what it believes is there (nothing), so clear it first.
    // (Written directly: `Terminal::clear` of a fixed viewport asks the terminal for the
    // cursor, which is the owner's, not the client's.)
    crossterm::execute!(
        term.backend_mut(),
        crossterm::terminal::Clear(crossterm::terminal::ClearType::All)
    )?;
    let opts = AppOptions {
        location_label: s.location_label,
        theme: if s.no_color {
            Theme::no_color()
        } else {
            Theme::colored()
        },
        keymap,
        keymap_diagnostics: diags,
        online: s.jobs.is_some(),
        clock: Clock::System,
        size: (w, h),
    };
    let mut app = App::new(s.store.clone(), opts);
    app.read_only = s.read_only;
    app.external_editor = false;
    app.hosted = true;
    let parts = session::Parts {
        store: s.store,
        jobs: s.jobs,
        events: s.events,
        input: s.input,
        surface: Surface::Hosted { size: (w, h) },
        setup_env: None,
        peers: s.peers,
    };
    let (app, _term, _surface, result) = session::run(app, term, parts, Vec::new()).await?;
    result?;
    Ok(app.should_quit || app.locations.switch_to.is_some())
}

/// Hosted sessions running in this process now (the owner's own TUI refuses ctrl-z while
/// there are any: a stopped process would freeze them and every CLI command sent to it).
static RUNNING: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Counts one hosted session while it lives.
struct Running;

impl Running {
    fn start() -> Running {
        RUNNING.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Running
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        RUNNING.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Why the owner's own TUI does not suspend now, if it must not: `n` TUIs attached here
/// would freeze while it is stopped (found by a newcomer: their keys, even `q`, and CLI
/// commands waited until `fg`).
pub(super) fn suspend_refusal() -> Option<String> {
    refusal_for(RUNNING.load(std::sync::atomic::Ordering::SeqCst))
}

fn refusal_for(n: usize) -> Option<String> {
    (n > 0).then(|| {
        format!(
            "ctrl-z would freeze the {n} TUI{} attached to this one: not suspending (quit them, or quit here with q)",
            if n == 1 { "" } else { "s" }
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suspending_is_refused_while_a_session_is_hosted() {
        assert_eq!(refusal_for(0), None);
        assert!(refusal_for(1).unwrap().contains("the 1 TUI attached"));
        assert!(refusal_for(2).unwrap().contains("2 TUIs"));
        let before = RUNNING.load(std::sync::atomic::Ordering::SeqCst);
        {
            let _r = Running::start();
            assert_eq!(
                RUNNING.load(std::sync::atomic::Ordering::SeqCst),
                before + 1
            );
        }
        assert_eq!(RUNNING.load(std::sync::atomic::Ordering::SeqCst), before);
    }
}
