//! `bmby-ghl config [--json]`: the effective configuration and where each value came from.

use color_eyre::eyre::Result;

use crate::auth::TokenStore;
use crate::config::report::{self, Entry, Flags, Origin};
use crate::config::Paths;

/// Prints every setting with its value and origin (secrets as `set`/`not set`). A location
/// not configured anywhere is shown as the commands would pick it: the most recent sign-in
/// (without a configured token), else the only cached location.
///
/// Unknown keys and bad values in the config file (which every other command refuses) do not
/// hide the values: they are shown as if those keys were not there (a bad value's setting
/// with its default), each problem is named on stderr with its line (and under `problems` with
/// `--json`), and the exit code is 1. A file that is not TOML is an error naming the file and
/// line.
pub fn config_cmd(
    paths: &Paths,
    flags: &Flags<'_>,
    env: &dyn Fn(&str) -> Option<String>,
    json: bool,
) -> Result<i32> {
    let (mut entries, found) = report::effective_with_problems(paths, flags, env)?;
    let token_set = entries
        .iter()
        .any(|e| e.key == "ghl.token" && e.origin != Origin::Unset);
    if let Some(loc) = entries
        .iter_mut()
        .find(|e| e.key == "ghl.location_id" && e.value.is_none())
    {
        derive_location(paths, token_set, loc);
    }
    let exists = paths.config_file.exists();
    let file = paths.config_file.display();
    let mut problems: Vec<(usize, String, serde_json::Value)> = found
        .unknown
        .iter()
        .map(|u| {
            let text = format!("config file {file}, line {}: {u}", u.line);
            let doc = serde_json::json!({
                "kind": "unknown key",
                "line": u.line,
                "key": u.key,
                "table": u.table,
                "suggestion": u.suggestion,
                "message": text,
            });
            (u.line, text, doc)
        })
        .collect();
    problems.extend(found.bad.iter().map(|b| {
        let text = format!("config file {file}, line {}, {b}", b.line);
        let doc = serde_json::json!({
            "kind": "bad value",
            "line": b.line,
            "key": b.key,
            "message": text,
        });
        (b.line, text, doc)
    }));
    problems.sort_by_key(|p| p.0);
    if json {
        let mut doc = report::json(&entries, exists);
        doc["problems"] = serde_json::json!(problems
            .iter()
            .map(|(_, _, doc)| doc.clone())
            .collect::<Vec<_>>());
        outln!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        out!("{}", report::text(&entries, exists));
    }
    if problems.is_empty() {
        return Ok(0);
    }
    for (_, text, _) in &problems {
        errln!("warning: {text}");
    }
    let what = match (found.unknown.is_empty(), found.bad.is_empty()) {
        (false, false) => "these keys and values are",
        (true, false) => "these values are",
        _ => "these keys are",
    };
    errln!("{what} ignored above (a bad value's setting shows its default); every other command refuses to run until they are fixed");
    Ok(1)
}

fn derive_location(paths: &Paths, token_set: bool, entry: &mut Entry) {
    if !token_set {
        if let Ok(Some(l)) = TokenStore::new(&paths.data_dir).default_location() {
            entry.value = Some(l);
            entry.origin = Origin::Derived("the most recent sign-in (auth login)".to_owned());
            return;
        }
    }
    if let Some(l) = crate::config::only_cached_location(&paths.data_dir) {
        entry.value = Some(l);
        entry.origin = Origin::Derived("the only cached location".to_owned());
    }
}
