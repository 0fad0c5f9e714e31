//! Response envelopes (`{"data": …}`, `{"Result": true, "Body": …}`): opening one (is it a
//! success, and where is the payload), and writing one (the sandbox's answers).

use std::borrow::Cow;
use std::fmt;

use bytes::Bytes;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::{Envelope, ErrorShape, SuccessRule, pointer};

/// What an envelope held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    /// The success rule does not hold: the vendor says it failed.
    Failed,
    /// The payload's bytes.
    Payload(Bytes),
}

impl SuccessRule {
    /// The pointer the rule reads.
    pub fn pointer(&self) -> &str {
        match self {
            SuccessRule::Equals { pointer, .. } | SuccessRule::Absent { pointer } => pointer,
        }
    }
}

/// Checks the success rule and cuts the payload out of an envelope. Top-level pointers (every
/// vendor's so far) are read as raw slices of the body: no tree is built and nothing is
/// re-serialised; deeper pointers go through a `Value`.
pub fn open(envelope: &Envelope, body: &Bytes) -> Result<Opened, serde_json::Error> {
    match flat_keys(envelope) {
        Some((payload_key, rule_key)) => open_flat(envelope, body, payload_key, rule_key),
        None => open_tree(envelope, body),
    }
}

/// The top-level keys of the payload and of the success rule (`None` for one the envelope
/// does not have); `None` when either pointer goes deeper than the top level.
fn flat_keys(envelope: &Envelope) -> Option<(Option<&str>, Option<&str>)> {
    let payload_key = match &envelope.payload {
        Some(pointer) => Some(pointer::top_level_key(pointer)?),
        None => None,
    };
    let rule_key = match &envelope.success {
        Some(rule) => Some(pointer::top_level_key(rule.pointer())?),
        None => None,
    };
    Some((payload_key, rule_key))
}

fn open_flat(
    envelope: &Envelope,
    body: &Bytes,
    payload_key: Option<&str>,
    rule_key: Option<&str>,
) -> Result<Opened, serde_json::Error> {
    let mut reader = serde_json::Deserializer::from_slice(body);
    let (payload, rule) = Pick::<&RawValue>::new(payload_key, rule_key).deserialize(&mut reader)?;
    reader.end()?;
    if !rule_holds(envelope, rule) {
        return Ok(Opened::Failed);
    }
    Ok(Opened::Payload(match (payload_key, payload) {
        (Some(_), Some(raw)) => {
            // The payload is a slice of the body: shared, not copied.
            let start = raw.get().as_ptr() as usize - body.as_ptr() as usize;
            body.slice(start..start + raw.get().len())
        }
        (Some(_), None) => Bytes::from_static(b"null"),
        (None, _) => body.clone(),
    }))
}

/// Whether the success rule holds, given the raw value at its (top-level) pointer.
fn rule_holds(envelope: &Envelope, rule: Option<&RawValue>) -> bool {
    match &envelope.success {
        None => true,
        Some(SuccessRule::Equals { value, .. }) => rule
            .and_then(|raw| serde_json::from_str::<Value>(raw.get()).ok())
            .is_some_and(|v| v == *value),
        Some(SuccessRule::Absent { .. }) => rule.is_none_or(|raw| raw.get() == "null"),
    }
}

/// What [`decode`] found: the vendor's failure, or the payload as `T`.
#[derive(Debug, Clone, PartialEq)]
pub enum Decoded<T> {
    /// The success rule does not hold.
    Failed,
    /// The payload, decoded.
    Payload(T),
}

/// Opens an envelope whose payload is a top-level field and decodes the payload as `T` in the
/// same pass over the body (the body is read once, as a hand-written `{"data": T}` wrapper
/// reads it). `None` when the envelope is not of that shape (use [`open`], then decode).
///
/// An `Err` does not say which went wrong, the envelope or the payload's type: the payload
/// is decoded before the rule is known, so a failure's payload (often `null`) may not be a
/// `T`. The caller then opens the body with [`open`] to tell the two apart.
pub fn decode<T: serde::de::DeserializeOwned>(
    envelope: &Envelope,
    body: &[u8],
) -> Option<Result<Decoded<T>, serde_json::Error>> {
    let (Some(payload_key), rule_key) = flat_keys(envelope)? else {
        return None;
    };
    Some(decode_flat(envelope, body, payload_key, rule_key))
}

fn decode_flat<T: serde::de::DeserializeOwned>(
    envelope: &Envelope,
    body: &[u8],
    payload_key: &str,
    rule_key: Option<&str>,
) -> Result<Decoded<T>, serde_json::Error> {
    let mut reader = serde_json::Deserializer::from_slice(body);
    let (payload, rule) = Pick::<T>::new(Some(payload_key), rule_key).deserialize(&mut reader)?;
    reader.end()?;
    if !rule_holds(envelope, rule) {
        return Ok(Decoded::Failed);
    }
    match payload {
        Some(payload) => Ok(Decoded::Payload(payload)),
        // No payload field: what `null` decodes to (an `Option`, a unit), as `open` gives.
        None => serde_json::from_slice(b"null").map(Decoded::Payload),
    }
}

fn open_tree(envelope: &Envelope, body: &Bytes) -> Result<Opened, serde_json::Error> {
    let json: Value = serde_json::from_slice(body)?;
    if !succeeded(envelope, &json) {
        return Ok(Opened::Failed);
    }
    let payload = match &envelope.payload {
        Some(pointer) => json.pointer(pointer).cloned().unwrap_or(Value::Null),
        None => json,
    };
    serde_json::to_vec(&payload).map(|bytes| Opened::Payload(Bytes::from(bytes)))
}

/// Whether a parsed envelope says success.
pub fn succeeded(envelope: &Envelope, json: &Value) -> bool {
    match &envelope.success {
        None => true,
        Some(SuccessRule::Equals { pointer, value }) => json.pointer(pointer) == Some(value),
        Some(SuccessRule::Absent { pointer }) => json.pointer(pointer).is_none_or(Value::is_null),
    }
}

/// Puts a payload into a rendered envelope and marks it a success (with code 0 where the
/// vendor's error code lives, as Paywall writes it).
pub fn fill_success(envelope: &Envelope, errors: &ErrorShape, wrapped: &mut Value, payload: Value) {
    pointer::set(
        wrapped,
        envelope.payload.as_deref().unwrap_or_default(),
        payload,
    );
    match &envelope.success {
        Some(SuccessRule::Equals { pointer, value }) => {
            pointer::set(wrapped, pointer, value.clone())
        }
        Some(SuccessRule::Absent { pointer }) => {
            pointer::remove(wrapped, pointer);
        }
        None => {}
    }
    if let Some(code) = &errors.code {
        pointer::set(wrapped, code, Value::from(0));
    }
}

/// An error body in the vendor's shape: its code and message placed by the error pointers,
/// inside the envelope (marked failed, no payload) when the vendor has one.
pub fn failure_body(
    envelope: Option<&Envelope>,
    errors: &ErrorShape,
    code: Option<Value>,
    message: String,
) -> Value {
    let mut body = Value::Object(Map::new());
    // A rule that reads a flag (`Result: false`) goes with the envelope's flag; a rule that
    // reads the absence of an error (`{"error": …}`) needs only the error. The payload is left
    // out rather than null: no vendor page shows a failure's payload, and a null where the
    // document types an object is an answer the document does not allow (Schemathesis's
    // response check found Paywall's `Body: null`).
    if let Some(envelope) = envelope
        && let Some(SuccessRule::Equals { pointer, value }) = &envelope.success
    {
        let failed = match value {
            Value::Bool(b) => Value::Bool(!b),
            _ => Value::Null,
        };
        pointer::set(&mut body, pointer, failed);
    }
    if let (Some(pointer), Some(code)) = (&errors.code, code) {
        pointer::set(&mut body, pointer, code);
    }
    let message_at = errors.message.as_deref().unwrap_or("/message");
    pointer::set(&mut body, message_at, Value::String(message));
    body
}

/// An object key, borrowed from the input unless it had escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// The payload field decoded as `T` (as a raw slice of the input, for `T = &RawValue`) and the
/// success rule's field as a raw slice; every other field is skipped (checked, not kept). A
/// key the envelope does not have is `None`.
struct Pick<'k, T> {
    payload_key: Option<&'k str>,
    rule_key: Option<&'k str>,
    payload: std::marker::PhantomData<T>,
}

impl<'k, T> Pick<'k, T> {
    fn new(payload_key: Option<&'k str>, rule_key: Option<&'k str>) -> Self {
        Pick {
            payload_key,
            rule_key,
            payload: std::marker::PhantomData,
        }
    }
}

impl<'de, T: serde::Deserialize<'de>> DeserializeSeed<'de> for Pick<'_, T> {
    type Value = (Option<T>, Option<&'de RawValue>);
    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, T: serde::Deserialize<'de>> Visitor<'de> for Pick<'_, T> {
    type Value = (Option<T>, Option<&'de RawValue>);
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut payload, mut rule) = (None, None);
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            if Some(&*key) == self.payload_key {
                payload = Some(map.next_value::<T>()?);
            } else if Some(&*key) == self.rule_key {
                rule = Some(map.next_value::<&'de RawValue>()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok((payload, rule))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn paywall() -> (Envelope, ErrorShape) {
        let envelope = Envelope {
            payload: Some("/Body".into()),
            success: Some(SuccessRule::Equals {
                pointer: "/Result".into(),
                value: json!(true),
            }),
        };
        let errors = ErrorShape {
            code: Some("/ErrorCode".into()),
            message: Some("/ErrorMessage".into()),
        };
        (envelope, errors)
    }

    #[test]
    fn flat_and_deep_envelopes_open_alike() {
        let (envelope, _) = paywall();
        let body = Bytes::from_static(br#"{"Result":true,"Body":{"a":1},"x":[1,2]}"#);
        assert_eq!(
            open(&envelope, &body).unwrap(),
            Opened::Payload(Bytes::from_static(br#"{"a":1}"#))
        );
        let failed = Bytes::from_static(br#"{"Result":false,"Body":null}"#);
        assert_eq!(open(&envelope, &failed).unwrap(), Opened::Failed);
        let deep = Envelope {
            payload: Some("/data/item".into()),
            success: Some(SuccessRule::Absent {
                pointer: "/error".into(),
            }),
        };
        let body = Bytes::from_static(br#"{"data":{"item":{"a":1}}}"#);
        assert_eq!(
            open(&deep, &body).unwrap(),
            Opened::Payload(Bytes::from_static(br#"{"a":1}"#))
        );
        assert!(open(&deep, &Bytes::from_static(b"{\"data\":")).is_err());
    }

    #[test]
    fn written_envelopes_open_as_written() {
        let (envelope, errors) = paywall();
        let mut wrapped = json!({"Result": false, "ErrorCode": 9, "Body": null});
        fill_success(&envelope, &errors, &mut wrapped, json!({"id": 7}));
        assert_eq!(
            wrapped,
            json!({"Result": true, "ErrorCode": 0, "Body": {"id": 7}})
        );
        let failure = failure_body(Some(&envelope), &errors, Some(json!(7)), "done".into());
        assert_eq!(
            failure,
            json!({"Result": false, "ErrorCode": 7, "ErrorMessage": "done"})
        );
        let bytes = Bytes::from(serde_json::to_vec(&failure).unwrap());
        assert_eq!(open(&envelope, &bytes).unwrap(), Opened::Failed);
    }

    /// The one-pass decode agrees with opening then decoding, on successes, failures,
    /// missing payloads and bodies that are not envelopes.
    #[test]
    fn decoding_in_one_pass_agrees_with_opening() {
        let (envelope, _) = paywall();
        let cases: [&[u8]; 7] = [
            br#"{"Result":true,"Body":{"a":1},"x":[1,{"Body":2}]}"#,
            br#"{"Body":{"a":2},"Result":true}"#,
            br#"{"Body":null,"Result":false}"#,
            br#"{"Result":false,"Body":{"a":3}}"#,
            br#"{"Result":true}"#,
            br#"{"Result":true,"Body":{"a":"text"}}"#,
            br#"[1]"#,
        ];
        for body in cases {
            let one_pass = decode::<Option<serde_json::Map<String, Value>>>(&envelope, body)
                .expect("a flat envelope");
            let two_passes =
                open(&envelope, &Bytes::copy_from_slice(body)).map(|opened| match opened {
                    Opened::Failed => Decoded::Failed,
                    Opened::Payload(p) => Decoded::Payload(serde_json::from_slice(&p).unwrap()),
                });
            assert_eq!(
                one_pass.ok(),
                two_passes.ok(),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
        #[derive(Debug, PartialEq, serde::Deserialize)]
        struct Typed {
            a: u8,
        }
        let mismatch = br#"{"Result":true,"Body":{"a":"text"}}"#;
        assert!(decode::<Typed>(&envelope, mismatch).unwrap().is_err());
        let failed_with_null = br#"{"Body":null,"Result":false}"#;
        assert!(
            decode::<Typed>(&envelope, failed_with_null)
                .unwrap()
                .is_err()
        );
        let deep = Envelope {
            payload: Some("/data/item".into()),
            success: None,
        };
        assert!(decode::<Typed>(&deep, b"{}").is_none());
        let whole = Envelope {
            payload: None,
            success: envelope.success.clone(),
        };
        assert!(decode::<Typed>(&whole, b"{}").is_none());
    }
}
