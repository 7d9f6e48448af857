//! What the user can ask for: the vocabulary of `keymap.toml`.
//!
//! Every action has a stable dotted name (used in keymap files). What it does, where it applies
//! and when it is enabled are in its registry entry ([`crate::tui::registry`]).

/// A user intent, produced by the keymap from a key press.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    Quit,
    Suspend,
    HelpToggle,
    HelpClose,
    /// Show the recent status messages in full.
    MessagesOpen,
    /// Open the picker of signed-in GHL locations.
    LocationSwitch,
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
    ScreenToggle,
    ChangesCycleState,
    ChangesReload,
    ChangeOpen,
    ChangeApprove,
    ChangeReject,
    ChangeReset,
    ChangeEdit,
    ChangeApproveAllShown,
    ChangeResolve,
    ChangeResolveNew,
    ChangesSend,
    ChangesCancelSend,
    JournalOpen,
    JournalClose,
    JournalRevert,
    EditSave,
    EditCancel,
    EditDeleteBack,
    EditDeleteForward,
    EditLeft,
    EditRight,
    EditHome,
    EditEnd,
    EditClear,
    ConfirmYes,
    ConfirmNo,
    /// Edit one of the selected contact's fields (a local change, sent after approval).
    ContactEditField,
    /// Set the selected contact's owner (`:owner USER`).
    ContactSetOwner,
    /// Add or remove tags of the selected contact (`:tags +vip -old`).
    ContactEditTags,
    /// Turn do-not-disturb on or off (`:dnd all|sms|… on|off`).
    ContactSetDnd,
    /// Set a custom field of the selected contact (`:field NAME VALUE`).
    ContactSetField,
    /// New task or note on the activity tab shown.
    ActivityNew,
    /// Edit the selected task or note.
    ActivityEdit,
    /// Propose deleting the selected task or note (asks first).
    ActivityDelete,
    /// Complete or reopen the selected task.
    TaskToggleDone,
    /// Propose writing GHL tasks and notes of linked contacts back to Bmby.
    ChangesProposeWriteback,
    /// Open the `:` command line.
    PaletteCommand,
    /// Open the fuzzy list of actions.
    PaletteOpen,
    /// Run the palette's command or selected action.
    PaletteRun,
    /// Close the palette.
    PaletteCancel,
    /// Complete the word under the cursor in the `:` line.
    PaletteComplete,
    /// Add the contact to a workflow (optional start time).
    ContactWorkflowAdd,
    /// Remove the contact from a workflow.
    ContactWorkflowRemove,
    /// Add the contact to a campaign.
    ContactCampaignAdd,
    /// Remove the contact from a campaign.
    ContactCampaignRemove,
    /// Remove the contact from every campaign.
    ContactCampaignRemoveAll,
    /// Make a user (by name) a follower of the contact.
    ContactFollowerAdd,
    /// Remove a user (by name) from the contact's followers.
    ContactFollowerRemove,
    /// Associate the contacts (selected or filtered) with a business.
    ContactsBusinessSet,
    /// Clear the business of the contacts (selected or filtered).
    ContactsBusinessClear,
    /// Add tags to the contacts (selected or filtered).
    ContactsTagsAdd,
    /// Remove tags from the contacts (selected or filtered).
    ContactsTagsRemove,
    /// Show the contacts of a business.
    ContactsFilterBusiness,
    /// Mark or unmark the selected contact (for bulk actions).
    MarkToggle,
    /// Mark every contact shown (again: unmark them).
    MarkAllShown,
    /// Clear every mark.
    UnmarkAll,
    /// List the contacts GHL changed since this session opened (or a time typed on `:recent`).
    RecentOpen,
    /// Select the contact of the recent-changes list in the contacts list.
    RecentGoTo,
    /// Close the recent-changes list.
    RecentClose,
    /// Copy the selected details line (or, from the list, the contact's GHL address) to the
    /// clipboard through OSC 52.
    CopyField,
    /// Copy the whole contact as JSON through OSC 52.
    CopyJson,
    /// Copy a named field (`:copy phone`) through OSC 52.
    CopyNamed,
    /// Zoom the focused pane to the whole screen (again, or esc: back).
    PaneZoom,
    /// Go to the contact of the selected change or journal line.
    GoToContact,
    /// Open the first-run setup (GHL sign-in, location, Bmby, mapping preview).
    SetupOpen,
    /// Open the setup at its GHL step to sign in to another location.
    SetupLocationAdd,
    /// Open the setup at its Bmby step (SOAP login or export folder).
    SetupBmbyLogin,
    /// Setup: choose the focused option, or go on (check what was typed, next step).
    SetupNext,
    /// Setup: the previous step (closes a setup opened from the palette on its first step).
    SetupBack,
    /// Setup: skip this step.
    SetupSkip,
    /// Setup: copy the OAuth sign-in URL to the clipboard again (OSC 52).
    SetupCopyUrl,
}

impl Action {
    /// Every action, in help order.
    pub const ALL: &'static [Action] = &[
        Action::Quit,
        Action::Suspend,
        Action::HelpToggle,
        Action::HelpClose,
        Action::MessagesOpen,
        Action::LocationSwitch,
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
        Action::ScreenToggle,
        Action::ChangesCycleState,
        Action::ChangesReload,
        Action::ChangeOpen,
        Action::ChangeApprove,
        Action::ChangeReject,
        Action::ChangeReset,
        Action::ChangeEdit,
        Action::ChangeApproveAllShown,
        Action::ChangeResolve,
        Action::ChangeResolveNew,
        Action::ChangesSend,
        Action::ChangesCancelSend,
        Action::JournalOpen,
        Action::JournalClose,
        Action::JournalRevert,
        Action::EditSave,
        Action::EditCancel,
        Action::EditDeleteBack,
        Action::EditDeleteForward,
        Action::EditLeft,
        Action::EditRight,
        Action::EditHome,
        Action::EditEnd,
        Action::EditClear,
        Action::ConfirmYes,
        Action::ConfirmNo,
        Action::ContactEditField,
        Action::ContactSetOwner,
        Action::ContactEditTags,
        Action::ContactSetDnd,
        Action::ContactSetField,
        Action::ActivityNew,
        Action::ActivityEdit,
        Action::ActivityDelete,
        Action::TaskToggleDone,
        Action::ChangesProposeWriteback,
        Action::PaletteCommand,
        Action::PaletteOpen,
        Action::PaletteRun,
        Action::PaletteCancel,
        Action::PaletteComplete,
        Action::ContactWorkflowAdd,
        Action::ContactWorkflowRemove,
        Action::ContactCampaignAdd,
        Action::ContactCampaignRemove,
        Action::ContactCampaignRemoveAll,
        Action::ContactFollowerAdd,
        Action::ContactFollowerRemove,
        Action::ContactsBusinessSet,
        Action::ContactsBusinessClear,
        Action::ContactsTagsAdd,
        Action::ContactsTagsRemove,
        Action::ContactsFilterBusiness,
        Action::MarkToggle,
        Action::MarkAllShown,
        Action::UnmarkAll,
        Action::RecentOpen,
        Action::RecentGoTo,
        Action::RecentClose,
        Action::CopyField,
        Action::CopyJson,
        Action::CopyNamed,
        Action::PaneZoom,
        Action::GoToContact,
        Action::SetupOpen,
        Action::SetupLocationAdd,
        Action::SetupBmbyLogin,
        Action::SetupNext,
        Action::SetupBack,
        Action::SetupSkip,
        Action::SetupCopyUrl,
    ];

    /// The name used in keymap files.
    pub fn name(self) -> &'static str {
        match self {
            Action::Quit => "app.quit",
            Action::Suspend => "app.suspend",
            Action::HelpToggle => "help.toggle",
            Action::HelpClose => "help.close",
            Action::MessagesOpen => "messages.open",
            Action::LocationSwitch => "location.switch",
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
            Action::ScreenToggle => "screen.toggle",
            Action::ChangesCycleState => "changes.cycle_state",
            Action::ChangesReload => "changes.reload",
            Action::ChangeOpen => "change.open",
            Action::ChangeApprove => "change.approve",
            Action::ChangeReject => "change.reject",
            Action::ChangeReset => "change.reset",
            Action::ChangeEdit => "change.edit",
            Action::ChangeApproveAllShown => "change.approve_all_shown",
            Action::ChangeResolve => "change.resolve",
            Action::ChangeResolveNew => "change.resolve_new",
            Action::ChangesSend => "changes.send",
            Action::ChangesCancelSend => "changes.cancel_send",
            Action::JournalOpen => "journal.open",
            Action::JournalClose => "journal.close",
            Action::JournalRevert => "journal.revert",
            Action::EditSave => "edit.save",
            Action::EditCancel => "edit.cancel",
            Action::EditDeleteBack => "edit.delete_back",
            Action::EditDeleteForward => "edit.delete_forward",
            Action::EditLeft => "edit.left",
            Action::EditRight => "edit.right",
            Action::EditHome => "edit.home",
            Action::EditEnd => "edit.end",
            Action::EditClear => "edit.clear",
            Action::ConfirmYes => "confirm.yes",
            Action::ConfirmNo => "confirm.no",
            Action::ContactEditField => "contact.edit_field",
            Action::ContactSetOwner => "contact.set_owner",
            Action::ContactEditTags => "contact.edit_tags",
            Action::ContactSetDnd => "contact.set_dnd",
            Action::ContactSetField => "contact.set_field",
            Action::ActivityNew => "activity.new",
            Action::ActivityEdit => "activity.edit",
            Action::ActivityDelete => "activity.delete",
            Action::TaskToggleDone => "task.toggle_done",
            Action::ChangesProposeWriteback => "changes.propose_writeback",
            Action::PaletteCommand => "palette.command",
            Action::PaletteOpen => "palette.open",
            Action::PaletteRun => "palette.run",
            Action::PaletteCancel => "palette.cancel",
            Action::PaletteComplete => "palette.complete",
            Action::ContactWorkflowAdd => "contact.workflow_add",
            Action::ContactWorkflowRemove => "contact.workflow_remove",
            Action::ContactCampaignAdd => "contact.campaign_add",
            Action::ContactCampaignRemove => "contact.campaign_remove",
            Action::ContactCampaignRemoveAll => "contact.campaign_remove_all",
            Action::ContactFollowerAdd => "contact.follower_add",
            Action::ContactFollowerRemove => "contact.follower_remove",
            Action::ContactsBusinessSet => "contacts.business_set",
            Action::ContactsBusinessClear => "contacts.business_clear",
            Action::ContactsTagsAdd => "contacts.tags_add",
            Action::ContactsTagsRemove => "contacts.tags_remove",
            Action::ContactsFilterBusiness => "contacts.filter_business",
            Action::MarkToggle => "contact.mark",
            Action::MarkAllShown => "contacts.mark_all",
            Action::UnmarkAll => "contacts.unmark_all",
            Action::RecentOpen => "recent.open",
            Action::RecentGoTo => "recent.goto",
            Action::RecentClose => "recent.close",
            Action::CopyField => "contact.copy",
            Action::CopyJson => "contact.copy_json",
            Action::CopyNamed => "contact.copy_named",
            Action::PaneZoom => "pane.zoom",
            Action::GoToContact => "contact.go_to",
            Action::SetupOpen => "setup.open",
            Action::SetupLocationAdd => "setup.location_add",
            Action::SetupBmbyLogin => "setup.bmby_login",
            Action::SetupNext => "setup.next",
            Action::SetupBack => "setup.back",
            Action::SetupSkip => "setup.skip",
            Action::SetupCopyUrl => "setup.copy_url",
        }
    }

    /// One line for the help screen (from the registry, [`crate::tui::registry`]).
    pub fn description(self) -> &'static str {
        crate::tui::registry::entry(self).description
    }

    /// The action with this keymap name.
    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.iter().copied().find(|a| a.name() == name)
    }
}
