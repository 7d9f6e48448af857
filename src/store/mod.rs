//! The local cache: one sled database per GHL location under the data dir.
//!
//! Layout: `<data_dir>/locations/<location_id>/cache.sled`, with trees
//! - `contacts`: contact id → [`Contact`] without `raw_json` (bincode)
//! - `contacts_raw`: contact id → the raw JSON as GHL sent it (sanitized), for the raw view;
//!   DEFLATE-compressed since schema 4 (`raw.rs`)
//! - `contact_rows`: contact id → [`ContactRow`] (bincode; what the list loads, compact:
//!   [`crate::domain::RowList`], `list.rs`)
//! - `tasks`, `notes`, `appointments`: contact id → `Vec<_>` (bincode)
//! - `custom_fields`: field id → [`CustomFieldDef`]
//! - `cursors`: pull name → [`PullCursor`] (JSON)
//! - `meta`: `schema_version`, `last_sync` (RFC 3339 UTC), `location_name`
//! - `changes`: change id (u64 big-endian) → format byte + [`crate::domain::Change`] (bincode)
//! - `outbox`: change id → format byte + [`crate::domain::OutboxInfo`] (dispatch details)
//! - `journal`: sequence → format byte + [`crate::domain::JournalEntry`], append-only
//! - `links`: one record, format byte + bincode map Bmby `client_id` → GHL contact id
//! - `recent`: id (u64 big-endian, in the order seen) → format byte + JSON
//!   [`crate::domain::RecentChange`]: what pulls saw change in GHL, the last
//!   [`RECENT_KEEP`] within [`RECENT_DAYS`] days
//! - `list_changed`: contact id → epoch (`u64` BE): rows written since the list snapshot, a
//!   file beside the sled directory (`list_snapshot.rs`)
//! - `webhook_inbox`, `webhook_seen`, `webhook_applied`: GHL webhook deliveries waiting to be
//!   applied, the `webhookId`s received, the newest event applied per record (`webhooks.rs`)
//!
//! A schema version other than [`SCHEMA_VERSION`] means the cache trees are rebuilt (they only
//! hold data GHL can give again); changes and links are never dropped.
mod changes;
mod cursor;
mod db;
mod list;
pub mod list_snapshot;
mod lock_probe;
mod raw;
mod recent;
mod webhooks;

pub use changes::ChangeHead;
pub use cursor::PullCursor;
pub use db::{Store, StoreError, SCHEMA_VERSION};
pub use recent::{RECENT_DAYS, RECENT_KEEP};
pub use webhooks::{AppliedMark, PutWebhook, StoredWebhook, WEBHOOK_SEEN_KEEP};
