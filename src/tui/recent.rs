//! What changed in GHL lately, in the TUI: `U` (or `:recent 2h`) opens a list of the contacts
//! GHL changed since this session opened (or the time typed), newest first, each with what
//! changed where the pulls recorded the earlier values ([`crate::sync::recent`]). `j`/`k` move,
//! enter selects the contact in the contacts list (clearing a filter that hides it), esc
//! closes. The list is built off the UI thread ([`Effect::LoadRecent`]: the recorded entries
//! and the loaded list rows) and again whenever the rows are reloaded (a pull changed
//! contacts) while it is open. Its text is in [`super::recent_text`]; it is drawn by
//! [`super::recent_view`].

use std::sync::Arc;

use jiff::Timestamp;

use super::action::Action;
use super::app::{App, Effect, Pane, Screen};
use super::keymap::KeyCombo;
use super::layer::Layer;
use super::scroll::{Nav, Scroll};
use crate::domain::RowSet;
use crate::store::Store;
use crate::sync::recent::{changed_since, RecentItem};

/// The open list.
#[derive(Debug, Clone)]
pub struct RecentView {
    /// The list shows contacts GHL changed at or after this instant.
    pub since: Timestamp,
    /// What was typed for it (`2h`); `None` = since this session opened.
    pub asked: Option<String>,
    /// Newest first.
    pub items: Vec<RecentItem>,
    /// The selection and the first item drawn.
    pub sel: Scroll,
    /// A read is under way.
    pub loading: bool,
    /// The first read came back.
    pub loaded: bool,
    /// The last read failed: why.
    pub error: Option<String>,
}

/// What a read of the list gives: the items for `since`, or why not.
#[derive(Debug, Clone)]
pub struct RecentLoaded {
    pub since: Timestamp,
    pub items: Result<Vec<RecentItem>, String>,
}

/// Builds the list (off the UI thread): the store's recorded changes merged with `rows`.
pub fn load<R: RowSet + ?Sized>(store: &Store, rows: &R, since: Timestamp) -> RecentLoaded {
    RecentLoaded {
        since,
        items: store
            .recent()
            .map(|log| changed_since(rows, &log, since))
            .map_err(|e| e.to_string()),
    }
}

/// The `:recent [since]` command: since the time typed (`2h`, `1d`, `2026-12-01`,
/// `2026-12-01 14:00`), or since this session opened.
pub(crate) fn command(app: &mut App, args: &[String]) -> Vec<Effect> {
    let typed = args.join(" ");
    if typed.trim().is_empty() {
        return app.open_recent(app.session_start, None);
    }
    match crate::sync::recent::parse_since(&typed, app.now()) {
        Ok(t) => app.open_recent(t, Some(crate::sanitize::clean_line(typed.trim()))),
        Err(e) => {
            app.status.error = Some(format!("recent: {e}"));
            app.dirty = true;
            Vec::new()
        }
    }
}

impl App {
    /// `U`: opens the list since this session opened, or closes it when open.
    pub(crate) fn toggle_recent(&mut self) -> Vec<Effect> {
        if self.recent.is_some() {
            self.recent = None;
            self.dirty = true;
            return Vec::new();
        }
        self.open_recent(self.session_start, None)
    }

    /// Opens (or re-opens) the list of contacts changed since `since`.
    pub(crate) fn open_recent(&mut self, since: Timestamp, asked: Option<String>) -> Vec<Effect> {
        self.dirty = true;
        self.recent = Some(RecentView {
            since,
            asked,
            items: Vec::new(),
            sel: Scroll::default(),
            loading: false,
            loaded: false,
            error: None,
        });
        self.reload_recent()
    }

    /// Reads the open list again (the rows changed); nothing when it is closed.
    pub(crate) fn reload_recent(&mut self) -> Vec<Effect> {
        let rows = self.source.rows.clone();
        let Some(r) = self.recent.as_mut() else {
            return Vec::new();
        };
        r.loading = true;
        vec![Effect::LoadRecent {
            since: r.since,
            rows: Arc::clone(&rows),
        }]
    }

    /// The list came back. A read for another time (the list was re-opened since) is dropped.
    pub fn handle_recent_loaded(&mut self, r: RecentLoaded) -> Vec<Effect> {
        let page = self.recent_page();
        let Some(v) = self.recent.as_mut().filter(|v| v.since == r.since) else {
            return Vec::new();
        };
        self.dirty = true;
        v.loading = false;
        v.loaded = true;
        match r.items {
            Ok(items) => {
                // Keep the same contact selected when the list grows above it.
                let keep = v.items.get(v.sel.pos).map(|i| i.contact_id.clone());
                v.items = items;
                if let Some(pos) =
                    keep.and_then(|id| v.items.iter().position(|i| i.contact_id == id))
                {
                    v.sel.pos = pos;
                }
                v.sel.keep_visible(v.items.len(), page);
                v.error = None;
            }
            Err(e) => v.error = Some(e),
        }
        Vec::new()
    }

    /// Rows of the list (the update side's page size; the same geometry the renderer draws).
    fn recent_page(&self) -> usize {
        super::recent_text::list_rows(self.size.0, self.size.1.saturating_sub(2))
    }

    /// Keys while the list has the keyboard ([keys.recent], then [keys.list], [keys.global]):
    /// moving, going to the contact, closing, and the few global actions that make sense over
    /// it (pull, help, messages, the palette, quit); other keys do nothing here.
    pub(crate) fn handle_recent_key(&mut self, key: KeyCombo) -> Vec<Effect> {
        let Some(a) = self.keymap.lookup(&Layer::Recent.chain(), key) else {
            return Vec::new();
        };
        match a {
            Action::NavUp
            | Action::NavDown
            | Action::NavPageUp
            | Action::NavPageDown
            | Action::NavTop
            | Action::NavBottom
            | Action::RecentGoTo
            | Action::RecentClose
            | Action::RecentOpen
            | Action::Back => self.handle_recent_action(a),
            Action::Quit
            | Action::Suspend
            | Action::HelpToggle
            | Action::MessagesOpen
            | Action::PaletteOpen
            | Action::PaletteCommand
            | Action::SyncPull
            | Action::SyncPullFull
            | Action::LocationSwitch => self.handle_action(a),
            _ => Vec::new(),
        }
    }

    /// The list's own actions (from keys or the palette).
    pub(crate) fn handle_recent_action(&mut self, a: Action) -> Vec<Effect> {
        self.dirty = true;
        let page = self.recent_page();
        match a {
            Action::RecentGoTo => return self.recent_go_to(),
            Action::RecentClose | Action::RecentOpen | Action::Back => self.recent = None,
            a => {
                if let (Some(nav), Some(v)) = (Nav::of(a), self.recent.as_mut()) {
                    v.sel.apply(nav, v.items.len(), page);
                }
            }
        }
        Vec::new()
    }

    /// Enter: closes the list and selects its contact in the contacts list. A text or business
    /// filter that hides the contact is cleared first (the status bar says so).
    fn recent_go_to(&mut self) -> Vec<Effect> {
        let Some(v) = self.recent.take() else {
            return Vec::new();
        };
        let Some(item) = v.items.get(v.sel.pos).cloned() else {
            return Vec::new();
        };
        self.screen = Screen::Contacts;
        self.focus = Pane::Contacts;
        let name = super::text::clean(&item.name);
        let shown = |app: &App| {
            (0..app.view.len()).find(|&i| app.view.row(i).is_some_and(|r| r.id == item.contact_id))
        };
        if shown(self).is_none() && (self.filter_line_shown() || self.business.is_some()) {
            self.filter.editing = false;
            self.filter.query.clear();
            self.filter.generation += 1;
            self.filter.pending = false;
            self.business = None;
            self.status.info = Some(format!("filter cleared to show {name}"));
        }
        let source = self.source.clone();
        self.set_view(self.base_view(source), Some(item.contact_id.clone()));
        if shown(self).is_some() {
            self.selection_chosen = true;
        } else {
            self.status.error = Some(format!(
                "{name} is not in the cached list (yet): press r to pull"
            ));
        }
        self.ensure_contacts_visible();
        Vec::new()
    }

    /// Whether the list has an item selected (for the registry's enabled check).
    pub(crate) fn recent_selected(&self) -> bool {
        self.recent
            .as_ref()
            .is_some_and(|v| v.sel.pos < v.items.len())
    }
}
