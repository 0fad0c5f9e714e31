//! A JSON value against its OpenAPI 3.0 schema: every place where they disagree, located twice
//! (where in the value, and which schema of the document says otherwise), and the overlay
//! action that would make the document say what the value says.
//!
//! The sandbox checks requests with it (a vendor refuses what its spec forbids); `payspec
//! probe` checks a vendor's answers with it, where a disagreement is drift: an enum value the
//! spec does not list, a null where it says non-null, a required field missing, a field it
//! does not know.

use std::fmt;

use serde_json::{Value, json};

use crate::openapi::{all_of, resolve};
use crate::pointer;

/// How deep a value is followed (a peer's document and answers are not to be trusted).
const MAX_DEPTH: usize = 32;

/// What a check reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Report fields an object schema with listed properties does not know (an answer's
    /// drift; a request's extra fields are the vendor's to refuse or ignore).
    pub extra_fields: bool,
}

/// How a value disagrees with its schema.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// `null` where the schema is typed and not nullable.
    Null,
    /// A value the schema's `enum` does not list.
    NotListed {
        /// The values it lists.
        allowed: Vec<Value>,
    },
    /// Another JSON type than the schema's.
    Type {
        /// The schema's type.
        expected: String,
    },
    /// A string not of the schema's format (`date`, `date-time`, `uuid`, `email`).
    Format {
        /// The format.
        format: String,
    },
    /// Longer than `maxLength`.
    TooLong {
        /// The limit.
        max: u64,
    },
    /// Under `minimum`.
    Below {
        /// The limit.
        minimum: f64,
    },
    /// Over `maximum`.
    Above {
        /// The limit.
        maximum: f64,
    },
    /// A required field absent (the pointer names the field).
    Missing,
    /// A field the schema does not list (the pointer names the field).
    Extra,
}

/// One disagreement.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    /// Where in the value (a JSON pointer; `""` is the whole value).
    pub pointer: String,
    /// The schema that says otherwise, as a JSON pointer into the document (`None` when the
    /// schema is not the document's, e.g. one built by the caller).
    pub schema: Option<String>,
    /// The value found (`null` for a missing field).
    pub found: Value,
    /// How they disagree.
    pub kind: Kind,
}

impl Mismatch {
    /// What is wrong, without where (`must not be null`, `"lost" is not one of […]`).
    pub fn problem(&self) -> String {
        let found = &self.found;
        match &self.kind {
            Kind::Null => "must not be null".to_owned(),
            Kind::NotListed { allowed } => {
                format!("{found} is not one of {}", Value::Array(allowed.clone()))
            }
            Kind::Type { expected } => {
                let article = if expected.starts_with(['a', 'e', 'i', 'o', 'u']) {
                    "an"
                } else {
                    "a"
                };
                format!("expected {article} {expected}")
            }
            Kind::Format { format } => format!("{} is not a valid {format}", short(found)),
            Kind::TooLong { max } => format!("longer than {max} characters"),
            Kind::Below { minimum } => format!("less than {minimum}"),
            Kind::Above { maximum } => format!("more than {maximum}"),
            Kind::Missing => "required".to_owned(),
            Kind::Extra => format!("not in the spec (found {})", short(found)),
        }
    }
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.pointer.is_empty() {
            "body"
        } else {
            &self.pointer
        };
        write!(f, "{at}: {}", self.problem())
    }
}

/// A value for a message: strings quoted, anything long clipped.
fn short(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(80) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// Checks `value` against `schema`, found in `spec` at `location` (a JSON pointer, when it is
/// the document's own), and returns every disagreement.
pub fn check(
    spec: &Value,
    schema: &Value,
    location: Option<&str>,
    value: &Value,
    options: Options,
) -> Vec<Mismatch> {
    let mut walk = Walk {
        spec,
        options,
        found: Vec::new(),
    };
    walk.value(schema, location.map(str::to_owned), value, String::new(), 0);
    walk.found
}

/// A schema with where it is in the document.
struct Located<'a> {
    schema: &'a Value,
    at: Option<String>,
}

/// Follows `$ref`s, keeping the location of what they name.
fn locate<'a>(spec: &'a Value, schema: &'a Value, at: Option<String>) -> Located<'a> {
    let mut located = Located { schema, at };
    for _ in 0..32 {
        let Some(reference) = located.schema.get("$ref").and_then(Value::as_str) else {
            break;
        };
        let target = reference.strip_prefix('#').unwrap_or(reference);
        located = Located {
            schema: resolve(spec, located.schema),
            at: reference.starts_with('#').then(|| target.to_owned()),
        };
    }
    located
}

fn child(at: &Option<String>, tokens: &[&str]) -> Option<String> {
    at.as_ref().map(|base| {
        tokens.iter().fold(base.clone(), |path, token| {
            format!("{path}/{}", pointer::escape(token))
        })
    })
}

struct Walk<'a> {
    spec: &'a Value,
    options: Options,
    found: Vec<Mismatch>,
}

impl<'a> Walk<'a> {
    fn push(&mut self, pointer: &str, schema: &Option<String>, found: &Value, kind: Kind) {
        self.found.push(Mismatch {
            pointer: pointer.to_owned(),
            schema: schema.clone(),
            found: found.clone(),
            kind,
        });
    }

    fn value(
        &mut self,
        schema: &'a Value,
        at: Option<String>,
        value: &Value,
        pointer: String,
        depth: usize,
    ) {
        // `nullable: true` beside a `$ref` (Square's documents) is what the author meant,
        // though OpenAPI 3.0 reads only the `$ref`: a null there is no drift.
        let nullable_beside_ref = schema.get("$ref").is_some() && nullable(schema);
        let Located { schema, at } = locate(self.spec, schema, at);
        if depth > MAX_DEPTH {
            return;
        }
        for (i, member) in all_of(schema).enumerate() {
            let member_at = child(&at, &["allOf", &i.to_string()]);
            self.scalar_checks(member, member_at, value, &pointer, depth);
        }
        if value.is_null() {
            // An enum that does not list null refuses it, typed or not.
            let enum_refuses = schema
                .get("enum")
                .and_then(Value::as_array)
                .is_some_and(|allowed| !allowed.contains(value));
            let typed = type_of(schema).is_some() || enum_refuses;
            if typed && !nullable(schema) && !nullable_beside_ref {
                self.push(&pointer, &at, value, Kind::Null);
            }
            return;
        }
        if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
            && !allowed.contains(value)
        {
            let allowed = allowed.clone();
            self.push(&pointer, &at, value, Kind::NotListed { allowed });
        }
        if !self.typed(schema, &at, value, &pointer) {
            return;
        }
        if let Some(items) = schema.get("items")
            && let Some(values) = value.as_array()
        {
            for (i, item) in values.iter().enumerate() {
                let item_pointer = format!("{pointer}/{i}");
                self.value(items, child(&at, &["items"]), item, item_pointer, depth + 1);
            }
        }
        self.bounds(schema, &at, value, &pointer);
        let is_object = type_of(schema) == Some("object")
            || schema.get("properties").is_some()
            || schema.get("allOf").is_some();
        if is_object {
            self.object(schema, &at, value, &pointer, depth);
        }
    }

    /// An `allOf` member's own checks (its fields are the object's, checked with it).
    fn scalar_checks(
        &mut self,
        member: &'a Value,
        at: Option<String>,
        value: &Value,
        pointer: &str,
        depth: usize,
    ) {
        let Located { schema, at } = locate(self.spec, member, at);
        let is_object = type_of(schema) == Some("object")
            || schema.get("properties").is_some()
            || schema.get("allOf").is_some();
        if !is_object {
            self.value(schema, at, value, pointer.to_owned(), depth + 1);
        }
    }

    /// The type check; whether the value is of the type (so its insides are worth checking).
    fn typed(&mut self, schema: &Value, at: &Option<String>, value: &Value, pointer: &str) -> bool {
        let Some(expected) = type_of(schema) else {
            return true;
        };
        let matches = match expected {
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            "array" => value.is_array(),
            "object" => value.is_object(),
            _ => true,
        };
        if !matches {
            let expected = expected.to_owned();
            self.push(pointer, at, value, Kind::Type { expected });
            return false;
        }
        if let Some(text) = value.as_str() {
            self.string(schema, at, value, text, pointer);
        }
        true
    }

    fn string(
        &mut self,
        schema: &Value,
        at: &Option<String>,
        value: &Value,
        text: &str,
        pointer: &str,
    ) {
        if let Some(max) = schema.get("maxLength").and_then(Value::as_u64)
            && text.chars().count() as u64 > max
        {
            self.push(pointer, at, value, Kind::TooLong { max });
        }
        let format = schema.get("format").and_then(Value::as_str);
        let format_ok = match format {
            Some("date") => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok(),
            Some("date-time") => chrono::DateTime::parse_from_rfc3339(text).is_ok(),
            Some("uuid") => uuid::Uuid::parse_str(text).is_ok(),
            Some("email") => is_email(text),
            _ => true,
        };
        if let (false, Some(format)) = (format_ok, format) {
            let format = format.to_owned();
            self.push(pointer, at, value, Kind::Format { format });
        }
    }

    fn bounds(&mut self, schema: &Value, at: &Option<String>, value: &Value, pointer: &str) {
        let Some(number) = value.as_f64() else {
            return;
        };
        if let Some(minimum) = schema.get("minimum").and_then(Value::as_f64)
            && number < minimum
        {
            self.push(pointer, at, value, Kind::Below { minimum });
        }
        if let Some(maximum) = schema.get("maximum").and_then(Value::as_f64)
            && number > maximum
        {
            self.push(pointer, at, value, Kind::Above { maximum });
        }
    }

    fn object(
        &mut self,
        schema: &'a Value,
        at: &Option<String>,
        value: &Value,
        pointer: &str,
        depth: usize,
    ) {
        let Some(object) = value.as_object() else {
            return;
        };
        let fields = fields(self.spec, schema, at.clone(), 0);
        for (name, where_required) in &fields.required {
            if !object.contains_key(name) {
                let field_pointer = format!("{pointer}/{}", pointer::escape(name));
                self.push(&field_pointer, where_required, &Value::Null, Kind::Missing);
            }
        }
        for (name, field) in object {
            let field_pointer = format!("{pointer}/{}", pointer::escape(name));
            match fields.properties.iter().find(|(known, _, _)| known == name) {
                Some((_, property, property_at)) => {
                    self.value(
                        property,
                        property_at.clone(),
                        field,
                        field_pointer,
                        depth + 1,
                    );
                }
                None if self.options.extra_fields
                    && !fields.properties.is_empty()
                    && !fields.open =>
                {
                    self.push(&field_pointer, &fields.listed_at, field, Kind::Extra);
                }
                None => {}
            }
        }
    }
}

/// An object schema's fields, through `allOf`, each with the schema that states it.
#[derive(Default)]
struct Fields<'a> {
    /// Name, schema, and its location (own properties win over `allOf` members').
    properties: Vec<(String, &'a Value, Option<String>)>,
    /// Name, and the location of the schema whose `required` lists it.
    required: Vec<(String, Option<String>)>,
    /// The location of the schema that lists the own properties (where a new one goes).
    listed_at: Option<String>,
    /// Whether `additionalProperties` allows other fields.
    open: bool,
}

fn fields<'a>(spec: &'a Value, schema: &'a Value, at: Option<String>, depth: usize) -> Fields<'a> {
    let Located { schema, at } = locate(spec, schema, at);
    let mut out = Fields {
        listed_at: at.clone(),
        open: schema
            .get("additionalProperties")
            .is_some_and(|a| a.as_bool() != Some(false)),
        ..Fields::default()
    };
    for (name, property) in schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let property_at = child(&at, &["properties", name]);
        out.properties.push((name.clone(), property, property_at));
    }
    for name in schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        out.required.push((name.to_owned(), at.clone()));
    }
    if depth >= MAX_DEPTH {
        return out;
    }
    // Later members win, as in `openapi::properties`: read them last first.
    let members: Vec<_> = all_of(schema).enumerate().collect();
    for (i, member) in members.into_iter().rev() {
        let inner = fields(
            spec,
            member,
            child(&at, &["allOf", &i.to_string()]),
            depth + 1,
        );
        for property in inner.properties {
            if !out
                .properties
                .iter()
                .any(|(name, _, _)| *name == property.0)
            {
                out.properties.push(property);
            }
        }
        out.required.extend(inner.required);
        out.open |= inner.open;
    }
    out
}

fn type_of(schema: &Value) -> Option<&str> {
    schema.get("type").and_then(Value::as_str)
}

fn nullable(schema: &Value) -> bool {
    schema.get("nullable").and_then(Value::as_bool) == Some(true)
}

/// A plausible address: one `@`, a local part, and a dotted domain without spaces (what a
/// request validator such as Prism's checks, not RFC 5322's full grammar).
fn is_email(text: &str) -> bool {
    match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !text.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

impl Mismatch {
    /// The OpenAPI Overlay 1.0 action that makes the document say what the value says, when
    /// there is one: `nullable: true`, the enum value added, the field made optional, the
    /// field listed (its type guessed from the value), the type the value has. `None` for a
    /// schema outside the document, and for formats and bounds (an overlay cannot delete a
    /// keyword short of replacing the schema; that is left to a person).
    pub fn overlay_action(&self, spec: &Value) -> Option<Value> {
        let at = self.schema.as_deref()?;
        let target = json_path(spec, at)?;
        let field = pointer::tokens(&self.pointer)?.pop().unwrap_or_default();
        let action = match &self.kind {
            Kind::Null => json!({"target": target, "update": {"nullable": true}}),
            Kind::NotListed { .. } => json!({"target": target, "update": {"enum": [self.found]}}),
            Kind::Type { .. } => {
                json!({"target": target, "update": {"type": json_type(&self.found)}})
            }
            Kind::Missing => json!({
                "target": format!("{target}['required'][?@ == {}]", quoted(&field)),
                "remove": true,
            }),
            Kind::Extra => json!({
                "target": target,
                "update": {"properties": {field: {"type": json_type(&self.found)}}},
            }),
            Kind::Format { .. }
            | Kind::TooLong { .. }
            | Kind::Below { .. }
            | Kind::Above { .. } => {
                return None;
            }
        };
        Some(action)
    }
}

/// A JSON pointer into the document as an RFC 9535 JSONPath (an overlay's `target`): quoted
/// names for the members of objects, indices for the items of arrays (`allOf` members);
/// `None` when the document has nothing there.
pub fn json_path(spec: &Value, at: &str) -> Option<String> {
    let mut path = "$".to_owned();
    let mut node = spec;
    for token in pointer::tokens(at)? {
        node = match node {
            Value::Array(items) => {
                let index: usize = token.parse().ok()?;
                path.push_str(&format!("[{index}]"));
                items.get(index)?
            }
            Value::Object(members) => {
                path.push_str(&format!("[{}]", quoted(&token)));
                members.get(&token)?
            }
            _ => return None,
        };
    }
    Some(path)
}

/// A JSONPath string literal (single quotes; `\` and `'` escaped).
fn quoted(name: &str) -> String {
    format!("'{}'", name.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// The OpenAPI 3.0 type of a found value (a null found where a field is new: a string).
fn json_type(value: &Value) -> &'static str {
    match crate::openapi::value_type(value) {
        "null" => "string",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> Value {
        json!({"components": {"schemas": {
            "Status": {"type": "string", "enum": ["pending", "done"]},
            "Base": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}},
            "Order": {"allOf": [{"$ref": "#/components/schemas/Base"}, {"type": "object",
                "required": ["amount"],
                "properties": {
                    "status": {"$ref": "#/components/schemas/Status"},
                    "amount": {"type": "string"},
                    "contact": {"type": "string", "format": "email"},
                    "lines": {"type": "array", "items": {"type": "object", "properties": {"sku": {"type": "string"}}}}
                }}]}
        }}})
    }

    fn mismatches(value: Value) -> Vec<(String, Option<String>, String)> {
        let spec = spec();
        let schema = json!({"$ref": "#/components/schemas/Order"});
        let mut found: Vec<_> = check(&spec, &schema, None, &value, Options { extra_fields: true })
            .into_iter()
            .map(|m| (m.pointer.clone(), m.schema.clone(), m.to_string()))
            .collect();
        found.sort();
        found
    }

    #[test]
    fn each_disagreement_is_located_in_the_value_and_in_the_document() {
        let found = mismatches(json!({
            "status": "lost", "amount": null, "contact": "not an address",
            "lines": [{"sku": 7, "colour": "red"}], "tip": 1.5
        }));
        let schemas = "/components/schemas";
        assert_eq!(
            found,
            [
                (
                    "/amount".into(),
                    Some(format!("{schemas}/Order/allOf/1/properties/amount")),
                    "/amount: must not be null".into()
                ),
                (
                    "/contact".into(),
                    Some(format!("{schemas}/Order/allOf/1/properties/contact")),
                    "/contact: \"not an address\" is not a valid email".into()
                ),
                (
                    "/id".into(),
                    Some(format!("{schemas}/Base")),
                    "/id: required".into()
                ),
                (
                    "/lines/0/colour".into(),
                    Some(format!("{schemas}/Order/allOf/1/properties/lines/items")),
                    "/lines/0/colour: not in the spec (found \"red\")".into()
                ),
                (
                    "/lines/0/sku".into(),
                    Some(format!(
                        "{schemas}/Order/allOf/1/properties/lines/items/properties/sku"
                    )),
                    "/lines/0/sku: expected a string".into()
                ),
                (
                    "/status".into(),
                    Some(format!("{schemas}/Status")),
                    "/status: \"lost\" is not one of [\"pending\",\"done\"]".into()
                ),
                (
                    "/tip".into(),
                    Some(format!("{schemas}/Order")),
                    "/tip: not in the spec (found 1.5)".into()
                ),
            ]
        );
    }

    #[test]
    fn each_drift_has_the_overlay_that_makes_the_spec_agree() {
        let spec = spec();
        let schema = json!({"$ref": "#/components/schemas/Order"});
        let value = json!({"status": "lost", "amount": null, "tip": 2});
        let actions: Vec<Value> =
            check(&spec, &schema, None, &value, Options { extra_fields: true })
                .iter()
                .filter_map(|m| m.overlay_action(&spec))
                .collect();
        assert!(actions.contains(&json!({"target": "$['components']['schemas']['Status']", "update": {"enum": ["lost"]}})), "{actions:?}");
        assert!(actions.contains(&json!({"target": "$['components']['schemas']['Order']['allOf'][1]['properties']['amount']", "update": {"nullable": true}})), "{actions:?}");
        assert!(actions.contains(&json!({"target": "$['components']['schemas']['Base']['required'][?@ == 'id']", "remove": true})), "{actions:?}");
        assert!(actions.contains(&json!({"target": "$['components']['schemas']['Order']", "update": {"properties": {"tip": {"type": "integer"}}}})), "{actions:?}");
    }

    #[test]
    fn requests_are_not_faulted_for_fields_the_spec_does_not_list() {
        let spec = spec();
        let schema = json!({"$ref": "#/components/schemas/Order"});
        let value = json!({"id": "o", "amount": "1", "extra": true});
        assert!(check(&spec, &schema, None, &value, Options::default()).is_empty());
    }

    #[test]
    fn nullable_beside_a_ref_takes_null() {
        let spec = spec();
        let schema = json!({"type": "object", "properties": {
            "status": {"$ref": "#/components/schemas/Status", "nullable": true},
            "other": {"$ref": "#/components/schemas/Status"}
        }});
        let found = check(
            &spec,
            &schema,
            None,
            &json!({"status": null, "other": null}),
            Options::default(),
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].pointer, "/other");
    }

    #[test]
    fn an_enum_without_a_type_refuses_null() {
        let spec = json!({});
        let schema =
            json!({"type": "object", "properties": {"crypto": {"enum": ["USDC", "USDT"]}}});
        let found = check(
            &spec,
            &schema,
            None,
            &json!({"crypto": null}),
            Options::default(),
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].to_string(), "/crypto: must not be null");
    }

    #[test]
    fn addresses() {
        assert!(is_email("demo@westminister.example"));
        for bad in [
            "demo-westminister-email",
            "a@b",
            "@x.io",
            "a b@x.io",
            "a@x.io.",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }
}
