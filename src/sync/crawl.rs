//! The background crawl: tasks, notes and appointments of every cached contact, not only of
//! the contacts someone opened (`bmby-ghl serve` runs it; the TUI may too).
//!
//! **Order.** A pass walks the cached contacts from the most recently updated down (by the
//! contact's `dateUpdated`, then id, both descending): contacts with recent activity first.
//! A contact updated while a pass runs moves ahead of the pass's position and is left to the
//! next pass (and to [`refresh_recent_tasks`] meanwhile).
//!
//! **Cost.** Each contact is three requests (`GET /contacts/{id}/tasks`, `…/notes`,
//! `…/appointments`), one contact at a time, in the rate limiter's background lane
//! ([`crate::ghl::background`]): at most half of each window, so pulls, sends and the contact on
//! screen always have the other half. With GHL's default 100 requests per 10 s that is about
//! 1.7 contacts a second. While GHL's daily budget is below a fifth of its limit
//! ([`daily_reserve_reached`]) the crawl pauses ([`CrawlStep::Paused`]).
//!
//! **Resumable.** The position is the [`CrawlCursor`] in the store's meta tree under
//! [`CRAWL_CURSOR`] (JSON), saved after each contact's activity is stored: a crawl stopped
//! (SIGTERM, a crash) continues with the next contact of the same pass.
//!
//! **Recent activity.** GHL sends no webhook when a task is edited (there is no TaskUpdate
//! event), so the tasks of contacts with recent activity are re-fetched on a short interval:
//! [`recent_contact_ids`] picks them, [`refresh_tasks`] fetches them
//! ([`refresh_recent_tasks`] does both).

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::pull::PullError;
use crate::domain::ContactRow;
use crate::ghl::{GhlClient, RateBudget};
use crate::store::Store;

/// Key of the crawl's position in the store's `meta` tree.
pub const CRAWL_CURSOR: &str = "crawl_cursor";

/// How long a finished pass rests before the next one starts (OUR CHOICE: an hour; new and
/// changed contacts' tasks are refreshed meanwhile by [`refresh_recent_tasks`]).
pub const DEFAULT_REST: Duration = Duration::from_secs(60 * 60);

/// How often the tasks of contacts with recent activity are re-fetched (OUR CHOICE).
pub const RECENT_TASKS_EVERY: Duration = Duration::from_secs(2 * 60);

/// What counts as recent activity: a `dateUpdated` within this long (OUR CHOICE: a day).
pub const RECENT_WINDOW: Duration = Duration::from_secs(24 * 60 * 60);

/// At most this many contacts' tasks per refresh, the most recently updated first (50
/// requests every 2 minutes: under 1% of GHL's default budget).
pub const RECENT_CAP: usize = 50;

/// Where the crawl stands (JSON in the store's meta tree, [`CRAWL_CURSOR`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrawlCursor {
    /// The pass under way or last finished, from 1 (0: none started yet).
    pub pass: u64,
    /// When this pass started (RFC 3339 UTC).
    pub started_at: Option<String>,
    /// Sort key (`dateUpdated`, id) of the last contact done in this pass; the next one is the
    /// largest key below it. `None`: the pass starts at the most recently updated contact.
    pub after: Option<(String, String)>,
    /// Contacts whose activity this pass stored.
    pub done: u64,
    /// Contacts this pass could not fetch (logged; left to the next pass).
    pub failed: u64,
    /// When this pass finished (RFC 3339 UTC); `None` while it runs.
    pub finished_at: Option<String>,
}

impl CrawlCursor {
    /// The saved cursor (the default when none is saved yet, or it is unreadable: a crawl
    /// that starts over costs requests, never data).
    pub fn load(store: &Store) -> CrawlCursor {
        store
            .meta(CRAWL_CURSOR)
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default()
    }

    /// Saves the cursor in the store's meta tree.
    pub fn save(&self, store: &Store) -> Result<(), crate::store::StoreError> {
        store.set_meta(
            CRAWL_CURSOR,
            &serde_json::to_string(self).expect("cursor serializes"),
        )
    }

    /// Whether a pass is under way (started, not finished).
    pub fn running(&self) -> bool {
        self.pass > 0 && self.finished_at.is_none()
    }
}

/// What one [`crawl_step`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CrawlStep {
    /// The activity of this contact is stored (or, `ok: false`, could not be fetched: logged,
    /// left to the next pass).
    Contact { id: String, ok: bool },
    /// The pass reached its last contact; the cursor says when and how many.
    PassFinished(CrawlCursor),
    /// Nothing done: GHL's daily budget is low ([`daily_reserve_reached`]).
    Paused,
}

/// True when GHL's last answer said less than a fifth of the daily budget is left: the
/// crawl then leaves the rest to people's work (OUR CHOICE: 20%).
pub fn daily_reserve_reached(b: &RateBudget) -> bool {
    match (b.daily_limit, b.daily_remaining) {
        (Some(limit), Some(left)) => u64::from(left) * 5 < u64::from(limit),
        _ => false,
    }
}

fn now_rfc3339() -> String {
    jiff::Timestamp::now().to_string()
}

fn key_of(r: &ContactRow) -> (String, String) {
    (r.date_updated.clone(), r.id.clone())
}

/// The next `n` contacts of the pass: the largest (`dateUpdated`, id) keys below `after` (any,
/// when `None`), largest first; empty when the pass is through.
fn next_batch(
    rows: &[ContactRow],
    after: Option<&(String, String)>,
    n: usize,
) -> Vec<(String, String)> {
    let mut keys: Vec<(String, String)> = rows
        .iter()
        .map(key_of)
        .filter(|k| after.is_none_or(|a| k < a))
        .collect();
    keys.sort_unstable_by(|a, b| b.cmp(a));
    keys.truncate(n);
    keys
}

/// Fetches the tasks, notes and appointments of one contact (three requests at once) and
/// stores them. Errors: the first GHL error of the three (nothing of that contact is stored
/// then), or the store's.
pub async fn fetch_activity(
    client: &GhlClient,
    store: &Store,
    contact_id: &str,
) -> Result<(), PullError> {
    let (tasks, notes, appts) = tokio::join!(
        client.contact_tasks(contact_id),
        client.contact_notes(contact_id),
        client.contact_appointments(contact_id)
    );
    let (tasks, notes, appts) = (tasks?, notes?, appts?);
    store.put_tasks(contact_id, &tasks)?;
    store.put_notes(contact_id, &notes)?;
    store.put_appointments(contact_id, &appts)?;
    Ok(())
}

/// Contacts a [`Crawler`] reads ahead from the cache's list at a time.
pub const READ_AHEAD: usize = 500;

/// The crawl of one location with its read-ahead: the next [`READ_AHEAD`] contacts of the pass
/// in memory, so the cache's list is read once per 500 contacts, not once per contact (100,000
/// list rows take a few hundred milliseconds to read).
pub struct Crawler {
    client: GhlClient,
    store: Store,
    /// The next contacts of the pass (`dateUpdated`, id), in crawl order.
    queue: std::collections::VecDeque<(String, String)>,
    /// The pass the queue belongs to.
    queue_pass: u64,
}

impl Crawler {
    /// A crawler of `store`'s contacts, asking `client`.
    pub fn new(client: GhlClient, store: Store) -> Crawler {
        Crawler {
            client,
            store,
            queue: Default::default(),
            queue_pass: 0,
        }
    }

    /// One step of the crawl, in the rate limiter's background lane: starts a pass when none
    /// runs, then fetches the next contact's activity and saves the cursor. A contact GHL
    /// cannot give (not found, refused) is logged, counted in [`CrawlCursor::failed`] and
    /// passed over; a contact no longer cached is passed over silently.
    ///
    /// Errors: the store; GHL's daily budget spent or GHL unreachable ([`PullError::Ghl`]: the
    /// cursor stays on that contact, so the next step tries it again).
    pub async fn step(&mut self) -> Result<CrawlStep, PullError> {
        let (client, store) = (&self.client, &self.store);
        if daily_reserve_reached(&client.budget().await) {
            return Ok(CrawlStep::Paused);
        }
        let mut cursor = CrawlCursor::load(store);
        if !cursor.running() {
            cursor = CrawlCursor {
                pass: cursor.pass + 1,
                started_at: Some(now_rfc3339()),
                ..Default::default()
            };
            cursor.save(store)?;
            tracing::info!(pass = cursor.pass, "crawl pass starting");
        }
        if self.queue_pass != cursor.pass {
            self.queue.clear();
            self.queue_pass = cursor.pass;
        }
        let key = loop {
            if self.queue.is_empty() {
                let rows = store.contact_rows()?;
                self.queue = next_batch(&rows, cursor.after.as_ref(), READ_AHEAD).into();
            }
            let Some(key) = self.queue.pop_front() else {
                cursor.finished_at = Some(now_rfc3339());
                cursor.save(store)?;
                store.flush()?;
                tracing::info!(
                    pass = cursor.pass,
                    done = cursor.done,
                    failed = cursor.failed,
                    "crawl pass finished"
                );
                return Ok(CrawlStep::PassFinished(cursor));
            };
            // Removed from the cache since it was read ahead: nothing to fetch for it.
            if !key.0.is_empty() && store.cached_date_updated(&key.1)?.is_none() {
                cursor.after = Some(key);
                continue;
            }
            break key;
        };
        let id = key.1.clone();
        let r = crate::ghl::background(fetch_activity(client, store, &id)).await;
        let ok = match r {
            Ok(()) => true,
            Err(PullError::Ghl(e))
                if e.is_not_found() || e.status().is_some_and(|s| s < 500 && s != 429) =>
            {
                tracing::warn!(contact = %id, error = %crate::sanitize::clean_line(&e.to_string()), "crawl: activity not fetched; passed over");
                false
            }
            Err(e) => {
                // Tried again by the next step.
                self.queue.push_front(key);
                return Err(e);
            }
        };
        if ok {
            cursor.done += 1;
        } else {
            cursor.failed += 1;
        }
        cursor.after = Some(key);
        cursor.save(store)?;
        tracing::debug!(contact = %id, ok, done = cursor.done, "crawl: contact done");
        Ok(CrawlStep::Contact { id, ok })
    }
}

/// One step of the crawl without read-ahead: [`Crawler::step`] of a new [`Crawler`] (reads
/// the cache's list on every call; a long-running crawl keeps one [`Crawler`]).
pub async fn crawl_step(client: &GhlClient, store: &Store) -> Result<CrawlStep, PullError> {
    Crawler::new(client.clone(), store.clone()).step().await
}

/// The contacts with recent activity: `dateUpdated` at or after `since`, the most recently
/// updated first, at most `cap`.
pub fn recent_contact_ids(
    store: &Store,
    since: jiff::Timestamp,
    cap: usize,
) -> Result<Vec<String>, crate::store::StoreError> {
    let mut recent: Vec<(jiff::Timestamp, String)> = store
        .contact_rows()?
        .into_iter()
        .filter_map(|r| {
            let t = r.date_updated.parse::<jiff::Timestamp>().ok()?;
            (t >= since).then_some((t, r.id))
        })
        .collect();
    recent.sort_unstable_by(|a, b| b.cmp(a));
    Ok(recent.into_iter().take(cap).map(|(_, id)| id).collect())
}

/// Re-fetches the tasks of `ids` (`GET /contacts/{id}/tasks`, one after another, background
/// lane) and stores them; returns how many were stored. A contact GHL cannot give is logged
/// and passed over. Errors: the store, or a GHL error that is not about that one contact
/// (unreachable, daily budget spent).
pub async fn refresh_tasks(
    client: &GhlClient,
    store: &Store,
    ids: &[String],
) -> Result<usize, PullError> {
    let mut stored = 0;
    for id in ids {
        match crate::ghl::background(client.contact_tasks(id)).await {
            Ok(tasks) => {
                store.put_tasks(id, &tasks)?;
                stored += 1;
            }
            Err(e) if e.status().is_some_and(|s| s < 500 && s != 429) => {
                tracing::warn!(contact = %id, error = %crate::sanitize::clean_line(&e.to_string()), "tasks not refreshed");
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(stored)
}

/// [`refresh_tasks`] of the contacts updated within [`RECENT_WINDOW`], at most
/// [`RECENT_CAP`]: what stands in for GHL's missing TaskUpdate webhook.
pub async fn refresh_recent_tasks(client: &GhlClient, store: &Store) -> Result<usize, PullError> {
    let back = jiff::SignedDuration::try_from(RECENT_WINDOW).unwrap_or_default();
    let since = jiff::Timestamp::now()
        .checked_sub(back)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let ids = recent_contact_ids(store, since, RECENT_CAP)?;
    refresh_tasks(client, store, &ids).await
}

/// How long the crawl waits after an error before it tries again (GHL unreachable, the store).
pub const ERROR_PAUSE: Duration = Duration::from_secs(60);

/// How long the crawl pauses while GHL's daily budget is low ([`daily_reserve_reached`]).
pub const BUDGET_PAUSE: Duration = Duration::from_secs(10 * 60);

/// Waits `d`, or less when `stop` turns true; returns whether to stop.
pub async fn rest(d: Duration, stop: &mut tokio::sync::watch::Receiver<bool>) -> bool {
    if *stop.borrow() {
        return true;
    }
    tokio::select! {
        _ = tokio::time::sleep(d) => {}
        _ = stop.wait_for(|s| *s) => {}
    }
    *stop.borrow()
}

/// Runs the crawl until `stop` turns true: [`crawl_step`] after [`crawl_step`], resting `rest`
/// after each pass ([`DEFAULT_REST`]), [`BUDGET_PAUSE`] while the daily budget is low and
/// [`ERROR_PAUSE`] after an error. `stop` is read between two contacts only: the contact being
/// fetched is finished and stored first.
pub async fn run_crawl(
    client: GhlClient,
    store: Store,
    rest_between: Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut crawler = Crawler::new(client, store);
    while !*stop.borrow() {
        let wait = match crawler.step().await {
            Ok(CrawlStep::Contact { .. }) => continue,
            Ok(CrawlStep::PassFinished(_)) => rest_between,
            Ok(CrawlStep::Paused) => {
                tracing::info!("crawl paused: GHL's daily budget is below a fifth of its limit");
                BUDGET_PAUSE
            }
            Err(e) => {
                tracing::warn!(error = %crate::sanitize::clean_line(&e.to_string()), "crawl: trying again in a minute");
                ERROR_PAUSE
            }
        };
        if rest(wait, &mut stop).await {
            break;
        }
    }
    tracing::debug!("crawl stopped");
}

/// Runs [`refresh_recent_tasks`] every `every` ([`RECENT_TASKS_EVERY`]) until `stop` turns
/// true (read between two refreshes; a refresh under way is finished).
pub async fn run_recent_tasks(
    client: GhlClient,
    store: Store,
    every: Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    while !rest(every, &mut stop).await {
        match refresh_recent_tasks(&client, &store).await {
            Ok(n) => tracing::debug!(contacts = n, "tasks of recently active contacts refreshed"),
            Err(e) => {
                tracing::warn!(error = %crate::sanitize::clean_line(&e.to_string()), "tasks of recently active contacts not refreshed")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, updated: &str) -> ContactRow {
        ContactRow {
            id: id.into(),
            date_updated: updated.into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_pass_goes_from_the_most_recently_updated_down() {
        let rows = [
            row("a", "2026-12-01T10:00:00.000Z"),
            row("b", "2026-12-03T10:00:00.000Z"),
            row("c", "2026-12-03T10:00:00.000Z"),
            row("d", ""),
        ];
        // Read ahead two at a time: the same order as all at once.
        let mut after = None;
        let mut order = Vec::new();
        loop {
            let batch = next_batch(&rows, after.as_ref(), 2);
            let Some(last) = batch.last().cloned() else {
                break;
            };
            order.extend(batch.into_iter().map(|k| k.1));
            after = Some(last);
        }
        assert_eq!(order, ["c", "b", "a", "d"]);
        let all: Vec<String> = next_batch(&rows, None, 10)
            .into_iter()
            .map(|k| k.1)
            .collect();
        assert_eq!(all, order);
    }

    #[test]
    fn the_daily_reserve_is_a_fifth_of_the_limit() {
        let b = |limit, left| RateBudget {
            daily_limit: Some(limit),
            daily_remaining: Some(left),
            ..Default::default()
        };
        assert!(!daily_reserve_reached(&b(200_000, 40_000)));
        assert!(daily_reserve_reached(&b(200_000, 39_999)));
        assert!(!daily_reserve_reached(&RateBudget::default()));
    }
}
