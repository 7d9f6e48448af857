//! Different Bmby clients sharing a phone or an email (family members, a shared office line):
//! never two clients' writes to one GHL contact, a warning naming the other client and contact,
//! and the same proposal never made twice whatever became of the first one.

use bmby_ghl::domain::{Change, ChangeKind, ChangeState, Contact};
use bmby_ghl::store::Store;
use bmby_ghl::sync::diff::ClientView;
use bmby_ghl::sync::import::{import_clients, ImportOptions, ImportSummary};
use bmby_ghl::sync::mapping::Mapping;
use bmby_ghl::sync::review;

fn contact(id: &str, first: &str, last: &str, email: &str, phone: &str) -> Contact {
    Contact {
        id: id.into(),
        first_name: Some(first.into()),
        last_name: Some(last.into()),
        email: (!email.is_empty()).then(|| email.into()),
        phone: (!phone.is_empty()).then(|| phone.into()),
        date_updated: Some("2026-11-01T10:00:00.000Z".into()),
        ..Default::default()
    }
}

fn view(id: &str, first: &str, last: &str, email: &str, phone: &str) -> ClientView {
    let mut values = std::collections::BTreeMap::new();
    values.insert("fname".to_owned(), first.to_owned());
    values.insert("lname".to_owned(), last.to_owned());
    if !email.is_empty() {
        values.insert("email".to_owned(), email.to_owned());
    }
    if !phone.is_empty() {
        values.insert("phone_mobile".to_owned(), phone.to_owned());
    }
    ClientView {
        client_id: id.into(),
        display_name: format!("{first} {last}"),
        email: (!email.is_empty()).then(|| email.into()),
        phones_e164: (!phone.is_empty())
            .then(|| phone.to_owned())
            .into_iter()
            .collect(),
        values,
        warnings: vec![],
        origin: format!("test read, client {id}"),
    }
}

fn store(contacts: &[Contact]) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path(), "loc").unwrap();
    s.put_contacts(contacts).unwrap();
    (dir, s)
}

fn import(s: &Store, views: Vec<ClientView>) -> ImportSummary {
    import_clients(s, views, &Mapping::default(), &ImportOptions::default()).unwrap()
}

fn change_of(s: &Store, client: &str) -> Change {
    s.change_for_client(client)
        .unwrap()
        .unwrap_or_else(|| panic!("a change for client {client}"))
}

/// A contact the family's office line belongs to, and the family: the father matches it by
/// name and phone, the mother and son share only the phone.
fn family() -> (Vec<Contact>, Vec<ClientView>) {
    (
        vec![
            contact("ghlDad", "Moshe", "Cohen", "", "+972501112233"),
            contact(
                "ghlOther",
                "Ruth",
                "Levi",
                "ruth@example.com",
                "+972509998877",
            ),
        ],
        vec![
            view("2001", "Sara", "Cohen", "sara@example.com", "+972501112233"),
            view("2002", "Moshe", "Cohen", "", "+972501112233"),
            view("2003", "Ben", "Cohen", "", "+972501112233"),
        ],
    )
}

#[test]
fn clients_sharing_a_phone_never_both_write_to_one_contact() {
    let (contacts, read) = family();
    let (_d, s) = store(&contacts);
    let sum = import(&s, read.clone());
    assert_eq!(sum.links_added, 1);

    // The client with the contact's name gets it (and is in sync with it); the others are new
    // contacts.
    assert_eq!(s.link("2002").unwrap().as_deref(), Some("ghlDad"));
    assert!(s.change_for_client("2002").unwrap().is_none());
    assert_eq!(sum.in_sync, 1);
    for other in ["2001", "2003"] {
        let c = change_of(&s, other);
        assert_eq!(c.kind, ChangeKind::Create, "{c:?}");
        assert_eq!(c.contact_id, None);
        assert!(
            c.warnings.iter().any(|w| w.contains(
                "shares phone 050-1112233 with Bmby client 2002 (contact ghlDad, Moshe Cohen)"
            )),
            "{:?}",
            c.warnings
        );
        assert_eq!(s.link(other).unwrap(), None);
    }
    // No two changes write to one contact.
    let targets: Vec<String> = s
        .changes()
        .unwrap()
        .into_iter()
        .filter_map(|c| c.contact_id)
        .collect();
    let mut dedup = targets.clone();
    dedup.sort();
    dedup.dedup();
    assert_eq!(targets.len(), dedup.len(), "{targets:?}");

    // The same read again (now with the father linked) proposes nothing new, in any order.
    let before = s.changes().unwrap();
    let mut again = read;
    again.reverse();
    let sum = import(&s, again);
    assert!(sum.new_changes.is_empty(), "{sum:?}");
    assert_eq!(sum.replaced, 0, "{sum:?}");
    assert_eq!(s.changes().unwrap(), before);
}

#[test]
fn a_contact_linked_to_another_client_is_not_a_match_by_email_or_phone() {
    let (_d, s) = store(&[contact(
        "ghlShared",
        "Office",
        "Line",
        "office@example.com",
        "+97239998877",
    )]);
    s.put_link("3001", "ghlShared").unwrap();
    import(
        &s,
        vec![
            view("3002", "Avi", "Peretz", "office@example.com", ""),
            view("3003", "Noa", "Peretz", "", "+97239998877"),
        ],
    );
    let by_email = change_of(&s, "3002");
    assert_eq!(by_email.kind, ChangeKind::Create);
    assert!(
        by_email.warnings.iter().any(|w| {
            w.contains(
            "shares email office@example.com with Bmby client 3001 (contact ghlShared, Office Line)"
        )
        }),
        "{:?}",
        by_email.warnings
    );
    let by_phone = change_of(&s, "3003");
    assert_eq!(by_phone.kind, ChangeKind::Create);
    assert!(
        by_phone
            .warnings
            .iter()
            .any(|w| w.contains("shares phone 03-9998877 with Bmby client 3001")),
        "{:?}",
        by_phone.warnings
    );
    // Its own link still matches the linked client.
    import(
        &s,
        vec![view("3001", "Office", "Line2", "office@example.com", "")],
    );
    let own = change_of(&s, "3001");
    assert_eq!(
        (own.kind, own.contact_id.as_deref()),
        (ChangeKind::Update, Some("ghlShared"))
    );
}

#[test]
fn new_clients_sharing_a_key_are_separate_creates_and_say_so() {
    let (_d, s) = store(&[]);
    import(
        &s,
        vec![
            view(
                "4001",
                "Dana",
                "Mizrahi",
                "family@example.com",
                "+972541234567",
            ),
            view(
                "4002",
                "Yossi",
                "Mizrahi",
                "family@example.com",
                "+972541234567",
            ),
        ],
    );
    let first = change_of(&s, "4001");
    let second = change_of(&s, "4002");
    assert_eq!(
        (first.kind, second.kind),
        (ChangeKind::Create, ChangeKind::Create)
    );
    assert!(!first.warnings.iter().any(|w| w.contains("shares")));
    for on in ["email family@example.com", "phone 054-1234567"] {
        assert!(
            second.warnings.iter().any(|w| w.contains(&format!(
                "shares {on} with Bmby client 4001 (also a new contact"
            ))),
            "{on}: {:?}",
            second.warnings
        );
    }
}

#[test]
fn a_shared_key_create_is_proposed_once_whatever_became_of_it() {
    // A location that forbids duplicates holds such a create for a person; whatever state it is
    // left in, the same Bmby data never proposes it again, and a rejection stays.
    let (contacts, read) = family();
    for state in [
        ChangeState::Pending,
        ChangeState::Rejected,
        ChangeState::Approved,
        ChangeState::Failed,
        ChangeState::Conflict,
        ChangeState::InFlight,
    ] {
        let (_d, s) = store(&contacts);
        import(&s, read.clone());
        let mut c = change_of(&s, "2001");
        assert_eq!(c.kind, ChangeKind::Create);
        if state == ChangeState::Rejected {
            review::reject(&s, c.id).unwrap();
        } else {
            c.state = state;
            s.put_change(&c).unwrap();
        }
        let count = s.changes().unwrap().len();
        for _ in 0..2 {
            let sum = import(&s, read.clone());
            assert!(sum.new_changes.is_empty(), "{state:?}: {sum:?}");
            assert_eq!(s.changes().unwrap().len(), count, "{state:?}");
            let now = change_of(&s, "2001");
            assert_eq!((now.id, now.state), (c.id, state));
        }
    }
}
