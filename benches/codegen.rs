//! Code generation: load + normalise + generate each real vendor, and synthetic vendors of 10,
//! 100 and 1,000 operations (growth should be linear; 1,000 operations under 2 s). Peak memory
//! and 5,000 operations: `cargo run --release -p payspec-codegen --example scaling`.

use std::path::Path;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

fn vendors(c: &mut Criterion) {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("specs");
    let mut group = c.benchmark_group("generate_vendor");
    group.sample_size(10);
    for vendor in ["rio", "xpays", "westminister", "paywall", "onekey"] {
        let dir = specs.join(vendor);
        group.bench_with_input(BenchmarkId::from_parameter(vendor), &dir, |b, dir| {
            b.iter(|| {
                let vendor = payspec_codegen::load_vendor(dir).unwrap_or_else(|d| panic!("{d}"));
                payspec_codegen::generate(&vendor).unwrap_or_else(|d| panic!("{d}"))
            })
        });
    }
    group.finish();
}

fn synthetic(c: &mut Criterion) {
    let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut group = c.benchmark_group("generate_synthetic");
    group.sample_size(10);
    for size in [10, 100, 1000] {
        let dir = root.path().join(format!("s{size}")).join("synth");
        payspec_codegen::synthetic::write_vendor(&dir, "synth", size)
            .unwrap_or_else(|e| panic!("{e}"));
        group.bench_with_input(BenchmarkId::from_parameter(size), &dir, |b, dir| {
            b.iter(|| {
                let vendor = payspec_codegen::load_vendor(dir).unwrap_or_else(|d| panic!("{d}"));
                payspec_codegen::generate(&vendor).unwrap_or_else(|d| panic!("{d}"))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, vendors, synthetic);
criterion_main!(benches);
