//! What a contact change sends, as [`GhlRequest`] values: built once here and used both by the
//! dry run ([`super::planner`]) and by the runner ([`super::contact`], [`super::create`]).
//!
//! Tags: a Bmby change adds tags; it removes only tags it may remove — a hand edit (origin
//! `local`, or a tags field a person edited) removes what the person took out, and a Bmby change
//! removes only the tags listed in [`Change::removable_tags`] (tags the mapping says Bmby owns).
//! Removal is always measured against what the diff saw (`ghl_now`), so a tag added in GHL after
//! the diff is never removed. Tags GHL users and automations put on a contact are theirs.

use serde_json::{json, Map, Value};

use crate::domain::{Change, FieldChange, LOCAL_ORIGIN};
use crate::ghl::GhlRequest;

/// The JSON value to send for a proposed text.
pub(super) fn json_value(v: &Option<String>) -> Value {
    match v {
        None => Value::Null,
        Some(s) => Value::String(s.clone()),
    }
}

/// A tags display value (`a, b`) as a list.
pub fn tags_of(v: &Option<String>) -> Vec<String> {
    v.as_deref()
        .map(|s| {
            s.split(',')
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// The contact body of a change: standard fields by name, custom fields as
/// `customFields: [{id, field_value}]` (the typed JSON of [`FieldChange::value_json`] when
/// set), `dnd` as a boolean (`on`), `dndSettings.<Channel>` as
/// `dndSettings: {<Channel>: {status}}`; tags are returned apart (they go through the tag
/// endpoints on an update, in the body on a create).
pub fn body_of(fields: &[FieldChange]) -> (Map<String, Value>, Option<&FieldChange>) {
    let mut body = Map::new();
    let mut custom = Vec::new();
    let mut tags = None;
    let mut dnd_settings = Map::new();
    for f in fields {
        let typed = f
            .value_json
            .as_deref()
            .and_then(|j| serde_json::from_str::<Value>(j).ok());
        if f.field == "tags" {
            tags = Some(f);
        } else if let Some(id) = f.field.strip_prefix("customFields.") {
            let v = typed.unwrap_or_else(|| json_value(&f.proposed));
            custom.push(json!({ "id": id, "field_value": v }));
        } else if f.field == "dnd" {
            body.insert(
                "dnd".into(),
                Value::Bool(f.proposed.as_deref() == Some("on")),
            );
        } else if let Some(channel) = f.field.strip_prefix("dndSettings.") {
            let status = f.proposed.clone().unwrap_or_else(|| "inactive".into());
            dnd_settings.insert(channel.to_owned(), json!({ "status": status }));
        } else {
            body.insert(
                f.field.clone(),
                typed.unwrap_or_else(|| json_value(&f.proposed)),
            );
        }
    }
    if !dnd_settings.is_empty() {
        body.insert("dndSettings".into(), Value::Object(dnd_settings));
    }
    if !custom.is_empty() {
        body.insert("customFields".into(), Value::Array(custom));
    }
    (body, tags)
}

/// The create body of a change: [`body_of`] with the proposed tags in it.
pub fn create_body(c: &Change) -> Map<String, Value> {
    let (mut body, tags) = body_of(&c.fields);
    if let Some(t) = tags {
        body.insert("tags".into(), json!(tags_of(&t.proposed)));
    }
    body
}

/// `POST /contacts/` for a create change.
pub fn create_request(c: &Change, location_id: &str) -> GhlRequest {
    GhlRequest::create_contact(location_id, &create_body(c))
}

/// The id of the Bmby client id custom field, when the change carries it (see the mapping of
/// `client_id`).
pub fn client_id_field(c: &Change) -> Option<String> {
    c.fields
        .iter()
        .find(|f| f.source_field == "client_id")
        .and_then(|f| f.field.strip_prefix("customFields."))
        .map(str::to_owned)
}

/// The look-ups made before a create is sent (and to resolve one whose answer was lost):
/// `GET /contacts/search/duplicate` by email, then by phone, then a search by the Bmby client id
/// custom field when the change carries it. Each with what it matches on.
pub fn lookup_requests(c: &Change, location_id: &str) -> Vec<(&'static str, GhlRequest)> {
    let mut out = Vec::new();
    if let Some(e) = c.proposed("email") {
        out.push((
            "email",
            GhlRequest::find_duplicate(location_id, Some(e), None),
        ));
    }
    if let Some(p) = c.proposed("phone") {
        out.push((
            "phone",
            GhlRequest::find_duplicate(location_id, None, Some(p)),
        ));
    }
    if let Some(cf) = client_id_field(c).filter(|_| !c.client_id.is_empty()) {
        out.push((
            "client id",
            GhlRequest::search_custom_field(location_id, &cf, &c.client_id),
        ));
    }
    out
}

/// True when the change may remove `tag` (see the module docs).
fn may_remove(c: &Change, f: &FieldChange, tag: &str) -> bool {
    c.origin == LOCAL_ORIGIN || f.edited || c.removable_tags.iter().any(|t| t == tag)
}

/// The tag edits of an update against the contact's tags `now`: `(add, remove)`. Adds are the
/// proposed tags `now` lacks; removals are tags the diff saw, the proposal dropped, `now` still
/// has, and the change may remove.
pub fn tag_edits(c: &Change, now: &[String]) -> (Vec<String>, Vec<String>) {
    let Some(f) = c.fields.iter().find(|f| f.field == "tags") else {
        return (Vec::new(), Vec::new());
    };
    let (base, want) = (tags_of(&f.ghl_now), tags_of(&f.proposed));
    let add = want.iter().filter(|t| !now.contains(t)).cloned().collect();
    let remove = base
        .iter()
        .filter(|t| !want.contains(t) && now.contains(t) && may_remove(c, f, t))
        .cloned()
        .collect();
    (add, remove)
}

/// The writes of an update of contact `id` whose tags are `now_tags`: `PUT /contacts/{id}`
/// (when a field besides tags changes), then the tag adds and removals.
pub fn update_requests(c: &Change, id: &str, now_tags: &[String]) -> Vec<GhlRequest> {
    let (body, _) = body_of(&c.fields);
    let mut out = Vec::new();
    if !body.is_empty() {
        out.push(GhlRequest::update_contact(id, &body));
    }
    let (add, remove) = tag_edits(c, now_tags);
    if !add.is_empty() {
        out.push(GhlRequest::edit_tags(id, &add, true));
    }
    if !remove.is_empty() {
        out.push(GhlRequest::edit_tags(id, &remove, false));
    }
    out
}
