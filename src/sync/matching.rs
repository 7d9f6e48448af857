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
        if let Some(i) = link.and_then(|id| self.by_id.get(id)) {
            return Match::One {
                index: *i,
                by: "link",
            };
        }
        let by_email: Vec<usize> = email
            .map(email_key)
            .and_then(|k| self.by_email.get(&k).cloned())
            .unwrap_or_default();
        let mut by_phone: Vec<usize> = Vec::new();
        for p in phones {
            for i in self.by_phone.get(&phone_key(p)).into_iter().flatten() {
                if !by_phone.contains(i) {
                    by_phone.push(*i);
                }
            }
        }
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
