//! One dispatch at a time per cache within a process.
//!
//! The outbox's states are written and flushed before each network step, which makes a run
//! crash-safe, but two runs in one process (the TUI's worker and an `apply` a client process
//! asked the owner for, or two such `apply`s) could both read a change as approved and both
//! send it. Across processes sled's lock already excludes that; within one, every
//! [`super::dispatch_one_with`] takes its cache's turn first and reads the change's state only
//! then, so the second run sees the change applied and sends nothing.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use crate::store::Store;

/// The turn of `store`'s cache, held until the guard is dropped.
pub(crate) async fn turn(store: &Store) -> tokio::sync::OwnedMutexGuard<()> {
    static TURNS: OnceLock<Mutex<HashMap<PathBuf, Arc<tokio::sync::Mutex<()>>>>> = OnceLock::new();
    let lock = TURNS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .entry(store.path().to_path_buf())
        .or_default()
        .clone();
    lock.lock_owned().await
}
