//! What the normaliser learned about each operation, read off the normalised document: the
//! operation table the generated code embeds (and the CLI dispatches through).

use serde_json::Value;

use super::{Context, each_operation};

/// One operation.
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
    /// The vendor.yaml server group the operation is served from (`None`: the vendor's servers).
    pub server_group: Option<String>,
    /// Whether the body is sent as multipart/form-data (encoded by the runtime).
    pub multipart: bool,
    /// Whether the body is sent form-urlencoded (encoded by the runtime).
    pub form: bool,
    /// The request body's media type when it is not `application/json` (a vendor's JSON type,
    /// or text, XML, bytes), nor a form or multipart.
    pub media: Option<String>,
    /// Whether it is sent with vendor.yaml's idempotency key (and so retried like an
    /// idempotent method).
    pub idempotent: bool,
    /// How it pages, when a vendor.yaml recipe pages it (`.stream()`, `.pages()`).
    pub paged: Option<super::Paged>,
    /// The resource it belongs to (its first tag, else its path's first plain segment): the
    /// cargo feature of a generated crate that compiles it.
    pub resource: String,
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

pub(super) fn operations(doc: &Value, context: &Context<'_>) -> Vec<OperationSummary> {
    let mut doc = doc.clone();
    let mut out = Vec::new();
    each_operation(&mut doc, |_, site, operation| {
        let text = |key: &str| {
            operation
                .get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let params = operation
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(param_summary)
            .collect();
        let tags = payspec_profile::openapi::strings(operation.get("tags"));
        let body = operation
            .get("requestBody")
            .map(|b| b.get("required").and_then(Value::as_bool).unwrap_or(false));
        let returns_body = operation
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|r| r.values())
            .filter_map(|r| r.get("content").and_then(Value::as_object))
            .any(|content| content.values().any(|m| m.get("schema").is_some()));
        out.push(OperationSummary {
            id: text("operationId"),
            method: site.method.to_ascii_uppercase(),
            path: site.path.clone(),
            summary: text("summary"),
            params,
            body,
            returns_body,
            supplied_by_runtime: context
                .supplied
                .get(&site.pointer)
                .cloned()
                .unwrap_or_default(),
            pointer: site.pointer.clone(),
            server_group: context.groups.get(&site.pointer).cloned(),
            multipart: context.multipart.contains(&site.pointer),
            form: context.forms.contains(&site.pointer),
            media: context.request_media.get(&site.pointer).cloned(),
            idempotent: context.idempotent.contains(&site.pointer),
            paged: context.paged.get(&site.pointer).cloned(),
            resource: crate::resources::resource_name(&tags, &site.path),
        });
    });
    out
}

fn param_summary(parameter: &Value) -> Option<ParamSummary> {
    let location = match parameter.get("in")?.as_str()? {
        "path" => "path",
        "query" => "query",
        "header" => "header",
        "cookie" => "cookie",
        _ => return None,
    };
    Some(ParamSummary {
        name: parameter.get("name")?.as_str()?.to_owned(),
        location,
        required: parameter
            .get("required")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    })
}
