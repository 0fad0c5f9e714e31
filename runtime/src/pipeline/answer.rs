//! A successful answer and what the generated code makes of it: the payload decoded into the
//! operation's type, nothing, bytes, or a status the spec does not list.
//!
//! A vendor's envelope (`{"data": …}`, `{"Result": true, "Body": …}`) is opened here, not in
//! classification: the typed decode opens a flat envelope in the same pass as it decodes the
//! payload, so the body is read once, as a hand-written `{"data": T}` wrapper reads it. Every
//! other way out opens it first, with the same outcome classification used to give: a failed
//! envelope is the vendor's error, a body that is not JSON an invalid response.

use std::fmt;

use bytes::Bytes;
use payspec_profile::envelope::{self, Decoded, Opened};
use progenitor_client::{ByteStream, ResponseValue};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::client::Runtime;
use crate::error::{Error, excerpt};

/// A successful answer, read and classified: its status and headers, and its body (the
/// vendor's envelope still closed, when it has one). The generated code decodes it
/// ([`Runtime::decode`]), or takes it as empty, as bytes, or as a status the spec does not
/// list.
#[derive(Debug)]
pub struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    /// The body; only the payload once the envelope is opened.
    pub(crate) payload: Bytes,
    /// The vendor's envelope around `payload`, not opened yet.
    pub(crate) sealed: Option<Sealed>,
}

/// What opening an envelope needs from the call it came from: a failed envelope is that
/// call's vendor error.
pub(crate) struct Sealed {
    pub operation: &'static str,
    /// The signatures the call sent, for the scrubber.
    pub signatures: Vec<String>,
    /// An earlier attempt's request may have reached the vendor.
    pub uncertain: bool,
}

impl fmt::Debug for Sealed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The signatures are secrets: never printed.
        f.debug_struct("Sealed")
            .field("operation", &self.operation)
            .field("uncertain", &self.uncertain)
            .finish_non_exhaustive()
    }
}

impl Answer {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The idempotency key the call was sent with, as reported under
    /// [`super::IDEMPOTENCY_KEY_HEADER`].
    pub fn idempotency_key(&self) -> Option<String> {
        super::idempotency::reported_key(&self.headers)
    }

    /// Reports the call's key among the headers the caller reads
    /// (`response.headers()[IDEMPOTENCY_KEY_HEADER]`), so a success can be reconciled too.
    pub(crate) fn report_idempotency_key(&mut self, key: &str) {
        if let Ok(value) = reqwest::header::HeaderValue::from_str(key) {
            self.headers.insert(super::IDEMPOTENCY_KEY_HEADER, value);
        }
    }
}

impl Runtime {
    /// The answer's payload decoded into the operation's type; a failed envelope is the
    /// vendor's error, and a body that does not decode an error whose message and excerpt
    /// are scrubbed.
    pub fn decode<T: serde::de::DeserializeOwned>(
        &self,
        answer: Answer,
    ) -> Result<ResponseValue<T>, Error> {
        let one_pass = match (&answer.sealed, &self.profile().envelope) {
            (Some(_), Some(envelope)) => envelope::decode::<T>(envelope, &answer.payload),
            _ => None,
        };
        match one_pass {
            Some(Ok(Decoded::Payload(inner))) => {
                Ok(ResponseValue::new(inner, answer.status, answer.headers))
            }
            // A failure, or a payload that is not a `T`: opening tells which, and says it as
            // the two-pass path does.
            _ => {
                let opened = self.open(answer)?;
                self.decode_payload(opened)
            }
        }
    }

    /// The answer of an operation that returns nothing for its status.
    pub fn empty(&self, answer: Answer) -> Result<ResponseValue<()>, Error> {
        let answer = self.open(answer)?;
        Ok(ResponseValue::new((), answer.status, answer.headers))
    }

    /// The answer's payload as bytes.
    pub fn stream(&self, answer: Answer) -> Result<ResponseValue<ByteStream>, Error> {
        let answer = self.open(answer)?;
        let once = futures_util::stream::once(std::future::ready(Ok(answer.payload)));
        Ok(ResponseValue::new(
            ByteStream::new(Box::pin(once)),
            answer.status,
            answer.headers,
        ))
    }

    /// A success status the spec does not list for the operation (or the vendor's failure,
    /// when its envelope says so).
    pub fn unexpected(&self, answer: Answer) -> Error {
        match self.open(answer) {
            Ok(answer) => Error::UnexpectedResponse {
                status: answer.status.as_u16(),
            },
            Err(error) => error,
        }
    }

    /// The answer with its envelope opened: the payload, or the vendor's failure.
    pub(crate) fn open(&self, mut answer: Answer) -> Result<Answer, Error> {
        let (Some(sealed), Some(envelope)) = (answer.sealed.take(), &self.profile().envelope)
        else {
            return Ok(answer);
        };
        match envelope::open(envelope, &answer.payload) {
            Ok(Opened::Payload(payload)) => Ok(Answer { payload, ..answer }),
            Ok(Opened::Failed) => {
                let status = answer.status.as_u16();
                let error = self.vendor_error(
                    status,
                    sealed.operation,
                    &answer.payload,
                    &sealed.signatures,
                );
                Err(self.vendor_failure(error, sealed.uncertain, answer.idempotency_key()))
            }
            Err(e) => {
                let message = if answer.payload.is_empty() {
                    "the response body is empty".to_owned()
                } else {
                    format!("the response body is not JSON: {e}")
                };
                Err(self.invalid_body(answer.status, &answer.payload, message, &sealed.signatures))
            }
        }
    }

    /// A success whose body breaks the operation's promise: what is wrong, and the start of
    /// the body, scrubbed of the client's secrets and of the call's `signatures`.
    pub(crate) fn invalid_body(
        &self,
        status: StatusCode,
        body: &[u8],
        message: String,
        signatures: &[String],
    ) -> Error {
        let body = String::from_utf8_lossy(body);
        Error::InvalidResponse {
            status: Some(status.as_u16()),
            message,
            excerpt: excerpt(&self.shared.scrubber.scrub(&body, signatures)),
        }
    }

    /// The answer's payload decoded into `T`, for a vendor without an envelope (the body is
    /// the payload): what generated code calls when vendor.yaml declares no envelope, so that
    /// the envelope's code is not compiled once per response type.
    pub fn decode_plain<T: serde::de::DeserializeOwned>(
        &self,
        answer: Answer,
    ) -> Result<ResponseValue<T>, Error> {
        self.decode_payload(answer)
    }

    /// An opened payload decoded into `T`. Kept small: it is compiled once per response type.
    fn decode_payload<T: serde::de::DeserializeOwned>(
        &self,
        answer: Answer,
    ) -> Result<ResponseValue<T>, Error> {
        // No body where the type may be absent (a 202 beside a JSON 200: the generator made
        // the success type optional) is `None`, not an error.
        let empty = answer.payload.trim_ascii().is_empty();
        let text: &[u8] = if empty { b"null" } else { &answer.payload };
        match crate::json_text::from_json_text(text) {
            Ok(inner) => Ok(ResponseValue::new(inner, answer.status, answer.headers)),
            Err(e) => Err(self.undecodable(&answer, empty, &e)),
        }
    }

    /// Why a payload does not decode, scrubbed.
    fn undecodable(&self, answer: &Answer, empty: bool, e: &serde_json::Error) -> Error {
        let message = if empty {
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
        self.invalid_body(answer.status, &answer.payload, message, &[])
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use payspec_profile::{envelope, pointer};
    use reqwest::StatusCode;
    use serde_json::{Value, json};

    use super::{Answer, Sealed};
    use crate::{Credentials, Error, Runtime};

    /// A runtime of every workspace vendor with an envelope, with its demo credentials.
    fn enveloped_runtimes() -> Vec<Runtime> {
        let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        payspec_profile::vectors::load_workspace(manifest)
            .into_iter()
            .filter(|vendor| vendor.profile.envelope.is_some())
            .map(|vendor| {
                let settings = crate::Settings::new()
                    .base_url("https://vendor.test")
                    .credentials(Credentials::from_env_or_demo(&vendor.profile));
                Runtime::with_profile(vendor.profile, &[], settings).unwrap()
            })
            .collect()
    }

    fn sealed(body: &[u8]) -> Answer {
        Answer {
            status: StatusCode::OK,
            headers: Default::default(),
            payload: Bytes::copy_from_slice(body),
            sealed: Some(Sealed {
                operation: "an_operation",
                signatures: Vec::new(),
                uncertain: false,
            }),
        }
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Typed {
        a: u8,
    }

    /// The decode of one pass says what opening the envelope and then decoding says, for
    /// successes, failures (also with a well-formed payload: the rule decides), payloads of
    /// the wrong type, and bodies that are not envelopes.
    fn agree<T: serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>(
        runtime: &Runtime,
        body: &[u8],
    ) -> Result<T, String> {
        let one_pass = runtime.decode::<T>(sealed(body)).map(|r| r.into_inner());
        let two_passes = runtime
            .open(sealed(body))
            .and_then(|opened| runtime.decode_payload::<T>(opened))
            .map(|r| r.into_inner());
        let [one_pass, two_passes] =
            [one_pass, two_passes].map(|r| r.map_err(|e: Error| e.to_string()));
        assert_eq!(one_pass, two_passes, "{}", String::from_utf8_lossy(body));
        one_pass
    }

    #[test]
    fn one_pass_agrees_with_opening_then_decoding() {
        let runtimes = enveloped_runtimes();
        assert!(runtimes.len() >= 2, "paywall and xpays have envelopes");
        for runtime in &runtimes {
            let profile = runtime.profile();
            let shape = profile.envelope.as_ref().unwrap();
            let at = shape.payload.as_deref().unwrap();
            let mut success = json!({});
            envelope::fill_success(shape, &profile.errors, &mut success, json!({"a": 1}));
            let failure = envelope::failure_body(
                Some(shape),
                &profile.errors,
                Some(json!(7)),
                "declined".into(),
            );
            let mut failure_with_payload = failure.clone();
            pointer::set(&mut failure_with_payload, at, json!({"a": 2}));
            let mut wrong_type = success.clone();
            pointer::set(&mut wrong_type, at, json!({"a": "one"}));
            let bytes = |v: &Value| serde_json::to_vec(v).unwrap();

            assert_eq!(
                agree::<Typed>(runtime, &bytes(&success)),
                Ok(Typed { a: 1 })
            );
            for failed in [&failure, &failure_with_payload] {
                let error = agree::<Typed>(runtime, &bytes(failed)).unwrap_err();
                assert!(error.contains("declined"), "{error}");
                let error = runtime.decode::<Value>(sealed(&bytes(failed))).unwrap_err();
                assert!(error.vendor_error().is_some(), "{error}");
            }
            let mismatch = agree::<Typed>(runtime, &bytes(&wrong_type)).unwrap_err();
            assert!(mismatch.contains("does not match"), "{mismatch}");
            for odd in [&b""[..], b"[1]", b"{\"a\":", b"null"] {
                assert!(agree::<Typed>(runtime, odd).is_err());
            }
        }
    }

    /// An empty body decodes as `None` where the success type is optional (a 202 beside a
    /// JSON 200), and stays an error where it is not.
    #[test]
    fn an_empty_body_is_none_for_an_optional_type_only() {
        let runtime = Runtime::with_profile(
            serde_json::from_value(json!({
                "vendor": "v", "title": "V", "servers": {"s": "https://v.test"}, "default_server": "s",
                "credentials": {}, "auth": {"default": "a", "schemes": {"a": {}}}
            }))
            .unwrap(),
            &[],
            crate::Settings::new().base_url("https://v.test"),
        )
        .unwrap();
        let plain = |body: &'static [u8]| Answer {
            status: StatusCode::ACCEPTED,
            headers: Default::default(),
            payload: Bytes::from_static(body),
            sealed: None,
        };
        let none = runtime.decode::<Option<Typed>>(plain(b"")).unwrap();
        assert_eq!(none.into_inner(), None);
        let some = runtime
            .decode::<Option<Typed>>(plain(br#"{"a": 1}"#))
            .unwrap();
        assert_eq!(some.into_inner(), Some(Typed { a: 1 }));
        let error = runtime.decode::<Typed>(plain(b" ")).unwrap_err();
        assert!(
            error.to_string().contains("the response body is empty"),
            "{error}"
        );
    }
}
