//! The location's lists: workflows, campaigns, businesses and users (`apps/workflows.json`,
//! `campaigns.json`, `businesses.json`, `users.json`, all `Version: 2021-07-28`), seeded for the
//! demo with Hebrew and English names, and their `GET` endpoints:
//!
//! - `GET /workflows/?locationId` → 200 `{workflows:[WorkflowSchema]}` (scope
//!   `workflows.readonly`);
//! - `GET /campaigns/?locationId[&status]` → 200 `{campaigns:[campaignsSchema]}`
//!   (`campaigns.readonly`);
//! - `GET /businesses/?locationId[&limit=100&skip=0]` → 200 `{businesses:[BusinessDto]}`
//!   (`businesses.readonly`);
//! - `GET /users/?locationId` → 200 `{users:[UserSchema]}` (`users.readonly`).
//!
//! A missing `locationId` answers 422 `["locationId should not be empty"]` (**OUR CHOICE**: the
//! spec lists 422 for workflows and campaigns; businesses and users list only 400, so those
//! answer 400 `"locationId is required"`).

// Handlers return early with a ready HTTP answer; that is the natural error type here.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::errors;
use super::state::Shared;

/// The location's lists as GHL documents (spec shapes).
#[derive(Debug, Clone, Default)]
pub struct Lists {
    pub workflows: Vec<Value>,
    pub campaigns: Vec<Value>,
    pub businesses: Vec<Value>,
    pub users: Vec<Value>,
}

/// Seeded workflows: `(id, name, status)`.
pub const WORKFLOWS: &[(&str, &str, &str)] = &[
    (
        "7d1f8a52-3c4e-4b6a-9e21-5a0c8f3d2b17",
        "Nurture",
        "published",
    ),
    (
        "b2e94c10-6f3a-4d8e-a7c5-1e9b0d4f6a83",
        "Welcome",
        "published",
    ),
    (
        "4a6c2e91-8b7d-4f05-b3e2-9c1a7d5e0f64",
        "ליווי קונים",
        "published",
    ),
    (
        "e8f03b27-1d5c-4a9e-8f6b-2c7d0a3e9b15",
        "Re-engage old leads",
        "draft",
    ),
];

/// Seeded campaigns: `(id, name, status)`.
pub const CAMPAIGNS: &[(&str, &str, &str)] = &[
    ("cmpSpringOpenHse01Qa", "Spring Open House", "published"),
    ("cmpHolidays5780xYz2", "קמפיין חגים", "published"),
    ("cmpInvestorsNews3Wq", "Investors newsletter", "draft"),
];

/// Seeded businesses: `(id, name)`.
pub const BUSINESSES: &[(&str, &str)] = &[
    ("64b1c2d3e4f5a6b7c8d9e0f1", "Acme Realty"),
    ("64b1c2d3e4f5a6b7c8d9e0f2", "נדל\"ן הצפון"),
    ("64b1c2d3e4f5a6b7c8d9e0f3", "Levi & Sons Investments"),
];

/// Seeded users: `(id, first name, last name, email)`.
pub const USERS: &[(&str, &str, &str, &str)] = &[
    (
        "usrDanaLevi000000001",
        "Dana",
        "Levi",
        "dana@demo-realty.example",
    ),
    (
        "usrAviCohen000000002",
        "אבי",
        "כהן",
        "avi@demo-realty.example",
    ),
    (
        "usrMichalAvr00000003",
        "מיכל",
        "אברהם",
        "michal@demo-realty.example",
    ),
    (
        "usrJohnSmith00000004",
        "John",
        "Smith",
        "john@demo-realty.example",
    ),
];

/// The seeded lists of a location (the same for the demo and generated seeds).
pub fn seeded(location_id: &str) -> Lists {
    let at = "2026-01-05T09:00:00.000Z";
    Lists {
        workflows: WORKFLOWS
            .iter()
            .map(|(id, name, status)| {
                json!({"id": id, "name": name, "status": status, "version": 2,
                       "createdAt": at, "updatedAt": at, "locationId": location_id})
            })
            .collect(),
        campaigns: CAMPAIGNS
            .iter()
            .map(|(id, name, status)| {
                json!({"id": id, "name": name, "status": status, "locationId": location_id})
            })
            .collect(),
        businesses: BUSINESSES
            .iter()
            .map(|(id, name)| {
                json!({"id": id, "name": name, "locationId": location_id,
                       "createdAt": at, "updatedAt": at})
            })
            .collect(),
        users: USERS
            .iter()
            .map(|(id, first, last, email)| {
                json!({"id": id, "name": format!("{first} {last}"), "firstName": first,
                       "lastName": last, "email": email, "roles": {"type": "account",
                       "role": "user", "locationIds": [location_id]}})
            })
            .collect(),
    }
}

fn location_given(q: &HashMap<String, String>) -> bool {
    q.get("locationId").is_some_and(|l| !l.is_empty())
}

/// `GET /workflows/`.
pub async fn workflows(
    State(sh): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if !location_given(&q) {
        return errors::unprocessable(vec!["locationId should not be empty".into()]);
    }
    let items = sh.read().lists.workflows.clone();
    Json(json!({ "workflows": items })).into_response()
}

/// `GET /campaigns/` (`status` filters when given).
pub async fn campaigns(
    State(sh): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if !location_given(&q) {
        return errors::unprocessable(vec!["locationId should not be empty".into()]);
    }
    let status = q.get("status").filter(|s| !s.is_empty());
    let items: Vec<Value> = sh
        .read()
        .lists
        .campaigns
        .iter()
        .filter(|c| status.is_none_or(|s| c["status"] == s.as_str()))
        .cloned()
        .collect();
    Json(json!({ "campaigns": items })).into_response()
}

/// Parses `limit` (default `default`, 1..=`max`) and `skip` (default 0); `Err` is the 422.
pub fn paging(
    q: &HashMap<String, String>,
    default: usize,
    max: usize,
) -> Result<(usize, usize), Response> {
    let mut errs = Vec::new();
    let limit = match q.get("limit").map(|s| s.parse::<usize>()) {
        None => default,
        Some(Ok(n)) if (1..=max).contains(&n) => n,
        Some(_) => {
            errs.push(format!("limit must be a number between 1 and {max}"));
            0
        }
    };
    let skip = match q.get("skip").map(|s| s.parse::<usize>()) {
        None => 0,
        Some(Ok(n)) => n,
        Some(_) => {
            errs.push("skip must be a number not less than 0".to_owned());
            0
        }
    };
    if errs.is_empty() {
        Ok((limit, skip))
    } else {
        Err(errors::unprocessable(errs))
    }
}

/// `GET /businesses/` (paged by `limit`, default 100, and `skip`).
pub async fn businesses(
    State(sh): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if !location_given(&q) {
        return errors::bad_request("locationId is required");
    }
    let (limit, skip) = match paging(&q, 100, 100) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let items: Vec<Value> = sh
        .read()
        .lists
        .businesses
        .iter()
        .skip(skip)
        .take(limit)
        .cloned()
        .collect();
    Json(json!({ "businesses": items })).into_response()
}

/// `GET /users/`.
pub async fn users(
    State(sh): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if !location_given(&q) {
        return errors::bad_request("locationId is required");
    }
    let items = sh.read().lists.users.clone();
    Json(json!({ "users": items })).into_response()
}
