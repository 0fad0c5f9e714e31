//! Error bodies: the vendor's own code and message, found by vendor.yaml's pointers.

use crate::{ErrorShape, pointer};

/// The vendor's code and message in an error body (as text), where the shape says.
pub fn decode(shape: &ErrorShape, body: &[u8]) -> (Option<String>, Option<String>) {
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(body) else {
        return (None, None);
    };
    let at = |field: &Option<String>| {
        field
            .as_deref()
            .filter(|p| !p.is_empty())
            .and_then(|p| pointer::text_at(&json, p))
    };
    (at(&shape.code), at(&shape.message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_and_message_by_pointer() {
        let shape = ErrorShape {
            code: Some("/code".into()),
            message: Some("/message".into()),
        };
        assert_eq!(
            decode(
                &shape,
                br#"{"code":510,"message":"Invalid status transition"}"#
            ),
            (Some("510".into()), Some("Invalid status transition".into()))
        );
        assert_eq!(decode(&shape, b"<html>"), (None, None));
    }
}
