//! Multipart bodies (Paywall's file upload) read into the JSON object the spec's form schema
//! describes: text parts typed by their property's schema (`"5"` becomes 5 for an integer),
//! files as their file name. Parsed by `multer`, an implementation independent of the
//! runtime's encoder.

use serde_json::{Map, Value};

/// Whether a request's Content-Type is multipart/form-data; its boundary if so.
pub(crate) fn boundary(content_type: Option<&str>) -> Option<String> {
    let content_type = content_type?;
    let essence = content_type.split(';').next()?.trim();
    if !essence.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    multer::parse_boundary(content_type).ok()
}

/// The parts of a multipart body as a JSON object, typed by `schema`'s properties (resolved in
/// `spec`). A repeated field becomes an array.
pub(crate) async fn read(
    body: bytes::Bytes,
    boundary: String,
    spec: &Value,
    schema: Option<&Value>,
) -> Result<Value, String> {
    let stream = futures_util::stream::once(async move { Ok::<_, std::convert::Infallible>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let properties = schema
        .map(|s| payspec_runtime::profile::openapi::properties(spec, s))
        .unwrap_or_default();
    let mut object = Map::new();
    while let Some(field) = multipart.next_field().await.map_err(|e| e.to_string())? {
        let name = field.name().unwrap_or_default().to_owned();
        let value = match field.file_name() {
            Some(file) => Value::String(file.to_owned()),
            None => {
                let text = field.text().await.map_err(|e| e.to_string())?;
                typed(&text, properties.get(&name), spec)
            }
        };
        match object.get_mut(&name) {
            Some(Value::Array(items)) => items.push(value),
            Some(first) => *first = Value::Array(vec![first.take(), value]),
            None => {
                object.insert(name, value);
            }
        }
    }
    Ok(Value::Object(object))
}

/// A text part as the type its schema declares (left as text when it does not parse: the
/// validation then names the field).
fn typed(text: &str, schema: Option<&Value>, spec: &Value) -> Value {
    let schema = schema.map(|s| payspec_runtime::profile::openapi::resolve(spec, s));
    let kind = schema.and_then(|s| s.get("type")).and_then(Value::as_str);
    let parsed = match kind {
        Some("integer") => text.parse::<i64>().ok().map(Value::from),
        Some("number") => text
            .parse::<f64>()
            .ok()
            .and_then(|n| serde_json::Number::from_f64(n).map(Value::Number)),
        Some("boolean") => text.parse::<bool>().ok().map(Value::Bool),
        _ => None,
    };
    parsed.unwrap_or_else(|| Value::String(text.to_owned()))
}

/// A form-urlencoded body (Stripe's style: nested keys in brackets, `items[0][price]`) as the
/// JSON object the spec's schema describes: keys nested, numeric indexes as arrays, values
/// typed by the schema at their place.
pub(crate) fn read_urlencoded(
    body: &[u8],
    spec: &Value,
    schema: Option<&Value>,
) -> Result<Value, String> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(body).map_err(|e| e.to_string())?;
    let mut root = Value::Object(Map::new());
    for (key, value) in pairs {
        let path = key_path(&key);
        let leaf_schema = schema.and_then(|s| schema_along(spec, s, &path));
        let typed = typed(&value, leaf_schema.as_ref(), spec);
        insert(&mut root, &path, typed);
    }
    Ok(arrays(root))
}

/// `items[0][price]` as `["items", "0", "price"]`; `expand[]` as `["expand", ""]`.
fn key_path(key: &str) -> Vec<String> {
    let (head, mut rest) = key.split_once('[').map_or((key, ""), |(h, r)| (h, r));
    let mut path = vec![head.to_owned()];
    while let Some((inner, after)) = rest.split_once(']') {
        path.push(inner.to_owned());
        rest = after.strip_prefix('[').unwrap_or("");
    }
    path
}

/// The schema at a key path (array items for numeric or empty segments, a map's
/// `additionalProperties` for keys it does not list).
fn schema_along(spec: &Value, schema: &Value, path: &[String]) -> Option<Value> {
    use payspec_runtime::profile::openapi::{properties, resolve};
    let mut current = resolve(spec, schema).clone();
    for (i, segment) in path.iter().enumerate() {
        let index = i > 0 && (segment.is_empty() || segment.parse::<usize>().is_ok());
        current = if index {
            current.get("items")?.clone()
        } else {
            match properties(spec, &current).get(segment) {
                Some(property) => property.clone(),
                None => current
                    .get("additionalProperties")
                    .filter(|a| a.is_object())?
                    .clone(),
            }
        };
        current = resolve(spec, &current).clone();
    }
    Some(current)
}

fn insert(root: &mut Value, path: &[String], value: Value) {
    let mut node = root;
    for (i, segment) in path.iter().enumerate() {
        let last = i + 1 == path.len();
        let Some(object) = node.as_object_mut() else {
            return;
        };
        // `expand[]` appends: each occurrence gets the next index.
        let key = if segment.is_empty() {
            object.len().to_string()
        } else {
            segment.clone()
        };
        if last {
            object.insert(key, value);
            return;
        }
        node = object
            .entry(key)
            .or_insert_with(|| Value::Object(Map::new()));
    }
}

/// Objects whose keys are 0, 1, 2… become arrays.
fn arrays(value: Value) -> Value {
    match value {
        Value::Object(object) => {
            let indexed = !object.is_empty()
                && (0..object.len()).all(|i| object.contains_key(&i.to_string()));
            let mut object: Map<String, Value> =
                object.into_iter().map(|(k, v)| (k, arrays(v))).collect();
            if indexed {
                Value::Array(
                    (0..object.len())
                        .filter_map(|i| object.remove(&i.to_string()))
                        .collect(),
                )
            } else {
                Value::Object(object)
            }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bracketed_keys_nest_and_values_take_their_schema_type() {
        let spec = json!({});
        let schema = json!({"type": "object", "properties": {
            "amount": {"type": "integer"}, "capture": {"type": "boolean"},
            "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
            "items": {"type": "array", "items": {"type": "object", "properties": {"price": {"type": "string"}, "quantity": {"type": "integer"}}}},
            "expand": {"type": "array", "items": {"type": "string"}}
        }});
        let body = b"amount=2000&capture=false&metadata%5Border%5D=6735&items%5B0%5D%5Bprice%5D=p_1&items%5B0%5D%5Bquantity%5D=2&expand%5B%5D=customer&expand%5B%5D=invoice";
        let value = read_urlencoded(body, &spec, Some(&schema)).unwrap();
        assert_eq!(
            value,
            json!({"amount": 2000, "capture": false, "metadata": {"order": "6735"},
            "items": [{"price": "p_1", "quantity": 2}], "expand": ["customer", "invoice"]})
        );
    }
}
