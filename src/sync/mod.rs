//! Background work: pulling GHL into the cache, and (later) matching, diffing and dispatching.
//! Runs on the tokio runtime and reports to the UI by [`SyncEvent`] messages. Never imports the UI.
pub mod client_view;
pub mod crawl;
pub mod diff;
pub mod dispatch;
pub mod dispatch_run;
pub mod events;
pub mod import;
pub mod import_problems;
pub mod journal;
pub mod local;
pub mod location_zone;
pub mod mapping;
pub mod match_warnings;
pub mod matching;
pub mod op_check;
pub mod ops;
pub mod pull;
pub mod recent;
pub mod revert;
pub mod review;
pub mod users;
pub mod worker;
pub mod writeback;

pub use events::{Job, PullSummary, SyncEvent};
pub use pull::{fetch_custom_fields, fetch_details, pull_contacts, PullError, PullProgress};
pub use worker::{spawn as spawn_worker, WorkerConfig};
