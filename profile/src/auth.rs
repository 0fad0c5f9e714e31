//! Auth as instructions: from a scheme of vendor.yaml and the request about to be sent (or
//! just received), the headers and body fields it must carry. The runtime applies them; the
//! sandbox computes them for the request it received and compares, in constant time.

use crate::digest;
use crate::{MessagePart, Profile, Scheme, Signature, ValueSource};

/// What a signature may cover of a request.
#[derive(Debug, Clone, Copy)]
pub struct RequestView<'a> {
    /// The HTTP method, upper case.
    pub method: &'a str,
    /// The URL path, without the query.
    pub path: &'a str,
    /// The URL path and `?query` when there is one.
    pub path_and_query: &'a str,
    /// The host (and port, when the URL names one) the request is addressed to.
    pub host: &'a str,
    /// The exact body bytes (empty for none).
    pub body: &'a [u8],
    /// The timestamp as sent.
    pub timestamp: &'a str,
    /// Now, in seconds since the Unix epoch (for JWT claims).
    pub unix_seconds: u64,
    /// A fresh random value for this request (for JWT claims; empty when none is needed).
    pub nonce: &'a str,
}

/// Where a scheme's values come from: the caller's credentials and the tokens obtained.
pub trait Identity {
    /// A credential's value.
    fn credential(&self, name: &str) -> Option<&str>;
    /// The current access token of a token provider, without its prefix.
    fn token(&self, provider: &str) -> Option<&str>;
    /// A private key already read from a credential, for a JWT recipe of `algorithm` (a client
    /// reads each key once; without one here it is read from the credential per request).
    fn signing_key(
        &self,
        _credential: &str,
        _algorithm: crate::JwtAlgorithm,
    ) -> Option<&crate::jwt::SigningKey> {
        None
    }
}

/// One header a scheme sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderInstruction<'s> {
    /// The header's name, as vendor.yaml writes it.
    pub name: &'s str,
    /// Its value.
    pub value: String,
    /// What kind of value it is (secrets are marked sensitive and scrubbed from errors).
    pub kind: ValueKind,
}

/// Whether a value may be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// A literal or a timestamp.
    Public,
    /// A credential or a token.
    Secret,
    /// A signature: shows nothing of the key, but proves possession of it for this request.
    Signature,
}

/// A scheme's value that cannot be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// A credential the scheme reads is absent.
    #[error("credential {0:?} is missing")]
    MissingCredential(String),
    /// A token provider has no token.
    #[error("no access token from provider {0:?}")]
    MissingToken(String),
    /// A value that only a token call may send (the refresh token).
    #[error("{0} cannot be sent here")]
    Misplaced(&'static str),
    /// A private key that cannot sign (never shows the key).
    #[error("credential {credential:?} {error}")]
    Key {
        /// The credential's name.
        credential: String,
        /// What is wrong with it.
        error: crate::jwt::KeyError,
    },
}

/// The body fields a scheme merges into the JSON body (before anything is signed).
pub fn body_fields<'s>(
    scheme: &'s Scheme,
    identity: &dyn Identity,
    timestamp: &str,
) -> Result<Vec<(&'s str, String)>, AuthError> {
    scheme
        .body
        .iter()
        .map(|(field, source)| {
            plain_value(source, identity, timestamp).map(|(value, _)| (field.as_str(), value))
        })
        .collect()
}

/// The headers a scheme sets on a request (signatures computed over the view).
pub fn headers<'s>(
    profile: &Profile,
    scheme: &'s Scheme,
    identity: &dyn Identity,
    view: &RequestView<'_>,
) -> Result<Vec<HeaderInstruction<'s>>, AuthError> {
    scheme
        .headers
        .iter()
        .map(|(name, source)| {
            let (value, kind) = header_value(profile, source, identity, view)?;
            Ok(HeaderInstruction {
                name: name.as_str(),
                value,
                kind,
            })
        })
        .collect()
}

/// One header's value for the request.
pub fn header_value(
    profile: &Profile,
    source: &ValueSource,
    identity: &dyn Identity,
    view: &RequestView<'_>,
) -> Result<(String, ValueKind), AuthError> {
    match source {
        ValueSource::HmacSha256(recipe) => {
            let key = identity
                .credential(&recipe.key)
                .ok_or_else(|| AuthError::MissingCredential(recipe.key.clone()))?;
            Ok((sign(recipe, key.as_bytes(), view), ValueKind::Signature))
        }
        ValueSource::Jwt(recipe) => Ok((
            crate::jwt::sign(recipe, identity, view)?,
            ValueKind::Signature,
        )),
        ValueSource::Token(provider) => {
            let token = identity
                .token(provider)
                .ok_or_else(|| AuthError::MissingToken(provider.clone()))?;
            let prefix = profile
                .tokens
                .get(provider)
                .map(|p| p.prefix.as_str())
                .unwrap_or_default();
            Ok((format!("{prefix}{token}"), ValueKind::Secret))
        }
        other => plain_value(other, identity, view.timestamp),
    }
}

/// A value that needs nothing of the request but the timestamp.
pub fn plain_value(
    source: &ValueSource,
    identity: &dyn Identity,
    timestamp: &str,
) -> Result<(String, ValueKind), AuthError> {
    match source {
        ValueSource::Credential(name) => identity
            .credential(name)
            .map(|value| (value.to_owned(), ValueKind::Secret))
            .ok_or_else(|| AuthError::MissingCredential(name.clone())),
        ValueSource::Literal(text) => Ok((text.clone(), ValueKind::Public)),
        ValueSource::Bearer(name) => Ok((
            format!("Bearer {}", credential(identity, name)?),
            ValueKind::Secret,
        )),
        ValueSource::Basic(basic) => {
            let pair = format!(
                "{}:{}",
                credential(identity, &basic.user)?,
                match &basic.password {
                    Some(password) => credential(identity, password)?,
                    None => "",
                }
            );
            Ok((
                format!("Basic {}", base64_standard(pair.as_bytes())),
                ValueKind::Secret,
            ))
        }
        ValueSource::Timestamp => Ok((timestamp.to_owned(), ValueKind::Public)),
        ValueSource::Template(text) => {
            let mut value = String::with_capacity(text.len() + 32);
            let mut rest = text.as_str();
            while let Some((before, after)) = rest.split_once('{') {
                value.push_str(before);
                let Some((name, tail)) = after.split_once('}') else {
                    value.push('{');
                    rest = after;
                    continue;
                };
                value.push_str(credential(identity, name)?);
                rest = tail;
            }
            value.push_str(rest);
            Ok((value, ValueKind::Secret))
        }
        ValueSource::HmacSha256(_) | ValueSource::Jwt(_) => {
            Err(AuthError::Misplaced("a signature"))
        }
        ValueSource::Token(_) => Err(AuthError::Misplaced("a bearer token")),
        ValueSource::RefreshToken => Err(AuthError::Misplaced("the refresh token")),
    }
}

fn credential<'a>(identity: &'a dyn Identity, name: &str) -> Result<&'a str, AuthError> {
    identity
        .credential(name)
        .ok_or_else(|| AuthError::MissingCredential(name.to_owned()))
}

fn base64_standard(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The `user:password` pairs a profile sends as HTTP Basic auth, with these credentials (the
/// scrubber must know each pair, whose encoded form contains neither value).
pub fn basic_pairs(profile: &crate::Profile, identity: &dyn Identity) -> Vec<String> {
    profile
        .auth
        .schemes
        .values()
        .flat_map(|scheme| scheme.headers.values())
        .filter_map(|source| match source {
            ValueSource::Basic(basic) => Some(format!(
                "{}:{}",
                identity.credential(&basic.user)?,
                match &basic.password {
                    Some(password) => identity.credential(password)?,
                    None => "",
                }
            )),
            _ => None,
        })
        .collect()
}

/// The signature a recipe describes over a request, keyed with `key`.
pub fn sign(recipe: &Signature, key: &[u8], view: &RequestView<'_>) -> String {
    let separator = recipe.separator.as_bytes();
    let parts = recipe.message.iter().enumerate().flat_map(|(i, part)| {
        [
            if i > 0 { separator } else { b"".as_slice() },
            message_part(part, view),
        ]
    });
    digest::encode(&digest::hmac_sha256(key, parts), recipe.encoding)
}

/// The bytes of the request a message part stands for.
pub fn message_part<'v>(part: &'v MessagePart, view: &RequestView<'v>) -> &'v [u8] {
    match part {
        MessagePart::Body => view.body,
        MessagePart::Timestamp => view.timestamp.as_bytes(),
        MessagePart::Method => view.method.as_bytes(),
        MessagePart::Path => view.path.as_bytes(),
        MessagePart::PathAndQuery => view.path_and_query.as_bytes(),
        MessagePart::Host => view.host.as_bytes(),
        MessagePart::Literal(text) => text.as_bytes(),
    }
}

/// The timestamp header of a scheme, if it sends one.
pub fn timestamp_header(scheme: &Scheme) -> Option<&str> {
    scheme
        .headers
        .iter()
        .find(|(_, source)| matches!(source, ValueSource::Timestamp))
        .map(|(name, _)| name.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Creds;

    impl Identity for Creds {
        fn credential(&self, name: &str) -> Option<&str> {
            match name {
                "api_key" => Some("k_123"),
                "user" => Some("ana"),
                _ => None,
            }
        }
        fn token(&self, _: &str) -> Option<&str> {
            None
        }
    }

    #[test]
    fn a_template_writes_credentials_between_literals() {
        let value = |text: &str| plain_value(&ValueSource::Template(text.into()), &Creds, "");
        assert_eq!(
            value("token {api_key}").unwrap(),
            ("token k_123".to_owned(), ValueKind::Secret)
        );
        assert_eq!(value("{user}/{api_key}!").unwrap().0, "ana/k_123!");
        assert_eq!(value("a { b").unwrap().0, "a { b");
        assert_eq!(
            value("token {secret}").unwrap_err(),
            AuthError::MissingCredential("secret".into())
        );
        let slots: Vec<&str> = crate::template_slots("{user}:{api_key}").collect();
        assert_eq!(slots, ["user", "api_key"]);
    }
}
