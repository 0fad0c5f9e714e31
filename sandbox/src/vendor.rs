//! One vendor as the sandbox sees it: its profile, its spec as written, its routes, the
//! credentials it accepts, and its state (bounded: records per resource, issued tokens, fault
//! counters).

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Instant;

use payspec_runtime::profile::sandbox::ResourceOperation;
use payspec_runtime::profile::{Profile, openapi};
use payspec_runtime::{OperationMeta, VendorEntry};
use serde_json::Value;

use crate::store::Store;
use crate::{Options, SandboxError};

/// A path template segment.
#[derive(Debug, Clone)]
enum Segment {
    Literal(String),
    Param(String),
}

/// One operation's route.
#[derive(Debug, Clone)]
pub(crate) struct Route {
    pub id: String,
    pub method: String,
    segments: Vec<Segment>,
    /// The operation object as written.
    pub operation: Value,
    /// Its parameters with the path item's, `$ref`s resolved.
    pub parameters: Vec<Value>,
}

/// Issued bearer tokens (at most `Options::max_tokens` live at once).
#[derive(Debug, Default)]
pub(crate) struct Tokens {
    pub access: HashMap<String, Instant>,
    order: VecDeque<String>,
    pub refresh: Option<String>,
    pub lifetime_seconds: Option<u64>,
    pub serial: u64,
}

impl Tokens {
    /// Remembers an access token, forgetting the oldest beyond `capacity`.
    pub(crate) fn remember(&mut self, token: String, expiry: Instant, capacity: usize) {
        while self.order.len() >= capacity.max(1) {
            if let Some(oldest) = self.order.pop_front() {
                self.access.remove(&oldest);
            }
        }
        self.order.push_back(token.clone());
        self.access.insert(token, expiry);
    }

    /// Forgets every access token.
    pub(crate) fn revoke_all(&mut self) {
        self.access.clear();
        self.order.clear();
    }
}

/// Mutable state.
pub(crate) struct State {
    pub stores: BTreeMap<String, Store>,
    pub tokens: Tokens,
    /// How many times each counted fault header has been applied (bounded).
    pub faults: HashMap<String, u32>,
    /// Requests received per operation, counted on arrival (a client that gives up still counts).
    pub arrivals: BTreeMap<String, u64>,
    pub next_id: i64,
    /// The answers kept for idempotency keys.
    pub replays: crate::replay::Replays,
}

/// A vendor of the sandbox.
pub(crate) struct VendorSandbox {
    pub profile: Profile,
    pub spec: Value,
    pub routes: Vec<Route>,
    pub credentials: BTreeMap<String, String>,
    pub demo_credentials: Vec<String>,
    pub options: Options,
    pub state: Mutex<State>,
}

impl VendorSandbox {
    pub fn new(entry: &VendorEntry, options: Options) -> Result<Self, SandboxError> {
        let profile = entry
            .profile()
            .map_err(|e| SandboxError::Vendor(entry.name.to_owned(), e.to_string()))?;
        let spec: Value = serde_json::from_str(entry.spec_json)
            .map_err(|e| SandboxError::Vendor(entry.name.to_owned(), e.to_string()))?;
        Self::from_parts(profile, spec, entry.operations.iter(), options)
    }

    pub fn from_parts<'a>(
        profile: Profile,
        spec: Value,
        operations: impl Iterator<Item = &'a OperationMeta>,
        options: Options,
    ) -> Result<Self, SandboxError> {
        let routes = routes(&profile, &spec, operations)?;
        let (credentials, demo_credentials) = credentials(&profile, options.demo_credentials_only);
        let state = State {
            stores: stores(&profile, options.max_records),
            tokens: Tokens::default(),
            faults: HashMap::new(),
            arrivals: BTreeMap::new(),
            next_id: 11954,
            replays: Default::default(),
        };
        Ok(Self {
            profile,
            spec,
            routes,
            credentials,
            demo_credentials,
            options,
            state: Mutex::new(state),
        })
    }

    /// The route and path parameters for a request, if any operation matches.
    pub fn route(&self, method: &str, path: &str) -> Option<(&Route, BTreeMap<String, String>)> {
        let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        'routes: for route in &self.routes {
            if route.method != method || route.segments.len() != parts.len() {
                continue;
            }
            let mut params = BTreeMap::new();
            for (segment, part) in route.segments.iter().zip(&parts) {
                match segment {
                    Segment::Literal(text) if text == part => {}
                    Segment::Literal(_) => continue 'routes,
                    Segment::Param(name) => {
                        let value = percent_decode(part);
                        if value.is_empty() {
                            continue 'routes;
                        }
                        params.insert(name.clone(), value);
                    }
                }
            }
            return Some((route, params));
        }
        None
    }

    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The path of an operation group's server in the default environment (`/v3` for OneKey's
/// cashouts, `/v1` for its bank codes): the sandbox serves each operation under
/// `/<vendor><that path><the operation's path>`.
fn server_path(profile: &Profile, group: Option<&str>) -> String {
    let server = profile
        .server_url(group, &profile.default_server)
        .unwrap_or_default();
    server
        .split_once("://")
        .and_then(|(_, rest)| {
            rest.find('/')
                .map(|i| rest[i..].trim_end_matches('/').to_owned())
        })
        .unwrap_or_default()
}

fn routes<'a>(
    profile: &Profile,
    spec: &Value,
    operations: impl Iterator<Item = &'a OperationMeta>,
) -> Result<Vec<Route>, SandboxError> {
    let written = openapi::operations(spec);
    let mut routes = Vec::new();
    for meta in operations {
        let (method, path, id) = (meta.method, meta.path, meta.id);
        let Some(operation) = written
            .iter()
            .find(|o| o.method.eq_ignore_ascii_case(method) && o.path == path)
        else {
            return Err(SandboxError::Vendor(
                profile.vendor.clone(),
                format!("{method} {path} is not in the spec"),
            ));
        };
        let full = format!("{}{path}", server_path(profile, meta.server_group));
        let segments = full
            .trim_start_matches('/')
            .split('/')
            .map(
                |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(name) => Segment::Param(name.to_owned()),
                    None => Segment::Literal(s.to_owned()),
                },
            )
            .collect();
        routes.push(Route {
            id: id.to_owned(),
            method: method.to_ascii_uppercase(),
            segments,
            operation: operation.value.clone(),
            parameters: openapi::parameters(spec, operation)
                .into_iter()
                .cloned()
                .collect(),
        });
    }
    Ok(routes)
}

/// The credentials accepted: from `PAYSPEC_*`, else the public demo values (listed).
fn credentials(profile: &Profile, demo_only: bool) -> (BTreeMap<String, String>, Vec<String>) {
    let mut credentials = BTreeMap::new();
    let mut demo = Vec::new();
    for name in profile.credentials.keys() {
        let variable = profile.credential_variable(name);
        let from_env = || std::env::var(&variable).ok().filter(|v| !v.is_empty());
        let value = match (!demo_only).then(from_env).flatten() {
            Some(value) => value,
            None => {
                demo.push(variable);
                profile.demo_credential(name)
            }
        };
        credentials.insert(name.clone(), value);
    }
    (credentials, demo)
}

/// One bounded store per resource, indexed by its id and every locator's field, seeded.
fn stores(profile: &Profile, capacity: usize) -> BTreeMap<String, Store> {
    let mut stores = BTreeMap::new();
    for (name, resource) in &profile.sandbox.resources {
        let mut indexed: BTreeSet<String> = [resource.id.field.clone()].into();
        for operation in resource.operations.values() {
            let by = match operation {
                ResourceOperation::Read { by }
                | ResourceOperation::Update { by }
                | ResourceOperation::Switch { by, .. }
                | ResourceOperation::Transition { by, .. } => by,
                _ => continue,
            };
            indexed.extend(by.iter().map(|locator| locator.field.clone()));
        }
        let mut store = Store::new(capacity, indexed);
        for record in &resource.seed {
            store.insert(record.clone());
        }
        stores.insert(name.clone(), store);
    }
    stores
}

/// Decodes `%XX` escapes of a path segment or query value (`+` stays as is in paths).
pub(crate) fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}
