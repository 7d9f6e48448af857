//! Changes for the changes-screen tests: a Hebrew update with a long wrapping value and a
//! warning, a create, a delete, an ambiguous change with two candidates, an approved and a
//! rejected one, and an update whose email is edited.
#![allow(dead_code)]

use bmby_ghl::domain::{Candidate, Change, ChangeKind, ChangeState, FieldChange};
use bmby_ghl::store::Store;
use bmby_ghl::tui::{Driver, Screen, Theme};

use crate::tui_support;

pub const LONG_ADDRESS: &str = "Derech Menachem Begin 132, Azrieli Sarona Tower, floor 41, apartment 4102, Tel Aviv-Yafo 6701101";

pub fn field(field: &str, label: &str, now: Option<&str>, proposed: Option<&str>) -> FieldChange {
    FieldChange {
        field: field.into(),
        label: label.into(),
        source_field: field.to_lowercase(),
        ghl_now: now.map(Into::into),
        proposed: proposed.map(Into::into),
        edited: false,
        value_json: None,
    }
}

#[allow(clippy::too_many_arguments)]
pub fn change(
    id: u64,
    kind: ChangeKind,
    state: ChangeState,
    client_id: &str,
    contact_id: Option<&str>,
    name: &str,
    origin: &str,
    fields: Vec<FieldChange>,
) -> Change {
    Change {
        id,
        kind,
        state,
        client_id: client_id.into(),
        contact_id: contact_id.map(Into::into),
        display_name: name.into(),
        fields,
        // After every fixture contact's dateUpdated (December 2024): the diffs are current.
        base_date_updated: contact_id.map(|_| "2024-12-31T10:00:00.000Z".into()),
        origin: origin.into(),
        warnings: Vec::new(),
        candidates: Vec::new(),
        fingerprint: format!("fp{id}"),
        created_at: "2025-01-01T11:00:00Z".into(),
        updated_at: "2025-01-01T11:00:00Z".into(),
        subject: Default::default(),
        target: Default::default(),
        choice: None,
        matched: None,
        removable_tags: Vec::new(),
    }
}

pub fn changes() -> Vec<Change> {
    use ChangeKind::*;
    use ChangeState::*;
    let mut yossi = change(
        1,
        Update,
        Pending,
        "10234",
        Some("c00yossi000000000005"),
        "יוסי כהן",
        "bmby_export.csv row 12",
        vec![
            field("lastName", "Last name", Some("כהן"), Some("כהן-לוי")),
            field("city", "City", Some("תל אביב"), Some("ירושלים")),
            field(
                "address1",
                "Address",
                Some("רחוב הרצל 12"),
                Some(LONG_ADDRESS),
            ),
            field(
                "customFields.cf_area",
                "אזור מועדף",
                None,
                Some("מרכז, שרון"),
            ),
        ],
    );
    yossi.warnings = vec!["phone_home `03-55` is not a phone number; left out".into()];
    let mut create = change(
        2,
        Create,
        Pending,
        "10300",
        None,
        "Avi Mizrahi",
        "Bmby SOAP GetAll",
        vec![
            field("firstName", "First name", None, Some("Avi")),
            field("lastName", "Last name", None, Some("Mizrahi")),
            field("email", "Email", None, Some("avi@example.co.il")),
            field("phone", "Phone", None, Some("+972507654321")),
        ],
    );
    create.base_date_updated = None;
    let mut delete = change(
        3,
        Delete,
        Pending,
        "10077",
        Some("c00noa00000000000010"),
        "Noa Friedman",
        "missing from a full read",
        vec![
            field("firstName", "First name", Some("Noa"), None),
            field("lastName", "Last name", Some("Friedman"), None),
            field("email", "Email", Some("noa@example.com"), None),
        ],
    );
    delete.warnings =
        vec!["Bmby client 10077 is linked to this contact but absent from the full read".into()];
    let mut amb = change(
        4,
        Ambiguous,
        Pending,
        "10412",
        None,
        "מיכל לוי-דנה",
        "Bmby SOAP GetAll row 7",
        vec![
            field("email", "Email", None, Some("michal@example.co.il")),
            field("phone", "Phone", None, Some("+972541112222")),
            field("city", "City", None, Some("חיפה")),
        ],
    );
    amb.candidates = vec![
        Candidate {
            contact_id: "c00michal00000000006".into(),
            name: "מיכל לוי".into(),
            matched_on: "email".into(),
        },
        Candidate {
            contact_id: "c00dana0000000000003".into(),
            name: "Dana Levi".into(),
            matched_on: "phone".into(),
        },
    ];
    amb.warnings = vec!["matches several GHL contacts: מיכל לוי (c00michal00000000006, by email) and Dana Levi (c00dana0000000000003, by phone); choose one before approving".into()];
    let approved = change(
        5,
        Update,
        Approved,
        "10001",
        Some("c00aaron000000000001"),
        "Aaron Avraham",
        "bmby_export.csv row 2",
        vec![field(
            "email",
            "Email",
            Some("aaron@example.com"),
            Some("aaron@avraham.example"),
        )],
    );
    let rejected = change(
        6,
        Update,
        Rejected,
        "10666",
        Some("c00eve00000000000004"),
        "Eve\u{1b}]0;pwned\u{7} Evil",
        "bmby_export.csv row 66",
        vec![field(
            "companyName",
            "Company",
            None,
            Some("Evil\u{1b}[2J Corp \u{202e}gnp.exe"),
        )],
    );
    let dana = change(
        7,
        Update,
        Pending,
        "10555",
        Some("c00dana0000000000003"),
        "Dana Levi",
        "Bmby SOAP GetAll row 3",
        vec![
            field(
                "phone",
                "Phone",
                Some("+972541112222"),
                Some("+972541112233"),
            ),
            field(
                "email",
                "Email",
                Some("dana@example.com"),
                Some("dana.levi@example.com"),
            ),
        ],
    );
    vec![yossi, create, delete, amb, approved, rejected, dana]
}

/// The contacts fixture plus the changes.
pub fn store() -> (tempfile::TempDir, Store) {
    let (dir, s) = tui_support::store();
    for c in changes() {
        s.put_change(&c).unwrap();
    }
    (dir, s)
}

/// A driver on the changes screen (loaded, pending shown, first change selected).
pub fn driver_with(theme: Theme) -> (tempfile::TempDir, Driver) {
    let (dir, s) = store();
    let mut d = Driver::new(s, tui_support::options(theme));
    d.keys("c");
    assert_eq!(d.app.screen, Screen::Changes);
    (dir, d)
}

pub fn driver() -> (tempfile::TempDir, Driver) {
    driver_with(Theme::colored())
}

/// The screen as text (every cell checked for control and bidi-override characters).
pub fn screen(d: &mut Driver, w: u16, h: u16) -> String {
    let t = d.render(w, h);
    tui_support::assert_clean(t.backend().buffer());
    format!("{}", t.backend())
}

/// The screen as plain lines.
pub fn lines(d: &mut Driver, w: u16, h: u16) -> Vec<String> {
    let b = d.buffer(w, h);
    tui_support::assert_clean(&b);
    tui_support::text_lines(&b)
}

/// The status bar's text at 160 columns.
pub fn status_line(d: &mut Driver) -> String {
    let l = lines(d, 160, 48);
    l[l.len() - 2].clone()
}

pub fn stored(d: &Driver, id: u64) -> Change {
    d.app.store().change(id).unwrap().unwrap()
}
