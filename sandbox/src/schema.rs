//! The OpenAPI 3.0 schema subset the sandbox needs: validating a request body or parameter,
//! and rendering a response from a schema, its examples, and a record's fields. Documents are
//! read with the shared helpers of `payspec_profile::openapi`.

use payspec_runtime::profile::conformance;
use payspec_runtime::profile::openapi::{properties, required, resolve};

use crate::fault::Drift;
use serde_json::{Map, Value};

fn type_of(schema: &Value) -> Option<&str> {
    schema.get("type").and_then(Value::as_str)
}

fn nullable(schema: &Value) -> bool {
    schema
        .get("nullable")
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// Checks `value` against `schema`; each problem is `pointer: message`, the pointer after
/// `prefix` (`body` for the whole value when there is no prefix).
pub fn validate(
    spec: &Value,
    schema: &Value,
    value: &Value,
    prefix: &str,
    problems: &mut Vec<String>,
) {
    let options = conformance::Options::default();
    for mismatch in conformance::check(spec, schema, None, value, options) {
        problems.push(match (prefix, mismatch.pointer.as_str()) {
            ("", _) => mismatch.to_string(),
            (prefix, pointer) => format!("{prefix}{pointer}: {}", mismatch.problem()),
        });
    }
}

/// Renders a value of `schema`, taking `data` where it has a value, the schema's example or
/// default otherwise, and a plausible placeholder last.
pub fn render(spec: &Value, schema: &Value, data: Option<&Value>, depth: usize) -> Value {
    let schema = resolve(spec, schema);
    if depth > 16 {
        return Value::Null;
    }
    let is_object = type_of(schema) == Some("object")
        || schema.get("properties").is_some()
        || schema.get("allOf").is_some();
    // A stored value the schema does not take (a null a client sent where the spec says
    // non-null, an object for a list) is not echoed: the answer keeps to the spec.
    let kept = data.map(|d| coerce(schema, d)).filter(|d| fits(schema, d));
    let data = kept.as_ref();
    if is_object {
        if let Some(data) = data
            && !data.is_object()
        {
            return data.clone();
        }
        let properties = properties(spec, schema);
        if properties.is_empty() {
            return data
                .cloned()
                .or_else(|| example(schema))
                .unwrap_or_else(|| Value::Object(Map::new()));
        }
        let mut out = Map::new();
        for (name, property) in &properties {
            let field = data.and_then(|d| d.get(name));
            out.insert(name.clone(), render(spec, property, field, depth + 1));
        }
        return Value::Object(out);
    }
    match (data, schema.get("items")) {
        // Each item through the item schema (a stored `[null]` is not echoed either).
        (Some(Value::Array(items)), Some(item_schema)) => {
            return Value::Array(
                items
                    .iter()
                    .map(|item| render(spec, item_schema, Some(item), depth + 1))
                    .collect(),
            );
        }
        (Some(data), _) => return data.clone(),
        (None, _) => {}
    }
    if let Some(example) = example(schema) {
        return example;
    }
    if nullable(schema) {
        return Value::Null;
    }
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
    {
        return first.clone();
    }
    placeholder(schema)
}

/// A value of the schema's type and format within its bounds (`minimum`, `minLength`,
/// `pattern`), for a schema with no example, default or enum.
fn placeholder(schema: &Value) -> Value {
    let minimum = schema.get("minimum").and_then(Value::as_f64);
    match (
        type_of(schema),
        schema.get("format").and_then(Value::as_str),
    ) {
        (Some("string"), Some("date-time")) => Value::String("2025-01-04T00:24:28.658Z".into()),
        (Some("string"), Some("date")) => Value::String("2025-01-04".into()),
        (Some("string"), Some("uuid")) => {
            Value::String("3c90c3cc-0d44-4b50-8888-8dd25736052a".into())
        }
        (Some("string"), Some("email")) => Value::String("demo@payspec.example".into()),
        (Some("string"), _) => {
            let least = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0);
            let matching = schema
                .get("pattern")
                .and_then(Value::as_str)
                .and_then(crate::pattern::sample)
                .filter(|text| text.chars().count() as u64 >= least);
            Value::String(matching.unwrap_or_else(|| "x".repeat(least.min(1024) as usize)))
        }
        (Some("integer"), _) => Value::from(minimum.map_or(0, |m| m.ceil() as i64)),
        (Some("number"), _) => minimum.map_or(Value::from(0), Value::from),
        (Some("boolean"), _) => Value::Bool(false),
        (Some("array"), _) => Value::Array(Vec::new()),
        _ => Value::Null,
    }
}

fn example(schema: &Value) -> Option<Value> {
    schema
        .get("example")
        .or_else(|| schema.get("default"))
        .cloned()
}

/// Whether a value has the schema's type, null only where the schema takes it (enum values
/// are not checked: a state vendor.yaml sets is the sandbox's to give).
fn fits(schema: &Value, value: &Value) -> bool {
    if value.is_null() {
        let enum_takes_null = schema
            .get("enum")
            .and_then(Value::as_array)
            .is_none_or(|allowed| allowed.contains(&Value::Null));
        return nullable(schema) || (type_of(schema).is_none() && enum_takes_null);
    }
    match type_of(schema) {
        Some("string") => value.as_str().is_some_and(|text| of_format(schema, text)),
        Some("integer") => value.is_i64() || value.is_u64(),
        Some("number") => value.is_number(),
        Some("boolean") => value.is_boolean(),
        Some("array") => value.is_array(),
        Some("object") => value.is_object(),
        _ => true,
    }
}

/// Whether a stored string has the schema's date or date-time format (CoinPool takes a
/// deposit's `transfer_date` as a date and answers it as a date-time). Identifiers are not
/// checked: a stored id is echoed as it is, whatever format the spec gives it.
fn of_format(schema: &Value, text: &str) -> bool {
    match schema.get("format").and_then(Value::as_str) {
        Some("date") => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok(),
        Some("date-time") => chrono::DateTime::parse_from_rfc3339(text).is_ok(),
        _ => true,
    }
}

/// A record's value in the type the schema wants (an integer id where a string is declared…).
fn coerce(schema: &Value, data: &Value) -> Value {
    match (type_of(schema), data) {
        (Some("string"), Value::Number(n)) => Value::String(n.to_string()),
        (Some("string"), Value::Bool(b)) => Value::String(b.to_string()),
        (Some("integer" | "number"), Value::String(s)) => s
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| data.clone()),
        _ => data.clone(),
    }
}

/// Replaces every enum-typed value in `value` with one the spec does not know (a fault).
pub fn break_enums(spec: &Value, schema: &Value, value: &mut Value, depth: usize) {
    let schema = resolve(spec, schema);
    if depth > 16 {
        return;
    }
    if schema.get("enum").is_some() && value.is_string() {
        *value = Value::String("payspecUnknownValue".into());
        return;
    }
    match value {
        Value::Object(object) => {
            for (name, property) in properties(spec, schema) {
                if let Some(field) = object.get_mut(&name) {
                    break_enums(spec, &property, field, depth + 1);
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for item in items {
                    break_enums(spec, item_schema, item, depth + 1);
                }
            }
        }
        _ => {}
    }
}

/// Makes one drift at the first place of `value` where it can be (fields in the schema's
/// order, the first item of a list); whether it found one.
pub fn drift(spec: &Value, schema: &Value, value: &mut Value, kind: Drift, depth: usize) -> bool {
    let schema = resolve(spec, schema);
    if depth > 16 {
        return false;
    }
    if kind == Drift::Enum && schema.get("enum").is_some() && value.is_string() {
        *value = Value::String("payspecUnknownValue".into());
        return true;
    }
    match value {
        Value::Object(object) => drift_object(spec, schema, object, kind, depth),
        Value::Array(items) => match (schema.get("items"), items.first_mut()) {
            (Some(item_schema), Some(first)) => drift(spec, item_schema, first, kind, depth + 1),
            _ => false,
        },
        _ => false,
    }
}

fn drift_object(
    spec: &Value,
    schema: &Value,
    object: &mut Map<String, Value>,
    kind: Drift,
    depth: usize,
) -> bool {
    let listed = properties(spec, schema);
    match kind {
        Drift::Extra if !listed.is_empty() => {
            object.insert("payspec_unlisted".into(), Value::String("drift".into()));
            return true;
        }
        Drift::Missing => {
            if let Some(name) = required(spec, schema)
                .into_iter()
                .find(|name| object.contains_key(name))
            {
                object.remove(&name);
                return true;
            }
        }
        Drift::Null => {
            let scalar = |property: &Value| {
                let property = resolve(spec, property);
                matches!(
                    type_of(property),
                    Some("string" | "integer" | "number" | "boolean")
                ) && !nullable(property)
            };
            if let Some(name) = listed.iter().find_map(|(name, property)| {
                (scalar(property) && object.get(name).is_some_and(|v| !v.is_null()))
                    .then(|| name.clone())
            }) {
                object.insert(name, Value::Null);
                return true;
            }
        }
        _ => {}
    }
    listed.iter().any(|(name, property)| {
        object
            .get_mut(name)
            .is_some_and(|field| drift(spec, property, field, kind, depth + 1))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec() -> Value {
        json!({"components": {"schemas": {
            "Status": {"type": "string", "enum": ["pending", "done"]},
            "Order": {"type": "object", "required": ["id"], "properties": {
                "id": {"type": "string", "format": "uuid"},
                "status": {"$ref": "#/components/schemas/Status"},
                "amount": {"type": "string", "example": "10"},
                "note": {"type": "string", "nullable": true}
            }}
        }}})
    }

    #[test]
    fn validation_names_each_problem_by_pointer() {
        let spec = spec();
        let schema = json!({"$ref": "#/components/schemas/Order"});
        let mut problems = Vec::new();
        validate(
            &spec,
            &schema,
            &json!({"status": "lost", "note": null, "amount": 3}),
            "",
            &mut problems,
        );
        problems.sort();
        assert_eq!(
            problems,
            [
                "/amount: expected a string",
                "/id: required",
                "/status: \"lost\" is not one of [\"pending\",\"done\"]"
            ]
            .map(String::from)
        );
    }

    #[test]
    fn rendering_overlays_data_on_examples() {
        let spec = spec();
        let schema = json!({"$ref": "#/components/schemas/Order"});
        let rendered = render(
            &spec,
            &schema,
            Some(&json!({"id": "x", "status": "done"})),
            0,
        );
        assert_eq!(
            rendered,
            json!({"id": "x", "status": "done", "amount": "10", "note": null})
        );
        // A stored null where the spec says non-null, or a string for a number, is not echoed.
        let kept = render(
            &spec,
            &schema,
            Some(&json!({"id": null, "status": null, "amount": {"x": 1}, "note": null})),
            0,
        );
        assert_eq!(kept["id"], "3c90c3cc-0d44-4b50-8888-8dd25736052a");
        assert_eq!(kept["status"], "pending");
        assert_eq!(kept["amount"], "10");
        assert_eq!(kept["note"], Value::Null);
        let mut broken = rendered.clone();
        break_enums(&spec, &schema, &mut broken, 0);
        assert_eq!(broken["status"], "payspecUnknownValue");
        let drifted = |kind| {
            let mut value = rendered.clone();
            assert!(drift(&spec, &schema, &mut value, kind, 0));
            value
        };
        assert_eq!(drifted(Drift::Enum)["status"], "payspecUnknownValue");
        // The first non-nullable scalar in the map's order (which serde_json's features decide).
        let nulled = drifted(Drift::Null);
        let newly_null: Vec<&str> = ["id", "amount"]
            .into_iter()
            .filter(|name| nulled[name].is_null())
            .collect();
        assert_eq!(newly_null.len(), 1, "{nulled}");
        assert!(drifted(Drift::Missing).get("id").is_none());
        assert_eq!(drifted(Drift::Extra)["payspec_unlisted"], "drift");
    }
}
