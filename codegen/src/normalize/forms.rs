//! Form-encoded requests, which progenitor cannot express (Stripe): an
//! `application/x-www-form-urlencoded` body becomes a JSON body of the same schema, the
//! operation is marked, and the runtime encodes the serialised body as a form with nested
//! brackets (`metadata[order]=6735`, `items[0][price]=…`: the `deepObject` style). A
//! `deepObject` query parameter becomes one query parameter per property (`created[gt]`), and
//! an array one repeated `name[]`.

use serde_json::{Value, json};

use super::{Context, each_operation, reference};

const FORM: &str = "application/x-www-form-urlencoded";

pub(super) fn form_bodies(doc: &mut Value, context: &mut Context<'_>) {
    each_operation(doc, |_, site, operation| {
        let Some(content) = super::request_content(operation) else {
            return;
        };
        // One media type by now (bodies::choose_media).
        let Some(mut media) = content.shift_remove(FORM) else {
            return;
        };
        if let Some(media) = media.as_object_mut() {
            media.remove("encoding");
        }
        content.insert("application/json".into(), media);
        context.forms.insert(site.pointer.clone());
    });
}

pub(super) fn deep_object_queries(doc: &mut Value, _: &mut Context<'_>) {
    each_operation(doc, |doc, site, operation| {
        let Some(parameters) = operation
            .get_mut("parameters")
            .and_then(Value::as_array_mut)
        else {
            return;
        };
        let mut flattened = Vec::new();
        for parameter in parameters.drain(..) {
            let deep = parameter.get("in").and_then(Value::as_str) == Some("query")
                && parameter.get("style").and_then(Value::as_str) == Some("deepObject");
            if !deep {
                flattened.push(parameter);
                continue;
            }
            tracing::debug!(pointer = %site.pointer, "deepObject query parameter {} flattened", parameter["name"]);
            flattened.extend(flatten(doc, &parameter));
        }
        *parameters = flattened;
    });
}

/// An object-valued query parameter in the default `form` style with `explode` (the default):
/// each property is a query parameter of its own, named as the property (OpenAPI's
/// serialisation: `{"a": 1, "b": "x"}` is `a=1&b=x`), so each becomes a typed parameter.
/// What has no fixed set of scalar parameters (a property that is an object or an array of
/// objects, `explode: false`) is left out, with a warning.
pub(super) fn form_object_queries(doc: &mut Value, context: &mut Context<'_>) {
    let mut warnings = Vec::new();
    each_operation(doc, |doc, site, operation| {
        let Some(parameters) = operation
            .get_mut("parameters")
            .and_then(Value::as_array_mut)
        else {
            return;
        };
        let taken: Vec<String> = parameters
            .iter()
            .filter_map(|p| p.get("name").and_then(Value::as_str).map(str::to_owned))
            .collect();
        let mut kept = Vec::new();
        for parameter in parameters.drain(..) {
            let schema = resolved(doc, parameter.get("schema").unwrap_or(&Value::Null));
            // A free-form object (no properties) is left as it is: progenitor sends it as a map.
            let object = parameter.get("in").and_then(Value::as_str) == Some("query")
                && parameter
                    .get("style")
                    .and_then(Value::as_str)
                    .is_none_or(|s| s == "form")
                && schema.get("properties").is_some();
            if !object {
                kept.push(parameter);
                continue;
            }
            // Named, not indexed: earlier passes (inherited and deepObject parameters) have
            // moved the list away from the document's indices.
            let name = parameter
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let at = format!("{}/parameters", site.pointer);
            match form_properties(doc, &parameter, &schema, &taken) {
                Ok(properties) => kept.extend(properties),
                Err(why) => warnings.push((at, format!("{name:?}: {why}"))),
            }
        }
        *parameters = kept;
    });
    for (at, why) in warnings {
        context.warn(at, format!("object query parameter left out: {why}"));
    }
}

/// The query parameters an exploded form-style object sends, or why it has no fixed set.
fn form_properties(
    doc: &Value,
    parameter: &Value,
    schema: &Value,
    taken: &[String],
) -> Result<Vec<Value>, String> {
    if parameter.get("explode").and_then(Value::as_bool) == Some(false) {
        return Err(
            "`explode: false` packs the object into one value, which payspec does not type".into(),
        );
    }
    let properties = schema
        .get("properties")
        .and_then(Value::as_object)
        .filter(|p| !p.is_empty())
        .ok_or("a free-form object has no fixed set of parameters")?;
    let required_object = parameter.get("required").and_then(Value::as_bool) == Some(true);
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let mut out = Vec::new();
    for (name, property) in properties {
        let property_schema = resolved(doc, property);
        let kind = property_schema.get("type").and_then(Value::as_str);
        let scalar_items = || {
            let items = resolved(doc, property_schema.get("items").unwrap_or(&Value::Null));
            !matches!(
                items.get("type").and_then(Value::as_str),
                Some("object" | "array")
            )
        };
        let fits = match kind {
            Some("object") => false,
            Some("array") => scalar_items(),
            _ => property_schema.get("properties").is_none(),
        };
        if !fits {
            return Err(format!(
                "its property {name:?} is not a scalar or an array of scalars"
            ));
        }
        if taken.iter().any(|t| t == name) {
            return Err(format!(
                "its property {name:?} has the name of another parameter"
            ));
        }
        out.push(serde_json::json!({
            "name": name,
            "in": "query",
            "required": required_object && required.contains(&name.as_str()),
            "description": property.get("description").cloned().unwrap_or(Value::Null),
            "schema": property,
        }));
    }
    out.iter_mut().for_each(|p| {
        if p["description"].is_null()
            && let Some(object) = p.as_object_mut()
        {
            object.remove("description");
        }
    });
    Ok(out)
}

/// One deepObject parameter as the parameters it sends: object properties, recursively, as
/// `name[property]`; an array of scalars as a repeated `name[]`; a scalar alternative under the
/// name itself. An array of objects has no fixed set of parameters: it is left out (noted).
fn flatten(doc: &Value, parameter: &Value) -> Vec<Value> {
    let name = parameter
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let description = parameter.get("description").cloned().unwrap_or(Value::Null);
    let required = parameter
        .get("required")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let schema = parameter.get("schema").cloned().unwrap_or(Value::Null);
    let mut out = Vec::new();
    flatten_schema(doc, name, &schema, &description, required, &mut out, 0);
    // `name[]` and `name` are one Rust name: the array wins over a scalar alternative (Stripe's
    // empty string that unsets the list).
    let mut seen = std::collections::BTreeSet::new();
    out.sort_by_key(|p| !p["name"].as_str().is_some_and(|n| n.ends_with("[]")));
    out.retain(|p| {
        let ident: String = p["name"]
            .as_str()
            .unwrap_or_default()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        seen.insert(ident.to_ascii_lowercase())
    });
    out
}

fn flatten_schema(
    doc: &Value,
    name: &str,
    schema: &Value,
    description: &Value,
    required: bool,
    out: &mut Vec<Value>,
    depth: usize,
) {
    if depth > 8 {
        return;
    }
    let schema = resolved(doc, schema);
    if let Some(variants) = schema
        .get("anyOf")
        .or_else(|| schema.get("oneOf"))
        .and_then(Value::as_array)
    {
        for variant in variants {
            flatten_schema(doc, name, variant, description, false, out, depth + 1);
        }
        return;
    }
    let kind = schema.get("type").and_then(Value::as_str);
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        for (property, inner) in properties {
            flatten_schema(
                doc,
                &format!("{name}[{property}]"),
                inner,
                description,
                false,
                out,
                depth + 1,
            );
        }
    } else if kind == Some("array") {
        let items = resolved(doc, schema.get("items").unwrap_or(&Value::Null));
        let scalar = items.get("properties").is_none()
            && items.get("anyOf").is_none()
            && !matches!(
                items.get("type").and_then(Value::as_str),
                Some("array" | "object")
            );
        if scalar {
            let mut param = query(&format!("{name}[]"), schema.clone(), description, false);
            param["explode"] = json!(true);
            out.push(param);
        } else {
            tracing::debug!(
                "deepObject query parameter {name}: an array of objects is not generated"
            );
        }
    } else if kind.is_some() && !out.iter().any(|p| p["name"] == name) {
        out.push(query(name, schema.clone(), description, required));
    }
}

fn query(name: &str, schema: Value, description: &Value, required: bool) -> Value {
    let mut parameter = json!({"name": name, "in": "query", "required": required, "style": "form", "schema": schema});
    if !description.is_null() {
        parameter["description"] = description.clone();
    }
    parameter
}

fn resolved(doc: &Value, schema: &Value) -> Value {
    match reference(schema).and_then(|r| r.strip_prefix('#')) {
        Some(target) => doc.pointer(target).cloned().unwrap_or(Value::Null),
        None => schema.clone(),
    }
}
