//! One contact search for the TUI filter (`/`, [`crate::tui::filter`]) and the CLI
//! (`bmby-ghl contacts --query`): the same parse ([`query`]), folding ([`normalize`]) and
//! ranking ([`rank`]), so both return the same ids in the same order for the same query and
//! list order.
//!
//! An [`Index`] is built once per list (rows in display order, folded text precomputed);
//! [`Index::search`] ranks by tier (exact, word prefix, substring, fuzzy) and keeps the list
//! order within a tier, so the active sort holds while a filter is on.

pub mod bits;
pub mod normalize;
pub mod plan;
pub mod query;
pub mod rank;
pub mod tokens;

use std::sync::Arc;

use jiff::Timestamp;

use crate::domain::{Named, RowList, UserDirectory};
use crate::store::Store;

pub use plan::{Plan, Screen};
pub use query::{parse, Query, QueryError};
pub use rank::{Folded, Level, ListText, Probe, ProfileTexts, RowText};
pub use tokens::TokenIndex;

/// What filters resolve names and times against.
#[derive(Debug, Clone, Default)]
pub struct SearchContext {
    /// `owner:` by name.
    pub users: UserDirectory,
    /// `business:` by name: the cached businesses list (`GET /businesses/`).
    pub businesses: Vec<Named>,
    /// "Now" for `updated:<2d`; `None` = the system clock.
    pub now: Option<Timestamp>,
}

impl SearchContext {
    /// From the cache: users and businesses lists (empty when never fetched).
    pub fn from_store(store: &Store) -> SearchContext {
        use crate::sync::ops::{cached_list, cached_users, ListKind};
        SearchContext {
            users: cached_users(store),
            businesses: cached_list(store, ListKind::Businesses)
                .ok()
                .flatten()
                .unwrap_or_default(),
            now: None,
        }
    }

    /// The instant relative times count from.
    pub fn now(&self) -> Timestamp {
        self.now.unwrap_or_else(Timestamp::now)
    }
}

/// Above this many candidates a scan is split across threads.
const PARALLEL_MIN: usize = 16_000;
/// Rows a scanning thread tests between two asks whether to stop.
const STOP_EVERY: usize = 4096;

/// Rows in display order with their folded text.
#[derive(Debug, Default)]
pub struct Index {
    rows: Arc<RowList>,
    /// Row index by rank (display position); shared with the list shown (issue #14).
    order: Arc<[u32]>,
    /// Folded text by rank, in chunks of `chunk` ranks (one per thread that folded them, so
    /// they are never copied into one buffer).
    folded: Vec<Folded>,
    /// The folded tags and source of the list's profiles, which `folded` refers to.
    profiles: ProfileTexts,
    chunk: usize,
    threads: usize,
}

/// Matches of one scan: `(rank, level)` of the matches, ranks ascending, and the ranks
/// that passed the loose test (for narrowing; empty unless asked).
#[derive(Debug, Default)]
pub struct Scan {
    pub hits: Vec<(u32, Level)>,
    pub loose: Vec<u32>,
}

impl Index {
    /// Folds every row (display order `order`, indices into `rows`; an `Arc` is kept as it
    /// is, not copied).
    pub fn new(rows: Arc<RowList>, order: impl Into<Arc<[u32]>>) -> Index {
        let order: Arc<[u32]> = order.into();
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .clamp(1, 4);
        let profiles = ProfileTexts::of_list(&rows);
        let prepare = |ranks: &[u32]| Folded::of_list(&rows, ranks);
        let (folded, chunk) = if order.len() < PARALLEL_MIN || threads < 2 {
            (vec![prepare(&order)], order.len().max(1))
        } else {
            let chunk = order.len().div_ceil(threads);
            let folded = std::thread::scope(|s| {
                let hs: Vec<_> = order
                    .chunks(chunk)
                    .map(|c| s.spawn(move || prepare(c)))
                    .collect();
                hs.into_iter()
                    .map(|h| h.join().unwrap_or_default())
                    .collect()
            });
            (folded, chunk)
        };
        Index {
            rows,
            order,
            folded,
            profiles,
            chunk,
            threads,
        }
    }

    /// The folded text of the row at `rank`.
    fn text(&self, rank: usize) -> RowText<'_> {
        let list = ListText {
            arena: self.rows.arena(),
            profiles: &self.profiles,
        };
        self.folded[rank / self.chunk].row(rank % self.chunk, list)
    }

    /// Ranks whose phone's search text (E.164 digits, and the domestic `0…` form of an
    /// Israeli number) contains the digits `d`; every rank with a phone for an empty `d`.
    /// One `memmem` pass over each chunk's phone digits ([`Folded::phone_ranks`]).
    pub fn phone_rows(&self, d: &str) -> bits::Bits {
        let mut out = bits::Bits::new(self.len());
        for (k, f) in self.folded.iter().enumerate() {
            f.phone_ranks(d, (k * self.chunk) as u32, &mut out);
        }
        out
    }

    /// Bytes of folded text held (text, phones, offsets), for measurements.
    pub fn folded_bytes(&self) -> usize {
        self.folded.iter().map(Folded::heap_bytes).sum::<usize>() + self.profiles.heap_bytes()
    }

    /// The tier of the row at `rank` for `probe`'s query, as [`Index::scan`] tests it.
    pub fn level_at(&self, probe: &Probe<'_>, rank: u32) -> Option<Level> {
        let row = || {
            self.rows
                .get(self.order[rank as usize] as usize)
                .expect("the order indexes the rows")
        };
        probe.level(row, &self.text(rank as usize), false)
    }

    /// The row index (into the rows given to [`Index::new`]) at `rank`.
    pub fn row_at(&self, rank: u32) -> u32 {
        self.order[rank as usize]
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// Row indices (into the rows given to [`Index::new`]) of the matches of `q`, best tier
    /// first, list order within a tier. Errors when the query cannot be parsed.
    pub fn search(&self, q: &str, ctx: &SearchContext) -> Result<Vec<u32>, QueryError> {
        let q = parse(q, ctx)?;
        Ok(self.ranked(self.scan(&q, None, false).hits))
    }

    /// Tests `q` on every rank of `base` (ascending; `None` = all).
    pub fn scan(&self, q: &Query, base: Option<&[u32]>, want_loose: bool) -> Scan {
        self.scan_until(q, base, want_loose, &|| false)
            .unwrap_or_default()
    }

    /// [`Index::scan`] that gives up (`None`) when `stop` says so; it is asked every
    /// [`STOP_EVERY`] rows on each scanning thread (a newer keystroke makes this scan useless).
    pub fn scan_until(
        &self,
        q: &Query,
        base: Option<&[u32]>,
        want_loose: bool,
        stop: &(dyn Fn() -> bool + Sync),
    ) -> Option<Scan> {
        let n = base.map_or(self.order.len(), <[u32]>::len);
        let probe = Probe::new(q);
        let probe = &probe;
        let stopped = std::sync::atomic::AtomicBool::new(false);
        let stopped = &stopped;
        let run = |lo: usize, hi: usize| -> Scan {
            let mut out = Scan::default();
            for i in lo..hi {
                if (i - lo) % STOP_EVERY == STOP_EVERY - 1 && stop() {
                    stopped.store(true, std::sync::atomic::Ordering::Relaxed);
                    return out;
                }
                let r = base.map_or(i as u32, |b| b[i]);
                let row = || {
                    self.rows
                        .get(self.order[r as usize] as usize)
                        .expect("the order indexes the rows")
                };
                match probe.level(row, &self.text(r as usize), want_loose) {
                    Some(Level::Loose) => out.loose.push(r),
                    Some(l) => {
                        out.hits.push((r, l));
                        if want_loose {
                            out.loose.push(r);
                        }
                    }
                    None => {}
                }
            }
            out
        };
        let out = if n < PARALLEL_MIN || self.threads < 2 {
            run(0, n)
        } else {
            self.scan_parallel(n, &run)
        };
        (!stopped.load(std::sync::atomic::Ordering::Relaxed)).then_some(out)
    }

    fn scan_parallel(&self, n: usize, run: &(dyn Fn(usize, usize) -> Scan + Sync)) -> Scan {
        let chunk = n.div_ceil(self.threads);
        std::thread::scope(|s| {
            let hs: Vec<_> = (0..self.threads)
                .map(|t| {
                    let (lo, hi) = ((t * chunk).min(n), ((t + 1) * chunk).min(n));
                    s.spawn(move || run(lo, hi))
                })
                .collect();
            let mut out = Scan::default();
            for h in hs {
                let part = h.join().unwrap_or_default();
                out.hits.extend(part.hits);
                out.loose.extend(part.loose);
            }
            out
        })
    }

    /// Row indices of `hits` (ranks ascending, as [`Index::scan`] gives them), by level then
    /// rank: one pass per level instead of a sort.
    pub fn ranked(&self, hits: Vec<(u32, Level)>) -> Vec<u32> {
        let mut out = Vec::with_capacity(hits.len());
        for level in [Level::Exact, Level::Prefix, Level::Substring, Level::Fuzzy] {
            out.extend(
                hits.iter()
                    .filter(|(_, l)| *l == level)
                    .map(|&(r, _)| self.order[r as usize]),
            );
        }
        out
    }

    /// Row indices in list order (an empty query).
    pub fn all(&self) -> Vec<u32> {
        self.order.to_vec()
    }
}

/// True when a query may be narrowed from the loose matches of a shorter one it extends:
/// plain words, no filters, quotes, phone numbers or possible ids (see [`rank`]; the loose
/// test does not look at ids, so a query that may be an id is always a full scan).
pub fn narrowable(raw: &str, q: &Query) -> bool {
    q.filters.is_empty()
        && !raw.contains('"')
        && q.words.iter().all(|w| w.digits.is_none() && !w.id_like)
}
