//! Reading Bmby's SOAP answers: envelope → `…Return` → (JSON string for `GetAllJson`) → `Data`
//! (an XML document held in a string) → `<row>` elements → [`BmbyClient`] (bmby.md §3.2, §3.5).
//!
//! Row values are kept as Bmby gave them (HTML numeric entities such as `&#1493;` inside CDATA
//! stay undecoded — normalization decodes them), only cleaned with [`clean_line`] /
//! [`clean_text`] (`remark`), which removes control and bidi characters. Empty values are `None`.

use serde_json::Value;

use super::error::{BmbySoapError, Operation};
use super::xml::{self, Element};
use crate::bmby::{BmbyClient, Origin};
use crate::sanitize::{clean_line, clean_text};

/// Server text for an error message: one clean line, at most 300 characters, with the password
/// (if it is ever echoed) replaced by `[redacted]`.
pub(crate) fn scrub(s: &str, password: &str) -> String {
    let mut out = clean_line(s).trim().to_owned();
    if !password.is_empty() {
        out = out.replace(password, "[redacted]");
    }
    if out.chars().count() > 300 {
        out = out.chars().take(300).collect::<String>() + "…";
    }
    out
}

/// One page of a `GetAll` / `GetAllJson` read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Page {
    pub rows: Vec<BmbyClient>,
    pub last_uniq_id: Option<String>,
    pub found_rows: Option<u64>,
}

fn parse_err(operation: Operation, message: impl Into<String>) -> BmbySoapError {
    BmbySoapError::Parse {
        operation,
        message: message.into(),
    }
}

/// A SOAP `Fault` in `body`, if `body` is a SOAP envelope holding one: `(faultcode, faultstring)`.
pub(crate) fn fault_in(body: &str) -> Option<(String, String)> {
    let root = xml::parse(body).ok()?;
    let fault = root.find("Body")?.find("Fault")?;
    let code = fault
        .find("faultcode")
        .map(|e| e.deep_text())
        .unwrap_or_default();
    let msg = fault
        .find("faultstring")
        .map(|e| e.deep_text())
        .unwrap_or_default();
    Some((code, msg))
}

/// Parses the envelope and returns the operation's return element (`<{op}Return>`, or the
/// first child of the response element when it is named otherwise). A `Fault` becomes
/// [`BmbySoapError::Fault`].
pub(crate) fn return_element(
    operation: Operation,
    body: &str,
    password: &str,
) -> Result<Element, BmbySoapError> {
    let root = xml::parse(body).map_err(|e| parse_err(operation, format!("SOAP envelope: {e}")))?;
    let soap_body = root
        .find("Body")
        .ok_or_else(|| parse_err(operation, "no SOAP Body element"))?;
    if let Some(fault) = soap_body.find("Fault") {
        let code = fault
            .find("faultcode")
            .map(|e| e.deep_text())
            .unwrap_or_default();
        let msg = fault
            .find("faultstring")
            .map(|e| e.deep_text())
            .unwrap_or_default();
        return Err(BmbySoapError::Fault {
            operation,
            code: scrub(&code, password),
            message: scrub(&msg, password),
        });
    }
    let wanted = format!("{}Return", operation.as_str());
    if let Some(ret) = soap_body.find(&wanted) {
        return Ok(ret.clone());
    }
    let response = soap_body
        .children
        .first()
        .ok_or_else(|| parse_err(operation, "empty SOAP Body"))?;
    response
        .children
        .first()
        .cloned()
        .ok_or_else(|| parse_err(operation, format!("no <{wanted}> in <{}>", response.name)))
}

fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// `GetAll` answer: `<GetAllReturn>` with `FoundRows`, `LastUniqID`, `Data`, `Error`.
pub(crate) fn get_all_page(body: &str, password: &str) -> Result<Page, BmbySoapError> {
    let op = Operation::GetAll;
    let ret = return_element(op, body, password)?;
    let member = |n: &str| ret.child(n).map(|e| e.deep_text()).unwrap_or_default();
    if let Some(err) = non_empty(&member("Error")) {
        return Err(BmbySoapError::Bmby {
            operation: op,
            message: scrub(&err, password),
        });
    }
    if ret.child("Data").is_none() && ret.child("LastUniqID").is_none() {
        return Err(parse_err(
            op,
            format!("<{}> has neither Data nor LastUniqID", ret.name),
        ));
    }
    let rows = data_rows(op, &member("Data"))?;
    Ok(Page {
        rows,
        last_uniq_id: non_empty(&member("LastUniqID")),
        found_rows: member("FoundRows").trim().parse().ok(),
    })
}

fn json_scalar(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => non_empty(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `GetAllJson` answer: `<GetAllJsonReturn>` whose text is the JSON string
/// `{"FoundRows":…,"LastUniqID":…,"Data":"<clients>…","Error":"…"}`.
pub(crate) fn get_all_json_page(body: &str, password: &str) -> Result<Page, BmbySoapError> {
    let op = Operation::GetAllJson;
    let ret = return_element(op, body, password)?;
    let text = ret.deep_text();
    let json = json_of(&text).ok_or_else(|| {
        parse_err(
            op,
            format!(
                "<{}> is not a JSON object: {}",
                ret.name,
                scrub(&text.chars().take(80).collect::<String>(), password)
            ),
        )
    })?;
    if let Some(err) = json_scalar(json.get("Error")) {
        return Err(BmbySoapError::Bmby {
            operation: op,
            message: scrub(&err, password),
        });
    }
    let data = match json.get("Data") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => return Err(parse_err(op, format!("Data is not a string but {other}"))),
    };
    Ok(Page {
        rows: data_rows(op, &data)?,
        last_uniq_id: json_scalar(json.get("LastUniqID")),
        found_rows: json_scalar(json.get("FoundRows")).and_then(|s| s.parse().ok()),
    })
}

/// A JSON object from a return string; tolerates one extra level of HTML-entity escaping.
fn json_of(text: &str) -> Option<serde_json::Map<String, Value>> {
    let t = text.trim();
    if let Ok(Value::Object(m)) = serde_json::from_str(t) {
        return Some(m);
    }
    let unescaped = quick_xml::escape::unescape(t).ok()?;
    match serde_json::from_str(&unescaped) {
        Ok(Value::Object(m)) => Some(m),
        _ => None,
    }
}

/// Rows of a `Data` document (`<clients><row>…</row></clients>`). Empty `Data` = no rows.
pub(crate) fn data_rows(op: Operation, data: &str) -> Result<Vec<BmbyClient>, BmbySoapError> {
    if data.trim().is_empty() {
        return Ok(Vec::new());
    }
    let root = xml::parse(data).map_err(|e| parse_err(op, format!("Data document: {e}")))?;
    let doc = root
        .children
        .first()
        .ok_or_else(|| parse_err(op, "Data document is empty"))?;
    let source = format!("Bmby SOAP {op}");
    let mut out = Vec::new();
    for (i, row) in doc.children.iter().enumerate() {
        let c = row_to_client(row, &source);
        if c.client_id.is_empty() {
            return Err(parse_err(
                op,
                format!("row {} of <{}> has no client_id", i + 1, doc.name),
            ));
        }
        out.push(c);
    }
    Ok(out)
}

/// Title → value pairs of a `<Dynamic>` block, in document order, whatever the nesting
/// (`<Dynamic><title/><value/>…`, `<Dynamic><item><title/><value/></item>…`, or one block per pair).
fn dynamic_pairs(el: &Element, pending: &mut Option<String>, out: &mut Vec<(String, String)>) {
    for c in &el.children {
        match c.name.as_str() {
            "title" => *pending = Some(clean_line(&c.deep_text()).trim().to_owned()),
            "value" => {
                if let Some(t) = pending.take() {
                    if !t.is_empty() {
                        out.push((t, clean_text(&c.deep_text()).trim().to_owned()));
                    }
                }
            }
            _ => dynamic_pairs(c, pending, out),
        }
    }
}

/// One `<row>` → [`BmbyClient`]. Known Bmby names fill the typed fields; `update_date` also
/// accepts `last_update`/`modified_date`/`last_modified`; `client_name` fills `fname` when both
/// `fname` and `lname` are empty and is kept in `custom` too; every other non-empty element goes
/// to `custom` by name, and `<Dynamic>` pairs go to `custom` by title.
pub(crate) fn row_to_client(row: &Element, source: &str) -> BmbyClient {
    let mut c = BmbyClient {
        origin: Origin {
            source: source.to_owned(),
            row: None,
        },
        ..BmbyClient::default()
    };
    let mut client_name = None;
    let mut dynamic = Vec::new();
    for f in &row.children {
        if f.name == "Dynamic" {
            let mut pending = None;
            dynamic_pairs(f, &mut pending, &mut dynamic);
            continue;
        }
        let raw = f.deep_text();
        let value = if f.name == "remark" {
            clean_text(&raw)
        } else {
            clean_line(&raw)
        };
        let Some(v) = non_empty(&value) else { continue };
        let slot = match f.name.as_str() {
            "client_id" => {
                c.client_id = v;
                continue;
            }
            "fname" => &mut c.fname,
            "lname" => &mut c.lname,
            "email" => &mut c.email,
            "phone_mobile" => &mut c.phone_mobile,
            "phone_home" => &mut c.phone_home,
            "phone_work" => &mut c.phone_work,
            "passport" => &mut c.passport,
            "birth_day" => &mut c.birth_day,
            "address" => &mut c.address,
            "city" => &mut c.city,
            "company_name" => &mut c.company_name,
            "status" => &mut c.status,
            "remark" => &mut c.remark,
            "media_title" => &mut c.media_title,
            "user_name" => &mut c.user_name,
            "client_date" => &mut c.client_date,
            "update_date" | "last_update" | "modified_date" | "last_modified" => &mut c.update_date,
            "client_name" => {
                client_name = Some(v.clone());
                c.custom.insert("client_name".into(), v);
                continue;
            }
            other => {
                c.custom.insert(clean_line(other), v);
                continue;
            }
        };
        *slot = Some(v);
    }
    if c.fname.is_none() && c.lname.is_none() {
        c.fname = client_name;
    }
    for (t, v) in dynamic {
        if !v.is_empty() {
            c.custom.insert(t, v);
        }
    }
    c
}

/// `Insert` answer: `<InsertReturn>` = JSON string `{"ClientID":n}` (also probes `client_id`,
/// `UniqID`) or `{"Error":"…"}`; a bare number is taken as the id.
pub(crate) fn insert_return(body: &str, password: &str) -> Result<String, BmbySoapError> {
    let op = Operation::Insert;
    let ret = return_element(op, body, password)?;
    if let Some(err) = ret.child("Error").and_then(|e| non_empty(&e.deep_text())) {
        return Err(BmbySoapError::Bmby {
            operation: op,
            message: scrub(&err, password),
        });
    }
    let text = ret.deep_text();
    if let Some(m) = json_of(&text) {
        if let Some(err) = json_scalar(m.get("Error")) {
            return Err(BmbySoapError::Bmby {
                operation: op,
                message: scrub(&err, password),
            });
        }
        for key in ["ClientID", "client_id", "UniqID"] {
            if let Some(id) = json_scalar(m.get(key)) {
                return Ok(clean_line(&id));
            }
        }
        return Err(parse_err(op, "InsertReturn has no ClientID"));
    }
    let t = text.trim();
    if !t.is_empty() && t.chars().all(|c| c.is_ascii_digit()) && t != "0" {
        return Ok(t.to_owned());
    }
    Err(parse_err(
        op,
        format!(
            "InsertReturn is neither JSON nor an id: {}",
            scrub(t, password)
        ),
    ))
}

/// `NewTask` answer: any return without an error is an ack. An `Error` member or
/// `{"Error":"…"}` becomes [`BmbySoapError::Bmby`].
pub(crate) fn new_task_return(body: &str, password: &str) -> Result<(), BmbySoapError> {
    let op = Operation::NewTask;
    let ret = return_element(op, body, password)?;
    if let Some(err) = ret.child("Error").and_then(|e| non_empty(&e.deep_text())) {
        return Err(BmbySoapError::Bmby {
            operation: op,
            message: scrub(&err, password),
        });
    }
    if let Some(m) = json_of(&ret.deep_text()) {
        if let Some(err) = json_scalar(m.get("Error")) {
            return Err(BmbySoapError::Bmby {
                operation: op,
                message: scrub(&err, password),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dynamic_shapes_and_unknowns() {
        let data = "<clients><row><client_id><![CDATA[7]]></client_id>\
            <client_name><![CDATA[דנה \u{200f}לוי]]></client_name>\
            <remark><![CDATA[שורה &#1493;\nשנייה]]></remark><gender><![CDATA[F]]></gender>\
            <Dynamic><title>תקציב</title><value>100</value><title>חדרים</title><value>4</value></Dynamic>\
            <Dynamic><item><title>קומה</title><value>3</value></item></Dynamic></row></clients>";
        let rows = data_rows(Operation::GetAll, data).unwrap();
        let c = &rows[0];
        assert_eq!(c.client_id, "7");
        assert_eq!(c.fname.as_deref(), Some("דנה לוי"));
        assert_eq!(c.remark.as_deref(), Some("שורה &#1493;\nשנייה"));
        assert_eq!(c.custom["gender"], "F");
        assert_eq!(c.custom["תקציב"], "100");
        assert_eq!(c.custom["חדרים"], "4");
        assert_eq!(c.custom["קומה"], "3");
        assert_eq!(c.origin.source, "Bmby SOAP GetAll");
    }

    #[test]
    fn row_without_id_is_parse_error() {
        let e = data_rows(
            Operation::GetAll,
            "<clients><row><fname>x</fname></row></clients>",
        )
        .unwrap_err();
        assert!(matches!(e, BmbySoapError::Parse { .. }), "{e}");
    }

    #[test]
    fn scrub_redacts() {
        assert_eq!(scrub("bad pw s3cret!", "s3cret"), "bad pw [redacted]!");
    }
}
