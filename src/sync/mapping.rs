//! Which Bmby field goes to which GHL contact field (config `[mapping]`, shown by
//! `bmby-ghl mapping`).
//!
//! A target is a GHL contact field that both `CreateContactDto` and `UpdateContactDto` accept
//! (`firstName`, `lastName`, `email`, `phone`, `address1`, `city`, `state`, `postalCode`,
//! `country`, `website`, `timezone`, `source`, `dateOfBirth`), `tag` (the value is added as a
//! tag), `custom:<fieldKey>` (a custom field by its key, e.g. `custom:contact.budget`), or
//! `none`. Fields a GHL endpoint would reject are refused here, so they are never proposed:
//! `gender` and `companyName` (not in `UpdateContactDto`; PUT answers 422 "property … should not
//! exist"), `additionalEmails` (422 on every write), `locationId`, `name`.

use std::collections::BTreeMap;

use serde::Serialize;

/// GHL contact fields a mapping may target (accepted by both create and update bodies).
pub const WRITABLE_FIELDS: &[&str] = &[
    "firstName",
    "lastName",
    "email",
    "phone",
    "address1",
    "city",
    "state",
    "postalCode",
    "country",
    "website",
    "timezone",
    "source",
    "dateOfBirth",
];

/// Fields never proposed, with the reason shown when a mapping names them.
pub const REJECTED_FIELDS: &[(&str, &str)] = &[
    (
        "gender",
        "PUT /contacts/{id} rejects it (422 property gender should not exist)",
    ),
    ("companyName", "not in UpdateContactDto; PUT may reject it"),
    ("additionalEmails", "every contact write rejects it (422)"),
    ("locationId", "set by the client, not by a mapping"),
    ("name", "derived by GHL from firstName and lastName"),
];

/// Where a Bmby field goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "target", rename_all = "snake_case")]
pub enum Target {
    /// A standard GHL contact field (one of [`WRITABLE_FIELDS`]).
    Field(String),
    /// Added as a tag.
    Tag,
    /// A custom field by key (`contact.budget`).
    Custom(String),
}

impl Target {
    /// Parses `firstName`, `tag`, `custom:contact.x` (`custom:x` means `contact.x`).
    /// Errors name what is wrong; `Ok(None)` for `none`.
    pub fn parse(s: &str) -> Result<Option<Target>, String> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("none") {
            return Ok(None);
        }
        if s == "tag" {
            return Ok(Some(Target::Tag));
        }
        if let Some(key) = s.strip_prefix("custom:") {
            let key = key.trim();
            if key.is_empty() {
                return Err("custom: needs a field key, e.g. custom:contact.budget".into());
            }
            let key = if key.contains('.') {
                key.to_owned()
            } else {
                format!("contact.{key}")
            };
            return Ok(Some(Target::Custom(key)));
        }
        if let Some((_, why)) = REJECTED_FIELDS.iter().find(|(f, _)| *f == s) {
            return Err(format!("`{s}` is never written: {why}"));
        }
        if WRITABLE_FIELDS.contains(&s) {
            return Ok(Some(Target::Field(s.to_owned())));
        }
        Err(format!(
            "unknown target `{s}`: use one of {}, `tag`, `custom:<fieldKey>` or `none`",
            WRITABLE_FIELDS.join(", ")
        ))
    }

    /// As written in the config.
    pub fn to_config(&self) -> String {
        match self {
            Target::Field(f) => f.clone(),
            Target::Tag => "tag".into(),
            Target::Custom(k) => format!("custom:{k}"),
        }
    }
}

/// The `[mapping]` key that lists the tags Bmby owns (comma-separated), not a Bmby field.
pub const OWNED_TAGS_KEY: &str = "owned_tags";

/// The effective mapping: Bmby field (or custom field title) → target, in a stable order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mapping {
    pub fields: BTreeMap<String, Target>,
    /// Tags Bmby owns (`[mapping] owned_tags = "hot, cold"`): a Bmby change may remove one of
    /// these from a contact when its client's mapped tag values no longer include it. Every
    /// other tag on a GHL contact belongs to GHL's users and automations and is never removed
    /// by a Bmby change. Empty by default.
    pub owned_tags: Vec<String>,
}

impl Default for Mapping {
    /// fname → firstName, lname → lastName (a full name in fname alone is split by the
    /// normalizer's rule), email → email, phone_mobile → phone, address → address1,
    /// city → city, client_id → custom:contact.bmby_client_id, and the Bmby custom fields
    /// `תקציב` (budget) → custom:contact.budget, `מספר חדרים` (rooms) → custom:contact.rooms. Custom targets whose key the location lacks are skipped
    /// with a warning on the change.
    fn default() -> Self {
        let pairs = [
            ("fname", Target::Field("firstName".into())),
            ("lname", Target::Field("lastName".into())),
            ("email", Target::Field("email".into())),
            ("phone_mobile", Target::Field("phone".into())),
            ("address", Target::Field("address1".into())),
            ("city", Target::Field("city".into())),
            ("client_id", Target::Custom("contact.bmby_client_id".into())),
            ("תקציב", Target::Custom("contact.budget".into())),
            ("מספר חדרים", Target::Custom("contact.rooms".into())),
        ];
        Mapping {
            fields: pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
            owned_tags: Vec::new(),
        }
    }
}

impl Mapping {
    /// The defaults with the user's `[mapping]` table applied (`"none"` removes a default).
    /// Errors list every bad entry with its key.
    pub fn with_overrides(overrides: &BTreeMap<String, String>) -> Result<Mapping, String> {
        let mut m = Mapping::default();
        let mut errors = Vec::new();
        for (k, v) in overrides {
            if k == OWNED_TAGS_KEY {
                m.owned_tags = v
                    .split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned)
                    .collect();
                continue;
            }
            match Target::parse(v) {
                Ok(Some(t)) => {
                    m.fields.insert(k.clone(), t);
                }
                Ok(None) => {
                    m.fields.remove(k);
                }
                Err(e) => errors.push(format!("[mapping] {k}: {e}")),
            }
        }
        let mut seen: BTreeMap<String, &str> = BTreeMap::new();
        for (k, t) in &m.fields {
            if let Target::Field(f) | Target::Custom(f) = t {
                if let Some(prev) = seen.insert(f.clone(), k) {
                    errors.push(format!("[mapping] {prev} and {k} both write {f}"));
                }
            }
        }
        if errors.is_empty() {
            Ok(m)
        } else {
            Err(errors.join("\n"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejected_fields_are_refused_with_the_reason() {
        let e = Target::parse("gender").unwrap_err();
        assert!(e.contains("422"), "{e}");
        assert!(Target::parse("additionalEmails").is_err());
        assert!(Target::parse("companyName").is_err());
        assert!(Target::parse("bogus")
            .unwrap_err()
            .contains("unknown target"));
    }

    #[test]
    fn overrides_merge_and_none_removes() {
        let mut o = BTreeMap::new();
        o.insert("city".to_owned(), "none".to_owned());
        o.insert("status".to_owned(), "tag".to_owned());
        o.insert("remark".to_owned(), "custom:agent_notes".to_owned());
        let m = Mapping::with_overrides(&o).unwrap();
        assert!(!m.fields.contains_key("city"));
        assert_eq!(m.fields["status"], Target::Tag);
        assert_eq!(
            m.fields["remark"],
            Target::Custom("contact.agent_notes".into())
        );
        assert_eq!(m.fields["fname"], Target::Field("firstName".into()));
    }

    #[test]
    fn owned_tags_are_a_list_not_a_field() {
        let mut o = BTreeMap::new();
        o.insert("owned_tags".to_owned(), " hot, cold ,".to_owned());
        let m = Mapping::with_overrides(&o).unwrap();
        assert_eq!(m.owned_tags, vec!["hot".to_owned(), "cold".to_owned()]);
        assert!(!m.fields.contains_key("owned_tags"));
    }

    #[test]
    fn two_fields_to_one_target_is_an_error() {
        let mut o = BTreeMap::new();
        o.insert("phone_home".to_owned(), "phone".to_owned());
        let e = Mapping::with_overrides(&o).unwrap_err();
        assert!(e.contains("both write phone"), "{e}");
    }
}
