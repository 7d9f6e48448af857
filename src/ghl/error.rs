//! Typed GHL errors that keep the server's own words.

use serde_json::Value;

/// An error from a GHL call. `endpoint` is `METHOD /path` (no query string, no token).
#[derive(Debug, thiserror::Error)]
pub enum GhlError {
    /// GHL answered with an error status and a JSON body (`BadRequestDTO`, `UnauthorizedDTO`,
    /// `UnprocessableDTO`): `message` is a string on 400/401/403 and an array on 422; both are
    /// kept here as a list. `meta` holds e.g. the duplicate-contact `{ contactId, matchingField }`.
    #[error("{endpoint}: HTTP {status}: {}{}{}", messages.join("; "), trace_id.as_ref().map(|t| format!(" (traceId {t})")).unwrap_or_default(), advice.as_ref().map(|a| format!(" — {a}")).unwrap_or_default())]
    Api {
        endpoint: String,
        status: u16,
        messages: Vec<String>,
        error: Option<String>,
        trace_id: Option<String>,
        meta: Option<Value>,
        /// What to do about it (wrong token class, missing scope, other location).
        advice: Option<String>,
    },
    /// The burst or daily budget is spent and retries ran out (daily: no retry at all).
    #[error("{endpoint}: rate limited by GHL ({})", if *daily { "daily limit of the location reached; resumes tomorrow" } else { "burst limit; retries exhausted" })]
    RateLimited { endpoint: String, daily: bool },
    /// An error status without a JSON body (a proxy's HTML 502, say); `snippet` is the start of
    /// the body, sanitized.
    #[error("{endpoint}: HTTP {status} from the server or a proxy: {snippet}")]
    Http {
        endpoint: String,
        status: u16,
        snippet: String,
    },
    /// No answer: connection refused or dropped, timeout, TLS. `reached` is false when no
    /// connection was made (nothing was sent), true when the request may have arrived.
    #[error("{endpoint}: {message}")]
    Transport {
        endpoint: String,
        message: String,
        reached: bool,
    },
    /// A 2xx answer whose body is not the expected shape.
    #[error("{endpoint}: unexpected response: {message}")]
    Decode { endpoint: String, message: String },
    /// No usable credentials.
    #[error("not signed in: {0}")]
    Auth(String),
}

/// What an error means for a write: whether GHL may have carried it out. Retry decisions use
/// this, never the error's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Certainly not carried out, and worth trying again (later): no connection was made, or
    /// 429 (a burst, or the daily budget).
    NotArrived,
    /// May have been carried out: the connection dropped after sending, no answer in time, or
    /// a 5xx. A non-idempotent write must be looked up before it is sent again.
    UnknownOutcome,
    /// A 2xx answer in an unexpected shape: carried out, but the answer is unreadable.
    BadAnswer,
    /// GHL refused it (400, 403, 422): not carried out, not worth retrying.
    Refused,
    /// GHL says the record does not exist (404, or its 400 "… not found").
    NotFound,
    /// The token was refused (401) or there is no usable one: nothing else will pass either.
    Unauthorized,
}

impl GhlError {
    /// The kind of failure; see [`ErrorKind`].
    pub fn kind(&self) -> ErrorKind {
        match self {
            GhlError::Auth(_) => ErrorKind::Unauthorized,
            GhlError::Transport { reached: false, .. } => ErrorKind::NotArrived,
            GhlError::Transport { reached: true, .. } => ErrorKind::UnknownOutcome,
            GhlError::Decode { .. } => ErrorKind::BadAnswer,
            // Burst retries exhausted, or the daily budget spent: not sent; later it will be.
            GhlError::RateLimited { .. } => ErrorKind::NotArrived,
            GhlError::Api { status: 401, .. } | GhlError::Http { status: 401, .. } => {
                ErrorKind::Unauthorized
            }
            e if e.is_not_found() => ErrorKind::NotFound,
            GhlError::Api { status, .. } | GhlError::Http { status, .. } => match *status {
                429 => ErrorKind::NotArrived,
                s if s >= 500 => ErrorKind::UnknownOutcome,
                _ => ErrorKind::Refused,
            },
        }
    }

    /// HTTP status, when GHL answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            GhlError::Api { status, .. } | GhlError::Http { status, .. } => Some(*status),
            GhlError::RateLimited { .. } => Some(429),
            _ => None,
        }
    }

    /// True for errors worth retrying for an idempotent call: 429 (burst), 5xx, transport
    /// failures ([`ErrorKind::NotArrived`] or [`ErrorKind::UnknownOutcome`]).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind(),
            ErrorKind::NotArrived | ErrorKind::UnknownOutcome
        ) && !matches!(self, GhlError::RateLimited { .. })
    }

    /// True when GHL said the contact does not exist (it answers 400 `Contact with id … not found`).
    pub fn is_not_found(&self) -> bool {
        match self {
            GhlError::Api { status: 404, .. } => true,
            GhlError::Api {
                status: 400,
                messages,
                ..
            } => messages.iter().any(|m| m.contains("not found")),
            _ => false,
        }
    }
}

/// [`advice_for`], naming the scope `endpoint` (`METHOD /path`) needs when GHL says the token
/// is "not authorized for this scope".
pub fn advice_for_endpoint(endpoint: &str, status: u16, messages: &[String]) -> Option<String> {
    let scope_msg = messages
        .iter()
        .any(|m| m.to_lowercase().contains("not authorized for this scope"));
    match super::scopes::required_scope(endpoint) {
        Some(scope) if scope_msg => Some(format!(
            "{endpoint} needs the {scope} scope, which the token lacks — sign in again granting \
             it (`bmby-ghl auth login`), or add it to the Private Integration in GHL (Settings → \
             Private Integrations; the token string stays the same)"
        )),
        _ => advice_for(status, messages),
    }
}

/// Advice for the 401/403 messages GHL is known to send (ghl-pitfalls.md §11).
pub fn advice_for(status: u16, messages: &[String]) -> Option<String> {
    let text = messages.join(" ").to_lowercase();
    let advice = if text.contains("not authorized for this scope") {
        "the token lacks a scope this call needs (contacts.readonly to read contacts, \
         locations/customFields.readonly for custom fields) — add it to the Private Integration \
         in GHL (Settings → Private Integrations; the token string stays the same), or use a \
         sub-account token rather than an agency one"
    } else if text.contains("user type mismatch") {
        "this is an agency (company) token; location endpoints need a sub-account Private \
         Integration Token or a Location OAuth token"
    } else if text.contains("does not have access to this location") {
        "the token belongs to another location — check GHL_LOCATION_ID / location_id in the config"
    } else if status == 401 {
        "the token is invalid, revoked or expired — check GHL_TOKEN (or the token in the config), \
         or sign in again"
    } else if status == 403 {
        "the token may not act on this resource — check the location and the token's scopes"
    } else {
        return None;
    };
    Some(advice.to_owned())
}
