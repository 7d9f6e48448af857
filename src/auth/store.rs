//! The token store: `<data dir>/auth/tokens.json`, one entry per GHL location.
//!
//! File format (JSON, mode `0600`, in a `0700` directory):
//! ```json
//! { "version": 1, "locations": { "<locationId>": { "kind": "oauth", "access_token": "…", … } } }
//! ```
//! Every change is written atomically: a temporary file in the same directory created with
//! mode `0600` (never chmod-ed afterwards), written, `fsync`ed, renamed over `tokens.json`, then
//! the directory is `fsync`ed. Readers never see half a file.
//!
//! Writers (login, logout, refresh, name updates) hold an exclusive lock on
//! `<data dir>/auth/tokens.lock` (`flock(2)`) for the whole
//! read-modify-write, so two processes never interleave; the refresher re-reads the file after
//! taking the lock because another process may have refreshed in the meantime.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::ghl::Secret;

/// What kind of credential an entry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenKind {
    /// An OAuth 2.0 access token with a rotating refresh token (`POST /oauth/token`).
    Oauth,
    /// A static Private Integration Token (ghl-api.md §2.2).
    Pit,
}

impl TokenKind {
    /// For people: `OAuth` or `Private Integration Token`.
    pub fn label(self) -> &'static str {
        match self {
            TokenKind::Oauth => "OAuth",
            TokenKind::Pit => "Private Integration Token",
        }
    }
}

/// One signed-in location. Tokens are [`Secret`]s: `Debug` never shows them.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenEntry {
    /// GHL location (sub-account) id.
    pub location_id: String,
    /// The location's name from `GET /locations/{id}`, when it could be read (sanitized).
    pub location_name: Option<String>,
    /// `companyId` of the token response.
    pub company_id: Option<String>,
    /// `userType` of the token response (`Location`); `Location` for a PIT.
    pub user_type: String,
    /// `userId` of the token response (who installed the app).
    pub user_id: Option<String>,
    /// Granted scopes (space-split `scope`); empty for a PIT (GHL does not report them).
    pub scopes: Vec<String>,
    pub kind: TokenKind,
    pub access_token: Secret,
    /// The single-use refresh token (OAuth only).
    pub refresh_token: Option<Secret>,
    /// When the access token expires, Unix seconds (None: never, a PIT).
    pub expires_at: Option<i64>,
    /// Why this location must sign in again (a refused refresh), if it must.
    pub needs_sign_in: Option<String>,
    /// When the entry was last written by a sign-in or refresh, Unix seconds.
    pub updated_at: i64,
    /// When the user last signed in to this location, Unix seconds ("most recent").
    pub signed_in_at: i64,
}

impl TokenEntry {
    /// True when the access token expires within `margin_secs` of `now` (Unix seconds).
    pub fn expires_within(&self, now: i64, margin_secs: i64) -> bool {
        self.expires_at.is_some_and(|e| e - margin_secs <= now)
    }

    /// True when the scopes are known and lack `contacts.write`.
    pub fn read_only_reason(&self) -> Option<String> {
        if self.kind == TokenKind::Oauth && !self.scopes.iter().any(|s| s == "contacts.write") {
            Some(format!(
                "signed in to {} without the contacts.write scope (read-only); run \
                 `bmby-ghl auth login` again to grant it",
                self.location_id
            ))
        } else {
            None
        }
    }
}

/// The on-disk shape of an entry (tokens as plain strings; only here).
#[derive(Serialize, Deserialize)]
struct DiskEntry {
    location_id: String,
    #[serde(default)]
    location_name: Option<String>,
    #[serde(default)]
    company_id: Option<String>,
    user_type: String,
    #[serde(default)]
    user_id: Option<String>,
    #[serde(default)]
    scopes: Vec<String>,
    kind: TokenKind,
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    expires_at: Option<i64>,
    #[serde(default)]
    needs_sign_in: Option<String>,
    #[serde(default)]
    updated_at: i64,
    #[serde(default)]
    signed_in_at: i64,
}

#[derive(Serialize, Deserialize, Default)]
struct DiskFile {
    version: u32,
    locations: BTreeMap<String, DiskEntry>,
}

impl From<DiskEntry> for TokenEntry {
    fn from(d: DiskEntry) -> Self {
        TokenEntry {
            location_id: d.location_id,
            location_name: d.location_name,
            company_id: d.company_id,
            user_type: d.user_type,
            user_id: d.user_id,
            scopes: d.scopes,
            kind: d.kind,
            access_token: Secret::new(d.access_token),
            refresh_token: d.refresh_token.map(Secret::new),
            expires_at: d.expires_at,
            needs_sign_in: d.needs_sign_in,
            updated_at: d.updated_at,
            signed_in_at: d.signed_in_at,
        }
    }
}

impl From<&TokenEntry> for DiskEntry {
    fn from(e: &TokenEntry) -> Self {
        DiskEntry {
            location_id: e.location_id.clone(),
            location_name: e.location_name.clone(),
            company_id: e.company_id.clone(),
            user_type: e.user_type.clone(),
            user_id: e.user_id.clone(),
            scopes: e.scopes.clone(),
            kind: e.kind,
            access_token: e.access_token.expose().to_owned(),
            refresh_token: e.refresh_token.as_ref().map(|s| s.expose().to_owned()),
            expires_at: e.expires_at,
            needs_sign_in: e.needs_sign_in.clone(),
            updated_at: e.updated_at,
            signed_in_at: e.signed_in_at,
        }
    }
}

/// Errors of the token store; they name the file.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("token store {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("token store {path} is not valid: {message} (move it away and sign in again)")]
    Corrupt { path: PathBuf, message: String },
}

/// All entries, by location id.
pub type Entries = BTreeMap<String, TokenEntry>;

/// The token store of one data dir. Cheap to clone.
#[derive(Debug, Clone)]
pub struct TokenStore {
    dir: PathBuf,
}

/// The held cross-process lock; dropping it unlocks.
#[derive(Debug)]
pub struct StoreLock {
    _file: File,
}

/// Now, Unix seconds.
pub fn now_secs() -> i64 {
    jiff::Timestamp::now().as_second()
}

impl TokenStore {
    /// The store under `data_dir` (`<data_dir>/auth/`). Nothing is created until a write.
    pub fn new(data_dir: &Path) -> TokenStore {
        TokenStore {
            dir: data_dir.join("auth"),
        }
    }

    /// `<data dir>/auth/tokens.json`.
    pub fn path(&self) -> PathBuf {
        self.dir.join("tokens.json")
    }

    fn io(&self, path: &Path, source: std::io::Error) -> StoreError {
        StoreError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    fn ensure_dir(&self) -> Result<(), StoreError> {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&self.dir)
            .map_err(|e| self.io(&self.dir, e))
    }

    /// Takes the exclusive cross-process lock (blocks until it is free). Call it off the async
    /// threads (`spawn_blocking`) when another process may hold it long.
    pub fn lock(&self) -> Result<StoreLock, StoreError> {
        self.ensure_dir()?;
        let p = self.dir.join("tokens.lock");
        let f = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .open(&p)
            .map_err(|e| self.io(&p, e))?;
        flock_exclusive(&f).map_err(|e| self.io(&p, e))?;
        Ok(StoreLock { _file: f })
    }

    /// Every entry (an absent file is an empty store).
    pub fn load(&self) -> Result<Entries, StoreError> {
        let p = self.path();
        let text = match std::fs::read_to_string(&p) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Entries::new()),
            Err(e) => return Err(self.io(&p, e)),
        };
        let file: DiskFile = serde_json::from_str(&text).map_err(|e| StoreError::Corrupt {
            path: p.clone(),
            message: format!("line {}: {}", e.line(), classify(&e)),
        })?;
        Ok(file
            .locations
            .into_iter()
            .map(|(k, v)| (k, TokenEntry::from(v)))
            .collect())
    }

    /// One location's entry.
    pub fn get(&self, location_id: &str) -> Result<Option<TokenEntry>, StoreError> {
        Ok(self.load()?.remove(location_id))
    }

    /// Writes every entry atomically (temp file `0600`, fsync, rename, fsync dir). The caller
    /// holds the lock (`_lock` proves it).
    pub fn save(&self, _lock: &StoreLock, entries: &Entries) -> Result<(), StoreError> {
        self.ensure_dir()?;
        let file = DiskFile {
            version: 1,
            locations: entries
                .iter()
                .map(|(k, v)| (k.clone(), DiskEntry::from(v)))
                .collect(),
        };
        let text = serde_json::to_vec_pretty(&file).map_err(|e| StoreError::Corrupt {
            path: self.path(),
            message: e.to_string(),
        })?;
        let tmp = self.dir.join(format!(
            ".tokens.json.{}.{}.tmp",
            std::process::id(),
            rand::random::<u32>()
        ));
        let write = || -> std::io::Result<()> {
            let mut f = OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&tmp)?;
            f.write_all(&text)?;
            f.sync_all()?;
            drop(f);
            std::fs::rename(&tmp, self.path())?;
            File::open(&self.dir)?.sync_all()
        };
        write().map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            self.io(&self.path(), e)
        })
    }

    /// Locks, loads, lets `f` change the entries, saves (only if `f` returns `Ok((_, true))`).
    pub fn update<T>(&self, f: impl FnOnce(&mut Entries) -> (T, bool)) -> Result<T, StoreError> {
        let lock = self.lock()?;
        let mut entries = self.load()?;
        let (out, changed) = f(&mut entries);
        if changed {
            self.save(&lock, &entries)?;
        }
        Ok(out)
    }

    /// Adds or replaces the entry of `entry.location_id`.
    pub fn put(&self, entry: TokenEntry) -> Result<(), StoreError> {
        self.update(|m| {
            m.insert(entry.location_id.clone(), entry);
            ((), true)
        })
    }

    /// Removes a location's entry; returns whether there was one.
    pub fn remove(&self, location_id: &str) -> Result<bool, StoreError> {
        self.update(|m| {
            let had = m.remove(location_id).is_some();
            (had, had)
        })
    }

    /// The location to use when none is configured: the only one, else the one signed in to
    /// most recently.
    pub fn default_location(&self) -> Result<Option<String>, StoreError> {
        Ok(self
            .load()?
            .into_values()
            .max_by_key(|e| (e.signed_in_at, e.updated_at))
            .map(|e| e.location_id))
    }
}

/// `flock(LOCK_EX)`, retried on EINTR (std's `File::lock` needs Rust 1.89; MSRV is 1.85).
fn flock_exclusive(f: &File) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    loop {
        // SAFETY: flock on a file descriptor this `File` owns for the call's duration.
        if unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX) } == 0 {
            return Ok(());
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

/// A serde_json error's category without echoing the file's content (it holds tokens).
fn classify(e: &serde_json::Error) -> &'static str {
    use serde_json::error::Category;
    match e.classify() {
        Category::Io => "read error",
        Category::Syntax => "not JSON",
        Category::Data => "unexpected shape",
        Category::Eof => "cut short",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(loc: &str) -> TokenEntry {
        TokenEntry {
            location_id: loc.into(),
            location_name: None,
            company_id: Some("co".into()),
            user_type: "Location".into(),
            user_id: None,
            scopes: vec!["contacts.readonly".into()],
            kind: TokenKind::Oauth,
            access_token: Secret::new("at-secret"),
            refresh_token: Some(Secret::new("rt-secret")),
            expires_at: Some(100),
            needs_sign_in: None,
            updated_at: 1,
            signed_in_at: 1,
        }
    }

    #[test]
    fn round_trip_and_mode() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let s = TokenStore::new(d.path());
        assert!(s.load().unwrap().is_empty());
        s.put(entry("A")).unwrap();
        let mut b = entry("B");
        b.signed_in_at = 5;
        s.put(b).unwrap();
        assert_eq!(s.get("A").unwrap().unwrap(), entry("A"));
        assert_eq!(s.default_location().unwrap().as_deref(), Some("B"));
        let mode = std::fs::metadata(s.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert!(s.remove("B").unwrap());
        assert!(!s.remove("B").unwrap());
        // no temp files left behind
        let names: Vec<_> = std::fs::read_dir(d.path().join("auth"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
    }

    #[test]
    fn corrupt_file_names_path_not_content() {
        let d = tempfile::tempdir().unwrap();
        let s = TokenStore::new(d.path());
        std::fs::create_dir_all(d.path().join("auth")).unwrap();
        std::fs::write(
            s.path(),
            "{\"version\":1,\"locations\":{\"x\":{\"access_token\":\"tok-123\"",
        )
        .unwrap();
        let e = s.load().unwrap_err().to_string();
        assert!(e.contains("tokens.json"), "{e}");
        assert!(!e.contains("tok-123"), "{e}");
    }

    #[test]
    fn expiry_margin() {
        let e = entry("A");
        assert!(e.expires_within(50, 60));
        assert!(!e.expires_within(10, 60));
        assert!(e.read_only_reason().is_some());
    }
}
