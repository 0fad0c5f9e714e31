//! Request bodies: `#/components/requestBodies` references are inlined; one JSON media type
//! with a schema is what the generator takes; and the fields vendor.yaml merges into the body
//! (credentials) are removed from its schema, inline or in the component it names.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{Context, Site, component, each_operation, reference};
use crate::diagnostic::token;

pub(super) fn normalize(doc: &mut Value, context: &mut Context<'_>) {
    // Component schemas whose runtime-supplied fields must go, with the fields.
    let mut component_fields: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let profile = context.profile;
    each_operation(doc, |doc, site, operation| {
        let Some(body) = operation.get_mut("requestBody") else {
            return;
        };
        if let Some(target) = reference(body).map(str::to_owned) {
            match component(doc, &target, "requestBodies") {
                Ok(resolved) => *body = resolved.clone(),
                Err(why) => {
                    context.problem(
                        format!("{}/requestBody", site.pointer),
                        format!("requestBody {why}"),
                    );
                    return;
                }
            }
        }
        check_media(body, site, context);
        let id = operation
            .get("operationId")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let Some(scheme) = profile.scheme_for(id).filter(|s| !s.body.is_empty()) else {
            return;
        };
        let fields: BTreeSet<String> = scheme.body.keys().cloned().collect();
        let supplied = fields.iter().map(|f| format!("body {f}"));
        context
            .supplied
            .entry(site.pointer.clone())
            .or_default()
            .extend(supplied);
        let Some(body) = operation.get_mut("requestBody") else {
            return;
        };
        if let Err(message) = strip(body, &fields, &mut component_fields) {
            context.problem(format!("{}/requestBody", site.pointer), message);
        }
    });
    for (name, fields) in component_fields {
        if let Some(schema) = doc.pointer_mut(&format!("/components/schemas/{}", token(&name))) {
            remove_properties(schema, &fields);
        }
    }
}

fn check_media(body: &mut Value, site: &Site, context: &mut Context<'_>) {
    // Several media types: the JSON one is the typed body; the others are left out (noted).
    if let Some(content) = body.get_mut("content").and_then(Value::as_object_mut)
        && content.len() > 1
        && content.keys().any(|m| payspec_profile::openapi::is_json(m))
    {
        let others: Vec<String> = content
            .keys()
            .filter(|m| !payspec_profile::openapi::is_json(m))
            .cloned()
            .collect();
        for media in &others {
            content.shift_remove(media);
        }
        tracing::debug!(pointer = %site.pointer, "request media types {others:?} left out: the JSON body is generated");
    }
    let Some(content) = body.get("content").and_then(Value::as_object) else {
        return;
    };
    if content.len() > 1 {
        let types: Vec<&str> = content.keys().map(String::as_str).collect();
        context.problem(
            format!("{}/requestBody/content", site.pointer),
            format!(
                "several request media types ({}): the generator takes one; keep one in an overlay",
                types.join(", ")
            ),
        );
    }
    for (media, value) in content {
        if value.get("schema").is_none() {
            let at = format!("{}/requestBody/content/{}", site.pointer, token(media));
            context.problem(at, "a request body without a schema");
        }
    }
}

/// Removes `fields` from the JSON body's schema (or notes the component to remove them from).
fn strip(
    body: &mut Value,
    fields: &BTreeSet<String>,
    component_fields: &mut BTreeMap<String, BTreeSet<String>>,
) -> Result<(), String> {
    let schema = body
        .get_mut("content")
        .and_then(Value::as_object_mut)
        .and_then(|content| content.iter_mut().find(|(media, _)| payspec_profile::openapi::is_json(media)))
        .map(|(_, media)| media)
        .ok_or("vendor.yaml merges credential fields into the body, but the body is not application/json")?
        .get_mut("schema");
    let Some(schema) = schema else { return Ok(()) };
    match reference(schema).map(str::to_owned) {
        None => remove_properties(schema, fields),
        Some(target) => {
            let name = target
                .strip_prefix("#/components/schemas/")
                .ok_or_else(|| {
                    format!("body schema `$ref` {target:?} is not a local component schema")
                })?;
            component_fields
                .entry(name.to_owned())
                .or_default()
                .extend(fields.iter().cloned());
        }
    }
    Ok(())
}

fn remove_properties(schema: &mut Value, fields: &BTreeSet<String>) {
    if let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        properties.retain(|name, _| !fields.contains(name));
    }
    if let Some(required) = schema.get_mut("required").and_then(Value::as_array_mut) {
        required.retain(|name| !name.as_str().is_some_and(|n| fields.contains(n)));
    }
}
