//! The stand-in's contact operations and lists (workflows, campaigns, followers, business,
//! bulk tags, upsert; `GET /workflows/`, `/campaigns/`, `/businesses/`, `/users/`): spec shapes,
//! 400/422 answers, scope refusals; and our client reading the lists into the cache.

use crate::ghl_support;
use crate::sandbox_common;

use crate::sandbox_common::{get, start, Reply, VERSION};
use bmby_ghl::sandbox::{Sandbox, Seed, DEMO_LOCATION_ID, DEMO_TOKEN};
use bmby_ghl::store::Store;
use bmby_ghl::sync::ops::{self, ListKind};
use reqwest::Method;
use serde_json::{json, Value};

const CONTACT: &str = "x64Mt6pwWmOf7NAPeeIE";
const OTHER: &str = "LvtWjbLQy7AawydILrdz";
const NURTURE: &str = "7d1f8a52-3c4e-4b6a-9e21-5a0c8f3d2b17";
const CAMPAIGN: &str = "cmpSpringOpenHse01Qa";
const DANA: &str = "usrDanaLevi000000001";
const ACME: &str = "64b1c2d3e4f5a6b7c8d9e0f1";
/// A seeded business no demo contact belongs to at the start.
const LEVI: &str = "64b1c2d3e4f5a6b7c8d9e0f3";

async fn send(sb: &Sandbox, token: &str, m: Method, path: &str, body: Option<Value>) -> Reply {
    let mut r = sandbox_common::client()
        .request(m, format!("{}{}", sb.base_url(), path))
        .bearer_auth(token)
        .header("Version", VERSION);
    if let Some(b) = body {
        r = r.json(&b);
    }
    let r = r.send().await.expect("send");
    let status = r.status();
    let headers = r.headers().clone();
    let text = r.text().await.unwrap();
    Reply {
        status,
        headers,
        body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
    }
}

async fn call(sb: &Sandbox, m: Method, path: &str, body: Option<Value>) -> Reply {
    send(sb, DEMO_TOKEN, m, path, body).await
}

fn q(path: &str) -> String {
    format!("{path}?locationId={DEMO_LOCATION_ID}")
}

#[tokio::test]
async fn lists_have_spec_shapes_and_need_location() {
    let sb = start(Seed::Demo).await;
    let w = get(&sb, &q("/workflows/")).await;
    assert_eq!(w.status, 200, "{}", w.body);
    let names: Vec<&str> = w.body["workflows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"Nurture") && names.contains(&"ליווי קונים"));
    for x in w.body["workflows"].as_array().unwrap() {
        for k in ["id", "name", "status", "locationId"] {
            assert!(x.get(k).is_some(), "workflow lacks {k}: {x}");
        }
    }
    let c = get(&sb, &format!("{}&status=draft", q("/campaigns/"))).await;
    assert_eq!(c.status, 200);
    let drafts = c.body["campaigns"].as_array().unwrap();
    assert!(!drafts.is_empty());
    assert!(drafts.iter().all(|x| x["status"] == "draft"));
    let b = get(&sb, &format!("{}&limit=2&skip=1", q("/businesses/"))).await;
    assert_eq!(b.body["businesses"].as_array().unwrap().len(), 2);
    assert_eq!(b.body["businesses"][0]["id"], "64b1c2d3e4f5a6b7c8d9e0f2");
    let u = get(&sb, &q("/users/")).await;
    assert!(u.body["users"][0]["firstName"].is_string());

    assert_eq!(get(&sb, "/workflows/").await.status, 422);
    assert_eq!(get(&sb, "/users/").await.status, 400);
    assert_eq!(
        get(&sb, &format!("{}&limit=0", q("/businesses/")))
            .await
            .status,
        422
    );
    let other = get(&sb, "/campaigns/?locationId=someOtherLocation123").await;
    assert_eq!(other.status, 403);
}

#[tokio::test]
async fn scopes_are_checked_per_list_and_named_by_our_client() {
    let sb = start(Seed::Demo).await;
    let t = sb.oauth().grant(
        DEMO_LOCATION_ID,
        &["contacts.readonly", "workflows.readonly"],
    );
    let ok = send(&sb, &t, Method::GET, &q("/workflows/"), None).await;
    assert_eq!(ok.status, 200);
    let no = send(&sb, &t, Method::GET, &q("/campaigns/"), None).await;
    assert_eq!(no.status, 401);
    assert_eq!(
        no.body["message"],
        "The token is not authorized for this scope."
    );
    let no = send(
        &sb,
        &t,
        Method::POST,
        &format!("/contacts/{CONTACT}/workflow/{NURTURE}"),
        Some(json!({})),
    )
    .await;
    assert_eq!(no.status, 401, "a write needs contacts.write");
    assert_eq!(sb.workflow_enrolments(CONTACT, NURTURE), 0);

    // Our client: each refused list names the scope it lacks; the granted one is cached.
    let mut cfg = bmby_ghl::ghl::ClientConfig::new(&sb.base_url(), DEMO_LOCATION_ID);
    cfg.max_attempts = 1;
    let client = bmby_ghl::ghl::GhlClient::new(
        cfg,
        std::sync::Arc::new(bmby_ghl::ghl::PrivateIntegrationToken(
            bmby_ghl::ghl::Secret::new(&t),
        )),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();
    let res = ops::refresh_lists(&client, &store).await;
    for (kind, r) in &res {
        match kind {
            ListKind::Workflows => assert_eq!(*r.as_ref().unwrap(), 4),
            other => {
                let e = r.as_ref().unwrap_err().to_string();
                let scope = format!("{}.readonly", other.label());
                assert!(e.contains(&scope), "{e}");
            }
        }
    }
    assert!(ops::cached_list(&store, ListKind::Campaigns)
        .unwrap()
        .is_none());
    let w = ops::cached_list(&store, ListKind::Workflows)
        .unwrap()
        .unwrap();
    let names: Vec<&str> = w.iter().map(|n| n.name.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort_by_key(|s| s.to_lowercase());
    assert_eq!(names, sorted, "sorted by name");
}

#[tokio::test]
async fn refresh_lists_caches_every_list_and_business_contacts_pages() {
    let sb = start(Seed::Demo).await;
    let client = ghl_support::fast_client(&sb.base_url());
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();
    let res = ops::refresh_lists(&client, &store).await;
    assert!(res.iter().all(|(_, r)| r.is_ok()), "{res:?}");
    let users = ops::cached_list(&store, ListKind::Users).unwrap().unwrap();
    assert!(users.iter().any(|u| u.name == "אבי כהן"));
    assert_eq!(
        ops::cached_list(&store, ListKind::Businesses)
            .unwrap()
            .unwrap()
            .len(),
        3
    );
    // 120 contacts of a business (one no demo contact starts in): two pages of 100.
    let all = client
        .search_contacts(&bmby_ghl::ghl::SearchRequest {
            page_limit: 120,
            ..Default::default()
        })
        .await
        .unwrap();
    let mine: Vec<String> = all.contacts.iter().map(|c| c.id.clone()).collect();
    let r = call(
        &sb,
        Method::POST,
        "/contacts/bulk/business",
        Some(json!({"locationId": DEMO_LOCATION_ID, "ids": mine, "businessId": LEVI})),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["success"], true);
    assert_eq!(r.body["ids"].as_array().unwrap().len(), 120);
    sb.clear_requests();
    let got = ops::business_contact_ids(&client, LEVI).await.unwrap();
    assert_eq!(got.len(), 120);
    let pages: Vec<String> = sb.requests().iter().map(|r| r.query.clone()).collect();
    assert_eq!(pages.len(), 2, "{pages:?}");
    assert!(pages[1].contains("skip=100"), "{pages:?}");
    let one = get(
        &sb,
        &format!("/contacts/business/{LEVI}?locationId={DEMO_LOCATION_ID}&limit=5"),
    )
    .await;
    assert_eq!(one.body["count"], 120);
    assert_eq!(one.body["contacts"].as_array().unwrap().len(), 5);
    assert_eq!(
        get(&sb, &format!("/contacts/business/{LEVI}")).await.status,
        422
    );
    assert_eq!(get(&sb, &q("/contacts/business/nope")).await.status, 400);
}

#[tokio::test]
async fn workflow_and_campaign_enrolments_are_counted() {
    let sb = start(Seed::Demo).await;
    let path = format!("/contacts/{CONTACT}/workflow/{NURTURE}");
    let r = call(
        &sb,
        Method::POST,
        &path,
        Some(json!({"eventStartTime": "2026-03-01T10:00:00+02:00"})),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body, json!({"succeded": true}));
    assert_eq!(sb.workflow_enrolments(CONTACT, NURTURE), 1);
    assert_eq!(sb.workflows_of(CONTACT), vec![NURTURE.to_owned()]);
    let bad = call(
        &sb,
        Method::POST,
        &path,
        Some(json!({"eventStartTime": "soon", "x": 1})),
    )
    .await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.body["error"], "Unprocessable Entity");
    let msgs = bad.body["message"].as_array().unwrap();
    assert!(msgs.iter().any(|m| m == "property x should not exist"));
    assert_eq!(sb.workflow_enrolments(CONTACT, NURTURE), 1);
    let unknown = call(
        &sb,
        Method::POST,
        &format!("/contacts/nobody/workflow/{NURTURE}"),
        None,
    )
    .await;
    assert_eq!(unknown.status, 400);
    assert_eq!(unknown.body["message"], "Contact with id nobody not found");
    let wf = call(
        &sb,
        Method::POST,
        &format!("/contacts/{CONTACT}/workflow/nope"),
        None,
    )
    .await;
    assert_eq!(wf.status, 400);
    let del = call(&sb, Method::DELETE, &path, None).await;
    assert_eq!(del.status, 200);
    assert!(sb.workflows_of(CONTACT).is_empty());

    let cp = format!("/contacts/{CONTACT}/campaigns/{CAMPAIGN}");
    let r = call(&sb, Method::POST, &cp, Some(json!({}))).await;
    assert_eq!(r.status, 201);
    assert_eq!(sb.campaign_enrolments(CONTACT, CAMPAIGN), 1);
    let r = call(
        &sb,
        Method::POST,
        &cp,
        Some(json!({"campaignId": CAMPAIGN})),
    )
    .await;
    assert_eq!(r.status, 422, "AddContactToCampaignDto has no properties");
    let r = call(
        &sb,
        Method::DELETE,
        &format!("/contacts/{CONTACT}/campaigns/removeAll"),
        None,
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(sb.campaigns_of(CONTACT).is_empty());
}

#[tokio::test]
async fn followers_are_a_set_on_the_contact() {
    let sb = start(Seed::Demo).await;
    let path = format!("/contacts/{CONTACT}/followers");
    let r = call(&sb, Method::POST, &path, Some(json!({"followers": [DANA]}))).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["followersAdded"], json!([DANA]));
    let again = call(&sb, Method::POST, &path, Some(json!({"followers": [DANA]}))).await;
    assert_eq!(again.body["followersAdded"], json!([]));
    assert_eq!(again.body["followers"], json!([DANA]));
    assert_eq!(sb.contact(CONTACT).unwrap()["followers"], json!([DANA]));
    let bad = call(&sb, Method::POST, &path, Some(json!({"followers": "x"}))).await;
    assert_eq!(bad.status, 422);
    let missing = call(
        &sb,
        Method::POST,
        &path,
        Some(json!({"followers": ["usrNobody"]})),
    )
    .await;
    assert_eq!(missing.status, 400);
    let r = call(
        &sb,
        Method::DELETE,
        &path,
        Some(json!({"followers": [DANA]})),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["followersRemoved"], json!([DANA]));
    assert_eq!(sb.contact(CONTACT).unwrap()["followers"], json!([]));
}

#[tokio::test]
async fn bulk_business_and_bulk_tags_validate_and_report_per_contact() {
    let sb = start(Seed::Demo).await;
    let r = call(
        &sb,
        Method::POST,
        "/contacts/bulk/business",
        Some(json!({"locationId": DEMO_LOCATION_ID, "ids": [CONTACT]})),
    )
    .await;
    assert_eq!(r.status, 422, "businessId is required (null clears)");
    let r = call(
        &sb,
        Method::POST,
        "/contacts/bulk/business",
        Some(json!({"locationId": DEMO_LOCATION_ID, "ids": [CONTACT], "businessId": ACME})),
    )
    .await;
    assert_eq!(r.body, json!({"success": true, "ids": [CONTACT]}));
    assert_eq!(sb.contact(CONTACT).unwrap()["businessId"], ACME);
    let r = call(
        &sb,
        Method::POST,
        "/contacts/bulk/business",
        Some(json!({"locationId": DEMO_LOCATION_ID, "ids": [CONTACT], "businessId": null})),
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(sb.contact(CONTACT).unwrap().get("businessId").is_none());

    let body = json!({"contacts": [CONTACT, OTHER, "abcdef", "ZZZZZZZZZZZZZZZZZZZZ"],
                      "tags": ["vip"], "locationId": DEMO_LOCATION_ID});
    let r = call(
        &sb,
        Method::POST,
        "/contacts/bulk/tags/update/add",
        Some(body),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["errorCount"], 2);
    assert_eq!(r.body["succeded"], true);
    let resp = r.body["responses"].as_array().unwrap();
    assert_eq!(resp.len(), 4);
    assert_eq!(resp[2]["message"], "contact id is not a valid firebase id");
    assert_eq!(resp[3]["type"], "error");
    assert!(sb.contact(OTHER).unwrap()["tags"]
        .as_array()
        .unwrap()
        .contains(&json!("vip")));
    assert_eq!(sb.bulk_arrivals("/contacts/bulk/tags/update/add", OTHER), 1);
    let r = call(
        &sb,
        Method::POST,
        "/contacts/bulk/tags/update/toggle",
        Some(json!({"contacts": [], "tags": [], "locationId": DEMO_LOCATION_ID})),
    )
    .await;
    assert_eq!(r.status, 422);
    let r = call(
        &sb,
        Method::POST,
        "/contacts/bulk/tags/update/add",
        Some(json!({"contacts": [CONTACT], "tags": ["x"], "locationId": DEMO_LOCATION_ID, "removeAllTags": true})),
    )
    .await;
    assert_eq!(r.status, 422);
    let r = call(
        &sb,
        Method::POST,
        "/contacts/bulk/tags/update/remove",
        Some(json!({"contacts": [OTHER], "tags": ["vip"], "locationId": DEMO_LOCATION_ID})),
    )
    .await;
    assert_eq!(r.body["responses"][0]["tagsRemoved"], json!(["vip"]));
}

#[tokio::test]
async fn upsert_follows_the_documented_surprises() {
    let sb = start(Seed::Empty).await;
    sb.insert_contact(json!({"id": "upsXPhoneOnly0000001", "firstName": "X", "phone": "+15550100001", "gender": "female"}));
    sb.insert_contact(json!({"id": "upsYEmailOnly0000002", "firstName": "Y", "email": "ann@example.com",
                             "additionalEmails": [{"email": "ann.alt@example.com"}], "gender": "female"}));
    let up = |b: Value| {
        let sb = &sb;
        async move {
            let mut b = b;
            b["locationId"] = json!(DEMO_LOCATION_ID);
            call(sb, Method::POST, "/contacts/upsert", Some(b)).await
        }
    };
    // §5: email of Y, phone of X → Y updated, the phone ignored.
    let r =
        up(json!({"email": "ann@example.com", "phone": "+15550100001", "gender": "male"})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["new"], false);
    assert_eq!(r.body["contact"]["id"], "upsYEmailOnly0000002");
    assert!(r.body["contact"].get("phone").is_none());
    // §7: gender kept.
    assert_eq!(r.body["contact"]["gender"], "female");
    // §6: an additional email becomes the primary.
    let r = up(json!({"email": "ann.alt@example.com"})).await;
    assert_eq!(r.body["contact"]["id"], "upsYEmailOnly0000002");
    assert_eq!(r.body["contact"]["email"], "ann.alt@example.com");
    assert_eq!(sb.contacts_with_email("ann@example.com"), 0);
    // No match: created.
    let r = up(json!({"email": "new@example.com", "firstName": "New"})).await;
    assert_eq!(r.body["new"], true);
    assert_eq!(sb.contact_count(), 3);
    // Allow duplicates + createNewIfDuplicateAllowed: a second contact.
    sb.set_allow_duplicate_contact(true);
    let r = up(json!({"email": "new@example.com", "createNewIfDuplicateAllowed": true})).await;
    assert_eq!(r.body["new"], true);
    assert_eq!(sb.contacts_with_email("new@example.com"), 2);
    let r = call(
        &sb,
        Method::POST,
        "/contacts/upsert",
        Some(json!({"email": "a@b.c"})),
    )
    .await;
    assert_eq!(r.status, 422);
    let r = up(json!({"additionalEmails": ["x@y.z"]})).await;
    assert_eq!(r.status, 422);
}
