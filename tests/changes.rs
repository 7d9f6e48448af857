//! Matching, diffing and storing changes; idempotence; review actions.

use bmby_ghl::domain::{ChangeKind, ChangeState, Contact};
use bmby_ghl::store::Store;
use bmby_ghl::sync::diff::ClientView;
use bmby_ghl::sync::import::{import_clients, ImportOptions};
use bmby_ghl::sync::mapping::Mapping;
use bmby_ghl::sync::review;

fn contact(id: &str, first: &str, last: &str, email: &str, phone: &str, city: &str) -> Contact {
    Contact {
        id: id.into(),
        first_name: Some(first.into()),
        last_name: Some(last.into()),
        email: Some(email.into()),
        phone: Some(phone.into()),
        city: Some(city.into()),
        date_updated: Some("2026-11-01T10:00:00.000Z".into()),
        ..Default::default()
    }
}

fn view(id: &str, pairs: &[(&str, &str)]) -> ClientView {
    let values: std::collections::BTreeMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    ClientView {
        client_id: id.into(),
        display_name: format!(
            "{} {}",
            values.get("fname").cloned().unwrap_or_default(),
            values.get("lname").cloned().unwrap_or_default()
        ),
        email: values.get("email").cloned(),
        phones_e164: values.get("phone_mobile").cloned().into_iter().collect(),
        values,
        warnings: vec![],
        origin: format!("test.csv row {id}"),
    }
}

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path(), "loc").unwrap();
    s.put_contacts(&[
        contact(
            "ghlA",
            "יוסי",
            "כהן",
            "yossi@example.com",
            "+972501234567",
            "תל אביב",
        ),
        contact(
            "ghlB",
            "Ann",
            "Lee",
            "ann@example.com",
            "+15550100001",
            "Haifa",
        ),
        contact(
            "ghlC",
            "Dana",
            "Levi",
            "dana@example.com",
            "+972521111111",
            "Eilat",
        ),
        contact(
            "ghlD",
            "Ron",
            "Tal",
            "ron@example.com",
            "+972531111111",
            "Ashdod",
        ),
        contact(
            "ghlE",
            "Gil",
            "Bar",
            "gil@example.com",
            "+972532222222",
            "Ashdod",
        ),
    ])
    .unwrap();
    (dir, s)
}

fn first_read() -> Vec<ClientView> {
    vec![
        // Same as GHL after normalization (bidi mark, case, spacing): no change.
        view(
            "101",
            &[
                ("fname", "\u{200f}יוסי"),
                ("lname", "כהן"),
                ("email", "YOSSI@example.com"),
                ("phone_mobile", "+972501234567"),
                ("city", "תל  אביב"),
            ],
        ),
        // City changed: an update with one field.
        view(
            "102",
            &[
                ("fname", "Ann"),
                ("lname", "Lee"),
                ("email", "ann@example.com"),
                ("city", "Tel Aviv"),
            ],
        ),
        // New client: a create.
        view(
            "103",
            &[
                ("fname", "מיכל"),
                ("lname", "לוי"),
                ("email", "michal@example.com"),
                ("phone_mobile", "+972541234567"),
            ],
        ),
        // Email says D, phone says E: ambiguous.
        view(
            "104",
            &[
                ("fname", "X"),
                ("email", "ron@example.com"),
                ("phone_mobile", "+972532222222"),
            ],
        ),
        // Matches C by phone only: linked, update of the last name.
        view(
            "105",
            &[
                ("fname", "Dana"),
                ("lname", "Levy"),
                ("phone_mobile", "+972521111111"),
            ],
        ),
    ]
}

#[test]
fn kinds_fields_and_links() {
    let (_d, s) = store();
    let sum = import_clients(
        &s,
        first_read(),
        &Mapping::default(),
        &ImportOptions::default(),
    )
    .unwrap();
    assert_eq!(sum.read, 5);
    assert_eq!(sum.in_sync, 1);
    let changes = s.changes().unwrap();
    let by = |cid: &str| changes.iter().find(|c| c.client_id == cid).unwrap().clone();
    assert!(changes.iter().all(|c| c.client_id != "101"));
    let u = by("102");
    assert_eq!(
        (u.kind, u.contact_id.as_deref(), u.fields.len()),
        (ChangeKind::Update, Some("ghlB"), 1)
    );
    assert_eq!(u.fields[0].ghl_now.as_deref(), Some("Haifa"));
    assert_eq!(u.fields[0].proposed.as_deref(), Some("Tel Aviv"));
    assert_eq!(
        u.base_date_updated.as_deref(),
        Some("2026-11-01T10:00:00.000Z")
    );
    assert_eq!(u.origin, "test.csv row 102");
    let c = by("103");
    assert_eq!(c.kind, ChangeKind::Create);
    assert!(c
        .fields
        .iter()
        .any(|f| f.field == "firstName" && f.proposed.as_deref() == Some("מיכל")));
    let a = by("104");
    assert_eq!(a.kind, ChangeKind::Ambiguous);
    assert_eq!(a.candidates.len(), 2);
    assert!(a
        .warnings
        .iter()
        .any(|w| w.contains("several GHL contacts")));
    let p = by("105");
    assert_eq!(
        (p.kind, p.contact_id.as_deref()),
        (ChangeKind::Update, Some("ghlC"))
    );
    assert_eq!(s.link("105").unwrap().as_deref(), Some("ghlC"));
    assert_eq!(s.link("101").unwrap().as_deref(), Some("ghlA"));
    assert!(changes.iter().all(|c| c.state == ChangeState::Pending));
}

#[test]
fn reading_the_same_data_twice_changes_nothing() {
    let (_d, s) = store();
    import_clients(
        &s,
        first_read(),
        &Mapping::default(),
        &ImportOptions::default(),
    )
    .unwrap();
    let before = s.changes().unwrap();
    let sum = import_clients(
        &s,
        first_read(),
        &Mapping::default(),
        &ImportOptions::default(),
    )
    .unwrap();
    assert_eq!(s.changes().unwrap(), before);
    assert!(sum.new_changes.is_empty());
    assert_eq!(sum.unchanged, 4);
    // Rejected changes stay rejected when the same data comes again.
    let id = before.iter().find(|c| c.client_id == "102").unwrap().id;
    review::reject(&s, id).unwrap();
    import_clients(
        &s,
        first_read(),
        &Mapping::default(),
        &ImportOptions::default(),
    )
    .unwrap();
    assert_eq!(s.changes().unwrap().len(), before.len());
    assert_eq!(s.change(id).unwrap().unwrap().state, ChangeState::Rejected);
}

#[test]
fn newer_data_replaces_a_pending_change_of_the_same_client() {
    let (_d, s) = store();
    import_clients(
        &s,
        first_read(),
        &Mapping::default(),
        &ImportOptions::default(),
    )
    .unwrap();
    let n = s.changes().unwrap().len();
    let mut newer = first_read();
    newer[1] = view(
        "102",
        &[
            ("fname", "Ann"),
            ("lname", "Lee"),
            ("email", "ann@example.com"),
            ("city", "Jerusalem"),
        ],
    );
    let sum = import_clients(&s, newer, &Mapping::default(), &ImportOptions::default()).unwrap();
    assert_eq!(sum.replaced, 1);
    let all = s.changes().unwrap();
    assert_eq!(all.len(), n);
    let c = all.iter().find(|c| c.client_id == "102").unwrap();
    assert_eq!(c.fields[0].proposed.as_deref(), Some("Jerusalem"));
}

#[test]
fn full_read_turns_missing_linked_clients_into_deletes_and_dry_run_stores_nothing() {
    let (_d, s) = store();
    import_clients(
        &s,
        first_read(),
        &Mapping::default(),
        &ImportOptions::default(),
    )
    .unwrap();
    let without_105: Vec<_> = first_read()
        .into_iter()
        .filter(|v| v.client_id != "105")
        .collect();
    let dry = import_clients(
        &s,
        without_105.clone(),
        &Mapping::default(),
        &ImportOptions {
            full: true,
            dry_run: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(dry
        .changes
        .iter()
        .any(|c| c.kind == ChangeKind::Delete && c.client_id == "105"));
    assert!(
        s.changes()
            .unwrap()
            .iter()
            .all(|c| c.kind != ChangeKind::Delete),
        "dry run stored nothing"
    );
    // Not full: no delete.
    import_clients(
        &s,
        without_105.clone(),
        &Mapping::default(),
        &ImportOptions::default(),
    )
    .unwrap();
    assert!(s
        .changes()
        .unwrap()
        .iter()
        .all(|c| c.kind != ChangeKind::Delete));
    import_clients(
        &s,
        without_105,
        &Mapping::default(),
        &ImportOptions {
            full: true,
            ..Default::default()
        },
    )
    .unwrap();
    let d = s
        .changes()
        .unwrap()
        .into_iter()
        .find(|c| c.kind == ChangeKind::Delete)
        .unwrap();
    assert_eq!(
        (d.client_id.as_str(), d.contact_id.as_deref()),
        ("105", Some("ghlC"))
    );
    assert!(d.fields.iter().all(|f| f.proposed.is_none()));
}

#[test]
fn review_actions() {
    let (_d, s) = store();
    import_clients(
        &s,
        first_read(),
        &Mapping::default(),
        &ImportOptions::default(),
    )
    .unwrap();
    let all = s.changes().unwrap();
    let id = |cid: &str| all.iter().find(|c| c.client_id == cid).unwrap().id;

    assert_eq!(
        review::approve(&s, id("102")).unwrap().state,
        ChangeState::Approved
    );
    let e = review::approve(&s, id("104")).unwrap_err();
    assert!(e.to_string().contains("choose one"), "{e}");

    let e = review::edit(&s, id("103"), "email", "not-an-email").unwrap_err();
    assert!(e.to_string().contains("field email"), "{e}");
    let c = review::edit(&s, id("103"), "email", "michal.levi@example.com").unwrap();
    let f = c.fields.iter().find(|f| f.field == "email").unwrap();
    assert!(f.edited);
    assert_eq!(f.proposed.as_deref(), Some("michal.levi@example.com"));

    // Settle the ambiguity on contact E (meanwhile linked to another client): only fields
    // that differ from E remain.
    s.put_link("102", "ghlE").unwrap();
    let r = review::resolve(&s, id("104"), Some("ghlE")).unwrap();
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("linked to Bmby client 102 — the choice moved the link")),
        "{:?}",
        r.warnings
    );
    assert_eq!(
        (r.kind, r.contact_id.as_deref()),
        (ChangeKind::Update, Some("ghlE"))
    );
    assert!(
        r.fields.iter().all(|f| f.field != "phone"),
        "E already has that phone"
    );
    assert!(review::resolve(&s, id("104"), Some("nobody")).is_err());
    assert_eq!(
        review::approve(&s, id("104")).unwrap().state,
        ChangeState::Approved
    );
    assert_eq!(
        review::reject(&s, id("103")).unwrap().state,
        ChangeState::Rejected
    );
}

#[test]
fn a_newer_read_keeps_a_persons_edit() {
    let (_d, s) = store();
    import_clients(
        &s,
        first_read(),
        &Mapping::default(),
        &ImportOptions::default(),
    )
    .unwrap();
    let id = s
        .changes()
        .unwrap()
        .iter()
        .find(|c| c.client_id == "102")
        .unwrap()
        .id;
    review::edit(&s, id, "city", "Herzliya").unwrap();
    // Newer Bmby data for the same client: the city the person typed survives.
    let mut newer = first_read();
    newer[1] = view(
        "102",
        &[
            ("fname", "Ann"),
            ("lname", "Lee-Cohen"),
            ("email", "ann@example.com"),
            ("city", "Jerusalem"),
        ],
    );
    import_clients(&s, newer, &Mapping::default(), &ImportOptions::default()).unwrap();
    let c = s.change(id).unwrap().unwrap();
    let city = c.fields.iter().find(|f| f.field == "city").unwrap();
    assert_eq!(
        (city.proposed.as_deref(), city.edited),
        (Some("Herzliya"), true)
    );
    assert!(c
        .fields
        .iter()
        .any(|f| f.field == "lastName" && f.proposed.as_deref() == Some("Lee-Cohen")));
    assert!(
        c.warnings.iter().any(|w| w.contains("your edit of")),
        "{:?}",
        c.warnings
    );
    // Bmby now agrees with GHL, but the edited change is not dropped.
    let mut same_as_ghl = first_read();
    same_as_ghl[1] = view(
        "102",
        &[
            ("fname", "Ann"),
            ("lname", "Lee"),
            ("email", "ann@example.com"),
            ("city", "Haifa"),
        ],
    );
    import_clients(
        &s,
        same_as_ghl,
        &Mapping::default(),
        &ImportOptions::default(),
    )
    .unwrap();
    assert!(s.change(id).unwrap().is_some());
}

#[test]
fn a_full_read_lacking_many_linked_clients_proposes_no_deletes() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path(), "loc").unwrap();
    let contacts: Vec<Contact> = (0..30)
        .map(|i| {
            contact(
                &format!("g{i}"),
                "N",
                &format!("L{i}"),
                &format!("p{i}@example.com"),
                &format!("+97250000{i:04}"),
                "X",
            )
        })
        .collect();
    s.put_contacts(&contacts).unwrap();
    let all: Vec<ClientView> = (0..30)
        .map(|i| {
            view(
                &format!("{i}"),
                &[
                    ("fname", "N"),
                    ("lname", &format!("L{i}")),
                    ("email", &format!("p{i}@example.com")),
                ],
            )
        })
        .collect();
    import_clients(
        &s,
        all.clone(),
        &Mapping::default(),
        &ImportOptions::default(),
    )
    .unwrap();
    assert_eq!(s.links().unwrap().len(), 30);
    // A "full" file with 2 rows: 28 deletes would be proposed — refused, with the reason.
    let cut: Vec<ClientView> = all.iter().take(2).cloned().collect();
    let opts = ImportOptions {
        full: true,
        ..Default::default()
    };
    let sum = import_clients(&s, cut.clone(), &Mapping::default(), &opts).unwrap();
    assert!(s
        .changes()
        .unwrap()
        .iter()
        .all(|c| c.kind != ChangeKind::Delete));
    assert!(
        sum.problems
            .iter()
            .any(|p| p.contains("not proposing 28 deletes")),
        "{:?}",
        sum.problems
    );
    // Told explicitly, it proposes them.
    let opts = ImportOptions {
        full: true,
        allow_mass_delete: true,
        ..Default::default()
    };
    import_clients(&s, cut, &Mapping::default(), &opts).unwrap();
    assert_eq!(
        s.changes()
            .unwrap()
            .iter()
            .filter(|c| c.kind == ChangeKind::Delete)
            .count(),
        28
    );
}
