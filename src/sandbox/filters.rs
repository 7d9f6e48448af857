//! `POST /contacts/search` filters: parsing (with class-validator-style 422 messages) and
//! evaluation against stored contacts.
//!
//! Items are `{field, operator, value}` or `{group: "AND"|"OR", filters: [...]}`; the top level
//! is AND. Operators (ghl-api.md §3.2): `eq`, `not_eq`, `contains`, `not_contains`, `exists`,
//! `not_exists` (value ignored), `range` (object with `gte`/`lte`/`gt`/`lt`).
//!
//! **OUR CHOICES** (GHL's full field list lives only on the ClickUp page, unconfirmed):
//! - fields: `id`, `dateAdded`, `dateUpdated`, `email`, `phone`, `firstName`, `lastName`,
//!   `firstNameLowerCase`, `lastNameLowerCase`, `city`, `state`, `country`, `postalCode`,
//!   `address` (= `address1`), `companyName`, `source`, `type`, `assignedTo`, `tags`, `dnd`;
//! - text `eq` is case-insensitive and exact; `contains` is a case-insensitive substring;
//!   `id` compares exactly; on `tags`, `eq`/`contains` match if any tag matches;
//!   an array `value` for `eq`/`not_eq` means "any of";
//! - `customFields.<id>` filters on a custom field's value as text (`eq`, `not_eq`, `contains`,
//!   `exists`, …), matching the item with that id;
//! - `range` only on the date fields; date values are ISO 8601 strings or epoch-ms numbers;
//! - `contains` / `range` on a field that doesn't support them → 422; string values longer
//!   than 75 characters → 422.
//!
//! The sandbox is not eventually consistent: edits show up in the next search.

use serde_json::{Map, Value};

use super::ids;
use super::state::StoredContact;

/// Kind of a filterable field (decides which operators and values apply).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Id,
    Text,
    Tags,
    Bool,
    Date,
}

const FIELDS: &[(&str, &str, Kind)] = &[
    ("id", "id", Kind::Id),
    ("dateAdded", "dateAdded", Kind::Date),
    ("dateUpdated", "dateUpdated", Kind::Date),
    ("email", "email", Kind::Text),
    ("phone", "phone", Kind::Text),
    ("firstName", "firstName", Kind::Text),
    ("lastName", "lastName", Kind::Text),
    ("firstNameLowerCase", "firstNameLowerCase", Kind::Text),
    ("lastNameLowerCase", "lastNameLowerCase", Kind::Text),
    ("city", "city", Kind::Text),
    ("state", "state", Kind::Text),
    ("country", "country", Kind::Text),
    ("postalCode", "postalCode", Kind::Text),
    ("address", "address1", Kind::Text),
    ("companyName", "companyName", Kind::Text),
    ("source", "source", Kind::Text),
    ("type", "type", Kind::Text),
    ("assignedTo", "assignedTo", Kind::Text),
    ("tags", "tags", Kind::Tags),
    ("dnd", "dnd", Kind::Bool),
];

const OPERATORS: &str = "eq, not_eq, contains, not_contains, exists, not_exists, range";
const MAX_VALUE_LEN: usize = 75;

/// A parsed filter.
#[derive(Debug, Clone)]
pub enum Filter {
    Cond {
        key: &'static str,
        kind: Kind,
        op: Op,
    },
    Group {
        any: bool,
        items: Vec<Filter>,
    },
    /// A condition on the value of custom field `id` (compared as text).
    Custom {
        id: String,
        op: Op,
    },
}

/// A parsed operator with its operand.
#[derive(Debug, Clone)]
pub enum Op {
    Eq(Vec<Operand>),
    NotEq(Vec<Operand>),
    Contains(String),
    NotContains(String),
    Exists,
    NotExists,
    Range {
        gte: Option<i64>,
        lte: Option<i64>,
        gt: Option<i64>,
        lt: Option<i64>,
    },
}

/// A comparison value, already normalised for the field kind.
#[derive(Debug, Clone)]
pub enum Operand {
    Str(String),
    Bool(bool),
    Ms(i64),
}

/// Epoch ms from an ISO string or a number (also a numeric string).
pub fn date_value(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse::<i64>().ok().or_else(|| ids::parse_ms(s)),
        _ => None,
    }
}

/// Parse the `filters` array; `errs` collects 422 messages.
pub fn parse_filters(v: &Value, path: &str, errs: &mut Vec<String>) -> Vec<Filter> {
    let Some(items) = v.as_array() else {
        errs.push(format!("{path} must be an array"));
        return Vec::new();
    };
    items
        .iter()
        .enumerate()
        .filter_map(|(i, it)| parse_item(it, &format!("{path}.{i}"), errs))
        .collect()
}

fn parse_item(v: &Value, path: &str, errs: &mut Vec<String>) -> Option<Filter> {
    let Some(o) = v.as_object() else {
        errs.push(format!("{path} must be an object"));
        return None;
    };
    if o.contains_key("group") || o.contains_key("filters") {
        for k in o.keys() {
            if k != "group" && k != "filters" {
                errs.push(format!("property {path}.{k} should not exist"));
            }
        }
        let any = match o.get("group").and_then(Value::as_str) {
            Some("AND") => false,
            Some("OR") => true,
            _ => {
                errs.push(format!(
                    "{path}.group must be one of the following values: AND, OR"
                ));
                return None;
            }
        };
        let items = parse_filters(
            o.get("filters").unwrap_or(&Value::Null),
            &format!("{path}.filters"),
            errs,
        );
        return Some(Filter::Group { any, items });
    }
    for k in o.keys() {
        if !matches!(k.as_str(), "field" | "operator" | "value") {
            errs.push(format!("property {path}.{k} should not exist"));
        }
    }
    let field = o.get("field").and_then(Value::as_str).unwrap_or("");
    let custom = field
        .strip_prefix("customFields.")
        .filter(|id| !id.is_empty())
        .map(str::to_owned);
    let known = FIELDS.iter().find(|(n, _, _)| *n == field).copied();
    let Some((_, key, kind)) = known.or(custom.as_ref().map(|_| ("", CUSTOM_KEY, Kind::Text)))
    else {
        let names: Vec<&str> = FIELDS.iter().map(|f| f.0).collect();
        errs.push(format!(
            "{path}.field must be one of the following values: {}",
            names.join(", ")
        ));
        return None;
    };
    let operator = o.get("operator").and_then(Value::as_str).unwrap_or("");
    let value = o.get("value");
    let before = errs.len();
    let op = match operator {
        "exists" => Op::Exists,
        "not_exists" => Op::NotExists,
        "eq" | "not_eq" => {
            let vals = operands(value, kind, path, errs);
            if operator == "eq" {
                Op::Eq(vals)
            } else {
                Op::NotEq(vals)
            }
        }
        "contains" | "not_contains" => {
            if !matches!(kind, Kind::Text | Kind::Tags | Kind::Id) {
                errs.push(format!(
                    "{path}.operator {operator} is not supported for field {field}"
                ));
                return None;
            }
            let s = match value {
                Some(Value::String(s)) if !s.is_empty() => s.to_lowercase(),
                _ => {
                    errs.push(format!("{path}.value must be a non-empty string"));
                    return None;
                }
            };
            check_len(&s, path, errs);
            if operator == "contains" {
                Op::Contains(s)
            } else {
                Op::NotContains(s)
            }
        }
        "range" => {
            if kind != Kind::Date {
                errs.push(format!(
                    "{path}.operator range is not supported for field {field}"
                ));
                return None;
            }
            let Some(r) = value.and_then(Value::as_object) else {
                errs.push(format!(
                    "{path}.value must be an object with gte, lte, gt or lt"
                ));
                return None;
            };
            let mut bound = |name: &str| -> Option<i64> {
                let v = r.get(name)?;
                let ms = date_value(v);
                if ms.is_none() {
                    errs.push(format!(
                        "{path}.value.{name} must be an ISO 8601 date string or epoch milliseconds"
                    ));
                }
                ms
            };
            let (gte, lte, gt, lt) = (bound("gte"), bound("lte"), bound("gt"), bound("lt"));
            for k in r.keys() {
                if !matches!(k.as_str(), "gte" | "lte" | "gt" | "lt") {
                    errs.push(format!("property {path}.value.{k} should not exist"));
                }
            }
            if r.is_empty() {
                errs.push(format!(
                    "{path}.value must be an object with gte, lte, gt or lt"
                ));
            }
            Op::Range { gte, lte, gt, lt }
        }
        _ => {
            errs.push(format!(
                "{path}.operator must be one of the following values: {OPERATORS}"
            ));
            return None;
        }
    };
    (errs.len() == before).then_some(match custom {
        Some(id) => Filter::Custom { id, op },
        None => Filter::Cond { key, kind, op },
    })
}

/// The key a custom field's value is put under to evaluate a [`Filter::Custom`].
const CUSTOM_KEY: &str = "customFieldValue";

fn check_len(s: &str, path: &str, errs: &mut Vec<String>) {
    if s.chars().count() > MAX_VALUE_LEN {
        errs.push(format!(
            "{path}.value must be shorter than or equal to {MAX_VALUE_LEN} characters"
        ));
    }
}

fn operands(value: Option<&Value>, kind: Kind, path: &str, errs: &mut Vec<String>) -> Vec<Operand> {
    let vals: Vec<&Value> = match value {
        None | Some(Value::Null) => {
            errs.push(format!("{path}.value should not be empty"));
            return Vec::new();
        }
        Some(Value::Array(a)) if a.is_empty() => {
            errs.push(format!("{path}.value should not be empty"));
            return Vec::new();
        }
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v) => vec![v],
    };
    let mut out = Vec::new();
    for v in vals {
        let op = match kind {
            Kind::Bool => match v {
                Value::Bool(b) => Some(Operand::Bool(*b)),
                Value::String(s) if s == "true" || s == "false" => Some(Operand::Bool(s == "true")),
                _ => None,
            }
            .or_else(|| {
                errs.push(format!("{path}.value must be a boolean value"));
                None
            }),
            Kind::Date => date_value(v).map(Operand::Ms).or_else(|| {
                errs.push(format!(
                    "{path}.value must be an ISO 8601 date string or epoch milliseconds"
                ));
                None
            }),
            Kind::Id | Kind::Text | Kind::Tags => match v {
                Value::String(s) => {
                    check_len(s, path, errs);
                    Some(Operand::Str(s.clone()))
                }
                Value::Number(n) => Some(Operand::Str(n.to_string())),
                _ => {
                    errs.push(format!("{path}.value must be a string"));
                    None
                }
            },
        };
        out.extend(op);
    }
    out
}

/// Field values of a contact as lower-cased strings (text/tags/id kinds).
fn strings(doc: &Map<String, Value>, key: &str, kind: Kind) -> Vec<String> {
    let norm = |s: &str| {
        if kind == Kind::Id {
            s.to_string()
        } else {
            s.to_lowercase()
        }
    };
    match doc.get(key) {
        Some(Value::String(s)) if !s.is_empty() => vec![norm(s)],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(norm).collect(),
        Some(Value::Number(n)) => vec![n.to_string()],
        _ => Vec::new(),
    }
}

fn exists(c: &StoredContact, key: &str) -> bool {
    match c.doc.get(key) {
        None | Some(Value::Null) => false,
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(_) => true,
    }
}

fn date_of(c: &StoredContact, key: &str) -> i64 {
    if key == "dateAdded" {
        c.added_ms
    } else {
        c.updated_ms
    }
}

fn eq_any(c: &StoredContact, key: &str, kind: Kind, vals: &[Operand]) -> bool {
    match kind {
        Kind::Bool => {
            let have = c.doc.get(key).and_then(Value::as_bool).unwrap_or(false);
            vals.iter()
                .any(|v| matches!(v, Operand::Bool(b) if *b == have))
        }
        Kind::Date => {
            let have = date_of(c, key);
            vals.iter()
                .any(|v| matches!(v, Operand::Ms(m) if *m == have))
        }
        _ => {
            let have = strings(&c.doc, key, kind);
            vals.iter().any(|v| match v {
                Operand::Str(s) => {
                    let s = if kind == Kind::Id {
                        s.clone()
                    } else {
                        s.to_lowercase()
                    };
                    have.contains(&s)
                }
                _ => false,
            })
        }
    }
}

impl Filter {
    /// Does contact `c` satisfy this filter?
    pub fn matches(&self, c: &StoredContact) -> bool {
        match self {
            Filter::Group { any: true, items } => items.iter().any(|f| f.matches(c)),
            Filter::Group { any: false, items } => items.iter().all(|f| f.matches(c)),
            Filter::Custom { id, op } => {
                let value = c
                    .doc
                    .get("customFields")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .find(|f| f.get("id").and_then(Value::as_str) == Some(id.as_str()))
                    .and_then(|f| f.get("value"))
                    .cloned();
                let mut doc = Map::new();
                if let Some(v) = value {
                    doc.insert(CUSTOM_KEY.into(), v);
                }
                let probe = StoredContact {
                    doc,
                    added_ms: c.added_ms,
                    updated_ms: c.updated_ms,
                };
                Filter::Cond {
                    key: CUSTOM_KEY,
                    kind: Kind::Text,
                    op: op.clone(),
                }
                .matches(&probe)
            }
            Filter::Cond { key, kind, op } => match op {
                Op::Exists => exists(c, key),
                Op::NotExists => !exists(c, key),
                Op::Eq(v) => eq_any(c, key, *kind, v),
                Op::NotEq(v) => !eq_any(c, key, *kind, v),
                Op::Contains(s) => strings(&c.doc, key, *kind)
                    .iter()
                    .any(|h| h.to_lowercase().contains(s)),
                Op::NotContains(s) => !strings(&c.doc, key, *kind)
                    .iter()
                    .any(|h| h.to_lowercase().contains(s)),
                Op::Range { gte, lte, gt, lt } => {
                    let d = date_of(c, key);
                    gte.is_none_or(|b| d >= b)
                        && lte.is_none_or(|b| d <= b)
                        && gt.is_none_or(|b| d > b)
                        && lt.is_none_or(|b| d < b)
                }
            },
        }
    }
}
