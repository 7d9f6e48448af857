//! GHL's token endpoint through the `oauth2` crate: `POST /oauth/token` with a form body
//! (`client_id`, `client_secret`, `grant_type`, `code` | `refresh_token`, `user_type=Location`
//! — `Company` for an agency app, [`TokenEndpoint::exchange_agency_code`] —,
//! `redirect_uri`), answering `GetAccessCodeSuccessfulResponseDto` (apps/oauth.json;
//! ghl-api.md §2.1): `access_token`, `token_type`, `expires_in` (seconds), `refresh_token`,
//! `scope` (space separated), `userType`, `locationId`, `companyId`, `userId`, ….
//!
//! Any JSON error answer (400/401/422) is a refusal ([`EndpointError::Refused`]): GHL only
//! promises the status, not the words (ghl-pitfalls.md §12), and a refused refresh means the
//! user must sign in again — it is never retried in a loop. No answer, a 5xx or a non-JSON body
//! is [`EndpointError::Unavailable`]: the tokens on disk stay as they are.

use std::time::Duration;

use oauth2::basic::{
    BasicRevocationErrorResponse, BasicTokenIntrospectionResponse, BasicTokenType,
};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, EndpointNotSet, EndpointSet,
    ExtraTokenFields, RedirectUrl, RefreshToken, RequestTokenError, StandardRevocableToken,
    StandardTokenResponse, TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};

use super::store::{now_secs, TokenEntry, TokenKind};
use crate::ghl::Secret;
use crate::sanitize::clean_line;

/// The real authorization page (ghl-api.md §2.1, with `/v2/` since 2026-05-27).
pub const DEFAULT_AUTH_URL: &str = "https://marketplace.gohighlevel.com/v2/oauth/chooselocation";
/// The default redirect URI: the loopback listener of `auth login` (register it in the app).
pub const DEFAULT_REDIRECT_URI: &str = "http://127.0.0.1:8976/callback";

/// Scopes the product uses (ghl-api.md §2.3): reading contacts with their tasks, notes and
/// appointments (`contacts.readonly`), writing approved changes (`contacts.write`), the
/// custom-field definitions (`locations/customFields.readonly`) and the location's name
/// (`locations.readonly`), and the lists contact operations are chosen from: workflows
/// (`workflows.readonly`), campaigns (`campaigns.readonly`), businesses
/// (`businesses.readonly`) and users, for owners and followers (`users.readonly`), and the
/// location's tags, to complete tag names (`locations/tags.readonly`).
pub const SCOPES: &[&str] = &[
    "contacts.readonly",
    "contacts.write",
    "locations.readonly",
    "locations/customFields.readonly",
    "workflows.readonly",
    "campaigns.readonly",
    "businesses.readonly",
    "users.readonly",
    "locations/tags.readonly",
];

/// The scopes without `contacts.write` (`auth login --read-only`).
pub fn read_only_scopes() -> Vec<String> {
    SCOPES
        .iter()
        .filter(|s| **s != "contacts.write")
        .map(|s| s.to_string())
        .collect()
}

/// Where and as whom to ask for tokens. From `[ghl]` `client_id`, `client_secret`, `auth_url`,
/// `token_url`, `redirect_uri` or `GHL_CLIENT_ID`, `GHL_CLIENT_SECRET`, `GHL_AUTH_URL`,
/// `GHL_TOKEN_URL`, `GHL_REDIRECT_URI`.
#[derive(Debug, Clone, Default)]
pub struct OAuthSettings {
    pub client_id: Option<String>,
    pub client_secret: Option<Secret>,
    /// The `chooselocation` page.
    pub auth_url: String,
    /// `POST /oauth/token`, e.g. `https://services.leadconnectorhq.com/oauth/token`.
    pub token_url: String,
    /// Must equal a redirect URL registered in the GHL app. A loopback `http://127.0.0.1:PORT/…`
    /// is served by `auth login`; port 0 picks a free port (stand-in only: GHL needs the exact URL).
    pub redirect_uri: String,
}

/// GHL's extra token-response fields (camelCase beside the snake_case standard ones).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct GhlTokenFields {
    #[serde(default)]
    pub user_type: Option<String>,
    #[serde(default)]
    pub location_id: Option<String>,
    #[serde(default)]
    pub company_id: Option<String>,
    #[serde(default)]
    pub user_id: Option<String>,
}
impl ExtraTokenFields for GhlTokenFields {}

/// Any JSON error body of the token endpoint: OAuth's `error`/`error_description` or GHL's
/// NestJS `statusCode`/`message` (a string or a list).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct GhlTokenError {
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub error_description: Option<String>,
    #[serde(default)]
    pub message: Option<serde_json::Value>,
    #[serde(default, rename = "statusCode")]
    pub status_code: Option<u16>,
}

impl std::fmt::Display for GhlTokenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let msg = match &self.message {
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(serde_json::Value::Array(a)) => Some(
                a.iter()
                    .map(|v| {
                        v.as_str()
                            .map(str::to_owned)
                            .unwrap_or_else(|| v.to_string())
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            _ => None,
        };
        let parts: Vec<String> = [
            self.status_code.map(|s| format!("HTTP {s}")),
            self.error.clone(),
            self.error_description.clone(),
            msg,
        ]
        .into_iter()
        .flatten()
        .map(|s| clean_line(&s))
        .collect();
        if parts.is_empty() {
            f.write_str("refused")
        } else {
            f.write_str(&parts.join(": "))
        }
    }
}
impl std::error::Error for GhlTokenError {}
impl oauth2::ErrorResponse for GhlTokenError {}

/// The token response type.
pub type GhlTokenResponse = StandardTokenResponse<GhlTokenFields, BasicTokenType>;

type Client = oauth2::Client<
    GhlTokenError,
    GhlTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// Why the token endpoint gave no tokens.
#[derive(Debug, Clone, thiserror::Error)]
pub enum EndpointError {
    /// GHL answered and said no (invalid or used code/refresh token, suspended location, bad
    /// client credentials): sign in again.
    #[error("GHL refused the token request ({0})")]
    Refused(String),
    /// No usable answer (network, 5xx, not JSON): nothing changed, try later.
    #[error("the token endpoint could not be reached or gave no usable answer: {0}")]
    Unavailable(String),
    /// The configuration lacks something (client id/secret, a URL).
    #[error("{0}")]
    Config(String),
    /// A token answer that lacks what a location needs (`locationId`).
    #[error("unexpected token answer: {0}")]
    Unexpected(String),
}

/// A configured token endpoint (an `oauth2` client and a reqwest client that never follows
/// redirects).
pub struct TokenEndpoint {
    client: Client,
    http: reqwest::Client,
}

impl std::fmt::Debug for TokenEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenEndpoint")
            .field("token_url", &self.client.token_uri().as_str())
            .finish_non_exhaustive()
    }
}

impl TokenEndpoint {
    /// Builds the client. Errors name the missing or bad setting.
    pub fn new(s: &OAuthSettings) -> Result<TokenEndpoint, EndpointError> {
        let id = s
            .client_id
            .clone()
            .filter(|v| !v.is_empty())
            .ok_or_else(|| {
                EndpointError::Config(
                "no OAuth client id: set GHL_CLIENT_ID (or client_id under [ghl] in the config)"
                    .into(),
            )
            })?;
        let secret = s.client_secret.clone().ok_or_else(|| {
            EndpointError::Config(
                "no OAuth client secret: set GHL_CLIENT_SECRET (or client_secret under [ghl] in \
                 the config); it is never read from the command line"
                    .into(),
            )
        })?;
        let bad = |what: &str, v: &str, e: &dyn std::fmt::Display| {
            EndpointError::Config(format!("{what} {v:?} is not a valid URL: {e}"))
        };
        let client = oauth2::Client::new(ClientId::new(id))
            .set_client_secret(ClientSecret::new(secret.expose().to_owned()))
            .set_auth_type(AuthType::RequestBody)
            .set_auth_uri(
                AuthUrl::new(s.auth_url.clone()).map_err(|e| bad("auth_url", &s.auth_url, &e))?,
            )
            .set_token_uri(
                TokenUrl::new(s.token_url.clone())
                    .map_err(|e| bad("token_url", &s.token_url, &e))?,
            )
            .set_redirect_uri(
                RedirectUrl::new(s.redirect_uri.clone())
                    .map_err(|e| bad("redirect_uri", &s.redirect_uri, &e))?,
            );
        let http = reqwest::Client::builder()
            .use_rustls_tls()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("bmby-ghl/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| EndpointError::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(TokenEndpoint { client, http })
    }

    /// The same endpoint with another redirect URI (the loopback listener's real port).
    pub fn with_redirect(mut self, redirect_uri: &str) -> Result<TokenEndpoint, EndpointError> {
        let r = RedirectUrl::new(redirect_uri.to_owned()).map_err(|e| {
            EndpointError::Config(format!("redirect_uri {redirect_uri:?} is not valid: {e}"))
        })?;
        self.client = self.client.set_redirect_uri(r);
        Ok(self)
    }

    /// The authorization URL for `scopes` with `state` (`response_type=code`, `client_id`,
    /// `redirect_uri`, `scope` space separated, `state`).
    pub fn authorize_url(&self, scopes: &[String], state: &str) -> reqwest::Url {
        let state = state.to_owned();
        let (url, _) = self
            .client
            .authorize_url(move || oauth2::CsrfToken::new(state))
            .add_scopes(scopes.iter().map(|s| oauth2::Scope::new(s.clone())))
            .url();
        url
    }

    /// `grant_type=authorization_code`: the code from the redirect → a new location entry.
    pub async fn exchange_code(&self, code: &str) -> Result<TokenEntry, EndpointError> {
        let r = self
            .client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .add_extra_param("user_type", "Location")
            .request_async(&self.http)
            .await;
        let resp = map_result(r)?;
        let now = now_secs();
        entry_from(&resp, None, now)
    }

    /// `grant_type=authorization_code` with `user_type=Company` (an agency-level app): the
    /// code → an agency token ([`super::agency`]). An answer without `companyId` is
    /// [`EndpointError::Unexpected`].
    pub async fn exchange_agency_code(
        &self,
        code: &str,
    ) -> Result<super::agency::AgencyToken, EndpointError> {
        let r = self
            .client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .add_extra_param("user_type", "Company")
            .request_async(&self.http)
            .await;
        let resp = map_result(r)?;
        let company_id = resp
            .extra_fields()
            .company_id
            .as_deref()
            .map(clean_line)
            .filter(|c| !c.is_empty())
            .ok_or_else(|| {
                EndpointError::Unexpected(
                    "no companyId: this is not an agency (Company) token".into(),
                )
            })?;
        Ok(super::agency::AgencyToken {
            access_token: Secret::new(resp.access_token().secret().clone()),
            company_id,
            scopes: resp
                .scopes()
                .map(|s| s.iter().map(|s| clean_line(s.as_str())).collect())
                .unwrap_or_default(),
            expires_at: now_secs() + resp.expires_in().map_or(86_399, |d| d.as_secs() as i64),
        })
    }

    /// `grant_type=refresh_token`: the stored entry's refresh token → the entry with the new
    /// access and refresh tokens (the old refresh token is spent once this is sent).
    pub async fn refresh(&self, old: &TokenEntry) -> Result<TokenEntry, EndpointError> {
        let rt = old.refresh_token.as_ref().ok_or_else(|| {
            EndpointError::Refused(format!("no refresh token stored for {}", old.location_id))
        })?;
        let rt = RefreshToken::new(rt.expose().to_owned());
        let r = self
            .client
            .exchange_refresh_token(&rt)
            .add_extra_param("user_type", "Location")
            .request_async(&self.http)
            .await;
        let resp = map_result(r)?;
        entry_from(&resp, Some(old), now_secs())
    }
}

fn map_result<RE: std::error::Error + 'static>(
    r: Result<GhlTokenResponse, RequestTokenError<RE, GhlTokenError>>,
) -> Result<GhlTokenResponse, EndpointError> {
    match r {
        Ok(t) => Ok(t),
        Err(RequestTokenError::ServerResponse(e)) => {
            if e.status_code.is_some_and(|s| s >= 500) {
                Err(EndpointError::Unavailable(e.to_string()))
            } else {
                let m = e.to_string();
                let advice = if m.contains("invalid_client") {
                    "; check GHL_CLIENT_ID and GHL_CLIENT_SECRET (or client_id / client_secret under [ghl])"
                } else if m.contains("invalid_grant") {
                    "; run `bmby-ghl auth login` again"
                } else {
                    ""
                };
                Err(EndpointError::Refused(format!("{m}{advice}")))
            }
        }
        Err(RequestTokenError::Request(e)) => {
            // The chain says what failed (connect, timeout); it holds no form fields.
            let mut msg = e.to_string();
            let mut src = std::error::Error::source(&e);
            while let Some(s) = src {
                msg.push_str(": ");
                msg.push_str(&clean_line(&s.to_string()));
                src = s.source();
            }
            msg.push_str(" (is the token URL right? GHL_TOKEN_URL / token_url under [ghl])");
            Err(EndpointError::Unavailable(msg))
        }
        // The body is not logged or shown: a success body holds tokens.
        Err(RequestTokenError::Parse(e, _)) => Err(EndpointError::Unavailable(format!(
            "the answer is not the expected JSON (at {})",
            e.path()
        ))),
        Err(RequestTokenError::Other(m)) => Err(EndpointError::Unavailable(clean_line(&m))),
    }
}

fn entry_from(
    r: &GhlTokenResponse,
    old: Option<&TokenEntry>,
    now: i64,
) -> Result<TokenEntry, EndpointError> {
    let x = r.extra_fields();
    let location_id = x
        .location_id
        .clone()
        .map(|l| clean_line(&l))
        .or_else(|| old.map(|o| o.location_id.clone()))
        .ok_or_else(|| {
            EndpointError::Unexpected(
                "no locationId: this is an agency (Company) token; sign in to a sub-account".into(),
            )
        })?;
    if let Some(o) = old {
        if o.location_id != location_id {
            return Err(EndpointError::Unexpected(format!(
                "the refreshed token is for location {location_id}, not {}",
                o.location_id
            )));
        }
    }
    let scopes = match r.scopes() {
        Some(s) => s.iter().map(|s| clean_line(s.as_str())).collect(),
        None => old.map(|o| o.scopes.clone()).unwrap_or_default(),
    };
    Ok(TokenEntry {
        location_id,
        location_name: old.and_then(|o| o.location_name.clone()),
        company_id: x
            .company_id
            .clone()
            .map(|c| clean_line(&c))
            .or_else(|| old.and_then(|o| o.company_id.clone())),
        user_type: x
            .user_type
            .clone()
            .map(|u| clean_line(&u))
            .unwrap_or_else(|| "Location".into()),
        user_id: x
            .user_id
            .clone()
            .map(|u| clean_line(&u))
            .or_else(|| old.and_then(|o| o.user_id.clone())),
        scopes,
        kind: TokenKind::Oauth,
        access_token: Secret::new(r.access_token().secret().clone()),
        // GHL rotates it; should an answer lack one, the old one is kept (it may still work).
        refresh_token: r
            .refresh_token()
            .map(|t| Secret::new(t.secret().clone()))
            .or_else(|| old.and_then(|o| o.refresh_token.clone())),
        expires_at: Some(now + r.expires_in().map_or(86_399, |d| d.as_secs() as i64)),
        needs_sign_in: None,
        updated_at: now,
        signed_in_at: old.map_or(now, |o| o.signed_in_at),
    })
}
