//! The one template language of vendor.yaml, used by the unified cancel (`{{id}}`,
//! `{{id|number}}`) and the demo flow (`{{created/cashout_id|number}}`): a slot names a value,
//! optionally a JSON pointer into it, and optionally the `number` filter. A string that is one
//! slot and nothing else takes the value's own JSON type; slots inside text are written as text.

use std::fmt;

use serde_json::Value;

/// A parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Slot(Slot),
}

/// One `{{…}}` of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    /// The value's name (`id`, or a demo step's name).
    pub name: String,
    /// A JSON pointer into that value (`/cashout_id`), empty for the value itself.
    pub pointer: String,
    /// How the value is converted.
    pub filter: Filter,
}

/// A conversion applied to a slot's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    /// The value as it is.
    None,
    /// A number: a string of digits becomes an integer.
    Number,
}

/// A template that cannot be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// `{{` without `}}`.
    #[error("unterminated `{{{{` in {0:?}")]
    Unterminated(String),
    /// `{{}}` or `{{|number}}`.
    #[error("an empty slot `{{{{}}}}` in {0:?}")]
    Empty(String),
    /// A filter other than `number`.
    #[error("unknown filter {filter:?} in {text:?} (known: number)")]
    UnknownFilter {
        /// The filter.
        filter: String,
        /// The template.
        text: String,
    },
}

/// A template that cannot be filled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    /// No value for a slot.
    #[error("no value for {0}")]
    Missing(Slot),
    /// `|number` of something that is not a number.
    #[error("{slot}: {value:?} is not a number")]
    NotANumber {
        /// The slot.
        slot: Slot,
        /// The value found.
        value: String,
    },
}

impl fmt::Display for Slot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{{{{{}{}", self.name, self.pointer)?;
        if self.filter == Filter::Number {
            f.write_str("|number")?;
        }
        f.write_str("}}")
    }
}

impl Template {
    /// Parses `text`.
    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find("{{") {
            if start > 0 {
                parts.push(Part::Text(rest[..start].to_owned()));
            }
            let inner_start = start + 2;
            let end = rest[inner_start..]
                .find("}}")
                .ok_or_else(|| TemplateError::Unterminated(text.to_owned()))?;
            parts.push(Part::Slot(parse_slot(
                &rest[inner_start..inner_start + end],
                text,
            )?));
            rest = &rest[inner_start + end + 2..];
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_owned()));
        }
        Ok(Self { parts })
    }

    /// The slots, in order.
    pub fn slots(&self) -> impl Iterator<Item = &Slot> {
        self.parts.iter().filter_map(|part| match part {
            Part::Slot(slot) => Some(slot),
            Part::Text(_) => None,
        })
    }

    /// Fills the slots; `lookup` gives a slot's name's value (the pointer and filter are
    /// applied here).
    pub fn render(&self, lookup: &dyn Fn(&str) -> Option<Value>) -> Result<Value, RenderError> {
        if let [Part::Slot(slot)] = self.parts.as_slice() {
            return fill_slot(slot, lookup);
        }
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::Slot(slot) => match fill_slot(slot, lookup)? {
                    Value::String(text) => out.push_str(&text),
                    other => out.push_str(&other.to_string()),
                },
            }
        }
        Ok(Value::String(out))
    }
}

fn parse_slot(inner: &str, text: &str) -> Result<Slot, TemplateError> {
    let (reference, filter) = match inner.split_once('|') {
        None => (inner, Filter::None),
        Some((reference, "number")) => (reference, Filter::Number),
        Some((_, other)) => {
            return Err(TemplateError::UnknownFilter {
                filter: other.to_owned(),
                text: text.to_owned(),
            });
        }
    };
    let reference = reference.trim();
    let (name, pointer) = match reference.split_once('/') {
        Some((name, pointer)) => (name, format!("/{pointer}")),
        None => (reference, String::new()),
    };
    if name.is_empty() {
        return Err(TemplateError::Empty(text.to_owned()));
    }
    Ok(Slot {
        name: name.to_owned(),
        pointer,
        filter,
    })
}

fn fill_slot(slot: &Slot, lookup: &dyn Fn(&str) -> Option<Value>) -> Result<Value, RenderError> {
    let value = lookup(&slot.name)
        .and_then(|value| value.pointer(&slot.pointer).cloned())
        .filter(|value| !value.is_null())
        .ok_or_else(|| RenderError::Missing(slot.clone()))?;
    match (slot.filter, value) {
        (Filter::Number, Value::String(text)) => text
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| RenderError::NotANumber {
                slot: slot.clone(),
                value: text,
            }),
        (Filter::Number, Value::Number(n)) => Ok(Value::Number(n)),
        (Filter::Number, other) => Err(RenderError::NotANumber {
            slot: slot.clone(),
            value: other.to_string(),
        }),
        (Filter::None, value) => Ok(value),
    }
}

/// Fills every string of a JSON value as a template (objects and arrays walked).
pub fn render_value(
    value: &Value,
    lookup: &dyn Fn(&str) -> Option<Value>,
) -> Result<Value, RenderError> {
    match value {
        Value::String(text) => match Template::parse(text) {
            Ok(template) => template.render(lookup),
            // Checked when vendor.yaml was read; an unparsable string is taken as text.
            Err(_) => Ok(value.clone()),
        },
        Value::Array(items) => items
            .iter()
            .map(|item| render_value(item, lookup))
            .collect::<Result<_, _>>()
            .map(Value::Array),
        Value::Object(map) => map
            .iter()
            .map(|(key, item)| render_value(item, lookup).map(|item| (key.clone(), item)))
            .collect::<Result<_, _>>()
            .map(Value::Object),
        other => Ok(other.clone()),
    }
}

/// Every template in a JSON value with its pointer (relative to the value), parsed.
pub fn templates_in(value: &Value) -> Vec<(String, Result<Template, TemplateError>)> {
    let mut out = Vec::new();
    collect(value, String::new(), &mut out);
    out
}

fn collect(value: &Value, at: String, out: &mut Vec<(String, Result<Template, TemplateError>)>) {
    match value {
        Value::String(text) if text.contains("{{") || text.contains("}}") => {
            out.push((at, Template::parse(text)))
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                collect(item, format!("{at}/{i}"), out);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                collect(item, format!("{at}/{}", crate::pointer::escape(key)), out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn values(name: &str) -> Option<Value> {
        match name {
            "id" => Some(json!("11954")),
            "created" => Some(json!({"cashout_id": "11954", "id": "abc"})),
            _ => None,
        }
    }

    #[test]
    fn a_lone_slot_keeps_its_type_and_text_slots_are_written_in() {
        let render = |text: &str| Template::parse(text).unwrap().render(&values);
        assert_eq!(render("{{id|number}}").unwrap(), json!(11954));
        assert_eq!(render("{{id}}").unwrap(), json!("11954"));
        assert_eq!(
            render("{{created/cashout_id|number}}").unwrap(),
            json!(11954)
        );
        assert_eq!(render("x-{{created/id}}-y").unwrap(), json!("x-abc-y"));
        assert_eq!(render("plain").unwrap(), json!("plain"));
        assert!(matches!(
            render("{{missing}}"),
            Err(RenderError::Missing(_))
        ));
        assert!(matches!(
            render("{{created/id|number}}"),
            Err(RenderError::NotANumber { .. })
        ));
        assert_eq!(
            render_value(&json!({"n": "{{id|number}}", "k": [1, "{{id}}"]}), &values).unwrap(),
            json!({"n": 11954, "k": [1, "11954"]})
        );
    }

    #[test]
    fn malformed_templates_are_errors() {
        assert!(matches!(
            Template::parse("{{id"),
            Err(TemplateError::Unterminated(_))
        ));
        assert!(matches!(
            Template::parse("{{id|numbr}}"),
            Err(TemplateError::UnknownFilter { .. })
        ));
        assert!(matches!(
            Template::parse("{{}}"),
            Err(TemplateError::Empty(_))
        ));
        let found = templates_in(&json!({"a": {"b": "{{x"}, "c": "{{y}}"}));
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].0, "/a/b");
        assert!(found[0].1.is_err() && found[1].1.is_ok());
    }
}
