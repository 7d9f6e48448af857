//! The stand-in's OAuth 2.0 side (apps/oauth.json; ghl-api.md §2.1): an authorization page
//! that approves at once, and the token endpoint.
//!
//! - `GET /oauth/chooselocation` (also `/v2/oauth/chooselocation`) with `response_type=code`,
//!   `client_id`, `redirect_uri`, `scope` (space separated), optional `state` → `302` to
//!   `redirect_uri?code=…&state=…`. **OUR CHOICE**: it auto-approves every requested scope it
//!   knows, for the location named by the stand-in-only parameter `location_id` (what a person
//!   would pick on GHL's page) or else the first location; the redirect URI must be a loopback
//!   `http` URL. Errors → 400 text.
//! - `POST /oauth/token`, form body `client_id`, `client_secret`, `grant_type`
//!   (`authorization_code` | `refresh_token`), `code` | `refresh_token`, `user_type`,
//!   `redirect_uri` → 200 `GetAccessCodeSuccessfulResponseDto` (`access_token`, `token_type`,
//!   `expires_in`, `refresh_token`, `scope`, `userType`, `locationId`, `companyId`,
//!   `approvedLocations`, `userId`, `planId`, `isBulkInstallation`).
//!   Codes are single use (10 minutes). Refresh tokens rotate and are single use: a used one
//!   gets 400. **OUR CHOICE** for error bodies (GHL's are unconfirmed): NestJS shape plus OAuth's
//!   `error`, e.g. `{"statusCode":400,"error":"invalid_grant","message":"Invalid grant: refresh
//!   token is invalid or was already used"}`; bad client credentials → 401 `invalid_client`;
//!   `user_type` other than `Location` or `Company` → 422.
//!   `user_type=Company` (an agency-level app, ghl-api.md §2.1) answers an agency token:
//!   `userType: "Company"`, the `companyId` of the location chosen on the page, no
//!   `locationId`, `approvedLocations` every location of that company. Agency tokens are good
//!   only for `GET /oauth/installedLocations` and `POST /oauth/locationToken` ([`super::agency`]),
//!   which issue location tokens like the ones above; the gate refuses them on location
//!   endpoints (401 `"Invalid token: access token is invalid"`, **OUR CHOICE**).
//!
//! Issued access tokens are accepted by the gate for their location only, until they expire
//! (then 401 `"Invalid JWT: the access token has expired"`, **OUR CHOICE**), and only for
//! endpoints their scopes allow (else 401 `"The token is not authorized for this scope."`).

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use serde_json::json;

use super::ids;

/// Client id the stand-in's token endpoint accepts.
pub const DEMO_CLIENT_ID: &str = "bmby-ghl-sandbox.client";
/// Client secret the stand-in's token endpoint accepts (not a real secret).
pub const DEMO_CLIENT_SECRET: &str = "sandbox-client-secret-9f3b7c1d";
/// Scopes the stand-in knows and grants.
pub const KNOWN_SCOPES: &[&str] = &[
    "contacts.readonly",
    "contacts.write",
    "locations.readonly",
    "locations/customFields.readonly",
    "calendars/events.readonly",
    "users.readonly",
    "locations/tags.readonly",
    "oauth.readonly",
    "oauth.write",
];

/// The stand-in's app id (`appId` of `GET /oauth/installedLocations`): what precedes the first
/// `-` of [`DEMO_CLIENT_ID`] (GHL client ids look like `<appId>-<suffix>`; **UNCONFIRMED**).
pub const DEMO_APP_ID: &str = "bmby";

/// One location the stand-in can issue tokens for: (id, companyId, name, address).
#[derive(Debug, Clone)]
pub struct OAuthLocation {
    pub id: String,
    pub company_id: String,
    /// Its name (`GET /oauth/installedLocations` → `locations[].name`).
    pub name: String,
    /// Its address (`locations[].address`).
    pub address: String,
}

struct Code {
    location: String,
    scopes: Vec<String>,
    redirect_uri: String,
    expires: SystemTime,
}

struct Access {
    location: String,
    scopes: Vec<String>,
    expires: SystemTime,
}

struct Refresh {
    location: String,
    scopes: Vec<String>,
    used: bool,
    /// Set for an agency (Company) refresh token: its company.
    company: Option<String>,
}

/// An agency (Company) access token.
pub(super) struct CompanyAccess {
    pub(super) company: String,
    pub(super) scopes: Vec<String>,
    pub(super) expires: SystemTime,
}

#[derive(Default)]
struct Grants {
    codes: HashMap<String, Code>,
    access: HashMap<String, Access>,
    company_access: HashMap<String, CompanyAccess>,
    refresh: HashMap<String, Refresh>,
    /// Refresh tokens presented more than once.
    reused: Vec<String>,
    presented: HashSet<String>,
}

/// The stand-in's OAuth state (shared by the token endpoint and every location's gate).
pub struct OAuthState {
    locations: Vec<OAuthLocation>,
    grants: Mutex<Grants>,
    access_lifetime: Mutex<Duration>,
    refreshes: AtomicU64,
    refused: AtomicU64,
}

/// What the gate learns about a bearer token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenCheck {
    Valid {
        location: String,
        scopes: Vec<String>,
    },
    Expired {
        location: String,
    },
    Unknown,
}

impl OAuthState {
    /// Tokens for `locations` (the first is the default choice).
    pub fn new(locations: Vec<OAuthLocation>) -> OAuthState {
        OAuthState {
            locations,
            grants: Mutex::new(Grants::default()),
            access_lifetime: Mutex::new(Duration::from_secs(86_399)),
            refreshes: AtomicU64::new(0),
            refused: AtomicU64::new(0),
        }
    }

    fn grants(&self) -> MutexGuard<'_, Grants> {
        self.grants.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The gate's question: whose is this token, and is it still good?
    pub fn check(&self, token: &str) -> TokenCheck {
        match self.grants().access.get(token) {
            None => TokenCheck::Unknown,
            Some(a) if a.expires <= SystemTime::now() => TokenCheck::Expired {
                location: a.location.clone(),
            },
            Some(a) => TokenCheck::Valid {
                location: a.location.clone(),
                scopes: a.scopes.clone(),
            },
        }
    }

    /// The locations tokens can be issued for, in order.
    pub fn locations(&self) -> &[OAuthLocation] {
        &self.locations
    }

    /// What an agency token is: `Ok((company, scopes))`, or why it is not a valid one
    /// (the 401 message).
    pub(super) fn check_company(&self, token: &str) -> Result<(String, Vec<String>), &'static str> {
        let g = self.grants();
        match g.company_access.get(token) {
            Some(a) if a.expires <= SystemTime::now() => {
                Err("Invalid JWT: the access token has expired")
            }
            Some(a) => Ok((a.company.clone(), a.scopes.clone())),
            // A location token where an agency one is needed (ghl-pitfalls.md §11 wording).
            None if g.access.contains_key(token) => Err("Token's user type mismatch!"),
            None => Err("Invalid token: access token is invalid"),
        }
    }

    /// An agency token for `company` with exactly `scopes` (tests).
    pub fn grant_company(&self, company: &str, scopes: &[&str]) -> String {
        let scopes: Vec<String> = scopes.iter().map(|s| (*s).to_owned()).collect();
        let body = self.issue_company(&mut self.grants(), company, &scopes);
        body["access_token"].as_str().unwrap_or_default().to_owned()
    }

    /// A location token issued from an agency token (`POST /oauth/locationToken`): the
    /// token-endpoint body of [`Self::issue`] for `location`.
    pub(super) fn issue_location(&self, location: &str, scopes: &[String]) -> serde_json::Value {
        self.issue(&mut self.grants(), location, scopes)
    }

    fn issue_company(&self, g: &mut Grants, company: &str, scopes: &[String]) -> serde_json::Value {
        let (at, rt, life) = self.new_token_pair();
        g.company_access.insert(
            at.clone(),
            CompanyAccess {
                company: company.into(),
                scopes: scopes.to_vec(),
                expires: SystemTime::now() + life,
            },
        );
        g.refresh.insert(
            rt.clone(),
            Refresh {
                location: String::new(),
                scopes: scopes.to_vec(),
                used: false,
                company: Some(company.into()),
            },
        );
        let approved: Vec<&str> = self
            .locations
            .iter()
            .filter(|l| l.company_id == company)
            .map(|l| l.id.as_str())
            .collect();
        json!({
            "access_token": at,
            "token_type": "Bearer",
            "expires_in": life.as_secs(),
            "refresh_token": rt,
            "scope": scopes.join(" "),
            "userType": "Company",
            "companyId": company,
            "approvedLocations": approved,
            "userId": "sbxUser0000000000001",
            "planId": "",
            "isBulkInstallation": true,
            "installToFutureLocations": false,
            "approveAllLocations": true,
        })
    }

    /// The location an access token belongs to (expired or not).
    pub fn location_of(&self, token: &str) -> Option<String> {
        self.grants().access.get(token).map(|a| a.location.clone())
    }

    /// Successful `refresh_token` grants so far.
    pub fn refresh_count(&self) -> u64 {
        self.refreshes.load(Ordering::SeqCst)
    }

    /// Refused `refresh_token` grants so far (unknown or already used).
    pub fn refused_refresh_count(&self) -> u64 {
        self.refused.load(Ordering::SeqCst)
    }

    /// Refresh tokens that were presented more than once (a client bug if ever non-empty).
    pub fn reused_refresh_tokens(&self) -> usize {
        self.grants().reused.len()
    }

    /// Lifetime of access tokens issued from now on (`expires_in`).
    pub fn set_access_lifetime(&self, d: Duration) {
        *self
            .access_lifetime
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = d;
    }

    /// Makes every access token issued so far expired (the gate answers 401 for them).
    pub fn expire_access_tokens(&self) {
        let past = SystemTime::now() - Duration::from_secs(1);
        for a in self.grants().access.values_mut() {
            a.expires = past;
        }
    }

    /// An access token for `location` with exactly `scopes`, as if a person had signed in
    /// granting them (for tests of scope refusals).
    pub fn grant(&self, location: &str, scopes: &[&str]) -> String {
        let scopes: Vec<String> = scopes.iter().map(|s| (*s).to_owned()).collect();
        let body = self.issue(&mut self.grants(), location, &scopes);
        body["access_token"].as_str().unwrap_or_default().to_owned()
    }

    /// A fresh access token, refresh token and the access token's lifetime, for a location or
    /// a company grant.
    fn new_token_pair(&self) -> (String, String, Duration) {
        let life = *self
            .access_lifetime
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let at = format!("sbx-at-{}{}", ids::new_id(), ids::new_id());
        let rt = format!("sbx-rt-{}{}", ids::new_id(), ids::new_id());
        (at, rt, life)
    }

    fn issue(&self, g: &mut Grants, location: &str, scopes: &[String]) -> serde_json::Value {
        let (at, rt, life) = self.new_token_pair();
        g.access.insert(
            at.clone(),
            Access {
                location: location.into(),
                scopes: scopes.to_vec(),
                expires: SystemTime::now() + life,
            },
        );
        g.refresh.insert(
            rt.clone(),
            Refresh {
                location: location.into(),
                scopes: scopes.to_vec(),
                used: false,
                company: None,
            },
        );
        let company = self
            .locations
            .iter()
            .find(|l| l.id == location)
            .map(|l| l.company_id.clone())
            .unwrap_or_default();
        json!({
            "access_token": at,
            "token_type": "Bearer",
            "expires_in": life.as_secs(),
            "refresh_token": rt,
            "scope": scopes.join(" "),
            "userType": "Location",
            "locationId": location,
            "companyId": company,
            "approvedLocations": [location],
            "userId": "sbxUser0000000000001",
            "planId": "",
            "isBulkInstallation": false,
        })
    }
}

fn oauth_error(status: StatusCode, error: &str, message: &str) -> Response {
    (
        status,
        Json(json!({
            "statusCode": status.as_u16(),
            "error": error,
            "message": message,
        })),
    )
        .into_response()
}

fn is_loopback_http(uri: &str) -> bool {
    reqwest::Url::parse(uri).is_ok_and(|u| {
        u.scheme() == "http" && matches!(u.host_str(), Some("127.0.0.1") | Some("localhost"))
    })
}

/// `GET /oauth/chooselocation`: approve at once and redirect with a code.
pub async fn authorize(
    State(st): State<Arc<OAuthState>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let bad = |m: &str| (StatusCode::BAD_REQUEST, m.to_owned()).into_response();
    if q.get("response_type").map(String::as_str) != Some("code") {
        return bad("response_type must be code");
    }
    if q.get("client_id").map(String::as_str) != Some(DEMO_CLIENT_ID) {
        return bad("unknown client_id");
    }
    let Some(redirect) = q.get("redirect_uri").filter(|r| is_loopback_http(r)) else {
        return bad("redirect_uri must be a loopback http URL (stand-in rule)");
    };
    let location = match q.get("location_id") {
        Some(l) => match st.locations.iter().find(|x| &x.id == l) {
            Some(x) => x.id.clone(),
            None => return bad("unknown location_id"),
        },
        None => match st.locations.first() {
            Some(x) => x.id.clone(),
            None => return bad("no locations"),
        },
    };
    let scopes: Vec<String> = q
        .get("scope")
        .map(|s| {
            s.split_whitespace()
                .filter(|s| KNOWN_SCOPES.contains(s))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let code = format!("sbx-code-{}", ids::new_id());
    st.grants().codes.insert(
        code.clone(),
        Code {
            location,
            scopes,
            redirect_uri: redirect.clone(),
            expires: SystemTime::now() + Duration::from_secs(600),
        },
    );
    let Ok(mut url) = reqwest::Url::parse(redirect) else {
        return bad("redirect_uri is not a URL");
    };
    url.query_pairs_mut().append_pair("code", &code);
    if let Some(s) = q.get("state") {
        url.query_pairs_mut().append_pair("state", s);
    }
    (StatusCode::FOUND, [(header::LOCATION, url.to_string())]).into_response()
}

/// `POST /oauth/token` (form body).
pub async fn token(
    State(st): State<Arc<OAuthState>>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let get = |k: &str| f.get(k).map(String::as_str).filter(|v| !v.is_empty());
    if get("client_id") != Some(DEMO_CLIENT_ID) || get("client_secret") != Some(DEMO_CLIENT_SECRET)
    {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Invalid client credentials",
        );
    }
    let company_token = match get("user_type") {
        Some("Location") => false,
        Some("Company") => true,
        Some(_) => {
            return oauth_error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Unprocessable Entity",
                "user_type must be Location or Company",
            )
        }
        None => {
            return oauth_error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Unprocessable Entity",
                "user_type is required (Location or Company)",
            )
        }
    };
    let mut g = st.grants();
    match get("grant_type") {
        Some("authorization_code") => {
            let Some(code) = get("code").and_then(|c| g.codes.remove(c)) else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "Invalid grant: authorization code is invalid or was already used",
                );
            };
            if code.expires <= SystemTime::now() {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "Invalid grant: authorization code expired",
                );
            }
            if get("redirect_uri") != Some(code.redirect_uri.as_str()) {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "Invalid grant: redirect_uri does not match the authorization request",
                );
            }
            let body = if company_token {
                let company = st
                    .locations
                    .iter()
                    .find(|l| l.id == code.location)
                    .map(|l| l.company_id.clone())
                    .unwrap_or_default();
                st.issue_company(&mut g, &company, &code.scopes)
            } else {
                // Location tokens carry no agency scopes.
                let scopes: Vec<String> = code
                    .scopes
                    .iter()
                    .filter(|s| !s.starts_with("oauth."))
                    .cloned()
                    .collect();
                st.issue(&mut g, &code.location, &scopes)
            };
            Json(body).into_response()
        }
        Some("refresh_token") => {
            let Some(rt) = get("refresh_token") else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "refresh_token is required",
                );
            };
            if !g.presented.insert(rt.to_owned()) {
                g.reused.push(rt.to_owned());
            }
            let grant = match g.refresh.get_mut(rt) {
                Some(r) if !r.used => {
                    r.used = true;
                    (r.location.clone(), r.scopes.clone(), r.company.clone())
                }
                _ => {
                    st.refused.fetch_add(1, Ordering::SeqCst);
                    return oauth_error(
                        StatusCode::BAD_REQUEST,
                        "invalid_grant",
                        "Invalid grant: refresh token is invalid or was already used",
                    );
                }
            };
            st.refreshes.fetch_add(1, Ordering::SeqCst);
            let body = match &grant.2 {
                Some(company) => st.issue_company(&mut g, company, &grant.1),
                None => st.issue(&mut g, &grant.0, &grant.1),
            };
            Json(body).into_response()
        }
        _ => oauth_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unsupported_grant_type",
            "grant_type must be authorization_code or refresh_token",
        ),
    }
}

/// The scope an OAuth token needs for `method path` in the stand-in (see module docs).
pub fn required_scope(method: &str, path: &str) -> Option<&'static str> {
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    match segs.as_slice() {
        ["workflows", ..] if method == "GET" => Some("workflows.readonly"),
        ["campaigns", ..] if method == "GET" => Some("campaigns.readonly"),
        ["businesses", ..] if method == "GET" => Some("businesses.readonly"),
        ["users", ..] if method == "GET" => Some("users.readonly"),
        ["contacts", "search", ..] => Some("contacts.readonly"),
        ["contacts", ..] if method == "GET" => Some("contacts.readonly"),
        ["contacts", ..] => Some("contacts.write"),
        ["locations", _, "customFields", ..] => Some("locations/customFields.readonly"),
        ["locations", _, "tags", ..] => Some("locations/tags.readonly"),
        ["locations", _] => Some("locations.readonly"),
        _ => None,
    }
}
