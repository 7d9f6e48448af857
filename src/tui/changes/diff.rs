//! The diff pane: draws what a change would do to one GHL contact, field by field. The
//! content (lines, wrapping, the field rows) is built by [`super::diff_text`]; this module
//! styles it with the theme and draws the part that fits, scrolled to the field cursor.

use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::diff_text::{lines, scroll_for};
use super::ChangesFocus;
use crate::tui::app::App;
use crate::tui::text;

/// Draws the diff pane for the selected change.
pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let cs = &app.changes;
    let t = &app.theme;
    let focused = cs.focus == ChangesFocus::Diff
        && app.help.is_none()
        && cs.edit.is_none()
        && !cs.asking()
        && cs.journal.is_none();
    let title = match cs.selected_change() {
        Some(c) => format!("Diff #{} · {}", c.id, text::clean(&c.display_name)),
        None => "Diff".to_owned(),
    };
    let title = text::truncate(&title, (area.width as usize).saturating_sub(6));
    let block = crate::tui::panes::block(title, focused, t);
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    let Some((c, notice)) = cs.selected_named(&app.users) else {
        let msg = if cs.loaded {
            "Nothing selected."
        } else {
            "Loading changes…"
        };
        f.render_widget(Paragraph::new(Line::styled(msg, t.dim())), inner);
        return;
    };
    let mut height = inner.height as usize;
    if cs.edit.is_some() {
        height = height.saturating_sub(3);
    }
    let d = lines(
        &c,
        notice.as_deref(),
        cs.selected_outbox(),
        &app.keymap,
        &cs.names,
        inner.width as usize,
        cs.field,
        focused,
    );
    let scroll = scroll_for(&d, cs.field, height);
    let shown: Vec<Line> = d
        .lines
        .iter()
        .skip(scroll)
        .take(height)
        .map(|l| l.to_line(t))
        .collect();
    f.render_widget(Paragraph::new(shown), inner);
    if let Some(e) = &cs.edit {
        super::edit_view::render(app, e, f, area);
    }
}
