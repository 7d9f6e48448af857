//! `POST /contacts/search` (Version 2021-07-28; body documented in ghl-api.md §3.2, response
//! `SearchContactSuccessResponseDto` of the 2025-09 spec plus `traceId`).
//!
//! Reply: 200 `{"contacts":[SearchContact],"total":N,"traceId":"<uuid>"}` where `total` counts
//! all matches (not just this page) and every item is in the *search shape*: `address` instead
//! of `address1`, `dateOfBirth` as an epoch-ms number, `additionalEmails` as `[{"email":…}]`,
//! `firstNameLowerCase`/`lastNameLowerCase`, `followers`, `opportunities`, and
//! `searchAfter: [<epoch ms of the sort field>, "<id>"]`.
//!
//! Order: the request's `sort` (default `dateAdded desc`), ties broken by `id` in the direction
//! of the first sort key (**OUR CHOICE**). `searchAfter` continues strictly after the given
//! (sort values, id) tuple. `page` (1-based, default 1) reaches at most 10,000 records: if
//! `page × pageLimit > 10000` → 400 telling to use `searchAfter` (**OUR CHOICE** of status/text).
//! `query` is a case-insensitive substring over name, email and phone (digits of the phone too).
//! The ordered matches are kept between pages until the next write (`search_index`), so a page
//! of a million contacts costs a binary search and a copy, not a sort.
//!
//! Search is eventually consistent in GHL; the stand-in's search-lag switch
//! ([`super::Sandbox::set_search_lag`]) holds written contacts back from it until the test
//! releases them, while `GET /contacts/{id}` sees them at once.
//!
//! Without `Content-Type: application/json` the body is ignored (as NestJS's JSON parser does),
//! so validation then reports the missing `locationId`/`pageLimit`.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

use super::errors;
use super::ids;
use super::search_index;
use super::state::{Shared, StoredContact};
use super::validate::{self, SearchRequest, SortField, SortKey, MAX_PAGE_WINDOW};

/// Handler for `POST /contacts/search`.
pub async fn search_contacts(
    State(sh): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.to_ascii_lowercase().starts_with("application/json"));
    let body: Value = if !is_json || body.is_empty() {
        Value::Object(Map::new())
    } else {
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(e) => return errors::bad_request(format!("Unexpected token in JSON: {e}")),
        }
    };
    let Value::Object(body) = body else {
        return errors::bad_request("Request body must be a JSON object");
    };
    let req = match validate::search_request(&body) {
        Ok(r) => r,
        Err(msgs) => return errors::unprocessable(msgs),
    };
    if let Some(p) = req.page {
        if p.saturating_mul(req.page_limit as u64) > MAX_PAGE_WINDOW {
            return errors::bad_request(format!(
                "page * pageLimit must not exceed {MAX_PAGE_WINDOW}: standard pagination reaches at most {MAX_PAGE_WINDOW} records; use searchAfter (from the last contact of the previous page) instead of page for deeper results"
            ));
        }
    }
    let store = sh.read();
    // The index may lag behind writes (the stand-in's search-lag switch).
    let visible = sh.searchable(&store);
    let (total, page) = match &visible {
        // The live contacts: their order is kept between pages (`search_index`).
        Cow::Borrowed(all) => {
            let key = search_index::order_key(&body);
            let order = sh
                .search_index
                .ordered(sh.generation(), key, all, &req, ordered);
            cut(all, &order, &req)
        }
        Cow::Owned(all) => cut(all, &ordered(all, &req), &req),
    };
    let contacts: Vec<Value> = page
        .into_iter()
        .map(|c| search_shape(c, &req.sort))
        .collect();
    Json(json!({ "contacts": contacts, "total": total, "traceId": ids::trace_id() }))
        .into_response()
}

fn sort_value(c: &StoredContact, f: SortField) -> i64 {
    match f {
        SortField::DateAdded => c.added_ms,
        SortField::DateUpdated => c.updated_ms,
    }
}

/// Compare two (sort values, id) tuples in the requested order.
fn cmp_keys(sort: &[SortKey], a: (&[i64], &str), b: (&[i64], &str)) -> Ordering {
    for (i, k) in sort.iter().enumerate() {
        let o = a.0[i].cmp(&b.0[i]);
        let o = if k.desc { o.reverse() } else { o };
        if o != Ordering::Equal {
            return o;
        }
    }
    let o = a.1.cmp(b.1);
    if sort[0].desc {
        o.reverse()
    } else {
        o
    }
}

fn key_of(c: &StoredContact, sort: &[SortKey]) -> Vec<i64> {
    sort.iter().map(|k| sort_value(c, k.field)).collect()
}

fn matches_query(c: &StoredContact, q: &str) -> bool {
    let s = |k: &str| c.doc.get(k).and_then(Value::as_str).unwrap_or("");
    let name = format!("{} {}", s("firstName"), s("lastName")).to_lowercase();
    if name.contains(q)
        || s("name").to_lowercase().contains(q)
        || s("email").to_lowercase().contains(q)
        || s("phone").contains(q)
    {
        return true;
    }
    let qd: String = q.chars().filter(char::is_ascii_digit).collect();
    if !qd.is_empty()
        && qd.len()
            == q.chars()
                .filter(|c| !c.is_whitespace() && *c != '-')
                .count()
    {
        let pd: String = s("phone").chars().filter(char::is_ascii_digit).collect();
        return pd.contains(&qd);
    }
    false
}

/// Positions in `all` of the contacts matching `req`'s filters and query, in `req`'s order.
fn ordered(all: &[StoredContact], req: &SearchRequest) -> Vec<u32> {
    let mut hits: Vec<(Vec<i64>, u32)> = all
        .iter()
        .enumerate()
        .filter(|(_, c)| req.filters.iter().all(|f| f.matches(c)))
        .filter(|(_, c)| req.query.as_deref().is_none_or(|q| matches_query(c, q)))
        .map(|(i, c)| (key_of(c, &req.sort), i as u32))
        .collect();
    hits.sort_by(|a, b| {
        cmp_keys(
            &req.sort,
            (&a.0, all[a.1 as usize].id()),
            (&b.0, all[b.1 as usize].id()),
        )
    });
    hits.into_iter().map(|(_, i)| i).collect()
}

/// Cut one page of the ordered matches `order` (positions in `all`). Returns (total matches,
/// page).
fn cut<'a>(
    all: &'a [StoredContact],
    order: &[u32],
    req: &SearchRequest,
) -> (usize, Vec<&'a StoredContact>) {
    let start = search_index::page_start(all, order, req, |c, after| {
        cmp_keys(&req.sort, (&key_of(c, &req.sort), c.id()), after)
    });
    let page = order
        .iter()
        .skip(start)
        .take(req.page_limit)
        .map(|&i| &all[i as usize])
        .collect();
    (order.len(), page)
}

/// Convert a stored (GET-shaped) contact to the search-result shape.
pub(super) fn search_shape(c: &StoredContact, sort: &[SortKey]) -> Value {
    let d = &c.doc;
    let mut o = Map::new();
    let copy = |o: &mut Map<String, Value>, from: &str, to: &str| {
        if let Some(v) = d.get(from) {
            o.insert(to.into(), v.clone());
        }
    };
    for k in [
        "id",
        "phoneLabel",
        "country",
        "address1",
        "source",
        "type",
        "locationId",
        "dnd",
        "state",
        "businessName",
        "customFields",
        "tags",
        "dateAdded",
        "additionalEmails",
        "phone",
        "companyName",
        "additionalPhones",
        "dateUpdated",
        "city",
        "dateOfBirth",
        "firstName",
        "lastName",
        "firstNameLowerCase",
        "lastNameLowerCase",
        "email",
        "assignedTo",
        "followers",
        "validEmail",
        "dndSettings",
        "inboundDndSettings",
        "opportunities",
        "postalCode",
        "businessId",
        "website",
        "contactName",
        "attributionSource",
        "lastAttributionSource",
    ] {
        match k {
            "address1" => copy(&mut o, "address1", "address"),
            "dateOfBirth" => {
                if let Some(ms) = d.get(k).and_then(super::filters::date_value) {
                    o.insert(k.into(), json!(ms));
                }
            }
            "additionalEmails" => {
                let v: Vec<Value> = d
                    .get(k)
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .map(|e| match e {
                                Value::String(s) => json!({ "email": s }),
                                other => other.clone(),
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                o.insert(k.into(), Value::Array(v));
            }
            "customFields" | "tags" | "followers" | "opportunities" | "additionalPhones" => {
                o.insert(
                    k.into(),
                    d.get(k).cloned().unwrap_or_else(|| Value::Array(vec![])),
                );
            }
            _ => copy(&mut o, k, k),
        }
    }
    let mut after: Vec<Value> = key_of(c, sort).into_iter().map(Value::from).collect();
    after.push(Value::String(c.id().to_string()));
    o.insert("searchAfter".into(), Value::Array(after));
    Value::Object(o)
}
