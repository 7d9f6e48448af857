//! Id, traceId and timestamp helpers shared by the sandbox modules.

use rand::Rng;

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// A fresh random 20-character alphanumeric id, like GHL's contact/task/note ids.
pub fn new_id() -> String {
    let mut rng = rand::rng();
    (0..20)
        .map(|_| ALNUM[rng.random_range(0..ALNUM.len())] as char)
        .collect()
}

/// A deterministic 20-character id for generated seeds (`n` → always the same id).
pub fn id_from_index(n: u64) -> String {
    // splitmix64 to spread the bits, then base-62 digits
    let mut x = n.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut out = String::with_capacity(20);
    for _ in 0..20 {
        x ^= x >> 30;
        x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x ^= x >> 27;
        x = x.wrapping_mul(0x94D0_49BB_1331_11EB);
        x ^= x >> 31;
        out.push(ALNUM[(x % 62) as usize] as char);
    }
    out
}

/// A uuid-v4-shaped trace id (`"0398c85a-…"`), as GHL puts in search/upsert bodies.
pub fn trace_id() -> String {
    let b: [u8; 16] = rand::rng().random();
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-4{}-a{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

/// Milliseconds since the epoch, now.
pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// Format epoch ms as GHL's `dateAdded`/`dateUpdated`: ISO 8601 UTC with milliseconds and `Z`
/// (`2021-07-02T05:18:26.704Z`).
pub fn iso_ms(ms: i64) -> String {
    match jiff::Timestamp::from_millisecond(ms) {
        Ok(t) => t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        Err(_) => String::new(),
    }
}

/// Parse an ISO 8601 / RFC 3339 timestamp to epoch ms. A bare `YYYY-MM-DD` counts as midnight UTC.
pub fn parse_ms(s: &str) -> Option<i64> {
    if let Ok(t) = s.parse::<jiff::Timestamp>() {
        return Some(t.as_millisecond());
    }
    let date_part = s.get(..10)?;
    let d: jiff::civil::Date = date_part.parse().ok()?;
    let z = d.to_zoned(jiff::tz::TimeZone::UTC).ok()?;
    Some(z.timestamp().as_millisecond())
}
