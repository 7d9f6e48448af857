//! Answering a query from the search index ([`TokenIndex`]) instead of a scan of every row.
//!
//! The index gives, per query word, sets of rows that *can* match (candidates: every row that
//! matches is in them, some that are in them may not match); the rows of those sets are then
//! tested by the scan's own code ([`Index::level_at`], [`Index::scan`]). So the results and
//! their order are those of the full scan by construction; what the index must get right is
//! only never to leave out a row that matches (tested against the scan on generated data in
//! `tests/search_index.rs`). For each folded query word `f`:
//!
//! * no separator in `f`: word-prefix tier ⊆ rows with a word starting with `f` (a dictionary
//!   range); substring ⊆ rows with a word containing `f` (a search of the unique words);
//!   fuzzy (3+ letters) ⊆ rows with a word that starts with `f`'s first letter and holds the
//!   rest within [`super::rank::FUZZY_SKIPS`] skips (tested on the unique words);
//! * separators in `f` (`dana.levi@x`, `o'brien`, a phone with dashes): a match inside the
//!   whole field text holds `f`'s longest word inside one word, so rows with a word containing
//!   it; `f` without any word, or starting with a separator (a fuzzy match may then start on
//!   the separator), cannot be narrowed: every row is a candidate;
//! * a phone-like word also matches the phone: rows whose phone holds its digits;
//! * exact tier ⊆ rows holding every word of the query as a whole word (a whole name or a whole
//!   email is made of them), plus for a one-word query the rows whose id equals it (a pass
//!   over the ids, only for id-like words) or whose phone equals its E.164 form;
//! * `tag:` filters: rows holding each word of the tag. Other filters are tested on the
//!   candidates by the scan code.
//!
//! [`Plan::first_screen`] takes the tiers in order and each tier's candidates in list order
//! (the sets are bitmaps of ranks) and stops after `limit` rows: the first screenful without
//! testing every candidate. [`Plan::full`] tests every candidate (split across threads as the
//! scan is) for the exact list and count.

use super::bits::{self, Bits, Cands};
use super::normalize::{digits, is_separator, words};
use super::query::{Filter, Query, Word};
use super::rank::{in_word, FUZZY_MIN_CHARS};
use super::{Index, Level, Probe, TokenIndex};

/// The first ranked rows of a query, and whether they are all of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Screen {
    /// Row indices (into the rows of the [`Index`]), best tier first, list order within a
    /// tier: the start of what [`Plan::full`] gives.
    pub rows: Vec<u32>,
    /// True when `rows` is every match (then it equals [`Plan::full`]).
    pub complete: bool,
}

/// One query over one list's [`Index`] and [`TokenIndex`] (see the module doc). Candidate
/// sets are computed when first asked for.
pub struct Plan<'a> {
    index: &'a Index,
    tix: &'a TokenIndex,
    q: &'a Query,
    filter: Cands,
    exact: Option<Cands>,
    top: Option<Cands>,
    all: Option<Cands>,
}

impl<'a> Plan<'a> {
    /// A plan for `q`; `tix` must be the index of `index`'s list (same rows, same order).
    pub fn new(index: &'a Index, tix: &'a TokenIndex, q: &'a Query) -> Plan<'a> {
        debug_assert_eq!(index.len(), tix.len(), "the token index is of this list");
        let mut filter: Cands = None;
        for f in &q.filters {
            if let Filter::Tag(t) = f {
                for w in words(t) {
                    filter = bits::and(filter, Some(tix.word_rows(w)));
                }
            }
        }
        Plan {
            index,
            tix,
            q,
            filter,
            exact: None,
            top: None,
            all: None,
        }
    }

    /// Candidates of the exact tier.
    fn exact(&mut self) -> &Cands {
        if self.exact.is_none() {
            let mut by_words: Cands = None;
            for w in &self.q.words {
                for piece in words(&w.folded) {
                    by_words = bits::and(by_words, Some(self.tix.word_rows(piece)));
                }
            }
            let mut special = Bits::new(self.tix.len());
            if let [w] = self.q.words.as_slice() {
                if w.id_like {
                    for r in 0..self.index.len() as u32 {
                        if self.index.rows.id(self.index.row_at(r) as usize) == w.raw {
                            special.set(r);
                        }
                    }
                }
                if let Some(p) = &self.q.phone {
                    special.or(&self.index.phone_rows(&digits(p)));
                }
            }
            let c = bits::or(by_words, Some(special));
            self.exact = Some(bits::and(c, self.filter.clone()));
        }
        self.exact.as_ref().expect("just set")
    }

    /// The filter's candidates narrowed by every query word (`loose`: as the substring and
    /// fuzzy tiers find it, else as a word prefix).
    fn every_word(&mut self, loose: bool) -> Cands {
        let mut c = self.filter.clone();
        for w in &self.q.words {
            c = bits::and(c, self.word(w, loose));
        }
        c
    }

    /// Candidates of the word-prefix tier (and of the whole-name exact tier).
    fn top(&mut self) -> &Cands {
        if self.top.is_none() {
            self.top = Some(self.every_word(false));
        }
        self.top.as_ref().expect("just set")
    }

    /// Candidates of every tier but the exact one's special cases.
    fn all(&mut self) -> &Cands {
        if self.all.is_none() {
            self.all = Some(self.every_word(true));
        }
        self.all.as_ref().expect("just set")
    }

    /// Rows where `w` can match at the prefix tier or better (`any` false), or at all.
    fn word(&self, w: &Word, any: bool) -> Cands {
        let f = w.folded.as_str();
        if f.is_empty() {
            return None;
        }
        let tix = self.tix;
        let text: Cands = if !f.chars().any(is_separator) {
            if !any {
                Some(tix.prefix_rows(f))
            } else {
                let mut b = tix.substring_rows(f);
                if f.chars().nth(FUZZY_MIN_CHARS - 1).is_some() {
                    let first = f.chars().next().map_or(0, char::len_utf8);
                    let (head, rest) = f.split_at(first);
                    b.or(&tix.rows_where(head, |t| in_word(&t[first..], rest)));
                }
                Some(b)
            }
        } else {
            let longest = words(f).max_by_key(|p| p.len());
            let starts_apart = f.chars().next().is_some_and(is_separator);
            match longest {
                Some(p) if !(any && starts_apart) => Some(tix.substring_rows(p)),
                _ => None,
            }
        };
        match w.digits.as_deref() {
            Some(d) if !d.is_empty() => bits::or(text, Some(self.index.phone_rows(d))),
            _ => text,
        }
    }

    /// Every row that can match: the union of the tiers' candidates.
    pub fn candidates(&mut self) -> Cands {
        let e = self.exact().clone();
        let t = self.top().clone();
        let a = self.all().clone();
        bits::or(bits::or(e, t), a)
    }

    /// Number of candidates of the exact and word-prefix tiers: cheaper than
    /// [`Plan::candidate_count`] (no substring or fuzzy search of the dictionary), and a
    /// lower bound of it.
    pub fn top_count(&mut self) -> usize {
        let n = self.index.len();
        let e = self.exact().as_ref().map_or(n, Bits::count);
        let t = self.top().as_ref().map_or(n, Bits::count);
        e.max(t)
    }

    /// Number of candidates ([`Index::len`] when the index cannot narrow the query).
    pub fn candidate_count(&mut self) -> usize {
        self.candidates().map_or(self.index.len(), |b| b.count())
    }

    /// The first `limit` ranked matches (see [`Screen`]); stops as soon as they are known.
    pub fn first_screen(&mut self, limit: usize) -> Screen {
        let probe = Probe::new(self.q);
        let index = self.index;
        let n = index.len() as u32;
        let mut out: Vec<u32> = Vec::new();
        let partial = |out: Vec<u32>| Screen {
            rows: out.into_iter().map(|r| index.row_at(r)).collect(),
            complete: false,
        };
        // One tier: the candidates of `set` in list order at `level`.
        let each = |set: &Cands, f: &mut dyn FnMut(u32) -> bool| match set {
            None => (0..n).all(f),
            Some(b) => b.iter().all(f),
        };
        // The candidates of `set` matching at `level`, appended to `out`; true when `out` was
        // full before the tier ended.
        let tier = |set: &Cands, level: Level, out: &mut Vec<u32>| {
            let mut full = false;
            each(set, &mut |r| {
                if index.level_at(&probe, r) == Some(level) {
                    if out.len() == limit {
                        full = true;
                        return false;
                    }
                    out.push(r);
                }
                true
            });
            full
        };
        let mut full = false;
        let exact = self.exact().clone();
        if tier(&exact, Level::Exact, &mut out) {
            return partial(out);
        }
        if !self.q.words.is_empty() {
            let top = self.top().clone();
            if tier(&top, Level::Prefix, &mut out) {
                return partial(out);
            }
            // Substrings in order; fuzzy matches kept aside until every substring is known.
            let all = self.all().clone();
            let mut fuzzy = Vec::new();
            let mut fuzzy_cut = false;
            each(&all, &mut |r| {
                match index.level_at(&probe, r) {
                    Some(Level::Substring) => {
                        if out.len() == limit {
                            full = true;
                            return false;
                        }
                        out.push(r);
                    }
                    Some(Level::Fuzzy) => {
                        if out.len() + fuzzy.len() < limit {
                            fuzzy.push(r);
                        } else {
                            fuzzy_cut = true;
                        }
                    }
                    _ => {}
                }
                true
            });
            if full {
                return partial(out);
            }
            let room = limit - out.len();
            fuzzy_cut |= fuzzy.len() > room;
            fuzzy.truncate(room);
            out.extend(fuzzy);
            if fuzzy_cut {
                return partial(out);
            }
        }
        Screen {
            rows: out.into_iter().map(|r| index.row_at(r)).collect(),
            complete: true,
        }
    }

    /// Every match, ranked: the same as the full scan ([`Index::scan`] over every row).
    pub fn full(&mut self) -> Vec<u32> {
        self.full_until(&|| false).unwrap_or_default()
    }

    /// [`Plan::full`] that gives up (`None`) when `stop` says so (see [`Index::scan_until`]).
    pub fn full_until(&mut self, stop: &(dyn Fn() -> bool + Sync)) -> Option<Vec<u32>> {
        let hits = match self.candidates() {
            None => self.index.scan_until(self.q, None, false, stop)?.hits,
            Some(b) => {
                let ranks: Vec<u32> = b.iter().collect();
                self.index
                    .scan_until(self.q, Some(&ranks), false, stop)?
                    .hits
            }
        };
        Some(self.index.ranked(hits))
    }
}
