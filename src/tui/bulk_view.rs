//! Draws the bulk question ([`super::bulk::BulkConfirm`]): what it does, to how many contacts,
//! a sample of their names, and that nothing is sent until approved.

use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::Frame;

use super::app::App;
use super::bulk::BulkConfirm;
use crate::domain::ContactOp;

/// Draws the bulk question centred over `area`.
pub fn render(app: &App, q: &BulkConfirm, f: &mut Frame, area: Rect) {
    let t = &app.theme;
    let mut lines = vec![
        Line::styled(q.question.clone(), t.header()),
        Line::raw(q.sample.join(", ")),
        Line::styled(
            "Proposed as one pending change: nothing is sent until it is approved and sent."
                .to_owned(),
            t.dim(),
        ),
    ];
    if let ContactOp::BulkTags { contact_ids, .. } | ContactOp::Business { contact_ids, .. } =
        &q.proposal.op
    {
        if contact_ids.len() > 100 {
            lines.push(Line::styled(
                format!("That is {} contacts.", contact_ids.len()),
                t.warn(),
            ));
        }
    }
    super::changes::confirm::render_box(app, lines, "propose", f, area);
}
