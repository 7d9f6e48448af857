//! The handlers of the registry's Contacts API operations (workflows, campaigns, followers;
//! the bulk ones go through [`super::bulk`]): each picks the named item from the cached list
//! ([`crate::sync::ops::find_named`]), builds a [`Proposal`] and returns
//! [`Effect::Propose`], which the loop stores off the UI thread as a pending change.

use super::app::{App, Effect};
use crate::domain::{ContactOp, Named};
use crate::sync::ops::{ListKind, Proposal};

impl App {
    /// The item of list `kind` that `query` names. When the list was never fetched: says so,
    /// and asks for it when online (the effect to run comes back in the error).
    pub(crate) fn pick_named(&mut self, kind: ListKind, query: &str) -> Result<Named, Vec<Effect>> {
        match crate::sync::ops::cached_list(self.store(), kind) {
            Ok(Some(list)) => match crate::sync::ops::find_named(&list, query, kind.label()) {
                Ok(n) => Ok(crate::domain::Named {
                    id: n.id.clone(),
                    name: crate::sanitize::clean_line(&n.name),
                }),
                Err(e) => {
                    self.status.error = Some(super::text::clean(&e.to_string()));
                    Err(Vec::new())
                }
            },
            Ok(None) if self.online => {
                self.status.info = Some(format!("{} not loaded yet: fetching", kind.label()));
                Err(vec![Effect::Job(crate::sync::Job::FetchLists)])
            }
            Ok(None) => {
                self.status.error = Some(format!(
                    "{} not loaded yet (offline: no sync worker)",
                    kind.label()
                ));
                Err(Vec::new())
            }
            Err(e) => {
                self.status.error = Some(format!("{}: {e}", kind.label()));
                Err(Vec::new())
            }
        }
    }

    /// Proposes `op` on the selected contact.
    pub(crate) fn propose_for_contact(&mut self, op: ContactOp) -> Vec<Effect> {
        // Marks choose the contacts of bulk operations; an operation on one contact never
        // quietly takes the selected row instead (after marking, that is the next, unmarked
        // one). The marks stay.
        if !self.marks.is_empty() {
            let n = self.marks.len();
            self.status.error = Some(format!(
                "{} works on one contact, and {n} contact{} marked: clear the marks (esc) and \
                 select the contact",
                op.describe(),
                if n == 1 { " is" } else { "s are" }
            ));
            return Vec::new();
        }
        let Some(c) = self.details.as_ref().and_then(|d| d.contact.clone()) else {
            self.status.error = Some("no contact selected (or not in the cache yet)".into());
            return Vec::new();
        };
        vec![Effect::Propose(Proposal {
            contact_id: Some(c.id.clone()),
            display_name: c.display_name(),
            op,
            fields: Vec::new(),
            base_date_updated: c.date_updated.clone(),
        })]
    }

    /// A proposed operation was stored (or refused): say so and read the changes again.
    pub fn handle_proposed(&mut self, r: Result<crate::domain::Change, String>) -> Vec<Effect> {
        self.dirty = true;
        match r {
            Ok(c) => {
                // A bulk operation was asked for on the marked contacts: they are done with.
                if matches!(&c.subject, crate::domain::Subject::Op(op) if op.is_bulk()) {
                    self.marks.clear();
                }
                let what = match &c.subject {
                    crate::domain::Subject::Op(op) => op.describe(),
                    _ => c.describe(),
                };
                let key = self
                    .keymap
                    .keys_for(&self.layer().chain(), crate::tui::Action::ScreenToggle)
                    .first()
                    .map(|k| format!("; {k} to review"))
                    .unwrap_or_default();
                self.status.error = None;
                self.status.info = Some(format!(
                    "proposed: {} (pending{key})",
                    super::text::clean(&what)
                ));
                self.request_changes_reload()
            }
            Err(e) => {
                self.status.error = Some(e);
                Vec::new()
            }
        }
    }
}

fn picked(
    app: &mut App,
    kind: ListKind,
    args: &[String],
    op: impl FnOnce(Named) -> ContactOp,
) -> Vec<Effect> {
    let Some(q) = args.first() else {
        return Vec::new();
    };
    match app.pick_named(kind, q) {
        Ok(n) => app.propose_for_contact(op(n)),
        Err(fx) => fx,
    }
}

/// Every argument picked from the list `kind` (each must name exactly one item; the same item
/// twice counts once), then the operation on the selected contact.
fn picked_all(
    app: &mut App,
    kind: ListKind,
    args: &[String],
    op: impl FnOnce(Vec<Named>) -> ContactOp,
) -> Vec<Effect> {
    let mut all: Vec<Named> = Vec::new();
    for q in args {
        match app.pick_named(kind, q) {
            Ok(n) => {
                if !all.iter().any(|x| x.id == n.id) {
                    all.push(n);
                }
            }
            Err(fx) => return fx,
        }
    }
    if all.is_empty() {
        return Vec::new();
    }
    app.propose_for_contact(op(all))
}

/// `:workflow add NAME [START]` (start: `YYYY-MM-DD HH:MM` Israel time, or ISO 8601).
pub fn workflow_add(app: &mut App, args: &[String]) -> Vec<Effect> {
    let start = match args.get(1..).filter(|r| !r.is_empty()) {
        Some(rest) => match crate::clock::parse_typed(&rest.join(" ")) {
            Ok(t) => Some(t.to_string()),
            Err(e) => {
                app.status.error = Some(format!("start time: {e}"));
                return Vec::new();
            }
        },
        None => None,
    };
    picked(app, ListKind::Workflows, args, |workflow| {
        ContactOp::WorkflowAdd {
            workflow,
            event_start_time: start,
        }
    })
}

/// `:workflow remove NAME`.
pub fn workflow_remove(app: &mut App, args: &[String]) -> Vec<Effect> {
    picked(app, ListKind::Workflows, args, |workflow| {
        ContactOp::WorkflowRemove { workflow }
    })
}

/// `:campaign add NAME`.
pub fn campaign_add(app: &mut App, args: &[String]) -> Vec<Effect> {
    picked(app, ListKind::Campaigns, args, |campaign| {
        ContactOp::CampaignAdd { campaign }
    })
}

/// `:campaign remove NAME`.
pub fn campaign_remove(app: &mut App, args: &[String]) -> Vec<Effect> {
    picked(app, ListKind::Campaigns, args, |campaign| {
        ContactOp::CampaignRemove { campaign }
    })
}

/// `:campaign remove-all`.
pub fn campaign_remove_all(app: &mut App, _args: &[String]) -> Vec<Effect> {
    app.propose_for_contact(ContactOp::CampaignRemoveAll)
}

/// `:follower add NAME…` (one or more users).
pub fn follower_add(app: &mut App, args: &[String]) -> Vec<Effect> {
    picked_all(app, ListKind::Users, args, |users| {
        ContactOp::FollowersAdd { users }
    })
}

/// `:follower remove NAME…` (one or more users).
pub fn follower_remove(app: &mut App, args: &[String]) -> Vec<Effect> {
    picked_all(app, ListKind::Users, args, |users| {
        ContactOp::FollowersRemove { users }
    })
}

/// `:business set NAME` (the contacts of [`App::bulk_targets`]).
pub fn business_set(app: &mut App, args: &[String]) -> Vec<Effect> {
    let Some(q) = args.first() else {
        return Vec::new();
    };
    match app.pick_named(ListKind::Businesses, q) {
        Ok(b) => app.propose_bulk(ContactOp::Business {
            business: Some(b),
            contact_ids: Vec::new(),
        }),
        Err(fx) => fx,
    }
}

/// `:business clear`.
pub fn business_clear(app: &mut App, _args: &[String]) -> Vec<Effect> {
    app.propose_bulk(ContactOp::Business {
        business: None,
        contact_ids: Vec::new(),
    })
}

fn tags(args: &[String]) -> Vec<String> {
    crate::sync::op_check::typed_tags(args)
}

/// `:tag add TAG…` (commas separate too).
pub fn tags_add(app: &mut App, args: &[String]) -> Vec<Effect> {
    // The contacts are filled in by `propose_bulk` from `App::bulk_targets`.
    app.propose_bulk(ContactOp::BulkTags {
        add: true,
        tags: tags(args),
        contact_ids: Vec::new(),
    })
}

/// `:tag remove TAG…`.
pub fn tags_remove(app: &mut App, args: &[String]) -> Vec<Effect> {
    // The contacts are filled in by `propose_bulk` from `App::bulk_targets`.
    app.propose_bulk(ContactOp::BulkTags {
        add: false,
        tags: tags(args),
        contact_ids: Vec::new(),
    })
}

/// `:business filter NAME`.
pub fn filter_business(app: &mut App, args: &[String]) -> Vec<Effect> {
    let Some(q) = args.first() else {
        return Vec::new();
    };
    match app.pick_named(ListKind::Businesses, q) {
        Ok(b) => app.filter_by_business(b),
        Err(fx) => fx,
    }
}
