//! The TUI's rule "update never calls render code" (issue #10), checked on the source so it
//! cannot drift back: the files of the update side (key and event handling, state, and the
//! text models they measure) must not name a drawing module nor draw.
//!
//! A drawing module builds widgets and writes them into a `Frame`; what the update side needs
//! to measure (how many lines a pane has, where an item starts, how tall the diff wants to be)
//! lives in a text module both sides use (`changes/diff_text.rs`, `panes/details_text.rs`,
//! `panes/activity_text.rs`, `help_text.rs`, `messages.rs`, `layout.rs`).
//!
//! The check reads each update file with its comments removed and its `use` groups expanded
//! (`use super::{a, b::c}` reads as `use super::a; use super::b::c;`), then looks for
//! path-qualified references to every drawing module and for drawing itself. A new drawing
//! module goes in [`DRAW_MODULES`]; a new update file in [`UPDATE_FILES`].

use std::path::Path;

/// Files of the update side, relative to `src/tui/`.
const UPDATE_FILES: &[&str] = &[
    "action.rs",
    "app.rs",
    "bulk.rs",
    "business_filter.rs",
    "changes/diff_text.rs",
    "changes/dispatch.rs",
    "changes/edit.rs",
    "changes/mod.rs",
    "clipboard.rs",
    "changes/op_view.rs",
    "changes/update.rs",
    "edits/mod.rs",
    "external.rs",
    "filter.rs",
    "help_text.rs",
    "import_notice.rs",
    "input.rs",
    "keymap.rs",
    "keymap/key.rs",
    "keymap/load.rs",
    "layer.rs",
    "layout.rs",
    "locations.rs",
    "look.rs",
    "marks.rs",
    "messages.rs",
    "op_actions.rs",
    "palette.rs",
    "panes/activity_text.rs",
    "panes/details_text.rs",
    "recent.rs",
    "recent_text.rs",
    "panes/pending_text.rs",
    "registry.rs",
    "scroll.rs",
    "setup/mod.rs",
    "setup/setup_text.rs",
    "setup/work.rs",
    "setup/write.rs",
    "status_msgs.rs",
    "sync_status.rs",
    "text.rs",
    "view_actions.rs",
];

/// Modules that draw, as paths under `crate::tui` (`changes::diff` is `src/tui/changes/diff.rs`),
/// each with the items of it the update side must not use (`None`: none of it at all).
const DRAW_MODULES: &[(&str, Option<&[&str]>)] = &[
    ("render", None),
    ("help", None),
    ("status", None),
    ("bulk_view", None),
    ("locations_view", None),
    ("palette_view", None),
    ("recent_view", None),
    ("early_view", None),
    ("setup::setup_view", None),
    ("panes::contacts", None),
    ("panes::details", None),
    ("panes::activity", None),
    // `panes` itself holds `short_time` (text) beside the frame of a pane.
    ("panes", Some(&["block"])),
    ("changes::diff", None),
    ("changes::list", None),
    ("changes::journal", None),
    ("changes::confirm", None),
    ("changes::edit_view", None),
    ("edits::render", None),
];

/// Drawing itself, anywhere in an update file.
const DRAWING: &[&str] = &[
    "Frame",
    "render_widget",
    "ratatui::widgets",
    "::render(",
    "::render_",
];

/// The text of `src` without `//` comments (line and doc comments; string literals holding
/// `//` are not in these files' code paths that matter, and a false alarm would show here).
fn strip_comments(src: &str) -> String {
    src.lines()
        .map(|l| match l.find("//") {
            // Keep `//` inside a string literal on the line (a URL): only cut when the `//`
            // starts the line's code or follows code with an even number of quotes before it.
            Some(i) if l[..i].matches('"').count() % 2 == 0 => &l[..i],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `prefix::{a, b::{c, d}, e as f}` → `[prefix::a, prefix::b::c, prefix::b::d, prefix::e as f]`.
fn expand_tree(prefix: &str, tree: &str, out: &mut Vec<String>) {
    let tree = tree.trim();
    if let Some(open) = tree.find('{') {
        let head = tree[..open].trim().trim_end_matches("::");
        let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
        let prefix = join(prefix, head);
        let mut depth = 0;
        let mut start = 0;
        for (i, ch) in inner.char_indices() {
            match ch {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    expand_tree(&prefix, &inner[start..i], out);
                    start = i + 1;
                }
                _ => {}
            }
        }
        expand_tree(&prefix, &inner[start..], out);
    } else if !tree.is_empty() {
        out.push(join(prefix, tree));
    }
}

fn join(prefix: &str, rest: &str) -> String {
    match (prefix.is_empty(), rest.is_empty()) {
        (true, _) => rest.to_owned(),
        (_, true) => prefix.to_owned(),
        _ => format!("{prefix}::{rest}"),
    }
}

/// The code with every `use …;` statement replaced by one `use path;` per imported item.
fn expand_uses(code: &str) -> String {
    let mut out = String::new();
    let mut rest = code;
    while let Some(i) = find_use(rest) {
        out.push_str(&rest[..i]);
        let stmt_start = i + rest[i..].find("use ").unwrap_or(0) + 4;
        let Some(end) = rest[stmt_start..].find(';') else {
            break;
        };
        let tree: String = rest[stmt_start..stmt_start + end]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let mut items = Vec::new();
        expand_tree("", &tree, &mut items);
        for it in items {
            out.push_str(&format!("use {};\n", it.replace(" :: ", "::")));
        }
        rest = &rest[stmt_start + end + 1..];
    }
    out.push_str(rest);
    out
}

/// Where the next `use` statement starts (at a line start, after any `pub(…)`).
fn find_use(s: &str) -> Option<usize> {
    let mut offset = 0;
    for line in s.split_inclusive('\n') {
        let t = line.trim_start();
        let t = t
            .strip_prefix("pub(crate) ")
            .or_else(|| t.strip_prefix("pub(super) "))
            .or_else(|| t.strip_prefix("pub "))
            .unwrap_or(t);
        if t.starts_with("use ") {
            return Some(offset);
        }
        offset += line.len();
    }
    None
}

/// How `file` (relative to `src/tui/`) could name the module at `path` (under `crate::tui`):
/// absolute, from the `tui` root through `super`, and through `super` from a sibling.
fn spellings(file: &str, path: &str) -> Vec<String> {
    let mut out = vec![format!("crate::tui::{path}")];
    let dir: Vec<&str> = Path::new(file)
        .parent()
        .map(|p| p.iter().filter_map(|s| s.to_str()).collect())
        .unwrap_or_default();
    // The module a file sits in: `app.rs` is `tui::app`, its `super` is `tui`;
    // `changes/update.rs` is `tui::changes::update`, its `super` is `tui::changes`;
    // `changes/mod.rs` is `tui::changes`, its `super` is `tui`.
    let is_mod = file.ends_with("mod.rs");
    let mut parent: Vec<&str> = dir.clone();
    if is_mod {
        parent.pop();
    }
    let parent_path = parent.join("::");
    if parent_path.is_empty() {
        out.push(format!("super::{path}"));
    } else if let Some(rest) = path.strip_prefix(&format!("{parent_path}::")) {
        out.push(format!("super::{rest}"));
    } else if path == parent_path {
        out.push("super".to_owned());
    }
    if parent.len() == 1 {
        out.push(format!("super::super::{path}"));
    }
    if is_mod && !dir.is_empty() {
        // Inside `changes/mod.rs`, `diff` is `self::diff` or just `diff`.
        if let Some(rest) = path.strip_prefix(&format!("{}::", dir.join("::"))) {
            out.push(format!("self::{rest}"));
            // Bare (`diff::lines(…)`): only as a path, since `pub mod diff;` declares it.
            out.push(format!(" {rest}"));
            out.push(format!("({rest}"));
        }
    }
    out
}

/// Every forbidden reference in `code` (comments stripped, uses expanded) of `file`.
fn violations(file: &str, code: &str) -> Vec<String> {
    let mut found = Vec::new();
    for pat in DRAWING {
        if code.contains(pat) {
            found.push(format!("draws: `{pat}`"));
        }
    }
    for (path, items) in DRAW_MODULES {
        for name in spellings(file, path) {
            let bad: Vec<String> = match items {
                None if name.starts_with([' ', '(']) => vec![format!("{name}::")],
                None => vec![
                    format!("{name}::"),
                    format!("{name};"),
                    format!("{name} as "),
                ],
                Some(items) => items
                    .iter()
                    .flat_map(|i| [format!("{name}::{i}("), format!("{name}::{i};")])
                    .collect(),
            };
            for b in bad {
                if code.contains(&b) {
                    found.push(format!("uses the drawing module `tui::{path}`: `{b}`"));
                }
            }
        }
    }
    found
}

#[test]
fn update_code_never_names_a_drawing_module() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/tui");
    let mut failures = Vec::new();
    for file in UPDATE_FILES {
        let src = std::fs::read_to_string(root.join(file))
            .unwrap_or_else(|e| panic!("src/tui/{file}: {e} (renamed? update UPDATE_FILES)"));
        let code = expand_uses(&strip_comments(&src));
        for v in violations(file, &code) {
            failures.push(format!("src/tui/{file}: {v}"));
        }
    }
    assert!(
        failures.is_empty(),
        "update code must not call render code (issue #10: measure text through a text module \
         such as changes/diff_text.rs or panes/details_text.rs, draw in the *_view / render \
         modules):\n  {}",
        failures.join("\n  ")
    );
}

#[test]
fn every_drawing_module_exists() {
    // A renamed drawing module would silently stop being checked.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/tui");
    for (path, _) in DRAW_MODULES {
        let rel = path.replace("::", "/");
        let file = root.join(format!("{rel}.rs"));
        let dir = root.join(&rel).join("mod.rs");
        assert!(
            file.exists() || dir.exists(),
            "drawing module tui::{path} not found: update DRAW_MODULES"
        );
    }
}

#[test]
fn the_check_catches_each_spelling() {
    // The checker itself: each way of reaching a drawing module is caught.
    let cases = [
        ("app.rs", "let n = super::panes::details::line_count(self);"),
        ("app.rs", "use super::{help, text};"),
        (
            "app.rs",
            "use crate::tui::{changes::{diff, EditState}, text};",
        ),
        ("changes/update.rs", "let d = super::diff::lines(&c);"),
        ("changes/update.rs", "use super::{list, ChangesFocus};"),
        ("changes/mod.rs", "let x = diff::lines(&c);"),
        (
            "edits/mod.rs",
            "crate::tui::changes::confirm::render_box(a, b, c, f, r)",
        ),
        (
            "edits/mod.rs",
            "let b = crate::tui::panes::block(t, true, th);",
        ),
        (
            "bulk.rs",
            "pub fn render(app: &App, f: &mut Frame, area: Rect) {}",
        ),
        ("locations.rs", "f.render_widget(Clear, r);"),
    ];
    for (file, code) in cases {
        let code = expand_uses(&strip_comments(code));
        assert!(
            !violations(file, &code).is_empty(),
            "{file}: not caught: {code}"
        );
    }
    // And text modules and comments are not mistaken for drawing.
    let fine = [
        (
            "app.rs",
            "let n = super::panes::details_text::line_count(self);",
        ),
        (
            "app.rs",
            "// the renderer (super::help::render) draws these",
        ),
        ("changes/update.rs", "let d = super::diff_text::lines(&c);"),
        ("changes/mod.rs", "crate::tui::panes::short_time(s)"),
        (
            "changes/dispatch.rs",
            "crate::sync::diff::ghl_value(&now, f)",
        ),
        ("app.rs", "use super::{help_text, layout};"),
    ];
    for (file, code) in fine {
        let code = expand_uses(&strip_comments(code));
        assert_eq!(
            violations(file, &code),
            Vec::<String>::new(),
            "{file}: {code}"
        );
    }
}
