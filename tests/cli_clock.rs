//! One clock for people in the CLI: `contact` and `changes` text show Israel time
//! (`YYYY-MM-DD HH:MM`) and no UTC instant; appointment times, which GHL sends without a zone,
//! are read in the location's zone (`GET /locations/{id}` → `timezone`, here a New York
//! location) or labelled as location time when the zone is unknown; `--json` keeps ISO 8601.

use crate::cli_support::{bin, ok};
use crate::ghl_support;

use bmby_ghl::sandbox::{Sandbox, SandboxConfig, Seed, DEMO_LOCATION_ID};
use bmby_ghl::store::Store;
use serde_json::Value;

/// A demo contact with three tasks and three appointments.
const CONTACT: &str = "x64Mt6pwWmOf7NAPeeIE";

/// `YYYY-MM-DDTHH:MM` or a time with a trailing `Z`, anywhere in `s`.
fn has_utc_instant(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let d = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    (0..b.len()).find_map(|i| {
        let iso = (0..4).all(|k| d(i + k))
            && b.get(i + 4) == Some(&b'-')
            && b.get(i + 7) == Some(&b'-')
            && b.get(i + 10) == Some(&b'T')
            && d(i + 11)
            && b.get(i + 13) == Some(&b':');
        let zulu = d(i) && d(i + 1) && b.get(i + 2) == Some(&b':') && {
            let mut j = i + 3;
            while b
                .get(j)
                .is_some_and(|c| c.is_ascii_digit() || *c == b':' || *c == b'.')
            {
                j += 1;
            }
            b.get(j) == Some(&b'Z')
        };
        (iso || zulu).then(|| s[i.saturating_sub(10)..(i + 30).min(s.len())].to_owned())
    })
}

async fn sandbox(timezone: &str) -> Sandbox {
    Sandbox::start(SandboxConfig {
        seed: Seed::Demo,
        location_timezone: timezone.into(),
        ..Default::default()
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contact_and_changes_text_in_israel_time_json_in_iso() {
    let sb = sandbox("America/New_York").await;
    let dir = tempfile::tempdir().unwrap();
    ok(&bin(&sb, dir.path(), &["sync"]));
    {
        // `sync` cached the location's zone with the location.
        let store = Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();
        assert_eq!(
            store
                .meta(bmby_ghl::sync::location_zone::META_KEY)
                .as_deref(),
            Some("America/New_York")
        );
        assert!(bmby_ghl::sync::location_zone::cached(&store).is_some());
    }

    let text = ok(&bin(&sb, dir.path(), &["contact", CONTACT]));
    assert_eq!(has_utc_instant(&text), None, "{text}");
    // The fields the TUI shows are in the text too (found by a newcomer: they were left out).
    for l in [
        "Postal code    9100000",
        "Type           lead",
        "Source         public api",
        "Date of birth  1985-10-25",
        "Time zone      Asia/Jerusalem",
    ] {
        assert!(text.contains(l), "no {l:?} in\n{text}");
    }
    // A note of several lines continues under its first line.
    let lines: Vec<&str> = text.lines().collect();
    let i = lines
        .iter()
        .position(|l| l.trim_start().starts_with("Waiting for seller response."))
        .expect("the second line of a note");
    let col = |l: &str, what: &str| l.find(what).map(|b| l[..b].chars().count());
    assert_eq!(
        col(lines[i], "Waiting"),
        col(lines[i - 1], "Offer submitted"),
        "{}\n{}",
        lines[i - 1],
        lines[i]
    );
    assert!(
        text.contains("Times are Israel time (Asia/Jerusalem)."),
        "{text}"
    );
    // Tasks due 08:30Z in winter and 13:00Z in summer.
    assert!(text.contains("due 2028-02-07 10:30"), "{text}");
    assert!(text.contains("due 2027-04-22 16:00"), "{text}");
    // Appointments at 12:45 New York time in January (-05:00 → Israel +02:00) and 08:00 in
    // October (New York still -04:00, Israel still +03:00 until 31 October 2027).
    assert!(text.contains("2027-01-28 19:45 → 20:30"), "{text}");
    assert!(text.contains("2027-10-26 15:00 → 15:30"), "{text}");
    assert!(!text.contains("location time"), "{text}");

    let doc: Value =
        serde_json::from_str(&ok(&bin(&sb, dir.path(), &["contact", CONTACT, "--json"]))).unwrap();
    let appts = doc["appointments"].as_array().unwrap();
    let starts: Vec<&str> = appts
        .iter()
        .map(|a| a["start_iso"].as_str().unwrap())
        .collect();
    assert!(starts.contains(&"2027-01-28T12:45:00-05:00"), "{starts:?}");
    assert!(starts.contains(&"2027-10-26T08:00:00-04:00"), "{starts:?}");
    assert!(appts.iter().all(|a| a["timezone"] == "America/New_York"));
    let dues: Vec<&str> = doc["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["due_date"].as_str())
        .collect();
    assert!(dues.contains(&"2028-02-07T08:30:00.000Z"), "{dues:?}");

    // Changes with times in them: a new task typed as a bare date (09:00 Israel summer time)
    // and an existing task moved across the spring switch.
    {
        let store = Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();
        let c = store.contact(CONTACT).unwrap().unwrap();
        bmby_ghl::sync::local::add_task(&store, &c, "Sign the lease", "2026-03-27", "").unwrap();
        let task = store
            .tasks(CONTACT)
            .unwrap()
            .unwrap()
            .into_iter()
            .find(|t| t.due_date.as_deref() == Some("2027-04-22T13:00:00.000Z"))
            .unwrap();
        bmby_ghl::sync::local::edit_task(&store, &c, &task, &[("dueDate", "2027-01-10 16:00")])
            .unwrap();
        store.flush().unwrap();
    }
    let text = ok(&bin(&sb, dir.path(), &["changes"]));
    assert_eq!(has_utc_instant(&text), None, "{text}");
    assert!(text.contains("Due: (empty) → 2026-03-27 09:00"), "{text}");
    assert!(
        text.contains("Due: 2027-04-22 16:00 → 2027-01-10 16:00"),
        "{text}"
    );
    assert!(text.contains("Times are Israel time"), "{text}");

    let doc: Value =
        serde_json::from_str(&ok(&bin(&sb, dir.path(), &["changes", "--json"]))).unwrap();
    let proposed: Vec<String> = doc["changes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["fields"].as_array().unwrap().clone())
        .filter(|f| f["field"] == "dueDate")
        .map(|f| f["proposed"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        proposed.contains(&"2026-03-27T06:00:00.000Z".to_owned()),
        "{proposed:?}"
    );
    assert!(
        proposed.contains(&"2027-01-10T14:00:00.000Z".to_owned()),
        "{proposed:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_location_zone_is_labelled_not_guessed() {
    let sb = sandbox("Atlantis/Lost_City").await;
    let dir = tempfile::tempdir().unwrap();
    let text = ok(&bin(&sb, dir.path(), &["contact", CONTACT]));
    assert!(
        text.contains("2027-01-28 12:45 → 13:30 location time"),
        "{text}"
    );
    assert_eq!(has_utc_instant(&text), None, "{text}");
    let doc: Value =
        serde_json::from_str(&ok(&bin(&sb, dir.path(), &["contact", CONTACT, "--json"]))).unwrap();
    let a = &doc["appointments"][0];
    assert!(a["start_iso"].is_null(), "{a}");
    assert!(a["start_time"].is_string(), "GHL's own value is kept: {a}");
}

/// The TUI's worker loads the location's zone with the custom field definitions (on start),
/// before it reports them loaded, so the app reads it on that event.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_caches_the_zone_before_custom_fields_are_loaded() {
    use bmby_ghl::sync::{location_zone, worker, Job, SyncEvent};
    let sb = sandbox("America/New_York").await;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();
    assert!(location_zone::cached(&store).is_none());
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let jobs = worker::spawn(
        ghl_support::fast_client(&sb.base_url()),
        store.clone(),
        tx,
        worker::WorkerConfig {
            pull_interval: None,
            pull_on_start: false,
            ..Default::default()
        },
    );
    jobs.send(Job::FetchCustomFields).await.unwrap();
    let got = tokio::time::timeout(std::time::Duration::from_secs(60), async {
        loop {
            match rx.recv().await.expect("worker alive") {
                SyncEvent::CustomFieldsLoaded => break,
                SyncEvent::Error { context, message } => panic!("{context}: {message}"),
                _ => {}
            }
        }
    })
    .await;
    assert!(got.is_ok(), "custom fields loaded");
    let tz = location_zone::cached(&store).expect("the zone is cached");
    assert_eq!(tz.iana_name(), Some("America/New_York"));
}
