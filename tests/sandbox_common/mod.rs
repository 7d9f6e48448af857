//! Helpers shared by the `sandbox_*` integration tests (a plain reqwest client playing our
//! GHL client, with the headers GHL requires).
#![allow(dead_code)]

use bmby_ghl::sandbox::{Sandbox, SandboxConfig, Seed, DEMO_LOCATION_ID, DEMO_TOKEN};
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde_json::Value;

pub const VERSION: &str = "2021-07-28";

pub async fn start(seed: Seed) -> Sandbox {
    Sandbox::start(SandboxConfig {
        seed,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts")
}

pub fn client() -> reqwest::Client {
    reqwest::Client::new()
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

async fn reply(r: reqwest::Response) -> Reply {
    let status = r.status();
    let headers = r.headers().clone();
    let text = r.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Reply {
        status,
        headers,
        body,
    }
}

pub async fn get(sb: &Sandbox, path: &str) -> Reply {
    let r = client()
        .get(format!("{}{}", sb.base_url(), path))
        .bearer_auth(DEMO_TOKEN)
        .header("Version", VERSION)
        .header("Accept", "application/json")
        .send()
        .await
        .expect("send");
    reply(r).await
}

pub async fn search(sb: &Sandbox, body: Value) -> Reply {
    let r = client()
        .post(format!("{}/contacts/search", sb.base_url()))
        .bearer_auth(DEMO_TOKEN)
        .header("Version", VERSION)
        .json(&body)
        .send()
        .await
        .expect("send");
    reply(r).await
}

/// Search body with the required fields plus `extra` merged in.
pub fn body(page_limit: u64, extra: Value) -> Value {
    let mut b = serde_json::json!({ "locationId": DEMO_LOCATION_ID, "pageLimit": page_limit });
    if let (Some(o), Value::Object(e)) = (b.as_object_mut(), extra) {
        o.extend(e);
    }
    b
}

pub fn ids(reply: &Reply) -> Vec<String> {
    reply.body["contacts"]
        .as_array()
        .expect("contacts array")
        .iter()
        .map(|c| c["id"].as_str().expect("id").to_string())
        .collect()
}

pub fn ms(iso: &str) -> i64 {
    iso.parse::<jiff::Timestamp>()
        .expect("ISO timestamp")
        .as_millisecond()
}
