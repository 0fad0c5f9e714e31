//! The signing recipe executor against a direct call to the `hmac` crate, over 1 KiB and
//! 64 KiB bodies: the executor's overhead per request (goal: under 1 µs for 1 KiB).

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
            body: &body,
            timestamp: "1730998051892",
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

criterion_group!(benches, signing);
criterion_main!(benches);
