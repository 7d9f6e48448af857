//! Filtering the contacts pane by business: online, GHL's list of the business's contacts
//! (`GET /contacts/business/{businessId}` through [`Job::FetchBusinessContacts`]); offline, the
//! cached contacts whose raw record carries that `businessId` (read off the UI thread,
//! [`Effect::ScanBusiness`]). The list then shows only those contacts (a text filter narrows
//! them further); its filter line says `business: Acme (12)`, and `esc` clears it.

use std::collections::HashSet;
use std::sync::Arc;

use super::app::{App, Effect, ListView};
use super::filter::ListSource;
use crate::domain::Named;
use crate::store::Store;
use crate::sync::Job;

/// The business the contacts pane is filtered by.
#[derive(Debug, Clone)]
pub struct BusinessFilter {
    pub business: Named,
    /// Its contacts' ids; `None` while they are being read.
    pub ids: Option<Arc<HashSet<String>>>,
}

impl BusinessFilter {
    /// `business: Acme (12)`, or `business: Acme (…)` while its contacts are read (sanitized).
    pub fn label(&self) -> String {
        let n = self
            .ids
            .as_ref()
            .map_or_else(|| "…".to_owned(), |s| s.len().to_string());
        format!(
            "business: {} ({n})",
            super::text::clean(&self.business.name)
        )
    }
}

/// Why the offline business filter cannot work: the cache does not hold the association.
pub const NEEDS_GHL: &str = "offline: business filter needs GHL";

/// The ids of the cached contacts whose raw GHL record has `businessId` = `business_id`
/// (blocking: reads every contact). Errors: the store failed, or no cached contact carries a
/// `businessId` at all ([`NEEDS_GHL`]: the cache cannot tell).
pub fn cached_business_contacts(store: &Store, business_id: &str) -> Result<Vec<String>, String> {
    let rows = store.contact_list().map_err(|e| e.to_string())?;
    let mut known = false;
    let mut out = Vec::new();
    for r in rows.iter() {
        let Some(c) = store.contact(r.id).map_err(|e| e.to_string())? else {
            continue;
        };
        let Ok(v) = serde_json::from_str::<serde_json::Value>(&c.raw_json) else {
            continue;
        };
        match v.get("businessId") {
            Some(serde_json::Value::String(b)) => {
                known = true;
                if b == business_id {
                    out.push(r.id.to_owned());
                }
            }
            Some(_) => known = true,
            None => {}
        }
    }
    if known {
        Ok(out)
    } else {
        Err(NEEDS_GHL.to_owned())
    }
}

impl App {
    /// Shows only the contacts of `business`: asks GHL for them when online, else reads the
    /// cache off the UI thread. Until they arrive the list is empty and says so.
    pub fn filter_by_business(&mut self, business: Named) -> Vec<Effect> {
        self.dirty = true;
        let business_id = business.id.clone();
        self.business = Some(BusinessFilter {
            business,
            ids: None,
        });
        self.status.info = Some(format!(
            "reading the contacts of {}…",
            self.business
                .as_ref()
                .map_or_else(String::new, |b| b.label())
        ));
        let mut fx = self.refresh_business_view();
        fx.push(if self.online {
            Effect::Job(Job::FetchBusinessContacts { business_id })
        } else {
            Effect::ScanBusiness { business_id }
        });
        fx
    }

    /// The contacts of a business (from GHL, or from the cache offline). Dropped when the
    /// list is no longer filtered by that business; an error clears the filter and says why.
    pub fn handle_business_contacts(
        &mut self,
        business_id: &str,
        ids: Result<Vec<String>, String>,
    ) -> Vec<Effect> {
        self.dirty = true;
        let Some(b) = self
            .business
            .as_mut()
            .filter(|b| b.business.id == business_id)
        else {
            return Vec::new();
        };
        match ids {
            Ok(ids) => {
                b.ids = Some(Arc::new(ids.into_iter().collect()));
                self.status.info = Some(b.label());
                self.refresh_business_view()
            }
            Err(e) => {
                let name = super::text::clean(&b.business.name);
                self.status.error = Some(if e == NEEDS_GHL {
                    e
                } else {
                    format!("business {name}: {e}")
                });
                self.business = None;
                self.refresh_business_view()
            }
        }
    }

    /// `esc`: show every contact again (the text filter, if any, stays).
    pub(crate) fn clear_business_filter(&mut self) -> Vec<Effect> {
        self.dirty = true;
        self.business = None;
        self.refresh_business_view()
    }

    /// The list without a text filter: every row, or only the business's rows (in list order;
    /// none while they are read).
    pub(crate) fn base_view(&self, source: Arc<ListSource>) -> ListView {
        let Some(b) = &self.business else {
            return ListView {
                source,
                matches: None,
            };
        };
        let matches: Vec<u32> = match &b.ids {
            None => Vec::new(),
            Some(ids) => source
                .order
                .iter()
                .copied()
                .filter(|&i| {
                    source
                        .rows
                        .get(i as usize)
                        .is_some_and(|r| ids.contains(r.id))
                })
                .collect(),
        };
        ListView {
            source,
            matches: Some(Arc::new(matches)),
        }
    }

    /// Text-filter matches narrowed to the business's contacts (unchanged without one).
    pub(crate) fn business_restrict(
        &self,
        source: &ListSource,
        indices: Arc<Vec<u32>>,
    ) -> Arc<Vec<u32>> {
        let Some(b) = &self.business else {
            return indices;
        };
        let keep = |i: &u32| match &b.ids {
            None => false,
            Some(ids) => source
                .rows
                .get(*i as usize)
                .is_some_and(|r| ids.contains(r.id)),
        };
        Arc::new(indices.iter().copied().filter(keep).collect())
    }

    /// Shows the list again after the business filter changed: the text filter runs again
    /// when there is one.
    fn refresh_business_view(&mut self) -> Vec<Effect> {
        if self.filter.query.is_empty() {
            let keep = self.selected_row().map(|r| r.id.to_owned());
            self.set_view(self.base_view(self.source.clone()), keep);
            Vec::new()
        } else {
            self.query_changed()
        }
    }
}
