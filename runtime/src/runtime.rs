//! The runtime a generated client carries (progenitor's "inner" value): it interprets the
//! vendor profile inside the request hooks.
//!
//! - `pre` ([`Runtime::prepare`]) merges credential fields into the JSON body, once.
//! - `exec` ([`Runtime::execute`]) stamps the timestamp, credential and signature headers
//!   over the exact body bytes, sends, and turns a failure response into a [`VendorError`]
//!   carried on the response.
//! - `post` ([`Runtime::inspect`]) hands such a failure to the generated code as an error.

use std::fmt;
use std::time::{Duration, Instant};

use bytes::Bytes;
use payspec_profile::{Profile, Scheme, SuccessRule, ValueSource};
use reqwest::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use tracing::Instrument as _;

use crate::call::OperationMeta;
use crate::credentials::Credentials;
use crate::error::{ConfigError, VendorError, excerpt};
use crate::settings::Settings;
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
        reqwest::Url::parse(&base_url).map_err(|e| ConfigError::InvalidBaseUrl {
            url: base_url.clone(),
            reason: e.to_string(),
        })?;
        let credentials = match (settings.credentials, &settings.sandbox) {
            (Some(credentials), _) => credentials,
            (None, Some(_)) => Credentials::from_env_or_demo(&profile),
            (None, None) => Credentials::from_env(&profile)?,
        };
        check_credentials(&profile, &credentials)?;
        let http = match settings.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(10))
                .timeout(Duration::from_secs(60))
                .build()
                .map_err(|e| ConfigError::Http(e.to_string()))?,
        };
        let tokens = Tokens::new(&profile.tokens);
        let base_url = base_url.trim_end_matches('/').to_owned();
        Ok(Self {
            profile,
            operations,
            credentials,
            base_url,
            http,
            tokens,
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
            let value = match source {
                ValueSource::Credential(name) => self.credentials.get(name).unwrap_or_default(),
                ValueSource::Literal(text) => text,
                ValueSource::Timestamp => &timestamp,
                // The profile validation keeps signatures and tokens out of the body.
                ValueSource::HmacSha256(_) | ValueSource::Token(_) | ValueSource::RefreshToken => {
                    continue;
                }
            };
            object.insert(field.clone(), serde_json::Value::String(value.to_owned()));
        }
        let bytes = serde_json::to_vec(&object)
            .map_err(|e| progenitor_client::Error::InvalidRequest(e.to_string()))?;
        request
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        *request.body_mut() = Some(bytes.into());
        Ok(())
    }

    /// The `exec` hook: authenticates, sends, and classifies the response. A request whose
    /// bearer token the vendor rejects (401) is sent once more with a fresh token, never more.
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
        let scheme = self.profile.scheme_for(operation);
        let uses_token = scheme.is_some_and(|s| {
            s.headers
                .values()
                .any(|v| matches!(v, ValueSource::Token(_)))
        });
        let mut spare = if uses_token {
            request.try_clone()
        } else {
            None
        };
        let mut request = request;
        loop {
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
            let started = Instant::now();
            let response = match http.execute(request).instrument(span.clone()).await {
                Ok(response) => response,
                Err(error) => {
                    tracing::debug!(parent: &span, error = %error, "request failed");
                    return Err(error);
                }
            };
            let status = response.status();
            tracing::debug!(
                parent: &span,
                status = status.as_u16(),
                latency_ms = started.elapsed().as_millis() as u64,
                "response"
            );
            if status == reqwest::StatusCode::UNAUTHORIZED
                && !issued.is_empty()
                && let Some(copy) = spare.take()
            {
                tracing::debug!(parent: &span, "token rejected: logging in again and retrying once");
                for (provider, generation) in issued {
                    self.tokens.revoke(&provider, generation).await;
                }
                request = copy;
                continue;
            }
            return if status.is_success() {
                self.open_envelope(response, operation)
                    .instrument(span)
                    .await
            } else {
                self.decode_failure(response, operation)
                    .instrument(span)
                    .await
            };
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
        match result {
            Ok(response) if response.status().is_success() => {
                match response.extensions().get::<VendorError>() {
                    Some(failure) => Err(progenitor_client::Error::UnexpectedResponse(
                        failure_response(failure.clone()),
                    )),
                    None => Ok(()),
                }
            }
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
        let body: Bytes = request
            .body()
            .and_then(|b| b.as_bytes())
            .map(Bytes::copy_from_slice)
            .unwrap_or_default();
        let method = request.method().as_str().to_owned();
        let path = request.url().path().to_owned();
        let parts = RequestParts {
            method: &method,
            path: &path,
            body: &body,
            timestamp: &timestamp,
        };
        let mut issued = Vec::new();
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
            // Names and values were checked when the runtime was built.
            let (Ok(name), Ok(mut value)) = (
                HeaderName::try_from(name.as_str()),
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

    /// Unwraps a success response's envelope (handing on only the payload), or marks an
    /// envelope that says "failed" as a vendor failure. Without an envelope: unchanged.
    async fn open_envelope(
        &self,
        response: reqwest::Response,
        operation: &str,
    ) -> reqwest::Result<reqwest::Response> {
        let Some(envelope) = &self.profile.envelope else {
            return Ok(response);
        };
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await?;
        // Not JSON: hand it on untouched, the generated code reports the mismatch.
        let Ok(json) = serde_json::from_slice::<serde_json::Value>(&body) else {
            return Ok(rebuild(status, headers, body, None));
        };
        let succeeded = match &envelope.success {
            None => true,
            Some(SuccessRule::Equals { pointer, value }) => json.pointer(pointer) == Some(value),
            Some(SuccessRule::Absent { pointer }) => {
                json.pointer(pointer).is_none_or(|v| v.is_null())
            }
        };
        if !succeeded {
            let failure = self.vendor_error(status.as_u16(), operation, &body);
            tracing::debug!(status = status.as_u16(), code = ?failure.code, "envelope says failure");
            return Ok(rebuild(status, headers, body, Some(failure)));
        }
        let payload = match &envelope.payload {
            Some(pointer) => json
                .pointer(pointer)
                .cloned()
                .unwrap_or(serde_json::Value::Null),
            None => json,
        };
        let bytes = serde_json::to_vec(&payload)
            .map(Bytes::from)
            .unwrap_or(body);
        Ok(rebuild(status, headers, bytes, None))
    }

    /// Reads a failure response and re-issues it carrying the decoded [`VendorError`].
    async fn decode_failure(
        &self,
        response: reqwest::Response,
        operation: &str,
    ) -> reqwest::Result<reqwest::Response> {
        let status = response.status();
        let headers = response.headers().clone();
        let body = read_capped(response, MAX_ERROR_BODY).await?;
        let failure = self.vendor_error(status.as_u16(), operation, &body);
        tracing::debug!(status = status.as_u16(), code = ?failure.code, "vendor error");
        Ok(rebuild(status, headers, body, Some(failure)))
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
    failure: Option<VendorError>,
) -> reqwest::Response {
    headers.insert(
        reqwest::header::CONTENT_LENGTH,
        HeaderValue::from(body.len()),
    );
    let mut response = http::Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    if let Some(failure) = failure {
        response.extensions_mut().insert(failure);
    }
    reqwest::Response::from(response)
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

/// Reads at most `limit` bytes of a body (the rest is dropped unread).
async fn read_capped(mut response: reqwest::Response, limit: usize) -> reqwest::Result<Bytes> {
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
