//! Bmby timestamps → UTC (bmby.md §7 "Dates"). Bmby gives naive Israel local time; it is read
//! in the `Asia/Jerusalem` zone with jiff and stored as an RFC 3339 UTC string
//! (`2026-03-26T23:30:00Z`).
//!
//! DST decisions (2026: summer time starts Fri 2026-03-27 02:00 → 03:00, ends Sun 2026-10-25
//! 02:00 → 01:00): jiff's *compatible* disambiguation. A local time in the spring **gap**
//! (02:00–02:59 on the start day, which never happened) is moved forward by the gap's length
//! (02:30 → 03:30 IDT = 00:30Z). A local time in the autumn **fold** (01:00–01:59 on the end
//! day, which happened twice) takes the **earlier** instant, the summer (+03:00) one
//! (01:30 → 22:30Z the day before).

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::Timestamp;

/// The `Asia/Jerusalem` zone ([`crate::clock::israel`], the one clock of the program).
pub fn jerusalem() -> &'static TimeZone {
    crate::clock::israel()
}

/// Converts an Excel serial date (1900 date system: day 1 = 1900-01-01, serial 60 is Excel's
/// phantom 1900-02-29; the fraction is the time of day) to a civil date-time, rounded to the
/// second. `None` outside serials 1..=2958465 (year 9999) or for NaN.
pub fn excel_serial_to_civil(serial: f64) -> Option<DateTime> {
    if !serial.is_finite() || !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    // Serials from 61 on count from 1899-12-30; below that, from 1899-12-31 (no phantom day).
    let epoch = if serial >= 61.0 {
        jiff::civil::date(1899, 12, 30)
    } else {
        jiff::civil::date(1899, 12, 31)
    };
    let total_secs = (serial * 86_400.0).round() as i64;
    let days = total_secs.div_euclid(86_400);
    let secs = total_secs.rem_euclid(86_400);
    let date = epoch.checked_add(jiff::Span::new().days(days)).ok()?;
    let time = jiff::civil::Time::new(
        (secs / 3600) as i8,
        ((secs / 60) % 60) as i8,
        (secs % 60) as i8,
        0,
    )
    .ok()?;
    Some(date.to_datetime(time))
}

const DATETIME_FORMATS: &[&str] = &[
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
];
const DATE_FORMATS: &[&str] = &["%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y"];

/// Parses a Bmby local timestamp into a civil (naive) date-time. Accepted shapes:
/// `YYYY-MM-DD HH:MM:SS` (Bmby's own), `YYYY-MM-DD HH:MM`, `YYYY-MM-DD` (midnight), the same with
/// `T`, fractional seconds after `HH:MM:SS` (dropped), `DD/MM/YYYY[ HH:MM[:SS]]` and
/// `DD.MM.YYYY[ HH:MM[:SS]]` (day first, Israeli order), and a bare Excel serial number
/// (`46108.5`, see [`excel_serial_to_civil`]; only 20000..=100000, i.e. 1954–2173, so
/// stray numbers are not read as dates). Surrounding whitespace is ignored. `None` when
/// nothing matches.
pub fn parse_local(s: &str) -> Option<DateTime> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    // Drop fractional seconds: "2026-01-01 10:00:00.123".
    let s = match s.rsplit_once('.') {
        Some((head, frac))
            if head.len() >= 19 && !frac.is_empty() && frac.chars().all(|c| c.is_ascii_digit()) =>
        {
            head
        }
        _ => s,
    };
    for f in DATETIME_FORMATS {
        if let Ok(dt) = DateTime::strptime(f, s) {
            return Some(dt);
        }
    }
    for f in DATE_FORMATS {
        if let Ok(d) = Date::strptime(f, s) {
            return Some(d.to_datetime(jiff::civil::Time::midnight()));
        }
    }
    if let Ok(n) = s.parse::<f64>() {
        if (20_000.0..=100_000.0).contains(&n) {
            return excel_serial_to_civil(n);
        }
    }
    None
}

/// Israel local civil time → UTC instant, with the compatible disambiguation described in
/// the module docs (gap: forward; fold: earlier/summer offset).
pub fn local_to_utc(dt: DateTime) -> Option<Timestamp> {
    jerusalem().to_ambiguous_timestamp(dt).compatible().ok()
}

/// A Bmby local timestamp (any shape [`parse_local`] accepts) → RFC 3339 UTC string with a
/// `Z` suffix and whole seconds, e.g. `"2026-03-27 01:30:00"` → `"2026-03-26T23:30:00Z"`.
/// `None` when unparseable.
pub fn bmby_local_to_utc_rfc3339(s: &str) -> Option<String> {
    let ts = local_to_utc(parse_local(s)?)?;
    Some(ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
}

/// A date (birthday): any shape [`parse_local`] accepts → `YYYY-MM-DD` (the time part, if any,
/// is dropped; no time-zone conversion — a birthday is a calendar date). `None` when
/// unparseable.
pub fn parse_date(s: &str) -> Option<String> {
    if let Some(dt) = parse_local(s) {
        return Some(dt.date().strftime("%Y-%m-%d").to_string());
    }
    // An ISO timestamp with a zone (`1978-03-13T00:00:00.000Z`, as GHL and some exports write
    // birthdays): the calendar date is what it means.
    let s = s.trim();
    let head = s.get(..10)?;
    let rest = &s[10..];
    if rest.starts_with('T') {
        if let Ok(d) = Date::strptime("%Y-%m-%d", head) {
            return Some(d.to_string());
        }
    }
    None
}

#[cfg(test)]
mod parse_date_tests {
    #[test]
    fn iso_timestamp_with_zone_gives_its_date() {
        assert_eq!(
            super::parse_date("1978-03-13T00:00:00.000Z").as_deref(),
            Some("1978-03-13")
        );
        assert_eq!(
            super::parse_date("13/03/1978").as_deref(),
            Some("1978-03-13")
        );
        assert_eq!(super::parse_date("garbage"), None);
    }
}
