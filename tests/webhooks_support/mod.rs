//! Shared by the webhook tests: a receiver on a loopback port in front of a cache, and the GHL
//! stand-in delivering its changes to it.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use bmby_ghl::sandbox::webhooks::{test_keys, SandboxWebhooks};
use bmby_ghl::sandbox::{Sandbox, SandboxConfig, Seed, DEMO_LOCATION_ID};
use bmby_ghl::store::Store;
use bmby_ghl::webhooks::{Receiver, ReceiverConfig, ReceiverLocation, WebhookSink};
use tokio::sync::Notify;

pub use crate::ghl_support::fast_client;

/// The receiver's settings for the stand-in: its test keys.
pub fn test_cfg() -> ReceiverConfig {
    ReceiverConfig {
        keys: test_keys(),
        ..Default::default()
    }
}

/// Serves a [`Receiver`] for `DEMO_LOCATION_ID` → `sink` on a loopback port; its URL.
pub async fn receiver(cfg: ReceiverConfig, sink: Arc<dyn WebhookSink>) -> String {
    let mut m = HashMap::new();
    m.insert(
        DEMO_LOCATION_ID.to_owned(),
        ReceiverLocation {
            sink,
            wake: Arc::new(Notify::new()),
        },
    );
    let app = Receiver::new(cfg, m).router();
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
    format!("http://{addr}/")
}

/// A cache with a receiver in front, and the stand-in (`contacts` generated contacts)
/// delivering to it, after a full pull.
pub struct World {
    pub sb: Sandbox,
    pub store: Store,
    pub url: String,
    pub _dir: tempfile::TempDir,
}

impl World {
    pub async fn start(contacts: usize) -> World {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();
        let url = receiver(
            test_cfg(),
            Arc::new(bmby_ghl::webhooks::StoreSink::new(store.clone())),
        )
        .await;
        let mut hooks = SandboxWebhooks::to(url.clone());
        hooks.retry_delay = Duration::from_millis(10);
        let sb = Sandbox::start(SandboxConfig {
            seed: Seed::Generated { contacts },
            webhooks: Some(hooks),
            ..Default::default()
        })
        .await
        .unwrap();
        let c = fast_client(&sb.base_url());
        bmby_ghl::sync::pull_contacts(&c, &store, true, |_| {})
            .await
            .unwrap();
        World {
            sb,
            store,
            url,
            _dir: dir,
        }
    }

    /// Fetches a contact's tasks, notes and appointments into the cache (as opening it does).
    pub async fn open(&self, id: &str) {
        let c = fast_client(&self.sb.base_url());
        bmby_ghl::sync::fetch_details(&c, &self.store, id)
            .await
            .unwrap();
    }

    /// Waits until the stand-in delivered every change so far, then applies the inbox.
    pub async fn deliver_and_apply(&self) -> bmby_ghl::webhooks::ApplyReport {
        self.sb.webhooks().unwrap().settled().await;
        bmby_ghl::webhooks::apply_pending(&self.store, None, None)
            .await
            .unwrap()
    }

    /// The ids of the cached contacts, sorted.
    pub fn ids(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .store
            .contact_rows()
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect();
        v.sort();
        v
    }
}
