//! The search index of one list (issue #14): a dictionary of the unique folded words of every
//! row's name, email and tags, each with a posting list of the ranks (display positions) of
//! the rows that hold it.
//!
//! A query reads the dictionary instead of every row: a word prefix is a range of the sorted
//! dictionary (whose posting lists are contiguous), a substring is a search of the unique
//! words (far fewer than rows at scale: one buffer, one `memmem` pass), a fuzzy word is
//! tested against the unique words that start with its first letter. What comes out is a
//! *candidate* set ([`super::bits::Bits`]) that holds every row that can match; the rows are
//! then tested by the very scan code ([`super::rank::Probe`]), so the results are those of
//! the full scan by construction ([`super::plan`]).
//!
//! Words are [`super::normalize::words`] of the folded text, the same runs of alphanumerics
//! that the scan's word-start test sees, so "a query word without separators occurs in a row"
//! is exactly "it occurs inside one of the row's words".
//!
//! Phones are not in this index: the folded text keeps every row's phone digits in one
//! buffer that a typed number is searched in ([`super::Index::phone_rows`]; issue #14: the
//! index kept a copy of them, 21 MB at 1M contacts).
//!
//! Postings are by rank, so the index belongs to one list order: a new sort builds a new one
//! (with its [`super::Index`]). The index is kept in memory only — it is not persisted in the
//! cache; building it takes a pass over the folded text the scan already holds (measured by
//! `benches/startup.rs`).

use std::hash::Hasher;

use memchr::memmem::Finder;

use super::bits::Bits;
use super::Index;

/// A small fast hasher for the build's word table (FxHash's mixing step).
#[derive(Default)]
struct Fx(u64);

impl Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut h = self.0;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes(c.try_into().expect("8 bytes"));
            h = (h.rotate_left(5) ^ w).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            h = (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
        self.0 = h;
    }
}

/// The index of one list (see the module doc). Immutable once built.
#[derive(Debug, Default)]
pub struct TokenIndex {
    /// Number of ranks of the list.
    n: usize,
    /// `\n` then each unique word, in byte order: word `i` is
    /// `dict[starts[i]..starts[i + 1] - 1]`.
    dict: String,
    /// Start of each word in `dict`, and the end (`dict.len()`: word `i` ends one byte before
    /// `starts[i + 1]`, at its `\n`).
    starts: Vec<u32>,
    /// Posting list of word `i`: `postings[post[i]..post[i + 1]]`, ranks ascending (empty for
    /// a word of `dense`).
    post: Vec<u32>,
    postings: Vec<u32>,
    /// The words held by one row in [`DENSE_SHARE`] or more (`com`, a common first name, a
    /// tag), by dictionary place, with their rows as a bitmap: an eighth of a byte a row
    /// instead of 4 bytes a posting.
    dense: Vec<(u32, Bits)>,
}

/// A word held by at least one row in this many is kept as a bitmap ([`TokenIndex::dense`]):
/// a bitmap is smaller than a posting list from one row in 32 on; from one in 24 it is at most
/// three quarters of it (at 1M generated contacts: names, tags, the email domain; the index
/// went from 71.8 to 54.5 MB with them and the two-pass build).
const DENSE_SHARE: usize = 24;

/// Lists with fewer rows keep every posting list (a bitmap per word would not pay).
const DENSE_MIN_ROWS: usize = 1024;

fn at(n: usize) -> u32 {
    u32::try_from(n).expect("search index under 4 GiB")
}

impl TokenIndex {
    /// Builds the index of `index`'s list from its folded text (no folding again).
    ///
    /// Two passes over the folded text, so that no buffer of every word occurrence is held
    /// (issue #14: at 1M contacts the build's transient memory was about 130 MB beside the
    /// 72 MB it keeps): the first finds the unique words ([`WordTable`]: 4 bytes a slot instead
    /// of a hash map's 24) and counts each word's rows; the words are then sorted into the
    /// dictionary and the posting lists sized exactly (the table is dropped first and made
    /// again from the dictionary, so it is not held beside the words being sorted); the second
    /// pass looks every word up again and fills them.
    pub fn build(index: &Index) -> TokenIndex {
        let n = index.len();
        let mut table = WordTable::with_words(n.min(1 << 20));
        let mut words_of: Vec<&str> = Vec::new();
        // Rows holding each word (by first-seen id).
        let mut rows_of: Vec<u32> = Vec::new();
        let mut row: Vec<u32> = Vec::new();
        for r in 0..n {
            let t = index.text(r);
            row.clear();
            for w in t.words() {
                let id = table.id(w, &mut words_of);
                if id as usize == rows_of.len() {
                    rows_of.push(0);
                }
                row.push(id);
            }
            sort_dedup(&mut row);
            for &w in &row {
                rows_of[w as usize] += 1;
            }
        }
        // The table's first-seen ids are not needed past here: it is made again from the
        // dictionary below, so it is not held beside the words and the dictionary being
        // written (issue #14: the build's peak, 12 MB less at 1M contacts).
        let table_words = words_of.len();
        drop(table);
        // Sort the words.
        let mut by_text: Vec<u32> = (0..at(words_of.len())).collect();
        by_text.sort_unstable_by(|&a, &b| words_of[a as usize].cmp(words_of[b as usize]));
        let mut dict =
            String::with_capacity(words_of.iter().map(|w| w.len() + 1).sum::<usize>() + 1);
        let mut starts = Vec::with_capacity(words_of.len() + 1);
        let mut post = Vec::with_capacity(words_of.len() + 1);
        // The dense words' places; their bitmaps are made once the words are dropped (issue
        // #14: not held beside them, 7 MB at 1M contacts).
        let mut dense_at = Vec::new();
        let mut is_dense = Bits::new(words_of.len());
        let dense_min = (n / DENSE_SHARE).max(1);
        dict.push('\n');
        post.push(0u32);
        for (place, &old) in by_text.iter().enumerate() {
            starts.push(at(dict.len()));
            dict.push_str(words_of[old as usize]);
            dict.push('\n');
            let last = *post.last().expect("starts with 0");
            let rows = rows_of[old as usize];
            if rows as usize >= dense_min && n >= DENSE_MIN_ROWS {
                dense_at.push(at(place));
                is_dense.set(at(place));
                post.push(last);
            } else {
                post.push(last + rows);
            }
        }
        // Past the last word's `\n`, as if a next word started there.
        starts.push(at(dict.len()));
        drop(by_text);
        drop(rows_of);
        drop(words_of);
        let mut dense: Vec<(u32, Bits)> = dense_at.into_iter().map(|w| (w, Bits::new(n))).collect();
        let word_at =
            |i: u32| &dict[starts[i as usize] as usize..starts[i as usize + 1] as usize - 1];
        // The table again, now giving dictionary places.
        let table = WordTable::of_dictionary(table_words, word_at);
        let mut postings = vec![0u32; *post.last().expect("starts with 0") as usize];
        // `post[w]` is word `w`'s next free slot while filling (no table of cursors beside
        // it: 4 MB at 1M contacts), so it ends where word `w + 1` starts; shifted back below.
        for r in 0..n {
            row.clear();
            for w in index.text(r).words() {
                row.push(table.find(w, word_at).expect("every word was seen"));
            }
            sort_dedup(&mut row);
            for &w in &row {
                if is_dense.contains(w) {
                    let d = dense.partition_point(|(x, _)| *x < w);
                    dense[d].1.set(at(r));
                } else {
                    let slot = &mut post[w as usize];
                    postings[*slot as usize] = at(r);
                    *slot += 1;
                }
            }
        }
        drop(table);
        drop(is_dense);
        // Every word's slots are filled: `post[w]` is its end, the start of `w + 1`.
        let last = post.len() - 1;
        post.copy_within(..last, 1);
        post[0] = 0;
        TokenIndex {
            n,
            dict,
            starts,
            post,
            postings,
            dense,
        }
    }

    /// Number of ranks of the list indexed.
    pub fn len(&self) -> usize {
        self.n
    }

    /// True when the list is empty.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Number of unique words.
    pub fn words(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    /// Bytes held (dictionary, posting lists), for measurements.
    pub fn heap_bytes(&self) -> usize {
        self.dict.capacity()
            + 4 * (self.starts.capacity() + self.post.capacity() + self.postings.capacity())
            + self
                .dense
                .iter()
                .map(|(_, b)| b.heap_bytes())
                .sum::<usize>()
    }

    /// Word `i` of the dictionary.
    fn word(&self, i: usize) -> &str {
        &self.dict[self.starts[i] as usize..self.starts[i + 1] as usize - 1]
    }

    /// Dictionary places of the words starting with `prefix` (a range: the dictionary is
    /// sorted by bytes).
    fn prefix_range(&self, prefix: &str) -> std::ops::Range<usize> {
        let n = self.words();
        let lo = partition(n, |i| self.word(i) < prefix);
        let hi = partition(n, |i| {
            let w = self.word(i);
            w < prefix || w.starts_with(prefix)
        });
        lo..hi
    }

    fn add_range(&self, bits: &mut Bits, words: std::ops::Range<usize>) {
        let (a, b) = (
            self.post[words.start] as usize,
            self.post[words.end] as usize,
        );
        for &r in &self.postings[a..b] {
            bits.set(r);
        }
        let from = self
            .dense
            .partition_point(|(w, _)| (*w as usize) < words.start);
        for (w, rows) in &self.dense[from..] {
            if *w as usize >= words.end {
                break;
            }
            bits.or(rows);
        }
    }

    /// Rows holding a word that starts with `prefix`.
    pub fn prefix_rows(&self, prefix: &str) -> Bits {
        let mut bits = Bits::new(self.n);
        self.add_range(&mut bits, self.prefix_range(prefix));
        bits
    }

    /// Rows holding the word `word` exactly.
    pub fn word_rows(&self, word: &str) -> Bits {
        let mut bits = Bits::new(self.n);
        let r = self.prefix_range(word);
        if r.start < r.end && self.word(r.start) == word {
            self.add_range(&mut bits, r.start..r.start + 1);
        }
        bits
    }

    /// Rows holding a word that contains `part` (which must hold no separator): one search
    /// over the unique words.
    pub fn substring_rows(&self, part: &str) -> Bits {
        let mut bits = Bits::new(self.n);
        if part.is_empty() {
            self.add_range(&mut bits, 0..self.words());
            return bits;
        }
        let f = Finder::new(part);
        let hay = self.dict.as_bytes();
        let (mut from, mut cur) = (0usize, 0usize);
        while let Some(i) = f.find(&hay[from..]) {
            let pos = at(from + i);
            while self.starts[cur + 1] <= pos {
                cur += 1;
            }
            self.add_range(&mut bits, cur..cur + 1);
            // The next match is in a later word.
            from = self.starts[cur + 1] as usize - 1;
            cur += 1;
            if from >= hay.len() {
                break;
            }
        }
        bits
    }

    /// Rows holding a word for which `test` holds, among the words starting with `first`.
    pub fn rows_where(&self, first: &str, test: impl Fn(&str) -> bool) -> Bits {
        let mut bits = Bits::new(self.n);
        for i in self.prefix_range(first) {
            if test(self.word(i)) {
                self.add_range(&mut bits, i..i + 1);
            }
        }
        bits
    }
}

/// Sorts a row's word ids and drops repeats.
fn sort_dedup(row: &mut Vec<u32>) {
    row.sort_unstable();
    row.dedup();
}

fn hash(w: &str) -> u64 {
    let mut h = Fx::default();
    h.write(w.as_bytes());
    h.finish()
}

/// The build's word table: open addressing over word ids (`0` empty, else id + 1), the words
/// themselves kept by the caller, so a slot is 4 bytes; at most half full.
struct WordTable {
    slots: Vec<u32>,
}

impl WordTable {
    /// A table for about `words` words without growing.
    fn with_words(words: usize) -> WordTable {
        WordTable {
            slots: vec![0; (words.max(16) * 2).next_power_of_two()],
        }
    }

    fn slot_of(slots: &[u32], w: &str, same: impl Fn(u32) -> bool) -> (usize, Option<u32>) {
        let mask = slots.len() - 1;
        // The hash's high bits, multiplied in (FxHash's low bits are weak).
        let shift = 64 - slots.len().trailing_zeros();
        let mut i = (hash(w).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> shift) as usize;
        loop {
            match slots[i] {
                0 => return (i, None),
                s if same(s - 1) => return (i, Some(s - 1)),
                _ => i = (i + 1) & mask,
            }
        }
    }

    /// The id of `w`: its index in `words`, where it is pushed when new.
    fn id<'a>(&mut self, w: &'a str, words: &mut Vec<&'a str>) -> u32 {
        let (i, found) = Self::slot_of(&self.slots, w, |id| words[id as usize] == w);
        if let Some(id) = found {
            return id;
        }
        let id = at(words.len());
        words.push(w);
        self.slots[i] = id + 1;
        if words.len() * 2 > self.slots.len() {
            let mut grown = vec![0u32; self.slots.len() * 2];
            for &s in self.slots.iter().filter(|&&s| s != 0) {
                let (j, _) = Self::slot_of(&grown, words[s as usize - 1], |_| false);
                grown[j] = s;
            }
            self.slots = grown;
        }
        id
    }

    /// The table of `words` distinct words, `word(id)` giving each (ids `0..words`).
    fn of_dictionary<'a>(words: usize, word: impl Fn(u32) -> &'a str) -> WordTable {
        let mut t = WordTable::with_words(words);
        for id in 0..at(words) {
            // The words are distinct: the first free slot on the word's probe path.
            let (j, _) = Self::slot_of(&t.slots, word(id), |_| false);
            t.slots[j] = id + 1;
        }
        t
    }

    /// The id of `w`, `word(id)` giving each id's word.
    fn find<'a>(&self, w: &str, word: impl Fn(u32) -> &'a str) -> Option<u32> {
        Self::slot_of(&self.slots, w, |id| word(id) == w).1
    }
}

/// The first `i` in `0..n` for which `below(i)` is false (`below` true then false).
fn partition(n: usize, below: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if below(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::domain::ContactRow;
    use crate::search::normalize::phone_haystack;

    fn index(rows: &[ContactRow]) -> Index {
        Index::new(
            Arc::new(rows.iter().collect()),
            (0..rows.len() as u32).collect::<Vec<u32>>(),
        )
    }

    fn row(name: &str, email: &str, phone: &str, tags: &[&str]) -> ContactRow {
        ContactRow {
            name: name.into(),
            email: email.into(),
            phone: phone.into(),
            tags: tags.iter().map(|t| (*t).into()).collect(),
            ..Default::default()
        }
    }

    fn v(b: Bits) -> Vec<u32> {
        b.iter().collect()
    }

    #[test]
    fn words_prefixes_substrings_and_exact_words() {
        let rows = [
            row("Dana Levi", "dana.levi@x.io", "", &["VIP"]),
            row("Daniel כֹּהֵן", "", "", &[]),
            row("Avi Dan", "avi@dan.co", "", &["vip", "buyer"]),
            row("", "", "", &[]),
        ];
        let t = TokenIndex::build(&index(&rows));
        assert_eq!(v(t.prefix_rows("dan")), [0, 1, 2]);
        assert_eq!(v(t.word_rows("dan")), [2]);
        assert_eq!(v(t.word_rows("da")), Vec::<u32>::new());
        assert_eq!(v(t.substring_rows("an")), [0, 1, 2]);
        assert_eq!(v(t.substring_rows("ev")), [0]);
        assert_eq!(v(t.substring_rows("כהנ")), [1]);
        // The last word of the dictionary is a whole word too (its end once took the `\n`).
        assert_eq!(v(t.word_rows("כהנ")), [1]);
        assert_eq!(v(t.prefix_rows("כהנ")), [1]);
        assert_eq!(v(t.substring_rows("הנ")), [1]);
        assert_eq!(v(t.word_rows("vip")), [0, 2]);
        assert_eq!(v(t.substring_rows("zz")), Vec::<u32>::new());
        assert_eq!(v(t.rows_where("d", |w| w.len() == 3)), [2]);
        assert_eq!(t.len(), 4);
        // dana levi x io daniel כהנ avi dan co vip buyer
        assert_eq!(t.words(), 11);
    }

    /// Words held by many rows are bitmaps, the others posting lists; a dictionary range
    /// that holds both gives the rows of both.
    #[test]
    fn common_words_as_bitmaps_give_the_same_rows() {
        let rows: Vec<ContactRow> = (0..2000)
            .map(|i| {
                let tag = if i % 3 == 0 { "vip" } else { "" };
                let tags: &[&str] = if tag.is_empty() { &[] } else { &[tag] };
                row(&format!("Dana d{i}"), "", "", tags)
            })
            .collect();
        let t = TokenIndex::build(&index(&rows));
        let dense: Vec<&str> = t.dense.iter().map(|(w, _)| t.word(*w as usize)).collect();
        assert_eq!(dense, ["dana", "vip"]);
        let all: Vec<u32> = (0..2000).collect();
        let every_third: Vec<u32> = (0..2000).step_by(3).collect();
        assert_eq!(v(t.word_rows("dana")), all);
        assert_eq!(v(t.prefix_rows("da")), all);
        assert_eq!(v(t.word_rows("vip")), every_third);
        assert_eq!(v(t.substring_rows("ip")), every_third);
        assert_eq!(v(t.word_rows("d1999")), [1999]);
        // `d…`: the bitmap of `dana` and the posting lists of `d0` … `d1999`.
        assert_eq!(v(t.prefix_rows("d")), all);
        let d19: Vec<u32> = (0..2000)
            .filter(|i| i.to_string().starts_with("19"))
            .collect();
        assert_eq!(v(t.prefix_rows("d19")), d19);
        assert_eq!(v(t.rows_where("d", |w| w.len() == 4)), all);
        assert_eq!(
            v(t.rows_where("d", |w| w == "d7" || w == "dana")),
            all,
            "a range of one sparse and one dense word"
        );
        assert_eq!(v(t.rows_where("d", |w| w == "d7")), [7]);
    }

    /// A list folded in several chunks (one per thread) gives each chunk's phones their
    /// ranks in the whole list.
    #[test]
    fn phones_of_a_list_folded_in_chunks_keep_their_ranks() {
        let rows: Vec<ContactRow> = (0..40_000u32)
            .map(|i| {
                let phone = match i % 3 {
                    0 => String::new(),
                    1 => format!("+97254{:07}", i * 7),
                    _ => format!("+1212{:07}", i),
                };
                row("x", "", &phone, &[])
            })
            .collect();
        let idx = index(&rows);
        for q in [
            "0540000",
            "054",
            "1212000",
            "12120039999",
            "972",
            "0",
            "7",
            "",
        ] {
            let want: Vec<u32> = rows
                .iter()
                .enumerate()
                .filter(|(_, r)| !r.phone.is_empty() && phone_haystack(&r.phone).contains(q))
                .map(|(i, _)| i as u32)
                .collect();
            assert_eq!(v(idx.phone_rows(q)), want, "{q}");
        }
    }

    #[test]
    fn phone_digits_equal_a_search_of_the_phone_text() {
        let phones = [
            "+972542848828",
            "+97225001234",
            "+12125550123",
            "",
            "+972",
            "+44 20 7946 0958",
        ];
        let rows: Vec<ContactRow> = phones.iter().map(|p| row("x", "", p, &[])).collect();
        let t = index(&rows);
        let mut seed = 7u64;
        let mut queries: Vec<String> = vec![
            "054".into(),
            "0542848828".into(),
            "972".into(),
            "0972".into(),
            "02500".into(),
            "2125550123".into(),
            "00".into(),
            "7946".into(),
        ];
        for _ in 0..300 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let p = phones[(seed >> 33) as usize % phones.len()];
            let hay = phone_haystack(p);
            if hay.len() < 3 {
                continue;
            }
            let a = (seed >> 40) as usize % (hay.len() - 2);
            let b = a + 3 + (seed >> 50) as usize % (hay.len() - a - 2);
            queries.push(hay[a..b.min(hay.len())].replace(' ', ""));
        }
        for q in queries {
            let want: Vec<u32> = phones
                .iter()
                .enumerate()
                .filter(|(_, p)| phone_haystack(p).contains(q.as_str()))
                .map(|(i, _)| i as u32)
                .collect();
            assert_eq!(v(t.phone_rows(&q)), want, "{q}");
        }
    }
}
