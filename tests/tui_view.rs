//! The contact view (issue 11): id and owner first with people's names, pending values on the
//! contact itself, pending tasks and notes in the activity tabs, copying over SSH (OSC 52),
//! zoom, going from a change to its contact, scrolling that stops at the end, and resizes.

use crate::tui_support::*;
use bmby_ghl::domain::{Change, ChangeState, FieldChange, Named};
use bmby_ghl::store::Store;
use bmby_ghl::sync::ops::{put_list, ListKind};
use bmby_ghl::tui::app::{Pane, Screen};
use bmby_ghl::tui::{Driver, Theme};

const AARON: &str = "c00aaron000000000001";

fn snap(d: &mut Driver, w: u16, h: u16) -> String {
    let t = d.render(w, h);
    assert_clean(t.backend().buffer());
    format!("{}", t.backend())
}

fn screen_text(d: &mut Driver, w: u16, h: u16) -> String {
    text_lines(&d.buffer(w, h)).join("\n")
}

fn fc(field: &str, label: &str, now: Option<&str>, proposed: Option<&str>) -> FieldChange {
    FieldChange {
        field: field.into(),
        label: label.into(),
        source_field: String::new(),
        ghl_now: now.map(Into::into),
        proposed: proposed.map(Into::into),
        edited: false,
        value_json: None,
    }
}

/// A change of `contact` with `fields` in `state`, stored (a Bmby update, as an import makes).
fn put_change(s: &Store, contact: &str, fields: Vec<FieldChange>, state: ChangeState) -> u64 {
    let c = s.contact(contact).unwrap().unwrap();
    let mut ch =
        bmby_ghl::sync::local::edit_contact_field(s, &c, "website", "https://x.example").unwrap();
    // A new change (the hand edit above merges into the contact's pending one).
    ch.id = s.next_seq("change").unwrap();
    ch.fields = fields;
    ch.state = state;
    ch.origin = "bmby_export.csv row 3".into();
    s.put_change(&ch).unwrap();
    ch.id
}

/// The fixture with users (Hebrew, hostile), an owner and followers on Aaron, an unknown owner
/// on Dana, and changes waiting for both contacts.
fn world() -> (tempfile::TempDir, Driver) {
    let (dir, s) = store();
    put_list(
        &s,
        ListKind::Users,
        &[
            Named {
                id: "u_dana".into(),
                name: "דנה כהן".into(),
            },
            Named {
                id: "u_moshe".into(),
                name: "Moshe Levi".into(),
            },
            Named {
                id: "u_evil".into(),
                name: "Evil\u{202e}gnp.exe".into(),
            },
        ],
    )
    .unwrap();
    let mut cs = contacts();
    for c in cs.iter_mut() {
        if c.id == AARON {
            c.assigned_to = Some("u_dana".into());
            c.raw_json = format!(
                r#"{{"id":"{AARON}","firstName":"Aaron","followers":["u_moshe","u_gone","u_evil"]}}"#
            );
        } else if c.first_name.as_deref() == Some("Dana") {
            c.assigned_to = Some("u_unknown_42".into());
        }
    }
    s.put_contacts(&cs).unwrap();
    let aaron = s.contact(AARON).unwrap().unwrap();
    bmby_ghl::sync::local::edit_contact_field(&s, &aaron, "email", "new@avraham.example").unwrap();
    put_change(
        &s,
        AARON,
        vec![
            fc("assignedTo", "Owner", Some("u_dana"), Some("u_moshe")),
            fc(
                "tags",
                "Tags",
                Some("buyer, vip"),
                Some("buyer, vip, משקיע"),
            ),
            fc("dnd", "DND", Some("false"), Some("true")),
            fc(
                "dndSettings.SMS",
                "DND SMS",
                Some("active"),
                Some("inactive"),
            ),
            fc(
                "customFields.cf_budget",
                "Budget (ILS)",
                Some("1500000"),
                Some("2000000"),
            ),
            fc(
                "customFields.cf_new",
                "Parking \u{1b}[31m",
                None,
                Some("yes\u{202e}"),
            ),
        ],
        ChangeState::Approved,
    );
    // Rejected and applied changes are not waiting: not shown.
    put_change(
        &s,
        AARON,
        vec![fc("phone", "Phone", None, Some("+972500000000"))],
        ChangeState::Rejected,
    );
    let tasks = s.tasks(AARON).unwrap().unwrap();
    let t1 = tasks.iter().find(|t| t.id == "t1").unwrap();
    bmby_ghl::sync::local::set_task_completed(&s, &aaron, t1, true).unwrap();
    bmby_ghl::sync::local::add_task(&s, &aaron, "לחתום על החוזה", "2025-01-04 10:00", "").unwrap();
    bmby_ghl::sync::local::add_note(&s, &aaron, "הערה חדשה\nsecond line").unwrap();
    (dir, Driver::new(s, options(Theme::colored())))
}

#[test]
fn details_show_owner_names_followers_and_pending_values() {
    let (_dir, mut d) = world();
    let text = screen_text(&mut d, 240, 60);
    // Id and owner first; followers by name, unknown ids marked, hostile names cleaned.
    let id_line = text
        .lines()
        .position(|l| l.contains("ID         c00aaron"))
        .unwrap();
    let owner_line = text.lines().position(|l| l.contains("Owner*")).unwrap();
    assert_eq!(owner_line, id_line + 1, "{text}");
    assert!(text.contains("דנה כהן → Moshe Levi (approved #"), "{text}");
    assert!(
        text.contains("Moshe Levi, unknown user (id u_gone), Evil"),
        "{text}"
    );
    assert!(text.contains("new@avraham.example (pending #1)"), "{text}");
    assert!(text.contains("→ buyer, vip, משקיע (approved"), "{text}");
    assert!(text.contains("DND*"), "{text}");
    assert!(text.contains("2000000 (approved"), "{text}");
    // A custom field the contact has no value for yet is listed under Pending.
    assert!(text.contains("Parking"), "{text}");
    assert!(
        !text.contains("+972500000000"),
        "a rejected change is not waiting: {text}"
    );
    // Dana's owner id is unknown to the location.
    d.keys("j j j");
    let text = screen_text(&mut d, 240, 60);
    assert!(text.contains("unknown user (id u_unknown_42)"), "{text}");
}

#[test]
fn pending_values_snapshots() {
    let (_dir, mut d) = world();
    insta::assert_snapshot!("view_pending_160x48", snap(&mut d, 160, 48));
    d.keys("l");
    insta::assert_snapshot!("view_pending_details_80x24", snap(&mut d, 80, 24));
    d.keys("tab");
    insta::assert_snapshot!("view_pending_tasks_80x24", snap(&mut d, 80, 24));
    d.keys("l");
    insta::assert_snapshot!("view_pending_notes_80x24", snap(&mut d, 80, 24));
}

#[test]
fn activity_marks_new_and_completed_tasks_and_new_notes() {
    let (_dir, mut d) = world();
    let text = screen_text(&mut d, 240, 60);
    assert!(
        text.contains("Call back about the Haifa flat · completes (pending #"),
        "{text}"
    );
    assert!(
        text.contains("[+] לחתום על החוזה · new (pending #"),
        "{text}"
    );
    d.keys("tab tab l");
    let text = screen_text(&mut d, 240, 60);
    assert!(text.contains("[+] new note (pending #"), "{text}");
    assert!(text.contains("הערה חדשה"), "{text}");
}

#[test]
fn zoom_fills_the_screen_and_esc_returns() {
    let (_dir, mut d) = world();
    d.keys("l z");
    assert!(d.app.zoom);
    insta::assert_snapshot!("view_zoom_details_80x24", snap(&mut d, 80, 24));
    d.keys("v");
    insta::assert_snapshot!("view_zoom_raw_160x48", snap(&mut d, 160, 48));
    d.keys("esc");
    assert!(!d.app.zoom);
    assert_eq!(d.app.focus, Pane::Details, "esc leaves the zoom first");
    d.keys("tab z");
    let text = screen_text(&mut d, 80, 24);
    assert!(
        text.contains("Activity") && !text.contains("Details"),
        "{text}"
    );
    d.keys("z");
    assert!(!d.app.zoom);
    // The diff of the changes screen, zoomed.
    d.keys("c tab z");
    let text = screen_text(&mut d, 80, 24);
    assert!(
        text.contains("Diff #") && !text.contains("Changes ·"),
        "{text}"
    );
    d.keys("esc");
    let text = screen_text(&mut d, 80, 24);
    assert!(
        text.contains("Diff #") && text.contains("Changes ·"),
        "{text}"
    );
}

#[test]
fn y_writes_exactly_the_osc52_sequence_of_the_selected_field() {
    let (_dir, mut d) = driver();
    // Details: ID, Name, Email, Also email, Phone.
    d.keys("l j j j j");
    assert!(d.terminal_out.is_empty());
    d.keys("y");
    assert_eq!(
        String::from_utf8(d.terminal_out.clone()).unwrap(),
        "\u{1b}]52;c;Kzk3MjUwMTIzNDU2Nw==\u{7}"
    );
    assert_eq!(
        d.app.status.info.as_deref(),
        Some("copied phone +972501234567")
    );
    // Nothing is drawn into the copy and nothing else is written.
    d.terminal_out.clear();
    d.keys("k k k k y");
    assert_eq!(
        String::from_utf8(d.terminal_out.clone()).unwrap(),
        bmby_ghl::tui::clipboard::osc52(AARON)
    );
}

#[test]
fn y_on_the_list_copies_the_ghl_address_and_big_y_the_json() {
    let (_dir, mut d) = driver();
    d.keys("y");
    let url = format!(
        "https://app.gohighlevel.com/v2/location/ve9EPM428h8vShlRW1KT/contacts/detail/{AARON}"
    );
    assert_eq!(
        d.terminal_out,
        bmby_ghl::tui::clipboard::osc52(&url).into_bytes()
    );
    assert!(d
        .app
        .status
        .info
        .as_deref()
        .unwrap()
        .starts_with("copied GHL address https://"));
    d.terminal_out.clear();
    d.keys("Y");
    let out = String::from_utf8(d.terminal_out.clone()).unwrap();
    let b64 = out
        .strip_prefix("\u{1b}]52;c;")
        .and_then(|s| s.strip_suffix('\u{7}'))
        .unwrap();
    use base64::Engine;
    let json = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(v["id"], AARON);
    assert!(d.app.status.info.as_deref().unwrap().contains("as JSON"));
    // `:copy email` copies a named field.
    d.terminal_out.clear();
    d.keys(":");
    d.type_text("copy email");
    d.keys("enter");
    assert_eq!(
        d.terminal_out,
        bmby_ghl::tui::clipboard::osc52("aaron@example.com").into_bytes()
    );
}

#[test]
fn go_to_contact_from_a_change_clears_a_hiding_filter() {
    let (_dir, mut d) = world();
    d.keys("/");
    d.type_text("יוסי");
    d.keys("enter");
    assert!((0..d.app.view.len()).all(|i| d.app.view.row(i).unwrap().id != AARON));
    d.keys("c");
    assert_eq!(d.app.screen, Screen::Changes);
    let sel = d.app.changes.selected_change().unwrap().clone();
    assert_eq!(sel.contact_id.as_deref(), Some(AARON));
    d.keys("o");
    assert_eq!(d.app.screen, Screen::Contacts);
    assert_eq!(d.app.selected_row().unwrap().id, AARON);
    assert!(d.app.filter.query.is_empty());
    assert!(
        d.app
            .status
            .info
            .as_deref()
            .unwrap()
            .contains("filter cleared"),
        "{:?}",
        d.app.status.info
    );
    let text = screen_text(&mut d, 80, 24);
    assert!(text.contains("> Aaron Avraham"), "{text}");
}

#[test]
fn go_to_contact_says_when_it_is_not_cached() {
    let (dir, s) = store();
    let aaron = s.contact(AARON).unwrap().unwrap();
    let mut ch: Change =
        bmby_ghl::sync::local::edit_contact_field(&s, &aaron, "email", "x@y.example").unwrap();
    ch.contact_id = Some("c00gone".into());
    s.put_change(&ch).unwrap();
    let mut d = Driver::new(s, options(Theme::colored()));
    d.keys("c o");
    assert_eq!(d.app.screen, Screen::Changes);
    assert!(
        d.app
            .status
            .info
            .as_deref()
            .unwrap()
            .contains("c00gone is not in the cache"),
        "{:?}",
        d.app.status.info
    );
    drop(dir);
}

#[test]
fn go_to_contact_from_a_journal_line() {
    let (_dir, s) = store();
    s.append_journal(bmby_ghl::domain::JournalEntry {
        seq: 0,
        change_id: 1,
        request: format!("PUT /contacts/{AARON}"),
        fields_sent: vec!["email".into()],
        status: Some(200),
        trace_id: None,
        outcome: "applied".into(),
        at: "2025-01-01T10:00:00Z".into(),
        contact_id: Some(AARON.into()),
        contact_name: "Aaron Avraham".into(),
        ..Default::default()
    })
    .unwrap();
    let mut d = Driver::new(s, options(Theme::colored()));
    d.keys("G");
    assert_ne!(d.app.selected_row().unwrap().id, AARON);
    d.keys("c J o");
    assert_eq!(d.app.screen, Screen::Contacts);
    assert_eq!(d.app.selected_row().unwrap().id, AARON);
}

#[test]
fn details_scrolling_stops_at_the_last_line() {
    let (_dir, mut d) = world();
    d.render(80, 24);
    d.keys("l G");
    let at_end = d.app.details_scroll;
    let text = screen_text(&mut d, 80, 24);
    // The last line (the pending custom field) shows, and the pane is full.
    assert!(text.contains("Parking"), "{text}");
    d.keys("j j ctrl-d");
    assert_eq!(d.app.details_scroll, at_end, "no scrolling past the end");
    assert!(at_end > 0);
    d.keys("g");
    assert_eq!(d.app.details_scroll, 0);
    assert_eq!(d.app.details_cursor, 0);
}

#[test]
fn resize_keeps_the_selection_visible_and_clamps_scrolls() {
    let (_dir, mut d) = world();
    d.render(160, 48);
    d.keys("G");
    let last = d.app.selected;
    d.keys("l G");
    d.render(80, 12);
    let page = d.app.list_page();
    assert!(d.app.offset <= last && last < d.app.offset + page);
    assert_eq!(d.app.selected, last);
    // Back to a big screen: nothing is scrolled past its end.
    d.render(160, 48);
    assert_eq!(d.app.details_scroll, 0, "everything fits at 160x48");
    assert_eq!(d.app.offset, 0);
}

/// A city edit says which part of the address it changes and from what (it read
/// `Address*   US → Haifa`, like a new country); a part the contact has none of reads
/// `(empty)`.
#[test]
fn an_address_edit_names_the_part_it_changes() {
    let (_dir, s) = store();
    let id = put_change(
        &s,
        AARON,
        vec![
            fc("city", "City", Some("Haifa"), Some("תל אביב")),
            fc("state", "State", None, Some("Center")),
        ],
        ChangeState::Pending,
    );
    let mut d = Driver::new(s, options(Theme::colored()));
    let text = screen_text(&mut d, 240, 60);
    assert!(
        text.contains(&format!(
            "Address*   12 Herzl St, Haifa, IL · City: Haifa → תל אביב (pending #{id})"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!("State: (empty) → Center (pending #{id})")),
        "{text}"
    );
    d.keys("l");
    insta::assert_snapshot!("view_address_edit_80x24", snap(&mut d, 80, 24));
}
