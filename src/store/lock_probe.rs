//! Telling "the cache is in use" from other failures to open it, by the OS's answer and never
//! by error text.
//!
//! sled (0.34) takes an exclusive `flock` on `<cache>/db` when it opens a cache; when that is
//! refused it returns an `io::Error` of kind `Other` holding only a message, so neither the
//! kind nor the raw OS error says why. When sled's open fails, [`held_elsewhere`] asks the OS
//! again with a non-blocking `flock` of its own on the same file: refused with
//! `EWOULDBLOCK`/`EAGAIN`, the cache is held by another handle (another process, or another
//! open `Store` of this one: `flock` locks belong to each open file description).

use std::io;
use std::os::fd::AsRawFd as _;
use std::path::Path;

/// Whether an I/O error is the OS saying "would block" (a lock held elsewhere): its kind, or
/// its raw OS error `EWOULDBLOCK`/`EAGAIN`.
pub(super) fn is_would_block(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::WouldBlock
        || matches!(e.raw_os_error(), Some(c) if c == libc::EWOULDBLOCK || c == libc::EAGAIN)
}

/// Whether sled's lock file `<cache>/db` is locked by another handle: a non-blocking
/// exclusive `flock` on it is refused with "would block". Our probe lock, when granted, is
/// released at once. `false` when the file cannot be opened (no cache there yet) or the
/// `flock` fails for another reason.
pub(super) fn held_elsewhere(cache_dir: &Path) -> bool {
    let Ok(f) = std::fs::File::open(cache_dir.join("db")) else {
        return false;
    };
    // SAFETY: `flock` on a file descriptor owned by `f`, alive for both calls.
    if unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
        unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_UN) };
        return false;
    }
    is_would_block(&io::Error::last_os_error())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn would_block_by_kind_or_raw_os_error_only() {
        assert!(is_would_block(&io::Error::from_raw_os_error(
            libc::EWOULDBLOCK
        )));
        assert!(is_would_block(&io::Error::from(io::ErrorKind::WouldBlock)));
        assert!(!is_would_block(&io::Error::other(
            "could not acquire lock on \"x\""
        )));
        assert!(!is_would_block(&io::Error::from_raw_os_error(libc::EACCES)));
    }

    #[test]
    fn a_lock_held_by_another_handle_is_seen_and_a_free_file_is_not() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!held_elsewhere(dir.path()), "no db file: not held");
        let db = dir.path().join("db");
        std::fs::write(&db, b"").unwrap();
        assert!(!held_elsewhere(dir.path()));
        let holder = std::fs::File::open(&db).unwrap();
        assert_eq!(
            unsafe { libc::flock(holder.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) },
            0
        );
        assert!(held_elsewhere(dir.path()));
        drop(holder);
        assert!(!held_elsewhere(dir.path()), "released with its handle");
    }
}
