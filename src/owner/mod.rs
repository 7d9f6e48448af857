//! One owner per cache: the first `bmby-ghl` process that opens a location's cache owns it and
//! listens on a Unix socket; every other process for that location is a client of the owner.
//!
//! sled lets one process open a database ([`StoreError::Locked`]); the ownership is ours, on
//! top of it. The process holding the sled lock — the TUI (and the demo), `serve`, or a CLI
//! command for as long as it runs — listens on [`socket_path`] (`<data dir>/run/<location>.sock`,
//! the `run` directory owner-only 0700, the socket 0600). A CLI command that finds the cache
//! locked connects there and the owner runs the same command for it, in-process against its
//! open [`Store`], streaming the command's stdout and stderr back with the exit code
//! ([`protocol`]): the output, exit codes and writes are the same whichever process asked, and
//! every write goes through the owner's one outbox (dispatches of one cache are serialized in
//! a process, so two `apply` runs never send a change twice).
//!
//! - [`route`]: called first by [`crate::commands::run`]: forward the command, or own the cache
//!   (and serve others) while it runs here.
//! - [`Owner::start`]: listen for clients with an open store (the TUI, the demo, `serve`); the
//!   returned [`OwnerHandle`] stops listening, removes the socket and finishes the commands in
//!   flight when dropped.
//! - Stale sockets: an owner killed with SIGKILL leaves its socket file, but the kernel drops
//!   its sled lock; the next process opens the cache, finds the file, and replaces it (the lock
//!   proves no owner is alive). A client that finds the cache locked but nobody answering waits
//!   a few seconds for an owner that is still starting, then fails as before ("in use").
//! - A second TUI attaches ([`open_for_tui`]): the owner (a TUI, the demo, `serve`) runs a
//!   TUI session for it on its open store and worker ([`host`]), drawing into the socket, and
//!   the client copies that to its terminal and sends its keys ([`attach`]). Every session of
//!   the location hears the same events ([`Hub`]), so a change approved in one TUI shows as
//!   approved in the other. When the owner exits, the attached TUI opens the cache itself and
//!   becomes the owner; a CLI command as owner is waited for.
//! - `auth`, `mapping`, `keymap`, `sandbox` and `demo` never need the cache and always run in
//!   their own process.

pub mod attach;
pub mod client;
pub mod host;
pub mod hub;
pub mod protocol;
mod registry;
mod server;
pub mod silent;
pub mod stream;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub use host::HostConfig;
pub use hub::Hub;
pub use registry::held_store;
pub use server::{Notify, Owner, OwnerHandle};

use crate::cli::{BmbyCommand, Command, OpCommand};
use crate::config::{Paths, Settings};
use crate::store::{Store, StoreError};

/// Errors of the owner and its clients.
#[derive(Debug, thiserror::Error)]
pub enum OwnerError {
    /// The owner (or the client) speaks another protocol: an older or newer binary.
    #[error(
        "the bmby-ghl process that holds the cache of {location} (pid {pid}, {role}) is version \
         {their_version} (owner protocol {their_protocol}); this is version {our_version} (owner \
         protocol {our_protocol}): close that process, or run the same bmby-ghl version, and retry"
    )]
    ProtocolMismatch {
        location: String,
        pid: u32,
        role: String,
        their_version: String,
        their_protocol: u32,
        our_version: String,
        our_protocol: u32,
    },
    /// A long-lived owner (`serve`) was started for a location another process owns.
    #[error(
        "the cache of {location} is open in another bmby-ghl (pid {pid}, {role}): a second \
         serve (or demo) on the same location cannot open it; close that one, or attach a TUI \
         (`bmby-ghl`) or run CLI commands (`bmby-ghl changes`, `approve`, `apply`, …) beside \
         it: they run through it"
    )]
    SecondTui {
        location: String,
        pid: u32,
        role: String,
    },
    /// A TUI would attach to the owner, but this process has no terminal to show it on.
    #[error(
        "the cache of {location} is open in another bmby-ghl (pid {pid}, {role}): a TUI \
         attaches to it from a terminal, and this one has none; run CLI commands (`bmby-ghl \
         changes`, `approve`, `apply`, …) instead: they run through it"
    )]
    AttachNeedsTerminal {
        location: String,
        pid: u32,
        role: String,
    },
    /// The owner went away before the command finished.
    #[error(
        "the bmby-ghl process that holds the cache of {location} (pid {pid}) stopped before \
         the command finished; run it again"
    )]
    OwnerGone { location: String, pid: u32 },
    /// The owner accepted the connection (the kernel did) but does not answer: it is stopped
    /// (ctrl-z, SIGSTOP) or hung. Nothing ran.
    #[error("{}", silent::not_answering_message(location, *pid, *stopped))]
    NotAnswering {
        location: String,
        /// The owner's pid (the socket's peer), 0 when the system does not say.
        pid: u32,
        /// The owner is stopped (its state is `T`), not merely slow.
        stopped: bool,
    },
    /// The socket path is longer than a Unix socket address allows.
    #[error("owner socket path {path} is too long for a Unix socket ({len} bytes, at most 107); use a shorter --data-dir")]
    PathTooLong { path: PathBuf, len: usize },
    /// Reading or writing the socket or its directory.
    #[error("owner socket {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The socket of `location_id`'s owner under `data_dir`: `<data_dir>/run/<location>.sock`
/// (the location id made file-name safe as the cache directory's).
pub fn socket_path(data_dir: &Path, location_id: &str) -> PathBuf {
    let dir = Store::location_dir(data_dir, location_id);
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    data_dir.join("run").join(format!("{name}.sock"))
}

/// Whether `command` reads or writes a location's cache (and so goes through its owner).
pub fn needs_cache(command: &Command) -> bool {
    match command {
        Command::Sync { .. }
        | Command::Contacts { .. }
        | Command::Contact { .. }
        | Command::Import { .. }
        | Command::Changes { .. }
        | Command::Apply { .. }
        | Command::Approve { .. }
        | Command::Reject { .. }
        | Command::Reset { .. }
        | Command::Journal { .. }
        | Command::Revert { .. }
        | Command::Recent { .. } => true,
        Command::Bmby { command } => {
            matches!(command, BmbyCommand::Pull { .. } | BmbyCommand::Push { .. })
        }
        Command::Op { command } => !matches!(command, OpCommand::List { .. }),
        _ => false,
    }
}

/// The hello of the process that owns `location_id`'s cache, if one answers on its socket.
pub fn who_owns(data_dir: &Path, location_id: &str) -> Option<protocol::Hello> {
    let mut c = std::os::unix::net::UnixStream::connect(socket_path(data_dir, location_id)).ok()?;
    c.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    protocol::write_json(
        &mut c,
        protocol::kind::HELLO,
        &protocol::Hello::ours("client"),
    )
    .ok()?;
    match protocol::read_frame(&mut c) {
        Ok(Some((protocol::kind::HELLO, body))) => protocol::parse(&body, "hello").ok(),
        _ => None,
    }
}

/// `e` (opening a cache for the TUI failed) said better when the cache is locked by an owner
/// that answers: [`OwnerError::SecondTui`] naming it; else `e` as it is.
pub fn explain_locked(
    e: color_eyre::Report,
    data_dir: &Path,
    location_id: &str,
) -> color_eyre::Report {
    let locked = e
        .downcast_ref::<StoreError>()
        .is_some_and(|s| matches!(s, StoreError::Locked { .. }));
    match who_owns(data_dir, location_id).filter(|_| locked) {
        Some(h) => OwnerError::SecondTui {
            location: location_id.to_owned(),
            pid: h.pid,
            role: h.role,
        }
        .into(),
        None => e,
    }
}

/// How a TUI got its location's cache ([`open_for_tui`]).
pub enum TuiCache {
    /// This process opened it and owns it now.
    Own(Box<Store>),
    /// This process was attached, the owner went away, and this process opened the cache and
    /// owns it now: the TUI says so until a key ([`Takeover::notice`]).
    TakenOver(Box<Store>, Takeover),
    /// Another process owns it; this TUI was attached to it and the person quit there.
    Attached,
}

/// An owner this TUI was attached to went away and this process took its cache over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Takeover {
    /// The owner that went away.
    pub pid: u32,
    /// Its role (`tui`, `demo`, `serve`): a demo's stand-ins ended with it.
    pub role: String,
    pub location: String,
    pub data_dir: PathBuf,
}

impl Takeover {
    /// The owner was a demo: its GHL and Bmby stand-ins lived in it and ended with it.
    pub fn was_demo(&self) -> bool {
        self.role == ROLE_DEMO
    }

    /// The notice in one line for the TUI (shown until a key in place of the key hints):
    /// short enough for 80 columns with a short data dir, the restart first for a demo.
    pub fn line(&self) -> String {
        if self.was_demo() {
            format!(
                "demo ended, stand-ins gone: restart with `bmby-ghl demo --data-dir {}`",
                crate::sanitize::clean_line(&self.data_dir.display().to_string())
            )
        } else {
            format!(
                "the bmby-ghl that held this cache (pid {}) exited: this one owns it now",
                self.pid
            )
        }
    }

    /// What the TUI's messages (and stderr) say in full: who exited, that this process owns
    /// the cache now, and, after a demo, that its stand-ins ended and how to start it again.
    pub fn notice(&self) -> String {
        if self.was_demo() {
            format!(
                "the demo (pid {}) exited and its GHL and Bmby stand-ins with it: this TUI shows \
                 its cache offline; to continue the demo, quit and run `bmby-ghl demo --data-dir {}`",
                self.pid,
                crate::sanitize::clean_line(&self.data_dir.display().to_string())
            )
        } else {
            format!(
                "the bmby-ghl that held the cache of {} (pid {}) exited: this one owns it now",
                crate::sanitize::clean_line(&self.location),
                self.pid
            )
        }
    }
}

/// The role a demo's owner says in its hello (a plain TUI says `tui`).
pub const ROLE_DEMO: &str = "demo";

/// How long a TUI waits for a cache that is locked while nobody answers on its socket (an
/// owner starting or stopping). OUR CHOICE: 10 s (an owner that answers is waited for as long
/// as it answers: a CLI command holding the cache).
const WAIT_FOR_TUI_CACHE: Duration = Duration::from_secs(10);

/// Opens `location_id`'s cache for a TUI, or attaches this TUI to the process that owns it
/// ([`attach`]): the person works in the owner's session on this terminal. When the owner
/// goes away mid-session the terminal is restored and the cache opened here (this process
/// becomes the owner). An owner that hosts no TUI (a CLI command) is waited for, saying so on
/// stderr once.
///
/// Errors: the cache cannot be opened for another reason than the lock; it stays locked with
/// nobody answering for [`WAIT_FOR_TUI_CACHE`] ("in use"); a protocol mismatch; this terminal.
pub fn open_for_tui(
    data_dir: &Path,
    location_id: &str,
    user_keymap: Option<PathBuf>,
) -> color_eyre::Result<TuiCache> {
    match open_or_attach(data_dir, location_id, user_keymap, true)? {
        Opened::Cache(c) => Ok(c),
        // Not asked for: with `take_over` the gone owner's cache is opened here.
        Opened::OwnerGone(t) => {
            let s = Store::open(data_dir, location_id)?;
            Ok(TuiCache::TakenOver(Box::new(s), t))
        }
    }
}

/// How an attached demo ended ([`attach_demo`]).
pub enum DemoAttached {
    /// The person quit this TUI; the demo goes on in its own process.
    Quit,
    /// The demo it was attached to exited (its stand-ins with it): nothing was opened here.
    DemoEnded(Takeover),
    /// No demo holds the cache any more (it ended before this one attached); nothing open.
    NoDemo,
}

/// Attaches this TUI to the demo that owns `location_id`'s cache ([`open_for_tui`]'s attach),
/// but never takes the cache over: a demo's stand-ins live in its process, so when it exits
/// an attached demo ends too, and its caller says so once ([`DemoAttached::DemoEnded`]).
///
/// Errors: as [`open_for_tui`].
pub fn attach_demo(
    data_dir: &Path,
    location_id: &str,
    user_keymap: Option<PathBuf>,
) -> color_eyre::Result<DemoAttached> {
    Ok(
        match open_or_attach(data_dir, location_id, user_keymap, false)? {
            Opened::Cache(TuiCache::Attached) => DemoAttached::Quit,
            Opened::Cache(_) => DemoAttached::NoDemo,
            Opened::OwnerGone(t) => DemoAttached::DemoEnded(t),
        },
    )
}

/// What [`open_or_attach`] got.
enum Opened {
    Cache(TuiCache),
    /// The owner went away while attached and `take_over` was false: the cache is not open.
    OwnerGone(Takeover),
}

/// [`open_for_tui`]'s loop; with `take_over` false an owner that goes away while attached
/// ends it ([`Opened::OwnerGone`], nothing said, nothing opened), and a cache found free is
/// opened and closed again ([`TuiCache::Own`] dropped: the caller only learns it was free).
fn open_or_attach(
    data_dir: &Path,
    location_id: &str,
    user_keymap: Option<PathBuf>,
    take_over: bool,
) -> color_eyre::Result<Opened> {
    let sock = socket_path(data_dir, location_id);
    let mut deadline = Instant::now() + WAIT_FOR_TUI_CACHE;
    let mut told = false;
    let mut taken_over: Option<Takeover> = None;
    loop {
        let locked = match Store::open(data_dir, location_id) {
            Ok(s) => {
                return Ok(Opened::Cache(match taken_over.take() {
                    Some(t) => TuiCache::TakenOver(Box::new(s), t),
                    None => TuiCache::Own(Box::new(s)),
                }))
            }
            Err(e @ StoreError::Locked { .. }) => e,
            Err(e) => return Err(e.into()),
        };
        if let Ok(conn) = std::os::unix::net::UnixStream::connect(&sock) {
            match attach::attach(conn, location_id, user_keymap.clone())? {
                Some(attach::Attached::Quit) => return Ok(Opened::Cache(TuiCache::Attached)),
                Some(attach::Attached::Signalled) => {
                    tracing::info!("SIGTERM/SIGHUP while attached: quitting");
                    return Ok(Opened::Cache(TuiCache::Attached));
                }
                Some(attach::Attached::OwnerGone { pid, role }) => {
                    let t = Takeover {
                        pid,
                        role,
                        location: location_id.to_owned(),
                        data_dir: data_dir.to_path_buf(),
                    };
                    if !take_over {
                        return Ok(Opened::OwnerGone(t));
                    }
                    eprintln!("{}", t.notice());
                    taken_over = Some(t);
                    deadline = Instant::now() + WAIT_FOR_TUI_CACHE;
                }
                Some(attach::Attached::NotHosting(n)) => {
                    if !std::mem::replace(&mut told, true) {
                        eprintln!(
                            "{}: waiting for it to finish (ctrl-c stops waiting)",
                            crate::sanitize::clean_line(&n.reason)
                        );
                    }
                    deadline = Instant::now() + WAIT_FOR_TUI_CACHE;
                }
                None => {}
            }
        }
        if Instant::now() >= deadline {
            return Err(locked.into());
        }
        // Product polling with a deadline: the owner may be starting or stopping.
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// What [`route`] decided.
pub enum Route {
    /// The owner ran the command; the process exits with this code.
    Forwarded(i32),
    /// Run the command here; while the handle lives this process owns the cache and serves
    /// other processes (`None`: nothing to own, or the command is run for a client already).
    Here(Option<Box<OwnerHandle>>),
}

/// How long a client waits for an owner that holds the cache but does not answer yet (it
/// opens the cache before it listens). OUR CHOICE: 3 s.
const WAIT_FOR_OWNER: Duration = Duration::from_secs(3);

/// Decides where `command` runs: not a cache command, no location, or already running for a
/// client → here, unowned. Else the cache is opened: success → here, owning it (and serving
/// others while it runs); locked with an owner answering → forwarded to the owner.
///
/// Errors: a protocol mismatch ([`OwnerError::ProtocolMismatch`]), an owner gone mid-command,
/// the socket. A cache that cannot be opened for any other reason runs the command here, which
/// reports it as before.
pub fn route(
    command: &Option<Command>,
    paths: &Paths,
    settings: &Settings,
    rt: &tokio::runtime::Runtime,
) -> color_eyre::Result<Route> {
    if crate::commands::out::current().is_some() {
        return Ok(Route::Here(None));
    }
    let Some(cmd) = command.as_ref().filter(|c| needs_cache(c)) else {
        return Ok(Route::Here(None));
    };
    let Ok(loc) = crate::commands::location(settings) else {
        return Ok(Route::Here(None));
    };
    if held_store(&paths.data_dir, &loc).is_some() {
        return Ok(Route::Here(None));
    }
    let deadline = Instant::now() + WAIT_FOR_OWNER;
    let sock = socket_path(&paths.data_dir, &loc);
    loop {
        match Store::open(&paths.data_dir, &loc) {
            Ok(store) => {
                return Ok(Route::Here(Some(Box::new(Owner::start(
                    store,
                    &paths.data_dir,
                    &loc,
                    "cli",
                )))));
            }
            Err(StoreError::Locked { .. }) => {
                if let Ok(conn) = std::os::unix::net::UnixStream::connect(&sock) {
                    if let Some(code) = client::forward(conn, cmd, paths, &loc, rt)? {
                        return Ok(Route::Forwarded(code));
                    }
                }
            }
            Err(_) => return Ok(Route::Here(None)),
        }
        if Instant::now() >= deadline {
            return Ok(Route::Here(None));
        }
        // Product polling with a deadline: the owner may be between opening and listening.
        std::thread::sleep(Duration::from_millis(50));
    }
}
