//! The spec's own security schemes must be what vendor.yaml's auth supplies: an API key the
//! spec sends in a header must be set by the operation's scheme, or every call would lack it.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Context, each_operation};

pub(super) fn check(doc: &mut Value, context: &mut Context<'_>) {
    unauthenticated_operations(doc, context);
    let headers = api_key_headers(doc);
    if headers.is_empty() {
        return;
    }
    let global = doc.get("security").cloned();
    let profile = context.profile;
    each_operation(doc, |_, site, operation| {
        let id = operation
            .get("operationId")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let scheme = profile.scheme_for(id);
        let requirements = operation.get("security").or(global.as_ref());
        for requirement in requirements.and_then(Value::as_array).into_iter().flatten() {
            for name in requirement.as_object().into_iter().flat_map(|r| r.keys()) {
                let Some(header) = headers.get(name) else {
                    continue;
                };
                let provided = scheme
                    .is_some_and(|s| s.headers.keys().any(|h| h.eq_ignore_ascii_case(header)));
                if !provided {
                    context.problem(&site.pointer, format!(
                        "the spec's security scheme {name:?} sends header {header:?}, but vendor.yaml's auth for operation {id:?} does not set it"
                    ));
                }
            }
        }
    });
}

/// An operation the spec marks unauthenticated (`security: []`) must be `none` in
/// vendor.yaml, or the client would send credentials where none are asked for.
fn unauthenticated_operations(doc: &mut Value, context: &mut Context<'_>) {
    let profile = context.profile;
    each_operation(doc, |_, site, operation| {
        let open = operation
            .get("security")
            .and_then(Value::as_array)
            .is_some_and(Vec::is_empty);
        let id = operation
            .get("operationId")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if open && profile.scheme_for(id).is_some() {
            context.problem(&site.pointer, format!(
                "the spec says operation {id:?} needs no auth (security: []), but vendor.yaml's auth applies a scheme to it: add `{id}: none` under auth.operations"
            ));
        }
    });
}

/// Security schemes sent in a header: scheme name to header name (an API key's own header;
/// `Authorization` for HTTP bearer and basic schemes and for OAuth2 and OpenID Connect).
fn api_key_headers(doc: &Value) -> BTreeMap<String, String> {
    doc.pointer("/components/securitySchemes")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(name, scheme)| {
            let header = match scheme.get("type").and_then(Value::as_str)? {
                "apiKey" if scheme.get("in").and_then(Value::as_str) == Some("header") => {
                    scheme.get("name").and_then(Value::as_str)?
                }
                "http" | "oauth2" | "openIdConnect" => "Authorization",
                _ => return None,
            };
            Some((name.clone(), header.to_owned()))
        })
        .collect()
}
