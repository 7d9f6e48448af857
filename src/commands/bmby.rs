//! Bmby to changes: `import`, `bmby pull`, `changes`, `mapping`.

use std::io::Write;

use color_eyre::eyre::{eyre, Result};
use serde_json::json;
use tokio::runtime::Runtime;

use super::{location, open_store};
use crate::config::{Paths, Settings};
use crate::store::Store;

pub(super) fn mapping(settings: &Settings) -> Result<crate::sync::mapping::Mapping> {
    crate::sync::mapping::Mapping::with_overrides(&settings.mapping)
        .map_err(|e| eyre!("the [mapping] table of the config file is not valid:\n{e}"))
}

/// `bmby-ghl mapping`: the effective mapping (Bmby field → GHL target), the fields never
/// written, and the export header spellings each Bmby field is read from (the built-in ones
/// with `[bmby.columns]` merged; `--json`: under `columns`).
pub(super) fn mapping_cmd(settings: &Settings, as_json: bool) -> Result<i32> {
    let m = mapping(settings)?;
    let columns = crate::bmby::export::ColumnAliases::defaults().merged(&settings.bmby.columns);
    if as_json {
        let mut v = serde_json::to_value(&m)?;
        v["columns"] = serde_json::to_value(&columns)?;
        outln!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(0);
    }
    outln!("{:<16} GHL target", "Bmby field");
    for (k, t) in &m.fields {
        outln!("{k:<16} {}", t.to_config());
    }
    outln!(
        "\nNever written (GHL rejects or ignores them): {}",
        crate::sync::mapping::REJECTED_FIELDS
            .iter()
            .map(|(f, _)| *f)
            .collect::<Vec<_>>()
            .join(", ")
    );
    outln!(
        "\nExport columns, by Bmby field (case ignored, `_` read as a space; more under\n\
         [bmby.columns]; any other column is a custom field, used when [mapping] names it):"
    );
    for f in crate::bmby::export::Field::ALL {
        outln!("{:<16} {}", f.bmby_name(), columns.aliases(f).join(" | "));
    }
    Ok(0)
}

/// The values `changes --state` takes.
const CHANGE_STATES: &[&str] = &[
    "pending",
    "approved",
    "rejected",
    "in_flight",
    "applied",
    "failed",
    "conflict",
    "cancelled",
    "withdrawn",
    "all",
];

pub(super) fn changes_cmd(
    paths: &Paths,
    settings: &Settings,
    as_json: bool,
    state: Option<&str>,
) -> Result<i32> {
    // A bad `--state` is a bad argument: exit 2, as clap's own and the `contacts` filters.
    let state = state.map(str::to_lowercase);
    if let Some(st) = &state {
        if !CHANGE_STATES.contains(&st.as_str()) {
            errln!(
                "error: --state {}: use one of {}",
                crate::sanitize::clean_line(st),
                CHANGE_STATES.join(", ")
            );
            return Ok(2);
        }
    }
    let loc = location(settings)?;
    let store = open_store(paths, &loc)?;
    let mut changes = store.changes()?;
    if let Some(st) = state {
        if st != "all" {
            // A withdrawn hand edit is `withdrawn`, not `rejected`.
            changes.retain(|c| c.state_label() == st);
        }
    }
    let mut out = super::out::stdout();
    if as_json {
        let mut counts = std::collections::BTreeMap::<&str, usize>::new();
        for c in &changes {
            *counts.entry(c.state_label()).or_default() += 1;
        }
        let outbox: serde_json::Map<String, serde_json::Value> = changes
            .iter()
            .filter(|c| !matches!(c.state.label(), "pending" | "rejected"))
            .map(|c| {
                Ok((
                    c.id.to_string(),
                    serde_json::to_value(store.outbox_info(c.id)?)?,
                ))
            })
            .collect::<Result<_>>()?;
        let doc = json!({
            "locationId": loc,
            "counts": counts,
            "changes": changes
                .iter()
                .map(|c| {
                    let mut v = serde_json::to_value(c)?;
                    if c.is_withdrawn() {
                        v["withdrawn"] = json!(true);
                    }
                    Ok(v)
                })
                .collect::<Result<Vec<_>>>()?,
            "outbox": outbox,
            "journal": store.journal()?,
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
        return Ok(0);
    }
    if changes.is_empty() {
        errln!("no changes (import a Bmby export with `bmby-ghl import FILE`, or `bmby-ghl bmby pull`)");
    }
    // Owners and assignees by name (the change itself keeps the ids).
    let users = crate::sync::ops::cached_users(&store);
    for c in &changes {
        let c = &*crate::domain::people::named_change(&users, c);
        writeln!(
            out,
            "#{} {} {} {}{} — {}, from {}",
            c.id,
            c.describe(),
            c.state_label(),
            c.display_name,
            c.contact_id
                .as_ref()
                .map(|i| format!(" ({i})"))
                .unwrap_or_default(),
            what_it_writes(&c.subject, c.field_count()),
            c.origin
        )?;
        // A create held back because it matches an existing contact says so first.
        let held = c.matched.as_ref().map(|m| m.describe());
        if let Some(m) = &held {
            writeln!(out, "    = {}", crate::sanitize::clean_line(m))?;
        }
        let info = if c.state == crate::domain::ChangeState::Conflict {
            Some(store.outbox_info(c.id)?)
        } else {
            None
        };
        match info.filter(|i| !i.ghl_now.is_empty()) {
            // A conflict three ways, as the TUI shows it: base, GHL now, proposed.
            Some(info) => super::conflict_text::write_conflict(&mut out, c, &info)?,
            None => {
                for f in &c.fields {
                    writeln!(
                        out,
                        "    {}: {} → {}{}",
                        f.label,
                        crate::clock::value_opt(f.ghl_now.as_deref()).unwrap_or("(empty)".into()),
                        crate::clock::value_opt(f.proposed.as_deref()).unwrap_or("(empty)".into()),
                        if f.edited { " (edited)" } else { "" }
                    )?;
                }
            }
        }
        for w in &c.warnings {
            if held.as_ref().is_some_and(|m| w.starts_with(m.as_str())) {
                writeln!(
                    out,
                    "    ! {}",
                    w[held.as_ref().map_or(0, String::len)..].trim_start_matches([':', ' '])
                )?;
                continue;
            }
            writeln!(out, "    ! {w}")?;
        }
        if c.kind == crate::domain::ChangeKind::Ambiguous {
            writeln!(
                out,
                "    choose: bmby-ghl approve {} --contact GHL_ID (one of the candidates), or --new",
                c.id
            )?;
        }
    }
    if !changes.is_empty() {
        writeln!(out, "Times are {} (Asia/Jerusalem).", crate::clock::ISRAEL)?;
    }
    Ok(0)
}

pub(super) fn import_cmd(
    paths: &Paths,
    settings: &Settings,
    file: &std::path::Path,
    opts: crate::sync::import::ImportOptions,
    as_json: bool,
) -> Result<i32> {
    use crate::bmby::export::{ColumnAliases, ExportOptions};
    let loc = location(settings)?;
    let mapping = mapping(settings)?;
    let aliases = ColumnAliases::defaults().merged(&settings.bmby.columns);
    let store = open_store(paths, &loc)?;
    if store.contact_count() == 0 {
        errln!("warning: the GHL cache of {loc} is empty, so every client looks new; run `bmby-ghl sync` first");
    }
    // Run for another process (`crate::owner`): its working directory, its words in messages.
    let path = super::out::resolve(file);
    let (summary, source, problems) = crate::sync::import::import_export_file(
        &store,
        &path,
        &ExportOptions {
            full: opts.full,
            aliases: Some(aliases),
            shown_as: (path != file).then(|| file.display().to_string()),
            ..Default::default()
        },
        &mapping,
        &opts,
    )?;
    report_import(&summary, &source, &problems, opts.dry_run, as_json)
}

/// Prints an import's outcome. Row problems: in text one `FILE: row R, column "C": …` line
/// each on stderr; in `--json` under `row_problems`, each a [`RowProblem`] object plus `file`
/// and its one-line `text`.
///
/// [`RowProblem`]: crate::bmby::export::RowProblem
pub(super) fn report_import(
    s: &crate::sync::import::ImportSummary,
    source: &str,
    row_problems: &[crate::bmby::export::RowProblem],
    dry_run: bool,
    as_json: bool,
) -> Result<i32> {
    if as_json {
        let rows: Vec<serde_json::Value> = row_problems
            .iter()
            .map(|p| {
                let mut v = serde_json::to_value(p).unwrap_or_default();
                v["file"] = json!(source);
                v["text"] = json!(format!("{source}: {p}"));
                v
            })
            .collect();
        let doc = json!({
            "source": source,
            "dry_run": dry_run,
            "row_problems": rows,
            "summary": s,
        });
        outln!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(0);
    }
    for p in row_problems {
        errln!("{source}: {p}");
    }
    let skipped: usize = row_problems
        .iter()
        .map(crate::bmby::export::RowProblem::rows_skipped)
        .sum();
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let new: Vec<String> = s
        .new_changes
        .iter()
        .map(|(k, n)| format!("{n} {k}"))
        .collect();
    outln!(
        "{}{}: {} read; new changes: {}; {} replaced pending; {} already stored; {} already equal in GHL; {} learnt; {}{}",
        if dry_run { "dry run, nothing stored — " } else { "" },
        source,
        plural(s.read, "client", "clients"),
        if new.is_empty() { "none".to_owned() } else { new.join(", ") },
        s.replaced,
        s.unchanged,
        s.in_sync,
        plural(s.links_added, "link", "links"),
        plural(row_problems.len() + s.problems.len(), "problem", "problems"),
        if skipped > 0 {
            format!(" ({} skipped)", plural(skipped, "row", "rows"))
        } else {
            String::new()
        },
    );
    for p in &s.problems {
        errln!("{p}");
    }
    for n in &s.notices {
        outln!("{source}: {n}");
    }
    if dry_run {
        for c in &s.changes {
            let n = c.field_count();
            outln!(
                "  {} {} — {n} field{}",
                c.describe(),
                c.display_name,
                if n == 1 { "" } else { "s" }
            );
            for f in &c.fields {
                outln!(
                    "      {}: {} → {}",
                    f.label,
                    f.ghl_now.as_deref().unwrap_or("(empty)"),
                    f.proposed.as_deref().unwrap_or("(empty)")
                );
            }
            for w in &c.warnings {
                outln!("      warning: {w}");
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
    let mut cfg = crate::bmby::soap::BmbySoapConfig::new(
        b.soap_url.clone(),
        b.login.clone().unwrap_or_default(),
        b.password.clone().expect("checked"),
        b.project_id.clone().unwrap_or_default(),
    );
    cfg.lead_password = b.lead_password.clone();
    Ok(crate::bmby::soap::BmbySoapClient::new(cfg)?)
}

/// The Bmby client write-backs are dispatched with: the full SOAP login when configured
/// (`NewTask`, `Insert`); else, with `BMBY_PROJECT_ID` and `BMBY_LEAD_PASSWORD` only, a
/// lead-only client (empty login) that the dispatcher uses for `AddClient` alone; else `None`
/// (write-backs wait, approved). Errors: an unusable `BMBY_SOAP_URL`.
pub fn bmby_writeback_client(
    settings: &Settings,
) -> Result<Option<crate::bmby::soap::BmbySoapClient>> {
    let b = &settings.bmby;
    if b.login.is_some() && b.password.is_some() && b.project_id.is_some() {
        return bmby_client(settings).map(Some);
    }
    let (Some(project), Some(lead)) = (&b.project_id, &b.lead_password) else {
        return Ok(None);
    };
    let mut cfg = crate::bmby::soap::BmbySoapConfig::new(
        b.soap_url.clone(),
        String::new(),
        crate::ghl::Secret::new(""),
        project.clone(),
    );
    cfg.lead_password = Some(lead.clone());
    Ok(Some(crate::bmby::soap::BmbySoapClient::new(cfg)?))
}

/// `bmby push`: proposes write-backs of linked contacts' GHL tasks and notes (and, with
/// `--new-clients`, of unlinked contacts as new Bmby clients) as pending changes.
pub(super) fn bmby_push_cmd(
    paths: &Paths,
    settings: &Settings,
    rt: &Runtime,
    opts: crate::sync::writeback::WritebackOptions,
    as_json: bool,
) -> Result<i32> {
    let loc = location(settings)?;
    let store = open_store(paths, &loc)?;
    let ghl = super::client(settings)?;
    if store.links()?.is_empty() {
        errln!("warning: no Bmby client is linked to a GHL contact yet; run `bmby-ghl bmby pull` (or `import`) first");
    }
    let s = rt.block_on(crate::sync::writeback::propose_writeback(
        &ghl, &store, opts,
    ))?;
    if as_json {
        let doc = json!({ "dry_run": opts.dry_run, "summary": s });
        outln!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(0);
    }
    for p in &s.problems {
        errln!("{p}");
    }
    outln!(
        "{}write-back to Bmby: {} new task{}, {} new comment{}, {} new client{}; {} skipped ({} already proposed, {} completed tasks, {} contacts without email or phone, {} in an ambiguous match)",
        if opts.dry_run { "dry run, nothing stored — " } else { "" },
        s.tasks,
        if s.tasks == 1 { "" } else { "s" },
        s.notes,
        if s.notes == 1 { "" } else { "s" },
        s.inserts,
        if s.inserts == 1 { "" } else { "s" },
        s.skipped(),
        s.already_proposed,
        s.skipped_completed,
        s.skipped_no_email_or_phone,
        s.skipped_ambiguous,
    );
    if opts.dry_run {
        for c in &s.changes {
            outln!("  {} {}", c.describe(), c.display_name);
            for f in &c.fields {
                outln!(
                    "      {}: {}",
                    f.label,
                    crate::clock::value_opt(f.proposed.as_deref()).unwrap_or("(empty)".into())
                );
            }
        }
    } else if !s.changes.is_empty() {
        outln!("review them with `bmby-ghl changes` (or the TUI), then `bmby-ghl apply`");
    }
    Ok(0)
}

/// Reads Bmby over SOAP into changes; `full` reads everything (deletes possible).
pub fn bmby_pull(
    store: &Store,
    client: &crate::bmby::soap::BmbySoapClient,
    mapping: &crate::sync::mapping::Mapping,
    rt: &Runtime,
    opts: &crate::sync::import::ImportOptions,
) -> Result<(crate::sync::import::ImportSummary, bool)> {
    let dry_run = opts.dry_run;
    let last = store.meta("bmby_last_pull");
    let from = if opts.full {
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
    let summary = crate::sync::import::import_bmby_clients(
        store,
        read.clients,
        mapping,
        &crate::sync::import::ImportOptions {
            full: is_full,
            ..opts.clone()
        },
    )?;

    if !dry_run {
        store.set_meta("bmby_last_pull", &started.to_string())?;
        store.flush()?;
    }
    Ok((summary, is_full))
}

pub(super) fn bmby_pull_cmd(
    paths: &Paths,
    settings: &Settings,
    rt: &Runtime,
    opts: crate::sync::import::ImportOptions,
    as_json: bool,
) -> Result<i32> {
    let loc = location(settings)?;
    let mapping = mapping(settings)?;
    let client = bmby_client(settings)?;
    let store = open_store(paths, &loc)?;
    if store.contact_count() == 0 {
        errln!("warning: the GHL cache of {loc} is empty, so every client looks new; run `bmby-ghl sync` first");
    }
    let (summary, is_full) = bmby_pull(&store, &client, &mapping, rt, &opts)?;
    let source = if is_full {
        "Bmby SOAP GetAll (full)"
    } else {
        "Bmby SOAP GetAll (since last pull)"
    };
    report_import(&summary, source, &[], opts.dry_run, as_json)
}

/// What a change writes, for the `changes` list: `3 fields`, or for a tag operation (which
/// has no fields) `tags +vip +big fish` (`-vip` when removing).
fn what_it_writes(subject: &crate::domain::Subject, fields: usize) -> String {
    use crate::domain::{ContactOp, Subject};
    match subject {
        Subject::Op(ContactOp::BulkTags { add, tags, .. }) if fields == 0 => {
            let sign = if *add { "+" } else { "-" };
            let tags: Vec<String> = tags
                .iter()
                .map(|t| format!("{sign}{}", crate::sanitize::clean_line(t)))
                .collect();
            format!("tags {}", tags.join(" "))
        }
        _ => format!("{fields} field{}", if fields == 1 { "" } else { "s" }),
    }
}

#[cfg(test)]
mod what_it_writes_tests {
    use super::what_it_writes;
    use crate::domain::{ContactOp, Subject};

    #[test]
    fn a_tag_change_names_its_tags_not_0_fields() {
        let add = Subject::Op(ContactOp::BulkTags {
            add: true,
            tags: vec!["vip".into(), "big fish".into()],
            contact_ids: vec!["c1".into()],
        });
        assert_eq!(what_it_writes(&add, 0), "tags +vip +big fish");
        let remove = Subject::Op(ContactOp::BulkTags {
            add: false,
            tags: vec!["vip\u{1b}[31m".into()],
            contact_ids: vec!["c1".into()],
        });
        assert!(!what_it_writes(&remove, 0).contains('\u{1b}'));
        assert!(what_it_writes(&remove, 0).starts_with("tags -vip"));
        assert_eq!(what_it_writes(&Subject::Contact, 1), "1 field");
        assert_eq!(what_it_writes(&Subject::Contact, 3), "3 fields");
    }
}
