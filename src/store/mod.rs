//! The local cache: one sled database per GHL location under the data dir.
//!
//! Layout: `<data_dir>/locations/<location_id>/cache.sled`, with trees
//! - `contacts_by_seq`: sequence number (`u64` BE, in the order first stored) → ONE record a
//!   contact (`record.rs`): the list row ([`ContactRow`], what the list loads: compact,
//!   [`crate::domain::RowList`], `list.rs`), the [`Contact`] without `raw_json`, and the raw
//!   JSON as GHL sent it (sanitized, zstd with a trained dictionary: `raw.rs`), each part read
//!   without decoding the others; `contact_id_buckets`: contact id → its sequence number, in
//!   buckets (`id_buckets.rs`; `contact_table.rs`: why the order stored, and how the index is
//!   kept). Schema 6 kept the same records keyed by id (`contact_records`), schema 5 in three
//!   trees (`contacts`, `contact_rows`, `contacts_raw`): `migrate.rs`
//! - `tasks`, `notes`, `appointments`: contact id → `Vec<_>` (bincode)
//! - `custom_fields`: field id → [`CustomFieldDef`]
//! - `cursors`: pull name → [`PullCursor`] (JSON)
//! - `meta`: `schema_version`, `last_sync` (RFC 3339 UTC), `location_name`,
//!   `contact_seqs_through` (`contact_table.rs`)
//! - `changes`: change id (u64 big-endian) → format byte + [`crate::domain::Change`] (bincode)
//! - `outbox`: change id → format byte + [`crate::domain::OutboxInfo`] (dispatch details)
//! - `journal`: sequence → format byte + [`crate::domain::JournalEntry`], append-only
//! - `links`: one record, format byte + bincode map Bmby `client_id` → GHL contact id
//! - `recent`: id (u64 big-endian, in the order seen) → format byte + JSON
//!   [`crate::domain::RecentChange`]: what pulls saw change in GHL, the last
//!   [`RECENT_KEEP`] within [`RECENT_DAYS`] days
//! - `list_marks`: (epoch `u64` BE, id `u64` BE) → the contact ids of one write since the
//!   list snapshot, a file beside the sled directory (`list_snapshot.rs`); a big write makes
//!   the snapshot stale instead (schema 5 had `list_changed`, one record per id)
//! - `webhook_inbox`, `webhook_seen`, `webhook_applied`: GHL webhook deliveries waiting to be
//!   applied, the `webhookId`s received, the newest event applied per record (`webhooks.rs`)
//!
//! A cache of schema 2 to 6 is migrated keeping every contact (`migrate.rs`), then copied
//! into a new directory that replaces it (`compact.rs`: sled never shrinks its files); another older
//! schema version means the cache trees are rebuilt (they only hold data GHL can give again);
//! changes, outbox, journal, links, recent entries and webhook records are never dropped.
mod changes;
mod compact;
mod contact_table;
mod cursor;
mod db;
mod id_buckets;
mod list;
pub mod list_snapshot;
mod lock_probe;
mod migrate;
mod raw;
mod recent;
mod record;
mod webhooks;

pub use changes::ChangeHead;
pub use compact::upgrade_likely;
pub use cursor::PullCursor;
pub use db::{Store, StoreError, SCHEMA_VERSION};
#[doc(hidden)]
pub use migrate::{write_v5_contacts, write_v6_contacts};
pub use recent::{RECENT_DAYS, RECENT_KEEP};
pub use webhooks::{AppliedMark, PutWebhook, StoredWebhook, WEBHOOK_SEEN_KEEP};
