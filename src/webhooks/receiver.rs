//! The HTTP endpoint GHL delivers webhooks to: an axum [`Router`] answering `POST /` (and
//! `POST /webhooks/ghl`, for a reverse proxy that keeps the path).
//!
//! For each delivery, in this order (each refusal is a 4xx and one `warn` log line naming the
//! reason, never the body or a signature; nothing of a refused body is stored):
//! 1. body over [`ReceiverConfig::max_body`] → 413;
//! 2. signature ([`super::verify::verify_signature`]) missing or wrong → 401;
//! 3. not JSON, or no `type`/`locationId`/`webhookId`/`timestamp` → 400;
//!    a `type` we do not handle (INSTALL, OpportunityCreate, …) → 200, ignored (**OUR CHOICE**:
//!    it is GHL's, verified, and not ours to refuse);
//! 4. `timestamp` outside the window ([`super::verify::check_timestamp`]) → 400;
//! 5. `locationId` not served here → 404;
//! 6. stored in the location's inbox and flushed ([`WebhookSink::store`]) → 200 `stored`;
//!    its `webhookId` seen before → 200 `duplicate`, nothing stored (**OUR CHOICE**: a 2xx,
//!    because we do hold the event; GHL does not retry a 4xx either way);
//!    the store fails → **429**, the one answer GHL retries on (ghl-api.md §9).
//!
//! A stored delivery wakes the location's applier ([`super::apply`]).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use futures::future::BoxFuture;
use jiff::Timestamp;
use tokio::sync::Notify;

use super::events::{envelope, EventError};
use super::verify::{
    check_timestamp, verify_signature, WebhookKeys, DEFAULT_MAX_AGE, DEFAULT_MAX_SKEW,
    HEADER_ED25519, HEADER_RSA,
};
use crate::store::{PutWebhook, Store, StoreError};

/// Largest body accepted: 256 KiB. **OUR CHOICE**: GHL's largest documented payload (a contact
/// with custom fields) is a few KiB.
pub const DEFAULT_MAX_BODY: usize = 256 * 1024;

/// Settings of the receiver.
#[derive(Debug, Clone)]
pub struct ReceiverConfig {
    /// The public keys signatures are checked with (default: GHL's published keys).
    pub keys: WebhookKeys,
    /// Largest body accepted, bytes.
    pub max_body: usize,
    /// How old a `timestamp` may be.
    pub max_age: Duration,
    /// How far ahead a `timestamp` may be.
    pub max_skew: Duration,
}

impl Default for ReceiverConfig {
    fn default() -> Self {
        ReceiverConfig {
            keys: WebhookKeys::default(),
            max_body: DEFAULT_MAX_BODY,
            max_age: DEFAULT_MAX_AGE,
            max_skew: DEFAULT_MAX_SKEW,
        }
    }
}

/// Where a location's verified deliveries go: its cache's inbox ([`Store`] implements it).
pub trait WebhookSink: Send + Sync {
    /// Stores a delivery durably (written and flushed) unless its `webhook_id` was seen.
    ///
    /// Errors: the store cannot take it (the receiver answers 429).
    fn store<'a>(
        &'a self,
        webhook_id: &'a str,
        received: Timestamp,
        body: &'a str,
    ) -> BoxFuture<'a, Result<PutWebhook, StoreError>>;
}

impl WebhookSink for Store {
    /// Writes and flushes, one flush per delivery. [`StoreSink`] shares flushes.
    fn store<'a>(
        &'a self,
        webhook_id: &'a str,
        received: Timestamp,
        body: &'a str,
    ) -> BoxFuture<'a, Result<PutWebhook, StoreError>> {
        Box::pin(async move {
            let put = self.put_webhook(webhook_id, received, body)?;
            if matches!(put, PutWebhook::Stored(_)) {
                self.flush_webhooks().await?;
            }
            Ok(put)
        })
    }
}

/// A location's cache as a [`WebhookSink`] with group commit: deliveries stored while a flush
/// runs share the next one, so concurrent deliveries cost one fsync between them instead of
/// one each. Each is still answered only after a flush that began after its write.
pub struct StoreSink {
    store: Store,
    /// Writes done / writes known flushed (counters, not ids).
    written: std::sync::atomic::AtomicU64,
    flushed: std::sync::atomic::AtomicU64,
    flushing: tokio::sync::Mutex<()>,
}

impl StoreSink {
    /// Wraps a location's cache.
    pub fn new(store: Store) -> StoreSink {
        StoreSink {
            store,
            written: Default::default(),
            flushed: Default::default(),
            flushing: tokio::sync::Mutex::new(()),
        }
    }

    async fn flush_past(&self, mine: u64) -> Result<(), StoreError> {
        use std::sync::atomic::Ordering::SeqCst;
        if self.flushed.load(SeqCst) >= mine {
            return Ok(());
        }
        let _turn = self.flushing.lock().await;
        if self.flushed.load(SeqCst) >= mine {
            return Ok(());
        }
        let upto = self.written.load(SeqCst);
        self.store.flush_webhooks().await?;
        self.flushed.fetch_max(upto, SeqCst);
        Ok(())
    }
}

impl WebhookSink for StoreSink {
    fn store<'a>(
        &'a self,
        webhook_id: &'a str,
        received: Timestamp,
        body: &'a str,
    ) -> BoxFuture<'a, Result<PutWebhook, StoreError>> {
        Box::pin(async move {
            let put = self.store.put_webhook(webhook_id, received, body)?;
            if matches!(put, PutWebhook::Stored(_)) {
                let mine = self
                    .written
                    .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
                    + 1;
                self.flush_past(mine).await?;
            }
            Ok(put)
        })
    }
}

/// One location the receiver serves.
#[derive(Clone)]
pub struct ReceiverLocation {
    pub sink: Arc<dyn WebhookSink>,
    /// Notified after each stored delivery (the applier waits on it).
    pub wake: Arc<Notify>,
}

/// The receiver's state: settings and the locations by id.
#[derive(Clone)]
pub struct Receiver {
    cfg: Arc<ReceiverConfig>,
    locations: Arc<HashMap<String, ReceiverLocation>>,
}

impl Receiver {
    /// A receiver for `locations` (location id → sink and wake-up).
    pub fn new(cfg: ReceiverConfig, locations: HashMap<String, ReceiverLocation>) -> Receiver {
        Receiver {
            cfg: Arc::new(cfg),
            locations: Arc::new(locations),
        }
    }

    /// The axum router: `POST /` and `POST /webhooks/ghl`, bodies limited to
    /// [`ReceiverConfig::max_body`].
    pub fn router(self) -> Router {
        let limit = self.cfg.max_body;
        Router::new()
            .route("/", post(receive))
            .route("/webhooks/ghl", post(receive))
            .layer(DefaultBodyLimit::max(limit))
            .with_state(self)
    }

    /// Handles one delivery: the status and a short plain-text answer (see the module docs).
    pub async fn handle(&self, headers: &HeaderMap, body: &[u8]) -> (StatusCode, &'static str) {
        if body.len() > self.cfg.max_body {
            tracing::warn!(
                bytes = body.len(),
                "webhook refused: body over the size limit"
            );
            return (StatusCode::PAYLOAD_TOO_LARGE, "too large");
        }
        let h = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        if let Err(e) = verify_signature(&self.cfg.keys, body, h(HEADER_ED25519), h(HEADER_RSA)) {
            tracing::warn!(reason = %e, "webhook refused: signature");
            return (StatusCode::UNAUTHORIZED, "bad signature");
        }
        let Ok(json) = serde_json::from_slice::<serde_json::Value>(body) else {
            tracing::warn!("webhook refused: body is not JSON");
            return (StatusCode::BAD_REQUEST, "not json");
        };
        let env = match envelope(&json) {
            Ok(e) => e,
            Err(EventError::UnknownType(t)) => {
                tracing::debug!(r#type = %t, "webhook ignored: event type not handled");
                return (StatusCode::OK, "ignored");
            }
            Err(e) => {
                tracing::warn!(reason = %e, "webhook refused");
                return (StatusCode::BAD_REQUEST, "bad event");
            }
        };
        let now = Timestamp::now();
        if let Err(e) = check_timestamp(
            Some(&env.timestamp),
            now,
            self.cfg.max_age,
            self.cfg.max_skew,
        ) {
            tracing::warn!(webhook_id = %env.webhook_id, reason = %e, "webhook refused: timestamp");
            return (StatusCode::BAD_REQUEST, "stale");
        }
        let Some(loc) = self.locations.get(&env.location_id) else {
            tracing::warn!(location = %env.location_id, r#type = env.kind.name(), "webhook refused: location not served here");
            return (StatusCode::NOT_FOUND, "unknown location");
        };
        // The body is valid UTF-8: it parsed as JSON.
        let text = std::str::from_utf8(body).unwrap_or_default();
        match loc.sink.store(&env.webhook_id, now, text).await {
            Ok(PutWebhook::Stored(_)) => {
                loc.wake.notify_one();
                tracing::debug!(webhook_id = %env.webhook_id, r#type = env.kind.name(), "webhook stored");
                (StatusCode::OK, "stored")
            }
            Ok(PutWebhook::Duplicate) => {
                tracing::info!(webhook_id = %env.webhook_id, "webhook repeated: already received");
                (StatusCode::OK, "duplicate")
            }
            Err(e) => {
                tracing::warn!(location = %env.location_id, error = %e, "webhook not stored: answering 429 so GHL retries");
                (StatusCode::TOO_MANY_REQUESTS, "try again")
            }
        }
    }
}

async fn receive(
    State(r): State<Receiver>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> (StatusCode, &'static str) {
    match body {
        Ok(b) => r.handle(&headers, &b).await,
        Err(e) => {
            tracing::warn!(status = %e.status(), "webhook refused: body unreadable or over the size limit");
            (e.status(), "refused")
        }
    }
}
