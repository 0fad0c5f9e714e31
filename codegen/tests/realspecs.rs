//! The nine published documents of ../shared/realspecs, each with our vendor.yaml
//! (corpus/vendors/<name>/) and no overlay at all: every one generates, and what had to be
//! degraded is exactly the list below, each located. (The corpus crate compiles them, with the
//! overlays that correct what the vendors got wrong.)

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::{Path, PathBuf};

use payspec_codegen::{generate, load_vendor};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `<tmp>/<name>/`: the published document beside our vendor.yaml, no overlays.
fn assemble(name: &str, into: &Path) -> PathBuf {
    let published = workspace().join("../shared/realspecs").join(name);
    let dir = into.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    for document in ["openapi.json", "openapi.yaml"] {
        if published.join(document).is_file() {
            std::fs::copy(published.join(document), dir.join(document)).unwrap();
        }
    }
    let ours = ["corpus/vendors", "corpus/checked"]
        .iter()
        .map(|d| workspace().join(d).join(name).join("vendor.yaml"))
        .find(|p| p.is_file())
        .unwrap();
    std::fs::copy(ours, dir.join("vendor.yaml")).unwrap();
    dir
}

/// Each document, and the pointers of what generating it degraded.
const EXPECTED: [(&str, &[&str]); 9] = [
    ("adyen_payment", &[]),
    ("adyen_checkout", &[]),
    ("paypal_payouts", &[]),
    ("paypal_orders", &[]),
    ("plaid", &[]),
    (
        "coinbase_cdp",
        &["/paths/~1v2~1onramp~1limits~1upgrade/post"],
    ),
    (
        "moov_ach",
        &[
            "/paths/~1files~1{fileID}/post/responses/400/content/application~1json/schema/$ref",
            "/paths/~1files~1{fileID}~1new/post/responses/400/content/application~1json/schema/$ref",
            "/paths/~1files~1{fileID}~1validate/post/responses/200/content/application~1json/schema/$ref",
            "/paths/~1files~1{fileID}~1segment/post/responses/400/content/application~1json/schema/$ref",
            "/paths/~1files~1{fileID}~1flatten/post/responses/400/content/application~1json/schema/$ref",
            "/paths/~1files~1{fileID}~1reverse/post/responses/400/content/application~1json/schema/$ref",
            "/paths/~1files~1{fileID}~1batches/post/responses/400/content/application~1json/schema/$ref",
            "/paths/~1segment/post/responses/400/content/application~1json/schema/$ref",
            "/paths/~1merge/post/responses/400/content/application~1json/schema/$ref",
        ],
    ),
    (
        "square",
        &[
            "/components/schemas/CatalogItemModifierListInfo/properties/allow_quantities/$ref",
            "/components/schemas/CatalogItemModifierListInfo/properties/is_conversational/$ref",
            "/components/schemas/CatalogItemModifierListInfo/properties/hidden_from_customer_override/$ref",
            "/components/schemas/CatalogModifierOverride/properties/hidden_online_override/$ref",
            "/components/schemas/CatalogModifierOverride/properties/on_by_default_override/$ref",
        ],
    ),
    ("stripe", &[]),
];

#[test]
fn every_published_document_generates_with_no_overlay_and_its_degradations_listed() {
    let scratch = tempfile::tempdir().unwrap();
    let mut found = Vec::new();
    for (name, expected) in EXPECTED {
        let dir = assemble(name, scratch.path());
        let vendor = load_vendor(&dir).unwrap_or_else(|d| panic!("{name}:\n{}", d.render()));
        let generated = generate(&vendor).unwrap_or_else(|d| panic!("{name}:\n{}", d.render()));
        let pointers: Vec<&str> = generated
            .warnings
            .iter()
            .map(|w| w.pointer.as_str())
            .collect();
        if pointers != expected {
            found.push(format!(
                "{name}:\n{}",
                payspec_codegen::Diagnostics(generated.warnings.clone()).render()
            ));
        }
        assert!(!generated.operations.is_empty(), "{name}");
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}
