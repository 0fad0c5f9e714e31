//! OpenAPI documents as JSON: the helpers every part needs (operations with their path-level
//! parameters merged, local `$ref` resolution, object properties through `allOf`, the schema
//! at a pointer of property names, the success response), written once.

use serde_json::{Map, Value};

use crate::pointer;

/// The HTTP methods an OpenAPI path item may hold, in the specification's order.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// One operation of a document.
#[derive(Debug, Clone, Copy)]
pub struct Operation<'a> {
    /// The path template.
    pub path: &'a str,
    /// The method, lower case.
    pub method: &'static str,
    /// The operation object.
    pub value: &'a Value,
    /// Its path item.
    pub item: &'a Value,
}

impl Operation<'_> {
    /// The operation's JSON pointer in the document.
    pub fn pointer(&self) -> String {
        format!("/paths/{}/{}", pointer::escape(self.path), self.method)
    }
}

/// Every operation, in document order (paths as written, methods in the specification's order).
pub fn operations(spec: &Value) -> Vec<Operation<'_>> {
    let mut out = Vec::new();
    for (path, item) in spec
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        for method in METHODS {
            if let Some(value) = item.get(method).filter(|v| v.is_object()) {
                out.push(Operation {
                    path,
                    method,
                    value,
                    item,
                });
            }
        }
    }
    out
}

/// An operation's parameters, `$ref`s resolved: its own, then the path item's that it does
/// not override (same name and location).
pub fn parameters<'a>(spec: &'a Value, operation: &Operation<'a>) -> Vec<&'a Value> {
    let list = |value: &'a Value| -> Vec<&'a Value> {
        value
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|p| resolve(spec, p))
            .filter(|p| p.is_object())
            .collect()
    };
    let mut own = list(operation.value);
    let key = |p: &Value| (p.get("name").cloned(), p.get("in").cloned());
    let shared: Vec<&Value> = list(operation.item)
        .into_iter()
        .filter(|shared| !own.iter().any(|mine| key(mine) == key(shared)))
        .collect();
    own.extend(shared);
    own
}

/// Follows local `$ref`s (`#/…`) to what they name; `null` for a dangling or looping one.
pub fn resolve<'a>(spec: &'a Value, mut value: &'a Value) -> &'a Value {
    for _ in 0..32 {
        match value.get("$ref").and_then(Value::as_str) {
            Some(reference) => match reference.strip_prefix('#').and_then(|p| spec.pointer(p)) {
                Some(target) => value = target,
                None => return &Value::Null,
            },
            None => return value,
        }
    }
    &Value::Null
}

/// How deep `allOf` is followed: a document whose `allOf` loops back on itself (a peer's
/// spec is not to be trusted) stops here instead of exhausting the stack.
const MAX_ALL_OF_DEPTH: usize = 32;

/// The properties of an object schema, merged through `allOf` (later members win).
pub fn properties(spec: &Value, schema: &Value) -> Map<String, Value> {
    properties_within(spec, schema, 0)
}

fn properties_within(spec: &Value, schema: &Value, depth: usize) -> Map<String, Value> {
    let schema = resolve(spec, schema);
    let mut out = Map::new();
    if depth < MAX_ALL_OF_DEPTH {
        for member in all_of(schema) {
            out.extend(properties_within(spec, member, depth + 1));
        }
    }
    if let Some(own) = schema.get("properties").and_then(Value::as_object) {
        out.extend(own.clone());
    }
    out
}

/// The strings of an array (`required`, `tags`), none when it is not one.
pub fn strings(array: Option<&Value>) -> Vec<String> {
    array
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

/// The required property names of an object schema, through `allOf`.
pub fn required(spec: &Value, schema: &Value) -> Vec<String> {
    required_within(spec, schema, 0)
}

fn required_within(spec: &Value, schema: &Value, depth: usize) -> Vec<String> {
    let schema = resolve(spec, schema);
    let mut out = strings(schema.get("required"));
    if depth < MAX_ALL_OF_DEPTH {
        for member in all_of(schema) {
            out.extend(required_within(spec, member, depth + 1));
        }
    }
    out
}

/// The members of a schema's `allOf` (none when it has none).
pub fn all_of(schema: &Value) -> impl Iterator<Item = &Value> {
    schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

/// The schema reached by following a pointer of property names (an envelope's `/Body`)
/// into `schema`, through `$ref` and `allOf`.
pub fn schema_at(spec: &Value, schema: &Value, at: &str) -> Option<Value> {
    let mut current = resolve(spec, schema).clone();
    for token in pointer::tokens(at)? {
        current = properties(spec, &current).get(&token)?.clone();
    }
    Some(current)
}

/// The JSON Schema type of a value (`integer` for whole numbers, `null` for null).
pub fn value_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The first JSON media type of a `content` map (`application/json`, `…+json`).
pub fn json_media(content: &Value) -> Option<(&str, &Value)> {
    content
        .as_object()?
        .iter()
        .find(|(media, _)| is_json(media))
        .map(|(media, value)| (media.as_str(), value))
}

/// Whether a media type is JSON.
pub fn is_json(media: &str) -> bool {
    let essence = media.split(';').next().unwrap_or_default().trim();
    essence == "application/json" || essence.ends_with("+json")
}

/// The first 2xx response of an operation: its status and JSON schema (`null` when none).
pub fn success_response(spec: &Value, operation: &Value) -> (u16, Value) {
    for (status, response) in operation
        .get("responses")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let code = match status.as_str() {
            "2XX" | "2xx" => 200,
            other => other.parse::<u16>().unwrap_or(0),
        };
        if (200..300).contains(&code) {
            let response = resolve(spec, response);
            let schema = response
                .get("content")
                .and_then(json_media)
                .and_then(|(_, media)| media.get("schema"))
                .cloned()
                .unwrap_or(Value::Null);
            return (code, schema);
        }
    }
    (200, Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec() -> Value {
        json!({
            "paths": {"/a/{id}": {
                "parameters": [{"name": "id", "in": "path"}, {"$ref": "#/components/parameters/Q"}],
                "get": {"parameters": [{"name": "q", "in": "query", "required": true}],
                        "responses": {"200": {"$ref": "#/components/responses/Ok"}}},
                "post": {}
            }},
            "components": {
                "parameters": {"Q": {"name": "q", "in": "query"}},
                "responses": {"Ok": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Env"}}}}},
                "schemas": {
                    "Env": {"allOf": [{"$ref": "#/components/schemas/Base"}, {"properties": {"Body": {"$ref": "#/components/schemas/Item"}}}]},
                    "Base": {"required": ["Result"], "properties": {"Result": {"type": "boolean"}}},
                    "Item": {"type": "object", "properties": {"id": {"type": "string"}}}
                }
            }
        })
    }

    #[test]
    fn operations_parameters_and_schemas() {
        let spec = spec();
        let ops = operations(&spec);
        assert_eq!(
            ops.iter().map(|o| o.method).collect::<Vec<_>>(),
            ["get", "post"]
        );
        assert_eq!(ops[0].pointer(), "/paths/~1a~1{id}/get");
        let params = parameters(&spec, &ops[0]);
        assert_eq!(
            params.len(),
            2,
            "own q overrides the shared one: {params:?}"
        );
        assert_eq!(params[0]["required"], json!(true));
        let (status, schema) = success_response(&spec, ops[0].value);
        assert_eq!(status, 200);
        assert_eq!(
            schema_at(&spec, &schema, "/Body"),
            Some(json!({"$ref": "#/components/schemas/Item"}))
        );
        assert_eq!(required(&spec, &schema), ["Result"]);
        let mut names: Vec<String> = properties(&spec, &schema).keys().cloned().collect();
        names.sort();
        assert_eq!(names, ["Body", "Result"]);
        assert!(resolve(&spec, &json!({"$ref": "#/nowhere"})).is_null());
    }
}

#[cfg(test)]
mod all_of_tests {
    use super::*;

    #[test]
    fn an_all_of_that_loops_stops() {
        let spec = serde_json::json!({"components": {"schemas": {
            "A": {"allOf": [{"$ref": "#/components/schemas/B"}], "properties": {"a": {}}, "required": ["a"]},
            "B": {"allOf": [{"$ref": "#/components/schemas/A"}], "properties": {"b": {}}}
        }}});
        let a = serde_json::json!({"$ref": "#/components/schemas/A"});
        let mut names: Vec<String> = properties(&spec, &a).keys().cloned().collect();
        names.sort();
        assert_eq!(names, ["a", "b"]);
        assert!(required(&spec, &a).iter().all(|r| r == "a"));
    }
}
