//! The sled database of one location.

use std::path::{Path, PathBuf};

use serde::{de::DeserializeOwned, Serialize};

use super::PullCursor;
use crate::domain::{Appointment, Contact, ContactRow, CustomFieldDef, Note, Task};

/// Version of the cache layout; bump when a stored type changes shape.
pub const SCHEMA_VERSION: u32 = 7;

/// The oldest layout [`Store::check_schema`] migrates from without losing data: version 2 had
/// the trees of 3 to 5 with smaller `Contact` and `ContactRow` records, so its contacts are
/// rebuilt from the raw records in `contacts_raw` (`super::migrate`).
const REBUILDABLE_FROM: u32 = 2;

/// Version 3 stored the raw records as plain JSON text; 4 compresses them (`super::raw`); the
/// migration to 6 compresses them as it rewrites the contacts.
const RAW_PLAIN: u32 = 3;

/// Version 4 had no list snapshot (`super::list_snapshot`); 5 marks every row written since
/// the snapshot. A cache coming from 4 (also one a version-4 binary wrote into after a
/// version-5 one) forgets its snapshot, and the next list load writes one.
const NO_LIST_MARKS: u32 = 4;

/// Version 5 stored a contact in three trees (`contacts`, `contacts_raw`, `contact_rows`)
/// and marked list rows one by one in `list_changed`; 6 stores one record a contact in
/// `contact_records` (`super::record`) and marks a write's ids in one `list_marks` record
/// (`super::list_snapshot`). Versions 2 to 5 are migrated straight to 6 (`super::migrate`:
/// the three records of each contact become one; every other tree is kept as it is).
const THREE_TREES: u32 = 5;

/// Version 6 kept the records in `contact_records` keyed by contact id; 7 keys them by the
/// order first stored, with an index from id (`super::contact_table`). Versions 2 to 5 are
/// migrated to 6's records first, then every one to 7 (`super::migrate`).
const BY_ID: u32 = 6;

/// Errors of the cache. The path is always named.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cache at {path} is in use by another bmby-ghl process (close it and retry)")]
    Locked { path: PathBuf },
    #[error("cache at {path}: {source}")]
    Sled {
        path: PathBuf,
        #[source]
        source: sled::Error,
    },
    /// The cache was written by a newer bmby-ghl (its layout is unknown here): it is left
    /// untouched rather than cleared, so going back to an older binary loses nothing.
    #[error("cache at {path} was written by a newer bmby-ghl (cache layout {found}; this one knows up to {known}): use that version or newer, or another --data-dir")]
    Newer {
        path: PathBuf,
        found: u32,
        known: u32,
    },
    #[error("cache at {path}: record {key} in tree {tree} is unreadable: {message}")]
    Corrupt {
        path: PathBuf,
        tree: &'static str,
        key: String,
        message: String,
    },
}

/// Handle to one location's cache. Cheap to clone; safe to share between threads.
#[derive(Clone)]
pub struct Store {
    path: PathBuf,
    pub(super) db: sled::Db,
    /// Added to sled's generated ids: above every id of the database this one was compacted
    /// from (`meta` `id_floor`, `super::compact`).
    id_floor: u64,
    /// `contacts_by_seq` and `contact_id_buckets`: one record a contact, its list row, itself and
    /// its raw JSON (`super::record`; `super::list` reads the rows compact), in the order
    /// first stored, with the index from contact id (`super::contact_table`).
    pub(super) contacts: super::contact_table::ContactTable,
    tasks: sled::Tree,
    notes: sled::Tree,
    appointments: sled::Tree,
    custom_fields: sled::Tree,
    cursors: sled::Tree,
    meta: sled::Tree,
    pub(super) changes: sled::Tree,
    pub(super) outbox: sled::Tree,
    pub(super) journal: sled::Tree,
    pub(super) links: sled::Tree,
    /// What pulls saw change in GHL (`super::recent`).
    pub(super) recent: sled::Tree,
    /// The ids of each write of list rows since the list snapshot, one record a write
    /// (`super::list_snapshot`).
    pub(super) list_marks: sled::Tree,
    /// One list snapshot build at a time in this process.
    pub(super) snap_lock: std::sync::Arc<std::sync::Mutex<()>>,
    /// A list snapshot build is under way in this process (`super::list_snapshot`).
    pub(super) list_building: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// The snapshot read started before the open, if any (`super::list_snapshot::prefetch`).
    pub(super) prefetched: std::sync::Arc<std::sync::Mutex<Option<super::list_snapshot::Prefetch>>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

type Result<T> = std::result::Result<T, StoreError>;

impl Store {
    /// The directory of a location's cache under `data_dir`.
    pub fn location_dir(data_dir: &Path, location_id: &str) -> PathBuf {
        let safe: String = location_id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        data_dir.join("locations").join(safe)
    }

    /// Opens (creating if needed) the cache of `location_id` under `data_dir`.
    ///
    /// Errors: [`StoreError::Locked`] when another process has it open, else the sled error.
    pub fn open(data_dir: &Path, location_id: &str) -> Result<Store> {
        let path = Self::location_dir(data_dir, location_id).join("cache.sled");
        Self::open_path(&path)
    }

    /// Opens the cache at an explicit path. A cache of an older layout is migrated, then
    /// compacted (`super::compact`).
    pub fn open_path(path: &Path) -> Result<Store> {
        let _opening = super::compact::lock(path)?;
        super::compact::recover(path)?;
        let (store, migrated) = Self::open_once(path)?;
        if !migrated {
            return Ok(store);
        }
        super::compact::compact(store)?;
        while_locked(REOPEN_WAIT, || Self::open_once(path)).map(|(s, _)| s)
    }

    /// [`Store::open`], waiting up to `within` while the cache is [`StoreError::Locked`]:
    /// sled's threads hold a handle's file lock for a moment after the handle is dropped, so
    /// reopening a cache this process just closed can find it locked.
    ///
    /// Errors: `Locked` when it is still locked at the deadline, else as [`Store::open`].
    pub fn open_waiting(
        data_dir: &Path,
        location_id: &str,
        within: std::time::Duration,
    ) -> Result<Store> {
        while_locked(within, || Self::open(data_dir, location_id))
    }

    /// Opens the cache at `path` and brings its layout to [`SCHEMA_VERSION`]; says whether
    /// the contacts were migrated.
    fn open_once(path: &Path) -> Result<(Store, bool)> {
        let path = path.to_path_buf();
        let db = sled::Config::new()
            .path(&path)
            .cache_capacity(16 * 1024 * 1024)
            .open()
            .map_err(|source| open_error(&path, source))?;
        let tree = |name: &str| {
            db.open_tree(name).map_err(|source| StoreError::Sled {
                path: path.clone(),
                source,
            })
        };
        let meta = tree("meta")?;
        let id_floor = meta
            .get(super::compact::META_ID_FLOOR)
            .map_err(|source| StoreError::Sled {
                path: path.clone(),
                source,
            })?
            .and_then(|v| <[u8; 8]>::try_from(&v[..]).ok())
            .map_or(0, u64::from_be_bytes);
        let store = Store {
            id_floor,
            contacts: super::contact_table::ContactTable::open(&db, meta.clone()).map_err(
                |source| StoreError::Sled {
                    path: path.clone(),
                    source,
                },
            )?,
            tasks: tree("tasks")?,
            notes: tree("notes")?,
            appointments: tree("appointments")?,
            custom_fields: tree("custom_fields")?,
            cursors: tree("cursors")?,
            meta,
            changes: tree("changes")?,
            outbox: tree("outbox")?,
            journal: tree("journal")?,
            links: tree("links")?,
            recent: tree("recent")?,
            list_marks: tree("list_marks")?,
            snap_lock: Default::default(),
            list_building: Default::default(),
            prefetched: Default::default(),
            db,
            path,
        };
        let migrated = store.check_schema()?;
        Ok((store, migrated))
    }

    /// Where this cache lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(super) fn meta_tree(&self) -> &sled::Tree {
        &self.meta
    }

    pub(super) fn cursors_tree(&self) -> &sled::Tree {
        &self.cursors
    }

    pub(super) fn err(&self, source: sled::Error) -> StoreError {
        StoreError::Sled {
            path: self.path.clone(),
            source,
        }
    }

    /// Brings the layout to [`SCHEMA_VERSION`]; `true` when contacts were migrated.
    fn check_schema(&self) -> Result<bool> {
        let current = self
            .meta
            .get("schema_version")
            .map_err(|e| self.err(e))?
            .and_then(|v| std::str::from_utf8(&v).ok()?.parse::<u32>().ok());
        if let Some(found) = current.filter(|v| *v > SCHEMA_VERSION) {
            return Err(StoreError::Newer {
                path: self.path.clone(),
                found,
                known: SCHEMA_VERSION,
            });
        }
        let mut migrated = false;
        if current != Some(SCHEMA_VERSION) {
            if current != Some(BY_ID) {
                // Layouts before 6: the rows may have been written without list marks.
                self.forget_list_snapshot()?;
            }
            match current {
                None => {}
                Some(BY_ID) => {
                    self.migrate_to_seq()?;
                    migrated = true;
                }
                Some(from @ REBUILDABLE_FROM..=THREE_TREES) => {
                    if from == NO_LIST_MARKS {
                        tracing::info!(to = SCHEMA_VERSION, "cache list snapshot starts");
                    }
                    if from == RAW_PLAIN {
                        tracing::info!(to = SCHEMA_VERSION, "cache raw records compressed");
                    }
                    self.migrate_to_records(from == REBUILDABLE_FROM)?;
                    self.migrate_to_seq()?;
                    migrated = true;
                }
                Some(_) => {
                    tracing::warn!(from = ?current, to = SCHEMA_VERSION, "cache schema changed; rebuilding cache");
                    self.contacts.clear().map_err(|e| self.err(e))?;
                    for t in [
                        &self.tasks,
                        &self.notes,
                        &self.appointments,
                        &self.custom_fields,
                        &self.cursors,
                    ] {
                        t.clear().map_err(|e| self.err(e))?;
                    }
                    self.drop_v5_trees()?;
                    self.drop_v6_tree()?;
                }
            }
            self.meta
                .insert("schema_version", SCHEMA_VERSION.to_string().as_bytes())
                .map_err(|e| self.err(e))?;
        }
        Ok(migrated)
    }

    pub(super) fn decode<T: DeserializeOwned>(
        &self,
        tree: &'static str,
        key: &[u8],
        bytes: &[u8],
    ) -> Result<T> {
        bincode::deserialize(bytes).map_err(|e| StoreError::Corrupt {
            path: self.path.clone(),
            tree,
            key: String::from_utf8_lossy(key).into_owned(),
            message: e.to_string(),
        })
    }

    fn encode<T: Serialize>(v: &T) -> Vec<u8> {
        bincode::serialize(v).expect("bincode encoding of plain data cannot fail")
    }

    /// A [`StoreError::Corrupt`] of the record of contact `id`.
    pub(super) fn corrupt_record(&self, id: &str, message: String) -> StoreError {
        StoreError::Corrupt {
            path: self.path.clone(),
            tree: "contacts_by_seq",
            key: id.to_owned(),
            message,
        }
    }

    /// A [`StoreError::Corrupt`] of the record stored `seq`th (read in order, its id unknown).
    pub(super) fn corrupt_at(&self, seq: u64, message: String) -> StoreError {
        StoreError::Corrupt {
            path: self.path.clone(),
            tree: "contacts_by_seq",
            key: format!("#{seq}"),
            message,
        }
    }

    /// Stores contacts in one batch, one record each (`super::record`: the list row, the
    /// contact without its raw JSON, and the raw JSON compressed), then marks their ids for
    /// the list snapshot (one more record for the whole batch).
    pub fn put_contacts(&self, contacts: &[Contact]) -> Result<()> {
        // Every record in one buffer: `ends[i]` is where the i-th ends.
        let (mut all, mut buf) = (Vec::new(), Vec::new());
        let mut ends = Vec::with_capacity(contacts.len());
        for c in contacts {
            super::record::encode_into(c, &mut buf);
            all.extend_from_slice(&buf);
            ends.push(all.len());
        }
        let starts = std::iter::once(0).chain(ends.iter().copied());
        self.contacts
            .put(
                contacts
                    .iter()
                    .zip(starts.zip(&ends))
                    .map(|(c, (a, &b))| (c.id.as_str(), &all[a..b])),
            )
            .map_err(|e| self.err(e))?;
        self.mark_list_changed(contacts.iter().map(|c| c.id.as_str()))?;
        Ok(())
    }

    /// Removes a contact and everything cached under it.
    pub fn remove_contact(&self, id: &str) -> Result<()> {
        self.contacts.remove(id).map_err(|e| self.err(e))?;
        for t in [&self.tasks, &self.notes, &self.appointments] {
            t.remove(id.as_bytes()).map_err(|e| self.err(e))?;
        }
        self.mark_list_changed([id])?;
        Ok(())
    }

    /// One contact with its raw JSON, or `None` when it is not cached. Errors: the record
    /// does not decode or its raw JSON does not inflate ([`StoreError::Corrupt`]).
    pub fn contact(&self, id: &str) -> Result<Option<Contact>> {
        match self.contacts.get(id).map_err(|e| self.err(e))? {
            Some(v) => super::record::contact(&v)
                .map(Some)
                .map_err(|m| self.corrupt_record(id, m)),
            None => Ok(None),
        }
    }

    /// The cached `dateUpdated` of a contact (ISO 8601 UTC as GHL sent it), read from its list
    /// row; `None` when the contact is not cached or has no `dateUpdated`. What a pull compares
    /// to skip a contact it already holds.
    pub fn cached_date_updated(&self, id: &str) -> Result<Option<String>> {
        match self.contacts.get(id).map_err(|e| self.err(e))? {
            Some(v) => {
                let row = super::record::row(&v).map_err(|m| self.corrupt_record(id, m))?;
                Ok(Some(row.date_updated.to_owned()).filter(|d| !d.is_empty()))
            }
            None => Ok(None),
        }
    }

    /// Number of cached contacts.
    pub fn contact_count(&self) -> usize {
        self.contacts.len()
    }

    /// Whether nothing was ever stored here: no contact, pull cursor, change, outbox entry,
    /// journal entry or Bmby link (a cache opened for a location that turned out wrong).
    pub fn is_unused(&self) -> bool {
        self.contacts.is_empty()
            && [
                &self.cursors,
                &self.changes,
                &self.outbox,
                &self.journal,
                &self.links,
            ]
            .iter()
            .all(|t| t.is_empty())
    }

    /// The list rows of the first `n` contacts stored, in id order (for the first frame,
    /// before the full list loads).
    pub fn contact_rows_head(&self, n: usize) -> Result<Vec<ContactRow>> {
        let mut rows = self
            .contacts
            .iter()
            .take(n)
            .map(|kv| {
                let (seq, v) = kv.map_err(|e| self.err(e))?;
                super::record::row(&v)
                    .map(|r| r.to_owned_row())
                    .map_err(|m| self.corrupt_at(seq, m))
            })
            .collect::<Result<Vec<_>>>()?;
        rows.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        Ok(rows)
    }

    /// Every list row, in id order. Unreadable rows are skipped and logged, never fatal.
    pub fn contact_rows(&self) -> Result<Vec<ContactRow>> {
        let mut out = Vec::with_capacity(self.contacts.len());
        for kv in self.contacts.iter() {
            let (seq, v) = kv.map_err(|e| self.err(e))?;
            match super::record::row(&v) {
                Ok(r) => out.push(r.to_owned_row()),
                Err(m) => {
                    let e = self.corrupt_at(seq, m);
                    tracing::warn!(error = %e, "skipping unreadable cached row")
                }
            }
        }
        out.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    /// Every cached contact without its raw JSON (`raw_json` empty): what matching, diffing
    /// and the CLI lists need, in id order. The raw JSON is the bulk of a contact and is not
    /// inflated.
    pub fn contacts_without_raw(&self) -> Result<Vec<Contact>> {
        let mut out = Vec::with_capacity(self.contacts.len());
        for kv in self.contacts.iter() {
            let (seq, v) = kv.map_err(|e| self.err(e))?;
            out.push(super::record::lean(&v).map_err(|m| self.corrupt_at(seq, m))?);
        }
        out.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    fn put_list<T: Serialize>(
        &self,
        tree: &sled::Tree,
        contact_id: &str,
        items: &[T],
    ) -> Result<()> {
        tree.insert(contact_id.as_bytes(), Self::encode(&items))
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    fn list<T: DeserializeOwned>(
        &self,
        tree: &sled::Tree,
        name: &'static str,
        contact_id: &str,
    ) -> Result<Option<Vec<T>>> {
        match tree.get(contact_id.as_bytes()).map_err(|e| self.err(e))? {
            Some(v) => Ok(Some(self.decode(name, contact_id.as_bytes(), &v)?)),
            None => Ok(None),
        }
    }

    /// Replaces the cached tasks of a contact.
    pub fn put_tasks(&self, contact_id: &str, tasks: &[Task]) -> Result<()> {
        self.put_list(&self.tasks, contact_id, tasks)
    }
    /// Cached tasks; `None` when never fetched (as opposed to fetched and empty).
    pub fn tasks(&self, contact_id: &str) -> Result<Option<Vec<Task>>> {
        self.list(&self.tasks, "tasks", contact_id)
    }
    /// Replaces the cached notes of a contact.
    pub fn put_notes(&self, contact_id: &str, notes: &[Note]) -> Result<()> {
        self.put_list(&self.notes, contact_id, notes)
    }
    /// Cached notes; `None` when never fetched.
    pub fn notes(&self, contact_id: &str) -> Result<Option<Vec<Note>>> {
        self.list(&self.notes, "notes", contact_id)
    }
    /// Replaces the cached appointments of a contact.
    pub fn put_appointments(&self, contact_id: &str, appts: &[Appointment]) -> Result<()> {
        self.put_list(&self.appointments, contact_id, appts)
    }
    /// Cached appointments; `None` when never fetched.
    pub fn appointments(&self, contact_id: &str) -> Result<Option<Vec<Appointment>>> {
        self.list(&self.appointments, "appointments", contact_id)
    }

    /// Replaces all custom field definitions.
    pub fn put_custom_fields(&self, defs: &[CustomFieldDef]) -> Result<()> {
        self.custom_fields.clear().map_err(|e| self.err(e))?;
        let mut b = sled::Batch::default();
        for d in defs {
            b.insert(d.id.as_bytes(), Self::encode(d));
        }
        self.custom_fields.apply_batch(b).map_err(|e| self.err(e))
    }

    /// Custom field definitions by id.
    pub fn custom_fields(&self) -> Result<std::collections::HashMap<String, CustomFieldDef>> {
        let mut out = std::collections::HashMap::new();
        for kv in self.custom_fields.iter() {
            let (k, v) = kv.map_err(|e| self.err(e))?;
            let d: CustomFieldDef = self.decode("custom_fields", &k, &v)?;
            out.insert(d.id.clone(), d);
        }
        Ok(out)
    }

    /// The saved cursor of a pull (`"contacts"`), if any.
    pub fn cursor(&self, name: &str) -> Result<Option<PullCursor>> {
        match self.cursors.get(name.as_bytes()).map_err(|e| self.err(e))? {
            Some(v) => serde_json::from_slice(&v)
                .map(Some)
                .map_err(|e| StoreError::Corrupt {
                    path: self.path.clone(),
                    tree: "cursors",
                    key: name.to_owned(),
                    message: e.to_string(),
                }),
            None => Ok(None),
        }
    }

    /// Saves a pull cursor and flushes, so a crash after this point resumes from here.
    pub fn put_cursor(&self, name: &str, cursor: &PullCursor) -> Result<()> {
        let v = serde_json::to_vec(cursor).expect("cursor serializes");
        self.cursors
            .insert(name.as_bytes(), v)
            .map_err(|e| self.err(e))?;
        self.flush()
    }

    /// A metadata value (`last_sync`, `location_name`, ...).
    pub fn meta(&self, key: &str) -> Option<String> {
        self.meta
            .get(key.as_bytes())
            .ok()
            .flatten()
            .and_then(|v| String::from_utf8(v.to_vec()).ok())
    }

    /// Sets a metadata value.
    pub fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        self.meta
            .insert(key.as_bytes(), value.as_bytes())
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Writes everything to disk.
    /// A fresh id, unique in this database (sled's monotonic counter; it skips ranges after a
    /// restart, so ids are unique but not consecutive), above every id of the database this
    /// one was compacted from (`super::compact`).
    pub fn next_id(&self) -> Result<u64> {
        let id = self.db.generate_id().map_err(|e| self.err(e))?;
        Ok(id.saturating_add(self.id_floor))
    }

    /// The next number of a named counter (`change`, `journal`): 1, 2, 3, … kept in `meta`,
    /// so the numbers people read and type stay short and consecutive.
    pub fn next_seq(&self, name: &str) -> Result<u64> {
        let key = format!("seq:{name}");
        let v = self
            .meta
            .update_and_fetch(key.as_bytes(), |old| {
                let n = old
                    .and_then(|b| <[u8; 8]>::try_from(b).ok())
                    .map(u64::from_be_bytes)
                    .unwrap_or(0);
                Some((n + 1).to_be_bytes().to_vec())
            })
            .map_err(|e| self.err(e))?
            .expect("update_and_fetch with Some returns a value");
        Ok(u64::from_be_bytes(
            <[u8; 8]>::try_from(&v[..]).expect("8 bytes"),
        ))
    }

    /// Writes the ids of contacts stored since the last settle into the index from id, many
    /// at once in id order (`super::contact_table`; until then they are looked up in memory,
    /// and a crash loses nothing: the next open reads them again from the records). A pull
    /// ends with it. Errors: sled's.
    pub fn settle_contact_index(&self) -> Result<()> {
        self.contacts.settle().map_err(|e| self.err(e))
    }

    /// Makes everything written so far durable (sled's flush). Errors: sled's.
    pub fn flush(&self) -> Result<()> {
        self.db.flush().map_err(|e| self.err(e))?;
        Ok(())
    }
}

/// How long a reopen waits for sled's threads to let go of a closed handle's lock.
const REOPEN_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Runs `open` until it gives anything but [`StoreError::Locked`] or `within` has passed,
/// 25 ms apart; returns its last answer.
fn while_locked<T>(within: std::time::Duration, mut open: impl FnMut() -> Result<T>) -> Result<T> {
    let deadline = std::time::Instant::now() + within;
    loop {
        match open() {
            Err(StoreError::Locked { .. }) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(25))
            }
            r => return r,
        }
    }
}

/// Why sled could not open the cache at `path`: [`StoreError::Locked`] when the OS says its
/// lock is held elsewhere (the error's kind or raw OS error, else a probe of the lock file:
/// [`super::lock_probe`]), never decided by the error's text; else [`StoreError::Sled`].
fn open_error(path: &Path, source: sled::Error) -> StoreError {
    let locked = match &source {
        sled::Error::Io(e) => {
            super::lock_probe::is_would_block(e) || super::lock_probe::held_elsewhere(path)
        }
        _ => false,
    };
    if locked {
        StoreError::Locked {
            path: path.to_path_buf(),
        }
    } else {
        StoreError::Sled {
            path: path.to_path_buf(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(id: &str, first: &str) -> Contact {
        Contact {
            id: id.into(),
            first_name: Some(first.into()),
            date_updated: Some("2024-01-01T00:00:00.000Z".into()),
            ..Default::default()
        }
    }

    #[test]
    fn contacts_rows_and_lists_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path(), "loc1").unwrap();
        s.put_contacts(&[contact("a", "Ann"), contact("b", "מיכל")])
            .unwrap();
        assert_eq!(s.contact_count(), 2);
        assert_eq!(
            s.contact("b").unwrap().unwrap().first_name.as_deref(),
            Some("מיכל")
        );
        let rows = s.contact_rows().unwrap();
        assert_eq!(
            rows.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
            ["Ann", "מיכל"]
        );
        assert_eq!(s.tasks("a").unwrap(), None);
        s.put_tasks("a", &[]).unwrap();
        assert_eq!(s.tasks("a").unwrap(), Some(vec![]));
        s.remove_contact("a").unwrap();
        assert_eq!(s.contact_count(), 1);
    }

    /// `Contact` as schema 2 stored it (no `business_id`).
    #[derive(Serialize)]
    struct ContactV2 {
        id: String,
        location_id: String,
        first_name: Option<String>,
        last_name: Option<String>,
        full_name: Option<String>,
        email: Option<String>,
        phone: Option<String>,
        company_name: Option<String>,
        address1: Option<String>,
        city: Option<String>,
        state: Option<String>,
        postal_code: Option<String>,
        country: Option<String>,
        website: Option<String>,
        timezone: Option<String>,
        source: Option<String>,
        contact_type: Option<String>,
        assigned_to: Option<String>,
        date_of_birth: Option<String>,
        dnd: bool,
        dnd_settings: Vec<crate::domain::DndChannel>,
        tags: Vec<String>,
        additional_emails: Vec<String>,
        custom_fields: Vec<crate::domain::CustomFieldValue>,
        date_added: Option<String>,
        date_updated: Option<String>,
        raw_json: String,
    }

    /// `ContactRow` as schema 2 stored it.
    #[derive(Serialize)]
    struct RowV2 {
        id: String,
        name: String,
        email: String,
        phone: String,
        tags: String,
        date_updated: String,
        dnd: bool,
    }

    #[test]
    fn schema_2_cache_is_rebuilt_from_raw_records_keeping_changes_and_journal() {
        let dir = tempfile::tempdir().unwrap();
        let raw = serde_json::json!({
            "id": "c1", "locationId": "loc1", "firstName": "יצחק", "lastName": "כהן",
            "email": "itzik.cohen@gmail.com", "phone": "+972542848828",
            "tags": ["vip", "buyer"], "assignedTo": "user1", "source": "Facebook Lead",
            "type": "lead", "businessId": "biz1", "dnd": false,
            "dndSettings": {"SMS": {"status": "active"}, "Email": {"status": "inactive"}},
            "dateUpdated": "2026-11-29T11:55:00.000Z"
        });
        {
            let s = Store::open(dir.path(), "loc1").unwrap();
            let old = ContactV2 {
                id: "c1".into(),
                location_id: "loc1".into(),
                first_name: Some("יצחק".into()),
                last_name: Some("כהן".into()),
                full_name: None,
                email: Some("itzik.cohen@gmail.com".into()),
                phone: Some("+972542848828".into()),
                company_name: None,
                address1: None,
                city: None,
                state: None,
                postal_code: None,
                country: None,
                website: None,
                timezone: None,
                source: Some("Facebook Lead".into()),
                contact_type: Some("lead".into()),
                assigned_to: Some("user1".into()),
                date_of_birth: None,
                dnd: false,
                dnd_settings: vec![],
                tags: vec!["vip".into(), "buyer".into()],
                additional_emails: vec![],
                custom_fields: vec![],
                date_added: None,
                date_updated: Some("2026-11-29T11:55:00.000Z".into()),
                raw_json: String::new(),
            };
            let row = RowV2 {
                id: "c1".into(),
                name: "יצחק כהן".into(),
                email: "itzik.cohen@gmail.com".into(),
                phone: "+972542848828".into(),
                tags: "vip, buyer".into(),
                date_updated: "2026-11-29T11:55:00.000Z".into(),
                dnd: false,
            };
            let tree = |name: &str| s.db.open_tree(name).unwrap();
            tree("contacts").insert("c1", Store::encode(&old)).unwrap();
            tree("contact_rows")
                .insert("c1", Store::encode(&row))
                .unwrap();
            tree("contacts_raw")
                .insert("c1", serde_json::to_vec_pretty(&raw).unwrap())
                .unwrap();
            // A contact without a raw record cannot be rebuilt: dropped, the cursor cleared.
            tree("contacts").insert("c2", Store::encode(&old)).unwrap();
            s.put_tasks("c1", &[]).unwrap();
            s.changes.insert("change-1", b"kept".to_vec()).unwrap();
            s.journal.insert("journal-1", b"kept".to_vec()).unwrap();
            s.put_cursor("contacts", &PullCursor::default()).unwrap();
            s.set_meta("schema_version", "2").unwrap();
            s.flush().unwrap();
        }
        let s = Store::open(dir.path(), "loc1").unwrap();
        assert_eq!(s.meta("schema_version").as_deref(), Some("7"));
        assert!(s.contact("c2").unwrap().is_none(), "no raw record: dropped");
        let names = s.db.tree_names();
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
        let rows = s.contact_rows().unwrap();
        assert_eq!(rows.len(), 1);
        let r = &rows[0];
        assert_eq!(r.tags, ["vip", "buyer"]);
        assert_eq!(r.owner, "user1");
        assert_eq!(r.business_id, "biz1");
        assert_eq!(r.source, "Facebook Lead");
        assert_eq!(r.contact_type, "lead");
        assert_eq!(r.dnd_channels, crate::search::query::dnd_bit::SMS);
        let c = s.contact("c1").unwrap().unwrap();
        assert_eq!(c.business_id.as_deref(), Some("biz1"));
        assert!(c.raw_json.contains("biz1"), "raw record kept");
        assert_eq!(s.tasks("c1").unwrap(), Some(vec![]), "tasks kept");
        assert_eq!(&*s.changes.get("change-1").unwrap().unwrap(), b"kept");
        assert_eq!(&*s.journal.get("journal-1").unwrap().unwrap(), b"kept");
        assert!(
            s.cursor("contacts").unwrap().is_none(),
            "a contact was lost: the next pull is a full one"
        );
    }

    #[test]
    fn cursor_survives_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let c = PullCursor {
            pages: 3,
            fetched: 1500,
            ..Default::default()
        };
        {
            let s = Store::open(dir.path(), "loc1").unwrap();
            s.put_cursor("contacts", &c).unwrap();
        }
        let s = Store::open(dir.path(), "loc1").unwrap();
        assert_eq!(s.cursor("contacts").unwrap(), Some(c));
    }

    #[test]
    fn second_open_in_same_process_reports_locked_or_works() {
        // sled takes an exclusive file lock per process; the error must name the path.
        let dir = tempfile::tempdir().unwrap();
        let _a = Store::open(dir.path(), "loc1").unwrap();
        if let Err(e) = Store::open(dir.path(), "loc1") {
            assert!(e.to_string().contains("cache"), "{e}");
        }
    }

    #[test]
    fn a_cache_of_a_newer_layout_is_refused_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        {
            let s = Store::open(dir.path(), "loc1").unwrap();
            let c = crate::domain::Contact {
                id: "c1".into(),
                first_name: Some("Dana".into()),
                ..Default::default()
            };
            s.put_contacts(&[c]).unwrap();
            s.meta
                .insert(
                    "schema_version",
                    (SCHEMA_VERSION + 1).to_string().as_bytes(),
                )
                .unwrap();
            s.flush().unwrap();
        }
        let Err(e) = Store::open_waiting(dir.path(), "loc1", REOPEN_WAIT) else {
            panic!("a newer cache was opened")
        };
        assert!(matches!(e, StoreError::Newer { found, known, .. }
            if found == SCHEMA_VERSION + 1 && known == SCHEMA_VERSION));
        assert!(e.to_string().contains("newer bmby-ghl"), "{e}");
        // Nothing was cleared: with the version put back, the contact is there.
        let db = loop {
            match sled::open(Store::location_dir(dir.path(), "loc1").join("cache.sled")) {
                Ok(db) => break db,
                Err(_) => std::thread::yield_now(),
            }
        };
        let meta = db.open_tree("meta").unwrap();
        meta.insert("schema_version", SCHEMA_VERSION.to_string().as_bytes())
            .unwrap();
        drop(meta);
        drop(db);
        let s = Store::open_waiting(dir.path(), "loc1", REOPEN_WAIT).unwrap();
        assert!(s.contact("c1").unwrap().is_some());
    }

    #[test]
    fn a_held_cache_is_in_use_and_an_error_mentioning_a_lock_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let held = Store::open(dir.path(), "loc1").unwrap();
        let path = held.path.clone();
        // sled's own refusal (kind Other, a message only): the OS says the lock is held.
        let e = open_error(
            &path,
            sled::Error::Io(std::io::Error::other("could not acquire lock")),
        );
        assert!(matches!(e, StoreError::Locked { .. }), "{e}");
        assert!(
            e.to_string()
                .contains("is in use by another bmby-ghl process"),
            "{e}"
        );
        match Store::open(dir.path(), "loc1") {
            Err(e @ StoreError::Locked { .. }) => {
                assert!(e.to_string().contains("in use"), "{e}")
            }
            Err(e) => panic!("a held cache must read as in use: {e}"),
            Ok(_) => {} // sled may share within one process
        }
        drop(held);
        // Not held (another cache dir; sled may keep the first one's lock a moment after
        // its last handle goes): an error whose text mentions a lock is not "in use".
        let other = dir.path().join("other");
        std::fs::create_dir_all(&other).unwrap();
        std::fs::write(other.join("db"), b"").unwrap();
        let e = open_error(
            &other,
            sled::Error::Io(std::io::Error::other("blocked: unlock failed")),
        );
        assert!(matches!(e, StoreError::Sled { .. }), "{e}");
        // The OS's "would block" is, by kind alone.
        let e = open_error(
            &other,
            sled::Error::Io(std::io::Error::from_raw_os_error(libc::EWOULDBLOCK)),
        );
        assert!(matches!(e, StoreError::Locked { .. }), "{e}");
    }
}
