//! The stand-in sends webhooks (issue 12, item 4): when [`SandboxConfig::webhooks`] is set, every
//! change to the first location's data — API writes, the demo's random edits (churn), a test's
//! `update_contact` — is delivered as a signed GHL webhook event to a URL.
//!
//! **How changes become events.** Each write to the location's data bumps a generation and wakes
//! the emitter, which compares the data with its previous snapshot: a new contact is a
//! ContactCreate, a removed one a ContactDelete, a changed one a ContactTagUpdate (only tags
//! changed), a ContactDndUpdate (only `dnd`/`dndSettings`) or a ContactUpdate; a new task is a
//! TaskCreate, one newly completed a TaskComplete, a removed one a TaskDelete (GHL has no
//! TaskUpdate: other task edits send nothing); notes and appointments: Create / Update / Delete.
//! Writes that land between two looks are one event (GHL's state is still what arrives last).
//! Payloads carry the fields of `../shared/ghl-api/docs/webhook events/` plus the signed
//! envelope: `type`, `locationId`, `webhookId` (fresh per event), `timestamp` (ISO 8601 UTC,
//! strictly increasing), `appId`, `versionId`.
//!
//! **Signing** with a TEST key pair ([`test_keys`]; never GHL's private keys, which nobody has):
//! Ed25519 in `X-GHL-Signature` and RSA-SHA256 PKCS#1 v1.5 in `X-WH-Signature`, both base64
//! over the exact body bytes sent ([`Signing`] picks which headers).
//!
//! **Delivery** is in order, one at a time. A 429 answer is retried up to 6 times after
//! [`SandboxWebhooks::retry_delay`] (GHL: about 10 minutes apart); any other answer is final,
//! as in GHL.
//!
//! **Faults** ([`WebhookFaults`]): every event delivered twice (same `webhookId`); events held
//! and delivered newest first ([`WebhookEmitter::release_held`]); a `timestamp` two hours old;
//! a signature that does not match.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use ring::signature::{Ed25519KeyPair, KeyPair, RsaKeyPair, RSA_PKCS1_SHA256};
use serde_json::{json, Map, Value};
use tokio::sync::{watch, Notify};

use super::ids;
use super::state::Shared;

/// Which signature headers the stand-in sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Signing {
    /// `X-GHL-Signature` and `X-WH-Signature` (GHL during the transition).
    #[default]
    Both,
    /// Only `X-GHL-Signature`.
    Ed25519,
    /// Only the legacy `X-WH-Signature`.
    Rsa,
}

/// Where and how the stand-in delivers webhooks.
#[derive(Debug, Clone)]
pub struct SandboxWebhooks {
    /// The receiver's URL (`http://127.0.0.1:PORT/`).
    pub url: String,
    pub signing: Signing,
    /// Wait before retrying a delivery answered 429 (GHL: about 10 minutes).
    pub retry_delay: Duration,
}

impl SandboxWebhooks {
    /// Deliver to `url` with both signatures, retrying a 429 after 1 s.
    pub fn to(url: impl Into<String>) -> SandboxWebhooks {
        SandboxWebhooks {
            url: url.into(),
            signing: Signing::Both,
            retry_delay: Duration::from_secs(1),
        }
    }
}

/// Fault switches of the webhook sender, flipped at runtime.
#[derive(Debug, Default)]
pub struct WebhookFaults {
    /// Deliver every event twice (the same body, `webhookId` and signature).
    pub duplicate: AtomicBool,
    /// Hold events instead of sending them; [`WebhookEmitter::release_held`] sends the held
    /// ones newest first.
    pub hold: AtomicBool,
    /// Send a `timestamp` two hours in the past.
    pub stale: AtomicBool,
    /// Send signatures that do not match the body.
    pub bad_signature: AtomicBool,
}

/// One delivery attempt as the stand-in saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub webhook_id: String,
    /// The event type.
    pub kind: String,
    /// The HTTP status answered; 0 when the receiver could not be reached.
    pub status: u16,
}

/// The test key pair's private keys. PUBLISHED TEST KEYS: anyone can sign with them; a receiver
/// trusting them trusts everybody. Only for the stand-in and tests.
const TEST_ED25519_SEED: [u8; 32] = *b"bmby-ghl stand-in test key 0001!";
const TEST_RSA_PKCS8_PEM: &str = "-----BEGIN PRIVATE KEY-----
MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQDXG9yfgZBWssWJ
WT3psctbqE0ae5fxdTE6tuUXuFns7fg6C6VhEkTW90X1OdOxeRRP0TnarPINi/n2
aU5n9+caSrRoxKN0s077nMV06GviCV9XNi2NLUOPIejtyqqPtZuBOQzJkGpodske
LyS54us9TrqNrzLNGHvDKtiqKg5eINYz5RenrZkF1bj5rdQiK5nnkZZ92e0avOt/
LzAYntgwp1qZANH/RFWO6LSLTFYWyikY9pxplI833Y6aUzZzS/rbCDx6vKy5MB74
K1pLTUKp4Jn6f2Idk9QFqOHQ1yRx4llDO/9Hbik/SSdB193EsWwCM2sDVz6EOXgy
dpMriDOZAgMBAAECggEAERTML4naMHpEc6BHqXKl/XanPcC9+21lDf6nQTuRP35T
mWdil+tblk7fKiaQA/4jgeWRQKc+VttMS3gIAvtFaZnwSsf/m1UgQtxrdRm+NF4u
aRZbJmRnYpqsnJJc+imviiLBvFFIk9hH5urTMaQebjk92OGmSPFGZaR1vUh26Nwx
JOD1YLi9MM3d1VLn71T+W/7TC6YqpUgncKDPGv5XGZmRQIDZH+1VZUMCK2p5/2Yr
829cXY/wwMWtsvww9kFiK3xtDfvKjyp+zD8U1OvyefIiZ0C7oAqqZeKz3g2QW1Nj
rgJ/eNtbWOhjnYDJkklIQuPcHGNqJX19JsGwFN0wAQKBgQDtJb2YiCmoYA5erUjC
5gmeQn1ruHUBpsVlBTpFKFhnZTZPe/BcjtmCiakw/MUcwDoHqx2M/aiMT1wD2Lx7
e39rxO4xOR0JCC/e/9DtqTBtZ2z3yQsqfO9vhemT6hNvHoR+Nq4/nDv8eKT1uUXI
+S9DOy9nN0MBwyxQ3GsyM0MQAQKBgQDoNZtvX3V7YnaRJN0VG/1NFqW3oHWQE2Hy
ZsjGbGUO0FcYjTwoyOvjN+VORgS/QzwQKFStNsrF4a2KDzmTecu9F9sKJdgPbGaA
u0HBykhMiVAnwRsJ5XvnkvU2UE8KztHUweimWSiiS1fKmuSogHk/QXXVCl98l1rO
47sRpUOjmQKBgFELTdEb74igUyjd9XjN3smcFXrDzhDjaqBMeg56bEPhnf7p70ni
c8kdvJmGOOLLesl2HCI76ecRk/OolTlqCjDNW02tJBQbHSkLqd4erPMmnmHL7in2
CmnFjP7ExyF5f3QWwdPxU7rDjDSBvayiJBnI1zlh9F9c0P9NZMECLdABAoGADlbZ
HVyItbDT34ymNlp/HtaKLzeyas43my9rsI0bBHorFrIKB/64SlS2TUoXmvP87oZ/
DB85EFUqUT81b/zybt/dP9gsam9oOQTXP69NHaTRFVNgZxELwLYbfFojN2ikHn5G
7pbM4pDCgBlmi107n4NcUmaMlPYHvoTjlWheL+kCgYAYGYvXa5t6dnHzjxudUX+W
S1+4RcUegcZQPalHsMCjNL8Vl9G+nCB171mhXy+afCFi0f6G8ZoCIUUc0lJ26t7F
2w2YdhPfNfHXCldIjHeIACVKtvk5LrRhm01C+C5DNcfD97HDtbXJDDDok1Olaa/j
9ybsvE0qTjkwa5GJqltXjQ==
-----END PRIVATE KEY-----";

/// The test key pair the stand-in signs with.
pub struct TestSigner {
    ed: Ed25519KeyPair,
    rsa: RsaKeyPair,
    rng: ring::rand::SystemRandom,
}

impl TestSigner {
    /// The embedded test keys.
    pub fn new() -> TestSigner {
        let b64: String = TEST_RSA_PKCS8_PEM
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .expect("embedded test key is base64");
        TestSigner {
            ed: Ed25519KeyPair::from_seed_unchecked(&TEST_ED25519_SEED).expect("32-byte seed"),
            rsa: RsaKeyPair::from_pkcs8(&der).expect("embedded test key parses"),
            rng: ring::rand::SystemRandom::new(),
        }
    }

    /// The public halves, for a receiver of the stand-in's webhooks.
    pub fn public_keys(&self) -> crate::webhooks::WebhookKeys {
        crate::webhooks::WebhookKeys {
            ed25519: Some(self.ed.public_key().as_ref().to_vec()),
            rsa: Some(self.rsa.public().as_ref().to_vec()),
        }
    }

    /// `X-GHL-Signature` of `body`: Ed25519, base64.
    pub fn sign_ed25519(&self, body: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.ed.sign(body).as_ref())
    }

    /// `X-WH-Signature` of `body`: RSA-SHA256 PKCS#1 v1.5, base64.
    pub fn sign_rsa(&self, body: &[u8]) -> String {
        let mut sig = vec![0; self.rsa.public().modulus_len()];
        self.rsa
            .sign(&RSA_PKCS1_SHA256, &self.rng, body, &mut sig)
            .expect("RSA signing of a byte string cannot fail");
        base64::engine::general_purpose::STANDARD.encode(sig)
    }
}

impl Default for TestSigner {
    fn default() -> Self {
        TestSigner::new()
    }
}

/// The public keys of the stand-in's test key pair ([`TestSigner::public_keys`]).
pub fn test_keys() -> crate::webhooks::WebhookKeys {
    TestSigner::new().public_keys()
}

/// The stand-in's TEST Ed25519 public key as a PEM (SPKI) block, for `[webhooks]
/// ed25519_public_key` in the config file of a `serve --webhooks` that the stand-in delivers to.
/// `X-GHL-Signature` is checked first, so this key alone is enough. A TEST key: anyone can sign
/// with it.
pub fn test_ed25519_public_pem() -> String {
    use base64::Engine;
    // SubjectPublicKeyInfo of an Ed25519 key (RFC 8410): this prefix, then the 32 key bytes.
    let mut der = vec![
        0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
    ];
    der.extend(test_keys().ed25519.unwrap_or_default());
    format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
        base64::engine::general_purpose::STANDARD.encode(der)
    )
}

/// The app id the stand-in's events carry (`appId`).
pub const SANDBOX_APP_ID: &str = "sbxMarketplaceApp001";

/// The data the emitter compares: contacts, tasks, notes, appointments by id.
#[derive(Debug, Default, Clone)]
struct Snapshot {
    contacts: BTreeMap<String, Map<String, Value>>,
    tasks: BTreeMap<String, Value>,
    notes: BTreeMap<String, Value>,
    appointments: BTreeMap<String, Value>,
}

fn snapshot(s: &super::state::Store) -> Snapshot {
    let by_id = |m: &HashMap<String, Vec<Value>>| {
        let mut out = BTreeMap::new();
        for (cid, list) in m {
            for v in list {
                if let Some(id) = v.get("id").and_then(Value::as_str) {
                    let mut v = v.clone();
                    if v.get("contactId").is_none() {
                        v["contactId"] = json!(cid);
                    }
                    out.insert(id.to_owned(), v);
                }
            }
        }
        out
    };
    Snapshot {
        contacts: s
            .contacts
            .iter()
            .map(|c| (c.id().to_owned(), c.doc.clone()))
            .collect(),
        tasks: by_id(&s.tasks),
        notes: by_id(&s.notes),
        appointments: by_id(&s.appointments),
    }
}

/// Contact fields of the webhook schema (`ContactCreate.md`).
const CONTACT_FIELDS: &[&str] = &[
    "id",
    "address1",
    "city",
    "state",
    "companyName",
    "country",
    "source",
    "dateAdded",
    "dateOfBirth",
    "dnd",
    "email",
    "name",
    "firstName",
    "lastName",
    "phone",
    "postalCode",
    "tags",
    "website",
    "attachments",
    "assignedTo",
    "customFields",
];
const TASK_FIELDS: &[&str] = &[
    "id",
    "assignedTo",
    "body",
    "contactId",
    "title",
    "dateAdded",
    "dueDate",
];
const NOTE_FIELDS: &[&str] = &["id", "body", "contactId", "dateAdded"];
const APPOINTMENT_FIELDS: &[&str] = &[
    "id",
    "address",
    "title",
    "calendarId",
    "contactId",
    "groupId",
    "appointmentStatus",
    "assignedUserId",
    "users",
    "notes",
    "source",
    "startTime",
    "endTime",
    "dateAdded",
    "dateUpdated",
];

fn pick(doc: &Map<String, Value>, fields: &[&str]) -> Map<String, Value> {
    fields
        .iter()
        .filter_map(|f| doc.get(*f).map(|v| ((*f).to_owned(), v.clone())))
        .collect()
}

/// The events that turn `old` into `new`: (type, payload without envelope).
fn diff(old: &Snapshot, new: &Snapshot) -> Vec<(&'static str, Map<String, Value>)> {
    let mut out = Vec::new();
    let same_except = |a: &Map<String, Value>, b: &Map<String, Value>, keys: &[&str]| {
        let strip = |m: &Map<String, Value>| {
            let mut m = m.clone();
            for k in keys.iter().chain(["dateUpdated"].iter()) {
                m.remove(*k);
            }
            m
        };
        strip(a) == strip(b)
    };
    for (id, doc) in &new.contacts {
        match old.contacts.get(id) {
            None => out.push(("ContactCreate", pick(doc, CONTACT_FIELDS))),
            Some(prev) if prev != doc => {
                if same_except(prev, doc, &["tags"]) {
                    out.push(("ContactTagUpdate", pick(doc, CONTACT_FIELDS)));
                } else if same_except(prev, doc, &["dnd", "dndSettings"]) {
                    let mut p = pick(doc, CONTACT_FIELDS);
                    if let Some(d) = doc.get("dndSettings") {
                        p.insert("dndSettings".into(), d.clone());
                    }
                    out.push(("ContactDndUpdate", p));
                } else {
                    out.push(("ContactUpdate", pick(doc, CONTACT_FIELDS)));
                }
            }
            Some(_) => {}
        }
    }
    for (id, doc) in &old.contacts {
        if !new.contacts.contains_key(id) {
            out.push(("ContactDelete", pick(doc, CONTACT_FIELDS)));
        }
    }
    let obj = |v: &Value| v.as_object().cloned().unwrap_or_default();
    for (id, t) in &new.tasks {
        let done = |v: &Value| v.get("completed").and_then(Value::as_bool).unwrap_or(false);
        match old.tasks.get(id) {
            None => out.push(("TaskCreate", pick(&obj(t), TASK_FIELDS))),
            Some(prev) if done(t) && !done(prev) => {
                out.push(("TaskComplete", pick(&obj(t), TASK_FIELDS)))
            }
            Some(_) => {}
        }
    }
    for (id, t) in &old.tasks {
        if !new.tasks.contains_key(id) && new.contacts.contains_key(contact_of(t)) {
            out.push(("TaskDelete", pick(&obj(t), TASK_FIELDS)));
        }
    }
    for (id, n) in &new.notes {
        match old.notes.get(id) {
            None => out.push(("NoteCreate", pick(&obj(n), NOTE_FIELDS))),
            Some(prev) if prev != n => out.push(("NoteUpdate", pick(&obj(n), NOTE_FIELDS))),
            Some(_) => {}
        }
    }
    for (id, n) in &old.notes {
        if !new.notes.contains_key(id) && new.contacts.contains_key(contact_of(n)) {
            out.push(("NoteDelete", pick(&obj(n), NOTE_FIELDS)));
        }
    }
    let appt = |v: &Value| {
        let mut m = Map::new();
        m.insert(
            "appointment".into(),
            Value::Object(pick(&obj(v), APPOINTMENT_FIELDS)),
        );
        m
    };
    for (id, a) in &new.appointments {
        match old.appointments.get(id) {
            None => out.push(("AppointmentCreate", appt(a))),
            Some(prev) if prev != a => out.push(("AppointmentUpdate", appt(a))),
            Some(_) => {}
        }
    }
    for (id, a) in &old.appointments {
        if !new.appointments.contains_key(id) && new.contacts.contains_key(contact_of(a)) {
            out.push(("AppointmentDelete", appt(a)));
        }
    }
    out
}

fn contact_of(v: &Value) -> &str {
    v.get("contactId").and_then(Value::as_str).unwrap_or("")
}

/// A signed event ready to send.
#[derive(Debug, Clone)]
struct Outgoing {
    webhook_id: String,
    kind: &'static str,
    body: Vec<u8>,
    ed25519: Option<String>,
    rsa: Option<String>,
}

/// The running sender: faults, what it delivered, and a way to wait until it is idle.
pub struct WebhookEmitter {
    cfg: SandboxWebhooks,
    faults: WebhookFaults,
    signer: TestSigner,
    location_id: String,
    deliveries: Mutex<Vec<Delivery>>,
    held: Mutex<Vec<Outgoing>>,
    /// The data generation whose events were all delivered (or held).
    done: watch::Sender<u64>,
    last_ts: Mutex<i64>,
    http: reqwest::Client,
    shared: Arc<Shared>,
}

impl WebhookEmitter {
    /// The fault switches.
    pub fn faults(&self) -> &WebhookFaults {
        &self.faults
    }

    /// Every delivery attempt so far, oldest first.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.deliveries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Waits until every change made so far has been delivered (each delivery answered, 429
    /// retries included) or held.
    pub async fn settled(&self) {
        let target = self.shared.generation();
        let mut rx = self.done.subscribe();
        let _ = rx.wait_for(|g| *g >= target).await;
    }

    /// Sends the held events, newest first (the out-of-order fault), and waits for the answers.
    pub async fn release_held(&self) {
        let mut held = std::mem::take(&mut *self.held.lock().unwrap_or_else(|e| e.into_inner()));
        held.reverse();
        for o in held {
            self.deliver(&o).await;
        }
    }

    fn sign(&self, kind: &'static str, mut payload: Map<String, Value>) -> Outgoing {
        let ts = {
            let mut last = self.last_ts.lock().unwrap_or_else(|e| e.into_inner());
            let now = ids::now_ms().max(*last + 1);
            *last = now;
            now
        };
        let ts = if self.faults.stale.load(Ordering::SeqCst) {
            ts - 2 * 3600 * 1000
        } else {
            ts
        };
        let webhook_id = ids::trace_id();
        payload.insert("type".into(), json!(kind));
        payload.insert("locationId".into(), json!(self.location_id));
        payload.insert("webhookId".into(), json!(webhook_id));
        payload.insert("timestamp".into(), json!(ids::iso_ms(ts)));
        payload.insert("appId".into(), json!(SANDBOX_APP_ID));
        payload.insert("versionId".into(), json!("sbxVersion0000000001"));
        let body = serde_json::to_vec(&Value::Object(payload)).expect("plain JSON");
        let signed: &[u8] = if self.faults.bad_signature.load(Ordering::SeqCst) {
            b"not the body"
        } else {
            &body
        };
        let (ed, rsa) = match self.cfg.signing {
            Signing::Both => (true, true),
            Signing::Ed25519 => (true, false),
            Signing::Rsa => (false, true),
        };
        Outgoing {
            webhook_id,
            kind,
            ed25519: ed.then(|| self.signer.sign_ed25519(signed)),
            rsa: rsa.then(|| self.signer.sign_rsa(signed)),
            body,
        }
    }

    async fn deliver(&self, o: &Outgoing) {
        let times = if self.faults.duplicate.load(Ordering::SeqCst) {
            2
        } else {
            1
        };
        for _ in 0..times {
            for attempt in 0..7 {
                let mut req = self
                    .http
                    .post(&self.cfg.url)
                    .header("content-type", "application/json")
                    .body(o.body.clone());
                if let Some(s) = &o.ed25519 {
                    req = req.header("x-ghl-signature", s);
                }
                if let Some(s) = &o.rsa {
                    req = req.header("x-wh-signature", s);
                }
                let status = match req.send().await {
                    Ok(r) => r.status().as_u16(),
                    Err(e) => {
                        tracing::debug!(error = %e, "stand-in webhook not delivered");
                        0
                    }
                };
                self.deliveries
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(Delivery {
                        webhook_id: o.webhook_id.clone(),
                        kind: o.kind.to_owned(),
                        status,
                    });
                if status != 429 || attempt == 6 {
                    break;
                }
                tokio::time::sleep(self.cfg.retry_delay).await;
            }
        }
    }
}

/// Starts the emitter for `shared` (see the module docs); it runs until `stop` turns true.
pub(super) fn start(
    shared: Arc<Shared>,
    cfg: SandboxWebhooks,
    mut stop: watch::Receiver<bool>,
) -> Arc<WebhookEmitter> {
    let (gen, mut prev) = {
        let s = shared.read();
        (shared.generation(), snapshot(&s))
    };
    let (done, _) = watch::channel(gen);
    let em = Arc::new(WebhookEmitter {
        location_id: shared.location_id.clone(),
        cfg,
        faults: WebhookFaults::default(),
        signer: TestSigner::new(),
        deliveries: Mutex::new(Vec::new()),
        held: Mutex::new(Vec::new()),
        done,
        last_ts: Mutex::new(0),
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .expect("HTTP client"),
        shared: shared.clone(),
    });
    let wake: Arc<Notify> = shared.hooks_changed.clone();
    let e = em.clone();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = wake.notified() => {}
                r = stop.wait_for(|s| *s) => { let _ = r; return; }
            }
            let (gen, next) = {
                let s = e.shared.read();
                (e.shared.generation(), snapshot(&s))
            };
            for (kind, payload) in diff(&prev, &next) {
                let o = e.sign(kind, payload);
                if e.faults.hold.load(Ordering::SeqCst) {
                    e.held.lock().unwrap_or_else(|x| x.into_inner()).push(o);
                } else {
                    e.deliver(&o).await;
                }
            }
            prev = next;
            e.done.send_replace(gen);
        }
    });
    em
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_test_ed25519_pem_reads_back_as_the_test_key() {
        let keys =
            crate::webhooks::WebhookKeys::from_pem(Some(&test_ed25519_public_pem()), None).unwrap();
        assert_eq!(keys.ed25519, test_keys().ed25519);
    }

    #[test]
    fn test_signatures_verify_with_the_test_public_keys() {
        let s = TestSigner::new();
        let keys = s.public_keys();
        let body = br#"{"type":"NoteCreate"}"#;
        use crate::webhooks::verify::{verify_signature, SignatureKind};
        assert_eq!(
            verify_signature(&keys, body, Some(&s.sign_ed25519(body)), None),
            Ok(SignatureKind::Ed25519)
        );
        assert_eq!(
            verify_signature(&keys, body, None, Some(&s.sign_rsa(body))),
            Ok(SignatureKind::Rsa)
        );
        // GHL's real keys do not accept the test signatures.
        let ghl = crate::webhooks::WebhookKeys::default();
        assert!(verify_signature(&ghl, body, Some(&s.sign_ed25519(body)), None).is_err());
    }

    #[test]
    fn diff_names_each_event() {
        let mut a = Snapshot::default();
        let doc = |tags: Value| {
            json!({"id": "c1", "firstName": "Dana", "tags": tags, "dnd": false})
                .as_object()
                .cloned()
                .unwrap()
        };
        a.contacts.insert("c1".into(), doc(json!([])));
        let mut b = a.clone();
        b.contacts.insert("c1".into(), doc(json!(["vip"])));
        b.tasks.insert(
            "t1".into(),
            json!({"id": "t1", "contactId": "c1", "completed": false}),
        );
        let kinds: Vec<_> = diff(&a, &b).into_iter().map(|(k, _)| k).collect();
        assert_eq!(kinds, ["ContactTagUpdate", "TaskCreate"]);
        let mut c = b.clone();
        c.tasks.insert(
            "t1".into(),
            json!({"id": "t1", "contactId": "c1", "completed": true}),
        );
        c.contacts
            .get_mut("c1")
            .unwrap()
            .insert("dnd".into(), json!(true));
        let kinds: Vec<_> = diff(&b, &c).into_iter().map(|(k, _)| k).collect();
        assert_eq!(kinds, ["ContactDndUpdate", "TaskComplete"]);
        let d = Snapshot::default();
        let kinds: Vec<_> = diff(&c, &d).into_iter().map(|(k, _)| k).collect();
        assert_eq!(
            kinds,
            ["ContactDelete"],
            "a deleted contact's tasks go with it"
        );
    }
}
