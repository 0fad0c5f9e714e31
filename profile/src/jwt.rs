//! Per-request JSON Web Tokens signed with an asymmetric key (ES256, EdDSA, RS256): the claims
//! a recipe gives a request, the token signed with the caller's private key, and the
//! verifier's side (signature checked with the public key derived from the same key, every
//! claim compared with what the request really is).
//!
//! The cryptography is aws-lc-rs (already the TLS provider of the HTTP stack, so no second
//! implementation is compiled in) and PEM is read by rustls-pki-types; neither the `rsa` crate
//! (RUSTSEC-2023-0071, timing side channel) nor a hand-written parser is involved.

use std::collections::BTreeMap;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED, ECDSA_P256_SHA256_FIXED_SIGNING, ED25519, EcdsaKeyPair,
    Ed25519KeyPair, KeyPair, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, RsaKeyPair,
    UnparsedPublicKey,
};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rustls_pki_types::PrivateKeyDer;
use rustls_pki_types::pem::PemObject as _;
use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};

use crate::auth::{AuthError, Identity, RequestView, message_part};
use crate::{Claim, JwtAlgorithm, JwtRecipe};

/// A private key that cannot be used for a recipe's algorithm. Says what is wrong with it,
/// never anything of its value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Neither PEM nor base64.
    #[error("is neither PEM (-----BEGIN …) nor base64")]
    Unreadable,
    /// PEM of a kind that holds no private key.
    #[error("is PEM but holds no private key (PKCS#8, SEC1 or PKCS#1)")]
    NotAPrivateKey,
    /// The key was read but does not fit the algorithm.
    #[error("is not a usable {algorithm} private key ({why}){hint}")]
    Rejected {
        /// The algorithm's JOSE name.
        algorithm: &'static str,
        /// What the cryptographic library said.
        why: String,
        /// How to convert a key of another form.
        hint: &'static str,
    },
    /// Signing failed (the library gave no reason).
    #[error("could not sign with it")]
    Signing,
}

/// A private key, ready to sign for one algorithm.
pub struct SigningKey {
    algorithm: JwtAlgorithm,
    pair: Pair,
}

enum Pair {
    Ecdsa(EcdsaKeyPair),
    Ed25519(Ed25519KeyPair),
    Rsa(RsaKeyPair),
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({}, [redacted])", jose_name(self.algorithm))
    }
}

/// The JOSE `alg` of an algorithm.
pub fn jose_name(algorithm: JwtAlgorithm) -> &'static str {
    match algorithm {
        JwtAlgorithm::Es256 => "ES256",
        JwtAlgorithm::EdDsa => "EdDSA",
        JwtAlgorithm::Rs256 => "RS256",
    }
}

impl SigningKey {
    /// Reads a private key for `algorithm` from a credential's text.
    pub fn read(algorithm: JwtAlgorithm, text: &str) -> Result<Self, KeyError> {
        let text = text.trim().replace("\\n", "\n");
        let rejected = |e: aws_lc_rs::error::KeyRejected| KeyError::Rejected {
            algorithm: jose_name(algorithm),
            why: e.to_string(),
            hint: match algorithm {
                JwtAlgorithm::Es256 => "",
                _ => "; convert with `openssl pkcs8 -topk8 -nocrypt`",
            },
        };
        let pair = if text.starts_with("-----BEGIN") {
            let der = PrivateKeyDer::from_pem_slice(text.as_bytes())
                .map_err(|_| KeyError::NotAPrivateKey)?;
            match (algorithm, &der) {
                (JwtAlgorithm::Es256, _) => Pair::Ecdsa(
                    EcdsaKeyPair::from_private_key_der(
                        &ECDSA_P256_SHA256_FIXED_SIGNING,
                        der.secret_der(),
                    )
                    .map_err(rejected)?,
                ),
                (JwtAlgorithm::EdDsa, _) => Pair::Ed25519(
                    Ed25519KeyPair::from_pkcs8_maybe_unchecked(der.secret_der())
                        .map_err(rejected)?,
                ),
                (JwtAlgorithm::Rs256, PrivateKeyDer::Pkcs1(pkcs1)) => {
                    Pair::Rsa(RsaKeyPair::from_der(pkcs1.secret_pkcs1_der()).map_err(rejected)?)
                }
                (JwtAlgorithm::Rs256, _) => {
                    Pair::Rsa(RsaKeyPair::from_pkcs8(der.secret_der()).map_err(rejected)?)
                }
            }
        } else {
            let bytes = STANDARD
                .decode(text.as_bytes())
                .map_err(|_| KeyError::Unreadable)?;
            from_raw(algorithm, &bytes).map_err(rejected)?
        };
        Ok(Self { algorithm, pair })
    }

    /// The algorithm it signs for.
    pub fn algorithm(&self) -> JwtAlgorithm {
        self.algorithm
    }

    /// The signature of `message` (JWS form: ES256 as the fixed 64-byte `r || s`).
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        let rng = SystemRandom::new();
        match &self.pair {
            Pair::Ecdsa(pair) => pair
                .sign(&rng, message)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| KeyError::Signing),
            Pair::Ed25519(pair) => Ok(pair.sign(message).as_ref().to_vec()),
            Pair::Rsa(pair) => {
                let mut signature = vec![0; pair.public_modulus_len()];
                pair.sign(&RSA_PKCS1_SHA256, &rng, message, &mut signature)
                    .map_err(|_| KeyError::Signing)?;
                Ok(signature)
            }
        }
    }

    /// Whether `signature` over `message` was made by this key (checked with its public half).
    pub fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        let (algorithm, public): (&dyn aws_lc_rs::signature::VerificationAlgorithm, &[u8]) =
            match &self.pair {
                Pair::Ecdsa(pair) => (&ECDSA_P256_SHA256_FIXED, pair.public_key().as_ref()),
                Pair::Ed25519(pair) => (&ED25519, pair.public_key().as_ref()),
                Pair::Rsa(pair) => (&RSA_PKCS1_2048_8192_SHA256, pair.public_key().as_ref()),
            };
        UnparsedPublicKey::new(algorithm, public)
            .verify(message, signature)
            .is_ok()
    }
}

/// A key given as base64 DER, or for EdDSA as the raw seed (32 bytes) or seed and public key
/// (64 bytes, as some custody consoles hand them out).
fn from_raw(algorithm: JwtAlgorithm, bytes: &[u8]) -> Result<Pair, aws_lc_rs::error::KeyRejected> {
    Ok(match algorithm {
        JwtAlgorithm::Es256 => Pair::Ecdsa(EcdsaKeyPair::from_private_key_der(
            &ECDSA_P256_SHA256_FIXED_SIGNING,
            bytes,
        )?),
        JwtAlgorithm::EdDsa => Pair::Ed25519(match bytes.len() {
            32 => Ed25519KeyPair::from_seed_unchecked(bytes)?,
            64 => Ed25519KeyPair::from_seed_and_public_key(&bytes[..32], &bytes[32..])?,
            _ => Ed25519KeyPair::from_pkcs8_maybe_unchecked(bytes)?,
        }),
        JwtAlgorithm::Rs256 => {
            Pair::Rsa(RsaKeyPair::from_pkcs8(bytes).or_else(|_| RsaKeyPair::from_der(bytes))?)
        }
    })
}

/// A fresh random nonce (128 bits, hex).
pub fn fresh_nonce() -> String {
    let mut bytes = [0u8; 16];
    // The system generator does not fail on any platform aws-lc-rs supports; a zero nonce
    // would still be a valid (if weaker) token, so there is nothing better to do than go on.
    let _ = aws_lc_rs::rand::fill(&mut bytes);
    hex::encode(bytes)
}

/// Whether any header of the scheme is a JWT (the request then needs a nonce).
pub fn in_scheme(scheme: &crate::Scheme) -> bool {
    scheme
        .headers
        .values()
        .any(|source| matches!(source, crate::ValueSource::Jwt(_)))
}

/// The key of a recipe, read from the identity's credential.
fn read_key(recipe: &JwtRecipe, identity: &dyn Identity) -> Result<SigningKey, AuthError> {
    let text = identity
        .credential(&recipe.key)
        .ok_or_else(|| AuthError::MissingCredential(recipe.key.clone()))?;
    SigningKey::read(recipe.algorithm, text).map_err(|error| AuthError::Key {
        credential: recipe.key.clone(),
        error,
    })
}

/// The header value a recipe gives a request: prefix, then `header.claims.signature`.
pub fn sign(
    recipe: &JwtRecipe,
    identity: &dyn Identity,
    view: &RequestView<'_>,
) -> Result<String, AuthError> {
    let owned;
    let key = match identity.signing_key(&recipe.key, recipe.algorithm) {
        Some(key) => key,
        None => {
            owned = read_key(recipe, identity)?;
            &owned
        }
    };
    // Written in a fixed order (alg, typ, then by name), whatever serde_json's map keeps, so
    // that a deterministic algorithm gives the same bytes in every build (and the vectors hold).
    let header = [
        ("alg".to_owned(), Value::from(jose_name(recipe.algorithm))),
        ("typ".to_owned(), Value::from("JWT")),
    ]
    .into_iter()
    .chain(values(&recipe.header, identity, view)?);
    let claims = values(&recipe.claims, identity, view)?;
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(object_text(header)),
        URL_SAFE_NO_PAD.encode(object_text(claims))
    );
    let signature = key.sign(input.as_bytes()).map_err(|error| AuthError::Key {
        credential: recipe.key.clone(),
        error,
    })?;
    Ok(format!(
        "{}{input}.{}",
        recipe.prefix,
        URL_SAFE_NO_PAD.encode(signature)
    ))
}

/// A JSON object's compact text, members in the order given.
fn object_text(members: impl IntoIterator<Item = (String, Value)>) -> String {
    let members: Vec<String> = members
        .into_iter()
        .map(|(name, value)| format!("{}:{value}", Value::from(name)))
        .collect();
    format!("{{{}}}", members.join(","))
}

fn values(
    claims: &BTreeMap<String, Claim>,
    identity: &dyn Identity,
    view: &RequestView<'_>,
) -> Result<Vec<(String, Value)>, AuthError> {
    claims
        .iter()
        .map(|(name, claim)| Ok((name.clone(), value(claim, identity, view)?)))
        .collect()
}

/// A claim's value for a request.
fn value(
    claim: &Claim,
    identity: &dyn Identity,
    view: &RequestView<'_>,
) -> Result<Value, AuthError> {
    Ok(match claim {
        Claim::Credential(name) => identity
            .credential(name)
            .ok_or_else(|| AuthError::MissingCredential(name.clone()))?
            .into(),
        Claim::Literal(text) => text.as_str().into(),
        Claim::IssuedAt | Claim::NotBefore => view.unix_seconds.into(),
        Claim::ExpiresIn(seconds) => view.unix_seconds.saturating_add(*seconds).into(),
        Claim::Nonce => view.nonce.into(),
        Claim::Method => view.method.into(),
        Claim::Path => view.path.into(),
        Claim::BodySha256 => hex::encode(Sha256::digest(view.body)).into(),
        Claim::Join(parts) => {
            let bytes: Vec<u8> = parts
                .iter()
                .flat_map(|part| message_part(part, view).iter().copied())
                .collect();
            String::from_utf8_lossy(&bytes).into_owned().into()
        }
    })
}

/// Checks a token received for a request: the prefix, the header's `alg` (the recipe's, never
/// the token's choice), the signature against the public half of the identity's key, then each
/// claim and header field. Times may be `window` seconds off; a nonce must be present (a
/// verifier that keeps state checks it was not seen before). The refusal names what is wrong.
pub fn verify(
    recipe: &JwtRecipe,
    identity: &dyn Identity,
    sent: &str,
    view: &RequestView<'_>,
    window: u64,
) -> Result<(), String> {
    let key = read_key(recipe, identity).map_err(|e| e.to_string())?;
    let token = sent
        .strip_prefix(recipe.prefix.as_str())
        .ok_or_else(|| format!("does not start with {:?}", recipe.prefix))?;
    let mut pieces = token.split('.');
    let (Some(header), Some(claims), Some(signature), None) =
        (pieces.next(), pieces.next(), pieces.next(), pieces.next())
    else {
        return Err("is not a JWS in compact form (header.claims.signature)".into());
    };
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| "has a signature that is not base64url".to_owned())?;
    let signed = &token[..header.len() + 1 + claims.len()];
    if !key.verifies(signed.as_bytes(), &signature) {
        return Err("has a signature the key did not make".into());
    }
    let header = decode_object(header, "header")?;
    if header.get("alg").and_then(Value::as_str) != Some(jose_name(recipe.algorithm)) {
        return Err(format!("header alg is not {}", jose_name(recipe.algorithm)));
    }
    check_fields(
        &recipe.header,
        &header,
        "header field",
        identity,
        view,
        window,
    )?;
    let claims = decode_object(claims, "claims")?;
    check_fields(&recipe.claims, &claims, "claim", identity, view, window)
}

fn decode_object(part: &str, what: &str) -> Result<Map<String, Value>, String> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| format!("has {what} that are not base64url"))?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(object)) => Ok(object),
        _ => Err(format!("has {what} that are not a JSON object")),
    }
}

fn check_fields(
    recipe: &BTreeMap<String, Claim>,
    received: &Map<String, Value>,
    what: &str,
    identity: &dyn Identity,
    view: &RequestView<'_>,
    window: u64,
) -> Result<(), String> {
    for (name, claim) in recipe {
        let sent = received.get(name);
        let near = |expected: u64, slack: u64| {
            sent.and_then(Value::as_u64)
                .is_some_and(|t| t.abs_diff(expected) <= slack)
        };
        let good = match claim {
            Claim::IssuedAt | Claim::NotBefore => near(view.unix_seconds, window),
            // Not expired, and not valid for longer than the recipe says.
            Claim::ExpiresIn(seconds) => sent.and_then(Value::as_u64).is_some_and(|t| {
                t >= view.unix_seconds
                    && t <= view
                        .unix_seconds
                        .saturating_add(seconds.saturating_add(window))
            }),
            Claim::Nonce => sent
                .and_then(Value::as_str)
                .is_some_and(|nonce| !nonce.is_empty()),
            other => {
                let expected = value(other, identity, view).map_err(|e| e.to_string())?;
                sent.is_some_and(|sent| {
                    crate::digest::same(
                        sent.to_string().as_bytes(),
                        expected.to_string().as_bytes(),
                    )
                })
            }
        };
        if !good {
            return Err(format!("{what} {name} is missing or wrong"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MessagePart;
    use aws_lc_rs::encoding::AsDer as _;

    struct Creds(Vec<(&'static str, String)>);

    impl Identity for Creds {
        fn credential(&self, name: &str) -> Option<&str> {
            self.0
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.as_str())
        }
        fn token(&self, _: &str) -> Option<&str> {
            None
        }
    }

    /// A fresh key of each algorithm, as base64 PKCS#8 DER.
    fn keys() -> Vec<(JwtAlgorithm, String)> {
        let ec = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).unwrap();
        let ed = Ed25519KeyPair::generate().unwrap();
        let rsa = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
        vec![
            (
                JwtAlgorithm::Es256,
                STANDARD.encode(ec.to_pkcs8v1().unwrap()),
            ),
            (JwtAlgorithm::EdDsa, STANDARD.encode(ed.to_pkcs8().unwrap())),
            (
                JwtAlgorithm::Rs256,
                STANDARD.encode(rsa.as_der().unwrap().as_ref()),
            ),
        ]
    }

    fn recipe(algorithm: JwtAlgorithm) -> JwtRecipe {
        let claims = [
            ("sub", Claim::Credential("name".into())),
            ("iat", Claim::IssuedAt),
            ("exp", Claim::ExpiresIn(60)),
            ("nonce", Claim::Nonce),
            ("bodyHash", Claim::BodySha256),
            (
                "uri",
                Claim::Join(vec![
                    MessagePart::Method,
                    MessagePart::Literal(" ".into()),
                    MessagePart::Path,
                ]),
            ),
        ];
        JwtRecipe {
            algorithm,
            key: "key".into(),
            prefix: "Bearer ".into(),
            header: [("kid".to_owned(), Claim::Credential("name".into()))].into(),
            claims: claims.into_iter().map(|(n, c)| (n.to_owned(), c)).collect(),
        }
    }

    fn view<'a>(path: &'a str, body: &'a [u8], unix_seconds: u64) -> RequestView<'a> {
        RequestView {
            method: "POST",
            path,
            path_and_query: path,
            host: "api.example.com",
            body,
            timestamp: "",
            unix_seconds,
            nonce: "c0ffee",
        }
    }

    #[test]
    fn each_algorithm_signs_what_the_verifier_accepts_for_that_request_only() {
        for (algorithm, key) in keys() {
            let identity = Creds(vec![("key", key), ("name", "keys/42".into())]);
            let recipe = recipe(algorithm);
            let sent = view("/v1/transfers", b"{\"amount\":1}", 1_764_000_000);
            let token = sign(&recipe, &identity, &sent).unwrap();
            verify(&recipe, &identity, &token, &sent, 5).unwrap();
            let claims = decode_object(token.rsplit('.').nth(1).unwrap(), "claims").unwrap();
            assert_eq!(claims["uri"], "POST /v1/transfers");
            assert_eq!(claims["exp"], 1_764_000_060);
            let refused = |view: RequestView<'_>, token: &str| {
                verify(&recipe, &identity, token, &view, 5).unwrap_err()
            };
            let other_path = refused(view("/v1/payouts", sent.body, sent.unix_seconds), &token);
            assert_eq!(other_path, "claim uri is missing or wrong", "{algorithm:?}");
            let other_body = refused(
                view(sent.path, b"{\"amount\":2}", sent.unix_seconds),
                &token,
            );
            assert_eq!(other_body, "claim bodyHash is missing or wrong");
            let late = refused(view(sent.path, sent.body, sent.unix_seconds + 120), &token);
            assert!(late.starts_with("claim "), "{late}");
            // The claims swapped for another request's, the signature kept.
            let forged = {
                let other = sign(&recipe, &identity, &view("/v1/payouts", sent.body, 1)).unwrap();
                let mut pieces: Vec<&str> = token.split('.').collect();
                pieces[1] = other.split('.').nth(1).unwrap();
                pieces.join(".")
            };
            assert_eq!(
                refused(sent, &forged),
                "has a signature the key did not make"
            );
            let unsigned = format!(
                "Bearer {}.{}.",
                URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#),
                token.split('.').nth(1).unwrap()
            );
            assert_eq!(
                refused(sent, &unsigned),
                "has a signature the key did not make"
            );
        }
    }

    #[test]
    fn a_token_of_another_key_or_algorithm_is_refused() {
        let keys = keys();
        let (algorithm, key) = &keys[0];
        let (_, other_key) = &keys[1];
        let signer = Creds(vec![("key", key.clone()), ("name", "n".into())]);
        let sent = view("/p", b"", 1_764_000_000);
        let token = sign(&recipe(*algorithm), &signer, &sent).unwrap();
        let fresh = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).unwrap();
        let verifier = Creds(vec![
            ("key", STANDARD.encode(fresh.to_pkcs8v1().unwrap())),
            ("name", "n".into()),
        ]);
        let refusal = verify(&recipe(*algorithm), &verifier, &token, &sent, 5).unwrap_err();
        assert_eq!(refusal, "has a signature the key did not make");
        // An Ed25519 key where the recipe says ES256: refused when read, naming the algorithm.
        let wrong = SigningKey::read(JwtAlgorithm::Es256, other_key).unwrap_err();
        assert!(wrong.to_string().contains("ES256"), "{wrong}");
    }

    #[test]
    fn bad_keys_say_what_is_wrong_and_show_nothing_of_the_key() {
        let not_base64 = "definitely not a key!";
        assert_eq!(
            SigningKey::read(JwtAlgorithm::Rs256, not_base64).unwrap_err(),
            KeyError::Unreadable
        );
        let certificate = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert_eq!(
            SigningKey::read(JwtAlgorithm::Es256, certificate).unwrap_err(),
            KeyError::NotAPrivateKey
        );
        let short = STANDARD.encode([7u8; 20]);
        let error = SigningKey::read(JwtAlgorithm::Rs256, &short).unwrap_err();
        let text = error.to_string();
        assert!(
            text.contains("RS256") && text.contains("openssl pkcs8"),
            "{text}"
        );
        assert!(!text.contains(&short), "{text}");
        let (_, key) = &keys()[1];
        let key = SigningKey::read(JwtAlgorithm::EdDsa, key).unwrap();
        assert_eq!(format!("{key:?}"), "SigningKey(EdDSA, [redacted])");
    }

    #[test]
    fn pem_with_escaped_line_breaks_and_raw_ed25519_seeds_read() {
        let ec = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).unwrap();
        let body = STANDARD.encode(ec.to_pkcs8v1().unwrap());
        let escaped =
            format!("-----BEGIN PRIVATE KEY-----\\n{body}\\n-----END PRIVATE KEY-----\\n");
        SigningKey::read(JwtAlgorithm::Es256, &escaped).unwrap();
        let seed = STANDARD.encode([9u8; 32]);
        let from_seed = SigningKey::read(JwtAlgorithm::EdDsa, &seed).unwrap();
        // Ed25519 is deterministic: the same seed, the same signature.
        let again = SigningKey::read(JwtAlgorithm::EdDsa, &seed).unwrap();
        assert_eq!(from_seed.sign(b"m").unwrap(), again.sign(b"m").unwrap());
    }
}
