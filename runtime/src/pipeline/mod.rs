//! One call, in named phases, as smithy-rs's orchestrator runs one:
//!
//! 1. **prepare** ([`prepare`]): public extra headers; the scheme's body fields merged into the
//!    JSON body, once, before anything is signed;
//! 2. **resolve identity** ([`crate::identity`]): the tokens the scheme sends, obtained
//!    through this same pipeline when needed;
//! 3. **sign** ([`sign`]): the scheme's headers over the exact bytes about to be sent, afresh
//!    for every attempt;
//! 4. **transmit** ([`transmit`]): one attempt within its time budget, the body read within
//!    its size cap;
//! 5. **classify** ([`classify`]): a success (envelope opened), a vendor failure, or a
//!    decision as a value: retry (when, and whether the vendor may have acted), renew the
//!    token, follow or refuse a redirect.
//!
//! Every error leaves through the scrubber and says how far the call got ([`Stage`]).

mod classify;
mod prepare;
mod redirect;
mod retry;
mod sign;
pub(crate) mod transmit;

use std::time::{Duration, Instant};

use bytes::Bytes;
use progenitor_client::ResponseValue;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use tracing::Instrument as _;

use crate::call::OperationMeta;
use crate::client::Runtime;
use crate::error::{Error, Stage, TransportError, TransportKind, VendorError, excerpt};
use classify::Verdict;
use transmit::{Limits, Lost};

/// The largest error body read to find the vendor's code and message.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// A successful answer, read and classified: its status and headers, and the payload (the
/// envelope opened). The generated code decodes it (`Runtime::decode`), or takes it as empty,
/// as bytes, or as a status the spec does not list.
#[derive(Debug)]
pub struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) payload: Bytes,
}

impl Answer {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The answer without a body.
    pub fn empty(self) -> ResponseValue<()> {
        ResponseValue::new((), self.status, self.headers)
    }

    /// The body as bytes.
    pub fn stream(self) -> ResponseValue<progenitor_client::ByteStream> {
        let once = futures_util::stream::once(std::future::ready(Ok(self.payload)));
        ResponseValue::new(
            progenitor_client::ByteStream::new(Box::pin(once)),
            self.status,
            self.headers,
        )
    }

    /// A success status the spec does not list for the operation.
    pub fn unexpected(self) -> Error {
        Error::UnexpectedResponse {
            status: self.status.as_u16(),
        }
    }
}

/// What an attempt leads to.
enum Step {
    Done(Answer),
    Again,
}

/// The state of one call across its attempts.
struct CallState {
    operation: &'static OperationMeta,
    /// The prepared, unsigned request; each attempt signs a copy when another attempt (a retry,
    /// a fresh token, a redirect) may follow, and the request itself otherwise.
    pristine: reqwest::Request,
    /// Whether an attempt may be followed by another one.
    may_repeat: bool,
    /// The request itself was sent: nothing is left to send again.
    spent: bool,
    deadline: Instant,
    attempts: u32,
    may_retry: bool,
    /// An attempt's request left and its answer was lost (or came from a gateway).
    uncertain: bool,
    token_renewed: bool,
    redirects: u32,
    /// The signatures sent, for the scrubber.
    signatures: Vec<String>,
}

impl Runtime {
    /// Sends one operation's request (what the generated `send` calls): prepared, signed,
    /// transmitted, classified and retried as vendor.yaml and the settings say. Returns the
    /// success with its payload, or an error that says how far the call got.
    pub async fn send(&self, request: reqwest::Request, operation: &str) -> Result<Answer, Error> {
        let deadline = Instant::now() + self.shared.settings.timeouts.call;
        self.run(request, operation, deadline).await
    }

    /// The answer's payload decoded into the operation's type; a body that does not decode is
    /// an error whose message and excerpt are scrubbed.
    pub fn decode<T: serde::de::DeserializeOwned>(
        &self,
        answer: Answer,
    ) -> Result<ResponseValue<T>, Error> {
        match serde_json::from_slice(&answer.payload) {
            Ok(inner) => Ok(ResponseValue::new(inner, answer.status, answer.headers)),
            Err(e) => {
                let message = if answer.payload.is_empty() {
                    "the response body is empty".to_owned()
                } else if e.is_data() {
                    format!(
                        "the body does not match the operation's type: {}",
                        self.scrub(&e.to_string())
                    )
                } else {
                    format!(
                        "the response body is not JSON: {}",
                        self.scrub(&e.to_string())
                    )
                };
                Err(Error::InvalidResponse {
                    status: Some(answer.status.as_u16()),
                    message,
                    excerpt: excerpt(&self.scrub(&String::from_utf8_lossy(&answer.payload))),
                })
            }
        }
    }

    /// The phases, within `deadline` (a token call shares its operation's).
    pub(crate) async fn run(
        &self,
        request: reqwest::Request,
        operation_id: &str,
        deadline: Instant,
    ) -> Result<Answer, Error> {
        let operation = self
            .operation(operation_id)
            .ok_or_else(|| Error::UnknownOperation {
                vendor: self.profile().vendor.clone(),
                operation: operation_id.to_owned(),
            })?;
        self.run_meta(request, operation, deadline).await
    }

    /// The phases for an operation known by its metadata (a token call outside the spec has
    /// no entry among the vendor's operations).
    pub(crate) async fn run_meta(
        &self,
        mut request: reqwest::Request,
        operation: &'static OperationMeta,
        deadline: Instant,
    ) -> Result<Answer, Error> {
        let span = tracing::info_span!(
            "payspec.request",
            vendor = %self.profile().vendor,
            operation = operation.id,
            method = %request.method(),
        );
        let phases = async move {
            let scheme = self.scheme_of(operation);
            self.route(&mut request, operation)?;
            // Body credentials join the form first; the form is then encoded as multipart.
            self.prepare(scheme, &mut request, operation.id)?;
            self.encode_multipart(&mut request, operation)?;
            let profile = self.profile();
            let may_retry = profile.may_retry(operation.id, request.method().as_str());
            let may_repeat = may_retry
                || profile.uses_token(operation.id)
                || profile.redirects != payspec_profile::RedirectPolicy::Refuse;
            let mut call = CallState {
                operation,
                pristine: request,
                may_repeat,
                spent: false,
                deadline,
                attempts: 0,
                may_retry,
                uncertain: false,
                token_renewed: false,
                redirects: 0,
                signatures: Vec::new(),
            };
            loop {
                if let Step::Done(success) = self.attempt(&mut call).await? {
                    return Ok(success);
                }
            }
        };
        // A disabled span (no subscriber wants it) is not entered on every poll.
        if span.is_disabled() {
            phases.await
        } else {
            phases.instrument(span).await
        }
    }

    /// The auth scheme an operation is sent with (none for a token call outside the spec,
    /// which carries its own headers).
    fn scheme_of(&self, operation: &OperationMeta) -> Option<&payspec_profile::Scheme> {
        if operation.id == crate::identity::TOKEN_CALL {
            return None;
        }
        self.profile().scheme_for(operation.id)
    }

    /// One attempt: identity, sign, transmit, classify; then what to do about it.
    async fn attempt(&self, call: &mut CallState) -> Result<Step, Error> {
        call.attempts += 1;
        let mut request = call.next_request()?;
        let scheme = self.scheme_of(call.operation);
        let issued = match scheme {
            Some(scheme) => self.resolve_tokens(scheme, call.deadline).await?,
            None => Vec::new(),
        };
        if let Some(scheme) = scheme {
            call.signatures
                .extend(self.sign(scheme, &issued, &mut request)?);
        }
        let budget = self.attempt_budget(call)?;
        let limits = Limits {
            success: self.shared.settings.max_response_bytes,
            error: MAX_ERROR_BODY,
        };
        let started = Instant::now();
        let answer = match transmit::attempt(&self.shared.http, request, budget, limits).await {
            Ok(answer) => answer,
            Err(lost) => return self.after_lost(call, lost).await,
        };
        tracing::debug!(
            attempt = call.attempts,
            status = answer.status.as_u16(),
            latency_ms = started.elapsed().as_millis() as u64,
            "response"
        );
        let verdict = classify::classify(
            self,
            call.operation,
            answer,
            !issued.is_empty(),
            &call.signatures,
        );
        self.after_verdict(call, verdict, &issued).await
    }

    /// The time this attempt may take: the attempt timeout, within the call's deadline.
    fn attempt_budget(&self, call: &CallState) -> Result<Duration, Error> {
        let left = call.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            let lost = Lost::deadline();
            return Err(self.transport_error(call, lost));
        }
        Ok(self.shared.settings.timeouts.attempt.min(left))
    }

    async fn after_lost(&self, call: &mut CallState, lost: Lost) -> Result<Step, Error> {
        call.uncertain |= lost.may_have_arrived;
        let message = self.shared.scrubber.scrub(&lost.message, &call.signatures);
        tracing::debug!(attempt = call.attempts, kind = ?lost.kind, error = %message, "attempt failed");
        if self.wait_to_retry(call, None).await {
            return Ok(Step::Again);
        }
        Err(self.transport_error(call, lost))
    }

    async fn after_verdict(
        &self,
        call: &mut CallState,
        verdict: Verdict,
        issued: &[crate::identity::Issued],
    ) -> Result<Step, Error> {
        match verdict {
            Verdict::Success(success) => Ok(Step::Done(success)),
            Verdict::Failure(error) => Err(self.vendor_failure(call, error)),
            Verdict::Retryable {
                error,
                after,
                uncertain,
            } => {
                call.uncertain |= uncertain;
                if self.wait_to_retry(call, after).await {
                    return Ok(Step::Again);
                }
                Err(self.vendor_failure(call, error))
            }
            Verdict::TokenRejected(_) if !call.token_renewed => {
                // The vendor did not act on a request it refused for its token: send it once
                // more with a fresh one.
                tracing::debug!("token rejected: renewing it and sending once more");
                call.token_renewed = true;
                call.attempts -= 1;
                self.revoke(issued).await;
                Ok(Step::Again)
            }
            Verdict::TokenRejected(error) => Err(self.vendor_failure(call, error)),
            Verdict::Redirect(redirect) => self.follow(call, redirect),
            Verdict::Problem(error) => Err(error),
        }
    }

    /// Waits before another attempt when one may be made; `false` to give up.
    async fn wait_to_retry(&self, call: &CallState, retry_after: Option<Duration>) -> bool {
        let policy = &self.shared.settings.retry;
        if !call.may_retry || call.attempts >= policy.max_attempts {
            return false;
        }
        let Some(wait) = retry::backoff(policy, call.attempts, retry_after, call.deadline) else {
            tracing::debug!(attempt = call.attempts, "no time left for another attempt");
            return false;
        };
        // For people watching a slow call (the CLI shows this target on stderr).
        tracing::info!(
            target: "payspec::progress",
            attempt = call.attempts,
            wait_ms = wait.as_millis() as u64,
            "retrying in {:.1} s (attempt {} of {})",
            wait.as_secs_f64(),
            call.attempts + 1,
            policy.max_attempts
        );
        tokio::time::sleep(wait).await;
        true
    }

    fn vendor_failure(&self, call: &CallState, mut error: VendorError) -> Error {
        error.replayed = call.uncertain;
        tracing::debug!(status = error.status, code = ?error.code, replayed = error.replayed, "vendor error");
        Error::Vendor(Box::new(error))
    }

    fn transport_error(&self, call: &CallState, lost: Lost) -> Error {
        let stage = if call.uncertain || lost.may_have_arrived {
            Stage::OutcomeUnknown
        } else {
            Stage::NotSent
        };
        Error::Transport(Box::new(TransportError {
            vendor: self.profile().vendor.clone(),
            operation: call.operation.id.to_owned(),
            stage,
            kind: lost.kind,
            attempts: call.attempts,
            message: self.shared.scrubber.scrub(&lost.message, &call.signatures),
        }))
    }

    /// The vendor's failure from an error body, decoded by the profile's pointers and
    /// scrubbed (then cut).
    pub(crate) fn vendor_error(
        &self,
        status: u16,
        operation: &str,
        body: &[u8],
        extra_secrets: &[String],
    ) -> VendorError {
        let scrub = |text: &str| self.shared.scrubber.scrub(text, extra_secrets);
        let (code, message) = payspec_profile::error_body::decode(&self.profile().errors, body);
        VendorError {
            vendor: self.profile().vendor.clone(),
            operation: operation.to_owned(),
            status,
            code: code.map(|c| scrub(&c)),
            message: message.map(|m| excerpt(&scrub(&m))),
            excerpt: excerpt(&scrub(&String::from_utf8_lossy(body))),
            replayed: false,
        }
    }
}

impl CallState {
    /// The request for this attempt: a copy of the prepared one when another may follow.
    fn next_request(&mut self) -> Result<reqwest::Request, Error> {
        if self.spent {
            return Err(Error::InvalidRequest("the request was already sent".into()));
        }
        if !self.may_repeat {
            self.spent = true;
            let placeholder =
                reqwest::Request::new(self.pristine.method().clone(), self.pristine.url().clone());
            return Ok(std::mem::replace(&mut self.pristine, placeholder));
        }
        self.pristine.try_clone().ok_or_else(|| {
            Error::InvalidRequest("a streaming body cannot be signed or sent again".into())
        })
    }
}

impl Lost {
    fn deadline() -> Self {
        Lost {
            kind: TransportKind::Timeout,
            may_have_arrived: false,
            message: "the call's deadline passed".into(),
        }
    }
}
