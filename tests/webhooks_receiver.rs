//! The webhook receiver (issue 12, item 3) over HTTP on a loopback port: both signature kinds
//! accepted and GHL's header precedence kept; unsigned, forged, stale, oversize, non-JSON and
//! unknown-location deliveries refused with a 4xx and nothing stored; 429 when the store cannot
//! take a delivery; 1,000 deliveries at once all stored; `serve` applies them and tells a
//! listener; a TaskCreate without `contactId` is resolved by GHL's task search.

use crate::webhooks_support;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::webhooks_support::{receiver, test_cfg};
use bmby_ghl::domain::{Contact, Note};
use bmby_ghl::sandbox::webhooks::TestSigner;
use bmby_ghl::sandbox::DEMO_LOCATION_ID;
use bmby_ghl::store::{PutWebhook, Store, StoreError};
use bmby_ghl::sync::SyncEvent;
use bmby_ghl::webhooks::{self, ReceiverConfig, WebhookLocation, WebhookSink};
use futures::future::BoxFuture;
use serde_json::{json, Value};

fn now_iso() -> String {
    jiff::Timestamp::now().to_string()
}

fn note_event(webhook_id: &str, contact: &str, note: &str, body: &str) -> Value {
    json!({"type": "NoteCreate", "locationId": DEMO_LOCATION_ID, "webhookId": webhook_id,
        "timestamp": now_iso(), "id": note, "contactId": contact, "body": body,
        "dateAdded": now_iso()})
}

#[derive(Clone, Copy)]
enum Sig {
    Ed,
    Rsa,
    Both,
    /// A forged Ed25519 header and a good RSA one: the SDK's precedence says refuse.
    ForgedEdGoodRsa,
    None,
}

async fn post(url: &str, body: &[u8], sig: Sig) -> u16 {
    let s = TestSigner::new();
    let mut req = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_vec());
    match sig {
        Sig::Ed => req = req.header("x-ghl-signature", s.sign_ed25519(body)),
        Sig::Rsa => req = req.header("x-wh-signature", s.sign_rsa(body)),
        Sig::Both => {
            req = req
                .header("x-ghl-signature", s.sign_ed25519(body))
                .header("x-wh-signature", s.sign_rsa(body))
        }
        Sig::ForgedEdGoodRsa => {
            req = req
                .header("x-ghl-signature", s.sign_ed25519(b"something else"))
                .header("x-wh-signature", s.sign_rsa(body))
        }
        Sig::None => {}
    }
    req.send().await.unwrap().status().as_u16()
}

fn store() -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();
    s.put_contacts(&[Contact {
        id: "c1".into(),
        first_name: Some("Dana".into()),
        ..Default::default()
    }])
    .unwrap();
    s.put_notes("c1", &[]).unwrap();
    (s, dir)
}

#[tokio::test(flavor = "multi_thread")]
async fn both_signature_kinds_are_accepted_and_refusals_store_nothing() {
    let (s, _d) = store();
    let url = receiver(
        ReceiverConfig {
            max_body: 4096,
            ..test_cfg()
        },
        Arc::new(s.clone()),
    )
    .await;
    let body = |id: &str| serde_json::to_vec(&note_event(id, "c1", id, "hello")).unwrap();
    assert_eq!(post(&url, &body("w-ed"), Sig::Ed).await, 200);
    assert_eq!(post(&url, &body("w-rsa"), Sig::Rsa).await, 200);
    assert_eq!(post(&url, &body("w-both"), Sig::Both).await, 200);
    assert_eq!(s.webhook_inbox_len().unwrap(), 3);
    // A repeat of a stored delivery: 2xx, not stored again.
    assert_eq!(post(&url, &body("w-ed"), Sig::Ed).await, 200);
    assert_eq!(s.webhook_inbox_len().unwrap(), 3);

    // Refusals.
    assert_eq!(post(&url, &body("w1"), Sig::ForgedEdGoodRsa).await, 401);
    assert_eq!(post(&url, &body("w2"), Sig::None).await, 401);
    let mut stale = note_event("w3", "c1", "n3", "old");
    stale["timestamp"] = json!("2020-01-01T00:00:00Z");
    assert_eq!(
        post(&url, &serde_json::to_vec(&stale).unwrap(), Sig::Ed).await,
        400
    );
    assert_eq!(post(&url, b"{not json", Sig::Ed).await, 400);
    let mut other = note_event("w4", "c1", "n4", "x");
    other["locationId"] = json!("someOtherLocation001");
    assert_eq!(
        post(&url, &serde_json::to_vec(&other).unwrap(), Sig::Ed).await,
        404
    );
    let big = note_event("w5", "c1", "n5", &"x".repeat(5000));
    assert_eq!(
        post(&url, &serde_json::to_vec(&big).unwrap(), Sig::Ed).await,
        413
    );
    let mut no_id = note_event("w6", "c1", "n6", "x");
    no_id.as_object_mut().unwrap().remove("webhookId");
    assert_eq!(
        post(&url, &serde_json::to_vec(&no_id).unwrap(), Sig::Ed).await,
        400
    );
    // Signed by GHL but not an event we keep: acknowledged, not stored.
    let install = json!({"type": "INSTALL", "locationId": DEMO_LOCATION_ID,
        "webhookId": "w7", "timestamp": now_iso()});
    assert_eq!(
        post(&url, &serde_json::to_vec(&install).unwrap(), Sig::Ed).await,
        200
    );

    assert_eq!(
        s.webhook_inbox_len().unwrap(),
        3,
        "nothing of a refused body stored"
    );
    let r = webhooks::apply_pending(&s, None, None).await.unwrap();
    assert_eq!(r.applied, 3);
    let mut bodies: Vec<String> = s
        .notes("c1")
        .unwrap()
        .unwrap()
        .into_iter()
        .map(|n: Note| n.id)
        .collect();
    bodies.sort();
    assert_eq!(bodies, ["w-both", "w-ed", "w-rsa"]);
}

/// A store that cannot take anything (a full disk, a cache being rebuilt).
struct Unavailable(AtomicUsize);

impl WebhookSink for Unavailable {
    fn store<'a>(
        &'a self,
        _: &'a str,
        _: jiff::Timestamp,
        _: &'a str,
    ) -> BoxFuture<'a, Result<PutWebhook, StoreError>> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Box::pin(async {
            Err(StoreError::Sled {
                path: "cache.sled".into(),
                source: sled::Error::Io(std::io::Error::other("no space left on device")),
            })
        })
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_receiver_answers_429_when_it_cannot_store() {
    let sink = Arc::new(Unavailable(AtomicUsize::new(0)));
    let url = receiver(test_cfg(), sink.clone()).await;
    let body = serde_json::to_vec(&note_event("w1", "c1", "n1", "hi")).unwrap();
    assert_eq!(post(&url, &body, Sig::Ed).await, 429);
    assert_eq!(sink.0.load(Ordering::SeqCst), 1, "it tried");
    // A forged one is refused before the store is asked.
    assert_eq!(post(&url, &body, Sig::ForgedEdGoodRsa).await, 401);
    assert_eq!(sink.0.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_thousand_deliveries_at_once_are_all_stored() {
    let (s, _d) = store();
    let url = receiver(test_cfg(), Arc::new(webhooks::StoreSink::new(s.clone()))).await;
    let signer = Arc::new(TestSigner::new());
    let client = reqwest::Client::new();
    let mut tasks = Vec::new();
    for i in 0..1000 {
        let body = serde_json::to_vec(&note_event(
            &format!("bulk-{i}"),
            "c1",
            &format!("note{i:04}"),
            &format!("note {i}"),
        ))
        .unwrap();
        let sig = signer.sign_ed25519(&body);
        let (client, url) = (client.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            client
                .post(&url)
                .header("x-ghl-signature", sig)
                .body(body)
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0)
        }));
    }
    let mut ok = 0;
    for t in tasks {
        if t.await.unwrap() == 200 {
            ok += 1;
        }
    }
    assert_eq!(ok, 1000, "every delivery answered 200");
    assert_eq!(s.webhook_inbox_len().unwrap(), 1000, "none lost");
    let r = webhooks::apply_pending(&s, None, None).await.unwrap();
    assert_eq!(r.applied, 1000);
    assert_eq!(s.notes("c1").unwrap().unwrap().len(), 1000);
}

#[tokio::test(flavor = "multi_thread")]
async fn serve_applies_deliveries_and_tells_the_tui_and_resolves_a_task_without_contact() {
    let sb = bmby_ghl::sandbox::Sandbox::start(bmby_ghl::sandbox::SandboxConfig {
        seed: bmby_ghl::sandbox::Seed::Generated { contacts: 3 },
        ..Default::default()
    })
    .await
    .unwrap();
    let client = webhooks_support::fast_client(&sb.base_url());
    let (s, _d) = store();
    bmby_ghl::sync::pull_contacts(&client, &s, true, |_| {})
        .await
        .unwrap();
    let cid = s.contact_rows().unwrap()[0].id.clone();
    bmby_ghl::sync::fetch_details(&client, &s, &cid)
        .await
        .unwrap();
    // GHL has the task; its TaskCreate comes without contactId (a known quirk).
    assert!(sb.put_item(
        "tasks",
        &cid,
        json!({"id": "taskNoContact0000001", "title": "Quirky task", "completed": false,
            "dueDate": "2026-12-10T09:00:00.000Z"})
    ));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut locs = HashMap::new();
    locs.insert(
        DEMO_LOCATION_ID.to_owned(),
        WebhookLocation {
            store: s.clone(),
            client: Some(client),
            events: Some(tx),
        },
    );
    let server = webhooks::serve("127.0.0.1:0".parse().unwrap(), locs, test_cfg())
        .await
        .unwrap();
    let body = serde_json::to_vec(
        &json!({"type": "TaskCreate", "locationId": DEMO_LOCATION_ID,
        "webhookId": "quirk-1", "timestamp": now_iso(), "id": "taskNoContact0000001",
        "title": "Quirky task", "dateAdded": now_iso()}),
    )
    .unwrap();
    assert_eq!(post(&server.url(), &body, Sig::Ed).await, 200);
    // Wait for the applier's word (a condition, bounded so a failure cannot hang the suite).
    let ev = tokio::time::timeout(Duration::from_secs(30), rx.recv())
        .await
        .expect("the applier reported")
        .unwrap();
    assert_eq!(
        ev,
        SyncEvent::DetailsLoaded {
            contact_id: cid.clone()
        }
    );
    let tasks = s.tasks(&cid).unwrap().unwrap();
    assert!(tasks
        .iter()
        .any(|t| t.id == "taskNoContact0000001" && t.contact_id == cid));
    assert!(sb
        .requests()
        .iter()
        .any(|r| r.path.ends_with("/tasks/search")));
    server.shutdown().await;
}

/// A ContactUpdate carries some fields; the others keep their cached values, even when the
/// cached raw record lacks them (found by a newcomer: the time zone was dropped).
#[tokio::test]
async fn a_contact_update_keeps_the_fields_it_does_not_carry() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();
    s.put_contacts(&[Contact {
        id: "c2".into(),
        first_name: Some("Lior".into()),
        timezone: Some("Asia/Jerusalem".into()),
        date_updated: Some("2026-01-01T00:00:00.000Z".into()),
        raw_json: r#"{"id":"c2","firstName":"Lior"}"#.into(),
        ..Default::default()
    }])
    .unwrap();
    let ev = json!({"type": "ContactUpdate", "locationId": DEMO_LOCATION_ID,
        "webhookId": "wh-tz", "timestamp": now_iso(), "id": "c2", "firstName": "Liorr",
        "dateUpdated": now_iso()});
    s.put_webhook("wh-tz", jiff::Timestamp::now(), &ev.to_string())
        .unwrap();
    let r = webhooks::apply_pending(&s, None, None).await.unwrap();
    assert_eq!(r.applied, 1, "{r:?}");
    let c = s.contact("c2").unwrap().unwrap();
    assert_eq!(c.first_name.as_deref(), Some("Liorr"));
    assert_eq!(c.timezone.as_deref(), Some("Asia/Jerusalem"));
}

/// A ContactUpdate without `dateUpdated`, then the pull after it (GHL's newer `dateUpdated`,
/// no field left to change): `recent` lists the webhook's change, not "changed; earlier
/// values not cached" (found by review).
#[tokio::test]
async fn a_webhook_without_date_updated_then_a_pull_lists_what_the_webhook_changed() {
    use bmby_ghl::sync::recent::{before_store, changed_since, record, summary};
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();
    let old = Contact {
        id: "c3".into(),
        first_name: Some("Noa".into()),
        email: Some("noa@old.example".into()),
        date_updated: Some("2026-01-01T00:00:00.000Z".into()),
        raw_json: r#"{"id":"c3","firstName":"Noa","email":"noa@old.example","dateUpdated":"2026-01-01T00:00:00.000Z"}"#.into(),
        ..Default::default()
    };
    s.put_contacts(std::slice::from_ref(&old)).unwrap();
    s.set_meta("last_sync", "2026-01-01T00:00:00Z").unwrap();
    let since = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1);
    let ev = json!({"type": "ContactUpdate", "locationId": DEMO_LOCATION_ID,
        "webhookId": "wh-nodate", "timestamp": now_iso(), "id": "c3",
        "email": "noa@new.example"});
    s.put_webhook("wh-nodate", jiff::Timestamp::now(), &ev.to_string())
        .unwrap();
    let r = webhooks::apply_pending(&s, None, None).await.unwrap();
    assert_eq!(r.applied, 1, "{r:?}");
    // The next pull: GHL's record with a newer dateUpdated and the webhook's values.
    let mut pulled = s.contact("c3").unwrap().unwrap();
    assert_eq!(pulled.email.as_deref(), Some("noa@new.example"));
    pulled.date_updated = Some(now_iso());
    let seen = before_store(&s, std::slice::from_ref(&pulled), jiff::Timestamp::now());
    assert!(seen.is_empty(), "nothing left to change: {seen:?}");
    record(&s, &seen, jiff::Timestamp::now());
    s.put_contacts(&[pulled]).unwrap();

    let items = changed_since(&s.contact_list().unwrap(), &s.recent().unwrap(), since);
    let item = items.iter().find(|i| i.contact_id == "c3").unwrap();
    let text = summary(item, &Default::default());
    assert!(item.known, "{item:?}");
    assert_eq!(text, "email noa@old.example → noa@new.example");
    assert!(item.from_webhook);
}

/// A ContactUpdate that changes only a field the cache does not model (the phone's label, as
/// the demo's stand-in does) with a newer `dateUpdated`: `recent` says GHL changed a field
/// bmby-ghl does not show, not "earlier values not cached" (found by a newcomer). The same
/// update again (GHL's echo, the cached `dateUpdated`) adds nothing.
#[tokio::test]
async fn an_update_of_an_unmodeled_field_is_named_as_such() {
    use bmby_ghl::sync::recent::{changed_since, summary};
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();
    s.put_contacts(&[Contact {
        id: "c4".into(),
        first_name: Some("David".into()),
        phone: Some("+15550101".into()),
        date_updated: Some("2026-01-01T00:00:00.000Z".into()),
        raw_json: r#"{"id":"c4","firstName":"David","phone":"+15550101","phoneLabel":"Mobile"}"#
            .into(),
        ..Default::default()
    }])
    .unwrap();
    s.set_meta("last_sync", "2026-01-01T00:00:00Z").unwrap();
    let since = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1);
    let updated = now_iso();
    for hook in ["wh-label", "wh-label-again"] {
        let ev = json!({"type": "ContactUpdate", "locationId": DEMO_LOCATION_ID,
            "webhookId": hook, "timestamp": now_iso(), "id": "c4", "phoneLabel": "Work",
            "dateUpdated": updated});
        s.put_webhook(hook, jiff::Timestamp::now(), &ev.to_string())
            .unwrap();
        let r = webhooks::apply_pending(&s, None, None).await.unwrap();
        assert_eq!(r.applied, 1, "{r:?}");
    }
    let log = s.recent().unwrap();
    assert_eq!(log.len(), 1, "the second update changed nothing: {log:?}");
    assert!(log[0].unshown && log[0].fields.is_empty(), "{log:?}");
    let items = changed_since(&s.contact_list().unwrap(), &log, since);
    let item = items.iter().find(|i| i.contact_id == "c4").unwrap();
    assert!(item.known && item.from_webhook, "{item:?}");
    assert_eq!(
        summary(item, &Default::default()),
        "changed a field bmby-ghl does not show"
    );
}

/// A pull that finds a newer `dateUpdated` and only a field the cache does not model changed
/// (the phone's label) records it as such, so `recent` does not say the earlier values were
/// not cached when the pull saw the change before the webhook did (found by a newcomer).
#[tokio::test]
async fn a_pull_names_an_unmodeled_change_too() {
    use bmby_ghl::sync::recent::before_store;
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();
    let old = Contact {
        id: "c5".into(),
        first_name: Some("Ashley".into()),
        date_updated: Some("2026-01-01T00:00:00.000Z".into()),
        raw_json: r#"{"id":"c5","firstName":"Ashley","phoneLabel":"Mobile","dateUpdated":"2026-01-01T00:00:00.000Z"}"#.into(),
        ..Default::default()
    };
    s.put_contacts(std::slice::from_ref(&old)).unwrap();
    let mut pulled = old.clone();
    pulled.date_updated = Some("2026-01-02T00:00:00.000Z".into());
    pulled.raw_json = r#"{"id":"c5","firstName":"Ashley","phoneLabel":"Work","dateUpdated":"2026-01-02T00:00:00.000Z"}"#.into();
    let seen = before_store(&s, std::slice::from_ref(&pulled), jiff::Timestamp::now());
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(seen[0].unshown && seen[0].fields.is_empty(), "{seen:?}");
    // Only `dateUpdated` moved: nothing to say.
    let mut same = old.clone();
    same.date_updated = Some("2026-01-03T00:00:00.000Z".into());
    same.raw_json = old.raw_json.replace("2026-01-01", "2026-01-03");
    assert!(before_store(&s, &[same], jiff::Timestamp::now()).is_empty());
}
