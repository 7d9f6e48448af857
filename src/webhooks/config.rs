//! The `[webhooks]` table of the config file: the public keys and the timestamp window of the
//! receiver.
//!
//! ```toml
//! [webhooks]
//! # PEM (SPKI) public keys; default: GHL's published keys (src/webhooks/verify.rs)
//! ed25519_public_key = """-----BEGIN PUBLIC KEY-----
//! MCowBQYDK2VwAyEA…
//! -----END PUBLIC KEY-----"""
//! # rsa_public_key = """…"""
//! max_age_secs = 4500          # oldest `timestamp` accepted (75 min)
//! ```

use std::time::Duration;

use serde::Deserialize;

use super::receiver::ReceiverConfig;
use super::verify::{KeyError, WebhookKeys, GHL_ED25519_PUBLIC_KEY_PEM, GHL_RSA_PUBLIC_KEY_PEM};

/// The `[webhooks]` table as written.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhooksSection {
    /// PEM public key for `X-GHL-Signature` (Ed25519); default GHL's.
    pub ed25519_public_key: Option<String>,
    /// PEM public key for `X-WH-Signature` (RSA); default GHL's.
    pub rsa_public_key: Option<String>,
    /// Oldest `timestamp` accepted, seconds; default 4,500 (75 minutes).
    pub max_age_secs: Option<u64>,
}

impl WebhooksSection {
    /// The receiver's settings: the keys given, else GHL's; the window given, else the default.
    ///
    /// Errors: a key that is not a PEM public key of its kind ([`KeyError`] names which).
    pub fn receiver_config(&self) -> Result<ReceiverConfig, KeyError> {
        let keys = WebhookKeys::from_pem(
            Some(
                self.ed25519_public_key
                    .as_deref()
                    .unwrap_or(GHL_ED25519_PUBLIC_KEY_PEM),
            ),
            Some(
                self.rsa_public_key
                    .as_deref()
                    .unwrap_or(GHL_RSA_PUBLIC_KEY_PEM),
            ),
        )?;
        let mut cfg = ReceiverConfig {
            keys,
            ..Default::default()
        };
        if let Some(s) = self.max_age_secs {
            cfg.max_age = Duration::from_secs(s);
        }
        Ok(cfg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_ghls_keys_and_a_bad_key_is_named() {
        let c = WebhooksSection::default().receiver_config().unwrap();
        assert_eq!(c.keys, WebhookKeys::default());
        let s: WebhooksSection = toml::from_str(
            "rsa_public_key = \"-----BEGIN PUBLIC KEY-----\\nAAAA\\n-----END PUBLIC KEY-----\"\nmax_age_secs = 60",
        )
        .unwrap();
        assert!(s.receiver_config().unwrap_err().to_string().contains("RSA"));
        let s: WebhooksSection = toml::from_str("max_age_secs = 60").unwrap();
        assert_eq!(
            s.receiver_config().unwrap().max_age,
            Duration::from_secs(60)
        );
    }
}
