//! Pacing from GHL's `X-RateLimit-*` response headers.

/// The budget GHL reported on the last response (all counts in requests).
///
/// Headers: `X-RateLimit-Max` (burst size), `X-RateLimit-Remaining` (left in this burst
/// window), `X-RateLimit-Interval-Milliseconds` (window length), `X-RateLimit-Limit-Daily`,
/// `X-RateLimit-Daily-Remaining`. Defaults: 100 per 10 000 ms, 200 000 per day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RateBudget {
    pub max: Option<u32>,
    pub remaining: Option<u32>,
    pub interval_ms: Option<u64>,
    pub daily_limit: Option<u32>,
    pub daily_remaining: Option<u32>,
}
