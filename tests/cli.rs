//! The real binary's scriptable commands against the stand-in on loopback.

use std::process::{Command, Output};

use bmby_ghl::sandbox::{Sandbox, SandboxConfig, Seed, DEMO_LOCATION_ID, DEMO_TOKEN};
use serde_json::{json, Value};

fn bin(sb: &Sandbox, data: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bmby-ghl"))
        .args([
            "--data-dir",
            data.to_str().unwrap(),
            "--config",
            data.join("none.toml").to_str().unwrap(),
        ])
        .args(args)
        .env("GHL_BASE_URL", sb.base_url())
        .env("GHL_TOKEN", DEMO_TOKEN)
        .env("GHL_LOCATION_ID", DEMO_LOCATION_ID)
        .output()
        .unwrap()
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout.clone()).unwrap()
}

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
