//! GHL API v2 client (host `services.leadconnectorhq.com`): auth, wire types, errors, rate
//! limiting. Never imports the UI.
// GhlError keeps GHL's whole answer (messages, traceId, meta, advice): errors are the cold
// path, and boxing them would only move the allocation.
#![allow(clippy::result_large_err)]
pub mod activity_writes;
pub mod auth;
pub mod client;
pub mod error;
pub mod location;
pub mod op_writes;
pub mod ratelimit;
pub mod scopes;
pub mod secret;
pub mod wire;
pub mod wire_tree;
pub mod write;

pub use activity_writes::ActivityWrite;
pub use auth::{PrivateIntegrationToken, TokenProvider};
pub use client::{
    parse_search_page, ApiFamily, ClientConfig, ClientNotice, GhlClient, SearchPage, SearchRequest,
    WriteResult, DEFAULT_BASE_URL,
};
pub use error::{ErrorKind, GhlError};
pub use op_writes::{BulkTagResult, BulkTagsAnswer};
pub use ratelimit::{background, interactive, Priority, RateBudget, RateLimiter};
pub use secret::Secret;
pub use write::{GhlRequest, WriteClass};
