//! Generated types read from JSON text, through one deserializer.
//!
//! Each generated type's serde code is compiled once per deserializer (and serializer) it
//! meets, and that code is most of a large vendor's build. So every path of the runtime
//! reaches a generated type the way its hot path does: read from text through
//! `serde_json::Deserializer<SliceRead>` (as `Runtime::decode` reads a response), written
//! with `serde_json::to_vec` (as reqwest's `json` writes a request body) or to a tree (as
//! `to_outcome` writes a response). Reading a `Value` or a `&str` directly would compile them
//! again; a tree is written out as text first instead, which costs a little time on paths
//! that are not hot (the CLI's untyped calls, pagination's items, untagged enums).

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// `T` from JSON text, through the deserializer responses are decoded with.
pub fn from_json_text<T: DeserializeOwned>(text: &[u8]) -> serde_json::Result<T> {
    serde_json::from_slice(text)
}

/// `T` from a tree, written out as text first (see the module's documentation).
pub(crate) fn from_tree<T: DeserializeOwned>(value: &Value) -> serde_json::Result<T> {
    serde_json::to_vec(value).and_then(|text| from_json_text(&text))
}

/// A request body's tree as its type reads it: `/pointer: reason` when it does not. The tree
/// is written pretty (one member or element per line), so the line serde_json reports an
/// error on locates the value it is about.
pub(crate) fn typed_body<T: DeserializeOwned>(given: &Value) -> Result<T, String> {
    let text = serde_json::to_vec_pretty(given).map_err(|e| e.to_string())?;
    from_json_text(&text).map_err(|e| {
        let pointer = match e.line() {
            0 => None,
            line => pointer_at_line(given, line),
        };
        let suffix = format!(" at line {} column {}", e.line(), e.column());
        let message = e.to_string();
        let message = message.strip_suffix(&suffix).unwrap_or(&message);
        format!("{}: {message}", pointer.as_deref().unwrap_or("/"))
    })
}

/// A typed request body as a tree, written as it is sent.
pub(crate) fn request_tree<T: Serialize>(typed: &T) -> serde_json::Result<Value> {
    serde_json::to_vec(typed).and_then(|bytes| serde_json::from_slice(&bytes))
}

/// The JSON pointer of what is on `line` (from 1) of `value` written by
/// `serde_json::to_vec_pretty`: a scalar, an empty container, or a container's opening line
/// (the member's) and its closing line. `None` past the end.
fn pointer_at_line(value: &Value, line: usize) -> Option<String> {
    let mut lines = Lines {
        current: 1,
        target: line,
        found: None,
    };
    lines.walk(value, String::new());
    lines.found.map(|pointer| {
        if pointer.is_empty() {
            "/".into()
        } else {
            pointer
        }
    })
}

/// A walk over the lines of a pretty-printed value, counting as serde_json writes them.
struct Lines {
    current: usize,
    target: usize,
    found: Option<String>,
}

impl Lines {
    fn walk(&mut self, value: &Value, pointer: String) {
        if self.current == self.target {
            self.found = Some(pointer.clone());
        }
        let children: Vec<(String, &Value)> = match value {
            Value::Object(map) => map
                .iter()
                .map(|(k, v)| (payspec_profile::pointer::escape(k), v))
                .collect(),
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (i.to_string(), v))
                .collect(),
            _ => return,
        };
        if children.is_empty() {
            return;
        }
        for (segment, child) in children {
            self.current += 1;
            if self.current > self.target {
                return;
            }
            self.walk(child, format!("{pointer}/{segment}"));
        }
        // The closing bracket's line is the container's.
        self.current += 1;
        if self.current == self.target {
            self.found = Some(pointer);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[test]
    fn every_line_of_a_pretty_value_has_its_pointer() {
        let value = json!({"a": {"b": [1, {}], "c": "x"}, "d/e": [], "f": null});
        let text = String::from_utf8(serde_json::to_vec_pretty(&value).unwrap()).unwrap();
        let expected = [
            "/", "/a", "/a/b", "/a/b/0", "/a/b/1", "/a/b", "/a/c", "/a", "/d~1e", "/f", "/",
        ];
        assert_eq!(text.lines().count(), expected.len(), "{text}");
        for (i, pointer) in expected.iter().enumerate() {
            assert_eq!(
                pointer_at_line(&value, i + 1).as_deref(),
                Some(*pointer),
                "{i}"
            );
        }
        assert_eq!(pointer_at_line(&value, expected.len() + 1), None);
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Order {
        amount: u64,
        lines: Vec<Line>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Line {
        sku: String,
        kind: Kind,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "lowercase")]
    enum Kind {
        Good,
    }

    fn error(value: Value) -> String {
        typed_body::<Order>(&value).unwrap_err()
    }

    #[test]
    fn a_type_error_is_located_by_its_pointer() {
        let line = |sku: Value, kind: &str| json!({"sku": sku, "kind": kind});
        let good = line(json!("a"), "good");
        assert!(typed_body::<Order>(&json!({"amount": 1, "lines": [good]})).is_ok());
        let wrong = error(json!({"amount": "ten", "lines": []}));
        assert!(
            wrong.starts_with("/amount: invalid type: string"),
            "{wrong}"
        );
        let deep = error(json!({"amount": 1, "lines": [good, line(json!(7), "good")]}));
        assert!(deep.starts_with("/lines/1/sku: invalid type"), "{deep}");
        let object = error(json!({"amount": 1, "lines": [line(json!({"x": 1}), "good")]}));
        assert!(
            object.starts_with("/lines/0/sku: invalid type: map"),
            "{object}"
        );
        let variant = error(json!({"amount": 1, "lines": [good, line(json!("b"), "bad")]}));
        assert!(
            variant.starts_with("/lines/1/kind: unknown variant `bad`"),
            "{variant}"
        );
        let missing = error(json!({"amount": 1, "lines": [{"sku": "a"}]}));
        assert_eq!(missing, "/lines/0: missing field `kind`");
        let root = error(json!({"lines": []}));
        assert_eq!(root, "/: missing field `amount`");
    }
}
