//! `payspec check`, `payspec generate` and `payspec diff`: working on the specs themselves.

use std::path::{Path, PathBuf};

use payspec_codegen::api::{Change, diff};
use payspec_codegen::{Diagnostic, Diagnostics, Vendor, load_vendor, load_vendor_from};

use crate::Failure;

fn diagnostics(d: Diagnostics) -> Failure {
    Failure {
        code: 1,
        message: format!("the specs have problems:\n{}", d.render()),
    }
}

/// Prints the warnings on stderr; with `strict`, they are the problems that fail the command.
fn warnings(warnings: Vec<Diagnostic>, strict: bool) -> Result<(), Failure> {
    if warnings.is_empty() {
        return Ok(());
    }
    if strict {
        let errors = warnings.into_iter().map(Diagnostic::into_error).collect();
        return Err(diagnostics(Diagnostics(errors)));
    }
    eprintln!("{}", Diagnostics(warnings).render());
    Ok(())
}

/// Validates every spec, overlay and vendor.yaml under `dir`; all problems at once, then the
/// warnings (every repair and degradation).
pub fn check(dir: &Path, strict: bool) -> Result<(), Failure> {
    if !dir.is_dir() {
        return Err(Failure::usage(format!(
            "{} is not a directory of vendor specs",
            dir.display()
        )));
    }
    let checked = payspec_codegen::check(dir).map_err(diagnostics)?;
    let count = checked.warnings.len();
    warnings(checked.warnings, strict)?;
    let noted = match count {
        0 => String::new(),
        1 => ", 1 warning".to_owned(),
        n => format!(", {n} warnings"),
    };
    say!(
        "ok: {} ({}{noted})",
        checked.vendors.join(", "),
        dir.display()
    );
    Ok(())
}

/// Writes the generated sources (one file per vendor and `vendors.rs`) to `out`.
pub fn generate(specs: &Path, out: &Path, strict: bool) -> Result<(), Failure> {
    std::fs::create_dir_all(out)
        .map_err(|e| Failure::usage(format!("cannot create {}: {e}", out.display())))?;
    let output = payspec_codegen::build(specs, out, |_| true, true).map_err(diagnostics)?;
    warnings(output.warnings, strict)?;
    for vendor in &output.vendors {
        say!("{}", out.join(format!("{vendor}.rs")).display());
    }
    say!("{}", out.join("vendors.rs").display());
    Ok(())
}

/// Writes (or with `check`, compares) one standalone crate per vendor under `dir`.
pub fn generate_crates(
    specs: &Path,
    dir: &Path,
    check: bool,
    runtime_path: Option<&Path>,
    strict: bool,
) -> Result<(), Failure> {
    let runtime = match runtime_path {
        Some(path) => format!("{{ path = {:?} }}", path.display().to_string()),
        None => format!("\"{}\"", env!("CARGO_PKG_VERSION")),
    };
    let mut stale = Vec::new();
    for files in payspec_codegen::discover(specs).map_err(diagnostics)? {
        let vendor = load_vendor(&files.dir).map_err(diagnostics)?;
        let root = dir.join(&files.name);
        let (files, found) =
            payspec_codegen::crate_files(&vendor, &runtime).map_err(diagnostics)?;
        warnings(found, strict)?;
        for (path, text) in files {
            let target = root.join(path);
            let current = std::fs::read_to_string(&target).ok();
            if current.as_deref() == Some(text.as_str()) {
                continue;
            }
            if check {
                let why = if current.is_some() {
                    "stale"
                } else {
                    "missing"
                };
                stale.push(format!("{}: {why}", target.display()));
                continue;
            }
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(|e| {
                    Failure::usage(format!("cannot create {}: {e}", parent.display()))
                })?;
            }
            std::fs::write(&target, text)
                .map_err(|e| Failure::usage(format!("cannot write {}: {e}", target.display())))?;
            say!("{}", target.display());
        }
    }
    if stale.is_empty() {
        if check {
            say!("ok: the crates under {} are up to date", dir.display());
        }
        return Ok(());
    }
    Err(Failure {
        code: 1,
        message: format!(
            "the generated crates differ from the specs (run `payspec generate --crate {}`):\n{}",
            dir.display(),
            stale.join("\n")
        ),
    })
}

/// Loads the two sides of a diff: a vendor directory, or a spec file (whose vendor.yaml is
/// beside it, or else beside the other side).
fn load_side(path: &Path, other: &Path) -> Result<Vendor, Failure> {
    let bad =
        |d: Diagnostics| Failure::usage(format!("cannot read {}:\n{}", path.display(), d.render()));
    if path.is_dir() {
        return load_vendor(path).map_err(bad);
    }
    if !path.is_file() {
        return Err(Failure::usage(format!(
            "{} is neither a spec file nor a vendor directory",
            path.display()
        )));
    }
    let beside = |p: &Path| -> Option<PathBuf> {
        let dir = if p.is_dir() {
            p.to_path_buf()
        } else {
            p.parent()?.to_path_buf()
        };
        Some(dir.join("vendor.yaml")).filter(|f| f.is_file())
    };
    if let Some(profile) = beside(path).or_else(|| beside(other)) {
        return load_vendor_from(path, &profile).map_err(bad);
    }
    // Two lone spec files: a vendor.yaml that asks nothing of them (the diff is of the API's
    // shape; auth is not compared).
    let scratch = tempfile::tempdir()
        .map_err(|e| Failure::usage(format!("cannot create a scratch directory: {e}")))?;
    let profile = scratch.path().join("vendor.yaml");
    std::fs::write(&profile, NEUTRAL_PROFILE)
        .map_err(|e| Failure::usage(format!("cannot write {}: {e}", profile.display())))?;
    load_vendor_from(path, &profile).map_err(bad)
}

/// The vendor.yaml of a diff between two spec files that have none.
const NEUTRAL_PROFILE: &str = "vendor: spec\ntitle: spec\nservers: {default: 'https://example.invalid'}\ndefault_server: default\ncredentials: {}\nauth:\n  default: none\n  schemes:\n    none: {}\n";

/// Prints what changed in the generated API; exit 0 when nothing breaks, 3 when something does.
pub fn diff_specs(old: &Path, new: &Path) -> Result<(), Failure> {
    let before = load_side(old, new)?;
    let after = load_side(new, old)?;
    let api =
        |vendor: &Vendor| payspec_codegen::api(vendor).map_err(|d| Failure::usage(d.render()));
    let changes: Vec<Change> = diff(&api(&before)?, &api(&after)?);
    if changes.is_empty() {
        say!("no change to the generated API");
        return Ok(());
    }
    for change in &changes {
        say!(
            "{} {}",
            if change.breaking {
                "BREAKING  "
            } else {
                "compatible"
            },
            change.description
        );
    }
    let breaking = changes.iter().filter(|c| c.breaking).count();
    say!("{} changes, {breaking} breaking", changes.len());
    if breaking > 0 {
        Err(Failure {
            code: 3,
            message: format!("{breaking} breaking changes"),
        })
    } else {
        Ok(())
    }
}

/// Prints the vendor's document after its overlays, as JSON on stdout.
pub fn print_spec(specs: &Path, vendor: &str) -> Result<(), Failure> {
    let dir = specs.join(vendor);
    if !dir.join("vendor.yaml").is_file() {
        return Err(Failure::usage(format!(
            "no vendor {vendor:?} in {} (no {})",
            specs.display(),
            dir.join("vendor.yaml").display()
        )));
    }
    let loaded = load_vendor(&dir).map_err(diagnostics)?;
    say!("{}", loaded.raw_spec);
    Ok(())
}
