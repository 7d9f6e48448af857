//! The app's side of sending approved changes: the question (naming creates, updates and
//! DELETES), the worker's progress, cancelling between two changes, the journal view, and the
//! dispatch details of the selected change for the diff pane.
//!
//! The sending itself runs in the background worker (`Job::Dispatch`); progress comes back as
//! `SyncEvent::Dispatch*`. Each progress event re-reads the one change it names (a single
//! record, like the details pane's reads) so the list shows its new state at once; a full read
//! follows at the start and the end.

use super::{JournalView, SendPlan};
use crate::domain::{ChangeState, JournalEntry};
use crate::sync::{Job, SyncEvent};
use crate::tui::action::Action;
use crate::tui::app::{App, DispatchStatus, Effect};

impl App {
    /// `changes.send`: ask before sending every queued change.
    pub(crate) fn send_requested(&mut self) -> Vec<Effect> {
        if let Some(d) = self.status.dispatch {
            self.status.info = Some(format!("already sending {}/{}", d.done, d.total));
            return Vec::new();
        }
        if !self.online {
            self.status.info = Some("offline: no sync worker to send with".into());
            return Vec::new();
        }
        let plan = SendPlan::of(&self.changes.all);
        if plan.ids.is_empty() {
            self.status.info = Some("nothing approved to send".into());
            return Vec::new();
        }
        self.changes.send_confirm = Some(plan);
        Vec::new()
    }

    /// The answer to the "send?" question.
    pub(crate) fn send_answered(&mut self, plan: SendPlan, yes: bool) -> Vec<Effect> {
        self.changes.send_confirm = None;
        if !yes {
            self.status.info = Some("not sent".into());
            return Vec::new();
        }
        self.status.dispatch = Some(DispatchStatus {
            done: 0,
            total: plan.ids.len(),
            failed: 0,
            conflicts: 0,
            cancelling: false,
        });
        self.status.info = None;
        vec![Effect::Job(Job::Dispatch {
            ids: Some(plan.ids),
        })]
    }

    /// `changes.cancel_send`: stop after the change being sent now.
    pub(crate) fn cancel_send(&mut self) -> Vec<Effect> {
        match self.status.dispatch.as_mut() {
            Some(d) if !d.cancelling => {
                d.cancelling = true;
                vec![Effect::Job(Job::CancelDispatch)]
            }
            Some(_) => Vec::new(),
            None => {
                self.status.info = Some("nothing is being sent".into());
                Vec::new()
            }
        }
    }

    /// A `SyncEvent::Dispatch*` from the worker.
    pub(crate) fn handle_dispatch_event(&mut self, ev: SyncEvent) -> Vec<Effect> {
        self.dirty = true;
        let mut fx = Vec::new();
        match ev {
            SyncEvent::DispatchStarted { total } => {
                let cancelling = self.status.dispatch.is_some_and(|d| d.cancelling);
                self.status.dispatch = Some(DispatchStatus {
                    done: 0,
                    total,
                    failed: 0,
                    conflicts: 0,
                    cancelling,
                });
                fx.extend(self.request_changes_reload());
            }
            SyncEvent::DispatchProgress {
                done,
                total,
                change_id,
                state,
            } => {
                let d = self.status.dispatch.get_or_insert(DispatchStatus {
                    done: 0,
                    total,
                    failed: 0,
                    conflicts: 0,
                    cancelling: false,
                });
                d.done = done;
                d.total = total;
                match state {
                    ChangeState::Failed => d.failed += 1,
                    ChangeState::Conflict => d.conflicts += 1,
                    _ => {}
                }
                self.reload_one_change(change_id);
                fx.extend(self.request_journal_reload());
            }
            SyncEvent::DispatchFinished {
                applied,
                failed,
                conflicts,
                queued,
                cancelled,
            } => {
                self.status.dispatch = None;
                // Task and note writes update the cache the details pane shows.
                self.reload_details();
                let plural =
                    |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
                let mut msg = format!(
                    "{}: {applied} applied · {failed} failed · {}",
                    if cancelled { "sending stopped" } else { "sent" },
                    plural(conflicts, "conflict")
                );
                if queued > 0 {
                    msg.push_str(&format!(" · {queued} still approved"));
                    if self.locations.needs_sign_in.is_some() {
                        msg.push_str(" (needs sign-in: run bmby-ghl auth login, then send again)");
                    }
                }
                self.status.info = Some(msg);
                fx.extend(self.request_changes_reload());
                fx.extend(self.request_journal_reload());
            }
            _ => {}
        }
        fx
    }

    /// Reads one change again (after the worker moved it) and shows it.
    fn reload_one_change(&mut self, id: u64) {
        match self.store().change(id) {
            Ok(Some(c)) => {
                let keep = self.changes.selected_change().map(|c| c.id);
                self.changes.replace(c);
                self.changes.refilter(keep);
                self.changes_ensure_visible();
            }
            Ok(None) => {}
            Err(e) => self.status.error = Some(format!("reading change {id}: {e}")),
        }
    }

    /// Keeps the selected change's dispatch details at hand for the diff pane (one record,
    /// read again only when the selection or the change moved).
    pub(crate) fn refresh_selected_outbox(&mut self) {
        let Some(c) = self.changes.selected_change() else {
            return;
        };
        if c.state == ChangeState::Pending || c.state == ChangeState::Rejected {
            return;
        }
        let (id, at) = (c.id, c.updated_at.clone());
        if self
            .changes
            .outbox
            .as_ref()
            .is_some_and(|(i, a, _)| *i == id && *a == at)
        {
            return;
        }
        match self.store().outbox_info(id) {
            Ok(info) => self.changes.outbox = Some((id, at, info)),
            Err(e) => self.status.error = Some(format!("reading the outbox of #{id}: {e}")),
        }
    }

    /// Reads the selected pending or approved contact change's contact from the cache (one
    /// record) and notes when GHL changed it after the diff.
    pub(crate) fn refresh_selected_ghl_since(&mut self) {
        use crate::domain::{ChangeKind, Subject, Target};
        let Some(c) = self.changes.selected_change() else {
            return;
        };
        let relevant = matches!(c.state, ChangeState::Pending | ChangeState::Approved)
            && matches!(c.kind, ChangeKind::Update | ChangeKind::Delete)
            && c.subject == Subject::Contact
            && c.target == Target::Ghl;
        if !relevant {
            return;
        }
        if self
            .changes
            .ghl_since
            .as_ref()
            .is_some_and(|g| g.change_id == c.id && g.updated_at == c.updated_at)
        {
            return;
        }
        let (id, at, base) = (c.id, c.updated_at.clone(), c.base_date_updated.clone());
        let fields: Vec<String> = c.fields.iter().map(|f| f.field.clone()).collect();
        let Some(contact_id) = c.contact_id.clone() else {
            return;
        };
        self.changes.ghl_since = match self.store().contact(&contact_id) {
            Ok(Some(now)) if base.is_some() && now.date_updated > base => Some(super::GhlSince {
                change_id: id,
                updated_at: at,
                date_updated: now.date_updated.clone().unwrap_or_default(),
                values: fields
                    .iter()
                    .map(|f| (f.clone(), crate::sync::diff::ghl_value(&now, f)))
                    .collect(),
            }),
            _ => None,
        };
    }

    /// `journal.open`.
    pub(crate) fn journal_open(&mut self) -> Vec<Effect> {
        self.changes.journal = Some(JournalView::default());
        self.request_journal_reload()
    }

    /// Reads the journal again if it is open (coalesced: one read at a time, one queued).
    fn request_journal_reload(&mut self) -> Vec<Effect> {
        let Some(j) = self.changes.journal.as_mut() else {
            return Vec::new();
        };
        if j.loading {
            j.reload_queued = true;
            Vec::new()
        } else {
            j.loading = true;
            vec![Effect::LoadJournal]
        }
    }

    /// The journal, read off the UI thread (newest first).
    pub fn handle_journal_loaded(&mut self, r: Result<Vec<JournalEntry>, String>) -> Vec<Effect> {
        self.dirty = true;
        let Some(j) = self.changes.journal.as_mut() else {
            return Vec::new();
        };
        j.loading = false;
        match r {
            Ok(v) => {
                // Keep the same entry at the top when newer ones arrive above it.
                let top = j.entries.get(j.scroll).map(|e| e.seq);
                j.entries = v;
                j.scroll = top
                    .and_then(|s| j.entries.iter().position(|e| e.seq == s))
                    .unwrap_or(0);
                j.loaded = true;
                j.error = None;
            }
            Err(e) => {
                j.loaded = true;
                j.error = Some(e);
            }
        }
        if std::mem::take(&mut j.reload_queued) {
            return self.request_journal_reload();
        }
        Vec::new()
    }

    /// Entries of the journal that fit on one page (at least 1).
    fn journal_page(&self) -> usize {
        (self.size.1 as usize).saturating_sub(5).max(1)
    }

    /// An action while the journal is open.
    pub(crate) fn journal_action(&mut self, action: Action) -> Vec<Effect> {
        let page = self.journal_page() as i64;
        let Some(j) = self.changes.journal.as_mut() else {
            return Vec::new();
        };
        if let Some(seq) = j.revert_ask {
            match action {
                Action::ConfirmYes => {
                    j.revert_ask = None;
                    self.changes.in_flight += 1;
                    return vec![Effect::Review(super::ReviewOp::Revert(seq))];
                }
                Action::ConfirmNo | Action::Back | Action::Quit => {
                    j.revert_ask = None;
                    self.status.info = Some(format!("journal #{seq} not reverted"));
                }
                _ => {}
            }
            return Vec::new();
        }
        let max = j.entries.len().saturating_sub(1);
        if let Some(nav) = crate::tui::scroll::Nav::of(action) {
            j.scroll = crate::tui::scroll::scrolled(j.scroll, nav, max, page as usize);
            return Vec::new();
        }
        match action {
            Action::JournalClose | Action::Back | Action::JournalOpen => {
                self.changes.journal = None
            }
            Action::ChangesCancelSend => return self.cancel_send(),
            Action::JournalRevert => match j.entries.get(j.scroll) {
                None => self.status.info = Some("nothing to revert".into()),
                Some(e) => match crate::sync::revert::why_not(e) {
                    Some(why) => {
                        self.status.error =
                            Some(format!("journal #{} cannot be reverted: {why}", e.seq))
                    }
                    // Refused before asking: a revert of it is already proposed or sent.
                    None => match crate::sync::revert::already(&self.changes.all, e.seq) {
                        Some(err) => self.status.error = Some(err.to_string()),
                        None => j.revert_ask = Some(e.seq),
                    },
                },
            },
            other => return self.handle_common_action(other),
        }
        Vec::new()
    }
}
