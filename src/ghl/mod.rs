//! GHL API v2 client (host `services.leadconnectorhq.com`): auth, wire types, errors, rate
//! limiting. Never imports the UI.
pub mod auth;
pub mod client;
pub mod error;
pub mod ratelimit;
pub mod secret;
pub mod wire;

pub use auth::{PrivateIntegrationToken, TokenProvider};
pub use client::{
    ApiFamily, ClientConfig, ClientNotice, GhlClient, SearchPage, SearchRequest, DEFAULT_BASE_URL,
};
pub use error::GhlError;
pub use ratelimit::{RateBudget, RateLimiter};
pub use secret::Secret;
