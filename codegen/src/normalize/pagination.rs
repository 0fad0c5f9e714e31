//! Which operations vendor.yaml's `pagination:` recipes page, and the type of their items. An
//! operation a recipe names is paged when it has the recipe's position parameter (query or
//! body) and its success payload has a list where the recipe's `items` points; its item type
//! is the component the list's `items` refers to (typify's name for it), or any JSON for an
//! inline item schema. A recipe's wildcard naming an operation that is not a list (Stripe's
//! `get_*` also names `get_customers_customer`) is no finding; an operation named exactly that
//! cannot be paged is a warning.

use payspec_profile::openapi;
use serde_json::{Map, Value};

use super::{Context, each_operation};

/// A paged operation: its recipe and the Rust name of its item type (`None`: any JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paged {
    /// The recipe's name in vendor.yaml.
    pub recipe: String,
    /// The item type in the generated `types` module, when the items are a component.
    pub item: Option<String>,
}

pub(super) fn lists(doc: &mut Value, context: &mut Context<'_>) {
    if context.profile.pagination.is_empty() {
        return;
    }
    let profile = context.profile;
    let mut paged = Vec::new();
    let mut unpageable = Vec::new();
    each_operation(doc, |doc, site, operation| {
        let id = super::operation_id(operation);
        let Some((name, recipe)) = profile.pagination_for(id) else {
            return;
        };
        let found = position_found(doc, operation, recipe.position_param())
            .and_then(|()| item_type(doc, operation, &recipe.items));
        match found {
            Ok(item) => paged.push((
                site.pointer.clone(),
                Paged {
                    recipe: name.to_owned(),
                    item,
                },
            )),
            Err(why) if recipe.operations.iter().any(|p| p == id) => {
                unpageable.push((site.pointer.clone(), format!(
                    "pagination recipe {name:?} names {id}, but {why}: it is generated without .stream()"
                )));
            }
            Err(_) => {}
        }
    });
    for (pointer, message) in unpageable {
        context.warn(pointer, message);
    }
    context.paged.extend(paged);
}

/// `Ok` when the operation takes the recipe's position parameter.
fn position_found(
    doc: &Value,
    operation: &Map<String, Value>,
    param: Option<(&str, &str)>,
) -> Result<(), String> {
    match param {
        None => Ok(()),
        Some(("body", at)) if super::idempotency::body_has_field(doc, operation, at) => Ok(()),
        Some(("body", at)) => Err(format!("its body has no field at {at}")),
        Some((location, name)) => {
            let declared = operation
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .any(|p| {
                    p.get("in").and_then(Value::as_str) == Some(location)
                        && p.get("name").and_then(Value::as_str) == Some(name)
                });
            if declared {
                Ok(())
            } else {
                Err(format!("it has no {location} parameter {name:?}"))
            }
        }
    }
}

/// The Rust name of the items' type (`None` for an inline item schema), or why the success
/// payload has no list at `at`.
fn item_type(
    doc: &Value,
    operation: &Map<String, Value>,
    at: &str,
) -> Result<Option<String>, String> {
    let schema = success_schema(operation).ok_or("it has no JSON success response")?;
    let list = if at.is_empty() {
        openapi::resolve(doc, schema).clone()
    } else {
        openapi::schema_at(doc, schema, at)
            .ok_or_else(|| format!("its payload has nothing at {at}"))?
    };
    let list = openapi::resolve(doc, &list);
    if list.get("type").and_then(Value::as_str) != Some("array") {
        return Err(format!("its payload at {at:?} is not a list"));
    }
    let items = list.get("items").unwrap_or(&Value::Null);
    Ok(items
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
        .filter(|name| !name.contains('/'))
        .map(|name| rust_type_name(&payspec_profile::pointer::unescape(name))))
}

/// The success response's JSON schema (responses are down to the successes by now).
fn success_schema(operation: &Map<String, Value>) -> Option<&Value> {
    operation
        .get("responses")?
        .as_object()?
        .iter()
        .filter(|(status, _)| status.starts_with('2'))
        .find_map(|(_, response)| {
            let (_, media) = openapi::json_media(response.get("content")?)?;
            media.get("schema")
        })
}

/// The name typify gives a component's type: its words in upper camel case (heck's rules, as
/// typify applies them), prefixed when it does not start as an identifier does. The glue checks
/// that a type of this name was generated before using it.
pub(crate) fn rust_type_name(component: &str) -> String {
    use heck::ToPascalCase as _;
    let words = component
        .replace('\'', "")
        .replace(|c: char| !(c.is_alphanumeric() || c == '_'), "-");
    let name = words.to_pascal_case();
    match name.chars().next() {
        Some(c) if c.is_alphabetic() || c == '_' => name,
        _ => format!("X{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn component_names_become_typifys_type_names() {
        for (component, rust) in [
            ("customer", "Customer"),
            ("payment_intent", "PaymentIntent"),
            ("Order", "Order"),
            ("v1.Payment-Link", "V1PaymentLink"),
            ("3ds_result", "X3dsResult"),
            ("CatalogObject", "CatalogObject"),
        ] {
            assert_eq!(rust_type_name(component), rust, "{component}");
        }
    }
}
