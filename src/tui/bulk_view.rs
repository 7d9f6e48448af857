//! Draws the bulk question ([`super::bulk::BulkConfirm`]): what it does, to how many contacts,
//! where they come from (marks, the filter, the selection), as many of their names as fit,
//! and that nothing is sent until approved.

use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::Frame;

use super::app::App;
use super::bulk::BulkConfirm;
use crate::domain::ContactOp;

/// Draws the bulk question centred over `area`.
pub fn render(app: &App, q: &BulkConfirm, f: &mut Frame, area: Rect) {
    let t = &app.theme;
    let mut tail = vec![Line::styled(
        "Proposed as one pending change: nothing is sent until it is approved and sent.".to_owned(),
        t.dim(),
    )];
    if let ContactOp::BulkTags { contact_ids, .. } | ContactOp::Business { contact_ids, .. } =
        &q.proposal.op
    {
        if contact_ids.len() > 100 {
            tail.push(Line::styled(
                format!("That is {} contacts.", contact_ids.len()),
                t.warn(),
            ));
        }
    }
    let head = vec![
        Line::styled(q.question.clone(), t.header()),
        Line::styled(format!("To {}:", q.source), t.warn()),
    ];
    // The box's inner width and the lines left for names: the box is at most 60 wide, inside
    // borders; `render_box` adds a blank line and the keys.
    let inner = area
        .width
        .saturating_sub(4)
        .min(60)
        .saturating_sub(2)
        .max(1) as usize;
    let used: usize = head
        .iter()
        .chain(&tail)
        .map(|l| l.width().max(1).div_ceil(inner))
        .sum::<usize>()
        + 2
        + 2;
    let room = (area.height as usize).saturating_sub(used).max(1);
    let mut lines = head;
    lines.extend(
        super::bulk::name_lines(&q.names, inner, room)
            .into_iter()
            .map(Line::raw),
    );
    lines.extend(tail);
    super::changes::confirm::render_box(app, lines, "propose", f, area);
}
