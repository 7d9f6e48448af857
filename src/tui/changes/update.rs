//! The app's handlers for the changes screen: keys, actions, loads and review results.

use super::{ChangesFocus, EditState, ReviewDone, ReviewOp};
use crate::domain::{Change, ChangeKind};
use crate::tui::action::Action;
use crate::tui::app::{App, Effect, Screen};
use crate::tui::keymap::{Context, KeyCombo};
use crate::tui::layout;
use crate::tui::scroll::{self, Nav};

impl App {
    /// A key on the changes screen (no help or notice open).
    pub(crate) fn handle_changes_key(&mut self, key: KeyCombo) -> Vec<Effect> {
        if self.changes.choice_confirm.is_some() {
            // Choosing a candidate: only "yes" chooses, any other key cancels.
            let yes = self.keymap.lookup(&[Context::Confirm], key) == Some(Action::ConfirmYes);
            return self.choice_answered(yes);
        }
        let cs = &mut self.changes;
        if let Some(c) = key.printable() {
            if let Some(e) = cs.edit.as_mut() {
                e.insert(c);
                self.dirty = true;
                return Vec::new();
            }
            if cs.query_editing {
                cs.query.push(c);
                self.changes_refilter();
                self.dirty = true;
                return Vec::new();
            }
        }
        let chain = self.layer().chain();
        match self.keymap.lookup(&chain, key) {
            Some(Action::ChangeResolve) => {
                self.dirty = true;
                match key.printable().and_then(|c| c.to_digit(10)) {
                    Some(n) if n > 0 => self.resolve_candidate(n as usize),
                    _ => self.resolve_candidate(0),
                }
            }
            Some(a) => self.handle_action(a),
            None => Vec::new(),
        }
    }

    /// The changes screen's areas in `area`: the diff pane sized to the selected change's
    /// diff when stacked under the list.
    pub fn changes_areas(&self, area: ratatui::layout::Rect) -> layout::ChangesAreas {
        let cs = &self.changes;
        let focused = cs.focus == ChangesFocus::Diff;
        let wanted = cs.selected_named(&self.users).map(|(c, notice)| {
            let w = area.width.saturating_sub(2) as usize;
            let d = super::diff_text::lines(
                &c,
                notice.as_deref(),
                cs.selected_outbox(),
                &self.keymap,
                &cs.names,
                w,
                cs.field,
                focused,
            );
            d.lines.len() + if cs.edit.is_some() { 3 } else { 0 }
        });
        let a = layout::changes_areas_sized(area, focused, wanted);
        if self.zoom {
            a.zoomed(focused)
        } else {
            a
        }
    }

    /// How far the diff pane of the selected change scrolls: its lines less those the pane
    /// shows (0 when it fits), at the terminal's size.
    pub fn changes_diff_scroll_max(&self) -> usize {
        let a = self.changes_areas(ratatui::layout::Rect::new(0, 0, self.size.0, self.size.1));
        let cs = &self.changes;
        let (Some(area), Some((c, notice))) = (a.diff, cs.selected_named(&self.users)) else {
            return 0;
        };
        let d = super::diff_text::lines(
            &c,
            notice.as_deref(),
            cs.selected_outbox(),
            &self.keymap,
            &cs.names,
            area.width.saturating_sub(2) as usize,
            cs.field,
            cs.focus == ChangesFocus::Diff,
        );
        d.lines
            .len()
            .saturating_sub(area.height.saturating_sub(2) as usize)
    }

    /// Rows of changes that fit in the list pane (at least 1).
    pub fn changes_page(&self) -> usize {
        let a = self.changes_areas(ratatui::layout::Rect::new(0, 0, self.size.0, self.size.1));
        let filter_line = self.changes.query_editing || !self.changes.query.is_empty();
        a.list
            .map_or(1, |r| layout::changes_list_page(r, filter_line))
            .max(1)
    }

    pub(crate) fn changes_ensure_visible(&mut self) {
        let page = self.changes_page();
        self.changes.ensure_visible(page);
        self.refresh_selected_outbox();
        self.refresh_selected_ghl_since();
    }

    pub(crate) fn changes_refilter(&mut self) {
        let keep = self.changes.selected_change().map(|c| c.id);
        self.changes.refilter(keep);
        self.changes_ensure_visible();
    }

    /// Asks for every change to be read again (coalesced: one read at a time, one queued).
    pub fn request_changes_reload(&mut self) -> Vec<Effect> {
        if self.changes.loading {
            self.changes.reload_queued = true;
            Vec::new()
        } else {
            self.changes.loading = true;
            vec![Effect::LoadChanges]
        }
    }

    /// Every change, read off the UI thread.
    pub fn handle_changes_loaded(&mut self, r: Result<Vec<Change>, String>) -> Vec<Effect> {
        self.dirty = true;
        let cs = &mut self.changes;
        cs.loading = false;
        let queued = std::mem::take(&mut cs.reload_queued);
        if queued && cs.loaded {
            // A newer read was asked for while this one ran; this one may be stale.
            cs.loading = true;
            return vec![Effect::LoadChanges];
        }
        match r {
            Ok(all) => {
                // The selection stays on the same change (by id, read before the list is
                // replaced): on the one being edited when the editor is open.
                let keep = cs
                    .edit
                    .as_ref()
                    .map(|e| e.change_id)
                    .or_else(|| cs.selected_change().map(|c| c.id));
                cs.names = bulk_names(&self.source.rows, &all);
                cs.all = all;
                cs.loaded = true;
                cs.refilter(keep);
                self.changes_ensure_visible();
                self.keep_edit_in_view();
            }
            Err(e) => {
                cs.loaded = true;
                self.status.error = Some(format!("loading changes: {e}"));
            }
        }
        if queued {
            self.changes.loading = true;
            return vec![Effect::LoadChanges];
        }
        Vec::new()
    }

    /// After the changes were read again (another session or a CLI command changed them):
    /// the open editor stays over its change and field; when that change is no longer shown
    /// (gone, or its new state is filtered out) or no longer has the field, the editor closes
    /// and says so (nothing was saved).
    fn keep_edit_in_view(&mut self) {
        let cs = &mut self.changes;
        let Some(e) = cs.edit.as_ref() else { return };
        let (id, field) = (e.change_id, e.field.clone());
        let place = cs
            .selected_change()
            .filter(|c| c.id == id)
            .and_then(|c| c.fields.iter().position(|f| f.field == field));
        match place {
            Some(i) => cs.field = i,
            None => {
                let label = cs.edit.take().map(|e| e.label).unwrap_or_default();
                self.status.error = Some(format!(
                    "#{id} changed elsewhere and is no longer shown here: edit of {} closed, nothing saved",
                    crate::tui::text::clean(&label)
                ));
            }
        }
    }

    pub(super) fn review(&mut self, op: ReviewOp) -> Vec<Effect> {
        self.changes.in_flight += 1;
        vec![Effect::Review(op)]
    }

    fn selected_id(&self) -> Option<u64> {
        self.changes.selected_change().map(|c| c.id)
    }

    /// Settles the selected ambiguous change on candidate `n` (1-based; 0 = the key had no
    /// digit).
    pub(crate) fn resolve_candidate(&mut self, n: usize) -> Vec<Effect> {
        let Some(c) = self.changes.selected_change() else {
            return Vec::new();
        };
        if c.kind != ChangeKind::Ambiguous {
            self.status.info = Some(format!("#{} is not ambiguous: nothing to choose", c.id));
            return Vec::new();
        }
        if n == 0 {
            self.status.info = Some("press the candidate's number (1-9)".into());
            return Vec::new();
        }
        let Some(cand) = c.candidates.get(n - 1) else {
            let new_key = self
                .keymap
                .keys_for(&self.layer().chain(), Action::ChangeResolveNew)
                .first()
                .map(|k| format!(" or {k}"))
                .unwrap_or_default();
            let choose = match c.candidates.len() {
                0 => "no candidates".to_owned(),
                1 => "choose 1".to_owned(),
                k => format!("choose 1-{k}"),
            };
            // An error, so it replaces an older one and is seen (the info comes last).
            self.status.error = Some(format!("no candidate {n}; {choose}{new_key}"));
            return Vec::new();
        };
        let (id, cid) = (c.id, cand.contact_id.clone());
        self.choice_requested(id, Some(cid))
    }

    /// An action while the changes screen is shown (help is handled before).
    pub(crate) fn handle_changes_action(&mut self, action: Action) -> Vec<Effect> {
        self.dirty = true;
        // The editor and the question come first.
        if self.changes.edit.is_some() {
            return self.edit_action(action);
        }
        if let Some(plan) = self.changes.send_confirm.clone() {
            return match action {
                Action::ConfirmYes => self.send_answered(plan, true),
                Action::ConfirmNo | Action::Back | Action::Quit => self.send_answered(plan, false),
                _ => Vec::new(),
            };
        }
        if self.changes.journal.is_some() {
            return self.journal_action(action);
        }
        if self.changes.choice_confirm.is_some() {
            return self.choice_answered(action == Action::ConfirmYes);
        }
        if let Some(c) = self.changes.confirm.clone() {
            match action {
                Action::ConfirmYes => {
                    self.changes.confirm = None;
                    if c.ids.is_empty() {
                        self.status.info = Some("nothing to approve".into());
                        return Vec::new();
                    }
                    return self.review(ReviewOp::ApproveMany(c.ids));
                }
                Action::ConfirmNo | Action::Back | Action::Quit => {
                    self.changes.confirm = None;
                    self.status.info = Some("not approved".into());
                }
                _ => {}
            }
            return Vec::new();
        }
        let cs = &mut self.changes;
        match action {
            Action::ScreenToggle => {
                self.screen = Screen::Contacts;
                self.ensure_contacts_visible();
            }
            Action::PaneNext | Action::PanePrev | Action::ChangeOpen => {
                cs.focus = match (cs.focus, action) {
                    (ChangesFocus::List, _) => ChangesFocus::Diff,
                    (ChangesFocus::Diff, Action::ChangeOpen) => ChangesFocus::Diff,
                    (ChangesFocus::Diff, _) => ChangesFocus::List,
                };
                self.changes_ensure_visible();
            }
            Action::Back => {
                if cs.query_editing {
                    return self.handle_changes_action(Action::FilterCancel);
                } else if cs.focus == ChangesFocus::Diff {
                    cs.focus = ChangesFocus::List;
                } else if !cs.query.is_empty() {
                    cs.query.clear();
                    self.changes_refilter();
                }
            }
            Action::NavUp
            | Action::NavDown
            | Action::NavPageUp
            | Action::NavPageDown
            | Action::NavTop
            | Action::NavBottom => {
                if let Some(nav) = Nav::of(action) {
                    self.changes_nav(nav)
                }
            }
            Action::FilterOpen => {
                cs.query_editing = true;
                cs.focus = ChangesFocus::List;
                self.changes_ensure_visible();
            }
            Action::FilterAccept => {
                cs.query_editing = false;
                self.changes_ensure_visible();
            }
            Action::FilterCancel => {
                cs.query_editing = false;
                cs.query.clear();
                self.changes_refilter();
            }
            Action::FilterDeleteChar => {
                if cs.query.pop().is_some() {
                    self.changes_refilter();
                }
            }
            Action::FilterClear => {
                cs.query.clear();
                self.changes_refilter();
            }
            Action::ChangesCycleState => {
                cs.filter = cs.filter.next_with(&cs.counts);
                self.status.info = Some(format!("showing {} changes", cs.filter.label()));
                self.changes_refilter();
            }
            Action::ChangesReload => {
                self.status.info = Some("reading changes…".into());
                return self.request_changes_reload();
            }
            Action::ChangeApprove => {
                if let Some(id) = self.selected_id() {
                    return self.review(ReviewOp::Approve(id));
                }
            }
            Action::ChangeReject => {
                if let Some(id) = self.selected_id() {
                    return self.review(ReviewOp::Reject(id));
                }
            }
            Action::ChangeReset => {
                if let Some(id) = self.selected_id() {
                    return self.review(ReviewOp::Reset(id));
                }
            }
            Action::ChangeEdit => {
                let field = cs.field;
                if let Some(c) = cs.selected_change() {
                    use crate::domain::ChangeState as S;
                    let editable = matches!(c.state, S::Pending | S::Approved | S::Rejected)
                        && c.kind != ChangeKind::Delete;
                    if !editable {
                        self.status.info = Some(if c.kind == ChangeKind::Delete {
                            "a delete writes no values; approve or reject it".to_owned()
                        } else {
                            format!(
                                "change #{} is {}: only changes not yet sent can be edited",
                                c.id,
                                c.state.label()
                            )
                        });
                        return Vec::new();
                    }
                    match c.fields.get(field) {
                        Some(f) => {
                            let v = f.proposed.as_deref().unwrap_or("");
                            // A due date is typed in Israel time, so it is offered that way.
                            let v = if f.field == "dueDate" {
                                crate::clock::value(v)
                            } else {
                                v.into()
                            };
                            let e = EditState::new(c.id, &f.field, &f.label, &v);
                            cs.edit = Some(e);
                        }
                        None => self.status.info = Some("this change has no fields".into()),
                    }
                }
            }
            Action::ChangeApproveAllShown => {
                let c = cs.approvable_shown();
                if c.ids.is_empty() {
                    self.status.info = Some(format!(
                        "nothing to approve among the {} shown",
                        cs.view.len()
                    ));
                } else {
                    cs.confirm = Some(c);
                }
            }
            Action::ChangeResolve => return self.resolve_candidate(0),
            Action::ChangesSend => return self.send_requested(),
            Action::ChangesCancelSend => return self.cancel_send(),
            Action::JournalOpen => return self.journal_open(),
            Action::ChangesProposeWriteback => {
                if let Some(why) = &self.read_only {
                    self.status.error = Some(format!("read-only: {why}"));
                    return Vec::new();
                }
                if !self.online {
                    self.status.info = Some("offline: no sync worker".into());
                    return Vec::new();
                }
                self.status.info = Some("proposing write-back to Bmby…".into());
                return vec![Effect::Job(crate::sync::Job::ProposeWriteback)];
            }
            Action::ChangeResolveNew => {
                if let Some(c) = cs.selected_change() {
                    if c.kind == ChangeKind::Ambiguous {
                        let id = c.id;
                        return self.choice_requested(id, None);
                    }
                    self.status.info = Some(format!("#{} is not ambiguous", c.id));
                }
            }
            // Everything else behaves as on the contacts screen.
            other => return self.handle_common_action(other),
        }
        Vec::new()
    }

    fn changes_nav(&mut self, nav: Nav) {
        let page = match self.changes.focus {
            ChangesFocus::List => self.changes_page(),
            ChangesFocus::Diff => 5,
        };
        let cs = &mut self.changes;
        match cs.focus {
            ChangesFocus::List => {
                let len = cs.view.len();
                if len == 0 {
                    return;
                }
                cs.selected = scroll::scrolled(cs.selected, nav, len - 1, page);
            }
            ChangesFocus::Diff => {
                let n = cs.selected_change().map_or(0, |c| c.fields.len());
                if n == 0 {
                    // No fields (an operation): j/k scroll the diff's lines.
                    let max = self.changes_diff_scroll_max();
                    let cs = &mut self.changes;
                    cs.field = scroll::scrolled(cs.field.min(max), nav, max, page);
                    return;
                }
                cs.field = scroll::scrolled(cs.field, nav, n - 1, page);
            }
        }
        self.changes_ensure_visible();
    }

    fn edit_action(&mut self, action: Action) -> Vec<Effect> {
        let Some(e) = self.changes.edit.as_mut() else {
            return Vec::new();
        };
        match action {
            Action::EditSave => {
                if e.saving {
                    return Vec::new();
                }
                e.saving = true;
                let op = ReviewOp::Edit {
                    id: e.change_id,
                    field: e.field.clone(),
                    value: e.input.clone(),
                };
                return self.review(op);
            }
            Action::EditCancel | Action::Back => self.changes.edit = None,
            Action::EditDeleteBack => e.delete_back(),
            Action::EditDeleteForward => e.delete_forward(),
            Action::EditLeft => e.left(),
            Action::EditRight => e.right(),
            Action::EditHome => e.home(),
            Action::EditEnd => e.end(),
            Action::EditClear => e.clear(),
            _ => {}
        }
        Vec::new()
    }

    /// A review action came back.
    pub fn handle_review_done(&mut self, d: ReviewDone) -> Vec<Effect> {
        self.dirty = true;
        let cs = &mut self.changes;
        cs.in_flight = cs.in_flight.saturating_sub(1);
        let keep = cs.selected_change().map(|c| c.id);
        let mut ok: Vec<Change> = Vec::new();
        let mut errs: Vec<String> = Vec::new();
        for r in d.results {
            match r {
                Ok(c) => ok.push(c),
                Err(e) => errs.push(e),
            }
        }
        // The editor: a refused value keeps it open with the reason in its title.
        if let ReviewOp::Edit { id, field, .. } = &d.op {
            if let Some(e) = cs
                .edit
                .as_mut()
                .filter(|e| e.change_id == *id && &e.field == field)
            {
                e.saving = false;
                match errs.first() {
                    Some(err) => {
                        // Shown in the editor's title, not in the status line too.
                        e.error = Some(err.clone());
                        errs.clear();
                    }
                    None => cs.edit = None,
                }
            }
        }
        let mut unknown = false;
        for c in &ok {
            unknown |= !cs.replace(c.clone());
        }
        cs.refilter(keep);
        self.changes_ensure_visible();
        let name = |c: &Change| crate::tui::text::clean(&c.display_name);
        let info = match (&d.op, ok.first()) {
            (ReviewOp::Approve(_), Some(c)) => Some(format!("approved #{} {}", c.id, name(c))),
            (ReviewOp::Reject(_), Some(c)) => Some(format!("rejected #{} {}", c.id, name(c))),
            (ReviewOp::Reset(_), Some(c)) if c.kind == ChangeKind::Ambiguous => Some(format!(
                "#{} {} is ambiguous again: choose a contact (any link it moved is back)",
                c.id,
                name(c)
            )),
            (ReviewOp::Reset(_), Some(c)) => {
                Some(format!("#{} {} is pending again", c.id, name(c)))
            }
            (ReviewOp::Edit { field, .. }, Some(c)) => {
                Some(format!("#{} {field} saved (pending again)", c.id))
            }
            (ReviewOp::Resolve { contact_id, .. }, Some(c)) => Some(match contact_id {
                Some(cid) => {
                    let moved = c.choice.as_ref().map_or(0, |x| x.unlinked.len());
                    format!(
                        "#{} now updates {cid}{} (u undoes the choice)",
                        c.id,
                        if moved > 0 {
                            " · link moved from Bmby client ".to_owned()
                                + &c.choice
                                    .as_ref()
                                    .map_or(String::new(), |x| x.unlinked.join(", "))
                        } else {
                            String::new()
                        }
                    )
                }
                None => format!("#{} now creates a new contact (u undoes the choice)", c.id),
            }),
            (ReviewOp::Revert(seq), Some(c)) => Some(format!(
                "proposed change #{}: reverts journal #{seq} for {} (pending, review it)",
                c.id,
                name(c)
            )),
            (ReviewOp::ApproveMany(_), _) if !ok.is_empty() => Some(format!(
                "approved {} change{}",
                ok.len(),
                if ok.len() == 1 { "" } else { "s" }
            )),
            _ => None,
        };
        if let Some(i) = info {
            self.status.info = Some(i);
            if self.changes.review_error {
                self.status.error = None;
                self.changes.review_error = false;
            }
        }
        if let Some(first) = errs.first() {
            let msg = if errs.len() > 1 {
                format!("{} not done; first: {first}", errs.len())
            } else {
                first.clone()
            };
            self.status.error = Some(msg);
            self.changes.review_error = true;
        }
        if unknown || matches!(d.op, ReviewOp::ApproveMany(_)) {
            return self.request_changes_reload();
        }
        Vec::new()
    }
}

/// The names of the contacts of the bulk operations in `all`, by id (sanitized), from `rows`.
fn bulk_names(
    rows: &crate::domain::RowList,
    all: &[Change],
) -> std::collections::HashMap<String, String> {
    let wanted: std::collections::HashSet<&str> = all
        .iter()
        .filter_map(|c| match &c.subject {
            crate::domain::Subject::Op(op) => super::op_view::bulk_ids(op),
            _ => None,
        })
        .flatten()
        .map(String::as_str)
        .collect();
    if wanted.is_empty() {
        return Default::default();
    }
    rows.iter()
        .filter(|r| wanted.contains(r.id) && !r.name.trim().is_empty())
        .map(|r| (r.id.to_owned(), crate::tui::text::clean(r.name.trim())))
        .collect()
}
