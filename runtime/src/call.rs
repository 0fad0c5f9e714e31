//! Calling operations by name with untyped arguments: the registry of compiled vendors and
//! what the CLI (and the unified cancel) pass to a vendor's generated `call` function. The
//! generated code parses the arguments into the operation's typed parameters and body before
//! sending; a body field the type does not know is an error, not silently dropped.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use payspec_profile::Profile;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{ConfigError, Error};
pub use crate::json_text::from_json_text;
use crate::json_text::{from_tree, request_tree, typed_body};
use crate::settings::Settings;

/// The future a vendor's `call` returns.
pub type CallFuture = Pin<Box<dyn Future<Output = Result<CallOutcome, Error>>>>;

/// The future of one operation's untyped call through a client (a generated `dispatch` arm).
pub type DispatchFuture<'a> = Pin<Box<dyn Future<Output = Result<CallOutcome, Error>> + Send + 'a>>;

/// A successful call: the HTTP status and the typed response as JSON (scrubbed).
#[derive(Debug, Clone, PartialEq)]
pub struct CallOutcome {
    /// The HTTP status.
    pub status: u16,
    /// The response (the envelope's payload, when the vendor has one).
    pub body: serde_json::Value,
    /// The idempotency key the call was sent with, when its operation takes one.
    pub idempotency_key: Option<String>,
}

use crate::pipeline::reported_key;

/// One compiled vendor.
#[derive(Debug)]
pub struct VendorEntry {
    /// The vendor's name.
    pub name: &'static str,
    /// A human title.
    pub title: &'static str,
    /// The vendor profile, as JSON.
    pub profile_json: &'static str,
    /// The vendor's OpenAPI document as written, as JSON.
    pub spec_json: &'static str,
    /// Its operations.
    pub operations: &'static [OperationMeta],
    /// What the generator repaired or degraded to generate it (`#/pointer: message`; a schema
    /// typed as any JSON, an operation left out).
    pub degraded: &'static [&'static str],
    /// Calls an operation by name, with a client built from the settings.
    pub call: fn(Settings, CallRequest) -> CallFuture,
    /// An operation's JSON body (`false`) or success payload (`true`) through its generated
    /// type and back (what the type keeps of a document's example).
    pub round_trip: fn(&str, bool, serde_json::Value) -> Result<serde_json::Value, String>,
}

impl VendorEntry {
    /// The vendor profile.
    pub fn profile(&self) -> Result<Profile, ConfigError> {
        serde_json::from_str(self.profile_json).map_err(|e| ConfigError::Profile(e.to_string()))
    }

    /// The operation with this operationId (snake_case, or kebab-case).
    pub fn operation(&self, name: &str) -> Option<&'static OperationMeta> {
        let name = name.replace('-', "_");
        self.operations.iter().find(|o| o.id == name)
    }
}

/// One operation.
#[derive(Debug, Clone, Copy)]
pub struct OperationMeta {
    /// The snake_case operationId.
    pub id: &'static str,
    /// The HTTP method.
    pub method: &'static str,
    /// The path template.
    pub path: &'static str,
    /// The vendor's summary.
    pub summary: &'static str,
    /// The parameters a caller passes.
    pub params: &'static [ParamMeta],
    /// `Some(required)` when the operation takes a JSON body.
    pub body: Option<bool>,
    /// What the runtime supplies instead of the caller.
    pub supplied_by_runtime: &'static [&'static str],
    /// Whether a success carries a JSON body.
    pub returns_body: bool,
    /// The vendor.yaml server group the operation is sent to (`None`: the vendor's servers).
    pub server_group: Option<&'static str>,
    /// Whether the body goes as multipart/form-data (the runtime encodes the typed form).
    pub multipart: bool,
    /// Whether the body goes form-urlencoded, nested keys in brackets (the runtime encodes it).
    pub form: bool,
    /// The request body's media type when it is not `application/json`: a vendor's JSON type
    /// (`application/vnd.api+json`), sent as the Content-Type in place of `application/json`,
    /// or another type (`text/plain`), whose body is sent as it is.
    pub media: Option<&'static str>,
    /// Whether it is sent with the vendor's idempotency key (vendor.yaml `idempotency:`): one
    /// key for the call, the same on every attempt, and retried as an idempotent method is.
    pub idempotent: bool,
    /// Whether it is a list that vendor.yaml's `pagination:` pages (`.stream()`, `.pages()`,
    /// `payspec call --all`).
    pub paged: bool,
}

impl OperationMeta {
    /// What a generated table's entry leaves unsaid (`OperationMeta { id: …, method: …, path:
    /// …, ..OperationMeta::UNSAID }`): no summary, parameters, body or values supplied by the
    /// runtime, no body returned, the vendor's own servers, not multipart nor a form nor
    /// another media type, not idempotent, not paged.
    pub const UNSAID: OperationMeta = OperationMeta {
        id: "",
        method: "",
        path: "",
        summary: "",
        params: &[],
        body: None,
        supplied_by_runtime: &[],
        returns_body: false,
        server_group: None,
        multipart: false,
        form: false,
        media: None,
        idempotent: false,
        paged: false,
    };
}

/// One parameter.
#[derive(Debug, Clone, Copy)]
pub struct ParamMeta {
    /// The name in the spec.
    pub name: &'static str,
    /// `path`, `query`, `header` or `cookie`.
    pub location: &'static str,
    /// Whether it must be passed.
    pub required: bool,
}

impl ParamMeta {
    /// A parameter (a `const fn`, for generated tables).
    pub const fn new(name: &'static str, location: &'static str, required: bool) -> Self {
        Self {
            name,
            location,
            required,
        }
    }
}

/// A call of one operation with untyped arguments.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallRequest {
    /// The operationId.
    pub operation: String,
    /// Parameter values by their spec names, as text.
    pub args: BTreeMap<String, String>,
    /// The JSON body, without the fields the runtime injects.
    pub body: Option<serde_json::Value>,
}

impl CallRequest {
    /// The argument `name` parsed as `T`: as JSON first (numbers, booleans), then as a string.
    pub fn arg<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, Error> {
        let Some(raw) = self.args.get(name) else {
            return Ok(None);
        };
        if let Ok(value) = from_json_text::<T>(raw.as_bytes()) {
            return Ok(Some(value));
        }
        let quoted = serde_json::to_vec(raw).map_err(|e| Error::InvalidRequest(e.to_string()))?;
        from_json_text::<T>(&quoted)
            .map(Some)
            .map_err(|e| Error::InvalidRequest(format!("argument {name}={raw:?}: {e}")))
    }

    /// The body parsed as the operation's body type (`{}` when none was given). A type error
    /// names the field (`/amount: invalid type…`); a field the type does not have is an error
    /// too, named by its path, instead of being dropped on the way to the vendor.
    pub fn body<T: DeserializeOwned + Serialize>(&self) -> Result<T, Error> {
        let given = self
            .body
            .clone()
            .unwrap_or_else(|| serde_json::Value::Object(Default::default()));
        let typed: T =
            typed_body(&given).map_err(|e| Error::InvalidRequest(format!("body: {e}")))?;
        let kept = request_tree(&typed).map_err(|e| Error::InvalidRequest(e.to_string()))?;
        if let Some(unknown) = first_dropped(&given, &kept, String::new()) {
            return Err(Error::InvalidRequest(format!(
                "body: unknown field {unknown} (the operation's body type has no such field)"
            )));
        }
        Ok(typed)
    }
}

/// A JSON request body through the operation's body type and back: what the type keeps of it
/// (fields it does not know are dropped, not refused as [`CallRequest::body`] refuses them).
pub fn body_round_trip<T: DeserializeOwned + Serialize>(
    value: serde_json::Value,
) -> Result<serde_json::Value, String> {
    let typed: T = typed_body(&value)?;
    request_tree(&typed).map_err(|e| e.to_string())
}

/// A success payload through the operation's response type and back.
pub fn payload_round_trip<T: DeserializeOwned + Serialize>(
    value: serde_json::Value,
) -> Result<serde_json::Value, String> {
    let typed: T = from_tree(&value).map_err(|e| e.to_string())?;
    serde_json::to_value(&typed).map_err(|e| e.to_string())
}

/// The path of the first object member of `given` that `kept` (its typed round trip) lost.
fn first_dropped(
    given: &serde_json::Value,
    kept: &serde_json::Value,
    at: String,
) -> Option<String> {
    use serde_json::Value;
    match (given, kept) {
        (Value::Object(given), Value::Object(kept)) => given.iter().find_map(|(key, value)| {
            let path = format!("{at}/{}", payspec_profile::pointer::escape(key));
            match kept.get(key) {
                None if !value.is_null() => Some(path),
                None => None,
                Some(inner) => first_dropped(value, inner, path),
            }
        }),
        (Value::Array(given), Value::Array(kept)) => given
            .iter()
            .zip(kept)
            .enumerate()
            .find_map(|(i, (g, k))| first_dropped(g, k, format!("{at}/{i}"))),
        _ => None,
    }
}

/// A typed response as JSON, with its status and idempotency key.
pub fn to_outcome<T: Serialize>(
    response: progenitor_client::ResponseValue<T>,
) -> Result<CallOutcome, Error> {
    let status = response.status().as_u16();
    let idempotency_key = reported_key(response.headers());
    let body = serde_json::to_value(response.into_inner()).map_err(|e| Error::InvalidResponse {
        status: Some(status),
        message: e.to_string(),
        excerpt: String::new(),
    })?;
    Ok(CallOutcome {
        status,
        body,
        idempotency_key,
    })
}

/// The outcome of an operation whose success body is not JSON (text, a file): its bytes,
/// as text when they are UTF-8, else as base64 (`{"base64": …}`).
pub async fn stream_outcome(
    response: progenitor_client::ResponseValue<progenitor_client::ByteStream>,
) -> Result<CallOutcome, Error> {
    use futures_util::StreamExt as _;
    let status = response.status().as_u16();
    let idempotency_key = reported_key(response.headers());
    let mut body = Vec::new();
    let mut chunks = response.into_inner().into_inner();
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.map_err(|e| Error::InvalidResponse {
            status: Some(status),
            message: format!("the body could not be read: {e}"),
            excerpt: String::new(),
        })?;
        body.extend_from_slice(&chunk);
    }
    Ok(CallOutcome {
        status,
        body: bytes_body(body),
        idempotency_key,
    })
}

/// A body that is not JSON, as JSON: its text when it is UTF-8, else `{"base64": …}`.
pub(crate) fn bytes_body(body: Vec<u8>) -> serde_json::Value {
    match String::from_utf8(body) {
        Ok(text) => serde_json::Value::String(text),
        Err(bytes) => {
            use base64::Engine as _;
            serde_json::json!({ "base64": base64::engine::general_purpose::STANDARD.encode(bytes.into_bytes()) })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Serialize, Deserialize)]
    struct Body {
        amount: f64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        on_hold: Option<bool>,
        #[serde(default)]
        items: Vec<Item>,
    }

    #[derive(Debug, Serialize, Deserialize)]
    struct Item {
        id: String,
    }

    fn body(value: serde_json::Value) -> Result<Body, Error> {
        CallRequest {
            body: Some(value),
            ..Default::default()
        }
        .body()
    }

    #[test]
    fn unknown_fields_and_type_errors_are_named() {
        assert!(body(json!({"amount": 1, "on_hold": true})).is_ok());
        let typo = body(json!({"amount": 1, "on_hlod": true}))
            .unwrap_err()
            .to_string();
        assert!(typo.contains("unknown field /on_hlod"), "{typo}");
        let nested = body(json!({"amount": 1, "items": [{"id": "a", "idd": 2}]}))
            .unwrap_err()
            .to_string();
        assert!(nested.contains("/items/0/idd"), "{nested}");
        let wrong = body(json!({"amount": "ten"})).unwrap_err().to_string();
        assert!(wrong.contains("body: /amount: invalid type"), "{wrong}");
        assert!(
            body(json!({"amount": 1, "on_hold": null})).is_ok(),
            "null is absence"
        );
    }
}
