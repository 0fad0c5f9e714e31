//! Phase 3: the scheme's headers, computed over the exact bytes about to be sent (the pure
//! instructions of `payspec_profile::auth`) and set on the request, secrets marked sensitive.

use payspec_profile::auth::{self, RequestView, ValueKind};
use payspec_profile::{Scheme, timestamp};
use reqwest::header::HeaderValue;

use crate::client::Runtime;
use crate::error::Error;
use crate::identity::{Issued, Keys};

impl Runtime {
    /// Signs `request`; returns the signatures sent (for the scrubber).
    pub(crate) fn sign(
        &self,
        scheme: &Scheme,
        tokens: &[Issued],
        request: &mut reqwest::Request,
    ) -> Result<Vec<String>, Error> {
        let stamp = timestamp::now(scheme.timestamp);
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
            timestamp: &stamp,
        };
        let instructions = auth::headers(self.profile(), scheme, &keys, &view)
            .map_err(|e| Error::InvalidRequest(format!("{}: {e}", self.profile().vendor)))?;
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
            let mut value = HeaderValue::try_from(instruction.value.as_str()).map_err(|_| {
                Error::InvalidRequest(format!(
                    "the value of header {} cannot be carried in a header",
                    instruction.name
                ))
            })?;
            value.set_sensitive(instruction.kind != ValueKind::Public);
            if instruction.kind == ValueKind::Signature {
                signatures.push(instruction.value);
            }
            request.headers_mut().insert(name, value);
        }
        Ok(signatures)
    }
}
