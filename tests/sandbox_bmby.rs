//! Raw HTTP checks of the Bmby stand-in's wire format (no client code involved).

use bmby_ghl::sandbox::bmby::{
    BmbySandbox, BmbySandboxConfig, BmbySeed, DEMO_LOGIN, DEMO_PASSWORD, DEMO_PROJECT_ID,
};

async fn start(seed: BmbySeed) -> BmbySandbox {
    BmbySandbox::start(BmbySandboxConfig {
        seed,
        ..BmbySandboxConfig::default()
    })
    .await
    .unwrap()
}

/// An rpc/encoded envelope written like a PHP caller would (other prefixes, https namespace).
fn envelope(op: &str, password: &str, uniq: &str, dynamic: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns1="https://www.bmby.com/WebServices/srv/v3/clients.php" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <SOAP-ENV:Body>
  <ns1:{op}>
   <Parameters xsi:type="ns1:GetAllInput">
    <Login xsi:type="xsd:string">{DEMO_LOGIN}</Login>
    <Password xsi:type="xsd:string">{password}</Password>
    <ProjectID xsi:type="xsd:int">{DEMO_PROJECT_ID}</ProjectID>
    <UniqID xsi:type="xsd:int">{uniq}</UniqID>
    <Dynamic xsi:type="xsd:int">{dynamic}</Dynamic>
    <Limit xsi:type="xsd:int">1000</Limit>
   </Parameters>
  </ns1:{op}>
 </SOAP-ENV:Body>
</SOAP-ENV:Envelope>"#
    )
}

async fn post(url: &str, action: &str, body: String) -> (u16, String) {
    let r = reqwest::Client::new()
        .post(url)
        .header("Content-Type", "text/xml; charset=utf-8")
        .header("SOAPAction", action)
        .body(body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

fn between<'a>(s: &'a str, open: &str, close: &str) -> &'a str {
    let a = s.find(open).unwrap_or_else(|| panic!("no {open} in {s}")) + open.len();
    let b = s[a..].find(close).unwrap() + a;
    &s[a..b]
}

#[tokio::test]
async fn get_all_is_double_wrapped_with_cdata() {
    let sb = start(BmbySeed::Demo).await;
    let (status, body) = post(
        &sb.soap_url(),
        "whatever",
        envelope("GetAll", DEMO_PASSWORD, "0", "1"),
    )
    .await;
    assert_eq!(status, 200);
    assert!(body.contains("<ns1:GetAllResponse><GetAllReturn"), "{body}");
    assert_eq!(
        between(&body, "<FoundRows xsi:type=\"xsd:int\">", "<"),
        "59"
    );
    assert_eq!(
        between(&body, "<LastUniqID xsi:type=\"xsd:int\">", "<"),
        "200201"
    );
    assert!(body.contains("<Error xsi:type=\"xsd:string\"></Error>"));
    let data_escaped = between(&body, "<Data xsi:type=\"xsd:string\">", "</Data>");
    assert!(data_escaped.starts_with("&lt;clients&gt;&lt;row&gt;&lt;client_id&gt;&lt;![CDATA["));
    let data = quick_xml::escape::unescape(data_escaped).unwrap();
    assert!(data.starts_with("<clients><row><client_id><![CDATA[100330]]></client_id>"));
    assert!(data.contains("<Dynamic><item><title><![CDATA[תקציב]]></title><value><![CDATA["));
    // Entities inside CDATA stay literal; DST timestamps; the other project is invisible.
    assert!(data.contains("&#1493;"));
    assert!(data.contains("<client_date><![CDATA[2026-03-27 02:30:00]]></client_date>"));
    assert!(data.contains("2026-10-25 01:30:00"));
    assert!(!data.contains("900001"));
    assert_eq!(data.matches("<row>").count(), 59);

    // Dynamic=0: no custom fields. Next page after the last id: empty Data, cursor echoed.
    let (_, body0) = post(
        &sb.soap_url(),
        "",
        envelope("GetAll", DEMO_PASSWORD, "0", "0"),
    )
    .await;
    assert!(!body0.contains("Dynamic&gt;"));
    let (_, end) = post(
        &sb.soap_url(),
        "",
        envelope("GetAll", DEMO_PASSWORD, "200201", "1"),
    )
    .await;
    assert_eq!(between(&end, "<FoundRows xsi:type=\"xsd:int\">", "<"), "0");
    assert_eq!(
        between(&end, "<LastUniqID xsi:type=\"xsd:int\">", "<"),
        "200201"
    );
    assert!(end.contains("<Data xsi:type=\"xsd:string\"></Data>"));

    let log = sb.requests();
    assert_eq!(log[0].operation, "GetAll");
    assert_eq!(log[0].params["Password"], "***");
    assert_eq!(log[0].soap_action.as_deref(), Some("whatever"));
}

#[tokio::test]
async fn get_all_json_is_an_escaped_json_string() {
    let sb = start(BmbySeed::Demo).await;
    let (status, body) = post(
        &sb.soap_url(),
        "\"GetAllJson\"",
        envelope("GetAllJson", DEMO_PASSWORD, "0", "1"),
    )
    .await;
    assert_eq!(status, 200);
    let inner = between(
        &body,
        "<GetAllJsonReturn xsi:type=\"xsd:string\">",
        "</GetAllJsonReturn>",
    );
    assert!(inner.starts_with("{&quot;"), "{inner}");
    let json: serde_json::Value =
        serde_json::from_str(&quick_xml::escape::unescape(inner).unwrap()).unwrap();
    assert_eq!(json["FoundRows"], 59);
    assert_eq!(json["LastUniqID"], 200201);
    assert_eq!(json["Error"], "");
    assert!(json["Data"]
        .as_str()
        .unwrap()
        .starts_with("<clients><row><client_id><![CDATA["));
}

#[tokio::test]
async fn bad_password_is_an_error_string_not_401() {
    let sb = start(BmbySeed::Demo).await;
    let (status, body) = post(&sb.soap_url(), "", envelope("GetAll", "nope", "0", "1")).await;
    assert_eq!(status, 200);
    assert!(body.contains("<Error xsi:type=\"xsd:string\">Login failed</Error>"));
    assert!(body.contains("<Data xsi:type=\"xsd:string\"></Data>"));
}

#[tokio::test]
async fn tasks_and_faults_and_garbage() {
    let sb = start(BmbySeed::Demo).await;
    let (_, body) = post(
        &sb.tasks_url(),
        "",
        envelope("GetAll", DEMO_PASSWORD, "0", "0"),
    )
    .await;
    let data =
        quick_xml::escape::unescape(between(&body, "<Data xsi:type=\"xsd:string\">", "</Data>"))
            .unwrap()
            .into_owned();
    assert!(data.starts_with("<tasks><row><task_id><![CDATA["), "{data}");
    assert!(data.contains("<type><![CDATA[Lid]]></type>"));

    let (status, body) = post(&sb.soap_url(), "", "not xml at all".into()).await;
    assert_eq!(status, 500);
    assert!(body.contains("<faultstring>Bad Request</faultstring>"));

    let (status, body) = post(
        &sb.soap_url(),
        "",
        envelope("Delete", DEMO_PASSWORD, "0", "0"),
    )
    .await;
    assert_eq!(status, 500);
    assert!(
        body.contains("Procedure &apos;Delete&apos; not present")
            || body.contains("Procedure 'Delete' not present"),
        "{body}"
    );

    sb.faults().set_5xx(1);
    let (status, body) = post(
        &sb.soap_url(),
        "",
        envelope("GetAll", DEMO_PASSWORD, "0", "0"),
    )
    .await;
    assert_eq!(status, 502);
    assert!(body.contains("<h1>502 Bad Gateway</h1>"));

    sb.faults().set_fault(1);
    let (status, body) = post(
        &sb.soap_url(),
        "",
        envelope("GetAll", DEMO_PASSWORD, "0", "0"),
    )
    .await;
    assert_eq!(status, 500);
    assert!(body.contains("<faultcode>SOAP-ENV:Server</faultcode>"));
}

#[tokio::test]
async fn add_client_answers_zero_or_an_id() {
    let sb = start(BmbySeed::Empty).await;
    let http = reqwest::Client::new();
    let send = |form: Vec<(&'static str, &'static str)>| {
        let http = http.clone();
        let url = sb.add_client_url();
        async move {
            http.post(url)
                .form(&form)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };
    assert_eq!(
        send(vec![
            ("ProjectID", DEMO_PROJECT_ID),
            ("Password", "bad"),
            ("Phone", "0501234567")
        ])
        .await,
        "0"
    );
    assert_eq!(
        send(vec![
            ("ProjectID", DEMO_PROJECT_ID),
            ("Password", bmby_ghl::sandbox::bmby::DEMO_LEAD_PASSWORD),
            ("Fname", "דנה כהן")
        ])
        .await,
        "0",
        "no phone and no email"
    );
    let id = send(vec![
        ("ProjectID", DEMO_PROJECT_ID),
        ("Password", bmby_ghl::sandbox::bmby::DEMO_LEAD_PASSWORD),
        ("Fname", "דנה כהן"),
        ("Mobile", "0501234567"),
        ("u71", "ערך"),
    ])
    .await;
    let c = sb.client(&id).unwrap();
    assert_eq!(c.fields["phone_mobile"], "0501234567");
    assert_eq!(c.fields["u71"], "ערך");
    assert!(sb.delete_client(&id));
    assert!(sb.clients().is_empty() && sb.tasks().is_empty());
}
