//! A finding: something a page states that the spec does not say, with the page and line, the
//! spec's location, and the two values side by side.

use std::fmt;
use std::path::PathBuf;

/// What kind of disagreement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// The page documents an operation the spec lacks.
    UnknownOperation,
    /// A field the page shows (in an example, a table or an OpenAPI block) that the schema lacks:
    /// the client would drop it.
    UnknownField,
    /// A field the schema requires that the page's example or table lacks.
    RequiredMissing,
    /// The page says required where the spec says optional, or the other way.
    Required,
    /// The types disagree (string vs number, uuid vs free text…).
    Type,
    /// A value the page lists that the spec's enum lacks.
    EnumValue,
    /// The page gives a pattern the spec lacks or writes differently.
    Pattern,
    /// The page sends to a server vendor.yaml does not name.
    Server,
    /// The page sends a header neither the spec nor vendor.yaml's auth supplies.
    Header,
    /// Two pages define the same thing differently (import).
    Conflict,
}

impl Kind {
    /// The name used in docs-ack.yaml.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::UnknownOperation => "unknown-operation",
            Kind::UnknownField => "unknown-field",
            Kind::RequiredMissing => "required-missing",
            Kind::Required => "required",
            Kind::Type => "type",
            Kind::EnumValue => "enum-value",
            Kind::Pattern => "pattern",
            Kind::Server => "server",
            Kind::Header => "header",
            Kind::Conflict => "conflict",
        }
    }

    /// The kind of a docs-ack.yaml name.
    pub fn parse(name: &str) -> Option<Self> {
        [
            Kind::UnknownOperation,
            Kind::UnknownField,
            Kind::RequiredMissing,
            Kind::Required,
            Kind::Type,
            Kind::EnumValue,
            Kind::Pattern,
            Kind::Server,
            Kind::Header,
            Kind::Conflict,
        ]
        .into_iter()
        .find(|k| k.as_str() == name)
    }
}

/// One disagreement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What kind.
    pub kind: Kind,
    /// The page (its URL, else its file).
    pub page: String,
    /// The page's line.
    pub page_line: usize,
    /// The spec file (or vendor.yaml) the finding is against.
    pub file: PathBuf,
    /// A JSON pointer into it.
    pub pointer: String,
    /// What the page says.
    pub docs: String,
    /// What the spec says.
    pub spec: String,
    /// What is wrong, in words.
    pub message: String,
    /// `line:col` of the pointer in the file, when it can be found.
    pub position: Option<(u64, u64)>,
}

impl Finding {
    /// The identity an acknowledgement matches: kind, pointer and the page's value.
    pub fn key(&self) -> (Kind, &str, &str) {
        (self.kind, &self.pointer, &self.docs)
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}",
            self.page,
            self.page_line,
            self.file.display()
        )?;
        if let Some((line, column)) = self.position {
            write!(f, ":{line}:{column}")?;
        }
        write!(
            f,
            ": #{}: {} [{}] (docs: {}; spec: {})",
            self.pointer,
            self.message,
            self.kind.as_str(),
            self.docs,
            self.spec
        )
    }
}
