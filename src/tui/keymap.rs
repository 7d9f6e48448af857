//! The keymap: which key does what, per context.
//!
//! The default is `keymap.toml` at the repository root, compiled in. A user file lists only
//! the keys it changes (`"none"` unbinds). Format:
//!
//! ```toml
//! [keys.global]
//! "q" = "app.quit"
//! "ctrl-r" = "sync.pull"
//! [keys.list]
//! "j" = "nav.down"
//! "x" = "none"
//! ```
//!
//! Contexts: `global`, `list` (navigation shared by every pane), `contacts`, `details`,
//! `activity`, `filter` (while typing a filter; printable characters always type), `help`,
//! `changes` (the changes screen), `diff` (its diff pane; falls back to `changes`), `edit`
//! (the one-line value editor; printable characters always type), `confirm` (y/n) and
//! `journal` (the journal view; falls back to `list` and `global`), `picker` (the location
//! picker; falls back to `list` and `global`), `palette` (the `:` line and the `ctrl-p`
//! list; printable characters always type) and `recent` (the list of contacts GHL changed
//! lately; falls back to `list` and `global`).
//! A key is looked up in the innermost context first (e.g. `contacts` → `list` → `global`,
//! `diff` → `changes` → `list` → `global`).
//! Ctrl-C always quits and cannot be rebound.

pub mod key;
mod load;

use std::collections::BTreeMap;

pub use key::KeyCombo;
pub use load::Diagnostic;

use super::action::Action;

/// The default keymap text (`keymap.toml` at the repository root).
pub const DEFAULT_KEYMAP: &str = include_str!("../../keymap.toml");

/// Where a key is looked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    Global,
    List,
    Contacts,
    Details,
    Activity,
    Filter,
    Help,
    Changes,
    Diff,
    Edit,
    Confirm,
    Journal,
    Picker,
    Palette,
    /// The list of contacts GHL changed lately (`U`).
    Recent,
    /// The setup screen (first run, `:setup`; printable keys type into the focused field).
    Setup,
}

impl Context {
    pub const ALL: &'static [Context] = &[
        Context::Global,
        Context::List,
        Context::Contacts,
        Context::Details,
        Context::Activity,
        Context::Changes,
        Context::Diff,
        Context::Filter,
        Context::Edit,
        Context::Confirm,
        Context::Picker,
        Context::Palette,
        Context::Journal,
        Context::Recent,
        Context::Setup,
        Context::Help,
    ];

    /// The table name in `keymap.toml` (`[keys.<name>]`).
    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::List => "list",
            Context::Contacts => "contacts",
            Context::Details => "details",
            Context::Activity => "activity",
            Context::Filter => "filter",
            Context::Help => "help",
            Context::Changes => "changes",
            Context::Diff => "diff",
            Context::Edit => "edit",
            Context::Confirm => "confirm",
            Context::Journal => "journal",
            Context::Picker => "picker",
            Context::Palette => "palette",
            Context::Recent => "recent",
            Context::Setup => "setup",
        }
    }

    pub fn from_name(s: &str) -> Option<Context> {
        Context::ALL.iter().copied().find(|c| c.name() == s)
    }

    /// What the context is for (help screen headings).
    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::List => "Lists and scrolling (every pane)",
            Context::Contacts => "Contacts list",
            Context::Details => "Details pane",
            Context::Activity => "Tasks, notes, appointments pane",
            Context::Filter => "While typing a filter",
            Context::Help => "Help screen",
            Context::Changes => "Changes screen (list and diff)",
            Context::Diff => "Diff pane (field cursor)",
            Context::Edit => "While editing a proposed value (printable keys type)",
            Context::Confirm => "Confirmation questions",
            Context::Journal => "Journal of writes (falls back to Lists)",
            Context::Picker => "Location picker (falls back to Lists; 1-9 choose)",
            Context::Palette => "Command palette (: or ctrl-p; printable keys type)",
            Context::Recent => "Changed in GHL lately (U; falls back to Lists)",
            Context::Setup => "Setup screen (first run, :setup; printable keys type)",
        }
    }
}

/// Where a binding came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Default,
    User,
}

/// The effective bindings.
#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: BTreeMap<Context, BTreeMap<KeyCombo, (Action, Source, u32)>>,
}

impl Keymap {
    /// The compiled-in default keymap.
    pub fn default_keymap() -> Keymap {
        let (layer, diags) = load::parse_layer(DEFAULT_KEYMAP, "keymap.toml (built in)");
        debug_assert!(
            diags.is_empty(),
            "the built-in keymap.toml is valid (tested)"
        );
        let mut km = Keymap {
            bindings: BTreeMap::new(),
        };
        km.apply(layer, Source::Default);
        km
    }

    /// The default keymap with the user's file text applied on top, and the diagnostics (one
    /// per problem, in line order). A line with a problem is skipped; every good line of the
    /// file still applies (also around a TOML syntax error, as far as the parser recovers).
    pub fn with_user_text(text: &str, file_label: &str) -> (Keymap, Vec<Diagnostic>) {
        let mut km = Keymap::default_keymap();
        let (layer, diags) = load::parse_layer(text, file_label);
        km.apply(layer, Source::User);
        (km, diags)
    }

    /// Loads the user keymap file if there is one. A missing file is not an error.
    pub fn load(user: Option<&std::path::Path>) -> (Keymap, Vec<Diagnostic>) {
        let Some(path) = user else {
            return (Keymap::default_keymap(), Vec::new());
        };
        match std::fs::read_to_string(path) {
            Ok(text) => Keymap::with_user_text(&text, &path.display().to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                (Keymap::default_keymap(), Vec::new())
            }
            Err(e) => (
                Keymap::default_keymap(),
                vec![Diagnostic {
                    file: path.display().to_string(),
                    line: None,
                    message: format!("cannot read: {e}"),
                }],
            ),
        }
    }

    fn apply(&mut self, layer: load::Layer, source: Source) {
        for b in layer {
            let ctx = self.bindings.entry(b.context).or_default();
            let base = if source == Source::User { 1 << 24 } else { 0 };
            let seq = base + b.pos as u32;
            match b.action {
                Some(a) => {
                    ctx.insert(b.key, (a, source, seq));
                }
                None => {
                    ctx.remove(&b.key);
                }
            }
        }
    }

    /// The action of `key` in the first context of `chain` that binds it.
    pub fn lookup(&self, chain: &[Context], key: KeyCombo) -> Option<Action> {
        chain
            .iter()
            .find_map(|c| self.bindings.get(c).and_then(|m| m.get(&key)))
            .map(|(a, _, _)| *a)
    }

    fn keys_in(m: &BTreeMap<KeyCombo, (Action, Source, u32)>, action: Action) -> Vec<KeyCombo> {
        let mut keys: Vec<(u32, KeyCombo)> = m
            .iter()
            .filter(|(_, (a, _, _))| *a == action)
            .map(|(k, (_, _, seq))| (*seq, *k))
            .collect();
        keys.sort();
        keys.into_iter().map(|(_, k)| k).collect()
    }

    /// Keys bound to `action` in the first context of `chain` that has any, in file order.
    pub fn keys_for(&self, chain: &[Context], action: Action) -> Vec<KeyCombo> {
        for c in chain {
            if let Some(m) = self.bindings.get(c) {
                let keys: Vec<KeyCombo> = Self::keys_in(m, action)
                    .into_iter()
                    .filter(|k| self.lookup(chain, *k) == Some(action))
                    .collect();
                if !keys.is_empty() {
                    return keys;
                }
            }
        }
        Vec::new()
    }

    /// The bindings of one context, grouped by action in help order: (action, keys).
    pub fn grouped(&self, ctx: Context) -> Vec<(Action, Vec<KeyCombo>)> {
        let Some(m) = self.bindings.get(&ctx) else {
            return Vec::new();
        };
        let mut out: Vec<(Action, Vec<KeyCombo>)> = Vec::new();
        for a in Action::ALL {
            let keys = Self::keys_in(m, *a);
            if !keys.is_empty() {
                out.push((*a, keys));
            }
        }
        out
    }

    /// Every binding: (context, key, action, source), in context and key order.
    pub fn entries(&self) -> Vec<(Context, KeyCombo, Action, Source)> {
        self.bindings
            .iter()
            .flat_map(|(c, m)| m.iter().map(move |(k, (a, s, _))| (*c, *k, *a, *s)))
            .collect()
    }

    /// The effective keymap as `keymap.toml` text (user bindings marked).
    pub fn dump(&self) -> String {
        let mut out =
            String::from("# Effective keymap (default keymap.toml plus the user's changes)\n");
        for ctx in Context::ALL {
            let Some(m) = self.bindings.get(ctx) else {
                continue;
            };
            out.push_str(&format!("\n[keys.{}]\n", ctx.name()));
            for (k, (a, s, _)) in m {
                let key = format!(
                    "\"{}\"",
                    k.to_string().replace('\\', "\\\\").replace('"', "\\\"")
                );
                let val = format!("\"{}\"", a.name());
                let src = if *s == Source::User { "  (user)" } else { "" };
                out.push_str(&format!(
                    "{key:<12} = {val:<24} # {}{src}\n",
                    super::registry::entry(*a).description
                ));
            }
        }
        out
    }
}

/// Diagnostics as one message, one problem per line.
pub fn format_diagnostics(diags: &[Diagnostic]) -> String {
    diags
        .iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}
