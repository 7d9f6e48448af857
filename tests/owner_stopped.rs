//! An owner stopped with ctrl-z (SIGSTOP here) does not hang the CLI: the kernel accepts the
//! connection on its socket, but nobody reads it, so the client waits a short deadline for the
//! owner's hello, sees that the owner is stopped and says so — its pid and how to resume it
//! (`fg`) — with exit code 1, nothing run. Resumed (SIGCONT), the same command runs through it.
//!
//! The owner is a real `bmby-ghl serve` (a process of its own, so it can be stopped); every
//! wait is on a condition with a deadline.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bmby_ghl::owner::silent::is_stopped;
use bmby_ghl::owner::who_owns;
use bmby_ghl::sandbox::{Sandbox, SandboxConfig, Seed, DEMO_LOCATION_ID, DEMO_TOKEN};

use crate::cli_support::run;

const DEADLINE: Duration = Duration::from_secs(120);

/// The `serve` owner; resumed and killed when dropped (also when the test fails).
struct Owner(Child);

impl Drop for Owner {
    fn drop(&mut self) {
        let pid = self.0.id() as libc::pid_t;
        // SAFETY: signalling our own child.
        unsafe {
            libc::kill(pid, libc::SIGCONT);
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(base_url: &str, data: &Path) -> Owner {
    Owner(
        Command::new(env!("CARGO_BIN_EXE_bmby-ghl"))
            .args([
                "--data-dir",
                data.to_str().unwrap(),
                "--config",
                "/dev/null",
            ])
            .arg("serve")
            .env("GHL_BASE_URL", base_url)
            .env("GHL_TOKEN", DEMO_TOKEN)
            .env("GHL_LOCATION_ID", DEMO_LOCATION_ID)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    )
}

/// Polls `cond` until it holds (a product-free condition wait with a deadline).
fn wait_until(what: &str, cond: impl Fn() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < DEADLINE, "no {what} within {DEADLINE:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cli_command_beside_a_stopped_owner_names_it_and_says_to_fg_it() {
    let sb = Sandbox::start(SandboxConfig {
        seed: Seed::Generated { contacts: 5 },
        ..Default::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_path_buf();
    let owner = serve(&sb.base_url(), &data);
    let pid = owner.0.id();
    let d = data.clone();
    tokio::task::spawn_blocking(move || {
        wait_until("owner answering on its socket", || {
            who_owns(&d, DEMO_LOCATION_ID).is_some_and(|h| h.pid == pid)
        })
    })
    .await
    .unwrap();

    // SAFETY: signalling our own child.
    unsafe {
        libc::kill(pid as libc::pid_t, libc::SIGSTOP);
    }
    wait_until("owner stopped", || is_stopped(pid));
    let o = run(&sb, &data, &["contacts", "-q", "dana"]).await;
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(1), "stderr: {err}");
    assert!(o.stdout.is_empty(), "nothing ran: {:?}", o.stdout);
    assert!(err.contains(&format!("pid {pid}")), "{err}");
    assert!(err.contains("is stopped"), "{err}");
    assert!(err.contains("`fg`"), "{err}");
    assert!(err.contains(&format!("kill -CONT {pid}")), "{err}");

    // Resumed, the same command runs through it.
    // SAFETY: signalling our own child.
    unsafe {
        libc::kill(pid as libc::pid_t, libc::SIGCONT);
    }
    let o = run(&sb, &data, &["contacts", "-q", "dana"]).await;
    assert!(
        o.status.success(),
        "after SIGCONT: {:?} {}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    drop(owner);
}
