//! The search index of one list (issue #14): a dictionary of the unique folded words of every
//! row's name, email and tags, each with a posting list of the ranks (display positions) of
//! the rows that hold it, and the phones' digits in one buffer.
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
//! Phones: the digits of each row's E.164 phone, one entry a row, after a `\n`. A typed
//! number's digits occur in the phone's search text (E.164 digits, and for Israeli numbers
//! the domestic `0…` form, [`super::normalize::phone_haystack`]) exactly when they occur in
//! the E.164 digits, or start with `0` and the E.164 digits start with `972` and the rest.
//!
//! Postings are by rank, so the index belongs to one list order: a new sort builds a new one
//! (with its [`super::Index`]). The index is kept in memory only — it is not persisted in the
//! cache; building it takes a pass over the folded text the scan already holds (measured by
//! `benches/startup.rs`).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use memchr::memmem::Finder;

use super::bits::Bits;
use super::normalize::words;
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
    /// Start of each word in `dict`, and one past the end (`dict.len() + 1`).
    starts: Vec<u32>,
    /// Posting list of word `i`: `postings[post[i]..post[i + 1]]`, ranks ascending.
    post: Vec<u32>,
    postings: Vec<u32>,
    /// `\n` then the E.164 digits of each phone.
    phones: String,
    /// Start of each phone in `phones` (after its `\n`), ascending.
    phone_at: Vec<u32>,
    /// Rank of each phone.
    phone_rank: Vec<u32>,
}

fn at(n: usize) -> u32 {
    u32::try_from(n).expect("search index under 4 GiB")
}

impl TokenIndex {
    /// Builds the index of `index`'s list from its folded text (no folding again).
    pub fn build(index: &Index) -> TokenIndex {
        let n = index.len();
        let mut ids: HashMap<&str, u32, BuildHasherDefault<Fx>> =
            HashMap::with_capacity_and_hasher(n.min(1 << 20) + 64, Default::default());
        let mut words_of: Vec<&str> = Vec::new();
        // Word ids of every row, row after row; `row_end[r]` ends rank r's.
        let mut occ: Vec<u32> = Vec::with_capacity(n * 6);
        let mut row_end: Vec<u32> = Vec::with_capacity(n);
        let mut phones = String::with_capacity(n * 13 + 1);
        let mut phone_at = Vec::new();
        let mut phone_rank = Vec::new();
        phones.push('\n');
        for r in 0..n {
            let t = index.text(r);
            let start = occ.len();
            for w in words(t.words_text()) {
                let next = at(words_of.len());
                let id = *ids.entry(w).or_insert_with(|| {
                    words_of.push(w);
                    next
                });
                occ.push(id);
            }
            let row = &mut occ[start..];
            row.sort_unstable();
            let mut kept = 0;
            for i in 0..row.len() {
                if i == 0 || row[i] != row[kept - 1] {
                    row[kept] = row[i];
                    kept += 1;
                }
            }
            occ.truncate(start + kept);
            row_end.push(at(occ.len()));
            let d = t.phone_text().split(' ').next().unwrap_or_default();
            if !d.is_empty() {
                phone_at.push(at(phones.len()));
                phone_rank.push(at(r));
                phones.push_str(d);
                phones.push('\n');
            }
        }
        drop(ids);
        // Sort the words; `new_id[old]` is a word's place in the dictionary.
        let mut by_text: Vec<u32> = (0..at(words_of.len())).collect();
        by_text.sort_unstable_by(|&a, &b| words_of[a as usize].cmp(words_of[b as usize]));
        let mut new_id = vec![0u32; words_of.len()];
        let mut dict =
            String::with_capacity(words_of.iter().map(|w| w.len() + 1).sum::<usize>() + 1);
        let mut starts = Vec::with_capacity(words_of.len() + 1);
        dict.push('\n');
        for (place, &old) in by_text.iter().enumerate() {
            new_id[old as usize] = at(place);
            starts.push(at(dict.len()));
            dict.push_str(words_of[old as usize]);
            dict.push('\n');
        }
        starts.push(at(dict.len() + 1));
        drop(by_text);
        drop(words_of);
        // Counting sort of (word, rank) by word; ranks come in order, so lists are sorted.
        let mut post = vec![0u32; new_id.len() + 1];
        for &w in &occ {
            post[new_id[w as usize] as usize + 1] += 1;
        }
        for i in 1..post.len() {
            post[i] += post[i - 1];
        }
        let mut fill = post.clone();
        let mut postings = vec![0u32; occ.len()];
        let mut from = 0usize;
        for (r, &end) in row_end.iter().enumerate() {
            for &w in &occ[from..end as usize] {
                let slot = &mut fill[new_id[w as usize] as usize];
                postings[*slot as usize] = at(r);
                *slot += 1;
            }
            from = end as usize;
        }
        phones.shrink_to_fit();
        TokenIndex {
            n,
            dict,
            starts,
            post,
            postings,
            phones,
            phone_at,
            phone_rank,
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

    /// Bytes held (dictionary, posting lists, phones), for measurements.
    pub fn heap_bytes(&self) -> usize {
        self.dict.capacity()
            + self.phones.capacity()
            + 4 * (self.starts.capacity()
                + self.post.capacity()
                + self.postings.capacity()
                + self.phone_at.capacity()
                + self.phone_rank.capacity())
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

    /// Rows whose phone's search text contains the digits `d` (see the module doc).
    pub fn phone_rows(&self, d: &str) -> Bits {
        let mut bits = Bits::new(self.n);
        if d.is_empty() {
            for &r in &self.phone_rank {
                bits.set(r);
            }
            return bits;
        }
        self.phone_matches(d, &mut bits);
        if let Some(rest) = d.strip_prefix('0').filter(|r| !r.is_empty()) {
            // The domestic form `0…` of a `972…` number, matched from its start.
            self.phone_matches(&format!("\n972{rest}"), &mut bits);
        }
        bits
    }

    fn phone_matches(&self, needle: &str, bits: &mut Bits) {
        let f = Finder::new(needle);
        let hay = self.phones.as_bytes();
        let skip = usize::from(needle.starts_with('\n'));
        let (mut from, mut cur) = (0usize, 0usize);
        while let Some(i) = f.find(&hay[from..]) {
            let pos = at(from + i + skip);
            while cur + 1 < self.phone_at.len() && self.phone_at[cur + 1] <= pos {
                cur += 1;
            }
            bits.set(self.phone_rank[cur]);
            // On to the next phone.
            from = match self.phone_at.get(cur + 1) {
                Some(&next) => next as usize - 1,
                None => break,
            };
        }
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
            (0..rows.len() as u32).collect(),
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
        assert_eq!(v(t.substring_rows("הנ")), [1]);
        assert_eq!(v(t.word_rows("vip")), [0, 2]);
        assert_eq!(v(t.substring_rows("zz")), Vec::<u32>::new());
        assert_eq!(v(t.rows_where("d", |w| w.len() == 3)), [2]);
        assert_eq!(t.len(), 4);
        // dana levi x io daniel כהנ avi dan co vip buyer
        assert_eq!(t.words(), 11);
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
        let t = TokenIndex::build(&index(&rows));
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
