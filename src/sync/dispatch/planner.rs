//! The dry run (`apply --dry-run`): the requests dispatching a change would make, printed from
//! the same [`GhlRequest`] values the runner sends ([`super::requests`]).

use serde_json::{Map, Value};

use super::activity;
use super::requests::{create_request, json_value, lookup_requests, tags_of, update_requests};
use crate::domain::{Change, ChangeKind, Subject, Target};
use crate::ghl::{GhlRequest, WriteClass};

/// One HTTP request a change would make, for `apply --dry-run`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PlannedRequest {
    pub method: &'static str,
    /// The path with its query string, as sent (`/contacts/search/duplicate?locationId=…`).
    pub path: String,
    /// Header lines, the token redacted (`Version` per API family).
    pub headers: Vec<String>,
    pub body: Option<Value>,
    /// How the request may be repeated when its answer is lost.
    pub class: WriteClass,
}

fn method_str(m: &reqwest::Method) -> &'static str {
    match m.as_str() {
        "GET" => "GET",
        "POST" => "POST",
        "PUT" => "PUT",
        "DELETE" => "DELETE",
        "PATCH" => "PATCH",
        _ => "OTHER",
    }
}

impl From<&GhlRequest> for PlannedRequest {
    fn from(r: &GhlRequest) -> Self {
        PlannedRequest {
            method: method_str(&r.method),
            path: r.path_and_query(),
            headers: r.headers(),
            body: r.body.clone(),
            class: r.class,
        }
    }
}

/// The GHL requests dispatching `c` would send, reads included, as values (a Bmby write-back
/// has none; see [`plan`]).
pub fn requests(c: &Change, location_id: &str) -> Vec<GhlRequest> {
    let id = c.contact_id.clone().unwrap_or_default();
    if c.target == Target::Bmby {
        return Vec::new();
    }
    if matches!(c.subject, Subject::Op(_)) {
        return super::ops::planned(c, location_id);
    }
    if c.subject != Subject::Contact {
        return activity_requests(c, &id);
    }
    match c.kind {
        ChangeKind::Create => {
            let mut out: Vec<GhlRequest> = lookup_requests(c, location_id)
                .into_iter()
                .map(|(_, r)| r)
                .collect();
            out.push(create_request(c, location_id));
            out
        }
        ChangeKind::Update => {
            let now = c
                .fields
                .iter()
                .find(|f| f.field == "tags")
                .map(|f| tags_of(&f.ghl_now))
                .unwrap_or_default();
            let mut out = vec![GhlRequest::get_contact(&id)];
            out.extend(update_requests(c, &id, &now));
            out
        }
        ChangeKind::Delete => vec![
            GhlRequest::get_contact(&id),
            GhlRequest::delete_contact(&id),
        ],
        ChangeKind::Ambiguous => Vec::new(),
    }
}

/// The requests dispatching `c` would make (without retries), for a dry run.
pub fn plan(c: &Change, location_id: &str) -> Vec<PlannedRequest> {
    if c.target == Target::Bmby {
        return plan_bmby(c);
    }
    requests(c, location_id)
        .iter()
        .map(PlannedRequest::from)
        .collect()
}

/// The requests of a task or note change.
fn activity_requests(c: &Change, contact: &str) -> Vec<GhlRequest> {
    let (what, id) = match &c.subject {
        Subject::Contact | Subject::Op(_) => return Vec::new(),
        Subject::Task { task_id } => ("tasks", task_id.clone().unwrap_or_default()),
        Subject::Note { note_id } => ("notes", note_id.clone().unwrap_or_default()),
    };
    let list = GhlRequest::list_activity(contact, what);
    match c.kind {
        ChangeKind::Create => {
            let body = if what == "tasks" {
                activity::task_create_body(&c.fields)
            } else {
                activity::activity_body(&c.fields)
            };
            vec![GhlRequest::activity_create(contact, what, &body)]
        }
        ChangeKind::Update => {
            let write = if what == "tasks" && activity::only_completed(c) {
                GhlRequest::task_completed(contact, &id, c.proposed("completed") == Some("yes"))
            } else {
                GhlRequest::activity_update(contact, what, &id, &activity::activity_body(&c.fields))
            };
            vec![list, write]
        }
        ChangeKind::Delete => vec![list, GhlRequest::activity_delete(contact, what, &id)],
        ChangeKind::Ambiguous => Vec::new(),
    }
}

/// The SOAP call of a Bmby write-back (the password shown redacted).
fn plan_bmby(c: &Change) -> Vec<PlannedRequest> {
    let (op, path) = match c.subject {
        Subject::Task { .. } => ("NewTask (Type Task)", "tasks.php"),
        Subject::Note { .. } => ("NewTask (Type Comment)", "tasks.php"),
        Subject::Contact | Subject::Op(_) => ("Insert", "clients"),
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
        class: WriteClass::Once,
    }]
}
