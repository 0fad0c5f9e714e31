//! Errors that say what is wrong and where: a file and a JSON pointer into it.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem in one input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file the problem is in.
    pub file: PathBuf,
    /// A JSON pointer into the file's document (`#/paths/~1a/get`), or empty for the whole file.
    pub pointer: String,
    /// What is wrong.
    pub message: String,
}

impl Diagnostic {
    /// A problem at `pointer` (an RFC 6901 pointer such as `/paths/~1a`) in `file`.
    pub fn new(file: &Path, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            file: file.to_path_buf(),
            pointer: pointer.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
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
            lines.push(match position {
                Some((line, column)) => format!(
                    "{}:{line}:{column}: #{}: {}",
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
