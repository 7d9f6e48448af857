//! Editing what support edits from the contacts screen: the owner chosen by name on the `:`
//! line (`O`), tags added and removed with completion (`t`), DND toggled from the field picker,
//! and a custom field typed and checked by its definition. Each is a pending local change.

use crate::tui_support::*;
use bmby_ghl::domain::{Named, UserDirectory};
use bmby_ghl::sync::ops::{put_list, ListKind};
use bmby_ghl::tui::edits::HandEdit;
use bmby_ghl::tui::Driver;

const RICH: &str = "c00aaron000000000001";

fn snap(d: &mut Driver, w: u16, h: u16) -> String {
    let t = d.render(w, h);
    assert_clean(t.backend().buffer());
    format!("{}", t.backend())
}

fn pending(d: &Driver) -> bmby_ghl::domain::Change {
    let cs: Vec<_> = d
        .app
        .store()
        .changes()
        .unwrap()
        .into_iter()
        .filter(|c| c.origin == "local" && c.contact_id.as_deref() == Some(RICH))
        .collect();
    assert_eq!(cs.len(), 1, "one pending change joins every edit");
    cs.into_iter().next().unwrap()
}

fn with_lists() -> (tempfile::TempDir, Driver) {
    let (dir, mut d) = driver();
    let users = [
        Named {
            id: "usrDanaLevi000000001".into(),
            name: "Dana Levi".into(),
        },
        Named {
            id: "usrYossiMizrahi00003".into(),
            name: "יוסי מזרחי".into(),
        },
    ];
    put_list(d.app.store(), ListKind::Users, &users).unwrap();
    d.app.users = UserDirectory::new(&users);
    let tags = ["vip", "buyer", "ticket-4411", "לקוח חם"].map(|t| Named {
        id: t.into(),
        name: t.into(),
    });
    put_list(d.app.store(), ListKind::Tags, &tags).unwrap();
    (dir, d)
}

#[test]
fn the_owner_is_chosen_by_name_and_shown_by_name() {
    let (_dir, mut d) = with_lists();
    d.keys("tab O");
    let p = d.app.palette.as_ref().expect("O opens the : line");
    assert_eq!(p.input.input, "owner ");
    assert_eq!(p.candidates, ["Dana Levi", "יוסי מזרחי"]);
    insta::assert_snapshot!("owner_line_80x24", snap(&mut d, 80, 24));
    d.type_text("dana");
    d.keys("enter");
    assert!(d.app.palette.is_none());
    let c = pending(&d);
    assert_eq!(c.proposed("assignedTo"), Some("usrDanaLevi000000001"));
    // The picker shows the owner's name once the contact has one.
    d.keys("e");
    let s = snap(&mut d, 160, 48);
    assert!(s.contains("Owner"), "{s}");
    d.keys("esc");
    // An unknown name is refused with the reason, nothing stored.
    d.keys("O");
    d.type_text("zzyzx");
    d.keys("enter");
    let err = d.app.status.error.clone().unwrap_or_default();
    let note = d
        .app
        .palette
        .as_ref()
        .and_then(|p| p.note.clone())
        .unwrap_or_default();
    assert!(
        err.contains("zzyzx") || note.contains("zzyzx"),
        "{err} / {note}"
    );
    assert_eq!(
        pending(&d).proposed("assignedTo"),
        Some("usrDanaLevi000000001")
    );
    // `:owner none` clears it: back to GHL's (no owner), the change is withdrawn.
    d.keys(":");
    d.type_text("owner none");
    d.keys("enter");
    let info = d.app.status.info.clone().unwrap_or_default();
    assert!(info.contains("withdrawn"), "{info}");
}

#[test]
fn tags_are_added_and_removed_with_completion() {
    let (_dir, mut d) = with_lists();
    d.keys("tab t");
    d.type_text("+tic");
    let p = d.app.palette.as_ref().unwrap();
    assert_eq!(p.candidates, ["+ticket-4411"]);
    d.keys("tab");
    assert_eq!(
        d.app.palette.as_ref().unwrap().input.input,
        "tags +ticket-4411 "
    );
    d.type_text("-buyer");
    insta::assert_snapshot!("tags_line_160x48", snap(&mut d, 160, 48));
    d.keys("enter");
    let c = pending(&d);
    assert_eq!(c.proposed("tags"), Some("vip, ticket-4411"));
}

#[test]
fn dnd_is_toggled_from_the_field_picker() {
    let (_dir, mut d) = with_lists();
    // The fixture contact has SMS active: `DND SMS` is the 14th choice.
    d.keys("tab e");
    for _ in 0..13 {
        d.keys("j");
    }
    d.keys("enter");
    assert!(d.app.hand_edit.is_none());
    let c = pending(&d);
    assert_eq!(c.proposed("dndSettings.SMS"), Some("inactive"));
    // `:dnd all on` turns every channel off at once.
    d.keys(":");
    d.type_text("dnd all on");
    d.keys("enter");
    assert_eq!(pending(&d).proposed("dnd"), Some("on"));
}

#[test]
fn a_custom_field_is_checked_by_its_type() {
    let (_dir, mut d) = with_lists();
    d.keys("tab e G");
    // The last choice is a custom field; find Budget (ILS).
    let choices = bmby_ghl::tui::edits::choices::choices(&d.app);
    let at = choices
        .iter()
        .position(|c| c.label() == "Budget (ILS)")
        .unwrap();
    d.keys("g");
    for _ in 0..at {
        d.keys("j");
    }
    d.keys("enter");
    let Some(HandEdit::Line { edit, .. }) = &d.app.hand_edit else {
        panic!("the line editor is open")
    };
    assert_eq!(edit.label, "Budget (ILS) (number)");
    d.keys("ctrl-u");
    d.type_text("a lot");
    d.keys("enter");
    let Some(HandEdit::Line { edit, .. }) = &d.app.hand_edit else {
        panic!("a bad value keeps the editor open")
    };
    assert!(edit.error.as_deref().unwrap().contains("takes a number"));
    insta::assert_snapshot!("custom_field_error_80x24", snap(&mut d, 80, 24));
    d.keys("ctrl-u");
    d.type_text("2,000,000");
    d.keys("enter");
    let c = pending(&d);
    let f = c.fields.iter().find(|f| f.label == "Budget (ILS)").unwrap();
    assert_eq!(f.proposed.as_deref(), Some("2000000"));
    assert_eq!(f.value_json.as_deref(), Some("2000000"));
    // `:field` names the field by name and checks options.
    d.keys(":");
    d.type_text("field \"Preferred area\" Atlantis");
    d.keys("enter");
    let err = d.app.status.error.clone().unwrap_or_default();
    assert!(err.contains("is not an option"), "{err}");
}
