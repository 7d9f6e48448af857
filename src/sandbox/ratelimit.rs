//! Per-location rate limiter and the `X-RateLimit-*` headers (ghl-api.md §6).
//!
//! OUR CHOICE (GHL's algorithm is not documented): a fixed burst window that starts with the
//! first request after the previous window ended, and a daily counter that resets 24 h after
//! its first request. Requests refused with 429 don't use up budget.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderValue};

const DAY: Duration = Duration::from_secs(24 * 60 * 60);

#[derive(Debug)]
struct Window {
    burst_start: Instant,
    burst_used: u32,
    day_start: Instant,
    day_used: u32,
}

/// Counters for every location seen.
#[derive(Debug)]
pub struct RateLimiter {
    max: u32,
    interval: Duration,
    daily: u32,
    windows: HashMap<String, Window>,
}

/// The header values to send, and whether the request may proceed.
#[derive(Debug, Clone, Copy)]
pub struct Verdict {
    pub allowed: bool,
    pub max: u32,
    pub remaining: u32,
    pub interval_ms: u64,
    pub daily_limit: u32,
    pub daily_remaining: u32,
}

impl RateLimiter {
    pub fn new(max: u32, interval: Duration, daily: u32) -> Self {
        RateLimiter {
            max,
            interval,
            daily,
            windows: HashMap::new(),
        }
    }

    fn window(&mut self, location: &str, now: Instant) -> &mut Window {
        let w = self
            .windows
            .entry(location.to_string())
            .or_insert_with(|| Window {
                burst_start: now,
                burst_used: 0,
                day_start: now,
                day_used: 0,
            });
        if now.duration_since(w.burst_start) >= self.interval {
            w.burst_start = now;
            w.burst_used = 0;
        }
        if now.duration_since(w.day_start) >= DAY {
            w.day_start = now;
            w.day_used = 0;
        }
        w
    }

    fn verdict(&self, w: &Window, allowed: bool) -> Verdict {
        Verdict {
            allowed,
            max: self.max,
            remaining: self.max.saturating_sub(w.burst_used),
            interval_ms: self.interval.as_millis() as u64,
            daily_limit: self.daily,
            daily_remaining: self.daily.saturating_sub(w.day_used),
        }
    }

    /// Count one request for `location` if budget is left.
    pub fn hit(&mut self, location: &str) -> Verdict {
        let (max, daily) = (self.max, self.daily);
        let w = self.window(location, Instant::now());
        let allowed = w.burst_used < max && w.day_used < daily;
        if allowed {
            w.burst_used += 1;
            w.day_used += 1;
        }
        let w = &self.windows[location];
        self.verdict(w, allowed)
    }

    /// Current state without counting (for responses to requests that can't be attributed).
    pub fn peek(&mut self, location: &str) -> Verdict {
        self.window(location, Instant::now());
        let w = &self.windows[location];
        self.verdict(w, true)
    }
}

impl Verdict {
    /// Write the five `X-RateLimit-*` headers.
    pub fn apply(&self, h: &mut HeaderMap) {
        let mut set = |name: &'static str, v: u64| {
            h.insert(name, HeaderValue::from(v));
        };
        set("x-ratelimit-limit-daily", self.daily_limit as u64);
        set("x-ratelimit-daily-remaining", self.daily_remaining as u64);
        set("x-ratelimit-interval-milliseconds", self.interval_ms);
        set("x-ratelimit-max", self.max as u64);
        set("x-ratelimit-remaining", self.remaining as u64);
    }
}
