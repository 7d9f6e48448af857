//! The SOAP endpoints: `POST /WebServices/srv/v3/` (clients: `GetAll`, `GetAllJson`, `Insert`)
//! and `POST /WebServices/srv/v3/tasks.php` (`GetAll`, `GetAllJson`, `NewTask`).
//!
//! Requests: SOAP 1.1 envelopes with any namespace prefix/spelling and any `SOAPAction`;
//! `xsi:type` is ignored; the operation is the local name of the Body's first element, its
//! `Parameters` members (and other parts such as `jsonClient`) are read by name.
//!
//! Answers (HTTP 200, `text/xml; charset=utf-8`, PHP SoapServer style, prefixes `SOAP-ENV`/`ns1`):
//! * `GetAll` → `<ns1:GetAllResponse><GetAllReturn><FoundRows/><LastUniqID/><Data/><Error/>`,
//!   `Data` = the XML document `<clients><row>…</row></clients>` (tasks: `<tasks>`) as an
//!   escaped string, every value in CDATA, `<Dynamic><item><title/><value/></item>…</Dynamic>`
//!   when `Dynamic=1`. Rows are ordered by id; a page holds ids > `UniqID`, at most
//!   `min(Limit, page size)` rows; **OUR CHOICE**: `FoundRows` = rows in this page,
//!   `LastUniqID` = last id of the page (the `UniqID` sent when the page is empty).
//!   `FromDate`/`ToDate` (`YYYY-MM-DD`, or with a time) compare with `update_date`, both inclusive.
//! * `GetAllJson` → `<GetAllJsonReturn>` = escaped JSON string
//!   `{"FoundRows":n,"LastUniqID":n,"Data":"<clients>…","Error":""}`.
//! * `Insert` → `<InsertReturn>` = JSON string `{"ClientID":n}` or `{"Error":"…"}`.
//! * `NewTask` → `<NewTaskReturn>` = JSON string `{"TaskID":n}` or `{"Error":"…"}`.
//!
//! `Error` texts (**OUR CHOICE** unless noted): see the `ERR_*` constants.
//! A body that is not a SOAP envelope → HTTP 500 Fault `SOAP-ENV:Client` `Bad Request`; an
//! unknown operation → HTTP 500 Fault `SOAP-ENV:Client` `Procedure 'X' not present` (PHP's words).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::SystemTime;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use jiff::civil::DateTime;
use quick_xml::escape::escape;
use serde_json::{json, Value};

use super::faults::{self, Injected};
use super::state::{BmbyRequest, ClientRecord, Shared, TaskRecord};
// The client's element tree: it only reads XML; what the stand-in answers and checks is its own.
use crate::bmby::soap::xml;

/// Bad `Login`, `Password` or `ProjectID` (also an unknown ProjectID).
pub const ERR_LOGIN: &str = "Login failed";
/// `Insert` with a `client_id` that belongs to another project (text seen in the wild).
pub const ERR_OTHER_PROJECT: &str = "ClientID in another Project";
/// `Insert` with a `client_id` that does not exist in any project.
pub const ERR_NO_CLIENT_ID: &str = "ClientID not found";
/// `Insert` whose `jsonClient` is missing or not a JSON object.
pub const ERR_BAD_JSON: &str = "Invalid jsonClient";
/// `Insert` creating a client with no name, email or phone.
pub const ERR_EMPTY_CLIENT: &str = "Missing client details";
/// `NewTask` whose `UniqID` is not a client of the project.
pub const ERR_TASK_CLIENT: &str = "Client not found";
/// `NewTask` whose `StartDate`/`EndDate` is not `YYYY-MM-DD HH:mm` (the text names the member).
pub const ERR_TASK_DATE: &str = "Invalid date format";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Service {
    Clients,
    Tasks,
}

/// `POST /WebServices/srv/v3/` (also `/WebServices/srv/v3` and `…/clients.php`).
pub(crate) async fn clients(
    State(sh): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    handle(sh, Service::Clients, "/WebServices/srv/v3/", headers, body)
}

/// `POST /WebServices/srv/v3/tasks.php`.
pub(crate) async fn tasks(
    State(sh): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    handle(
        sh,
        Service::Tasks,
        "/WebServices/srv/v3/tasks.php",
        headers,
        body,
    )
}

fn xml_response(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        body,
    )
        .into_response()
}

fn envelope(inner: &str) -> String {
    format!(
        concat!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
            "<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\"",
            " xmlns:ns1=\"http://www.bmby.com/WebServices/srv/v3/\"",
            " xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\"",
            " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"",
            " xmlns:SOAP-ENC=\"http://schemas.xmlsoap.org/soap/encoding/\"",
            " SOAP-ENV:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\">",
            "<SOAP-ENV:Body>{}</SOAP-ENV:Body></SOAP-ENV:Envelope>"
        ),
        inner
    )
}

/// HTTP 500 with a SOAP 1.1 Fault.
pub(crate) fn fault(code: &str, message: &str) -> Response {
    xml_response(
        StatusCode::INTERNAL_SERVER_ERROR,
        envelope(&format!(
            "<SOAP-ENV:Fault><faultcode>{}</faultcode><faultstring>{}</faultstring></SOAP-ENV:Fault>",
            escape(code),
            escape(message)
        )),
    )
}

/// `<ns1:{op}Response><{op}Return xsi:type="xsd:string">text</…>` (string returns).
fn string_return(op: &str, text: &str) -> Response {
    xml_response(
        StatusCode::OK,
        envelope(&format!(
            "<ns1:{op}Response><{op}Return xsi:type=\"xsd:string\">{}</{op}Return></ns1:{op}Response>",
            escape(text)
        )),
    )
}

fn handle(
    sh: Arc<Shared>,
    service: Service,
    path: &str,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let soap_action = headers
        .get("soapaction")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let text = String::from_utf8_lossy(&body);
    let parsed = xml::parse(&text).ok().and_then(|root| {
        let body_el = root.find("Body")?;
        let op_el = body_el.children.first()?.clone();
        Some(op_el)
    });
    let (operation, params) = match &parsed {
        Some(op_el) => (op_el.name.clone(), params_of(op_el)),
        None => (String::new(), BTreeMap::new()),
    };
    let mut logged = params.clone();
    if let Some(p) = logged.get_mut("Password") {
        *p = "***".into();
    }
    let mut rec = BmbyRequest {
        path: path.to_owned(),
        operation: operation.clone(),
        params: logged,
        soap_action,
        status: 0,
        at: SystemTime::now(),
    };
    let resp = match sh.faults.next() {
        Injected::Drop => {
            sh.log(rec);
            return faults::dropped();
        }
        Injected::BadGateway => faults::bad_gateway(),
        Injected::None => {
            if parsed.is_none() {
                fault("SOAP-ENV:Client", "Bad Request")
            } else if sh.faults.take_fault() {
                fault("SOAP-ENV:Server", "Internal Server Error")
            } else {
                dispatch(&sh, service, &operation, &params)
            }
        }
    };
    rec.status = resp.status().as_u16();
    sh.log(rec);
    resp
}

/// Members of `Parameters` (or of any struct part) plus simple parts (`jsonClient`), by name.
fn params_of(op_el: &xml::Element) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for part in &op_el.children {
        if part.children.is_empty() {
            out.insert(part.name.clone(), part.text.trim().to_owned());
        } else if part.name == "Type" {
            // soapenc array of strings
            let items: Vec<String> = part.children.iter().map(|c| c.deep_text()).collect();
            out.insert("Type".into(), items.join(","));
        } else {
            for m in &part.children {
                let v = if m.children.is_empty() {
                    m.text.trim().to_owned()
                } else {
                    m.children
                        .iter()
                        .map(|c| c.deep_text())
                        .collect::<Vec<_>>()
                        .join(",")
                };
                out.insert(m.name.clone(), v);
            }
        }
    }
    out
}

fn authorized(sh: &Shared, p: &BTreeMap<String, String>) -> bool {
    let get = |k: &str| p.get(k).map(String::as_str).unwrap_or("");
    get("Login") == sh.cfg.login
        && get("Password") == sh.cfg.password
        && get("ProjectID") == sh.cfg.project_id
}

fn dispatch(sh: &Shared, service: Service, op: &str, p: &BTreeMap<String, String>) -> Response {
    match (service, op) {
        (Service::Clients, "GetAll") | (Service::Tasks, "GetAll") => read(sh, service, false, p),
        (Service::Clients, "GetAllJson") | (Service::Tasks, "GetAllJson") => {
            read(sh, service, true, p)
        }
        (Service::Clients, "Insert") => insert(sh, p),
        (Service::Tasks, "NewTask") => new_task(sh, p),
        _ => fault("SOAP-ENV:Client", &format!("Procedure '{op}' not present")),
    }
}

/// CDATA section for `s` (a `]]>` inside is split across two sections).
pub(crate) fn cdata(s: &str) -> String {
    format!("<![CDATA[{}]]>", s.replace("]]>", "]]]]><![CDATA[>"))
}

fn stamp(d: DateTime) -> String {
    d.strftime("%Y-%m-%d %H:%M:%S").to_string()
}

/// `YYYY-MM-DD` (start of day for FromDate, end of day for ToDate) or `YYYY-MM-DD HH:MM[:SS]`.
fn bound(s: &str, end_of_day: bool) -> Option<DateTime> {
    let s = s.trim();
    if s.is_empty() || s == "0" {
        return None;
    }
    if let Ok(d) = s.parse::<jiff::civil::Date>() {
        return Some(if end_of_day {
            d.at(23, 59, 59, 0)
        } else {
            d.at(0, 0, 0, 0)
        });
    }
    s.replace(' ', "T").parse::<DateTime>().ok()
}

pub(crate) fn client_row(c: &ClientRecord, dynamic: bool) -> String {
    let mut s = String::from("<row>");
    let mut field = |name: &str, v: &str| {
        s.push_str(&format!("<{name}>{}</{name}>", cdata(v)));
    };
    field("client_id", &c.client_id.to_string());
    field("client_date", &stamp(c.client_date));
    field("update_date", &stamp(c.update_date));
    for (k, v) in &c.fields {
        field(k, v);
    }
    if dynamic && !c.dynamic.is_empty() {
        s.push_str("<Dynamic>");
        for (t, v) in &c.dynamic {
            s.push_str(&format!(
                "<item><title>{}</title><value>{}</value></item>",
                cdata(t),
                cdata(v)
            ));
        }
        s.push_str("</Dynamic>");
    }
    s.push_str("</row>");
    s
}

fn task_row(t: &TaskRecord, client_name: &str) -> String {
    let mut s = String::from("<row>");
    let mut field = |name: &str, v: &str| {
        s.push_str(&format!("<{name}>{}</{name}>", cdata(v)));
    };
    field("task_id", &t.task_id.to_string());
    field("client_id", &t.client_id.to_string());
    field("client_name", client_name);
    field("create_date", &stamp(t.create_date));
    for (k, v) in &t.fields {
        field(k, v);
    }
    s.push_str("</row>");
    s
}

fn client_name(c: &ClientRecord) -> String {
    let f = c.fields.get("fname").map(String::as_str).unwrap_or("");
    let l = c.fields.get("lname").map(String::as_str).unwrap_or("");
    format!("{f} {l}").trim().to_owned()
}

/// `GetAll` / `GetAllJson` on clients or tasks.
fn read(sh: &Shared, service: Service, json: bool, p: &BTreeMap<String, String>) -> Response {
    let op = if json { "GetAllJson" } else { "GetAll" };
    let get = |k: &str| p.get(k).map(String::as_str).unwrap_or("");
    let uniq_sent = get("UniqID").trim().to_owned();
    let after: u64 = uniq_sent.parse().unwrap_or(0);
    let (found, last, data, error) = if !authorized(sh, p) {
        (0usize, "0".to_owned(), String::new(), ERR_LOGIN.to_owned())
    } else {
        let page_size = if json {
            sh.cfg.page_size_getalljson
        } else {
            sh.cfg.page_size_getall
        }
        .max(1);
        let limit = get("Limit").trim().parse::<usize>().unwrap_or(0);
        let take = if limit > 0 {
            limit.min(page_size)
        } else {
            page_size
        };
        let dynamic = get("Dynamic").trim() == "1";
        let from = bound(get("FromDate"), false);
        let to = bound(get("ToDate"), true);
        let in_range = |d: DateTime| from.is_none_or(|f| d >= f) && to.is_none_or(|t| d <= t);
        let data = sh.data();
        let project = &sh.cfg.project_id;
        let (ids, doc) = match service {
            Service::Clients => {
                let rows: Vec<&ClientRecord> = data
                    .clients
                    .range(after + 1..)
                    .map(|(_, c)| c)
                    .filter(|c| &c.project_id == project && in_range(c.update_date))
                    .take(take)
                    .collect();
                let ids: Vec<u64> = rows.iter().map(|c| c.client_id).collect();
                let mut doc = String::from("<clients>");
                for c in rows {
                    doc.push_str(&client_row(c, dynamic));
                }
                doc.push_str("</clients>");
                (ids, doc)
            }
            Service::Tasks => {
                let mut rows: Vec<&TaskRecord> = data
                    .tasks
                    .iter()
                    .filter(|t| {
                        &t.project_id == project && t.task_id > after && in_range(t.create_date)
                    })
                    .collect();
                rows.sort_by_key(|t| t.task_id);
                rows.truncate(take);
                let ids: Vec<u64> = rows.iter().map(|t| t.task_id).collect();
                let mut doc = String::from("<tasks>");
                for t in rows {
                    let name = data
                        .clients
                        .get(&t.client_id)
                        .map(client_name)
                        .unwrap_or_default();
                    doc.push_str(&task_row(t, &name));
                }
                doc.push_str("</tasks>");
                (ids, doc)
            }
        };
        let last = match ids.last() {
            Some(id) if !sh.faults.stuck() => id.to_string(),
            _ => {
                if uniq_sent.is_empty() {
                    "0".to_owned()
                } else {
                    uniq_sent.clone()
                }
            }
        };
        let doc = if ids.is_empty() { String::new() } else { doc };
        (ids.len(), last, doc, String::new())
    };
    if json {
        let last_v: Value = last
            .parse::<u64>()
            .map(Value::from)
            .unwrap_or(Value::String(last.clone()));
        let j = json!({"FoundRows": found, "LastUniqID": last_v, "Data": data, "Error": error});
        return string_return(op, &j.to_string());
    }
    xml_response(
        StatusCode::OK,
        envelope(&format!(
            concat!(
                "<ns1:GetAllResponse><GetAllReturn xsi:type=\"ns1:GetAllOutput\">",
                "<FoundRows xsi:type=\"xsd:int\">{}</FoundRows>",
                "<LastUniqID xsi:type=\"xsd:int\">{}</LastUniqID>",
                "<Data xsi:type=\"xsd:string\">{}</Data>",
                "<Error xsi:type=\"xsd:string\">{}</Error>",
                "</GetAllReturn></ns1:GetAllResponse>"
            ),
            found,
            escape(&last),
            escape(&data),
            escape(&error)
        )),
    )
}

/// `{"field":{"value":x}}` or `{"field":x}` → text.
fn json_text(v: &Value) -> String {
    let v = match v {
        Value::Object(m) if m.contains_key("value") => &m["value"],
        other => other,
    };
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => if *b { "1" } else { "0" }.to_owned(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

const CONTROL_KEYS: &[&str] = &["project_id", "lead", "update", "client_id", "dynvars"];

fn insert(sh: &Shared, p: &BTreeMap<String, String>) -> Response {
    let reply = |v: Value| string_return("Insert", &v.to_string());
    if !authorized(sh, p) {
        return reply(json!({"Error": ERR_LOGIN}));
    }
    let obj = match p
        .get("jsonClient")
        .and_then(|s| serde_json::from_str::<Value>(s).ok())
    {
        Some(Value::Object(m)) => m,
        _ => return reply(json!({"Error": ERR_BAD_JSON})),
    };
    let mut fields: Vec<(String, String)> = Vec::new();
    for (k, v) in &obj {
        if !CONTROL_KEYS.contains(&k.as_str()) {
            fields.push((k.clone(), json_text(v)));
        }
    }
    let mut dynamic: Vec<(String, String)> = Vec::new();
    if let Some(Value::Array(vars)) = obj.get("dynvars").map(|v| match v {
        Value::Object(m) if m.contains_key("value") => &m["value"],
        other => other,
    }) {
        for d in vars {
            let title = d.get("title").map(json_text).unwrap_or_default();
            if !title.is_empty() {
                dynamic.push((title, d.get("value").map(json_text).unwrap_or_default()));
            }
        }
    }
    let client_id = obj
        .get("client_id")
        .map(json_text)
        .filter(|s| !s.trim().is_empty() && s.trim() != "0");
    let mut data = sh.data();
    let now = data.stamp();
    match client_id {
        Some(id) => {
            let Ok(id) = id.trim().parse::<u64>() else {
                return reply(json!({"Error": ERR_NO_CLIENT_ID}));
            };
            let Some(c) = data.clients.get_mut(&id) else {
                return reply(json!({"Error": ERR_NO_CLIENT_ID}));
            };
            if c.project_id != sh.cfg.project_id {
                return reply(json!({"Error": ERR_OTHER_PROJECT}));
            }
            for (k, v) in fields {
                if v.is_empty() {
                    c.fields.remove(&k);
                } else {
                    c.fields.insert(k, v);
                }
            }
            for (t, v) in dynamic {
                match c.dynamic.iter_mut().find(|(title, _)| *title == t) {
                    Some(slot) => slot.1 = v,
                    None => c.dynamic.push((t, v)),
                }
            }
            c.update_date = now;
            reply(json!({"ClientID": id}))
        }
        None => {
            let has = |k: &str| fields.iter().any(|(f, v)| f == k && !v.trim().is_empty());
            if !["fname", "lname", "email", "phone_mobile", "phone_home"]
                .iter()
                .any(|k| has(k))
            {
                return reply(json!({"Error": ERR_EMPTY_CLIENT}));
            }
            let id = data.next_client_id();
            data.clients.insert(
                id,
                ClientRecord {
                    client_id: id,
                    project_id: sh.cfg.project_id.clone(),
                    fields: fields.into_iter().filter(|(_, v)| !v.is_empty()).collect(),
                    dynamic,
                    client_date: now,
                    update_date: now,
                },
            );
            reply(json!({"ClientID": id}))
        }
    }
}

fn new_task(sh: &Shared, p: &BTreeMap<String, String>) -> Response {
    let reply = |v: Value| string_return("NewTask", &v.to_string());
    if !authorized(sh, p) {
        return reply(json!({"Error": ERR_LOGIN}));
    }
    let get = |k: &str| p.get(k).cloned().unwrap_or_default();
    let client_id = get("UniqID").trim().parse::<u64>().ok();
    let mut data = sh.data();
    let exists = client_id
        .and_then(|id| data.clients.get(&id))
        .is_some_and(|c| c.project_id == sh.cfg.project_id);
    let (Some(client_id), true) = (client_id, exists) else {
        return reply(json!({"Error": ERR_TASK_CLIENT}));
    };
    for member in ["StartDate", "EndDate"] {
        let v = get(member);
        if !v.trim().is_empty() && DateTime::strptime("%Y-%m-%d %H:%M", v.trim()).is_err() {
            return reply(json!({"Error": format!("{ERR_TASK_DATE}: {member}")}));
        }
    }
    let mut fields = BTreeMap::new();
    for (member, name) in [
        ("Type", "type"),
        ("Subject", "subject"),
        ("Message", "message"),
        ("StartDate", "start_date"),
        ("EndDate", "due_date"),
        ("Priority", "priority"),
        ("UserID", "user_id"),
        ("MediaID", "media_id"),
        ("Designation", "designation"),
        ("Name", "name"),
        ("Phone", "phone"),
        ("EMail", "email"),
        ("Location", "location"),
    ] {
        let v = get(member);
        if !v.is_empty() {
            fields.insert(name.to_owned(), v);
        }
    }
    fields.insert("status".into(), "New".into());
    let now = data.stamp();
    let task_id = data.take_task_id();
    data.tasks.push(TaskRecord {
        task_id,
        client_id,
        project_id: sh.cfg.project_id.clone(),
        fields,
        create_date: now,
    });
    reply(json!({"TaskID": task_id}))
}
