//! Styled text without styles: a line of text whose pieces carry a semantic [`Look`] (dim,
//! warning, label, removed, added…). The update side builds and measures these (how many lines
//! a pane has, where an item starts) without knowing colours; the renderer turns them into
//! ratatui lines with the [`Theme`] ([`TextLine::to_line`]).

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use super::theme::Theme;
use crate::domain::{ChangeKind, ChangeState};

/// What a piece of text is, for the theme to style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Look {
    /// No style.
    Plain,
    /// Bold, no colour.
    Bold,
    Dim,
    Header,
    Label,
    /// A label under the cursor of a pane without the keyboard.
    LabelUnderlined,
    /// The selected row of a focused pane.
    Selected,
    Key,
    Ok,
    Warn,
    Error,
    /// What a change would replace (a diff's left side).
    Removed,
    /// What a change proposes (a diff's right side).
    Added,
    /// A value a person edited.
    Edited,
    /// The kind of a change.
    Kind(ChangeKind),
    /// The review state of a change.
    State(ChangeState),
}

/// One line: a whole text in one look (the look is the line's), or pieces each in its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextLine {
    Whole(String, Look),
    Pieces(Vec<(String, Look)>),
}

impl TextLine {
    /// A whole line in one look.
    pub fn whole(s: impl Into<String>, look: Look) -> TextLine {
        TextLine::Whole(s.into(), look)
    }

    /// A whole line with no style.
    pub fn raw(s: impl Into<String>) -> TextLine {
        TextLine::Whole(s.into(), Look::Plain)
    }

    /// The line as ratatui draws it, styled by `t`.
    pub fn to_line(&self, t: &Theme) -> Line<'static> {
        match self {
            TextLine::Whole(s, look) => Line::styled(s.clone(), t.look(*look)),
            TextLine::Pieces(p) => Line::from(
                p.iter()
                    .map(|(s, look)| Span::styled(s.clone(), t.look(*look)))
                    .collect::<Vec<_>>(),
            ),
        }
    }
}

impl Theme {
    /// The style of a [`Look`].
    pub fn look(&self, look: Look) -> Style {
        match look {
            Look::Plain => Style::new(),
            Look::Bold => Style::new().add_modifier(Modifier::BOLD),
            Look::Dim => self.dim(),
            Look::Header => self.header(),
            Look::Label => self.label(),
            Look::LabelUnderlined => self.label().add_modifier(Modifier::UNDERLINED),
            Look::Selected => self.selected(true),
            Look::Key => self.key(),
            Look::Ok => self.ok(),
            Look::Warn => self.warn(),
            Look::Error => self.error(),
            Look::Removed => self.removed(),
            Look::Added => self.added(),
            Look::Edited => self.edited(),
            Look::Kind(k) => self.change_kind(k),
            Look::State(s) => self.change_state(s),
        }
    }
}
