//! Broken Bmby export files: every malformed row is a row/column problem (row numbers as a
//! spreadsheet shows them, the column's header, the value) and nothing of a skipped row is
//! ever proposed as a change — checked on the reader, on `import_export_file`, and on the
//! real binary's `import --dry-run --json`.

use std::path::Path;
use std::process::Command;

use bmby_ghl::bmby::export::*;
use bmby_ghl::store::Store;
use bmby_ghl::sync::import::{import_export_file, ImportOptions};
use bmby_ghl::sync::mapping::Mapping;
use rust_xlsxwriter::Workbook;

const HEADER: &str = "מספר לקוח,שם פרטי,שם משפחה,נייד,אימייל,תאריך כניסה,הערות\n";

fn read_csv(text: &str) -> ExportRead {
    csv::read_csv_bytes(text.as_bytes(), "clients.csv", &ExportOptions::default())
        .unwrap_or_else(|e| panic!("{e}"))
}

fn ids(r: &ExportRead) -> Vec<&str> {
    r.clients.iter().map(|c| c.client_id.as_str()).collect()
}

/// The file of the issue: row 3 opens a quote in the first name and never closes it.
fn unterminated() -> String {
    format!(
        "{HEADER}\
         300001,דנה,לוי,0501234567,dana@example.com,2026-01-05 10:00:00,\n\
         300002,\"יוסי,,,0521111111,yossi@example.com,,\n\
         300003,רון,כהן,0527654321,ron@example.com,2026-02-01 09:00:00,\n\
         300004,מיכל,אברהם,0541112222,michal@example.com,,לקוחה חמה\n"
    )
}

#[test]
fn unterminated_quote_names_its_row_and_the_rows_it_swallowed_and_skips_them() {
    let r = read_csv(&unterminated());
    assert_eq!(ids(&r), ["300001"], "nothing of rows 3–5 is read");
    assert_eq!(r.problems.len(), 1, "{:#?}", r.problems);
    let p = &r.problems[0];
    assert_eq!(p.row, 3);
    assert_eq!(p.line, Some(3));
    assert_eq!(p.column.as_deref(), Some("שם פרטי"));
    assert_eq!(p.kind, ProblemKind::UnterminatedQuote);
    assert_eq!(p.outcome, ProblemOutcome::RowSkipped);
    assert_eq!(p.swallowed_lines, [4, 5]);
    let text = p.to_string();
    assert!(
        text.starts_with("row 3, column \"שם פרטי\": a quote"),
        "{text}"
    );
    assert!(text.contains("lines 4–5"), "{text}");
    assert!(text.contains("300003, 300004"), "{text}");
    assert!(text.contains("skipped"), "{text}");
    // The value is shown on one line, shortened.
    let v = p.value.as_deref().unwrap();
    assert!(v.starts_with("יוסי,,,0521111111"), "{v}");
    assert!(!v.contains('\n') && v.chars().count() <= VALUE_CHARS, "{v}");
}

#[test]
fn unterminated_quote_in_windows_1255_and_with_bom_reads_the_same() {
    let text = unterminated();
    let (cp1255, _, unmappable) = encoding_rs::WINDOWS_1255.encode(&text);
    assert!(!unmappable);
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(text.as_bytes());
    let crlf = text.replace('\n', "\r\n").into_bytes();
    for (name, bytes) in [
        ("cp1255", cp1255.into_owned()),
        ("bom", bom),
        ("crlf", crlf),
    ] {
        let r = csv::read_csv_bytes(&bytes, "c.csv", &ExportOptions::default()).unwrap();
        assert_eq!(ids(&r), ["300001"], "{name}");
        let p = &r.problems[0];
        assert_eq!(
            (p.row, p.column.as_deref(), p.kind),
            (3, Some("שם פרטי"), ProblemKind::UnterminatedQuote),
            "{name}"
        );
        assert_eq!(p.swallowed_lines, [4, 5], "{name}");
        assert!(p.message.contains("300003, 300004"), "{name}: {p}");
    }
    // A short row in windows-1255 shows its value decoded.
    let short = format!("{HEADER}300001,דנה,לוי\n");
    let (cp1255, _, _) = encoding_rs::WINDOWS_1255.encode(&short);
    let r = csv::read_csv_bytes(&cp1255, "c.csv", &ExportOptions::default()).unwrap();
    assert_eq!(r.problems[0].value.as_deref(), Some("300001,דנה,לוי"));
}

#[test]
fn a_quote_closed_rows_later_swallows_them_and_they_are_skipped() {
    // The quote opened in row 3 is closed by a stray quote in line 5: the csv reader takes
    // lines 3–5 as one record whose first name holds two rows' separators.
    let text = format!(
        "{HEADER}\
         300001,דנה,לוי,0501234567,dana@example.com,,\n\
         300002,\"יוסי,,,0521111111,yossi@example.com,,\n\
         300003,רון,כהן,0527654321,ron@example.com,,\n\
         300004,מיכל\",אברהם,0541112222,michal@example.com,,\n\
         300005,אבי,פרץ,0549998888,avi@example.com,,\n"
    );
    let r = read_csv(&text);
    assert_eq!(ids(&r), ["300001", "300005"]);
    assert_eq!(r.problems.len(), 1, "{:#?}", r.problems);
    let p = &r.problems[0];
    assert_eq!((p.row, p.line), (3, Some(3)));
    assert_eq!(p.column.as_deref(), Some("שם פרטי"));
    assert_eq!(p.kind, ProblemKind::SwallowedRows);
    assert_eq!(p.outcome, ProblemOutcome::RowSkipped);
    assert_eq!(p.swallowed_lines, [4, 5]);
    assert!(p.message.contains("300003, 300004"), "{p}");
    // A spreadsheet shows the three lines as one row: the next client is row 4 (line 6).
    assert_eq!(r.clients[1].origin.row, Some(4));
}

#[test]
fn a_quote_closed_by_the_next_rows_quote_in_the_same_column_is_caught() {
    // Row 3's stray quote is closed by row 4's quoted first name: the record has exactly as
    // many cells as the header, and only its first line carries row 3's separators.
    let text = format!(
        "{HEADER}\
         300001,דנה,לוי,0501234567,dana@example.com,,\n\
         300002,\"יוסי,כהן,0521111111,yossi@example.com,,\n\
         300003,\"רון\",כהן,0527654321,ron@example.com,,\n\
         300004,מיכל,אברהם,0541112222,michal@example.com,,\n"
    );
    let r = read_csv(&text);
    assert_eq!(ids(&r), ["300001", "300004"]);
    let p = &r.problems[0];
    assert_eq!((p.row, p.column.as_deref()), (3, Some("שם פרטי")));
    assert_eq!(p.kind, ProblemKind::SwallowedRows);
    assert_eq!(p.swallowed_lines, [4]);
    assert!(p.message.contains("client id 300003"), "{p}");
}

#[test]
fn a_multi_line_remark_with_a_comma_is_not_a_swallowed_row() {
    let text = format!(
        "{HEADER}\
         300001,דנה,לוי,0501234567,dana@example.com,,\"התקשרה, ביקשה לחזור\nאחרי החגים, תקציב גמיש\"\n\
         300002,רון,כהן,0527654321,ron@example.com,,\n"
    );
    let r = read_csv(&text);
    assert_eq!(r.problems, vec![]);
    assert_eq!(ids(&r), ["300001", "300002"]);
    assert_eq!(
        r.clients[0].remark.as_deref(),
        Some("התקשרה, ביקשה לחזור\nאחרי החגים, תקציב גמיש")
    );
    // The remark spans two lines but is one spreadsheet row.
    assert_eq!(r.clients[1].origin.row, Some(3));
}

#[test]
fn rows_with_more_or_fewer_cells_than_the_header_are_skipped() {
    let text = format!(
        "{HEADER}\
         300001,דנה,לוי,0501234567,dana@example.com,,\n\
         300002,יוסי,כהן\n\
         300003,רון,בן,דוד,0527654321,ron@example.com,,\n\
         300004,מיכל,אברהם,0541112222,michal@example.com,,\n"
    );
    let r = read_csv(&text);
    assert_eq!(ids(&r), ["300001", "300004"]);
    assert_eq!(r.rows_read, 4);
    assert_eq!(r.problems.len(), 2, "{:#?}", r.problems);
    let short = &r.problems[0];
    assert_eq!(short.row, 3);
    assert_eq!(
        short.column.as_deref(),
        Some("נייד"),
        "the first missing column"
    );
    assert_eq!(short.kind, ProblemKind::CellCount);
    assert_eq!(short.outcome, ProblemOutcome::RowSkipped);
    assert!(
        short.message.contains("3 cells but the header has 7")
            && short.message.contains("row skipped"),
        "{short}"
    );
    assert_eq!(short.value.as_deref(), Some("300002,יוסי,כהן"));
    let long = &r.problems[1];
    assert_eq!((long.row, long.column.as_deref()), (4, None));
    assert_eq!(long.kind, ProblemKind::CellCount);
    assert!(long.message.contains("8 cells"), "{long}");
}

#[test]
fn a_client_id_that_is_not_a_number_skips_the_row() {
    let text = format!(
        "{HEADER}\
         300001,דנה,לוי,0501234567,dana@example.com,,\n\
         30O002,יוסי,כהן,0521111111,yossi@example.com,,\n"
    );
    let r = read_csv(&text);
    assert_eq!(ids(&r), ["300001"]);
    let p = &r.problems[0];
    assert_eq!((p.row, p.column.as_deref()), (3, Some("מספר לקוח")));
    assert_eq!(p.kind, ProblemKind::ClientIdNotNumber);
    assert_eq!(p.outcome, ProblemOutcome::RowSkipped);
    assert_eq!(p.value.as_deref(), Some("30O002"));
    assert!(
        p.message.contains("not a number") && p.message.contains("row skipped"),
        "{p}"
    );
}

#[test]
fn a_malformed_email_drops_the_field_and_keeps_the_row() {
    let text = format!(
        "{HEADER}\
         300001,דנה,לוי,0501234567,dana@@example,,\n"
    );
    let r = read_csv(&text);
    assert_eq!(ids(&r), ["300001"]);
    assert_eq!(r.clients[0].email, None, "the bad email is not read");
    assert_eq!(r.clients[0].phone_mobile.as_deref(), Some("0501234567"));
    let p = &r.problems[0];
    assert_eq!((p.row, p.column.as_deref()), (2, Some("אימייל")));
    assert_eq!(p.kind, ProblemKind::BadEmail);
    assert_eq!(p.outcome, ProblemOutcome::FieldDropped);
    assert_eq!(p.value.as_deref(), Some("dana@@example"));
    assert!(p.message.ends_with("field dropped, row kept"), "{p}");
}

#[test]
fn an_impossible_date_drops_the_field_and_keeps_the_row() {
    let text = format!(
        "{HEADER}\
         300001,דנה,לוי,0501234567,dana@example.com,31/02/2026,\n\
         300002,רון,כהן,0527654321,ron@example.com,28/02/2026,\n"
    );
    let r = read_csv(&text);
    assert_eq!(ids(&r), ["300001", "300002"]);
    assert_eq!(r.clients[0].client_date, None);
    assert_eq!(r.clients[1].client_date.as_deref(), Some("28/02/2026"));
    assert_eq!(r.problems.len(), 1, "{:#?}", r.problems);
    let p = &r.problems[0];
    assert_eq!((p.row, p.column.as_deref()), (2, Some("תאריך כניסה")));
    assert_eq!(p.kind, ProblemKind::BadDate);
    assert_eq!(p.outcome, ProblemOutcome::FieldDropped);
    assert_eq!(p.value.as_deref(), Some("31/02/2026"));
    assert!(p.message.contains("no such date"), "{p}");
}

#[test]
fn xlsx_reports_the_same_id_email_and_date_problems() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clients.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let rows: [[&str; 7]; 4] = [
        [
            "מספר לקוח",
            "שם פרטי",
            "שם משפחה",
            "נייד",
            "אימייל",
            "תאריך כניסה",
            "הערות",
        ],
        [
            "300001",
            "דנה",
            "לוי",
            "0501234567",
            "dana@@example",
            "",
            "",
        ],
        [
            "A-17",
            "יוסי",
            "כהן",
            "0521111111",
            "yossi@example.com",
            "",
            "",
        ],
        [
            "300003",
            "רון",
            "כהן",
            "0527654321",
            "ron@example.com",
            "31/02/2026",
            "",
        ],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if v.is_empty() {
                continue;
            }
            match v.parse::<f64>() {
                Ok(n) if c == 0 && r > 0 => ws.write_number(r as u32, c as u16, n),
                _ => ws.write_string(r as u32, c as u16, *v),
            }
            .unwrap();
        }
    }
    wb.save(&path).unwrap();
    let r = read_export(&path, &ExportOptions::default()).unwrap();
    assert_eq!(ids(&r), ["300001", "300003"]);
    assert_eq!(r.clients[0].email, None);
    assert_eq!(r.clients[1].client_date, None);
    let got: Vec<(usize, Option<&str>, ProblemKind, ProblemOutcome)> = r
        .problems
        .iter()
        .map(|p| (p.row, p.column.as_deref(), p.kind, p.outcome))
        .collect();
    assert_eq!(
        got,
        [
            (
                2,
                Some("אימייל"),
                ProblemKind::BadEmail,
                ProblemOutcome::FieldDropped
            ),
            (
                3,
                Some("מספר לקוח"),
                ProblemKind::ClientIdNotNumber,
                ProblemOutcome::RowSkipped
            ),
            (
                4,
                Some("תאריך כניסה"),
                ProblemKind::BadDate,
                ProblemOutcome::FieldDropped
            ),
        ]
    );
    assert!(
        r.problems.iter().all(|p| p.line.is_none()),
        "no lines in a workbook"
    );
}

/// Every broken case in one file: only row 2 is whole; rows 5 and 6 lose a field; the quote
/// left open in row 8 swallows the last two rows.
fn broken_file() -> String {
    format!(
        "\u{feff}{HEADER}\
         300001,דנה,לוי,0501234567,dana@example.com,2026-01-05 10:00:00,\n\
         30O002,יוסי,כהן,0521111111,yossi@example.com,,\n\
         300003,רון,כהן\n\
         300004,מיכל,אברהם,0541112222,michal@@example,,\n\
         300005,אבי,פרץ,0549998888,avi@example.com,31/02/2026,\n\
         300006,שרה,,,0501112233,sara@example.com,,\n\
         300007,\"עדי,,,0503334444,adi@example.com,,\n\
         300008,גל,שמש,0505556666,gal@example.com,,\n\
         300009,נועם,ברק,0507778888,noam@example.com,,\n"
    )
}

fn empty_store(dir: &Path) -> Store {
    Store::open(&dir.join("cache"), "loc").unwrap()
}

#[test]
fn import_proposes_nothing_from_a_broken_row() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.csv");
    std::fs::write(&file, broken_file()).unwrap();
    let store = empty_store(dir.path());
    let (summary, source, problems) = import_export_file(
        &store,
        &file,
        &ExportOptions::default(),
        &Mapping::default(),
        &ImportOptions {
            dry_run: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(source, "broken.csv");
    let proposed: Vec<&str> = summary
        .changes
        .iter()
        .map(|c| c.client_id.as_str())
        .collect();
    // 300004 (bad email dropped) and 300005 (bad date dropped) are kept without the field.
    assert_eq!(proposed, ["300001", "300004", "300005"]);
    for c in &summary.changes {
        for f in &c.fields {
            let v = f.proposed.as_deref().unwrap_or_default();
            assert!(!v.contains("@@") && !v.contains("300008"), "{c:?}");
        }
    }
    let got: Vec<(usize, ProblemKind)> = problems.iter().map(|p| (p.row, p.kind)).collect();
    assert_eq!(
        got,
        [
            (3, ProblemKind::ClientIdNotNumber),
            (4, ProblemKind::CellCount),
            (5, ProblemKind::BadEmail),
            (6, ProblemKind::BadDate),
            (7, ProblemKind::CellCount),
            (8, ProblemKind::UnterminatedQuote),
        ]
    );
    assert_eq!(problems[5].swallowed_lines, [9, 10]);
    // A dry run stores nothing, problems included.
    assert!(bmby_ghl::sync::import_problems::load(&store).is_none());

    // A real import stores the problems for the TUI.
    import_export_file(
        &store,
        &file,
        &ExportOptions::default(),
        &Mapping::default(),
        &ImportOptions::default(),
    )
    .unwrap();
    let stored = bmby_ghl::sync::import_problems::load(&store).unwrap();
    assert_eq!(stored.problems, problems);
    // Rows 3, 4, 7 and 8, and the two rows the quote in row 8 swallowed.
    assert_eq!(stored.rows_skipped(), 6);
    let mut stored_ids: Vec<String> = store
        .changes()
        .unwrap()
        .iter()
        .map(|c| c.client_id.clone())
        .collect();
    stored_ids.sort();
    assert_eq!(stored_ids, ["300001", "300004", "300005"]);
}

#[test]
fn binary_import_dry_run_json_lists_problems_and_proposes_no_broken_row() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.csv");
    std::fs::write(&file, broken_file()).unwrap();
    let run = |json: bool| {
        let mut args = vec!["import", file.to_str().unwrap(), "--dry-run"];
        if json {
            args.push("--json");
        }
        Command::new(env!("CARGO_BIN_EXE_bmby-ghl"))
            .args([
                "--data-dir",
                dir.path().to_str().unwrap(),
                "--config",
                "/dev/null",
            ])
            .args(&args)
            // import reads the cache only; the address is loopback and never called.
            .env("GHL_BASE_URL", "http://127.0.0.1:9")
            .env("GHL_TOKEN", "pit-test")
            .env("GHL_LOCATION_ID", "loc1")
            .output()
            .unwrap()
    };
    let o = run(true);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let proposed: Vec<&str> = doc["summary"]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["client_id"].as_str().unwrap())
        .collect();
    assert_eq!(proposed, ["300001", "300004", "300005"]);
    let problems = doc["row_problems"].as_array().unwrap();
    let got: Vec<(u64, &str, &str, &str)> = problems
        .iter()
        .map(|p| {
            (
                p["row"].as_u64().unwrap(),
                p["column"].as_str().unwrap_or("-"),
                p["kind"].as_str().unwrap(),
                p["outcome"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (3, "מספר לקוח", "client_id_not_number", "row_skipped"),
            (4, "נייד", "cell_count", "row_skipped"),
            (5, "אימייל", "bad_email", "field_dropped"),
            (6, "תאריך כניסה", "bad_date", "field_dropped"),
            (7, "-", "cell_count", "row_skipped"),
            (8, "שם פרטי", "unterminated_quote", "row_skipped"),
        ]
    );
    assert!(problems.iter().all(|p| p["file"] == "broken.csv"));
    assert_eq!(problems[5]["swallowed_lines"], serde_json::json!([9, 10]));
    assert_eq!(problems[2]["value"], "michal@@example");

    // Text: one line per problem on stderr naming file, row and column; the summary counts them.
    let o = run(false);
    assert!(o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(
            "broken.csv: row 8, column \"שם פרטי\": a quote opened in this cell is never closed"
        ),
        "{err}"
    );
    assert!(
        err.contains("broken.csv: row 6, column \"תאריך כניסה\": no such date"),
        "{err}"
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("6 problems (6 rows skipped)"), "{out}");
    assert!(!out.contains("עדי") && !out.contains("נועם"), "{out}");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
    /// A quote put at the start of any cell of a good file (left open, or closed by a later
    /// quote) never lets a value holding a line break and another row's separators through:
    /// every client read has values without the separator (none of the generated cells has
    /// one) and without a line break outside the remark column.
    #[test]
    fn a_stray_quote_anywhere_never_yields_a_value_with_rows_in_it(
        rows in proptest::collection::vec(
            (
                proptest::sample::select(vec!["דנה", "יוסי", "Ron", "מיכל"]),
                proptest::sample::select(vec!["לוי", "כהן", "", "Levi"]),
                proptest::sample::select(vec!["", "הערה", "\"שורה\nשורה\"", "\"a \"\"b\"\"\""]),
            ),
            2..7,
        ),
        at_row in 0usize..7,
        at_col in 0usize..7,
    ) {
        let mut text = String::from(HEADER);
        for (i, (f, l, remark)) in rows.iter().enumerate() {
            let mut cells: Vec<String> = vec![
                format!("{}", 300001 + i),
                f.to_string(),
                l.to_string(),
                format!("05{:08}", i),
                format!("c{i}@example.com"),
                String::new(),
                remark.to_string(),
            ];
            if i == at_row % rows.len() {
                let c = &mut cells[at_col];
                if !c.starts_with('"') {
                    c.insert(0, '"');
                }
            }
            text.push_str(&cells.join(","));
            text.push('\n');
        }
        let r = csv::read_csv_bytes(text.as_bytes(), "p.csv", &ExportOptions::default()).unwrap();
        for c in &r.clients {
            let values = [
                Some(&c.client_id), c.fname.as_ref(), c.lname.as_ref(), c.phone_mobile.as_ref(),
                c.email.as_ref(), c.client_date.as_ref(),
            ];
            for v in values.into_iter().flatten() {
                proptest::prop_assert!(!v.contains(',') && !v.contains('\n'), "{v:?} in\n{text}");
            }
            if let Some(remark) = &c.remark {
                proptest::prop_assert!(!remark.contains(','), "{remark:?} in\n{text}");
            }
        }
        // Every row that is not read is named by a problem.
        let read: usize = r.clients.len();
        let skipped_or_swallowed: usize = r
            .problems
            .iter()
            .filter(|p| p.outcome == ProblemOutcome::RowSkipped)
            .map(|p| 1 + p.swallowed_lines.len())
            .sum();
        proptest::prop_assert!(read + skipped_or_swallowed >= rows.len(), "{:#?}\n{text}", r.problems);
    }
}

/// A full read with broken rows: the clients of skipped rows whose id is readable (the row a
/// quote opened in, the rows it swallowed) are in the file, so never a delete; a skipped row
/// whose client id is unreadable makes the read incomplete, so no delete is proposed at all.
#[test]
fn a_full_read_with_skipped_rows_proposes_no_delete() {
    let dir = tempfile::tempdir().unwrap();
    let store = empty_store(dir.path());
    let contact = |id: &str, first: &str, email: &str| bmby_ghl::domain::Contact {
        id: id.into(),
        first_name: Some(first.into()),
        email: Some(email.into()),
        date_updated: Some("2026-11-01T10:00:00.000Z".into()),
        ..Default::default()
    };
    store
        .put_contacts(&[
            contact("ghl1", "דנה", "dana@example.com"),
            contact("ghl7", "עדי", "adi@example.com"),
            contact("ghl8", "גל", "gal@example.com"),
            contact("ghl9", "נועם", "noam@example.com"),
            contact("ghl10", "ליאור", "lior@example.com"),
        ])
        .unwrap();
    for (client, contact) in [
        ("300001", "ghl1"),
        ("300007", "ghl7"),
        ("300008", "ghl8"),
        ("300009", "ghl9"),
        ("300010", "ghl10"),
    ] {
        store.put_link(client, contact).unwrap();
    }
    let file = dir.path().join("full.csv");
    std::fs::write(&file, broken_file()).unwrap();
    let (summary, _, problems) = import_export_file(
        &store,
        &file,
        &ExportOptions {
            full: true,
            ..Default::default()
        },
        &Mapping::default(),
        &ImportOptions {
            allow_mass_delete: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(problems
        .iter()
        .any(|p| p.outcome == ProblemOutcome::RowSkipped));
    let deletes = store
        .changes()
        .unwrap()
        .into_iter()
        .filter(|c| c.kind == bmby_ghl::domain::ChangeKind::Delete)
        .count();
    assert_eq!(deletes, 0, "{summary:?}");
    assert!(
        summary
            .problems
            .iter()
            .any(|p| p.contains("not proposing 1 deletes") && p.contains("not a complete read")),
        "{:?}",
        summary.problems
    );

    let swallowed: Vec<&str> = problems
        .iter()
        .flat_map(|p| p.client_ids.iter().map(String::as_str))
        .collect();
    // Rows 4 and 7 have a wrong cell count but readable ids; row 8's quote swallowed 2 rows.
    assert_eq!(
        swallowed,
        ["300003", "300006", "300007", "300008", "300009"]
    );

    // Without the row whose id is unreadable, every skipped row's client is known: only the
    // client really absent (300010) is a delete.
    let text = broken_file()
        .lines()
        .filter(|l| !l.starts_with("30O002"))
        .map(|l| format!("{l}\n"))
        .collect::<String>();
    std::fs::write(&file, text).unwrap();
    let (summary, _, _) = import_export_file(
        &store,
        &file,
        &ExportOptions {
            full: true,
            ..Default::default()
        },
        &Mapping::default(),
        &ImportOptions {
            allow_mass_delete: true,
            ..Default::default()
        },
    )
    .unwrap();
    let deleted: Vec<String> = store
        .changes()
        .unwrap()
        .into_iter()
        .filter(|c| c.kind == bmby_ghl::domain::ChangeKind::Delete)
        .map(|c| c.client_id)
        .collect();
    assert_eq!(deleted, ["300010"], "{summary:?}");

    // The same file without its broken rows is complete: the missing clients are deletes.
    let whole = broken_file()
        .lines()
        .filter(|l| l.starts_with('\u{feff}') || l.starts_with("300001"))
        .map(|l| format!("{l}\n"))
        .collect::<String>();
    std::fs::write(&file, whole).unwrap();
    let (summary, _, problems) = import_export_file(
        &store,
        &file,
        &ExportOptions {
            full: true,
            ..Default::default()
        },
        &Mapping::default(),
        &ImportOptions {
            allow_mass_delete: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(summary.new_changes.get("delete"), Some(&3), "{summary:?}");
    assert_eq!(
        store
            .changes()
            .unwrap()
            .iter()
            .filter(|c| c.kind == bmby_ghl::domain::ChangeKind::Delete)
            .count(),
        4
    );
}

/// A cell whose bytes are not valid in the file's encoding is decoded with replacement
/// characters: its value is dropped (a `\u{FFFD}` never reaches a proposal), the problem says
/// so, and the rest of the row is read (found by a newcomer: `\xff\xfe@x.com` was proposed).
#[test]
fn a_garbled_cell_is_dropped_not_proposed() {
    let mut bytes = b"client_id,fname,lname,email\n95003,A,B,".to_vec();
    bytes.extend_from_slice(b"\xff\xfe@x.com\n95004,C,D,c@x.com\n");
    let r = csv::read_csv_bytes(&bytes, "badmail.csv", &ExportOptions::default()).unwrap();
    let c = r.clients.iter().find(|c| c.client_id == "95003").unwrap();
    assert_eq!(c.email, None, "{c:?}");
    assert_eq!(c.fname.as_deref(), Some("A"));
    let p = r
        .problems
        .iter()
        .find(|p| p.kind == ProblemKind::BadEncoding)
        .unwrap_or_else(|| panic!("{:?}", r.problems));
    assert_eq!(p.outcome, ProblemOutcome::FieldDropped, "{p:?}");
    for c in &r.clients {
        let all = format!("{c:?}");
        assert!(!all.contains('\u{FFFD}'), "{all}");
    }
}
