//! Shared fixtures for the TUI tests: a tempdir store with English, Hebrew, CJK, emoji and
//! hostile names, and one contact with everything.
#![allow(dead_code)]

use bmby_ghl::domain::{
    Appointment, Contact, CustomFieldDef, CustomFieldValue, DndChannel, Note, Task,
};
use bmby_ghl::store::Store;
use bmby_ghl::tui::{AppOptions, Clock, Driver, Theme};
use ratatui::buffer::Buffer;

pub const NOW: &str = "2025-01-01T12:00:00Z";
pub const LAST_SYNC: &str = "2025-01-01T11:57:00Z";
pub const LOCATION: &str = "Demo Realty (ve9EPM428h8vShlRW1KT)";

pub fn contact(
    id: &str,
    first: &str,
    last: &str,
    email: &str,
    phone: &str,
    tags: &[&str],
) -> Contact {
    Contact {
        id: id.into(),
        location_id: "ve9EPM428h8vShlRW1KT".into(),
        first_name: Some(first.into()).filter(|s: &String| !s.is_empty()),
        last_name: Some(last.into()).filter(|s: &String| !s.is_empty()),
        email: Some(email.into()).filter(|s: &String| !s.is_empty()),
        phone: Some(phone.into()).filter(|s: &String| !s.is_empty()),
        tags: tags.iter().map(|s| s.to_string()).collect(),
        date_added: Some("2024-03-01T08:00:00.000Z".into()),
        date_updated: Some(format!("2024-12-{:02}T10:00:00.000Z", (id.len() % 28) + 1)),
        raw_json: format!(r#"{{"id":"{id}","firstName":"{first}","email":"{email}"}}"#),
        ..Default::default()
    }
}

pub fn long_name() -> String {
    let mut s = String::new();
    while s.chars().count() < 300 {
        s.push_str("Bartholomew ");
    }
    s.chars().take(300).collect()
}

/// The contacts of the fixture, the first (by name) being the rich one.
pub fn contacts() -> Vec<Contact> {
    let mut rich = contact(
        "c00aaron000000000001",
        "Aaron",
        "Avraham",
        "aaron@example.com",
        "+972501234567",
        &["buyer", "vip"],
    );
    rich.company_name = Some("Avraham Homes".into());
    rich.address1 = Some("12 Herzl St".into());
    rich.city = Some("Haifa".into());
    rich.country = Some("IL".into());
    rich.source = Some("website form".into());
    rich.contact_type = Some("lead".into());
    rich.timezone = Some("Asia/Jerusalem".into());
    rich.dnd = false;
    rich.dnd_settings = vec![
        DndChannel {
            channel: "SMS".into(),
            status: "active".into(),
            message: Some("asked to stop".into()),
        },
        DndChannel {
            channel: "Email".into(),
            status: "inactive".into(),
            message: None,
        },
    ];
    rich.additional_emails = vec!["a.avraham@work.example".into()];
    rich.custom_fields = vec![
        CustomFieldValue {
            id: "cf_budget".into(),
            value_json: "1500000".into(),
        },
        CustomFieldValue {
            id: "cf_area".into(),
            value_json: r#"["Tel Aviv","חיפה"]"#.into(),
        },
        CustomFieldValue {
            id: "cf_unknown_123".into(),
            value_json: r#""mystery""#.into(),
        },
    ];
    rich.raw_json = r#"{"id":"c00aaron000000000001","firstName":"Aaron","lastName":"Avraham","email":"aaron@example.com","tags":["buyer","vip"],"customFields":[{"id":"cf_budget","value":1500000}]}"#.into();

    let mut hostile_note_owner = contact(
        "c00noa00000000000010",
        "Noa",
        "Friedman",
        "noa@example.com",
        "+15551234567",
        &[],
    );
    hostile_note_owner.company_name = Some("Evil\u{1b}[2J Corp".into());
    vec![
        rich,
        contact(
            "c00abc00000000000002",
            "abc\u{202e}fed",
            "",
            "rtl@example.com",
            "",
            &["spoof"],
        ),
        contact(
            "c00dana0000000000003",
            "Dana",
            "Levi",
            "dana@example.com",
            "+972541112222",
            &["seller"],
        ),
        contact(
            "c00eve00000000000004",
            "Eve\u{1b}]0;pwned\u{7} Evil",
            "",
            "eve@evil.example",
            "+15550000000",
            &["x\u{7}y"],
        ),
        contact(
            "c00yossi000000000005",
            "יוסי",
            "כהן",
            "yossi@example.co.il",
            "+972521234567",
            &["קונה"],
        ),
        contact(
            "c00michal00000000006",
            "מיכל",
            "לוי",
            "michal@example.co.il",
            "+972531234567",
            &["מוכרת", "vip"],
        ),
        contact(
            "c00wang0000000000007",
            "王小明",
            "(Wang Xiaoming)",
            "wang@example.cn",
            "+8613800000000",
            &["中国"],
        ),
        contact(
            "c00zoe00000000000008",
            "Zoe 👩‍💻",
            "Emoji 🎉",
            "zoe@example.com",
            "",
            &["🎉"],
        ),
        contact(
            "c00long000000000009",
            &long_name(),
            "",
            "long@example.com",
            "",
            &[],
        ),
        hostile_note_owner,
    ]
}

/// Fills `store` with the fixture.
pub fn fill(store: &Store) {
    let cs = contacts();
    store.put_contacts(&cs).unwrap();
    let id = &cs[0].id;
    store
        .put_tasks(
            id,
            &[
                Task {
                    id: "t1".into(),
                    contact_id: id.clone(),
                    title: "Call back about the Haifa flat".into(),
                    body: Some("Ask about parking.\nAnd the storage room.".into()),
                    assigned_to: Some("user42".into()),
                    due_date: Some("2025-01-03T09:00:00.000Z".into()),
                    completed: false,
                },
                Task {
                    id: "t2".into(),
                    contact_id: id.clone(),
                    title: "Send brochure".into(),
                    completed: true,
                    ..Default::default()
                },
            ],
        )
        .unwrap();
    store
        .put_notes(
            id,
            &[
                Note {
                    id: "n1".into(),
                    contact_id: id.clone(),
                    body: "Met at the open house.\nInterested in 4 rooms.\n\tPrefers a balcony."
                        .into(),
                    title: Some("First meeting".into()),
                    date_added: Some("2024-12-20T15:30:00.000Z".into()),
                    pinned: true,
                    ..Default::default()
                },
                Note {
                    id: "n2".into(),
                    contact_id: id.clone(),
                    body: "שיחה עם הלקוח\u{1b}[31m: מעוניין בדירה".into(),
                    date_added: Some("2024-12-22T10:00:00.000Z".into()),
                    ..Default::default()
                },
            ],
        )
        .unwrap();
    store
        .put_appointments(
            id,
            &[Appointment {
                id: "a1".into(),
                contact_id: id.clone(),
                title: "Viewing: 12 Herzl St".into(),
                start_time: Some("2025-01-05 10:00:00".into()),
                end_time: Some("2025-01-05 11:00:00".into()),
                appointment_status: Some("confirmed".into()),
                address: Some("12 Herzl St, Haifa".into()),
                ..Default::default()
            }],
        )
        .unwrap();
    store
        .put_custom_fields(&[
            CustomFieldDef {
                id: "cf_budget".into(),
                name: "Budget (ILS)".into(),
                field_key: "contact.budget".into(),
                data_type: "NUMERICAL".into(),
                picklist_options: vec![],
            },
            CustomFieldDef {
                id: "cf_area".into(),
                name: "Preferred area".into(),
                field_key: "contact.area".into(),
                data_type: "MULTIPLE_OPTIONS".into(),
                picklist_options: vec![],
            },
        ])
        .unwrap();
    store.set_meta("last_sync", LAST_SYNC).unwrap();
}

/// A store in a tempdir with the fixture.
pub fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path(), "ve9EPM428h8vShlRW1KT").unwrap();
    fill(&s);
    (dir, s)
}

pub fn options(theme: Theme) -> AppOptions {
    let mut o = AppOptions::new(LOCATION);
    o.theme = theme;
    o.clock = Clock::Fixed(NOW.parse().unwrap());
    o
}

/// A driver over the fixture (offline, colours on, fixed clock).
pub fn driver() -> (tempfile::TempDir, Driver) {
    let (dir, s) = store();
    (dir, Driver::new(s, options(Theme::colored())))
}

/// Panics if any cell holds a control character, ESC, or a bidi override/isolate.
pub fn assert_clean(buf: &Buffer) {
    for (i, cell) in buf.content().iter().enumerate() {
        for c in cell.symbol().chars() {
            let bad = c.is_control()
                || ('\u{202a}'..='\u{202e}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c)
                || c == '\u{200e}'
                || c == '\u{200f}';
            assert!(!bad, "cell {i} holds forbidden char U+{:04X}", c as u32);
        }
    }
}

/// The buffer as plain text lines.
pub fn text_lines(buf: &Buffer) -> Vec<String> {
    let w = buf.area.width as usize;
    buf.content()
        .chunks(w)
        .map(|row| {
            let mut s = String::new();
            let mut skip = 0;
            for c in row {
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                s.push_str(c.symbol());
                skip = unicode_width::UnicodeWidthStr::width(c.symbol()).saturating_sub(1);
            }
            s
        })
        .collect()
}
