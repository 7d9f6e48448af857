//! `bmby-ghl demo`: the whole product against the embedded stand-ins.

use std::time::Duration;

use color_eyre::eyre::{Result, WrapErr};
use tokio::runtime::Runtime;

use super::{bmby_client, bmby_pull, client, open_store};
use crate::config::{Paths, Settings};
use crate::ghl::Secret;
use crate::sandbox::{Sandbox, SandboxConfig, Seed, DEMO_LOCATION_ID, DEMO_TOKEN};
use crate::sync;

/// The demo's Bmby export, embedded (the same clients as the Bmby stand-in, minus three that
/// were deleted in Bmby since: they become delete changes).
const DEMO_EXPORT: &[u8] = include_bytes!("../../assets/demo/bmby_export.csv");

/// Linked contacts whose GHL tasks and notes the demo proposes as write-backs to Bmby.
const DEMO_WRITEBACK_CONTACTS: usize = 4;

/// `bmby-ghl demo`: both stand-ins seeded from `assets/demo/`, GHL pulled into the cache, Bmby
/// read over SOAP and from the demo export so changes of every kind are pending, the linked
/// contacts' tasks and notes proposed as write-backs to Bmby, then the TUI with a background
/// worker pulling from the GHL stand-in and writing back to the Bmby stand-in.
pub fn demo(paths: &Paths, rt: &Runtime) -> Result<i32> {
    use crate::sandbox::bmby::{BmbySandbox, BmbySandboxConfig};
    let sandbox = rt
        .block_on(Sandbox::start(SandboxConfig {
            seed: Seed::Demo,
            churn: Some(Duration::from_secs(15)),
            ..Default::default()
        }))
        .wrap_err("starting the embedded GHL stand-in")?;
    let bmby = rt
        .block_on(BmbySandbox::start(BmbySandboxConfig::default()))
        .wrap_err("starting the embedded Bmby stand-in")?;
    tracing::info!(ghl = %sandbox.base_url(), bmby = %bmby.base_url(), "demo stand-ins listening");
    let settings = Settings {
        base_url: sandbox.base_url(),
        location_id: Some(DEMO_LOCATION_ID.to_owned()),
        token: Some(Secret::new(DEMO_TOKEN)),
        pull_interval_secs: 10,
        bmby: crate::config::BmbySettings {
            soap_url: bmby.soap_url(),
            login: Some(crate::sandbox::bmby::DEMO_LOGIN.to_owned()),
            password: Some(Secret::new(crate::sandbox::bmby::DEMO_PASSWORD)),
            project_id: Some(crate::sandbox::bmby::DEMO_PROJECT_ID.to_owned()),
            lead_password: Some(Secret::new(crate::sandbox::bmby::DEMO_LEAD_PASSWORD)),
            ..Default::default()
        },
        ..Default::default()
    };
    let store = {
        let store = open_store(paths, DEMO_LOCATION_ID)?;
        store.set_meta("location_name", "Demo Realty")?;
        let ghl = client(&settings)?;
        rt.block_on(async {
            sync::fetch_custom_fields(&ghl, &store).await?;
            sync::pull_contacts(&ghl, &store, true, |_| {}).await
        })
        .wrap_err("demo: pulling the GHL stand-in")?;
        let mapping = crate::sync::mapping::Mapping::default();
        let opts = crate::sync::import::ImportOptions {
            full: true,
            ..Default::default()
        };
        bmby_pull(&store, &bmby_client(&settings)?, &mapping, rt, &opts)
            .wrap_err("demo: reading the Bmby stand-in")?;
        let export = paths.data_dir.join("bmby_export.csv");
        std::fs::write(&export, DEMO_EXPORT)?;
        crate::sync::import::import_export_file(
            &store,
            &export,
            &crate::bmby::export::ExportOptions {
                full: true,
                ..Default::default()
            },
            &mapping,
            &opts,
        )?;
        // Write-back: the GHL tasks and notes of a few linked contacts become pending Bmby
        // changes (the TUI's worker sends them to the Bmby stand-in once approved). A few only:
        // every linked contact would cost two paced requests each before the TUI opens.
        rt.block_on(async {
            for (_, contact) in store.links()?.iter().take(DEMO_WRITEBACK_CONTACTS) {
                if let Err(e) = sync::fetch_details(&ghl, &store, contact).await {
                    tracing::warn!(contact = %contact, error = %e, "demo: no tasks and notes");
                }
            }
            Ok::<_, color_eyre::Report>(())
        })
        .wrap_err("demo: reading tasks and notes of linked contacts")?;
        rt.block_on(sync::writeback::propose_writeback(
            &ghl,
            &store,
            sync::writeback::WritebackOptions {
                cached_only: true,
                ..Default::default()
            },
        ))
        .wrap_err("demo: proposing write-backs to Bmby")?;
        store.flush()?;
        store
    };
    let code = super::browse::run_tui_with(paths, &settings, rt, Some(store))?;
    drop(sandbox);
    drop(bmby);
    Ok(code)
}
