//! The owner hosts an attached TUI (protocol 2, without a terminal on either side): a client
//! speaking the protocol by hand attaches at 80x24 with `NO_COLOR`, gets the drawn screen as
//! `O` frames, sends keys as `I` frames; an approve there reaches the owner's own session as
//! `PeerChanged`, and news from the owner's session shows there; `q` ends only that session
//! (`X`); an owner that hosts no TUI says `N`; a stopping owner closes hosted sessions (no `X`).

use std::io::Read as _;
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use bmby_ghl::domain::{Change, ChangeKind, ChangeState, FieldChange};
use bmby_ghl::owner::protocol::{
    self, kind, AttachRequest, ClientInput, Hello, NotHosting, PROTOCOL,
};
use bmby_ghl::owner::{socket_path, HostConfig, Hub, Owner};
use bmby_ghl::sandbox::DEMO_LOCATION_ID;
use bmby_ghl::store::Store;
use bmby_ghl::sync::SyncEvent;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};

fn pending_create(id: u64) -> Change {
    Change {
        id,
        kind: ChangeKind::Create,
        state: ChangeState::Pending,
        client_id: format!("bmby{id}"),
        contact_id: None,
        display_name: format!("דנה כהן {id}"),
        fields: vec![FieldChange {
            field: "city".into(),
            label: "City".into(),
            source_field: "city".into(),
            ghl_now: None,
            proposed: Some("חיפה".into()),
            edited: false,
            value_json: None,
        }],
        base_date_updated: None,
        origin: "host test".into(),
        warnings: vec![],
        candidates: vec![],
        fingerprint: String::new(),
        created_at: String::new(),
        updated_at: String::new(),
        subject: Default::default(),
        target: Default::default(),
        choice: None,
        matched: None,
        removable_tags: Vec::new(),
    }
}

/// Connects and says hello; returns the owner's hello.
fn connect(dir: &std::path::Path) -> (UnixStream, Hello) {
    let mut c = UnixStream::connect(socket_path(dir, DEMO_LOCATION_ID)).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    protocol::write_json(&mut c, kind::HELLO, &Hello::ours("client")).unwrap();
    let (k, body) = protocol::read_frame(&mut c).unwrap().unwrap();
    assert_eq!(k, kind::HELLO);
    let h: Hello = protocol::parse(&body, "hello").unwrap();
    assert_eq!(h.protocol, PROTOCOL);
    (c, h)
}

fn attach(c: &mut UnixStream) {
    let req = AttachRequest {
        width: 80,
        height: 24,
        env: vec![("NO_COLOR".into(), "1".into())],
        user_keymap: None,
    };
    protocol::write_json(c, kind::ATTACH, &req).unwrap();
}

fn key(c: &mut UnixStream, ch: char) {
    let event = Event::Key(KeyEvent::new(KeyCode::Char(ch), KeyModifiers::NONE));
    protocol::write_json(c, kind::INPUT, &ClientInput { event }).unwrap();
}

/// The client's screen, as the drawn bytes leave it: cursor moves (`CSI row;col H`) and
/// clears are followed, styles ignored.
struct Screen {
    cells: Vec<Vec<String>>,
    row: usize,
    col: usize,
}

impl Screen {
    fn new(w: usize, h: usize) -> Screen {
        Screen {
            cells: vec![vec![" ".to_owned(); w]; h],
            row: 0,
            col: 0,
        }
    }

    fn feed(&mut self, bytes: &[u8]) {
        let text = String::from_utf8_lossy(bytes);
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\x1b' {
                if chars.peek() != Some(&'[') {
                    chars.next();
                    continue;
                }
                chars.next();
                let mut params = String::new();
                for p in chars.by_ref() {
                    if ('\x40'..='\x7e').contains(&p) {
                        self.csi(&params, p);
                        break;
                    }
                    params.push(p);
                }
                continue;
            }
            let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
            if w == 0 {
                continue;
            }
            if let Some(cell) = self
                .cells
                .get_mut(self.row)
                .and_then(|r| r.get_mut(self.col))
            {
                *cell = c.to_string();
            }
            self.col += w;
        }
    }

    fn csi(&mut self, params: &str, fin: char) {
        match fin {
            'H' => {
                let mut it = params.split(';').map(|n| n.parse::<usize>().unwrap_or(1));
                self.row = it.next().unwrap_or(1).saturating_sub(1);
                self.col = it.next().unwrap_or(1).saturating_sub(1);
            }
            'J' if params == "2" => {
                for r in &mut self.cells {
                    r.iter_mut().for_each(|c| *c = " ".to_owned());
                }
            }
            _ => {}
        }
    }

    fn text(&self) -> String {
        self.cells
            .iter()
            .map(|r| r.concat().trim_end().to_owned())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Reads `O` frames into `screen` until it shows `text` (60 s deadline); returns the screen.
fn drawn_until(c: &mut UnixStream, screen: &mut Screen, text: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (k, body) = protocol::read_frame(c)
            .unwrap_or_else(|e| panic!("waiting for {text:?}: {e}; screen:\n{}", screen.text()))
            .unwrap_or_else(|| panic!("closed before {text:?} was drawn"));
        assert_eq!(
            k,
            kind::STDOUT,
            "only drawing frames while the session runs"
        );
        screen.feed(&body);
        let s = screen.text();
        if s.contains(text) {
            return s;
        }
        assert!(Instant::now() < deadline, "{text:?} never drawn:\n{s}");
    }
}

/// The first frame's raw bytes (to look at the escape sequences themselves).
fn first_frame(c: &mut UnixStream, screen: &mut Screen) -> Vec<u8> {
    let (k, body) = protocol::read_frame(c).unwrap().unwrap();
    assert_eq!(k, kind::STDOUT);
    screen.feed(&body);
    body
}

#[test]
fn an_attached_tui_is_hosted_hears_the_owner_and_quits_alone() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();
    store.put_change(&pending_create(1)).unwrap();
    let owner = Owner::start(store.clone(), dir.path(), DEMO_LOCATION_ID, "tui");
    let hub = Hub::new();
    // The owner's own TUI session, as `bmby-ghl` subscribes it.
    let (mine, mut my_events) = hub.subscribe();
    owner.set_host(HostConfig {
        jobs: None,
        hub: hub.clone(),
        location_label: "Test Realty (loc)".into(),
        read_only: None,
    });

    let (mut c, h) = connect(dir.path());
    assert_eq!((h.pid, h.role.as_str()), (std::process::id(), "tui"));
    attach(&mut c);
    let mut screen = Screen::new(80, 24);
    // Everything drawn until the status bar shows: the client's screen is cleared first (it
    // may hold the early frame: its text showed through blank cells), and NO_COLOR was
    // honoured: no colour is set on the client's terminal.
    let mut first = String::new();
    while !screen.text().contains("Test Realty (loc)") {
        first.push_str(&String::from_utf8_lossy(&first_frame(&mut c, &mut screen)));
    }
    assert!(first.starts_with("\x1b[2J"), "{first:?}");
    assert!(
        !first.contains("\x1b[38;") && !first.contains("\x1b[48;"),
        "{first:?}"
    );
    let s = screen.text();
    assert!(s.contains("Contacts 0"), "{s}");
    assert_eq!(owner.hosted_sessions(), 1);

    // The changes screen, and approve its only change.
    key(&mut c, 'c');
    drawn_until(&mut c, &mut screen, "#1 · 1 field");
    key(&mut c, 'a');
    // Drawing frames keep coming while the approval is carried out; the event comes once.
    let deadline = Instant::now() + Duration::from_secs(60);
    let ev = loop {
        if let Ok(ev) = my_events.try_recv() {
            break ev;
        }
        assert!(
            Instant::now() < deadline,
            "the owner's session heard nothing; screen:\n{}",
            screen.text()
        );
        c.set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        if let Ok(Some((_, body))) = protocol::read_frame(&mut c) {
            screen.feed(&body);
        }
        c.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    };
    match ev {
        SyncEvent::PeerChanged { what } => {
            assert!(what.starts_with("approved #1 "), "{what}")
        }
        other => panic!("the owner's session heard {other:?}"),
    }
    assert_eq!(
        store.change(1).unwrap().unwrap().state,
        ChangeState::Approved
    );

    // The owner's session tells the others: the hosted one shows it.
    hub.send_except(
        mine,
        SyncEvent::PeerChanged {
            what: "rejected #7".into(),
        },
    );
    let s = drawn_until(&mut c, &mut screen, "another TUI here: rejected #7");
    assert!(s.contains("1 ✓"), "the approval shows: {s}");

    // `q` ends this session only: `X`, and the owner still serves.
    key(&mut c, 'q');
    loop {
        match protocol::read_frame(&mut c).unwrap() {
            Some((kind::STDOUT, _)) => {}
            Some((kind::EXIT, _)) => break,
            other => panic!("expected the exit frame, got {other:?}"),
        }
    }
    assert_eq!(owner.hosted_sessions(), 0);
    let (c2, h2) = connect(dir.path());
    assert_eq!(h2.pid, std::process::id());
    drop(c2);

    // Another attached TUI; the owner stops: the socket closes without `X`.
    let (mut c3, _) = connect(dir.path());
    attach(&mut c3);
    drawn_until(&mut c3, &mut Screen::new(80, 24), "Test Realty (loc)");
    drop(owner);
    let mut rest = Vec::new();
    loop {
        match protocol::read_frame(&mut c3) {
            Ok(Some((kind::STDOUT, _))) => {}
            Ok(Some((k, b))) => rest.push((k, b)),
            Ok(None) | Err(_) => break,
        }
    }
    assert!(
        rest.is_empty(),
        "no exit frame when the owner stops: {rest:?}"
    );
    assert!(!socket_path(dir.path(), DEMO_LOCATION_ID).exists());
}

#[test]
fn an_owner_that_hosts_no_tui_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();
    let owner = Owner::start(store, dir.path(), DEMO_LOCATION_ID, "cli");
    let (mut c, _) = connect(dir.path());
    attach(&mut c);
    let (k, body) = protocol::read_frame(&mut c).unwrap().unwrap();
    assert_eq!(k, kind::NOT_HOSTING);
    let n: NotHosting = protocol::parse(&body, "not hosting").unwrap();
    assert!(
        n.reason.contains(&format!(
            "pid {}, cli) holds the cache for a command",
            std::process::id()
        )),
        "{}",
        n.reason
    );
    let mut tail = Vec::new();
    c.read_to_end(&mut tail).unwrap();
    assert!(tail.is_empty(), "nothing after N");
    drop(owner);
}
