//! One clock for people: every instant a person reads (TUI, CLI text, diffs, the journal) is
//! shown in Israel time (`Asia/Jerusalem`, as Bmby keeps times and as support staff think)
//! in one format, [`FORMAT`]: `2026-12-07 09:00`. Where a time stands alone (a prompt, a
//! confirmation, CLI text) it is labelled [`ISRAEL`] (`2026-12-07 09:00 Israel time`).
//! Stored and proposed values stay RFC 3339 UTC, and `--json` output keeps ISO 8601 with an
//! offset or `Z`; only display goes through here.
//!
//! Appointment times that GHL sends without a zone (`GET /contacts/{id}/appointments` gives
//! `2026-02-17 11:30:00`) are in the **location's** time zone (`GET /locations/{id}` →
//! `location.timezone`, cached by [`crate::sync::location_zone`]): they are converted to
//! Israel time like every other time ([`location_text`]); while the zone is unknown they are
//! shown as they came, labelled [`LOCATION_TIME`], never guessed.
//!
//! DST: jiff's tz database rules (Israel 2026: summer time from Fri 27 March 02:00, back on
//! Sun 25 October 02:00), so `07:00Z` is `09:00` in winter and `10:00` in summer. A typed local
//! time in the spring gap moves forward; one in the autumn fold takes the earlier (summer)
//! instant (jiff's *compatible* rule, as for Bmby times).

use std::borrow::Cow;
use std::sync::OnceLock;

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::Timestamp;

/// The one human format: `YYYY-MM-DD HH:MM` (24-hour, minutes).
pub const FORMAT: &str = "%Y-%m-%d %H:%M";

/// The label of Israel time, for a time shown on its own.
pub const ISRAEL: &str = "Israel time";

/// The label of an appointment time whose location zone is not known (yet).
pub const LOCATION_TIME: &str = "location time";

/// The POSIX rule of `Asia/Jerusalem` since 2013, used only when the system has no tz
/// database: IST = UTC+2, IDT = UTC+3 from the Friday before the last Sunday of March 02:00
/// (4th Thursday 26:00) to the last Sunday of October 02:00.
const JERUSALEM_POSIX: &str = "IST-2IDT,M3.4.4/26,M10.5.0";

/// The `Asia/Jerusalem` zone from the system tz database (jiff's bundled copy when the
/// system has none), falling back to its POSIX rule.
pub fn israel() -> &'static TimeZone {
    static TZ: OnceLock<TimeZone> = OnceLock::new();
    TZ.get_or_init(|| {
        TimeZone::get("Asia/Jerusalem").unwrap_or_else(|_| {
            tracing::warn!("no tz database entry for Asia/Jerusalem; using its POSIX rule");
            TimeZone::posix(JERUSALEM_POSIX).expect("valid POSIX TZ string")
        })
    })
}

/// An instant in Israel time, [`FORMAT`]: `2026-12-07T07:00:00Z` → `2026-12-07 09:00`.
pub fn human(ts: Timestamp) -> String {
    ts.to_zoned(israel().clone()).strftime(FORMAT).to_string()
}

/// [`human`] with its zone: `2026-12-07 09:00 Israel time`.
pub fn human_labelled(ts: Timestamp) -> String {
    format!("{} {ISRAEL}", human(ts))
}

/// An instant written as text (RFC 3339 / ISO 8601 with `Z` or an offset, as GHL and our
/// store write them), or `None` when `s` is something else (a date, a name, a number).
pub fn instant(s: &str) -> Option<Timestamp> {
    let s = s.trim();
    // Cheap shape check first: `YYYY-MM-DD` then `T` or a space and a time.
    let b = s.as_bytes();
    if b.len() < 16 || b[4] != b'-' || b[7] != b'-' || !(b[10] == b'T' || b[10] == b' ') {
        return None;
    }
    s.parse::<Timestamp>().ok()
}

/// A value for people: an instant becomes [`human`] Israel time, anything else is returned
/// as it is (diff cells, CLI values). `2026-12-07T07:00:00.000Z` → `2026-12-07 09:00`.
pub fn value(s: &str) -> Cow<'_, str> {
    match instant(s) {
        Some(t) => Cow::Owned(human(t)),
        None => Cow::Borrowed(s),
    }
}

/// [`value`] of an optional value.
pub fn value_opt(s: Option<&str>) -> Option<Cow<'_, str>> {
    s.map(value)
}

/// The instant a person typed for a due date: RFC 3339 (any offset), or Israel local
/// `YYYY-MM-DD HH:MM` (also `DD/MM/YYYY HH:MM` and the other shapes Bmby uses), or a bare
/// `YYYY-MM-DD`, which means **09:00** Israel time that day. Errors say what was expected.
pub fn parse_typed(v: &str) -> Result<Timestamp, String> {
    let t = v.trim();
    let ts = if let Ok(ts) = t.parse::<Timestamp>() {
        Some(ts)
    } else if let Ok(d) = Date::strptime("%Y-%m-%d", t) {
        at_israel(d.at(9, 0, 0, 0))
    } else {
        crate::bmby::normalize::time::parse_local(t).and_then(at_israel)
    };
    ts.ok_or_else(|| format!("`{v}` is not a date (YYYY-MM-DD HH:MM, {ISRAEL})"))
}

fn at_israel(dt: DateTime) -> Option<Timestamp> {
    israel().to_ambiguous_timestamp(dt).compatible().ok()
}

/// What a typed due date will mean, for the editor while typing:
/// `→ 2026-12-07 09:00 Israel time` (a bare date adds `(no time typed)`), or `None` when the
/// text is not a date yet.
pub fn typed_hint(v: &str) -> Option<String> {
    let ts = parse_typed(v).ok()?;
    let bare = Date::strptime("%Y-%m-%d", v.trim()).is_ok();
    Some(format!(
        "→ {}{}",
        human_labelled(ts),
        if bare { " (no time typed)" } else { "" }
    ))
}

/// An instant as GHL writes them: RFC 3339 UTC with milliseconds (`2026-12-07T07:00:00.000Z`).
pub fn iso_utc(ts: Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// A location's IANA zone name (`America/New_York`), `None` when it is empty or unknown to
/// the tz database.
pub fn zone(name: &str) -> Option<TimeZone> {
    let name = name.trim();
    if name.is_empty() {
        return None;
    }
    TimeZone::get(name).ok()
}

/// A zone-less GHL time (`2026-02-17 11:30:00`, `2026-02-17T11:30:00`) read in the location
/// zone `tz`. A value that carries its own offset or `Z` is taken as that instant. `None` when
/// it is not a time.
pub fn location_instant(s: &str, tz: &TimeZone) -> Option<Timestamp> {
    if let Some(t) = instant(s) {
        return Some(t);
    }
    let dt = civil(s)?;
    tz.to_ambiguous_timestamp(dt).compatible().ok()
}

fn civil(s: &str) -> Option<DateTime> {
    let s = s.trim();
    ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| DateTime::strptime(f, s).ok())
        .or_else(|| {
            // Fractional seconds: `2026-02-17T11:30:00.000`.
            let (head, frac) = s.rsplit_once('.')?;
            frac.bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| civil(head))
                .flatten()
        })
}

/// An appointment time for people: in Israel time ([`human`]) when the location zone is known
/// (or the value has its own offset); otherwise as GHL gave it, trimmed to minutes and
/// labelled: `2026-02-17 11:30 location time`. Text that is not a time comes back as is.
pub fn location_text(s: &str, tz: Option<&TimeZone>) -> String {
    if let Some(t) = instant(s) {
        return human(t);
    }
    match (civil(s), tz) {
        (Some(dt), Some(tz)) => match tz.to_ambiguous_timestamp(dt).compatible() {
            Ok(t) => human(t),
            Err(_) => format!("{} {LOCATION_TIME}", dt.strftime(FORMAT)),
        },
        (Some(dt), None) => format!("{} {LOCATION_TIME}", dt.strftime(FORMAT)),
        (None, _) => s.to_owned(),
    }
}

/// An appointment's start and end for people, the end shortened to `HH:MM` when it falls on
/// the same day: `2026-02-17 18:30 → 19:00` (Israel time), or
/// `2026-02-17 11:30 → 12:00 location time` while the zone is unknown.
pub fn location_span(start: &str, end: &str, tz: Option<&TimeZone>) -> String {
    let (s, e) = (location_text(start, tz), location_text(end, tz));
    let unlabelled = |x: &str| {
        x.strip_suffix(LOCATION_TIME)
            .map(str::trim_end)
            .map(str::to_owned)
    };
    let (s0, e0, label) = match (unlabelled(&s), unlabelled(&e)) {
        (Some(a), Some(b)) => (a, b, format!(" {LOCATION_TIME}")),
        _ => (s.clone(), e.clone(), String::new()),
    };
    match (s0.split_once(' '), e0.split_once(' ')) {
        (Some((sd, _)), Some((ed, et))) if sd == ed && s0.len() == 16 && e0.len() == 16 => {
            format!("{s0} → {et}{label}")
        }
        _ => format!("{s} → {e}"),
    }
}

/// A zone-less GHL time as ISO 8601 with the location's offset, for `--json`
/// (`2026-02-17 11:30:00` in `America/New_York` → `2026-02-17T11:30:00-05:00`). `None` when
/// the zone is unknown or the text is not a time.
pub fn location_iso(s: &str, tz: Option<&TimeZone>) -> Option<String> {
    let tz = tz?;
    let t = location_instant(s, tz)?;
    Some(
        t.to_zoned(tz.clone())
            .strftime("%Y-%m-%dT%H:%M:%S%:z")
            .to_string(),
    )
}

/// An instant in a list cell, short, Israel time, relative to `now`: `14:03` when it falls on
/// today's Israel date, `3 Dec` earlier (or later) in the same Israel year, `2025-11-02`
/// otherwise. At most 10 columns.
pub fn short(ts: Timestamp, now: Timestamp) -> String {
    let z = ts.to_zoned(israel().clone());
    let today = now.to_zoned(israel().clone()).date();
    if z.date() == today {
        z.strftime("%H:%M").to_string()
    } else if z.year() == today.year() {
        z.strftime("%-d %b").to_string()
    } else {
        z.strftime("%Y-%m-%d").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn israel_time_on_both_sides_of_each_2026_switch() {
        // Winter (IST, +02:00) before Fri 27 March 2026 02:00.
        assert_eq!(human(ts("2026-03-26T07:00:00Z")), "2026-03-26 09:00");
        // Summer (IDT, +03:00) from then…
        assert_eq!(human(ts("2026-03-27T07:00:00Z")), "2026-03-27 10:00");
        assert_eq!(human(ts("2026-10-24T07:00:00Z")), "2026-10-24 10:00");
        // …until Sun 25 October 2026 02:00.
        assert_eq!(human(ts("2026-10-25T07:00:00Z")), "2026-10-25 09:00");
        // The switch instants themselves.
        assert_eq!(human(ts("2026-03-26T23:59:00Z")), "2026-03-27 01:59");
        assert_eq!(human(ts("2026-03-27T00:00:00Z")), "2026-03-27 03:00");
        assert_eq!(human(ts("2026-10-24T22:59:00Z")), "2026-10-25 01:59");
        assert_eq!(human(ts("2026-10-24T23:00:00Z")), "2026-10-25 01:00");
    }

    #[test]
    fn values_that_are_instants_are_shown_in_israel_time_others_untouched() {
        assert_eq!(value("2026-12-07T07:00:00.000Z"), "2026-12-07 09:00");
        assert_eq!(value("2026-07-07T10:00:00+03:00"), "2026-07-07 10:00");
        for keep in [
            "2026-12-07",
            "Dana Levi",
            "1810425600000",
            "",
            "2026-12-07 09:00",
        ] {
            assert_eq!(value(keep), keep);
        }
        assert_eq!(
            human_labelled(ts("2026-12-07T07:00:00Z")),
            "2026-12-07 09:00 Israel time"
        );
    }

    #[test]
    fn typed_due_dates_mean_israel_time_and_a_bare_date_means_nine() {
        let t = parse_typed("2026-12-07").unwrap();
        assert_eq!(iso_utc(t), "2026-12-07T07:00:00.000Z");
        let t = parse_typed("2026-07-07").unwrap();
        assert_eq!(iso_utc(t), "2026-07-07T06:00:00.000Z");
        assert_eq!(
            iso_utc(parse_typed("2026-12-07 14:30").unwrap()),
            "2026-12-07T12:30:00.000Z"
        );
        assert_eq!(
            typed_hint("2026-12-07").as_deref(),
            Some("→ 2026-12-07 09:00 Israel time (no time typed)")
        );
        assert_eq!(
            typed_hint("2026-07-07 14:30").as_deref(),
            Some("→ 2026-07-07 14:30 Israel time")
        );
        // The spring gap moves forward.
        assert_eq!(
            typed_hint("2026-03-27 02:30").as_deref(),
            Some("→ 2026-03-27 03:30 Israel time")
        );
        assert_eq!(typed_hint("2026-12-0"), None);
        assert!(parse_typed("tomorrow").unwrap_err().contains("Israel time"));
    }

    #[test]
    fn appointment_times_are_read_in_the_location_zone() {
        let ny = zone("America/New_York").unwrap();
        // 11:30 in New York in winter (-05:00) is 18:30 in Israel (+02:00).
        assert_eq!(
            location_text("2026-02-17 11:30:00", Some(&ny)),
            "2026-02-17 18:30"
        );
        assert_eq!(
            location_iso("2026-02-17 11:30:00", Some(&ny)).as_deref(),
            Some("2026-02-17T11:30:00-05:00")
        );
        // In July (EDT -04:00, IDT +03:00) the gap is still 7 hours.
        assert_eq!(
            location_text("2026-07-17 11:30:00", Some(&ny)),
            "2026-07-17 18:30"
        );
        // Between the two countries' switches the gap is 6 hours (US on summer time since
        // 8 March, Israel from 27 March).
        assert_eq!(
            location_text("2026-03-20 11:30:00", Some(&ny)),
            "2026-03-20 17:30"
        );
        assert_eq!(
            location_text("2026-02-17 11:30:00", None),
            "2026-02-17 11:30 location time"
        );
        assert_eq!(location_iso("2026-02-17 11:30:00", None), None);
        assert_eq!(
            location_span("2026-02-17 11:30:00", "2026-02-17 12:00:00", Some(&ny)),
            "2026-02-17 18:30 → 19:00"
        );
        assert_eq!(
            location_span("2026-02-17 11:30:00", "2026-02-17 12:00:00", None),
            "2026-02-17 11:30 → 12:00 location time"
        );
        // Past midnight in Israel: the end keeps its date.
        assert_eq!(
            location_span("2026-02-17 16:30:00", "2026-02-17 17:30:00", Some(&ny)),
            "2026-02-17 23:30 → 2026-02-18 00:30"
        );
        assert_eq!(location_text("soon", Some(&ny)), "soon");
        assert!(zone("Mars/Olympus").is_none());
        assert!(zone("").is_none());
    }
    #[test]
    fn short_form_is_time_today_day_this_year_date_before() {
        let now = ts("2026-12-03T20:00:00Z"); // 22:00 in Israel
        assert_eq!(short(ts("2026-12-03T12:03:00Z"), now), "14:03");
        // 23:30Z on 2 Dec is already 3 Dec 01:30 in Israel: today.
        assert_eq!(short(ts("2026-12-02T23:30:00Z"), now), "01:30");
        assert_eq!(short(ts("2026-12-02T12:00:00Z"), now), "2 Dec");
        assert_eq!(short(ts("2026-01-01T08:00:00Z"), now), "1 Jan");
        assert_eq!(short(ts("2025-11-02T08:00:00Z"), now), "2025-11-02");
        // 31 Dec 2025 23:00Z is 1 Jan 2026 in Israel: this year.
        assert_eq!(short(ts("2025-12-31T23:00:00Z"), now), "1 Jan");
        // Summer time: 07:00Z is 10:00.
        let summer = ts("2026-07-07T15:00:00Z");
        assert_eq!(short(ts("2026-07-07T07:00:00Z"), summer), "10:00");
    }
}
