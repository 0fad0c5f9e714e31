//! A crate outside the workspace that depends on payspec the way a user's does, built with the
//! workspace's lock file in the tests' own target directory (so the compiled dependencies are
//! reused): what tests/sixth_vendor.rs and tests/random_documents.rs build.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// The target directory the consumer is built in (the tests' own).
pub fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Builds the consumer crate at `crate_dir` (its manifest and sources written by the caller),
/// with `env` set for its build script.
pub fn build(crate_dir: &Path, env: (&str, &Path)) -> Output {
    std::fs::copy(workspace().join("Cargo.lock"), crate_dir.join("Cargo.lock")).unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    Command::new(cargo)
        .args(["build", "--quiet", "--offline", "--manifest-path"])
        .arg(crate_dir.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", target_dir())
        .env(env.0, env.1)
        .output()
        .unwrap()
}
