//! What the contact-operation dispatch tests share: a stand-in with the demo world pulled into a
//! fresh store (lists cached), proposing an operation, and approving and sending it.
#![allow(dead_code)]

use std::time::Duration;

use bmby_ghl::domain::{ChangeState, ContactOp, FieldChange, Named};
use bmby_ghl::ghl::GhlClient;
use bmby_ghl::sandbox::{Sandbox, SandboxConfig, Seed, DEMO_LOCATION_ID};
use bmby_ghl::store::Store;
use bmby_ghl::sync::{self, dispatch, ops, review};

use crate::ghl_support;

pub struct Env {
    pub sb: Sandbox,
    pub client: GhlClient,
    pub store: Store,
    _dir: tempfile::TempDir,
}

pub async fn env(seed: Seed) -> Env {
    let sb = Sandbox::start(SandboxConfig {
        seed,
        rate_limit_interval: Duration::from_secs(1),
        ..Default::default()
    })
    .await
    .unwrap();
    let client = ghl_support::fast_client(&sb.base_url());
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), DEMO_LOCATION_ID).unwrap();
    sync::pull_contacts(&client, &store, true, |_| {})
        .await
        .unwrap();
    ops::refresh_lists(&client, &store).await;
    Env {
        sb,
        client,
        store,
        _dir: dir,
    }
}

pub fn named(id: &str, name: &str) -> Named {
    Named {
        id: id.into(),
        name: name.into(),
    }
}

pub fn propose(e: &Env, contact: Option<&str>, op: ContactOp, fields: Vec<FieldChange>) -> u64 {
    ops::propose(
        &e.store,
        ops::Proposal {
            contact_id: contact.map(str::to_owned),
            display_name: "Noa Example".into(),
            op,
            fields,
            base_date_updated: None,
        },
    )
    .unwrap()
    .id
}

pub async fn approve_and_send(e: &Env, id: u64) -> ChangeState {
    review::approve(&e.store, id).unwrap();
    dispatch::dispatch_one(&e.client, &e.store, id)
        .await
        .unwrap()
}
