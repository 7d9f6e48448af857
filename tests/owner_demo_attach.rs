//! The demo attached to a running demo, and the demo without a terminal.
//!
//! - A second `demo --data-dir D` attaches to the first; when the first quits, the second ends
//!   too with one message (the demo and its stand-ins exited; how to continue), not a promise
//!   of an offline TUI followed by another message (found by a newcomer).
//! - `demo` with its output redirected says it needs a terminal, not the OS error of opening
//!   `/dev/tty`.

use crate::tmux_support::{demo_cmd, Tmux};

#[test]
fn a_demo_without_a_terminal_says_it_needs_one() {
    let dir = tempfile::tempdir().unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_bmby-ghl"))
        .args(["--data-dir", dir.path().to_str().unwrap(), "demo"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("`bmby-ghl demo` is a TUI and needs a terminal"),
        "{err}"
    );
    assert!(!err.contains("os error"), "{err}");
    assert!(o.stdout.is_empty(), "nothing drawn: {:?}", o.stdout);
}

#[test]
fn a_demo_attached_to_a_demo_that_quits_ends_with_one_message() {
    let dir = tempfile::tempdir().unwrap();
    let Some(first) = Tmux::start("demo-attach-first", &demo_cmd(dir.path()), 80, 24) else {
        return;
    };
    first.wait_for("the first demo's contact list", |s| {
        s.contains("Contacts 540")
    });
    let second = Tmux::start("demo-attach-second", &demo_cmd(dir.path()), 80, 24).unwrap();
    second.wait_for("the attached demo's contact list", |s| {
        s.contains("Contacts 540")
    });
    first.keys(&["q"]);
    first.wait_for("the first demo exited", |s| s.contains("EXITED 0"));
    let s = second.wait_for_joined("the attached demo ended", |s| s.contains("EXITED"));
    assert!(s.contains("EXITED 1"), "{s}");
    assert!(s.contains("this attached demo ended too"), "{s}");
    assert!(s.contains("bmby-ghl demo --data-dir"), "{s}");
    assert!(!s.contains("offline"), "no offline TUI is promised: {s}");
    assert_eq!(
        s.matches("exited").count(),
        1,
        "one message about the exit: {s}"
    );
}
