//! Behaviour of the changes screen through the app and the driver: approve, reject, back
//! to pending, edit (refused, then saved), approve all shown (asks first), settle an
//! ambiguous change, the counts in the status bar, and review actions running off the UI
//! thread (held here to look at the in-between state).
use crate::tui_support;

use crate::tui_changes_support::*;
use bmby_ghl::domain::{ChangeKind, ChangeState};
use bmby_ghl::tui::changes::{ChangesFocus, ReviewOp, StateFilter};
use bmby_ghl::tui::{Effect, Screen};

fn selected_id(d: &bmby_ghl::tui::Driver) -> u64 {
    d.app.changes.selected_change().unwrap().id
}

#[test]
fn c_toggles_screens_and_both_show_counts() {
    let (_dir, mut d) = driver();
    assert!(status_line(&mut d).contains("changes 5 pending · 1 approved · 1 rejected"));
    d.keys("c");
    assert_eq!(d.app.screen, Screen::Contacts);
    assert!(status_line(&mut d).contains("changes 5 pending · 1 approved · 1 rejected"));
    d.keys("c");
    assert_eq!(d.app.screen, Screen::Changes);
}

#[test]
fn approve_reject_and_back_to_pending() {
    let (_dir, mut d) = driver();
    assert_eq!(selected_id(&d), 1);
    d.keys("a");
    assert_eq!(stored(&d, 1).state, ChangeState::Approved);
    assert_eq!(d.reviews, vec![ReviewOp::Approve(1)]);
    // It left the pending list; the next one is selected.
    assert_eq!(selected_id(&d), 2);
    assert!(status_line(&mut d).contains("changes 4 pending · 2 approved · 1 rejected"));
    assert_eq!(d.app.status.info.as_deref(), Some("approved #1 יוסי כהן"));

    d.keys("x");
    assert_eq!(stored(&d, 2).state, ChangeState::Rejected);
    assert!(status_line(&mut d).contains("changes 3 pending · 2 approved · 2 rejected"));

    // Show rejected ones, put #2 back to pending.
    d.keys("s s");
    assert_eq!(d.app.changes.filter, StateFilter::Rejected);
    let shown: Vec<u64> = (0..d.app.changes.view.len())
        .map(|i| d.app.changes.shown(i).unwrap().id)
        .collect();
    assert_eq!(shown, vec![2, 6]);
    d.keys("g u");
    assert_eq!(stored(&d, 2).state, ChangeState::Pending);
    assert!(status_line(&mut d).contains("changes 4 pending · 2 approved · 1 rejected"));
    // `d` rejects too.
    d.keys("s s");
    assert_eq!(d.app.changes.filter, StateFilter::Pending);
    d.keys("g d");
    assert_eq!(stored(&d, 2).state, ChangeState::Rejected);
}

#[test]
fn review_actions_run_off_the_ui_thread() {
    let (_dir, mut d) = driver();
    d.hold_changes = true;
    d.keys("a");
    // Nothing written yet: the action is an effect for the loop.
    assert!(matches!(
        d.held_changes.as_slice(),
        [Effect::Review(ReviewOp::Approve(1))]
    ));
    assert_eq!(stored(&d, 1).state, ChangeState::Pending);
    assert!(status_line(&mut d).contains("saving…"));
    d.release_changes();
    assert_eq!(stored(&d, 1).state, ChangeState::Approved);
    assert!(!status_line(&mut d).contains("saving…"));
}

#[test]
fn edit_refused_then_saved() {
    let (_dir, mut d) = driver();
    d.keys("G tab j");
    assert_eq!(d.app.changes.focus, ChangesFocus::Diff);
    assert_eq!(selected_id(&d), 7);
    d.keys("e");
    let e = d.app.changes.edit.as_ref().expect("editor open");
    assert_eq!(e.field, "email");
    assert_eq!(e.input, "dana.levi@example.com", "prefilled");
    // j and q type inside the editor.
    d.keys("ctrl-u");
    d.type_text("jq@@nowhere");
    d.keys("enter");
    let e = d
        .app
        .changes
        .edit
        .as_ref()
        .expect("still open after a refusal");
    assert!(
        e.error
            .as_deref()
            .is_some_and(|m| m.contains("is not an email address")),
        "{e:?}"
    );
    assert!(!d.app.should_quit);
    assert!(
        d.app.status.error.is_none(),
        "shown in the editor, not twice"
    );
    let c = stored(&d, 7);
    assert_eq!(
        c.fields[1].proposed.as_deref(),
        Some("dana.levi@example.com")
    );
    assert!(!c.fields[1].edited, "nothing stored");
    let screen = lines(&mut d, 80, 24).join("\n");
    assert!(screen.contains("is not an email address"), "{screen}");

    d.keys("ctrl-u");
    d.type_text("dana@levi.example");
    d.keys("enter");
    assert!(d.app.changes.edit.is_none(), "closed after saving");
    let c = stored(&d, 7);
    assert_eq!(c.fields[1].proposed.as_deref(), Some("dana@levi.example"));
    assert!(c.fields[1].edited);
    assert_eq!(c.state, ChangeState::Pending);
    let screen = lines(&mut d, 80, 24).join("\n");
    assert!(screen.contains("* dana@levi.example"), "{screen}");
    assert!(screen.contains("(edited)"), "{screen}");
}

#[test]
fn edit_esc_cancels_and_keeps_the_value() {
    let (_dir, mut d) = driver();
    d.keys("e");
    d.type_text("XYZ");
    d.keys("esc");
    assert!(d.app.changes.edit.is_none());
    assert!(d.reviews.is_empty());
    assert_eq!(stored(&d, 1).fields[0].proposed.as_deref(), Some("כהן-לוי"));
}

#[test]
fn approve_all_shown_asks_then_approves_exactly_those() {
    let (_dir, mut d) = driver();
    d.keys("/");
    d.type_text("soap");
    d.keys("enter");
    let shown: Vec<u64> = (0..d.app.changes.view.len())
        .map(|i| d.app.changes.shown(i).unwrap().id)
        .collect();
    assert_eq!(shown, vec![2, 4, 7]);
    d.keys("A");
    let q = lines(&mut d, 80, 24).join("\n");
    assert!(
        q.contains("Approve 2 shown changes? (1 ambiguous left alone"),
        "{q}"
    );
    d.keys("n");
    assert!(d.app.changes.confirm.is_none());
    assert!(d.reviews.is_empty(), "no means nothing happens");
    d.keys("A y");
    assert_eq!(d.reviews, vec![ReviewOp::ApproveMany(vec![2, 7])]);
    for (id, state) in [
        (1, ChangeState::Pending),
        (2, ChangeState::Approved),
        (3, ChangeState::Pending),
        (4, ChangeState::Pending),
        (5, ChangeState::Approved),
        (6, ChangeState::Rejected),
        (7, ChangeState::Approved),
    ] {
        assert_eq!(stored(&d, id).state, state, "#{id}");
    }
    assert!(status_line(&mut d).contains("changes 3 pending · 3 approved · 1 rejected"));
    assert_eq!(d.app.status.info.as_deref(), Some("approved 2 changes"));
}

#[test]
fn ambiguous_cannot_be_approved_and_is_resolved_by_number() {
    let (_dir, mut d) = driver();
    d.keys("j j j");
    assert_eq!(selected_id(&d), 4);
    d.keys("a");
    let err = d.app.status.error.clone().unwrap_or_default();
    assert!(err.contains("matches several GHL contacts"), "{err}");
    assert_eq!(stored(&d, 4).state, ChangeState::Pending);
    assert_eq!(stored(&d, 4).kind, ChangeKind::Ambiguous);

    d.keys("3");
    assert_eq!(
        d.app.status.error.as_deref(),
        Some("no candidate 3; choose 1-2 or n")
    );
    let bar = tui_support::text_lines(&d.buffer(80, 24))[22].clone();
    assert!(
        bar.contains("! no candidate 3"),
        "seen at 80 columns: {bar}"
    );
    assert_eq!(stored(&d, 4).kind, ChangeKind::Ambiguous);

    // A digit asks first; `y` chooses.
    d.keys("2");
    assert!(d.app.changes.choice_confirm.is_some());
    assert_eq!(stored(&d, 4).kind, ChangeKind::Ambiguous);
    d.keys("y");
    let c = stored(&d, 4);
    assert_eq!(c.kind, ChangeKind::Update);
    assert_eq!(c.contact_id.as_deref(), Some("c00dana0000000000003"));
    assert_eq!(
        d.app.store().link("10412").unwrap().as_deref(),
        Some("c00dana0000000000003")
    );
    assert!(d.app.status.error.is_none(), "the review error is cleared");
    // The list shows the new kind; now it can be approved.
    assert_eq!(
        d.app.changes.selected_change().unwrap().kind,
        ChangeKind::Update
    );
    d.keys("a");
    assert_eq!(stored(&d, 4).state, ChangeState::Approved);
}

#[test]
fn ambiguous_resolved_as_new_contact() {
    let (_dir, mut d) = driver();
    d.keys("j j j n");
    let q = lines(&mut d, 80, 24).join(" ");
    assert!(q.contains("a new GHL"), "{q}");
    assert_eq!(stored(&d, 4).kind, ChangeKind::Ambiguous);
    d.keys("y");
    let c = stored(&d, 4);
    assert_eq!(c.kind, ChangeKind::Create);
    assert_eq!(c.contact_id, None);
    // `n` on a change that is not ambiguous does nothing.
    d.keys("g n");
    assert_eq!(stored(&d, 1).kind, ChangeKind::Update);
}

#[test]
fn text_filter_and_state_filter() {
    let (_dir, mut d) = driver();
    d.keys("/");
    d.type_text("דנה");
    assert_eq!(d.app.changes.view.len(), 1);
    assert_eq!(selected_id(&d), 4);
    d.keys("esc");
    assert_eq!(d.app.changes.view.len(), 5);
    d.keys("s s s");
    assert_eq!(d.app.changes.filter, StateFilter::All);
    assert_eq!(d.app.changes.view.len(), 7);
    d.keys("s");
    assert_eq!(d.app.changes.filter, StateFilter::Pending);
}

#[test]
fn many_changes_window_and_page() {
    let (_dir, s) = tui_support::store();
    let base = changes().remove(6);
    for i in 0..5000u64 {
        let mut c = base.clone();
        c.id = i + 1;
        c.client_id = format!("c{i}");
        c.display_name = format!("Client {i:05}");
        s.put_change(&c).unwrap();
    }
    let mut d =
        bmby_ghl::tui::Driver::new(s, tui_support::options(bmby_ghl::tui::Theme::colored()));
    d.keys("c");
    d.app.resize(80, 24);
    d.keys("G");
    assert_eq!(selected_id(&d), 5000);
    let l = lines(&mut d, 80, 24).join("\n");
    assert!(l.contains("Client 04999"), "{l}");
    d.keys("pageup");
    assert_eq!(d.app.changes.selected, 4999 - d.app.changes_page());
    assert!(status_line(&mut d).contains("changes 5000 pending"));
}

#[test]
fn keymap_contexts_of_the_changes_screen() {
    use bmby_ghl::tui::keymap::{Context, KeyCombo, Keymap};
    use bmby_ghl::tui::Action;
    let km = Keymap::default_keymap();
    let k = |s: &str| KeyCombo::parse(s).unwrap();
    let list = [Context::Changes, Context::List, Context::Global];
    let diff = [
        Context::Diff,
        Context::Changes,
        Context::List,
        Context::Global,
    ];
    assert_eq!(km.lookup(&list, k("a")), Some(Action::ChangeApprove));
    assert_eq!(km.lookup(&list, k("x")), Some(Action::ChangeReject));
    assert_eq!(km.lookup(&list, k("d")), Some(Action::ChangeReject));
    assert_eq!(km.lookup(&list, k("u")), Some(Action::ChangeReset));
    assert_eq!(km.lookup(&list, k("e")), Some(Action::ChangeEdit));
    assert_eq!(
        km.lookup(&list, k("A")),
        Some(Action::ChangeApproveAllShown)
    );
    assert_eq!(km.lookup(&list, k("7")), Some(Action::ChangeResolve));
    assert_eq!(km.lookup(&list, k("n")), Some(Action::ChangeResolveNew));
    assert_eq!(km.lookup(&list, k("c")), Some(Action::ScreenToggle));
    assert_eq!(km.lookup(&list, k("j")), Some(Action::NavDown));
    assert_eq!(km.lookup(&diff, k("enter")), Some(Action::ChangeEdit));
    assert_eq!(km.lookup(&diff, k("a")), Some(Action::ChangeApprove));
    assert_eq!(
        km.lookup(&[Context::Edit], k("esc")),
        Some(Action::EditCancel)
    );
    assert_eq!(
        km.lookup(&[Context::Edit], k("enter")),
        Some(Action::EditSave)
    );
    assert_eq!(
        km.lookup(&[Context::Confirm], k("y")),
        Some(Action::ConfirmYes)
    );
    assert_eq!(
        km.lookup(&[Context::Confirm], k("esc")),
        Some(Action::ConfirmNo)
    );
    // The help lists the new tables, the digits as a range.
    let help: Vec<String> = bmby_ghl::tui::help::lines(&km, &bmby_ghl::tui::Theme::no_color(), 100)
        .iter()
        .map(|l| l.to_string())
        .collect();
    let all = help.join("\n");
    for t in [
        "[keys.changes]",
        "[keys.diff]",
        "[keys.edit]",
        "[keys.confirm]",
    ] {
        assert!(all.contains(t), "{t} in help");
    }
    assert!(all.contains("  1-9 "), "{all}");
    // A user can rebind in the new contexts.
    let (km, diags) = Keymap::with_user_text(
        "[keys.changes]\n\"y\" = \"change.approve\"\n\"a\" = \"none\"\n",
        "user.toml",
    );
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(km.lookup(&list, k("y")), Some(Action::ChangeApprove));
    assert_eq!(km.lookup(&list, k("a")), None);
}

/// The changes fixture with Dana Levi's contact already linked to another Bmby client (10555,
/// the client of change #7), on the changes screen with the ambiguous #4 selected.
fn driver_dana_linked() -> (tempfile::TempDir, bmby_ghl::tui::Driver) {
    let (dir, s) = store();
    s.put_link("10555", "c00dana0000000000003").unwrap();
    let mut d =
        bmby_ghl::tui::Driver::new(s, tui_support::options(bmby_ghl::tui::Theme::colored()));
    d.keys("c j j j");
    assert_eq!(selected_id(&d), 4);
    (dir, d)
}

#[test]
fn choosing_a_candidate_asks_naming_it_and_the_link_it_moves() {
    let (_dir, mut d) = driver_dana_linked();
    d.keys("2");
    let s = screen(&mut d, 80, 24);
    insta::assert_snapshot!("choice_confirm_link_80x24", s);
    let q = lines(&mut d, 80, 24).join(" ");
    for want in [
        "Choose Dana Levi (c00dana0000000000003, matched on phone)",
        "is linked to Bmby client",
        "10555 — choosing it moves the link to Bmby client 10412",
    ] {
        assert!(q.contains(want), "{want} missing: {q}");
    }
    let p = d.app.changes.choice_confirm.clone().unwrap();
    assert_eq!(
        p.link_warnings(),
        vec!["GHL contact c00dana0000000000003 is linked to Bmby client 10555 — choosing it moves the link to Bmby client 10412"]
    );
    // Any key other than `y` cancels: nothing chosen, no link moved.
    d.keys("j");
    assert!(d.app.changes.choice_confirm.is_none());
    assert!(d.reviews.is_empty(), "no review ran");
    assert_eq!(selected_id(&d), 4, "the cancelling key did nothing else");
    assert_eq!(stored(&d, 4).kind, ChangeKind::Ambiguous);
    assert_eq!(
        d.app.store().link("10555").unwrap().as_deref(),
        Some("c00dana0000000000003")
    );
    assert_eq!(d.app.store().link("10412").unwrap(), None);
    assert!(d
        .app
        .status
        .info
        .as_deref()
        .unwrap()
        .contains("left ambiguous"));

    // `esc` cancels too; the first candidate has no link to move.
    d.keys("1");
    let q = lines(&mut d, 80, 24).join(" ");
    assert!(
        q.contains("מיכל לוי") && q.contains("matched on email"),
        "{q}"
    );
    assert!(q.contains("No other Bmby client is linked"), "{q}");
    d.keys("esc");
    assert!(d.app.changes.choice_confirm.is_none());
    assert_eq!(stored(&d, 4).kind, ChangeKind::Ambiguous);
}

#[test]
fn back_to_pending_undoes_the_choice_and_puts_the_link_back() {
    let (_dir, mut d) = driver_dana_linked();
    let before = stored(&d, 4);
    d.keys("2 y");
    let c = stored(&d, 4);
    assert_eq!(c.kind, ChangeKind::Update);
    assert_eq!(c.contact_id.as_deref(), Some("c00dana0000000000003"));
    assert_eq!(
        d.app.store().link("10412").unwrap().as_deref(),
        Some("c00dana0000000000003")
    );
    assert_eq!(d.app.store().link("10555").unwrap(), None, "the link moved");
    let info = d.app.status.info.clone().unwrap();
    assert!(info.contains("link moved from Bmby client 10555"), "{info}");
    assert!(
        c.warnings.iter().any(|w| w.contains("Bmby client 10555")),
        "{:?}",
        c.warnings
    );
    // Approved, then back to pending: ambiguous again with its candidates, links as before.
    d.keys("a");
    assert_eq!(stored(&d, 4).state, ChangeState::Approved);
    d.keys("s");
    assert_eq!(d.app.changes.filter, StateFilter::Approved);
    d.keys("/");
    d.type_text("10412");
    d.keys("enter");
    assert_eq!(selected_id(&d), 4, "{:?}", d.app.status);
    d.keys("u");
    let c = stored(&d, 4);
    assert_eq!(
        c.kind,
        ChangeKind::Ambiguous,
        "{:?} {:?}",
        d.reviews,
        d.app.status
    );
    assert_eq!(c.state, ChangeState::Pending);
    assert_eq!(c.candidates, before.candidates);
    assert_eq!(c.fields, before.fields);
    assert_eq!(c.warnings, before.warnings);
    assert_eq!(c.fingerprint, before.fingerprint);
    assert_eq!(c.contact_id, None);
    assert!(c.choice.is_none());
    assert_eq!(d.app.store().link("10412").unwrap(), None);
    assert_eq!(
        d.app.store().link("10555").unwrap().as_deref(),
        Some("c00dana0000000000003")
    );
    assert!(d
        .app
        .status
        .info
        .as_deref()
        .unwrap()
        .contains("is ambiguous again"));
    // And it can be chosen again.
    d.keys("esc s s s");
    assert_eq!(d.app.changes.filter, StateFilter::Pending);
    d.keys("/");
    d.type_text("10412");
    d.keys("enter 1 y");
    assert_eq!(
        stored(&d, 4).contact_id.as_deref(),
        Some("c00michal00000000006")
    );
}

#[test]
fn a_withdrawn_hand_edit_stays_withdrawn_and_is_not_a_rejection() {
    let (dir, s) = store();
    // A hand edit set back to GHL's value: a rejected local update with no field left.
    let mut w = change(
        8,
        ChangeKind::Update,
        ChangeState::Rejected,
        "",
        Some("c00aaron000000000001"),
        "Aaron Avraham",
        bmby_ghl::domain::LOCAL_ORIGIN,
        vec![],
    );
    w.warnings = vec!["withdrawn: every field was set back to the value GHL has".into()];
    s.put_change(&w).unwrap();
    let mut d =
        bmby_ghl::tui::Driver::new(s, tui_support::options(bmby_ghl::tui::Theme::colored()));
    d.keys("c");
    let bar = status_line(&mut d);
    assert!(
        bar.contains("changes 5 pending · 1 approved · 1 rejected · 1 withdrawn"),
        "{bar}"
    );
    assert_eq!(d.app.changes.counts.rejected, 1);
    assert_eq!(d.app.changes.counts.withdrawn, 1);
    // The rejected filter shows the rejection only; the next one the withdrawal.
    d.keys("s s");
    assert_eq!(d.app.changes.filter, StateFilter::Rejected);
    let shown: Vec<u64> = (0..d.app.changes.view.len())
        .map(|i| d.app.changes.shown(i).unwrap().id)
        .collect();
    assert_eq!(shown, vec![6]);
    d.keys("s");
    assert_eq!(d.app.changes.filter, StateFilter::Withdrawn);
    assert_eq!(selected_id(&d), 8);
    let l = lines(&mut d, 80, 24).join("\n");
    assert!(l.contains("– withdrawn"), "{l}");
    // `u` and `a` refuse: nothing empty is queued.
    d.keys("u");
    let err = d.app.status.error.clone().unwrap_or_default();
    assert!(err.contains("withdrawn"), "{err}");
    d.keys("a");
    let c = stored(&d, 8);
    assert_eq!(c.state, ChangeState::Rejected);
    assert!(c.fields.is_empty());
    let bar = status_line(&mut d);
    // The refusal gets the width first (the counters give way whole while it shows); the
    // withdrawal is counted apart from the rejection.
    assert!(bar.contains("nothing to approve"), "{bar}");
    assert_eq!(d.app.changes.counts.withdrawn, 1);
    assert_eq!(d.app.changes.counts.rejected, 1);
    drop(dir);
}
