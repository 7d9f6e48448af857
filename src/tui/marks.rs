//! Multi-select in the contacts pane: marks are contact ids, so they survive re-sorting,
//! filtering and reloads; a contact that is no longer cached is unmarked when the full list is
//! read again. Bulk actions (tags, business) apply to the marked contacts
//! ([`App::bulk_targets`](crate::tui::App::bulk_targets)).
//!
//! Keys (`[keys.contacts]`): `space` marks or unmarks the selected contact, `v` marks every
//! contact shown (when all of them are marked already it unmarks them), `V` clears every mark,
//! and `esc` clears the marks before it does anything else.

use std::collections::HashSet;

use super::action::Action;
use super::app::{App, Effect};
use super::keymap::Context;
use crate::domain::RowSet;

/// The marked contacts (GHL contact ids).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Marks {
    ids: HashSet<String>,
}

impl Marks {
    /// How many contacts are marked.
    pub fn len(&self) -> usize {
        self.ids.len()
    }
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
    /// Whether the contact `id` is marked.
    pub fn contains(&self, id: &str) -> bool {
        self.ids.contains(id)
    }
    /// Marks `id` when it is not marked, else unmarks it; returns whether it is marked now.
    pub fn toggle(&mut self, id: &str) -> bool {
        if self.ids.remove(id) {
            false
        } else {
            self.ids.insert(id.to_owned());
            true
        }
    }
    /// The marked ids, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &String> {
        self.ids.iter()
    }
    pub fn insert(&mut self, id: &str) {
        self.ids.insert(id.to_owned());
    }
    pub fn remove(&mut self, id: &str) {
        self.ids.remove(id);
    }
    pub fn clear(&mut self) {
        self.ids.clear();
    }
    /// Unmarks every contact that is not in `rows` (the whole cache, read again); returns how
    /// many were unmarked.
    pub fn retain_present<R: RowSet + ?Sized>(&mut self, rows: &R) -> usize {
        if self.ids.is_empty() {
            return 0;
        }
        let present: HashSet<&str> = (0..rows.count()).map(|i| rows.id_at(i)).collect();
        let before = self.ids.len();
        self.ids.retain(|id| present.contains(id.as_str()));
        before - self.ids.len()
    }
}

impl App {
    /// The ids of every contact shown in the list, in display order.
    pub fn shown_ids(&self) -> Vec<String> {
        (0..self.view.len())
            .filter_map(|i| self.view.row(i).map(|r| r.id.to_owned()))
            .collect()
    }

    /// `space`, `v`, `V` in the contacts pane.
    pub(crate) fn handle_mark_action(&mut self, action: Action) -> Vec<Effect> {
        self.dirty = true;
        match action {
            Action::MarkToggle => {
                let Some(id) = self.selected_row().map(|r| r.id.to_owned()) else {
                    return Vec::new();
                };
                self.marks.toggle(&id);
                // Marking moves on, so a run of contacts is marked with repeated presses.
                if self.selected + 1 < self.view.len() {
                    self.handle_action(Action::NavDown);
                }
            }
            Action::MarkAllShown => {
                let shown = self.shown_ids();
                if !shown.is_empty() && shown.iter().all(|id| self.marks.contains(id)) {
                    shown.iter().for_each(|id| self.marks.remove(id));
                } else {
                    shown.iter().for_each(|id| self.marks.insert(id));
                }
            }
            Action::UnmarkAll => self.marks.clear(),
            _ => return Vec::new(),
        }
        self.note_marks();
        Vec::new()
    }

    /// `esc` with marks: clears them (true), before `esc` does anything else.
    pub(crate) fn clear_marks_on_back(&mut self) -> bool {
        if self.marks.is_empty() {
            return false;
        }
        self.marks.clear();
        self.note_marks();
        true
    }

    /// The status line after marks changed: how many, and the keys that act on them.
    fn note_marks(&mut self) {
        let n = self.marks.len();
        self.status.info = Some(if n == 0 {
            "no contacts marked".to_owned()
        } else {
            let key = |a: Action| {
                self.keymap
                    .keys_for(&[Context::Contacts, Context::List, Context::Global], a)
                    .first()
                    .map_or_else(|| a.name().to_owned(), |k| k.to_string())
            };
            format!(
                "{n} marked ({} clears, {} all shown)",
                key(Action::Back),
                key(Action::MarkAllShown),
            )
        });
    }

    /// After every row was read again: unmark the contacts that are gone.
    pub(crate) fn prune_marks(&mut self) {
        if !self.rows_complete {
            return;
        }
        let rows = self.source.rows.clone();
        if self.marks.retain_present(&*rows) > 0 {
            self.dirty = true;
        }
    }
}
