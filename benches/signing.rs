//! The signing recipe executor against a direct call to the `hmac` crate, over 1 KiB and
//! 64 KiB bodies: the executor's overhead per request (goal: under 1 µs for 1 KiB). And a
//! per-request JWT of each algorithm over a 1 KiB body, with the key read once (as a client
//! does) against reading it from its credential every time.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hmac::{KeyInit, Mac};
use payspec_runtime::profile::auth::{RequestView, sign};
use payspec_runtime::profile::{Encoding, MessagePart, Signature};

fn signing(c: &mut Criterion) {
    let recipe = Signature {
        key: "secret".into(),
        message: vec![MessagePart::Timestamp, MessagePart::Body],
        separator: String::new(),
        encoding: Encoding::HexLower,
    };
    let mut group = c.benchmark_group("hmac_sha256_hex");
    for size in [1024, 64 * 1024] {
        let body = vec![b'x'; size];
        let parts = RequestView {
            method: "POST",
            path: "/v1/payment/cancel",
            path_and_query: "/v1/payment/cancel",
            host: "api.example.com",
            body: &body,
            timestamp: "1730998051892",
            unix_seconds: 1_730_998_051,
            nonce: "",
        };
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_with_input(
            BenchmarkId::new("recipe_executor", size),
            &parts,
            |b, parts| b.iter(|| sign(&recipe, b"sk_test_0123456789", std::hint::black_box(parts))),
        );
        group.bench_with_input(BenchmarkId::new("direct_hmac", size), &body, |b, body| {
            b.iter(|| {
                let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(b"sk_test_0123456789")
                    .unwrap_or_else(|_| unreachable!());
                mac.update(b"1730998051892");
                mac.update(std::hint::black_box(body));
                hex::encode(mac.finalize().into_bytes())
            })
        });
    }
    group.finish();
}

/// Credentials for the JWT bench, with or without the key already read.
struct Keys {
    text: String,
    read: Option<payspec_runtime::profile::jwt::SigningKey>,
}

impl payspec_runtime::profile::auth::Identity for Keys {
    fn credential(&self, name: &str) -> Option<&str> {
        Some(if name == "key" { &self.text } else { "keys/42" })
    }
    fn token(&self, _: &str) -> Option<&str> {
        None
    }
    fn signing_key(
        &self,
        _: &str,
        _: payspec_runtime::profile::JwtAlgorithm,
    ) -> Option<&payspec_runtime::profile::jwt::SigningKey> {
        self.read.as_ref()
    }
}

fn jwt(c: &mut Criterion) {
    use aws_lc_rs::encoding::AsDer as _;
    use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair};
    use base64::Engine as _;
    use payspec_runtime::profile::jwt::SigningKey;
    use payspec_runtime::profile::{Claim, JwtAlgorithm, JwtRecipe};
    let b64 = |der: &[u8]| base64::engine::general_purpose::STANDARD.encode(der);
    let failed = |what: &str| -> ! { panic!("cannot make the bench's {what} key") };
    let keys = [
        (
            JwtAlgorithm::Es256,
            EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING)
                .and_then(|k| k.to_pkcs8v1())
                .map(|d| b64(d.as_ref()))
                .unwrap_or_else(|_| failed("ES256")),
        ),
        (
            JwtAlgorithm::EdDsa,
            Ed25519KeyPair::generate()
                .and_then(|k| k.to_pkcs8())
                .map(|d| b64(d.as_ref()))
                .unwrap_or_else(|_| failed("EdDSA")),
        ),
        (
            JwtAlgorithm::Rs256,
            aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048)
                .and_then(|k| k.as_der())
                .map(|d| b64(d.as_ref()))
                .unwrap_or_else(|_| failed("RS256")),
        ),
    ];
    let body = vec![b'x'; 1024];
    let view = RequestView {
        method: "POST",
        path: "/v1/transfers",
        path_and_query: "/v1/transfers",
        host: "api.example.com",
        body: &body,
        timestamp: "",
        unix_seconds: 1_764_000_000,
        nonce: "5f0c1d2e3b4a69788796a5b4c3d2e1f0",
    };
    let mut group = c.benchmark_group("jwt_1KiB");
    for (algorithm, text) in keys {
        let recipe = JwtRecipe {
            algorithm,
            key: "key".into(),
            prefix: "Bearer ".into(),
            header: [("kid".to_owned(), Claim::Credential("name".into()))].into(),
            claims: [
                ("sub", Claim::Credential("name".into())),
                ("iat", Claim::IssuedAt),
                ("exp", Claim::ExpiresIn(30)),
                ("nonce", Claim::Nonce),
                ("uri", Claim::Path),
                ("bodyHash", Claim::BodySha256),
            ]
            .into_iter()
            .map(|(n, c)| (n.to_owned(), c))
            .collect(),
        };
        let name = payspec_runtime::profile::jwt::jose_name(algorithm);
        let once = Keys {
            read: SigningKey::read(algorithm, &text).ok(),
            text: text.clone(),
        };
        let every_time = Keys { text, read: None };
        for (how, keys) in [
            ("key_read_once", &once),
            ("key_read_per_request", &every_time),
        ] {
            group.bench_function(BenchmarkId::new(how, name), |b| {
                b.iter(|| payspec_runtime::profile::jwt::sign(&recipe, keys, &view))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, signing, jwt);
criterion_main!(benches);
