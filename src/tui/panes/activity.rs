//! Tasks, notes and appointments of the selected contact, as tabs.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::short_time;
use crate::domain::{Change, Subject};
use crate::tui::app::{ActivityTab, App, Details, Pane};
use crate::tui::text;

fn not_fetched(app: &App, d: &Details, what: &str) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut l = vec![Line::styled(format!("{what} not fetched yet."), t.dim())];
    if d.fetching {
        l.push(Line::styled("Fetching…", t.dim()));
    } else if !app.online {
        l.push(Line::styled("Offline: only the cache is shown.", t.dim()));
    }
    l
}

fn body(l: &mut Vec<Line<'static>>, s: &str) {
    for line in text::clean_lines(s) {
        l.push(Line::raw(format!("    {line}")));
    }
}

/// The newest pending hand edit whose subject matches.
fn pending_id(pending: &[&Change], is: impl Fn(&Subject) -> bool) -> Option<u64> {
    pending.iter().rev().find(|c| is(&c.subject)).map(|c| c.id)
}

/// The selected item when the pane has the keyboard (drawn highlighted).
fn selected(app: &App) -> Option<usize> {
    (app.focus == Pane::Activity && app.hand_edit.is_none()).then_some(app.activity_selected)
}

/// The first line of each task or note on the current tab (for scrolling to the selection).
pub fn item_starts(app: &App) -> Vec<usize> {
    let Some(d) = &app.details else {
        return Vec::new();
    };
    let mut starts = Vec::new();
    let mut line = 0;
    match app.tab {
        ActivityTab::Tasks => {
            for task in crate::tui::edits::tasks_in_order(d.tasks.as_deref().unwrap_or(&[])) {
                starts.push(line);
                line += 1;
                if task.completed || task.due_date.is_some() || task.assigned_to.is_some() {
                    line += 1;
                }
                if let Some(b) = task.body.as_deref().filter(|b| !b.trim().is_empty()) {
                    line += text::clean_lines(b).len();
                }
            }
        }
        ActivityTab::Notes => {
            for (i, n) in d.notes.as_deref().unwrap_or(&[]).iter().enumerate() {
                if i > 0 {
                    line += 1;
                }
                starts.push(line);
                line += 1 + text::clean_lines(&n.body).len();
            }
        }
        ActivityTab::Appointments => {}
    }
    starts
}

fn tasks(app: &App, d: &Details) -> Vec<Line<'static>> {
    let t = &app.theme;
    let Some(tasks) = &d.tasks else {
        return not_fetched(app, d, "Tasks");
    };
    if tasks.is_empty() {
        return vec![Line::styled("No tasks.", t.dim())];
    }
    let sorted = crate::tui::edits::tasks_in_order(tasks);
    let sel = selected(app);
    let pending = app.pending_local();
    let mut l = Vec::new();
    for (i, task) in sorted.into_iter().enumerate() {
        let (mark, style) = if task.completed {
            ("[x] ", t.dim())
        } else {
            ("[ ] ", t.ok())
        };
        let mut title_style = if task.completed { t.dim() } else { t.label() };
        if sel == Some(i) {
            title_style = t.selected(true);
        }
        let mut spans = vec![
            Span::styled(mark, style),
            Span::styled(text::clean(&task.title), title_style),
        ];
        if let Some(id) = pending_id(
            &pending,
            |s| matches!(s, Subject::Task { task_id: Some(x) } if *x == task.id),
        ) {
            spans.push(Span::styled(format!(" · pending #{id}"), t.warn()));
        }
        l.push(Line::from(spans));
        let mut meta = Vec::new();
        if task.completed {
            meta.push("done".to_owned());
        }
        if let Some(due) = &task.due_date {
            meta.push(format!("due {}", short_time(due)));
        }
        if let Some(a) = &task.assigned_to {
            meta.push(format!("assigned {}", text::clean(a)));
        }
        if !meta.is_empty() {
            l.push(Line::styled(format!("    {}", meta.join(" · ")), t.dim()));
        }
        if let Some(b) = task.body.as_deref().filter(|b| !b.trim().is_empty()) {
            body(&mut l, b);
        }
    }
    l
}

fn notes(app: &App, d: &Details) -> Vec<Line<'static>> {
    let t = &app.theme;
    let Some(notes) = &d.notes else {
        return not_fetched(app, d, "Notes");
    };
    if notes.is_empty() {
        return vec![Line::styled("No notes.", t.dim())];
    }
    let pending = app.pending_local();
    let mut l = Vec::new();
    for (i, n) in notes.iter().enumerate() {
        if i > 0 {
            l.push(Line::raw(""));
        }
        let mut head = Vec::new();
        if n.pinned {
            head.push(Span::styled("[pinned] ", t.warn()));
        }
        head.push(Span::styled(
            n.date_added
                .as_deref()
                .map(short_time)
                .unwrap_or_else(|| "(no date)".into()),
            if selected(app) == Some(i) {
                t.selected(true)
            } else {
                t.label()
            },
        ));
        if let Some(title) = n.title.as_deref().filter(|x| !x.is_empty()) {
            head.push(Span::raw(format!(" · {}", text::clean(title))));
        }
        if let Some(id) = pending_id(
            &pending,
            |s| matches!(s, Subject::Note { note_id: Some(x) } if *x == n.id),
        ) {
            head.push(Span::styled(format!(" · pending #{id}"), t.warn()));
        }
        l.push(Line::from(head));
        body(&mut l, &n.body);
    }
    l
}

fn appointments(app: &App, d: &Details) -> Vec<Line<'static>> {
    let t = &app.theme;
    let Some(appts) = &d.appointments else {
        return not_fetched(app, d, "Appointments");
    };
    if appts.is_empty() {
        return vec![Line::styled("No appointments.", t.dim())];
    }
    let mut l = Vec::new();
    for (i, a) in appts.iter().enumerate() {
        if i > 0 {
            l.push(Line::raw(""));
        }
        // GHL sends these without a zone: read in the location's zone, shown in Israel time.
        let at = |s: &str| text::clean(&crate::clock::location_text(s, app.location_zone.as_ref()));
        let when = match (&a.start_time, &a.end_time) {
            (Some(s), Some(e)) => text::clean(&crate::clock::location_span(
                s,
                e,
                app.location_zone.as_ref(),
            )),
            (Some(s), None) => at(s),
            _ => "(no time)".to_owned(),
        };
        let mut head = vec![Span::styled(when, t.label())];
        if let Some(st) = &a.appointment_status {
            let style = if st == "cancelled" || st == "noshow" {
                t.warn()
            } else {
                t.ok()
            };
            head.push(Span::styled(format!(" [{}]", text::clean(st)), style));
        }
        l.push(Line::from(head));
        l.push(Line::raw(format!("    {}", text::clean(&a.title))));
        if let Some(addr) = a.address.as_deref().filter(|x| !x.is_empty()) {
            l.push(Line::raw(format!("    at {}", text::clean(addr))));
        }
        if let Some(n) = a.notes.as_deref().filter(|x| !x.trim().is_empty()) {
            body(&mut l, n);
        }
    }
    l
}

/// The lines of the current tab (before wrapping).
pub fn lines(app: &App) -> Vec<Line<'static>> {
    let Some(d) = &app.details else {
        return vec![Line::styled("No contact selected.", app.theme.dim())];
    };
    match app.tab {
        ActivityTab::Tasks => tasks(app, d),
        ActivityTab::Notes => notes(app, d),
        ActivityTab::Appointments => appointments(app, d),
    }
}

pub fn line_count(app: &App) -> usize {
    lines(app).len()
}

fn count(v: Option<usize>) -> String {
    v.map_or("?".to_owned(), |n| n.to_string())
}

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
    let p = Paragraph::new(lines(app))
        .wrap(Wrap { trim: false })
        .scroll((app.activity_scroll, 0));
    f.render_widget(p, body_area);
}
