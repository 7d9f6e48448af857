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
//!
//! The search index (issue #14): for a list of [`IndexOptions::min_rows`] rows or more, the
//! matcher builds a [`TokenIndex`] on a thread of its own when the list arrives (the scan above
//! answers until it is ready, so neither the first frame nor the first keystroke waits for
//! it). With the index, a query is answered from its candidates ([`crate::search::plan`]),
//! the same ids in the same order as the scan; when there are many candidates, the first
//! screenful ([`IndexOptions::first_screen`] rows) is sent first (`complete: false`, the list
//! says "counting…") and the whole ranked list with its exact count after, unless a newer
//! query is already waiting.

use std::sync::{mpsc, Arc};

use crate::domain::RowList;
use crate::search::{narrowable, parse, Index, Plan, QueryError, SearchContext, TokenIndex};

/// The list being shown: all rows, and the order they are displayed in (indices into `rows`).
#[derive(Debug, Default)]
pub struct ListSource {
    /// Changes whenever rows or order change.
    pub version: u64,
    /// Compact (issue #14); build one from `ContactRow`s with `RowList::from`.
    pub rows: Arc<RowList>,
    /// Shared with the search [`Index`] of this list (issue #14: not kept twice, 4 MB at 1M
    /// contacts).
    pub order: Arc<[u32]>,
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
    /// False for a first screenful: the first rows of the ranked list, the whole list (and
    /// its count) follows in another result of the same generation.
    pub complete: bool,
    /// The search index answered (false: the scan, while the index is being built or for a
    /// list too small to need one).
    pub indexed: bool,
}

/// How the matcher uses the search index ([`TokenIndex`]).
#[derive(Debug, Clone, Copy)]
pub struct IndexOptions {
    /// Lists with fewer rows are only scanned (no index is built).
    pub min_rows: usize,
    /// Rows in a first screenful.
    pub first_screen: usize,
    /// Queries with at most this many candidates are answered in one step (no first screenful).
    pub direct_max: usize,
    /// Build the index on a thread of its own (the scan answers meanwhile); false: in
    /// [`Matcher::set_source`].
    pub background: bool,
}

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions {
            min_rows: 20_000,
            first_screen: 200,
            direct_max: 20_000,
            background: true,
        }
    }
}

/// What a staged query gave ([`Matcher::query_staged`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staged {
    /// Row indices, best first.
    pub indices: Vec<u32>,
    /// False for a first screenful.
    pub complete: bool,
    /// The search index answered.
    pub indexed: bool,
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
    index: Arc<Index>,
    ctx: Arc<SearchContext>,
    cache: Vec<Cached>,
    /// The search index of `index`'s list, once built.
    tokens: Option<Arc<TokenIndex>>,
    /// The index being built on another thread.
    building: Option<mpsc::Receiver<TokenIndex>>,
    opts: IndexOptions,
    /// The generation of the newest query sent ([`FilterHandle::send`] sets it before the
    /// query is queued): an exact count of an older one stops early, so the newer key's first
    /// screenful does not wait for it. `None`: counts always finish (tests, the CLI).
    pub newest: Option<Arc<std::sync::atomic::AtomicU64>>,
    /// The generation of the query being run.
    running: u64,
}

impl Default for Matcher {
    fn default() -> Self {
        Matcher::new()
    }
}

impl Matcher {
    pub fn new() -> Matcher {
        Matcher::with_options(IndexOptions::default())
    }

    /// A matcher using the search index as `opts` says.
    pub fn with_options(opts: IndexOptions) -> Matcher {
        Matcher {
            source: Arc::new(ListSource::default()),
            index: Arc::new(Index::default()),
            ctx: Arc::new(SearchContext::default()),
            cache: Vec::new(),
            tokens: None,
            building: None,
            opts,
            newest: None,
            running: 0,
        }
    }

    /// True when the search index of the current list is built (checks a build in progress).
    pub fn index_ready(&mut self) -> bool {
        if self.tokens.is_none() {
            if let Some(t) = self.building.as_ref().and_then(|rx| rx.try_recv().ok()) {
                self.tokens = Some(Arc::new(t));
                self.building = None;
                // The index answers from now on: the scan's narrowing candidates are not read.
                self.cache = Vec::new();
            }
        }
        self.tokens.is_some()
    }

    /// Waits for a build of the search index in progress; true when the index is there.
    pub fn wait_index(&mut self) -> bool {
        if self.tokens.is_none() {
            if let Some(t) = self.building.take().and_then(|rx| rx.recv().ok()) {
                self.tokens = Some(Arc::new(t));
                self.cache = Vec::new();
            }
        }
        self.tokens.is_some()
    }

    /// The search index, when built (bytes and words for measurements).
    pub fn token_index(&mut self) -> Option<Arc<TokenIndex>> {
        self.index_ready();
        self.tokens.clone()
    }

    fn start_index(&mut self) {
        self.tokens = None;
        self.building = None;
        if self.index.len() < self.opts.min_rows {
            return;
        }
        if !self.opts.background {
            self.tokens = Some(Arc::new(TokenIndex::build(&self.index)));
            return;
        }
        let (tx, rx) = mpsc::channel();
        let index = self.index.clone();
        let spawned = std::thread::Builder::new()
            .name("bmby-ghl-index".into())
            .spawn(move || {
                let started = std::time::Instant::now();
                let t = TokenIndex::build(&index);
                // The build's transient tables are freed: give their pages back.
                crate::memory::trim();
                let mem = crate::memory::resident();
                tracing::info!(
                    rows = index.len(),
                    words = t.words(),
                    bytes = t.heap_bytes(),
                    ms = started.elapsed().as_millis() as u64,
                    rss_mb = mem.now_mib(),
                    peak_mb = mem.peak_mib(),
                    "search index ready"
                );
                let _ = tx.send(t);
            });
        match spawned {
            Ok(_) => self.building = Some(rx),
            Err(e) => tracing::warn!(error = %e, "cannot start the search index thread; scanning"),
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
        self.tokens = None;
        self.building = None;
        self.index = Arc::new(Index::default());
        self.index = Arc::new(Index::new(source.rows.clone(), source.order.clone()));
        self.source = source;
        self.start_index();
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

    /// Filters by testing every row (no narrowing, no index); the reference for tests.
    pub fn query_full(&mut self, query: &str) -> Result<Vec<u32>, QueryError> {
        self.run(query, false)
    }

    /// Filters with the search index when it is built, else as [`Matcher::query`]. `emit`
    /// gets a first screenful (when the query has more than
    /// [`IndexOptions::direct_max`] candidates and more matches than a screenful) and then
    /// the whole list; the whole list is skipped when `superseded` says a newer query waits
    /// (or `emit` returns false). Returns the last result emitted.
    pub fn query_staged(
        &mut self,
        query: &str,
        emit: &mut dyn FnMut(&Staged) -> bool,
        superseded: &mut dyn FnMut() -> bool,
    ) -> Result<Staged, QueryError> {
        let Some(tokens) = self.token_index() else {
            let s = Staged {
                indices: self.query(query)?,
                complete: true,
                indexed: false,
            };
            emit(&s);
            return Ok(s);
        };
        let q = parse(query, &self.ctx)?;
        if q.is_empty() {
            let s = Staged {
                indices: self.index.all(),
                complete: true,
                indexed: true,
            };
            emit(&s);
            return Ok(s);
        }
        let mut plan = Plan::new(&self.index, &tokens, &q);
        // Many candidates of the first tiers already say a first screenful is worth it;
        // otherwise count them all (the substring and fuzzy search of the dictionary).
        let direct = self.opts.direct_max;
        if plan.top_count() > direct || plan.candidate_count() > direct {
            let screen = plan.first_screen(self.opts.first_screen);
            let s = Staged {
                indices: screen.rows,
                complete: screen.complete,
                indexed: true,
            };
            if !emit(&s) || s.complete || superseded() {
                return Ok(s);
            }
        }
        let (newest, running) = (self.newest.clone(), self.running);
        let stop = move || {
            newest
                .as_ref()
                .is_some_and(|n| n.load(std::sync::atomic::Ordering::Relaxed) != running)
        };
        let Some(indices) = plan.full_until(&stop) else {
            // A newer query is queued: its result replaces this one's.
            return Ok(Staged {
                indices: Vec::new(),
                complete: false,
                indexed: true,
            });
        };
        let s = Staged {
            indices,
            complete: true,
            indexed: true,
        };
        emit(&s);
        Ok(s)
    }

    /// The whole ranked list from the search index (`None` when it is not built yet).
    pub fn query_indexed(&mut self, query: &str) -> Option<Result<Vec<u32>, QueryError>> {
        let tokens = self.token_index()?;
        Some(parse(query, &self.ctx).map(|q| {
            if q.is_empty() {
                self.index.all()
            } else {
                Plan::new(&self.index, &tokens, &q).full()
            }
        }))
    }

    /// The first screenful of `limit` rows from the search index (`None` when not built).
    pub fn first_screen(
        &mut self,
        query: &str,
        limit: usize,
    ) -> Option<Result<crate::search::Screen, QueryError>> {
        let tokens = self.token_index()?;
        Some(parse(query, &self.ctx).map(|q| {
            if q.is_empty() {
                let mut rows = self.index.all();
                let complete = rows.len() <= limit;
                rows.truncate(limit);
                crate::search::Screen { rows, complete }
            } else {
                Plan::new(&self.index, &tokens, &q).first_screen(limit)
            }
        }))
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

    /// Handles one message as [`Matcher::handle`], a query in stages
    /// ([`Matcher::query_staged`]): each result goes to `emit` (false: stop).
    pub fn handle_staged(
        &mut self,
        msg: FilterMsg,
        emit: &mut dyn FnMut(FilterResult) -> bool,
        superseded: &mut dyn FnMut() -> bool,
    ) {
        let FilterMsg::Query { generation, query } = msg else {
            if let Some(r) = self.handle(msg) {
                emit(r);
            }
            return;
        };
        self.running = generation;
        let source = self.source.clone();
        let mut send = |s: &Staged| {
            emit(FilterResult {
                generation,
                query: query.clone(),
                source: source.clone(),
                indices: Arc::new(s.indices.clone()),
                error: None,
                complete: s.complete,
                indexed: s.indexed,
            })
        };
        if let Err(e) = self.query_staged(&query, &mut send, superseded) {
            emit(FilterResult {
                generation,
                query: query.clone(),
                source: self.source.clone(),
                indices: Arc::new(Vec::new()),
                error: Some(e.to_string()),
                complete: true,
                indexed: false,
            });
        }
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
                let indexed = self.index_ready();
                let (indices, error) = match self.query_indexed(&query) {
                    Some(Ok(i)) => (i, None),
                    _ => match self.query(&query) {
                        Ok(i) => (i, None),
                        Err(e) => (Vec::new(), Some(e.to_string())),
                    },
                };
                Some(FilterResult {
                    generation,
                    query,
                    source: self.source.clone(),
                    indices: Arc::new(indices),
                    error,
                    complete: true,
                    indexed,
                })
            }
        }
    }
}

/// Sends work to the matcher thread.
#[derive(Debug, Clone)]
pub struct FilterHandle {
    tx: mpsc::Sender<FilterMsg>,
    /// The newest query's generation, shared with the matcher ([`Matcher::newest`]).
    newest: Arc<std::sync::atomic::AtomicU64>,
}

impl FilterHandle {
    /// Queues a message; ignored when the thread has stopped.
    pub fn send(&self, msg: FilterMsg) {
        if let FilterMsg::Query { generation, .. } = &msg {
            self.newest
                .store(*generation, std::sync::atomic::Ordering::Relaxed);
        }
        let _ = self.tx.send(msg);
    }
}

/// Starts the matcher thread. Queued messages are coalesced: the latest source is applied,
/// then only the latest query runs, in stages ([`Matcher::handle_staged`]): a first screenful
/// then the whole list, unless another query arrived meanwhile. The thread ends when the
/// handle is dropped.
pub fn spawn(results: tokio::sync::mpsc::UnboundedSender<FilterResult>) -> FilterHandle {
    let (tx, rx) = mpsc::channel::<FilterMsg>();
    let newest = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let seen = newest.clone();
    let spawned = std::thread::Builder::new()
        .name("bmby-ghl-filter".into())
        .spawn(move || {
            let mut m = Matcher::new();
            m.newest = Some(seen);
            let mut queue = std::collections::VecDeque::new();
            loop {
                if queue.is_empty() {
                    match rx.recv() {
                        Ok(msg) => queue.push_back(msg),
                        Err(_) => return,
                    }
                }
                queue.extend(rx.try_iter());
                let mut query = None;
                while let Some(msg) = queue.pop_front() {
                    match msg {
                        FilterMsg::Source(s) => m.set_source(s),
                        FilterMsg::Context(c) => m.set_context(c),
                        q @ FilterMsg::Query { .. } => query = Some(q),
                    }
                }
                let Some(q) = query else { continue };
                let mut open = true;
                m.handle_staged(
                    q,
                    &mut |r| {
                        open = results.send(r).is_ok();
                        open
                    },
                    &mut || {
                        queue.extend(rx.try_iter());
                        queue.iter().any(|m| matches!(m, FilterMsg::Query { .. }))
                    },
                );
                if !open {
                    return;
                }
            }
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "cannot start the filter thread");
    }
    FilterHandle { tx, newest }
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

    /// A newer keystroke stops the exact count of the query before it, so the newer key's
    /// first screenful does not wait for a count nobody will see (at 1M a later key's first
    /// screenful took 27–37 ms, the previous count's time, without this).
    #[test]
    fn a_newer_query_stops_the_exact_count_of_an_older_one() {
        use std::sync::atomic::{AtomicU64, Ordering};
        let names: Vec<String> = (0..25_000).map(|i| format!("Dana {i}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let mut m = Matcher::with_options(IndexOptions {
            background: false,
            ..IndexOptions::default()
        });
        m.set_source(source(&names));
        let newest = Arc::new(AtomicU64::new(2));
        m.newest = Some(newest.clone());
        let run = |m: &mut Matcher, generation: u64| {
            let mut got = Vec::new();
            m.handle_staged(
                FilterMsg::Query {
                    generation,
                    query: "dana".into(),
                },
                &mut |r| {
                    got.push((r.complete, r.indices.len()));
                    true
                },
                &mut || false,
            );
            got
        };
        // Generation 2 is already sent: 1 shows its first screenful, its count stops.
        let got = run(&mut m, 1);
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(!got[0].0, "a first screenful only: {got:?}");
        // The newest query runs to its exact count.
        newest.store(3, Ordering::Relaxed);
        let got = run(&mut m, 3);
        assert_eq!(got.last(), Some(&(true, 25_000)), "{got:?}");
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
