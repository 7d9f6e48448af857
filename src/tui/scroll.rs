//! Moving a selection or a scroll position, written once: every list, pane and popup of the
//! TUI (contacts, changes, diff fields, journal, help, messages, activity, the location picker,
//! the field picker, the palette) clamps through here.

use super::action::Action;

/// A movement asked for by a navigation key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
}

impl Nav {
    /// The movement of a `nav.*` action; `None` for any other action.
    pub fn of(a: Action) -> Option<Nav> {
        Some(match a {
            Action::NavUp => Nav::Up,
            Action::NavDown => Nav::Down,
            Action::NavPageUp => Nav::PageUp,
            Action::NavPageDown => Nav::PageDown,
            Action::NavTop => Nav::Top,
            Action::NavBottom => Nav::Bottom,
            _ => return None,
        })
    }

    /// The signed distance of the movement with `page` rows to a page (top and bottom are
    /// "far enough": clamping does the rest).
    pub fn delta(self, page: usize) -> i64 {
        let page = page.max(1) as i64;
        match self {
            Nav::Up => -1,
            Nav::Down => 1,
            Nav::PageUp => -page,
            Nav::PageDown => page,
            Nav::Top => i64::MIN / 2,
            Nav::Bottom => i64::MAX / 2,
        }
    }
}

/// `pos` moved by `delta`, clamped to `0..=max`.
pub fn clamp_move(pos: usize, delta: i64, max: usize) -> usize {
    (pos as i64).saturating_add(delta).clamp(0, max as i64) as usize
}

/// A scroll position moved by `nav` within `0..=max` (`page` rows to a page).
pub fn scrolled(pos: usize, nav: Nav, max: usize, page: usize) -> usize {
    clamp_move(pos, nav.delta(page), max)
}

/// A selection in a windowed list: the selected position and the first position drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Scroll {
    pub pos: usize,
    pub offset: usize,
}

impl Scroll {
    /// Moves the selection by `delta` within a list of `len` (nothing for an empty list), then
    /// keeps it in the window of `page` rows. Returns whether the selection moved.
    pub fn move_by(&mut self, delta: i64, len: usize, page: usize) -> bool {
        if len == 0 {
            return false;
        }
        let before = self.pos;
        self.pos = clamp_move(self.pos, delta, len - 1);
        self.keep_visible(len, page);
        self.pos != before
    }

    /// [`Scroll::move_by`] for a navigation key.
    pub fn apply(&mut self, nav: Nav, len: usize, page: usize) -> bool {
        self.move_by(nav.delta(page), len, page)
    }

    /// Clamps the selection to the list and scrolls the window of `page` rows so it shows,
    /// without leaving empty rows below the last item.
    pub fn keep_visible(&mut self, len: usize, page: usize) {
        if len == 0 {
            *self = Scroll::default();
            return;
        }
        let page = page.max(1);
        self.pos = self.pos.min(len - 1);
        if self.pos < self.offset {
            self.offset = self.pos;
        } else if self.pos >= self.offset + page {
            self.offset = self.pos + 1 - page;
        }
        self.offset = self.offset.min(len.saturating_sub(page));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_clamp_and_keep_the_selection_in_the_window() {
        let mut s = Scroll::default();
        assert!(s.apply(Nav::Down, 10, 3));
        assert_eq!(s, Scroll { pos: 1, offset: 0 });
        s.apply(Nav::PageDown, 10, 3);
        assert_eq!(s, Scroll { pos: 4, offset: 2 });
        s.apply(Nav::Bottom, 10, 3);
        assert_eq!(s, Scroll { pos: 9, offset: 7 });
        assert!(!s.apply(Nav::Down, 10, 3));
        s.apply(Nav::Top, 10, 3);
        assert_eq!(s, Scroll { pos: 0, offset: 0 });
        assert!(!s.apply(Nav::Down, 0, 3));
        assert_eq!(scrolled(5, Nav::Down, 5, 2), 5);
        assert_eq!(scrolled(5, Nav::PageUp, 9, 2), 3);
        assert_eq!(scrolled(1, Nav::Top, 9, 2), 0);
    }
}
