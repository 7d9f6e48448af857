//! Parsing a search query: words and structured filters.
//!
//! Syntax (the TUI filter line and `contacts --query` take the same text; the CLI flags
//! `--tag`, `--owner`, … are appended to it):
//!
//! * words, in any order, all of which must match (`כהן יצחק`, `dan lev`);
//!   a phone in any form (`054-2848828`, `+972 54 284 8828`, `00972…`) is one token;
//! * `tag:vip` — has that tag (case-insensitive, whole tag);
//! * `owner:dana` — owned by a user whose name contains `dana`, or by the user with that id;
//! * `updated:<2d`, `updated:>3w` (units `m` minutes, `h` hours, `d` days, `w` weeks:
//!   `<` newer than, `>` older than), `updated:2026-11-01`, `updated:>2026-11-01`,
//!   `updated:<=2026-11-01` (dates are Israel-time days);
//! * `source:facebook` — the source contains the text;
//! * `business:"Cohen Realty"` — the contact's business (by name from the cached businesses
//!   list, or by id);
//! * `has:phone|email|tags|owner|business`;
//! * `dnd:sms|email|call|whatsapp|gmb|fb|all|any` — that channel is blocked (or global DND),
//!   `all` = global DND, `any` = global DND or any channel.
//!
//! Values with spaces are quoted: `business:"Cohen Realty"`. Errors say what is valid.

use jiff::{civil::Date, Span, Timestamp, ToSpan};

use super::normalize::{digits, fold, is_phone_like, phone_e164};
use super::SearchContext;

/// A query that cannot be used, with the reason and what is valid; shown on the TUI filter
/// line and by the CLI (exit code 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("unknown filter {key}:{suggestion}; filters: tag: owner: updated: source: business: has: dnd:")]
    UnknownKey { key: String, suggestion: String },
    #[error("{key}: needs a value, e.g. {example}")]
    Empty {
        key: &'static str,
        example: &'static str,
    },
    #[error("{key}:{value}: {reason}")]
    BadValue {
        key: &'static str,
        value: String,
        reason: String,
    },
    #[error("unclosed quote in {0}")]
    Unclosed(String),
}

/// One query word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// As typed (for the exact id match).
    pub raw: String,
    /// Folded ([`fold`]).
    pub folded: String,
    /// For a phone-like word: its digits (`054-284` → `054284`).
    pub digits: Option<String>,
    /// Could be a GHL id (15+ ASCII letters and digits): only then is it compared with ids.
    pub id_like: bool,
}

/// Bit of a DND channel in [`crate::domain::ContactRow::dnd_channels`].
pub mod dnd_bit {
    pub const CALL: u8 = 1;
    pub const EMAIL: u8 = 2;
    pub const SMS: u8 = 4;
    pub const WHATSAPP: u8 = 8;
    pub const GMB: u8 = 16;
    pub const FB: u8 = 32;
    /// GHL's channel names (`dndSettings` keys) and their bits.
    pub const CHANNELS: [(&str, u8); 6] = [
        ("call", CALL),
        ("email", EMAIL),
        ("sms", SMS),
        ("whatsapp", WHATSAPP),
        ("gmb", GMB),
        ("fb", FB),
    ];
    /// The bit of a channel name (case-insensitive), 0 when unknown.
    pub fn of(channel: &str) -> u8 {
        let c = channel.to_ascii_lowercase();
        CHANNELS
            .iter()
            .find(|(n, _)| *n == c)
            .map_or(0, |(_, b)| *b)
    }
}

/// Which field `has:` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HasField {
    Phone,
    Email,
    Tags,
    Owner,
    Business,
}

/// What `dnd:` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dnd {
    /// Global DND.
    All,
    /// Global DND or any channel.
    Any,
    /// This channel (bit of [`dnd_bit`]) or global DND.
    Channel(u8),
}

/// A structured filter, resolved against the context (names → ids, dates → instants).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    /// Folded tag, matched against whole folded tags.
    Tag(String),
    /// Any of these user ids.
    Owner(Vec<String>),
    /// `dateUpdated` in `[from, to)`, both RFC 3339 UTC with milliseconds (text-comparable
    /// with GHL's `dateUpdated`).
    Updated {
        from: Option<String>,
        to: Option<String>,
    },
    /// Folded text the source contains.
    Source(String),
    /// Any of these business ids.
    Business(Vec<String>),
    Has(HasField),
    Dnd(Dnd),
}

/// A parsed query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    pub words: Vec<Word>,
    pub filters: Vec<Filter>,
    /// The E.164 form when the words are one phone number.
    pub phone: Option<String>,
    /// Number of folded words in all query words (for the whole-name test).
    pub name_words: usize,
}

impl Query {
    /// No words and no filters: everything matches.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.filters.is_empty()
    }
}

const KEYS: [&str; 7] = [
    "tag", "owner", "updated", "source", "business", "has", "dnd",
];

/// Splits into tokens on whitespace, keeping quoted runs together (quotes removed).
fn tokens(q: &str) -> Result<Vec<String>, QueryError> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut had = false;
    for c in q.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                had = true;
            }
            c if c.is_whitespace() && !quoted => {
                if had || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                had = false;
            }
            c => cur.push(c),
        }
    }
    if quoted {
        return Err(QueryError::Unclosed(q.trim().to_owned()));
    }
    if had || !cur.is_empty() {
        out.push(cur);
    }
    Ok(out)
}

/// Parses `q` (see the module doc) against `ctx`.
pub fn parse(q: &str, ctx: &SearchContext) -> Result<Query, QueryError> {
    let q = crate::sanitize::clean_line(q);
    let q = q.trim();
    let mut query = Query::default();
    if q.is_empty() {
        return Ok(query);
    }
    // A whole query that is one phone number, spaces included.
    if is_phone_like(q) {
        query.phone = phone_e164(q);
        query.words.push(Word {
            raw: q.to_owned(),
            folded: fold(q),
            digits: Some(digits(q)),
            id_like: false,
        });
        return Ok(query);
    }
    for t in tokens(q)? {
        if let Some((key, value)) = split_key(&t) {
            query.filters.push(filter(&key, value, ctx)?);
            continue;
        }
        if t.is_empty() {
            continue;
        }
        let digits = is_phone_like(&t).then(|| digits(&t));
        if digits.is_some() && query.words.is_empty() {
            query.phone = phone_e164(&t);
        } else {
            query.phone = None;
        }
        query.words.push(Word {
            folded: fold(&t),
            id_like: looks_like_id(&t),
            raw: t,
            digits,
        });
    }
    if query.words.len() != 1 {
        query.phone = None;
    }
    query.name_words = query
        .words
        .iter()
        .map(|w| super::normalize::words(&w.folded).count())
        .sum();
    Ok(query)
}

/// `key:value` when the token starts with ASCII letters and a colon.
fn split_key(t: &str) -> Option<(String, &str)> {
    let (k, v) = t.split_once(':')?;
    (!k.is_empty() && k.chars().all(|c| c.is_ascii_alphabetic()))
        .then(|| (k.to_ascii_lowercase(), v))
}

/// The closest of `valid` to `got` (edit distance ≤ 2, or a prefix), for "did you mean".
pub fn did_you_mean<'a>(got: &str, valid: &[&'a str]) -> Option<&'a str> {
    let got = got.to_ascii_lowercase();
    valid
        .iter()
        .map(|v| (edit_distance(&got, v), *v))
        .filter(|(d, v)| *d <= 2 || v.starts_with(&got) || got.starts_with(v))
        .min_by_key(|(d, _)| *d)
        .map(|(_, v)| v)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

fn bad(key: &'static str, value: &str, reason: impl Into<String>) -> QueryError {
    QueryError::BadValue {
        key,
        value: value.to_owned(),
        reason: reason.into(),
    }
}

fn one_of<T: Copy>(
    key: &'static str,
    value: &str,
    options: &[(&'static str, T)],
) -> Result<T, QueryError> {
    let v = value.to_ascii_lowercase();
    if let Some((_, t)) = options.iter().find(|(n, _)| *n == v) {
        return Ok(*t);
    }
    let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
    let hint = did_you_mean(&v, &names)
        .map(|s| format!("did you mean {key}:{s}? "))
        .unwrap_or_default();
    Err(bad(
        key,
        value,
        format!("{hint}valid: {}", names.join(", ")),
    ))
}

fn filter(key: &str, value: &str, ctx: &SearchContext) -> Result<Filter, QueryError> {
    let value = value.trim();
    let Some(&k) = KEYS.iter().find(|k| **k == key) else {
        let suggestion = did_you_mean(key, &KEYS)
            .map(|s| format!(", did you mean {s}:?"))
            .unwrap_or_default();
        return Err(QueryError::UnknownKey {
            key: key.to_owned(),
            suggestion,
        });
    };
    let example = match k {
        "tag" => "tag:vip",
        "owner" => "owner:dana",
        "updated" => "updated:<2d",
        "source" => "source:facebook",
        "business" => "business:\"Cohen Realty\"",
        "has" => "has:phone",
        _ => "dnd:sms",
    };
    if value.is_empty() {
        return Err(QueryError::Empty { key: k, example });
    }
    Ok(match k {
        "tag" => Filter::Tag(fold(value)),
        "source" => Filter::Source(fold(value)),
        "owner" => {
            let found: Vec<String> = ctx
                .users
                .find(value)
                .into_iter()
                .map(|u| u.id.clone())
                .collect();
            if !found.is_empty() {
                Filter::Owner(found)
            } else if looks_like_id(value) {
                Filter::Owner(vec![value.to_owned()])
            } else {
                let names: Vec<&str> = ctx.users.users().iter().map(|u| u.name.as_str()).collect();
                return Err(bad(
                    "owner",
                    value,
                    if names.is_empty() {
                        "no user list is cached (sync first), so only a user id works".to_owned()
                    } else {
                        format!("no user matches; users: {}", list_some(&names))
                    },
                ));
            }
        }
        "business" => {
            let f = fold(value);
            let mut ids: Vec<String> = ctx
                .businesses
                .iter()
                .filter(|b| fold(&b.name) == f || b.id == value)
                .map(|b| b.id.clone())
                .collect();
            if ids.is_empty() {
                ids = ctx
                    .businesses
                    .iter()
                    .filter(|b| fold(&b.name).contains(&f))
                    .map(|b| b.id.clone())
                    .collect();
            }
            if ids.is_empty() {
                if looks_like_id(value) {
                    ids.push(value.to_owned());
                } else {
                    let names: Vec<&str> = ctx.businesses.iter().map(|b| b.name.as_str()).collect();
                    return Err(bad(
                        "business",
                        value,
                        if names.is_empty() {
                            "no businesses list is cached (the TUI fetches it when online), so only a business id works"
                                .to_owned()
                        } else {
                            format!("no business matches; businesses: {}", list_some(&names))
                        },
                    ));
                }
            }
            Filter::Business(ids)
        }
        "has" => Filter::Has(one_of(
            "has",
            value,
            &[
                ("phone", HasField::Phone),
                ("email", HasField::Email),
                ("tags", HasField::Tags),
                ("owner", HasField::Owner),
                ("business", HasField::Business),
            ],
        )?),
        "dnd" => Filter::Dnd(one_of(
            "dnd",
            value,
            &[
                ("sms", Dnd::Channel(dnd_bit::SMS)),
                ("email", Dnd::Channel(dnd_bit::EMAIL)),
                ("call", Dnd::Channel(dnd_bit::CALL)),
                ("whatsapp", Dnd::Channel(dnd_bit::WHATSAPP)),
                ("gmb", Dnd::Channel(dnd_bit::GMB)),
                ("fb", Dnd::Channel(dnd_bit::FB)),
                ("all", Dnd::All),
                ("any", Dnd::Any),
            ],
        )?),
        _ => updated(value, ctx.now())?,
    })
}

/// GHL ids: 15+ ASCII alphanumerics, no spaces.
fn looks_like_id(v: &str) -> bool {
    v.len() >= 15 && v.chars().all(|c| c.is_ascii_alphanumeric())
}

fn list_some(names: &[&str]) -> String {
    let mut s = names.iter().take(6).copied().collect::<Vec<_>>().join(", ");
    if names.len() > 6 {
        s.push_str(&format!(", … ({} in all)", names.len()));
    }
    s
}

const UPDATED_HELP: &str =
    "use <2d, >3w (units m h d w), 2026-11-01, >2026-11-01, <=2026-11-01 (Israel-time days)";

fn updated(value: &str, now: Timestamp) -> Result<Filter, QueryError> {
    let (op, rest) = ["<=", ">=", "<", ">", "="]
        .iter()
        .find_map(|op| value.strip_prefix(op).map(|r| (*op, r.trim())))
        .unwrap_or(("=", value));
    let iso = |t: Timestamp| crate::clock::iso_utc(t);
    // Relative: N followed by a unit.
    if let Some(unit) = rest.chars().last().filter(|c| c.is_ascii_alphabetic()) {
        let n: i64 = rest[..rest.len() - 1]
            .parse()
            .map_err(|_| bad("updated", value, UPDATED_HELP))?;
        let span: Span = match unit {
            'm' => n.minutes(),
            'h' => n.hours(),
            'd' => n.saturating_mul(24).hours(),
            'w' => n.saturating_mul(24 * 7).hours(),
            _ => {
                return Err(bad(
                    "updated",
                    value,
                    format!("unknown unit {unit}; {UPDATED_HELP}"),
                ))
            }
        };
        let at = now
            .checked_sub(span)
            .map_err(|e| bad("updated", value, e.to_string()))?;
        return Ok(match op {
            "<" | "<=" => Filter::Updated {
                from: Some(iso(at)),
                to: None,
            },
            ">" | ">=" => Filter::Updated {
                from: None,
                to: Some(iso(at)),
            },
            _ => {
                return Err(bad(
                    "updated",
                    value,
                    format!("a duration needs < or >; {UPDATED_HELP}"),
                ))
            }
        });
    }
    let date: Date = rest
        .parse()
        .map_err(|_| bad("updated", value, UPDATED_HELP))?;
    let start = |d: Date| {
        d.to_zoned(crate::clock::israel().clone())
            .map(|z| iso(z.timestamp()))
            .map_err(|e| bad("updated", value, e.to_string()))
    };
    let next = date
        .tomorrow()
        .map_err(|e| bad("updated", value, e.to_string()))?;
    let (from, to) = match op {
        "<" => (None, Some(start(date)?)),
        "<=" => (None, Some(start(next)?)),
        ">" => (Some(start(next)?), None),
        ">=" => (Some(start(date)?), None),
        _ => (Some(start(date)?), Some(start(next)?)),
    };
    Ok(Filter::Updated { from, to })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Named;

    fn ctx() -> SearchContext {
        SearchContext {
            users: crate::domain::UserDirectory::new(&[Named {
                id: "user0000000000000001".into(),
                name: "Dana Levi".into(),
            }]),
            businesses: vec![Named {
                id: "biz00000000000000001".into(),
                name: "Cohen Realty".into(),
            }],
            now: Some("2026-12-04T10:00:00Z".parse().unwrap()),
        }
    }

    #[test]
    fn words_filters_and_quotes() {
        let q = parse("כהן  tag:VIP business:\"cohen realty\" Itzik", &ctx()).unwrap();
        assert_eq!(
            q.words
                .iter()
                .map(|w| w.folded.as_str())
                .collect::<Vec<_>>(),
            ["כהנ", "itzik"]
        );
        assert_eq!(
            q.filters,
            [
                Filter::Tag("vip".into()),
                Filter::Business(vec!["biz00000000000000001".into()])
            ]
        );
        let q = parse("owner:dana", &ctx()).unwrap();
        assert_eq!(
            q.filters,
            [Filter::Owner(vec!["user0000000000000001".into()])]
        );
        let q = parse("+972 54 284 8828", &ctx()).unwrap();
        assert_eq!(q.phone.as_deref(), Some("+972542848828"));
    }

    #[test]
    fn updated_relative_and_israel_dates() {
        let q = parse("updated:<2d", &ctx()).unwrap();
        assert_eq!(
            q.filters,
            [Filter::Updated {
                from: Some("2026-12-02T10:00:00.000Z".into()),
                to: None
            }]
        );
        // Israel is UTC+2 in November: the day starts at 22:00 UTC the day before.
        let q = parse("updated:>2026-11-01", &ctx()).unwrap();
        assert_eq!(
            q.filters,
            [Filter::Updated {
                from: Some("2026-11-01T22:00:00.000Z".into()),
                to: None
            }]
        );
    }

    #[test]
    fn errors_say_what_is_valid() {
        let e = parse("tga:vip", &ctx()).unwrap_err().to_string();
        assert!(e.contains("did you mean tag:"), "{e}");
        let e = parse("has:phon", &ctx()).unwrap_err().to_string();
        assert!(e.contains("did you mean has:phone"), "{e}");
        let e = parse("updated:<2y", &ctx()).unwrap_err().to_string();
        assert!(e.contains("unknown unit y"), "{e}");
        let e = parse("updated:yesterday", &ctx()).unwrap_err().to_string();
        assert!(e.contains("2026-11-01"), "{e}");
        let e = parse("owner:nobody", &ctx()).unwrap_err().to_string();
        assert!(e.contains("Dana Levi"), "{e}");
        assert!(matches!(
            parse("tag:", &ctx()),
            Err(QueryError::Empty { .. })
        ));
        assert!(matches!(
            parse("business:\"Cohen", &ctx()),
            Err(QueryError::Unclosed(_))
        ));
    }
}
