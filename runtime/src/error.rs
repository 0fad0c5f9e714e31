//! The errors a caller sees, and how far the call got when it failed (as smithy-rs's
//! `SdkError` does): a caller can tell "nothing was sent" from "the vendor may have acted"
//! from "the vendor refused". Every text here has been through the client's scrubber.

use std::fmt;

/// How far a call got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    /// The client or the request could not be built: nothing was sent.
    NotBuilt,
    /// Nothing of the request reached the vendor (the connection could not be made, or a
    /// credential or token could not be had): safe to try again.
    NotSent,
    /// The request left, and then the answer was lost (a timeout, a connection closed, a body
    /// cut off): the vendor may have acted on it.
    OutcomeUnknown,
    /// The vendor answered.
    Answered,
}

impl Stage {
    /// A few words for messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::NotBuilt => "not built",
            Stage::NotSent => "not sent",
            Stage::OutcomeUnknown => "sent, outcome unknown",
            Stage::Answered => "answered",
        }
    }
}

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
    /// A setting read from the environment cannot be used.
    #[error("{variable} for {vendor} cannot be used: {reason}")]
    InvalidSetting {
        /// The vendor.
        vendor: String,
        /// The environment variable.
        variable: String,
        /// Why.
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
    /// The vendor's base URL was given, its server group's was not: the group's operations
    /// would go to the vendor's own host while the rest go where the caller said.
    #[error(
        "{vendor}: the base URL was given but not the {group} group's, whose operations would go to the vendor's own host: give --group-base-url {group}=URL, set {variable}, or Settings::group_base_url"
    )]
    UnroutedGroup {
        /// The vendor.
        vendor: String,
        /// The server group.
        group: String,
        /// Its environment variable.
        variable: String,
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
    /// The start of the body, with every secret the client holds scrubbed out.
    pub excerpt: String,
    /// This answers a repeated request, sent after an earlier attempt whose outcome is
    /// unknown: the earlier attempt may have done what was asked ("invalid transition" to a
    /// cancel may mean "already cancelled").
    pub replayed: bool,
    /// The idempotency key the call was sent with (vendor.yaml `idempotency:`): sent again
    /// with this key, the call cannot act twice.
    pub idempotency_key: Option<String>,
}

impl fmt::Display for VendorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: HTTP {}",
            self.vendor, self.operation, self.status
        )?;
        match (&self.code, &self.message) {
            (Some(code), Some(message)) => write!(f, ": vendor error {code}: {message}")?,
            (Some(code), None) => write!(f, ": vendor error {code}")?,
            (None, Some(message)) => write!(f, ": {message}")?,
            (None, None) if self.excerpt.is_empty() => {}
            (None, None) => write!(f, ": {}", self.excerpt)?,
        }
        if self.replayed {
            f.write_str(
                " (the answer to a repeated request: an earlier attempt may have succeeded)",
            )?;
        }
        if let Some(key) = &self.idempotency_key {
            write!(f, " [idempotency key {key}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for VendorError {}

/// Why the exchange with the vendor failed on the way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportKind {
    /// No connection could be made.
    Connect,
    /// An attempt or the call ran out of time.
    Timeout,
    /// The connection failed after the request was written, before a whole answer.
    ConnectionLost,
    /// Anything else the HTTP stack reported.
    Other,
}

/// A failed exchange: no answer, or only part of one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportError {
    /// The vendor.
    pub vendor: String,
    /// The operationId.
    pub operation: String,
    /// [`Stage::NotSent`] or [`Stage::OutcomeUnknown`] (over every attempt made).
    pub stage: Stage,
    /// What happened on the last attempt.
    pub kind: TransportKind,
    /// Attempts made.
    pub attempts: u32,
    /// What the HTTP stack said, scrubbed.
    pub message: String,
    /// The idempotency key every attempt was sent with (vendor.yaml `idempotency:`): when the
    /// outcome is unknown, the call sent again with this key learns it without acting twice.
    pub idempotency_key: Option<String>,
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            TransportKind::Connect => "could not connect",
            TransportKind::Timeout => "timed out",
            TransportKind::ConnectionLost => "the connection was lost",
            TransportKind::Other => "communication failed",
        };
        write!(f, "{} {}: {what}", self.vendor, self.operation)?;
        if !self.message.is_empty() {
            write!(f, " ({})", self.message)?;
        }
        write!(f, " after {} attempt(s); ", self.attempts)?;
        f.write_str(match self.stage {
            Stage::OutcomeUnknown => "the request was sent: the vendor may have acted on it",
            _ => "nothing reached the vendor",
        })?;
        match (&self.idempotency_key, self.stage) {
            (Some(key), Stage::OutcomeUnknown) => write!(
                f,
                " (idempotency key {key}: send it again with this key to learn the outcome without acting twice)"
            ),
            (Some(key), _) => write!(f, " (idempotency key {key})"),
            (None, _) => Ok(()),
        }
    }
}

/// A redirect the client did not follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectError {
    /// The vendor.
    pub vendor: String,
    /// The operationId.
    pub operation: String,
    /// The HTTP status (301, 302, 303, 307, 308…).
    pub status: u16,
    /// Where it pointed, scrubbed (empty when it had no `Location`).
    pub location: String,
    /// Why it was not followed.
    pub reason: String,
}

impl fmt::Display for RedirectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: HTTP {} redirect to {:?} not followed: {}",
            self.vendor, self.operation, self.status, self.location, self.reason
        )
    }
}

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The client could not be configured.
    #[error(transparent)]
    Config(#[from] ConfigError),
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
    /// No whole answer: see [`TransportError::stage`] for whether the request left.
    #[error("{0}")]
    Transport(Box<TransportError>),
    /// The token the operation needs could not be had (logging in or refreshing failed);
    /// the operation itself was not sent.
    #[error("{vendor}: cannot obtain the {provider} token: {source}")]
    Identity {
        /// The vendor.
        vendor: String,
        /// The token provider.
        provider: String,
        /// Why.
        source: Box<Error>,
    },
    /// The vendor answered with a failure.
    #[error(transparent)]
    Vendor(Box<VendorError>),
    /// The vendor answered with a redirect, which was not followed.
    #[error("{0}")]
    Redirect(Box<RedirectError>),
    /// A response whose body is not what the spec says (not JSON, wrong shape, empty, too
    /// large). The vendor answered: with a 2xx status it most likely acted.
    #[error("{}the response did not match the spec: {message}; body starts: {excerpt:?}", status.map(|s| format!("HTTP {s}: ")).unwrap_or_default())]
    InvalidResponse {
        /// The HTTP status, when known.
        status: Option<u16>,
        /// What did not match (scrubbed).
        message: String,
        /// The start of the body (scrubbed).
        excerpt: String,
    },
    /// A success status the spec does not list for the operation.
    #[error("unexpected HTTP {status} response")]
    UnexpectedResponse {
        /// The HTTP status.
        status: u16,
    },
    /// A callback (webhook, notification) that failed verification.
    #[error(transparent)]
    Callback(#[from] crate::callback::CallbackError),
}

/// A header parameter whose value a header cannot carry (progenitor builds header parameters
/// with `try_into()?`). The value is not repeated: it may be personal data.
impl From<reqwest::header::InvalidHeaderValue> for Error {
    fn from(_: reqwest::header::InvalidHeaderValue) -> Self {
        Error::InvalidRequest(
            "a header parameter's value contains characters a header cannot carry".into(),
        )
    }
}

impl Error {
    /// The vendor's failure, when that is what this is (for a token that could not be had,
    /// the vendor's refusal of the login or refresh).
    pub fn vendor_error(&self) -> Option<&VendorError> {
        match self {
            Error::Vendor(e) => Some(e.as_ref()),
            Error::Identity { source, .. } => source.vendor_error(),
            _ => None,
        }
    }

    /// The idempotency key the call was sent with, when vendor.yaml gives the operation one:
    /// what to send again to reconcile a call whose outcome is unknown.
    pub fn idempotency_key(&self) -> Option<&str> {
        match self {
            Error::Vendor(e) => e.idempotency_key.as_deref(),
            Error::Transport(e) => e.idempotency_key.as_deref(),
            _ => None,
        }
    }

    /// How far the call got.
    pub fn stage(&self) -> Stage {
        match self {
            Error::Config(_) | Error::InvalidRequest(_) | Error::UnknownOperation { .. } => {
                Stage::NotBuilt
            }
            Error::Identity { .. } => Stage::NotSent,
            Error::Transport(e) => e.stage,
            Error::Vendor(_)
            | Error::Redirect(_)
            | Error::InvalidResponse { .. }
            | Error::UnexpectedResponse { .. }
            | Error::Callback(_) => Stage::Answered,
        }
    }

    /// Whether the vendor may have carried the request out despite the error: its answer was
    /// lost, or a refusal answered a repeat of a request whose first attempt is unaccounted for.
    pub fn may_have_taken_effect(&self) -> bool {
        match self {
            Error::Transport(e) => e.stage == Stage::OutcomeUnknown,
            Error::Vendor(e) => e.replayed,
            Error::InvalidResponse { status, .. } => status.is_none_or(|s| (200..300).contains(&s)),
            _ => false,
        }
    }

    /// Whether the credentials, a token or the account were refused (HTTP 401 or 403, or a
    /// token that could not be had): a configuration problem, not an answer about the request.
    pub fn is_auth_failure(&self) -> bool {
        match self {
            Error::Identity { .. } => true,
            Error::Vendor(e) => matches!(e.status, 401 | 403),
            _ => false,
        }
    }
}

impl<E> From<progenitor_client::Error<E>> for Error {
    /// Failures of progenitor's generated code before anything was sent (a parameter or body
    /// that does not convert). Failures after sending go through the client's runtime, which
    /// scrubs them ([`crate::Runtime::decode_failure`]).
    fn from(error: progenitor_client::Error<E>) -> Self {
        use progenitor_client::Error as P;
        match error {
            P::InvalidRequest(message) | P::Custom(message) => Error::InvalidRequest(message),
            P::ErrorResponse(response) => Error::UnexpectedResponse {
                status: response.status().as_u16(),
            },
            P::UnexpectedResponse(response) => Error::UnexpectedResponse {
                status: response.status().as_u16(),
            },
            // Only reachable when a caller converts a progenitor error itself: the details
            // may quote the body, and there is no scrubber here, so they are withheld.
            P::InvalidResponsePayload(_, _) => Error::InvalidResponse {
                status: None,
                message: "the body does not match the operation's type (details withheld)".into(),
                excerpt: String::new(),
            },
            P::CommunicationError(e) | P::InvalidUpgrade(e) | P::ResponseBodyError(e) => {
                Error::Transport(Box::new(TransportError {
                    vendor: String::new(),
                    operation: String::new(),
                    stage: Stage::OutcomeUnknown,
                    kind: TransportKind::Other,
                    attempts: 1,
                    message: e.without_url().to_string(),
                    idempotency_key: None,
                }))
            }
        }
    }
}

impl From<reqwest::Error> for Error {
    /// `RequestBuilder::build` in progenitor's generated code: the URL or a header could not be
    /// made from the arguments. Nothing was sent.
    fn from(error: reqwest::Error) -> Self {
        Error::InvalidRequest(format!(
            "the request could not be built: {}",
            error.without_url()
        ))
    }
}

/// How much of a body an error message quotes.
pub(crate) const EXCERPT_CHARS: usize = 300;

/// The start of a (scrubbed) text, for error messages.
pub(crate) fn excerpt(text: &str) -> String {
    let mut out: String = text.chars().take(EXCERPT_CHARS).collect();
    if text.chars().nth(EXCERPT_CHARS).is_some() {
        out.push('…');
    }
    out
}
