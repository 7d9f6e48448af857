//! The registry of actions: one entry per [`Action`] (its id, the keymap name) with a
//! `noun: verb` label, the help text, where it applies (keymap contexts, and a screen when it
//! means something on one screen only), whether it is enabled now (with the reason when not),
//! whether it writes (refused while read-only), its arguments (for the `:` line) and its
//! handler. The footer, the `?` help and the palette are generated from here, and keys are
//! always looked up through the keymap, so a user's rebinding shows everywhere.

use super::action::Action;
use super::app::{App, Effect, Screen};
use super::keymap::{Context, Context as C, KeyCombo, Keymap};
use super::layer::Layer;
use super::op_actions as ops;
use crate::sync::ops::ListKind;

/// One argument of an action run from the `:` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arg {
    /// Free text (quote it when it has spaces).
    Text(&'static str),
    /// A whole number (e.g. a candidate's number).
    Number(&'static str),
    /// An item of one of the location's lists, by name or id (completed from the cache).
    Pick(ListKind),
    /// One or more tags (every remaining word).
    Tags,
    /// One or more items of a list (every remaining word), e.g. several users.
    Picks(ListKind),
    /// An optional time, `YYYY-MM-DD HH:MM` Israel time.
    OptionalTime(&'static str),
}

impl Arg {
    /// The argument as the `:` line's usage shows it (`<workflow>`, `[start time]`).
    pub fn usage(self) -> String {
        match self {
            Arg::Text(n) | Arg::Number(n) => format!("<{n}>"),
            Arg::Pick(k) => format!("<{}>", k.singular()),
            Arg::Tags => "<tag>…".into(),
            Arg::Picks(k) => format!("<{}>…", k.singular()),
            Arg::OptionalTime(n) => format!("[{n}]"),
        }
    }
    /// Whether the argument must be given.
    pub fn required(self) -> bool {
        !matches!(self, Arg::OptionalTime(_))
    }
}

/// Runs an action with its typed arguments (already split, quotes removed).
pub type Handler = fn(&mut App, &[String]) -> Vec<Effect>;

/// Answers whether an action can run now: `Err(reason)` when not.
pub type Enabled = fn(&App) -> Result<(), String>;

/// One action of the registry.
#[derive(Clone, Copy)]
pub struct Entry {
    pub action: Action,
    /// `noun: verb` (`change: approve`), shown by the palette.
    pub label: &'static str,
    /// One line for the help screen and `bmby-ghl keymap`.
    pub description: &'static str,
    /// The keymap contexts where the action means something; it applies in every layer whose
    /// chain has one of them.
    pub contexts: &'static [Context],
    /// The screen it belongs to, when only one.
    pub screen: Option<Screen>,
    enabled: Enabled,
    /// It writes (or approves or sends a write): refused while read-only.
    pub writes: bool,
    /// What the `:` line takes after the action's name.
    pub args: &'static [Arg],
    /// A short `:` command naming it (`workflow add`), besides its id.
    pub command: Option<&'static str>,
    /// What runs it with arguments; `None` = [`App::handle_action`] (keys and the palette
    /// alike).
    pub handler: Option<Handler>,
}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Entry")
            .field("action", &self.action)
            .field("label", &self.label)
            .finish_non_exhaustive()
    }
}

const fn e(
    action: Action,
    label: &'static str,
    description: &'static str,
    contexts: &'static [Context],
    enabled: Enabled,
) -> Entry {
    Entry {
        action,
        label,
        description,
        contexts,
        screen: None,
        enabled,
        writes: false,
        args: &[],
        command: None,
        handler: None,
    }
}

impl Entry {
    const fn on(mut self, s: Screen) -> Entry {
        self.screen = Some(s);
        self
    }
    const fn writes(mut self) -> Entry {
        self.writes = true;
        self
    }
    const fn args(mut self, a: &'static [Arg]) -> Entry {
        self.args = a;
        self
    }
    const fn command(mut self, c: &'static str) -> Entry {
        self.command = Some(c);
        self
    }
    const fn handler(mut self, h: Handler) -> Entry {
        self.handler = Some(h);
        self
    }

    /// The keymap name (`change.approve`).
    pub fn id(&self) -> &'static str {
        self.action.name()
    }

    /// Whether the action applies in `layer` (the layer under the palette).
    pub fn applies(&self, layer: Layer) -> bool {
        let screen_ok = match (self.screen, screen_of(layer)) {
            (Some(want), Some(is)) => want == is,
            _ => true,
        };
        screen_ok && layer.chain().iter().any(|c| self.contexts.contains(c))
    }

    /// `Ok` when the action can run now, else why not (read-only first).
    pub fn enabled(&self, app: &App) -> Result<(), String> {
        if self.writes {
            if let Some(why) = &app.read_only {
                return Err(format!("read-only: {why}"));
            }
        }
        (self.enabled)(app)
    }

    /// The keys of the action in `layer`, from the keymap (empty when unbound there).
    pub fn keys(&self, km: &Keymap, layer: Layer) -> Vec<KeyCombo> {
        km.keys_for(&layer.chain(), self.action)
    }

    /// The `:` usage: `workflow add <workflow> [start time]`.
    pub fn usage(&self) -> String {
        let mut s = self.command.unwrap_or(self.id()).to_owned();
        for a in self.args {
            s.push(' ');
            s.push_str(&a.usage());
        }
        s
    }
}

/// The screen a layer is on (`None` for the overlays shown on both).
pub fn screen_of(layer: Layer) -> Option<Screen> {
    if layer.is_changes() {
        Some(Screen::Changes)
    } else if layer.is_pane()
        || matches!(
            layer,
            Layer::HandEditLine
                | Layer::HandEditConfirm
                | Layer::HandEditFields
                | Layer::ContactsFilter
        )
    {
        Some(Screen::Contacts)
    } else {
        None
    }
}

/// The entry of `a`.
pub fn entry(a: Action) -> &'static Entry {
    ENTRIES
        .iter()
        .find(|e| e.action == a)
        .expect("every action has a registry entry (tested)")
}

/// Every entry, in help order.
pub fn all() -> &'static [Entry] {
    ENTRIES
}

fn always(_: &App) -> Result<(), String> {
    Ok(())
}

/// The owner session's own actions (switching location, the setup): an attached session
/// (`App::hosted`) says where they are instead of failing oddly.
pub(crate) const OWNER_SESSION_ONLY: &str = "only in the owner session (the bmby-ghl that opened this cache; quit it and this one takes over)";

fn owner_session(app: &App) -> Result<(), String> {
    if app.hosted {
        Err(OWNER_SESSION_ONLY.into())
    } else {
        Ok(())
    }
}

fn contact(app: &App) -> Result<(), String> {
    match app.details.as_ref().and_then(|d| d.contact.as_ref()) {
        Some(_) => Ok(()),
        None => Err("no contact selected (or not in the cache yet)".into()),
    }
}

fn contact_write(app: &App) -> Result<(), String> {
    if let Some(r) = &app.read_only {
        return Err(format!("read-only: {r}"));
    }
    contact(app)
}

fn activity_item(app: &App) -> Result<(), String> {
    contact_write(app)?;
    if app.activity_items() == 0 {
        return Err("no task or note selected".into());
    }
    Ok(())
}

fn online(app: &App) -> Result<(), String> {
    if app.online {
        Ok(())
    } else {
        Err("offline: no sync worker".into())
    }
}

fn change(app: &App) -> Result<(), String> {
    match app.changes.selected_change() {
        Some(_) => Ok(()),
        None => Err("no change selected".into()),
    }
}

/// The selected change, checked by one of the review rules ([`crate::sync::review`]'s `can_*`,
/// the same the review action applies): disabled with the rule's reason.
fn change_rule(
    app: &App,
    rule: impl Fn(&crate::domain::Change) -> Result<(), crate::sync::review::ReviewError>,
) -> Result<(), String> {
    let c = app
        .changes
        .selected_change()
        .ok_or_else(|| "no change selected".to_owned())?;
    rule(c).map_err(|e| crate::tui::text::clean(&e.to_string()))
}

fn change_approvable(app: &App) -> Result<(), String> {
    change_rule(app, crate::sync::review::can_approve)
}

fn change_rejectable(app: &App) -> Result<(), String> {
    change_rule(app, crate::sync::review::can_reject)
}

fn change_resettable(app: &App) -> Result<(), String> {
    change_rule(app, crate::sync::review::can_reset)
}

fn change_resolvable(app: &App) -> Result<(), String> {
    change_rule(app, crate::sync::review::can_resolve)
}

/// The selected field of the selected change can be edited.
fn change_editable(app: &App) -> Result<(), String> {
    let field = app.changes.field;
    change_rule(app, |c| {
        let name = c.fields.get(field).map_or("", |f| f.field.as_str());
        crate::sync::review::can_edit(c, name)
    })?;
    match app.changes.selected_change() {
        Some(c) if c.fields.is_empty() => Err("this change has no fields".into()),
        _ => Ok(()),
    }
}

fn sending(app: &App) -> Result<(), String> {
    if app.status.dispatch.is_some() {
        Ok(())
    } else {
        Err("nothing is being sent".into())
    }
}

/// The contexts of the contacts screen's panes (where contact operations apply).
const PANES: &[Context] = &[C::Contacts, C::Details, C::Activity];

fn bulk(app: &App) -> Result<(), String> {
    if !app.has_bulk_targets() {
        return Err("no contacts selected".into());
    }
    Ok(())
}

fn recent_item(app: &App) -> Result<(), String> {
    if app.recent_selected() {
        Ok(())
    } else {
        Err("no contact in the list".into())
    }
}

fn writeback(app: &App) -> Result<(), String> {
    if let Some(r) = &app.read_only {
        return Err(format!("read-only: {r}"));
    }
    online(app)
}

static ENTRIES: &[Entry] = &[
    e(Action::Quit, "app: quit", "Quit", &[C::Global], always).command("quit"),
    e(
        Action::Suspend,
        "app: suspend",
        "Suspend to the shell (fg to come back)",
        &[C::Global],
        always,
    ),
    e(
        Action::HelpToggle,
        "help: show",
        "Show or hide this help",
        &[C::Global],
        always,
    ),
    e(
        Action::HelpClose,
        "help: close",
        "Close the help",
        &[C::Help],
        always,
    ),
    e(
        Action::MessagesOpen,
        "messages: show",
        "Recent status messages in full",
        &[C::Global],
        always,
    ),
    e(
        Action::LocationSwitch,
        "location: switch",
        "Switch to another signed-in location",
        &[C::Global],
        owner_session,
    )
    .command("location switch"),
    e(
        Action::PaneNext,
        "pane: next",
        "Focus the next pane",
        &[C::Global],
        always,
    ),
    e(
        Action::PanePrev,
        "pane: previous",
        "Focus the previous pane",
        &[C::Global],
        always,
    ),
    e(
        Action::Back,
        "pane: back",
        "Go back: to the list, or clear the filter",
        &[C::Global, C::Details, C::Diff],
        always,
    ),
    e(
        Action::OpenContact,
        "contact: open",
        "Open the selected contact's details",
        &[C::Contacts],
        contact,
    ),
    e(
        Action::NavUp,
        "list: up",
        "Move up / scroll up",
        &[C::List, C::Help],
        always,
    ),
    e(
        Action::NavDown,
        "list: down",
        "Move down / scroll down",
        &[C::List, C::Help],
        always,
    ),
    e(
        Action::NavPageUp,
        "list: page up",
        "One page up",
        &[C::List, C::Help],
        always,
    ),
    e(
        Action::NavPageDown,
        "list: page down",
        "One page down",
        &[C::List, C::Help],
        always,
    ),
    e(
        Action::NavTop,
        "list: top",
        "Go to the top",
        &[C::List, C::Help],
        always,
    ),
    e(
        Action::NavBottom,
        "list: bottom",
        "Go to the bottom",
        &[C::List, C::Help],
        always,
    ),
    e(
        Action::FilterOpen,
        "filter: open",
        "Filter the list (contacts: fuzzy; changes: name, ids, origin)",
        &[C::Global],
        always,
    ),
    e(
        Action::FilterAccept,
        "filter: keep",
        "Keep the filter and go back to the list",
        &[C::Filter],
        always,
    ),
    e(
        Action::FilterCancel,
        "filter: cancel",
        "Cancel the filter",
        &[C::Filter],
        always,
    ),
    e(
        Action::FilterDeleteChar,
        "filter: delete a character",
        "Delete the last character of the filter",
        &[C::Filter],
        always,
    ),
    e(
        Action::FilterClear,
        "filter: clear",
        "Clear the filter text",
        &[C::Filter],
        always,
    ),
    e(
        Action::CycleSort,
        "contacts: sort",
        "Sort by name / last updated / email",
        &[C::Contacts],
        always,
    ),
    e(
        Action::ToggleRaw,
        "details: raw JSON",
        "Toggle the raw JSON view",
        &[C::Details],
        contact,
    ),
    e(
        Action::TabNext,
        "activity: next tab",
        "Next activity tab (tasks, notes, appointments)",
        &[C::Activity],
        always,
    ),
    e(
        Action::TabPrev,
        "activity: previous tab",
        "Previous activity tab",
        &[C::Activity],
        always,
    ),
    e(
        Action::SyncPull,
        "sync: pull",
        "Sync: pull contacts changed since the last sync",
        &[C::Global],
        online,
    ),
    e(
        Action::SyncPullFull,
        "sync: pull everything",
        "Sync: pull every contact again",
        &[C::Global],
        online,
    ),
    e(
        Action::RefreshContact,
        "contact: refresh",
        "Fetch the selected contact again now",
        &[C::Global],
        contact,
    )
    .on(Screen::Contacts),
    e(
        Action::ScreenToggle,
        "screen: switch",
        "Switch between the Contacts and Changes screens",
        &[C::Global],
        always,
    ),
    e(
        Action::ChangesCycleState,
        "changes: show state",
        "Show pending / approved / failed+conflict / applied / rejected / all changes",
        &[C::Changes],
        always,
    ),
    e(
        Action::ChangesReload,
        "changes: reload",
        "Read the changes from the cache again",
        &[C::Changes],
        always,
    ),
    e(
        Action::ChangeOpen,
        "change: open diff",
        "Focus the diff of the selected change (to pick a field)",
        &[C::Changes],
        change,
    ),
    e(
        Action::ChangeApprove,
        "change: approve",
        "Approve the selected change",
        &[C::Changes],
        change_approvable,
    )
    .writes(),
    e(
        Action::ChangeReject,
        "change: reject",
        "Reject the selected change",
        &[C::Changes],
        change_rejectable,
    ),
    e(
        Action::ChangeReset,
        "change: back to pending",
        "Put the selected change back to pending",
        &[C::Changes],
        change_resettable,
    ),
    e(
        Action::ChangeEdit,
        "change: edit value",
        "Edit the proposed value of the selected field",
        &[C::Changes, C::Diff],
        change_editable,
    )
    .writes(),
    e(
        Action::ChangeApproveAllShown,
        "changes: approve all shown",
        "Approve every change shown (asks first)",
        &[C::Changes],
        always,
    )
    .writes(),
    e(
        Action::ChangeResolve,
        "change: choose candidate",
        "Ambiguous change: use candidate N (the key's digit)",
        &[C::Changes],
        change_resolvable,
    )
    .writes()
    .args(&[Arg::Number("candidate")]),
    e(
        Action::ChangeResolveNew,
        "change: create new contact",
        "Ambiguous change: create a new GHL contact instead",
        &[C::Changes],
        change_resolvable,
    )
    .writes(),
    e(
        Action::ChangesSend,
        "changes: send",
        "Send every approved change to GHL (asks first, names deletes)",
        &[C::Changes],
        always,
    )
    .writes(),
    e(
        Action::ChangesCancelSend,
        "changes: stop sending",
        "Stop sending after the change being sent now",
        &[C::Changes, C::Journal],
        sending,
    ),
    e(
        Action::JournalOpen,
        "journal: open",
        "Show the journal of writes sent to GHL (newest first)",
        &[C::Changes],
        always,
    ),
    e(
        Action::JournalClose,
        "journal: close",
        "Close the journal",
        &[C::Journal],
        always,
    ),
    e(
        Action::JournalRevert,
        "journal: revert",
        "Revert the selected write: propose its inverse as a pending change (asks first)",
        &[C::Journal],
        always,
    )
    .writes(),
    e(
        Action::EditSave,
        "edit: save",
        "Save the value (it is checked first)",
        &[C::Edit],
        always,
    ),
    e(
        Action::EditCancel,
        "edit: cancel",
        "Cancel the edit",
        &[C::Edit],
        always,
    ),
    e(
        Action::EditDeleteBack,
        "edit: delete back",
        "Delete the character before the cursor",
        &[C::Edit, C::Palette],
        always,
    ),
    e(
        Action::EditDeleteForward,
        "edit: delete forward",
        "Delete the character under the cursor",
        &[C::Edit, C::Palette],
        always,
    ),
    e(
        Action::EditLeft,
        "edit: cursor left",
        "Cursor left",
        &[C::Edit, C::Palette],
        always,
    ),
    e(
        Action::EditRight,
        "edit: cursor right",
        "Cursor right",
        &[C::Edit, C::Palette],
        always,
    ),
    e(
        Action::EditHome,
        "edit: cursor to start",
        "Cursor to the start",
        &[C::Edit, C::Palette],
        always,
    ),
    e(
        Action::EditEnd,
        "edit: cursor to end",
        "Cursor to the end",
        &[C::Edit, C::Palette],
        always,
    ),
    e(
        Action::EditClear,
        "edit: clear",
        "Clear the value",
        &[C::Edit, C::Palette],
        always,
    ),
    e(
        Action::ConfirmYes,
        "question: yes",
        "Yes, do it",
        &[C::Confirm, C::Picker],
        always,
    ),
    e(
        Action::ConfirmNo,
        "question: no",
        "No, cancel",
        &[C::Confirm, C::Picker],
        always,
    ),
    e(
        Action::ContactEditField,
        "contact: edit field",
        "Edit a field of the contact (email, phone, …): a change to approve",
        &[C::Contacts, C::Details],
        contact_write,
    ),
    e(
        Action::ContactSetOwner,
        "contact: set owner",
        "Set the contact's owner, chosen from the location's users by name (`none` clears)",
        &[C::Contacts, C::Details],
        contact_write,
    )
    .writes()
    .command("owner")
    .args(&[Arg::Pick(ListKind::Users)])
    .handler(super::edits::commands::set_owner),
    e(
        Action::ContactEditTags,
        "contact: edit tags",
        "Add (+tag or tag) and remove (-tag) tags of the contact; names complete from the location's tags",
        &[C::Contacts, C::Details],
        contact_write,
    )
    .writes()
    .command("tags")
    .args(&[Arg::Picks(ListKind::Tags)])
    .handler(super::edits::commands::edit_tags),
    e(
        Action::ContactSetDnd,
        "contact: set DND",
        "Do-not-disturb on or off, on every channel (all) or one (sms, email, call, whatsapp, gmb, fb)",
        &[C::Contacts, C::Details],
        contact_write,
    )
    .writes()
    .command("dnd")
    .args(&[Arg::Text("all|channel"), Arg::Text("on|off")])
    .handler(super::edits::commands::set_dnd),
    e(
        Action::ContactSetField,
        "contact: set custom field",
        "Set a custom field by name or key, checked by its type (quote values with spaces)",
        &[C::Contacts, C::Details],
        contact_write,
    )
    .writes()
    .command("field")
    .args(&[Arg::Text("field"), Arg::Text("value")])
    .handler(super::edits::commands::set_field),
    e(
        Action::ActivityNew,
        "activity: new task or note",
        "New task or note (notes open $EDITOR when set)",
        &[C::Activity],
        contact_write,
    ),
    e(
        Action::ActivityEdit,
        "activity: edit",
        "Edit the selected task or note",
        &[C::Activity],
        activity_item,
    ),
    e(
        Action::ActivityDelete,
        "activity: delete",
        "Propose deleting the selected task or note (asks first)",
        &[C::Activity],
        activity_item,
    ),
    e(
        Action::TaskToggleDone,
        "task: complete or reopen",
        "Complete or reopen the selected task",
        &[C::Activity],
        activity_item,
    ),
    e(
        Action::ChangesProposeWriteback,
        "changes: propose write-back to Bmby",
        "Propose writing the GHL tasks and notes of linked contacts back to Bmby",
        &[C::Changes],
        writeback,
    ),
    e(
        Action::PaletteCommand,
        "palette: command line",
        "Type a command with arguments (:tag add vip, :workflow add \"Nurture\")",
        &[C::Global],
        always,
    ),
    e(
        Action::PaletteOpen,
        "palette: find action",
        "Find any action by name (fuzzy), with its key",
        &[C::Global],
        always,
    ),
    e(
        Action::PaletteRun,
        "palette: run",
        "Run the command or the selected action",
        &[C::Palette],
        always,
    ),
    e(
        Action::PaletteCancel,
        "palette: cancel",
        "Close the palette",
        &[C::Palette],
        always,
    ),
    e(
        Action::PaletteComplete,
        "palette: complete",
        "Complete the word at the cursor (candidates show above the line)",
        &[C::Palette],
        always,
    ),
    e(
        Action::ContactWorkflowAdd,
        "contact: add to workflow",
        "Add the contact to a workflow (optional start time, Israel time)",
        PANES,
        contact_write,
    )
    .on(Screen::Contacts)
    .writes()
    .command("workflow add")
    .args(&[
        Arg::Pick(ListKind::Workflows),
        Arg::OptionalTime("start time"),
    ])
    .handler(ops::workflow_add),
    e(
        Action::ContactWorkflowRemove,
        "contact: remove from workflow",
        "Remove the contact from a workflow",
        PANES,
        contact_write,
    )
    .on(Screen::Contacts)
    .writes()
    .command("workflow remove")
    .args(&[Arg::Pick(ListKind::Workflows)])
    .handler(ops::workflow_remove),
    e(
        Action::ContactCampaignAdd,
        "contact: add to campaign",
        "Add the contact to a campaign",
        PANES,
        contact_write,
    )
    .on(Screen::Contacts)
    .writes()
    .command("campaign add")
    .args(&[Arg::Pick(ListKind::Campaigns)])
    .handler(ops::campaign_add),
    e(
        Action::ContactCampaignRemove,
        "contact: remove from campaign",
        "Remove the contact from a campaign",
        PANES,
        contact_write,
    )
    .on(Screen::Contacts)
    .writes()
    .command("campaign remove")
    .args(&[Arg::Pick(ListKind::Campaigns)])
    .handler(ops::campaign_remove),
    e(
        Action::ContactCampaignRemoveAll,
        "contact: remove from every campaign",
        "Remove the contact from every campaign",
        PANES,
        contact_write,
    )
    .on(Screen::Contacts)
    .writes()
    .command("campaign remove-all")
    .handler(ops::campaign_remove_all),
    e(
        Action::ContactFollowerAdd,
        "contact: add follower",
        "Make a user (by name) a follower of the contact",
        PANES,
        contact_write,
    )
    .on(Screen::Contacts)
    .writes()
    .command("follower add")
    .args(&[Arg::Picks(ListKind::Users)])
    .handler(ops::follower_add),
    e(
        Action::ContactFollowerRemove,
        "contact: remove follower",
        "Take a user (by name) off the contact's followers",
        PANES,
        contact_write,
    )
    .on(Screen::Contacts)
    .writes()
    .command("follower remove")
    .args(&[Arg::Picks(ListKind::Users)])
    .handler(ops::follower_remove),
    e(
        Action::ContactsBusinessSet,
        "contacts: set business",
        "Associate the contacts (selected, or every one filtered) with a business",
        PANES,
        bulk,
    )
    .on(Screen::Contacts)
    .writes()
    .command("business set")
    .args(&[Arg::Pick(ListKind::Businesses)])
    .handler(ops::business_set),
    e(
        Action::ContactsBusinessClear,
        "contacts: clear business",
        "Clear the business of the contacts (selected, or every one filtered)",
        PANES,
        bulk,
    )
    .on(Screen::Contacts)
    .writes()
    .command("business clear")
    .handler(ops::business_clear),
    e(
        Action::ContactsTagsAdd,
        "contacts: add tags",
        "Add tags to the contacts (selected, or every one filtered)",
        PANES,
        bulk,
    )
    .on(Screen::Contacts)
    .writes()
    .command("tag add")
    .args(&[Arg::Tags])
    .handler(ops::tags_add),
    e(
        Action::ContactsTagsRemove,
        "contacts: remove tags",
        "Remove tags from the contacts (selected, or every one filtered)",
        PANES,
        bulk,
    )
    .on(Screen::Contacts)
    .writes()
    .command("tag remove")
    .args(&[Arg::Tags])
    .handler(ops::tags_remove),
    e(
        Action::ContactsFilterBusiness,
        "contacts: filter by business",
        "Show only the contacts of a business",
        PANES,
        always,
    )
    .on(Screen::Contacts)
    .command("business filter")
    .args(&[Arg::Pick(ListKind::Businesses)])
    .handler(ops::filter_business),
    e(
        Action::MarkToggle,
        "contact: mark",
        "Mark or unmark the selected contact (bulk actions use the marks)",
        &[C::Contacts],
        always,
    ),
    e(
        Action::MarkAllShown,
        "contacts: mark all shown",
        "Mark every contact shown (again: unmark them)",
        &[C::Contacts],
        always,
    ),
    e(
        Action::UnmarkAll,
        "contacts: unmark all",
        "Clear every mark (esc does too)",
        &[C::Contacts],
        always,
    ),
    e(
        Action::RecentOpen,
        "recent: GHL changes",
        "Contacts GHL changed since this session opened, newest first, with what changed (:recent 2h, 1d, 2026-12-01)",
        &[C::Global],
        always,
    )
    .command("recent")
    .args(&[Arg::OptionalTime("since")])
    .handler(super::recent::command),
    e(
        Action::RecentGoTo,
        "recent: go to contact",
        "Select the contact in the contacts list",
        &[C::Recent],
        recent_item,
    ),
    e(
        Action::RecentClose,
        "recent: close",
        "Close the list of recent GHL changes",
        &[C::Recent],
        always,
    ),
    e(
        Action::CopyField,
        "contact: copy",
        "Copy the selected details line (from the list: the contact's GHL web address) to your clipboard (OSC 52, works over SSH; tmux needs set-clipboard on)",
        &[C::Contacts, C::Details],
        contact,
    )
    .on(Screen::Contacts),
    e(
        Action::CopyJson,
        "contact: copy as JSON",
        "Copy the whole contact as JSON (the raw GHL record) to your clipboard (OSC 52)",
        &[C::Contacts, C::Details, C::Activity],
        contact,
    )
    .on(Screen::Contacts),
    e(
        Action::CopyNamed,
        "contact: copy a field",
        "Copy a field to your clipboard (OSC 52): id, name, email, phone, owner, web (the GHL address) or a custom field by name",
        PANES,
        contact,
    )
    .on(Screen::Contacts)
    .command("copy")
    .args(&[Arg::Text("what")])
    .handler(|app, args| app.copy_named(&args.join(" "))),
    e(
        Action::PaneZoom,
        "pane: zoom",
        "Zoom the focused pane to the whole screen (z again or esc: back)",
        &[C::Contacts, C::Details, C::Activity, C::Changes, C::Diff, C::Journal],
        always,
    ),
    e(
        Action::GoToContact,
        "change: go to contact",
        "Show the contact of the selected change (or journal line) on the contacts screen",
        &[C::Changes, C::Diff, C::Journal],
        always,
    )
    .on(Screen::Changes),
    e(
        Action::SetupOpen,
        "setup: open",
        "Set up GHL (a Private Integration Token or OAuth), the location, Bmby and check the field mapping; writes the config file",
        &[C::Global],
        owner_session,
    )
    .command("setup")
    .handler(super::setup::open_command),
    e(
        Action::SetupLocationAdd,
        "location: add",
        "Sign in to another GHL location (the setup's GHL step) and open it",
        &[C::Global],
        owner_session,
    )
    .command("location add")
    .handler(super::setup::location_add_command),
    e(
        Action::SetupBmbyLogin,
        "bmby: login",
        "Connect Bmby (SOAP login, password and project id, checked with one call) or name the folder export files arrive in",
        &[C::Global],
        owner_session,
    )
    .command("bmby login")
    .handler(super::setup::bmby_login_command),
    e(
        Action::SetupNext,
        "setup: next",
        "Choose the focused option, check what was typed, or go on to the next step",
        &[C::Setup],
        always,
    ),
    e(
        Action::SetupBack,
        "setup: back",
        "The previous step (on the first step, close a setup opened from the palette)",
        &[C::Setup],
        always,
    ),
    e(
        Action::SetupSkip,
        "setup: skip step",
        "Skip this step (reopen it later: :setup, :location add, :bmby login)",
        &[C::Setup],
        always,
    ),
    e(
        Action::SetupCopyUrl,
        "setup: copy sign-in URL",
        "Copy the OAuth sign-in URL to your clipboard again (OSC 52)",
        &[C::Setup],
        always,
    ),
];

/// Which key hints the footer shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Foot {
    Notice,
    Picker,
    Palette,
    Scroll,
    HandLine,
    HandConfirm,
    BulkConfirm,
    HandFields,
    Filter,
    ContactsPane,
    DetailsPane,
    ActivityTasks,
    ActivityNotes,
    ActivityAppointments,
    SendConfirm,
    ChoiceConfirm,
    ApproveAllConfirm,
    RevertAsk,
    Journal,
    ValueEdit,
    ChangesList,
    Diff,
    Ambiguous,
    Recent,
    Setup,
}

/// The footer shown for `layer` in the app's state now.
pub fn foot(app: &App, layer: Layer) -> Foot {
    use super::app::ActivityTab;
    let ambiguous = || {
        app.changes
            .selected_change()
            .is_some_and(|c| c.kind == crate::domain::ChangeKind::Ambiguous)
    };
    match layer {
        Layer::Notice => Foot::Notice,
        Layer::LocationPicker => Foot::Picker,
        Layer::Palette => Foot::Palette,
        Layer::Help | Layer::Messages => Foot::Scroll,
        Layer::HandEditLine => Foot::HandLine,
        Layer::HandEditConfirm => Foot::HandConfirm,
        Layer::BulkConfirm => Foot::BulkConfirm,
        Layer::Recent => Foot::Recent,
        Layer::Setup => Foot::Setup,
        Layer::HandEditFields => Foot::HandFields,
        Layer::ContactsFilter | Layer::ChangesFilter => Foot::Filter,
        Layer::Contacts => Foot::ContactsPane,
        Layer::Details => Foot::DetailsPane,
        Layer::Activity => match app.tab {
            ActivityTab::Tasks => Foot::ActivityTasks,
            ActivityTab::Notes => Foot::ActivityNotes,
            ActivityTab::Appointments => Foot::ActivityAppointments,
        },
        Layer::SendConfirm => Foot::SendConfirm,
        Layer::ChoiceConfirm => Foot::ChoiceConfirm,
        Layer::ApproveAllConfirm => Foot::ApproveAllConfirm,
        Layer::JournalRevertAsk => Foot::RevertAsk,
        Layer::Journal => Foot::Journal,
        Layer::ValueEdit => Foot::ValueEdit,
        Layer::ChangesList | Layer::Diff if ambiguous() => Foot::Ambiguous,
        Layer::ChangesList => Foot::ChangesList,
        Layer::Diff => Foot::Diff,
    }
}

/// What a footer says before its keys: `type to edit`, `type to filter`.
pub fn foot_prefix(f: Foot) -> Option<(&'static str, &'static str)> {
    match f {
        Foot::HandLine | Foot::ValueEdit => Some(("type", "to edit")),
        Foot::Filter => Some(("type", "to filter")),
        _ => None,
    }
}

/// Whether the footer starts with the stop-sending key while a send runs.
pub fn foot_shows_stop(f: Foot) -> bool {
    matches!(
        f,
        Foot::Journal | Foot::ChangesList | Foot::Diff | Foot::Ambiguous
    )
}

/// The footer's hints in order of importance (the least important dropped first, before help
/// and quit): action and label.
pub fn footer(f: Foot) -> &'static [(Action, &'static str)] {
    use Action as A;
    match f {
        Foot::Notice => &[],
        Foot::Picker => &[
            (A::NavDown, "move"),
            (A::ConfirmYes, "switch"),
            (A::Back, "stay"),
        ],
        Foot::Palette => &[
            (A::PaletteRun, "run"),
            (A::PaletteComplete, "complete"),
            (A::NavDown, "move"),
            (A::PaletteCancel, "cancel"),
        ],
        Foot::Scroll => &[(A::NavDown, "scroll"), (A::HelpClose, "close")],
        Foot::HandLine => &[
            (A::EditSave, "save"),
            (A::EditCancel, "cancel"),
            (A::EditClear, "clear"),
        ],
        Foot::HandConfirm => &[(A::ConfirmYes, "propose delete"), (A::ConfirmNo, "cancel")],
        Foot::BulkConfirm => &[(A::ConfirmYes, "propose"), (A::ConfirmNo, "cancel")],
        Foot::HandFields => &[
            (A::NavDown, "move"),
            (A::OpenContact, "edit"),
            (A::Back, "cancel"),
        ],
        Foot::Filter => &[
            (A::FilterAccept, "keep"),
            (A::FilterCancel, "cancel"),
            (A::FilterDeleteChar, "delete"),
            (A::FilterClear, "clear"),
        ],
        Foot::ContactsPane => &[
            (A::NavDown, "move"),
            (A::OpenContact, "open"),
            (A::FilterOpen, "filter"),
            (A::CycleSort, "sort"),
            (A::SyncPull, "sync"),
            (A::ScreenToggle, "changes"),
            (A::PaneNext, "pane"),
            (A::ContactEditField, "edit"),
            (A::RecentOpen, "GHL changes"),
            (A::HelpToggle, "help"),
            (A::Quit, "quit"),
        ],
        Foot::DetailsPane => &[
            (A::NavDown, "select"),
            (A::ContactEditField, "edit"),
            (A::CopyField, "copy"),
            (A::PaneZoom, "zoom"),
            (A::ToggleRaw, "raw JSON"),
            (A::RefreshContact, "refresh"),
            (A::Back, "back"),
            (A::ScreenToggle, "changes"),
            (A::PaneNext, "pane"),
            (A::HelpToggle, "help"),
            (A::Quit, "quit"),
        ],
        Foot::ActivityTasks => &[
            (A::TabNext, "tab"),
            (A::NavDown, "select"),
            (A::ActivityNew, "new"),
            (A::ActivityEdit, "edit"),
            (A::TaskToggleDone, "done"),
            (A::ActivityDelete, "delete"),
            (A::Back, "back"),
            (A::ScreenToggle, "changes"),
            (A::PaneNext, "pane"),
            (A::HelpToggle, "help"),
            (A::Quit, "quit"),
        ],
        Foot::ActivityNotes => &[
            (A::TabNext, "tab"),
            (A::NavDown, "select"),
            (A::ActivityNew, "new"),
            (A::ActivityEdit, "edit"),
            (A::ActivityDelete, "delete"),
            (A::Back, "back"),
            (A::ScreenToggle, "changes"),
            (A::PaneNext, "pane"),
            (A::HelpToggle, "help"),
            (A::Quit, "quit"),
        ],
        Foot::ActivityAppointments => &[
            (A::TabNext, "tab"),
            (A::NavDown, "scroll"),
            (A::Back, "back"),
            (A::ScreenToggle, "changes"),
            (A::PaneNext, "pane"),
            (A::HelpToggle, "help"),
            (A::Quit, "quit"),
        ],
        Foot::SendConfirm => &[(A::ConfirmYes, "send"), (A::ConfirmNo, "cancel")],
        // Any other key cancels too.
        Foot::ChoiceConfirm => &[(A::ConfirmYes, "choose"), (A::ConfirmNo, "cancel")],
        Foot::ApproveAllConfirm => &[(A::ConfirmYes, "approve"), (A::ConfirmNo, "cancel")],
        Foot::RevertAsk => &[(A::ConfirmYes, "revert"), (A::ConfirmNo, "cancel")],
        Foot::Journal => &[
            (A::NavDown, "scroll"),
            (A::NavPageDown, "page"),
            (A::JournalRevert, "revert"),
            (A::GoToContact, "contact"),
            (A::JournalClose, "close"),
            (A::HelpToggle, "help"),
        ],
        Foot::ValueEdit => &[
            (A::EditSave, "save"),
            (A::EditCancel, "cancel"),
            (A::EditClear, "clear"),
            (A::EditHome, "start"),
            (A::EditEnd, "end"),
        ],
        Foot::ChangesList => &[
            (A::NavDown, "move"),
            (A::ChangeApprove, "approve"),
            (A::ChangeReject, "reject"),
            (A::ChangeEdit, "edit"),
            (A::ChangeApproveAllShown, "all"),
            (A::ScreenToggle, "contacts"),
            (A::ChangesCycleState, "show"),
            (A::ChangeReset, "pending"),
            (A::FilterOpen, "filter"),
            (A::PaneNext, "diff"),
            (A::ChangesSend, "send"),
            (A::JournalOpen, "journal"),
            (A::GoToContact, "contact"),
            (A::HelpToggle, "help"),
            (A::Quit, "quit"),
        ],
        Foot::Diff => &[
            (A::NavDown, "field"),
            (A::ChangeEdit, "edit"),
            (A::ChangeApprove, "approve"),
            (A::ChangeReject, "reject"),
            (A::Back, "list"),
            (A::ScreenToggle, "contacts"),
            (A::GoToContact, "contact"),
            (A::ChangeReset, "pending"),
            (A::HelpToggle, "help"),
            (A::Quit, "quit"),
        ],
        Foot::Recent => &[
            (A::NavDown, "move"),
            (A::RecentGoTo, "go to contact"),
            (A::SyncPull, "pull"),
            (A::RecentClose, "close"),
            (A::HelpToggle, "help"),
        ],
        Foot::Setup => &[
            (A::SetupNext, "next"),
            (A::NavDown, "move"),
            (A::SetupSkip, "skip"),
            (A::SetupBack, "back"),
            (A::SetupCopyUrl, "copy URL"),
            (A::Quit, "quit"),
        ],
        Foot::Ambiguous => &[
            (A::ChangeResolve, "choose"),
            (A::ChangeResolveNew, "new contact"),
            (A::ChangeReject, "reject"),
            (A::NavDown, "move"),
            (A::ScreenToggle, "contacts"),
            (A::ChangesCycleState, "show"),
            (A::HelpToggle, "help"),
            (A::Quit, "quit"),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_one_entry() {
        for a in Action::ALL {
            assert_eq!(
                ENTRIES.iter().filter(|e| e.action == *a).count(),
                1,
                "{a:?}"
            );
            assert!(entry(*a).label.contains(": "), "{a:?} label is noun: verb");
        }
        assert_eq!(ENTRIES.len(), Action::ALL.len());
    }
}
