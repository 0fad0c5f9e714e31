//! OpenAPI Overlay 1.0: our fixes to a vendor's text, kept apart from it in
//! `specs/<vendor>/overlays/*.yaml` and applied in name order. Targets are JSONPath (RFC 9535)
//! expressions; an action whose target matches nothing is an error, so that a fix the vendor
//! has since made shows up instead of silently doing nothing.

use std::path::{Path, PathBuf};

use serde_json::Value;
use serde_json_path::JsonPath;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::read::read_document;

/// Applies the overlay files, in order, to `document`; every problem of every file at once.
pub fn apply_overlays(files: &[PathBuf], document: &mut Value) -> Result<(), Diagnostics> {
    let mut problems = Vec::new();
    for file in files {
        match read_document(file) {
            Ok(overlay) => problems.extend(apply(file, &overlay, document)),
            Err(diagnostic) => problems.push(diagnostic),
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Diagnostics(problems))
    }
}

fn apply(file: &Path, overlay: &Value, document: &mut Value) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    match overlay.get("overlay").and_then(Value::as_str) {
        Some(version) if version.starts_with("1.") => {}
        Some(version) => problems.push(Diagnostic::new(
            file,
            "/overlay",
            format!("Overlay {version} is not supported (1.0.x is)"),
        )),
        None => problems.push(Diagnostic::new(
            file,
            "/overlay",
            "missing the `overlay: 1.0.0` version field",
        )),
    }
    let Some(actions) = overlay.get("actions").and_then(Value::as_array) else {
        problems.push(Diagnostic::new(
            file,
            "/actions",
            "an overlay needs a list of actions",
        ));
        return problems;
    };
    for (i, action) in actions.iter().enumerate() {
        if let Err(problem) = apply_action(action, document) {
            let (field, message) = problem;
            problems.push(Diagnostic::new(
                file,
                format!("/actions/{i}{field}"),
                message,
            ));
        }
    }
    problems
}

/// Applies one action; the error is the field at fault (`""` or `/target`) and why.
fn apply_action(action: &Value, document: &mut Value) -> Result<(), (&'static str, String)> {
    let target = action.get("target").and_then(Value::as_str).ok_or((
        "",
        "an action needs a `target` (a JSONPath expression)".to_owned(),
    ))?;
    let path = JsonPath::parse(target)
        .map_err(|e| ("/target", format!("invalid JSONPath {target:?}: {e}")))?;
    let pointers: Vec<String> = path
        .query_located(document)
        .locations()
        .map(|l| l.to_json_pointer())
        .collect();
    if pointers.is_empty() {
        return Err((
            "/target",
            format!(
                "{target} matches nothing in the spec: if the vendor has fixed this, remove the action"
            ),
        ));
    }
    let remove = action
        .get("remove")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    match (action.get("update"), remove) {
        (Some(_), true) => Err(("", "an action either updates or removes, not both".into())),
        (None, false) => Err(("", "an action needs `update` or `remove: true`".into())),
        (Some(update), false) => {
            for pointer in &pointers {
                if let Some(node) = document.pointer_mut(pointer) {
                    merge(node, update);
                }
            }
            Ok(())
        }
        (None, true) => {
            // Last first, so that array indices of the earlier ones stay valid.
            for pointer in pointers.iter().rev() {
                payspec_profile::pointer::remove(document, pointer);
            }
            Ok(())
        }
    }
}

/// Overlay `update` semantics: objects merge recursively, arrays are appended to, anything
/// else is replaced.
fn merge(target: &mut Value, update: &Value) {
    match (target, update) {
        (Value::Object(target), Value::Object(update)) => {
            for (key, value) in update {
                match target.get_mut(key) {
                    Some(existing) => merge(existing, value),
                    None => {
                        target.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (Value::Array(target), Value::Array(update)) => target.extend(update.iter().cloned()),
        (target, update) => *target = update.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn overlay(actions: Value) -> Value {
        json!({"overlay": "1.0.0", "info": {"title": "t", "version": "1"}, "actions": actions})
    }

    #[test]
    fn updates_merge_and_removals_remove() {
        let mut doc = json!({"paths": {"/a": {"post": {"summary": "A"}, "get": {"tags": ["x"]}}}, "x-extra": 1});
        let problems = apply(
            Path::new("o.yaml"),
            &overlay(json!([
                {"target": "$.paths['/a'].post", "update": {"operationId": "createA"}},
                {"target": "$.paths['/a'].get.tags", "update": ["y"]},
                {"target": "$['x-extra']", "remove": true},
            ])),
            &mut doc,
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            doc,
            json!({"paths": {"/a": {"post": {"summary": "A", "operationId": "createA"}, "get": {"tags": ["x", "y"]}}}})
        );
    }

    #[test]
    fn a_target_matching_nothing_is_an_error() {
        let mut doc = json!({"paths": {}});
        let problems = apply(
            Path::new("o.yaml"),
            &overlay(
                json!([{"target": "$.paths['/gone'].post", "update": {"operationId": "x"}}, {"target": "$[", "remove": true}]),
            ),
            &mut doc,
        );
        let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(text.len(), 2);
        assert!(
            text[0]
                .starts_with("o.yaml: #/actions/0/target: $.paths['/gone'].post matches nothing"),
            "{text:?}"
        );
        assert!(
            text[1].starts_with("o.yaml: #/actions/1/target: invalid JSONPath"),
            "{text:?}"
        );
    }
}
