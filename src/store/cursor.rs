//! Where a pull of contacts stands, saved after every page.

use serde::{Deserialize, Serialize};

/// The state of a contact pull (`POST /contacts/search` sorted by `dateUpdated` ascending).
///
/// A pull in progress has `search_after` set to the last item's `searchAfter` pair; a finished
/// pull has `done = true` and `high_water` = the largest `dateUpdated` seen, which is where the
/// next incremental pull starts (`dateUpdated > high_water`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PullCursor {
    /// `None` for a full pull; else only contacts updated after this ISO 8601 time are asked for.
    pub since: Option<String>,
    /// `searchAfter` of the last contact stored, as GHL gave it (e.g. `[1700000000000, "id"]`).
    pub search_after: Option<serde_json::Value>,
    /// Pages stored so far in this pull.
    pub pages: u32,
    /// Contacts stored so far in this pull.
    pub fetched: u64,
    /// `total` GHL reported for this pull.
    pub total: Option<u64>,
    /// Largest `dateUpdated` seen (ISO 8601 UTC).
    pub high_water: Option<String>,
    pub done: bool,
    /// When the pull finished (RFC 3339 UTC).
    pub finished_at: Option<String>,
}
