//! A search page read as a borrowed tree (`parse_search_page`, issue #14: the pull's CPU) gives
//! exactly what reading it as `serde_json::Value`s and `contact_from_json` gave: on the
//! stand-in's pages (search shape: `address`, epoch `dateOfBirth`, `additionalEmails` as
//! objects, Hebrew) and on hostile text (escapes, controls, bidi overrides, keys that clean
//! alike, repeated keys, odd types).

use std::sync::Arc;

use bmby_ghl::ghl::wire::contact_from_json;
use bmby_ghl::ghl::{
    parse_search_page, ClientConfig, GhlClient, PrivateIntegrationToken, SearchRequest, Secret,
};
use bmby_ghl::sandbox::{Sandbox, SandboxConfig, Seed, DEMO_LOCATION_ID, DEMO_TOKEN};
use serde_json::{json, Value};

/// A page as read before: each item's contact (as `Debug` text) or why it was skipped, `total`,
/// the last item's `searchAfter`.
type OldPage = (Vec<Result<String, String>>, Option<u64>, Option<Value>);

/// The page as it was read before: `Value`s, then `contact_from_json` for each item.
fn old_way(bytes: &[u8]) -> Option<OldPage> {
    let v: Value = serde_json::from_slice(bytes).ok()?;
    let items = v.get("contacts")?.as_array()?;
    let contacts = items
        .iter()
        .map(|i| contact_from_json(i).map(|c| format!("{c:?}")))
        .collect();
    Some((
        contacts,
        v.get("total").and_then(Value::as_u64),
        items.last().and_then(|c| c.get("searchAfter")).cloned(),
    ))
}

/// Asserts the new reader gives what the old one gave (every contact, field by field, its raw
/// JSON included; the items it skips; `total`; the last `searchAfter`).
fn assert_same(bytes: &[u8]) -> usize {
    let (old, total, after) = old_way(bytes).expect("a readable page");
    let page = parse_search_page(bytes).expect("the new reader reads it too");
    assert_eq!(page.total, total);
    assert_eq!(page.last_search_after, after);
    let mut read = page.contacts.iter();
    let mut skipped = 0;
    for o in &old {
        match o {
            Ok(c) => assert_eq!(&format!("{:?}", read.next().expect("as many contacts")), c),
            Err(_) => skipped += 1,
        }
    }
    assert!(read.next().is_none(), "no more contacts than before");
    assert_eq!(page.skipped.len(), skipped);
    page.contacts.len()
}

#[tokio::test]
async fn the_stand_ins_pages_read_alike() {
    for seed in [Seed::Demo, Seed::Generated { contacts: 1_200 }] {
        let sb = Sandbox::start(SandboxConfig {
            seed,
            ..Default::default()
        })
        .await
        .unwrap();
        let c = GhlClient::new(
            ClientConfig::new(&sb.base_url(), DEMO_LOCATION_ID),
            Arc::new(PrivateIntegrationToken(Secret::new(DEMO_TOKEN))),
        )
        .unwrap();
        let mut req = SearchRequest {
            page_limit: 500,
            page: Some(1),
            search_after: None,
            filters: vec![],
            sort: vec![json!({"field": "dateUpdated", "direction": "asc"})],
            query: None,
        };
        let mut seen = 0;
        loop {
            let bytes = c.search_contacts_bytes(&req).await.unwrap();
            let n = assert_same(&bytes);
            seen += n;
            let page = parse_search_page(&bytes).unwrap();
            if n < 500 {
                break;
            }
            req.page = None;
            req.search_after = page.last_search_after;
        }
        assert!(seen >= 540, "every contact compared ({seen})");
    }
}

#[test]
fn hostile_and_odd_items_read_alike() {
    let pages = [
        r#"{"contacts":[
            {"id":"h1","firstName":"Eve\u001b]0;pwned\u0007 Evil","lastName":"\u202ex\u200f",
             "contactName":"a\r\nb\tc","email":"\u0085e@x.io","phone":5551234,
             "tags":["buyer",3,{"email":"t@x.io"},"", "\u05e7\u05d5\u05e0\u05d4","e\u0301"],
             "additionalEmails":[{"email":"a2@x.io"},"b2@x.io",{"nope":1}],
             "dateOfBirth":"1990-05-17T00:00:00.000Z","dnd":"true",
             "dndSettings":{"SMS":{"status":"active","message":"m\u001b[31m"},"Email":"x","Call\u001b":{"status":1}},
             "customFields":[{"id":"cf1","value":["a","b\u0000"]},{"id":"cf2","field_value":{"k\u009b":"v","k":"w"}},{"value":1},{"id":7,"value":null},"x"],
             "k\u001b]0;x\u0007":"dirty key","k":"clean key","nested":{"deep":[1.5,-0,1e21,{"\u202ek":"v"}]},
             "firstName":"Eve again","searchAfter":[1793491200000,"h1"]},
            {"id":"","firstName":"no id"},
            {"firstName":"missing id"},
            ["not","an","object"],
            42,
            {"id":123,"dateOfBirth":-86400000,"dnd":true,"address":"1 Test St","address1":"","dateUpdated":"2026-12-04T10:00:00.000Z","searchAfter":[1,"123"]}
        ],"total":6}"#,
        r#"{"contacts":[],"total":0}"#,
        r#"{"contacts":[{"id":"x","searchAfter":null}],"total":"7","extra":{"a":1}}"#,
        r#"{"total":1.5,"contacts":[{"id":"\ud83d\ude00","name":"\u05d9\u05e6\u05d7\u05e7 \u05db\u05d4\u05df","dateOfBirth":1e3}],"contacts":[{"id":"later wins","searchAfter":[2,"z"]}]}"#,
    ];
    for p in pages {
        assert_same(p.as_bytes());
    }
    // The repeated `contacts` key: the later array is the one read, as before.
    let page = parse_search_page(pages[3].as_bytes()).unwrap();
    assert_eq!(page.contacts[0].id, "later wins");
    // The hostile contact is cleaned.
    let page = parse_search_page(pages[0].as_bytes()).unwrap();
    let c = &page.contacts[0];
    assert_eq!(c.first_name.as_deref(), Some("Eve again"));
    assert!(!c.raw_json.contains('\u{1b}') && !c.raw_json.contains('\u{202e}'));
    assert_eq!(page.skipped.len(), 4);
}

#[test]
fn unreadable_pages_are_errors_in_both() {
    for p in [
        "",
        "[]",
        "{}",
        r#"{"contacts":{}}"#,
        "not json",
        r#"{"contacts":[1,]}"#,
    ] {
        assert!(old_way(p.as_bytes()).is_none(), "{p:?}");
        assert!(parse_search_page(p.as_bytes()).is_err(), "{p:?}");
    }
}
