//! Configuration: the config file, the environment and the flags, and where things live.
//!
//! Precedence: flags > environment > config file > defaults. The config file is TOML:
//! ```toml
//! [ghl]
//! base_url = "https://services.leadconnectorhq.com"   # GHL_BASE_URL
//! location_id = "ve9EPM428h8vShlRW1KT"                # GHL_LOCATION_ID
//! # token = "pit-…"   # better: GHL_TOKEN in the environment, or `bmby-ghl auth login`
//! # OAuth app (for `bmby-ghl auth login`); the secret is better in GHL_CLIENT_SECRET
//! client_id = "…"                                      # GHL_CLIENT_ID
//! # client_secret = "…"                                # GHL_CLIENT_SECRET
//! # auth_url = "https://marketplace.gohighlevel.com/v2/oauth/chooselocation"   # GHL_AUTH_URL
//! # token_url = "https://services.leadconnectorhq.com/oauth/token"             # GHL_TOKEN_URL
//! # redirect_uri = "http://127.0.0.1:8976/callback"                            # GHL_REDIRECT_URI
//!
//! [sync]
//! pull_interval_secs = 60   # background incremental pull while the TUI runs; 0 = off
//! pull_overlap_secs = 300   # each incremental pull reaches back this far (GHL's search lags)
//! ```
//!
//! Every unknown key is an error naming its line and the likely intended key ([`keys`]);
//! `bmby-ghl config` shows each effective value and where it came from ([`report`]).

pub mod keys;
pub mod lenient;
pub mod report;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::ghl::{Secret, DEFAULT_BASE_URL};

/// The `[ghl]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GhlSection {
    pub base_url: Option<String>,
    pub location_id: Option<String>,
    pub token: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub auth_url: Option<String>,
    pub token_url: Option<String>,
    pub redirect_uri: Option<String>,
}

/// The `[sync]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncSection {
    pub pull_interval_secs: Option<u64>,
    /// Safety window of incremental pulls, seconds (see [`crate::sync::pull`]).
    pub pull_overlap_secs: Option<u64>,
}

/// The `[bmby]` table. The password may also come from `BMBY_PASSWORD` (preferred); it is
/// never accepted on the command line.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BmbySection {
    pub soap_url: Option<String>,
    pub login: Option<String>,
    pub password: Option<String>,
    pub project_id: Option<String>,
    /// The project's AddClient lead password (`BMBY_LEAD_PASSWORD`, preferred): enough on its
    /// own, with `project_id`, to write new clients back as leads.
    pub lead_password: Option<String>,
    /// Extra header aliases for export files: Bmby field → header names
    /// (`[bmby.columns] client_id = ["מס' לקוח"]`).
    #[serde(default)]
    pub columns: crate::bmby::export::ColumnAliases,
    /// The folder Bmby export files arrive in (written by the setup screen; informational:
    /// `bmby-ghl import FILE` still names the file).
    pub export_dir: Option<String>,
}

/// The config file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    #[serde(default)]
    pub ghl: GhlSection,
    #[serde(default)]
    pub sync: SyncSection,
    #[serde(default)]
    pub bmby: BmbySection,
    /// Bmby field → GHL target overrides (see `sync::mapping`).
    #[serde(default)]
    pub mapping: BTreeMap<String, String>,
    /// The webhook receiver's keys and window (`crate::webhooks::config`).
    #[serde(default)]
    pub webhooks: crate::webhooks::config::WebhooksSection,
}

/// Where config, data and logs live.
#[derive(Debug, Clone)]
pub struct Paths {
    pub config_file: PathBuf,
    pub config_dir: PathBuf,
    pub data_dir: PathBuf,
}

impl Paths {
    /// Resolves the places: `--config`/`--data-dir` when given, else the platform's
    /// directories (`directories::ProjectDirs`, e.g. `~/.config/bmby-ghl`, `~/.local/share/bmby-ghl`).
    /// The config dir (the user keymap's home) is always the platform's: `--config FILE` names
    /// only the config file (`--config /dev/null` must not make it `/dev`).
    pub fn resolve(config: Option<&Path>, data_dir: Option<&Path>) -> Paths {
        let dirs = directories::ProjectDirs::from("com", "bmby-ghl", "bmby-ghl");
        let config_dir = match &dirs {
            Some(d) => d.config_dir().to_path_buf(),
            None => PathBuf::from(".bmby-ghl"),
        };
        let config_file = config
            .map(Path::to_path_buf)
            .unwrap_or_else(|| config_dir.join("config.toml"));
        let data_dir = match (data_dir, &dirs) {
            (Some(d), _) => d.to_path_buf(),
            (None, Some(d)) => d.data_dir().to_path_buf(),
            (None, None) => PathBuf::from(".bmby-ghl/data"),
        };
        Paths {
            config_file,
            config_dir,
            data_dir,
        }
    }

    /// The user's keymap (only the keys it changes): `keymap.toml` in the platform config dir,
    /// also with `--config FILE`.
    pub fn user_keymap(&self) -> PathBuf {
        self.config_dir.join("keymap.toml")
    }

    /// The log file.
    pub fn log_file(&self) -> PathBuf {
        self.data_dir.join("logs").join("bmby-ghl.log")
    }
}

/// Effective settings for talking to one GHL location.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub base_url: String,
    pub location_id: Option<String>,
    /// A Private Integration Token (from `GHL_TOKEN` or the config file). When set, it is used
    /// as before and the token store is not consulted.
    pub token: Option<Secret>,
    /// The OAuth app and endpoints. `auth_url` defaults to GHL's `chooselocation` page for the
    /// real API host and to `<base_url>/oauth/chooselocation` for any other (a stand-in);
    /// `token_url` defaults to `<base_url>/oauth/token`.
    pub oauth: crate::auth::OAuthSettings,
    /// The data dir, where the token store lives (`None`: no store, e.g. unit tests).
    pub data_dir: Option<PathBuf>,
    pub pull_interval_secs: u64,
    /// How far each incremental pull reaches back before the last one's newest `dateUpdated`,
    /// seconds (`[sync] pull_overlap_secs`); `None`: [`crate::sync::pull::DEFAULT_OVERLAP`].
    pub pull_overlap_secs: Option<u64>,
    /// The one location cached under the data dir, when there is exactly one (so commands on a
    /// demo's or a single account's data dir need no `GHL_LOCATION_ID`).
    pub only_cached_location: Option<String>,
    /// `[mapping]` overrides as written.
    pub mapping: BTreeMap<String, String>,
    pub bmby: BmbySettings,
    /// `[webhooks]`: the receiver's public keys and timestamp window (`serve --webhooks`).
    pub webhooks: crate::webhooks::config::WebhooksSection,
}

impl Settings {
    /// The safety window of incremental pulls: `pull_overlap_secs`, else
    /// [`crate::sync::pull::DEFAULT_OVERLAP`] (5 minutes).
    pub fn pull_overlap(&self) -> std::time::Duration {
        self.pull_overlap_secs.map_or(
            crate::sync::pull::DEFAULT_OVERLAP,
            std::time::Duration::from_secs,
        )
    }
}

/// Bmby connection settings (`BMBY_SOAP_URL`, `BMBY_LOGIN`, `BMBY_PASSWORD`,
/// `BMBY_PROJECT_ID`, `BMBY_LEAD_PASSWORD` override the `[bmby]` table).
#[derive(Debug, Clone, Default)]
pub struct BmbySettings {
    pub soap_url: String,
    pub login: Option<String>,
    pub password: Option<Secret>,
    pub project_id: Option<String>,
    /// AddClient lead password (never logged; `Debug` shows `[redacted]`).
    pub lead_password: Option<Secret>,
    pub columns: crate::bmby::export::ColumnAliases,
}

/// Bmby's SOAP v3 base (the clients service; `tasks.php` beside it).
pub const DEFAULT_BMBY_SOAP_URL: &str = "https://www.bmby.com/WebServices/srv/v3/";

/// Errors reading the config file; they name the file and the line.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A bad value (or TOML syntax): the file, the line and, when the problem is a key's
    /// value, that key (`sync.pull_interval_secs`).
    #[error("config file {path}, line {line}{}: {message}", key_text(key))]
    Parse {
        path: PathBuf,
        line: usize,
        key: Option<String>,
        message: String,
    },
    /// Keys no section knows, each with its line and a likely intended name (one per line).
    #[error("{}", unknown_keys_message(path, problems))]
    UnknownKeys {
        path: PathBuf,
        problems: Vec<keys::UnknownKey>,
    },
    /// `--config FILE` names a file that does not exist (a typo is not silently ignored).
    #[error(
        "config file {path} (--config) does not exist; without --config the default is \
         used ({default}); `--config /dev/null` runs with no config file"
    )]
    Missing { path: PathBuf, default: String },
}

/// `, key `sync.pull_interval_secs`` when the key is known.
fn key_text(key: &Option<String>) -> String {
    key.as_ref()
        .map(|k| format!(", key `{k}`"))
        .unwrap_or_default()
}

fn unknown_keys_message(path: &Path, problems: &[keys::UnknownKey]) -> String {
    problems
        .iter()
        .map(|u| format!("config file {}, line {}: {u}", path.display(), u.line))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `--config FILE` must exist: [`ConfigError::Missing`] when it does not (`None` is fine: the
/// default file may be absent).
pub fn require_explicit(config: Option<&Path>) -> Result<(), ConfigError> {
    match config {
        Some(p) if !p.exists() => Err(ConfigError::Missing {
            path: p.to_path_buf(),
            default: Paths::resolve(None, None).config_file.display().to_string(),
        }),
        _ => Ok(()),
    }
}

/// Loads the config file (a missing file is an empty config) and applies the environment.
pub fn load(path: &Path, env: &dyn Fn(&str) -> Option<String>) -> Result<Settings, ConfigError> {
    let file = match std::fs::read_to_string(path) {
        Ok(text) => parse(path, &text)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => ConfigFile::default(),
        Err(source) => {
            return Err(ConfigError::Read {
                path: path.to_path_buf(),
                source,
            })
        }
    };
    Ok(settings_from(file, env))
}

/// The settings of a parsed config `file` with the environment applied (what [`load`] returns).
pub fn settings_from(file: ConfigFile, env: &dyn Fn(&str) -> Option<String>) -> Settings {
    let nonempty = |k: &str| env(k).filter(|v| !v.trim().is_empty());
    let base_url = nonempty("GHL_BASE_URL")
        .or(file.ghl.base_url)
        .unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
    let base = base_url.trim_end_matches('/').to_owned();
    let oauth = crate::auth::OAuthSettings {
        client_id: nonempty("GHL_CLIENT_ID")
            .or(file.ghl.client_id)
            .map(|v| v.trim().to_owned()),
        client_secret: nonempty("GHL_CLIENT_SECRET")
            .or(file.ghl.client_secret)
            .map(|v| Secret::new(v.trim())),
        auth_url: nonempty("GHL_AUTH_URL")
            .or(file.ghl.auth_url)
            .unwrap_or_else(|| {
                if base == DEFAULT_BASE_URL {
                    crate::auth::endpoint::DEFAULT_AUTH_URL.to_owned()
                } else {
                    format!("{base}/oauth/chooselocation")
                }
            }),
        token_url: nonempty("GHL_TOKEN_URL")
            .or(file.ghl.token_url)
            .unwrap_or_else(|| format!("{base}/oauth/token")),
        redirect_uri: nonempty("GHL_REDIRECT_URI")
            .or(file.ghl.redirect_uri)
            .unwrap_or_else(|| crate::auth::endpoint::DEFAULT_REDIRECT_URI.to_owned()),
    };
    Settings {
        base_url,
        oauth,
        data_dir: None,
        location_id: nonempty("GHL_LOCATION_ID").or(file.ghl.location_id),
        token: nonempty("GHL_TOKEN")
            .or(file.ghl.token)
            .map(|t| Secret::new(t.trim())),
        pull_interval_secs: file.sync.pull_interval_secs.unwrap_or(60),
        pull_overlap_secs: file.sync.pull_overlap_secs,
        only_cached_location: None,
        mapping: file.mapping,
        bmby: BmbySettings {
            soap_url: nonempty("BMBY_SOAP_URL")
                .or(file.bmby.soap_url)
                .unwrap_or_else(|| DEFAULT_BMBY_SOAP_URL.to_owned()),
            login: nonempty("BMBY_LOGIN").or(file.bmby.login),
            password: nonempty("BMBY_PASSWORD")
                .or(file.bmby.password)
                .map(Secret::new),
            project_id: nonempty("BMBY_PROJECT_ID").or(file.bmby.project_id),
            lead_password: nonempty("BMBY_LEAD_PASSWORD")
                .or(file.bmby.lead_password)
                .map(Secret::new),
            columns: file.bmby.columns,
        },
        webhooks: file.webhooks,
    }
}

/// The single location directory under `<data_dir>/locations/` that holds a cache, if exactly
/// one does.
pub fn only_cached_location(data_dir: &Path) -> Option<String> {
    let dirs: Vec<String> = std::fs::read_dir(data_dir.join("locations"))
        .ok()?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("cache.sled").exists())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    match dirs.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}

/// Parses config text; errors carry the 1-based line. Unknown keys are all reported at once
/// ([`ConfigError::UnknownKeys`], with "did you mean"), before any other problem.
pub fn parse(path: &Path, text: &str) -> Result<ConfigFile, ConfigError> {
    let unknown = keys::unknown_keys(text);
    if !unknown.is_empty() {
        return Err(ConfigError::UnknownKeys {
            path: path.to_path_buf(),
            problems: unknown,
        });
    }
    toml::from_str(text).map_err(|e| ConfigError::Parse {
        path: path.to_path_buf(),
        line: e
            .span()
            .map(|s| text[..s.start].matches('\n').count() + 1)
            .unwrap_or(1),
        key: e.span().and_then(|s| keys::key_at(text, s.start)),
        message: e.message().to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_beats_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("config.toml");
        std::fs::write(
            &p,
            "[ghl]\nlocation_id = \"fromfile\"\nbase_url = \"http://file\"\n",
        )
        .unwrap();
        let s = load(&p, &|k| {
            (k == "GHL_LOCATION_ID").then(|| "fromenv".to_owned())
        })
        .unwrap();
        assert_eq!(s.location_id.as_deref(), Some("fromenv"));
        assert_eq!(s.base_url, "http://file");
        assert!(s.token.is_none());
    }

    #[test]
    fn pull_overlap_from_the_file_else_five_minutes() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("config.toml");
        let none = load(&p, &|_| None).unwrap();
        assert_eq!(none.pull_overlap(), std::time::Duration::from_secs(300));
        std::fs::write(&p, "[sync]\npull_overlap_secs = 900\n").unwrap();
        let set = load(&p, &|_| None).unwrap();
        assert_eq!(set.pull_overlap(), std::time::Duration::from_secs(900));
    }

    #[test]
    fn bad_file_names_line() {
        let e = parse(
            Path::new("c.toml"),
            "[ghl]\nlocation_id = \"x\"\nbogus = 1\n",
        )
        .unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("c.toml, line 3"), "{msg}");
    }

    #[test]
    fn bmby_lead_password_from_env_or_file_never_in_debug() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("config.toml");
        std::fs::write(
            &p,
            "[bmby]\nproject_id = \"5120\"\nlead_password = \"file-lead\"\n",
        )
        .unwrap();
        let s = load(&p, &|_| None).unwrap();
        assert_eq!(s.bmby.lead_password.as_ref().unwrap().expose(), "file-lead");
        assert!(!format!("{s:?}").contains("file-lead"));
        let s = load(&p, &|k| {
            (k == "BMBY_LEAD_PASSWORD").then(|| "env-lead".to_owned())
        })
        .unwrap();
        assert_eq!(s.bmby.lead_password.as_ref().unwrap().expose(), "env-lead");
    }

    #[test]
    fn missing_file_is_defaults() {
        let s = load(Path::new("/nonexistent/x.toml"), &|_| None).unwrap();
        assert_eq!(s.base_url, DEFAULT_BASE_URL);
        assert!(s
            .oauth
            .auth_url
            .starts_with("https://marketplace.gohighlevel.com/"));
        assert_eq!(
            s.oauth.token_url,
            "https://services.leadconnectorhq.com/oauth/token"
        );
    }

    #[test]
    fn oauth_urls_follow_a_stand_in_base() {
        let s = load(Path::new("/nonexistent/x.toml"), &|k| match k {
            "GHL_BASE_URL" => Some("http://127.0.0.1:9/".into()),
            "GHL_CLIENT_SECRET" => Some("shh".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(s.oauth.auth_url, "http://127.0.0.1:9/oauth/chooselocation");
        assert_eq!(s.oauth.token_url, "http://127.0.0.1:9/oauth/token");
        assert_eq!(format!("{:?}", s.oauth).matches("shh").count(), 0);
    }
}
