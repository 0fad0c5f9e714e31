//! Calling operations by name with untyped arguments: the registry of compiled vendors and
//! what the CLI passes to a vendor's generated `call` function. The generated code parses
//! the arguments into the operation's typed parameters and body before sending.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use payspec_profile::Profile;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{ConfigError, Error};
use crate::settings::Settings;

/// The future a vendor's `call` returns.
pub type CallFuture = Pin<Box<dyn Future<Output = Result<CallOutcome, Error>>>>;

/// A successful call: the HTTP status and the typed response as JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct CallOutcome {
    /// The HTTP status.
    pub status: u16,
    /// The response (the envelope's payload, when the vendor has one).
    pub body: serde_json::Value,
}

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
    /// Calls an operation by name.
    pub call: fn(CallRequest) -> CallFuture,
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

/// A call of one operation with untyped arguments.
#[derive(Debug, Clone, Default)]
pub struct CallRequest {
    /// The operationId.
    pub operation: String,
    /// How to build the client.
    pub settings: Settings,
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
        if let Ok(value) = serde_json::from_str::<T>(raw) {
            return Ok(Some(value));
        }
        serde_json::from_value::<T>(serde_json::Value::String(raw.clone()))
            .map(Some)
            .map_err(|e| Error::InvalidRequest(format!("argument {name}={raw:?}: {e}")))
    }

    /// The body parsed as the operation's body type (`{}` when none was given).
    pub fn body<T: DeserializeOwned>(&self) -> Result<T, Error> {
        let body = self
            .body
            .clone()
            .unwrap_or_else(|| serde_json::Value::Object(Default::default()));
        serde_json::from_value(body).map_err(|e| Error::InvalidRequest(format!("body: {e}")))
    }
}

/// A typed response as JSON, with its status.
pub fn to_outcome<T: Serialize>(status: u16, value: T) -> Result<CallOutcome, Error> {
    let body = serde_json::to_value(value).map_err(|e| Error::InvalidResponse {
        status: Some(status),
        message: e.to_string(),
        excerpt: String::new(),
    })?;
    Ok(CallOutcome { status, body })
}
