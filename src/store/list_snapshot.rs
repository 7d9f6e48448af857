//! The list snapshot (issue #14): the whole compact contact list ([`RowList`], with its name
//! order) in one file beside the sled directory, so a start reads it in one go instead of
//! decoding a million `contact_rows` records, plus the ids whose rows were written since
//! (tree `list_changed`), read from `contact_rows` and merged in ([`RowList::merged`]).
//!
//! File `<cache>.list` (for `cache.sled`: `cache.list`), little-endian: magic `BGHLLIST`,
//! [`VERSION`] (`u32`), the stamp (`u64`), the number of rows (`u64`), the length (`u64`) and
//! CRC-32 (`u32`) of the head, the length of the body (`u64`); the head: the first
//! [`HEAD_ROWS`] rows in name order ([`RowList::write_bytes`]), what a first frame shows
//! ([`read_head`]); the body: the whole list with its name order; the CRC-32 of the body
//! (`u32`). It is written to a temporary file and renamed over the old one.
//!
//! Generations: `meta` `list_epoch` counts snapshot builds (`u64` BE). Every write of rows
//! (`put_contacts`, `remove_contact`) marks each id in `list_changed` with the epoch it read
//! *after* writing the rows. A build takes the next epoch E first, then reads the list, writes
//! the file stamped E, records E as `meta` `list_snapshot`, and drops the marks older than E:
//! a mark older than E was made after its rows were written and before the build began, so
//! the build read them; later marks stay. A snapshot whose stamp is not `list_snapshot` (a
//! crash between the rename and the stamp, a file from another cache), that is missing,
//! damaged (CRC, lengths, offsets) or of another version is ignored: the list is read from
//! `contact_rows` and the snapshot written again. Migrations that rewrite or clear the rows
//! forget the stamp ([`Store::forget_list_snapshot`]).
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
    /// Every record of `contact_rows` (no usable snapshot); the snapshot was written again.
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

    /// Marks `ids` as changed since the snapshot. Called by every write of `contact_rows`,
    /// after the rows are written (see the module doc).
    ///
    /// Without a snapshot, and no build under way in this process, nothing is marked: the
    /// next load reads every row anyway (a first pull of a million contacts writes no marks).
    /// The build sets `building` before it takes its epoch and clears it after recording the
    /// stamp, and this reads `building` before the stamp, so a write it does not mark was
    /// either written before the build began or sees the stamp.
    pub(super) fn mark_list_changed<'a>(
        &self,
        ids: impl IntoIterator<Item = &'a str>,
    ) -> Result<(), StoreError> {
        if !self.list_building.load(Ordering::SeqCst)
            && !self
                .meta_tree()
                .contains_key(META_STAMP)
                .map_err(|e| self.err(e))?
        {
            return Ok(());
        }
        let epoch = self.list_epoch()?.to_be_bytes();
        let mut b = sled::Batch::default();
        for id in ids {
            b.insert(id.as_bytes(), &epoch[..]);
        }
        self.list_changed.apply_batch(b).map_err(|e| self.err(e))
    }

    /// Makes the snapshot unusable (the rows were rewritten without marks: a migration).
    pub(super) fn forget_list_snapshot(&self) -> Result<(), StoreError> {
        self.meta_tree()
            .remove(META_STAMP)
            .map_err(|e| self.err(e))?;
        self.list_changed.clear().map_err(|e| self.err(e))
    }

    /// Every list row, compact, with its name order: the snapshot plus the rows changed since
    /// when the snapshot is usable, else every record of `contact_rows` (and the snapshot is
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
        if (stamped.is_some() && self.list_changed.is_empty())
            || (stamped.is_none() && self.rows.is_empty())
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
            Ok((list, changed)) => {
                if save || changed > REWRITE_AFTER {
                    self.write_list_snapshot(&list, epoch)?;
                }
                Ok((list, ListSourceKind::Snapshot { changed }))
            }
            Err(why) => {
                tracing::info!(why = %why, "list snapshot not used; reading every row");
                let mut list = self.contact_list_from_rows()?;
                let order = order_by_name(&list);
                list.set_name_order(order);
                self.write_list_snapshot(&list, epoch)?;
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

    /// The snapshot with the changed rows merged in, and how many changed; `Ok(Err(why))`
    /// when it cannot be used. Errors: sled's.
    #[allow(clippy::type_complexity)]
    fn load_list_snapshot(&self) -> Result<Result<(RowList, usize), String>, StoreError> {
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
        for kv in self.list_changed.iter() {
            let (k, _) = kv.map_err(|e| self.err(e))?;
            let id = String::from_utf8_lossy(&k).into_owned();
            let row = match self.rows.get(&k).map_err(|e| self.err(e))? {
                Some(v) => match self.decode::<ContactRow>("contact_rows", &k, &v) {
                    Ok(r) => Some(r),
                    Err(e) => {
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
        Ok(Ok((list, n)))
    }

    /// Writes `list` as the snapshot of `epoch` and drops the marks it includes.
    fn write_list_snapshot(&self, list: &RowList, epoch: u64) -> Result<(), StoreError> {
        let path = self.list_snapshot_path();
        if let Err(e) = write_file(&path, list, epoch) {
            tracing::warn!(path = %path.display(), error = %e, "list snapshot not written");
            return Ok(());
        }
        self.meta_tree()
            .insert(META_STAMP, &epoch.to_be_bytes()[..])
            .map_err(|e| self.err(e))?;
        for kv in self.list_changed.iter() {
            let (k, v) = kv.map_err(|e| self.err(e))?;
            if be_u64(&v).is_some_and(|m| m < epoch) {
                // Only if no newer write marked it meanwhile.
                let _ = self
                    .list_changed
                    .compare_and_swap(&k, Some(v), None::<&[u8]>)
                    .map_err(|e| self.err(e))?;
            }
        }
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
            // What a version-4 binary does: its schema, rows written without marks.
            s.set_meta("schema_version", "4").unwrap();
            let row = c("c", "Cy").row();
            s.rows
                .insert("c", bincode::serialize(&row).unwrap())
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
        assert_eq!(s.meta("schema_version").as_deref(), Some("5"));
        let (l, kind) = s.contact_list_traced().unwrap();
        assert_eq!(kind, super::ListSourceKind::Rows);
        let names: Vec<&str> = l.iter().map(|r| r.name).collect();
        assert_eq!(names, ["Ann", "Bo", "Cy"]);
    }
}
