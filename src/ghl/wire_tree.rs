//! A JSON tree that borrows its text from the page it was read from (issue #14: the pull's CPU
//! per contact), for reading `POST /contacts/search` pages without building `serde_json::Value`s.
//!
//! A page of 500 contacts read as `Value`s allocates every key and every string, and a hash
//! table per object (`preserve_order`'s `IndexMap`); [`Tree`] keeps keys and strings as slices of
//! the page (copied only when the JSON text escapes them) and objects as plain vectors of
//! entries. It holds what `Value` would hold, with `Value`'s semantics where they show:
//! - a key given twice keeps its first position and its last value (as `preserve_order`'s
//!   `Map::insert`);
//! - numbers are `serde_json::Number`s parsed by the same parser, so they print the same;
//! - [`Tree::clean_pretty`] and [`Tree::clean_compact`] write exactly what
//!   `crate::sanitize::clean_json_pretty` and `clean_json(v).to_string()` write for the `Value`
//!   (strings cleaned as they are written; an object with a key that cleaning changes has its
//!   keys cleaned and merged first, as `clean_json` merges them).
//!
//! The contact reader (`super::wire`) is written once over [`JsonVal`]/[`JsonObj`], for
//! `Value`s and for trees alike; `tests/search_page_parse.rs` checks both give equal contacts
//! on the stand-in's pages and on hostile text.

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Map, Number, Value};

use crate::sanitize::{clean_cow, clean_json, clean_json_pretty, clean_line, is_clean};

/// A JSON value read from `'a` text (see the module doc).
#[derive(Debug, Clone, PartialEq)]
pub enum Tree<'a> {
    Null,
    Bool(bool),
    Number(Number),
    Str(Cow<'a, str>),
    Array(Vec<Tree<'a>>),
    Object(TreeObj<'a>),
}

/// The entries of a JSON object in the order they came, each key once (a repeated key keeps
/// its first position and takes the later value).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TreeObj<'a>(pub Vec<(Cow<'a, str>, Tree<'a>)>);

impl<'a> TreeObj<'a> {
    /// The value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&Tree<'a>> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    fn insert(&mut self, key: Cow<'a, str>, value: Tree<'a>) {
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key, value)),
        }
    }
}

impl Tree<'_> {
    /// The same value as a `serde_json::Value` (owned).
    pub fn to_value(&self) -> Value {
        match self {
            Tree::Null => Value::Null,
            Tree::Bool(b) => Value::Bool(*b),
            Tree::Number(n) => Value::Number(n.clone()),
            Tree::Str(s) => Value::String(s.clone().into_owned()),
            Tree::Array(a) => Value::Array(a.iter().map(Tree::to_value).collect()),
            Tree::Object(o) => Value::Object(
                o.0.iter()
                    .map(|(k, v)| (k.clone().into_owned(), v.to_value()))
                    .collect::<Map<String, Value>>(),
            ),
        }
    }

    /// `clean_json_pretty` of the same value (see the module doc).
    pub fn clean_pretty(&self) -> String {
        serde_json::to_string_pretty(&Cleaned(self)).unwrap_or_default()
    }

    /// `clean_json(v).to_string()` of the same value.
    pub fn clean_compact(&self) -> String {
        serde_json::to_string(&Cleaned(self)).unwrap_or_default()
    }
}

/// A JSON value as the contact reader sees it: `serde_json::Value` or [`Tree`].
pub trait JsonVal: Sized {
    /// Its object type.
    type Obj: JsonObj<V = Self>;
    /// The text of a string.
    fn as_str(&self) -> Option<&str>;
    /// A number.
    fn as_number(&self) -> Option<&Number>;
    /// A boolean.
    fn as_bool(&self) -> Option<bool>;
    /// The items of an array.
    fn as_array(&self) -> Option<&[Self]>;
    /// An object.
    fn as_object(&self) -> Option<&Self::Obj>;
    /// `clean_json_pretty` of it.
    fn clean_pretty(&self) -> String;
    /// `clean_json(v).to_string()` of it.
    fn clean_compact(&self) -> String;
}

/// A JSON object as the contact reader sees it.
pub trait JsonObj {
    /// Its values' type.
    type V: JsonVal<Obj = Self>;
    /// The value of `key`, if present.
    fn get(&self, key: &str) -> Option<&Self::V>;
    /// Its entries in order.
    fn entries(&self) -> impl Iterator<Item = (&str, &Self::V)>;
}

impl JsonVal for Value {
    type Obj = Map<String, Value>;
    fn as_str(&self) -> Option<&str> {
        Value::as_str(self)
    }
    fn as_number(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }
    fn as_bool(&self) -> Option<bool> {
        Value::as_bool(self)
    }
    fn as_array(&self) -> Option<&[Value]> {
        Value::as_array(self).map(Vec::as_slice)
    }
    fn as_object(&self) -> Option<&Map<String, Value>> {
        Value::as_object(self)
    }
    fn clean_pretty(&self) -> String {
        clean_json_pretty(self)
    }
    fn clean_compact(&self) -> String {
        clean_json(self).to_string()
    }
}

impl JsonObj for Map<String, Value> {
    type V = Value;
    fn get(&self, key: &str) -> Option<&Value> {
        Map::get(self, key)
    }
    fn entries(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.iter().map(|(k, v)| (k.as_str(), v))
    }
}

impl<'a> JsonVal for Tree<'a> {
    type Obj = TreeObj<'a>;
    fn as_str(&self) -> Option<&str> {
        match self {
            Tree::Str(s) => Some(s),
            _ => None,
        }
    }
    fn as_number(&self) -> Option<&Number> {
        match self {
            Tree::Number(n) => Some(n),
            _ => None,
        }
    }
    fn as_bool(&self) -> Option<bool> {
        match self {
            Tree::Bool(b) => Some(*b),
            _ => None,
        }
    }
    fn as_array(&self) -> Option<&[Tree<'a>]> {
        match self {
            Tree::Array(a) => Some(a),
            _ => None,
        }
    }
    fn as_object(&self) -> Option<&TreeObj<'a>> {
        match self {
            Tree::Object(o) => Some(o),
            _ => None,
        }
    }
    fn clean_pretty(&self) -> String {
        Tree::clean_pretty(self)
    }
    fn clean_compact(&self) -> String {
        Tree::clean_compact(self)
    }
}

impl<'a> JsonObj for TreeObj<'a> {
    type V = Tree<'a>;
    fn get(&self, key: &str) -> Option<&Tree<'a>> {
        TreeObj::get(self, key)
    }
    fn entries(&self) -> impl Iterator<Item = (&str, &Tree<'a>)> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v))
    }
}

/// A tree serialized with its strings cleaned, as `sanitize`'s `Cleaned` serializes a `Value`.
struct Cleaned<'t, 'a>(&'t Tree<'a>);

impl Serialize for Cleaned<'_, '_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Tree::Null => ser.serialize_unit(),
            Tree::Bool(b) => ser.serialize_bool(*b),
            Tree::Number(n) => n.serialize(ser),
            Tree::Str(t) => ser.serialize_str(&clean_cow(t, true)),
            Tree::Array(a) => {
                let mut seq = ser.serialize_seq(Some(a.len()))?;
                for v in a {
                    seq.serialize_element(&Cleaned(v))?;
                }
                seq.end()
            }
            Tree::Object(o) if o.0.iter().all(|(k, _)| is_clean(k, false)) => {
                let mut map = ser.serialize_map(Some(o.0.len()))?;
                for (k, v) in &o.0 {
                    map.serialize_entry(k.as_ref(), &Cleaned(v))?;
                }
                map.end()
            }
            Tree::Object(o) => {
                // Keys cleaned first; keys that clean alike merge as `clean_json` merges them.
                let mut merged: Vec<(String, &Tree<'_>)> = Vec::with_capacity(o.0.len());
                for (k, v) in &o.0 {
                    let k = clean_line(k);
                    match merged.iter_mut().find(|(m, _)| *m == k) {
                        Some(slot) => slot.1 = v,
                        None => merged.push((k, v)),
                    }
                }
                let mut map = ser.serialize_map(Some(merged.len()))?;
                for (k, v) in &merged {
                    map.serialize_entry(k, &Cleaned(v))?;
                }
                map.end()
            }
        }
    }
}

/// An object key, borrowed from the text when it has no escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

impl<'de> Deserialize<'de> for Tree<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TreeVisitor)
    }
}

struct TreeVisitor;

impl<'de> Visitor<'de> for TreeVisitor {
    type Value = Tree<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any valid JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Tree<'de>, E> {
        Ok(Tree::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Tree<'de>, E> {
        Ok(Tree::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Tree<'de>, E> {
        Ok(Tree::Number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Tree<'de>, E> {
        // As `Value` does: a float JSON cannot hold (never parsed from text) is null.
        Ok(Number::from_f64(v).map_or(Tree::Null, Tree::Number))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Tree<'de>, E> {
        Ok(Tree::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Tree<'de>, E> {
        Ok(Tree::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Tree<'de>, E> {
        Ok(Tree::Str(Cow::Owned(v)))
    }
    fn visit_none<E>(self) -> Result<Tree<'de>, E> {
        Ok(Tree::Null)
    }
    fn visit_unit<E>(self) -> Result<Tree<'de>, E> {
        Ok(Tree::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Tree<'de>, D::Error> {
        Deserialize::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Tree<'de>, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(v) = seq.next_element()? {
            out.push(v);
        }
        Ok(Tree::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Tree<'de>, A::Error> {
        let mut out = TreeObj(Vec::with_capacity(map.size_hint().unwrap_or(0)));
        while let Some(Key(k)) = map.next_key()? {
            let v = map.next_value()?;
            out.insert(k, v);
        }
        Ok(Tree::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both(text: &str) -> (Tree<'_>, Value) {
        (
            serde_json::from_str(text).unwrap(),
            serde_json::from_str(text).unwrap(),
        )
    }

    #[test]
    fn a_tree_holds_what_a_value_holds_and_cleans_alike() {
        for text in [
            r#"{"a":1,"b":[true,null,-2,3.5,1e300,18446744073709551615,-9223372036854775808],"a":"again"}"#,
            r#"{"k\u001b]0;x\u0007":"v","k":"w","\u202ek":{"x\r\ny":"\u0000z\tq\r\n"}}"#,
            r#"{"nested":{"deep":[{"x":"\ud83d\ude00 e\u0301"},[],{}]},"e":"","u":"\u05d9\u05e6\u05d7\u05e7"}"#,
            r#"[1,"two",{"3":[4]}]"#,
            r#""just a string""#,
            "null",
            r#"{"dup":{"a":1},"dup":{"b":2},"x":0.1,"y":100000000000000000000}"#,
        ] {
            let (t, v) = both(text);
            assert_eq!(t.to_value(), v, "{text}");
            assert_eq!(t.clean_pretty(), clean_json_pretty(&v), "{text}");
            assert_eq!(t.clean_compact(), clean_json(&v).to_string(), "{text}");
        }
    }

    #[test]
    fn strings_without_escapes_are_borrowed() {
        let text = r#"{"name":"Dana","esc":"a\"b"}"#;
        let t: Tree<'_> = serde_json::from_str(text).unwrap();
        let o = t.as_object().unwrap();
        assert!(matches!(&o.0[0].0, Cow::Borrowed("name")));
        assert!(matches!(
            o.get("name"),
            Some(Tree::Str(Cow::Borrowed("Dana")))
        ));
        assert!(matches!(o.get("esc"), Some(Tree::Str(Cow::Owned(s))) if s == "a\"b"));
    }

    proptest::proptest! {
        #[test]
        fn any_keys_and_strings_clean_alike(
            k in "\\PC{0,6}|[\\x00-\\x1f\\x7f-\\x9fa\u{301}]{0,4}",
            s in "\\PC*|[\\x00-\\x1f\\x7f-\\x9f\u{202a}-\u{202e}\u{301}a-z\n\t\r]*",
        ) {
            let v = serde_json::json!({ k.clone(): s.clone(), "a": [s.clone(), {"x": k}], "b": s });
            let text = v.to_string();
            let (t, v) = both(&text);
            proptest::prop_assert_eq!(t.clean_pretty(), clean_json_pretty(&v));
            proptest::prop_assert_eq!(t.clean_compact(), clean_json(&v).to_string());
        }
    }
}
