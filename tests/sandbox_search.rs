//! Sandbox: `POST /contacts/search` validation, paging, filters, sort, search shape.

use std::collections::HashSet;

use crate::sandbox_common::*;
use bmby_ghl::sandbox::{Seed, DEMO_LOCATION_ID, DEMO_TOKEN};
use reqwest::StatusCode;
use serde_json::{json, Value};

fn messages(r: &Reply) -> Vec<String> {
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["statusCode"], 422);
    assert_eq!(r.body["error"], "Unprocessable Entity");
    r.body["message"]
        .as_array()
        .expect("message is an array")
        .iter()
        .map(|m| m.as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn validation_errors_are_422() {
    let sb = start(Seed::Empty).await;

    let m = messages(&search(&sb, json!({})).await);
    assert!(
        m.contains(&"locationId should not be empty".to_string()),
        "{m:?}"
    );
    assert!(
        m.iter()
            .any(|x| x.starts_with("pageLimit must be a number")),
        "{m:?}"
    );

    let m = messages(&search(&sb, json!({"pageLimit": 10})).await);
    assert!(m.contains(&"locationId should not be empty".to_string()));

    let m = messages(&search(&sb, json!({"locationId": DEMO_LOCATION_ID})).await);
    assert!(m
        .iter()
        .any(|x| x.starts_with("pageLimit must be a number")));

    let m = messages(&search(&sb, body(10, json!({"limit": 5}))).await);
    assert_eq!(m, vec!["property limit should not exist"]);

    let m = messages(&search(&sb, body(501, json!({}))).await);
    assert_eq!(m, vec!["pageLimit must not be greater than 500"]);

    let m = messages(&search(&sb, body(10, json!({"page": 1, "searchAfter": [1, "x"]}))).await);
    assert!(
        m.iter().any(|x| x.contains("page and searchAfter")),
        "{m:?}"
    );

    let m = messages(
        &search(
            &sb,
            body(
                10,
                json!({"filters":[{"field":"shoeSize","operator":"eq","value":"9"}]}),
            ),
        )
        .await,
    );
    assert!(m[0].starts_with("filters.0.field must be one of"), "{m:?}");

    let m = messages(
        &search(
            &sb,
            body(
                10,
                json!({"filters":[{"field":"email","operator":"like","value":"x"}]}),
            ),
        )
        .await,
    );
    assert!(
        m[0].starts_with("filters.0.operator must be one of"),
        "{m:?}"
    );

    let m = messages(
        &search(
            &sb,
            body(10, json!({"sort":[{"field":"email","direction":"asc"}]})),
        )
        .await,
    );
    assert!(m[0].starts_with("sort.0.field must be one of"), "{m:?}");

    // without a JSON content type the body is not parsed (NestJS): required fields are missing
    let r = client()
        .post(format!("{}/contacts/search", sb.base_url()))
        .bearer_auth(DEMO_TOKEN)
        .header("Version", VERSION)
        .body(body(10, json!({})).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn generated_seed_has_the_requested_size() {
    let sb = start(Seed::Generated { contacts: 12_000 }).await;
    assert_eq!(sb.contact_count(), 12_000);
}

#[tokio::test]
async fn page_paging_covers_10000_then_refuses() {
    let sb = start(Seed::Generated { contacts: 12_000 }).await;
    let mut seen = HashSet::new();
    let mut last_key: Option<(i64, String)> = None;
    for page in 1..=20 {
        let r = search(&sb, body(500, json!({"page": page}))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["total"], 12_000);
        assert!(r.body["traceId"].as_str().unwrap().len() >= 32);
        for c in r.body["contacts"].as_array().unwrap() {
            let id = c["id"].as_str().unwrap().to_string();
            // default order: dateAdded desc, then id desc
            let key = (ms(c["dateAdded"].as_str().unwrap()), id.clone());
            if let Some(prev) = &last_key {
                assert!(key.0 < prev.0 || (key.0 == prev.0 && key.1 < prev.1));
            }
            assert_eq!(c["searchAfter"], json!([key.0, id]));
            last_key = Some(key);
            assert!(seen.insert(id), "duplicate");
        }
    }
    assert_eq!(seen.len(), 10_000);
    let r = search(&sb, body(500, json!({"page": 21}))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body["message"].as_str().unwrap().contains("searchAfter"));
}

#[tokio::test]
async fn search_after_paging_returns_every_id_once() {
    let sb = start(Seed::Generated { contacts: 12_000 }).await;
    for sort in [
        json!([{"field":"dateAdded","direction":"desc"}]),
        json!([{"field":"dateUpdated","direction":"asc"}]),
    ] {
        let mut seen = HashSet::new();
        let mut after: Option<Value> = None;
        let mut pages = 0;
        loop {
            let mut extra = json!({ "sort": sort.clone() });
            if let Some(a) = &after {
                extra["searchAfter"] = a.clone();
            }
            let r = search(&sb, body(500, extra)).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            assert_eq!(r.body["total"], 12_000);
            let cs = r.body["contacts"].as_array().unwrap();
            if cs.is_empty() {
                break;
            }
            pages += 1;
            for id in ids(&r) {
                assert!(seen.insert(id), "duplicate id");
            }
            after = Some(cs.last().unwrap()["searchAfter"].clone());
        }
        assert_eq!(seen.len(), 12_000);
        assert_eq!(pages, 24);
    }
}

/// The stand-in keeps a search's order between pages (`search_index`); a write between two
/// pages must show in the next one exactly as if every page were ordered afresh: an updated
/// contact moves to the end of `dateUpdated asc`, a new one appears, a deleted one is gone.
#[tokio::test]
async fn writes_between_pages_show_in_the_next_page() {
    let sb = start(Seed::Generated { contacts: 1_200 }).await;
    let sort = json!([{"field":"dateUpdated","direction":"asc"}]);
    let first = search(&sb, body(500, json!({ "sort": sort.clone() }))).await;
    assert_eq!(first.body["total"], 1_200);
    let first_ids = ids(&first);
    let moved = first_ids[10].clone();
    let gone = first_ids[499].clone();
    assert!(sb.update_contact(&moved, json!({"city": "Eilat"})));
    sb.insert_contact(json!({"firstName": "Late", "lastName": "Arrival"}));
    let mut after = first.body["contacts"][499]["searchAfter"].clone();
    assert!(sb.delete_contact(&gone));

    let mut rest = Vec::new();
    loop {
        let r = search(
            &sb,
            body(500, json!({ "sort": sort.clone(), "searchAfter": after })),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["total"], 1_200, "one added, one deleted");
        let cs = r.body["contacts"].as_array().unwrap().clone();
        if cs.is_empty() {
            break;
        }
        after = cs.last().unwrap()["searchAfter"].clone();
        rest.extend(ids(&r));
    }
    // 700 not yet seen, the moved one again, the new one; the deleted one was on page 1.
    assert_eq!(rest.len(), 702, "{rest:?}");
    let last_two: Vec<&str> = rest[700..].iter().map(String::as_str).collect();
    assert!(last_two.contains(&moved.as_str()), "{last_two:?}");
    assert!(!rest.contains(&gone));
    let unique: HashSet<&String> = rest.iter().collect();
    assert_eq!(unique.len(), rest.len(), "no id twice after page 1");
}

#[tokio::test]
async fn range_filter_on_date_updated() {
    let sb = start(Seed::Demo).await;
    let all = search(&sb, body(500, json!({"page": 1}))).await;
    let rest = search(&sb, body(500, json!({"page": 2}))).await;
    let mut updated: Vec<i64> = all.body["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .chain(rest.body["contacts"].as_array().unwrap())
        .map(|c| ms(c["dateUpdated"].as_str().unwrap()))
        .collect();
    assert_eq!(updated.len(), sb.contact_count());
    updated.sort();
    let cut = updated[updated.len() * 3 / 4];
    let expected = updated.iter().filter(|&&u| u > cut).count();
    assert!(expected > 0);

    for value in [
        json!({"gt": cut}),
        json!({"gt": jiff::Timestamp::from_millisecond(cut).unwrap().to_string()}),
    ] {
        let r = search(
            &sb,
            body(
                500,
                json!({"filters":[{"field":"dateUpdated","operator":"range","value": value}]}),
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["total"], expected);
        for c in r.body["contacts"].as_array().unwrap() {
            assert!(ms(c["dateUpdated"].as_str().unwrap()) > cut);
        }
    }
}

#[tokio::test]
async fn update_contact_shows_up_in_incremental_search() {
    let sb = start(Seed::Demo).await;
    let newest = search(
        &sb,
        body(
            1,
            json!({"sort":[{"field":"dateUpdated","direction":"desc"}]}),
        ),
    )
    .await;
    let watermark = newest.body["contacts"][0]["searchAfter"][0]
        .as_i64()
        .unwrap();
    let since =
        json!({"filters":[{"field":"dateUpdated","operator":"range","value":{"gt": watermark}}]});
    assert_eq!(search(&sb, body(100, since.clone())).await.body["total"], 0);

    let victim = "hostileCjk0000000006";
    assert!(sb.update_contact(victim, json!({"city": "אילת", "firstName": "Dana"})));
    assert!(!sb.update_contact("noSuchContact", json!({"city": "x"})));
    let r = search(&sb, body(100, since)).await;
    assert_eq!(r.body["total"], 1);
    let c = &r.body["contacts"][0];
    assert_eq!(c["id"], victim);
    assert_eq!(c["city"], "אילת");
    assert_eq!(c["firstNameLowerCase"], "dana");
    assert!(ms(c["dateUpdated"].as_str().unwrap()) > watermark);

    let full = get(&sb, &format!("/contacts/{victim}")).await;
    assert_eq!(full.body["contact"]["city"], "אילת");
    assert_eq!(full.body["contact"]["dateUpdated"], c["dateUpdated"]);
}

#[tokio::test]
async fn insert_contact_is_searchable() {
    let sb = start(Seed::Empty).await;
    sb.insert_contact(json!({"firstName": "Ann", "lastName": "Example", "email": "Ann@Example.com", "phone": "+15550100001"}));
    assert_eq!(sb.contact_count(), 1);
    let r = search(&sb, body(10, json!({"query": "ann@ex"}))).await;
    assert_eq!(r.body["total"], 1);
    let c = &r.body["contacts"][0];
    assert_eq!(c["id"].as_str().unwrap().len(), 20);
    assert_eq!(c["locationId"], DEMO_LOCATION_ID);
    assert_eq!(c["lastNameLowerCase"], "example");
    let r = search(&sb, body(10, json!({"query": "5550100"}))).await;
    assert_eq!(r.body["total"], 1);
}

#[tokio::test]
async fn filters_and_groups() {
    let sb = start(Seed::Generated { contacts: 1000 }).await;
    let total = |r: Reply| {
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.body["total"].as_u64().unwrap()
    };
    let f = |filters: Value| body(10, json!({ "filters": filters }));
    assert_eq!(
        total(
            search(
                &sb,
                f(json!([{"field":"tags","operator":"eq","value":"buyer"}]))
            )
            .await
        ),
        200
    );
    assert_eq!(
        total(
            search(
                &sb,
                f(json!([{"field":"dnd","operator":"eq","value":true}]))
            )
            .await
        ),
        20
    );
    assert_eq!(
        total(
            search(
                &sb,
                f(json!([{"field":"firstNameLowerCase","operator":"eq","value":"noa"}]))
            )
            .await
        ),
        125
    );
    assert_eq!(
        total(search(&sb, f(json!([{"field":"tags","operator":"not_exists"}]))).await),
        600
    );
    assert_eq!(
        total(
            search(
                &sb,
                f(json!([{"field":"email","operator":"contains","value":"USER99"}]))
            )
            .await
        ),
        11
    );
    assert_eq!(
        total(
            search(
                &sb,
                f(json!([{"group":"OR","filters":[
                    {"field":"tags","operator":"eq","value":"hot-lead"},
                    {"field":"dnd","operator":"eq","value":true}
                ]}]))
            )
            .await
        ),
        220
    );
    assert_eq!(
        total(
            search(
                &sb,
                f(json!([
                    {"field":"tags","operator":"eq","value":"buyer"},
                    {"field":"dnd","operator":"not_eq","value":true}
                ]))
            )
            .await
        ),
        180
    );
    let r = search(
        &sb,
        f(json!([{"field":"id","operator":"eq","value":["nope", "nada"]}])),
    )
    .await;
    assert_eq!(total(r), 0);
    let r = search(
        &sb,
        f(json!([{"field":"email","operator":"range","value":{"gt":1}}])),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn search_items_have_the_search_shape() {
    let sb = start(Seed::Demo).await;
    let r = search(&sb, body(500, json!({}))).await;
    let cs = r.body["contacts"].as_array().unwrap();
    assert_eq!(cs.len(), 500);
    assert_eq!(
        r.body["total"].as_u64().unwrap() as usize,
        sb.contact_count()
    );
    let with_addr = cs
        .iter()
        .find(|c| c.get("address").is_some())
        .expect("an address");
    assert!(with_addr.get("address1").is_none());
    let dob = cs
        .iter()
        .find(|c| c.get("dateOfBirth").is_some())
        .expect("a birthday");
    assert!(dob["dateOfBirth"].is_i64(), "{}", dob["dateOfBirth"]);
    let extra = cs
        .iter()
        .find(|c| !c["additionalEmails"].as_array().unwrap().is_empty())
        .unwrap();
    assert!(extra["additionalEmails"][0]["email"].is_string());
    for c in cs {
        assert!(c["searchAfter"].as_array().unwrap().len() == 2);
        assert!(c["tags"].is_array() && c["customFields"].is_array() && c["followers"].is_array());
        assert_eq!(c["locationId"], DEMO_LOCATION_ID);
    }
}
