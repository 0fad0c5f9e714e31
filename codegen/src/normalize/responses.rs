//! Responses: `#/components/responses` references are inlined; error responses are left to the
//! runtime (it decodes them by vendor.yaml's pointers); one success schema per operation (the
//! generator returns one type), taken for the whole 2xx range; and with an envelope, the
//! caller's type is the payload's (followed by the same helper the sandbox uses).

use serde_json::{Map, Value};

use super::{Context, Site, component, each_operation, reference};
use crate::diagnostic::token;

pub(super) fn normalize(doc: &mut Value, context: &mut Context<'_>) {
    let payload = context
        .profile
        .envelope
        .as_ref()
        .and_then(|e| e.payload.clone());
    each_operation(doc, |doc, site, operation| {
        let Some(responses) = operation
            .get_mut("responses")
            .and_then(Value::as_object_mut)
        else {
            return;
        };
        responses.retain(|status, _| is_success(status));
        for (status, response) in responses.iter_mut() {
            if let Some(target) = reference(response).map(str::to_owned) {
                match component(doc, &target, "responses") {
                    Ok(resolved) => *response = resolved.clone(),
                    Err(why) => context.problem(
                        format!("{}/responses/{}", site.pointer, token(status)),
                        format!("response {why}"),
                    ),
                }
            }
        }
        check_schemas(responses, site, context);
        optional_beside_empty(responses, site, context);
        if responses.len() == 1
            && let Some(status) = responses.keys().next().cloned()
            && let Some(only) = responses.remove(&status)
        {
            // A vendor that answers 200 where its spec says 201 still answered with success.
            responses.insert("2XX".into(), only);
        }
        if let Some(payload) = &payload {
            unwrap_payloads(doc, responses, payload, site, context);
        }
    });
}

/// A JSON success beside successes with no body (Coinbase's 200 with limits, 202 with none):
/// one success type, made optional (an empty body decodes as `None`), for the whole 2xx
/// range; the generator takes one success type per operation.
fn optional_beside_empty(
    responses: &mut Map<String, Value>,
    site: &Site,
    context: &mut Context<'_>,
) {
    let has_body = |response: &Value| {
        response
            .get("content")
            .and_then(Value::as_object)
            .is_some_and(|c| c.values().any(|m| m.get("schema").is_some()))
    };
    let with_body: Vec<String> = responses
        .iter()
        .filter(|(_, r)| has_body(r))
        .map(|(s, _)| s.clone())
        .collect();
    let ([kept], true) = (with_body.as_slice(), responses.len() > 1) else {
        return;
    };
    let empty: Vec<String> = responses.keys().filter(|s| *s != kept).cloned().collect();
    let Some(mut response) = responses.remove(kept) else {
        return;
    };
    for media in response
        .get_mut("content")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(|c| c.values_mut())
    {
        if let Some(schema) = media.get_mut("schema") {
            let inner = schema.take();
            *schema = serde_json::json!({"allOf": [inner], "nullable": true});
        }
    }
    responses.clear();
    responses.insert(kept.clone(), response);
    context.warn(
        format!("{}/responses", site.pointer),
        format!(
            "{} answer{} no body beside the {kept} body: the success type is optional (None when there is no body)",
            empty.join(", "),
            if empty.len() == 1 { "s" } else { "" }
        ),
    );
}

fn is_success(status: &str) -> bool {
    status.eq_ignore_ascii_case("2XX")
        || status.parse::<u16>().is_ok_and(|c| (200..300).contains(&c))
}

/// One success schema per operation; a JSON response must have one.
fn check_schemas(responses: &Map<String, Value>, site: &Site, context: &mut Context<'_>) {
    let mut schemas: Vec<(String, String)> = Vec::new();
    for (status, response) in responses {
        for (media, content) in response
            .get("content")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            match content.get("schema") {
                Some(schema) => {
                    let text = schema.to_string();
                    if !schemas.iter().any(|(_, s)| *s == text) {
                        schemas.push((status.clone(), text));
                    }
                }
                None if media.contains("json") => context.problem(
                    format!(
                        "{}/responses/{status}/content/{}",
                        site.pointer,
                        token(media)
                    ),
                    "a JSON response without a schema",
                ),
                None => {}
            }
        }
    }
    if schemas.len() > 1 {
        let statuses: Vec<&str> = schemas.iter().map(|(s, _)| s.as_str()).collect();
        context.problem(format!("{}/responses", site.pointer), format!(
            "several success bodies of different schemas ({}): the generator returns one type; keep one in an overlay",
            statuses.join(", ")
        ));
    }
}

fn unwrap_payloads(
    doc: &Value,
    responses: &mut Map<String, Value>,
    payload: &str,
    site: &Site,
    context: &mut Context<'_>,
) {
    for (status, response) in responses.iter_mut() {
        let contents = response.get_mut("content").and_then(Value::as_object_mut);
        for media in contents.into_iter().flat_map(|c| c.values_mut()) {
            let Some(schema) = media.get_mut("schema") else {
                continue;
            };
            match payspec_profile::openapi::schema_at(doc, schema, payload) {
                Some(inner) => *schema = inner,
                None => context.problem(
                    format!("{}/responses/{}", site.pointer, token(status)),
                    format!("the envelope payload {payload} is not in this response's schema"),
                ),
            }
        }
    }
}
