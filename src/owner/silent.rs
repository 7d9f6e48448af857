//! An owner that does not answer: the kernel accepts a connection on a listening socket even
//! while the process behind it is stopped (ctrl-z in the owner's TUI, SIGSTOP), so a client's
//! hello would wait forever. The client waits [`LOOK_AFTER`] for the owner's hello, then looks
//! at the owner (the socket's peer, `SO_PEERCRED`): a stopped one is named at once with what to
//! do (`fg` it); one that runs is waited for until [`GIVE_UP`].

use std::io;
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use super::protocol;
use super::OwnerError;

/// How long a client waits for the owner's hello before it looks whether the owner is stopped.
/// OUR CHOICE: 3 s (an owner answers a hello from its accept thread at once; the README's "waits
/// up to 3 s").
pub const LOOK_AFTER: Duration = Duration::from_secs(3);

/// How long in all a client waits for the hello of an owner that runs but does not answer (a
/// very busy machine) before it gives up. OUR CHOICE: 30 s.
pub const GIVE_UP: Duration = Duration::from_secs(30);

/// Reads the owner's hello frame on `conn`: `Ok(Some(frame))`, or `Ok(None)` when the owner
/// closed (or sent something unreadable) before answering, as before. The read timeout is
/// cleared again before returning (a command may run for long).
///
/// Errors: [`OwnerError::NotAnswering`]: nothing came within [`LOOK_AFTER`] and the owner is
/// stopped, or nothing came within [`GIVE_UP`].
pub fn read_hello(
    conn: &mut UnixStream,
    location: &str,
) -> Result<Option<(u8, Vec<u8>)>, OwnerError> {
    let start = Instant::now();
    let result = loop {
        if conn.set_read_timeout(Some(LOOK_AFTER)).is_err() {
            break Ok(protocol::read_frame(conn).ok().flatten());
        }
        match protocol::read_frame(conn) {
            Ok(frame) => break Ok(frame),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                let pid = peer_pid(conn);
                let stopped = pid.is_some_and(is_stopped);
                if stopped || start.elapsed() >= GIVE_UP {
                    break Err(OwnerError::NotAnswering {
                        location: location.to_owned(),
                        pid: pid.unwrap_or(0),
                        stopped,
                    });
                }
            }
            Err(_) => break Ok(None),
        }
    };
    let _ = conn.set_read_timeout(None);
    result
}

/// What [`OwnerError::NotAnswering`] says: who, why (stopped, or not answering) and what to do.
pub fn not_answering_message(location: &str, pid: u32, stopped: bool) -> String {
    let location = crate::sanitize::clean_line(location);
    let who = if pid == 0 {
        format!("the bmby-ghl process that holds the cache of {location}")
    } else {
        format!("the bmby-ghl process that holds the cache of {location} (pid {pid})")
    };
    if stopped {
        let cont = if pid == 0 {
            String::new()
        } else {
            format!(", or `kill -CONT {pid}`")
        };
        format!(
            "{who} is stopped (suspended with ctrl-z?), so it cannot run this command: resume it \
             (`fg` in the shell it was started from{cont}) or quit it, then run the command again; \
             nothing ran"
        )
    } else {
        format!(
            "{who} does not answer (waited {} s): it may be hung; quit it (or wait) and run the \
             command again; nothing ran",
            GIVE_UP.as_secs()
        )
    }
}

/// The pid of the process on the other end of `conn` (for a connection to a listening socket:
/// the process that listens), from `SO_PEERCRED`. `None` where the system does not say.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub fn peer_pid(conn: &UnixStream) -> Option<u32> {
    use std::os::fd::AsRawFd as _;
    let mut cred = libc::ucred {
        pid: 0,
        uid: 0,
        gid: 0,
    };
    let mut len = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
    // SAFETY: `cred` and `len` are valid for writes of the sizes given; the fd is open.
    let rc = unsafe {
        libc::getsockopt(
            conn.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            (&mut cred as *mut libc::ucred).cast(),
            &mut len,
        )
    };
    (rc == 0 && cred.pid > 0).then_some(cred.pid as u32)
}

/// The pid of the process on the other end of `conn`: not known on this system.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub fn peer_pid(_conn: &UnixStream) -> Option<u32> {
    None
}

/// Whether process `pid` is stopped (job control or a tracer: state `T` or `t` in
/// `/proc/PID/stat`). `false` when that cannot be read.
pub fn is_stopped(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .as_deref()
        .and_then(stat_state)
        .is_some_and(|c| c == 'T' || c == 't')
}

/// The state letter of a `/proc/PID/stat` line: the first field after the command name (which
/// is in parentheses and may itself hold spaces and parentheses).
fn stat_state(stat: &str) -> Option<char> {
    let after = &stat[stat.rfind(')')? + 1..];
    after.split_whitespace().next()?.chars().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_letter_follows_the_last_parenthesis() {
        assert_eq!(stat_state("123 (bmby-ghl) T 1 2 3"), Some('T'));
        assert_eq!(stat_state("123 (a) b) (c) S 1 2 3"), Some('S'));
        assert_eq!(stat_state("garbage"), None);
    }

    #[test]
    fn this_process_is_running_and_is_its_own_peer_on_a_pair() {
        assert!(!is_stopped(std::process::id()));
        let (a, _b) = UnixStream::pair().unwrap();
        if cfg!(target_os = "linux") {
            assert_eq!(peer_pid(&a), Some(std::process::id()));
        }
    }

    #[test]
    fn the_message_names_the_pid_and_how_to_resume() {
        let m = not_answering_message("loc1", 4242, true);
        assert!(m.contains("pid 4242") && m.contains("`fg`") && m.contains("kill -CONT 4242"));
        let m = not_answering_message("loc1", 4242, false);
        assert!(m.contains("does not answer") && !m.contains("`fg`"), "{m}");
    }

    #[test]
    fn a_peer_that_closes_before_its_hello_is_none() {
        // A peer that closes at once: nothing ran, try again.
        let (mut a, b) = UnixStream::pair().unwrap();
        drop(b);
        assert!(read_hello(&mut a, "loc").unwrap().is_none());
    }
}
