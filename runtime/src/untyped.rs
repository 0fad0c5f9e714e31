//! Calls an operation known only as data: a vendor loaded at run time (`payspec call --specs
//! DIR`), before any Rust was generated for it. The request goes through the same pipeline as
//! a generated client's (prepare, sign, transmit, classify, retry); what is missing is only
//! the typing: arguments are text, the body and the answer JSON.

use reqwest::header::{HeaderName, HeaderValue};

use crate::call::{CallOutcome, CallRequest, OperationMeta};
use crate::client::Runtime;
use crate::error::Error;

/// Sends `request` as `operation` describes it, through `runtime`.
pub async fn call(
    runtime: &Runtime,
    operation: &OperationMeta,
    request: &CallRequest,
) -> Result<CallOutcome, Error> {
    let http = build(runtime, operation, request)?;
    let answer = runtime.open(runtime.send(http, operation.id).await?)?;
    let status = answer.status().as_u16();
    let idempotency_key = answer.idempotency_key();
    let body = if !operation.returns_body || answer.payload.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_slice(&answer.payload)
            .unwrap_or_else(|_| crate::call::bytes_body(answer.payload.to_vec()))
    };
    Ok(CallOutcome {
        status,
        body,
        idempotency_key,
    })
}

/// The pages of a list operation known as data (its items as JSON), as vendor.yaml's
/// `pagination:` recipe for it says.
pub fn pages<'a>(
    runtime: &'a Runtime,
    operation: &'static OperationMeta,
    request: &CallRequest,
) -> crate::Pages<'a, serde_json::Value> {
    match build(runtime, operation, request) {
        Ok(first) => crate::Pages::new(runtime, first, operation.id),
        Err(error) => crate::Pages::failed(error),
    }
}

/// The HTTP request: the path template filled, query and header parameters set, the JSON body.
fn build(
    runtime: &Runtime,
    operation: &OperationMeta,
    request: &CallRequest,
) -> Result<reqwest::Request, Error> {
    if let Some(unknown) = request
        .args
        .keys()
        .find(|name| !operation.params.iter().any(|p| p.name == *name))
    {
        return Err(Error::InvalidRequest(format!(
            "{} has no parameter {unknown:?}",
            operation.id
        )));
    }
    let base = runtime
        .base_url_of(operation.server_group)
        .trim_end_matches('/');
    let mut url = reqwest::Url::parse(&format!("{base}{}", fill_path(operation, request)?))
        .map_err(|e| {
            Error::InvalidRequest(format!("{}: the URL cannot be built: {e}", operation.id))
        })?;
    let method = reqwest::Method::from_bytes(operation.method.as_bytes()).map_err(|e| {
        Error::InvalidRequest(format!(
            "{}: method {}: {e}",
            operation.id, operation.method
        ))
    })?;
    let mut headers = reqwest::header::HeaderMap::new();
    for param in operation.params {
        let (Some(value), location) = (request.args.get(param.name), param.location) else {
            continue;
        };
        match location {
            "query" => {
                url.query_pairs_mut().append_pair(param.name, value);
            }
            "header" => {
                let name = HeaderName::from_bytes(param.name.as_bytes()).map_err(|e| {
                    Error::InvalidRequest(format!("header parameter {}: {e}", param.name))
                })?;
                let value = HeaderValue::from_str(value).map_err(|e| {
                    Error::InvalidRequest(format!("header parameter {}: {e}", param.name))
                })?;
                headers.insert(name, value);
            }
            _ => {}
        }
    }
    let mut http = reqwest::Request::new(method, url);
    *http.headers_mut() = headers;
    if let Some(bytes) = body_bytes(operation, request)? {
        http.headers_mut().insert(
            reqwest::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        *http.body_mut() = Some(bytes.into());
    }
    Ok(http)
}

/// The body's bytes: JSON (a form or multipart is encoded from it by the pipeline, as a
/// generated client's is), or the text of a body of another media type, sent as it is (the
/// pipeline's prepare phase sets a media type other than JSON, for both paths). An operation
/// whose body is required gets `{}` when none is given.
fn body_bytes(operation: &OperationMeta, request: &CallRequest) -> Result<Option<Vec<u8>>, Error> {
    let Some(required) = operation.body else {
        return Ok(None);
    };
    let body = match &request.body {
        Some(body) => body.clone(),
        None if required => serde_json::Value::Object(Default::default()),
        None => return Ok(None),
    };
    let bytes = match (operation.media, body) {
        (Some(media), body) if !payspec_profile::openapi::is_json(media) => match body {
            serde_json::Value::String(text) => text.into_bytes(),
            _ => {
                return Err(Error::InvalidRequest(format!(
                    "{} takes a {media} body: give it as a JSON string",
                    operation.id
                )));
            }
        },
        (_, body) => serde_json::to_vec(&body).map_err(|e| Error::InvalidRequest(e.to_string()))?,
    };
    Ok(Some(bytes))
}

/// The path with each `{name}` replaced by its argument, percent-encoded as one segment.
fn fill_path(operation: &OperationMeta, request: &CallRequest) -> Result<String, Error> {
    let mut path = operation.path.to_owned();
    for param in operation.params.iter().filter(|p| p.location == "path") {
        let value = request.args.get(param.name).ok_or_else(|| {
            Error::InvalidRequest(format!(
                "{} needs the path parameter {}",
                operation.id, param.name
            ))
        })?;
        let encoded: String = url::form_urlencoded::byte_serialize(value.as_bytes())
            .collect::<String>()
            .replace('+', "%20");
        path = path.replace(&format!("{{{}}}", param.name), &encoded);
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call::ParamMeta;
    use crate::settings::Settings;

    const PARAMS: &[ParamMeta] = &[
        ParamMeta {
            name: "id",
            location: "path",
            required: true,
        },
        ParamMeta {
            name: "expand",
            location: "query",
            required: false,
        },
        ParamMeta {
            name: "Idempotency-Key",
            location: "header",
            required: false,
        },
    ];
    const OPERATION: OperationMeta = OperationMeta {
        id: "update_thing",
        method: "POST",
        path: "/v1/things/{id}",
        params: PARAMS,
        body: Some(true),
        returns_body: true,
        ..OperationMeta::UNSAID
    };
    const PROFILE: &str = r#"{"vendor": "acme", "title": "Acme", "servers": {"sandbox": "https://sandbox.acme.test/api/"}, "default_server": "sandbox", "credentials": {}, "auth": {"default": "none", "schemes": {}}}"#;

    #[test]
    fn a_request_is_built_from_the_operation_alone() {
        static OPERATIONS: [OperationMeta; 1] = [OPERATION];
        let profile = serde_json::from_str(PROFILE).unwrap();
        let runtime = Runtime::with_profile(profile, &OPERATIONS, Settings::default()).unwrap();
        let mut request = CallRequest {
            operation: "update_thing".into(),
            ..Default::default()
        };
        request.args.insert("id".into(), "a b/c".into());
        request.args.insert("expand".into(), "customer".into());
        request.args.insert("Idempotency-Key".into(), "k1".into());
        let http = build(&runtime, &OPERATION, &request).unwrap();
        assert_eq!(
            http.url().as_str(),
            "https://sandbox.acme.test/api/v1/things/a%20b%2Fc?expand=customer"
        );
        assert_eq!(http.headers()["idempotency-key"], "k1");
        assert_eq!(http.body().and_then(|b| b.as_bytes()), Some(&b"{}"[..]));
        request.args.insert("nope".into(), "1".into());
        let error = build(&runtime, &OPERATION, &request).unwrap_err();
        assert!(
            error.to_string().contains("no parameter \"nope\""),
            "{error}"
        );
        request.args.clear();
        let error = build(&runtime, &OPERATION, &request).unwrap_err();
        assert!(
            error.to_string().contains("needs the path parameter id"),
            "{error}"
        );
    }

    #[test]
    fn a_text_body_goes_as_its_text_with_its_media_type() {
        const NOTE: OperationMeta = OperationMeta {
            id: "create_note",
            path: "/v1/notes",
            params: &[],
            media: Some("text/plain; charset=utf-8"),
            idempotent: false,
            paged: false,
            ..OPERATION
        };
        static OPERATIONS: [OperationMeta; 1] = [NOTE];
        let profile = serde_json::from_str(PROFILE).unwrap();
        let runtime = Runtime::with_profile(profile, &OPERATIONS, Settings::default()).unwrap();
        let mut request = CallRequest {
            operation: "create_note".into(),
            body: Some(serde_json::json!("hello, \"world\"")),
            ..Default::default()
        };
        let mut http = build(&runtime, &NOTE, &request).unwrap();
        // The media type is the prepare phase's, for the typed and the untyped path alike.
        runtime.encode_multipart(&mut http, &NOTE).unwrap();
        assert_eq!(http.headers()["content-type"], "text/plain; charset=utf-8");
        assert_eq!(
            http.body().and_then(|b| b.as_bytes()),
            Some(&b"hello, \"world\""[..])
        );
        request.body = Some(serde_json::json!({"text": "hi"}));
        let error = build(&runtime, &NOTE, &request).unwrap_err();
        assert!(
            error.to_string().contains("give it as a JSON string"),
            "{error}"
        );
    }
}
