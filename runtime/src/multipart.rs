//! `multipart/form-data` request bodies (RFC 7578), which progenitor cannot express: the
//! generator turns such a body into a typed form struct whose file fields are [`Part`]s, the
//! generated code serialises it like any JSON body, and the runtime re-encodes that JSON as a
//! multipart body before signing. The bytes are built once, so a signed multipart request can
//! be retried and re-signed like any other.

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The key a serialised [`Part`] is recognised by (a form field whose value is an object with
/// only this key is a file part).
const MARKER: &str = "$payspec_file";

/// A file sent as one part of a multipart body.
#[derive(Clone, PartialEq, Eq)]
pub struct Part {
    /// The file name the part carries (`filename=`).
    pub filename: String,
    /// Its media type (`text/plain`, `application/octet-stream`…).
    pub content_type: String,
    /// Its bytes.
    pub data: Vec<u8>,
}

impl Part {
    /// A part from a file name, a media type and bytes.
    pub fn new(
        filename: impl Into<String>,
        content_type: impl Into<String>,
        data: impl Into<Vec<u8>>,
    ) -> Self {
        Self {
            filename: filename.into(),
            content_type: content_type.into(),
            data: data.into(),
        }
    }
}

impl Default for Part {
    fn default() -> Self {
        Self::new("file", "application/octet-stream", Vec::new())
    }
}

// A file's bytes are not logged: only their size.
impl std::fmt::Debug for Part {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Part")
            .field("filename", &self.filename)
            .field("content_type", &self.content_type)
            .field("bytes", &self.data.len())
            .finish()
    }
}

#[derive(Serialize, Deserialize)]
struct Wire {
    filename: String,
    content_type: String,
    data: String,
}

impl Serialize for Part {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let wire = Wire {
            filename: self.filename.clone(),
            content_type: self.content_type.clone(),
            data: base64::engine::general_purpose::STANDARD.encode(&self.data),
        };
        let mut map = std::collections::BTreeMap::new();
        map.insert(MARKER, wire);
        map.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Part {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut map = std::collections::BTreeMap::<String, Wire>::deserialize(deserializer)?;
        let wire = map.remove(MARKER).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "a file part is {{\"{MARKER}\": {{filename, content_type, data}}}}"
            ))
        })?;
        let data = base64::engine::general_purpose::STANDARD
            .decode(wire.data.as_bytes())
            .map_err(|e| {
                serde::de::Error::custom(format!("a file part's data is not base64: {e}"))
            })?;
        Ok(Part::new(wire.filename, wire.content_type, data))
    }
}

/// Why a form could not be encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MultipartError {
    /// The form is not a JSON object.
    #[error("a multipart form must be an object of fields")]
    NotAnObject,
    /// A file part is malformed.
    #[error("form field {field}: {reason}")]
    BadFile {
        /// The field.
        field: String,
        /// Why.
        reason: String,
    },
}

/// One field of the form, ready to write.
enum Field {
    Text(String),
    File(Part),
}

/// Encodes a serialised form (an object: scalars become text parts, [`Part`]s file parts,
/// arrays one part per item, nested objects JSON text) as `multipart/form-data`. Returns the
/// `Content-Type` (with its boundary) and the body.
pub fn encode(form: &Value) -> Result<(String, Vec<u8>), MultipartError> {
    let object = form.as_object().ok_or(MultipartError::NotAnObject)?;
    let mut parts: Vec<(&str, Field)> = Vec::new();
    for (name, value) in object {
        let items = match value {
            Value::Array(items) => items.as_slice(),
            other => std::slice::from_ref(other),
        };
        for item in items {
            if let Some(part) = field(name, item)? {
                parts.push((name, part));
            }
        }
    }
    let boundary = boundary(&parts);
    let mut body = Vec::new();
    for (name, part) in &parts {
        let (disposition, content_type, data): (String, Option<&str>, &[u8]) = match part {
            Field::Text(text) => (
                format!("form-data; name=\"{}\"", quoted(name)),
                None,
                text.as_bytes(),
            ),
            Field::File(file) => (
                format!(
                    "form-data; name=\"{}\"; filename=\"{}\"",
                    quoted(name),
                    quoted(&file.filename)
                ),
                Some(file.content_type.as_str()),
                &file.data,
            ),
        };
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: {disposition}\r\n").as_bytes(),
        );
        if let Some(content_type) = content_type {
            body.extend_from_slice(
                format!("Content-Type: {}\r\n", single_line(content_type)).as_bytes(),
            );
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    Ok((format!("multipart/form-data; boundary={boundary}"), body))
}

/// A field's part; `None` for null (an absent optional field).
fn field(name: &str, value: &Value) -> Result<Option<Field>, MultipartError> {
    Ok(Some(match value {
        Value::Null => return Ok(None),
        Value::String(text) => Field::Text(text.clone()),
        Value::Bool(_) | Value::Number(_) => Field::Text(value.to_string()),
        Value::Object(object) if object.contains_key(MARKER) => {
            let part = Part::deserialize(value).map_err(|e| MultipartError::BadFile {
                field: name.to_owned(),
                reason: e.to_string(),
            })?;
            Field::File(part)
        }
        Value::Object(_) | Value::Array(_) => Field::Text(value.to_string()),
    }))
}

/// A boundary that occurs in no part (RFC 2046: at most 70 characters).
fn boundary(parts: &[(&str, Field)]) -> String {
    loop {
        let candidate = format!("payspec-{}", uuid::Uuid::new_v4().simple());
        let inside = |bytes: &[u8]| {
            bytes
                .windows(candidate.len())
                .any(|w| w == candidate.as_bytes())
        };
        let clash = parts.iter().any(|(_, part)| match part {
            Field::Text(text) => inside(text.as_bytes()),
            Field::File(file) => inside(&file.data),
        });
        if !clash {
            return candidate;
        }
    }
}

/// A name or file name inside a quoted header parameter (RFC 7578 section 2: `"`, CR and LF
/// percent-encoded).
fn quoted(text: &str) -> String {
    text.replace('%', "%25")
        .replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A header value kept on one line.
fn single_line(text: &str) -> String {
    text.chars().filter(|c| *c != '\r' && *c != '\n').collect()
}

/// The form's JSON with each file part replaced by a placeholder naming its file (for logs
/// and error messages: never the bytes).
pub fn describe(form: &Value) -> Value {
    match form {
        Value::Object(object) if object.contains_key(MARKER) => {
            let name = object[MARKER]
                .get("filename")
                .cloned()
                .unwrap_or(Value::Null);
            Value::String(format!("<file {}>", name.as_str().unwrap_or("?")))
        }
        Value::Object(object) => Value::Object(
            object
                .iter()
                .map(|(k, v)| (k.clone(), describe(v)))
                .collect::<Map<_, _>>(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(describe).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_and_files_become_parts() {
        let file = Part::new(
            "pay\"ments.txt",
            "text/plain",
            b"4111,12/30,10.50\n".to_vec(),
        );
        let form = json!({"FileFormat": 5, "Half2D": false, "TrackingCode": null, "File": file, "Note": "a\"b"});
        let (content_type, body) = encode(&form).unwrap();
        let boundary = content_type
            .strip_prefix("multipart/form-data; boundary=")
            .unwrap();
        let text = String::from_utf8(body).unwrap();
        assert!(text.starts_with(&format!("--{boundary}\r\n")));
        assert!(text.ends_with(&format!("--{boundary}--\r\n")));
        assert!(text.contains("Content-Disposition: form-data; name=\"FileFormat\"\r\n\r\n5\r\n"));
        assert!(text.contains("name=\"Half2D\"\r\n\r\nfalse\r\n"));
        assert!(!text.contains("TrackingCode"), "null fields are not sent");
        assert!(text.contains("name=\"File\"; filename=\"pay%22ments.txt\"\r\nContent-Type: text/plain\r\n\r\n4111,12/30,10.50\n\r\n"));
        assert!(
            text.contains("\r\n\r\na\"b\r\n"),
            "text values are sent as they are"
        );
    }

    #[test]
    fn a_part_survives_serde_and_hides_its_bytes() {
        let part = Part::new("f.bin", "application/octet-stream", vec![0, 255, 10]);
        let value = serde_json::to_value(&part).unwrap();
        assert_eq!(serde_json::from_value::<Part>(value.clone()).unwrap(), part);
        assert_eq!(
            describe(&json!({"File": value})),
            json!({"File": "<file f.bin>"})
        );
        assert!(!format!("{part:?}").contains("255"));
        assert!(encode(&json!([1])).is_err());
        let bad = json!({"File": {MARKER: {"filename": "f", "content_type": "t", "data": "%%%"}}});
        assert!(encode(&bad).unwrap_err().to_string().contains("File"));
    }
}
