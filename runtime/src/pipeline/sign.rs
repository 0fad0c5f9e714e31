//! Phase 3: the scheme's headers, computed over the exact bytes about to be sent (the pure
//! instructions of `payspec_profile::auth`) and set on the request, secrets marked sensitive.

use payspec_profile::auth::{self, RequestView, ValueKind};
use payspec_profile::{Scheme, timestamp};
use reqwest::header::HeaderValue;

use crate::client::Runtime;
use crate::error::Error;
use crate::identity::{Issued, Keys};

impl Runtime {
    /// Signs `request` now; returns the signatures sent (for the scrubber).
    pub(crate) fn sign(
        &self,
        scheme: &Scheme,
        tokens: &[Issued],
        request: &mut reqwest::Request,
    ) -> Result<Vec<String>, Error> {
        self.sign_at(scheme, tokens, request, &timestamp::now(scheme.timestamp))
    }

    /// Signs `request` with the given timestamp.
    fn sign_at(
        &self,
        scheme: &Scheme,
        tokens: &[Issued],
        request: &mut reqwest::Request,
        stamp: &str,
    ) -> Result<Vec<String>, Error> {
        let keys = Keys {
            credentials: &self.shared.credentials,
            tokens,
        };
        let view = RequestView {
            method: request.method().as_str(),
            path: request.url().path(),
            // Signed over the body as it sits in the request: borrowed, never copied.
            body: request
                .body()
                .and_then(|b| b.as_bytes())
                .unwrap_or_default(),
            timestamp: stamp,
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
    /// request of the vector's body, method and path.
    #[test]
    fn the_runtime_signs_as_the_vectors_say() {
        let specs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
        let mut checked = 0;
        for vendor in payspec_profile::vectors::load_all(&specs) {
            for vector in &vendor.vectors.signatures {
                let credentials = vector
                    .credentials
                    .iter()
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
                    .sign_at(scheme, &[], &mut request, &vector.timestamp)
                    .unwrap();
                for (name, expected) in &vector.headers {
                    let sent = request.headers().get(name).map(|v| v.to_str().unwrap());
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
        assert!(checked >= 5, "{checked} vectors");
    }
}
