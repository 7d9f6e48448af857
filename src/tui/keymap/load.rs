//! Parsing a keymap file into a layer of bindings, with diagnostics that name the file and
//! the line.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

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

type Table = BTreeMap<Spanned<String>, Spanned<String>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDe {
    #[allow(dead_code)]
    version: Option<i64>,
    #[serde(default)]
    keys: BTreeMap<Spanned<String>, Spanned<Table>>,
}

fn line_of(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// Parses keymap text. Every problem is reported; any problem means the layer is unusable.
pub(super) fn parse_layer(text: &str, file: &str) -> Result<Layer, Vec<Diagnostic>> {
    let diag = |span: Option<std::ops::Range<usize>>, message: String| Diagnostic {
        file: file.to_owned(),
        line: span.map(|s| line_of(text, s.start)),
        message,
    };
    let parsed: FileDe = toml::from_str(text).map_err(|e| {
        let msg = e.message().trim().replace('\n', " ");
        vec![diag(e.span(), msg)]
    })?;
    let mut out = Vec::new();
    let mut errs = Vec::new();
    for (ctx_name, table) in &parsed.keys {
        let Some(context) = Context::from_name(ctx_name.get_ref()) else {
            let known: Vec<&str> = Context::ALL.iter().map(|c| c.name()).collect();
            errs.push(diag(
                Some(ctx_name.span()),
                format!(
                    "unknown context [keys.{}] (known: {})",
                    ctx_name.get_ref(),
                    known.join(", ")
                ),
            ));
            continue;
        };
        let mut seen: BTreeMap<KeyCombo, String> = BTreeMap::new();
        for (key_text, action_text) in table.get_ref() {
            let key = match KeyCombo::parse(key_text.get_ref()) {
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
            if let Some(prev) = seen.insert(key, key_text.get_ref().clone()) {
                errs.push(diag(
                    Some(key_text.span()),
                    format!(
                        "\"{}\" is the same key as \"{prev}\" in [keys.{}]",
                        key_text.get_ref(),
                        context.name()
                    ),
                ));
                continue;
            }
            let name = action_text.get_ref().trim();
            let action = if name == "none" {
                None
            } else {
                match Action::from_name(name) {
                    Some(a) => Some(a),
                    None => {
                        errs.push(diag(
                            Some(action_text.span()),
                            format!(
                                "unknown action \"{name}\" for key \"{}\" (run `bmby-ghl keymap` to list actions)",
                                key_text.get_ref()
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
    if errs.is_empty() {
        Ok(out)
    } else {
        errs.sort_by_key(|d| d.line);
        Err(errs)
    }
}
