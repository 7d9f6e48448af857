//! Compacting a cache right after a migration rewrote its contacts (schema 6, `migrate.rs`).
//!
//! sled frees the pages of dropped trees inside its segment files but never shrinks them: a
//! million contacts migrated in place leave 2.3 GB on disk (850 MB written fresh) and an open
//! five to ten times slower. So after the migration the whole database is copied into a new
//! directory (sled's `export` / `import`, every tree) and swapped in:
//! `cache.sled.compacting` (being written) → `cache.sled.compacted` (complete and flushed) →
//! the old directory renamed `cache.sled.precompact`, the new one renamed `cache.sled`, the
//! old one removed. [`recover`] finishes or discards a swap a crash interrupted, before the
//! cache is opened: every state leaves one complete database at `cache.sled`.
//!
//! The whole open of a cache (recovery, migration, copy, swap) holds an exclusive `flock` on
//! `cache.sled.lock` ([`lock`]), so a second process never recovers or opens a cache another
//! one is swapping: it is told the cache is in use, as by sled's own lock.
//!
//! sled's id counter (`Store::next_id`, which the webhook inbox, the recent entries and the
//! list marks key by) is not part of an export: the new database records the next id of the
//! old one as `meta` `id_floor`, added to every id it generates, so ids keep growing.

use std::path::{Path, PathBuf};

use super::db::{Store, StoreError};

/// `meta` key: added to sled's generated ids (`u64` BE).
pub(super) const META_ID_FLOOR: &str = "id_floor";

fn side(path: &Path, what: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(what);
    PathBuf::from(name)
}

/// Whether the cache at `path` (`…/cache.sled`) was last opened by a bmby-ghl older than cache
/// layout 6, so its next open migrates and compacts it (a minute at a million contacts): the
/// directory exists but the open lock beside it ([`lock`]), which every open since layout 6
/// creates, does not. A hint for what a start says while it waits, read without opening sled;
/// never an error.
pub fn upgrade_likely(path: &Path) -> bool {
    path.is_dir() && !side(path, "lock").exists()
}

/// Takes the exclusive lock of opening the cache at `path` (see the module doc), held until
/// the file is dropped. Errors: [`StoreError::Locked`] when another handle holds it, else the
/// file system's.
pub(super) fn lock(path: &Path) -> Result<std::fs::File, StoreError> {
    use std::os::fd::AsRawFd as _;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
    }
    let p = side(path, "lock");
    let f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&p)
        .map_err(|e| io_err(&p, e))?;
    // SAFETY: `flock` on a file descriptor owned by `f`, which outlives the call.
    if unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
        let e = std::io::Error::last_os_error();
        return Err(if super::lock_probe::is_would_block(&e) {
            StoreError::Locked {
                path: path.to_path_buf(),
            }
        } else {
            io_err(&p, e)
        });
    }
    Ok(f)
}

fn io_err(path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Sled {
        path: path.to_path_buf(),
        source: sled::Error::Io(e),
    }
}

/// Finishes or discards a compaction of the cache at `path` that a crash interrupted (see the
/// module doc). Errors: the file system's.
pub(super) fn recover(path: &Path) -> Result<(), StoreError> {
    let (building, done, old) = (
        side(path, "compacting"),
        side(path, "compacted"),
        side(path, "precompact"),
    );
    if building.exists() {
        std::fs::remove_dir_all(&building).map_err(|e| io_err(&building, e))?;
    }
    if done.exists() {
        if path.exists() {
            std::fs::rename(path, &old).map_err(|e| io_err(path, e))?;
        }
        std::fs::rename(&done, path).map_err(|e| io_err(&done, e))?;
    }
    if old.exists() && path.exists() {
        remove_old(&old);
    }
    Ok(())
}

/// Removes the directory of the cache before its copy; a failure (sled's threads of the old
/// handle may still be closing files in it) only leaves it for the next open's [`recover`]:
/// the swap is done, the cache at its path is complete.
fn remove_old(old: &Path) {
    if let Err(e) = std::fs::remove_dir_all(old) {
        tracing::warn!(path = %old.display(), error = %e, "the cache's old copy is removed at the next open");
    }
}

/// Copies the cache of `store` into a new directory and swaps it in (see the module doc).
/// The store is closed; open it again. Errors: sled's, the file system's.
pub(super) fn compact(store: Store) -> Result<(), StoreError> {
    let path = store.path().to_path_buf();
    let (building, done, old) = (
        side(&path, "compacting"),
        side(&path, "compacted"),
        side(&path, "precompact"),
    );
    if building.exists() {
        std::fs::remove_dir_all(&building).map_err(|e| io_err(&building, e))?;
    }
    {
        let new = sled::Config::new()
            .path(&building)
            .cache_capacity(16 * 1024 * 1024)
            .open()
            .map_err(|source| StoreError::Sled {
                path: building.clone(),
                source,
            })?;
        let floor = store.next_id()?.saturating_add(1);
        let err = |source| StoreError::Sled {
            path: building.clone(),
            source,
        };
        new.import(store.db.export());
        new.open_tree("meta")
            .map_err(err)?
            .insert(META_ID_FLOOR, &floor.to_be_bytes()[..])
            .map_err(err)?;
        new.flush().map_err(err)?;
    }
    drop(store);
    std::fs::rename(&building, &done).map_err(|e| io_err(&building, e))?;
    std::fs::rename(&path, &old).map_err(|e| io_err(&path, e))?;
    std::fs::rename(&done, &path).map_err(|e| io_err(&done, e))?;
    remove_old(&old);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db_with(path: &Path, value: &str) {
        let db = sled::open(path).unwrap();
        db.insert("v", value).unwrap();
        db.flush().unwrap();
    }

    fn value(path: &Path) -> String {
        let db = loop {
            match sled::open(path) {
                Ok(db) => break db,
                Err(_) => std::thread::yield_now(),
            }
        };
        String::from_utf8(db.get("v").unwrap().unwrap().to_vec()).unwrap()
    }

    /// Every state a crash can leave ends with one complete database at the cache's path.
    #[test]
    fn recover_finishes_or_discards_an_interrupted_swap() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.sled");
        let leftovers = |p: &Path| {
            ["compacting", "compacted", "precompact"]
                .iter()
                .filter(|w| side(p, w).exists())
                .count()
        };
        // Crash while the copy was written: the copy is dropped.
        db_with(&path, "migrated");
        db_with(&side(&path, "compacting"), "half");
        recover(&path).unwrap();
        assert_eq!(value(&path), "migrated");
        assert_eq!(leftovers(&path), 0);
        // Crash after the copy was complete, before the swap: the copy is swapped in.
        db_with(&side(&path, "compacted"), "compact");
        recover(&path).unwrap();
        assert_eq!(value(&path), "compact");
        assert_eq!(leftovers(&path), 0);
        // Crash between the two renames: the cache's path is missing.
        std::fs::rename(&path, side(&path, "precompact")).unwrap();
        db_with(&side(&path, "compacted"), "compact 2");
        recover(&path).unwrap();
        assert_eq!(value(&path), "compact 2");
        assert_eq!(leftovers(&path), 0);
        // Crash before the old one was removed.
        db_with(&side(&path, "precompact"), "old");
        recover(&path).unwrap();
        assert_eq!(value(&path), "compact 2");
        assert_eq!(leftovers(&path), 0);
    }

    #[test]
    fn a_second_open_waits_for_the_first_to_finish_opening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("loc").join("cache.sled");
        let first = lock(&path).unwrap();
        assert!(matches!(lock(&path), Err(StoreError::Locked { .. })));
        drop(first);
        assert!(lock(&path).is_ok());
    }
}
