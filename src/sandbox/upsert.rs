//! `POST /contacts/upsert` (`UpsertContactDto`: the create properties plus
//! `createNewIfDuplicateAllowed`; `locationId` required) → 200 `{new, contact, traceId}`, with
//! GHL's documented surprises (ghl-pitfalls.md §5–§7):
//!
//! - the contact is found by email first, then by phone (**OUR CHOICE** of the location's
//!   "priority sequence"); an email matches a primary email or an *additional* one;
//! - email and phone matching two different contacts: the email's contact is updated and the
//!   phone is silently ignored (§5);
//! - matching an additional email makes it the primary one, the old primary is gone (§6);
//! - `gender` is ignored on an existing contact (§7);
//! - with the location's "Allow Duplicate Contact" on and `createNewIfDuplicateAllowed: true`,
//!   a new contact is always created.

use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

use super::errors;
use super::state::Shared;
use super::writes::{apply, known_custom_fields, phone_key, CREATE_FIELDS};

/// How the upsert found its contact.
enum Match {
    Email(String),
    AdditionalEmail(String),
    Phone(String),
}

fn find(sh: &Shared, email: Option<&str>, phone: Option<&str>) -> (Option<Match>, Option<String>) {
    let store = sh.read();
    let lower = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_lowercase);
    let mut by_email = None;
    let mut by_phone = None;
    for c in &store.contacts {
        if let Some(e) = email {
            if by_email.is_none() && lower(c.doc.get("email")).as_deref() == Some(e) {
                by_email = Some(Match::Email(c.id().to_owned()));
            }
        }
        if let Some(p) = phone {
            let cp = c.doc.get("phone").and_then(Value::as_str).map(phone_key);
            if by_phone.is_none() && cp.as_deref() == Some(p) {
                by_phone = Some(c.id().to_owned());
            }
        }
    }
    if by_email.is_none() {
        if let Some(e) = email {
            by_email = store
                .contacts
                .iter()
                .find(|c| {
                    c.doc
                        .get("additionalEmails")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .any(|a| {
                            let s = a.get("email").or(Some(a));
                            lower(s).as_deref() == Some(e)
                        })
                })
                .map(|c| Match::AdditionalEmail(c.id().to_owned()));
        }
    }
    match by_email {
        Some(m) => (Some(m), by_phone),
        None => (by_phone.clone().map(Match::Phone), by_phone),
    }
}

/// `POST /contacts/upsert`.
pub async fn upsert(State(sh): State<Arc<Shared>>, body: Option<Json<Value>>) -> Response {
    let body = match body.map(|Json(v)| v) {
        Some(Value::Object(m)) => m,
        _ => return errors::unprocessable(vec!["body must be a JSON object".into()]),
    };
    let mut problems: Vec<String> = body
        .keys()
        .filter(|k| !CREATE_FIELDS.contains(&k.as_str()) && *k != "createNewIfDuplicateAllowed")
        .map(|k| format!("property {k} should not exist"))
        .collect();
    if body
        .get("locationId")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        problems.push("locationId should not be empty".into());
    }
    problems.extend(super::writes::value_problems(&sh, &body));
    if !problems.is_empty() {
        return errors::unprocessable(problems);
    }
    let mut fields: Map<String, Value> = body.clone();
    fields.remove("createNewIfDuplicateAllowed");
    let email = body
        .get("email")
        .and_then(Value::as_str)
        .filter(|e| !e.is_empty())
        .map(str::to_lowercase);
    let phone = body
        .get("phone")
        .and_then(Value::as_str)
        .map(phone_key)
        .filter(|p| !p.is_empty());
    let allow = sh
        .allow_duplicate_contact
        .load(std::sync::atomic::Ordering::SeqCst);
    let force_new = allow && body.get("createNewIfDuplicateAllowed") == Some(&Value::Bool(true));
    let (found, phone_owner) = if force_new {
        (None, None)
    } else {
        find(&sh, email.as_deref(), phone.as_deref())
    };
    let known = known_custom_fields(&sh);
    let dropped = sh.faults.dropped_field();
    let trace = super::ids::trace_id();
    let Some(m) = found else {
        let mut doc = Map::new();
        apply(&mut doc, &fields, dropped.as_deref(), &known);
        let created = sh.create_contact(doc);
        return Json(json!({ "new": true, "contact": created, "traceId": trace })).into_response();
    };
    let id = match &m {
        Match::Email(id) | Match::AdditionalEmail(id) | Match::Phone(id) => id.clone(),
    };
    // §7: gender is not updated on an existing contact.
    fields.remove("gender");
    // §5: a phone that belongs to another contact is ignored.
    if phone_owner.as_deref().is_some_and(|p| p != id) {
        fields.remove("phone");
    }
    let additional = matches!(m, Match::AdditionalEmail(_));
    let doc = sh.modify_contact(&id, |doc| {
        apply(doc, &fields, dropped.as_deref(), &known);
        if additional {
            // §6: the additional email became the primary; the old primary is gone.
            if let (Some(Value::Array(a)), Some(e)) =
                (doc.get_mut("additionalEmails"), email.as_deref())
            {
                a.retain(|x| {
                    x.get("email")
                        .or(Some(x))
                        .and_then(Value::as_str)
                        .map(str::to_lowercase)
                        .as_deref()
                        != Some(e)
                });
            }
        }
    });
    match doc {
        Some(d) => Json(json!({ "new": false, "contact": d, "traceId": trace })).into_response(),
        None => errors::contact_not_found(&id),
    }
}
