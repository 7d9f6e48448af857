//! Driving the real binary in tmux for end-to-end tests: start a session of a given size, send
//! keys, read the screen, and wait by polling the screen for a condition (never a fixed sleep).
//! A test gets `None` from [`Tmux::start`] (and returns) when tmux is not installed.
#![allow(dead_code)]

use std::process::Command;
use std::time::{Duration, Instant};

/// A detached tmux session, killed on drop.
pub struct Tmux {
    session: String,
    /// The session's own config dir (removed on drop).
    config: std::path::PathBuf,
}

impl Tmux {
    /// Starts `cmd` in a new `width`x`height` session named after `name` and this process.
    pub fn start(name: &str, cmd: &str, width: u16, height: u16) -> Option<Tmux> {
        if Command::new("tmux").arg("-V").output().is_err() {
            eprintln!("tmux not installed: skipping end-to-end terminal test");
            return None;
        }
        let session = format!("bmbyghl-{name}-{}", std::process::id());
        // The tmux server keeps the environment it started with (the user's HOME): an empty
        // config dir of its own keeps the user's keymap and config out of the test.
        let config = std::env::temp_dir().join(format!("{session}-config"));
        std::fs::create_dir_all(&config).unwrap();
        let cmd = format!("XDG_CONFIG_HOME='{}' {cmd}", config.display());
        let ok = Command::new("tmux")
            .args([
                "new-session",
                "-d",
                "-s",
                &session,
                "-x",
                &width.to_string(),
                "-y",
                &height.to_string(),
                &cmd,
            ])
            .env_remove("NO_COLOR")
            .status()
            .unwrap()
            .success();
        assert!(ok, "tmux new-session failed");
        Some(Tmux { session, config })
    }

    fn capture(&self, join: bool) -> String {
        let mut args = vec!["capture-pane", "-p"];
        if join {
            args.push("-J");
        }
        args.extend(["-t", &self.session]);
        let o = Command::new("tmux").args(&args).output().unwrap();
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    /// The screen as shown, one line per row.
    pub fn screen(&self) -> String {
        self.capture(false)
    }

    /// The screen with wrapped lines joined (`capture-pane -J`), so a long URL is one line.
    pub fn screen_joined(&self) -> String {
        self.capture(true)
    }

    /// `tmux send-keys` (key names such as `Enter`, `Escape`, `C-u`). Escape followed by another
    /// key in one call reads as alt-key in the program: send Escape alone.
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", self.session.as_str()];
        args.extend_from_slice(keys);
        assert!(Command::new("tmux").args(&args).status().unwrap().success());
    }

    /// Types `text` literally.
    pub fn literal(&self, text: &str) {
        assert!(Command::new("tmux")
            .args(["send-keys", "-t", &self.session, "-l", text])
            .status()
            .unwrap()
            .success());
    }

    /// Pastes tmux buffer `buffer` as a terminal paste (`paste-buffer -p`: bracketed when the
    /// program asked for it).
    pub fn paste_buffer(&self, buffer: &str) {
        assert!(Command::new("tmux")
            .args(["paste-buffer", "-p", "-b", buffer, "-t", &self.session])
            .status()
            .unwrap()
            .success());
    }

    fn wait(&self, what: &str, join: bool, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let s = self.capture(join);
            if pred(&s) {
                return s;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {what}; screen was:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Polls the screen until `pred` holds; panics with the last screen after 60 s.
    pub fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        self.wait(what, false, pred)
    }

    /// [`Tmux::wait_for`] on the joined screen ([`Tmux::screen_joined`]).
    pub fn wait_for_joined(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        self.wait(what, true, pred)
    }

    /// The pid of the program running in the pane.
    pub fn pane_child_pid(&self) -> Option<String> {
        let o = Command::new("tmux")
            .args(["display", "-p", "-t", &self.session, "#{pane_pid}"])
            .output()
            .ok()?;
        let shell = String::from_utf8_lossy(&o.stdout).trim().to_owned();
        let o = Command::new("pgrep").args(["-P", &shell]).output().ok()?;
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .next()
            .map(str::to_owned)
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.session])
            .status();
        let _ = std::fs::remove_dir_all(&self.config);
    }
}

/// The shell command a tmux test runs: the demo on data dir `data`, then `EXITED <code>` (the
/// pane stays open a minute so the test can read it).
pub fn demo_cmd(data: &std::path::Path) -> String {
    format!(
        "{} --data-dir {} demo; echo EXITED $?; sleep 60",
        env!("CARGO_BIN_EXE_bmby-ghl"),
        data.display()
    )
}

/// The status bar's `N pending`.
pub fn pending(s: &str) -> Option<u32> {
    let i = s.find(" pending")?;
    s[..i]
        .rsplit(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

/// Asserts no line of the screen `s` is wider than 80 columns.
pub fn fits_80(s: &str) {
    assert!(
        s.lines()
            .all(|l| unicode_width::UnicodeWidthStr::width(l) <= 80),
        "a line is wider than 80 columns:\n{s}"
    );
}
