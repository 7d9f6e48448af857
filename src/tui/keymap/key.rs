//! One key with modifiers (`ctrl-r`, `shift-tab`, `G`, `pageup`), parsed from and printed to
//! the text used in `keymap.toml`, and matched against crossterm key events.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A normalized key: for character keys the shift state is carried by the character itself
/// (`G`, `?`), so `SHIFT` is only kept on named keys; shift-tab is `BackTab`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyCombo {
    pub code: KeyCodeOrd,
    pub mods: u8,
}

/// `KeyCode` with an ordering (for stable maps and output).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyCodeOrd {
    Char(char),
    F(u8),
    Named(Named),
}

/// Keys with names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Named {
    Esc,
    Enter,
    Tab,
    BackTab,
    Backspace,
    Delete,
    Insert,
    Home,
    End,
    PageUp,
    PageDown,
    Up,
    Down,
    Left,
    Right,
}

const CTRL: u8 = 1;
const ALT: u8 = 2;
const SHIFT: u8 = 4;

const NAMES: &[(&str, Named)] = &[
    ("esc", Named::Esc),
    ("escape", Named::Esc),
    ("enter", Named::Enter),
    ("return", Named::Enter),
    ("tab", Named::Tab),
    ("backtab", Named::BackTab),
    ("backspace", Named::Backspace),
    ("bs", Named::Backspace),
    ("delete", Named::Delete),
    ("del", Named::Delete),
    ("insert", Named::Insert),
    ("ins", Named::Insert),
    ("home", Named::Home),
    ("end", Named::End),
    ("pageup", Named::PageUp),
    ("pgup", Named::PageUp),
    ("pagedown", Named::PageDown),
    ("pgdn", Named::PageDown),
    ("up", Named::Up),
    ("down", Named::Down),
    ("left", Named::Left),
    ("right", Named::Right),
];

impl KeyCombo {
    /// A plain character key.
    pub fn char(c: char) -> KeyCombo {
        KeyCombo {
            code: KeyCodeOrd::Char(c),
            mods: 0,
        }
    }

    /// `ctrl-<c>`.
    pub fn ctrl(c: char) -> KeyCombo {
        KeyCombo {
            code: KeyCodeOrd::Char(c),
            mods: CTRL,
        }
    }

    fn normalized(code: KeyCodeOrd, mut mods: u8) -> KeyCombo {
        let code = match code {
            KeyCodeOrd::Char(c) => {
                mods &= !SHIFT;
                KeyCodeOrd::Char(c)
            }
            KeyCodeOrd::Named(Named::Tab) if mods & SHIFT != 0 => {
                mods &= !SHIFT;
                KeyCodeOrd::Named(Named::BackTab)
            }
            KeyCodeOrd::Named(Named::BackTab) => {
                mods &= !SHIFT;
                code
            }
            other => other,
        };
        KeyCombo { code, mods }
    }

    /// The key of a crossterm key event, or `None` for keys the keymap cannot name.
    pub fn from_event(ev: &KeyEvent) -> Option<KeyCombo> {
        let mut mods = 0;
        if ev.modifiers.contains(KeyModifiers::CONTROL) {
            mods |= CTRL;
        }
        if ev.modifiers.contains(KeyModifiers::ALT) {
            mods |= ALT;
        }
        if ev.modifiers.contains(KeyModifiers::SHIFT) {
            mods |= SHIFT;
        }
        let code = match ev.code {
            KeyCode::Char(c) => KeyCodeOrd::Char(c),
            KeyCode::F(n) => KeyCodeOrd::F(n),
            KeyCode::Esc => KeyCodeOrd::Named(Named::Esc),
            KeyCode::Enter => KeyCodeOrd::Named(Named::Enter),
            KeyCode::Tab => KeyCodeOrd::Named(Named::Tab),
            KeyCode::BackTab => KeyCodeOrd::Named(Named::BackTab),
            KeyCode::Backspace => KeyCodeOrd::Named(Named::Backspace),
            KeyCode::Delete => KeyCodeOrd::Named(Named::Delete),
            KeyCode::Insert => KeyCodeOrd::Named(Named::Insert),
            KeyCode::Home => KeyCodeOrd::Named(Named::Home),
            KeyCode::End => KeyCodeOrd::Named(Named::End),
            KeyCode::PageUp => KeyCodeOrd::Named(Named::PageUp),
            KeyCode::PageDown => KeyCodeOrd::Named(Named::PageDown),
            KeyCode::Up => KeyCodeOrd::Named(Named::Up),
            KeyCode::Down => KeyCodeOrd::Named(Named::Down),
            KeyCode::Left => KeyCodeOrd::Named(Named::Left),
            KeyCode::Right => KeyCodeOrd::Named(Named::Right),
            _ => return None,
        };
        Some(KeyCombo::normalized(code, mods))
    }

    /// A crossterm event for this key (tests and benchmarks drive the app with these).
    pub fn to_event(self) -> KeyEvent {
        let mut m = KeyModifiers::NONE;
        if self.mods & CTRL != 0 {
            m |= KeyModifiers::CONTROL;
        }
        if self.mods & ALT != 0 {
            m |= KeyModifiers::ALT;
        }
        if self.mods & SHIFT != 0 {
            m |= KeyModifiers::SHIFT;
        }
        let code = match self.code {
            KeyCodeOrd::Char(c) => KeyCode::Char(c),
            KeyCodeOrd::F(n) => KeyCode::F(n),
            KeyCodeOrd::Named(n) => match n {
                Named::Esc => KeyCode::Esc,
                Named::Enter => KeyCode::Enter,
                Named::Tab => KeyCode::Tab,
                Named::BackTab => {
                    m |= KeyModifiers::SHIFT;
                    KeyCode::BackTab
                }
                Named::Backspace => KeyCode::Backspace,
                Named::Delete => KeyCode::Delete,
                Named::Insert => KeyCode::Insert,
                Named::Home => KeyCode::Home,
                Named::End => KeyCode::End,
                Named::PageUp => KeyCode::PageUp,
                Named::PageDown => KeyCode::PageDown,
                Named::Up => KeyCode::Up,
                Named::Down => KeyCode::Down,
                Named::Left => KeyCode::Left,
                Named::Right => KeyCode::Right,
            },
        };
        KeyEvent::new(code, m)
    }

    /// True for a character typed without ctrl/alt (what a text input takes as text).
    pub fn printable(self) -> Option<char> {
        match self.code {
            KeyCodeOrd::Char(c) if self.mods & (CTRL | ALT) == 0 => Some(c),
            _ => None,
        }
    }

    /// Parses `ctrl-r`, `C-r`, `<C-r>`, `Ctrl-R`, `shift-tab`, `G`, `?`, `-`, `space`, `f5`.
    pub fn parse(text: &str) -> Result<KeyCombo, String> {
        let s = text.trim();
        if s.is_empty() {
            return Err("empty key".into());
        }
        if s.chars().count() == 1 {
            let c = s.chars().next().unwrap_or(' ');
            return Ok(KeyCombo::char(c));
        }
        if s.contains(' ') {
            return Err(format!(
                "\"{text}\": key sequences are not supported; bind a single key"
            ));
        }
        let s = s
            .strip_prefix('<')
            .and_then(|x| x.strip_suffix('>'))
            .unwrap_or(s);
        // Split off modifiers; a trailing "-" is the minus key itself.
        let (mod_part, key_part) = if let Some(prefix) = s.strip_suffix("--") {
            (Some(prefix), "-")
        } else {
            match s.rfind('-') {
                Some(i) if i + 1 < s.len() => (Some(&s[..i]), &s[i + 1..]),
                _ => (None, s),
            }
        };
        let mut mods = 0u8;
        if let Some(mp) = mod_part {
            for m in mp.split('-') {
                mods |= match m.to_ascii_lowercase().as_str() {
                    "ctrl" | "control" | "c" => CTRL,
                    "alt" | "meta" | "a" | "m" => ALT,
                    "shift" | "s" => SHIFT,
                    _ => {
                        return Err(format!(
                            "\"{text}\": unknown modifier \"{m}\" (use ctrl, alt or shift)"
                        ))
                    }
                };
            }
        }
        let code = if key_part.chars().count() == 1 {
            let mut c = key_part.chars().next().unwrap_or(' ');
            if mods & SHIFT != 0 && c.is_ascii_lowercase() {
                c = c.to_ascii_uppercase();
            }
            KeyCodeOrd::Char(c)
        } else {
            let lower = key_part.to_ascii_lowercase();
            if lower == "space" {
                KeyCodeOrd::Char(' ')
            } else if let Some((_, n)) = NAMES.iter().find(|(name, _)| *name == lower) {
                KeyCodeOrd::Named(*n)
            } else if let Some(n) = lower
                .strip_prefix('f')
                .and_then(|d| d.parse::<u8>().ok())
                .filter(|n| (1..=24).contains(n))
            {
                KeyCodeOrd::F(n)
            } else {
                return Err(format!("\"{text}\": unknown key name \"{key_part}\""));
            }
        };
        Ok(KeyCombo::normalized(code, mods))
    }
}

impl std::fmt::Display for KeyCombo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.mods & CTRL != 0 {
            f.write_str("ctrl-")?;
        }
        if self.mods & ALT != 0 {
            f.write_str("alt-")?;
        }
        if self.mods & SHIFT != 0 {
            f.write_str("shift-")?;
        }
        match self.code {
            KeyCodeOrd::Char(' ') => f.write_str("space"),
            KeyCodeOrd::Char(c) => write!(f, "{c}"),
            KeyCodeOrd::F(n) => write!(f, "f{n}"),
            KeyCodeOrd::Named(Named::BackTab) => f.write_str("shift-tab"),
            KeyCodeOrd::Named(n) => {
                let name = NAMES
                    .iter()
                    .find(|(_, x)| *x == n)
                    .map(|(s, _)| *s)
                    .unwrap_or("?");
                f.write_str(name)
            }
        }
    }
}
