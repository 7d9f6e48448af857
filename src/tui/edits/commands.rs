//! The `:` commands that edit the selected contact (`:owner`, `:tags`, `:dnd`, `:field`):
//! arguments checked here, the change stored off the UI thread as a [`LocalOp`].

use super::LocalOp;
use crate::sync::ops::ListKind;
use crate::tui::app::{App, Effect};
use crate::tui::text;

fn contact(app: &mut App) -> Option<Box<crate::domain::Contact>> {
    let c = app.details.as_ref().and_then(|d| d.contact.clone());
    if c.is_none() {
        app.status.error = Some("no contact selected (or not in the cache yet)".into());
    }
    c.map(Box::new)
}

/// `:owner USER` (by name, part of it, or id); `:owner none` clears the owner.
pub fn set_owner(app: &mut App, args: &[String]) -> Vec<Effect> {
    let Some(q) = args.first() else {
        return Vec::new();
    };
    let Some(contact) = contact(app) else {
        return Vec::new();
    };
    if matches!(q.trim().to_lowercase().as_str(), "none" | "-") {
        return vec![Effect::Local(LocalOp::SetOwner {
            contact,
            user: None,
        })];
    }
    match app.pick_named(ListKind::Users, q) {
        Ok(u) => vec![Effect::Local(LocalOp::SetOwner {
            contact,
            user: Some(u.id),
        })],
        Err(fx) => fx,
    }
}

/// Splits `:tags` words into tags to add (`vip`, `+vip`) and to remove (`-old`).
pub fn tag_words(args: &[String]) -> (Vec<String>, Vec<String>) {
    let (mut add, mut remove) = (Vec::new(), Vec::new());
    for a in args {
        let a = a.trim();
        if let Some(t) = a.strip_prefix('-') {
            if !t.trim().is_empty() {
                remove.push(t.trim().to_owned());
            }
        } else {
            let t = a.strip_prefix('+').unwrap_or(a).trim();
            if !t.is_empty() {
                add.push(t.to_owned());
            }
        }
    }
    (add, remove)
}

/// `:tags +vip -old new` (a bare word adds).
pub fn edit_tags(app: &mut App, args: &[String]) -> Vec<Effect> {
    let (add, remove) = tag_words(args);
    if add.is_empty() && remove.is_empty() {
        app.status.error = Some("tags: name a tag to add (+tag) or remove (-tag)".into());
        return Vec::new();
    }
    let Some(contact) = contact(app) else {
        return Vec::new();
    };
    vec![Effect::Local(LocalOp::EditTags {
        contact,
        add,
        remove,
    })]
}

/// `:dnd all|sms|email|call|whatsapp|gmb|fb on|off`.
pub fn set_dnd(app: &mut App, args: &[String]) -> Vec<Effect> {
    let [which, state] = args else {
        return Vec::new();
    };
    let on = match state.trim().to_lowercase().as_str() {
        "on" | "yes" | "active" => true,
        "off" | "no" | "inactive" => false,
        other => {
            app.status.error = Some(format!("dnd: `{}` is not on or off", text::clean(other)));
            return Vec::new();
        }
    };
    let channel = match which.trim().to_lowercase().as_str() {
        "all" | "*" => None,
        ch => match crate::domain::contact::DND_CHANNELS
            .iter()
            .find(|c| c.eq_ignore_ascii_case(ch))
        {
            Some(c) => Some((*c).to_owned()),
            None => {
                app.status.error = Some(format!(
                    "dnd: `{}` is not a channel (all, {})",
                    text::clean(ch),
                    crate::domain::contact::DND_CHANNELS.join(", ")
                ));
                return Vec::new();
            }
        },
    };
    let Some(contact) = contact(app) else {
        return Vec::new();
    };
    vec![Effect::Local(LocalOp::SetDnd {
        contact,
        channel,
        on,
    })]
}

/// `:field NAME VALUE`: a custom field by name, key or id, the value checked by its type.
pub fn set_field(app: &mut App, args: &[String]) -> Vec<Effect> {
    let [name, value] = args else {
        return Vec::new();
    };
    let Some(def) = crate::domain::CustomFieldDef::find(app.custom_fields.values(), name).cloned()
    else {
        app.status.error = Some(format!(
            "field: no custom field named `{}` (custom fields load with the first sync)",
            text::clean(name)
        ));
        return Vec::new();
    };
    if let Err(e) = def.parse_input(value) {
        app.status.error = Some(text::clean(&e));
        return Vec::new();
    }
    let Some(contact) = contact(app) else {
        return Vec::new();
    };
    vec![Effect::Local(LocalOp::SetCustomField {
        contact,
        def,
        typed: value.clone(),
    })]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_words_split_adds_and_removals() {
        let w = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let (a, r) = tag_words(&w(&["+vip", "new", "-old", "-", "+"]));
        assert_eq!(a, ["vip", "new"]);
        assert_eq!(r, ["old"]);
    }
}
