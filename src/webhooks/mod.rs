//! GHL webhooks: a receiver that verifies and durably stores each delivery, and an applier
//! that brings the cache up to date from them (issue 12, item 3). No UI here.
//!
//! - [`verify`]: signatures over the raw body (`X-GHL-Signature` Ed25519, legacy
//!   `X-WH-Signature` RSA), the `timestamp` window;
//! - [`events`]: the 14 event types as typed, sanitized values;
//! - [`receiver`]: the axum endpoint (size limit, 4xx for refusals, 429 when it cannot store);
//! - [`apply`]: inbox → cache, in order per record, idempotent, recorded as recent changes.
//!
//! [`serve`] runs both for several locations on one address; `bmby-ghl serve --webhooks ADDR`
//! calls it. TLS belongs to a reverse proxy in front (README, *GHL webhooks*).

pub mod apply;
pub mod config;
pub mod events;
pub mod receiver;
pub mod verify;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc::UnboundedSender, watch, Notify};
use tokio::task::JoinHandle;

pub use apply::{apply_pending, ApplyReport};
pub use events::{EventKind, WebhookEvent};
pub use receiver::{Receiver, ReceiverConfig, ReceiverLocation, StoreSink, WebhookSink};
pub use verify::{SignatureKind, VerifyError, WebhookKeys};

use crate::ghl::GhlClient;
use crate::store::Store;
use crate::sync::SyncEvent;

/// One location served by [`serve`].
#[derive(Clone)]
pub struct WebhookLocation {
    /// The location's cache: deliveries are stored in its inbox and applied to it.
    pub store: Store,
    /// Resolves a TaskCreate without `contactId` (task search); `None`: such tasks are dropped.
    pub client: Option<GhlClient>,
    /// Told what changed ([`SyncEvent::ContactsChanged`], [`SyncEvent::DetailsLoaded`]).
    pub events: Option<UnboundedSender<SyncEvent>>,
}

/// How often the applier looks at the inbox without being woken (a delivery left by a crash,
/// or one that failed to apply): 5 s. Seen `webhookId`s are pruned hourly.
pub const APPLY_INTERVAL: Duration = Duration::from_secs(5);

/// The running receiver and appliers. Dropping it stops them.
pub struct WebhookServer {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl WebhookServer {
    /// The address bound (the port chosen when asked for port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR/`, where GHL (or the stand-in) delivers.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Stops accepting deliveries, lets the appliers finish their round, and waits.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        for t in self.tasks.drain(..) {
            let _ = t.await;
        }
    }
}

impl Drop for WebhookServer {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// Binds `addr` (where told: a reverse proxy terminates TLS in front) and runs the receiver for
/// `locations` (location id → cache, client, listener) plus one applier per location, on the
/// current tokio runtime. Deliveries for other locations get 404.
///
/// Errors: the address cannot be bound.
pub async fn serve(
    addr: SocketAddr,
    locations: HashMap<String, WebhookLocation>,
    cfg: ReceiverConfig,
) -> std::io::Result<WebhookServer> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let (stop, stop_rx) = watch::channel(false);
    let mut tasks = Vec::new();
    let mut recv = HashMap::new();
    for (id, loc) in locations {
        let wake = Arc::new(Notify::new());
        recv.insert(
            id.clone(),
            ReceiverLocation {
                sink: Arc::new(receiver::StoreSink::new(loc.store.clone())),
                wake: wake.clone(),
            },
        );
        tasks.push(tokio::spawn(applier(loc, wake, stop_rx.clone())));
    }
    let app = Receiver::new(cfg, recv).router();
    let mut rx = stop_rx;
    tasks.insert(
        0,
        tokio::spawn(async move {
            let shutdown = async move {
                let _ = rx.wait_for(|s| *s).await;
            };
            if let Err(e) = axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
            {
                tracing::warn!("webhook receiver stopped: {e}");
            }
        }),
    );
    tracing::info!(%addr, "webhook receiver listening");
    Ok(WebhookServer { addr, stop, tasks })
}

/// Applies a location's inbox whenever a delivery is stored, every [`APPLY_INTERVAL`], and once
/// more when stopped.
async fn applier(loc: WebhookLocation, wake: Arc<Notify>, mut stop: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(APPLY_INTERVAL);
    let mut last_prune = std::time::Instant::now();
    loop {
        let stopping = tokio::select! {
            _ = wake.notified() => false,
            _ = tick.tick() => false,
            _ = stop.wait_for(|s| *s) => true,
        };
        match apply_pending(&loc.store, loc.client.as_ref(), loc.events.as_ref()).await {
            Ok(r) if r.applied + r.older + r.dropped > 0 => {
                tracing::info!(
                    applied = r.applied,
                    older = r.older,
                    dropped = r.dropped,
                    "webhooks applied"
                )
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "webhooks not applied; retrying"),
        }
        if last_prune.elapsed() > Duration::from_secs(3600) {
            last_prune = std::time::Instant::now();
            if let Err(e) = loc.store.prune_webhook_seen(jiff::Timestamp::now()) {
                tracing::warn!(error = %e, "seen webhook ids not pruned");
            }
        }
        if stopping {
            return;
        }
    }
}
