//! Contact operations beyond field edits (`apps/contacts.json`, Version 2021-07-28), validated
//! the way GHL validates (unknown properties → 422 `["property X should not exist"]`, an unknown
//! contact → 400 `"Contact with id X not found"`):
//!
//! - `POST /contacts/{id}/workflow/{workflowId}` `{eventStartTime?}` (ISO 8601) → 200
//!   `{succeded:true}`; enrols again when it arrives again (GHL has no look-up);
//!   `DELETE` the same path → 200 `{succeded:true}` (also when not enrolled: **OUR CHOICE**);
//! - `POST /contacts/{id}/campaigns/{campaignId}` `{}` → 201 `{succeded:true}`;
//!   `DELETE …/campaigns/{campaignId}` and `…/campaigns/removeAll` → 200 `{succeded:true}`;
//! - `POST /contacts/{id}/followers` `{followers:[userId]}` → 201 `{followers, followersAdded}`;
//!   `DELETE` → 200 `{followers, followersRemoved}`; followers are kept on the contact
//!   (`followers`), a set;
//! - `POST /contacts/bulk/business` `{locationId, ids, businessId|null}` (all three required)
//!   → 200 `{success:true, ids:[updated]}`; sets or clears `businessId` on each contact;
//!   unknown contacts are left out of `ids` (**OUR CHOICE**);
//! - `POST /contacts/bulk/tags/update/{add|remove}` `{contacts, tags, locationId,
//!   removeAllTags?}` → 201 `{succeded, errorCount, responses:[{contactId, message, type,
//!   oldTags?, tagsAdded?, tagsRemoved?}]}` with the spec's per-contact errors (`contact id is
//!   not a valid firebase id` for a malformed id, `contact is deleted` for an unknown one);
//! - `GET /contacts/business/{businessId}?locationId&limit(≤100, default 25)&skip` → 200
//!   `{contacts:[search shape], count}`.
//!
//! An unknown workflow, campaign, user or business id answers 400 `"<Thing> with id X not
//! found"` (**OUR CHOICE**: GHL's answer is undocumented).

// Handlers return early with a ready HTTP answer; that is the natural error type here.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

use super::errors;
use super::state::Shared;

fn body_object(body: Option<Json<Value>>, empty_ok: bool) -> Result<Map<String, Value>, Response> {
    match body.map(|Json(v)| v) {
        Some(Value::Object(m)) => Ok(m),
        None | Some(Value::Null) if empty_ok => Ok(Map::new()),
        _ => Err(errors::unprocessable(vec![
            "body must be a JSON object".into()
        ])),
    }
}

fn unknown_props(body: &Map<String, Value>, allowed: &[&str]) -> Vec<String> {
    body.keys()
        .filter(|k| !allowed.contains(&k.as_str()))
        .map(|k| format!("property {k} should not exist"))
        .collect()
}

fn not_found(what: &str, id: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"statusCode": 400, "message": format!("{what} with id {id} not found")})),
    )
        .into_response()
}

fn known(list: &[Value], id: &str) -> bool {
    list.iter().any(|v| v["id"] == id)
}

fn succeded(status: StatusCode) -> Response {
    (status, Json(json!({ "succeded": true }))).into_response()
}

fn strings(v: Option<&Value>) -> Option<Vec<String>> {
    v?.as_array()?
        .iter()
        .map(|x| x.as_str().map(str::to_owned))
        .collect()
}

/// `POST /contacts/{contactId}/workflow/{workflowId}`.
pub async fn workflow_add(
    State(sh): State<Arc<Shared>>,
    Path((id, wf)): Path<(String, String)>,
    body: Option<Json<Value>>,
) -> Response {
    let body = match body_object(body, true) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let mut problems = unknown_props(&body, &["eventStartTime"]);
    if let Some(t) = body.get("eventStartTime") {
        let ok = t
            .as_str()
            .is_some_and(|s| s.parse::<jiff::Timestamp>().is_ok());
        if !ok {
            problems.push("eventStartTime must be a valid ISO 8601 date string".into());
        }
    }
    if !problems.is_empty() {
        return errors::unprocessable(problems);
    }
    sh.with_store_mut(|s| {
        if s.get(&id).is_none() {
            return errors::contact_not_found(&id);
        }
        if !known(&s.lists.workflows, &wf) {
            return not_found("Workflow", &wf);
        }
        s.enrolments
            .entry(id.clone())
            .or_default()
            .workflows
            .push(wf.clone());
        *s.enrol_arrivals
            .entry(("workflow", id.clone(), wf.clone()))
            .or_default() += 1;
        succeded(StatusCode::OK)
    })
}

/// `DELETE /contacts/{contactId}/workflow/{workflowId}`.
pub async fn workflow_remove(
    State(sh): State<Arc<Shared>>,
    Path((id, wf)): Path<(String, String)>,
) -> Response {
    sh.with_store_mut(|s| {
        if s.get(&id).is_none() {
            return errors::contact_not_found(&id);
        }
        if !known(&s.lists.workflows, &wf) {
            return not_found("Workflow", &wf);
        }
        if let Some(e) = s.enrolments.get_mut(&id) {
            e.workflows.retain(|w| *w != wf);
        }
        succeded(StatusCode::OK)
    })
}

/// `POST /contacts/{contactId}/campaigns/{campaignId}` (body `{}`: `AddContactToCampaignDto`
/// has no properties).
pub async fn campaign_add(
    State(sh): State<Arc<Shared>>,
    Path((id, cmp)): Path<(String, String)>,
    body: Option<Json<Value>>,
) -> Response {
    let body = match body_object(body, true) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let problems = unknown_props(&body, &[]);
    if !problems.is_empty() {
        return errors::unprocessable(problems);
    }
    sh.with_store_mut(|s| {
        if s.get(&id).is_none() {
            return errors::contact_not_found(&id);
        }
        if !known(&s.lists.campaigns, &cmp) {
            return not_found("Campaign", &cmp);
        }
        s.enrolments
            .entry(id.clone())
            .or_default()
            .campaigns
            .push(cmp.clone());
        *s.enrol_arrivals
            .entry(("campaign", id.clone(), cmp.clone()))
            .or_default() += 1;
        succeded(StatusCode::CREATED)
    })
}

/// `DELETE /contacts/{contactId}/campaigns/{campaignId}` and `…/campaigns/removeAll`.
pub async fn campaign_remove(
    State(sh): State<Arc<Shared>>,
    Path((id, cmp)): Path<(String, String)>,
) -> Response {
    sh.with_store_mut(|s| {
        if s.get(&id).is_none() {
            return errors::contact_not_found(&id);
        }
        if cmp == "removeAll" {
            if let Some(e) = s.enrolments.get_mut(&id) {
                e.campaigns.clear();
            }
            return succeded(StatusCode::OK);
        }
        if !known(&s.lists.campaigns, &cmp) {
            return not_found("Campaign", &cmp);
        }
        if let Some(e) = s.enrolments.get_mut(&id) {
            e.campaigns.retain(|c| *c != cmp);
        }
        succeded(StatusCode::OK)
    })
}

fn followers(sh: &Shared, id: &str, body: Option<Json<Value>>, add: bool) -> Response {
    let body = match body_object(body, false) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let mut problems = unknown_props(&body, &["followers"]);
    let users = strings(body.get("followers"));
    if users.is_none() {
        problems.push("followers must be an array".into());
        problems.push("each value in followers must be a string".into());
    }
    if !problems.is_empty() {
        return errors::unprocessable(problems);
    }
    let users = users.unwrap_or_default();
    {
        let store = sh.read();
        if store.get(id).is_none() {
            return errors::contact_not_found(id);
        }
        if let Some(u) = users.iter().find(|u| !known(&store.lists.users, u)) {
            return not_found("User", u);
        }
    }
    let mut changed = Vec::new();
    let doc = sh.modify_contact(id, |doc| {
        let mut now = strings(doc.get("followers")).unwrap_or_default();
        for u in &users {
            let has = now.contains(u);
            if add && !has {
                now.push(u.clone());
                changed.push(u.clone());
            } else if !add && has {
                now.retain(|x| x != u);
                changed.push(u.clone());
            }
        }
        doc.insert("followers".into(), json!(now));
    });
    let Some(doc) = doc else {
        return errors::contact_not_found(id);
    };
    let (status, key) = if add {
        (StatusCode::CREATED, "followersAdded")
    } else {
        (StatusCode::OK, "followersRemoved")
    };
    let mut out = Map::new();
    out.insert(
        "followers".into(),
        doc.get("followers").cloned().unwrap_or(json!([])),
    );
    out.insert(key.into(), json!(changed));
    (status, Json(Value::Object(out))).into_response()
}

/// `POST /contacts/{contactId}/followers`.
pub async fn followers_add(
    State(sh): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Option<Json<Value>>,
) -> Response {
    followers(&sh, &id, body, true)
}

/// `DELETE /contacts/{contactId}/followers`.
pub async fn followers_remove(
    State(sh): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Option<Json<Value>>,
) -> Response {
    followers(&sh, &id, body, false)
}

fn count_bulk(sh: &Shared, path: &str, id: &str) {
    sh.with_store_mut(|s| {
        *s.bulk_arrivals
            .entry((path.to_owned(), id.to_owned()))
            .or_default() += 1;
    });
}

/// `POST /contacts/bulk/business`.
pub async fn bulk_business(State(sh): State<Arc<Shared>>, body: Option<Json<Value>>) -> Response {
    let body = match body_object(body, false) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let mut problems = unknown_props(&body, &["locationId", "ids", "businessId"]);
    if body
        .get("locationId")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        problems.push("locationId should not be empty".into());
    }
    let ids = strings(body.get("ids"));
    match &ids {
        None => problems.push("ids must be an array".into()),
        Some(v) if v.iter().any(|i| i.chars().count() > 50) => {
            problems.push("each value in ids must be shorter than or equal to 50 characters".into())
        }
        Some(_) => {}
    }
    let business = match body.get("businessId") {
        None => {
            problems.push("businessId must be a string".into());
            None
        }
        Some(Value::Null) => None,
        Some(Value::String(b)) => Some(b.clone()),
        Some(_) => {
            problems.push("businessId must be a string".into());
            None
        }
    };
    if !problems.is_empty() {
        return errors::unprocessable(problems);
    }
    if let Some(b) = &business {
        if !known(&sh.read().lists.businesses, b) {
            return not_found("Business", b);
        }
    }
    let mut updated = Vec::new();
    for id in ids.unwrap_or_default() {
        let done = sh.modify_contact(&id, |doc| match &business {
            Some(b) => {
                doc.insert("businessId".into(), json!(b));
            }
            None => {
                doc.remove("businessId");
            }
        });
        if done.is_some() {
            count_bulk(&sh, "/contacts/bulk/business", &id);
            updated.push(id);
        }
    }
    Json(json!({ "success": true, "ids": updated })).into_response()
}

/// True for an id shaped like GHL's (20 letters and digits).
fn id_shaped(id: &str) -> bool {
    id.len() == 20 && id.chars().all(|c| c.is_ascii_alphanumeric())
}

/// `POST /contacts/bulk/tags/update/{type}`.
pub async fn bulk_tags(
    State(sh): State<Arc<Shared>>,
    Path(kind): Path<String>,
    body: Option<Json<Value>>,
) -> Response {
    let add = match kind.as_str() {
        "add" => true,
        "remove" => false,
        _ => {
            return errors::unprocessable(vec![
                "type must be one of the following values: add, remove".into(),
            ])
        }
    };
    let body = match body_object(body, false) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let mut problems = unknown_props(&body, &["contacts", "tags", "locationId", "removeAllTags"]);
    if body
        .get("locationId")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        problems.push("locationId should not be empty".into());
    }
    let contacts = strings(body.get("contacts"));
    if contacts.is_none() {
        problems.push("contacts must be an array".into());
    }
    let tags = strings(body.get("tags"));
    if tags.is_none() {
        problems.push("tags must be an array".into());
    }
    let remove_all = body.get("removeAllTags").and_then(Value::as_bool) == Some(true);
    if remove_all && add {
        problems.push("removeAllTags can only be used with remove type".into());
    }
    if !problems.is_empty() {
        return errors::unprocessable(problems);
    }
    let tags = tags.unwrap_or_default();
    let path = format!("/contacts/bulk/tags/update/{kind}");
    let mut responses = Vec::new();
    let mut errors_n = 0;
    for id in contacts.unwrap_or_default() {
        if !id_shaped(&id) {
            errors_n += 1;
            responses.push(json!({"contactId": id, "message": "contact id is not a valid firebase id", "type": "error"}));
            continue;
        }
        let mut old = Vec::new();
        let mut added = Vec::new();
        let mut removed = Vec::new();
        let done = sh.modify_contact(&id, |doc| {
            let mut now = strings(doc.get("tags")).unwrap_or_default();
            old = now.clone();
            if add {
                for t in &tags {
                    if !now.contains(t) {
                        now.push(t.clone());
                        added.push(t.clone());
                    }
                }
            } else {
                let drop: Vec<String> = if remove_all {
                    now.clone()
                } else {
                    tags.clone()
                };
                removed = now.iter().filter(|t| drop.contains(t)).cloned().collect();
                now.retain(|t| !drop.contains(t));
            }
            doc.insert("tags".into(), json!(now));
        });
        if done.is_some() {
            count_bulk(&sh, &path, &id);
            responses.push(
                json!({"contactId": id, "message": "Tags updated", "type": "success",
                                  "oldTags": old, "tagsAdded": added, "tagsRemoved": removed}),
            );
        } else {
            errors_n += 1;
            responses
                .push(json!({"contactId": id, "message": "contact is deleted", "type": "error"}));
        }
    }
    let ok = errors_n < responses.len() || responses.is_empty();
    (
        StatusCode::CREATED,
        Json(json!({ "succeded": ok, "errorCount": errors_n, "responses": responses })),
    )
        .into_response()
}

/// `GET /contacts/business/{businessId}`.
pub async fn business_contacts(
    State(sh): State<Arc<Shared>>,
    Path(business): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if q.get("locationId").is_none_or(|l| l.is_empty()) {
        return errors::unprocessable(vec!["locationId should not be empty".into()]);
    }
    let (limit, skip) = match super::lists::paging(&q, 25, 100) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let store = sh.read();
    if !known(&store.lists.businesses, &business) {
        return not_found("Business", &business);
    }
    let sort = [super::validate::SortKey {
        field: super::validate::SortField::DateAdded,
        desc: true,
    }];
    let all: Vec<&super::state::StoredContact> = store
        .contacts
        .iter()
        .filter(|c| c.doc.get("businessId").and_then(Value::as_str) == Some(business.as_str()))
        .collect();
    let page: Vec<Value> = all
        .iter()
        .skip(skip)
        .take(limit)
        .map(|c| super::search::search_shape(c, &sort))
        .collect();
    Json(json!({ "contacts": page, "count": all.len() })).into_response()
}
