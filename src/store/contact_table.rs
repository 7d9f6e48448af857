//! The contact records in the order they were first written (schema 7, issue #14: pull CPU at a
//! million contacts).
//!
//! Two trees:
//! - `contacts_by_seq`: sequence number (`u64` big-endian, 1, 2, 3, … in the order contacts were
//!   first stored) → the contact's record (`super::record`), which holds its id;
//! - `contact_id_buckets`: the index from contact id to sequence number, in buckets of ids
//!   (`super::id_buckets`).
//!
//! Why: a pull receives contacts sorted by `dateUpdated`, so their ids arrive in random order.
//! Keyed by id (schema 6), every insert landed in a random leaf of a tree far larger than
//! sled's page cache, which sled had to read back from its log first: at a million contacts most
//! of a pull's CPU (30 µs a contact out of 68 under load). A new contact now goes at the end of
//! `contacts_by_seq`, into the leaf sled just wrote; contacts received again by a later pull
//! come mostly in the same order and rewrite their records in place.
//!
//! The ids of newly stored contacts are kept in memory ([`Pending`]) and written into the
//! index many at once, bucket by bucket in key order ([`ContactTable::settle`]: at the end of a
//! pull, and whenever [`SETTLE_AT`] are waiting), which writes each bucket once instead of once
//! per contact. `meta` `contact_seqs_through` says up to which sequence number the
//! ids are all in the index; at open, the records after it (what a crash left unsettled)
//! are read again into [`Pending`]. The index is derived: everything in it can be rebuilt from
//! the records.
//!
//! Storing a contact first asks whether its id is cached. At a million contacts the index
//! is larger than sled's page cache, so asking it about an id it does not hold (every contact
//! of a first pull) read a leaf back from the log: 7.6 µs a contact. When the index is
//! empty at the first store of the process (a first pull), [`Pending::known`] keeps a 64-bit
//! hash of every id settled since (about 16 MB a million), so an id whose hash is not there is new
//! without asking sled. Otherwise lookups ask the tree: most ids stored again are cached, which
//! a hash cannot answer, and a process browsing a large cache keeps its memory.
//!
//! A lookup checks that the record found holds the id asked for, so a stale entry (a crash
//! between removing a record and its id) reads as "not cached" rather than as another contact.

use std::collections::{HashMap, HashSet};
use std::hash::Hasher;
use std::sync::{Arc, Mutex, MutexGuard};

use sled::IVec;

use super::id_buckets::{self, bucket_of};

/// Key in `meta`: every record up to this sequence number has its id in the index.
const META_THROUGH: &[u8] = b"contact_seqs_through";

/// Key in `meta`: no record was ever given a sequence number at or above this one, so a
/// number is never given twice (a removed contact's number is not reused, and an index entry
/// left behind by a crash can only point at no record).
const META_NEXT: &[u8] = b"contact_seq_next";

/// Ids waiting in memory before [`ContactTable::put`] settles them into the index
/// (about 70 bytes each: 18 MB at most).
pub(super) const SETTLE_AT: usize = 262_144;

/// Ids settled into the index per batch (the lock is taken between batches, so lookups
/// never wait for a whole settle).
const SETTLE_BATCH: usize = 256;

/// The records of newly stored contacts whose ids are not in the index yet.
#[derive(Default)]
struct Pending {
    /// The sequence number the next new contact gets.
    next: u64,
    ids: HashMap<Box<str>, u64>,
    /// The hash ([`id_hash`]) of every id in the index, when kept (see the module doc);
    /// ids removed since may still be here (a lookup then asks the tree).
    known: Known,
}

/// Whether [`Pending::known`] is kept.
#[derive(Default)]
enum Known {
    /// Not decided yet: the first store decides.
    #[default]
    Undecided,
    /// the index was not empty at the first store: lookups ask it.
    Off,
    /// Every id settled since the index was empty.
    On(HashSet<u64>),
}

/// A 64-bit hash of a contact id, the same in every process (SipHash with fixed keys).
fn id_hash(id: &str) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    h.write(id.as_bytes());
    h.finish()
}

/// The contacts' records and the index from id to record (see the module doc). Cheap to clone.
#[derive(Clone)]
pub(super) struct ContactTable {
    records: sled::Tree,
    /// `contact_id_buckets` (`super::id_buckets`).
    buckets: sled::Tree,
    meta: sled::Tree,
    pending: Arc<Mutex<Pending>>,
    /// One settle at a time.
    settling: Arc<Mutex<()>>,
}

fn be(seq: u64) -> [u8; 8] {
    seq.to_be_bytes()
}

fn seq_of_bytes(v: &[u8]) -> Option<u64> {
    <[u8; 8]>::try_from(v).ok().map(u64::from_be_bytes)
}

/// The id stored in a record, if it reads.
fn record_id(v: &[u8]) -> Option<&str> {
    super::record::row(v).ok().map(|r| r.id)
}

impl ContactTable {
    /// Opens the table over its two trees, reading into memory the ids of records stored after
    /// the last settle (see the module doc). Errors: sled's.
    pub(super) fn open(db: &sled::Db, meta: sled::Tree) -> sled::Result<ContactTable> {
        let records = db.open_tree("contacts_by_seq")?;
        let buckets = db.open_tree("contact_id_buckets")?;
        let through = meta
            .get(META_THROUGH)?
            .and_then(|v| seq_of_bytes(&v))
            .unwrap_or(0);
        let mut pending = Pending {
            next: records
                .last()?
                .and_then(|(k, _)| seq_of_bytes(&k))
                .map_or(1, |s| s + 1)
                .max(
                    meta.get(META_NEXT)?
                        .and_then(|v| seq_of_bytes(&v))
                        .unwrap_or(1),
                ),
            ids: HashMap::new(),
            known: Known::Undecided,
        };
        for kv in records.range(be(through.saturating_add(1))..) {
            let (k, v) = kv?;
            match (seq_of_bytes(&k), record_id(&v)) {
                (Some(seq), Some(id)) => {
                    pending.ids.insert(id.into(), seq);
                }
                _ => tracing::warn!(
                    key = ?&k[..],
                    "cached contact record unreadable; left out of the id index"
                ),
            }
        }
        if !pending.ids.is_empty() {
            tracing::info!(
                contacts = pending.ids.len(),
                "contact ids read again from records stored after the last settle"
            );
        }
        let waiting = !pending.ids.is_empty();
        let table = ContactTable {
            records,
            buckets,
            meta,
            pending: Arc::new(Mutex::new(pending)),
            settling: Arc::default(),
        };
        if waiting {
            // Settled now, so the next open does not read them again.
            table.settle()?;
        }
        Ok(table)
    }

    fn lock(&self) -> MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The sequence number of `id`'s record, if it has one (a stale index entry included).
    /// Asks the index unless [`Pending::known`] is kept and lacks the id's hash.
    fn seq(&self, p: &Pending, id: &str) -> sled::Result<Option<u64>> {
        if let Some(s) = p.ids.get(id) {
            return Ok(Some(*s));
        }
        if matches!(&p.known, Known::On(k) if !k.contains(&id_hash(id))) {
            return Ok(None);
        }
        Ok(self
            .buckets
            .get(bucket_of(id_hash(id)))?
            .and_then(|b| id_buckets::find(&b, id)))
    }

    /// At the first store of the process: keeps [`Pending::known`] when the index is
    /// empty (a first pull: every id new), else leaves lookups to the tree (most ids stored
    /// again are cached, which a hash set cannot answer, and it would cost a large cache 16 MB
    /// of memory a million ids). Errors: sled's.
    fn know(&self, p: &mut Pending) -> sled::Result<()> {
        if matches!(p.known, Known::Undecided) {
            p.known = if self.buckets.is_empty() {
                Known::On(HashSet::new())
            } else {
                Known::Off
            };
        }
        Ok(())
    }

    /// The record of contact `id`, or `None` when it is not cached. A record that does not
    /// decode is returned as it is (the caller names it corrupt). Errors: sled's.
    pub(super) fn get(&self, id: &str) -> sled::Result<Option<IVec>> {
        let seq = {
            let p = self.lock();
            self.seq(&p, id)?
        };
        let Some(seq) = seq else { return Ok(None) };
        Ok(self
            .records
            .get(be(seq))?
            .filter(|v| record_id(v).is_none_or(|found| found == id)))
    }

    /// Stores records, each under its contact id: a contact already cached keeps its place,
    /// a new one goes at the end. Atomic for the batch. Settles the index when
    /// [`SETTLE_AT`] new ids are waiting. Errors: sled's.
    pub(super) fn put<'a>(
        &self,
        items: impl IntoIterator<Item = (&'a str, &'a [u8])>,
    ) -> sled::Result<()> {
        let settle = {
            let mut p = self.lock();
            self.know(&mut p)?;
            let mut batch = sled::Batch::default();
            let next_before = p.next;
            for (id, bytes) in items {
                let seq = match self.seq(&p, id)? {
                    Some(s) => s,
                    None => {
                        // Known from here on, also to a later item of this batch. Should the
                        // batch fail, the number points at no record: read as not cached.
                        let s = p.next;
                        p.next += 1;
                        p.ids.insert(id.into(), s);
                        s
                    }
                };
                batch.insert(&be(seq)[..], bytes);
            }
            if p.next != next_before {
                // Before the records: a crash in between leaves numbers unused, never reused.
                self.meta.insert(META_NEXT, &be(p.next)[..])?;
            }
            self.records.apply_batch(batch)?;
            p.ids.len() >= SETTLE_AT
        };
        if settle {
            self.settle()?;
        }
        Ok(())
    }

    /// Removes contact `id`'s record and its index entry; `true` when there was one.
    /// The record goes first: a crash in between leaves an index entry that lookups ignore.
    /// Errors: sled's.
    pub(super) fn remove(&self, id: &str) -> sled::Result<bool> {
        let mut p = self.lock();
        let Some(seq) = self.seq(&p, id)? else {
            return Ok(false);
        };
        let mut found = false;
        if let Some(v) = self.records.get(be(seq))? {
            if record_id(&v).is_none_or(|f| f == id) {
                self.records.remove(be(seq))?;
                found = true;
            }
        }
        p.ids.remove(id);
        let key = bucket_of(id_hash(id));
        match id_buckets::edited(self.buckets.get(key)?.as_deref(), &[], &[id]) {
            Some(b) => self.buckets.insert(&key[..], b)?,
            None => self.buckets.remove(key)?,
        };
        Ok(found)
    }

    /// Writes the ids waiting in memory into the index, in id order and in batches, then
    /// moves `contact_seqs_through` on. Errors: sled's.
    pub(super) fn settle(&self) -> sled::Result<()> {
        let _one = self.settling.lock().unwrap_or_else(|e| e.into_inner());
        let (mut waiting, through) = {
            let p = self.lock();
            if p.ids.is_empty() {
                return Ok(());
            }
            let w: Vec<([u8; 2], u64, Box<str>, u64)> = p
                .ids
                .iter()
                .map(|(id, seq)| {
                    let h = id_hash(id);
                    (bucket_of(h), h, id.clone(), *seq)
                })
                .collect();
            // Every sequence number below `next` was given out before this lock was taken,
            // so its id is in `waiting` or already in the index.
            (w, p.next - 1)
        };
        waiting.sort_unstable_by_key(|w| w.0);
        let mut start = 0;
        while start < waiting.len() {
            // Whole buckets, about SETTLE_BATCH ids; under the lock, so a removal in between
            // cannot lose its edit of a bucket this batch rewrites.
            let mut end = (start + SETTLE_BATCH).min(waiting.len());
            while end < waiting.len() && waiting[end].0 == waiting[end - 1].0 {
                end += 1;
            }
            let chunk = &waiting[start..end];
            let mut p = self.lock();
            let mut batch = sled::Batch::default();
            for group in chunk.chunk_by(|a, b| a.0 == b.0) {
                let adds: Vec<(&str, u64)> =
                    group.iter().map(|(_, _, id, s)| (&**id, *s)).collect();
                let old = self.buckets.get(group[0].0)?;
                if let Some(b) = id_buckets::edited(old.as_deref(), &adds, &[]) {
                    batch.insert(&group[0].0[..], b);
                }
            }
            self.buckets.apply_batch(batch)?;
            for (_, h, id, s) in chunk {
                if let Known::On(k) = &mut p.known {
                    k.insert(*h);
                }
                if p.ids.get(id) == Some(s) {
                    p.ids.remove(id);
                }
            }
            drop(p);
            start = end;
        }
        self.meta.insert(META_THROUGH, &be(through)[..])?;
        Ok(())
    }

    /// Every record, in the order first stored, with its sequence number.
    pub(super) fn iter(&self) -> impl Iterator<Item = sled::Result<(u64, IVec)>> {
        self.records
            .iter()
            .map(|kv| kv.map(|(k, v)| (seq_of_bytes(&k).unwrap_or(0), v)))
    }

    /// Number of cached contacts (sled walks the tree).
    pub(super) fn len(&self) -> usize {
        self.records.len()
    }

    pub(super) fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Removes every record and index entry. Errors: sled's.
    pub(super) fn clear(&self) -> sled::Result<()> {
        let mut p = self.lock();
        self.records.clear()?;
        self.buckets.clear()?;
        p.ids.clear();
        p.known = Known::On(HashSet::new());
        self.meta.remove(META_THROUGH)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str) -> Vec<u8> {
        let c = crate::domain::Contact {
            id: id.into(),
            first_name: Some(format!("name {id}")),
            ..Default::default()
        };
        let mut buf = Vec::new();
        super::super::record::encode_into(&c, &mut buf);
        buf
    }

    /// Opens the database this test just closed: sled's threads hold its lock a moment after
    /// the last handle is dropped, so "locked" is waited out (for 30 s at most).
    fn reopen(path: &std::path::Path) -> sled::Db {
        let until = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            match sled::open(path) {
                Ok(db) => return db,
                Err(e) if std::time::Instant::now() > until => panic!("reopening: {e}"),
                Err(_) => std::thread::yield_now(),
            }
        }
    }

    /// Runs `f` on a table of the database in `dir` as a process that then exits would:
    /// the database flushed and closed after it.
    fn in_an_earlier_process(dir: &std::path::Path, f: impl FnOnce(&ContactTable)) {
        let db = sled::open(dir).unwrap();
        f(&table(&db));
        db.flush().unwrap();
    }

    /// The sequence numbers of the records, in order.
    fn seqs(t: &ContactTable) -> Vec<u64> {
        t.iter().map(|kv| kv.unwrap().0).collect()
    }

    fn table(db: &sled::Db) -> ContactTable {
        ContactTable::open(db, db.open_tree("meta").unwrap()).unwrap()
    }

    fn id_of(t: &ContactTable, id: &str) -> Option<String> {
        t.get(id)
            .unwrap()
            .map(|v| record_id(&v).unwrap().to_owned())
    }

    #[test]
    fn new_contacts_go_at_the_end_and_known_ones_keep_their_place() {
        let dir = tempfile::tempdir().unwrap();
        let db = sled::open(dir.path()).unwrap();
        let t = table(&db);
        let (b, a) = (record("b"), record("a"));
        t.put([("b", &b[..]), ("a", &a[..])]).unwrap();
        t.settle().unwrap();
        let c = record("c");
        t.put([("c", &c[..]), ("a", &a[..])]).unwrap();
        let order: Vec<(u64, String)> = t
            .iter()
            .map(|kv| {
                let (s, v) = kv.unwrap();
                (s, record_id(&v).unwrap().to_owned())
            })
            .collect();
        assert_eq!(
            order,
            [(1, "b".into()), (2, "a".into()), (3, "c".into())],
            "first-stored order; `a` rewritten in place"
        );
        for id in ["a", "b", "c"] {
            assert_eq!(id_of(&t, id).as_deref(), Some(id));
        }
        assert_eq!(id_of(&t, "d"), None);
        assert_eq!(t.len(), 3);
    }

    #[test]
    fn ids_not_settled_are_read_again_at_open() {
        let dir = tempfile::tempdir().unwrap();
        in_an_earlier_process(dir.path(), |t| {
            let (a, b) = (record("a"), record("b"));
            t.put([("a", &a[..])]).unwrap();
            t.settle().unwrap();
            // A crash before the next settle: `b` is only in the records.
            t.put([("b", &b[..])]).unwrap();
        });
        let db = reopen(dir.path());
        let t = table(&db);
        assert!(t.lock().ids.is_empty(), "settled at open");
        let through = t.meta.get(META_THROUGH).unwrap().unwrap();
        assert_eq!(seq_of_bytes(&through), Some(2));
        assert_eq!(id_of(&t, "b").as_deref(), Some("b"));
        assert_eq!(id_of(&t, "a").as_deref(), Some("a"));
        // Stored again, `b` keeps its place: no second record.
        let b = record("b");
        t.put([("b", &b[..])]).unwrap();
        assert_eq!(t.len(), 2);
    }

    #[test]
    fn a_contact_settled_by_an_earlier_process_keeps_its_place() {
        let dir = tempfile::tempdir().unwrap();
        let a = record("a");
        in_an_earlier_process(dir.path(), |t| {
            t.put([("a", &a[..])]).unwrap();
            t.settle().unwrap();
        });
        let db = reopen(dir.path());
        let t = table(&db);
        assert!(matches!(t.lock().known, Known::Undecided));
        let b = record("b");
        t.put([("b", &b[..]), ("a", &a[..])]).unwrap();
        assert!(
            matches!(t.lock().known, Known::Off),
            "a cache with ids asks the tree"
        );
        assert_eq!(t.len(), 2, "a rewritten in place, b added");
        assert_eq!(seqs(&t), [1, 2]);
        assert_eq!(id_of(&t, "b").as_deref(), Some("b"));
    }

    #[test]
    fn a_stale_index_entry_never_reads_as_another_contact() {
        let dir = tempfile::tempdir().unwrap();
        let db = sled::open(dir.path()).unwrap();
        let t = table(&db);
        let (a, b) = (record("a"), record("b"));
        t.put([("a", &a[..])]).unwrap();
        t.settle().unwrap();
        // What a crash between the record's removal and its id's leaves: the id points at a
        // sequence number a new contact then gets.
        t.records.remove(be(1)).unwrap();
        t.lock().next = 1;
        t.put([("b", &b[..])]).unwrap();
        assert_eq!(id_of(&t, "a"), None);
        assert_eq!(id_of(&t, "b").as_deref(), Some("b"));
        assert!(!t.remove("a").unwrap(), "b's record is not removed for a");
        assert_eq!(id_of(&t, "b").as_deref(), Some("b"));
        assert!(t.remove("b").unwrap());
        assert_eq!(t.len(), 0);
    }

    #[test]
    fn a_removed_contacts_number_is_never_given_again() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b, c) = (record("a"), record("b"), record("c"));
        in_an_earlier_process(dir.path(), |t| {
            t.put([("a", &a[..]), ("b", &b[..])]).unwrap();
            t.settle().unwrap();
            assert!(t.remove("b").unwrap(), "b was the last record");
        });
        let db = reopen(dir.path());
        let t = table(&db);
        t.put([("c", &c[..])]).unwrap();
        assert_eq!(seqs(&t), [1, 3], "c gets 3, not b's 2");
        assert_eq!(id_of(&t, "b"), None);
        assert_eq!(id_of(&t, "c").as_deref(), Some("c"));
    }

    #[test]
    fn a_contact_twice_in_one_batch_is_stored_once() {
        let dir = tempfile::tempdir().unwrap();
        let db = sled::open(dir.path()).unwrap();
        let t = table(&db);
        let a = record("a");
        t.put([("a", &a[..]), ("a", &a[..])]).unwrap();
        assert_eq!(t.len(), 1);
    }
}
