//! The runtime a generated client carries (progenitor's "inner" value): it interprets the
//! vendor profile inside the request hooks.
//!
//! - `pre` ([`Runtime::prepare`]) merges credential fields into the JSON body, once.
//! - `exec` ([`Runtime::execute`]) stamps the timestamp, credential and signature headers
//!   over the exact body bytes, sends, and turns a failure response into a [`VendorError`]
//!   carried on the response.
//! - `post` ([`Runtime::inspect`]) hands such a failure to the generated code as an error.

use std::collections::BTreeMap;
use std::fmt;
use std::time::{Duration, Instant};

use bytes::Bytes;
use payspec_profile::{Profile, Scheme, SuccessRule, ValueSource};
use reqwest::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use tracing::Instrument as _;

use crate::call::OperationMeta;
use crate::credentials::Credentials;
use crate::error::{ConfigError, ResponseProblem, VendorError, excerpt};
use crate::settings::Settings;

/// Methods that are safe to retry.
const IDEMPOTENT_METHODS: [reqwest::Method; 5] = [
    reqwest::Method::GET,
    reqwest::Method::HEAD,
    reqwest::Method::PUT,
    reqwest::Method::DELETE,
    reqwest::Method::OPTIONS,
];

/// Statuses worth another attempt.
const RETRYABLE_STATUSES: [u16; 4] = [429, 502, 503, 504];
use crate::signing::{RequestParts, sign, timestamp_now};
use crate::token::{self, TokenFailure, Tokens};

/// The largest error body read to find the vendor's code and message.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// A vendor profile with its credentials and endpoint: everything a request needs.
#[derive(Clone)]
pub struct Runtime {
    profile: Profile,
    operations: &'static [OperationMeta],
    credentials: Credentials,
    base_url: String,
    http: reqwest::Client,
    tokens: Tokens,
    /// Retry policy, timeouts and the response cap (credentials and client moved out).
    settings: Settings,
    /// The schemes' header names, parsed once.
    header_names: BTreeMap<String, HeaderName>,
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("vendor", &self.profile.vendor)
            .field("base_url", &self.base_url)
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

impl Runtime {
    /// Builds the runtime from the embedded profile (JSON), the vendor's operations and the
    /// caller's settings.
    pub fn new(
        profile_json: &str,
        operations: &'static [OperationMeta],
        settings: Settings,
    ) -> Result<Self, ConfigError> {
        let profile: Profile =
            serde_json::from_str(profile_json).map_err(|e| ConfigError::Profile(e.to_string()))?;
        let base_url =
            match (&settings.base_url, &settings.server) {
                (Some(url), _) => url.clone(),
                (None, _) if settings.sandbox.is_some() => {
                    let root = settings
                        .sandbox
                        .as_deref()
                        .unwrap_or_default()
                        .trim_end_matches('/');
                    let server = profile
                        .servers
                        .get(&profile.default_server)
                        .map(String::as_str)
                        .unwrap_or_default();
                    let path = reqwest::Url::parse(server)
                        .map(|u| u.path().trim_end_matches('/').to_owned())
                        .unwrap_or_default();
                    format!("{root}/{}{path}", profile.vendor)
                }
                (None, server) => {
                    let name = server.as_deref().unwrap_or(&profile.default_server);
                    profile.servers.get(name).cloned().ok_or_else(|| {
                        ConfigError::UnknownServer {
                            vendor: profile.vendor.clone(),
                            server: name.to_owned(),
                            known: profile
                                .servers
                                .keys()
                                .cloned()
                                .collect::<Vec<_>>()
                                .join(", "),
                        }
                    })?
                }
            };
        let url = reqwest::Url::parse(&base_url).map_err(|e| ConfigError::InvalidBaseUrl {
            url: base_url.clone(),
            reason: e.to_string(),
        })?;
        if url.scheme() == "http" && !settings.allow_insecure_http && !is_loopback(&url) {
            return Err(ConfigError::InsecureUrl { url: base_url });
        }
        let mut settings = settings;
        let credentials = match (settings.credentials.take(), &settings.sandbox) {
            (Some(credentials), _) => credentials,
            (None, Some(_)) => Credentials::from_env_or_demo(&profile),
            (None, None) => Credentials::from_env(&profile)?,
        };
        check_credentials(&profile, &credentials)?;
        let http = match settings.http.take() {
            Some(http) => http,
            // No client-wide timeout: each attempt gets its own, within the call's deadline.
            None => reqwest::Client::builder()
                .connect_timeout(settings.timeouts.connect)
                .build()
                .map_err(|e| ConfigError::Http(e.to_string()))?,
        };
        let tokens = Tokens::new(&profile.tokens);
        let base_url = base_url.trim_end_matches('/').to_owned();
        let header_names = profile
            .auth
            .schemes
            .values()
            .flat_map(|scheme| scheme.headers.keys())
            .filter_map(|name| {
                HeaderName::try_from(name.as_str())
                    .ok()
                    .map(|parsed| (name.clone(), parsed))
            })
            .collect();
        Ok(Self {
            profile,
            operations,
            credentials,
            base_url,
            http,
            tokens,
            settings,
            header_names,
        })
    }

    /// The vendor profile.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The HTTP client.
    pub fn http_client(&self) -> &reqwest::Client {
        &self.http
    }

    /// Verifies a callback of this vendor and parses it: with the given key, or with the
    /// credential vendor.yaml names for it.
    pub fn verify_callback<T: serde::de::DeserializeOwned>(
        &self,
        name: &str,
        key: Option<&str>,
        body: &[u8],
    ) -> Result<T, crate::callback::CallbackError> {
        use payspec_profile::KeySource;
        let key = match (key, self.profile.callbacks.get(name).map(|c| &c.key)) {
            (Some(key), _) => key,
            (None, Some(KeySource::Credential(credential))) => {
                self.credentials.get(credential).unwrap_or_default()
            }
            (None, _) => {
                return Err(crate::callback::CallbackError::MissingKey {
                    vendor: self.profile.vendor.clone(),
                    name: name.to_owned(),
                    hint: "pass the key given by the vendor".into(),
                });
            }
        };
        crate::callback::verify(&self.profile, name, key, body)
    }

    /// The `pre` hook: merges the scheme's body fields into the JSON body.
    #[allow(
        clippy::result_large_err,
        reason = "the hook's signature is progenitor's"
    )]
    pub fn prepare<E>(
        &self,
        request: &mut reqwest::Request,
        operation: &str,
    ) -> Result<(), progenitor_client::Error<E>> {
        let Some(scheme) = self.profile.scheme_for(operation) else {
            return Ok(());
        };
        if scheme.body.is_empty() {
            return Ok(());
        }
        let mut object = match request.body().and_then(|b| b.as_bytes()) {
            None | Some(b"") => serde_json::Map::new(),
            Some(bytes) => match serde_json::from_slice(bytes) {
                Ok(serde_json::Value::Object(object)) => object,
                _ => {
                    return Err(progenitor_client::Error::InvalidRequest(format!(
                        "{} {operation}: credentials go into the JSON body, but the body is not a JSON object",
                        self.profile.vendor
                    )));
                }
            },
        };
        let timestamp = timestamp_now(scheme.timestamp);
        for (field, source) in &scheme.body {
            // The profile validation keeps signatures and tokens out of the body.
            if let Some(value) = self.credentials.plain(source, &timestamp) {
                object.insert(field.clone(), serde_json::Value::String(value.to_owned()));
            }
        }
        let bytes = serde_json::to_vec(&object)
            .map_err(|e| progenitor_client::Error::InvalidRequest(e.to_string()))?;
        request
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        *request.body_mut() = Some(bytes.into());
        Ok(())
    }

    /// The `exec` hook: authenticates (afresh for every attempt), sends, retries what may be
    /// retried, reads the body within the size cap, and classifies the response.
    ///
    /// Retried: idempotent operations after a connection failure, a body cut off, or a 429,
    /// 502, 503 or 504, within the attempt and time budgets. Resent once: a request whose bearer
    /// token the vendor rejected (401), with a fresh token. Nothing else is ever sent twice.
    pub async fn execute(
        &self,
        http: &reqwest::Client,
        request: reqwest::Request,
        operation: &str,
    ) -> reqwest::Result<reqwest::Response> {
        let span = tracing::info_span!(
            "payspec.request",
            vendor = %self.profile.vendor,
            operation,
            method = %request.method(),
        );
        let deadline = Instant::now() + self.settings.timeouts.call;
        let scheme = self.profile.scheme_for(operation);
        let uses_token = scheme.is_some_and(|s| {
            s.headers
                .values()
                .any(|v| matches!(v, ValueSource::Token(_)))
        });
        let idempotent = IDEMPOTENT_METHODS.contains(request.method())
            || self.profile.idempotent.iter().any(|o| o == operation);
        // An unsigned copy to sign afresh for a retry (only when one may happen).
        let pristine = if idempotent || uses_token {
            request.try_clone()
        } else {
            None
        };
        let resend = || pristine.as_ref().and_then(reqwest::Request::try_clone);
        let mut next = Some(request);
        let mut attempt = 0;
        let mut token_renewed = false;
        while let Some(mut request) = next.take() {
            attempt += 1;
            let may_retry =
                idempotent && attempt < self.settings.retry.max_attempts && pristine.is_some();
            let issued = match scheme {
                Some(scheme) => match self
                    .authenticate(http, scheme, &mut request)
                    .instrument(span.clone())
                    .await
                {
                    Ok(issued) => issued,
                    Err(TokenFailure::Http(error)) => return Err(error),
                    Err(TokenFailure::Vendor(refusal)) => return Ok(failure_response(refusal)),
                },
                None => Vec::new(),
            };
            *request.timeout_mut() = Some(
                self.settings
                    .timeouts
                    .attempt
                    .min(deadline.saturating_duration_since(Instant::now())),
            );
            let started = Instant::now();
            let response = match http.execute(request).instrument(span.clone()).await {
                Ok(response) => response,
                Err(error) => {
                    tracing::debug!(parent: &span, attempt, error = %error, "attempt failed");
                    if may_retry && self.wait_to_retry(&span, attempt, None, deadline).await {
                        next = resend();
                        continue;
                    }
                    return Err(error);
                }
            };
            let status = response.status();
            tracing::debug!(
                parent: &span,
                attempt,
                status = status.as_u16(),
                latency_ms = started.elapsed().as_millis() as u64,
                "response"
            );
            if status == reqwest::StatusCode::UNAUTHORIZED && !issued.is_empty() && !token_renewed {
                tracing::debug!(parent: &span, "token rejected: renewing it and sending once more");
                token_renewed = true;
                for (provider, generation) in issued {
                    self.tokens.revoke(&provider, generation).await;
                }
                next = resend();
                attempt -= 1;
                if next.is_some() {
                    continue;
                }
            }
            if may_retry && RETRYABLE_STATUSES.contains(&status.as_u16()) {
                let retry_after = response
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(Duration::from_secs);
                if self
                    .wait_to_retry(&span, attempt, retry_after, deadline)
                    .await
                {
                    next = resend();
                    continue;
                }
            }
            let headers = response.headers().clone();
            let limit = if status.is_success() {
                self.settings.max_response_bytes
            } else {
                MAX_ERROR_BODY
            };
            let body = match read_capped(response, limit).await {
                Ok(body) => body,
                Err(error) => {
                    tracing::debug!(parent: &span, attempt, error = %error, "body cut off");
                    if may_retry && self.wait_to_retry(&span, attempt, None, deadline).await {
                        next = resend();
                        continue;
                    }
                    return Err(error);
                }
            };
            let _entered = span.enter();
            return Ok(if status.is_success() {
                self.classify_success(status, headers, body, operation)
            } else {
                let failure = self.vendor_error(status.as_u16(), operation, &body);
                tracing::debug!(status = status.as_u16(), code = ?failure.code, "vendor error");
                rebuild(status, headers, body, Some(Marker::Vendor(failure)))
            });
        }
        // Only reached when a 401 left nothing to resend (a streamed body): report it as is.
        Ok(failure_response(self.vendor_error(401, operation, b"")))
    }

    /// Waits before attempt `attempt + 1` and says whether to make it (false: give up, the
    /// wait would go past the deadline or beyond what the policy allows).
    async fn wait_to_retry(
        &self,
        span: &tracing::Span,
        attempt: u32,
        retry_after: Option<Duration>,
        deadline: Instant,
    ) -> bool {
        let Some(wait) = self.backoff(attempt, retry_after, deadline) else {
            return false;
        };
        tracing::debug!(parent: span, attempt, wait_ms = wait.as_millis() as u64, "retrying");
        tokio::time::sleep(wait).await;
        true
    }

    /// How long to wait before attempt `attempt + 1`, or `None` to give up: exponential
    /// backoff with jitter, or the server's `Retry-After` when it is within the policy.
    fn backoff(
        &self,
        attempt: u32,
        retry_after: Option<Duration>,
        deadline: Instant,
    ) -> Option<Duration> {
        let policy = &self.settings.retry;
        let wait = match retry_after {
            Some(asked) if asked > policy.max_backoff => return None,
            Some(asked) => asked,
            None => {
                let exponential = policy
                    .initial_backoff
                    .saturating_mul(1 << attempt.saturating_sub(1).min(16));
                let ceiling = exponential.min(policy.max_backoff);
                // "Equal jitter": half fixed, half random, so that clients spread out.
                let random = std::hash::BuildHasher::hash_one(
                    &std::collections::hash_map::RandomState::new(),
                    (attempt, Instant::now()),
                );
                ceiling / 2 + Duration::from_nanos(random % (ceiling.as_nanos() as u64 / 2 + 1))
            }
        };
        (Instant::now() + wait < deadline).then_some(wait)
    }

    /// A success: its body within the cap and JSON where the operation returns JSON, the
    /// envelope opened (or marked as a failure when it says so).
    fn classify_success(
        &self,
        status: reqwest::StatusCode,
        headers: reqwest::header::HeaderMap,
        body: Bytes,
        operation: &str,
    ) -> reqwest::Response {
        let problem = |message: String| {
            let excerpt = self.scrub(&excerpt(&body));
            Marker::Problem(ResponseProblem {
                status: status.as_u16(),
                message,
                excerpt,
            })
        };
        if body.len() >= self.settings.max_response_bytes {
            let message = format!(
                "the response body exceeds {} bytes",
                self.settings.max_response_bytes
            );
            return rebuild(status, headers, body.slice(..0), Some(problem(message)));
        }
        let returns_body = self
            .operations
            .iter()
            .find(|o| o.id == operation)
            .is_none_or(|o| o.returns_body);
        if !returns_body {
            return rebuild(status, headers, body, None);
        }
        let Some(envelope) = &self.profile.envelope else {
            // Validated without building a tree; the generated code parses it into its type.
            return match serde_json::from_slice::<serde::de::IgnoredAny>(&body) {
                Ok(_) => rebuild(status, headers, body, None),
                Err(e) => {
                    let message = not_json(&body, &headers, &e);
                    rebuild(status, headers, body.clone(), Some(problem(message)))
                }
            };
        };
        let opened = match open_envelope(envelope, &body) {
            Ok(opened) => opened,
            Err(e) => {
                return {
                    let message = not_json(&body, &headers, &e);
                    rebuild(status, headers, body.clone(), Some(problem(message)))
                };
            }
        };
        match opened {
            Opened::Failed => {
                let failure = self.vendor_error(status.as_u16(), operation, &body);
                tracing::debug!(status = status.as_u16(), code = ?failure.code, "envelope says failure");
                rebuild(status, headers, body, Some(Marker::Vendor(failure)))
            }
            Opened::Payload(payload) => rebuild(status, headers, payload, None),
        }
    }

    /// The `post` hook: a response the runtime marked as a vendor failure becomes an error
    /// even when its status is 2xx (an envelope that says "failed").
    #[allow(
        clippy::result_large_err,
        reason = "the hook's signature is progenitor's"
    )]
    pub fn inspect<E>(
        result: &reqwest::Result<reqwest::Response>,
    ) -> Result<(), progenitor_client::Error<E>> {
        let Ok(response) = result else { return Ok(()) };
        if let Some(problem) = response.extensions().get::<ResponseProblem>() {
            let mut marked = http::Response::new(Bytes::new());
            marked.extensions_mut().insert(problem.clone());
            return Err(progenitor_client::Error::UnexpectedResponse(
                reqwest::Response::from(marked),
            ));
        }
        match response.extensions().get::<VendorError>() {
            Some(failure) if response.status().is_success() => Err(
                progenitor_client::Error::UnexpectedResponse(failure_response(failure.clone())),
            ),
            _ => Ok(()),
        }
    }

    /// Sets the scheme's headers on the request, signing its exact body bytes. Returns the
    /// tokens used (provider and generation), so that a 401 can revoke them.
    async fn authenticate(
        &self,
        http: &reqwest::Client,
        scheme: &Scheme,
        request: &mut reqwest::Request,
    ) -> Result<Vec<(String, u64)>, TokenFailure> {
        let timestamp = timestamp_now(scheme.timestamp);
        let mut issued = Vec::new();
        let mut values = Vec::with_capacity(scheme.headers.len());
        {
            // Signed over the body as it sits in the request: borrowed, never copied.
            let parts = RequestParts {
                method: request.method().as_str(),
                path: request.url().path(),
                body: request
                    .body()
                    .and_then(|b| b.as_bytes())
                    .unwrap_or_default(),
                timestamp: &timestamp,
            };
            for (name, source) in &scheme.headers {
                let (value, sensitive) = match source {
                    ValueSource::Credential(credential) => (
                        self.credentials
                            .get(credential)
                            .unwrap_or_default()
                            .to_owned(),
                        true,
                    ),
                    ValueSource::Literal(text) => (text.clone(), false),
                    ValueSource::Timestamp => (timestamp.clone(), false),
                    ValueSource::HmacSha256(recipe) => {
                        let key = self.credentials.get(&recipe.key).unwrap_or_default();
                        (sign(recipe, key.as_bytes(), &parts), true)
                    }
                    ValueSource::Token(provider) => {
                        let token = self.tokens.get(provider, &self.token_context(http)).await?;
                        issued.push((provider.clone(), token.generation));
                        (token.value, true)
                    }
                    // The profile validation allows refresh tokens only in token calls.
                    ValueSource::RefreshToken => continue,
                };
                values.push((name, value, sensitive));
            }
        }
        for (name, value, sensitive) in values {
            // Names and values were checked when the runtime was built.
            let (Some(name), Ok(mut value)) = (
                self.header_names.get(name.as_str()).cloned(),
                HeaderValue::try_from(value),
            ) else {
                tracing::error!(header = %name, "header skipped: invalid name or value");
                continue;
            };
            value.set_sensitive(sensitive);
            request.headers_mut().insert(name, value);
        }
        Ok(issued)
    }

    fn token_context<'a>(&'a self, http: &'a reqwest::Client) -> token::Context<'a> {
        token::Context {
            vendor: &self.profile.vendor,
            base_url: &self.base_url,
            http,
            credentials: &self.credentials,
            operations: self.operations,
            runtime: self,
        }
    }

    /// Decodes the vendor's code and message from an error body, by the profile's pointers.
    pub fn vendor_error(&self, status: u16, operation: &str, body: &[u8]) -> VendorError {
        let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
        let at = |pointer: &Option<String>| {
            let value = json.as_ref()?.pointer(pointer.as_deref()?)?;
            match value {
                serde_json::Value::Null => None,
                serde_json::Value::String(s) => Some(s.clone()),
                other => Some(other.to_string()),
            }
        };
        VendorError {
            vendor: self.profile.vendor.clone(),
            operation: operation.to_owned(),
            status,
            code: at(&self.profile.errors.code).map(|c| self.scrub(&c)),
            message: at(&self.profile.errors.message).map(|m| self.scrub(&m)),
            excerpt: self.scrub(&excerpt(body)),
        }
    }

    /// Replaces any credential value in `text` (a vendor may echo a request back).
    fn scrub(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for secret in self.credentials.values() {
            if out.contains(secret) {
                out = out.replace(secret, "[redacted]");
            }
        }
        out
    }
}

/// A response with a new body (and Content-Length), optionally marked as a vendor failure.
fn rebuild(
    status: reqwest::StatusCode,
    mut headers: reqwest::header::HeaderMap,
    body: Bytes,
    marker: Option<Marker>,
) -> reqwest::Response {
    headers.insert(
        reqwest::header::CONTENT_LENGTH,
        HeaderValue::from(body.len()),
    );
    let mut response = http::Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    match marker {
        Some(Marker::Vendor(failure)) => {
            response.extensions_mut().insert(failure);
        }
        Some(Marker::Problem(problem)) => {
            response.extensions_mut().insert(problem);
        }
        None => {}
    }
    reqwest::Response::from(response)
}

/// What the runtime found wrong with a response, carried on it to the `post` hook.
enum Marker {
    Vendor(VendorError),
    Problem(ResponseProblem),
}

fn not_json(
    body: &[u8],
    headers: &reqwest::header::HeaderMap,
    error: &serde_json::Error,
) -> String {
    if body.is_empty() {
        return "the response body is empty".to_owned();
    }
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("none");
    format!("the response body is not JSON (content-type {content_type}): {error}")
}

/// What an envelope held.
enum Opened {
    /// The success rule does not hold.
    Failed,
    /// The payload's bytes.
    Payload(Bytes),
}

/// Checks the success rule and cuts the payload out of an envelope. Top-level pointers (all
/// vendors' so far) are read as raw slices of the body: no tree is built and nothing is
/// re-serialised; deeper pointers go through a `Value`.
fn open_envelope(
    envelope: &payspec_profile::Envelope,
    body: &Bytes,
) -> Result<Opened, serde_json::Error> {
    fn top(pointer: &str) -> Option<&str> {
        pointer
            .strip_prefix('/')
            .filter(|p| !p.contains('/') && !p.contains('~'))
    }
    let payload_top = envelope.payload.as_deref().map(top);
    let rule_top = envelope.success.as_ref().map(|rule| match rule {
        SuccessRule::Equals { pointer, .. } | SuccessRule::Absent { pointer } => top(pointer),
    });
    if payload_top.is_none_or(|p| p.is_some()) && rule_top.is_none_or(|r| r.is_some()) {
        let payload_key = envelope.payload.as_deref().map(|p| &p[1..]);
        let rule_key = envelope.success.as_ref().map(|rule| match rule {
            SuccessRule::Equals { pointer, .. } | SuccessRule::Absent { pointer } => &pointer[1..],
        });
        let mut reader = serde_json::Deserializer::from_slice(body);
        let [payload, rule] =
            serde::de::DeserializeSeed::deserialize(Pick([payload_key, rule_key]), &mut reader)?;
        reader.end()?;
        let succeeded = match &envelope.success {
            None => true,
            Some(SuccessRule::Equals { value, .. }) => rule
                .and_then(|raw| serde_json::from_str::<serde_json::Value>(raw.get()).ok())
                .is_some_and(|v| v == *value),
            Some(SuccessRule::Absent { .. }) => rule.is_none_or(|raw| raw.get() == "null"),
        };
        if !succeeded {
            return Ok(Opened::Failed);
        }
        return Ok(Opened::Payload(
            match (envelope.payload.as_deref(), payload) {
                (Some(_), Some(raw)) => {
                    // The payload is a slice of the body: share it, do not copy it.
                    let start = raw.get().as_ptr() as usize - body.as_ptr() as usize;
                    body.slice(start..start + raw.get().len())
                }
                (Some(_), None) => Bytes::from_static(b"null"),
                (None, _) => body.clone(),
            },
        ));
    }
    let json: serde_json::Value = serde_json::from_slice(body)?;
    let succeeded = match &envelope.success {
        None => true,
        Some(SuccessRule::Equals { pointer, value }) => json.pointer(pointer) == Some(value),
        Some(SuccessRule::Absent { pointer }) => json.pointer(pointer).is_none_or(|v| v.is_null()),
    };
    if !succeeded {
        return Ok(Opened::Failed);
    }
    let payload = match &envelope.payload {
        Some(pointer) => json
            .pointer(pointer)
            .cloned()
            .unwrap_or(serde_json::Value::Null),
        None => json,
    };
    Ok(Opened::Payload(
        serde_json::to_vec(&payload)
            .map(Bytes::from)
            .unwrap_or_default(),
    ))
}

/// Up to two top-level fields of a JSON object, as raw slices of the input; every other field
/// is skipped (checked, not kept). Opens envelopes without building a map.
struct Pick<'k>([Option<&'k str>; 2]);

/// An object key, borrowed from the input unless it had escapes.
struct Key<'de>(std::borrow::Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> serde::de::Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Owned(v.to_owned())))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for Pick<'_> {
    type Value = [Option<&'de serde_json::value::RawValue>; 2];
    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Pick<'_> {
    type Value = [Option<&'de serde_json::value::RawValue>; 2];
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = [None, None];
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            match self.0.iter().position(|wanted| *wanted == Some(&*key)) {
                Some(i) => found[i] = Some(map.next_value::<&'de serde_json::value::RawValue>()?),
                None => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(found)
    }
}

/// Loopback hosts, where plain HTTP cannot be intercepted off the machine.
fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// A response standing for a failure, for the generated code to return as an error.
fn failure_response(failure: VendorError) -> reqwest::Response {
    let mut response = http::Response::new(Bytes::from(failure.excerpt.clone()));
    if let Ok(status) = reqwest::StatusCode::from_u16(failure.status) {
        *response.status_mut() = status;
    }
    response.extensions_mut().insert(failure);
    reqwest::Response::from(response)
}

/// Reads at most `limit` bytes of a body (the rest is dropped unread). A body whose declared
/// length fits is collected in one go; others are read chunk by chunk up to the limit.
async fn read_capped(mut response: reqwest::Response, limit: usize) -> reqwest::Result<Bytes> {
    if response
        .content_length()
        .is_some_and(|length| (length as usize) < limit)
    {
        return response.bytes().await;
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = limit.saturating_sub(body.len());
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= limit {
            break;
        }
    }
    Ok(Bytes::from(body))
}

/// Every credential the profile declares must be present, and those sent as header values
/// must be valid in a header: checked once here so that sending never has to fail on them.
fn check_credentials(profile: &Profile, credentials: &Credentials) -> Result<(), ConfigError> {
    let in_headers: Vec<&str> = profile
        .auth
        .schemes
        .values()
        .flat_map(|scheme| scheme.headers.values())
        .filter_map(|source| match source {
            ValueSource::Credential(name) => Some(name.as_str()),
            _ => None,
        })
        .collect();
    for name in profile.credentials.keys() {
        let variable = profile.credential_variable(name);
        let Some(value) = credentials.get(name) else {
            return Err(ConfigError::MissingCredential {
                vendor: profile.vendor.clone(),
                variable,
            });
        };
        if in_headers.contains(&name.as_str()) && HeaderValue::from_str(value).is_err() {
            return Err(ConfigError::InvalidCredential {
                vendor: profile.vendor.clone(),
                variable,
                reason: "it is sent in a header but contains characters a header cannot carry"
                    .into(),
            });
        }
    }
    Ok(())
}
