//! The y/n questions: "approve every change shown?" and "send the approved changes?", small
//! boxes that name how many (and, for sending, how many are DELETES).

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::{Confirm, SendPlan};
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::keymap::Context;

/// The question's text.
pub fn question(c: &Confirm) -> String {
    let n = c.ids.len();
    let mut q = format!("Approve {n} shown change{}?", if n == 1 { "" } else { "s" });
    let mut notes = Vec::new();
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

/// The "send?" question's text: the count, then creates, updates and DELETES.
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
        } else {
            ratatui::style::Style::new()
        };
        spans.push(Span::styled(part, style));
    }
    let mut lines = vec![Line::raw(head), Line::from(spans)];
    if p.deletes > 0 {
        lines.push(Line::styled(
            format!(
                "{} will be deleted in GHL; this cannot be undone from here.",
                plural(p.deletes, "contact")
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
