//! One owner per cache: with an owner holding a location's cache, the CLI (the real binary)
//! runs through it with the same stdout, stderr and exit code as without one; two `apply` runs
//! through one owner send each change once; a protocol mismatch says which versions met; the
//! socket is owner-only and gone when the owner stops.
//!
//! The owner here runs in the test process ([`Owner::start`] on an open store, as the TUI and
//! `serve` do); `tests/owner_tmux.rs` has the TUI (the demo) as the owner and one killed with
//! SIGKILL.

use std::collections::HashMap;
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use bmby_ghl::domain::{Change, ChangeKind, ChangeState, FieldChange};
use bmby_ghl::ghl::{ClientConfig, GhlClient, PrivateIntegrationToken, Secret};
use bmby_ghl::owner::protocol::{self, kind, Hello, PROTOCOL};
use bmby_ghl::owner::{socket_path, Owner};
use bmby_ghl::sandbox::{Sandbox, SandboxConfig, Seed, DEMO_LOCATION_ID, DEMO_TOKEN};
use bmby_ghl::store::Store;
use bmby_ghl::sync;

fn change(id: u64, state: ChangeState, contact: Option<(String, Option<String>)>) -> Change {
    let (contact_id, base) = contact.unzip();
    Change {
        id,
        kind: if contact_id.is_some() {
            ChangeKind::Update
        } else {
            ChangeKind::Create
        },
        state,
        client_id: format!("bmby{id}"),
        contact_id,
        display_name: format!("אדם {id}"),
        fields: Vec::new(),
        base_date_updated: base.flatten(),
        origin: "owner test".into(),
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

/// Pulls the stand-in into a cache in `dir` and stores `updates` city updates (one per
/// contact) and `creates` creates, all in `state`. Returns the updated contacts' ids.
async fn queue(
    sb: &Sandbox,
    dir: &Path,
    updates: usize,
    creates: usize,
    state: ChangeState,
) -> Vec<String> {
    let client = GhlClient::new(
        ClientConfig::new(&sb.base_url(), DEMO_LOCATION_ID),
        std::sync::Arc::new(PrivateIntegrationToken(Secret::new(DEMO_TOKEN))),
    )
    .unwrap();
    let store = Store::open(dir, DEMO_LOCATION_ID).unwrap();
    sync::pull_contacts(&client, &store, true, |_| {})
        .await
        .unwrap();
    let mut ids = Vec::new();
    // Ids of their own: an import numbers its changes from 1.
    let mut id = 100;
    for row in store.contact_rows().unwrap().into_iter().take(updates) {
        id += 1;
        let c = store.contact(&row.id).unwrap().unwrap();
        let mut ch = change(id, state, Some((c.id.clone(), c.date_updated.clone())));
        ch.fields = vec![field("city", c.city.as_deref(), &format!("עיר {id}"))];
        store.put_change(&ch).unwrap();
        ids.push(c.id);
    }
    for n in 0..creates {
        id += 1;
        let mut ch = change(id, state, None);
        ch.fields = vec![
            field("firstName", None, "חדש"),
            field("email", None, &format!("owner{n}@example.com")),
        ];
        store.put_change(&ch).unwrap();
    }
    store.flush().unwrap();
    ids
}

/// The real binary on `dir` against the stand-in, run on a blocking thread.
async fn bin(sb: &Sandbox, dir: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_bmby-ghl"));
    cmd.args(["--data-dir", dir.to_str().unwrap(), "--config", "/dev/null"])
        .args(args)
        .current_dir(dir)
        .env("GHL_BASE_URL", sb.base_url())
        .env("GHL_TOKEN", DEMO_TOKEN)
        .env("GHL_LOCATION_ID", DEMO_LOCATION_ID);
    tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap()
}

fn text(o: &Output) -> (Option<i32>, String, String) {
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// A JSON document with the instants changes were made at left out (they differ between any
/// two runs); other text as it is.
fn timeless(s: &str) -> String {
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                for k in ["created_at", "updated_at", "at", "sentAt", "lastAttemptAt"] {
                    if let Some(x) = m.get_mut(k) {
                        *x = serde_json::Value::Null;
                    }
                }
                m.values_mut().for_each(strip);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    match serde_json::from_str::<serde_json::Value>(s) {
        Ok(mut v) => {
            strip(&mut v);
            serde_json::to_string_pretty(&v).unwrap()
        }
        Err(_) => s.to_owned(),
    }
}

/// The commands compared, in order (`approve` and `apply` change the cache and GHL, so both
/// sides run the same sequence on equal starting points).
const SCRIPT: &[&[&str]] = &[
    // A file named relative to the working directory of the process that asked.
    &["import", "clients.csv"],
    &["import", "missing.csv"],
    &["changes"],
    &["changes", "--json", "--state", "pending"],
    &["contacts", "--json"],
    &["contacts", "--query", "cohen"],
    &["approve", "101", "102", "104"],
    &["approve", "999"],
    &["reject", "103"],
    &["reset", "103"],
    &["recent", "--since", "1w"],
    &["changes", "--state", "approved"],
    &["apply"],
    &["apply"],
    &["journal"],
    &["revert", "1"],
    &["op", "tasks", "--contact", "nope-not-there"],
];

/// A Bmby export with two new clients and a row without a client id (a problem naming the
/// file and row).
const CSV: &str = "\u{feff}מספר לקוח,שם פרטי,שם משפחה,אימייל,נייד,עיר\n\
                   9002,מיכל,לוי,michal.new@example.com,0507654321,חיפה\n\
                   9003,Dan,Brown,dan.new@example.com,,Eilat\n\
                   ,No,Id,noid@example.com,,\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_through_an_owner_prints_and_exits_as_without_one() {
    // Two equal worlds: one used directly, one through an owner.
    let (sb_a, sb_b) = (stand_in(12).await, stand_in(12).await);
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    queue(&sb_a, a.path(), 4, 1, ChangeState::Pending).await;
    queue(&sb_b, b.path(), 4, 1, ChangeState::Pending).await;
    for d in [a.path(), b.path()] {
        std::fs::write(d.join("clients.csv"), CSV).unwrap();
    }

    let owner = Owner::start(
        Store::open(b.path(), DEMO_LOCATION_ID).unwrap(),
        b.path(),
        DEMO_LOCATION_ID,
        "test",
    );
    assert!(owner.listen_error().is_none(), "{:?}", owner.listen_error());
    let sock = socket_path(b.path(), DEMO_LOCATION_ID);
    assert_eq!(owner.socket(), Some(sock.as_path()));

    for args in SCRIPT {
        let direct = text(&bin(&sb_a, a.path(), args).await);
        let through = text(&bin(&sb_b, b.path(), args).await);
        // Journal entries carry the time they were written; the rest must match exactly.
        if args[0] == "journal" {
            assert_eq!(direct.0, through.0, "{args:?}");
            assert_eq!(direct.1.lines().count(), through.1.lines().count());
            assert!(
                through.1.contains("#3"),
                "three writes journaled:\n{}",
                through.1
            );
            continue;
        }
        let (mut direct, mut through) = (
            (direct.0, timeless(&direct.1), direct.2),
            (through.0, timeless(&through.1), through.2),
        );
        if args[0] == "recent" {
            // "since 2026-11-27 17:41": the two runs may straddle a minute.
            let digitless = |s: &mut String| *s = s.replace(|c: char| c.is_ascii_digit(), "0");
            for o in [&mut direct, &mut through] {
                digitless(&mut o.1);
                digitless(&mut o.2);
            }
        }
        assert_eq!(direct, through, "{args:?}: direct vs through the owner");
        // And the commands did what they say (not merely the same on both sides).
        match args {
            ["import", "clients.csv"] => {
                assert_eq!(through.0, Some(0), "{through:?}");
                assert!(through.1.contains("2 clients read"), "{through:?}");
                assert!(
                    through.2.contains("clients.csv: row 4"),
                    "the file as typed: {through:?}"
                );
            }
            ["import", "missing.csv"] => {
                assert_eq!(through.0, Some(1));
                assert!(
                    through.2.contains("cannot read missing.csv:"),
                    "{through:?}"
                );
            }
            ["approve", "101", ..] => assert!(through.1.contains("#104 approved")),
            ["apply"] if through.1.contains("applied") => {
                assert!(through.1.contains("3 applied, 0 failed"), "{through:?}")
            }
            ["revert", "1"] => assert!(through.1.contains("revert of journal #1")),
            _ => {}
        }
    }
    // The expected things happened, not just the same things.
    let applied = text(&bin(&sb_b, b.path(), &["changes", "--state", "applied"]).await).1;
    assert!(
        applied.matches("applied").count() >= 3,
        "three changes applied through the owner:\n{applied}"
    );
    let puts = sb_b
        .requests()
        .iter()
        .filter(|r| r.method == "PUT" && r.status == 200)
        .count();
    assert_eq!(puts, 3, "the three approved updates were written once each");

    drop(owner);
    assert!(!sock.exists(), "the owner removes its socket when it stops");
    // Without an owner the cache opens again (the next process is the owner).
    let after = text(&bin(&sb_b, b.path(), &["changes", "--state", "approved"]).await);
    assert_eq!(after.0, Some(0), "{after:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_concurrent_applies_through_one_owner_send_each_change_once() {
    let sb = stand_in(60).await;
    let dir = tempfile::tempdir().unwrap();
    let updated = queue(&sb, dir.path(), 50, 5, ChangeState::Approved).await;
    sb.clear_requests();
    let owner = Owner::start(
        Store::open(dir.path(), DEMO_LOCATION_ID).unwrap(),
        dir.path(),
        DEMO_LOCATION_ID,
        "test",
    );
    let (one, two) = tokio::join!(
        bin(&sb, dir.path(), &["apply"]),
        bin(&sb, dir.path(), &["apply", "--json"])
    );
    let (one, two) = (text(&one), text(&two));
    assert_eq!(one.0, Some(0), "{one:?}");
    assert_eq!(two.0, Some(0), "{two:?}");
    // Both ran in the owner (neither was refused as "in use"); whichever started second
    // selected only what was still queued, and saw each of those land.
    assert!(
        one.1.lines().any(|l| l.ends_with(
            " applied, 0 failed, 0 conflicts, 0 still in flight, 0 still approved (not sent yet)"
        )),
        "first run's summary:\n{}",
        one.1
    );
    let doc: serde_json::Value = serde_json::from_str(&two.1).unwrap();
    assert_eq!(doc["stopped"], false);

    let store = owner.store().clone();
    for c in store.changes().unwrap() {
        assert_eq!(c.state, ChangeState::Applied, "change {}", c.id);
    }
    let reqs = sb.requests();
    let mut puts: HashMap<String, usize> = HashMap::new();
    for r in reqs.iter().filter(|r| r.method == "PUT") {
        *puts.entry(r.path.clone()).or_default() += 1;
    }
    for id in &updated {
        assert_eq!(
            puts.get(&format!("/contacts/{id}")).copied(),
            Some(1),
            "contact {id} written exactly once"
        );
    }
    let posts = reqs
        .iter()
        .filter(|r| r.method == "POST" && r.path == "/contacts/")
        .count();
    assert_eq!(posts, 5, "each create sent once");
    assert_eq!(sb.contact_count(), 65);
    drop(store);
    drop(owner);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_speaking_another_protocol_is_named_with_both_versions() {
    let sb = stand_in(3).await;
    let dir = tempfile::tempdir().unwrap();
    // A stand-in for an older binary: it holds the cache and answers with protocol 0.
    let store = Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();
    let sock = socket_path(dir.path(), DEMO_LOCATION_ID);
    std::fs::create_dir_all(sock.parent().unwrap()).unwrap();
    let listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
    let old = std::thread::spawn(move || {
        let (mut c, _) = listener.accept().unwrap();
        let (k, body) = protocol::read_frame(&mut c).unwrap().unwrap();
        assert_eq!(k, kind::HELLO);
        let theirs: Hello = protocol::parse(&body, "hello").unwrap();
        protocol::write_json(
            &mut c,
            kind::HELLO,
            &serde_json::json!({"protocol": 0, "version": "0.0.9", "pid": 4242, "role": "tui"}),
        )
        .unwrap();
        theirs
    });
    let (code, out, err) = text(&bin(&sb, dir.path(), &["changes"]).await);
    let client_hello = old.join().unwrap();
    assert_eq!(client_hello.protocol, PROTOCOL);
    assert_eq!(code, Some(1), "{err}");
    assert!(out.is_empty(), "nothing ran: {out}");
    let ours = env!("CARGO_PKG_VERSION");
    assert!(
        err.contains("pid 4242, tui")
            && err.contains("version 0.0.9 (owner protocol 0)")
            && err.contains(&format!(
                "this is version {ours} (owner protocol {PROTOCOL})"
            )),
        "{err}"
    );
    drop(store);
}

#[test]
fn an_owner_answers_a_client_of_another_protocol_with_its_hello_and_runs_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let owner = Owner::start(
        Store::open(dir.path(), DEMO_LOCATION_ID).unwrap(),
        dir.path(),
        DEMO_LOCATION_ID,
        "tui",
    );
    let sock = owner.socket().unwrap().to_path_buf();
    // Owner-only: the directory 0700, the socket 0600.
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(sock.parent().unwrap()), 0o700);
    assert_eq!(mode(&sock), 0o600);

    let mut c = std::os::unix::net::UnixStream::connect(&sock).unwrap();
    protocol::write_json(
        &mut c,
        kind::HELLO,
        &serde_json::json!({"protocol": PROTOCOL + 1, "version": "99.0.0"}),
    )
    .unwrap();
    let (k, body) = protocol::read_frame(&mut c).unwrap().unwrap();
    assert_eq!(k, kind::HELLO);
    let theirs: Hello = protocol::parse(&body, "hello").unwrap();
    assert_eq!(theirs.protocol, PROTOCOL);
    assert_eq!(theirs.role, "tui");
    assert_eq!(theirs.pid, std::process::id());
    // Then the owner closes: no request is read, nothing runs.
    assert_eq!(protocol::read_frame(&mut c).unwrap(), None);
    drop(owner);
    assert!(!sock.exists());
}

#[test]
fn a_stale_socket_is_replaced_by_the_next_owner() {
    let dir = tempfile::tempdir().unwrap();
    let sock = socket_path(dir.path(), DEMO_LOCATION_ID);
    // What a killed owner leaves: a socket file nobody listens on.
    std::fs::create_dir_all(sock.parent().unwrap()).unwrap();
    drop(std::os::unix::net::UnixListener::bind(&sock).unwrap());
    assert!(sock.exists());
    assert!(std::os::unix::net::UnixStream::connect(&sock).is_err());
    let owner = Owner::start(
        Store::open(dir.path(), DEMO_LOCATION_ID).unwrap(),
        dir.path(),
        DEMO_LOCATION_ID,
        "cli",
    );
    assert!(owner.listen_error().is_none(), "{:?}", owner.listen_error());
    assert!(std::os::unix::net::UnixStream::connect(&sock).is_ok());
    drop(owner);
    assert!(!sock.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_to_a_client_stops_the_apply_the_owner_runs_after_the_change_in_flight() {
    use std::io::{BufRead as _, BufReader, Read as _};
    use std::process::Stdio;
    const UPDATES: usize = 150;
    let sb = stand_in(UPDATES).await;
    let dir = tempfile::tempdir().unwrap();
    queue(&sb, dir.path(), UPDATES, 0, ChangeState::Approved).await;
    let owner = Owner::start(
        Store::open(dir.path(), DEMO_LOCATION_ID).unwrap(),
        dir.path(),
        DEMO_LOCATION_ID,
        "test",
    );
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_bmby-ghl"));
    cmd.args([
        "--data-dir",
        dir.path().to_str().unwrap(),
        "--config",
        "/dev/null",
        "apply",
    ])
    .env("GHL_BASE_URL", sb.base_url())
    .env("GHL_TOKEN", DEMO_TOKEN)
    .env("GHL_LOCATION_ID", DEMO_LOCATION_ID)
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let (code, first, rest, err) = tokio::task::spawn_blocking(move || {
        let mut child = cmd.spawn().unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        // Lines arrive one by one from the owner while the run goes on.
        let first: Vec<String> = (0..3).map(|_| lines.next().unwrap().unwrap()).collect();
        assert!(Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap()
            .success());
        let rest: Vec<String> = lines.map(|l| l.unwrap()).collect();
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        (child.wait().unwrap().code(), first, rest, err)
    })
    .await
    .unwrap();
    for (n, l) in first.iter().enumerate() {
        assert!(
            l.starts_with(&format!("#{} applied update", n + 101)),
            "{l}"
        );
    }
    assert_eq!(code, Some(2), "{rest:?}\n{err}");
    assert!(
        err.contains("SIGTERM: stopping after the change in flight (its state is saved)"),
        "{err}"
    );
    let summary = rest
        .iter()
        .find(|l| l.starts_with("stopped by SIGTERM after the change in flight: sent "))
        .unwrap_or_else(|| panic!("{rest:?}"));
    assert!(summary.ends_with(&format!(" of {UPDATES}")), "{summary}");
    let store = owner.store().clone();
    let waiting = store
        .changes()
        .unwrap()
        .iter()
        .filter(|c| c.state == ChangeState::Approved)
        .count();
    assert!(waiting > 0, "the run stopped before the end");
    drop(store);
    drop(owner);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_tui_without_a_terminal_names_the_owner_and_suggests_the_cli() {
    let sb = stand_in(3).await;
    let dir = tempfile::tempdir().unwrap();
    let owner = Owner::start(
        Store::open(dir.path(), DEMO_LOCATION_ID).unwrap(),
        dir.path(),
        DEMO_LOCATION_ID,
        "tui",
    );
    // No subcommand: the TUI, which would attach to the owner (`tests/owner_attach_tmux.rs`)
    // but has no terminal here: it stops before it takes one.
    let (code, _, err) = text(&bin(&sb, dir.path(), &[]).await);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains(&format!("pid {}, tui", std::process::id()))
            && err.contains("a TUI attaches to it from a terminal, and this one has none")
            && err.contains("run CLI commands"),
        "{err}"
    );
    // `serve` on the same location names the owner too (found by a newcomer: it said only
    // "in use by another bmby-ghl process").
    let (code, _, err) = text(&bin(&sb, dir.path(), &["serve", "--no-crawl"]).await);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains(&format!("pid {}, tui", std::process::id()))
            && err.contains("a second serve (or demo) on the same location cannot open it"),
        "{err}"
    );
    drop(owner);
}

/// An `import` run through an owner that set its own connection (as the demo does) reads the
/// export with the caller's `[bmby.columns]`: only the connection is the owner's (found by a
/// newcomer: the demo dropped a `cell` column the caller's config names as the mobile phone).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_through_an_owner_keeps_the_callers_column_names() {
    let sb = stand_in(4).await;
    let dir = tempfile::tempdir().unwrap();
    queue(&sb, dir.path(), 0, 0, ChangeState::Pending).await;
    std::fs::write(
        dir.path().join("map.toml"),
        "[bmby.columns]\nphone_mobile = [\"cell\"]\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("map.csv"),
        "client_id,fname,cell,city\n98001,Map,052-1111111,Haifa\n",
    )
    .unwrap();
    let owner = Owner::start(
        Store::open(dir.path(), DEMO_LOCATION_ID).unwrap(),
        dir.path(),
        DEMO_LOCATION_ID,
        "test",
    );
    assert!(owner.listen_error().is_none(), "{:?}", owner.listen_error());
    // The owner's own settings: no column names of its own.
    owner.set_connection(&bmby_ghl::config::Settings::default());
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_bmby-ghl"));
    cmd.args([
        "--data-dir",
        dir.path().to_str().unwrap(),
        "--config",
        "map.toml",
    ])
    .args(["import", "map.csv", "--dry-run"])
    .current_dir(dir.path())
    .env("GHL_BASE_URL", sb.base_url())
    .env("GHL_TOKEN", DEMO_TOKEN)
    .env("GHL_LOCATION_ID", DEMO_LOCATION_ID);
    let o = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    let (code, out, err) = text(&o);
    assert_eq!(code, Some(0), "{out}\n{err}");
    assert!(out.contains("+972521111111"), "the phone: {out}\n{err}");
    assert!(!out.contains("\"cell\" is not used"), "{out}");
    drop(owner);
}
