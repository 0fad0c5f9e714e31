//! payspec-codegen: turns `specs/<vendor>/` (an OpenAPI 3.0 document and a `vendor.yaml`)
//! into a typed Rust client module.
//!
//! The pipeline is load → normalise → validate → progenitor → prettyplease. Every failure
//! is a [`Diagnostic`] naming the file and the JSON pointer, never a panic: `build.rs` prints
//! them and fails the build with the same messages a person would see from the CLI.

use std::path::{Path, PathBuf};

use openapiv3::OpenAPI;
use payspec_profile::Profile;

pub mod api;
mod diagnostic;
mod generate;
mod load;
mod locate;
mod normalize;
mod open_enums;
mod overlay;
mod send;
pub mod synthetic;

pub use diagnostic::{Diagnostic, Diagnostics};
pub use generate::generate;
pub use load::{
    PROFILE_NAME, VendorFiles, discover, read_document, read_profile, read_spec, vendor_files,
};
pub use locate::Locations;
pub use normalize::{OperationSummary, ParamSummary, snake_case};
pub use overlay::apply_overlays;

/// One vendor, loaded, normalised and validated: ready for generation.
#[derive(Debug, Clone)]
pub struct Vendor {
    /// Where it came from.
    pub files: VendorFiles,
    /// The normalised OpenAPI document.
    pub spec: OpenAPI,
    /// The document as the vendor wrote it (for the sandbox, which checks what goes on the wire).
    pub raw_spec: serde_json::Value,
    /// The vendor profile.
    pub profile: Profile,
    /// Its operations, in document order.
    pub operations: Vec<OperationSummary>,
}

/// Loads, normalises and validates one vendor directory.
pub fn load_vendor(dir: &Path) -> Result<Vendor, Diagnostics> {
    let files = vendor_files(dir)?;
    let vendor = load_files(files)?;
    if vendor.profile.vendor != vendor.files.name {
        return Err(Diagnostic::new(
            &vendor.files.profile,
            "/vendor",
            format!(
                "vendor {:?} must match its directory's name {:?}",
                vendor.profile.vendor, vendor.files.name
            ),
        )
        .into());
    }
    Ok(vendor)
}

/// Loads a vendor from a spec file and a profile file anywhere (e.g. an older copy of a
/// spec, for `payspec diff`); overlays are taken from the spec's directory.
pub fn load_vendor_from(spec: &Path, profile: &Path) -> Result<Vendor, Diagnostics> {
    let dir = spec.parent().unwrap_or(Path::new(".")).to_path_buf();
    let name = dir
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_owned();
    let overlays = overlay::overlay_files(&dir);
    load_files(VendorFiles {
        name,
        dir,
        spec: spec.to_path_buf(),
        profile: profile.to_path_buf(),
        overlays,
    })
}

fn load_files(files: VendorFiles) -> Result<Vendor, Diagnostics> {
    // Problems are collected across the profile, the overlays and the spec, so that a check
    // reports them all at once.
    let (profile, mut problems) = load::read_profile_with_problems(&files.profile)?;
    let fail = |mut problems: Vec<Diagnostic>, more: Diagnostics| {
        problems.extend(more.0);
        Err(Diagnostics(problems))
    };
    let mut raw_spec = match read_document(&files.spec) {
        Ok(raw) => raw,
        Err(d) => return fail(problems, d.into()),
    };
    if let Err(d) = apply_overlays(&files.dir, &mut raw_spec) {
        return fail(problems, d);
    }
    let mut spec = match load::parse_spec(&files.spec, raw_spec.clone()) {
        Ok(spec) => spec,
        Err(d) => return fail(problems, d.into()),
    };
    let operations = match normalize::normalize(&files, &mut spec, &profile) {
        Ok(operations) => operations,
        Err(d) => return fail(problems, d),
    };
    if operations.is_empty() {
        problems.push(Diagnostic::new(
            &files.spec,
            "/paths",
            "the spec has no operations",
        ));
    }
    if !problems.is_empty() {
        return Err(Diagnostics(problems));
    }
    Ok(Vendor {
        files,
        spec,
        raw_spec,
        profile,
        operations,
    })
}

/// The generated public API of a vendor (for snapshots and `payspec diff`).
pub fn api(vendor: &Vendor) -> Result<api::Api, Diagnostics> {
    let source = generate(vendor)?;
    Ok(api::Api::of(vendor, &source))
}

/// Checks every vendor under `specs_dir` as the build would (including generation), and
/// returns every problem found.
pub fn check(specs_dir: &Path) -> Result<Vec<String>, Diagnostics> {
    let mut checked = Vec::new();
    let mut problems = Vec::new();
    for files in discover(specs_dir)? {
        match load_vendor(&files.dir).and_then(|vendor| generate(&vendor).map(|_| vendor)) {
            Ok(vendor) => checked.push(vendor.profile.vendor),
            Err(d) => problems.extend(d.0),
        }
    }
    if problems.is_empty() {
        Ok(checked)
    } else {
        Err(Diagnostics(problems))
    }
}

/// What a build over a specs directory produced.
#[derive(Debug, Clone, Default)]
pub struct BuildOutput {
    /// Every file read, for `cargo:rerun-if-changed`.
    pub files_read: Vec<PathBuf>,
    /// The vendors in the build, in order.
    pub vendors: Vec<String>,
    /// Those whose module was generated anew (the others' inputs had not changed).
    pub regenerated: Vec<String>,
}

/// A fingerprint of a vendor's inputs and of the generator itself: when it matches the one
/// stored beside the generated module, generation (the costly part) is skipped.
fn fingerprint(files: &VendorFiles) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    let generator = std::env::current_exe()
        .ok()
        .and_then(|exe| std::fs::metadata(exe).ok());
    format!("{:?}", generator.map(|m| (m.len(), m.modified().ok()))).hash(&mut hasher);
    for path in [&files.spec, &files.profile]
        .into_iter()
        .chain(&files.overlays)
    {
        path.hash(&mut hasher);
        std::fs::read(path).unwrap_or_default().hash(&mut hasher);
    }
    format!("{:016x}", hasher.finish())
}

/// Generates `<out_dir>/<vendor>.rs` for every selected vendor under `specs_dir`, and
/// `<out_dir>/vendors.rs`, which declares one module per vendor and the vendor registry.
///
/// All vendors are checked, selected or not, so a broken spec never hides behind a feature.
pub fn build(
    specs_dir: &Path,
    out_dir: &Path,
    selected: impl Fn(&str) -> bool,
) -> Result<BuildOutput, Diagnostics> {
    let mut output = BuildOutput {
        files_read: vec![specs_dir.to_path_buf()],
        ..Default::default()
    };
    let mut problems = Vec::new();
    let mut index =
        String::from("// Generated by payspec-codegen: one module per vendor in specs/.\n");
    for files in discover(specs_dir)? {
        output.files_read.extend([
            files.dir.clone(),
            files.spec.clone(),
            files.profile.clone(),
            files.dir.join("overlays"),
        ]);
        output.files_read.extend(files.overlays.iter().cloned());
        if !selected(&files.name) {
            if let Err(d) = load_vendor(&files.dir) {
                problems.extend(d.0);
            }
            continue;
        }
        let vendor = match load_vendor(&files.dir) {
            Ok(vendor) => vendor,
            Err(d) => {
                problems.extend(d.0);
                continue;
            }
        };
        let target = out_dir.join(format!("{}.rs", files.name));
        let stamp = out_dir.join(format!("{}.fingerprint", files.name));
        let fingerprint = fingerprint(&files);
        let fresh =
            target.is_file() && std::fs::read_to_string(&stamp).is_ok_and(|s| s == fingerprint);
        if !fresh {
            match generate(&vendor) {
                Ok(source) => {
                    if let Err(e) = std::fs::write(&target, source)
                        .and_then(|()| std::fs::write(&stamp, &fingerprint))
                    {
                        problems.push(Diagnostic::new(&target, "", format!("cannot write: {e}")));
                    }
                    output.regenerated.push(files.name.clone());
                }
                Err(d) => {
                    problems.extend(d.0);
                    continue;
                }
            }
        }
        index.push_str(&module_declaration(&vendor));
        output.vendors.push(files.name.clone());
    }
    let registry: Vec<String> = output
        .vendors
        .iter()
        .map(|v| format!("&{v}::VENDOR"))
        .collect();
    index.push_str(&format!(
        "\n/// Every vendor compiled into this crate (see the cargo features).\npub static VENDORS: &[&payspec_runtime::VendorEntry] = &[{}];\n",
        registry.join(", ")
    ));
    let index_path = out_dir.join("vendors.rs");
    if let Err(e) = std::fs::write(&index_path, index) {
        problems.push(Diagnostic::new(
            &index_path,
            "",
            format!("cannot write: {e}"),
        ));
    }
    if problems.is_empty() {
        Ok(output)
    } else {
        Err(Diagnostics(problems))
    }
}

fn module_declaration(vendor: &Vendor) -> String {
    let name = &vendor.profile.vendor;
    let mut doc = format!(
        "/// {}: the typed client generated from `specs/{name}/`.\n///\n",
        vendor.profile.title
    );
    doc.push_str("/// Operations:\n");
    for operation in &vendor.operations {
        doc.push_str(&format!(
            "/// - `{}`: `{} {}`\n",
            operation.id, operation.method, operation.path
        ));
    }
    format!(
        "\n{doc}#[allow(clippy::all, clippy::unwrap_used, clippy::expect_used, missing_docs, unused_imports)]\npub mod {name} {{\n    include!(concat!(env!(\"OUT_DIR\"), \"/{name}.rs\"));\n}}\n"
    )
}
