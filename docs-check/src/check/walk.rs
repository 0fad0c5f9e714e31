//! Walking a schema beside what a page shows: an example value, a documented field, or the
//! page's own schema (an OpenAPI block). `$ref`s are followed and the pointer follows them, so
//! that a finding names the place in the spec to change.

use payspec_profile::openapi;
use payspec_profile::pointer::escape;
use serde_json::Value;

use super::Checker;
use crate::extract::{DocField, Place};
use crate::finding::Kind;

/// How deep examples and schemas are walked.
const MAX_DEPTH: usize = 12;

pub(super) struct Walk<'c, 'a> {
    pub line: usize,
    pub checker: &'c mut Checker<'a>,
}

/// `schema` with its `$ref`s followed, and its pointer.
fn resolved(doc: &Value, schema: &Value, pointer: String) -> (Value, String) {
    let mut current = schema.clone();
    let mut pointer = pointer;
    for _ in 0..16 {
        let Some(target) = current
            .get("$ref")
            .and_then(Value::as_str)
            .map(str::to_owned)
        else {
            break;
        };
        let Some(path) = target.strip_prefix('#') else {
            break;
        };
        let Some(next) = doc.pointer(path) else { break };
        current = next.clone();
        pointer = path.to_owned();
    }
    (current, pointer)
}

/// A property of an object schema (through `allOf`), with its pointer.
fn property(
    doc: &Value,
    schema: &Value,
    pointer: String,
    name: &str,
    depth: usize,
) -> Option<(Value, String)> {
    let (schema, pointer) = resolved(doc, schema, pointer);
    if let Some(found) = schema.get("properties").and_then(|p| p.get(name)) {
        return Some((
            found.clone(),
            format!("{pointer}/properties/{}", escape(name)),
        ));
    }
    let members = schema.get("allOf").and_then(Value::as_array)?;
    if depth > MAX_DEPTH {
        return None;
    }
    members
        .iter()
        .enumerate()
        .find_map(|(i, m)| property(doc, m, format!("{pointer}/allOf/{i}"), name, depth + 1))
}

/// Whether a schema's properties are open (a free-form object: unknown fields are its own).
fn is_open(doc: &Value, schema: &Value) -> bool {
    let (schema, _) = resolved(doc, schema, String::new());
    let has_shape = schema.get("properties").is_some() || schema.get("allOf").is_some();
    !has_shape
        || schema
            .get("additionalProperties")
            .is_some_and(|a| a.is_object() || *a == Value::Bool(true))
}

fn is_uuid(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
        && text.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
}

impl Walk<'_, '_> {
    fn finding(
        &mut self,
        kind: Kind,
        pointer: String,
        docs: String,
        spec: String,
        message: String,
    ) {
        self.checker
            .spec_finding(kind, self.line, pointer, docs, spec, message);
    }

    fn doc(&self) -> &Value {
        self.checker.spec.doc
    }

    /// An example value against a schema.
    pub(super) fn value(
        &mut self,
        value: &Value,
        schema: &Value,
        pointer: String,
        path: String,
        depth: usize,
    ) {
        if depth > MAX_DEPTH {
            return;
        }
        let doc = self.doc().clone();
        let (resolved_schema, pointer) = resolved(&doc, schema, pointer);
        match value {
            Value::Object(object) => {
                if is_open(&doc, &resolved_schema) {
                    return;
                }
                for (name, inner) in object {
                    let at = format!("{path}/{name}");
                    match property(&doc, &resolved_schema, pointer.clone(), name, 0) {
                        Some((schema, pointer)) => {
                            self.value(inner, &schema, pointer, at, depth + 1)
                        }
                        None => {
                            let message = format!(
                                "the page's example has field {at}, which the schema lacks (a client would drop it)"
                            );
                            self.finding(
                                Kind::UnknownField,
                                format!("{pointer}/properties"),
                                at,
                                "absent".into(),
                                message,
                            );
                        }
                    }
                }
            }
            Value::Array(items) => {
                if let Some(items_schema) = resolved_schema.get("items") {
                    for item in items.iter().take(3) {
                        self.value(
                            item,
                            items_schema,
                            format!("{pointer}/items"),
                            format!("{path}/0"),
                            depth + 1,
                        );
                    }
                }
            }
            Value::Null => {}
            scalar => self.scalar(scalar, &resolved_schema, pointer, path),
        }
    }

    fn scalar(&mut self, value: &Value, schema: &Value, pointer: String, path: String) {
        let Some(ty) = schema.get("type").and_then(Value::as_str) else {
            return;
        };
        // Mintlify renders unknown example values as `<string>`, `<uuid>`: no value at all.
        if value.as_str().is_some_and(is_placeholder) {
            return;
        }
        let got = openapi::value_type(value);
        let fits = got == ty || (ty == "number" && got == "integer");
        if !fits && ty != "object" {
            let message =
                format!("the page's example gives {path} as {got} ({value}), the schema says {ty}");
            return self.finding(
                Kind::Type,
                pointer,
                format!("{got} {value}"),
                ty.to_owned(),
                message,
            );
        }
        if let (Some("uuid"), Some(text)) =
            (schema.get("format").and_then(Value::as_str), value.as_str())
            && !is_uuid(text)
        {
            let message = format!(
                "the page's example gives {path} as {text:?}, which is not a uuid as the schema says"
            );
            return self.finding(Kind::Type, pointer, text.to_owned(), "uuid".into(), message);
        }
        if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
            && !allowed.contains(value)
        {
            let listed: Vec<String> = allowed.iter().map(|v| v.to_string()).collect();
            let message = format!(
                "the page's example gives {path} the value {value}, which the schema's enum lacks"
            );
            self.finding(
                Kind::EnumValue,
                pointer,
                text_of(value),
                listed.join(", "),
                message,
            );
        }
    }

    /// A documented field (a dotted path for nested ones) against a body or response schema.
    pub(super) fn field(&mut self, field: &DocField, schema: &Value, pointer: String) {
        let doc = self.doc().clone();
        let mut current = (schema.clone(), pointer);
        let parts: Vec<&str> = field.name.split('.').collect();
        for (i, part) in parts.iter().enumerate() {
            let (schema, pointer) = resolved(&doc, &current.0, current.1.clone());
            let schema = match schema.get("type").and_then(Value::as_str) {
                Some("array") => schema.get("items").cloned().unwrap_or(Value::Null),
                _ => schema,
            };
            if is_open(&doc, &schema) {
                return;
            }
            let Some(found) = property(&doc, &schema, pointer.clone(), part, 0) else {
                let at = parts[..=i].join(".");
                let message = format!("the page lists field {at}, which the schema lacks");
                return self.finding(
                    Kind::UnknownField,
                    format!("{pointer}/properties"),
                    at,
                    "absent".into(),
                    message,
                );
            };
            if i + 1 == parts.len() && field.place == Place::Body {
                self.required(field, &schema, &pointer, part);
            }
            current = found;
        }
        self.field_type(field, &current.0, &current.1);
    }

    fn required(&mut self, field: &DocField, object: &Value, pointer: &str, name: &str) {
        let Some(documented) = field.required else {
            return;
        };
        let required = openapi::required(self.doc(), object)
            .iter()
            .any(|r| r == name);
        if documented != required {
            let say = |r: bool| if r { "required" } else { "optional" }.to_owned();
            let message = format!(
                "the page says {name} is {}, the schema says {}",
                say(documented),
                say(required)
            );
            self.finding(
                Kind::Required,
                format!("{pointer}/required"),
                format!("{name} {}", say(documented)),
                say(required),
                message,
            );
        }
    }

    /// A documented field's type, format, options and pattern against its schema.
    pub(super) fn field_type(&mut self, field: &DocField, schema: &Value, pointer: &str) {
        let doc = self.doc().clone();
        let (schema, pointer) = resolved(&doc, schema, pointer.to_owned());
        let ours = schema.get("type").and_then(Value::as_str);
        let theirs = match (field.ty.as_deref(), field.format.as_deref()) {
            (Some("number"), Some("int32" | "int64")) => Some("integer"),
            (ty, _) => ty,
        };
        if let (Some(theirs), Some(ours)) = (theirs, ours)
            && theirs != ours
        {
            let message = format!(
                "the page types {} as {theirs}, the schema as {ours}",
                field.name
            );
            self.finding(
                Kind::Type,
                pointer.clone(),
                theirs.to_owned(),
                ours.to_owned(),
                message,
            );
        }
        let our_format = schema.get("format").and_then(Value::as_str);
        if let Some(format @ ("uuid" | "date" | "date-time")) = field.format.as_deref()
            && our_format != Some(format)
        {
            let message = format!(
                "the page gives {} the format {format}, the schema {}",
                field.name,
                our_format.unwrap_or("none")
            );
            self.finding(
                Kind::Type,
                pointer.clone(),
                format.to_owned(),
                our_format.unwrap_or("none").to_owned(),
                message,
            );
        }
        self.options(field, &schema, &pointer);
        if let Some(pattern) = &field.pattern
            && schema.get("pattern").and_then(Value::as_str) != Some(pattern.as_str())
        {
            let ours = schema
                .get("pattern")
                .and_then(Value::as_str)
                .unwrap_or("none")
                .to_owned();
            let message = format!("the page gives {} the pattern {pattern}", field.name);
            self.finding(Kind::Pattern, pointer, pattern.clone(), ours, message);
        }
    }

    fn options(&mut self, field: &DocField, schema: &Value, pointer: &str) {
        if field.options.is_empty() {
            return;
        }
        let allowed: Vec<String> = schema
            .get("enum")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(text_of)
            .collect();
        for option in &field.options {
            if !allowed.contains(option) {
                let spec = if allowed.is_empty() {
                    "no enum".to_owned()
                } else {
                    allowed.join(", ")
                };
                let message = format!(
                    "the page lists {option} among the values of {}, the schema does not",
                    field.name
                );
                self.finding(
                    Kind::EnumValue,
                    pointer.to_owned(),
                    option.clone(),
                    spec,
                    message,
                );
            }
        }
    }

    /// A page's own schema (an OpenAPI block) against ours.
    pub(super) fn schemas(
        &mut self,
        block: &Value,
        theirs: &Value,
        ours: &Value,
        pointer: String,
        path: String,
        depth: usize,
    ) {
        if depth > MAX_DEPTH {
            return;
        }
        let doc = self.doc().clone();
        let (theirs, _) = resolved(block, theirs, String::new());
        let (ours, pointer) = resolved(&doc, ours, pointer);
        let their_type = theirs.get("type").and_then(Value::as_str);
        let our_type = ours.get("type").and_then(Value::as_str);
        if let (Some(t), Some(o)) = (their_type, our_type)
            && t != o
        {
            let message = format!(
                "the page's schema types {} as {t}, ours as {o}",
                if path.is_empty() { "the body" } else { &path }
            );
            return self.finding(Kind::Type, pointer, t.to_owned(), o.to_owned(), message);
        }
        let enum_of = |schema: &Value| -> Vec<String> {
            schema
                .get("enum")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(text_of)
                .collect()
        };
        let (their_enum, our_enum) = (enum_of(&theirs), enum_of(&ours));
        for value in their_enum.iter().filter(|v| !our_enum.contains(v)) {
            let spec = if our_enum.is_empty() {
                "no enum".to_owned()
            } else {
                our_enum.join(", ")
            };
            let message = format!(
                "the page's schema lists {value} among the values of {path}, ours does not"
            );
            self.finding(
                Kind::EnumValue,
                pointer.clone(),
                value.clone(),
                spec,
                message,
            );
        }
        if let (Some(items), Some(our_items)) = (theirs.get("items"), ours.get("items")) {
            self.schemas(
                block,
                items,
                our_items,
                format!("{pointer}/items"),
                format!("{path}/0"),
                depth + 1,
            );
        }
        self.properties(block, (&theirs, &ours), pointer, path, depth);
    }

    /// The page's schema's fields against ours: each walked, or reported missing; each it
    /// requires that ours does not.
    fn properties(
        &mut self,
        block: &Value,
        (theirs, ours): (&Value, &Value),
        pointer: String,
        path: String,
        depth: usize,
    ) {
        let doc = self.doc().clone();
        let their_required = openapi::required(block, theirs);
        let our_required = openapi::required(&doc, ours);
        for (name, property_schema) in openapi::properties(block, theirs) {
            let at = format!("{path}/{name}");
            match property(&doc, ours, pointer.clone(), &name, 0) {
                Some((ours, inner)) => {
                    self.schemas(block, &property_schema, &ours, inner, at.clone(), depth + 1)
                }
                None if !is_open(&doc, ours) => {
                    let message = format!("the page's schema has field {at}, ours lacks it");
                    self.finding(
                        Kind::UnknownField,
                        format!("{pointer}/properties"),
                        at.clone(),
                        "absent".into(),
                        message,
                    );
                }
                None => {}
            }
            if their_required.contains(&name) && !our_required.contains(&name) {
                let message = format!("the page's schema requires {at}, ours does not");
                self.finding(
                    Kind::Required,
                    format!("{pointer}/required"),
                    format!("{name} required"),
                    "optional".into(),
                    message,
                );
            }
        }
    }
}

fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A placeholder a docs platform writes for an example value it does not have.
fn is_placeholder(text: &str) -> bool {
    text.len() > 2
        && text.starts_with('<')
        && text.ends_with('>')
        && text[1..text.len() - 1]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-. ".contains(c))
}
