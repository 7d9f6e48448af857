//! Finishing the authorization-code grant: the loopback redirect listener and the pasted
//! redirect URL.
//!
//! - [`new_state`]: a random `state` (32 bytes of the OS RNG, URL-safe), single use.
//! - [`Listener`]: an HTTP listener bound to `127.0.0.1` only. It answers every request; the
//!   first `GET` on the redirect path whose `state` matches ends it with the `code`. A missing
//!   or wrong `state` gets 400 and is not used (the real redirect may still come); anything else
//!   gets 404. [`Listener::wait`] gives up after a timeout.
//! - [`parse_pasted`]: what a user pastes from the browser's address bar (the whole redirect
//!   URL, checked against `state` — it must carry the right one) or the bare code.

use std::net::SocketAddr;
use std::time::Duration;

use rand::RngCore;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::sanitize::clean_line;

/// Why no code came back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FinishError {
    #[error("the redirect has no `state`; refusing it (it may not come from this sign-in)")]
    MissingState,
    #[error(
        "the redirect's `state` does not match this sign-in; refusing it (paste the URL GHL \
         redirected to after the link this `auth login` printed: each sign-in has its own; a \
         URL cut short also fails this check)"
    )]
    WrongState,
    #[error("GHL did not authorize: {0}")]
    Denied(String),
    #[error("the redirect has no `code` (was the URL cut short? paste all of it)")]
    MissingCode,
    #[error("no redirect arrived within {0} s; run `bmby-ghl auth login` again")]
    Timeout(u64),
    #[error("nothing was pasted; run `bmby-ghl auth login --no-browser` again")]
    Empty,
    #[error("redirect listener: {0}")]
    Io(String),
}

/// A fresh random `state` (256 bits, base64url without padding alphabet, 43 characters).
pub fn new_state() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(43);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for byte in b {
        acc = (acc << 8) | byte as u32;
        bits += 8;
        while bits >= 6 {
            bits -= 6;
            out.push(A[((acc >> bits) & 63) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(A[((acc << (6 - bits)) & 63) as usize] as char);
    }
    out
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

/// Checks the query pairs of a redirect: `error` → denied; `state` must equal `expected`;
/// returns the `code`.
pub fn check_redirect(pairs: &[(String, String)], expected: &str) -> Result<String, FinishError> {
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    match get("state") {
        None => return Err(FinishError::MissingState),
        Some(s) if !constant_time_eq(s, expected) => return Err(FinishError::WrongState),
        Some(_) => {}
    }
    if let Some(e) = get("error") {
        let d = get("error_description").unwrap_or("");
        return Err(FinishError::Denied(
            clean_line(&format!("{e} {d}")).trim().to_owned(),
        ));
    }
    get("code")
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .ok_or(FinishError::MissingCode)
}

/// What the user pasted: a redirect URL (it must carry the matching `state`) or a bare code.
pub fn parse_pasted(input: &str, expected_state: &str) -> Result<String, FinishError> {
    // Terminals wrap a long URL; mail and chat quote it: drop line breaks, spaces and quotes.
    let joined: String = input.split_whitespace().collect();
    let t = joined.trim_matches(|c| matches!(c, '"' | '\'' | '<' | '>' | '‹' | '›'));
    if t.is_empty() {
        return Err(FinishError::Empty);
    }
    let query = if let Ok(u) = reqwest::Url::parse(t) {
        Some(u.query().unwrap_or("").to_owned())
    } else if t.contains("code=") {
        // `?code=…&state=…` or `/callback?code=…` without scheme and host.
        Some(t.split_once('?').map_or(t, |(_, q)| q).to_owned())
    } else {
        None
    };
    match query {
        Some(q) => {
            let pairs: Vec<(String, String)> = form_urlencoded_pairs(&q);
            check_redirect(&pairs, expected_state)
        }
        None if t
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.~".contains(c)) =>
        {
            Ok(t.to_owned())
        }
        None => Err(FinishError::MissingCode),
    }
}

fn form_urlencoded_pairs(q: &str) -> Vec<(String, String)> {
    reqwest::Url::parse(&format!("http://x/?{q}"))
        .map(|u| u.query_pairs().into_owned().collect())
        .unwrap_or_default()
}

/// The loopback redirect listener.
pub struct Listener {
    listener: TcpListener,
    path: String,
    state: String,
}

impl Listener {
    /// Binds `127.0.0.1:port` (0 = any free port) for redirects to `path` (e.g. `/callback`)
    /// carrying `state`.
    pub async fn bind(port: u16, path: &str, state: &str) -> Result<Listener, FinishError> {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .map_err(|e| FinishError::Io(format!("cannot listen on 127.0.0.1:{port}: {e}")))?;
        Ok(Listener {
            listener,
            path: if path.is_empty() {
                "/".into()
            } else {
                path.to_owned()
            },
            state: state.to_owned(),
        })
    }

    /// The bound address (always 127.0.0.1).
    pub fn addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// Waits for the redirect; returns its code. Requests with a missing or wrong `state` are
    /// answered 400 and ignored; after `timeout` → [`FinishError::Timeout`]. A denial (`error`
    /// with the right `state`) ends the wait with [`FinishError::Denied`].
    pub async fn wait(self, timeout: Duration) -> Result<String, FinishError> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let accepted = tokio::time::timeout_at(deadline, self.listener.accept()).await;
            let (sock, _) = match accepted {
                Err(_) => return Err(FinishError::Timeout(timeout.as_secs())),
                Ok(Err(e)) => {
                    tracing::debug!(error = %e, "redirect listener accept failed");
                    continue;
                }
                Ok(Ok(s)) => s,
            };
            let answer = tokio::time::timeout(Duration::from_secs(10), self.serve_one(sock)).await;
            match answer {
                Ok(Some(Ok(code))) => return Ok(code),
                Ok(Some(Err(e @ FinishError::Denied(_)))) => return Err(e),
                Ok(Some(Err(e))) => tracing::warn!(error = %e, "redirect refused"),
                Ok(None) | Err(_) => {}
            }
        }
    }

    /// Reads one request and answers it. `None`: not a redirect to our path.
    async fn serve_one(&self, mut sock: TcpStream) -> Option<Result<String, FinishError>> {
        let mut buf = Vec::with_capacity(1024);
        let mut chunk = [0u8; 1024];
        while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 16 * 1024 {
            match sock.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let text = String::from_utf8_lossy(&buf);
        let line = text.lines().next().unwrap_or("");
        let mut parts = line.split(' ');
        let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        if method != "GET" || path != self.path {
            respond(&mut sock, 404, "Not found.").await;
            return None;
        }
        let r = check_redirect(&form_urlencoded_pairs(query), &self.state);
        match &r {
            Ok(_) => {
                respond(
                    &mut sock,
                    200,
                    "Signed in to GoHighLevel. You can close this tab and return to bmby-ghl.",
                )
                .await
            }
            Err(e @ FinishError::Denied(_)) => respond(&mut sock, 200, &e.to_string()).await,
            Err(e) => respond(&mut sock, 400, &e.to_string()).await,
        }
        Some(r)
    }
}

async fn respond(sock: &mut TcpStream, status: u16, text: &str) {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        _ => "Not Found",
    };
    let body = format!(
        "<!doctype html><meta charset=utf-8><title>bmby-ghl</title><p>{}</p>\n",
        text.replace('&', "&amp;").replace('<', "&lt;")
    );
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\n\
         Content-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = sock.write_all(head.as_bytes()).await;
    let _ = sock.write_all(body.as_bytes()).await;
    let _ = sock.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_are_random_and_urlsafe() {
        let a = new_state();
        assert_eq!(a.len(), 43);
        assert_ne!(a, new_state());
        assert!(a
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    }

    #[test]
    fn pasted_forms() {
        let s = "st4te";
        assert_eq!(
            parse_pasted("http://127.0.0.1:8976/callback?code=abc&state=st4te\n", s),
            Ok("abc".into())
        );
        assert_eq!(parse_pasted("  abc123  ", s), Ok("abc123".into()));
        assert_eq!(
            parse_pasted("/callback?code=abc&state=other", s),
            Err(FinishError::WrongState)
        );
        assert_eq!(
            parse_pasted("https://example.com/cb?code=abc", s),
            Err(FinishError::MissingState)
        );
        assert!(matches!(
            parse_pasted("https://x/cb?error=access_denied&state=st4te", s),
            Err(FinishError::Denied(_))
        ));
        assert_eq!(parse_pasted("", s), Err(FinishError::Empty));
        assert_eq!(
            parse_pasted("not a code!", s),
            Err(FinishError::MissingCode)
        );
    }
}
