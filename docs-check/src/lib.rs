//! payspec-docs: the vendor's own documentation pages as the test of its spec.
//!
//! [`check`] reads pages (files, directories, URLs, an `llms.txt` index), extracts what each
//! states about the API (`extract`: OpenAPI blocks, the operation documented, JSON examples,
//! field tables with types, required flags and "Available options") and checks it against the
//! vendor's spec after overlays and its vendor.yaml; findings a person has judged are
//! acknowledged in `specs/<vendor>/docs-ack.yaml` with a reason. [`import`] assembles the pages'
//! OpenAPI blocks into the vendor's spec text.

pub mod ack;
pub mod check;
pub mod extract;
pub mod fetch;
pub mod finding;
mod html;
pub mod import;
pub mod page;

use std::path::Path;

use payspec_codegen::Locations;

use ack::Ack;
use finding::Finding;
use page::Page;

/// Why pages could not be checked.
#[derive(Debug, thiserror::Error)]
pub enum DocsError {
    /// A page, a directory or an acknowledgement file cannot be read.
    #[error("{0}")]
    Input(String),
    /// The vendor's spec does not load.
    #[error("the spec has problems:\n{0}")]
    Spec(String),
    /// A page could not be fetched.
    #[error("cannot fetch {url}: {reason}")]
    Fetch {
        /// The page.
        url: String,
        /// Why.
        reason: String,
    },
}

/// What `check` found.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Pages read.
    pub pages: usize,
    /// Findings not acknowledged.
    pub open: Vec<Finding>,
    /// Findings acknowledged in docs-ack.yaml.
    pub acknowledged: Vec<Finding>,
    /// Acknowledgements that match no finding (the contradiction is gone: remove them).
    pub stale: Vec<Ack>,
}

/// Checks a vendor directory's spec against pages already read.
pub fn check(vendor_dir: &Path, pages: &[Page]) -> Result<Report, DocsError> {
    let vendor =
        payspec_codegen::load_vendor(vendor_dir).map_err(|d| DocsError::Spec(d.render()))?;
    let doc: serde_json::Value =
        serde_json::from_str(&vendor.raw_spec).map_err(|e| DocsError::Input(e.to_string()))?;
    let spec = check::Spec {
        doc: &doc,
        file: &vendor.files.spec,
        profile_file: &vendor.files.profile,
        profile: &vendor.profile,
    };
    let mut findings = Vec::new();
    for page in pages.iter().filter(|p| !p.is_index()) {
        let facts = extract::extract(page);
        for finding in check::page(&spec, page, &facts) {
            let seen = findings
                .iter()
                .any(|f: &Finding| f.key() == finding.key() && f.page == finding.page);
            if !seen {
                findings.push(finding);
            }
        }
    }
    locate(&mut findings);
    let acks = ack::read(vendor_dir)?;
    let (open, acknowledged, stale) = ack::apply(findings, &acks);
    Ok(Report {
        pages: pages.len(),
        open,
        acknowledged,
        stale,
    })
}

/// A JSON example a page gives for the one operation it documents.
#[derive(Debug, Clone)]
pub struct DocExample {
    /// The page.
    pub page: String,
    /// The line of the example.
    pub line: usize,
    /// The operation's snake_case id.
    pub operation: String,
    /// Whether it is the response's (else the request body's).
    pub response: bool,
    /// The example.
    pub value: serde_json::Value,
    /// Whether a finding on this example is acknowledged in docs-ack.yaml (the example is
    /// known to contradict the rest of the docs).
    pub acknowledged: bool,
}

/// The request and response examples of each page that documents one operation of the
/// vendor's spec (the test that the generated types carry what the docs show).
pub fn examples(vendor_dir: &Path, pages: &[Page]) -> Result<Vec<DocExample>, DocsError> {
    let report = check(vendor_dir, pages)?;
    let vendor =
        payspec_codegen::load_vendor(vendor_dir).map_err(|d| DocsError::Spec(d.render()))?;
    let doc: serde_json::Value =
        serde_json::from_str(&vendor.raw_spec).map_err(|e| DocsError::Input(e.to_string()))?;
    let spec = check::Spec {
        doc: &doc,
        file: &vendor.files.spec,
        profile_file: &vendor.files.profile,
        profile: &vendor.profile,
    };
    let mut out = Vec::new();
    for page in pages.iter().filter(|p| !p.is_index()) {
        let facts = extract::extract(page);
        let Some(operation) = check::operation_of(&spec, page, &facts) else {
            continue;
        };
        let Some(summary) = vendor
            .operations
            .iter()
            .find(|o| o.pointer == operation.pointer())
        else {
            continue;
        };
        for example in &facts.examples {
            let response = match example.place {
                extract::Place::Response => true,
                extract::Place::Body => false,
                _ => continue,
            };
            let acknowledged = report
                .acknowledged
                .iter()
                .any(|f| f.page == page.name() && f.page_line == example.line);
            out.push(DocExample {
                page: page.name().to_owned(),
                line: example.line,
                operation: summary.id.clone(),
                response,
                value: example.value.clone(),
                acknowledged,
            });
        }
    }
    Ok(out)
}

/// Adds `line:col` of each finding's pointer in its file.
fn locate(findings: &mut [Finding]) {
    let mut cache: Vec<(std::path::PathBuf, Locations)> = Vec::new();
    for finding in findings {
        let position = match cache.iter().find(|(f, _)| *f == finding.file) {
            Some((_, locations)) => locations.find(&finding.pointer),
            None => {
                let text = std::fs::read_to_string(&finding.file).unwrap_or_default();
                let locations = Locations::of(&text);
                let position = locations.find(&finding.pointer);
                cache.push((finding.file.clone(), locations));
                position
            }
        };
        finding.position = position;
    }
}
