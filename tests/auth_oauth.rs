//! OAuth sign-in and token refresh against the stand-in (loopback only, port 0): both ways to
//! finish `auth login`, `state` checks, single-flight refresh across tasks and "processes",
//! rotating single-use refresh tokens, crash windows, scopes.

use std::sync::Arc;
use std::time::Duration;

use bmby_ghl::auth::flow::{self, LoginError, LoginOptions};
use bmby_ghl::auth::login::FinishError;
use bmby_ghl::auth::{
    OAuthProvider, OAuthSettings, RefreshStage, TokenEndpoint, TokenEntry, TokenStore, SCOPES,
};
use bmby_ghl::ghl::{ClientConfig, GhlClient, GhlError, SearchRequest, Secret, TokenProvider};
use bmby_ghl::sandbox::{
    ExtraLocation, Sandbox, SandboxConfig, Seed, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET,
    DEMO_LOCATION_ID, SECOND_LOCATION_ID,
};

async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig {
        seed: Seed::Generated { contacts: 30 },
        extra_locations: vec![ExtraLocation::second()],
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
        redirect_uri: "http://127.0.0.1:0/callback".into(),
    }
}

fn opts(sb: &Sandbox) -> LoginOptions {
    LoginOptions {
        scopes: SCOPES.iter().map(|s| s.to_string()).collect(),
        timeout: Duration::from_secs(30),
        base_url: sb.base_url(),
    }
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Plays the browser: opens the authorization URL (plus the stand-in's `location_id` choice)
/// and returns where GHL redirects to.
async fn approve(url: &str, location: Option<&str>) -> String {
    let url = match location {
        Some(l) => format!("{url}&location_id={l}"),
        None => url.to_owned(),
    };
    let r = no_redirects().get(url).send().await.unwrap();
    assert_eq!(
        r.status(),
        302,
        "authorization page answered {}",
        r.status()
    );
    r.headers()["location"].to_str().unwrap().to_owned()
}

fn with_state(redirect: &str, state: Option<&str>) -> String {
    let mut u = reqwest::Url::parse(redirect).unwrap();
    let pairs: Vec<(String, String)> = u
        .query_pairs()
        .into_owned()
        .filter(|(k, _)| k != "state")
        .collect();
    {
        let mut q = u.query_pairs_mut();
        q.clear();
        for (k, v) in &pairs {
            q.append_pair(k, v);
        }
        if let Some(s) = state {
            q.append_pair("state", s);
        }
    }
    u.to_string()
}

async fn login(sb: &Sandbox, store: &TokenStore, location: Option<&'static str>) -> TokenEntry {
    let (tx, rx) = tokio::sync::oneshot::channel::<String>();
    let read = async move {
        let url = rx.await.unwrap();
        Ok(approve(&url, location).await)
    };
    flow::paste(
        &settings(sb),
        store,
        &opts(sb),
        |u| tx.send(u.into()).unwrap(),
        read,
    )
    .await
    .unwrap()
}

fn client_for(sb: &Sandbox, provider: Arc<dyn TokenProvider>, loc: &str) -> GhlClient {
    GhlClient::new(ClientConfig::new(&sb.base_url(), loc), provider).unwrap()
}

fn provider(sb: &Sandbox, store: &TokenStore, loc: &str) -> OAuthProvider {
    let entry = store.get(loc).unwrap().expect("signed in");
    OAuthProvider::new(store.clone(), entry, TokenEndpoint::new(&settings(sb)))
}

fn page() -> SearchRequest {
    SearchRequest {
        page_limit: 5,
        ..Default::default()
    }
}

#[tokio::test]
async fn login_through_the_loopback_redirect() {
    use std::os::unix::fs::PermissionsExt;
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let store = TokenStore::new(dir.path());
    let (tx, rx) = tokio::sync::oneshot::channel::<String>();
    // The browser: follows the authorization page's redirect to our listener.
    let browser = tokio::spawn(async move {
        let url = rx.await.unwrap();
        let redirect = approve(&url, None).await;
        assert!(redirect.starts_with("http://127.0.0.1:"), "{redirect}");
        let r = no_redirects().get(&redirect).send().await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    });
    let entry = flow::loopback(&settings(&sb), &store, &opts(&sb), |u| {
        tx.send(u.to_owned()).unwrap()
    })
    .await
    .unwrap();
    let (status, html) = browser.await.unwrap();
    assert_eq!(status, 200);
    assert!(html.contains("Signed in"), "{html}");
    assert_eq!(entry.location_id, DEMO_LOCATION_ID);
    assert_eq!(entry.location_name.as_deref(), Some("Demo Realty"));
    assert!(entry.scopes.iter().any(|s| s == "contacts.write"));
    assert_eq!(entry.company_id.as_deref(), Some("sbxCompany0000000001"));
    // The stored entry works for API calls, and the token file is 0600.
    let stored = store.get(DEMO_LOCATION_ID).unwrap().unwrap();
    assert_eq!(stored, entry);
    let mode = std::fs::metadata(store.path())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "token file mode {mode:o}");
    let c = client_for(
        &sb,
        Arc::new(provider(&sb, &store, DEMO_LOCATION_ID)),
        DEMO_LOCATION_ID,
    );
    assert_eq!(c.search_contacts(&page()).await.unwrap().contacts.len(), 5);
}

#[tokio::test]
async fn the_listener_refuses_a_wrong_or_missing_state() {
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let store = TokenStore::new(dir.path());
    let (tx, rx) = tokio::sync::oneshot::channel::<String>();
    let browser = tokio::spawn(async move {
        let url = rx.await.unwrap();
        let redirect = approve(&url, None).await;
        let http = no_redirects();
        let wrong = http
            .get(with_state(&redirect, Some("forged")))
            .send()
            .await
            .unwrap();
        let wrong = (wrong.status().as_u16(), wrong.text().await.unwrap());
        let missing = http.get(with_state(&redirect, None)).send().await.unwrap();
        let missing = (missing.status().as_u16(), missing.text().await.unwrap());
        let right = http.get(&redirect).send().await.unwrap().status().as_u16();
        (wrong, missing, right)
    });
    let entry = flow::loopback(&settings(&sb), &store, &opts(&sb), |u| {
        tx.send(u.to_owned()).unwrap()
    })
    .await
    .unwrap();
    let (wrong, missing, right) = browser.await.unwrap();
    assert_eq!(wrong.0, 400);
    assert!(wrong.1.contains("does not match"), "{}", wrong.1);
    assert_eq!(missing.0, 400);
    assert!(missing.1.contains("no `state`"), "{}", missing.1);
    assert_eq!(right, 200);
    assert_eq!(entry.location_id, DEMO_LOCATION_ID);
}

#[tokio::test]
async fn the_listener_gives_up_after_its_timeout() {
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let store = TokenStore::new(dir.path());
    let mut o = opts(&sb);
    o.timeout = Duration::from_millis(200);
    let r = flow::loopback(&settings(&sb), &store, &o, |_| {}).await;
    assert!(
        matches!(r, Err(LoginError::Finish(FinishError::Timeout(_)))),
        "{r:?}"
    );
    assert!(store.load().unwrap().is_empty());
}

#[tokio::test]
async fn login_by_pasting_the_redirect_url() {
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let store = TokenStore::new(dir.path());
    let entry = login(&sb, &store, Some(SECOND_LOCATION_ID)).await;
    assert_eq!(entry.location_id, SECOND_LOCATION_ID);
    assert_eq!(entry.location_name.as_deref(), Some("Second Office"));
    let c = client_for(
        &sb,
        Arc::new(provider(&sb, &store, SECOND_LOCATION_ID)),
        SECOND_LOCATION_ID,
    );
    let p = c
        .search_contacts(&SearchRequest {
            page_limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(p.total, Some(25), "the second location's own contacts");
}

#[tokio::test]
async fn a_pasted_url_with_a_wrong_or_missing_state_is_refused() {
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let store = TokenStore::new(dir.path());
    for forged in [Some("forged"), None] {
        let (tx, rx) = tokio::sync::oneshot::channel::<String>();
        let read = async move {
            let url = rx.await.unwrap();
            Ok(with_state(&approve(&url, None).await, forged))
        };
        let r = flow::paste(
            &settings(&sb),
            &store,
            &opts(&sb),
            |u| tx.send(u.into()).unwrap(),
            read,
        )
        .await;
        let want = if forged.is_some() {
            FinishError::WrongState
        } else {
            FinishError::MissingState
        };
        match r {
            Err(LoginError::Finish(e)) => assert_eq!(e, want),
            other => panic!("expected {want:?}, got {other:?}"),
        }
    }
    assert!(store.load().unwrap().is_empty(), "nothing was stored");
}

#[tokio::test]
async fn fifty_requests_on_an_expired_token_cause_one_refresh() {
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let store = TokenStore::new(dir.path());
    login(&sb, &store, None).await;
    let before = store.get(DEMO_LOCATION_ID).unwrap().unwrap();
    let p = Arc::new(provider(&sb, &store, DEMO_LOCATION_ID));
    let c = client_for(&sb, p.clone(), DEMO_LOCATION_ID);
    // GHL says the token expired although our clock says it has a day left: every request
    // gets 401 and asks the provider for a new token at about the same time.
    sb.oauth().expire_access_tokens();
    let calls = (0..50).map(|_| {
        let c = c.clone();
        async move { c.search_contacts(&page()).await }
    });
    let results = futures::future::join_all(calls).await;
    for r in &results {
        assert!(r.is_ok(), "{:?}", r.as_ref().err());
    }
    assert_eq!(sb.oauth().refresh_count(), 1, "exactly one refresh");
    assert_eq!(p.refresh_count(), 1);
    assert_eq!(sb.oauth().reused_refresh_tokens(), 0);
    let after = store.get(DEMO_LOCATION_ID).unwrap().unwrap();
    assert_ne!(
        after.refresh_token, before.refresh_token,
        "rotated and saved"
    );
    assert_ne!(after.access_token, before.access_token);
}

#[tokio::test]
async fn fifty_requests_past_local_expiry_cause_one_refresh() {
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let store = TokenStore::new(dir.path());
    login(&sb, &store, None).await;
    // Our clock says the token is about to expire: the refresh happens before sending.
    let mut e = store.get(DEMO_LOCATION_ID).unwrap().unwrap();
    e.expires_at = Some(bmby_ghl::auth::store::now_secs() + 10);
    store.put(e).unwrap();
    let c = client_for(
        &sb,
        Arc::new(provider(&sb, &store, DEMO_LOCATION_ID)),
        DEMO_LOCATION_ID,
    );
    let results = futures::future::join_all((0..50).map(|_| {
        let c = c.clone();
        async move { c.search_contacts(&page()).await }
    }))
    .await;
    assert!(results.iter().all(|r| r.is_ok()));
    assert_eq!(sb.oauth().refresh_count(), 1);
    // No request went out with the old token and failed.
    assert!(sb.requests().iter().all(|r| r.status != 401));
}

#[tokio::test]
async fn two_processes_refreshing_at_once_refresh_once() {
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let store = TokenStore::new(dir.path());
    login(&sb, &store, None).await;
    let mut e = store.get(DEMO_LOCATION_ID).unwrap().unwrap();
    e.expires_at = Some(bmby_ghl::auth::store::now_secs());
    store.put(e).unwrap();
    // Two providers with their own memory, as two processes would have; only the file lock
    // and the re-read of the store serialise them.
    let a = provider(&sb, &store, DEMO_LOCATION_ID);
    let b = provider(&sb, &store, DEMO_LOCATION_ID);
    let (ta, tb) = tokio::join!(a.access_token(), b.access_token());
    let (ta, tb) = (ta.unwrap(), tb.unwrap());
    assert_eq!(ta, tb, "the second adopted the first's token");
    assert_eq!(sb.oauth().refresh_count(), 1);
    assert_eq!(a.refresh_count() + b.refresh_count(), 1);
    assert_eq!(sb.oauth().reused_refresh_tokens(), 0);
}

#[tokio::test]
async fn a_used_refresh_token_is_refused_and_ours_never_reuses_one() {
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let store = TokenStore::new(dir.path());
    let entry = login(&sb, &store, None).await;
    let rt = entry.refresh_token.clone().unwrap();
    let form = [
        ("client_id", DEMO_CLIENT_ID),
        ("client_secret", DEMO_CLIENT_SECRET),
        ("grant_type", "refresh_token"),
        ("refresh_token", rt.expose()),
        ("user_type", "Location"),
    ];
    let url = format!("{}/oauth/token", sb.base_url());
    let http = reqwest::Client::new();
    let first = http.post(&url).form(&form).send().await.unwrap();
    assert_eq!(first.status(), 200);
    let second = http.post(&url).form(&form).send().await.unwrap();
    assert_eq!(second.status(), 400);
    let body: serde_json::Value = second.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant");
    assert_eq!(sb.oauth().reused_refresh_tokens(), 1);

    // Our client, through many refreshes from two tasks and two providers, never sends a
    // refresh token twice.
    let sb2 = sandbox().await;
    let dir2 = tempfile::tempdir().unwrap();
    let store2 = TokenStore::new(dir2.path());
    login(&sb2, &store2, None).await;
    let p1 = Arc::new(provider(&sb2, &store2, DEMO_LOCATION_ID));
    let p2 = Arc::new(provider(&sb2, &store2, DEMO_LOCATION_ID));
    let c1 = client_for(&sb2, p1, DEMO_LOCATION_ID);
    let c2 = client_for(&sb2, p2, DEMO_LOCATION_ID);
    for _ in 0..5 {
        sb2.oauth().expire_access_tokens();
        let req = page();
        let (r1, r2) = tokio::join!(c1.search_contacts(&req), c2.search_contacts(&req));
        r1.unwrap();
        r2.unwrap();
    }
    assert_eq!(sb2.oauth().reused_refresh_tokens(), 0);
    assert_eq!(sb2.oauth().refused_refresh_count(), 0);
    assert_eq!(sb2.oauth().refresh_count(), 5);
}

#[tokio::test]
async fn a_refused_refresh_marks_the_location_as_needing_sign_in() {
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let store = TokenStore::new(dir.path());
    let entry = login(&sb, &store, None).await;
    // Someone else (another install) spends our refresh token.
    let url = format!("{}/oauth/token", sb.base_url());
    let spent = reqwest::Client::new()
        .post(&url)
        .form(&[
            ("client_id", DEMO_CLIENT_ID),
            ("client_secret", DEMO_CLIENT_SECRET),
            ("grant_type", "refresh_token"),
            (
                "refresh_token",
                entry.refresh_token.as_ref().unwrap().expose(),
            ),
            ("user_type", "Location"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(spent.status(), 200);
    sb.oauth().expire_access_tokens();
    let p = Arc::new(provider(&sb, &store, DEMO_LOCATION_ID));
    let c = client_for(&sb, p.clone(), DEMO_LOCATION_ID);
    assert!(c.search_contacts(&page()).await.is_err());
    let e = c.search_contacts(&page()).await.unwrap_err();
    assert!(matches!(e, GhlError::Auth(_)), "{e:?}");
    assert!(e.to_string().contains("needs sign-in"), "{e}");
    let stored = store.get(DEMO_LOCATION_ID).unwrap().unwrap();
    assert!(stored.needs_sign_in.is_some());
    // No loop: one refused refresh, however many calls follow.
    assert_eq!(sb.oauth().refused_refresh_count(), 1);
    // Signing in again clears it.
    login(&sb, &store, None).await;
    assert!(store
        .get(DEMO_LOCATION_ID)
        .unwrap()
        .unwrap()
        .needs_sign_in
        .is_none());
}

/// A crash right after the token endpoint answered, before the new pair reached the disk:
/// the documented state (src/auth/mod.rs) is the old, spent pair on disk; the next start's
/// refresh is refused once, the location is marked "needs sign-in", and a new sign-in
/// restores it.
#[tokio::test]
async fn a_crash_before_persisting_leaves_a_recoverable_state() {
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let store = TokenStore::new(dir.path());
    let old = login(&sb, &store, None).await;
    sb.oauth().expire_access_tokens();
    let crashing = provider(&sb, &store, DEMO_LOCATION_ID).with_hook(Arc::new(|stage| {
        if stage == RefreshStage::Answered {
            Err("simulated crash after the token endpoint answered".into())
        } else {
            Ok(())
        }
    }));
    let c = client_for(&sb, Arc::new(crashing), DEMO_LOCATION_ID);
    assert!(c.search_contacts(&page()).await.is_err());
    assert_eq!(sb.oauth().refresh_count(), 1, "GHL did rotate");
    // On disk: the whole file, with the old pair.
    let on_disk = store.get(DEMO_LOCATION_ID).unwrap().unwrap();
    assert_eq!(on_disk.refresh_token, old.refresh_token);
    // "Restart": a fresh provider refreshes with the spent token, is refused once, marks it.
    let restarted = Arc::new(provider(&sb, &store, DEMO_LOCATION_ID));
    let c = client_for(&sb, restarted, DEMO_LOCATION_ID);
    let e = c.search_contacts(&page()).await.unwrap_err();
    let e2 = c.search_contacts(&page()).await.unwrap_err();
    assert!(e2.to_string().contains("needs sign-in"), "{e} / {e2}");
    assert!(store
        .get(DEMO_LOCATION_ID)
        .unwrap()
        .unwrap()
        .needs_sign_in
        .is_some());
    assert_eq!(sb.oauth().refused_refresh_count(), 1);
    // Recovery: sign in again.
    login(&sb, &store, None).await;
    let c = client_for(
        &sb,
        Arc::new(provider(&sb, &store, DEMO_LOCATION_ID)),
        DEMO_LOCATION_ID,
    );
    assert!(c.search_contacts(&page()).await.is_ok());
}

/// A crash right after the new pair was saved: the next start just uses it.
#[tokio::test]
async fn a_crash_after_persisting_needs_nothing() {
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let store = TokenStore::new(dir.path());
    let old = login(&sb, &store, None).await;
    sb.oauth().expire_access_tokens();
    let crashing = provider(&sb, &store, DEMO_LOCATION_ID).with_hook(Arc::new(|stage| {
        if stage == RefreshStage::Persisted {
            Err("simulated crash after saving".into())
        } else {
            Ok(())
        }
    }));
    let c = client_for(&sb, Arc::new(crashing), DEMO_LOCATION_ID);
    assert!(c.search_contacts(&page()).await.is_err());
    let on_disk = store.get(DEMO_LOCATION_ID).unwrap().unwrap();
    assert_ne!(on_disk.refresh_token, old.refresh_token, "new pair on disk");
    let c = client_for(
        &sb,
        Arc::new(provider(&sb, &store, DEMO_LOCATION_ID)),
        DEMO_LOCATION_ID,
    );
    assert!(c.search_contacts(&page()).await.is_ok());
    assert_eq!(sb.oauth().refresh_count(), 1, "no second refresh");
    assert_eq!(sb.oauth().refused_refresh_count(), 0);
}

#[tokio::test]
async fn read_only_scopes_name_the_missing_scope() {
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let store = TokenStore::new(dir.path());
    let (tx, rx) = tokio::sync::oneshot::channel::<String>();
    let read = async move { Ok(approve(&rx.await.unwrap(), None).await) };
    let mut o = opts(&sb);
    o.scopes = bmby_ghl::auth::endpoint::read_only_scopes();
    let entry = flow::paste(
        &settings(&sb),
        &store,
        &o,
        |u| tx.send(u.into()).unwrap(),
        read,
    )
    .await
    .unwrap();
    assert!(entry.read_only_reason().is_some());
    let c = client_for(
        &sb,
        Arc::new(provider(&sb, &store, DEMO_LOCATION_ID)),
        DEMO_LOCATION_ID,
    );
    let p = c.search_contacts(&page()).await.unwrap();
    let id = p.contacts[0].id.clone();
    let mut body = serde_json::Map::new();
    body.insert("firstName".into(), "X".into());
    let e = c.update_contact(&id, &body).await.unwrap_err();
    assert_eq!(e.status(), Some(401));
    assert!(e.to_string().contains("contacts.write"), "{e}");
}

#[tokio::test]
async fn bad_client_credentials_are_refused_without_storing() {
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let store = TokenStore::new(dir.path());
    let mut s = settings(&sb);
    s.client_secret = Some(Secret::new("wrong"));
    let (tx, rx) = tokio::sync::oneshot::channel::<String>();
    let read = async move { Ok(approve(&rx.await.unwrap(), None).await) };
    let r = flow::paste(&s, &store, &opts(&sb), |u| tx.send(u.into()).unwrap(), read).await;
    match r {
        Err(LoginError::Endpoint(e)) => {
            let m = e.to_string();
            assert!(m.contains("invalid_client"), "{m}");
            assert!(!m.contains("wrong"), "the secret is not echoed: {m}");
        }
        other => panic!("{other:?}"),
    }
    assert!(store.load().unwrap().is_empty());
}

#[tokio::test]
async fn an_oauth_token_works_only_for_its_own_location() {
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let store = TokenStore::new(dir.path());
    let second = login(&sb, &store, Some(SECOND_LOCATION_ID)).await;
    let http = reqwest::Client::new();
    let get = |loc: &str| {
        http.get(format!("{}/locations/{loc}", sb.base_url()))
            .bearer_auth(second.access_token.expose())
            .header("Version", "2021-07-28")
            .send()
    };
    let own = get(SECOND_LOCATION_ID).await.unwrap();
    assert_eq!(own.status(), 200);
    let body: serde_json::Value = own.json().await.unwrap();
    assert_eq!(body["location"]["name"], "Second Office");
    let other = get(DEMO_LOCATION_ID).await.unwrap();
    assert_eq!(other.status(), 403);
    // After it expires, GHL's gate says so (and our client would refresh).
    sb.oauth().expire_access_tokens();
    let expired = get(SECOND_LOCATION_ID).await.unwrap();
    assert_eq!(expired.status(), 401);
    let body: serde_json::Value = expired.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("expired"));
}

/// A running process follows the token store: `auth logout` elsewhere stops its requests at
/// once, a new `auth login` elsewhere is used without a restart.
#[tokio::test]
async fn a_running_provider_follows_logout_and_a_new_login_elsewhere() {
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let store = TokenStore::new(dir.path());
    login(&sb, &store, None).await;
    let p = Arc::new(provider(&sb, &store, DEMO_LOCATION_ID));
    let c = client_for(&sb, p.clone(), DEMO_LOCATION_ID);
    c.search_contacts(&page()).await.unwrap();
    // Another process signs out.
    assert!(store.remove(DEMO_LOCATION_ID).unwrap());
    let before = sb.requests().len();
    let err = c.search_contacts(&page()).await.unwrap_err();
    assert!(matches!(err, GhlError::Auth(_)), "{err}");
    assert!(err.to_string().contains("not signed in any more"), "{err}");
    assert_eq!(
        sb.requests().len(),
        before,
        "nothing was sent for a signed-out location"
    );
    // Another process signs in again: the new tokens are used as they are.
    let fresh = login(&sb, &store, None).await;
    c.search_contacts(&page()).await.unwrap();
    assert_eq!(p.entry().await.access_token, fresh.access_token);
    assert_eq!(p.refresh_count(), 0);
}

#[test]
fn a_pasted_url_broken_over_lines_or_quoted_is_read_whole() {
    use bmby_ghl::auth::login::parse_pasted;
    let url = "http://127.0.0.1:8976/callback?code=abc123&state=s7";
    assert_eq!(parse_pasted(url, "s7").unwrap(), "abc123");
    let wrapped = "http://127.0.0.1:8976/callback?code=abc1\n23&state=s7\n";
    assert_eq!(parse_pasted(wrapped, "s7").unwrap(), "abc123");
    for quoted in [
        format!("\"{url}\""),
        format!("<{url}>"),
        format!("  {url}  "),
    ] {
        assert_eq!(parse_pasted(&quoted, "s7").unwrap(), "abc123", "{quoted}");
    }
    assert_eq!(parse_pasted(url, "other"), Err(FinishError::WrongState));
}
