//! Looking at one contact: the details pane's field cursor and scrolling that stops at the
//! end, copying a field or the whole contact to the user's clipboard (OSC 52, through an
//! [`Effect::Clipboard`]), zooming the focused pane to the whole screen, going from a change
//! or a journal line to its contact, and keeping scroll positions sensible after a resize.
//! Update side: never draws, never writes to the terminal.

use super::action::Action;
use super::app::{App, Effect, Pane, Screen};
use super::look::TextLine;
use super::panes::{activity_text, details_text};
use super::scroll::{Nav, Scroll};
use super::text;

/// The GHL web address of contact `id` in location `loc`.
pub fn web_address(loc: &str, id: &str) -> String {
    format!("https://app.gohighlevel.com/v2/location/{loc}/contacts/detail/{id}")
}

/// Screen rows of `lines` wrapped at `width` cells (each line at least one).
pub fn wrapped_rows(lines: &[TextLine], width: usize) -> Vec<usize> {
    lines
        .iter()
        .map(|l| {
            text::wrap(&details_text::flat(l), width.max(1))
                .len()
                .max(1)
        })
        .collect()
}

/// How far a pane of `page` rows scrolls over `rows` (0 when everything fits).
fn scroll_max(rows: &[usize], page: usize) -> usize {
    rows.iter().sum::<usize>().saturating_sub(page.max(1))
}

impl App {
    /// Inner (width, height) of pane `p` now (1x1 when not shown).
    fn pane_inner(&self, p: Pane) -> (usize, usize) {
        self.areas().pane(p).map_or((1, 1), |r| {
            (
                r.width.saturating_sub(2).max(1) as usize,
                r.height.saturating_sub(2).max(1) as usize,
            )
        })
    }

    /// The actions of this module; `None` for any other (or when the action means something
    /// else here: esc leaves the zoom first, j/k move the details cursor).
    pub(crate) fn handle_view_action(&mut self, action: Action) -> Option<Vec<Effect>> {
        match action {
            Action::PaneZoom => {
                self.zoom = !self.zoom;
                self.status.info = Some(if self.zoom {
                    "zoomed: z or esc returns".into()
                } else {
                    "zoom off".into()
                });
                self.after_resize();
                Some(Vec::new())
            }
            Action::Back | Action::JournalClose if self.zoom => {
                self.zoom = false;
                self.after_resize();
                Some(Vec::new())
            }
            Action::CopyField => Some(self.copy_field()),
            Action::CopyJson => Some(self.copy_json()),
            Action::GoToContact => Some(self.go_to_from_changes()),
            a if self.screen == Screen::Contacts && self.focus == Pane::Details => {
                let nav = Nav::of(a)?;
                self.details_nav(nav);
                Some(Vec::new())
            }
            _ => None,
        }
    }

    /// Moves the details pane's field cursor, scrolling so its line shows and never past the
    /// last line.
    pub(crate) fn details_nav(&mut self, nav: Nav) {
        let (_, page) = self.pane_inner(Pane::Details);
        let len = details_text::line_count(self);
        let mut sc = Scroll {
            pos: self.details_cursor,
            offset: 0,
        };
        sc.apply(nav, len, page);
        self.details_cursor = sc.pos;
        self.keep_details_cursor_visible();
    }

    /// Scrolls the details pane so the cursor's line shows, within the scroll limit.
    fn keep_details_cursor_visible(&mut self) {
        let (w, page) = self.pane_inner(Pane::Details);
        let rows = wrapped_rows(&details_text::lines(self), w);
        if rows.is_empty() {
            self.details_cursor = 0;
            self.details_scroll = 0;
            return;
        }
        self.details_cursor = self.details_cursor.min(rows.len() - 1);
        let start: usize = rows[..self.details_cursor].iter().sum();
        let end = start + rows[self.details_cursor];
        let mut top = self.details_scroll as usize;
        if start < top {
            top = start;
        } else if end > top + page {
            top = end.saturating_sub(page);
        }
        top = top.min(scroll_max(&rows, page));
        self.details_scroll = top.min(u16::MAX as usize) as u16;
    }

    /// The activity pane's scroll limit: its wrapped lines less a page.
    pub(crate) fn activity_scroll_max(&self) -> usize {
        let (w, _) = self.pane_inner(Pane::Activity);
        let page = self.activity_page().max(1) as usize;
        scroll_max(&wrapped_rows(&activity_text::lines(self), w), page)
    }

    /// After a resize (or a zoom): the selected contact and change stay visible, the details
    /// cursor shows, and no pane is scrolled past its end.
    pub(crate) fn after_resize(&mut self) {
        self.ensure_contacts_visible();
        self.keep_details_cursor_visible();
        let max = self.activity_scroll_max();
        self.activity_scroll = (self.activity_scroll as usize).min(max) as u16;
        self.dirty = true;
    }

    /// `y`: the details line under the cursor (details pane), else the contact's GHL web
    /// address (contacts list).
    fn copy_field(&mut self) -> Vec<Effect> {
        let copy = if self.focus == Pane::Details {
            details_text::copy_at(self, self.details_cursor)
        } else {
            self.details
                .as_ref()
                .and_then(|d| d.contact.as_ref())
                .map(|c| details_text::Copy {
                    what: "GHL address".into(),
                    value: web_address(&c.location_id, &c.id),
                })
        };
        match copy {
            Some(c) => self.copy(&c.what, c.value),
            None => {
                self.status.info = Some("nothing to copy on this line".into());
                Vec::new()
            }
        }
    }

    /// `:copy <what>`: `id`, `name`, `email`, `phone`, `owner`, `web` (the GHL address), or a
    /// custom field by name.
    pub(crate) fn copy_named(&mut self, what: &str) -> Vec<Effect> {
        let Some(c) = self.details.as_ref().and_then(|d| d.contact.clone()) else {
            self.status.error = Some("copy: no contact selected".into());
            return Vec::new();
        };
        let w = what.trim().to_lowercase();
        let value = match w.as_str() {
            "id" => Some(c.id.clone()),
            "name" => Some(c.display_name()),
            "email" => c.email.clone(),
            "phone" => c.phone.clone(),
            "owner" => c.assigned_to.as_deref().map(|o| self.users.display(o)),
            "web" | "url" | "address" | "ghl" => Some(web_address(&c.location_id, &c.id)),
            _ => c.custom_fields.iter().find_map(|v| {
                let def = self.custom_fields.get(&v.id);
                let name = def.map_or(v.id.as_str(), |d| d.name.as_str());
                (name.to_lowercase() == w || v.id.to_lowercase() == w)
                    .then(|| crate::domain::custom_field::format_custom(def, v))
            }),
        };
        match value.filter(|v| !v.trim().is_empty()) {
            Some(v) => self.copy(&text::clean(what.trim()), text::clean(&v)),
            None => {
                self.status.error = Some(format!(
                    "copy: the contact has no {} (id, name, email, phone, owner, web, or a custom field)",
                    text::clean(what.trim())
                ));
                Vec::new()
            }
        }
    }

    /// `Y`: the whole contact as JSON (the raw record, sanitized).
    fn copy_json(&mut self) -> Vec<Effect> {
        let Some(c) = self.details.as_ref().and_then(|d| d.contact.as_ref()) else {
            self.status.error = Some("copy: no contact selected (or not in the cache yet)".into());
            return Vec::new();
        };
        let json = serde_json::from_str::<serde_json::Value>(&c.raw_json)
            .ok()
            .and_then(|v| serde_json::to_string_pretty(&crate::sanitize::clean_json(&v)).ok());
        let Some(json) = json else {
            self.status.error = Some("copy: no raw record cached for this contact".into());
            return Vec::new();
        };
        let n = json.len();
        let name = text::clean(&c.display_name());
        // The copy succeeded: an older error no longer hides the confirmation.
        self.status.error = None;
        self.status.info = Some(format!("copied {name} as JSON ({n} bytes)"));
        vec![Effect::Clipboard(json)]
    }

    fn copy(&mut self, what: &str, value: String) -> Vec<Effect> {
        // The copy succeeded: an older error no longer hides the confirmation.
        self.status.error = None;
        // Whole (up to a page): the status bar cuts it with `… (m)`, the messages wrap it.
        self.status.info = Some(format!("copied {what} {}", text::truncate(&value, 2000)));
        vec![Effect::Clipboard(value)]
    }

    /// `o` on the changes screen: the contact of the journal line at the top (journal open),
    /// else of the selected change.
    fn go_to_from_changes(&mut self) -> Vec<Effect> {
        let id = match &self.changes.journal {
            Some(j) => j.entries.get(j.scroll).and_then(|e| e.contact_id.clone()),
            None => self
                .changes
                .selected_change()
                .and_then(|c| c.contact_id.clone()),
        };
        match id {
            Some(id) => self.go_to_contact(&id),
            None => {
                self.status.info = Some("no GHL contact here (a create not sent yet?)".into());
                Vec::new()
            }
        }
    }

    /// Shows contact `id` selected on the contacts screen, clearing a filter that hides it;
    /// says so when the cache does not have it.
    pub fn go_to_contact(&mut self, id: &str) -> Vec<Effect> {
        self.dirty = true;
        let shown =
            |a: &App| (0..a.view.len()).find(|&i| a.view.row(i).is_some_and(|r| r.id == id));
        let mut cleared = false;
        let pos = match shown(self) {
            Some(p) => Some(p),
            None if self.source.rows.iter().any(|r| r.id == id) => {
                // Hidden by the filter or the business: show every contact.
                self.filter.query.clear();
                self.filter.editing = false;
                self.filter.generation += 1;
                self.filter.pending = false;
                self.business = None;
                self.set_view(self.base_view(self.source.clone()), Some(id.to_owned()));
                cleared = true;
                shown(self)
            }
            None => None,
        };
        let Some(pos) = pos else {
            self.status.info = Some(format!(
                "contact {} is not in the cache (pull to fetch it)",
                text::clean(id)
            ));
            return Vec::new();
        };
        self.screen = Screen::Contacts;
        self.zoom = false;
        self.focus = Pane::Contacts;
        self.selected = pos;
        self.selection_chosen = true;
        self.selection_changed();
        let name = self
            .selected_row()
            .map(|r| text::clean(r.name))
            .unwrap_or_default();
        self.status.info = Some(if cleared {
            format!("went to {name} (filter cleared to show it)")
        } else {
            format!("went to {name}")
        });
        Vec::new()
    }
}
