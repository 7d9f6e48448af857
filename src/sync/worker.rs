//! The background worker: takes [`Job`]s from the UI, runs them on the tokio runtime, and
//! reports [`SyncEvent`]s. Interactive jobs (one contact's details) run beside a pull instead
//! of waiting behind it; only one pull runs at a time; an incremental pull repeats on an
//! interval so edits made in GHL show up.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;

use super::pull::{fetch_custom_fields, fetch_details, pull_contacts};
use super::{Job, SyncEvent};
use crate::ghl::{ClientNotice, GhlClient};
use crate::store::Store;

/// Worker settings.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Run an incremental pull this often (`None`: only when asked).
    pub pull_interval: Option<Duration>,
    /// Start with a pull (incremental, or full when the cache has never been filled).
    pub pull_on_start: bool,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            pull_interval: Some(Duration::from_secs(60)),
            pull_on_start: true,
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
    let mut ticker = cfg.pull_interval.map(|d| {
        let mut t = tokio::time::interval_at(tokio::time::Instant::now() + d, d);
        t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        t
    });
    if cfg.pull_on_start {
        start_pull(&client, &store, &events, &pulling, false);
    }
    loop {
        let job = tokio::select! {
            j = rx.recv() => match j { Some(j) => j, None => break },
            _ = async { match ticker.as_mut() { Some(t) => { t.tick().await; } None => std::future::pending().await } } => Job::Pull { full: false },
        };
        match job {
            Job::Pull { full } => start_pull(&client, &store, &events, &pulling, full),
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
                    let r = fetch_details(&client, &store, &contact_id).await;
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
            Job::FetchCustomFields => {
                let (client, store, events) = (client.clone(), store.clone(), events.clone());
                tokio::spawn(async move {
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
        let r = pull_contacts(&client, &store, full, |p| {
            let _ = ev.send(SyncEvent::PullProgress {
                fetched: p.fetched,
                total: p.total,
            });
            if !p.ids.is_empty() {
                let _ = ev.send(SyncEvent::ContactsChanged { ids: p.ids.clone() });
            }
        })
        .await;
        *pulling.lock().expect("lock") = false;
        let _ = events.send(match r {
            Ok(s) => SyncEvent::PullFinished(s),
            Err(e) => SyncEvent::Error {
                context: "pulling contacts".into(),
                message: e.to_string(),
            },
        });
    });
}
