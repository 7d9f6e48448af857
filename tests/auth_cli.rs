//! `bmby-ghl auth …` as a user runs it: the real binary against the stand-in on loopback,
//! with `--log-level trace`; afterwards no token, client secret or password is in the log or
//! in `auth status`.

use crate::cli_support::ok;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

use bmby_ghl::sandbox::{
    ExtraLocation, Sandbox, SandboxConfig, Seed, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET,
    DEMO_LOCATION_ID, SECOND_LOCATION_ID, SECOND_TOKEN,
};
use serde_json::Value;

const BMBY_PASSWORD: &str = "bmby-pass-7c1e2d9f-marker";

fn cmd(sb: &Sandbox, data: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_bmby-ghl"));
    c.args([
        "--data-dir",
        data.to_str().unwrap(),
        "--config",
        "/dev/null",
        "--log-level",
        "trace",
    ])
    .args(args)
    .env("GHL_BASE_URL", sb.base_url())
    .env("GHL_CLIENT_ID", DEMO_CLIENT_ID)
    .env("GHL_CLIENT_SECRET", DEMO_CLIENT_SECRET)
    .env("BMBY_PASSWORD", BMBY_PASSWORD)
    .env("BMBY_GHL_NO_BROWSER", "1")
    .env_remove("GHL_TOKEN")
    .env_remove("GHL_LOCATION_ID")
    .env_remove("GHL_REDIRECT_URI");
    c
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// `auth login --no-browser`: reads the printed URL, plays the browser (the stand-in's
/// page, choosing `location`), pastes the redirect URL. Returns stdout.
#[allow(clippy::zombie_processes)] // waited for in the second blocking step
async fn paste_login(sb: &Sandbox, data: &Path, location: &str) -> String {
    let mut child = cmd(sb, data, &["auth", "login", "--no-browser"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (child, mut reader, mut seen, url) = tokio::task::spawn_blocking(move || {
        let mut reader = BufReader::new(stdout);
        let mut seen = String::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap() == 0 {
                panic!("auth login ended before printing a URL:\n{seen}");
            }
            seen.push_str(&line);
            if line.trim_start().starts_with("http") {
                return (child, reader, seen, line.trim().to_owned());
            }
        }
    })
    .await
    .unwrap();
    let r = no_redirects()
        .get(format!("{url}&location_id={location}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302);
    let redirect = r.headers()["location"].to_str().unwrap().to_owned();
    let out = tokio::task::spawn_blocking(move || {
        let mut child: Child = child;
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, "{redirect}").unwrap();
        drop(stdin);
        reader.read_to_string(&mut seen).unwrap();
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        let status = child.wait().unwrap();
        assert!(status.success(), "auth login failed: {err}\n{seen}");
        seen
    })
    .await
    .unwrap();
    out
}

fn run_with_stdin(mut c: Command, input: &str) -> Output {
    let mut child = c
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// Every token in the store file (access and refresh).
fn stored_tokens(data: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(data.join("auth/tokens.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    let mut out = Vec::new();
    for e in v["locations"].as_object().unwrap().values() {
        for k in ["access_token", "refresh_token"] {
            if let Some(t) = e[k].as_str() {
                out.push(t.to_owned());
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_refresh_status_logout_leak_no_secret() {
    use std::os::unix::fs::PermissionsExt;
    let sb = Sandbox::start(SandboxConfig {
        seed: Seed::Generated { contacts: 40 },
        extra_locations: vec![ExtraLocation::second()],
        ..Default::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();

    // OAuth by pasting the redirect URL.
    let out = paste_login(&sb, data, DEMO_LOCATION_ID).await;
    assert!(out.contains("Signed in to Demo Realty"), "{out}");
    let mode = std::fs::metadata(data.join("auth/tokens.json"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "token file mode {mode:o}");

    // A Private Integration Token from stdin for the second location.
    let o = run_with_stdin(
        cmd(
            &sb,
            data,
            &["auth", "login", "--token", "--location", SECOND_LOCATION_ID],
        ),
        &format!("{SECOND_TOKEN}\n"),
    );
    assert!(ok(&o).contains("Signed in to Second Office"));

    // Use the OAuth location, then make GHL expire its token: the binary refreshes once.
    let mut seen_tokens = stored_tokens(data);
    ok(&cmd(&sb, data, &["--location", DEMO_LOCATION_ID, "sync"])
        .output()
        .unwrap());
    sb.oauth().expire_access_tokens();
    let out = ok(&cmd(
        &sb,
        data,
        &["--location", DEMO_LOCATION_ID, "sync", "--full"],
    )
    .output()
    .unwrap());
    assert!(out.contains("40 contacts"), "{out}");
    assert_eq!(sb.oauth().refresh_count(), 1);
    seen_tokens.extend(stored_tokens(data));
    seen_tokens.sort();
    seen_tokens.dedup();
    assert!(seen_tokens.len() >= 5, "{}", seen_tokens.len());

    // Status, human and JSON: names, kinds, scopes — no secret.
    let human = ok(&cmd(&sb, data, &["auth", "status"]).output().unwrap());
    let json = ok(&cmd(&sb, data, &["auth", "status", "--json"])
        .output()
        .unwrap());
    for s in [&human, &json] {
        assert!(
            s.contains(DEMO_LOCATION_ID) && s.contains(SECOND_LOCATION_ID),
            "{s}"
        );
        assert!(
            s.contains("Demo Realty") && s.contains("Second Office"),
            "{s}"
        );
        assert!(s.contains("contacts.write"), "{s}");
    }
    assert!(human.contains("OAuth") && human.contains("Private Integration Token"));
    let doc: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["locations"].as_array().unwrap().len(), 2);

    let log = std::fs::read_to_string(data.join("logs/bmby-ghl.log")).unwrap();
    assert!(
        log.contains("refreshing the OAuth access token"),
        "the log has the run"
    );
    assert!(
        log.contains("TRACE") || log.contains("DEBUG"),
        "trace level on"
    );
    let mut secrets: Vec<String> = seen_tokens.clone();
    secrets.push(DEMO_CLIENT_SECRET.into());
    secrets.push(SECOND_TOKEN.into());
    secrets.push(BMBY_PASSWORD.into());
    for secret in &secrets {
        for (what, text) in [("log", &log), ("status", &human), ("status --json", &json)] {
            assert!(
                !text.contains(secret.as_str()),
                "a secret ({}…) is in the {what}",
                &secret[..8]
            );
        }
    }
    assert!(
        !log.contains("sbx-code-"),
        "no authorization code in the log"
    );

    // Logout of one location; the other stays.
    let out = ok(&cmd(&sb, data, &["auth", "logout", SECOND_LOCATION_ID])
        .output()
        .unwrap());
    assert!(out.contains("Signed out of"), "{out}");
    let json = ok(&cmd(&sb, data, &["auth", "status", "--json"])
        .output()
        .unwrap());
    let doc: Value = serde_json::from_str(&json).unwrap();
    let locs = doc["locations"].as_array().unwrap();
    assert_eq!(locs.len(), 1);
    assert_eq!(locs[0]["locationId"], DEMO_LOCATION_ID);
    // Without a location, several signed in → logout asks which; with one, it takes it.
    let o = cmd(&sb, data, &["auth", "logout"]).output().unwrap();
    assert!(o.status.success());
    assert!(stored_tokens(data).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_state_in_the_pasted_url_is_refused_by_the_binary() {
    let sb = Sandbox::start(SandboxConfig {
        seed: Seed::Empty,
        ..Default::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let o = run_with_stdin(
        cmd(&sb, dir.path(), &["auth", "login", "--no-browser"]),
        "http://127.0.0.1:8976/callback?code=sbx-code-x&state=forged\n",
    );
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("does not match"), "{err}");
    assert!(!dir.path().join("auth/tokens.json").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pit_that_ghl_refuses_is_not_stored() {
    let sb = Sandbox::start(SandboxConfig {
        seed: Seed::Empty,
        ..Default::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let o = run_with_stdin(
        cmd(
            &sb,
            dir.path(),
            &["auth", "login", "--token", "--location", DEMO_LOCATION_ID],
        ),
        "pit-not-a-real-token\n",
    );
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("refused the token"), "{err}");
    assert!(!err.contains("pit-not-a-real-token"), "{err}");
    assert!(!dir.path().join("auth/tokens.json").exists());
}

/// `apply` on a location signed in without `contacts.write` refuses before sending anything
/// (the TUI refuses the same way); a dry run warns.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_on_a_read_only_location_sends_nothing() {
    use bmby_ghl::auth::{TokenEntry, TokenKind, TokenStore};
    let sb = Sandbox::start(SandboxConfig {
        seed: Seed::Generated { contacts: 5 },
        ..Default::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    TokenStore::new(dir.path())
        .put(TokenEntry {
            location_id: DEMO_LOCATION_ID.into(),
            location_name: Some("Demo".into()),
            company_id: None,
            user_type: "Location".into(),
            user_id: None,
            scopes: vec!["contacts.readonly".into()],
            kind: TokenKind::Oauth,
            access_token: bmby_ghl::ghl::Secret::new("at-readonly"),
            refresh_token: None,
            expires_at: Some(i64::MAX / 2),
            needs_sign_in: None,
            updated_at: 0,
            signed_in_at: 0,
        })
        .unwrap();
    let before = sb.requests().len();
    let o = cmd(&sb, dir.path(), &["apply", "--all"]).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("read-only") && err.contains("nothing was sent"),
        "{err}"
    );
    assert_eq!(sb.requests().len(), before, "no request reached GHL");
    let o = cmd(&sb, dir.path(), &["apply", "--all", "--dry-run"])
        .output()
        .unwrap();
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("read-only"));
}
