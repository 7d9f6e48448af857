//! Custom field definitions of a location.

use serde::{Deserialize, Serialize};

/// A custom field definition from `GET /locations/{locationId}/customFields`
/// (GHL schema `CustomFieldSchema`), used to show a contact's custom fields by name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomFieldDef {
    pub id: String,
    pub name: String,
    /// e.g. `contact.pincode`.
    pub field_key: String,
    /// `TEXT`, `LARGE_TEXT`, `NUMERICAL`, `DATE`, `SINGLE_OPTIONS`, `MULTIPLE_OPTIONS`, `CHECKBOX`, ...
    pub data_type: String,
    pub picklist_options: Vec<String>,
}

impl CustomFieldDef {
    /// A value of this field for display: `DATE` values GHL stores as epoch milliseconds are
    /// shown as `YYYY-MM-DD` (UTC); everything else as [`super::CustomFieldValue::display`].
    pub fn format(&self, v: &super::CustomFieldValue) -> String {
        if self.data_type == "DATE" {
            if let Ok(ms) = v.value_json.trim().trim_matches('"').parse::<i64>() {
                if let Ok(ts) = jiff::Timestamp::from_millisecond(ms) {
                    return ts.to_zoned(jiff::tz::TimeZone::UTC).date().to_string();
                }
            }
        }
        v.display()
    }
}

/// A custom field value as typed by a person, checked against the field's definition and turned
/// into what GHL's contact write takes (`customFields: [{id, field_value}]`, ghl-pitfalls.md §10):
/// the JSON type is chosen by `dataType`.
#[derive(Debug, Clone, PartialEq)]
pub struct TypedValue {
    /// `field_value` as sent: a string, a number, or an array of strings; `Null` clears.
    pub wire: serde_json::Value,
    /// The value as the diff shows it (`2500000`, `Yes, No`, `2027-05-16`); `None` clears.
    pub display: Option<String>,
}

/// Field types a person can edit here: `dataType` → a short name for help texts.
pub const EDITABLE_TYPES: &[(&str, &str)] = &[
    ("TEXT", "text"),
    ("LARGE_TEXT", "long text"),
    ("NUMERICAL", "number"),
    ("MONETORY", "amount"),
    ("DATE", "date YYYY-MM-DD"),
    ("SINGLE_OPTIONS", "one option"),
    ("MULTIPLE_OPTIONS", "options, comma-separated"),
    ("CHECKBOX", "options, comma-separated"),
    ("RADIO", "one option"),
    ("PHONE", "phone"),
    ("EMAIL", "email"),
];

impl CustomFieldDef {
    /// What kind of value this field takes, for prompts (`number`, `one option`); `None` for a
    /// type this tool does not edit (file upload, signature, …).
    pub fn kind_hint(&self) -> Option<&'static str> {
        EDITABLE_TYPES
            .iter()
            .find(|(t, _)| *t == self.data_type)
            .map(|(_, h)| *h)
    }

    /// True for types whose value is several options (`MULTIPLE_OPTIONS`, `CHECKBOX`).
    pub fn is_multi(&self) -> bool {
        matches!(self.data_type.as_str(), "MULTIPLE_OPTIONS" | "CHECKBOX")
    }

    /// True for types chosen from `picklistOptions`.
    pub fn has_options(&self) -> bool {
        matches!(
            self.data_type.as_str(),
            "SINGLE_OPTIONS" | "RADIO" | "MULTIPLE_OPTIONS" | "CHECKBOX"
        )
    }

    /// The option matching `typed` (trimmed, case-insensitive), in the definition's spelling.
    fn option(&self, typed: &str) -> Option<&str> {
        let t = typed.trim().to_lowercase();
        self.picklist_options
            .iter()
            .find(|o| o.trim().to_lowercase() == t)
            .map(String::as_str)
    }

    /// Checks a typed value against this definition. Blank clears the field. Errors are
    /// sentences naming the field and what it takes (`Budget (ILS) takes a number, not "abc"`).
    ///
    /// Numbers accept `2,500,000`, `₪ 1200.50`, `3.5`; dates `YYYY-MM-DD` (written as that
    /// string; GHL reads dates back as epoch milliseconds); options must be one of
    /// `picklistOptions` (any case); several options are comma-separated; phones are normalized
    /// to E.164 as the importer does; emails must look like one address.
    pub fn parse_input(&self, typed: &str) -> Result<TypedValue, String> {
        use serde_json::Value;
        let v = crate::sanitize::clean_text(typed).trim().to_owned();
        let name = &self.name;
        if v.is_empty() {
            return Ok(TypedValue {
                wire: Value::Null,
                display: None,
            });
        }
        let text = |s: String| TypedValue {
            wire: Value::String(s.clone()),
            display: Some(s),
        };
        match self.data_type.as_str() {
            "TEXT" | "LARGE_TEXT" => {
                let s = if self.data_type == "TEXT" {
                    crate::sanitize::clean_line(&v).trim().to_owned()
                } else {
                    v
                };
                Ok(text(s))
            }
            "NUMERICAL" | "MONETORY" => {
                let digits: String = v
                    .chars()
                    .filter(|c| !matches!(c, ',' | ' ' | '₪' | '$' | '€' | '\u{a0}'))
                    .collect();
                match digits.parse::<f64>() {
                    Ok(n) if n.is_finite() => {
                        let num = if n.fract() == 0.0 && n.abs() < 9.0e15 {
                            serde_json::Number::from(n as i64)
                        } else {
                            serde_json::Number::from_f64(n).ok_or("not a number")?
                        };
                        Ok(TypedValue {
                            display: Some(num.to_string()),
                            wire: Value::Number(num),
                        })
                    }
                    _ => Err(format!("{name} takes a number, not \"{v}\"")),
                }
            }
            "DATE" => match jiff::civil::Date::strptime("%Y-%m-%d", &v) {
                Ok(d) => Ok(text(d.to_string())),
                Err(_) => Err(format!("{name} takes a date as YYYY-MM-DD, not \"{v}\"")),
            },
            "SINGLE_OPTIONS" | "RADIO" => match self.option(&v) {
                Some(o) => Ok(text(o.to_owned())),
                None => Err(self.not_an_option(&v)),
            },
            "MULTIPLE_OPTIONS" | "CHECKBOX" => {
                let mut chosen: Vec<String> = Vec::new();
                for part in v.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    let o = self.option(part).ok_or_else(|| self.not_an_option(part))?;
                    if !chosen.iter().any(|c| c == o) {
                        chosen.push(o.to_owned());
                    }
                }
                Ok(TypedValue {
                    display: Some(chosen.join(", ")),
                    wire: Value::Array(chosen.into_iter().map(Value::String).collect()),
                })
            }
            "PHONE" => crate::sync::review::validate_value("phone", &v)
                .map(|p| text(p.unwrap_or_default()))
                .map_err(|e| format!("{name}: {e}")),
            "EMAIL" => crate::sync::review::validate_value("email", &v)
                .map(|p| text(p.unwrap_or_default()))
                .map_err(|e| format!("{name}: {e}")),
            other => Err(format!(
                "{name} is a {other} field, which this tool does not edit; change it in GHL"
            )),
        }
    }

    fn not_an_option(&self, typed: &str) -> String {
        format!(
            "\"{typed}\" is not an option of {}; choose from: {}",
            self.name,
            self.picklist_options.join(", ")
        )
    }

    /// The field found by id, by key (`contact.budget` or `budget`) or by name (any case).
    pub fn find<'a>(
        defs: impl IntoIterator<Item = &'a CustomFieldDef>,
        what: &str,
    ) -> Option<&'a CustomFieldDef> {
        let w = what.trim();
        let lw = w.to_lowercase();
        let all: Vec<&CustomFieldDef> = defs.into_iter().collect();
        all.iter()
            .find(|d| d.id == w)
            .or_else(|| {
                all.iter()
                    .find(|d| d.field_key == w || d.field_key.strip_prefix("contact.") == Some(w))
            })
            .or_else(|| all.iter().find(|d| d.name.to_lowercase() == lw))
            .copied()
    }
}

/// A custom field value shown by its definition when known (see [`CustomFieldDef::format`]).
pub fn format_custom(def: Option<&CustomFieldDef>, v: &super::CustomFieldValue) -> String {
    def.map(|d| d.format(v)).unwrap_or_else(|| v.display())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_fields_in_epoch_ms_show_as_dates() {
        let d = CustomFieldDef {
            data_type: "DATE".into(),
            ..Default::default()
        };
        let v = crate::domain::CustomFieldValue {
            id: "x".into(),
            value_json: "1810425600000".into(),
        };
        assert_eq!(d.format(&v), "2027-05-16");
        let t = CustomFieldDef {
            data_type: "TEXT".into(),
            ..Default::default()
        };
        assert_eq!(t.format(&v), "1810425600000");
    }

    fn def(t: &str, opts: &[&str]) -> CustomFieldDef {
        CustomFieldDef {
            id: "cf1".into(),
            name: "Field".into(),
            field_key: "contact.field".into(),
            data_type: t.into(),
            picklist_options: opts.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn typed_values_follow_the_field_type() {
        use serde_json::json;
        let n = def("NUMERICAL", &[]);
        assert_eq!(n.parse_input("2,500,000").unwrap().wire, json!(2500000));
        assert_eq!(n.parse_input("3.5").unwrap().wire, json!(3.5));
        assert!(n.parse_input("abc").unwrap_err().contains("takes a number"));
        let m = def("MONETORY", &[]);
        assert_eq!(m.parse_input("₪ 1,200.50").unwrap().wire, json!(1200.5));
        let d = def("DATE", &[]);
        assert_eq!(
            d.parse_input("2027-05-16").unwrap().wire,
            json!("2027-05-16")
        );
        assert!(d.parse_input("16/05/2027").is_err());
        let o = def("SINGLE_OPTIONS", &["תל אביב", "Haifa"]);
        assert_eq!(o.parse_input("haifa").unwrap().wire, json!("Haifa"));
        assert!(o
            .parse_input("Eilat")
            .unwrap_err()
            .contains("choose from: תל אביב, Haifa"));
        let c = def("CHECKBOX", &["Yes", "No"]);
        assert_eq!(c.parse_input("yes").unwrap().wire, json!(["Yes"]));
        let mo = def("MULTIPLE_OPTIONS", &["a", "b"]);
        let v = mo.parse_input("b, A, b").unwrap();
        assert_eq!(v.wire, json!(["b", "a"]));
        assert_eq!(v.display.as_deref(), Some("b, a"));
        let p = def("PHONE", &[]);
        assert_eq!(
            p.parse_input("054-2848828").unwrap().wire,
            json!("+972542848828")
        );
        let e = def("EMAIL", &[]);
        assert!(e.parse_input("not-an-email").is_err());
        assert_eq!(
            def("TEXT", &[]).parse_input("  ").unwrap().wire,
            json!(null)
        );
        assert!(def("FILE_UPLOAD", &[]).parse_input("x").is_err());
        let t = def("TEXT", &[]);
        assert_eq!(
            t.parse_input("a\u{202e}b").unwrap().display.as_deref(),
            Some("ab")
        );
    }

    #[test]
    fn fields_are_found_by_id_key_or_name() {
        let defs = [def("TEXT", &[])];
        assert!(CustomFieldDef::find(&defs, "cf1").is_some());
        assert!(CustomFieldDef::find(&defs, "contact.field").is_some());
        assert!(CustomFieldDef::find(&defs, "field").is_some());
        assert!(CustomFieldDef::find(&defs, "FIELD").is_some());
        assert!(CustomFieldDef::find(&defs, "nope").is_none());
    }
}
