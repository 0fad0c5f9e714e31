//! Phase 5: what an answer means, as a value: a success (its envelope opened), a vendor
//! failure, a failure worth another attempt (and whether the vendor may have acted), a token
//! to renew, a redirect, or a response that breaks the operation's promise.

use std::time::Duration;

use payspec_profile::envelope::{self, Opened};

use super::transmit::Reply;
use super::{Answer, redirect::Redirect, retry};
use crate::call::OperationMeta;
use crate::client::Runtime;
use crate::error::{Error, VendorError, excerpt};

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
    operation: &OperationMeta,
    answer: Reply,
    token_sent: bool,
    signatures: &[String],
) -> Verdict {
    let status = answer.status.as_u16();
    if answer.status.is_redirection() {
        return Verdict::Redirect(Redirect::from_headers(status, &answer.headers));
    }
    if answer.status.is_success() {
        return success(runtime, operation, answer, signatures);
    }
    let error = runtime.vendor_error(status, operation.id, &answer.body, signatures);
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

fn success(
    runtime: &Runtime,
    operation: &OperationMeta,
    answer: Reply,
    signatures: &[String],
) -> Verdict {
    let status = answer.status;
    let problem = |message: String, body: &[u8]| {
        let scrubbed = runtime
            .shared
            .scrubber
            .scrub(&String::from_utf8_lossy(body), signatures);
        Verdict::Problem(Error::InvalidResponse {
            status: Some(status.as_u16()),
            message,
            excerpt: excerpt(&scrubbed),
        })
    };
    if answer.over_cap {
        let cap = runtime.shared.settings.max_response_bytes;
        return problem(
            format!("the response body exceeds {cap} bytes"),
            &answer.body,
        );
    }
    let Reply {
        headers,
        body,
        over_cap: _,
        status: _,
    } = answer;
    // The headers move into the answer (one outcome takes them): never copied.
    let done = |payload| {
        Verdict::Success(Answer {
            status,
            headers,
            payload,
        })
    };
    let Some(envelope) = runtime
        .profile()
        .envelope
        .as_ref()
        .filter(|_| operation.returns_body)
    else {
        // The generated code parses the body into its type; a failure there is scrubbed too.
        return done(body);
    };
    match envelope::open(envelope, &body) {
        Ok(Opened::Payload(payload)) => done(payload),
        Ok(Opened::Failed) => {
            let error = runtime.vendor_error(status.as_u16(), operation.id, &body, signatures);
            Verdict::Failure(error)
        }
        Err(_) if body.is_empty() => problem("the response body is empty".into(), &body),
        Err(e) => problem(format!("the response body is not JSON: {e}"), &body),
    }
}
