//! The stand-in's agency endpoints (apps/oauth.json, `Agency-Access-Only`; ghl-api.md §2.1):
//!
//! - `GET /oauth/installedLocations?companyId=&appId=&skip=&limit=&query=&isInstalled=&locationId=`
//!   (scope `oauth.readonly`) → 200 `GetInstalledLocationsSuccessfulResponseDto`:
//!   `{"locations":[{"_id","name","address","isInstalled","versionId","installedAt"}],
//!   "count":N,"installToFutureLocations":false}`. `skip` (default 0) and `limit` (default 20)
//!   page the list; `count` is the total of the filtered list. `query` keeps the names that
//!   contain it (case folded); `locationId` keeps that one. Every served location is
//!   installed, so `isInstalled=true` keeps them all and `isInstalled=false` none
//!   (**OUR CHOICE**: the filter's meaning for `false` is unconfirmed).
//! - `POST /oauth/locationToken`, form body `companyId`, `locationId` (scope `oauth.write`)
//!   → 200 `GetLocationAccessTokenSuccessfulResponseDto`: `access_token`, `token_type`,
//!   `expires_in`, `scope`, `locationId`, `planId`, `userId`, `appId`, `versionId`, and
//!   `refresh_token` (added to GHL's schema on 2026-05-13, ghl-api.md §2.1). The token is a
//!   location token like those of `POST /oauth/token` (refreshed the same way), with the agency
//!   token's scopes minus `oauth.*`.
//!
//! Errors, checked in this order:
//! 1. `Version` not `2021-07-28` → 400 `{"statusCode":400,"message":"Version header is missing or not supported","error":"Bad Request"}` (**OUR CHOICE**, as the gate);
//! 2. no bearer → 401 `"Invalid JWT"`; an unknown token → 401 `"Invalid token: access token is
//!    invalid"` (UnauthorizedDTO's example); an expired one → 401 `"Invalid JWT: the access
//!    token has expired"`; a location token → 401 `"Token's user type mismatch!"`
//!    (ghl-pitfalls.md §11); without the scope → 401 `"The token is not authorized for this
//!    scope."` — all `{"statusCode":401,"message":…,"error":"Unauthorized"}`;
//! 3. a required parameter missing → 422 `{"statusCode":422,"message":["companyId should not be
//!    empty"],"error":"Unprocessable Entity"}` (class-validator wording, **OUR CHOICE**);
//!    `skip`/`limit` not whole numbers → 422;
//! 4. `companyId` other than the token's → 403 `{"statusCode":403,"message":"The token does not
//!    have access to this company.","error":"Forbidden"}` (**OUR CHOICE**, as a foreign
//!    location is 403 elsewhere);
//! 5. `appId` other than [`super::DEMO_APP_ID`] → 400 `{"statusCode":400,"message":"App not
//!    found","error":"Bad Request"}`; a `locationId` not of the company → 400 `"Location not
//!    found or the app is not installed on it"` (**OUR CHOICE**).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use serde_json::json;

use super::errors;
use super::oauth::{OAuthState, DEMO_APP_ID};

/// The `Version` both endpoints require.
const VERSION: &str = "2021-07-28";

/// Checks 1 and 2 of the module docs: the agency token's company and scopes.
#[allow(clippy::result_large_err)] // a Response, as axum handlers return
fn agency_token(
    st: &OAuthState,
    h: &HeaderMap,
    scope: &str,
) -> Result<(String, Vec<String>), Response> {
    let version = h
        .get("version")
        .and_then(|v| v.to_str().ok())
        .map(str::trim);
    if version != Some(VERSION) {
        return Err(errors::bad_request(
            "Version header is missing or not supported",
        ));
    }
    let token = h
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|a| a.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| errors::unauthorized("Invalid JWT"))?;
    let (company, scopes) = st.check_company(token).map_err(errors::unauthorized)?;
    if !scopes.iter().any(|s| s == scope) {
        return Err(errors::unauthorized(
            "The token is not authorized for this scope.",
        ));
    }
    Ok((company, scopes))
}

fn forbidden_company() -> Response {
    (
        StatusCode::FORBIDDEN,
        Json(json!({
            "statusCode": 403,
            "message": "The token does not have access to this company.",
            "error": "Forbidden"
        })),
    )
        .into_response()
}

fn required(q: &HashMap<String, String>, names: &[&str]) -> Vec<String> {
    names
        .iter()
        .filter(|n| q.get(**n).is_none_or(|v| v.trim().is_empty()))
        .map(|n| format!("{n} should not be empty"))
        .collect()
}

/// `GET /oauth/installedLocations` (see the module docs).
pub async fn installed_locations(
    State(st): State<Arc<OAuthState>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let company = match agency_token(&st, &headers, "oauth.readonly") {
        Ok((c, _)) => c,
        Err(r) => return r,
    };
    let mut problems = required(&q, &["companyId", "appId"]);
    let number = |k: &str, default: usize, problems: &mut Vec<String>| match q.get(k) {
        None => default,
        Some(v) => v.trim().parse::<usize>().unwrap_or_else(|_| {
            problems.push(format!("{k} must be a number string"));
            default
        }),
    };
    let skip = number("skip", 0, &mut problems);
    let limit = number("limit", 20, &mut problems);
    if !problems.is_empty() {
        return errors::unprocessable(problems);
    }
    if q.get("companyId").map(String::as_str) != Some(company.as_str()) {
        return forbidden_company();
    }
    if q.get("appId").map(String::as_str) != Some(DEMO_APP_ID) {
        return errors::bad_request("App not found");
    }
    let query = q.get("query").map(|s| s.to_lowercase());
    let installed_only_false = q.get("isInstalled").map(String::as_str) == Some("false");
    let all: Vec<_> = st
        .locations()
        .iter()
        .filter(|l| l.company_id == company)
        .filter(|_| !installed_only_false)
        .filter(|l| {
            query
                .as_ref()
                .is_none_or(|n| l.name.to_lowercase().contains(n))
        })
        .filter(|l| q.get("locationId").is_none_or(|id| *id == l.id))
        .collect();
    let page: Vec<_> = all
        .iter()
        .skip(skip)
        .take(limit)
        .map(|l| {
            json!({
                "_id": l.id,
                "name": l.name,
                "address": l.address,
                "isInstalled": true,
                "versionId": "sbxVersion00000000001",
                "installedAt": "2026-01-15T10:30:00.000Z",
            })
        })
        .collect();
    Json(json!({
        "locations": page,
        "count": all.len(),
        "installToFutureLocations": false,
    }))
    .into_response()
}

/// `POST /oauth/locationToken` (see the module docs).
pub async fn location_token(
    State(st): State<Arc<OAuthState>>,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let (company, scopes) = match agency_token(&st, &headers, "oauth.write") {
        Ok(c) => c,
        Err(r) => return r,
    };
    let problems = required(&f, &["companyId", "locationId"]);
    if !problems.is_empty() {
        return errors::unprocessable(problems);
    }
    if f.get("companyId").map(String::as_str) != Some(company.as_str()) {
        return forbidden_company();
    }
    let location = f.get("locationId").map(String::as_str).unwrap_or_default();
    if !st
        .locations()
        .iter()
        .any(|l| l.id == location && l.company_id == company)
    {
        return errors::bad_request("Location not found or the app is not installed on it");
    }
    let scopes: Vec<String> = scopes
        .into_iter()
        .filter(|s| !s.starts_with("oauth."))
        .collect();
    let b = st.issue_location(location, &scopes);
    Json(json!({
        "access_token": b["access_token"],
        "token_type": "Bearer",
        "expires_in": b["expires_in"],
        "refresh_token": b["refresh_token"],
        "scope": b["scope"],
        "locationId": location,
        "planId": "",
        "userId": b["userId"],
        "appId": DEMO_APP_ID,
        "versionId": "sbxVersion00000000001",
    }))
    .into_response()
}
