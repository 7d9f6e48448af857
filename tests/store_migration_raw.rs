//! Schema 3 → 4: the raw contact records are compressed in place, and nothing else in the
//! cache changes: every contact (its raw JSON byte for byte, its list row), change, outbox
//! entry, link, journal entry, task, note, recent entry and the pull cursor survive.
//!
//! A schema-3 cache is made from a schema-4 one by rewriting the raw records as the plain JSON
//! text schema 3 stored (the only difference between the two layouts) and setting the version.

use bmby_ghl::domain::{
    Change, ChangeKind, ChangeState, Contact, FieldChange, JournalEntry, Note, OutboxInfo,
    RecentChange, Task,
};
use bmby_ghl::store::{PullCursor, Store, SCHEMA_VERSION};

const LOC: &str = "locMigration00000001";

fn contact(i: usize) -> Contact {
    let raw = serde_json::to_string_pretty(&serde_json::json!({
        "id": format!("c{i:04}"),
        "locationId": LOC,
        "firstName": if i % 2 == 0 { "יצחק" } else { "Dana" },
        "lastName": format!("כהן {i}"),
        "email": format!("u{i}@example.com"),
        "tags": ["vip", "קונה"],
        "customFields": [{"id": "cf1", "value": "Gold"}],
        "dateUpdated": "2026-11-29T11:55:00.000Z",
    }))
    .unwrap();
    Contact {
        id: format!("c{i:04}"),
        location_id: LOC.into(),
        first_name: Some(if i % 2 == 0 { "יצחק" } else { "Dana" }.into()),
        last_name: Some(format!("כהן {i}")),
        email: Some(format!("u{i}@example.com")),
        tags: vec!["vip".into(), "קונה".into()],
        date_updated: Some("2026-11-29T11:55:00.000Z".into()),
        raw_json: raw,
        ..Default::default()
    }
}

fn change(id: u64, contact_id: &str) -> Change {
    Change {
        id,
        kind: ChangeKind::Update,
        state: ChangeState::Approved,
        client_id: format!("b{id}"),
        contact_id: Some(contact_id.into()),
        display_name: "יצחק כהן".into(),
        fields: vec![FieldChange {
            field: "city".into(),
            label: "City".into(),
            source_field: "city".into(),
            ghl_now: None,
            proposed: Some("חיפה".into()),
            edited: false,
            value_json: None,
        }],
        base_date_updated: Some("2026-11-29T11:55:00.000Z".into()),
        origin: "clients.csv row 2".into(),
        warnings: vec![],
        candidates: vec![],
        fingerprint: format!("fp{id}"),
        created_at: "2026-12-01T10:00:00Z".into(),
        updated_at: "2026-12-01T10:00:00Z".into(),
        subject: Default::default(),
        target: Default::default(),
        choice: None,
        matched: None,
        removable_tags: Vec::new(),
    }
}

/// Rewrites the cache at `path` as schema 3 left it: raw records as plain JSON text.
fn make_schema_3(path: &std::path::Path, raws: &[(String, String)]) {
    let db = sled::open(path).unwrap();
    let raw = db.open_tree("contacts_raw").unwrap();
    for (id, json) in raws {
        let stored = raw.get(id).unwrap().unwrap();
        assert_ne!(&*stored, json.as_bytes(), "schema 4 stores it compressed");
        raw.insert(id, json.as_bytes()).unwrap();
    }
    db.open_tree("meta")
        .unwrap()
        .insert("schema_version", b"3".to_vec())
        .unwrap();
    db.flush().unwrap();
}

#[test]
fn schema_3_cache_keeps_everything_and_its_raw_records_are_compressed() {
    assert_eq!(
        SCHEMA_VERSION, 5,
        "5 only adds the list snapshot (src/store/list_snapshot.rs)"
    );
    let dir = tempfile::tempdir().unwrap();
    let contacts: Vec<Contact> = (0..1200).map(contact).collect();
    let cursor = PullCursor {
        pages: 12,
        fetched: 1200,
        high_water: Some("2026-11-29T11:55:00.000Z".into()),
        done: true,
        ..Default::default()
    };
    let path;
    let (rows_before, changes_before, journal_before, links_before, recent_before, outbox_before);
    {
        let s = Store::open(dir.path(), LOC).unwrap();
        path = s.path().to_path_buf();
        s.put_contacts(&contacts).unwrap();
        s.put_tasks(
            "c0001",
            &[Task {
                id: "t1".into(),
                contact_id: "c0001".into(),
                title: "להתקשר".into(),
                ..Default::default()
            }],
        )
        .unwrap();
        s.put_notes(
            "c0002",
            &[Note {
                id: "n1".into(),
                contact_id: "c0002".into(),
                body: "שורה\nשנייה".into(),
                ..Default::default()
            }],
        )
        .unwrap();
        for id in 1..=3 {
            s.put_change(&change(id, &format!("c{id:04}"))).unwrap();
        }
        s.put_dispatch(
            &change(3, "c0003"),
            &OutboxInfo {
                attempts: 1,
                ..Default::default()
            },
        )
        .unwrap();
        s.put_links(&[("b1".into(), "c0001".into()), ("b2".into(), "c0002".into())])
            .unwrap();
        s.append_journal(JournalEntry {
            change_id: 1,
            request: "PUT /contacts/c0001".into(),
            status: Some(200),
            outcome: "applied".into(),
            at: "2026-12-01T10:01:00Z".into(),
            ..Default::default()
        })
        .unwrap();
        s.put_recent(
            &[RecentChange {
                contact_id: "c0004".into(),
                name: "Dana כהן 4".into(),
                seen_at: "2026-12-01T10:00:00Z".into(),
                ..Default::default()
            }],
            "2026-12-01T10:00:00Z".parse().unwrap(),
        )
        .unwrap();
        s.put_cursor("contacts", &cursor).unwrap();
        rows_before = s.contact_rows().unwrap();
        changes_before = s.changes().unwrap();
        journal_before = s.journal().unwrap();
        links_before = s.links().unwrap();
        recent_before = s.recent().unwrap();
        outbox_before = s.outbox_info(3).unwrap();
        s.flush().unwrap();
    }
    let raws: Vec<(String, String)> = contacts
        .iter()
        .map(|c| (c.id.clone(), c.raw_json.clone()))
        .collect();
    make_schema_3(&path, &raws);
    let plain_size: usize = raws.iter().map(|(_, j)| j.len()).sum();

    let s = Store::open(dir.path(), LOC).unwrap();
    assert_eq!(s.meta("schema_version").as_deref(), Some("5"));
    assert_eq!(s.contact_count(), 1200);
    for c in &contacts {
        let got = s.contact(&c.id).unwrap().expect("contact kept");
        assert_eq!(&got, c, "contact {} kept, raw JSON byte for byte", c.id);
    }
    assert_eq!(s.contact_rows().unwrap(), rows_before);
    assert_eq!(s.changes().unwrap(), changes_before);
    assert_eq!(s.journal().unwrap(), journal_before);
    assert_eq!(s.links().unwrap(), links_before);
    assert_eq!(s.recent().unwrap(), recent_before);
    assert_eq!(s.outbox_info(3).unwrap(), outbox_before);
    assert_eq!(s.cursor("contacts").unwrap(), Some(cursor));
    assert_eq!(s.tasks("c0001").unwrap().unwrap()[0].title, "להתקשר");
    assert_eq!(s.notes("c0002").unwrap().unwrap()[0].body, "שורה\nשנייה");
    drop(s);

    // Stored compressed now, and smaller.
    let db = sled::open(&path).unwrap();
    let raw = db.open_tree("contacts_raw").unwrap();
    let packed: usize = raw.iter().map(|kv| kv.unwrap().1.len()).sum();
    assert_eq!(raw.len(), 1200);
    for kv in raw.iter() {
        assert_eq!(kv.unwrap().1[0], 0xFF, "every record compressed");
    }
    // These small records (about 300 bytes of pretty JSON each) shrink to about half.
    assert!(
        packed * 10 < plain_size * 6,
        "raw records {packed} bytes compressed, {plain_size} plain"
    );
}

/// A migration interrupted half-way (some records compressed, the version still 3) finishes
/// on the next open.
#[test]
fn half_migrated_raw_tree_reads_and_finishes() {
    let dir = tempfile::tempdir().unwrap();
    let contacts: Vec<Contact> = (0..10).map(contact).collect();
    let path = {
        let s = Store::open(dir.path(), LOC).unwrap();
        s.put_contacts(&contacts).unwrap();
        s.flush().unwrap();
        s.path().to_path_buf()
    };
    let half: Vec<(String, String)> = contacts
        .iter()
        .step_by(2)
        .map(|c| (c.id.clone(), c.raw_json.clone()))
        .collect();
    make_schema_3(&path, &half);
    let s = Store::open(dir.path(), LOC).unwrap();
    for c in &contacts {
        assert_eq!(s.contact(&c.id).unwrap().unwrap().raw_json, c.raw_json);
    }
    assert_eq!(s.meta("schema_version").as_deref(), Some("5"));
}
