//! `POST /locations/{locationId}/tasks/search` (`apps/locations.json`, `TaskSearchParamsDto`,
//! Version 2021-07-28, scope `locations/tasks.readonly`): the location's tasks, filtered by
//! `contactId[]`, `completed`, `assignedTo[]` and `query` (a case-insensitive part of the
//! title or body), paged by `skip` / `limit` (default 25).
//!
//! → 200 `{"tasks":[...]}`; the spec types the items only as arrays. **OUR CHOICE**: each item
//! is a `TaskSchema` object (`id, title, body, assignedTo, dueDate, completed, contactId`).
//! Unknown properties → 422 `["property X should not exist"]`, as every DTO here.

use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::errors;
use super::state::Shared;

const FIELDS: &[&str] = &[
    "contactId",
    "completed",
    "assignedTo",
    "query",
    "limit",
    "skip",
    "businessId",
];

pub async fn search_tasks(State(sh): State<Arc<Shared>>, body: Option<Json<Value>>) -> Response {
    let Some(Json(Value::Object(b))) = body else {
        return errors::unprocessable(vec!["body must be a JSON object".into()]);
    };
    let unknown: Vec<String> = b
        .keys()
        .filter(|k| !FIELDS.contains(&k.as_str()))
        .map(|k| format!("property {k} should not exist"))
        .collect();
    if !unknown.is_empty() {
        return errors::unprocessable(unknown);
    }
    let ids = |k: &str| -> Option<Vec<String>> {
        b.get(k)?.as_array().map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
    };
    let contacts = ids("contactId");
    let assigned = ids("assignedTo");
    let completed = b.get("completed").and_then(Value::as_bool);
    let query = b
        .get("query")
        .and_then(Value::as_str)
        .map(str::to_lowercase)
        .filter(|q| !q.is_empty());
    let limit = b.get("limit").and_then(Value::as_u64).unwrap_or(25) as usize;
    let skip = b.get("skip").and_then(Value::as_u64).unwrap_or(0) as usize;
    let store = sh.read();
    let mut cids: Vec<&String> = store.tasks.keys().collect();
    cids.sort();
    let s = |t: &Value, k: &str| t.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    let tasks: Vec<Value> = cids
        .into_iter()
        .filter(|c| contacts.as_ref().is_none_or(|l| l.contains(c)))
        .flat_map(|c| {
            store.tasks[c].iter().map(move |t| {
                let mut t = t.clone();
                if t.get("contactId").is_none() {
                    t["contactId"] = json!(c);
                }
                t
            })
        })
        .filter(|t| completed.is_none_or(|d| t["completed"].as_bool().unwrap_or(false) == d))
        .filter(|t| {
            assigned
                .as_ref()
                .is_none_or(|l| l.contains(&s(t, "assignedTo")))
        })
        .filter(|t| {
            query.as_ref().is_none_or(|q| {
                s(t, "title").to_lowercase().contains(q) || s(t, "body").to_lowercase().contains(q)
            })
        })
        .skip(skip)
        .take(limit)
        .collect();
    Json(json!({ "tasks": tasks })).into_response()
}
