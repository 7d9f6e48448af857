//! Agency apps against the stand-in (issue 13 item 1): an OAuth sign-in with
//! `user_type=Company` gives an agency token; `GET /oauth/installedLocations` lists every
//! page; `POST /oauth/locationToken` gives a location token that works on the location and is
//! refreshed as any OAuth sign-in; refusals carry the spec's error bodies and become typed
//! [`AgencyError`]s.

use std::sync::Arc;

use bmby_ghl::auth::agency::{agency_scopes, app_id, AgencyClient, AgencyError, AgencyToken};
use bmby_ghl::auth::login::{new_state, parse_pasted};
use bmby_ghl::auth::{OAuthSettings, TokenEndpoint, TokenStore};
use bmby_ghl::ghl::{ClientConfig, GhlClient, PrivateIntegrationToken, Secret};
use bmby_ghl::sandbox::{
    ExtraLocation, Sandbox, SandboxConfig, Seed, DEMO_APP_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET,
    DEMO_COMPANY_ID, DEMO_LOCATION_ID, DEMO_LOCATION_NAME, SECOND_LOCATION_ID,
};
use serde_json::{json, Value};

const HEBREW_ID: &str = "bmbyHaifaLoc9Kd3Wq7Z";
const HEBREW_NAME: &str = "משרד חיפה";

async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig {
        seed: Seed::Generated { contacts: 5 },
        extra_locations: vec![
            ExtraLocation::second(),
            ExtraLocation {
                id: HEBREW_ID.into(),
                name: HEBREW_NAME.into(),
                tokens: Vec::new(),
                seed: Seed::Generated { contacts: 3 },
            },
        ],
        ..Default::default()
    })
    .await
    .unwrap()
}

fn settings(sb: &Sandbox) -> OAuthSettings {
    OAuthSettings {
        client_id: Some(DEMO_CLIENT_ID.into()),
        client_secret: Some(Secret::new(DEMO_CLIENT_SECRET)),
        auth_url: sb.auth_url(),
        token_url: format!("{}/oauth/token", sb.base_url()),
        redirect_uri: "http://127.0.0.1:8976/callback".into(),
    }
}

/// The whole agency sign-in: the authorization page (auto-approved), the pasted redirect,
/// `POST /oauth/token` with `user_type=Company`.
async fn agency_sign_in(sb: &Sandbox) -> AgencyToken {
    let endpoint = TokenEndpoint::new(&settings(sb)).unwrap();
    let state = new_state();
    let url = endpoint.authorize_url(&agency_scopes(), &state);
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(url.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302);
    let redirect = r.headers()["location"].to_str().unwrap().to_owned();
    let code = parse_pasted(&redirect, &state).unwrap();
    endpoint.exchange_agency_code(&code).await.unwrap()
}

fn refused(r: Result<impl std::fmt::Debug, AgencyError>) -> (u16, String) {
    match r {
        Err(AgencyError::Refused {
            status, message, ..
        }) => (status, message),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn agency_sign_in_lists_every_page_and_exchanges_for_a_location_token() {
    let sb = sandbox().await;
    let agency = agency_sign_in(&sb).await;
    assert_eq!(agency.company_id, DEMO_COMPANY_ID);
    assert!(agency.scopes.iter().any(|s| s == "oauth.readonly"));
    assert!(agency.scopes.iter().any(|s| s == "oauth.write"));
    assert!(!format!("{agency:?}").contains(agency.access_token.expose()));

    // The agency token is no location token: the gate refuses it on location endpoints.
    let as_location = GhlClient::new(
        ClientConfig {
            max_attempts: 1,
            ..ClientConfig::new(&sb.base_url(), DEMO_LOCATION_ID)
        },
        Arc::new(PrivateIntegrationToken(agency.access_token.clone())),
    )
    .unwrap();
    let e = as_location.location_name().await.unwrap_err();
    assert_eq!(e.status(), Some(401), "{e}");

    // Every page, whatever its size: 3 locations in 3, 2 or 1 pages.
    let want = vec![
        (DEMO_LOCATION_ID.to_owned(), DEMO_LOCATION_NAME.to_owned()),
        (SECOND_LOCATION_ID.to_owned(), "Second Office".to_owned()),
        (HEBREW_ID.to_owned(), HEBREW_NAME.to_owned()),
    ];
    assert_eq!(app_id(&settings(&sb)).as_deref(), Some(DEMO_APP_ID));
    for page in [1, 2, 100] {
        let c = AgencyClient::new(&sb.base_url(), agency.clone(), DEMO_APP_ID)
            .unwrap()
            .with_page_size(page);
        let got: Vec<(String, String)> = c
            .installed_locations()
            .await
            .unwrap()
            .into_iter()
            .map(|l| (l.id, l.name))
            .collect();
        assert_eq!(got, want, "page size {page}");
    }

    // The exchange: a location token for the Hebrew-named location, usable there only.
    let c = AgencyClient::new(&sb.base_url(), agency.clone(), DEMO_APP_ID).unwrap();
    let entry = c.location_token(HEBREW_ID).await.unwrap();
    assert_eq!(entry.location_id, HEBREW_ID);
    assert_eq!(entry.company_id.as_deref(), Some(DEMO_COMPANY_ID));
    assert_eq!(entry.user_type, "Location");
    assert!(entry.scopes.iter().any(|s| s == "contacts.readonly"));
    assert!(!entry.scopes.iter().any(|s| s.starts_with("oauth.")));
    assert!(entry.refresh_token.is_some());

    // Saved like any sign-in (the name read with the new token), then refreshed as today.
    let dir = tempfile::tempdir().unwrap();
    let store = TokenStore::new(dir.path());
    let saved = bmby_ghl::auth::save_sign_in(&store, &sb.base_url(), entry.clone())
        .await
        .unwrap();
    assert_eq!(saved.location_name.as_deref(), Some(HEBREW_NAME));
    assert_eq!(
        store
            .get(HEBREW_ID)
            .unwrap()
            .unwrap()
            .location_name
            .as_deref(),
        Some(HEBREW_NAME)
    );
    let endpoint = TokenEndpoint::new(&settings(&sb)).unwrap();
    let refreshed = endpoint.refresh(&saved).await.unwrap();
    assert_ne!(refreshed.access_token, saved.access_token);
    assert_eq!(refreshed.location_id, HEBREW_ID);
    assert_eq!(sb.oauth().refresh_count(), 1);
    let other = GhlClient::new(
        ClientConfig {
            max_attempts: 1,
            ..ClientConfig::new(&sb.base_url(), HEBREW_ID)
        },
        Arc::new(PrivateIntegrationToken(refreshed.access_token.clone())),
    )
    .unwrap();
    assert_eq!(
        other.location_name().await.unwrap().as_deref(),
        Some(HEBREW_NAME)
    );
}

#[tokio::test]
async fn refusals_are_typed_with_the_spec_error_bodies() {
    let sb = sandbox().await;
    let base = sb.base_url();
    let agency = agency_sign_in(&sb).await;
    let client = |t: AgencyToken, app: &str| AgencyClient::new(&base, t, app).unwrap();

    // An unknown token: 401 with UnauthorizedDTO's message.
    let bogus = AgencyToken {
        access_token: Secret::new("not-a-token"),
        ..agency.clone()
    };
    let (status, msg) = refused(
        client(bogus.clone(), DEMO_APP_ID)
            .installed_locations()
            .await,
    );
    assert_eq!(status, 401);
    assert!(
        msg.contains("Invalid token: access token is invalid"),
        "{msg}"
    );
    let (status, _) = refused(
        client(bogus, DEMO_APP_ID)
            .location_token(DEMO_LOCATION_ID)
            .await,
    );
    assert_eq!(status, 401);

    // A location token where an agency token is needed.
    let loc = AgencyToken {
        access_token: Secret::new(sb.oauth().grant(DEMO_LOCATION_ID, &["contacts.readonly"])),
        ..agency.clone()
    };
    let (status, msg) = refused(client(loc, DEMO_APP_ID).installed_locations().await);
    assert_eq!(status, 401);
    assert!(msg.contains("Token's user type mismatch!"), "{msg}");

    // An agency token without oauth.write cannot exchange; without oauth.readonly cannot list.
    let read_only = AgencyToken {
        access_token: Secret::new(
            sb.oauth()
                .grant_company(DEMO_COMPANY_ID, &["oauth.readonly"]),
        ),
        ..agency.clone()
    };
    let ro = client(read_only, DEMO_APP_ID);
    assert_eq!(ro.installed_locations().await.unwrap().len(), 3);
    let e = ro.location_token(DEMO_LOCATION_ID).await.unwrap_err();
    let (status, msg) = refused(Err::<(), _>(e.clone()));
    assert_eq!(status, 401);
    assert!(msg.contains("not authorized for this scope"), "{msg}");
    assert!(e.to_string().contains("oauth.write"), "{e}");

    // Another company: 403; an unknown app or a foreign location: 400.
    let other_company = AgencyToken {
        company_id: "otherCompany00000001".into(),
        ..agency.clone()
    };
    let (status, msg) = refused(
        client(other_company, DEMO_APP_ID)
            .installed_locations()
            .await,
    );
    assert_eq!(status, 403);
    assert!(
        msg.contains("does not have access to this company"),
        "{msg}"
    );
    let (status, msg) = refused(
        client(agency.clone(), "otherApp")
            .installed_locations()
            .await,
    );
    assert_eq!(status, 400);
    assert!(msg.contains("App not found"), "{msg}");
    let (status, _) = refused(
        client(agency.clone(), DEMO_APP_ID)
            .location_token("noSuchLocation000001")
            .await,
    );
    assert_eq!(status, 400);

    // The stand-in's bodies, as raw JSON: UnauthorizedDTO, UnprocessableDTO, BadRequestDTO.
    let http = reqwest::Client::new();
    let get = |q: &'static str, token: &str, version: Option<&str>| {
        let mut r = http
            .get(format!("{base}/oauth/installedLocations{q}"))
            .bearer_auth(token);
        if let Some(v) = version {
            r = r.header("Version", v);
        }
        r.send()
    };
    let tok = agency.access_token.expose().to_owned();
    let r = get("?appId=bmby", &tok, Some("2021-07-28")).await.unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"statusCode":422,"message":["companyId should not be empty"],"error":"Unprocessable Entity"})
    );
    let r = get("?appId=bmby&companyId=x", "nope", Some("2021-07-28"))
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"statusCode":401,"message":"Invalid token: access token is invalid","error":"Unauthorized"})
    );
    let r = get("?appId=bmby&companyId=x", &tok, None).await.unwrap();
    assert_eq!(r.status(), 400);
    let r = http
        .post(format!("{base}/oauth/locationToken"))
        .bearer_auth(&tok)
        .header("Version", "2021-07-28")
        .form(&[("companyId", DEMO_COMPANY_ID)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(
        r.json::<Value>().await.unwrap()["message"],
        json!(["locationId should not be empty"])
    );

    // Paging parameters as the spec has them: skip/limit, count is the total.
    let r = http
        .get(format!(
            "{base}/oauth/installedLocations?companyId={DEMO_COMPANY_ID}&appId={DEMO_APP_ID}&skip=1&limit=1&isInstalled=true"
        ))
        .bearer_auth(&tok)
        .header("Version", "2021-07-28")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["count"], 3);
    assert_eq!(v["locations"].as_array().unwrap().len(), 1);
    assert_eq!(v["locations"][0]["_id"], SECOND_LOCATION_ID);
    assert_eq!(v["locations"][0]["isInstalled"], true);
}

#[tokio::test]
async fn a_location_sign_in_is_not_an_agency_token() {
    let sb = sandbox().await;
    let endpoint = TokenEndpoint::new(&settings(&sb)).unwrap();
    // The stand-in issues Company tokens only on `user_type=Company`; a Location code
    // exchanged the usual way has a location and no agency scopes.
    let state = new_state();
    let url = endpoint.authorize_url(&agency_scopes(), &state);
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(url.as_str())
        .send()
        .await
        .unwrap();
    let code = parse_pasted(r.headers()["location"].to_str().unwrap(), &state).unwrap();
    let entry = endpoint.exchange_code(&code).await.unwrap();
    assert_eq!(entry.location_id, DEMO_LOCATION_ID);
    assert!(!entry.scopes.iter().any(|s| s.starts_with("oauth.")));
}

/// `bmby-ghl auth login --agency [--location ID]` as a user runs it: reads the printed URL,
/// plays the browser, pastes the redirect URL. Returns (success, stdout, stderr).
#[allow(clippy::zombie_processes)] // waited for in the second blocking step
async fn agency_cli(sb: &Sandbox, dir: &std::path::Path, extra: &[&str]) -> (bool, String, String) {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_bmby-ghl"))
        .args(["--data-dir", dir.join("data").to_str().unwrap()])
        .args(["auth", "login", "--agency"])
        .args(extra)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("GHL_BASE_URL", sb.base_url())
        .env("GHL_CLIENT_ID", DEMO_CLIENT_ID)
        .env("GHL_CLIENT_SECRET", DEMO_CLIENT_SECRET)
        .env("BMBY_GHL_NO_BROWSER", "1")
        .env_remove("GHL_TOKEN")
        .env_remove("GHL_LOCATION_ID")
        .env_remove("GHL_REDIRECT_URI")
        .env_remove("GHL_APP_ID")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (child, mut reader, mut seen, url) = tokio::task::spawn_blocking(move || {
        let mut reader = BufReader::new(stdout);
        let mut seen = String::new();
        loop {
            let mut line = String::new();
            assert!(
                reader.read_line(&mut line).unwrap() > 0,
                "ended before printing a URL:\n{seen}"
            );
            seen.push_str(&line);
            if line.trim_start().starts_with("http") {
                return (child, reader, seen, line.trim().to_owned());
            }
        }
    })
    .await
    .unwrap();
    assert!(url.contains("oauth.write"), "{url}");
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(url)
        .send()
        .await
        .unwrap();
    let redirect = r.headers()["location"].to_str().unwrap().to_owned();
    tokio::task::spawn_blocking(move || {
        let mut child = child;
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, "{redirect}").unwrap();
        drop(stdin);
        reader.read_to_string(&mut seen).unwrap();
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        (child.wait().unwrap().success(), seen, err)
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_agency_login_takes_a_token_for_the_chosen_location() {
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    // Three installed locations and no --location: nothing is stored, the choices are listed.
    let (ok, _, err) = agency_cli(&sb, dir.path(), &[]).await;
    assert!(!ok, "{err}");
    assert!(err.contains("choose one with --location"), "{err}");
    assert!(
        err.contains(HEBREW_ID) && err.contains(SECOND_LOCATION_ID),
        "{err}"
    );
    assert!(!dir.path().join("data/auth/tokens.json").exists());
    // With --location: a token for it, saved with its name.
    let (ok, out, err) = agency_cli(&sb, dir.path(), &["--location", HEBREW_ID]).await;
    assert!(ok, "{err}\n{out}");
    assert!(
        out.contains(&format!(
            "Signed in to {HEBREW_NAME} ({HEBREW_ID}) with OAuth."
        )),
        "{out}"
    );
    let store = TokenStore::new(&dir.path().join("data"));
    let e = store.get(HEBREW_ID).unwrap().unwrap();
    assert_eq!(e.company_id.as_deref(), Some(DEMO_COMPANY_ID));
    assert!(e.refresh_token.is_some());
    assert_eq!(store.load().unwrap().len(), 1);
}
