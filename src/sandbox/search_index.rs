//! The stand-in's ordered search results, kept between pages (issue 14: a pull of 1,000,000
//! contacts is 2,000 pages; filtering and sorting every contact for each page made one page of
//! 100,000 cost about 2 s).
//!
//! A search names its matches and order by `filters`, `query` and `sort`; paging (`page`,
//! `searchAfter`, `pageLimit`) only cuts the ordered matches. So the ordered matches are kept,
//! as positions in [`Store::contacts`](super::state::Store), for the last few distinct
//! (`filters`, `query`, `sort`) of requests, together with the data generation they were
//! computed at ([`Shared::generation`](super::state::Shared::generation), bumped by every
//! write). A request for the same matches at the same generation seeks `searchAfter` with a
//! binary search in the kept order and copies one page; any write makes the next request order
//! the contacts afresh. The answers are exactly those of ordering every contact for every page
//! (`search` keeps the semantics: order, ties, `total`, the 10,000-record window of `page`).
//!
//! While the search lag holds contacts back ([`Shared::searchable`](super::state::Shared::searchable)
//! answers a copy), nothing is kept: such searches order the copy each time, as before.

use std::cmp::Ordering;
use std::sync::{Arc, Mutex};

use super::state::StoredContact;
use super::validate::SearchRequest;

/// Distinct (`filters`, `query`, `sort`) kept at once: a pull and a few other searches running
/// beside it (a test's lookups, the TUI's own search) do not evict each other.
const KEPT: usize = 4;

/// Ordered matches of one (`filters`, `query`, `sort`) at one data generation.
struct Entry {
    generation: u64,
    /// The request's `filters`, `query` and `sort` as JSON text.
    key: String,
    /// Positions in the contacts slice, in the request's order.
    order: Arc<Vec<u32>>,
}

/// The kept orders (most recently used last).
#[derive(Default)]
pub struct SearchIndex {
    kept: Mutex<Vec<Entry>>,
}

/// The part of a search body that decides its matches and their order, as text.
pub fn order_key(body: &serde_json::Map<String, serde_json::Value>) -> String {
    let part = |k: &str| body.get(k).map(ToString::to_string).unwrap_or_default();
    format!(
        "{}\u{1}{}\u{1}{}",
        part("filters"),
        part("query"),
        part("sort")
    )
}

impl SearchIndex {
    /// The ordered matches of `req` over `all` (the live contacts at `generation`), from the
    /// kept ones or computed with `order` and kept.
    pub fn ordered(
        &self,
        generation: u64,
        key: String,
        all: &[StoredContact],
        req: &SearchRequest,
        order: impl FnOnce(&[StoredContact], &SearchRequest) -> Vec<u32>,
    ) -> Arc<Vec<u32>> {
        {
            let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
            kept.retain(|e| e.generation == generation);
            if let Some(i) = kept.iter().position(|e| e.key == key) {
                let e = kept.remove(i);
                let order = Arc::clone(&e.order);
                kept.push(e);
                return order;
            }
        }
        // Ordered without the lock: another search may do the same meanwhile; both are right.
        let order = Arc::new(order(all, req));
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.retain(|e| e.generation == generation && e.key != key);
        if kept.len() >= KEPT {
            kept.remove(0);
        }
        kept.push(Entry {
            generation,
            key,
            order: Arc::clone(&order),
        });
        order
    }
}

/// Where a page starts in `order`: just after `searchAfter`'s (sort values, id) tuple, found by
/// binary search with `cmp` (the request's order of a contact against the tuple), or at
/// `(page - 1) × pageLimit`.
pub fn page_start(
    all: &[StoredContact],
    order: &[u32],
    req: &SearchRequest,
    cmp: impl Fn(&StoredContact, (&[i64], &str)) -> Ordering,
) -> usize {
    match (&req.search_after, req.page) {
        (Some((vals, id)), _) => {
            order.partition_point(|&i| cmp(&all[i as usize], (vals, id)) != Ordering::Greater)
        }
        (None, p) => ((p.unwrap_or(1) - 1) as usize).saturating_mul(req.page_limit),
    }
}
