//! Webhook throughput and latency: `N` signed NoteCreate deliveries (one per contact, 32 in
//! flight at a time) posted to `webhooks::serve` on a loopback port, in front of a cache
//! holding the `N` contacts. Prints
//! - stored/s: deliveries answered 200 (verified, stored, flushed) per second of the run;
//! - applied/s: events applied to the cache per second, from the first send until the last
//!   contact's change was reported by the applier;
//! - p50 / p95 / max latency from sending a delivery to the applier reporting its contact
//!   changed in the cache.
//!
//! Target (issue 12): 1,000 events/s stored and applied. `cargo bench --bench webhooks`;
//! `BMBY_BENCH_EVENTS=N` changes the count (default 2,000).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bmby_ghl::domain::Contact;
use bmby_ghl::sandbox::webhooks::{test_keys, TestSigner};
use bmby_ghl::store::Store;
use bmby_ghl::sync::SyncEvent;
use bmby_ghl::webhooks::{self, ReceiverConfig, WebhookLocation};
use serde_json::json;

const LOCATION: &str = "benchLocation0000001";

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let n: usize = std::env::var("BMBY_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async move {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), LOCATION).unwrap();
        let contacts: Vec<Contact> = (0..n)
            .map(|i| Contact {
                id: format!("c{i:06}"),
                first_name: Some(format!("Contact {i}")),
                ..Default::default()
            })
            .collect();
        store.put_contacts(&contacts).unwrap();
        for c in &contacts {
            store.put_notes(&c.id, &[]).unwrap();
        }
        store.flush().unwrap();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let mut locs = HashMap::new();
        locs.insert(
            LOCATION.to_owned(),
            WebhookLocation {
                store: store.clone(),
                client: None,
                events: Some(tx),
            },
        );
        let cfg = ReceiverConfig {
            keys: test_keys(),
            ..Default::default()
        };
        let server = webhooks::serve("127.0.0.1:0".parse().unwrap(), locs, cfg)
            .await
            .unwrap();
        let url = server.url();
        let signer = TestSigner::new();
        let now = jiff::Timestamp::now().to_string();
        let bodies: Vec<(String, Vec<u8>, String)> = (0..n)
            .map(|i| {
                let contact = format!("c{i:06}");
                let body = serde_json::to_vec(&json!({"type": "NoteCreate", "locationId": LOCATION,
                    "webhookId": format!("bench-{i}"), "timestamp": now, "id": format!("n{i:06}"),
                    "contactId": contact, "body": format!("note {i}"), "dateAdded": now}))
                .unwrap();
                let sig = signer.sign_ed25519(&body);
                (contact, body, sig)
            })
            .collect();
        let client = reqwest::Client::new();
        let sent_at: Arc<std::sync::Mutex<HashMap<String, Instant>>> = Default::default();
        // Collect the applier's reports while sending.
        let collector = tokio::spawn(async move {
            let mut seen: HashMap<String, Instant> = HashMap::new();
            while seen.len() < n {
                match tokio::time::timeout(Duration::from_secs(60), rx.recv()).await {
                    Ok(Some(SyncEvent::DetailsLoaded { contact_id })) => {
                        seen.entry(contact_id).or_insert_with(Instant::now);
                    }
                    Ok(Some(_)) => {}
                    _ => break,
                }
            }
            seen
        });
        let start = Instant::now();
        let sem = Arc::new(tokio::sync::Semaphore::new(32));
        let mut tasks = Vec::with_capacity(n);
        for (contact, body, sig) in bodies {
            let permit = sem.clone().acquire_owned().await.unwrap();
            let (client, url, sent_at) = (client.clone(), url.clone(), sent_at.clone());
            tasks.push(tokio::spawn(async move {
                sent_at.lock().unwrap().insert(contact, Instant::now());
                let ok = client
                    .post(&url)
                    .header("x-ghl-signature", sig)
                    .body(body)
                    .send()
                    .await
                    .map(|r| r.status().as_u16() == 200)
                    .unwrap_or(false);
                drop(permit);
                ok
            }));
        }
        let mut stored = 0;
        for t in tasks {
            stored += usize::from(t.await.unwrap());
        }
        let stored_secs = start.elapsed().as_secs_f64();
        let seen = collector.await.unwrap();
        let applied_secs = seen
            .values()
            .max()
            .map_or(0.0, |t| t.duration_since(start).as_secs_f64());
        let sent = sent_at.lock().unwrap().clone();
        let mut lat: Vec<f64> = seen
            .iter()
            .filter_map(|(c, t)| Some(t.duration_since(*sent.get(c)?).as_secs_f64() * 1000.0))
            .collect();
        lat.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let q = |p: f64| lat.get(((lat.len() as f64 * p) as usize).min(lat.len().saturating_sub(1))).copied().unwrap_or(f64::NAN);
        let applied_notes = (0..n)
            .filter(|i| {
                store
                    .notes(&format!("c{i:06}"))
                    .unwrap()
                    .is_some_and(|l| l.len() == 1)
            })
            .count();
        println!("webhooks: {n} deliveries, 32 in flight");
        println!(
            "  stored:  {stored}/{n} answered 200 in {stored_secs:.2} s = {:.0} events/s",
            stored as f64 / stored_secs
        );
        println!(
            "  applied: {applied_notes}/{n} in the cache, last one {applied_secs:.2} s after the first send = {:.0} events/s",
            applied_notes as f64 / applied_secs
        );
        println!(
            "  delivery → cache latency: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
            q(0.5),
            q(0.95),
            lat.last().copied().unwrap_or(f64::NAN)
        );
        server.shutdown().await;
    });
}
