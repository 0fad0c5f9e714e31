//! One request through the sandbox: faults, routing, auth, validation, state, reply.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use payspec_runtime::profile::sandbox::{ErrorReply, IdKind, Locator, Resource, ResourceOperation};
use payspec_runtime::profile::{SuccessRule, ValueSource};
use serde_json::{Map, Value};

use crate::schema;
use crate::vendor::{Route, VendorSandbox, percent_decode};

/// The header that asks the sandbox to misbehave.
pub const FAULT_HEADER: &str = "x-payspec-fault";

/// What a handled request produced, for the log.
pub(crate) struct Handled {
    pub response: Response,
    pub operation: Option<String>,
}

fn json_response(status: u16, body: &Value) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        bytes,
    )
        .into_response()
}

fn set_pointer(body: &mut Value, pointer: &str, value: Value) {
    if pointer.is_empty() {
        *body = value;
        return;
    }
    let mut current = body;
    let segments: Vec<&str> = pointer.trim_start_matches('/').split('/').collect();
    for (i, segment) in segments.iter().enumerate() {
        if !current.is_object() {
            *current = Value::Object(Map::new());
        }
        let Some(object) = current.as_object_mut() else {
            return;
        };
        if i + 1 == segments.len() {
            object.insert((*segment).to_owned(), value);
            return;
        }
        current = object
            .entry((*segment).to_owned())
            .or_insert(Value::Object(Map::new()));
    }
}

/// The fault a request asked for, answered before anything else.
enum Fault {
    None,
    UnknownEnum,
    Reply(Response),
}

/// Reads `KIND[xN][@operation]`: the fault, how many times (always when no `xN`), and which
/// operation it is meant for (every operation when no `@`).
fn parse_fault(header: &str) -> (&str, Option<u32>, Option<&str>) {
    let (spec, operation) = match header.split_once('@') {
        Some((spec, operation)) => (spec, Some(operation)),
        None => (header, None),
    };
    match spec
        .rsplit_once('x')
        .and_then(|(kind, n)| n.parse::<u32>().ok().map(|n| (kind, n)))
    {
        Some((kind, times)) => (kind, Some(times), operation),
        None => (spec, None, operation),
    }
}

async fn fault(kind: &str) -> Fault {
    match kind {
        "503" => Fault::Reply(
            (StatusCode::SERVICE_UNAVAILABLE, [(header::RETRY_AFTER, "1")], "service unavailable").into_response(),
        ),
        "429" => Fault::Reply((StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, "1")], "slow down").into_response()),
        "timeout" => {
            tokio::time::sleep(Duration::from_secs(30)).await;
            Fault::Reply(StatusCode::GATEWAY_TIMEOUT.into_response())
        }
        "reset" => {
            let failing = futures_util::stream::once(async {
                Err::<Bytes, std::io::Error>(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "fault: reset"))
            });
            Fault::Reply((StatusCode::OK, Body::from_stream(failing)).into_response())
        }
        "html" => Fault::Reply(
            (
                StatusCode::BAD_GATEWAY,
                [(header::CONTENT_TYPE, "text/html")],
                "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>",
            )
                .into_response(),
        ),
        "garbage" => Fault::Reply(
            (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], "{\"data\": {\"id\": \"tru").into_response(),
        ),
        "empty" => Fault::Reply((StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], "").into_response()),
        "unknown-enum" => Fault::UnknownEnum,
        other => match other.strip_prefix("slow:").and_then(|ms| ms.parse::<u64>().ok()) {
            Some(ms) => {
                tokio::time::sleep(Duration::from_millis(ms.min(60_000))).await;
                Fault::None
            }
            None => Fault::None,
        },
    }
}

/// A failure to report in the vendor's own shape.
pub(crate) struct Failure {
    kind: &'static str,
    detail: Option<String>,
}

impl Failure {
    fn new(kind: &'static str, detail: impl Into<Option<String>>) -> Self {
        Self {
            kind,
            detail: detail.into(),
        }
    }
}

impl VendorSandbox {
    pub(crate) async fn handle(
        &self,
        method: &Method,
        path: &str,
        query: &str,
        headers: &HeaderMap,
        body: &Bytes,
    ) -> Handled {
        let Some(route_path) = path.strip_prefix(&self.prefix) else {
            let failure = Failure::new("not_found", format!("no such endpoint: {method} {path}"));
            return Handled {
                response: self.failure(failure, Some(404)),
                operation: None,
            };
        };
        let Some((route, params)) = self.route(method.as_str(), route_path) else {
            let failure = Failure::new("not_found", format!("no such endpoint: {method} {path}"));
            return Handled {
                response: self.failure(failure, Some(404)),
                operation: None,
            };
        };
        let operation = Some(route.id.clone());
        *self.lock().arrivals.entry(route.id.clone()).or_default() += 1;
        let broken_enums = match self.fault_for(headers, &route.id) {
            Some(kind) => match fault(&kind).await {
                Fault::Reply(response) => {
                    return Handled {
                        response,
                        operation,
                    };
                }
                Fault::UnknownEnum => true,
                Fault::None => false,
            },
            None => false,
        };
        let response = match self.answer(
            route,
            &params,
            method,
            path,
            query,
            headers,
            body,
            broken_enums,
        ) {
            Ok(response) => response,
            Err(failure) => self.failure(failure, None),
        };
        Handled {
            response,
            operation,
        }
    }

    /// The fault this request asks for, if it applies to `operation` and has not run out.
    fn fault_for(&self, headers: &HeaderMap, operation: &str) -> Option<String> {
        let header = headers.get(FAULT_HEADER).and_then(|v| v.to_str().ok())?;
        let (kind, times, target) = parse_fault(header);
        if target.is_some_and(|t| t != operation) {
            return None;
        }
        if let Some(times) = times {
            let mut state = self.lock();
            let used = state.faults.entry(header.to_owned()).or_insert(0);
            if *used >= times {
                return None;
            }
            *used += 1;
        }
        Some(kind.to_owned())
    }

    #[allow(clippy::too_many_arguments, reason = "one request's parts")]
    fn answer(
        &self,
        route: &Route,
        params: &BTreeMap<String, String>,
        method: &Method,
        path: &str,
        query: &str,
        headers: &HeaderMap,
        body: &Bytes,
        broken_enums: bool,
    ) -> Result<Response, Failure> {
        if let Some(scheme) = self.profile.scheme_for(&route.id) {
            self.verify(scheme, method.as_str(), path, headers, body)
                .map_err(|reason| Failure::new("unauthorized", reason))?;
        }
        let query: BTreeMap<String, String> = query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .map(|(k, v)| (percent_decode(k), percent_decode(&v.replace('+', " "))))
            .collect();
        let request = self.validate(route, params, &query, headers, body)?;

        let (status, response_schema) = success_response(&route.operation);
        let payload_schema = match self
            .profile
            .envelope
            .as_ref()
            .and_then(|e| e.payload.as_deref())
        {
            Some(pointer) => {
                schema::at_pointer(&self.spec, &response_schema, pointer).unwrap_or(Value::Null)
            }
            None => response_schema.clone(),
        };
        let mut payload = match self.resource_operation(&route.id) {
            Some((name, resource, operation)) => self.perform(
                &route.id,
                name,
                resource,
                operation,
                params,
                &query,
                &request,
                &payload_schema,
            )?,
            None => schema::render(&self.spec, &payload_schema, None, 0),
        };
        if broken_enums {
            schema::break_enums(&self.spec, &payload_schema, &mut payload, 0);
        }
        let mut body = match &self.profile.envelope {
            Some(envelope) => {
                let mut wrapped = schema::render(&self.spec, &response_schema, None, 0);
                set_pointer(
                    &mut wrapped,
                    envelope.payload.as_deref().unwrap_or_default(),
                    payload,
                );
                match &envelope.success {
                    Some(SuccessRule::Equals { pointer, value }) => {
                        set_pointer(&mut wrapped, pointer, value.clone())
                    }
                    Some(SuccessRule::Absent { pointer }) => {
                        if let Some((parent, name)) = pointer.rsplit_once('/')
                            && let Some(object) =
                                wrapped.pointer_mut(parent).and_then(Value::as_object_mut)
                        {
                            object.remove(name);
                        }
                    }
                    None => {}
                }
                if let Some(code) = &self.profile.errors.code {
                    set_pointer(&mut wrapped, code, Value::from(0));
                }
                wrapped
            }
            None => payload,
        };
        if let Some(refused) = self.token_call(&route.id, &request, &mut body) {
            refused.map_err(|reason| Failure::new("unauthorized", reason))?;
        }
        Ok(if response_schema.is_null() && body.is_null() {
            StatusCode::from_u16(status)
                .unwrap_or(StatusCode::OK)
                .into_response()
        } else {
            json_response(status, &body)
        })
    }

    /// Checks parameters and the JSON body against the spec as written; returns the body.
    fn validate(
        &self,
        route: &Route,
        params: &BTreeMap<String, String>,
        query: &BTreeMap<String, String>,
        headers: &HeaderMap,
        body: &Bytes,
    ) -> Result<Value, Failure> {
        let mut problems = Vec::new();
        for param in route
            .operation
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let param = schema::resolve(&self.spec, param);
            let name = param
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let required = param
                .get("required")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let value = match param.get("in").and_then(Value::as_str) {
                Some("path") => params.get(name).cloned(),
                Some("query") => query.get(name).cloned(),
                Some("header") => headers
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned),
                _ => continue,
            };
            match (value, param.get("schema")) {
                (None, _) if required => problems.push(format!("parameter {name}: required")),
                (Some(text), Some(param_schema)) => {
                    let typed = serde_json::from_str::<Value>(&text)
                        .ok()
                        .filter(|v| !v.is_string())
                        .filter(|_| {
                            schema::resolve(&self.spec, param_schema)
                                .get("type")
                                .and_then(Value::as_str)
                                != Some("string")
                        })
                        .unwrap_or(Value::String(text));
                    schema::validate(
                        &self.spec,
                        param_schema,
                        &typed,
                        &format!("parameter {name}"),
                        &mut problems,
                    );
                }
                _ => {}
            }
        }
        let body_schema = route
            .operation
            .pointer("/requestBody/content/application~1json/schema");
        let json = if body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(body)
                .map_err(|e| Failure::new("invalid", format!("the body is not JSON: {e}")))?
        };
        let body_required = route
            .operation
            .pointer("/requestBody/required")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        match body_schema {
            Some(_) if json.is_null() && body_required => {
                problems.push("body: required".to_owned())
            }
            Some(body_schema) if !json.is_null() => {
                schema::validate(&self.spec, body_schema, &json, "", &mut problems)
            }
            _ => {}
        }
        if problems.is_empty() {
            Ok(json)
        } else {
            Err(Failure::new("invalid", problems.join("; ")))
        }
    }

    fn resource_operation(&self, operation: &str) -> Option<(&str, &Resource, &ResourceOperation)> {
        self.profile
            .sandbox
            .resources
            .iter()
            .find_map(|(name, resource)| {
                resource
                    .operations
                    .get(operation)
                    .map(|op| (name.as_str(), resource, op))
            })
    }

    #[allow(clippy::too_many_arguments, reason = "one request's parts")]
    fn perform(
        &self,
        operation_id: &str,
        name: &str,
        resource: &Resource,
        operation: &ResourceOperation,
        params: &BTreeMap<String, String>,
        query: &BTreeMap<String, String>,
        request: &Value,
        payload_schema: &Value,
    ) -> Result<Value, Failure> {
        let mut state = self.lock();
        let next_id = state.next_id;
        let records = state.records.entry(name.to_owned()).or_default();
        let render = |record: &Map<String, Value>| {
            schema::render(
                &self.spec,
                payload_schema,
                Some(&with_derived(resource, record)),
                0,
            )
        };
        match operation {
            ResourceOperation::Create { set } => {
                let mut record = request.as_object().cloned().unwrap_or_default();
                // What the runtime adds (credentials) is not part of the record.
                if let Some(scheme) = self.profile.scheme_for(operation_id) {
                    for field in scheme.body.keys() {
                        record.remove(field);
                    }
                }
                let id = match resource.id.kind {
                    IdKind::Integer => Value::from(next_id),
                    IdKind::Uuid => Value::String(uuid::Uuid::new_v4().to_string()),
                    IdKind::Hex24 => {
                        Value::String(format!("{:024x}", uuid::Uuid::new_v4().as_u128() >> 32))
                    }
                };
                record.insert(resource.id.field.clone(), id);
                record.extend(set.clone());
                let rendered = render(&record);
                records.push(record);
                state.next_id += 1;
                Ok(rendered)
            }
            ResourceOperation::Read { by } => {
                let index = find(records, by, params, query, request)?;
                Ok(render(&records[index]))
            }
            ResourceOperation::List { filter } => {
                let item_schema = payload_schema.get("items").cloned().unwrap_or(Value::Null);
                let listed = records
                    .iter()
                    .filter(|record| filter.iter().all(|(k, v)| record.get(k) == Some(v)))
                    .map(|record| {
                        schema::render(
                            &self.spec,
                            &item_schema,
                            Some(&with_derived(resource, record)),
                            0,
                        )
                    })
                    .collect();
                Ok(Value::Array(listed))
            }
            ResourceOperation::Transition { by, from, to } => {
                let index = find(records, by, params, query, request)?;
                let record = &mut records[index];
                let allowed = from
                    .iter()
                    .all(|(field, values)| record.get(field).is_some_and(|v| values.contains(v)));
                if !allowed {
                    return Err(Failure::new("conflict", None));
                }
                record.extend(to.clone());
                Ok(render(record))
            }
        }
    }

    /// A failure as the vendor answers it: its status, and its code and message placed by the
    /// profile's error pointers (inside the envelope, marked as failed, when it has one).
    pub(crate) fn failure(&self, failure: Failure, status_override: Option<u16>) -> Response {
        let reply = self
            .profile
            .sandbox
            .errors
            .get(failure.kind)
            .cloned()
            .unwrap_or_else(|| default_reply(failure.kind));
        let message = match (&failure.detail, failure.kind) {
            (Some(detail), "invalid" | "not_found") => format!("{}: {detail}", reply.message),
            _ => reply.message.clone(),
        };
        tracing::debug!(vendor = %self.profile.vendor, kind = failure.kind, detail = ?failure.detail, "refused");
        let mut body = Value::Object(Map::new());
        if let Some(SuccessRule::Equals { pointer, value }) = self
            .profile
            .envelope
            .as_ref()
            .and_then(|e| e.success.as_ref())
        {
            let failed = match value {
                Value::Bool(b) => Value::Bool(!b),
                _ => Value::Null,
            };
            set_pointer(&mut body, pointer, failed);
            if let Some(payload) = self
                .profile
                .envelope
                .as_ref()
                .and_then(|e| e.payload.as_deref())
            {
                set_pointer(&mut body, payload, Value::Null);
            }
        }
        if let (Some(pointer), Some(code)) = (&self.profile.errors.code, &reply.code) {
            set_pointer(&mut body, pointer, code.clone());
        }
        match &self.profile.errors.message {
            Some(pointer) => set_pointer(&mut body, pointer, Value::String(message)),
            None => set_pointer(&mut body, "/message", Value::String(message)),
        }
        json_response(status_override.unwrap_or(reply.status), &body)
    }
}

/// A record with its derived fields (e.g. a status description looked up from the status).
fn with_derived(resource: &Resource, record: &Map<String, Value>) -> Value {
    let mut full = record.clone();
    for (field, derived) in &resource.derived {
        let key = match record.get(&derived.from) {
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => continue,
        };
        if let Some(value) = derived.map.get(&key) {
            full.insert(field.clone(), value.clone());
        }
    }
    Value::Object(full)
}

fn default_reply(kind: &str) -> ErrorReply {
    let (status, message) = match kind {
        "unauthorized" => (401, "Unauthorized"),
        "invalid" => (400, "Invalid request"),
        "not_found" => (404, "Not found"),
        "conflict" => (409, "The operation is not allowed in the current state"),
        _ => (500, "Sandbox error"),
    };
    ErrorReply {
        status,
        code: None,
        message: message.to_owned(),
    }
}

/// The first 2xx response of an operation: its status and JSON schema (or null).
fn success_response(operation: &Value) -> (u16, Value) {
    let responses = operation.get("responses").and_then(Value::as_object);
    for (status, response) in responses.into_iter().flatten() {
        if let Ok(code) = status.parse::<u16>()
            && (200..300).contains(&code)
        {
            let schema = response
                .pointer("/content/application~1json/schema")
                .cloned()
                .unwrap_or(Value::Null);
            return (code, schema);
        }
    }
    (200, Value::Null)
}

fn as_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The index of the record a request names, by the first locator present in it.
fn find(
    records: &[Map<String, Value>],
    by: &[Locator],
    params: &BTreeMap<String, String>,
    query: &BTreeMap<String, String>,
    request: &Value,
) -> Result<usize, Failure> {
    for locator in by {
        let named = match (&locator.path, &locator.query, &locator.body) {
            (Some(name), _, _) => params.get(name).cloned(),
            (_, Some(name), _) => query.get(name).cloned(),
            (_, _, Some(pointer)) => request
                .pointer(pointer)
                .filter(|v| !v.is_null())
                .map(as_text),
            _ => None,
        };
        let Some(named) = named else { continue };
        return records
            .iter()
            .position(|record| {
                record.get(&locator.field).map(as_text).as_deref() == Some(named.as_str())
            })
            .ok_or_else(|| Failure::new("not_found", None));
    }
    Err(Failure::new(
        "invalid",
        "the request does not name a record".to_owned(),
    ))
}

/// Redacts a header value for the log: credentials and tokens hidden, signatures shortened.
pub(crate) fn redact(source: &ValueSource, value: &str) -> String {
    match source {
        ValueSource::Credential(_) => "[redacted]".to_owned(),
        ValueSource::Token(_) => "Bearer [redacted]".to_owned(),
        ValueSource::HmacSha256(_) => {
            format!("{}…[redacted]", value.chars().take(8).collect::<String>())
        }
        _ => value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fault_headers() {
        assert_eq!(parse_fault("503"), ("503", None, None));
        assert_eq!(
            parse_fault("503x2@list_orders"),
            ("503", Some(2), Some("list_orders"))
        );
        assert_eq!(parse_fault("slow:800"), ("slow:800", None, None));
        assert_eq!(parse_fault("resetx1"), ("reset", Some(1), None));
    }

    #[test]
    fn pointers_create_what_is_missing() {
        let mut body = json!({"Result": true});
        set_pointer(&mut body, "/Body/Inner", json!(1));
        set_pointer(&mut body, "/Result", json!(false));
        assert_eq!(body, json!({"Result": false, "Body": {"Inner": 1}}));
    }
}
