//! Contact creates, exactly once even where GHL would accept a duplicate.
//!
//! `POST /contacts/` is never retried blindly ([`crate::ghl::WriteClass::Once`]):
//! 1. **Before** sending, GHL is asked (`GET /contacts/search/duplicate` by email, then by
//!    phone, then `POST /contacts/search` by the Bmby client id custom field when the change
//!    carries one), not only the cache: a contact someone added in GHL after the last pull is
//!    found.
//! 2. A contact found that carries everything the create would send (or the change's Bmby
//!    client id in the client id custom field) is **ours**: it is linked and the change applied.
//! 3. Any other contact found is **someone else**: nothing is written to it. The change goes
//!    back for review as an update of that contact ([`Change::matched`] says on what it
//!    matched; `ghl_now` holds its current values beside the proposed ones). Exception, the
//!    shared phone or email of two Bmby clients (family members, an office line): a contact
//!    already linked to *another* Bmby client is another person. Where the location allows
//!    duplicate contacts (`settings.allowDuplicateContact`, read once per run) the create goes
//!    ahead; where it forbids them the change is held once for a person to decide ("Bmby
//!    clients A and B can only be one GHL contact on this location"), its fingerprint kept so
//!    the next import does not propose it again.
//! 4. A create whose answer is lost (a dropped connection, a timeout, a 5xx, a crash while in
//!    flight) is marked ([`crate::domain::OutboxInfo::unknown_outcome`], saved before sending)
//!    and resolved by the look-ups above before anything is sent again; only a create
//!    certainly absent is sent again. A create with neither email nor phone (nor client id
//!    field) cannot be looked up: it is sent at most once, and with an unknown outcome fails
//!    asking to check GHL for it.
//!
//! A duplicate 400 (`meta.contactId`, a location that forbids duplicates) is handled like a
//! contact found in step 1.

use serde_json::Value;

use super::contact::dropped;
use super::requests::{client_id_field, create_body, create_request, lookup_requests, tags_of};
use super::runner::Ctx;
use crate::domain::{Change, ChangeKind, ChangeState, Contact, CreateMatch};
use crate::ghl::client::{duplicate_of_answer, write_result_of};
use crate::ghl::{wire, ErrorKind, GhlError, GhlRequest};
use crate::store::StoreError;
use crate::sync::diff::{ghl_value, same};

/// Sends per run before a create whose answers keep getting lost is left for the next run.
const ROUNDS: usize = 3;

/// What the look-ups found.
enum Lookup {
    /// The create is already in GHL.
    Ours(Contact),
    /// An existing contact that is not ours matched: (contact, matched on, other Bmby client
    /// linked to it).
    Other(Contact, &'static str, Option<String>),
    /// Nothing that stops the create. `skipped`: contacts of other Bmby clients matched and
    /// were let be (the location allows duplicates).
    Absent { skipped: bool },
}

/// True when `found` is the contact this create makes: our Bmby client id in the client id
/// custom field, or every field (and tag) the create sends.
fn is_ours(c: &Change, found: &Contact) -> bool {
    if let Some(cf) = client_id_field(c) {
        if !c.client_id.is_empty()
            && found
                .custom_fields
                .iter()
                .any(|f| f.id == cf && same("custom", Some(&f.display()), Some(&c.client_id)))
        {
            return true;
        }
    }
    c.fields.iter().all(|f| {
        if f.field == "tags" {
            tags_of(&f.proposed).iter().all(|t| found.tags.contains(t))
        } else {
            same(
                &f.field,
                ghl_value(found, &f.field).as_deref(),
                f.proposed.as_deref(),
            )
        }
    })
}

/// Another Bmby client linked to `found` (by our links, or by its client id custom field).
fn linked_client(cx: &Ctx<'_>, found: &Contact) -> Result<Option<String>, StoreError> {
    let ours = &cx.change.client_id;
    if let Some((client, _)) = cx
        .store
        .links()?
        .into_iter()
        .find(|(client, contact)| contact == &found.id && client != ours)
    {
        return Ok(Some(client));
    }
    Ok(client_id_field(&cx.change).and_then(|cf| {
        found
            .custom_fields
            .iter()
            .find(|f| f.id == cf)
            .map(|f| f.display())
            .filter(|v| !v.trim().is_empty() && !same("custom", Some(v), Some(ours)))
    }))
}

enum LookupError {
    Ghl(GhlError),
    Store(StoreError),
}

async fn look_up(cx: &Ctx<'_>, allow_dup: bool) -> Result<Lookup, LookupError> {
    let mut hits: Vec<(Contact, &'static str)> = Vec::new();
    for (on, req) in lookup_requests(&cx.change, cx.client.location_id()) {
        let v = cx
            .client
            .send_request(&req)
            .await
            .map_err(LookupError::Ghl)?;
        let found: Vec<Contact> = match v.get("contacts").and_then(Value::as_array) {
            // A search: only a contact with our client id counts (the index may lag, so its
            // silence proves nothing; the duplicate look-ups above decide absence).
            Some(items) => items
                .iter()
                .filter_map(|i| wire::contact_from_json(i).ok())
                .filter(|c| is_ours(&cx.change, c))
                .collect(),
            None => duplicate_of_answer(&v).into_iter().collect(),
        };
        for f in found {
            if !hits.iter().any(|(h, _)| h.id == f.id) {
                hits.push((f, on));
            }
        }
    }
    if let Some(i) = hits.iter().position(|(h, _)| is_ours(&cx.change, h)) {
        return Ok(Lookup::Ours(hits.swap_remove(i).0));
    }
    let mut skipped = false;
    for (found, on) in hits {
        let linked = linked_client(cx, &found).map_err(LookupError::Store)?;
        if allow_dup && linked.is_some() {
            skipped = true;
            continue;
        }
        return Ok(Lookup::Other(found, on, linked));
    }
    Ok(Lookup::Absent { skipped })
}

/// Sends a create change; see the module docs.
pub(super) async fn create(cx: &mut Ctx<'_>, resumed: bool) -> Result<ChangeState, StoreError> {
    let allow_dup = match cx.client.allow_duplicate_contact().await {
        Ok(a) => a,
        Err(e) if e.kind() == ErrorKind::Unauthorized => return cx.fail(&e),
        Err(e) => {
            // Unknown setting: assume the worst case, where a second create would land.
            tracing::warn!(error = %e, "location settings unreadable; assuming duplicates are allowed");
            true
        }
    };
    let has_keys = !lookup_requests(&cx.change, cx.client.location_id()).is_empty();
    // Only the duplicate look-ups (email, phone) prove absence; the search may lag.
    let by_duplicate =
        cx.change.proposed("email").is_some() || cx.change.proposed("phone").is_some();
    let mut unknown = cx.info.unknown_outcome.is_some() || (resumed && has_keys);
    for _ in 0..ROUNDS {
        if unknown && !has_keys {
            return check_ghl(cx, "it has neither email nor phone to look it up by");
        }
        if has_keys {
            match look_up(cx, allow_dup).await {
                Err(LookupError::Store(e)) => return Err(e),
                Err(LookupError::Ghl(e)) => return cx.fail(&e),
                Ok(Lookup::Ours(c)) => return found_ours(cx, c, "GET /contacts/search/duplicate"),
                Ok(Lookup::Other(c, on, linked)) => {
                    if unknown && allow_dup {
                        let why = format!(
                            "it matches existing contact {} ({}) on {on}, so whether ours landed cannot be told",
                            c.display_name(),
                            c.id
                        );
                        return check_ghl(cx, &why);
                    }
                    return hold(cx, c, on, linked, allow_dup);
                }
                Ok(Lookup::Absent { skipped: true }) if unknown => {
                    return check_ghl(
                        cx,
                        "contacts of other Bmby clients share its email or phone, so whether ours landed cannot be told",
                    );
                }
                Ok(Lookup::Absent { .. }) if unknown && !by_duplicate => {
                    return check_ghl(
                        cx,
                        "only a search by its Bmby client id can find it, and GHL's search index may lag",
                    );
                }
                Ok(Lookup::Absent { .. }) => {}
            }
        }
        // Certainly absent (or never sent): send it, once.
        let req = create_request(&cx.change, cx.client.location_id());
        cx.info.unknown_outcome = Some(req.endpoint());
        cx.save(ChangeState::InFlight)?;
        match send(cx, &req).await? {
            Sent::Done(state) => return Ok(state),
            Sent::Unknown => unknown = true,
        }
    }
    cx.info.last_error = Some(format!(
        "the answer to the create was lost {ROUNDS} times; it stays in flight and is looked up before anything is sent again"
    ));
    cx.save(ChangeState::InFlight)?;
    Ok(ChangeState::InFlight)
}

enum Sent {
    Done(ChangeState),
    /// The answer was lost: look it up before anything else.
    Unknown,
}

async fn send(cx: &mut Ctx<'_>, req: &GhlRequest) -> Result<Sent, StoreError> {
    let body = create_body(&cx.change);
    let fields: Vec<String> = body.keys().cloned().collect();
    let endpoint = req.endpoint();
    let e = match cx.client.send_request(req).await {
        Ok(v) => {
            let w = write_result_of(&v);
            let Some(contact) = w.contact.clone() else {
                cx.journal_err(
                    endpoint.clone(),
                    fields,
                    &GhlError::Decode {
                        endpoint,
                        message: "no contact in the answer".into(),
                    },
                    "created, but the answer holds no contact; looked up",
                )?;
                return Ok(Sent::Unknown);
            };
            cx.info.unknown_outcome = None;
            cx.info.dropped_fields = dropped(&body, w.raw.as_ref());
            cx.info.contact_id = Some(contact.id.clone());
            cx.change.contact_id = Some(contact.id.clone());
            cx.store.put_link(&cx.change.client_id, &contact.id)?;
            cx.store.put_contacts(std::slice::from_ref(&contact))?;
            // The recent GHL changes list our own create as created, sent by bmby-ghl.
            let at = jiff::Timestamp::now();
            let entry = crate::domain::RecentChange {
                seen_at: crate::clock::iso_utc(at),
                contact_id: contact.id.clone(),
                name: contact.display_name(),
                date_updated: contact.date_updated.clone(),
                created: true,
                source: crate::domain::RecentSource::Sent,
                ..Default::default()
            };
            crate::sync::recent::record(cx.store, std::slice::from_ref(&entry), at);
            let mut outcome = format!("created {}", contact.id);
            if !cx.info.dropped_fields.is_empty() {
                outcome.push_str(&format!(
                    "; GHL did not store: {}",
                    cx.info.dropped_fields.join(", ")
                ));
            }
            cx.journal(endpoint, fields, &Ok(w), &outcome)?;
            cx.save(ChangeState::Applied)?;
            return Ok(Sent::Done(ChangeState::Applied));
        }
        Err(e) => e,
    };
    match e.kind() {
        ErrorKind::UnknownOutcome | ErrorKind::BadAnswer => {
            cx.info.last_error = Some(e.to_string());
            cx.journal_err(
                endpoint,
                fields,
                &e,
                "no answer; outcome unknown: looked up before anything is sent again",
            )?;
            cx.save(ChangeState::InFlight)?;
            Ok(Sent::Unknown)
        }
        _ => {
            cx.info.unknown_outcome = None;
            if let Some(dup) = duplicate_meta(&e) {
                cx.journal_err(endpoint, fields, &e, &format!("GHL has it as {}", dup.0))?;
                let found = match cx.client.get_contact(&dup.0).await {
                    Ok(c) => c,
                    Err(e) => return cx.fail(&e).map(Sent::Done),
                };
                if is_ours(&cx.change, &found) {
                    return found_ours(cx, found, "POST /contacts/ (duplicate)").map(Sent::Done);
                }
                let linked = linked_client(cx, &found)?;
                return hold(cx, found, dup.1, linked, false).map(Sent::Done);
            }
            cx.journal_err(endpoint, fields, &e, "failed")?;
            cx.fail(&e).map(Sent::Done)
        }
    }
}

/// `(contactId, matchingField)` of GHL's duplicate-contact 400.
fn duplicate_meta(e: &GhlError) -> Option<(String, &'static str)> {
    let GhlError::Api {
        status: 400,
        meta: Some(meta),
        ..
    } = e
    else {
        return None;
    };
    let id = meta.get("contactId").and_then(Value::as_str)?.to_owned();
    let on = match meta.get("matchingField").and_then(Value::as_str) {
        Some("phone") => "phone",
        _ => "email",
    };
    Some((id, on))
}

/// The create is in GHL already: link it and apply the change.
fn found_ours(cx: &mut Ctx<'_>, c: Contact, via: &str) -> Result<ChangeState, StoreError> {
    cx.store.put_link(&cx.change.client_id, &c.id)?;
    cx.store.put_contacts(std::slice::from_ref(&c))?;
    cx.info.unknown_outcome = None;
    cx.info.contact_id = Some(c.id.clone());
    cx.change.contact_id = Some(c.id.clone());
    cx.append_note(
        via,
        &format!(
            "found {} in GHL with everything sent: linked, nothing sent again",
            c.id
        ),
    )?;
    cx.save(ChangeState::Applied)?;
    Ok(ChangeState::Applied)
}

/// The outcome cannot be told: fail, asking a person to check GHL.
fn check_ghl(cx: &mut Ctx<'_>, why: &str) -> Result<ChangeState, StoreError> {
    let name = cx.change.display_name.clone();
    cx.info.unknown_outcome = None;
    cx.info.last_error = Some(format!(
        "check GHL for {name}: the answer to the create was lost and {why}; approve it again only if the contact is not there"
    ));
    cx.append_note("POST /contacts/", "outcome unknown: check GHL")?;
    cx.save(ChangeState::Failed)?;
    Ok(ChangeState::Failed)
}

/// Someone else's contact matched: nothing is written to it; the change goes back to review.
fn hold(
    cx: &mut Ctx<'_>,
    x: Contact,
    on: &'static str,
    linked: Option<String>,
    allow_dup: bool,
) -> Result<ChangeState, StoreError> {
    cx.store.put_contacts(std::slice::from_ref(&x))?;
    let m = CreateMatch {
        contact_id: x.id.clone(),
        name: x.display_name(),
        matched_on: on.to_owned(),
        linked_client: linked.clone(),
    };
    let note = match &linked {
        Some(b) if !allow_dup => format!(
            "Bmby clients {} and {b} can only be one GHL contact on this location (it forbids duplicate contacts; they share the {on} of {} ({})); not created — decide which",
            cx.change.client_id, m.name, m.contact_id
        ),
        _ => {
            as_update_of(&mut cx.change, &x);
            format!(
                "{}: nothing written to it; approve to update it with these values",
                m.describe()
            )
        }
    };
    cx.change.matched = Some(m);
    cx.change.warnings.retain(|w| w != &note);
    cx.change.warnings.push(note.clone());
    cx.info.last_error = None;
    cx.append_note(
        "GET /contacts/search/duplicate",
        &format!("held for review: {note}"),
    )?;
    cx.save(ChangeState::Pending)?;
    Ok(ChangeState::Pending)
}

/// Turns a create into a pending update of `x` for review: `ghl_now` is x's value, tags are
/// x's plus the proposed ones (never fewer), fields x already has are dropped.
fn as_update_of(c: &mut Change, x: &Contact) {
    c.kind = ChangeKind::Update;
    c.contact_id = Some(x.id.clone());
    c.base_date_updated = x.date_updated.clone();
    for f in &mut c.fields {
        f.ghl_now = ghl_value(x, &f.field);
        if f.field == "tags" {
            let mut all = x.tags.clone();
            for t in tags_of(&f.proposed) {
                if !all.contains(&t) {
                    all.push(t);
                }
            }
            f.proposed = Some(all.join(", "));
        }
    }
    c.fields
        .retain(|f| !same(&f.field, f.ghl_now.as_deref(), f.proposed.as_deref()));
}
