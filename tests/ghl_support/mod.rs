//! The GHL client the dispatch tests use against the stand-in: the demo location's Private
//! Integration Token, and backoff in milliseconds so retries under faults stay quick.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use bmby_ghl::ghl::{ClientConfig, GhlClient, PrivateIntegrationToken, Secret};
use bmby_ghl::sandbox::{DEMO_LOCATION_ID, DEMO_TOKEN};

/// A client of the stand-in at `base_url` for the demo location, with 2–20 ms backoff.
pub fn fast_client(base_url: &str) -> GhlClient {
    let mut cfg = ClientConfig::new(base_url, DEMO_LOCATION_ID);
    cfg.backoff_base = Duration::from_millis(2);
    cfg.backoff_cap = Duration::from_millis(20);
    GhlClient::new(
        cfg,
        Arc::new(PrivateIntegrationToken(Secret::new(DEMO_TOKEN))),
    )
    .expect("a GHL client")
}
