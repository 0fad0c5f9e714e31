//! payspec-codegen: turns `specs/<vendor>/` (an OpenAPI 3.0 document and a `vendor.yaml`)
//! into a typed Rust client module.
//!
//! A straight pipeline, one module per step: [`discover`](crate::discover) the vendor
//! directories → read the files (`read`) → apply the overlays (`overlay`) → normalise the
//! document in small passes (`normalize`) → parse it into `openapiv3` types (`parse`) → run
//! progenitor (`progenitor`) → read its output once into a model of the generated API
//! (`model`, shared by the glue and [`api`]) → emit payspec's glue (`glue`) → format
//! (`generate`). Every failure is a [`Diagnostic`] naming the file and the JSON pointer, never
//! a panic: `build.rs` prints them and fails the build with the same messages a person sees
//! from `payspec check`.

use std::path::Path;

use openapiv3::OpenAPI;
use payspec_profile::Profile;

pub mod api;
mod boxing;
mod build;
mod builder;
mod constructed;
mod dedupe;
mod diagnostic;
mod discover;
mod external;
mod gate;
mod generate;
mod glue;
mod items;
mod locate;
mod model;
mod normalize;
mod open_enums;
mod overlay;
mod parse;
mod progenitor;
mod read;
mod relink;
mod resources;
mod send;
mod setters;
mod standalone;
pub mod synthetic;
mod typegraph;
mod untagged;
mod upgrade;

pub use build::{BuildOutput, build, build_resources};
pub use builder::{Builder, print_warnings};
pub use diagnostic::{Diagnostic, Diagnostics, Severity};
pub use discover::{PROFILE_NAME, VendorFiles, discover, vendor_files};
pub use generate::{Generated, generate, generate_formatted};
pub use locate::Locations;
pub use normalize::{OperationSummary, ParamSummary, snake_case};
pub use read::{read_document, read_profile};
pub use resources::{Resources, resource_name};
pub use standalone::{CrateFiles, crate_files};

/// One vendor, loaded, normalised and validated: ready for generation.
#[derive(Debug, Clone)]
pub struct Vendor {
    /// Where it came from.
    pub files: VendorFiles,
    /// The normalised OpenAPI document.
    pub spec: OpenAPI,
    /// The document as the vendor wrote it, overlays applied, as compact JSON text (embedded
    /// for the sandbox, which checks what goes on the wire).
    pub raw_spec: String,
    /// The vendor profile.
    pub profile: Profile,
    /// Its operations, in document order.
    pub operations: Vec<OperationSummary>,
    /// What was repaired or degraded to generate it (located warnings); generation may add
    /// more ([`Generated::warnings`]).
    pub warnings: Vec<Diagnostic>,
    /// Which of its resources are generated, and whether behind cargo features (by default
    /// all, ungated).
    pub resources: Resources,
}

/// Loads, normalises and validates one vendor directory.
pub fn load_vendor(dir: &Path) -> Result<Vendor, Diagnostics> {
    let files = vendor_files(dir)?;
    let vendor = load_files(files)?;
    if vendor.profile.vendor != vendor.files.name {
        let message = format!(
            "vendor {:?} must match its directory's name {:?}",
            vendor.profile.vendor, vendor.files.name
        );
        return Err(Diagnostic::new(&vendor.files.profile, "/vendor", message).into());
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
    let overlays = discover::overlay_files(&dir);
    load_files(VendorFiles {
        name,
        dir,
        spec: spec.to_path_buf(),
        profile: profile.to_path_buf(),
        overlays,
    })
}

/// read → overlay → normalise → parse. Problems are collected across the profile, the
/// overlays and the spec, so that a check reports them all at once.
fn load_files(files: VendorFiles) -> Result<Vendor, Diagnostics> {
    let (mut profile, mut problems) = read::read_profile_with_problems(&files.profile)?;
    let fail = |mut problems: Vec<Diagnostic>, more: Diagnostics| {
        problems.extend(more.0);
        Err(Diagnostics(problems))
    };
    let mut raw_spec = match read_document(&files.spec) {
        Ok(raw) => raw,
        Err(d) => return fail(problems, d.into()),
    };
    // References to sibling files are inlined (a multi-file spec reads as one document).
    if let Err(d) = external::inline(&files.spec, &mut raw_spec) {
        return fail(problems, d.into());
    }
    if let Err(d) = overlay::apply_overlays(&files.overlays, &mut raw_spec) {
        return fail(problems, d);
    }
    for note in upgrade::tolerate(&mut raw_spec) {
        tracing::debug!(spec = %files.spec.display(), "{note}");
    }
    // OpenAPI 3.1 is read as 3.0 (overlays apply to the vendor's text as written).
    if upgrade::is_31(&raw_spec) {
        for note in upgrade::to_30(&mut raw_spec) {
            tracing::debug!(spec = %files.spec.display(), "{note}");
        }
    }
    // Type errors are located in the text as written, before the passes move anything.
    if let Err(d) = parse::check_version(&files.spec, &raw_spec)
        .and_then(|()| parse::parse_spec(&files.spec, &raw_spec).map(drop))
    {
        return fail(problems, d.into());
    }
    let raw_json = match serde_json::to_string(&raw_spec) {
        Ok(json) => json,
        Err(e) => {
            return fail(
                problems,
                Diagnostic::new(&files.spec, "", format!("cannot serialise the spec: {e}")).into(),
            );
        }
    };
    let mut document = raw_spec;
    let normalize::Normalized {
        operations,
        warnings,
    } = match normalize::normalize(&files, &mut document, &mut profile) {
        Ok(normalized) => normalized,
        Err(d) => return fail(problems, d),
    };
    let spec = match parse::parse_spec(&files.spec, &document) {
        Ok(spec) => spec,
        Err(d) => return fail(problems, d.into()),
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
        raw_spec: raw_json,
        profile,
        operations,
        warnings,
        resources: Resources::All,
    })
}

/// The generated public API of a vendor (for snapshots and `payspec diff`).
pub fn api(vendor: &Vendor) -> Result<api::Api, Diagnostics> {
    generate::api(vendor)
}

/// What a check found: the vendors that generate, and the warnings (repairs and
/// degradations) on the way.
#[derive(Debug, Clone, Default)]
pub struct Checked {
    /// The vendors that generate.
    pub vendors: Vec<String>,
    /// What was repaired or degraded, located.
    pub warnings: Vec<Diagnostic>,
}

/// Checks every vendor under `specs_dir` as the build would (including generation), and
/// returns every problem found.
pub fn check(specs_dir: &Path) -> Result<Checked, Diagnostics> {
    let mut checked = Checked::default();
    let mut problems = Vec::new();
    for files in discover(specs_dir)? {
        match load_vendor(&files.dir).and_then(|vendor| generate(&vendor).map(|g| (vendor, g))) {
            Ok((vendor, generated)) => {
                checked.vendors.push(vendor.profile.vendor);
                checked.warnings.extend(generated.warnings);
            }
            Err(d) => problems.extend(d.0),
        }
    }
    if problems.is_empty() {
        Ok(checked)
    } else {
        Err(Diagnostics(problems))
    }
}
