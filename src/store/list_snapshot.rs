//! The list snapshot (issue #14): the whole compact contact list ([`RowList`], with its name
//! order) in one file beside the sled directory, so a start reads it in one go instead of
//! decoding a million contact records, plus the ids whose rows were written since (tree
//! `list_marks`), their rows read from the contact records and merged in ([`RowList::merged`]).
//!
//! File `<cache>.list` (for `cache.sled`: `cache.list`), little-endian: magic `BGHLLIST`,
//! [`VERSION`] (`u32`), the stamp (`u64`), the number of rows (`u64`), the length (`u64`) and
//! CRC-32 (`u32`) of the head, the length of the body (`u64`); the head: the first
//! [`HEAD_ROWS`] rows in name order ([`RowList::write_bytes`]), what a first frame shows
//! ([`read_head`]); the body: the whole list with its name order; the CRC-32 of the body
//! (`u32`). It is written to a temporary file and renamed over the old one.
//!
//! Generations: `meta` `list_epoch` counts snapshot builds (`u64` BE). Every write of rows
//! (`put_contacts`, `remove_contact`) marks its ids in ONE record of `list_marks` (schema 6;
//! schema 5 wrote one `list_changed` record per id, a second insert per contact), keyed by
//! the epoch it read *after* writing the rows (`u64` BE) and a fresh id (`u64` BE), the value
//! the ids (bincode, `super::record::opts`). A build takes the next epoch E first, then reads
//! the list, writes the file stamped E, records E as `meta` `list_snapshot`, and drops marks:
//! reading every record, those older than E (made after their rows were written and before
//! the build began, so the build read the rows); merging, the mark records it merged (a mark
//! still being written while they were read stays for the next load). Later marks stay. A
//! snapshot whose stamp is not
//! `list_snapshot` (a crash between the rename and the stamp, a file from another cache), that
//! is missing, damaged (CRC, lengths, offsets) or of another version is ignored: the list is
//! read from the contact records and the snapshot written again. Migrations that rewrite or
//! clear the rows forget the stamp ([`Store::forget_list_snapshot`]).
//!
//! **Big writes make the snapshot stale.** `meta` `list_marked` counts the ids marked since
//! the snapshot (`u64` BE; a hint, not exact). Once it passes [`stale_after`] of the snapshot's
//! rows (`meta` `list_rows`) and no build is under way, the write, after its mark, removes the
//! stamp (one meta record): merging that many rows would cost about what reading every record
//! costs, and the rest of the big write (a full pull's pages, the benchmark's generator) then
//! marks nothing. The next load reads every record and writes the snapshot. Removing the stamp
//! is always safe: at worst a snapshot is rebuilt that was current; the write is marked all
//! the same, for a build that read the stamp before it was removed.
//!
//! OUR CHOICE: the file is not fsynced before the rename: after a crash a torn file fails its
//! CRC and is rebuilt, which only costs time. The snapshot is written again when more than
//! [`REWRITE_AFTER`] rows changed since, and when asked ([`Store::save_list_snapshot`], at
//! the TUI's exit).

use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use super::db::{Store, StoreError};
use crate::domain::{order_by_name, ContactRow, RowList};

const MAGIC: &[u8; 8] = b"BGHLLIST";
/// Version of the file layout; another version is ignored (rebuilt).
pub const VERSION: u32 = 1;
/// Header bytes: magic, version, stamp, rows, head length and CRC, body length.
const HEADER: u64 = 8 + 4 + 8 + 8 + 8 + 4 + 8;
/// Rows of the head: more than a screen holds.
pub const HEAD_ROWS: usize = 200;
/// Changed rows beyond which a load writes the snapshot again.
pub const REWRITE_AFTER: usize = 20_000;
const META_EPOCH: &str = "list_epoch";
const META_STAMP: &str = "list_snapshot";
/// Ids marked since the snapshot (`u64` BE, a hint).
const META_MARKED: &str = "list_marked";
/// Rows of the snapshot (`u64` BE).
const META_ROWS: &str = "list_rows";

/// Marked ids beyond which a write declares a snapshot of `rows` rows stale instead of
/// marking: a quarter of the list, and never fewer than [`REWRITE_AFTER`].
pub fn stale_after(rows: u64) -> u64 {
    (rows / 4).max(REWRITE_AFTER as u64)
}

/// A read of the snapshot file started before the store opens ([`prefetch`]), so the TUI's
/// first full load does not wait for sled's open and then for the file one after the other.
pub struct Prefetch(std::thread::JoinHandle<Result<(RowList, u64), String>>);

impl std::fmt::Debug for Prefetch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Prefetch")
    }
}

/// Starts reading the snapshot beside the cache at `cache` (`…/cache.sled`) on a thread;
/// `None` when there is no snapshot file. Hand it to [`Store::use_prefetched_list`]: the next
/// list load uses it when its stamp is the store's, and reads the file again otherwise.
pub fn prefetch(cache: &std::path::Path) -> Option<Prefetch> {
    let path = cache.with_extension("list");
    if !path.exists() {
        return None;
    }
    std::thread::Builder::new()
        .name("list-prefetch".into())
        .spawn(move || read_file(&path, None))
        .ok()
        .map(Prefetch)
}

/// Where the list came from, for logs and benchmarks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListSourceKind {
    /// The snapshot, with this many changed rows merged in.
    Snapshot { changed: usize },
    /// Every contact record (no usable snapshot); the snapshot was written again.
    Rows,
}

fn be_u64(v: &[u8]) -> Option<u64> {
    <[u8; 8]>::try_from(v).ok().map(u64::from_be_bytes)
}

impl Store {
    /// The snapshot file of this cache.
    pub fn list_snapshot_path(&self) -> PathBuf {
        self.path().with_extension("list")
    }

    /// Keeps `p` for the next list load (see [`prefetch`]).
    pub fn use_prefetched_list(&self, p: Option<Prefetch>) {
        *self.prefetched.lock().unwrap_or_else(|e| e.into_inner()) = p;
    }

    fn list_epoch(&self) -> Result<u64, StoreError> {
        Ok(self
            .meta_tree()
            .get(META_EPOCH)
            .map_err(|e| self.err(e))?
            .and_then(|v| be_u64(&v))
            .unwrap_or(0))
    }

    /// Marks `ids` as changed since the snapshot: one `list_marks` record for all of them.
    /// Called by every write of contact records, after the records are written (see the
    /// module doc).
    ///
    /// Without a snapshot, and no build under way in this process, nothing is marked: the
    /// next load reads every row anyway (a first pull of a million contacts writes no marks).
    /// The build sets `building` before it takes its epoch and clears it after recording the
    /// stamp, and this reads `building` before the stamp, so a write it does not mark was
    /// either written before the build began or sees the stamp. When the marks pass
    /// [`stale_after`] and no build is under way, the stamp is removed instead.
    pub(super) fn mark_list_changed<'a>(
        &self,
        ids: impl IntoIterator<Item = &'a str>,
    ) -> Result<(), StoreError> {
        let building = self.list_building.load(Ordering::SeqCst);
        let meta = self.meta_tree();
        if !building && !meta.contains_key(META_STAMP).map_err(|e| self.err(e))? {
            return Ok(());
        }
        let ids: Vec<&str> = ids.into_iter().collect();
        if ids.is_empty() {
            return Ok(());
        }
        let marked = meta
            .update_and_fetch(META_MARKED, |old| {
                let n = old.and_then(be_u64).unwrap_or(0);
                Some((n + ids.len() as u64).to_be_bytes().to_vec())
            })
            .map_err(|e| self.err(e))?
            .and_then(|v| be_u64(&v))
            .unwrap_or(0);
        let mut key = self.list_epoch()?.to_be_bytes().to_vec();
        key.extend_from_slice(&self.next_id()?.to_be_bytes());
        let value = bincode::Options::serialize(super::record::opts(), &ids)
            .expect("bincode encoding of strings cannot fail");
        self.list_marks
            .insert(key, value)
            .map_err(|e| self.err(e))?;
        if !building {
            let rows = meta
                .get(META_ROWS)
                .map_err(|e| self.err(e))?
                .and_then(|v| be_u64(&v))
                .unwrap_or(0);
            if marked > stale_after(rows) {
                // Marked all the same: a build that read the stamp before it went merges
                // these ids rather than missing them.
                tracing::debug!(marked, rows, "list snapshot stale after a big write");
                meta.remove(META_STAMP).map_err(|e| self.err(e))?;
            }
        }
        Ok(())
    }

    /// The ids marked in `list_marks`, each once, in id order, and the keys of the mark
    /// records read. Errors: sled's; an unreadable mark record.
    #[allow(clippy::type_complexity)]
    fn marked_ids(
        &self,
    ) -> Result<(std::collections::BTreeSet<Vec<u8>>, Vec<sled::IVec>), StoreError> {
        let mut out = std::collections::BTreeSet::new();
        let mut seen = Vec::new();
        for kv in self.list_marks.iter() {
            let (k, v) = kv.map_err(|e| self.err(e))?;
            let ids: Vec<&str> =
                bincode::Options::deserialize(super::record::opts(), &v).map_err(|e| {
                    StoreError::Corrupt {
                        path: self.path().to_path_buf(),
                        tree: "list_marks",
                        key: format!("{k:?}"),
                        message: e.to_string(),
                    }
                })?;
            out.extend(ids.into_iter().map(|id| id.as_bytes().to_vec()));
            seen.push(k);
        }
        Ok((out, seen))
    }

    /// Makes the snapshot unusable (the rows were rewritten without marks: a migration).
    pub(super) fn forget_list_snapshot(&self) -> Result<(), StoreError> {
        let meta = self.meta_tree();
        for key in [META_STAMP, META_MARKED] {
            meta.remove(key).map_err(|e| self.err(e))?;
        }
        self.list_marks.clear().map_err(|e| self.err(e))
    }

    /// Every list row, compact, with its name order: the snapshot plus the rows changed since
    /// when the snapshot is usable, else every contact record (and the snapshot is
    /// written again). Equal to [`Store::contact_list_from_rows`] either way.
    pub fn contact_list(&self) -> Result<RowList, StoreError> {
        self.contact_list_traced().map(|(l, _)| l)
    }

    /// [`Store::contact_list`], saying where the list came from.
    pub fn contact_list_traced(&self) -> Result<(RowList, ListSourceKind), StoreError> {
        self.build_list(false)
    }

    /// Writes the snapshot again when rows changed since it was written (or it is unusable).
    /// Returns whether it wrote. For the end of a session and idle time.
    pub fn save_list_snapshot(&self) -> Result<bool, StoreError> {
        let stamped = self.meta_tree().get(META_STAMP).map_err(|e| self.err(e))?;
        if (stamped.is_some() && self.list_marks.is_empty())
            || (stamped.is_none() && self.contacts.is_empty())
        {
            return Ok(false);
        }
        self.build_list(true)?;
        Ok(true)
    }

    /// The list (snapshot + changes, or every row); writes the snapshot when `save`, when it
    /// was unusable, or when many rows changed since.
    fn build_list(&self, save: bool) -> Result<(RowList, ListSourceKind), StoreError> {
        let _one = self.snap_lock.lock().unwrap_or_else(|p| p.into_inner());
        self.list_building.store(true, Ordering::SeqCst);
        let r = self.build_list_locked(save);
        self.list_building.store(false, Ordering::SeqCst);
        r
    }

    fn build_list_locked(&self, save: bool) -> Result<(RowList, ListSourceKind), StoreError> {
        let epoch = self.next_list_epoch()?;
        match self.load_list_snapshot()? {
            Ok((list, changed, seen)) => {
                if save || changed > REWRITE_AFTER {
                    self.write_list_snapshot(&list, epoch, Some(&seen))?;
                }
                Ok((list, ListSourceKind::Snapshot { changed }))
            }
            Err(why) => {
                tracing::info!(why = %why, "list snapshot not used; reading every row");
                let mut list = self.contact_list_from_rows()?;
                let order = order_by_name(&list);
                list.set_name_order(order);
                self.write_list_snapshot(&list, epoch, None)?;
                Ok((list, ListSourceKind::Rows))
            }
        }
    }

    fn next_list_epoch(&self) -> Result<u64, StoreError> {
        let v = self
            .meta_tree()
            .update_and_fetch(META_EPOCH, |old| {
                let n = old.and_then(be_u64).unwrap_or(0);
                Some((n + 1).to_be_bytes().to_vec())
            })
            .map_err(|e| self.err(e))?;
        Ok(v.and_then(|v| be_u64(&v)).unwrap_or(0))
    }

    /// The snapshot with the changed rows merged in, how many changed, and the keys of the
    /// mark records read; `Ok(Err(why))` when it cannot be used. Errors: sled's.
    #[allow(clippy::type_complexity)]
    fn load_list_snapshot(
        &self,
    ) -> Result<Result<(RowList, usize, Vec<sled::IVec>), String>, StoreError> {
        let Some(stamp) = self
            .meta_tree()
            .get(META_STAMP)
            .map_err(|e| self.err(e))?
            .and_then(|v| be_u64(&v))
        else {
            return Ok(Err("no snapshot recorded".into()));
        };
        let early = self
            .prefetched
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
            .and_then(|p| p.0.join().ok())
            .and_then(Result::ok)
            .filter(|(_, s)| *s == stamp);
        let read = match early {
            Some(r) => Ok(r),
            None => read_file(&self.list_snapshot_path(), Some(stamp)),
        };
        let base = match read {
            Ok((list, _)) => list,
            Err(why) => return Ok(Err(why)),
        };
        let mut changes: Vec<(String, Option<ContactRow>)> = Vec::new();
        let (ids, seen) = self.marked_ids()?;
        for k in ids {
            let id = String::from_utf8_lossy(&k).into_owned();
            let row = match self.contacts.get(&id).map_err(|e| self.err(e))? {
                Some(v) => match super::record::row(&v) {
                    Ok(r) => Some(r.to_owned_row()),
                    Err(m) => {
                        let e = self.corrupt_record(&id, m);
                        tracing::warn!(error = %e, "skipping unreadable cached row");
                        None
                    }
                },
                None => None,
            };
            changes.push((id, row));
        }
        let n = changes.len();
        let list = if n == 0 { base } else { base.merged(&changes) };
        Ok(Ok((list, n, seen)))
    }

    /// Writes `list` as the snapshot of `epoch` and drops the marks it includes: the mark
    /// records `merged` when the list is the snapshot plus those, else (read from every
    /// record) every mark older than `epoch`.
    fn write_list_snapshot(
        &self,
        list: &RowList,
        epoch: u64,
        merged: Option<&[sled::IVec]>,
    ) -> Result<(), StoreError> {
        let path = self.list_snapshot_path();
        if let Err(e) = write_file(&path, list, epoch) {
            tracing::warn!(path = %path.display(), error = %e, "list snapshot not written");
            return Ok(());
        }
        let meta = self.meta_tree();
        meta.insert(META_ROWS, &(list.len() as u64).to_be_bytes()[..])
            .map_err(|e| self.err(e))?;
        meta.insert(META_STAMP, &epoch.to_be_bytes()[..])
            .map_err(|e| self.err(e))?;
        // A merge drops the records it read (a write's mark still on its way when they were
        // read stays); a read of every record drops the marks made before this build began
        // (their keys start with an older epoch): their rows were written before it read.
        if let Some(keys) = merged {
            for k in keys {
                self.list_marks.remove(k).map_err(|e| self.err(e))?;
            }
        }
        let mut left = 0u64;
        for kv in self.list_marks.iter() {
            let (k, v) = kv.map_err(|e| self.err(e))?;
            if merged.is_none() && k.get(..8).and_then(be_u64).is_some_and(|m| m < epoch) {
                self.list_marks.remove(&k).map_err(|e| self.err(e))?;
            } else {
                left += bincode::Options::deserialize::<Vec<&str>>(super::record::opts(), &v)
                    .map_or(0, |ids| ids.len() as u64);
            }
        }
        meta.insert(META_MARKED, &left.to_be_bytes()[..])
            .map_err(|e| self.err(e))?;
        Ok(())
    }
}

/// Writes the snapshot file of `list` stamped `stamp`: a temporary file renamed over `path`.
pub fn write_file(path: &std::path::Path, list: &RowList, stamp: u64) -> std::io::Result<()> {
    static N: AtomicU64 = AtomicU64::new(0);
    let tmp = path.with_extension(format!(
        "list.tmp.{}.{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let r = (|| {
        let f = std::fs::File::create(&tmp)?;
        let mut w = BufWriter::with_capacity(1 << 20, f);
        w.write_all(MAGIC)?;
        w.write_all(&VERSION.to_le_bytes())?;
        w.write_all(&stamp.to_le_bytes())?;
        w.write_all(&(list.len() as u64).to_le_bytes())?;
        let first: Vec<u32> = match list.name_order() {
            Some(o) => o.iter().take(HEAD_ROWS).copied().collect(),
            None => (0..list.len().min(HEAD_ROWS) as u32).collect(),
        };
        let mut head = Vec::new();
        list.select(&first).write_bytes(&mut head)?;
        let mut crc = flate2::Crc::new();
        crc.update(&head);
        w.write_all(&(head.len() as u64).to_le_bytes())?;
        w.write_all(&crc.sum().to_le_bytes())?;
        w.write_all(&0u64.to_le_bytes())?; // the body's length, filled in below
        w.write_all(&head)?;
        let (len, sum) = {
            let mut counted = Counted {
                inner: flate2::CrcWriter::new(&mut w),
                n: 0,
            };
            list.write_bytes(&mut counted)?;
            (counted.n, counted.inner.crc().sum())
        };
        w.write_all(&sum.to_le_bytes())?;
        w.seek(SeekFrom::Start(HEADER - 8))?;
        w.write_all(&len.to_le_bytes())?;
        w.into_inner().map_err(|e| e.into_error())?;
        std::fs::rename(&tmp, path)
    })();
    if r.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    r
}

/// A writer that counts what it passes on.
struct Counted<W: Write> {
    inner: W,
    n: u64,
}

impl<W: Write> Write for Counted<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let k = self.inner.write(buf)?;
        self.n += k as u64;
        Ok(k)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// The header of a snapshot file.
struct Header {
    stamp: u64,
    rows: u64,
    head_len: u64,
    head_crc: u32,
    body_len: u64,
}

fn read_header(r: &mut impl Read, size: u64, want: Option<u64>) -> Result<Header, String> {
    let mut h = [0u8; HEADER as usize];
    r.read_exact(&mut h)
        .map_err(|_| "snapshot header cut short")?;
    if &h[..8] != MAGIC {
        return Err("not a list snapshot".into());
    }
    let u64_at = |i: usize| u64::from_le_bytes(h[i..i + 8].try_into().expect("8 bytes"));
    let version = u32::from_le_bytes(h[8..12].try_into().expect("4 bytes"));
    if version != VERSION {
        return Err(format!("snapshot version {version}, not {VERSION}"));
    }
    let head = Header {
        stamp: u64_at(12),
        rows: u64_at(20),
        head_len: u64_at(28),
        head_crc: u32::from_le_bytes(h[36..40].try_into().expect("4 bytes")),
        body_len: u64_at(40),
    };
    if want.is_some_and(|w| w != head.stamp) {
        return Err(format!("snapshot {} is stale", head.stamp));
    }
    let total = HEADER
        .checked_add(head.head_len)
        .and_then(|x| x.checked_add(head.body_len))
        .and_then(|x| x.checked_add(4));
    if total != Some(size) {
        return Err("snapshot length does not match the file".into());
    }
    Ok(head)
}

fn open_file(path: &std::path::Path) -> Result<(BufReader<std::fs::File>, u64), String> {
    let f = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let size = f.metadata().map_err(|e| e.to_string())?.len();
    Ok((BufReader::with_capacity(1 << 20, f), size))
}

/// What a first frame needs from a snapshot, read without the store (sled need not be open)
/// and without reading the whole file.
#[derive(Debug)]
pub struct SnapshotHead {
    /// The first [`HEAD_ROWS`] rows (fewer when the list is shorter) in name order.
    pub rows: RowList,
    /// Every row of the snapshot (the rows changed since are not counted).
    pub count: u64,
    /// The stamp (compare with the store's to know whether it is current).
    pub stamp: u64,
}

/// Reads the head of a snapshot file. Errors as [`read_file`] (the body is not checked).
pub fn read_head(path: &std::path::Path) -> Result<SnapshotHead, String> {
    let (mut r, size) = open_file(path)?;
    let h = read_header(&mut r, size, None)?;
    let mut head = vec![0u8; h.head_len as usize];
    r.read_exact(&mut head)
        .map_err(|_| "snapshot head cut short")?;
    let mut crc = flate2::Crc::new();
    crc.update(&head);
    if crc.sum() != h.head_crc {
        return Err("snapshot head CRC mismatch".into());
    }
    let rows = RowList::read_bytes(&mut head.as_slice(), h.head_len)?;
    Ok(SnapshotHead {
        rows,
        count: h.rows,
        stamp: h.stamp,
    })
}

/// Reads a snapshot file without the store (sled need not be open): the list and its stamp.
/// With `want`, a file of another stamp is refused.
///
/// Errors (as text: the snapshot is then not used): missing, another version or stamp, cut
/// short, CRC mismatch, inconsistent list.
pub fn read_file(path: &std::path::Path, want: Option<u64>) -> Result<(RowList, u64), String> {
    let (mut r, size) = open_file(path)?;
    let h = read_header(&mut r, size, want)?;
    r.seek_relative(h.head_len as i64)
        .map_err(|e| format!("snapshot head: {e}"))?;
    let len = h.body_len;
    let mut body = r.by_ref().take(len);
    let (list, sum) = {
        let mut crc = flate2::CrcReader::new(&mut body);
        let list = RowList::read_bytes(&mut crc, len)?;
        (list, crc.crc().sum())
    };
    if body.limit() != 0 {
        return Err("snapshot body longer than its list".into());
    }
    let mut t = [0u8; 4];
    r.read_exact(&mut t).map_err(|_| "snapshot cut short")?;
    if u32::from_le_bytes(t) != sum {
        return Err("snapshot CRC mismatch".into());
    }
    if list.len() as u64 != h.rows {
        return Err("snapshot row count does not match its list".into());
    }
    Ok((list, h.stamp))
}

#[cfg(test)]
mod tests {
    use crate::domain::Contact;
    use crate::store::Store;

    fn c(id: &str, name: &str) -> Contact {
        Contact {
            id: id.into(),
            first_name: Some(name.into()),
            ..Default::default()
        }
    }

    /// A cache from schema 4 (or written into by a version-4 binary: rows without marks)
    /// forgets its snapshot, so the list still equals the rows.
    #[test]
    fn schema_4_forgets_the_snapshot() {
        let dir = tempfile::tempdir().unwrap();
        {
            let s = Store::open(dir.path(), "loc1").unwrap();
            s.put_contacts(&[c("a", "Ann"), c("b", "Bo")]).unwrap();
            s.contact_list().unwrap();
            assert!(s.list_snapshot_path().exists());
            // What a version-4 binary leaves: its schema, its trees, rows written without marks.
            s.set_meta("schema_version", "4").unwrap();
            s.contacts.clear().unwrap();
            crate::store::write_v5_contacts(&s.db, &[c("a", "Ann"), c("b", "Bo"), c("c", "Cy")])
                .unwrap();
            s.flush().unwrap();
        }
        // sled may hold its lock a moment after the last handle of this process is dropped.
        let s = loop {
            match Store::open(dir.path(), "loc1") {
                Err(crate::store::StoreError::Locked { .. }) => std::thread::yield_now(),
                r => break r.unwrap(),
            }
        };
        assert_eq!(s.meta("schema_version").as_deref(), Some("7"));
        let (l, kind) = s.contact_list_traced().unwrap();
        assert_eq!(kind, super::ListSourceKind::Rows);
        let names: Vec<&str> = l.iter().map(|r| r.name).collect();
        assert_eq!(names, ["Ann", "Bo", "Cy"]);
    }

    /// A write marks its ids in one record, whatever its size; a write past
    /// [`super::stale_after`] makes the snapshot stale instead, and the next load reads every
    /// record.
    #[test]
    fn one_mark_record_a_write_and_a_big_write_makes_the_snapshot_stale() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path(), "loc1").unwrap();
        let many = |from: usize, n: usize| -> Vec<Contact> {
            (from..from + n)
                .map(|i| c(&format!("id{i:06}"), "Dana"))
                .collect()
        };
        s.put_contacts(&many(0, 100)).unwrap();
        assert!(s.list_marks.is_empty(), "no snapshot: no marks");
        s.contact_list().unwrap();
        s.put_contacts(&many(50, 300)).unwrap();
        s.remove_contact("id000001").unwrap();
        assert_eq!(s.list_marks.len(), 2, "one record a write");
        let (l, kind) = s.contact_list_traced().unwrap();
        assert_eq!(kind, super::ListSourceKind::Snapshot { changed: 301 });
        assert_eq!(l.len(), 349);
        let limit = super::stale_after(349) as usize;
        assert_eq!(limit, super::REWRITE_AFTER);
        s.put_contacts(&many(1000, limit - 301)).unwrap();
        assert_eq!(
            s.contact_list_traced().unwrap().1,
            super::ListSourceKind::Snapshot { changed: limit },
            "up to the limit: merged"
        );
        s.put_contacts(&many(1000, 100)).unwrap();
        s.put_contacts(&many(1000, 100)).unwrap();
        let marks = s.list_marks.len();
        s.put_contacts(&many(0, 1)).unwrap();
        assert_eq!(s.list_marks.len(), marks, "stale: nothing more marked");
        let (l, kind) = s.contact_list_traced().unwrap();
        assert_eq!(kind, super::ListSourceKind::Rows);
        assert_eq!(l.len(), 349 + limit - 301);
        assert!(
            s.list_marks.is_empty(),
            "the build dropped the marks before it"
        );
        assert_eq!(
            s.contact_list_traced().unwrap().1,
            super::ListSourceKind::Snapshot { changed: 0 }
        );
    }

    /// A write whose mark lands after a merging build read the marks (its epoch older than
    /// the build's) is not dropped by that build: the next load merges it.
    #[test]
    fn a_mark_written_while_a_build_merges_stays_for_the_next_load() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path(), "loc1").unwrap();
        s.put_contacts(&[c("a", "Ann"), c("b", "Bo")]).unwrap();
        s.contact_list().unwrap();
        s.put_contacts(&[c("a", "Anna")]).unwrap();
        let old_epoch = s.list_epoch().unwrap();
        // The build: its epoch, then the snapshot and the marks read.
        let epoch = s.next_list_epoch().unwrap();
        let (list, changed, seen) = s.load_list_snapshot().unwrap().unwrap();
        assert_eq!(changed, 1);
        // Meanwhile a write: its rows, then its mark with the epoch it read before the build's.
        s.contacts
            .put([("b", &crate::store::record::encode(&c("b", "Boaz"))[..])])
            .unwrap();
        let mut key = old_epoch.to_be_bytes().to_vec();
        key.extend_from_slice(&s.next_id().unwrap().to_be_bytes());
        s.list_marks
            .insert(
                key,
                bincode::Options::serialize(crate::store::record::opts(), &vec!["b"]).unwrap(),
            )
            .unwrap();
        s.write_list_snapshot(&list, epoch, Some(&seen)).unwrap();
        assert_eq!(s.list_marks.len(), 1, "the late mark stays");
        let (l, kind) = s.contact_list_traced().unwrap();
        assert_eq!(kind, super::ListSourceKind::Snapshot { changed: 1 });
        let names: Vec<&str> = l.iter().map(|r| r.name).collect();
        assert_eq!(names, ["Anna", "Boaz"]);
    }
}
