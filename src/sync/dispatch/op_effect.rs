//! What an operation's write actually changed, per contact ([`OpEffect`]), for the journal and
//! so for the revert: the tags or followers each contact gained or lost, the business each
//! contact had before.
//!
//! GHL's answer says it when it can (bulk tags: `responses[].tagsAdded`/`tagsRemoved`/
//! `oldTags`; followers: `followersAdded`/`followersRemoved`); otherwise the contacts as cached
//! just before the write ([`Before`]) are compared with what was sent. A contact neither says
//! anything about is recorded as unknown.

use std::collections::HashMap;

use serde_json::Value;

use crate::domain::{Contact, ContactOp, Named, OpEffect};
use crate::ghl::{BulkTagsAnswer, GhlRequest};
use crate::store::{Store, StoreError};
use crate::sync::ops::{business_of, followers_of};

/// The contacts a write names, as cached just before it was sent (absent: not cached).
pub(crate) struct Before(HashMap<String, Contact>);

fn strings(v: Option<&Value>) -> Option<Vec<String>> {
    v?.as_array().map(|a| {
        a.iter()
            .filter_map(|x| x.as_str().map(crate::sanitize::clean_line))
            .collect()
    })
}

/// The contact ids request `r` of `op` writes (`contacts`, `ids`, or the change's contact).
fn contacts_of(op: &ContactOp, r: &GhlRequest, contact: Option<&str>) -> Vec<String> {
    let body = r.body.as_ref();
    match op {
        ContactOp::BulkTags { .. } => strings(body.and_then(|b| b.get("contacts"))),
        ContactOp::Business { .. } => strings(body.and_then(|b| b.get("ids"))),
        _ => contact.map(|c| vec![c.to_owned()]),
    }
    .unwrap_or_default()
}

/// Reads the contacts request `r` writes from the cache (before sending it).
pub(crate) fn read_before(
    store: &Store,
    op: &ContactOp,
    r: &GhlRequest,
    contact: Option<&str>,
) -> Result<Before, StoreError> {
    let mut m = HashMap::new();
    if matches!(
        op,
        ContactOp::BulkTags { .. }
            | ContactOp::Business { .. }
            | ContactOp::FollowersAdd { .. }
            | ContactOp::FollowersRemove { .. }
    ) {
        for id in contacts_of(op, r, contact) {
            if let Some(c) = store.contact(&id)? {
                m.insert(id, c);
            }
        }
    }
    Ok(Before(m))
}

fn same_tag(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// Of `sent`, those an add changed (not in `had`) or a remove changed (in `had`).
fn diff(sent: &[String], had: &[String], add: bool) -> Vec<String> {
    sent.iter()
        .filter(|s| had.iter().any(|h| same_tag(h, s)) != add)
        .cloned()
        .collect()
}

/// What request `r` of `op` (on `contact` for a single-contact operation) changed, from GHL's
/// answer `v` or the cached `before`. `None` for operations that keep no effect (workflows,
/// campaigns, upsert).
pub(crate) fn effect(
    op: &ContactOp,
    r: &GhlRequest,
    contact: Option<&str>,
    v: &Value,
    before: &Before,
    businesses: &[Named],
) -> Option<OpEffect> {
    let mut out = OpEffect::default();
    let body = r.body.as_ref();
    let sent = |key: &str| strings(body.and_then(|b| b.get(key))).unwrap_or_default();
    let mut put = |id: &str, changed: Vec<String>| {
        if !changed.is_empty() {
            out.changed.insert(id.to_owned(), changed);
        }
    };
    match op {
        ContactOp::BulkTags { add, .. } => {
            let tags = sent("tags");
            let answer = BulkTagsAnswer::from_json(v);
            let mut unknown = Vec::new();
            for id in contacts_of(op, r, contact) {
                let said = answer.responses.iter().find(|x| x.contact_id == id);
                if said.is_some_and(|x| x.kind == "error") {
                    continue;
                }
                let from_answer = said.and_then(|x| {
                    let direct = if *add { &x.tags_added } else { &x.tags_removed };
                    direct
                        .clone()
                        .or_else(|| x.old_tags.as_ref().map(|old| diff(&tags, old, *add)))
                });
                match from_answer.or_else(|| before.0.get(&id).map(|c| diff(&tags, &c.tags, *add)))
                {
                    Some(ch) => put(&id, ch),
                    None => unknown.push(id),
                }
            }
            out.unknown = unknown;
        }
        ContactOp::FollowersAdd { .. } | ContactOp::FollowersRemove { .. } => {
            let add = matches!(op, ContactOp::FollowersAdd { .. });
            let id = contact.unwrap_or_default();
            let key = if add {
                "followersAdded"
            } else {
                "followersRemoved"
            };
            let users = sent("followers");
            match strings(v.get(key)).or_else(|| {
                before
                    .0
                    .get(id)
                    .map(|c| diff(&users, &followers_of(c), add))
            }) {
                Some(ch) => put(id, ch),
                None => out.unknown.push(id.to_owned()),
            }
        }
        ContactOp::Business { business, .. } => {
            let want = business.as_ref().map(|b| b.id.clone());
            // GHL answers `{success, ids: [updated]}`; without `ids`, every contact sent.
            let updated = strings(v.get("ids")).unwrap_or_else(|| contacts_of(op, r, contact));
            for id in updated {
                match before.0.get(&id) {
                    Some(c) => {
                        let had = business_of(c);
                        if had != want {
                            let named =
                                had.map(|b| {
                                    businesses.iter().find(|n| n.id == b).cloned().unwrap_or(
                                        Named {
                                            id: b.clone(),
                                            name: b,
                                        },
                                    )
                                });
                            out.business_before.insert(id, named);
                        }
                    }
                    None => out.unknown.push(id),
                }
            }
        }
        _ => return None,
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bulk_tags_effect_comes_from_the_answer_then_old_tags_then_the_cache() {
        let op = ContactOp::BulkTags {
            add: true,
            tags: vec!["vip".into()],
            contact_ids: ["a", "b", "c", "d", "e", "f"].map(String::from).to_vec(),
        };
        let r = GhlRequest::bulk_tags("loc", &op_ids(&op), &["vip".into()], true);
        let v = json!({"succeded": true, "errorCount": 1, "responses": [
            {"contactId": "a", "type": "success", "message": "Tags updated", "tagsAdded": []},
            {"contactId": "b", "type": "success", "message": "Tags updated", "oldTags": ["x"]},
            {"contactId": "d", "type": "error", "message": "contact is deleted"}
        ]});
        let cached = |tags: &[&str]| Contact {
            tags: tags.iter().map(|t| t.to_string()).collect(),
            ..Default::default()
        };
        let before = Before(HashMap::from([
            ("e".to_owned(), cached(&["VIP"])),
            ("f".to_owned(), cached(&["x"])),
        ]));
        let e = effect(&op, &r, None, &v, &before, &[]).unwrap();
        assert!(
            !e.changed.contains_key("e"),
            "cached with it (GHL tags ignore case)"
        );
        assert_eq!(e.changed["f"], vec!["vip".to_owned()], "cached without it");
        assert!(!e.changed.contains_key("a"), "a had it already");
        assert_eq!(e.changed["b"], vec!["vip".to_owned()]);
        assert_eq!(e.unknown, vec!["c".to_owned()], "neither answer nor cache");
        assert!(!e.changed.contains_key("d"), "an error changed nothing");
    }

    fn op_ids(op: &ContactOp) -> Vec<String> {
        match op {
            ContactOp::BulkTags { contact_ids, .. } => contact_ids.clone(),
            _ => Vec::new(),
        }
    }
}
