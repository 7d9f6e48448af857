//! Styles by role. With `NO_COLOR` set (any non-empty value) no colour is used at all;
//! focus and selection stay visible through reverse video, bold and the `>` marker.

use ratatui::style::{Color, Modifier, Style};

/// The styles of the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    /// From the environment: no colour when `NO_COLOR` is set and non-empty.
    pub fn from_env() -> Theme {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Theme { color: !no_color }
    }

    pub fn colored() -> Theme {
        Theme { color: true }
    }

    pub fn no_color() -> Theme {
        Theme { color: false }
    }

    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    /// The selected row of a list: always reverse + bold (plus the `>` marker drawn by the pane).
    pub fn selected(&self, focused: bool) -> Style {
        let s = Style::new().add_modifier(Modifier::REVERSED);
        if focused {
            s.add_modifier(Modifier::BOLD)
        } else {
            s
        }
    }

    /// Border of a pane.
    pub fn border(&self, focused: bool) -> Style {
        if focused {
            self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
        } else {
            self.fg(Color::DarkGray)
        }
    }

    pub fn title(&self, focused: bool) -> Style {
        if focused {
            Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
        } else {
            Style::new()
        }
    }

    pub fn label(&self) -> Style {
        self.fg(Color::Blue).add_modifier(Modifier::BOLD)
    }

    pub fn dim(&self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new().add_modifier(Modifier::DIM)
        }
    }

    pub fn header(&self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    pub fn error(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn warn(&self) -> Style {
        self.fg(Color::Yellow)
    }

    pub fn ok(&self) -> Style {
        self.fg(Color::Green)
    }

    pub fn key(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn status_bar(&self) -> Style {
        if self.color {
            Style::new().bg(Color::Indexed(236)).fg(Color::White)
        } else {
            Style::new()
        }
    }

    /// What GHL has now and a change would replace (the diff's left side).
    pub fn removed(&self) -> Style {
        self.fg(Color::Red)
    }

    /// What a change proposes (the diff's right side).
    pub fn added(&self) -> Style {
        self.fg(Color::Green)
    }

    /// A value a person edited: added, and bold (also without colour).
    pub fn edited(&self) -> Style {
        self.added().add_modifier(Modifier::BOLD)
    }

    /// The kind of a change (the badge also carries a symbol and a word).
    pub fn change_kind(&self, k: crate::domain::ChangeKind) -> Style {
        use crate::domain::ChangeKind;
        match k {
            ChangeKind::Create => self.fg(Color::Green),
            ChangeKind::Update => self.fg(Color::Cyan),
            ChangeKind::Delete => self.fg(Color::Red).add_modifier(Modifier::BOLD),
            ChangeKind::Ambiguous => self.fg(Color::Magenta).add_modifier(Modifier::BOLD),
        }
    }

    /// The review state of a change.
    pub fn change_state(&self, s: crate::domain::ChangeState) -> Style {
        use crate::domain::ChangeState;
        match s {
            ChangeState::Pending => self.fg(Color::Yellow),
            ChangeState::Approved => self.fg(Color::Green),
            ChangeState::Rejected | ChangeState::Cancelled => self.dim(),
            ChangeState::InFlight => self.fg(Color::Cyan),
            ChangeState::Applied => self.fg(Color::Green),
            ChangeState::Failed | ChangeState::Conflict => self.fg(Color::Red),
        }
    }

    pub fn active_tab(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
    }
}
