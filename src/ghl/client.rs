//! The GHL HTTP client: one reqwest client (rustls, webpki roots bundled beside the system
//! ones), the `Version` header per API family, rate-limit pacing, retries with backoff and
//! jitter, and error mapping.

use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use reqwest::{Method, Url};
use serde_json::{json, Value};

use super::auth::TokenProvider;
use super::error::advice_for_endpoint;
use super::ratelimit::{RateBudget, RateLimiter};
use super::wire;
use super::write::GhlRequest;
use super::{ErrorKind, GhlError};
use crate::domain::{Appointment, Contact, CustomFieldDef, Note, Task};
use crate::sanitize::clean_line;

/// The real API host.
pub const DEFAULT_BASE_URL: &str = "https://services.leadconnectorhq.com";

/// API families, each with its own required `Version` header value (ghl-api.md §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiFamily {
    /// Contacts, tasks, notes, tags, search, contact appointments: `2021-07-28`.
    Contacts,
    /// Locations (custom fields, tags), users: `2021-07-28`.
    Locations,
    /// Calendars (appointments, events): `2021-04-15`.
    Calendars,
    /// Workflows (`GET /workflows/`), campaigns (`GET /campaigns/`), businesses
    /// (`GET /businesses/`), users (`GET /users/`): `2021-07-28` (each spec file's `Version`).
    Lists,
}

impl ApiFamily {
    /// The `Version` header value.
    pub fn version(self) -> &'static str {
        match self {
            ApiFamily::Contacts | ApiFamily::Locations | ApiFamily::Lists => "2021-07-28",
            ApiFamily::Calendars => "2021-04-15",
        }
    }
}

/// Client settings.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Base URL without a trailing slash, e.g. [`DEFAULT_BASE_URL`] or a stand-in's.
    pub base_url: String,
    pub location_id: String,
    /// Attempts per call, the first included (429, 5xx and transport errors are retried).
    pub max_attempts: u32,
    /// First backoff step; doubles per attempt, with full jitter.
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    /// Whole-request timeout.
    pub timeout: Duration,
}

impl ClientConfig {
    /// Defaults for a location: 6 attempts, 500 ms backoff base capped at 30 s, 30 s timeout.
    pub fn new(base_url: &str, location_id: &str) -> Self {
        ClientConfig {
            base_url: base_url.trim_end_matches('/').to_owned(),
            location_id: location_id.to_owned(),
            max_attempts: 6,
            backoff_base: Duration::from_millis(500),
            backoff_cap: Duration::from_secs(30),
            timeout: Duration::from_secs(30),
        }
    }
}

/// Things the client tells whoever watches (the status bar): budget after every response, and
/// each wait before a retry.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientNotice {
    Budget(RateBudget),
    Retrying {
        endpoint: String,
        attempt: u32,
        max: u32,
        wait: Duration,
        reason: String,
    },
}

type Observer = Arc<dyn Fn(ClientNotice) + Send + Sync>;

struct Inner {
    http: reqwest::Client,
    cfg: ClientConfig,
    base: Url,
    auth: Arc<dyn TokenProvider>,
    limiter: RateLimiter,
    observer: std::sync::RwLock<Option<Observer>>,
    /// `settings.allowDuplicateContact`, once read.
    allow_dup: std::sync::Mutex<Option<bool>>,
}

/// A client for one GHL location. Cheap to clone.
#[derive(Clone)]
pub struct GhlClient {
    inner: Arc<Inner>,
}

/// Parameters of `POST /contacts/search`; `locationId` is added by the client.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchRequest {
    /// 1–500.
    pub page_limit: u32,
    /// Page number (reaches at most 10,000 records); not combined with `search_after`.
    pub page: Option<u32>,
    /// The last item's `searchAfter` of the previous page.
    pub search_after: Option<Value>,
    /// Filter items `{ field, operator, value }`.
    pub filters: Vec<Value>,
    /// Sort items `{ field, direction }`.
    pub sort: Vec<Value>,
    /// Full-text query, ≤ 75 characters.
    pub query: Option<String>,
}

/// One page of `POST /contacts/search`.
#[derive(Debug, Clone, Default)]
pub struct SearchPage {
    pub contacts: Vec<Contact>,
    /// `total` as GHL reported it.
    pub total: Option<u64>,
    /// `searchAfter` of the last item, the cursor for the next page.
    pub last_search_after: Option<Value>,
    /// Items that could not be read, with the reason (kept out of the cache, never fatal).
    pub skipped: Vec<String>,
}

impl GhlClient {
    /// Builds the client. Errors only if the base URL is not a URL.
    pub fn new(cfg: ClientConfig, auth: Arc<dyn TokenProvider>) -> Result<GhlClient, GhlError> {
        let base = Url::parse(&cfg.base_url).map_err(|e| GhlError::Transport {
            endpoint: cfg.base_url.clone(),
            message: format!("base URL is not valid: {e}"),
            reached: false,
        })?;
        let http = reqwest::Client::builder()
            .use_rustls_tls()
            .timeout(cfg.timeout)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("bmby-ghl/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| GhlError::Transport {
                endpoint: cfg.base_url.clone(),
                message: format!("cannot build the HTTP client: {e}"),
                reached: false,
            })?;
        Ok(GhlClient {
            inner: Arc::new(Inner {
                http,
                base,
                cfg,
                auth,
                limiter: RateLimiter::default(),
                observer: std::sync::RwLock::new(None),
                allow_dup: std::sync::Mutex::new(None),
            }),
        })
    }

    /// Sets the watcher of budgets and retries (replaces any earlier one).
    pub fn set_observer(&self, f: impl Fn(ClientNotice) + Send + Sync + 'static) {
        *self.inner.observer.write().expect("observer lock") = Some(Arc::new(f));
    }

    fn notify(&self, n: ClientNotice) {
        let obs = self.inner.observer.read().expect("observer lock").clone();
        if let Some(f) = obs {
            f(n);
        }
    }

    /// The location this client acts on.
    pub fn location_id(&self) -> &str {
        &self.inner.cfg.location_id
    }

    /// The base URL.
    pub fn base_url(&self) -> &str {
        &self.inner.cfg.base_url
    }

    /// What kind of credential is in use.
    pub fn auth_kind(&self) -> &'static str {
        self.inner.auth.kind()
    }

    /// The budget GHL reported last.
    pub async fn budget(&self) -> RateBudget {
        self.inner.limiter.budget().await
    }

    fn url(&self, segments: &[&str], query: &[(&str, &str)]) -> Url {
        target_url(&self.inner.base, segments, query)
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let base = self.inner.cfg.backoff_base.as_millis() as u64;
        let ceiling = base
            .saturating_mul(1u64 << (attempt.saturating_sub(1)).min(16))
            .min(self.inner.cfg.backoff_cap.as_millis() as u64);
        // "Equal jitter": half fixed, half random, so waits grow but never line up.
        let half = ceiling / 2;
        Duration::from_millis(half + rand::rng().random_range(0..=half.max(1)))
    }

    /// Sends one call with pacing and retries and returns the JSON body of a 2xx answer.
    ///
    /// `segments` are the path segments (each percent-encoded). Errors: see [`GhlError`].
    pub async fn call(
        &self,
        family: ApiFamily,
        method: Method,
        segments: &[&str],
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<Value, GhlError> {
        let (endpoint, bytes) = self
            .send(family, method, segments, query, body, true)
            .await?;
        decode_ok(&endpoint, &bytes)
    }

    /// Like [`GhlClient::call`] for a write that must not happen twice (a create with no
    /// natural key, such as a task or a note): retried only when it certainly did not arrive
    /// (429, a refused connection). A 5xx, a timeout or a dropped connection is returned at
    /// once, since the write may have been carried out; the caller resolves the unknown outcome.
    pub async fn call_once(
        &self,
        family: ApiFamily,
        method: Method,
        segments: &[&str],
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<Value, GhlError> {
        let (endpoint, bytes) = self
            .send(family, method, segments, query, body, false)
            .await?;
        decode_ok(&endpoint, &bytes)
    }

    async fn send(
        &self,
        family: ApiFamily,
        method: Method,
        segments: &[&str],
        query: &[(&str, &str)],
        body: Option<&Value>,
        retry_unknown: bool,
    ) -> Result<(String, Vec<u8>), GhlError> {
        let url = self.url(segments, query);
        let endpoint = format!("{method} {}", url.path());
        let host = format!("{}://{}", url.scheme(), url.host_str().unwrap_or(""))
            + &url.port().map(|p| format!(":{p}")).unwrap_or_default();
        let max = self.inner.cfg.max_attempts.max(1);
        let mut attempt = 0;
        let mut token_retried = false;
        loop {
            attempt += 1;
            if self.inner.limiter.acquire().await.is_err() {
                return Err(GhlError::RateLimited {
                    endpoint,
                    daily: true,
                });
            }
            let token = self.inner.auth.access_token().await?;
            let mut req = self
                .inner
                .http
                .request(method.clone(), url.clone())
                .bearer_auth(token.expose())
                .header("Version", family.version())
                .header("Accept", "application/json");
            if let Some(b) = body {
                req = req.json(b);
            }
            let outcome = match req.send().await {
                Err(e) => Err(transport(&endpoint, &host, &e)),
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    let budget = RateBudget::from_headers(resp.headers());
                    let seen = self.inner.limiter.observe(budget, status).await;
                    if budget.is_known() {
                        self.notify(ClientNotice::Budget(seen));
                    }
                    match resp.bytes().await {
                        Err(e) => Err(transport(&endpoint, &host, &e)),
                        Ok(bytes) => {
                            tracing::debug!(%endpoint, status, attempt, "ghl response");
                            if (200..300).contains(&status) {
                                return Ok((endpoint, bytes.into()));
                            }
                            let err = api_error(&endpoint, status, &bytes);
                            if status == 429 && budget.daily_remaining == Some(0) {
                                return Err(GhlError::RateLimited {
                                    endpoint,
                                    daily: true,
                                });
                            }
                            if status == 401 && !token_retried && is_expired_token(&err) {
                                token_retried = true;
                                if self.inner.auth.token_rejected(&token).await {
                                    attempt -= 1;
                                    continue;
                                }
                            }
                            Err(err)
                        }
                    }
                }
            };
            let err = match outcome {
                Ok(v) => return Ok(v),
                Err(e) => e,
            };
            // Retried: what certainly did not arrive; what may have arrived only when sending it
            // again is harmless (`retry_unknown`).
            match err.kind() {
                ErrorKind::NotArrived => {}
                ErrorKind::UnknownOutcome if retry_unknown => {}
                _ => return Err(err),
            }
            // Nothing listening at the host is rarely fixed by waiting: three tries, not six,
            // so a wrong GHL_BASE_URL is reported in seconds.
            let refused = matches!(&err, GhlError::Transport { reached: false, .. });
            if attempt >= max || (refused && attempt >= 3) {
                return Err(match err.status() {
                    Some(429) => GhlError::RateLimited {
                        endpoint,
                        daily: false,
                    },
                    _ => err,
                });
            }
            let wait = if err.status() == Some(429) {
                // The limiter waits out the window; add a little jitter so parallel tasks
                // don't all fire at the same instant.
                Duration::from_millis(rand::rng().random_range(0..=250))
            } else {
                self.backoff(attempt)
            };
            tracing::info!(%endpoint, attempt, wait_ms = wait.as_millis() as u64, reason = %err, "retrying");
            self.notify(ClientNotice::Retrying {
                endpoint: endpoint.clone(),
                attempt,
                max,
                wait,
                reason: err.to_string(),
            });
            tokio::time::sleep(wait).await;
        }
    }

    /// `POST /contacts/search` (Contacts API). Body: `locationId`, `pageLimit` and the request's
    /// optional fields. Response `{ contacts: [SearchContact], total, traceId }`.
    pub async fn search_contacts(&self, req: &SearchRequest) -> Result<SearchPage, GhlError> {
        let body = self.search_contacts_bytes(req).await?;
        parse_search_page(&body)
    }

    /// [`GhlClient::search_contacts`] without reading the answer: the JSON body of the 2xx
    /// answer as bytes, for [`parse_search_page`] off the async runtime (a page of 500 contacts
    /// takes milliseconds of CPU to read). Same request, pacing, retries and errors.
    pub async fn search_contacts_bytes(&self, req: &SearchRequest) -> Result<Vec<u8>, GhlError> {
        let mut body = json!({
            "locationId": self.location_id(),
            "pageLimit": req.page_limit.clamp(1, 500),
        });
        let o = body.as_object_mut().expect("object");
        if let Some(p) = req.page {
            o.insert("page".into(), json!(p));
        }
        if let Some(sa) = &req.search_after {
            o.insert("searchAfter".into(), sa.clone());
        }
        if !req.filters.is_empty() {
            o.insert("filters".into(), Value::Array(req.filters.clone()));
        }
        if !req.sort.is_empty() {
            o.insert("sort".into(), Value::Array(req.sort.clone()));
        }
        if let Some(q) = &req.query {
            o.insert(
                "query".into(),
                json!(q.chars().take(75).collect::<String>()),
            );
        }
        let (_, bytes) = self
            .send(
                ApiFamily::Contacts,
                Method::POST,
                &["contacts", "search"],
                &[],
                Some(&body),
                true,
            )
            .await?;
        Ok(bytes)
    }

    /// `GET /contacts/{contactId}` → `{ contact }`.
    pub async fn get_contact(&self, id: &str) -> Result<Contact, GhlError> {
        let v = self
            .call(
                ApiFamily::Contacts,
                Method::GET,
                &["contacts", id],
                &[],
                None,
            )
            .await?;
        let c = v.get("contact").ok_or_else(|| GhlError::Decode {
            endpoint: "GET /contacts/{contactId}".into(),
            message: "no `contact` in the response".into(),
        })?;
        wire::contact_from_json(c).map_err(|message| GhlError::Decode {
            endpoint: "GET /contacts/{contactId}".into(),
            message,
        })
    }

    async fn list<T>(
        &self,
        contact_id: &str,
        what: &str,
        key: &str,
        conv: impl Fn(&Value, &str) -> Option<T>,
    ) -> Result<Vec<T>, GhlError> {
        let v = self
            .call(
                ApiFamily::Contacts,
                Method::GET,
                &["contacts", contact_id, what],
                &[],
                None,
            )
            .await?;
        let items = v
            .get(key)
            .and_then(Value::as_array)
            .ok_or_else(|| GhlError::Decode {
                endpoint: format!("GET /contacts/{{contactId}}/{what}"),
                message: format!("no `{key}` array in the response"),
            })?;
        Ok(items.iter().filter_map(|i| conv(i, contact_id)).collect())
    }

    /// `GET /contacts/{contactId}/tasks` → `{ tasks }`.
    pub async fn contact_tasks(&self, contact_id: &str) -> Result<Vec<Task>, GhlError> {
        self.list(contact_id, "tasks", "tasks", wire::task_from_json)
            .await
    }

    /// `GET /contacts/{contactId}/notes` → `{ notes }`.
    pub async fn contact_notes(&self, contact_id: &str) -> Result<Vec<Note>, GhlError> {
        self.list(contact_id, "notes", "notes", wire::note_from_json)
            .await
    }

    /// `GET /contacts/{contactId}/appointments` → `{ events }`.
    pub async fn contact_appointments(
        &self,
        contact_id: &str,
    ) -> Result<Vec<Appointment>, GhlError> {
        self.list(
            contact_id,
            "appointments",
            "events",
            wire::appointment_from_json,
        )
        .await
    }

    /// `GET /locations/{locationId}/tags` (Locations API, scope `locations/tags.readonly`) →
    /// the location's tags as [`Named`] (`id`, `name`), names sanitized.
    pub async fn location_tags(&self) -> Result<Vec<crate::domain::Named>, GhlError> {
        let loc = self.location_id().to_owned();
        let v = self
            .call(
                ApiFamily::Locations,
                Method::GET,
                &["locations", &loc, "tags"],
                &[],
                None,
            )
            .await?;
        let items = v
            .get("tags")
            .and_then(Value::as_array)
            .ok_or_else(|| GhlError::Decode {
                endpoint: "GET /locations/{locationId}/tags".into(),
                message: "no `tags` array in the response".into(),
            })?;
        Ok(items
            .iter()
            .filter_map(|t| {
                let name = crate::sanitize::clean_line(t.get("name")?.as_str()?);
                let id = t
                    .get("id")
                    .and_then(Value::as_str)
                    .map(crate::sanitize::clean_line)
                    .unwrap_or_else(|| name.clone());
                (!name.trim().is_empty()).then_some(crate::domain::Named { id, name })
            })
            .collect())
    }

    /// `GET /locations/{locationId}/customFields?model=contact` (Locations API) → `{ customFields }`.
    pub async fn custom_fields(&self) -> Result<Vec<CustomFieldDef>, GhlError> {
        let loc = self.location_id().to_owned();
        let v = self
            .call(
                ApiFamily::Locations,
                Method::GET,
                &["locations", &loc, "customFields"],
                &[("model", "contact")],
                None,
            )
            .await?;
        let items = v
            .get("customFields")
            .and_then(Value::as_array)
            .ok_or_else(|| GhlError::Decode {
                endpoint: "GET /locations/{locationId}/customFields".into(),
                message: "no `customFields` array in the response".into(),
            })?;
        Ok(items
            .iter()
            .filter_map(wire::custom_field_from_json)
            .collect())
    }
}

/// The URL of a call: `base` with the path segments (each percent-encoded) and the query pairs
/// (form-encoded). The dry run and the client build URLs with this one function.
pub fn target_url(base: &Url, segments: &[&str], query: &[(&str, &str)]) -> Url {
    let mut u = base.clone();
    {
        let mut p = u.path_segments_mut().expect("http(s) base URL has a path");
        p.pop_if_empty();
        p.extend(segments);
    }
    if !query.is_empty() {
        u.query_pairs_mut().extend_pairs(query);
    }
    u
}

fn transport(endpoint: &str, host: &str, e: &reqwest::Error) -> GhlError {
    let mut message = if e.is_timeout() {
        format!("no answer from {host} in time")
    } else if e.is_connect() {
        format!("could not connect to {host}")
    } else if e.is_body() || e.is_decode() {
        "connection dropped while reading the response".to_owned()
    } else {
        "request failed".to_owned()
    };
    // The error chain has the detail (never the token: it is a header, not in the URL).
    let mut src: Option<&dyn std::error::Error> = std::error::Error::source(e);
    if let Some(s) = src.take() {
        message.push_str(": ");
        message.push_str(&clean_line(&s.to_string()));
    }
    GhlError::Transport {
        endpoint: endpoint.to_owned(),
        message,
        // A connect error means nothing was sent; anything later may have arrived.
        reached: !e.is_connect(),
    }
}

/// Reads one answer of `POST /contacts/search` (`{ contacts: [SearchContact], total }`, as
/// [`GhlClient::search_contacts_bytes`] returns it) into a [`SearchPage`]: every item through
/// [`wire::contact_from_json`] (sanitized), unreadable items named in `skipped`. Plain CPU work,
/// meant for a blocking thread. Errors: the body is not JSON or has no `contacts` array
/// ([`GhlError::Decode`]).
pub fn parse_search_page(bytes: &[u8]) -> Result<SearchPage, GhlError> {
    use super::wire_tree::{JsonVal, Tree};
    const ENDPOINT: &str = "POST /contacts/search";
    // Read as a tree borrowing the page's text, not as `Value`s (issue #14: the pull's CPU);
    // the same answers as `decode_ok` + `contact_from_json` (`tests/search_page_parse.rs`).
    let v: Tree<'_> = if bytes.is_empty() {
        Tree::Null
    } else {
        serde_json::from_slice(bytes).map_err(|e| GhlError::Decode {
            endpoint: ENDPOINT.into(),
            message: format!("body is not JSON: {e}"),
        })?
    };
    let top = v.as_object();
    let items = top
        .and_then(|o| o.get("contacts"))
        .and_then(JsonVal::as_array)
        .ok_or_else(|| GhlError::Decode {
            endpoint: ENDPOINT.into(),
            message: "no `contacts` array in the response".into(),
        })?;
    let mut page = SearchPage {
        total: top
            .and_then(|o| o.get("total"))
            .and_then(JsonVal::as_number)
            .and_then(serde_json::Number::as_u64),
        last_search_after: items
            .last()
            .and_then(JsonVal::as_object)
            .and_then(|c| c.get("searchAfter"))
            .map(Tree::to_value),
        contacts: Vec::with_capacity(items.len()),
        ..Default::default()
    };
    for (i, item) in items.iter().enumerate() {
        match wire::contact_from_tree(item) {
            Ok(c) => page.contacts.push(c),
            Err(e) => page.skipped.push(format!("item {i}: {e}")),
        }
    }
    Ok(page)
}

fn decode_ok(endpoint: &str, bytes: &[u8]) -> Result<Value, GhlError> {
    if bytes.is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_slice(bytes).map_err(|e| GhlError::Decode {
        endpoint: endpoint.to_owned(),
        message: format!("body is not JSON: {e}"),
    })
}

/// The start of a non-JSON error body as one readable line: markup tags dropped (a proxy's
/// HTML page becomes its text), whitespace collapsed, sanitized, at most 200 characters.
fn snippet(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(2000)]);
    let mut plain = String::with_capacity(text.len());
    let mut in_tag = false;
    for ch in text.chars() {
        match ch {
            '<' => {
                in_tag = true;
                plain.push(' ');
            }
            '>' if in_tag => in_tag = false,
            c if !in_tag => plain.push(c),
            _ => {}
        }
    }
    let line = clean_line(&plain)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    line.chars().take(200).collect()
}

/// Maps an error answer to [`GhlError`], keeping GHL's words (`message` string or array,
/// `error`, `traceId`, `meta`).
fn api_error(endpoint: &str, status: u16, bytes: &[u8]) -> GhlError {
    let Ok(Value::Object(m)) = serde_json::from_slice::<Value>(bytes) else {
        return GhlError::Http {
            endpoint: endpoint.to_owned(),
            status,
            snippet: snippet(bytes),
        };
    };
    let messages = match m.get("message") {
        Some(Value::String(s)) => vec![clean_line(s)],
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| {
                v.as_str()
                    .map(clean_line)
                    .unwrap_or_else(|| clean_line(&v.to_string()))
            })
            .collect(),
        Some(other) => vec![clean_line(&other.to_string())],
        None => vec![m
            .get("error")
            .and_then(Value::as_str)
            .map(clean_line)
            .unwrap_or_else(|| format!("HTTP {status}"))],
    };
    let advice = if status == 401 || status == 403 {
        advice_for_endpoint(endpoint, status, &messages)
    } else {
        None
    };
    GhlError::Api {
        endpoint: endpoint.to_owned(),
        status,
        error: m.get("error").and_then(Value::as_str).map(clean_line),
        trace_id: m.get("traceId").and_then(Value::as_str).map(clean_line),
        meta: m.get("meta").map(crate::sanitize::clean_json),
        messages,
        advice,
    }
}

fn is_expired_token(e: &GhlError) -> bool {
    match e {
        GhlError::Api { messages, .. } => messages.iter().any(|m| {
            let m = m.to_lowercase();
            m.contains("expired")
                || m.contains("invalid jwt")
                || m.contains("access token is invalid")
        }),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_kinds_decide_retries() {
        let t = |reached| GhlError::Transport {
            endpoint: "POST /contacts/".into(),
            message: "x".into(),
            reached,
        };
        assert_eq!(t(false).kind(), ErrorKind::NotArrived);
        assert_eq!(t(true).kind(), ErrorKind::UnknownOutcome);
        let api = |status, msg: &str| api_error("POST /contacts/", status, msg.as_bytes());
        assert_eq!(
            api(429, r#"{"message":"Too many requests"}"#).kind(),
            ErrorKind::NotArrived
        );
        assert_eq!(api(422, r#"{"message":["x"]}"#).kind(), ErrorKind::Refused);
        assert_eq!(
            api(401, r#"{"message":"Invalid JWT"}"#).kind(),
            ErrorKind::Unauthorized
        );
        assert_eq!(
            api(400, r#"{"message":"Contact with id x not found"}"#).kind(),
            ErrorKind::NotFound
        );
        assert_eq!(
            api(500, r#"{"message":"oops"}"#).kind(),
            ErrorKind::UnknownOutcome
        );
        let daily = GhlError::RateLimited {
            endpoint: "x".into(),
            daily: true,
        };
        assert_eq!(daily.kind(), ErrorKind::NotArrived);
        assert!(!daily.is_retryable());
    }

    #[test]
    fn a_request_value_prints_as_it_is_sent() {
        let r = GhlRequest::find_duplicate("loc1", None, Some("+972501234567"));
        assert_eq!(
            r.path_and_query(),
            "/contacts/search/duplicate?locationId=loc1&number=%2B972501234567"
        );
        assert_eq!(
            GhlRequest::create_contact("loc1", &Default::default()).path(),
            "/contacts/"
        );
        assert!(r.headers().contains(&"Version: 2021-07-28".to_owned()));
    }

    #[test]
    fn error_shapes() {
        let e = api_error("PUT /contacts/x", 422, br#"{"statusCode":422,"message":["property gender should not exist"],"error":"Unprocessable Entity"}"#);
        assert!(
            e.to_string().contains("property gender should not exist"),
            "{e}"
        );
        let e = api_error(
            "GET /contacts/x",
            400,
            br#"{"statusCode":400,"message":"Contact with id x not found","traceId":"t-1"}"#,
        );
        assert!(e.is_not_found());
        assert!(e.to_string().contains("traceId t-1"));
        let e = api_error(
            "GET /contacts/x",
            502,
            b"<html><body><h1>502 Bad Gateway</h1></body></html>",
        );
        assert!(matches!(e, GhlError::Http { status: 502, .. }));
        assert!(e.is_retryable());
        assert_eq!(
            e.kind(),
            ErrorKind::UnknownOutcome,
            "a 5xx may come after the write"
        );
        let e = api_error(
            "GET /contacts/x",
            401,
            br#"{"statusCode":401,"message":"The token is not authorized for this scope."}"#,
        );
        assert!(e.to_string().contains("scope"), "{e}");
        let e = api_error(
            "PUT /contacts/x",
            401,
            br#"{"statusCode":401,"message":"The token is not authorized for this scope."}"#,
        );
        assert!(
            e.to_string().contains("needs the contacts.write scope"),
            "{e}"
        );
    }
}

/// What a write returned: the contact as GHL now has it (when the endpoint returns one) and
/// GHL's `traceId` when present.
#[derive(Debug, Clone, Default)]
pub struct WriteResult {
    pub contact: Option<Contact>,
    /// The raw `contact` object, to compare with what was sent.
    pub raw: Option<Value>,
    pub trace_id: Option<String>,
}

fn write_result(v: &Value) -> WriteResult {
    let raw = v.get("contact").cloned();
    WriteResult {
        contact: raw.as_ref().and_then(|c| wire::contact_from_json(c).ok()),
        raw,
        trace_id: v.get("traceId").and_then(Value::as_str).map(clean_line),
    }
}

impl GhlClient {
    /// `POST /contacts/` with a `CreateContactDto` body (`locationId` is added). 201 `{ contact }`.
    /// A duplicate answers 400 with `meta.contactId` ([`GhlError::Api`] with `meta`). Never
    /// retried once it may have arrived (see [`super::WriteClass::Once`]).
    pub async fn create_contact(
        &self,
        body: &serde_json::Map<String, Value>,
    ) -> Result<WriteResult, GhlError> {
        let r = GhlRequest::create_contact(self.location_id(), body);
        Ok(write_result(&self.send_request(&r).await?))
    }

    /// `PUT /contacts/{contactId}` with an `UpdateContactDto` body. 200 `{ succeded, contact }`.
    pub async fn update_contact(
        &self,
        id: &str,
        body: &serde_json::Map<String, Value>,
    ) -> Result<WriteResult, GhlError> {
        let r = GhlRequest::update_contact(id, body);
        Ok(write_result(&self.send_request(&r).await?))
    }

    /// `DELETE /contacts/{contactId}`. 200 `{ succeded: true }`.
    pub async fn delete_contact(&self, id: &str) -> Result<WriteResult, GhlError> {
        let r = GhlRequest::delete_contact(id);
        Ok(write_result(&self.send_request(&r).await?))
    }

    /// `POST /contacts/{contactId}/tags` (add) or `DELETE` (remove) with `{ tags }`; never the
    /// whole list through an update, which would replace every tag.
    pub async fn edit_tags(
        &self,
        id: &str,
        tags: &[String],
        add: bool,
    ) -> Result<Vec<String>, GhlError> {
        let v = self
            .send_request(&GhlRequest::edit_tags(id, tags, add))
            .await?;
        Ok(tags_of_answer(&v))
    }

    /// `GET /contacts/search/duplicate?locationId&email&number` → the contact GHL would treat as
    /// the same person, if any (`{ contact }`; the shape is unconfirmed in GHL's docs).
    pub async fn find_duplicate(
        &self,
        email: Option<&str>,
        phone: Option<&str>,
    ) -> Result<Option<Contact>, GhlError> {
        let r = GhlRequest::find_duplicate(self.location_id(), email, phone);
        Ok(duplicate_of_answer(&self.send_request(&r).await?))
    }

    /// `settings.allowDuplicateContact` of `GET /locations/{locationId}` (`SettingsSchema`),
    /// read once per client (a run) and remembered; `false` (GHL's default) when the answer
    /// has no settings.
    pub async fn allow_duplicate_contact(&self) -> Result<bool, GhlError> {
        if let Some(v) = *self.inner.allow_dup.lock().expect("settings lock") {
            return Ok(v);
        }
        let allow = self.location_info().await?.allow_duplicate_contact;
        *self.inner.allow_dup.lock().expect("settings lock") = Some(allow);
        Ok(allow)
    }
}

/// The `tags` of a tag endpoint's answer, sanitized.
pub fn tags_of_answer(v: &Value) -> Vec<String> {
    v.get("tags")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(clean_line).collect())
        .unwrap_or_default()
}

/// The contact of a `GET /contacts/search/duplicate` answer, if any.
pub fn duplicate_of_answer(v: &Value) -> Option<Contact> {
    v.get("contact")
        .filter(|c| c.is_object())
        .and_then(|c| wire::contact_from_json(c).ok())
}

/// The [`WriteResult`] of a contact write's answer (`{ contact, traceId }`).
pub fn write_result_of(v: &Value) -> WriteResult {
    write_result(v)
}
