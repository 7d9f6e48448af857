//! The webhook trees of a location's cache (see [`crate::webhooks`]):
//! - `webhook_inbox`: id (u64 big-endian, in the order received) → format byte + JSON
//!   [`StoredWebhook`]: each verified delivery, stored (and flushed) before the receiver answers
//!   2xx, removed once applied to the cache;
//! - `webhook_seen`: `webhookId` → when it was received (epoch ms, u64 big-endian): repeated
//!   deliveries are refused; kept [`WEBHOOK_SEEN_KEEP`];
//! - `webhook_applied`: record key (`contact:<id>`, `task:<id>`, …) → JSON [`AppliedMark`]: the
//!   newest event applied to that record, so an older one arriving late changes nothing.
//!
//! The seen id and the inbox entry are written in one sled transaction: a delivery is either
//! stored and remembered, or neither.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sled::transaction::{ConflictableTransactionError, TransactionError};
use sled::Transactional;

use super::db::Store;
use super::StoreError;

/// How long a `webhookId` is remembered: 24 hours, well over the receiver's timestamp window
/// ([`crate::webhooks::verify::DEFAULT_MAX_AGE`]), so a replay is refused by one or the other.
pub const WEBHOOK_SEEN_KEEP: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

const FORMAT_JSON: u8 = 1;

/// A verified delivery waiting in the inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredWebhook {
    /// When it was received: epoch milliseconds.
    pub received_ms: i64,
    /// The raw body as received (verified; parsed and sanitized when applied).
    pub body: String,
}

/// The newest event applied to one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedMark {
    /// The event's time (its `dateUpdated` when it has one, else its `timestamp`): epoch ms.
    pub at_ms: i64,
    /// The event deleted the record.
    pub deleted: bool,
}

/// What [`Store::put_webhook`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutWebhook {
    /// Stored under this inbox id.
    Stored(u64),
    /// The `webhookId` was received before: nothing stored.
    Duplicate,
}

type Result<T> = std::result::Result<T, StoreError>;

impl Store {
    fn hook_tree(&self, name: &'static str) -> Result<sled::Tree> {
        self.db.open_tree(name).map_err(|e| self.err(e))
    }

    /// Stores a verified delivery unless its `webhook_id` was seen: the seen mark and the inbox
    /// entry in one transaction. Not flushed: call [`Store::flush_webhooks`] before answering.
    ///
    /// Errors: the sled write failed ([`StoreError::Sled`]).
    pub fn put_webhook(
        &self,
        webhook_id: &str,
        received: Timestamp,
        body: &str,
    ) -> Result<PutWebhook> {
        let seen = self.hook_tree("webhook_seen")?;
        let inbox = self.hook_tree("webhook_inbox")?;
        let id = self.next_id()?;
        let ms = received.as_millisecond();
        let mut v = vec![FORMAT_JSON];
        v.extend(
            serde_json::to_vec(&StoredWebhook {
                received_ms: ms,
                body: body.to_owned(),
            })
            .expect("JSON encoding of plain data cannot fail"),
        );
        let r = (&seen, &inbox).transaction(|(s, i)| {
            if s.get(webhook_id.as_bytes())?.is_some() {
                return Err(ConflictableTransactionError::Abort(()));
            }
            s.insert(webhook_id.as_bytes(), &(ms as u64).to_be_bytes())?;
            i.insert(&id.to_be_bytes(), v.as_slice())?;
            Ok(())
        });
        match r {
            Ok(()) => Ok(PutWebhook::Stored(id)),
            Err(TransactionError::Abort(())) => Ok(PutWebhook::Duplicate),
            Err(TransactionError::Storage(e)) => Err(self.err(e)),
        }
    }

    /// Flushes the database to disk (what makes a stored delivery durable), on a blocking
    /// thread; concurrent calls wait for the same stable point of sled's log. (sled's own
    /// `flush_async` hung under concurrent callers in our tests.)
    ///
    /// Errors: the flush failed.
    pub async fn flush_webhooks(&self) -> Result<()> {
        let s = self.clone();
        match tokio::task::spawn_blocking(move || s.flush()).await {
            Ok(r) => r,
            Err(e) => Err(self.err(sled::Error::Io(std::io::Error::other(e.to_string())))),
        }
    }

    /// The first `limit` deliveries waiting in the inbox, oldest received first. An unreadable
    /// entry is returned with an empty body (the applier drops it, logged).
    ///
    /// Errors: the sled read failed.
    pub fn webhook_inbox(&self, limit: usize) -> Result<Vec<(u64, StoredWebhook)>> {
        let inbox = self.hook_tree("webhook_inbox")?;
        let mut out = Vec::new();
        for kv in inbox.iter().take(limit) {
            let (k, v) = kv.map_err(|e| self.err(e))?;
            let id = <[u8; 8]>::try_from(&k[..]).map_or(0, u64::from_be_bytes);
            let w = match v.split_first() {
                Some((&FORMAT_JSON, json)) => serde_json::from_slice(json).ok(),
                _ => None,
            }
            .unwrap_or_else(|| {
                tracing::warn!(id, "unreadable webhook inbox entry");
                StoredWebhook {
                    received_ms: 0,
                    body: String::new(),
                }
            });
            out.push((id, w));
        }
        Ok(out)
    }

    /// How many deliveries wait in the inbox.
    pub fn webhook_inbox_len(&self) -> Result<usize> {
        Ok(self.hook_tree("webhook_inbox")?.len())
    }

    /// Removes an applied (or dropped) delivery from the inbox.
    ///
    /// Errors: the sled write failed.
    pub fn remove_webhook(&self, id: u64) -> Result<()> {
        self.hook_tree("webhook_inbox")?
            .remove(id.to_be_bytes())
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Whether a `webhookId` was received (and is still remembered).
    pub fn webhook_seen(&self, webhook_id: &str) -> Result<bool> {
        self.hook_tree("webhook_seen")?
            .contains_key(webhook_id.as_bytes())
            .map_err(|e| self.err(e))
    }

    /// Forgets `webhookId`s received more than [`WEBHOOK_SEEN_KEEP`] before `now`; how many.
    ///
    /// Errors: the sled write failed.
    pub fn prune_webhook_seen(&self, now: Timestamp) -> Result<usize> {
        let seen = self.hook_tree("webhook_seen")?;
        let oldest = now.as_millisecond() - WEBHOOK_SEEN_KEEP.as_millis() as i64;
        let mut n = 0;
        for kv in seen.iter() {
            let (k, v) = kv.map_err(|e| self.err(e))?;
            let at = <[u8; 8]>::try_from(&v[..]).map_or(0, u64::from_be_bytes) as i64;
            if at < oldest {
                seen.remove(k).map_err(|e| self.err(e))?;
                n += 1;
            }
        }
        Ok(n)
    }

    /// The newest event applied to a record (`contact:<id>`, …), if any.
    ///
    /// Errors: the sled read failed.
    pub fn webhook_applied(&self, record: &str) -> Result<Option<AppliedMark>> {
        Ok(self
            .hook_tree("webhook_applied")?
            .get(record.as_bytes())
            .map_err(|e| self.err(e))?
            .and_then(|v| serde_json::from_slice(&v).ok()))
    }

    /// Records the newest event applied to a record.
    ///
    /// Errors: the sled write failed.
    pub fn put_webhook_applied(&self, record: &str, mark: AppliedMark) -> Result<()> {
        self.hook_tree("webhook_applied")?
            .insert(
                record.as_bytes(),
                serde_json::to_vec(&mark).expect("plain data"),
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_webhook_id_is_stored_once_and_kept_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path(), "loc").unwrap();
        let now: Timestamp = "2026-12-04T12:00:00Z".parse().unwrap();
        assert!(matches!(
            s.put_webhook("w1", now, "{\"a\":1}").unwrap(),
            PutWebhook::Stored(_)
        ));
        assert_eq!(
            s.put_webhook("w1", now, "{\"a\":2}").unwrap(),
            PutWebhook::Duplicate
        );
        s.put_webhook("w2", now, "{\"b\":1}").unwrap();
        let inbox = s.webhook_inbox(10).unwrap();
        let bodies: Vec<_> = inbox.iter().map(|(_, w)| w.body.as_str()).collect();
        assert_eq!(bodies, ["{\"a\":1}", "{\"b\":1}"]);
        s.remove_webhook(inbox[0].0).unwrap();
        assert_eq!(s.webhook_inbox_len().unwrap(), 1);
        let later = now
            .checked_add(jiff::SignedDuration::from_hours(25))
            .unwrap();
        assert_eq!(s.prune_webhook_seen(later).unwrap(), 2);
        assert!(!s.webhook_seen("w1").unwrap());
    }
}

#[cfg(test)]
mod flush {
    use super::*;

    #[tokio::test(flavor = "multi_thread")]
    async fn a_stored_delivery_is_flushed() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path(), "loc").unwrap();
        s.put_notes("c1", &[]).unwrap();
        let now: Timestamp = "2026-12-04T12:00:00Z".parse().unwrap();
        s.put_webhook("w1", now, "{}").unwrap();
        tokio::time::timeout(std::time::Duration::from_secs(10), s.flush_webhooks())
            .await
            .expect("flush returns")
            .unwrap();
    }
}
