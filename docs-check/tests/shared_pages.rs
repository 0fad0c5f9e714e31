//! The vendors' own pages as the test of our specs: `docs check` over every stored page of
//! every vendor (../shared/docs-pages/<vendor>/ and ../shared/seeds/) finds nothing that is
//! neither fixed in the spec nor acknowledged in `specs/<vendor>/docs-ack.yaml`, and no
//! acknowledgement is stale. So a spec edit that contradicts a page fails here.
//!
//! Mutations: a copy of each vendor's spec with a documented field, enum value or operation
//! removed is reported against the page that documents it.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::{Path, PathBuf};

use payspec_docs::finding::Kind;
use serde_json::Value;

const VENDORS: [&str; 5] = ["rio", "xpays", "westminister", "paywall", "onekey"];

#[path = "support/stored_pages.rs"]
mod stored_pages;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The stored pages and the seed of a vendor.
fn pages(vendor: &str) -> Vec<payspec_docs::page::Page> {
    stored_pages::pages(&workspace(), vendor)
}

#[test]
fn every_stored_page_agrees_with_its_spec_or_is_acknowledged() {
    let mut problems = Vec::new();
    for vendor in VENDORS {
        let pages = pages(vendor);
        assert!(pages.len() >= 3, "{vendor}: {} pages", pages.len());
        let report = payspec_docs::check(&workspace().join("specs").join(vendor), &pages).unwrap();
        problems.extend(report.open.iter().map(|f| f.to_string()));
        problems.extend(report.stale.iter().map(|a| {
            format!(
                "{vendor}: stale acknowledgement {} {} {:?}",
                a.kind, a.pointer, a.docs
            )
        }));
    }
    assert!(
        problems.is_empty(),
        "{} findings:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// A copy of `specs/<vendor>` whose spec file lacks what `pointer` names.
fn mutated(vendor: &str, pointer: &str) -> tempfile::TempDir {
    let scratch = tempfile::tempdir().unwrap();
    let from = workspace().join("specs").join(vendor);
    let to = scratch.path().join(vendor);
    copy(&from, &to);
    let file = ["openapi.yaml", "openapi.json"]
        .iter()
        .map(|n| to.join(n))
        .find(|p| p.is_file())
        .unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    let mut spec: Value = serde_saphyr::from_str(&text).unwrap();
    let (parent, last) = pointer.rsplit_once('/').unwrap();
    let last = last.replace("~1", "/").replace("~0", "~");
    match spec
        .pointer_mut(parent)
        .unwrap_or_else(|| panic!("{vendor}: no {parent}"))
    {
        Value::Object(map) => assert!(map.shift_remove(&last).is_some(), "{vendor}: no {pointer}"),
        Value::Array(items) => {
            let at = items
                .iter()
                .position(|v| v.as_str() == Some(last.as_str()))
                .unwrap_or_else(|| panic!("{vendor}: no {pointer}"));
            items.remove(at);
        }
        other => panic!("{vendor}: {parent} is {other}"),
    }
    let text = if file.extension().unwrap() == "json" {
        serde_json::to_string_pretty(&spec).unwrap()
    } else {
        serde_saphyr::to_string(&spec).unwrap()
    };
    std::fs::write(&file, text).unwrap();
    if let Some(id) = removed_operation(vendor, pointer) {
        forget_operation(&to.join("vendor.yaml"), &id);
    }
    scratch
}

/// The snake_case operationId of the operation `pointer` removes, if it names one (read from
/// the vendor's spec after its overlays).
fn removed_operation(vendor: &str, pointer: &str) -> Option<String> {
    let method = pointer.rsplit('/').next()?;
    if !payspec_profile::openapi::METHODS.contains(&method) {
        return None;
    }
    let loaded = payspec_codegen::load_vendor(&workspace().join("specs").join(vendor)).unwrap();
    let spec: Value = serde_json::from_str(&loaded.raw_spec).unwrap();
    let id = spec
        .pointer(pointer)?
        .get("operationId")?
        .as_str()?
        .to_owned();
    Some(payspec_codegen::snake_case(&id))
}

/// vendor.yaml without what names `operation` (its sandbox resource entry, demo steps, auth
/// choice and the unified cancel built on it),
/// as a person removing the operation would leave it.
fn forget_operation(profile: &Path, operation: &str) {
    let mut yaml: Value =
        serde_saphyr::from_str(&std::fs::read_to_string(profile).unwrap()).unwrap();
    if let Some(resources) = yaml
        .pointer_mut("/sandbox/resources")
        .and_then(Value::as_object_mut)
    {
        for resource in resources.values_mut() {
            for key in ["operations", "record_at"] {
                if let Some(map) = resource.get_mut(key).and_then(Value::as_object_mut) {
                    map.shift_remove(operation);
                }
            }
        }
    }
    if let Some(demo) = yaml
        .pointer_mut("/sandbox/demo")
        .and_then(Value::as_array_mut)
    {
        demo.retain(|step| step["operation"] != operation);
    }
    if let Some(auth) = yaml
        .pointer_mut("/auth/operations")
        .and_then(Value::as_object_mut)
    {
        auth.shift_remove(operation);
    }
    let map = yaml.as_object_mut().unwrap();
    if map
        .get("cancel")
        .is_some_and(|c| c["operation"] == operation)
    {
        map.shift_remove("cancel");
    }
    std::fs::write(profile, serde_saphyr::to_string(&yaml).unwrap()).unwrap();
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.path().is_dir() {
            copy(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

/// (vendor, what to remove from the spec file, the finding expected, a word of the page that
/// documents it, the value the finding names).
const MUTATIONS: &[(&str, &str, Kind, &str, &str)] = &[
    (
        "rio",
        "/components/schemas/crypto/enum/USDT_BSC",
        Kind::EnumValue,
        "rio-cancel-bulk-crypto-payment",
        "USDT_BSC",
    ),
    (
        "rio",
        "/components/schemas/responseBulkCryptoPaymentSchema/properties/orderIdsPaid",
        Kind::UnknownField,
        "rio-cancel-bulk-crypto-payment",
        "orderIdsPaid",
    ),
    (
        "xpays",
        "/components/schemas/Payment/properties/seq_num",
        Kind::UnknownField,
        "cancel-payment",
        "seq_num",
    ),
    (
        "paywall",
        "/paths/~1api~1paywall~1payment~1bulk~1payment~1cancel/post/requestBody/content/application~1json/schema/properties/MerchantUniqueCode",
        Kind::UnknownField,
        "cancellation-batch",
        "MerchantUniqueCode",
    ),
    // GitBook's one-line form: `POST {{Base Address}}/api/paywall/private/cancel`.
    (
        "paywall",
        "/paths/~1api~1paywall~1private~1cancel/post",
        Kind::UnknownOperation,
        "11.-cancellation",
        "POST /api/paywall/private/cancel",
    ),
    // The response tab rendered as a bare example right after the request's field table.
    (
        "onekey",
        "/paths/~1cashout~1cancel/delete/responses/200/content/application~1json/schema/properties/cashout_status_description",
        Kind::UnknownField,
        "cashout-cancel-endpoint?fallback",
        "cashout_status_description",
    ),
    (
        "onekey",
        "/components/schemas/CashoutRequest/properties/beneficiary_lastname",
        Kind::UnknownField,
        "cashout-creation",
        "beneficiary_lastname",
    ),
    (
        "westminister",
        "/paths/~1api~1v1~1auth~1otc~1deposits~1draft/post",
        Kind::UnknownOperation,
        "create-otc-deposit-draft",
        "POST /api/v1/auth/otc/deposits/draft",
    ),
    (
        "westminister",
        "/components/schemas/OrderStatus/enum/cancelled",
        Kind::EnumValue,
        "cancel-order",
        "cancelled",
    ),
];

#[test]
fn a_removed_field_enum_value_or_operation_is_reported_against_its_page() {
    for (vendor, pointer, kind, page, value) in MUTATIONS {
        let scratch = mutated(vendor, pointer);
        let report = payspec_docs::check(&scratch.path().join(vendor), &pages(vendor)).unwrap();
        let hit = report
            .open
            .iter()
            .find(|f| f.kind == *kind && f.page.contains(page) && f.docs.contains(value));
        assert!(
            hit.is_some(),
            "{vendor}: removing {pointer} is not reported against a {page} page; findings:\n{}",
            report
                .open
                .iter()
                .map(|f| f.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}
