//! `bmby-ghl config` (the effective configuration and where each value came from),
//! `completions`, `man` and `--version` (issue 13, items 2 and 3).

use crate::cli_support::ok;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn cmd(data: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_bmby-ghl"));
    c.args(["--data-dir", data.to_str().unwrap()]);
    for (k, _) in std::env::vars() {
        if k.starts_with("GHL_") || k.starts_with("BMBY_") {
            c.env_remove(k);
        }
    }
    c
}

#[test]
fn config_shows_each_value_and_where_it_came_from() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.toml");
    std::fs::write(
        &cfg,
        "[ghl]\nlocation_id = \"fileLoc\"\ntoken = \"pit-secret-from-file\"\nclient_id = \"file-client\"\n[sync]\npull_interval_secs = 30\n[bmby]\nlogin = \"agent\"\nexport_dir = \"/srv/bmby\"\n[webhooks]\nmax_age_secs = 600\n",
    )
    .unwrap();
    let run = |extra: &[&str]| {
        cmd(dir.path())
            .args(["--config", cfg.to_str().unwrap()])
            .args(extra)
            .env("GHL_BASE_URL", "http://127.0.0.1:9")
            .env("BMBY_PASSWORD", "bmby-secret-from-env")
            .env("GHL_CLIENT_ID", "env-client")
            .output()
            .unwrap()
    };
    let v: Value =
        serde_json::from_str(&ok(&run(&["--location", "flagLoc", "config", "--json"]))).unwrap();
    assert_eq!(v["config_file_exists"], true);
    let get = |k: &str| {
        v["settings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["key"] == k)
            .unwrap_or_else(|| panic!("{k} in {v}"))
            .clone()
    };
    let expect = |k: &str, value: &str, source: &str, from: Option<&str>| {
        let s = get(k);
        assert_eq!(s["value"], value, "{k}: {s}");
        assert_eq!(s["source"], source, "{k}: {s}");
        assert_eq!(s["from"].as_str(), from, "{k}: {s}");
    };
    expect(
        "config_file",
        cfg.to_str().unwrap(),
        "flag",
        Some("--config"),
    );
    expect(
        "data_dir",
        dir.path().to_str().unwrap(),
        "flag",
        Some("--data-dir"),
    );
    expect("ghl.location_id", "flagLoc", "flag", Some("--location"));
    expect(
        "ghl.base_url",
        "http://127.0.0.1:9",
        "environment",
        Some("GHL_BASE_URL"),
    );
    expect("ghl.token", "set", "file", None);
    expect(
        "ghl.client_id",
        "env-client",
        "environment",
        Some("GHL_CLIENT_ID"),
    );
    expect("ghl.client_secret", "not set", "not set", None);
    expect(
        "ghl.token_url",
        "http://127.0.0.1:9/oauth/token",
        "default",
        None,
    );
    expect("sync.pull_interval_secs", "30", "file", None);
    expect("bmby.export_dir", "/srv/bmby", "file", None);
    expect("webhooks.max_age_secs", "600", "file", None);
    expect(
        "webhooks.ed25519_public_key",
        "GHL's published key",
        "default",
        None,
    );
    expect("sync.pull_overlap_secs", "300", "default", None);
    expect("bmby.login", "agent", "file", None);
    expect("bmby.password", "set", "environment", Some("BMBY_PASSWORD"));
    assert_eq!(get("ghl.token")["secret"], true);

    // Without the flag the file's location shows; the text form says the same, no secret.
    let text = ok(&run(&["config"]));
    let line = |k: &str| {
        text.lines()
            .find(|l| l.split_whitespace().next() == Some(k))
            .unwrap_or_else(|| panic!("{k} in\n{text}"))
            .to_owned()
    };
    assert!(line("ghl.location_id").contains("fileLoc"), "{text}");
    assert!(
        line("ghl.location_id").trim_end().ends_with("file"),
        "{text}"
    );
    assert!(
        line("ghl.base_url").ends_with("environment GHL_BASE_URL"),
        "{text}"
    );
    assert!(line("ghl.token").contains(" set "), "{text}");
    for out in [&text, &v.to_string()] {
        assert!(!out.contains("pit-secret-from-file"), "{out}");
        assert!(!out.contains("bmby-secret-from-env"), "{out}");
    }
}

#[test]
fn config_without_a_file_shows_defaults_and_the_only_cached_location() {
    let dir = tempfile::tempdir().unwrap();
    let store = bmby_ghl::store::Store::open(dir.path(), "onlyCachedLoc").unwrap();
    drop(store);
    let cfg = dir.path().join("config.toml");
    std::fs::write(&cfg, "").unwrap();
    let v: Value = serde_json::from_str(&ok(&cmd(dir.path())
        .args(["--config", cfg.to_str().unwrap(), "config", "--json"])
        .output()
        .unwrap()))
    .unwrap();
    let s = v["settings"].as_array().unwrap();
    let loc = s.iter().find(|s| s["key"] == "ghl.location_id").unwrap();
    assert_eq!(loc["value"], "onlyCachedLoc");
    assert_eq!(loc["source"], "derived");
    assert_eq!(loc["from"], "the only cached location");
    let base = s.iter().find(|s| s["key"] == "ghl.base_url").unwrap();
    assert_eq!(base["value"], "https://services.leadconnectorhq.com");
    assert_eq!(base["source"], "default");
    let token = s.iter().find(|s| s["key"] == "ghl.token").unwrap();
    assert_eq!(token["value"], "not set");
    assert_eq!(token["source"], "not set");
}

#[test]
fn completions_for_bash_zsh_and_fish() {
    let dir = tempfile::tempdir().unwrap();
    for (shell, marker) in [
        ("bash", "complete -F _bmby__ghl"),
        ("zsh", "#compdef bmby-ghl"),
        ("fish", "complete -c bmby-ghl"),
    ] {
        let out = ok(&cmd(dir.path())
            .args(["completions", shell])
            .output()
            .unwrap());
        assert!(out.contains(marker), "{shell}: {marker}");
        for sub in ["sync", "contacts", "config", "keymap", "completions", "man"] {
            assert!(out.contains(sub), "{shell} completes {sub}");
        }
        assert!(out.contains("data-dir"), "{shell} completes flags");
    }
    let o = cmd(dir.path())
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(2),
        "an unknown shell is a usage error"
    );
    // Nothing is written to the data dir by a generator.
    assert!(!dir.path().join("locations").exists());
}

#[test]
fn man_page_is_generated_from_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let out = ok(&cmd(dir.path()).arg("man").output().unwrap());
    assert!(
        out.starts_with(".ie") || out.contains(".TH bmby-ghl 1"),
        "{}",
        &out[..200]
    );
    assert!(out.contains(".TH bmby-ghl 1"), "title line");
    assert!(out.contains("GHL_TOKEN"), "the environment section");
    for sub in [
        "SYNC",
        "CONTACTS",
        "APPLY",
        "AUTH LOGIN",
        "BMBY PULL",
        "CONFIG",
    ] {
        assert!(
            out.contains(&format!(".SH \"BMBY\\-GHL {sub}\"")),
            "a section for {sub}"
        );
    }
    assert!(out.contains("\\-\\-dry\\-run"), "subcommand options");
    // When man(1) is installed, the page renders without warnings.
    if Command::new("man").arg("--version").output().is_ok() {
        let file = dir.path().join("bmby-ghl.1");
        std::fs::write(&file, &out).unwrap();
        let o = Command::new("man")
            .args(["--warnings", "-l", file.to_str().unwrap()])
            .env("MANPAGER", "cat")
            .env("MANWIDTH", "80")
            .output()
            .unwrap();
        if o.status.success() {
            let shown = String::from_utf8_lossy(&o.stdout);
            assert!(shown.contains("BMBY-GHL SYNC"), "{shown}");
        } else {
            println!(
                "man -l could not render here: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
    } else {
        println!("man(1) not installed: rendering not checked");
    }
}

#[test]
fn version_names_the_git_commit() {
    let dir = tempfile::tempdir().unwrap();
    let out = ok(&cmd(dir.path()).arg("--version").output().unwrap());
    let want_prefix = format!("bmby-ghl {} (commit ", env!("CARGO_PKG_VERSION"));
    assert!(out.starts_with(&want_prefix), "{out}");
    let commit = out
        .trim()
        .strip_prefix(&want_prefix)
        .and_then(|r| r.strip_suffix(')'))
        .unwrap();
    assert!(
        commit == "unknown"
            || (commit.len() == 12 && commit.chars().all(|c| c.is_ascii_hexdigit())),
        "{out}"
    );
    // In a git checkout the commit is HEAD's (build.rs reruns when HEAD moves).
    let git = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output();
    match git {
        Ok(g) if g.status.success() => {
            assert_eq!(commit, String::from_utf8_lossy(&g.stdout).trim(), "{out}")
        }
        _ => println!("not a git checkout: commit not compared"),
    }
}

/// `config` with unknown keys and bad values in the file still shows every value (read as if
/// those keys were not there), names each unknown key and each bad value with its line on
/// stderr (and under `problems` in `--json`) and exits 1; other commands refuse the file.
#[test]
fn config_with_unknown_keys_shows_the_values_and_the_problems() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.toml");
    std::fs::write(
        &cfg,
        "[ghl]\nlocation_id = \"fileLoc\"\nlocaton_id = \"typo\"\n[sync]\npull_interval_secs = 30\n[bmbi]\nlogin = \"me\"\n",
    )
    .unwrap();
    let p = cfg.display().to_string();
    let run = |extra: &[&str]| {
        cmd(dir.path())
            .args(["--config", &p])
            .arg("config")
            .args(extra)
            .output()
            .unwrap()
    };
    let o = run(&[]);
    assert_eq!(o.status.code(), Some(1), "problems are an error exit");
    let out = String::from_utf8(o.stdout.clone()).unwrap();
    let err = String::from_utf8(o.stderr.clone()).unwrap();
    let line = |k: &str| {
        out.lines()
            .find(|l| l.starts_with(k))
            .unwrap_or_else(|| panic!("{k} in\n{out}"))
            .to_owned()
    };
    assert!(line("ghl.location_id").contains("fileLoc"), "{out}");
    assert!(line("ghl.location_id").ends_with("file"), "{out}");
    assert!(line("sync.pull_interval_secs").contains("30"), "{out}");
    for want in [
        format!("warning: config file {p}, line 3: unknown key `locaton_id` in [ghl] (did you mean `location_id`?)"),
        format!("warning: config file {p}, line 6: unknown table or key `bmbi` (did you mean `[bmby]`?)"),
    ] {
        assert!(err.contains(&want), "missing {want:?} in\n{err}");
    }

    let o = run(&["--json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let loc = v["settings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == "ghl.location_id")
        .unwrap();
    assert_eq!(loc["value"], "fileLoc");
    let problems = v["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 2, "{v}");
    assert_eq!(problems[0]["line"], 3);
    assert_eq!(problems[0]["key"], "locaton_id");
    assert_eq!(problems[0]["table"], "ghl");
    assert_eq!(problems[1]["key"], "bmbi");

    // The newcomer's file: an unknown key and a bad value. Both are named, each with its
    // line (the bad value with its key), and the values are still shown: the bad one's
    // setting with its default.
    std::fs::write(
        &cfg,
        "[ghl]\nlocaton_id = \"x\"\n[sync]\npull_interval_secs = \"fast\"\npull_overlap_secs = \"long\"\n",
    )
    .unwrap();
    let o = run(&[]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8(o.stdout.clone()).unwrap();
    let err = String::from_utf8(o.stderr.clone()).unwrap();
    let line = |k: &str| {
        out.lines()
            .find(|l| l.starts_with(k))
            .unwrap_or_else(|| panic!("{k} in\n{out}"))
            .to_owned()
    };
    assert!(line("sync.pull_interval_secs").contains("60"), "{out}");
    assert!(
        line("sync.pull_interval_secs").ends_with("default"),
        "{out}"
    );
    for want in [
        format!("warning: config file {p}, line 2: unknown key `locaton_id` in [ghl] (did you mean `location_id`?)"),
        format!("warning: config file {p}, line 4, key `sync.pull_interval_secs`: invalid type: string \"fast\""),
        format!("warning: config file {p}, line 5, key `sync.pull_overlap_secs`:"),
        "these keys and values are ignored above".to_owned(),
    ] {
        assert!(err.contains(&want), "missing {want:?} in\n{err}");
    }
    let o = run(&["--json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let kinds: Vec<(u64, &str, &str)> = v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["line"].as_u64().unwrap(),
                p["kind"].as_str().unwrap(),
                p["key"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            (2, "unknown key", "locaton_id"),
            (4, "bad value", "sync.pull_interval_secs"),
            (5, "bad value", "sync.pull_overlap_secs"),
        ]
    );
    // Every other command still refuses the file, naming the file and the line.
    let o = cmd(dir.path())
        .args(["--config", &p, "changes"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8(o.stderr.clone()).unwrap();
    assert!(
        err.contains(&format!("error: config file {p}, line 2:")),
        "{err}"
    );
    // A clean file: exit 0 and no problems.
    std::fs::write(&cfg, "[ghl]\nlocation_id = \"x\"\n").unwrap();
    let o = run(&["--json"]);
    let v: Value = serde_json::from_str(&ok(&o)).unwrap();
    assert_eq!(v["problems"], serde_json::json!([]));
}

/// `bmby-ghl config` keeps within 80 columns: a row too long for one line says its origin on
/// the next line (or the value below the key), long values are never cut short.
#[test]
fn config_text_keeps_within_80_columns() {
    let dir = tempfile::tempdir().unwrap();
    let deep = dir
        .path()
        .join("a-rather-long-data-directory-name-for-this-test/and/deeper/still");
    std::fs::create_dir_all(&deep).unwrap();
    let o = cmd(&deep)
        .args(["--config", "/dev/null", "config"])
        .env("GHL_CLIENT_SECRET", "s3cret")
        .env("GHL_BASE_URL", "http://127.0.0.1:8787")
        .output()
        .unwrap();
    let text = ok(&o);
    for l in text.lines() {
        assert!(
            unicode_width::UnicodeWidthStr::width(l) <= 80,
            "{} columns: {l}\n{text}",
            unicode_width::UnicodeWidthStr::width(l)
        );
    }
    // Every setting is still there, with its origin and its whole value.
    for (key, from) in [
        ("config_file", "flag --config"),
        ("data_dir", "flag --data-dir"),
        ("ghl.base_url", "environment GHL_BASE_URL"),
        ("ghl.client_secret", "environment GHL_CLIENT_SECRET"),
        ("ghl.auth_url", "default"),
        ("webhooks.max_age_secs", "default"),
    ] {
        let at = text
            .lines()
            .position(|l| l.split_whitespace().next() == Some(key))
            .unwrap_or_else(|| panic!("{key} in\n{text}"));
        let rows: String = text.lines().skip(at).take(3).collect::<Vec<_>>().join("\n");
        assert!(rows.contains(from), "{key} from {from}:\n{text}");
    }
    assert!(
        text.contains("http://127.0.0.1:8787/oauth/chooselocation"),
        "the auth URL whole:\n{text}"
    );
    assert!(!text.contains("s3cret"));
    let joined: String = text.split_whitespace().collect();
    assert!(
        joined.contains(&deep.display().to_string().replace(' ', "")),
        "the data dir is all there:\n{text}"
    );
}
