//! `bmby-ghl journal` and `bmby-ghl revert` through the real binary against the stand-in:
//! the journal names the contact with each field before → after in Israel time, `revert`
//! proposes a pending change and prints it, and approving and applying it puts GHL back.

use crate::cli_support::{bin, ok};

use bmby_ghl::domain::{Change, ChangeKind, ChangeState, FieldChange, Subject, Target};
use bmby_ghl::sandbox::{Sandbox, SandboxConfig, Seed, DEMO_LOCATION_ID};
use bmby_ghl::store::Store;
use serde_json::Value;

/// The `#N` of the first journal line holding `needle`.
fn entry_number(journal: &str, needle: &str) -> u64 {
    let line = journal
        .lines()
        .find(|l| l.starts_with('#') && l.contains(needle))
        .unwrap_or_else(|| panic!("no entry with {needle} in\n{journal}"));
    line[1..line.find(' ').unwrap()].parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journal_text_then_revert_approve_apply_puts_ghl_back() {
    let sb = Sandbox::start(SandboxConfig {
        seed: Seed::Demo,
        ..Default::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    ok(&bin(&sb, dir.path(), &["sync"]));

    // An approved update of one contact's city (as an import and `approve` would leave it).
    let (contact_id, name, city_before) = {
        let store = Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();
        let c = store
            .contacts_without_raw()
            .unwrap()
            .into_iter()
            .find(|c| c.city.is_some() && c.first_name.is_some())
            .unwrap();
        let id = store.next_seq("change").unwrap();
        store
            .put_change(&Change {
                id,
                kind: ChangeKind::Update,
                state: ChangeState::Approved,
                client_id: "300777".into(),
                contact_id: Some(c.id.clone()),
                display_name: c.display_name(),
                fields: vec![FieldChange {
                    field: "city".into(),
                    label: "City".into(),
                    source_field: "city".into(),
                    ghl_now: c.city.clone(),
                    proposed: Some("רמת גן".into()),
                    edited: false,
                    value_json: None,
                }],
                base_date_updated: c.date_updated.clone(),
                origin: "clients.csv row 2".into(),
                warnings: vec![],
                candidates: vec![],
                fingerprint: "f".into(),
                created_at: String::new(),
                updated_at: String::new(),
                subject: Subject::Contact,
                target: Target::Ghl,
                choice: None,
                matched: None,
                removable_tags: Vec::new(),
            })
            .unwrap();
        store.flush().unwrap();
        (c.id.clone(), c.display_name(), c.city.clone().unwrap())
    };
    ok(&bin(&sb, dir.path(), &["apply"]));

    // The journal in text: who, and the field before → after; times in Israel time.
    let journal = ok(&bin(&sb, dir.path(), &["journal"]));
    let seq = entry_number(&journal, &format!("PUT /contacts/{contact_id}"));
    assert!(
        journal.contains(&format!("    {name} ({contact_id})")),
        "{journal}"
    );
    assert!(
        journal.contains(&format!("    City: {city_before} → רמת גן")),
        "{journal}"
    );
    assert!(
        journal.contains("Times are Israel time (Asia/Jerusalem)."),
        "{journal}"
    );
    assert!(
        journal
            .split_whitespace()
            .all(|w| w.parse::<jiff::Timestamp>().is_err()),
        "no UTC instant in text: {journal}"
    );
    assert!(journal.contains(" · change #"), "{journal}");
    let j: Value =
        serde_json::from_str(&ok(&bin(&sb, dir.path(), &["journal", "--json"]))).unwrap();
    let e = j["journal"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["seq"] == seq)
        .unwrap();
    assert_eq!(e["contact_name"], name.as_str());
    assert_eq!(e["values"][0]["before"], city_before.as_str());
    assert!(
        e["at"].as_str().unwrap().ends_with('Z'),
        "JSON keeps ISO 8601"
    );

    // revert: a pending change, printed with its diff; nothing sent yet.
    let out = ok(&bin(&sb, dir.path(), &["revert", &seq.to_string()]));
    assert!(out.starts_with("proposed change #"), "{out}");
    assert!(
        out.contains(&format!("revert of journal #{seq}, pending")),
        "{out}"
    );
    assert!(
        out.contains(&format!("    City: רמת גן → {city_before}")),
        "{out}"
    );
    let new_id: u64 = out["proposed change #".len()..]
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    // A second revert of the same entry while the first waits is refused, saying why.
    let again = bin(&sb, dir.path(), &["revert", &seq.to_string(), "--json"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&again.stderr)
            .contains(&format!("already being reverted by change {new_id}")),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );

    ok(&bin(&sb, dir.path(), &["approve", &new_id.to_string()]));
    ok(&bin(&sb, dir.path(), &["apply"]));
    let one: Value = serde_json::from_str(&ok(&bin(
        &sb,
        dir.path(),
        &["contact", &contact_id, "--json"],
    )))
    .unwrap();
    assert_eq!(one["contact"]["city"], city_before.as_str());
}
