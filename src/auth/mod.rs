//! Signing in to GHL locations: OAuth 2.0 (authorization-code grant with rotating refresh
//! tokens) and Private Integration Tokens, kept per location in a token store.
//!
//! - [`endpoint`]: GHL's `POST /oauth/token` through the `oauth2` crate.
//! - [`agency`]: agency apps: the installed locations and the exchange for a location token.
//! - [`flow`]: the loopback and paste finishes of `auth login`, end to end.
//! - [`login`]: the random `state`, the loopback redirect listener and the pasted redirect URL.
//! - [`store`]: `<data dir>/auth/tokens.json` (mode 0600, atomic writes, a cross-process lock).
//! - [`provider`]: the refreshing [`crate::ghl::TokenProvider`].
//!
//! # Crash safety of a refresh
//!
//! GHL's refresh tokens are single use: once `POST /oauth/token` has accepted one, only the
//! refresh token in its answer works. A refresh therefore runs in this order, under the store's
//! file lock: read the entry → send the refresh token → receive the answer → write the new pair
//! to disk (temp file, fsync, rename, fsync dir) → hand out the new access token. What a crash
//! leaves:
//!
//! | crash | on disk | next start |
//! |---|---|---|
//! | before the request is sent | the old pair (unused) | refreshes normally |
//! | after GHL answered, before the rename | the old pair, whose refresh token GHL has spent | the refresh is refused; the location is marked **needs sign-in**; `bmby-ghl auth login` restores it |
//! | after the rename | the new pair | uses the new access token; no refresh needed |
//!
//! In every case the file is whole (the rename is atomic), no token is lost silently, and the
//! cache and queued changes are untouched: only the second row needs the user, once. A stale
//! temp file (`.tokens.json.*.tmp`) from a crash mid-write is ignored and may be deleted.

pub mod agency;
pub mod endpoint;
pub mod flow;
pub mod login;
pub mod provider;
pub mod store;

use std::sync::Arc;

pub use agency::{AgencyClient, AgencyError, AgencyToken, InstalledLocation};
pub use endpoint::{EndpointError, OAuthSettings, TokenEndpoint, SCOPES};
pub use provider::{OAuthProvider, RefreshHook, RefreshStage};
pub use store::{TokenEntry, TokenKind, TokenStore};

use crate::ghl::{ClientConfig, GhlClient, PrivateIntegrationToken, TokenProvider};

/// The token provider for a stored entry: a PIT as is, OAuth with refresh.
pub fn provider_for(
    store: &TokenStore,
    entry: TokenEntry,
    oauth: &OAuthSettings,
) -> Arc<dyn TokenProvider> {
    match entry.kind {
        TokenKind::Pit => Arc::new(PrivateIntegrationToken(entry.access_token)),
        TokenKind::Oauth => Arc::new(OAuthProvider::new(
            store.clone(),
            entry,
            TokenEndpoint::new(oauth),
        )),
    }
}

/// Completes a sign-in: reads the location's name with the new token (best effort; needs
/// `locations.readonly`) and saves the entry (replacing any earlier one of that location).
pub async fn save_sign_in(
    store: &TokenStore,
    base_url: &str,
    mut entry: TokenEntry,
) -> Result<TokenEntry, store::StoreError> {
    let client = GhlClient::new(
        ClientConfig {
            max_attempts: 2,
            ..ClientConfig::new(base_url, &entry.location_id)
        },
        Arc::new(PrivateIntegrationToken(entry.access_token.clone())),
    );
    match client {
        Ok(c) => match c.location_name().await {
            // An answer without a name keeps the one the entry has (an agency app's list).
            Ok(Some(name)) => entry.location_name = Some(name),
            Ok(None) => {}
            Err(e) => {
                tracing::info!(location = %entry.location_id, error = %e, "location name not read")
            }
        },
        Err(e) => tracing::info!(error = %e, "no client for the location name"),
    }
    let now = store::now_secs();
    entry.signed_in_at = now;
    entry.updated_at = now;
    entry.needs_sign_in = None;
    let s = store.clone();
    let e = entry.clone();
    tokio::task::spawn_blocking(move || s.put(e))
        .await
        .map_err(|j| store::StoreError::Io {
            path: store.path(),
            source: std::io::Error::other(j.to_string()),
        })??;
    Ok(entry)
}
