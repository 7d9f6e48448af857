//! Sandbox: fault switches as a client sees them.

use std::time::{Duration, Instant};

use crate::sandbox_common::*;
use bmby_ghl::sandbox::Seed;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn storm_of_429_then_recovery() {
    let sb = start(Seed::Empty).await;
    sb.faults().set_429_storm(2);
    for _ in 0..2 {
        let r = get(&sb, "/contacts/x").await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            r.body,
            json!({"statusCode":429,"message":"Too many requests"})
        );
        assert_eq!(r.headers["x-ratelimit-remaining"], "0");
        assert!(r.headers.contains_key("x-ratelimit-interval-milliseconds"));
    }
    let r = get(&sb, "/contacts/x").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // the storm didn't use up the real budget
    assert_eq!(r.headers["x-ratelimit-remaining"], "99");
}

#[tokio::test]
async fn bad_gateway_is_html() {
    let sb = start(Seed::Empty).await;
    sb.faults().set_5xx(1);
    let r = client()
        .get(format!("{}/contacts/x", sb.base_url()))
        .bearer_auth("whatever")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(r.headers()["content-type"], "text/html");
    assert_eq!(
        r.text().await.unwrap(),
        "<html><body><h1>502 Bad Gateway</h1></body></html>"
    );
    assert_eq!(
        get(&sb, "/contacts/x").await.status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn dropped_connection_is_a_transport_error() {
    let sb = start(Seed::Empty).await;
    sb.faults().set_drop(1);
    let res = client()
        .post(format!("{}/contacts/search", sb.base_url()))
        .bearer_auth(bmby_ghl::sandbox::DEMO_TOKEN)
        .header("Version", VERSION)
        .json(&body(10, json!({})))
        .send()
        .await;
    // hyper aborts before the status line is complete: reqwest fails in send()
    let err = res.expect_err("client must see a transport error");
    assert!(err.is_request() || err.is_connect(), "{err:?}");
    assert_eq!(sb.requests()[0].status, 0);
    // next request is fine again
    assert_eq!(
        search(&sb, body(10, json!({}))).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn slow_delays_replies_until_cleared() {
    let sb = start(Seed::Empty).await;
    sb.faults().set_slow(Duration::from_millis(300));
    let t = Instant::now();
    get(&sb, "/contacts/x").await;
    assert!(t.elapsed() >= Duration::from_millis(300));
    sb.faults().clear();
    // Cleared: the reply comes (no upper-bound timing assertion; sleeps guarantee only minimums).
    get(&sb, "/contacts/x").await;
}

#[tokio::test]
async fn churn_bumps_date_updated() {
    let sb = start(Seed::Generated { contacts: 50 }).await;
    let now_ms = jiff::Timestamp::now().as_millisecond() - 1;
    let f = json!({"filters":[{"field":"dateUpdated","operator":"range","value":{"gte": now_ms}}]});
    assert_eq!(search(&sb, body(10, f.clone())).await.body["total"], 0);
    sb.churn_once();
    assert_eq!(search(&sb, body(10, f)).await.body["total"], 1);
    sb.shutdown().await;
}

async fn create(
    sb: &bmby_ghl::sandbox::Sandbox,
    body: serde_json::Value,
) -> reqwest::Result<reqwest::Response> {
    client()
        .post(format!("{}/contacts/", sb.base_url()))
        .bearer_auth(bmby_ghl::sandbox::DEMO_TOKEN)
        .header("Version", "2021-07-28")
        .json(&body)
        .send()
        .await
}

/// "Allow Duplicate Contact": off (GHL's default) answers the documented duplicate 400; on
/// creates a second contact; `GET /locations/{id}` reports the setting.
#[tokio::test]
async fn allow_duplicate_contact_setting() {
    let sb = start(Seed::Empty).await;
    let loc = bmby_ghl::sandbox::DEMO_LOCATION_ID;
    let ann = json!({"locationId": loc, "firstName": "Ann", "email": "ann@example.com", "phone": "+972501234567"});
    let first = create(&sb, ann.clone()).await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let id = first.json::<serde_json::Value>().await.unwrap()["contact"]["id"].clone();
    let by_phone = json!({"locationId": loc, "firstName": "Dan", "phone": "+972501234567"});
    let r = create(&sb, by_phone.clone()).await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        body["message"],
        "This location does not allow duplicated contacts."
    );
    assert_eq!(body["meta"]["contactId"], id);
    assert_eq!(body["meta"]["contactName"], "Ann");
    assert_eq!(body["meta"]["matchingField"], "phone");
    let settings =
        get(&sb, &format!("/locations/{loc}")).await.body["location"]["settings"].clone();
    assert_eq!(settings["allowDuplicateContact"], false);

    sb.set_allow_duplicate_contact(true);
    assert_eq!(
        create(&sb, by_phone).await.unwrap().status(),
        StatusCode::CREATED
    );
    assert_eq!(
        create(&sb, ann).await.unwrap().status(),
        StatusCode::CREATED
    );
    assert_eq!(sb.contacts_with_phone("+972501234567"), 3);
    assert_eq!(sb.contacts_with_email("ANN@example.com"), 2);
    let settings =
        get(&sb, &format!("/locations/{loc}")).await.body["location"]["settings"].clone();
    assert_eq!(settings["allowDuplicateContact"], true);
}

/// After-acting faults: the write is carried out, then the answer is lost (drop), replaced by
/// a 502, or held past the client's timeout; reads are never hit.
#[tokio::test]
async fn after_acting_faults_act_on_writes_after_the_write() {
    use bmby_ghl::sandbox::AfterActing;
    let sb = start(Seed::Empty).await;
    let loc = bmby_ghl::sandbox::DEMO_LOCATION_ID;
    sb.faults().set_after_acting(AfterActing::Drop, 1);
    sb.faults().set_after_acting(AfterActing::ServerError, 1);
    sb.faults().set_after_acting(AfterActing::Timeout, 1);
    sb.faults().set_hold(Duration::from_secs(3));
    // A read passes untouched and uses up nothing.
    assert_eq!(
        get(&sb, "/contacts/x").await.status,
        StatusCode::BAD_REQUEST
    );
    let mk = |n: u32| json!({"locationId": loc, "email": format!("w{n}@example.com")});
    assert!(create(&sb, mk(1)).await.is_err(), "dropped after acting");
    assert_eq!(
        create(&sb, mk(2)).await.unwrap().status(),
        StatusCode::BAD_GATEWAY
    );
    let short = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let r = short
        .post(format!("{}/contacts/", sb.base_url()))
        .bearer_auth(bmby_ghl::sandbox::DEMO_TOKEN)
        .header("Version", "2021-07-28")
        .json(&mk(3))
        .send()
        .await;
    assert!(r.unwrap_err().is_timeout());
    assert_eq!(
        create(&sb, mk(4)).await.unwrap().status(),
        StatusCode::CREATED
    );
    for n in 1..=4 {
        assert_eq!(
            sb.contacts_with_email(&format!("w{n}@example.com")),
            1,
            "write {n} was carried out"
        );
    }
    // 15 % of 60 writes, seeded: some but not all lose their answer; every write is carried out.
    sb.faults()
        .set_after_acting_percent(AfterActing::ServerError, 15, 7);
    let mut lost = 0;
    for n in 100..160 {
        if create(&sb, mk(n)).await.unwrap().status() == StatusCode::BAD_GATEWAY {
            lost += 1;
        }
    }
    assert!((2..25).contains(&lost), "{lost}");
    assert_eq!(sb.contact_count(), 64);
}
