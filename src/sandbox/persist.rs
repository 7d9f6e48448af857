//! The demo's world on disk: `bmby-ghl demo --data-dir DIR` keeps the stand-ins' data in
//! `DIR/demo-world/` so that a second run continues where the first stopped (applied changes
//! stay applied, created contacts exist, Bmby write-backs stay written).
//!
//! - `ghl.json`: the GHL stand-in's first location: contacts (GET shape), tasks, notes and
//!   appointments by contact id, custom-field definitions ([`GhlWorld`]).
//! - `bmby.json`: the Bmby stand-in's clients and tasks (see [`super::bmby::persist`]).
//!
//! Each file is written whole to a temporary file in the same directory, flushed to disk and
//! renamed over the old one, so a crash leaves either the old or the new world, never a torn
//! one. A [`WorldKeeper`] saves after every write the stand-ins take (woken by their `changed`
//! notification; several writes in a row are saved once), skips saves that would write the
//! same bytes, and saves once more on [`WorldKeeper::save_now`] (the demo calls it on exit).
//! Only the demo uses this; tests and `bmby-ghl sandbox` start from their seeds.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::Notify;

use super::bmby::BmbySandbox;
use super::state::{Store, StoredContact};
use super::Sandbox;

/// The directory of the demo's world inside a data dir: `DATA_DIR/demo-world`.
pub fn world_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("demo-world")
}

/// Version of the files' shape; a file of another version is refused (named) rather than
/// misread.
const WORLD_VERSION: u32 = 1;

/// The GHL stand-in's data as stored in `ghl.json`.
#[derive(Debug, Serialize, Deserialize)]
struct GhlWorld {
    version: u32,
    location_id: String,
    /// Contacts in GHL's GET shape, in the stand-in's order.
    contacts: Vec<serde_json::Map<String, Value>>,
    tasks: BTreeMap<String, Vec<Value>>,
    notes: BTreeMap<String, Vec<Value>>,
    appointments: BTreeMap<String, Vec<Value>>,
    custom_fields: Vec<Value>,
}

/// Writes `bytes` to `path` atomically: a temporary file beside it, flushed to disk, renamed
/// over `path`. Errors name the file.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let named = |e: io::Error| io::Error::new(e.kind(), format!("{}: {e}", path.display()));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(named)?;
    tmp.write_all(bytes).map_err(named)?;
    tmp.as_file().sync_all().map_err(named)?;
    tmp.persist(path).map_err(|e| named(e.error))?;
    Ok(())
}

/// Reads a world file: `None` when there is none; an `InvalidData` error naming the file when
/// it is not a world of this version.
pub(crate) fn read_world<T: DeserializeOwned>(path: &Path) -> io::Result<Option<T>> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io::Error::new(e.kind(), format!("{}: {e}", path.display()))),
    };
    let bad = |what: String| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{}: {what} (move the directory away to start the demo fresh)",
                path.display()
            ),
        )
    };
    let v: Value = serde_json::from_slice(&bytes).map_err(|e| bad(e.to_string()))?;
    let version = v.get("version").and_then(Value::as_u64);
    if version != Some(u64::from(WORLD_VERSION)) {
        return Err(bad(format!(
            "world format {version:?}, this build reads {WORLD_VERSION}"
        )));
    }
    serde_json::from_value(v)
        .map(Some)
        .map_err(|e| bad(e.to_string()))
}

impl Sandbox {
    /// Replaces the first location's data with the world in `path` (`ghl.json`); false when
    /// there is no such file. Errors: unreadable or malformed file (named), a world of another
    /// location.
    fn restore_world(&self, path: &Path) -> io::Result<bool> {
        let Some(w) = read_world::<GhlWorld>(path)? else {
            return Ok(false);
        };
        if w.location_id != self.shared.location_id {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "{}: the world of location {}, not {}",
                    path.display(),
                    w.location_id,
                    self.shared.location_id
                ),
            ));
        }
        let loc = self.shared.location_id.clone();
        let mut store = Store::default();
        for doc in w.contacts {
            store.upsert(StoredContact::new(doc, &loc));
        }
        store.tasks = w.tasks.into_iter().collect();
        store.notes = w.notes.into_iter().collect();
        store.appointments = w.appointments.into_iter().collect();
        store.custom_fields = w.custom_fields;
        // The lists (workflows, campaigns, businesses, users) are not saved: they come from the
        // seed every run.
        self.shared.with_store_mut(|s| {
            store.lists = std::mem::take(&mut s.lists);
            *s = store
        });
        Ok(true)
    }
}

/// One saved file: how to read it, where it goes, when to look again.
struct Saver {
    path: PathBuf,
    snapshot: Box<dyn Fn() -> io::Result<Vec<u8>> + Send + Sync>,
    changed: Arc<Notify>,
    /// Hash of the bytes last written (a save of the same bytes is skipped).
    last: Mutex<Option<u64>>,
}

impl Saver {
    fn save(&self) -> io::Result<()> {
        // One save at a time, snapshot included: an older snapshot never lands after a newer.
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        let bytes = (self.snapshot)()?;
        let mut h = std::collections::hash_map::DefaultHasher::new();
        bytes.hash(&mut h);
        let hash = h.finish();
        if *last == Some(hash) {
            return Ok(());
        }
        write_atomic(&self.path, &bytes)?;
        *last = Some(hash);
        Ok(())
    }
}

/// Keeps the stand-ins' data saved in the world directory while the demo runs; stops (without
/// a last save: call [`WorldKeeper::save_now`]) when dropped.
pub struct WorldKeeper {
    savers: Vec<Arc<Saver>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    /// True when the world was read back from disk (a second run), false when the stand-ins
    /// started from their seeds.
    pub restored: bool,
}

impl WorldKeeper {
    /// Restores the world in `dir` into both stand-ins when there is one (`ghl.json`,
    /// `bmby.json`; either may be missing), saves it now, then after every write, on the
    /// current tokio runtime. Errors: a world file that cannot be read or written (named).
    pub fn start(dir: &Path, ghl: &Sandbox, bmby: &BmbySandbox) -> io::Result<WorldKeeper> {
        let ghl_path = dir.join("ghl.json");
        let bmby_path = dir.join("bmby.json");
        let restored_ghl = ghl.restore_world(&ghl_path)?;
        let restored_bmby = bmby.restore_world(&bmby_path)?;
        let g = GhlSnapshot(ghl.shared.clone());
        let savers = vec![
            Arc::new(Saver {
                path: ghl_path,
                changed: ghl.shared.changed.clone(),
                snapshot: Box::new(move || g.bytes()),
                last: Mutex::new(None),
            }),
            Arc::new(Saver {
                path: bmby_path,
                changed: bmby.changed(),
                snapshot: bmby.world_snapshot(),
                last: Mutex::new(None),
            }),
        ];
        for s in &savers {
            s.save()?;
        }
        let tasks = savers
            .iter()
            .map(|s| {
                let s = s.clone();
                tokio::spawn(async move {
                    loop {
                        s.changed.notified().await;
                        let one = s.clone();
                        match tokio::task::spawn_blocking(move || one.save()).await {
                            Ok(Ok(())) => {}
                            Ok(Err(e)) => tracing::warn!(error = %e, "demo world not saved"),
                            Err(e) => tracing::warn!(error = %e, "demo world saver stopped"),
                        }
                    }
                })
            })
            .collect();
        Ok(WorldKeeper {
            savers,
            tasks,
            restored: restored_ghl || restored_bmby,
        })
    }

    /// Saves both stand-ins now (skipping files whose bytes did not change). Errors: a file
    /// that cannot be written (named).
    pub fn save_now(&self) -> io::Result<()> {
        for s in &self.savers {
            s.save()?;
        }
        Ok(())
    }
}

impl Drop for WorldKeeper {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// What the GHL saver reads: the first location's shared data.
struct GhlSnapshot(Arc<super::state::Shared>);

impl GhlSnapshot {
    fn bytes(&self) -> io::Result<Vec<u8>> {
        let store = self.0.read();
        let world = GhlWorld {
            version: WORLD_VERSION,
            location_id: self.0.location_id.clone(),
            contacts: store.contacts.iter().map(|c| c.doc.clone()).collect(),
            tasks: store.tasks.clone().into_iter().collect(),
            notes: store.notes.clone().into_iter().collect(),
            appointments: store.appointments.clone().into_iter().collect(),
            custom_fields: store.custom_fields.clone(),
        };
        drop(store);
        Ok(serde_json::to_vec(&world)?)
    }
}
