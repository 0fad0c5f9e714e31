//! Part of phase 1: the call's idempotency key, fixed once before the first attempt so that
//! every attempt (retry, fresh token, redirect) carries the same one. The caller's own key (a
//! header set through the builder, the body field) is sent as given, once checked against
//! the vendor's limit; otherwise a random UUID is made.

use payspec_profile::{Idempotency, KeyPlace, pointer};
use reqwest::header::{HeaderName, HeaderValue};
use serde_json::Value;

use crate::call::OperationMeta;
use crate::client::Runtime;
use crate::error::Error;

/// The response header under which a success reports the idempotency key its call was sent
/// with (the vendor's own headers are left as they came).
pub const IDEMPOTENCY_KEY_HEADER: &str = "payspec-idempotency-key";

/// The idempotency key a success reports among its headers ([`IDEMPOTENCY_KEY_HEADER`]).
pub(crate) fn reported_key(headers: &reqwest::header::HeaderMap) -> Option<String> {
    headers
        .get(IDEMPOTENCY_KEY_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

impl Runtime {
    /// The key of a call whose operation vendor.yaml sends with one, placed in the request;
    /// `None` for other operations.
    pub(crate) fn idempotency_key(
        &self,
        request: &mut reqwest::Request,
        operation: &OperationMeta,
    ) -> Result<Option<String>, Error> {
        let Some(idempotency) = self
            .profile()
            .idempotency
            .as_ref()
            .filter(|_| operation.idempotent)
        else {
            return Ok(None);
        };
        let invalid = |message: String| {
            Error::InvalidRequest(format!(
                "{} {}: {message}",
                self.profile().vendor,
                operation.id
            ))
        };
        let key = match &idempotency.key {
            KeyPlace::Header(name) => in_header(request, name, idempotency),
            KeyPlace::Body(at) => in_body(request, at, idempotency),
        }
        .map_err(invalid)?;
        tracing::debug!(operation = operation.id, key = %key, "idempotency key");
        Ok(Some(key))
    }
}

/// A fresh key in the form the vendor's limit allows.
fn new_key(idempotency: &Idempotency) -> String {
    let id = uuid::Uuid::new_v4();
    if idempotency.compact_keys() {
        id.simple().to_string()
    } else {
        id.hyphenated().to_string()
    }
}

fn in_header(
    request: &mut reqwest::Request,
    name: &str,
    idempotency: &Idempotency,
) -> Result<String, String> {
    if let Some(given) = request.headers().get(name) {
        let key = given
            .to_str()
            .map_err(|_| "the idempotency key must be printable ASCII".to_owned())?
            .to_owned();
        idempotency.check_key(&key)?;
        return Ok(key);
    }
    let key = new_key(idempotency);
    let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| format!("{name:?}: {e}"))?;
    let value = HeaderValue::from_str(&key).map_err(|e| e.to_string())?;
    request.headers_mut().insert(name, value);
    Ok(key)
}

fn in_body(
    request: &mut reqwest::Request,
    at: &str,
    idempotency: &Idempotency,
) -> Result<String, String> {
    let mut body: Value = match request.body().and_then(|b| b.as_bytes()) {
        None | Some(b"") => Value::Object(Default::default()),
        Some(bytes) => serde_json::from_slice(bytes).map_err(|e| {
            format!("the idempotency key goes into the JSON body, but it is not JSON: {e}")
        })?,
    };
    match body.pointer(at) {
        Some(Value::String(given)) => {
            idempotency.check_key(given)?;
            return Ok(given.clone());
        }
        Some(Value::Null) | None => {}
        Some(other) => {
            return Err(format!(
                "the idempotency key at {at} must be a string, not {other}"
            ));
        }
    }
    let key = new_key(idempotency);
    pointer::try_set(&mut body, at, Value::String(key.clone()))?;
    let bytes = serde_json::to_vec(&body).map_err(|e| e.to_string())?;
    *request.body_mut() = Some(bytes.into());
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn body_key() -> Idempotency {
        Idempotency {
            key: KeyPlace::Body("/idempotency_key".into()),
            max_length: Some(45),
            operations: BTreeMap::new(),
            retry_hint: None,
        }
    }

    fn request(body: &str) -> reqwest::Request {
        let mut request =
            reqwest::Request::new(reqwest::Method::POST, "http://127.0.0.1/x".parse().unwrap());
        *request.body_mut() = Some(body.to_owned().into());
        request
    }

    fn body_of(request: &reqwest::Request) -> Value {
        serde_json::from_slice(request.body().unwrap().as_bytes().unwrap()).unwrap()
    }

    #[test]
    fn a_body_key_is_made_once_or_taken_from_the_caller() {
        let mut made = request(r#"{"amount": 5}"#);
        let key = in_body(&mut made, "/idempotency_key", &body_key()).unwrap();
        assert_eq!(key.len(), 36);
        assert_eq!(body_of(&made)["idempotency_key"], key.as_str());
        assert_eq!(body_of(&made)["amount"], 5);

        let mut given = request(r#"{"idempotency_key": "order-42"}"#);
        let key = in_body(&mut given, "/idempotency_key", &body_key()).unwrap();
        assert_eq!(key, "order-42");

        let long = format!(r#"{{"idempotency_key": "{}"}}"#, "k".repeat(46));
        let refused = in_body(&mut request(&long), "/idempotency_key", &body_key());
        assert!(refused.unwrap_err().contains("at most 45"));
        let number = in_body(
            &mut request(r#"{"idempotency_key": 7}"#),
            "/idempotency_key",
            &body_key(),
        );
        assert!(number.unwrap_err().contains("must be a string"));
        let nested = in_body(&mut request("{}"), "/meta/key", &body_key()).unwrap();
        assert_eq!(nested.len(), 36);
    }

    #[test]
    fn a_header_key_is_made_once_or_taken_from_the_caller() {
        let header = Idempotency {
            key: KeyPlace::Header("Idempotency-Key".into()),
            max_length: Some(32),
            ..body_key()
        };
        let mut made = request("{}");
        let key = in_header(&mut made, "Idempotency-Key", &header).unwrap();
        assert_eq!(key.len(), 32, "compact under a 32-character limit");
        assert_eq!(made.headers()["idempotency-key"], key.as_str());
        let mut given = request("{}");
        given
            .headers_mut()
            .insert("idempotency-key", HeaderValue::from_static("mine"));
        assert_eq!(
            in_header(&mut given, "Idempotency-Key", &header).unwrap(),
            "mine"
        );
    }
}
