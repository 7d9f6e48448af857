//! End to end, as a new user over SSH would do it, in tmux at 80x24: `auth login
//! --no-browser`, open the printed URL elsewhere (here: fetched without following redirects),
//! paste the redirect URL, the TUI opens on that location; `L` switches to a second location
//! and its own data shows. The GHL stand-in runs in this process on a loopback port.
//! Skipped (with a note) when tmux is absent. Waiting is by polling the screen.

use std::path::Path;

use crate::tmux_support::Tmux;

use bmby_ghl::sandbox::{
    ExtraLocation, Sandbox, SandboxConfig, Seed, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET,
    DEMO_LOCATION_ID, SECOND_LOCATION_ID,
};

fn login_cmd(sb: &Sandbox, data: &Path, extra: &str) -> String {
    format!(
        "env -u GHL_TOKEN -u GHL_LOCATION_ID -u GHL_REDIRECT_URI GHL_BASE_URL={} \
         GHL_CLIENT_ID={DEMO_CLIENT_ID} GHL_CLIENT_SECRET={DEMO_CLIENT_SECRET} \
         {} --data-dir {} --config /dev/null auth login --no-browser {extra}; echo EXITED $?; sleep 60",
        sb.base_url(),
        env!("CARGO_BIN_EXE_bmby-ghl"),
        data.display(),
    )
}

/// Reads the printed authorization URL, "opens" it choosing `location` on the stand-in's page,
/// and pastes the redirect URL back.
fn approve_and_paste(t: &Tmux, rt: &tokio::runtime::Runtime, location: &str) {
    let s = t.wait_for_joined("the authorization URL", |s| {
        s.contains("Paste that whole URL") && s.lines().any(|l| l.starts_with("http://"))
    });
    let url = s
        .lines()
        .find(|l| l.starts_with("http://"))
        .unwrap()
        .trim()
        .to_owned();
    assert!(url.contains("/oauth/chooselocation?"), "{url}");
    assert!(url.contains("state="), "{url}");
    let redirect = rt.block_on(async {
        let r = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .get(format!("{url}&location_id={location}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 302);
        r.headers()["location"].to_str().unwrap().to_owned()
    });
    t.literal(&redirect);
    t.keys(&["Enter"]);
}

#[test]
fn login_over_ssh_then_the_tui_switches_locations_at_80x24() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sb = rt
        .block_on(Sandbox::start(SandboxConfig {
            seed: Seed::Demo,
            extra_locations: vec![ExtraLocation::second()],
            ..Default::default()
        }))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();

    // First sign in to the second location (no TUI).
    let Some(t) = Tmux::start("auth1", &login_cmd(&sb, dir.path(), ""), 80, 24) else {
        return;
    };
    approve_and_paste(&t, &rt, SECOND_LOCATION_ID);
    let s = t.wait_for_joined("signed in", |s| s.contains("EXITED"));
    assert!(s.contains("Signed in to Second Office"), "{s}");
    assert!(s.contains("EXITED 0"), "{s}");
    drop(t);

    // Then to the demo location, opening the TUI on it.
    let Some(t) = Tmux::start("auth2", &login_cmd(&sb, dir.path(), "--open"), 80, 24) else {
        return;
    };
    approve_and_paste(&t, &rt, DEMO_LOCATION_ID);
    let s = t.wait_for_joined("the TUI on the demo location", |s| {
        s.contains("Contacts 540")
    });
    assert!(
        s.lines()
            .all(|l| unicode_width::UnicodeWidthStr::width(l) <= 80),
        "{s}"
    );

    // L: the picker lists both, the current one starred; 2 = the second location.
    t.keys(&["L"]);
    let s = t.wait_for_joined("the location picker", |s| s.contains("Switch location"));
    assert!(s.contains("1* Demo Realty"), "{s}");
    assert!(s.contains("2  Second Office"), "{s}");
    t.keys(&["2"]);
    let s = t.wait_for_joined("the second location's contacts", |s| {
        s.contains("Contacts 25")
    });
    assert!(!s.contains("Contacts 540"), "{s}");
    t.keys(&["L"]);
    let s = t.wait_for_joined("the location picker", |s| s.contains("Switch location"));
    assert!(s.contains("2* Second Office"), "{s}");

    // And back: the first location's cache is still there.
    t.keys(&["1"]);
    t.wait_for_joined("the demo location again", |s| s.contains("Contacts 540"));

    t.keys(&["q"]);
    t.wait_for_joined("clean exit", |s| s.contains("EXITED 0"));
    assert!(dir
        .path()
        .join("locations")
        .join(SECOND_LOCATION_ID)
        .exists());
    assert!(dir.path().join("locations").join(DEMO_LOCATION_ID).exists());
}
