//! JSON pointers (RFC 6901): the one implementation every part uses to read, write and remove
//! values by pointer, and to escape and split reference tokens.

use serde_json::{Map, Value};

/// Escapes one reference token: `~` as `~0`, `/` as `~1`.
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Undoes [`escape`].
pub fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// The reference tokens of a pointer, unescaped; `None` when it is neither empty nor starts
/// with `/`.
pub fn tokens(pointer: &str) -> Option<Vec<String>> {
    if pointer.is_empty() {
        return Some(Vec::new());
    }
    let rest = pointer.strip_prefix('/')?;
    Some(rest.split('/').map(unescape).collect())
}

/// Whether the text is a JSON pointer.
pub fn is_pointer(pointer: &str) -> bool {
    pointer.is_empty() || pointer.starts_with('/')
}

/// The one key of a single-token pointer (`/data` → `data`), when it needs no unescaping.
pub fn top_level_key(pointer: &str) -> Option<&str> {
    pointer
        .strip_prefix('/')
        .filter(|key| !key.contains('/') && !key.contains('~'))
}

/// Sets the value at `pointer` as [`set`] does, but refuses (naming the pointer) where `set`
/// would replace something that is not an object: for a caller's request body, which must
/// never be silently discarded.
pub fn try_set(value: &mut Value, pointer: &str, new: Value) -> Result<(), String> {
    let tokens = tokens(pointer).ok_or_else(|| format!("{pointer:?} is not a JSON pointer"))?;
    let Some((last, parents)) = tokens.split_last() else {
        return Err(format!("{pointer:?} names no field"));
    };
    let mut here = value;
    for token in parents {
        here = here
            .as_object_mut()
            .ok_or_else(|| format!("{pointer}: not inside a JSON object"))?
            .entry(token.clone())
            .or_insert_with(|| Value::Object(Default::default()));
    }
    here.as_object_mut()
        .ok_or_else(|| format!("{pointer}: not inside a JSON object"))?
        .insert(last.clone(), new);
    Ok(())
}

/// The value at `pointer`, if any.
pub fn get<'a>(value: &'a Value, pointer: &str) -> Option<&'a Value> {
    value.pointer(pointer)
}

/// The value at `pointer` as text: strings as they are, other values as JSON; `None` for a
/// missing value or `null`.
pub fn text_at(value: &Value, pointer: &str) -> Option<String> {
    match value.pointer(pointer)? {
        Value::Null => None,
        Value::String(text) => Some(text.clone()),
        other => Some(other.to_string()),
    }
}

/// Sets the value at `pointer`, creating the objects on the way (and replacing anything on
/// the way that is not an object). The empty pointer replaces the whole value.
pub fn set(target: &mut Value, pointer: &str, value: Value) {
    let Some(tokens) = tokens(pointer) else {
        return;
    };
    let Some((last, parents)) = tokens.split_last() else {
        *target = value;
        return;
    };
    let mut current = target;
    for token in parents {
        current = object(current)
            .entry(token.clone())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    object(current).insert(last.clone(), value);
}

/// Removes the value at `pointer` (an object member or an array element), returning it.
pub fn remove(target: &mut Value, pointer: &str) -> Option<Value> {
    let tokens = tokens(pointer)?;
    let (last, parents) = tokens.split_last()?;
    let parent_pointer: String = parents.iter().map(|t| format!("/{}", escape(t))).collect();
    match target.pointer_mut(&parent_pointer)? {
        Value::Object(object) => object.remove(last),
        Value::Array(items) => {
            let index: usize = last.parse().ok()?;
            (index < items.len()).then(|| items.remove(index))
        }
        _ => None,
    }
}

fn object(value: &mut Value) -> &mut Map<String, Value> {
    if !value.is_object() {
        *value = Value::Object(Map::new());
    }
    match value {
        Value::Object(object) => object,
        _ => unreachable!("just made an object"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn set_creates_what_is_missing_and_remove_takes_it_away() {
        let mut body = json!({"Result": true, "x": 1});
        set(&mut body, "/Body/Inner", json!(1));
        set(&mut body, "/Result", json!(false));
        set(&mut body, "/x/y", json!(2));
        assert_eq!(
            body,
            json!({"Result": false, "x": {"y": 2}, "Body": {"Inner": 1}})
        );
        assert_eq!(remove(&mut body, "/Body/Inner"), Some(json!(1)));
        assert_eq!(remove(&mut body, "/nothing/here"), None);
        let mut list = json!({"a": [1, 2, 3]});
        assert_eq!(remove(&mut list, "/a/1"), Some(json!(2)));
        assert_eq!(list, json!({"a": [1, 3]}));
    }

    #[test]
    fn tokens_are_escaped_both_ways() {
        assert_eq!(escape("a/b~c"), "a~1b~0c");
        assert_eq!(unescape("a~1b~0c"), "a/b~c");
        assert_eq!(
            tokens("/paths/~1a~1{id}"),
            Some(vec!["paths".into(), "/a/{id}".into()])
        );
        assert_eq!(tokens("no-slash"), None);
        assert_eq!(top_level_key("/data"), Some("data"));
        assert_eq!(top_level_key("/a/b"), None);
        assert_eq!(
            text_at(&json!({"c": 510, "m": "x", "n": null}), "/c").as_deref(),
            Some("510")
        );
        assert_eq!(text_at(&json!({"n": null}), "/n"), None);
    }
}
