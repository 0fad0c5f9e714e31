//! Token grants: what a token provider's login or refresh call sends, what its answer must
//! hold, and (for the sandbox) how an answer is written.

use std::time::Duration;

use serde_json::{Map, Value};

use crate::auth::{AuthError, Identity, plain_value};
use crate::{TokenCall, TokenProvider, ValueSource, pointer};

/// The longest token accepted: anything longer is not a token but an attack on memory or
/// on header limits.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// The longest lifetime taken from a vendor (ten years): larger ones saturate here.
pub const MAX_LIFETIME: Duration = Duration::from_secs(10 * 365 * 24 * 3600);

/// What a login or refresh answered.
#[derive(Clone, PartialEq, Eq)]
pub struct Grant {
    /// The access token (without prefix).
    pub access: String,
    /// The refresh token, when the answer carried one (it may rotate).
    pub refresh: Option<String>,
    /// How long the access token lives.
    pub lifetime: Duration,
}

impl std::fmt::Debug for Grant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Grant")
            .field("access", &"[redacted]")
            .field("refresh", &self.refresh.as_ref().map(|_| "[redacted]"))
            .field("lifetime", &self.lifetime)
            .finish()
    }
}

/// Why an answer is not a usable grant. Never holds a token's value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GrantError {
    /// The answer is not JSON.
    #[error("the token response is not JSON")]
    NotJson,
    /// No token where vendor.yaml says.
    #[error("the token response has no {what} at {pointer}")]
    Missing {
        /// `access token`.
        what: &'static str,
        /// The pointer.
        pointer: String,
    },
    /// A token that cannot be one.
    #[error("the {what} at {pointer} is unusable: {reason}")]
    Unusable {
        /// `access token` or `refresh token`.
        what: &'static str,
        /// The pointer.
        pointer: String,
        /// Why (never the value).
        reason: String,
    },
}

/// The JSON body of a token call.
pub fn call_body(
    call: &TokenCall,
    identity: &dyn Identity,
    refresh_token: Option<&str>,
    timestamp: &str,
) -> Result<Value, AuthError> {
    let mut body = Map::new();
    for (field, source) in &call.body {
        let value = match source {
            ValueSource::RefreshToken => refresh_token
                .map(str::to_owned)
                .ok_or(AuthError::Misplaced("a refresh token (none was issued)"))?,
            other => plain_value(other, identity, timestamp)?.0,
        };
        body.insert(field.clone(), Value::String(value));
    }
    Ok(Value::Object(body))
}

/// Reads a token call's answer: the tokens checked, the lifetime saturated.
pub fn read(provider: &TokenProvider, body: &[u8]) -> Result<Grant, GrantError> {
    let json: Value = serde_json::from_slice(body).map_err(|_| GrantError::NotJson)?;
    let token = |what: &'static str, at: &str| -> Result<Option<String>, GrantError> {
        let Some(value) = json.pointer(at).filter(|v| !v.is_null()) else {
            return Ok(None);
        };
        let unusable = |reason: &str| GrantError::Unusable {
            what,
            pointer: at.to_owned(),
            reason: reason.to_owned(),
        };
        let text = value.as_str().ok_or_else(|| unusable("not a string"))?;
        check_token(text).map_err(unusable)?;
        Ok(Some(text.to_owned()))
    };
    let access = token("access token", &provider.access_token)?.ok_or(GrantError::Missing {
        what: "access token",
        pointer: provider.access_token.clone(),
    })?;
    let refresh = match &provider.refresh_token {
        Some(at) => token("refresh token", at)?,
        None => None,
    };
    let seconds = provider
        .expires_in
        .as_deref()
        .and_then(|at| json.pointer(at))
        .and_then(|v| v.as_u64().or_else(|| v.as_str()?.trim().parse().ok()))
        .unwrap_or(provider.default_lifetime_seconds);
    Ok(Grant {
        access,
        refresh,
        lifetime: lifetime(seconds),
    })
}

/// A lifetime in seconds, saturated at [`MAX_LIFETIME`].
pub fn lifetime(seconds: u64) -> Duration {
    Duration::from_secs(seconds).min(MAX_LIFETIME)
}

/// A token must be usable in a header: visible ASCII, not empty, shorter than 16 KiB.
pub fn check_token(value: &str) -> Result<(), &'static str> {
    if value.is_empty() {
        return Err("it is empty");
    }
    if value.len() >= MAX_TOKEN_BYTES {
        return Err("it is 16 KiB or longer");
    }
    if !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("it holds characters other than visible ASCII");
    }
    Ok(())
}

/// Writes a grant into a rendered token response by the provider's pointers (the sandbox).
pub fn write(
    provider: &TokenProvider,
    body: &mut Value,
    access: &str,
    refresh: &str,
    seconds: u64,
) {
    pointer::set(
        body,
        &provider.access_token,
        Value::String(access.to_owned()),
    );
    if let Some(at) = &provider.refresh_token {
        pointer::set(body, at, Value::String(refresh.to_owned()));
    }
    if let Some(at) = &provider.expires_in {
        pointer::set(body, at, Value::from(seconds));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn provider() -> TokenProvider {
        serde_json::from_value(json!({
            "login": {"operation": "login"},
            "access_token": "/access_token", "refresh_token": "/refresh_token", "expires_in": "/expires_in"
        }))
        .unwrap()
    }

    #[test]
    fn grants_are_checked_and_lifetimes_saturate() {
        let grant = read(
            &provider(),
            br#"{"access_token":"v4.local.a","refresh_token":"rt-1","expires_in":18446744073709551615}"#,
        )
        .unwrap();
        assert_eq!(grant.lifetime, MAX_LIFETIME);
        assert_eq!(grant.refresh.as_deref(), Some("rt-1"));
        assert!(!format!("{grant:?}").contains("v4.local.a"));
        let long = format!(r#"{{"access_token":"{}"}}"#, "a".repeat(MAX_TOKEN_BYTES));
        assert!(matches!(
            read(&provider(), long.as_bytes()),
            Err(GrantError::Unusable { .. })
        ));
        assert!(matches!(
            read(&provider(), r#"{"access_token":"tök"}"#.as_bytes()),
            Err(GrantError::Unusable { .. })
        ));
        assert!(matches!(
            read(&provider(), br#"{"token":"x"}"#),
            Err(GrantError::Missing { .. })
        ));
        assert_eq!(read(&provider(), b"<html>"), Err(GrantError::NotJson));
    }
}
