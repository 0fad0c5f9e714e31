//! `specs/<vendor>/docs-ack.yaml`: findings a person has judged (the docs contradict
//! themselves, or a page is wrong), each with its reason. An acknowledgement matches a finding
//! by kind, spec pointer and the page's value (and page, when it names one); one that matches
//! nothing is reported, so that a fixed contradiction does not stay acknowledged.

use std::path::Path;

use serde::Deserialize;

use crate::DocsError;
use crate::finding::{Finding, Kind};

/// One acknowledgement.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ack {
    /// The finding's kind (`enum-value`, `unknown-field`…).
    pub kind: String,
    /// The spec pointer.
    pub pointer: String,
    /// The page's value.
    pub docs: String,
    /// Only this page (URL), when given.
    #[serde(default)]
    pub page: Option<String>,
    /// Why it is acknowledged rather than fixed.
    pub reason: String,
}

impl Ack {
    fn matches(&self, finding: &Finding) -> bool {
        Kind::parse(&self.kind) == Some(finding.kind)
            && self.pointer == finding.pointer
            && self.docs == finding.docs
            && self.page.as_ref().is_none_or(|p| *p == finding.page)
    }
}

/// The acknowledgements of a vendor directory (none when the file does not exist).
pub fn read(dir: &Path) -> Result<Vec<Ack>, DocsError> {
    let path = dir.join("docs-ack.yaml");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(Vec::new());
    };
    let acks: Vec<Ack> = serde_saphyr::from_str(&text)
        .map_err(|e| DocsError::Input(format!("{}: {e}", path.display())))?;
    for (i, ack) in acks.iter().enumerate() {
        if Kind::parse(&ack.kind).is_none() {
            return Err(DocsError::Input(format!(
                "{}: #/{i}/kind: unknown kind {:?}",
                path.display(),
                ack.kind
            )));
        }
        if ack.reason.trim().is_empty() {
            return Err(DocsError::Input(format!(
                "{}: #/{i}/reason: an acknowledgement needs a reason",
                path.display()
            )));
        }
    }
    Ok(acks)
}

/// Splits findings into those still open and those acknowledged; returns the open ones and
/// the acknowledgements that matched nothing.
pub fn apply(findings: Vec<Finding>, acks: &[Ack]) -> (Vec<Finding>, Vec<Finding>, Vec<Ack>) {
    let mut used = vec![false; acks.len()];
    let mut open = Vec::new();
    let mut acknowledged = Vec::new();
    for finding in findings {
        match acks.iter().position(|a| a.matches(&finding)) {
            Some(i) => {
                used[i] = true;
                acknowledged.push(finding);
            }
            None => open.push(finding),
        }
    }
    let stale = acks
        .iter()
        .zip(used)
        .filter(|(_, u)| !u)
        .map(|(a, _)| a.clone())
        .collect();
    (open, acknowledged, stale)
}
