//! `docs import` over the stored pages (../shared): the OpenAPI blocks the Rio and OneKey pages
//! carry, assembled, against `specs/<vendor>/` after overlays. Every operation a page carries
//! must be the spec's, schema for schema ($refs resolved on both sides); every difference is
//! listed here with the reason it is expected. Operations the spec has that no stored page
//! carries whole are listed too (the stored copies are cut off after about 2 kB, so most
//! blocks end before their closing fence: `cut_off` names them). Importing the same pages
//! twice writes the same bytes.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

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

/// `value` with every local `$ref` of `doc` replaced by its target (cycles cut at depth 32).
fn resolved(doc: &Value, value: &Value, depth: usize) -> Value {
    if depth > 32 {
        return value.clone();
    }
    match value {
        Value::Object(map) => {
            if let Some(target) = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix('#'))
            {
                return resolved(doc, doc.pointer(target).unwrap_or(&Value::Null), depth + 1);
            }
            Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), resolved(doc, v, depth + 1)))
                    .collect::<Map<_, _>>(),
            )
        }
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| resolved(doc, v, depth + 1)).collect())
        }
        other => other.clone(),
    }
}

/// The pointers at which `a` and `b` differ (leaves and keys present on one side only).
fn differences(a: &Value, b: &Value, at: String, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for key in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                let here = format!("{at}/{}", payspec_profile::pointer::escape(key));
                match (x.get(key), y.get(key)) {
                    (Some(p), Some(q)) => differences(p, q, here, out),
                    (Some(_), None) => out.push(format!("{here} (pages only)")),
                    (None, _) => out.push(format!("{here} (spec only)")),
                }
            }
        }
        _ if a == b => {}
        _ => out.push(at),
    }
}

/// Imports a vendor's pages and compares them with its spec: (differences, spec operations
/// no page carries, blocks cut off).
fn compare(vendor: &str) -> (Vec<String>, Vec<String>, usize) {
    let imported = payspec_docs::import::assemble(&pages(vendor));
    assert!(imported.conflicts.is_empty(), "{:?}", imported.conflicts);
    let loaded = payspec_codegen::load_vendor(&workspace().join("specs").join(vendor)).unwrap();
    let spec: Value = serde_json::from_str(&loaded.raw_spec).unwrap();
    let ours = payspec_profile::openapi::operations(&spec);
    let mut found = Vec::new();
    for theirs in payspec_profile::openapi::operations(&imported.document) {
        let Some(mine) = ours
            .iter()
            .find(|o| o.path == theirs.path && o.method == theirs.method)
        else {
            found.push(format!(
                "{} {}: not in the spec",
                theirs.method, theirs.path
            ));
            continue;
        };
        let a = resolved(&imported.document, theirs.value, 0);
        let b = resolved(&spec, mine.value, 0);
        let mut here = Vec::new();
        differences(
            &a,
            &b,
            format!("{} {}", theirs.method, theirs.path),
            &mut here,
        );
        found.extend(here);
    }
    let carried = payspec_profile::openapi::operations(&imported.document);
    let missing = ours
        .iter()
        .filter(|o| {
            !carried
                .iter()
                .any(|c| c.path == o.path && c.method == o.method)
        })
        .map(|o| format!("{} {}", o.method, o.path))
        .collect();
    (found, missing, imported.cut_off.len())
}

#[test]
fn rio_pages_reproduce_the_spec_operations_they_carry() {
    let (differences, missing, cut_off) = compare("rio");
    assert_eq!(differences, Vec::<String>::new());
    // Only the seed page carries its block whole; the stored `.md` pages stop inside theirs.
    assert_eq!(cut_off, 2);
    assert!(
        !missing.is_empty()
            && !missing.contains(&"post /api/payments/crypto/bulk/{id}/cancel".to_owned()),
        "{missing:?}"
    );
}

#[test]
fn onekey_pages_reproduce_the_spec_operations_they_carry() {
    let (differences, missing, cut_off) = compare("onekey");
    assert_eq!(differences, Vec::<String>::new());
    assert_eq!(cut_off, 1);
    assert!(!missing.is_empty(), "{missing:?}");
}

#[test]
fn importing_the_same_pages_twice_writes_the_same_bytes() {
    let pages = pages("rio");
    let dir = tempfile::tempdir().unwrap();
    let first = payspec_docs::import::assemble(&pages);
    let path = payspec_docs::import::write(dir.path(), &first.document).unwrap();
    let before = std::fs::read(&path).unwrap();
    let mut reversed = pages.clone();
    reversed.reverse();
    let second = payspec_docs::import::assemble(&reversed);
    payspec_docs::import::write(dir.path(), &second.document).unwrap();
    assert_eq!(
        before,
        std::fs::read(&path).unwrap(),
        "page order must not change the output"
    );
    let reread: Value = serde_saphyr::from_str(std::str::from_utf8(&before).unwrap()).unwrap();
    assert_eq!(reread, first.document);
}
