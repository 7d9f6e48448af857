//! `bmby-ghl config [--json]`: the effective configuration and where each value came from.

use color_eyre::eyre::Result;

use crate::auth::TokenStore;
use crate::config::report::{self, Entry, Flags, Origin};
use crate::config::Paths;

/// Prints every setting with its value and origin (secrets as `set`/`not set`). A location
/// not configured anywhere is shown as the commands would pick it: the most recent sign-in
/// (without a configured token), else the only cached location.
pub fn config_cmd(
    paths: &Paths,
    flags: &Flags<'_>,
    env: &dyn Fn(&str) -> Option<String>,
    json: bool,
) -> Result<i32> {
    let mut entries = report::effective(paths, flags, env)?;
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
    if json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&report::json(&entries, exists))?
        );
    } else {
        out!("{}", report::text(&entries, exists));
    }
    Ok(0)
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
