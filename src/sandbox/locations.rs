//! `GET /locations/{locationId}/customFields?model=contact|opportunity|all` and
//! `GET /locations/{locationId}` (`apps/locations.json`, Version 2021-07-28).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::errors;
use super::state::Shared;

/// → 200 `{"customFields":[CustomFieldSchema]}` with `id, name, fieldKey ("contact.xxx"),
/// placeholder, dataType, position, picklistOptions, picklistImageOptions,
/// isAllowedCustomOption, isMultiFileAllowed, maxFileLimit, locationId, model`.
///
/// **OUR CHOICE**: without `model` only contact fields are returned (unconfirmed). A `model`
/// outside the enum → 422 `["model must be one of the following values: contact, opportunity, all"]`.
/// The location in the path was already checked by the gate (403 for another location).
pub async fn get_custom_fields(
    State(sh): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let model = q.get("model").map(String::as_str).unwrap_or("contact");
    if !matches!(model, "contact" | "opportunity" | "all") {
        return errors::unprocessable(vec![
            "model must be one of the following values: contact, opportunity, all".into(),
        ]);
    }
    let store = sh.read();
    let fields: Vec<Value> = store
        .custom_fields
        .iter()
        .filter(|f| model == "all" || f.get("model").and_then(Value::as_str) == Some(model))
        .cloned()
        .collect();
    Json(json!({ "customFields": fields })).into_response()
}

/// → 200 `{"location": {id, companyId, name, timezone, country, settings}}` (a subset of
/// `GetLocationByIdSchema`; `timezone` is [`super::SandboxConfig::location_timezone`];
/// `settings` is `SettingsSchema`, `allowDuplicateContact` as set on the sandbox). The gate
/// already checked the location in the path.
pub async fn get_location(State(sh): State<Arc<Shared>>) -> Response {
    let allow = sh
        .allow_duplicate_contact
        .load(std::sync::atomic::Ordering::SeqCst);
    Json(json!({
        "location": {
            "id": sh.location_id,
            "companyId": "sbxCompany0000000001",
            "name": sh.location_name,
            "timezone": sh.location_timezone,
            "country": "IL",
            "settings": {
                "allowDuplicateContact": allow,
                "allowDuplicateOpportunity": false,
                "allowFacebookNameMerge": false,
                "disableContactTimezone": false,
            },
        }
    }))
    .into_response()
}

/// `GET /locations/{locationId}/tags` → 200 `{"tags":[{name, locationId, id}]}`
/// (`LocationTagsSchema`, scope `locations/tags.readonly`): every tag a contact of the location
/// has, sorted by name. **OUR CHOICE**: the id is derived from the name (GHL's tag ids are
/// its own); GHL also keeps tags no contact has any more, the stand-in does not.
pub async fn get_tags(State(sh): State<Arc<Shared>>) -> Response {
    let mut names: Vec<String> = sh
        .read()
        .contacts
        .iter()
        .flat_map(|c| {
            c.doc
                .get("tags")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect();
    names.sort_by_key(|n| n.to_lowercase());
    names.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    let tags: Vec<Value> = names
        .iter()
        .map(|n| {
            let h = n
                .bytes()
                .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64));
            json!({"name": n, "locationId": sh.location_id, "id": format!("tag{h:017}")})
        })
        .collect();
    Json(json!({ "tags": tags })).into_response()
}
