//! `bmby-ghl completions SHELL` and `bmby-ghl man`: generated from the command line's
//! definition ([`crate::cli::Cli`]), so they never drift from it.

use std::io::Write as _;

use clap::CommandFactory as _;
use color_eyre::eyre::Result;

use crate::cli::Cli;

/// Writes the completion script for `shell` (bash, zsh, fish, elvish, powershell) to `out`.
pub fn completions(shell: clap_complete::Shell, out: &mut dyn std::io::Write) {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "bmby-ghl", out);
}

/// Writes the manual page, section 1, in roff to `out`: the top-level page (synopsis,
/// options, the subcommands with their one-line descriptions, the environment) followed by a
/// section per subcommand with its own options and arguments.
pub fn man(out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let cmd = Cli::command();
    let version = env!("BMBY_GHL_VERSION");
    let page = clap_mangen::Man::new(cmd.clone())
        .source(format!("bmby-ghl {version}"))
        .manual("bmby-ghl manual");
    page.render(out)?;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        man_subcommand(sub, &format!("bmby-ghl {}", sub.get_name()), out)?;
    }
    Ok(())
}

/// One subcommand (and its own subcommands) as a `.SH` section: its description, then each
/// argument with its help.
fn man_subcommand(
    sub: &clap::Command,
    path: &str,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    writeln!(out, ".SH \"{}\"", roff_escape(&path.to_uppercase()))?;
    if let Some(about) = sub.get_long_about().or(sub.get_about()) {
        writeln!(out, "{}", roff_text(&about.to_string()))?;
    }
    for arg in sub.get_arguments().filter(|a| !a.is_hide_set()) {
        let name = match (arg.get_long(), arg.get_short()) {
            (Some(l), Some(s)) => format!("\\-{s}, \\-\\-{l}"),
            (Some(l), None) => format!("\\-\\-{l}"),
            (None, Some(s)) => format!("\\-{s}"),
            (None, None) => format!("<{}>", arg.get_id().as_str().to_uppercase()),
        };
        writeln!(out, ".TP\n\\fB{name}\\fR")?;
        if let Some(h) = arg.get_long_help().or(arg.get_help()) {
            writeln!(out, "{}", roff_text(&h.to_string()))?;
        }
    }
    for s in sub.get_subcommands().filter(|s| !s.is_hide_set()) {
        man_subcommand(s, &format!("{path} {}", s.get_name()), out)?;
    }
    Ok(())
}

/// Escapes backslashes and hyphens for roff.
fn roff_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('-', "\\-")
}

/// Text for a roff paragraph: escaped, and lines starting with `.` or `'` protected.
fn roff_text(s: &str) -> String {
    roff_escape(s)
        .lines()
        .map(|l| {
            if l.starts_with('.') || l.starts_with('\'') {
                format!("\\&{l}")
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `bmby-ghl completions SHELL`.
pub(super) fn completions_cmd(shell: clap_complete::Shell) -> Result<i32> {
    let mut buf = Vec::new();
    completions(shell, &mut buf);
    std::io::stdout().lock().write_all(&buf)?;
    Ok(0)
}

/// `bmby-ghl man`.
pub(super) fn man_cmd() -> Result<i32> {
    let mut buf = Vec::new();
    man(&mut buf)?;
    std::io::stdout().lock().write_all(&buf)?;
    Ok(0)
}
