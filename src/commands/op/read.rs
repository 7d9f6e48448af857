//! `op NAME` for reads: the request (`GET …`, or the search) and GHL's answer printed as text
//! with Israel times, or sanitized JSON.

use color_eyre::eyre::{eyre, Result};
use serde_json::{json, Value};

use super::{print_requests, Cx};
use crate::cli::{OpCommand, OpFlags};
use crate::ghl::{GhlRequest, WriteClass};
use crate::sanitize::clean_json;
use crate::sync::dispatch::PlannedRequest;
use crate::sync::ops::ListKind;

/// The GET (or search) request of a read, or `None` for a write.
pub(super) fn read_request(
    cmd: &OpCommand,
    cx: &mut Cx<'_>,
) -> Result<Option<(GhlRequest, OpFlags)>> {
    let get = |segs: &[&str]| GhlRequest {
        method: reqwest::Method::GET,
        segments: segs.iter().map(|s| (*s).to_owned()).collect(),
        query: Vec::new(),
        body: None,
        family: crate::ghl::client::ApiFamily::Contacts,
        class: WriteClass::Read,
    };
    Ok(Some(match cmd {
        OpCommand::Search {
            query,
            limit,
            flags,
        } => {
            let mut body = json!({ "locationId": cx.loc, "pageLimit": (*limit).clamp(1, 500) });
            if let Some(q) = query {
                body["query"] = json!(q.chars().take(75).collect::<String>());
            }
            let mut r = get(&["contacts", "search"]);
            r.method = reqwest::Method::POST;
            r.body = Some(body);
            (r, *flags)
        }
        OpCommand::FindDuplicate {
            email,
            phone,
            flags,
        } => (
            GhlRequest::find_duplicate(&cx.loc, email.as_deref(), phone.as_deref()),
            *flags,
        ),
        OpCommand::GetContact { contact, flags } => (GhlRequest::get_contact(contact), *flags),
        OpCommand::Tasks { contact, flags } => {
            (GhlRequest::list_activity(contact, "tasks"), *flags)
        }
        OpCommand::Notes { contact, flags } => {
            (GhlRequest::list_activity(contact, "notes"), *flags)
        }
        OpCommand::Appointments { contact, flags } => {
            (GhlRequest::list_activity(contact, "appointments"), *flags)
        }
        OpCommand::BusinessContacts { business, flags } => {
            let b = cx.pick(ListKind::Businesses, business)?;
            // The first page (GHL's `limit`/`skip`; the TUI's filter reads every page).
            (GhlRequest::business_contacts(&cx.loc, &b.id, 0), *flags)
        }
        _ => return Ok(None),
    }))
}

/// Runs a read: GHL's answer as text, or sanitized JSON; `--dry-run` prints the request.
pub(super) fn read_cmd(name: &str, req: &GhlRequest, flags: OpFlags, cx: &Cx<'_>) -> Result<i32> {
    if flags.dry_run {
        print_requests(&[PlannedRequest::from(req)], cx, flags.json, name, None)?;
        return Ok(0);
    }
    let client = crate::commands::client(cx.settings)?;
    let v = cx
        .rt
        .block_on(client.send_request(req))
        .map_err(|e| eyre!("{}: {e}", req.endpoint()))?;
    let v = clean_json(&v);
    if flags.json {
        outln!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(0);
    }
    let when = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .map(|s| crate::clock::value(s).into_owned())
            .unwrap_or_else(|| "-".into())
    };
    let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    let contacts = |key: &str| -> Vec<Value> {
        match v.get(key) {
            Some(Value::Array(a)) => a.clone(),
            Some(o @ Value::Object(_)) => vec![o.clone()],
            _ => Vec::new(),
        }
    };
    match name {
        "tasks" => {
            let items = contacts("tasks");
            for t in &items {
                let done = t.get("completed").and_then(Value::as_bool) == Some(true);
                outln!(
                    "[{}] {}  due {}  ({})",
                    if done { "x" } else { " " },
                    s(t, "title"),
                    when(t.get("dueDate")),
                    s(t, "id")
                );
            }
            outln!(
                "{} task(s); times are {}.",
                items.len(),
                crate::clock::ISRAEL
            );
        }
        "notes" => {
            let items = contacts("notes");
            for n in &items {
                outln!("{}  ({})", when(n.get("dateAdded")), s(n, "id"));
                for l in s(n, "body").lines() {
                    outln!("    {l}");
                }
            }
            outln!(
                "{} note(s); times are {}.",
                items.len(),
                crate::clock::ISRAEL
            );
        }
        "appointments" => {
            let items = contacts("events");
            for a in &items {
                outln!(
                    "{} → {}  {}  {}",
                    s(a, "startTime"),
                    s(a, "endTime"),
                    s(a, "title"),
                    s(a, "appointmentStatus")
                );
            }
            outln!(
                "{} appointment(s); times as GHL gives them (the location's time zone).",
                items.len()
            );
        }
        _ => {
            let key = if name == "search" || name == "business-contacts" {
                "contacts"
            } else {
                "contact"
            };
            let items = contacts(key);
            for c in &items {
                let contact = crate::ghl::wire::contact_from_json(c).unwrap_or_default();
                outln!(
                    "{}  {}  {}  {}  updated {}",
                    contact.id,
                    contact.display_name(),
                    contact.email.as_deref().unwrap_or("-"),
                    contact.phone.as_deref().unwrap_or("-"),
                    when(c.get("dateUpdated"))
                );
                if !contact.tags.is_empty() {
                    outln!("    tags: {}", contact.tags.join(", "));
                }
            }
            if items.is_empty() && name == "find-duplicate" {
                outln!("no contact GHL would treat as the same person");
            } else {
                outln!(
                    "{} contact(s); times are {}.",
                    items.len(),
                    crate::clock::ISRAEL
                );
            }
        }
    }
    Ok(0)
}
