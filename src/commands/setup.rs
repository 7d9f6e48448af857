//! `bmby-ghl` with nothing configured: the TUI opens on the setup screen
//! ([`crate::tui::setup`]) instead of failing; when the setup wrote the config, the TUI opens
//! on the chosen location with the new settings (a first pull starts at once).

use color_eyre::eyre::Result;
use tokio::runtime::Runtime;

use super::location;
use crate::config::{Paths, Settings};
use crate::store::Store;
use crate::tui::{self, setup::SetupEnv, TuiContext};

/// What the setup screen needs from the configuration.
pub(super) fn setup_env(paths: &Paths, settings: &Settings) -> SetupEnv {
    SetupEnv {
        base_url: settings.base_url.clone(),
        oauth: settings.oauth.clone(),
        data_dir: paths.data_dir.clone(),
        config_file: paths.config_file.clone(),
        bmby_soap_url: settings.bmby.soap_url.clone(),
        bmby_login: settings.bmby.login.clone(),
        bmby_project_id: settings.bmby.project_id.clone(),
        mapping: settings.mapping.clone(),
    }
}

/// Nothing is configured: no location can be found (flag, environment, config, token store,
/// cache), and a person sits at a terminal. CLI commands keep their errors; only the bare
/// `bmby-ghl` opens the setup (without a terminal it keeps the error too).
pub(super) fn needed(settings: &Settings) -> bool {
    use std::io::IsTerminal;
    location(settings).is_err() && std::io::stdin().is_terminal() && std::io::stdout().is_terminal()
}

/// The settings again after the setup wrote the config (the environment still wins), on
/// `loc`, with the Bmby password the setup saved when none is set otherwise.
pub fn reload(paths: &Paths, loc: &str) -> Result<Settings> {
    let mut s = crate::config::load(&paths.config_file, &|k| std::env::var(k).ok())?;
    s.only_cached_location = crate::config::only_cached_location(&paths.data_dir);
    s.data_dir = Some(paths.data_dir.clone());
    s.location_id = Some(loc.to_owned());
    fill_bmby_password(&mut s, paths);
    Ok(s)
}

/// The Bmby password from the setup's secret file when neither `BMBY_PASSWORD` nor the
/// config sets one.
pub fn fill_bmby_password(settings: &mut Settings, paths: &Paths) {
    if settings.bmby.password.is_none() {
        settings.bmby.password = crate::tui::setup::write::load_bmby_password(&paths.data_dir);
    }
}

/// The setup screen on an empty placeholder cache (a temporary dir), then the TUI on the
/// location it set up.
pub(super) fn first_run(paths: &Paths, settings: &Settings, rt: &Runtime) -> Result<i32> {
    let tmp = tempfile::tempdir()?;
    let store = Store::open(tmp.path(), "setup")?;
    let (_tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let exit = rt.block_on(tui::run(TuiContext {
        store,
        jobs: None,
        events: rx,
        location_label: "setup (first run)".into(),
        user_keymap: Some(paths.user_keymap()),
        log_path: paths.log_file(),
        locations: Vec::new(),
        current_location: String::new(),
        read_only: None,
        needs_sign_in: None,
        setup: Some((setup_env(paths, settings), true)),
        peers: None,
        notice: None,
    }))?;
    match exit {
        tui::TuiExit::Quit => Ok(0),
        tui::TuiExit::SwitchTo(loc) => {
            tracing::info!(location = %loc, "setup done: opening the location");
            let s = reload(paths, &loc)?;
            super::browse::run_tui(paths, &s, rt)
        }
    }
}
