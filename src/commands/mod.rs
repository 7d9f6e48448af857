//! Running the subcommands. Human output is plain text on stdout, `--json` output is one JSON
//! document on stdout, errors go to stderr with a non-zero exit code.
/// `println!` that returns the write error instead of panicking, so output cut short by a
/// closed pipe (`| head`) ends the command quietly (`main` treats a broken pipe as success).
macro_rules! outln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        writeln!($crate::commands::out::stdout(), $($t)*)?
    }};
}

/// `print!` counterpart of [`outln!`].
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        write!($crate::commands::out::stdout(), $($t)*)?
    }};
}

/// `errln!` to the command's stderr ([`out::stderr`]: the client's, for a command the
/// owner of the cache runs for another process); a failed write is ignored, as nobody would
/// read the complaint.
macro_rules! errln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!($crate::commands::out::stderr(), $($t)*);
    }};
}

mod apply;
mod apply_report;
mod auth;
mod bad_argument;
mod bmby;
mod browse;
mod config_cmd;
mod conflict_text;
mod contact_arg;
mod demo;
mod demo_terminal;
pub mod known_locations;
mod op;
pub mod out;
mod people;
mod recent;
mod revert;
mod review;
mod serve;
mod setup;
pub mod shell;

use std::sync::Arc;
use std::time::Duration;

use color_eyre::eyre::{eyre, Result, WrapErr};
use tokio::runtime::Runtime;

use crate::auth::TokenStore;
use crate::cli::{BmbyCommand, Command};
use crate::config::{Paths, Settings};
use crate::ghl::{ClientConfig, GhlClient, PrivateIntegrationToken};
use crate::sandbox::SandboxConfig;
use crate::store::Store;
use crate::tui;

pub use bad_argument::{check_data_dir, exit_code, BadArgument};
use bmby::*;
pub use bmby::{bmby_client, bmby_pull, bmby_writeback_client};
use browse::*;
pub use config_cmd::config_cmd;
pub use demo::{demo, demo_setup, Demo, DemoOptions};
pub use setup::fill_bmby_password;

/// Runs `command` (the TUI when `None`); returns the process exit code.
pub fn run(
    command: Option<Command>,
    paths: &Paths,
    settings: &Settings,
    rt: &Runtime,
) -> Result<i32> {
    // A named location nothing here knows is an error before its cache is opened (made), for
    // the commands that show the cache (a dry run of a write still shows its requests).
    if matches!(
        command,
        Some(
            Command::Contacts { .. }
                | Command::Contact { .. }
                | Command::Recent { .. }
                | Command::Changes { .. }
                | Command::Journal { .. }
        )
    ) {
        known_locations::require_known(settings)?;
    }
    // One owner per cache: run here (owning the cache meanwhile) or in the owner's process.
    let _owning = match crate::owner::route(&command, paths, settings, rt)? {
        crate::owner::Route::Forwarded(code) => return Ok(code),
        crate::owner::Route::Here(owning) => owning,
    };
    match command {
        None if setup::needed(settings) => setup::first_run(paths, settings, rt),
        None => run_tui(paths, settings, rt),
        Some(Command::Demo) => unreachable!("demo is started by main with its own data dir"),
        Some(Command::Config { .. }) => {
            unreachable!("config is run by main, which knows the flags")
        }
        Some(Command::Completions { shell }) => shell::completions_cmd(shell),
        Some(Command::Man) => shell::man_cmd(),
        Some(Command::Sandbox { port }) => {
            rt.block_on(crate::sandbox::run_standalone(SandboxConfig {
                port,
                churn: Some(Duration::from_secs(20)),
                ..Default::default()
            }))
            .wrap_err("running the GHL stand-in")?;
            Ok(0)
        }
        Some(Command::Auth { command }) => auth::auth_cmd(command, paths, settings, rt),
        Some(Command::Sync { full }) => sync_cmd(paths, settings, rt, full),
        Some(Command::Contacts {
            query,
            tag,
            owner,
            updated,
            source,
            business,
            has,
            dnd,
            sort,
            json,
        }) => {
            let filters = [
                ("tag", tag),
                ("owner", owner),
                ("updated", updated),
                ("source", source),
                ("business", business),
                ("has", has),
                ("dnd", dnd),
            ];
            contacts_cmd(
                paths,
                settings,
                &browse::full_query(query.as_deref(), &filters),
                &sort,
                json,
            )
        }
        Some(Command::Contact { id, json, offline }) => {
            contact_cmd(paths, settings, rt, &id, json, offline)
        }
        Some(Command::Import {
            file,
            full,
            dry_run,
            json,
            allow_mass_delete,
        }) => import_cmd(
            paths,
            settings,
            &file,
            crate::sync::import::ImportOptions {
                full,
                dry_run,
                allow_mass_delete,
                ..Default::default()
            },
            json,
        ),
        Some(Command::Bmby {
            command:
                BmbyCommand::Pull {
                    full,
                    dry_run,
                    json,
                    allow_mass_delete,
                },
        }) => {
            let opts = crate::sync::import::ImportOptions {
                full,
                dry_run,
                allow_mass_delete,
                ..Default::default()
            };
            bmby_pull_cmd(paths, settings, rt, opts, json)
        }
        Some(Command::Bmby {
            command:
                BmbyCommand::Push {
                    new_clients,
                    dry_run,
                    refresh,
                    json,
                },
        }) => {
            let opts = crate::sync::writeback::WritebackOptions {
                new_clients,
                dry_run,
                refresh,
                cached_only: false,
            };
            bmby_push_cmd(paths, settings, rt, opts, json)
        }
        Some(Command::Changes { json, state }) => {
            changes_cmd(paths, settings, json, state.as_deref())
        }
        Some(Command::Apply {
            all,
            ids,
            dry_run,
            json,
        }) => apply::apply_cmd(paths, settings, rt, all, &ids, dry_run, json),
        Some(Command::Approve { ids, contact, new }) => {
            let choice = match (contact, new) {
                (Some(c), _) => Some(Some(c)),
                (None, true) => Some(None),
                (None, false) => None,
            };
            review::review_cmd(paths, settings, &ids, review::Verb::Approve(choice))
        }
        Some(Command::Reject { ids }) => {
            review::review_cmd(paths, settings, &ids, review::Verb::Reject)
        }
        Some(Command::Reset { ids }) => {
            review::review_cmd(paths, settings, &ids, review::Verb::Reset)
        }
        Some(Command::Journal { json }) => revert::journal_cmd(paths, settings, json),
        Some(Command::Revert { journal_id, json }) => {
            revert::revert_cmd(paths, settings, journal_id, json)
        }
        Some(Command::Mapping { json }) => mapping_cmd(settings, json),
        Some(Command::Op { command }) => op::op_cmd(command, paths, settings, rt),
        Some(Command::Recent { since, json }) => {
            recent::recent_cmd(paths, settings, since.as_deref(), json)
        }
        Some(Command::Serve {
            apply,
            apply_interval,
            no_crawl,
            webhooks,
            log_format,
        }) => serve::serve_cmd(
            paths,
            settings,
            rt,
            serve::ServeOptions {
                apply: apply.then(|| Duration::from_secs(apply_interval.max(1))),
                crawl: !no_crawl,
                webhooks,
                json_stderr: log_format == crate::logging::LogFormat::Json,
            },
        ),
        Some(Command::Keymap { check }) => {
            if let Some(p) = check.as_ref().filter(|p| !p.exists()) {
                errln!("{}: no such file", p.display());
                return Ok(1);
            }
            let path = check.clone().unwrap_or_else(|| paths.user_keymap());
            if check.is_none() {
                // Every action is listed even when the user keymap has problems; its good
                // lines apply, the bad ones are named on stderr (exit code 1).
                let (text, problems) = tui::keymap_listing(Some(&path));
                out!("{text}");
                if problems.is_empty() {
                    return Ok(0);
                }
                eprintln!(
                    "{} (these lines are ignored; the rest of the file applies)",
                    tui::keymap::format_diagnostics(&problems)
                );
                return Ok(1);
            }
            match tui::keymap_dump(Some(&path)) {
                Ok(text) => {
                    if check.is_some() {
                        outln!("{}: ok", path.display());
                    } else {
                        out!("{text}");
                    }
                    Ok(0)
                }
                Err(problems) => {
                    errln!("{problems}");
                    Ok(1)
                }
            }
        }
    }
}

/// The token store of the data dir, or why there is none.
pub fn token_store(settings: &Settings) -> Result<TokenStore> {
    settings
        .data_dir
        .as_deref()
        .map(TokenStore::new)
        .ok_or_else(|| eyre!("no data dir for the token store"))
}

/// The location to work on: `--location` / `GHL_LOCATION_ID` / config; else (without a
/// configured token) the only or most recently signed-in location; else the only cached one.
pub(crate) fn location(settings: &Settings) -> Result<String> {
    if let Some(l) = &settings.location_id {
        return Ok(l.clone());
    }
    if settings.token.is_none() {
        if let Some(store) = settings.data_dir.as_deref().map(TokenStore::new) {
            if let Some(l) = store.default_location()? {
                return Ok(l);
            }
        }
    }
    settings
        .only_cached_location
        .clone()
        .ok_or_else(|| eyre!("{}", known_locations::no_location_message(settings)))
}

/// A client for the configured location, or why there is none. A token from `GHL_TOKEN` or
/// the config file wins (as before the token store existed); otherwise the location's entry
/// in the token store (OAuth with refresh, or a stored Private Integration Token).
pub fn client(settings: &Settings) -> Result<GhlClient> {
    let loc = location(settings)?;
    let auth: Arc<dyn crate::ghl::TokenProvider> = match settings.token.clone() {
        Some(token) => Arc::new(PrivateIntegrationToken(token)),
        None => {
            let store = token_store(settings)
                .map_err(|_| demo_hint(settings, &loc).unwrap_or_else(no_token))?;
            let entry = store.get(&loc)?.ok_or_else(|| {
                demo_hint(settings, &loc).unwrap_or_else(|| {
                    color_eyre::Report::new(crate::ghl::GhlError::Auth(format!(
                        "location {loc}: run `bmby-ghl auth login` (OAuth) or \
                         `bmby-ghl auth login --token --location {loc}`, or set GHL_TOKEN to a \
                         Private Integration Token of the sub-account"
                    )))
                })
            })?;
            crate::auth::provider_for(&store, entry, &settings.oauth)
        }
    };
    Ok(GhlClient::new(
        ClientConfig::new(&settings.base_url, &loc),
        auth,
    )?)
}

/// For the demo's location with no token of its own (a kept demo's cache, no demo running):
/// its GHL is the stand-in that lives inside `demo`, so say how to start it.
fn demo_hint(settings: &Settings, loc: &str) -> Option<color_eyre::Report> {
    if loc != crate::sandbox::DEMO_LOCATION_ID {
        return None;
    }
    let dir = settings
        .data_dir
        .as_ref()
        .map_or_else(|| "DIR".to_owned(), |d| d.display().to_string());
    Some(color_eyre::Report::new(crate::ghl::GhlError::Auth(
        format!(
            "location {loc} is the demo's, and its GHL stand-in runs only inside `bmby-ghl demo`: \
         start `bmby-ghl demo --data-dir {dir}` and run this command beside it (it then runs \
         in the demo, against its stand-in)"
        ),
    )))
}

fn no_token() -> color_eyre::Report {
    color_eyre::Report::new(crate::ghl::GhlError::Auth(
        "no GHL token: run `bmby-ghl auth login`, or set GHL_TOKEN to a Private Integration \
         Token of the sub-account (GHL: Settings → Private Integrations)"
            .into(),
    ))
}

pub(super) fn open_store(paths: &Paths, location_id: &str) -> Result<Store> {
    // This process owns the cache already (the TUI, or a command run for another process).
    if let Some(s) = crate::owner::held_store(&paths.data_dir, location_id) {
        return Ok(s);
    }
    Ok(Store::open(&paths.data_dir, location_id)?)
}
