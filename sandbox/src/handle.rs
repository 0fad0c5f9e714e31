//! One request through the sandbox: route, fault, auth, validation, state, reply; every
//! failure answered in the vendor's own shape.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use payspec_runtime::profile::sandbox::{
    ErrorReply, FailureKind, IdKind, Locator, Resource, ResourceOperation,
};
use payspec_runtime::profile::{ValueSource, envelope, openapi};
use serde_json::{Map, Value};

use crate::fault::{self, Alteration, Effect, FAULT_HEADER, FaultRequest};
use crate::paging;
use crate::replay::{self, Seen};
use crate::schema;
use crate::store::text;
use crate::vendor::{Route, VendorSandbox, percent_decode};

/// How many distinct counted fault headers are remembered.
const MAX_FAULT_COUNTERS: usize = 1_024;

/// What a handled request produced, for the log.
pub(crate) struct Handled {
    pub response: Response,
    pub operation: Option<String>,
}

pub(crate) fn json_response(status: u16, body: &Value) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let content_type = [(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    )];
    (status, content_type, bytes).into_response()
}

/// A failure to report in the vendor's own shape.
pub(crate) struct Failure {
    kind: FailureKind,
    detail: Option<String>,
    /// A status that replaces the vendor's for this kind (a body that is not JSON is a 400
    /// whatever the vendor answers its other validation failures with).
    status: Option<u16>,
}

impl Failure {
    pub(crate) fn new(kind: FailureKind, detail: impl Into<Option<String>>) -> Self {
        Self {
            kind,
            detail: detail.into(),
            status: None,
        }
    }

    fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }
}

/// One request's parts.
pub(crate) struct Incoming<'a> {
    pub method: &'a Method,
    /// The path below the vendor's prefix (what the spec's paths match).
    pub path: &'a str,
    /// The whole path as received (what a client signs).
    pub received_path: &'a str,
    pub query: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a Bytes,
}

impl VendorSandbox {
    pub(crate) async fn handle(&self, request: Incoming<'_>) -> Handled {
        let no_route = || Handled {
            response: self.failure(
                Failure::new(
                    FailureKind::NotFound,
                    format!("no such endpoint: {} {}", request.method, request.path),
                )
                .with_status(404),
            ),
            operation: None,
        };
        if request.method == Method::POST
            && let Some(grant) = self.token_endpoint(request.path, request.headers, request.body)
        {
            let response = match grant {
                Ok(answer) => json_response(200, &answer),
                Err(reason) => self.failure(Failure::new(FailureKind::Unauthorized, reason)),
            };
            return Handled {
                response,
                operation: Some("token_endpoint".into()),
            };
        }
        let Some((route, params)) = self.route(request.method.as_str(), request.path) else {
            return no_route();
        };
        let operation = Some(route.id.clone());
        *self.lock().arrivals.entry(route.id.clone()).or_default() += 1;
        let mut lose_reply = false;
        let altered = match self.fault_for(request.headers, &route.id) {
            Err(message) => {
                let response = (StatusCode::BAD_REQUEST, message).into_response();
                return Handled {
                    response,
                    operation,
                };
            }
            Ok(None) => None,
            Ok(Some(fault)) => match fault.apply().await {
                Effect::Reply(response) => {
                    return Handled {
                        response,
                        operation,
                    };
                }
                Effect::UnknownEnum => Some(Alteration::UnknownEnums),
                Effect::Drift(drift) => Some(Alteration::Drift(drift)),
                Effect::LoseReply => {
                    lose_reply = true;
                    None
                }
                Effect::None => None,
            },
        };
        let body = match self.read_body(route, &request).await {
            Ok(body) => body,
            Err(failure) => {
                return Handled {
                    response: self.failure(failure),
                    operation,
                };
            }
        };
        let response = self
            .answer_keyed(route, &params, &request, body, altered)
            .await;
        Handled {
            response: if lose_reply { fault::reset() } else { response },
            operation,
        }
    }

    /// The answer, through the idempotency key when the request carries one: a replay, a
    /// conflict, or a new answer kept for the key.
    async fn answer_keyed(
        &self,
        route: &Route,
        params: &BTreeMap<String, String>,
        request: &Incoming<'_>,
        body: Value,
        altered: Option<Alteration>,
    ) -> Response {
        let key = self
            .profile
            .idempotency
            .as_ref()
            .and_then(|i| replay::key_of(i, request.headers, &body));
        // The operation and the path it was sent to (another payment captured under the same key
        // is another request), and the body.
        let fingerprint = replay::fingerprint(&format!("{} {}", route.id, request.path), &body);
        if let Some(key) = &key {
            match self.lock().replays.seen(key, fingerprint) {
                Seen::New => {}
                Seen::Replay(response) => return response,
                Seen::Conflict => {
                    let message =
                        format!("idempotency key {key:?} was already used with another request");
                    return self
                        .failure(Failure::new(FailureKind::Invalid, message).with_status(422));
                }
            }
        }
        let response = match self.answer(route, params, request, body, altered) {
            Ok(response) => response,
            Err(failure) => self.failure(failure),
        };
        let Some(key) = key else {
            return response;
        };
        let (parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX)
            .await
            .unwrap_or_default();
        let content_type = parts.headers.get(header::CONTENT_TYPE).cloned();
        self.lock()
            .replays
            .keep(key, fingerprint, parts.status, content_type, bytes.clone());
        Response::from_parts(parts, axum::body::Body::from(bytes))
    }

    /// The fault this request asks for, if it applies to `operation` and has not run out; an
    /// error (answered 400) when the header is malformed or names an unknown kind.
    fn fault_for(
        &self,
        headers: &HeaderMap,
        operation: &str,
    ) -> Result<Option<crate::fault::Fault>, String> {
        let Some(value) = headers.get(FAULT_HEADER) else {
            return Ok(None);
        };
        let text = value
            .to_str()
            .map_err(|_| format!("header {FAULT_HEADER} is not text"))?;
        let request =
            FaultRequest::parse(text).map_err(|e| format!("header {FAULT_HEADER}: {e}"))?;
        if request.operation.as_deref().is_some_and(|o| o != operation) {
            return Ok(None);
        }
        if let Some(times) = request.times {
            let mut state = self.lock();
            if state.faults.len() >= MAX_FAULT_COUNTERS && !state.faults.contains_key(text) {
                state.faults.clear();
            }
            let used = state.faults.entry(text.to_owned()).or_insert(0);
            if *used >= times {
                return Ok(None);
            }
            *used += 1;
        }
        Ok(Some(request.fault))
    }

    /// The request body as JSON: parsed, or read from its multipart parts.
    async fn read_body(&self, route: &Route, request: &Incoming<'_>) -> Result<Value, Failure> {
        let content_type = request
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        if content_type.is_some_and(|c| c.starts_with("application/x-www-form-urlencoded")) {
            return crate::form::read_urlencoded(request.body, &self.spec, self.body_schema(route))
                .map_err(|e| {
                    Failure::new(
                        FailureKind::Invalid,
                        format!("the form body does not parse: {e}"),
                    )
                    .with_status(400)
                });
        }
        let Some(boundary) = crate::form::boundary(content_type) else {
            return parse_body(request.body);
        };
        let schema = self.body_schema(route);
        crate::form::read(request.body.clone(), boundary, &self.spec, schema)
            .await
            .map_err(|e| {
                Failure::new(
                    FailureKind::Invalid,
                    format!("the multipart body does not parse: {e}"),
                )
                .with_status(400)
            })
    }

    /// The schema of an operation's body as written: JSON, else multipart form.
    fn body_schema<'s>(&'s self, route: &'s Route) -> Option<&'s Value> {
        let content = route
            .operation
            .get("requestBody")
            .map(|b| openapi::resolve(&self.spec, b))
            .and_then(|b| b.get("content"))?;
        openapi::json_media(content)
            .or_else(|| {
                ["multipart/form-data", "application/x-www-form-urlencoded"]
                    .into_iter()
                    .find_map(|media| content.get(media).map(|m| (media, m)))
            })
            .and_then(|(_, media)| media.get("schema"))
    }

    fn answer(
        &self,
        route: &Route,
        params: &BTreeMap<String, String>,
        request: &Incoming<'_>,
        json: Value,
        altered: Option<Alteration>,
    ) -> Result<Response, Failure> {
        if let Some(scheme) = self.profile.scheme_for(&route.id) {
            self.verify(
                scheme,
                request.method.as_str(),
                (request.received_path, request.query),
                request.headers,
                request.body,
            )
            .map_err(|reason| Failure::new(FailureKind::Unauthorized, reason))?;
        }
        let query = parse_query(request.query);
        self.validate(route, params, &query, request.headers, &json)?;
        let (status, response_schema) = openapi::success_response(&self.spec, &route.operation);
        let payload_schema = match self
            .profile
            .envelope
            .as_ref()
            .and_then(|e| e.payload.as_deref())
        {
            Some(at) => openapi::schema_at(&self.spec, &response_schema, at).unwrap_or(Value::Null),
            None => response_schema.clone(),
        };
        let named = Named {
            path: request.received_path,
            params,
            query: &query,
            headers: request.headers,
            request: &json,
            answer_header: Default::default(),
        };
        let mut payload = match self.resource_operation(&route.id) {
            Some((name, resource, operation)) => self.perform(
                &route.id,
                name,
                resource,
                operation,
                &named,
                &payload_schema,
            )?,
            None => schema::render(&self.spec, &payload_schema, None, 0),
        };
        self.alter(altered, &payload_schema, &mut payload)?;
        let mut body = match &self.profile.envelope {
            Some(shape) => {
                let mut wrapped = schema::render(&self.spec, &response_schema, None, 0);
                envelope::fill_success(shape, &self.profile.errors, &mut wrapped, payload);
                wrapped
            }
            None => payload,
        };
        if let Some(refused) = self.token_call(&route.id, &json, &mut body) {
            refused.map_err(|reason| Failure::new(FailureKind::Unauthorized, reason))?;
        }
        let mut response = if response_schema.is_null() && body.is_null() {
            StatusCode::from_u16(status)
                .unwrap_or(StatusCode::OK)
                .into_response()
        } else {
            json_response(status, &body)
        };
        if let Some((name, value)) = named.answer_header.take()
            && let (Ok(name), Ok(value)) = (
                header::HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(&value),
            )
        {
            response.headers_mut().insert(name, value);
        }
        Ok(response)
    }

    /// Checks parameters and the JSON body against the spec as written.
    fn validate(
        &self,
        route: &Route,
        params: &BTreeMap<String, String>,
        query: &BTreeMap<String, String>,
        headers: &HeaderMap,
        json: &Value,
    ) -> Result<(), Failure> {
        let mut problems = Vec::new();
        for param in &route.parameters {
            self.validate_parameter(param, params, query, headers, &mut problems);
        }
        let body_schema = self.body_schema(route);
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
                schema::validate(&self.spec, body_schema, json, "", &mut problems)
            }
            _ => {}
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Failure::new(FailureKind::Invalid, problems.join("; ")))
        }
    }

    fn validate_parameter(
        &self,
        param: &Value,
        params: &BTreeMap<String, String>,
        query: &BTreeMap<String, String>,
        headers: &HeaderMap,
        problems: &mut Vec<String>,
    ) {
        let name = param
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let required = param
            .get("required")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let value = match param.get("in").and_then(Value::as_str) {
            // Every name of the path template was captured: one that was not is a path
            // parameter the template lacks, which no client can send (the generator drops it).
            Some("path") if !params.contains_key(name) => return,
            Some("path") => params.get(name).cloned(),
            Some("query") => query.get(name).cloned(),
            Some("header") => headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            _ => return,
        };
        match (value, param.get("schema")) {
            (None, _) if required => problems.push(format!("parameter {name}: required")),
            (Some(text), Some(param_schema)) => {
                let is_string = openapi::resolve(&self.spec, param_schema)
                    .get("type")
                    .and_then(Value::as_str)
                    == Some("string");
                let typed = serde_json::from_str::<Value>(&text)
                    .ok()
                    .filter(|v| !v.is_string() && !is_string)
                    .unwrap_or(Value::String(text));
                schema::validate(
                    &self.spec,
                    param_schema,
                    &typed,
                    &format!("parameter {name}"),
                    problems,
                );
            }
            _ => {}
        }
    }

    /// The payload changed as a fault asks: every enum broken, or one drift.
    fn alter(
        &self,
        altered: Option<Alteration>,
        payload_schema: &Value,
        payload: &mut Value,
    ) -> Result<(), Failure> {
        match altered {
            Some(Alteration::UnknownEnums) => {
                schema::break_enums(&self.spec, payload_schema, payload, 0);
            }
            Some(Alteration::Drift(drift)) => {
                let made = schema::drift(&self.spec, payload_schema, payload, drift, 0);
                // A fault asked for and not made would pass for a vendor that keeps its spec.
                if !made {
                    let message =
                        format!("fault {drift:?}: this answer has nothing to drift that way");
                    return Err(Failure::new(FailureKind::Invalid, message).with_status(400));
                }
            }
            None => {}
        }
        Ok(())
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

    /// A failure as the vendor answers it: its status, and its code and message placed by the
    /// profile's error pointers (inside the envelope, marked as failed, when it has one).
    pub(crate) fn failure(&self, failure: Failure) -> Response {
        let reply = self
            .profile
            .sandbox
            .errors
            .get(&failure.kind)
            .cloned()
            .unwrap_or_else(|| ErrorReply {
                status: failure.kind.default_status(),
                code: None,
                message: failure.kind.default_message().to_owned(),
            });
        let message = match (&failure.detail, failure.kind) {
            (Some(detail), FailureKind::Invalid | FailureKind::NotFound) => {
                format!("{}: {detail}", reply.message)
            }
            _ => reply.message.clone(),
        };
        tracing::debug!(vendor = %self.profile.vendor, kind = ?failure.kind, detail = ?failure.detail, "refused");
        let body = envelope::failure_body(
            self.profile.envelope.as_ref(),
            &self.profile.errors,
            reply.code.clone(),
            message,
        );
        json_response(failure.status.unwrap_or(reply.status), &body)
    }
}

/// Where a request may name a record.
pub(crate) struct Named<'a> {
    /// The path as received (the links of a paged list point back to it).
    pub path: &'a str,
    pub params: &'a BTreeMap<String, String>,
    pub query: &'a BTreeMap<String, String>,
    pub headers: &'a axum::http::HeaderMap,
    pub request: &'a Value,
    /// A header the answer carries, set while performing (a paged list's `Link` to the next
    /// page, for a vendor that links pages in a header).
    pub answer_header: std::cell::RefCell<Option<(String, String)>>,
}

impl VendorSandbox {
    /// One page of a list, the vendor's way (vendor.yaml's pagination recipe), with what the
    /// client reads to ask for the next.
    fn list_page(
        &self,
        operation_id: &str,
        resource: &Resource,
        store: &crate::store::Store,
        filter: &Map<String, Value>,
        named: &Named<'_>,
        payload_schema: &Value,
    ) -> Result<Value, Failure> {
        let recipe = self.profile.pagination_for(operation_id).map(|(_, r)| r);
        let asked = paging::Asked {
            query: named.query,
            body: named.request,
            path: named.path,
        };
        let position = |id: &str| store.position(filter, &resource.id.field, id);
        let window = paging::window(recipe, &asked, &position)
            .map_err(|message| Failure::new(FailureKind::Invalid, message).with_status(400))?;
        let mut records = store.list(filter, window.skip, window.take + 1);
        let more = records.len() > window.take;
        records.truncate(window.take);
        *named.answer_header.borrow_mut() = paging::link_header(recipe, window, more, &asked);
        // The list is the payload, or sits inside it (Paywall's Body.List, Stripe's data).
        let at = resource.record_at.get(operation_id);
        let list_schema = match at {
            Some(pointer) => {
                openapi::schema_at(&self.spec, payload_schema, pointer).unwrap_or(Value::Null)
            }
            None => payload_schema.clone(),
        };
        let item_schema = openapi::resolve(&self.spec, &list_schema)
            .get("items")
            .cloned()
            .unwrap_or(Value::Null);
        let listed: Vec<Value> = records
            .iter()
            .map(|record| {
                let full = with_derived(resource, record);
                schema::render(&self.spec, &item_schema, Some(&full), 0)
            })
            .collect();
        let Some(pointer) = at else {
            return Ok(Value::Array(listed));
        };
        let mut payload = schema::render(&self.spec, payload_schema, None, 0);
        if let Some(slot) = payload.pointer_mut(pointer) {
            *slot = Value::Array(listed);
        }
        paging::annotate(recipe, &mut payload, window, more, &asked);
        Ok(payload)
    }

    fn perform(
        &self,
        operation_id: &str,
        name: &str,
        resource: &Resource,
        operation: &ResourceOperation,
        named: &Named<'_>,
        payload_schema: &Value,
    ) -> Result<Value, Failure> {
        let mut state = self.lock();
        let next_id = state.next_id;
        if matches!(operation, ResourceOperation::Create { .. }) {
            state.next_id += 1;
        }
        let render = |record: &Map<String, Value>| {
            let full = with_derived(resource, record);
            let placed = match resource.record_at.get(operation_id) {
                Some(at) => place_at(at, full),
                None => full,
            };
            schema::render(&self.spec, payload_schema, Some(&placed), 0)
        };
        let Some(store) = state.stores.get_mut(name) else {
            return Err(Failure::new(FailureKind::NotFound, None));
        };
        match operation {
            ResourceOperation::Create { set } => {
                let mut record = self.request_fields(operation_id, named.request);
                record.insert(resource.id.field.clone(), new_id(resource.id.kind, next_id));
                record.extend(set.clone());
                let rendered = render(&record);
                store.insert(record);
                Ok(rendered)
            }
            ResourceOperation::Read { by } => {
                let slot = find(store, by, named)?;
                Ok(store.get(slot).map(|r| render(&r)).unwrap_or(Value::Null))
            }
            ResourceOperation::List { filter } => {
                self.list_page(operation_id, resource, store, filter, named, payload_schema)
            }
            ResourceOperation::Update { by } => {
                let slot = find(store, by, named)?;
                let mut record = store.get(slot).unwrap_or_default();
                let id = record.get(&resource.id.field).cloned();
                record.extend(self.request_fields(operation_id, named.request));
                // The identifier is the sandbox's, whatever the body says.
                if let Some(id) = id {
                    record.insert(resource.id.field.clone(), id);
                }
                let rendered = render(&record);
                store.put(slot, record);
                Ok(rendered)
            }
            ResourceOperation::Transition { by, from, to } => {
                let slot = find(store, by, named)?;
                let record = transition(store.get(slot).unwrap_or_default(), from, to)?;
                let rendered = render(&record);
                store.put(slot, record);
                Ok(rendered)
            }
            ResourceOperation::Switch { by, on, cases } => {
                let case = switch_case(named.request, on, cases)?;
                let slot = find(store, by, named)?;
                let record = transition(store.get(slot).unwrap_or_default(), &case.from, &case.to)?;
                let rendered = render(&record);
                store.put(slot, record);
                Ok(rendered)
            }
        }
    }
}

/// `record` moved to `to`, if each field in `from` has one of its allowed values.
fn transition(
    mut record: Map<String, Value>,
    from: &BTreeMap<String, Vec<Value>>,
    to: &Map<String, Value>,
) -> Result<Map<String, Value>, Failure> {
    let allowed = from
        .iter()
        .all(|(field, values)| record.get(field).is_some_and(|v| values.contains(v)));
    if !allowed {
        return Err(Failure::new(FailureKind::Conflict, None));
    }
    record.extend(to.clone());
    Ok(record)
}

/// `value` nested at `pointer` (`/draft` gives `{"draft": value}`).
fn place_at(pointer: &str, value: Value) -> Value {
    let tokens: Vec<&str> = pointer.split('/').skip(1).collect();
    tokens.into_iter().rev().fold(value, |inner, token| {
        let key = payspec_runtime::profile::pointer::unescape(token);
        Value::Object(Map::from_iter([(key, inner)]))
    })
}

impl VendorSandbox {
    /// The request body's fields, without what the runtime adds (credentials in the body).
    fn request_fields(&self, operation_id: &str, request: &Value) -> Map<String, Value> {
        let mut fields = request.as_object().cloned().unwrap_or_default();
        if let Some(scheme) = self.profile.scheme_for(operation_id) {
            for field in scheme.body.keys() {
                fields.remove(field);
            }
        }
        fields
    }
}

fn new_id(kind: IdKind, next: i64) -> Value {
    match kind {
        IdKind::Integer => Value::from(next),
        IdKind::Uuid => Value::String(uuid::Uuid::new_v4().to_string()),
        IdKind::Hex24 => Value::String(format!("{:024x}", uuid::Uuid::new_v4().as_u128() >> 32)),
    }
}

/// The body as JSON (`null` when empty); a body that is not JSON is a 400 in the vendor's
/// shape, for every vendor.
fn parse_body(body: &Bytes) -> Result<Value, Failure> {
    if body.is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_slice(body).map_err(|e| {
        Failure::new(FailureKind::Invalid, format!("the body is not JSON: {e}")).with_status(400)
    })
}

fn parse_query(query: &str) -> BTreeMap<String, String> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (percent_decode(k), percent_decode(&v.replace('+', " "))))
        .collect()
}

/// A record with its derived fields (e.g. a status description looked up from the status).
fn with_derived(resource: &Resource, record: &Map<String, Value>) -> Value {
    let mut full = record.clone();
    for (field, derived) in &resource.derived {
        let Some(key) = record.get(&derived.from).map(text) else {
            continue;
        };
        if let Some(value) = derived.map.get(&key) {
            full.insert(field.clone(), value.clone());
        }
    }
    Value::Object(full)
}

/// The record a request names, by the first locator present in it.
fn find(store: &crate::store::Store, by: &[Locator], named: &Named<'_>) -> Result<u64, Failure> {
    for locator in by {
        let value = if let Some(name) = &locator.path {
            named.params.get(name).cloned()
        } else if let Some(name) = &locator.query {
            named.query.get(name).cloned()
        } else if let Some(name) = &locator.header {
            named
                .headers
                .get(name.as_str())
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        } else if let Some(pointer) = &locator.body {
            named
                .request
                .pointer(pointer)
                .filter(|v| !v.is_null())
                .map(text)
        } else {
            None
        };
        let Some(value) = value else { continue };
        return store
            .find(&locator.field, &value)
            .ok_or_else(|| Failure::new(FailureKind::NotFound, None));
    }
    Err(Failure::new(
        FailureKind::Invalid,
        "the request does not name a record".to_owned(),
    ))
}

/// Redacts a header value for the log: credentials and tokens hidden, signatures shortened.
pub(crate) fn redact(source: &ValueSource, value: &str) -> String {
    match source {
        ValueSource::Credential(_) | ValueSource::Template(_) => "[redacted]".to_owned(),
        ValueSource::Token(_) | ValueSource::Bearer(_) => "Bearer [redacted]".to_owned(),
        ValueSource::Basic(_) => "Basic [redacted]".to_owned(),
        ValueSource::HmacSha256(_) | ValueSource::Jwt(_) => {
            format!("{}…[redacted]", value.chars().take(8).collect::<String>())
        }
        _ => value.to_owned(),
    }
}

/// The case a switch operation's request asks for (the value at `on`), or why none.
fn switch_case<'a, Case>(
    request: &Value,
    on: &str,
    cases: &'a BTreeMap<String, Case>,
) -> Result<&'a Case, Failure> {
    let asked = request.pointer(on).map(|v| {
        v.as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| v.to_string())
    });
    asked.as_deref().and_then(|a| cases.get(a)).ok_or_else(|| {
        let known: Vec<&str> = cases.keys().map(String::as_str).collect();
        Failure::new(
            FailureKind::Invalid,
            format!("{on} must be one of {}", known.join(", ")),
        )
    })
}
