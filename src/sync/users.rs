//! The location's users refreshed with the contacts: every contacts pull (the TUI worker's and
//! `bmby-ghl sync`) also fetches `GET /users/?locationId=` (scope `users.readonly`) into the
//! cache ([`super::ops::ListKind::Users`]), so owners, assignees and followers read as names.
//!
//! A failure (a missing scope, GHL down) is the caller's to report; it never fails the pull,
//! and the users cached before stay.

use crate::ghl::{GhlClient, GhlError};
use crate::store::Store;

use super::ops::{fetch_list, put_list, ListKind};

/// Fetches the location's users (`GET /users/?locationId=`, every page) into the cache; how many
/// there are. Errors: GHL's (a missing `users.readonly` scope names the scope); the cached list
/// is then kept. A store error while caching is logged, not returned (the names are a
/// convenience, the pull is what matters).
pub async fn refresh_users(client: &GhlClient, store: &Store) -> Result<usize, GhlError> {
    let users = fetch_list(client, ListKind::Users).await?;
    if let Err(e) = put_list(store, ListKind::Users, &users) {
        tracing::warn!(error = %e, "users list not cached");
    }
    Ok(users.len())
}
