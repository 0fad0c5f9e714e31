//! The identity phase: the bearer tokens a scheme sends, obtained as vendor.yaml's `tokens`
//! declare (kept in [`crate::tokens`]). Log in on first use, cache, refresh before expiry with the newest (rotated)
//! refresh token, fall back to a fresh login when the refresh fails, forget a token the vendor
//! rejected. Token calls go through the same pipeline as every call (timeouts, the call's
//! deadline, the size cap, retries, tracing, scrubbing); the tokens they bring are checked
//! and taught to the scrubber.

use crate::call::OperationMeta;
use std::time::{Duration, Instant};

use payspec_profile::TokenEncoding;
use payspec_profile::auth::Identity;
use payspec_profile::grant::{self, Grant};
use payspec_profile::{Scheme, TokenCall, TokenProvider, ValueSource};
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderValue};
use secrecy::{ExposeSecret, SecretString};

use crate::client::Runtime;
use crate::credentials::Credentials;
use crate::error::Error;
use crate::tokens::State;

/// A token handed out for one attempt, with the generation that identifies it for revocation.
pub(crate) struct Issued {
    pub provider: String,
    pub value: SecretString,
    pub generation: u64,
}

/// Credentials and the tokens of one attempt, as the auth instructions read them.
pub(crate) struct Keys<'a> {
    pub credentials: &'a Credentials,
    pub tokens: &'a [Issued],
    /// The JWT keys, read once when the client was built.
    pub signing_keys: &'a [SigningKeyOf],
}

/// A private key read from a credential for one JWT algorithm.
pub(crate) struct SigningKeyOf {
    pub credential: String,
    pub key: payspec_profile::jwt::SigningKey,
}

impl Identity for Keys<'_> {
    fn credential(&self, name: &str) -> Option<&str> {
        self.credentials.get(name)
    }

    fn token(&self, provider: &str) -> Option<&str> {
        self.tokens
            .iter()
            .find(|t| t.provider == provider)
            .map(|t| t.value.expose_secret())
    }

    fn signing_key(
        &self,
        credential: &str,
        algorithm: payspec_profile::JwtAlgorithm,
    ) -> Option<&payspec_profile::jwt::SigningKey> {
        self.signing_keys
            .iter()
            .find(|k| k.credential == credential && k.key.algorithm() == algorithm)
            .map(|k| &k.key)
    }
}

impl Runtime {
    /// The tokens `scheme` sends, each valid for now.
    pub(crate) async fn resolve_tokens(
        &self,
        scheme: &Scheme,
        deadline: Instant,
    ) -> Result<Vec<Issued>, Error> {
        let mut issued = Vec::new();
        for source in scheme.headers.values() {
            if let ValueSource::Token(name) = source {
                let token = self
                    .token(name, deadline)
                    .await
                    .map_err(|source| Error::Identity {
                        vendor: self.profile().vendor.clone(),
                        provider: name.clone(),
                        source: Box::new(source),
                    })?;
                issued.push(token);
            }
        }
        Ok(issued)
    }

    /// Forgets the tokens of an attempt the vendor rejected (401): the next attempt logs in
    /// afresh. A newer token, obtained meanwhile by another request, is kept.
    pub(crate) async fn revoke(&self, issued: &[Issued]) {
        for token in issued {
            if let Some(provider) = self.shared.tokens.providers.get(&token.provider) {
                let mut state = provider.state.lock().await;
                if state.generation == token.generation {
                    *state = State {
                        generation: state.generation,
                        ..State::default()
                    };
                }
            }
        }
    }

    async fn token(&self, name: &str, deadline: Instant) -> Result<Issued, Error> {
        let Some(provider) = self.shared.tokens.providers.get(name) else {
            return Err(Error::InvalidRequest(format!("no token provider {name:?}")));
        };
        let mut state = provider.state.lock().await;
        if let (Some(access), Some(expires_at)) = (&state.access, state.expires_at)
            && Instant::now() < expires_at
        {
            return Ok(issued(name, access, state.generation));
        }
        let grant = self.obtain(&provider.spec, &state, deadline).await?;
        let scrubber = &self.shared.scrubber;
        scrubber.learn(&grant.access);
        scrubber.learn(&format!("{}{}", provider.spec.prefix, grant.access));
        if let Some(refresh) = &grant.refresh {
            scrubber.learn(refresh);
        }
        let now = Instant::now();
        // Refresh early, but never so early that a short-lived token is never used.
        let margin =
            Duration::from_secs(provider.spec.refresh_before_seconds).min(grant.lifetime / 2);
        state.generation += 1;
        state.expires_at = Some(
            now.checked_add(grant.lifetime - margin)
                .unwrap_or_else(|| now + grant::MAX_LIFETIME / 2),
        );
        state.access = Some(SecretString::from(grant.access));
        if let Some(refresh) = grant.refresh {
            state.refresh = Some(SecretString::from(refresh));
        }
        let access = state
            .access
            .as_ref()
            .map(|a| a.expose_secret())
            .unwrap_or_default();
        Ok(issued(
            name,
            &SecretString::from(access.to_owned()),
            state.generation,
        ))
    }

    /// Refreshes with the newest refresh token when there is one; logs in otherwise, or when
    /// the vendor refuses the refresh.
    async fn obtain(
        &self,
        spec: &TokenProvider,
        state: &State,
        deadline: Instant,
    ) -> Result<Grant, Error> {
        if let (Some(call), Some(refresh)) = (&spec.refresh, &state.refresh) {
            match self
                .token_call(spec, call, Some(refresh.expose_secret()), deadline)
                .await
            {
                Ok(grant) => return Ok(grant),
                Err(Error::Vendor(refusal)) => {
                    tracing::debug!(status = refusal.status, "refresh refused; logging in again");
                }
                Err(other) => return Err(other),
            }
        }
        self.token_call(spec, &spec.login, None, deadline).await
    }

    /// One login or refresh, through the pipeline like any call.
    async fn token_call(
        &self,
        spec: &TokenProvider,
        call: &TokenCall,
        refresh_token: Option<&str>,
        deadline: Instant,
    ) -> Result<Grant, Error> {
        let operation = match &call.path {
            Some(path) => token_meta(&self.profile().vendor, path),
            None => self
                .operation(&call.operation)
                .ok_or_else(|| Error::UnknownOperation {
                    vendor: self.profile().vendor.clone(),
                    operation: call.operation.clone(),
                })?,
        };
        let keys = Keys {
            signing_keys: &[],
            credentials: &self.shared.credentials,
            tokens: &[],
        };
        let timestamp = payspec_profile::timestamp::now(Default::default());
        let body = grant::call_body(call, &keys, refresh_token, &timestamp)
            .map_err(|e| Error::InvalidRequest(e.to_string()))?;
        let url = format!("{}{}", self.base_url(), operation.path);
        let url = reqwest::Url::parse(&url).map_err(|e| Error::InvalidRequest(e.to_string()))?;
        let method = reqwest::Method::from_bytes(operation.method.as_bytes())
            .map_err(|e| Error::InvalidRequest(e.to_string()))?;
        let mut request = reqwest::Request::new(method, url);
        let (content_type, bytes) = match call.encoding {
            TokenEncoding::Json => (
                "application/json",
                serde_json::to_vec(&body).map_err(|e| Error::InvalidRequest(e.to_string()))?,
            ),
            TokenEncoding::Form => (
                "application/x-www-form-urlencoded",
                crate::form::encode(&body)
                    .map_err(Error::InvalidRequest)?
                    .into_bytes(),
            ),
        };
        let headers = request.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        for (name, source) in &call.headers {
            let (value, _) = payspec_profile::auth::plain_value(source, &keys, &timestamp)
                .map_err(|e| {
                    Error::InvalidRequest(format!("{} token call: {e}", self.profile().vendor))
                })?;
            let name = reqwest::header::HeaderName::try_from(name.as_str())
                .map_err(|e| Error::InvalidRequest(e.to_string()))?;
            let mut value = HeaderValue::try_from(value).map_err(|_| {
                Error::InvalidRequest(format!(
                    "{} token call: header {name} cannot carry its value",
                    self.profile().vendor
                ))
            })?;
            value.set_sensitive(true);
            headers.insert(name, value);
        }
        *request.body_mut() = Some(bytes.into());
        let answer = Box::pin(self.run_meta(request, operation, deadline)).await?;
        let answer = self.open(answer)?;
        grant::read(spec, &answer.payload).map_err(|e| Error::InvalidResponse {
            status: Some(answer.status.as_u16()),
            message: e.to_string(),
            // A token response is all secrets: none of it is quoted.
            excerpt: String::new(),
        })
    }
}

/// The id of a token call to a path outside the spec.
pub(crate) const TOKEN_CALL: &str = "token_endpoint";

/// The metadata of a token call to a path outside the spec: one per vendor and path, made
/// once and kept (the pipeline holds operations by `'static` reference; the set is as small as
/// the profiles' token paths).
fn token_meta(vendor: &str, path: &str) -> &'static OperationMeta {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static MADE: OnceLock<Mutex<HashMap<(String, String), &'static OperationMeta>>> =
        OnceLock::new();
    let mut made = MADE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    made.entry((vendor.to_owned(), path.to_owned()))
        .or_insert_with(|| {
            Box::leak(Box::new(OperationMeta {
                id: TOKEN_CALL,
                method: "POST",
                path: Box::leak(path.to_owned().into_boxed_str()),
                summary: "token endpoint (vendor.yaml tokens)",
                body: Some(true),
                returns_body: true,
                ..OperationMeta::UNSAID
            }))
        })
}

fn issued(provider: &str, access: &SecretString, generation: u64) -> Issued {
    Issued {
        provider: provider.to_owned(),
        value: SecretString::from(access.expose_secret().to_owned()),
        generation,
    }
}
