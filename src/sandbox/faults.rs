//! Runtime fault switches ([`Faults`]) and the responses they produce.
//!
//! Faults act in front of everything else (before auth and rate limiting), like trouble in the
//! network or load balancer in front of GHL. Precedence when several are armed: drop, then 502,
//! then 429 storm. `slow` delays every reply (including faulted ones).
//!
//! **After-acting faults** ([`AfterActing`]) act on *writes* only (`POST`, `PUT`, `DELETE`,
//! except the read-only `POST /contacts/search`), after the stand-in carried the write out: the
//! connection is dropped, a 5xx is answered, or the answer is held past the client's timeout.
//! Each is armed by count ([`Faults::set_after_acting`]) or by a seeded percentage of writes
//! ([`Faults::set_after_acting_percent`]); counts are used up first.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use axum::body::{Body, Bytes};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// Fault switches, shared with the running server; flip them at any time.
#[derive(Debug, Default)]
pub struct Faults {
    storm_429: AtomicU32,
    bad_gateway: AtomicU32,
    drop: AtomicU32,
    slow_ms: AtomicU64,
    dropped_field: std::sync::Mutex<Option<String>>,
    after: Mutex<AfterState>,
}

/// What happens to a write's answer after the stand-in carried the write out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterActing {
    /// The connection is aborted before the answer arrives (the client sees a transport error).
    Drop,
    /// A load balancer's 502 (HTML body) is answered instead of GHL's answer.
    ServerError,
    /// The answer is held for [`Faults::set_hold`] (5 s by default) — past a short client
    /// timeout — and then sent.
    Timeout,
}

const AFTER_KINDS: [AfterActing; 3] = [
    AfterActing::Drop,
    AfterActing::ServerError,
    AfterActing::Timeout,
];

fn slot(k: AfterActing) -> usize {
    match k {
        AfterActing::Drop => 0,
        AfterActing::ServerError => 1,
        AfterActing::Timeout => 2,
    }
}

#[derive(Debug)]
struct AfterState {
    counts: [u32; 3],
    percent: [u32; 3],
    rng: StdRng,
    hold: Duration,
}

impl Default for AfterState {
    fn default() -> Self {
        AfterState {
            counts: [0; 3],
            percent: [0; 3],
            rng: StdRng::seed_from_u64(0),
            hold: Duration::from_secs(5),
        }
    }
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

    /// The next `n` writes are carried out, then the connection is aborted before the answer
    /// arrives: the client cannot know whether a write happened. Same as
    /// `set_after_acting(AfterActing::Drop, n)`.
    pub fn set_drop_after(&self, n: u32) {
        self.set_after_acting(AfterActing::Drop, n);
    }

    /// The next `n` writes are carried out, then their answer is lost the way `kind` says.
    pub fn set_after_acting(&self, kind: AfterActing, n: u32) {
        self.after.lock().expect("faults lock").counts[slot(kind)] = n;
    }

    /// From now on `percent` % of writes (0–100) are carried out and then lose their answer the
    /// way `kind` says, chosen by a random generator seeded with `seed` (the same seed and the
    /// same writes give the same choices). `percent` 0 turns it off.
    pub fn set_after_acting_percent(&self, kind: AfterActing, percent: u32, seed: u64) {
        let mut a = self.after.lock().expect("faults lock");
        a.percent[slot(kind)] = percent.min(100);
        a.rng = StdRng::seed_from_u64(seed);
    }

    /// How long [`AfterActing::Timeout`] holds an answer (5 s by default).
    pub fn set_hold(&self, d: Duration) {
        self.after.lock().expect("faults lock").hold = d;
    }

    /// The after-acting fault for one write just carried out, if any; with it the hold time.
    pub(crate) fn take_after_acting(&self) -> Option<(AfterActing, Duration)> {
        let mut a = self.after.lock().expect("faults lock");
        let hold = a.hold;
        for k in AFTER_KINDS {
            if a.counts[slot(k)] > 0 {
                a.counts[slot(k)] -= 1;
                return Some((k, hold));
            }
        }
        let roll = a.rng.random_range(0..100u32);
        let mut edge = 0;
        for k in AFTER_KINDS {
            edge += a.percent[slot(k)];
            if roll < edge {
                return Some((k, hold));
            }
        }
        None
    }

    /// Writes silently ignore this contact field (GHL accepts some fields and drops them, e.g.
    /// `gender` on upsert of an existing contact); `None` turns it off.
    pub fn set_dropped_field(&self, field: Option<&str>) {
        *self.dropped_field.lock().expect("faults lock") = field.map(str::to_owned);
    }

    pub(crate) fn dropped_field(&self) -> Option<String> {
        self.dropped_field.lock().expect("faults lock").clone()
    }

    /// Turn every fault off.
    pub fn clear(&self) {
        *self.after.lock().expect("faults lock") = AfterState::default();
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
