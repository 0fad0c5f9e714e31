//! Where a JSON pointer is in a YAML or JSON file: `line:col`, for diagnostics people can
//! jump to. The document is read again into a tree whose nodes remember their position
//! (serde-saphyr's `Spanned`; JSON is read as the YAML it also is).

use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use payspec_profile::pointer::escape as token;

/// A key of any scalar type (YAML allows `200:`), as text.
struct Key(String);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a scalar key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
                Ok(Key(v.to_owned()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Key, E> {
                Ok(Key("null".into()))
            }
        }
        deserializer.deserialize_any(KeyVisitor)
    }
}

/// A document node with its children's positions.
enum Node {
    Map(Vec<(Spanned<Key>, Spanned<Node>)>),
    Seq(Vec<Spanned<Node>>),
    Scalar,
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NodeVisitor;
        impl<'de> Visitor<'de> for NodeVisitor {
            type Value = Node;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a YAML node")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<Spanned<Key>, Spanned<Node>>()? {
                    entries.push(entry);
                }
                Ok(Node::Map(entries))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<Spanned<Node>>()? {
                    items.push(item);
                }
                Ok(Node::Seq(items))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_str<E>(self, _: &str) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_unit<E>(self) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_none<E>(self) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Node, D::Error> {
                Node::deserialize(deserializer)
            }
        }
        deserializer.deserialize_any(NodeVisitor)
    }
}

/// Positions (1-based line and column) of every node, by JSON pointer.
#[derive(Debug, Default, Clone)]
pub struct Locations(BTreeMap<String, (u64, u64)>);

impl Locations {
    /// Reads the positions of `text`; empty when it does not parse.
    pub fn of(text: &str) -> Self {
        let mut map = BTreeMap::new();
        if let Ok(root) = serde_saphyr::from_str::<Spanned<Node>>(text) {
            walk(&root.value, "", &mut map);
        }
        Self(map)
    }

    /// The position of `pointer`, or of its nearest ancestor that has one.
    pub fn find(&self, pointer: &str) -> Option<(u64, u64)> {
        let mut current = pointer.to_owned();
        loop {
            if let Some(position) = self.0.get(&current) {
                return Some(*position);
            }
            let (parent, _) = current.rsplit_once('/')?;
            current = parent.to_owned();
        }
    }
}

fn walk(node: &Node, pointer: &str, map: &mut BTreeMap<String, (u64, u64)>) {
    match node {
        Node::Map(entries) => {
            for (key, value) in entries {
                let child = format!("{pointer}/{}", token(&key.value.0));
                map.insert(
                    child.clone(),
                    (key.referenced.line(), key.referenced.column()),
                );
                walk(&value.value, &child, map);
            }
        }
        Node::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                let child = format!("{pointer}/{i}");
                map.insert(
                    child.clone(),
                    (item.referenced.line(), item.referenced.column()),
                );
                walk(&item.value, &child, map);
            }
        }
        Node::Scalar => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_have_lines_in_yaml_and_json() {
        let yaml = "openapi: 3.0.0\npaths:\n  /a/{id}:\n    get:\n      responses:\n        200:\n          description: ok\n";
        let locations = Locations::of(yaml);
        assert_eq!(locations.find("/paths/~1a~1{id}/get").map(|p| p.0), Some(4));
        assert_eq!(
            locations
                .find("/paths/~1a~1{id}/get/responses/200/description")
                .map(|p| p.0),
            Some(7)
        );
        assert_eq!(
            locations
                .find("/paths/~1a~1{id}/get/nothing/here")
                .map(|p| p.0),
            Some(4),
            "nearest ancestor"
        );
        let json =
            "{\n  \"openapi\": \"3.0.0\",\n  \"paths\": {\n    \"/b\": {\"post\": {}}\n  }\n}\n";
        assert_eq!(Locations::of(json).find("/paths/~1b/post"), Some((4, 12)));
    }
}
