//! A full pull of `BMBY_BENCH_N` contacts (default 100,000) from the GHL stand-in with no rate
//! limit: wall time, CPU time per contact, peak RSS and the cache's size on disk.
//!
//! `cargo bench --bench pull` (`BMBY_BENCH_N=1000000 cargo bench --bench pull` for a million).
//! The stand-in runs in a child process (this binary re-run with `BMBY_BENCH_SERVE`), so the
//! CPU time and RSS printed are the client's alone: requests, parsing, and the cache writes.
//! `BMBY_BENCH_RATE=1`: the stand-in keeps GHL's burst limit (100 requests per 10 s) and the
//! bench prints the pull's share of that ceiling and the number of 429 answers.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bmby_ghl::ghl::{ClientConfig, GhlClient, PrivateIntegrationToken, Secret};
use bmby_ghl::sandbox::{Sandbox, SandboxConfig, Seed, DEMO_LOCATION_ID, DEMO_TOKEN};
use bmby_ghl::store::Store;
use bmby_ghl::sync;

/// Number of contacts: `BMBY_BENCH_N` (`_` allowed: `1_000_000`), default 100,000.
fn contacts_n() -> usize {
    std::env::var("BMBY_BENCH_N")
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(100_000)
}

/// Whether the stand-in keeps GHL's burst limit (`BMBY_BENCH_RATE`).
fn rate_limited() -> bool {
    std::env::var_os("BMBY_BENCH_RATE").is_some()
}

/// The child: serves `n` generated contacts (with no rate limit unless [`rate_limited`]),
/// prints the base URL, and when its standard input closes prints the number of requests and
/// of 429 answers, and stops.
fn serve(n: usize) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let limits = if rate_limited() {
            SandboxConfig::default()
        } else {
            SandboxConfig {
                rate_limit_max: u32::MAX,
                rate_limit_interval: Duration::from_secs(1),
                ..Default::default()
            }
        };
        let sb = Sandbox::start(SandboxConfig {
            seed: Seed::Generated { contacts: n },
            daily_limit: u32::MAX,
            ..limits
        })
        .await
        .expect("stand-in");
        println!("{}", sb.base_url());
        tokio::task::spawn_blocking(|| {
            let mut sink = Vec::new();
            let _ = std::io::stdin().read_to_end(&mut sink);
        })
        .await
        .expect("stdin");
        let reqs = sb.requests();
        let n429 = reqs.iter().filter(|r| r.status == 429).count();
        println!("{} {n429}", reqs.len());
    });
}

/// User + system CPU time of this process.
fn cpu() -> Duration {
    // SAFETY: getrusage writes into the zeroed struct we own.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

fn vm_hwm() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(|l| l.split_whitespace().skip(1).collect::<Vec<_>>().join(" "))
        })
        .unwrap_or_else(|| "n/a".into())
}

/// `/proc/loadavg`'s 1, 5 and 15 minute load averages (the machine is shared: CPU time per
/// contact holds up under load, wall time does not).
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "n/a".into())
}

fn dir_bytes(p: &std::path::Path) -> u64 {
    std::fs::read_dir(p)
        .map(|rd| {
            rd.flatten()
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => dir_bytes(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}

fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return; // `cargo test --benches` probes; nothing to list.
    }
    let n = contacts_n();
    if std::env::var_os("BMBY_BENCH_SERVE").is_some() {
        serve(n);
        return;
    }
    let t = Instant::now();
    let mut child = Command::new(std::env::current_exe().expect("exe"))
        .env("BMBY_BENCH_SERVE", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn the stand-in");
    let mut url = String::new();
    let mut from_child = BufReader::new(child.stdout.take().expect("stdout"));
    from_child.read_line(&mut url).expect("base URL");
    let url = url.trim().to_owned();
    assert!(url.starts_with("http://127.0.0.1"), "stand-in said {url:?}");
    println!(
        "stand-in with {n} contacts up in {:.1} s (child process)",
        t.elapsed().as_secs_f64()
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let client = GhlClient::new(
        ClientConfig::new(&url, DEMO_LOCATION_ID),
        Arc::new(PrivateIntegrationToken(Secret::new(DEMO_TOKEN))),
    )
    .expect("client");
    let store = Store::open(dir.path(), DEMO_LOCATION_ID).expect("store");
    let (cpu0, t0) = (cpu(), Instant::now());
    let summary = rt
        .block_on(sync::pull_contacts(&client, &store, true, |_| {}))
        .expect("pull");
    store.flush().expect("flush");
    let (wall, used) = (t0.elapsed(), cpu() - cpu0);
    assert_eq!(store.contact_count(), n, "every contact cached");
    println!("{}", summary.describe());
    println!(
        "wall {:.2} s, CPU {:.2} s ({:.1} µs per contact), {:.0} contacts/s",
        wall.as_secs_f64(),
        used.as_secs_f64(),
        used.as_secs_f64() * 1e6 / n as f64,
        n as f64 / wall.as_secs_f64()
    );
    if let Some(out) = std::env::var_os("BMBY_BENCH_SAMPLES") {
        // The raw JSON of 2,000 cached contacts, one file each, as the cache stores them: the
        // samples `src/store/raw_dict_trained.zstd` was trained on (see `src/store/raw.rs`).
        std::fs::create_dir_all(&out).expect("samples dir");
        for (i, row) in store
            .contact_rows_head(2000)
            .expect("rows")
            .iter()
            .enumerate()
        {
            let c = store.contact(&row.id).expect("read").expect("cached");
            std::fs::write(
                std::path::Path::new(&out).join(format!("g{i}.json")),
                c.raw_json,
            )
            .expect("write sample");
        }
    }
    drop(store);
    println!(
        "cache on disk: {:.1} MB; peak RSS (VmHWM): {}; load average {}",
        dir_bytes(dir.path()) as f64 / 1e6,
        vm_hwm(),
        load_average()
    );
    drop(child.stdin.take());
    let mut counts = String::new();
    from_child.read_line(&mut counts).expect("request counts");
    let _ = child.wait();
    if rate_limited() {
        let mut it = counts
            .split_whitespace()
            .map(|v| v.parse::<f64>().unwrap_or(0.0));
        let (sent, n429) = (it.next().unwrap_or(0.0), it.next().unwrap_or(0.0));
        let rate = sent / wall.as_secs_f64();
        println!(
            "rate limited: {sent} requests ({rate:.2}/s); GHL's ceiling 10/s → share {:.2}; 429 answers: {n429}",
            rate / 10.0
        );
    }
}
