//! Running the subcommands. Human output is plain text on stdout, `--json` output is one JSON
//! document on stdout, errors go to stderr with a non-zero exit code.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use color_eyre::eyre::{eyre, Result, WrapErr};
use fuzzy_matcher::skim::SkimMatcherV2;
use fuzzy_matcher::FuzzyMatcher;
use serde_json::{json, Value};
use tokio::runtime::Runtime;

use crate::cli::{BmbyCommand, Command};
use crate::config::{Paths, Settings};
use crate::domain::Contact;
use crate::ghl::{ClientConfig, GhlClient, PrivateIntegrationToken, Secret};
use crate::sandbox::{Sandbox, SandboxConfig, Seed, DEMO_LOCATION_ID, DEMO_TOKEN};
use crate::store::Store;
use crate::sync::{self, SyncEvent, WorkerConfig};
use crate::tui::{self, TuiContext};

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
        }) => import_cmd(paths, settings, &file, full, dry_run, json),
        Some(Command::Bmby {
            command:
                BmbyCommand::Pull {
                    full,
                    dry_run,
                    json,
                },
        }) => bmby_pull_cmd(paths, settings, rt, full, dry_run, json),
        Some(Command::Changes { json, state }) => {
            changes_cmd(paths, settings, json, state.as_deref())
        }
        Some(Command::Mapping { json }) => mapping_cmd(settings, json),
        Some(Command::Keymap { check }) => {
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

fn location(settings: &Settings) -> Result<String> {
    settings.location_id.clone().ok_or_else(|| {
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

fn open_store(paths: &Paths, location_id: &str) -> Result<Store> {
    Ok(Store::open(&paths.data_dir, location_id)?)
}

fn sync_cmd(paths: &Paths, settings: &Settings, rt: &Runtime, full: bool) -> Result<i32> {
    let client = client(settings)?;
    let store = open_store(paths, client.location_id())?;
    let summary = rt.block_on(async {
        if let Err(e) = sync::fetch_custom_fields(&client, &store).await {
            eprintln!("warning: custom field definitions not loaded: {e}");
        }
        let mut stderr = std::io::stderr();
        sync::pull_contacts(&client, &store, full, |p| {
            let total = p.total.map(|t| format!("/{t}")).unwrap_or_default();
            let _ = write!(stderr, "\rpulled {}{total} contacts", p.fetched);
            let _ = stderr.flush();
        })
        .await
    });
    eprintln!();
    let summary = summary?;
    println!(
        "{} pull{}: {} contact{} in {} page{}; the cache holds {} contacts ({})",
        if summary.full { "full" } else { "incremental" },
        if summary.resumed { " (resumed)" } else { "" },
        summary.fetched,
        if summary.fetched == 1 { "" } else { "s" },
        summary.pages,
        if summary.pages == 1 { "" } else { "s" },
        store.contact_count(),
        store.path().display(),
    );
    Ok(0)
}

fn contact_summary_json(c: &Contact) -> Value {
    json!({
        "id": c.id,
        "name": c.display_name(),
        "email": c.email,
        "phone": c.phone,
        "tags": c.tags,
        "dnd": c.dnd,
        "dateUpdated": c.date_updated,
    })
}

fn contacts_cmd(
    paths: &Paths,
    settings: &Settings,
    query: Option<String>,
    as_json: bool,
) -> Result<i32> {
    let loc = location(settings)?;
    let store = open_store(paths, &loc)?;
    let mut contacts = store.contacts()?;
    if let Some(q) = query.as_deref().filter(|q| !q.trim().is_empty()) {
        let m = SkimMatcherV2::default();
        let mut scored: Vec<(i64, Contact)> = contacts
            .into_iter()
            .filter_map(|c| m.fuzzy_match(&c.row().haystack(), q).map(|s| (s, c)))
            .collect();
        scored.sort_by(|a, b| {
            b.0.cmp(&a.0)
                .then_with(|| a.1.display_name().cmp(&b.1.display_name()))
        });
        contacts = scored.into_iter().map(|(_, c)| c).collect();
    } else {
        contacts.sort_by_cached_key(|c| c.display_name().to_lowercase());
    }
    let mut out = std::io::stdout().lock();
    if as_json {
        let doc = json!({
            "locationId": loc,
            "count": contacts.len(),
            "contacts": contacts.iter().map(contact_summary_json).collect::<Vec<_>>(),
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        for c in &contacts {
            writeln!(
                out,
                "{}  {}  {}  {}  {}",
                c.id,
                c.display_name(),
                c.email.as_deref().unwrap_or("-"),
                c.phone.as_deref().unwrap_or("-"),
                c.tags.join(",")
            )?;
        }
        if contacts.is_empty() {
            eprintln!("no cached contacts match (run `bmby-ghl sync` first?)");
        }
    }
    Ok(0)
}

fn contact_cmd(
    paths: &Paths,
    settings: &Settings,
    rt: &Runtime,
    id: &str,
    as_json: bool,
    offline: bool,
) -> Result<i32> {
    let loc = location(settings)?;
    let store = open_store(paths, &loc)?;
    let mut fresh = false;
    if !offline && settings.token.is_some() {
        let client = client(settings)?;
        match rt.block_on(sync::fetch_details(&client, &store, id)) {
            Ok(()) => fresh = true,
            Err(sync::PullError::Ghl(e)) if e.is_not_found() => {
                return Err(eyre!("contact {id}: GHL says it does not exist ({e})"));
            }
            Err(e) => eprintln!("warning: showing the cached copy; GHL could not be read: {e}"),
        }
    }
    let Some(c) = store.contact(id)? else {
        return Err(eyre!("contact {id} is not in the cache of location {loc} (run `bmby-ghl sync`, or check the id)"));
    };
    let defs = store.custom_fields()?;
    let tasks = store.tasks(id)?.unwrap_or_default();
    let notes = store.notes(id)?.unwrap_or_default();
    let appts = store.appointments(id)?.unwrap_or_default();
    let custom: Vec<Value> = c
        .custom_fields
        .iter()
        .map(|f| {
            let def = defs.get(&f.id);
            json!({
                "id": f.id,
                "name": def.map(|d| d.name.clone()),
                "fieldKey": def.map(|d| d.field_key.clone()),
                "value": serde_json::from_str::<Value>(&f.value_json).unwrap_or(Value::Null),
            })
        })
        .collect();
    let mut out = std::io::stdout().lock();
    if as_json {
        let mut contact = serde_json::to_value(&c)?;
        if let Some(o) = contact.as_object_mut() {
            o.remove("raw_json");
            o.remove("custom_fields");
            o.insert("custom_fields".into(), Value::Array(custom));
            o.insert(
                "raw".into(),
                serde_json::from_str(&c.raw_json).unwrap_or(Value::Null),
            );
        }
        let doc = json!({
            "fresh": fresh,
            "contact": contact,
            "tasks": tasks,
            "notes": notes,
            "appointments": appts,
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
        return Ok(0);
    }
    let line = |out: &mut std::io::StdoutLock, k: &str, v: Option<&str>| -> std::io::Result<()> {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            writeln!(out, "{k:<14} {v}")?;
        }
        Ok(())
    };
    line(&mut out, "Name", Some(&c.display_name()))?;
    line(&mut out, "Id", Some(&c.id))?;
    line(&mut out, "Email", c.email.as_deref())?;
    line(&mut out, "Phone", c.phone.as_deref())?;
    line(&mut out, "Company", c.company_name.as_deref())?;
    line(&mut out, "Address", c.address1.as_deref())?;
    line(&mut out, "City", c.city.as_deref())?;
    line(&mut out, "Country", c.country.as_deref())?;
    line(&mut out, "Tags", Some(&c.tags.join(", ")))?;
    line(
        &mut out,
        "DND",
        Some(if c.dnd { "yes (all channels)" } else { "no" }),
    )?;
    line(&mut out, "Updated", c.date_updated.as_deref())?;
    for f in &c.custom_fields {
        let name = defs
            .get(&f.id)
            .map(|d| d.name.clone())
            .unwrap_or_else(|| f.id.clone());
        line(&mut out, &name, Some(&f.display()))?;
    }
    writeln!(out, "\nTasks ({})", tasks.len())?;
    for t in &tasks {
        writeln!(
            out,
            "  [{}] {}  due {}",
            if t.completed { "x" } else { " " },
            t.title,
            t.due_date.as_deref().unwrap_or("-")
        )?;
    }
    writeln!(out, "\nNotes ({})", notes.len())?;
    for n in &notes {
        writeln!(
            out,
            "  {}  {}",
            n.date_added.as_deref().unwrap_or("-"),
            n.body.replace('\n', "\n  ")
        )?;
    }
    writeln!(out, "\nAppointments ({})", appts.len())?;
    for a in &appts {
        writeln!(
            out,
            "  {}  {}  {}",
            a.start_time.as_deref().unwrap_or("-"),
            a.title,
            a.appointment_status.as_deref().unwrap_or("")
        )?;
    }
    if !fresh {
        eprintln!("(from the cache)");
    }
    Ok(0)
}

fn run_tui(paths: &Paths, settings: &Settings, rt: &Runtime) -> Result<i32> {
    let loc = location(settings)?;
    let store = open_store(paths, &loc)?;
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let jobs = match client(settings) {
        Ok(client) => {
            let _enter = rt.enter();
            Some(sync::spawn_worker(
                client,
                store.clone(),
                tx,
                WorkerConfig {
                    pull_interval: (settings.pull_interval_secs > 0)
                        .then(|| Duration::from_secs(settings.pull_interval_secs)),
                    pull_on_start: true,
                },
            ))
        }
        Err(e) => {
            let _ = tx.send(SyncEvent::Error {
                context: "offline: showing the cache only".into(),
                message: e.to_string(),
            });
            None
        }
    };
    let label = store
        .meta("location_name")
        .map(|n| format!("{n} ({loc})"))
        .unwrap_or(loc);
    rt.block_on(tui::run(TuiContext {
        store,
        jobs,
        events: rx,
        location_label: label,
        user_keymap: Some(paths.user_keymap()),
        log_path: paths.log_file(),
    }))?;
    Ok(0)
}

/// The demo's Bmby export, embedded (the same clients as the Bmby stand-in, minus three that
/// were deleted in Bmby since: they become delete changes).
const DEMO_EXPORT: &[u8] = include_bytes!("../assets/demo/bmby_export.csv");

/// `bmby-ghl demo`: both stand-ins seeded from `assets/demo/`, GHL pulled into the cache, Bmby
/// read over SOAP and from the demo export so changes of every kind are pending, then the TUI
/// with a background worker pulling from the GHL stand-in.
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
            ..Default::default()
        },
        ..Default::default()
    };
    {
        let store = open_store(paths, DEMO_LOCATION_ID)?;
        store.set_meta("location_name", "Demo Realty")?;
        let ghl = client(&settings)?;
        rt.block_on(async {
            sync::fetch_custom_fields(&ghl, &store).await?;
            sync::pull_contacts(&ghl, &store, true, |_| {}).await
        })
        .wrap_err("demo: pulling the GHL stand-in")?;
        let mapping = crate::sync::mapping::Mapping::default();
        bmby_pull(&store, &bmby_client(&settings)?, &mapping, rt, true, false)
            .wrap_err("demo: reading the Bmby stand-in")?;
        let export = paths.data_dir.join("bmby_export.csv");
        std::fs::write(&export, DEMO_EXPORT)?;
        let read = crate::bmby::export::read_export(
            &export,
            &crate::bmby::export::ExportOptions {
                full: true,
                ..Default::default()
            },
        )?;
        let views: Vec<crate::sync::diff::ClientView> = read
            .clients
            .iter()
            .map(|c| crate::sync::diff::ClientView::from(&crate::bmby::normalize::normalize(c)))
            .collect();
        crate::sync::import::import_clients(
            &store,
            views,
            &mapping,
            &crate::sync::import::ImportOptions {
                full: true,
                dry_run: false,
            },
        )?;
        store.flush()?;
    }
    let code = run_tui(paths, &settings, rt)?;
    drop(sandbox);
    drop(bmby);
    Ok(code)
}

fn mapping(settings: &Settings) -> Result<crate::sync::mapping::Mapping> {
    crate::sync::mapping::Mapping::with_overrides(&settings.mapping)
        .map_err(|e| eyre!("the [mapping] table of the config file is not valid:\n{e}"))
}

fn mapping_cmd(settings: &Settings, as_json: bool) -> Result<i32> {
    let m = mapping(settings)?;
    if as_json {
        println!("{}", serde_json::to_string_pretty(&m)?);
        return Ok(0);
    }
    println!("{:<16} GHL target", "Bmby field");
    for (k, t) in &m.fields {
        println!("{k:<16} {}", t.to_config());
    }
    println!(
        "\nNever written (GHL rejects or ignores them): {}",
        crate::sync::mapping::REJECTED_FIELDS
            .iter()
            .map(|(f, _)| *f)
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(0)
}

fn changes_cmd(
    paths: &Paths,
    settings: &Settings,
    as_json: bool,
    state: Option<&str>,
) -> Result<i32> {
    let loc = location(settings)?;
    let store = open_store(paths, &loc)?;
    let mut changes = store.changes()?;
    if let Some(st) = state {
        let st = st.to_lowercase();
        if !["pending", "approved", "rejected"].contains(&st.as_str()) {
            return Err(eyre!("--state {st}: use pending, approved or rejected"));
        }
        changes.retain(|c| c.state.label() == st);
    }
    let mut out = std::io::stdout().lock();
    if as_json {
        let mut counts = std::collections::BTreeMap::<&str, usize>::new();
        for c in &changes {
            *counts.entry(c.state.label()).or_default() += 1;
        }
        let doc = json!({ "locationId": loc, "counts": counts, "changes": changes });
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
        return Ok(0);
    }
    if changes.is_empty() {
        eprintln!("no changes (import a Bmby export with `bmby-ghl import FILE`, or `bmby-ghl bmby pull`)");
    }
    for c in &changes {
        writeln!(
            out,
            "#{} {} {} {}{} — {} field{}, from {}",
            c.id,
            c.kind.label(),
            c.state.label(),
            c.display_name,
            c.contact_id
                .as_ref()
                .map(|i| format!(" ({i})"))
                .unwrap_or_default(),
            c.field_count(),
            if c.field_count() == 1 { "" } else { "s" },
            c.origin
        )?;
        for f in &c.fields {
            writeln!(
                out,
                "    {}: {} → {}{}",
                f.label,
                f.ghl_now.as_deref().unwrap_or("(empty)"),
                f.proposed.as_deref().unwrap_or("(empty)"),
                if f.edited { " (edited)" } else { "" }
            )?;
        }
        for w in &c.warnings {
            writeln!(out, "    ! {w}")?;
        }
    }
    Ok(0)
}

fn import_cmd(
    paths: &Paths,
    settings: &Settings,
    file: &std::path::Path,
    full: bool,
    dry_run: bool,
    as_json: bool,
) -> Result<i32> {
    use crate::bmby::export::{read_export, ColumnAliases, ExportOptions};
    let loc = location(settings)?;
    let mapping = mapping(settings)?;
    let aliases = ColumnAliases::defaults().merged(&settings.bmby.columns);
    let read = read_export(
        file,
        &ExportOptions {
            full,
            aliases: Some(aliases),
            ..Default::default()
        },
    )?;
    for p in &read.problems {
        eprintln!("{}: {p}", read.source);
    }
    let views: Vec<crate::sync::diff::ClientView> = read
        .clients
        .iter()
        .map(|c| crate::sync::diff::ClientView::from(&crate::bmby::normalize::normalize(c)))
        .collect();
    let store = open_store(paths, &loc)?;
    if store.contact_count() == 0 {
        eprintln!("warning: the GHL cache of {loc} is empty, so every client looks new; run `bmby-ghl sync` first");
    }
    let summary = crate::sync::import::import_clients(
        &store,
        views,
        &mapping,
        &crate::sync::import::ImportOptions { full, dry_run },
    )?;
    report_import(
        &summary,
        &read.source,
        read.problems.len(),
        dry_run,
        as_json,
    )
}

fn report_import(
    s: &crate::sync::import::ImportSummary,
    source: &str,
    problems: usize,
    dry_run: bool,
    as_json: bool,
) -> Result<i32> {
    if as_json {
        let doc =
            json!({ "source": source, "dryRun": dry_run, "rowProblems": problems, "summary": s });
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(0);
    }
    let new: Vec<String> = s
        .new_changes
        .iter()
        .map(|(k, n)| format!("{n} {k}"))
        .collect();
    println!(
        "{}{}: {} clients read; new changes: {}; {} replaced pending; {} already stored; {} already equal in GHL; {} links learnt; {} row problems",
        if dry_run { "dry run, nothing stored — " } else { "" },
        source,
        s.read,
        if new.is_empty() { "none".to_owned() } else { new.join(", ") },
        s.replaced,
        s.unchanged,
        s.in_sync,
        s.links_added,
        problems + s.problems.len(),
    );
    for p in &s.problems {
        eprintln!("{p}");
    }
    if dry_run {
        for c in &s.changes {
            println!(
                "  {} {} — {} field(s)",
                c.kind.label(),
                c.display_name,
                c.field_count()
            );
            for f in &c.fields {
                println!(
                    "      {}: {} → {}",
                    f.label,
                    f.ghl_now.as_deref().unwrap_or("(empty)"),
                    f.proposed.as_deref().unwrap_or("(empty)")
                );
            }
        }
    }
    Ok(0)
}

/// A Bmby SOAP client from the settings, or what is missing.
pub fn bmby_client(settings: &Settings) -> Result<crate::bmby::soap::BmbySoapClient> {
    let b = &settings.bmby;
    let missing: Vec<&str> = [
        ("BMBY_LOGIN", b.login.is_none()),
        ("BMBY_PASSWORD", b.password.is_none()),
        ("BMBY_PROJECT_ID", b.project_id.is_none()),
    ]
    .into_iter()
    .filter(|(_, m)| *m)
    .map(|(k, _)| k)
    .collect();
    if !missing.is_empty() {
        return Err(eyre!(
            "Bmby SOAP is not configured: set {} (or login/password/project_id under [bmby] in the config file; Bmby support issues the API login)",
            missing.join(", ")
        ));
    }
    let cfg = crate::bmby::soap::BmbySoapConfig::new(
        b.soap_url.clone(),
        b.login.clone().unwrap_or_default(),
        b.password.clone().expect("checked"),
        b.project_id.clone().unwrap_or_default(),
    );
    Ok(crate::bmby::soap::BmbySoapClient::new(cfg)?)
}

/// Reads Bmby over SOAP into changes; `full` reads everything (deletes possible).
pub fn bmby_pull(
    store: &Store,
    client: &crate::bmby::soap::BmbySoapClient,
    mapping: &crate::sync::mapping::Mapping,
    rt: &Runtime,
    full: bool,
    dry_run: bool,
) -> Result<(crate::sync::import::ImportSummary, bool)> {
    let last = store.meta("bmby_last_pull");
    let from = if full {
        None
    } else {
        // FromDate is a date on last-modified time; one day of overlap covers time zones and
        // clock differences (re-reading is harmless: unchanged changes are recognized).
        last.as_deref()
            .and_then(|d| d.parse::<jiff::civil::Date>().ok())
            .map(|d| d.checked_sub(jiff::Span::new().days(1)).unwrap_or(d))
    };
    let is_full = from.is_none();
    let started = jiff::Timestamp::now()
        .to_zoned(crate::bmby::normalize::time::jerusalem().clone())
        .date();
    let read = rt.block_on(client.get_all_clients(from))?;
    let views: Vec<crate::sync::diff::ClientView> = read
        .clients
        .iter()
        .map(|c| crate::sync::diff::ClientView::from(&crate::bmby::normalize::normalize(c)))
        .collect();
    let summary = crate::sync::import::import_clients(
        store,
        views,
        mapping,
        &crate::sync::import::ImportOptions {
            full: is_full,
            dry_run,
        },
    )?;
    if !dry_run {
        store.set_meta("bmby_last_pull", &started.to_string())?;
        store.flush()?;
    }
    Ok((summary, is_full))
}

fn bmby_pull_cmd(
    paths: &Paths,
    settings: &Settings,
    rt: &Runtime,
    full: bool,
    dry_run: bool,
    as_json: bool,
) -> Result<i32> {
    let loc = location(settings)?;
    let mapping = mapping(settings)?;
    let client = bmby_client(settings)?;
    let store = open_store(paths, &loc)?;
    if store.contact_count() == 0 {
        eprintln!("warning: the GHL cache of {loc} is empty, so every client looks new; run `bmby-ghl sync` first");
    }
    let (summary, is_full) = bmby_pull(&store, &client, &mapping, rt, full, dry_run)?;
    let source = if is_full {
        "Bmby SOAP GetAll (full)"
    } else {
        "Bmby SOAP GetAll (since last pull)"
    };
    report_import(&summary, source, 0, dry_run, as_json)
}
