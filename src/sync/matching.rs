//! Matching Bmby clients to GHL contacts: through the stored link, then email (case folded),
//! then E.164 phone. When email and phone point at different contacts the match is ambiguous
//! and a person decides; it is never guessed.

use std::collections::HashMap;

use crate::domain::{Candidate, Contact};

/// Lookup tables over the cached GHL contacts.
#[derive(Debug, Default)]
pub struct ContactIndex {
    by_email: HashMap<String, Vec<usize>>,
    by_phone: HashMap<String, Vec<usize>>,
    by_id: HashMap<String, usize>,
    pub contacts: Vec<Contact>,
}

/// The match key of an email: trimmed, lowercase.
pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// The match key of a phone already in E.164: `+` and digits only.
pub fn phone_key(e164: &str) -> String {
    e164.chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect()
}

/// A contact left out of a client's match because it is another Bmby client's: linked to
/// that client, or already matched to it earlier in the same read. Different people share a
/// phone or an email (family members, an office line); such a contact is another person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedKey {
    /// The contact left out.
    pub contact_id: String,
    /// Its display name.
    pub contact_name: String,
    /// The Bmby client it belongs to.
    pub other_client: String,
    /// `email` or `phone`.
    pub on: &'static str,
    /// The shared value as people write it (the email; an Israeli phone in local form).
    pub value: String,
}

impl SharedKey {
    /// `shares phone 050-1234567 with Bmby client 1234 (contact X, Dana Cohen); proposed as a
    /// new contact`.
    pub fn warning(&self) -> String {
        format!(
            "shares {} {} with Bmby client {} (contact {}, {}); not matched to it: proposed as a separate contact",
            self.on, self.value, self.other_client, self.contact_id, self.contact_name
        )
    }
}

/// An E.164 phone as Israelis write it (`+972501234567` → `050-1234567`); other numbers as
/// they are.
pub fn phone_for_people(e164: &str) -> String {
    match e164.strip_prefix("+972") {
        // mobiles and 07x lines: 050-1234567
        Some(rest) if rest.len() == 9 && rest.is_ascii() => {
            format!("0{}-{}", &rest[..2], &rest[2..])
        }
        // landlines with a one-digit area code: 03-1234567
        Some(rest) if rest.len() == 8 && rest.is_ascii() => {
            format!("0{}-{}", &rest[..1], &rest[1..])
        }
        _ => e164.to_owned(),
    }
}

/// Bmby clients linked to each GHL contact, from the stored links (client → contact), each
/// list in client-id order. Several clients on one contact happen when a person chose so (Bmby
/// holds duplicates of people too).
pub fn link_owners(links: &HashMap<String, String>) -> HashMap<String, Vec<String>> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for (client, contact) in links {
        out.entry(contact.clone()).or_default().push(client.clone());
    }
    for v in out.values_mut() {
        v.sort_by(|a, b| client_order(a, b));
    }
    out
}

/// Order of Bmby client ids: numerically when both are numbers, else as text.
pub fn client_order(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.trim().parse::<u64>(), b.trim().parse::<u64>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        _ => a.cmp(b),
    }
}

/// The other Bmby client a GHL contact belongs to, if it is linked to one other than
/// `client_id` (for a create look-up: a contact found by email or phone that belongs to
/// another client is another person, not this client's contact).
pub fn linked_elsewhere<'l>(
    links: &'l HashMap<String, String>,
    client_id: &str,
    contact_id: &str,
) -> Option<&'l str> {
    links
        .iter()
        .filter(|(client, contact)| contact.as_str() == contact_id && client.as_str() != client_id)
        .map(|(client, _)| client.as_str())
        .min_by(|a, b| client_order(a, b))
}

/// What matching found for one client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Match {
    /// One contact, and how it was found (`link`, `email`, `phone`).
    One { index: usize, by: &'static str },
    /// Nothing matched: a create.
    None,
    /// Several contacts match (email and phone disagree, or a key matches several contacts).
    Ambiguous(Vec<Candidate>),
}

impl ContactIndex {
    /// Builds the index.
    pub fn new(contacts: Vec<Contact>) -> Self {
        let mut ix = ContactIndex::default();
        for (i, c) in contacts.iter().enumerate() {
            ix.by_id.insert(c.id.clone(), i);
            if let Some(e) = c.email.as_deref().filter(|e| !e.trim().is_empty()) {
                ix.by_email.entry(email_key(e)).or_default().push(i);
            }
            if let Some(p) = c.phone.as_deref().filter(|p| !p.trim().is_empty()) {
                ix.by_phone.entry(phone_key(p)).or_default().push(i);
            }
        }
        ix.contacts = contacts;
        ix
    }

    /// The contact with this id.
    pub fn get(&self, id: &str) -> Option<&Contact> {
        self.by_id.get(id).map(|i| &self.contacts[*i])
    }

    fn candidates(&self, hits: &[(usize, &'static str)]) -> Vec<Candidate> {
        let mut out: Vec<Candidate> = Vec::new();
        for (i, by) in hits {
            let c = &self.contacts[*i];
            if let Some(existing) = out.iter_mut().find(|x| x.contact_id == c.id) {
                if !existing.matched_on.contains(by) {
                    existing.matched_on.push_str(&format!("+{by}"));
                }
            } else {
                out.push(Candidate {
                    contact_id: c.id.clone(),
                    name: c.display_name(),
                    matched_on: (*by).to_owned(),
                });
            }
        }
        out
    }

    /// Matches a client by its link (a contact id that still exists), else its email key, else
    /// any of its E.164 phones.
    pub fn find(&self, link: Option<&str>, email: Option<&str>, phones: &[String]) -> Match {
        self.find_among(link, email, phones, &|_| None).0
    }

    /// [`ContactIndex::find`] for one client among others: a contact `owner` names another
    /// client for is never this client's match by email or phone (it is another person who
    /// shares the key); each one left out is returned as a [`SharedKey`]. The link is followed
    /// as given.
    pub fn find_among(
        &self,
        link: Option<&str>,
        email: Option<&str>,
        phones: &[String],
        owner: &dyn Fn(&str) -> Option<String>,
    ) -> (Match, Vec<SharedKey>) {
        if let Some(i) = link.and_then(|id| self.by_id.get(id)) {
            return (
                Match::One {
                    index: *i,
                    by: "link",
                },
                Vec::new(),
            );
        }
        let mut shared: Vec<SharedKey> = Vec::new();
        let mut keep = |i: usize, on: &'static str, value: &str| -> bool {
            let c = &self.contacts[i];
            match owner(&c.id) {
                None => true,
                Some(other) => {
                    if !shared.iter().any(|s| s.contact_id == c.id) {
                        shared.push(SharedKey {
                            contact_id: c.id.clone(),
                            contact_name: c.display_name(),
                            other_client: other,
                            on,
                            value: value.to_owned(),
                        });
                    }
                    false
                }
            }
        };
        let mut by_email: Vec<usize> = Vec::new();
        if let Some(e) = email {
            for i in self.by_email.get(&email_key(e)).into_iter().flatten() {
                if keep(*i, "email", e.trim()) {
                    by_email.push(*i);
                }
            }
        }
        let mut by_phone: Vec<usize> = Vec::new();
        for p in phones {
            for i in self.by_phone.get(&phone_key(p)).into_iter().flatten() {
                if !by_phone.contains(i) && keep(*i, "phone", &phone_for_people(p)) {
                    by_phone.push(*i);
                }
            }
        }
        (self.decide(&by_email, &by_phone), shared)
    }

    fn decide(&self, by_email: &[usize], by_phone: &[usize]) -> Match {
        let hits: Vec<(usize, &'static str)> = by_email
            .iter()
            .map(|i| (*i, "email"))
            .chain(by_phone.iter().map(|i| (*i, "phone")))
            .collect();
        let mut distinct: Vec<usize> = hits.iter().map(|h| h.0).collect();
        distinct.sort_unstable();
        distinct.dedup();
        match distinct.len() {
            0 => Match::None,
            1 => Match::One {
                index: distinct[0],
                by: if by_email.is_empty() {
                    "phone"
                } else {
                    "email"
                },
            },
            _ => Match::Ambiguous(self.candidates(&hits)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(id: &str, email: Option<&str>, phone: Option<&str>) -> Contact {
        Contact {
            id: id.into(),
            email: email.map(Into::into),
            phone: phone.map(Into::into),
            first_name: Some(id.to_uppercase()),
            ..Default::default()
        }
    }

    fn ix() -> ContactIndex {
        ContactIndex::new(vec![
            c("a", Some("Ann@Example.com"), Some("+972501234567")),
            c("b", Some("bob@example.com"), Some("+15550100001")),
            c("x", None, Some("+972521111111")),
        ])
    }

    #[test]
    fn link_then_email_then_phone() {
        let ix = ix();
        assert_eq!(
            ix.find(Some("b"), Some("ann@example.com"), &[]),
            Match::One {
                index: 1,
                by: "link"
            }
        );
        assert_eq!(
            ix.find(Some("gone"), Some(" ANN@example.com "), &[]),
            Match::One {
                index: 0,
                by: "email"
            }
        );
        assert_eq!(
            ix.find(None, None, &["+972521111111".into()]),
            Match::One {
                index: 2,
                by: "phone"
            }
        );
        assert_eq!(
            ix.find(None, Some("new@example.com"), &["+972539999999".into()]),
            Match::None
        );
    }

    #[test]
    fn linked_elsewhere_names_the_other_client() {
        let links: HashMap<String, String> = [("12", "x"), ("3", "x"), ("7", "y")]
            .into_iter()
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
            .collect();
        assert_eq!(linked_elsewhere(&links, "7", "x"), Some("3"));
        assert_eq!(linked_elsewhere(&links, "3", "x"), Some("12"));
        assert_eq!(linked_elsewhere(&links, "7", "y"), None);
        assert_eq!(linked_elsewhere(&links, "7", "z"), None);
        assert_eq!(
            link_owners(&links)["x"],
            vec!["3".to_owned(), "12".to_owned()]
        );
    }

    #[test]
    fn phones_for_people_in_israeli_local_form() {
        assert_eq!(phone_for_people("+972501234567"), "050-1234567");
        assert_eq!(phone_for_people("+97239998877"), "03-9998877");
        assert_eq!(phone_for_people("+15550100001"), "+15550100001");
    }

    #[test]
    fn a_contact_owned_by_another_client_is_left_out_and_reported() {
        let ix = ix();
        let owner = |id: &str| (id == "a").then(|| "1234".to_owned());
        let (m, shared) = ix.find_among(
            None,
            Some("ann@example.com"),
            &["+15550100001".into()],
            &owner,
        );
        assert_eq!(
            m,
            Match::One {
                index: 1,
                by: "phone"
            }
        );
        assert_eq!(shared.len(), 1);
        assert_eq!(
            shared[0].warning(),
            "shares email ann@example.com with Bmby client 1234 (contact a, A); not matched to it: proposed as a separate contact"
        );
        // Its own link is still followed.
        let (m, shared) = ix.find_among(Some("a"), None, &[], &owner);
        assert_eq!(
            m,
            Match::One {
                index: 0,
                by: "link"
            }
        );
        assert!(shared.is_empty());
    }

    #[test]
    fn email_and_phone_agreeing_is_one_match() {
        let ix = ix();
        assert_eq!(
            ix.find(None, Some("ann@example.com"), &["+972501234567".into()]),
            Match::One {
                index: 0,
                by: "email"
            }
        );
    }

    #[test]
    fn email_and_phone_disagreeing_is_ambiguous_never_a_guess() {
        let ix = ix();
        match ix.find(None, Some("ann@example.com"), &["+15550100001".into()]) {
            Match::Ambiguous(c) => {
                assert_eq!(c.len(), 2);
                assert_eq!(
                    (c[0].contact_id.as_str(), c[0].matched_on.as_str()),
                    ("a", "email")
                );
                assert_eq!(
                    (c[1].contact_id.as_str(), c[1].matched_on.as_str()),
                    ("b", "phone")
                );
            }
            other => panic!("expected ambiguous, got {other:?}"),
        }
    }
}
