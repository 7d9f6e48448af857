//! The Bmby SOAP client against the Bmby stand-in (started per test on port 0).

use std::time::Duration;

use bmby_ghl::bmby::soap::{
    AddClientInput, BmbySoapClient, BmbySoapConfig, BmbySoapError, NewTaskInput, Operation,
    TaskType,
};
use bmby_ghl::ghl::Secret;
use bmby_ghl::sandbox::bmby::{
    BmbySandbox, BmbySandboxConfig, BmbySeed, DEMO_LEAD_PASSWORD, DEMO_LOGIN, DEMO_PASSWORD,
    DEMO_PROJECT_ID, FOREIGN_CLIENT_ID,
};
use serde_json::json;

async fn sandbox(seed: BmbySeed) -> BmbySandbox {
    BmbySandbox::start(BmbySandboxConfig {
        seed,
        ..BmbySandboxConfig::default()
    })
    .await
    .unwrap()
}

fn config(sb: &BmbySandbox) -> BmbySoapConfig {
    let mut cfg = BmbySoapConfig::new(
        sb.soap_url(),
        DEMO_LOGIN,
        Secret::new(DEMO_PASSWORD),
        DEMO_PROJECT_ID,
    );
    cfg.lead_password = Some(Secret::new(DEMO_LEAD_PASSWORD));
    cfg.add_client_url = Some(sb.add_client_url());
    cfg.max_attempts = 3;
    cfg.backoff_base = Duration::from_millis(1);
    cfg.backoff_cap = Duration::from_millis(5);
    cfg.timeout = Duration::from_secs(20);
    cfg
}

fn client(sb: &BmbySandbox) -> BmbySoapClient {
    BmbySoapClient::new(config(sb)).unwrap()
}

#[tokio::test]
async fn get_all_pages_through_every_client_once() {
    let sb = sandbox(BmbySeed::Generated { clients: 2500 }).await;
    let read = client(&sb).get_all_clients(None).await.unwrap();
    assert_eq!(read.clients.len(), 2500);
    let mut ids: Vec<u64> = read
        .clients
        .iter()
        .map(|c| c.client_id.parse().unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 2500);
    assert_eq!(ids[0], 100_001);
    assert_eq!(read.pages, 4);
    assert_eq!(read.uniq_ids_sent, vec!["0", "101000", "102000", "102500"]);
    let sent: Vec<String> = sb
        .requests()
        .iter()
        .filter(|r| r.operation == "GetAll")
        .map(|r| r.params["UniqID"].clone())
        .collect();
    assert_eq!(sent, vec!["0", "101000", "102000", "102500"]);
    let r0 = &sb.requests()[0];
    assert_eq!(r0.params.len(), 17, "{:?}", r0.params.keys());
    assert_eq!(r0.params["Password"], "***");
    assert_eq!(r0.params["Dynamic"], "1");
    // Dynamic custom fields arrive in `custom`.
    let c = &read.clients[0];
    assert_eq!(c.custom.get("מספר חדרים").map(String::as_str), Some("2"));
    assert!(c.custom.contains_key("תקציב"));
    assert_eq!(c.origin.source, "Bmby SOAP GetAll");
    assert!(c.update_date.is_some() && c.client_date.is_some());
}

#[tokio::test]
async fn get_all_json_uses_bigger_pages() {
    let sb = sandbox(BmbySeed::Generated { clients: 3500 }).await;
    let read = client(&sb).get_all_clients_json(None).await.unwrap();
    assert_eq!(read.clients.len(), 3500);
    assert_eq!(read.pages, 3);
    assert_eq!(read.uniq_ids_sent, vec!["0", "103000", "103500"]);
    let c = read
        .clients
        .iter()
        .find(|c| c.client_id == "100002")
        .unwrap();
    assert_eq!(c.fname.as_deref(), Some("יוסי"));
    assert_eq!(c.custom.get("מספר חדרים").map(String::as_str), Some("3"));
    assert_eq!(c.origin.source, "Bmby SOAP GetAllJson");
    assert!(sb.requests().iter().all(|r| r.operation == "GetAllJson"));
}

#[tokio::test]
async fn stuck_cursor_is_an_error_not_a_loop() {
    let sb = sandbox(BmbySeed::Generated { clients: 30 }).await;
    sb.faults().set_stuck_cursor(true);
    let err = client(&sb).get_all_clients(None).await.unwrap_err();
    match err {
        BmbySoapError::CursorStuck { operation, uniq_id } => {
            assert_eq!(operation, Operation::GetAll);
            assert_eq!(uniq_id, "0");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(sb.requests().len(), 1);
}

#[tokio::test]
async fn bad_credentials_keep_bmby_words_without_the_password() {
    let sb = sandbox(BmbySeed::Generated { clients: 3 }).await;
    let mut cfg = config(&sb);
    cfg.password = Secret::new("Wrong-Secret-991");
    let c = BmbySoapClient::new(cfg).unwrap();
    for json in [false, true] {
        let err = if json {
            c.get_all_clients_json(None).await.unwrap_err()
        } else {
            c.get_all_clients(None).await.unwrap_err()
        };
        match &err {
            BmbySoapError::Bmby { message, .. } => assert_eq!(message, "Login failed"),
            other => panic!("{other:?}"),
        }
        assert!(!err.to_string().contains("Wrong-Secret-991"));
        assert!(!format!("{err:?}").contains("Wrong-Secret-991"));
    }
    assert!(!format!("{c:?}").contains("Wrong-Secret-991"));
    assert!(!format!("{:?}", c.config()).contains("Wrong-Secret-991"));
    // Not retried.
    assert_eq!(sb.requests().len(), 2);
}

#[tokio::test]
async fn bad_gateway_then_success_is_retried() {
    let sb = sandbox(BmbySeed::Generated { clients: 5 }).await;
    sb.faults().set_5xx(1);
    let read = client(&sb).get_all_clients(None).await.unwrap();
    assert_eq!(read.clients.len(), 5);
    let statuses: Vec<u16> = sb.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, vec![502, 200, 200]);
}

#[tokio::test]
async fn dropped_connection_is_retried_then_reported() {
    let sb = sandbox(BmbySeed::Generated { clients: 5 }).await;
    sb.faults().set_drop(1);
    let read = client(&sb).get_all_clients(None).await.unwrap();
    assert_eq!(read.clients.len(), 5);

    sb.faults().set_5xx(10);
    let err = client(&sb).get_all_clients(None).await.unwrap_err();
    match &err {
        BmbySoapError::Http {
            operation,
            status,
            url,
            ..
        } => {
            assert_eq!(*operation, Operation::GetAll);
            assert_eq!(*status, 502);
            assert!(url.ends_with("/WebServices/srv/v3/"), "{url}");
        }
        other => panic!("{other:?}"),
    }
    assert!(!err.to_string().contains(DEMO_PASSWORD));
}

#[tokio::test]
async fn soap_fault_is_typed() {
    let sb = sandbox(BmbySeed::Generated { clients: 5 }).await;
    sb.faults().set_fault(1);
    let err = client(&sb).get_all_clients(None).await.unwrap_err();
    match err {
        BmbySoapError::Fault {
            operation,
            code,
            message,
        } => {
            assert_eq!(operation, Operation::GetAll);
            assert_eq!(code, "SOAP-ENV:Server");
            assert_eq!(message, "Internal Server Error");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(sb.requests().len(), 1, "faults are not retried");
}

#[tokio::test]
async fn from_date_returns_only_modified_clients() {
    let sb = sandbox(BmbySeed::Generated { clients: 50 }).await;
    assert!(sb.update_client("100007", "city", "אילת"));
    assert!(sb.update_client("100031", "dynamic:תקציב", "999"));
    let stamp = sb.client("100031").unwrap().update_date;
    let read = client(&sb)
        .get_all_clients(Some(stamp.date()))
        .await
        .unwrap();
    let mut ids: Vec<&str> = read.clients.iter().map(|c| c.client_id.as_str()).collect();
    ids.sort();
    assert_eq!(ids, vec!["100007", "100031"]);
    let c7 = read
        .clients
        .iter()
        .find(|c| c.client_id == "100007")
        .unwrap();
    assert_eq!(c7.city.as_deref(), Some("אילת"));
    let c31 = read
        .clients
        .iter()
        .find(|c| c.client_id == "100031")
        .unwrap();
    assert_eq!(c31.custom["תקציב"], "999");
    assert_eq!(
        sb.requests()[0].params["FromDate"],
        stamp.date().to_string()
    );
}

#[tokio::test]
async fn hebrew_cdata_and_entities_round_trip() {
    let sb = sandbox(BmbySeed::Generated { clients: 3 }).await;
    let remark = "לקוח &#1493;מעוניין <b>גינה</b> & חניה ]]> סוף\nשורה 2";
    assert!(sb.update_client("100002", "remark", remark));
    assert!(sb.update_client("100002", "fname", "\u{200f}שׁירה"));
    assert!(sb.update_client("100002", "lname", "בן-דוד \"הגדול\" 'א'"));
    for json in [false, true] {
        let c = client(&sb);
        let read = if json {
            c.get_all_clients_json(None).await.unwrap()
        } else {
            c.get_all_clients(None).await.unwrap()
        };
        let row = read
            .clients
            .iter()
            .find(|c| c.client_id == "100002")
            .unwrap();
        assert_eq!(row.remark.as_deref(), Some(remark), "json={json}");
        // bidi mark removed by sanitizing, text NFC
        assert_eq!(row.fname.as_deref(), Some("שׁירה"));
        assert_eq!(row.lname.as_deref(), Some("בן-דוד \"הגדול\" 'א'"));
    }
}

#[tokio::test]
async fn insert_creates_updates_and_refuses_other_projects() {
    let sb = sandbox(BmbySeed::Generated { clients: 3 }).await;
    let c = client(&sb);
    let id = c
        .insert_client(json!({
            "project_id": {"value": DEMO_PROJECT_ID},
            "user_id": {"value": 12},
            "lead": {"value": 1},
            "fname": {"value": "נועה <&>"},
            "lname": {"value": "גולן"},
            "email": {"value": "noa.golan@example.co.il"},
            "phone_mobile": {"value": "052-1234567"},
            "dynvars": {"value": [{"title": "תקציב", "value": "2100000", "type": "TextBox"}]},
        }))
        .await
        .unwrap();
    let rec = sb.client(&id).unwrap();
    assert_eq!(rec.fields["fname"], "נועה <&>");
    assert_eq!(
        rec.dynamic,
        vec![("תקציב".to_owned(), "2100000".to_owned())]
    );

    let same = c
        .insert_client(json!({
            "client_id": {"value": id.parse::<u64>().unwrap()},
            "update": {"value": 1},
            "city": {"value": "חולון"},
        }))
        .await
        .unwrap();
    assert_eq!(same, id);
    assert_eq!(sb.client(&id).unwrap().fields["city"], "חולון");
    assert!(sb.client(&id).unwrap().update_date >= rec.update_date);

    let err = c
        .insert_client(json!({
            "client_id": {"value": FOREIGN_CLIENT_ID},
            "update": {"value": 1},
            "city": {"value": "x"},
        }))
        .await
        .unwrap_err();
    match err {
        BmbySoapError::Bmby { operation, message } => {
            assert_eq!(operation, Operation::Insert);
            assert_eq!(message, "ClientID in another Project");
        }
        other => panic!("{other:?}"),
    }
    let req = sb
        .requests()
        .into_iter()
        .find(|r| r.operation == "Insert")
        .unwrap();
    assert!(req.params["jsonClient"].contains("נועה <&>"));
}

fn task(client_id: &str) -> NewTaskInput {
    NewTaskInput {
        user_id: "12".into(),
        media_id: "0".into(),
        client_id: client_id.into(),
        task_type: TaskType::Comment,
        designation: "2".into(),
        name: "דנה כהן".into(),
        phone: "050-1234567".into(),
        email: "dana@example.co.il".into(),
        location: "".into(),
        start: jiff::civil::date(2026, 10, 25).at(1, 30, 0, 0),
        end: jiff::civil::date(2026, 10, 25).at(2, 15, 0, 0),
        subject: "שיחה מ-GHL".into(),
        message: "הערה <עם> & סימנים".into(),
        priority: "medium".into(),
    }
}

#[tokio::test]
async fn new_task_needs_an_existing_client() {
    let sb = sandbox(BmbySeed::Generated { clients: 3 }).await;
    let c = client(&sb);
    c.new_task(&task("100003")).await.unwrap();
    let tasks = sb.tasks();
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].client_id, 100003);
    assert_eq!(tasks[0].fields["type"], "Comment");
    assert_eq!(tasks[0].fields["start_date"], "2026-10-25 01:30");
    assert_eq!(tasks[0].fields["due_date"], "2026-10-25 02:15");
    assert_eq!(tasks[0].fields["message"], "הערה <עם> & סימנים");
    let r = sb.requests().pop().unwrap();
    assert_eq!(r.path, "/WebServices/srv/v3/tasks.php");
    assert_eq!(r.params["UniqID"], "100003");

    let err = c.new_task(&task("777")).await.unwrap_err();
    assert!(
        matches!(&err, BmbySoapError::Bmby { operation: Operation::NewTask, message } if message == "Client not found"),
        "{err:?}"
    );
    let foreign = c.new_task(&task(&FOREIGN_CLIENT_ID.to_string())).await;
    assert!(foreign.is_err());
}

#[tokio::test]
async fn add_client_success_and_zero() {
    let sb = sandbox(BmbySeed::Empty).await;
    let c = client(&sb);
    let lead = AddClientInput {
        fname: "משה ישראלי".into(),
        phone: "0541234567".into(),
        email: "moshe@example.co.il".into(),
        media_title: "אתר הבית".into(),
        comments: "מעוניין בדירת 4 חדרים".into(),
        extra: vec![("AllowedMail".into(), "0".into())],
        ..AddClientInput::default()
    };
    let ack = c.add_client(&lead).await.unwrap();
    assert!(!ack.is_empty() && ack != "0");
    let clients = sb.clients();
    assert_eq!(clients.len(), 1);
    assert_eq!(clients[0].fields["fname"], "משה ישראלי");
    assert_eq!(clients[0].fields["media_title"], "אתר הבית");
    assert_eq!(clients[0].fields["AllowedMail"], "0");
    assert_eq!(sb.tasks()[0].fields["type"], "Lid");
    let r = sb.requests().pop().unwrap();
    assert_eq!(r.operation, "AddClient");
    assert_eq!(r.params["Password"], "***");

    let mut cfg = config(&sb);
    cfg.lead_password = Some(Secret::new("wrong-lead-pw"));
    let err = BmbySoapClient::new(cfg)
        .unwrap()
        .add_client(&lead)
        .await
        .unwrap_err();
    assert!(
        matches!(err, BmbySoapError::AddClientRejected { .. }),
        "{err:?}"
    );
    assert!(!format!("{err} {err:?}").contains("wrong-lead-pw"));
    assert_eq!(sb.clients().len(), 1);
}

#[tokio::test]
async fn malformed_answer_is_a_parse_error() {
    // A server answering 200 with garbage: the AddClient path of the stand-in returns plain
    // text, so point the SOAP URL at it.
    let sb = sandbox(BmbySeed::Empty).await;
    let mut cfg = config(&sb);
    cfg.url = sb.add_client_url();
    let err = BmbySoapClient::new(cfg)
        .unwrap()
        .get_all_clients(None)
        .await
        .unwrap_err();
    match err {
        BmbySoapError::Parse { operation, message } => {
            assert_eq!(operation, Operation::GetAll);
            assert!(message.contains("SOAP envelope"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn demo_seed_reads_through_the_client() {
    let sb = sandbox(BmbySeed::Demo).await;
    let read = client(&sb).get_all_clients(None).await.unwrap();
    assert_eq!(read.clients.len(), 59);
    assert_eq!(read.pages, 2);
    let get = |id: &str| read.clients.iter().find(|c| c.client_id == id).unwrap();
    // RLM removed by sanitizing; domestic phone kept raw for normalization.
    assert!(!get("102562").fname.as_deref().unwrap().contains('\u{200f}'));
    assert_eq!(get("102562").phone_mobile.as_deref(), Some("053-5145149"));
    assert!(get("182046").remark.as_deref().unwrap().contains("&#1493;"));
    assert_eq!(get("200101").lname, None, "full name in fname only");
    assert_eq!(get("200102").phone_mobile.as_deref(), Some("547630706"));
    assert!(get("200201").custom.contains_key("תקציב"));
    assert!(read.clients.iter().all(|c| c.client_id != "900001"));
}
