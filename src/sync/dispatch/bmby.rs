//! Write-back to Bmby through the same outbox: a GHL task → `tasks.php` `NewTask` (`Type`
//! `Task`), a GHL note → `NewTask` (`Type` `Comment`), a GHL contact new to Bmby → clients
//! `Insert` (the new `client_id` is linked to the contact), or `AddClient` (lead injection,
//! create-only) when only the project's lead password is configured.
//!
//! Bmby has no idempotency key and no way to look a task up by content, so a Bmby write whose
//! outcome is unknown (a crash, a dropped connection, a timeout or a 5xx after it was sent) is
//! never sent again on its own: the change fails with a note to check Bmby, and a person
//! approves it again to resend. Only a write that never arrived (a refused connection, a 503
//! refused before any work) stays approved for the next run. That keeps Bmby writes at most
//! once; GHL writes stay exactly once.

use super::runner::Ctx;
use crate::bmby::normalize::time::jerusalem;
use crate::bmby::soap::{AddClientInput, BmbySoapClient, BmbySoapError, NewTaskInput, TaskType};
use crate::domain::{ChangeState, JournalEntry, Subject};
use crate::store::StoreError;

/// Why a Bmby change waits: shown on the change until a SOAP login is configured.
pub const NOT_CONFIGURED: &str = "Bmby write-back needs a SOAP login: set BMBY_LOGIN, \
BMBY_PASSWORD and BMBY_PROJECT_ID (or BMBY_LEAD_PASSWORD for new clients only)";

/// The Bmby client fields an `Insert` change may carry, in the order shown.
pub const INSERT_FIELDS: &[&str] = &["fname", "lname", "email", "phone_mobile", "city", "address"];

fn journal(
    cx: &Ctx<'_>,
    request: String,
    fields: Vec<String>,
    r: Result<String, String>,
) -> Result<(), StoreError> {
    let mut e = JournalEntry {
        seq: 0,
        change_id: cx.change.id,
        request,
        fields_sent: fields,
        status: r.as_ref().ok().map(|_| 200),
        trace_id: None,
        outcome: r.unwrap_or_else(|e| format!("failed: {e}")),
        at: jiff::Timestamp::now().to_string(),
        ..Default::default()
    };
    let none = crate::sync::journal::ReadBefore::Nothing;
    crate::sync::journal::describe(&mut e, &cx.change, &cx.info, &none, None);
    cx.store.append_journal(e)?;
    Ok(())
}

/// An ISO 8601 instant (GHL's `dueDate`) as Israel local time for `StartDate`/`EndDate`;
/// now when absent or unreadable.
fn israel_local(iso: Option<&str>) -> jiff::civil::DateTime {
    let ts = iso
        .and_then(|s| s.parse::<jiff::Timestamp>().ok())
        .unwrap_or_else(jiff::Timestamp::now);
    ts.to_zoned(jerusalem().clone()).datetime()
}

/// Dispatches a change whose target is Bmby.
pub(super) async fn dispatch(
    cx: &mut Ctx<'_>,
    bmby: Option<&BmbySoapClient>,
    resumed: bool,
) -> Result<ChangeState, StoreError> {
    let Some(bmby) = bmby else {
        cx.info.last_error = Some(NOT_CONFIGURED.into());
        cx.save(ChangeState::Approved)?;
        return Ok(ChangeState::Approved);
    };
    if resumed {
        cx.info.last_error = Some(
            "the earlier write to Bmby may have arrived (no answer came before the stop) and \
             Bmby cannot be asked; check the client in Bmby, then approve again to resend"
                .into(),
        );
        cx.save(ChangeState::Failed)?;
        return Ok(ChangeState::Failed);
    }
    let lead_only = bmby.config().login.is_empty();
    // A new client whose contact got linked since the proposal (a `bmby pull` matched it)
    // already exists in Bmby: inserting it would make a duplicate.
    if cx.change.subject == Subject::Contact {
        if let Some(contact) = cx.change.contact_id.clone() {
            let linked = cx
                .store
                .link_map()?
                .into_iter()
                .find(|(_, c)| *c == contact);
            if let Some((client, _)) = linked {
                cx.info.last_error = Some(format!(
                    "not sent: the contact is linked to Bmby client {client} now, so it is \
                     already in Bmby"
                ));
                cx.save(ChangeState::Failed)?;
                return Ok(ChangeState::Failed);
            }
        }
    }
    let r = match &cx.change.subject {
        Subject::Task { .. } | Subject::Note { .. } if lead_only => {
            Err(BmbySoapError::Config(NOT_CONFIGURED.into()))
        }
        Subject::Task { .. } => new_task(cx, bmby, TaskType::Task).await?,
        Subject::Note { .. } => new_task(cx, bmby, TaskType::Comment).await?,
        Subject::Contact if lead_only => add_client(cx, bmby).await?,
        Subject::Contact => insert(cx, bmby).await?,
        Subject::Op(_) => Err(BmbySoapError::Config(
            "a GHL contact operation cannot be written to Bmby".into(),
        )),
    };
    match r {
        Ok(()) => {
            cx.save(ChangeState::Applied)?;
            Ok(ChangeState::Applied)
        }
        Err(e) => {
            // Only a call that cannot have been carried out is worth another run on its own: a
            // refused connection or a 503 (the client already retried them). A dropped connection, a timeout or another
            // 5xx may have come after Bmby stored the write, so resending could duplicate it.
            let (state, note) = match &e {
                e if e.never_arrived() => (ChangeState::Approved, ""),
                BmbySoapError::Transport { .. } | BmbySoapError::Http { .. } => (
                    ChangeState::Failed,
                    "; no complete answer, so the write may have reached Bmby: check the \
                     client in Bmby, then approve again to resend",
                ),
                _ => (ChangeState::Failed, ""),
            };
            cx.info.last_error = Some(format!("Bmby: {e}{note}"));
            cx.save(state)?;
            Ok(state)
        }
    }
}

async fn new_task(
    cx: &mut Ctx<'_>,
    bmby: &BmbySoapClient,
    kind: TaskType,
) -> Result<Result<(), BmbySoapError>, StoreError> {
    let contact = cx
        .change
        .contact_id
        .as_deref()
        .and_then(|id| cx.store.contact(id).ok().flatten());
    let get = |f: &str| cx.change.proposed(f).unwrap_or_default().to_owned();
    let body = get("body");
    let subject = match get("title") {
        t if !t.is_empty() => t,
        _ => body
            .lines()
            .next()
            .unwrap_or_default()
            .chars()
            .take(80)
            .collect(),
    };
    let when = israel_local(cx.change.proposed("dueDate"));
    let input = NewTaskInput {
        user_id: String::new(),
        media_id: String::new(),
        client_id: cx.change.client_id.clone(),
        task_type: kind,
        designation: "2".into(),
        name: contact
            .as_ref()
            .map(|c| c.display_name())
            .unwrap_or_else(|| cx.change.display_name.clone()),
        phone: contact
            .as_ref()
            .and_then(|c| c.phone.clone())
            .unwrap_or_default(),
        email: contact
            .as_ref()
            .and_then(|c| c.email.clone())
            .unwrap_or_default(),
        location: String::new(),
        start: when,
        end: when,
        subject,
        message: body,
        priority: "medium".into(),
    };
    let r = bmby.new_task(&input).await;
    let fields = [
        "UniqID",
        "Type",
        "Subject",
        "Message",
        "StartDate",
        "EndDate",
    ]
    .map(String::from)
    .to_vec();
    journal(
        cx,
        format!(
            "Bmby NewTask ({}) client {}",
            kind.as_str(),
            cx.change.client_id
        ),
        fields,
        r.as_ref()
            .map(|()| "applied".to_owned())
            .map_err(|e| e.to_string()),
    )?;
    Ok(r)
}

async fn insert(
    cx: &mut Ctx<'_>,
    bmby: &BmbySoapClient,
) -> Result<Result<(), BmbySoapError>, StoreError> {
    let mut json = serde_json::Map::new();
    for f in &cx.change.fields {
        if let Some(v) = &f.proposed {
            json.insert(f.field.clone(), serde_json::json!({ "value": v }));
        }
    }
    let fields: Vec<String> = json.keys().cloned().collect();
    let r = bmby.insert_client(serde_json::Value::Object(json)).await;
    journal(
        cx,
        "Bmby Insert".into(),
        fields,
        r.as_ref()
            .map(|id| format!("created client {id}"))
            .map_err(|e| e.to_string()),
    )?;
    let client_id = match r {
        Ok(id) => id,
        Err(e) => return Ok(Err(e)),
    };
    if let Some(contact) = cx.change.contact_id.clone() {
        cx.store.put_link(&client_id, &contact)?;
    }
    cx.change.client_id = client_id;
    Ok(Ok(()))
}

async fn add_client(
    cx: &mut Ctx<'_>,
    bmby: &BmbySoapClient,
) -> Result<Result<(), BmbySoapError>, StoreError> {
    let get = |f: &str| cx.change.proposed(f).unwrap_or_default().to_owned();
    let lead = AddClientInput {
        fname: get("fname"),
        lname: get("lname"),
        phone: get("phone_mobile"),
        email: get("email"),
        media_title: "GoHighLevel".into(),
        comments: String::new(),
        extra: Vec::new(),
    };
    let r = bmby.add_client(&lead).await;
    journal(
        cx,
        "Bmby AddClient".into(),
        ["Fname", "Lname", "Phone", "Email", "MediaTitle"]
            .map(String::from)
            .to_vec(),
        r.as_ref()
            .map(|_| "lead sent; its Bmby client_id is learnt on the next read".to_owned())
            .map_err(|e| e.to_string()),
    )?;
    Ok(r.map(|_| ()))
}
