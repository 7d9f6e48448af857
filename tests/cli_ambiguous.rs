//! The real binary settling an ambiguous change: `approve ID --contact GHL_ID` (with the link
//! warning), a contact that is not a candidate, plain `approve`/`reject` saying how to choose,
//! `reset ID` undoing the choice (ambiguous again, the link back), `approve ID --new`; and
//! `changes` telling a withdrawn hand edit from a rejection. Works on the cache only: no
//! network.
use crate::tui_changes_support;

use std::process::{Command, Output};

use bmby_ghl::domain::{ChangeKind, ChangeState, LOCAL_ORIGIN};
use bmby_ghl::store::Store;

const LOC: &str = "ve9EPM428h8vShlRW1KT";
const DANA: &str = "c00dana0000000000003";

fn bin(data: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bmby-ghl"))
        .args([
            "--data-dir",
            data.to_str().unwrap(),
            "--config",
            "/dev/null",
        ])
        .args(args)
        .env("GHL_LOCATION_ID", LOC)
        .env_remove("GHL_TOKEN")
        .env("GHL_BASE_URL", "http://127.0.0.1:9")
        .output()
        .unwrap()
}

fn out(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The changes fixture (#4 ambiguous between Michal by email and Dana by phone, Bmby client
/// 10412), with Dana already linked to Bmby client 10555; the store is closed for the binary.
fn data() -> tempfile::TempDir {
    let (dir, s) = tui_changes_support::store();
    s.put_link("10555", DANA).unwrap();
    s.flush().unwrap();
    drop(s);
    dir
}

fn with_store<T>(dir: &std::path::Path, f: impl FnOnce(&Store) -> T) -> T {
    let s = Store::open(dir, LOC).unwrap();
    f(&s)
}

#[test]
fn approve_with_contact_warns_of_the_link_and_reset_undoes_it() {
    let dir = data();
    let p = dir.path();

    // Plain approve: refused, saying how to choose.
    let o = bin(p, &["approve", "4"]);
    assert_eq!(o.status.code(), Some(1));
    let (_, err) = out(&o);
    assert!(err.contains("matches several GHL contacts"), "{err}");
    assert!(
        err.contains(&format!("bmby-ghl approve 4 --contact {DANA}"))
            && err.contains("bmby-ghl approve 4 --new"),
        "{err}"
    );

    // A contact that is not a candidate: refused, listing them; nothing moved.
    let o = bin(p, &["approve", "4", "--contact", "c00eve00000000000004"]);
    assert_eq!(o.status.code(), Some(1));
    let (_, err) = out(&o);
    assert!(
        err.contains("c00eve00000000000004 is not one of its candidates")
            && err.contains(&format!("2. Dana Levi ({DANA}, by phone)")),
        "{err}"
    );
    with_store(p, |s| {
        assert_eq!(s.change(4).unwrap().unwrap().kind, ChangeKind::Ambiguous);
        assert_eq!(s.link("10555").unwrap().as_deref(), Some(DANA));
    });

    // The choice: approved, with the link warning.
    let o = bin(p, &["approve", "4", "--contact", DANA]);
    let (so, err) = out(&o);
    assert!(o.status.success(), "{so}\n{err}");
    assert!(so.contains("#4 approved Dana Levi (update)"), "{so}");
    assert!(
        so.contains(&format!(
            "warning: GHL contact {DANA} is linked to Bmby client 10555 — the choice moved the link to Bmby client 10412"
        )),
        "{so}"
    );
    assert!(so.contains("bmby-ghl reset 4"), "{so}");
    with_store(p, |s| {
        let c = s.change(4).unwrap().unwrap();
        assert_eq!(
            (c.kind, c.state, c.contact_id.as_deref()),
            (ChangeKind::Update, ChangeState::Approved, Some(DANA))
        );
        assert_eq!(s.link("10412").unwrap().as_deref(), Some(DANA));
        assert_eq!(s.link("10555").unwrap(), None);
    });

    // Back to pending: ambiguous again, the link back where it was.
    let o = bin(p, &["reset", "4"]);
    let (so, err) = out(&o);
    assert!(o.status.success(), "{so}\n{err}");
    assert!(so.contains("#4 pending"), "{so}");
    assert!(so.contains("the choice is undone"), "{so}");
    assert!(so.contains("bmby-ghl approve 4 --new"), "{so}");
    with_store(p, |s| {
        let c = s.change(4).unwrap().unwrap();
        assert_eq!(
            (c.kind, c.state),
            (ChangeKind::Ambiguous, ChangeState::Pending)
        );
        assert_eq!(c.candidates.len(), 2);
        assert_eq!(c.contact_id, None);
        assert_eq!(s.link("10412").unwrap(), None);
        assert_eq!(s.link("10555").unwrap().as_deref(), Some(DANA));
    });

    // A new contact instead.
    let o = bin(p, &["approve", "4", "--new"]);
    let (so, err) = out(&o);
    assert!(o.status.success(), "{so}\n{err}");
    assert!(
        so.contains("#4 approved") && so.contains("(create)"),
        "{so}"
    );
    assert!(!so.contains("warning"), "{so}");
    with_store(p, |s| {
        let c = s.change(4).unwrap().unwrap();
        assert_eq!(
            (c.kind, c.state),
            (ChangeKind::Create, ChangeState::Approved)
        );
        assert_eq!(s.link("10412").unwrap(), None);
    });

    // --contact/--new on a change that is not ambiguous, or with two ids: refused.
    let o = bin(p, &["approve", "1", "--new"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(out(&o).1.contains("not ambiguous"), "{}", out(&o).1);
    let o = bin(p, &["approve", "1", "2", "--new"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(out(&o).1.contains("exactly one change id"));
    let o = bin(p, &["approve", "4", "--new", "--contact", DANA]);
    assert_eq!(o.status.code(), Some(2), "clap refuses both");
}

#[test]
fn reject_of_an_ambiguous_change_says_how_to_choose_and_withdrawn_is_not_rejected() {
    let dir = data();
    let p = dir.path();
    let o = bin(p, &["reject", "4"]);
    let (so, err) = out(&o);
    assert!(o.status.success(), "{so}\n{err}");
    assert!(so.contains("#4 rejected"), "{so}");
    assert!(
        so.contains("To choose instead") && so.contains(&format!("--contact {DANA}")),
        "{so}"
    );

    // A withdrawn hand edit next to a rejection.
    with_store(p, |s| {
        let mut w = tui_changes_support::change(
            8,
            ChangeKind::Update,
            ChangeState::Rejected,
            "",
            Some("c00aaron000000000001"),
            "Aaron Avraham",
            LOCAL_ORIGIN,
            vec![],
        );
        w.warnings = vec!["withdrawn: every field was set back to the value GHL has".into()];
        s.put_change(&w).unwrap();
        s.flush().unwrap();
    });
    let (so, _) = out(&bin(p, &["changes", "--state", "withdrawn"]));
    assert!(so.contains("#8 update withdrawn Aaron Avraham"), "{so}");
    assert!(!so.contains("#6 "), "{so}");
    let (so, _) = out(&bin(p, &["changes", "--state", "rejected"]));
    assert!(so.contains("#6 ") && so.contains("#4 "), "{so}");
    assert!(!so.contains("#8 "), "{so}");
    let doc: serde_json::Value =
        serde_json::from_str(&out(&bin(p, &["changes", "--json"])).0).unwrap();
    assert_eq!(doc["counts"]["rejected"], 2);
    assert_eq!(doc["counts"]["withdrawn"], 1);
    let eight = doc["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == 8)
        .unwrap();
    assert_eq!(eight["withdrawn"], true);
    // `reset` (the CLI's `u`) refuses it: nothing empty is queued.
    let o = bin(p, &["reset", "8"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(out(&o).1.contains("withdrawn"), "{}", out(&o).1);
    with_store(p, |s| {
        assert_eq!(s.change(8).unwrap().unwrap().state, ChangeState::Rejected)
    });
    let (so, _) = out(&bin(p, &["changes", "--state", "all"]));
    assert!(so.contains("#8 ") && so.contains("#1 "), "{so}");
}
