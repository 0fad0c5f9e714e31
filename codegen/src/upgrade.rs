//! OpenAPI 3.1 read as 3.0 (every current Adyen spec is 3.1): the document is rewritten in
//! place, keeping its structure so that pointers, and the locations of problems in the text as
//! written, stay valid. Schema keywords: a type list with `null` becomes `nullable`, other type
//! lists `anyOf`; `const` an enum of one; `examples` the first `example`; numeric exclusive
//! bounds the 3.0 pair; a `$ref` with siblings an `allOf`. Document keywords 3.0 lacks
//! (`webhooks`, `jsonSchemaDialect`, license `identifier`, `$schema`/`$id`) are dropped.
//! Swagger 2 stays refused (see `parse::check_version`).

use serde_json::{Map, Value, json};

/// Vendor texts' small departures from the specification that are unambiguous to read: a
/// security requirement's scopes written `null` instead of `[]` (Square), and the schema slips
/// below. Returns notes.
pub(crate) fn tolerate(doc: &mut Value) -> Vec<String> {
    let mut notes = Vec::new();
    schema_slips(doc, String::new(), &mut notes, 0);
    let mut fix = |requirements: &mut Value, at: &str| {
        for (i, requirement) in requirements
            .as_array_mut()
            .into_iter()
            .flatten()
            .enumerate()
        {
            for (name, scopes) in requirement.as_object_mut().into_iter().flatten() {
                if scopes.is_null() {
                    *scopes = json!([]);
                    notes.push(format!("{at}/security/{i}/{name}: null scopes read as []"));
                }
            }
        }
    };
    if let Some(global) = doc.get_mut("security") {
        fix(global, "#");
    }
    for (path, item) in doc
        .get_mut("paths")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flatten()
    {
        for (method, operation) in item.as_object_mut().into_iter().flatten() {
            if let Some(security) = operation.get_mut("security") {
                fix(security, &format!("#/paths/{path}/{method}"));
            }
        }
    }
    notes
}

/// Schema keywords typify refuses and the vendor cannot have meant: a `format` on an object
/// (PayPal's `format: payer_v1`) is dropped; numbers and booleans among the values of a string
/// enum (Plaid) are read as the strings they stand for.
fn schema_slips(value: &mut Value, at: String, notes: &mut Vec<String>, depth: usize) {
    if depth > 256 {
        return;
    }
    match value {
        Value::Object(object) => {
            // `type: string`, or in 3.1 a list such as `[string, "null"]`.
            let kind = match object.get("type") {
                Some(Value::String(kind)) => Some(kind.clone()),
                Some(Value::Array(kinds)) => kinds
                    .iter()
                    .filter_map(Value::as_str)
                    .find(|k| *k != "null")
                    .map(str::to_owned),
                _ => None,
            };
            let typed = |t: &str| kind.as_deref() == Some(t);
            if typed("object") && object.get("format").is_some_and(Value::is_string) {
                object.remove("format");
                notes.push(format!("#{at}: `format` of an object dropped"));
            }
            if typed("string")
                && let Some(Value::Array(values)) = object.get_mut("enum")
            {
                for value in values.iter_mut() {
                    if value.is_number() || value.is_boolean() {
                        *value = Value::String(value.to_string());
                        notes.push(format!("#{at}/enum: {value} read as a string"));
                    }
                }
            }
            for (key, child) in object.iter_mut() {
                // Literal data (examples, defaults, enum values) is not schema.
                if matches!(key.as_str(), "example" | "examples" | "default" | "enum") {
                    continue;
                }
                let at = format!("{at}/{}", crate::diagnostic::token(key));
                schema_slips(child, at, notes, depth + 1);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                schema_slips(item, format!("{at}/{i}"), notes, depth + 1);
            }
        }
        _ => {}
    }
}

/// Whether the document is OpenAPI 3.1.
pub(crate) fn is_31(doc: &Value) -> bool {
    doc.get("openapi")
        .and_then(Value::as_str)
        .is_some_and(|v| v.starts_with("3.1"))
}

/// Rewrites a 3.1 document as 3.0.3; returns what was dropped or changed, for `-v`.
pub(crate) fn to_30(doc: &mut Value) -> Vec<String> {
    let mut notes = Vec::new();
    let Some(root) = doc.as_object_mut() else {
        return notes;
    };
    root.insert("openapi".into(), json!("3.0.3"));
    for key in ["webhooks", "jsonSchemaDialect", "$schema", "$id"] {
        if root.remove(key).is_some() {
            notes.push(format!("#/{key}: dropped (OpenAPI 3.1 only)"));
        }
    }
    if let Some(license) = root
        .get_mut("info")
        .and_then(|i| i.get_mut("license"))
        .and_then(Value::as_object_mut)
        && let Some(identifier) = license.remove("identifier")
    {
        license.entry("url").or_insert_with(|| {
            json!(format!(
                "https://spdx.org/licenses/{}",
                identifier.as_str().unwrap_or_default()
            ))
        });
    }
    root.entry("paths").or_insert_with(|| json!({}));
    walk(doc, 0);
    notes
}

/// Rewrites every schema-like object below `value` (any object with schema keywords: the
/// whole document is walked, as schemas sit in many places).
fn walk(value: &mut Value, depth: usize) {
    if depth > 128 {
        return;
    }
    match value {
        Value::Object(object) => {
            schema_keywords(object);
            for child in object.values_mut() {
                walk(child, depth + 1);
            }
        }
        Value::Array(items) => {
            for item in items {
                walk(item, depth + 1);
            }
        }
        _ => {}
    }
}

fn schema_keywords(object: &mut Map<String, Value>) {
    type_list(object);
    if let Some(constant) = object.remove("const") {
        object.insert("enum".into(), Value::Array(vec![constant]));
    }
    if let Some(Value::Array(examples)) = object.get("examples")
        && let Some(first) = examples.first().cloned()
        && is_schema(object)
    {
        object.remove("examples");
        object.entry("example").or_insert(first);
    }
    for (bound, limit) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(number) = object.get(bound).filter(|v| v.is_number()).cloned() {
            object.insert(limit.into(), number);
            object.insert(bound.into(), Value::Bool(true));
        }
    }
    ref_with_siblings(object);
    for key in ["$schema", "$id", "$comment", "contentMediaType"] {
        object.remove(key);
    }
    if object.remove("contentEncoding").is_some() {
        object.insert("format".into(), json!("byte"));
    }
    null_in_any_of(object);
}

/// Whether an object is a schema (rather than a media type or a parameter, which also have
/// `examples` in 3.0, as a map).
fn is_schema(object: &Map<String, Value>) -> bool {
    [
        "type",
        "properties",
        "items",
        "enum",
        "format",
        "allOf",
        "anyOf",
        "oneOf",
        "$ref",
    ]
    .iter()
    .any(|k| object.contains_key(*k))
}

/// `type: [string, "null"]` is `type: string, nullable: true`; several other types `anyOf`.
fn type_list(object: &mut Map<String, Value>) {
    // `type: "null"` alone: a value that is always null, read as a nullable value of any type
    // (3.0 has no null type; `serde_json::Value` holds the null).
    if object.get("type") == Some(&json!("null")) {
        object.remove("type");
        object.insert("nullable".into(), Value::Bool(true));
        return;
    }
    let Some(Value::Array(types)) = object.get("type").cloned() else {
        return;
    };
    let nullable = types.iter().any(|t| t == "null");
    let others: Vec<Value> = types.into_iter().filter(|t| t != "null").collect();
    match others.as_slice() {
        [] => {
            object.remove("type");
        }
        [one] => {
            object.insert("type".into(), one.clone());
        }
        many => {
            object.remove("type");
            let variants = many.iter().map(|t| json!({ "type": t })).collect();
            object.insert("anyOf".into(), Value::Array(variants));
        }
    }
    if nullable {
        object.insert("nullable".into(), Value::Bool(true));
    }
}

/// `anyOf: [X, {type: null}]` is X, nullable.
fn null_in_any_of(object: &mut Map<String, Value>) {
    for key in ["anyOf", "oneOf"] {
        let Some(Value::Array(variants)) = object.get_mut(key) else {
            continue;
        };
        let before = variants.len();
        variants.retain(|v| v.get("type") != Some(&json!("null")));
        if variants.len() == before {
            continue;
        }
        object.insert("nullable".into(), Value::Bool(true));
        if let Some(Value::Array(rest)) = object.get(key)
            && rest.len() == 1
        {
            let only = rest[0].clone();
            object.remove(key);
            object.insert("allOf".into(), Value::Array(vec![only]));
        }
    }
}

/// A `$ref` beside other keywords: 3.0 ignores the siblings, so the reference moves into an
/// `allOf` (descriptions alone stay where they are: 3.0 readers ignore them harmlessly).
fn ref_with_siblings(object: &mut Map<String, Value>) {
    let Some(reference) = object.get("$ref").and_then(Value::as_str) else {
        return;
    };
    // A reference to a parameter, a response, a body…: 3.1 ignores every sibling but
    // `summary` and `description` (its Reference Object), so they are dropped.
    if !reference.starts_with("#/components/schemas/") && reference.starts_with("#/components/") {
        object.retain(|k, _| matches!(k.as_str(), "$ref" | "summary" | "description"));
        return;
    }
    let meaningful = object.keys().any(|k| {
        !matches!(
            k.as_str(),
            "$ref" | "description" | "summary" | "example" | "examples"
        )
    });
    if !meaningful {
        return;
    }
    if let Some(reference) = object.remove("$ref") {
        let mut all = vec![json!({ "$ref": reference })];
        if let Some(Value::Array(existing)) = object.remove("allOf") {
            all.extend(existing);
        }
        object.insert("allOf".into(), Value::Array(all));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_31_document_reads_as_30() {
        let mut doc = json!({
            "openapi": "3.1.0", "info": {"title": "t", "version": "1", "license": {"name": "MIT", "identifier": "MIT"}},
            "webhooks": {"x": {}},
            "components": {"schemas": {
                "A": {"type": ["string", "null"], "examples": ["a"]},
                "B": {"type": ["string", "integer"]},
                "C": {"const": "fixed"},
                "D": {"type": "number", "exclusiveMinimum": 0},
                "E": {"$ref": "#/components/schemas/A", "nullable": true},
                "F": {"anyOf": [{"$ref": "#/components/schemas/A"}, {"type": "null"}]}
            }}
        });
        let notes = to_30(&mut doc);
        assert_eq!(doc["openapi"], "3.0.3");
        assert!(doc.get("webhooks").is_none() && notes.iter().any(|n| n.contains("webhooks")));
        let schemas = &doc["components"]["schemas"];
        assert_eq!(
            schemas["A"],
            json!({"type": "string", "nullable": true, "example": "a"})
        );
        assert_eq!(
            schemas["B"],
            json!({"anyOf": [{"type": "string"}, {"type": "integer"}]})
        );
        assert_eq!(schemas["C"], json!({"enum": ["fixed"]}));
        assert_eq!(
            schemas["D"],
            json!({"type": "number", "minimum": 0, "exclusiveMinimum": true})
        );
        assert_eq!(
            schemas["E"],
            json!({"nullable": true, "allOf": [{"$ref": "#/components/schemas/A"}]})
        );
        assert_eq!(
            schemas["F"],
            json!({"nullable": true, "allOf": [{"$ref": "#/components/schemas/A"}]})
        );
        assert_eq!(doc["paths"], json!({}));
    }
}
