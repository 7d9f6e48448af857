//! The catalog of Contacts API operations (`bmby-ghl op list`) against GHL's OpenAPI file
//! `apps/contacts.json`: every operation (method + path) has exactly one entry, with the spec's
//! operationId and scope, and is either reached (TUI action or `op` command) or left out with a
//! written reason. Reads `../shared/ghl-api/apps/contacts.json` when present, else the
//! extraction in `tests/fixtures/ghl_contacts_operations.json` (and checks that copy against the
//! file when both are there).

use std::path::PathBuf;

use bmby_ghl::ops::CATALOG;
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct SpecOp {
    method: String,
    path: String,
    operation_id: String,
    scopes: Vec<String>,
}

fn spec_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/ghl-api/apps/contacts.json")
}

/// The operations of the OpenAPI document `doc`, sorted.
fn from_spec(doc: &Value) -> Vec<SpecOp> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, o) in item.as_object().expect("path item") {
            if !["get", "post", "put", "delete", "patch"].contains(&method.as_str()) {
                continue;
            }
            let mut scopes: Vec<String> = o["security"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_object)
                .flat_map(|m| m.values())
                .filter_map(Value::as_array)
                .flatten()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect();
            scopes.sort();
            scopes.dedup();
            out.push(SpecOp {
                method: method.to_uppercase(),
                path: path.clone(),
                operation_id: o["operationId"].as_str().unwrap_or_default().to_owned(),
                scopes,
            });
        }
    }
    out.sort();
    out
}

fn from_fixture() -> Vec<SpecOp> {
    let text = include_str!("fixtures/ghl_contacts_operations.json");
    let doc: Value = serde_json::from_str(text).unwrap();
    let mut out: Vec<SpecOp> = doc["operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| SpecOp {
            method: o["method"].as_str().unwrap().to_owned(),
            path: o["path"].as_str().unwrap().to_owned(),
            operation_id: o["operationId"].as_str().unwrap().to_owned(),
            scopes: o["scopes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().to_owned())
                .collect(),
        })
        .collect();
    out.sort();
    out
}

/// The spec's operations: from the shared file when present, else the fixture.
fn spec_ops() -> Vec<SpecOp> {
    match std::fs::read_to_string(spec_file()) {
        Ok(text) => from_spec(&serde_json::from_str(&text).expect("contacts.json is JSON")),
        Err(_) => from_fixture(),
    }
}

/// What is wrong between the catalog and `spec` (empty when they agree).
fn problems(spec: &[SpecOp]) -> Vec<String> {
    let mut out = Vec::new();
    for s in spec {
        let hits: Vec<_> = CATALOG
            .iter()
            .filter(|o| o.method == s.method && o.path == s.path)
            .collect();
        let [o] = hits.as_slice() else {
            out.push(format!(
                "{} {} ({}): {} catalog entries, want 1",
                s.method,
                s.path,
                s.operation_id,
                hits.len()
            ));
            continue;
        };
        if o.operation_id != s.operation_id {
            out.push(format!(
                "{} {}: operationId {} in the catalog, {} in the spec",
                s.method, s.path, o.operation_id, s.operation_id
            ));
        }
        match s.scopes.as_slice() {
            [] if o.scope_note.is_none() => out.push(format!(
                "{} {}: the spec lists no scope; the catalog must say why it chose {}",
                s.method, s.path, o.scope
            )),
            [] => {}
            scopes if !scopes.iter().any(|x| x == o.scope) => out.push(format!(
                "{} {}: scope {} in the catalog, {scopes:?} in the spec",
                s.method, s.path, o.scope
            )),
            _ if o.scope_note.is_some() => out.push(format!(
                "{} {}: the spec has a scope; the catalog's note about choosing one is stale",
                s.method, s.path
            )),
            _ => {}
        }
        if !o.offered() && o.reach.reason.is_none_or(|r| r.trim().is_empty()) {
            out.push(format!(
                "{} {} ({}): neither reached nor left out with a reason",
                s.method, s.path, o.name
            ));
        }
        let writes = s.method != "GET" && s.operation_id != "search-contacts-advanced";
        if o.writes != writes {
            out.push(format!(
                "{} {}: writes = {} in the catalog",
                s.method, s.path, o.writes
            ));
        }
    }
    for o in CATALOG {
        if !spec
            .iter()
            .any(|s| s.method == o.method && s.path == o.path)
        {
            out.push(format!(
                "{} {} ({}): in the catalog, not in the spec",
                o.method, o.path, o.name
            ));
        }
    }
    out
}

#[test]
fn every_spec_operation_has_one_catalog_entry_matching_it() {
    let spec = spec_ops();
    assert_eq!(spec.len(), 32, "contacts.json has 32 operations");
    let p = problems(&spec);
    assert!(p.is_empty(), "catalog vs contacts.json:\n{}", p.join("\n"));
    assert_eq!(CATALOG.len(), spec.len());
}

#[test]
fn the_fixture_is_the_shared_spec_when_present() {
    let Ok(text) = std::fs::read_to_string(spec_file()) else {
        eprintln!(
            "{} absent: checked against the fixture only",
            spec_file().display()
        );
        return;
    };
    assert_eq!(
        from_spec(&serde_json::from_str(&text).unwrap()),
        from_fixture(),
        "tests/fixtures/ghl_contacts_operations.json is out of date with contacts.json"
    );
}

#[test]
fn the_check_catches_a_missing_entry_a_wrong_scope_and_an_extra_path() {
    // The check must be able to fail: a spec with an operation the catalog lacks, a scope that
    // differs, and without one the catalog has.
    let mut spec = from_fixture();
    spec.push(SpecOp {
        method: "POST".into(),
        path: "/contacts/{contactId}/something-new".into(),
        operation_id: "something-new".into(),
        scopes: vec!["contacts.write".into()],
    });
    let get = spec
        .iter_mut()
        .find(|s| s.operation_id == "get-contact")
        .unwrap();
    get.scopes = vec!["contacts.write".into()];
    spec.retain(|s| s.operation_id != "get-contacts");
    let p = problems(&spec).join("\n");
    assert!(p.contains("something-new): 0 catalog entries"), "{p}");
    assert!(
        p.contains("GET /contacts/{contactId}: scope contacts.readonly"),
        "{p}"
    );
    assert!(
        p.contains("GET /contacts/ (get-contacts): in the catalog, not in the spec"),
        "{p}"
    );
}

/// Every TUI action the catalog says reaches an operation is an entry of the TUI's one registry
/// of actions (so it is in the help, the palette and the keymap), and every GHL-writing or
/// reading operation offered in the TUI is reached from a registry entry that exists.
#[test]
fn catalog_tui_actions_are_registry_entries() {
    let ids: Vec<&str> = bmby_ghl::tui::registry::all()
        .iter()
        .map(|e| e.id())
        .collect();
    let mut checked = 0;
    for o in CATALOG {
        for a in o.reach.tui {
            assert!(
                ids.contains(a),
                "{} ({} {}) names TUI action {a}, which the registry does not have",
                o.name,
                o.method,
                o.path
            );
            checked += 1;
        }
    }
    assert!(checked >= 20, "the catalog names TUI actions ({checked})");
    // The operations this issue added are reached from the TUI.
    for name in [
        "workflow-add",
        "workflow-remove",
        "campaign-add",
        "campaign-remove",
        "campaign-remove-all",
        "followers-add",
        "followers-remove",
        "bulk-tags",
        "business",
        "business-contacts",
    ] {
        let o = bmby_ghl::ops::catalog::by_name(name).unwrap_or_else(|| panic!("{name}"));
        assert!(!o.reach.tui.is_empty(), "{name} has no TUI action");
    }
}
