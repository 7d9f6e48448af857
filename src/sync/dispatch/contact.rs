//! Updates and deletes of a contact (creates are in [`super::create`]).
//!
//! - **update**: the contact is read again first. If GHL already has every proposed value the
//!   change is applied (an earlier run's write went through before a crash). If its
//!   `dateUpdated` moved past the change's base, it is a **conflict**, never an overwrite.
//!   Otherwise the writes of [`super::requests::update_requests`] are sent (`PUT` with only the
//!   changed fields, then tag adds and the removals the change may make), and the answer is
//!   compared with what was sent to report fields GHL silently dropped.
//! - **delete**: read again; already gone → applied; changed since the base → conflict;
//!   otherwise `DELETE /contacts/{id}` (a "not found" after a lost answer is applied).

use serde_json::{Map, Value};

use super::requests::{tag_edits, update_requests};
use super::runner::Ctx;
use crate::domain::ChangeState;
use crate::ghl::client::{tags_of_answer, write_result_of};
use crate::ghl::GhlRequest;
use crate::store::StoreError;
use crate::sync::diff::{ghl_value, same};

/// Fields sent but not stored: the answer's value differs from what was sent. Custom fields
/// are compared item by item (`customFields.<id>`): an id GHL ignored (unknown to the location)
/// is absent from the answer and reported like any dropped field.
pub fn dropped(sent: &Map<String, Value>, answer: Option<&Value>) -> Vec<String> {
    let Some(Value::Object(got)) = answer else {
        return Vec::new();
    };
    let mut out: Vec<String> = sent
        .iter()
        .filter(|(k, v)| {
            !matches!(k.as_str(), "customFields" | "locationId" | "tags") && !v.is_null()
        })
        .filter(|(k, v)| {
            let g = got.get(k.as_str()).and_then(Value::as_str);
            !same(k, g, v.as_str())
        })
        .map(|(k, _)| k.clone())
        .collect();
    let stored: Vec<&Value> = got
        .get("customFields")
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    for item in sent
        .get("customFields")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(id) = item.get("id").and_then(Value::as_str) else {
            continue;
        };
        let want = item.get("field_value").unwrap_or(&Value::Null);
        if want.is_null() {
            continue;
        }
        let text = |v: &Value| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let kept = stored.iter().any(|s| {
            s.get("id").and_then(Value::as_str) == Some(id)
                && s.get("value").is_some_and(|v| {
                    same("custom", Some(&text(v)), Some(&text(want))) || same_date(v, want)
                })
        });
        if !kept {
            out.push(format!("customFields.{id}"));
        }
    }
    out
}

/// True when a date custom field written as `YYYY-MM-DD` came back as GHL stores dates: epoch
/// milliseconds (as a number or a string) of that day in UTC.
fn same_date(stored: &Value, sent: &Value) -> bool {
    let Some(day) = sent
        .as_str()
        .and_then(|s| jiff::civil::Date::strptime("%Y-%m-%d", s).ok())
    else {
        return false;
    };
    let ms = match stored {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    ms.and_then(|m| jiff::Timestamp::from_millisecond(m).ok())
        .is_some_and(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date() == day)
}

/// Sends an update change of an existing contact; see the module docs.
pub(super) async fn update(cx: &mut Ctx<'_>) -> Result<ChangeState, StoreError> {
    let id = cx.change.contact_id.clone().unwrap_or_default();
    let now = match cx.client.get_contact(&id).await {
        Ok(c) => c,
        Err(e) if e.is_not_found() => {
            cx.info.last_error = Some(format!("contact {id} no longer exists in GHL"));
            cx.save(ChangeState::Failed)?;
            return Ok(ChangeState::Failed);
        }
        Err(e) => return cx.fail(&e),
    };
    cx.store.put_contacts(std::slice::from_ref(&now))?;
    cx.before = crate::sync::journal::ReadBefore::Contact(Box::new(now.clone()));
    let writes = update_requests(&cx.change, &id, &now.tags);
    let (add, remove) = tag_edits(&cx.change, &now.tags);
    let all_there = add.is_empty()
        && remove.is_empty()
        && cx.change.fields.iter().all(|f| {
            f.field == "tags"
                || same(
                    &f.field,
                    ghl_value(&now, &f.field).as_deref(),
                    f.proposed.as_deref(),
                )
        });
    if all_there {
        cx.info.contact_id = Some(id.clone());
        cx.save(ChangeState::Applied)?;
        return Ok(ChangeState::Applied);
    }
    if now.date_updated.as_deref() > cx.change.base_date_updated.as_deref() {
        cx.info.ghl_now = cx
            .change
            .fields
            .iter()
            .map(|f| (f.field.clone(), ghl_value(&now, &f.field)))
            .collect();
        cx.info.last_error = Some(format!(
            "contact changed in GHL at {} after the diff (base {}; Israel time)",
            now.date_updated
                .as_deref()
                .map_or("?".into(), crate::clock::value),
            cx.change
                .base_date_updated
                .as_deref()
                .map_or("none".into(), crate::clock::value)
        ));
        cx.save(ChangeState::Conflict)?;
        return Ok(ChangeState::Conflict);
    }
    let mut last = None;
    for w in &writes {
        let sent: Map<String, Value> = match &w.body {
            Some(Value::Object(m)) => m.clone(),
            _ => Map::new(),
        };
        let fields: Vec<String> = sent.keys().cloned().collect();
        let r = cx.client.send_request(w).await;
        let is_put = w.method == reqwest::Method::PUT;
        match r {
            Ok(v) => {
                let res = write_result_of(&v);
                let outcome = if is_put {
                    cx.info.dropped_fields = dropped(&sent, res.raw.as_ref());
                    last = res.contact.clone();
                    if cx.info.dropped_fields.is_empty() {
                        "applied".to_owned()
                    } else {
                        format!(
                            "applied; GHL did not store: {}",
                            cx.info.dropped_fields.join(", ")
                        )
                    }
                } else {
                    let tags = tags_of_answer(&v);
                    format!("applied; tags now: {}", tags.join(", "))
                };
                cx.journal(w.endpoint(), fields, &Ok(res), &outcome)?;
            }
            Err(e) => {
                cx.journal_err(w.endpoint(), fields, &e, "failed")?;
                return cx.fail(&e);
            }
        }
    }
    // Keep the cache true to GHL: the answer (or a fresh read for tag-only changes).
    let fresh = match last {
        Some(c) if writes.len() == 1 => Some(c),
        _ => cx.client.get_contact(&id).await.ok(),
    };
    if let Some(c) = fresh {
        // The recent GHL changes show our own send too, field by field (a pull would find
        // nothing new: the cache already holds GHL's answer).
        let defs = cx.store.custom_fields().unwrap_or_default();
        let fields = crate::sync::recent::contact_diff(&now, &c, &defs);
        if !fields.is_empty() {
            let at = jiff::Timestamp::now();
            let entry = crate::domain::RecentChange {
                seen_at: crate::clock::iso_utc(at),
                contact_id: id.clone(),
                name: c.display_name(),
                date_updated: c.date_updated.clone(),
                created: false,
                fields,
                unshown: false,
                source: crate::domain::RecentSource::Sent,
            };
            crate::sync::recent::record(cx.store, std::slice::from_ref(&entry), at);
        }
        cx.store.put_contacts(std::slice::from_ref(&c))?;
    }
    cx.info.contact_id = Some(id);
    cx.save(ChangeState::Applied)?;
    Ok(ChangeState::Applied)
}

/// Sends a delete change; see the module docs.
pub(super) async fn delete(cx: &mut Ctx<'_>) -> Result<ChangeState, StoreError> {
    let id = cx.change.contact_id.clone().unwrap_or_default();
    match cx.client.get_contact(&id).await {
        Err(e) if e.is_not_found() => {
            cx.store.remove_contact(&id)?;
            cx.save(ChangeState::Applied)?;
            return Ok(ChangeState::Applied);
        }
        Err(e) => return cx.fail(&e),
        Ok(now) => {
            cx.before = crate::sync::journal::ReadBefore::Contact(Box::new(now.clone()));
            if now.date_updated.as_deref() > cx.change.base_date_updated.as_deref() {
                cx.info.last_error = Some(format!(
                    "contact changed in GHL at {} (Israel time) after the delete was proposed",
                    now.date_updated
                        .as_deref()
                        .map_or("?".into(), crate::clock::value)
                ));
                cx.save(ChangeState::Conflict)?;
                return Ok(ChangeState::Conflict);
            }
        }
    }
    let req = GhlRequest::delete_contact(&id);
    let r = cx
        .client
        .send_request(&req)
        .await
        .map(|v| write_result_of(&v));
    match &r {
        Ok(_) => {
            cx.journal(req.endpoint(), vec![], &r, "deleted")?;
            cx.store.remove_contact(&id)?;
            cx.save(ChangeState::Applied)?;
            Ok(ChangeState::Applied)
        }
        Err(e) if e.is_not_found() => {
            // Deleted by an earlier attempt whose answer was lost: applied.
            cx.journal(req.endpoint(), vec![], &r, "already gone")?;
            cx.store.remove_contact(&id)?;
            cx.save(ChangeState::Applied)?;
            Ok(ChangeState::Applied)
        }
        Err(e) => {
            cx.journal(req.endpoint(), vec![], &r, "failed")?;
            cx.fail(e)
        }
    }
}
