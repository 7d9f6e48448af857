//! Fault switches of the Bmby stand-in ([`BmbyFaults`]) and the responses they produce.
//!
//! Precedence when several are armed: drop, then 502, then SOAP Fault; `stuck_cursor` only
//! changes `GetAll`/`GetAllJson` answers. Drop and 502 act on every endpoint (AddClient too);
//! the SOAP Fault only on the SOAP endpoints.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use axum::body::{Body, Bytes};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// Fault switches, shared with the running server; flip them at any time.
#[derive(Debug, Default)]
pub struct BmbyFaults {
    bad_gateway: AtomicU32,
    drop: AtomicU32,
    fault: AtomicU32,
    stuck: AtomicBool,
}

/// What to do with the next request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Injected {
    None,
    Drop,
    BadGateway,
}

fn take(c: &AtomicU32) -> bool {
    c.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
}

impl BmbyFaults {
    /// The next `n` requests get HTTP 502 with a proxy's HTML body
    /// (`<html><body><h1>502 Bad Gateway</h1></body></html>`, `content-type: text/html`).
    pub fn set_5xx(&self, n: u32) {
        self.bad_gateway.store(n, Ordering::SeqCst);
    }

    /// The next `n` requests: the connection is aborted before a response is completed.
    pub fn set_drop(&self, n: u32) {
        self.drop.store(n, Ordering::SeqCst);
    }

    /// The next `n` SOAP requests get HTTP 500 with a SOAP Fault
    /// (`faultcode` `SOAP-ENV:Server`, `faultstring` `Internal Server Error`).
    pub fn set_fault(&self, n: u32) {
        self.fault.store(n, Ordering::SeqCst);
    }

    /// While on, `GetAll`/`GetAllJson` return their rows but echo the `UniqID` sent as
    /// `LastUniqID` (a cursor that never advances).
    pub fn set_stuck_cursor(&self, on: bool) {
        self.stuck.store(on, Ordering::SeqCst);
    }

    /// Turn every fault off.
    pub fn clear(&self) {
        self.bad_gateway.store(0, Ordering::SeqCst);
        self.drop.store(0, Ordering::SeqCst);
        self.fault.store(0, Ordering::SeqCst);
        self.stuck.store(false, Ordering::SeqCst);
    }

    pub(crate) fn next(&self) -> Injected {
        if take(&self.drop) {
            Injected::Drop
        } else if take(&self.bad_gateway) {
            Injected::BadGateway
        } else {
            Injected::None
        }
    }

    pub(crate) fn take_fault(&self) -> bool {
        take(&self.fault)
    }

    pub(crate) fn stuck(&self) -> bool {
        self.stuck.load(Ordering::SeqCst)
    }
}

/// 502 from "the load balancer": HTML body.
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
            "bmby sandbox fault: connection dropped",
        ))
    });
    Response::new(Body::from_stream(stream))
}
