//! A bad command-line argument found by a command (not by clap): the process exits 2, as for
//! clap's own errors (an unknown flag, a missing value) and the `contacts` filters.

/// A command-line argument the command cannot use; the text says which and what is valid.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BadArgument(pub String);

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
}
