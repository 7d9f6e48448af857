//! Dispatch throughput under GHL's default rate limit: 1,000 approved updates against the
//! stand-in holding 100 requests per 10 s. Prints the achieved request rate as a share of the
//! ceiling (target ≥ 0.9) and the number of 429 answers (target 0).
//!
//! `cargo bench --bench dispatch` (takes a little over 200 s: each update is a re-read and a PUT).
//! `BMBY_BENCH_UPDATES=N` changes the count.

use std::sync::Arc;
use std::time::Instant;

use bmby_ghl::domain::{Change, ChangeKind, ChangeState, FieldChange};
use bmby_ghl::ghl::{ClientConfig, GhlClient, PrivateIntegrationToken, Secret};
use bmby_ghl::sandbox::{Sandbox, SandboxConfig, Seed, DEMO_LOCATION_ID, DEMO_TOKEN};
use bmby_ghl::store::Store;
use bmby_ghl::sync::{self, dispatch};

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let n: usize = std::env::var("BMBY_BENCH_UPDATES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let sb = Sandbox::start(SandboxConfig {
            seed: Seed::Generated { contacts: n },
            ..Default::default()
        })
        .await
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let client = GhlClient::new(
            ClientConfig::new(&sb.base_url(), DEMO_LOCATION_ID),
            Arc::new(PrivateIntegrationToken(Secret::new(DEMO_TOKEN))),
        )
        .unwrap();
        let store = Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();
        sync::pull_contacts(&client, &store, true, |_| {})
            .await
            .unwrap();
        for (i, row) in store.contact_rows().unwrap().into_iter().enumerate() {
            let c = store.contact(&row.id).unwrap().unwrap();
            store
                .put_change(&Change {
                    id: i as u64 + 1,
                    kind: ChangeKind::Update,
                    state: ChangeState::Approved,
                    client_id: format!("b{i}"),
                    contact_id: Some(c.id.clone()),
                    display_name: row.name.clone(),
                    fields: vec![FieldChange {
                        field: "city".into(),
                        label: "City".into(),
                        source_field: "city".into(),
                        ghl_now: c.city.clone(),
                        proposed: Some(format!("עיר {i}")),
                        edited: false,
                        value_json: None,
                    }],
                    base_date_updated: c.date_updated.clone(),
                    origin: "bench".into(),
                    warnings: vec![],
                    candidates: vec![],
                    fingerprint: String::new(),
                    created_at: String::new(),
                    updated_at: String::new(),
                    subject: Default::default(),
                    target: Default::default(),
                    choice: None,
                    matched: None,
                    removable_tags: Vec::new(),
                })
                .unwrap();
        }
        // Let the pull's window pass so the measurement starts with a full budget.
        tokio::time::sleep(std::time::Duration::from_secs(10)).await;
        sb.clear_requests();
        let start = Instant::now();
        let s = dispatch::dispatch_all(&client, &store).await.unwrap();
        let secs = start.elapsed().as_secs_f64();
        let reqs = sb.requests();
        let sent = reqs.len();
        let n429 = reqs.iter().filter(|r| r.status == 429).count();
        let ceiling = 100.0 / 10.0;
        let rate = sent as f64 / secs;
        println!(
            "{n} updates: {} applied, {} failed, {} conflicts in {secs:.1} s",
            s.applied, s.failed, s.conflicts
        );
        println!(
            "requests sent: {sent} ({:.2}/s); ceiling 10/s → share {:.2} (target ≥ 0.9)",
            rate,
            rate / ceiling
        );
        println!("429 answers: {n429} (target 0)");
    });
}
