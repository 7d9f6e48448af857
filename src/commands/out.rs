//! Where a command's output goes: the process's stdout and stderr, or — while the owner of a
//! cache runs a command for a client process (`crate::owner`) — the client's, through the
//! owner's socket.
//!
//! Commands never name `std::io::stdout()` / `stderr()` directly: they write with `outln!`,
//! `out!` and `errln!` (or to [`stdout`] / [`stderr`]) and ask [`stderr_is_terminal`], so the
//! same code, with the same text, serves both. OUR CHOICE: the sink is per thread (set by
//! [`with_sink`] for the thread running a forwarded command) rather than an argument of every
//! command function; code a command spawns onto other threads takes the sink along with
//! [`current`].

use std::cell::RefCell;
use std::io::{self, Write};
use std::sync::{Arc, Mutex};

/// A writer shared between the threads of one forwarded command.
pub type SharedWrite = Arc<Mutex<Box<dyn Write + Send>>>;

/// The output of a command run for another process.
#[derive(Clone)]
pub struct Sink {
    /// The client's stdout.
    pub stdout: SharedWrite,
    /// The client's stderr.
    pub stderr: SharedWrite,
    /// Whether the client's stderr is a terminal (progress lines are drawn only then).
    pub stderr_tty: bool,
    /// Signals the client received while the command runs (1: Ctrl-C, 2: SIGTERM), in place
    /// of the owner process's own signals (`apply` stops after the change in flight).
    pub signals: Option<tokio::sync::watch::Receiver<u8>>,
    /// The client's working directory: file arguments typed relative are resolved against it
    /// ([`resolve`]).
    pub cwd: Option<std::path::PathBuf>,
}

thread_local! {
    static SINK: RefCell<Option<Sink>> = const { RefCell::new(None) };
}

/// Runs `f` with this thread's command output going to `sink`; the previous sink (normally
/// none: the process's stdout and stderr) is restored afterwards, also on a panic.
pub fn with_sink<R>(sink: Sink, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Sink>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let old = self.0.take();
            SINK.with(|s| *s.borrow_mut() = old);
        }
    }
    let old = SINK.with(|s| s.borrow_mut().replace(sink));
    let _restore = Restore(old);
    f()
}

/// This thread's sink, when it runs a command for another process.
pub fn current() -> Option<Sink> {
    SINK.with(|s| s.borrow().clone())
}

/// A writer for one of the two streams.
pub enum Out {
    /// The process's stdout.
    Stdout(io::StdoutLock<'static>),
    /// The process's stderr.
    Stderr(io::StderrLock<'static>),
    /// A client's stream (locked per write).
    Shared(SharedWrite),
}

impl Write for Out {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Out::Stdout(o) => o.write(buf),
            Out::Stderr(e) => e.write(buf),
            Out::Shared(w) => lock(w).write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Out::Stdout(o) => o.write_all(buf),
            Out::Stderr(e) => e.write_all(buf),
            Out::Shared(w) => lock(w).write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Out::Stdout(o) => o.flush(),
            Out::Stderr(e) => e.flush(),
            Out::Shared(w) => lock(w).flush(),
        }
    }
}

fn lock(w: &SharedWrite) -> std::sync::MutexGuard<'_, Box<dyn Write + Send>> {
    w.lock().unwrap_or_else(|p| p.into_inner())
}

/// The command's stdout.
pub fn stdout() -> Out {
    match current() {
        Some(s) => Out::Shared(s.stdout),
        None => Out::Stdout(io::stdout().lock()),
    }
}

/// The command's stderr.
pub fn stderr() -> Out {
    match current() {
        Some(s) => Out::Shared(s.stderr),
        None => Out::Stderr(io::stderr().lock()),
    }
}

/// A file argument as the command's process sees it: a relative path is resolved against the
/// client's working directory when the command runs for a client, else left as it is.
pub fn resolve(path: &std::path::Path) -> std::path::PathBuf {
    match current().and_then(|s| s.cwd) {
        Some(cwd) if path.is_relative() => cwd.join(path),
        _ => path.to_path_buf(),
    }
}

/// Whether the command's stderr is a terminal (the client's, for a forwarded command).
pub fn stderr_is_terminal() -> bool {
    match current() {
        Some(s) => s.stderr_tty,
        None => io::IsTerminal::is_terminal(&io::stderr()),
    }
}

/// `f` with the command output of whatever thread polls it going to `sink` (for a task a
/// forwarded command spawns onto the runtime's other threads).
pub async fn with_sink_async<F: std::future::Future>(sink: Sink, f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    std::future::poll_fn(|cx| with_sink(sink.clone(), || f.as_mut().poll(cx))).await
}
