//! Custom field values in contact writes (`customFields` of `CreateContactDto` /
//! `UpdateContactDto`, `apps/contacts.json`: items `{id | key, field_value}`), checked against
//! the location's definitions the way a person meets them in GHL.
//!
//! - An item names its field by `id` or by `key` (the definition's `fieldKey`, `contact.budget`,
//!   or without the model prefix, `budget`); the value is `field_value` (also read: `fieldValue`,
//!   reported to work in ghl-pitfalls.md §10, and `value`, the read shape). Items naming no field
//!   of the location are ignored, as GHL does. The stored (read) shape is always
//!   `{id, value}` with the field's real id.
//! - **OUR CHOICE** (GHL's wording for bad values is unconfirmed): a value of the wrong type for
//!   the field's `dataType` is a 422 in class-validator style, one message per item:
//!   `customFields.<fieldKey> must be a number` (NUMERICAL, MONETORY; a numeric string is
//!   accepted and stored as a number), `… must be a date (YYYY-MM-DD or epoch milliseconds)`
//!   (DATE; stored as epoch milliseconds, as GHL reads dates back),
//!   `… must be one of the following values: a, b` (SINGLE_OPTIONS, RADIO; also each item of
//!   MULTIPLE_OPTIONS and CHECKBOX, which take an array of strings or one string),
//!   `… must be an email` (EMAIL), `… must be a string` (TEXT, LARGE_TEXT, PHONE given an
//!   object or array). `null` or `""` clears the value.

use serde_json::{json, Value};

/// One checked item: the field's id and the value to store (`None` clears).
pub(super) struct Checked {
    pub id: String,
    pub value: Option<Value>,
}

fn find<'a>(defs: &'a [Value], item: &Value) -> Option<&'a Value> {
    let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    if let Some(id) = s(item, "id") {
        if let Some(d) = defs.iter().find(|d| s(d, "id").as_deref() == Some(&id)) {
            return Some(d);
        }
    }
    let key = s(item, "key").or_else(|| s(item, "id"))?;
    defs.iter().find(|d| {
        s(d, "fieldKey")
            .is_some_and(|fk| fk == key || fk.split_once('.').map(|x| x.1) == Some(&key))
    })
}

fn options(def: &Value) -> Vec<String> {
    def.get("picklistOptions")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn number(v: &Value) -> Option<Value> {
    match v {
        Value::Number(_) => Some(v.clone()),
        Value::String(s) => {
            let f: f64 = s.trim().parse().ok()?;
            if f.fract() == 0.0 {
                Some(json!(f as i64))
            } else {
                Some(json!(f))
            }
        }
        _ => None,
    }
}

fn date_ms(v: &Value) -> Option<Value> {
    match v {
        Value::Number(n) => n.as_i64().map(|x| json!(x)),
        Value::String(s) => {
            let s = s.trim();
            if let Ok(ms) = s.parse::<i64>() {
                return Some(json!(ms));
            }
            let d = jiff::civil::Date::strptime("%Y-%m-%d", s).ok()?;
            let ts = d.to_zoned(jiff::tz::TimeZone::UTC).ok()?.timestamp();
            Some(json!(ts.as_millisecond()))
        }
        _ => None,
    }
}

/// Checks the `customFields` items of a write against the definitions `defs` (the location's
/// `CustomFieldSchema`s). Returns the items to store, or the 422 messages.
pub(super) fn check(defs: &[Value], items: &Value) -> Result<Vec<Checked>, Vec<String>> {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let Some(items) = items.as_array() else {
        return Err(vec!["customFields must be an array".into()]);
    };
    for item in items {
        let Some(def) = find(defs, item) else {
            continue;
        };
        let id = def
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let key = def
            .get("fieldKey")
            .and_then(Value::as_str)
            .unwrap_or(&id)
            .to_owned();
        let raw = item
            .get("field_value")
            .or_else(|| item.get("fieldValue"))
            .or_else(|| item.get("value"))
            .cloned()
            .unwrap_or(Value::Null);
        if raw.is_null() || raw.as_str().is_some_and(|s| s.is_empty()) {
            out.push(Checked { id, value: None });
            continue;
        }
        let t = def
            .get("dataType")
            .and_then(Value::as_str)
            .unwrap_or("TEXT");
        let opts = options(def);
        let bad = |what: &str| format!("customFields.{key} must be {what}");
        let one_of = || bad(&format!("one of the following values: {}", opts.join(", ")));
        let value = match t {
            "NUMERICAL" | "MONETORY" => number(&raw).ok_or_else(|| bad("a number")),
            "DATE" => date_ms(&raw).ok_or_else(|| bad("a date (YYYY-MM-DD or epoch milliseconds)")),
            "SINGLE_OPTIONS" | "RADIO" => match raw.as_str() {
                Some(s) if opts.iter().any(|o| o == s) => Ok(raw.clone()),
                _ => Err(one_of()),
            },
            "MULTIPLE_OPTIONS" | "CHECKBOX" => {
                let list: Option<Vec<String>> = match &raw {
                    Value::String(s) => Some(vec![s.clone()]),
                    Value::Array(a) => a.iter().map(|x| x.as_str().map(str::to_owned)).collect(),
                    _ => None,
                };
                match list {
                    Some(l) if l.iter().all(|x| opts.contains(x)) => Ok(json!(l)),
                    _ => Err(one_of()),
                }
            }
            "EMAIL" => match raw.as_str() {
                Some(s) if s.contains('@') && !s.contains(' ') => Ok(raw.clone()),
                _ => Err(bad("an email")),
            },
            _ => match &raw {
                Value::String(_) => Ok(raw.clone()),
                Value::Number(n) => Ok(json!(n.to_string())),
                _ => Err(bad("a string")),
            },
        };
        match value {
            Ok(v) => out.push(Checked { id, value: Some(v) }),
            Err(m) => problems.push(m),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}
