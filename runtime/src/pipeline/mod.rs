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

mod answer;
mod classify;
mod idempotency;
mod plan;
mod prepare;
mod redirect;
mod retry;
mod sign;
pub(crate) mod transmit;

use std::time::{Duration, Instant};

use std::future::Future;

use futures_util::future::Either;
use tracing::Instrument as _;

use crate::call::OperationMeta;
use crate::client::Runtime;
use crate::error::{Error, Stage, TransportError, TransportKind, VendorError, excerpt};
pub use answer::Answer;
use classify::Verdict;
pub use idempotency::IDEMPOTENCY_KEY_HEADER;
pub(crate) use idempotency::reported_key;
use plan::Plan;
pub(crate) use plan::Plans;
use transmit::{Budget, Limits, Lost};

/// The largest error body read to find the vendor's code and message.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// What an attempt leads to.
enum Step {
    Done(Answer),
    Again,
}

/// The state of one call across its attempts.
struct CallState {
    plan: Plan,
    /// The prepared, unsigned request; each attempt signs a copy when another attempt (a retry,
    /// a fresh token, a redirect) may follow, and the request itself otherwise (then `None`
    /// once sent: nothing is left to send again).
    pristine: Option<reqwest::Request>,
    deadline: Instant,
    attempts: u32,
    /// An attempt's request left and its answer was lost (or came from a gateway).
    uncertain: bool,
    token_renewed: bool,
    redirects: u32,
    /// The signatures sent, for the scrubber.
    signatures: Vec<String>,
    /// The idempotency key every attempt carries, when the operation has one.
    idempotency_key: Option<String>,
}

impl Runtime {
    /// Sends one operation's request (what the generated `send` calls): prepared, signed,
    /// transmitted, classified and retried as vendor.yaml and the settings say. Resolves to
    /// the success (its envelope still closed: [`Runtime::decode`] opens it), or an error that
    /// says how far the call got.
    pub fn send<'a>(
        &'a self,
        request: reqwest::Request,
        operation: &str,
    ) -> impl Future<Output = Result<Answer, Error>> + Send + use<'a> {
        let deadline = Instant::now() + self.shared.settings.timeouts.call;
        let plan = self
            .shared
            .plans
            .operations
            .get(operation)
            .copied()
            .ok_or_else(|| Error::UnknownOperation {
                vendor: self.profile().vendor.clone(),
                operation: operation.to_owned(),
            });
        self.run(request, plan, deadline)
    }

    /// The phases for an operation known by its metadata (a token call outside the spec has
    /// no entry among the vendor's operations), within `deadline` (a token call shares its
    /// operation's).
    pub(crate) fn run_meta(
        &self,
        request: reqwest::Request,
        operation: &'static OperationMeta,
        deadline: Instant,
    ) -> impl Future<Output = Result<Answer, Error>> + Send + '_ {
        let plan = self.shared.plans.plan(self.profile(), operation);
        self.run(request, Ok(plan), deadline)
    }

    /// The call in its span. The request is completed first (prepare: route, body fields,
    /// multipart), before the call's future exists; that future then holds the call's state
    /// once, and nests only the attempt's (every level of nesting is moved, whole, when it
    /// starts: not an `async fn` of its own).
    fn run(
        &self,
        request: reqwest::Request,
        plan: Result<Plan, Error>,
        deadline: Instant,
    ) -> impl Future<Output = Result<Answer, Error>> + Send + '_ {
        let span = tracing::info_span!(
            "payspec.request",
            vendor = %self.profile().vendor,
            operation = plan.as_ref().map_or("", |plan| plan.operation.id),
            method = %request.method(),
        );
        let prepared = span.in_scope(|| self.prepared(request, plan?, deadline));
        match prepared {
            Ok(call) => Either::Left(self.attempts(call).instrument(span)),
            Err(error) => Either::Right(std::future::ready(Err(error))),
        }
    }

    /// The state of a call whose request is complete.
    fn prepared(
        &self,
        mut request: reqwest::Request,
        plan: Plan,
        deadline: Instant,
    ) -> Result<CallState, Error> {
        let scheme = self.shared.plans.scheme_of(&plan).map(|s| &s.scheme);
        self.route(&mut request, plan.operation)?;
        // Body credentials join the form first; the form is then encoded as multipart.
        self.prepare(scheme, &mut request, plan.operation.id)?;
        // The key joins the JSON body (or the headers) before it is encoded, signed or copied.
        let idempotency_key = self.idempotency_key(&mut request, plan.operation)?;
        self.encode_multipart(&mut request, plan.operation)?;
        Ok(CallState {
            plan,
            pristine: Some(request),
            deadline,
            attempts: 0,
            uncertain: false,
            token_renewed: false,
            redirects: 0,
            signatures: Vec::new(),
            idempotency_key,
        })
    }

    /// Attempts until one is the answer or the error. (An `async` block that uses the call
    /// state it captured in place: an `async fn` would hold its argument and a copy of it.)
    #[allow(clippy::manual_async_fn)]
    fn attempts(
        &self,
        mut call: CallState,
    ) -> impl Future<Output = Result<Answer, Error>> + Send + '_ {
        async move {
            loop {
                if let Step::Done(success) = self.attempt(&mut call).await? {
                    return Ok(success);
                }
            }
        }
    }

    /// One attempt: identity, sign, transmit, classify; then what to do about it.
    async fn attempt(&self, call: &mut CallState) -> Result<Step, Error> {
        call.attempts += 1;
        let scheme = self.shared.plans.scheme_of(&call.plan);
        let issued = match scheme {
            Some(scheme) if scheme.uses_token => {
                self.resolve_tokens(&scheme.scheme, call.deadline).await?
            }
            _ => Vec::new(),
        };
        let budget = self.attempt_budget(call)?;
        let limits = Limits {
            success: self.shared.settings.max_response_bytes,
            error: MAX_ERROR_BODY,
        };
        // The request lives in this block only: moved into the exchange, it takes no room of
        // its own in the attempt's state.
        let exchange = {
            let mut request = call.next_request()?;
            if let Some(scheme) = scheme {
                call.signatures
                    .extend(self.sign(scheme, &issued, &mut request)?);
            }
            transmit::attempt(&self.shared.http, request, budget, limits)
        };
        let answer = match exchange.await {
            Ok(answer) => answer,
            Err(lost) => return self.after_lost(call, lost).await,
        };
        tracing::debug!(
            attempt = call.attempts,
            status = answer.status.as_u16(),
            latency_ms = budget.started.elapsed().as_millis() as u64,
            "response"
        );
        let verdict = classify::classify(
            self,
            &call.plan,
            answer,
            !issued.is_empty(),
            &call.signatures,
        );
        self.after_verdict(call, verdict, &issued).await
    }

    /// The time this attempt may take, from now: the attempt timeout, within the call's
    /// deadline.
    fn attempt_budget(&self, call: &CallState) -> Result<Budget, Error> {
        let started = tokio::time::Instant::now();
        let left = call.deadline.saturating_duration_since(started.into_std());
        if left.is_zero() {
            let lost = Lost::deadline();
            return Err(self.transport_error(call, lost));
        }
        Ok(Budget {
            started,
            length: self.shared.settings.timeouts.attempt.min(left),
        })
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
            Verdict::Success(mut success) => {
                if let Some(key) = call.idempotency_key.as_deref() {
                    success.report_idempotency_key(key);
                }
                if let Some(sealed) = &mut success.sealed {
                    // Opening the envelope may yet find the vendor's failure: it is this call's.
                    sealed.signatures = std::mem::take(&mut call.signatures);
                    sealed.uncertain = call.uncertain;
                }
                Ok(Step::Done(success))
            }
            Verdict::Failure(error) => {
                Err(self.vendor_failure(error, call.uncertain, call.idempotency_key.clone()))
            }
            Verdict::Retryable {
                error,
                after,
                uncertain,
            } => {
                call.uncertain |= uncertain;
                if self.wait_to_retry(call, after).await {
                    return Ok(Step::Again);
                }
                Err(self.vendor_failure(error, call.uncertain, call.idempotency_key.clone()))
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
            Verdict::TokenRejected(error) => {
                Err(self.vendor_failure(error, call.uncertain, call.idempotency_key.clone()))
            }
            Verdict::Redirect(redirect) => self.follow(call, redirect),
            Verdict::Problem(error) => Err(error),
        }
    }

    /// Waits before another attempt when one may be made; `false` to give up.
    async fn wait_to_retry(&self, call: &CallState, retry_after: Option<Duration>) -> bool {
        let policy = &self.shared.settings.retry;
        if !call.plan.may_retry || call.attempts >= policy.max_attempts {
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

    /// The vendor's failure as the call's error; `uncertain`: an earlier attempt's request may
    /// have reached the vendor (the failure may follow a replay).
    pub(crate) fn vendor_failure(
        &self,
        mut error: VendorError,
        uncertain: bool,
        idempotency_key: Option<String>,
    ) -> Error {
        error.replayed = uncertain;
        error.idempotency_key = idempotency_key;
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
            operation: call.plan.operation.id.to_owned(),
            stage,
            kind: lost.kind,
            attempts: call.attempts,
            message: self.shared.scrubber.scrub(&lost.message, &call.signatures),
            idempotency_key: call.idempotency_key.clone(),
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
            idempotency_key: None,
        }
    }
}

impl CallState {
    /// The request for this attempt: a copy of the prepared one when another may follow,
    /// the prepared one itself otherwise.
    fn next_request(&mut self) -> Result<reqwest::Request, Error> {
        let spent = || Error::InvalidRequest("the request was already sent".into());
        if !self.plan.may_repeat {
            return self.pristine.take().ok_or_else(spent);
        }
        let pristine = self.pristine.as_ref().ok_or_else(spent)?;
        pristine.try_clone().ok_or_else(|| {
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
