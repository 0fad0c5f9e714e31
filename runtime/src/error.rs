//! The errors a caller sees: configuration problems, and failures of a call with the
//! HTTP status and the vendor's own code and message.

use std::fmt;

/// A client could not be configured. Names the variable or setting at fault, never a value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// A credential is missing.
    #[error(
        "missing credential for {vendor}: set the environment variable {variable} (or pass it in code)"
    )]
    MissingCredential {
        /// The vendor.
        vendor: String,
        /// The environment variable that would hold it.
        variable: String,
    },
    /// A credential's value cannot be used.
    #[error("credential {variable} for {vendor} cannot be used: {reason}")]
    InvalidCredential {
        /// The vendor.
        vendor: String,
        /// The environment variable that holds (or would hold) it.
        variable: String,
        /// Why (never the value).
        reason: String,
    },
    /// The named server is not in the profile.
    #[error("{vendor} has no server named {server:?} (servers: {known})")]
    UnknownServer {
        /// The vendor.
        vendor: String,
        /// The name asked for.
        server: String,
        /// The names the profile has.
        known: String,
    },
    /// The base URL cannot be parsed.
    #[error("base URL {url:?} is not a valid URL: {reason}")]
    InvalidBaseUrl {
        /// The URL given.
        url: String,
        /// Why.
        reason: String,
    },
    /// The embedded profile cannot be read (a build of mismatched versions).
    #[error("the embedded vendor profile is unreadable: {0}")]
    Profile(String),
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    Http(String),
    /// Plain HTTP to a host other than loopback.
    #[error(
        "refusing plain http:// to {url:?}: use https, or allow it explicitly (Settings::allow_insecure_http)"
    )]
    InsecureUrl {
        /// The URL.
        url: String,
    },
}

/// A response that is not what the operation promises (not JSON, empty, too large).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseProblem {
    /// The HTTP status.
    pub status: u16,
    /// What is wrong.
    pub message: String,
    /// The start of the body, credentials scrubbed.
    pub excerpt: String,
}

/// A vendor's answer that means failure: a non-2xx status, or a 2xx envelope saying so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VendorError {
    /// The vendor.
    pub vendor: String,
    /// The operationId.
    pub operation: String,
    /// The HTTP status.
    pub status: u16,
    /// The vendor's own error code, if the body had one where the profile says.
    pub code: Option<String>,
    /// The vendor's own message, if the body had one where the profile says.
    pub message: Option<String>,
    /// The start of the body, with any credential value scrubbed out.
    pub excerpt: String,
}

impl fmt::Display for VendorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: HTTP {}",
            self.vendor, self.operation, self.status
        )?;
        match (&self.code, &self.message) {
            (Some(code), Some(message)) => write!(f, ": vendor error {code}: {message}"),
            (Some(code), None) => write!(f, ": vendor error {code}"),
            (None, Some(message)) => write!(f, ": {message}"),
            (None, None) if self.excerpt.is_empty() => Ok(()),
            (None, None) => write!(f, ": {}", self.excerpt),
        }
    }
}

impl std::error::Error for VendorError {}

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The client could not be configured.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The vendor answered with a failure.
    #[error(transparent)]
    Vendor(Box<VendorError>),
    /// The request could not be built from the arguments given.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// No operation of that name.
    #[error("{vendor} has no operation {operation:?}")]
    UnknownOperation {
        /// The vendor.
        vendor: String,
        /// The name asked for.
        operation: String,
    },
    /// The vendor could not be reached, or the connection failed mid-way.
    #[error("communication with the vendor failed: {}", with_causes(.0))]
    Communication(#[source] reqwest::Error),
    /// A response whose body is not what the spec says (not JSON, wrong shape, empty, too large).
    #[error("{}the response did not match the spec: {message}; body starts: {excerpt:?}", status.map(|s| format!("HTTP {s}: ")).unwrap_or_default())]
    InvalidResponse {
        /// The HTTP status, when known.
        status: Option<u16>,
        /// What did not match.
        message: String,
        /// The start of the body.
        excerpt: String,
    },
    /// A response the runtime could not classify.
    #[error("unexpected HTTP {status} response")]
    UnexpectedResponse {
        /// The HTTP status.
        status: u16,
    },
}

impl Error {
    /// The vendor's failure, when that is what this is.
    pub fn vendor_error(&self) -> Option<&VendorError> {
        match self {
            Error::Vendor(e) => Some(e.as_ref()),
            _ => None,
        }
    }
}

/// An error's message followed by its causes ("error sending request: connection refused").
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        let message = inner.to_string();
        if !text.contains(&message) {
            text.push_str(": ");
            text.push_str(&message);
        }
        cause = inner.source();
    }
    text
}

/// How much of a body an error message quotes.
pub(crate) const EXCERPT_CHARS: usize = 300;

/// The start of a body as text, for error messages.
pub(crate) fn excerpt(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out: String = text.chars().take(EXCERPT_CHARS).collect();
    if text.chars().nth(EXCERPT_CHARS).is_some() {
        out.push('…');
    }
    out
}

impl<E> From<progenitor_client::Error<E>> for Error {
    fn from(error: progenitor_client::Error<E>) -> Self {
        use progenitor_client::Error as P;
        match error {
            P::InvalidRequest(message) | P::Custom(message) => Error::InvalidRequest(message),
            P::CommunicationError(e) | P::InvalidUpgrade(e) | P::ResponseBodyError(e) => {
                Error::Communication(e)
            }
            P::ErrorResponse(response) => Error::UnexpectedResponse {
                status: response.status().as_u16(),
            },
            P::InvalidResponsePayload(bytes, e) => Error::InvalidResponse {
                status: None,
                message: e.to_string(),
                excerpt: excerpt(&bytes),
            },
            P::UnexpectedResponse(response) => {
                if let Some(problem) = response.extensions().get::<ResponseProblem>() {
                    return Error::InvalidResponse {
                        status: Some(problem.status),
                        message: problem.message.clone(),
                        excerpt: problem.excerpt.clone(),
                    };
                }
                match response.extensions().get::<VendorError>() {
                    Some(vendor) => Error::Vendor(Box::new(vendor.clone())),
                    None => Error::UnexpectedResponse {
                        status: response.status().as_u16(),
                    },
                }
            }
        }
    }
}
