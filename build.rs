//! Build script: puts the git commit into the version (`bmby-ghl --version` prints
//! `bmby-ghl 0.1.0 (commit 1a2b3c4d5e6f)`).
//!
//! The commit comes from `BMBY_GHL_GIT_COMMIT` when set (builds from a source tarball), else
//! from `git rev-parse --short=12 HEAD`, else it is `unknown` (no git, or not a checkout).

use std::path::PathBuf;
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    (!s.is_empty()).then_some(s)
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=BMBY_GHL_GIT_COMMIT");
    let commit = std::env::var("BMBY_GHL_GIT_COMMIT")
        .ok()
        .filter(|c| !c.trim().is_empty())
        .or_else(|| git(&["rev-parse", "--short=12", "HEAD"]))
        .unwrap_or_else(|| "unknown".to_owned());
    // Rebuild when HEAD moves: HEAD itself (a branch switch), the branch's ref file (a commit)
    // and packed-refs (a ref packed by `git gc`). Paths are asked from git, so worktrees work.
    let mut watch = vec![git(&["rev-parse", "--git-path", "HEAD"])];
    if let Some(r) = git(&["rev-parse", "--symbolic-full-name", "HEAD"]) {
        watch.push(git(&["rev-parse", "--git-path", &r]));
    }
    watch.push(git(&["rev-parse", "--git-path", "packed-refs"]));
    for p in watch.into_iter().flatten() {
        if PathBuf::from(&p).exists() {
            println!("cargo:rerun-if-changed={p}");
        }
    }
    // Not named BMBY_GHL_GIT_COMMIT: `cargo test` puts these variables in the tests'
    // environment, and a build started from a test (tests/portable_build.rs) would see its
    // input variable change and rebuild everything.
    println!("cargo:rustc-env=BMBY_GHL_BUILD_COMMIT={commit}");
    println!(
        "cargo:rustc-env=BMBY_GHL_VERSION={} (commit {commit})",
        std::env::var("CARGO_PKG_VERSION").unwrap_or_default()
    );
}
