//! Digests and their encodings, and constant-time comparison: the one implementation the
//! runtime signs with, the sandbox verifies with, and callbacks are checked with.

use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq;

use crate::Encoding;

/// HMAC-SHA256 of the concatenated `parts`, keyed with `key` (fed piece by piece: no message
/// buffer is built).
pub fn hmac_sha256<'a>(key: &[u8], parts: impl IntoIterator<Item = &'a [u8]>) -> [u8; 32] {
    // HMAC takes keys of any length: longer ones are hashed, shorter ones padded.
    let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(key) else {
        unreachable!("HMAC-SHA256 takes keys of any length")
    };
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// The HMACs other than SHA-256, for webhooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtherHmac {
    /// HMAC-SHA1.
    Sha1,
    /// HMAC-SHA512.
    Sha512,
}

/// HMAC-SHA1 or HMAC-SHA512 of the concatenated `parts` (aws-lc's, the TLS library reqwest
/// already builds).
pub fn hmac_other<'a>(
    algorithm: OtherHmac,
    key: &[u8],
    parts: impl IntoIterator<Item = &'a [u8]>,
) -> Vec<u8> {
    use aws_lc_rs::hmac;
    let algorithm = match algorithm {
        OtherHmac::Sha1 => hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
        OtherHmac::Sha512 => hmac::HMAC_SHA512,
    };
    let mut context = hmac::Context::with_key(&hmac::Key::new(algorithm, key));
    for part in parts {
        context.update(part);
    }
    context.sign().as_ref().to_vec()
}

/// SHA-256 of the concatenated `parts`.
pub fn sha256<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> [u8; 32] {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize().into()
}

/// Writes a digest in an encoding.
pub fn encode(digest: &[u8], encoding: Encoding) -> String {
    match encoding {
        Encoding::HexLower => hex::encode(digest),
        Encoding::HexUpper => hex::encode_upper(digest),
        Encoding::Base64 => base64::engine::general_purpose::STANDARD.encode(digest),
    }
}

/// Compares two byte strings in time that does not depend on where they differ (only their
/// lengths, which are public for digests, may be learnt).
pub fn same(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

/// Compares a digest someone sent with the one expected, in constant time. Hexadecimal is
/// compared without regard to case (vendors differ); base64 exactly.
pub fn same_digest(sent: &str, expected: &str, encoding: Encoding) -> bool {
    match encoding {
        Encoding::HexLower | Encoding::HexUpper => same(
            sent.trim().to_ascii_lowercase().as_bytes(),
            expected.to_ascii_lowercase().as_bytes(),
        ),
        Encoding::Base64 => same(sent.trim().as_bytes(), expected.as_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values computed independently with Python's hmac and hashlib modules.
    #[test]
    fn rfc4231_case_2_and_sha256() {
        let mac = hmac_sha256(b"Jefe", [b"what do ya want ".as_slice(), b"for nothing?"]);
        assert_eq!(
            encode(&mac, Encoding::HexLower),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            encode(&sha256([b"abc".as_slice()]), Encoding::HexLower),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn comparisons() {
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"abc", b"abcd"));
        assert!(same_digest(" ABCDEF", "abcdef", Encoding::HexLower));
        assert!(!same_digest("QUJD", "qujd", Encoding::Base64));
    }
}
