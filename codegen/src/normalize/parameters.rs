//! Parameters: path items written as `$ref`s are inlined; each operation gets the parameters
//! of its path item (its own win, as the sandbox reads them: `payspec_profile::openapi`);
//! `#/components/parameters` references are inlined; and headers the caller never passes
//! (what vendor.yaml's scheme sets, and what the HTTP client sets) are removed.

use serde_json::Value;

use super::{Context, component, each_operation, reference};
use crate::diagnostic::token;

/// Headers a caller never passes: the HTTP client sets them.
const TRANSPORT_HEADERS: [&str; 3] = ["content-type", "accept", "content-length"];

/// `paths: {/a: {$ref: '#/components/pathItems/A'}}` becomes the path item itself.
pub(super) fn inline_path_items(doc: &mut Value, context: &mut Context<'_>) {
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return;
    };
    let mut inlined = Vec::new();
    for (path, item) in paths {
        let Some(target) = reference(item) else {
            continue;
        };
        let at = format!("/paths/{}", token(path));
        match component(doc, target, "pathItems") {
            Ok(resolved) if reference(resolved).is_none() => {
                inlined.push((path.clone(), resolved.clone()))
            }
            Ok(_) => context.problem(
                at,
                format!("path item `$ref` {target:?} points to another `$ref`"),
            ),
            Err(why) => context.problem(at, format!("path item {why}")),
        }
    }
    for (path, item) in inlined {
        doc["paths"][&path] = item;
    }
}

pub(super) fn normalize(doc: &mut Value, context: &mut Context<'_>) {
    let shared = take_shared(doc);
    let profile = context.profile;
    each_operation(doc, |doc, site, operation| {
        let id = super::operation_id(operation).to_owned();
        let scheme = profile.scheme_for(&id);
        let own = operation
            .get("parameters")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let inherited = shared.get(&site.path).cloned().unwrap_or_default();
        let mut kept = Vec::new();
        let mut supplied = Vec::new();
        let resolved = resolve_all(doc, &own, &format!("{}/parameters", site.pointer), context)
            .into_iter()
            .chain(resolve_all(
                doc,
                &inherited,
                &format!("/paths/{}/parameters", token(&site.path)),
                context,
            ));
        for parameter in resolved {
            if kept.iter().any(|k: &Value| same(k, &parameter)) {
                continue;
            }
            let header =
                (parameter.get("in").and_then(Value::as_str) == Some("header")).then(|| {
                    parameter
                        .get("name")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned()
                });
            if let Some(name) = header {
                let by_runtime =
                    scheme.is_some_and(|s| s.headers.keys().any(|h| h.eq_ignore_ascii_case(&name)));
                if by_runtime || TRANSPORT_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
                    supplied.push(format!("header {name}"));
                    continue;
                }
            }
            kept.push(parameter);
        }
        if kept.is_empty() {
            operation.remove("parameters");
        } else {
            operation.insert("parameters".into(), Value::Array(kept));
        }
        context
            .supplied
            .entry(site.pointer.clone())
            .or_default()
            .extend(supplied);
    });
}

/// Takes the path items' own parameter lists out (each operation gets a copy).
fn take_shared(doc: &mut Value) -> std::collections::BTreeMap<String, Vec<Value>> {
    let mut shared = std::collections::BTreeMap::new();
    for (path, item) in doc
        .get_mut("paths")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flatten()
    {
        if let Some(Value::Array(list)) = item.as_object_mut().and_then(|i| i.remove("parameters"))
        {
            shared.insert(path.clone(), list);
        }
    }
    shared
}

/// Parameters with their `$ref`s resolved; a dangling one is reported and dropped.
fn resolve_all(doc: &Value, list: &[Value], at: &str, context: &mut Context<'_>) -> Vec<Value> {
    let mut out = Vec::new();
    for parameter in list {
        match reference(parameter) {
            None => out.push(parameter.clone()),
            Some(target) => match component(doc, target, "parameters") {
                Ok(resolved) => out.push(resolved.clone()),
                Err(why) => context.problem(at, format!("parameter {why}")),
            },
        }
    }
    out
}

fn same(a: &Value, b: &Value) -> bool {
    a.get("name") == b.get("name") && a.get("in") == b.get("in")
}

/// Every `{name}` of a path template must be a path parameter: one the vendor forgot to declare
/// (Square's PUT /v2/vendors/{vendor_id}) is added as a required string (progenitor would stop
/// on it); a declared path parameter the template lacks is a problem, located.
pub(super) fn path_template(doc: &mut Value, context: &mut Context<'_>) {
    each_operation(doc, |_, site, operation| {
        let named: Vec<String> = site
            .path
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_owned()))
            .collect();
        let parameters = operation
            .entry("parameters")
            .or_insert_with(|| Value::Array(Vec::new()));
        let Some(list) = parameters.as_array_mut() else {
            return;
        };
        let declared: Vec<String> = list
            .iter()
            .filter(|p| p.get("in").and_then(Value::as_str) == Some("path"))
            .filter_map(|p| p.get("name").and_then(Value::as_str).map(str::to_owned))
            .collect();
        for name in named.iter().filter(|n| !declared.contains(n)) {
            tracing::debug!(pointer = %site.pointer, "path parameter {name} added (the template names it, the operation does not declare it)");
            list.push(serde_json::json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}));
        }
        // The vendor's slip: a path parameter the template does not name is dropped (it
        // could never be sent), with a warning.
        let stray: Vec<&String> = declared.iter().filter(|d| !named.contains(d)).collect();
        for name in &stray {
            context.warn(
                format!("{}/parameters", site.pointer),
                format!("path parameter {name:?} is not in the path template {:?}: left out (fix the name in an overlay if the template is wrong)", site.path),
            );
        }
        list.retain(|p| {
            p.get("in").and_then(Value::as_str) != Some("path")
                || p.get("name")
                    .and_then(Value::as_str)
                    .is_none_or(|n| named.iter().any(|m| m == n))
        });
    });
}
