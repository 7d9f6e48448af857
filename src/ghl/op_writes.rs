//! The Contacts API operations beyond field edits, tasks and notes, as [`GhlRequest`] values,
//! and the location's lists they are chosen from (all `Version: 2021-07-28`):
//!
//! - `POST /contacts/{contactId}/workflow/{workflowId}` `{eventStartTime?}` → 200
//!   `{succeded}`; `DELETE` the same path → 200 `{succeded}` (scope `contacts.write`);
//! - `POST /contacts/{contactId}/campaigns/{campaignId}` `{}` → 201 `{succeded}`;
//!   `DELETE …/campaigns/{campaignId}` and `DELETE …/campaigns/removeAll` → 200 `{succeded}`;
//! - `POST|DELETE /contacts/{contactId}/followers` `{followers:[userId]}` → `{followers,
//!   followersAdded|followersRemoved}`;
//! - `POST /contacts/bulk/business` `{locationId, ids, businessId|null}` → 200 `{success, ids}`;
//! - `POST /contacts/bulk/tags/update/{add|remove}` `{contacts, tags, locationId}` → 201
//!   `{succeded, errorCount, responses[]}` (per-contact errors inside a 201);
//! - `POST /contacts/upsert` (`UpsertContactDto`, `locationId` required) → 200 `{new, contact}`;
//! - reads: `GET /workflows/?locationId` `{workflows}` (`workflows.readonly`),
//!   `GET /campaigns/?locationId` `{campaigns}` (`campaigns.readonly`),
//!   `GET /businesses/?locationId&limit&skip` `{businesses}` (`businesses.readonly`),
//!   `GET /users/?locationId` `{users}` (`users.readonly`),
//!   `GET /contacts/business/{businessId}?locationId&limit&skip` `{contacts, count}`
//!   (`contacts.readonly`).
//!
//! Classes: workflow and campaign adds and upserts are [`WriteClass::Once`] (sending twice may
//! enrol twice, and GHL has no way to ask); removals, followers, business and bulk tags have
//! set semantics and are [`WriteClass::Idempotent`].

use reqwest::Method;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::client::{ApiFamily, GhlClient};
use super::write::{GhlRequest, WriteClass};
use super::{wire, GhlError};
use crate::domain::{Contact, Named};
use crate::sanitize::clean_line;

/// Page size of `GET /contacts/business/{businessId}` and `GET /businesses/` (GHL's maximum
/// is unconfirmed; 100 is what `GET /businesses/` defaults to).
pub const LIST_PAGE: u32 = 100;

impl GhlRequest {
    /// `POST /contacts/{contactId}/workflow/{workflowId}` with `{eventStartTime?}` (ISO 8601).
    /// [`WriteClass::Once`].
    pub fn workflow_add(contact: &str, workflow: &str, event_start_time: Option<&str>) -> Self {
        let mut body = Map::new();
        if let Some(t) = event_start_time {
            body.insert("eventStartTime".into(), Value::String(t.to_owned()));
        }
        GhlRequest::new(
            Method::POST,
            &["contacts", contact, "workflow", workflow],
            WriteClass::Once,
        )
        .with_body(Value::Object(body))
    }

    /// `DELETE /contacts/{contactId}/workflow/{workflowId}` (no body).
    pub fn workflow_remove(contact: &str, workflow: &str) -> Self {
        GhlRequest::new(
            Method::DELETE,
            &["contacts", contact, "workflow", workflow],
            WriteClass::Idempotent,
        )
    }

    /// `POST /contacts/{contactId}/campaigns/{campaignId}` with `{}`. [`WriteClass::Once`].
    pub fn campaign_add(contact: &str, campaign: &str) -> Self {
        GhlRequest::new(
            Method::POST,
            &["contacts", contact, "campaigns", campaign],
            WriteClass::Once,
        )
        .with_body(json!({}))
    }

    /// `DELETE /contacts/{contactId}/campaigns/{campaignId}`.
    pub fn campaign_remove(contact: &str, campaign: &str) -> Self {
        GhlRequest::new(
            Method::DELETE,
            &["contacts", contact, "campaigns", campaign],
            WriteClass::Idempotent,
        )
    }

    /// `DELETE /contacts/{contactId}/campaigns/removeAll`.
    pub fn campaign_remove_all(contact: &str) -> Self {
        GhlRequest::new(
            Method::DELETE,
            &["contacts", contact, "campaigns", "removeAll"],
            WriteClass::Idempotent,
        )
    }

    /// `POST` (add) or `DELETE` (remove) `/contacts/{contactId}/followers` with
    /// `{followers: [userId]}`.
    pub fn followers(contact: &str, users: &[String], add: bool) -> Self {
        let method = if add { Method::POST } else { Method::DELETE };
        GhlRequest::new(
            method,
            &["contacts", contact, "followers"],
            WriteClass::Idempotent,
        )
        .with_body(json!({ "followers": users }))
    }

    /// `POST /contacts/bulk/business` with `{locationId, ids, businessId}` (`null` clears).
    pub fn bulk_business(location: &str, ids: &[String], business: Option<&str>) -> Self {
        GhlRequest::new(
            Method::POST,
            &["contacts", "bulk", "business"],
            WriteClass::Idempotent,
        )
        .with_body(json!({ "locationId": location, "ids": ids, "businessId": business }))
    }

    /// `POST /contacts/bulk/tags/update/{add|remove}` with `{contacts, tags, locationId}`.
    pub fn bulk_tags(location: &str, contacts: &[String], tags: &[String], add: bool) -> Self {
        let kind = if add { "add" } else { "remove" };
        GhlRequest::new(
            Method::POST,
            &["contacts", "bulk", "tags", "update", kind],
            WriteClass::Idempotent,
        )
        .with_body(json!({ "contacts": contacts, "tags": tags, "locationId": location }))
    }

    /// `POST /contacts/upsert` with an `UpsertContactDto` body; `locationId` is set.
    /// [`WriteClass::Once`]: it may create.
    pub fn upsert_contact(location: &str, body: &Map<String, Value>) -> Self {
        let mut b = body.clone();
        b.insert("locationId".into(), Value::String(location.to_owned()));
        GhlRequest::new(Method::POST, &["contacts", "upsert"], WriteClass::Once)
            .with_body(Value::Object(b))
    }

    /// `GET /{workflows|campaigns|businesses|users}/?locationId=` (businesses paged with
    /// `limit`/`skip`).
    pub fn list_of(what: &str, location: &str, skip: Option<u32>) -> Self {
        let mut r = GhlRequest::new(Method::GET, &[what, ""], WriteClass::Read);
        r.family = ApiFamily::Lists;
        r.query.push(("locationId".into(), location.into()));
        if let Some(skip) = skip {
            r.query.push(("limit".into(), LIST_PAGE.to_string()));
            r.query.push(("skip".into(), skip.to_string()));
        }
        r
    }

    /// `GET /contacts/business/{businessId}?locationId&limit&skip`.
    pub fn business_contacts(location: &str, business: &str, skip: u32) -> Self {
        let mut r = GhlRequest::new(
            Method::GET,
            &["contacts", "business", business],
            WriteClass::Read,
        );
        r.query.push(("locationId".into(), location.into()));
        r.query.push(("limit".into(), LIST_PAGE.to_string()));
        r.query.push(("skip".into(), skip.to_string()));
        r
    }
}

/// An item of `GET /workflows/` (`WorkflowSchema`), `GET /campaigns/` (`campaignsSchema`) or
/// `GET /businesses/` (`BusinessDto`): only what a picker needs.
#[derive(Debug, Clone, Deserialize)]
pub struct ListItem {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    /// `draft`, `published`, … (workflows, campaigns).
    #[serde(default)]
    pub status: Option<String>,
}

/// An item of `GET /users/` (`UserSchema`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserItem {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

impl UserItem {
    /// `name`, else first and last name, else the email, else the id; sanitized.
    pub fn display(&self) -> String {
        let joined = [self.first_name.as_deref(), self.last_name.as_deref()]
            .into_iter()
            .flatten()
            .filter(|s| !s.trim().is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let name = self
            .name
            .clone()
            .filter(|s| !s.trim().is_empty())
            .or(Some(joined).filter(|s| !s.is_empty()))
            .or(self.email.clone())
            .unwrap_or_else(|| self.id.clone());
        clean_line(&name)
    }
}

/// One contact's result in a bulk tags answer (`UpdateTagsResponseDTO.responses[]`).
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct BulkTagResult {
    #[serde(default)]
    pub contact_id: String,
    #[serde(default)]
    pub message: String,
    /// `success` or `error`.
    #[serde(default, rename = "type")]
    pub kind: String,
    /// The contact's tags before the write, when GHL said.
    #[serde(default)]
    pub old_tags: Option<Vec<String>>,
    /// The tags the write added to the contact, when GHL said.
    #[serde(default)]
    pub tags_added: Option<Vec<String>>,
    /// The tags the write removed from the contact, when GHL said.
    #[serde(default)]
    pub tags_removed: Option<Vec<String>>,
}

/// The answer of `POST /contacts/bulk/tags/update/{type}`: `{succeded, errorCount,
/// responses[]}`, strings sanitized.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BulkTagsAnswer {
    pub succeded: bool,
    pub error_count: u64,
    pub responses: Vec<BulkTagResult>,
}

impl BulkTagsAnswer {
    /// Reads the answer; items that are not objects are skipped.
    pub fn from_json(v: &Value) -> BulkTagsAnswer {
        let responses = v
            .get("responses")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|r| serde_json::from_value::<BulkTagResult>(r.clone()).ok())
                    .map(|r| {
                        let clean = |v: Option<Vec<String>>| {
                            v.map(|v| v.iter().map(|t| clean_line(t)).collect())
                        };
                        BulkTagResult {
                            contact_id: clean_line(&r.contact_id),
                            message: clean_line(&r.message),
                            kind: clean_line(&r.kind),
                            old_tags: clean(r.old_tags),
                            tags_added: clean(r.tags_added),
                            tags_removed: clean(r.tags_removed),
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        BulkTagsAnswer {
            succeded: v.get("succeded").and_then(Value::as_bool).unwrap_or(false),
            error_count: v.get("errorCount").and_then(Value::as_u64).unwrap_or(0),
            responses,
        }
    }

    /// The contacts GHL reported an error for, with its words.
    pub fn errors(&self) -> Vec<&BulkTagResult> {
        self.responses
            .iter()
            .filter(|r| r.kind == "error")
            .collect()
    }
}

fn decode_list<T: for<'de> Deserialize<'de>>(
    v: &Value,
    key: &str,
    endpoint: &str,
) -> Result<Vec<T>, GhlError> {
    let items = v
        .get(key)
        .and_then(Value::as_array)
        .ok_or_else(|| GhlError::Decode {
            endpoint: endpoint.to_owned(),
            message: format!("no `{key}` array in the response"),
        })?;
    Ok(items
        .iter()
        .filter_map(|i| serde_json::from_value(i.clone()).ok())
        .collect())
}

fn named(id: &str, name: Option<&str>) -> Named {
    Named {
        id: clean_line(id),
        name: name
            .map(clean_line)
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| clean_line(id)),
    }
}

impl GhlClient {
    /// `GET /workflows/?locationId=` → the workflows as [`Named`] (unsorted).
    pub async fn workflows(&self) -> Result<Vec<Named>, GhlError> {
        self.simple_list("workflows").await
    }

    /// `GET /campaigns/?locationId=` → the campaigns as [`Named`] (unsorted).
    pub async fn campaigns(&self) -> Result<Vec<Named>, GhlError> {
        self.simple_list("campaigns").await
    }

    async fn simple_list(&self, what: &str) -> Result<Vec<Named>, GhlError> {
        let r = GhlRequest::list_of(what, self.location_id(), None);
        let v = self.send_request(&r).await?;
        let items: Vec<ListItem> = decode_list(&v, what, &format!("GET /{what}/"))?;
        Ok(items
            .iter()
            .map(|i| named(&i.id, i.name.as_deref()))
            .collect())
    }

    /// `GET /businesses/?locationId&limit&skip`, every page → the businesses as [`Named`].
    pub async fn businesses(&self) -> Result<Vec<Named>, GhlError> {
        let mut out = Vec::new();
        let mut skip = 0u32;
        loop {
            let r = GhlRequest::list_of("businesses", self.location_id(), Some(skip));
            let v = self.send_request(&r).await?;
            let items: Vec<ListItem> = decode_list(&v, "businesses", "GET /businesses/")?;
            let n = items.len() as u32;
            out.extend(items.iter().map(|i| named(&i.id, i.name.as_deref())));
            if n < LIST_PAGE || n == 0 {
                return Ok(out);
            }
            skip += n;
        }
    }

    /// `GET /users/?locationId=` → the location's users as [`Named`] (name, else first and
    /// last name, else email).
    pub async fn users(&self) -> Result<Vec<Named>, GhlError> {
        let r = GhlRequest::list_of("users", self.location_id(), None);
        let v = self.send_request(&r).await?;
        let items: Vec<UserItem> = decode_list(&v, "users", "GET /users/")?;
        Ok(items
            .iter()
            .map(|u| Named {
                id: clean_line(&u.id),
                name: u.display(),
            })
            .collect())
    }

    /// `GET /contacts/business/{businessId}?locationId&limit&skip`, every page → the contacts
    /// (search shape; items that cannot be read are skipped).
    pub async fn business_contacts(&self, business: &str) -> Result<Vec<Contact>, GhlError> {
        let mut out = Vec::new();
        let mut skip = 0u32;
        loop {
            let r = GhlRequest::business_contacts(self.location_id(), business, skip);
            let v = self.send_request(&r).await?;
            let items: Vec<Value> =
                decode_list(&v, "contacts", "GET /contacts/business/{businessId}")?;
            let n = items.len() as u32;
            out.extend(items.iter().filter_map(|c| wire::contact_from_json(c).ok()));
            if n < LIST_PAGE || n == 0 {
                return Ok(out);
            }
            skip += n;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn op_requests_print_as_sent() {
        let r = GhlRequest::workflow_add("c1", "w 1", Some("2026-01-01T10:00:00+02:00"));
        assert_eq!(r.endpoint(), "POST /contacts/c1/workflow/w%201");
        assert_eq!(r.class, WriteClass::Once);
        assert_eq!(
            r.body,
            Some(json!({"eventStartTime": "2026-01-01T10:00:00+02:00"}))
        );
        assert_eq!(
            GhlRequest::campaign_remove_all("c1").path(),
            "/contacts/c1/campaigns/removeAll"
        );
        let b = GhlRequest::bulk_business("L", &["a".into()], None);
        assert_eq!(
            b.body,
            Some(json!({"locationId": "L", "ids": ["a"], "businessId": null}))
        );
        assert_eq!(
            GhlRequest::list_of("workflows", "L", None).path_and_query(),
            "/workflows/?locationId=L"
        );
        assert_eq!(
            GhlRequest::business_contacts("L", "b1", 100).path_and_query(),
            "/contacts/business/b1?locationId=L&limit=100&skip=100"
        );
        assert!(GhlRequest::list_of("users", "L", None)
            .headers()
            .contains(&"Version: 2021-07-28".to_owned()));
    }

    #[test]
    fn bulk_tags_answer_lists_errors() {
        let a = BulkTagsAnswer::from_json(&json!({
            "succeded": true, "errorCount": 1,
            "responses": [
                {"contactId": "a", "message": "Tags updated", "type": "success"},
                {"contactId": "b\u{1b}[2J", "message": "contact is deleted", "type": "error"}
            ]
        }));
        assert_eq!(a.error_count, 1);
        let e = a.errors();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].message, "contact is deleted");
        assert!(!e[0].contact_id.contains('\u{1b}'));
    }
}
