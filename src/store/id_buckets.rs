//! The index from contact id to sequence number, as buckets (`contact_id_buckets`, schema 7).
//!
//! A bucket is one sled record: key = the top 16 bits of the id's hash ([`bucket_of`], `u16`
//! big-endian, so at most 65,536 records), value = its entries back to back, each
//! `[id length u16 LE][id][sequence number u64 BE]`, in no particular order (a million
//! contacts: about 15 a bucket, 430 bytes).
//!
//! Why buckets: sled keeps state for every node of every tree from the moment it opens. One
//! record per id (a 20-byte key, an 8-byte value) made about 110,000 leaves at a million
//! contacts, and sled's open held 36 MB more for them (measured on sled alone: 45 → 82 MB);
//! 65,536 buckets make a few thousand leaves.

/// The bucket key of an id: the top 16 bits of `hash` (the id's 64-bit hash), big-endian.
pub(super) fn bucket_of(hash: u64) -> [u8; 2] {
    ((hash >> 48) as u16).to_be_bytes()
}

/// The entries of a bucket's value, `(id, sequence number)`; stops at a damaged tail.
fn entries(bucket: &[u8]) -> impl Iterator<Item = (&[u8], u64)> {
    let mut rest = bucket;
    std::iter::from_fn(move || {
        let len = u16::from_le_bytes(rest.get(..2)?.try_into().ok()?) as usize;
        let id = rest.get(2..2 + len)?;
        let seq = u64::from_be_bytes(rest.get(2 + len..10 + len)?.try_into().ok()?);
        rest = &rest[10 + len..];
        Some((id, seq))
    })
}

/// The sequence number of `id` in a bucket's value, if it is there.
pub(super) fn find(bucket: &[u8], id: &str) -> Option<u64> {
    entries(bucket)
        .find(|(i, _)| *i == id.as_bytes())
        .map(|(_, s)| s)
}

/// A bucket's value with `adds` set (an id already there gets the new number) and `removes`
/// taken out; `None` when nothing is left. Ids longer than 65,535 bytes are not indexed (GHL's
/// are 20): they read as not cached.
pub(super) fn edited(
    old: Option<&[u8]>,
    adds: &[(&str, u64)],
    removes: &[&str],
) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(old.map_or(0, <[u8]>::len) + adds.len() * 30);
    let mut push = |id: &[u8], seq: u64| {
        if let Ok(len) = u16::try_from(id.len()) {
            out.extend_from_slice(&len.to_le_bytes());
            out.extend_from_slice(id);
            out.extend_from_slice(&seq.to_be_bytes());
        }
    };
    for (id, seq) in entries(old.unwrap_or_default()) {
        let replaced = removes.iter().any(|r| r.as_bytes() == id)
            || adds.iter().any(|(a, _)| a.as_bytes() == id);
        if !replaced {
            push(id, seq);
        }
    }
    for (id, seq) in adds {
        push(id.as_bytes(), *seq);
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_sets_replaces_and_removes_ids() {
        let b = edited(None, &[("a", 1), ("bb", 2)], &[]).unwrap();
        assert_eq!(find(&b, "a"), Some(1));
        assert_eq!(find(&b, "bb"), Some(2));
        assert_eq!(find(&b, "b"), None);
        let b = edited(Some(&b), &[("a", 7), ("c", 3)], &["bb"]).unwrap();
        assert_eq!(find(&b, "a"), Some(7));
        assert_eq!(find(&b, "bb"), None);
        assert_eq!(find(&b, "c"), Some(3));
        assert_eq!(entries(&b).count(), 2);
        assert_eq!(edited(Some(&b), &[], &["a", "c"]), None);
    }

    #[test]
    fn a_damaged_bucket_reads_what_is_whole() {
        let mut b = edited(None, &[("a", 1), ("b", 2)], &[]).unwrap();
        b.truncate(b.len() - 3);
        assert_eq!(find(&b, "a"), Some(1));
        assert_eq!(find(&b, "b"), None);
    }
}
