//! [`OAuthProvider`]: the [`TokenProvider`] for a location signed in with OAuth.
//!
//! - The access token is refreshed when it expires within [`REFRESH_MARGIN_SECS`], and once
//!   when GHL answers 401 saying it expired ([`TokenProvider::token_rejected`]).
//! - Single flight inside the process: one `tokio::sync::Mutex` around the current entry; a task
//!   that waited re-checks and finds the fresh token. Across processes: the token store's file
//!   lock, and the entry is re-read after taking it — if another process already refreshed,
//!   its tokens are adopted and nothing is sent.
//! - Order: the token endpoint answers → the new pair is written to disk (atomically) → only
//!   then is the new access token handed out. A refresh token is sent at most once.
//! - A refused refresh marks the entry `needs_sign_in` on disk and every call fails with
//!   [`GhlError::Auth`] until `bmby-ghl auth login` replaces the entry.
//! - Another process may change the store while this one runs (`auth login` again, `auth
//!   logout`): before each request the provider looks at the file's modification time and
//!   size, and when they changed it adopts the entry on disk — a new sign-in is used at once, a
//!   signed-out location fails with [`GhlError::Auth`] (nothing is sent for it).
//!
//! Crash windows (see the module docs of [`crate::auth`]) are exercised through
//! [`RefreshHook`].

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use futures::future::BoxFuture;

use super::endpoint::{EndpointError, TokenEndpoint};
use super::store::{now_secs, TokenEntry, TokenStore};
use crate::ghl::{GhlError, Secret, TokenProvider};

/// Refresh when the access token has less than this left (seconds).
pub const REFRESH_MARGIN_SECS: i64 = 300;

/// Points in a refresh where a test can make the process "crash" (the hook returns `Err`):
/// the refresh stops there and the provider's memory is as good as gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshStage {
    /// The token endpoint answered with new tokens; nothing is written yet.
    Answered,
    /// The new tokens are on disk; the new access token has not been used.
    Persisted,
}

/// A failpoint: called at each [`RefreshStage`]; an `Err(message)` aborts the refresh there.
pub type RefreshHook = Arc<dyn Fn(RefreshStage) -> Result<(), String> + Send + Sync>;

/// The OAuth token provider of one location.
pub struct OAuthProvider {
    store: TokenStore,
    location_id: String,
    endpoint: Option<Arc<TokenEndpoint>>,
    /// Why refreshing is impossible (no client id/secret configured), when it is.
    endpoint_problem: Option<String>,
    current: tokio::sync::Mutex<TokenEntry>,
    hook: Option<RefreshHook>,
    refreshes: AtomicU64,
    /// Modification time and size of the store file when last read.
    seen: std::sync::Mutex<Option<(std::time::SystemTime, u64)>>,
}

impl OAuthProvider {
    /// A provider for `entry` (as read from `store`). `endpoint` is how to refresh: `Err` says
    /// why it cannot (then the access token is used until it expires).
    pub fn new(
        store: TokenStore,
        entry: TokenEntry,
        endpoint: Result<TokenEndpoint, EndpointError>,
    ) -> OAuthProvider {
        let (endpoint, endpoint_problem) = match endpoint {
            Ok(e) => (Some(Arc::new(e)), None),
            Err(e) => (None, Some(e.to_string())),
        };
        let seen = store_path_stamp(&store);
        OAuthProvider {
            store,
            location_id: entry.location_id.clone(),
            endpoint,
            endpoint_problem,
            current: tokio::sync::Mutex::new(entry),
            hook: None,
            refreshes: AtomicU64::new(0),
            seen: std::sync::Mutex::new(seen),
        }
    }

    /// Adopts the entry on disk when the store file changed since it was last read (another
    /// process signed in again or out). `Err` when the location is no longer signed in.
    #[allow(clippy::result_large_err)] // GhlError is the crate's error here, as in `ghl`
    fn sync_with_disk(&self, cur: &mut TokenEntry) -> Result<(), GhlError> {
        let now = store_path_stamp(&self.store);
        {
            let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
            if *seen == now {
                return Ok(());
            }
            *seen = now;
        }
        match self.store.get(&self.location_id) {
            Ok(Some(e)) => {
                if e != *cur {
                    tracing::info!(location = %self.location_id, "the token store changed on disk; using its entry");
                    *cur = e;
                }
                Ok(())
            }
            Ok(None) => Err(GhlError::Auth(format!(
                "location {} is not signed in any more (signed out with `bmby-ghl auth logout`?); \
                 run `bmby-ghl auth login` to sign in again",
                self.location_id
            ))),
            // A store being rewritten is replaced atomically; an unreadable one is reported
            // by whoever writes next. Keep the token in memory.
            Err(e) => {
                tracing::warn!(error = %e, "reading the token store");
                Ok(())
            }
        }
    }

    /// Installs a failpoint (tests).
    pub fn with_hook(mut self, hook: RefreshHook) -> OAuthProvider {
        self.hook = Some(hook);
        self
    }

    /// How many refreshes this provider sent to the token endpoint.
    pub fn refresh_count(&self) -> u64 {
        self.refreshes.load(Ordering::SeqCst)
    }

    /// The entry as this provider holds it now.
    pub async fn entry(&self) -> TokenEntry {
        self.current.lock().await.clone()
    }

    fn sign_in_error(&self, reason: &str) -> GhlError {
        GhlError::Auth(format!(
            "location {} needs sign-in ({reason}); run `bmby-ghl auth login`",
            self.location_id
        ))
    }

    /// Refreshes under the lock unless the token on disk already differs from `stale` (another
    /// task or process did it). `cur` is the held in-memory entry.
    async fn refresh_locked(&self, cur: &mut TokenEntry, stale: &Secret) -> Result<(), GhlError> {
        let store = self.store.clone();
        let lock = tokio::task::spawn_blocking(move || store.lock())
            .await
            .map_err(|e| GhlError::Auth(format!("token store lock: {e}")))?
            .map_err(|e| GhlError::Auth(e.to_string()))?;
        let on_disk = self
            .store
            .get(&self.location_id)
            .map_err(|e| GhlError::Auth(e.to_string()))?
            .ok_or_else(|| {
                GhlError::Auth(format!(
                    "location {} is signed out (no entry in {})",
                    self.location_id,
                    self.store.path().display()
                ))
            })?;
        if let Some(reason) = &on_disk.needs_sign_in {
            *cur = on_disk.clone();
            return Err(self.sign_in_error(reason));
        }
        if on_disk.access_token != *stale {
            tracing::debug!(location = %self.location_id, "token already refreshed elsewhere; adopting it");
            *cur = on_disk;
            return Ok(());
        }
        let Some(endpoint) = &self.endpoint else {
            return Err(GhlError::Auth(format!(
                "the access token of {} expired and cannot be refreshed: {}",
                self.location_id,
                self.endpoint_problem
                    .as_deref()
                    .unwrap_or("no token endpoint")
            )));
        };
        tracing::info!(location = %self.location_id, "refreshing the OAuth access token");
        self.refreshes.fetch_add(1, Ordering::SeqCst);
        match endpoint.refresh(&on_disk).await {
            Ok(new) => {
                if let Some(h) = &self.hook {
                    h(RefreshStage::Answered).map_err(GhlError::Auth)?;
                }
                let mut all = self
                    .store
                    .load()
                    .map_err(|e| GhlError::Auth(e.to_string()))?;
                all.insert(self.location_id.clone(), new.clone());
                self.store
                    .save(&lock, &all)
                    .map_err(|e| GhlError::Auth(format!("saving the refreshed token: {e}")))?;
                if let Some(h) = &self.hook {
                    h(RefreshStage::Persisted).map_err(GhlError::Auth)?;
                }
                tracing::info!(location = %self.location_id, expires_at = ?new.expires_at, "OAuth token refreshed and saved");
                *cur = new;
                Ok(())
            }
            Err(EndpointError::Unavailable(m)) => {
                tracing::warn!(location = %self.location_id, error = %m, "token refresh failed; will try again");
                Err(GhlError::Transport {
                    endpoint: "POST /oauth/token".into(),
                    message: m,
                    reached: false,
                })
            }
            Err(e) => {
                let reason = format!("refresh refused: {e}");
                tracing::warn!(location = %self.location_id, %reason, "marking the location as needing sign-in");
                let mut all = self
                    .store
                    .load()
                    .map_err(|e| GhlError::Auth(e.to_string()))?;
                if let Some(x) = all.get_mut(&self.location_id) {
                    x.needs_sign_in = Some(reason.clone());
                    x.updated_at = now_secs();
                    *cur = x.clone();
                }
                self.store
                    .save(&lock, &all)
                    .map_err(|e| GhlError::Auth(e.to_string()))?;
                Err(self.sign_in_error(&reason))
            }
        }
    }
}

impl TokenProvider for OAuthProvider {
    fn access_token(&self) -> BoxFuture<'_, Result<Secret, GhlError>> {
        Box::pin(async move {
            let mut cur = self.current.lock().await;
            self.sync_with_disk(&mut cur)?;
            if let Some(reason) = cur.needs_sign_in.clone() {
                return Err(self.sign_in_error(&reason));
            }
            if cur.expires_within(now_secs(), REFRESH_MARGIN_SECS) {
                let stale = cur.access_token.clone();
                self.refresh_locked(&mut cur, &stale).await?;
            }
            Ok(cur.access_token.clone())
        })
    }

    fn token_rejected<'a>(&'a self, rejected: &'a Secret) -> BoxFuture<'a, bool> {
        Box::pin(async move {
            let mut cur = self.current.lock().await;
            if cur.access_token != *rejected {
                // Another task refreshed while this request was out.
                return cur.needs_sign_in.is_none();
            }
            match self.refresh_locked(&mut cur, rejected).await {
                Ok(()) => true,
                Err(e) => {
                    tracing::warn!(location = %self.location_id, error = %e, "no new token after a 401");
                    false
                }
            }
        })
    }

    fn kind(&self) -> &'static str {
        "OAuth (Location)"
    }
}

/// Modification time and size of the store file (`None` when it cannot be read).
fn store_path_stamp(store: &TokenStore) -> Option<(std::time::SystemTime, u64)> {
    let m = std::fs::metadata(store.path()).ok()?;
    Some((m.modified().ok()?, m.len()))
}
