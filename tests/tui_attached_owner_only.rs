//! In an attached session (a second `bmby-ghl` hosted by the owner), switching location and
//! the setup belong to the owner session: the registry says so (enabled-with-reason), the
//! palette dims them with that reason, and `L` / `:setup` say it in the status bar instead
//! of failing oddly ("no location is signed in here", "setup is not available here").

use crate::tui_support::*;
use bmby_ghl::tui::action::Action;
use bmby_ghl::tui::registry;

const WHY: &str = "only in the owner session";

#[test]
fn locations_and_setup_say_they_belong_to_the_owner_session_80x24() {
    let (_dir, mut d) = driver();
    d.app.hosted = true;
    for a in [
        Action::LocationSwitch,
        Action::SetupOpen,
        Action::SetupLocationAdd,
        Action::SetupBmbyLogin,
    ] {
        let why = registry::entry(a).enabled(&d.app).expect_err("disabled");
        assert!(why.contains(WHY), "{a:?}: {why}");
    }
    // `L`: the reason, no picker.
    d.keys("L");
    assert!(d.app.locations.picker.is_none());
    let err = d.app.status.error.clone().unwrap_or_default();
    assert!(
        err.starts_with("location: switch: only in the owner session"),
        "{err}"
    );
    let t = d.render(80, 24);
    assert_clean(t.backend().buffer());
    let screen = format!("{}", t.backend());
    assert!(screen.contains("! location: switch: only in"), "{screen}");
    insta::assert_snapshot!("attached_locations_80x24", screen);
    // `:setup`: the same reason, no setup screen.
    d.keys(":");
    d.type_text("setup");
    d.keys("enter");
    assert!(d.app.setup.is_none());
    let err = d.app.status.error.clone().unwrap_or_default();
    assert!(err.contains(WHY), "{err}");
    // The palette lists them dimmed, with the reason.
    d.keys("ctrl-p");
    d.type_text("setup");
    let items = d.app.palette_items();
    let it = items
        .iter()
        .find(|i| i.entry.label == "setup: open")
        .expect("listed");
    assert!(it.disabled.as_deref().unwrap_or_default().contains(WHY));
}

#[test]
fn the_owner_session_keeps_them() {
    let (_dir, d) = driver();
    assert!(!d.app.hosted);
    for a in [Action::LocationSwitch, Action::SetupOpen] {
        assert_eq!(registry::entry(a).enabled(&d.app), Ok(()), "{a:?}");
    }
}
