//! The activity pane's content, built without drawing: the selected contact's tasks, notes or
//! appointments (the current tab) as lines of text with a [`Look`] each, and where each task
//! or note starts. The update side measures it (scroll limits, scrolling to the selected item:
//! [`line_count`], [`item_starts`]); the renderer ([`super::activity`]) styles and draws it.

use super::pending_text;
use super::short_time;
use crate::domain::{Change, Subject};
use crate::tui::app::{ActivityTab, App, Details, Pane};
use crate::tui::look::{Look, TextLine};
use crate::tui::text;

fn not_fetched(app: &App, d: &Details, what: &str) -> Vec<TextLine> {
    let mut l = vec![TextLine::whole(
        format!("{what} not fetched yet."),
        Look::Dim,
    )];
    if d.fetching {
        l.push(TextLine::whole("Fetching…", Look::Dim));
    } else if !app.online {
        l.push(TextLine::whole(
            "Offline: only the cache is shown.",
            Look::Dim,
        ));
    }
    l
}

fn body(l: &mut Vec<TextLine>, s: &str) {
    for line in text::clean_lines(s) {
        l.push(TextLine::raw(format!("    {line}")));
    }
}

/// The newest waiting change (pending or approved, any origin) whose subject matches: what
/// it does to the item and its tag, `completes (pending #12)`.
fn pending_mark(pending: &[&Change], is: impl Fn(&Subject) -> bool) -> Option<String> {
    pending.iter().rev().find(|c| is(&c.subject)).map(|c| {
        let what = match c.subject {
            Subject::Note { .. } => pending_text::note_effect(c),
            _ => pending_text::task_effect(c),
        };
        format!(
            " · {what} {}",
            pending_text::tag(c.id, c.state == crate::domain::ChangeState::Approved)
        )
    })
}

/// The waiting changes of the selected contact (pending or approved, any origin).
fn waiting(app: &App) -> Vec<&Change> {
    app.details
        .as_ref()
        .map(|d| pending_text::changes_of(app, &d.id))
        .unwrap_or_default()
}

/// Tasks or notes that waiting changes create (not in GHL yet), each marked.
fn new_items(app: &App, l: &mut Vec<TextLine>, pending: &[&Change], tasks: bool) {
    for c in pending {
        let approved = c.state == crate::domain::ChangeState::Approved;
        let tag = pending_text::tag(c.id, approved);
        match c.subject {
            Subject::Task { task_id: None } if tasks => {
                let title =
                    pending_text::proposed(c, "title").unwrap_or_else(|| "(no title)".into());
                l.push(TextLine::Pieces(vec![
                    ("[+] ".to_owned(), Look::Warn),
                    (title, Look::Label),
                    (format!(" · new {tag}"), Look::Warn),
                ]));
                let mut meta = Vec::new();
                if let Some(due) = pending_text::proposed(c, "dueDate") {
                    meta.push(format!("due {}", short_time(&due)));
                }
                if let Some(a) = pending_text::proposed(c, "assignedTo") {
                    meta.push(format!("assigned {}", text::clean(&app.users.display(&a))));
                }
                if !meta.is_empty() {
                    l.push(TextLine::whole(
                        format!("    {}", meta.join(" · ")),
                        Look::Dim,
                    ));
                }
                if let Some(b) = c
                    .fields
                    .iter()
                    .find(|f| f.field == "body")
                    .and_then(|f| f.proposed.as_deref())
                {
                    body(l, b);
                }
            }
            Subject::Note { note_id: None } if !tasks => {
                if !l.is_empty() {
                    l.push(TextLine::raw(""));
                }
                l.push(TextLine::Pieces(vec![
                    ("[+] ".to_owned(), Look::Warn),
                    (format!("new note {tag}"), Look::Warn),
                ]));
                if let Some(b) = c
                    .fields
                    .iter()
                    .find(|f| f.field == "body")
                    .and_then(|f| f.proposed.as_deref())
                {
                    body(l, b);
                }
            }
            _ => {}
        }
    }
}

/// The selected item when the pane has the keyboard (drawn highlighted).
fn selected(app: &App) -> Option<usize> {
    (app.focus == Pane::Activity && app.hand_edit.is_none()).then_some(app.activity_selected)
}

fn tasks(app: &App, d: &Details, starts: &mut Vec<usize>) -> Vec<TextLine> {
    let pending = waiting(app);
    let Some(tasks) = &d.tasks else {
        let mut l = not_fetched(app, d, "Tasks");
        new_items(app, &mut l, &pending, true);
        return l;
    };
    if tasks.is_empty() {
        let mut l = vec![TextLine::whole("No tasks.", Look::Dim)];
        new_items(app, &mut l, &pending, true);
        return l;
    }
    let sorted = crate::tui::edits::tasks_in_order(tasks);
    let sel = selected(app);
    let mut l = Vec::new();
    for (i, task) in sorted.into_iter().enumerate() {
        starts.push(l.len());
        let (mark, style) = if task.completed {
            ("[x] ", Look::Dim)
        } else {
            ("[ ] ", Look::Ok)
        };
        let mut title_style = if task.completed {
            Look::Dim
        } else {
            Look::Label
        };
        if sel == Some(i) {
            title_style = Look::Selected;
        }
        let mut spans = vec![
            (mark.to_owned(), style),
            (text::clean(&task.title), title_style),
        ];
        if let Some(m) = pending_mark(
            &pending,
            |s| matches!(s, Subject::Task { task_id: Some(x) } if *x == task.id),
        ) {
            spans.push((m, Look::Warn));
        }
        l.push(TextLine::Pieces(spans));
        let mut meta = Vec::new();
        if task.completed {
            meta.push("done".to_owned());
        }
        if let Some(due) = &task.due_date {
            meta.push(format!("due {}", short_time(due)));
        }
        if let Some(a) = &task.assigned_to {
            meta.push(format!("assigned {}", text::clean(&app.users.display(a))));
        }
        if !meta.is_empty() {
            l.push(TextLine::whole(
                format!("    {}", meta.join(" · ")),
                Look::Dim,
            ));
        }
        if let Some(b) = task.body.as_deref().filter(|b| !b.trim().is_empty()) {
            body(&mut l, b);
        }
    }
    new_items(app, &mut l, &pending, true);
    l
}

fn notes(app: &App, d: &Details, starts: &mut Vec<usize>) -> Vec<TextLine> {
    let pending = waiting(app);
    let Some(notes) = &d.notes else {
        let mut l = not_fetched(app, d, "Notes");
        new_items(app, &mut l, &pending, false);
        return l;
    };
    if notes.is_empty() {
        let mut l = vec![TextLine::whole("No notes.", Look::Dim)];
        new_items(app, &mut l, &pending, false);
        return l;
    }
    let mut l = Vec::new();
    for (i, n) in notes.iter().enumerate() {
        if i > 0 {
            l.push(TextLine::raw(""));
        }
        starts.push(l.len());
        let mut head = Vec::new();
        if n.pinned {
            head.push(("[pinned] ".to_owned(), Look::Warn));
        }
        head.push((
            n.date_added
                .as_deref()
                .map(short_time)
                .unwrap_or_else(|| "(no date)".into()),
            if selected(app) == Some(i) {
                Look::Selected
            } else {
                Look::Label
            },
        ));
        if let Some(title) = n.title.as_deref().filter(|x| !x.is_empty()) {
            head.push((format!(" · {}", text::clean(title)), Look::Plain));
        }
        if let Some(m) = pending_mark(
            &pending,
            |s| matches!(s, Subject::Note { note_id: Some(x) } if *x == n.id),
        ) {
            head.push((m, Look::Warn));
        }
        l.push(TextLine::Pieces(head));
        body(&mut l, &n.body);
    }
    new_items(app, &mut l, &pending, false);
    l
}

fn appointments(app: &App, d: &Details) -> Vec<TextLine> {
    let Some(appts) = &d.appointments else {
        return not_fetched(app, d, "Appointments");
    };
    if appts.is_empty() {
        return vec![TextLine::whole("No appointments.", Look::Dim)];
    }
    let mut l = Vec::new();
    for (i, a) in appts.iter().enumerate() {
        if i > 0 {
            l.push(TextLine::raw(""));
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
        let mut head = vec![(when, Look::Label)];
        if let Some(st) = &a.appointment_status {
            let style = if st == "cancelled" || st == "noshow" {
                Look::Warn
            } else {
                Look::Ok
            };
            head.push((format!(" [{}]", text::clean(st)), style));
        }
        l.push(TextLine::Pieces(head));
        l.push(TextLine::raw(format!("    {}", text::clean(&a.title))));
        if let Some(addr) = a.address.as_deref().filter(|x| !x.is_empty()) {
            l.push(TextLine::raw(format!("    at {}", text::clean(addr))));
        }
        if let Some(n) = a.notes.as_deref().filter(|x| !x.trim().is_empty()) {
            body(&mut l, n);
        }
    }
    l
}

/// The current tab's lines (before wrapping) and the first line of each of its items.
pub struct ActivityText {
    pub lines: Vec<TextLine>,
    /// The first line of each task or note, in the order they are selected (none for
    /// appointments, which are not selected).
    pub starts: Vec<usize>,
}

/// The current tab, built.
pub fn build(app: &App) -> ActivityText {
    let mut starts = Vec::new();
    let lines = match &app.details {
        None => vec![TextLine::whole("No contact selected.", Look::Dim)],
        Some(d) => match app.tab {
            ActivityTab::Tasks => tasks(app, d, &mut starts),
            ActivityTab::Notes => notes(app, d, &mut starts),
            ActivityTab::Appointments => appointments(app, d),
        },
    };
    ActivityText { lines, starts }
}

/// The lines of the current tab (before wrapping).
pub fn lines(app: &App) -> Vec<TextLine> {
    build(app).lines
}

/// Number of lines (before wrapping), for scroll limits.
pub fn line_count(app: &App) -> usize {
    build(app).lines.len()
}

/// The first line of each task or note on the current tab (for scrolling to the selection).
pub fn item_starts(app: &App) -> Vec<usize> {
    build(app).starts
}
