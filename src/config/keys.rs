//! Unknown keys in `config.toml`, each with its line and a "did you mean".
//!
//! The known keys are read from the config structs themselves ([`field_names`] asks serde
//! for the field list a derived `Deserialize` declares), so a field added to a section is
//! known here without a second list. `[mapping]` is free-form (Bmby field names, checked
//! by `bmby-ghl mapping`); `[bmby.columns]` keys are the Bmby export fields.

use serde::de::{self, Deserialize, Deserializer, Visitor};
use toml::de::{DeTable, DeValue};

use super::{BmbySection, ConfigFile, GhlSection, SyncSection};
use crate::bmby::export::Field;

/// One key the config file has and the program does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownKey {
    /// 1-based line of the key.
    pub line: usize,
    /// The key as written (for a table, its name: `ghll` for `[ghll]`).
    pub key: String,
    /// The table it is in (`ghl`, `bmby.columns`), `None` at the top level.
    pub table: Option<String>,
    /// A likely intended name: `location_id`, or `[ghl] token` for a key in the wrong table.
    pub suggestion: Option<String>,
}

impl std::fmt::Display for UnknownKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.table {
            Some(t) => write!(f, "unknown key `{}` in [{t}]", self.key)?,
            None => write!(f, "unknown table or key `{}`", self.key)?,
        }
        match &self.suggestion {
            Some(s) => write!(f, " (did you mean {s}?)"),
            None => Ok(()),
        }
    }
}

/// The keys of `text` that no config struct declares, in line order. Text that is not valid
/// TOML gives none here (the parser reports it with its line).
pub fn unknown_keys(text: &str) -> Vec<UnknownKey> {
    let Ok(root) = DeTable::parse(text) else {
        return Vec::new();
    };
    let line = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
    let sections: [(&str, &[&str]); 3] = [
        ("ghl", field_names::<GhlSection>()),
        ("sync", field_names::<SyncSection>()),
        ("bmby", field_names::<BmbySection>()),
    ];
    let top = field_names::<ConfigFile>();
    let mut out = Vec::new();
    for (k, v) in root.get_ref() {
        let name = k.get_ref().as_ref();
        if !top.contains(&name) {
            let suggestion = crate::suggest::did_you_mean(name, top.iter().copied())
                .map(|t| format!("`[{t}]`"))
                .or_else(|| {
                    sections
                        .iter()
                        .find(|(_, keys)| keys.contains(&name))
                        .map(|(t, _)| format!("`{name}` under [{t}]"))
                });
            out.push(UnknownKey {
                line: line(k.span().start),
                key: name.to_owned(),
                table: None,
                suggestion,
            });
            continue;
        }
        let Some((_, known)) = sections.iter().find(|(t, _)| *t == name) else {
            continue;
        };
        let Some(table) = v.get_ref().as_table() else {
            continue; // a wrong type: the parser says so
        };
        for (k2, v2) in table {
            let key = k2.get_ref().as_ref();
            if known.contains(&key) {
                if name == "bmby" && key == "columns" {
                    check_columns(v2.get_ref(), &line, &mut out);
                }
                continue;
            }
            let suggestion = crate::suggest::did_you_mean(key, known.iter().copied())
                .map(|s| format!("`{s}`"))
                .or_else(|| {
                    sections
                        .iter()
                        .find(|(t, keys)| *t != name && keys.contains(&key))
                        .map(|(t, _)| format!("`{key}` under [{t}]"))
                });
            out.push(UnknownKey {
                line: line(k2.span().start),
                key: key.to_owned(),
                table: Some(name.to_owned()),
                suggestion,
            });
        }
    }
    out.sort_by_key(|u| u.line);
    out
}

/// The dotted key (`sync.pull_interval_secs`) whose value holds byte `offset` of `text`:
/// the key a bad value belongs to, for [`super::ConfigError::Parse`]. `None` when the text
/// does not parse as TOML or the offset is in no value (a syntax error).
pub fn key_at(text: &str, offset: usize) -> Option<String> {
    fn find(table: &DeTable<'_>, offset: usize, prefix: &str) -> Option<String> {
        for (k, v) in table {
            let path = format!("{prefix}{}", k.get_ref().as_ref());
            match v.get_ref().as_table() {
                Some(t) => {
                    if let Some(p) = find(t, offset, &format!("{path}.")) {
                        return Some(p);
                    }
                }
                None if v.span().contains(&offset) || k.span().contains(&offset) => {
                    return Some(path)
                }
                None => {}
            }
        }
        None
    }
    let root = DeTable::parse(text).ok()?;
    find(root.get_ref(), offset, "")
}

/// `[bmby.columns]`: each key must be a Bmby export field (`client_id`, `fname`, …).
fn check_columns(v: &DeValue<'_>, line: &dyn Fn(usize) -> usize, out: &mut Vec<UnknownKey>) {
    let Some(table) = v.as_table() else {
        return;
    };
    let fields = field_names::<Field>();
    for (k, _) in table {
        let key = k.get_ref().as_ref();
        if !fields.contains(&key) {
            out.push(UnknownKey {
                line: line(k.span().start),
                key: key.to_owned(),
                table: Some("bmby.columns".to_owned()),
                suggestion: crate::suggest::did_you_mean(key, fields.iter().copied())
                    .map(|s| format!("`{s}`")),
            });
        }
    }
}

/// The field names a derived `Deserialize` struct declares (or the variant names of an
/// enum), as serde sees them (renames applied). Empty for any other type.
pub fn field_names<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    let mut probe = Probe(&[]);
    let _ = T::deserialize(&mut probe);
    probe.0
}

/// A deserializer that only records the names it is asked for, then gives up.
struct Probe(&'static [&'static str]);

impl<'de> Deserializer<'de> for &mut Probe {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("names only"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Self::Error> {
        self.0 = fields;
        Err(de::Error::custom("names only"))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        variants: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Self::Error> {
        self.0 = variants;
        Err(de::Error::custom("names only"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_come_from_the_structs() {
        let ghl = field_names::<GhlSection>();
        assert!(ghl.contains(&"location_id") && ghl.contains(&"redirect_uri"));
        let top = field_names::<ConfigFile>();
        assert!(top.contains(&"ghl") && top.contains(&"mapping"));
        assert!(field_names::<Field>().contains(&"client_id"));
        assert!(field_names::<String>().is_empty());
    }

    #[test]
    fn unknown_keys_with_lines_and_suggestions() {
        let text = "# comment\n[ghl]\nlocaton_id = \"x\"\nbase_url = \"http://h\"\n\n[sync]\npull_overlap_secs = 5\npull_interval = 9\ntoken = \"t\"\n[bmby.columns]\nclient_idd = [\"a\"]\n[ghll]\nx = 1\n";
        let u = unknown_keys(text);
        let s: Vec<String> = u.iter().map(|u| format!("{}: {u}", u.line)).collect();
        assert_eq!(
            s,
            [
                "3: unknown key `locaton_id` in [ghl] (did you mean `location_id`?)",
                "8: unknown key `pull_interval` in [sync] (did you mean `pull_interval_secs`?)",
                "9: unknown key `token` in [sync] (did you mean `token` under [ghl]?)",
                "11: unknown key `client_idd` in [bmby.columns] (did you mean `client_id`?)",
                "12: unknown table or key `ghll` (did you mean `[ghl]`?)",
            ]
        );
        assert!(
            unknown_keys("[ghl]\nlocation_id = \"x\"\n[mapping]\nanything = \"tag\"\n").is_empty()
        );
        assert!(
            unknown_keys("[ghl\n").is_empty(),
            "syntax errors are the parser's"
        );
    }
}
