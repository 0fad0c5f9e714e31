//! Schemas: integer enums opened (a closed Rust enum would fail a whole response over one new
//! status code), properties typed as nullable wrappers made required (the runtime's wrapper
//! types read a missing field as "no value"), and `$ref` loops among components reported.

use std::collections::BTreeSet;

use payspec_profile::StringLengths;
use serde_json::{Map, Value};

use super::{Context, reference};
use crate::diagnostic::token;

/// How deep a schema walk goes (hostile documents nest without end).
const MAX_DEPTH: usize = 128;

/// Calls `visit` on every schema object of the document: components, request and response
/// bodies, and everything nested in them.
fn each_schema(doc: &mut Value, visit: &mut dyn FnMut(&mut Map<String, Value>)) {
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        schemas.values_mut().for_each(|s| walk(s, visit, 0));
    }
    super::each_operation(doc, |_, _, operation| {
        if let Some(body) = operation.get_mut("requestBody") {
            media_schemas(body, visit);
        }
        let responses = operation
            .get_mut("responses")
            .and_then(Value::as_object_mut);
        for response in responses.into_iter().flat_map(|r| r.values_mut()) {
            media_schemas(response, visit);
        }
    });
}

fn media_schemas(holder: &mut Value, visit: &mut dyn FnMut(&mut Map<String, Value>)) {
    let contents = holder.get_mut("content").and_then(Value::as_object_mut);
    for media in contents.into_iter().flat_map(|c| c.values_mut()) {
        if let Some(schema) = media.get_mut("schema") {
            walk(schema, visit, 0);
        }
    }
}

fn walk(schema: &mut Value, visit: &mut dyn FnMut(&mut Map<String, Value>), depth: usize) {
    let Some(object) = schema.as_object_mut().filter(|_| depth < MAX_DEPTH) else {
        return;
    };
    visit(object);
    for key in ["items", "additionalProperties", "not"] {
        if let Some(inner) = object.get_mut(key) {
            walk(inner, visit, depth + 1);
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        for member in object
            .get_mut(key)
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            walk(member, visit, depth + 1);
        }
    }
    for property in object
        .get_mut("properties")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(|p| p.values_mut())
    {
        walk(property, visit, depth + 1);
    }
}

/// A string enum whose values would give two Rust variants the same name ("Etc/GMT+0" and
/// "Etc/GMT-0", "ABC" and "abc") becomes a plain string (typify cannot name them apart); the
/// values stay in the description.
pub(super) fn colliding_enum_values(doc: &mut Value, _: &mut Context<'_>) {
    each_schema(doc, &mut plain_colliding_enum);
    // A parameter's own enum too (typify types it the same way).
    super::each_operation(doc, |_, _, operation| {
        let parameters = operation
            .get_mut("parameters")
            .and_then(Value::as_array_mut);
        for parameter in parameters.into_iter().flatten() {
            if let Some(schema) = parameter.get_mut("schema") {
                walk(schema, &mut plain_colliding_enum, 0);
            }
        }
    });
}

/// An enum whose values name the same Rust variant becomes a plain string, its values listed
/// in the description.
fn plain_colliding_enum(schema: &mut Map<String, Value>) {
    {
        let Some(values) = schema.get("enum").and_then(Value::as_array) else {
            return;
        };
        let names: Vec<String> = values
            .iter()
            .filter_map(Value::as_str)
            .map(|v| {
                v.chars()
                    .filter(char::is_ascii_alphanumeric)
                    .collect::<String>()
                    .to_ascii_lowercase()
            })
            .collect();
        let distinct: std::collections::BTreeSet<&String> = names.iter().collect();
        if distinct.len() == names.len() {
            return;
        }
        let listed: Vec<String> = values.iter().map(Value::to_string).collect();
        let Some(Value::Array(_)) = schema.remove("enum") else {
            return;
        };
        let note = format!(
            "Known values (a plain string: some differ only in punctuation or case): {}.",
            listed.join(", ")
        );
        let description = match schema.get("description").and_then(Value::as_str) {
            Some(existing) => format!("{existing}\n\n{note}"),
            None => note,
        };
        schema.insert("description".into(), Value::String(description));
    }
}

/// The Rust type name typify derives from a title or a component name (upper camel case of
/// its alphanumeric words).
fn type_name(text: &str) -> String {
    let mut out = String::new();
    let mut upper = true;
    let mut previous_lower = false;
    for c in text.chars() {
        if !c.is_ascii_alphanumeric() {
            upper = true;
            previous_lower = false;
            continue;
        }
        if upper || (c.is_ascii_uppercase() && previous_lower) {
            out.push(c.to_ascii_uppercase());
        } else {
            out.push(c.to_ascii_lowercase());
        }
        upper = false;
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
    }
    out
}

/// An inline schema whose `title` names the same Rust type as a component or another titled
/// schema (Stripe titles inline parameters after components) loses its title: typify would
/// define the type twice; without the title it names the type after where it sits.
pub(super) fn colliding_titles(doc: &mut Value, _: &mut Context<'_>) {
    let mut taken: BTreeSet<String> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|schemas| schemas.keys())
        .map(|name| type_name(name))
        .collect();
    name_optional_inners(doc);
    drop_titles(doc, &mut taken, false, 0);
}

/// A component typify reads as optional is a newtype over `Option<inner>`, the inner type
/// named by the title, else by what it merges: a title repeating the component's name, or an
/// `allOf` of a component (Plaid's `ItemStatusNullable`), defined the type twice, the newtype
/// holding itself. The inner type is named `<Name>Inner`.
fn name_optional_inners(doc: &mut Value) {
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    // typify names the enum inside `Option` after the component itself, whatever its title:
    // `null` among the values is said as `nullable` instead, which it reads the same way but
    // names the inner type by the title.
    for object in schemas.values_mut().filter_map(Value::as_object_mut) {
        if let Some(values) = object.get_mut("enum").and_then(Value::as_array_mut)
            && values.iter().any(Value::is_null)
            && values.iter().any(|v| !v.is_null())
        {
            values.retain(|v| !v.is_null());
            object.insert("nullable".into(), Value::Bool(true));
        }
    }
    let nullable: BTreeSet<String> = schemas
        .iter()
        .filter(|(_, schema)| is_nullable(schema))
        .map(|(name, _)| format!("#/components/schemas/{name}"))
        .collect();
    for (name, schema) in schemas.iter_mut() {
        if reads_as_optional(schema, &nullable)
            && let Some(object) = schema.as_object_mut()
        {
            let inner = format!("{}Inner", type_name(name));
            object.insert("title".into(), Value::String(inner));
        }
    }
}

/// Whether typify reads a schema as `Option<…>`: `nullable: true` (Plaid's
/// `TransferAuthorizationDecisionRationaleCode` once its listed `null` is said so), or an
/// `allOf` member that is nullable, inline or a component (`nullable_refs`; Plaid's
/// `ExternalPaymentScheduleRequest` merges a nullable base).
fn reads_as_optional(schema: &Value, nullable_refs: &BTreeSet<String>) -> bool {
    let nullable = |member: &Value| {
        is_nullable(member)
            || member
                .get("$ref")
                .and_then(Value::as_str)
                .is_some_and(|target| nullable_refs.contains(target))
    };
    let merges_nullable = schema
        .get("allOf")
        .and_then(Value::as_array)
        .is_some_and(|members| members.iter().any(nullable));
    is_nullable(schema) || merges_nullable
}

/// `nullable: true`.
fn is_nullable(schema: &Value) -> bool {
    schema.get("nullable") == Some(&Value::Bool(true))
}

/// Walks the whole document (schemas sit in bodies, responses, parameters, components);
/// `root` marks a component schema itself, whose title may repeat its name harmlessly (or name
/// its inner type, [`name_optional_inners`]).
fn drop_titles(value: &mut Value, taken: &mut BTreeSet<String>, root: bool, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match value {
        Value::Object(object) => {
            let is_schema = [
                "type",
                "properties",
                "items",
                "enum",
                "allOf",
                "anyOf",
                "oneOf",
            ]
            .iter()
            .any(|k| object.contains_key(*k));
            if is_schema
                && !root
                && let Some(title) = object.get("title").and_then(Value::as_str)
                && !taken.insert(type_name(title))
            {
                tracing::debug!("title {title:?} dropped: another type has its name");
                object.remove("title");
            }
            let is_components = object.contains_key("schemas") && depth == 1;
            for (key, child) in object.iter_mut() {
                if matches!(key.as_str(), "example" | "default" | "enum") {
                    continue;
                }
                let child_is_root = is_components && key == "schemas";
                if child_is_root {
                    for schema in child
                        .as_object_mut()
                        .into_iter()
                        .flat_map(|s| s.values_mut())
                    {
                        drop_titles(schema, taken, true, depth + 2);
                    }
                } else {
                    drop_titles(child, taken, false, depth + 1);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                drop_titles(item, taken, false, depth + 1);
            }
        }
        _ => {}
    }
}

/// typify names an inline schema under a component's property `<Component><Property>`; when a
/// component already has that name (Stripe's `payment_intent_payment_method_options` with an
/// inline `acss_debit` beside the component `payment_intent_payment_method_options_acss_debit`)
/// the inline schema gets a title of its own, or the type would be defined twice.
pub(super) fn derived_name_collisions(doc: &mut Value, _: &mut Context<'_>) {
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let mut taken: BTreeSet<String> = schemas.keys().map(|name| type_name(name)).collect();
    let mut hoisted = Vec::new();
    for (name, schema) in schemas.iter_mut() {
        let parent = type_name(name);
        let mut optional = Vec::new();
        let properties = schema.get_mut("properties").and_then(Value::as_object_mut);
        for (property, inner) in properties.into_iter().flatten() {
            let Some(inline) = inner.as_object() else {
                continue;
            };
            let own_type = !inline.contains_key("$ref")
                && ["properties", "anyOf", "oneOf", "allOf", "enum"]
                    .iter()
                    .any(|k| inline.contains_key(*k));
            let derived = format!("{parent}{}", type_name(property));
            if !own_type || !taken.contains(&derived) {
                continue;
            }
            // A component of its own, under a free name (typify ignores the title of some
            // inline schemas, nullable ones among them).
            let mut component = format!("{derived}Inline");
            while taken.contains(&type_name(&component)) {
                component.push('_');
            }
            tracing::debug!(
                "{name}.{property}: moved to component {component} (its derived name is a component's)"
            );
            taken.insert(type_name(&component));
            let mut value = std::mem::replace(
                inner,
                serde_json::json!({ "$ref": format!("#/components/schemas/{component}") }),
            );
            // A nullable value is an optional field here (typify mishandles a nullable
            // component of alternatives): a required one stops being required.
            if value
                .as_object_mut()
                .and_then(|v| v.remove("nullable"))
                .is_some_and(|n| n == true)
            {
                optional.push(property.clone());
            }
            hoisted.push((component, value));
        }
        if let Some(required) = schema.get_mut("required").and_then(Value::as_array_mut) {
            required.retain(|r| !optional.iter().any(|o| r == o));
        }
    }
    schemas.extend(hoisted);
}

/// The Rust field name typify gives a property (its sanitising: non-identifier characters as
/// word breaks, snake case, `x` before a leading digit).
fn field_name(property: &str) -> String {
    use heck::ToSnakeCase as _;
    let cleaned: String = property
        .replace('\'', "")
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let snake = cleaned.to_snake_case();
    match snake.chars().next() {
        None => "x".to_owned(),
        Some(c) if c.is_ascii_digit() => format!("x{snake}"),
        Some(_) => snake,
    }
}

/// Properties of one object that typify would give the same Rust field name (`id` and `@id`)
/// cannot both be fields: the later ones move to the object's additional properties, which
/// keep their values (`additionalProperties: {}`: typify gives `true` no field, `{}` a
/// flattened `extra` map).
pub(super) fn colliding_fields(doc: &mut Value, _: &mut Context<'_>) {
    each_schema(doc, &mut |schema| {
        let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) else {
            return;
        };
        let mut seen = BTreeSet::new();
        let colliding: Vec<String> = properties
            .keys()
            .filter(|name| !seen.insert(field_name(name)))
            .cloned()
            .collect();
        if colliding.is_empty() {
            return;
        }
        for name in &colliding {
            tracing::debug!(
                "property {name:?} kept among additional properties: its Rust name is taken"
            );
            properties.shift_remove(name);
        }
        if let Some(required) = schema.get_mut("required").and_then(Value::as_array_mut) {
            required.retain(|r| !colliding.iter().any(|c| r == c));
        }
        if !schema
            .get("additionalProperties")
            .is_some_and(|a| a.is_object())
        {
            schema.insert(
                "additionalProperties".into(),
                Value::Object(Default::default()),
            );
        }
    });
}

/// A `required` name that matches a property only by case (Moov's `ID` for `id`) means that
/// property: left as written, typify would add a second field of the same Rust name.
pub(super) fn required_case(doc: &mut Value, _: &mut Context<'_>) {
    each_schema(doc, &mut |schema| {
        let names: Vec<String> = schema
            .get("properties")
            .and_then(Value::as_object)
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default();
        let Some(required) = schema.get_mut("required").and_then(Value::as_array_mut) else {
            return;
        };
        for entry in required.iter_mut() {
            let Some(name) = entry.as_str() else { continue };
            if names.iter().any(|n| n == name) {
                continue;
            }
            if let Some(property) = names.iter().find(|n| n.eq_ignore_ascii_case(name)) {
                tracing::debug!("required {name:?} read as property {property:?}");
                *entry = Value::String(property.clone());
            }
        }
        let mut seen = BTreeSet::new();
        required.retain(|r| seen.insert(r.to_string()));
    });
}

/// A `number` with an integer format (`int32`, `int64`: OneKey's cashout ids) is an integer:
/// a float would be sent as `97875.0`.
/// `allOf` members that constrain nothing (`{type: object}`, `additionalProperties: true`, no
/// properties) beside another member are dropped: the intersection is the other members'.
/// Plaid's `ItemStatusNullable` is `allOf: [$ref ItemStatus, {type: object,
/// additionalProperties: true}]`; typify merges the two into a second struct named after
/// ItemStatus's title, and the module defines it twice.
pub(super) fn open_all_of_members(doc: &mut Value, _: &mut Context<'_>) {
    each_schema(doc, &mut |schema| {
        let Some(members) = schema.get_mut("allOf").and_then(Value::as_array_mut) else {
            return;
        };
        if members.len() < 2 {
            return;
        }
        let open = |member: &Value| {
            member.as_object().is_some_and(|m| {
                m.keys()
                    .all(|k| matches!(k.as_str(), "type" | "additionalProperties" | "description"))
                    && m.get("type").is_none_or(|t| t == "object")
                    && m.get("additionalProperties").is_none_or(|a| a == true)
            })
        };
        if members.iter().all(open) {
            return;
        }
        members.retain(|member| !open(member));
    });
}

pub(super) fn integer_formats(doc: &mut Value, _: &mut Context<'_>) {
    each_schema(doc, &mut |schema| {
        let integral = matches!(
            schema.get("format").and_then(Value::as_str),
            Some("int32" | "int64")
        );
        if integral && schema.get("type").and_then(Value::as_str) == Some("number") {
            schema.insert("type".into(), Value::String("integer".into()));
        }
    });
}

/// `generate.string_lengths: unchecked`: a string's length limits are left to the server, so
/// the field is a plain `String` instead of a checking newtype. A `pattern` still makes one.
pub(super) fn string_lengths(doc: &mut Value, context: &mut Context<'_>) {
    if context.profile.generate.string_lengths != StringLengths::Unchecked {
        return;
    }
    each_schema(doc, &mut |schema| {
        if schema.get("type").and_then(Value::as_str) == Some("string") {
            schema.remove("minLength");
            schema.remove("maxLength");
        }
    });
}

/// OneKey's status codes 0-5 become plain integers; the known values stay in the description.
pub(super) fn open_integer_enums(doc: &mut Value, _: &mut Context<'_>) {
    each_schema(doc, &mut |schema| {
        if schema.get("type").and_then(Value::as_str) != Some("integer") {
            return;
        }
        let Some(Value::Array(values)) = schema.remove("enum") else {
            return;
        };
        let listed: Vec<String> = values
            .iter()
            .filter(|v| !v.is_null())
            .map(Value::to_string)
            .collect();
        if listed.is_empty() {
            return;
        }
        let note = format!(
            "Known values: {} (others are passed through).",
            listed.join(", ")
        );
        let description = match schema.get("description").and_then(Value::as_str) {
            Some(existing) => format!("{existing}\n\n{note}"),
            None => note,
        };
        schema.insert("description".into(), Value::String(description));
    });
}

pub(super) fn require_nullable_wrappers(doc: &mut Value, context: &mut Context<'_>) {
    let wrappers: BTreeSet<String> = context
        .profile
        .nullable_wrappers
        .keys()
        .map(|name| format!("#/components/schemas/{name}"))
        .collect();
    if wrappers.is_empty() {
        return;
    }
    each_schema(doc, &mut |schema| {
        let wrapped: Vec<String> = schema
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter(|(_, p)| reference(p).is_some_and(|r| wrappers.contains(r)))
            .map(|(name, _)| name.clone())
            .collect();
        if wrapped.is_empty() {
            return;
        }
        let required = schema
            .entry("required")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Some(list) = required.as_array_mut() {
            for name in wrapped {
                if !list.iter().any(|r| r.as_str() == Some(&name)) {
                    list.push(Value::String(name));
                }
            }
        }
    });
}

/// Component schemas that are only a `$ref` to another, in a loop: no type can come of them.
pub(super) fn alias_cycles(doc: &mut Value, context: &mut Context<'_>) {
    let Some(components) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return;
    };
    let target = |name: &str| {
        components
            .get(name)
            .and_then(reference)
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
            .map(str::to_owned)
    };
    let mut reported = BTreeSet::new();
    for start in components.keys() {
        let mut chain = vec![start.clone()];
        let mut current = start.clone();
        while let Some(next) = target(&current) {
            if next == *start {
                if chain.iter().all(|n| reported.insert(n.clone())) {
                    chain.push(next);
                    let at = format!("/components/schemas/{}", token(start));
                    context.problem(at, format!("cyclic $ref: {}", chain.join(" -> ")));
                }
                break;
            }
            if chain.contains(&next) || chain.len() > components.len() {
                break;
            }
            chain.push(next.clone());
            current = next;
        }
    }
}
