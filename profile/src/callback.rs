//! The `callbacks:` section of `vendor.yaml`: what the vendor sends to the merchant, and the
//! digest that proves it came from the vendor.

use serde::{Deserialize, Serialize};

use crate::Encoding;

/// One kind of callback.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Callback {
    /// How the body is encoded.
    pub format: CallbackFormat,
    /// The component schema of the payload (its generated type is what a verified callback
    /// parses into).
    pub schema: String,
    /// The field carrying the vendor's digest.
    pub field: String,
    /// How the digest is computed.
    pub digest: Digest,
    /// The key: a credential, or one the caller passes (e.g. Paywall's hash key).
    pub key: KeySource,
    /// The parts concatenated (with `separator`) into the digested message.
    pub message: Vec<CallbackPart>,
    /// Written between parts.
    #[serde(default)]
    pub separator: String,
    /// How the digest is written.
    pub encoding: Encoding,
}

/// A callback body's encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallbackFormat {
    /// A JSON object.
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
}

/// The digest algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Digest {
    /// HMAC-SHA256 keyed with the key.
    HmacSha256,
    /// Plain SHA-256 (the key, if any, is a part of the message).
    Sha256,
}

/// Where the key comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum KeySource {
    /// A credential of the client.
    Credential(String),
    /// Passed by the caller.
    Given,
}

/// A piece of the digested message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum CallbackPart {
    /// The key itself.
    Key,
    /// A payload field, as sent (numbers as written, strings unquoted).
    Field(String),
    /// A fixed string.
    Literal(String),
}
