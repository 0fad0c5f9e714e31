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
    /// The payload field carrying the vendor's digest (a callback signed in its body); empty
    /// for a webhook signed in a header.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub field: String,
    /// A list of notifications in the payload, each signed on its own (Adyen's
    /// `/notificationItems`): `field` and the message's `pointer` parts are then read inside
    /// each item (at `item` within it, e.g. `/NotificationRequestItem`), and every item must
    /// verify.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<String>,
    /// Where an item's signed object is within each member of `items`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// The header carrying the signature (a webhook signed in a header: Stripe, Standard
    /// Webhooks, Square).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<crate::webhook::SignatureHeader>,
    /// How the digest is computed.
    pub digest: Digest,
    /// The key: a credential (a webhook's signing secret is one), or one the caller passes.
    pub key: KeySource,
    /// How the key is written (the text itself, base64 or hex).
    #[serde(default)]
    pub key_encoding: crate::webhook::KeyEncoding,
    /// A prefix the key is written with, taken off before decoding (`whsec_`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_prefix: Option<String>,
    /// The parts concatenated (with `separator`) into the digested message.
    pub message: Vec<CallbackPart>,
    /// Written between parts.
    #[serde(default)]
    pub separator: String,
    /// How the digest is written.
    pub encoding: Encoding,
    /// How far the delivery's timestamp may be from now, in seconds (Stripe and Standard
    /// Webhooks: 300); older or newer deliveries are refused as replays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerance_seconds: Option<u64>,
    /// Where the event's id is in the payload (`/id`), for the caller's de-duplication when
    /// no header carries one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
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
    /// HMAC-SHA1 (older vendors' webhooks).
    HmacSha1,
    /// HMAC-SHA512.
    HmacSha512,
    /// An Ed25519 signature, verified with the vendor's public key (Standard Webhooks `v1a`).
    Ed25519,
    /// An RSA signature (PKCS #1 v1.5 over SHA-256), verified with the public key of the
    /// vendor's certificate (PayPal's `SHA256withRSA`).
    RsaSha256,
}

impl Digest {
    /// Whether the signature is verified with a public key rather than recomputed with a
    /// shared secret.
    pub fn is_public_key(self) -> bool {
        matches!(self, Self::Ed25519 | Self::RsaSha256)
    }
}

/// Where the key comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum KeySource {
    /// A credential of the client.
    Credential(String),
    /// Passed by the caller.
    Given,
    /// One of several keys the caller passes by name, chosen by a payload field (Paywall's
    /// `HashKeyType`: 1 the 3D key, 4 the system webhook key…).
    ByField(KeyChoice),
}

/// How a payload field picks the key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyChoice {
    /// The payload field naming the key.
    pub field: String,
    /// The key's name when the payload lacks the field.
    #[serde(default)]
    pub default: Option<String>,
    /// The field's values (as sent) to key names.
    pub names: std::collections::BTreeMap<String, String>,
}

impl KeyChoice {
    /// The key name a payload's fields choose; `Err` says why none applies.
    pub fn name_for(
        &self,
        fields: &std::collections::BTreeMap<String, String>,
    ) -> Result<&str, String> {
        match fields.get(&self.field) {
            Some(value) => self
                .names
                .get(value.trim())
                .map(String::as_str)
                .ok_or_else(|| {
                    format!(
                        "{} {value:?} names no key (known: {})",
                        self.field,
                        self.names.keys().cloned().collect::<Vec<_>>().join(", ")
                    )
                }),
            None => self
                .default
                .as_deref()
                .ok_or_else(|| format!("field {} is missing", self.field)),
        }
    }

    /// Every key name the choice can pick.
    pub fn key_names(&self) -> std::collections::BTreeSet<&str> {
        self.names
            .values()
            .chain(self.default.iter())
            .map(String::as_str)
            .collect()
    }
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
    /// The body, byte for byte as received.
    Body,
    /// The delivery's timestamp (from the signature header or the timestamp header).
    Timestamp,
    /// The delivery's id header.
    Id,
    /// The URL the webhook was delivered to.
    Url,
    /// A payload value by JSON pointer (a nested field; empty when absent).
    Pointer(String),
    /// The CRC-32 of the body as received, in decimal (PayPal signs it instead of the body).
    BodyCrc32,
    /// A credential of the client that is not the key (PayPal's webhook id: which of the
    /// merchant's endpoints the delivery was meant for).
    Credential(String),
}

/// The payload's top-level fields as sent: strings unquoted, numbers and booleans as written.
/// The error names the format (`JSON` or `form data`) and why.
pub fn fields(
    format: CallbackFormat,
    body: &[u8],
) -> Result<std::collections::BTreeMap<String, String>, (&'static str, String)> {
    match format {
        CallbackFormat::Json => {
            let raw: std::collections::BTreeMap<String, Box<serde_json::value::RawValue>> =
                serde_json::from_slice(body).map_err(|e| ("JSON", e.to_string()))?;
            Ok(raw
                .into_iter()
                .map(|(name, value)| {
                    let text = value.get();
                    let text =
                        serde_json::from_str::<String>(text).unwrap_or_else(|_| text.to_owned());
                    (name, text)
                })
                .collect())
        }
        CallbackFormat::Form => {
            let pairs: Vec<(String, String)> =
                serde_urlencoded::from_bytes(body).map_err(|e| ("form data", e.to_string()))?;
            Ok(pairs.into_iter().collect())
        }
    }
}

/// The digest a callback must carry, over its fields; `Err(field)` names a field the message
/// needs and the payload lacks.
pub fn expected_digest(
    callback: &Callback,
    key: &str,
    fields: &std::collections::BTreeMap<String, String>,
) -> Result<String, String> {
    let mut parts: Vec<&[u8]> = Vec::with_capacity(callback.message.len() * 2);
    for (i, part) in callback.message.iter().enumerate() {
        if i > 0 {
            parts.push(callback.separator.as_bytes());
        }
        parts.push(match part {
            CallbackPart::Key => key.as_bytes(),
            CallbackPart::Literal(text) => text.as_bytes(),
            CallbackPart::Field(field) => {
                fields.get(field).ok_or_else(|| field.clone())?.as_bytes()
            }
            // Parts of a delivery, not of a payload's fields: webhooks signed in a header.
            other => return Err(format!("{other:?} (a header-signed webhook's part)")),
        });
    }
    let digest = match callback.digest {
        Digest::Sha256 => crate::digest::sha256(parts).to_vec(),
        Digest::HmacSha256 => crate::digest::hmac_sha256(key.as_bytes(), parts).to_vec(),
        Digest::HmacSha1 => {
            crate::digest::hmac_other(crate::digest::OtherHmac::Sha1, key.as_bytes(), parts)
        }
        Digest::HmacSha512 => {
            crate::digest::hmac_other(crate::digest::OtherHmac::Sha512, key.as_bytes(), parts)
        }
        Digest::Ed25519 | Digest::RsaSha256 => {
            return Err("a public-key signature (verified in a header)".into());
        }
    };
    Ok(crate::digest::encode(&digest, callback.encoding))
}
