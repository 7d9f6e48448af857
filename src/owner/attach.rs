//! The attaching side: a TUI started on a cache another process owns becomes a client of it.
//! This process keeps its terminal (raw mode, the alternate screen, [`TerminalGuard`]), sends
//! the owner its size, `NO_COLOR`/`TERM`/`COLORTERM` and every terminal event, and copies what
//! the owner's session for it draws to its stdout ([`super::host`] runs that session).
//!
//! When the owner goes away mid-session (it exited, or was killed), the terminal is restored
//! and the caller ([`super::open_for_tui`]) opens the cache itself: this process becomes the
//! owner and runs its own TUI. OUR CHOICE: that happens in-process rather than by re-executing
//! the binary — the same command line and environment are still in effect (nothing of the
//! session lived here), and there is no `exec` that could fail half-way with the terminal in
//! raw mode.

use std::io::{self, Write as _};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use super::protocol::{self, kind, AttachRequest, ClientInput, NotHosting};
use crate::tui::terminal::TerminalGuard;

/// How an attached session ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attached {
    /// The person quit this TUI; the owner goes on.
    Quit,
    /// The owner (this pid, in this role: `tui`, `demo`, `serve`) went away mid-session; the
    /// terminal is restored.
    OwnerGone { pid: u32, role: String },
    /// The owner hosts no TUI (a CLI command holds the cache for a moment): wait for it.
    NotHosting(NotHosting),
    /// SIGTERM or SIGHUP arrived: the terminal is restored and this process should exit (the
    /// owner ends the session when the socket closes).
    Signalled,
}

/// Set by the SIGTERM/SIGHUP handler installed while attached.
static SIGNALLED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    SIGNALLED.store(true, Ordering::SeqCst);
}

/// While alive, SIGTERM and SIGHUP set [`SIGNALLED`] instead of killing the process with the
/// terminal in raw mode; the default actions come back when dropped.
struct SignalsCaught;

impl SignalsCaught {
    fn install() -> SignalsCaught {
        SIGNALLED.store(false, Ordering::SeqCst);
        let handler = on_signal as extern "C" fn(libc::c_int);
        // SAFETY: the handler only stores to an atomic (async-signal-safe).
        unsafe {
            libc::signal(libc::SIGTERM, handler as libc::sighandler_t);
            libc::signal(libc::SIGHUP, handler as libc::sighandler_t);
        }
        SignalsCaught
    }
}

impl Drop for SignalsCaught {
    fn drop(&mut self) {
        // SAFETY: restoring the default dispositions.
        unsafe {
            libc::signal(libc::SIGTERM, libc::SIG_DFL);
            libc::signal(libc::SIGHUP, libc::SIG_DFL);
        }
    }
}

/// Stops the input thread when dropped.
struct StopOnDrop(Arc<AtomicBool>, Option<std::thread::JoinHandle<()>>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
        if let Some(h) = self.1.take() {
            let _ = h.join();
        }
    }
}

/// Attaches this process's terminal to the owner on `conn` until the person quits here or
/// the owner goes away. `Ok(None)`: the owner closed before the session started (it is
/// stopping); the caller tries again.
///
/// Errors: [`super::OwnerError::ProtocolMismatch`] (an older or newer owner: nothing
/// attached), this terminal (its size, raw mode, writing to it).
pub fn attach(
    mut conn: UnixStream,
    location: &str,
    user_keymap: Option<PathBuf>,
) -> color_eyre::Result<Option<Attached>> {
    let Some(theirs) = super::client::hello(&mut conn, location)? else {
        return Ok(None);
    };
    if !std::io::IsTerminal::is_terminal(&io::stdout()) {
        return Err(super::OwnerError::AttachNeedsTerminal {
            location: location.to_owned(),
            pid: theirs.pid,
            role: theirs.role,
        }
        .into());
    }
    let (width, height) = crossterm::terminal::size()?;
    let req = AttachRequest {
        width,
        height,
        env: AttachRequest::ENV
            .iter()
            .filter_map(|k| std::env::var(k).ok().map(|v| ((*k).to_owned(), v)))
            .collect(),
        user_keymap,
    };
    if protocol::write_json(&mut conn, kind::ATTACH, &req).is_err() {
        return Ok(None);
    }
    // The first answer before the terminal is taken: an owner that hosts no TUI says so.
    let first = match protocol::read_frame(&mut conn) {
        Ok(Some((kind::NOT_HOSTING, b))) => {
            return Ok(Some(Attached::NotHosting(protocol::parse(
                &b,
                "not hosting",
            )?)))
        }
        Ok(Some(f)) => f,
        Ok(None) | Err(_) => return Ok(None),
    };
    tracing::info!(owner_pid = theirs.pid, role = %theirs.role, "attached to the owner of the cache");
    let signals = SignalsCaught::install();
    let guard = TerminalGuard::enter()?;
    let stop = Arc::new(AtomicBool::new(false));
    let input = {
        let stop = stop.clone();
        let mut w = conn.try_clone()?;
        std::thread::Builder::new()
            .name("bmby-ghl-attach-input".into())
            .spawn(move || forward_input(&mut w, &stop))?
    };
    let _input = StopOnDrop(stop, Some(input));
    let mut out = io::stdout().lock();
    let mut next = Some(first);
    let outcome = loop {
        let frame = match next.take() {
            Some(f) => Ok(Some(f)),
            None => protocol::read_frame(&mut conn),
        };
        match frame {
            Ok(Some((kind::STDOUT, b))) => {
                out.write_all(&b)?;
                out.flush()?;
            }
            Ok(Some((kind::EXIT, _))) => break Attached::Quit,
            Ok(Some(_)) => {}
            Ok(None) | Err(_) if SIGNALLED.load(Ordering::SeqCst) => break Attached::Signalled,
            Ok(None) | Err(_) => {
                break Attached::OwnerGone {
                    pid: theirs.pid,
                    role: theirs.role.clone(),
                }
            }
        }
    };
    drop(out);
    drop(_input);
    drop(guard);
    drop(signals);
    tracing::info!(outcome = ?outcome, "detached from the owner of the cache");
    Ok(Some(outcome))
}

/// Reads this terminal's events and sends each as an `I` frame until `stop` or the socket
/// fails. A SIGTERM/SIGHUP closes the socket, which ends the session on both sides.
fn forward_input(w: &mut UnixStream, stop: &AtomicBool) {
    while !stop.load(Ordering::SeqCst) {
        if SIGNALLED.load(Ordering::SeqCst) {
            let _ = w.shutdown(std::net::Shutdown::Both);
            return;
        }
        match crossterm::event::poll(Duration::from_millis(50)) {
            Ok(false) => {}
            Ok(true) => {
                let Ok(event) = crossterm::event::read() else {
                    return;
                };
                if protocol::write_json(w, kind::INPUT, &ClientInput { event }).is_err() {
                    return;
                }
            }
            Err(_) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::owner::protocol::Hello;
    use crate::owner::OwnerError;

    /// An owner of another protocol (an older binary) answering one hello.
    fn older_owner(mut s: UnixStream, protocol: u32) -> std::thread::JoinHandle<Vec<u8>> {
        std::thread::spawn(move || {
            let (k, _) = protocol::read_frame(&mut s).unwrap().unwrap();
            assert_eq!(k, kind::HELLO);
            let theirs = Hello {
                protocol,
                version: "0.0.9".into(),
                pid: 4242,
                role: "tui".into(),
            };
            protocol::write_json(&mut s, kind::HELLO, &theirs).unwrap();
            // Whatever the client sends after the hellos (it should send nothing).
            let mut rest = Vec::new();
            let _ = io::Read::read_to_end(&mut s, &mut rest);
            rest
        })
    }

    #[test]
    fn attaching_to_an_owner_of_another_protocol_names_both_versions_and_attaches_nothing() {
        let (ours, theirs) = UnixStream::pair().unwrap();
        let owner = older_owner(theirs, 1);
        let err = attach(ours, "LOC1", None).unwrap_err();
        let e = err.downcast_ref::<OwnerError>().expect("an owner error");
        assert!(
            matches!(e, OwnerError::ProtocolMismatch { their_protocol: 1, our_protocol, pid: 4242, .. } if *our_protocol == protocol::PROTOCOL),
            "{e:?}"
        );
        let text = e.to_string();
        assert!(
            text.contains("cache of LOC1 (pid 4242, tui) is version 0.0.9 (owner protocol 1)")
                && text.contains(&format!("(owner protocol {})", protocol::PROTOCOL))
                && text.contains("run the same bmby-ghl version"),
            "{text}"
        );
        assert!(
            owner.join().unwrap().is_empty(),
            "no attach request was sent"
        );
    }

    #[test]
    fn an_owner_closing_before_its_hello_is_no_error_the_caller_retries() {
        let (ours, theirs) = UnixStream::pair().unwrap();
        drop(theirs);
        assert_eq!(attach(ours, "LOC1", None).unwrap(), None);
    }
}
