//! Schemas: integer enums opened (a closed Rust enum would fail a whole response over one new
//! status code), properties typed as nullable wrappers made required (the runtime's wrapper
//! types read a missing field as "no value"), and `$ref` loops among components reported.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::{Context, reference};
use crate::diagnostic::token;

/// How deep a schema walk goes (hostile documents nest without end).
const MAX_DEPTH: usize = 128;

/// Calls `visit` on every schema object of the document: components, request and response
/// bodies, and everything nested in them.
fn each_schema(doc: &mut Value, visit: &mut dyn FnMut(&mut Map<String, Value>)) {
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        schemas.values_mut().for_each(|s| walk(s, visit, 0));
    }
    super::each_operation(doc, |_, _, operation| {
        if let Some(body) = operation.get_mut("requestBody") {
            media_schemas(body, visit);
        }
        let responses = operation
            .get_mut("responses")
            .and_then(Value::as_object_mut);
        for response in responses.into_iter().flat_map(|r| r.values_mut()) {
            media_schemas(response, visit);
        }
    });
}

fn media_schemas(holder: &mut Value, visit: &mut dyn FnMut(&mut Map<String, Value>)) {
    let contents = holder.get_mut("content").and_then(Value::as_object_mut);
    for media in contents.into_iter().flat_map(|c| c.values_mut()) {
        if let Some(schema) = media.get_mut("schema") {
            walk(schema, visit, 0);
        }
    }
}

fn walk(schema: &mut Value, visit: &mut dyn FnMut(&mut Map<String, Value>), depth: usize) {
    let Some(object) = schema.as_object_mut().filter(|_| depth < MAX_DEPTH) else {
        return;
    };
    visit(object);
    for key in ["items", "additionalProperties", "not"] {
        if let Some(inner) = object.get_mut(key) {
            walk(inner, visit, depth + 1);
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        for member in object
            .get_mut(key)
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            walk(member, visit, depth + 1);
        }
    }
    for property in object
        .get_mut("properties")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(|p| p.values_mut())
    {
        walk(property, visit, depth + 1);
    }
}

/// A `number` with an integer format (`int32`, `int64`: OneKey's cashout ids) is an integer:
/// a float would be sent as `97875.0`.
pub(super) fn integer_formats(doc: &mut Value, _: &mut Context<'_>) {
    each_schema(doc, &mut |schema| {
        let integral = matches!(
            schema.get("format").and_then(Value::as_str),
            Some("int32" | "int64")
        );
        if integral && schema.get("type").and_then(Value::as_str) == Some("number") {
            schema.insert("type".into(), Value::String("integer".into()));
        }
    });
}

/// OneKey's status codes 0-5 become plain integers; the known values stay in the description.
pub(super) fn open_integer_enums(doc: &mut Value, _: &mut Context<'_>) {
    each_schema(doc, &mut |schema| {
        if schema.get("type").and_then(Value::as_str) != Some("integer") {
            return;
        }
        let Some(Value::Array(values)) = schema.remove("enum") else {
            return;
        };
        let listed: Vec<String> = values
            .iter()
            .filter(|v| !v.is_null())
            .map(Value::to_string)
            .collect();
        if listed.is_empty() {
            return;
        }
        let note = format!(
            "Known values: {} (others are passed through).",
            listed.join(", ")
        );
        let description = match schema.get("description").and_then(Value::as_str) {
            Some(existing) => format!("{existing}\n\n{note}"),
            None => note,
        };
        schema.insert("description".into(), Value::String(description));
    });
}

pub(super) fn require_nullable_wrappers(doc: &mut Value, context: &mut Context<'_>) {
    let wrappers: BTreeSet<String> = context
        .profile
        .nullable_wrappers
        .keys()
        .map(|name| format!("#/components/schemas/{name}"))
        .collect();
    if wrappers.is_empty() {
        return;
    }
    each_schema(doc, &mut |schema| {
        let wrapped: Vec<String> = schema
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter(|(_, p)| reference(p).is_some_and(|r| wrappers.contains(r)))
            .map(|(name, _)| name.clone())
            .collect();
        if wrapped.is_empty() {
            return;
        }
        let required = schema
            .entry("required")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Some(list) = required.as_array_mut() {
            for name in wrapped {
                if !list.iter().any(|r| r.as_str() == Some(&name)) {
                    list.push(Value::String(name));
                }
            }
        }
    });
}

/// Component schemas that are only a `$ref` to another, in a loop: no type can come of them.
pub(super) fn alias_cycles(doc: &mut Value, context: &mut Context<'_>) {
    let Some(components) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return;
    };
    let target = |name: &str| {
        components
            .get(name)
            .and_then(reference)
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
            .map(str::to_owned)
    };
    let mut reported = BTreeSet::new();
    for start in components.keys() {
        let mut chain = vec![start.clone()];
        let mut current = start.clone();
        while let Some(next) = target(&current) {
            if next == *start {
                if chain.iter().all(|n| reported.insert(n.clone())) {
                    chain.push(next);
                    let at = format!("/components/schemas/{}", token(start));
                    context.problem(at, format!("cyclic $ref: {}", chain.join(" -> ")));
                }
                break;
            }
            if chain.contains(&next) || chain.len() > components.len() {
                break;
            }
            chain.push(next.clone());
            current = next;
        }
    }
}
