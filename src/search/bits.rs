//! A fixed-size set of list ranks (`0..n`) as a bitmap: what the search index
//! ([`super::tokens`], [`super::plan`]) merges posting lists into. One bit a row (125 KB for a
//! million rows); ranks come out ascending, i.e. in list order, with no sort.

/// A set of ranks below `len`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bits {
    words: Vec<u64>,
    len: usize,
}

impl Bits {
    /// The empty set over `0..len`.
    pub fn new(len: usize) -> Bits {
        Bits {
            words: vec![0; len.div_ceil(64)],
            len,
        }
    }

    /// Size of the universe (`n`), not the number of members.
    pub fn universe(&self) -> usize {
        self.len
    }

    /// Adds `rank` (below the universe size).
    #[inline]
    pub fn set(&mut self, rank: u32) {
        let r = rank as usize;
        self.words[r / 64] |= 1 << (r % 64);
    }

    /// True when `rank` is a member.
    #[inline]
    pub fn contains(&self, rank: u32) -> bool {
        let r = rank as usize;
        self.words
            .get(r / 64)
            .is_some_and(|w| w & (1 << (r % 64)) != 0)
    }

    /// Keeps the members also in `other` (same universe).
    pub fn and(&mut self, other: &Bits) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= b;
        }
    }

    /// Adds the members of `other` (same universe).
    pub fn or(&mut self, other: &Bits) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a |= b;
        }
    }

    /// Number of members.
    pub fn count(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// The members, ascending.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.words.iter().enumerate().flat_map(|(i, &w)| {
            let mut w = w;
            std::iter::from_fn(move || {
                if w == 0 {
                    return None;
                }
                let b = w.trailing_zeros();
                w &= w - 1;
                Some((i * 64) as u32 + b)
            })
        })
    }

    /// Bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.words.capacity() * 8
    }
}

/// A candidate set: `None` is "every rank" (the index cannot narrow it).
pub type Cands = Option<Bits>;

/// The intersection of two candidate sets.
pub fn and(a: Cands, b: Cands) -> Cands {
    match (a, b) {
        (None, x) | (x, None) => x,
        (Some(mut a), Some(b)) => {
            a.and(&b);
            Some(a)
        }
    }
}

/// The union of two candidate sets.
pub fn or(a: Cands, b: Cands) -> Cands {
    match (a, b) {
        (None, _) | (_, None) => None,
        (Some(mut a), Some(b)) => {
            a.or(&b);
            Some(a)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_iterate_and_combine() {
        let mut a = Bits::new(130);
        for r in [0, 5, 63, 64, 129] {
            a.set(r);
        }
        assert_eq!(a.iter().collect::<Vec<_>>(), [0, 5, 63, 64, 129]);
        assert_eq!(a.count(), 5);
        assert!(a.contains(64) && !a.contains(65) && !a.contains(500));
        let mut b = Bits::new(130);
        b.set(5);
        b.set(7);
        let i = and(Some(a.clone()), Some(b.clone())).unwrap();
        assert_eq!(i.iter().collect::<Vec<_>>(), [5]);
        let u = or(Some(a.clone()), Some(b)).unwrap();
        assert_eq!(u.count(), 6);
        assert_eq!(and(None, Some(a.clone())), Some(a.clone()));
        assert_eq!(or(None, Some(a)), None);
    }
}
