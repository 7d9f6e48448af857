//! The TUI with several signed-in locations and sign-in states: the location picker, the
//! read-only refusals, and the "needs sign-in" status.

use crate::tui_changes_support::{driver, lines, status_line, stored};
use bmby_ghl::domain::ChangeState;
use bmby_ghl::sync::SyncEvent;
use bmby_ghl::tui::locations::LocationChoice;

fn choices() -> Vec<LocationChoice> {
    vec![
        LocationChoice {
            id: "locA".into(),
            label: "Demo Realty (locA)".into(),
            note: None,
        },
        LocationChoice {
            id: "locB".into(),
            label: "Second Office (locB)".into(),
            note: Some("read-only".into()),
        },
    ]
}

#[test]
fn l_opens_the_picker_and_choosing_another_location_asks_to_switch() {
    let (_dir, mut d) = driver();
    d.app.locations.choices = choices();
    d.app.locations.current = "locA".into();
    d.keys("L");
    assert!(d.app.locations.picker.is_some());
    let screen = lines(&mut d, 80, 24).join("\n");
    assert!(screen.contains("Switch location"), "{screen}");
    assert!(screen.contains("1* Demo Realty (locA)"), "{screen}");
    assert!(
        screen.contains("2  Second Office (locB) — read-only"),
        "{screen}"
    );
    // esc closes without switching
    d.keys("esc");
    assert!(d.app.locations.picker.is_none());
    assert_eq!(d.app.locations.switch_to, None);
    // j enter picks the second one
    d.keys("L j enter");
    assert_eq!(d.app.locations.switch_to.as_deref(), Some("locB"));
    // choosing the current one is not a switch
    d.app.locations.switch_to = None;
    d.keys("L 1");
    assert_eq!(d.app.locations.switch_to, None);
    assert!(d.app.locations.picker.is_none());
}

#[test]
fn with_one_location_l_says_so() {
    let (_dir, mut d) = driver();
    d.keys("L");
    assert!(d.app.locations.picker.is_none());
    assert!(d
        .app
        .status
        .info
        .as_deref()
        .unwrap()
        .contains("no location is signed in here"));
    d.app.locations.choices = vec![bmby_ghl::tui::locations::LocationChoice {
        id: "loc1".into(),
        label: "Demo Realty (loc1)".into(),
        note: None,
    }];
    d.keys("L");
    assert!(d.app.locations.picker.is_none());
    assert!(status_line(&mut d).contains("only one location is signed in"));
}

/// In the demo (its location, nothing signed in) `L` says what is true: the demo has one
/// location, its stand-in's; not "the token comes from GHL_TOKEN or the config".
#[test]
fn in_the_demo_l_says_it_has_one_location() {
    let (_dir, mut d) = driver();
    d.app.locations.current = bmby_ghl::sandbox::DEMO_LOCATION_ID.into();
    d.keys("L");
    assert!(d.app.locations.picker.is_none());
    let info = d.app.status.info.clone().unwrap();
    assert!(info.contains("the demo has one location"), "{info}");
    assert!(!info.contains("GHL_TOKEN"), "{info}");
}

#[test]
fn read_only_refuses_approve_edit_and_send_and_says_why() {
    let (_dir, mut d) = driver();
    d.app.read_only = Some("signed in without the contacts.write scope".into());
    let id = d.app.changes.selected_change().unwrap().id;
    let before = stored(&d, id).state;
    assert_eq!(before, ChangeState::Pending);
    for k in ["a", "A", "e", "S"] {
        d.app.status.error = None;
        d.keys(k);
        let s = status_line(&mut d);
        assert!(s.contains("read-only"), "{k}: {s}");
        assert!(d.app.changes.edit.is_none());
        assert!(d.app.changes.send_confirm.is_none());
        assert!(d.app.changes.confirm.is_none());
    }
    assert_eq!(
        stored(&d, id).state,
        ChangeState::Pending,
        "nothing approved"
    );
    assert!(status_line(&mut d).contains("read-only"));
}

#[test]
fn a_refused_refresh_shows_needs_sign_in() {
    let (_dir, mut d) = driver();
    // An error that merely mentions signing in is not taken for one (decided by type).
    d.event(SyncEvent::Error {
        context: "pull".into(),
        message: "GHL 400: field `needs sign-in` is not signed in".into(),
    });
    assert!(d.app.locations.needs_sign_in.is_none());
    d.event(SyncEvent::SignInNeeded {
        message: "not signed in: location locA needs sign-in (refresh refused: invalid_grant); \
                  run `bmby-ghl auth login`"
            .into(),
    });
    assert!(d.app.locations.needs_sign_in.is_some());
    let s = status_line(&mut d);
    assert!(s.contains("needs sign-in"), "{s}");
    // The cache still shows.
    let screen = lines(&mut d, 80, 24).join("\n");
    assert!(screen.contains("pending"), "{screen}");
}
