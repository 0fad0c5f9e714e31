//! Faults on request, for reliability tests: `x-payspec-fault: KIND[xN][@operation]`. A kind
//! the sandbox does not know, or a malformed header, is refused (400 naming it), never ignored.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The header that asks the sandbox to misbehave.
pub const FAULT_HEADER: &str = "x-payspec-fault";

/// The kinds, for messages.
pub const KINDS: &str = "503, 429, timeout, reset, lost-reply, html, garbage, empty, unknown-enum, \
     drift:enum, drift:null, drift:missing, drift:extra, slow:MS";

/// One change of the answer from what the spec says, as a vendor's API drifts from its docs
/// (for `payspec probe`): made once, at the first place in the answer where it can be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drift {
    /// An enum value the spec does not list.
    Enum,
    /// `null` where the spec says non-null.
    Null,
    /// A required field left out.
    Missing,
    /// A field the spec does not list.
    Extra,
}

/// A fault asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    Unavailable,
    TooMany,
    Timeout,
    Reset,
    /// The request is carried out, and its answer lost on the way back (the connection is
    /// reset after the headers): the client cannot know the vendor acted.
    LostReply,
    Html,
    Garbage,
    Empty,
    UnknownEnum,
    Drift(Drift),
    Slow(Duration),
}

/// A parsed fault header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FaultRequest {
    pub fault: Fault,
    /// Only the first N matching requests.
    pub times: Option<u32>,
    /// Only this operation.
    pub operation: Option<String>,
}

/// How an answer is changed from what the spec says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Alteration {
    /// Every enum value replaced by one the spec does not know.
    UnknownEnums,
    /// One drift.
    Drift(Drift),
}

/// What a fault does to the answer.
pub(crate) enum Effect {
    /// Answer normally.
    None,
    /// Answer normally, but with enum values the spec does not know.
    UnknownEnum,
    /// Answer normally, drifted once.
    Drift(Drift),
    /// Carry the request out, then lose the answer.
    LoseReply,
    /// Answer this instead.
    Reply(Response),
}

impl FaultRequest {
    /// Reads `KIND[xN][@operation]`.
    pub(crate) fn parse(header: &str) -> Result<Self, String> {
        let (spec, operation) = match header.split_once('@') {
            Some((_, "")) => return Err(format!("{header:?}: empty operation after '@'")),
            Some((spec, operation)) => (spec, Some(operation.to_owned())),
            None => (header, None),
        };
        let (kind, times) = match spec.rsplit_once('x') {
            Some((kind, n))
                if !kind.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && !n.is_empty() =>
            {
                let times = n
                    .parse::<u32>()
                    .map_err(|_| format!("{header:?}: count {n} is too large"))?;
                (kind, Some(times))
            }
            _ => (spec, None),
        };
        let fault = match kind {
            "503" => Fault::Unavailable,
            "429" => Fault::TooMany,
            "timeout" => Fault::Timeout,
            "reset" => Fault::Reset,
            "lost-reply" => Fault::LostReply,
            "html" => Fault::Html,
            "garbage" => Fault::Garbage,
            "empty" => Fault::Empty,
            "unknown-enum" => Fault::UnknownEnum,
            "drift:enum" => Fault::Drift(Drift::Enum),
            "drift:null" => Fault::Drift(Drift::Null),
            "drift:missing" => Fault::Drift(Drift::Missing),
            "drift:extra" => Fault::Drift(Drift::Extra),
            other => match other.strip_prefix("slow:").map(str::parse::<u64>) {
                Some(Ok(ms)) => Fault::Slow(Duration::from_millis(ms.min(60_000))),
                _ => return Err(format!("unknown fault {other:?} (kinds: {KINDS})")),
            },
        };
        Ok(Self {
            fault,
            times,
            operation,
        })
    }
}

impl Fault {
    /// Carries the fault out.
    pub(crate) async fn apply(self) -> Effect {
        match self {
            Fault::Unavailable => Effect::Reply(
                (StatusCode::SERVICE_UNAVAILABLE, [(header::RETRY_AFTER, "1")], "service unavailable").into_response(),
            ),
            Fault::TooMany => Effect::Reply(
                (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, "1")], "slow down").into_response(),
            ),
            Fault::Timeout => {
                tokio::time::sleep(Duration::from_secs(30)).await;
                Effect::Reply(StatusCode::GATEWAY_TIMEOUT.into_response())
            }
            Fault::Reset => Effect::Reply(reset()),
            Fault::LostReply => Effect::LoseReply,
            Fault::Html => Effect::Reply(
                (
                    StatusCode::BAD_GATEWAY,
                    [(header::CONTENT_TYPE, "text/html")],
                    "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>",
                )
                    .into_response(),
            ),
            Fault::Garbage => Effect::Reply(
                (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], "{\"data\": {\"id\": \"tru").into_response(),
            ),
            Fault::Empty => Effect::Reply(
                (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], "").into_response(),
            ),
            Fault::UnknownEnum => Effect::UnknownEnum,
            Fault::Drift(drift) => Effect::Drift(drift),
            Fault::Slow(wait) => {
                tokio::time::sleep(wait).await;
                Effect::None
            }
        }
    }
}

/// An answer whose body fails after its headers: the connection is reset mid-answer.
pub(crate) fn reset() -> Response {
    let failing = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "fault: reset",
        ))
    });
    (StatusCode::OK, Body::from_stream(failing)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_headers() {
        let parsed = |h: &str| FaultRequest::parse(h).map(|f| (f.fault, f.times, f.operation));
        assert_eq!(parsed("503"), Ok((Fault::Unavailable, None, None)));
        assert_eq!(
            parsed("503x2@list_orders"),
            Ok((Fault::Unavailable, Some(2), Some("list_orders".into())))
        );
        assert_eq!(
            parsed("slow:800"),
            Ok((Fault::Slow(Duration::from_millis(800)), None, None))
        );
        assert_eq!(parsed("resetx1"), Ok((Fault::Reset, Some(1), None)));
        assert_eq!(
            parsed("lost-replyx1@create_order"),
            Ok((Fault::LostReply, Some(1), Some("create_order".into())))
        );
        assert!(
            parsed("reste")
                .unwrap_err()
                .contains("unknown fault \"reste\"")
        );
        assert_eq!(
            parsed("drift:nullx1@get_order"),
            Ok((Fault::Drift(Drift::Null), Some(1), Some("get_order".into())))
        );
        assert!(parsed("drift:renamed").is_err());
        assert!(parsed("slow:soon").is_err());
        assert!(parsed("503@").is_err());
        assert!(parsed("503x99999999999").is_err());
    }
}
