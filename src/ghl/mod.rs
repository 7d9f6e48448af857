//! GHL API v2 client (host `services.leadconnectorhq.com`): wire types, errors, rate limiting.
pub mod ratelimit;

pub use ratelimit::RateBudget;
