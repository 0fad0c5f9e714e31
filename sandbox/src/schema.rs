//! The OpenAPI 3.0 schema subset the sandbox needs: validating a request body or parameter,
//! and rendering a response from a schema, its examples, and a record's fields. Documents are
//! read with the shared helpers of `payspec_profile::openapi`.

use payspec_runtime::profile::openapi::{properties, required, resolve};
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

/// Checks `value` against `schema`; each problem is `pointer: message`.
pub fn validate(
    spec: &Value,
    schema: &Value,
    value: &Value,
    pointer: &str,
    problems: &mut Vec<String>,
) {
    let schema = resolve(spec, schema);
    for member in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        validate(spec, member, value, pointer, problems);
    }
    let at = if pointer.is_empty() { "body" } else { pointer };
    if value.is_null() {
        if !nullable(schema) && type_of(schema).is_some() {
            problems.push(format!("{at}: must not be null"));
        }
        return;
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(value)
    {
        problems.push(format!(
            "{at}: {value} is not one of {}",
            Value::Array(allowed.clone())
        ));
    }
    match type_of(schema) {
        Some("string") => match value.as_str() {
            None => problems.push(format!("{at}: expected a string")),
            Some(text) => validate_string(schema, text, at, problems),
        },
        Some("integer") if !(value.is_i64() || value.is_u64()) => {
            problems.push(format!("{at}: expected an integer"))
        }
        Some("number") if !value.is_number() => problems.push(format!("{at}: expected a number")),
        Some("boolean") if !value.is_boolean() => {
            problems.push(format!("{at}: expected a boolean"))
        }
        Some("array") => match value.as_array() {
            None => problems.push(format!("{at}: expected an array")),
            Some(items) => {
                for (i, item) in schema
                    .get("items")
                    .into_iter()
                    .flat_map(|s| items.iter().map(move |item| (s, item)))
                    .enumerate()
                {
                    validate(spec, item.0, item.1, &format!("{pointer}/{i}"), problems);
                }
            }
        },
        _ => {}
    }
    validate_bounds(schema, value, at, problems);
    if type_of(schema) == Some("object") || schema.get("properties").is_some() {
        validate_object(spec, schema, value, pointer, problems);
    }
}

fn validate_string(schema: &Value, text: &str, at: &str, problems: &mut Vec<String>) {
    if let Some(max) = schema.get("maxLength").and_then(Value::as_u64)
        && text.chars().count() as u64 > max
    {
        problems.push(format!("{at}: longer than {max} characters"));
    }
    let format = schema.get("format").and_then(Value::as_str);
    let format_ok = match format {
        Some("date") => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok(),
        Some("date-time") => chrono::DateTime::parse_from_rfc3339(text).is_ok(),
        Some("uuid") => uuid::Uuid::parse_str(text).is_ok(),
        _ => true,
    };
    if !format_ok {
        problems.push(format!(
            "{at}: {text:?} is not a valid {}",
            format.unwrap_or_default()
        ));
    }
}

fn validate_bounds(schema: &Value, value: &Value, at: &str, problems: &mut Vec<String>) {
    if let Some(minimum) = schema.get("minimum").and_then(Value::as_f64)
        && value.as_f64().is_some_and(|v| v < minimum)
    {
        problems.push(format!("{at}: less than {minimum}"));
    }
    if let Some(maximum) = schema.get("maximum").and_then(Value::as_f64)
        && value.as_f64().is_some_and(|v| v > maximum)
    {
        problems.push(format!("{at}: more than {maximum}"));
    }
}

fn validate_object(
    spec: &Value,
    schema: &Value,
    value: &Value,
    pointer: &str,
    problems: &mut Vec<String>,
) {
    let Some(object) = value.as_object() else {
        let at = if pointer.is_empty() { "body" } else { pointer };
        problems.push(format!("{at}: expected an object"));
        return;
    };
    for name in required(spec, schema) {
        if !object.contains_key(&name) {
            problems.push(format!("{pointer}/{name}: required"));
        }
    }
    for (name, property) in properties(spec, schema) {
        if let Some(field) = object.get(&name) {
            validate(
                spec,
                &property,
                field,
                &format!("{pointer}/{name}"),
                problems,
            );
        }
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
    if let Some(data) = data {
        return coerce(schema, data);
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
    match (
        type_of(schema),
        schema.get("format").and_then(Value::as_str),
    ) {
        (Some("string"), Some("date-time")) => Value::String("2025-01-04T00:24:28.658Z".into()),
        (Some("string"), Some("date")) => Value::String("2025-01-04".into()),
        (Some("string"), Some("uuid")) => {
            Value::String("3c90c3cc-0d44-4b50-8888-8dd25736052a".into())
        }
        (Some("string"), _) => Value::String(String::new()),
        (Some("integer" | "number"), _) => Value::from(0),
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
        let mut broken = rendered.clone();
        break_enums(&spec, &schema, &mut broken, 0);
        assert_eq!(broken["status"], "payspecUnknownValue");
    }
}
