//! Contact writes (`apps/contacts.json`, Version 2021-07-28): create, update, delete, tags, and
//! the duplicate look-up, validating bodies the way GHL does.
//!
//! - `POST /contacts/` (`CreateContactDto`): unknown properties → 422
//!   `["property X should not exist"]`; no `locationId` → 422; an email or phone that another
//!   contact has → 400 `"This location does not allow duplicated contacts."` with
//!   `meta: { contactId, contactName, matchingField }` when the location's "Allow Duplicate
//!   Contact" setting is off (GHL's default); with it on, a second contact is created;
//!   → 201 `{ contact }`. Custom field items naming an id (or key) the location does not have
//!   are silently ignored, as GHL does.
//! - `PUT /contacts/{id}` (`UpdateContactDto`: the create fields minus `locationId`, `gender`,
//!   `companyName`) → 200 `{ succeded: true, contact }` (sic); unknown id → 400.
//! - `DELETE /contacts/{id}` → 200 `{ succeded: true }`.
//! - `POST /contacts/{id}/tags` `{ tags }` → 201 `{ tags }`; `DELETE /contacts/{id}/tags` → 200.
//! - `GET /contacts/search/duplicate?locationId&email|number` → 200 `{ contact: Contact|null }`
//!   (the response shape is unconfirmed in GHL's docs; public clients read `contact.id`);
//!   neither parameter → 400 `"Pass at least one of number, email query parameter"`.

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

/// `CreateContactDto` properties.
pub const CREATE_FIELDS: &[&str] = &[
    "firstName",
    "lastName",
    "name",
    "email",
    "locationId",
    "gender",
    "phone",
    "address1",
    "city",
    "state",
    "postalCode",
    "website",
    "timezone",
    "dnd",
    "dndSettings",
    "inboundDndSettings",
    "tags",
    "customFields",
    "source",
    "dateOfBirth",
    "country",
    "companyName",
    "assignedTo",
];

/// `UpdateContactDto` properties: create minus `locationId`, `gender`, `companyName`.
pub fn update_fields() -> impl Iterator<Item = &'static str> {
    CREATE_FIELDS
        .iter()
        .copied()
        .filter(|f| !matches!(*f, "locationId" | "gender" | "companyName"))
}

fn object(body: Option<Json<Value>>) -> Result<Map<String, Value>, Response> {
    match body.map(|Json(v)| v) {
        Some(Value::Object(m)) => Ok(m),
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

pub(super) fn phone_key(p: &str) -> String {
    p.chars().filter(|c| c.is_ascii_digit()).collect()
}

/// The location's custom field definitions (`CustomFieldSchema` JSON): what a write may name.
pub(super) fn known_custom_fields(sh: &Shared) -> Vec<Value> {
    sh.read().custom_fields.clone()
}

/// The 422 messages of a create/update/upsert body's values: custom field values of the wrong
/// type (see [`super::custom_values`]) and an `assignedTo` that is no user of the location
/// (**OUR CHOICE**: `assignedTo must be a valid user id of this location`; GHL's answer to an
/// unknown user id is unconfirmed).
pub(super) fn value_problems(sh: &Shared, body: &Map<String, Value>) -> Vec<String> {
    let mut problems = Vec::new();
    if let Some(items) = body.get("customFields") {
        if let Err(p) = super::custom_values::check(&known_custom_fields(sh), items) {
            problems.extend(p);
        }
    }
    if let Some(user) = body.get("assignedTo").and_then(Value::as_str) {
        let store = sh.read();
        let known = store
            .lists
            .users
            .iter()
            .any(|u| u.get("id").and_then(Value::as_str) == Some(user));
        if !user.is_empty() && !known {
            problems.push("assignedTo must be a valid user id of this location".into());
        }
    }
    problems
}

/// Applies write fields to a stored document: `customFields` items `{id|key, field_value}` are
/// merged into the read shape `{id, value}` under the field's real id (items naming no field
/// of `defs` are ignored, as GHL does; values were checked by [`value_problems`]);
/// `dndSettings` channels are merged into the stored ones; a field the `dropped_field` fault
/// names is ignored.
pub(super) fn apply(
    doc: &mut Map<String, Value>,
    body: &Map<String, Value>,
    dropped: Option<&str>,
    defs: &[Value],
) {
    for (k, v) in body {
        if Some(k.as_str()) == dropped || k == "locationId" {
            continue;
        }
        if k == "customFields" {
            let mut current: Vec<Value> = doc
                .get("customFields")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for c in super::custom_values::check(defs, v).unwrap_or_default() {
                current.retain(|x| x.get("id").and_then(Value::as_str) != Some(c.id.as_str()));
                if let Some(value) = c.value {
                    current.push(json!({"id": c.id, "value": value}));
                }
            }
            doc.insert("customFields".into(), Value::Array(current));
        } else if k == "dndSettings" {
            let mut current = doc
                .get("dndSettings")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            for (ch, setting) in v.as_object().into_iter().flatten() {
                current.insert(ch.clone(), setting.clone());
            }
            doc.insert("dndSettings".into(), Value::Object(current));
        } else {
            doc.insert(k.clone(), v.clone());
        }
    }
}

/// `POST /contacts/`.
pub async fn create_contact(State(sh): State<Arc<Shared>>, body: Option<Json<Value>>) -> Response {
    let body = match object(body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let mut problems = unknown_props(&body, CREATE_FIELDS);
    if body
        .get("locationId")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        problems.push("locationId should not be empty".into());
    }
    problems.extend(value_problems(&sh, &body));
    if !problems.is_empty() {
        return errors::unprocessable(problems);
    }
    let email = body
        .get("email")
        .and_then(Value::as_str)
        .map(str::to_lowercase);
    let phone = body
        .get("phone")
        .and_then(Value::as_str)
        .map(phone_key)
        .filter(|p| !p.is_empty());
    let allow = sh
        .allow_duplicate_contact
        .load(std::sync::atomic::Ordering::SeqCst);
    let dup = if allow {
        None
    } else {
        sh.find_duplicate(email.as_deref(), phone.as_deref())
    };
    if let Some((id, name, field)) = dup {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({
                "statusCode": 400,
                "message": "This location does not allow duplicated contacts.",
                "meta": { "contactId": id, "contactName": name, "matchingField": field },
            })),
        )
            .into_response();
    }
    let mut doc = Map::new();
    let known = known_custom_fields(&sh);
    apply(
        &mut doc,
        &body,
        sh.faults.dropped_field().as_deref(),
        &known,
    );
    let created = sh.create_contact(doc);
    (StatusCode::CREATED, Json(json!({ "contact": created }))).into_response()
}

/// `PUT /contacts/{contactId}`.
pub async fn update_contact(
    State(sh): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Option<Json<Value>>,
) -> Response {
    let body = match object(body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let allowed: Vec<&str> = update_fields().collect();
    let mut problems = unknown_props(&body, &allowed);
    problems.extend(value_problems(&sh, &body));
    if !problems.is_empty() {
        return errors::unprocessable(problems);
    }
    let dropped = sh.faults.dropped_field();
    let known = known_custom_fields(&sh);
    match sh.modify_contact(&id, |doc| apply(doc, &body, dropped.as_deref(), &known)) {
        Some(doc) => Json(json!({ "succeded": true, "contact": doc })).into_response(),
        None => errors::contact_not_found(&id),
    }
}

/// `DELETE /contacts/{contactId}`.
pub async fn delete_contact(State(sh): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    if sh.delete_contact(&id) {
        Json(json!({ "succeded": true })).into_response()
    } else {
        errors::contact_not_found(&id)
    }
}

fn tags_body(body: Option<Json<Value>>) -> Result<Vec<String>, Response> {
    let body = object(body)?;
    let problems = unknown_props(&body, &["tags"]);
    if !problems.is_empty() {
        return Err(errors::unprocessable(problems));
    }
    match body.get("tags").and_then(Value::as_array) {
        Some(a) => Ok(a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect()),
        None => Err(errors::unprocessable(vec!["tags must be an array".into()])),
    }
}

fn edit_tags(sh: &Shared, id: &str, body: Option<Json<Value>>, add: bool) -> Response {
    let tags = match tags_body(body) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let doc = sh.modify_contact(id, |doc| {
        let mut current: Vec<String> = doc
            .get("tags")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        if add {
            for t in &tags {
                if !current.contains(t) {
                    current.push(t.clone());
                }
            }
        } else {
            current.retain(|t| !tags.contains(t));
        }
        doc.insert("tags".into(), json!(current));
    });
    match doc {
        Some(d) => {
            let status = if add {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            (
                status,
                Json(json!({ "tags": d.get("tags").cloned().unwrap_or(json!([])) })),
            )
                .into_response()
        }
        None => errors::contact_not_found(id),
    }
}

/// `POST /contacts/{contactId}/tags`.
pub async fn add_tags(
    State(sh): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Option<Json<Value>>,
) -> Response {
    edit_tags(&sh, &id, body, true)
}

/// `DELETE /contacts/{contactId}/tags`.
pub async fn remove_tags(
    State(sh): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Option<Json<Value>>,
) -> Response {
    edit_tags(&sh, &id, body, false)
}

/// `GET /contacts/search/duplicate`.
pub async fn duplicate(
    State(sh): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let email = q
        .get("email")
        .filter(|e| !e.is_empty())
        .map(|e| e.to_lowercase());
    let number = q
        .get("number")
        .filter(|n| !n.is_empty())
        .map(|n| phone_key(n));
    if email.is_none() && number.is_none() {
        return errors::bad_request("Pass at least one of number, email query parameter");
    }
    let found = sh.find_duplicate(email.as_deref(), number.as_deref());
    let contact =
        found.and_then(|(id, _, _)| sh.read().get(&id).map(|c| Value::Object(c.doc.clone())));
    Json(json!({ "contact": contact.unwrap_or(Value::Null) })).into_response()
}
