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

/// `<tmp>/<name>/`: the published document beside our vendor.yaml, no overlays (and so none
/// of the callbacks whose payload schema only our overlays add: Adyen's and PayPal's documents
/// describe no webhook).
fn assemble(name: &str, into: &Path) -> PathBuf {
    let published = workspace().join("../shared/realspecs").join(name);
    let dir = into.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    let mut schemas = String::new();
    for document in ["openapi.json", "openapi.yaml"] {
        if published.join(document).is_file() {
            std::fs::copy(published.join(document), dir.join(document)).unwrap();
            schemas = std::fs::read_to_string(published.join(document)).unwrap();
        }
    }
    let ours = workspace()
        .join("corpus/vendors")
        .join(name)
        .join("vendor.yaml");
    let mut profile: serde_json::Value =
        serde_saphyr::from_str(&std::fs::read_to_string(ours).unwrap()).unwrap();
    if let Some(callbacks) = profile
        .get_mut("callbacks")
        .and_then(serde_json::Value::as_object_mut)
    {
        // A component named in the published text is there (a crude test, enough here).
        callbacks.retain(|_, callback| {
            let schema = callback["schema"].as_str().unwrap_or_default();
            schemas.contains(&format!("\"{schema}\""))
        });
    }
    std::fs::write(
        dir.join("vendor.yaml"),
        serde_saphyr::to_string(&profile).unwrap(),
    )
    .unwrap();
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
        &["/paths/~1v2~1onramp~1limits~1upgrade/post/responses"],
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

/// vendor.yaml's `idempotency:` over the published documents: every Stripe POST carries the
/// key as a header parameter the spec never declared; PayPal's declared `PayPal-Request-Id` is
/// kept as declared, not doubled; every Square write whose body has `idempotency_key` carries
/// it, no longer required of the caller (the runtime fills it), and nothing else does.
#[test]
fn idempotency_keys_go_where_each_vendor_takes_them() {
    let scratch = tempfile::tempdir().unwrap();
    let header_of = |vendor: &payspec_codegen::Vendor, id: &str, name: &str| {
        vendor
            .operations
            .iter()
            .find(|o| o.id == id)
            .unwrap()
            .params
            .iter()
            .filter(|p| p.location == "header" && p.name.eq_ignore_ascii_case(name))
            .count()
    };

    let stripe = load_vendor(&assemble("stripe", scratch.path())).unwrap();
    let posts: Vec<_> = stripe
        .operations
        .iter()
        .filter(|o| o.method == "POST")
        .collect();
    assert!(
        posts.len() >= 3,
        "the sample of vendor.yaml: {}",
        posts.len()
    );
    assert!(posts.iter().all(|o| o.idempotent), "every Stripe POST");
    assert!(
        stripe
            .operations
            .iter()
            .filter(|o| o.method != "POST")
            .all(|o| !o.idempotent)
    );
    assert_eq!(header_of(&stripe, &posts[0].id, "Idempotency-Key"), 1);

    let paypal = load_vendor(&assemble("paypal_orders", scratch.path())).unwrap();
    let create = paypal
        .operations
        .iter()
        .find(|o| o.id == "orders_create")
        .unwrap();
    assert!(create.idempotent);
    assert_eq!(
        header_of(&paypal, "orders_create", "PayPal-Request-Id"),
        1,
        "declared once"
    );

    let square = load_vendor(&assemble("square", scratch.path())).unwrap();
    let keyed: Vec<&str> = square
        .operations
        .iter()
        .filter(|o| o.idempotent)
        .map(|o| o.id.as_str())
        .collect();
    assert!(keyed.contains(&"create_payment"), "{keyed:?}");
    assert!(!keyed.contains(&"list_payments"));
    let raw: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(scratch.path().join("square/openapi.json")).unwrap(),
    )
    .unwrap();
    let required = |doc: &serde_json::Value| {
        doc.pointer("/components/schemas/CreatePaymentRequest/required")
            .and_then(|r| r.as_array())
            .is_some_and(|r| r.iter().any(|f| f == "idempotency_key"))
    };
    assert!(required(&raw), "Square's document requires the key");
    let normalized = serde_json::to_value(&square.spec).unwrap();
    assert!(
        !required(&normalized),
        "the caller no longer has to invent it"
    );
    // A Square write without the field in its body is sent without a key (and not retried).
    let unkeyed_writes = square
        .operations
        .iter()
        .filter(|o| o.method == "POST" && !o.idempotent)
        .count();
    assert!(unkeyed_writes > 0);
    assert!(keyed.len() > 50, "{}", keyed.len());
}

/// vendor.yaml's `pagination:` over the published documents: Stripe's `get_*` recipe pages
/// exactly the operations with `starting_after` and a `data` list (not the single-object
/// reads it also names), typed by their components; Square's cursors in the query and in the
/// body page the operations they name; PayPal's page numbers page a payout batch's items.
#[test]
fn pagination_recipes_page_the_lists_they_name() {
    let scratch = tempfile::tempdir().unwrap();
    let paged = |vendor: &payspec_codegen::Vendor| -> Vec<(String, Option<String>)> {
        vendor
            .operations
            .iter()
            .filter_map(|o| Some((o.id.clone(), o.paged.as_ref()?.item.clone())))
            .collect()
    };
    let stripe = load_vendor(&assemble("stripe", scratch.path())).unwrap();
    assert_eq!(
        paged(&stripe),
        [
            ("get_customers".to_owned(), Some("Customer".to_owned())),
            ("get_events".to_owned(), Some("Event".to_owned())),
        ]
    );
    assert!(stripe.warnings.is_empty(), "{:?}", stripe.warnings);
    let square = load_vendor(&assemble("square", scratch.path())).unwrap();
    let mut square_paged = paged(&square);
    square_paged.sort();
    assert_eq!(
        square_paged,
        [
            ("list_customers".to_owned(), Some("Customer".to_owned())),
            ("list_payments".to_owned(), Some("Payment".to_owned())),
            ("search_orders".to_owned(), Some("Order".to_owned())),
        ]
    );
    // PayPal pages a payout batch's items by page number.
    let paypal = load_vendor(&assemble("paypal_payouts", scratch.path())).unwrap();
    assert_eq!(
        paged(&paypal),
        [(
            "payouts_get".to_owned(),
            Some("PayoutBatchItems".to_owned())
        )]
    );
    assert!(paypal.warnings.is_empty(), "{:?}", paypal.warnings);
}
