//! Degrade, don't refuse: one schema the generator cannot type and one operation it cannot
//! express cost only themselves. corpus/vendors/c_degrade has exactly one of each; everything
//! else in it generates (and compiles, in the corpus crate), each degradation is one located
//! warning, and strict mode refuses the document.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::{Path, PathBuf};

use payspec_codegen::{Builder, Severity, generate, load_vendor};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/vendors/c_degrade")
}

#[test]
fn one_untypeable_schema_and_one_inexpressible_operation_cost_only_themselves() {
    let vendor = load_vendor(&fixture()).unwrap();
    assert!(vendor.warnings.is_empty(), "{:?}", vendor.warnings);
    let generated = generate(&vendor).unwrap();
    let warnings: Vec<(&str, Severity)> = generated
        .warnings
        .iter()
        .map(|w| (w.pointer.as_str(), w.severity))
        .collect();
    assert_eq!(
        warnings,
        [
            ("/components/schemas/Unsayable", Severity::Warning),
            ("/paths/~1limits~1upgrade/post", Severity::Warning),
        ]
    );
    assert!(
        generated.warnings[0]
            .message
            .starts_with("typed as any JSON")
    );
    assert!(
        generated.warnings[1]
            .message
            .starts_with("operation \"upgrade_limits\" left out"),
        "{}",
        generated.warnings[1].message
    );
    assert_eq!(generated.operations, ["get_thing", "list_things"]);
    let source = payspec_codegen::generate_formatted(&vendor)
        .unwrap()
        .source();
    // The schema that could not be typed keeps its name and holds any JSON.
    assert!(
        source.contains("pub struct Unsayable(pub ::payspec_runtime::deps::serde_json::Value);"),
        "the degraded type"
    );
    assert!(source.contains("pub event: ::std::option::Option<Unsayable>,"));
    // Left out of the client (named only in the registry's list of degradations).
    assert!(!source.contains("pub fn upgrade_limits"));
    assert!(source.contains("pub fn get_thing"));
    assert!(source.contains(r#"operation \"upgrade_limits\" left out"#));
    // Rendered as a person reads it: `warning: file:line:col: #/pointer: message`.
    let rendered = payspec_codegen::Diagnostics(generated.warnings).render();
    let first = rendered.lines().next().unwrap();
    assert!(first.starts_with("warning: "), "{first}");
    assert!(
        first.contains("c_degrade/openapi.yaml:17:5: #/components/schemas/Unsayable: "),
        "{first}"
    );
}

#[test]
fn the_api_snapshot_lists_the_degradations() {
    let vendor = load_vendor(&fixture()).unwrap();
    let api = payspec_codegen::api(&vendor).unwrap().snapshot();
    let degraded: Vec<&str> = api.lines().filter(|l| l.starts_with("degraded ")).collect();
    assert_eq!(degraded.len(), 2, "{api}");
    assert!(
        degraded[0].contains("#/components/schemas/Unsayable"),
        "{api}"
    );
    assert!(!api.contains("operation upgrade_limits"), "{api}");
}

#[test]
fn strict_builds_refuse_what_plain_builds_degrade() {
    let specs = tempfile::tempdir().unwrap();
    let dir = specs.path().join("c_degrade");
    std::fs::create_dir_all(&dir).unwrap();
    for file in ["openapi.yaml", "vendor.yaml"] {
        std::fs::copy(fixture().join(file), dir.join(file)).unwrap();
    }
    let out = tempfile::tempdir().unwrap();
    let built = Builder::new(specs.path())
        .out_dir(out.path())
        .generate()
        .unwrap();
    assert_eq!(built.warnings.len(), 2);
    assert!(out.path().join("c_degrade.rs").is_file());
    // A second build finds the module fresh and still reports its warnings.
    let again = Builder::new(specs.path())
        .out_dir(out.path())
        .generate()
        .unwrap();
    assert!(again.regenerated.is_empty());
    assert_eq!(again.warnings, built.warnings);
    let refused = Builder::new(specs.path())
        .out_dir(out.path())
        .strict(true)
        .generate()
        .unwrap_err();
    assert_eq!(refused.0.len(), 2);
    assert!(refused.0.iter().all(|d| d.severity == Severity::Error));
}

/// A paged list whose builder has a parameter named like the private method its typed pages
/// are built with: that builder goes without `pages()` and `stream()`, one located warning
/// says so, and the rest of the vendor is generated as usual.
#[test]
fn a_paged_list_whose_parameter_takes_the_pagers_name_loses_only_its_typed_pages() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("paged");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(
        dir.join("openapi.yaml"),
        "openapi: 3.0.3\ninfo: {title: Paged, version: '1'}\npaths:\n  /orders:\n    get:\n      operationId: listOrders\n      parameters:\n        - {name: built_request, in: query, schema: {type: string}}\n        - {name: cursor, in: query, schema: {type: string}}\n      responses:\n        '200':\n          description: Orders\n          content:\n            application/json:\n              schema:\n                type: object\n                properties:\n                  data: {type: array, items: {type: string}}\n                  next: {type: string}\n  /refunds:\n    get:\n      operationId: listRefunds\n      parameters:\n        - {name: cursor, in: query, schema: {type: string}}\n      responses:\n        '200':\n          description: Refunds\n          content:\n            application/json:\n              schema:\n                type: object\n                properties:\n                  data: {type: array, items: {type: string}}\n                  next: {type: string}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("vendor.yaml"),
        "vendor: paged\ntitle: Paged\nservers:\n  local: https://paged.invalid\ndefault_server: local\ncredentials:\n  key: {}\nauth:\n  default: key\n  schemes:\n    key:\n      headers:\n        X-Key: { credential: key }\npagination:\n  lists:\n    operations: [list_orders, list_refunds]\n    items: /data\n    cursor: { query: cursor, from: /next }\n",
    )
    .unwrap();
    let vendor = load_vendor(&dir).unwrap();
    let generated = payspec_codegen::generate_formatted(&vendor).unwrap();
    let warnings: Vec<(&str, &str)> = generated
        .warnings
        .iter()
        .map(|w| (w.pointer.as_str(), w.message.as_str()))
        .collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0].0, "/paths/~1orders/get");
    assert!(
        warnings[0].1.starts_with("no typed pages()"),
        "{warnings:?}"
    );
    assert_eq!(generated.operations, ["list_orders", "list_refunds"]);
    let source = generated.source();
    // The other list is paged, through the one private method; this one's setter is kept.
    assert_eq!(source.matches("pub fn pages(").count(), 1, "{source}");
    assert!(source.contains("pub fn built_request<V>(mut self, value: V)"));
}
