//! Verification of a GHL webhook delivery: the signature over the RAW body, then the replay
//! guards (`timestamp` age; `webhookId` repeats are caught when the event is stored, see
//! [`crate::store::Store::put_webhook`]).
//!
//! Two signature headers exist (`../shared/docs/ghl-api.md` §9):
//! - `X-GHL-Signature`: Ed25519 over the raw body, base64;
//! - `X-WH-Signature` (legacy, deprecated 2026-07-01): RSA-SHA256 PKCS#1 v1.5 over the raw body,
//!   base64, public key printed in `docs/oauth/WebhookAuthentication.md`.
//!
//! Precedence as GHL's own SDK (`lib/webhook/webhook-manager.ts`) does it: when
//! `X-GHL-Signature` is present only Ed25519 is tried — a bad Ed25519 signature is never
//! rescued by a good RSA one; `X-WH-Signature` is checked only when `X-GHL-Signature` is absent.
//! Unlike the SDK we verify the bytes received, not a re-serialized body, and we refuse an
//! unsigned delivery (the SDK lets it through with a warning): **OUR CHOICE**.
//!
//! Crypto is `ring` (already in the lock file through rustls): no second crypto stack.

use std::time::Duration;

use base64::Engine;
use jiff::Timestamp;
use ring::signature::{UnparsedPublicKey, ED25519, RSA_PKCS1_2048_8192_SHA256};

/// GHL's Ed25519 public key for `X-GHL-Signature` (SPKI, PEM). Found only in third-party code
/// (two independent integrations quote the same key; ghl-api.md §9): keep it configurable.
pub const GHL_ED25519_PUBLIC_KEY_PEM: &str = "-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAi2HR1srL4o18O8BRa7gVJY7G7bupbN3H9AwJrHCDiOg=
-----END PUBLIC KEY-----";

/// GHL's RSA public key for the legacy `X-WH-Signature` (SPKI, PEM), as printed in
/// `docs/oauth/WebhookAuthentication.md`.
pub const GHL_RSA_PUBLIC_KEY_PEM: &str = "-----BEGIN PUBLIC KEY-----
MIICIjANBgkqhkiG9w0BAQEFAAOCAg8AMIICCgKCAgEAokvo/r9tVgcfZ5DysOSC
Frm602qYV0MaAiNnX9O8KxMbiyRKWeL9JpCpVpt4XHIcBOK4u3cLSqJGOLaPuXw6
dO0t6Q/ZVdAV5Phz+ZtzPL16iCGeK9po6D6JHBpbi989mmzMryUnQJezlYJ3DVfB
csedpinheNnyYeFXolrJvcsjDtfAeRx5ByHQmTnSdFUzuAnC9/GepgLT9SM4nCpv
uxmZMxrJt5Rw+VUaQ9B8JSvbMPpez4peKaJPZHBbU3OdeCVx5klVXXZQGNHOs8gF
3kvoV5rTnXV0IknLBXlcKKAQLZcY/Q9rG6Ifi9c+5vqlvHPCUJFT5XUGG5RKgOKU
J062fRtN+rLYZUV+BjafxQauvC8wSWeYja63VSUruvmNj8xkx2zE/Juc+yjLjTXp
IocmaiFeAO6fUtNjDeFVkhf5LNb59vECyrHD2SQIrhgXpO4Q3dVNA5rw576PwTzN
h/AMfHKIjE4xQA1SZuYJmNnmVZLIZBlQAF9Ntd03rfadZ+yDiOXCCs9FkHibELhC
HULgCsnuDJHcrGNd5/Ddm5hxGQ0ASitgHeMZ0kcIOwKDOzOU53lDza6/Y09T7sYJ
PQe7z0cvj7aE4B+Ax1ZoZGPzpJlZtGXCsu9aTEGEnKzmsFqwcSsnw3JB31IGKAyk
T1hhTiaCeIY/OwwwNUY2yvcCAwEAAQ==
-----END PUBLIC KEY-----";

/// Header of the Ed25519 signature.
pub const HEADER_ED25519: &str = "x-ghl-signature";
/// Header of the legacy RSA signature.
pub const HEADER_RSA: &str = "x-wh-signature";

/// How old a delivery's `timestamp` may be: 75 minutes. **OUR CHOICE**: GHL retries a delivery
/// answered 429 up to 6 times about 10 minutes apart, and whether a retry carries a fresh
/// `timestamp` is unconfirmed; a 5-minute window (the docs' example) would throw away every
/// retry of an event we could not store. Replays inside the window are caught by `webhookId`,
/// which is remembered longer than the window ([`crate::store::WEBHOOK_SEEN_KEEP`]).
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(75 * 60);

/// How far in the future a `timestamp` may be (clock skew): 5 minutes. **OUR CHOICE**.
pub const DEFAULT_MAX_SKEW: Duration = Duration::from_secs(5 * 60);

/// The public keys webhooks are verified with. `None` for a key: deliveries signed only that
/// way are refused.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookKeys {
    /// Raw 32-byte Ed25519 public key.
    pub ed25519: Option<Vec<u8>>,
    /// RSA public key as DER `RSAPublicKey` (PKCS#1).
    pub rsa: Option<Vec<u8>>,
}

impl std::fmt::Debug for WebhookKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookKeys")
            .field("ed25519", &self.ed25519.is_some())
            .field("rsa", &self.rsa.is_some())
            .finish()
    }
}

/// A public key that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("{what}: not a PEM public key (expected -----BEGIN PUBLIC KEY-----)")]
    NotPem { what: &'static str },
    #[error("{what}: the key is not valid base64")]
    Base64 { what: &'static str },
    #[error("{what}: not a {expected} SubjectPublicKeyInfo")]
    Der {
        what: &'static str,
        expected: &'static str,
    },
}

impl Default for WebhookKeys {
    /// GHL's published keys ([`GHL_ED25519_PUBLIC_KEY_PEM`], [`GHL_RSA_PUBLIC_KEY_PEM`]).
    fn default() -> Self {
        WebhookKeys::from_pem(
            Some(GHL_ED25519_PUBLIC_KEY_PEM),
            Some(GHL_RSA_PUBLIC_KEY_PEM),
        )
        .expect("the embedded GHL keys parse")
    }
}

impl WebhookKeys {
    /// Reads SPKI PEM public keys (`-----BEGIN PUBLIC KEY-----`): an Ed25519 one and an RSA one.
    ///
    /// Errors: [`KeyError`] naming which key is unreadable.
    pub fn from_pem(ed25519: Option<&str>, rsa: Option<&str>) -> Result<WebhookKeys, KeyError> {
        let ed25519 = match ed25519 {
            Some(p) => Some(spki_ed25519(&pem_der(p, "Ed25519 key")?)?),
            None => None,
        };
        let rsa = match rsa {
            Some(p) => Some(spki_rsa(&pem_der(p, "RSA key")?)?),
            None => None,
        };
        Ok(WebhookKeys { ed25519, rsa })
    }
}

fn pem_der(pem: &str, what: &'static str) -> Result<Vec<u8>, KeyError> {
    // Env editors mangle multi-line PEMs: accept literal `\n` too.
    let pem = pem.replace("\\n", "\n");
    let body = pem
        .split("-----BEGIN PUBLIC KEY-----")
        .nth(1)
        .and_then(|r| r.split("-----END PUBLIC KEY-----").next())
        .ok_or(KeyError::NotPem { what })?;
    let b64: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|_| KeyError::Base64 { what })
}

/// Reads one DER TLV at `d`: (tag, content, rest).
fn tlv(d: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, d) = d.split_first()?;
    let (&l0, mut d) = d.split_first()?;
    let len = if l0 < 0x80 {
        usize::from(l0)
    } else {
        let n = usize::from(l0 & 0x7f);
        if n == 0 || n > 4 || d.len() < n {
            return None;
        }
        let mut len = 0usize;
        for &b in &d[..n] {
            len = (len << 8) | usize::from(b);
        }
        d = &d[n..];
        len
    };
    if d.len() < len {
        return None;
    }
    Some((tag, &d[..len], &d[len..]))
}

/// The algorithm OID and the key bits of a SubjectPublicKeyInfo.
fn spki(der: &[u8]) -> Option<(&[u8], &[u8])> {
    let (0x30, seq, _) = tlv(der)? else {
        return None;
    };
    let (0x30, alg, rest) = tlv(seq)? else {
        return None;
    };
    let (0x06, oid, _) = tlv(alg)? else {
        return None;
    };
    let (0x03, bits, _) = tlv(rest)? else {
        return None;
    };
    let (&0, key) = bits.split_first()? else {
        return None;
    };
    Some((oid, key))
}

const OID_ED25519: &[u8] = &[0x2b, 0x65, 0x70];
const OID_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

fn spki_ed25519(der: &[u8]) -> Result<Vec<u8>, KeyError> {
    match spki(der) {
        Some((OID_ED25519, key)) if key.len() == 32 => Ok(key.to_vec()),
        _ => Err(KeyError::Der {
            what: "Ed25519 key",
            expected: "Ed25519",
        }),
    }
}

fn spki_rsa(der: &[u8]) -> Result<Vec<u8>, KeyError> {
    match spki(der) {
        Some((OID_RSA, key)) if tlv(key).is_some_and(|(t, _, _)| t == 0x30) => Ok(key.to_vec()),
        _ => Err(KeyError::Der {
            what: "RSA key",
            expected: "RSA",
        }),
    }
}

/// Which signature a delivery was accepted with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureKind {
    /// `X-GHL-Signature`.
    Ed25519,
    /// `X-WH-Signature`.
    Rsa,
}

/// Why a delivery was refused. Never carries the body or a signature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("no X-GHL-Signature or X-WH-Signature header")]
    Unsigned,
    #[error("{0:?} signature header is not base64")]
    BadEncoding(SignatureKind),
    #[error("{0:?} signature does not match the body")]
    BadSignature(SignatureKind),
    #[error("{0:?} signature received, but no such public key is configured")]
    NoKey(SignatureKind),
    #[error("no timestamp in the body")]
    NoTimestamp,
    #[error("timestamp {0} is not an ISO 8601 instant")]
    BadTimestamp(String),
    #[error("timestamp {at} is outside the accepted window ({age_secs} s old)")]
    Stale { at: String, age_secs: i64 },
}

/// Checks the signature headers against `body` (the raw bytes received), with the precedence
/// described in the module docs. `ed25519` / `rsa` are the header values, if present.
///
/// Errors: [`VerifyError::Unsigned`], `BadEncoding`, `BadSignature`, `NoKey`.
pub fn verify_signature(
    keys: &WebhookKeys,
    body: &[u8],
    ed25519: Option<&str>,
    rsa: Option<&str>,
) -> Result<SignatureKind, VerifyError> {
    let (kind, header, key, alg): (_, _, _, &'static dyn ring::signature::VerificationAlgorithm) =
        match (ed25519, rsa) {
            (Some(h), _) => (SignatureKind::Ed25519, h, &keys.ed25519, &ED25519),
            (None, Some(h)) => (
                SignatureKind::Rsa,
                h,
                &keys.rsa,
                &RSA_PKCS1_2048_8192_SHA256,
            ),
            (None, None) => return Err(VerifyError::Unsigned),
        };
    let key = key.as_ref().ok_or(VerifyError::NoKey(kind))?;
    let sig = base64::engine::general_purpose::STANDARD
        .decode(header.trim())
        .map_err(|_| VerifyError::BadEncoding(kind))?;
    UnparsedPublicKey::new(alg, key)
        .verify(body, &sig)
        .map_err(|_| VerifyError::BadSignature(kind))?;
    Ok(kind)
}

/// Checks a delivery's `timestamp` (ISO 8601) against `now`: at most `max_age` old and at most
/// `max_skew` ahead. Returns the instant.
///
/// Errors: [`VerifyError::NoTimestamp`], `BadTimestamp`, `Stale`.
pub fn check_timestamp(
    timestamp: Option<&str>,
    now: Timestamp,
    max_age: Duration,
    max_skew: Duration,
) -> Result<Timestamp, VerifyError> {
    let raw = timestamp.ok_or(VerifyError::NoTimestamp)?;
    let at: Timestamp = raw
        .parse()
        .map_err(|_| VerifyError::BadTimestamp(crate::sanitize::clean_line(raw)))?;
    let age = now.duration_since(at);
    let age_secs = age.as_secs();
    let too_old = age.as_millis() > i128::try_from(max_age.as_millis()).unwrap_or(i128::MAX);
    let too_new = (-age).as_millis() > i128::try_from(max_skew.as_millis()).unwrap_or(i128::MAX);
    if too_old || too_new {
        return Err(VerifyError::Stale {
            at: crate::sanitize::clean_line(raw),
            age_secs,
        });
    }
    Ok(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ghl_published_keys_parse() {
        let k = WebhookKeys::default();
        assert_eq!(k.ed25519.as_ref().unwrap().len(), 32);
        assert!(k.rsa.as_ref().unwrap().len() > 500, "4096-bit key");
    }

    #[test]
    fn garbage_keys_are_named() {
        let e = WebhookKeys::from_pem(Some("nope"), None).unwrap_err();
        assert!(e.to_string().contains("Ed25519"), "{e}");
        // An RSA key where the Ed25519 key belongs.
        let e = WebhookKeys::from_pem(Some(GHL_RSA_PUBLIC_KEY_PEM), None).unwrap_err();
        assert!(matches!(e, KeyError::Der { .. }), "{e}");
        let e = WebhookKeys::from_pem(None, Some(GHL_ED25519_PUBLIC_KEY_PEM)).unwrap_err();
        assert!(matches!(e, KeyError::Der { .. }), "{e}");
        let e = WebhookKeys::from_pem(
            Some("-----BEGIN PUBLIC KEY-----\n!!!\n-----END PUBLIC KEY-----"),
            None,
        )
        .unwrap_err();
        assert!(matches!(e, KeyError::Base64 { .. }), "{e}");
    }

    #[test]
    fn unsigned_and_undecodable_are_refused() {
        let k = WebhookKeys::default();
        assert_eq!(
            verify_signature(&k, b"{}", None, None),
            Err(VerifyError::Unsigned)
        );
        assert_eq!(
            verify_signature(&k, b"{}", Some("%%%"), None),
            Err(VerifyError::BadEncoding(SignatureKind::Ed25519))
        );
        assert_eq!(
            verify_signature(&k, b"{}", None, Some("AAAA")),
            Err(VerifyError::BadSignature(SignatureKind::Rsa))
        );
    }

    #[test]
    fn timestamp_window() {
        let now: Timestamp = "2026-12-04T12:00:00Z".parse().unwrap();
        let ok = |t: &str| check_timestamp(Some(t), now, DEFAULT_MAX_AGE, DEFAULT_MAX_SKEW);
        assert!(ok("2026-12-04T11:00:00Z").is_ok());
        assert!(ok("2026-12-04T12:04:00Z").is_ok());
        assert!(matches!(
            ok("2026-12-04T10:40:00Z"),
            Err(VerifyError::Stale { .. })
        ));
        assert!(matches!(
            ok("2026-12-04T12:06:00Z"),
            Err(VerifyError::Stale { .. })
        ));
        assert!(matches!(ok("yesterday"), Err(VerifyError::BadTimestamp(_))));
        assert_eq!(
            check_timestamp(None, now, DEFAULT_MAX_AGE, DEFAULT_MAX_SKEW),
            Err(VerifyError::NoTimestamp)
        );
    }
}
