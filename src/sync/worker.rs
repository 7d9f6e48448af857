//! The background worker: takes [`Job`]s from the UI, runs them on the tokio runtime, and
//! reports [`SyncEvent`]s. Interactive jobs (one contact's details) run beside a pull instead
//! of waiting behind it; only one pull runs at a time; an incremental pull repeats on an
//! interval so edits made in GHL show up; a pull that succeeds refreshes the location's users
//! ([`super::users`], reported by [`SyncEvent::UsersLoaded`]). A dispatch of approved changes
//! (`Job::Dispatch`) runs as its own task, one at a time, change by change through
//! [`dispatch_one_with`] (write-backs to Bmby with [`WorkerConfig::bmby`]), reporting progress
//! after each;
//! `Job::CancelDispatch` stops it between two changes, never inside one.
//! Details fetches, and sends of at most [`INTERACTIVE_SEND`] changes, use the rate limiter's
//! interactive lane ([`crate::ghl::interactive`]): they never queue behind bulk work.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;

use super::dispatch::dispatch_one_with;
use super::pull::{fetch_custom_fields, fetch_details, pull_contacts_with};
use super::{Job, SyncEvent};
use crate::bmby::soap::BmbySoapClient;
use crate::domain::ChangeState;
use crate::ghl::{ClientNotice, GhlClient};
use crate::store::Store;

/// Worker settings.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Run an incremental pull this often (`None`: only when asked).
    pub pull_interval: Option<Duration>,
    /// Start with a pull (incremental, or full when the cache has never been filled).
    pub pull_on_start: bool,
    /// The Bmby client write-backs are dispatched with; `None`: they stay approved with
    /// [`super::dispatch::bmby::NOT_CONFIGURED`] as their error.
    pub bmby: Option<Arc<BmbySoapClient>>,
    /// Safety window of incremental pulls ([`super::pull::pull_contacts_with`]).
    pub pull_overlap: Duration,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            pull_interval: Some(Duration::from_secs(60)),
            pull_on_start: true,
            bmby: None,
            pull_overlap: super::pull::DEFAULT_OVERLAP,
        }
    }
}

/// Capacity of the job queue; a full queue means "busy" to the UI.
pub const JOB_QUEUE: usize = 64;

/// Starts the worker on the current runtime; returns the job sender. The worker stops when
/// every sender is dropped.
pub fn spawn(
    client: GhlClient,
    store: Store,
    events: mpsc::UnboundedSender<SyncEvent>,
    cfg: WorkerConfig,
) -> mpsc::Sender<Job> {
    let (tx, rx) = mpsc::channel(JOB_QUEUE);
    {
        let ev = events.clone();
        client.set_observer(move |n| {
            let _ = ev.send(match n {
                ClientNotice::Budget(b) => SyncEvent::RateLimit(b),
                ClientNotice::Retrying {
                    endpoint,
                    attempt,
                    max,
                    wait,
                    reason,
                } => SyncEvent::Retrying {
                    what: format!("{endpoint} (attempt {attempt}/{max}): {reason}"),
                    attempt,
                    wait_ms: wait.as_millis() as u64,
                },
            });
        });
    }
    tokio::spawn(run(client, store, events, cfg, rx));
    tx
}

async fn run(
    client: GhlClient,
    store: Store,
    events: mpsc::UnboundedSender<SyncEvent>,
    cfg: WorkerConfig,
    mut rx: mpsc::Receiver<Job>,
) {
    let pulling = Arc::new(Mutex::new(false));
    let fetching: Arc<Mutex<HashSet<String>>> = Arc::default();
    let dispatch = DispatchFlags::default();
    let mut ticker = cfg.pull_interval.map(|d| {
        let mut t = tokio::time::interval_at(tokio::time::Instant::now() + d, d);
        t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        t
    });
    if cfg.pull_on_start {
        start_pull(&client, &store, &events, &pulling, false, cfg.pull_overlap);
    }
    loop {
        let job = tokio::select! {
            j = rx.recv() => match j { Some(j) => j, None => break },
            _ = async { match ticker.as_mut() { Some(t) => { t.tick().await; } None => std::future::pending().await } } => Job::Pull { full: false },
        };
        match job {
            Job::Pull { full } => {
                start_pull(&client, &store, &events, &pulling, full, cfg.pull_overlap)
            }
            Job::FetchDetails { contact_id } => {
                if !fetching.lock().expect("lock").insert(contact_id.clone()) {
                    continue;
                }
                let (client, store, events, fetching) = (
                    client.clone(),
                    store.clone(),
                    events.clone(),
                    fetching.clone(),
                );
                tokio::spawn(async move {
                    // The contact on screen: before bulk work in the rate limiter.
                    let r =
                        crate::ghl::interactive(fetch_details(&client, &store, &contact_id)).await;
                    fetching.lock().expect("lock").remove(&contact_id);
                    let _ = events.send(match r {
                        Ok(()) => SyncEvent::DetailsLoaded { contact_id },
                        Err(e) => SyncEvent::Error {
                            context: format!("loading contact {contact_id}"),
                            message: e.to_string(),
                        },
                    });
                });
            }
            Job::Dispatch { ids } => {
                start_dispatch(&client, cfg.bmby.clone(), &store, &events, &dispatch, ids)
            }
            Job::CancelDispatch => {
                if dispatch.running.load(Ordering::SeqCst) {
                    dispatch.cancel.store(true, Ordering::SeqCst);
                }
            }
            Job::ProposeWriteback => {
                let (client, store, events) = (client.clone(), store.clone(), events.clone());
                let configured = cfg.bmby.is_some();
                tokio::spawn(async move {
                    let context = "proposing write-back to Bmby".to_owned();
                    if !configured {
                        let _ = events.send(SyncEvent::Error {
                            context,
                            message: super::dispatch::bmby::NOT_CONFIGURED.into(),
                        });
                        return;
                    }
                    let opts = super::writeback::WritebackOptions::default();
                    let _ = events.send(
                        match super::writeback::propose_writeback(&client, &store, opts).await {
                            Ok(s) => SyncEvent::WritebackProposed {
                                tasks: s.tasks,
                                notes: s.notes,
                                skipped: s.skipped(),
                            },
                            Err(e) => SyncEvent::Error {
                                context,
                                message: e.to_string(),
                            },
                        },
                    );
                });
            }
            Job::FetchLists => {
                let (client, store, events) = (client.clone(), store.clone(), events.clone());
                tokio::spawn(async move {
                    let errors = super::ops::refresh_lists(&client, &store)
                        .await
                        .into_iter()
                        .filter_map(|(kind, r)| r.err().map(|e| format!("{}: {e}", kind.label())))
                        .collect();
                    let _ = events.send(SyncEvent::ListsLoaded { errors });
                });
            }
            Job::FetchBusinessContacts { business_id } => {
                let (client, events) = (client.clone(), events.clone());
                tokio::spawn(async move {
                    let contact_ids = super::ops::business_contact_ids(&client, &business_id)
                        .await
                        .map_err(|e| e.to_string());
                    let _ = events.send(SyncEvent::BusinessContacts {
                        business_id,
                        contact_ids,
                    });
                });
            }
            Job::FetchCustomFields => {
                let (client, store, events) = (client.clone(), store.clone(), events.clone());
                tokio::spawn(async move {
                    // The location's zone comes with the location's definitions (appointments).
                    if let Err(e) = super::location_zone::refresh(&client, &store).await {
                        tracing::warn!(error = %e, "location time zone not loaded");
                    }
                    let _ = events.send(match fetch_custom_fields(&client, &store).await {
                        Ok(_) => SyncEvent::CustomFieldsLoaded,
                        Err(e) => SyncEvent::Error {
                            context: "loading custom field definitions".into(),
                            message: e.to_string(),
                        },
                    });
                });
            }
        }
    }
}

fn start_pull(
    client: &GhlClient,
    store: &Store,
    events: &mpsc::UnboundedSender<SyncEvent>,
    pulling: &Arc<Mutex<bool>>,
    full: bool,
    overlap: Duration,
) {
    {
        let mut p = pulling.lock().expect("lock");
        if *p {
            return;
        }
        *p = true;
    }
    let (client, store, events, pulling) = (
        client.clone(),
        store.clone(),
        events.clone(),
        pulling.clone(),
    );
    tokio::spawn(async move {
        let _ = events.send(SyncEvent::PullStarted { full });
        let ev = events.clone();
        let r = pull_contacts_with(&client, &store, full, overlap, |p| {
            let _ = ev.send(SyncEvent::PullProgress {
                fetched: p.fetched,
                total: p.total,
            });
            if !p.ids.is_empty() {
                let _ = ev.send(SyncEvent::ContactsChanged { ids: p.ids.clone() });
            }
        })
        .await;
        let ok = r.is_ok();
        if !ok {
            *pulling.lock().expect("lock") = false;
        }
        if let Err(super::pull::PullError::Ghl(g)) = &r {
            if g.kind() == crate::ghl::ErrorKind::Unauthorized {
                let _ = events.send(SyncEvent::SignInNeeded {
                    message: g.to_string(),
                });
            }
        }
        let _ = events.send(match r {
            Ok(s) => SyncEvent::PullFinished(s),
            Err(e) => SyncEvent::PullFailed {
                message: e.to_string(),
            },
        });
        if ok {
            // The users come with the contacts (names of owners and assignees); their failure
            // is reported, the pull stands.
            let count = super::users::refresh_users(&client, &store)
                .await
                .map_err(|e| e.to_string());
            *pulling.lock().expect("lock") = false;
            let _ = events.send(SyncEvent::UsersLoaded { count });
        }
    });
}

/// The running dispatch: one at a time, cancelled between two changes.
#[derive(Clone, Default)]
struct DispatchFlags {
    running: Arc<AtomicBool>,
    cancel: Arc<AtomicBool>,
}

/// Runs a dispatch as its own task (so details fetches and pulls go on beside it; the client's
/// rate limiter paces all of them together). Ignored while another dispatch runs.
fn start_dispatch(
    client: &GhlClient,
    bmby: Option<Arc<BmbySoapClient>>,
    store: &Store,
    events: &mpsc::UnboundedSender<SyncEvent>,
    flags: &DispatchFlags,
    ids: Option<Vec<u64>>,
) {
    if flags.running.swap(true, Ordering::SeqCst) {
        tracing::debug!("a dispatch is running; the new request is ignored");
        return;
    }
    flags.cancel.store(false, Ordering::SeqCst);
    let (client, store, events, flags) =
        (client.clone(), store.clone(), events.clone(), flags.clone());
    tokio::spawn(async move {
        let r = run_dispatch(&client, bmby.as_deref(), &store, &events, &flags, ids).await;
        flags.running.store(false, Ordering::SeqCst);
        flags.cancel.store(false, Ordering::SeqCst);
        let mut fin = match r {
            Ok(f) => f,
            Err((f, e)) => {
                let _ = events.send(SyncEvent::Error {
                    context: "sending changes to GHL".into(),
                    message: e.to_string(),
                });
                f
            }
        };
        if let SyncEvent::DispatchFinished { queued, .. } = &mut fin {
            *queued = store
                .changes()
                .map(|v| v.iter().filter(|c| c.state.is_queued()).count())
                .unwrap_or(*queued);
        }
        let _ = events.send(fin);
    });
}

type DispatchResult = Result<
    SyncEvent,
    (
        SyncEvent,
        Box<dyn std::error::Error + Send + Sync + 'static>,
    ),
>;

/// Sends of at most this many changes use the rate limiter's interactive lane.
pub const INTERACTIVE_SEND: usize = 10;

async fn run_dispatch(
    client: &GhlClient,
    bmby: Option<&BmbySoapClient>,
    store: &Store,
    events: &mpsc::UnboundedSender<SyncEvent>,
    flags: &DispatchFlags,
    ids: Option<Vec<u64>>,
) -> DispatchResult {
    let (mut applied, mut failed, mut conflicts, mut cancelled) = (0, 0, 0, false);
    let finished = |applied, failed, conflicts, cancelled| SyncEvent::DispatchFinished {
        applied,
        failed,
        conflicts,
        queued: 0,
        cancelled,
    };
    let queued: Vec<u64> = match store.changes() {
        Ok(all) => {
            let mut v: Vec<u64> = all
                .into_iter()
                .filter(|c| c.state.is_queued())
                .filter(|c| ids.as_ref().is_none_or(|ids| ids.contains(&c.id)))
                .map(|c| c.id)
                .collect();
            v.sort_unstable();
            v
        }
        Err(e) => return Err((finished(0, 0, 0, false), Box::new(e))),
    };
    let total = queued.len();
    let _ = events.send(SyncEvent::DispatchStarted { total });
    for (i, id) in queued.into_iter().enumerate() {
        // Only between two changes: the one being sent always finishes (the outbox keeps it
        // consistent either way, but a half-sent change would only be finished next run).
        if flags.cancel.load(Ordering::SeqCst) {
            cancelled = true;
            break;
        }
        // A send of a few changes is a person waiting on them: interactive; a large one bulk.
        let one = dispatch_one_with(client, bmby, store, id);
        let r = if total <= INTERACTIVE_SEND {
            crate::ghl::interactive(one).await
        } else {
            one.await
        };
        let state = match r {
            Ok(s) => s,
            Err(e) => return Err((finished(applied, failed, conflicts, false), Box::new(e))),
        };
        match state {
            ChangeState::Applied => applied += 1,
            ChangeState::Failed => failed += 1,
            ChangeState::Conflict => conflicts += 1,
            _ => {}
        }
        let _ = events.send(SyncEvent::DispatchProgress {
            done: i + 1,
            total,
            change_id: id,
            state,
        });
        // The cache now holds the contact as GHL answered: let the contacts list know.
        if let Some(cid) = store.outbox_info(id).ok().and_then(|o| o.contact_id) {
            let _ = events.send(SyncEvent::ContactsChanged { ids: vec![cid] });
        }
    }
    Ok(finished(applied, failed, conflicts, cancelled))
}
