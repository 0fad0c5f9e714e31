//! Phase 5: what an answer means, as a value: a success (its envelope opened later, with the
//! typed decode), a vendor
//! failure, a failure worth another attempt (and whether the vendor may have acted), a token
//! to renew, a redirect, or a response that breaks the operation's promise.

use std::time::Duration;

use super::answer::{Answer, Sealed};
use super::plan::Plan;
use super::transmit::Reply;
use super::{redirect::Redirect, retry};
use crate::call::OperationMeta;
use crate::client::Runtime;
use crate::error::{Error, VendorError};

pub(crate) enum Verdict {
    Success(Answer),
    Failure(VendorError),
    /// Worth another attempt, after `after` when the vendor said so.
    Retryable {
        error: VendorError,
        after: Option<Duration>,
        /// The answer came from a gateway: the vendor behind it may have acted.
        uncertain: bool,
    },
    /// A 401 to a request that carried a bearer token.
    TokenRejected(VendorError),
    Redirect(Redirect),
    Problem(Error),
}

pub(crate) fn classify(
    runtime: &Runtime,
    plan: &Plan,
    answer: Reply,
    token_sent: bool,
    signatures: &[String],
) -> Verdict {
    let operation = plan.operation;
    let status = answer.status.as_u16();
    if answer.status.is_redirection() {
        return Verdict::Redirect(Redirect::from_headers(status, &answer.headers));
    }
    if answer.status.is_success() {
        return success(runtime, operation, answer, signatures);
    }
    let error = runtime.vendor_error(status, operation.id, &answer.body, signatures);
    if let Some(retry) = vendor_hint(runtime, &answer.headers) {
        // The vendor's own word (Stripe-Should-Retry) over the status's rule.
        return if retry {
            Verdict::Retryable {
                error,
                after: retry::retry_after(&answer.headers),
                uncertain: false,
            }
        } else {
            Verdict::Failure(error)
        };
    }
    match status {
        401 if token_sent => Verdict::TokenRejected(error),
        429 | 503 => Verdict::Retryable {
            error,
            after: retry::retry_after(&answer.headers),
            uncertain: false,
        },
        502 | 504 => Verdict::Retryable {
            error,
            after: retry::retry_after(&answer.headers),
            uncertain: true,
        },
        _ => Verdict::Failure(error),
    }
}

/// What the vendor's retry hint header says of a failure, when vendor.yaml names one.
fn vendor_hint(runtime: &Runtime, headers: &reqwest::header::HeaderMap) -> Option<bool> {
    let name = runtime
        .profile()
        .idempotency
        .as_ref()?
        .retry_hint
        .as_deref()?;
    let value = headers.get(name)?.to_str().ok()?;
    payspec_profile::idempotency::retry_hint(value)
}

fn success(
    runtime: &Runtime,
    operation: &OperationMeta,
    answer: Reply,
    signatures: &[String],
) -> Verdict {
    let status = answer.status;
    if answer.over_cap {
        let cap = runtime.shared.settings.max_response_bytes;
        let message = format!("the response body exceeds {cap} bytes");
        return Verdict::Problem(runtime.invalid_body(status, &answer.body, message, signatures));
    }
    let Reply {
        headers,
        body,
        over_cap: _,
        status: _,
    } = answer;
    // The envelope is opened with the typed decode, in one pass (see `answer`).
    let sealed = (runtime.profile().envelope.is_some() && operation.returns_body).then(|| Sealed {
        operation: operation.id,
        signatures: Vec::new(),
        uncertain: false,
    });
    // The headers move into the answer: never copied.
    Verdict::Success(Answer {
        status,
        headers,
        payload: body,
        sealed,
    })
}
