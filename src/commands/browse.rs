//! Browsing GHL: `sync`, `contacts`, `contact`, and the TUI on the configured location.

use std::io::Write;
use std::time::Duration;

use color_eyre::eyre::{eyre, Result};
use serde_json::{json, Value};
use tokio::runtime::Runtime;

use super::{client, location, open_store};
use crate::config::{Paths, Settings};
use crate::domain::ContactRow;
use crate::sync::{self, SyncEvent, WorkerConfig};
use crate::tui::{self, TuiContext};

pub(super) fn sync_cmd(
    paths: &Paths,
    settings: &Settings,
    rt: &Runtime,
    full: bool,
) -> Result<i32> {
    let client = client(settings)?;
    let store = open_store(paths, client.location_id())?;
    let summary = rt.block_on(async {
        if let Err(e) = sync::fetch_custom_fields(&client, &store).await {
            errln!("warning: custom field definitions not loaded: {e}");
        }
        if let Err(e) = sync::location_zone::refresh(&client, &store).await {
            errln!("warning: the location's time zone not loaded (appointment times are shown as location time): {e}");
        }
        // Progress only for a person watching a terminal; scripts get the summary alone.
        let show = super::out::stderr_is_terminal();
        sync::pull::pull_contacts_with(&client, &store, full, settings.pull_overlap(), |p| {
            if show {
                let total = p.total.map(|t| format!("/{t}")).unwrap_or_default();
                let mut stderr = super::out::stderr();
                let _ = write!(stderr, "\rpulled {}{total} contacts", p.fetched);
                let _ = stderr.flush();
            }
        })
        .await
    });
    if super::out::stderr_is_terminal() {
        errln!();
    }
    let summary = summary?;
    // The users come with the contacts (owners' and assignees' names); never fails the sync.
    if let Err(e) = rt.block_on(sync::users::refresh_users(&client, &store)) {
        errln!(
            "warning: the location's users not loaded (owners and assignees are shown as ids): {e}"
        );
    }
    outln!(
        "{}; the cache holds {} contacts ({})",
        summary.describe(),
        store.contact_count(),
        store.path().display(),
    );
    Ok(0)
}

/// One row of `contacts --json`.
fn row_summary_json(r: &ContactRow) -> Value {
    json!({
        "id": r.id,
        "name": r.name,
        "email": Some(&r.email).filter(|e| !e.is_empty()),
        "phone": Some(&r.phone).filter(|p| !p.is_empty()),
        "tags": r.tags,
        "dnd": r.dnd,
        "dateUpdated": Some(&r.date_updated).filter(|d| !d.is_empty()),
    })
}

/// The `--query` text with the filter flags appended as `key:value` (quoted when the value
/// has spaces; quotes inside a value are dropped).
pub(super) fn full_query(query: Option<&str>, filters: &[(&str, Vec<String>)]) -> String {
    let mut q = query.unwrap_or_default().trim().to_owned();
    for (key, values) in filters {
        for v in values {
            let v = v.replace('"', "");
            if !q.is_empty() {
                q.push(' ');
            }
            if v.chars().any(char::is_whitespace) {
                q.push_str(&format!("{key}:\"{v}\""));
            } else {
                q.push_str(&format!("{key}:{v}"));
            }
        }
    }
    q
}

/// The sort key of `--sort`.
fn sort_key(s: &str) -> crate::tui::SortKey {
    match s {
        "updated" => crate::tui::SortKey::Updated,
        "email" => crate::tui::SortKey::Email,
        _ => crate::tui::SortKey::Name,
    }
}

/// `contacts`: the cached list in `sort` order, or the matches of `query` (the TUI's search:
/// [`crate::search`], same ids in the same order). A query that cannot be parsed exits 2.
pub(super) fn contacts_cmd(
    paths: &Paths,
    settings: &Settings,
    query: &str,
    sort: &str,
    as_json: bool,
) -> Result<i32> {
    let loc = location(settings)?;
    let store = open_store(paths, &loc)?;
    let rows = std::sync::Arc::new(store.contact_list()?);
    let order = crate::tui::app::sort_order(&*rows, sort_key(sort));
    let index = crate::search::Index::new(rows.clone(), order);
    let ctx = crate::search::SearchContext::from_store(&store);
    let found = match index.search(query, &ctx) {
        Ok(f) => f,
        Err(e) => {
            errln!("error: the query cannot be used: {e}");
            return Ok(2);
        }
    };
    let found: Vec<ContactRow> = found
        .iter()
        .filter_map(|&i| rows.get(i as usize).map(|r| r.to_row()))
        .collect();
    let mut out = super::out::stdout();
    if as_json {
        let users = sync::ops::cached_users(&store);
        let doc = json!({
            "locationId": loc,
            "count": found.len(),
            "contacts": found
                .iter()
                .map(|r| {
                    let mut v = row_summary_json(r);
                    super::people::add_owner_id(&mut v, &r.owner, &users);
                    v
                })
                .collect::<Vec<_>>(),
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        let dash = |s: &str| {
            if s.is_empty() {
                "-".to_owned()
            } else {
                s.to_owned()
            }
        };
        for r in &found {
            writeln!(
                out,
                "{}  {}  {}  {}  {}",
                r.id,
                r.name,
                dash(&r.email),
                dash(&r.phone),
                r.tags.join(",")
            )?;
        }
        if found.is_empty() {
            if store.contact_count() == 0 {
                errln!("the cache is empty: run `bmby-ghl sync` first");
            } else {
                errln!("no cached contact matches");
            }
        }
    }
    Ok(0)
}

pub(super) fn contact_cmd(
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
    let online = (!offline).then(|| client(settings).ok()).flatten();
    let id = match super::contact_arg::resolve(&store, online.as_ref(), rt, id)? {
        super::contact_arg::Resolved::One(id) => id,
        super::contact_arg::Resolved::Several(list) => {
            errln!(
                "{} contacts match {}; give one of these ids:",
                list.len(),
                crate::sanitize::clean_line(id)
            );
            let mut out = super::out::stdout();
            for [id, name, email, phone] in list {
                writeln!(out, "{id}  {name}  {email}  {phone}")?;
            }
            return Ok(2);
        }
    };
    let id = id.as_str();
    if let Some(client) = online {
        if sync::location_zone::cached(&store).is_none() {
            // Appointment times are in the location's zone; ask once if never asked.
            if let Err(e) = rt.block_on(sync::location_zone::refresh(&client, &store)) {
                errln!("warning: the location's time zone not loaded (appointment times are shown as location time): {e}");
            }
        }
        match rt.block_on(sync::fetch_details(&client, &store, id)) {
            Ok(()) => fresh = true,
            Err(sync::PullError::Ghl(e)) if e.is_not_found() => {
                return Err(eyre!("contact {id}: GHL says it does not exist ({e})"));
            }
            Err(e) => errln!("warning: showing the cached copy; GHL could not be read: {e}"),
        }
    }
    let Some(c) = store.contact(id)? else {
        return Err(eyre!("contact {id} is not in the cache of location {loc} (run `bmby-ghl sync`, or check the id)"));
    };
    let defs = store.custom_fields()?;
    let tasks = store.tasks(id)?.unwrap_or_default();
    let notes = store.notes(id)?.unwrap_or_default();
    let appts = store.appointments(id)?.unwrap_or_default();
    let zone = sync::location_zone::cached(&store);
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
    let users = sync::ops::cached_users(&store);
    let mut out = super::out::stdout();
    if as_json {
        let mut contact = serde_json::to_value(&c)?;
        super::people::add_owner(&mut contact, &c, &users);
        let mut tasks_json = serde_json::to_value(&tasks)?;
        super::people::add_assignees(&mut tasks_json, &tasks, &users);
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
            "followers": super::people::followers_json(&c, &users),
            "tasks": tasks_json,
            "notes": notes,
            "appointments": appointments_json(&appts, zone.as_ref())?,
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
        return Ok(0);
    }
    let line = |out: &mut super::out::Out, k: &str, v: Option<&str>| -> std::io::Result<()> {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            writeln!(out, "{k:<14} {}", v.replace('\n', "\n               "))?;
        }
        Ok(())
    };
    line(&mut out, "Name", Some(&c.display_name()))?;
    line(&mut out, "Id", Some(&c.id))?;
    for (k, v) in super::people::contact_lines(&c, &users) {
        line(&mut out, k, Some(&v))?;
    }
    line(&mut out, "Email", c.email.as_deref())?;
    line(&mut out, "Phone", c.phone.as_deref())?;
    line(&mut out, "Company", c.company_name.as_deref())?;
    line(&mut out, "Address", c.address1.as_deref())?;
    line(&mut out, "City", c.city.as_deref())?;
    line(&mut out, "State", c.state.as_deref())?;
    line(&mut out, "Postal code", c.postal_code.as_deref())?;
    line(&mut out, "Country", c.country.as_deref())?;
    line(&mut out, "Website", c.website.as_deref())?;
    line(&mut out, "Type", c.contact_type.as_deref())?;
    line(&mut out, "Source", c.source.as_deref())?;
    line(&mut out, "Date of birth", c.date_of_birth.as_deref())?;
    line(&mut out, "Time zone", c.timezone.as_deref())?;
    line(&mut out, "Tags", Some(&c.tags.join(", ")))?;
    line(
        &mut out,
        "DND",
        Some(if c.dnd { "yes (all channels)" } else { "no" }),
    )?;
    let when = |v: Option<&str>| v.map(|v| crate::clock::value(v).into_owned());
    line(
        &mut out,
        "Updated",
        when(c.date_updated.as_deref()).as_deref(),
    )?;
    for f in &c.custom_fields {
        let name = defs
            .get(&f.id)
            .map(|d| d.name.clone())
            .unwrap_or_else(|| f.id.clone());
        let value = crate::domain::custom_field::format_custom(defs.get(&f.id), f);
        line(&mut out, &name, Some(&crate::clock::value(&value)))?;
    }
    writeln!(out, "\nTasks ({})", tasks.len())?;
    for t in &tasks {
        writeln!(
            out,
            "  [{}] {}  due {}{}",
            if t.completed { "x" } else { " " },
            t.title,
            when(t.due_date.as_deref()).as_deref().unwrap_or("-"),
            super::people::assignee_suffix(t, &users)
        )?;
    }
    writeln!(out, "\nNotes ({})", notes.len())?;
    for n in &notes {
        let at = when(n.date_added.as_deref()).unwrap_or_else(|| "-".to_owned());
        // A body of several lines continues under its first line.
        let indent = format!("\n{}", " ".repeat(2 + at.chars().count() + 2));
        // The title (GHL's note title, when it has one) heads the body.
        let title = n.title.as_deref().map(str::trim).filter(|t| !t.is_empty());
        let text = match title {
            Some(t) => format!("{t}\n{}", n.body.trim_end()),
            None => n.body.trim_end().to_owned(),
        };
        writeln!(
            out,
            "  {at}  {}{}",
            if n.pinned { "(pinned) " } else { "" },
            text.replace("\r\n", "\n").replace('\n', &indent)
        )?;
    }
    writeln!(out, "\nAppointments ({})", appts.len())?;
    for a in &appts {
        writeln!(
            out,
            "  {}  {}  {}",
            match (a.start_time.as_deref(), a.end_time.as_deref()) {
                (Some(s), Some(e)) => crate::clock::location_span(s, e, zone.as_ref()),
                (Some(s), None) => crate::clock::location_text(s, zone.as_ref()),
                _ => "-".to_owned(),
            },
            a.title,
            a.appointment_status.as_deref().unwrap_or("")
        )?;
    }
    writeln!(
        out,
        "\nTimes are {} (Asia/Jerusalem).",
        crate::clock::ISRAEL
    )?;
    if !fresh {
        errln!("(from the cache)");
    }
    Ok(0)
}

/// Appointments for `contact --json`: as cached, plus `start_iso`/`end_iso`, the zone-less GHL
/// times as ISO 8601 with the location's offset (`null` while the zone is unknown), and
/// `timezone`, the zone they were read in.
fn appointments_json(
    appts: &[crate::domain::Appointment],
    zone: Option<&jiff::tz::TimeZone>,
) -> Result<Value> {
    let mut out = Vec::with_capacity(appts.len());
    for a in appts {
        let mut v = serde_json::to_value(a)?;
        if let Some(o) = v.as_object_mut() {
            let iso = |s: Option<&str>| s.and_then(|s| crate::clock::location_iso(s, zone));
            o.insert("start_iso".into(), json!(iso(a.start_time.as_deref())));
            o.insert("end_iso".into(), json!(iso(a.end_time.as_deref())));
            o.insert("timezone".into(), json!(zone.and_then(|z| z.iana_name())));
        }
        out.push(v);
    }
    Ok(Value::Array(out))
}

/// The TUI on the configured location. With several signed-in locations, `L` in the TUI
/// picks another: the UI ends, that location's cache, client and worker are set up, and the UI
/// starts again on it (cache handles are kept, so switching back reuses them).
pub(super) fn run_tui(paths: &Paths, settings: &Settings, rt: &Runtime) -> Result<i32> {
    run_tui_with(paths, settings, rt, None, None)
}

/// [`run_tui`] with the cache of the starting location already open (the demo fills it
/// first). Reusing the handle matters: sled may keep its file lock for a moment after the last
/// handle is dropped, so opening the same cache again right away can fail as "in use".
/// Events from work outside the TUI's own worker (the demo's webhook receiver) for one
/// location: they reach the TUI of that location while it is the one shown.
#[derive(Debug)]
pub(super) struct EventTap {
    location: String,
    tx: std::sync::Mutex<Option<tokio::sync::mpsc::UnboundedSender<SyncEvent>>>,
}

impl EventTap {
    /// A tap for `location`'s events, attached to no TUI yet.
    pub(super) fn new(location: &str) -> EventTap {
        EventTap {
            location: location.to_owned(),
            tx: std::sync::Mutex::new(None),
        }
    }

    /// The TUI now shows `loc` and hears on `tx`; another location detaches the tap.
    fn attach(&self, loc: &str, tx: &tokio::sync::mpsc::UnboundedSender<SyncEvent>) {
        let mut cur = self.tx.lock().unwrap_or_else(|p| p.into_inner());
        *cur = (loc == self.location).then(|| tx.clone());
    }

    /// Passes `ev` on to the TUI showing the location, if one does.
    pub(super) fn send(&self, ev: SyncEvent) {
        let cur = self.tx.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(tx) = cur.as_ref() {
            let _ = tx.send(ev);
        }
    }
}

pub(super) fn run_tui_with(
    paths: &Paths,
    settings: &Settings,
    rt: &Runtime,
    open: Option<crate::store::Store>,
    tap: Option<&EventTap>,
) -> Result<i32> {
    let demo_store = open.as_ref().map(|_| ());
    let mut loc = location(settings)?;
    // The settings in use: read again after a switch, since `:setup` may have written the
    // config (a new location, the Bmby login) before switching.
    let mut current = settings.clone();
    let mut stores: std::collections::HashMap<String, crate::store::Store> = Default::default();
    if let Some(s) = open {
        stores.insert(loc.clone(), s);
    }
    // The TUI owns the caches it opened: CLI commands for those locations run through it.
    let mut owners: std::collections::HashMap<String, crate::owner::OwnerHandle> =
        Default::default();
    // Each location's events go to every TUI session on it: this one and the TUIs attached
    // to this process (`crate::owner::host`).
    let mut hubs: std::collections::HashMap<String, crate::owner::Hub> = Default::default();
    // The owner this TUI was attached to went away and the cache was taken over: said once.
    let mut takeover: Option<crate::owner::Takeover> = None;
    loop {
        // Issue 14: the first frame from the list snapshot while the cache opens (kept until
        // the UI proper has taken the terminal).
        let _early = (demo_store.is_none() && !stores.contains_key(&loc))
            .then(|| {
                let cache = crate::store::Store::location_dir(&paths.data_dir, &loc);
                tui::early_view::show(&cache.join("cache.sled"), &loc)
            })
            .flatten();
        if _early.is_none() && demo_store.is_none() && !stores.contains_key(&loc) {
            let cache = crate::store::Store::location_dir(&paths.data_dir, &loc).join("cache.sled");
            if crate::store::upgrade_likely(&cache) {
                eprintln!(
                    "bmby-ghl: {}",
                    tui::early_text::UPGRADING.replace('…', &format!(" at {}…", cache.display()))
                );
            }
        }
        if _early.is_some() {
            let mem = crate::memory::resident();
            tracing::info!(
                rss_mb = mem.now_mib(),
                peak_mb = mem.peak_mib(),
                "early frame drawn"
            );
        }
        let store = match stores.get(&loc) {
            Some(s) => s.clone(),
            None => {
                // Owned by another process: this TUI attaches to it (and takes the cache over
                // if that process exits).
                let cache = crate::store::Store::location_dir(&paths.data_dir, &loc);
                let pre = crate::store::list_snapshot::prefetch(&cache.join("cache.sled"));
                let s = match crate::owner::open_for_tui(
                    &paths.data_dir,
                    &loc,
                    Some(paths.user_keymap()),
                )? {
                    crate::owner::TuiCache::Own(s) => *s,
                    crate::owner::TuiCache::TakenOver(s, t) => {
                        takeover = Some(t);
                        *s
                    }
                    crate::owner::TuiCache::Attached => return Ok(0),
                };
                s.use_prefetched_list(pre);
                let before = crate::memory::resident();
                // sled's open replays its log into buffers it frees: give those pages back.
                crate::memory::trim();
                let mem = crate::memory::resident();
                tracing::info!(
                    rss_mb = mem.now_mib(),
                    peak_mb = mem.peak_mib(),
                    untrimmed_mb = before.now_mib(),
                    "store opened"
                );
                stores.insert(loc.clone(), s.clone());
                s
            }
        };
        owners.entry(loc.clone()).or_insert_with(|| {
            let role = if demo_store.is_some() {
                crate::owner::ROLE_DEMO
            } else {
                "tui"
            };
            crate::owner::Owner::start(store.clone(), &paths.data_dir, &loc, role)
        });
        let mut s = current.clone();
        s.location_id = Some(loc.clone());
        let signed_in = signed_in_locations(&s);
        let entry = signed_in.iter().find(|e| e.location_id == loc);
        if let Some(name) = entry.and_then(|e| e.location_name.as_deref()) {
            if store.meta("location_name").is_none() {
                let _ = store.set_meta("location_name", name);
            }
        }
        let hub = hubs.entry(loc.clone()).or_default().clone();
        let (session, rx) = hub.subscribe();
        let tx = {
            let _enter = rt.enter();
            hub.relay()
        };
        if let Some(t) = tap {
            t.attach(&loc, &tx);
        }
        if let Some(o) = owners.get(&loc) {
            if demo_store.is_some() {
                // The demo's stand-ins: commands from other processes send there too.
                o.set_connection(&current);
            }
            let hub = hub.clone();
            o.set_notify(std::sync::Arc::new(move |command, code| {
                hub.send(SyncEvent::ClientCommand { command, code });
            }));
        }
        let bmby = match super::bmby_writeback_client(&s) {
            Ok(b) => b.map(std::sync::Arc::new),
            Err(e) => {
                let _ = tx.send(SyncEvent::Error {
                    context: "Bmby write-back is off".into(),
                    message: e.to_string(),
                });
                None
            }
        };
        // A demo's cache taken over: its stand-ins ended with it, and the real GHL knows
        // nothing of its location (a pull would only say "needs sign-in"): offline.
        let demo_gone = takeover.as_ref().is_some_and(|t| t.was_demo());
        let jobs = match client(&s) {
            Ok(_) if demo_gone => None,
            Ok(client) => {
                let _enter = rt.enter();
                Some(sync::spawn_worker(
                    client,
                    store.clone(),
                    tx,
                    WorkerConfig {
                        pull_interval: (current.pull_interval_secs > 0)
                            .then(|| Duration::from_secs(current.pull_interval_secs)),
                        pull_on_start: true,
                        bmby,
                        pull_overlap: current.pull_overlap(),
                    },
                ))
            }
            Err(_) if demo_gone => None,
            // No credentials: the sync segment says `needs sign-in`, the log how to sign in.
            Err(e)
                if e.downcast_ref::<crate::ghl::GhlError>()
                    .is_some_and(|g| g.kind() == crate::ghl::ErrorKind::Unauthorized) =>
            {
                let _ = tx.send(SyncEvent::SignInNeeded {
                    message: format!("{e:#}"),
                });
                None
            }
            Err(e) => {
                let _ = tx.send(SyncEvent::Error {
                    context: "offline: showing the cache only".into(),
                    message: format!("{e:#}"),
                });
                None
            }
        };
        let label_of = |id: &str, name: Option<String>| {
            name.map(|n| format!("{} ({id})", crate::sanitize::clean_line(&n)))
                .unwrap_or_else(|| id.to_owned())
        };
        let label = label_of(&loc, store.meta("location_name"));
        let choices = signed_in
            .iter()
            .map(|e| tui::locations::LocationChoice {
                id: e.location_id.clone(),
                label: label_of(&e.location_id, e.location_name.clone()),
                note: if e.needs_sign_in.is_some() {
                    Some("needs sign-in".into())
                } else if e.read_only_reason().is_some() {
                    Some("read-only".into())
                } else {
                    None
                },
            })
            .collect();
        let read_only = entry.and_then(|e| e.read_only_reason());
        if let Some(o) = owners.get(&loc) {
            o.set_host(crate::owner::HostConfig {
                jobs: jobs.clone(),
                hub: hub.clone(),
                location_label: label.clone(),
                read_only: read_only.clone(),
            });
        }
        let peers: tui::session::Peers = {
            let hub = hub.clone();
            std::sync::Arc::new(move |ev| hub.send_except(session, ev))
        };
        let exit = rt.block_on(tui::run(TuiContext {
            store,
            jobs,
            events: rx,
            location_label: label.clone(),
            user_keymap: Some(paths.user_keymap()),
            log_path: paths.log_file(),
            locations: choices,
            current_location: loc.clone(),
            read_only,
            needs_sign_in: entry.and_then(|e| e.needs_sign_in.clone()),
            // The demo (a cache handed in) writes no config: `:setup` says so there.
            setup: demo_store
                .is_none()
                .then(|| (super::setup::setup_env(paths, &current), false)),
            peers: Some(peers),
            notice: takeover.take().map(|t| (t.line(), t.notice())),
        }));
        hub.unsubscribe(session);
        let exit = exit?;
        match exit {
            tui::TuiExit::Quit => return Ok(0),
            tui::TuiExit::SwitchTo(next) => {
                tracing::info!(from = %loc, to = %next, "switching location");
                // TUIs attaching from now on get the cache without this location's worker
                // (it stops once the sessions attached now end).
                if let Some(o) = owners.get(&loc) {
                    o.set_host(crate::owner::HostConfig {
                        jobs: None,
                        hub: hub.clone(),
                        location_label: label.clone(),
                        read_only: None,
                    });
                }
                if demo_store.is_none() {
                    match super::setup::reload(paths, &next) {
                        Ok(s) => current = s,
                        Err(e) => tracing::warn!(error = %e, "config not read again"),
                    }
                }
                loc = next;
            }
        }
    }
}

/// The signed-in locations of the token store (none when a token comes from `GHL_TOKEN` or
/// the config, which then decides alone).
fn signed_in_locations(settings: &Settings) -> Vec<crate::auth::TokenEntry> {
    if settings.token.is_some() {
        return Vec::new();
    }
    super::token_store(settings)
        .ok()
        .and_then(|s| s.load().ok())
        .map(|m| m.into_values().collect())
        .unwrap_or_default()
}
