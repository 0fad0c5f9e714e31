//! `Builder`: the build-script API for a crate that keeps its own vendors' specs.
//!
//! ```no_run
//! // build.rs of a crate with specs/<vendor>/openapi.yaml + vendor.yaml, in `fn main`:
//! payspec_codegen::Builder::new("specs").generate_or_exit();
//! ```
//!
//! and in `src/lib.rs`: `payspec_runtime::include_vendors!();`. The crate depends on
//! `payspec-runtime` alone: the generated code reaches serde, reqwest and the rest through it.

use std::path::{Path, PathBuf};

use crate::{BuildOutput, Diagnostics, build_resources};

/// Generates typed clients for the vendors under a specs directory into cargo's `OUT_DIR`.
#[derive(Debug, Clone)]
pub struct Builder {
    specs: PathBuf,
    out_dir: Option<PathBuf>,
    vendors: Option<Vec<String>>,
    resources: std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
    formatted: bool,
    strict: bool,
}

impl Builder {
    /// Reads the vendors under `specs` (relative to the crate's manifest directory when cargo
    /// runs the build script, else to the working directory).
    pub fn new(specs: impl Into<PathBuf>) -> Self {
        Self {
            specs: specs.into(),
            out_dir: None,
            vendors: None,
            resources: Default::default(),
            formatted: false,
            strict: false,
        }
    }

    /// Writes somewhere other than `OUT_DIR`.
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.out_dir = Some(dir.into());
        self
    }

    /// Generates only these vendors (all are still checked).
    pub fn vendors<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.vendors = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// Generates only these resources of `vendor` (the features of its `generate --crate`
    /// crate: its tags, else its paths' first segments) and the types they reach; a field
    /// holding another resource's object is any JSON. A name the vendor lacks is an error that
    /// lists the ones it has. A build script that maps its own cargo features onto resources
    /// reads them from `CARGO_FEATURE_<NAME>`.
    pub fn resources<I, S>(mut self, vendor: &str, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.resources.insert(
            vendor.to_owned(),
            names.into_iter().map(Into::into).collect(),
        );
        self
    }

    /// Writes the modules formatted for reading (slower), instead of as generated.
    pub fn formatted(mut self, formatted: bool) -> Self {
        self.formatted = formatted;
        self
    }

    /// Makes every warning (a schema typed as any JSON, an operation left out, a slip of the
    /// vendor's repaired) an error: for a crate that must have the whole API or nothing.
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// Generates `<vendor>.rs` per vendor and `vendors.rs`, and tells cargo which files to
    /// watch. Every problem comes back at once, each as `file:line:col: #/pointer: message`
    /// when rendered with [`Diagnostics::render`].
    pub fn generate(self) -> Result<BuildOutput, Diagnostics> {
        let specs = self.specs_dir();
        let out = match self
            .out_dir
            .clone()
            .or_else(|| std::env::var_os("OUT_DIR").map(PathBuf::from))
        {
            Some(out) => out,
            None => {
                return Err(Diagnostics::one(crate::Diagnostic::new(
                    &specs,
                    "",
                    "OUT_DIR is not set: run from a build script, or give Builder::out_dir",
                )));
            }
        };
        let only = self.vendors.clone();
        let selected = |name: &str| {
            only.as_ref()
                .is_none_or(|only| only.iter().any(|o| o == name))
        };
        let chosen = |vendor: &str| match self.resources.get(vendor) {
            Some(names) => crate::Resources::Only(names.clone()),
            None => crate::Resources::All,
        };
        let result =
            build_resources(&specs, &out, selected, self.formatted, chosen).and_then(|output| {
                if self.strict && !output.warnings.is_empty() {
                    let errors = output
                        .warnings
                        .into_iter()
                        .map(crate::Diagnostic::into_error);
                    return Err(Diagnostics(errors.collect()));
                }
                Ok(output)
            });
        match &result {
            Ok(output) => {
                for file in &output.watch {
                    println!("cargo:rerun-if-changed={}", file.display());
                }
            }
            Err(diagnostics) => {
                println!("cargo:rerun-if-changed={}", specs.display());
                for diagnostic in &diagnostics.0 {
                    println!("cargo:rerun-if-changed={}", diagnostic.file.display());
                }
            }
        }
        result
    }

    /// [`Builder::generate`], printing each problem as `error: file:line:col: …` and exiting
    /// with status 1 on failure, and each warning as a cargo warning: what a build script wants.
    pub fn generate_or_exit(self) -> BuildOutput {
        match self.generate() {
            Ok(output) => {
                print_warnings(&output.warnings);
                output
            }
            Err(diagnostics) => {
                for line in diagnostics.render().lines() {
                    eprintln!("error: {line}");
                }
                std::process::exit(1);
            }
        }
    }

    fn specs_dir(&self) -> PathBuf {
        if self.specs.is_absolute() {
            return self.specs.clone();
        }
        std::env::var_os("CARGO_MANIFEST_DIR")
            .map(|dir| Path::new(&dir).join(&self.specs))
            .unwrap_or_else(|| self.specs.clone())
    }
}

/// Each warning as `cargo:warning=` (cargo shows them for the crate being built) and on stderr
/// (kept in the build script's output).
pub fn print_warnings(warnings: &[crate::Diagnostic]) {
    if warnings.is_empty() {
        return;
    }
    for line in Diagnostics(warnings.to_vec()).render().lines() {
        println!(
            "cargo:warning={}",
            line.strip_prefix("warning: ").unwrap_or(line)
        );
        eprintln!("{line}");
    }
}
