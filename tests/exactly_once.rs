//! Exactly-once contact creates and never writing to someone else, against the GHL stand-in:
//! creates matched to another person held for review, GHL's tags kept, every create landing
//! once under after-acting faults on a location that allows duplicates, contacts added in GHL
//! after the last pull not created again, keyless creates with a lost answer, and the dry run
//! equal to what is sent.

use crate::pulled_support::{field, Env};
use std::sync::Arc;
use std::time::Duration;

use bmby_ghl::domain::{Change, ChangeKind, ChangeState, FieldChange, Subject, LOCAL_ORIGIN};
use bmby_ghl::ghl::{ClientConfig, GhlClient, PrivateIntegrationToken, Secret};
use bmby_ghl::sandbox::{
    AfterActing, RequestRecord, SandboxConfig, Seed, DEMO_LOCATION_ID, DEMO_TOKEN,
};
use bmby_ghl::sync::{self, dispatch};
use serde_json::json;

/// A client with a short whole-request timeout (so a held answer times out quickly) and quick
/// backoff.
fn client_with_timeout(base_url: &str, timeout: Duration) -> GhlClient {
    let mut cfg = ClientConfig::new(base_url, DEMO_LOCATION_ID);
    cfg.backoff_base = Duration::from_millis(2);
    cfg.backoff_cap = Duration::from_millis(20);
    cfg.timeout = timeout;
    GhlClient::new(
        cfg,
        Arc::new(PrivateIntegrationToken(Secret::new(DEMO_TOKEN))),
    )
    .unwrap()
}

async fn env(allow_dup: bool, timeout: Duration) -> Env {
    let e = Env::pulled(
        SandboxConfig {
            seed: Seed::Generated { contacts: 20 },
            rate_limit_max: 100_000,
            ..Default::default()
        },
        |url| client_with_timeout(url, timeout),
    )
    .await;
    e.sb.set_allow_duplicate_contact(allow_dup);
    e
}

fn put(e: &Env, kind: ChangeKind, contact: Option<&str>, fields: Vec<FieldChange>) -> u64 {
    put_full(e, kind, contact, fields, "bmby.csv row 2", Subject::Contact)
}

fn put_full(
    e: &Env,
    kind: ChangeKind,
    contact: Option<&str>,
    fields: Vec<FieldChange>,
    origin: &str,
    subject: Subject,
) -> u64 {
    let id = e.store.next_seq("change").unwrap();
    let base = contact
        .and_then(|c| e.store.contact(c).unwrap())
        .and_then(|c| c.date_updated);
    e.store
        .put_change(&Change {
            id,
            kind,
            state: ChangeState::Approved,
            client_id: format!("{}", 300000 + id),
            contact_id: contact.map(Into::into),
            display_name: format!("client {id}"),
            fields,
            base_date_updated: base,
            origin: origin.into(),
            warnings: vec![],
            candidates: vec![],
            fingerprint: format!("fp{id}"),
            created_at: String::new(),
            updated_at: String::new(),
            subject,
            target: Default::default(),
            matched: None,
            removable_tags: Vec::new(),
            choice: None,
        })
        .unwrap();
    id
}

/// A contact in the stand-in (as if added in GHL), pulled into the cache unless `late`.
async fn ghl_contact(e: &Env, id: &str, body: serde_json::Value, late: bool) {
    let mut doc = body;
    doc["id"] = json!(id);
    e.sb.insert_contact(doc);
    if !late {
        sync::pull_contacts(&e.client, &e.store, true, |_| {})
            .await
            .unwrap();
    }
}

fn writes_to(reqs: &[RequestRecord], contact: &str) -> Vec<String> {
    reqs.iter()
        .filter(|r| r.method != "GET" && r.path.starts_with(&format!("/contacts/{contact}")))
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

async fn run_to_end(e: &Env) {
    for _ in 0..6 {
        dispatch::dispatch_all(&e.client, &e.store).await.unwrap();
        if e.store
            .changes()
            .unwrap()
            .iter()
            .all(|c| !c.state.is_queued())
        {
            return;
        }
    }
}

#[tokio::test]
async fn a_create_matched_on_phone_to_another_person_is_held_and_writes_nothing_to_them() {
    for allow_dup in [false, true] {
        let e = env(allow_dup, Duration::from_secs(30)).await;
        ghl_contact(
            &e,
            "annContact0000000001",
            json!({"firstName": "Ann", "lastName": "Levi", "email": "ann@example.com",
                   "phone": "+972501234567", "tags": ["vip", "from-ghl"]}),
            false,
        )
        .await;
        let id = put(
            &e,
            ChangeKind::Create,
            None,
            vec![
                field("firstName", None, Some("Dan")),
                field("email", None, Some("dan@example.com")),
                field("phone", None, Some("+972501234567")),
                field("tags", None, Some("bmby")),
            ],
        );
        e.sb.clear_requests();
        let state = dispatch::dispatch_one(&e.client, &e.store, id)
            .await
            .unwrap();
        assert_eq!(state, ChangeState::Pending, "allow_dup={allow_dup}");
        let c = e.store.change(id).unwrap().unwrap();
        assert_eq!(c.kind, ChangeKind::Update);
        assert_eq!(c.contact_id.as_deref(), Some("annContact0000000001"));
        let m = c.matched.clone().unwrap();
        assert_eq!(m.matched_on, "phone");
        assert!(
            c.warnings
                .iter()
                .any(|w| w
                    .contains("matches existing contact Ann Levi (annContact0000000001) on phone")),
            "{:?}",
            c.warnings
        );
        let first = c.fields.iter().find(|f| f.field == "firstName").unwrap();
        assert_eq!(
            (first.ghl_now.as_deref(), first.proposed.as_deref()),
            (Some("Ann"), Some("Dan")),
            "X's current value beside the proposed one"
        );
        let tags = c.fields.iter().find(|f| f.field == "tags").unwrap();
        assert_eq!(tags.proposed.as_deref(), Some("vip, from-ghl, bmby"));
        let reqs = e.sb.requests();
        assert!(
            writes_to(&reqs, "annContact0000000001").is_empty(),
            "{reqs:?}"
        );
        assert!(reqs.iter().all(|r| r.method == "GET"), "no write at all");
        assert_eq!(e.sb.contacts_with_phone("+972501234567"), 1);
        let ann = e.sb.contact("annContact0000000001").unwrap();
        assert_eq!(ann["firstName"], "Ann");
        assert_eq!(ann["tags"], json!(["vip", "from-ghl"]));
    }
}

/// A create with only a phone, matched on it to another person, is held likewise (nothing is
/// written, no second contact with that phone).
#[tokio::test]
async fn a_create_matched_on_its_only_key_is_held_too() {
    let e = env(false, Duration::from_secs(30)).await;
    ghl_contact(
        &e,
        "annContact0000000002",
        json!({"firstName": "Ann", "phone": "+972501234568", "tags": ["vip"]}),
        false,
    )
    .await;
    let id = put(
        &e,
        ChangeKind::Create,
        None,
        vec![
            field("firstName", None, Some("Dan")),
            field("phone", None, Some("+972501234568")),
        ],
    );
    let state = dispatch::dispatch_one(&e.client, &e.store, id)
        .await
        .unwrap();
    assert_eq!(state, ChangeState::Pending);
    assert!(writes_to(&e.sb.requests(), "annContact0000000002").is_empty());
    assert_eq!(e.sb.contacts_with_phone("+972501234568"), 1);
}

#[tokio::test]
async fn existing_ghl_tags_survive_every_bmby_change() {
    let e = env(false, Duration::from_secs(30)).await;
    ghl_contact(
        &e,
        "tagsContact000000001",
        json!({"firstName": "Tal", "email": "tal@example.com", "tags": ["customer"]}),
        false,
    )
    .await;
    // An automation adds a tag in GHL after the diff was computed.
    // 1. A Bmby update that adds a tag (the diff saw only "customer").
    let add = put(
        &e,
        ChangeKind::Update,
        Some("tagsContact000000001"),
        vec![field("tags", Some("customer"), Some("customer, bmby-lead"))],
    );
    assert!(e.sb.update_contact(
        "tagsContact000000001",
        json!({"tags": ["customer", "automation"]})
    ));
    // (GHL's change after the diff is a conflict; a person approves it over GHL's.)
    dispatch::dispatch_one(&e.client, &e.store, add)
        .await
        .unwrap();
    sync::review::approve(&e.store, add).unwrap();
    assert_eq!(
        dispatch::dispatch_one(&e.client, &e.store, add)
            .await
            .unwrap(),
        ChangeState::Applied
    );
    // 2. A Bmby change whose proposal lacks GHL's tags (as a create turned update would).
    let c = e.store.contact("tagsContact000000001").unwrap().unwrap();
    let id = e.store.next_seq("change").unwrap();
    let mut ch = e.store.change(add).unwrap().unwrap();
    ch.id = id;
    ch.state = ChangeState::Approved;
    ch.base_date_updated = c.date_updated.clone();
    ch.fields = vec![
        field("city", None, Some("Haifa")),
        field(
            "tags",
            Some("customer, automation, bmby-lead"),
            Some("bmby-vip"),
        ),
    ];
    e.store.put_change(&ch).unwrap();
    assert_eq!(
        dispatch::dispatch_one(&e.client, &e.store, id)
            .await
            .unwrap(),
        ChangeState::Applied
    );
    let tags = e.sb.contact("tagsContact000000001").unwrap()["tags"].clone();
    for t in ["customer", "automation", "bmby-lead", "bmby-vip"] {
        assert!(
            tags.as_array().unwrap().contains(&json!(t)),
            "{t} in {tags}"
        );
    }
    assert!(
        e.sb.requests()
            .iter()
            .all(|r| !(r.method == "DELETE" && r.path.ends_with("/tags"))),
        "no tag removed"
    );
    // 3. A hand edit (origin local) may remove a tag; a tag the mapping says Bmby owns may go too.
    let c = e.store.contact("tagsContact000000001").unwrap().unwrap();
    let now = c.tags.join(", ");
    let local = put_full(
        &e,
        ChangeKind::Update,
        Some("tagsContact000000001"),
        vec![field(
            "tags",
            Some(&now),
            Some("customer, automation, bmby-vip"),
        )],
        LOCAL_ORIGIN,
        Subject::Contact,
    );
    assert_eq!(
        dispatch::dispatch_one(&e.client, &e.store, local)
            .await
            .unwrap(),
        ChangeState::Applied
    );
    let tags = e.sb.contact("tagsContact000000001").unwrap()["tags"].clone();
    assert!(
        !tags.as_array().unwrap().contains(&json!("bmby-lead")),
        "{tags}"
    );
    let c = e.store.contact("tagsContact000000001").unwrap().unwrap();
    let owned = put(
        &e,
        ChangeKind::Update,
        Some("tagsContact000000001"),
        vec![field("tags", Some(&c.tags.join(", ")), Some("customer"))],
    );
    let mut ch = e.store.change(owned).unwrap().unwrap();
    ch.removable_tags = vec!["bmby-vip".into()];
    e.store.put_change(&ch).unwrap();
    dispatch::dispatch_one(&e.client, &e.store, owned)
        .await
        .unwrap();
    let tags = e.sb.contact("tagsContact000000001").unwrap()["tags"].clone();
    assert_eq!(
        tags,
        json!(["customer", "automation"]),
        "only the owned tag removed"
    );
}

async fn creates_land_once_under(kind: AfterActing) {
    let e = env(true, Duration::from_millis(400)).await;
    e.sb.faults().set_hold(Duration::from_secs(2));
    let n = 100;
    for i in 0..n {
        put(
            &e,
            ChangeKind::Create,
            None,
            vec![
                field("firstName", None, Some(&format!("New {i}"))),
                field("email", None, Some(&format!("once{i}@example.com"))),
                field("phone", None, Some(&format!("+9725290{i:05}"))),
            ],
        );
    }
    e.sb.faults().set_after_acting_percent(kind, 15, 42);
    run_to_end(&e).await;
    let lost =
        e.sb.requests()
            .iter()
            .filter(|r| r.method == "POST" && r.path == "/contacts/" && r.status != 201)
            .count();
    assert!(lost >= 5, "{kind:?}: the fault hit some creates ({lost})");
    for i in 0..n {
        assert_eq!(
            e.sb.contacts_with_email(&format!("once{i}@example.com")),
            1,
            "{kind:?}: once{i} landed exactly once"
        );
    }
    for c in e.store.changes().unwrap() {
        assert_eq!(
            c.state,
            ChangeState::Applied,
            "{kind:?} change {}: {:?}",
            c.id,
            e.store.outbox_info(c.id).unwrap()
        );
    }
    assert_eq!(e.sb.contact_count(), 20 + n);
}

#[tokio::test]
async fn creates_land_once_when_answers_are_dropped_after_acting() {
    creates_land_once_under(AfterActing::Drop).await;
}

#[tokio::test]
async fn creates_land_once_when_5xx_is_answered_after_acting() {
    creates_land_once_under(AfterActing::ServerError).await;
}

#[tokio::test]
async fn creates_land_once_when_answers_time_out_after_acting() {
    creates_land_once_under(AfterActing::Timeout).await;
}

#[tokio::test]
async fn a_contact_added_in_ghl_after_the_last_pull_is_not_created_again() {
    let e = env(true, Duration::from_secs(30)).await;
    // Added in GHL after the pull: the cache does not know it.
    ghl_contact(
        &e,
        "lateContact000000001",
        json!({"firstName": "Lea", "email": "lea@example.com"}),
        true,
    )
    .await;
    let id = put(
        &e,
        ChangeKind::Create,
        None,
        vec![
            field("firstName", None, Some("Lea")),
            field("email", None, Some("lea@example.com")),
        ],
    );
    assert_eq!(
        dispatch::dispatch_one(&e.client, &e.store, id)
            .await
            .unwrap(),
        ChangeState::Applied
    );
    assert_eq!(e.sb.contacts_with_email("lea@example.com"), 1);
    assert!(e
        .sb
        .requests()
        .iter()
        .all(|r| !(r.method == "POST" && r.path == "/contacts/")));
    let c = e.store.change(id).unwrap().unwrap();
    assert_eq!(
        e.store.link(&c.client_id).unwrap().as_deref(),
        Some("lateContact000000001")
    );
}

#[tokio::test]
async fn a_create_without_email_or_phone_and_a_lost_answer_asks_to_check_ghl() {
    let e = env(true, Duration::from_secs(30)).await;
    let id = put(
        &e,
        ChangeKind::Create,
        None,
        vec![field("firstName", None, Some("Nameless"))],
    );
    let name = e.store.change(id).unwrap().unwrap().display_name;
    e.sb.faults().set_drop_after(1);
    assert_eq!(
        dispatch::dispatch_one(&e.client, &e.store, id)
            .await
            .unwrap(),
        ChangeState::Failed
    );
    let err = e.store.outbox_info(id).unwrap().last_error.unwrap();
    assert!(err.contains(&format!("check GHL for {name}")), "{err}");
    // Sent at most once; a second run sends nothing either.
    dispatch::dispatch_all(&e.client, &e.store).await.unwrap();
    let posts =
        e.sb.requests()
            .iter()
            .filter(|r| r.method == "POST" && r.path == "/contacts/")
            .count();
    assert_eq!(posts, 1);
    assert_eq!(e.sb.contact_count(), 21);
}

/// Each planned request (method, path with query, body, `Version`) is a request the stand-in
/// saw, in the same order.
#[tokio::test]
async fn the_dry_run_is_what_is_sent() {
    let e = env(false, Duration::from_secs(30)).await;
    let rows = e.store.contact_rows().unwrap();
    let (a, b) = (rows[0].id.clone(), rows[1].id.clone());
    let tags_now = e.store.contact(&a).unwrap().unwrap().tags.join(", ");
    let ids = [
        put(
            &e,
            ChangeKind::Create,
            None,
            vec![
                field("firstName", None, Some("Plan")),
                field("email", None, Some("plan+x@example.com")),
                field("phone", None, Some("+972509999999")),
                field("tags", None, Some("bmby")),
            ],
        ),
        put(
            &e,
            ChangeKind::Update,
            Some(&a),
            vec![
                field("city", None, Some("עכו")),
                field(
                    "tags",
                    Some(&tags_now),
                    Some(format!("{tags_now}, planned").trim_start_matches(", ")),
                ),
            ],
        ),
        put(&e, ChangeKind::Delete, Some(&b), vec![]),
        put_full(
            &e,
            ChangeKind::Create,
            Some(&a),
            vec![
                field("title", None, Some("Call back")),
                field("dueDate", None, Some("2026-12-07T07:00:00.000Z")),
            ],
            "bmby",
            Subject::Task { task_id: None },
        ),
        put_full(
            &e,
            ChangeKind::Create,
            Some(&a),
            vec![field("body", None, Some("Met at the office"))],
            "bmby",
            Subject::Note { note_id: None },
        ),
    ];
    for id in ids {
        let c = e.store.change(id).unwrap().unwrap();
        let planned = dispatch::plan(&c, DEMO_LOCATION_ID);
        assert!(!planned.is_empty());
        e.sb.clear_requests();
        assert_eq!(
            dispatch::dispatch_one(&e.client, &e.store, id)
                .await
                .unwrap(),
            ChangeState::Applied
        );
        let sent: Vec<_> =
            e.sb.requests()
                .into_iter()
                .filter(|r| !r.path.starts_with("/locations/"))
                .collect();
        let mut at = 0;
        for p in &planned {
            let version = p
                .headers
                .iter()
                .find_map(|h| h.strip_prefix("Version: "))
                .unwrap();
            let found = sent[at..].iter().position(|r| {
                let path = if r.query.is_empty() {
                    r.path.clone()
                } else {
                    format!("{}?{}", r.path, r.query)
                };
                r.method == p.method
                    && path == p.path
                    && r.body == p.body.clone().unwrap_or(serde_json::Value::Null)
                    && r.version.as_deref() == Some(version)
            });
            let Some(k) = found else {
                panic!(
                    "change {id}: planned {} {} {:?} not sent; sent {sent:?}",
                    p.method, p.path, p.body
                );
            };
            at += k + 1;
        }
        // Every write sent was planned.
        let planned_writes = planned.iter().filter(|p| p.method != "GET").count();
        let sent_writes = sent.iter().filter(|r| r.method != "GET").count();
        assert_eq!(planned_writes, sent_writes, "change {id}: {sent:?}");
    }
}

/// A custom field id GHL does not know is silently ignored by GHL; it is reported like a dropped
/// field.
#[tokio::test]
async fn an_unknown_custom_field_is_reported_as_not_stored() {
    let e = env(false, Duration::from_secs(30)).await;
    let a = e.store.contact_rows().unwrap()[0].id.clone();
    let id = put(
        &e,
        ChangeKind::Update,
        Some(&a),
        vec![
            field("city", None, Some("Eilat")),
            field("customFields.noSuchField000000001", None, Some("x")),
        ],
    );
    assert_eq!(
        dispatch::dispatch_one(&e.client, &e.store, id)
            .await
            .unwrap(),
        ChangeState::Applied
    );
    assert_eq!(
        e.store.outbox_info(id).unwrap().dropped_fields,
        vec!["customFields.noSuchField000000001".to_owned()]
    );
}

/// `changes` (text) says a held create matches an existing contact, and on what.
#[tokio::test]
async fn changes_text_shows_the_match() {
    let e = env(false, Duration::from_secs(30)).await;
    ghl_contact(
        &e,
        "annContact0000000003",
        json!({"firstName": "Ann", "lastName": "Levi", "phone": "+972501234569"}),
        false,
    )
    .await;
    let id = put(
        &e,
        ChangeKind::Create,
        None,
        vec![
            field("firstName", None, Some("Dan")),
            field("phone", None, Some("+972501234569")),
        ],
    );
    dispatch::dispatch_one(&e.client, &e.store, id)
        .await
        .unwrap();
    let Env {
        sb, store, _dir, ..
    } = e;
    store.flush().unwrap();
    drop(store);
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_bmby-ghl"))
        .args([
            "--data-dir",
            _dir.path().to_str().unwrap(),
            "--config",
            "/dev/null",
            "changes",
        ])
        .env("GHL_BASE_URL", sb.base_url())
        .env("GHL_TOKEN", DEMO_TOKEN)
        .env("GHL_LOCATION_ID", DEMO_LOCATION_ID)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("= matches existing contact Ann Levi (annContact0000000003) on phone"),
        "{text}"
    );
    assert!(text.contains("firstName: Ann → Dan"), "{text}");
    assert!(text.contains("! nothing written to it"), "{text}");
}

/// Two Bmby clients sharing a phone (family members, an office line): the contact linked to
/// the other client is another person. Where duplicates are allowed the create goes ahead;
/// where they are forbidden the change is held once for a person to decide, its fingerprint
/// kept (the importer's "same data adds nothing"), and nothing is written.
#[tokio::test]
async fn a_shared_phone_of_another_bmby_client() {
    for allow_dup in [true, false] {
        let e = env(allow_dup, Duration::from_secs(30)).await;
        ghl_contact(
            &e,
            "bContact000000000001",
            json!({"firstName": "Moshe", "email": "moshe@example.com", "phone": "+97235551234"}),
            false,
        )
        .await;
        e.store.put_link("300999", "bContact000000000001").unwrap();
        let id = put(
            &e,
            ChangeKind::Create,
            None,
            vec![
                field("firstName", None, Some("Rivka")),
                field("email", None, Some("rivka@example.com")),
                field("phone", None, Some("+97235551234")),
            ],
        );
        let fp = e.store.change(id).unwrap().unwrap().fingerprint;
        let state = dispatch::dispatch_one(&e.client, &e.store, id)
            .await
            .unwrap();
        let c = e.store.change(id).unwrap().unwrap();
        assert!(writes_to(&e.sb.requests(), "bContact000000000001").is_empty());
        assert_eq!(
            e.sb.contact("bContact000000000001").unwrap()["firstName"],
            "Moshe"
        );
        if allow_dup {
            assert_eq!(state, ChangeState::Applied);
            assert_eq!(e.sb.contacts_with_phone("+97235551234"), 2);
            assert_eq!(e.sb.contacts_with_email("rivka@example.com"), 1);
        } else {
            assert_eq!(state, ChangeState::Pending);
            assert_eq!(c.kind, ChangeKind::Create);
            assert_eq!(c.fingerprint, fp);
            let m = c.matched.clone().unwrap();
            assert_eq!(m.linked_client.as_deref(), Some("300999"));
            let held = format!(
                "Bmby clients {} and 300999 can only be one GHL contact on this location",
                c.client_id
            );
            assert_eq!(
                c.warnings.iter().filter(|w| w.contains(&held)).count(),
                1,
                "{:?}",
                c.warnings
            );
            assert_eq!(e.sb.contacts_with_phone("+97235551234"), 1);
            // Approved again as it is, it is held again — said once, still nothing written.
            sync::review::approve(&e.store, id).unwrap();
            dispatch::dispatch_one(&e.client, &e.store, id)
                .await
                .unwrap();
            let c = e.store.change(id).unwrap().unwrap();
            assert_eq!(c.warnings.iter().filter(|w| w.contains(&held)).count(), 1);
            assert!(e
                .sb
                .requests()
                .iter()
                .all(|r| !(r.method == "POST" && r.path == "/contacts/")));
        }
    }
}

/// A create carrying only a name and the Bmby client id custom field, whose answer was lost,
/// is found by a search on that field and not sent again.
#[tokio::test]
async fn a_lost_create_is_found_by_its_bmby_client_id() {
    let e = env(true, Duration::from_secs(30)).await;
    let cf = "MTqHa14vQNpA5LWoO0oP"; // contact.bmby_client_id in the stand-in's seed
    let id = put(
        &e,
        ChangeKind::Create,
        None,
        vec![
            field("firstName", None, Some("Idan")),
            FieldChange {
                source_field: "client_id".into(),
                ..field(&format!("customFields.{cf}"), None, None)
            },
        ],
    );
    let mut c = e.store.change(id).unwrap().unwrap();
    c.fields[1].proposed = Some(c.client_id.clone());
    e.store.put_change(&c).unwrap();
    e.sb.faults().set_drop_after(1);
    assert_eq!(
        dispatch::dispatch_one(&e.client, &e.store, id)
            .await
            .unwrap(),
        ChangeState::Applied,
        "{:?}",
        e.store.outbox_info(id).unwrap()
    );
    let reqs = e.sb.requests();
    assert_eq!(
        reqs.iter()
            .filter(|r| r.method == "POST" && r.path == "/contacts/")
            .count(),
        1
    );
    assert!(reqs.iter().any(|r| r.path == "/contacts/search"
        && r.body["filters"][0]["field"] == format!("customFields.{cf}")));
    assert_eq!(e.sb.contact_count(), 21);
}

/// `apply` (the binary) says a create was held for review and exits 2: it waits for a person.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_reports_a_held_create_and_exits_2() {
    let e = env(false, Duration::from_secs(30)).await;
    ghl_contact(
        &e,
        "annContact0000000004",
        json!({"firstName": "Ann", "lastName": "Levi", "phone": "+972501234570"}),
        false,
    )
    .await;
    let id = put(
        &e,
        ChangeKind::Create,
        None,
        vec![
            field("firstName", None, Some("Dan")),
            field("phone", None, Some("+972501234570")),
        ],
    );
    let Env {
        sb, store, _dir, ..
    } = e;
    store.flush().unwrap();
    drop(store);
    let dir = _dir.path().to_owned();
    let base = sb.base_url();
    // The stand-in answers on this runtime: the binary runs on a blocking thread.
    let o = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_bmby-ghl"))
            .args([
                "--data-dir",
                dir.to_str().unwrap(),
                "--config",
                "/dev/null",
                "apply",
            ])
            .env("GHL_BASE_URL", base)
            .env("GHL_TOKEN", DEMO_TOKEN)
            .env("GHL_LOCATION_ID", DEMO_LOCATION_ID)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(2), "{text}");
    assert!(
        text.contains(&format!("#{id} pending")) && text.contains("held for review"),
        "{text}"
    );
    assert!(text.contains(&format!("held for review (a create matching an existing contact; see `bmby-ghl changes`): #{id}")), "{text}");
}
