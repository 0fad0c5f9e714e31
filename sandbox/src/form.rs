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
