//! Schemas 3, 5 and 6 → 7: each contact's three records (`contacts`, `contact_rows`,
//! `contacts_raw`) of 3 to 5 become one, the raw JSON compressed (schema 3 stored it plain), and
//! schema 6's one record a contact keyed by id (`contact_records`) moves to schema 7's records
//! in the order stored (`contacts_by_seq`, with the index `contact_id_buckets`); nothing else in the
//! cache changes: every contact (its raw JSON byte for byte, its list row), change, outbox
//! entry, link, journal entry, task, note, recent entry, webhook record and the pull cursor
//! survive; the old trees are dropped.
//!
//! A schema-5 cache is made from a schema-7 one: the contacts written as schema 5 wrote them
//! (`store::write_v5_contacts`, the code schema 5 ran) instead of schema 7's trees, plus a
//! `list_changed` mark, and the version set; a schema-3 one by rewriting the raw records as
//! the plain JSON text schema 3 stored; a schema-6 one with `store::write_v6_contacts`.

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

/// Schema 7's trees of contact records: emptied (with the index's mark in `meta`) where a
/// test writes an older layout instead.
const V7_TREES: [&str; 2] = ["contacts_by_seq", "contact_id_buckets"];

fn clear_schema_7(db: &sled::Db, contacts: &[Contact]) {
    // The index may not hold the ids yet (a pull settles it at its end).
    assert_eq!(
        db.open_tree(V7_TREES[0]).unwrap().len(),
        contacts.len(),
        "schema 7: one record a contact"
    );
    for name in V7_TREES {
        db.open_tree(name).unwrap().clear().unwrap();
    }
    db.open_tree("meta")
        .unwrap()
        .remove("contact_seqs_through")
        .unwrap();
}

/// Rewrites the cache at `path` as schema 6 left it: one record a contact in
/// `contact_records`, keyed by id.
fn make_schema_6(path: &std::path::Path, contacts: &[Contact]) {
    let db = sled_open(path);
    clear_schema_7(&db, contacts);
    bmby_ghl::store::write_v6_contacts(&db, contacts).unwrap();
    db.open_tree("meta")
        .unwrap()
        .insert("schema_version", b"6".to_vec())
        .unwrap();
    db.flush().unwrap();
}

/// Rewrites the cache at `path` as schema 5 left it: the contacts in schema 5's three trees
/// (none in schema 7's), a `list_changed` mark. Returns the bytes of schema 5's three
/// records of every contact.
fn make_schema_5(path: &std::path::Path, contacts: &[Contact]) -> usize {
    let db = sled_open(path);
    clear_schema_7(&db, contacts);
    bmby_ghl::store::write_v5_contacts(&db, contacts).unwrap();
    db.open_tree("list_changed")
        .unwrap()
        .insert(contacts[0].id.as_bytes(), &7u64.to_be_bytes()[..])
        .unwrap();
    db.open_tree("meta")
        .unwrap()
        .insert("schema_version", b"5".to_vec())
        .unwrap();
    db.flush().unwrap();
    ["contacts", "contact_rows", "contacts_raw"]
        .iter()
        .map(|t| {
            let t = db.open_tree(t).unwrap();
            t.iter().map(|kv| kv.unwrap().1.len()).sum::<usize>()
        })
        .sum()
}

/// Rewrites a schema-5 cache at `path` as schema 3 left it: raw records as plain JSON text.
fn make_schema_3(path: &std::path::Path, raws: &[(String, String)]) {
    let db = sled_open(path);
    let raw = db.open_tree("contacts_raw").unwrap();
    for (id, json) in raws {
        let stored = raw.get(id).unwrap().unwrap();
        assert_ne!(&*stored, json.as_bytes(), "schema 5 stores it compressed");
        raw.insert(id, json.as_bytes()).unwrap();
    }
    db.open_tree("meta")
        .unwrap()
        .insert("schema_version", b"3".to_vec())
        .unwrap();
    db.flush().unwrap();
}

/// sled's own open of a cache this process had open (its lock waited out).
fn sled_open(path: &std::path::Path) -> sled::Db {
    loop {
        match sled::open(path) {
            Ok(db) => return db,
            Err(_) => std::thread::yield_now(),
        }
    }
}

/// Opens a cache this process had open (sled may hold its lock a moment after the last
/// handle is dropped: "in use" is waited out).
fn reopen(dir: &std::path::Path) -> Store {
    Store::open_waiting(dir, LOC, std::time::Duration::from_secs(30))
        .unwrap_or_else(|e| panic!("reopening {}: {e} ({e:?})", dir.display()))
}

#[test]
fn schema_5_cache_keeps_everything_in_one_record_a_contact() {
    migrates_keeping_everything(5);
}

#[test]
fn schema_3_cache_keeps_everything_and_its_raw_records_are_compressed() {
    migrates_keeping_everything(3);
}

#[test]
fn schema_6_cache_keeps_everything_in_the_order_stored() {
    migrates_keeping_everything(6);
}

fn migrates_keeping_everything(from: u32) {
    assert_eq!(
        SCHEMA_VERSION, 7,
        "7 stores one record a contact in the order stored (src/store/contact_table.rs)"
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
    let hook_id;
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
        hook_id = match s
            .put_webhook(
                "wh1",
                "2026-12-01T10:00:01Z".parse().unwrap(),
                r#"{"type":"ContactUpdate","id":"c0005"}"#,
            )
            .unwrap()
        {
            bmby_ghl::store::PutWebhook::Stored(id) => id,
            other => panic!("{other:?}"),
        };
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
    let v5_size = if from == 6 {
        make_schema_6(&path, &contacts);
        0
    } else {
        make_schema_5(&path, &contacts)
    };
    if from == 3 {
        make_schema_3(&path, &raws);
    }
    let plain_size: usize = raws.iter().map(|(_, j)| j.len()).sum();

    let s = reopen(dir.path());
    assert_eq!(s.meta("schema_version").as_deref(), Some("7"));
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
    let hooks = s.webhook_inbox(10).unwrap();
    assert_eq!(hooks.len(), 1, "webhook delivery kept");
    assert!(hooks[0].1.body.contains("c0005"));
    assert!(s.webhook_seen("wh1").unwrap());
    // Compacted into a new directory (`src/store/compact.rs`): ids keep growing, nothing left
    // beside the cache.
    match s
        .put_webhook("wh2", "2026-12-01T10:00:02Z".parse().unwrap(), "{}")
        .unwrap()
    {
        bmby_ghl::store::PutWebhook::Stored(id) => assert!(id > hook_id, "{id} after {hook_id}"),
        other => panic!("{other:?}"),
    }
    assert!(s.next_id().unwrap() > hook_id);
    for side in ["compacting", "compacted", "precompact"] {
        let mut p = path.clone().into_os_string();
        p.push(format!(".{side}"));
        assert!(!std::path::Path::new(&p).exists(), "{side} left behind");
    }
    // The list (snapshot forgotten: read from the records) is every contact.
    let (list, kind) = s.contact_list_traced().unwrap();
    assert_eq!(kind, bmby_ghl::store::list_snapshot::ListSourceKind::Rows);
    assert_eq!(list.len(), 1200);
    drop(s);

    // One record a contact now, the old trees gone, the raw JSON compressed.
    let db = sled_open(&path);
    let names = db.tree_names();
    for old in [
        "contacts",
        "contacts_raw",
        "contact_rows",
        "list_changed",
        "contact_records",
    ] {
        assert!(
            !names.iter().any(|n| &n[..] == old.as_bytes()),
            "{old} dropped"
        );
    }
    assert_eq!(db.open_tree(V7_TREES[0]).unwrap().len(), 1200);
    let buckets = db.open_tree(V7_TREES[1]).unwrap();
    let ids: usize = buckets
        .iter()
        .map(|kv| {
            let v = kv.unwrap().1;
            // `[length u16 LE][id][u64]` entries: count them.
            let (mut n, mut at) = (0, 0);
            while at + 2 <= v.len() {
                at += 2 + u16::from_le_bytes([v[at], v[at + 1]]) as usize + 8;
                n += 1;
            }
            n
        })
        .sum();
    assert_eq!(ids, 1200, "every id in the index");
    if from == 6 {
        return;
    }
    let records = db.open_tree("contacts_by_seq").unwrap();
    let size: usize = records.iter().map(|kv| kv.unwrap().1.len()).sum();
    // Smaller than schema 5's three records (varint lengths instead of 8-byte ones), and
    // the raw JSON compressed: these small records (about 300 bytes of pretty JSON each)
    // with their row and lean contact take about what the plain JSON alone took.
    assert!(
        size * 10 < v5_size * 8 && size * 10 < plain_size * 13,
        "records {size} bytes, schema 5 {v5_size}, raw JSON {plain_size} plain"
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
    make_schema_5(&path, &contacts);
    make_schema_3(&path, &half);
    let s = reopen(dir.path());
    for c in &contacts {
        assert_eq!(s.contact(&c.id).unwrap().unwrap().raw_json, c.raw_json);
    }
    assert_eq!(s.meta("schema_version").as_deref(), Some("7"));
}

/// A migration to 6 interrupted after some contacts were rewritten (the version still 5, the
/// old trees there), and one to 7 interrupted the same way, run again and end with every
/// contact once.
#[test]
fn an_interrupted_migration_runs_again() {
    let dir = tempfile::tempdir().unwrap();
    let contacts: Vec<Contact> = (0..30).map(contact).collect();
    let path = {
        let s = Store::open(dir.path(), LOC).unwrap();
        s.put_contacts(&contacts).unwrap();
        s.flush().unwrap();
        s.path().to_path_buf()
    };
    make_schema_5(&path, &contacts);
    drop(reopen(dir.path()));
    // What an interruption leaves: the version still 5, the old trees, half the new records.
    let db = sled_open(&path);
    bmby_ghl::store::write_v5_contacts(&db, &contacts).unwrap();
    let records = db.open_tree("contact_records").unwrap();
    for c in &contacts[15..] {
        records.remove(c.id.as_bytes()).unwrap();
    }
    db.open_tree("meta")
        .unwrap()
        .insert("schema_version", b"5".to_vec())
        .unwrap();
    db.flush().unwrap();
    drop((records, db));
    let s = reopen(dir.path());
    assert_eq!(s.meta("schema_version").as_deref(), Some("7"));
    assert_eq!(s.contact_count(), 30);
    for c in &contacts {
        assert_eq!(&s.contact(&c.id).unwrap().unwrap(), c);
    }
    drop(s);
    // A migration to 7 interrupted: the version still 6, `contact_records` whole, part of
    // the new records written (here: every other one, and one more in the index).
    let db = sled_open(&path);
    bmby_ghl::store::write_v6_contacts(&db, &contacts).unwrap();
    let by_seq = db.open_tree("contacts_by_seq").unwrap();
    let half: Vec<sled::IVec> = by_seq
        .iter()
        .keys()
        .step_by(2)
        .map(|k| k.unwrap())
        .collect();
    for k in half {
        by_seq.remove(k).unwrap();
    }
    db.open_tree("meta")
        .unwrap()
        .insert("schema_version", b"6".to_vec())
        .unwrap();
    db.flush().unwrap();
    drop((by_seq, db));
    let s = reopen(dir.path());
    assert_eq!(s.meta("schema_version").as_deref(), Some("7"));
    assert_eq!(s.contact_count(), 30, "every contact once");
    for c in &contacts {
        assert_eq!(&s.contact(&c.id).unwrap().unwrap(), c);
    }
}
