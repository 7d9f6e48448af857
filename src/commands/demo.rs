//! `bmby-ghl demo`: the whole product against the embedded stand-ins.

use std::time::Duration;

use color_eyre::eyre::{Result, WrapErr};
use tokio::runtime::Runtime;

use super::{bmby_client, bmby_pull, client, open_store};
use crate::config::{Paths, Settings};
use crate::ghl::Secret;
use crate::sandbox::persist::WorldKeeper;
use crate::sandbox::{Sandbox, SandboxConfig, Seed, DEMO_LOCATION_ID, DEMO_TOKEN};
use crate::sync;

/// The demo's Bmby export, embedded (the same clients as the Bmby stand-in, minus three that
/// were deleted in Bmby since: they become delete changes).
const DEMO_EXPORT: &[u8] = include_bytes!("../../assets/demo/bmby_export.csv");

/// Linked contacts whose GHL tasks and notes the demo proposes as write-backs to Bmby.
const DEMO_WRITEBACK_CONTACTS: usize = 4;

/// How the demo is set up.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Keep the stand-ins' world in `DATA_DIR/demo-world/` and continue it when it is there
    /// (`demo --data-dir DIR`); false: both stand-ins start from their seeds.
    pub keep_world: bool,
    /// How often the GHL stand-in edits a random contact, as someone in GHL's UI would
    /// (`None`: never).
    pub churn: Option<Duration>,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            keep_world: false,
            churn: Some(Duration::from_secs(15)),
        }
    }
}

/// The demo, set up: both stand-ins listening, the cache pulled and changes pending.
pub struct Demo {
    /// The GHL stand-in.
    pub ghl: Sandbox,
    /// The Bmby stand-in.
    pub bmby: crate::sandbox::bmby::BmbySandbox,
    /// Settings pointing at both stand-ins.
    pub settings: Settings,
    /// The open cache of the demo location.
    pub store: crate::store::Store,
    /// Saves the stand-ins' world after each write (with [`DemoOptions::keep_world`]).
    pub world: Option<WorldKeeper>,
}

/// Store meta key set once the demo's pending changes were proposed in a data dir.
const SEEDED: &str = "demo_seeded";

/// `bmby-ghl demo`: [`demo_setup`], then the TUI with a background worker pulling from the GHL
/// stand-in and writing back to the Bmby stand-in. With `keep_world` (`--data-dir DIR`) the
/// stand-ins' data is kept in `DIR/demo-world/` and a second run continues it.
pub fn demo(paths: &Paths, rt: &Runtime, keep_world: bool) -> Result<i32> {
    // A demo already runs on this data dir: this one attaches to it as a second TUI. A plain
    // TUI (or `serve`) holding the demo's cache has no stand-ins: attaching to it would show
    // an offline TUI, not the demo (found by a newcomer), so that is refused.
    let owner = keep_world
        .then(|| crate::owner::who_owns(&paths.data_dir, DEMO_LOCATION_ID))
        .flatten();
    if let Some(h) = owner.as_ref().filter(|h| refuses_owner(&h.role)) {
        eprintln!("{}", not_a_demo(&paths.data_dir, h.pid, &h.role));
        return Ok(1);
    }
    // A TUI: without a terminal say so (the refusal above holds with or without one).
    if let Some(why) = super::demo_terminal::missing() {
        eprintln!("error: {}", super::demo_terminal::message(why));
        return Ok(1);
    }
    if owner.is_some() {
        match crate::owner::attach_demo(
            &paths.data_dir,
            DEMO_LOCATION_ID,
            Some(paths.user_keymap()),
        )? {
            crate::owner::DemoAttached::Quit => return Ok(0),
            crate::owner::DemoAttached::DemoEnded(t) => {
                // OUR CHOICE: the stand-ins lived in the demo that exited; this one ends too
                // (one message), rather than start them here from a world the other may still
                // be saving.
                eprintln!("{}", demo_ended(&paths.data_dir, t.pid));
                return Ok(1);
            }
            crate::owner::DemoAttached::NoDemo => {
                let dir = crate::sanitize::clean_line(&paths.data_dir.display().to_string());
                eprintln!(
                    "the demo's cache in {dir} was held by another bmby-ghl that has finished, \
                     and no demo runs there now: run `bmby-ghl demo --data-dir {dir}` again to \
                     start it"
                );
                return Ok(1);
            }
        }
    }
    let d = demo_setup(
        paths,
        rt,
        &DemoOptions {
            keep_world,
            ..Default::default()
        },
    )?;
    // GHL webhooks, as a Marketplace app would get them: the stand-in signs an event for each
    // change made in it (its own random edits included) and delivers it to a receiver on
    // loopback, which applies it to the cache and tells the TUI at once.
    let tap = std::sync::Arc::new(super::browse::EventTap::new(DEMO_LOCATION_ID));
    let receiver = match start_webhooks(rt, &d, tap.clone()) {
        Ok(r) => Some(r),
        Err(e) => {
            tracing::warn!(error = %e, "demo: webhooks off");
            None
        }
    };
    let code =
        super::browse::run_tui_with(paths, &d.settings, rt, Some(d.store.clone()), Some(&tap))?;
    if let Some(r) = receiver {
        rt.block_on(r.shutdown());
    }
    if let Some(w) = &d.world {
        w.save_now().wrap_err("demo: saving the stand-ins' world")?;
    }
    drop(d.ghl);
    drop(d.bmby);
    Ok(code)
}

/// What an attached demo says when the demo it was attached to ended: one message, the only one — the demo and its stand-ins are gone, this one ends too, and how to
/// continue.
fn demo_ended(data_dir: &std::path::Path, pid: u32) -> String {
    let dir = crate::sanitize::clean_line(&data_dir.display().to_string());
    format!(
        "the demo (pid {pid}) on {dir} exited, and its GHL and Bmby stand-ins with it, so this attached demo \
         ended too; to continue the demo, run `bmby-ghl demo --data-dir {dir}`"
    )
}

/// Whether `demo --data-dir DIR` refuses to attach to the owner of DIR's demo cache in
/// `role`: everything but a demo (whose TUI it joins) and a CLI command (waited for, as any
/// TUI waits for one).
fn refuses_owner(role: &str) -> bool {
    role != crate::owner::ROLE_DEMO && role != "cli"
}

/// Why `demo --data-dir DIR` does not attach to a plain TUI (or `serve`) holding DIR's demo
/// cache. OUR CHOICE: refuse rather than take the cache over (the other process holds it).
fn not_a_demo(data_dir: &std::path::Path, pid: u32, role: &str) -> String {
    let dir = crate::sanitize::clean_line(&data_dir.display().to_string());
    format!(
        "the demo's cache in {dir} is open in a bmby-ghl that is not a demo (pid {pid}, {}): \
         the demo's stand-ins are not running there, so this does not attach to it; quit that \
         bmby-ghl and run `bmby-ghl demo --data-dir {dir}` again",
        crate::sanitize::clean_line(role)
    )
}

/// The demo's webhook receiver on `127.0.0.1:0`, trusting the stand-in's TEST keys (never
/// GHL's), with the stand-in delivering to it; what it applies reaches the TUI through `tap`.
/// Errors: the receiver cannot listen, or the GHL client cannot be built.
fn start_webhooks(
    rt: &Runtime,
    d: &Demo,
    tap: std::sync::Arc<super::browse::EventTap>,
) -> Result<crate::webhooks::WebhookServer> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let loc = crate::webhooks::WebhookLocation {
        store: d.store.clone(),
        client: Some(client(&d.settings)?),
        events: Some(tx),
    };
    let cfg = crate::webhooks::ReceiverConfig {
        keys: crate::sandbox::webhooks::test_keys(),
        ..Default::default()
    };
    let addr: std::net::SocketAddr = ([127, 0, 0, 1], 0).into();
    let server = rt.block_on(crate::webhooks::serve(
        addr,
        [(DEMO_LOCATION_ID.to_owned(), loc)].into_iter().collect(),
        cfg,
    ))?;
    rt.spawn(async move {
        while let Some(ev) = rx.recv().await {
            tap.send(ev);
        }
    });
    let _enter = rt.enter();
    d.ghl
        .send_webhooks_to(crate::sandbox::webhooks::SandboxWebhooks::to(server.url()));
    tracing::info!(url = %server.url(), "demo: the GHL stand-in delivers webhooks");
    Ok(server)
}

/// Sets the demo up: both stand-ins seeded from `assets/demo/` (or, with
/// [`DemoOptions::keep_world`], continued from `DATA_DIR/demo-world/` when a world is there),
/// GHL pulled into the cache; on the first run in a data dir also Bmby read over SOAP and from
/// the demo export so changes of every kind are pending, and the linked contacts' tasks and
/// notes proposed as write-backs to Bmby. A continued world only pulls GHL again: its
/// changes were proposed by the first run, and what was applied there stays applied.
/// Errors: a stand-in that cannot start, a world file that cannot be read (named), the cache.
pub fn demo_setup(paths: &Paths, rt: &Runtime, opts: &DemoOptions) -> Result<Demo> {
    use crate::sandbox::bmby::{BmbySandbox, BmbySandboxConfig};
    let sandbox = rt
        .block_on(Sandbox::start(SandboxConfig {
            seed: Seed::Demo,
            churn: opts.churn,
            ..Default::default()
        }))
        .wrap_err("starting the embedded GHL stand-in")?;
    let bmby = rt
        .block_on(BmbySandbox::start(BmbySandboxConfig::default()))
        .wrap_err("starting the embedded Bmby stand-in")?;
    tracing::info!(ghl = %sandbox.base_url(), bmby = %bmby.base_url(), "demo stand-ins listening");
    let world = if opts.keep_world {
        let _rt = rt.enter();
        let dir = crate::sandbox::persist::world_dir(&paths.data_dir);
        Some(
            WorldKeeper::start(&dir, &sandbox, &bmby)
                .wrap_err_with(|| format!("demo: the stand-ins' world in {}", dir.display()))?,
        )
    } else {
        None
    };
    let continued = world.as_ref().is_some_and(|w| w.restored);
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
        let store = open_store(paths, DEMO_LOCATION_ID)
            .map_err(|e| crate::owner::explain_locked(e, &paths.data_dir, DEMO_LOCATION_ID))?;
        store.set_meta("location_name", "Demo Realty")?;
        let ghl = client(&settings)?;
        rt.block_on(async {
            sync::fetch_custom_fields(&ghl, &store).await?;
            sync::pull_contacts(&ghl, &store, true, |_| {}).await
        })
        .wrap_err("demo: pulling the GHL stand-in")?;
        if continued && store.meta(SEEDED).is_some() {
            store.flush()?;
            return Ok(Demo {
                ghl: sandbox,
                bmby,
                settings,
                store,
                world,
            });
        }
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
        store.set_meta(SEEDED, "1")?;
        store.flush()?;
        store
    };
    Ok(Demo {
        ghl: sandbox,
        bmby,
        settings,
        store,
        world,
    })
}
