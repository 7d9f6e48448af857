//! From a normalized Bmby client to what matching and the diff use.

use super::diff::ClientView;
use crate::bmby::normalize::{NormalizedClient, Phone};

/// The E.164 form of a phone that may be written to GHL
/// ([`crate::bmby::normalize::is_writable`]); junk (`123` read as `+972123`) is never proposed
/// nor matched on.
fn phone_value(p: &Option<Phone>) -> Option<String> {
    p.as_ref()
        .and_then(crate::bmby::normalize::writable_e164)
        .map(str::to_owned)
}

impl From<&NormalizedClient> for ClientView {
    /// Values by Bmby field name: `fname`/`lname` (after the full-name rule), `email`, phones
    /// in E.164 (`phone_mobile` falls back to the primary phone so GHL's single phone gets the
    /// best one available), `passport` (9-digit ID), the other text fields, and every custom
    /// field under its title. Normalization warnings become `field: message (raw)` lines.
    fn from(n: &NormalizedClient) -> ClientView {
        let mut values = std::collections::BTreeMap::new();
        let mut put = |k: &str, v: Option<String>| {
            if let Some(v) = v.filter(|v| !v.trim().is_empty()) {
                values.insert(k.to_owned(), v);
            }
        };
        put("client_id", Some(n.client_id.clone()));
        put("fname", n.first_name.clone());
        put("lname", n.last_name.clone());
        // A malformed email is flagged by normalization and never proposed to GHL (it would
        // be refused or, worse, stored).
        let email_ok = n
            .email
            .as_deref()
            .is_some_and(crate::bmby::normalize::email::looks_like_email);
        put("email", n.email.clone().filter(|_| email_ok));
        put(
            "phone_mobile",
            phone_value(&n.phone_mobile).or_else(|| n.primary_phone_e164.clone()),
        );
        put("phone_home", phone_value(&n.phone_home));
        put("phone_work", phone_value(&n.phone_work));
        put("passport", n.national_id.as_ref().map(|i| i.value.clone()));
        put("address", n.address.clone());
        put("city", n.city.clone());
        put("company_name", n.company_name.clone());
        put("status", n.status.clone());
        put("remark", n.remark.clone());
        put("media_title", n.media_title.clone());
        put("user_name", n.user_name.clone());
        put("birth_day", n.birth_day.clone());
        for (k, v) in &n.custom {
            put(k, Some(v.clone()));
        }
        let mut phones_e164: Vec<String> = Vec::new();
        for p in [
            &n.primary_phone_e164,
            &phone_value(&n.phone_mobile),
            &phone_value(&n.phone_home),
            &phone_value(&n.phone_work),
        ]
        .into_iter()
        .flatten()
        {
            if !phones_e164.contains(p) {
                phones_e164.push(p.clone());
            }
        }
        let display_name = [n.first_name.as_deref(), n.last_name.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        ClientView {
            client_id: n.client_id.clone(),
            display_name: if display_name.is_empty() {
                n.email
                    .clone()
                    .or_else(|| n.primary_phone_e164.clone())
                    .unwrap_or_else(|| format!("Bmby client {}", n.client_id))
            } else {
                display_name
            },
            email: n
                .email_key
                .clone()
                .or_else(|| n.email.clone())
                .filter(|_| email_ok),
            phones_e164,
            values,
            warnings: n
                .warnings
                .iter()
                .map(|w| {
                    if w.raw.is_empty() {
                        format!("{}: {}", w.field, w.message)
                    } else {
                        format!("{}: {} ({})", w.field, w.message, w.raw)
                    }
                })
                .collect(),
            origin: match n.origin.row {
                Some(r) => format!("{} row {r}", n.origin.source),
                None => n.origin.source.clone(),
            },
        }
    }
}

/// Normalizes Bmby clients and builds their views, on all cores (phone parsing dominates),
/// consuming the clients chunk by chunk so the raw records are freed as the views are made.
pub fn into_views(clients: Vec<crate::bmby::BmbyClient>) -> Vec<ClientView> {
    const CHUNK: usize = 4096;
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8);
    let mut out = Vec::with_capacity(clients.len());
    let mut it = clients.into_iter();
    loop {
        let chunk: Vec<_> = it.by_ref().take(CHUNK).collect();
        if chunk.is_empty() {
            break;
        }
        let per = chunk.len().div_ceil(threads).max(1);
        std::thread::scope(|scope| {
            let handles: Vec<_> = chunk
                .chunks(per)
                .map(|part| {
                    scope.spawn(move || {
                        part.iter()
                            .map(|c| ClientView::from(&crate::bmby::normalize::normalize(c)))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            for h in handles {
                out.extend(h.join().expect("normalize worker panicked"));
            }
        });
    }
    out
}
