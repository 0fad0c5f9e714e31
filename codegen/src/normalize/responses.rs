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
