//! Every operation of every vendor through the generated, typed clients, against a local mock
//! that verifies auth as each vendor documents it (see `tests/support/mock.rs`). One test
//! binary, one module per vendor.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "../support/mock.rs"]
mod mock;

mod onekey;
mod paywall;
mod rio;
mod westminister;
mod xpays;

/// Whether a received path is an operation's path template (`{id}` matches any segment).
fn matches_template(template: &str, path: &str) -> bool {
    let ours: Vec<&str> = template.trim_matches('/').split('/').collect();
    let theirs: Vec<&str> = path.trim_matches('/').split('/').collect();
    ours.len() == theirs.len()
        && ours
            .iter()
            .zip(&theirs)
            .all(|(o, t)| o == t || (o.starts_with('{') && !t.is_empty()))
}

/// Every operation of `vendor` reached the mock, which serves the vendor's own servers under
/// `prefix` and each server group under the prefix `groups` gives it (the mock records each
/// request; the registry lists the operations the spec has).
pub fn assert_every_operation_reached(
    vendor: &str,
    prefix: &str,
    groups: &[(&str, &str)],
    seen: &[mock::Seen],
) {
    let entry = payspec::vendor(vendor).unwrap();
    let missing: Vec<String> = entry
        .operations
        .iter()
        .filter(|op| {
            let prefix = match op.server_group {
                Some(group) => groups
                    .iter()
                    .find(|(g, _)| *g == group)
                    .map_or("?", |(_, p)| *p),
                None => prefix,
            };
            !seen.iter().any(|s| {
                s.method.as_str() == op.method
                    && s.path
                        .strip_prefix(prefix)
                        .is_some_and(|p| matches_template(op.path, p))
            })
        })
        .map(|op| format!("{} ({} {})", op.id, op.method, op.path))
        .collect();
    assert!(missing.is_empty(), "{vendor}: never called: {missing:?}");
}
