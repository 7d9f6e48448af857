//! Sending a Contacts API operation change ([`crate::domain::ContactOp`]): workflows,
//! campaigns, followers, business association, bulk tags, upsert.

use super::runner::Ctx;
use crate::domain::ChangeState;
use crate::store::StoreError;

/// Sends the operation of `cx.change` (`Subject::Op`). `resumed`: the change was in flight when
/// the last run stopped, so its outcome is unknown.
pub(super) async fn dispatch(cx: &mut Ctx<'_>, _resumed: bool) -> Result<ChangeState, StoreError> {
    cx.info.last_error = Some("this operation cannot be sent yet".into());
    cx.save(ChangeState::Failed)?;
    Ok(ChangeState::Failed)
}
