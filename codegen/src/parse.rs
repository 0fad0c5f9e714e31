//! The last step before progenitor: the normalised document parsed into `openapiv3` types,
//! with a failure located at the deepest level that fails (openapiv3 flattens its maps, which
//! hides where a type error is).

use std::path::Path;

use openapiv3::OpenAPI;

use crate::diagnostic::{Diagnostic, token};
use crate::read::typed;

/// The document must be OpenAPI 3.0.x (Swagger 2 and OpenAPI 3.1 are refused, located).
pub fn check_version(path: &Path, value: &serde_json::Value) -> Result<(), Diagnostic> {
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
        Some(version) if version.starts_with("3.0.") || version == "3.0" => Ok(()),
        Some(version) => Err(Diagnostic::new(
            path,
            "/openapi",
            format!("OpenAPI {version} is not supported: payspec reads OpenAPI 3.0.x and 3.1.x"),
        )),
        None => Err(Diagnostic::new(
            path,
            "/openapi",
            "missing the `openapi: 3.0.x` version field",
        )),
    }
}

/// Parses a (normalised) OpenAPI 3.0 document already read into JSON.
pub fn parse_spec(path: &Path, value: &serde_json::Value) -> Result<OpenAPI, Diagnostic> {
    match typed::<OpenAPI>(path, value) {
        Ok(spec) => Ok(spec),
        Err(diagnostic) => Err(locate(path, value).unwrap_or(diagnostic)),
    }
}

/// openapiv3 flattens its maps (paths, responses, schemas) with `#[serde(flatten)]`, which
/// hides where a type error is. Re-checking those levels one by one finds the deepest one.
fn locate(path: &Path, spec: &serde_json::Value) -> Option<Diagnostic> {
    use openapiv3::{Operation, PathItem, ReferenceOr, Response, Schema};
    use payspec_profile::openapi::METHODS;
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
                if let Err(d) = typed::<ReferenceOr<Response>>(path, response) {
                    return Some(within(format!("{op_base}/responses/{}", token(status)), d));
                }
            }
            if let Err(d) = typed::<Operation>(path, operation) {
                return Some(within(op_base, d));
            }
        }
        if let Err(d) = typed::<ReferenceOr<PathItem>>(path, item) {
            return Some(within(base, d));
        }
    }
    let schemas = spec
        .pointer("/components/schemas")
        .and_then(|s| s.as_object());
    for (name, schema) in schemas.into_iter().flatten() {
        if let Err(d) = typed::<ReferenceOr<Schema>>(path, schema) {
            return Some(within(format!("/components/schemas/{}", token(name)), d));
        }
    }
    None
}
