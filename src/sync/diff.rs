//! Field-level diff of a Bmby client against a GHL contact, after normalization on both sides,
//! so `050-1234567` against `+972501234567` or a name with an invisible bidi mark is not a change.

use std::collections::{BTreeMap, HashMap};

use unicode_normalization::UnicodeNormalization;

use super::mapping::{Mapping, Target};
use crate::domain::{Contact, CustomFieldDef, FieldChange};

/// What the diff needs of one Bmby client (built from the normalized record).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientView {
    /// Bmby `client_id`.
    pub client_id: String,
    pub display_name: String,
    pub email: Option<String>,
    /// Every phone of the client in E.164, primary first.
    pub phones_e164: Vec<String>,
    /// Normalized values by Bmby field name (`fname`, `phone_mobile` (E.164), `city`, custom
    /// field titles, …); empty values are absent.
    pub values: BTreeMap<String, String>,
    /// Flags raised by normalization (`phone_mobile: 054-123-4567 parses but is not a valid number`).
    pub warnings: Vec<String>,
    /// `clients.csv row 12`, `Bmby SOAP GetAll`.
    pub origin: String,
}

/// The comparison form of a value: NFC, bidi marks dropped, whitespace collapsed; emails
/// lowercased; phones reduced to `+` and digits; numbers compared as numbers; dates by day.
fn comparable(field: &str, v: &str) -> String {
    // Fast path: printable ASCII without doubled or edge spaces needs no cleaning.
    let simple = v.bytes().all(|b| (0x21..0x7f).contains(&b) || b == b' ')
        && !v.contains("  ")
        && !v.starts_with(' ')
        && !v.ends_with(' ');
    let collapsed = if simple {
        v.to_owned()
    } else {
        let cleaned: String = crate::sanitize::clean_line(v).nfc().collect();
        cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    match field {
        "email" => collapsed.to_lowercase(),
        "phone" => collapsed
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect(),
        "dateOfBirth" => collapsed.chars().take(10).collect(),
        _ => match collapsed.parse::<f64>() {
            Ok(n) if collapsed.chars().any(|c| c.is_ascii_digit()) => format!("{n}"),
            _ => collapsed,
        },
    }
}

/// True when the two values mean the same for this GHL field.
pub fn same(field: &str, ghl: Option<&str>, proposed: Option<&str>) -> bool {
    let a = ghl.map(|v| comparable(field, v)).filter(|v| !v.is_empty());
    let b = proposed
        .map(|v| comparable(field, v))
        .filter(|v| !v.is_empty());
    a == b
}

/// The contact's current value of a change field (`firstName`, `tags`,
/// `customFields.<id>`), as display text.
pub fn ghl_value(c: &Contact, field: &str) -> Option<String> {
    if let Some(id) = field.strip_prefix("customFields.") {
        return c
            .custom_fields
            .iter()
            .find(|f| f.id == id)
            .map(|f| f.display());
    }
    if field == "tags" {
        return (!c.tags.is_empty()).then(|| c.tags.join(", "));
    }
    ghl_field(c, field)
}

fn ghl_field(c: &Contact, field: &str) -> Option<String> {
    match field {
        "firstName" => c.first_name.clone(),
        "lastName" => c.last_name.clone(),
        "email" => c.email.clone(),
        "phone" => c.phone.clone(),
        "address1" => c.address1.clone(),
        "city" => c.city.clone(),
        "state" => c.state.clone(),
        "postalCode" => c.postal_code.clone(),
        "country" => c.country.clone(),
        "website" => c.website.clone(),
        "timezone" => c.timezone.clone(),
        "source" => c.source.clone(),
        "dateOfBirth" => c.date_of_birth.clone(),
        "assignedTo" => c.assigned_to.clone(),
        "type" => c.contact_type.clone(),
        "dnd" => Some(if c.dnd { "on" } else { "off" }.to_owned()),
        other => other.strip_prefix("dndSettings.").map(|ch| {
            c.dnd_settings
                .iter()
                .find(|d| d.channel.eq_ignore_ascii_case(ch))
                .map_or_else(|| "inactive".to_owned(), |d| d.status.clone())
        }),
    }
}

/// Display order of change fields: names, then contact details, then address, then the rest,
/// then custom fields (tags come last).
fn field_rank(field: &str) -> usize {
    const ORDER: &[&str] = &[
        "firstName",
        "lastName",
        "email",
        "phone",
        "dateOfBirth",
        "address1",
        "city",
        "state",
        "postalCode",
        "country",
        "website",
        "timezone",
        "source",
    ];
    ORDER
        .iter()
        .position(|f| *f == field)
        .unwrap_or(ORDER.len())
}

/// Screen label of a standard field.
pub fn field_label(field: &str) -> &str {
    match field {
        "firstName" => "First name",
        "lastName" => "Last name",
        "email" => "Email",
        "phone" => "Phone",
        "address1" => "Address",
        "city" => "City",
        "state" => "State",
        "postalCode" => "Postal code",
        "country" => "Country",
        "website" => "Website",
        "timezone" => "Time zone",
        "source" => "Source",
        "dateOfBirth" => "Date of birth",
        "tags" => "Tags",
        "assignedTo" => "Owner",
        "type" => "Type",
        "dnd" => "DND (all channels)",
        "dndSettings.SMS" => "DND SMS",
        "dndSettings.Email" => "DND Email",
        "dndSettings.Call" => "DND Call",
        "dndSettings.WhatsApp" => "DND WhatsApp",
        "dndSettings.GMB" => "DND GMB",
        "dndSettings.FB" => "DND FB",
        other => other,
    }
}

/// The fields that differ between what Bmby proposes and the GHL contact (`None` for a create:
/// every mapped non-empty value is proposed). Empty Bmby values never clear a GHL field.
/// Custom targets the location does not have are skipped with a warning in `warnings`.
pub fn field_changes(
    view: &ClientView,
    contact: Option<&Contact>,
    mapping: &Mapping,
    defs_by_key: &HashMap<String, CustomFieldDef>,
    warnings: &mut Vec<String>,
) -> Vec<FieldChange> {
    let mut out = Vec::new();
    let mut new_tags: Vec<(String, String)> = Vec::new();
    for (source, target) in &mapping.fields {
        let Some(value) = view.values.get(source).filter(|v| !v.trim().is_empty()) else {
            continue;
        };
        match target {
            Target::Field(f) => {
                // Bmby's phone fields are checked (and in E.164) already (`client_view`); any
                // other source mapped to the phone passes the same check here.
                let checked;
                let value = if f == "phone"
                    && !matches!(
                        source.as_str(),
                        "phone_mobile" | "phone_home" | "phone_work"
                    ) {
                    match crate::bmby::normalize::check_phone(value) {
                        Ok(e164) => {
                            checked = e164;
                            &checked
                        }
                        Err(why) => {
                            warnings.push(format!("{source} → phone: {why}; not proposed"));
                            continue;
                        }
                    }
                } else {
                    value
                };
                let now = contact.and_then(|c| ghl_field(c, f));
                if !same(f, now.as_deref(), Some(value)) {
                    out.push(FieldChange {
                        field: f.clone(),
                        label: field_label(f).to_owned(),
                        source_field: source.clone(),
                        ghl_now: now,
                        proposed: Some(value.clone()),
                        edited: false,
                        value_json: None,
                    });
                }
            }
            Target::Tag => {
                let has = contact
                    .is_some_and(|c| c.tags.iter().any(|t| same("tag", Some(t), Some(value))));
                if !has {
                    new_tags.push((source.clone(), value.clone()));
                }
            }
            Target::Custom(key) => {
                let Some(def) = defs_by_key.get(key) else {
                    warnings.push(format!("{source} → custom field {key}: the location has no such custom field; skipped"));
                    continue;
                };
                let now = contact
                    .and_then(|c| c.custom_fields.iter().find(|f| f.id == def.id))
                    .map(|f| f.display());
                if !same("custom", now.as_deref(), Some(value)) {
                    out.push(FieldChange {
                        field: format!("customFields.{}", def.id),
                        label: def.name.clone(),
                        source_field: source.clone(),
                        ghl_now: now,
                        proposed: Some(value.clone()),
                        edited: false,
                        value_json: None,
                    });
                }
            }
        }
    }
    out.sort_by_key(|f| field_rank(&f.field));
    // Tags the mapping says Bmby owns that the contact has and Bmby no longer sets: the only
    // tags a Bmby change proposes to remove (every other tag is GHL's users' and kept).
    let wanted: Vec<&String> = mapping
        .fields
        .iter()
        .filter(|(_, t)| **t == Target::Tag)
        .filter_map(|(s, _)| view.values.get(s))
        .collect();
    let owned_gone: Vec<String> = contact
        .map(|c| c.tags.clone())
        .unwrap_or_default()
        .into_iter()
        .filter(|t| {
            mapping
                .owned_tags
                .iter()
                .any(|o| same("tag", Some(o), Some(t)))
        })
        .filter(|t| !wanted.iter().any(|w| same("tag", Some(w), Some(t))))
        .collect();
    if !new_tags.is_empty() || !owned_gone.is_empty() {
        let current: Vec<String> = contact.map(|c| c.tags.clone()).unwrap_or_default();
        let mut proposed: Vec<String> = current
            .iter()
            .filter(|t| !owned_gone.contains(t))
            .cloned()
            .collect();
        proposed.extend(new_tags.iter().map(|(_, t)| t.clone()));
        out.push(FieldChange {
            field: "tags".into(),
            label: "Tags".into(),
            source_field: if new_tags.is_empty() {
                "tag".to_owned()
            } else {
                new_tags
                    .iter()
                    .map(|(s, _)| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            ghl_now: (!current.is_empty()).then(|| current.join(", ")),
            proposed: (!proposed.is_empty()).then(|| proposed.join(", ")),
            edited: false,
            value_json: None,
        });
    }
    out
}

/// The tags a Bmby change of these fields removes (those in the tags field's `ghl_now` and not
/// in its proposal): by [`field_changes`]' construction only tags the mapping says Bmby owns.
/// Stored on the change as `removable_tags`, which dispatch checks before removing any tag.
pub fn removed_tags(fields: &[FieldChange]) -> Vec<String> {
    let list = |v: &Option<String>| -> Vec<String> {
        v.as_deref()
            .unwrap_or("")
            .split(',')
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .collect()
    };
    fields
        .iter()
        .filter(|f| f.field == "tags")
        .flat_map(|f| {
            let want = list(&f.proposed);
            list(&f.ghl_now)
                .into_iter()
                .filter(move |t| !want.contains(t))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bmby_adds_tags_and_removes_only_owned_ones() {
        let c = Contact {
            tags: vec!["customer".into(), "hot".into(), "from-ghl".into()],
            ..Default::default()
        };
        let mut m = Mapping::default();
        m.fields.insert("status".into(), Target::Tag);
        let v = view(&[("status", "cold")]);
        let mut w = Vec::new();
        // Without owned tags nothing is removed.
        let f = field_changes(&v, Some(&c), &m, &HashMap::new(), &mut w);
        assert_eq!(
            f[0].proposed.as_deref(),
            Some("customer, hot, from-ghl, cold")
        );
        assert!(removed_tags(&f).is_empty());
        // "hot" owned by Bmby and no longer set: it goes, GHL's tags stay.
        m.owned_tags = vec!["hot".into(), "cold".into()];
        let f = field_changes(&v, Some(&c), &m, &HashMap::new(), &mut w);
        assert_eq!(f[0].proposed.as_deref(), Some("customer, from-ghl, cold"));
        assert_eq!(removed_tags(&f), vec!["hot".to_owned()]);
    }

    fn view(values: &[(&str, &str)]) -> ClientView {
        ClientView {
            client_id: "1".into(),
            values: values
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn normalized_equal_values_are_not_changes() {
        let c = Contact {
            first_name: Some("יוסי".into()),
            email: Some("Yossi@Example.com".into()),
            phone: Some("+972501234567".into()),
            city: Some("תל אביב".into()),
            ..Default::default()
        };
        let v = view(&[
            ("fname", "\u{200f}יוסי"),
            ("email", "yossi@example.com "),
            ("phone_mobile", "+972501234567"),
            ("city", "תל  אביב"),
        ]);
        let mut w = Vec::new();
        assert!(
            field_changes(&v, Some(&c), &Mapping::default(), &HashMap::new(), &mut w).is_empty()
        );
    }

    #[test]
    fn only_differing_fields_and_never_clearing() {
        let c = Contact {
            first_name: Some("Ann".into()),
            city: Some("Haifa".into()),
            ..Default::default()
        };
        let v = view(&[("fname", "Ann"), ("city", "Tel Aviv")]);
        let mut w = Vec::new();
        let f = field_changes(&v, Some(&c), &Mapping::default(), &HashMap::new(), &mut w);
        assert_eq!(f.len(), 1);
        assert_eq!(
            (
                f[0].field.as_str(),
                f[0].ghl_now.as_deref(),
                f[0].proposed.as_deref()
            ),
            ("city", Some("Haifa"), Some("Tel Aviv"))
        );
    }

    #[test]
    fn custom_fields_by_key_and_missing_key_warns() {
        let mut defs = HashMap::new();
        defs.insert(
            "contact.budget".to_owned(),
            CustomFieldDef {
                id: "cf1".into(),
                name: "Budget".into(),
                field_key: "contact.budget".into(),
                ..Default::default()
            },
        );
        let c = Contact {
            custom_fields: vec![crate::domain::CustomFieldValue {
                id: "cf1".into(),
                value_json: "5500000".into(),
            }],
            ..Default::default()
        };
        let mut w = Vec::new();
        let same_budget = field_changes(
            &view(&[("budget", "5500000.0")]),
            Some(&c),
            &Mapping::default(),
            &defs,
            &mut w,
        );
        assert!(same_budget.is_empty());
        let f = field_changes(
            &view(&[("תקציב", "6000000"), ("מספר חדרים", "4")]),
            Some(&c),
            &Mapping::default(),
            &defs,
            &mut w,
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].label, "Budget");
        assert!(w.iter().any(|w| w.contains("contact.rooms")));
    }
}
