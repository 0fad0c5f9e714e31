//! Phase 4: one attempt on the wire, within its time budget, its body read within a cap (a
//! success's cap, or the prefix of an error body that holds the code and message). A body
//! declared larger than the cap is not read at all; an endless one is cut at the cap.

use std::future::Future;
use std::time::Duration;

use futures_util::FutureExt as _;
use tokio::time::Instant;

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::error::TransportKind;

/// How much of a body is read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// A success's body; larger is an error.
    pub success: usize,
    /// An error body's prefix.
    pub error: usize,
}

/// The time an attempt may take.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Budget {
    /// When it started (the clock is read once, for the deadline and the latency alike; on
    /// tokio's clock, which a test may pause, as the timer's is).
    pub started: Instant,
    pub length: Duration,
}

impl Budget {
    /// `length`, from now.
    pub fn from_now(length: Duration) -> Self {
        Budget {
            started: Instant::now(),
            length,
        }
    }
}

/// A reply on the wire: status, headers, and the body as far as it was read.
pub(crate) struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// More than the cap was sent (or declared): `body` holds at most the cap.
    pub over_cap: bool,
}

/// An attempt without a whole answer.
pub(crate) struct Lost {
    pub kind: TransportKind,
    /// The request may have reached the vendor (anything but a failed connection).
    pub may_have_arrived: bool,
    /// What the HTTP stack said (unscrubbed: the caller scrubs).
    pub message: String,
}

/// Sends `request` and reads its answer within `budget`. (A plain function: the exchange is
/// the largest part of a call's state, and one more `async` level would hold and move it
/// once more.)
pub(crate) fn attempt(
    http: &reqwest::Client,
    request: reqwest::Request,
    budget: Budget,
    limits: Limits,
) -> impl Future<Output = Result<Reply, Lost>> + Send + use<> {
    tokio::time::timeout_at(
        budget.started + budget.length,
        exchange(http, request, limits),
    )
    .map(move |result| {
        result.unwrap_or_else(|_| {
            Err(Lost {
                kind: TransportKind::Timeout,
                may_have_arrived: true,
                message: format!("no whole answer within {} ms", budget.length.as_millis()),
            })
        })
    })
}

/// The request handed to the HTTP client now, and its answer read as the future runs (the
/// request does not stay in the future's state beside the client's own copy of it).
fn exchange(
    http: &reqwest::Client,
    request: reqwest::Request,
    limits: Limits,
) -> impl Future<Output = Result<Reply, Lost>> + Send + use<> {
    let pending = http.execute(request);
    async move {
        // The response moves into the reading, in this block: it is not kept beside it.
        let (status, headers, reading) = {
            let mut response = pending.await.map_err(lost)?;
            let status = response.status();
            let headers = std::mem::take(response.headers_mut());
            let limit = if status.is_success() {
                limits.success
            } else if status.is_redirection() {
                0
            } else {
                limits.error
            };
            if status.is_success() && response.content_length().is_some_and(|n| n > limit as u64) {
                return Ok(Reply {
                    status,
                    headers,
                    body: Bytes::new(),
                    over_cap: true,
                });
            }
            (status, headers, read_capped(response, limit))
        };
        let (body, over_cap) = reading.await.map_err(lost)?;
        Ok(Reply {
            status,
            headers,
            body,
            over_cap,
        })
    }
}

/// Reads at most `limit` bytes of a body; whether more followed. A body whose declared length
/// fits is collected in one go; others chunk by chunk, and the rest is never read.
// Not an `async fn`, on purpose (see the block's comment).
#[allow(clippy::manual_async_fn)]
fn read_capped(
    mut response: reqwest::Response,
    limit: usize,
) -> impl Future<Output = reqwest::Result<(Bytes, bool)>> + Send {
    // An `async` block that reads the response it captured in place (an `async fn` would
    // hold its argument and a copy of it).
    async move {
        if limit == 0 {
            return Ok((Bytes::new(), false));
        }
        if response.content_length().is_some_and(|n| n <= limit as u64) {
            return response.bytes().await.map(|b| (b, false));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await? {
            let room = limit - body.len();
            if chunk.len() > room {
                body.extend_from_slice(&chunk[..room]);
                return Ok((Bytes::from(body), true));
            }
            body.extend_from_slice(&chunk);
        }
        Ok((Bytes::from(body), false))
    }
}

fn lost(error: reqwest::Error) -> Lost {
    let kind = if error.is_connect() {
        TransportKind::Connect
    } else if error.is_timeout() {
        TransportKind::Timeout
    } else if error.is_request() || error.is_body() || error.is_decode() {
        TransportKind::ConnectionLost
    } else {
        TransportKind::Other
    };
    Lost {
        kind,
        may_have_arrived: !error.is_connect(),
        message: with_causes(&error.without_url()),
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
    crate::scrub::without_url(&text)
}
