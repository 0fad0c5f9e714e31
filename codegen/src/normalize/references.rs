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
    for operation in profile.idempotency.iter().flat_map(|i| i.operations.keys()) {
        named.push((
            format!("/idempotency/operations/{}", token(operation)),
            operation,
        ));
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
    for (i, webhook) in profile.sandbox.webhooks.iter().enumerate() {
        for (j, operation) in webhook.on.iter().enumerate() {
            named.push((format!("/sandbox/webhooks/{i}/on/{j}"), operation));
        }
    }
    for operation in profile.auth.operations.keys() {
        named.push((format!("/auth/operations/{}", token(operation)), operation));
    }
    named
}

/// Every `$ref` of the document must resolve, or progenitor would stop the whole vendor with
/// a message naming no place. The vendor's evident slip (a component name with an unescaped
/// `/`) is repaired; a reference to nothing, to a URL (payspec reads no network at build time)
/// or to a file that was not inlined costs only what holds it: a schema becomes any JSON
/// (`serde_json::Value`), a parameter is left out, a response or a body loses its type. Each
/// with a warning at the reference.
pub(super) fn dangling(doc: &mut Value, context: &mut Context<'_>) {
    let mut found = Vec::new();
    collect_refs(doc, String::new(), &mut found, 0);
    let mut dropped_parameters = Vec::new();
    for (at, target) in found {
        let why = if let Some(local) = target.strip_prefix('#') {
            if doc.pointer(local).is_some() {
                continue;
            }
            if let Some(repaired) = unescaped_slash(doc, local) {
                let message = format!(
                    "$ref {target:?} leaves the `/` of a component name unescaped: read as {repaired:?}"
                );
                if let Some(slot) = doc.pointer_mut(&format!("{at}/$ref")) {
                    *slot = Value::String(repaired);
                }
                context.warn(format!("{at}/$ref"), message);
                continue;
            }
            "points to nothing the document defines (define it in an overlay)"
        } else if target.starts_with("http://") || target.starts_with("https://") {
            "is a URL, and payspec reads no network at build time (save the document beside the spec and refer to it by file)"
        } else {
            "points into another file, which was not inlined"
        };
        let degraded = match Position::of(&at) {
            Position::Schema => {
                replace(doc, &at, serde_json::json!({}));
                "typed as any JSON (serde_json::Value)"
            }
            Position::Parameter => {
                dropped_parameters.push(at.clone());
                "parameter left out"
            }
            Position::Response => {
                let note = format!("unresolved $ref {target}");
                replace(doc, &at, serde_json::json!({ "description": note }));
                "response left untyped"
            }
            Position::RequestBody => {
                let any = serde_json::json!({"content": {"application/json": {"schema": {}}}});
                replace(doc, &at, any);
                "body typed as any JSON (serde_json::Value)"
            }
            Position::Other => {
                context.problem(format!("{at}/$ref"), format!("$ref {target:?} {why}"));
                continue;
            }
        };
        context.warn(
            format!("{at}/$ref"),
            format!("$ref {target:?} {why}: {degraded}"),
        );
    }
    // Last first, so that removing one does not move the others.
    for at in dropped_parameters.iter().rev() {
        if let Some((list, index)) = at.rsplit_once('/')
            && let Ok(index) = index.parse::<usize>()
            && let Some(Value::Array(items)) = doc.pointer_mut(list)
            && index < items.len()
        {
            items.remove(index);
        }
    }
}

/// What a `$ref` stands for, from where it is.
enum Position {
    Schema,
    Parameter,
    Response,
    RequestBody,
    Other,
}

impl Position {
    fn of(at: &str) -> Self {
        let tokens: Vec<&str> = at.split('/').collect();
        let last = tokens.last().copied().unwrap_or_default();
        let parent = tokens.iter().rev().nth(1).copied().unwrap_or_default();
        if tokens.iter().any(|t| matches!(*t, "schema" | "schemas")) {
            Position::Schema
        } else if parent == "parameters" {
            Position::Parameter
        } else if parent == "responses" {
            Position::Response
        } else if last == "requestBody" || parent == "requestBodies" {
            Position::RequestBody
        } else {
            Position::Other
        }
    }
}

/// `#/components/schemas/a/b` where the document has a schema named `a/b`: the escaped pointer.
fn unescaped_slash(doc: &Value, local: &str) -> Option<String> {
    let rest = local.strip_prefix("/components/")?;
    let (kind, name) = rest.split_once('/')?;
    if !name.contains('/') {
        return None;
    }
    let repaired = format!("/components/{kind}/{}", token(name));
    doc.pointer(&repaired)?;
    Some(format!("#{repaired}"))
}

/// Replaces the object at `at`, keeping its `description`.
fn replace(doc: &mut Value, at: &str, mut with: Value) {
    let Some(slot) = doc.pointer_mut(at) else {
        return;
    };
    if let (Some(description), Some(object)) =
        (slot.get("description").cloned(), with.as_object_mut())
    {
        object.insert("description".into(), description);
    }
    *slot = with;
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
