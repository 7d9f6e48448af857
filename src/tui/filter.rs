//! Filtering the contact list with [`crate::search`], off the UI thread.
//!
//! A [`Matcher`] holds the current list (a [`ListSource`]: rows plus display order) and its
//! [`Index`] (folded per-field text, built once per source, not per keystroke), and the
//! [`SearchContext`] filters resolve names against. Results are ranked by the search's tiers
//! (exact, word prefix, substring, fuzzy) and keep the list's sort within a tier: the same ids
//! in the same order as `bmby-ghl contacts --query` for the same list order.
//!
//! Narrowing: the matcher keeps the "loose" candidates ([`crate::search::rank`]) of recent
//! plain-word queries. When a new query extends one of them (typing one more character), only
//! those candidates are tested, since a contact loosely matching `"dan"` always loosely matches
//! `"da"`. After a backspace the shorter query's cached candidates are reused. The result is
//! the same as a full scan (tested). Queries with filters, quotes or phone numbers always scan
//! the whole list.
//!
//! [`spawn`] runs a matcher on its own thread; every query carries a generation number and the
//! UI drops results whose generation is not the latest. A query that cannot be parsed yields a
//! result with `error` set and no indices.

use std::sync::{mpsc, Arc};

use crate::domain::RowList;
use crate::search::{narrowable, parse, Index, QueryError, SearchContext};

/// The list being shown: all rows, and the order they are displayed in (indices into `rows`).
#[derive(Debug, Default)]
pub struct ListSource {
    /// Changes whenever rows or order change.
    pub version: u64,
    /// Compact (issue #14); build one from `ContactRow`s with `RowList::from`.
    pub rows: Arc<RowList>,
    pub order: Vec<u32>,
}

/// Work for the matcher thread.
#[derive(Debug, Clone)]
pub enum FilterMsg {
    /// A new list to filter (prepared before the first keystroke).
    Source(Arc<ListSource>),
    /// Users, businesses and clock for `owner:`, `business:` and `updated:`.
    Context(Arc<SearchContext>),
    /// Filter the current source.
    Query { generation: u64, query: String },
}

/// Matches of one query: row indices (into `source.rows`) best first.
#[derive(Debug, Clone)]
pub struct FilterResult {
    pub generation: u64,
    pub query: String,
    pub source: Arc<ListSource>,
    pub indices: Arc<Vec<u32>>,
    /// Why the query cannot be used (indices then empty): shown on the filter line.
    pub error: Option<String>,
}

/// Loose candidates (ranks in the source order, ascending) of recent queries, for narrowing.
struct Cached {
    query: String,
    ranks: Vec<u32>,
}

const CACHE_DEPTH: usize = 24;

/// A synchronous matcher over one [`ListSource`].
pub struct Matcher {
    source: Arc<ListSource>,
    index: Index,
    ctx: Arc<SearchContext>,
    cache: Vec<Cached>,
}

impl Default for Matcher {
    fn default() -> Self {
        Matcher::new()
    }
}

impl Matcher {
    pub fn new() -> Matcher {
        Matcher {
            source: Arc::new(ListSource::default()),
            index: Index::default(),
            ctx: Arc::new(SearchContext::default()),
            cache: Vec::new(),
        }
    }

    /// Replaces the list; folds its text (not again for the list it already has: then only
    /// the narrowing cache is cleared). The old index is dropped before the new one is built,
    /// so two lists' folded text are never held at once.
    pub fn set_source(&mut self, source: Arc<ListSource>) {
        self.cache.clear();
        if Arc::ptr_eq(&source, &self.source) {
            return;
        }
        self.index = Index::default();
        self.index = Index::new(source.rows.clone(), source.order.clone());
        self.source = source;
    }

    /// Replaces what filters resolve against.
    pub fn set_context(&mut self, ctx: Arc<SearchContext>) {
        self.ctx = ctx;
        self.cache.clear();
    }

    pub fn source(&self) -> &Arc<ListSource> {
        &self.source
    }

    /// Filters with narrowing from cached candidates when possible.
    pub fn query(&mut self, query: &str) -> Result<Vec<u32>, QueryError> {
        self.run(query, true)
    }

    /// Filters by testing every row (no narrowing); the reference for tests.
    pub fn query_full(&mut self, query: &str) -> Result<Vec<u32>, QueryError> {
        self.run(query, false)
    }

    fn run(&mut self, query: &str, narrow: bool) -> Result<Vec<u32>, QueryError> {
        let q = parse(query, &self.ctx)?;
        if q.is_empty() {
            return Ok(self.index.all());
        }
        let raw = query.trim_start().to_owned();
        let plain = narrow && narrowable(&raw, &q);
        if !plain {
            return Ok(self.index.ranked(self.index.scan(&q, None, false).hits));
        }
        // Drop cached queries that the new one does not extend.
        while let Some(last) = self.cache.last() {
            if raw.starts_with(&last.query) {
                break;
            }
            self.cache.pop();
        }
        let base = self.cache.last().map(|c| c.ranks.clone());
        let scan = self.index.scan(&q, base.as_deref(), true);
        if self.cache.last().is_some_and(|c| c.query == raw) {
            self.cache.pop();
        }
        self.cache.push(Cached {
            query: raw,
            ranks: scan.loose,
        });
        if self.cache.len() > CACHE_DEPTH {
            self.cache.remove(0);
        }
        Ok(self.index.ranked(scan.hits))
    }

    /// Handles one message; a query yields a result.
    pub fn handle(&mut self, msg: FilterMsg) -> Option<FilterResult> {
        match msg {
            FilterMsg::Source(s) => {
                self.set_source(s);
                None
            }
            FilterMsg::Context(c) => {
                self.set_context(c);
                None
            }
            FilterMsg::Query { generation, query } => {
                let (indices, error) = match self.query(&query) {
                    Ok(i) => (i, None),
                    Err(e) => (Vec::new(), Some(e.to_string())),
                };
                Some(FilterResult {
                    generation,
                    query,
                    source: self.source.clone(),
                    indices: Arc::new(indices),
                    error,
                })
            }
        }
    }
}

/// Sends work to the matcher thread.
#[derive(Debug, Clone)]
pub struct FilterHandle {
    tx: mpsc::Sender<FilterMsg>,
}

impl FilterHandle {
    /// Queues a message; ignored when the thread has stopped.
    pub fn send(&self, msg: FilterMsg) {
        let _ = self.tx.send(msg);
    }
}

/// Starts the matcher thread. Queued messages are coalesced: the latest source is applied,
/// then only the latest query runs. The thread ends when the handle is dropped.
pub fn spawn(results: tokio::sync::mpsc::UnboundedSender<FilterResult>) -> FilterHandle {
    let (tx, rx) = mpsc::channel::<FilterMsg>();
    let spawned = std::thread::Builder::new()
        .name("bmby-ghl-filter".into())
        .spawn(move || {
            let mut m = Matcher::new();
            while let Ok(first) = rx.recv() {
                let mut query = None;
                let mut next = Some(first);
                while let Some(msg) = next {
                    match msg {
                        FilterMsg::Source(s) => m.set_source(s),
                        FilterMsg::Context(c) => m.set_context(c),
                        q @ FilterMsg::Query { .. } => query = Some(q),
                    }
                    next = rx.try_recv().ok();
                }
                if let Some(q) = query {
                    if let Some(r) = m.handle(q) {
                        if results.send(r).is_err() {
                            return;
                        }
                    }
                }
            }
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "cannot start the filter thread");
    }
    FilterHandle { tx }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ContactRow;

    fn source(names: &[&str]) -> Arc<ListSource> {
        let rows: Vec<ContactRow> = names
            .iter()
            .enumerate()
            .map(|(i, n)| ContactRow {
                id: format!("c{i}"),
                name: (*n).into(),
                ..Default::default()
            })
            .collect();
        Arc::new(ListSource {
            version: 1,
            order: (0..rows.len() as u32).collect(),
            rows: Arc::new(rows.into()),
        })
    }

    #[test]
    fn the_same_source_again_keeps_its_index_and_a_new_one_replaces_it() {
        let a = source(&["Dana Levi", "Avi Cohen", "Danielle"]);
        let mut m = Matcher::new();
        m.set_source(a.clone());
        assert_eq!(m.query("dan").unwrap(), [0, 2]);
        m.set_source(a.clone());
        assert!(m.cache.is_empty(), "narrowing cache cleared");
        assert_eq!(m.query("dan").unwrap(), [0, 2]);
        m.set_source(source(&["Avi Cohen", "Dana Levi"]));
        assert_eq!(m.query("dan").unwrap(), [1]);
        assert_eq!(m.index.len(), 2);
    }
}
