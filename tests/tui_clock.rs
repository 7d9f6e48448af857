//! One clock for people on screen: every time is Israel time, `YYYY-MM-DD HH:MM`, on both sides
//! of the 2026 DST switches (summer time from Fri 27 March, back on Sun 25 October), so
//! `07:00Z` reads `09:00` in winter and `10:00` in summer; appointment times GHL sends without
//! a zone are read in the location's zone; a typed due date says which time it means before it
//! is saved; and no UTC instant appears on any screen.
use crate::tui_changes_support;

use crate::tui_changes_support::{change, field};
use crate::tui_support::*;
use bmby_ghl::domain::{Appointment, Change, ChangeKind, ChangeState, JournalEntry, Subject, Task};
use bmby_ghl::store::Store;
use bmby_ghl::tui::edits::HandEdit;
use bmby_ghl::tui::{Driver, Screen, Theme};

const RICH: &str = "c00aaron000000000001";

/// Winter, summer, summer, winter: around both 2026 switches, each at 07:00Z.
const DUES: [(&str, &str, &str); 4] = [
    ("w1", "2026-03-26T07:00:00.000Z", "2026-03-26 09:00"),
    ("s1", "2026-03-27T07:00:00.000Z", "2026-03-27 10:00"),
    ("s2", "2026-10-24T07:00:00.000Z", "2026-10-24 10:00"),
    ("w2", "2026-10-25T07:00:00.000Z", "2026-10-25 09:00"),
];

fn snap(d: &mut Driver, w: u16, h: u16) -> String {
    let t = d.render(w, h);
    assert_clean(t.backend().buffer());
    format!("{}", t.backend())
}

/// The UTC instants in `s`: `YYYY-MM-DDTHH:MM…` or a time followed by `Z`
/// (`07:00Z`, `07:00:00.000Z`).
fn utc_instants(s: &str) -> Vec<String> {
    let b: Vec<char> = s.chars().collect();
    let d = |i: usize| b.get(i).is_some_and(|c| c.is_ascii_digit());
    let at = |i: usize, c: char| b.get(i) == Some(&c);
    let mut out = Vec::new();
    for i in 0..b.len() {
        // \d{4}-\d\d-\d\dT\d\d:\d\d
        let iso = (0..4).all(|k| d(i + k))
            && at(i + 4, '-')
            && d(i + 5)
            && d(i + 6)
            && at(i + 7, '-')
            && d(i + 8)
            && d(i + 9)
            && at(i + 10, 'T')
            && d(i + 11)
            && d(i + 12)
            && at(i + 13, ':')
            && d(i + 14)
            && d(i + 15);
        // \d\d:\d\d(:\d\d(.\d+)?)?Z
        let zulu = d(i) && d(i + 1) && at(i + 2, ':') && d(i + 3) && d(i + 4) && {
            let mut j = i + 5;
            if at(j, ':') && d(j + 1) && d(j + 2) {
                j += 3;
                if at(j, '.') {
                    j += 1;
                    while d(j) {
                        j += 1;
                    }
                }
            }
            at(j, 'Z')
        };
        if iso || zulu {
            out.push(
                b[i.saturating_sub(4)..(i + 24).min(b.len())]
                    .iter()
                    .collect(),
            );
        }
    }
    out
}

fn assert_no_utc(what: &str, text: &str) {
    let found = utc_instants(text);
    assert!(
        found.is_empty(),
        "{what}: UTC instants {found:?} in\n{text}"
    );
}

#[test]
fn the_utc_detector_detects() {
    assert_eq!(utc_instants("due 2026-12-07T07:00:00.000Z").len(), 2);
    assert_eq!(utc_instants("at 07:00Z").len(), 1);
    assert!(utc_instants("due 2026-12-07 09:00 Israel time · Zoe").is_empty());
}

fn journal_entry(change_id: u64, request: &str, at: &str) -> JournalEntry {
    // Built from JSON so fields added later (with their serde defaults) need no edit here.
    serde_json::from_value(serde_json::json!({
        "seq": 0,
        "change_id": change_id,
        "request": request,
        "fields_sent": ["dueDate"],
        "status": 200,
        "trace_id": null,
        "outcome": "applied",
        "at": at,
    }))
    .expect("a journal entry")
}

/// Changes whose values are instants: a task moved across the spring switch, a custom field
/// instant across the autumn one, and a Bmby write-back task.
fn time_changes() -> Vec<Change> {
    let mut task = change(
        20,
        ChangeKind::Update,
        ChangeState::Pending,
        "local",
        Some(RICH),
        "Aaron Avraham",
        "local",
        vec![field(
            "dueDate",
            "Due",
            Some(DUES[0].1),
            Some("2026-03-27T07:00:00.000Z"),
        )],
    );
    task.subject = Subject::Task {
        task_id: Some("w1".into()),
    };
    let moved = change(
        21,
        ChangeKind::Update,
        ChangeState::Pending,
        "300021",
        Some(RICH),
        "Aaron Avraham",
        "clients.csv row 21",
        vec![field(
            "customFields.cf_moved",
            "Moved in",
            Some("2026-10-24T07:00:00Z"),
            Some("2026-10-25T07:00:00Z"),
        )],
    );
    let mut bmby = change(
        22,
        ChangeKind::Create,
        ChangeState::Pending,
        "300022",
        Some(RICH),
        "Aaron Avraham",
        "GHL task w2",
        vec![
            field("title", "Title", None, Some("Sign the lease")),
            field("dueDate", "Due", None, Some(DUES[3].1)),
        ],
    );
    bmby.target = bmby_ghl::domain::Target::Bmby;
    bmby.subject = Subject::Task {
        task_id: Some("w2".into()),
    };
    bmby.base_date_updated = None;
    vec![task, moved, bmby]
}

/// The fixture plus tasks due around both switches, appointments in a New York location, the
/// changes above and journal entries on both sides of the spring switch.
fn fill_times(s: &Store) {
    let tasks: Vec<Task> = DUES
        .iter()
        .map(|(id, due, _)| Task {
            id: (*id).into(),
            contact_id: RICH.into(),
            title: format!("Task {id}"),
            due_date: Some((*due).into()),
            ..Default::default()
        })
        .collect();
    s.put_tasks(RICH, &tasks).unwrap();
    s.put_appointments(
        RICH,
        &[
            // New York winter (-05:00) → Israel winter (+02:00): 7 hours.
            Appointment {
                id: "a1".into(),
                contact_id: RICH.into(),
                title: "Viewing (winter)".into(),
                start_time: Some("2026-02-17 11:30:00".into()),
                end_time: Some("2026-02-17 12:00:00".into()),
                appointment_status: Some("confirmed".into()),
                ..Default::default()
            },
            // New York already on summer time (-04:00), Israel not yet (+02:00): 6 hours.
            Appointment {
                id: "a2".into(),
                contact_id: RICH.into(),
                title: "Viewing (between the switches)".into(),
                start_time: Some("2026-03-20 11:30:00".into()),
                end_time: Some("2026-03-20 12:00:00".into()),
                appointment_status: Some("confirmed".into()),
                ..Default::default()
            },
        ],
    )
    .unwrap();
    s.set_meta(bmby_ghl::sync::location_zone::META_KEY, "America/New_York")
        .unwrap();
    for c in time_changes() {
        s.put_change(&c).unwrap();
    }
    s.append_journal(journal_entry(
        20,
        "PUT /contacts/tasks/w1",
        "2026-03-26T23:30:00Z",
    ))
    .unwrap();
    s.append_journal(journal_entry(
        21,
        "PUT /contacts/c00aaron000000000001",
        "2026-03-27T00:30:00Z",
    ))
    .unwrap();
}

fn times_driver() -> (tempfile::TempDir, Driver) {
    let (dir, s) = store();
    fill_times(&s);
    (dir, Driver::new(s, options(Theme::colored())))
}

#[test]
fn tasks_due_around_the_switches_80x24() {
    let (_dir, mut d) = times_driver();
    d.keys("tab tab");
    let big = snap(&mut d, 160, 48);
    for (_, _, shown) in DUES {
        assert!(big.contains(&format!("due {shown}")), "{shown} in\n{big}");
    }
    let s = snap(&mut d, 80, 24);
    assert_no_utc("tasks", &s);
    insta::assert_snapshot!("dst_tasks_80x24", s);
}

#[test]
fn appointments_are_read_in_the_location_zone_80x24() {
    let (_dir, mut d) = times_driver();
    d.keys("tab tab ] ]");
    let s = snap(&mut d, 80, 24);
    assert!(s.contains("2026-02-17 18:30 → 19:00"), "{s}");
    assert!(s.contains("2026-03-20 17:30 → 18:00"), "{s}");
    assert!(!s.contains("location time"), "{s}");
    insta::assert_snapshot!("dst_appointments_80x24", s);

    // Without the location's zone they are not guessed: labelled as location time.
    let (_dir2, s2) = store();
    fill_times(&s2);
    s2.set_meta(bmby_ghl::sync::location_zone::META_KEY, "")
        .unwrap();
    let mut d2 = Driver::new(s2, options(Theme::colored()));
    d2.keys("tab tab ] ]");
    let s = snap(&mut d2, 80, 24);
    assert!(s.contains("2026-02-17 11:30 → 12:00 location time"), "{s}");
}

#[test]
fn diff_values_that_are_instants_read_in_israel_time_80x24() {
    let (_dir, mut d) = times_driver();
    d.keys("c");
    assert_eq!(d.app.screen, Screen::Changes);
    let s = snap(&mut d, 80, 24);
    // The task moved from a winter 09:00 to a summer 10:00 (both 07:00Z).
    assert!(s.contains("- 2026-03-26 09:00"), "{s}");
    assert!(s.contains("+ 2026-03-27 10:00"), "{s}");
    assert_no_utc("task diff", &s);
    insta::assert_snapshot!("dst_diff_80x24", s);
    d.keys("j");
    let s = snap(&mut d, 80, 24);
    assert!(s.contains("- 2026-10-24 10:00"), "{s}");
    assert!(s.contains("+ 2026-10-25 09:00"), "{s}");
    d.keys("j");
    let s = snap(&mut d, 80, 24);
    assert!(
        s.contains("+ 2026-10-25 09:00"),
        "Bmby write-back diff\n{s}"
    );
    assert_no_utc("Bmby diff", &s);
    // The stored values stay ISO 8601 UTC.
    let c = d.app.store().change(20).unwrap().unwrap();
    assert_eq!(c.proposed("dueDate"), Some("2026-03-27T07:00:00.000Z"));
}

#[test]
fn journal_times_around_the_spring_switch_80x24() {
    let (_dir, mut d) = times_driver();
    d.keys("c J");
    let s = snap(&mut d, 80, 24);
    // 23:30Z on 26 March is 01:30 IST; 00:30Z on 27 March is 03:30 IDT (02:00 → 03:00).
    assert!(s.contains("2026-03-27 01:30 · change #20"), "{s}");
    assert!(s.contains("2026-03-27 03:30 · change #21"), "{s}");
    assert_no_utc("journal", &s);
    insta::assert_snapshot!("dst_journal_80x24", s);
}

#[test]
fn a_typed_due_date_says_which_time_it_means_before_saving_80x24() {
    let (_dir, mut d) = times_driver();
    d.keys("tab tab n");
    d.type_text("Sign the lease");
    d.keys("enter ctrl-u");
    d.type_text("2026-03-27");
    let s = snap(&mut d, 80, 24);
    // A bare date is 09:00 Israel time, and the editor says so while typing.
    assert!(
        s.contains("→ 2026-03-27 09:00 Israel time (no time typed)"),
        "{s}"
    );
    insta::assert_snapshot!("due_hint_80x24", s);
    // Half typed: not a date yet, and it says what is expected.
    d.keys("backspace backspace");
    let s = snap(&mut d, 80, 24);
    assert!(s.contains("not a date yet"), "{s}");
    // A time in the spring gap (02:00–03:00 never happened) moves forward, visibly.
    d.keys("ctrl-u");
    d.type_text("2026-03-27 02:30");
    let s = snap(&mut d, 80, 24);
    assert!(s.contains("→ 2026-03-27 03:30 Israel time"), "{s}");
    // Enter refuses what is not a date, before the body is asked.
    d.keys("ctrl-u");
    d.type_text("next week");
    d.keys("enter");
    assert!(matches!(
        &d.app.hand_edit,
        Some(HandEdit::Line { edit, .. }) if edit.error.as_deref().is_some_and(|e| e.contains("Israel time"))
    ));
    d.keys("ctrl-u");
    d.type_text("2026-03-27");
    d.keys("enter enter");
    // Saved as 06:00Z (summer), and the status line says it once more in Israel time.
    let added = d
        .app
        .store()
        .changes()
        .unwrap()
        .into_iter()
        .find(|c| c.kind == ChangeKind::Create && c.origin == "local")
        .expect("the new task");
    assert_eq!(added.proposed("dueDate"), Some("2026-03-27T06:00:00.000Z"));
    let info = d.app.status.info.clone().unwrap_or_default();
    assert!(info.contains("due 2026-03-27 09:00 Israel time"), "{info}");
}

#[test]
fn the_changes_editor_offers_a_due_date_in_israel_time() {
    let (_dir, mut d) = times_driver();
    d.keys("c tab e");
    let edit = d.app.changes.edit.clone().expect("the editor is open");
    assert_eq!(edit.field, "dueDate");
    assert_eq!(edit.input, "2026-03-27 10:00", "not the stored UTC instant");
    let s = snap(&mut d, 80, 24);
    assert!(s.contains("→ 2026-03-27 10:00 Israel time"), "{s}");
}

/// Every main screen, rendered over seeded data (contacts, details, each activity tab, the
/// changes list with every change's diff, the journal, help), shows no UTC instant.
#[test]
fn no_utc_instant_on_any_screen() {
    let (_dir, s) = tui_changes_support::store();
    fill_times(&s);
    let mut d = Driver::new(s, options(Theme::colored()));
    let mut seen = String::new();
    let mut check = |d: &mut Driver, what: &str| {
        for (w, h) in [(80, 24), (160, 48)] {
            let b = d.buffer(w, h);
            let text = text_lines(&b).join("\n");
            assert_no_utc(what, &text);
            seen.push_str(&text);
        }
    };
    check(&mut d, "contacts");
    d.keys("tab");
    check(&mut d, "details");
    d.keys("tab");
    for tab in ["tasks", "notes", "appointments"] {
        check(&mut d, tab);
        d.keys("]");
    }
    d.keys("esc ?");
    check(&mut d, "help");
    d.keys("esc c s s s");
    let n = d.app.changes.view.len();
    assert!(n >= 9, "every change is listed ({n})");
    for i in 0..n {
        check(&mut d, &format!("change {i}"));
        d.keys("tab");
        check(&mut d, &format!("diff {i}"));
        d.keys("tab j");
    }
    d.keys("J");
    check(&mut d, "journal");
    // The screens walked did show times: tasks, diffs, appointments, the journal.
    for shown in [
        "due 2026-03-26 09:00",
        "+ 2026-03-27 10:00",
        "+ 2026-10-25 09:00",
        "2026-02-17 18:30 → 19:00",
        "2026-03-27 03:30 · change #21",
    ] {
        assert!(seen.contains(shown), "{shown} was on a screen");
    }
}
