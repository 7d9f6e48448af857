//! `bmby-ghl recent`: after `sync`, an edit and a new contact in the GHL stand-in, and `sync`
//! again, the real binary lists both, newest first, with the edit's old → new values (text in
//! Israel time; `--json` in ISO 8601); a `--since` that is not a time is refused. Loopback only.

use crate::cli_support::{ok, run_at as run};

use bmby_ghl::sandbox::{Sandbox, SandboxConfig, Seed};
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recent_lists_what_the_pulls_saw_change_newest_first() {
    let sb = Sandbox::start(SandboxConfig {
        seed: Seed::Generated { contacts: 30 },
        ..Default::default()
    })
    .await
    .unwrap();
    let url = sb.base_url();
    let dir = tempfile::tempdir().unwrap();
    ok(&run(&url, dir.path(), &["sync"]).await);
    // The first pull filled the cache: nothing is listed as changed by it.
    let first: Value = serde_json::from_str(&ok(&run(
        &url,
        dir.path(),
        &["recent", "--json", "--since", "52w"],
    )
    .await))
    .unwrap();
    // Listed by their dateUpdated, but with no earlier values known.
    assert_eq!(first["count"], 30);
    assert!(
        first["contacts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["known"] == false && c["fields"].as_array().unwrap().is_empty()),
        "{first:#}"
    );

    let list: Value =
        serde_json::from_str(&ok(&run(&url, dir.path(), &["contacts", "--json"]).await)).unwrap();
    let edited = list["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["email"] == "user0@example.com")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // An edit in GHL (dateUpdated: now), and a contact created an hour before it.
    assert!(sb.update_contact(
        &edited,
        json!({"email": "dana.new@example.com", "tags": ["buyer", "vip"]})
    ));
    let hour_ago = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1);
    sb.insert_contact(json!({
        "id": "newContact0000000001",
        "firstName": "רונית",
        "lastName": "אברהם\u{1b}[2J",
        "email": "ronit@example.org",
        "dateAdded": bmby_ghl::clock::iso_utc(hour_ago),
        "dateUpdated": bmby_ghl::clock::iso_utc(hour_ago),
    }));
    ok(&run(&url, dir.path(), &["sync", "--full"]).await);

    let doc: Value = serde_json::from_str(&ok(&run(
        &url,
        dir.path(),
        &["recent", "--json", "--since", "2h"],
    )
    .await))
    .unwrap();
    let ids: Vec<&str> = doc["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [edited.as_str(), "newContact0000000001"], "{doc:#}");
    let e = &doc["contacts"][0];
    let email = e["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "email")
        .unwrap();
    assert_eq!(email["before"], "user0@example.com");
    assert_eq!(email["after"], "dana.new@example.com");
    assert!(e["dateUpdated"].as_str().unwrap().ends_with('Z'));
    assert_eq!(doc["contacts"][1]["created"], true);
    assert!(doc["since"].as_str().unwrap().ends_with('Z'));

    let text = ok(&run(&url, dir.path(), &["recent", "--since", "2h"]).await);
    assert!(text.contains("2 contacts changed in GHL since"), "{text}");
    assert!(text.contains("Israel time (2h)"), "{text}");
    assert!(
        text.contains("    email user0@example.com → dana.new@example.com\n    tags +vip\n"),
        "{text}"
    );
    assert!(
        text.contains("רונית אברהם  (newContact0000000001)\n    created\n"),
        "{text}"
    );
    assert!(!text.contains('\u{1b}'), "{text}");
    // Edited first: newest first.
    assert!(text.find("dana.new").unwrap() < text.find("רונית").unwrap());

    let bad = run(&url, dir.path(), &["recent", "--since", "yesterday"]).await;
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("`yesterday` is not a time"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}

/// Our own send shows in the recent changes field by field (found by a newcomer: it read
/// "changed; earlier values not cached", since the pull after it finds nothing new).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_own_send_is_listed_field_by_field() {
    let sb = Sandbox::start(SandboxConfig {
        seed: Seed::Generated { contacts: 3 },
        ..Default::default()
    })
    .await
    .unwrap();
    let url = sb.base_url();
    let dir = tempfile::tempdir().unwrap();
    ok(&run(&url, dir.path(), &["sync"]).await);
    let list: Value =
        serde_json::from_str(&ok(&run(&url, dir.path(), &["contacts", "--json"]).await)).unwrap();
    let id = list["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["email"] == "user0@example.com")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(&run(
        &url,
        dir.path(),
        &[
            "op",
            "update-contact",
            "--contact",
            &id,
            "--set",
            "email=sent.by.us@example.com",
        ],
    )
    .await);
    ok(&run(&url, dir.path(), &["sync"]).await);
    let doc: Value = serde_json::from_str(&ok(&run(
        &url,
        dir.path(),
        &["recent", "--json", "--since", "2h"],
    )
    .await))
    .unwrap();
    let e = doc["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id.as_str())
        .unwrap_or_else(|| panic!("{id} listed: {doc:#}"));
    assert_eq!(e["known"], true, "{e:#}");
    let email = e["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "email")
        .unwrap_or_else(|| panic!("the email field: {e:#}"));
    assert_eq!(email["before"], "user0@example.com");
    assert_eq!(email["after"], "sent.by.us@example.com");
}
