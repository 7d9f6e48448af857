//! End to end, as a new user over SSH would do it, in tmux at 80x24: `auth login
//! --no-browser`, open the printed URL elsewhere (here: fetched without following redirects),
//! paste the redirect URL, the TUI opens on that location; `L` switches to a second location
//! and its own data shows. The GHL stand-in runs in this process on a loopback port.
//! Skipped (with a note) when tmux is absent. Waiting is by polling the screen.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use bmby_ghl::sandbox::{
    ExtraLocation, Sandbox, SandboxConfig, Seed, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET,
    DEMO_LOCATION_ID, SECOND_LOCATION_ID,
};

struct Tmux {
    session: String,
}

impl Tmux {
    fn start(name: &str, cmd: &str) -> Option<Tmux> {
        if Command::new("tmux").arg("-V").output().is_err() {
            eprintln!("tmux not installed: skipping end-to-end terminal test");
            return None;
        }
        let session = format!("bmbyghl-{name}-{}", std::process::id());
        let ok = Command::new("tmux")
            .args([
                "new-session",
                "-d",
                "-s",
                &session,
                "-x",
                "80",
                "-y",
                "24",
                cmd,
            ])
            .env_remove("NO_COLOR")
            .status()
            .unwrap()
            .success();
        assert!(ok, "tmux new-session failed");
        Some(Tmux { session })
    }

    /// The screen with wrapped lines joined (`-J`), so a long URL is one line.
    fn screen(&self) -> String {
        let o = Command::new("tmux")
            .args(["capture-pane", "-p", "-J", "-t", &self.session])
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", self.session.as_str()];
        args.extend_from_slice(keys);
        assert!(Command::new("tmux").args(&args).status().unwrap().success());
    }

    fn literal(&self, text: &str) {
        assert!(Command::new("tmux")
            .args(["send-keys", "-t", &self.session, "-l", text])
            .status()
            .unwrap()
            .success());
    }

    /// Polls the screen until `pred` holds; panics with the last screen after 30 s.
    fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let s = self.screen();
            if pred(&s) {
                return s;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {what}; screen was:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.session])
            .status();
    }
}

fn login_cmd(sb: &Sandbox, data: &Path, extra: &str) -> String {
    format!(
        "env -u GHL_TOKEN -u GHL_LOCATION_ID -u GHL_REDIRECT_URI GHL_BASE_URL={} \
         GHL_CLIENT_ID={DEMO_CLIENT_ID} GHL_CLIENT_SECRET={DEMO_CLIENT_SECRET} \
         {} --data-dir {} --config {} auth login --no-browser {extra}; echo EXITED $?; sleep 60",
        sb.base_url(),
        env!("CARGO_BIN_EXE_bmby-ghl"),
        data.display(),
        data.join("none.toml").display(),
    )
}

/// Reads the printed authorization URL, "opens" it choosing `location` on the stand-in's page,
/// and pastes the redirect URL back.
fn approve_and_paste(t: &Tmux, rt: &tokio::runtime::Runtime, location: &str) {
    let s = t.wait_for("the authorization URL", |s| {
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
    let Some(t) = Tmux::start("auth1", &login_cmd(&sb, dir.path(), "")) else {
        return;
    };
    approve_and_paste(&t, &rt, SECOND_LOCATION_ID);
    let s = t.wait_for("signed in", |s| s.contains("EXITED"));
    assert!(s.contains("Signed in to Second Office"), "{s}");
    assert!(s.contains("EXITED 0"), "{s}");
    drop(t);

    // Then to the demo location, opening the TUI on it.
    let Some(t) = Tmux::start("auth2", &login_cmd(&sb, dir.path(), "--open")) else {
        return;
    };
    approve_and_paste(&t, &rt, DEMO_LOCATION_ID);
    let s = t.wait_for("the TUI on the demo location", |s| {
        s.contains("Contacts 540")
    });
    assert!(
        s.lines()
            .all(|l| unicode_width::UnicodeWidthStr::width(l) <= 80),
        "{s}"
    );

    // L: the picker lists both, the current one starred; 2 = the second location.
    t.keys(&["L"]);
    let s = t.wait_for("the location picker", |s| s.contains("Switch location"));
    assert!(s.contains("1* Demo Realty"), "{s}");
    assert!(s.contains("2  Second Office"), "{s}");
    t.keys(&["2"]);
    let s = t.wait_for("the second location's contacts", |s| {
        s.contains("Contacts 25")
    });
    assert!(!s.contains("Contacts 540"), "{s}");
    t.keys(&["L"]);
    let s = t.wait_for("the location picker", |s| s.contains("Switch location"));
    assert!(s.contains("2* Second Office"), "{s}");

    // And back: the first location's cache is still there.
    t.keys(&["1"]);
    t.wait_for("the demo location again", |s| s.contains("Contacts 540"));

    t.keys(&["q"]);
    t.wait_for("clean exit", |s| s.contains("EXITED 0"));
    assert!(dir
        .path()
        .join("locations")
        .join(SECOND_LOCATION_ID)
        .exists());
    assert!(dir.path().join("locations").join(DEMO_LOCATION_ID).exists());
}
