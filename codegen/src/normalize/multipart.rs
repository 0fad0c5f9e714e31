//! `multipart/form-data` request bodies, which progenitor cannot express: the body becomes a
//! JSON body of the same fields, whose binary fields (`type: string, format: binary`) become the
//! `PayspecFilePart` component, which progenitor replaces with `payspec_runtime::multipart::Part`.
//! The operation is marked, and the runtime encodes the serialised form as multipart before
//! signing it.

use serde_json::{Value, json};

use super::{Context, each_operation, reference};

/// The component the binary fields of a form point to.
pub(crate) const FILE_PART: &str = "PayspecFilePart";

const MEDIA: &str = "multipart/form-data";

pub(super) fn to_json_forms(doc: &mut Value, context: &mut Context<'_>) {
    let mut any = false;
    each_operation(doc, |doc, site, operation| {
        let Some(content) = super::request_content(operation) else {
            return;
        };
        let Some(media) = content.shift_remove(MEDIA) else {
            return;
        };
        if !content.is_empty() {
            let at = format!("{}/requestBody/content", site.pointer);
            context.problem(
                at,
                "a multipart body beside other media types, none JSON: name the one to generate in vendor.yaml's generate.request_media",
            );
            return;
        }
        let mut schema = media
            .get("schema")
            .cloned()
            .unwrap_or_else(|| json!({"type": "object"}));
        if let Some(target) = reference(&schema).and_then(|r| r.strip_prefix('#')) {
            schema = doc.pointer(target).cloned().unwrap_or(Value::Null);
        }
        let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) else {
            let at = format!(
                "{}/requestBody/content/multipart~1form-data/schema",
                site.pointer
            );
            context.problem(
                at,
                "a multipart body needs an object schema listing its fields",
            );
            return;
        };
        for property in properties.values_mut() {
            mark_files(property);
        }
        content.insert("application/json".into(), json!({ "schema": schema }));
        context.multipart.insert(site.pointer.clone());
        any = true;
    });
    if any
        && let Some(schemas) = doc
            .pointer_mut("/components/schemas")
            .and_then(Value::as_object_mut)
    {
        schemas.insert(FILE_PART.into(), json!({"type": "object", "description": "A file sent as one part of a multipart body."}));
    } else if any {
        doc["components"]["schemas"] = json!({ FILE_PART: {"type": "object"} });
    }
}

/// A binary string (or an array of them) becomes the file part.
fn mark_files(property: &mut Value) {
    let binary = property.get("type").and_then(Value::as_str) == Some("string")
        && matches!(
            property.get("format").and_then(Value::as_str),
            Some("binary" | "byte")
        );
    if binary {
        *property = json!({ "$ref": format!("#/components/schemas/{FILE_PART}") });
    } else if let Some(items) = property.get_mut("items") {
        mark_files(items);
    }
}
