//! Bearer tokens the runtime obtains itself, as `vendor.yaml`'s `tokens` declare: log in on
//! first use, cache, refresh before expiry with the newest (rotated) refresh token, fall back
//! to a fresh login when the refresh fails, and forget a token the vendor has revoked.
//!
//! One async mutex per provider makes concurrent first calls wait for a single login.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use payspec_profile::{TokenCall, TokenProvider, ValueSource};
use reqwest::header::{CONTENT_TYPE, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use tracing::Instrument as _;

use crate::call::OperationMeta;
use crate::credentials::Credentials;
use crate::error::VendorError;
use crate::signing::timestamp_now;

/// Why a token could not be had.
pub(crate) enum TokenFailure {
    /// The vendor could not be reached.
    Http(reqwest::Error),
    /// The vendor refused, or answered without a token.
    Vendor(VendorError),
}

/// A token handed out, with the generation that identifies it for invalidation.
pub(crate) struct Issued {
    pub value: String,
    pub generation: u64,
}

#[derive(Default)]
struct State {
    access: Option<SecretString>,
    refresh: Option<SecretString>,
    expires_at: Option<Instant>,
    generation: u64,
}

struct Provider {
    spec: TokenProvider,
    state: tokio::sync::Mutex<State>,
}

/// All token providers of a vendor; shared by clones of a client.
#[derive(Clone, Default)]
pub(crate) struct Tokens {
    providers: Arc<BTreeMap<String, Provider>>,
}

/// What a token call needs from the runtime.
pub(crate) struct Context<'a> {
    pub vendor: &'a str,
    pub base_url: &'a str,
    pub http: &'a reqwest::Client,
    pub credentials: &'a Credentials,
    pub operations: &'a [OperationMeta],
    /// Decodes the vendor's error bodies.
    pub runtime: &'a crate::Runtime,
}

impl Tokens {
    pub(crate) fn new(specs: &BTreeMap<String, TokenProvider>) -> Self {
        let providers = specs
            .iter()
            .map(|(name, spec)| {
                (
                    name.clone(),
                    Provider {
                        spec: spec.clone(),
                        state: Default::default(),
                    },
                )
            })
            .collect();
        Self {
            providers: Arc::new(providers),
        }
    }

    /// A valid access token (with its prefix), logging in or refreshing when needed.
    pub(crate) async fn get(
        &self,
        name: &str,
        context: &Context<'_>,
    ) -> Result<Issued, TokenFailure> {
        let Some(provider) = self.providers.get(name) else {
            return Err(TokenFailure::Vendor(synthetic(
                context.vendor,
                name,
                0,
                "no such token provider",
            )));
        };
        let mut state = provider.state.lock().await;
        if let (Some(access), Some(expires_at)) = (&state.access, state.expires_at)
            && Instant::now() < expires_at
        {
            return Ok(Issued {
                value: format!("{}{}", provider.spec.prefix, access.expose_secret()),
                generation: state.generation,
            });
        }
        let refreshed = match (&provider.spec.refresh, state.refresh.clone()) {
            (Some(call), Some(refresh_token)) => {
                match call_token_endpoint(&provider.spec, call, Some(&refresh_token), context).await
                {
                    Ok(tokens) => Some(tokens),
                    Err(TokenFailure::Http(e)) => return Err(TokenFailure::Http(e)),
                    Err(TokenFailure::Vendor(refusal)) => {
                        tracing::debug!(
                            status = refusal.status,
                            "refresh refused; logging in again"
                        );
                        None
                    }
                }
            }
            _ => None,
        };
        let tokens = match refreshed {
            Some(tokens) => tokens,
            None => {
                call_token_endpoint(&provider.spec, &provider.spec.login, None, context).await?
            }
        };
        state.generation += 1;
        let lifetime = tokens.lifetime;
        // Refresh early, but never so early that a short-lived token is never used.
        let margin = Duration::from_secs(provider.spec.refresh_before_seconds).min(lifetime / 2);
        state.expires_at = Some(Instant::now() + lifetime - margin);
        state.access = Some(tokens.access);
        if tokens.refresh.is_some() {
            state.refresh = tokens.refresh;
        }
        let access = state
            .access
            .as_ref()
            .map(|a| a.expose_secret().to_owned())
            .unwrap_or_default();
        Ok(Issued {
            value: format!("{}{access}", provider.spec.prefix),
            generation: state.generation,
        })
    }

    /// Forgets the token of `generation` (the vendor answered 401 to it): the next `get` logs
    /// in afresh. A newer token, obtained meanwhile by another request, is kept.
    pub(crate) async fn revoke(&self, name: &str, generation: u64) {
        if let Some(provider) = self.providers.get(name) {
            let mut state = provider.state.lock().await;
            if state.generation == generation {
                *state = State {
                    generation: state.generation,
                    ..State::default()
                };
            }
        }
    }
}

struct Obtained {
    access: SecretString,
    refresh: Option<SecretString>,
    lifetime: Duration,
}

fn synthetic(vendor: &str, operation: &str, status: u16, message: &str) -> VendorError {
    VendorError {
        vendor: vendor.to_owned(),
        operation: operation.to_owned(),
        status,
        code: None,
        message: Some(message.to_owned()),
        excerpt: String::new(),
    }
}

async fn call_token_endpoint(
    spec: &TokenProvider,
    call: &TokenCall,
    refresh_token: Option<&SecretString>,
    context: &Context<'_>,
) -> Result<Obtained, TokenFailure> {
    let Some(operation) = context.operations.iter().find(|o| o.id == call.operation) else {
        return Err(TokenFailure::Vendor(synthetic(
            context.vendor,
            &call.operation,
            0,
            "the token operation is not in the spec",
        )));
    };
    let mut body = serde_json::Map::new();
    let timestamp = timestamp_now(Default::default());
    for (field, source) in &call.body {
        let value = match source {
            ValueSource::RefreshToken => {
                refresh_token.map(|t| t.expose_secret()).unwrap_or_default()
            }
            other => match context.credentials.plain(other, &timestamp) {
                Some(value) => value,
                None => continue,
            },
        };
        body.insert(field.clone(), serde_json::Value::String(value.to_owned()));
    }
    let url = format!("{}{}", context.base_url, operation.path);
    let method =
        reqwest::Method::from_bytes(operation.method.as_bytes()).unwrap_or(reqwest::Method::POST);
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    let span = tracing::debug_span!(
        "payspec.token",
        vendor = context.vendor,
        operation = operation.id
    );
    let exchange = async {
        let response = context
            .http
            .request(method, url)
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .body(bytes)
            .send()
            .await?;
        let status = response.status().as_u16();
        let body = response.bytes().await?;
        tracing::debug!(status, "token response");
        Ok((status, body))
    };
    let (status, body) = exchange
        .instrument(span)
        .await
        .map_err(TokenFailure::Http)?;
    if !(200..300).contains(&status) {
        return Err(TokenFailure::Vendor(context.runtime.vendor_error(
            status,
            operation.id,
            &body,
        )));
    }
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let text = |pointer: &str| {
        json.pointer(pointer)
            .and_then(|v| v.as_str())
            .filter(|s| !s.is_empty())
            .map(|s| SecretString::from(s.to_owned()))
    };
    let Some(access) = text(&spec.access_token) else {
        let message = format!("the response has no access token at {}", spec.access_token);
        return Err(TokenFailure::Vendor(synthetic(
            context.vendor,
            operation.id,
            status,
            &message,
        )));
    };
    let refresh = spec.refresh_token.as_deref().and_then(text);
    let seconds = spec
        .expires_in
        .as_deref()
        .and_then(|p| json.pointer(p))
        .and_then(|v| {
            v.as_u64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        })
        .unwrap_or(spec.default_lifetime_seconds);
    Ok(Obtained {
        access,
        refresh,
        lifetime: Duration::from_secs(seconds),
    })
}
