//! A newcomer's findings: junk phones proposed to GHL, columns dropped without a word, the
//! alias list printed twice, a phone-only match that renames a contact without a warning.
//! Checked on the reader, on `import_export_file`, and on the binary (`import --dry-run`,
//! `mapping`).

use std::path::Path;
use std::process::{Command, Output};

use bmby_ghl::bmby::export::*;
use bmby_ghl::domain::{Change, ChangeKind, Contact};
use bmby_ghl::store::Store;
use bmby_ghl::sync::diff::ClientView;
use bmby_ghl::sync::import::{import_clients, import_export_file, ImportOptions, ImportSummary};
use bmby_ghl::sync::mapping::Mapping;
use rust_xlsxwriter::Workbook;

/// The newcomer's `ph.csv`: a good number, `abc`, `123` in the home phone, 17 digits, and
/// `123` in the mobile.
const PH_CSV: &str = "מספר לקוח,שם פרטי,שם משפחה,נייד,טלפון בבית,אימייל\n\
9501,א,ב,0501234567,,c1@example.com\n\
9502,ג,ד,abc,,c2@example.com\n\
9503,ה,ו,,123,c3@example.com\n\
9504,ז,ח,12345678901234567,,c4@example.com\n\
9505,ט,י,123,,c5@example.com\n";

const PHONE_CSV: &str = "client_id,first_name,last_name,email,phone,foo\n\
9001,Avi,Test,avi.test@example.com,054-1112233,x\n";

fn import(
    dir: &Path,
    name: &str,
    bytes: &[u8],
    dry_run: bool,
) -> (ImportSummary, Vec<RowProblem>, Store) {
    let file = dir.join(name);
    std::fs::write(&file, bytes).unwrap();
    let store = Store::open(&dir.join("cache"), "loc").unwrap();
    let (summary, _, problems) = import_export_file(
        &store,
        &file,
        &ExportOptions::default(),
        &Mapping::default(),
        &ImportOptions {
            dry_run,
            ..Default::default()
        },
    )
    .unwrap();
    (summary, problems, store)
}

fn phone_of<'a>(changes: &'a [Change], client: &str) -> Option<&'a str> {
    let c = changes.iter().find(|c| c.client_id == client).unwrap();
    c.fields
        .iter()
        .find(|f| f.field == "phone")
        .and_then(|f| f.proposed.as_deref())
}

fn bin(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bmby-ghl"))
        .args(["--data-dir", dir.to_str().unwrap(), "--config", "/dev/null"])
        .args(args)
        // import reads the cache only; the address is loopback and never called.
        .env("GHL_BASE_URL", "http://127.0.0.1:9")
        .env("GHL_TOKEN", "pit-test")
        .env("GHL_LOCATION_ID", "loc1")
        .output()
        .unwrap()
}

#[test]
fn junk_phones_are_problems_naming_row_column_and_value_and_never_proposed() {
    let dir = tempfile::tempdir().unwrap();
    let (summary, problems, _) = import(dir.path(), "ph.csv", PH_CSV.as_bytes(), true);
    let got: Vec<(usize, &str, &str, ProblemKind, ProblemOutcome)> = problems
        .iter()
        .map(|p| {
            (
                p.row,
                p.column.as_deref().unwrap_or_default(),
                p.value.as_deref().unwrap_or_default(),
                p.kind,
                p.outcome,
            )
        })
        .collect();
    use ProblemKind::BadPhone;
    use ProblemOutcome::Kept;
    assert_eq!(
        got,
        [
            (3, "נייד", "abc", BadPhone, Kept),
            (4, "טלפון בבית", "123", BadPhone, Kept),
            (5, "נייד", "12345678901234567", BadPhone, Kept),
            (6, "נייד", "123", BadPhone, Kept),
        ]
    );
    assert!(
        problems[2].message.contains("not a valid Israeli number")
            && problems[2].message.contains("not proposed to GHL"),
        "{}",
        problems[2]
    );
    // Every row is kept, its other fields proposed; only the good number is.
    assert_eq!(summary.changes.len(), 5);
    assert_eq!(phone_of(&summary.changes, "9501"), Some("+972501234567"));
    for id in ["9502", "9503", "9504", "9505"] {
        assert_eq!(phone_of(&summary.changes, id), None, "{id}");
    }
    for c in &summary.changes {
        for f in &c.fields {
            let v = f.proposed.as_deref().unwrap_or_default();
            assert!(!v.contains("+972123"), "{c:?}");
        }
    }
}

#[test]
fn a_phone_column_is_read_and_an_unknown_column_is_named_once() {
    let dir = tempfile::tempdir().unwrap();
    let (summary, problems, store) = import(dir.path(), "p.csv", PHONE_CSV.as_bytes(), false);
    assert!(problems.is_empty(), "{problems:?}");
    let stored = store.changes().unwrap();
    assert_eq!(phone_of(&stored, "9001"), Some("+972541112233"));
    assert_eq!(summary.notices.len(), 1, "{:?}", summary.notices);
    let n = &summary.notices[0];
    assert!(
        n.starts_with("column 6 \"foo\" is not used (known columns: client_id, fname,"),
        "{n}"
    );
    // Kept for the TUI's import notice, beside (here: without) problems.
    let kept = bmby_ghl::sync::import_problems::load(&store).expect("notices are kept");
    assert_eq!(kept.notices, summary.notices);
    assert_eq!(kept.count_text(), "1 notice");
    assert!(kept.lines()[0].starts_with("p.csv: column 6 \"foo\" is not used"));

    // A column the mapping sends somewhere is used: no notice.
    let mut o = std::collections::BTreeMap::new();
    o.insert("foo".to_owned(), "custom:contact.foo".to_owned());
    let m = Mapping::with_overrides(&o).unwrap();
    let read = read_export(&dir.path().join("p.csv"), &ExportOptions::default()).unwrap();
    assert_eq!(read.custom_columns, [(5, "foo".to_owned())]);
    assert!(bmby_ghl::sync::import::unused_column_notices(&read.custom_columns, &m).is_empty());
}

#[test]
fn xlsx_phone_column_with_a_numeric_value_is_proposed_and_junk_is_a_problem() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("good.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in [
        "client_id",
        "first_name",
        "last_name",
        "email",
        "phone",
        "foo",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_number(1, 0, 9201.0).unwrap();
    ws.write_string(1, 1, "רונית").unwrap();
    ws.write_string(1, 2, "אברהם").unwrap();
    ws.write_string(1, 3, "ronit.t@example.com").unwrap();
    ws.write_number(1, 4, 541234111.0).unwrap();
    ws.write_number(2, 0, 9202.0).unwrap();
    ws.write_string(2, 1, "Junk").unwrap();
    ws.write_string(2, 3, "junk@example.com").unwrap();
    ws.write_number(2, 4, 123.0).unwrap();
    wb.save(&path).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let (summary, problems, _) = import(dir.path(), "good.xlsx", &bytes, true);
    assert_eq!(phone_of(&summary.changes, "9201"), Some("+972541234111"));
    assert_eq!(phone_of(&summary.changes, "9202"), None);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(
        (
            problems[0].row,
            problems[0].column.as_deref(),
            problems[0].kind
        ),
        (3, Some("phone"), ProblemKind::BadPhone)
    );
    assert_eq!(summary.notices.len(), 1);
    assert!(summary.notices[0].starts_with("column 6 \"foo\" is not used"));
}

#[test]
fn the_binary_names_unused_columns_and_lists_header_spellings() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("p.csv");
    std::fs::write(&file, PHONE_CSV).unwrap();
    let o = bin(dir.path(), &["import", file.to_str().unwrap(), "--dry-run"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.contains("p.csv: column 6 \"foo\" is not used"), "{out}");
    assert!(out.contains("Phone: (empty) → +972541112233"), "{out}");

    let o = bin(dir.path(), &["mapping"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success());
    let line = |f: &str| {
        out.lines()
            .find(|l| l.starts_with(&format!("{f} ")) && l.contains(" | "))
            .unwrap_or_else(|| panic!("no spellings of {f}: {out}"))
            .to_owned()
    };
    assert!(line("phone_mobile").contains("| phone |"), "{out}");
    assert!(line("phone_home").contains("טלפון בבית"), "{out}");
    assert!(line("email").contains("e-mail"), "{out}");
    let o = bin(dir.path(), &["mapping", "--json"]);
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(doc["columns"]["phone_mobile"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a == "phone"));
    assert!(doc["fields"].is_object());
}

#[test]
fn aliases_tried_are_listed_once() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("semicolon.csv");
    std::fs::write(&file, "foo;bar;baz\n1;2;3\n").unwrap();
    // As `import` does: the defaults merged with the config's columns, merged again inside.
    let opts = ExportOptions {
        aliases: Some(ColumnAliases::defaults().merged(&ColumnAliases::default())),
        ..Default::default()
    };
    match read_export(&file, &opts) {
        Err(ExportError::MissingColumn { aliases_tried, .. }) => {
            let mut seen = std::collections::HashSet::new();
            for a in &aliases_tried {
                assert!(seen.insert(a.clone()), "{a} twice in {aliases_tried:?}");
            }
            assert!(aliases_tried.contains(&"client_id".to_owned()));
        }
        other => panic!("{other:?}"),
    }
    let o = bin(dir.path(), &["import", file.to_str().unwrap(), "--dry-run"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.matches("bmby_id").count(), 1, "{err}");
}

fn contact(id: &str, first: &str, last: &str, email: &str, phone: &str) -> Contact {
    Contact {
        id: id.into(),
        first_name: Some(first.into()),
        last_name: Some(last.into()),
        email: Some(email.into()),
        phone: Some(phone.into()),
        date_updated: Some("2026-11-01T10:00:00.000Z".into()),
        ..Default::default()
    }
}

fn view(id: &str, first: &str, last: &str, email: &str, phone: &str) -> ClientView {
    let values = [
        ("client_id", id),
        ("fname", first),
        ("lname", last),
        ("email", email),
        ("phone_mobile", phone),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    ClientView {
        client_id: id.into(),
        display_name: format!("{first} {last}"),
        email: Some(email.into()),
        phones_e164: vec![phone.into()],
        values,
        warnings: vec![],
        origin: format!("test.csv row {id}"),
    }
}

#[test]
fn a_phone_only_match_with_another_name_and_email_carries_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), "loc").unwrap();
    store
        .put_contacts(&[
            contact(
                "ghlA",
                "Ashley",
                "Smith",
                "ashley@example.com",
                "+972501234567",
            ),
            contact("ghlB", "Dana", "Levi", "dana@example.com", "+972521111111"),
        ])
        .unwrap();
    let s = import_clients(
        &store,
        vec![
            view(
                "9501",
                "Ashley",
                "כהן",
                "other@example.com",
                "+972501234567",
            ),
            // Same name, another email: one person's new address, no warning.
            view(
                "9502",
                "Dana",
                "Levi",
                "dana.new@example.com",
                "+972521111111",
            ),
        ],
        &Mapping::default(),
        &ImportOptions {
            dry_run: true,
            ..Default::default()
        },
    )
    .unwrap();
    let c = s.changes.iter().find(|c| c.client_id == "9501").unwrap();
    assert_eq!(c.kind, ChangeKind::Update);
    assert_eq!(c.contact_id.as_deref(), Some("ghlA"));
    let w = c
        .warnings
        .iter()
        .find(|w| w.contains("only by phone"))
        .unwrap_or_else(|| panic!("{:?}", c.warnings));
    assert!(
        w.contains("050-1234567") && w.contains("Ashley Smith") && w.contains("other@example.com"),
        "{w}"
    );
    let d = s.changes.iter().find(|c| c.client_id == "9502").unwrap();
    assert!(
        !d.warnings.iter().any(|w| w.contains("only by phone")),
        "{d:?}"
    );
}

#[test]
fn the_editor_check_answers_the_same_for_local_and_plus_forms() {
    use bmby_ghl::sync::review::validate_value;
    for (local, plus) in [
        ("0541234567", "+972541234567"),
        ("054-1234567", "+972-54-123-4567"),
        ("050-1234567", "+972501234567"),
    ] {
        let a = validate_value("phone", local).unwrap();
        assert_eq!(
            a,
            validate_value("phone", plus).unwrap(),
            "{local} / {plus}"
        );
    }
    for bad in ["123", "+972123", "+1234", "12345678901234567"] {
        let e = validate_value("phone", bad).unwrap_err();
        assert!(e.contains(bad), "{e}");
    }
}

#[test]
fn a_custom_column_mapped_to_the_phone_passes_the_same_check() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), "loc").unwrap();
    let mut o = std::collections::BTreeMap::new();
    o.insert("phone_mobile".to_owned(), "none".to_owned());
    o.insert("tel2".to_owned(), "phone".to_owned());
    let m = Mapping::with_overrides(&o).unwrap();
    let mut good = view("9601", "Good", "Phone", "g@example.com", "+972500000000");
    good.values.insert("tel2".into(), "054-1234567".into());
    let mut junk = view("9602", "Junk", "Phone", "j@example.com", "+972500000001");
    junk.values.insert("tel2".into(), "+972123".into());
    let s = import_clients(
        &store,
        vec![good, junk],
        &m,
        &ImportOptions {
            dry_run: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(phone_of(&s.changes, "9601"), Some("+972541234567"));
    assert_eq!(phone_of(&s.changes, "9602"), None);
    let j = s.changes.iter().find(|c| c.client_id == "9602").unwrap();
    assert!(
        j.warnings
            .iter()
            .any(|w| w.starts_with("tel2 → phone: `+972123` is not a valid Israeli number")),
        "{:?}",
        j.warnings
    );
}
