//! Parsing a keymap file into a layer of bindings, with diagnostics that name the file and
//! the line.

use std::collections::BTreeMap;

use toml::de::DeTable;

use super::{Context, KeyCombo};
use crate::tui::action::Action;

/// One problem in a keymap file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{}: {}", self.file, l, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// One line of a keymap file: `None` action = unbind.
#[derive(Debug, Clone)]
pub(super) struct Binding {
    pub context: Context,
    pub key: KeyCombo,
    pub action: Option<Action>,
    /// Byte offset of the key in the file (keeps file order for hints and help).
    pub pos: usize,
}

pub(super) type Layer = Vec<Binding>;

fn line_of(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// Parses keymap text into the bindings of its good lines and one diagnostic per problem, in
/// line order. A bad line (a TOML syntax error, an unknown context, key or action, a value
/// that is not an action name) is skipped and reported; the lines around it still apply.
/// Unknown names get a "did you mean" when one is close ([`crate::suggest`]).
pub(super) fn parse_layer(text: &str, file: &str) -> (Layer, Vec<Diagnostic>) {
    let diag = |span: Option<std::ops::Range<usize>>, message: String| Diagnostic {
        file: file.to_owned(),
        line: span.map(|s| line_of(text, s.start)),
        message,
    };
    let (root, syntax) = DeTable::parse_recoverable(text);
    let mut errs: Vec<Diagnostic> = syntax
        .iter()
        .map(|e| diag(e.span(), e.message().trim().replace('\n', " ")))
        .collect();
    let mut out = Vec::new();
    for (top, value) in root.get_ref() {
        match top.get_ref().as_ref() {
            "version" => {}
            "keys" => match value.get_ref().as_table() {
                Some(keys) => contexts(keys, &diag, &mut out, &mut errs),
                None => errs.push(diag(
                    Some(value.span()),
                    "`keys` must be tables such as [keys.global]".to_owned(),
                )),
            },
            other => errs.push(diag(
                Some(top.span()),
                format!(
                    "unknown table or key `{other}`: a keymap has [keys.CONTEXT] tables{}",
                    crate::suggest::hint(other, ["keys", "version"])
                ),
            )),
        }
    }
    errs.sort_by_key(|d| d.line);
    (out, errs)
}

type Diag<'a> = dyn Fn(Option<std::ops::Range<usize>>, String) -> Diagnostic + 'a;

/// The `[keys.CONTEXT]` tables.
fn contexts(keys: &DeTable<'_>, diag: &Diag<'_>, out: &mut Layer, errs: &mut Vec<Diagnostic>) {
    for (ctx_name, table) in keys {
        let name = ctx_name.get_ref().as_ref();
        let Some(context) = Context::from_name(name) else {
            let known: Vec<&str> = Context::ALL.iter().map(|c| c.name()).collect();
            errs.push(diag(
                Some(ctx_name.span()),
                format!(
                    "unknown context [keys.{name}]{} (known: {})",
                    crate::suggest::hint(name, known.iter().copied()),
                    known.join(", ")
                ),
            ));
            continue;
        };
        let Some(table) = table.get_ref().as_table() else {
            errs.push(diag(
                Some(table.span()),
                format!("[keys.{name}] must be a table of \"key\" = \"action\" lines"),
            ));
            continue;
        };
        bindings(context, table, diag, out, errs);
    }
}

/// The `"key" = "action"` lines of one context.
fn bindings(
    context: Context,
    table: &DeTable<'_>,
    diag: &Diag<'_>,
    out: &mut Layer,
    errs: &mut Vec<Diagnostic>,
) {
    let mut seen: BTreeMap<KeyCombo, String> = BTreeMap::new();
    for (key_text, action_value) in table {
        let key_name = key_text.get_ref().as_ref();
        let key = match KeyCombo::parse(key_name) {
            Ok(k) => k,
            Err(m) => {
                errs.push(diag(Some(key_text.span()), m));
                continue;
            }
        };
        if key == KeyCombo::ctrl('c') {
            errs.push(diag(
                Some(key_text.span()),
                "ctrl-c is reserved: it always quits".to_owned(),
            ));
            continue;
        }
        let Some(action_text) = action_value.get_ref().as_str() else {
            errs.push(diag(
                Some(key_text.span()),
                format!(
                    "the action of \"{key_name}\" must be a quoted action name such as \"nav.down\" (or \"none\")"
                ),
            ));
            continue;
        };
        if let Some(prev) = seen.insert(key, key_name.to_owned()) {
            errs.push(diag(
                Some(key_text.span()),
                format!(
                    "\"{key_name}\" is the same key as \"{prev}\" in [keys.{}]",
                    context.name()
                ),
            ));
            continue;
        }
        let name = action_text.trim();
        let action = if name == "none" {
            None
        } else {
            match Action::from_name(name) {
                Some(a) => Some(a),
                None => {
                    let names = Action::ALL.iter().map(|a| a.name());
                    errs.push(diag(
                        Some(action_value.span()),
                        format!(
                            "unknown action \"{name}\" for key \"{key_name}\"{} (run `bmby-ghl keymap` to list actions)",
                            crate::suggest::hint(name, names)
                        ),
                    ));
                    continue;
                }
            }
        };
        out.push(Binding {
            context,
            key,
            action,
            pos: key_text.span().start,
        });
    }
}
