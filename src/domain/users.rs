//! The location's users by id, for showing people's names instead of user ids: a contact's
//! owner (`assignedTo`), a task's assignee (`assignedTo`), followers, and the journal.
//!
//! Built from the cached users list (`GET /users/?locationId=`, scope `users.readonly`; see
//! [`crate::sync::ops::ListKind::Users`]). Pure: no I/O.

use std::collections::HashMap;
use std::fmt;

use super::op::Named;

/// User ids → names of one location. Empty when the list was never fetched.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserDirectory {
    by_id: HashMap<String, String>,
    /// Sorted by name (then id), as the cached list is.
    list: Vec<Named>,
}

/// How a user id reads: the user's name, or the id itself when the location does not know it
/// (a deleted user, another location's user, or a list never fetched).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserName<'a> {
    /// A user the location has: the name (`Dana Levi`).
    Known(&'a str),
    /// An id the directory does not hold: shown as `unknown user (id <id>)`.
    Unknown(&'a str),
}

impl UserName<'_> {
    /// True for [`UserName::Known`].
    pub fn is_known(&self) -> bool {
        matches!(self, UserName::Known(_))
    }
}

impl fmt::Display for UserName<'_> {
    /// `Dana Levi`, or `unknown user (id <id>)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UserName::Known(n) => f.write_str(n),
            UserName::Unknown(id) => write!(f, "unknown user (id {id})"),
        }
    }
}

impl UserDirectory {
    /// From the users list (id and display name, already sanitized).
    pub fn new(users: &[Named]) -> UserDirectory {
        let mut list = users.to_vec();
        list.sort_by(|a, b| {
            a.name
                .to_lowercase()
                .cmp(&b.name.to_lowercase())
                .then_with(|| a.id.cmp(&b.id))
        });
        UserDirectory {
            by_id: users
                .iter()
                .map(|u| (u.id.clone(), u.name.clone()))
                .collect(),
            list,
        }
    }

    /// True when no user is known (the list was never fetched, or the location has none).
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Every user, sorted by name.
    pub fn users(&self) -> &[Named] {
        &self.list
    }

    /// The name of user `id` ([`UserName::Unknown`] when the location does not know it).
    pub fn name<'a>(&'a self, id: &'a str) -> UserName<'a> {
        match self.by_id.get(id) {
            Some(n) => UserName::Known(n),
            None => UserName::Unknown(id),
        }
    }

    /// The name of user `id` as text: the name, or `unknown user (id <id>)`. A blank id is `""`.
    pub fn display(&self, id: &str) -> String {
        if id.trim().is_empty() {
            return String::new();
        }
        self.name(id).to_string()
    }

    /// Users whose id equals `query`, or whose name contains it (case-insensitive), best
    /// first: an exact id, then an exact name, then names starting with it, then names with a word
    /// starting with it, then the rest.
    pub fn find(&self, query: &str) -> Vec<&Named> {
        let q = query.trim().to_lowercase();
        if q.is_empty() {
            return Vec::new();
        }
        let mut hits: Vec<(u8, &Named)> = self
            .list
            .iter()
            .filter_map(|u| {
                let n = u.name.to_lowercase();
                let rank = if u.id == query.trim() {
                    0
                } else if n == q {
                    1
                } else if n.starts_with(&q) {
                    2
                } else if n.split_whitespace().any(|w| w.starts_with(&q)) {
                    3
                } else if n.contains(&q) {
                    4
                } else {
                    return None;
                };
                Some((rank, u))
            })
            .collect();
        hits.sort_by_key(|(r, _)| *r);
        hits.into_iter().map(|(_, u)| u).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir() -> UserDirectory {
        UserDirectory::new(&[
            Named {
                id: "u1".into(),
                name: "Dana Levi".into(),
            },
            Named {
                id: "u2".into(),
                name: "Avi Danon".into(),
            },
        ])
    }

    #[test]
    fn names_known_ids_and_marks_unknown_ones() {
        let d = dir();
        assert_eq!(d.name("u1"), UserName::Known("Dana Levi"));
        assert_eq!(d.display("zz9"), "unknown user (id zz9)");
        assert_eq!(d.display(" "), "");
        assert!(!d.name("zz9").is_known());
    }

    #[test]
    fn find_ranks_word_starts_before_substrings() {
        let d = dir();
        let names: Vec<&str> = d.find("dan").iter().map(|u| u.name.as_str()).collect();
        assert_eq!(names, ["Dana Levi", "Avi Danon"]);
        assert_eq!(d.find("u2")[0].name, "Avi Danon");
        assert!(d.find("nobody").is_empty());
    }
}
