//! Dispatching approved changes to GHL exactly once, through the outbox.
//!
//! Every change moves `approved → in_flight → applied | failed | conflict`, and each state is
//! written and flushed before the next network step, so a crash anywhere leaves a state the
//! next run finishes correctly:
//! - **update**: the contact is read again first. If GHL already has every proposed value the
//!   change is applied (an earlier run's write went through before a crash). If its
//!   `dateUpdated` moved past the change's base, it is a **conflict**, never an overwrite.
//!   Otherwise `PUT /contacts/{id}` carries only the changed fields (custom fields as
//!   `{id, field_value}`), tags go through the tag endpoints, and the answer is compared with
//!   what was sent to report fields GHL silently dropped.
//! - **create**: an in-flight create whose outcome is unknown (a crash, a lost answer) first
//!   looks the contact up (`GET /contacts/search/duplicate` by email, then phone); if it exists
//!   it is linked and the change is applied. A duplicate-contact 400 links to `meta.contactId`
//!   and the change becomes an update of that contact — never a second create.
//! - **delete**: read again; already gone → applied; changed since the base → conflict;
//!   otherwise `DELETE /contacts/{id}`.
//!
//! 400/403/422 fail at once with GHL's words; 429, 5xx and dropped connections are retried by
//! the client (with pacing from the rate-limit headers) before a change fails. A 401 (a token
//! GHL refuses) leaves the change approved and stops the run
//! ([`DispatchError::Unauthorized`]): every other write would be refused the same way.
//!
//! Tasks and notes go through [`activity`], write-back to Bmby through [`bmby`].

pub mod activity;
pub mod bmby;

use serde_json::{json, Map, Value};

use super::diff::{ghl_value, same};
use crate::bmby::soap::BmbySoapClient;
use crate::domain::{
    Change, ChangeKind, ChangeState, Contact, FieldChange, JournalEntry, OutboxInfo, Subject,
    Target,
};
use crate::ghl::{GhlClient, GhlError, WriteResult};
use crate::store::{Store, StoreError};

/// Why dispatching stopped (single changes' failures are recorded on them instead).
#[derive(Debug, thiserror::Error)]
pub enum DispatchError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// GHL refused the token (401) or there is none to use: every further write would be
    /// refused too, so the run stops. The change stays approved (nothing was written).
    #[error("{0}; nothing more was sent and the changes stay approved")]
    Unauthorized(String),
}

/// The HTTP requests a change would make, for `apply --dry-run`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PlannedRequest {
    pub method: &'static str,
    pub path: String,
    /// Header lines, the token redacted.
    pub headers: Vec<String>,
    pub body: Option<Value>,
}

/// What one dispatch run did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct DispatchSummary {
    pub applied: usize,
    pub failed: usize,
    pub conflicts: usize,
}

fn now() -> String {
    jiff::Timestamp::now().to_string()
}

/// The JSON value to send for a proposed text: numbers stay numbers for custom fields.
fn json_value(v: &Option<String>) -> Value {
    match v {
        None => Value::Null,
        Some(s) => Value::String(s.clone()),
    }
}

fn tags_of(v: &Option<String>) -> Vec<String> {
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
/// `customFields: [{id, field_value}]`; tags are returned apart (they go through the tag
/// endpoints on an update, in the body on a create).
pub fn body_of(fields: &[FieldChange]) -> (Map<String, Value>, Option<&FieldChange>) {
    let mut body = Map::new();
    let mut custom = Vec::new();
    let mut tags = None;
    for f in fields {
        if f.field == "tags" {
            tags = Some(f);
        } else if let Some(id) = f.field.strip_prefix("customFields.") {
            custom.push(json!({ "id": id, "field_value": json_value(&f.proposed) }));
        } else {
            body.insert(f.field.clone(), json_value(&f.proposed));
        }
    }
    if !custom.is_empty() {
        body.insert("customFields".into(), Value::Array(custom));
    }
    (body, tags)
}

/// The requests dispatching `c` would send (without the re-read), for a dry run.
pub fn plan(c: &Change, location_id: &str) -> Vec<PlannedRequest> {
    let headers = |with_body: bool| {
        let mut h = vec![
            "Authorization: Bearer [redacted]".to_owned(),
            "Version: 2021-07-28".to_owned(),
        ];
        if with_body {
            h.push("Content-Type: application/json".to_owned());
        }
        h
    };
    let id = c.contact_id.clone().unwrap_or_default();
    if c.target == Target::Bmby {
        return plan_bmby(c);
    }
    if let Some(p) = plan_activity(c, &id, &headers) {
        return p;
    }
    let (mut body, tags) = body_of(&c.fields);
    match c.kind {
        ChangeKind::Create => {
            body.insert("locationId".into(), Value::String(location_id.to_owned()));
            if let Some(t) = tags {
                body.insert("tags".into(), json!(tags_of(&t.proposed)));
            }
            vec![PlannedRequest {
                method: "POST",
                path: "/contacts/".into(),
                headers: headers(true),
                body: Some(Value::Object(body)),
            }]
        }
        ChangeKind::Update => {
            let mut out = vec![PlannedRequest {
                method: "GET",
                path: format!("/contacts/{id}"),
                headers: headers(false),
                body: None,
            }];
            if !body.is_empty() {
                out.push(PlannedRequest {
                    method: "PUT",
                    path: format!("/contacts/{id}"),
                    headers: headers(true),
                    body: Some(Value::Object(body)),
                });
            }
            if let Some(t) = tags {
                let (now, want) = (tags_of(&t.ghl_now), tags_of(&t.proposed));
                let add: Vec<_> = want.iter().filter(|x| !now.contains(x)).cloned().collect();
                let remove: Vec<_> = now.iter().filter(|x| !want.contains(x)).cloned().collect();
                if !add.is_empty() {
                    out.push(PlannedRequest {
                        method: "POST",
                        path: format!("/contacts/{id}/tags"),
                        headers: headers(true),
                        body: Some(json!({ "tags": add })),
                    });
                }
                if !remove.is_empty() {
                    out.push(PlannedRequest {
                        method: "DELETE",
                        path: format!("/contacts/{id}/tags"),
                        headers: headers(true),
                        body: Some(json!({ "tags": remove })),
                    });
                }
            }
            out
        }
        ChangeKind::Delete => vec![
            PlannedRequest {
                method: "GET",
                path: format!("/contacts/{id}"),
                headers: headers(false),
                body: None,
            },
            PlannedRequest {
                method: "DELETE",
                path: format!("/contacts/{id}"),
                headers: headers(false),
                body: None,
            },
        ],
        ChangeKind::Ambiguous => Vec::new(),
    }
}

/// The requests of a task or note change; `None` for a contact change.
fn plan_activity(
    c: &Change,
    contact: &str,
    headers: &dyn Fn(bool) -> Vec<String>,
) -> Option<Vec<PlannedRequest>> {
    let (what, id) = match &c.subject {
        Subject::Contact => return None,
        Subject::Task { task_id } => ("tasks", task_id.clone().unwrap_or_default()),
        Subject::Note { note_id } => ("notes", note_id.clone().unwrap_or_default()),
    };
    let list = PlannedRequest {
        method: "GET",
        path: format!("/contacts/{contact}/{what}"),
        headers: headers(false),
        body: None,
    };
    let req = |method, path: String, body: Option<Value>| PlannedRequest {
        method,
        headers: headers(body.is_some()),
        path,
        body,
    };
    Some(match c.kind {
        ChangeKind::Create => {
            let body = if what == "tasks" {
                activity::task_create_body(&c.fields)
            } else {
                activity::activity_body(&c.fields)
            };
            vec![req(
                "POST",
                format!("/contacts/{contact}/{what}"),
                Some(Value::Object(body)),
            )]
        }
        ChangeKind::Update => {
            let only_completed = c.fields.iter().all(|f| f.field == "completed");
            let write = if what == "tasks" && only_completed {
                req(
                    "PUT",
                    format!("/contacts/{contact}/tasks/{id}/completed"),
                    Some(json!({ "completed": c.proposed("completed") == Some("yes") })),
                )
            } else {
                req(
                    "PUT",
                    format!("/contacts/{contact}/{what}/{id}"),
                    Some(Value::Object(activity::activity_body(&c.fields))),
                )
            };
            vec![list, write]
        }
        ChangeKind::Delete => vec![
            list,
            req("DELETE", format!("/contacts/{contact}/{what}/{id}"), None),
        ],
        ChangeKind::Ambiguous => Vec::new(),
    })
}

/// The SOAP call of a Bmby write-back (the password shown redacted).
fn plan_bmby(c: &Change) -> Vec<PlannedRequest> {
    let (op, path) = match c.subject {
        Subject::Task { .. } => ("NewTask (Type Task)", "tasks.php"),
        Subject::Note { .. } => ("NewTask (Type Comment)", "tasks.php"),
        Subject::Contact => ("Insert", "clients"),
    };
    let mut body = Map::new();
    body.insert("client_id".into(), Value::String(c.client_id.clone()));
    for f in &c.fields {
        body.insert(f.field.clone(), json_value(&f.proposed));
    }
    vec![PlannedRequest {
        method: "SOAP",
        path: format!("Bmby {path} {op}"),
        headers: vec![
            "Content-Type: text/xml; charset=utf-8".into(),
            "Login/Password: [redacted]".into(),
        ],
        body: Some(Value::Object(body)),
    }]
}

/// Dispatches every queued change (approved or in flight), oldest first. Bmby write-backs wait
/// (stay approved) without a Bmby client; see [`dispatch_all_with`].
pub async fn dispatch_all(
    client: &GhlClient,
    store: &Store,
) -> Result<DispatchSummary, DispatchError> {
    dispatch_all_with(client, None, store).await
}

/// [`dispatch_all`] with a Bmby SOAP client for write-backs.
pub async fn dispatch_all_with(
    client: &GhlClient,
    bmby: Option<&BmbySoapClient>,
    store: &Store,
) -> Result<DispatchSummary, DispatchError> {
    let queued: Vec<u64> = store
        .changes()?
        .into_iter()
        .filter(|c| c.state.is_queued())
        .map(|c| c.id)
        .collect();
    let mut s = DispatchSummary::default();
    for id in queued {
        match dispatch_one_with(client, bmby, store, id).await? {
            ChangeState::Applied => s.applied += 1,
            ChangeState::Conflict => s.conflicts += 1,
            ChangeState::Failed => s.failed += 1,
            _ => {}
        }
    }
    Ok(s)
}

struct Ctx<'a> {
    client: &'a GhlClient,
    store: &'a Store,
    change: Change,
    info: OutboxInfo,
    /// Set when GHL refused the token: the run must stop after this change.
    unauthorized: Option<String>,
    /// What was read from GHL just before the write, for the journal's `before` values.
    before: super::journal::ReadBefore,
}

impl Ctx<'_> {
    fn save(&mut self, state: ChangeState) -> Result<(), StoreError> {
        self.change.state = state;
        self.change.updated_at = now();
        self.store.put_dispatch(&self.change, &self.info)
    }

    fn journal(
        &self,
        request: String,
        fields: Vec<String>,
        r: &Result<WriteResult, GhlError>,
        outcome: &str,
    ) -> Result<(), StoreError> {
        let (status, trace_id) = match r {
            Ok(w) => (Some(200), w.trace_id.clone()),
            Err(e) => (
                e.status(),
                match e {
                    GhlError::Api { trace_id, .. } => trace_id.clone(),
                    _ => None,
                },
            ),
        };
        let mut e = JournalEntry {
            seq: 0,
            change_id: self.change.id,
            request,
            fields_sent: fields,
            status,
            trace_id,
            outcome: outcome.to_owned(),
            at: now(),
            ..Default::default()
        };
        let answer = r.as_ref().ok().and_then(|w| w.contact.as_ref());
        super::journal::describe(&mut e, &self.change, &self.info, &self.before, answer);
        self.store.append_journal(e)?;
        Ok(())
    }

    /// Records a failure. GHL's refusals (400/401/403/422, a missing contact) fail the change;
    /// trouble on the way (429, 5xx, no answer) after the client's retries, or no usable token
    /// (the location needs sign-in: nothing was sent), leaves it approved for the next run,
    /// with the error shown.
    fn fail(&mut self, e: &GhlError) -> Result<ChangeState, StoreError> {
        self.info.last_error = Some(e.to_string());
        // A refused token (401) or a location that needs sign-in: GHL wrote nothing and would
        // refuse every other change the same way. The change waits; the run stops.
        let refused_token = e.status() == Some(401) || matches!(e, GhlError::Auth(_));
        if refused_token {
            self.unauthorized = Some(e.to_string());
        }
        let state =
            if e.is_retryable() || refused_token || matches!(e, GhlError::RateLimited { .. }) {
                ChangeState::Approved
            } else {
                ChangeState::Failed
            };
        self.save(state)?;
        Ok(state)
    }
}

/// Dispatches one change if it is queued; returns its state afterwards. Bmby write-backs stay
/// approved (no Bmby client here); see [`dispatch_one_with`].
pub async fn dispatch_one(
    client: &GhlClient,
    store: &Store,
    id: u64,
) -> Result<ChangeState, DispatchError> {
    dispatch_one_with(client, None, store, id).await
}

/// [`dispatch_one`] with a Bmby SOAP client for write-backs.
pub async fn dispatch_one_with(
    client: &GhlClient,
    bmby: Option<&BmbySoapClient>,
    store: &Store,
    id: u64,
) -> Result<ChangeState, DispatchError> {
    let Some(change) = store.change(id)? else {
        return Ok(ChangeState::Cancelled);
    };
    if !change.state.is_queued() {
        return Ok(change.state);
    }
    let info = store.outbox_info(id)?;
    let mut cx = Ctx {
        client,
        store,
        change,
        info,
        unauthorized: None,
        before: Default::default(),
    };
    // A change already in flight may have reached GHL before a crash: its outcome is unknown.
    let resumed = cx.change.state == ChangeState::InFlight;
    cx.info.attempts += 1;
    cx.save(ChangeState::InFlight)?;
    let state = if cx.change.target == Target::Bmby {
        bmby::dispatch(&mut cx, bmby, resumed).await?
    } else if cx.change.subject != Subject::Contact {
        activity::dispatch(&mut cx, resumed).await?
    } else {
        match cx.change.kind {
            ChangeKind::Create => create(&mut cx, resumed).await?,
            ChangeKind::Update => update(&mut cx).await?,
            ChangeKind::Delete => delete(&mut cx).await?,
            ChangeKind::Ambiguous => {
                cx.info.last_error = Some("ambiguous match: choose a contact first".into());
                cx.save(ChangeState::Failed)?;
                ChangeState::Failed
            }
        }
    };
    match cx.unauthorized {
        Some(why) => Err(DispatchError::Unauthorized(why)),
        None => Ok(state),
    }
}

fn lookup_keys(c: &Change) -> (Option<String>, Option<String>) {
    let get = |f: &str| {
        c.fields
            .iter()
            .find(|x| x.field == f)
            .and_then(|x| x.proposed.clone())
    };
    (get("email"), get("phone"))
}

async fn existing_contact(cx: &Ctx<'_>) -> Result<Option<Contact>, GhlError> {
    let (email, phone) = lookup_keys(&cx.change);
    if let Some(e) = email.as_deref() {
        if let Some(c) = cx.client.find_duplicate(Some(e), None).await? {
            return Ok(Some(c));
        }
    }
    if let Some(p) = phone.as_deref() {
        return cx.client.find_duplicate(None, Some(p)).await;
    }
    Ok(None)
}

/// Turns a create into an update of `contact` (a duplicate GHL pointed at, or one found after
/// an unknown outcome): only fields that differ remain; the base is the contact as read now.
fn become_update_of(cx: &mut Ctx<'_>, contact: &Contact) {
    cx.change.kind = ChangeKind::Update;
    cx.change.contact_id = Some(contact.id.clone());
    cx.change.display_name = contact.display_name();
    cx.change.base_date_updated = contact.date_updated.clone();
    for f in &mut cx.change.fields {
        f.ghl_now = ghl_value(contact, &f.field);
    }
    cx.change
        .fields
        .retain(|f| !same(&f.field, f.ghl_now.as_deref(), f.proposed.as_deref()));
    cx.info.contact_id = Some(contact.id.clone());
}

async fn create(cx: &mut Ctx<'_>, resumed: bool) -> Result<ChangeState, StoreError> {
    if resumed {
        match existing_contact(cx).await {
            Ok(Some(found)) => {
                cx.store.put_link(&cx.change.client_id, &found.id)?;
                cx.store.put_contacts(std::slice::from_ref(&found))?;
                become_update_of(cx, &found);
                cx.journal(
                    "GET /contacts/search/duplicate".into(),
                    vec![],
                    &Ok(WriteResult::default()),
                    &format!("found {} after an unknown outcome", found.id),
                )?;
                if cx.change.fields.is_empty() {
                    cx.save(ChangeState::Applied)?;
                    return Ok(ChangeState::Applied);
                }
                cx.save(ChangeState::InFlight)?;
                return update(cx).await;
            }
            Ok(None) => {}
            Err(e) => return cx.fail(&e),
        }
    }
    let (mut body, tags) = body_of(&cx.change.fields);
    if let Some(t) = tags {
        body.insert("tags".into(), json!(tags_of(&t.proposed)));
    }
    let fields: Vec<String> = body.keys().cloned().collect();
    let r = cx.client.create_contact(&body).await;
    match &r {
        Ok(w) => {
            let Some(contact) = w.contact.clone() else {
                let e = GhlError::Decode {
                    endpoint: "POST /contacts/".into(),
                    message: "no contact in the answer".into(),
                };
                cx.journal("POST /contacts/".into(), fields, &r, "failed")?;
                return cx.fail(&e);
            };
            cx.info.dropped_fields = dropped(&body, w.raw.as_ref());
            cx.info.contact_id = Some(contact.id.clone());
            cx.change.contact_id = Some(contact.id.clone());
            cx.store.put_link(&cx.change.client_id, &contact.id)?;
            cx.store.put_contacts(std::slice::from_ref(&contact))?;
            cx.journal(
                "POST /contacts/".into(),
                fields,
                &r,
                &format!("created {}", contact.id),
            )?;
            cx.save(ChangeState::Applied)?;
            Ok(ChangeState::Applied)
        }
        Err(GhlError::Api {
            status: 400,
            meta: Some(meta),
            ..
        }) if meta.get("contactId").is_some() => {
            let dup = meta
                .get("contactId")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            cx.journal(
                "POST /contacts/".into(),
                fields,
                &r,
                &format!("duplicate of {dup}: becomes an update"),
            )?;
            match cx.client.get_contact(&dup).await {
                Ok(contact) => {
                    cx.store.put_link(&cx.change.client_id, &contact.id)?;
                    cx.store.put_contacts(std::slice::from_ref(&contact))?;
                    become_update_of(cx, &contact);
                    if cx.change.fields.is_empty() {
                        cx.save(ChangeState::Applied)?;
                        return Ok(ChangeState::Applied);
                    }
                    cx.save(ChangeState::InFlight)?;
                    update(cx).await
                }
                Err(e) => cx.fail(&e),
            }
        }
        Err(e) if e.is_retryable() => {
            // Unknown outcome: stay in flight; the next run looks the contact up first.
            cx.info.last_error = Some(e.to_string());
            cx.journal(
                "POST /contacts/".into(),
                fields,
                &r,
                "no answer; outcome unknown",
            )?;
            cx.save(ChangeState::InFlight)?;
            Ok(ChangeState::InFlight)
        }
        Err(e) => {
            cx.journal("POST /contacts/".into(), fields, &r, "failed")?;
            cx.fail(e)
        }
    }
}

/// Fields sent but not stored: the answer's value differs from what was sent.
fn dropped(sent: &Map<String, Value>, answer: Option<&Value>) -> Vec<String> {
    let Some(Value::Object(got)) = answer else {
        return Vec::new();
    };
    sent.iter()
        .filter(|(k, v)| k.as_str() != "customFields" && k.as_str() != "locationId" && !v.is_null())
        .filter(|(k, v)| {
            let g = got.get(k.as_str()).and_then(Value::as_str);
            !same(k, g, v.as_str())
        })
        .map(|(k, _)| k.clone())
        .collect()
}

async fn update(cx: &mut Ctx<'_>) -> Result<ChangeState, StoreError> {
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
    cx.before = super::journal::ReadBefore::Contact(Box::new(now.clone()));
    let all_there = cx.change.fields.iter().all(|f| {
        same(
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
            "contact changed in GHL at {} after the diff (base {})",
            now.date_updated.as_deref().unwrap_or("?"),
            cx.change.base_date_updated.as_deref().unwrap_or("none")
        ));
        cx.save(ChangeState::Conflict)?;
        return Ok(ChangeState::Conflict);
    }
    let (body, tags) = body_of(&cx.change.fields);
    let mut last = None;
    if !body.is_empty() {
        let fields: Vec<String> = body.keys().cloned().collect();
        let r = cx.client.update_contact(&id, &body).await;
        match &r {
            Ok(w) => {
                cx.info.dropped_fields = dropped(&body, w.raw.as_ref());
                let outcome = if cx.info.dropped_fields.is_empty() {
                    "applied".to_owned()
                } else {
                    format!(
                        "applied; GHL did not store: {}",
                        cx.info.dropped_fields.join(", ")
                    )
                };
                cx.journal(format!("PUT /contacts/{id}"), fields, &r, &outcome)?;
                last = w.contact.clone();
            }
            Err(e) => {
                cx.journal(format!("PUT /contacts/{id}"), fields, &r, "failed")?;
                return cx.fail(e);
            }
        }
    }
    if let Some(t) = tags {
        let (before, want) = (tags_of(&ghl_value(&now, "tags")), tags_of(&t.proposed));
        let add: Vec<String> = want
            .iter()
            .filter(|x| !before.contains(x))
            .cloned()
            .collect();
        let remove: Vec<String> = before
            .iter()
            .filter(|x| !want.contains(x))
            .cloned()
            .collect();
        for (list, is_add) in [(add, true), (remove, false)] {
            if list.is_empty() {
                continue;
            }
            let r = cx
                .client
                .edit_tags(&id, &list, is_add)
                .await
                .map(|_| WriteResult::default());
            let req = format!(
                "{} /contacts/{id}/tags",
                if is_add { "POST" } else { "DELETE" }
            );
            cx.journal(
                req,
                vec!["tags".into()],
                &r,
                if r.is_ok() { "applied" } else { "failed" },
            )?;
            if let Err(e) = r {
                return cx.fail(&e);
            }
        }
    }
    // Keep the cache true to GHL: the answer (or a fresh read for tag-only changes).
    let fresh = match last {
        Some(c) => Some(c),
        None => cx.client.get_contact(&id).await.ok(),
    };
    if let Some(c) = fresh {
        cx.store.put_contacts(std::slice::from_ref(&c))?;
    }
    cx.info.contact_id = Some(id);
    cx.save(ChangeState::Applied)?;
    Ok(ChangeState::Applied)
}

async fn delete(cx: &mut Ctx<'_>) -> Result<ChangeState, StoreError> {
    let id = cx.change.contact_id.clone().unwrap_or_default();
    match cx.client.get_contact(&id).await {
        Err(e) if e.is_not_found() => {
            cx.store.remove_contact(&id)?;
            cx.save(ChangeState::Applied)?;
            return Ok(ChangeState::Applied);
        }
        Err(e) => return cx.fail(&e),
        Ok(now) => {
            cx.before = super::journal::ReadBefore::Contact(Box::new(now.clone()));
            if now.date_updated.as_deref() > cx.change.base_date_updated.as_deref() {
                cx.info.last_error = Some(format!(
                    "contact changed in GHL at {} after the delete was proposed",
                    now.date_updated.as_deref().unwrap_or("?")
                ));
                cx.save(ChangeState::Conflict)?;
                return Ok(ChangeState::Conflict);
            }
        }
    }
    let r = cx.client.delete_contact(&id).await;
    match &r {
        Ok(_) => {
            cx.journal(format!("DELETE /contacts/{id}"), vec![], &r, "deleted")?;
            cx.store.remove_contact(&id)?;
            cx.save(ChangeState::Applied)?;
            Ok(ChangeState::Applied)
        }
        Err(e) if e.is_not_found() => {
            cx.journal(format!("DELETE /contacts/{id}"), vec![], &r, "already gone")?;
            cx.store.remove_contact(&id)?;
            cx.save(ChangeState::Applied)?;
            Ok(ChangeState::Applied)
        }
        Err(e) => {
            cx.journal(format!("DELETE /contacts/{id}"), vec![], &r, "failed")?;
            cx.fail(e)
        }
    }
}
