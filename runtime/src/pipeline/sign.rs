//! Phase 3: the scheme's headers, computed over the exact bytes about to be sent (the pure
//! instructions of `payspec_profile::auth`) and set on the request, secrets marked sensitive.

use payspec_profile::auth::{self, RequestView, ValueKind};
use payspec_profile::{Scheme, timestamp};
use reqwest::header::HeaderValue;

use super::plan::SchemePlan;
use crate::client::Runtime;
use crate::error::Error;
use crate::identity::{Issued, Keys};

/// When a request is signed: the timestamp as sent, the time for JWT claims, the nonce.
struct Moment<'a> {
    timestamp: &'a str,
    unix_seconds: u64,
    nonce: &'a str,
}

impl Runtime {
    /// Signs `request` now; returns the signatures sent (for the scrubber).
    pub(crate) fn sign(
        &self,
        plan: &SchemePlan,
        tokens: &[Issued],
        request: &mut reqwest::Request,
    ) -> Result<Vec<String>, Error> {
        let scheme = &plan.scheme;
        // A nonce only where a JWT may claim one: the system generator is not free.
        let nonce = if plan.jwt {
            payspec_profile::jwt::fresh_nonce()
        } else {
            String::new()
        };
        // One reading of the clock for the timestamp header and the JWT claims alike.
        let now = std::time::SystemTime::now();
        let moment = Moment {
            timestamp: &timestamp::at(now, scheme.timestamp),
            unix_seconds: now
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default()
                .as_secs(),
            nonce: &nonce,
        };
        self.sign_at(scheme, tokens, request, &moment)
    }

    /// Signs `request` at the given moment.
    fn sign_at(
        &self,
        scheme: &Scheme,
        tokens: &[Issued],
        request: &mut reqwest::Request,
        moment: &Moment<'_>,
    ) -> Result<Vec<String>, Error> {
        let keys = Keys {
            signing_keys: &self.shared.signing_keys,
            credentials: &self.shared.credentials,
            tokens,
        };
        let view = RequestView {
            unix_seconds: moment.unix_seconds,
            nonce: moment.nonce,
            method: request.method().as_str(),
            path: request.url().path(),
            path_and_query: &request.url()[url::Position::BeforePath..url::Position::AfterQuery],
            host: &request.url()[url::Position::BeforeHost..url::Position::AfterPort],
            // Signed over the body as it sits in the request: borrowed, never copied.
            body: request
                .body()
                .and_then(|b| b.as_bytes())
                .unwrap_or_default(),
            timestamp: moment.timestamp,
        };
        let instructions =
            auth::headers(self.profile(), scheme, &keys, &view).map_err(|e| match e {
                // An optional credential this operation needs: say which variable to set.
                auth::AuthError::MissingCredential(name) => {
                    Error::Config(crate::error::ConfigError::MissingCredential {
                        vendor: self.profile().vendor.clone(),
                        variable: self.profile().credential_variable(&name),
                    })
                }
                other => Error::InvalidRequest(format!("{}: {other}", self.profile().vendor)),
            })?;
        let mut signatures = Vec::new();
        for instruction in instructions {
            let name = self
                .shared
                .header_names
                .get(instruction.name)
                .cloned()
                .ok_or_else(|| {
                    Error::InvalidRequest(format!("{:?} is not a header name", instruction.name))
                })?;
            if instruction.kind == ValueKind::Signature {
                signatures.push(instruction.value.clone());
            }
            // Moved into the header, not copied.
            let mut value = HeaderValue::try_from(instruction.value).map_err(|_| {
                Error::InvalidRequest(format!(
                    "the value of header {} cannot be carried in a header",
                    instruction.name
                ))
            })?;
            value.set_sensitive(instruction.kind != ValueKind::Public);
            request.headers_mut().insert(name, value);
        }
        Ok(signatures)
    }
}

#[cfg(test)]
mod tests {
    use crate::{Credentials, Runtime, Settings};

    /// Every signing vector beside a spec: the runtime sets exactly the vector's headers on a
    /// request of the vector's body, method and path (a randomised signature: one that the
    /// verifier accepts for that request).
    #[test]
    fn the_runtime_signs_as_the_vectors_say() {
        let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut checked = 0;
        for vendor in payspec_profile::vectors::load_workspace(manifest) {
            for vector in &vendor.vectors.signatures {
                let credentials = vector
                    .credentials_of(&vendor.profile)
                    .into_iter()
                    .fold(Credentials::new(), |c, (k, v)| c.with(k, v));
                let settings = Settings::new()
                    .base_url("https://vendor.test")
                    .credentials(credentials);
                let runtime = Runtime::with_profile(vendor.profile.clone(), &[], settings).unwrap();
                let url = format!("https://vendor.test{}", vector.path)
                    .parse()
                    .unwrap();
                let mut request = reqwest::Request::new(vector.method.parse().unwrap(), url);
                *request.body_mut() = Some(vector.body.clone().into());
                let scheme = &vendor.profile.auth.schemes[&vector.scheme];
                runtime
                    .sign_at(
                        scheme,
                        &[],
                        &mut request,
                        &super::Moment {
                            timestamp: &vector.timestamp,
                            unix_seconds: vector.unix_seconds,
                            nonce: &vector.nonce,
                        },
                    )
                    .unwrap();
                for (name, expected) in &vector.headers {
                    let sent = request.headers().get(name).map(|v| v.to_str().unwrap());
                    if vector.randomized && sent != Some(expected.as_str()) {
                        verify_randomized(&runtime, scheme, vector, name, sent.unwrap());
                        continue;
                    }
                    assert_eq!(
                        sent,
                        Some(expected.as_str()),
                        "{}: {} {name}",
                        vendor.dir.display(),
                        vector.name
                    );
                }
                checked += 1;
            }
        }
        assert!(checked >= 8, "{checked} vectors");
    }

    /// A randomised signature the runtime made for a vector's request: the verifier accepts it.
    fn verify_randomized(
        runtime: &Runtime,
        scheme: &payspec_profile::Scheme,
        vector: &payspec_profile::vectors::SignatureVector,
        name: &str,
        sent: &str,
    ) {
        let Some(payspec_profile::ValueSource::Jwt(recipe)) = scheme.headers.get(name) else {
            panic!("{}: {name} differs and is not a JWT", vector.name);
        };
        let keys = crate::identity::Keys {
            credentials: &runtime.shared.credentials,
            tokens: &[],
            signing_keys: &runtime.shared.signing_keys,
        };
        let view = vector.view();
        payspec_profile::jwt::verify(recipe, &keys, sent, &view, 0)
            .unwrap_or_else(|why| panic!("{}: {name} {why}", vector.name));
    }
}
