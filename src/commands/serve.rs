//! `bmby-ghl serve`: a headless process that keeps the caches of the signed-in locations
//! current, for a jump host or a small server (README "serve", with a systemd unit).
//!
//! For each location (every one in the token store; only one with `--location`,
//! `GHL_LOCATION_ID` or `GHL_TOKEN`; a location that cannot start, e.g. its cache in use, is
//! left out with a warning) it runs, on one tokio runtime:
//! - the TUI's background worker ([`crate::sync::worker`]) headless: a pull at start and an
//!   incremental pull every `[sync] pull_interval_secs` (60 s), and the sends of `--apply`;
//! - the background crawl of every contact's tasks, notes and appointments and the re-fetch of
//!   the tasks of recently active contacts ([`crate::sync::crawl`]), in the rate limiter's
//!   background lane (half of each window), from the end of the first pull (`--no-crawl`: off);
//! - with `--apply`, a look at the outbox every `--apply-interval` seconds: approved changes are
//!   sent by the worker's dispatch (one at a time per location, through the outbox, as `apply`
//!   sends them), write-backs to Bmby with the configured Bmby login.
//!
//! Every [`SyncEvent`] is logged (the log file; with `--log-format json` JSON lines on stderr
//! too). **Stopping**: SIGTERM or Ctrl-C stops the crawl and the apply loop between two units
//! of work, asks a running send to stop after the change in flight, and waits (at most
//! [`STOP_GRACE`]) for the contact being crawled, the change being sent and a pull under way to
//! finish (a request still waiting for the rate limit's window waits for it: up to one window,
//! 10 s with GHL's defaults); then the caches are flushed and the exit code is 0. A second signal exits at once:
//! everything resumes on the next start (pull cursor, crawl cursor, outbox).

use std::sync::Arc;
use std::time::Duration;

use color_eyre::eyre::{eyre, Result};
use tokio::runtime::Runtime;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use super::{client, location, open_store, token_store};
use crate::config::{Paths, Settings};
use crate::ghl::GhlClient;
use crate::sanitize::clean_line;
use crate::store::Store;
use crate::sync::crawl::{self, CrawlCursor};
use crate::sync::{self, Job, SyncEvent, WorkerConfig};

/// How long a stop waits for the work in flight (a pull's page, the change being sent, the
/// contact being crawled) before exiting anyway. OUR CHOICE: beyond the client's 30 s request
/// timeout.
pub const STOP_GRACE: Duration = Duration::from_secs(45);

/// What `serve` was asked to do.
#[derive(Debug, Clone)]
pub(super) struct ServeOptions {
    /// `--apply`: look for approved changes this often and send them.
    pub apply: Option<Duration>,
    /// The background crawl (off with `--no-crawl`).
    pub crawl: bool,
    /// `--webhooks ADDR`: the GHL webhook receiver binds there (`crate::webhooks::serve`).
    pub webhooks: Option<String>,
    /// `--log-format json`: stderr carries JSON lines only (no plain text lines).
    pub json_stderr: bool,
}

/// Runs `serve` until SIGTERM or Ctrl-C; exit code 0 after a clean stop.
pub(super) fn serve_cmd(
    paths: &Paths,
    settings: &Settings,
    rt: &Runtime,
    opts: ServeOptions,
) -> Result<i32> {
    // Checked before anything starts: a bad address or key is a clear error, not a warning.
    let webhooks = match &opts.webhooks {
        Some(addr) => Some(webhook_settings(addr, settings)?),
        None => None,
    };
    let locations = serve_locations(settings)?;
    rt.block_on(serve_async(paths, settings, &opts, &locations, webhooks))
}

/// `--webhooks ADDR` and the `[webhooks]` keys, checked.
///
/// Errors: ADDR is not `host:port` (an IP address and a port), or a configured public key is
/// not a PEM key of its kind.
fn webhook_settings(
    addr: &str,
    settings: &Settings,
) -> Result<(std::net::SocketAddr, crate::webhooks::ReceiverConfig)> {
    let sock: std::net::SocketAddr = addr.trim().parse().map_err(|_| {
        super::BadArgument(format!(
            "--webhooks {}: expected an IP address and a port, such as 127.0.0.1:8977",
            clean_line(addr)
        ))
    })?;
    let cfg = settings
        .webhooks
        .receiver_config()
        .map_err(|e| eyre!("[webhooks] in the config file: {e}"))?;
    Ok((sock, cfg))
}

/// The locations to serve: the one named (`--location`, `GHL_LOCATION_ID`, the config's
/// `location_id`) or the one of `GHL_TOKEN`; else every signed-in location; else the only
/// cached one. Errors: none of these (the message says how to sign in).
fn serve_locations(settings: &Settings) -> Result<Vec<String>> {
    if settings.token.is_some() || settings.location_id.is_some() {
        return Ok(vec![location(settings)?]);
    }
    let signed_in: Vec<String> = token_store(settings)
        .ok()
        .and_then(|s| s.load().ok())
        .map(|m| m.into_keys().collect())
        .unwrap_or_default();
    if signed_in.is_empty() {
        return Ok(vec![location(settings)?]);
    }
    Ok(signed_in)
}

/// Whether a pull or a send is under way (a stop waits for them).
#[derive(Debug, Clone, Copy, Default)]
struct Busy {
    pulling: bool,
    dispatching: bool,
}

/// One served location.
struct Served {
    location: String,
    store: Store,
    jobs: mpsc::Sender<Job>,
    busy: watch::Receiver<Busy>,
    /// The crawl, the tasks refresh and the apply loop: each ends soon after the stop.
    tasks: Vec<JoinHandle<()>>,
    /// The location's GHL client (the webhook applier resolves tasks with it).
    client: GhlClient,
    /// The worker's event channel (the webhook applier reports what it changed there).
    events: mpsc::UnboundedSender<SyncEvent>,
    /// The owner socket: CLI commands for this location run here (`crate::owner`).
    owner: Option<crate::owner::OwnerHandle>,
}

impl Served {
    /// Waits for the work in flight: the loops' current unit, then a pull or send under way.
    async fn finish(&mut self) {
        for t in self.tasks.drain(..) {
            let _ = t.await;
        }
        let _ = self.busy.wait_for(|b| !b.pulling && !b.dispatching).await;
    }
}

async fn serve_async(
    paths: &Paths,
    settings: &Settings,
    opts: &ServeOptions,
    locations: &[String],
    webhooks: Option<(std::net::SocketAddr, crate::webhooks::ReceiverConfig)>,
) -> Result<i32> {
    // Registered before any work starts, so no signal is missed.
    let mut signals = Signals::new()?;
    let (stop_tx, stop_rx) = watch::channel(false);
    // A location that cannot start (no token, its cache in use) is left out with a warning;
    // when none starts, the first reason is the error.
    let mut served = Vec::new();
    let mut first_err = None;
    for loc in locations {
        match start_location(paths, settings, opts, loc, stop_rx.clone()) {
            Ok(s) => served.push(s),
            Err(e) => {
                tracing::error!(location = %loc, error = %clean_line(&format!("{e:#}")), "location not served");
                if !opts.json_stderr && locations.len() > 1 {
                    eprintln!("warning: {loc} is not served: {e:#}");
                }
                first_err.get_or_insert(e);
            }
        }
    }
    if served.is_empty() {
        return Err(first_err.unwrap_or_else(|| eyre!("no location to serve")));
    }
    let locations: Vec<String> = served.iter().map(|s| s.location.clone()).collect();
    let receiver = match webhooks {
        Some((addr, cfg)) => {
            let locs = served
                .iter()
                .map(|s| {
                    let loc = crate::webhooks::WebhookLocation {
                        store: s.store.clone(),
                        client: Some(s.client.clone()),
                        events: Some(s.events.clone()),
                    };
                    (s.location.clone(), loc)
                })
                .collect();
            let server = crate::webhooks::serve(addr, locs, cfg)
                .await
                .map_err(|e| eyre!("--webhooks {addr}: cannot listen: {e}"))?;
            tracing::info!(addr = %server.addr(), "webhooks receiver listening");
            if !opts.json_stderr {
                eprintln!(
                    "GHL webhooks: listening on http://{} (POST / or /webhooks/ghl)",
                    server.addr()
                );
            }
            Some(server)
        }
        None => None,
    };
    // Each location's owner socket was started with its cache (`start_location`): CLI commands
    // for a served location run in this process. It stops below, before the caches are flushed.
    tracing::info!(
        locations = %locations.join(","),
        apply = opts.apply.is_some(),
        crawl = opts.crawl,
        pull_interval_secs = settings.pull_interval_secs,
        "serving"
    );
    if !opts.json_stderr {
        eprintln!(
            "serving {} location{} ({}): pull every {} s, crawl {}, apply {}; log: {}. \
             SIGTERM or Ctrl-C stops.",
            locations.len(),
            if locations.len() == 1 { "" } else { "s" },
            locations.join(", "),
            settings.pull_interval_secs,
            if opts.crawl { "on" } else { "off" },
            if opts.apply.is_some() { "on" } else { "off" },
            paths.log_file().display()
        );
    }
    let which = signals.next().await;
    tracing::info!(
        signal = which,
        "stopping: finishing the work in flight (a second signal exits at once)"
    );
    let _ = stop_tx.send(true);
    for s in &served {
        let _ = s.jobs.try_send(Job::CancelDispatch);
    }
    let finish = async {
        for s in served.iter_mut() {
            s.finish().await;
        }
    };
    tokio::select! {
        r = tokio::time::timeout(STOP_GRACE, finish) => if r.is_err() {
            tracing::warn!(grace_secs = STOP_GRACE.as_secs(), "work still in flight after the grace period; it resumes on the next start");
        },
        again = signals.next() => {
            tracing::warn!(signal = again, "second signal: exiting now; the work in flight resumes on the next start");
        }
    }
    if let Some(r) = receiver {
        // Stops taking deliveries; what was stored is applied on the next start.
        r.shutdown().await;
    }
    for s in served.iter_mut() {
        // Stops listening, removes the socket and waits for the commands it runs.
        if let Some(o) = s.owner.take() {
            tokio::task::block_in_place(|| o.stop());
        }
    }
    for s in &served {
        if let Err(e) = s.store.flush() {
            tracing::warn!(location = %s.location, error = %e, "cache not flushed");
        }
    }
    tracing::info!(signal = which, "stopped");
    if !opts.json_stderr {
        eprintln!("stopped by {which}");
    }
    Ok(0)
}

/// Opens a location's cache and starts its worker, event log, crawl and apply loop.
fn start_location(
    paths: &Paths,
    settings: &Settings,
    opts: &ServeOptions,
    loc: &str,
    stop: watch::Receiver<bool>,
) -> Result<Served> {
    let mut s = settings.clone();
    s.location_id = Some(loc.to_owned());
    let client = client(&s)?;
    let store = open_store(paths, loc)
        .map_err(|e| crate::owner::explain_locked(e, &paths.data_dir, loc))?;
    let owner = crate::owner::Owner::start(store.clone(), &paths.data_dir, loc, "serve");
    if let Some(e) = owner.listen_error() {
        tracing::warn!(location = %loc, error = %clean_line(&e.to_string()), "owner socket not listening: CLI commands for this location say the cache is in use");
    }
    let bmby = if opts.apply.is_some() {
        match super::bmby_writeback_client(&s) {
            Ok(b) => b.map(Arc::new),
            Err(e) => {
                tracing::warn!(location = %loc, error = %clean_line(&e.to_string()), "Bmby write-back is off");
                None
            }
        }
    } else {
        None
    };
    let (events_tx, events_rx) = mpsc::unbounded_channel();
    let jobs = sync::spawn_worker(
        client.clone(),
        store.clone(),
        events_tx.clone(),
        WorkerConfig {
            pull_interval: (settings.pull_interval_secs > 0)
                .then(|| Duration::from_secs(settings.pull_interval_secs)),
            pull_on_start: true,
            bmby,
            pull_overlap: settings.pull_overlap(),
        },
    );
    // Custom field definitions and the location's time zone, as the TUI loads them at start.
    let _ = jobs.try_send(Job::FetchCustomFields);
    // TUIs attached to this owner get a session on the worker, and its events.
    let hub = crate::owner::Hub::new();
    let label = match store.meta("location_name") {
        Some(n) => format!("{} ({loc})", clean_line(&n)),
        None => loc.to_owned(),
    };
    owner.set_host(crate::owner::HostConfig {
        jobs: Some(jobs.clone()),
        hub: hub.clone(),
        location_label: label,
        read_only: None,
    });
    {
        let hub = hub.clone();
        owner.set_notify(Arc::new(move |command, code| {
            hub.send(SyncEvent::ClientCommand { command, code });
        }));
    }
    let (busy_tx, busy_rx) = watch::channel(Busy::default());
    let busy_tx = Arc::new(busy_tx);
    let (pulls_tx, mut pulls_rx) = watch::channel(0u64);
    // Not awaited at the stop: it ends with the worker.
    tokio::spawn(log_events(
        loc.to_owned(),
        events_rx,
        busy_tx.clone(),
        pulls_tx,
        hub,
    ));
    let mut tasks = Vec::new();
    if opts.crawl {
        let c = CrawlCursor::load(&store);
        tracing::info!(location = %loc, pass = c.pass, done = c.done, resuming = c.running(), "crawl of tasks, notes and appointments");
        let (client, store, mut stop) = (client.clone(), store.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            // The crawl walks the cached contacts: from the end of the first pull on.
            tokio::select! {
                _ = pulls_rx.wait_for(|n| *n > 0) => {}
                _ = stop.wait_for(|s| *s) => return,
            }
            let recent = tokio::spawn(crawl::run_recent_tasks(
                client.clone(),
                store.clone(),
                crawl::RECENT_TASKS_EVERY,
                stop.clone(),
            ));
            crawl::run_crawl(client, store, crawl::DEFAULT_REST, stop).await;
            let _ = recent.await;
        }));
    }
    if let Some(every) = opts.apply {
        tasks.push(tokio::spawn(apply_loop(
            store.clone(),
            jobs.clone(),
            every,
            busy_tx,
            stop,
        )));
    }
    Ok(Served {
        location: loc.to_owned(),
        store,
        jobs,
        busy: busy_rx,
        tasks,
        client,
        events: events_tx,
        owner: Some(owner),
    })
}

/// `--apply`: every `every`, when the outbox holds approved (or in-flight) changes and no send
/// runs, asks the worker to send them all ([`Job::Dispatch`]). Ends when `stop` turns true.
async fn apply_loop(
    store: Store,
    jobs: mpsc::Sender<Job>,
    every: Duration,
    busy: Arc<watch::Sender<Busy>>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        if *stop.borrow() {
            break;
        }
        match store.changes() {
            Ok(all) => {
                let queued = all.iter().filter(|c| c.state.is_queued()).count();
                tracing::debug!(queued, "outbox checked");
                if queued > 0 && !busy.borrow().dispatching {
                    // Marked before the worker starts, so a stop right now still waits for it.
                    busy.send_modify(|b| b.dispatching = true);
                    if jobs.send(Job::Dispatch { ids: None }).await.is_err() {
                        busy.send_modify(|b| b.dispatching = false);
                        break;
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "outbox not readable"),
        }
        if crawl::rest(every, &mut stop).await {
            break;
        }
    }
}

/// Logs the worker's events and keeps [`Busy`] and the count of pulls ended (`pulls`); the
/// events go on to the TUIs attached to this process (`hub`).
async fn log_events(
    loc: String,
    mut rx: mpsc::UnboundedReceiver<SyncEvent>,
    busy: Arc<watch::Sender<Busy>>,
    pulls: watch::Sender<u64>,
    hub: crate::owner::Hub,
) {
    while let Some(ev) = rx.recv().await {
        if hub.sessions() > 0 {
            hub.send(ev.clone());
        }
        match ev {
            SyncEvent::PullStarted { full } => {
                busy.send_modify(|b| b.pulling = true);
                tracing::debug!(location = %loc, full, "pull started");
            }
            SyncEvent::PullFinished(s) => {
                busy.send_modify(|b| b.pulling = false);
                pulls.send_modify(|n| *n += 1);
                tracing::info!(location = %loc, full = s.full, fetched = s.fetched, changed = s.changed, pages = s.pages, summary = %s.describe(), "pull finished");
            }
            SyncEvent::PullFailed { message } => {
                busy.send_modify(|b| b.pulling = false);
                pulls.send_modify(|n| *n += 1);
                tracing::warn!(location = %loc, error = %clean_line(&message), "pull failed");
            }
            SyncEvent::UsersLoaded { count: Err(e) } => {
                tracing::warn!(location = %loc, error = %clean_line(&e), "users not loaded (owners show as ids)");
            }
            SyncEvent::Retrying {
                what,
                attempt,
                wait_ms,
            } => {
                tracing::info!(location = %loc, what = %clean_line(&what), attempt, wait_ms, "retrying");
            }
            SyncEvent::DispatchStarted { total } => {
                busy.send_modify(|b| b.dispatching = true);
                tracing::info!(location = %loc, total, "sending approved changes");
            }
            SyncEvent::DispatchProgress {
                change_id, state, ..
            } => {
                if state.is_queued() {
                    tracing::debug!(location = %loc, change = change_id, state = state.label(), "change still waits");
                } else {
                    tracing::info!(location = %loc, change = change_id, state = state.label(), "change sent");
                }
            }
            SyncEvent::DispatchFinished {
                applied,
                failed,
                conflicts,
                queued,
                cancelled,
            } => {
                busy.send_modify(|b| b.dispatching = false);
                tracing::info!(location = %loc, applied, failed, conflicts, queued, cancelled, "send finished");
            }
            SyncEvent::SignInNeeded { message } => {
                tracing::warn!(location = %loc, error = %clean_line(&message), "needs sign-in");
            }
            SyncEvent::Error { context, message } => {
                tracing::warn!(location = %loc, context = %clean_line(&context), error = %clean_line(&message), "error");
            }
            // Budgets, progress and per-contact notices: too chatty for a service's log.
            other => tracing::trace!(location = %loc, event = ?other, "worker event"),
        }
    }
}

/// SIGTERM and Ctrl-C (SIGINT), registered once.
struct Signals {
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
}

impl Signals {
    fn new() -> Result<Signals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Ok(Signals {
                int: signal(SignalKind::interrupt())?,
                term: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        Ok(Signals {})
    }

    /// The next signal's name: `SIGTERM` or `Ctrl-C`.
    async fn next(&mut self) -> &'static str {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.int.recv() => "Ctrl-C",
                _ = self.term.recv() => "SIGTERM",
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            "Ctrl-C"
        }
    }
}
