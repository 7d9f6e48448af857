//! `bmby-ghl contact ARG`: ARG is a contact id, an email or a phone number in any form.
//!
//! An email or phone is looked up first in the cache with the search's exact tier
//! ([`crate::search`]: whole email case-insensitive, phone by E.164), then, when nothing is
//! cached and the command is online, in GHL: `POST /contacts/search` with `query` (results
//! kept only when the email or E.164 phone is equal), else the duplicate lookup
//! `GET /contacts/search/duplicate?locationId&email|number`. Anything else is taken as an id.

use std::sync::Arc;

use color_eyre::eyre::{eyre, Result};
use tokio::runtime::Runtime;

use crate::domain::{Contact, ContactRow};
use crate::ghl::client::SearchRequest;
use crate::ghl::GhlClient;
use crate::search::normalize::{fold, is_phone_like, phone_e164};
use crate::search::{Index, Level, SearchContext};
use crate::store::Store;

/// What ARG names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum ContactArg {
    Id(String),
    /// Folded email.
    Email(String),
    /// E.164.
    Phone(String),
}

impl ContactArg {
    /// Reads ARG: `@` makes an email; digits with separators that the importer turns into
    /// E.164 make a phone; anything else is an id.
    pub(super) fn parse(arg: &str) -> ContactArg {
        let a = arg.trim();
        if a.contains('@') {
            return ContactArg::Email(fold(a));
        }
        if is_phone_like(a) {
            if let Some(p) = phone_e164(a) {
                return ContactArg::Phone(p);
            }
        }
        ContactArg::Id(a.to_owned())
    }

    fn is(&self, c: &Contact) -> bool {
        match self {
            ContactArg::Id(id) => c.id == *id,
            ContactArg::Email(e) => c.email.as_deref().is_some_and(|m| fold(m) == *e),
            ContactArg::Phone(p) => c.phone.as_deref() == Some(p.as_str()),
        }
    }

    fn text(&self) -> &str {
        match self {
            ContactArg::Id(s) | ContactArg::Email(s) | ContactArg::Phone(s) => s,
        }
    }
}

/// The outcome of resolving ARG.
#[derive(Debug)]
pub(super) enum Resolved {
    /// One contact id.
    One(String),
    /// Several contacts match: `(id, name, email, phone)` to list; exit code 2.
    Several(Vec<[String; 4]>),
}

/// Cached contacts whose email or phone equals ARG (the search's exact tier).
fn cached_matches(store: &Store, arg: &ContactArg) -> Result<Vec<ContactRow>> {
    let rows = Arc::new(store.contact_list()?);
    let order = crate::tui::app::sort_order(&*rows, crate::tui::SortKey::Name);
    let index = Index::new(rows.clone(), order);
    let q = crate::search::parse(arg.text(), &SearchContext::default())?;
    let hits = index.scan(&q, None, false).hits;
    let exact: Vec<_> = hits
        .into_iter()
        .filter(|(_, l)| *l == Level::Exact)
        .collect();
    Ok(index
        .ranked(exact)
        .into_iter()
        .filter_map(|i| rows.get(i as usize).map(|r| r.to_row()))
        .filter(|r| match arg {
            ContactArg::Email(e) => fold(&r.email) == *e,
            ContactArg::Phone(p) => r.phone == *p,
            ContactArg::Id(id) => r.id == *id,
        })
        .collect())
}

/// Resolves ARG to one contact id (see the module doc). Errors when nothing matches.
pub(super) fn resolve(
    store: &Store,
    client: Option<&GhlClient>,
    rt: &Runtime,
    arg: &str,
) -> Result<Resolved> {
    let parsed = ContactArg::parse(arg);
    if let ContactArg::Id(id) = &parsed {
        return Ok(Resolved::One(id.clone()));
    }
    let what = match &parsed {
        ContactArg::Email(_) => "email",
        _ => "phone",
    };
    let cached = cached_matches(store, &parsed)?;
    let list = |rows: Vec<[String; 4]>| {
        if rows.len() == 1 {
            Resolved::One(rows[0][0].clone())
        } else {
            Resolved::Several(rows)
        }
    };
    if !cached.is_empty() {
        return Ok(list(
            cached
                .into_iter()
                .map(|r| [r.id, r.name, r.email, r.phone])
                .collect(),
        ));
    }
    let Some(client) = client else {
        return Err(eyre!(
            "no cached contact has the {what} {} (run `bmby-ghl sync`, or drop --offline to ask GHL)",
            parsed.text()
        ));
    };
    let found: Vec<Contact> = rt.block_on(async {
        let page = client
            .search_contacts(&SearchRequest {
                page_limit: 20,
                query: Some(parsed.text().to_owned()),
                ..Default::default()
            })
            .await;
        let mut found: Vec<Contact> = match page {
            Ok(p) => p.contacts.into_iter().filter(|c| parsed.is(c)).collect(),
            Err(e) => {
                errln!("warning: GHL search failed, trying the duplicate lookup: {e}");
                Vec::new()
            }
        };
        if found.is_empty() {
            let (email, phone) = match &parsed {
                ContactArg::Email(e) => (Some(e.as_str()), None),
                ContactArg::Phone(p) => (None, Some(p.as_str())),
                ContactArg::Id(_) => (None, None),
            };
            match client.find_duplicate(email, phone).await {
                Ok(Some(c)) => found.push(c),
                Ok(None) => {}
                Err(e) => errln!("warning: GHL duplicate lookup failed: {e}"),
            }
        }
        found
    });
    if found.is_empty() {
        return Err(eyre!(
            "no contact has the {what} {}, in the cache or in GHL",
            parsed.text()
        ));
    }
    Ok(list(
        found
            .into_iter()
            .map(|c| {
                let name = c.display_name();
                [
                    c.id,
                    name,
                    c.email.unwrap_or_default(),
                    c.phone.unwrap_or_default(),
                ]
            })
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arg_kinds() {
        assert_eq!(
            ContactArg::parse("ITZIK.Cohen@Gmail.com"),
            ContactArg::Email("itzik.cohen@gmail.com".into())
        );
        for p in [
            "054-2848828",
            "+972-54-284-8828",
            "00972542848828",
            "542848828",
        ] {
            assert_eq!(
                ContactArg::parse(p),
                ContactArg::Phone("+972542848828".into()),
                "{p}"
            );
        }
        assert_eq!(
            ContactArg::parse("x64Mt6pwWmOf7NAPeeIE"),
            ContactArg::Id("x64Mt6pwWmOf7NAPeeIE".into())
        );
    }
}
