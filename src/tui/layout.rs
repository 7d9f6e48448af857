//! Pane geometry for a terminal size. Pure: the app uses it to size pages and the renderer to
//! draw, so both always agree.
//!
//! - 120 columns or wider: contacts | details | activity.
//! - 60 to 119 columns: contacts on the left; details above activity on the right.
//! - narrower than 60: only the focused pane (Tab switches).
//!
//! The last two lines are the status bar and the key hints.

use ratatui::layout::{Constraint, Layout, Rect};

use super::app::Pane;

pub const WIDE: u16 = 120;
pub const NARROW: u16 = 60;

/// Where everything goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Areas {
    pub contacts: Option<Rect>,
    pub details: Option<Rect>,
    pub activity: Option<Rect>,
    pub status: Rect,
    pub footer: Rect,
}

impl Areas {
    pub fn pane(&self, p: Pane) -> Option<Rect> {
        match p {
            Pane::Contacts => self.contacts,
            Pane::Details => self.details,
            Pane::Activity => self.activity,
        }
    }
}

/// The areas for a frame of `area` with `focus` (which matters only when narrow).
pub fn areas(area: Rect, focus: Pane) -> Areas {
    let [main, status, footer] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let mut a = Areas {
        status,
        footer,
        ..Default::default()
    };
    if area.width >= WIDE {
        let [c, d, act] = Layout::horizontal([
            Constraint::Percentage(40),
            Constraint::Percentage(30),
            Constraint::Percentage(30),
        ])
        .areas(main);
        a.contacts = Some(c);
        a.details = Some(d);
        a.activity = Some(act);
    } else if area.width >= NARROW {
        let [c, right] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                .areas(main);
        let [d, act] =
            Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(right);
        a.contacts = Some(c);
        a.details = Some(d);
        a.activity = Some(act);
    } else {
        match focus {
            Pane::Contacts => a.contacts = Some(main),
            Pane::Details => a.details = Some(main),
            Pane::Activity => a.activity = Some(main),
        }
    }
    a
}

/// The areas for a frame of `area` with the focused pane `focus` zoomed to the whole screen
/// (`z`) when `zoom`, else [`areas`].
pub fn areas_zoomed(area: Rect, focus: Pane, zoom: bool) -> Areas {
    if !zoom {
        return areas(area, focus);
    }
    // The narrow layout shows only the focused pane.
    areas(
        Rect {
            width: area.width.min(NARROW - 1),
            ..area
        },
        focus,
    )
    .widened(area.width)
}

impl Areas {
    /// Every rectangle given the full width `w` (they start at column 0).
    fn widened(mut self, w: u16) -> Areas {
        for r in [&mut self.contacts, &mut self.details, &mut self.activity]
            .into_iter()
            .flatten()
        {
            r.width = w;
        }
        self.status.width = w;
        self.footer.width = w;
        self
    }
}

impl ChangesAreas {
    /// The focused pane (the diff when `diff_focused`) over the whole screen (`z`).
    pub fn zoomed(self, diff_focused: bool) -> ChangesAreas {
        let main = match (self.list, self.diff) {
            (Some(l), Some(d)) => l.union(d),
            (Some(r), None) | (None, Some(r)) => r,
            (None, None) => return self,
        };
        ChangesAreas {
            list: (!diff_focused).then_some(main),
            diff: diff_focused.then_some(main),
            ..self
        }
    }
}

/// Rows of contacts that fit in the list pane: the pane minus borders, the column header and
/// (when shown) the filter line.
pub fn list_rows(contacts: Rect, filter_line: bool) -> usize {
    (contacts.height as usize).saturating_sub(3 + usize::from(filter_line))
}

/// Rows of changes that fit in the changes list pane `area`: the pane minus borders, the column
/// header and (when shown) the filter line.
pub fn changes_list_page(area: Rect, filter_line: bool) -> usize {
    (area.height as usize).saturating_sub(3 + usize::from(filter_line))
}

/// A rectangle centred in `r`, at most `w` x `h`.
pub fn centered(r: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(r.width);
    let h = h.min(r.height);
    Rect {
        x: r.x + (r.width - w) / 2,
        y: r.y + (r.height - h) / 2,
        width: w,
        height: h,
    }
}

/// Where the changes screen goes: the list and the diff pane, status and hints.
///
/// - 140 columns or wider: list | diff side by side.
/// - 60 columns or wider and 16 rows or taller: the list above, the diff below (the list
///   gets about a third of the height, at least 6 rows, more when the diff is short).
/// - smaller: only the focused pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChangesAreas {
    pub list: Option<Rect>,
    pub diff: Option<Rect>,
    pub status: Rect,
    pub footer: Rect,
}

pub const CHANGES_SIDE_BY_SIDE: u16 = 140;

pub fn changes_areas(area: Rect, diff_focused: bool) -> ChangesAreas {
    changes_areas_sized(area, diff_focused, None)
}

/// The least height of the diff pane stacked under the list (borders included).
pub const DIFF_MIN_HEIGHT: u16 = 8;

/// As [`changes_areas`], with the diff pane (when stacked under the list) only as tall as
/// its `diff_lines` need (at least [`DIFF_MIN_HEIGHT`]): the list gets the rest.
pub fn changes_areas_sized(
    area: Rect,
    diff_focused: bool,
    diff_lines: Option<usize>,
) -> ChangesAreas {
    let [main, status, footer] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let mut a = ChangesAreas {
        status,
        footer,
        ..Default::default()
    };
    if area.width >= CHANGES_SIDE_BY_SIDE {
        let [l, d] = Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)])
            .areas(main);
        a.list = Some(l);
        a.diff = Some(d);
    } else if area.width >= NARROW && main.height >= 14 {
        let mut list_h = (main.height * 3 / 8).clamp(6, 20);
        if let Some(n) = diff_lines {
            let diff_h = (n.min(u16::MAX as usize / 2) as u16 + 2).max(DIFF_MIN_HEIGHT);
            list_h = list_h.max(main.height.saturating_sub(diff_h));
        }
        let [l, d] = Layout::vertical([Constraint::Length(list_h), Constraint::Min(1)]).areas(main);
        a.list = Some(l);
        a.diff = Some(d);
    } else if diff_focused {
        a.diff = Some(main);
    } else {
        a.list = Some(main);
    }
    a
}
