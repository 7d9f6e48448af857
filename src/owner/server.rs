//! The owner's side: listening on the socket and running clients' commands in-process.

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt as _, PermissionsExt as _};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use clap::Parser as _;

use super::host::HostConfig;
use super::protocol::{self, kind, Exit, Hello, RunRequest, PROTOCOL};
use super::{registry, socket_path, OwnerError};
use crate::cli::Cli;
use crate::commands::out::{self, Sink};
use crate::config::{self, Paths};
use crate::store::Store;

/// Starts owners; see [`Owner::start`].
pub struct Owner;

/// A running owner: while it lives, the store is this process's for `open_store` and clients
/// are served on the socket. Dropping it (or [`OwnerHandle::stop`]) stops listening, removes
/// the socket and waits for the commands in flight to finish.
pub struct OwnerHandle {
    store: Store,
    shared: Arc<Shared>,
    key: Option<PathBuf>,
    listening: Option<Listening>,
    error: Option<OwnerError>,
}

struct Listening {
    path: PathBuf,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
    conns: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

/// What every connection of one owner shares.
struct Shared {
    data_dir: PathBuf,
    role: String,
    notify: Mutex<Option<Notify>>,
    /// The GHL and Bmby connection forwarded commands use instead of their own, when the
    /// owner's world is one only it knows (the demo's stand-ins on loopback).
    connection: Mutex<Option<crate::config::Settings>>,
    /// The open store (hosted TUI sessions read and write it).
    store: Store,
    /// What hosted TUI sessions get; `None`: attaching TUIs are told to wait (a CLI owner).
    host: Mutex<Option<HostConfig>>,
    /// The sockets of the hosted sessions, shut down when the owner stops.
    sessions: Mutex<Vec<UnixStream>>,
}

/// Told when a command run for another process finished: its words (`approve 3 4`, global
/// flags left out) and its exit code.
pub type Notify = Arc<dyn Fn(String, i32) + Send + Sync>;

impl Owner {
    /// Makes this process the owner of `store` (the cache of `location_id` under `data_dir`,
    /// already open: the sled lock is what makes an owner) and listens on
    /// [`super::socket_path`] for other processes' commands, each run on its own thread with
    /// its own runtime, as the client process would have run it. `role` names the owner in
    /// the hello (`tui`, `cli`, `serve`).
    ///
    /// Never fails: when the socket cannot be made (a path too long, a read-only data dir) the
    /// process still owns the cache, other processes get "in use" as before, and
    /// [`OwnerHandle::listen_error`] says why (also logged).
    pub fn start(store: Store, data_dir: &Path, location_id: &str, role: &str) -> OwnerHandle {
        let key = registry::hold(data_dir, location_id, store.clone());
        let shared = Arc::new(Shared {
            data_dir: data_dir.to_path_buf(),
            role: role.to_owned(),
            notify: Mutex::new(None),
            connection: Mutex::new(None),
            store: store.clone(),
            host: Mutex::new(None),
            sessions: Mutex::new(Vec::new()),
        });
        let (listening, error) = match bind(&socket_path(data_dir, location_id)) {
            Ok((listener, path)) => {
                tracing::info!(socket = %path.display(), location = location_id, role, "owner: listening");
                (Some(serve(listener, path, shared.clone())), None)
            }
            Err(e) => {
                tracing::warn!(error = %e, location = location_id, "owner: not listening");
                (None, Some(e))
            }
        };
        OwnerHandle {
            store,
            shared,
            key,
            listening,
            error,
        }
    }
}

impl OwnerHandle {
    /// The socket clients connect to, while listening.
    pub fn socket(&self) -> Option<&Path> {
        self.listening.as_ref().map(|l| l.path.as_path())
    }

    /// Why the owner does not listen, if it does not.
    pub fn listen_error(&self) -> Option<&OwnerError> {
        self.error.as_ref()
    }

    /// The owned store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Calls `f` after each command run for another process (the TUI reloads its changes:
    /// the command may have changed them). Replaces an earlier `f`.
    pub fn set_notify(&self, f: Notify) {
        *self.shared.notify.lock().unwrap_or_else(|p| p.into_inner()) = Some(f);
    }

    /// Forwarded commands talk to GHL and Bmby through `settings`' connection (base URL, token,
    /// OAuth app, Bmby login) instead of their own: for an owner whose world only it knows,
    /// such as the demo's stand-ins, where the caller's settings would name the real GHL.
    pub fn set_connection(&self, settings: &crate::config::Settings) {
        *self
            .shared
            .connection
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some(settings.clone());
    }

    /// Hosts attached TUIs with `host` (the TUI, the demo and `serve` call this; until then,
    /// and in a CLI owner, an attaching TUI is told to wait). Replaces an earlier `host`.
    pub fn set_host(&self, host: HostConfig) {
        *self.shared.host.lock().unwrap_or_else(|p| p.into_inner()) = Some(host);
    }

    /// How many attached TUIs this owner serves now.
    pub fn hosted_sessions(&self) -> usize {
        self.shared
            .sessions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .len()
    }

    /// Stops listening, removes the socket, waits for the commands in flight, and gives the
    /// cache up (the store handle itself closes when its last clone is dropped).
    pub fn stop(self) {}
}

impl Drop for OwnerHandle {
    fn drop(&mut self) {
        if let Some(mut l) = self.listening.take() {
            l.stop.store(true, Ordering::SeqCst);
            // Wake the accept loop; it sees the stop flag.
            let _ = UnixStream::connect(&l.path);
            if let Some(a) = l.accept.take() {
                let _ = a.join();
            }
            let _ = std::fs::remove_file(&l.path);
            // Attached TUIs: their sessions end (the clients see the socket close and take
            // the cache over).
            for c in std::mem::take(
                &mut *self
                    .shared
                    .sessions
                    .lock()
                    .unwrap_or_else(|p| p.into_inner()),
            ) {
                let _ = c.shutdown(std::net::Shutdown::Both);
            }
            let conns = std::mem::take(&mut *l.conns.lock().unwrap_or_else(|p| p.into_inner()));
            for c in conns {
                let _ = c.join();
            }
            tracing::info!(socket = %l.path.display(), "owner: stopped");
        }
        if let Some(k) = self.key.take() {
            registry::release(&k);
        }
    }
}

/// Makes the owner-only directory and binds the socket (mode 0600). A socket file already
/// there is stale: this process holds the cache's lock, so its last owner is gone (killed).
fn bind(path: &Path) -> Result<(UnixListener, PathBuf), OwnerError> {
    let io = |source| OwnerError::Io {
        path: path.to_path_buf(),
        source,
    };
    let len = path.as_os_str().len();
    if len > 107 {
        return Err(OwnerError::PathTooLong {
            path: path.to_path_buf(),
            len,
        });
    }
    if let Some(dir) = path.parent() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(io)?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(io)?;
    }
    let listener = match UnixListener::bind(path) {
        Ok(l) => l,
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
            tracing::warn!(socket = %path.display(), "owner: removing a stale socket (its owner is gone)");
            std::fs::remove_file(path).map_err(io)?;
            UnixListener::bind(path).map_err(io)?
        }
        Err(e) => return Err(io(e)),
    };
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(io)?;
    Ok((listener, path.to_path_buf()))
}

fn serve(listener: UnixListener, path: PathBuf, shared: Arc<Shared>) -> Listening {
    let stop = Arc::new(AtomicBool::new(false));
    let conns: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
    let accept = {
        let stop = stop.clone();
        let conns = conns.clone();
        std::thread::Builder::new()
            .name("bmby-ghl-owner".into())
            .spawn(move || {
                for conn in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(conn) = conn else { continue };
                    let shared = shared.clone();
                    let h = std::thread::Builder::new()
                        .name("bmby-ghl-owner-client".into())
                        .spawn(move || {
                            if let Err(e) = serve_conn(conn, &shared) {
                                tracing::warn!(error = %e, "owner: a client connection failed");
                            }
                        });
                    let mut conns = conns.lock().unwrap_or_else(|p| p.into_inner());
                    conns.retain(|c| !c.is_finished());
                    if let Ok(h) = h {
                        conns.push(h);
                    }
                }
            })
            .ok()
    };
    Listening {
        path,
        stop,
        accept,
        conns,
    }
}

/// One client: hellos, the request, the command's output, the exit code.
fn serve_conn(mut conn: UnixStream, shared: &Shared) -> std::io::Result<()> {
    // A client that connects and says nothing must not keep the owner from exiting.
    conn.set_read_timeout(Some(Duration::from_secs(30)))?;
    let Some((kind::HELLO, body)) = protocol::read_frame(&mut conn)? else {
        return Ok(()); // a wake-up connection, or not a client
    };
    let theirs: Hello = protocol::parse(&body, "hello")?;
    protocol::write_json(&mut conn, kind::HELLO, &Hello::ours(&shared.role))?;
    if theirs.protocol != PROTOCOL {
        tracing::warn!(
            client_version = %theirs.version,
            client_protocol = theirs.protocol,
            pid = theirs.pid,
            "owner: a client speaks another protocol; it was told"
        );
        return Ok(());
    }
    let body = match protocol::read_frame(&mut conn)? {
        Some((kind::RUN, body)) => body,
        Some((kind::ATTACH, body)) => {
            let host = shared
                .host
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone();
            return super::host::serve_attach(
                conn,
                &body,
                &shared.store,
                host,
                &shared.role,
                &shared.sessions,
            );
        }
        _ => return Ok(()),
    };
    let req: RunRequest = protocol::parse(&body, "request")?;
    conn.set_read_timeout(None)?;
    // Signals of the client (Ctrl-C during `apply`) arrive while the command runs.
    let (tx, rx) = tokio::sync::watch::channel(0u8);
    let mut reader = conn.try_clone()?;
    std::thread::Builder::new()
        .name("bmby-ghl-owner-signals".into())
        .spawn(move || {
            while let Ok(Some((k, b))) = protocol::read_frame(&mut reader) {
                if k == kind::SIGNAL {
                    if let Some(&n) = b.first() {
                        let _ = tx.send(n);
                    }
                }
            }
        })?;
    let socket = Arc::new(Mutex::new(conn.try_clone()?));
    // One ordered stream: stdout held back is sent before any stderr bytes.
    let (stdout, stderr) = super::stream::writers(socket.clone());
    let stdout: Box<dyn Write + Send> = Box::new(stdout);
    let stderr: Box<dyn Write + Send> = Box::new(stderr);
    let sink = Sink {
        stdout: Arc::new(Mutex::new(stdout)),
        stderr: Arc::new(Mutex::new(stderr)),
        stderr_tty: req.stderr_tty,
        signals: Some(rx),
        cwd: Some(req.cwd.clone()),
    };
    tracing::info!(
        pid = theirs.pid,
        "owner: running a command for another process"
    );
    let code = run_request(&req, shared, sink.clone());
    let notify = shared
        .notify
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    if let Some(f) = notify {
        f(command_words(&req.argv), code);
    }
    let flushed = sink
        .stdout
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .flush();
    let mut s = socket.lock().unwrap_or_else(|p| p.into_inner());
    let sent = flushed.and_then(|_| protocol::write_json(&mut *s, kind::EXIT, &Exit { code }));
    let _ = s.shutdown(std::net::Shutdown::Both);
    match sent {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()), // the client went away
        other => other,
    }
}

/// Runs the client's command as `main` would have in the client process: its command line,
/// config file and environment, this process's data dir and open store. Returns the exit code;
/// an error is written to the client's stderr as `main` writes it.
fn run_request(req: &RunRequest, shared: &Shared, sink: Sink) -> i32 {
    out::with_sink(sink, || {
        let cli = match Cli::try_parse_from(&req.argv) {
            Ok(c) => c,
            Err(e) => {
                let _ = write!(out::stderr(), "{}", e.render());
                return e.exit_code();
            }
        };
        let env: std::collections::HashMap<&str, &str> = req
            .env
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let result = (|| -> color_eyre::Result<i32> {
            let mut settings =
                config::load(&req.config_file, &|k| env.get(k).map(|v| (*v).to_owned()))?;
            settings.only_cached_location = config::only_cached_location(&shared.data_dir);
            settings.data_dir = Some(shared.data_dir.clone());
            if let Some(l) = cli.location.clone() {
                settings.location_id = Some(l);
            }
            let own = shared
                .connection
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone();
            if let Some(own) = own {
                settings.base_url = own.base_url;
                settings.token = own.token;
                settings.oauth = own.oauth;
                // The connection is the owner's (the demo's Bmby stand-in); how the caller's
                // export files name their columns (`[bmby.columns]`) stays the caller's.
                let columns = std::mem::take(&mut settings.bmby.columns);
                settings.bmby = own.bmby;
                settings.bmby.columns = columns;
            }
            let paths = Paths {
                config_file: req.config_file.clone(),
                config_dir: req.config_dir.clone(),
                data_dir: shared.data_dir.clone(),
            };
            let command = cli.command;
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .thread_name("bmby-ghl-owner-worker")
                .build()?;
            let code = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                crate::commands::run(command, &paths, &settings, &rt)
            }));
            rt.shutdown_timeout(Duration::from_millis(500));
            code.unwrap_or_else(|_| {
                Err(color_eyre::eyre::eyre!(
                    "the owner of the cache failed running the command (see its log file)"
                ))
            })
        })();
        match result {
            Ok(code) => code,
            Err(e)
                if e.chain().any(|c| {
                    c.downcast_ref::<std::io::Error>()
                        .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
                }) =>
            {
                0
            }
            Err(e) => {
                let _ = writeln!(out::stderr(), "error: {e:#}");
                i32::from(crate::commands::exit_code(&e))
            }
        }
    })
}

/// The words of a command line without the program and the global flags:
/// `bmby-ghl --data-dir D approve 3 4` → `approve 3 4`.
fn command_words(argv: &[String]) -> String {
    const WITH_VALUE: [&str; 4] = ["--data-dir", "--config", "--location", "--log-level"];
    let mut words = Vec::new();
    let mut skip = false;
    for a in argv.iter().skip(1) {
        if std::mem::take(&mut skip) {
            continue;
        }
        if WITH_VALUE.contains(&a.as_str()) {
            skip = true;
        } else if !WITH_VALUE.iter().any(|f| a.starts_with(&format!("{f}="))) {
            words.push(a.as_str());
        }
    }
    crate::sanitize::clean_line(&words.join(" "))
}

#[cfg(test)]
mod tests {
    #[test]
    fn command_words_leave_out_the_program_and_global_flags() {
        let argv: Vec<String> = [
            "/x/bmby-ghl",
            "--data-dir",
            "/d",
            "approve",
            "--config=/c.toml",
            "3",
            "--location",
            "L",
            "4",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(super::command_words(&argv), "approve 3 4");
    }
}
