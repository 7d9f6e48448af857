//! Running the real binary against the GHL stand-in: the demo location's token and id in the
//! environment, the test's own data dir, no config file (`--config /dev/null`).
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

use bmby_ghl::sandbox::{Sandbox, DEMO_LOCATION_ID, DEMO_TOKEN};

/// Runs `bmby-ghl --data-dir DATA --config /dev/null ARGS…` against the stand-in at
/// `base_url` and waits for it. Blocks: from async code use [`run_at`].
pub fn bin_at<S: AsRef<std::ffi::OsStr>>(base_url: &str, data: &Path, args: &[S]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bmby-ghl"))
        .args([
            "--data-dir",
            data.to_str().unwrap(),
            "--config",
            "/dev/null",
        ])
        .args(args)
        .env("GHL_BASE_URL", base_url)
        .env("GHL_TOKEN", DEMO_TOKEN)
        .env("GHL_LOCATION_ID", DEMO_LOCATION_ID)
        .output()
        .unwrap()
}

/// [`bin_at`] against the stand-in `sb`.
pub fn bin(sb: &Sandbox, data: &Path, args: &[&str]) -> Output {
    bin_at(&sb.base_url(), data, args)
}

/// [`bin_at`] off the runtime's threads (the stand-in answers on them).
pub async fn run_at(base_url: &str, data: &Path, args: &[&str]) -> Output {
    let (base_url, data) = (base_url.to_owned(), data.to_owned());
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || bin_at(&base_url, &data, &args))
        .await
        .unwrap()
}

/// [`run_at`] against the stand-in `sb`.
pub async fn run(sb: &Sandbox, data: &Path, args: &[&str]) -> Output {
    run_at(&sb.base_url(), data, args).await
}

/// The command's stdout; fails the test with its exit status, stdout and stderr unless it
/// succeeded.
pub fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout.clone()).unwrap()
}
