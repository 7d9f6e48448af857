//! A forwarded command's stdout and stderr as one ordered stream of tagged frames.
//!
//! The owner sends what the command writes as `O` (stdout) and `E` (stderr) frames on one
//! socket ([`super::protocol`]), in the order the command wrote them: stdout is buffered a line
//! at a time (fewer frames), but whatever stdout holds is sent before any stderr bytes, so a
//! line cut by a message on stderr (`booked` + `(from the cache)`) arrives as written. The
//! client ([`relay`]) writes the frames in the order they came, flushing its (line-buffered)
//! stdout before each stderr write, so its terminal shows them in that order too.

use std::io::{self, Read, Write};
use std::sync::{Arc, Mutex};

use super::protocol::{self, kind, Exit};

/// Stdout bytes the command wrote that are not sent yet (no newline after them so far).
#[derive(Default)]
struct Pending(Vec<u8>);

/// Bytes of stdout held back at most before they are sent without a newline.
const HOLD: usize = 64 * 1024;

/// One of the two streams of a forwarded command: writes become frames on the shared socket,
/// in the order of the writes across both streams. Make both with [`writers`].
pub struct StreamWriter<W: Write> {
    socket: Arc<Mutex<W>>,
    pending: Arc<Mutex<Pending>>,
    kind: u8,
}

/// The stdout and stderr writers of a forwarded command over `socket` (shared with the
/// caller, which sends the `X` frame after flushing stdout).
pub fn writers<W: Write>(socket: Arc<Mutex<W>>) -> (StreamWriter<W>, StreamWriter<W>) {
    let pending = Arc::new(Mutex::new(Pending::default()));
    (
        StreamWriter {
            socket: socket.clone(),
            pending: pending.clone(),
            kind: kind::STDOUT,
        },
        StreamWriter {
            socket,
            pending,
            kind: kind::STDERR,
        },
    )
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Sends `bytes` as frames of `kind` (at most 1 MiB each).
fn send<W: Write>(socket: &Mutex<W>, kind: u8, bytes: &[u8]) -> io::Result<()> {
    let mut s = lock(socket);
    for chunk in bytes.chunks(1024 * 1024) {
        protocol::write_frame(&mut *s, kind, chunk)?;
    }
    Ok(())
}

impl<W: Write> Write for StreamWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let mut pending = lock(&self.pending);
        if self.kind == kind::STDERR {
            // Stdout written before this goes first.
            if !pending.0.is_empty() {
                send(&self.socket, kind::STDOUT, &pending.0)?;
                pending.0.clear();
            }
            send(&self.socket, kind::STDERR, buf)?;
            return Ok(buf.len());
        }
        pending.0.extend_from_slice(buf);
        let upto = if pending.0.len() >= HOLD {
            pending.0.len()
        } else {
            match pending.0.iter().rposition(|&b| b == b'\n') {
                Some(i) => i + 1,
                None => return Ok(buf.len()),
            }
        };
        let rest = pending.0.split_off(upto);
        let whole = std::mem::replace(&mut pending.0, rest);
        send(&self.socket, kind::STDOUT, &whole)?;
        Ok(buf.len())
    }

    /// Sends whatever stdout holds.
    fn flush(&mut self) -> io::Result<()> {
        let mut pending = lock(&self.pending);
        if !pending.0.is_empty() {
            send(&self.socket, kind::STDOUT, &pending.0)?;
            pending.0.clear();
        }
        Ok(())
    }
}

/// How a relay ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relayed {
    /// The owner sent the command's exit code.
    Exit(i32),
    /// The connection ended (or broke) before an exit code.
    Gone,
}

/// The client's side: writes the `O` and `E` frames read from `conn` to `out` and `err` in
/// the order they came (flushing `out` before each write to `err`), until the `X` frame.
/// Errors: writing to `out` (a closed pipe: `BrokenPipe`), an unreadable exit frame. A write
/// to `err` that fails is ignored; a broken connection is [`Relayed::Gone`].
pub fn relay(
    conn: &mut impl Read,
    out: &mut impl Write,
    err: &mut impl Write,
) -> io::Result<Relayed> {
    loop {
        match protocol::read_frame(conn) {
            Ok(Some((kind::STDOUT, b))) => out.write_all(&b)?,
            Ok(Some((kind::STDERR, b))) => {
                out.flush()?;
                let _ = err.write_all(&b);
                let _ = err.flush();
            }
            Ok(Some((kind::EXIT, b))) => {
                out.flush()?;
                let exit: Exit = protocol::parse(&b, "exit code")?;
                return Ok(Relayed::Exit(exit.code));
            }
            Ok(Some(_)) => {}
            Ok(None) => return Ok(Relayed::Gone),
            Err(e) => {
                tracing::warn!(error = %e, "owner connection lost");
                return Ok(Relayed::Gone);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::out::{self, Sink};

    /// The writes of both streams in order, each tagged with its stream's letter.
    type Writes = Arc<Mutex<Vec<(char, Vec<u8>)>>>;

    /// A writer appending to a log shared by both streams, tagged with the stream's name.
    #[derive(Clone)]
    struct Log(Writes, char);

    impl Write for Log {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            lock(&self.0).push((self.1, buf.to_vec()));
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// What the client shows, as one text (stdout and stderr to one terminal).
    fn shown(log: &Log) -> String {
        lock(&log.0)
            .iter()
            .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
            .collect()
    }

    /// A command run with its output going through the owner's writers, as the owner runs
    /// one for a client: a line of stdout cut by a message on stderr, as `contact` writes
    /// an appointment's status and `(from the cache)`.
    fn run_command(socket: Arc<Mutex<Vec<u8>>>) {
        let (o, e) = writers(socket.clone());
        let o: Box<dyn Write + Send> = Box::new(o);
        let e: Box<dyn Write + Send> = Box::new(e);
        let sink = Sink {
            stdout: Arc::new(Mutex::new(o)),
            stderr: Arc::new(Mutex::new(e)),
            stderr_tty: false,
            signals: None,
            cwd: None,
        };
        out::with_sink(sink.clone(), || {
            use std::io::Write as _;
            let mut so = out::stdout();
            writeln!(so, "Appointments (1)").unwrap();
            write!(so, "  2026-12-03 12:00  Viewing  booked").unwrap();
            let _ = writeln!(out::stderr(), "(warning on stderr)");
            writeln!(so, " and more").unwrap();
            write!(so, "Times are IST").unwrap();
        });
        lock(&sink.stdout).flush().unwrap();
        protocol::write_json(&mut *lock(&socket), kind::EXIT, &Exit { code: 3 }).unwrap();
    }

    #[test]
    fn stdout_and_stderr_reach_the_client_in_the_order_written() {
        let socket = Arc::new(Mutex::new(Vec::new()));
        run_command(socket.clone());
        // The frames, in order.
        let bytes = lock(&socket).clone();
        let mut r = &bytes[..];
        let mut frames = Vec::new();
        while let Some((k, b)) = protocol::read_frame(&mut r).unwrap() {
            frames.push((k, String::from_utf8(b).unwrap()));
        }
        assert_eq!(
            frames[..4],
            [
                (kind::STDOUT, "Appointments (1)\n".to_owned()),
                (
                    kind::STDOUT,
                    "  2026-12-03 12:00  Viewing  booked".to_owned()
                ),
                (kind::STDERR, "(warning on stderr)\n".to_owned()),
                (kind::STDOUT, " and more\n".to_owned()),
            ]
        );
        // The client, with a line-buffered stdout as the process's is, shows them in order.
        let log = Log(Arc::default(), 'o');
        let mut out = io::LineWriter::new(log.clone());
        let mut err = Log(log.0.clone(), 'e');
        let end = relay(&mut &bytes[..], &mut out, &mut err).unwrap();
        assert_eq!(end, Relayed::Exit(3));
        assert_eq!(
            shown(&log),
            "Appointments (1)\n  2026-12-03 12:00  Viewing  booked(warning on stderr)\n and more\nTimes are IST"
        );
        let kinds: Vec<char> = lock(&log.0).iter().map(|(k, _)| *k).collect();
        let first_e = kinds.iter().position(|k| *k == 'e').unwrap();
        assert!(kinds[..first_e].iter().all(|k| *k == 'o'), "{kinds:?}");
    }

    #[test]
    fn a_connection_cut_before_the_exit_is_gone() {
        let mut buf = Vec::new();
        protocol::write_frame(&mut buf, kind::STDOUT, b"half").unwrap();
        let mut out = Vec::new();
        let end = relay(&mut &buf[..], &mut out, &mut io::sink()).unwrap();
        assert_eq!(end, Relayed::Gone);
        assert_eq!(out, b"half");
    }
}
