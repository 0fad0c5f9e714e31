//! Errors that say what is wrong and where: a file and a JSON pointer into it.

use std::fmt;
use std::path::{Path, PathBuf};

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The vendor cannot be generated as it stands.
    #[default]
    Error,
    /// Something was repaired or degraded (typed as `serde_json::Value`, or an operation left
    /// out); the rest of the vendor is generated. `--strict` makes these errors.
    Warning,
}

/// One problem in one input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file the problem is in.
    pub file: PathBuf,
    /// A JSON pointer into the file's document (`#/paths/~1a/get`), or empty for the whole file.
    pub pointer: String,
    /// What is wrong.
    pub message: String,
    /// An error, or a warning about a repair or a degradation.
    pub severity: Severity,
}

impl Diagnostic {
    /// A problem at `pointer` (an RFC 6901 pointer such as `/paths/~1a`) in `file`.
    pub fn new(file: &Path, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            file: file.to_path_buf(),
            pointer: pointer.into(),
            message: message.into(),
            severity: Severity::Error,
        }
    }

    /// A warning at `pointer` in `file`: something repaired or degraded, the rest generated.
    pub fn warning(file: &Path, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::new(file, pointer, message)
        }
    }

    /// Whether this is a warning (not an error).
    pub fn is_warning(&self) -> bool {
        self.severity == Severity::Warning
    }

    /// The same diagnostic as an error (`--strict`).
    pub fn into_error(self) -> Self {
        Self {
            severity: Severity::Error,
            ..self
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_warning() {
            f.write_str("warning: ")?;
        }
        write!(f, "{}: ", self.file.display())?;
        if !self.pointer.is_empty() {
            write!(f, "#{}: ", self.pointer)?;
        }
        f.write_str(&self.message)
    }
}

/// Every problem found in a run, reported together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// Wraps one diagnostic.
    pub fn one(diagnostic: Diagnostic) -> Self {
        Self(vec![diagnostic])
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(diagnostic: Diagnostic) -> Self {
        Self::one(diagnostic)
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, diagnostic) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{diagnostic}")?;
        }
        Ok(())
    }
}

impl Diagnostics {
    /// One line per problem, `file:line:col: #/pointer: message`, the position looked up in
    /// the file where it can be (the pointer's nearest located ancestor).
    pub fn render(&self) -> String {
        let mut located: std::collections::BTreeMap<PathBuf, crate::locate::Locations> =
            Default::default();
        let mut lines = Vec::new();
        for diagnostic in &self.0 {
            let position = (!diagnostic.pointer.is_empty())
                .then(|| {
                    located
                        .entry(diagnostic.file.clone())
                        .or_insert_with(|| {
                            let text =
                                std::fs::read_to_string(&diagnostic.file).unwrap_or_default();
                            crate::locate::Locations::of(&text)
                        })
                        .find(&diagnostic.pointer)
                })
                .flatten();
            let severity = if diagnostic.is_warning() {
                "warning: "
            } else {
                ""
            };
            lines.push(match position {
                Some((line, column)) => format!(
                    "{severity}{}:{line}:{column}: #{}: {}",
                    diagnostic.file.display(),
                    diagnostic.pointer,
                    diagnostic.message
                ),
                None => diagnostic.to_string(),
            });
        }
        lines.join("\n")
    }
}

/// Escapes one JSON pointer reference token (RFC 6901).
pub(crate) use payspec_profile::pointer::escape as token;
