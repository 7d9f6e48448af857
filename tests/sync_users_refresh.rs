//! The location's users come with the contacts (issue #11): every pull of the TUI's worker
//! refreshes `GET /users/` from the stand-in into the cache and says so
//! (`SyncEvent::UsersLoaded`), after the pull's own `PullFinished`; a token without the
//! `users.readonly` scope gets the scope named, and the pull still succeeds.

use crate::ghl_support;

use std::sync::Arc;
use std::time::Duration;

use bmby_ghl::auth::flow::{self, LoginOptions};
use bmby_ghl::auth::{OAuthProvider, OAuthSettings, TokenEndpoint, TokenStore, SCOPES};
use bmby_ghl::ghl::Secret;
use bmby_ghl::ghl::{ClientConfig, GhlClient};
use bmby_ghl::sandbox::{
    Sandbox, SandboxConfig, Seed, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_LOCATION_ID,
};
use bmby_ghl::store::Store;
use bmby_ghl::sync::ops::{cached_list, cached_users, ListKind};
use bmby_ghl::sync::{worker, SyncEvent};

async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig {
        seed: Seed::Generated { contacts: 12 },
        ..Default::default()
    })
    .await
    .unwrap()
}

/// Runs the worker's start-up pull on `client` and returns the events up to and including
/// `UsersLoaded` (or a failed pull).
async fn pull_events(client: GhlClient, store: &Store) -> Vec<SyncEvent> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let _jobs = worker::spawn(
        client,
        store.clone(),
        tx,
        worker::WorkerConfig {
            pull_interval: None,
            pull_on_start: true,
            ..Default::default()
        },
    );
    let mut seen = Vec::new();
    tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            let ev = rx.recv().await.expect("worker alive");
            let done = matches!(
                ev,
                SyncEvent::UsersLoaded { .. } | SyncEvent::PullFailed { .. }
            );
            seen.push(ev);
            if done {
                break;
            }
        }
    })
    .await
    .expect("the pull ends");
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pull_refreshes_the_users() {
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();
    assert!(cached_list(&store, ListKind::Users).unwrap().is_none());
    let seen = pull_events(ghl_support::fast_client(&sb.base_url()), &store).await;
    let finished = seen
        .iter()
        .position(|e| matches!(e, SyncEvent::PullFinished(_)))
        .expect("the pull finished");
    assert!(
        matches!(seen.last(), Some(SyncEvent::UsersLoaded { count: Ok(4) })),
        "{seen:?}"
    );
    assert!(finished < seen.len() - 1, "users after the pull: {seen:?}");
    let users = cached_users(&store);
    assert_eq!(users.display("usrDanaLevi000000001"), "Dana Levi");
    assert_eq!(users.display("usrAviCohen000000002"), "אבי כהן");
    assert_eq!(users.display("nobody"), "unknown user (id nobody)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_users_scope_is_named_and_the_pull_stands() {
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    // Signed in with every scope but users.readonly.
    let tokens = TokenStore::new(dir.path());
    let settings = OAuthSettings {
        client_id: Some(DEMO_CLIENT_ID.into()),
        client_secret: Some(Secret::new(DEMO_CLIENT_SECRET)),
        auth_url: sb.auth_url(),
        token_url: format!("{}/oauth/token", sb.base_url()),
        redirect_uri: "http://127.0.0.1:0/callback".into(),
    };
    let opts = LoginOptions {
        scopes: SCOPES
            .iter()
            .filter(|s| **s != "users.readonly")
            .map(|s| s.to_string())
            .collect(),
        timeout: Duration::from_secs(30),
        base_url: sb.base_url(),
    };
    let (tx, rx) = tokio::sync::oneshot::channel::<String>();
    let read = async move {
        let url = rx.await.unwrap();
        let r = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .get(url)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 302);
        Ok(r.headers()["location"].to_str().unwrap().to_owned())
    };
    let entry = flow::paste(
        &settings,
        &tokens,
        &opts,
        |u| tx.send(u.into()).unwrap(),
        read,
    )
    .await
    .unwrap();
    assert!(!entry.scopes.iter().any(|s| s == "users.readonly"));
    let provider = OAuthProvider::new(tokens.clone(), entry, TokenEndpoint::new(&settings));
    let client = GhlClient::new(
        ClientConfig::new(&sb.base_url(), DEMO_LOCATION_ID),
        Arc::new(provider),
    )
    .unwrap();

    let store = Store::open(&dir.path().join("cache"), DEMO_LOCATION_ID).unwrap();
    let seen = pull_events(client, &store).await;
    assert!(
        seen.iter().any(|e| matches!(e, SyncEvent::PullFinished(_))),
        "the pull stands: {seen:?}"
    );
    match seen.last() {
        Some(SyncEvent::UsersLoaded { count: Err(e) }) => {
            assert!(e.contains("users.readonly"), "the scope is named: {e}")
        }
        other => panic!("{other:?}"),
    }
    assert!(store.contact_count() > 0);
    assert!(cached_users(&store).is_empty());
}

/// A token GHL refuses (401) makes the worker say `SignInNeeded` (decided by the error's
/// kind, not its text) before the pull's `PullFailed`; a pull that succeeds never says it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_token_says_sign_in_needed_before_the_failed_pull() {
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();
    let mut cfg = ClientConfig::new(&sb.base_url(), DEMO_LOCATION_ID);
    cfg.backoff_base = Duration::from_millis(2);
    cfg.backoff_cap = Duration::from_millis(20);
    let refused = GhlClient::new(
        cfg,
        Arc::new(bmby_ghl::ghl::PrivateIntegrationToken(Secret::new(
            "pit-not-issued-by-this-stand-in",
        ))),
    )
    .unwrap();
    let seen = pull_events(refused, &store).await;
    let n = seen.len();
    assert!(n >= 2, "{seen:?}");
    assert!(
        matches!(&seen[n - 2], SyncEvent::SignInNeeded { message } if !message.is_empty()),
        "{seen:?}"
    );
    assert!(
        matches!(seen[n - 1], SyncEvent::PullFailed { .. }),
        "{seen:?}"
    );

    let ok = pull_events(ghl_support::fast_client(&sb.base_url()), &store).await;
    assert!(
        !ok.iter()
            .any(|e| matches!(e, SyncEvent::SignInNeeded { .. })),
        "{ok:?}"
    );
}
