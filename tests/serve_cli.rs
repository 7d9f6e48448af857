//! `bmby-ghl serve`, the real binary, against the GHL stand-in on loopback with a temporary data
//! dir: it pulls contacts into the cache, crawls every contact's tasks, notes and appointments
//! within the rate limit (no 429), sends an approved change once with `--apply`, writes JSON
//! lines to stderr with `--log-format json`, and stops on SIGTERM with exit code 0 after the
//! work in flight, leaving a cache that opens (and a crawl that resumes where it stopped).
//! Every wait is on a condition (a log line, the stand-in's request log) with a deadline.

use std::io::BufRead as _;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bmby_ghl::domain::ChangeState;
use bmby_ghl::sandbox::{
    ExtraLocation, Sandbox, SandboxConfig, Seed, DEMO_LOCATION_ID, DEMO_TOKEN, SECOND_LOCATION_ID,
    SECOND_TOKEN,
};
use bmby_ghl::store::Store;
use bmby_ghl::sync::crawl::CrawlCursor;
use serde_json::{json, Value};

const DEADLINE: Duration = Duration::from_secs(120);

fn base_cmd(sb_url: &str, data: &Path) -> Command {
    // `--config` must name a file that exists: an empty one unless the test wrote its own.
    let cfg = data.join("none.toml");
    if !cfg.exists() {
        std::fs::create_dir_all(data).unwrap();
        std::fs::write(&cfg, "").unwrap();
    }
    let mut c = Command::new(env!("CARGO_BIN_EXE_bmby-ghl"));
    c.args([
        "--data-dir",
        data.to_str().unwrap(),
        "--config",
        data.join("none.toml").to_str().unwrap(),
    ])
    .env("GHL_BASE_URL", sb_url)
    .env("GHL_TOKEN", DEMO_TOKEN)
    .env("GHL_LOCATION_ID", DEMO_LOCATION_ID);
    c
}

/// A running `serve --log-format json`, its stderr lines collected as they come.
struct Serve {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Serve {
    fn start(sb_url: &str, data: &Path, args: &[&str]) -> Serve {
        Serve::spawn(base_cmd(sb_url, data), args)
    }

    /// Runs `c` with `serve --log-format json` and `args` appended.
    fn spawn(mut c: Command, args: &[&str]) -> Serve {
        let mut child = c
            .args(["serve", "--log-format", "json"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let (err, l) = (child.stderr.take().unwrap(), lines.clone());
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(err).lines() {
                match line {
                    Ok(s) => l.lock().unwrap().push(s),
                    Err(_) => break,
                }
            }
        });
        Serve { child, lines }
    }

    fn text(&self) -> String {
        self.lines.lock().unwrap().join("\n")
    }

    /// The stderr lines parsed: every one must be a JSON object.
    fn json(&self) -> Vec<Value> {
        self.lines
            .lock()
            .unwrap()
            .iter()
            .map(|s| {
                let v: Value = serde_json::from_str(s)
                    .unwrap_or_else(|e| panic!("not a JSON line ({e}): {s}"));
                assert!(v.is_object(), "{s}");
                v
            })
            .collect()
    }

    /// Waits until `n` log lines from index `from` on satisfy `pred`; returns the index of the
    /// last of them.
    fn wait_lines(
        &self,
        what: &str,
        from: usize,
        n: usize,
        pred: impl Fn(&Value) -> bool,
    ) -> usize {
        let start = Instant::now();
        loop {
            let hits: Vec<usize> = self
                .json()
                .iter()
                .enumerate()
                .skip(from)
                .filter(|(_, v)| pred(v))
                .map(|(i, _)| i)
                .collect();
            if hits.len() >= n {
                return hits[n - 1];
            }
            assert!(
                start.elapsed() < DEADLINE,
                "no {what} within {DEADLINE:?}; stderr:\n{}",
                self.text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn wait_message(&self, message: &str) -> usize {
        self.wait_lines(message, 0, 1, |v| v["message"] == message)
    }

    /// SIGTERM, then the exit status (within the deadline).
    fn terminate(&mut self) -> ExitStatus {
        self.stop_with(libc::SIGTERM)
    }

    /// Sends `signal`, then returns the exit status (within the deadline).
    fn stop_with(&mut self, signal: libc::c_int) -> ExitStatus {
        let pid = self.child.id() as libc::pid_t;
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
        let start = Instant::now();
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                return s;
            }
            if start.elapsed() > DEADLINE {
                let _ = self.child.kill();
                panic!("serve did not exit after SIGTERM; stderr:\n{}", self.text());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The id of some contact of the stand-in (`POST /contacts/search`, one page of one).
async fn some_contact(sb: &Sandbox) -> String {
    let r: Value = reqwest::Client::new()
        .post(format!("{}/contacts/search", sb.base_url()))
        .bearer_auth(DEMO_TOKEN)
        .header("Version", "2021-07-28")
        .json(&json!({"locationId": DEMO_LOCATION_ID, "pageLimit": 1}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["contacts"][0]["id"].as_str().unwrap().to_owned()
}

async fn create(sb: &Sandbox, contact: &str, what: &str, body: Value) {
    let r = reqwest::Client::new()
        .post(format!("{}/contacts/{contact}/{what}", sb.base_url()))
        .bearer_auth(DEMO_TOKEN)
        .header("Version", "2021-07-28")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
}

/// How many times the stand-in answered each contact's `GET /contacts/{id}/tasks`.
fn tasks_asked(sb: &Sandbox) -> std::collections::HashMap<String, usize> {
    let mut m = std::collections::HashMap::new();
    for r in sb.requests() {
        if r.method == "GET" && r.path.ends_with("/tasks") {
            *m.entry(r.path.split('/').nth(2).unwrap().to_owned())
                .or_default() += 1;
        }
    }
    m
}

fn assert_no_429(sb: &Sandbox) {
    let limited = sb.requests().iter().filter(|r| r.status == 429).count();
    assert_eq!(limited, 0, "the stand-in answered 429 {limited} times");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_pulls_crawls_within_the_rate_limit_and_exits_0_on_sigterm() {
    // A tight limit (20 requests a second): the 90 crawl requests need several windows.
    let sb = Sandbox::start(SandboxConfig {
        seed: Seed::Generated { contacts: 30 },
        rate_limit_max: 20,
        rate_limit_interval: Duration::from_secs(1),
        ..Default::default()
    })
    .await
    .unwrap();
    let someone = some_contact(&sb).await;
    create(
        &sb,
        &someone,
        "tasks",
        json!({"title": "Visit Sunday", "dueDate": "2026-12-06T08:00:00.000Z", "completed": false}),
    )
    .await;
    create(&sb, &someone, "notes", json!({"body": "wants a balcony"})).await;
    sb.clear_requests();
    let dir = tempfile::tempdir().unwrap();
    let (url, data) = (sb.base_url(), dir.path().to_path_buf());

    let (status, lines) = tokio::task::spawn_blocking(move || {
        let mut s = Serve::start(&url, &data, &[]);
        let pulled = s.wait_message("pull finished");
        assert_eq!(s.json()[pulled]["changed"], 30, "{}", s.text());
        assert_eq!(s.json()[pulled]["location"], DEMO_LOCATION_ID);
        s.wait_message("crawl pass finished");
        let status = s.terminate();
        (status, s.json())
    })
    .await
    .unwrap();
    assert!(status.success(), "exit {status:?}: {lines:#?}");
    // Every stderr line is a JSON object with the usual keys; the last says it stopped.
    for l in &lines {
        for k in ["timestamp", "level", "message", "target"] {
            assert!(l.get(k).is_some(), "no {k} in {l}");
        }
    }
    assert_eq!(lines.last().unwrap()["message"], "stopped");
    assert_eq!(lines.last().unwrap()["signal"], "SIGTERM");

    assert_no_429(&sb);
    let asked = tasks_asked(&sb);
    assert_eq!(asked.len(), 30);
    assert!(asked.values().all(|n| *n == 1), "{asked:?}");
    // Contacts were never opened (`GET /contacts/{id}`): the crawl asked for the activity only.
    assert!(!sb.requests().iter().any(|r| r.method == "GET"
        && r.path.starts_with("/contacts/")
        && r.path.matches('/').count() == 2));

    // The cache opens, and holds every contact with its tasks, notes and appointments.
    let store = Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();
    assert_eq!(store.contact_count(), 30);
    for r in store.contact_rows().unwrap() {
        assert!(store.tasks(&r.id).unwrap().is_some(), "{}", r.id);
        assert!(store.notes(&r.id).unwrap().is_some(), "{}", r.id);
        assert!(store.appointments(&r.id).unwrap().is_some(), "{}", r.id);
    }
    assert_eq!(
        store.tasks(&someone).unwrap().unwrap()[0].title,
        "Visit Sunday"
    );
    assert_eq!(
        store.notes(&someone).unwrap().unwrap()[0].body,
        "wants a balcony"
    );
    let c = CrawlCursor::load(&store);
    assert_eq!((c.pass, c.done, c.running()), (1, 30, false), "{c:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_mid_crawl_finishes_the_contact_in_flight_and_the_next_start_resumes() {
    // 10 requests a second: the crawl gets 5, under two contacts a second.
    let sb = Sandbox::start(SandboxConfig {
        seed: Seed::Generated { contacts: 20 },
        rate_limit_max: 10,
        rate_limit_interval: Duration::from_secs(1),
        ..Default::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let sb = Arc::new(sb);
    let (url, data, sb2) = (sb.base_url(), dir.path().to_path_buf(), sb.clone());
    let status = tokio::task::spawn_blocking(move || {
        let mut s = Serve::start(&url, &data, &[]);
        let start = Instant::now();
        while tasks_asked(&sb2).len() < 3 {
            assert!(start.elapsed() < DEADLINE, "no crawl: {}", s.text());
            std::thread::sleep(Duration::from_millis(20));
        }
        s.terminate()
    })
    .await
    .unwrap();
    assert!(status.success(), "{status:?}");
    let asked = tasks_asked(&sb);
    {
        let store = Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();
        let c = CrawlCursor::load(&store);
        assert!(c.running() && c.done >= 3 && c.done < 20, "{c:?}");
        // Every contact whose tasks were asked for was finished and stored, nothing more.
        let stored: Vec<String> = store
            .contact_rows()
            .unwrap()
            .into_iter()
            .filter(|r| store.tasks(&r.id).unwrap().is_some())
            .map(|r| r.id)
            .collect();
        assert_eq!(stored.len() as u64, c.done);
        for id in &stored {
            assert!(asked.contains_key(id));
            assert!(store.notes(id).unwrap().is_some(), "{id}");
            assert!(store.appointments(id).unwrap().is_some(), "{id}");
        }
        assert_eq!(asked.len(), stored.len());
    }

    // The next start goes on where the crawl stopped: each contact asked once in all.
    let (url, data) = (sb.base_url(), dir.path().to_path_buf());
    let status = tokio::task::spawn_blocking(move || {
        let mut s = Serve::start(&url, &data, &[]);
        s.wait_message("crawl pass finished");
        s.terminate()
    })
    .await
    .unwrap();
    assert!(status.success());
    let asked = tasks_asked(&sb);
    assert_eq!(asked.len(), 20);
    assert!(asked.values().all(|n| *n == 1), "{asked:?}");
    assert_no_429(&sb);
    let store = Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();
    let c = CrawlCursor::load(&store);
    assert_eq!((c.pass, c.done, c.running()), (1, 20, false), "{c:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_apply_sends_an_approved_change_once() {
    let sb = Sandbox::start(SandboxConfig {
        seed: Seed::Generated { contacts: 10 },
        ..Default::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (url, data) = (sb.base_url(), dir.path().to_path_buf());
    let out =
        tokio::task::spawn_blocking(move || base_cmd(&url, &data).arg("sync").output().unwrap())
            .await
            .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let someone = some_contact(&sb).await;
    let change = {
        let store = Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();
        let c = store.contact(&someone).unwrap().unwrap();
        let ch =
            bmby_ghl::sync::local::edit_contact_field(&store, &c, "lastName", "Served").unwrap();
        bmby_ghl::sync::review::approve(&store, ch.id).unwrap();
        store.flush().unwrap();
        ch.id
    };
    sb.clear_requests();

    let (url, data) = (sb.base_url(), dir.path().to_path_buf());
    let (status, lines) = tokio::task::spawn_blocking(move || {
        let mut s = Serve::start(
            &url,
            &data,
            &[
                "--apply",
                "--apply-interval",
                "1",
                "--no-crawl",
                "--log-level",
                "debug",
            ],
        );
        let sent = s.wait_lines("send finished", 0, 1, |v| {
            v["message"] == "send finished" && v["applied"] == 1
        });
        // Three more looks at the outbox after it: nothing queued, nothing sent again.
        s.wait_lines("outbox checks", sent, 3, |v| {
            v["message"] == "outbox checked" && v["queued"] == 0
        });
        let status = s.terminate();
        (status, s.json())
    })
    .await
    .unwrap();
    assert!(status.success(), "{lines:#?}");
    let puts = sb
        .requests()
        .into_iter()
        .filter(|r| r.method == "PUT" && r.path == format!("/contacts/{someone}"))
        .count();
    assert_eq!(puts, 1, "sent once");
    assert_eq!(sb.contact(&someone).unwrap()["lastName"], "Served");
    let store = Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();
    assert_eq!(
        store.change(change).unwrap().unwrap().state,
        ChangeState::Applied
    );
    assert_eq!(
        lines
            .iter()
            .filter(|v| v["message"] == "change sent" && v["change"] == change)
            .count(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_webhooks_refuses_an_address_that_is_not_ip_and_port() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_path_buf();
    let out = tokio::task::spawn_blocking(move || {
        base_cmd("http://127.0.0.1:9", &data)
            .args(["serve", "--webhooks", "hooks.example.com"])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    // A bad argument: exit 2, as clap's own errors.
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--webhooks hooks.example.com: expected an IP address and a port"),
        "{err}"
    );
}

/// `serve --webhooks 127.0.0.1:0` with the stand-in's test key in `[webhooks]`: a note created
/// in the stand-in reaches the cache as a signed NoteCreate, without a fetch of the notes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_applies_webhooks_the_stand_in_delivers() {
    let sb = Sandbox::start(SandboxConfig {
        seed: Seed::Generated { contacts: 3 },
        ..Default::default()
    })
    .await
    .unwrap();
    let someone = some_contact(&sb).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("none.toml"),
        format!(
            "[webhooks]\ned25519_public_key = \"\"\"{}\"\"\"\n",
            bmby_ghl::sandbox::webhooks::test_ed25519_public_pem()
        ),
    )
    .unwrap();
    let (url, data) = (sb.base_url(), dir.path().to_path_buf());
    let s = tokio::task::spawn_blocking(move || {
        let s = Serve::start(&url, &data, &["--webhooks", "127.0.0.1:0"]);
        s.wait_message("crawl pass finished");
        s
    })
    .await
    .unwrap();
    let listening = s.wait_message("webhook receiver listening");
    let addr = s.json()[listening]["addr"].as_str().unwrap().to_owned();
    sb.send_webhooks_to(bmby_ghl::sandbox::webhooks::SandboxWebhooks::to(format!(
        "http://{addr}/"
    )));
    create(&sb, &someone, "notes", json!({"body": "came by webhook"})).await;
    let (s, status) = tokio::task::spawn_blocking(move || {
        let mut s = s;
        s.wait_lines("webhooks applied", 0, 1, |v| {
            v["message"] == "webhooks applied"
        });
        let status = s.terminate();
        (s, status)
    })
    .await
    .unwrap();
    assert!(status.success(), "{status:?}: {}", s.text());
    let fetched = sb
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path == format!("/contacts/{someone}/notes"))
        .count();
    assert_eq!(fetched, 1, "the notes were fetched once, by the crawl");
    let store = Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();
    let notes = store.notes(&someone).unwrap().unwrap();
    assert!(
        notes.iter().any(|n| n.body == "came by webhook"),
        "{notes:?}"
    );
}

/// Without `--location` (and without GHL_TOKEN / GHL_LOCATION_ID) `serve` keeps every
/// signed-in location current; Ctrl-C (SIGINT) stops it with exit code 0 too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_keeps_every_signed_in_location_and_stops_on_ctrl_c() {
    let sb = Sandbox::start(SandboxConfig {
        seed: Seed::Generated { contacts: 7 },
        extra_locations: vec![ExtraLocation::second()],
        ..Default::default()
    })
    .await
    .unwrap();
    let second_count = sb.contact_count_of(SECOND_LOCATION_ID).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (url, data) = (sb.base_url(), dir.path().to_path_buf());
    let (status, lines) = tokio::task::spawn_blocking(move || {
        let signed_out = || {
            let mut c = base_cmd(&url, &data);
            c.env_remove("GHL_TOKEN").env_remove("GHL_LOCATION_ID");
            c
        };
        for (loc, token) in [
            (DEMO_LOCATION_ID, DEMO_TOKEN),
            (SECOND_LOCATION_ID, SECOND_TOKEN),
        ] {
            let mut child = signed_out()
                .args(["auth", "login", "--token", "--location", loc])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            use std::io::Write as _;
            writeln!(child.stdin.take().unwrap(), "{token}").unwrap();
            let o = child.wait_with_output().unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        }
        let mut s = Serve::spawn(signed_out(), &["--no-crawl"]);
        for loc in [DEMO_LOCATION_ID, SECOND_LOCATION_ID] {
            s.wait_lines("pull finished", 0, 1, |v| {
                v["message"] == "pull finished" && v["location"] == loc
            });
        }
        let status = s.stop_with(libc::SIGINT);
        (status, s.json())
    })
    .await
    .unwrap();
    assert!(status.success(), "{lines:#?}");
    assert_eq!(lines.last().unwrap()["signal"], "Ctrl-C");
    for (loc, n) in [(DEMO_LOCATION_ID, 7), (SECOND_LOCATION_ID, second_count)] {
        let store = Store::open(dir.path(), loc).unwrap();
        assert_eq!(store.contact_count(), n, "{loc}");
    }
}

/// A cache another process holds is not served, and `serve` says so (exit code 1 when no
/// location is left).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_says_when_the_cache_is_in_use() {
    let sb = Sandbox::start(SandboxConfig {
        seed: Seed::Generated { contacts: 3 },
        ..Default::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let held = Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();
    let (url, data) = (sb.base_url(), dir.path().to_path_buf());
    let out = tokio::task::spawn_blocking(move || {
        base_cmd(&url, &data)
            .args(["serve", "--no-crawl"])
            .stdin(Stdio::null())
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    drop(held);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("in use by another bmby-ghl process"), "{err}");
    assert!(sb.requests().is_empty(), "nothing asked of GHL");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_commands_run_through_a_running_serve() {
    let sb = Sandbox::start(SandboxConfig {
        seed: Seed::Generated { contacts: 4 },
        ..Default::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (url, data) = (sb.base_url(), dir.path().to_path_buf());
    let (contacts, changes, status) = tokio::task::spawn_blocking(move || {
        let mut s = Serve::start(&url, &data, &["--no-crawl"]);
        s.wait_message("pull finished");
        // serve holds the cache: these run in its process through the owner socket.
        let contacts = base_cmd(&url, &data)
            .args(["contacts", "--json"])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let changes = base_cmd(&url, &data)
            .args(["changes", "--json"])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        (contacts, changes, s.terminate())
    })
    .await
    .unwrap();
    assert!(status.success(), "{status:?}");
    assert_eq!(
        contacts.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&contacts.stderr)
    );
    let list: Value = serde_json::from_slice(&contacts.stdout).unwrap();
    assert_eq!(list["count"], 4, "{list}");
    assert_eq!(list["contacts"].as_array().map(Vec::len), Some(4), "{list}");
    assert_eq!(
        changes.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&changes.stderr)
    );
    // The socket is gone once serve stopped, and the cache opens.
    let sock = bmby_ghl::owner::socket_path(dir.path(), DEMO_LOCATION_ID);
    assert!(!sock.exists(), "{sock:?} left behind");
    Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();
}
