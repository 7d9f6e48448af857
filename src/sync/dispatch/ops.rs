//! Sending a Contacts API operation change ([`crate::domain::ContactOp`]): workflows,
//! campaigns, followers, business association, bulk tags, upsert — exactly once.
//!
//! The requests are built once ([`op_requests`]) for the dry run and the sender alike.
//!
//! **Exactly once.** Before a [`WriteClass::Once`] write (workflow add, campaign add, upsert)
//! `OutboxInfo::unknown_outcome` is saved; a change found in flight with it set, or whose
//! answer was lost, is never sent again blindly:
//! - workflow and campaign adds have no look-up in GHL: the change fails asking a person to
//!   check GHL ("the answer was lost: check GHL whether … is in workflow …; approve again to
//!   resend");
//! - idempotent operations (followers, business, bulk tags, removals) are verified by reading
//!   each contact (`GET /contacts/{id}`: `followers`, `businessId`, `tags`) and only what is
//!   missing is sent; removals are simply sent again (removing twice is removing once);
//! - an idempotent write whose answer is lost while sending is sent once more (harmless); the
//!   second answer says what *that* send changed, so the journal's effect then comes from the
//!   cache, and the outcome says the first answer was lost;
//! - an upsert is preceded by its look-ups again; matched by email or phone to one contact,
//!   sending it again updates that same contact, so it is resent only after the checks pass.
//!
//! **Conflicts.** None of these writes replace a field the proposal read: workflows, campaigns,
//! followers and tags are set memberships that commute with edits made in GHL meanwhile, so no
//! conflict check is made. A business association replaces the contact's business: the choice
//! was explicit, so the last choice wins (the journal keeps the business each contact had, as
//! cached, for a revert). An upsert is held back before sending when it would not do what the
//! person meant (ghl-pitfalls.md §5, §6): email and phone of two different contacts; an email
//! that is not the primary email of the contact it matches; a phone or an email the matched
//! contact has different (it would be replaced). Fields GHL accepted but did not store
//! (e.g. `gender`, §7) are recorded in `OutboxInfo::dropped_fields`.

use serde_json::{Map, Value};

use super::contact::dropped;
use super::requests::create_body;
use super::runner::Ctx;
use crate::domain::{Candidate, Change, ChangeState, Contact, ContactOp, OpEffect, Subject};
use crate::ghl::client::write_result_of;
use crate::ghl::{BulkTagsAnswer, ErrorKind, GhlError, GhlRequest, WriteClass, WriteResult};
use crate::store::StoreError;
use crate::sync::ops::{business_of, followers_of};

/// The operation of a change, if it is one.
pub fn op_of(c: &Change) -> Option<&ContactOp> {
    match &c.subject {
        Subject::Op(op) => Some(op),
        _ => None,
    }
}

fn ids(v: &[crate::domain::Named]) -> Vec<String> {
    v.iter().map(|n| n.id.clone()).collect()
}

/// The writes of operation `op` of change `c` in `location`, in order (an upsert's look-ups
/// are in [`upsert_lookups`]).
pub fn op_requests(c: &Change, op: &ContactOp, location: &str) -> Vec<GhlRequest> {
    let contact = c.contact_id.clone().unwrap_or_default();
    match op {
        ContactOp::WorkflowAdd {
            workflow,
            event_start_time,
        } => vec![GhlRequest::workflow_add(
            &contact,
            &workflow.id,
            event_start_time.as_deref(),
        )],
        ContactOp::WorkflowRemove { workflow } => {
            vec![GhlRequest::workflow_remove(&contact, &workflow.id)]
        }
        ContactOp::CampaignAdd { campaign } => {
            vec![GhlRequest::campaign_add(&contact, &campaign.id)]
        }
        ContactOp::CampaignRemove { campaign } => {
            vec![GhlRequest::campaign_remove(&contact, &campaign.id)]
        }
        ContactOp::CampaignRemoveAll => vec![GhlRequest::campaign_remove_all(&contact)],
        ContactOp::FollowersAdd { users } => {
            vec![GhlRequest::followers(&contact, &ids(users), true)]
        }
        ContactOp::FollowersRemove { users } => {
            vec![GhlRequest::followers(&contact, &ids(users), false)]
        }
        ContactOp::Business {
            business,
            contact_ids,
        } => vec![GhlRequest::bulk_business(
            location,
            contact_ids,
            business.as_ref().map(|b| b.id.as_str()),
        )],
        ContactOp::BulkTags {
            add,
            tags,
            contact_ids,
        } => vec![GhlRequest::bulk_tags(location, contact_ids, tags, *add)],
        ContactOp::Upsert => vec![GhlRequest::upsert_contact(location, &create_body(c))],
    }
}

/// The look-ups made before an upsert: `GET /contacts/search/duplicate` by email, then by
/// phone, each with what it matches on.
pub fn upsert_lookups(c: &Change, location: &str) -> Vec<(&'static str, GhlRequest)> {
    let mut out = Vec::new();
    if let Some(e) = c.proposed("email") {
        out.push(("email", GhlRequest::find_duplicate(location, Some(e), None)));
    }
    if let Some(p) = c.proposed("phone") {
        out.push(("phone", GhlRequest::find_duplicate(location, None, Some(p))));
    }
    out
}

/// Every request a fresh dispatch of `c` sends, in order (the dry run).
pub fn planned(c: &Change, location: &str) -> Vec<GhlRequest> {
    let Some(op) = op_of(c) else {
        return Vec::new();
    };
    let mut out: Vec<GhlRequest> = match op {
        ContactOp::Upsert => upsert_lookups(c, location)
            .into_iter()
            .map(|(_, r)| r)
            .collect(),
        _ => Vec::new(),
    };
    out.extend(op_requests(c, op, location));
    out
}

/// What to ask a person when the answer of a workflow or campaign add was lost.
fn lost_message(c: &Change, op: &ContactOp) -> String {
    let (what, name) = match op {
        ContactOp::WorkflowAdd { workflow, .. } => ("workflow", workflow.name.as_str()),
        ContactOp::CampaignAdd { campaign } => ("campaign", campaign.name.as_str()),
        _ => ("operation", ""),
    };
    format!(
        "the answer was lost: check GHL whether {} is in {what} {name}; approve again to resend",
        c.display_name
    )
}

/// Sends the operation of `cx.change` (`Subject::Op`). `resumed`: the change was in flight when
/// the last run stopped, so its outcome is unknown.
pub(super) async fn dispatch(cx: &mut Ctx<'_>, resumed: bool) -> Result<ChangeState, StoreError> {
    let Some(op) = op_of(&cx.change).cloned() else {
        cx.info.last_error = Some("not an operation".into());
        cx.save(ChangeState::Failed)?;
        return Ok(ChangeState::Failed);
    };
    let location = cx.client.location_id().to_owned();
    if matches!(op, ContactOp::Upsert) {
        return upsert(cx, &location).await;
    }
    let once = matches!(
        op,
        ContactOp::WorkflowAdd { .. } | ContactOp::CampaignAdd { .. }
    );
    if once && cx.info.unknown_outcome.is_some() {
        let why = lost_message(&cx.change, &op);
        let req = cx.info.unknown_outcome.clone().unwrap_or_default();
        cx.append_note(&req, &format!("not resent: {why}"))?;
        cx.info.unknown_outcome = None;
        cx.info.last_error = Some(why);
        cx.save(ChangeState::Failed)?;
        return Ok(ChangeState::Failed);
    }
    let mut reqs = op_requests(&cx.change, &op, &location);
    if resumed && !once {
        match verify(cx, &op, &location).await {
            Ok(Some(r)) => reqs = r,
            Ok(None) => {}
            Err(e) => return cx.fail(&e),
        }
        if reqs.is_empty() {
            cx.append_note(
                "GET /contacts/{contactId}",
                "verified after a lost answer: already applied",
            )?;
            cx.info.last_error = None;
            cx.save(ChangeState::Applied)?;
            return Ok(ChangeState::Applied);
        }
    }
    if let ContactOp::Business { contact_ids, .. } = &op {
        cx.before = crate::sync::journal::ReadBefore::Values(vec![(
            "business".into(),
            Some(cached_businesses(cx, contact_ids)?),
        )]);
    }
    let mut warnings = Vec::new();
    for r in reqs {
        match send(cx, &op, &r).await? {
            Sent::Ok(Some(w)) => warnings.push(w),
            Sent::Ok(None) => {}
            Sent::Stop(state) => return Ok(state),
        }
    }
    cx.info.last_error = None;
    if !warnings.is_empty() {
        cx.change.warnings.extend(warnings);
    }
    cx.save(ChangeState::Applied)?;
    Ok(ChangeState::Applied)
}

enum Sent {
    /// Sent and answered; a warning for the change when GHL reported per-contact errors.
    Ok(Option<String>),
    /// The change ended in this state (failed, approved again, in flight).
    Stop(ChangeState),
}

/// The names of the body fields a write carried, for the journal.
fn fields_of(r: &GhlRequest) -> Vec<String> {
    r.body
        .as_ref()
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

async fn send(cx: &mut Ctx<'_>, op: &ContactOp, r: &GhlRequest) -> Result<Sent, StoreError> {
    let endpoint = r.endpoint();
    let fields = fields_of(r);
    if r.class == WriteClass::Once {
        // Saved before sending: a crash from here on never resends blindly.
        cx.info.unknown_outcome = Some(endpoint.clone());
        cx.save(ChangeState::InFlight)?;
    }
    let before = super::op_effect::read_before(cx.store, op, r, cx.change.contact_id.as_deref())?;
    let (answer, lost) = send_noting_a_lost_answer(cx.client, r).await;
    match answer {
        Ok(v) => {
            cx.info.unknown_outcome = None;
            let w = WriteResult {
                trace_id: v
                    .get("traceId")
                    .and_then(Value::as_str)
                    .map(crate::sanitize::clean_line),
                ..Default::default()
            };
            let businesses = match op {
                ContactOp::Business { .. } => {
                    crate::sync::ops::cached_list(cx.store, crate::sync::ops::ListKind::Businesses)?
                        .unwrap_or_default()
                }
                _ => Vec::new(),
            };
            let contact = cx.change.contact_id.clone();
            // After a lost answer, the answer of the second send says what *it* changed
            // (nothing, the first one acted): what changed comes from the cache instead.
            let said = match op {
                ContactOp::BulkTags { .. }
                | ContactOp::FollowersAdd { .. }
                | ContactOp::FollowersRemove { .. }
                    if lost =>
                {
                    Value::Null
                }
                _ => v.clone(),
            };
            let effect =
                super::op_effect::effect(op, r, contact.as_deref(), &said, &before, &businesses);
            let mut warning = None;
            let mut outcome = if lost {
                "applied (the first answer was lost; sent again)".to_owned()
            } else {
                "applied".to_owned()
            };
            if let ContactOp::BulkTags { contact_ids, .. } = op {
                let a = BulkTagsAnswer::from_json(&v);
                let errs = a.errors();
                if !errs.is_empty() {
                    let list: Vec<String> = errs
                        .iter()
                        .map(|e| format!("{} ({})", e.contact_id, e.message))
                        .collect();
                    if errs.len() >= contact_ids.len() {
                        let why = format!("GHL changed no contact: {}", list.join("; "));
                        cx.journal_effect(endpoint, fields, &w, &why, &OpEffect::default())?;
                        cx.info.last_error = Some(why);
                        cx.save(ChangeState::Failed)?;
                        return Ok(Sent::Stop(ChangeState::Failed));
                    }
                    outcome = format!(
                        "applied to {} of {}; not changed: {}",
                        contact_ids.len() - errs.len(),
                        contact_ids.len(),
                        list.join("; ")
                    );
                    warning = Some(format!("not changed in GHL: {}", list.join("; ")));
                }
            }
            match effect {
                Some(effect) => cx.journal_effect(endpoint, fields, &w, &outcome, &effect)?,
                None => cx.journal(endpoint, fields, &Ok(w), &outcome)?,
            }
            Ok(Sent::Ok(warning))
        }
        Err(e)
            if r.class == WriteClass::Once
                && matches!(e.kind(), ErrorKind::UnknownOutcome | ErrorKind::BadAnswer) =>
        {
            let why = lost_message(&cx.change, op);
            cx.journal_err(endpoint, fields, &e, "no answer; not resent")?;
            cx.info.unknown_outcome = None;
            cx.info.last_error = Some(format!("{why} ({e})"));
            cx.save(ChangeState::Failed)?;
            Ok(Sent::Stop(ChangeState::Failed))
        }
        Err(e) => {
            cx.journal_err(endpoint, fields, &e, "failed")?;
            if r.class == WriteClass::Once && e.kind() == ErrorKind::NotArrived {
                cx.info.unknown_outcome = None;
            }
            Ok(Sent::Stop(cx.fail(&e)?))
        }
    }
}

/// Sends `r`; an idempotent write whose answer was lost (it may have been carried out) is sent
/// once more with the client's usual retries (sending it again is harmless). The flag says
/// whether that happened, so the answer describes the second send, not the first.
async fn send_noting_a_lost_answer(
    client: &crate::ghl::GhlClient,
    r: &GhlRequest,
) -> (Result<Value, GhlError>, bool) {
    if r.class != WriteClass::Idempotent {
        return (client.send_request(r).await, false);
    }
    let mut first = r.clone();
    first.class = WriteClass::Once;
    match client.send_request(&first).await {
        Err(e) if e.kind() == ErrorKind::UnknownOutcome => (client.send_request(r).await, true),
        answer => (answer, false),
    }
}

/// After a lost answer of an idempotent operation: reads each contact and returns only the
/// writes still needed (`Some(vec![])`: nothing left). `None`: nothing to verify by (removals,
/// sent again as they are).
async fn verify(
    cx: &mut Ctx<'_>,
    op: &ContactOp,
    location: &str,
) -> Result<Option<Vec<GhlRequest>>, GhlError> {
    let contact = cx.change.contact_id.clone().unwrap_or_default();
    match op {
        ContactOp::FollowersAdd { users } | ContactOp::FollowersRemove { users } => {
            let add = matches!(op, ContactOp::FollowersAdd { .. });
            let now = followers_of(&cx.client.get_contact(&contact).await?);
            let missing: Vec<String> = ids(users)
                .into_iter()
                .filter(|u| now.contains(u) != add)
                .collect();
            Ok(Some(if missing.is_empty() {
                Vec::new()
            } else {
                vec![GhlRequest::followers(&contact, &missing, add)]
            }))
        }
        ContactOp::Business {
            business,
            contact_ids,
        } => {
            let want = business.as_ref().map(|b| b.id.clone());
            let mut left = Vec::new();
            for id in contact_ids {
                match cx.client.get_contact(id).await {
                    Ok(c) if business_of(&c) == want => {}
                    Ok(_) => left.push(id.clone()),
                    Err(e) if e.is_not_found() => left.push(id.clone()),
                    Err(e) => return Err(e),
                }
            }
            Ok(Some(if left.is_empty() {
                Vec::new()
            } else {
                vec![GhlRequest::bulk_business(location, &left, want.as_deref())]
            }))
        }
        ContactOp::BulkTags {
            add,
            tags,
            contact_ids,
        } => {
            let mut left = Vec::new();
            for id in contact_ids {
                match cx.client.get_contact(id).await {
                    Ok(c) => {
                        let has_all = tags.iter().all(|t| c.tags.contains(t));
                        let has_any = tags.iter().any(|t| c.tags.contains(t));
                        if (*add && !has_all) || (!*add && has_any) {
                            left.push(id.clone());
                        }
                    }
                    // Sent again: GHL reports it per contact.
                    Err(e) if e.is_not_found() => left.push(id.clone()),
                    Err(e) => return Err(e),
                }
            }
            Ok(Some(if left.is_empty() {
                Vec::new()
            } else {
                vec![GhlRequest::bulk_tags(location, &left, tags, *add)]
            }))
        }
        _ => Ok(None),
    }
}

fn candidate(c: &Contact, on: &str) -> Candidate {
    Candidate {
        contact_id: c.id.clone(),
        name: c.display_name(),
        matched_on: on.to_owned(),
    }
}

/// Holds the upsert for review: back to pending with `why` (never sent).
fn hold(cx: &mut Ctx<'_>, why: String, cands: Vec<Candidate>) -> Result<ChangeState, StoreError> {
    cx.append_note("POST /contacts/upsert", &format!("held, not sent: {why}"))?;
    cx.info.unknown_outcome = None;
    cx.info.last_error = Some(why.clone());
    cx.change.warnings.push(why);
    cx.change.candidates = cands;
    cx.save(ChangeState::Pending)?;
    Ok(ChangeState::Pending)
}

fn same_text(a: Option<&str>, b: Option<&str>) -> bool {
    a.map(|s| s.trim().to_lowercase()) == b.map(|s| s.trim().to_lowercase())
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

async fn upsert(cx: &mut Ctx<'_>, location: &str) -> Result<ChangeState, StoreError> {
    let email = cx.change.proposed("email").map(str::to_owned);
    let phone = cx.change.proposed("phone").map(str::to_owned);
    let mut by_email: Option<Contact> = None;
    let mut by_phone: Option<Contact> = None;
    for (on, r) in upsert_lookups(&cx.change, location) {
        match cx.client.send_request(&r).await {
            Ok(v) => {
                let found = crate::ghl::client::duplicate_of_answer(&v);
                if on == "email" {
                    by_email = found;
                } else {
                    by_phone = found;
                }
            }
            Err(e) => {
                cx.journal_err(r.path_and_query(), Vec::new(), &e, "look-up failed")?;
                return cx.fail(&e);
            }
        }
    }
    // §5: email and phone of two different contacts.
    if let (Some(e), Some(p)) = (&by_email, &by_phone) {
        if e.id != p.id {
            let why = format!(
                "the email belongs to {} ({}) and the phone to {} ({}): an upsert would update \
                 the first and silently drop the phone; choose what to do",
                e.display_name(),
                e.id,
                p.display_name(),
                p.id
            );
            return hold(cx, why, vec![candidate(e, "email"), candidate(p, "phone")]);
        }
    }
    // §6: an email that is not the primary email of the contact it matches.
    if let Some(em) = &email {
        let additional = by_email
            .as_ref()
            .filter(|c| !same_text(c.email.as_deref(), Some(em)))
            .cloned()
            .or(cached_additional(cx, em)?);
        if let Some(c) = additional {
            let why = format!(
                "{em} is an additional email of {} ({}): an upsert would make it the primary \
                 email and lose {}; edit that contact instead",
                c.display_name(),
                c.id,
                c.email.as_deref().unwrap_or("its primary email")
            );
            return hold(cx, why, vec![candidate(&c, "email")]);
        }
    }
    // Never a way to lose a phone or an email of the matched contact.
    let matched = by_email.clone().or(by_phone.clone());
    if let Some(m) = &matched {
        let lose_phone = phone.is_some()
            && m.phone.is_some()
            && digits(m.phone.as_deref().unwrap_or("")) != digits(phone.as_deref().unwrap_or(""));
        let lose_email = email.is_some()
            && m.email.is_some()
            && !same_text(m.email.as_deref(), email.as_deref());
        if lose_phone || lose_email {
            let what = if lose_phone { "phone" } else { "email" };
            let why = format!(
                "the upsert matches {} ({}), whose {what} it would replace; edit that contact \
                 instead",
                m.display_name(),
                m.id
            );
            return hold(cx, why, vec![candidate(m, what)]);
        }
    }
    let r = GhlRequest::upsert_contact(location, &create_body(&cx.change));
    let body: Map<String, Value> = r
        .body
        .clone()
        .and_then(|b| b.as_object().cloned())
        .unwrap_or_default();
    let endpoint = r.endpoint();
    let fields = fields_of(&r);
    cx.info.unknown_outcome = Some(endpoint.clone());
    cx.save(ChangeState::InFlight)?;
    match cx.client.send_request(&r).await {
        Ok(v) => {
            let w = write_result_of(&v);
            cx.info.unknown_outcome = None;
            cx.info.dropped_fields = dropped(&body, w.raw.as_ref());
            let created = v.get("new").and_then(Value::as_bool) == Some(true);
            let mut outcome = match &w.contact {
                Some(c) if created => format!("created {}", c.id),
                Some(c) => format!("updated {}", c.id),
                None => "applied".to_owned(),
            };
            if let Some(c) = &w.contact {
                cx.info.contact_id = Some(c.id.clone());
                cx.change.contact_id = Some(c.id.clone());
                cx.store.put_contacts(std::slice::from_ref(c))?;
            }
            if !cx.info.dropped_fields.is_empty() {
                outcome.push_str(&format!(
                    "; GHL did not store: {}",
                    cx.info.dropped_fields.join(", ")
                ));
            }
            cx.journal(endpoint, fields, &Ok(w), &outcome)?;
            cx.info.last_error = None;
            cx.save(ChangeState::Applied)?;
            Ok(ChangeState::Applied)
        }
        Err(e) if matches!(e.kind(), ErrorKind::UnknownOutcome | ErrorKind::BadAnswer) => {
            // Matched by email or phone to at most one contact (checked above), so the next
            // run's look-ups find what this one did, and sending again updates that contact.
            cx.journal_err(endpoint, fields, &e, "no answer; looked up again next run")?;
            cx.info.last_error = Some(e.to_string());
            cx.save(ChangeState::InFlight)?;
            Ok(ChangeState::InFlight)
        }
        Err(e) => {
            cx.journal_err(endpoint, fields, &e, "failed")?;
            cx.info.unknown_outcome = None;
            cx.fail(&e)
        }
    }
}

/// A cached contact that has `email` as an additional (not primary) email.
fn cached_additional(cx: &Ctx<'_>, email: &str) -> Result<Option<Contact>, StoreError> {
    Ok(cx.store.contacts_without_raw()?.into_iter().find(|c| {
        !same_text(c.email.as_deref(), Some(email))
            && c.additional_emails
                .iter()
                .any(|a| same_text(Some(a), Some(email)))
    }))
}

/// The businesses `contact_ids` had as cached, by name where the cached list knows it
/// (`Acme Realty, (none)`), for the journal's `before`.
fn cached_businesses(cx: &Ctx<'_>, contact_ids: &[String]) -> Result<String, StoreError> {
    let names = crate::sync::ops::cached_list(cx.store, crate::sync::ops::ListKind::Businesses)?
        .unwrap_or_default();
    let mut seen: Vec<String> = Vec::new();
    for id in contact_ids {
        let b = match crate::sync::ops::cached_business_of(cx.store, id)? {
            None => "(none)".to_owned(),
            Some(b) => names
                .iter()
                .find(|n| n.id == b)
                .map(|n| n.name.clone())
                .unwrap_or(b),
        };
        if !seen.contains(&b) {
            seen.push(b);
        }
    }
    Ok(seen.join(", "))
}
