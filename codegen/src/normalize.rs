//! Bringing a vendor's OpenAPI text into the shape progenitor needs, guided by the profile:
//! every operation gets a snake_case operationId, whatever the runtime supplies (auth headers,
//! credential body fields, `Content-Type`) is removed from what a caller passes, and error
//! responses are left to the runtime, which decodes them by the profile's `errors` pointers.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use openapiv3::{
    OpenAPI, Operation, Parameter, ReferenceOr, RequestBody, Schema, SchemaKind, StatusCode, Type,
};
use payspec_profile::{Profile, Scheme};

use crate::diagnostic::{Diagnostic, Diagnostics, token};
use crate::load::VendorFiles;

/// Headers a caller never passes: the HTTP client sets them.
const TRANSPORT_HEADERS: [&str; 3] = ["content-type", "accept", "content-length"];

/// What the normaliser learned about one operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationSummary {
    /// The snake_case operationId.
    pub id: String,
    /// The HTTP method, upper case.
    pub method: String,
    /// The path template.
    pub path: String,
    /// The vendor's one-line summary, if any.
    pub summary: String,
    /// The parameters a caller passes (after removal of runtime-supplied ones).
    pub params: Vec<ParamSummary>,
    /// Whether the operation takes a JSON body, and whether it is required.
    pub body: Option<bool>,
    /// Whether a success carries a body.
    pub returns_body: bool,
    /// What the runtime supplies instead of the caller (e.g. `header Payload-Signature`).
    pub supplied_by_runtime: Vec<String>,
    /// The JSON pointer of the operation in the spec.
    pub pointer: String,
}

/// One parameter of an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamSummary {
    /// The name in the spec.
    pub name: String,
    /// `path`, `query`, `header` or `cookie`.
    pub location: &'static str,
    /// Whether the caller must pass it.
    pub required: bool,
}

/// Normalises `spec` in place; returns the operations in document order.
pub fn normalize(
    files: &VendorFiles,
    spec: &mut OpenAPI,
    profile: &Profile,
) -> Result<Vec<OperationSummary>, Diagnostics> {
    let file = files.spec.as_path();
    let mut problems = Vec::new();
    // Component schemas as written, to follow `$ref`s while operations are rewritten.
    let components: BTreeMap<String, ReferenceOr<Schema>> = spec
        .components
        .iter()
        .flat_map(|c| {
            c.schemas
                .iter()
                .map(|(name, schema)| (name.clone(), schema.clone()))
        })
        .collect();
    let mut operations = Vec::new();
    // Request-body components whose runtime-supplied fields must go, with the fields.
    let mut component_fields: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let global_security = spec.security.clone();
    let shared_parameters: BTreeMap<String, ReferenceOr<Parameter>> = spec
        .components
        .iter()
        .flat_map(|c| {
            c.parameters
                .iter()
                .map(|(name, p)| (name.clone(), p.clone()))
        })
        .collect();
    let security_headers = api_key_headers(spec);

    for (path, item) in spec.paths.paths.iter_mut() {
        let path_pointer = format!("/paths/{}", token(path));
        let item = match item {
            ReferenceOr::Item(item) => item,
            ReferenceOr::Reference { .. } => {
                problems.push(Diagnostic::new(
                    file,
                    &path_pointer,
                    "a `$ref` path item is not supported: write the operations inline",
                ));
                continue;
            }
        };
        // Path-level parameters are copied into each operation, so that removal is per operation.
        let shared_params = std::mem::take(&mut item.parameters);
        let methods: [(&str, &mut Option<Operation>); 8] = [
            ("get", &mut item.get),
            ("put", &mut item.put),
            ("post", &mut item.post),
            ("delete", &mut item.delete),
            ("options", &mut item.options),
            ("head", &mut item.head),
            ("patch", &mut item.patch),
            ("trace", &mut item.trace),
        ];
        for (method, operation) in methods {
            let Some(operation) = operation.as_mut() else {
                continue;
            };
            let pointer = format!("{path_pointer}/{method}");
            let mut params = shared_params.clone();
            params.retain(|shared| {
                !operation
                    .parameters
                    .iter()
                    .any(|own| same_param(own, shared))
            });
            operation.parameters.extend(params);

            let id = operation_id(operation, method, path);
            operation.operation_id = Some(id.clone());
            let scheme = profile.scheme_for(&id);
            let mut supplied = Vec::new();

            // Header parameters the runtime or the HTTP client fills.
            let mut kept = Vec::new();
            for param in std::mem::take(&mut operation.parameters) {
                // Shared parameters (`#/components/parameters/...`) are inlined.
                let param = match param {
                    ReferenceOr::Reference { reference } => {
                        let target = reference
                            .strip_prefix("#/components/parameters/")
                            .and_then(|name| shared_parameters.get(name));
                        match target {
                            Some(ReferenceOr::Item(p)) => ReferenceOr::Item(p.clone()),
                            _ => {
                                problems.push(Diagnostic::new(file, format!("{pointer}/parameters"), format!(
                                    "parameter `$ref` {reference:?} does not point to a parameter in #/components/parameters"
                                )));
                                continue;
                            }
                        }
                    }
                    item => item,
                };
                let ReferenceOr::Item(data) = &param else {
                    continue;
                };
                if let Parameter::Header { parameter_data, .. } = data {
                    let name = parameter_data.name.to_ascii_lowercase();
                    let by_runtime = scheme
                        .is_some_and(|s| s.headers.keys().any(|h| h.eq_ignore_ascii_case(&name)));
                    if by_runtime || TRANSPORT_HEADERS.contains(&name.as_str()) {
                        supplied.push(format!("header {}", parameter_data.name));
                        continue;
                    }
                }
                kept.push(param);
            }
            operation.parameters = kept;

            // Headers the spec's own security schemes require must be supplied by the profile.
            let requirements = operation.security.as_ref().or(global_security.as_ref());
            for requirement in requirements.into_iter().flatten() {
                for scheme_name in requirement.keys() {
                    let Some(header) = security_headers.get(scheme_name) else {
                        continue;
                    };
                    let provided = scheme
                        .is_some_and(|s| s.headers.keys().any(|h| h.eq_ignore_ascii_case(header)));
                    if !provided {
                        problems.push(Diagnostic::new(file, &pointer, format!(
                            "the spec's security scheme {scheme_name:?} sends header {header:?}, but vendor.yaml's auth for operation {id:?} does not set it"
                        )));
                    }
                }
            }

            // Credential fields of the JSON body.
            let body = match &mut operation.request_body {
                None => None,
                Some(ReferenceOr::Reference { reference }) => {
                    problems.push(Diagnostic::new(file, format!("{pointer}/requestBody"), format!("requestBody `$ref` {reference:?} is not supported: write the body inline")));
                    None
                }
                Some(ReferenceOr::Item(body)) => Some(body),
            };
            if let Some(body) = body.as_ref() {
                if body.content.len() > 1 {
                    let types: Vec<&str> = body.content.keys().map(String::as_str).collect();
                    problems.push(Diagnostic::new(file, format!("{pointer}/requestBody/content"), format!(
                        "several request media types ({}): the generator takes one; keep one in an overlay",
                        types.join(", ")
                    )));
                }
                for (media, content) in &body.content {
                    if content.schema.is_none() {
                        problems.push(Diagnostic::new(
                            file,
                            format!("{pointer}/requestBody/content/{}", token(media)),
                            "a request body without a schema",
                        ));
                    }
                }
            }
            let has_body = body.as_ref().map(|b| b.required);
            if let Some(scheme) = scheme.filter(|s| !s.body.is_empty()) {
                match body {
                    Some(body) => {
                        if let Err(message) =
                            strip_body_fields(body, scheme, &mut component_fields, &mut supplied)
                        {
                            problems.push(Diagnostic::new(
                                file,
                                format!("{pointer}/requestBody"),
                                message,
                            ));
                        }
                    }
                    None => supplied.extend(scheme.body.keys().map(|f| format!("body {f}"))),
                }
            }

            // Errors are decoded by the runtime; progenitor sees only the success responses.
            operation.responses.default = None;
            operation
                .responses
                .responses
                .retain(|status, _| is_success(status));
            // One success type per operation: progenitor cannot return one of several.
            let mut success_schemas: Vec<(String, String)> = Vec::new();
            for (status, response) in &operation.responses.responses {
                let ReferenceOr::Item(response) = response else {
                    continue;
                };
                for (media, content) in &response.content {
                    match &content.schema {
                        Some(schema) => {
                            let text = serde_json::to_string(schema).unwrap_or_default();
                            if !success_schemas.iter().any(|(_, s)| *s == text) {
                                success_schemas.push((status.to_string(), text));
                            }
                        }
                        None if media.contains("json") => problems.push(Diagnostic::new(
                            file,
                            format!("{pointer}/responses/{status}/content/{}", token(media)),
                            "a JSON response without a schema",
                        )),
                        None => {}
                    }
                }
            }
            // A vendor that answers 200 where its spec says 201 still answered with success: one
            // success response is taken for the whole 2xx range.
            if operation.responses.responses.len() == 1
                && let Some(response) = operation.responses.responses.pop().map(|(_, r)| r)
            {
                operation
                    .responses
                    .responses
                    .insert(StatusCode::Range(2), response);
            }
            if success_schemas.len() > 1 {
                let statuses: Vec<&str> = success_schemas.iter().map(|(s, _)| s.as_str()).collect();
                problems.push(Diagnostic::new(file, format!("{pointer}/responses"), format!(
                    "several success bodies of different schemas ({}): the generator returns one type; keep one in an overlay",
                    statuses.join(", ")
                )));
            }
            // With an envelope, the caller's type is the payload's.
            if let Some(payload) = profile.envelope.as_ref().and_then(|e| e.payload.as_deref()) {
                for (status, response) in operation.responses.responses.iter_mut() {
                    let ReferenceOr::Item(response) = response else {
                        continue;
                    };
                    for media in response.content.values_mut() {
                        let Some(schema) = media.schema.as_mut() else {
                            continue;
                        };
                        match unwrap_payload(schema, payload, &components) {
                            Ok(inner) => *schema = inner,
                            Err(message) => problems.push(Diagnostic::new(
                                file,
                                format!("{pointer}/responses/{status}"),
                                message,
                            )),
                        }
                    }
                }
            }

            let returns_body =
                operation
                    .responses
                    .responses
                    .values()
                    .any(|response| match response {
                        ReferenceOr::Item(response) => response
                            .content
                            .values()
                            .any(|media| media.schema.is_some()),
                        ReferenceOr::Reference { .. } => true,
                    });
            operations.push(OperationSummary {
                returns_body,
                params: operation
                    .parameters
                    .iter()
                    .filter_map(param_summary)
                    .collect(),
                id,
                method: method.to_ascii_uppercase(),
                path: path.clone(),
                summary: operation.summary.clone().unwrap_or_default(),
                body: has_body,
                supplied_by_runtime: supplied,
                pointer,
            });
        }
    }

    if let Some(components) = spec.components.as_mut() {
        for (name, fields) in &component_fields {
            if let Some(ReferenceOr::Item(schema)) = components.schemas.get_mut(name) {
                remove_properties(schema, fields);
            }
        }
    }

    require_nullable_wrappers(spec, profile);
    open_integer_enums(spec);
    problems.extend(duplicate_ids(file, &operations));
    problems.extend(check_profile_references(
        files,
        profile,
        &operations,
        &components,
    ));
    problems.extend(alias_cycles(file, &components));
    for operation in profile.auth.operations.keys() {
        if !operations.iter().any(|o| &o.id == operation) {
            let known: Vec<&str> = operations.iter().map(|o| o.id.as_str()).collect();
            problems.push(Diagnostic::new(file, "", format!(
                "vendor.yaml's auth.operations names {operation:?}, which is not an operation of this spec ({})",
                known.join(", ")
            )));
        }
    }
    if problems.is_empty() {
        Ok(operations)
    } else {
        Err(Diagnostics(problems))
    }
}

/// The operationId: the vendor's own (in snake_case), else derived from the summary, else
/// from the method and path. Deterministic, so regenerating never renames an operation.
fn operation_id(operation: &Operation, method: &str, path: &str) -> String {
    let from = |text: &str| {
        let id = snake_case(text);
        (!id.is_empty()).then_some(id)
    };
    operation
        .operation_id
        .as_deref()
        .and_then(from)
        .or_else(|| operation.summary.as_deref().and_then(from))
        .unwrap_or_else(|| snake_case(&format!("{method} {path}")))
}

/// `cancelCashout`, `Cancel bulk crypto payment` and `getHTTPStatus` become
/// `cancel_cashout`, `cancel_bulk_crypto_payment` and `get_http_status`.
pub fn snake_case(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !out.ends_with('_') && !out.is_empty() {
                out.push('_');
            }
            continue;
        }
        if c.is_ascii_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            let boundary = prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower);
            if boundary && !out.ends_with('_') && !out.is_empty() {
                out.push('_');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    let trimmed = out.trim_matches('_');
    if trimmed.starts_with(|c: char| c.is_ascii_digit()) {
        format!("op_{trimmed}")
    } else {
        trimmed.to_owned()
    }
}

fn same_param(a: &ReferenceOr<Parameter>, b: &ReferenceOr<Parameter>) -> bool {
    match (a, b) {
        (ReferenceOr::Item(a), ReferenceOr::Item(b)) => {
            a.parameter_data_ref().name == b.parameter_data_ref().name && location(a) == location(b)
        }
        _ => false,
    }
}

fn location(param: &Parameter) -> &'static str {
    match param {
        Parameter::Query { .. } => "query",
        Parameter::Header { .. } => "header",
        Parameter::Path { .. } => "path",
        Parameter::Cookie { .. } => "cookie",
    }
}

fn param_summary(param: &ReferenceOr<Parameter>) -> Option<ParamSummary> {
    let param = param.as_item()?;
    let data = param.parameter_data_ref();
    Some(ParamSummary {
        name: data.name.clone(),
        location: location(param),
        required: data.required,
    })
}

fn is_success(status: &StatusCode) -> bool {
    match status {
        StatusCode::Code(code) => (200..300).contains(code),
        StatusCode::Range(range) => *range == 2,
    }
}

/// Security schemes that are API keys in a header: scheme name to header name.
fn api_key_headers(spec: &OpenAPI) -> BTreeMap<String, String> {
    let mut headers = BTreeMap::new();
    for (name, scheme) in spec
        .components
        .iter()
        .flat_map(|c| c.security_schemes.iter())
    {
        if let ReferenceOr::Item(openapiv3::SecurityScheme::APIKey {
            location: openapiv3::APIKeyLocation::Header,
            name: header,
            ..
        }) = scheme
        {
            headers.insert(name.clone(), header.clone());
        }
    }
    headers
}

/// Removes the fields the runtime merges into the JSON body from the body's schema.
fn strip_body_fields(
    body: &mut RequestBody,
    scheme: &Scheme,
    component_fields: &mut BTreeMap<String, BTreeSet<String>>,
    supplied: &mut Vec<String>,
) -> Result<(), String> {
    let media = body
        .content
        .iter_mut()
        .find(|(media, _)| media.starts_with("application/json"))
        .map(|(_, media)| media)
        .ok_or("vendor.yaml merges credential fields into the body, but the body is not application/json")?;
    let fields: BTreeSet<String> = scheme.body.keys().cloned().collect();
    match media.schema.as_mut() {
        Some(ReferenceOr::Item(schema)) => remove_properties(schema, &fields),
        Some(ReferenceOr::Reference { reference }) => {
            let name = reference
                .strip_prefix("#/components/schemas/")
                .ok_or_else(|| {
                    format!("body schema `$ref` {reference:?} is not a local component schema")
                })?;
            component_fields
                .entry(name.to_owned())
                .or_default()
                .extend(fields.iter().cloned());
        }
        None => {}
    }
    supplied.extend(fields.iter().map(|f| format!("body {f}")));
    Ok(())
}

fn remove_properties(schema: &mut Schema, fields: &BTreeSet<String>) {
    let (properties, required) = match &mut schema.schema_kind {
        SchemaKind::Type(Type::Object(object)) => (&mut object.properties, &mut object.required),
        SchemaKind::Any(any) => (&mut any.properties, &mut any.required),
        _ => return,
    };
    properties.retain(|name, _| !fields.contains(name));
    required.retain(|name| !fields.contains(name));
}

/// Calls `visit` on every schema written in place (not a `$ref`) at the top of a component, a
/// request body or a response; what is nested inside is the visitor's business.
fn for_each_top_schema(spec: &mut OpenAPI, mut visit: impl FnMut(&mut Schema)) {
    let mut visit_one = |schema: &mut ReferenceOr<Schema>| {
        if let ReferenceOr::Item(schema) = schema {
            visit(schema);
        }
    };
    if let Some(components) = spec.components.as_mut() {
        components.schemas.values_mut().for_each(&mut visit_one);
    }
    for item in spec.paths.paths.values_mut() {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
        ];
        for operation in operations.into_iter().flatten() {
            if let Some(ReferenceOr::Item(body)) = operation.request_body.as_mut() {
                body.content
                    .values_mut()
                    .filter_map(|m| m.schema.as_mut())
                    .for_each(&mut visit_one);
            }
            for response in operation.responses.responses.values_mut() {
                if let ReferenceOr::Item(response) = response {
                    response
                        .content
                        .values_mut()
                        .filter_map(|m| m.schema.as_mut())
                        .for_each(&mut visit_one);
                }
            }
        }
    }
}

/// Integer enums (OneKey's status codes 0-5) are closed in Rust, so a code the vendor adds
/// would fail the whole response. They become plain integers; the list stays in the
/// description. (String enums are opened by the generator with an `Unknown` variant.)
fn open_integer_enums(spec: &mut OpenAPI) {
    fn open(schema: &mut Schema) {
        let values = match &mut schema.schema_kind {
            SchemaKind::Type(Type::Integer(integer)) => std::mem::take(&mut integer.enumeration),
            _ => return,
        };
        let listed: Vec<String> = values
            .into_iter()
            .flatten()
            .map(|v| v.to_string())
            .collect();
        if !listed.is_empty() {
            let note = format!(
                "Known values: {} (others are passed through).",
                listed.join(", ")
            );
            schema.schema_data.description = Some(
                schema
                    .schema_data
                    .description
                    .take()
                    .map(|d| format!("{d}\n\n{note}"))
                    .unwrap_or(note),
            );
        }
        let properties = match &mut schema.schema_kind {
            SchemaKind::Type(Type::Object(object)) => Some(&mut object.properties),
            SchemaKind::Any(any) => Some(&mut any.properties),
            _ => None,
        };
        for property in properties.into_iter().flat_map(|p| p.values_mut()) {
            if let ReferenceOr::Item(inner) = property {
                open(inner);
            }
        }
    }
    for_each_top_schema(spec, open);
}

/// A property typed as a nullable wrapper is made required: the runtime's wrapper types read
/// a missing field as "no value", so callers see one optional value, not an option of one.
fn require_nullable_wrappers(spec: &mut OpenAPI, profile: &Profile) {
    if profile.nullable_wrappers.is_empty() {
        return;
    }
    let wrappers: BTreeSet<String> = profile
        .nullable_wrappers
        .keys()
        .map(|name| format!("#/components/schemas/{name}"))
        .collect();
    for_each_top_schema(spec, |schema| require_in(schema, &wrappers));
}

fn require_in(schema: &mut Schema, wrappers: &BTreeSet<String>) {
    let recurse = |inner: &mut ReferenceOr<Box<Schema>>| {
        if let ReferenceOr::Item(inner) = inner {
            require_in(inner, wrappers);
        }
    };
    match &mut schema.schema_kind {
        SchemaKind::Type(Type::Object(object)) => {
            require_properties(&object.properties, &mut object.required, wrappers);
            object.properties.values_mut().for_each(recurse);
        }
        SchemaKind::Any(any) => {
            require_properties(&any.properties, &mut any.required, wrappers);
            any.properties.values_mut().for_each(recurse);
        }
        SchemaKind::Type(Type::Array(array)) => array.items.iter_mut().for_each(recurse),
        SchemaKind::AllOf { all_of: members }
        | SchemaKind::OneOf { one_of: members }
        | SchemaKind::AnyOf { any_of: members } => {
            for member in members {
                if let ReferenceOr::Item(member) = member {
                    require_in(member, wrappers);
                }
            }
        }
        _ => {}
    }
}

fn require_properties<'a>(
    properties: impl IntoIterator<Item = (&'a String, &'a ReferenceOr<Box<Schema>>)>,
    required: &mut Vec<String>,
    wrappers: &BTreeSet<String>,
) {
    for (name, property) in properties {
        if let ReferenceOr::Reference { reference } = property
            && wrappers.contains(reference.as_str())
            && !required.contains(name)
        {
            required.push(name.clone());
        }
    }
}

/// Component schemas that are only a `$ref` to another, in a loop: no type can come of them.
fn alias_cycles(
    file: &Path,
    components: &BTreeMap<String, ReferenceOr<Schema>>,
) -> Vec<Diagnostic> {
    let target = |name: &str| match components.get(name) {
        Some(ReferenceOr::Reference { reference }) => reference
            .strip_prefix("#/components/schemas/")
            .map(str::to_owned),
        _ => None,
    };
    let mut problems = Vec::new();
    let mut reported = BTreeSet::new();
    for start in components.keys() {
        let mut chain = vec![start.clone()];
        let mut current = start.clone();
        while let Some(next) = target(&current) {
            if next == *start {
                if chain.iter().all(|n| reported.insert(n.clone())) {
                    chain.push(next);
                    problems.push(Diagnostic::new(
                        file,
                        format!("/components/schemas/{}", token(start)),
                        format!("cyclic $ref: {}", chain.join(" -> ")),
                    ));
                }
                break;
            }
            if chain.contains(&next) || chain.len() > components.len() {
                break;
            }
            chain.push(next.clone());
            current = next;
        }
    }
    problems
}

/// Follows the envelope's payload pointer (`/Body`) through a response schema.
fn unwrap_payload(
    schema: &ReferenceOr<Schema>,
    payload: &str,
    components: &BTreeMap<String, ReferenceOr<Schema>>,
) -> Result<ReferenceOr<Schema>, String> {
    let mut current = schema.clone();
    for segment in payload
        .trim_start_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
    {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        current = property(&current, &segment, components, 0)?.ok_or_else(|| {
            format!("the envelope payload {payload} is not in this response's schema (no property {segment:?})")
        })?;
    }
    Ok(current)
}

/// The schema of property `name` of an object schema, looking through `$ref` and `allOf`.
fn property(
    schema: &ReferenceOr<Schema>,
    name: &str,
    components: &BTreeMap<String, ReferenceOr<Schema>>,
    depth: usize,
) -> Result<Option<ReferenceOr<Schema>>, String> {
    if depth > 32 {
        return Err("a cycle of `$ref`s or `allOf`s".to_owned());
    }
    let resolved = resolve(schema, components)?;
    let properties = match &resolved.schema_kind {
        SchemaKind::Type(Type::Object(object)) => &object.properties,
        SchemaKind::Any(any) => &any.properties,
        SchemaKind::AllOf { all_of } => {
            // The last member that defines the property wins, as in a merge.
            let mut found = None;
            for member in all_of {
                if let Some(inner) = property(member, name, components, depth + 1)? {
                    found = Some(inner);
                }
            }
            return Ok(found);
        }
        _ => return Ok(None),
    };
    Ok(properties.get(name).map(|inner| match inner {
        ReferenceOr::Item(inner) => ReferenceOr::Item(inner.as_ref().clone()),
        ReferenceOr::Reference { reference } => ReferenceOr::Reference {
            reference: reference.clone(),
        },
    }))
}

fn resolve<'a>(
    schema: &'a ReferenceOr<Schema>,
    components: &'a BTreeMap<String, ReferenceOr<Schema>>,
) -> Result<&'a Schema, String> {
    let mut current = schema;
    for _ in 0..32 {
        match current {
            ReferenceOr::Item(schema) => return Ok(schema),
            ReferenceOr::Reference { reference } => {
                let name = reference
                    .strip_prefix("#/components/schemas/")
                    .ok_or_else(|| {
                        format!("`$ref` {reference:?} is not a local component schema")
                    })?;
                current = components
                    .get(name)
                    .ok_or_else(|| format!("`$ref` {reference:?} points to no schema"))?;
            }
        }
    }
    Err("a cycle of `$ref`s".to_owned())
}

/// What vendor.yaml names in the spec must exist there: token operations (which must be sent
/// without auth, or logging in would need a token) and nullable wrapper schemas.
fn check_profile_references(
    files: &VendorFiles,
    profile: &Profile,
    operations: &[OperationSummary],
    components: &BTreeMap<String, ReferenceOr<Schema>>,
) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let known: Vec<&str> = operations.iter().map(|o| o.id.as_str()).collect();
    for (name, provider) in &profile.tokens {
        let calls = [
            ("login", Some(&provider.login)),
            ("refresh", provider.refresh.as_ref()),
        ];
        for (call_name, call) in calls {
            let Some(call) = call else { continue };
            let pointer = format!("/tokens/{}/{call_name}/operation", token(name));
            if !known.contains(&call.operation.as_str()) {
                problems.push(Diagnostic::new(
                    &files.profile,
                    pointer,
                    format!(
                        "{:?} is not an operation of the spec ({})",
                        call.operation,
                        known.join(", ")
                    ),
                ));
            } else if profile.scheme_for(&call.operation).is_some() {
                problems.push(Diagnostic::new(&files.profile, pointer, format!(
                    "operation {:?} obtains tokens, so it must be sent without auth: add `{}: none` under auth.operations",
                    call.operation, call.operation
                )));
            }
        }
    }
    for (resource_name, resource) in &profile.sandbox.resources {
        for operation in resource.operations.keys() {
            if !known.contains(&operation.as_str()) {
                problems.push(Diagnostic::new(
                    &files.profile,
                    format!(
                        "/sandbox/resources/{}/operations/{}",
                        token(resource_name),
                        token(operation)
                    ),
                    format!(
                        "{operation:?} is not an operation of the spec ({})",
                        known.join(", ")
                    ),
                ));
            }
        }
    }
    for operation in profile.retry.keys() {
        if !known.contains(&operation.as_str()) {
            problems.push(Diagnostic::new(
                &files.profile,
                format!("/retry/{}", token(operation)),
                format!(
                    "{operation:?} is not an operation of the spec ({})",
                    known.join(", ")
                ),
            ));
        }
    }
    if let Some(cancel) = &profile.cancel {
        let read = cancel
            .reconcile
            .as_ref()
            .map(|r| ("/cancel/reconcile/operation", &r.operation));
        for (at, operation) in [("/cancel/operation", &cancel.operation)]
            .into_iter()
            .chain(read)
        {
            if !known.contains(&operation.as_str()) {
                problems.push(Diagnostic::new(
                    &files.profile,
                    at,
                    format!(
                        "{operation:?} is not an operation of the spec ({})",
                        known.join(", ")
                    ),
                ));
            }
        }
    }
    for (i, step) in profile.sandbox.demo.iter().enumerate() {
        if !known.contains(&step.operation.as_str()) {
            problems.push(Diagnostic::new(
                &files.profile,
                format!("/sandbox/demo/{i}/operation"),
                format!(
                    "{:?} is not an operation of the spec ({})",
                    step.operation,
                    known.join(", ")
                ),
            ));
        }
        if let Some(before) = &step.before
            && !profile.sandbox.resources.contains_key(&before.resource)
        {
            problems.push(Diagnostic::new(
                &files.profile,
                format!("/sandbox/demo/{i}/before/resource"),
                format!("{:?} is not a sandbox resource", before.resource),
            ));
        }
    }
    for (name, callback) in &profile.callbacks {
        if !components.contains_key(&callback.schema) {
            problems.push(Diagnostic::new(
                &files.profile,
                format!("/callbacks/{}/schema", token(name)),
                format!("the spec has no component schema {:?}", callback.schema),
            ));
        }
    }
    for name in profile.nullable_wrappers.keys() {
        if !components.contains_key(name) {
            problems.push(Diagnostic::new(
                &files.profile,
                format!("/nullable_wrappers/{}", token(name)),
                format!("the spec has no component schema {name:?}"),
            ));
        }
    }
    problems
}

fn duplicate_ids(file: &Path, operations: &[OperationSummary]) -> Vec<Diagnostic> {
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    let mut problems = Vec::new();
    for operation in operations {
        if let Some(first) = seen.insert(&operation.id, &operation.pointer) {
            problems.push(Diagnostic::new(file, &operation.pointer, format!(
                "operationId {:?} is also the operationId of #{first}: operationIds must be unique",
                operation.id
            )));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::snake_case;

    #[test]
    fn snake_case_covers_the_shapes_vendors_use() {
        assert_eq!(snake_case("cancelCashout"), "cancel_cashout");
        assert_eq!(
            snake_case("Cancel bulk crypto payment"),
            "cancel_bulk_crypto_payment"
        );
        assert_eq!(snake_case("getHTTPStatus"), "get_http_status");
        assert_eq!(
            snake_case("post /api/payments/crypto/bulk/{id}/cancel"),
            "post_api_payments_crypto_bulk_id_cancel"
        );
        assert_eq!(snake_case("already_snake"), "already_snake");
        assert_eq!(
            snake_case("Create-Invoice  Payment!"),
            "create_invoice_payment"
        );
        assert_eq!(snake_case("3ds verify"), "op_3ds_verify");
    }
}
