//! Draws tasks, notes and appointments of the selected contact, as tabs; the current tab's
//! lines come from [`super::activity_text`].

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use crate::tui::app::{ActivityTab, App, Pane};

fn count(v: Option<usize>) -> String {
    v.map_or("?".to_owned(), |n| n.to_string())
}

/// Draws the pane.
pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let t = &app.theme;
    let focused = app.focus == Pane::Activity && app.help.is_none();
    let block = super::block("Activity".to_owned(), focused, t);
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.height == 0 {
        return;
    }
    let [tabs_area, body_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
    let d = app.details.as_ref();
    let tabs = [
        (
            ActivityTab::Tasks,
            "Tasks",
            d.and_then(|d| d.tasks.as_ref().map(Vec::len)),
        ),
        (
            ActivityTab::Notes,
            "Notes",
            d.and_then(|d| d.notes.as_ref().map(Vec::len)),
        ),
        (
            ActivityTab::Appointments,
            "Appts",
            d.and_then(|d| d.appointments.as_ref().map(Vec::len)),
        ),
    ];
    let mut spans = Vec::new();
    for (i, (tab, name, n)) in tabs.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled("│", t.dim()));
        }
        let label = format!(" {name} {} ", count(*n));
        if *tab == app.tab {
            spans.push(Span::styled(label, t.active_tab()));
        } else {
            spans.push(Span::raw(label));
        }
    }
    f.render_widget(Paragraph::new(Line::from(spans)), tabs_area);
    let lines: Vec<Line> = super::activity_text::lines(app)
        .iter()
        .map(|l| l.to_line(t))
        .collect();
    let p = Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .scroll((app.activity_scroll, 0));
    f.render_widget(p, body_area);
}
