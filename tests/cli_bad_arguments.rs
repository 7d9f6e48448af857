//! Bad arguments found by a command (not by clap) exit 2 with the reason, as clap's own errors
//! and the `contacts` filters do; a well-formed request the product refuses stays exit 1.
//! The real binary, no stand-in needed (each is refused before anything is sent).

use crate::cli_support::bin_at;

/// Nothing listens here: a command that tried to reach GHL would fail differently.
const NOWHERE: &str = "http://127.0.0.1:9";

#[test]
fn op_arguments_that_cannot_be_parsed_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    for (args, want) in [
        (
            &[
                "op",
                "update-contact",
                "--contact",
                "c1",
                "--set",
                "bogus",
                "--dry-run",
            ][..],
            "--set bogus: expected FIELD=VALUE",
        ),
        (
            &[
                "op",
                "update-contact",
                "--contact",
                "c1",
                "--set",
                "nofield=1",
                "--dry-run",
            ],
            "--set nofield: not a field that can be set",
        ),
        (
            &[
                "op",
                "workflow-add",
                "--contact",
                "c1",
                "--workflow",
                "Nurture",
                "--event-start-time",
                "yesterday",
                "--dry-run",
            ],
            "--event-start-time yesterday:",
        ),
        (
            &["changes", "--state", "bogus"],
            "--state bogus: use one of",
        ),
    ] {
        let o = bin_at(NOWHERE, dir.path(), args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(want), "{args:?}: {err}");
    }
}

/// A `--data-dir` that is a file (or lies under one) is named before anything is written, for
/// the demo and for every other command, instead of the system's bare "Not a directory".
#[test]
fn a_data_dir_that_is_a_file_exits_2_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notes.txt");
    std::fs::write(&file, "kept").unwrap();
    for (data, args) in [
        (file.clone(), &["demo"][..]),
        (file.join("sub"), &["contacts"][..]),
    ] {
        let o = bin_at(NOWHERE, &data, args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains(&format!("{} is a file, not a directory", file.display())),
            "{args:?}: {err}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "kept",
        "the file is untouched"
    );
}
