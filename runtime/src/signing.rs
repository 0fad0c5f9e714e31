//! The signing recipe executor: an HMAC-SHA256 over parts of the request, fed to the MAC
//! piece by piece (no intermediate message buffer), over the exact bytes sent.

use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use payspec_profile::{Encoding, MessagePart, Signature, TimestampFormat};
use sha2::Sha256;

/// The parts of a request a signature may cover.
#[derive(Debug, Clone, Copy)]
pub struct RequestParts<'a> {
    /// The HTTP method, upper case.
    pub method: &'a str,
    /// The URL path, without the query.
    pub path: &'a str,
    /// The exact body bytes (empty for no body).
    pub body: &'a [u8],
    /// The timestamp as it is sent.
    pub timestamp: &'a str,
}

/// Computes the signature the recipe describes, keyed with `key`.
pub fn sign(recipe: &Signature, key: &[u8], parts: &RequestParts<'_>) -> String {
    // HMAC accepts keys of any length: `new_from_slice` cannot fail for it.
    let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(key) else {
        unreachable!("HMAC-SHA256 takes keys of any length")
    };
    for (i, part) in recipe.message.iter().enumerate() {
        if i > 0 {
            mac.update(recipe.separator.as_bytes());
        }
        mac.update(match part {
            MessagePart::Body => parts.body,
            MessagePart::Timestamp => parts.timestamp.as_bytes(),
            MessagePart::Method => parts.method.as_bytes(),
            MessagePart::Path => parts.path.as_bytes(),
            MessagePart::Literal(text) => text.as_bytes(),
        });
    }
    encode(&mac.finalize().into_bytes(), recipe.encoding)
}

/// Writes a digest in the recipe's encoding.
pub fn encode(digest: &[u8], encoding: Encoding) -> String {
    match encoding {
        Encoding::HexLower => hex::encode(digest),
        Encoding::HexUpper => hex::encode_upper(digest),
        Encoding::Base64 => base64::engine::general_purpose::STANDARD.encode(digest),
    }
}

/// The current time in the given format.
pub fn timestamp_now(format: TimestampFormat) -> String {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    match format {
        TimestampFormat::UnixSeconds => since_epoch.as_secs().to_string(),
        TimestampFormat::UnixMillis => since_epoch.as_millis().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recipe(message: Vec<MessagePart>, separator: &str, encoding: Encoding) -> Signature {
        Signature {
            key: "secret".into(),
            message,
            separator: separator.into(),
            encoding,
        }
    }

    const PARTS: RequestParts<'static> = RequestParts {
        method: "POST",
        path: "/v1/payment/cancel",
        body: br#"{"id":"115bd219"}"#,
        timestamp: "1730998051892",
    };

    // Expected digests below were computed independently with Python's hmac module:
    // hmac.new(key, msg, hashlib.sha256).hexdigest() (and base64 of the raw digest).

    #[test]
    fn rfc4231_case_2() {
        let r = recipe(
            vec![MessagePart::Literal("what do ya want for nothing?".into())],
            "",
            Encoding::HexLower,
        );
        assert_eq!(
            sign(&r, b"Jefe", &PARTS),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn timestamp_then_body_hex_lower() {
        let r = recipe(
            vec![MessagePart::Timestamp, MessagePart::Body],
            "",
            Encoding::HexLower,
        );
        assert_eq!(
            sign(&r, b"sk_test", &PARTS),
            "3d5ccdbdf9215f16f33d4a410609be01f674d52a5bf9e7151744b22d250b9d7e"
        );
    }

    #[test]
    fn method_path_timestamp_body_with_separator_hex_upper() {
        let message = vec![
            MessagePart::Method,
            MessagePart::Path,
            MessagePart::Timestamp,
            MessagePart::Body,
        ];
        let r = recipe(message, "\n", Encoding::HexUpper);
        assert_eq!(
            sign(&r, b"sk_test", &PARTS),
            "4145F16E2B5CDF6473BC7DC06D21043AE91503A03D1E376D3782285D6174AB8B"
        );
    }

    #[test]
    fn literals_base64() {
        let message = vec![
            MessagePart::Method,
            MessagePart::Path,
            MessagePart::Literal("v1".into()),
        ];
        let r = recipe(message, "|", Encoding::Base64);
        assert_eq!(
            sign(&r, b"sk_test", &PARTS),
            "cGr3506bvW6zdC1dp94mLddnYymR6la3L4dYh8IY8Z8="
        );
    }

    #[test]
    fn empty_body_signs_the_empty_string() {
        let r = recipe(vec![MessagePart::Body], "", Encoding::HexLower);
        let parts = RequestParts { body: b"", ..PARTS };
        assert_eq!(
            sign(&r, b"sk_test", &parts),
            "e0b9065568ccf275ecb8710f30f4b680ba2adf59a2529520b061d0178df90b07"
        );
    }

    #[test]
    fn timestamps_have_the_declared_unit() {
        let millis: u128 = timestamp_now(TimestampFormat::UnixMillis).parse().unwrap();
        let seconds: u128 = timestamp_now(TimestampFormat::UnixSeconds).parse().unwrap();
        assert!(
            millis / 1000 >= seconds && millis / 1000 - seconds <= 1,
            "{millis} {seconds}"
        );
    }
}
