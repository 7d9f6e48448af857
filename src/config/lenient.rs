//! The config file read as far as it can be, for `bmby-ghl config`: every unknown key
//! ([`super::keys::unknown_keys`]) and every bad value (a string where a number belongs, …) is
//! named with its line, and the rest is read as if they were not there, so `config` shows the
//! values instead of stopping at the first problem. Every other command stays strict
//! ([`super::parse`]).

use serde::Deserialize as _;
use toml::de::{DeTable, DeValue};

use super::keys::{self, UnknownKey};
use super::{ConfigError, ConfigFile};

/// A key whose value the program cannot use (`pull_interval_secs = "fast"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadValue {
    /// 1-based line of the value.
    pub line: usize,
    /// The dotted key (`sync.pull_interval_secs`).
    pub key: String,
    /// What is wrong, as the parser says it (`invalid type: string "fast", expected u64`).
    pub message: String,
}

impl std::fmt::Display for BadValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "key `{}`: {}", self.key, self.message)
    }
}

/// At most this many bad values are set aside before the parser's error is returned as it is.
const MAX_BAD: usize = 64;

/// `text` (the config file at `path`) without its unknown keys and bad values, and those
/// problems, each with its line. No problems: the same as [`super::parse`].
///
/// Errors: text that is not TOML (the parser's error with its line, [`ConfigError::Parse`]), or
/// a bad value that cannot be set aside (not tied to one key).
pub fn parse_lenient(
    path: &std::path::Path,
    text: &str,
) -> Result<(ConfigFile, Vec<UnknownKey>, Vec<BadValue>), ConfigError> {
    let unknown = keys::unknown_keys(text);
    let Ok(mut root) = DeTable::parse(text) else {
        return super::parse(path, text).map(|f| (f, unknown, Vec::new()));
    };
    for u in &unknown {
        let mut parts: Vec<&str> = u
            .table
            .as_deref()
            .map_or(Vec::new(), |t| t.split('.').collect());
        parts.push(&u.key);
        remove(root.get_mut(), &parts);
    }
    let line = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
    let mut bad = Vec::new();
    loop {
        let e = match ConfigFile::deserialize(toml::de::Deserializer::from(root.clone())) {
            Ok(file) => return Ok((file, unknown, bad)),
            Err(e) => e,
        };
        let at = e.span().map(|s| s.start);
        let key = at.and_then(|o| keys::key_at(text, o));
        let removed = bad.len() < MAX_BAD
            && key
                .as_deref()
                .is_some_and(|k| remove(root.get_mut(), &k.split('.').collect::<Vec<_>>()));
        let message = e.message().to_owned();
        let line = at.map_or(1, line);
        match key {
            Some(key) if removed => bad.push(BadValue { line, key, message }),
            key => {
                return Err(ConfigError::Parse {
                    path: path.to_path_buf(),
                    line,
                    key,
                    message,
                })
            }
        }
    }
}

/// Removes the key at `parts` (tables, then the key) from `table`; whether it was there.
fn remove(table: &mut DeTable<'_>, parts: &[&str]) -> bool {
    match parts {
        [] => false,
        [last] => table.remove(*last).is_some(),
        [first, rest @ ..] => match table.get_mut(*first).map(|v| v.get_mut()) {
            Some(DeValue::Table(t)) => remove(t, rest),
            _ => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn every_unknown_key_and_bad_value_is_named_and_the_rest_is_read() {
        let text = "[ghl]\nlocaton_id = \"x\"\nbase_url = \"http://h\"\n[sync]\npull_interval_secs = \"fast\"\npull_overlap_secs = -3\n";
        let (file, unknown, bad) = parse_lenient(Path::new("bad.toml"), text).unwrap();
        assert_eq!(file.ghl.base_url.as_deref(), Some("http://h"));
        assert_eq!(file.sync.pull_interval_secs, None);
        assert_eq!(unknown.len(), 1);
        assert_eq!(
            (unknown[0].line, unknown[0].key.as_str()),
            (2, "locaton_id")
        );
        let got: Vec<(usize, &str)> = bad.iter().map(|b| (b.line, b.key.as_str())).collect();
        assert_eq!(
            got,
            [
                (5, "sync.pull_interval_secs"),
                (6, "sync.pull_overlap_secs")
            ]
        );
        assert!(bad[0].message.contains("fast"), "{}", bad[0].message);
    }

    #[test]
    fn a_good_file_reads_as_parse_does_and_bad_toml_is_the_parsers_error() {
        let (file, unknown, bad) =
            parse_lenient(Path::new("c.toml"), "[sync]\npull_interval_secs = 5\n").unwrap();
        assert_eq!(file.sync.pull_interval_secs, Some(5));
        assert!(unknown.is_empty() && bad.is_empty());
        let e = parse_lenient(Path::new("c.toml"), "[ghl\n").unwrap_err();
        assert!(e.to_string().contains("c.toml, line 1"), "{e}");
    }
}
