//! The effective configuration and where each value came from (`bmby-ghl config`).
//!
//! Values are the ones [`super::load`] computes (the single source of truth); the origin of
//! each is found by asking the same places in the same order: a flag, then the environment
//! (a variable set to blanks counts as unset, as in `load`), then the config file, then the
//! default. Secrets are never shown: their value is `set` or `not set`.

use std::path::Path;

use serde_json::{json, Value};

use super::{ConfigError, ConfigFile, Paths};

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A command-line flag (`--location`).
    Flag(&'static str),
    /// An environment variable (`GHL_TOKEN`).
    Env(&'static str),
    /// The config file.
    File,
    /// The built-in default.
    Default,
    /// Worked out from other state (the signed-in or cached locations); the text says how.
    Derived(String),
    /// Not set anywhere, no default.
    Unset,
}

impl Origin {
    /// `flag`, `environment`, `file`, `default`, `derived`, `not set`.
    pub fn kind(&self) -> &'static str {
        match self {
            Origin::Flag(_) => "flag",
            Origin::Env(_) => "environment",
            Origin::File => "file",
            Origin::Default => "default",
            Origin::Derived(_) => "derived",
            Origin::Unset => "not set",
        }
    }

    /// The flag or variable name, or how a derived value was found.
    pub fn detail(&self) -> Option<String> {
        match self {
            Origin::Flag(f) => Some((*f).to_owned()),
            Origin::Env(v) => Some((*v).to_owned()),
            Origin::Derived(how) => Some(how.clone()),
            _ => None,
        }
    }
}

/// One setting of the effective configuration.
#[derive(Debug, Clone)]
pub struct Entry {
    /// `section.key` as in the config file (`ghl.location_id`), or `data_dir`/`config_file`.
    pub key: &'static str,
    /// The value; for a secret only whether it is set (`Some("set")`), never the secret.
    pub value: Option<String>,
    pub secret: bool,
    pub origin: Origin,
}

/// What is wrong in the config file, each with its line: the settings are read without them.
#[derive(Debug, Clone, Default)]
pub struct Problems {
    /// Keys no section knows.
    pub unknown: Vec<super::keys::UnknownKey>,
    /// Keys whose value cannot be used.
    pub bad: Vec<super::lenient::BadValue>,
}

impl Problems {
    /// No problem at all.
    pub fn is_empty(&self) -> bool {
        self.unknown.is_empty() && self.bad.is_empty()
    }
}

/// The flags that can set configuration, as given on the command line.
#[derive(Debug, Clone, Copy, Default)]
pub struct Flags<'a> {
    pub config: Option<&'a Path>,
    pub data_dir: Option<&'a Path>,
    pub location: Option<&'a str>,
}

/// Every setting with its value and origin. Errors: the config file cannot be read or parsed
/// (unknown keys included), as for every other command.
pub fn effective(
    paths: &Paths,
    flags: &Flags<'_>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<Entry>, ConfigError> {
    let (entries, problems) = effective_with_problems(paths, flags, env)?;
    if !problems.unknown.is_empty() {
        return Err(ConfigError::UnknownKeys {
            path: paths.config_file.clone(),
            problems: problems.unknown,
        });
    }
    if let Some(b) = problems.bad.into_iter().next() {
        return Err(ConfigError::Parse {
            path: paths.config_file.clone(),
            line: b.line,
            key: Some(b.key),
            message: b.message,
        });
    }
    Ok(entries)
}

/// [`effective`], except that unknown keys and bad values in the config file are returned
/// beside the settings (read as if those keys were not there) instead of being an error
/// ([`super::lenient::parse_lenient`]). Errors: the file cannot be read, or it is not TOML.
pub fn effective_with_problems(
    paths: &Paths,
    flags: &Flags<'_>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(Vec<Entry>, Problems), ConfigError> {
    let read = || -> Result<(ConfigFile, Problems), ConfigError> {
        match std::fs::read_to_string(&paths.config_file) {
            Ok(text) => super::lenient::parse_lenient(&paths.config_file, &text)
                .map(|(f, unknown, bad)| (f, Problems { unknown, bad })),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Ok((ConfigFile::default(), Problems::default()))
            }
            Err(source) => Err(ConfigError::Read {
                path: paths.config_file.clone(),
                source,
            }),
        }
    };
    let (file, problems) = read()?;
    let s = super::settings_from(read()?.0, env);
    let set = |k: &str| env(k).is_some_and(|v| !v.trim().is_empty());
    // Origin of a value read from `var`, else the file (`in_file`), else a default.
    let from = |var: &'static str, in_file: bool, default: bool| {
        if set(var) {
            Origin::Env(var)
        } else if in_file {
            Origin::File
        } else if default {
            Origin::Default
        } else {
            Origin::Unset
        }
    };
    let plain = |key, value: Option<String>, origin| Entry {
        key,
        value,
        secret: false,
        origin,
    };
    let secret = |key, is_set: bool, origin| Entry {
        key,
        value: Some(if is_set { "set" } else { "not set" }.to_owned()),
        secret: true,
        origin,
    };
    let flag_or = |flag: &'static str, given: bool, otherwise: Origin| {
        if given {
            Origin::Flag(flag)
        } else {
            otherwise
        }
    };
    let (g, b) = (&file.ghl, &file.bmby);
    let location = match flags.location {
        Some(l) => plain(
            "ghl.location_id",
            Some(l.to_owned()),
            Origin::Flag("--location"),
        ),
        None => plain(
            "ghl.location_id",
            s.location_id.clone(),
            from("GHL_LOCATION_ID", g.location_id.is_some(), false),
        ),
    };
    let entries = vec![
        plain(
            "config_file",
            Some(paths.config_file.display().to_string()),
            flag_or("--config", flags.config.is_some(), Origin::Default),
        ),
        plain(
            "data_dir",
            Some(paths.data_dir.display().to_string()),
            flag_or("--data-dir", flags.data_dir.is_some(), Origin::Default),
        ),
        plain(
            "keymap_file",
            Some(paths.user_keymap().display().to_string()),
            Origin::Default,
        ),
        plain(
            "ghl.base_url",
            Some(s.base_url.clone()),
            from("GHL_BASE_URL", g.base_url.is_some(), true),
        ),
        location,
        secret(
            "ghl.token",
            s.token.is_some(),
            from("GHL_TOKEN", g.token.is_some(), false),
        ),
        plain(
            "ghl.client_id",
            s.oauth.client_id.clone(),
            from("GHL_CLIENT_ID", g.client_id.is_some(), false),
        ),
        secret(
            "ghl.client_secret",
            s.oauth.client_secret.is_some(),
            from("GHL_CLIENT_SECRET", g.client_secret.is_some(), false),
        ),
        plain(
            "ghl.auth_url",
            Some(s.oauth.auth_url.clone()),
            from("GHL_AUTH_URL", g.auth_url.is_some(), true),
        ),
        plain(
            "ghl.token_url",
            Some(s.oauth.token_url.clone()),
            from("GHL_TOKEN_URL", g.token_url.is_some(), true),
        ),
        plain(
            "ghl.redirect_uri",
            Some(s.oauth.redirect_uri.clone()),
            from("GHL_REDIRECT_URI", g.redirect_uri.is_some(), true),
        ),
        plain(
            "sync.pull_interval_secs",
            Some(s.pull_interval_secs.to_string()),
            if file.sync.pull_interval_secs.is_some() {
                Origin::File
            } else {
                Origin::Default
            },
        ),
        plain(
            "sync.pull_overlap_secs",
            Some(s.pull_overlap().as_secs().to_string()),
            if file.sync.pull_overlap_secs.is_some() {
                Origin::File
            } else {
                Origin::Default
            },
        ),
        plain(
            "bmby.soap_url",
            Some(s.bmby.soap_url.clone()),
            from("BMBY_SOAP_URL", b.soap_url.is_some(), true),
        ),
        plain(
            "bmby.login",
            s.bmby.login.clone(),
            from("BMBY_LOGIN", b.login.is_some(), false),
        ),
        secret(
            "bmby.password",
            s.bmby.password.is_some(),
            from("BMBY_PASSWORD", b.password.is_some(), false),
        ),
        plain(
            "bmby.project_id",
            s.bmby.project_id.clone(),
            from("BMBY_PROJECT_ID", b.project_id.is_some(), false),
        ),
        secret(
            "bmby.lead_password",
            s.bmby.lead_password.is_some(),
            from("BMBY_LEAD_PASSWORD", b.lead_password.is_some(), false),
        ),
        plain(
            "bmby.columns",
            Some(format!(
                "{} field(s) with extra headers",
                b.columns.fields.len()
            )),
            if b.columns.fields.is_empty() {
                Origin::Default
            } else {
                Origin::File
            },
        ),
        plain(
            "bmby.export_dir",
            b.export_dir.clone(),
            if b.export_dir.is_some() {
                Origin::File
            } else {
                Origin::Default
            },
        ),
        plain(
            "webhooks.ed25519_public_key",
            Some(if file.webhooks.ed25519_public_key.is_some() {
                "set (PEM)".to_owned()
            } else {
                "GHL's published key".to_owned()
            }),
            if file.webhooks.ed25519_public_key.is_some() {
                Origin::File
            } else {
                Origin::Default
            },
        ),
        plain(
            "webhooks.rsa_public_key",
            Some(if file.webhooks.rsa_public_key.is_some() {
                "set (PEM)".to_owned()
            } else {
                "GHL's published key".to_owned()
            }),
            if file.webhooks.rsa_public_key.is_some() {
                Origin::File
            } else {
                Origin::Default
            },
        ),
        plain(
            "webhooks.max_age_secs",
            Some(
                s.webhooks
                    .receiver_config()
                    .map(|c| c.max_age.as_secs().to_string())
                    .unwrap_or_else(|e| format!("invalid: {e}")),
            ),
            if file.webhooks.max_age_secs.is_some() {
                Origin::File
            } else {
                Origin::Default
            },
        ),
        plain(
            "mapping",
            Some(if file.mapping.is_empty() {
                "built in (see `bmby-ghl mapping`)".to_owned()
            } else {
                format!(
                    "{} override(s) (see `bmby-ghl mapping`)",
                    file.mapping.len()
                )
            }),
            if file.mapping.is_empty() {
                Origin::Default
            } else {
                Origin::File
            },
        ),
    ];
    Ok((entries, problems))
}

/// The entries as aligned text: `KEY  VALUE  FROM`, one setting a line, values cleaned of
/// control characters.
pub fn text(entries: &[Entry], config_file_exists: bool) -> String {
    let shown = |e: &Entry| {
        let v = e.value.as_deref().map(crate::sanitize::clean_line);
        let mut v = v.unwrap_or_else(|| "(not set)".to_owned());
        if e.key == "config_file" && !config_file_exists {
            v.push_str(" (not found: defaults apply)");
        }
        v
    };
    let origin = |e: &Entry| match e.origin.detail() {
        Some(d) => format!("{} {}", e.origin.kind(), crate::sanitize::clean_line(&d)),
        None => e.origin.kind().to_owned(),
    };
    let width = |s: &str| unicode_width::UnicodeWidthStr::width(s);
    let kw = entries.iter().map(|e| e.key.len()).max().unwrap_or(0);
    // The value column is as wide as the widest value of a row that fits in TEXT_WIDTH
    // whole; a longer row says its origin on the next line, in the same column.
    let vw = entries
        .iter()
        .map(|e| (width(&shown(e)), width(&origin(e))))
        .filter(|(v, o)| kw + 2 + v + 2 + o <= TEXT_WIDTH)
        .map(|(v, _)| v)
        .max()
        .unwrap_or(0);
    let oc = kw + 2 + vw + 2;
    let mut out = String::new();
    for e in entries {
        let (v, o) = (shown(e), origin(e));
        if width(&v) <= vw && oc + width(&o) <= TEXT_WIDTH {
            let pad = vw - width(&v);
            out.push_str(&format!("{:<kw$}  {v}{}  {o}\n", e.key, " ".repeat(pad)));
            continue;
        }
        if kw + 2 + width(&v) + 2 + width(&o) <= TEXT_WIDTH {
            // Fits unaligned: the origin right after the value.
            out.push_str(&format!("{:<kw$}  {v}  {o}\n", e.key));
        } else if kw + 2 + width(&v) <= TEXT_WIDTH {
            // The value on the key's line, the origin under the origin column.
            let indent = if oc + width(&o) <= TEXT_WIDTH {
                oc
            } else {
                kw + 2
            };
            out.push_str(&format!("{:<kw$}  {v}\n{}{o}\n", e.key, " ".repeat(indent)));
        } else {
            // A long value (a URL, a deep path): the origin on the key's line, the value
            // whole below it (in pieces only when wider than the line itself).
            out.push_str(&format!("{:<kw$}  {o}\n", e.key));
            for part in chunks(&v, TEXT_WIDTH - 2) {
                out.push_str(&format!("  {part}\n"));
            }
        }
    }
    out
}

/// The width `bmby-ghl config` keeps its text within (a terminal of 80 columns).
pub const TEXT_WIDTH: usize = 80;

/// `s` in pieces of at most `max` columns (a piece holds at least one character).
fn chunks(s: &str, max: usize) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut used = 0;
    for c in s.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > max && used > 0 {
            out.push(String::new());
            used = 0;
        }
        used += w;
        out.last_mut().expect("one piece").push(c);
    }
    out
}

/// The entries as one JSON document:
/// `{"config_file_exists": bool, "settings": [{"key", "value", "secret", "source", "from"}]}`
/// (`value` null when unset; `set`/`not set` for a secret; `from` the flag, variable or how a
/// derived value was found, else null).
pub fn json(entries: &[Entry], config_file_exists: bool) -> Value {
    json!({
        "config_file_exists": config_file_exists,
        "settings": entries.iter().map(|e| json!({
            "key": e.key,
            "value": e.value.as_deref().map(crate::sanitize::clean_line),
            "secret": e.secret,
            "source": e.origin.kind(),
            "from": e.origin.detail(),
        })).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_follow_precedence_and_secrets_stay_hidden() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("config.toml");
        std::fs::write(
            &cfg,
            "[ghl]\nlocation_id = \"fileLoc\"\ntoken = \"pit-file-secret\"\n[sync]\npull_overlap_secs = 900\n",
        )
        .unwrap();
        let paths = Paths::resolve(Some(&cfg), Some(dir.path()));
        let env = |k: &str| match k {
            "GHL_BASE_URL" => Some("http://127.0.0.1:9".to_owned()),
            "BMBY_PASSWORD" => Some("bmby-env-secret".to_owned()),
            "GHL_CLIENT_ID" => Some("   ".to_owned()),
            _ => None,
        };
        let flags = Flags {
            config: Some(&cfg),
            ..Default::default()
        };
        let e = effective(&paths, &flags, &env).unwrap();
        let get = |k: &str| e.iter().find(|x| x.key == k).unwrap();
        assert_eq!(get("config_file").origin, Origin::Flag("--config"));
        assert_eq!(get("data_dir").origin, Origin::Default);
        assert_eq!(get("ghl.base_url").origin, Origin::Env("GHL_BASE_URL"));
        assert_eq!(get("ghl.location_id").value.as_deref(), Some("fileLoc"));
        assert_eq!(get("ghl.location_id").origin, Origin::File);
        assert_eq!(get("ghl.token").value.as_deref(), Some("set"));
        assert_eq!(get("ghl.token").origin, Origin::File);
        assert_eq!(
            get("ghl.client_id").origin,
            Origin::Unset,
            "blank env is unset"
        );
        assert_eq!(get("ghl.client_secret").value.as_deref(), Some("not set"));
        assert_eq!(get("bmby.password").origin, Origin::Env("BMBY_PASSWORD"));
        assert_eq!(get("sync.pull_overlap_secs").value.as_deref(), Some("900"));
        assert_eq!(get("sync.pull_interval_secs").origin, Origin::Default);
        assert_eq!(
            get("ghl.token_url").value.as_deref(),
            Some("http://127.0.0.1:9/oauth/token")
        );
        let with_flag = Flags {
            location: Some("flagLoc"),
            ..flags
        };
        let e2 = effective(&paths, &with_flag, &env).unwrap();
        let loc = e2.iter().find(|x| x.key == "ghl.location_id").unwrap();
        assert_eq!(loc.origin, Origin::Flag("--location"));
        let t = text(&e, true);
        let j = json(&e, true).to_string();
        for out in [&t, &j] {
            assert!(!out.contains("pit-file-secret"), "{out}");
            assert!(!out.contains("bmby-env-secret"), "{out}");
        }
        assert!(t.contains("environment GHL_BASE_URL"), "{t}");
    }
}
