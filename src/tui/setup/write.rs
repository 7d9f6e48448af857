//! What the setup screen saves: the config file (`config.toml`, comments and unknown tables
//! kept when it exists, mode 0600, written atomically) and the Bmby SOAP password (never in the
//! config file: `<data dir>/auth/bmby.json`, mode 0600, next to the GHL token store).
//!
//! No terminal code here; [`super::work`] runs these off the UI thread.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::ghl::Secret;

/// The values the setup writes into the config file. `None` leaves a key as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigPlan {
    /// `[ghl] location_id`.
    pub location_id: Option<String>,
    /// `[ghl] base_url`, only when it is not the real API host.
    pub base_url: Option<String>,
    /// `[bmby] soap_url`.
    pub bmby_soap_url: Option<String>,
    /// `[bmby] login`.
    pub bmby_login: Option<String>,
    /// `[bmby] project_id`.
    pub bmby_project_id: Option<String>,
    /// `[bmby] export_dir`: the folder Bmby export files arrive in.
    pub bmby_export_dir: Option<String>,
}

/// Why the config file or the Bmby password could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not valid TOML, so it is left as it is (fix or move it, then run the setup again): {message}")]
    Parse { path: PathBuf, message: String },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The text of the config file after the plan: `existing` (if any) with the plan's keys set,
/// every comment, other key and table kept.
pub fn config_text(
    path: &Path,
    existing: Option<&str>,
    plan: &ConfigPlan,
) -> Result<String, WriteError> {
    // A new file starts with this header; toml_edit would put a comment-only document's
    // comments after the tables, so it is added in front of the finished text instead.
    const HEADER: &str =
        "# bmby-ghl configuration, written by the setup screen (`:setup` in the TUI changes it).\n\
         # Secrets are not kept here: GHL tokens and the Bmby password are in the data dir's\n\
         # auth/ folder (mode 0600).\n";
    let base = existing.unwrap_or("");
    let mut doc: toml_edit::DocumentMut =
        base.parse()
            .map_err(|e: toml_edit::TomlError| WriteError::Parse {
                path: path.to_path_buf(),
                message: e.message().to_owned(),
            })?;
    let mut set = |table: &str, key: &str, value: &Option<String>| {
        if let Some(v) = value {
            if !doc.contains_table(table) {
                doc[table] = toml_edit::table();
            }
            doc[table][key] = toml_edit::value(v.as_str());
        }
    };
    set("ghl", "base_url", &plan.base_url);
    set("ghl", "location_id", &plan.location_id);
    set("bmby", "soap_url", &plan.bmby_soap_url);
    set("bmby", "login", &plan.bmby_login);
    set("bmby", "project_id", &plan.bmby_project_id);
    set("bmby", "export_dir", &plan.bmby_export_dir);
    Ok(match existing {
        Some(_) => doc.to_string(),
        None => format!("{HEADER}\n{doc}"),
    })
}

/// Writes the config file: the plan applied to what is there (comments kept), into a temp
/// file of mode 0600 in the same folder, synced, then renamed over the file.
pub fn write_config(path: &Path, plan: &ConfigPlan) -> Result<(), WriteError> {
    let existing = match std::fs::read_to_string(path) {
        Ok(t) => Some(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(io(path)(e)),
    };
    let text = config_text(path, existing.as_deref(), plan)?;
    write_private(path, text.as_bytes())
}

/// Writes `bytes` to `path` atomically with mode 0600 (temp file, fsync, rename, fsync dir).
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".setup-")
        .suffix(".tmp")
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .tempfile_in(dir)
        .map_err(io(dir))?;
    tmp.write_all(bytes).map_err(io(path))?;
    tmp.as_file().sync_all().map_err(io(path))?;
    tmp.persist(path).map_err(|e| io(path)(e.error))?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Where the Bmby SOAP password is kept: `<data dir>/auth/bmby.json`.
pub fn bmby_secret_path(data_dir: &Path) -> PathBuf {
    data_dir.join("auth").join("bmby.json")
}

/// Saves the Bmby SOAP password (`{"password": …}`, mode 0600, atomic).
pub fn save_bmby_password(data_dir: &Path, password: &Secret) -> Result<(), WriteError> {
    let doc = serde_json::json!({ "password": password.expose() });
    write_private(&bmby_secret_path(data_dir), doc.to_string().as_bytes())
}

/// The Bmby SOAP password the setup saved, if any (unreadable or malformed = none).
pub fn load_bmby_password(data_dir: &Path) -> Option<Secret> {
    let text = std::fs::read_to_string(bmby_secret_path(data_dir)).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v.get("password")
        .and_then(|p| p.as_str())
        .filter(|p| !p.is_empty())
        .map(Secret::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_other_keys_are_kept() {
        let old = "# my comment\n[ghl]\nbase_url = \"http://x\" # inline\n\n[sync]\npull_interval_secs = 5\n";
        let plan = ConfigPlan {
            location_id: Some("loc1".into()),
            bmby_login: Some("me".into()),
            ..Default::default()
        };
        let t = config_text(Path::new("c.toml"), Some(old), &plan).unwrap();
        assert!(t.contains("# my comment"), "{t}");
        assert!(t.contains("# inline"), "{t}");
        assert!(t.contains("pull_interval_secs = 5"), "{t}");
        assert!(t.contains("location_id = \"loc1\""), "{t}");
        assert!(t.contains("[bmby]\nlogin = \"me\""), "{t}");
        let parsed = crate::config::parse(Path::new("c.toml"), &t).unwrap();
        assert_eq!(parsed.ghl.location_id.as_deref(), Some("loc1"));
    }

    #[test]
    fn a_new_file_starts_with_its_header_comment() {
        let plan = ConfigPlan {
            location_id: Some("loc1".into()),
            bmby_login: Some("me".into()),
            ..Default::default()
        };
        let t = config_text(Path::new("c.toml"), None, &plan).unwrap();
        assert!(t.starts_with("# bmby-ghl configuration"), "{t}");
        assert!(t.find("[ghl]") > t.find("auth/ folder"), "{t}");
        crate::config::parse(Path::new("c.toml"), &t).unwrap();
    }

    #[test]
    fn a_folder_under_home_is_expanded() {
        let home = std::path::PathBuf::from(std::env::var_os("HOME").unwrap_or_default());
        assert_eq!(
            super::super::work::expand_home("~/exports"),
            home.join("exports")
        );
        assert_eq!(super::super::work::expand_home("~"), home);
        assert_eq!(
            super::super::work::expand_home("/srv/~x"),
            std::path::PathBuf::from("/srv/~x")
        );
    }

    #[test]
    fn written_file_is_private_and_password_round_trips() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("cfg").join("config.toml");
        write_config(
            &p,
            &ConfigPlan {
                location_id: Some("L".into()),
                ..Default::default()
            },
        )
        .unwrap();
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        save_bmby_password(d.path(), &Secret::new("pw")).unwrap();
        assert_eq!(load_bmby_password(d.path()).unwrap().expose(), "pw");
        let mode = std::fs::metadata(bmby_secret_path(d.path()))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
    }
}
