//! Several GHL locations and the sign-in state in the TUI: the location picker (`L`), the
//! read-only refusal of edits, approvals and sends, and the "needs sign-in" status.
//!
//! Switching does not happen here: choosing a location sets [`LocationsUi::switch_to`]; the UI
//! loop then ends and the caller (`commands::browse::run_tui`) opens the other location's cache
//! with its own client and worker, and starts the UI again. The picker is drawn by
//! [`super::locations_view`].

use super::action::Action;
use super::app::{App, Effect};
use super::keymap::KeyCombo;
use super::layer::Layer;
use super::scroll::{self, Nav};

/// A signed-in location the TUI can switch to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocationChoice {
    pub id: String,
    /// `Name (id)` or the id.
    pub label: String,
    /// `needs sign-in`, `read-only`, or nothing.
    pub note: Option<String>,
}

/// The picker's state.
#[derive(Debug, Clone, Default)]
pub struct LocationPicker {
    pub selected: usize,
}

/// Location and sign-in state of the app.
#[derive(Debug, Clone, Default)]
pub struct LocationsUi {
    /// Every signed-in location (the current one included), in display order.
    pub choices: Vec<LocationChoice>,
    /// The id of the location shown.
    pub current: String,
    /// The picker, when open.
    pub picker: Option<LocationPicker>,
    /// The location chosen in the picker: the loop ends and the caller switches.
    pub switch_to: Option<String>,
    /// Why the current location must sign in again (a refused refresh), if it must.
    pub needs_sign_in: Option<String>,
}

/// Actions refused while read-only: they would change GHL or queue a change for it (the
/// registry's `writes`).
fn writes(a: Action) -> bool {
    super::registry::entry(a).writes
}

impl App {
    /// `L`: opens the picker (or says there is nothing to switch to).
    pub(crate) fn open_location_picker(&mut self) -> Vec<Effect> {
        self.dirty = true;
        if self.locations.choices.len() < 2 {
            self.status.info = Some(
                if self.locations.choices.is_empty()
                    && self.locations.current == crate::sandbox::DEMO_LOCATION_ID
                {
                    // The demo (or a TUI on its cache): no token, no sign-in, one location.
                    "the demo has one location, its GHL stand-in's: there is nothing to switch to (with a real account, `bmby-ghl auth login` signs in to more)"
                } else if self.locations.choices.is_empty() {
                    "no location is signed in here (the token comes from GHL_TOKEN or the config); sign in with `bmby-ghl auth login` to switch between locations"
                } else {
                    "only one location is signed in; add one with `bmby-ghl auth login`"
                }
                .into(),
            );
            return Vec::new();
        }
        let selected = self
            .locations
            .choices
            .iter()
            .position(|c| c.id == self.locations.current)
            .unwrap_or(0);
        self.locations.picker = Some(LocationPicker { selected });
        Vec::new()
    }

    /// Keys while the picker is open, through its keymap chain ([keys.picker], then
    /// [keys.list] and [keys.global]): `confirm.yes` (enter) or a digit chooses, the list keys
    /// move, `confirm.no`, back, quit or `location.switch` close.
    pub(crate) fn handle_picker_key(&mut self, key: KeyCombo) -> Vec<Effect> {
        self.dirty = true;
        let n = self.locations.choices.len();
        let chain = Layer::LocationPicker.chain();
        let Some(p) = self.locations.picker.as_mut() else {
            return Vec::new();
        };
        if let Some(d) = key.printable().and_then(|c| c.to_digit(10)) {
            if d >= 1 && (d as usize) <= n {
                p.selected = d as usize - 1;
                return self.choose_location();
            }
        }
        match self.keymap.lookup(&chain, key) {
            Some(Action::ConfirmYes) => return self.choose_location(),
            Some(a @ (Action::NavDown | Action::NavUp | Action::NavTop | Action::NavBottom)) => {
                if let Some(nav) = Nav::of(a) {
                    p.selected = scroll::scrolled(p.selected, nav, n.saturating_sub(1), n);
                }
            }
            Some(Action::ConfirmNo)
            | Some(Action::Back)
            | Some(Action::Quit)
            | Some(Action::LocationSwitch) => self.locations.picker = None,
            _ => {}
        }
        Vec::new()
    }

    fn choose_location(&mut self) -> Vec<Effect> {
        let Some(p) = self.locations.picker.take() else {
            return Vec::new();
        };
        if let Some(c) = self.locations.choices.get(p.selected) {
            if c.id != self.locations.current {
                self.locations.switch_to = Some(c.id.clone());
                self.status.info = Some(format!("switching to {}", c.label));
            }
        }
        Vec::new()
    }

    /// True (and says why in the status bar) when `action` would write and the app is
    /// read-only.
    pub(crate) fn refuse_if_read_only(&mut self, action: Option<Action>) -> bool {
        match (&self.read_only, action) {
            (Some(why), Some(a)) if writes(a) => {
                self.status.error = Some(format!("read-only: {why}"));
                self.dirty = true;
                true
            }
            _ => false,
        }
    }

    /// GHL refused the location's credentials or there are none
    /// ([`crate::sync::SyncEvent::SignInNeeded`]): the status bar's sign-in segment says so
    /// (short), the message log keeps how to sign in.
    pub(crate) fn needs_sign_in(&mut self, message: String) {
        if self.locations.needs_sign_in.as_ref() != Some(&message) {
            self.log_message(format!("! {message}"));
        }
        self.locations.needs_sign_in = Some(message);
        self.dirty = true;
    }
}

/// The status-bar text for the sign-in state, if there is something to say.
pub fn status_text(app: &App) -> Option<String> {
    if app.locations.needs_sign_in.is_some() {
        // Short: the error message (m) has the whole story.
        Some("needs sign-in: auth login".into())
    } else if app.read_only.is_some() {
        Some("read-only".into())
    } else {
        None
    }
}
