//! The spec's own security schemes must be what vendor.yaml's auth supplies: an API key the
//! spec sends in a header must be set by the operation's scheme, or every call would lack it.
//! (`security: []` is taken into the profile beforehand: normalize/implied.rs.)

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Context, each_operation};

pub(super) fn check(doc: &mut Value, context: &mut Context<'_>) {
    // A vendor.yaml borrowed from elsewhere (`payspec diff` of spec files) is not this spec's
    // auth recipe: the diff compares the API's shape, and the spec is checked with its own.
    if context.files.profile.parent() != Some(context.files.dir.as_path()) {
        return;
    }
    undeclared_schemes(doc, context);
    unsendable_requirements(doc, context);
    let headers = api_key_headers(doc);
    if headers.is_empty() {
        return;
    }
    let global = doc.get("security").cloned();
    let profile = context.profile;
    each_operation(doc, |_, site, operation| {
        let id = super::operation_id(operation);
        let scheme = profile.scheme_for(id);
        let requirements = operation.get("security").or(global.as_ref());
        let alternatives: Vec<Vec<(&String, &String)>> = requirements
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|requirement| {
                requirement
                    .as_object()
                    .into_iter()
                    .flat_map(|r| r.keys())
                    .filter_map(|name| headers.get_key_value(name))
                    .collect()
            })
            .collect();
        // The requirements are alternatives: one whose headers the scheme all sets will do
        // (an empty one means "no auth" is allowed).
        let provided = |header: &String| {
            scheme.is_some_and(|s| s.headers.keys().any(|h| h.eq_ignore_ascii_case(header)))
        };
        let satisfied = alternatives.is_empty()
            || alternatives
                .iter()
                .any(|needs| needs.iter().all(|(_, header)| provided(header)));
        if !satisfied {
            let wanted: Vec<String> = alternatives
                .iter()
                .map(|needs| {
                    needs
                        .iter()
                        .map(|(name, header)| format!("{name} ({header})"))
                        .collect::<Vec<_>>()
                        .join(" + ")
                })
                .collect();
            context.problem(&site.pointer, format!(
                "the spec's security requires {}, but vendor.yaml's auth for operation {id:?} sets none of these headers",
                wanted.join(" or ")
            ));
        }
    });
}

/// A requirement naming a scheme the document never declares is the vendor's slip: it is
/// ignored (it could not be checked against the recipe), with a warning.
fn undeclared_schemes(doc: &mut Value, context: &mut Context<'_>) {
    let declared: Vec<String> = doc
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
        .map(|schemes| schemes.keys().cloned().collect())
        .unwrap_or_default();
    let mut undeclared = Vec::new();
    let mut look = |requirements: Option<&Value>, at: String| {
        for (i, requirement) in requirements
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            for name in requirement.as_object().into_iter().flat_map(|r| r.keys()) {
                if !declared.contains(name) {
                    undeclared.push((format!("{at}/security/{i}"), name.clone()));
                }
            }
        }
    };
    look(doc.get("security"), String::new());
    each_operation(doc, |_, site, operation| {
        look(operation.get("security"), site.pointer.clone());
    });
    for (at, name) in undeclared {
        context.warn(
            at,
            format!("security scheme {name:?} is not declared under #/components/securitySchemes: ignored"),
        );
    }
}

/// An operation whose every security alternative needs a scheme no recipe can send (an API key
/// in the query or a cookie, mutual TLS) is refused: the client would call without it.
fn unsendable_requirements(doc: &mut Value, context: &mut Context<'_>) {
    let unsendable: BTreeMap<String, String> = doc
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(name, scheme)| {
            let kind = scheme.get("type").and_then(Value::as_str)?;
            let place = scheme.get("in").and_then(Value::as_str).unwrap_or_default();
            let why = match (kind, place) {
                ("apiKey", "query" | "cookie") => format!("an API key in the {place}"),
                ("mutualTLS", _) => "mutual TLS".to_owned(),
                _ => return None,
            };
            Some((name.clone(), why))
        })
        .collect();
    if unsendable.is_empty() {
        return;
    }
    let global = doc.get("security").cloned();
    each_operation(doc, |_, site, operation| {
        let Some(alternatives) = operation
            .get("security")
            .or(global.as_ref())
            .and_then(Value::as_array)
        else {
            return;
        };
        let blocked = |requirement: &Value| {
            requirement
                .as_object()
                .into_iter()
                .flat_map(|r| r.keys())
                .find_map(|n| unsendable.get_key_value(n))
        };
        if alternatives.is_empty() || !alternatives.iter().all(|a| blocked(a).is_some()) {
            return;
        }
        if let Some((name, why)) = alternatives.first().and_then(blocked) {
            context.problem(&site.pointer, format!(
                "the spec's security scheme {name:?} needs {why}, which vendor.yaml recipes cannot send yet"
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
