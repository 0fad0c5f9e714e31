//! Reading files: YAML or JSON into a JSON value (with budgets against hostile input), typed
//! values with located errors, and `vendor.yaml`.

use std::path::Path;

use payspec_profile::Profile;
use serde::de::DeserializeOwned;

use crate::diagnostic::{Diagnostic, Diagnostics, token};

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
pub fn typed<T: DeserializeOwned>(path: &Path, value: &serde_json::Value) -> Result<T, Diagnostic> {
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
    let profile: Profile = typed(path, &read_document(path)?)?;
    let problems = profile
        .problems()
        .into_iter()
        .map(|p| Diagnostic::new(path, p.pointer, p.message))
        .collect();
    Ok((profile, problems))
}
