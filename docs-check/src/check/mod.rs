//! Facts against the spec (after overlays): the operations a page documents must be in the
//! spec, and their examples, fields and OpenAPI blocks must agree with the schemas, field by
//! field (unknown fields, required fields, types and formats, enum values, patterns); the
//! servers and headers a page sends with must be vendor.yaml's.

use std::path::{Path, PathBuf};

use payspec_profile::openapi::{self, Operation};
use payspec_profile::pointer::escape;
use payspec_profile::{Profile, SchemeChoice};
use serde_json::Value;

use crate::extract::{DocField, DocOperation, Example, Facts, Place};
use crate::finding::{Finding, Kind};
use crate::page::Page;

/// What a page is checked against.
pub struct Spec<'a> {
    /// The document after overlays.
    pub doc: &'a Value,
    /// The spec file.
    pub file: &'a Path,
    /// vendor.yaml.
    pub profile_file: &'a Path,
    /// The profile.
    pub profile: &'a Profile,
}

/// The findings of one page.
pub fn page(spec: &Spec<'_>, page: &Page, facts: &Facts) -> Vec<Finding> {
    let mut checker = Checker {
        spec,
        page,
        findings: Vec::new(),
    };
    let mut documented: Vec<&DocOperation> = facts.operations.iter().collect();
    documented.dedup_by(|a, b| a.method == b.method && a.path == b.path);
    let mut matched = Vec::new();
    for operation in &facts.operations {
        match checker.find(operation) {
            Some(found) => {
                if !matched
                    .iter()
                    .any(|m: &Operation<'_>| m.pointer() == found.pointer())
                {
                    matched.push(found);
                }
                checker.server(operation);
            }
            None => checker.unknown_operation(operation),
        }
    }
    // Examples and fields belong to the page's one operation; a page of several is not read
    // for them (a guide).
    if let [operation] = matched.as_slice() {
        for example in &facts.examples {
            checker.example(operation, example);
        }
        checker.fields(operation, &facts.fields, &facts.examples);
        for (line, name) in &facts.headers {
            checker.header(operation, *line, name);
        }
    }
    for block in &facts.blocks {
        checker.block(block.line, &block.value);
    }
    checker.findings
}

/// The one operation a page documents (none for a guide of several, or an unknown one).
pub fn operation_of<'a>(
    spec: &'a Spec<'a>,
    page: &'a Page,
    facts: &Facts,
) -> Option<Operation<'a>> {
    let checker = Checker {
        spec,
        page,
        findings: Vec::new(),
    };
    let mut matched: Vec<Operation<'a>> = Vec::new();
    for documented in &facts.operations {
        let found = checker.find(documented)?;
        if !matched.iter().any(|m| m.pointer() == found.pointer()) {
            matched.push(found);
        }
    }
    (matched.len() == 1).then(|| matched.remove(0))
}

struct Checker<'a> {
    spec: &'a Spec<'a>,
    page: &'a Page,
    findings: Vec<Finding>,
}

/// The operation's name as vendor.yaml keys it (snake case of the operationId or summary).
fn operation_name(operation: &Operation<'_>) -> String {
    let id = operation
        .value
        .get("operationId")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let id = if id.is_empty() {
        operation
            .value
            .get("summary")
            .and_then(Value::as_str)
            .unwrap_or_default()
    } else {
        id
    };
    payspec_codegen::snake_case(id)
}

/// Whether a documented path is the spec's `template`: segment by segment, a template
/// parameter matching any segment (the page may show a value) and the page's path possibly
/// starting with the server's base path (`/v3/cashout` for `/cashout`).
fn same_path(documented: &str, template: &str) -> bool {
    let is_parameter = |s: &str| s.starts_with('{') || s.starts_with(':') || s.starts_with('<');
    let segments = |path: &'_ str| -> Vec<String> {
        path.trim_matches('/')
            .split('/')
            .map(str::to_owned)
            .collect()
    };
    let (ours, theirs) = (segments(template), segments(documented));
    if theirs.len() < ours.len() {
        return false;
    }
    let tail = &theirs[theirs.len() - ours.len()..];
    tail.iter()
        .zip(&ours)
        .all(|(t, o)| t == o || is_parameter(o))
}

impl<'a> Checker<'a> {
    #[allow(clippy::too_many_arguments, reason = "a finding's parts")]
    fn report(
        &mut self,
        kind: Kind,
        line: usize,
        file: PathBuf,
        pointer: String,
        docs: String,
        spec: String,
        message: String,
    ) {
        self.findings.push(Finding {
            kind,
            page: self.page.name().to_owned(),
            page_line: line,
            file,
            pointer,
            docs,
            spec,
            message,
            position: None,
        });
    }

    fn spec_finding(
        &mut self,
        kind: Kind,
        line: usize,
        pointer: String,
        docs: String,
        spec: String,
        message: String,
    ) {
        let file = self.spec.file.to_path_buf();
        self.report(kind, line, file, pointer, docs, spec, message);
    }

    /// The spec's operation a documented one is: same method, and the same path up to its
    /// parameters' names (the page may write the server's base path in front).
    fn find(&self, documented: &DocOperation) -> Option<Operation<'a>> {
        let candidates = openapi::operations(self.spec.doc).into_iter().filter(|o| {
            o.method.eq_ignore_ascii_case(&documented.method) && same_path(&documented.path, o.path)
        });
        // The most literal match: `/orders/pending` before `/orders/{id}`.
        candidates.max_by_key(|o| o.path.split('/').filter(|s| !s.starts_with('{')).count())
    }

    fn unknown_operation(&mut self, operation: &DocOperation) {
        let docs = format!("{} {}", operation.method, operation.path);
        let message = "the page documents an operation the spec does not have".to_owned();
        self.spec_finding(
            Kind::UnknownOperation,
            operation.line,
            "/paths".into(),
            docs,
            "absent".into(),
            message,
        );
    }

    /// A full URL on the page must start with one of vendor.yaml's servers.
    fn server(&mut self, operation: &DocOperation) {
        let Some(url) = &operation.url else { return };
        if url.contains('<') || url.contains("{{") {
            return;
        }
        let servers = &self.spec.profile.servers;
        let origin_and_base = url.split_once("://").map(|(s, rest)| {
            let host = rest.split('/').next().unwrap_or_default();
            format!("{s}://{host}")
        });
        let known = servers
            .values()
            .any(|s| origin_and_base.as_deref().is_some_and(|o| s.starts_with(o)));
        if !known {
            let listed: Vec<&str> = servers.values().map(String::as_str).collect();
            let file = self.spec.profile_file.to_path_buf();
            let docs = origin_and_base.unwrap_or_else(|| url.clone());
            let message = "the page sends to a server vendor.yaml does not name".to_owned();
            self.report(
                Kind::Server,
                operation.line,
                file,
                "/servers".into(),
                docs,
                listed.join(", "),
                message,
            );
        }
    }

    /// A header the page sends must be a parameter of the operation, set by vendor.yaml's auth
    /// for it, or one the HTTP client sets.
    fn header(&mut self, operation: &Operation<'_>, line: usize, name: &str) {
        if ["content-type", "accept", "content-length", "user-agent"]
            .contains(&name.to_ascii_lowercase().as_str())
        {
            return;
        }
        let id = operation_name(operation);
        let by_auth = self.auth_sends_header(operation, name);
        let unauthenticated = matches!(
            self.spec.profile.auth.operations.get(&id),
            Some(SchemeChoice::None)
        );
        let parameter = openapi::parameters(self.spec.doc, operation)
            .iter()
            .any(|p| {
                p.get("in").and_then(Value::as_str) == Some("header")
                    && p.get("name")
                        .and_then(Value::as_str)
                        .is_some_and(|n| n.eq_ignore_ascii_case(name))
            });
        if !by_auth && !parameter {
            let file = self.spec.profile_file.to_path_buf();
            let spec = if unauthenticated {
                "sent without auth"
            } else {
                "not set by the operation's auth"
            };
            let message = format!(
                "the page sends header {name}, which neither the spec nor vendor.yaml's auth supplies"
            );
            self.report(
                Kind::Header,
                line,
                file,
                "/auth".to_owned(),
                name.to_owned(),
                spec.to_owned(),
                message,
            );
        }
    }

    /// Whether vendor.yaml's auth for the operation sends header `name`.
    fn auth_sends_header(&self, operation: &Operation<'_>, name: &str) -> bool {
        let scheme = self.spec.profile.scheme_for(&operation_name(operation));
        scheme.is_some_and(|s| s.headers.keys().any(|h| h.eq_ignore_ascii_case(name)))
    }

    /// The schema of a request body or a success response, with its pointer.
    fn schema_of(&self, operation: &Operation<'_>, place: Place) -> Option<(Value, String)> {
        let base = operation.pointer();
        match place {
            Place::Body => {
                let body = openapi::resolve(self.spec.doc, operation.value.get("requestBody")?);
                let (media, content) = openapi::json_media(body.get("content")?)?;
                let pointer = format!("{base}/requestBody/content/{}/schema", escape(media));
                Some((content.get("schema")?.clone(), pointer))
            }
            Place::Response => self.response_schema(operation, |status| status.starts_with('2')),
            _ => None,
        }
    }

    /// The JSON schema of the first response whose status `wanted` accepts.
    fn response_schema(
        &self,
        operation: &Operation<'_>,
        wanted: impl Fn(&str) -> bool,
    ) -> Option<(Value, String)> {
        let base = operation.pointer();
        let responses = operation.value.get("responses")?.as_object()?;
        let (status, response) = responses.iter().find(|(s, _)| wanted(s))?;
        let response = openapi::resolve(self.spec.doc, response);
        let (media, content) = openapi::json_media(response.get("content")?)?;
        let pointer = format!(
            "{base}/responses/{}/content/{}/schema",
            escape(status),
            escape(media)
        );
        Some((content.get("schema")?.clone(), pointer))
    }

    /// A response example that carries the vendor's error message (vendor.yaml `errors`) and
    /// that the success schema does not describe is an error body: it is checked against the
    /// operation's error response instead.
    fn error_example_schema(
        &self,
        operation: &Operation<'_>,
        example: &Example,
        success: &Value,
    ) -> Option<(Value, String)> {
        let message = self.spec.profile.errors.message.as_deref()?;
        example.value.pointer(message)?;
        let first = message.trim_start_matches('/').split('/').next()?;
        let declared = openapi::properties(self.spec.doc, success)
            .iter()
            .any(|(name, _)| name == first);
        if declared {
            return None;
        }
        self.response_schema(operation, |status| !status.starts_with('2'))
    }

    fn example(&mut self, operation: &Operation<'_>, example: &Example) {
        match example.place {
            Place::Body | Place::Response => {
                let Some((mut schema, mut pointer)) = self.schema_of(operation, example.place)
                else {
                    let docs = example.place_name().to_owned();
                    let message = format!(
                        "the page shows a {} example, the spec has no JSON schema there",
                        example.place_name()
                    );
                    return self.spec_finding(
                        Kind::UnknownField,
                        example.line,
                        operation.pointer(),
                        docs,
                        "absent".into(),
                        message,
                    );
                };
                if example.place == Place::Response
                    && let Some(error) = self.error_example_schema(operation, example, &schema)
                {
                    (schema, pointer) = error;
                }
                let mut walk = Walk {
                    line: example.line,
                    checker: self,
                };
                walk.value(&example.value, &schema, pointer, String::new(), 0);
            }
            Place::Query | Place::Path | Place::Header => {
                for key in example.value.as_object().into_iter().flat_map(|o| o.keys()) {
                    self.parameter(operation, example.line, example.place, key, None);
                }
            }
        }
    }

    /// A parameter the page names must be one of the operation's, in the same place.
    fn parameter(
        &mut self,
        operation: &Operation<'_>,
        line: usize,
        place: Place,
        name: &str,
        field: Option<&DocField>,
    ) {
        let location = match place {
            Place::Query => "query",
            Place::Path => "path",
            _ => "header",
        };
        let parameters = openapi::parameters(self.spec.doc, operation);
        let found = parameters.iter().enumerate().find(|(_, p)| {
            p.get("name").and_then(Value::as_str) == Some(name)
                && p.get("in").and_then(Value::as_str) == Some(location)
        });
        let Some((_, parameter)) = found else {
            let message = format!(
                "the page names {location} parameter {name}, which the operation does not have"
            );
            return self.spec_finding(
                Kind::UnknownField,
                line,
                format!("{}/parameters", operation.pointer()),
                name.to_owned(),
                "absent".into(),
                message,
            );
        };
        if let (Some(field), Some(schema)) = (field, parameter.get("schema")) {
            let pointer = format!("{}/parameters/{name}", operation.pointer());
            let mut walk = Walk {
                line,
                checker: self,
            };
            walk.field_type(field, schema, &pointer);
        }
    }

    fn fields(&mut self, operation: &Operation<'_>, fields: &[DocField], examples: &[Example]) {
        for field in fields {
            match field.place {
                // Pages list the auth headers among "the parameters to send" (Paywall).
                Place::Body if self.auth_sends_header(operation, &field.name) => {}
                Place::Body | Place::Response => {
                    let Some((schema, pointer)) = self.schema_of(operation, field.place) else {
                        continue;
                    };
                    let (schema, pointer) = self.within_envelope(field, schema, pointer);
                    let mut walk = Walk {
                        line: field.line,
                        checker: self,
                    };
                    walk.field(field, &schema, pointer);
                }
                Place::Query | Place::Path => {
                    self.parameter(operation, field.line, field.place, &field.name, Some(field))
                }
                Place::Header => self.header(operation, field.line, &field.name),
            }
        }
        self.required_missing(operation, fields, examples);
    }

    /// A response field the envelope does not have is read inside its payload (pages often
    /// list the payload's fields, xpays' `data`).
    fn within_envelope(&self, field: &DocField, schema: Value, pointer: String) -> (Value, String) {
        let payload = self
            .spec
            .profile
            .envelope
            .as_ref()
            .and_then(|e| e.payload.as_deref());
        let (Place::Response, Some(payload)) = (field.place, payload) else {
            return (schema, pointer);
        };
        let top = field.name.split('.').next().unwrap_or_default();
        if openapi::properties(self.spec.doc, &schema).contains_key(top) {
            return (schema, pointer);
        }
        match openapi::schema_at(self.spec.doc, &schema, payload) {
            Some(inner) => (inner, format!("{pointer}/properties{payload}")),
            None => (schema, pointer),
        }
    }

    /// Every field the request schema requires must be in the page's request example or table.
    fn required_missing(
        &mut self,
        operation: &Operation<'_>,
        fields: &[DocField],
        examples: &[Example],
    ) {
        let Some((schema, pointer)) = self.schema_of(operation, Place::Body) else {
            return;
        };
        let example = examples.iter().find(|e| e.place == Place::Body);
        let listed: Vec<&DocField> = fields
            .iter()
            .filter(|f| f.place == Place::Body && !f.name.contains('.'))
            .collect();
        // The request the page shows: its example, else its field table.
        let (line, names): (usize, Vec<&str>) = match (example, listed.first()) {
            (Some(example), _) => (
                example.line,
                example
                    .value
                    .as_object()
                    .into_iter()
                    .flat_map(|o| o.keys().map(String::as_str))
                    .collect(),
            ),
            (None, Some(first)) => (first.line, listed.iter().map(|f| f.name.as_str()).collect()),
            (None, None) => return,
        };
        let present = |name: &str| names.contains(&name);
        for name in openapi::required(self.spec.doc, &schema) {
            if !present(&name) {
                let message =
                    format!("the schema requires {name}, which the page's request does not have");
                self.spec_finding(
                    Kind::RequiredMissing,
                    line,
                    format!("{pointer}/required"),
                    "absent".into(),
                    name,
                    message,
                );
            }
        }
    }

    /// An OpenAPI block: each of its operations must be in the spec, with the same request and
    /// response schemas as far as the block states them.
    fn block(&mut self, line: usize, block: &Value) {
        for operation in openapi::operations(block) {
            let documented = DocOperation {
                line,
                method: operation.method.to_ascii_uppercase(),
                path: operation.path.to_owned(),
                url: None,
            };
            let Some(found) = self.find(&documented) else {
                self.unknown_operation(&documented);
                continue;
            };
            for place in [Place::Body, Place::Response] {
                let block_schema = BlockSchema { doc: block };
                let theirs = block_schema.of(&operation, place);
                let (Some(theirs), Some((ours, pointer))) = (theirs, self.schema_of(&found, place))
                else {
                    continue;
                };
                let mut walk = Walk {
                    line,
                    checker: self,
                };
                walk.schemas(block, &theirs, &ours, pointer, String::new(), 0);
            }
        }
    }
}

impl Example {
    fn place_name(&self) -> &'static str {
        match self.place {
            Place::Response => "response",
            _ => "request",
        }
    }
}

/// A block's own schemas (its `$ref`s resolve within the block).
struct BlockSchema<'a> {
    doc: &'a Value,
}

impl BlockSchema<'_> {
    fn of(&self, operation: &Operation<'_>, place: Place) -> Option<Value> {
        let holder = match place {
            Place::Body => openapi::resolve(self.doc, operation.value.get("requestBody")?),
            _ => {
                let responses = operation.value.get("responses")?.as_object()?;
                openapi::resolve(
                    self.doc,
                    responses.iter().find(|(s, _)| s.starts_with('2'))?.1,
                )
            }
        };
        let (_, content) = openapi::json_media(holder.get("content")?)?;
        content.get("schema").cloned()
    }
}

mod walk;
use walk::Walk;
