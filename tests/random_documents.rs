//! The generator's fuzz campaign: random, valid OpenAPI 3.0 and 3.1 documents
//! (`payspec_codegen::synthetic::write_random_vendor`: oneOf/anyOf/allOf, nullable values,
//! enums of every JSON type, formats, patterns, additionalProperties, recursion; parameters in
//! the path, the query in every style, headers; bodies as JSON, a vendor's +json, forms,
//! multipart, text) must each generate, with no refusal and no panic, and the generated code
//! of all of them must compile, batched into one consumer crate outside the workspace (its
//! build.rs runs the unchanged code generator). `PAYSPEC_RANDOM_DOCUMENTS=N` (default 12)
//! and `PAYSPEC_RANDOM_SEED=S` (default 0) size and place the campaign; README records the
//! largest run.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "support/consumer.rs"]
mod consumer;

use std::path::PathBuf;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

const BUILD_RS: &str = r#"fn main() {
    let specs = std::env::var("RANDOM_SPECS").unwrap_or_else(|_| "specs".to_owned());
    println!("cargo:rerun-if-env-changed=RANDOM_SPECS");
    payspec_codegen::Builder::new(specs).generate_or_exit();
}
"#;

fn manifest() -> String {
    let path = |p: &str| workspace().join(p).display().to_string();
    format!(
        "[package]\nname = \"payspec-random-documents\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n[workspace]\n\n[lib]\npath = \"lib.rs\"\n\n[dependencies]\npayspec-runtime = {{ path = {:?} }}\n\n[build-dependencies]\npayspec-codegen = {{ path = {:?} }}\n",
        path("runtime"),
        path("codegen")
    )
}

#[test]
fn random_documents_generate_and_compile() {
    let (count, first) = (
        setting("PAYSPEC_RANDOM_DOCUMENTS", 12),
        setting("PAYSPEC_RANDOM_SEED", 0),
    );
    let temp = tempfile::tempdir().unwrap();
    let specs = temp.path().join("specs");
    let mut degraded = Vec::new();
    for seed in first..first + count {
        let dir = specs.join(format!("random{seed}"));
        payspec_codegen::synthetic::write_random_vendor(&dir, &format!("random{seed}"), seed)
            .unwrap();
        let outcome = std::panic::catch_unwind(|| {
            payspec_codegen::load_vendor(&dir).and_then(|v| payspec_codegen::generate(&v))
        });
        let generated = match outcome {
            Ok(Ok(generated)) => generated,
            Ok(Err(d)) => panic!("seed {seed} refused:\n{}", d.render()),
            Err(_) => panic!("seed {seed}: the generator panicked"),
        };
        degraded.extend(
            generated
                .warnings
                .iter()
                .map(|w| format!("seed {seed}: {w}")),
        );
    }
    // Degradations are allowed (each is located); they are printed for the record.
    for line in &degraded {
        println!("{line}");
    }
    let crate_dir = temp.path().join("consumer");
    std::fs::create_dir_all(&crate_dir).unwrap();
    std::fs::write(crate_dir.join("Cargo.toml"), manifest()).unwrap();
    std::fs::write(crate_dir.join("build.rs"), BUILD_RS).unwrap();
    std::fs::write(
        crate_dir.join("lib.rs"),
        "payspec_runtime::include_vendors!();\n",
    )
    .unwrap();
    let build = consumer::build(&crate_dir, ("RANDOM_SPECS", &specs));
    let stderr = String::from_utf8_lossy(&build.stderr);
    assert!(
        build.status.success(),
        "the generated code of seeds {first}..{} does not compile:\n{}",
        first + count,
        stderr.chars().take(20_000).collect::<String>()
    );
    println!(
        "{count} random documents (seeds {first}..{}) generated and compiled; {} degradations",
        first + count,
        degraded.len()
    );
}
