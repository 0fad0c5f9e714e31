//! Idempotency keys: how a vendor lets a write be sent again without acting twice. A key goes
//! in a header (Stripe's and Adyen's `Idempotency-Key`, PayPal's `PayPal-Request-Id`) or in a
//! body field (Square's and CoinPool's `idempotency_key`); one key is made per logical call
//! (or taken from the caller) and sent on every attempt, so that the vendor answers a replay
//! with the first outcome. Only then may a write be retried after a lost reply.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::IDEMPOTENT_METHODS;
use crate::validate::Problem;

/// vendor.yaml's `idempotency:` section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Idempotency {
    /// Where the key is sent.
    pub key: KeyPlace,
    /// The longest key the vendor takes (Adyen: 64, Square: 45 in some schemas); a caller's
    /// own longer key is refused before sending. The keys payspec makes are UUIDs: 36
    /// characters, or 32 (no hyphens) when the limit is below 36.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<usize>,
    /// Per operation (operationId): `true` sends a key with it, `false` never. The default is
    /// every write whose method is not idempotent (POST, PATCH) and, for a key in the body,
    /// whose body has the field.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub operations: BTreeMap<String, bool>,
    /// A response header by which the vendor says whether a failed request may be sent again
    /// (Stripe's `Stripe-Should-Retry`: `true` or `false`); it overrides the status's rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_hint: Option<String>,
}

/// Where an idempotency key is sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum KeyPlace {
    /// A request header of this name.
    Header(String),
    /// A string field of the JSON body, by JSON pointer (`/idempotency_key`).
    Body(String),
}

/// The shortest limit a generated key fits (a UUID without hyphens).
const SHORTEST_KEY: usize = 32;

impl Idempotency {
    /// Whether an operation is sent with a key: vendor.yaml's word for it, else its method
    /// is not idempotent and (for a body key) its body has the field (`body_has_field`).
    pub fn applies(&self, operation_id: &str, method: &str, body_has_field: bool) -> bool {
        if let Some(listed) = self.operations.get(operation_id) {
            return *listed;
        }
        let write = !IDEMPOTENT_METHODS
            .iter()
            .any(|m| m.eq_ignore_ascii_case(method));
        write
            && match self.key {
                KeyPlace::Header(_) => true,
                KeyPlace::Body(_) => body_has_field,
            }
    }

    /// Whether the keys payspec makes (random UUIDs) are written without hyphens: 32
    /// characters, when the vendor's limit is below the 36 of the usual form.
    pub fn compact_keys(&self) -> bool {
        self.max_length.is_some_and(|limit| limit < 36)
    }

    /// Whether a caller's key may be sent: not empty, within the limit, and printable ASCII
    /// (a header value, and a key a person can read back when reconciling).
    pub fn check_key(&self, key: &str) -> Result<(), String> {
        if key.is_empty() {
            return Err("the idempotency key is empty".into());
        }
        if let Some(limit) = self.max_length
            && key.len() > limit
        {
            return Err(format!(
                "the idempotency key is {} characters long; the vendor takes at most {limit}",
                key.len()
            ));
        }
        if !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err("the idempotency key must be printable ASCII without spaces".into());
        }
        Ok(())
    }

    pub(crate) fn problems(&self, problems: &mut Vec<Problem>) {
        match &self.key {
            KeyPlace::Header(name) if !crate::validate::is_header_name(name) => {
                problems.push(Problem::new(
                    "/idempotency/key/header",
                    format!("{name:?} is not a header name"),
                ));
            }
            KeyPlace::Body(pointer) if !pointer.starts_with('/') || pointer.len() < 2 => {
                problems.push(Problem::new(
                    "/idempotency/key/body",
                    format!("{pointer:?} is not a JSON pointer to a field (e.g. /idempotency_key)"),
                ));
            }
            _ => {}
        }
        if let Some(limit) = self.max_length.filter(|l| *l < SHORTEST_KEY) {
            problems.push(Problem::new(
                "/idempotency/max_length",
                format!("{limit} is shorter than the {SHORTEST_KEY} characters of a generated key"),
            ));
        }
        if let Some(name) = self
            .retry_hint
            .as_deref()
            .filter(|n| !crate::validate::is_header_name(n))
        {
            problems.push(Problem::new(
                "/idempotency/retry_hint",
                format!("{name:?} is not a header name"),
            ));
        }
    }
}

/// What a vendor's retry hint header says, if it says anything.
pub fn retry_hint(value: &str) -> Option<bool> {
    match value.trim() {
        v if v.eq_ignore_ascii_case("true") => Some(true),
        v if v.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(limit: Option<usize>) -> Idempotency {
        Idempotency {
            key: KeyPlace::Header("Idempotency-Key".into()),
            max_length: limit,
            operations: BTreeMap::from([("list_things".into(), true), ("post_x".into(), false)]),
            retry_hint: None,
        }
    }

    #[test]
    fn writes_get_keys_unless_told_otherwise() {
        let h = header(None);
        assert!(h.applies("create", "POST", false));
        assert!(h.applies("update", "patch", false));
        assert!(!h.applies("read", "GET", false));
        assert!(!h.applies("replace", "PUT", false));
        assert!(h.applies("list_things", "GET", false));
        assert!(!h.applies("post_x", "POST", false));
        let body = Idempotency {
            key: KeyPlace::Body("/idempotency_key".into()),
            ..header(None)
        };
        assert!(body.applies("create", "POST", true));
        assert!(!body.applies("create", "POST", false));
    }

    #[test]
    fn callers_keys_are_checked_against_the_limit() {
        assert!(!header(None).compact_keys());
        assert!(header(Some(32)).compact_keys());
        assert!(header(Some(40)).check_key("order-42").is_ok());
        assert!(
            header(Some(4))
                .check_key("order-42")
                .unwrap_err()
                .contains("at most 4")
        );
        assert!(header(None).check_key("").is_err());
        assert!(header(None).check_key("a b").is_err());
        assert!(header(None).check_key("é").is_err());
    }

    #[test]
    fn bad_sections_are_located() {
        let mut problems = Vec::new();
        Idempotency {
            key: KeyPlace::Body("idempotency_key".into()),
            max_length: Some(8),
            operations: BTreeMap::new(),
            retry_hint: Some("Bad Header".into()),
        }
        .problems(&mut problems);
        let at: Vec<_> = problems.iter().map(|p| p.pointer.as_str()).collect();
        assert_eq!(
            at,
            [
                "/idempotency/key/body",
                "/idempotency/max_length",
                "/idempotency/retry_hint"
            ]
        );
    }

    #[test]
    fn retry_hints() {
        assert_eq!(retry_hint("true"), Some(true));
        assert_eq!(retry_hint(" False "), Some(false));
        assert_eq!(retry_hint("maybe"), None);
    }
}
