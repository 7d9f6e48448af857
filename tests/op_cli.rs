//! `bmby-ghl op` through the real binary: `op list` (all 32 Contacts API operations, text in 80
//! columns and JSON), `op NAME --dry-run` (the planner's exact request, nothing stored), writes
//! sent at once against the stand-in (applied, journalled, visible in GHL), and clear errors for
//! names and arguments that are wrong.

use crate::cli_support::{bin_at as bin, run_at as run};
use std::path::Path;
use std::process::{Command, Output};

use bmby_ghl::domain::ChangeState;
use bmby_ghl::sandbox::{Sandbox, SandboxConfig, Seed, DEMO_LOCATION_ID, DEMO_TOKEN};
use bmby_ghl::store::Store;
use serde_json::Value;

/// Runs the binary on `data` against `base` (off the async workers: the stand-in runs there).
fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn ok(o: &Output) -> String {
    let (out, err) = text(o);
    assert!(
        o.status.success(),
        "exit {:?}\nstdout: {out}\nstderr: {err}",
        o.status
    );
    out
}

async fn demo() -> (Sandbox, tempfile::TempDir) {
    let sb = Sandbox::start(SandboxConfig {
        seed: Seed::Demo,
        ..Default::default()
    })
    .await
    .unwrap();
    (sb, tempfile::tempdir().unwrap())
}

/// `n` contact ids from GHL (`op search --json`).
async fn contact_ids(sb: &Sandbox, dir: &Path, n: u32) -> Vec<String> {
    let out = ok(&run(
        &sb.base_url(),
        dir,
        &["op", "search", "--limit", &n.to_string(), "--json"],
    )
    .await);
    let v: Value = serde_json::from_str(&out).unwrap();
    v["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The contact as GHL has it now (`op get-contact --json`).
async fn ghl_contact(sb: &Sandbox, dir: &Path, id: &str) -> Value {
    let out = ok(&run(
        &sb.base_url(),
        dir,
        &["op", "get-contact", "--contact", id, "--json"],
    )
    .await);
    serde_json::from_str::<Value>(&out).unwrap()["contact"].clone()
}

/// The cache in `dir`; sled may hold the lock of a handle this process just dropped a moment
/// longer, so the open waits that out.
fn store(dir: &Path) -> Store {
    Store::open_waiting(dir, DEMO_LOCATION_ID, std::time::Duration::from_secs(10)).unwrap()
}

#[test]
fn op_list_json_lists_all_32_operations_reached_or_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let o = bin("http://127.0.0.1:9", dir.path(), &["op", "list", "--json"]);
    let v: Vec<Value> = serde_json::from_str(&ok(&o)).unwrap();
    assert_eq!(v.len(), 32);
    let fixture: Value =
        serde_json::from_str(include_str!("fixtures/ghl_contacts_operations.json")).unwrap();
    for spec in fixture["operations"].as_array().unwrap() {
        let hit = v
            .iter()
            .find(|o| o["method"] == spec["method"] && o["path"] == spec["path"])
            .unwrap_or_else(|| panic!("{spec} missing from op list --json"));
        assert_eq!(hit["operationId"], spec["operationId"]);
        for key in [
            "name",
            "scope",
            "writes",
            "offered",
            "tuiActions",
            "opCommands",
            "reason",
        ] {
            assert!(hit.get(key).is_some(), "{key} missing in {hit}");
        }
        let reached = !hit["tuiActions"].as_array().unwrap().is_empty()
            || !hit["opCommands"].as_array().unwrap().is_empty();
        assert_eq!(hit["offered"], reached, "{hit}");
        assert!(
            reached || hit["reason"].as_str().is_some_and(|r| r.len() > 10),
            "neither reached nor a reason: {hit}"
        );
    }
    let deprecated = v
        .iter()
        .find(|o| o["operationId"] == "get-contacts")
        .unwrap();
    assert!(deprecated["reason"]
        .as_str()
        .unwrap()
        .contains("deprecated"));
    let bulk = v
        .iter()
        .find(|o| o["path"] == "/contacts/bulk/business")
        .unwrap();
    assert_eq!(bulk["scope"], "contacts.write");
    assert!(bulk["scopeNote"].as_str().unwrap().contains("no security"));
}

#[test]
fn op_list_text_fits_80_columns_and_names_every_operation() {
    let dir = tempfile::tempdir().unwrap();
    let out = ok(&bin("http://127.0.0.1:9", dir.path(), &["op", "list"]));
    for l in out.lines() {
        assert!(l.chars().count() <= 80, "wider than 80: {l:?}");
    }
    for o in bmby_ghl::ops::CATALOG {
        assert!(
            out.lines()
                .any(|l| l.starts_with(o.name) && l.ends_with(o.path)),
            "{} {} not listed:\n{out}",
            o.name,
            o.path
        );
    }
    assert!(out.contains("32 operations"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_prints_the_exact_request_and_stores_nothing() {
    let (sb, dir) = demo().await;
    let base = sb.base_url();
    let id = contact_ids(&sb, dir.path(), 1).await.remove(0);

    let out = ok(&run(
        &base,
        dir.path(),
        &[
            "op",
            "add-tags",
            "--contact",
            &id,
            "--tag",
            "vip",
            "--dry-run",
        ],
    )
    .await);
    let base_t = base.trim_end_matches('/');
    assert!(
        out.contains(&format!("POST {base_t}/contacts/{id}/tags\n")),
        "{out}"
    );
    assert!(out.contains("Authorization: Bearer [redacted]"), "{out}");
    assert!(!out.contains(DEMO_TOKEN), "{out}");
    assert!(out.contains("\"vip\""), "{out}");

    // A new operation: the workflow picked by part of its name, the request by id.
    let out = ok(&run(
        &base,
        dir.path(),
        &[
            "op",
            "workflow-add",
            "--contact",
            &id,
            "--workflow",
            "nurt",
            "--event-start-time",
            "2099-07-01 09:00",
            "--dry-run",
            "--json",
        ],
    )
    .await);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["dryRun"], true);
    assert_eq!(v["stored"], false);
    let reqs = v["requests"].as_array().unwrap();
    let post = reqs
        .iter()
        .find(|r| r["method"] == "POST")
        .unwrap_or_else(|| panic!("{out}"));
    assert_eq!(
        post["path"],
        format!("/contacts/{id}/workflow/7d1f8a52-3c4e-4b6a-9e21-5a0c8f3d2b17")
    );
    // Typed as Israel time (as the `:` line takes it), sent as ISO 8601 UTC.
    assert_eq!(
        post["body"]["eventStartTime"], "2099-07-01T06:00:00.000Z",
        "{out}"
    );

    // Nothing stored, nothing sent.
    {
        let s = store(dir.path());
        assert!(s.changes().unwrap().is_empty());
        assert!(s.journal().unwrap().is_empty());
    }
    let tags = ghl_contact(&sb, dir.path(), &id).await["tags"].clone();
    assert!(
        !tags.as_array().unwrap().iter().any(|t| t == "vip"),
        "{tags}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_end_applied_with_a_journal_entry_and_ghl_changed() {
    let (sb, dir) = demo().await;
    let base = sb.base_url();
    let ids = contact_ids(&sb, dir.path(), 3).await;
    let id = &ids[0];

    // An existing write, through the hand-edit functions.
    let out = ok(&run(
        &base,
        dir.path(),
        &[
            "op",
            "update-contact",
            "--contact",
            id,
            "--set",
            "city=Haifa",
        ],
    )
    .await);
    assert!(out.contains("City:") && out.contains("→ Haifa"), "{out}");
    assert!(out.contains(" applied update "), "{out}");
    assert_eq!(ghl_contact(&sb, dir.path(), id).await["city"], "Haifa");

    // A new one: add to a workflow by name.
    let out = ok(&run(
        &base,
        dir.path(),
        &[
            "op",
            "workflow-add",
            "--contact",
            id,
            "--workflow",
            "Nurture",
        ],
    )
    .await);
    assert!(out.contains("applied add to workflow Nurture"), "{out}");

    // Bulk tags on three contacts.
    let mut args = vec!["op", "bulk-tags", "--add", "--tag", "vip"];
    for i in &ids {
        args.extend(["--contact", i.as_str()]);
    }
    let out = ok(&run(&base, dir.path(), &args).await);
    assert!(out.contains("applied tag 3 contacts: vip"), "{out}");
    for i in &ids {
        let tags = ghl_contact(&sb, dir.path(), i).await["tags"].clone();
        assert!(
            tags.as_array().unwrap().iter().any(|t| t == "vip"),
            "{i}: {tags}"
        );
    }

    let s = store(dir.path());
    let changes = s.changes().unwrap();
    assert_eq!(changes.len(), 3);
    assert!(
        changes.iter().all(|c| c.state == ChangeState::Applied),
        "{changes:?}"
    );
    let journal = s.journal().unwrap();
    let endpoints: Vec<&str> = journal.iter().map(|e| e.request.as_str()).collect();
    assert!(
        endpoints.contains(&format!("PUT /contacts/{id}").as_str()),
        "{endpoints:?}"
    );
    assert!(
        endpoints.contains(
            &format!("POST /contacts/{id}/workflow/7d1f8a52-3c4e-4b6a-9e21-5a0c8f3d2b17").as_str()
        ),
        "{endpoints:?}"
    );
    assert!(
        endpoints.contains(&"POST /contacts/bulk/tags/update/add"),
        "{endpoints:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_names_and_arguments_error_clearly_and_store_nothing() {
    let (sb, dir) = demo().await;
    let base = sb.base_url();
    let id = contact_ids(&sb, dir.path(), 1).await.remove(0);
    let code = |o: &Output| o.status.code();

    // Usage errors exit 2, as clap's own.
    let o = run(&base, dir.path(), &["op", "get-contacts"]).await;
    assert_eq!(code(&o), Some(2));
    assert!(
        text(&o).1.contains("not offered: deprecated"),
        "{:?}",
        text(&o)
    );
    let o = run(&base, dir.path(), &["op", "frobnicate"]).await;
    assert_eq!(code(&o), Some(2));
    assert!(
        text(&o).1.contains("no operation `frobnicate`"),
        "{:?}",
        text(&o)
    );
    let o = run(&base, dir.path(), &["op", "add-tags", "--contact", &id]).await;
    assert_eq!(code(&o), Some(2));
    assert!(text(&o).1.contains("--tag"), "{:?}", text(&o));

    // Errors in what the arguments name exit 1 and say what and where.
    let o = run(
        &base,
        dir.path(),
        &[
            "op",
            "workflow-add",
            "--contact",
            &id,
            "--workflow",
            "Nurtur2",
        ],
    )
    .await;
    assert_eq!(code(&o), Some(1));
    let err = text(&o).1;
    assert!(err.contains("no workflow matches \"Nurtur2\""), "{err}");
    assert!(
        err.contains(DEMO_LOCATION_ID) && err.contains("known: Nurture"),
        "{err}"
    );
    let o = run(
        &base,
        dir.path(),
        &[
            "op",
            "update-contact",
            "--contact",
            &id,
            "--set",
            "email=bad",
        ],
    )
    .await;
    assert_eq!(code(&o), Some(1));
    assert!(
        text(&o).1.contains("not an email address"),
        "{:?}",
        text(&o)
    );
    // A junk phone is refused before anything is built, dry run or not, in any form.
    for (phone, dry) in [
        ("phone=+972123", true),
        ("phone=+972123", false),
        ("phone=+1234", true),
        ("phone=123", true),
    ] {
        let mut args = vec!["op", "update-contact", "--contact", &id, "--set", phone];
        if dry {
            args.push("--dry-run");
        }
        let o = run(&base, dir.path(), &args).await;
        assert_eq!(code(&o), Some(1), "{phone}: {:?}", text(&o));
        let (out, err) = text(&o);
        let value = &phone["phone=".len()..];
        assert!(
            err.contains(&format!("`{value}` is not a")),
            "{phone}: {err}"
        );
        assert!(!out.contains("PUT"), "{phone}: {out}");
    }
    let o = run(
        &base,
        dir.path(),
        &["op", "update-contact", "--contact", &id, "--set", "shoe=1"],
    )
    .await;
    // A field that cannot be set is a bad argument (a fixed list, as `changes --state`): exit 2.
    assert_eq!(code(&o), Some(2));
    assert!(text(&o).1.contains("shoe: not a field"), "{:?}", text(&o));
    let o = run(
        &base,
        dir.path(),
        &["op", "delete-task", "--contact", &id, "--task", "nope"],
    )
    .await;
    assert_eq!(code(&o), Some(1));
    assert!(text(&o).1.contains("has no task nope"), "{:?}", text(&o));
    let o = run(
        &base,
        dir.path(),
        &["op", "get-contact", "--contact", "doesNotExist0000000"],
    )
    .await;
    assert_eq!(code(&o), Some(1));

    // Issue #10: an empty tag is refused, in a dry run too, before anything is proposed.
    for extra in [&["--dry-run"][..], &[]] {
        let mut args = vec!["op", "bulk-tags", "--add", "--tag", " ", "--contact", &id];
        args.extend_from_slice(extra);
        let o = run(&base, dir.path(), &args).await;
        assert_eq!(code(&o), Some(1), "{:?}", text(&o));
        let err = text(&o).1;
        assert!(
            err.contains("tags: tag add needs at least one tag"),
            "{err}"
        );
    }
    // The same for one contact's tags: the reason is the empty tag, not "has every tag".
    for cmd in ["add-tags", "remove-tags"] {
        let o = run(
            &base,
            dir.path(),
            &["op", cmd, "--contact", &id, "--tag", ""],
        )
        .await;
        assert_eq!(code(&o), Some(1), "{:?}", text(&o));
        let err = text(&o).1;
        assert!(err.contains("needs at least one tag"), "{err}");
    }
    // A workflow start time in the past is refused, shown in Israel time.
    let o = run(
        &base,
        dir.path(),
        &[
            "op",
            "workflow-add",
            "--contact",
            &id,
            "--workflow",
            "Nurture",
            "--event-start-time",
            "2020-07-07T06:00:00Z",
            "--dry-run",
        ],
    )
    .await;
    assert_eq!(code(&o), Some(1), "{:?}", text(&o));
    let err = text(&o).1;
    assert!(
        err.contains("in the past: 2020-07-07 09:00 Israel time"),
        "{err}"
    );

    let s = store(dir.path());
    assert!(s.changes().unwrap().is_empty());
    assert!(s.journal().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pending_hand_edit_is_never_sent_along() {
    let (sb, dir) = demo().await;
    let base = sb.base_url();
    let id = contact_ids(&sb, dir.path(), 1).await.remove(0);
    ok(&run(&base, dir.path(), &["contact", &id]).await);
    // A hand edit of the contact waits for review (as the TUI's `e` leaves it).
    let pending = {
        let s = store(dir.path());
        let c = s.contact(&id).unwrap().unwrap();
        bmby_ghl::sync::local::edit_contact_field(&s, &c, "city", "Eilat")
            .unwrap()
            .id
    };
    let o = run(
        &base,
        dir.path(),
        &[
            "op",
            "update-contact",
            "--contact",
            &id,
            "--set",
            "state=North",
        ],
    )
    .await;
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o).1;
    assert!(
        err.contains(&format!("pending hand edit (change #{pending})")),
        "{err}"
    );
    let s = store(dir.path());
    assert_eq!(s.changes().unwrap().len(), 1);
    assert_eq!(
        s.change(pending).unwrap().unwrap().state,
        ChangeState::Pending
    );
    assert!(s.journal().unwrap().is_empty());
}

/// Issue #10: a dry run on a data dir that is not signed in printed the requests for the real
/// GHL host and said nothing. It still needs no token, but names the location and host, and
/// says it is not signed in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_without_a_sign_in_says_so_and_names_the_host() {
    let (sb, dir) = demo().await;
    let base = sb.base_url();
    let (b, d) = (base.clone(), dir.path().to_path_buf());
    let o = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_bmby-ghl"))
            .args([
                "--data-dir",
                d.to_str().unwrap(),
                "--config",
                "/dev/null",
                "op",
                "bulk-tags",
                "--add",
                "--tag",
                "vip",
                "--contact",
                "x64Mt6pwWmOf7NAPeeIE",
                "--dry-run",
            ])
            .env("GHL_BASE_URL", &b)
            .env("GHL_LOCATION_ID", DEMO_LOCATION_ID)
            .env_remove("GHL_TOKEN")
            .env("XDG_CONFIG_HOME", d.join("xdg"))
            .env("HOME", d.join("home"))
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let out = ok(&o);
    assert!(
        out.contains(&format!("# location {DEMO_LOCATION_ID} at {base}")),
        "{out}"
    );
    assert!(
        out.contains(&format!("# not signed in: showing the requests for {base}")),
        "{out}"
    );
    assert!(
        out.contains(&format!("POST {base}/contacts/bulk/tags/update/add")),
        "{out}"
    );
    assert!(sb.requests().is_empty(), "a dry run sends nothing");
}

/// A bulk operation naming a contact GHL does not have is refused, naming it, and nothing is
/// stored or sent (GHL would answer per contact and a typo would pass for success).
#[tokio::test(flavor = "multi_thread")]
async fn a_bulk_operation_with_an_unknown_contact_is_refused_before_anything_is_sent() {
    let (sb, dir) = demo().await;
    let ids = contact_ids(&sb, dir.path(), 1).await;
    sb.clear_requests();
    let o = run(
        &sb.base_url(),
        dir.path(),
        &[
            "op",
            "business-set",
            "--business",
            "Acme",
            "--contact",
            &ids[0],
            "--contact",
            "NOPE_NOT_A_CONTACT0",
        ],
    )
    .await;
    let (out, err) = text(&o);
    assert!(!o.status.success(), "refused: {out}");
    assert!(err.contains("NOPE_NOT_A_CONTACT0"), "{err}");
    assert!(
        !sb.requests().iter().any(|r| r.path.contains("/bulk/")),
        "nothing sent: {:?}",
        sb.requests().iter().map(|r| &r.path).collect::<Vec<_>>()
    );
    let changes = ok(&run(
        &sb.base_url(),
        dir.path(),
        &["changes", "--json", "--state", "all"],
    )
    .await);
    let v: Value = serde_json::from_str(&changes).unwrap();
    assert_eq!(v["changes"].as_array().map(Vec::len), Some(0), "{v}");
}
