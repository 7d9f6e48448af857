//! `POST /shared/AddClient/index.php` — lead injection (bmby.md §2, §8.2).
//!
//! Accepts `application/x-www-form-urlencoded` UTF-8 (multipart is not implemented). Answers
//! HTTP 200 `text/html` with body `0` when `ProjectID`/`Password` do not match the configured
//! project and lead password, or when there is neither `Phone`/`Mobile` nor `Email`
//! (**GUESS**, callers treat `0` as failure). On success the body is the new client id
//! (**OUR CHOICE**; the real body is unknown) and two rows appear: a client (`Fname`→`fname`,
//! `Lname`→`lname`, `Phone`/`Mobile`→`phone_mobile`, `Email`→`email`, `MediaTitle`→`media_title`,
//! `Comments`/`note`→`remark`, `Address`→`address`, `Company`→`company_name`; every other field
//! stored verbatim under its own name) and a task of type `Lid` carrying `media_title`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::SystemTime;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use super::faults::{self, Injected};
use super::state::{BmbyRequest, ClientRecord, Shared, TaskRecord};

fn text(body: String) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/html; charset=UTF-8")],
        body,
    )
        .into_response()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Decodes one `application/x-www-form-urlencoded` component (`+` = space, `%XX`).
fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Form fields in order (a repeated name keeps the last value).
pub(crate) fn parse_form(body: &str) -> Vec<(String, String)> {
    body.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(p), String::new()),
        })
        .collect()
}

const MAPPED: &[(&str, &str)] = &[
    ("Fname", "fname"),
    ("Lname", "lname"),
    ("Phone", "phone_mobile"),
    ("Mobile", "phone_mobile"),
    ("Email", "email"),
    ("MediaTitle", "media_title"),
    ("Comments", "remark"),
    ("note", "remark"),
    ("Address", "address"),
    ("Company", "company_name"),
];

pub(crate) async fn add_client(State(sh): State<Arc<Shared>>, body: Bytes) -> Response {
    let form = parse_form(&String::from_utf8_lossy(&body));
    let mut fields: BTreeMap<String, String> = form.iter().cloned().collect();
    let mut logged = fields.clone();
    if let Some(p) = logged.get_mut("Password") {
        *p = "***".into();
    }
    let mut rec = BmbyRequest {
        path: "/shared/AddClient/index.php".into(),
        operation: "AddClient".into(),
        params: logged,
        soap_action: None,
        status: 0,
        at: SystemTime::now(),
    };
    let resp = match sh.faults.next() {
        Injected::Drop => {
            sh.log(rec);
            return faults::dropped();
        }
        Injected::BadGateway => faults::bad_gateway(),
        Injected::None => text(accept(&sh, &mut fields)),
    };
    rec.status = resp.status().as_u16();
    sh.log(rec);
    resp
}

fn accept(sh: &Shared, form: &mut BTreeMap<String, String>) -> String {
    let get = |k: &str| form.get(k).map(|s| s.trim().to_owned()).unwrap_or_default();
    if get("ProjectID") != sh.cfg.project_id || get("Password") != sh.cfg.lead_password {
        return "0".into();
    }
    if get("Phone").is_empty() && get("Mobile").is_empty() && get("Email").is_empty() {
        return "0".into();
    }
    form.remove("ProjectID");
    form.remove("Password");
    let mut fields = BTreeMap::new();
    let mut remark: Vec<String> = Vec::new();
    for (k, v) in form.iter() {
        if v.is_empty() {
            continue;
        }
        match MAPPED.iter().find(|(f, _)| f == k) {
            Some((_, "remark")) => remark.push(v.clone()),
            Some((_, name)) => {
                fields
                    .entry((*name).to_owned())
                    .or_insert_with(|| v.clone());
            }
            None => {
                fields.insert(k.clone(), v.clone());
            }
        }
    }
    if !remark.is_empty() {
        fields.insert("remark".into(), remark.join("\n"));
    }
    let media = fields.get("media_title").cloned().unwrap_or_default();
    let mut data = sh.data();
    let now = data.stamp();
    let id = data.next_client_id();
    data.clients.insert(
        id,
        ClientRecord {
            client_id: id,
            project_id: sh.cfg.project_id.clone(),
            fields,
            dynamic: Vec::new(),
            client_date: now,
            update_date: now,
        },
    );
    let task_id = data.take_task_id();
    let mut tf = BTreeMap::new();
    tf.insert("type".to_owned(), "Lid".to_owned());
    tf.insert("status".to_owned(), "New".to_owned());
    if !media.is_empty() {
        tf.insert("media_title".to_owned(), media);
    }
    data.tasks.push(TaskRecord {
        task_id,
        client_id: id,
        project_id: sh.cfg.project_id.clone(),
        fields: tf,
        create_date: now,
    });
    id.to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn form_decoding() {
        let f =
            super::parse_form("Fname=%D7%93%D7%A0%D7%94+%D7%9C%D7%95%D7%99&Email=a%40b.co&x=%ZZ&y");
        assert_eq!(f[0], ("Fname".into(), "דנה לוי".into()));
        assert_eq!(f[1].1, "a@b.co");
        assert_eq!(f[2].1, "%ZZ");
        assert_eq!(f[3], ("y".into(), String::new()));
    }
}
