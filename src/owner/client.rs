//! The client's side: a command sent to the owner of the cache, its output and exit code
//! passed through as if it had run here.

use std::os::unix::net::UnixStream;
use std::sync::{Arc, Mutex};

use super::protocol::{self, kind, Hello, RunRequest, PROTOCOL};
use super::OwnerError;
use crate::cli::Command;
use crate::config::Paths;

/// Sends `command` (this process's command line) to the owner on `conn` and relays its stdout,
/// stderr and exit code. During `apply` (and `op`, which sends like `apply`) this process's
/// Ctrl-C and SIGTERM are passed on, so the run stops after the change in flight as it would
/// here.
///
/// `Ok(None)`: the owner closed before it answered the hello (it is stopping); nothing ran,
/// and the caller tries again (it may become the owner itself).
///
/// Errors: [`OwnerError::ProtocolMismatch`] (nothing was run), [`OwnerError::OwnerGone`], the
/// socket; this process's stdout closed (`| head`) ends the relay with that `BrokenPipe`.
pub fn forward(
    mut conn: UnixStream,
    command: &Command,
    paths: &Paths,
    location: &str,
    rt: &tokio::runtime::Runtime,
) -> color_eyre::Result<Option<i32>> {
    let Some(theirs) = hello(&mut conn, location)? else {
        return Ok(None);
    };
    let gone = |pid| OwnerError::OwnerGone {
        location: location.to_owned(),
        pid,
    };
    let req = RunRequest {
        argv: std::env::args_os()
            .map(|a| a.to_string_lossy().into_owned())
            .collect(),
        cwd: std::env::current_dir()?,
        env: std::env::vars()
            .filter(|(k, _)| k.starts_with("GHL_") || k.starts_with("BMBY_"))
            .collect(),
        config_file: std::path::absolute(&paths.config_file)?,
        config_dir: std::path::absolute(&paths.config_dir)?,
        stderr_tty: std::io::IsTerminal::is_terminal(&std::io::stderr()),
    };
    protocol::write_json(&mut conn, kind::RUN, &req)?;
    tracing::info!(owner_pid = theirs.pid, role = %theirs.role, "the command runs in the owner of the cache");
    let _signals = if matches!(command, Command::Apply { .. } | Command::Op { .. }) {
        Some(pass_signals(conn.try_clone()?, rt)?)
    } else {
        None
    };
    // The frames in the order the command wrote them (stdout flushed before stderr).
    let mut stdout = std::io::stdout().lock();
    let mut stderr = std::io::stderr();
    match super::stream::relay(&mut conn, &mut stdout, &mut stderr)? {
        super::stream::Relayed::Exit(code) => Ok(Some(code)),
        super::stream::Relayed::Gone => Err(gone(theirs.pid).into()),
    }
}

/// The hellos on a fresh connection: the owner's [`Hello`], or `Ok(None)` when the owner
/// closed before answering (it is stopping: nothing ran, try again).
///
/// Errors: [`OwnerError::ProtocolMismatch`] (an older or newer owner),
/// [`OwnerError::NotAnswering`] (an owner stopped with ctrl-z, or one that does not answer
/// within [`super::silent::GIVE_UP`]), an unreadable hello.
pub(super) fn hello(conn: &mut UnixStream, location: &str) -> color_eyre::Result<Option<Hello>> {
    if protocol::write_json(conn, kind::HELLO, &Hello::ours("client")).is_err() {
        return Ok(None);
    }
    let Some((kind::HELLO, body)) = super::silent::read_hello(conn, location)? else {
        return Ok(None);
    };
    let theirs: Hello = protocol::parse(&body, "hello")?;
    if theirs.protocol != PROTOCOL {
        return Err(OwnerError::ProtocolMismatch {
            location: location.to_owned(),
            pid: theirs.pid,
            role: if theirs.role.is_empty() {
                "unknown role".to_owned()
            } else {
                theirs.role
            },
            their_version: theirs.version,
            their_protocol: theirs.protocol,
            our_version: env!("CARGO_PKG_VERSION").to_owned(),
            our_protocol: PROTOCOL,
        }
        .into());
    }
    Ok(Some(theirs))
}

/// Passes this process's Ctrl-C (1) and SIGTERM (2) to the owner until dropped.
fn pass_signals(conn: UnixStream, rt: &tokio::runtime::Runtime) -> color_eyre::Result<AbortOnDrop> {
    use tokio::signal::unix::{signal, SignalKind};
    let _rt = rt.enter();
    let mut int = signal(SignalKind::interrupt())?;
    let mut term = signal(SignalKind::terminate())?;
    let conn = Arc::new(Mutex::new(conn));
    Ok(AbortOnDrop(rt.spawn(async move {
        loop {
            let n: u8 = tokio::select! {
                _ = int.recv() => 1,
                _ = term.recv() => 2,
            };
            let conn = conn.clone();
            let _ = tokio::task::spawn_blocking(move || {
                let mut c = conn.lock().unwrap_or_else(|p| p.into_inner());
                protocol::write_frame(&mut *c, kind::SIGNAL, &[n])
            })
            .await;
        }
    })))
}

/// Aborts a task when dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
