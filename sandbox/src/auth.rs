//! Checking a request's auth exactly as the recipe in vendor.yaml says the vendor does, and
//! issuing bearer tokens. The signature is recomputed here with its own code (the whole message
//! assembled, then one HMAC), not with the runtime's signer, so the two check each other.

use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use base64::Engine as _;
use hmac::{KeyInit, Mac};
use payspec_runtime::profile::{
    Encoding, MessagePart, Scheme, Signature, TimestampFormat, TokenProvider, ValueSource,
};
use serde_json::Value;

use crate::vendor::{State, VendorSandbox};

/// How far a request timestamp may be from the sandbox's clock.
const TIMESTAMP_WINDOW: Duration = Duration::from_secs(5 * 60);

/// What went wrong (never a secret value).
pub(crate) type Refusal = String;

/// Compares two strings in time independent of where they differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The expected value of an HMAC recipe over the request as received.
fn expected_signature(
    recipe: &Signature,
    key: &str,
    method: &str,
    path: &str,
    timestamp: &str,
    body: &[u8],
) -> String {
    let mut message = Vec::new();
    for (i, part) in recipe.message.iter().enumerate() {
        if i > 0 {
            message.extend_from_slice(recipe.separator.as_bytes());
        }
        match part {
            MessagePart::Body => message.extend_from_slice(body),
            MessagePart::Timestamp => message.extend_from_slice(timestamp.as_bytes()),
            MessagePart::Method => message.extend_from_slice(method.as_bytes()),
            MessagePart::Path => message.extend_from_slice(path.as_bytes()),
            MessagePart::Literal(text) => message.extend_from_slice(text.as_bytes()),
        }
    }
    let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()) else {
        return String::new();
    };
    mac.update(&message);
    let digest = mac.finalize().into_bytes();
    match recipe.encoding {
        Encoding::HexLower => hex::encode(digest),
        Encoding::HexUpper => hex::encode_upper(digest),
        Encoding::Base64 => base64::engine::general_purpose::STANDARD.encode(digest),
    }
}

fn timestamp_is_fresh(format: TimestampFormat, value: &str) -> bool {
    let Ok(stamp) = value.parse::<u128>() else {
        return false;
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let now = match format {
        TimestampFormat::UnixSeconds => now.as_secs() as u128,
        TimestampFormat::UnixMillis => now.as_millis(),
    };
    let window = match format {
        TimestampFormat::UnixSeconds => TIMESTAMP_WINDOW.as_secs() as u128,
        TimestampFormat::UnixMillis => TIMESTAMP_WINDOW.as_millis(),
    };
    now.abs_diff(stamp) <= window
}

impl VendorSandbox {
    /// Checks a request against the operation's scheme.
    pub fn verify(
        &self,
        scheme: &Scheme,
        method: &str,
        path: &str,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<(), Refusal> {
        let timestamp = scheme
            .headers
            .iter()
            .find(|(_, source)| matches!(source, ValueSource::Timestamp))
            .map(|(name, _)| header(headers, name).unwrap_or_default())
            .unwrap_or_default();
        for (name, source) in &scheme.headers {
            let Some(sent) = header(headers, name) else {
                return Err(format!("header {name} is missing"));
            };
            let good = match source {
                ValueSource::Credential(credential) => same(sent, self.credential(credential)),
                ValueSource::Literal(text) => sent == text,
                ValueSource::Timestamp => {
                    if !timestamp_is_fresh(scheme.timestamp, sent) {
                        return Err(format!(
                            "header {name} is not a timestamp within 5 minutes of now"
                        ));
                    }
                    true
                }
                ValueSource::HmacSha256(recipe) => {
                    let expected = expected_signature(
                        recipe,
                        self.credential(&recipe.key),
                        method,
                        path,
                        timestamp,
                        body,
                    );
                    same(sent, &expected)
                }
                ValueSource::Token(provider) => {
                    let prefix = self
                        .profile
                        .tokens
                        .get(provider)
                        .map(|p| p.prefix.as_str())
                        .unwrap_or_default();
                    let state = self.lock();
                    sent.strip_prefix(prefix)
                        .and_then(|token| state.tokens.access.get(token))
                        .is_some_and(|expiry| Instant::now() < *expiry)
                }
                ValueSource::RefreshToken => true,
            };
            if !good {
                return Err(format!("header {name} is wrong"));
            }
        }
        if !scheme.body.is_empty() {
            let json: Value =
                serde_json::from_slice(body).map_err(|_| "the body is not JSON".to_owned())?;
            for (field, source) in &scheme.body {
                let expected = match source {
                    ValueSource::Credential(credential) => self.credential(credential).to_owned(),
                    ValueSource::Literal(text) => text.clone(),
                    _ => continue,
                };
                if !json
                    .get(field)
                    .and_then(Value::as_str)
                    .is_some_and(|sent| same(sent, &expected))
                {
                    return Err(format!("body field {field} is missing or wrong"));
                }
            }
        }
        Ok(())
    }

    pub(crate) fn credential(&self, name: &str) -> &str {
        self.credentials
            .get(name)
            .map(String::as_str)
            .unwrap_or_default()
    }

    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// If `operation` is a token provider's login or refresh, checks the call and issues a new
    /// pair of tokens into `body` (the rendered response) by the provider's pointers.
    pub fn token_call(
        &self,
        operation: &str,
        request: &Value,
        body: &mut Value,
    ) -> Option<Result<(), Refusal>> {
        for provider in self.profile.tokens.values() {
            let is_login = provider.login.operation == operation;
            let refresh = provider
                .refresh
                .as_ref()
                .filter(|r| r.operation == operation);
            if !is_login && refresh.is_none() {
                continue;
            }
            let call = if is_login { &provider.login } else { refresh? };
            let mut state = self.lock();
            for (field, source) in &call.body {
                let sent = request
                    .get(field)
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let good = match source {
                    ValueSource::Credential(credential) => same(sent, self.credential(credential)),
                    ValueSource::Literal(text) => sent == text,
                    ValueSource::RefreshToken => state
                        .tokens
                        .refresh
                        .as_deref()
                        .is_some_and(|live| same(sent, live)),
                    _ => true,
                };
                if !good {
                    return Some(Err(format!("{field} is wrong")));
                }
            }
            issue(provider, &mut state, body);
            return Some(Ok(()));
        }
        None
    }
}

fn set(body: &mut Value, pointer: &str, value: Value) {
    if let Some(slot) = body.pointer_mut(pointer) {
        *slot = value;
    } else if let Some(object) = body.as_object_mut()
        && let Some(name) = pointer.strip_prefix('/').filter(|n| !n.contains('/'))
    {
        object.insert(name.to_owned(), value);
    }
}

fn issue(provider: &TokenProvider, state: &mut State, body: &mut Value) {
    state.tokens.serial += 1;
    let lifetime = state
        .tokens
        .lifetime_seconds
        .unwrap_or(provider.default_lifetime_seconds);
    let access = format!(
        "v4.local.sandbox-{}-{}",
        state.tokens.serial,
        uuid::Uuid::new_v4().simple()
    );
    let refresh = format!(
        "rt-{}-{}",
        state.tokens.serial,
        uuid::Uuid::new_v4().simple()
    );
    state.tokens.access.insert(
        access.clone(),
        Instant::now() + Duration::from_secs(lifetime),
    );
    state.tokens.refresh = Some(refresh.clone());
    set(body, &provider.access_token, Value::String(access));
    if let Some(pointer) = &provider.refresh_token {
        set(body, pointer, Value::String(refresh));
    }
    if let Some(pointer) = &provider.expires_in {
        set(body, pointer, Value::from(lifetime));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sandbox_signature_matches_an_independent_vector() {
        // hmac.new(b"sk_test", b'1730998051892{"id":"115bd219"}', sha256).hexdigest()
        let recipe = Signature {
            key: "secret".into(),
            message: vec![MessagePart::Timestamp, MessagePart::Body],
            separator: String::new(),
            encoding: Encoding::HexLower,
        };
        let signature = expected_signature(
            &recipe,
            "sk_test",
            "POST",
            "/v1/payment/cancel",
            "1730998051892",
            br#"{"id":"115bd219"}"#,
        );
        assert_eq!(
            signature,
            "3d5ccdbdf9215f16f33d4a410609be01f674d52a5bf9e7151744b22d250b9d7e"
        );
    }

    #[test]
    fn timestamps_outside_the_window_are_stale() {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis();
        assert!(timestamp_is_fresh(
            TimestampFormat::UnixMillis,
            &now.to_string()
        ));
        assert!(!timestamp_is_fresh(
            TimestampFormat::UnixMillis,
            &(now - 6 * 60 * 1000).to_string()
        ));
        assert!(!timestamp_is_fresh(
            TimestampFormat::UnixMillis,
            "yesterday"
        ));
    }
}
