//! Keymap: key syntax, merging a user file over the default, diagnostics with line numbers.
use bmby_ghl::tui::keymap::{Context, KeyCombo, Keymap, DEFAULT_KEYMAP};
use bmby_ghl::tui::{keymap_dump, Action};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn k(s: &str) -> KeyCombo {
    KeyCombo::parse(s).unwrap()
}

#[test]
fn key_syntax() {
    assert_eq!(k("ctrl-r"), KeyCombo::ctrl('r'));
    assert_eq!(k("C-r"), KeyCombo::ctrl('r'));
    assert_eq!(k("<C-r>"), KeyCombo::ctrl('r'));
    assert_eq!(k("Ctrl-r"), KeyCombo::ctrl('r'));
    assert_eq!(k("G"), KeyCombo::char('G'));
    assert_eq!(k("shift-g"), KeyCombo::char('G'));
    assert_eq!(k("space"), KeyCombo::char(' '));
    assert_eq!(k("-"), KeyCombo::char('-'));
    assert_eq!(k("ctrl--").to_string(), "ctrl--");
    assert_eq!(k("shift-tab"), k("backtab"));
    assert_eq!(k("PageUp"), k("pageup"));
    assert_eq!(k("esc"), k("escape"));
    for s in [
        "ctrl-r",
        "shift-tab",
        "G",
        "?",
        "/",
        "pageup",
        "pagedown",
        "esc",
        "enter",
        "space",
        "f5",
        "alt-x",
        "ctrl-alt-x",
        "home",
        "end",
        "backspace",
    ] {
        assert_eq!(k(s).to_string(), s, "canonical form round-trips");
        assert_eq!(k(&k(s).to_string()), k(s));
    }
    assert!(KeyCombo::parse("ctrl-foo")
        .unwrap_err()
        .contains("unknown key name"));
    assert!(KeyCombo::parse("hyper-x")
        .unwrap_err()
        .contains("unknown modifier"));
    assert!(KeyCombo::parse("g g").unwrap_err().contains("sequences"));
    assert!(KeyCombo::parse("").is_err());
}

#[test]
fn events_normalize() {
    // Terminals report shifted letters with SHIFT; the keymap writes just "G".
    let ev = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
    assert_eq!(KeyCombo::from_event(&ev), Some(k("G")));
    let ev = KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT);
    assert_eq!(KeyCombo::from_event(&ev), Some(k("shift-tab")));
    let ev = KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL);
    assert_eq!(KeyCombo::from_event(&ev), Some(k("ctrl-r")));
    for s in ["ctrl-r", "shift-tab", "G", "pageup", "alt-x"] {
        assert_eq!(KeyCombo::from_event(&k(s).to_event()), Some(k(s)));
    }
}

#[test]
fn default_keymap_is_valid_complete_and_described() {
    let km = Keymap::default_keymap();
    let chain = [Context::Contacts, Context::List, Context::Global];
    assert_eq!(km.lookup(&chain, k("q")), Some(Action::Quit));
    assert_eq!(km.lookup(&chain, k("j")), Some(Action::NavDown));
    assert_eq!(km.lookup(&chain, k("down")), Some(Action::NavDown));
    assert_eq!(km.lookup(&chain, k("G")), Some(Action::NavBottom));
    assert_eq!(km.lookup(&chain, k("enter")), Some(Action::OpenContact));
    assert_eq!(km.lookup(&chain, k("/")), Some(Action::FilterOpen));
    assert_eq!(km.lookup(&chain, k("ctrl-r")), Some(Action::SyncPull));
    assert_eq!(
        km.lookup(&[Context::Help], k("esc")),
        Some(Action::HelpClose)
    );
    // Every action is reachable and described.
    let bound: std::collections::HashSet<Action> = km.entries().iter().map(|e| e.2).collect();
    for a in Action::ALL {
        assert!(!a.description().is_empty(), "{a:?} has a description");
        assert_eq!(Action::from_name(a.name()), Some(*a));
        // Bound to a key, or an operation run from the palette (it has a handler there).
        assert!(
            bound.contains(a) || bmby_ghl::tui::registry::entry(*a).handler.is_some(),
            "{} is bound in the default keymap",
            a.name()
        );
    }
    // No key is written twice in one context (two spellings of one key are rejected by the
    // loader, so parsing the default proves it), and ctrl-c is not rebound.
    let (_, diags) = Keymap::with_user_text(DEFAULT_KEYMAP, "default");
    assert!(diags.is_empty(), "{diags:?}");
    assert!(km.entries().iter().all(|e| e.1 != KeyCombo::ctrl('c')));
}

#[test]
fn user_override_keeps_other_keys_and_none_unbinds() {
    let user = r#"
[keys.global]
"x" = "app.quit"
"q" = "none"

[keys.list]
"J" = "nav.page_down"
"#;
    let (km, diags) = Keymap::with_user_text(user, "user.toml");
    assert!(diags.is_empty(), "{diags:?}");
    let chain = [Context::Contacts, Context::List, Context::Global];
    assert_eq!(km.lookup(&chain, k("x")), Some(Action::Quit));
    assert_eq!(km.lookup(&chain, k("q")), None, "unbound");
    assert_eq!(km.lookup(&chain, k("J")), Some(Action::NavPageDown));
    assert_eq!(
        km.lookup(&chain, k("j")),
        Some(Action::NavDown),
        "others kept"
    );
    assert_eq!(km.lookup(&chain, k("?")), Some(Action::HelpToggle));
    assert!(km.dump().contains("(user)"));
}

fn diag(text: &str) -> String {
    let (km, diags) = Keymap::with_user_text(text, "/cfg/keymap.toml");
    assert!(!diags.is_empty(), "expected a problem in {text:?}");
    // The default keymap is still in effect.
    assert_eq!(km.lookup(&[Context::Global], k("q")), Some(Action::Quit));
    diags
        .iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn syntax_error_names_file_and_line() {
    let d = diag("[keys.global]\n\"q\" = \"app.quit\"\n\"x\" = app.quit\n");
    assert!(d.starts_with("/cfg/keymap.toml:3:"), "{d}");
}

#[test]
fn unknown_action_names_line() {
    let d = diag("# my keys\n[keys.global]\n\"q\" = \"app.quit\"\n\"x\" = \"app.explode\"\n");
    assert!(d.starts_with("/cfg/keymap.toml:4:"), "{d}");
    assert!(d.contains("unknown action \"app.explode\""), "{d}");
}

#[test]
fn unknown_key_names_line() {
    let d = diag("[keys.list]\n\"j\" = \"nav.down\"\n\n\"ctrl-banana\" = \"nav.up\"\n");
    assert!(d.starts_with("/cfg/keymap.toml:4:"), "{d}");
    assert!(d.contains("unknown key name"), "{d}");
}

#[test]
fn unknown_context_names_line() {
    let d = diag("[keys.global]\n\"q\" = \"app.quit\"\n[keys.sidebar]\n\"j\" = \"nav.down\"\n");
    assert!(d.starts_with("/cfg/keymap.toml:3:"), "{d}");
    assert!(d.contains("unknown context [keys.sidebar]"), "{d}");
}

#[test]
fn other_problems() {
    let d = diag("[keys.global]\n\"ctrl-c\" = \"app.quit\"\n");
    assert!(d.contains(":2:") && d.contains("reserved"), "{d}");
    let d = diag("[keys.list]\n\"G\" = \"nav.top\"\n\"shift-g\" = \"nav.bottom\"\n");
    assert!(d.contains("same key"), "{d}");
    let d = diag("[keys.list]\n\"j\" = { action = \"nav.down\" }\n");
    assert!(d.contains(":2:"), "{d}");
    let d = diag("[mystuff]\nx = 1\n");
    assert!(d.contains(":1:"), "{d}");
    // Several problems are all reported, in line order.
    let d = diag("[keys.global]\n\"x\" = \"nope\"\n\"y\" = \"nope2\"\n");
    assert_eq!(d.lines().count(), 2, "{d}");
    assert!(d.lines().next().unwrap().contains(":2:"));
}

#[test]
fn dump_and_check() {
    let text = keymap_dump(None).unwrap();
    assert!(text.contains("[keys.global]"));
    assert!(text.contains("\"q\""));
    assert!(text.contains("app.quit"));
    // The dump is itself a valid keymap.
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    let (_, diags) = Keymap::with_user_text(&body, "dump");
    assert!(diags.is_empty(), "{diags:?}");

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("keymap.toml");
    std::fs::write(&bad, "[keys.global]\n\"q\" = \"quit\"\n").unwrap();
    let err = keymap_dump(Some(&bad)).unwrap_err();
    assert!(err.contains("keymap.toml:2:"), "{err}");
    // A missing user file is fine.
    assert!(keymap_dump(Some(&dir.path().join("absent.toml"))).is_ok());
}

#[test]
fn footers_name_back_alike_and_help_pages_like_lists() {
    use bmby_ghl::tui::help::hints;
    use bmby_ghl::tui::{Driver, Pane, Theme};
    let dir = tempfile::tempdir().unwrap();
    let s = bmby_ghl::store::Store::open(dir.path(), "loc").unwrap();
    let mut d = Driver::new(s, bmby_ghl::tui::AppOptions::new("loc"));
    d.app.theme = Theme::colored();
    let back = |d: &Driver| {
        hints(&d.app)
            .into_iter()
            .find(|(_, l)| *l == "back")
            .map(|(k, _)| k)
    };
    d.app.focus = Pane::Details;
    let details = back(&d);
    d.app.focus = Pane::Activity;
    let activity = back(&d);
    assert_eq!(details.as_deref(), Some("esc"));
    assert_eq!(activity.as_deref(), Some("esc"));
    // ctrl-d/ctrl-u page in help as in lists.
    let km = bmby_ghl::tui::Keymap::default_keymap();
    use bmby_ghl::tui::{Action, Context, KeyCombo};
    for (k, a) in [
        ("ctrl-d", Action::NavPageDown),
        ("ctrl-u", Action::NavPageUp),
    ] {
        let key = KeyCombo::parse(k).unwrap();
        assert_eq!(km.lookup(&[Context::List], key), Some(a));
        assert_eq!(km.lookup(&[Context::Help], key), Some(a), "{k} in help");
    }
}
