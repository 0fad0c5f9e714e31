//! Generates one typed client module per directory in `specs/` into OUT_DIR.
//!
//! A vendor is generated when its cargo feature is on, or when `all-vendors` is (the
//! default), so a new vendor directory works with no change to Cargo.toml. Every vendor is
//! checked either way: a broken spec fails the build with `file: #/pointer: message` lines.
//! The build is strict: our own vendors must generate whole, so a warning (a schema typed as
//! any JSON, an operation left out) fails it too.

use std::path::PathBuf;

fn main() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    let specs = manifest_dir.join("specs");
    let all = std::env::var_os("CARGO_FEATURE_ALL_VENDORS").is_some();
    let selected = |vendor: &str| {
        all || std::env::var_os(format!("CARGO_FEATURE_{}", vendor.to_ascii_uppercase())).is_some()
    };
    let strict = |output: payspec_codegen::BuildOutput| {
        if output.warnings.is_empty() {
            return Ok(output);
        }
        let errors = output.warnings.into_iter().map(|w| w.into_error());
        Err(payspec_codegen::Diagnostics(errors.collect()))
    };
    match payspec_codegen::build(&specs, &out_dir, selected, false).and_then(strict) {
        Ok(output) => {
            for file in &output.watch {
                println!("cargo:rerun-if-changed={}", file.display());
            }
            // Which vendors this run generated anew (the others were unchanged), for
            // BENCHMARKS.md; not having it is no reason to fail a build.
            if let Err(error) = std::fs::write(
                out_dir.join("regenerated.txt"),
                output.regenerated.join("\n"),
            ) {
                println!("cargo:warning=cannot record the regenerated vendors: {error}");
            }
        }
        Err(diagnostics) => {
            println!("cargo:rerun-if-changed={}", specs.display());
            for line in diagnostics.render().lines() {
                eprintln!("error: {line}");
            }
            for diagnostic in &diagnostics.0 {
                println!("cargo:rerun-if-changed={}", diagnostic.file.display());
            }
            std::process::exit(1);
        }
    }
}
