//! Runtime fault switches ([`Faults`]) and the responses they produce.
//!
//! Faults act in front of everything else (before auth and rate limiting), like trouble in the
//! network or load balancer in front of GHL. Precedence when several are armed: drop, then 502,
//! then 429 storm. `slow` delays every reply (including faulted ones).

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// Fault switches, shared with the running server; flip them at any time.
#[derive(Debug, Default)]
pub struct Faults {
    storm_429: AtomicU32,
    bad_gateway: AtomicU32,
    drop: AtomicU32,
    drop_after: AtomicU32,
    slow_ms: AtomicU64,
    dropped_field: std::sync::Mutex<Option<String>>,
}

/// What the gate should do with the next request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Injected {
    None,
    Drop,
    BadGateway,
    Storm429,
}

/// Atomically take one unit from a counter if it is positive.
fn take(c: &AtomicU32) -> bool {
    c.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
}

impl Faults {
    /// The next `n` requests get 429 `{"statusCode":429,"message":"Too many requests"}` with the
    /// rate-limit headers and `X-RateLimit-Remaining: 0` (without using up the real budget).
    pub fn set_429_storm(&self, n: u32) {
        self.storm_429.store(n, Ordering::SeqCst);
    }

    /// The next `n` requests get 502 with a load balancer's HTML body
    /// (`<html><body><h1>502 Bad Gateway</h1></body></html>`, `content-type: text/html`) and no
    /// GHL headers.
    pub fn set_5xx(&self, n: u32) {
        self.bad_gateway.store(n, Ordering::SeqCst);
    }

    /// Delay every reply by `d` (`Duration::ZERO` = off).
    pub fn set_slow(&self, d: Duration) {
        self.slow_ms
            .store(d.as_millis().min(u64::MAX as u128) as u64, Ordering::SeqCst);
    }

    /// The next `n` requests: the connection is aborted mid-response (status line not
    /// completed; the body stream fails), so the client sees a transport error.
    pub fn set_drop(&self, n: u32) {
        self.drop.store(n, Ordering::SeqCst);
    }

    /// The next `n` requests are carried out, then the connection is aborted before the answer
    /// arrives: the client cannot know whether a write happened (a timeout after the fact).
    pub fn set_drop_after(&self, n: u32) {
        self.drop_after.store(n, Ordering::SeqCst);
    }

    /// Writes silently ignore this contact field (GHL accepts some fields and drops them, e.g.
    /// `gender` on upsert of an existing contact); `None` turns it off.
    pub fn set_dropped_field(&self, field: Option<&str>) {
        *self.dropped_field.lock().expect("faults lock") = field.map(str::to_owned);
    }

    pub(crate) fn dropped_field(&self) -> Option<String> {
        self.dropped_field.lock().expect("faults lock").clone()
    }

    pub(crate) fn take_drop_after(&self) -> bool {
        take(&self.drop_after)
    }

    /// Turn every fault off.
    pub fn clear(&self) {
        self.drop_after.store(0, Ordering::SeqCst);
        *self.dropped_field.lock().expect("faults lock") = None;
        self.storm_429.store(0, Ordering::SeqCst);
        self.bad_gateway.store(0, Ordering::SeqCst);
        self.drop.store(0, Ordering::SeqCst);
        self.slow_ms.store(0, Ordering::SeqCst);
    }

    pub(crate) fn slow(&self) -> Duration {
        Duration::from_millis(self.slow_ms.load(Ordering::SeqCst))
    }

    pub(crate) fn next(&self) -> Injected {
        if take(&self.drop) {
            Injected::Drop
        } else if take(&self.bad_gateway) {
            Injected::BadGateway
        } else if take(&self.storm_429) {
            Injected::Storm429
        } else {
            Injected::None
        }
    }
}

/// 502 from "the load balancer": HTML body, `content-type: text/html`.
pub(crate) fn bad_gateway() -> Response {
    (
        StatusCode::BAD_GATEWAY,
        [(header::CONTENT_TYPE, "text/html")],
        "<html><body><h1>502 Bad Gateway</h1></body></html>",
    )
        .into_response()
}

/// A response whose body stream fails on its first poll: hyper aborts the connection.
pub(crate) fn dropped() -> Response {
    let stream = futures::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "sandbox fault: connection dropped",
        ))
    });
    Response::new(Body::from_stream(stream))
}
