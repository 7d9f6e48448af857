//! Matching and ranking one contact against a parsed [`Query`].
//!
//! Tiers, best first (within a tier the list keeps its active sort):
//!
//! 0. exact: the id, the E.164 phone, the whole email, or the whole name (words in any order);
//!    also every contact of a query made of filters only;
//! 1. word prefix: every query word starts a word of the name, email or tags, or (for a
//!    phone-like word) its digits appear in the phone (E.164 digits or the domestic `0…` form);
//! 2. substring: every word at least appears inside some field;
//! 3. fuzzy: a word of 3+ characters is found in ONE word of the contact, starting at that
//!    word's first letter, with at most [`FUZZY_SKIPS`] letters of the contact word skipped
//!    (`dan` finds `Dayan`, not `David`; `anthony` never finds `Thomas Jackson`).
//!
//! The "loose" test ([`Level::Loose`]) is what narrowing keeps between keystrokes: it holds
//! for every contact that matches, and whenever it holds for a query extended by more typing,
//! it held for the shorter query (substring and skip-limited subsequence are both monotone).

use crate::domain::ContactRow;

use super::normalize::{fold, is_separator, phone_haystack, words};
use super::query::{Dnd, Filter, HasField, Query, Word};

/// Letters of a contact word a fuzzy match may skip.
pub const FUZZY_SKIPS: u8 = 2;
/// Shortest query word matched fuzzily.
pub const FUZZY_MIN_CHARS: usize = 3;

/// Separator between fields in [`Prepared::text`]: not alphanumeric, never typed.
const SEP: char = '\u{1}';

/// A contact's folded text, computed once per list (not per keystroke).
#[derive(Debug, Clone, Default)]
pub struct Prepared {
    /// `name SEP email SEP tag1 SEP tag2 …`, folded.
    text: Box<str>,
    /// Byte end of the name in `text`.
    name_end: u32,
    /// Byte end of the email in `text`.
    email_end: u32,
    /// Number of words of the name (saturating), to skip the whole-name test cheaply.
    name_words: u8,
    /// [`phone_haystack`] of the phone.
    phone: Box<str>,
    /// Folded source.
    source: Box<str>,
}

impl Prepared {
    /// Folds the searchable fields of `row`.
    pub fn new(row: &ContactRow) -> Prepared {
        let mut text = fold(&row.name);
        let name_end = text.len() as u32;
        text.push(SEP);
        text.push_str(&fold(&row.email));
        let email_end = text.len() as u32;
        for t in &row.tags {
            text.push(SEP);
            text.push_str(&fold(t));
        }
        let name_words = words(&text[..name_end as usize]).count().min(255) as u8;
        Prepared {
            text: text.into(),
            name_end,
            email_end,
            name_words,
            phone: phone_haystack(&row.phone).into(),
            source: fold(&row.source).into(),
        }
    }

    fn name(&self) -> &str {
        &self.text[..self.name_end as usize]
    }

    fn email(&self) -> &str {
        &self.text[self.name_end as usize + 1..self.email_end as usize]
    }

    fn tags(&self) -> impl Iterator<Item = &str> {
        self.text[self.email_end as usize..]
            .split(SEP)
            .filter(|t| !t.is_empty())
    }
}

/// How one word (or a whole contact) matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Exact = 0,
    Prefix = 1,
    Substring = 2,
    Fuzzy = 3,
    /// Not a match, but kept for narrowing (see the module doc).
    Loose = 4,
}

/// The tier of `row` for `q` (`None`: no match and not loose). `loose` asks for the
/// narrowing level too (costs a fuzzy test of short words).
pub fn level(row: &ContactRow, p: &Prepared, q: &Query, loose: bool) -> Option<Level> {
    if !q.filters.iter().all(|f| filter_ok(row, p, f)) {
        return None;
    }
    if q.words.is_empty() {
        return Some(Level::Exact);
    }
    // The row itself (ids, phones) is read only when the query could equal one: most rows
    // are tested on their folded text alone.
    if q.words.len() == 1 {
        let w = &q.words[0];
        if (w.id_like && w.raw == row.id)
            || (q.phone.is_some() && q.phone.as_deref() == Some(row.phone.as_str()))
            || (w.folded.contains('@') && w.folded == p.email())
        {
            return Some(Level::Exact);
        }
    }
    let mut worst = Level::Exact;
    for w in &q.words {
        let l = word_level(p, w, loose)?;
        worst = worst.max(l);
    }
    if worst == Level::Prefix
        && usize::from(p.name_words) == q.name_words
        && name_is_query(p.name(), &q.words)
    {
        return Some(Level::Exact);
    }
    Some(worst)
}

/// The whole name, words in any order.
fn name_is_query(name: &str, q: &[Word]) -> bool {
    let mut a: Vec<&str> = words(name).collect();
    let mut b: Vec<&str> = q.iter().flat_map(|w| words(&w.folded)).collect();
    if a.len() != b.len() {
        return false;
    }
    a.sort_unstable();
    b.sort_unstable();
    a == b
}

fn word_level(p: &Prepared, w: &Word, loose: bool) -> Option<Level> {
    if let Some(d) = &w.digits {
        if !p.phone.is_empty() && !d.is_empty() && p.phone.contains(d.as_str()) {
            return Some(Level::Prefix);
        }
    }
    let f = w.folded.as_str();
    if f.is_empty() {
        return Some(Level::Prefix);
    }
    let t = &*p.text;
    let mut chars = f.chars();
    let one = chars.next().filter(|_| chars.next().is_none());
    let at_word = |i: usize| t[..i].chars().next_back().is_none_or(is_separator);
    let sub = match one {
        // One character: the char searcher (memchr) is much faster than a string searcher.
        Some(c) => {
            let mut any = false;
            for (i, _) in t.match_indices(c) {
                if at_word(i) {
                    return Some(Level::Prefix);
                }
                any = true;
            }
            any
        }
        None => {
            let mut any = false;
            for (i, _) in t.match_indices(f) {
                if at_word(i) {
                    return Some(Level::Prefix);
                }
                any = true;
            }
            any
        }
    };
    if sub {
        return Some(Level::Substring);
    }
    // A one-letter fuzzy match is a word starting with it, found above.
    if one.is_some() {
        return None;
    }
    let long = f.chars().nth(FUZZY_MIN_CHARS - 1).is_some();
    if (long || loose) && fuzzy(t, f) {
        return Some(if long { Level::Fuzzy } else { Level::Loose });
    }
    None
}

/// `f` found in one word of `t` from its first letter, skipping at most [`FUZZY_SKIPS`].
fn fuzzy(t: &str, f: &str) -> bool {
    let mut fc = f.chars();
    let Some(first) = fc.next() else {
        return true;
    };
    let rest = fc.as_str();
    let mut prev_sep = true;
    for (i, c) in t.char_indices() {
        if prev_sep && c == first && in_word(&t[i + c.len_utf8()..], rest) {
            return true;
        }
        prev_sep = is_separator(c);
    }
    false
}

fn in_word(word_rest: &str, need: &str) -> bool {
    let mut need = need.chars().peekable();
    let mut skips = 0;
    for c in word_rest.chars() {
        let Some(&n) = need.peek() else {
            return true;
        };
        if is_separator(c) {
            return false;
        }
        if c == n {
            need.next();
        } else {
            skips += 1;
            if skips > FUZZY_SKIPS {
                return false;
            }
        }
    }
    need.peek().is_none()
}

fn filter_ok(row: &ContactRow, p: &Prepared, f: &Filter) -> bool {
    match f {
        Filter::Tag(t) => p.tags().any(|x| x == t),
        Filter::Owner(ids) => ids.contains(&row.owner),
        Filter::Updated { from, to } => {
            !row.date_updated.is_empty()
                && from.as_ref().is_none_or(|f| row.date_updated >= *f)
                && to.as_ref().is_none_or(|t| row.date_updated < *t)
        }
        Filter::Source(s) => !p.source.is_empty() && p.source.contains(s.as_str()),
        Filter::Business(ids) => ids.contains(&row.business_id),
        Filter::Has(h) => match h {
            HasField::Phone => !row.phone.is_empty(),
            HasField::Email => !row.email.is_empty(),
            HasField::Tags => !row.tags.is_empty(),
            HasField::Owner => !row.owner.is_empty(),
            HasField::Business => !row.business_id.is_empty(),
        },
        Filter::Dnd(d) => match d {
            Dnd::All => row.dnd,
            Dnd::Any => row.dnd || row.dnd_channels != 0,
            Dnd::Channel(b) => row.dnd || row.dnd_channels & b != 0,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuzzy_is_per_word_and_skip_limited() {
        assert!(fuzzy("dayan", "dan"));
        assert!(!fuzzy("david johnson", "dan"));
        assert!(!fuzzy("thomas jackson", "anthony"));
        assert!(fuzzy("x\u{1}anthonny", "anthony"));
        assert!(!fuzzy("jordan", "dan"), "not from a word's first letter");
    }
}
