//! The `recent` tree: what pulls saw change in GHL ([`RecentChange`]), in the order seen,
//! bounded to the last [`RECENT_KEEP`] entries within [`RECENT_DAYS`] days (older ones are
//! dropped each time entries are added). Records are a format byte and JSON, so a later field
//! added to the type reads old records with its default.

use jiff::{SignedDuration, Timestamp};

use super::db::Store;
use super::StoreError;
use crate::domain::RecentChange;

/// How many entries the tree keeps at most.
pub const RECENT_KEEP: usize = 2_000;

/// How many days an entry is kept (by its `seen_at`).
pub const RECENT_DAYS: i64 = 7;

/// Format byte of a record: JSON.
const FORMAT_JSON: u8 = 1;

type Result<T> = std::result::Result<T, StoreError>;

impl Store {
    /// Appends `entries` (in the order given) and drops what falls outside the bounds as of
    /// `now`: entries seen more than [`RECENT_DAYS`] days before `now`, then the oldest beyond
    /// [`RECENT_KEEP`]. Returns how many were dropped.
    ///
    /// Errors: the sled write failed ([`StoreError::Sled`], naming the cache path).
    pub fn put_recent(&self, entries: &[RecentChange], now: Timestamp) -> Result<usize> {
        if !entries.is_empty() {
            let mut b = sled::Batch::default();
            for e in entries {
                let mut v = vec![FORMAT_JSON];
                v.extend(serde_json::to_vec(e).expect("JSON encoding of plain data cannot fail"));
                b.insert(&self.next_id()?.to_be_bytes(), v);
            }
            self.recent.apply_batch(b).map_err(|e| self.err(e))?;
        }
        self.prune_recent(now)
    }

    fn prune_recent(&self, now: Timestamp) -> Result<usize> {
        let oldest = now
            .checked_sub(SignedDuration::from_hours(24 * RECENT_DAYS))
            .unwrap_or(now);
        let mut count = self.recent.len();
        let mut dropped = 0;
        for kv in self.recent.iter() {
            let (k, v) = kv.map_err(|e| self.err(e))?;
            let too_many = count > RECENT_KEEP;
            let too_old = match self.decode_recent(&k, &v) {
                Some(e) => e.seen_at.parse::<Timestamp>().map_or(true, |t| t < oldest),
                // An unreadable record goes too.
                None => true,
            };
            if !too_many && !too_old {
                break;
            }
            self.recent.remove(&k).map_err(|e| self.err(e))?;
            count -= 1;
            dropped += 1;
        }
        Ok(dropped)
    }

    fn decode_recent(&self, k: &[u8], v: &[u8]) -> Option<RecentChange> {
        match v.split_first() {
            Some((&FORMAT_JSON, json)) => match serde_json::from_slice(json) {
                Ok(e) => Some(e),
                Err(e) => {
                    tracing::warn!(key = ?k, error = %e, "skipping unreadable recent-change record");
                    None
                }
            },
            _ => {
                tracing::warn!(key = ?k, "skipping recent-change record of an unknown format");
                None
            }
        }
    }

    /// Every kept entry, oldest seen first. Unreadable records are skipped (and logged).
    ///
    /// Errors: the sled read failed ([`StoreError::Sled`]).
    pub fn recent(&self) -> Result<Vec<RecentChange>> {
        let mut out = Vec::new();
        for kv in self.recent.iter() {
            let (k, v) = kv.map_err(|e| self.err(e))?;
            out.extend(self.decode_recent(&k, &v));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, seen_at: &str) -> RecentChange {
        RecentChange {
            seen_at: seen_at.into(),
            contact_id: id.into(),
            name: id.into(),
            ..Default::default()
        }
    }

    #[test]
    fn entries_come_back_in_order_and_old_ones_are_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path(), "loc").unwrap();
        let now: Timestamp = "2026-12-10T10:00:00Z".parse().unwrap();
        let dropped = s
            .put_recent(
                &[
                    entry("old", "2026-12-01T10:00:00Z"),
                    entry("a", "2026-12-09T10:00:00Z"),
                    entry("b", "2026-12-10T09:00:00Z"),
                ],
                now,
            )
            .unwrap();
        assert_eq!(dropped, 1, "eight days old");
        let ids: Vec<_> = s
            .recent()
            .unwrap()
            .into_iter()
            .map(|e| e.contact_id)
            .collect();
        assert_eq!(ids, ["a", "b"]);
    }

    #[test]
    fn at_most_the_last_keep_entries_stay() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path(), "loc").unwrap();
        let now: Timestamp = "2026-12-10T10:00:00Z".parse().unwrap();
        let batch: Vec<_> = (0..RECENT_KEEP + 5)
            .map(|i| entry(&format!("c{i}"), "2026-12-10T09:00:00Z"))
            .collect();
        assert_eq!(s.put_recent(&batch, now).unwrap(), 5);
        let kept = s.recent().unwrap();
        assert_eq!(kept.len(), RECENT_KEEP);
        assert_eq!(kept[0].contact_id, "c5");
        assert_eq!(
            kept.last().unwrap().contact_id,
            format!("c{}", RECENT_KEEP + 4)
        );
    }
}
