//! Pulling contacts from GHL into the cache.
//!
//! A pull asks `POST /contacts/search` for contacts sorted by `dateUpdated` ascending, 500 a
//! page, and walks the result with GHL's `searchAfter` cursor (keyset paging): page-number paging
//! stops at 10,000 records and, worse, skips records when contacts change while the pull runs,
//! because every later record shifts by one. The cursor is saved after each page is stored, so
//! an interrupted pull resumes at the next page. A full pull starts from nothing; an incremental
//! pull asks only for `dateUpdated > high_water` of the last finished pull.

use serde_json::json;

use crate::ghl::{GhlClient, GhlError, SearchRequest};
use crate::store::{PullCursor, Store, StoreError};
use crate::sync::PullSummary;

/// Name of the contacts cursor in the `cursors` tree.
pub const CONTACTS_CURSOR: &str = "contacts";

/// Contacts per page (GHL's maximum `pageLimit`).
pub const PAGE_LIMIT: u32 = 500;

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
    pub fetched: u64,
    pub total: Option<u64>,
    /// Ids stored by this page.
    pub ids: Vec<String>,
}

fn now_rfc3339() -> String {
    jiff::Timestamp::now().to_string()
}

/// Pulls contacts into `store`. `full = true` starts over (unless a full pull was interrupted,
/// which is resumed); `full = false` continues an interrupted pull or asks for what changed
/// since the last one (a first-ever incremental pull is a full one).
///
/// `on_page` is called after each page is stored and the cursor saved.
pub async fn pull_contacts(
    client: &GhlClient,
    store: &Store,
    full: bool,
    mut on_page: impl FnMut(&PullProgress),
) -> Result<PullSummary, PullError> {
    let saved = store.cursor(CONTACTS_CURSOR)?;
    let (mut cursor, resumed) = match saved {
        // An interrupted pull: resume it (a full request resumes only an interrupted full pull).
        Some(c) if !c.done && (!full || c.since.is_none()) => (c, true),
        Some(c) if c.done && !full => (
            PullCursor {
                since: c.high_water.clone(),
                high_water: c.high_water,
                ..Default::default()
            },
            false,
        ),
        _ => (PullCursor::default(), false),
    };
    let is_full = cursor.since.is_none();
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
        let page = client.search_contacts(&req).await?;
        for s in &page.skipped {
            tracing::warn!(skipped = %s, "contact in search page not readable");
        }
        let n = page.contacts.len();
        if n > 0 {
            store.put_contacts(&page.contacts)?;
        }
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
            .filter_map(|c| c.date_updated.clone())
            .max()
        {
            if cursor.high_water.as_ref().is_none_or(|h| &max > h) {
                cursor.high_water = Some(max);
            }
        }
        let last_page = n < PAGE_LIMIT as usize || page.last_search_after.is_none();
        if !last_page {
            cursor.search_after = page.last_search_after.clone();
        } else {
            cursor.done = true;
            cursor.finished_at = Some(now_rfc3339());
        }
        store.put_cursor(CONTACTS_CURSOR, &cursor)?;
        on_page(&PullProgress {
            fetched: cursor.fetched,
            total: cursor.total,
            ids: page.contacts.iter().map(|c| c.id.clone()).collect(),
        });
        if last_page {
            break;
        }
    }
    store.set_meta("last_sync", &now_rfc3339())?;
    store.flush()?;
    tracing::info!(
        fetched = summary.fetched,
        pages = summary.pages,
        "contact pull finished"
    );
    Ok(summary)
}

/// Fetches one contact afresh with its tasks, notes and appointments and stores them.
/// A contact GHL no longer has is removed from the cache.
pub async fn fetch_details(
    client: &GhlClient,
    store: &Store,
    contact_id: &str,
) -> Result<(), PullError> {
    match client.get_contact(contact_id).await {
        Ok(c) => store.put_contacts(&[c])?,
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
