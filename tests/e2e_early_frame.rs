//! The early frame (issue 14) in a real terminal: the real binary over a cache with a list
//! snapshot draws the snapshot's head before the cache opens, then the TUI's first frame
//! replaces it whole — no early-frame text left in cells the TUI leaves blank (it did: the
//! early list's phones showed through the details pane with `NO_COLOR`, where blank cells
//! carry no style).

use std::os::fd::AsRawFd as _;
use std::time::{Duration, Instant};

use crate::tmux_support::Tmux;
use bmby_ghl::domain::Contact;
use bmby_ghl::store::Store;

const LOC: &str = "earlyLoc000000000001";

/// Waits (with a deadline) until no handle of this process holds sled's lock on the cache.
fn wait_unlocked(cache: &std::path::Path) {
    let end = Instant::now() + Duration::from_secs(30);
    loop {
        let f = std::fs::File::open(cache.join("db")).unwrap();
        // SAFETY: flock on a descriptor owned by `f`, alive for both calls.
        if unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
            unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_UN) };
            return;
        }
        assert!(Instant::now() < end, "the cache stayed locked");
        std::thread::yield_now();
    }
}

#[test]
fn the_first_frame_replaces_the_early_frame_whole_80x24() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Store::location_dir(dir.path(), LOC).join("cache.sled");
    {
        let s = Store::open(dir.path(), LOC).unwrap();
        let cs: Vec<Contact> = (0..40)
            .map(|i| Contact {
                id: format!("c{i:03}"),
                first_name: Some(format!("Name{i:02}")),
                last_name: Some("Levi".into()),
                email: Some(format!("user{i}@example.com")),
                phone: Some(format!("+97254{i:07}")),
                ..Default::default()
            })
            .collect();
        s.put_contacts(&cs).unwrap();
        s.contact_list().unwrap(); // writes the snapshot the early frame reads
        s.flush().unwrap();
    }
    assert!(cache.with_extension("list").exists(), "a list snapshot");
    wait_unlocked(&cache);
    let cmd = format!(
        "NO_COLOR=1 GHL_LOCATION_ID={LOC} {} --config /dev/null --data-dir {}; echo EXITED $?; sleep 60",
        env!("CARGO_BIN_EXE_bmby-ghl"),
        dir.path().display()
    );
    let Some(t) = Tmux::start("early", &cmd, 80, 24) else {
        return;
    };
    let s = t.wait_for("the TUI's first frame", |s| {
        s.contains("Contacts 40") && s.contains("Details")
    });
    // Each list row holds its name and email and nothing else: the early frame's rows
    // (name, email, phone at other columns) left pieces in the cells between them.
    let mut rows = 0;
    for line in s.lines().filter(|l| l.contains("Levi")) {
        let list = line.split('┃').nth(1).unwrap_or_default();
        let words: Vec<&str> = list.split_whitespace().filter(|w| *w != ">").collect();
        assert_eq!(words.len(), 3, "early text left over in {line:?}:\n{s}");
        assert!(
            words[0].starts_with("Name") && words[1] == "Levi",
            "{line:?}\n{s}"
        );
        assert!(
            words[2].starts_with("user") && words[2].ends_with("@example.com"),
            "{s}"
        );
        rows += 1;
    }
    assert!(rows >= 15, "the list rows:\n{s}");
    // Only the details pane shows a phone, the selected contact's.
    assert_eq!(s.matches("+97254").count(), 1, "early text left over:\n{s}");
    assert!(!s.contains("opening the cache"), "{s}");
    t.keys(&["q"]);
    t.wait_for("exit", |s| s.contains("EXITED 0"));
}
