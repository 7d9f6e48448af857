//! First run, end to end in tmux at 80x24 (issue 13 item 1): a fresh config dir and data dir,
//! `bmby-ghl` opens the setup screen; GHL is connected with a Private Integration Token of the
//! GHL stand-in pasted (bracketed paste) — or with OAuth through the paste-back flow, or an
//! agency app choosing among the locations it is installed on — the
//! location is chosen, the Bmby stand-in's login is checked, the mapping preview shows, and
//! the TUI opens on the location's contacts as the first pull brings them. The config file
//! written is mode 0600 and holds no secret. Both stand-ins run in this process on loopback
//! ports; the binary is pointed at them by `GHL_BASE_URL` and `BMBY_SOAP_URL`. Skipped (with a
//! note) when tmux is absent. Waiting is by polling the screen.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use crate::tmux_support::{fits_80, Tmux};
use bmby_ghl::sandbox::bmby::{
    BmbySandbox, BmbySandboxConfig, DEMO_LOGIN, DEMO_PASSWORD, DEMO_PROJECT_ID,
};
use bmby_ghl::sandbox::{
    ExtraLocation, Sandbox, SandboxConfig, Seed, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET,
    DEMO_COMPANY_ID, DEMO_LOCATION_ID, DEMO_TOKEN,
};

/// The stand-ins and the temp dirs (the runtime last: dropped after the stand-ins).
struct World {
    ghl: Sandbox,
    bmby: BmbySandbox,
    dir: tempfile::TempDir,
    rt: tokio::runtime::Runtime,
}

fn world() -> World {
    world_with(Vec::new())
}

/// The stand-ins with more GHL locations beside the demo one (same agency).
fn world_with(extra_locations: Vec<ExtraLocation>) -> World {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let ghl = rt
        .block_on(Sandbox::start(SandboxConfig {
            seed: Seed::Demo,
            extra_locations,
            ..Default::default()
        }))
        .unwrap();
    let bmby = rt
        .block_on(BmbySandbox::start(BmbySandboxConfig::default()))
        .unwrap();
    World {
        rt,
        ghl,
        bmby,
        dir: tempfile::tempdir().unwrap(),
    }
}

impl World {
    fn config_home(&self) -> std::path::PathBuf {
        self.dir.path().join("config")
    }
    fn data_home(&self) -> std::path::PathBuf {
        self.dir.path().join("data")
    }
    /// `bmby-ghl` with nothing configured: fresh XDG config and data dirs, no GHL or Bmby
    /// variables but the stand-ins' URLs (and the stand-in's OAuth app).
    fn cmd(&self) -> String {
        format!(
            "env -u GHL_TOKEN -u GHL_LOCATION_ID -u GHL_REDIRECT_URI -u GHL_APP_ID -u BMBY_LOGIN \
             -u BMBY_PASSWORD -u BMBY_PROJECT_ID -u BMBY_LEAD_PASSWORD \
             XDG_CONFIG_HOME={} XDG_DATA_HOME={} GHL_BASE_URL={} BMBY_SOAP_URL={} \
             GHL_CLIENT_ID={DEMO_CLIENT_ID} GHL_CLIENT_SECRET={DEMO_CLIENT_SECRET} \
             {}; echo EXITED $?; sleep 60",
            self.config_home().display(),
            self.data_home().display(),
            self.ghl.base_url(),
            self.bmby.soap_url(),
            env!("CARGO_BIN_EXE_bmby-ghl"),
        )
    }
    fn config_file(&self) -> std::path::PathBuf {
        self.config_home().join("bmby-ghl").join("config.toml")
    }
}

/// Puts `text` in tmux buffer `name` and pastes it as a terminal paste (bracketed).
fn paste(t: &Tmux, name: &str, text: &str) {
    assert!(Command::new("tmux")
        .args(["set-buffer", "-b", name, text])
        .status()
        .unwrap()
        .success());
    t.paste_buffer(name);
}

/// The config file: mode 0600, the location, no secret.
fn check_config(path: &Path, secrets: &[&str]) -> String {
    let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{}", path.display());
    let text = std::fs::read_to_string(path).unwrap();
    assert!(
        text.contains(&format!("location_id = \"{DEMO_LOCATION_ID}\"")),
        "{text}"
    );
    for s in secrets {
        assert!(!text.contains(s), "the config holds a secret:\n{text}");
    }
    text
}

/// Summary → enter writes; the TUI opens on the location and the first pull fills it.
fn finish_and_see_contacts(t: &Tmux) {
    let s = t.wait_for("the summary", |s| s.contains("setup 5/5"));
    fits_80(&s);
    assert!(s.contains("Demo Realty"), "{s}");
    t.keys(&["Enter"]);
    let s = t.wait_for("the synced contacts", |s| s.contains("Contacts 540"));
    fits_80(&s);
    assert!(!s.contains("bmby-ghl setup"), "{s}");
    t.keys(&["q"]);
    t.wait_for_joined("clean exit", |s| s.contains("EXITED 0"));
}

#[test]
fn first_run_with_a_pasted_token_and_the_bmby_login() {
    let w = world();
    let Some(t) = Tmux::start("setup-pit", &w.cmd(), 80, 24) else {
        return;
    };
    let s = t.wait_for("the setup screen", |s| s.contains("bmby-ghl setup 1/5"));
    fits_80(&s);
    // A Private Integration Token, pasted, then the location id typed.
    t.keys(&["Enter"]);
    t.wait_for("the token field", |s| s.contains("> Token"));
    paste(&t, "bmbyghl-setup-token", DEMO_TOKEN);
    let s = t.wait_for("the pasted token", |s| s.contains("(pasted: 40 characters"));
    assert!(!s.contains("pit-"), "the token is echoed:\n{s}");
    t.keys(&["Tab"]);
    t.literal(DEMO_LOCATION_ID);
    t.keys(&["Enter"]);
    // Checked with one call that names the location; on to the location step.
    let s = t.wait_for("the location step", |s| {
        s.contains("setup 2/5") && s.contains("signed in to Demo Realty")
    });
    fits_80(&s);
    assert!(
        s.contains("> (•) Demo Realty (bmbyDemoLoc7Qx2Lm9Za)"),
        "{s}"
    );
    t.keys(&["Enter"]);
    // Bmby: SOAP login checked with one call.
    t.wait_for("the Bmby step", |s| s.contains("setup 3/5"));
    t.keys(&["Enter"]);
    t.literal(DEMO_LOGIN);
    t.keys(&["Tab"]);
    paste(&t, "bmbyghl-setup-pw", DEMO_PASSWORD);
    t.keys(&["Tab"]);
    t.literal(DEMO_PROJECT_ID);
    let s = t.wait_for("the project id", |s| s.contains("[5120_]"));
    assert!(!s.contains(DEMO_PASSWORD), "the password is echoed:\n{s}");
    t.keys(&["Enter"]);
    // The mapping preview: the location's custom fields and the first Bmby clients.
    let s = t.wait_for("the mapping preview", |s| {
        s.contains("setup 4/5") && s.contains("custom fields in Demo Realty")
    });
    fits_80(&s);
    assert!(s.contains("Bmby client"), "{s}");
    assert!(!s.contains("not read"), "{s}");
    t.keys(&["Enter"]);
    finish_and_see_contacts(&t);

    let text = check_config(&w.config_file(), &[DEMO_TOKEN, DEMO_PASSWORD]);
    assert!(
        text.contains(&format!("login = \"{DEMO_LOGIN}\"")),
        "{text}"
    );
    assert!(
        text.contains(&format!("project_id = \"{DEMO_PROJECT_ID}\"")),
        "{text}"
    );
    // The secrets are in the token store.
    let auth = w.data_home().join("bmby-ghl").join("auth");
    let tokens = std::fs::read_to_string(auth.join("tokens.json")).unwrap();
    assert!(tokens.contains(DEMO_TOKEN));
    let pw = std::fs::read_to_string(auth.join("bmby.json")).unwrap();
    assert!(pw.contains(DEMO_PASSWORD));
    let mode = std::fs::metadata(auth.join("bmby.json"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);
}

#[test]
fn first_run_with_oauth_paste_back() {
    let w = world();
    let Some(t) = Tmux::start("setup-oauth", &w.cmd(), 80, 24) else {
        return;
    };
    t.wait_for("the setup screen", |s| s.contains("bmby-ghl setup 1/5"));
    t.keys(&["Down"]);
    t.keys(&["Enter"]);
    // The sign-in URL, cut into whole-width lines: joined back as a person copying it would.
    let s = t.wait_for("the sign-in URL", |s| s.contains("> Redirect URL"));
    fits_80(&s);
    let url: String = s
        .lines()
        .skip_while(|l| !l.starts_with("http://"))
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect();
    assert!(url.contains("/oauth/chooselocation?"), "{url}\n{s}");
    assert!(url.contains("state="), "{url}");
    // "Open" it elsewhere: the stand-in's page, choosing the demo location, answers with the
    // redirect.
    let redirect = w.rt.block_on(async {
        let r = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .get(format!("{url}&location_id={DEMO_LOCATION_ID}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 302);
        r.headers()["location"].to_str().unwrap().to_owned()
    });
    paste(&t, "bmbyghl-setup-redirect", &redirect);
    t.keys(&["Enter"]);
    let s = t.wait_for("the location step", |s| {
        s.contains("setup 2/5") && s.contains("signed in to Demo Realty")
    });
    assert!(s.contains("OAuth"), "{s}");
    t.keys(&["Enter"]);
    t.wait_for("the Bmby step", |s| s.contains("setup 3/5"));
    // No Bmby this time: skipped.
    t.keys(&["C-s"]);
    let s = t.wait_for("the mapping preview", |s| {
        s.contains("setup 4/5") && s.contains("custom fields in Demo Realty")
    });
    assert!(s.contains("Bmby (skipped)"), "{s}");
    t.keys(&["Enter"]);
    finish_and_see_contacts(&t);
    check_config(
        &w.config_file(),
        &[DEMO_CLIENT_SECRET, "access_token", "refresh"],
    );
    let tokens = std::fs::read_to_string(
        w.data_home()
            .join("bmby-ghl")
            .join("auth")
            .join("tokens.json"),
    )
    .unwrap();
    assert!(tokens.contains(DEMO_LOCATION_ID), "{tokens}");
}

/// An agency-level app through the paste-back flow: the sign-in asks for the agency scopes,
/// the location step lists the locations the app is installed on (one with a Hebrew name),
/// choosing the demo one exchanges the agency token for its token, and the TUI opens on it.
#[test]
fn first_run_with_an_agency_app() {
    let w = world_with(vec![ExtraLocation {
        id: "bmbyHaifaLoc9Kd3Wq7Z".into(),
        name: "משרד חיפה".into(),
        tokens: Vec::new(),
        seed: Seed::Generated { contacts: 4 },
    }]);
    let Some(t) = Tmux::start("setup-agency", &w.cmd(), 80, 24) else {
        return;
    };
    t.wait_for("the setup screen", |s| s.contains("bmby-ghl setup 1/5"));
    t.keys(&["Down", "Down", "Down"]);
    t.wait_for("the agency way focused", |s| {
        s.contains("> ( ) OAuth, agency app")
    });
    t.keys(&["Enter"]);
    let s = t.wait_for("the sign-in URL", |s| s.contains("> Redirect URL"));
    fits_80(&s);
    let url: String = s
        .lines()
        .skip_while(|l| !l.starts_with("http://"))
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect();
    assert!(url.contains("oauth.readonly"), "{url}");
    let redirect = w.rt.block_on(async {
        let r = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .get(url)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 302);
        r.headers()["location"].to_str().unwrap().to_owned()
    });
    paste(&t, "bmbyghl-setup-agency", &redirect);
    t.keys(&["Enter"]);
    let s = t.wait_for("the installed locations", |s| {
        s.contains("setup 2/5") && s.contains("installed on 2 locations")
    });
    fits_80(&s);
    assert!(s.contains("Demo Realty (bmbyDemoLoc7Qx2Lm9Za)"), "{s}");
    assert!(s.contains("(bmbyHaifaLoc9Kd3Wq7Z)"), "{s}");
    t.keys(&["Enter"]);
    t.wait_for("the Bmby step", |s| s.contains("setup 3/5"));
    t.keys(&["C-s"]);
    // The custom fields are read with the location token just saved.
    let s = t.wait_for("the mapping preview", |s| {
        s.contains("setup 4/5") && s.contains("custom fields in Demo Realty")
    });
    assert!(!s.contains("not read"), "{s}");
    t.keys(&["Enter"]);
    finish_and_see_contacts(&t);
    check_config(
        &w.config_file(),
        &[DEMO_CLIENT_SECRET, "access_token", "refresh"],
    );
    let tokens = std::fs::read_to_string(
        w.data_home()
            .join("bmby-ghl")
            .join("auth")
            .join("tokens.json"),
    )
    .unwrap();
    assert!(tokens.contains(DEMO_LOCATION_ID), "{tokens}");
    assert!(tokens.contains(DEMO_COMPANY_ID), "{tokens}");
    assert!(!tokens.contains("bmbyHaifaLoc9Kd3Wq7Z"), "{tokens}");
}

/// Without a terminal (a script, a pipe) the bare `bmby-ghl` keeps its clear error, as every
/// CLI command does; nothing is written.
#[test]
fn without_a_terminal_nothing_configured_is_still_an_error() {
    let dir = tempfile::tempdir().unwrap();
    for args in [&[][..], &["contacts"][..]] {
        let out = Command::new(env!("CARGO_BIN_EXE_bmby-ghl"))
            .args(args)
            .env_remove("GHL_TOKEN")
            .env_remove("GHL_LOCATION_ID")
            .env("XDG_CONFIG_HOME", dir.path().join("config"))
            .env("XDG_DATA_HOME", dir.path().join("data"))
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("no GHL location"), "{args:?}: {err}");
    }
    assert!(!dir
        .path()
        .join("config")
        .join("bmby-ghl")
        .join("config.toml")
        .exists());
}
