//! The two ways `bmby-ghl auth login` finishes the OAuth authorization-code grant, without any
//! terminal handling (the caller shows the URL and reads what the user pastes):
//!
//! - [`loopback`]: listen on the `127.0.0.1` redirect URI; the browser brings the code back.
//! - [`paste`]: for SSH sessions with no browser; the user opens the URL elsewhere and pastes
//!   the redirect URL (or the bare code).
//!
//! Both: a fresh random `state` per attempt, `POST /oauth/token` with `user_type=Location`, the
//! location's name read with the new token, and the entry saved to the token store.

use std::time::Duration;

use super::endpoint::{EndpointError, OAuthSettings, TokenEndpoint};
use super::login::{new_state, parse_pasted, FinishError, Listener};
use super::store::{StoreError, TokenEntry, TokenStore};

/// What a login needs besides the OAuth settings.
#[derive(Debug, Clone)]
pub struct LoginOptions {
    /// Scopes to ask for (see [`super::SCOPES`]).
    pub scopes: Vec<String>,
    /// How long the loopback listener waits for the redirect.
    pub timeout: Duration,
    /// The API base URL (for `GET /locations/{id}` with the new token).
    pub base_url: String,
}

/// Why a sign-in did not complete.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error(transparent)]
    Finish(#[from] FinishError),
    #[error(transparent)]
    Endpoint(#[from] EndpointError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Config(String),
}

/// Parses the configured redirect URI for the loopback listener: `http`, host `127.0.0.1` or
/// `localhost`; returns (port, path).
pub fn loopback_target(redirect_uri: &str) -> Result<(u16, String), LoginError> {
    let u = reqwest::Url::parse(redirect_uri).map_err(|e| {
        LoginError::Config(format!("redirect_uri {redirect_uri:?} is not a URL: {e}"))
    })?;
    if u.scheme() != "http" || !matches!(u.host_str(), Some("127.0.0.1") | Some("localhost")) {
        return Err(LoginError::Config(format!(
            "redirect_uri {redirect_uri} is not a loopback http URL, so no listener can receive \
             it here: use `bmby-ghl auth login --no-browser` and paste the redirect URL"
        )));
    }
    Ok((u.port().unwrap_or(80), u.path().to_owned()))
}

/// Loopback finish: binds the listener (port 0 in the redirect URI = any free port), calls
/// `show_url` with the authorization URL, waits for the redirect, exchanges the code, saves.
pub async fn loopback(
    settings: &OAuthSettings,
    store: &TokenStore,
    opts: &LoginOptions,
    show_url: impl FnOnce(&str),
) -> Result<TokenEntry, LoginError> {
    let (port, path) = loopback_target(&settings.redirect_uri)?;
    let state = new_state();
    let listener = Listener::bind(port, &path, &state).await?;
    let mut redirect = reqwest::Url::parse(&settings.redirect_uri)
        .map_err(|e| LoginError::Config(e.to_string()))?;
    // `localhost` could resolve to ::1, where nothing listens: always name 127.0.0.1 when
    // the port was chosen here; otherwise keep the registered URI exactly.
    if port == 0 {
        let _ = redirect.set_host(Some("127.0.0.1"));
        let _ = redirect.set_port(Some(listener.addr().port()));
    }
    let endpoint = TokenEndpoint::new(settings)?.with_redirect(redirect.as_str())?;
    let url = endpoint.authorize_url(&opts.scopes, &state);
    show_url(url.as_str());
    let code = listener.wait(opts.timeout).await?;
    finish(&endpoint, store, opts, &code).await
}

/// Paste finish: calls `show_url`, then `read_pasted` for what the user pasted (a redirect URL
/// with the matching `state`, or the bare code), exchanges the code, saves.
pub async fn paste(
    settings: &OAuthSettings,
    store: &TokenStore,
    opts: &LoginOptions,
    show_url: impl FnOnce(&str),
    read_pasted: impl std::future::Future<Output = std::io::Result<String>>,
) -> Result<TokenEntry, LoginError> {
    let state = new_state();
    let endpoint = TokenEndpoint::new(settings)?;
    let url = endpoint.authorize_url(&opts.scopes, &state);
    show_url(url.as_str());
    let line = read_pasted
        .await
        .map_err(|e| LoginError::Config(format!("reading the pasted redirect URL: {e}")))?;
    let code = parse_pasted(&line, &state)?;
    finish(&endpoint, store, opts, &code).await
}

async fn finish(
    endpoint: &TokenEndpoint,
    store: &TokenStore,
    opts: &LoginOptions,
    code: &str,
) -> Result<TokenEntry, LoginError> {
    let entry = endpoint.exchange_code(code).await?;
    tracing::info!(location = %entry.location_id, scopes = ?entry.scopes, "OAuth sign-in: token received");
    Ok(super::save_sign_in(store, &opts.base_url, entry).await?)
}
