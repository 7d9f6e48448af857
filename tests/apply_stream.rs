//! `bmby-ghl apply` never goes silent: one line per change as it lands, a progress line on a
//! terminal, a clean stop on Ctrl-C (in tmux) and SIGTERM after the change in flight with a
//! summary, and a second run that finishes the rest, every change landing exactly once in the
//! stand-in. Also: `apply` with nothing approved, and `changes` showing a conflict three ways.
//!
//! The stand-in runs in the test process with a rate limit low enough (60 requests a second)
//! that a few hundred changes take several seconds; every wait polls for a condition.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use bmby_ghl::domain::{Change, ChangeKind, ChangeState, FieldChange};
use bmby_ghl::ghl::{ClientConfig, GhlClient, PrivateIntegrationToken, Secret};
use bmby_ghl::sandbox::{Sandbox, SandboxConfig, Seed, DEMO_LOCATION_ID, DEMO_TOKEN};
use bmby_ghl::store::Store;
use bmby_ghl::sync;

use crate::tmux_support::Tmux;

fn change(id: u64, kind: ChangeKind, contact: Option<(String, Option<String>)>) -> Change {
    let (contact_id, base) = contact.unzip();
    Change {
        id,
        kind,
        state: ChangeState::Approved,
        client_id: format!("bmby{id}"),
        contact_id,
        display_name: format!("Person {id}"),
        fields: Vec::new(),
        base_date_updated: base.flatten(),
        origin: "apply stream test".into(),
        warnings: vec![],
        candidates: vec![],
        fingerprint: String::new(),
        created_at: String::new(),
        updated_at: String::new(),
        subject: Default::default(),
        target: Default::default(),
        choice: None,
        matched: None,
        removable_tags: Vec::new(),
    }
}

fn field(f: &str, now: Option<&str>, v: &str) -> FieldChange {
    FieldChange {
        field: f.into(),
        label: f.into(),
        source_field: f.into(),
        ghl_now: now.map(str::to_owned),
        proposed: Some(v.into()),
        edited: false,
        value_json: None,
    }
}

/// A stand-in of `contacts` generated contacts at 60 requests a second.
async fn stand_in(contacts: usize) -> Sandbox {
    Sandbox::start(SandboxConfig {
        seed: Seed::Generated { contacts },
        rate_limit_max: 60,
        rate_limit_interval: Duration::from_secs(1),
        ..Default::default()
    })
    .await
    .unwrap()
}

/// Pulls the stand-in into a cache in `dir` and queues `updates` approved city updates (one per
/// contact) and `creates` approved creates (each with its own email). Returns the expected
/// city of each updated contact.
async fn queue(sb: &Sandbox, dir: &Path, updates: usize, creates: usize) -> Vec<(String, String)> {
    let client = GhlClient::new(
        ClientConfig::new(&sb.base_url(), DEMO_LOCATION_ID),
        std::sync::Arc::new(PrivateIntegrationToken(Secret::new(DEMO_TOKEN))),
    )
    .unwrap();
    let store = Store::open(dir, DEMO_LOCATION_ID).unwrap();
    sync::pull_contacts(&client, &store, true, |_| {})
        .await
        .unwrap();
    let mut expected = Vec::new();
    let mut id = 0;
    for row in store.contact_rows().unwrap().into_iter().take(updates) {
        id += 1;
        let c = store.contact(&row.id).unwrap().unwrap();
        let city = format!("עיר {id}");
        let mut ch = change(
            id,
            ChangeKind::Update,
            Some((c.id.clone(), c.date_updated.clone())),
        );
        ch.fields = vec![field("city", c.city.as_deref(), &city)];
        store.put_change(&ch).unwrap();
        expected.push((c.id, city));
    }
    for n in 0..creates {
        id += 1;
        let mut ch = change(id, ChangeKind::Create, None);
        ch.fields = vec![
            field("firstName", None, "חדש"),
            field("email", None, &format!("stream{n}@example.com")),
        ];
        store.put_change(&ch).unwrap();
    }
    store.flush().unwrap();
    expected
}

fn env_args(sb: &Sandbox, dir: &Path) -> (Vec<String>, Vec<(&'static str, String)>) {
    (
        vec![
            "--data-dir".into(),
            dir.to_str().unwrap().into(),
            "--config".into(),
            "/dev/null".into(),
        ],
        vec![
            ("GHL_BASE_URL", sb.base_url()),
            ("GHL_TOKEN", DEMO_TOKEN.into()),
            ("GHL_LOCATION_ID", DEMO_LOCATION_ID.into()),
        ],
    )
}

fn bin(sb: &Sandbox, dir: &Path, args: &[&str]) -> Command {
    let (global, env) = env_args(sb, dir);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_bmby-ghl"));
    cmd.args(global).args(args).envs(env);
    cmd
}

/// Every change ended applied, each update's value is in GHL, each update was written by one
/// successful PUT and each create by one successful POST (the stand-in's own log and count).
async fn assert_all_landed_once(
    sb: &Sandbox,
    dir: &Path,
    expected: &[(String, String)],
    creates: usize,
) {
    let store = Store::open(dir, DEMO_LOCATION_ID).unwrap();
    for c in store.changes().unwrap() {
        assert_eq!(c.state, ChangeState::Applied, "change {}", c.id);
    }
    drop(store);
    let reqs = sb.requests();
    let mut puts: HashMap<String, usize> = HashMap::new();
    for r in reqs.iter().filter(|r| r.method == "PUT" && r.status == 200) {
        *puts.entry(r.path.clone()).or_default() += 1;
    }
    for (id, _) in expected {
        assert_eq!(
            puts.get(&format!("/contacts/{id}")).copied(),
            Some(1),
            "contact {id} written exactly once"
        );
    }
    let mut posted: Vec<String> = reqs
        .iter()
        .filter(|r| r.method == "POST" && r.path == "/contacts/" && r.status == 201)
        .map(|r| r.body["email"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(posted.len(), creates, "each create sent successfully once");
    posted.sort();
    posted.dedup();
    assert_eq!(posted.len(), creates, "no create twice");
    assert_eq!(sb.contact_count(), expected.len() + creates);
    let client = GhlClient::new(
        ClientConfig::new(&sb.base_url(), DEMO_LOCATION_ID),
        std::sync::Arc::new(PrivateIntegrationToken(Secret::new(DEMO_TOKEN))),
    )
    .unwrap();
    for (id, city) in expected.iter().step_by(25) {
        let c = client.get_contact(id).await.unwrap();
        assert_eq!(c.city.as_deref(), Some(city.as_str()));
    }
}

fn applied_lines(screen: &str) -> usize {
    screen
        .lines()
        .filter(|l| l.starts_with('#') && l.contains(" applied "))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_in_tmux_streams_lines_stops_on_ctrl_c_and_a_second_run_finishes() {
    const UPDATES: usize = 250;
    const CREATES: usize = 50;
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("tmux not installed: skipping");
        return;
    }
    let sb = stand_in(UPDATES).await;
    let dir = tempfile::tempdir().unwrap();
    let expected = queue(&sb, dir.path(), UPDATES, CREATES).await;
    sb.clear_requests();

    let (global, env) = env_args(&sb, dir.path());
    let env: Vec<String> = env.iter().map(|(k, v)| format!("{k}={v}")).collect();
    // The shell traps SIGINT (a handler, not an ignore: the binary gets the default
    // disposition back at exec) so that it lives on to print the exit code.
    let cmd = format!(
        "trap 'true' INT; {} {} {} apply; echo EXITED $?; sleep 120",
        env.join(" "),
        env!("CARGO_BIN_EXE_bmby-ghl"),
        global.join(" ")
    );
    let t = Tmux::start("apply", &cmd, 100, 30).unwrap();
    // Lines appear while the run goes on (the run is far from over at 5 lines: 300 changes
    // at 60 requests a second), and the progress line counts on the terminal's stderr.
    let s = t.wait_for("the first lines", |s| applied_lines(s) >= 5);
    assert!(!s.contains("EXITED"), "still running:\n{s}");
    assert!(
        s.lines()
            .any(|l| l.starts_with("#1 applied update Person 1 (")),
        "one line per change: id, outcome, what, who, contact:\n{s}"
    );
    t.wait_for("the progress line", |s| {
        s.lines()
            .any(|l| l.starts_with("sent ") && l.contains(&format!("/{}", UPDATES + CREATES)))
    });

    t.keys(&["C-c"]);
    let s = t.wait_for_joined("the summary", |s| s.contains("EXITED"));
    assert!(s.contains("EXITED 2"), "a stopped run exits 2:\n{s}");
    assert!(
        s.contains("stopped by Ctrl-C after the change in flight: sent "),
        "{s}"
    );
    assert!(s.contains("still waiting: "), "{s}");
    assert!(s.contains("`bmby-ghl apply` sends them"), "{s}");
    drop(t);

    // What the first run left: some applied, the rest still approved, nothing half-done.
    {
        let store = Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();
        let changes = store.changes().unwrap();
        let applied = changes
            .iter()
            .filter(|c| c.state == ChangeState::Applied)
            .count();
        assert!(applied > 0 && applied < UPDATES + CREATES, "{applied}");
        assert!(
            changes
                .iter()
                .all(|c| matches!(c.state, ChangeState::Applied | ChangeState::Approved)),
            "the change in flight finished its step"
        );
    }

    // A second run finishes the rest.
    let o = bin(&sb, dir.path(), &["apply"]).output().unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{text}");
    assert!(!text.contains("stopped"), "{text}");
    assert!(
        String::from_utf8_lossy(&o.stderr).trim().is_empty(),
        "no progress line when stderr is not a terminal"
    );
    assert_all_landed_once(&sb, dir.path(), &expected, CREATES).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_apply_after_the_change_in_flight_and_a_second_run_finishes() {
    const UPDATES: usize = 200;
    let sb = stand_in(UPDATES).await;
    let dir = tempfile::tempdir().unwrap();
    let expected = queue(&sb, dir.path(), UPDATES, 0).await;
    sb.clear_requests();

    let mut child = bin(&sb, dir.path(), &["apply"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    // Lines arrive one by one while the run goes on.
    for n in 1..=5 {
        let l = lines.next().unwrap().unwrap();
        assert!(l.starts_with(&format!("#{n} applied update")), "{l}");
    }
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let rest: Vec<String> = lines.map(|l| l.unwrap()).collect();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(2), "{rest:?}");
    let summary = rest
        .iter()
        .find(|l| l.starts_with("stopped by SIGTERM after the change in flight: sent "))
        .unwrap_or_else(|| panic!("{rest:?}"));
    let sent: usize = summary
        .rsplit("sent ")
        .next()
        .and_then(|s| s.split(' ').next())
        .and_then(|s| s.parse().ok())
        .unwrap();
    assert!((5..UPDATES).contains(&sent), "{summary}");
    let change_lines = rest.iter().filter(|l| l.starts_with('#')).count();
    assert_eq!(change_lines + 5, sent, "one line per change sent");
    assert!(
        rest.iter().any(|l| l.starts_with("still waiting: ")),
        "{rest:?}"
    );

    let o = bin(&sb, dir.path(), &["apply"]).output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert_all_landed_once(&sb, dir.path(), &expected, 0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_with_nothing_approved_says_so_and_how_to_approve() {
    let sb = stand_in(3).await;
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();
        let mut c = change(1, ChangeKind::Create, None);
        c.state = ChangeState::Pending;
        c.fields = vec![field("email", None, "pending@example.com")];
        store.put_change(&c).unwrap();
        store.flush().unwrap();
    }
    sb.clear_requests();
    let o = bin(&sb, dir.path(), &["apply"]).output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("nothing to send: no change is approved"),
        "{err}"
    );
    assert!(
        err.contains("1 change(s) wait for review") && err.contains("bmby-ghl approve ID"),
        "{err}"
    );
    assert!(err.contains("bmby-ghl apply --all"), "{err}");
    assert!(sb.requests().is_empty(), "nothing was sent");

    let o = bin(&sb, dir.path(), &["apply", "--json"]).output().unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["results"], serde_json::json!([]));
}

/// `apply` with nothing approved but changes in conflict says how many and how to see them
/// (not "no change is pending review either" alone); `changes --state bogus` is a bad
/// argument: exit 2 with what is valid, as clap's own errors and the `contacts` filters.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_with_only_conflicts_names_them_and_a_bad_state_exits_2() {
    let sb = stand_in(3).await;
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();
        for id in [1, 2] {
            let mut c = change(id, ChangeKind::Create, None);
            c.state = ChangeState::Conflict;
            c.fields = vec![field("email", None, &format!("c{id}@example.com"))];
            store.put_change(&c).unwrap();
        }
        store.flush().unwrap();
    }
    sb.clear_requests();
    let o = bin(&sb, dir.path(), &["apply"]).output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("2 change(s) are in conflict with GHL")
            && err.contains("`bmby-ghl changes --state conflict`"),
        "{err}"
    );
    assert!(!err.contains("import a Bmby export"), "{err}");
    assert!(sb.requests().is_empty(), "nothing was sent");

    let o = bin(&sb, dir.path(), &["changes", "--state", "bogus"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--state bogus: use one of pending, approved"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_text_shows_a_conflict_three_ways() {
    let sb = stand_in(3).await;
    let dir = tempfile::tempdir().unwrap();
    let expected = queue(&sb, dir.path(), 1, 0).await;
    let (id, _) = &expected[0];
    // Someone edits the contact in GHL after the diff: the send is a conflict.
    assert!(sb.update_contact(id, serde_json::json!({ "city": "חיפה" })));
    let o = bin(&sb, dir.path(), &["apply", "--json"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["results"][0]["state"], "conflict", "{doc}");

    let o = bin(&sb, dir.path(), &["changes"]).output().unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("#1 update conflict Person 1"), "{text}");
    assert!(
        text.contains("⚠ conflict: contact changed in GHL"),
        "{text}"
    );
    assert!(text.contains("      base (when diffed): (empty)"), "{text}");
    assert!(text.contains("      GHL now:            חיפה"), "{text}");
    assert!(text.contains("      proposed:           עיר 1"), "{text}");
    assert!(text.contains("bmby-ghl approve 1"), "{text}");
}
