//! The list snapshot (issue #14): a list loaded from the snapshot plus the rows changed since
//! equals the list read record by record from `contact_rows` (rows, their order, and the name
//! order the TUI sorts by), and a snapshot that is missing, damaged, of another version or
//! stale is ignored and written again.

use bmby_ghl::domain::{Contact, ContactRow, RowList};
use bmby_ghl::store::list_snapshot::{self, ListSourceKind};
use bmby_ghl::store::Store;
use bmby_ghl::tui::app::{sort_order, SortKey};

fn contact(i: usize, gen: usize) -> Contact {
    let names = ["Dana", "dana", "יוסי", "Ünal", "", "אבי", "Zoe", "dan"];
    Contact {
        id: format!("c{:05}", i * 7 % 1000),
        first_name: Some(names[(i + gen) % names.len()].into()).filter(|n: &String| !n.is_empty()),
        last_name: Some(format!("L{}", (i * 13 + gen) % 50)),
        email: (i % 3 != 0).then(|| format!("u{i}.{gen}@x.io")),
        phone: Some(format!("+97254{i:07}")),
        tags: (0..(i + gen) % 4).map(|t| format!("t{t}")).collect(),
        assigned_to: (i % 5 == 0).then(|| format!("usr{gen}")),
        source: Some(format!("src{}", i % 3)),
        date_updated: Some(format!("2026-01-{:02}T00:00:00.000Z", (i + gen) % 28 + 1)),
        ..Default::default()
    }
}

fn rows(l: &RowList) -> Vec<ContactRow> {
    l.iter().map(|r| r.to_row()).collect()
}

/// `list` equals the list read from the rows tree, and its name order is the one the TUI
/// computes by sorting.
fn assert_same_as_rows(s: &Store, list: &RowList) {
    let reference = s.contact_list_from_rows().unwrap();
    assert!(reference.name_order().is_none());
    assert_eq!(rows(list), rows(&reference));
    let sorted = sort_order(&reference, SortKey::Name);
    assert_eq!(list.name_order(), Some(sorted.as_slice()), "name order");
    assert_eq!(sort_order(list, SortKey::Name), sorted);
    assert_eq!(
        sort_order(list, SortKey::Updated),
        sort_order(&reference, SortKey::Updated)
    );
}

/// Opens a cache this process had open: sled may hold its lock a moment after the last
/// handle is dropped, so "in use" is waited out.
fn reopen(path: &std::path::Path) -> Store {
    loop {
        match Store::open_path(path) {
            Err(bmby_ghl::store::StoreError::Locked { .. }) => std::thread::yield_now(),
            r => return r.unwrap(),
        }
    }
}

fn store_with(dir: &std::path::Path, n: usize) -> Store {
    let s = Store::open(dir, "loc1").unwrap();
    let cs: Vec<Contact> = (0..n).map(|i| contact(i, 0)).collect();
    s.put_contacts(&cs).unwrap();
    s
}

#[test]
fn first_load_writes_the_snapshot_and_later_loads_merge_the_changed_rows() {
    let dir = tempfile::tempdir().unwrap();
    let s = store_with(dir.path(), 400);
    let (l, kind) = s.contact_list_traced().unwrap();
    assert_eq!(kind, ListSourceKind::Rows);
    assert_same_as_rows(&s, &l);
    assert!(s.list_snapshot_path().exists());
    let head = list_snapshot::read_head(&s.list_snapshot_path()).unwrap();
    assert_eq!(head.count, 400);
    assert_eq!(head.rows.len(), list_snapshot::HEAD_ROWS);
    assert_eq!(
        head.rows.get(0).unwrap(),
        l.get(l.name_order().unwrap()[0] as usize).unwrap()
    );
    let (l, kind) = s.contact_list_traced().unwrap();
    assert_eq!(kind, ListSourceKind::Snapshot { changed: 0 });
    assert_same_as_rows(&s, &l);

    // Renamed, new (ids between, before and after the others) and removed contacts.
    let changed: Vec<Contact> = (0..60).map(|i| contact(i * 3, 1)).collect();
    s.put_contacts(&changed).unwrap();
    let new: Vec<Contact> = ["a0", "c00003x", "zz9"]
        .iter()
        .map(|id| Contact {
            id: (*id).into(),
            first_name: Some("dana".into()),
            ..Default::default()
        })
        .collect();
    s.put_contacts(&new).unwrap();
    s.remove_contact(&contact(5, 0).id).unwrap();
    s.remove_contact("never-there").unwrap();
    let (l, kind) = s.contact_list_traced().unwrap();
    assert!(
        matches!(kind, ListSourceKind::Snapshot { changed } if changed >= 64),
        "{kind:?}"
    );
    assert_same_as_rows(&s, &l);
    assert_eq!(l.len(), 400 + 3 - 1);

    // Saved again: the marks are gone and the new snapshot alone gives the same list.
    assert!(s.save_list_snapshot().unwrap());
    assert!(!s.save_list_snapshot().unwrap(), "nothing changed since");
    let (l, kind) = s.contact_list_traced().unwrap();
    assert_eq!(kind, ListSourceKind::Snapshot { changed: 0 });
    assert_same_as_rows(&s, &l);
}

#[test]
fn the_snapshot_survives_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    {
        let s = store_with(dir.path(), 100);
        s.contact_list().unwrap();
        s.put_contacts(&[contact(1, 2)]).unwrap();
        s.flush().unwrap();
    }
    let s = reopen(&Store::location_dir(dir.path(), "loc1").join("cache.sled"));
    let (l, kind) = s.contact_list_traced().unwrap();
    assert_eq!(kind, ListSourceKind::Snapshot { changed: 1 });
    assert_same_as_rows(&s, &l);
}

/// Damages the snapshot with `f`, then checks the next load reads the rows, equals them, and
/// writes a good snapshot again.
fn ignored_when(f: impl FnOnce(&Store, &std::path::Path)) {
    let dir = tempfile::tempdir().unwrap();
    let s = store_with(dir.path(), 300);
    s.contact_list().unwrap();
    s.put_contacts(&[contact(2, 3)]).unwrap();
    let path = s.list_snapshot_path();
    f(&s, &path);
    let (l, kind) = s.contact_list_traced().unwrap();
    assert_eq!(kind, ListSourceKind::Rows);
    assert_same_as_rows(&s, &l);
    let (l, kind) = s.contact_list_traced().unwrap();
    assert_eq!(kind, ListSourceKind::Snapshot { changed: 0 });
    assert_same_as_rows(&s, &l);
}

#[test]
fn a_missing_snapshot_is_rebuilt() {
    ignored_when(|_, p| std::fs::remove_file(p).unwrap());
}

#[test]
fn a_damaged_snapshot_is_rebuilt() {
    ignored_when(|_, p| {
        let mut b = std::fs::read(p).unwrap();
        let mid = b.len() / 2;
        b[mid] ^= 0x20;
        std::fs::write(p, b).unwrap();
    });
}

#[test]
fn a_truncated_snapshot_is_rebuilt() {
    ignored_when(|_, p| {
        let b = std::fs::read(p).unwrap();
        std::fs::write(p, &b[..b.len() - 9]).unwrap();
    });
}

#[test]
fn a_snapshot_of_another_version_is_rebuilt() {
    ignored_when(|_, p| {
        let mut b = std::fs::read(p).unwrap();
        b[8..12].copy_from_slice(&(list_snapshot::VERSION + 1).to_le_bytes());
        std::fs::write(p, &b).unwrap();
        assert!(list_snapshot::read_head(p).is_err());
        std::fs::write(p, b).unwrap();
    });
}

#[test]
fn a_stale_snapshot_is_rebuilt() {
    // The file of an earlier snapshot put back after a later one was recorded.
    ignored_when(|s, p| {
        let old = std::fs::read(p).unwrap();
        s.put_contacts(&[contact(9, 4)]).unwrap();
        assert!(s.save_list_snapshot().unwrap());
        std::fs::write(p, old).unwrap();
    });
}

#[test]
fn the_file_reads_without_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let s = store_with(dir.path(), 50);
    let l = s.contact_list().unwrap();
    let (read, stamp) = list_snapshot::read_file(&s.list_snapshot_path(), None).unwrap();
    assert!(stamp > 0);
    assert_eq!(rows(&read), rows(&l));
    assert_eq!(read.name_order(), l.name_order());
    assert!(list_snapshot::read_file(&s.list_snapshot_path(), Some(stamp + 1)).is_err());
    let head = list_snapshot::read_head(&s.list_snapshot_path()).unwrap();
    assert_eq!((head.count, head.stamp), (50, stamp));
    let first: Vec<ContactRow> = l.name_order().unwrap()[..head.rows.len()]
        .iter()
        .map(|&i| l.get(i as usize).unwrap().to_row())
        .collect();
    assert_eq!(head.rows.len(), 50);
    assert_eq!(
        rows(&head.rows),
        first,
        "the head is the first rows by name"
    );
}

#[test]
fn a_prefetched_snapshot_is_used_when_current_and_ignored_when_stale() {
    let dir = tempfile::tempdir().unwrap();
    let path;
    {
        let s = store_with(dir.path(), 120);
        s.contact_list().unwrap();
        s.put_contacts(&[contact(3, 5)]).unwrap();
        path = s.path().to_path_buf();
    }
    let pre = list_snapshot::prefetch(&path);
    assert!(pre.is_some());
    let s = reopen(&path);
    s.use_prefetched_list(pre);
    let (l, kind) = s.contact_list_traced().unwrap();
    assert_eq!(kind, ListSourceKind::Snapshot { changed: 1 });
    assert_same_as_rows(&s, &l);

    // A prefetch of an older file than the store records is not used.
    let old = std::fs::read(s.list_snapshot_path()).unwrap();
    s.put_contacts(&[contact(4, 6)]).unwrap();
    assert!(s.save_list_snapshot().unwrap());
    std::fs::write(s.list_snapshot_path(), &old).unwrap();
    s.use_prefetched_list(list_snapshot::prefetch(&path));
    let (l, kind) = s.contact_list_traced().unwrap();
    assert_eq!(kind, ListSourceKind::Rows);
    assert_same_as_rows(&s, &l);
}
