//! A GHL stand-in, a client of it and a cache in a temp dir that has pulled the stand-in's
//! contacts: the setup of the tests that write through the outbox.
#![allow(dead_code)]

use bmby_ghl::domain::FieldChange;
use bmby_ghl::ghl::GhlClient;
use bmby_ghl::sandbox::{Sandbox, SandboxConfig, DEMO_LOCATION_ID};
use bmby_ghl::store::Store;
use bmby_ghl::sync;

/// The stand-in, its client and the pulled cache (dropped with its temp dir).
pub struct Env {
    pub sb: Sandbox,
    pub client: GhlClient,
    pub store: Store,
    pub _dir: tempfile::TempDir,
}

impl Env {
    /// Starts the stand-in with `cfg`, makes its client with `client` (given the stand-in's
    /// base URL), opens a cache in a new temp dir and pulls every contact into it.
    pub async fn pulled(cfg: SandboxConfig, client: impl FnOnce(&str) -> GhlClient) -> Env {
        let sb = Sandbox::start(cfg).await.unwrap();
        let client = client(&sb.base_url());
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();
        sync::pull_contacts(&client, &store, true, |_| {})
            .await
            .unwrap();
        Env {
            sb,
            client,
            store,
            _dir: dir,
        }
    }

    /// [`Env::pulled`] with the tests' fast client (`ghl_support::fast_client`).
    pub async fn pulled_fast(cfg: SandboxConfig) -> Env {
        Self::pulled(cfg, crate::ghl_support::fast_client).await
    }

    /// Caches `contact`'s tasks and notes from the stand-in too.
    pub async fn with_tasks_and_notes(self, contact: &str) -> Env {
        let tasks = self.client.contact_tasks(contact).await.unwrap();
        self.store.put_tasks(contact, &tasks).unwrap();
        let notes = self.client.contact_notes(contact).await.unwrap();
        self.store.put_notes(contact, &notes).unwrap();
        self
    }
}

/// A field change of `f` from `now` to `new`, as an import proposes it (not edited by hand).
pub fn field(f: &str, now: Option<&str>, new: Option<&str>) -> FieldChange {
    FieldChange {
        field: f.into(),
        label: f.into(),
        source_field: f.into(),
        ghl_now: now.map(Into::into),
        proposed: new.map(Into::into),
        edited: false,
        value_json: None,
    }
}
