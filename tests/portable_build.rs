//! The portable build (issue 13, item 3): `scripts/portable-build.sh` makes a stripped
//! binary for glibc 2.17+ without OpenSSL, and `scripts/portable-check.sh` proves it.
//!
//! The build itself takes many minutes, so `cargo test` runs it only with
//! `BMBY_GHL_PORTABLE_BUILD=1` (`.ci/run` sets it); otherwise an already built binary is
//! checked, and without one (or without zig / cargo-zigbuild) the test says why it skipped.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn has(cmd: &str, args: &[&str]) -> bool {
    Command::new(cmd)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Why the zig toolchain cannot build here, if it cannot.
fn toolchain_missing() -> Option<&'static str> {
    if !has("cargo-zigbuild", &["--version"]) {
        return Some("cargo-zigbuild is missing (cargo install cargo-zigbuild --locked)");
    }
    if !has("zig", &["version"]) && !has("python3", &["-c", "import ziglang"]) {
        return Some("zig is missing (pip install ziglang)");
    }
    None
}

fn dist_binary() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("target"))
        .join("x86_64-unknown-linux-gnu/dist/bmby-ghl")
}

fn binutils() -> bool {
    has("objdump", &["--version"]) && has("readelf", &["--version"])
}

#[test]
fn portable_binary_needs_at_most_glibc_2_17_and_no_openssl() {
    if !binutils() {
        println!("skipped: objdump/readelf (binutils) are not installed");
        return;
    }
    let build = std::env::var("BMBY_GHL_PORTABLE_BUILD").is_ok_and(|v| v == "1");
    let out = if build {
        if let Some(why) = toolchain_missing() {
            println!("skipped: {why}");
            return;
        }
        // The build gets the environment a shell would give it: without the variables cargo
        // sets for tests (some build scripts watch them, and a change rebuilds their crates).
        let mut c = Command::new(repo().join("scripts/portable-build.sh"));
        for (k, _) in std::env::vars() {
            let from_cargo_test = ["CARGO_PKG_", "CARGO_MANIFEST_", "CARGO_BIN_", "BMBY_GHL_B"]
                .iter()
                .any(|p| k.starts_with(p))
                || [
                    "CARGO_CRATE_NAME",
                    "CARGO_PRIMARY_PACKAGE",
                    "CARGO_TARGET_TMPDIR",
                    "BMBY_GHL_VERSION",
                    "OUT_DIR",
                ]
                .contains(&k.as_str());
            if from_cargo_test {
                c.env_remove(k);
            }
        }
        c.output().unwrap()
    } else if dist_binary().exists() {
        Command::new(repo().join("scripts/portable-check.sh"))
            .arg(dist_binary())
            .arg("2.17")
            .output()
            .unwrap()
    } else {
        println!(
            "skipped: no portable binary at {} (run scripts/portable-build.sh, or set \
             BMBY_GHL_PORTABLE_BUILD=1 to build it here{})",
            dist_binary().display(),
            toolchain_missing()
                .map(|w| format!("; {w}"))
                .unwrap_or_default()
        );
        return;
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "stdout: {stdout}\nstderr: {stderr}");
    let summary = stdout.lines().last().unwrap_or_default();
    println!("{summary}");
    assert!(summary.contains("(max 2.17)"), "{summary}");
    assert!(summary.contains("no OpenSSL, stripped"), "{summary}");
    assert!(summary.contains("version: bmby-ghl "), "{summary}");
}

/// The check is not a rubber stamp: the ordinary build (linked against this machine's newer
/// glibc, not stripped) fails it, naming the reason.
#[test]
fn check_refuses_a_binary_for_a_newer_glibc() {
    if !binutils() {
        println!("skipped: objdump/readelf (binutils) are not installed");
        return;
    }
    let out = Command::new(repo().join("scripts/portable-check.sh"))
        .arg(env!("CARGO_BIN_EXE_bmby-ghl"))
        .arg("2.17")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("needs GLIBC_2.") && stderr.contains("> 2.17")
            || stderr.contains("not stripped"),
        "{stderr}"
    );
    // With the bar at the host's own glibc, the symbol check passes and the next one speaks.
    let out = Command::new(repo().join("scripts/portable-check.sh"))
        .arg(env!("CARGO_BIN_EXE_bmby-ghl"))
        .arg("99.0")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not stripped"), "{stderr}");
}

/// No OpenSSL anywhere in the normal dependency tree (reqwest and oauth2 use rustls).
#[test]
fn no_openssl_in_the_dependency_tree() {
    let out = Command::new(env!("CARGO"))
        .args([
            "tree",
            "--locked",
            "--offline",
            "-e",
            "normal",
            "--prefix",
            "none",
        ])
        .current_dir(repo())
        .output()
        .unwrap();
    let tree = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(tree.contains("rustls"), "{tree}");
    for bad in ["openssl-sys ", "openssl ", "native-tls "] {
        assert!(
            !tree.lines().any(|l| l.starts_with(bad)),
            "{bad}in the tree"
        );
    }
}
