//! The incremental pull's safety window against the GHL stand-in's search-lag switch: a contact
//! GHL's search index finds late (its `dateUpdated` already older than the pull cursor when it
//! becomes searchable) still reaches the cache, and contacts received again inside the window
//! are neither rewritten nor counted. Loopback only; no clocks or sleeps decide anything.

use std::sync::Arc;
use std::time::Duration;

use bmby_ghl::ghl::{ClientConfig, GhlClient, PrivateIntegrationToken, SearchRequest, Secret};
use bmby_ghl::sandbox::{Sandbox, SandboxConfig, Seed, DEMO_LOCATION_ID, DEMO_TOKEN};
use bmby_ghl::store::Store;
use bmby_ghl::sync::pull::{pull_contacts_with, CONTACTS_CURSOR, DEFAULT_OVERLAP};
use serde_json::json;

async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig {
        seed: Seed::Generated { contacts: 40 },
        ..Default::default()
    })
    .await
    .unwrap()
}

fn client(sb: &Sandbox) -> GhlClient {
    let mut cfg = ClientConfig::new(&sb.base_url(), DEMO_LOCATION_ID);
    cfg.backoff_base = Duration::from_millis(5);
    cfg.backoff_cap = Duration::from_millis(50);
    GhlClient::new(
        cfg,
        Arc::new(PrivateIntegrationToken(Secret::new(DEMO_TOKEN))),
    )
    .unwrap()
}

/// `base` moved by `secs` seconds, as GHL writes `dateUpdated`.
fn iso(base: jiff::Timestamp, secs: i64) -> String {
    (base + jiff::SignedDuration::from_secs(secs))
        .strftime("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

fn contact(id: &str, first: &str, email: &str, date_updated: &str) -> serde_json::Value {
    json!({
        "id": id,
        "firstName": first,
        "lastName": "Lag",
        "email": email,
        "dateAdded": date_updated,
        "dateUpdated": date_updated,
    })
}

async fn search_ids(c: &GhlClient, query: &str) -> Vec<(String, Option<String>)> {
    c.search_contacts(&SearchRequest {
        page_limit: 100,
        page: Some(1),
        search_after: None,
        filters: vec![],
        sort: vec![],
        query: Some(query.into()),
    })
    .await
    .unwrap()
    .contacts
    .into_iter()
    .map(|c| (c.id, c.first_name))
    .collect()
}

/// A fixed instant after every generated seed contact's `dateUpdated` (those end on
/// 2026-11-01): the tests never read the clock.
fn base() -> jiff::Timestamp {
    "2026-11-10T08:00:00Z".parse().unwrap()
}

/// A fresh cache after a full pull of the stand-in's 40 contacts.
async fn fully_pulled(sb: &Sandbox, overlap: Duration) -> (Store, tempfile::TempDir) {
    let c = client(sb);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();
    let full = pull_contacts_with(&c, &store, true, overlap, |_| {})
        .await
        .unwrap();
    assert_eq!(full.fetched, 40);
    (store, dir)
}

#[tokio::test]
async fn a_contact_search_finds_late_still_reaches_the_cache_through_incremental_pulls() {
    let sb = sandbox().await;
    let c = client(&sb);
    let (store, _dir) = fully_pulled(&sb, DEFAULT_OVERLAP).await;
    let now = base();

    // Written while the index lags: GET sees it at once, search does not.
    sb.set_search_lag(true);
    sb.insert_contact(contact(
        "lateContact000000001",
        "Late",
        "late@example.com",
        &iso(now, 0),
    ));
    sb.set_search_lag(false);
    assert_eq!(
        c.get_contact("lateContact000000001")
            .await
            .unwrap()
            .first_name
            .as_deref(),
        Some("Late")
    );
    assert!(search_ids(&c, "late@example.com").await.is_empty());

    // A contact written 60 s later is searchable at once: the pull's cursor moves past the
    // late one's dateUpdated.
    sb.insert_contact(contact(
        "laterContact00000001",
        "Later",
        "later@example.com",
        &iso(now, 60),
    ));
    let s = pull_contacts_with(&c, &store, false, DEFAULT_OVERLAP, |_| {})
        .await
        .unwrap();
    assert!(!s.full);
    assert_eq!(s.changed, 1, "{s:?}");
    assert!(store.contact("laterContact00000001").unwrap().is_some());
    assert!(store.contact("lateContact000000001").unwrap().is_none());
    let cursor = store.cursor(CONTACTS_CURSOR).unwrap().unwrap();
    assert_eq!(cursor.high_water.as_deref(), Some(iso(now, 60).as_str()));

    // The index catches up; the late contact is older than the cursor but inside the window.
    sb.release_search_lag();
    assert_eq!(search_ids(&c, "late@example.com").await.len(), 1);
    let mut changed_ids = Vec::new();
    let s = pull_contacts_with(&c, &store, false, DEFAULT_OVERLAP, |p| {
        changed_ids.extend(p.ids.clone())
    })
    .await
    .unwrap();
    assert_eq!(
        store
            .contact("lateContact000000001")
            .unwrap()
            .expect("the late contact reached the cache")
            .first_name
            .as_deref(),
        Some("Late")
    );
    // The later contact came again in the window and was not counted or rewritten.
    assert_eq!(changed_ids, vec!["lateContact000000001".to_owned()]);
    assert_eq!(s.changed, 1, "{s:?}");
    assert!(s.fetched >= 2, "both contacts in the window: {s:?}");
    let searches: Vec<_> = sb
        .requests()
        .into_iter()
        .filter(|r| r.path == "/contacts/search")
        .collect();
    let since = searches.last().unwrap().body["filters"][0]["value"]["gt"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(since, iso(now, 60 - 300), "5 minutes before the cursor");

    // Nothing new: a further pull writes nothing. GHL's copy of a contact is changed without a
    // newer dateUpdated; had the pull rewritten the cache, the cache would now hold it.
    sb.insert_contact(contact(
        "laterContact00000001",
        "Rewritten",
        "later@example.com",
        &iso(now, 60),
    ));
    let mut changed_ids = Vec::new();
    let s = pull_contacts_with(&c, &store, false, DEFAULT_OVERLAP, |p| {
        changed_ids.extend(p.ids.clone())
    })
    .await
    .unwrap();
    assert_eq!(s.changed, 0, "{s:?}");
    assert!(changed_ids.is_empty());
    assert!(
        s.describe().contains("incremental pull: 0 contacts"),
        "{}",
        s.describe()
    );
    assert_eq!(
        store
            .contact("laterContact00000001")
            .unwrap()
            .unwrap()
            .first_name
            .as_deref(),
        Some("Later")
    );
}

#[tokio::test]
async fn without_the_window_the_late_contact_is_missed() {
    // The control: the same lag with no overlap loses the contact, so the test above proves
    // the window and not a quirk of the stand-in.
    let sb = sandbox().await;
    let c = client(&sb);
    let (store, _dir) = fully_pulled(&sb, Duration::ZERO).await;
    let now = base();
    sb.set_search_lag(true);
    sb.insert_contact(contact(
        "lateContact000000001",
        "Late",
        "late@example.com",
        &iso(now, 0),
    ));
    sb.set_search_lag(false);
    sb.insert_contact(contact(
        "laterContact00000001",
        "Later",
        "later@example.com",
        &iso(now, 60),
    ));
    pull_contacts_with(&c, &store, false, Duration::ZERO, |_| {})
        .await
        .unwrap();
    sb.release_search_lag();
    pull_contacts_with(&c, &store, false, Duration::ZERO, |_| {})
        .await
        .unwrap();
    assert!(store.contact("lateContact000000001").unwrap().is_none());
}

#[tokio::test]
async fn search_lag_shows_the_old_version_of_a_changed_contact_until_released() {
    let sb = sandbox().await;
    let c = client(&sb);
    sb.insert_contact(contact(
        "lagEdited00000000001",
        "Before",
        "edited@example.com",
        "2026-11-20T10:00:00.000Z",
    ));
    sb.set_search_lag(true);
    assert!(sb.update_contact("lagEdited00000000001", json!({"firstName": "After"})));
    // A write through the API is held too.
    let created: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/contacts/", sb.base_url()))
        .bearer_auth(DEMO_TOKEN)
        .header("Version", "2021-07-28")
        .json(&json!({"locationId": DEMO_LOCATION_ID, "firstName": "New", "email": "fresh@example.com"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let created_id = created["contact"]["id"].as_str().unwrap();
    assert_eq!(
        search_ids(&c, "edited@example.com").await,
        vec![("lagEdited00000000001".to_owned(), Some("Before".to_owned()))]
    );
    assert!(search_ids(&c, "fresh@example.com").await.is_empty());
    assert_eq!(
        c.get_contact(created_id)
            .await
            .unwrap()
            .first_name
            .as_deref(),
        Some("New")
    );
    sb.release_search_lag();
    assert_eq!(
        search_ids(&c, "edited@example.com").await,
        vec![("lagEdited00000000001".to_owned(), Some("After".to_owned()))]
    );
    assert_eq!(search_ids(&c, "fresh@example.com").await.len(), 1);
}
