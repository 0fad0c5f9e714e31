//! payspec-sandbox: one local server that imitates every payspec vendor, driven by the same
//! `specs/` and `vendor.yaml` files as the clients (it reads them from the compiled `payspec`
//! crate), with no per-vendor code.
//!
//! The vendor is the first path segment (`/rio/…`, `/onekey/v3/…`). For each request it:
//! - applies a fault when asked (`x-payspec-fault: KIND[xN][@operation]`, KIND one of
//!   503, 429, timeout, reset, lost-reply (carried out, answer lost), html, garbage, empty, unknown-enum, slow:MS; `xN` for the first N
//!   matching requests only; `@operation` for one operation only); an unknown kind is a 400;
//! - honours idempotency keys where vendor.yaml's `idempotency:` says the vendor takes them: the
//!   first answer replayed (`Idempotent-Replayed: true`) for the same key and request, the same
//!   key with another request refused;
//! - refuses a body that is not JSON (400, in the vendor's error shape);
//! - checks auth as the recipe says, computing the scheme's instructions for the request it
//!   received and comparing them in constant time; timestamps within five minutes; bearer
//!   tokens it issued (with expiry and refresh-token rotation);
//! - validates parameters and body against the spec as written;
//! - keeps state per resource as `vendor.yaml`'s `sandbox:` section declares, and answers from
//!   the spec's schemas and examples otherwise;
//! - answers failures in the vendor's own shape and status.
//!
//! Memory is bounded whatever clients send: each resource keeps at most
//! [`Options::max_records`] records (the oldest is evicted), found by id through an index; the
//! exchange log is a ring of [`Options::log_capacity`]; issued tokens and fault counters are
//! capped too.
//!
//! Credentials are read from the same `PAYSPEC_*` variables as the clients; unset ones take
//! fixed demo values (see [`payspec_runtime::demo_credential`]).
//!
//! Control endpoints, under `/<vendor>/_sandbox/`: `PUT records/<resource>/<id>` (set fields of
//! a record, as the vendor's back office would), `PUT tokens` `{"lifetime": seconds}`,
//! `DELETE tokens` (revoke every access token), `PUT webhook_url` `{"url": …}` and
//! `POST webhooks/<callback>` `{"payload": …}` (a webhook sent now, signed as the vendor signs
//! it). With a webhook URL set, the webhooks of vendor.yaml's `sandbox.webhooks` are sent when
//! the operations they name succeed.

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::body::{Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use payspec_runtime::VendorEntry;
use payspec_runtime::profile::Profile;
use serde_json::{Map, Value};

mod auth;
mod fault;
mod form;
mod handle;
mod paging;
mod pattern;
mod replay;
mod schema;
mod store;
mod vendor;
mod webhooks;

pub use fault::{FAULT_HEADER, KINDS as FAULT_KINDS};
use handle::Incoming;
pub use replay::REPLAYED_HEADER;
use vendor::VendorSandbox;

/// A plausible value of `schema` (a local `$ref`s of `spec` followed): its examples and
/// defaults where it has them, placeholders of the right type and format elsewhere. What the
/// sandbox answers with, and what `payspec probe` sends where the spec has no example.
pub fn sample(spec: &Value, schema: &Value) -> Value {
    schema::render(spec, schema, None, 0)
}

/// The largest request body the sandbox reads.
const MAX_BODY: usize = 1 << 20;

/// The sandbox could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// A vendor's embedded profile or spec is unusable.
    #[error("vendor {0}: {1}")]
    Vendor(String, String),
    /// No such vendor.
    #[error("no vendor {0:?} in the sandbox")]
    UnknownVendor(String),
    /// The listener failed.
    #[error("cannot serve: {0}")]
    Io(#[from] std::io::Error),
}

/// Bounds on what the sandbox keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Records kept per resource; beyond it the oldest is evicted.
    pub max_records: usize,
    /// Exchanges kept in the log (the newest).
    pub log_capacity: usize,
    /// Live access tokens kept per vendor (the oldest is forgotten).
    pub max_tokens: usize,
    /// Accept only the demo credentials, whatever `PAYSPEC_*` holds (`payspec demo`, which
    /// must not depend on the caller's shell).
    pub demo_credentials_only: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            max_records: 250_000,
            log_capacity: 1_000,
            max_tokens: 10_000,
            demo_credentials_only: false,
        }
    }
}

/// One request the sandbox answered, for logs and the demo table. Auth header values are
/// redacted: credentials and tokens hidden, signatures cut to their first characters.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// The vendor.
    pub vendor: String,
    /// The operationId, when the request matched one.
    pub operation: Option<String>,
    /// The HTTP method.
    pub method: String,
    /// The path.
    pub path: String,
    /// The status answered.
    pub status: u16,
    /// The auth headers received, redacted.
    pub auth_headers: Vec<(String, String)>,
    /// The request's `Content-Type`, when it had one.
    pub content_type: Option<String>,
}

/// The sandbox: every vendor, its state, and the (bounded) log of exchanges.
pub struct Sandbox {
    vendors: BTreeMap<String, VendorSandbox>,
    options: Options,
    log: Mutex<VecDeque<Exchange>>,
    /// Where webhooks are sent (none: not sent).
    webhook_url: Mutex<Option<String>>,
    /// Deliveries made, numbering the ids of webhooks.
    webhook_serial: std::sync::atomic::AtomicU64,
    /// The client webhooks are sent with.
    webhook_client: payspec_runtime::deps::reqwest::Client,
}

impl Sandbox {
    /// Every vendor compiled into the `payspec` crate, with the default bounds.
    pub fn new() -> Result<Self, SandboxError> {
        Self::with_options(payspec::VENDORS, Options::default())
    }

    /// These vendors, with the default bounds.
    pub fn from_entries(entries: &[&VendorEntry]) -> Result<Self, SandboxError> {
        Self::with_options(entries, Options::default())
    }

    /// These vendors, with these bounds.
    pub fn with_options(entries: &[&VendorEntry], options: Options) -> Result<Self, SandboxError> {
        let mut vendors = BTreeMap::new();
        for entry in entries {
            vendors.insert(entry.name.to_owned(), VendorSandbox::new(entry, options)?);
        }
        Ok(Self {
            vendors,
            options,
            log: Mutex::new(VecDeque::new()),
            webhook_url: Mutex::new(None),
            webhook_serial: std::sync::atomic::AtomicU64::new(0),
            webhook_client: payspec_runtime::deps::reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(10))
                .build()
                .map_err(|e| SandboxError::Vendor("webhooks".into(), e.to_string()))?,
        })
    }

    /// Sends the webhooks of vendor.yaml's `sandbox.webhooks` to this URL (signed as the
    /// vendor signs them) when the operations they name succeed.
    pub fn webhook_url(self, url: impl Into<String>) -> Self {
        if let Ok(mut slot) = self.webhook_url.lock() {
            *slot = Some(url.into());
        }
        self
    }

    /// Signs a callback's payload as the vendor would and POSTs it to `url` (or the webhook
    /// URL set): the receiver's status.
    pub async fn send_webhook(
        &self,
        vendor: &str,
        callback: &str,
        payload: &Value,
        url: Option<&str>,
    ) -> Result<u16, SandboxError> {
        let sandbox = self.vendor(vendor)?;
        let no = |what: String| SandboxError::Vendor(vendor.to_owned(), what);
        let url = match url {
            Some(url) => url.to_owned(),
            None => self
                .webhook_url
                .lock()
                .ok()
                .and_then(|u| u.clone())
                .ok_or_else(|| {
                    no("no webhook URL: give one (payspec sandbox --webhook-url)".into())
                })?,
        };
        let serial = self
            .webhook_serial
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            + 1;
        let delivery = sandbox
            .sign_delivery(callback, payload, &url, serial)
            .map_err(no)?;
        webhooks::deliver(&self.webhook_client, &url, delivery)
            .await
            .map_err(|e| no(format!("delivery to the webhook URL failed: {e}")))
    }

    /// After an operation succeeded: the webhooks it sends, delivered in the background.
    async fn after_success(
        self: &Arc<Self>,
        vendor: &str,
        operation: &str,
        request: &Bytes,
        response: Response,
    ) -> Response {
        let Some(sandbox) = self.vendors.get(vendor) else {
            return response;
        };
        let sends = sandbox
            .profile
            .sandbox
            .webhooks
            .iter()
            .any(|w| w.on.iter().any(|o| o == operation));
        let has_url = self.webhook_url.lock().ok().is_some_and(|u| u.is_some());
        if !sends || !has_url || !response.status().is_success() {
            return response;
        }
        let (parts, body) = response.into_parts();
        let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
        let answered: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let sent: Value = serde_json::from_slice(request).unwrap_or(Value::Null);
        let serial = self
            .webhook_serial
            .load(std::sync::atomic::Ordering::Relaxed)
            + 1;
        let occasion = webhooks::Occasion {
            response: &answered,
            request: &sent,
            serial,
        };
        for (callback, payload) in sandbox.webhooks_on(operation, &occasion) {
            let (sandbox, vendor) = (Arc::clone(self), vendor.to_owned());
            tokio::spawn(async move {
                if let Err(e) = sandbox
                    .send_webhook(&vendor, &callback, &payload, None)
                    .await
                {
                    tracing::warn!(%vendor, %callback, error = %e, "webhook not delivered");
                }
            });
        }
        Response::from_parts(parts, axum::body::Body::from(bytes))
    }

    /// Replaces a vendor's profile (e.g. a different signing recipe, to show that a client and
    /// a sandbox that disagree do not get along).
    pub fn with_profile(mut self, profile: Profile) -> Result<Self, SandboxError> {
        let name = profile.vendor.clone();
        let entry =
            payspec::vendor(&name).ok_or_else(|| SandboxError::UnknownVendor(name.clone()))?;
        let spec: Value = serde_json::from_str(entry.spec_json)
            .map_err(|e| SandboxError::Vendor(name.clone(), e.to_string()))?;
        let vendor =
            VendorSandbox::from_parts(profile, spec, entry.operations.iter(), self.options)?;
        self.vendors.insert(name, vendor);
        Ok(self)
    }

    /// For the start-up banner: per vendor, the variables whose demo values are in use.
    pub fn demo_credentials(&self) -> Vec<(String, Vec<(String, String)>)> {
        self.vendors
            .iter()
            .map(|(name, vendor)| {
                let demo = vendor
                    .profile
                    .credentials
                    .keys()
                    .filter(|c| {
                        vendor
                            .demo_credentials
                            .contains(&vendor.profile.credential_variable(c))
                    })
                    .map(|c| {
                        (
                            vendor.profile.credential_variable(c),
                            vendor.profile.demo_credential(c),
                        )
                    })
                    .collect();
                (name.clone(), demo)
            })
            .collect()
    }

    fn vendor(&self, name: &str) -> Result<&VendorSandbox, SandboxError> {
        self.vendors
            .get(name)
            .ok_or_else(|| SandboxError::UnknownVendor(name.to_owned()))
    }

    /// Sets fields of a record (as the vendor's back office would). The id is compared as text.
    pub fn update_record(
        &self,
        vendor: &str,
        resource: &str,
        id: &str,
        fields: &Map<String, Value>,
    ) -> Result<(), SandboxError> {
        let sandbox = self.vendor(vendor)?;
        let no = |what: String| SandboxError::Vendor(vendor.to_owned(), what);
        let id_field = sandbox
            .profile
            .sandbox
            .resources
            .get(resource)
            .map(|r| r.id.field.clone())
            .ok_or_else(|| no(format!("no resource {resource:?}")))?;
        let mut state = sandbox.lock();
        let store = state
            .stores
            .get_mut(resource)
            .ok_or_else(|| no(format!("no resource {resource:?}")))?;
        let slot = store
            .find(&id_field, id)
            .ok_or_else(|| no(format!("no {resource} {id:?}")))?;
        let mut record = store.get(slot).unwrap_or_default();
        record.extend(fields.clone());
        store.put(slot, record);
        Ok(())
    }

    /// How many records a vendor's resource holds.
    pub fn records(&self, vendor: &str, resource: &str) -> usize {
        self.vendors
            .get(vendor)
            .and_then(|v| v.lock().stores.get(resource).map(store::Store::len))
            .unwrap_or(0)
    }

    /// Sets the lifetime of the bearer tokens a vendor issues from now on.
    pub fn set_token_lifetime(&self, vendor: &str, seconds: u64) -> Result<(), SandboxError> {
        self.vendor(vendor)?.lock().tokens.lifetime_seconds = Some(seconds);
        Ok(())
    }

    /// Revokes every access token a vendor has issued.
    pub fn revoke_tokens(&self, vendor: &str) -> Result<(), SandboxError> {
        self.vendor(vendor)?.lock().tokens.revoke_all();
        Ok(())
    }

    /// How many requests for `operation` of `vendor` have arrived (answered or not).
    pub fn arrivals(&self, vendor: &str, operation: &str) -> u64 {
        self.vendors
            .get(vendor)
            .and_then(|v| v.lock().arrivals.get(operation).copied())
            .unwrap_or(0)
    }

    /// The exchanges in the log (the newest [`Options::log_capacity`]).
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.log
            .lock()
            .map(|log| log.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// The axum router serving every vendor.
    pub fn router(self: Arc<Self>) -> axum::Router {
        axum::Router::new().fallback(serve_request).with_state(self)
    }

    /// Serves on `addr` (use port 0 for an ephemeral port) in a background task.
    pub async fn start(self, addr: SocketAddr) -> Result<Running, SandboxError> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let sandbox = Arc::new(self);
        let app = sandbox.clone().router();
        let task = tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, app).await {
                tracing::error!(%error, "sandbox stopped");
            }
        });
        Ok(Running {
            addr,
            sandbox,
            task,
        })
    }

    fn control(&self, vendor: &str, method: &Method, path: &str, body: &Bytes) -> Response {
        let json: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        let parts: Vec<&str> = path.split('/').collect();
        let outcome = match (method.as_str(), parts.as_slice()) {
            ("PUT", ["records", resource, id]) => match json.as_object() {
                Some(fields) => self.update_record(vendor, resource, id, fields),
                None => {
                    return (
                        StatusCode::BAD_REQUEST,
                        "the body must be a JSON object of fields",
                    )
                        .into_response();
                }
            },
            ("PUT", ["tokens"]) => match json.get("lifetime").and_then(Value::as_u64) {
                Some(seconds) => self.set_token_lifetime(vendor, seconds),
                None => {
                    return (StatusCode::BAD_REQUEST, "expected {\"lifetime\": seconds}")
                        .into_response();
                }
            },
            ("DELETE", ["tokens"]) => self.revoke_tokens(vendor),
            ("PUT", ["webhook_url"]) => match json.get("url").and_then(Value::as_str) {
                Some(url) => {
                    if let Ok(mut slot) = self.webhook_url.lock() {
                        *slot = Some(url.to_owned());
                    }
                    Ok(())
                }
                None => {
                    return (StatusCode::BAD_REQUEST, "expected {\"url\": \"http://…\"}")
                        .into_response();
                }
            },
            _ => return (StatusCode::NOT_FOUND, "no such sandbox control").into_response(),
        };
        match outcome {
            Ok(()) => StatusCode::NO_CONTENT.into_response(),
            Err(e) => (StatusCode::NOT_FOUND, e.to_string()).into_response(),
        }
    }

    /// `POST /<vendor>/_sandbox/webhooks/<callback>` `{"payload": {…}, "url": "…"}`: the
    /// callback sent now, signed; answers with the receiver's status.
    async fn webhook_control(&self, vendor: &str, callback: &str, body: &Bytes) -> Response {
        let json: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        let Some(payload) = json.get("payload") else {
            return (
                StatusCode::BAD_REQUEST,
                "expected {\"payload\": {…}, \"url\": optional}",
            )
                .into_response();
        };
        let url = json.get("url").and_then(Value::as_str);
        match self.send_webhook(vendor, callback, payload, url).await {
            Ok(status) => {
                axum::Json(serde_json::json!({"delivered": true, "status": status})).into_response()
            }
            Err(e) => (StatusCode::BAD_GATEWAY, e.to_string()).into_response(),
        }
    }

    fn record(&self, exchange: Exchange) {
        if let Ok(mut log) = self.log.lock() {
            while log.len() >= self.options.log_capacity.max(1) {
                log.pop_front();
            }
            log.push_back(exchange);
        }
    }
}

/// A sandbox serving in the background; stops when dropped.
pub struct Running {
    /// The address it listens on.
    pub addr: SocketAddr,
    /// The sandbox, for its log and controls.
    pub sandbox: Arc<Sandbox>,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    /// The root URL (`http://127.0.0.1:PORT`), for `Settings::sandbox`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve_request(State(sandbox): State<Arc<Sandbox>>, request: Request) -> Response {
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    let Ok(body) = to_bytes(body, MAX_BODY).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large").into_response();
    };
    let path = parts.uri.path().to_owned();
    let (vendor_name, rest) = match path.trim_start_matches('/').split_once('/') {
        Some((vendor, rest)) => (vendor.to_owned(), format!("/{rest}")),
        None => (path.trim_start_matches('/').to_owned(), String::new()),
    };
    let Some(vendor) = sandbox.vendors.get(&vendor_name) else {
        let known: Vec<&str> = sandbox.vendors.keys().map(String::as_str).collect();
        let message = format!("no vendor {vendor_name:?} (vendors: {})", known.join(", "));
        return (StatusCode::NOT_FOUND, message).into_response();
    };
    if let Some(control) = rest.strip_prefix("/_sandbox/") {
        if let Some(callback) = control.strip_prefix("webhooks/") {
            return sandbox.webhook_control(&vendor_name, callback, &body).await;
        }
        return sandbox.control(&vendor_name, &parts.method, control, &body);
    }
    let incoming = Incoming {
        method: &parts.method,
        path: &rest,
        received_path: &path,
        query: parts.uri.query().unwrap_or_default(),
        headers: &parts.headers,
        body: &body,
    };
    let mut handled = vendor.handle(incoming).await;
    if let Some(operation) = handled.operation.clone() {
        handled.response = sandbox
            .after_success(&vendor_name, &operation, &body, handled.response)
            .await;
    }
    let status = handled.response.status().as_u16();
    tracing::info!(
        vendor = %vendor_name,
        operation = handled.operation.as_deref().unwrap_or("-"),
        status,
        latency_ms = started.elapsed().as_millis() as u64,
        "sandbox"
    );
    let auth_headers = redacted_auth_headers(vendor, handled.operation.as_deref(), &parts.headers);
    sandbox.record(Exchange {
        vendor: vendor_name,
        operation: handled.operation,
        method: parts.method.to_string(),
        path,
        status,
        auth_headers,
        content_type: parts
            .headers
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    });
    handled.response
}

fn redacted_auth_headers(
    vendor: &VendorSandbox,
    operation: Option<&str>,
    headers: &axum::http::HeaderMap,
) -> Vec<(String, String)> {
    let Some(scheme) = operation.and_then(|op| vendor.profile.scheme_for(op)) else {
        return Vec::new();
    };
    scheme
        .headers
        .iter()
        .filter_map(|(name, source)| {
            let value = headers.get(name)?.to_str().ok()?;
            Some((name.clone(), handle::redact(source, value)))
        })
        .collect()
}
