//! When the owner of the cache exits, the attached TUI takes the cache over and says so: the
//! notice stays (in place of the key hints, at 80x24) until a key, its whole text is in the
//! messages; after a demo, it says that the demo's stand-ins ended and how to restart it
//! (never "needs sign-in"). `demo --data-dir DIR` on a cache a plain TUI owns is refused.

use std::path::PathBuf;

use crate::tui_support::*;
use bmby_ghl::owner::{Owner, Takeover, ROLE_DEMO};
use bmby_ghl::sandbox::DEMO_LOCATION_ID;
use bmby_ghl::store::Store;

fn takeover(role: &str) -> Takeover {
    Takeover {
        pid: 4242,
        role: role.into(),
        location: DEMO_LOCATION_ID.into(),
        data_dir: PathBuf::from("/tmp/demo"),
    }
}

#[test]
fn the_takeover_notice_stays_until_a_key_80x24() {
    let t = takeover(ROLE_DEMO);
    assert!(t.was_demo());
    let line = t.line();
    assert!(
        line.contains("demo ended, stand-ins gone")
            && line.contains("`bmby-ghl demo --data-dir /tmp/demo`"),
        "{line}"
    );
    assert!(line.chars().count() <= 80, "{line}");
    let whole = t.notice();
    assert!(
        whole.contains("pid 4242") && whole.contains("offline"),
        "{whole}"
    );

    let (_dir, mut d) = driver();
    d.app.notice_until_key(line.clone(), whole.clone());
    // It stays however much else happens, until a key.
    d.app.status.info = Some("sorted by name".into());
    let buf = d.buffer(80, 24);
    assert_clean(&buf);
    let lines = text_lines(&buf);
    assert!(lines[23].contains(&line), "{lines:#?}");
    assert!(!lines[23].contains("j/k move"), "{lines:#?}");
    let t = d.render(80, 24);
    insta::assert_snapshot!("takeover_demo_80x24", format!("{}", t.backend()));
    assert!(d.app.messages.iter().any(|m| *m == whole));
    // A key: the hints are back, and the key did its work.
    let before = d.app.selected;
    d.keys("j");
    assert_eq!(d.app.status.until_key, None);
    assert_eq!(d.app.selected, before + 1);
    let lines = text_lines(&d.buffer(80, 24));
    assert!(lines[23].contains("j/k move"), "{lines:#?}");
}

#[test]
fn a_plain_owner_says_this_one_owns_the_cache_now() {
    let t = takeover("tui");
    assert!(!t.was_demo());
    assert_eq!(
        t.line(),
        "the bmby-ghl that held this cache (pid 4242) exited: this one owns it now"
    );
    assert!(!t.notice().contains("demo"));
}

/// `demo --data-dir DIR` while a plain TUI owns DIR's demo cache: refused, saying why and
/// what to do, instead of attaching to that offline TUI.
#[test]
fn demo_refuses_a_cache_a_plain_tui_owns() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();
    let _owner = Owner::start(store.clone(), dir.path(), DEMO_LOCATION_ID, "tui");
    // It listens from the start (the socket is bound before `start` returns).
    assert!(bmby_ghl::owner::who_owns(dir.path(), DEMO_LOCATION_ID).is_some());
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_bmby-ghl"))
        .args(["--data-dir", dir.path().to_str().unwrap(), "demo"])
        .env_remove("GHL_TOKEN")
        .env_remove("GHL_LOCATION_ID")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("is open in a bmby-ghl that is not a demo")
            && err.contains(&format!("pid {}, tui", std::process::id()))
            && err.contains("bmby-ghl demo --data-dir"),
        "{err}"
    );
}
