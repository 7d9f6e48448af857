//! `bmby-ghl demo` is a TUI: without a terminal it says so plainly (not the OS error of opening
//! `/dev/tty`, "No such device or address (os error 6)").

use std::io::IsTerminal as _;

/// What the demo lacks to draw and read keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// Standard output is not a terminal (redirected to a file or a pipe).
    Stdout,
    /// The process has no controlling terminal (`/dev/tty` cannot be opened: cron, ssh without
    /// `-t`, `setsid`).
    ControllingTerminal,
}

/// `Some(what)` when the demo cannot run its TUI here: stdout must be a terminal and
/// `/dev/tty` (where keys are read) must open.
pub fn missing() -> Option<Missing> {
    if !std::io::stdout().is_terminal() {
        return Some(Missing::Stdout);
    }
    if std::fs::File::open("/dev/tty").is_err() {
        return Some(Missing::ControllingTerminal);
    }
    None
}

/// The message for [`missing`]: what is missing and what to run instead.
pub fn message(why: Missing) -> String {
    let what = match why {
        Missing::Stdout => "its output is not a terminal",
        Missing::ControllingTerminal => "this process has no terminal",
    };
    format!(
        "`bmby-ghl demo` is a TUI and needs a terminal, and {what}: run it in a terminal \
         (without redirecting its output); for scripts, `bmby-ghl sandbox` runs the GHL \
         stand-in for the CLI"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_says_what_is_missing_and_what_to_run() {
        let m = message(Missing::Stdout);
        assert!(
            m.contains("needs a terminal") && m.contains("not a terminal"),
            "{m}"
        );
        assert!(m.contains("bmby-ghl sandbox"), "{m}");
        assert!(message(Missing::ControllingTerminal).contains("has no terminal"));
    }
}
