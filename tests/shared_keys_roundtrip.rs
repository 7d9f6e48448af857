//! The round trip over Bmby data where different people share a phone or an email (family
//! members, a shared office line): pull, approve all, apply, pull again → nothing pending, and
//! no GHL contact holding two clients' data. Both stand-ins on loopback; the GHL location allows
//! duplicate contacts (GHL's "Allow Duplicate Contact" setting).

use crate::ghl_support;

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use bmby_ghl::bmby::soap::{BmbySoapClient, BmbySoapConfig};
use bmby_ghl::domain::{ChangeKind, ChangeState};
use bmby_ghl::ghl::{GhlClient, Secret};
use bmby_ghl::sandbox::bmby::{
    BmbySandbox, BmbySandboxConfig, BmbySeed, DEMO_LOGIN, DEMO_PASSWORD, DEMO_PROJECT_ID,
};
use bmby_ghl::sandbox::{Sandbox, SandboxConfig, Seed, DEMO_LOCATION_ID};
use bmby_ghl::store::Store;
use bmby_ghl::sync::import::{import_bmby_clients, ImportOptions, ImportSummary};
use bmby_ghl::sync::mapping::Mapping;
use bmby_ghl::sync::{self, dispatch, review};
use serde_json::json;

const CLIENTS: usize = 300;

fn bmby_client(sb: &BmbySandbox) -> BmbySoapClient {
    let mut cfg = BmbySoapConfig::new(
        sb.soap_url(),
        DEMO_LOGIN,
        Secret::new(DEMO_PASSWORD),
        DEMO_PROJECT_ID,
    );
    cfg.backoff_base = Duration::from_millis(1);
    cfg.backoff_cap = Duration::from_millis(5);
    BmbySoapClient::new(cfg).unwrap()
}

/// Client id of the `i`-th generated Bmby client.
fn cid(i: usize) -> String {
    (100_001 + i).to_string()
}

fn field(bmby: &BmbySandbox, i: usize, f: &str) -> String {
    bmby.client(&cid(i)).unwrap().fields[f].clone()
}

/// Bmby clients sharing phones and emails, and GHL contacts some of the shared keys already
/// belong to. Returns the pairs (and the trio) that share something.
fn share_keys(bmby: &BmbySandbox, ghl: &Sandbox) -> Vec<Vec<usize>> {
    let mut groups = Vec::new();
    let mut share = |group: &[usize], f: &str| {
        let v = field(bmby, group[0], f);
        for &i in &group[1..] {
            assert!(bmby.update_client(&cid(i), f, &v));
        }
        groups.push(group.to_vec());
    };
    // Family members on one mobile; spouses on one email; an office line for three.
    for k in 0..8 {
        share(&[10 * k, 10 * k + 1], "phone_mobile");
    }
    for k in 0..8 {
        share(&[100 + 10 * k, 100 + 10 * k + 1], "email");
    }
    share(&[200, 201, 202], "phone_mobile");
    // Shared keys GHL already has, on contacts no client is linked to yet: one carrying the
    // first client's name, one a stranger's name (a lead someone typed into GHL).
    for k in 0..4 {
        let (a, b) = (250 + 4 * k, 250 + 4 * k + 1);
        share(&[a, b], "phone_mobile");
        ghl.insert_contact(json!({
            "id": format!("ghlSharedPhone{k:06}"),
            "firstName": field(bmby, a, "fname"),
            "lastName": field(bmby, a, "lname"),
            "phone": format!("+972{}", field(bmby, a, "phone_mobile").trim_start_matches('0').replace('-', "")),
            "dateAdded": "2026-10-01T10:00:00.000Z",
            "dateUpdated": "2026-10-01T10:00:00.000Z",
        }));
    }
    for k in 0..3 {
        let (a, b) = (252 + 4 * k, 252 + 4 * k + 1);
        share(&[a, b], "email");
        ghl.insert_contact(json!({
            "id": format!("ghlSharedMail{k:07}"),
            "firstName": "Lead",
            "lastName": format!("From GHL {k}"),
            "email": field(bmby, a, "email"),
            "dateAdded": "2026-10-01T10:00:00.000Z",
            "dateUpdated": "2026-10-01T10:00:00.000Z",
        }));
    }
    groups
}

async fn read_bmby(store: &Store, bmby: &BmbySoapClient) -> ImportSummary {
    let read = bmby.get_all_clients(None).await.unwrap();
    import_bmby_clients(
        store,
        read.clients,
        &Mapping::default(),
        &ImportOptions {
            full: true,
            ..Default::default()
        },
    )
    .unwrap()
}

async fn pull_ghl(ghl: &GhlClient, store: &Store, full: bool) {
    sync::pull_contacts(ghl, store, full, |_| {}).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shared_phones_and_emails_round_trip_to_nothing_pending() {
    let ghl_sb = Sandbox::start(SandboxConfig {
        seed: Seed::Generated { contacts: 30 },
        rate_limit_interval: Duration::from_secs(1),
        ..Default::default()
    })
    .await
    .unwrap();
    ghl_sb.set_allow_duplicate_contact(true);
    let bmby_sb = BmbySandbox::start(BmbySandboxConfig {
        seed: BmbySeed::Generated { clients: CLIENTS },
        ..Default::default()
    })
    .await
    .unwrap();
    let groups = share_keys(&bmby_sb, &ghl_sb);
    let ghl = ghl_support::fast_client(&ghl_sb.base_url());
    let bmby = bmby_client(&bmby_sb);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();
    let contacts_before = ghl_sb.contact_count();

    // Pull GHL, read Bmby.
    sync::fetch_custom_fields(&ghl, &store).await.unwrap();
    pull_ghl(&ghl, &store, true).await;
    let first = read_bmby(&store, &bmby).await;
    assert_eq!(first.read, CLIENTS, "{first:?}");
    let changes = store.changes().unwrap();
    assert_eq!(changes.len(), CLIENTS, "one change per client: {first:?}");
    assert!(changes.iter().all(|c| c.kind != ChangeKind::Ambiguous));
    // No two changes write to one existing contact.
    let mut targets: Vec<&str> = changes
        .iter()
        .filter_map(|c| c.contact_id.as_deref())
        .collect();
    let n = targets.len();
    targets.sort_unstable();
    targets.dedup();
    assert_eq!(targets.len(), n, "two clients' writes to one contact");
    // The one named like the existing contact gets it; the other is a new contact, warned.
    let of = |i: usize| {
        changes
            .iter()
            .find(|c| c.client_id == cid(i))
            .unwrap()
            .clone()
    };
    for k in 0..4 {
        let (a, b) = (250 + 4 * k, 250 + 4 * k + 1);
        assert_eq!(
            store.link(&cid(a)).unwrap(),
            Some(format!("ghlSharedPhone{k:06}"))
        );
        let loser = of(b);
        assert_eq!(loser.kind, ChangeKind::Create);
        let expected = format!("with Bmby client {} (contact ghlSharedPhone{k:06}", cid(a));
        assert!(
            loser.warnings.iter().any(|w| w.contains(&expected)),
            "{:?}",
            loser.warnings
        );
    }
    for group in &groups {
        for &i in &group[1..] {
            assert!(
                of(i).warnings.iter().any(|w| w.starts_with("shares ")),
                "client {} shares a key: {:?}",
                cid(i),
                of(i).warnings
            );
        }
    }

    // Approve all, apply.
    for c in &changes {
        review::approve(&store, c.id).unwrap();
    }
    let sent = dispatch::dispatch_all(&ghl, &store).await.unwrap();
    assert!(
        store
            .changes()
            .unwrap()
            .iter()
            .all(|c| c.state == ChangeState::Applied),
        "{sent:?}"
    );

    // Pull again, read again: nothing to do.
    pull_ghl(&ghl, &store, false).await;
    let second = read_bmby(&store, &bmby).await;
    let pending: Vec<_> = store
        .changes()
        .unwrap()
        .into_iter()
        .filter(|c| c.state == ChangeState::Pending)
        .collect();
    assert!(pending.is_empty(), "{second:?}\n{pending:#?}");
    assert!(
        second.new_changes.is_empty() && second.replaced == 0,
        "{second:?}"
    );
    assert_eq!(second.in_sync, CLIENTS, "{second:?}");

    // Every client has its own contact, and each contact holds its client's name.
    let links: HashMap<String, String> = store.link_map().unwrap();
    assert_eq!(links.len(), CLIENTS);
    let mut per_contact: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (client, contact) in &links {
        per_contact.entry(contact).or_default().push(client);
    }
    let shared: Vec<_> = per_contact.iter().filter(|(_, v)| v.len() > 1).collect();
    assert!(
        shared.is_empty(),
        "contacts holding two clients: {shared:?}"
    );
    for (client, contact) in &links {
        let c = store.contact(contact).unwrap().unwrap();
        let b = bmby_sb.client(client).unwrap();
        assert_eq!(
            (c.first_name.as_deref(), c.last_name.as_deref()),
            (
                b.fields.get("fname").map(String::as_str),
                b.fields.get("lname").map(String::as_str)
            ),
            "contact {contact} of client {client}"
        );
    }
    let created = links
        .values()
        .filter(|c| !c.starts_with("ghlShared"))
        .count();
    assert_eq!(ghl_sb.contact_count(), contacts_before + created);

    // And once more: still nothing.
    pull_ghl(&ghl, &store, false).await;
    let third = read_bmby(&store, &bmby).await;
    assert!(
        third.new_changes.is_empty() && third.replaced == 0,
        "{third:?}"
    );
}

/// The same data on a location that forbids duplicate contacts (GHL's default): two Bmby
/// clients sharing an email or a phone can only be one GHL contact there. The first is written;
/// each other one is held once, pending, saying which client holds the contact — never written
/// over the first one's contact, and never proposed again by the next reads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shared_keys_on_a_location_forbidding_duplicates_are_held_once() {
    let ghl_sb = Sandbox::start(SandboxConfig {
        seed: Seed::Generated { contacts: 30 },
        rate_limit_interval: Duration::from_secs(1),
        ..Default::default()
    })
    .await
    .unwrap();
    let bmby_sb = BmbySandbox::start(BmbySandboxConfig {
        seed: BmbySeed::Generated { clients: CLIENTS },
        ..Default::default()
    })
    .await
    .unwrap();
    let groups = share_keys(&bmby_sb, &ghl_sb);
    let ghl = ghl_support::fast_client(&ghl_sb.base_url());
    let bmby = bmby_client(&bmby_sb);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();
    let contacts_before = ghl_sb.contact_count();

    sync::fetch_custom_fields(&ghl, &store).await.unwrap();
    pull_ghl(&ghl, &store, true).await;
    read_bmby(&store, &bmby).await;
    for c in store.changes().unwrap() {
        review::approve(&store, c.id).unwrap();
    }
    dispatch::dispatch_all(&ghl, &store).await.unwrap();

    // Every change was written, or held for a person: one per extra member of a group.
    let changes = store.changes().unwrap();
    let held: Vec<_> = changes
        .iter()
        .filter(|c| c.state == ChangeState::Pending)
        .collect();
    let expected_held: usize = groups.iter().map(|g| g.len() - 1).sum();
    assert_eq!(held.len(), expected_held, "{held:#?}");
    assert!(
        changes
            .iter()
            .all(|c| matches!(c.state, ChangeState::Applied | ChangeState::Pending)),
        "{changes:#?}"
    );
    for c in &held {
        let m = c
            .matched
            .as_ref()
            .expect("a held create says what it matched");
        assert!(
            m.linked_client.as_deref().is_some_and(|l| l != c.client_id),
            "{c:#?}"
        );
    }

    // No contact holds two clients' data.
    let links: HashMap<String, String> = store.link_map().unwrap();
    assert_eq!(links.len(), CLIENTS - expected_held);
    let mut per_contact: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (client, contact) in &links {
        per_contact.entry(contact).or_default().push(client);
    }
    assert!(
        per_contact.values().all(|v| v.len() == 1),
        "{per_contact:?}"
    );
    pull_ghl(&ghl, &store, false).await;
    for (client, contact) in &links {
        let c = store.contact(contact).unwrap().unwrap();
        let b = bmby_sb.client(client).unwrap();
        assert_eq!(
            c.first_name.as_deref(),
            b.fields.get("fname").map(String::as_str),
            "contact {contact} of client {client}"
        );
    }
    let created = links
        .values()
        .filter(|c| !c.starts_with("ghlShared"))
        .count();
    assert_eq!(ghl_sb.contact_count(), contacts_before + created);

    // The next reads propose nothing new: the held ones stay as they are, shown once.
    for _ in 0..2 {
        pull_ghl(&ghl, &store, false).await;
        let again = read_bmby(&store, &bmby).await;
        assert!(
            again.new_changes.is_empty() && again.replaced == 0,
            "{again:?}"
        );
        let pending = store
            .changes()
            .unwrap()
            .iter()
            .filter(|c| c.state == ChangeState::Pending)
            .count();
        assert_eq!(pending, expected_held);
    }
}
