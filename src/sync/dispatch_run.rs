//! Dispatching a list of queued changes one by one, telling the caller as each one lands and
//! stopping cleanly when asked (`bmby-ghl apply` on Ctrl-C or SIGTERM).
//!
//! A stop is honoured **between** two changes only: the change in flight finishes every step
//! of [`dispatch_one_with`] (its state is saved by the outbox as it goes), then the run ends
//! and the rest stay as they were (approved), for the next run. Kept apart from
//! [`super::dispatch`] so that the single-change logic there can change freely.

use std::sync::atomic::{AtomicBool, Ordering};

use super::dispatch::{dispatch_one_with, DispatchError};
use crate::bmby::soap::BmbySoapClient;
use crate::domain::{Change, ChangeState};
use crate::ghl::GhlClient;
use crate::store::Store;

/// What a run over a list of changes did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DispatchRun {
    /// Each change tried, in order, with its state afterwards (`Approved`: it still waits,
    /// e.g. trouble on the way or a Bmby write-back without a login).
    pub done: Vec<(u64, ChangeState)>,
    /// The ids never tried because the run stopped first (stop flag or refused token).
    pub not_tried: Vec<u64>,
    /// True when the stop flag ended the run before every change was tried.
    pub stopped: bool,
    /// GHL refused the token (401) or there was none: the run stopped at once; the text says
    /// why. The change being sent stays approved (nothing was written).
    pub unauthorized: Option<String>,
}

impl DispatchRun {
    /// How many changes ended in state `s`.
    pub fn count(&self, s: ChangeState) -> usize {
        self.done.iter().filter(|(_, x)| *x == s).count()
    }
}

/// Dispatches the changes `ids` in order through [`dispatch_one_with`] (each one only if it is
/// queued: approved or in flight), calling `on_done(change, state)` as each one lands (the
/// change as stored afterwards). Before each change `stop` is read: once it is true, no further
/// change is started and the run returns with [`DispatchRun::stopped`] set.
///
/// Errors: the store failing ([`DispatchError::Store`]). A refused token is not an error here:
/// it ends the run with [`DispatchRun::unauthorized`] set, after reporting that change (still
/// approved) to `on_done`.
pub async fn dispatch_each(
    client: &GhlClient,
    bmby: Option<&BmbySoapClient>,
    store: &Store,
    ids: &[u64],
    stop: &AtomicBool,
    mut on_done: impl FnMut(&Change, ChangeState),
) -> Result<DispatchRun, DispatchError> {
    let mut run = DispatchRun::default();
    for (n, &id) in ids.iter().enumerate() {
        if stop.load(Ordering::SeqCst) {
            run.stopped = true;
            run.not_tried = ids[n..].to_vec();
            break;
        }
        let state = match dispatch_one_with(client, bmby, store, id).await {
            Ok(state) => state,
            Err(DispatchError::Unauthorized(why)) => {
                run.unauthorized = Some(why);
                ChangeState::Approved
            }
            Err(e) => return Err(e),
        };
        run.done.push((id, state));
        if let Some(c) = store.change(id)? {
            on_done(&c, state);
        }
        if run.unauthorized.is_some() {
            run.not_tried = ids[n + 1..].to_vec();
            break;
        }
    }
    Ok(run)
}

/// Every queued change (approved or in flight), oldest first, through [`dispatch_each`]:
/// [`super::dispatch::dispatch_all_with`] with a per-change callback and a stop flag.
pub async fn dispatch_all_each(
    client: &GhlClient,
    bmby: Option<&BmbySoapClient>,
    store: &Store,
    stop: &AtomicBool,
    on_done: impl FnMut(&Change, ChangeState),
) -> Result<DispatchRun, DispatchError> {
    let queued = super::dispatch::runner::queued_ids(store)?;
    dispatch_each(client, bmby, store, &queued, stop, on_done).await
}
