//! Each GHL request the outbox makes, described once as a value ([`GhlRequest`]): method,
//! path, query, body, API family (the `Version` header) and idempotency class. The dry run
//! (`apply --dry-run`) prints these values and the dispatcher sends the very same values through
//! [`GhlClient::send_request`], so the two cannot disagree.

use reqwest::{Method, Url};
use serde_json::{json, Map, Value};

use super::client::{target_url, ApiFamily, GhlClient};
use super::GhlError;

/// How a request may be repeated when its answer is lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WriteClass {
    /// A read: retried freely.
    Read,
    /// Sending it twice has the effect of sending it once (`PUT`, tag adds and removals, a
    /// `DELETE` — whose "not found" after a lost answer means it was applied): retried by the
    /// client on 429, 5xx and lost answers.
    Idempotent,
    /// Sending it twice makes two records (a create): retried only when it certainly did not
    /// arrive; a lost answer is returned at once for the caller to resolve by a look-up.
    Once,
}

/// One GHL request as a value.
#[derive(Debug, Clone, PartialEq)]
pub struct GhlRequest {
    pub method: Method,
    /// Path segments below the base URL (`["contacts", ""]` is `/contacts/`).
    pub segments: Vec<String>,
    /// Query pairs, in order.
    pub query: Vec<(String, String)>,
    /// JSON body, if any.
    pub body: Option<Value>,
    /// The API family, which decides the `Version` header.
    pub family: ApiFamily,
    pub class: WriteClass,
}

impl GhlRequest {
    pub(crate) fn new(method: Method, segments: &[&str], class: WriteClass) -> GhlRequest {
        GhlRequest {
            method,
            segments: segments.iter().map(|s| (*s).to_owned()).collect(),
            query: Vec::new(),
            body: None,
            family: ApiFamily::Contacts,
            class,
        }
    }

    pub(crate) fn with_body(mut self, body: Value) -> GhlRequest {
        self.body = Some(body);
        self
    }

    fn url(&self, base: &Url) -> Url {
        let segs: Vec<&str> = self.segments.iter().map(String::as_str).collect();
        let q: Vec<(&str, &str)> = self
            .query
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        target_url(base, &segs, &q)
    }

    /// The path as sent, percent-encoded, without the query (`/contacts/abc/tags`).
    pub fn path(&self) -> String {
        let base = Url::parse("http://ghl.invalid").expect("a URL");
        self.url(&base).path().to_owned()
    }

    /// The path with its query string as sent (`/contacts/search/duplicate?locationId=…`).
    pub fn path_and_query(&self) -> String {
        let base = Url::parse("http://ghl.invalid").expect("a URL");
        let u = self.url(&base);
        match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_owned(),
        }
    }

    /// `METHOD /path` (no query), as the journal and errors name it.
    pub fn endpoint(&self) -> String {
        format!("{} {}", self.method, self.path())
    }

    /// The header lines sent besides the defaults, the token redacted.
    pub fn headers(&self) -> Vec<String> {
        let mut h = vec![
            "Authorization: Bearer [redacted]".to_owned(),
            format!("Version: {}", self.family.version()),
        ];
        if self.body.is_some() {
            h.push("Content-Type: application/json".to_owned());
        }
        h
    }

    /// `GET /contacts/{id}`.
    pub fn get_contact(id: &str) -> GhlRequest {
        GhlRequest::new(Method::GET, &["contacts", id], WriteClass::Read)
    }

    /// `GET /contacts/search/duplicate?locationId&email|number`.
    pub fn find_duplicate(location: &str, email: Option<&str>, phone: Option<&str>) -> GhlRequest {
        let mut r = GhlRequest::new(
            Method::GET,
            &["contacts", "search", "duplicate"],
            WriteClass::Read,
        );
        r.query.push(("locationId".into(), location.into()));
        if let Some(e) = email {
            r.query.push(("email".into(), e.into()));
        }
        if let Some(p) = phone {
            r.query.push(("number".into(), p.into()));
        }
        r
    }

    /// `POST /contacts/search` for the contacts whose custom field `field_id` equals `value`
    /// (filter field `customFields.<id>`, operator `eq`; GHL's name for custom field filters is
    /// unconfirmed), at most 10. A read.
    pub fn search_custom_field(location: &str, field_id: &str, value: &str) -> GhlRequest {
        GhlRequest::new(Method::POST, &["contacts", "search"], WriteClass::Read).with_body(json!({
            "locationId": location,
            "pageLimit": 10,
            "filters": [{
                "field": format!("customFields.{field_id}"),
                "operator": "eq",
                "value": value,
            }],
        }))
    }

    /// `POST /contacts/` with a `CreateContactDto` body; `locationId` is set to `location`.
    pub fn create_contact(location: &str, body: &Map<String, Value>) -> GhlRequest {
        let mut b = body.clone();
        b.insert("locationId".into(), Value::String(location.to_owned()));
        GhlRequest::new(Method::POST, &["contacts", ""], WriteClass::Once)
            .with_body(Value::Object(b))
    }

    /// `PUT /contacts/{id}` with an `UpdateContactDto` body.
    pub fn update_contact(id: &str, body: &Map<String, Value>) -> GhlRequest {
        GhlRequest::new(Method::PUT, &["contacts", id], WriteClass::Idempotent)
            .with_body(Value::Object(body.clone()))
    }

    /// `DELETE /contacts/{id}`.
    pub fn delete_contact(id: &str) -> GhlRequest {
        GhlRequest::new(Method::DELETE, &["contacts", id], WriteClass::Idempotent)
    }

    /// `POST /contacts/{id}/tags` (add) or `DELETE` (remove) with `{ tags }`.
    pub fn edit_tags(id: &str, tags: &[String], add: bool) -> GhlRequest {
        let method = if add { Method::POST } else { Method::DELETE };
        GhlRequest::new(method, &["contacts", id, "tags"], WriteClass::Idempotent)
            .with_body(json!({ "tags": tags }))
    }

    /// `GET /contacts/{contactId}/{tasks|notes}`.
    pub fn list_activity(contact: &str, what: &str) -> GhlRequest {
        GhlRequest::new(Method::GET, &["contacts", contact, what], WriteClass::Read)
    }

    /// A task or note write below `/contacts/{contactId}/` (`rest` the further segments).
    fn activity(
        method: Method,
        contact: &str,
        rest: &[&str],
        body: Option<Value>,
        class: WriteClass,
    ) -> GhlRequest {
        let mut segs = vec!["contacts", contact];
        segs.extend_from_slice(rest);
        let mut r = GhlRequest::new(method, &segs, class);
        r.body = body;
        r
    }

    /// `POST /contacts/{contactId}/{tasks|notes}` (`what`), a create: [`WriteClass::Once`].
    pub fn activity_create(contact: &str, what: &str, body: &Map<String, Value>) -> GhlRequest {
        let body = Some(Value::Object(body.clone()));
        Self::activity(Method::POST, contact, &[what], body, WriteClass::Once)
    }

    /// `PUT /contacts/{contactId}/{tasks|notes}/{id}` with the fields to change.
    pub fn activity_update(
        contact: &str,
        what: &str,
        id: &str,
        body: &Map<String, Value>,
    ) -> GhlRequest {
        let body = Some(Value::Object(body.clone()));
        Self::activity(
            Method::PUT,
            contact,
            &[what, id],
            body,
            WriteClass::Idempotent,
        )
    }

    /// `PUT /contacts/{contactId}/tasks/{taskId}/completed` `{ completed }`.
    pub fn task_completed(contact: &str, id: &str, completed: bool) -> GhlRequest {
        let body = Some(json!({ "completed": completed }));
        let rest = ["tasks", id, "completed"];
        Self::activity(Method::PUT, contact, &rest, body, WriteClass::Idempotent)
    }

    /// `DELETE /contacts/{contactId}/{tasks|notes}/{id}`.
    pub fn activity_delete(contact: &str, what: &str, id: &str) -> GhlRequest {
        Self::activity(
            Method::DELETE,
            contact,
            &[what, id],
            None,
            WriteClass::Idempotent,
        )
    }
}

impl GhlClient {
    /// Sends `r` as described: [`WriteClass::Once`] through [`GhlClient::call_once`], the rest
    /// through [`GhlClient::call`]. Returns the JSON body of a 2xx answer.
    pub async fn send_request(&self, r: &GhlRequest) -> Result<Value, GhlError> {
        let segs: Vec<&str> = r.segments.iter().map(String::as_str).collect();
        let q: Vec<(&str, &str)> = r
            .query
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        match r.class {
            WriteClass::Once => {
                self.call_once(r.family, r.method.clone(), &segs, &q, r.body.as_ref())
                    .await
            }
            WriteClass::Read | WriteClass::Idempotent => {
                self.call(r.family, r.method.clone(), &segs, &q, r.body.as_ref())
                    .await
            }
        }
    }
}
