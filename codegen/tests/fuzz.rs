//! Property-based fuzzing of load + overlay + normalise: the real specs and profiles, mangled
//! (truncated, bytes flipped, YAML fragments spliced in) and overlaid with random actions, must
//! give a vendor or diagnostics, never a panic. `PROPTEST_CASES=N` runs more cases.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::{Path, PathBuf};

use payspec_codegen::load_vendor;
use proptest::prelude::*;

const FRAGMENTS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ": ",
    "- ",
    "\n",
    "\n  ",
    "&a ",
    "*a",
    "<<: *a",
    "$ref: '#/components/schemas/X'",
    "$ref: 'http://x'",
    "null",
    "~",
    "'",
    "\"",
    "openapi: 3.1.0",
    "type: integer",
    "enum: [1, 2]",
    "required: [x]",
    "properties: {}",
    "operationId: dup",
    "nullable: true",
    "allOf: [{}]",
    "\u{0}",
    "\t",
    "#",
    "!!binary",
    "2024-01-01",
    "0x1F",
    "1e999",
];

const TARGETS: &[&str] = &[
    "$.paths.*.*",
    "$.paths..parameters",
    "$.components.schemas.*",
    "$..properties",
    "$.info",
    "$..[?(@.type == 'string')]",
    "$.nothing",
    "$[",
    "$..*",
];

const UPDATES: &[&str] = &[
    "{}",
    "{\"type\": \"integer\"}",
    "{\"operationId\": \"x\"}",
    "[1, 2]",
    "null",
    "{\"$ref\": \"#/nowhere\"}",
    "\"text\"",
    "{\"required\": [\"a\"]}",
];

fn vendors() -> Vec<(String, String, String)> {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let mut out = Vec::new();
    for name in ["rio", "onekey", "xpays", "westminister", "paywall"] {
        let dir = specs.join(name);
        let spec = ["openapi.yaml", "openapi.json"]
            .iter()
            .map(|f| dir.join(f))
            .find(|p| p.is_file())
            .unwrap();
        let file = spec.file_name().unwrap().to_string_lossy().into_owned();
        out.push((
            name.to_owned(),
            file,
            std::fs::read_to_string(&spec).unwrap(),
        ));
    }
    out
}

#[derive(Debug, Clone)]
enum Mangle {
    Truncate(usize),
    Flip(usize, u8),
    Splice(usize, usize),
}

fn mangle(text: &str, mangles: &[Mangle]) -> Vec<u8> {
    let mut bytes = text.as_bytes().to_vec();
    for m in mangles {
        let at = |n: usize, len: usize| if len == 0 { 0 } else { n % (len + 1) };
        match m {
            Mangle::Truncate(n) => {
                let n = at(*n, bytes.len());
                bytes.truncate(n);
            }
            Mangle::Flip(n, b) => {
                if !bytes.is_empty() {
                    let n = n % bytes.len();
                    bytes[n] ^= b | 1;
                }
            }
            Mangle::Splice(n, fragment) => {
                let n = at(*n, bytes.len());
                let fragment = FRAGMENTS[fragment % FRAGMENTS.len()].as_bytes();
                bytes.splice(n..n, fragment.iter().copied());
            }
        }
    }
    bytes
}

fn mangle_strategy() -> impl Strategy<Value = Mangle> {
    prop_oneof![
        1 => any::<usize>().prop_map(Mangle::Truncate),
        3 => (any::<usize>(), any::<u8>()).prop_map(|(n, b)| Mangle::Flip(n, b)),
        4 => (any::<usize>(), any::<usize>()).prop_map(|(n, f)| Mangle::Splice(n, f)),
    ]
}

fn overlay_strategy() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(proptest::collection::vec((0..TARGETS.len(), 0..UPDATES.len(), any::<bool>()), 1..4).prop_map(|actions| {
        let actions: Vec<String> = actions
            .into_iter()
            .map(|(t, u, remove)| {
                if remove {
                    format!("{{\"target\": {:?}, \"remove\": true}}", TARGETS[t])
                } else {
                    format!("{{\"target\": {:?}, \"update\": {}}}", TARGETS[t], UPDATES[u])
                }
            })
            .collect();
        format!("{{\"overlay\": \"1.0.0\", \"info\": {{\"title\": \"f\", \"version\": \"1\"}}, \"actions\": [{}]}}", actions.join(", "))
    }))
}

fn write_case(
    root: &Path,
    vendor: &str,
    file: &str,
    spec: &[u8],
    mangle_profile: Option<&[Mangle]>,
    overlay: &Option<String>,
) -> PathBuf {
    let dir = root.join(vendor);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("overlays")).unwrap();
    std::fs::write(dir.join(file), spec).unwrap();
    let profile = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../specs")
            .join(vendor)
            .join("vendor.yaml"),
    )
    .unwrap();
    let profile = match mangle_profile {
        Some(mangles) => mangle(&profile, mangles),
        None => profile.into_bytes(),
    };
    std::fs::write(dir.join("vendor.yaml"), profile).unwrap();
    if let Some(overlay) = overlay {
        std::fs::write(dir.join("overlays/01.json"), overlay).unwrap();
    }
    dir
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(256),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn mangled_specs_never_panic(
        vendor in 0..5usize,
        spec_mangles in proptest::collection::vec(mangle_strategy(), 0..6),
        profile_mangles in proptest::option::weighted(0.3, proptest::collection::vec(mangle_strategy(), 1..3)),
        overlay in overlay_strategy(),
    ) {
        let vendors = vendors();
        let (name, file, text) = &vendors[vendor];
        let root = tempfile::tempdir().unwrap();
        let dir = write_case(root.path(), name, file, &mangle(text, &spec_mangles), profile_mangles.as_deref(), &overlay);
        // A panic fails the property; an error must say where.
        if let Err(diagnostics) = load_vendor(&dir) {
            let rendered = diagnostics.render();
            prop_assert!(!rendered.is_empty());
            prop_assert!(diagnostics.0.iter().all(|d| d.file.starts_with(&dir)), "{rendered}");
        }
    }
}
