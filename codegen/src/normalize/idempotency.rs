//! Which operations carry vendor.yaml's idempotency key, and how a caller gives their own: a
//! header key becomes an optional header parameter of each such operation (a builder setter,
//! a `--arg` of the CLI) when the spec does not declare it already (Stripe's does not); a body
//! key stays the body field the spec declares, no longer required (Square requires it in 29
//! request schemas; a caller should not have to invent keys). The runtime fills either when
//! the caller does not.

use payspec_profile::KeyPlace;
use payspec_profile::openapi;
use payspec_profile::pointer;
use serde_json::{Value, json};

use super::{Context, each_operation};

pub(super) fn keys(doc: &mut Value, context: &mut Context<'_>) {
    let Some(idempotency) = context.profile.idempotency.clone() else {
        return;
    };
    let mut keyed = Vec::new();
    let mut unkeyable = Vec::new();
    let mut requiring = Vec::new();
    each_operation(doc, |doc, site, operation| {
        let id = super::operation_id(operation).to_owned();
        let has_field = match &idempotency.key {
            KeyPlace::Header(_) => false,
            KeyPlace::Body(pointer) => body_has_field(doc, operation, pointer),
        };
        if !idempotency.applies(&id, site.method, has_field) {
            return;
        }
        match &idempotency.key {
            KeyPlace::Header(name) => declare_header(operation, name),
            KeyPlace::Body(pointer) if !has_field => {
                unkeyable.push((site.pointer.clone(), id, pointer.clone()));
                return;
            }
            KeyPlace::Body(field) => {
                if let Some(schema) = body_schema_mut(operation) {
                    requiring.extend(unrequire(doc, schema, field));
                }
            }
        }
        keyed.push(site.pointer.clone());
    });
    for (pointer, id, field) in unkeyable {
        context.warn(
            format!("{pointer}/requestBody"),
            format!(
                "vendor.yaml sends {id}'s idempotency key in the body at {field}, but its body \
                 has no such field: it is sent without one (and not retried)"
            ),
        );
    }
    context.idempotent.extend(keyed);
    if let KeyPlace::Body(field) = &idempotency.key {
        for at in requiring {
            let tokens = pointer::tokens(field).unwrap_or_default();
            if let (Some(schema), [name]) = (doc.pointer_mut(&at), tokens.as_slice()) {
                drop_required(schema, name);
            }
        }
    }
}

fn body_schema_mut(operation: &mut serde_json::Map<String, Value>) -> Option<&mut Value> {
    let content = operation
        .get_mut("requestBody")?
        .get_mut("content")?
        .as_object_mut()?;
    let media = content
        .keys()
        .find(|m| openapi::is_json(m))
        .or_else(|| content.keys().next())?
        .clone();
    content.get_mut(&media)?.get_mut("schema")
}

/// Takes the key's top-level field out of `required` in an inline schema; returns the
/// pointers of the component schemas (reached by `$ref`, or as `allOf` members) that require
/// it, to be changed once the walk over operations is done. A deeper pointer is left as the
/// spec says.
fn unrequire(doc: &Value, schema: &mut Value, field: &str) -> Vec<String> {
    let tokens = pointer::tokens(field).unwrap_or_default();
    let [name] = tokens.as_slice() else {
        return Vec::new();
    };
    let mut visited = Vec::new();
    let mut pending = Vec::new();
    drop_required(schema, name);
    collect_refs(schema, &mut pending);
    while let Some(reference) = pending.pop() {
        if visited.contains(&reference) || visited.len() > 32 {
            continue;
        }
        if let Some(target) = doc.pointer(&reference) {
            collect_refs(target, &mut pending);
        }
        visited.push(reference);
    }
    visited.retain(|at| doc.pointer(at).is_some_and(|s| requires(s, name)));
    visited
}

fn requires(schema: &Value, name: &str) -> bool {
    schema
        .get("required")
        .and_then(Value::as_array)
        .is_some_and(|r| r.iter().any(|f| f.as_str() == Some(name)))
}

fn drop_required(schema: &mut Value, name: &str) {
    if let Some(required) = schema.get_mut("required").and_then(Value::as_array_mut) {
        required.retain(|f| f.as_str() != Some(name));
    }
    for member in schema
        .get_mut("allOf")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        drop_required(member, name);
    }
}

/// The local `$ref`s of a schema and of its `allOf` members, as pointers.
fn collect_refs(schema: &Value, out: &mut Vec<String>) {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str)
        && let Some(at) = reference.strip_prefix('#')
    {
        out.push(at.to_owned());
    }
    for member in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        collect_refs(member, out);
    }
}

/// Whether the operation's JSON body schema has the field at `pointer` (through `$ref`s and
/// `allOf`).
pub(super) fn body_has_field(
    doc: &Value,
    operation: &serde_json::Map<String, Value>,
    pointer: &str,
) -> bool {
    operation
        .get("requestBody")
        .map(|body| openapi::resolve(doc, body))
        .and_then(|body| body.get("content"))
        .and_then(|content| {
            openapi::json_media(content)
                .map(|(_, media)| media)
                .or_else(|| content.as_object()?.values().next())
        })
        .and_then(|media| media.get("schema"))
        .and_then(|schema| openapi::schema_at(doc, schema, pointer))
        .is_some()
}

/// Adds the key's header as an optional string parameter, unless the spec declares it.
fn declare_header(operation: &mut serde_json::Map<String, Value>, name: &str) {
    let parameters = operation
        .entry("parameters")
        .or_insert_with(|| Value::Array(Vec::new()));
    let Some(parameters) = parameters.as_array_mut() else {
        return;
    };
    let declared = parameters.iter().any(|p| {
        p.get("in").and_then(Value::as_str) == Some("header")
            && p.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
    });
    if declared {
        return;
    }
    // No maxLength: the runtime checks the vendor's limit with the key it sends, and a plain
    // string keeps the setter `.idempotency_key("…")`.
    let schema = json!({"type": "string"});
    parameters.push(json!({
        "name": name,
        "in": "header",
        "required": false,
        "description": "The idempotency key sent on every attempt of this call; payspec makes \
                        one when none is given (vendor.yaml `idempotency:`).",
        "schema": schema,
    }));
}
