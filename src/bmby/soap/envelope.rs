//! Building SOAP 1.1 rpc/encoded request envelopes (bmby.md §3.2–3.4). All text is XML-escaped,
//! the password included; the finished envelope holds the password and must never be logged.

use quick_xml::escape::escape;

use super::types::NewTaskInput;

/// Namespace of the clients service (`/WebServices/srv/v3/`).
pub const NS_CLIENTS: &str = "http://www.bmby.com/WebServices/srv/v3/";
/// Namespace of the tasks service (`/WebServices/srv/v3/tasks.php`).
pub const NS_TASKS: &str = "http://www.bmby.com/WebServices/srv/v3/tasks.php";

/// The 17 members of `GetAllInput` that vary per call.
#[derive(Debug, Clone, Default)]
pub(crate) struct GetAllParams<'a> {
    pub login: &'a str,
    pub password: &'a str,
    pub project_id: &'a str,
    pub uniq_id: &'a str,
    pub dynamic: bool,
    pub limit: u32,
    pub from_date: Option<jiff::civil::Date>,
    pub to_date: Option<jiff::civil::Date>,
}

fn member(out: &mut String, name: &str, xsd: &str, value: &str) {
    out.push_str(&format!(
        "<{name} xsi:type=\"xsd:{xsd}\">{}</{name}>",
        escape(value)
    ));
}

fn envelope(ns: &str, operation: &str, inner: &str) -> String {
    format!(
        concat!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"",
            " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"",
            " xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\"",
            " xmlns:soapenc=\"http://schemas.xmlsoap.org/soap/encoding/\"",
            " xmlns:v3=\"{ns}\">",
            "<soapenv:Body>",
            "<v3:{op} soapenv:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\">",
            "{inner}",
            "</v3:{op}>",
            "</soapenv:Body>",
            "</soapenv:Envelope>"
        ),
        ns = escape(ns),
        op = operation,
        inner = inner
    )
}

fn parameters(p: &GetAllParams<'_>) -> String {
    let date = |d: Option<jiff::civil::Date>| d.map(|d| d.to_string()).unwrap_or_default();
    let mut s = String::from("<Parameters xsi:type=\"v3:GetAllInput\">");
    member(&mut s, "Login", "string", p.login);
    member(&mut s, "Password", "string", p.password);
    member(&mut s, "ProjectID", "int", p.project_id);
    member(&mut s, "UniqID", "int", p.uniq_id);
    member(&mut s, "TaskID", "int", "0");
    member(&mut s, "ClientID", "int", "0");
    member(&mut s, "OwnerID", "int", "0");
    member(&mut s, "ContractID", "int", "0");
    member(&mut s, "Dynamic", "int", if p.dynamic { "1" } else { "0" });
    member(&mut s, "Limit", "int", &p.limit.to_string());
    member(&mut s, "Offset", "int", "0");
    member(&mut s, "OrderDesc", "int", "0");
    member(&mut s, "FromDate", "string", &date(p.from_date));
    member(&mut s, "ToDate", "string", &date(p.to_date));
    s.push_str("<Type xsi:type=\"soapenc:Array\" soapenc:arrayType=\"xsd:string[0]\"></Type>");
    member(&mut s, "TypeString", "string", "");
    member(&mut s, "SetPrivate", "int", "0");
    s.push_str("</Parameters>");
    s
}

/// `GetAll` or `GetAllJson` (`operation`) on the clients service.
pub(crate) fn get_all(operation: &str, p: &GetAllParams<'_>) -> String {
    envelope(NS_CLIENTS, operation, &parameters(p))
}

/// `Insert` with the `Parameters` struct (credentials, project) and `jsonClient`.
pub(crate) fn insert(p: &GetAllParams<'_>, json_client: &str) -> String {
    let mut inner = parameters(p);
    member(&mut inner, "jsonClient", "string", json_client);
    envelope(NS_CLIENTS, "Insert", &inner)
}

/// `Format of StartDate`/`EndDate`: `YYYY-MM-DD HH:mm`.
pub(crate) fn task_time(t: jiff::civil::DateTime) -> String {
    t.strftime("%Y-%m-%d %H:%M").to_string()
}

/// `NewTask` on `tasks.php` with `NewTaskInput`.
pub(crate) fn new_task(login: &str, password: &str, project_id: &str, t: &NewTaskInput) -> String {
    let mut s = String::from("<Parameters xsi:type=\"v3:NewTaskInput\">");
    member(&mut s, "Login", "string", login);
    member(&mut s, "Password", "string", password);
    member(&mut s, "ProjectID", "int", project_id);
    member(&mut s, "UserID", "int", &t.user_id);
    member(&mut s, "MediaID", "int", &t.media_id);
    member(&mut s, "UniqID", "int", &t.client_id);
    member(&mut s, "Type", "string", t.task_type.as_str());
    member(&mut s, "Designation", "string", &t.designation);
    member(&mut s, "Name", "string", &t.name);
    member(&mut s, "Phone", "string", &t.phone);
    member(&mut s, "EMail", "string", &t.email);
    member(&mut s, "Location", "string", &t.location);
    member(&mut s, "StartDate", "string", &task_time(t.start));
    member(&mut s, "EndDate", "string", &task_time(t.end));
    member(&mut s, "Subject", "string", &t.subject);
    member(&mut s, "Message", "string", &t.message);
    member(&mut s, "Priority", "string", &t.priority);
    s.push_str("</Parameters>");
    envelope(NS_TASKS, "NewTask", &s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bmby::soap::xml;

    #[test]
    fn seventeen_members_escaped() {
        let p = GetAllParams {
            login: "api<user>",
            password: "p&ss\"word",
            project_id: "5120",
            uniq_id: "0",
            dynamic: true,
            limit: 1000,
            from_date: Some(jiff::civil::date(2026, 3, 27)),
            to_date: None,
        };
        let env = get_all("GetAll", &p);
        let root = xml::parse(&env).unwrap();
        let params = root.find("Parameters").unwrap();
        assert_eq!(params.children.len(), 17);
        assert_eq!(params.child("Login").unwrap().text, "api<user>");
        assert_eq!(params.child("Password").unwrap().text, "p&ss\"word");
        assert_eq!(params.child("Dynamic").unwrap().text, "1");
        assert_eq!(params.child("FromDate").unwrap().text, "2026-03-27");
        assert_eq!(root.find("GetAll").map(|e| e.name.as_str()), Some("GetAll"));
    }

    #[test]
    fn insert_json_escaped() {
        let p = GetAllParams {
            login: "l",
            password: "p",
            project_id: "1",
            uniq_id: "0",
            ..GetAllParams::default()
        };
        let json = r#"{"fname":{"value":"<b>&"}}"#;
        let env = insert(&p, json);
        assert!(!env.contains("<b>&"));
        let root = xml::parse(&env).unwrap();
        assert_eq!(root.find("jsonClient").unwrap().text, json);
    }
}
