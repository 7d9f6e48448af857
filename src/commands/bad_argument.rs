//! A bad command-line argument found by a command (not by clap): the process exits 2, as for
//! clap's own errors (an unknown flag, a missing value) and the `contacts` filters.

/// A command-line argument the command cannot use; the text says which and what is valid.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BadArgument(pub String);

/// Checks a `--data-dir` before anything is written under it: the path, or the nearest part of
/// it that exists, must be a directory (the rest is created). Errors: a [`BadArgument`] naming
/// the part that is a file, for example `--data-dir /tmp/x: /tmp/x is a file, not a directory`.
pub fn check_data_dir(dir: &std::path::Path) -> Result<(), BadArgument> {
    match dir.ancestors().find(|a| a.exists()) {
        Some(existing) if !existing.is_dir() => Err(BadArgument(format!(
            "--data-dir {}: {} is a file, not a directory (give a directory; a missing one is created)",
            dir.display(),
            existing.display()
        ))),
        _ => Ok(()),
    }
}

/// The exit code of a command that failed with `e`: 2 for a [`BadArgument`] anywhere in its
/// chain, else 1.
pub fn exit_code(e: &color_eyre::Report) -> u8 {
    if e.chain().any(|c| c.downcast_ref::<BadArgument>().is_some()) {
        2
    } else {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use color_eyre::eyre::WrapErr as _;

    #[test]
    fn a_bad_argument_exits_2_also_wrapped_and_anything_else_1() {
        let e: color_eyre::Report = BadArgument("--set x: expected FIELD=VALUE".into()).into();
        assert_eq!(exit_code(&e), 2);
        let wrapped = Err::<(), _>(e).wrap_err("op").unwrap_err();
        assert_eq!(exit_code(&wrapped), 2);
        assert_eq!(exit_code(&color_eyre::eyre::eyre!("no GHL location")), 1);
    }

    #[test]
    fn a_data_dir_that_is_a_file_or_lies_under_one_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("afile");
        std::fs::write(&file, "x").unwrap();
        let e = check_data_dir(&file).unwrap_err().to_string();
        assert!(e.contains("afile is a file, not a directory"), "{e}");
        let e = check_data_dir(&file.join("sub")).unwrap_err().to_string();
        assert!(
            e.starts_with(&format!("--data-dir {}", file.join("sub").display())),
            "{e}"
        );
        assert!(e.contains(&format!("{} is a file", file.display())), "{e}");
        assert!(check_data_dir(dir.path()).is_ok());
        assert!(check_data_dir(&dir.path().join("new/deeper")).is_ok());
    }
}
