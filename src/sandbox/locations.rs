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
