//! The setup screen (issue 13 item 1) on the test driver: every step at 80x24 and a larger
//! size, the token pasted and never echoed, the OAuth paste-back URL shown and copied by
//! OSC 52, the Bmby check, the mapping preview with Hebrew, hostile and missing fields, the
//! summary, `NO_COLOR`, and the palette commands that reopen it. Background checks are not
//! run here: the test answers each task the app asked for ([`App::handle_setup_done`]); the
//! tmux test `e2e_setup` runs them against the stand-ins.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::tui_support::*;
use bmby_ghl::bmby::{BmbyClient, Origin};
use bmby_ghl::domain::CustomFieldDef;
use bmby_ghl::tui::layer::Layer;
use bmby_ghl::tui::setup::{
    Check, LocationInfo, OAuthPending, SetupDone, SetupEnv, SetupTask, Step,
};
use bmby_ghl::tui::{Driver, Theme};
use ratatui::style::Color;

const TOKEN: &str = "pit-5f0c2b1e-7d4a-4c8e-9b3a-6e1d2f8a0c47";
const LOC: &str = "bmbyDemoLoc7Qx2Lm9Za";

fn env() -> SetupEnv {
    SetupEnv {
        base_url: "http://127.0.0.1:9/".into(),
        oauth: bmby_ghl::auth::OAuthSettings {
            client_id: Some("demo-client".into()),
            client_secret: Some(bmby_ghl::ghl::Secret::new("s3cret")),
            auth_url: "http://127.0.0.1:9/oauth/chooselocation".into(),
            token_url: "http://127.0.0.1:9/oauth/token".into(),
            redirect_uri: "http://127.0.0.1:8976/callback".into(),
        },
        data_dir: PathBuf::from("/home/dana/.local/share/bmby-ghl"),
        config_file: PathBuf::from("/home/dana/.config/bmby-ghl/config.toml"),
        bmby_soap_url: "http://127.0.0.1:9/WebServices/srv/v3/".into(),
        bmby_login: None,
        bmby_project_id: None,
        mapping: BTreeMap::new(),
    }
}

/// A driver with the setup open at its first step, as on a first run.
fn setup_driver(theme: Theme) -> (tempfile::TempDir, Driver) {
    let (dir, s) = store();
    let mut d = Driver::new(s, options(theme));
    d.app.setup_env = Some(env());
    d.app.locations.current.clear();
    let fx = d.app.open_setup(Step::Ghl, true);
    d.run(fx);
    (dir, d)
}

fn snap(d: &mut Driver, w: u16, h: u16) -> String {
    let t = d.render(w, h);
    assert_clean(t.backend().buffer());
    format!("{}", t.backend())
}

fn screen(d: &mut Driver, w: u16, h: u16) -> String {
    text_lines(d.render(w, h).backend().buffer()).join("\n")
}

fn answer(d: &mut Driver, done: SetupDone) {
    let fx = d.app.handle_setup_done(done);
    d.run(fx);
}

fn demo_location() -> LocationInfo {
    LocationInfo {
        id: LOC.into(),
        name: Some("Demo Realty".into()),
        kind: "Private Integration Token".into(),
    }
}

fn client(id: &str, fname: &str, lname: &str, phone: &str, custom: &[(&str, &str)]) -> BmbyClient {
    BmbyClient {
        client_id: id.into(),
        fname: Some(fname.into()),
        lname: Some(lname.into()),
        email: None,
        phone_mobile: Some(phone.into()),
        phone_home: None,
        phone_work: None,
        passport: None,
        birth_day: None,
        address: None,
        city: Some("תל אביב".into()),
        company_name: None,
        status: None,
        remark: None,
        media_title: None,
        user_name: None,
        client_date: None,
        update_date: None,
        custom: custom
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        origin: Origin {
            source: "Bmby SOAP GetAll".into(),
            row: None,
        },
    }
}

fn def(key: &str, name: &str) -> CustomFieldDef {
    CustomFieldDef {
        id: format!("cf-{key}"),
        name: name.into(),
        field_key: key.into(),
        data_type: "TEXT".into(),
        picklist_options: Vec::new(),
    }
}

/// PIT chosen, token pasted, location typed, check asked for and answered.
fn signed_in_with_pit(d: &mut Driver) {
    d.keys("enter");
    d.paste(&format!("{TOKEN}\n"));
    d.keys("tab");
    d.type_text(LOC);
    d.keys("enter");
    answer(
        d,
        SetupDone::SignedIn(Ok((demo_location(), vec![demo_location()]))),
    );
}

#[test]
fn first_step_at_80x24_and_120x40() {
    let (_d, mut d) = setup_driver(Theme::colored());
    assert_eq!(d.app.layer(), Layer::Setup);
    assert_eq!(d.setup_tasks.len(), 1, "{:?}", d.setup_tasks);
    assert!(matches!(d.setup_tasks[0], SetupTask::ListLocations));
    insta::assert_snapshot!("setup_ghl_80x24", snap(&mut d, 80, 24));
    insta::assert_snapshot!("setup_ghl_120x40", snap(&mut d, 120, 40));
}

#[test]
fn pasted_token_is_never_shown_and_is_checked_with_its_location() {
    let (_d, mut d) = setup_driver(Theme::colored());
    d.keys("enter");
    d.paste(&format!("{TOKEN}\n"));
    d.keys("tab");
    d.type_text(LOC);
    let s = screen(&mut d, 80, 24);
    assert!(!s.contains("pit-"), "the token is echoed:\n{s}");
    assert!(s.contains("(pasted: 40 characters, hidden)"), "{s}");
    assert!(s.contains(LOC), "{s}");
    insta::assert_snapshot!("setup_pit_typed_80x24", snap(&mut d, 80, 24));
    d.keys("enter");
    let task = d.setup_tasks.last().unwrap();
    match task {
        SetupTask::CheckPit { token, location_id } => {
            assert_eq!(token.expose(), TOKEN);
            assert_eq!(location_id, LOC);
        }
        other => panic!("{other:?}"),
    }
    assert!(
        !format!("{task:?}").contains("pit-"),
        "Debug leaks the token"
    );
    // A refusal is shown, the step stays.
    answer(
        &mut d,
        SetupDone::SignedIn(Err(format!(
            "GHL refused the token for location {LOC}: 403 The token does not have access to this location."
        ))),
    );
    let s = screen(&mut d, 80, 24);
    assert!(s.contains("✗ GHL refused the token"), "{s}");
    assert_eq!(d.app.setup.as_ref().unwrap().step, Step::Ghl);
    // Accepted: on to the location, named.
    d.keys("enter");
    answer(
        &mut d,
        SetupDone::SignedIn(Ok((demo_location(), vec![demo_location()]))),
    );
    let st = d.app.setup.as_ref().unwrap();
    assert_eq!(st.step, Step::Location);
    assert_eq!(st.token.expose(), "", "the token is dropped once saved");
    insta::assert_snapshot!("setup_location_80x24", snap(&mut d, 80, 24));
}

#[test]
fn oauth_paste_back_shows_and_copies_the_url_and_checks_state() {
    let (_d, mut d) = setup_driver(Theme::colored());
    d.keys("down enter");
    let st = d.app.setup.as_ref().unwrap();
    let url = st.oauth.as_ref().unwrap().url.clone();
    let state = st.oauth.as_ref().unwrap().state.clone();
    assert!(
        url.starts_with("http://127.0.0.1:9/oauth/chooselocation?"),
        "{url}"
    );
    assert!(url.contains(&format!("state={state}")), "{url}");
    let osc = String::from_utf8(d.terminal_out.clone()).unwrap();
    assert!(osc.starts_with("\u{1b}]52;c;"), "copied by OSC 52: {osc:?}");
    // The URL is on screen whole, cut into full-width lines.
    let s = screen(&mut d, 80, 24);
    let joined: String = s
        .lines()
        .skip_while(|l| !l.starts_with("http://"))
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect();
    assert_eq!(joined, url);
    // A wrong state is refused before anything is sent.
    d.paste("http://127.0.0.1:8976/callback?code=abc&state=forged");
    d.keys("enter");
    assert!(matches!(
        d.app.setup.as_ref().unwrap().ghl_check,
        Check::Failed(_)
    ));
    assert!(!d
        .setup_tasks
        .iter()
        .any(|t| matches!(t, SetupTask::ExchangeCode { .. })));
    d.keys("ctrl-u");
    d.paste(&format!(
        "http://127.0.0.1:8976/callback?code=abc123&state={state}"
    ));
    d.keys("enter");
    assert!(
        matches!(d.setup_tasks.last(), Some(SetupTask::ExchangeCode { code }) if code.expose() == "abc123"),
        "{:?}",
        d.setup_tasks
    );
    assert!(
        !format!("{:?}", d.setup_tasks).contains("abc123"),
        "Debug shows the code"
    );
    // A fixed URL for the snapshot (the state is random).
    d.app.setup.as_mut().unwrap().oauth = Some(OAuthPending {
        url: "http://127.0.0.1:9/oauth/chooselocation?response_type=code&client_id=demo-client&redirect_uri=http%3A%2F%2F127.0.0.1%3A8976%2Fcallback&scope=contacts.readonly+contacts.write&state=FIXEDSTATE".into(),
        state: "FIXEDSTATE".into(),
    });
    d.app.setup.as_mut().unwrap().ghl_check = Check::Running("signing in…".into());
    d.app.setup.as_mut().unwrap().redirect_input =
        "http://127.0.0.1:8976/callback?code=abc123&state=FIXEDSTATE".into();
    insta::assert_snapshot!("setup_oauth_paste_80x24", snap(&mut d, 80, 24));
    insta::assert_snapshot!("setup_oauth_paste_120x40", snap(&mut d, 120, 40));
}

#[test]
fn waiting_for_the_browser_does_not_lock_the_other_ways() {
    let (_d, mut d) = setup_driver(Theme::colored());
    d.keys("down down enter");
    assert!(matches!(
        d.setup_tasks.last(),
        Some(SetupTask::OAuthLoopback)
    ));
    answer(
        &mut d,
        SetupDone::OAuthUrl("http://127.0.0.1:9/oauth/chooselocation?state=x".into()),
    );
    let s = screen(&mut d, 80, 24);
    assert!(
        s.contains("http://127.0.0.1:9/oauth/chooselocation?state=x"),
        "{s}"
    );
    assert!(s.contains("waiting for the browser"), "{s}");
    // The token way can still be chosen.
    d.keys("up up enter");
    let st = d.app.setup.as_ref().unwrap();
    assert_eq!(st.ghl_way, Some(bmby_ghl::tui::setup::GhlWay::Pit));
    assert_eq!(st.ghl_check, Check::Idle);
}

#[test]
fn oauth_without_an_app_says_what_to_set() {
    let (_d, mut d) = setup_driver(Theme::colored());
    d.app.setup.as_mut().unwrap().env.oauth.client_id = None;
    d.keys("down enter");
    let s = screen(&mut d, 80, 24);
    assert!(s.contains("GHL_CLIENT_ID"), "{s}");
}

#[test]
fn bmby_login_is_checked_then_the_mapping_preview_shows_hebrew_and_missing_fields() {
    let (_d, mut d) = setup_driver(Theme::colored());
    signed_in_with_pit(&mut d);
    d.keys("enter");
    assert_eq!(d.app.setup.as_ref().unwrap().step, Step::Bmby);
    d.keys("enter");
    d.type_text("bmby-api-demo");
    d.keys("tab");
    d.paste("Demo-Soap-Pa55");
    d.keys("tab");
    d.type_text("5120");
    let s = screen(&mut d, 80, 24);
    assert!(
        !s.contains("Demo-Soap-Pa55"),
        "the password is echoed:\n{s}"
    );
    insta::assert_snapshot!("setup_bmby_80x24", snap(&mut d, 80, 24));
    d.keys("enter");
    match d.setup_tasks.last() {
        Some(SetupTask::CheckBmby {
            login,
            password,
            project_id,
        }) => {
            assert_eq!(login, "bmby-api-demo");
            assert_eq!(password.expose(), "Demo-Soap-Pa55");
            assert_eq!(project_id, "5120");
        }
        other => panic!("{other:?}"),
    }
    answer(
        &mut d,
        SetupDone::Bmby(Ok(vec![
            client(
                "1001",
                "דנה",
                "כהן",
                "054-8720752",
                &[("תקציב", "2,500,000")],
            ),
            client(
                "1002",
                "Eve\u{1b}[31m",
                "\u{202e}Mallory",
                "+1 212 555 0100",
                &[("מספר חדרים", "4")],
            ),
        ])),
    );
    assert_eq!(d.app.setup.as_ref().unwrap().step, Step::Mapping);
    assert!(matches!(
        d.setup_tasks.last(),
        Some(SetupTask::LoadCustomFields { location_id }) if location_id == LOC
    ));
    answer(
        &mut d,
        SetupDone::CustomFields(Ok(vec![
            def("contact.budget", "Budget"),
            def("contact.agent_notes", "Agent notes"),
        ])),
    );
    let s = screen(&mut d, 120, 40);
    assert!(
        s.contains("missing: custom field contact.bmby_client_id"),
        "{s}"
    );
    assert!(s.contains("contact.rooms"), "{s}");
    assert!(s.contains("דנה"), "{s}");
    insta::assert_snapshot!("setup_mapping_80x24", snap(&mut d, 80, 24));
    insta::assert_snapshot!("setup_mapping_120x40", snap(&mut d, 120, 40));
    // At 80x24 the rest scrolls into view.
    d.keys("down down down down down down down down down down down down down down down");
    let s = screen(&mut d, 80, 24);
    assert!(s.contains("more above"), "{s}");
    assert!(s.contains("custom contact.rooms"), "{s}");
    assert!(!s.contains("more below"), "{s}");
    insta::assert_snapshot!("setup_mapping_scrolled_80x24", snap(&mut d, 80, 24));

    // Summary: what is written, no secret.
    d.keys("enter");
    assert_eq!(d.app.setup.as_ref().unwrap().step, Step::Summary);
    let s = screen(&mut d, 120, 40);
    assert!(!s.contains("Demo-Soap-Pa55") && !s.contains("pit-"), "{s}");
    insta::assert_snapshot!("setup_summary_80x24", snap(&mut d, 80, 24));
    d.keys("enter");
    match d.setup_tasks.last() {
        Some(SetupTask::Write {
            plan,
            bmby_password,
        }) => {
            assert_eq!(plan.location_id.as_deref(), Some(LOC));
            assert_eq!(plan.bmby_login.as_deref(), Some("bmby-api-demo"));
            assert_eq!(plan.bmby_project_id.as_deref(), Some("5120"));
            assert_eq!(bmby_password.as_ref().unwrap().expose(), "Demo-Soap-Pa55");
        }
        other => panic!("{other:?}"),
    }
    answer(&mut d, SetupDone::Written(Ok(())));
    assert!(d.app.setup.is_none());
    assert_eq!(d.app.locations.switch_to.as_deref(), Some(LOC));
}

#[test]
fn export_files_and_skipped_steps() {
    let (_d, mut d) = setup_driver(Theme::colored());
    signed_in_with_pit(&mut d);
    d.keys("enter");
    d.keys("down enter");
    d.type_text("/srv/bmby-exports");
    d.keys("enter");
    assert!(matches!(
        d.setup_tasks.last(),
        Some(SetupTask::CheckFolder { path }) if path == "/srv/bmby-exports"
    ));
    answer(&mut d, SetupDone::Folder(Ok(2)));
    answer(
        &mut d,
        SetupDone::CustomFields(Ok(vec![def("contact.bmby_client_id", "Bmby client id")])),
    );
    let s = screen(&mut d, 80, 24);
    assert!(s.contains("No sample clients"), "{s}");
    assert!(
        !s.contains("missing: custom field contact.bmby_client_id"),
        "{s}"
    );
    d.keys("enter");
    let plan = d.app.setup.as_ref().unwrap().plan();
    assert_eq!(plan.bmby_export_dir.as_deref(), Some("/srv/bmby-exports"));
    assert_eq!(plan.bmby_login, None);
    // Back to Bmby, skipped this time.
    d.keys("esc esc ctrl-s");
    let st = d.app.setup.as_ref().unwrap();
    assert_eq!(st.step, Step::Mapping);
    assert!(st.skipped.contains(&Step::Bmby));
}

#[test]
fn no_color_has_no_colours() {
    let (_d, mut d) = setup_driver(Theme::no_color());
    signed_in_with_pit(&mut d);
    let t = d.render(80, 24);
    for cell in t.backend().buffer().content() {
        assert!(
            matches!(cell.fg, Color::Reset) && matches!(cell.bg, Color::Reset),
            "a coloured cell under NO_COLOR: {cell:?}"
        );
    }
    insta::assert_snapshot!("setup_location_no_color_80x24", snap(&mut d, 80, 24));
}

#[test]
fn palette_reopens_the_steps_and_esc_closes_a_reopened_setup() {
    let (_dir, s) = store();
    let mut d = Driver::new(s, options(Theme::colored()));
    d.app.setup_env = Some(env());
    d.app.locations.current = LOC.into();
    d.keys(":");
    d.type_text("bmby login");
    d.keys("enter");
    let st = d.app.setup.as_ref().expect("open");
    assert_eq!(st.step, Step::Bmby);
    assert_eq!(st.chosen_location().unwrap().id, LOC);
    assert!(!st.first_run);
    d.keys("esc esc");
    assert_eq!(d.app.setup.as_ref().unwrap().step, Step::Ghl);
    d.keys("esc");
    assert!(d.app.setup.is_none(), "esc on the first step closes it");
    d.keys(":");
    d.type_text("location add");
    d.keys("enter");
    assert_eq!(d.app.setup.as_ref().unwrap().step, Step::Ghl);
    d.keys("esc");
    d.keys(":");
    d.type_text("setup");
    d.keys("enter");
    assert_eq!(d.app.setup.as_ref().unwrap().step, Step::Ghl);
    // On a first run esc does not close it.
    let (_d2, mut first) = setup_driver(Theme::colored());
    first.keys("esc");
    assert!(first.app.setup.is_some());
}

#[test]
fn without_a_config_setup_says_it_is_not_available() {
    let (_dir, s) = store();
    let mut d = Driver::new(s, options(Theme::colored()));
    d.keys(":");
    d.type_text("setup");
    d.keys("enter");
    assert!(d.app.setup.is_none());
    assert!(d
        .app
        .status
        .error
        .as_deref()
        .unwrap_or_default()
        .contains("not available"));
}

/// An agency app (issue 13 item 1): the paste-back sign-in asks for the agency scopes, the
/// location step lists the locations the app is installed on by name (Hebrew and hostile
/// names included), and choosing one exchanges the agency token for a location token; the
/// agency token never shows.
#[test]
fn agency_sign_in_lists_the_installed_locations_and_exchanges_the_chosen_one() {
    use bmby_ghl::auth::{AgencyToken, InstalledLocation};
    use bmby_ghl::tui::setup::{AgencyGrant, GhlWay};
    const AGENCY_TOKEN: &str = "agency-at-7f3c9e1d2b4a";
    const HAIFA: &str = "bmbyHaifaLoc9Kd3Wq7Z";
    let (_d, mut d) = setup_driver(Theme::colored());
    d.keys("down down down enter");
    let st = d.app.setup.as_ref().unwrap();
    assert_eq!(st.ghl_way, Some(GhlWay::OAuthAgency));
    let url = st.oauth.as_ref().unwrap().url.clone();
    let state = st.oauth.as_ref().unwrap().state.clone();
    assert!(url.contains("oauth.readonly"), "{url}");
    assert!(url.contains("oauth.write"), "{url}");
    d.paste(&format!(
        "http://127.0.0.1:8976/callback?code=agency-code-1&state={state}"
    ));
    d.keys("enter");
    assert!(
        matches!(d.setup_tasks.last(), Some(SetupTask::ExchangeAgencyCode { code }) if code.expose() == "agency-code-1"),
        "{:?}",
        d.setup_tasks
    );
    assert!(!format!("{:?}", d.setup_tasks).contains("agency-code-1"));
    let grant = AgencyGrant {
        token: AgencyToken {
            access_token: bmby_ghl::ghl::Secret::new(AGENCY_TOKEN),
            company_id: "sbxCompany0000000001".into(),
            scopes: vec!["oauth.readonly".into(), "oauth.write".into()],
            expires_at: 0,
        },
        locations: vec![
            InstalledLocation {
                id: LOC.into(),
                name: "Demo Realty".into(),
                address: Some("1 Rothschild Blvd, Tel Aviv".into()),
            },
            InstalledLocation {
                id: HAIFA.into(),
                name: "משרד חיפה".into(),
                address: Some("שדרות הנשיא 5, חיפה".into()),
            },
            InstalledLocation {
                id: "bmbyEvilLoc000000001".into(),
                name: "Evil\u{1b}[2J Realty\u{202e}".into(),
                address: None,
            },
        ],
    };
    answer(&mut d, SetupDone::Agency(Ok(grant)));
    assert_eq!(d.app.setup.as_ref().unwrap().step, Step::Location);
    d.keys("down");
    let s = screen(&mut d, 80, 24);
    assert!(s.contains("משרד חיפה"), "{s}");
    assert!(s.contains("installed on 3 locations"), "{s}");
    assert!(!s.contains(AGENCY_TOKEN), "{s}");
    insta::assert_snapshot!("setup_agency_locations_80x24", snap(&mut d, 80, 24));
    insta::assert_snapshot!("setup_agency_locations_120x40", snap(&mut d, 120, 40));

    // Enter exchanges the token for the focused location.
    d.keys("enter");
    match d.setup_tasks.last().unwrap() {
        SetupTask::AgencyLocationToken {
            location_id, name, ..
        } => {
            assert_eq!(location_id, HAIFA);
            assert_eq!(name, "משרד חיפה");
        }
        other => panic!("{other:?}"),
    }
    assert!(
        !format!("{:?}", d.setup_tasks).contains(AGENCY_TOKEN),
        "Debug shows the agency token"
    );
    // A refusal is shown and the list stays.
    answer(
        &mut d,
        SetupDone::LocationToken(Err(
            "GHL refused POST /oauth/locationToken (HTTP 401: Unauthorized: The token is not authorized for this scope.)".into(),
        )),
    );
    let s = screen(&mut d, 80, 24);
    assert!(s.contains("✗ GHL refused POST /oauth/locationToken"), "{s}");
    assert_eq!(d.app.setup.as_ref().unwrap().step, Step::Location);
    // Accepted: the location is chosen and the setup goes on to Bmby.
    d.keys("enter");
    let haifa = LocationInfo {
        id: HAIFA.into(),
        name: Some("משרד חיפה".into()),
        kind: "OAuth".into(),
    };
    answer(
        &mut d,
        SetupDone::LocationToken(Ok((haifa.clone(), vec![haifa]))),
    );
    let st = d.app.setup.as_ref().unwrap();
    assert_eq!(st.step, Step::Bmby);
    assert_eq!(st.chosen_location().unwrap().id, HAIFA);
    assert_eq!(st.plan().location_id.as_deref(), Some(HAIFA));
    // Choosing another way forgets the agency sign-in.
    d.keys("esc esc");
    assert_eq!(d.app.setup.as_ref().unwrap().step, Step::Ghl);
    d.keys("enter");
    assert!(d.app.setup.as_ref().unwrap().agency.is_none());
}

/// Without the OAuth app's id and secret (environment or `[ghl]`), the first step says so
/// where the OAuth choices are offered, and the summary says so too (a later `:location add`
/// with OAuth needs them); with both set, neither says anything.
#[test]
fn oauth_choices_and_summary_say_when_the_app_is_not_configured() {
    let (_d, mut d) = setup_driver(Theme::colored());
    {
        let st = d.app.setup.as_mut().unwrap();
        st.env.oauth.client_id = None;
        st.env.oauth.client_secret = None;
    }
    let s = screen(&mut d, 80, 24);
    assert!(
        s.contains("The OAuth choices need a GHL Marketplace app: GHL_CLIENT_ID and"),
        "{s}"
    );
    assert!(s.contains("GHL_CLIENT_SECRET"), "{s}");
    insta::assert_snapshot!("setup_ghl_no_oauth_app_80x24", snap(&mut d, 80, 24));
    insta::assert_snapshot!("setup_ghl_no_oauth_app_120x40", snap(&mut d, 120, 40));
    // Only the secret missing: only it is named.
    d.app.setup.as_mut().unwrap().env.oauth.client_id = Some("demo-client".into());
    let s = screen(&mut d, 120, 40);
    assert!(
        s.contains("GHL_CLIENT_SECRET (or client_secret under [ghl]) is not set"),
        "{s}"
    );
    assert!(!s.contains("GHL_CLIENT_ID"), "{s}");
    // The summary after a PIT sign-in says it too.
    d.app.setup.as_mut().unwrap().env.oauth.client_id = None;
    signed_in_with_pit(&mut d);
    d.keys("enter");
    d.keys("ctrl-s");
    d.keys("ctrl-s");
    assert_eq!(d.app.setup.as_ref().unwrap().step, Step::Summary);
    let s = screen(&mut d, 80, 24);
    assert!(
        s.contains("Signing in to more locations with OAuth (:location add) needs"),
        "{s}"
    );
    insta::assert_snapshot!("setup_summary_no_oauth_app_80x24", snap(&mut d, 80, 24));
    // With the app configured, neither step mentions it.
    {
        let st = d.app.setup.as_mut().unwrap();
        st.env.oauth.client_id = Some("demo-client".into());
        st.env.oauth.client_secret = Some(bmby_ghl::ghl::Secret::new("s3cret"));
    }
    let s = screen(&mut d, 80, 24);
    assert!(!s.contains("Marketplace app"), "{s}");
}

/// A newcomer without credentials: the first step points to `bmby-ghl demo` and dims the OAuth
/// choices (no app configured) with the reason; after skipping GHL the summary says no token
/// was saved (it named `auth/tokens.json`) and points to the demo again.
#[test]
fn skipping_ghl_says_no_token_was_saved_and_points_to_the_demo() {
    let (_d, mut d) = setup_driver(Theme::colored());
    d.app.setup.as_mut().unwrap().env.oauth.client_id = None;
    let s = screen(&mut d, 80, 24);
    assert!(s.contains("bmby-ghl demo"), "{s}");
    assert_eq!(s.matches("see below)").count(), 3, "{s}");
    for _ in 0..6 {
        if d.app.setup.as_ref().unwrap().step == Step::Summary {
            break;
        }
        d.keys("ctrl-s");
    }
    assert_eq!(d.app.setup.as_ref().unwrap().step, Step::Summary);
    let s = screen(&mut d, 80, 24);
    assert!(!s.contains("tokens.json"), "{s}");
    assert!(s.contains("no GHL token was saved"), "{s}");
    assert!(s.contains("bmby-ghl demo"), "{s}");
    insta::assert_snapshot!("setup_summary_skipped_ghl_80x24", snap(&mut d, 80, 24));
}
