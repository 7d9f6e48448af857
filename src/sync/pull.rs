//! Pulling contacts from GHL into the cache.
//!
//! A pull asks `POST /contacts/search` for contacts sorted by `dateUpdated` ascending, 500 a
//! page, and walks the result with GHL's `searchAfter` cursor (keyset paging): page-number paging
//! stops at 10,000 records and, worse, skips records when contacts change while the pull runs,
//! because every later record shifts by one. The cursor is saved after each page is stored, so
//! an interrupted pull resumes at the next page. A full pull starts from nothing; an incremental
//! pull asks for `dateUpdated > high_water - overlap` of the last finished pull.
//!
//! **Off the runtime, one page ahead.** Reading a page (JSON, sanitizing every string) and
//! storing it are CPU work, done on blocking threads (`spawn_blocking`), never on the async
//! runtime that also drives the TUI's other requests. While page N is stored (its contacts, then
//! its cursor), page N + 1 is already asked for; it is read once page N is stored, so one
//! blocking thread at a time does the pull's CPU work (threads each keep their own malloc arena:
//! more of them cost memory, not time). Pages are stored one at a time, in order, so the saved
//! cursor never runs ahead of the stored contacts. Requests still go through the client's rate
//! limiter one at a time.
//!
//! **Safety window.** GHL's search index is eventually consistent: a contact written seconds ago
//! may not be found yet, while contacts written after it already are. Were the next pull to
//! start exactly at the largest `dateUpdated` seen, such a contact (its `dateUpdated` now older
//! than the cursor) would never be asked for again. So every incremental pull overlaps the
//! previous one by [`DEFAULT_OVERLAP`] (5 minutes; `[sync] pull_overlap_secs`), and contacts it
//! receives again are de-duplicated by id and `dateUpdated`: one already cached with the same or
//! a newer `dateUpdated` is neither rewritten nor counted as changed. A contact that becomes
//! searchable later than the window is only found by a full pull (`sync --full`).
//!
//! **What changed.** Once the location has a finished pull, every contact a pull (or
//! [`fetch_details`]) is about to overwrite is compared with the cached record first, and the
//! field-level difference (or "created") is recorded with the time seen
//! ([`super::recent`]); recording never fails a pull.

use std::time::Duration;

use serde_json::json;

use crate::domain::Contact;
use crate::ghl::{parse_search_page, GhlClient, GhlError, SearchPage, SearchRequest};
use crate::store::{PullCursor, Store, StoreError};
use crate::sync::PullSummary;

/// Name of the contacts cursor in the `cursors` tree.
pub const CONTACTS_CURSOR: &str = "contacts";

/// Contacts per page (GHL's maximum `pageLimit`).
pub const PAGE_LIMIT: u32 = 500;

/// How far each incremental pull reaches back before the last one's largest `dateUpdated`:
/// 5 minutes, well beyond the seconds GHL's search index is known to lag behind writes.
pub const DEFAULT_OVERLAP: Duration = Duration::from_secs(5 * 60);

/// Errors of a pull.
#[derive(Debug, thiserror::Error)]
pub enum PullError {
    #[error(transparent)]
    Ghl(#[from] GhlError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Progress after each stored page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullProgress {
    /// Contacts received so far in this pull (changed or not).
    pub fetched: u64,
    pub total: Option<u64>,
    /// Ids this page added or changed in the cache (contacts received again unchanged, in the
    /// safety window of an incremental pull, are left out).
    pub ids: Vec<String>,
}

/// `since` of an incremental pull: `high_water` moved back by `overlap` (ISO 8601 UTC with
/// milliseconds, as GHL writes dates). A `high_water` that is not a timestamp is used as is.
fn reach_back(high_water: &str, overlap: Duration) -> String {
    let Ok(t) = high_water.parse::<jiff::Timestamp>() else {
        return high_water.to_owned();
    };
    let back = jiff::SignedDuration::try_from(overlap).unwrap_or(jiff::SignedDuration::ZERO);
    t.checked_sub(back)
        .unwrap_or(t)
        .strftime("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// Whether the cache already holds this version of a contact (or a newer one): same id, cached
/// `dateUpdated` not older than `received`. Unparseable dates count as not held.
fn already_held(cached: Option<&str>, received: Option<&str>) -> bool {
    let ts = |s: &str| s.parse::<jiff::Timestamp>().ok();
    match (cached.and_then(ts), received.and_then(ts)) {
        (Some(c), Some(r)) => c >= r,
        _ => false,
    }
}

fn now_rfc3339() -> String {
    jiff::Timestamp::now().to_string()
}

/// Pulls contacts into `store`. `full = true` starts over (unless a full pull was interrupted,
/// which is resumed); `full = false` continues an interrupted pull or asks for what changed
/// since the last one (a first-ever incremental pull is a full one).
///
/// `on_page` is called after each page is stored and the cursor saved. An incremental pull
/// overlaps the previous one by [`DEFAULT_OVERLAP`] (see [`pull_contacts_with`]).
pub async fn pull_contacts(
    client: &GhlClient,
    store: &Store,
    full: bool,
    on_page: impl FnMut(&PullProgress),
) -> Result<PullSummary, PullError> {
    pull_contacts_with(client, store, full, DEFAULT_OVERLAP, on_page).await
}

/// [`pull_contacts`] with the safety window `overlap`: an incremental pull asks for
/// `dateUpdated > high_water - overlap`, and skips (does not rewrite, does not count as changed)
/// every contact the cache already holds with the same or a newer `dateUpdated`. A full pull
/// writes every contact it receives.
///
/// Errors: the search request failed ([`PullError::Ghl`], naming `POST /contacts/search`) or the
/// cache could not be written ([`PullError::Store`]).
pub async fn pull_contacts_with(
    client: &GhlClient,
    store: &Store,
    full: bool,
    overlap: Duration,
    mut on_page: impl FnMut(&PullProgress),
) -> Result<PullSummary, PullError> {
    let saved = store.cursor(CONTACTS_CURSOR)?;
    let (mut cursor, resumed) = match saved {
        // An interrupted pull: resume it (a full request resumes only an interrupted full pull).
        Some(c) if !c.done && (!full || c.since.is_none()) => (c, true),
        Some(c) if c.done && !full => (
            PullCursor {
                since: c.high_water.as_deref().map(|h| reach_back(h, overlap)),
                high_water: c.high_water,
                ..Default::default()
            },
            false,
        ),
        _ => (PullCursor::default(), false),
    };
    let is_full = cursor.since.is_none();
    // The first pull fills the cache: nothing it stores is a change seen.
    let record_changes = super::recent::recording(store);
    tracing::info!(
        full = is_full,
        resumed,
        pages_done = cursor.pages,
        "contact pull starting"
    );
    let mut summary = PullSummary {
        full: is_full,
        resumed,
        ..Default::default()
    };
    // Page N is stored (with its cursor after it) on a blocking thread while page N + 1 is
    // asked for and read on another; at most one page is being stored at a time, in order.
    let mut storing: Option<tokio::task::JoinHandle<Result<PageStored, StoreError>>> = None;
    loop {
        let mut filters = Vec::new();
        if let Some(since) = &cursor.since {
            filters
                .push(json!({"field": "dateUpdated", "operator": "range", "value": {"gt": since}}));
        }
        let req = SearchRequest {
            page_limit: PAGE_LIMIT,
            page: if cursor.search_after.is_none() {
                Some(1)
            } else {
                None
            },
            search_after: cursor.search_after.clone(),
            filters,
            sort: vec![json!({"field": "dateUpdated", "direction": "asc"})],
            query: None,
        };
        let answer = client.search_contacts_bytes(&req).await;
        // The page before is stored and its cursor saved before this one is read (or its error
        // returned): one blocking thread at a time does the pull's CPU work.
        finish_storing(storing.take(), &mut summary, &mut on_page).await?;
        let page = read_page(answer?).await?;
        for s in &page.skipped {
            tracing::warn!(skipped = %s, "contact in search page not readable");
        }
        let n = page.contacts.len();
        summary.pages += 1;
        summary.fetched += n as u64;
        cursor.pages += 1;
        cursor.fetched += n as u64;
        if cursor.total.is_none() {
            cursor.total = page.total;
        }
        if let Some(max) = page
            .contacts
            .iter()
            .filter_map(|c| c.date_updated.as_deref())
            .max()
        {
            if cursor.high_water.as_deref().is_none_or(|h| max > h) {
                cursor.high_water = Some(max.to_owned());
            }
        }
        let last_page = n < PAGE_LIMIT as usize || page.last_search_after.is_none();
        if !last_page {
            cursor.search_after = page.last_search_after.clone();
        } else {
            cursor.done = true;
            cursor.finished_at = Some(now_rfc3339());
        }
        let (store, saved) = (store.clone(), cursor.clone());
        storing = Some(tokio::task::spawn_blocking(move || {
            store_page(&store, page.contacts, is_full, record_changes, &saved)
        }));
        if last_page {
            break;
        }
    }
    finish_storing(storing.take(), &mut summary, &mut on_page).await?;
    store.set_meta("last_sync", &now_rfc3339())?;
    // The ids of the contacts this pull added go into the index in one pass, in id order.
    store.settle_contact_index()?;
    store.flush()?;
    tracing::info!(
        fetched = summary.fetched,
        changed = summary.changed,
        pages = summary.pages,
        "contact pull finished"
    );
    Ok(summary)
}

/// One answer of the pull's search read (JSON, sanitizing) on a blocking thread.
#[allow(clippy::result_large_err)] // GhlError is the crate's error here, as in `ghl`
async fn read_page(bytes: Vec<u8>) -> Result<SearchPage, PullError> {
    let page = tokio::task::spawn_blocking(move || parse_search_page(&bytes))
        .await
        .unwrap_or_else(rethrow)?;
    Ok(page)
}

/// A blocking task's panic goes on in the caller (a cancelled task only at runtime shutdown).
fn rethrow<T>(e: tokio::task::JoinError) -> T {
    match e.try_into_panic() {
        Ok(panic) => std::panic::resume_unwind(panic),
        Err(e) => panic!("pull task did not finish: {e}"),
    }
}

/// What storing one page did.
struct PageStored {
    progress: PullProgress,
}

/// Stores one page's contacts, then the cursor that follows them (an interrupted pull resumes
/// after the last page whose contacts are all stored). An incremental pull leaves out contacts
/// the cache already holds at the same or a newer `dateUpdated`; what GHL changed is recorded
/// when `record_changes` (`super::recent`).
fn store_page(
    store: &Store,
    contacts: Vec<Contact>,
    is_full: bool,
    record_changes: bool,
    cursor: &PullCursor,
) -> Result<PageStored, StoreError> {
    let mut fresh = contacts;
    if !is_full {
        // Inside the safety window an incremental pull receives contacts it already holds.
        let mut keep = Vec::with_capacity(fresh.len());
        for c in fresh {
            if !already_held(
                store.cached_date_updated(&c.id)?.as_deref(),
                c.date_updated.as_deref(),
            ) {
                keep.push(c);
            }
        }
        fresh = keep;
    }
    if !fresh.is_empty() {
        // What GHL changed, read from the cache before it is overwritten (`super::recent`).
        let seen = record_changes.then(|| {
            let now = jiff::Timestamp::now();
            (super::recent::before_store(store, &fresh, now), now)
        });
        store.put_contacts(&fresh)?;
        if let Some((entries, now)) = seen {
            super::recent::record(store, &entries, now);
        }
    }
    store.put_cursor(CONTACTS_CURSOR, cursor)?;
    Ok(PageStored {
        progress: PullProgress {
            fetched: cursor.fetched,
            total: cursor.total,
            ids: fresh.into_iter().map(|c| c.id).collect(),
        },
    })
}

/// Waits for the page being stored, if any, counts it and reports it to `on_page`.
async fn finish_storing(
    storing: Option<tokio::task::JoinHandle<Result<PageStored, StoreError>>>,
    summary: &mut PullSummary,
    on_page: &mut impl FnMut(&PullProgress),
) -> Result<(), PullError> {
    let Some(task) = storing else {
        return Ok(());
    };
    let done = task.await.unwrap_or_else(rethrow)?;
    summary.changed += done.progress.ids.len() as u64;
    on_page(&done.progress);
    Ok(())
}

/// Fetches one contact afresh with its tasks, notes and appointments and stores them.
/// A contact GHL no longer has is removed from the cache.
pub async fn fetch_details(
    client: &GhlClient,
    store: &Store,
    contact_id: &str,
) -> Result<(), PullError> {
    match client.get_contact(contact_id).await {
        Ok(c) => {
            let fresh = [c];
            let now = jiff::Timestamp::now();
            let seen = super::recent::recording(store)
                .then(|| super::recent::before_store(store, &fresh, now));
            store.put_contacts(&fresh)?;
            if let Some(entries) = seen {
                super::recent::record(store, &entries, now);
            }
        }
        Err(e) if e.is_not_found() => {
            store.remove_contact(contact_id)?;
            return Err(e.into());
        }
        Err(e) => return Err(e.into()),
    }
    let (tasks, notes, appts) = tokio::join!(
        client.contact_tasks(contact_id),
        client.contact_notes(contact_id),
        client.contact_appointments(contact_id)
    );
    store.put_tasks(contact_id, &tasks?)?;
    store.put_notes(contact_id, &notes?)?;
    store.put_appointments(contact_id, &appts?)?;
    Ok(())
}

/// Fetches and stores the location's custom field definitions.
pub async fn fetch_custom_fields(client: &GhlClient, store: &Store) -> Result<usize, PullError> {
    let defs = client.custom_fields().await?;
    store.put_custom_fields(&defs)?;
    Ok(defs.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reach_back_moves_the_high_water_by_the_overlap() {
        assert_eq!(
            reach_back("2026-12-04T10:00:00.250Z", DEFAULT_OVERLAP),
            "2026-12-04T09:55:00.250Z"
        );
        assert_eq!(
            reach_back("2026-12-04T10:00:00Z", Duration::ZERO),
            "2026-12-04T10:00:00.000Z"
        );
        assert_eq!(reach_back("not a date", DEFAULT_OVERLAP), "not a date");
    }

    #[test]
    fn held_means_same_or_newer_date_updated() {
        let t = "2026-12-04T10:00:00.000Z";
        assert!(already_held(Some(t), Some(t)));
        assert!(already_held(Some("2026-12-04T10:00:01Z"), Some(t)));
        assert!(!already_held(Some("2026-12-04T09:59:59.999Z"), Some(t)));
        assert!(!already_held(None, Some(t)));
        assert!(!already_held(Some(t), None));
        assert!(!already_held(Some("garbage"), Some(t)));
    }
}
