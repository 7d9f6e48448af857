//! Running the subcommands. Human output is plain text on stdout, `--json` output is one JSON
//! document on stdout, errors go to stderr with a non-zero exit code.
mod apply;
mod bmby;
mod browse;
mod demo;

use std::sync::Arc;
use std::time::Duration;

use color_eyre::eyre::{eyre, Result, WrapErr};
use tokio::runtime::Runtime;

use crate::cli::{BmbyCommand, Command};
use crate::config::{Paths, Settings};
use crate::ghl::{ClientConfig, GhlClient, PrivateIntegrationToken};
use crate::sandbox::SandboxConfig;
use crate::store::Store;
use crate::tui;

use bmby::*;
pub use bmby::{bmby_client, bmby_pull, bmby_writeback_client};
use browse::*;
pub use demo::demo;

/// Runs `command` (the TUI when `None`); returns the process exit code.
pub fn run(
    command: Option<Command>,
    paths: &Paths,
    settings: &Settings,
    rt: &Runtime,
) -> Result<i32> {
    match command {
        None => run_tui(paths, settings, rt),
        Some(Command::Demo) => unreachable!("demo is started by main with its own data dir"),
        Some(Command::Sandbox { port }) => {
            rt.block_on(crate::sandbox::run_standalone(SandboxConfig {
                port,
                churn: Some(Duration::from_secs(20)),
                ..Default::default()
            }))
            .wrap_err("running the GHL stand-in")?;
            Ok(0)
        }
        Some(Command::Sync { full }) => sync_cmd(paths, settings, rt, full),
        Some(Command::Contacts { query, json }) => contacts_cmd(paths, settings, query, json),
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
        Some(Command::Mapping { json }) => mapping_cmd(settings, json),
        Some(Command::Keymap { check }) => {
            if let Some(p) = check.as_ref().filter(|p| !p.exists()) {
                eprintln!("{}: no such file", p.display());
                return Ok(1);
            }
            let path = check.clone().unwrap_or_else(|| paths.user_keymap());
            match tui::keymap_dump(Some(&path)) {
                Ok(text) => {
                    if check.is_some() {
                        println!("{}: ok", path.display());
                    } else {
                        print!("{text}");
                    }
                    Ok(0)
                }
                Err(problems) => {
                    eprintln!("{problems}");
                    Ok(1)
                }
            }
        }
    }
}

pub(super) fn location(settings: &Settings) -> Result<String> {
    settings
        .location_id
        .clone()
        .or_else(|| settings.only_cached_location.clone())
        .ok_or_else(|| {
            eyre!(
            "no GHL location configured: set GHL_LOCATION_ID (or location_id under [ghl] in the \
             config file). To try the product without an account: bmby-ghl demo"
        )
        })
}

/// A client for the configured location, or why there is none.
pub fn client(settings: &Settings) -> Result<GhlClient> {
    let loc = location(settings)?;
    let token = settings.token.clone().ok_or_else(|| {
        eyre!(
            "no GHL token: set GHL_TOKEN to a Private Integration Token of the sub-account \
             (GHL: Settings → Private Integrations)"
        )
    })?;
    Ok(GhlClient::new(
        ClientConfig::new(&settings.base_url, &loc),
        Arc::new(PrivateIntegrationToken(token)),
    )?)
}

pub(super) fn open_store(paths: &Paths, location_id: &str) -> Result<Store> {
    Ok(Store::open(&paths.data_dir, location_id)?)
}
