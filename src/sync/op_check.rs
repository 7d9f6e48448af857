//! The one check every operation passes before it is proposed ([`super::ops::propose`], used by
//! the TUI and by `bmby-ghl op`, dry run included): typed text is trimmed and sanitized, and an
//! operation that would send nothing meaningful (no tag, no user, no business, no contact) or
//! a workflow start time in the past is refused with an error naming the field. A malformed
//! operation is never proposed, so never sent.

use jiff::Timestamp;

use crate::domain::{ContactOp, Named};
use crate::sanitize::clean_line;

/// Why an operation was refused before it was proposed (nothing was stored): `field` is the
/// field or argument at fault (`tags`, `users`, `contacts`, `business`, `workflow`,
/// `campaign`, `contact`, `event start time`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct InvalidOp {
    pub field: &'static str,
    pub message: String,
}

fn invalid(field: &'static str, message: impl Into<String>) -> InvalidOp {
    InvalidOp {
        field,
        message: message.into(),
    }
}

/// How a person names the operation in messages (`tag add`, `follower remove`).
fn command(op: &ContactOp) -> &'static str {
    match op {
        ContactOp::WorkflowAdd { .. } => "workflow add",
        ContactOp::WorkflowRemove { .. } => "workflow remove",
        ContactOp::CampaignAdd { .. } => "campaign add",
        ContactOp::CampaignRemove { .. } => "campaign remove",
        ContactOp::CampaignRemoveAll => "campaign remove-all",
        ContactOp::FollowersAdd { .. } => "follower add",
        ContactOp::FollowersRemove { .. } => "follower remove",
        ContactOp::Business {
            business: Some(_), ..
        } => "business set",
        ContactOp::Business { business: None, .. } => "business clear",
        ContactOp::BulkTags { add: true, .. } => "tag add",
        ContactOp::BulkTags { add: false, .. } => "tag remove",
        ContactOp::Upsert => "upsert",
    }
}

/// Trimmed, sanitized, without empties and repeats (tags compare ignoring case, as GHL does).
/// Tags as a person typed them (`vip`, `"big fish"`, `a,b`): split on commas, sanitized,
/// trimmed, blanks dropped, each once (case-insensitive). The `:` line and `op` both read tags
/// through this.
pub fn typed_tags(words: &[String]) -> Vec<String> {
    let split: Vec<String> = words
        .iter()
        .flat_map(|w| w.split(','))
        .map(str::to_owned)
        .collect();
    cleaned(&split, true)
}

fn cleaned(v: &[String], ignore_case: bool) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in v {
        let s = clean_line(s.trim()).trim().to_owned();
        let dup = out.iter().any(|o| {
            if ignore_case {
                o.to_lowercase() == s.to_lowercase()
            } else {
                *o == s
            }
        });
        if !s.is_empty() && !dup {
            out.push(s);
        }
    }
    out
}

fn named(n: &Named) -> Option<Named> {
    let id = clean_line(n.id.trim()).trim().to_owned();
    (!id.is_empty()).then(|| Named {
        name: match clean_line(n.name.trim()).trim() {
            "" => id.clone(),
            s => s.to_owned(),
        },
        id,
    })
}

/// A workflow start time as typed (ISO 8601 with an offset, or Israel time `YYYY-MM-DD HH:MM`,
/// see [`crate::clock::parse_typed`]) as ISO 8601 UTC (`2027-07-07T06:00:00.000Z`).
/// Errors: not a time, or not after `now` ("in the past: 2026-07-07 09:00 Israel time").
pub fn start_time(typed: &str, now: Timestamp) -> Result<String, InvalidOp> {
    let field = "event start time";
    let t = crate::clock::parse_typed(typed.trim()).map_err(|e| invalid(field, e))?;
    if t <= now {
        return Err(invalid(
            field,
            format!("in the past: {}", crate::clock::human_labelled(t)),
        ));
    }
    Ok(crate::clock::iso_utc(t))
}

/// `op` cleaned and checked for proposing on `contact_id` (single-contact operations) at
/// `now`. Errors: what is missing or wrong, naming the field.
pub fn checked(
    op: ContactOp,
    contact_id: Option<&str>,
    now: Timestamp,
) -> Result<ContactOp, InvalidOp> {
    let cmd = command(&op);
    if !op.is_bulk()
        && !matches!(op, ContactOp::Upsert)
        && contact_id.is_none_or(|c| c.trim().is_empty())
    {
        return Err(invalid("contact", format!("{cmd} needs a contact")));
    }
    let contacts = |ids: &[String]| {
        let ids = cleaned(ids, false);
        if ids.is_empty() {
            Err(invalid(
                "contacts",
                format!("{cmd} needs at least one contact"),
            ))
        } else {
            Ok(ids)
        }
    };
    let one = |n: &Named, field: &'static str| {
        named(n).ok_or_else(|| invalid(field, format!("{cmd} needs a {field}")))
    };
    Ok(match op {
        ContactOp::WorkflowAdd {
            workflow,
            event_start_time,
        } => ContactOp::WorkflowAdd {
            workflow: one(&workflow, "workflow")?,
            event_start_time: match event_start_time.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(t) => Some(start_time(t, now)?),
            },
        },
        ContactOp::WorkflowRemove { workflow } => ContactOp::WorkflowRemove {
            workflow: one(&workflow, "workflow")?,
        },
        ContactOp::CampaignAdd { campaign } => ContactOp::CampaignAdd {
            campaign: one(&campaign, "campaign")?,
        },
        ContactOp::CampaignRemove { campaign } => ContactOp::CampaignRemove {
            campaign: one(&campaign, "campaign")?,
        },
        ContactOp::FollowersAdd { users } | ContactOp::FollowersRemove { users }
            if users.iter().filter_map(named).next().is_none() =>
        {
            return Err(invalid("users", format!("{cmd} needs at least one user")))
        }
        ContactOp::FollowersAdd { users } => ContactOp::FollowersAdd {
            users: users_of(&users),
        },
        ContactOp::FollowersRemove { users } => ContactOp::FollowersRemove {
            users: users_of(&users),
        },
        ContactOp::Business {
            business,
            contact_ids,
        } => ContactOp::Business {
            business: match &business {
                Some(b) => Some(one(b, "business")?),
                None => None,
            },
            contact_ids: contacts(&contact_ids)?,
        },
        ContactOp::BulkTags {
            add,
            tags,
            contact_ids,
        } => {
            let tags = cleaned(&tags, true);
            if tags.is_empty() {
                return Err(invalid("tags", format!("{cmd} needs at least one tag")));
            }
            ContactOp::BulkTags {
                add,
                tags,
                contact_ids: contacts(&contact_ids)?,
            }
        }
        op @ (ContactOp::CampaignRemoveAll | ContactOp::Upsert) => op,
    })
}

fn users_of(users: &[Named]) -> Vec<Named> {
    let mut out: Vec<Named> = Vec::new();
    for u in users.iter().filter_map(named) {
        if !out.iter().any(|o| o.id == u.id) {
            out.push(u);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2026-12-04T00:00:00Z".parse().unwrap()
    }

    #[test]
    fn empty_tags_users_contacts_and_businesses_are_refused() {
        let tags = |t: &[&str], ids: &[&str]| ContactOp::BulkTags {
            add: true,
            tags: t.iter().map(|s| s.to_string()).collect(),
            contact_ids: ids.iter().map(|s| s.to_string()).collect(),
        };
        let e = checked(tags(&["", "  ", "\u{1b}[2J"], &["a"]), None, now()).unwrap_err();
        assert_eq!(e.field, "tags");
        assert_eq!(e.to_string(), "tags: tag add needs at least one tag");
        let e = checked(tags(&["vip"], &[" "]), None, now()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "contacts: tag add needs at least one contact"
        );
        assert_eq!(
            checked(tags(&[" vip ", "VIP", "new"], &["a", "a"]), None, now()).unwrap(),
            tags(&["vip", "new"], &["a"])
        );
        let e = checked(ContactOp::FollowersAdd { users: vec![] }, Some("c"), now()).unwrap_err();
        assert_eq!(e.to_string(), "users: follower add needs at least one user");
        let e = checked(
            ContactOp::Business {
                business: Some(Named {
                    id: " ".into(),
                    name: "x".into(),
                }),
                contact_ids: vec!["a".into()],
            },
            None,
            now(),
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "business: business set needs a business");
        let e = checked(ContactOp::CampaignRemoveAll, None, now()).unwrap_err();
        assert_eq!(e.field, "contact");
    }

    #[test]
    fn a_start_time_is_israel_time_or_iso_and_never_in_the_past() {
        assert_eq!(
            start_time("2027-07-07 09:00", now()).unwrap(),
            "2027-07-07T06:00:00.000Z"
        );
        assert_eq!(
            start_time("2027-07-07T09:00:00+03:00", now()).unwrap(),
            "2027-07-07T06:00:00.000Z"
        );
        let e = start_time("2026-07-07 09:00", now()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "event start time: in the past: 2026-07-07 09:00 Israel time"
        );
        assert_eq!(
            start_time("soon", now()).unwrap_err().field,
            "event start time"
        );
    }
}
