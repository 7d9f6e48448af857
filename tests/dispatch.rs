//! Dispatching approved changes to the GHL stand-in: exactly once under faults, conflicts,
//! duplicate-contact 400, silently dropped fields, 422, unknown outcomes of a create.

use crate::pulled_support::{field, Env};

use std::time::Duration;

use bmby_ghl::domain::{Change, ChangeKind, ChangeState, FieldChange};
use bmby_ghl::sandbox::{SandboxConfig, Seed, DEMO_LOCATION_ID, DEMO_TOKEN};
use bmby_ghl::sync::{self, dispatch};
use serde_json::json;

async fn env() -> Env {
    // A 1 s rate window keeps the 429 waits short.
    let e = Env::pulled_fast(SandboxConfig {
        seed: Seed::Generated { contacts: 60 },
        rate_limit_interval: Duration::from_secs(1),
        ..Default::default()
    })
    .await;
    e
}

fn put(e: &Env, kind: ChangeKind, contact: Option<&str>, fields: Vec<FieldChange>) -> u64 {
    let id = e.store.next_seq("change").unwrap();
    let base = contact
        .and_then(|c| e.store.contact(c).unwrap())
        .and_then(|c| c.date_updated);
    e.store
        .put_change(&Change {
            id,
            kind,
            state: ChangeState::Approved,
            client_id: format!("client{id}"),
            contact_id: contact.map(Into::into),
            display_name: format!("change {id}"),
            fields,
            base_date_updated: base,
            origin: "test".into(),
            warnings: vec![],
            candidates: vec![],
            fingerprint: String::new(),
            created_at: String::new(),
            updated_at: String::new(),
            subject: Default::default(),
            target: Default::default(),
            choice: None,
            matched: None,
            removable_tags: Vec::new(),
        })
        .unwrap();
    id
}

fn ids(e: &Env, n: usize) -> Vec<String> {
    e.store
        .contact_rows()
        .unwrap()
        .into_iter()
        .take(n)
        .map(|r| r.id)
        .collect()
}

#[tokio::test]
async fn every_approved_change_applied_exactly_once_under_faults() {
    let e = env().await;
    let targets = ids(&e, 12);
    let mut changes = Vec::new();
    for (i, cid) in targets.iter().enumerate() {
        changes.push((
            put(
                &e,
                ChangeKind::Update,
                Some(cid),
                vec![field("city", None, Some(&format!("עיר {i}")))],
            ),
            cid.clone(),
        ));
    }
    let creates: Vec<u64> = (0..5)
        .map(|i| {
            put(
                &e,
                ChangeKind::Create,
                None,
                vec![
                    field("firstName", None, Some("חדש")),
                    field("email", None, Some(&format!("new{i}@example.com"))),
                ],
            )
        })
        .collect();
    e.sb.faults().set_429_storm(3);
    e.sb.faults().set_5xx(3);
    e.sb.faults().set_drop(3);
    e.sb.faults().set_slow(Duration::from_millis(5));
    // Run until nothing is queued (a lost answer leaves a create in flight for the next run).
    for _ in 0..5 {
        dispatch::dispatch_all(&e.client, &e.store).await.unwrap();
        if e.store
            .changes()
            .unwrap()
            .iter()
            .all(|c| !c.state.is_queued())
        {
            break;
        }
    }
    for c in e.store.changes().unwrap() {
        assert_eq!(
            c.state,
            ChangeState::Applied,
            "change {} {:?}",
            c.id,
            e.store.outbox_info(c.id).unwrap()
        );
    }
    let reqs = e.sb.requests();
    for (_, cid) in &changes {
        let puts = reqs
            .iter()
            .filter(|r| {
                r.method == "PUT" && r.path == format!("/contacts/{cid}") && r.status == 200
            })
            .count();
        assert_eq!(puts, 1, "exactly one successful PUT for {cid}");
    }
    let posts = reqs
        .iter()
        .filter(|r| r.method == "POST" && r.path == "/contacts/" && r.status == 201)
        .count();
    assert_eq!(posts, creates.len(), "one create per change");
    for i in 0..5 {
        let n = reqs
            .iter()
            .filter(|r| {
                r.method == "POST"
                    && r.status == 201
                    && r.body["email"] == format!("new{i}@example.com")
            })
            .count();
        assert_eq!(n, 1);
    }
    assert_eq!(e.sb.contact_count(), 65);
    // Every body the stand-in saw had only properties the spec allows (it answers 422 otherwise).
    assert!(reqs.iter().all(|r| r.status != 422));
    // The journal has a line per write, never a token.
    let journal = e.store.journal().unwrap();
    assert!(journal.len() >= 17);
    assert!(!format!("{journal:?}").contains(DEMO_TOKEN));
}

#[tokio::test]
async fn conflict_when_ghl_changed_after_the_diff() {
    let e = env().await;
    let cid = ids(&e, 1).remove(0);
    let id = put(
        &e,
        ChangeKind::Update,
        Some(&cid),
        vec![field("city", None, Some("חיפה"))],
    );
    assert!(e
        .sb
        .update_contact(&cid, json!({"lastName": "Edited in GHL"})));
    assert_eq!(
        dispatch::dispatch_one(&e.client, &e.store, id)
            .await
            .unwrap(),
        ChangeState::Conflict
    );
    let info = e.store.outbox_info(id).unwrap();
    assert!(info.last_error.unwrap().contains("changed in GHL"));
    assert!(
        e.sb.requests().iter().all(|r| r.method != "PUT"),
        "no overwrite"
    );
    // A person approves it again: rebased on GHL now, then it applies.
    sync::review::approve(&e.store, id).unwrap();
    assert_eq!(
        dispatch::dispatch_one(&e.client, &e.store, id)
            .await
            .unwrap(),
        ChangeState::Applied
    );
}

/// A create that GHL already has someone for (found by the look-up before sending) is never
/// sent and never silently becomes a write to that contact: it comes back for review as an
/// update of it, and only a person's approval writes.
#[tokio::test]
async fn a_create_matching_an_existing_contact_comes_back_for_review() {
    let e = env().await;
    let existing = e.store.contact(&ids(&e, 1)[0]).unwrap().unwrap();
    let email = existing.email.clone().unwrap();
    let id = put(
        &e,
        ChangeKind::Create,
        None,
        vec![
            field("email", None, Some(&email)),
            field("city", None, Some("אילת")),
        ],
    );
    let fp = e.store.change(id).unwrap().unwrap().fingerprint;
    assert_eq!(
        dispatch::dispatch_one(&e.client, &e.store, id)
            .await
            .unwrap(),
        ChangeState::Pending
    );
    let c = e.store.change(id).unwrap().unwrap();
    assert_eq!(c.kind, ChangeKind::Update);
    assert_eq!(c.contact_id.as_deref(), Some(existing.id.as_str()));
    assert_eq!(c.fingerprint, fp, "the importer still recognizes it");
    let m = c.matched.clone().expect("the match is recorded");
    assert_eq!(
        (m.contact_id.as_str(), m.matched_on.as_str()),
        (existing.id.as_str(), "email")
    );
    assert!(
        c.warnings
            .iter()
            .any(|w| w.contains("matches existing contact")),
        "{:?}",
        c.warnings
    );
    let city = c.fields.iter().find(|f| f.field == "city").unwrap();
    assert_eq!(
        city.ghl_now, existing.city,
        "GHL's current value beside the proposed one"
    );
    assert_eq!(
        e.store.link(&c.client_id).unwrap(),
        None,
        "not linked before a person decides"
    );
    let writes: Vec<_> =
        e.sb.requests()
            .into_iter()
            .filter(|r| r.method != "GET" && r.path != "/contacts/search")
            .collect();
    assert!(writes.is_empty(), "nothing written: {writes:?}");
    assert_eq!(e.sb.contact_count(), 60);
    // A person approves: now (and only now) the contact is updated.
    sync::review::approve(&e.store, id).unwrap();
    assert_eq!(
        dispatch::dispatch_one(&e.client, &e.store, id)
            .await
            .unwrap(),
        ChangeState::Applied
    );
    assert!(e
        .sb
        .requests()
        .iter()
        .any(|r| r.method == "PUT" && r.body["city"] == "אילת"));
    assert_eq!(e.sb.contact_count(), 60);
}

#[tokio::test]
async fn unknown_outcome_of_a_create_is_looked_up_before_any_retry() {
    let e = env().await;
    let id = put(
        &e,
        ChangeKind::Create,
        None,
        vec![
            field("email", None, Some("lost@example.com")),
            field("firstName", None, Some("Lost")),
        ],
    );
    e.sb.faults().set_drop_after(1);
    // The stand-in creates the contact, then the answer is lost; the client's retry of a POST
    // would create a second one, so the client must not blindly retry — the create stays
    // in flight or is resolved by the look-up.
    let first = dispatch::dispatch_one(&e.client, &e.store, id)
        .await
        .unwrap();
    if first != ChangeState::Applied {
        assert_eq!(
            dispatch::dispatch_one(&e.client, &e.store, id)
                .await
                .unwrap(),
            ChangeState::Applied
        );
    }
    let created = e
        .sb
        .requests()
        .iter()
        .filter(|r| {
            r.method == "POST" && r.path == "/contacts/" && r.body["email"] == "lost@example.com"
        })
        .count();
    assert!(created >= 1);
    assert_eq!(
        e.sb.contact_count(),
        61,
        "exactly one contact with that email exists"
    );
}

#[tokio::test]
async fn a_field_ghl_silently_drops_is_reported() {
    let e = env().await;
    let cid = ids(&e, 1).remove(0);
    let id = put(
        &e,
        ChangeKind::Update,
        Some(&cid),
        vec![
            field("city", None, Some("נתניה")),
            field("website", None, Some("https://example.com/x")),
        ],
    );
    e.sb.faults().set_dropped_field(Some("website"));
    assert_eq!(
        dispatch::dispatch_one(&e.client, &e.store, id)
            .await
            .unwrap(),
        ChangeState::Applied
    );
    assert_eq!(
        e.store.outbox_info(id).unwrap().dropped_fields,
        vec!["website".to_owned()]
    );
    assert!(e
        .store
        .journal()
        .unwrap()
        .iter()
        .any(|j| j.outcome.contains("did not store: website")));
}

#[tokio::test]
async fn a_422_fails_with_its_message_array_and_leaves_the_cache_untouched() {
    let e = env().await;
    let cid = ids(&e, 1).remove(0);
    let before = e.store.contact(&cid).unwrap().unwrap();
    let id = put(
        &e,
        ChangeKind::Update,
        Some(&cid),
        vec![
            field("companyName", None, Some("Acme")),
            field("city", None, Some("x")),
        ],
    );
    assert_eq!(
        dispatch::dispatch_one(&e.client, &e.store, id)
            .await
            .unwrap(),
        ChangeState::Failed
    );
    let err = e.store.outbox_info(id).unwrap().last_error.unwrap();
    assert!(
        err.contains("property companyName should not exist"),
        "{err}"
    );
    assert_eq!(
        e.sb.requests().iter().filter(|r| r.status == 422).count(),
        1,
        "422 is not retried"
    );
    let after = e.store.contact(&cid).unwrap().unwrap();
    assert_eq!(before.city, after.city);
}

#[tokio::test]
async fn delete_and_dry_run_plan() {
    let e = env().await;
    let cid = ids(&e, 1).remove(0);
    let id = put(&e, ChangeKind::Delete, Some(&cid), vec![]);
    let plan = dispatch::plan(&e.store.change(id).unwrap().unwrap(), DEMO_LOCATION_ID);
    assert_eq!(plan.last().unwrap().method, "DELETE");
    assert!(plan
        .iter()
        .all(|p| p.headers.iter().any(|h| h.contains("[redacted]"))));
    assert_eq!(
        dispatch::dispatch_one(&e.client, &e.store, id)
            .await
            .unwrap(),
        ChangeState::Applied
    );
    assert_eq!(e.sb.contact_count(), 59);
    assert!(e.store.contact(&cid).unwrap().is_none());
}

/// A token GHL refuses (401) stops the run at the first change: the rest would be refused the
/// same way. Every change stays approved for when the token is fixed.
#[tokio::test]
async fn a_refused_token_stops_the_run_and_leaves_changes_approved() {
    let e = env().await;
    let ids: Vec<u64> = ids(&e, 3)
        .iter()
        .map(|cid| {
            put(
                &e,
                ChangeKind::Update,
                Some(cid),
                vec![field("city", None, Some("Eilat"))],
            )
        })
        .collect();
    let bad = bmby_ghl::ghl::GhlClient::new(
        bmby_ghl::ghl::ClientConfig::new(&e.sb.base_url(), DEMO_LOCATION_ID),
        std::sync::Arc::new(bmby_ghl::ghl::PrivateIntegrationToken(
            bmby_ghl::ghl::Secret::new("pit-wrong"),
        )),
    )
    .unwrap();
    e.sb.clear_requests();
    let err = dispatch::dispatch_all(&bad, &e.store).await.unwrap_err();
    assert!(
        matches!(err, dispatch::DispatchError::Unauthorized(_)),
        "{err}"
    );
    assert!(err.to_string().contains("stay approved"), "{err}");
    assert_eq!(
        e.sb.requests().len(),
        1,
        "one refused request, then nothing"
    );
    for id in ids {
        assert_eq!(
            e.store.change(id).unwrap().unwrap().state,
            ChangeState::Approved
        );
    }
}

/// Our own create is in the recent GHL changes as created, sent by bmby-ghl (it was listed as
/// "changed; earlier values not cached").
#[tokio::test]
async fn a_sent_create_is_recent_as_created_by_us() {
    let e = env().await;
    let id = put(
        &e,
        ChangeKind::Create,
        None,
        vec![
            field("firstName", None, Some("נועה")),
            field("email", None, Some("noa.recent@example.com")),
        ],
    );
    dispatch::dispatch_all(&e.client, &e.store).await.unwrap();
    let contact = e.store.outbox_info(id).unwrap().contact_id.unwrap();
    let entries = e.store.recent().unwrap();
    let ours = entries
        .iter()
        .find(|r| r.contact_id == contact)
        .unwrap_or_else(|| panic!("{contact} not in {entries:?}"));
    assert!(ours.created);
    assert_eq!(ours.source, bmby_ghl::domain::RecentSource::Sent);
    let rows = e.store.contact_rows().unwrap();
    let since = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1);
    let items = sync::recent::changed_since(&rows, &entries, since);
    let item = items.iter().find(|i| i.contact_id == contact).unwrap();
    assert!(item.created && item.sent && item.known, "{item:?}");
}
