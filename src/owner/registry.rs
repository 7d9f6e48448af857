//! The caches this process holds open as their owner, so that a command it runs (for itself or
//! for a client) uses the open handle instead of opening the cache a second time (which sled
//! refuses).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::store::Store;

/// Open stores by their location directory (canonical path).
static HELD: Mutex<Vec<(PathBuf, Store)>> = Mutex::new(Vec::new());

fn key(data_dir: &Path, location_id: &str) -> Option<PathBuf> {
    Store::location_dir(data_dir, location_id)
        .canonicalize()
        .ok()
}

/// The open store of `location_id` under `data_dir`, when an owner in this process holds it.
pub fn held_store(data_dir: &Path, location_id: &str) -> Option<Store> {
    let k = key(data_dir, location_id)?;
    let held = HELD.lock().unwrap_or_else(|p| p.into_inner());
    held.iter().find(|(p, _)| *p == k).map(|(_, s)| s.clone())
}

/// Records `store` as held; returns the key to [`release`] it with.
pub(super) fn hold(data_dir: &Path, location_id: &str, store: Store) -> Option<PathBuf> {
    let k = key(data_dir, location_id)?;
    let mut held = HELD.lock().unwrap_or_else(|p| p.into_inner());
    held.retain(|(p, _)| *p != k);
    held.push((k.clone(), store));
    Some(k)
}

/// Forgets a held store (its owner stopped).
pub(super) fn release(k: &Path) {
    let mut held = HELD.lock().unwrap_or_else(|p| p.into_inner());
    held.retain(|(p, _)| p != k);
}
