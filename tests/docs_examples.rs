//! The vendors' own example bodies against the generated types: every request and response
//! example on the stored pages (../shared/docs-pages and the seeds) of a page that documents
//! one operation decodes into that operation's generated type and encodes back without losing
//! a field or changing a value. Examples a person has judged contradictory (docs-ack.yaml) and
//! error bodies are left out; a response is opened from the vendor's envelope first.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::{Path, PathBuf};

use serde_json::Value;

#[path = "../docs-check/tests/support/stored_pages.rs"]
mod stored_pages;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// The stored pages and the seed of a vendor.
fn pages(vendor: &str) -> Vec<payspec_docs::page::Page> {
    stored_pages::pages(&workspace(), vendor)
}

/// Where `kept` lost or changed something of `original` (a JSON pointer per difference). A
/// null the type leaves out is not a loss; numbers compare by value (`1200` and `1200.0`).
fn losses(original: &Value, kept: &Value, at: String, out: &mut Vec<String>) {
    match (original, kept) {
        (Value::Null, _) => {}
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                let here = format!("{at}/{key}");
                match b.get(key) {
                    Some(kept) => losses(value, kept, here, out),
                    // A null or an empty list the type leaves out carries nothing.
                    None if value.is_null() || value.as_array().is_some_and(Vec::is_empty) => {}
                    None => out.push(format!("{here} dropped")),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                losses(x, y, format!("{at}/{i}"), out);
            }
        }
        (Value::Number(a), Value::Number(b)) if a.as_f64() == b.as_f64() => {}
        (a, b) if a == b => {}
        (a, b) => out.push(format!("{at}: {a} became {b}")),
    }
}

/// The payload of a response example: opened from the envelope; `None` for an error body.
fn payload(profile: &payspec_runtime::profile::Profile, example: &Value) -> Option<Value> {
    if let Some(envelope) = &profile.envelope {
        let bytes = bytes::Bytes::from(serde_json::to_vec(example).unwrap());
        return match payspec_runtime::profile::envelope::open(envelope, &bytes).ok()? {
            payspec_runtime::profile::envelope::Opened::Failed => None,
            payspec_runtime::profile::envelope::Opened::Payload(raw) => {
                serde_json::from_slice(&raw).ok()
            }
        };
    }
    let error_message = profile.errors.message.as_deref();
    if error_message.is_some_and(|p| example.pointer(p).is_some()) {
        return None;
    }
    Some(example.clone())
}

#[test]
fn the_docs_examples_decode_into_the_generated_types_and_back() {
    let mut problems = Vec::new();
    let mut checked = 0;
    for entry in payspec::VENDORS {
        let profile = entry.profile().unwrap();
        let examples = payspec_docs::examples(
            &workspace().join("specs").join(entry.name),
            &pages(entry.name),
        )
        .unwrap();
        for example in examples.iter().filter(|e| !e.acknowledged) {
            let value = if example.response {
                match payload(&profile, &example.value) {
                    Some(value) => value,
                    None => continue,
                }
            } else {
                example.value.clone()
            };
            let place = format!(
                "{}:{} ({} {})",
                example.page,
                example.line,
                example.operation,
                if example.response {
                    "response"
                } else {
                    "request"
                }
            );
            // Fields the runtime merges into every request body (OneKey's login and pass, its
            // auth scheme's `body:`) are not in the body type the caller fills: a request
            // example's copy of them is not lost.
            let supplied: Vec<&String> = match profile.scheme_for(&example.operation) {
                Some(scheme) if !example.response => scheme.body.keys().collect(),
                _ => Vec::new(),
            };
            match (entry.round_trip)(&example.operation, example.response, value.clone()) {
                Ok(kept) => {
                    let mut lost = Vec::new();
                    losses(&value, &kept, String::new(), &mut lost);
                    lost.retain(|l| {
                        !supplied
                            .iter()
                            .any(|field| *l == format!("/{field} dropped"))
                    });
                    problems.extend(lost.into_iter().map(|l| format!("{place}: {l}")));
                }
                Err(why) => problems.push(format!("{place}: does not decode: {why}")),
            }
            checked += 1;
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert!(checked >= 15, "only {checked} examples checked");
}
