//! One vendor as the sandbox sees it: its profile, its spec as written, its routes, the
//! credentials it accepts, and its state.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Instant;

use payspec_runtime::VendorEntry;
use payspec_runtime::profile::Profile;
use serde_json::{Map, Value};

use crate::SandboxError;

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
    /// The operation object as written, with path-level parameters added.
    pub operation: Value,
}

/// Issued bearer tokens.
#[derive(Debug, Default)]
pub(crate) struct Tokens {
    pub access: BTreeMap<String, Instant>,
    pub refresh: Option<String>,
    pub lifetime_seconds: Option<u64>,
    pub serial: u64,
}

/// Mutable state: records per resource, tokens, the id counter.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub records: BTreeMap<String, Vec<Map<String, Value>>>,
    pub tokens: Tokens,
    /// How many times each counted fault header has been applied.
    pub faults: BTreeMap<String, u32>,
    /// Requests received per operation, counted on arrival (a client that gives up still counts).
    pub arrivals: BTreeMap<String, u64>,
    pub next_id: i64,
}

/// A vendor of the sandbox.
pub(crate) struct VendorSandbox {
    pub profile: Profile,
    pub spec: Value,
    /// The path of the vendor's default server (`/v3` for OneKey), served under `/<vendor>`.
    pub prefix: String,
    pub routes: Vec<Route>,
    pub credentials: BTreeMap<String, String>,
    pub demo_credentials: Vec<String>,
    pub state: Mutex<State>,
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

impl VendorSandbox {
    pub fn new(entry: &VendorEntry) -> Result<Self, SandboxError> {
        let profile = entry
            .profile()
            .map_err(|e| SandboxError::Vendor(entry.name.to_owned(), e.to_string()))?;
        let spec: Value = serde_json::from_str(entry.spec_json)
            .map_err(|e| SandboxError::Vendor(entry.name.to_owned(), e.to_string()))?;
        Self::from_parts(
            profile,
            spec,
            entry.operations.iter().map(|o| (o.method, o.path, o.id)),
        )
    }

    pub fn from_parts<'a>(
        profile: Profile,
        spec: Value,
        operations: impl Iterator<Item = (&'a str, &'a str, &'a str)>,
    ) -> Result<Self, SandboxError> {
        let server = profile
            .servers
            .get(&profile.default_server)
            .cloned()
            .unwrap_or_default();
        let prefix = server
            .split_once("://")
            .and_then(|(_, rest)| {
                rest.find('/')
                    .map(|i| rest[i..].trim_end_matches('/').to_owned())
            })
            .unwrap_or_default();
        let mut routes = Vec::new();
        // OPERATIONS lists the paths in document order; the raw operation objects are in the spec.
        let mut raw_operations = Vec::new();
        for (path, item) in spec
            .get("paths")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let shared = item
                .get("parameters")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for method in METHODS {
                if let Some(operation) = item.get(method) {
                    let mut operation = operation.clone();
                    let mut params = operation
                        .get("parameters")
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default();
                    params.extend(shared.iter().cloned());
                    operation["parameters"] = Value::Array(params);
                    raw_operations.push((method.to_ascii_uppercase(), path.clone(), operation));
                }
            }
        }
        for (method, path, id) in operations {
            let Some((_, _, operation)) = raw_operations
                .iter()
                .find(|(m, p, _)| m == method && p == path)
            else {
                return Err(SandboxError::Vendor(
                    profile.vendor.clone(),
                    format!("{method} {path} is not in the spec"),
                ));
            };
            let segments = path
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
                method: method.to_owned(),
                segments,
                operation: operation.clone(),
            });
        }
        let mut credentials = BTreeMap::new();
        let mut demo_credentials = Vec::new();
        for name in profile.credentials.keys() {
            let variable = profile.credential_variable(name);
            match std::env::var(&variable).ok().filter(|v| !v.is_empty()) {
                Some(value) => {
                    credentials.insert(name.clone(), value);
                }
                None => {
                    credentials.insert(
                        name.clone(),
                        payspec_runtime::demo_credential(&profile.vendor, name),
                    );
                    demo_credentials.push(variable);
                }
            }
        }
        let mut state = State {
            next_id: 11954,
            ..State::default()
        };
        for (resource, spec) in &profile.sandbox.resources {
            state.records.insert(resource.clone(), spec.seed.clone());
        }
        Ok(Self {
            profile,
            spec,
            prefix,
            routes,
            credentials,
            demo_credentials,
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
}

/// Decodes `%XX` escapes of a path segment or query value (`+` stays as is in paths).
pub(crate) fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        if bytes[i] == b'%'
            && let Some(Ok(byte)) = hex.map(|h| u8::from_str_radix(h, 16))
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
