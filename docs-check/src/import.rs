//! `payspec docs import`: the OpenAPI blocks of a vendor's pages assembled into one document
//! (paths and components merged; the same thing defined differently on two pages is a finding
//! naming both), written as the vendor's spec text. The same pages give the same bytes.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::DocsError;
use crate::extract::extract;
use crate::finding::{Finding, Kind};
use crate::page::Page;

/// The assembled document.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The document.
    pub document: Value,
    /// Definitions two pages disagree on (the first page's is kept).
    pub conflicts: Vec<Finding>,
    /// How many blocks were read.
    pub blocks: usize,
    /// Blocks cut off before their closing fence (page, line): not imported.
    pub cut_off: Vec<(String, usize)>,
}

const COMPONENT_SECTIONS: [&str; 6] = [
    "schemas",
    "parameters",
    "responses",
    "requestBodies",
    "securitySchemes",
    "headers",
];

/// Assembles the OpenAPI blocks of `pages` (in the order of their names).
pub fn assemble(pages: &[Page]) -> Imported {
    let mut pages: Vec<&Page> = pages.iter().collect();
    pages.sort_by(|a, b| a.name().cmp(b.name()));
    let mut assembly = Assembly::default();
    let mut cut_off = Vec::new();
    for page in pages {
        let facts = extract(page);
        cut_off.extend(
            facts
                .cut_off
                .iter()
                .map(|line| (page.name().to_owned(), *line)),
        );
        for block in facts.blocks {
            assembly.add(page.name(), block.line, &block.value);
        }
    }
    let mut document = Map::new();
    document.insert(
        "openapi".into(),
        assembly
            .version
            .unwrap_or_else(|| Value::String("3.0.3".into())),
    );
    for (key, value) in [
        ("info", assembly.info),
        ("servers", assembly.servers),
        ("security", assembly.security),
    ] {
        if let Some(value) = value {
            document.insert(key.into(), value);
        }
    }
    document.insert("paths".into(), Value::Object(assembly.paths));
    if !assembly.components.is_empty() {
        document.insert("components".into(), Value::Object(assembly.components));
    }
    Imported {
        document: Value::Object(document),
        conflicts: assembly.conflicts,
        blocks: assembly.blocks,
        cut_off,
    }
}

#[derive(Default)]
struct Assembly {
    version: Option<Value>,
    info: Option<Value>,
    servers: Option<Value>,
    security: Option<Value>,
    paths: Map<String, Value>,
    components: Map<String, Value>,
    /// Where each path item entry and component came from: (pointer, page).
    origins: Vec<(String, String)>,
    conflicts: Vec<Finding>,
    blocks: usize,
}

impl Assembly {
    fn add(&mut self, page: &str, line: usize, block: &Value) {
        self.blocks += 1;
        for (slot, key) in [
            (&mut self.version, "openapi"),
            (&mut self.info, "info"),
            (&mut self.servers, "servers"),
            (&mut self.security, "security"),
        ] {
            if slot.is_none() {
                *slot = block.get(key).cloned();
            }
        }
        for (path, item) in block
            .get("paths")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            for (key, value) in item.as_object().into_iter().flatten() {
                let pointer = format!("/paths/{}/{}", payspec_profile::pointer::escape(path), key);
                let entry = self
                    .paths
                    .entry(path.clone())
                    .or_insert_with(|| Value::Object(Map::new()));
                let Some(entry) = entry.as_object_mut() else {
                    continue;
                };
                merge(
                    entry,
                    key,
                    value,
                    &pointer,
                    page,
                    line,
                    &mut self.origins,
                    &mut self.conflicts,
                );
            }
        }
        for section in COMPONENT_SECTIONS {
            let names = block
                .pointer(&format!("/components/{section}"))
                .and_then(Value::as_object);
            for (name, value) in names.into_iter().flatten() {
                let pointer = format!(
                    "/components/{section}/{}",
                    payspec_profile::pointer::escape(name)
                );
                let entry = self
                    .components
                    .entry(section.to_owned())
                    .or_insert_with(|| Value::Object(Map::new()));
                let Some(entry) = entry.as_object_mut() else {
                    continue;
                };
                merge(
                    entry,
                    name,
                    value,
                    &pointer,
                    page,
                    line,
                    &mut self.origins,
                    &mut self.conflicts,
                );
            }
        }
    }
}

#[allow(
    clippy::too_many_arguments,
    reason = "one entry's place and the assembly's records"
)]
fn merge(
    into: &mut Map<String, Value>,
    key: &str,
    value: &Value,
    pointer: &str,
    page: &str,
    line: usize,
    origins: &mut Vec<(String, String)>,
    conflicts: &mut Vec<Finding>,
) {
    match into.get(key) {
        None => {
            into.insert(key.to_owned(), value.clone());
            origins.push((pointer.to_owned(), page.to_owned()));
        }
        Some(existing) if existing == value => {}
        Some(_) => {
            let first = origins
                .iter()
                .find(|(p, _)| p == pointer)
                .map(|(_, page)| page.clone())
                .unwrap_or_default();
            conflicts.push(Finding {
                kind: Kind::Conflict,
                page: page.to_owned(),
                page_line: line,
                file: PathBuf::from(&first),
                pointer: pointer.to_owned(),
                docs: page.to_owned(),
                spec: first.clone(),
                message: format!("defined differently here and on {first} (the first is kept)"),
                position: None,
            });
        }
    }
}

/// Writes the document as the vendor's spec: into the spec file the directory has (YAML or
/// JSON), else `openapi.yaml`. Returns the file.
pub fn write(dir: &Path, document: &Value) -> Result<PathBuf, DocsError> {
    let existing = ["openapi.yaml", "openapi.yml", "openapi.json"]
        .iter()
        .map(|n| dir.join(n))
        .find(|p| p.is_file());
    let path = existing.unwrap_or_else(|| dir.join("openapi.yaml"));
    let text = if path.extension().is_some_and(|e| e == "json") {
        serde_json::to_string_pretty(document)
            .map(|t| t + "\n")
            .map_err(|e| DocsError::Input(e.to_string()))?
    } else {
        let yaml =
            serde_saphyr::to_string(document).map_err(|e| DocsError::Input(e.to_string()))?;
        format!(
            "# Assembled by `payspec docs import` from the OpenAPI blocks of the vendor's pages.\n{yaml}"
        )
    };
    std::fs::write(&path, text)
        .map_err(|e| DocsError::Input(format!("{}: {e}", path.display())))?;
    Ok(path)
}
