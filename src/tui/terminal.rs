//! Terminal hygiene: raw mode and the alternate screen behind an RAII guard, restored on
//! quit, on error, on panic (the hook restores before the panic message is printed) and on
//! suspend.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::{cursor, event, execute, terminal};

/// Whether the terminal is currently in TUI mode (shared with the panic hook).
static ACTIVE: AtomicBool = AtomicBool::new(false);
static HOOK: std::sync::Once = std::sync::Once::new();

/// Leaves TUI mode if in it. Idempotent; errors are ignored (the terminal may be gone, e.g.
/// after SIGHUP).
pub fn restore() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        let mut out = io::stdout();
        let _ = execute!(
            out,
            terminal::EndSynchronizedUpdate,
            event::DisableBracketedPaste,
            terminal::LeaveAlternateScreen,
            cursor::Show
        );
        let _ = terminal::disable_raw_mode();
        let _ = out.flush();
    }
}

fn enter() -> io::Result<()> {
    terminal::enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    // Bracketed paste: a paste arrives as one text, never as keys that could run commands.
    execute!(
        io::stdout(),
        terminal::EnterAlternateScreen,
        event::EnableBracketedPaste,
        cursor::Hide
    )?;
    Ok(())
}

/// The name of the threads of a hosted TUI session's runtime (`crate::owner::host`): a panic
/// there leaves this process's terminal alone.
pub const HOSTED_THREAD: &str = "bmby-ghl-hosted";

/// Chains a panic hook that restores the terminal first (installed once per process).
pub fn install_panic_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            // A command this process (the owner of the cache) runs for another process is not
            // the TUI: its panic is logged and reported to that process, the TUI goes on.
            if crate::commands::out::current().is_some() {
                tracing::error!(panic = %info, "a command run for another process panicked");
                return;
            }
            // Nor is a TUI session hosted for an attached TUI (its loaders run on the
            // threads of its own runtime, named so).
            if std::thread::current().name() == Some(HOSTED_THREAD) {
                tracing::error!(panic = %info, "a hosted TUI session's work panicked");
                return;
            }
            restore();
            previous(info);
        }));
    });
}

/// Owns TUI mode; dropping it restores the terminal.
pub struct TerminalGuard {
    _private: (),
}

impl TerminalGuard {
    /// Enters raw mode and the alternate screen (and installs the panic hook).
    pub fn enter() -> io::Result<TerminalGuard> {
        install_panic_hook();
        if let Err(e) = enter() {
            restore();
            return Err(e);
        }
        Ok(TerminalGuard { _private: () })
    }

    /// Ctrl-Z: restore the terminal, stop the process, and re-enter TUI mode once resumed.
    pub fn suspend(&self) -> io::Result<()> {
        restore();
        // SAFETY: raising a signal on our own process; SIGTSTP's default action stops it and
        // returns here after SIGCONT.
        unsafe {
            libc::raise(libc::SIGTSTP);
        }
        enter()
    }

    /// Runs `f` (another program that uses the terminal, such as `$EDITOR`) with the terminal
    /// restored, then enters TUI mode again.
    pub fn run_outside<T>(&self, f: impl FnOnce() -> T) -> io::Result<T> {
        restore();
        let out = f();
        enter()?;
        Ok(out)
    }

    /// After SIGCONT: make sure raw mode and the alternate screen are on (a shell may have
    /// reset the terminal modes when it resumed us). Entering again is harmless.
    pub fn reenter(&self) {
        // Raw mode is only set when off (crossterm remembers it set it), so turn it off first
        // to really set it again.
        let _ = terminal::disable_raw_mode();
        if let Err(e) = enter() {
            tracing::warn!(error = %e, "re-entering TUI mode after resume failed");
        }
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}
