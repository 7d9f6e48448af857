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

use memchr::memmem::Finder;

use crate::domain::{RowList, RowRef, SearchFields};

use super::bits::Bits;

use super::normalize::{digits, fold, is_folded, is_separator, words};
use super::query::{Dnd, Filter, HasField, Query, Word};

/// Letters of a contact word a fuzzy match may skip.
pub const FUZZY_SKIPS: u8 = 2;
/// Shortest query word matched fuzzily.
pub const FUZZY_MIN_CHARS: usize = 3;

/// Separator between fields in a row's text: not alphanumeric, never typed.
const SEP: char = '\u{1}';

/// Where one row's fields are in [`Folded::buf`] and [`Folded::phones`]: its start (a byte
/// offset), the ends of its fields as offsets from the start, and where its phone starts. 24
/// bytes a row (issue #14: 24 with `u32` ends, 8 MB more at 1M contacts); a row whose text
/// ends [`LONG`] bytes or more past its start has `text == LONG` and its ends in
/// [`Folded::long`].
///
/// An email that folds to itself (most: [`is_folded`]) is not copied: `email_at` is where it
/// starts in the list's text ([`RowList::arena`]), `email_len` its length, and the folded
/// text holds an empty email between the name and the tags (issue #14: 26 MB less at 1M
/// generated contacts). Likewise a row of a list has its tags and source folded once per
/// profile ([`ProfileTexts`], `profile`), not per row (14 MB less at 1M generated contacts).
#[derive(Debug, Clone, Copy)]
struct Spans {
    /// Start of `name SEP email SEP tag1 SEP tag2 …` in [`Folded::buf`].
    start: u32,
    /// Start of the phone's digits in [`Folded::phones`] (it ends one byte before the next
    /// row's phone starts, at its `\n`).
    phone: u32,
    name: u16,
    email: u16,
    /// End of the text; the source follows, up to the next row's `start`.
    text: u16,
    /// Number of words of the name (saturating), to skip the whole-name test cheaply.
    name_words: u8,
    /// Length of the email in the list's text (when `email_at` is not [`IN_BUF`]).
    email_len: u8,
    /// Start of the email in the list's text, or [`IN_BUF`]: folded in [`Folded::buf`].
    email_at: u32,
    /// The row's profile in [`ProfileTexts`], or [`IN_BUF`]: its tags and source are in
    /// [`Folded::buf`].
    profile: u32,
}

impl Default for Spans {
    fn default() -> Spans {
        Spans {
            start: 0,
            phone: 0,
            name: 0,
            email: 0,
            text: 0,
            name_words: 0,
            email_len: 0,
            email_at: IN_BUF,
            profile: IN_BUF,
        }
    }
}

/// Number of [`RowText::haystack`]s.
const HAYSTACKS: usize = 3;

/// [`Spans::email_at`] of an email kept (folded) in [`Folded::buf`]; [`Spans::profile`] of
/// tags and a source kept there.
const IN_BUF: u32 = u32::MAX;

/// The tags and source of every profile of a list ([`RowList::profile_fields`]), folded
/// once: `SEP tag1 SEP tag2 …` then the source, back to back.
#[derive(Debug, Default)]
pub struct ProfileTexts {
    text: String,
    /// For each profile, where its tags end and where its source ends (its tags start where
    /// the profile before it ends).
    ends: Vec<[u32; 2]>,
}

impl ProfileTexts {
    /// The folded tags and source of every profile of `list`.
    pub fn of_list(list: &RowList) -> ProfileTexts {
        let n = list.profile_count();
        let mut p = ProfileTexts {
            text: String::new(),
            ends: Vec::with_capacity(n),
        };
        let at = |s: &String| u32::try_from(s.len()).expect("profile text under 4 GiB");
        for i in 0..n {
            let (source, tags) = list.profile_fields(i);
            for t in tags.iter() {
                p.text.push(SEP);
                p.text.push_str(&fold(t));
            }
            let tags_end = at(&p.text);
            p.text.push_str(&fold(source));
            p.ends.push([tags_end, at(&p.text)]);
        }
        p.text.shrink_to_fit();
        p
    }

    /// Bytes held, for measurements.
    pub fn heap_bytes(&self) -> usize {
        self.text.capacity() + self.ends.capacity() * 8
    }

    /// `SEP tag1 SEP tag2 …` and the source of profile `i`, folded.
    fn get(&self, i: usize) -> (&str, &str) {
        let start = i.checked_sub(1).map_or(0, |j| self.ends[j][1] as usize);
        let [t, s] = self.ends[i].map(|e| e as usize);
        (&self.text[start..t], &self.text[t..s])
    }
}

/// What the folded text of a list ([`Folded::of_list`]) refers to instead of copying it: the
/// list's text ([`RowList::arena`]) and its profiles' folded text. Empty (the default) for
/// text made by [`Folded::new`].
#[derive(Debug, Clone, Copy)]
pub struct ListText<'a> {
    pub arena: &'a str,
    pub profiles: &'a ProfileTexts,
}

static NO_PROFILES: ProfileTexts = ProfileTexts {
    text: String::new(),
    ends: Vec::new(),
};

impl Default for ListText<'_> {
    fn default() -> Self {
        ListText {
            arena: "",
            profiles: &NO_PROFILES,
        }
    }
}

/// Marks a row whose field ends do not fit [`Spans`]' `u16`s.
const LONG: u16 = u16::MAX;

/// The folded text of every row of a list (by rank), computed once per list, not per
/// keystroke: two buffers and a table of offsets, so a scan reads memory in order and a list
/// costs a few allocations, not several per row.
///
/// The phones' digits are in a buffer of their own, `\n` before each row's (empty or not), so
/// that a typed number is one `memmem` pass over them ([`Folded::phone_ranks`]; issue #14: the
/// search index no longer keeps a second copy of them, 21 MB at 1M contacts).
#[derive(Debug, Default)]
pub struct Folded {
    /// `name SEP email SEP tag1 SEP tag2 … source` of every row, back to back.
    buf: String,
    /// `\n` then, for each row, the digits of its E.164 phone and a `\n`.
    phones: String,
    spans: Vec<Spans>,
    /// Rank and field ends (name, email, text; from the row's start) of the rows too long
    /// for [`Spans`], ascending by rank.
    long: Vec<(u32, [u32; 3])>,
}

/// One row's folded fields, borrowed from a [`Folded`].
#[derive(Debug, Clone, Copy)]
pub struct RowText<'a> {
    /// `name SEP email SEP tag1 SEP tag2 …`, folded; the email is empty here when it is
    /// `apart`.
    text: &'a str,
    /// The folded email: `email_src[email_at..email_at + email_len]` (in `text`, or `apart`
    /// from it in the list's text). Sliced when asked for, not before: the list's text is
    /// read only for the rows whose email is searched (a slice reads its ends).
    email_src: &'a str,
    email_at: usize,
    email_len: usize,
    /// The email is not in `text` (it folds to itself and is read from the list).
    apart: bool,
    /// `SEP tag1 SEP tag2 …` of the row's profile, folded (`""` when the tags are in
    /// `text`).
    profile_tags: &'a str,
    name_end: usize,
    email_end: usize,
    name_words: u8,
    /// The digits of the E.164 phone (the domestic `0…` form of an Israeli number, which
    /// [`super::normalize::phone_haystack`] adds, is tested from them: [`phone_holds`]; not stored, 11 bytes a
    /// row less).
    phone: &'a str,
    /// Folded source.
    source: &'a str,
}

impl Folded {
    /// Folds the searchable fields of `rows` (in the order given). The buffers are sized from
    /// the rows first (folding keeps the length of ASCII and Hebrew text), so they are not
    /// grown by doubling: no slack kept, no copies while they fill.
    pub fn new<R, I>(rows: I) -> Folded
    where
        R: SearchFields,
        I: IntoIterator<Item = R>,
        I::IntoIter: Clone,
    {
        let rows = rows.into_iter();
        let (mut bytes, mut phones, mut n) = (0usize, 1usize, 0usize);
        for r in rows.clone() {
            n += 1;
            bytes += r.name().len() + 1 + r.email().len() + r.source().len();
            bytes += r.tag_list().map(|t| t.len() + 1).sum::<usize>();
            phones += r.phone().len() + 1;
        }
        let mut f = Folded::with_capacity(n, bytes, phones);
        for row in rows {
            f.push(&row, None, None);
        }
        f.buf.shrink_to_fit();
        f.phones.shrink_to_fit();
        f
    }

    fn with_capacity(rows: usize, bytes: usize, phones: usize) -> Folded {
        let mut f = Folded {
            buf: String::with_capacity(bytes),
            phones: String::with_capacity(phones),
            spans: Vec::with_capacity(rows),
            long: Vec::new(),
        };
        f.phones.push('\n');
        f
    }

    /// Folds the names and emails of the rows `ranks` of `list` (in that order), an email
    /// that folds to itself read from the list's text instead of copied, the tags and source
    /// of each row from its profile (see [`Spans`]): [`Folded::row`] is then given this same
    /// list's text and [`ProfileTexts::of_list`].
    pub fn of_list(list: &RowList, ranks: &[u32]) -> Folded {
        let row = |i: u32| list.get(i as usize).expect("ranks index the list");
        let apart = |e: &str| !e.is_empty() && e.len() <= usize::from(u8::MAX) && is_folded(e);
        let (mut bytes, mut phones) = (0usize, 1usize);
        for &i in ranks {
            let r = row(i);
            bytes += r.name.len() + 1;
            if !apart(r.email) {
                bytes += r.email.len();
            }
            phones += r.phone.len() + 1;
        }
        let mut f = Folded::with_capacity(ranks.len(), bytes, phones);
        for &i in ranks {
            let r = row(i);
            let at = apart(r.email).then(|| list.email_start(i as usize));
            f.push(&r, at, Some(list.profile_of(i as usize)));
        }
        f.buf.shrink_to_fit();
        f.phones.shrink_to_fit();
        f
    }

    /// Adds a row; `email_at`: where its email (which folds to itself) is in the list's
    /// text, not to be copied; `profile`: its profile, whose tags and source are not copied.
    fn push(&mut self, row: &impl SearchFields, email_at: Option<u32>, profile: Option<u32>) {
        let b = &mut self.buf;
        let start = b.len();
        b.push_str(&fold(row.name()));
        let name_end = b.len();
        b.push(SEP);
        if email_at.is_none() {
            b.push_str(&fold(row.email()));
        }
        let email_end = b.len();
        if profile.is_none() {
            for t in row.tag_list() {
                b.push(SEP);
                b.push_str(&fold(t));
            }
        }
        let text_end = b.len();
        if profile.is_none() {
            b.push_str(&fold(row.source()));
        }
        let name_words = words(&b[start..name_end]).count().min(255) as u8;
        let at = |n: usize| u32::try_from(n).expect("folded text of a list under 4 GiB");
        let phone = at(self.phones.len());
        self.phones.push_str(&digits(row.phone()));
        self.phones.push('\n');
        let ends = [name_end, email_end, text_end].map(|e| e - start);
        let mut s = Spans {
            start: at(start),
            phone,
            name_words,
            ..Spans::default()
        };
        if let Some(p) = profile {
            s.profile = p;
        }
        if let Some(e) = email_at {
            s.email_at = e;
            s.email_len = u8::try_from(row.email().len()).expect("an email apart is short");
        }
        match ends.map(u16::try_from) {
            [Ok(name), Ok(email), Ok(text)] if text != LONG => {
                (s.name, s.email, s.text) = (name, email, text);
            }
            _ => {
                s.text = LONG;
                self.long.push((at(self.spans.len()), ends.map(at)));
            }
        }
        self.spans.push(s);
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Bytes held (text, phones, offsets), for measurements.
    pub fn heap_bytes(&self) -> usize {
        self.buf.capacity()
            + self.phones.capacity()
            + self.spans.capacity() * std::mem::size_of::<Spans>()
            + self.long.capacity() * std::mem::size_of::<(u32, [u32; 3])>()
    }

    /// The phone digits of the row at `rank`.
    fn phone(&self, rank: usize) -> &str {
        let end = self
            .spans
            .get(rank + 1)
            .map_or(self.phones.len(), |n| n.phone as usize)
            - 1;
        &self.phones[self.spans[rank].phone as usize..end]
    }

    /// The fields of the row at `rank`; `list` is the text of the list given to
    /// [`Folded::of_list`] (the default for one made by [`Folded::new`]).
    pub fn row<'a>(&'a self, rank: usize, list: ListText<'a>) -> RowText<'a> {
        let s = self.spans[rank];
        let (end, phone_end) = match self.spans.get(rank + 1) {
            Some(n) => (n.start as usize, n.phone as usize - 1),
            None => (self.buf.len(), self.phones.len() - 1),
        };
        let [name, email, text] = if s.text == LONG {
            let i = self.long.partition_point(|(r, _)| (*r as usize) < rank);
            self.long[i].1.map(|e| e as usize)
        } else {
            [s.name, s.email, s.text].map(usize::from)
        };
        let start = s.start as usize;
        let text_end = start + text;
        let t = &self.buf[start..text_end];
        let (email_src, email_at, email_len, apart) = if s.email_at == IN_BUF {
            (t, name + 1, email - name - 1, false)
        } else {
            let e = s.email_at as usize;
            (list.arena, e, usize::from(s.email_len), true)
        };
        let (profile_tags, source) = if s.profile == IN_BUF {
            ("", &self.buf[text_end..end])
        } else {
            list.profiles.get(s.profile as usize)
        };
        RowText {
            text: t,
            email_src,
            email_at,
            email_len,
            apart,
            profile_tags,
            name_end: name,
            email_end: email,
            name_words: s.name_words,
            phone: &self.phones[s.phone as usize..phone_end],
            source,
        }
    }

    /// Sets in `bits` the ranks (`base` + this chunk's rank) whose phone's search text holds
    /// the digits `d`: the E.164 digits hold them, or `d` is `0…` and the digits start with
    /// `972` and the rest (the domestic form, [`phone_holds`]); every row with a phone for an
    /// empty `d`.
    pub(crate) fn phone_ranks(&self, d: &str, base: u32, bits: &mut Bits) {
        if d.is_empty() {
            for r in 0..self.len() {
                if !self.phone(r).is_empty() {
                    bits.set(base + r as u32);
                }
            }
            return;
        }
        self.phone_matches(d, base, bits);
        if let Some(rest) = d.strip_prefix('0').filter(|r| !r.is_empty()) {
            // The domestic form `0…` of a `972…` number, matched from its start.
            self.phone_matches(&format!("\n972{rest}"), base, bits);
        }
    }

    fn phone_matches(&self, needle: &str, base: u32, bits: &mut Bits) {
        let f = Finder::new(needle);
        let hay = self.phones.as_bytes();
        let skip = usize::from(needle.starts_with('\n'));
        let (mut from, mut cur) = (0usize, 0usize);
        while let Some(i) = f.find(&hay[from..]) {
            let pos = from + i + skip;
            while cur + 1 < self.spans.len() && self.spans[cur + 1].phone as usize <= pos {
                cur += 1;
            }
            bits.set(base + cur as u32);
            // On to the next phone (from its `\n`, which the domestic needle starts with).
            from = match self.spans.get(cur + 1) {
                Some(next) => next.phone as usize - 1,
                None => break,
            };
        }
    }
}

impl<'a> RowText<'a> {
    /// The words of the name, email and tags, folded: what the search index holds.
    pub(crate) fn words(&self) -> impl Iterator<Item = &'a str> {
        let t = *self;
        (0..HAYSTACKS).flat_map(move |k| words(t.haystack(k)))
    }

    /// The folded text a query word is searched in: `name SEP email SEP tags…`, the email
    /// when it is apart (else `""`) and the profile's tags (else `""`). No match spans two of
    /// them (a query word holds no `SEP`) and each starts a word, so searching each is
    /// searching the text with the email and tags in their places.
    /// Haystack `k` (below [`HAYSTACKS`]), sliced when asked for.
    fn haystack(&self, k: usize) -> &'a str {
        match k {
            0 => self.text,
            1 if self.apart => self.email(),
            2 => self.profile_tags,
            _ => "",
        }
    }

    fn name(&self) -> &'a str {
        &self.text[..self.name_end]
    }

    fn email(&self) -> &'a str {
        &self.email_src[self.email_at..self.email_at + self.email_len]
    }

    fn tags(&self) -> impl Iterator<Item = &'a str> {
        self.text[self.email_end..]
            .split(SEP)
            .chain(self.profile_tags.split(SEP))
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

/// One query word made ready for a scan: its byte searchers are built once per query, not
/// once per row.
struct WordProbe<'q> {
    word: &'q Word,
    /// The folded word.
    folded: Finder<'q>,
    /// Its first character (where a fuzzy match starts).
    first: Finder<'q>,
    /// Its digits (a phone-like word).
    digits: Option<Finder<'q>>,
    /// One character long.
    one: bool,
    /// At least [`FUZZY_MIN_CHARS`] long: fuzzy matches count.
    long: bool,
}

/// A parsed query made ready for a scan ([`Probe::level`] per row).
pub struct Probe<'q> {
    q: &'q Query,
    words: Vec<WordProbe<'q>>,
}

impl<'q> Probe<'q> {
    /// Builds the byte searchers of `q`'s words.
    pub fn new(q: &'q Query) -> Probe<'q> {
        let words = q
            .words
            .iter()
            .map(|w| {
                let f = w.folded.as_str();
                let first_len = f.chars().next().map_or(0, char::len_utf8);
                WordProbe {
                    word: w,
                    folded: Finder::new(f),
                    first: Finder::new(&f[..first_len]),
                    digits: w
                        .digits
                        .as_deref()
                        .filter(|d| !d.is_empty())
                        .map(Finder::new),
                    one: f.chars().nth(1).is_none(),
                    long: f.chars().nth(FUZZY_MIN_CHARS - 1).is_some(),
                }
            })
            .collect();
        Probe { q, words }
    }

    /// The tier of a row (`p`: its folded text; `row` gives the row itself) for the query
    /// (`None`: no match and not loose). `loose` asks for the narrowing level too (costs a
    /// fuzzy test of short words).
    ///
    /// The row is asked for only by filters and by a query that could be an id or a phone:
    /// rows live in store order, so reading one is a cache miss that a plain word query does
    /// not pay (a `&ContactRow` argument let the compiler read it on every call).
    pub fn level<'r>(
        &self,
        row: impl Fn() -> RowRef<'r>,
        p: &RowText<'_>,
        loose: bool,
    ) -> Option<Level> {
        let q = self.q;
        if !q.filters.iter().all(|f| filter_ok(&row, p, f)) {
            return None;
        }
        if q.words.is_empty() {
            return Some(Level::Exact);
        }
        // The row itself (ids, phones) is read only when the query could equal one: most rows
        // are tested on their folded text alone.
        if q.words.len() == 1 {
            let w = &q.words[0];
            if (w.id_like && w.raw == row().id)
                || (q.phone.is_some() && q.phone.as_deref() == Some(row().phone))
                || (w.folded.contains('@') && w.folded == p.email())
            {
                return Some(Level::Exact);
            }
        }
        let mut worst = Level::Exact;
        for w in &self.words {
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

/// True when the byte offset `i` of `t` starts a word.
fn at_word(t: &str, i: usize) -> bool {
    t[..i].chars().next_back().is_none_or(is_separator)
}

/// True when the digits `q` occur in [`super::normalize::phone_haystack`] of the phone whose E.164 digits are
/// `phone` (`q` holds no space, so it is in the E.164 digits or in the domestic form).
pub fn phone_holds(phone: &str, q: &str) -> bool {
    phone.contains(q) || domestic_holds(phone, q)
}

/// True when `q` occurs in the domestic form `0…` of a `972…` number but not in its digits:
/// then it starts that form (a match further in is one in the E.164 digits).
fn domestic_holds(phone: &str, q: &str) -> bool {
    match (q.strip_prefix('0'), phone.strip_prefix("972")) {
        (Some(q), Some(rest)) => !rest.is_empty() && rest.starts_with(q),
        _ => false,
    }
}

fn word_level(p: &RowText<'_>, w: &WordProbe<'_>, loose: bool) -> Option<Level> {
    if let Some(d) = &w.digits {
        if d.find(p.phone.as_bytes()).is_some()
            || w.word
                .digits
                .as_deref()
                .is_some_and(|q| domestic_holds(p.phone, q))
        {
            return Some(Level::Prefix);
        }
    }
    let f = w.word.folded.as_str();
    if f.is_empty() {
        return Some(Level::Prefix);
    }
    // UTF-8 is self-synchronizing: a byte match of a whole word is a match of its characters.
    let mut sub = false;
    for k in 0..HAYSTACKS {
        let t = p.haystack(k);
        for i in matches(&w.folded, t) {
            if at_word(t, i) {
                return Some(Level::Prefix);
            }
            sub = true;
        }
    }
    if sub {
        return Some(Level::Substring);
    }
    // A one-letter fuzzy match is a word starting with it, found above.
    if w.one {
        return None;
    }
    if (w.long || loose) && (0..HAYSTACKS).any(|k| fuzzy(p.haystack(k), w)) {
        return Some(if w.long { Level::Fuzzy } else { Level::Loose });
    }
    None
}

/// The word found in one word of `t` from its first letter, skipping at most
/// [`FUZZY_SKIPS`] letters.
fn fuzzy(t: &str, w: &WordProbe<'_>) -> bool {
    let first = w.first.needle().len();
    let rest = &w.word.folded[first..];
    matches(&w.first, t).any(|i| at_word(t, i) && in_word(&t[i + first..], rest))
}

/// Byte offsets of the non-overlapping matches of `f` in `t`, as `str::match_indices` gives
/// them. (`Finder::find_iter` copies the searcher for every haystack: too slow per row.)
fn matches<'a>(f: &'a Finder<'_>, t: &'a str) -> impl Iterator<Item = usize> + 'a {
    let step = f.needle().len().max(1);
    let mut at = 0;
    std::iter::from_fn(move || {
        let i = at + f.find(t.as_bytes().get(at..)?)?;
        at = i + step;
        Some(i)
    })
}

/// True when `need` is found in order in `word_rest` before its first separator, skipping at
/// most [`FUZZY_SKIPS`] letters (the rest of a fuzzy match after its first letter).
pub(crate) fn in_word(word_rest: &str, need: &str) -> bool {
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

fn filter_ok<'r>(row: &impl Fn() -> RowRef<'r>, p: &RowText<'_>, f: &Filter) -> bool {
    // Tags and the source are in the folded text; the other filters ask for the row.
    match f {
        Filter::Tag(t) => p.tags().any(|x| x == t),
        Filter::Source(s) => !p.source.is_empty() && p.source.contains(s.as_str()),
        Filter::Owner(ids) => {
            let o = row().owner;
            ids.iter().any(|x| x == o)
        }
        Filter::Updated { from, to } => {
            let d = row().date_updated;
            !d.is_empty()
                && from.as_deref().is_none_or(|f| d >= f)
                && to.as_deref().is_none_or(|t| d < t)
        }
        Filter::Business(ids) => {
            let b = row().business_id;
            ids.iter().any(|x| x == b)
        }
        Filter::Has(h) => {
            let row = row();
            match h {
                HasField::Phone => !row.phone.is_empty(),
                HasField::Email => !row.email.is_empty(),
                HasField::Tags => !row.tags.is_empty(),
                HasField::Owner => !row.owner.is_empty(),
                HasField::Business => !row.business_id.is_empty(),
            }
        }
        Filter::Dnd(d) => {
            let row = row();
            match d {
                Dnd::All => row.dnd,
                Dnd::Any => row.dnd || row.dnd_channels != 0,
                Dnd::Channel(b) => row.dnd || row.dnd_channels & b != 0,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ContactRow;

    fn fz(t: &str, f: &str) -> bool {
        let q = Query {
            words: vec![Word {
                raw: f.into(),
                folded: f.into(),
                digits: None,
                id_like: false,
            }],
            ..Default::default()
        };
        let p = Probe::new(&q);
        fuzzy(t, &p.words[0])
    }

    #[test]
    fn fuzzy_is_per_word_and_skip_limited() {
        assert!(fz("dayan", "dan"));
        assert!(!fz("david johnson", "dan"));
        assert!(!fz("thomas jackson", "anthony"));
        assert!(fz("x\u{1}anthonny", "anthony"));
        assert!(!fz("jordan", "dan"), "not from a word's first letter");
        assert!(fz("יוסי כהנא", "כהא"));
    }

    /// The phone test from the E.164 digits alone equals a search of the whole phone text
    /// (E.164 digits and the domestic form) that the folded text held before.
    #[test]
    fn a_phone_test_from_its_digits_equals_the_search_of_its_phone_text() {
        use crate::search::normalize::phone_haystack;
        let phones = [
            "+972542848828",
            "+97225001234",
            "+12125550123",
            "",
            "+972",
            "+9720",
        ];
        for p in phones {
            let hay = phone_haystack(p);
            let d = digits(p);
            let mut qs: Vec<String> = vec!["054".into(), "0972".into(), "00".into(), "0".into()];
            for a in 0..hay.len() {
                for b in a + 1..=hay.len() {
                    qs.push(hay[a..b].to_owned());
                    qs.push(format!("0{}", &hay[a..b]));
                }
            }
            for q in qs.iter().filter(|q| !q.contains(' ')) {
                assert_eq!(phone_holds(&d, q), hay.contains(q.as_str()), "{p} {q}");
            }
        }
    }

    /// A row whose folded text runs past what [`Spans`]' `u16` ends hold keeps its fields.
    #[test]
    fn a_row_longer_than_64_kib_keeps_its_fields() {
        let many: Vec<String> = (0..9000).map(|i| format!("Tag{i}")).collect();
        let rows = [
            ContactRow {
                name: "Avi".into(),
                ..Default::default()
            },
            ContactRow {
                name: "Dana".into(),
                email: "d@x.io".into(),
                phone: "+972542848828".into(),
                tags: many.clone(),
                source: "Web".into(),
                ..Default::default()
            },
            ContactRow {
                name: "N".repeat(70_000),
                ..Default::default()
            },
            ContactRow {
                name: "Cy".into(),
                phone: "+12125550123".into(),
                ..Default::default()
            },
        ];
        let f = Folded::new(&rows);
        assert_eq!(f.long.len(), 2);
        assert_eq!(std::mem::size_of::<Spans>(), 24);
        let b = f.row(1, ListText::default());
        assert_eq!(
            (b.name(), b.email(), b.phone, b.source),
            ("dana", "d@x.io", "972542848828", "web")
        );
        assert_eq!(b.tags().count(), 9000);
        assert_eq!(b.tags().last(), Some("tag8999"));
        assert_eq!(f.row(2, ListText::default()).name().len(), 70_000);
        assert_eq!(f.row(2, ListText::default()).phone, "");
        let (a, c) = (f.row(0, ListText::default()), f.row(3, ListText::default()));
        assert_eq!(
            (a.name(), a.phone, c.name(), c.phone),
            ("avi", "", "cy", "12125550123")
        );
    }

    #[test]
    fn folded_rows_keep_their_fields_apart() {
        let rows = [
            ContactRow {
                id: "a".into(),
                name: "Dana LEVI".into(),
                email: "Dana@X.io".into(),
                phone: "+972542848828".into(),
                tags: vec!["VIP".into(), "קונה".into()],
                source: "Facebook".into(),
                ..Default::default()
            },
            ContactRow {
                id: "b".into(),
                name: "כֹּהֵן".into(),
                ..Default::default()
            },
        ];
        let f = Folded::new(&rows);
        assert_eq!(f.len(), 2);
        let a = f.row(0, ListText::default());
        assert_eq!(a.name(), "dana levi");
        assert_eq!(a.email(), "dana@x.io");
        assert_eq!(a.tags().collect::<Vec<_>>(), ["vip", "קונה"]);
        assert_eq!(a.phone, "972542848828");
        assert_eq!(a.source, "facebook");
        assert_eq!(a.name_words, 2);
        let b = f.row(1, ListText::default());
        assert_eq!(
            (b.name(), b.email(), b.phone, b.source),
            ("כהנ", "", "", "")
        );
        assert_eq!(b.tags().count(), 0);
    }

    /// A list's folded text with its emails read from the list ([`Folded::of_list`]) gives
    /// every row the fields, words and tiers of the text with every email copied
    /// ([`Folded::new`]).
    #[test]
    fn emails_read_from_the_list_equal_emails_copied() {
        let emails = [
            "dana.levi@x.io",
            "Dana@X.io",
            "",
            "avi.dan@dan.co",
            "é@x.io",
            "vip@buyers.com",
        ];
        let rows: Vec<ContactRow> = (0..24)
            .map(|i| ContactRow {
                id: format!("c{i}"),
                name: ["Dana Levi", "avi", "כֹּהֵן", ""][i % 4].into(),
                email: if i == 23 {
                    format!("{}@x.io", "l".repeat(300))
                } else {
                    emails[i % emails.len()].into()
                },
                tags: (0..i % 3).map(|t| ["vip", "dan"][t].into()).collect(),
                source: "Web".into(),
                ..Default::default()
            })
            .collect();
        let list = RowList::from(rows.as_slice());
        let ranks: Vec<u32> = (0..24u32).rev().collect();
        let apart = Folded::of_list(&list, &ranks);
        let copied = Folded::new(ranks.iter().map(|&i| &rows[i as usize]));
        assert!(apart.heap_bytes() < copied.heap_bytes());
        let profiles = ProfileTexts::of_list(&list);
        let lt = ListText {
            arena: list.arena(),
            profiles: &profiles,
        };
        let queries = [
            "tag:vip",
            "tag:dan",
            "source:we",
            "dan tag:vip",
            "dan",
            "da",
            "x",
            "io",
            "levi",
            "vip",
            "dna",
            "lev",
            "@x",
            "dana.levi@x.io",
            "web",
            "co",
            "avi",
        ];
        for (r, &i) in ranks.iter().enumerate() {
            let (a, c) = (apart.row(r, lt), copied.row(r, ListText::default()));
            assert_eq!(
                (a.name(), a.email(), a.source, a.phone),
                (c.name(), c.email(), c.source, c.phone),
                "{r}"
            );
            assert!(a.tags().eq(c.tags()), "{r}");
            let (mut aw, mut cw): (Vec<_>, Vec<_>) = (a.words().collect(), c.words().collect());
            aw.sort_unstable();
            cw.sort_unstable();
            assert_eq!(aw, cw, "{r}");
            let row = || list.get(i as usize).unwrap();
            for q in queries {
                let q = crate::search::parse(q, &Default::default()).unwrap();
                let p = Probe::new(&q);
                for loose in [false, true] {
                    assert_eq!(p.level(row, &a, loose), p.level(row, &c, loose), "{r}");
                }
            }
        }
    }
}
