//! Configuration that explains itself (issue 13, item 2): each configuration error names the
//! file and line and suggests the likely intended name; a wrong location leaves no empty
//! cache; the "no GHL location" message lists the known locations; the keymap keeps its good
//! lines around a bad one.

use std::path::Path;
use std::process::{Command, Output};

use bmby_ghl::auth::{TokenEntry, TokenKind, TokenStore};
use bmby_ghl::ghl::Secret;
use bmby_ghl::sandbox::{Sandbox, SandboxConfig, Seed, DEMO_LOCATION_ID, DEMO_TOKEN};
use bmby_ghl::store::Store;
use bmby_ghl::tui::{Action, Context, KeyCombo, Keymap};

/// The binary with a clean environment (no GHL_/BMBY_ variables from the caller).
fn cmd(data: &Path, config: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_bmby-ghl"));
    c.args(["--data-dir", data.to_str().unwrap(), "--config", config]);
    for (k, _) in std::env::vars() {
        if k.starts_with("GHL_") || k.starts_with("BMBY_") {
            c.env_remove(k);
        }
    }
    c
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn missing_config_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("confg.toml");
    for args in [&["contacts"][..], &["config"], &["demo"], &[]] {
        let o = cmd(dir.path(), missing.to_str().unwrap())
            .args(args)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
        let e = stderr(&o);
        assert!(
            e.contains(&format!(
                "config file {} (--config) does not exist",
                missing.display()
            )),
            "{e}"
        );
    }
    // Nothing was created for the run that refused to start.
    assert!(!dir.path().join("logs").exists());
}

#[test]
fn unknown_keys_are_reported_with_line_and_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.toml");
    std::fs::write(
        &cfg,
        "# my settings\n[ghl]\nlocaton_id = \"abc\"\nbase_url = \"http://127.0.0.1:9\"\n\n[sync]\npull_intervall_secs = 30\nclient_id = \"x\"\n\n[bmbi]\nlogin = \"me\"\n",
    )
    .unwrap();
    let o = cmd(dir.path(), cfg.to_str().unwrap())
        .arg("contacts")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    let p = cfg.display();
    for want in [
        format!("config file {p}, line 3: unknown key `locaton_id` in [ghl] (did you mean `location_id`?)"),
        format!("config file {p}, line 7: unknown key `pull_intervall_secs` in [sync] (did you mean `pull_interval_secs`?)"),
        format!("config file {p}, line 8: unknown key `client_id` in [sync] (did you mean `client_id` under [ghl]?)"),
        format!("config file {p}, line 10: unknown table or key `bmbi` (did you mean `[bmby]`?)"),
    ] {
        assert!(e.contains(&want), "missing {want:?} in\n{e}");
    }
    // A bad value (not a key) still names its line.
    std::fs::write(&cfg, "[sync]\n\npull_interval_secs = \"often\"\n").unwrap();
    let o = cmd(dir.path(), cfg.to_str().unwrap())
        .arg("contacts")
        .output()
        .unwrap();
    // ... and its key, with the table.
    assert!(
        stderr(&o).contains(&format!(
            "config file {p}, line 3, key `sync.pull_interval_secs`:"
        )),
        "{}",
        stderr(&o)
    );
    // A bad value in [ghl], and one in a sub-table, name theirs.
    for (text, want) in [
        (
            "[ghl]\nbase_url = \"http://127.0.0.1:9\"\nlocation_id = 42\n",
            "line 3, key `ghl.location_id`:",
        ),
        (
            "[bmby]\nlogin = \"me\"\n\n[bmby.columns]\nclient_id = 7\n",
            "line 5, key `bmby.columns.client_id`:",
        ),
    ] {
        std::fs::write(&cfg, text).unwrap();
        let o = cmd(dir.path(), cfg.to_str().unwrap())
            .arg("contacts")
            .output()
            .unwrap();
        assert!(
            stderr(&o).contains(&format!("config file {p}, {want}")),
            "{}",
            stderr(&o)
        );
    }
}

fn signed_in(data: &Path, id: &str, name: &str) {
    TokenStore::new(data)
        .put(TokenEntry {
            location_id: id.into(),
            location_name: Some(name.into()),
            company_id: None,
            user_type: "Location".into(),
            user_id: None,
            scopes: Vec::new(),
            kind: TokenKind::Pit,
            access_token: Secret::new("pit-not-a-real-token"),
            refresh_token: None,
            expires_at: None,
            needs_sign_in: None,
            updated_at: 1,
            signed_in_at: 1,
        })
        .unwrap();
}

#[test]
fn no_location_lists_cached_and_signed_in_locations() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing known: says so.
    let o = cmd(dir.path(), "/dev/null")
        .arg("contacts")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("no GHL location"), "{e}");
    assert!(e.contains("no location is cached or signed in here"), "{e}");

    // Two cached locations: neither is picked, both are named.
    drop(Store::open(dir.path(), "cachedLocA").unwrap());
    drop(Store::open(dir.path(), "cachedLocB").unwrap());
    let o = cmd(dir.path(), "/dev/null")
        .arg("contacts")
        .output()
        .unwrap();
    let e = stderr(&o);
    assert!(e.contains("\n  cached: cachedLocA, cachedLocB"), "{e}");
    assert!(!e.contains("signed in:"), "{e}");

    // A signed-in location is not used while GHL_TOKEN is set: it is named.
    signed_in(dir.path(), "signedLoc1", "Tel Aviv Office");
    let o = cmd(dir.path(), "/dev/null")
        .arg("contacts")
        .env("GHL_TOKEN", "pit-x")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("\n  cached: cachedLocA, cachedLocB"), "{e}");
    assert!(
        e.contains("\n  signed in: signedLoc1 (Tel Aviv Office) (GHL_TOKEN is set"),
        "{e}"
    );
    assert!(!e.contains("pit-not-a-real-token"), "{e}");
}

/// A location named (environment or flag) that is neither cached nor signed in, without a
/// configured token, is an error naming it and listing the known locations; nothing is made
/// for it on disk.
#[test]
fn a_location_neither_cached_nor_signed_in_is_an_error_listing_the_known_ones() {
    let dir = tempfile::tempdir().unwrap();
    drop(Store::open(dir.path(), "cachedLocA").unwrap());
    signed_in(dir.path(), "signedLoc1", "Tel Aviv Office");
    let nope = Store::location_dir(dir.path(), "nope");
    for args in [&["contacts"][..], &["recent"], &["changes"], &["journal"]] {
        let o = cmd(dir.path(), "/dev/null")
            .args(args)
            .env("GHL_LOCATION_ID", "nope")
            .output()
            .unwrap();
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {e}");
        assert!(
            e.contains("location nope is neither cached nor signed in here"),
            "{args:?}: {e}"
        );
        assert!(e.contains("\n  cached: cachedLocA"), "{e}");
        assert!(
            e.contains("\n  signed in: signedLoc1 (Tel Aviv Office)"),
            "{e}"
        );
        assert!(!e.contains("the cache is empty"), "{e}");
        assert!(!nope.exists(), "{args:?} made {}", nope.display());
    }
    // The flag is checked the same way.
    let o = cmd(dir.path(), "/dev/null")
        .args(["--location", "nope", "contacts"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("location nope is neither cached nor signed in"));
    assert!(!nope.exists());
    // Known locations still work: the cached one, and the signed-in one (not pulled yet).
    for loc in ["cachedLocA", "signedLoc1"] {
        let o = cmd(dir.path(), "/dev/null")
            .arg("contacts")
            .env("GHL_LOCATION_ID", loc)
            .output()
            .unwrap();
        assert!(o.status.success(), "{loc}: {}", stderr(&o));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_location_leaves_no_cache_behind() {
    let sb = Sandbox::start(SandboxConfig {
        seed: Seed::Demo,
        ..Default::default()
    })
    .await
    .unwrap();
    let base = sb.base_url();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_path_buf();
    tokio::task::spawn_blocking(move || {
        let run = |loc: &str, args: &[&str]| {
            cmd(&data, "/dev/null")
                .args(args)
                .env("GHL_BASE_URL", &base)
                .env("GHL_TOKEN", DEMO_TOKEN)
                .env("GHL_LOCATION_ID", loc)
                .output()
                .unwrap()
        };
        let wrong = Store::location_dir(&data, "wrongLoc0000000000x");
        // A refused pull: the error is GHL's, and no cache is left for the wrong id.
        let o = run("wrongLoc0000000000x", &["sync"]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(
            stderr(&o).contains("403") || stderr(&o).contains("access"),
            "{}",
            stderr(&o)
        );
        assert!(!wrong.exists(), "empty cache left at {}", wrong.display());
        // A read of a location never pulled stores nothing either.
        let o = run("wrongLoc0000000000x", &["contacts"]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(!wrong.exists());
        // The right location keeps its cache, and the next run finds it on its own.
        let o = run(DEMO_LOCATION_ID, &["sync"]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(Store::location_dir(&data, DEMO_LOCATION_ID).exists());
        let o = run("wrongLoc0000000000x", &["sync"]);
        assert_eq!(o.status.code(), Some(1));
        let o = cmd(&data, "/dev/null")
            .args(["contacts", "--json"])
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "only cached location used: {}",
            stderr(&o)
        );
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert!(v["count"].as_u64().unwrap() > 0, "{v}");
    })
    .await
    .unwrap();
}

fn k(s: &str) -> KeyCombo {
    KeyCombo::parse(s).unwrap()
}

#[test]
fn keymap_bad_lines_are_skipped_and_the_rest_applies() {
    let text = "[keys.global]\n\"x\" = \"app.quit\"\n\"y\" = app.quit\n\"Z\" = \"nav.dwn\"\n\n[keys.lst]\n\"J\" = \"nav.down\"\n[keys.list]\n\"K\" = \"nav.up\"\n";
    let (km, diags) = Keymap::with_user_text(text, "/cfg/keymap.toml");
    let d: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
    assert_eq!(d.len(), 3, "{d:#?}");
    assert!(d[0].starts_with("/cfg/keymap.toml:3:"), "{d:#?}");
    assert!(
        d[1].starts_with("/cfg/keymap.toml:4: unknown action \"nav.dwn\" for key \"Z\" (did you mean `nav.down`?)"),
        "{d:#?}"
    );
    assert!(
        d[2].starts_with("/cfg/keymap.toml:6: unknown context [keys.lst] (did you mean `list`?)"),
        "{d:#?}"
    );
    // The lines before and after the bad ones apply.
    let chain = [Context::Contacts, Context::List, Context::Global];
    assert_eq!(km.lookup(&chain, k("x")), Some(Action::Quit));
    assert_eq!(km.lookup(&chain, k("K")), Some(Action::NavUp));
    assert_eq!(km.lookup(&chain, k("Z")), None);
    assert_eq!(
        km.lookup(&chain, k("q")),
        Some(Action::Quit),
        "defaults kept"
    );
}

#[test]
fn keymap_command_lists_every_action_even_when_the_user_keymap_is_broken() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.toml");
    std::fs::write(&cfg, "").unwrap();
    // The user keymap is in the platform config dir (not beside `--config FILE`).
    let xdg = dir.path().join("xdg");
    std::fs::create_dir_all(xdg.join("bmby-ghl")).unwrap();
    std::fs::write(
        xdg.join("bmby-ghl").join("keymap.toml"),
        "[keys.global]\n\"x\" = \"app.quit\"\n\"y\" = \"app.qit\"\n",
    )
    .unwrap();
    let o = cmd(dir.path(), cfg.to_str().unwrap())
        .arg("keymap")
        .env("XDG_CONFIG_HOME", &xdg)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "a problem is an error exit");
    let out = String::from_utf8(o.stdout.clone()).unwrap();
    for a in Action::ALL {
        assert!(out.contains(a.name()), "{} listed", a.name());
    }
    assert!(
        out.lines()
            .any(|l| l.starts_with("\"x\"") && l.contains("app.quit") && l.contains("(user)")),
        "the good line applies:\n{out}"
    );
    let e = stderr(&o);
    assert!(
        e.contains(
            "keymap.toml:3: unknown action \"app.qit\" for key \"y\" (did you mean `app.quit`?)"
        ),
        "{e}"
    );
}

/// `--config FILE` names the config file only: the user keymap stays `keymap.toml` in the
/// platform config dir (`--config /dev/null` used to make it `/dev/keymap.toml`).
#[test]
fn the_user_keymap_comes_from_the_config_dir_not_the_config_files_parent() {
    let dir = tempfile::tempdir().unwrap();
    let xdg = dir.path().join("xdg");
    for config in [
        "/dev/null",
        dir.path().join("config.toml").to_str().unwrap(),
    ] {
        if config != "/dev/null" {
            std::fs::write(config, "").unwrap();
        }
        let o = cmd(dir.path(), config)
            .args(["config", "--json"])
            .env("XDG_CONFIG_HOME", &xdg)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let keymap = v["settings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["key"] == "keymap_file")
            .unwrap()["value"]
            .clone();
        assert_eq!(
            keymap,
            xdg.join("bmby-ghl").join("keymap.toml").to_str().unwrap(),
            "--config {config}"
        );
    }
}
