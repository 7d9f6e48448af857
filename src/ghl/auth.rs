//! Where the client gets its bearer token. One small interface so OAuth (access token +
//! refresh) can plug in beside the Private Integration Token.

use futures::future::BoxFuture;

use super::{GhlError, Secret};

/// Supplies the bearer token for `Authorization: Bearer …`.
pub trait TokenProvider: Send + Sync + 'static {
    /// The token to send now (an OAuth provider refreshes here when it is about to expire).
    fn access_token(&self) -> BoxFuture<'_, Result<Secret, GhlError>>;
    /// Called once per request when GHL answered 401 saying `rejected` (the token that request
    /// carried) expired; returns true when a new token is available and the request should be
    /// sent again. Knowing which token was rejected lets many requests that failed together
    /// cause one refresh: those that see a newer token just retry.
    fn token_rejected<'a>(&'a self, rejected: &'a Secret) -> BoxFuture<'a, bool> {
        let _ = rejected;
        Box::pin(async { false })
    }
    /// For status lines: `Private Integration Token`, `OAuth (Location)`.
    fn kind(&self) -> &'static str;
}

/// A GHL Private Integration Token (static; GHL does not refresh it).
pub struct PrivateIntegrationToken(pub Secret);

impl TokenProvider for PrivateIntegrationToken {
    fn access_token(&self) -> BoxFuture<'_, Result<Secret, GhlError>> {
        let t = self.0.clone();
        Box::pin(async move { Ok(t) })
    }
    fn kind(&self) -> &'static str {
        "Private Integration Token"
    }
}
