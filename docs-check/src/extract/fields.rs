//! Field tables and lists, in the shapes documentation platforms render them:
//! - a name line then a type line, then `required` / `Yes` / `No` (Mintlify, GitBook): a
//!   trailing `*` on the name also means required;
//! - one line `nametype · qualifiersRequired` (GitBook's API reference);
//! - rows of a `KeyTypeDescription` table run together (`idstring(required) the id`);
//! - bullets `• name: description`, nested by indentation.
//!
//! Each field then takes the "Available options" / "Possible values" and "Pattern" lines
//! below it.

use super::{DocField, Facts, Place, sections};
use crate::page::Page;

const TYPE_WORDS: [&str; 6] = ["string", "integer", "number", "boolean", "object", "array"];

pub(super) fn extract(page: &Page, taken: &[bool], facts: &mut Facts) {
    let sections = sections(page);
    let lines = &page.lines;
    let mut table = false;
    let mut columns: Option<Columns> = None;
    let mut bullets: Vec<(usize, String)> = Vec::new();
    for i in 0..lines.len() {
        let Some(place) = sections[i].filter(|_| !taken[i]) else {
            continue;
        };
        let line = lines[i].trim();
        if line.is_empty() {
            table = false;
            continue;
        }
        if line.starts_with("KeyType") && !line.contains(' ') {
            table = true;
            continue;
        }
        if !line.starts_with('|') {
            columns = None;
        } else if let Some(header) = Columns::of(line).filter(|_| columns.is_none()) {
            columns = Some(header);
            continue;
        }
        let field = if let Some(columns) = &columns {
            columns.row(line, place)
        } else if table {
            joined(line, place)
        } else if let Some(field) = bullet(&lines[i], place, &mut bullets) {
            Some(field)
        } else {
            stacked(lines, i, place).or_else(|| joined_qualified(line, place))
        };
        if let Some(mut field) = field {
            field.line = page.line_number(i);
            annotate(&mut field, &lines[i + 1..]);
            facts.fields.push(field);
        }
    }
}

/// A field's type word as OpenAPI's type and format.
fn openapi_type(word: &str) -> Option<(String, Option<String>)> {
    let word = word.trim().to_ascii_lowercase();
    let (base, inner) = match word.split_once('<') {
        Some((base, inner)) => (
            base.to_owned(),
            Some(
                inner
                    .trim_end_matches('>')
                    .trim_end_matches("[]")
                    .to_owned(),
            ),
        ),
        None => (word.clone(), None),
    };
    let array = word.ends_with("[]");
    let base = base.trim_end_matches("[]");
    let (ty, format) = match base {
        "string" | "str" | "text" => ("string", inner),
        "uuid" => ("string", Some("uuid".into())),
        "date" => ("string", Some("date".into())),
        "date-time" | "datetime" => ("string", Some("date-time".into())),
        "integer" | "int" | "long" | "int32" | "int64" => (
            "integer",
            inner.or(
                (base.starts_with("int") && base != "integer" && base != "int")
                    .then(|| base.to_owned()),
            ),
        ),
        "number" | "decimal" | "double" | "float" => ("number", inner),
        "boolean" | "bool" => ("boolean", None),
        "object" | "map" => ("object", None),
        "array" | "list" => ("array", None),
        "enum" => (
            match inner.as_deref() {
                Some("integer") => "integer",
                Some("number") => "number",
                _ => "string",
            },
            None,
        ),
        "file" | "binary" => ("string", Some("binary".into())),
        _ => return None,
    };
    if array {
        return Some(("array".into(), None));
    }
    Some((ty.to_owned(), format))
}

/// Whether a line is a field's type (`string`, `integer<int64>`, `enum<string>`, `object[]`…).
pub(crate) fn is_type_line(line: &str) -> bool {
    openapi_type(line.trim()).is_some()
}

fn is_name(text: &str) -> bool {
    let text = text.trim_end_matches('*');
    !text.is_empty()
        && text.len() <= 64
        && text
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.[]".contains(c))
}

fn field(
    place: Place,
    name: &str,
    ty: Option<(String, Option<String>)>,
    required: Option<bool>,
) -> DocField {
    let (ty, format) = ty.map(|(t, f)| (Some(t), f)).unwrap_or((None, None));
    DocField {
        line: 0,
        place,
        name: name.to_owned(),
        ty,
        format,
        required,
        options: Vec::new(),
        pattern: None,
    }
}

/// A name line then a type line (then `required`, `Yes`, `No`, or a location word).
fn stacked(lines: &[String], i: usize, place: Place) -> Option<DocField> {
    // GitBook writes nested fields as `Body > Result`.
    let nested = lines[i].trim().replace(" > ", ".");
    let name = nested.as_str();
    let ty = openapi_type(lines.get(i + 1)?.trim())?;
    // A type word is a name (`Date`) unless it is the type line of the field above.
    let type_of_field_above = openapi_type(name).is_some() && i > 0 && is_name(lines[i - 1].trim());
    if !is_name(name) || type_of_field_above {
        return None;
    }
    let mut required = name.ends_with('*').then_some(true);
    let mut place = place;
    for next in lines[i + 2..]
        .iter()
        .take(2)
        .map(|l| l.trim().to_ascii_lowercase())
    {
        match next.as_str() {
            "required" | "yes" | "zorunlu" => required = Some(true),
            "optional" | "no" => required = required.or(Some(false)),
            "header" => place = Place::Header,
            "query" => place = Place::Query,
            "path" => place = Place::Path,
            _ => break,
        }
    }
    Some(field(place, name.trim_end_matches('*'), Some(ty), required))
}

/// `cashout_idnumber · int64Required`: name, type and qualifiers on one line.
fn joined_qualified(line: &str, place: Place) -> Option<DocField> {
    let (rest, required) = match (line.strip_suffix("Required"), line.strip_suffix("Optional")) {
        (Some(rest), _) => (rest, true),
        (_, Some(rest)) => (rest, false),
        _ => return None,
    };
    let (name, ty, qualifiers) = split_name_type(rest)?;
    let qualifiers: Vec<&str> = qualifiers
        .split('·')
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .collect();
    let format = qualifiers
        .iter()
        .find(|q| {
            matches!(
                **q,
                "int32" | "int64" | "uuid" | "date" | "date-time" | "float" | "double" | "binary"
            )
        })
        .map(|q| (*q).to_owned());
    let mut found = field(place, name, openapi_type(ty), Some(required));
    if format.is_some() {
        found.format = format;
    }
    Some(found)
}

/// The columns of a markdown table of fields (`| Key | Type | Description |`).
struct Columns {
    name: usize,
    ty: usize,
    required: Option<usize>,
    description: Option<usize>,
}

impl Columns {
    fn of(header: &str) -> Option<Columns> {
        let cells: Vec<String> = cells(header).map(str::to_ascii_lowercase).collect();
        let find = |names: &[&str]| cells.iter().position(|c| names.contains(&c.as_str()));
        Some(Columns {
            name: find(&["key", "name", "field", "parameter", "parameter name"])?,
            ty: find(&["type", "data type"])?,
            required: find(&["required", "mandatory"]),
            description: find(&["description"]),
        })
    }

    /// A row; the separator row (`|---|`) is none.
    fn row(&self, line: &str, place: Place) -> Option<DocField> {
        let cells: Vec<&str> = cells(line).collect();
        let name = cells.get(self.name)?.trim_matches('`');
        if !is_name(name) {
            return None;
        }
        let said = |column: Option<usize>| {
            column
                .and_then(|c| cells.get(c))
                .map(|c| c.to_ascii_lowercase())
        };
        let required = match said(self.required) {
            Some(cell) => Some(matches!(cell.as_str(), "yes" | "true" | "required" | "y")),
            None => said(self.description).map(|d| d.contains("(required)")),
        };
        Some(field(
            place,
            name.trim_end_matches('*'),
            openapi_type(cells.get(self.ty)?),
            required,
        ))
    }
}

fn cells(line: &str) -> impl Iterator<Item = &str> {
    line.trim()
        .trim_start_matches('|')
        .trim_end_matches('|')
        .split('|')
        .map(str::trim)
}

/// A row of a `KeyTypeDescription` table: `idstring(required) the id of the payment`.
fn joined(line: &str, place: Place) -> Option<DocField> {
    let (name, ty, rest) = split_name_type(line)?;
    Some(field(
        place,
        name,
        openapi_type(ty),
        Some(rest.contains("(required)")),
    ))
}

/// Splits `nametype rest` at the first type word that follows a name.
fn split_name_type(line: &str) -> Option<(&str, &str, &str)> {
    TYPE_WORDS
        .iter()
        .filter_map(|word| {
            let at = line.find(word)?;
            let name = &line[..at];
            is_name(name).then(|| {
                (
                    at,
                    (name, &line[at..at + word.len()], &line[at + word.len()..]),
                )
            })
        })
        .min_by_key(|(at, _)| *at)
        .map(|(_, split)| split)
}

/// `• name: description` (response lists), nested by indentation: `payment.id`.
fn bullet(raw: &str, place: Place, stack: &mut Vec<(usize, String)>) -> Option<DocField> {
    let indent = raw.len() - raw.trim_start().len();
    let text = raw.trim_start().strip_prefix('•')?.trim();
    let name = text.split(':').next().unwrap_or_default().trim();
    if !is_name(name) {
        return None;
    }
    while stack.last().is_some_and(|(depth, _)| *depth >= indent) {
        stack.pop();
    }
    let mut path: Vec<&str> = stack.iter().map(|(_, n)| n.as_str()).collect();
    path.push(name);
    let full = path.join(".");
    if !text.contains(':') {
        stack.push((indent, name.to_owned()));
    }
    Some(field(place, &full, None, None))
}

/// The options, pattern and format stated below a field, up to the next field.
fn annotate(field: &mut DocField, below: &[String]) {
    let mut lines = below.iter().map(|l| l.trim()).take(40).peekable();
    while let Some(line) = lines.next() {
        if super::heading(line).is_some()
            || lines
                .peek()
                .is_some_and(|next| openapi_type(next).is_some() && is_name(line))
        {
            break;
        }
        if let Some(pattern) = line.strip_prefix("Pattern:") {
            field.pattern = Some(pattern.trim().to_owned());
        }
        let options = ["Available options:", "Possible values:", "Enum:"]
            .iter()
            .find_map(|label| {
                line.find(label)
                    .map(|at| line[at + label.len()..].trim().to_owned())
            });
        if let Some(inline) = options {
            let mut values: Vec<String> = split_values(&inline);
            while values.is_empty() || inline.is_empty() || inline.ends_with(',') {
                let Some(next) = lines.next_if(|l| is_value(l)) else {
                    break;
                };
                values.extend(split_values(next));
                if !next.ends_with(',') {
                    break;
                }
            }
            field.options = values;
        }
    }
}

fn is_value(line: &str) -> bool {
    // The next field (`Payload-SignaturestringRequired`) or section (`Responses`) is not a value.
    let next_thing = line.ends_with("Required")
        || line.ends_with("Optional")
        || super::heading(line).is_some()
        || matches!(line, "Responses" | "chevron-right");
    !line.is_empty()
        && !next_thing
        && line.split(',').all(|v| {
            let v = v.trim().trim_matches('`');
            v.is_empty() || (!v.contains(' ') && v.len() < 64)
        })
}

fn split_values(text: &str) -> Vec<String> {
    text.split(',')
        .map(|v| v.trim().trim_matches('`').trim_matches('"').to_owned())
        .filter(|v| !v.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(text: &str) -> Vec<DocField> {
        let page = Page::from_text("p", text);
        let mut facts = Facts::default();
        extract(&page, &vec![false; page.lines.len()], &mut facts);
        facts.fields
    }

    #[test]
    fn mintlify_fields_with_options_and_patterns() {
        let found = fields(
            "Body\n\napplication/json\nnew_pin\nstring\nrequired\n\nNew PIN.\n\nPattern: ^[0-9]{6}$\nExample:\n\n\"654321\"\n\ncountry\nenum<string>\nrequired\n\nAvailable options:\nMX,\nPE\nResponse\n\nid\nstring<uuid>\n",
        );
        assert_eq!(found.len(), 3, "{found:?}");
        assert_eq!(
            (
                found[0].name.as_str(),
                found[0].required,
                found[0].pattern.as_deref()
            ),
            ("new_pin", Some(true), Some("^[0-9]{6}$"))
        );
        assert_eq!(found[1].options, ["MX", "PE"]);
        assert_eq!(
            (found[2].place, found[2].format.as_deref()),
            (Place::Response, Some("uuid"))
        );
    }

    #[test]
    fn gitbook_tables_and_lists() {
        let found = fields(
            "Body\nloginstring · max: 32Required\ncashout_idnumber · int64Required\nrejection_codeinteger · nullableOptional\nDate\ndate\nYes\nThe date.\nlogin*\nstring\nYour key",
        );
        let names: Vec<(&str, Option<&str>, Option<bool>)> = found
            .iter()
            .map(|f| (f.name.as_str(), f.ty.as_deref(), f.required))
            .collect();
        assert_eq!(
            names,
            [
                ("login", Some("string"), Some(true)),
                ("cashout_id", Some("number"), Some(true)),
                ("rejection_code", Some("integer"), Some(false)),
                ("Date", Some("string"), Some(true)),
                ("login", Some("string"), Some(true)),
            ]
        );
        assert_eq!(found[1].format.as_deref(), Some("int64"));
        let markdown = fields(
            "Request Body\n| Key | Type | Description |\n|---|---|---|\n| id | string | (required) the id |\n| note | string | free text |\nResponse\nBody > Result\nbool\nWhether.",
        );
        let names: Vec<(&str, Option<bool>, Place)> = markdown
            .iter()
            .map(|f| (f.name.as_str(), f.required, f.place))
            .collect();
        assert_eq!(
            names,
            [
                ("id", Some(true), Place::Body),
                ("note", Some(false), Place::Body),
                ("Body.Result", None, Place::Response)
            ]
        );
        let table = fields(
            "Request Body\n\nKeyTypeDescription\nidstring(required) the id of the payment\n\nResponse Parameters\n  • payment\n    • id: the id\n    • seq_num: the number",
        );
        let names: Vec<&str> = table.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["id", "payment", "payment.id", "payment.seq_num"]);
        assert_eq!(table[0].required, Some(true));
    }
}
