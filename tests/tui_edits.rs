//! Editing by hand on the contacts screen: a contact field (validated), notes through the
//! `$EDITOR` hand-off, completing a task, deletes that ask first, and read-only mode. Each edit
//! becomes a pending local change shown on the changes screen.

use crate::tui_support::*;
use bmby_ghl::domain::{ChangeKind, ChangeState, Subject};
use bmby_ghl::tui::edits::HandEdit;
use bmby_ghl::tui::{Driver, Pane, Screen};

const RICH: &str = "c00aaron000000000001";

fn snap(d: &mut Driver, w: u16, h: u16) -> String {
    let t = d.render(w, h);
    assert_clean(t.backend().buffer());
    format!("{}", t.backend())
}

fn local_changes(d: &Driver) -> Vec<bmby_ghl::domain::Change> {
    d.app
        .store()
        .changes()
        .unwrap()
        .into_iter()
        .filter(|c| c.origin == "local")
        .collect()
}

#[test]
fn fixing_an_email_checks_it_and_makes_a_pending_change() {
    let (_dir, mut d) = driver();
    d.keys("tab e");
    assert!(matches!(d.app.hand_edit, Some(HandEdit::Fields { .. })));
    insta::assert_snapshot!("field_picker_80x24", snap(&mut d, 80, 24));
    // First name, Last name, Email.
    d.keys("j j enter");
    let Some(HandEdit::Line { edit, .. }) = &d.app.hand_edit else {
        panic!("the line editor is open")
    };
    assert_eq!(edit.input, "aaron@example.com", "starts with GHL's value");
    d.keys("ctrl-u");
    d.type_text("aaron at example");
    d.keys("enter");
    let Some(HandEdit::Line { edit, .. }) = &d.app.hand_edit else {
        panic!("a bad value keeps the editor open")
    };
    assert!(edit
        .error
        .as_deref()
        .unwrap()
        .contains("not an email address"));
    insta::assert_snapshot!("field_editor_error_80x24", snap(&mut d, 80, 24));
    assert!(
        local_changes(&d).is_empty(),
        "nothing stored for a bad value"
    );
    d.keys("ctrl-u");
    d.type_text("aaron@avraham.co.il");
    d.keys("enter");
    assert!(d.app.hand_edit.is_none());
    let cs = local_changes(&d);
    assert_eq!(cs.len(), 1);
    assert_eq!(cs[0].kind, ChangeKind::Update);
    assert_eq!(cs[0].state, ChangeState::Pending);
    assert_eq!(cs[0].contact_id.as_deref(), Some(RICH));
    assert_eq!(
        cs[0].fields[0].ghl_now.as_deref(),
        Some("aaron@example.com")
    );
    assert_eq!(cs[0].proposed("email"), Some("aaron@avraham.co.il"));
    let info = d.app.status.info.clone().unwrap();
    assert!(info.contains("pending") && info.contains("(c)"), "{info}");

    // A phone edit joins the same change, in E.164.
    d.keys("e j j j enter ctrl-u");
    d.type_text("04-855 1234");
    d.keys("enter");
    let cs = local_changes(&d);
    assert_eq!(cs.len(), 1);
    assert_eq!(cs[0].proposed("phone"), Some("+97248551234"));

    // The changes screen lists it as a local edit with its diff.
    d.keys("esc c");
    assert_eq!(d.app.screen, Screen::Changes);
    let screen = snap(&mut d, 80, 24);
    assert!(screen.contains("local"), "{screen}");
    assert!(screen.contains("aaron@avraham.co.il"), "{screen}");
}

#[test]
fn a_phone_is_checked_the_same_whether_typed_local_or_with_972() {
    let (_dir, mut d) = driver();
    // The field picker: First name, Last name, Email, Phone.
    d.keys("tab e j j j enter");
    let line_error = |d: &Driver| match &d.app.hand_edit {
        Some(HandEdit::Line { edit, .. }) => edit.error.clone(),
        _ => panic!("the line editor is open"),
    };
    for junk in ["+972123", "123", "+1234"] {
        d.keys("ctrl-u");
        d.type_text(junk);
        d.keys("enter");
        let e = line_error(&d).unwrap_or_else(|| panic!("{junk} accepted"));
        assert!(e.contains(&format!("`{junk}` is not a")), "{e}");
    }
    assert!(local_changes(&d).is_empty(), "nothing stored for junk");
    // A number the metadata does not list yet: both forms accepted, the same E.164.
    for (typed, e164) in [
        ("054-1234567", "+972541234567"),
        ("+972521234567", "+972521234567"),
        ("052-1234567", "+972521234567"),
    ] {
        if d.app.hand_edit.is_none() {
            d.keys("e j j j enter");
        }
        d.keys("ctrl-u");
        d.type_text(typed);
        d.keys("enter");
        assert!(d.app.hand_edit.is_none(), "{typed}: {:?}", line_error(&d));
        assert_eq!(
            local_changes(&d)[0].proposed("phone"),
            Some(e164),
            "{typed}"
        );
    }
}

#[test]
fn a_note_is_written_in_the_editor() {
    let (_dir, mut d) = driver();
    d.app.external_editor = true;
    d.editor_saves = Ok("שיחה טלפונית\nמעוניין לראות דירה ביום ראשון".into());
    d.keys("tab tab ]");
    assert_eq!(d.app.focus, Pane::Activity);
    d.keys("n");
    assert_eq!(
        d.editor_opened,
        vec![String::new()],
        "a new note starts empty"
    );
    let cs = local_changes(&d);
    assert_eq!(cs.len(), 1);
    assert_eq!(cs[0].kind, ChangeKind::Create);
    assert_eq!(cs[0].subject, Subject::Note { note_id: None });
    assert_eq!(
        cs[0].proposed("body"),
        Some("שיחה טלפונית\nמעוניין לראות דירה ביום ראשון")
    );
    // The changes screen shows the note's lines as lines.
    d.keys("c");
    insta::assert_snapshot!("new_note_diff_80x24", snap(&mut d, 80, 24));
    d.keys("c");
    // Editing the second note opens the editor on its text; saving it unchanged proposes
    // nothing.
    d.keys("j e");
    assert!(d.editor_opened[1].starts_with("שיחה עם הלקוח"));
    d.editor_saves = Ok(d.editor_opened[1].clone());
    d.keys("e");
    assert_eq!(
        local_changes(&d).len(),
        2,
        "the first edit of n2 was stored"
    );
    assert!(d.app.status.info.as_deref().unwrap().contains("unchanged"));
    // A failing editor stores nothing and says why.
    d.editor_saves = Err("`vim` exited with exit status: 1; nothing saved".into());
    d.keys("n");
    assert_eq!(local_changes(&d).len(), 2);
    assert!(d
        .app
        .status
        .error
        .as_deref()
        .unwrap()
        .contains("nothing saved"));
}

#[test]
fn without_an_editor_a_note_is_typed_on_one_line() {
    let (_dir, mut d) = driver();
    d.app.external_editor = false;
    d.keys("tab tab ] n");
    assert!(matches!(d.app.hand_edit, Some(HandEdit::Line { .. })));
    d.keys("enter");
    let Some(HandEdit::Line { edit, .. }) = &d.app.hand_edit else {
        panic!("an empty note is refused")
    };
    assert!(edit.error.is_some());
    d.type_text("Called back");
    d.keys("enter");
    assert_eq!(local_changes(&d)[0].proposed("body"), Some("Called back"));
}

#[test]
fn completing_adding_and_deleting_tasks() {
    let (_dir, mut d) = driver();
    d.keys("tab tab");
    // The open task is listed first and selected.
    d.keys("space");
    let cs = local_changes(&d);
    assert_eq!(cs.len(), 1);
    assert_eq!(
        cs[0].subject,
        Subject::Task {
            task_id: Some("t1".into())
        }
    );
    assert_eq!(cs[0].proposed("completed"), Some("yes"));
    // The done task is reopened.
    d.keys("j x");
    let cs = local_changes(&d);
    assert_eq!(cs[1].proposed("completed"), Some("no"));

    // A new task: title, due date (Israel time), body.
    d.keys("n");
    d.type_text("להתקשר לבנק");
    d.keys("enter");
    let Some(HandEdit::Line { edit, .. }) = &d.app.hand_edit else {
        panic!("asks the due date")
    };
    assert_eq!(
        edit.input, "2025-01-02 09:00",
        "tomorrow 09:00 by the app's clock"
    );
    d.keys("ctrl-u");
    d.type_text("someday");
    d.keys("enter");
    assert!(matches!(
        &d.app.hand_edit,
        Some(HandEdit::Line { edit, .. }) if edit.error.as_deref().unwrap_or("").contains("not a date")
    ));
    d.keys("ctrl-u");
    d.type_text("2025-03-28 10:30");
    d.keys("enter");
    d.type_text("אישור משכנתא");
    d.keys("enter");
    let cs = local_changes(&d);
    let add = &cs[2];
    assert_eq!(add.kind, ChangeKind::Create);
    assert_eq!(add.proposed("title"), Some("להתקשר לבנק"));
    // Israel switched to summer time (UTC+3) at 02:00 on 28 March 2025.
    assert_eq!(add.proposed("dueDate"), Some("2025-03-28T07:30:00.000Z"));

    // Delete asks first; "n" leaves everything as it was.
    d.keys("k D");
    assert!(matches!(d.app.hand_edit, Some(HandEdit::Confirm { .. })));
    insta::assert_snapshot!("delete_task_confirm_80x24", snap(&mut d, 80, 24));
    d.keys("n");
    assert_eq!(local_changes(&d).len(), 3);
    d.keys("D y");
    let cs = local_changes(&d);
    assert_eq!(cs.len(), 4);
    assert_eq!(cs[3].kind, ChangeKind::Delete);
    assert_eq!(
        cs[3].subject,
        Subject::Task {
            task_id: Some("t1".into())
        }
    );
}

#[test]
fn read_only_mode_refuses_edits_and_says_why() {
    let (_dir, mut d) = driver();
    d.app.read_only = Some("the token has no contacts.write scope".into());
    d.keys("tab e");
    assert!(d.app.hand_edit.is_none());
    let err = d.app.status.error.clone().unwrap();
    assert!(
        err.contains("read-only") && err.contains("contacts.write"),
        "{err}"
    );
    assert!(local_changes(&d).is_empty());
}

#[test]
fn hostile_text_in_the_editor_stays_out_of_the_terminal() {
    let (_dir, mut d) = driver();
    d.keys("tab e enter ctrl-u");
    d.type_text("Aaron\u{202e}evil");
    insta::assert_snapshot!("field_editor_hostile_80x24", snap(&mut d, 80, 24));
    d.keys("enter");
    let cs = local_changes(&d);
    assert_eq!(cs[0].proposed("firstName"), Some("Aaronevil"));
}

#[test]
fn wide_screen_editor() {
    let (_dir, mut d) = driver();
    d.keys("tab tab n");
    d.type_text("Call 王小明 about the 4-room flat");
    insta::assert_snapshot!("task_title_160x48", snap(&mut d, 160, 48));
}

#[test]
fn a_paste_is_text_never_keys() {
    let (_dir, mut d) = driver();
    d.keys("tab e enter ctrl-u");
    // A newline followed by "c" and "A" would switch screens and ask to approve all if typed.
    d.paste("Dana\ncA\t\u{1b}[31m");
    assert_eq!(d.app.screen, Screen::Contacts);
    let Some(HandEdit::Line { edit, .. }) = &d.app.hand_edit else {
        panic!("the editor is still open")
    };
    assert_eq!(edit.input, "Dana cA ", "escape sequences are dropped whole");
    assert!(local_changes(&d).is_empty());
    // Outside an editor a paste does nothing but say so.
    d.keys("esc");
    d.paste("A");
    assert!(d.app.hand_edit.is_none());
    assert!(d
        .app
        .status
        .info
        .as_deref()
        .unwrap()
        .contains("paste ignored"));
}

#[test]
fn applied_changes_cannot_be_rejected_reset_or_edited() {
    let (_dir, mut d) = driver();
    d.keys("tab tab space");
    let id = local_changes(&d)[0].id;
    let mut c = d.app.store().change(id).unwrap().unwrap();
    c.state = ChangeState::Applied;
    d.app.store().put_change(&c).unwrap();
    for op in [
        bmby_ghl::sync::review::reject,
        bmby_ghl::sync::review::reset,
    ] {
        let err = op(d.app.store(), id).unwrap_err();
        assert!(err.to_string().contains("applied"), "{err}");
    }
    assert_eq!(
        d.app.store().change(id).unwrap().unwrap().state,
        ChangeState::Applied
    );
}

#[test]
fn editing_the_same_task_or_field_again_joins_one_change() {
    let (_dir, mut d) = driver();
    d.keys("tab tab space");
    assert_eq!(local_changes(&d).len(), 1);
    // Completing it again (toggling back) withdraws the change instead of adding a second.
    d.keys("space");
    let cs = local_changes(&d);
    assert_eq!(cs.len(), 1, "no second change");
    assert_eq!(cs[0].state, ChangeState::Rejected);
    assert!(d.app.status.info.as_deref().unwrap().contains("withdrawn"));
    // A contact field: edit, edit again, then back to GHL's value.
    d.keys("esc tab e j enter ctrl-u");
    d.type_text("Avrahami");
    d.keys("enter e j enter ctrl-u");
    d.type_text("Abrahams");
    d.keys("enter");
    let cs = local_changes(&d);
    assert_eq!(cs.len(), 2);
    assert_eq!(cs[1].proposed("lastName"), Some("Abrahams"));
    assert_eq!(cs[1].fields[0].ghl_now.as_deref(), Some("Avraham"));
    d.keys("e j enter ctrl-u");
    d.type_text("Avraham");
    d.keys("enter");
    assert_eq!(local_changes(&d)[1].state, ChangeState::Rejected);
    // A refused value names the field, never an internal change number.
    d.keys("e j j enter ctrl-u");
    d.type_text("not-an-email");
    d.keys("enter");
    let Some(HandEdit::Line { edit, .. }) = &d.app.hand_edit else {
        panic!("editor open")
    };
    assert!(!edit.error.as_deref().unwrap().contains("change 0"));
}
