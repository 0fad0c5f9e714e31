//! Webhooks signed in headers, as the payment vendors sign them: the signature header's
//! structure (a bare signature, `t=…,v1=…` pairs, or space-separated `v1,<sig>` entries, any
//! one of several accepted while a secret rotates), the signed message built from the
//! delivery's id, timestamp, raw body and URL, keys given raw, base64 (after a prefix such as
//! `whsec_`), hex or a PEM certificate, HMAC-SHA1/256/512, Ed25519 or RSA-SHA256, and a
//! timestamp tolerance. Pure: the runtime verifies with it, the sandbox signs what it sends
//! with it.

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::callback::{Callback, CallbackPart, Digest};
use crate::{Encoding, digest};

/// Where and how a webhook's signature is carried.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureHeader {
    /// The header's name (`Stripe-Signature`, `webhook-signature`).
    pub name: String,
    /// Its structure.
    #[serde(default)]
    pub form: HeaderForm,
    /// The signature's label: the pairs' key (`v1`) or the entries' version (`v1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheme: Option<String>,
    /// The pairs' key of the timestamp (`t`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp_key: Option<String>,
    /// A header carrying the timestamp (`webhook-timestamp`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp_header: Option<String>,
    /// A header carrying the delivery's id (`webhook-id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_header: Option<String>,
}

/// A signature header's structure.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HeaderForm {
    /// The signature alone (Square's `x-square-hmacsha256-signature`).
    #[default]
    Plain,
    /// `key=value` pairs separated by commas (Stripe's `t=…,v1=…,v1=…`).
    Pairs,
    /// Space-separated `version,signature` entries (Standard Webhooks' `v1,… v1,…`).
    Versioned,
}

/// How a key is written where the caller keeps it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyEncoding {
    /// The text itself is the key (Stripe's `whsec_…`, prefix included).
    #[default]
    Raw,
    /// Base64, after the callback's `key_prefix` (Standard Webhooks' `whsec_`).
    Base64,
    /// Hexadecimal (Adyen's HMAC key).
    Hex,
    /// A PEM certificate whose public key verifies the signature (PayPal's, fetched by the
    /// caller from the delivery's `paypal-cert-url`).
    Pem,
}

/// One delivery as received.
#[derive(Debug, Clone, Copy)]
pub struct Delivery<'a> {
    /// The signature header's value, when present.
    pub signature: Option<&'a str>,
    /// The timestamp header's value, when the callback names one.
    pub timestamp: Option<&'a str>,
    /// The id header's value, when the callback names one.
    pub id: Option<&'a str>,
    /// The URL the vendor delivered to (Square signs it).
    pub url: Option<&'a str>,
    /// The body, exactly as received.
    pub body: &'a [u8],
    /// The values of the credentials the message names (PayPal's webhook id), by name.
    pub credentials: &'a std::collections::BTreeMap<String, String>,
}

/// Why a delivery was refused (never says the key or the expected signature).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The signature header is absent.
    NoSignature,
    /// The signature header does not have the declared structure.
    Malformed(String),
    /// A part of the message is missing (a timestamp, an id, the URL, a field).
    Missing(String),
    /// The timestamp is further from now than the tolerance.
    Stale {
        /// Seconds between the timestamp and now.
        age: u64,
    },
    /// The key cannot be used (not base64, not hex, not an Ed25519 public key).
    BadKey(String),
    /// No signature matches: not sent by the vendor, altered, or signed with another key.
    Mismatch,
}

/// The signatures and timestamp a header carries.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Signed {
    /// The timestamp the header carries (pairs form).
    pub timestamp: Option<String>,
    /// Every signature of the callback's scheme (several while a secret rotates).
    pub signatures: Vec<String>,
}

/// Reads a signature header by its declared structure.
pub fn parse_header(header: &SignatureHeader, value: &str) -> Result<Signed, Refusal> {
    let scheme = header.scheme.as_deref().unwrap_or("v1");
    let mut signed = Signed::default();
    match header.form {
        HeaderForm::Plain => signed.signatures.push(value.trim().to_owned()),
        HeaderForm::Pairs => {
            let timestamp_key = header.timestamp_key.as_deref().unwrap_or("t");
            // Refusals say which part is wrong, never what it holds (a signature).
            for (n, pair) in value.split(',').enumerate() {
                let (key, item) = pair.split_once('=').ok_or_else(|| {
                    Refusal::Malformed(format!("part {} is not key=value", n + 1))
                })?;
                match key.trim() {
                    k if k == timestamp_key => signed.timestamp = Some(item.trim().to_owned()),
                    k if k == scheme => signed.signatures.push(item.trim().to_owned()),
                    _ => {}
                }
            }
        }
        HeaderForm::Versioned => {
            for (n, entry) in value.split_ascii_whitespace().enumerate() {
                let (version, signature) = entry.split_once(',').ok_or_else(|| {
                    Refusal::Malformed(format!("entry {} is not version,signature", n + 1))
                })?;
                if version == scheme {
                    signed.signatures.push(signature.to_owned());
                }
            }
        }
    }
    signed.signatures.retain(|s| !s.is_empty());
    if signed.signatures.is_empty() {
        return Err(Refusal::Malformed(format!("no {scheme} signature")));
    }
    Ok(signed)
}

/// The key's bytes, as the callback says it is written.
pub fn key_bytes(callback: &Callback, key: &str) -> Result<Vec<u8>, Refusal> {
    let key = key.trim();
    let key = callback
        .key_prefix
        .as_deref()
        .and_then(|prefix| key.strip_prefix(prefix))
        .unwrap_or(key);
    match callback.key_encoding {
        KeyEncoding::Raw => Ok(key.as_bytes().to_vec()),
        KeyEncoding::Base64 => base64::engine::general_purpose::STANDARD
            .decode(key)
            .map_err(|e| Refusal::BadKey(format!("the key is not base64: {e}"))),
        KeyEncoding::Hex => {
            hex::decode(key).map_err(|e| Refusal::BadKey(format!("the key is not hex: {e}")))
        }
        KeyEncoding::Pem => {
            use rustls_pki_types::pem::PemObject as _;
            let der = rustls_pki_types::CertificateDer::from_pem_slice(key.as_bytes())
                .map_err(|e| Refusal::BadKey(format!("the key is not a PEM certificate: {e}")))?;
            // A certificate that does not parse is the caller's mistake, not a forged delivery.
            webpki::EndEntityCert::try_from(&der).map_err(|e| {
                Refusal::BadKey(format!("the certificate does not parse as X.509: {e}"))
            })?;
            Ok(der.as_ref().to_vec())
        }
    }
}

/// The signed message's parts for a delivery (the timestamp is the header's or the timestamp
/// header's). Payload parts read the JSON body: a field at the top level, or any value by
/// pointer (a missing one is empty, as Adyen signs absent fields).
pub fn message<'a>(
    callback: &'a Callback,
    key: &'a [u8],
    delivery: &Delivery<'a>,
    timestamp: Option<&'a str>,
    payload: &'a serde_json::Value,
) -> Result<Vec<std::borrow::Cow<'a, [u8]>>, Refusal> {
    use std::borrow::Cow;
    let missing = |what: &str| Refusal::Missing(what.to_owned());
    let mut parts = Vec::with_capacity(callback.message.len() * 2);
    for (i, part) in callback.message.iter().enumerate() {
        if i > 0 && !callback.separator.is_empty() {
            parts.push(Cow::Borrowed(callback.separator.as_bytes()));
        }
        parts.push(match part {
            CallbackPart::Key => Cow::Borrowed(key),
            CallbackPart::Literal(text) => Cow::Borrowed(text.as_bytes()),
            CallbackPart::Body => Cow::Borrowed(delivery.body),
            CallbackPart::Timestamp => Cow::Borrowed(
                timestamp
                    .ok_or_else(|| missing("the timestamp"))?
                    .as_bytes(),
            ),
            CallbackPart::Id => Cow::Borrowed(
                delivery
                    .id
                    .ok_or_else(|| missing("the delivery id"))?
                    .as_bytes(),
            ),
            CallbackPart::Url => Cow::Borrowed(
                delivery
                    .url
                    .ok_or_else(|| missing("the notification URL"))?
                    .as_bytes(),
            ),
            CallbackPart::Field(name) => {
                let value = payload
                    .get(name)
                    .ok_or_else(|| missing(&format!("field {name}")))?;
                Cow::Owned(scalar(value).into_bytes())
            }
            CallbackPart::Pointer(at) => Cow::Owned(
                payload
                    .pointer(at)
                    .map(scalar)
                    .unwrap_or_default()
                    .into_bytes(),
            ),
            CallbackPart::BodyCrc32 => {
                Cow::Owned(crc32fast::hash(delivery.body).to_string().into_bytes())
            }
            CallbackPart::Credential(name) => Cow::Borrowed(
                delivery
                    .credentials
                    .get(name)
                    .ok_or_else(|| missing(&format!("the credential {name}")))?
                    .as_bytes(),
            ),
        });
    }
    Ok(parts)
}

/// A JSON value as a signed message writes it: strings unquoted, others as JSON text.
fn scalar(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The MAC of a message (`None` for Ed25519, which is verified, not recomputed).
pub fn mac(algorithm: Digest, key: &[u8], parts: &[std::borrow::Cow<'_, [u8]>]) -> Option<Vec<u8>> {
    let pieces = parts.iter().map(|p| p.as_ref());
    match algorithm {
        Digest::HmacSha256 => Some(digest::hmac_sha256(key, pieces).to_vec()),
        Digest::Sha256 => Some(digest::sha256(pieces).to_vec()),
        Digest::HmacSha1 => Some(digest::hmac_other(digest::OtherHmac::Sha1, key, pieces)),
        Digest::HmacSha512 => Some(digest::hmac_other(digest::OtherHmac::Sha512, key, pieces)),
        Digest::Ed25519 | Digest::RsaSha256 => None,
    }
}

/// Verifies a delivery's signature header against `key` at `now` (seconds since the epoch).
pub fn verify(
    callback: &Callback,
    header: &SignatureHeader,
    key: &str,
    delivery: &Delivery<'_>,
    payload: &serde_json::Value,
    now: u64,
) -> Result<(), Refusal> {
    let signed = parse_header(header, delivery.signature.ok_or(Refusal::NoSignature)?)?;
    let timestamp = signed.timestamp.as_deref().or(delivery.timestamp);
    if let Some(tolerance) = callback.tolerance_seconds {
        let sent: u64 = timestamp
            .ok_or_else(|| Refusal::Missing("the timestamp".into()))?
            .trim()
            .parse()
            .map_err(|_| Refusal::Malformed("the timestamp is not a number of seconds".into()))?;
        let age = now.abs_diff(sent);
        if age > tolerance {
            return Err(Refusal::Stale { age });
        }
    }
    let key = key_bytes(callback, key)?;
    let parts = message(callback, &key, delivery, timestamp, payload)?;
    let matched = match mac(callback.digest, &key, &parts) {
        Some(expected) => {
            let expected = digest::encode(&expected, callback.encoding);
            // Every signature is compared (in constant time each): which one matched is not
            // told by the time taken.
            signed.signatures.iter().fold(false, |any, sent| {
                digest::same_digest(sent, &expected, callback.encoding) | any
            })
        }
        None => {
            let message: Vec<u8> = parts.concat();
            signed.signatures.iter().fold(false, |any, sent| {
                public_key_verifies(callback.digest, &key, &message, sent, callback.encoding) | any
            })
        }
    };
    if matched {
        Ok(())
    } else {
        Err(Refusal::Mismatch)
    }
}

/// Whether `signature` is the vendor's over `message`: Ed25519 with a raw public key, RSA
/// (PKCS #1 v1.5, SHA-256) with the public key of a DER certificate. The certificate is not
/// checked against a chain or a clock here: the caller fetched it from the vendor (PayPal's
/// host), and what is proven is that its key signed this delivery.
fn public_key_verifies(
    digest: Digest,
    key: &[u8],
    message: &[u8],
    signature: &str,
    encoding: Encoding,
) -> bool {
    use aws_lc_rs::signature::{ED25519, UnparsedPublicKey};
    let signature = match encoding {
        Encoding::Base64 => base64::engine::general_purpose::STANDARD
            .decode(signature.trim())
            .ok(),
        Encoding::HexLower | Encoding::HexUpper => hex::decode(signature.trim()).ok(),
    };
    let Some(signature) = signature else {
        return false;
    };
    match digest {
        Digest::RsaSha256 => {
            let der = rustls_pki_types::CertificateDer::from(key);
            webpki::EndEntityCert::try_from(&der).is_ok_and(|certificate| {
                certificate
                    .verify_signature(
                        webpki::aws_lc_rs::RSA_PKCS1_2048_8192_SHA256,
                        message,
                        &signature,
                    )
                    .is_ok()
            })
        }
        _ => UnparsedPublicKey::new(&ED25519, key)
            .verify(message, &signature)
            .is_ok(),
    }
}

/// The signature header's value for a delivery (what the vendor, or the sandbox, sends):
/// HMAC digests only.
pub fn sign(
    callback: &Callback,
    header: &SignatureHeader,
    key: &str,
    delivery: &Delivery<'_>,
    timestamp: &str,
    payload: &serde_json::Value,
) -> Result<String, Refusal> {
    let key = key_bytes(callback, key)?;
    let parts = message(callback, &key, delivery, Some(timestamp), payload)?;
    let digest = mac(callback.digest, &key, &parts).ok_or_else(|| {
        Refusal::BadKey("a public-key (Ed25519, RSA) webhook needs the private key to sign".into())
    })?;
    let signature = digest::encode(&digest, callback.encoding);
    let scheme = header.scheme.as_deref().unwrap_or("v1");
    Ok(match header.form {
        HeaderForm::Plain => signature,
        HeaderForm::Pairs => format!(
            "{}={timestamp},{scheme}={signature}",
            header.timestamp_key.as_deref().unwrap_or("t")
        ),
        HeaderForm::Versioned => format!("{scheme},{signature}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stripe() -> Callback {
        serde_json::from_value(serde_json::json!({
            "format": "json", "schema": "event",
            "header": {"name": "Stripe-Signature", "form": "pairs", "scheme": "v1", "timestamp_key": "t"},
            "digest": "hmac_sha256", "key": "given",
            "message": ["timestamp", {"literal": "."}, "body"], "encoding": "hex_lower",
            "tolerance_seconds": 300
        }))
        .unwrap()
    }

    #[test]
    fn headers_are_read_by_their_form() {
        let callback = stripe();
        let header = callback.header.clone().unwrap();
        let signed = parse_header(&header, "t=12,v1=aa,v0=bb,v1=cc").unwrap();
        assert_eq!(signed.timestamp.as_deref(), Some("12"));
        assert_eq!(signed.signatures, ["aa", "cc"]);
        assert_eq!(
            parse_header(&header, "t=12,v0=bb"),
            Err(Refusal::Malformed("no v1 signature".into()))
        );
        assert!(
            matches!(parse_header(&header, "t=12;v1=aa"), Err(Refusal::Malformed(m)) if !m.contains("aa"))
        );
        let versioned = SignatureHeader {
            form: HeaderForm::Versioned,
            ..header.clone()
        };
        assert_eq!(
            parse_header(&versioned, "v1,x v1a,y v1,z")
                .unwrap()
                .signatures,
            ["x", "z"]
        );
        let plain = SignatureHeader {
            form: HeaderForm::Plain,
            ..header
        };
        assert_eq!(parse_header(&plain, " sig ").unwrap().signatures, ["sig"]);
    }

    #[test]
    fn what_is_signed_verifies_and_nothing_else_does() {
        let callback = stripe();
        let header = callback.header.clone().unwrap();
        let body = br#"{"id":"evt_1"}"#;
        let payload = serde_json::json!({"id": "evt_1"});
        let none = std::collections::BTreeMap::new();
        let unsigned = Delivery {
            signature: None,
            timestamp: None,
            id: None,
            url: None,
            body,
            credentials: &none,
        };
        let value = sign(&callback, &header, "whsec_k", &unsigned, "1000", &payload).unwrap();
        let delivered = Delivery {
            signature: Some(&value),
            ..unsigned
        };
        assert_eq!(
            verify(&callback, &header, "whsec_k", &delivered, &payload, 1100),
            Ok(())
        );
        assert_eq!(
            verify(&callback, &header, "whsec_x", &delivered, &payload, 1100),
            Err(Refusal::Mismatch)
        );
        assert_eq!(
            verify(&callback, &header, "whsec_k", &delivered, &payload, 1400),
            Err(Refusal::Stale { age: 400 })
        );
        let other = Delivery {
            body: br#"{"id":"evt_2"}"#,
            ..delivered
        };
        assert_eq!(
            verify(&callback, &header, "whsec_k", &other, &payload, 1100),
            Err(Refusal::Mismatch)
        );
        assert_eq!(
            verify(&callback, &header, "whsec_k", &unsigned, &payload, 1100),
            Err(Refusal::NoSignature)
        );
    }

    #[test]
    fn a_pem_key_must_be_a_certificate() {
        let mut callback = stripe();
        callback.key_encoding = KeyEncoding::Pem;
        assert!(matches!(
            key_bytes(&callback, "not pem"),
            Err(Refusal::BadKey(_))
        ));
        let junk = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        match key_bytes(&callback, junk) {
            Err(Refusal::BadKey(why)) => assert!(why.contains("X.509"), "{why}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn keys_are_decoded_as_declared() {
        let mut callback = stripe();
        assert_eq!(key_bytes(&callback, "whsec_abc").unwrap(), b"whsec_abc");
        callback.key_encoding = KeyEncoding::Base64;
        callback.key_prefix = Some("whsec_".into());
        assert_eq!(key_bytes(&callback, "whsec_YWJj").unwrap(), b"abc");
        assert!(matches!(
            key_bytes(&callback, "whsec_!!"),
            Err(Refusal::BadKey(_))
        ));
        callback.key_encoding = KeyEncoding::Hex;
        callback.key_prefix = None;
        assert_eq!(key_bytes(&callback, "616263").unwrap(), b"abc");
    }
}
