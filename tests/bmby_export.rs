//! Bmby export readers: xlsx and csv (UTF-8, UTF-8 with BOM, windows-1255), header aliases,
//! and bad input reported per row without losing the good rows.

use std::path::{Path, PathBuf};

use bmby_ghl::bmby::export::*;
use bmby_ghl::bmby::normalize::normalize;
use bmby_ghl::bmby::BmbyClient;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

const HEADERS: &[&str] = &[
    "מספר לקוח",
    "\u{200f}שם פרטי",
    "שם משפחה",
    "טלפון נייד",
    "דוא\"ל",
    "ת.ז.",
    "עיר",
    "תאריך כניסה",
    "הערות",
    "תקציב",
];

/// The same three clients as text rows (what a csv holds). Row 1's phone and id are what
/// Excel shows for numeric cells (leading zero lost); its date is what a date cell gives.
fn text_rows() -> Vec<Vec<&'static str>> {
    vec![
        vec![
            "1001",
            "יוסי",
            "כהן",
            "501234567",
            "yossi@example.com",
            "1234566",
            "תל אביב",
            "2026-03-27 01:30:00",
            "שורה 1\nשורה 2",
            "2000000",
        ],
        vec![
            "1002",
            "דנה לוי",
            "",
            "052-7654321",
            "",
            "",
            "חיפה",
            "2026-10-25 01:30:00",
            "",
            "",
        ],
        vec![
            "1003",
            "משה",
            "פרץ",
            "03-1234567",
            "moshe@example.co.il",
            "",
            "ירושלים",
            "",
            "",
            "1.5",
        ],
    ]
}

fn write_xlsx(path: &Path) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("לקוחות").unwrap();
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let date_fmt = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    for (r, row) in text_rows().iter().enumerate() {
        let r = r as u32 + 1;
        for (c, v) in row.iter().enumerate() {
            let c16 = c as u16;
            if v.is_empty() {
                continue;
            }
            match (c, r) {
                // Numeric cells: client id, the Excel-mangled phone, the ID number, budget.
                (0, _) | (3, 1) | (5, 1) | (9, _) => {
                    ws.write_number(r, c16, v.parse::<f64>().unwrap()).unwrap();
                }
                // Real date cells.
                (7, _) => {
                    let dt = ExcelDateTime::parse_from_str(v).unwrap();
                    ws.write_datetime_with_format(r, c16, &dt, &date_fmt)
                        .unwrap();
                }
                _ => {
                    ws.write_string(r, c16, *v).unwrap();
                }
            }
        }
    }
    wb.save(path).unwrap();
}

fn csv_text(delim: u8) -> String {
    let mut w = ::csv::WriterBuilder::new()
        .delimiter(delim)
        .from_writer(Vec::new());
    w.write_record(HEADERS).unwrap();
    for row in text_rows() {
        w.write_record(&row).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn read(p: &Path) -> ExportRead {
    read_export(p, &ExportOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

/// Clients without their origin's file name, for comparing across formats.
fn strip_source(mut v: Vec<BmbyClient>) -> Vec<BmbyClient> {
    for c in &mut v {
        c.origin.source.clear();
    }
    v
}

#[test]
fn xlsx_reads_hebrew_headers_numbers_and_dates() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("clients.xlsx");
    write_xlsx(&p);
    let r = read(&p);
    assert_eq!(r.problems, vec![]);
    assert_eq!(r.rows_read, 3);
    assert_eq!(r.source, "clients.xlsx");
    assert_eq!(r.clients.len(), 3);
    let c = &r.clients[0];
    assert_eq!(c.client_id, "1001");
    assert_eq!(c.fname.as_deref(), Some("יוסי"));
    assert_eq!(c.phone_mobile.as_deref(), Some("501234567"));
    assert_eq!(c.passport.as_deref(), Some("1234566"));
    assert_eq!(c.client_date.as_deref(), Some("2026-03-27 01:30:00"));
    assert_eq!(c.remark.as_deref(), Some("שורה 1\nשורה 2"));
    assert_eq!(c.custom.get("תקציב").map(String::as_str), Some("2000000"));
    assert_eq!(
        r.clients[2].custom.get("תקציב").map(String::as_str),
        Some("1.5")
    );
    assert_eq!(c.origin.row, Some(2));
    assert_eq!(c.origin.source, "clients.xlsx");
    // Full name in fname, lname empty: read as is; normalization splits it.
    assert_eq!(r.clients[1].fname.as_deref(), Some("דנה לוי"));
    assert_eq!(r.clients[1].lname, None);
    let n = normalize(&r.clients[1]);
    assert_eq!(
        (n.first_name.as_deref(), n.last_name.as_deref()),
        (Some("דנה"), Some("לוי"))
    );
    let n = normalize(c);
    assert_eq!(
        n.phone_mobile.unwrap().e164.as_deref(),
        Some("+972501234567")
    );
    assert_eq!(n.national_id.unwrap().value, "001234566");
    assert_eq!(n.created_utc.as_deref(), Some("2026-03-26T23:30:00Z"));
}

#[test]
fn xlsx_and_all_csv_encodings_read_to_the_same_clients() {
    let dir = tempfile::tempdir().unwrap();
    let xlsx = dir.path().join("clients.xlsx");
    write_xlsx(&xlsx);
    let text = csv_text(b',');
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(text.as_bytes());
    let plain = text.replace('\u{200f}', "");
    let (cp1255, _, unmappable) = encoding_rs::WINDOWS_1255.encode(&plain);
    assert!(!unmappable);
    assert!(
        std::str::from_utf8(&cp1255).is_err(),
        "test data must not be valid UTF-8"
    );
    let semi = csv_text(b';');
    let tab = csv_text(b'\t');

    let base = strip_source(read(&xlsx).clients);
    assert_eq!(base.len(), 3);
    for (name, bytes) in [
        ("utf8.csv", text.as_bytes().to_vec()),
        ("bom.csv", bom),
        ("cp1255.csv", cp1255.into_owned()),
        ("semicolon.csv", semi.into_bytes()),
        ("tab.tsv", tab.into_bytes()),
    ] {
        let p = write(dir.path(), name, &bytes);
        let r = read(&p);
        assert_eq!(r.problems, vec![], "{name}");
        assert_eq!(r.rows_read, 3, "{name}");
        // Rows as a spreadsheet shows them: row 2's two-line remark is one row, so csv and
        // xlsx agree on every row number (the remark's second line is line 4 of the csv).
        let got = strip_source(r.clients);
        assert_eq!(got[0].origin.row, Some(2), "{name}");
        assert_eq!(got[1].origin.row, Some(3), "{name}");
        assert_eq!(got, base, "{name}");
    }
}

#[test]
fn explicit_encoding_override_is_used() {
    let text = csv_text(b',');
    let (cp1255, _, _) = encoding_rs::WINDOWS_1255.encode(&text);
    // Forced UTF-8 on a windows-1255 file: every Hebrew cell is reported, rows still read.
    let opts = ExportOptions {
        encoding: Some(encoding_rs::UTF_8),
        ..Default::default()
    };
    let r = csv::read_csv_bytes(&cp1255, "x.csv", &opts).unwrap_err();
    // The headers are garbled too, so no client id column can be found.
    assert!(matches!(r, ExportError::MissingColumn { .. }), "{r}");
    let opts = ExportOptions {
        encoding: Some(encoding_rs::WINDOWS_1255),
        ..Default::default()
    };
    let r = csv::read_csv_bytes(&cp1255, "x.csv", &opts).unwrap();
    assert_eq!(r.clients[0].fname.as_deref(), Some("יוסי"));
}

#[test]
fn english_headers_and_aliases_are_matched_after_cleaning() {
    let csv = "\u{feff} BMBY_ID ,First_Name,family_name,cellphone_nubmer,Phone_number,additional_phone_number,E-Mail,Ctiy,registration_date,last_communication_date,agent,source,Comment,Evacuation date\n\
               7,Dana,Levi,050-7654321,,03-1234567,d@x.com,חיפה,2026-01-01 10:00:00,2026-02-01 10:00,רונית,פייסבוק,hi,2027\n";
    let r = csv::read_csv_bytes(csv.as_bytes(), "en.csv", &ExportOptions::default()).unwrap();
    assert_eq!(r.problems, vec![]);
    let c = &r.clients[0];
    assert_eq!(c.client_id, "7");
    assert_eq!(c.fname.as_deref(), Some("Dana"));
    assert_eq!(c.lname.as_deref(), Some("Levi"));
    assert_eq!(c.phone_mobile.as_deref(), Some("050-7654321"));
    assert_eq!(c.phone_home.as_deref(), Some("03-1234567"));
    assert_eq!(c.email.as_deref(), Some("d@x.com"));
    assert_eq!(c.city.as_deref(), Some("חיפה"));
    assert_eq!(c.client_date.as_deref(), Some("2026-01-01 10:00:00"));
    assert_eq!(c.update_date.as_deref(), Some("2026-02-01 10:00"));
    assert_eq!(c.user_name.as_deref(), Some("רונית"));
    assert_eq!(c.media_title.as_deref(), Some("פייסבוק"));
    assert_eq!(c.remark.as_deref(), Some("hi"));
    assert_eq!(
        c.custom.get("Evacuation date").map(String::as_str),
        Some("2027")
    );
}

#[test]
fn full_name_column_fills_fname_and_gershayim_header_matches() {
    let csv = "מזהה,שם מלא,דוא״ל,סטאטוס,מקור הגעה,איש מכירות,תאריך עדכון\n\
               5,אבי בן חיים,a@b.co,נקבעה פגישה,אתר,שרה,2026-07-01 09:00:00\n";
    let r = csv::read_csv_bytes(csv.as_bytes(), "he.csv", &ExportOptions::default()).unwrap();
    let c = &r.clients[0];
    assert_eq!(c.fname.as_deref(), Some("אבי בן חיים"));
    assert_eq!(c.email.as_deref(), Some("a@b.co"));
    assert_eq!(c.status.as_deref(), Some("נקבעה פגישה"));
    assert_eq!(c.media_title.as_deref(), Some("אתר"));
    assert_eq!(c.user_name.as_deref(), Some("שרה"));
    assert_eq!(c.update_date.as_deref(), Some("2026-07-01 09:00:00"));
    assert!(c.custom.is_empty(), "{:?}", c.custom);
}

#[test]
fn user_aliases_override_defaults() {
    // "טלפון" is phone_home by default; the user says it is the mobile in their reports.
    let csv = "מס' לקוח,טלפון\n9,050-7654321\n";
    let opts = ExportOptions {
        aliases: Some(
            ColumnAliases::default()
                .with(Field::ClientId, &["מס׳ לקוח"])
                .with(Field::PhoneMobile, &["טלפון"]),
        ),
        ..Default::default()
    };
    let r = csv::read_csv_bytes(csv.as_bytes(), "u.csv", &opts).unwrap();
    assert_eq!(r.clients[0].client_id, "9");
    assert_eq!(r.clients[0].phone_mobile.as_deref(), Some("050-7654321"));
    assert_eq!(r.clients[0].phone_home, None);
    // Without the override the same file has no client id column.
    let e = csv::read_csv_bytes(csv.as_bytes(), "u.csv", &ExportOptions::default()).unwrap_err();
    assert!(matches!(e, ExportError::MissingColumn { .. }));
}

#[test]
fn alias_table_serializes_with_bmby_names() {
    let a = ColumnAliases::default().with(Field::PhoneMobile, &["סלולר"]);
    let json = serde_json::to_string(&a).unwrap();
    assert_eq!(json, r#"{"phone_mobile":["סלולר"]}"#);
    let back: ColumnAliases = serde_json::from_str(&json).unwrap();
    assert_eq!(back, a);
    let d = ColumnAliases::defaults();
    assert_eq!(d.field_for("  CLIENT_ID "), Some(Field::ClientId));
    assert_eq!(d.field_for("ת.ז."), Some(Field::Passport));
    assert_eq!(d.field_for("\u{200e}עיר"), Some(Field::City));
    assert_eq!(d.field_for("something else"), None);
}

#[test]
fn missing_client_id_column_names_file_headers_and_aliases() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "noid.csv",
        "שם פרטי,טלפון\nיוסי,050\n".as_bytes(),
    );
    let e = read_export(&p, &ExportOptions::default()).unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("noid.csv"), "{msg}");
    assert!(msg.contains("client_id"), "{msg}");
    assert!(msg.contains("שם פרטי, טלפון"), "{msg}");
    assert!(
        msg.contains("bmby_id") && msg.contains("מספר לקוח"),
        "{msg}"
    );
    match e {
        ExportError::MissingColumn {
            headers_found,
            aliases_tried,
            ..
        } => {
            assert_eq!(headers_found, ["שם פרטי", "טלפון"]);
            assert!(aliases_tried.contains(&"מזהה".to_string()));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn unreadable_and_wrong_format_files_are_errors_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("gone.xlsx");
    let e = read_export(&missing, &ExportOptions::default()).unwrap_err();
    assert!(
        matches!(e, ExportError::Io { .. }) && e.to_string().contains("gone.xlsx"),
        "{e}"
    );

    let fake = write(dir.path(), "fake.xlsx", b"client_id,fname\n1,a\n");
    let e = read_export(&fake, &ExportOptions::default()).unwrap_err();
    assert!(e.to_string().contains("fake.xlsx"), "{e}");
    assert!(matches!(e, ExportError::UnsupportedFormat { .. }), "{e}");

    let pdf = write(dir.path(), "report.pdf", b"%PDF-1.4\n\x00\x01\x02binary");
    let e = read_export(&pdf, &ExportOptions::default()).unwrap_err();
    assert!(
        matches!(e, ExportError::UnsupportedFormat { .. }) && e.to_string().contains("report.pdf"),
        "{e}"
    );

    // A zip that is not a workbook.
    let zip = write(dir.path(), "broken.xlsx", b"PK\x03\x04garbage");
    let e = read_export(&zip, &ExportOptions::default()).unwrap_err();
    assert!(
        matches!(e, ExportError::Workbook { .. }) && e.to_string().contains("broken.xlsx"),
        "{e}"
    );

    let empty = write(dir.path(), "empty.csv", b"\n\n");
    let e = read_export(&empty, &ExportOptions::default()).unwrap_err();
    assert!(
        matches!(e, ExportError::Empty { .. }) && e.to_string().contains("empty.csv"),
        "{e}"
    );

    let xlsx = dir.path().join("c.xlsx");
    write_xlsx(&xlsx);
    let opts = ExportOptions {
        sheet: Some("Sheet9".into()),
        ..Default::default()
    };
    let e = read_export(&xlsx, &opts).unwrap_err();
    assert!(
        e.to_string().contains("c.xlsx") && e.to_string().contains("לקוחות"),
        "{e}"
    );
    let opts = ExportOptions {
        sheet: Some("לקוחות".into()),
        full: true,
        ..Default::default()
    };
    let r = read_export(&xlsx, &opts).unwrap();
    assert!(r.full);
    assert_eq!(r.clients.len(), 3);
}

#[test]
fn bad_rows_are_problems_and_good_rows_still_read() {
    let mut bytes = Vec::new();
    bytes.extend_from_slice("client_id,fname,phone_mobile,phone_home,city\n".as_bytes());
    bytes.extend_from_slice("1,אבי,050-7654321,,חיפה\n".as_bytes()); // row 2: good
    bytes.extend_from_slice("1,כפיל,052-7654321,,\n".as_bytes()); // row 3: duplicate id
    bytes.extend_from_slice(",ללא מזהה,052-7654321,,\n".as_bytes()); // row 4: empty id
    bytes.extend_from_slice("2,גל,abc,03-1234567,\n".as_bytes()); // row 5: garbage phone
    bytes.extend_from_slice("3,".as_bytes()); // row 6: invalid UTF-8 in fname
    bytes.extend_from_slice(b"\xff\xfe");
    bytes.extend_from_slice(",,,תל אביב\n".as_bytes());
    bytes.extend_from_slice("\n4,רון,054-3472215,,\n".as_bytes()); // blank line 7, row 8: good
    let r = csv::read_csv_bytes(&bytes, "bad.csv", &ExportOptions::default()).unwrap();

    let ids: Vec<&str> = r.clients.iter().map(|c| c.client_id.as_str()).collect();
    assert_eq!(ids, ["1", "2", "3", "4"]);
    assert_eq!(r.rows_read, 6);
    assert_eq!(
        r.clients[0].fname.as_deref(),
        Some("אבי"),
        "first occurrence kept"
    );
    assert_eq!(
        r.clients[1].phone_mobile.as_deref(),
        Some("abc"),
        "garbage phone kept"
    );
    assert_eq!(r.clients[2].city.as_deref(), Some("תל אביב"));
    assert_eq!(r.clients[3].origin.row, Some(8));

    let shown: Vec<String> = r.problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(r.problems.len(), 4, "{shown:#?}");
    let p = &r.problems[0];
    assert_eq!((p.row, p.column.as_deref()), (3, Some("client_id")));
    assert!(
        p.message.contains("duplicate") && p.message.contains("row 2"),
        "{p}"
    );
    let p = &r.problems[1];
    assert_eq!((p.row, p.column.as_deref()), (4, Some("client_id")));
    assert!(p.message.contains("empty client id"), "{p}");
    let p = &r.problems[2];
    assert_eq!((p.row, p.column.as_deref()), (5, Some("phone_mobile")));
    assert!(p.message.contains("abc"), "{p}");
    let p = &r.problems[3];
    assert_eq!((p.row, p.column.as_deref()), (6, Some("fname")));
    assert!(p.message.contains("UTF-8"), "{p}");
    assert!(
        shown[3].starts_with("row 6, column \"fname\""),
        "{}",
        shown[3]
    );
}

#[test]
fn unreadable_xlsx_cell_is_a_problem() {
    use calamine::{CellErrorType, Data};
    let c = xlsx::cell_text(&Data::Error(CellErrorType::Div0));
    assert_eq!(c.text, None);
    assert!(c.problem.unwrap().contains("#DIV/0!"));
    assert_eq!(
        xlsx::cell_text(&Data::Float(501234567.0)).text.as_deref(),
        Some("501234567")
    );
    assert_eq!(
        xlsx::cell_text(&Data::Float(972501234567.0))
            .text
            .as_deref(),
        Some("972501234567")
    );
    assert_eq!(
        xlsx::cell_text(&Data::Float(2.5)).text.as_deref(),
        Some("2.5")
    );
    assert_eq!(xlsx::cell_text(&Data::Int(12)).text.as_deref(), Some("12"));
    assert_eq!(xlsx::cell_text(&Data::Empty).text, None);
}

#[test]
fn delimiter_sniffing() {
    assert_eq!(csv::sniff_delimiter(b"a;b;c\n1,5;2;3"), b';');
    assert_eq!(csv::sniff_delimiter(b"a\tb\tc"), b'\t');
    assert_eq!(csv::sniff_delimiter(b"\"x;y\",b,c"), b',');
    assert_eq!(csv::sniff_delimiter(b"abc"), b',');
}

#[test]
fn encoding_detection() {
    use encoding_rs::{UTF_16LE, UTF_8, WINDOWS_1255};
    assert_eq!(encoding::detect("שלום".as_bytes(), None), (UTF_8, 0));
    assert_eq!(encoding::detect(b"\xEF\xBB\xBFabc", None), (UTF_8, 3));
    assert_eq!(
        encoding::detect(b"\xF9\xEC\xE5\xED", None),
        (WINDOWS_1255, 0)
    );
    assert_eq!(encoding::detect(b"\xFF\xFEa\x00", None), (UTF_16LE, 2));
    // Mostly UTF-8 with one corrupt byte stays UTF-8.
    let mut b = "שלום עולם".as_bytes().to_vec();
    b.push(0xFF);
    assert_eq!(encoding::detect(&b, None), (UTF_8, 0));
    assert_eq!(encoding::detect(b"\xF9", Some(UTF_8)), (UTF_8, 0));
}

#[test]
fn utf16_excel_unicode_text_is_read() {
    let text = csv_text(b'\t');
    let mut bytes = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "unicode.txt", &bytes);
    let r = read(&p);
    assert_eq!(r.clients.len(), 3);
    assert_eq!(r.clients[0].fname.as_deref(), Some("יוסי"));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
    #[test]
    fn random_bytes_as_csv_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..600)) {
        let _ = csv::read_csv_bytes(&bytes, "random.csv", &ExportOptions::default());
        let _ = csv::read_csv_bytes(&bytes, "random.csv", &ExportOptions {
            encoding: Some(encoding_rs::UTF_16BE), ..Default::default()
        });
    }

    #[test]
    fn random_rows_under_a_valid_header_never_panic(body in "[0-9a-zא-ת,;\"\n\r\t ]{0,300}") {
        let text = format!("client_id,fname,phone_mobile\n{body}");
        let r = csv::read_csv_bytes(text.as_bytes(), "r.csv", &ExportOptions::default());
        if let Ok(r) = r {
            // Every kept client has a non-empty, unique id.
            let mut ids: Vec<&str> = r.clients.iter().map(|c| c.client_id.as_str()).collect();
            proptest::prop_assert!(ids.iter().all(|i| !i.is_empty()));
            ids.sort();
            ids.dedup();
            proptest::prop_assert_eq!(ids.len(), r.clients.len());
        }
    }
}
