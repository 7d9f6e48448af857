//! Who has the keyboard: the open layers of the UI, bottom to top, decided in ONE place
//! ([`App::layers`]). Keys go to the top layer ([`App::layer`]) through its keymap chain
//! ([`Layer::chain`]); the footer shows the top layer's keys; the renderer draws the layers in
//! the same order, so what is drawn on top is what has the keyboard.

use super::app::{App, Pane, Screen};
use super::changes::ChangesFocus;
use super::edits::HandEdit;
use super::keymap::Context;

/// A part of the UI that can have the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layer {
    /// A message box (keymap problems) that any key closes.
    Notice,
    /// The picker of signed-in locations.
    LocationPicker,
    /// The help screen.
    Help,
    /// The recent status messages in full.
    Messages,
    /// The command palette (`:` line or `ctrl-p` list).
    Palette,
    /// "Add tag vip to 3 contacts?" before a bulk operation is proposed.
    BulkConfirm,
    /// The contacts GHL changed lately (`U`), over either screen.
    Recent,
    /// Changes screen: "send every approved change?".
    SendConfirm,
    /// Changes screen: "update this candidate?" of an ambiguous change.
    ChoiceConfirm,
    /// Changes screen: "approve every change shown?".
    ApproveAllConfirm,
    /// Journal: "revert this write?".
    JournalRevertAsk,
    /// The journal of writes.
    Journal,
    /// Changes screen: the one-line editor of a proposed value.
    ValueEdit,
    /// Changes screen: typing the list's filter.
    ChangesFilter,
    /// Changes screen: the diff pane (field cursor).
    Diff,
    /// Changes screen: the list of changes.
    ChangesList,
    /// Contacts screen: typing a value of a hand edit.
    HandEditLine,
    /// Contacts screen: "delete this task/note?".
    HandEditConfirm,
    /// Contacts screen: which field to edit.
    HandEditFields,
    /// Contacts screen: typing the contacts filter.
    ContactsFilter,
    /// The contacts list pane.
    Contacts,
    /// The details pane.
    Details,
    /// The tasks, notes and appointments pane.
    Activity,
    /// The setup screen (first run, `:setup`, `:location add`, `:bmby login`), over either
    /// screen.
    Setup,
}

impl Layer {
    /// Every layer.
    pub const ALL: &'static [Layer] = &[
        Layer::Notice,
        Layer::LocationPicker,
        Layer::Help,
        Layer::Messages,
        Layer::Palette,
        Layer::BulkConfirm,
        Layer::Recent,
        Layer::SendConfirm,
        Layer::ChoiceConfirm,
        Layer::ApproveAllConfirm,
        Layer::JournalRevertAsk,
        Layer::Journal,
        Layer::ValueEdit,
        Layer::ChangesFilter,
        Layer::Diff,
        Layer::ChangesList,
        Layer::HandEditLine,
        Layer::HandEditConfirm,
        Layer::HandEditFields,
        Layer::ContactsFilter,
        Layer::Contacts,
        Layer::Details,
        Layer::Activity,
        Layer::Setup,
    ];

    /// Where the layer's keys are looked up, innermost first. Empty for the notice (any key
    /// closes it).
    pub fn chain(self) -> Vec<Context> {
        use Context as C;
        match self {
            Layer::Notice => Vec::new(),
            Layer::LocationPicker => vec![C::Picker, C::List, C::Global],
            Layer::Help | Layer::Messages => vec![C::Help],
            Layer::Palette => vec![C::Palette],
            Layer::SendConfirm
            | Layer::ChoiceConfirm
            | Layer::ApproveAllConfirm
            | Layer::JournalRevertAsk
            | Layer::HandEditConfirm
            | Layer::BulkConfirm => vec![C::Confirm],
            Layer::Journal => vec![C::Journal, C::List, C::Global],
            Layer::Recent => vec![C::Recent, C::List, C::Global],
            Layer::ValueEdit | Layer::HandEditLine => vec![C::Edit],
            Layer::ChangesFilter | Layer::ContactsFilter => vec![C::Filter, C::Global],
            Layer::Diff => vec![C::Diff, C::Changes, C::List, C::Global],
            Layer::ChangesList => vec![C::Changes, C::List, C::Global],
            Layer::HandEditFields | Layer::Contacts => vec![C::Contacts, C::List, C::Global],
            Layer::Details => vec![C::Details, C::List, C::Global],
            Layer::Activity => vec![C::Activity, C::List, C::Global],
            Layer::Setup => vec![C::Setup],
        }
    }

    /// A layer of the changes screen (its keys go through the changes handlers).
    pub fn is_changes(self) -> bool {
        matches!(
            self,
            Layer::SendConfirm
                | Layer::ChoiceConfirm
                | Layer::ApproveAllConfirm
                | Layer::JournalRevertAsk
                | Layer::Journal
                | Layer::ValueEdit
                | Layer::ChangesFilter
                | Layer::Diff
                | Layer::ChangesList
        )
    }

    /// A pane of the contacts screen.
    pub fn is_pane(self) -> bool {
        matches!(self, Layer::Contacts | Layer::Details | Layer::Activity)
    }

    /// Printable keys type text in this layer (they are not looked up in the keymap).
    pub fn types_text(self) -> bool {
        matches!(
            self,
            Layer::ValueEdit
                | Layer::HandEditLine
                | Layer::ChangesFilter
                | Layer::ContactsFilter
                | Layer::Palette
                | Layer::Setup
        )
    }
}

impl App {
    /// The open layers, bottom to top: THE precedence list. The last one has the keyboard.
    pub fn layers(&self) -> Vec<Layer> {
        let mut out = Vec::new();
        match self.screen {
            Screen::Changes => {
                let cs = &self.changes;
                out.push(match cs.focus {
                    ChangesFocus::List => Layer::ChangesList,
                    ChangesFocus::Diff => Layer::Diff,
                });
                if cs.query_editing {
                    out.push(Layer::ChangesFilter);
                }
                if cs.edit.is_some() {
                    out.push(Layer::ValueEdit);
                }
                if let Some(j) = &cs.journal {
                    out.push(Layer::Journal);
                    if j.revert_ask.is_some() {
                        out.push(Layer::JournalRevertAsk);
                    }
                }
                if cs.confirm.is_some() {
                    out.push(Layer::ApproveAllConfirm);
                }
                if cs.choice_confirm.is_some() {
                    out.push(Layer::ChoiceConfirm);
                }
                if cs.send_confirm.is_some() {
                    out.push(Layer::SendConfirm);
                }
            }
            Screen::Contacts => {
                out.push(match self.focus {
                    Pane::Contacts => Layer::Contacts,
                    Pane::Details => Layer::Details,
                    Pane::Activity => Layer::Activity,
                });
                if self.filter.editing {
                    out.push(Layer::ContactsFilter);
                }
                match &self.hand_edit {
                    Some(HandEdit::Fields { .. }) => out.push(Layer::HandEditFields),
                    Some(HandEdit::Line { .. }) => out.push(Layer::HandEditLine),
                    Some(HandEdit::Confirm { .. }) => out.push(Layer::HandEditConfirm),
                    None => {}
                }
            }
        }
        if self.setup.is_some() {
            out.push(Layer::Setup);
        }
        if self.recent.is_some() {
            out.push(Layer::Recent);
        }
        if self.bulk_confirm.is_some() {
            out.push(Layer::BulkConfirm);
        }
        if self.palette.is_some() {
            out.push(Layer::Palette);
        }
        if self.messages_open.is_some() {
            out.push(Layer::Messages);
        }
        if self.help.is_some() {
            out.push(Layer::Help);
        }
        if self.locations.picker.is_some() {
            out.push(Layer::LocationPicker);
        }
        if self.notice.is_some() {
            out.push(Layer::Notice);
        }
        out
    }

    /// The layer that has the keyboard now.
    pub fn layer(&self) -> Layer {
        self.layers().last().copied().unwrap_or(Layer::Contacts)
    }

    /// The layer under the palette (the one its actions apply to); the top layer when the
    /// palette is closed.
    pub fn layer_below_palette(&self) -> Layer {
        self.layers()
            .into_iter()
            .rev()
            .find(|l| *l != Layer::Palette)
            .unwrap_or(Layer::Contacts)
    }
}
