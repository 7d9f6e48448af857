//! Which OAuth scope each endpoint the client calls needs (ghl-api.md §2.3), so a 401
//! "not authorized for this scope" can name it.

/// The scope `endpoint` (`METHOD /path`, as in [`super::GhlError`]) needs, if known.
///
/// `GET`/`POST /contacts/search`, `/contacts/search/duplicate` and the contact's tasks, notes
/// and appointments → `contacts.readonly`; other `POST`/`PUT`/`DELETE` under `/contacts` →
/// `contacts.write`; `/locations/{id}/customFields` → `locations/customFields.readonly`;
/// `GET /locations/{id}` → `locations.readonly`; `GET /workflows/` → `workflows.readonly`,
/// `GET /campaigns/` → `campaigns.readonly`, `GET /businesses/` → `businesses.readonly`,
/// `GET /users/` → `users.readonly`, `GET /locations/{id}/tags` → `locations/tags.readonly`
/// (the spec files' `security`).
pub fn required_scope(endpoint: &str) -> Option<&'static str> {
    let (method, path) = endpoint.split_once(' ')?;
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    match segs.as_slice() {
        ["workflows", ..] if method == "GET" => Some("workflows.readonly"),
        ["campaigns", ..] if method == "GET" => Some("campaigns.readonly"),
        ["businesses", ..] if method == "GET" => Some("businesses.readonly"),
        ["users", ..] if method == "GET" => Some("users.readonly"),
        ["contacts", "search", ..] => Some("contacts.readonly"),
        ["contacts", ..] if method == "GET" => Some("contacts.readonly"),
        ["contacts", ..] => Some("contacts.write"),
        ["locations", _, "customFields", ..] => Some("locations/customFields.readonly"),
        ["locations", _, "tags", ..] => Some("locations/tags.readonly"),
        ["locations", _] => Some("locations.readonly"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::required_scope;

    #[test]
    fn scopes_by_endpoint() {
        assert_eq!(
            required_scope("POST /contacts/search"),
            Some("contacts.readonly")
        );
        assert_eq!(
            required_scope("GET /contacts/abc/notes"),
            Some("contacts.readonly")
        );
        assert_eq!(required_scope("PUT /contacts/abc"), Some("contacts.write"));
        assert_eq!(required_scope("POST /contacts/"), Some("contacts.write"));
        assert_eq!(
            required_scope("GET /locations/L1/customFields"),
            Some("locations/customFields.readonly")
        );
        assert_eq!(
            required_scope("GET /locations/L1"),
            Some("locations.readonly")
        );
        assert_eq!(required_scope("GET /users/"), Some("users.readonly"));
        assert_eq!(
            required_scope("GET /workflows/"),
            Some("workflows.readonly")
        );
        assert_eq!(
            required_scope("GET /campaigns/"),
            Some("campaigns.readonly")
        );
        assert_eq!(
            required_scope("GET /businesses/"),
            Some("businesses.readonly")
        );
        assert_eq!(
            required_scope("GET /contacts/business/b1"),
            Some("contacts.readonly")
        );
        assert_eq!(
            required_scope("POST /contacts/bulk/tags/update/add"),
            Some("contacts.write")
        );
        assert_eq!(
            required_scope("POST /contacts/c1/workflow/w1"),
            Some("contacts.write")
        );
        assert_eq!(required_scope("DELETE /users/u1"), None);
    }
}
