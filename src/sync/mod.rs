//! Background work: pulling GHL into the cache, and (later) matching, diffing and dispatching.
//! Runs on the tokio runtime and reports to the UI by [`SyncEvent`] messages.
pub mod events;

pub use events::{Job, PullSummary, SyncEvent};
