//! Multi-file specs: a `$ref` to a sibling file (`common.yaml#/components/schemas/Money`, or a
//! whole file) is inlined into the main document's components and rewritten as a local
//! reference, recursively (references inside the other file are relative to that file). Only
//! files under the spec's directory are read; URLs are left for `normalize` to refuse, located.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::diagnostic::Diagnostic;

/// How many bytes of other files one spec may pull in, in all. A reference loop across files
/// costs nothing (each file is read once, each target placed once); what is bounded is the
/// work and memory, not how finely a vendor splits its document (one had 108 files).
const MAX_TOTAL_BYTES: u64 = 128 << 20;

/// Inlines every reference to another file of `spec`'s directory into `doc`.
pub(crate) fn inline(spec: &Path, doc: &mut Value) -> Result<(), Diagnostic> {
    let root = spec.parent().unwrap_or(Path::new(".")).to_path_buf();
    let main = spec.canonicalize().unwrap_or_else(|_| spec.to_path_buf());
    let mut state = State {
        root,
        main,
        files: BTreeMap::new(),
        placed: BTreeMap::new(),
        added: Vec::new(),
        bytes: 0,
    };
    inline_path_items(doc, spec, &mut state)?;
    rewrite(doc, spec, &mut state, 0)?;
    for (section, name, value) in state.added {
        let components = doc.as_object_mut().map(|o| {
            o.entry("components")
                .or_insert_with(|| Value::Object(Map::new()))
        });
        if let Some(Value::Object(components)) = components {
            let section = components
                .entry(section)
                .or_insert_with(|| Value::Object(Map::new()));
            if let Some(section) = section.as_object_mut() {
                section.insert(name, value);
            }
        }
    }
    Ok(())
}

/// A path item that is a reference to another file takes that file's content in place (path
/// items have no components section in OpenAPI 3.0).
fn inline_path_items(doc: &mut Value, spec: &Path, state: &mut State) -> Result<(), Diagnostic> {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return Ok(());
    };
    for item in paths.values_mut() {
        let Some(target) = item.get("$ref").and_then(Value::as_str).map(str::to_owned) else {
            continue;
        };
        if target.starts_with('#') || target.contains("://") {
            continue;
        }
        let (path, pointer) = target.split_once('#').unwrap_or((&target, ""));
        let file = spec.parent().unwrap_or(Path::new(".")).join(path);
        let file = file.canonicalize().map_err(|e| {
            Diagnostic::new(
                spec,
                "",
                format!("$ref {target:?}: cannot read {}: {e}", file.display()),
            )
        })?;
        let root = state
            .root
            .canonicalize()
            .unwrap_or_else(|_| state.root.clone());
        if !file.starts_with(&root) {
            return Err(Diagnostic::new(
                spec,
                "",
                format!("$ref {target:?} points outside the spec's directory"),
            ));
        }
        let document = crate::read::read_document(&file)?;
        let mut value = document.pointer(pointer).cloned().ok_or_else(|| {
            Diagnostic::new(&file, pointer, format!("$ref {target:?}: nothing there"))
        })?;
        rewrite(&mut value, &file, state, 1)?;
        *item = value;
    }
    Ok(())
}

struct State {
    root: PathBuf,
    /// The main document (its `#/…` references stay as they are).
    main: PathBuf,
    files: BTreeMap<PathBuf, Value>,
    /// Where each (file, pointer) went: its local reference.
    placed: BTreeMap<(PathBuf, String), String>,
    /// What to add to the main document's components: (section, name, value).
    added: Vec<(String, String, Value)>,
    /// The bytes of the other files read so far.
    bytes: u64,
}

fn rewrite(
    value: &mut Value,
    file: &Path,
    state: &mut State,
    depth: usize,
) -> Result<(), Diagnostic> {
    if depth > 256 {
        return Ok(());
    }
    match value {
        Value::Object(object) => {
            if let Some(Value::String(target)) = object.get("$ref").cloned()
                && let Some(local) = external(&target, file, state)?
            {
                object.insert("$ref".into(), Value::String(local));
            }
            for (key, child) in object.iter_mut() {
                if !matches!(key.as_str(), "example" | "default" | "enum") {
                    rewrite(child, file, state, depth + 1)?;
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                rewrite(item, file, state, depth + 1)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// The local reference a reference to another file becomes (`None`: not to another file).
fn external(target: &str, file: &Path, state: &mut State) -> Result<Option<String>, Diagnostic> {
    if target.contains("://") {
        return Ok(None);
    }
    let in_main = file.canonicalize().is_ok_and(|f| f == state.main);
    if target.starts_with('#') && in_main {
        return Ok(None);
    }
    let (path, pointer) = target.split_once('#').unwrap_or((target, ""));
    // `#/…` inside another file points into that file.
    let other = if path.is_empty() {
        file.to_path_buf()
    } else {
        file.parent().unwrap_or(Path::new(".")).join(path)
    };
    let other = other.canonicalize().map_err(|e| {
        Diagnostic::new(
            file,
            "",
            format!("$ref {target:?}: cannot read {}: {e}", other.display()),
        )
    })?;
    let root = state
        .root
        .canonicalize()
        .unwrap_or_else(|_| state.root.clone());
    if !other.starts_with(&root) {
        return Err(Diagnostic::new(
            file,
            "",
            format!("$ref {target:?} points outside the spec's directory"),
        ));
    }
    let key = (other.clone(), pointer.to_owned());
    if let Some(local) = state.placed.get(&key) {
        return Ok(Some(local.clone()));
    }
    if !state.files.contains_key(&other) {
        state.bytes += std::fs::metadata(&other)
            .map(|m| m.len())
            .unwrap_or_default();
        if state.bytes > MAX_TOTAL_BYTES {
            return Err(Diagnostic::new(
                file,
                "",
                format!(
                    "$ref {target:?}: the files this spec references exceed {} MiB in all",
                    MAX_TOTAL_BYTES >> 20
                ),
            ));
        }
        let document = crate::read::read_document(&other)?;
        state.files.insert(other.clone(), document);
    }
    let mut value = state.files[&other]
        .pointer(pointer)
        .cloned()
        .ok_or_else(|| {
            Diagnostic::new(&other, pointer, format!("$ref {target:?}: nothing there"))
        })?;
    let (section, name) = place(pointer, &other);
    let local = format!("#/components/{section}/{name}");
    state.placed.insert(key, local.clone());
    // References inside the other file are relative to it.
    rewrite(&mut value, &other, state, 1)?;
    state.added.push((section, name, value));
    Ok(Some(local))
}

/// Where an inlined value goes: under its own components section and name when it comes from
/// one (`/components/schemas/Money`), else under schemas, named after the file.
fn place(pointer: &str, file: &Path) -> (String, String) {
    let stem = file
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("external");
    let tokens: Vec<&str> = pointer
        .trim_start_matches('/')
        .split('/')
        .filter(|t| !t.is_empty())
        .collect();
    match tokens.as_slice() {
        ["components", section, name] => ((*section).to_owned(), format!("{stem}_{name}")),
        [] => ("schemas".to_owned(), stem.to_owned()),
        rest => ("schemas".to_owned(), format!("{stem}_{}", rest.join("_"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sibling_files_are_inlined_as_components() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("common.yaml"),
            "components:\n  schemas:\n    Money:\n      type: object\n      properties:\n        currency: {$ref: 'currency.json'}\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("currency.json"),
            r#"{"type": "string", "enum": ["EUR"]}"#,
        )
        .unwrap();
        let spec = dir.path().join("openapi.yaml");
        let mut doc = json!({"paths": {"/a": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "common.yaml#/components/schemas/Money"}}}}}}}}});
        inline(&spec, &mut doc).unwrap();
        assert_eq!(
            doc.pointer("/paths/~1a/get/responses/200/content/application~1json/schema/$ref")
                .unwrap(),
            "#/components/schemas/common_Money"
        );
        assert_eq!(
            doc.pointer("/components/schemas/common_Money/properties/currency/$ref")
                .unwrap(),
            "#/components/schemas/currency"
        );
        assert_eq!(
            doc.pointer("/components/schemas/currency/enum/0").unwrap(),
            "EUR"
        );
        let mut escape = json!({"a": {"$ref": "../outside.yaml"}});
        assert!(inline(&spec, &mut escape).is_err());
    }

    /// A document split over 120 files, each referring to the next and the last back to the
    /// first (a loop across files): every file is read once and the loop resolves locally.
    #[test]
    fn many_files_and_a_loop_across_them_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let count = 120;
        for i in 0..count {
            let next = (i + 1) % count;
            std::fs::write(
                dir.path().join(format!("s{i}.yaml")),
                format!("type: object\nproperties:\n  next: {{$ref: 's{next}.yaml'}}\n"),
            )
            .unwrap();
        }
        let spec = dir.path().join("openapi.yaml");
        let mut doc = json!({"paths": {"/a": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "s0.yaml"}}}}}}}}});
        inline(&spec, &mut doc).unwrap();
        let schemas = doc
            .pointer("/components/schemas")
            .unwrap()
            .as_object()
            .unwrap();
        assert_eq!(schemas.len(), count);
        assert_eq!(
            doc.pointer("/components/schemas/s119/properties/next/$ref")
                .unwrap(),
            "#/components/schemas/s0"
        );
    }
}
