//! The GHL client and the contact pull against the in-repo stand-in (loopback, port 0).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bmby_ghl::ghl::{
    ApiFamily, ClientConfig, ClientNotice, GhlClient, GhlError, PrivateIntegrationToken, Secret,
};
use bmby_ghl::sandbox::{Sandbox, SandboxConfig, Seed, DEMO_LOCATION_ID, DEMO_TOKEN};
use bmby_ghl::store::Store;
use bmby_ghl::sync::{self, pull::CONTACTS_CURSOR};
use reqwest::Method;
use serde_json::json;

async fn sandbox(seed: Seed) -> Sandbox {
    Sandbox::start(SandboxConfig {
        seed,
        ..Default::default()
    })
    .await
    .unwrap()
}

fn client_for(sb: &Sandbox, token: &str, location: &str) -> GhlClient {
    let mut cfg = ClientConfig::new(&sb.base_url(), location);
    cfg.backoff_base = Duration::from_millis(5);
    cfg.backoff_cap = Duration::from_millis(50);
    GhlClient::new(cfg, Arc::new(PrivateIntegrationToken(Secret::new(token)))).unwrap()
}

fn client(sb: &Sandbox) -> GhlClient {
    client_for(sb, DEMO_TOKEN, DEMO_LOCATION_ID)
}

#[tokio::test]
async fn full_pull_pages_past_10000_with_search_after_then_incremental_asks_only_for_changes() {
    let sb = sandbox(Seed::Generated { contacts: 12_345 }).await;
    let c = client(&sb);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();

    let s = sync::pull_contacts(&c, &store, true, |_| {}).await.unwrap();
    assert_eq!(s.fetched, 12_345);
    assert_eq!(store.contact_count(), 12_345);
    assert_eq!(s.pages, 25);
    let searches: Vec<_> = sb
        .requests()
        .into_iter()
        .filter(|r| r.path == "/contacts/search")
        .collect();
    assert_eq!(searches.len(), 25);
    assert!(searches
        .iter()
        .all(|r| r.version.as_deref() == Some("2021-07-28")));
    assert!(searches
        .iter()
        .all(|r| r.body["pageLimit"] == 500 && r.body["locationId"] == DEMO_LOCATION_ID));
    // Past the first page every request continues with searchAfter, including beyond 10,000.
    assert!(searches[1..]
        .iter()
        .all(|r| r.body.get("searchAfter").is_some() && r.body.get("page").is_none()));

    // Two contacts change in GHL; the next pull asks only for what changed.
    let ids: Vec<String> = store
        .contact_rows_head(2)
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    for id in &ids {
        assert!(sb.update_contact(id, json!({"firstName": "Changed"})));
    }
    sb.clear_requests();
    let s = sync::pull_contacts(&c, &store, false, |_| {})
        .await
        .unwrap();
    assert!(!s.full);
    // The safety window brings back a few contacts already held; only the two are written.
    assert_eq!(s.changed, 2);
    let reqs = sb.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].body["filters"][0]["field"], "dateUpdated");
    assert_eq!(reqs[0].body["filters"][0]["operator"], "range");
    for id in &ids {
        assert_eq!(
            store.contact(id).unwrap().unwrap().first_name.as_deref(),
            Some("Changed")
        );
    }
}

#[tokio::test]
async fn interrupted_pull_resumes_without_refetching_finished_pages() {
    let sb = sandbox(Seed::Generated { contacts: 2_200 }).await;
    let mut cfg = ClientConfig::new(&sb.base_url(), DEMO_LOCATION_ID);
    cfg.max_attempts = 2;
    cfg.backoff_base = Duration::from_millis(1);
    let c = GhlClient::new(
        cfg,
        Arc::new(PrivateIntegrationToken(Secret::new(DEMO_TOKEN))),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();

    // After the second page is stored, the connection starts dropping: the pull fails. The
    // pull reads one page ahead (page 3 was received while page 2 was being stored), so page 3
    // is stored too before the failed request for page 4 ends the pull.
    let mut pages = 0;
    let err = sync::pull_contacts(&c, &store, true, |_| {
        pages += 1;
        if pages == 2 {
            sb.faults().set_drop(10);
        }
    })
    .await
    .unwrap_err();
    assert!(err.to_string().contains("POST /contacts/search"), "{err}");
    let cur = store.cursor(CONTACTS_CURSOR).unwrap().unwrap();
    assert_eq!((cur.pages, cur.fetched, cur.done), (3, 1500, false));
    assert_eq!(
        store.contact_count(),
        1500,
        "the cursor follows the stored contacts"
    );

    sb.faults().clear();
    sb.clear_requests();
    let s = sync::pull_contacts(&c, &store, false, |_| {})
        .await
        .unwrap();
    assert!(s.resumed && s.full);
    assert_eq!(s.fetched, 700, "only the pages not yet stored");
    assert_eq!(store.contact_count(), 2200);
    let first = &sb.requests()[0];
    assert!(
        first.body.get("searchAfter").is_some(),
        "resumed from the saved cursor: {:?}",
        first.body
    );
}

#[tokio::test]
async fn contact_tasks_notes_appointments_and_custom_fields() {
    let sb = sandbox(Seed::Demo).await;
    let c = client(&sb);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();
    sync::pull_contacts(&c, &store, true, |_| {}).await.unwrap();
    assert!(store.contact_count() >= 500);
    let n = sync::fetch_custom_fields(&c, &store).await.unwrap();
    assert!(n >= 5);
    // Find a contact with tasks, notes and appointments among the most recently added.
    let mut found = false;
    for row in store.contact_rows().unwrap() {
        sync::fetch_details(&c, &store, &row.id).await.unwrap();
        let t = store.tasks(&row.id).unwrap().unwrap();
        let n = store.notes(&row.id).unwrap().unwrap();
        let a = store.appointments(&row.id).unwrap().unwrap();
        if !t.is_empty() && !n.is_empty() && !a.is_empty() {
            assert!(t.iter().all(|t| t.contact_id == row.id && !t.id.is_empty()));
            assert!(a.iter().all(|a| a.start_time.is_some()));
            let full = store.contact(&row.id).unwrap().unwrap();
            // The full shape has address1 and the raw record keeps fields we don't model.
            assert!(full.raw_json.contains("dateAdded"));
            found = true;
            break;
        }
    }
    assert!(
        found,
        "demo seed has a contact with tasks, notes and appointments"
    );
    // Hebrew names survive the round trip.
    assert!(store.contact_rows().unwrap().iter().any(|r| r
        .name
        .chars()
        .any(|ch| ('\u{5d0}'..='\u{5ea}').contains(&ch))));
    // No stored text carries escape, control or bidi-override characters.
    for r in store.contact_rows().unwrap() {
        assert!(
            !format!("{} {} {} {}", r.name, r.email, r.phone, r.tags.join(" "))
                .chars()
                .any(bmby_ghl::sanitize::is_forbidden),
            "{:?}",
            r.name
        );
    }
}

#[tokio::test]
async fn error_shapes_keep_the_servers_words_and_give_advice() {
    let sb = sandbox(Seed::Demo).await;
    let c = client(&sb);

    let e = c.get_contact("noSuchContact0000000").await.unwrap_err();
    assert!(e.is_not_found(), "{e}");
    assert!(
        e.to_string()
            .contains("Contact with id noSuchContact0000000 not found"),
        "{e}"
    );
    assert_eq!(e.status(), Some(400));

    let e = client_for(&sb, "pit-wrong", DEMO_LOCATION_ID)
        .get_contact("x")
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(401));
    assert!(e.to_string().contains("GHL_TOKEN"), "advice given: {e}");

    let e = client_for(&sb, DEMO_TOKEN, "otherLocation0000000")
        .custom_fields()
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(403));
    assert!(
        e.to_string()
            .contains("does not have access to this location"),
        "{e}"
    );
    assert!(e.to_string().contains("GHL_LOCATION_ID"), "{e}");

    // A body with a property the spec does not allow: 422 with GHL's message array.
    let body = json!({"locationId": DEMO_LOCATION_ID, "pageLimit": 10, "bogus": 1});
    let e = c
        .call(
            ApiFamily::Contacts,
            Method::POST,
            &["contacts", "search"],
            &[],
            Some(&body),
        )
        .await
        .unwrap_err();
    match &e {
        GhlError::Api {
            status: 422,
            messages,
            ..
        } => {
            assert!(
                messages
                    .iter()
                    .any(|m| m.contains("property bogus should not exist")),
                "{messages:?}"
            )
        }
        other => panic!("expected 422, got {other}"),
    }
    // 422 is not retried.
    assert_eq!(sb.requests().iter().filter(|r| r.status == 422).count(), 1);
}

#[tokio::test]
async fn retries_429_5xx_and_dropped_connections_then_succeeds() {
    // A 1 s window: after a 429 the client waits one window.
    let sb = Sandbox::start(SandboxConfig {
        seed: Seed::Demo,
        rate_limit_interval: Duration::from_secs(1),
        ..Default::default()
    })
    .await
    .unwrap();
    let c = client(&sb);
    let notices = Arc::new(Mutex::new(Vec::new()));
    let n2 = notices.clone();
    c.set_observer(move |n| n2.lock().unwrap().push(n));

    sb.faults().set_5xx(2);
    let defs = c.custom_fields().await.unwrap();
    assert!(!defs.is_empty());

    sb.faults().set_drop(2);
    c.custom_fields().await.unwrap();

    sb.faults().set_429_storm(2);
    c.custom_fields().await.unwrap();

    let statuses: Vec<u16> = sb.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 502).count(), 2);
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 2);
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 3);
    let n = notices.lock().unwrap();
    let retries = n
        .iter()
        .filter(|n| matches!(n, ClientNotice::Retrying { .. }))
        .count();
    assert_eq!(retries, 6, "each failed attempt is announced: {n:?}");
    assert!(n
        .iter()
        .any(|n| matches!(n, ClientNotice::Budget(b) if b.max == Some(100))));
}

#[tokio::test]
async fn gives_up_after_max_attempts_with_the_proxy_body() {
    let sb = sandbox(Seed::Demo).await;
    let mut cfg = ClientConfig::new(&sb.base_url(), DEMO_LOCATION_ID);
    cfg.max_attempts = 2;
    cfg.backoff_base = Duration::from_millis(1);
    let c = GhlClient::new(
        cfg,
        Arc::new(PrivateIntegrationToken(Secret::new(DEMO_TOKEN))),
    )
    .unwrap();
    sb.faults().set_5xx(5);
    let e = c.custom_fields().await.unwrap_err();
    assert!(matches!(e, GhlError::Http { status: 502, .. }), "{e}");
    assert!(e.to_string().contains("502 Bad Gateway"), "{e}");
    assert!(
        !e.to_string().contains('<'),
        "HTML tags are kept out of the message? {e}"
    );
}

#[tokio::test]
async fn paces_requests_to_the_servers_burst_limit() {
    let sb = Sandbox::start(SandboxConfig {
        seed: Seed::Demo,
        rate_limit_max: 5,
        rate_limit_interval: Duration::from_millis(300),
        ..Default::default()
    })
    .await
    .unwrap();
    let c = client(&sb);
    // Twelve calls against a limit of 5 per 300 ms: all succeed, paced by the headers.
    for _ in 0..12 {
        c.custom_fields().await.unwrap();
    }
    let ok = sb.requests().iter().filter(|r| r.status == 200).count();
    assert_eq!(ok, 12);
    let b = c.budget().await;
    assert_eq!(b.max, Some(5));
    assert_eq!(b.interval_ms, Some(300));
}
