//! The outbox runner: takes queued changes one by one, moves each through
//! `approved → in_flight → applied | failed | conflict` (every state written and flushed before
//! the next network step) and hands it to the writer for its kind.

use crate::bmby::soap::BmbySoapClient;
use crate::domain::{Change, ChangeKind, ChangeState, JournalEntry, OutboxInfo, Subject, Target};
use crate::ghl::{ErrorKind, GhlClient, GhlError, WriteResult};
use crate::store::{Store, StoreError};

/// Why dispatching stopped (single changes' failures are recorded on them instead).
#[derive(Debug, thiserror::Error)]
pub enum DispatchError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// GHL refused the token (401) or there is none to use: every further write would be
    /// refused too, so the run stops. The change stays approved (nothing was written).
    #[error("{0}; nothing more was sent and the changes stay approved")]
    Unauthorized(String),
}

/// What one dispatch run did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct DispatchSummary {
    pub applied: usize,
    pub failed: usize,
    pub conflicts: usize,
}

pub(crate) fn now() -> String {
    jiff::Timestamp::now().to_string()
}

/// Dispatches every queued change (approved or in flight), oldest first. Bmby write-backs wait
/// (stay approved) without a Bmby client; see [`dispatch_all_with`].
pub async fn dispatch_all(
    client: &GhlClient,
    store: &Store,
) -> Result<DispatchSummary, DispatchError> {
    dispatch_all_with(client, None, store).await
}

/// [`dispatch_all`] with a Bmby SOAP client for write-backs.
pub async fn dispatch_all_with(
    client: &GhlClient,
    bmby: Option<&BmbySoapClient>,
    store: &Store,
) -> Result<DispatchSummary, DispatchError> {
    let mut s = DispatchSummary::default();
    for id in queued_ids(store)? {
        match dispatch_one_with(client, bmby, store, id).await? {
            ChangeState::Applied => s.applied += 1,
            ChangeState::Conflict => s.conflicts += 1,
            ChangeState::Failed => s.failed += 1,
            _ => {}
        }
    }
    Ok(s)
}

/// The ids of every queued change (approved or in flight), oldest first: what a run sends.
pub fn queued_ids(store: &Store) -> Result<Vec<u64>, StoreError> {
    Ok(store
        .changes()?
        .into_iter()
        .filter(|c| c.state.is_queued())
        .map(|c| c.id)
        .collect())
}

pub(crate) struct Ctx<'a> {
    pub(crate) client: &'a GhlClient,
    pub(crate) store: &'a Store,
    pub(crate) change: Change,
    pub(crate) info: OutboxInfo,
    /// Set when GHL refused the token: the run must stop after this change.
    pub(crate) unauthorized: Option<String>,
    /// What was read from GHL just before the write, for the journal's `before` values.
    pub(crate) before: crate::sync::journal::ReadBefore,
}

impl Ctx<'_> {
    pub(crate) fn save(&mut self, state: ChangeState) -> Result<(), StoreError> {
        self.change.state = state;
        self.change.updated_at = now();
        self.store.put_dispatch(&self.change, &self.info)
    }

    /// Appends a journal line for a request and its result.
    pub(crate) fn journal(
        &self,
        request: String,
        fields: Vec<String>,
        r: &Result<WriteResult, GhlError>,
        outcome: &str,
    ) -> Result<(), StoreError> {
        match r {
            Ok(w) => self.append(
                request,
                fields,
                Some(200),
                w.trace_id.clone(),
                outcome,
                w.contact.as_ref(),
            ),
            Err(e) => self.journal_err(request, fields, e, outcome),
        }
    }

    /// Appends a journal line for an operation's write GHL answered, with what it changed per
    /// contact (kept in the entry's `snapshot`, read back by the revert).
    pub(crate) fn journal_effect(
        &self,
        request: String,
        fields: Vec<String>,
        w: &WriteResult,
        outcome: &str,
        effect: &crate::domain::OpEffect,
    ) -> Result<(), StoreError> {
        let mut e = self.entry(
            request,
            fields,
            Some(200),
            w.trace_id.clone(),
            outcome,
            None,
        );
        e.snapshot = serde_json::to_value(effect).ok();
        self.store.append_journal(e)?;
        Ok(())
    }

    /// Appends a journal line for a request that failed with `e`.
    pub(crate) fn journal_err(
        &self,
        request: String,
        fields: Vec<String>,
        e: &GhlError,
        outcome: &str,
    ) -> Result<(), StoreError> {
        let trace_id = match e {
            GhlError::Api { trace_id, .. } => trace_id.clone(),
            _ => None,
        };
        self.append(request, fields, e.status(), trace_id, outcome, None)
    }

    /// Appends a journal line that records a decision rather than an answer (no status).
    pub(crate) fn append_note(&self, request: &str, outcome: &str) -> Result<(), StoreError> {
        self.append(request.to_owned(), Vec::new(), None, None, outcome, None)
    }

    fn append(
        &self,
        request: String,
        fields_sent: Vec<String>,
        status: Option<u16>,
        trace_id: Option<String>,
        outcome: &str,
        answer: Option<&crate::domain::Contact>,
    ) -> Result<(), StoreError> {
        let e = self.entry(request, fields_sent, status, trace_id, outcome, answer);
        self.store.append_journal(e)?;
        Ok(())
    }

    fn entry(
        &self,
        request: String,
        fields_sent: Vec<String>,
        status: Option<u16>,
        trace_id: Option<String>,
        outcome: &str,
        answer: Option<&crate::domain::Contact>,
    ) -> JournalEntry {
        let mut e = JournalEntry {
            seq: 0,
            change_id: self.change.id,
            request,
            fields_sent,
            status,
            trace_id,
            outcome: outcome.to_owned(),
            at: now(),
            ..Default::default()
        };
        crate::sync::journal::describe(&mut e, &self.change, &self.info, &self.before, answer);
        e
    }

    /// Records a failure of an idempotent step (a read, an update, a delete, tags), by the
    /// error's [`ErrorKind`]: GHL's refusals (400/403/422, a missing contact, the daily limit)
    /// fail the change; trouble on the way (429, 5xx, no answer) after the client's retries
    /// leaves it approved for the next run, with the error shown; a refused token (401) or no
    /// usable one (the location needs sign-in) leaves it approved and stops the run.
    /// Non-idempotent writes resolve an unknown outcome before they get here.
    pub(crate) fn fail(&mut self, e: &GhlError) -> Result<ChangeState, StoreError> {
        self.info.last_error = Some(e.to_string());
        let state = match e.kind() {
            ErrorKind::Unauthorized => {
                // GHL wrote nothing and would refuse every other change the same way.
                self.unauthorized = Some(e.to_string());
                ChangeState::Approved
            }
            ErrorKind::NotArrived | ErrorKind::UnknownOutcome => ChangeState::Approved,
            ErrorKind::Refused | ErrorKind::NotFound | ErrorKind::BadAnswer => ChangeState::Failed,
        };
        self.save(state)?;
        Ok(state)
    }
}

/// Dispatches one change if it is queued; returns its state afterwards. Bmby write-backs stay
/// approved (no Bmby client here); see [`dispatch_one_with`].
pub async fn dispatch_one(
    client: &GhlClient,
    store: &Store,
    id: u64,
) -> Result<ChangeState, DispatchError> {
    dispatch_one_with(client, None, store, id).await
}

/// [`dispatch_one`] with a Bmby SOAP client for write-backs.
pub async fn dispatch_one_with(
    client: &GhlClient,
    bmby: Option<&BmbySoapClient>,
    store: &Store,
    id: u64,
) -> Result<ChangeState, DispatchError> {
    // One dispatch per cache at a time in this process; the state is read after the turn.
    let _turn = super::one_at_a_time::turn(store).await;
    let Some(change) = store.change(id)? else {
        return Ok(ChangeState::Cancelled);
    };
    if !change.state.is_queued() {
        return Ok(change.state);
    }
    let info = store.outbox_info(id)?;
    let mut cx = Ctx {
        client,
        store,
        change,
        info,
        unauthorized: None,
        before: Default::default(),
    };
    // A change already in flight may have reached GHL before a crash: its outcome is unknown.
    let resumed = cx.change.state == ChangeState::InFlight;
    cx.info.attempts += 1;
    cx.save(ChangeState::InFlight)?;
    let state = if cx.change.target == Target::Bmby {
        super::bmby::dispatch(&mut cx, bmby, resumed).await?
    } else if matches!(cx.change.subject, Subject::Op(_)) {
        super::ops::dispatch(&mut cx, resumed).await?
    } else if cx.change.subject != Subject::Contact {
        super::activity::dispatch(&mut cx, resumed).await?
    } else {
        match cx.change.kind {
            ChangeKind::Create => super::create::create(&mut cx, resumed).await?,
            ChangeKind::Update => super::contact::update(&mut cx).await?,
            ChangeKind::Delete => super::contact::delete(&mut cx).await?,
            ChangeKind::Ambiguous => {
                cx.info.last_error = Some("ambiguous match: choose a contact first".into());
                cx.save(ChangeState::Failed)?;
                ChangeState::Failed
            }
        }
    };
    match cx.unauthorized {
        Some(why) => Err(DispatchError::Unauthorized(why)),
        None => Ok(state),
    }
}
