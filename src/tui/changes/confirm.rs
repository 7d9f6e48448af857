//! The y/n questions: "approve every change shown?" and "send the approved changes?", small
//! boxes that name how many (and, for sending, how many are DELETES); and "choose this
//! candidate?" for an ambiguous change, naming the candidate, what it matched on and any Bmby
//! client already linked to it (asked here, answered here, drawn here).

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::{Confirm, ReviewOp, SendPlan};
use crate::sync::review::{self, ChoicePreview};
use crate::tui::action::Action;
use crate::tui::app::{App, Effect};
use crate::tui::keymap::Context;

impl App {
    /// Asks before settling the ambiguous change `id` on `contact_id` (a candidate) or on a new
    /// contact (`None`). What the question names (the candidate, links it would move) is read
    /// from the store now; a refusal (not ambiguous any more, sent meanwhile) is shown instead.
    pub(crate) fn choice_requested(&mut self, id: u64, contact_id: Option<String>) -> Vec<Effect> {
        match review::choice_preview(self.store(), id, contact_id.as_deref()) {
            Ok(p) => self.changes.choice_confirm = Some(p),
            Err(e) => self.status.error = Some(e.to_string()),
        }
        Vec::new()
    }

    /// The answer to the choice question: yes settles the change (off the UI thread), anything
    /// else leaves it ambiguous.
    pub(crate) fn choice_answered(&mut self, yes: bool) -> Vec<Effect> {
        self.dirty = true;
        let Some(p) = self.changes.choice_confirm.take() else {
            return Vec::new();
        };
        if !yes {
            self.status.info = Some(format!("#{} left ambiguous: nothing chosen", p.change_id));
            return Vec::new();
        }
        self.review(ReviewOp::Resolve {
            id: p.change_id,
            contact_id: p.candidate.map(|c| c.contact_id),
        })
    }
}

/// Draws the "choose this candidate?" question centred over `area`: the question, then each
/// link the choice would move (as a warning).
pub fn render_choice(app: &App, p: &ChoicePreview, f: &mut Frame, area: Rect) {
    let t = &app.theme;
    let mut lines = vec![Line::raw(crate::tui::text::clean(&p.question()))];
    for w in p.link_warnings() {
        lines.push(Line::styled(crate::tui::text::clean(&w), t.error()));
    }
    if p.candidate.is_some() && p.link_warnings().is_empty() {
        lines.push(Line::styled(
            "No other Bmby client is linked to this contact.".to_owned(),
            t.dim(),
        ));
    }
    let yes = app
        .keymap
        .keys_for(&[Context::Confirm], Action::ConfirmYes)
        .first()
        .map_or_else(|| Action::ConfirmYes.name().to_owned(), |k| k.to_string());
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        format!("{yes} yes, choose · any other key cancels · u undoes later"),
        t.key(),
    ));
    render_lines(app, lines, f, area);
}

/// How the bulk operations among `n` changes read: `one of them on 124 contacts`, `2 of them
/// on 124 and 3 contacts`, `on 124 contacts` when it is the only one (`None` without any).
pub fn bulk_note(n: usize, bulk: &[usize]) -> Option<String> {
    let sizes = match bulk {
        [] => return None,
        [one] => plural(*one, "contact"),
        [rest @ .., last] => format!(
            "{} and {}",
            rest.iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            plural(*last, "contact")
        ),
    };
    Some(match (n, bulk.len()) {
        (1, _) => format!("on {sizes}"),
        (_, 1) => format!("one of them on {sizes}"),
        (_, k) => format!("{k} of them on {sizes}"),
    })
}

/// The question's text.
pub fn question(c: &Confirm) -> String {
    let n = c.ids.len();
    let mut q = format!("Approve {n} shown change{}?", if n == 1 { "" } else { "s" });
    let mut notes = Vec::new();
    if let Some(b) = bulk_note(n, &c.bulk) {
        notes.push(format!(
            "bulk operation{}: {b}",
            if c.bulk.len() == 1 { "" } else { "s" }
        ));
    }
    if c.ambiguous > 0 {
        notes.push(format!(
            "{} ambiguous left alone: choose a contact first",
            c.ambiguous
        ));
    }
    if c.already > 0 {
        notes.push(format!("{} already approved", c.already));
    }
    if !notes.is_empty() {
        q.push_str(&format!(" ({})", notes.join("; ")));
    }
    q
}

/// The "send?" question's text: the count, then creates, updates, operations (with the
/// contacts of bulk ones: `2 operations (one of them on 124 contacts)`) and DELETES.
pub fn send_question(p: &SendPlan) -> String {
    let (head, parts) = send_parts(p);
    format!("{head} {}", parts.join(", "))
}

fn plural(n: usize, w: &str) -> String {
    format!("{n} {w}{}", if n == 1 { "" } else { "s" })
}

fn send_parts(p: &SendPlan) -> (String, Vec<String>) {
    let n = p.ids.len();
    let to = if p.bmby > 0 { "GHL and Bmby" } else { "GHL" };
    let head = format!("Send {} to {to}?", plural(n, "approved change"));
    let mut parts = Vec::new();
    if p.updates > 0 {
        parts.push(plural(p.updates, "update"));
    }
    if p.creates > 0 {
        parts.push(plural(p.creates, "create"));
    }
    if p.activity > 0 {
        parts.push(plural(p.activity, "task/note write"));
    }
    if p.ops > 0 {
        match bulk_note(p.ops, &p.bulk) {
            Some(b) => parts.push(format!("{} ({b})", plural(p.ops, "operation"))),
            None => parts.push(plural(p.ops, "operation")),
        }
    }
    if p.bmby > 0 {
        parts.push(format!("{} to Bmby", plural(p.bmby, "write-back")));
    }
    if p.deletes > 0 {
        parts.push(format!(
            "{} DELETE{}",
            p.deletes,
            if p.deletes == 1 { "" } else { "S" }
        ));
    }
    if p.activity_deletes > 0 {
        parts.push(format!(
            "{} task/note DELETE{}",
            p.activity_deletes,
            if p.activity_deletes == 1 { "" } else { "S" }
        ));
    }
    (head, parts)
}

/// Draws the "send?" question centred over `area`.
pub fn render_send(app: &App, p: &SendPlan, f: &mut Frame, area: Rect) {
    let t = &app.theme;
    let (head, parts) = send_parts(p);
    let mut spans = Vec::new();
    for (i, part) in parts.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw(", "));
        }
        let style = if part.contains("DELETE") {
            t.error()
        } else if part.contains(" contact") {
            t.warn()
        } else {
            ratatui::style::Style::new()
        };
        spans.push(Span::styled(part, style));
    }
    let mut lines = vec![Line::raw(head), Line::from(spans)];
    if p.deletes > 0 {
        lines.push(Line::styled(
            format!(
                "{} will be deleted in GHL. A revert from the journal creates {} again as a new \
                 contact with a new id; {} history in GHL is not restored.",
                plural(p.deletes, "contact"),
                if p.deletes == 1 { "it" } else { "each" },
                if p.deletes == 1 { "its" } else { "their" }
            ),
            t.error(),
        ));
    }
    if p.resumed > 0 {
        lines.push(Line::styled(
            format!(
                "{} in flight from an earlier run: looked up first, never sent twice.",
                p.resumed
            ),
            t.dim(),
        ));
    }
    render_box(app, lines, "send", f, area);
}

/// Draws the question centred over `area`.
pub fn render(app: &App, c: &Confirm, f: &mut Frame, area: Rect) {
    render_box(app, vec![Line::raw(question(c))], "approve", f, area);
}

pub(crate) fn render_box(
    app: &App,
    mut lines: Vec<Line<'static>>,
    yes: &str,
    f: &mut Frame,
    area: Rect,
) {
    let t = &app.theme;
    let key = |a: Action| {
        app.keymap
            .keys_for(&[Context::Confirm], a)
            .first()
            .map_or_else(|| a.name().to_owned(), |k| k.to_string())
    };
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        format!(
            "{} yes{} · {} no",
            key(Action::ConfirmYes),
            if yes == "approve" {
                String::new()
            } else {
                format!(", {yes}")
            },
            key(Action::ConfirmNo)
        ),
        t.key(),
    ));
    render_lines(app, lines, f, area);
}

/// Draws `lines` (the last one the keys) in the question box centred over `area`.
fn render_lines(app: &App, lines: Vec<Line<'static>>, f: &mut Frame, area: Rect) {
    let t = &app.theme;
    let w = area.width.saturating_sub(4).min(60);
    let inner_w = w.saturating_sub(2).max(1) as usize;
    let h: usize = lines
        .iter()
        .map(|l| l.width().max(1).div_ceil(inner_w))
        .sum::<usize>()
        + 2;
    let r = crate::tui::layout::centered(area, w, h.min(u16::MAX as usize) as u16);
    f.render_widget(Clear, r);
    let block = crate::tui::panes::block("Confirm".into(), true, t).border_style(t.warn());
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        r,
    );
}
