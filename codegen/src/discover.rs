//! Finding vendors: the directories under a specs directory, and the files of each (the
//! OpenAPI document, `vendor.yaml`, overlays in name order).

use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Diagnostics};

/// The spec file names looked for in a vendor directory, in order.
const SPEC_NAMES: [&str; 3] = ["openapi.yaml", "openapi.yml", "openapi.json"];
/// The profile's file name.
pub const PROFILE_NAME: &str = "vendor.yaml";

/// The files of one vendor directory.
#[derive(Debug, Clone)]
pub struct VendorFiles {
    /// The vendor directory's name (the vendor's name).
    pub name: String,
    /// The directory.
    pub dir: PathBuf,
    /// The OpenAPI document.
    pub spec: PathBuf,
    /// The vendor profile.
    pub profile: PathBuf,
    /// Overlay files, in the order they apply.
    pub overlays: Vec<PathBuf>,
}

/// Lists the vendor directories under `specs_dir`, sorted by name.
pub fn discover(specs_dir: &Path) -> Result<Vec<VendorFiles>, Diagnostics> {
    let entries = std::fs::read_dir(specs_dir).map_err(|e| {
        Diagnostic::new(
            specs_dir,
            "",
            format!("cannot list the specs directory: {e}"),
        )
    })?;
    let mut dirs = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| {
            Diagnostic::new(
                specs_dir,
                "",
                format!("cannot list the specs directory: {e}"),
            )
        })?;
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            dirs.push(entry.path());
        }
    }
    dirs.sort();
    let mut vendors = Vec::new();
    let mut problems = Vec::new();
    for dir in dirs {
        match vendor_files(&dir) {
            Ok(files) => vendors.push(files),
            Err(d) => problems.extend(d.0),
        }
    }
    if problems.is_empty() {
        Ok(vendors)
    } else {
        Err(Diagnostics(problems))
    }
}

/// Finds the spec and profile files of one vendor directory.
pub fn vendor_files(dir: &Path) -> Result<VendorFiles, Diagnostics> {
    let name = dir
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| Diagnostic::new(dir, "", "the vendor directory's name is not UTF-8"))?
        .to_owned();
    let specs: Vec<PathBuf> = SPEC_NAMES
        .iter()
        .map(|n| dir.join(n))
        .filter(|p| p.is_file())
        .collect();
    let spec = match specs.as_slice() {
        [one] => one.clone(),
        [] => {
            return Err(Diagnostic::new(
                dir,
                "",
                format!(
                    "no OpenAPI document (expected one of {})",
                    SPEC_NAMES.join(", ")
                ),
            )
            .into());
        }
        _ => {
            return Err(Diagnostic::new(
                dir,
                "",
                "more than one OpenAPI document: keep exactly one",
            )
            .into());
        }
    };
    let profile = dir.join(PROFILE_NAME);
    if !profile.is_file() {
        return Err(Diagnostic::new(
            &profile,
            "",
            "missing: every vendor directory needs a vendor.yaml",
        )
        .into());
    }
    let overlays = overlay_files(dir);
    Ok(VendorFiles {
        name,
        dir: dir.to_path_buf(),
        spec,
        profile,
        overlays,
    })
}

/// The overlay files of a vendor directory, in the order they apply.
pub fn overlay_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir.join("overlays")) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            path.extension()
                .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        })
        .collect();
    files.sort();
    files
}
