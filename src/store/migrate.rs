//! Migrating a cache of schema 2 to 5 (three trees a contact) to schema 6 (one record a
//! contact, `super::record`, keyed by contact id in `contact_records`), and schema 6 to 7 (the
//! same records in the order first stored, with an index from id: `super::contact_table`).
//!
//! Schemas 3 to 5 kept each contact in `contacts` (the [`Contact`] without its raw JSON,
//! bincode), `contact_rows` (its [`ContactRow`], bincode) and `contacts_raw` (the raw JSON,
//! DEFLATE-compressed since 4, plain text in 3); 2 had the same trees with smaller records,
//! so its contacts are rebuilt from the raw JSON by the pull's own parser. Each contact's
//! three records become one in `contact_records` (the compressed raw JSON copied as is, plain
//! JSON compressed), in batches; then the old trees and `list_changed` are dropped. Tasks,
//! notes, appointments, custom fields, changes, outbox, journal, links, cursors, recent
//! entries and webhook records are other trees and are not touched.
//!
//! Schema 6 to 7 copies each record as it is, in id order, into `contacts_by_seq` (numbered 1,
//! 2, 3, …) and its id into the index (`super::id_buckets`), then drops `contact_records`.
//!
//! An interrupted migration starts again on the next open (the version is written last, the
//! old trees are dropped only after the new records are flushed; rewriting a record is
//! harmless, and the copy to 7 starts from empty trees). A contact whose records cannot be read is dropped and the pull cursors cleared,
//! so the next pull is a full one and brings it back.

use super::db::{Store, StoreError};
use super::record;
use crate::domain::{Contact, ContactRow};

/// Contacts rewritten per batch.
const BATCH: usize = 5_000;

/// The trees of schema 5 that schema 6 no longer has.
const V5_TREES: [&str; 4] = ["contacts", "contacts_raw", "contact_rows", "list_changed"];

/// Schema 6's tree: contact id → record.
const V6_TREE: &str = "contact_records";

impl Store {
    /// Rewrites the contacts of schema 2 (`from_raw`: the lean contacts and rows rebuilt from
    /// the raw JSON) or 3 to 5 as schema 6 records, then drops the old trees.
    pub(super) fn migrate_to_records(&self, from_raw: bool) -> Result<(), StoreError> {
        let tree = |name: &str| self.db.open_tree(name).map_err(|e| self.err(e));
        let (lean, raw, rows, records) = (
            tree("contacts")?,
            tree("contacts_raw")?,
            tree("contact_rows")?,
            tree(V6_TREE)?,
        );
        tracing::info!(
            contacts = lean.len(),
            "cache layout changed; one record a contact"
        );
        let mut batch = sled::Batch::default();
        let (mut in_batch, mut done, mut lost) = (0usize, 0usize, 0usize);
        let source = if from_raw { &raw } else { &lean };
        for kv in source.iter() {
            let (k, v) = kv.map_err(|e| self.err(e))?;
            let converted = if from_raw {
                from_raw_record(&v)
            } else {
                let raw_v = raw.get(&k).map_err(|e| self.err(e))?;
                let row_v = rows.get(&k).map_err(|e| self.err(e))?;
                from_v5_records(&v, row_v.as_deref(), raw_v.as_deref())
            };
            match converted {
                Ok(rec) => {
                    batch.insert(k, rec);
                    in_batch += 1;
                }
                Err(e) => {
                    lost += 1;
                    tracing::warn!(id = %String::from_utf8_lossy(&k), error = %e, "cached contact unreadable; dropped until the next full pull");
                    batch.remove(k);
                }
            }
            if in_batch == BATCH {
                records
                    .apply_batch(std::mem::take(&mut batch))
                    .map_err(|e| self.err(e))?;
                done += in_batch;
                in_batch = 0;
            }
        }
        if from_raw {
            // Contacts without a raw record cannot be rebuilt.
            for kv in lean.iter() {
                let (k, _) = kv.map_err(|e| self.err(e))?;
                if !raw.contains_key(&k).map_err(|e| self.err(e))? {
                    lost += 1;
                    batch.remove(k);
                }
            }
        }
        records.apply_batch(batch).map_err(|e| self.err(e))?;
        done += in_batch;
        if lost > 0 {
            self.cursors_tree().clear().map_err(|e| self.err(e))?;
        }
        self.flush()?;
        drop((lean, raw, rows));
        self.drop_v5_trees()?;
        tracing::info!(contacts = done, lost, "cache contacts rewritten");
        Ok(())
    }

    /// Copies schema 6's records (keyed by contact id) into schema 7's table (in the order
    /// first stored, `super::contact_table`), then drops schema 6's tree. Errors: sled's.
    pub(super) fn migrate_to_seq(&self) -> Result<(), StoreError> {
        let old = self.db.open_tree(V6_TREE).map_err(|e| self.err(e))?;
        tracing::info!(
            contacts = old.len(),
            "cache layout changed; contacts in the order stored"
        );
        self.contacts.clear().map_err(|e| self.err(e))?;
        let mut chunk: Vec<(sled::IVec, sled::IVec)> = Vec::with_capacity(BATCH);
        let mut done = 0usize;
        let mut put = |chunk: &mut Vec<(sled::IVec, sled::IVec)>| -> Result<(), StoreError> {
            let items: Vec<(&str, &[u8])> = chunk
                .iter()
                .filter_map(|(k, v)| Some((std::str::from_utf8(k).ok()?, &v[..])))
                .collect();
            done += items.len();
            self.contacts.put(items).map_err(|e| self.err(e))?;
            chunk.clear();
            Ok(())
        };
        for kv in old.iter() {
            chunk.push(kv.map_err(|e| self.err(e))?);
            if chunk.len() == BATCH {
                put(&mut chunk)?;
            }
        }
        put(&mut chunk)?;
        self.settle_contact_index()?;
        self.flush()?;
        drop(old);
        self.drop_v6_tree()?;
        tracing::info!(contacts = done, "cache contacts renumbered");
        Ok(())
    }

    /// Drops schema 6's tree of records by id (absent is fine).
    pub(super) fn drop_v6_tree(&self) -> Result<(), StoreError> {
        self.db.drop_tree(V6_TREE).map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Drops the trees of schema 5 (absent ones are fine).
    pub(super) fn drop_v5_trees(&self) -> Result<(), StoreError> {
        for name in V5_TREES {
            self.db.drop_tree(name).map_err(|e| self.err(e))?;
        }
        Ok(())
    }
}

/// A schema 6 record from schema 3-5's lean contact, list row (derived again when missing or
/// unreadable) and raw record (none: no raw JSON).
fn from_v5_records(lean: &[u8], row: Option<&[u8]>, raw: Option<&[u8]>) -> Result<Vec<u8>, String> {
    let c: Contact = bincode::deserialize(lean).map_err(|e| e.to_string())?;
    let row = row
        .and_then(|r| bincode::deserialize::<ContactRow>(r).ok())
        .unwrap_or_else(|| c.row());
    // A compressed raw record is copied as it is, not inflated: one that is damaged stays so
    // (the raw view says so, as it did before).
    Ok(record::from_v5(&row, &c, raw.unwrap_or_default()))
}

/// A schema 6 record from schema 2's raw record, parsed as a pull parses a contact.
fn from_raw_record(raw: &[u8]) -> Result<Vec<u8>, String> {
    let text = super::raw::unpack(raw)?;
    let json = serde_json::from_str::<serde_json::Value>(&text).map_err(|e| e.to_string())?;
    let mut c = crate::ghl::wire::contact_from_json(&json)?;
    c.raw_json.clear();
    Ok(record::from_v5(&c.row(), &c, raw))
}

/// Writes `contacts` into `db` as schema 6 stored them (`contact_records`: contact id → the
/// record of `super::record`), without touching the schema version or any other tree: how
/// migration tests and benchmarks make a cache of the layout before this one. Errors: sled's.
#[doc(hidden)]
pub fn write_v6_contacts(db: &sled::Db, contacts: &[Contact]) -> sled::Result<()> {
    let tree = db.open_tree(V6_TREE)?;
    let mut batch = sled::Batch::default();
    for c in contacts {
        batch.insert(c.id.as_bytes(), record::encode(c));
    }
    tree.apply_batch(batch)
}

/// Writes `contacts` into `db` as schema 5 stored them (`contacts`: the contact without its
/// raw JSON, `contact_rows`: its list row, both bincode; `contacts_raw`: the raw JSON
/// compressed), without touching the schema version or any other tree: how migration tests
/// and benchmarks make a cache of the layout before this one. Errors: sled's.
#[doc(hidden)]
pub fn write_v5_contacts(db: &sled::Db, contacts: &[Contact]) -> sled::Result<()> {
    let (lean, raw, rows) = (
        db.open_tree("contacts")?,
        db.open_tree("contacts_raw")?,
        db.open_tree("contact_rows")?,
    );
    let mut lb = sled::Batch::default();
    let mut rb = sled::Batch::default();
    let mut wb = sled::Batch::default();
    for c in contacts {
        let mut l = c.clone();
        let r = std::mem::take(&mut l.raw_json);
        lb.insert(c.id.as_bytes(), bincode::serialize(&l).expect("encodes"));
        rb.insert(c.id.as_bytes(), super::raw::pack_deflate(&r));
        wb.insert(
            c.id.as_bytes(),
            bincode::serialize(&c.row()).expect("encodes"),
        );
    }
    lean.apply_batch(lb)?;
    raw.apply_batch(rb)?;
    rows.apply_batch(wb)
}
