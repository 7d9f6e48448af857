//! What changed in GHL lately (issue #11, item 6): a pull over the GHL stand-in records, for
//! each contact it overwrites, the field-level difference from the cached record (old → new)
//! or that the contact is new, and the list built from it is newest first. The location's
//! first pull records nothing (it fills the cache). Loopback only; no sleeps; where an order
//! is asserted the `dateUpdated`s are written by the test, never read from the clock.

use crate::ghl_support;

use bmby_ghl::domain::{RecentChange, RecentField, UserDirectory};
use bmby_ghl::sandbox::{Sandbox, SandboxConfig, Seed, DEMO_LOCATION_ID};
use bmby_ghl::store::Store;
use bmby_ghl::sync::pull::{fetch_custom_fields, fetch_details, pull_contacts};
use bmby_ghl::sync::recent::{changed_since, summary};
use serde_json::{json, Value};

async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig {
        seed: Seed::Generated { contacts: 40 },
        ..Default::default()
    })
    .await
    .unwrap()
}

/// A cache after the location's first (full) pull, with the custom field names.
async fn pulled(sb: &Sandbox) -> (Store, tempfile::TempDir) {
    let c = ghl_support::fast_client(&sb.base_url());
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();
    fetch_custom_fields(&c, &store).await.unwrap();
    let s = pull_contacts(&c, &store, true, |_| {}).await.unwrap();
    assert_eq!(s.fetched, 40);
    (store, dir)
}

/// The id of the cached contact with this email (the seed's emails are `user<i>@example.com`).
fn id_of(store: &Store, email: &str) -> String {
    store
        .contact_rows()
        .unwrap()
        .into_iter()
        .find(|r| r.email == email)
        .unwrap_or_else(|| panic!("no cached contact {email}"))
        .id
}

fn field<'a>(e: &'a RecentChange, name: &str) -> &'a RecentField {
    e.fields
        .iter()
        .find(|f| f.field == name)
        .unwrap_or_else(|| panic!("no {name} in {e:?}"))
}

fn new_contact(id: &str, first: &str, last: &str, date_updated: &str) -> Value {
    json!({
        "id": id,
        "firstName": first,
        "lastName": last,
        "email": format!("{}@example.org", id.to_lowercase()),
        "tags": ["new"],
        "dateAdded": date_updated,
        "dateUpdated": date_updated,
    })
}

#[tokio::test]
async fn a_pull_after_an_edit_in_ghl_records_old_and_new_values_and_a_created_contact() {
    let sb = sandbox().await;
    let c = ghl_support::fast_client(&sb.base_url());
    let (store, _dir) = pulled(&sb).await;
    assert!(
        store.recent().unwrap().is_empty(),
        "the first pull fills the cache: nothing it stores is a change seen"
    );
    let edited = id_of(&store, "user0@example.com");
    // An edit in GHL's UI (the stand-in bumps dateUpdated), and a contact created there.
    assert!(sb.update_contact(
        &edited,
        json!({
            "email": "dana.new@example.com",
            "tags": ["buyer", "vip"],
            "assignedTo": "userDana000000000001",
            "lastName": "לוי",
        })
    ));
    sb.insert_contact(new_contact(
        "newContact0000000001",
        "Yossi",
        "Cohen",
        "2026-11-20T10:00:00.000Z",
    ));
    // A full pull receives all 41 contacts: only the two that changed are recorded.
    pull_contacts(&c, &store, true, |_| {}).await.unwrap();
    let log = store.recent().unwrap();
    assert_eq!(log.len(), 2, "{log:#?}");
    let e = log.iter().find(|e| e.contact_id == edited).unwrap();
    assert!(!e.created);
    let email = field(e, "email");
    assert_eq!(email.before.as_deref(), Some("user0@example.com"));
    assert_eq!(email.after.as_deref(), Some("dana.new@example.com"));
    let last = field(e, "lastName");
    assert_eq!(last.before.as_deref(), Some("Cohen0"));
    assert_eq!(last.after.as_deref(), Some("לוי"));
    let tags = field(e, "tags");
    assert_eq!(tags.added, ["vip"]);
    assert!(tags.removed.is_empty());
    let owner = field(e, "assignedTo");
    assert_eq!(owner.before, None);
    assert_eq!(owner.after.as_deref(), Some("userDana000000000001"));
    assert_eq!(e.name, "Noa לוי");
    assert_eq!(
        e.date_updated,
        sb.contact(&edited).unwrap()["dateUpdated"]
            .as_str()
            .map(str::to_owned)
    );
    assert!(
        e.seen_at.parse::<jiff::Timestamp>().is_ok(),
        "{}",
        e.seen_at
    );
    let n = log
        .iter()
        .find(|e| e.contact_id == "newContact0000000001")
        .unwrap();
    assert!(n.created);
    assert!(n.fields.is_empty());
    assert_eq!(n.name, "Yossi Cohen");

    // The text people read, with the owner's name from the users list.
    let users = UserDirectory::new(&[bmby_ghl::domain::Named {
        id: "userDana000000000001".into(),
        name: "Dana Levi".into(),
    }]);
    let items = changed_since(
        &store.contact_rows().unwrap(),
        &log,
        "2026-11-20T00:00:00Z".parse().unwrap(),
    );
    let mine = items.iter().find(|i| i.contact_id == edited).unwrap();
    assert_eq!(
        summary(mine, &users),
        "last name Cohen0 → לוי, email user0@example.com → dana.new@example.com, owner (none) → Dana Levi, tags +vip"
    );
    let created = items
        .iter()
        .find(|i| i.contact_id == "newContact0000000001")
        .unwrap();
    assert_eq!(summary(created, &users), "created");

    // Nothing changed since: a further pull records nothing more.
    pull_contacts(&c, &store, false, |_| {}).await.unwrap();
    assert_eq!(store.recent().unwrap().len(), 2);
}

#[tokio::test]
async fn incremental_pulls_record_custom_fields_and_dnd_and_the_list_is_newest_first() {
    let sb = sandbox().await;
    let c = ghl_support::fast_client(&sb.base_url());
    let (store, _dir) = pulled(&sb).await;
    let defs = store.custom_fields().unwrap();
    let def = defs.values().min_by_key(|d| d.id.clone()).unwrap().clone();
    let (a, b) = (
        id_of(&store, "user1@example.com"),
        id_of(&store, "user2@example.com"),
    );
    // Two edits with dateUpdated written here (after every seeded one): b's is the later one.
    let mut doc_a = sb.contact(&a).unwrap();
    doc_a["customFields"] = json!([{"id": def.id, "value": "Gold"}]);
    doc_a["dnd"] = json!(true);
    doc_a["dateUpdated"] = json!("2026-11-10T08:01:00.000Z");
    sb.insert_contact(doc_a);
    let mut doc_b = sb.contact(&b).unwrap();
    doc_b["firstName"] = json!("Avi\u{1b}[2J");
    doc_b["dateUpdated"] = json!("2026-11-10T08:02:00.000Z");
    sb.insert_contact(doc_b);
    sb.insert_contact(new_contact(
        "newContact0000000002",
        "מיכל",
        "לוי",
        "2026-11-10T08:00:30.000Z",
    ));
    let s = pull_contacts(&c, &store, false, |_| {}).await.unwrap();
    assert!(!s.full);
    assert_eq!(s.changed, 3, "{s:?}");

    let log = store.recent().unwrap();
    let items = changed_since(
        &store.contact_rows().unwrap(),
        &log,
        "2026-11-10T08:00:00Z".parse().unwrap(),
    );
    let ids: Vec<&str> = items.iter().map(|i| i.contact_id.as_str()).collect();
    assert_eq!(
        ids,
        [b.as_str(), a.as_str(), "newContact0000000002"],
        "newest first"
    );
    let users = UserDirectory::default();
    // The escape was sanitized when the contact was read.
    // The escape sequence was dropped when GHL's record was read.
    assert_eq!(summary(&items[0], &users), "first name Mary → Avi");
    assert_eq!(
        summary(&items[1], &users),
        format!("DND off → on, {} (none) → Gold", def.name)
    );
    assert_eq!(summary(&items[2], &users), "created");
    // Since a later time, only b.
    let later = changed_since(
        &store.contact_rows().unwrap(),
        &log,
        "2026-11-10T08:01:30Z".parse().unwrap(),
    );
    assert_eq!(later.len(), 1);
    assert_eq!(later[0].contact_id, b);
}

#[tokio::test]
async fn fetching_one_contact_records_its_change_once() {
    let sb = sandbox().await;
    let c = ghl_support::fast_client(&sb.base_url());
    let (store, _dir) = pulled(&sb).await;
    let id = id_of(&store, "user3@example.com");
    assert!(sb.update_contact(&id, json!({"phone": "+972541112222"})));
    // The TUI fetches the selected contact afresh: that overwrite is recorded too…
    fetch_details(&c, &store, &id).await.unwrap();
    let log = store.recent().unwrap();
    assert_eq!(log.len(), 1);
    let phone = field(&log[0], "phone");
    assert_eq!(phone.before.as_deref(), Some("+15550000003"));
    assert_eq!(phone.after.as_deref(), Some("+972541112222"));
    // …and the next pull, which finds the cache already holding it, does not record it again.
    pull_contacts(&c, &store, true, |_| {}).await.unwrap();
    assert_eq!(store.recent().unwrap().len(), 1);
}
