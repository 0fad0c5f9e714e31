//! What vendor.yaml names in the spec must exist there: operations (tokens, which must also
//! be sent without auth, sandbox resources, retries, the cancel and its state read, the demo
//! flow, per-operation auth) and component schemas (callbacks, nullable wrappers).

use serde_json::Value;

use super::{Context, OperationSummary};
use crate::diagnostic::token;

pub(super) fn check(doc: &Value, operations: &[OperationSummary], context: &mut Context<'_>) {
    let known: Vec<&str> = operations.iter().map(|o| o.id.as_str()).collect();
    let list = known.join(", ");
    let profile = context.profile;
    // A vendor.yaml borrowed from another version of the spec (`payspec diff` of a bare file)
    // may name operations this version lacks; only the tokens matter to the generated API.
    let borrowed = context.files.profile.parent() != Some(context.files.dir.as_path());
    for (at, operation) in named_operations(profile) {
        if borrowed && !at.starts_with("/tokens/") {
            continue;
        }
        if !known.contains(&operation) {
            let message = format!("{operation:?} is not an operation of the spec ({list})");
            context.profile_problem(at, message);
        }
    }
    for (name, provider) in &profile.tokens {
        let calls = [
            ("login", Some(&provider.login)),
            ("refresh", provider.refresh.as_ref()),
        ];
        for (call_name, call) in calls {
            let Some(call) = call else { continue };
            if known.contains(&call.operation.as_str())
                && profile.scheme_for(&call.operation).is_some()
            {
                context.profile_problem(format!("/tokens/{}/{call_name}/operation", token(name)), format!(
                    "operation {:?} obtains tokens, so it must be sent without auth: add `{}: none` under auth.operations",
                    call.operation, call.operation
                ));
            }
        }
    }
    for (i, step) in profile.sandbox.demo.iter().enumerate() {
        if let Some(before) = &step.before
            && !profile.sandbox.resources.contains_key(&before.resource)
        {
            let message = format!("{:?} is not a sandbox resource", before.resource);
            context.profile_problem(format!("/sandbox/demo/{i}/before/resource"), message);
        }
    }
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object);
    let has_schema = |name: &str| schemas.is_some_and(|s| s.contains_key(name));
    for (name, callback) in &profile.callbacks {
        if !has_schema(&callback.schema) {
            let message = format!("the spec has no component schema {:?}", callback.schema);
            context.profile_problem(format!("/callbacks/{}/schema", token(name)), message);
        }
    }
    for name in profile.nullable_wrappers.keys() {
        if !has_schema(name) {
            let message = format!("the spec has no component schema {name:?}");
            context.profile_problem(format!("/nullable_wrappers/{}", token(name)), message);
        }
    }
}

/// Every operation vendor.yaml names, with where it names it.
pub(super) fn named_operations(profile: &payspec_profile::Profile) -> Vec<(String, &str)> {
    let mut named: Vec<(String, &str)> = Vec::new();
    for (name, provider) in &profile.tokens {
        // A call to a path outside the spec (an OAuth2 token endpoint) names no operation.
        if provider.login.path.is_none() {
            named.push((
                format!("/tokens/{}/login/operation", token(name)),
                &provider.login.operation,
            ));
        }
        if let Some(refresh) = provider.refresh.as_ref().filter(|r| r.path.is_none()) {
            named.push((
                format!("/tokens/{}/refresh/operation", token(name)),
                &refresh.operation,
            ));
        }
    }
    for (resource, spec) in &profile.sandbox.resources {
        for operation in spec.operations.keys() {
            named.push((
                format!(
                    "/sandbox/resources/{}/operations/{}",
                    token(resource),
                    token(operation)
                ),
                operation,
            ));
        }
    }
    for operation in profile.retry.keys() {
        named.push((format!("/retry/{}", token(operation)), operation));
    }
    if let Some(cancel) = &profile.cancel {
        named.push(("/cancel/operation".into(), &cancel.operation));
        if let Some(read) = &cancel.reconcile {
            named.push(("/cancel/reconcile/operation".into(), &read.operation));
        }
    }
    for (i, step) in profile.sandbox.demo.iter().enumerate() {
        named.push((format!("/sandbox/demo/{i}/operation"), &step.operation));
    }
    for operation in profile.auth.operations.keys() {
        named.push((format!("/auth/operations/{}", token(operation)), operation));
    }
    named
}

/// Every `$ref` of the document must resolve: a local one to something the document defines,
/// and one to another file or a URL is refused here, located (progenitor would otherwise stop
/// with a message naming no place).
pub(super) fn dangling(doc: &mut Value, context: &mut Context<'_>) {
    let mut found = Vec::new();
    collect_refs(doc, String::new(), &mut found, 0);
    for (at, target) in found {
        let message = if let Some(local) = target.strip_prefix('#') {
            if doc.pointer(local).is_some() {
                continue;
            }
            format!(
                "$ref {target:?} points to nothing the document defines: define it in an overlay"
            )
        } else if target.starts_with("http://") || target.starts_with("https://") {
            format!(
                "$ref {target:?} is a URL: payspec reads no network at build time; save the document beside the spec and refer to it by file, or inline it in an overlay"
            )
        } else {
            format!("$ref {target:?} points into another file, which was not inlined")
        };
        context.problem(format!("{at}/$ref"), message);
    }
}

fn collect_refs(value: &Value, at: String, found: &mut Vec<(String, String)>, depth: usize) {
    if depth > 256 {
        return;
    }
    match value {
        Value::Object(object) => {
            for (key, child) in object {
                // Literal values (an example's data may hold a `$ref` key) are not references.
                if matches!(key.as_str(), "example" | "default" | "enum") || key.starts_with("x-") {
                    continue;
                }
                if key == "$ref"
                    && let Some(target) = child.as_str()
                {
                    found.push((at.clone(), target.to_owned()));
                } else {
                    collect_refs(child, format!("{at}/{}", token(key)), found, depth + 1);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                collect_refs(item, format!("{at}/{i}"), found, depth + 1);
            }
        }
        _ => {}
    }
}
