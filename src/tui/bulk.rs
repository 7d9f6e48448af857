//! The contacts a bulk operation (tags, business) applies to, and proposing it. A simple
//! version: the selected contact, or every contact of the current filter; marking contacts and
//! the confirmation (count and sample of names) come with multi-select.

use super::app::{App, Effect};
use crate::domain::{ContactOp, Named};
use crate::sync::ops::Proposal;

/// How many names the sample of a bulk operation shows.
pub const SAMPLE: usize = 3;

impl App {
    /// The contacts of a bulk operation: every contact listed when a filter is applied, else
    /// the selected one. Returns (contact ids, up to [`SAMPLE`] sanitized names).
    pub fn bulk_targets(&self) -> (Vec<String>, Vec<String>) {
        let rows: Vec<&crate::domain::ContactRow> = if self.filter.query.is_empty() {
            self.selected_row().into_iter().collect()
        } else {
            (0..self.view.len())
                .filter_map(|i| self.view.row(i))
                .collect()
        };
        let ids = rows.iter().map(|r| r.id.clone()).collect();
        let names = rows
            .iter()
            .take(SAMPLE)
            .map(|r| super::text::clean(&r.name))
            .collect();
        (ids, names)
    }

    /// Proposes a bulk operation on [`App::bulk_targets`] (for now directly, no question).
    pub fn propose_bulk(&mut self, op: ContactOp) -> Vec<Effect> {
        let (ids, names) = self.bulk_targets();
        if ids.is_empty() {
            self.status.error = Some("no contacts selected".into());
            return Vec::new();
        }
        if matches!(&op, ContactOp::BulkTags { tags, .. } if tags.is_empty()) {
            self.status.error = Some("no tags given".into());
            return Vec::new();
        }
        let more = ids.len().saturating_sub(names.len());
        let mut display_name = names.join(", ");
        if more > 0 {
            display_name.push_str(&format!(" +{more}"));
        }
        vec![Effect::Propose(Proposal {
            contact_id: None,
            display_name,
            op,
            fields: Vec::new(),
            base_date_updated: None,
        })]
    }

    /// Filters the contacts pane by a business: asks the worker for its contacts (the pane
    /// shows them when they arrive).
    pub fn filter_by_business(&mut self, named: Named) -> Vec<Effect> {
        self.dirty = true;
        if !self.online {
            self.status.error = Some("offline: no sync worker".into());
            return Vec::new();
        }
        self.status.info = Some(format!(
            "reading the contacts of {}…",
            super::text::clean(&named.name)
        ));
        vec![Effect::Job(crate::sync::Job::FetchBusinessContacts {
            business_id: named.id,
        })]
    }
}
