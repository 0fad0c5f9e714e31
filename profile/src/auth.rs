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
    /// The exact body bytes (empty for none).
    pub body: &'a [u8],
    /// The timestamp as sent.
    pub timestamp: &'a str,
}

/// Where a scheme's values come from: the caller's credentials and the tokens obtained.
pub trait Identity {
    /// A credential's value.
    fn credential(&self, name: &str) -> Option<&str>;
    /// The current access token of a token provider, without its prefix.
    fn token(&self, provider: &str) -> Option<&str>;
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
    let mut out = Vec::with_capacity(scheme.headers.len());
    for (name, source) in &scheme.headers {
        let (value, kind) = match source {
            ValueSource::HmacSha256(recipe) => {
                let key = identity
                    .credential(&recipe.key)
                    .ok_or_else(|| AuthError::MissingCredential(recipe.key.clone()))?;
                (sign(recipe, key.as_bytes(), view), ValueKind::Signature)
            }
            ValueSource::Token(provider) => {
                let token = identity
                    .token(provider)
                    .ok_or_else(|| AuthError::MissingToken(provider.clone()))?;
                let prefix = profile
                    .tokens
                    .get(provider)
                    .map(|p| p.prefix.as_str())
                    .unwrap_or_default();
                (format!("{prefix}{token}"), ValueKind::Secret)
            }
            other => plain_value(other, identity, view.timestamp)?,
        };
        out.push(HeaderInstruction {
            name: name.as_str(),
            value,
            kind,
        });
    }
    Ok(out)
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
        ValueSource::HmacSha256(_) => Err(AuthError::Misplaced("a signature")),
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
        let bytes = match part {
            MessagePart::Body => view.body,
            MessagePart::Timestamp => view.timestamp.as_bytes(),
            MessagePart::Method => view.method.as_bytes(),
            MessagePart::Path => view.path.as_bytes(),
            MessagePart::Literal(text) => text.as_bytes(),
        };
        [if i > 0 { separator } else { b"".as_slice() }, bytes]
    });
    digest::encode(&digest::hmac_sha256(key, parts), recipe.encoding)
}

/// The timestamp header of a scheme, if it sends one.
pub fn timestamp_header(scheme: &Scheme) -> Option<&str> {
    scheme
        .headers
        .iter()
        .find(|(_, source)| matches!(source, ValueSource::Timestamp))
        .map(|(name, _)| name.as_str())
}
