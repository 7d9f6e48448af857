//! The middleware every request passes: request log, faults, auth, rate limit, `Version`
//! header, location access; it adds the `X-RateLimit-*` headers to the reply.
//!
//! Order of checks (first failure wins):
//! 1. injected faults (drop / 502 / 429 storm) — act like the network in front of GHL;
//! 2. `Authorization: Bearer <token>`: missing or not a bearer → 401 `"Invalid JWT"`;
//!    unknown token → 401 `"Invalid token: access token is invalid"`; an OAuth access token the
//!    stand-in issued ([`super::oauth`]) is good for its location until it expires (then 401
//!    `"Invalid JWT: the access token has expired"`), and only for endpoints its scopes allow
//!    (else 401 `"The token is not authorized for this scope."`);
//! 3. rate limit of the token's location → 429 `{"statusCode":429,"message":"Too many requests"}`;
//! 4. `Version` header for the endpoint family (contacts/locations `2021-07-28`, calendars
//!    `2021-04-15`) → 400 `{"statusCode":400,"message":"Version header is missing or not supported","error":"Bad Request"}`.
//!    **OUR CHOICE**: GHL's real answer to a missing/wrong `Version` is unconfirmed (ghl-api.md §10.1);
//! 5. a `locationId` in the query string, the path (`/locations/{id}/…`) or the JSON body
//!    naming another location → 403 `"The token does not have access to this location."`.
//!
//! Requests refused at step 2 don't count against the budget but still get the headers.
//! After the handler carried out a write, the after-acting faults ([`super::AfterActing`]) may
//! drop the connection, answer 502, or hold the answer (recorded with status 0).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::SystemTime;

use axum::body::{to_bytes, Body};
use axum::extract::{Query, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use serde_json::Value;

use super::errors;
use super::faults::{self, AfterActing, Injected};
use super::oauth::TokenCheck;
use super::state::{RequestRecord, Shared};

const MAX_BODY: usize = 16 * 1024 * 1024;

/// `Version` value required for a path (ghl-api.md §1 table).
fn required_version(path: &str) -> &'static str {
    if path.starts_with("/calendars") {
        "2021-04-15"
    } else {
        super::VERSION_CONTACTS
    }
}

/// axum middleware (`from_fn_with_state`).
pub async fn gate(State(sh): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let at = SystemTime::now();
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, MAX_BODY).await.unwrap_or_default();
    let body_json: Value = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or(Value::Null)
    };
    let hdr = |name: header::HeaderName| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let mut rec = RequestRecord {
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or("").to_string(),
        body: body_json,
        version: parts
            .headers
            .get("version")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        authorization: hdr(header::AUTHORIZATION),
        status: 0,
        at,
    };

    let resp = decide(
        &sh,
        &rec,
        Request::from_parts(parts, Body::from(bytes)),
        next,
    )
    .await;

    let slow = sh.faults.slow();
    if !slow.is_zero() {
        tokio::time::sleep(slow).await;
    }
    rec.status = match &resp {
        Decision::Dropped(_) | Decision::Held(..) => 0,
        Decision::Reply(r) => r.status().as_u16(),
    };
    sh.record(rec);
    match resp {
        Decision::Dropped(r) | Decision::Reply(r) => r,
        Decision::Held(r, hold) => {
            // The write is done and recorded; the answer comes after the client gave up.
            tokio::time::sleep(hold).await;
            r
        }
    }
}

enum Decision {
    Dropped(Response),
    Reply(Response),
    /// An answer held back for a while (the after-acting timeout fault); recorded with status 0.
    Held(Response, std::time::Duration),
}

/// A write the after-acting faults apply to: `POST`, `PUT`, `PATCH`, `DELETE`, except the
/// read-only `POST /contacts/search`.
fn is_write(rec: &RequestRecord) -> bool {
    matches!(rec.method.as_str(), "POST" | "PUT" | "PATCH" | "DELETE")
        && rec.path != "/contacts/search"
}

async fn decide(sh: &Shared, rec: &RequestRecord, req: Request, next: Next) -> Decision {
    let location = sh.location_id.clone();
    let with_headers = |mut r: Response, v: super::ratelimit::Verdict| {
        v.apply(r.headers_mut());
        Decision::Reply(r)
    };

    match sh.faults.next() {
        Injected::Drop => return Decision::Dropped(faults::dropped()),
        Injected::BadGateway => return Decision::Reply(faults::bad_gateway()),
        Injected::Storm429 => {
            let mut v = sh.limiter().peek(&location);
            v.remaining = 0;
            return with_headers(errors::too_many(), v);
        }
        Injected::None => {}
    }

    // 2. auth
    let token = rec
        .authorization
        .as_deref()
        .and_then(|a| a.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let Some(token) = token else {
        let v = sh.limiter().peek(&location);
        return with_headers(errors::unauthorized("Invalid JWT"), v);
    };
    if !sh.tokens.iter().any(|t| t == token) {
        let refusal = match sh.oauth.check(token) {
            TokenCheck::Valid {
                location: l,
                scopes,
            } if l == location => super::oauth::required_scope(&rec.method, &rec.path)
                .filter(|need| !scopes.iter().any(|s| s == need))
                .map(|_| "The token is not authorized for this scope."),
            TokenCheck::Expired { location: l } if l == location => {
                Some("Invalid JWT: the access token has expired")
            }
            _ => Some("Invalid token: access token is invalid"),
        };
        if let Some(msg) = refusal {
            let v = sh.limiter().peek(&location);
            return with_headers(errors::unauthorized(msg), v);
        }
    }

    // 3. rate limit
    let v = sh.limiter().hit(&location);
    if !v.allowed {
        return with_headers(errors::too_many(), v);
    }

    // 4. Version
    if rec.version.as_deref().map(str::trim) != Some(required_version(&rec.path)) {
        return with_headers(
            errors::bad_request("Version header is missing or not supported"),
            v,
        );
    }

    // 5. location access
    if let Some(other) = named_locations(rec, req.uri())
        .into_iter()
        .find(|l| *l != location)
    {
        tracing::debug!(requested = %other, "sandbox: foreign location");
        return with_headers(errors::forbidden_location(), v);
    }

    let r = next.run(req).await;
    if is_write(rec) {
        match sh.faults.take_after_acting() {
            Some((AfterActing::Drop, _)) => return Decision::Dropped(faults::dropped()),
            Some((AfterActing::ServerError, _)) => return Decision::Reply(faults::bad_gateway()),
            Some((AfterActing::Timeout, hold)) => {
                let mut r = r;
                v.apply(r.headers_mut());
                return Decision::Held(r, hold);
            }
            None => {}
        }
    }
    with_headers(r, v)
}

/// Every location id the request names: `?locationId=`, `/locations/{id}/…`, body `locationId`.
fn named_locations(rec: &RequestRecord, uri: &axum::http::Uri) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(Query(q)) = Query::<HashMap<String, String>>::try_from_uri(uri) {
        if let Some(l) = q.get("locationId") {
            out.push(l.clone());
        }
    }
    if let Some(rest) = rec.path.strip_prefix("/locations/") {
        if let Some(l) = rest.split('/').next().filter(|l| !l.is_empty()) {
            out.push(l.to_string());
        }
    }
    if let Some(Value::String(l)) = rec.body.get("locationId") {
        if !l.is_empty() {
            out.push(l.clone());
        }
    }
    out
}
