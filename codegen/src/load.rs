//! Reading a vendor directory: the OpenAPI document (YAML or JSON) and `vendor.yaml`.

use std::path::{Path, PathBuf};

use openapiv3::OpenAPI;
use payspec_profile::Profile;
use serde::de::DeserializeOwned;

use crate::diagnostic::{Diagnostic, Diagnostics, token};

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
    let overlays = crate::overlay::overlay_files(dir);
    Ok(VendorFiles {
        name,
        dir: dir.to_path_buf(),
        spec,
        profile,
        overlays,
    })
}

/// Reads a YAML or JSON file into a JSON value, by its extension.
pub fn read_document(path: &Path) -> Result<serde_json::Value, Diagnostic> {
    let bytes =
        std::fs::read(path).map_err(|e| Diagnostic::new(path, "", format!("cannot read: {e}")))?;
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        let before = &bytes[..e.valid_up_to()];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
        Diagnostic::new(
            path,
            "",
            format!("not UTF-8 text (invalid byte at line {line} column {column})"),
        )
    })?;
    let is_json = path.extension().is_some_and(|e| e == "json");
    if is_json {
        serde_json::from_str(text).map_err(|e| {
            Diagnostic::new(
                path,
                "",
                format!(
                    "invalid JSON at line {} column {}: {e}",
                    e.line(),
                    e.column()
                ),
            )
        })
    } else {
        // Specs barely use aliases; a document that replays many is a bomb, refused early. Real
        // specs can be large, though (5,000 operations is about 500,000 nodes): the node and
        // event budgets are raised above the library's defaults, which suit config files.
        let mut options = serde_saphyr::Options::default();
        options.alias_limits.max_total_replayed_events = 20_000;
        let mut budget = serde_saphyr::Budget::default();
        budget.max_nodes = 5_000_000;
        budget.max_events = 10_000_000;
        options.budget = Some(budget);
        serde_saphyr::from_str_with_options(text, options)
            .map_err(|e| Diagnostic::new(path, "", format!("invalid YAML: {e}")))
    }
}

/// Deserialises a JSON value into `T`, locating a failure by JSON pointer.
pub fn typed<T: DeserializeOwned>(path: &Path, value: serde_json::Value) -> Result<T, Diagnostic> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let pointer = pointer_of(e.path());
        Diagnostic::new(path, pointer, e.into_inner().to_string())
    })
}

fn pointer_of(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => pointer.push_str(&format!("/{index}")),
            Segment::Map { key } => pointer.push_str(&format!("/{}", token(key))),
            Segment::Enum { variant } => pointer.push_str(&format!("/{}", token(variant))),
            Segment::Unknown => pointer.push_str("/?"),
        }
    }
    pointer
}

/// Reads an OpenAPI 3.0 document.
pub fn read_spec(path: &Path) -> Result<OpenAPI, Diagnostic> {
    read_document(path).and_then(|value| parse_spec(path, value))
}

/// Parses an OpenAPI 3.0 document already read into JSON.
pub fn parse_spec(path: &Path, value: serde_json::Value) -> Result<OpenAPI, Diagnostic> {
    if let Some(version) = value.get("swagger").and_then(|v| v.as_str()) {
        return Err(Diagnostic::new(
            path,
            "/swagger",
            format!(
                "Swagger {version} (OpenAPI 2) is not supported: convert it to OpenAPI 3.0 first"
            ),
        ));
    }
    match value.get("openapi").and_then(|v| v.as_str()) {
        Some(version) if version.starts_with("3.0.") || version == "3.0" => {}
        Some(version) => {
            return Err(Diagnostic::new(
                path,
                "/openapi",
                format!("OpenAPI {version} is not supported: payspec reads OpenAPI 3.0.x"),
            ));
        }
        None => {
            return Err(Diagnostic::new(
                path,
                "/openapi",
                "missing the `openapi: 3.0.x` version field",
            ));
        }
    }
    match typed::<OpenAPI>(path, value.clone()) {
        Ok(spec) => Ok(spec),
        Err(diagnostic) => Err(locate(path, &value).unwrap_or(diagnostic)),
    }
}

/// openapiv3 flattens its maps (paths, responses, schemas) with `#[serde(flatten)]`, which
/// hides where a type error is. Re-checking those levels one by one finds the deepest one.
fn locate(path: &Path, spec: &serde_json::Value) -> Option<Diagnostic> {
    use openapiv3::{Operation, PathItem, ReferenceOr, Response, Schema};
    const METHODS: [&str; 8] = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    let within = |base: String, d: Diagnostic| {
        Diagnostic::new(path, format!("{base}{}", d.pointer), d.message)
    };
    for (name, item) in spec
        .get("paths")
        .and_then(|p| p.as_object())
        .into_iter()
        .flatten()
    {
        let base = format!("/paths/{}", token(name));
        for method in METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let op_base = format!("{base}/{method}");
            for (status, response) in operation
                .get("responses")
                .and_then(|r| r.as_object())
                .into_iter()
                .flatten()
            {
                if let Err(d) = typed::<ReferenceOr<Response>>(path, response.clone()) {
                    return Some(within(format!("{op_base}/responses/{}", token(status)), d));
                }
            }
            if let Err(d) = typed::<Operation>(path, operation.clone()) {
                return Some(within(op_base, d));
            }
        }
        if let Err(d) = typed::<ReferenceOr<PathItem>>(path, item.clone()) {
            return Some(within(base, d));
        }
    }
    let schemas = spec
        .pointer("/components/schemas")
        .and_then(|s| s.as_object());
    for (name, schema) in schemas.into_iter().flatten() {
        if let Err(d) = typed::<ReferenceOr<Schema>>(path, schema.clone()) {
            return Some(within(format!("/components/schemas/{}", token(name)), d));
        }
    }
    None
}

/// Reads and checks a `vendor.yaml`.
pub fn read_profile(path: &Path) -> Result<Profile, Diagnostics> {
    let (profile, problems) = read_profile_with_problems(path)?;
    if problems.is_empty() {
        Ok(profile)
    } else {
        Err(Diagnostics(problems))
    }
}

/// Reads a `vendor.yaml`; a file that does not parse is an error, while inconsistencies are
/// returned beside the profile so that the spec can still be checked with it.
pub fn read_profile_with_problems(path: &Path) -> Result<(Profile, Vec<Diagnostic>), Diagnostics> {
    let profile: Profile = typed(path, read_document(path)?)?;
    let problems = profile
        .problems()
        .into_iter()
        .map(|p| Diagnostic::new(path, p.pointer, p.message))
        .collect();
    Ok((profile, problems))
}
