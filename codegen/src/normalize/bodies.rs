//! Request bodies: `#/components/requestBodies` references are inlined; of several media types
//! one is kept (vendor.yaml's `generate.request_media` for the operation, else JSON), and it
//! needs a schema; the fields vendor.yaml merges into the body (credentials) are removed from
//! its schema, inline or in the component it names.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{Context, Site, component, each_operation, reference};
use crate::diagnostic::token;

/// Several request media types: the one vendor.yaml's `generate.request_media` names, else the
/// JSON one; the others are left out (`-v` says which). Runs before the multipart and form
/// passes, which then see the one kept.
pub(super) fn choose_media(doc: &mut Value, context: &mut Context<'_>) {
    let chosen = &context.profile.generate.request_media;
    let mut used = BTreeSet::new();
    each_operation(doc, |doc, site, operation| {
        if !inline_reference(doc, operation, site, context) {
            return;
        }
        let id = operation
            .get("operationId")
            .and_then(Value::as_str)
            .map(super::snake_case)
            .unwrap_or_default();
        let Some(content) = super::request_content(operation) else {
            return;
        };
        let choice = chosen.get(&id);
        if choice.is_some() {
            used.insert(id.clone());
        }
        let keep = match choice {
            Some(media) if content.contains_key(media) => media.clone(),
            Some(media) => {
                let offered: Vec<&str> = content.keys().map(String::as_str).collect();
                let message = format!(
                    "operation {id} offers no request body of media type {media:?} (it offers: {})",
                    offered.join(", ")
                );
                context.profile_problem(format!("/generate/request_media/{}", token(&id)), message);
                return;
            }
            None if content.len() < 2 => return,
            None => match content
                .keys()
                .find(|m| payspec_profile::openapi::is_json(m))
            {
                Some(json) => json.clone(),
                // Left for check_media to report (which one is for the vendor.yaml to say).
                None => return,
            },
        };
        let others: Vec<String> = content.keys().filter(|m| **m != keep).cloned().collect();
        content.retain(|media, _| *media == keep);
        tracing::debug!(pointer = %site.pointer, "request media type {keep} generated; {others:?} left out");
    });
    for id in chosen.keys().filter(|id| !used.contains(*id)) {
        let at = format!("/generate/request_media/{}", token(id));
        context.profile_problem(at, format!("no operation {id} with a request body"));
    }
}

/// A vendor's JSON media type (`application/vnd.api+json`, `application/hal+json`) is JSON:
/// typed as `application/json` both ways (progenitor would make it a byte stream), the request's
/// own type kept for the runtime to send as the Content-Type. Any other single request media
/// type (text, XML, bytes) is recorded too.
pub(super) fn vendor_json(doc: &mut Value, context: &mut Context<'_>) {
    let rename = |content: &mut serde_json::Map<String, Value>| -> Option<String> {
        if content.contains_key("application/json") {
            return None;
        }
        let media = content
            .keys()
            .find(|m| payspec_profile::openapi::is_json(m))?
            .clone();
        let value = content.remove(&media)?;
        content.insert("application/json".into(), value);
        Some(media)
    };
    each_operation(doc, |_, site, operation| {
        if let Some(content) = super::request_content(operation) {
            // A body of another single media type (text/plain, application/xml…) keeps it:
            // recorded so that the untyped path (`call --specs`) sends it as the typed one does.
            let other = match content.keys().collect::<Vec<_>>().as_slice() {
                [only] if *only != "application/json" => Some((*only).clone()),
                _ => None,
            };
            if let Some(media) = rename(content).or(other) {
                context.request_media.insert(site.pointer.clone(), media);
            }
        }
        let responses = operation
            .get_mut("responses")
            .and_then(Value::as_object_mut);
        for response in responses.into_iter().flat_map(|r| r.values_mut()) {
            if let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) {
                rename(content);
            }
        }
    });
}

/// A `#/components/requestBodies` reference replaced by what it names; false (and a problem)
/// when it names nothing.
fn inline_reference(
    doc: &Value,
    operation: &mut serde_json::Map<String, Value>,
    site: &Site,
    context: &mut Context<'_>,
) -> bool {
    let Some(body) = operation.get_mut("requestBody") else {
        return true;
    };
    let Some(target) = reference(body).map(str::to_owned) else {
        return true;
    };
    match component(doc, &target, "requestBodies") {
        Ok(resolved) => {
            *body = resolved.clone();
            true
        }
        Err(why) => {
            let at = format!("{}/requestBody", site.pointer);
            context.problem(at, format!("requestBody {why}"));
            false
        }
    }
}

pub(super) fn normalize(doc: &mut Value, context: &mut Context<'_>) {
    // Component schemas whose runtime-supplied fields must go, with the fields.
    let mut component_fields: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let profile = context.profile;
    each_operation(doc, |_, site, operation| {
        let Some(body) = operation.get_mut("requestBody") else {
            return;
        };
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

fn check_media(body: &Value, site: &Site, context: &mut Context<'_>) {
    let Some(content) = body.get("content").and_then(Value::as_object) else {
        return;
    };
    if content.len() > 1 {
        let types: Vec<&str> = content.keys().map(String::as_str).collect();
        context.problem(
            format!("{}/requestBody/content", site.pointer),
            format!(
                "several request media types ({}) and none is JSON: name the one to generate in vendor.yaml's generate.request_media",
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
