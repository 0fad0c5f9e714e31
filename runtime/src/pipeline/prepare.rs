//! Phase 1: the request as the caller built it, completed once before any attempt: the
//! settings' public extra headers, and the scheme's body fields merged into the JSON body.

use payspec_profile::{Scheme, auth, timestamp};
use reqwest::header::{CONTENT_TYPE, HeaderValue};

use crate::call::OperationMeta;
use crate::client::Runtime;
use crate::error::Error;
use crate::identity::Keys;

impl Runtime {
    /// Sends an operation of a server group to the group's base URL: the request was built on
    /// the vendor's base URL (progenitor knows one), so that prefix is swapped.
    pub(crate) fn route(
        &self,
        request: &mut reqwest::Request,
        operation: &OperationMeta,
    ) -> Result<(), Error> {
        let Some(group) = operation.server_group else {
            return Ok(());
        };
        if self.shared.bases.unrouted.contains(group) {
            let vendor = self.profile().vendor.clone();
            let variable = format!("PAYSPEC_{vendor}_{group}_BASE_URL")
                .to_ascii_uppercase()
                .replace('-', "_");
            return Err(Error::Config(crate::error::ConfigError::UnroutedGroup {
                vendor,
                group: group.to_owned(),
                variable,
            }));
        }
        let built = request.url().as_str();
        let rest = built.strip_prefix(self.base_url()).ok_or_else(|| {
            Error::InvalidRequest(format!(
                "{} {}: the request URL is not under the client's base URL",
                self.profile().vendor,
                operation.id
            ))
        })?;
        let target = format!("{}{rest}", self.base_url_of(Some(group)));
        *request.url_mut() = reqwest::Url::parse(&target)
            .map_err(|e| Error::InvalidRequest(format!("{target:?}: {e}")))?;
        Ok(())
    }

    /// A multipart operation's typed form, serialised as JSON by the generated code, is
    /// encoded as `multipart/form-data` (once: the bytes are what is signed and retried).
    pub(crate) fn encode_multipart(
        &self,
        request: &mut reqwest::Request,
        operation: &OperationMeta,
    ) -> Result<(), Error> {
        if operation.form {
            return self.encode_form(request, operation);
        }
        if let Some(media) = operation.media
            && request.body().is_some()
        {
            let media = HeaderValue::from_str(media)
                .map_err(|e| Error::InvalidRequest(format!("{media:?}: {e}")))?;
            request.headers_mut().insert(CONTENT_TYPE, media);
        }
        if !operation.multipart {
            return Ok(());
        }
        let form: serde_json::Value = match request.body().and_then(|b| b.as_bytes()) {
            Some(bytes) if !bytes.is_empty() => serde_json::from_slice(bytes).map_err(|e| {
                Error::InvalidRequest(format!(
                    "{} {}: the form is not JSON: {e}",
                    self.profile().vendor,
                    operation.id
                ))
            })?,
            _ => serde_json::Value::Object(Default::default()),
        };
        let (content_type, body) = crate::multipart::encode(&form).map_err(|e| {
            Error::InvalidRequest(format!("{} {}: {e}", self.profile().vendor, operation.id))
        })?;
        let content_type = HeaderValue::from_str(&content_type)
            .map_err(|e| Error::InvalidRequest(e.to_string()))?;
        request.headers_mut().insert(CONTENT_TYPE, content_type);
        *request.body_mut() = Some(body.into());
        Ok(())
    }

    /// A form-encoded operation's body, serialised as JSON by the generated code, written as
    /// a form with bracketed nested keys.
    fn encode_form(
        &self,
        request: &mut reqwest::Request,
        operation: &OperationMeta,
    ) -> Result<(), Error> {
        let body: serde_json::Value = match request.body().and_then(|b| b.as_bytes()) {
            Some(bytes) if !bytes.is_empty() => serde_json::from_slice(bytes).map_err(|e| {
                Error::InvalidRequest(format!(
                    "{} {}: the body is not JSON: {e}",
                    self.profile().vendor,
                    operation.id
                ))
            })?,
            _ => return Ok(()),
        };
        let text = crate::form::encode(&body).map_err(|e| {
            Error::InvalidRequest(format!("{} {}: {e}", self.profile().vendor, operation.id))
        })?;
        request.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        *request.body_mut() = Some(text.into());
        Ok(())
    }

    pub(crate) fn prepare(
        &self,
        scheme: Option<&Scheme>,
        request: &mut reqwest::Request,
        operation: &str,
    ) -> Result<(), Error> {
        for (name, value) in &self.shared.settings.extra_headers {
            if !request.headers().contains_key(name) {
                request.headers_mut().insert(name.clone(), value.clone());
            }
        }
        let Some(scheme) = scheme.filter(|s| !s.body.is_empty()) else {
            return Ok(());
        };
        let keys = Keys {
            signing_keys: &[],
            credentials: &self.shared.credentials,
            tokens: &[],
        };
        let fields =
            auth::body_fields(scheme, &keys, &timestamp::now(scheme.timestamp)).map_err(|e| {
                Error::InvalidRequest(format!("{} {operation}: {e}", self.profile().vendor))
            })?;
        let mut object = match request.body().and_then(|b| b.as_bytes()) {
            None | Some(b"") => serde_json::Map::new(),
            Some(bytes) => match serde_json::from_slice(bytes) {
                Ok(serde_json::Value::Object(object)) => object,
                _ => {
                    return Err(Error::InvalidRequest(format!(
                        "{} {operation}: credentials go into the JSON body, but the body is not a JSON object",
                        self.profile().vendor
                    )));
                }
            },
        };
        for (field, value) in fields {
            object.insert(field.to_owned(), serde_json::Value::String(value));
        }
        let bytes =
            serde_json::to_vec(&object).map_err(|e| Error::InvalidRequest(e.to_string()))?;
        request
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        *request.body_mut() = Some(bytes.into());
        Ok(())
    }
}
