//! `generate.operations` in vendor.yaml: only the operations listed (and those vendor.yaml
//! itself names: token calls, cancel, flows) are generated, with the components they reach.
//! Every operation was read and checked before this runs, so a subset hides no problem.

use std::collections::BTreeSet;

use serde_json::Value;

use super::{Context, OperationSummary};

/// The component kinds a `$ref` may reach (security schemes are kept whole).
const KINDS: [&str; 5] = [
    "schemas",
    "responses",
    "parameters",
    "requestBodies",
    "headers",
];

pub(super) fn operations(
    doc: &mut Value,
    operations: &mut Vec<OperationSummary>,
    context: &mut Context<'_>,
) {
    let Some(listed) = context.profile.generate.operations.clone() else {
        return;
    };
    let known: BTreeSet<&str> = operations.iter().map(|o| o.id.as_str()).collect();
    for (i, name) in listed.iter().enumerate() {
        if !known.contains(name.as_str()) {
            context.profile_problem(
                format!("/generate/operations/{i}"),
                format!("{name:?} is not an operation of the spec (`payspec vendors --specs DIR` lists them)"),
            );
        }
    }
    let mut kept: BTreeSet<String> = listed.into_iter().collect();
    kept.extend(
        super::references::named_operations(context.profile)
            .into_iter()
            .map(|(_, id)| id.to_owned()),
    );
    for operation in operations.iter().filter(|o| !kept.contains(&o.id)) {
        remove_operation(doc, &operation.pointer);
    }
    operations.retain(|o| kept.contains(&o.id));
    prune_components(doc);
}

/// Removes the operation at `pointer` (`/paths/<path>/<method>`), and its path item when no
/// operation is left in it.
fn remove_operation(doc: &mut Value, pointer: &str) {
    let Some((item_pointer, method)) = pointer.rsplit_once('/') else {
        return;
    };
    let Some(item) = doc.pointer_mut(item_pointer).and_then(Value::as_object_mut) else {
        return;
    };
    item.remove(method);
    let empty = !item.keys().any(|k| super::METHODS.contains(&k.as_str()));
    if empty && let Some((_, path)) = item_pointer.rsplit_once('/') {
        let path = path.replace("~1", "/").replace("~0", "~");
        if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
            paths.remove(&path);
        }
    }
}

/// Drops every component no `$ref` reaches from outside `components` (transitively).
fn prune_components(doc: &mut Value) {
    let Some(components) = doc.get_mut("components").map(Value::take) else {
        return;
    };
    let mut reached = BTreeSet::new();
    let mut pending = Vec::new();
    refs(doc, &mut pending);
    while let Some(reference) = pending.pop() {
        if !reached.insert(reference.clone()) {
            continue;
        }
        if let Some(target) = reference
            .strip_prefix("#/components")
            .and_then(|p| components.pointer(p))
        {
            refs(target, &mut pending);
        }
    }
    let mut components = components;
    for kind in KINDS {
        if let Some(map) = components.get_mut(kind).and_then(Value::as_object_mut) {
            map.retain(|name, _| {
                let escaped = name.replace('~', "~0").replace('/', "~1");
                reached.contains(&format!("#/components/{kind}/{escaped}"))
            });
        }
    }
    doc["components"] = components;
}

/// Every `$ref` string under `value`.
fn refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner) {
                    ("$ref", Value::String(target)) => out.push(target.clone()),
                    _ => refs(inner, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| refs(item, out)),
        _ => {}
    }
}
