//! The owner protocol: typed, length-prefixed frames over the owner's Unix socket.
//!
//! A frame is one kind byte, the payload's length (u32, big-endian) and the payload. The
//! conversation:
//!
//! 1. client → owner `H` [`Hello`] (JSON); owner → client `H` [`Hello`]. Each side compares
//!    [`Hello::protocol`] with its own [`PROTOCOL`]; on a mismatch the owner answers its hello
//!    and closes, and the client says which versions met ([`super::OwnerError::ProtocolMismatch`]).
//!    **The `H` frame and the fields `protocol` and `version` never change**, so any two
//!    versions can tell each other apart; everything after the hellos may change with
//!    [`PROTOCOL`].
//! 2. client → owner `R` [`RunRequest`] (JSON): the command line and what the command reads
//!    from its process (environment, working directory, whether stderr is a terminal).
//! 3. owner → client `O` (stdout bytes) and `E` (stderr bytes), in the order the command wrote
//!    them; client → owner `S` (one byte: 1 Ctrl-C, 2 SIGTERM) when the client is signalled
//!    during `apply`.
//! 4. owner → client `X` [`Exit`] (JSON): the exit code; the owner then closes.
//!
//! A TUI attaches instead of running a command (protocol 2, [`super::host`], [`super::attach`]):
//!
//! 2. client → owner `A` [`AttachRequest`] (JSON): the client terminal's size and the
//!    environment the theme reads. An owner that hosts no TUI (a CLI command, short-lived)
//!    answers `N` [`NotHosting`] and closes: the client waits for the cache to be free.
//! 3. client → owner `I` [`ClientInput`] (JSON): each terminal event (key, paste, resize,
//!    focus) of the client's terminal, as crossterm read it there.
//! 4. owner → client `O`: the bytes the hosted session draws (escape sequences for a terminal
//!    of the client's size; OSC 52 clipboard copies too), copied to the client's stdout as
//!    they are.
//! 5. owner → client `X` [`Exit`] when the session ended because the person quit; the owner
//!    then closes. The socket closing without `X` means the owner went away.

use std::io::{self, Read, Write};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// The protocol this binary speaks. Bump when anything after the hellos changes.
pub const PROTOCOL: u32 = 2;

/// Frames larger than this are refused (a broken or hostile peer), in bytes.
pub const MAX_FRAME: usize = 16 * 1024 * 1024;

/// Frame kinds.
pub mod kind {
    /// [`super::Hello`], both ways.
    pub const HELLO: u8 = b'H';
    /// [`super::RunRequest`], client → owner.
    pub const RUN: u8 = b'R';
    /// Bytes of the command's stdout, owner → client.
    pub const STDOUT: u8 = b'O';
    /// Bytes of the command's stderr, owner → client.
    pub const STDERR: u8 = b'E';
    /// A signal the client received (1 Ctrl-C, 2 SIGTERM), client → owner.
    pub const SIGNAL: u8 = b'S';
    /// [`super::Exit`], owner → client; the last frame.
    pub const EXIT: u8 = b'X';
    /// [`super::AttachRequest`], client → owner: a TUI attaches (instead of `R`).
    pub const ATTACH: u8 = b'A';
    /// [`super::NotHosting`], owner → client: this owner hosts no TUI; the last frame.
    pub const NOT_HOSTING: u8 = b'N';
    /// [`super::ClientInput`], client → owner: one event of the client's terminal.
    pub const INPUT: u8 = b'I';
}

/// A TUI attaching to the owner: what the hosted session needs to know of the client's
/// terminal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachRequest {
    /// The client terminal's size in columns and rows.
    pub width: u16,
    /// Rows.
    pub height: u16,
    /// The client's `NO_COLOR`, `TERM`, `COLORTERM` (what the theme reads; unset ones left out).
    pub env: Vec<(String, String)>,
    /// The client's keymap file (its config dir), if it has one.
    #[serde(default)]
    pub user_keymap: Option<PathBuf>,
}

impl AttachRequest {
    /// The environment variables sent ([`AttachRequest::env`]).
    pub const ENV: [&'static str; 3] = ["NO_COLOR", "TERM", "COLORTERM"];

    /// The value of `name` in the client's environment.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.env
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether the client asked for no colour (`NO_COLOR` set and not empty).
    pub fn no_color(&self) -> bool {
        self.var("NO_COLOR").is_some_and(|v| !v.is_empty())
    }
}

/// The owner hosts no TUI session (it is a CLI command, or a TUI still starting): `reason`
/// says who it is; the client waits for the cache to be free.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotHosting {
    /// e.g. `bmby-ghl approve (pid 123) runs a command`.
    pub reason: String,
}

/// One event of the attached client's terminal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientInput {
    /// The event as crossterm read it (key with modifiers and kind, paste, resize, focus).
    pub event: crossterm::event::Event,
}

/// The first frame of each side. Fields may be added (with defaults), never removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hello {
    /// [`PROTOCOL`] of the sender.
    pub protocol: u32,
    /// The sender's `bmby-ghl` version (`CARGO_PKG_VERSION`).
    pub version: String,
    /// The sender's process id.
    #[serde(default)]
    pub pid: u32,
    /// What the sender is: `tui`, `cli`, `serve`, `client`.
    #[serde(default)]
    pub role: String,
}

impl Hello {
    /// This process's hello in `role`.
    pub fn ours(role: &str) -> Hello {
        Hello {
            protocol: PROTOCOL,
            version: env!("CARGO_PKG_VERSION").to_owned(),
            pid: std::process::id(),
            role: role.to_owned(),
        }
    }
}

/// A command for the owner to run as if it were the client process.
///
/// `env` holds the client's `GHL_*` and `BMBY_*` variables, tokens among them: it travels only
/// over the owner-only socket and is never logged (no `Debug`).
#[derive(Clone, Serialize, Deserialize)]
pub struct RunRequest {
    /// The client's command line, program name first.
    pub argv: Vec<String>,
    /// The client's working directory (relative file arguments are resolved against it).
    pub cwd: PathBuf,
    /// The client's `GHL_*` and `BMBY_*` environment variables.
    pub env: Vec<(String, String)>,
    /// The config file the client resolved (absolute).
    pub config_file: PathBuf,
    /// The config dir the client resolved (absolute).
    pub config_dir: PathBuf,
    /// Whether the client's stderr is a terminal.
    pub stderr_tty: bool,
}

/// The outcome of a forwarded command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exit {
    /// The process exit code the client exits with.
    pub code: i32,
}

/// Writes one frame. Errors: the socket's.
pub fn write_frame(w: &mut impl Write, kind: u8, payload: &[u8]) -> io::Result<()> {
    let len = u32::try_from(payload.len())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "frame too large"))?;
    let mut head = [0u8; 5];
    head[0] = kind;
    head[1..].copy_from_slice(&len.to_be_bytes());
    w.write_all(&head)?;
    w.write_all(payload)?;
    w.flush()
}

/// Writes one frame holding `value` as JSON.
pub fn write_json(w: &mut impl Write, kind: u8, value: &impl Serialize) -> io::Result<()> {
    let body = serde_json::to_vec(value).map_err(io::Error::other)?;
    write_frame(w, kind, &body)
}

/// Reads one frame: `Ok(None)` at a clean end of stream (before a frame starts).
/// Errors: the socket's; a frame over [`MAX_FRAME`] or cut short is `InvalidData` /
/// `UnexpectedEof`.
pub fn read_frame(r: &mut impl Read) -> io::Result<Option<(u8, Vec<u8>)>> {
    let mut head = [0u8; 5];
    let mut got = 0;
    while got < head.len() {
        match r.read(&mut head[got..]) {
            Ok(0) if got == 0 => return Ok(None),
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let len = u32::from_be_bytes([head[1], head[2], head[3], head[4]]) as usize;
    if len > MAX_FRAME {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("owner protocol: a frame of {len} bytes (at most {MAX_FRAME})"),
        ));
    }
    let mut body = vec![0u8; len];
    r.read_exact(&mut body)?;
    Ok(Some((head[0], body)))
}

/// Parses a JSON frame body. Errors: `InvalidData` naming what was expected.
pub fn parse<T: serde::de::DeserializeOwned>(body: &[u8], what: &str) -> io::Result<T> {
    serde_json::from_slice(body).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("owner protocol: unreadable {what}: {e}"),
        )
    })
}

/// A writer that sends everything written as frames of one kind (`O` or `E`) on a shared
/// socket, so that frames of the two streams never interleave mid-frame. The owner sends a
/// command's output with [`super::stream::writers`] instead, which keeps stdout and stderr in
/// the order written.
pub struct FrameWriter<W: Write> {
    /// The shared socket.
    pub socket: std::sync::Arc<std::sync::Mutex<W>>,
    /// [`kind::STDOUT`] or [`kind::STDERR`].
    pub kind: u8,
}

impl<W: Write> Write for FrameWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let n = buf.len().min(1024 * 1024);
        let mut s = self.socket.lock().unwrap_or_else(|p| p.into_inner());
        write_frame(&mut *s, self.kind, &buf[..n])?;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_and_end_cleanly() {
        let mut buf = Vec::new();
        write_json(&mut buf, kind::HELLO, &Hello::ours("cli")).unwrap();
        write_frame(&mut buf, kind::STDOUT, b"abc\n").unwrap();
        let mut r = &buf[..];
        let (k, body) = read_frame(&mut r).unwrap().unwrap();
        assert_eq!(k, kind::HELLO);
        let h: Hello = parse(&body, "hello").unwrap();
        assert_eq!(h.protocol, PROTOCOL);
        assert_eq!(h.role, "cli");
        assert_eq!(
            read_frame(&mut r).unwrap(),
            Some((kind::STDOUT, b"abc\n".to_vec()))
        );
        assert_eq!(read_frame(&mut r).unwrap(), None);
    }

    #[test]
    fn a_cut_frame_and_a_huge_frame_are_errors() {
        let mut buf = Vec::new();
        write_frame(&mut buf, kind::STDERR, b"hello").unwrap();
        let mut r = &buf[..7];
        assert_eq!(
            read_frame(&mut r).unwrap_err().kind(),
            io::ErrorKind::UnexpectedEof
        );
        let huge = [kind::STDOUT, 0xff, 0xff, 0xff, 0xff];
        assert_eq!(
            read_frame(&mut &huge[..]).unwrap_err().kind(),
            io::ErrorKind::InvalidData
        );
    }

    #[test]
    fn attach_and_input_frames_round_trip() {
        use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
        let req = AttachRequest {
            width: 80,
            height: 24,
            env: vec![
                ("NO_COLOR".into(), "1".into()),
                ("TERM".into(), "tmux".into()),
            ],
            user_keymap: Some("/home/u/.config/bmby-ghl/keymap.toml".into()),
        };
        let events = [
            Event::Key(KeyEvent::new(KeyCode::Char('a'), KeyModifiers::CONTROL)),
            Event::Key(KeyEvent::new(KeyCode::F(5), KeyModifiers::SHIFT)),
            Event::Paste("שלום \u{1b}[31m".into()),
            Event::Resize(120, 40),
            Event::FocusLost,
        ];
        let mut buf = Vec::new();
        write_json(&mut buf, kind::ATTACH, &req).unwrap();
        for e in &events {
            write_json(&mut buf, kind::INPUT, &ClientInput { event: e.clone() }).unwrap();
        }
        let mut r = &buf[..];
        let (k, body) = read_frame(&mut r).unwrap().unwrap();
        assert_eq!(k, kind::ATTACH);
        let back: AttachRequest = parse(&body, "attach request").unwrap();
        assert_eq!(back, req);
        assert!(back.no_color());
        assert_eq!(back.var("TERM"), Some("tmux"));
        for e in &events {
            let (k, body) = read_frame(&mut r).unwrap().unwrap();
            assert_eq!(k, kind::INPUT);
            let got: ClientInput = parse(&body, "input").unwrap();
            assert_eq!(&got.event, e);
        }
        assert_eq!(read_frame(&mut r).unwrap(), None);
    }

    #[test]
    fn a_garbled_input_frame_is_an_error_naming_it() {
        let e = parse::<ClientInput>(br#"{"event":{"Key":42}}"#, "terminal input").unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        assert!(e.to_string().contains("terminal input"), "{e}");
    }

    #[test]
    fn an_older_hello_without_pid_and_role_still_reads() {
        let h: Hello = parse(br#"{"protocol":0,"version":"0.0.9"}"#, "hello").unwrap();
        assert_eq!(h.protocol, 0);
        assert_eq!(h.version, "0.0.9");
    }
}
