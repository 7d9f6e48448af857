//! What the user can ask for: the vocabulary of `keymap.toml`.
//!
//! Every action has a stable dotted name (used in keymap files) and a one-line description
//! (used by the help screen and `bmby-ghl keymap`).

/// A user intent, produced by the keymap from a key press.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    Quit,
    Suspend,
    HelpToggle,
    HelpClose,
    PaneNext,
    PanePrev,
    /// Leave the current pane or mode (details → list, clear an applied filter).
    Back,
    /// Open the selected contact: focus the details pane.
    OpenContact,
    NavUp,
    NavDown,
    NavPageUp,
    NavPageDown,
    NavTop,
    NavBottom,
    FilterOpen,
    FilterAccept,
    FilterCancel,
    FilterDeleteChar,
    FilterClear,
    CycleSort,
    ToggleRaw,
    TabNext,
    TabPrev,
    SyncPull,
    SyncPullFull,
    RefreshContact,
}

impl Action {
    /// Every action, in help order.
    pub const ALL: &'static [Action] = &[
        Action::Quit,
        Action::Suspend,
        Action::HelpToggle,
        Action::HelpClose,
        Action::PaneNext,
        Action::PanePrev,
        Action::Back,
        Action::OpenContact,
        Action::NavUp,
        Action::NavDown,
        Action::NavPageUp,
        Action::NavPageDown,
        Action::NavTop,
        Action::NavBottom,
        Action::FilterOpen,
        Action::FilterAccept,
        Action::FilterCancel,
        Action::FilterDeleteChar,
        Action::FilterClear,
        Action::CycleSort,
        Action::ToggleRaw,
        Action::TabNext,
        Action::TabPrev,
        Action::SyncPull,
        Action::SyncPullFull,
        Action::RefreshContact,
    ];

    /// The name used in keymap files.
    pub fn name(self) -> &'static str {
        match self {
            Action::Quit => "app.quit",
            Action::Suspend => "app.suspend",
            Action::HelpToggle => "help.toggle",
            Action::HelpClose => "help.close",
            Action::PaneNext => "pane.next",
            Action::PanePrev => "pane.prev",
            Action::Back => "pane.back",
            Action::OpenContact => "contact.open",
            Action::NavUp => "nav.up",
            Action::NavDown => "nav.down",
            Action::NavPageUp => "nav.page_up",
            Action::NavPageDown => "nav.page_down",
            Action::NavTop => "nav.top",
            Action::NavBottom => "nav.bottom",
            Action::FilterOpen => "filter.open",
            Action::FilterAccept => "filter.accept",
            Action::FilterCancel => "filter.cancel",
            Action::FilterDeleteChar => "filter.delete_char",
            Action::FilterClear => "filter.clear",
            Action::CycleSort => "list.cycle_sort",
            Action::ToggleRaw => "details.toggle_raw",
            Action::TabNext => "activity.next_tab",
            Action::TabPrev => "activity.prev_tab",
            Action::SyncPull => "sync.pull",
            Action::SyncPullFull => "sync.pull_full",
            Action::RefreshContact => "contact.refresh",
        }
    }

    /// One line for the help screen.
    pub fn description(self) -> &'static str {
        match self {
            Action::Quit => "Quit",
            Action::Suspend => "Suspend to the shell (fg to come back)",
            Action::HelpToggle => "Show or hide this help",
            Action::HelpClose => "Close the help",
            Action::PaneNext => "Focus the next pane",
            Action::PanePrev => "Focus the previous pane",
            Action::Back => "Go back: to the list, or clear the filter",
            Action::OpenContact => "Open the selected contact's details",
            Action::NavUp => "Move up / scroll up",
            Action::NavDown => "Move down / scroll down",
            Action::NavPageUp => "One page up",
            Action::NavPageDown => "One page down",
            Action::NavTop => "Go to the top",
            Action::NavBottom => "Go to the bottom",
            Action::FilterOpen => "Filter contacts (fuzzy: name, email, phone, tags)",
            Action::FilterAccept => "Keep the filter and go back to the list",
            Action::FilterCancel => "Cancel the filter",
            Action::FilterDeleteChar => "Delete the last character of the filter",
            Action::FilterClear => "Clear the filter text",
            Action::CycleSort => "Sort by name / last updated / email",
            Action::ToggleRaw => "Toggle the raw JSON view",
            Action::TabNext => "Next activity tab (tasks, notes, appointments)",
            Action::TabPrev => "Previous activity tab",
            Action::SyncPull => "Sync: pull contacts changed since the last sync",
            Action::SyncPullFull => "Sync: pull every contact again",
            Action::RefreshContact => "Fetch the selected contact again now",
        }
    }

    /// The action with this keymap name.
    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.iter().copied().find(|a| a.name() == name)
    }
}
