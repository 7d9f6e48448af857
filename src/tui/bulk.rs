//! Bulk operations from the contacts pane (bulk tags, business association): which contacts
//! they apply to ([`App::bulk_targets`]), the y/n question that names the count and a sample of
//! names ([`BulkConfirm`]), and proposing the operation as one pending change
//! ([`Effect::Propose`], [`crate::sync::ops::propose`]). Nothing is sent from here: the change
//! is approved and sent on the changes screen like any other. The question is drawn by
//! [`super::bulk_view`].

use super::action::Action;
use super::app::{App, Effect};
use super::keymap::{Context, KeyCombo};
use super::text;
use crate::domain::ContactOp;
use crate::sync::ops::Proposal;

/// How many names the question shows before "and N more".
pub const SAMPLE: usize = 3;

/// The open "tag N contacts?" question: the proposal it would store.
#[derive(Debug, Clone)]
pub struct BulkConfirm {
    pub proposal: Proposal,
    /// `Add tag vip to 3 contacts?` (sanitized).
    pub question: String,
    /// Where the contacts come from ([`App::bulk_source`]): `3 marked contacts`, `every
    /// contact of the filter "anthony" (18)`, `the selected contact` (sanitized).
    pub source: String,
    /// The first names (sanitized), then `and N more` when there are more.
    pub sample: Vec<String>,
    /// Every name (sanitized, the id when a contact has no name), in the order of the ids;
    /// the question shows as many as fit ([`name_lines`]).
    pub names: Vec<String>,
}

/// `names` laid out as `, `-separated lines of at most `width` cells, at most `max_lines`
/// lines: as many names as fit (a name wider than a line is cut with `…`), then a last line
/// `and N more` when some are left out. Never more than `max_lines` lines (at least one).
pub fn name_lines(names: &[String], width: usize, max_lines: usize) -> Vec<String> {
    let width = width.max(8);
    let max_lines = max_lines.max(1);
    // Lay out the first `k` names; `None` when they need more than `lines` lines.
    let layout = |k: usize, lines: usize| -> Option<Vec<String>> {
        let mut out: Vec<String> = Vec::new();
        for (i, n) in names.iter().take(k).enumerate() {
            let sep = if i + 1 < k { "," } else { "" };
            let item = format!("{}{sep}", text::truncate(n, width - sep.len()));
            match out.last_mut() {
                Some(l) if text::width(l) + 1 + text::width(&item) <= width => {
                    l.push(' ');
                    l.push_str(&item);
                }
                _ => out.push(item),
            }
            if out.len() > lines {
                return None;
            }
        }
        Some(out)
    };
    if let Some(all) = layout(names.len(), max_lines) {
        return all;
    }
    // Some are left out: keep a line for `and N more`.
    let room = max_lines - 1;
    let mut k = 0;
    let mut best = Vec::new();
    while k < names.len() {
        match layout(k + 1, room) {
            Some(l) => {
                best = l;
                k += 1;
            }
            None => break,
        }
    }
    best.push(format!("and {} more", names.len() - k));
    best
}

/// A contact's name for the sample (sanitized; the id when it has no name).
fn display(name: &str, id: &str) -> String {
    let n = text::clean(name.trim());
    if n.is_empty() {
        text::clean(id)
    } else {
        n
    }
}

/// The sample of `names`: the first [`SAMPLE`], then `and N more`.
pub fn sample(names: &[String]) -> Vec<String> {
    let mut out: Vec<String> = names.iter().take(SAMPLE).cloned().collect();
    if names.len() > SAMPLE {
        out.push(format!("and {} more", names.len() - SAMPLE));
    }
    out
}

fn plural(n: usize, w: &str) -> String {
    format!("{n} {w}{}", if n == 1 { "" } else { "s" })
}

/// The question for `op` over `n` contacts: `Add tag vip to 3 contacts?`.
pub fn question(op: &ContactOp, n: usize) -> String {
    let contacts = plural(n, "contact");
    let q = match op {
        ContactOp::BulkTags { add, tags, .. } => {
            let word = if tags.len() == 1 { "tag" } else { "tags" };
            let tags = tags.join(", ");
            if *add {
                format!("Add {word} {tags} to {contacts}?")
            } else {
                format!("Remove {word} {tags} from {contacts}?")
            }
        }
        ContactOp::Business {
            business: Some(b), ..
        } => format!("Associate {contacts} with business {}?", b.name),
        ContactOp::Business { business: None, .. } => {
            format!("Clear the business of {contacts}?")
        }
        other => format!("{} for {contacts}?", other.describe()),
    };
    text::clean(&q)
}

/// The change's name for a bulk operation: `Dana Levi, Ann Example +38`.
fn short_sample(names: &[String]) -> String {
    let mut s = names.iter().take(2).cloned().collect::<Vec<_>>().join(", ");
    if names.len() > 2 {
        s.push_str(&format!(" +{}", names.len() - 2));
    }
    s
}

impl App {
    /// What a bulk operation applies to, and a sample of their names (sanitized; the first
    /// [`SAMPLE`], then `and N more`): the marked contacts if any (in list order), else every
    /// contact shown when a filter (text or business) is applied, else the selected contact.
    pub fn bulk_targets(&self) -> (Vec<String>, Vec<String>) {
        let (ids, names) = self.bulk_targets_named();
        (ids, sample(&names))
    }

    /// Where [`App::bulk_targets`] come from, for the question: `3 marked contacts`, `every
    /// contact of the filter "anthony" (18)`, `every contact of business Acme (12)`, `the
    /// selected contact`, or `no contact` (sanitized).
    pub fn bulk_source(&self) -> String {
        let n = self.bulk_targets_named().0.len();
        if !self.marks.is_empty() {
            return format!("{} marked contact{}", n, if n == 1 { "" } else { "s" });
        }
        let query = self.filter.query.trim();
        let business = self
            .business
            .as_ref()
            .map(|b| text::clean(&b.business.name));
        let of = match (query.is_empty(), business) {
            (false, Some(b)) => format!("the filter \"{}\" in business {b}", text::clean(query)),
            (false, None) => format!("the filter \"{}\"", text::clean(query)),
            (true, Some(b)) => format!("business {b}"),
            (true, None) if n == 1 => return "the selected contact".into(),
            (true, None) => return "no contact".into(),
        };
        format!("every contact of {of} ({n})")
    }

    /// Whether [`App::bulk_targets`] has any contact, without building the list (asked on
    /// every palette frame, so it must not walk 100k rows).
    pub fn has_bulk_targets(&self) -> bool {
        if !self.marks.is_empty() {
            true
        } else if !self.filter.query.is_empty() || self.business.is_some() {
            !self.view.is_empty()
        } else {
            self.selected_row().is_some()
        }
    }

    /// [`App::bulk_targets`] with every name.
    fn bulk_targets_named(&self) -> (Vec<String>, Vec<String>) {
        let mut ids = Vec::new();
        let mut names = Vec::new();
        if !self.marks.is_empty() {
            let rows = &self.source.rows;
            for &i in self.source.order.iter() {
                if let Some(r) = rows.get(i as usize).filter(|r| self.marks.contains(r.id)) {
                    ids.push(r.id.to_owned());
                    names.push(display(r.name, r.id));
                }
            }
            // Marked contacts the rows read so far do not hold (the full list is loading).
            if ids.len() < self.marks.len() {
                let listed: std::collections::HashSet<&String> = ids.iter().collect();
                let mut rest: Vec<String> = self
                    .marks
                    .iter()
                    .filter(|id| !listed.contains(id))
                    .cloned()
                    .collect();
                rest.sort();
                names.extend(rest.iter().map(|id| display("", id)));
                ids.extend(rest);
            }
        } else if !self.filter.query.is_empty() || self.business.is_some() {
            for i in 0..self.view.len() {
                if let Some(r) = self.view.row(i) {
                    ids.push(r.id.to_owned());
                    names.push(display(r.name, r.id));
                }
            }
        } else if let Some(r) = self.selected_row() {
            ids.push(r.id.to_owned());
            names.push(display(r.name, r.id));
        }
        (ids, names)
    }

    /// Asks before proposing the bulk operation `op` (bulk tags or business) over
    /// [`App::bulk_targets`] (its `contact_ids` are filled from them when empty). Refused with a
    /// status message when the app may not write, the operation is not a bulk one, or there is
    /// nothing to apply it to. Answered by `y` (an [`Effect::Propose`]) or `n`.
    pub fn propose_bulk(&mut self, op: ContactOp) -> Vec<Effect> {
        self.dirty = true;
        if let Some(why) = &self.read_only {
            self.status.error = Some(format!("{}: {why}", op.describe()));
            return Vec::new();
        }
        if !op.is_bulk() {
            self.status.error = Some(format!(
                "{} is an operation on one contact, not a bulk one",
                op.name()
            ));
            return Vec::new();
        }
        let mut op = op;
        let ids_slot = match &mut op {
            ContactOp::BulkTags { contact_ids, .. } | ContactOp::Business { contact_ids, .. } => {
                contact_ids
            }
            _ => return Vec::new(),
        };
        let (target_ids, target_names) = self.bulk_targets_named();
        let from_targets = ids_slot.is_empty() || *ids_slot == target_ids;
        let names = if from_targets {
            *ids_slot = target_ids;
            target_names
        } else {
            let by_id: std::collections::HashMap<&str, &str> =
                self.source.rows.iter().map(|r| (r.id, r.name)).collect();
            ids_slot
                .iter()
                .map(|id| display(by_id.get(id.as_str()).copied().unwrap_or(""), id))
                .collect()
        };
        let n = ids_slot.len();
        if n == 0 {
            self.status.info = Some("no contacts to apply it to: mark some (space)".into());
            return Vec::new();
        }
        // Checked before asking (no tag, an empty tag…): a question is only asked about an
        // operation that can be proposed.
        let op = match crate::sync::op_check::checked(op, None, self.now()) {
            Ok(op) => op,
            Err(e) => {
                self.status.error = Some(super::text::clean(&e.to_string()));
                return Vec::new();
            }
        };
        let question = question(&op, n);
        let source = if from_targets {
            self.bulk_source()
        } else {
            plural(n, "contact")
        };
        self.bulk_confirm = Some(BulkConfirm {
            proposal: Proposal {
                contact_id: None,
                display_name: short_sample(&names),
                op,
                fields: Vec::new(),
                base_date_updated: None,
            },
            question,
            source,
            sample: sample(&names),
            names,
        });
        Vec::new()
    }

    /// Keys while the bulk question is open: yes proposes, no (or esc) cancels; other keys
    /// are ignored so a stray key neither proposes nor loses the question.
    pub(crate) fn handle_bulk_confirm_key(&mut self, key: KeyCombo) -> Vec<Effect> {
        match self.keymap.lookup(&[Context::Confirm], key) {
            Some(Action::ConfirmYes) => self.bulk_answered(true),
            Some(Action::ConfirmNo) => self.bulk_answered(false),
            _ => Vec::new(),
        }
    }

    /// The answer to the bulk question.
    pub fn bulk_answered(&mut self, yes: bool) -> Vec<Effect> {
        self.dirty = true;
        let Some(q) = self.bulk_confirm.take() else {
            return Vec::new();
        };
        if !yes {
            self.status.info = Some("cancelled: nothing proposed".into());
            return Vec::new();
        }
        self.status.info = Some(format!("proposing: {}…", q.proposal.op.describe()));
        vec![Effect::Propose(q.proposal)]
    }
}
