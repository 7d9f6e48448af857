//! The owner hosts attached TUIs: a second `bmby-ghl` TUI on a cache this process owns sends
//! `A` ([`AttachRequest`]) instead of a command, and gets a TUI session of its own run here
//! ([`crate::tui::hosted`]) on the owner's open store, with the owner's worker (so writes go
//! through the one outbox) and the location's events ([`Hub`]). The session draws into the
//! socket (`O` frames the client copies to its terminal) and reads the client's terminal
//! events (`I` frames).
//!
//! Why the owner runs the client's `App` rather than the client opening the cache: sled lets
//! one process open a database, so the process that holds it has to do every read and write;
//! sending drawn bytes (a few KiB per change of screen) is far smaller than a remote store API.

use std::io::{self, Write};
use std::os::fd::AsRawFd as _;
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;

use super::hub::Hub;
use super::protocol::{self, kind, AttachRequest, ClientInput, Exit, NotHosting};
use crate::store::Store;
use crate::sync::Job;

/// What an owner lends to the TUI sessions it hosts ([`super::OwnerHandle::set_host`]).
#[derive(Clone)]
pub struct HostConfig {
    /// The owner's worker: jobs (pulls, details, dispatch) of hosted sessions go there.
    /// `None`: offline (the sessions show the cache only).
    pub jobs: Option<mpsc::Sender<Job>>,
    /// The location's events; hosted sessions subscribe.
    pub hub: Hub,
    /// The location as the owner's TUI names it.
    pub location_label: String,
    /// Why the location may not write, if so.
    pub read_only: Option<String>,
}

/// Sends everything written, on flush, as one `O` frame (the terminal backend flushes after
/// each draw, so one screen update is one frame). Once the client is gone, output is dropped
/// without an error: the session ends when its input ends, and nothing may be printed on the
/// owner's terminal about it (ratatui reports a failed cursor restore on stderr).
struct FrameOut {
    socket: UnixStream,
    buf: Vec<u8>,
    gone: bool,
}

impl Write for FrameOut {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(b);
        if self.buf.len() > 1024 * 1024 {
            self.flush()?;
        }
        Ok(b.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        if !self.gone && protocol::write_frame(&mut self.socket, kind::STDOUT, &self.buf).is_err() {
            self.gone = true;
            // Wake the input reader too (a client that went away closes both ways anyway).
            let _ = self.socket.shutdown(std::net::Shutdown::Both);
        }
        self.buf.clear();
        Ok(())
    }
}

/// Serves one attached TUI on `conn` (its `A` frame's body in `body`) until the person quits
/// there (`X` is sent), the client goes away, or the owner stops (the socket is shut down
/// from [`super::OwnerHandle`]'s drop: `sessions` holds a clone). Without `host` (a CLI
/// command owns the cache) the client is told `N` and waits for the cache.
pub(super) fn serve_attach(
    mut conn: UnixStream,
    body: &[u8],
    store: &Store,
    host: Option<HostConfig>,
    role: &str,
    sessions: &Mutex<Vec<UnixStream>>,
) -> io::Result<()> {
    let req: AttachRequest = protocol::parse(body, "attach request")?;
    let Some(host) = host else {
        let reason = format!(
            "bmby-ghl (pid {}, {role}) holds the cache for a command",
            std::process::id()
        );
        protocol::write_json(&mut conn, kind::NOT_HOSTING, &NotHosting { reason })?;
        return Ok(());
    };
    conn.set_read_timeout(None)?;
    let listed = conn.try_clone()?;
    let listed_fd = listed.as_raw_fd();
    sessions
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(listed);
    tracing::info!(
        width = req.width,
        height = req.height,
        "owner: a TUI attached"
    );
    let (input_tx, input_rx) = mpsc::unbounded_channel();
    let mut reader = conn.try_clone()?;
    std::thread::Builder::new()
        .name("bmby-ghl-owner-input".into())
        .spawn(move || loop {
            match protocol::read_frame(&mut reader) {
                Ok(Some((kind::INPUT, b))) => {
                    match protocol::parse::<ClientInput>(&b, "terminal input") {
                        Ok(i) => {
                            if input_tx.send(Ok(i.event)).is_err() {
                                return;
                            }
                        }
                        Err(e) => tracing::warn!(error = %e, "owner: attached TUI input skipped"),
                    }
                }
                Ok(Some(_)) => {}
                // The client went away (or the owner shut the socket down): the session ends.
                Ok(None) | Err(_) => return,
            }
        })?;
    let (id, events) = host.hub.subscribe();
    let hub = host.hub.clone();
    let session = crate::tui::hosted::HostedSession {
        store: store.clone(),
        jobs: host.jobs.clone(),
        events,
        input: input_rx,
        out: Box::new(FrameOut {
            socket: conn.try_clone()?,
            buf: Vec::new(),
            gone: false,
        }),
        size: (req.width, req.height),
        no_color: req.no_color(),
        user_keymap: req.user_keymap.clone(),
        location_label: host.location_label.clone(),
        read_only: host.read_only.clone(),
        peers: Some(Arc::new(move |ev| hub.send_except(id, ev))),
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .thread_name(crate::tui::terminal::HOSTED_THREAD)
        .build()?;
    // A panic of the session must not restore the owner's terminal (the panic hook leaves it
    // alone on a thread that runs for another process).
    let sink = crate::commands::out::Sink {
        stdout: Arc::new(Mutex::new(Box::new(io::sink()))),
        stderr: Arc::new(Mutex::new(Box::new(io::sink()))),
        stderr_tty: false,
        signals: None,
        cwd: None,
    };
    let quit = crate::commands::out::with_sink(sink, || {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            rt.block_on(crate::tui::hosted::run(session))
        }))
    });
    rt.shutdown_timeout(Duration::from_millis(500));
    host.hub.unsubscribe(id);
    sessions
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .retain(|c| c.as_raw_fd() != listed_fd);
    let quit = match quit {
        Ok(Ok(q)) => q,
        Ok(Err(e)) => {
            tracing::info!(error = %e, "owner: an attached TUI's session ended");
            false
        }
        Err(_) => {
            tracing::error!("owner: an attached TUI's session panicked");
            false
        }
    };
    tracing::info!(quit, "owner: an attached TUI left");
    if quit {
        let _ = protocol::write_json(&mut conn, kind::EXIT, &Exit { code: 0 });
    }
    let _ = conn.shutdown(std::net::Shutdown::Both);
    Ok(())
}
