//! The real binary's scriptable commands against the stand-in on loopback.

use crate::cli_support::{bin, ok};
use std::process::Command;

use bmby_ghl::sandbox::{Sandbox, SandboxConfig, Seed, DEMO_LOCATION_ID};
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_contacts_contact_then_incremental_sync() {
    let sb = Sandbox::start(SandboxConfig {
        seed: Seed::Demo,
        ..Default::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let total = sb.contact_count();

    let out = ok(&bin(&sb, dir.path(), &["sync"]));
    assert!(
        out.contains(&format!("full pull: {total} contacts")),
        "{out}"
    );

    let list: Value =
        serde_json::from_str(&ok(&bin(&sb, dir.path(), &["contacts", "--json"]))).unwrap();
    assert_eq!(list["count"], total);
    let hostile = list["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "hostileEscOsc0000001")
        .unwrap();
    assert_eq!(
        hostile["name"], "Eve Evil",
        "escape sequence stripped in CLI output"
    );

    // The newest contacts have tasks, notes and appointments.
    let id = list["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .max_by_key(|c| c["dateUpdated"].as_str().unwrap_or("").to_owned())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let one: Value =
        serde_json::from_str(&ok(&bin(&sb, dir.path(), &["contact", &id, "--json"]))).unwrap();
    assert_eq!(one["fresh"], true);
    assert_eq!(one["contact"]["id"], id.as_str());
    for k in ["tasks", "notes", "appointments"] {
        assert!(one[k].is_array(), "{k}");
    }
    assert!(one["contact"]["raw"].is_object());

    // Filter by a Hebrew name fragment.
    let q: Value = serde_json::from_str(&ok(&bin(
        &sb,
        dir.path(),
        &["contacts", "--json", "--query", "כהן"],
    )))
    .unwrap();
    assert!(q["count"].as_u64().unwrap() > 0);
    assert!(q["contacts"][0]["name"].as_str().unwrap().contains("כהן"));

    // A change in GHL; the second sync asks only for what changed.
    let changed = list["contacts"][0]["id"].as_str().unwrap().to_owned();
    assert!(sb.update_contact(&changed, json!({"lastName": "Updated"})));
    sb.clear_requests();
    let out = ok(&bin(&sb, dir.path(), &["sync"]));
    assert!(
        out.contains("incremental pull: 1 contact in 1 page"),
        "{out}"
    );
    let searches: Vec<_> = sb
        .requests()
        .into_iter()
        .filter(|r| r.path == "/contacts/search")
        .collect();
    assert_eq!(searches.len(), 1);
    assert_eq!(searches[0].body["filters"][0]["field"], "dateUpdated");

    // Offline view from the cache.
    let text = ok(&bin(&sb, dir.path(), &["contact", &changed, "--offline"]));
    assert!(text.contains("Updated"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clear_errors_without_panics() {
    let sb = Sandbox::start(SandboxConfig {
        seed: Seed::Demo,
        ..Default::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Unknown contact: GHL's 400 is reported as "does not exist", exit 1, no panic.
    let o = bin(&sb, dir.path(), &["contact", "nope0000000000000000"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("does not exist"), "{err}");
    assert!(!err.contains("panicked"));

    // Wrong token: advice, and the token never printed.
    let o = Command::new(env!("CARGO_BIN_EXE_bmby-ghl"))
        .args(["--data-dir", dir.path().to_str().unwrap(), "sync"])
        .env("GHL_BASE_URL", sb.base_url())
        .env("GHL_TOKEN", "pit-secret-wrong-token")
        .env("GHL_LOCATION_ID", DEMO_LOCATION_ID)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("HTTP 401"), "{err}");
    assert!(!err.contains("pit-secret-wrong-token"));
    let log = std::fs::read_to_string(dir.path().join("logs/bmby-ghl.log")).unwrap_or_default();
    assert!(!log.contains("pit-secret-wrong-token"), "token in log");

    // Bad config file: names the file and line.
    let cfg = dir.path().join("bad.toml");
    std::fs::write(&cfg, "[ghl]\nlocation_id = 5\n").unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_bmby-ghl"))
        .args([
            "--data-dir",
            dir.path().to_str().unwrap(),
            "--config",
            cfg.to_str().unwrap(),
            "contacts",
        ])
        .env_remove("GHL_LOCATION_ID")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("bad.toml, line 2"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_export_file_then_changes_json_is_idempotent() {
    let sb = Sandbox::start(SandboxConfig {
        seed: Seed::Demo,
        ..Default::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    ok(&bin(&sb, dir.path(), &["sync"]));
    let list: Value =
        serde_json::from_str(&ok(&bin(&sb, dir.path(), &["contacts", "--json"]))).unwrap();
    let with_email = list["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| {
            c["email"].is_string()
                && c["id"].as_str().unwrap().len() == 20
                && !c["id"].as_str().unwrap().starts_with("hostile")
        })
        .unwrap();
    let email = with_email["email"].as_str().unwrap().to_uppercase();
    let csv = format!(
        "\u{feff}מספר לקוח,שם פרטי,שם משפחה,אימייל,נייד,עיר\n\
         9001,,,{email},,עיר חדשה\n\
         9002,מיכל לוי,,michal.new@example.com,0507654321,חיפה\n\
         9003,Bad,Phone,bad@example.com,abc-not-a-phone,Eilat\n\
         ,No,Id,noid@example.com,,\n"
    );
    let file = dir.path().join("clients.csv");
    std::fs::write(&file, csv).unwrap();

    let o = bin(&sb, dir.path(), &["import", file.to_str().unwrap()]);
    let out = ok(&o);
    assert!(out.contains("3 clients read"), "{out}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("row 5"),
        "the row without an id is named: {err}"
    );

    let doc: Value =
        serde_json::from_str(&ok(&bin(&sb, dir.path(), &["changes", "--json"]))).unwrap();
    let changes = doc["changes"].as_array().unwrap().clone();
    let by = |cid: &str| {
        changes
            .iter()
            .find(|c| c["client_id"] == cid)
            .cloned()
            .unwrap()
    };
    let upd = by("9001");
    assert_eq!(upd["kind"], "update");
    assert_eq!(upd["contact_id"], with_email["id"]);
    let city = upd["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "city")
        .unwrap();
    assert_eq!(city["proposed"], "עיר חדשה");
    let create = by("9002");
    assert_eq!(create["kind"], "create");
    let fields = create["fields"].as_array().unwrap();
    assert!(fields
        .iter()
        .any(|f| f["field"] == "firstName" && f["proposed"] == "מיכל"));
    assert!(
        fields
            .iter()
            .any(|f| f["field"] == "lastName" && f["proposed"] == "לוי"),
        "full name in fname is split"
    );
    assert!(fields
        .iter()
        .any(|f| f["field"] == "phone" && f["proposed"] == "+972507654321"));
    let bad = by("9003");
    assert!(
        bad["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("phone_mobile")),
        "{bad}"
    );

    // The same file again: nothing new.
    let out = ok(&bin(&sb, dir.path(), &["import", file.to_str().unwrap()]));
    assert!(out.contains("new changes: none"), "{out}");
    let again: Value =
        serde_json::from_str(&ok(&bin(&sb, dir.path(), &["changes", "--json"]))).unwrap();
    assert_eq!(again["changes"], doc["changes"]);

    // Review from the command line: approve one, reject another, send; an applied change can
    // be neither rejected nor approved again.
    let (upd_id, create_id) = (upd["id"].as_u64().unwrap(), create["id"].as_u64().unwrap());
    let out = ok(&bin(&sb, dir.path(), &["approve", &upd_id.to_string()]));
    assert!(out.contains(&format!("#{upd_id} approved")), "{out}");
    let out = ok(&bin(&sb, dir.path(), &["reject", &create_id.to_string()]));
    assert!(out.contains(&format!("#{create_id} rejected")), "{out}");
    let o = bin(&sb, dir.path(), &["approve", "999999"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("999999 does not exist"));
    let out = ok(&bin(&sb, dir.path(), &["apply"]));
    assert!(out.contains(&format!("#{upd_id} applied")), "{out}");
    let o = bin(&sb, dir.path(), &["reject", &upd_id.to_string()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("applied"));

    // A file without a client id column: a clear error naming the file and the headers found.
    let bad_file = dir.path().join("nocol.csv");
    std::fs::write(&bad_file, "name,email\nx,y@example.com\n").unwrap();
    let o = bin(&sb, dir.path(), &["import", bad_file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("nocol.csv") && err.contains("client_id"),
        "{err}"
    );
}

/// Output cut short by a closed pipe (`| head`) ends a command quietly, never with a panic.
#[test]
fn a_closed_stdout_ends_commands_quietly() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        vec!["auth", "status"],
        vec!["auth", "status", "--json"],
        vec!["mapping"],
        vec!["keymap"],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_bmby-ghl"))
            .args([
                "--data-dir",
                dir.path().to_str().unwrap(),
                "--config",
                "/dev/null",
            ])
            .args(&args)
            .env_remove("GHL_TOKEN")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // The reader goes away before the command writes (as `head` does after its lines).
        drop(child.stdout.take());
        let o = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(o.status.success(), "{args:?}: {:?} {err}", o.status);
    }
}

/// `contact ID` prints each note's title above its body and marks a pinned one: two notes with
/// the same body and different titles no longer read as duplicates (found by a newcomer).
#[test]
fn contact_text_shows_note_titles() {
    use bmby_ghl::domain::{Contact, Note};
    let dir = tempfile::tempdir().unwrap();
    {
        let s = bmby_ghl::store::Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();
        s.put_contacts(&[Contact {
            id: "c1".into(),
            first_name: Some("Noa".into()),
            raw_json: r#"{"id":"c1","firstName":"Noa"}"#.into(),
            ..Default::default()
        }])
        .unwrap();
        let note = |id: &str, title: &str, pinned: bool| Note {
            id: id.into(),
            contact_id: "c1".into(),
            body: "התקשרה לגבי הדירה\nשורה שנייה".into(),
            title: Some(title.into()),
            date_added: Some("2026-12-01T08:00:00.000Z".into()),
            pinned,
            ..Default::default()
        };
        s.put_notes(
            "c1",
            &[note("n1", "סיכום שיחה", true), note("n2", "פגישה", false)],
        )
        .unwrap();
    }
    let text = ok(&crate::cli_support::bin_at(
        "http://127.0.0.1:9",
        dir.path(),
        &["contact", "c1", "--offline"],
    ));
    assert!(
        text.contains(
            "  2026-12-01 10:00  (pinned) סיכום שיחה\n                    התקשרה לגבי הדירה\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("  2026-12-01 10:00  פגישה\n                    התקשרה לגבי הדירה\n"),
        "{text}"
    );
}

/// A kept demo's cache used with no demo running: a command that needs GHL says the demo's
/// stand-in lives inside `demo` and how to start it, not to sign in to GHL (found by a
/// newcomer).
#[test]
fn a_kept_demo_dir_without_the_demo_says_to_start_it() {
    let dir = tempfile::tempdir().unwrap();
    drop(bmby_ghl::store::Store::open(dir.path(), DEMO_LOCATION_ID).unwrap());
    let o = Command::new(env!("CARGO_BIN_EXE_bmby-ghl"))
        .args(["--data-dir", dir.path().to_str().unwrap()])
        .args([
            "--config",
            "/dev/null",
            "--location",
            DEMO_LOCATION_ID,
            "sync",
        ])
        .env_remove("GHL_TOKEN")
        .env("HOME", dir.path())
        .env("XDG_CONFIG_HOME", dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("is the demo's"), "{err}");
    assert!(
        err.contains(&format!(
            "bmby-ghl demo --data-dir {}",
            dir.path().display()
        )),
        "{err}"
    );
    assert!(!err.contains("auth login"), "{err}");
}
