//! Sandbox: fault switches as a client sees them.

mod sandbox_common;

use std::time::{Duration, Instant};

use bmby_ghl::sandbox::Seed;
use reqwest::StatusCode;
use sandbox_common::*;
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
