//! Reading an untagged enum (a `oneOf` or `anyOf` without a discriminator: Stripe's expandable
//! fields, an id or the object). serde's derive buffers the value and tries each variant
//! through a second deserializer, which compiles each variant's type (and all it holds) once
//! more for every enum it appears in. Here the value is read as JSON and each variant is
//! tried from its text, through the deserializer responses are decoded with
//! ([`from_json_text`](crate::call::from_json_text)): a variant's type costs nothing more to
//! compile than the response that holds it.

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};

/// Reads an untagged enum: `variants` tries each variant, in declaration order, on the
/// value's JSON text (as serde's untagged enums do), and says `None` when none matches.
pub fn deserialize<'de, D, T>(
    deserializer: D,
    name: &'static str,
    variants: fn(&[u8]) -> Option<T>,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    let value = serde_json::Value::deserialize(deserializer)?;
    let text = serde_json::to_vec(&value).map_err(D::Error::custom)?;
    variants(&text).ok_or_else(|| {
        D::Error::custom(format_args!(
            "data did not match any variant of untagged enum {name}"
        ))
    })
}

/// One variant's value, when the text reads as its type.
pub fn variant<T: DeserializeOwned>(text: &[u8]) -> Option<T> {
    crate::json_text::from_json_text(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    enum IdOrObject {
        Id(String),
        Object(std::collections::BTreeMap<String, u32>),
        Null,
    }

    impl<'de> Deserialize<'de> for IdOrObject {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            fn variants(text: &[u8]) -> Option<IdOrObject> {
                if let Some(v) = variant(text) {
                    return Some(IdOrObject::Id(v));
                }
                if let Some(v) = variant(text) {
                    return Some(IdOrObject::Object(v));
                }
                (text == b"null").then_some(IdOrObject::Null)
            }
            super::deserialize(deserializer, "IdOrObject", variants)
        }
    }

    #[test]
    fn each_variant_is_tried_in_order_from_any_deserializer() {
        let read = |json: &str| serde_json::from_str::<IdOrObject>(json);
        assert_eq!(read(r#""cus_1""#).unwrap(), IdOrObject::Id("cus_1".into()));
        assert_eq!(
            read(r#"{"a": 1}"#).unwrap(),
            IdOrObject::Object([("a".to_owned(), 1)].into())
        );
        assert_eq!(read("null").unwrap(), IdOrObject::Null);
        let error = read("[1]").unwrap_err().to_string();
        assert!(error.contains("untagged enum IdOrObject"), "{error}");
        // From a tree too (a request body is read from one).
        let tree = serde_json::json!({"b": 2});
        assert_eq!(
            IdOrObject::deserialize(&tree).unwrap(),
            IdOrObject::Object([("b".to_owned(), 2)].into())
        );
    }
}
