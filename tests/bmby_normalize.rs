//! Normalization of Bmby data: phones, text, times, IDs, emails, whole clients.

use bmby_ghl::bmby::normalize::*;
use bmby_ghl::bmby::{BmbyClient, Origin};

use PhoneStatus::{ParsedButInvalid as Invalid, Unparseable, Valid};

/// (input, expected E.164, expected status). Statuses come from libphonenumber's metadata
/// bundled in the `phonenumber` crate: some realistic-looking mobiles (`050-1234567`,
/// `054-123-4567`) are not allocated there and come back `ParsedButInvalid`.
const PHONES: &[(&str, Option<&str>, PhoneStatus)] = &[
    // Domestic mobile, all separators.
    ("050-7654321", Some("+972507654321"), Valid),
    ("0507654321", Some("+972507654321"), Valid),
    ("050 765 4321", Some("+972507654321"), Valid),
    ("050 7654321", Some("+972507654321"), Valid),
    ("050.765.4321", Some("+972507654321"), Valid),
    ("(050) 7654321", Some("+972507654321"), Valid),
    ("050-1234567", Some("+972501234567"), Invalid),
    ("0501234567", Some("+972501234567"), Invalid),
    // International forms of an Israeli mobile.
    ("+972-50-765-4321", Some("+972507654321"), Valid),
    ("+972-50-123-4567", Some("+972501234567"), Invalid),
    ("972507654321", Some("+972507654321"), Valid),
    ("972501234567", Some("+972501234567"), Invalid),
    ("00972507654321", Some("+972507654321"), Valid),
    ("00972501234567", Some("+972501234567"), Invalid),
    ("+972 (0)50 765 4321", Some("+972507654321"), Valid),
    ("+972 (0)50 123 4567", Some("+972501234567"), Invalid),
    ("972 54 347 22 15", Some("+972543472215"), Valid),
    ("+972543472215", Some("+972543472215"), Valid),
    // Excel lost the leading zero.
    ("507654321", Some("+972507654321"), Valid),
    ("501234567", Some("+972501234567"), Invalid),
    ("543472215", Some("+972543472215"), Valid),
    ("31234567", Some("+97231234567"), Valid),
    // Landlines and VoIP.
    ("03-1234567", Some("+97231234567"), Valid),
    ("02-6234567", Some("+97226234567"), Valid),
    ("04-8123456", Some("+97248123456"), Valid),
    ("08-9123456", Some("+97289123456"), Valid),
    ("09-7123456", Some("+97297123456"), Valid),
    ("0097231234567", Some("+97231234567"), Valid),
    ("072-2123456", Some("+972722123456"), Valid),
    ("077-1234567", Some("+972771234567"), Valid),
    // Not Israeli: parsed as themselves.
    ("+1 212 555 0100", Some("+12125550100"), Valid),
    ("+44 20 7946 0958", Some("+442079460958"), Valid),
    ("0044 20 7946 0958", Some("+442079460958"), Valid),
    // Bidi marks and padding around the number.
    ("\u{200f}052-7654321\u{200e} ", Some("+972527654321"), Valid),
    // Parsed but not allocated per the metadata: kept, flagged, formatted anyway.
    ("054-123-4567", Some("+972541234567"), Invalid),
    // Garbage: raw kept, no E.164.
    ("abc", None, Unparseable),
    ("12", None, Unparseable),
    ("לא רלוונטי", None, Unparseable),
    ("050-abc-4567", None, Unparseable),
    ("-", None, Unparseable),
];

#[test]
fn phone_table() {
    assert!(PHONES.len() >= 20);
    let mut failures = Vec::new();
    for &(input, e164, status) in PHONES {
        let p = normalize_phone(input);
        if p.e164.as_deref() != e164 || p.status != status {
            failures.push(format!("{input:?}: got {p:?}, want {e164:?} {status:?}"));
        }
        // The raw text is always kept (cleaned of bidi marks and trimmed only).
        assert_eq!(
            p.raw,
            bmby_ghl::sanitize::clean_line(input).trim(),
            "{input:?}"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn parsed_but_invalid_is_kept_and_flagged() {
    let p = normalize_phone("054-123-4567");
    assert_eq!(p.raw, "054-123-4567");
    assert_eq!(p.e164.as_deref(), Some("+972541234567"));
    assert_eq!(p.status, PhoneStatus::ParsedButInvalid);
    assert!(!p.is_valid());
}

#[test]
fn garbage_phone_kept_raw() {
    let p = normalize_phone("  call after 5pm ");
    assert_eq!(p.raw, "call after 5pm");
    assert_eq!(p.e164, None);
    assert_eq!(p.status, PhoneStatus::Unparseable);
}

#[test]
fn hebrew_entities_and_bidi_marks_become_clean_nfc() {
    // "יוסי" as decimal entities, an RLM, an LRE..PDF pair, and a hex entity for ו.
    let raw = "\u{200f}&#1497;&#1493;&#1505;&#1497;\u{200e}  \u{202a}כהן\u{202c} &#x5D5;&#X5d5;";
    assert_eq!(clean_one_line(raw).as_deref(), Some("יוסי כהן וו"));
    // Named entities, &#39; and &nbsp; (which collapses like any whitespace).
    assert_eq!(
        clean_one_line("A&amp;B &quot;x&quot; &lt;y&gt; it&#39;s&nbsp;&nbsp;ok &apos;").as_deref(),
        Some("A&B \"x\" <y> it's ok '")
    );
    // Unknown or broken references stay as written; no double decoding.
    assert_eq!(
        decode_html_entities("&foo; &#; &#xZZ; & &amp;#1493;"),
        "&foo; &#; &#xZZ; & &#1493;"
    );
    // An entity that decodes to a bidi override is removed by the sanitizer afterwards.
    assert_eq!(clean_one_line("ab&#8238;cd").as_deref(), Some("abcd"));
    // NFC: the precomposed shin-dot (a composition exclusion) becomes shin + U+05C1.
    assert_eq!(
        clean_one_line("\u{fb2a}").as_deref(),
        Some("\u{5e9}\u{5c1}")
    );
    assert_eq!(clean_one_line("e\u{301}").as_deref(), Some("\u{e9}"));
    // Only invisible things: nothing left.
    assert_eq!(clean_one_line(" \u{200f}\u{200e} "), None);
}

#[test]
fn multi_line_keeps_newlines() {
    assert_eq!(
        clean_multi_line("  &#1513;&#1500;&#1493;&#1501;\r\nשורה 2  \n\tסוף \n").as_deref(),
        Some("שלום\nשורה 2\n\tסוף")
    );
}

#[test]
fn match_key_folds_hebrew_punctuation_and_case() {
    assert_eq!(match_key("צ׳רלי"), match_key("צ'רלי"));
    assert_eq!(match_key("דוא״ל"), match_key("דוא\"ל"));
    assert_eq!(match_key("בן־דוד"), match_key("בן-דוד"));
    assert_eq!(match_key("O’Brien"), match_key("o'brien"));
    assert_eq!(match_key(" Dana\u{200f}  LEVI "), "dana levi");
    assert_ne!(match_key("דנה"), match_key("דנה לוי"));
    // Display text keeps the original punctuation.
    assert_eq!(clean_one_line("צ׳רלי").as_deref(), Some("צ׳רלי"));
}

#[test]
fn full_name_split_on_last_space() {
    assert_eq!(
        split_full_name("יוסי כהן"),
        ("יוסי".into(), Some("כהן".into()))
    );
    assert_eq!(
        split_full_name("  יוסי  בן   דוד "),
        ("יוסי בן".into(), Some("דוד".into()))
    );
    assert_eq!(split_full_name("מדונה"), ("מדונה".into(), None));
    assert_eq!(split_full_name(" "), (String::new(), None));
}

fn utc(s: &str) -> String {
    bmby_local_to_utc_rfc3339(s).unwrap_or_else(|| panic!("{s:?} did not parse"))
}

#[test]
fn dst_2026_switches_are_in_the_tz_data() {
    use jiff::civil::date;
    let tz = bmby_ghl::bmby::normalize::time::jerusalem();
    let off = |y, m, d, h| {
        tz.to_offset(local_to_utc(date(y, m, d).at(h, 0, 0, 0)).unwrap())
            .seconds()
            / 3600
    };
    assert_eq!(off(2026, 3, 27, 1), 2);
    assert_eq!(off(2026, 3, 27, 3), 3);
    assert_eq!(off(2026, 10, 25, 0), 3);
    assert_eq!(off(2026, 10, 25, 3), 2);
}

#[test]
fn times_around_spring_forward_2026() {
    // Before the switch (UTC+2), after it (UTC+3).
    assert_eq!(utc("2026-03-27 01:30:00"), "2026-03-26T23:30:00Z");
    assert_eq!(utc("2026-03-27 01:59:59"), "2026-03-26T23:59:59Z");
    assert_eq!(utc("2026-03-27 03:30:00"), "2026-03-27T00:30:00Z");
    // In the gap (02:00–02:59 never happened): compatible → moved forward by one hour.
    assert_eq!(utc("2026-03-27 02:30:00"), "2026-03-27T00:30:00Z");
}

#[test]
fn times_around_fall_back_2026() {
    assert_eq!(utc("2026-10-25 00:30:00"), "2026-10-24T21:30:00Z");
    assert_eq!(utc("2026-10-25 02:30:00"), "2026-10-25T00:30:00Z");
    // 01:30 happened twice: the earlier (summer, +03:00) instant is chosen.
    assert_eq!(utc("2026-10-25 01:30:00"), "2026-10-24T22:30:00Z");
}

#[test]
fn winter_and_summer_offsets_and_shapes() {
    assert_eq!(utc("2026-01-15 12:00:00"), "2026-01-15T10:00:00Z");
    assert_eq!(utc("2026-07-15 12:00:00"), "2026-07-15T09:00:00Z");
    assert_eq!(utc("2026-07-15 12:00"), "2026-07-15T09:00:00Z");
    assert_eq!(utc("2026-07-15T12:00:00"), "2026-07-15T09:00:00Z");
    assert_eq!(utc("2026-07-15 12:00:00.250"), "2026-07-15T09:00:00Z");
    assert_eq!(utc("2026-07-15"), "2026-07-14T21:00:00Z");
    assert_eq!(utc("15/07/2026 12:00"), "2026-07-15T09:00:00Z");
    assert_eq!(utc("05/01/2026 12:00"), "2026-01-05T10:00:00Z");
    assert_eq!(utc("15/07/2026"), "2026-07-14T21:00:00Z");
    // Excel serial 46218.5 = 2026-07-15 12:00 local.
    assert_eq!(utc("46218.5"), "2026-07-15T09:00:00Z");
    assert_eq!(bmby_local_to_utc_rfc3339("yesterday"), None);
    assert_eq!(bmby_local_to_utc_rfc3339("2026-02-30 10:00:00"), None);
    assert_eq!(bmby_local_to_utc_rfc3339("12"), None);
}

#[test]
fn excel_serials() {
    use jiff::civil::date;
    assert_eq!(
        excel_serial_to_civil(46218.5),
        Some(date(2026, 7, 15).at(12, 0, 0, 0))
    );
    assert_eq!(
        excel_serial_to_civil(1.0),
        Some(date(1900, 1, 1).at(0, 0, 0, 0))
    );
    assert_eq!(
        excel_serial_to_civil(61.0),
        Some(date(1900, 3, 1).at(0, 0, 0, 0))
    );
    // 10:15:30 is 0.427430555… of a day; rounding lands on the second.
    let f = 46023.0 + (10.0 * 3600.0 + 15.0 * 60.0 + 30.0) / 86400.0;
    assert_eq!(
        excel_serial_to_civil(f),
        Some(date(2026, 1, 1).at(10, 15, 30, 0))
    );
    assert_eq!(excel_serial_to_civil(f64::NAN), None);
    assert_eq!(excel_serial_to_civil(-3.0), None);
}

#[test]
fn birth_dates() {
    assert_eq!(parse_date("1980-05-17").as_deref(), Some("1980-05-17"));
    assert_eq!(parse_date("17/05/1980").as_deref(), Some("1980-05-17"));
    assert_eq!(
        parse_date("1980-05-17 00:00:00").as_deref(),
        Some("1980-05-17")
    );
    assert_eq!(parse_date("not a date"), None);
}

#[test]
fn national_ids_padded_and_checked() {
    let id = normalize_national_id("1234566").unwrap();
    assert_eq!(id.value, "001234566");
    assert_eq!(id.status, NationalIdStatus::Valid);
    let id = normalize_national_id("12345674").unwrap();
    assert_eq!(id.value, "012345674");
    assert_eq!(id.status, NationalIdStatus::Valid);
    let id = normalize_national_id("12345678").unwrap();
    assert_eq!(id.value, "012345678");
    assert_eq!(id.status, NationalIdStatus::BadCheckDigit);
    assert_eq!(id.raw, "12345678");
    let id = normalize_national_id(" 12345678-2 ").unwrap();
    assert_eq!(id.value, "123456782");
    assert_eq!(id.status, NationalIdStatus::Valid);
    assert!(israeli_id_check_ok("000000018"));
    assert!(!israeli_id_check_ok("000000019"));
    assert!(!israeli_id_check_ok("12345678"));
    // Foreign passport: kept as written, flagged.
    let id = normalize_national_id("AB1234567").unwrap();
    assert_eq!(
        (id.value.as_str(), id.status),
        ("AB1234567", NationalIdStatus::NotIsraeli)
    );
    let id = normalize_national_id("123").unwrap();
    assert_eq!(
        (id.value.as_str(), id.status),
        ("123", NationalIdStatus::NotIsraeli)
    );
    assert_eq!(normalize_national_id("  "), None);
}

#[test]
fn emails() {
    let e = normalize_email("  Dana.Levi@Example.CO.IL ").unwrap();
    assert_eq!(e.display, "Dana.Levi@Example.CO.IL");
    assert_eq!(e.key, "dana.levi@example.co.il");
    assert!(e.well_formed);
    for bad in [
        "dana",
        "dana@",
        "@x.com",
        "a@b",
        "a b@c.com",
        "a@@b.com",
        "a@b..com",
        "a@b.com, c@d.com",
    ] {
        let e = normalize_email(bad).unwrap();
        assert!(!e.well_formed, "{bad:?}");
        assert_eq!(e.display, bad.trim());
    }
    assert_eq!(normalize_email(""), None);
}

fn sample() -> BmbyClient {
    BmbyClient {
        client_id: " 1001 ".into(),
        fname: Some("\u{200f}&#1497;&#1493;&#1505;&#1497; בן דוד".into()),
        lname: None,
        email: Some(" Yossi@Example.com ".into()),
        phone_mobile: Some("054-123-4567".into()),
        phone_home: Some("03-1234567".into()),
        phone_work: Some("abc".into()),
        passport: Some("1234566".into()),
        birth_day: Some("17/05/1980".into()),
        city: Some("תל אביב&#8207;".into()),
        remark: Some("שורה 1\r\n&#1513;&#1500;&#1493;&#1501;".into()),
        client_date: Some("2026-03-27 01:30:00".into()),
        update_date: Some("2026-10-25 02:30:00".into()),
        custom: [
            ("  תקציב ".to_string(), " 2,000,000 ".to_string()),
            ("ריק".into(), " ".into()),
        ]
        .into_iter()
        .collect(),
        origin: Origin {
            source: "clients.xlsx".into(),
            row: Some(2),
        },
        ..Default::default()
    }
}

#[test]
fn whole_client_normalized() {
    let n = normalize(&sample());
    assert_eq!(n.client_id, "1001");
    assert_eq!(n.first_name.as_deref(), Some("יוסי בן"));
    assert_eq!(n.last_name.as_deref(), Some("דוד"));
    assert_eq!(n.email.as_deref(), Some("Yossi@Example.com"));
    assert_eq!(n.email_key.as_deref(), Some("yossi@example.com"));
    assert_eq!(
        n.phone_mobile.as_ref().unwrap().status,
        PhoneStatus::ParsedButInvalid
    );
    // Mobile is not valid, home is: the primary is the first *valid* one.
    assert_eq!(n.primary_phone_e164.as_deref(), Some("+97231234567"));
    assert_eq!(n.phone_work.as_ref().unwrap().raw, "abc");
    assert_eq!(n.national_id.as_ref().unwrap().value, "001234566");
    assert_eq!(n.birth_day.as_deref(), Some("1980-05-17"));
    assert_eq!(n.city.as_deref(), Some("תל אביב"));
    assert_eq!(n.remark.as_deref(), Some("שורה 1\nשלום"));
    assert_eq!(n.created_utc.as_deref(), Some("2026-03-26T23:30:00Z"));
    assert_eq!(n.updated_utc.as_deref(), Some("2026-10-25T00:30:00Z"));
    assert_eq!(n.custom.get("תקציב").map(String::as_str), Some("2,000,000"));
    assert!(!n.custom.contains_key("ריק"));
    assert_eq!(n.origin.row, Some(2));
    let fields: Vec<&str> = n.warnings.iter().map(|w| w.field.as_str()).collect();
    assert_eq!(fields, ["phone_mobile", "phone_work"], "{:?}", n.warnings);
    assert_eq!(n.warnings[1].raw, "abc");
    // Serde round trip.
    let json = serde_json::to_string(&n).unwrap();
    let back: NormalizedClient = serde_json::from_str(&json).unwrap();
    assert_eq!(back, n);
}

#[test]
fn names_that_came_split_are_not_resplit() {
    let c = BmbyClient {
        client_id: "1".into(),
        fname: Some("יוסי בן".into()),
        lname: Some("דוד".into()),
        ..Default::default()
    };
    let n = normalize(&c);
    assert_eq!(n.first_name.as_deref(), Some("יוסי בן"));
    assert_eq!(n.last_name.as_deref(), Some("דוד"));
}

#[test]
fn bad_fields_warned_not_dropped() {
    let c = BmbyClient {
        client_id: "2".into(),
        fname: Some("Dana".into()),
        email: Some("dana@".into()),
        phone_mobile: Some("12".into()),
        passport: Some("X9876543".into()),
        birth_day: Some("sometime".into()),
        client_date: Some("garbage".into()),
        ..Default::default()
    };
    let n = normalize(&c);
    assert_eq!(n.first_name.as_deref(), Some("Dana"));
    assert_eq!(n.last_name, None);
    assert_eq!(n.email.as_deref(), Some("dana@"));
    assert_eq!(n.primary_phone_e164, None);
    assert_eq!(n.national_id.as_ref().unwrap().value, "X9876543");
    assert_eq!(n.birth_day, None);
    assert_eq!(n.created_utc, None);
    let mut fields: Vec<&str> = n.warnings.iter().map(|w| w.field.as_str()).collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "birth_day",
            "client_date",
            "email",
            "passport",
            "phone_mobile"
        ]
    );
}

proptest::proptest! {
    #[test]
    fn phone_never_panics_and_keeps_raw(s in "\\PC{0,30}|[0-9 +()\\-]{0,20}") {
        let p = normalize_phone(&s);
        let want = bmby_ghl::sanitize::clean_line(&s);
        proptest::prop_assert_eq!(p.raw.as_str(), want.trim());
        proptest::prop_assert_eq!(p.e164.is_some(), p.status != PhoneStatus::Unparseable);
        if let Some(e) = &p.e164 {
            proptest::prop_assert!(e.starts_with('+') && e[1..].bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn text_cleaning_is_idempotent(s in "\\PC{0,40}") {
        let once = clean_one_line(&s);
        if let Some(o) = &once {
            // Decoding again could decode "&amp;#..." forms; compare on entity-free text.
            if !o.contains('&') {
                let again = clean_one_line(o);
                proptest::prop_assert_eq!(again.as_ref(), Some(o));
            }
        }
        let _ = match_key(&s);
        let _ = bmby_local_to_utc_rfc3339(&s);
        let _ = normalize_national_id(&s);
    }
}
