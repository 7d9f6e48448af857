//! Validation of the `POST /contacts/search` body, NestJS/class-validator style: all problems
//! are collected into one 422 `{"statusCode":422,"message":[...],"error":"Unprocessable Entity"}`.
//!
//! Allowed properties: exactly `locationId, pageLimit, page, searchAfter, filters, sort, query`
//! (others → `"property X should not exist"`). `locationId` and `pageLimit` are required;
//! `pageLimit` is an integer 1..=500; `page` an integer ≥ 1; `query` a string ≤ 75 chars;
//! `sort` items `{field: dateAdded|dateUpdated, direction: asc|desc}`.
//!
//! **OUR CHOICES** (unconfirmed): `page` together with `searchAfter` → 422; `searchAfter` must
//! hold one value per sort key plus the contact id (`[<epoch ms>, "<id>"]` by default).
//! Paging past 10,000 records with `page` (page × pageLimit > 10000) → 400 (see `search`).

use serde_json::{Map, Value};

use super::filters::{self, Filter};

const ALLOWED: [&str; 7] = [
    "locationId",
    "pageLimit",
    "page",
    "searchAfter",
    "filters",
    "sort",
    "query",
];

/// Largest `pageLimit`.
pub const MAX_PAGE_LIMIT: u64 = 500;
/// Deepest record reachable with `page` paging.
pub const MAX_PAGE_WINDOW: u64 = 10_000;

/// A sortable field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortField {
    DateAdded,
    DateUpdated,
}

/// One sort key.
#[derive(Debug, Clone, Copy)]
pub struct SortKey {
    pub field: SortField,
    pub desc: bool,
}

/// A validated search request.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub page_limit: usize,
    pub page: Option<u64>,
    /// Sort values (epoch ms, one per sort key) and the id to continue after.
    pub search_after: Option<(Vec<i64>, String)>,
    pub filters: Vec<Filter>,
    pub sort: Vec<SortKey>,
    pub query: Option<String>,
}

fn int(v: &Value) -> Option<i64> {
    v.as_i64()
        .or_else(|| v.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
}

/// Validate `body`; `Err` carries the 422 messages.
pub fn search_request(body: &Map<String, Value>) -> Result<SearchRequest, Vec<String>> {
    let mut errs = Vec::new();
    for k in body.keys() {
        if !ALLOWED.contains(&k.as_str()) {
            errs.push(format!("property {k} should not exist"));
        }
    }

    match body.get("locationId") {
        Some(Value::String(s)) if !s.is_empty() => {}
        Some(Value::String(_)) => errs.push("locationId should not be empty".into()),
        None | Some(Value::Null) => {
            errs.push("locationId should not be empty".into());
            errs.push("locationId must be a string".into());
        }
        Some(_) => errs.push("locationId must be a string".into()),
    }

    let mut page_limit = 0usize;
    match body.get("pageLimit").map(|v| (v, int(v))) {
        None | Some((Value::Null, _)) => {
            errs.push("pageLimit must be a number conforming to the specified constraints".into())
        }
        Some((v, None)) => {
            if v.is_number() {
                errs.push("pageLimit must be an integer number".into());
            } else {
                errs.push(
                    "pageLimit must be a number conforming to the specified constraints".into(),
                );
            }
        }
        Some((_, Some(n))) if n > MAX_PAGE_LIMIT as i64 => errs.push(format!(
            "pageLimit must not be greater than {MAX_PAGE_LIMIT}"
        )),
        Some((_, Some(n))) if n < 1 => errs.push("pageLimit must not be less than 1".into()),
        Some((_, Some(n))) => page_limit = n as usize,
    }

    let mut page = None;
    match body.get("page").map(|v| (v, int(v))) {
        None | Some((Value::Null, _)) => {}
        Some((_, None)) => {
            errs.push("page must be a number conforming to the specified constraints".into())
        }
        Some((_, Some(n))) if n < 1 => errs.push("page must not be less than 1".into()),
        Some((_, Some(n))) => page = Some(n as u64),
    }

    let mut sort = Vec::new();
    match body.get("sort") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for (i, it) in items.iter().enumerate() {
                let p = format!("sort.{i}");
                let Some(o) = it.as_object() else {
                    errs.push(format!("{p} must be an object"));
                    continue;
                };
                for k in o.keys() {
                    if k != "field" && k != "direction" {
                        errs.push(format!("property {p}.{k} should not exist"));
                    }
                }
                let field = match o.get("field").and_then(Value::as_str) {
                    Some("dateAdded") => Some(SortField::DateAdded),
                    Some("dateUpdated") => Some(SortField::DateUpdated),
                    _ => {
                        errs.push(format!(
                            "{p}.field must be one of the following values: dateAdded, dateUpdated"
                        ));
                        None
                    }
                };
                let desc = match o.get("direction").and_then(Value::as_str) {
                    Some("asc") => Some(false),
                    Some("desc") => Some(true),
                    _ => {
                        errs.push(format!(
                            "{p}.direction must be one of the following values: asc, desc"
                        ));
                        None
                    }
                };
                if let (Some(field), Some(desc)) = (field, desc) {
                    sort.push(SortKey { field, desc });
                }
            }
        }
        Some(_) => errs.push("sort must be an array".into()),
    }
    if sort.is_empty() {
        sort.push(SortKey {
            field: SortField::DateAdded,
            desc: true,
        });
    }

    let mut search_after = None;
    match body.get("searchAfter") {
        None | Some(Value::Null) => {}
        Some(Value::Array(a)) => {
            let n = sort.len();
            let vals: Option<Vec<i64>> = a
                .iter()
                .take(n)
                .map(filters::date_value)
                .collect::<Option<Vec<_>>>();
            match (a.len() == n + 1, vals, a.last().and_then(Value::as_str)) {
                (true, Some(vals), Some(id)) => search_after = Some((vals, id.to_string())),
                _ => errs.push(format!(
                    "searchAfter must contain {} values: the sort value{} (epoch ms) and the contact id, as in the last contact's searchAfter",
                    n + 1,
                    if n == 1 { "" } else { "s" }
                )),
            }
        }
        Some(_) => errs.push("searchAfter must be an array".into()),
    }
    if body.get("page").is_some_and(|v| !v.is_null())
        && body.get("searchAfter").is_some_and(|v| !v.is_null())
    {
        errs.push(
            "page and searchAfter cannot be used together; omit page when paging with searchAfter"
                .into(),
        );
    }

    let filters = match body.get("filters") {
        None | Some(Value::Null) => Vec::new(),
        Some(v) => filters::parse_filters(v, "filters", &mut errs),
    };

    let mut query = None;
    match body.get("query") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) => {
            if s.chars().count() > 75 {
                errs.push("query must be shorter than or equal to 75 characters".into());
            }
            if !s.trim().is_empty() {
                query = Some(s.trim().to_lowercase());
            }
        }
        Some(_) => errs.push("query must be a string".into()),
    }

    if errs.is_empty() {
        Ok(SearchRequest {
            page_limit,
            page,
            search_after,
            filters,
            sort,
            query,
        })
    } else {
        Err(errs)
    }
}
