//! Agency (Company) apps: an OAuth sign-in to an agency-level app gives an agency token, which
//! cannot call location endpoints; it lists the locations the app is installed on and
//! exchanges itself for a token of one of them (apps/oauth.json, `Agency-Access-Only`;
//! ghl-api.md §2.1):
//!
//! - [`TokenEndpoint::exchange_agency_code`](super::TokenEndpoint::exchange_agency_code):
//!   `POST /oauth/token` with `user_type=Company` → an [`AgencyToken`] (`companyId`, no
//!   `locationId`). It is kept in memory only: the token store holds location tokens.
//! - [`AgencyClient::installed_locations`]: `GET /oauth/installedLocations?companyId=&appId=
//!   &isInstalled=true&skip=&limit=` (scope `oauth.readonly`, `Version: 2021-07-28`), every
//!   page → `{"locations":[{"_id","name","address","isInstalled",…}],"count":N}`.
//! - [`AgencyClient::location_token`]: `POST /oauth/locationToken`, form `companyId`,
//!   `locationId` (scope `oauth.write`) → a location [`TokenEntry`] (`access_token`,
//!   `expires_in`, `scope`, `locationId`, `userId`, and `refresh_token` when GHL sends one —
//!   added to its schema on 2026-05-13). Saved like any OAuth sign-in, it is refreshed as
//!   today (`grant_type=refresh_token`); without a refresh token the location needs a new
//!   sign-in when the access token expires (a day).
//!
//! Errors are [`AgencyError`]s: a JSON refusal (400/401/403/422) is `Refused` with its status
//! and GHL's message (sanitized); no answer, a 5xx or a body that is not the documented JSON is
//! `Unavailable`. Bodies are never logged or shown whole: a success body holds tokens.

use std::time::Duration;

use serde::Deserialize;

use super::endpoint::{GhlTokenError, OAuthSettings, SCOPES};
use super::store::{now_secs, TokenEntry, TokenKind};
use crate::ghl::Secret;
use crate::sanitize::clean_line;

/// The `Version` header both endpoints require.
pub const VERSION: &str = "2021-07-28";
/// Locations asked for per page of `GET /oauth/installedLocations` (GHL's default is 20).
pub const PAGE_SIZE: u32 = 100;
/// The scopes an agency app needs besides [`SCOPES`]: listing installed locations
/// (`oauth.readonly`) and exchanging for a location token (`oauth.write`).
pub const AGENCY_SCOPES: &[&str] = &["oauth.readonly", "oauth.write"];

/// [`SCOPES`] and [`AGENCY_SCOPES`]: what the agency sign-in asks for.
pub fn agency_scopes() -> Vec<String> {
    SCOPES
        .iter()
        .chain(AGENCY_SCOPES)
        .map(|s| s.to_string())
        .collect()
}

/// The app id `GET /oauth/installedLocations` needs: `GHL_APP_ID` when set, else what
/// precedes the first `-` of the client id. **OUR CHOICE**: GHL client ids look like
/// `<appId>-<suffix>` (UNCONFIRMED); `GHL_APP_ID` overrides it. `None` without a client id.
pub fn app_id(settings: &OAuthSettings) -> Option<String> {
    if let Some(v) = std::env::var("GHL_APP_ID")
        .ok()
        .filter(|v| !v.trim().is_empty())
    {
        return Some(v.trim().to_owned());
    }
    let id = settings.client_id.as_deref()?.trim();
    let app = id.split('-').next().unwrap_or(id);
    (!app.is_empty()).then(|| app.to_owned())
}

/// An agency (Company) access token, in memory only. `Debug` never shows the token.
#[derive(Debug, Clone)]
pub struct AgencyToken {
    /// The bearer token for the agency endpoints (`access_token` of the answer).
    pub access_token: Secret,
    /// `companyId` of the token answer (sanitized).
    pub company_id: String,
    /// Granted scopes (space-split `scope`).
    pub scopes: Vec<String>,
    /// When the access token expires, Unix seconds.
    pub expires_at: i64,
}

/// A location the agency app is installed on (`InstalledLocationSchema`; text sanitized).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstalledLocation {
    /// `_id`: the location id.
    pub id: String,
    /// `name` (empty when GHL sends none).
    pub name: String,
    /// `address`, when not empty.
    pub address: Option<String>,
}

/// Why an agency call gave no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AgencyError {
    /// GHL answered and said no (HTTP `status`, its message). 401: the token is not an
    /// agency token, expired, or lacks `oauth.readonly`/`oauth.write`; 403: another company;
    /// 400/422: a parameter (app id, location) is wrong.
    #[error("GHL refused {endpoint} (HTTP {status}: {message}){}", refused_advice(*.status))]
    Refused {
        endpoint: &'static str,
        status: u16,
        message: String,
    },
    /// No usable answer (network, 5xx, not the documented JSON): nothing changed.
    #[error("{endpoint} could not be reached or gave no usable answer: {message}")]
    Unavailable {
        endpoint: &'static str,
        message: String,
    },
    /// The configuration lacks something (the app id, a URL).
    #[error("{0}")]
    Config(String),
}

fn refused_advice(status: u16) -> &'static str {
    match status {
        401 => "; sign in again with the agency app, which needs the oauth.readonly and oauth.write scopes",
        400 | 422 => "; check the app id (GHL_APP_ID) and the location",
        _ => "",
    }
}

const INSTALLED: &str = "GET /oauth/installedLocations";
const LOCATION_TOKEN: &str = "POST /oauth/locationToken";

/// Calls the agency endpoints with one agency token.
#[derive(Debug, Clone)]
pub struct AgencyClient {
    http: reqwest::Client,
    base_url: String,
    token: AgencyToken,
    app_id: String,
    page_size: u32,
}

#[derive(Deserialize)]
struct Page {
    #[serde(default)]
    locations: Vec<RawLocation>,
    #[serde(default)]
    count: Option<f64>,
}

#[derive(Deserialize)]
struct RawLocation {
    #[serde(rename = "_id")]
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    address: Option<String>,
    #[serde(default, rename = "isInstalled")]
    is_installed: Option<bool>,
}

#[derive(Deserialize)]
struct LocationTokenAnswer {
    access_token: String,
    #[serde(default)]
    expires_in: Option<f64>,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default, rename = "locationId")]
    location_id: Option<String>,
    #[serde(default, rename = "userId")]
    user_id: Option<String>,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default, rename = "refreshToken")]
    refresh_token_v3: Option<String>,
}

impl AgencyClient {
    /// A client for `base_url` (e.g. `https://services.leadconnectorhq.com`) with `token` and
    /// the app's id ([`app_id`]).
    pub fn new(
        base_url: &str,
        token: AgencyToken,
        app_id: &str,
    ) -> Result<AgencyClient, AgencyError> {
        if app_id.trim().is_empty() {
            return Err(AgencyError::Config(
                "no app id for GET /oauth/installedLocations: set GHL_APP_ID (or the client id)"
                    .into(),
            ));
        }
        let http = reqwest::Client::builder()
            .use_rustls_tls()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("bmby-ghl/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| AgencyError::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(AgencyClient {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
            token,
            app_id: app_id.trim().to_owned(),
            page_size: PAGE_SIZE,
        })
    }

    /// The same client asking for `n` locations per page (at least 1).
    pub fn with_page_size(mut self, n: u32) -> AgencyClient {
        self.page_size = n.max(1);
        self
    }

    /// The agency token's company.
    pub fn company_id(&self) -> &str {
        &self.token.company_id
    }

    /// Every location the app is installed on, in GHL's order, page after page (`skip`,
    /// `limit`) until a short or empty page or `count` reached. Locations marked
    /// `isInstalled: false` are left out.
    pub async fn installed_locations(&self) -> Result<Vec<InstalledLocation>, AgencyError> {
        let mut out = Vec::new();
        let mut skip: u64 = 0;
        // A bound against a server that never ends the list.
        for _ in 0..1000 {
            let url = format!("{}/oauth/installedLocations", self.base_url);
            let req = self
                .http
                .get(url)
                .query(&[
                    ("companyId", self.token.company_id.as_str()),
                    ("appId", self.app_id.as_str()),
                    ("isInstalled", "true"),
                    ("skip", &skip.to_string()),
                    ("limit", &self.page_size.to_string()),
                ])
                .bearer_auth(self.token.access_token.expose())
                .header("Version", VERSION)
                .header("Accept", "application/json");
            let page: Page = send(req, INSTALLED).await?;
            let n = page.locations.len() as u64;
            out.extend(
                page.locations
                    .into_iter()
                    .filter(|l| l.is_installed != Some(false))
                    .map(|l| InstalledLocation {
                        id: clean_line(&l.id),
                        name: clean_line(l.name.as_deref().unwrap_or("")),
                        address: l
                            .address
                            .map(|a| clean_line(&a))
                            .filter(|a| !a.trim().is_empty()),
                    }),
            );
            skip += n;
            let total = page.count.map(|c| c as u64);
            if n == 0 || n < self.page_size as u64 || total.is_some_and(|t| skip >= t) {
                return Ok(out);
            }
        }
        Ok(out)
    }

    /// Exchanges the agency token for a token of `location_id` (`POST /oauth/locationToken`):
    /// a location [`TokenEntry`] ready to save (its name is not filled in).
    pub async fn location_token(&self, location_id: &str) -> Result<TokenEntry, AgencyError> {
        let url = format!("{}/oauth/locationToken", self.base_url);
        let req = self
            .http
            .post(url)
            .form(&[
                ("companyId", self.token.company_id.as_str()),
                ("locationId", location_id),
            ])
            .bearer_auth(self.token.access_token.expose())
            .header("Version", VERSION)
            .header("Accept", "application/json");
        let a: LocationTokenAnswer = send(req, LOCATION_TOKEN).await?;
        let got = a.location_id.as_deref().map(clean_line);
        if let Some(g) = got.as_deref().filter(|g| *g != location_id) {
            return Err(AgencyError::Unavailable {
                endpoint: LOCATION_TOKEN,
                message: format!("the token is for location {g}, not {location_id}"),
            });
        }
        let now = now_secs();
        Ok(TokenEntry {
            location_id: location_id.to_owned(),
            location_name: None,
            company_id: Some(self.token.company_id.clone()),
            user_type: "Location".into(),
            user_id: a.user_id.map(|u| clean_line(&u)),
            scopes: a
                .scope
                .as_deref()
                .unwrap_or("")
                .split_whitespace()
                .map(clean_line)
                .collect(),
            kind: TokenKind::Oauth,
            access_token: Secret::new(a.access_token),
            refresh_token: a.refresh_token.or(a.refresh_token_v3).map(Secret::new),
            expires_at: Some(now + a.expires_in.map_or(86_399, |s| s as i64)),
            needs_sign_in: None,
            updated_at: now,
            signed_in_at: now,
        })
    }
}

/// Sends `req` and reads a JSON answer of type `T` (see the module docs for the errors).
async fn send<T: serde::de::DeserializeOwned>(
    req: reqwest::RequestBuilder,
    endpoint: &'static str,
) -> Result<T, AgencyError> {
    let unavailable = |message: String| AgencyError::Unavailable { endpoint, message };
    let resp = req.send().await.map_err(|e| {
        let mut msg = e.to_string();
        let mut src = std::error::Error::source(&e);
        while let Some(s) = src {
            msg.push_str(": ");
            msg.push_str(&clean_line(&s.to_string()));
            src = s.source();
        }
        unavailable(msg)
    })?;
    let status = resp.status().as_u16();
    let body = resp.bytes().await.map_err(|e| unavailable(e.to_string()))?;
    if (200..300).contains(&status) {
        // Not the body: it holds tokens.
        return serde_json::from_slice(&body).map_err(|e| {
            unavailable(format!(
                "the answer is not the expected JSON (line {}, column {})",
                e.line(),
                e.column()
            ))
        });
    }
    if status >= 500 {
        return Err(unavailable(format!("HTTP {status}")));
    }
    match serde_json::from_slice::<GhlTokenError>(&body) {
        Ok(e) => {
            let mut e = e;
            // The status is in the variant; the message alone here.
            e.status_code = None;
            Err(AgencyError::Refused {
                endpoint,
                status,
                message: e.to_string(),
            })
        }
        Err(_) => Err(unavailable(format!("HTTP {status} without a JSON body"))),
    }
}
