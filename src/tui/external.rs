//! The `$VISUAL` / `$EDITOR` hand-off for multi-line notes, as git does it: the command is
//! run by `sh -c '<editor> "$1"'` on a temporary file (mode 0600, removed afterwards), so an
//! editor given with arguments (`code --wait`, `vim -u NONE`) works.

use std::io::Write;
use std::process::Command;

/// The editor command: `$VISUAL`, else `$EDITOR` (empty values ignored).
pub fn command() -> Option<String> {
    ["VISUAL", "EDITOR"]
        .into_iter()
        .filter_map(|k| std::env::var(k).ok())
        .map(|v| v.trim().to_owned())
        .find(|v| !v.is_empty())
}

/// True when an editor is configured.
pub fn configured() -> bool {
    command().is_some()
}

/// Opens `initial` in the editor and returns the saved text (trailing newline removed), or
/// why it failed: no editor, the editor exited with an error, the file could not be read.
pub fn edit(initial: &str) -> Result<String, String> {
    let editor = command().ok_or("no $VISUAL or $EDITOR set")?;
    let mut file = tempfile::Builder::new()
        .prefix("bmby-ghl-note-")
        .suffix(".txt")
        .tempfile()
        .map_err(|e| format!("temporary file: {e}"))?;
    file.write_all(initial.as_bytes())
        .and_then(|()| file.flush())
        .map_err(|e| format!("temporary file: {e}"))?;
    let path = file.path().to_owned();
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(&path)
        .status()
        .map_err(|e| format!("could not start `{editor}`: {e}"))?;
    if status.code() == Some(127) {
        return Err(format!(
            "`{editor}` was not found; set $EDITOR (or $VISUAL) to an installed editor, or unset it to type notes on one line"
        ));
    }
    if !status.success() {
        return Err(format!("`{editor}` exited with {status}; nothing saved"));
    }
    let text =
        std::fs::read_to_string(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    Ok(text.trim_end_matches(['\n', '\r']).to_owned())
}
