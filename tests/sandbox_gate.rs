//! Sandbox: auth, Version header, location access, 404s, rate limiting, request log.

use std::time::Duration;

use crate::sandbox_common::*;
use bmby_ghl::sandbox::{Sandbox, SandboxConfig, Seed, DEMO_LOCATION_ID, DEMO_TOKEN};
use reqwest::StatusCode;
use serde_json::{json, Value};

const RL_HEADERS: [&str; 5] = [
    "x-ratelimit-limit-daily",
    "x-ratelimit-daily-remaining",
    "x-ratelimit-interval-milliseconds",
    "x-ratelimit-max",
    "x-ratelimit-remaining",
];

fn has_rl_headers(h: &reqwest::header::HeaderMap) -> bool {
    RL_HEADERS.iter().all(|n| h.contains_key(*n))
}

#[tokio::test]
async fn missing_or_wrong_token_is_401() {
    let sb = start(Seed::Empty).await;
    let url = format!("{}/contacts/abc", sb.base_url());
    let r = client()
        .get(&url)
        .header("Version", VERSION)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(has_rl_headers(r.headers()));
    let b: Value = r.json().await.unwrap();
    assert_eq!(
        b,
        json!({"statusCode":401,"message":"Invalid JWT","error":"Unauthorized"})
    );

    let r = client()
        .get(&url)
        .bearer_auth("pit-not-a-real-token")
        .header("Version", VERSION)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["message"], "Invalid token: access token is invalid");
    assert_eq!(b["error"], "Unauthorized");
}

#[tokio::test]
async fn version_header_missing_or_wrong_is_400() {
    let sb = start(Seed::Empty).await;
    let url = format!(
        "{}/locations/{DEMO_LOCATION_ID}/customFields",
        sb.base_url()
    );
    for v in [None, Some("2021-04-15"), Some("2023-02-21")] {
        let mut rb = client().get(&url).bearer_auth(DEMO_TOKEN);
        if let Some(v) = v {
            rb = rb.header("Version", v);
        }
        let r = rb.send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "Version {v:?}");
        assert!(has_rl_headers(r.headers()));
        let b: Value = r.json().await.unwrap();
        assert_eq!(
            b,
            json!({"statusCode":400,"message":"Version header is missing or not supported","error":"Bad Request"})
        );
    }
    // the calendars family wants 2021-04-15
    let r = client()
        .get(format!("{}/calendars/events", sb.base_url()))
        .bearer_auth(DEMO_TOKEN)
        .header("Version", VERSION)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn other_location_is_403() {
    let sb = start(Seed::Empty).await;
    let r = search(
        &sb,
        json!({"locationId":"someOtherLocation123","pageLimit":10}),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        r.body,
        json!({"statusCode":403,"message":"The token does not have access to this location.","error":"Forbidden"})
    );
    let r = get(&sb, "/locations/someOtherLocation123/customFields").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn unknown_routes_are_nest_style_404() {
    let sb = start(Seed::Empty).await;
    let r = get(&sb, "/nope/here?x=1").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        r.body,
        json!({"statusCode":404,"message":"Cannot GET /nope/here?x=1","error":"Not Found"})
    );
    assert!(has_rl_headers(&r.headers));
    let r = client()
        .patch(format!("{}/contacts/abc", sb.base_url()))
        .bearer_auth(DEMO_TOKEN)
        .header("Version", VERSION)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["message"], "Cannot PATCH /contacts/abc");
}

#[tokio::test]
async fn rate_limit_headers_and_429_after_max() {
    let sb = Sandbox::start(SandboxConfig {
        seed: Seed::Empty,
        rate_limit_max: 5,
        rate_limit_interval: Duration::from_secs(60),
        daily_limit: 1000,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    for i in 0..5u32 {
        let r = get(&sb, "/contacts/missing").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let h = |n: &str| r.headers[n].to_str().unwrap().to_string();
        assert_eq!(h("x-ratelimit-max"), "5");
        assert_eq!(h("x-ratelimit-remaining"), (4 - i).to_string());
        assert_eq!(h("x-ratelimit-interval-milliseconds"), "60000");
        assert_eq!(h("x-ratelimit-limit-daily"), "1000");
        assert_eq!(h("x-ratelimit-daily-remaining"), (999 - i).to_string());
    }
    let r = get(&sb, "/contacts/missing").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        r.body,
        json!({"statusCode":429,"message":"Too many requests"})
    );
    assert_eq!(r.headers["x-ratelimit-remaining"], "0");
    assert!(has_rl_headers(&r.headers));
}

#[tokio::test]
async fn daily_budget_exhaustion_is_429() {
    let sb = Sandbox::start(SandboxConfig {
        seed: Seed::Empty,
        daily_limit: 2,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    assert_eq!(
        get(&sb, "/contacts/a").await.status,
        StatusCode::BAD_REQUEST
    );
    let r = get(&sb, "/contacts/a").await;
    assert_eq!(r.headers["x-ratelimit-daily-remaining"], "0");
    let r = get(&sb, "/contacts/a").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.headers["x-ratelimit-daily-remaining"], "0");
}

#[tokio::test]
async fn requests_are_recorded() {
    let sb = start(Seed::Empty).await;
    get(
        &sb,
        "/locations/bmbyDemoLoc7Qx2Lm9Za/customFields?model=all",
    )
    .await;
    search(&sb, body(3, json!({"query":"ann"}))).await;
    let rs = sb.requests();
    assert_eq!(rs.len(), 2);
    assert_eq!(rs[0].method, "GET");
    assert_eq!(rs[0].path, "/locations/bmbyDemoLoc7Qx2Lm9Za/customFields");
    assert_eq!(rs[0].query, "model=all");
    assert_eq!(rs[0].status, 200);
    assert_eq!(rs[0].version.as_deref(), Some(VERSION));
    assert_eq!(
        rs[0].authorization.as_deref(),
        Some(format!("Bearer {DEMO_TOKEN}").as_str())
    );
    assert_eq!(rs[1].method, "POST");
    assert_eq!(rs[1].path, "/contacts/search");
    assert_eq!(rs[1].body["query"], "ann");
    assert_eq!(rs[1].body["pageLimit"], 3);
    assert!(rs[0].at <= rs[1].at);
    sb.clear_requests();
    assert!(sb.requests().is_empty());
    sb.shutdown().await;
}
