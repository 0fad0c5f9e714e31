//! What a page states about the API, in whatever form it carries it: OpenAPI blocks, the
//! operation it documents (a `METHOD /path` heading, split or whole, or a `curl` line), JSON
//! examples of request and response bodies (fenced or bare, JSON5-ish comments tolerated),
//! and field tables and lists (name, type, required, "Available options"). Each fact keeps its
//! line.

mod blocks;
mod fields;
mod operations;

use serde_json::Value;

use crate::page::Page;

/// Where on the wire a fact belongs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Place {
    /// A path parameter.
    Path,
    /// A query parameter.
    Query,
    /// A request header.
    Header,
    /// The request body.
    Body,
    /// The (successful) response body.
    Response,
}

/// An OpenAPI document or fragment found in a fenced block.
#[derive(Debug, Clone)]
pub struct Block {
    /// The page line where the block starts.
    pub line: usize,
    /// The document.
    pub value: Value,
}

/// The operation a page documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocOperation {
    /// Where it is stated.
    pub line: usize,
    /// The HTTP method, upper case.
    pub method: String,
    /// The path (a template, `{id}`), as the page writes it after its host or base placeholder.
    pub path: String,
    /// The full URL, when the page gives one (a server to check).
    pub url: Option<String>,
}

/// A JSON example.
#[derive(Debug, Clone)]
pub struct Example {
    /// Where it starts.
    pub line: usize,
    /// What it is an example of.
    pub place: Place,
    /// The value.
    pub value: Value,
}

/// A field of a table or list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocField {
    /// Where it is stated.
    pub line: usize,
    /// Where it goes.
    pub place: Place,
    /// Its name (a dotted path for nested fields of lists).
    pub name: String,
    /// Its OpenAPI type (`string`, `integer`, `number`, `boolean`, `object`, `array`), when given.
    pub ty: Option<String>,
    /// Its format (`uuid`, `date`, `int64`…), when given.
    pub format: Option<String>,
    /// Whether it is required, when the page says.
    pub required: Option<bool>,
    /// The values it may take ("Available options").
    pub options: Vec<String>,
    /// Its pattern, when given.
    pub pattern: Option<String>,
}

/// What a page states.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// OpenAPI blocks.
    pub blocks: Vec<Block>,
    /// Operations documented.
    pub operations: Vec<DocOperation>,
    /// JSON examples.
    pub examples: Vec<Example>,
    /// Fields of tables and lists.
    pub fields: Vec<DocField>,
    /// Headers the page's requests send (curl `--header`), by name, with their line.
    pub headers: Vec<(usize, String)>,
    /// Lines of fenced blocks with no closing fence (a page cut off): not read.
    pub cut_off: Vec<usize>,
}

/// Everything a page states.
pub fn extract(page: &Page) -> Facts {
    let mut facts = Facts::default();
    let taken = blocks::extract(page, &mut facts);
    operations::extract(page, &taken, &mut facts);
    fields::extract(page, &taken, &mut facts);
    facts
}

/// The section a heading line opens, if it is one.
pub(crate) fn heading(line: &str) -> Option<Place> {
    let text = line
        .trim()
        .trim_start_matches('#')
        .trim()
        .trim_end_matches(':')
        .to_ascii_lowercase();
    let place = match text.as_str() {
        "path parameters" | "path params" => Place::Path,
        "query parameters" | "query params" => Place::Query,
        "headers" | "header parameters" | "header" | "authorizations" | "authorization" => {
            Place::Header
        }
        "body" | "request body" | "request" | "request parameters" | "body parameters"
        | "parameters" | "request example" | "example request" | "sample request" => Place::Body,
        "response"
        | "responses"
        | "response parameters"
        | "response body"
        | "response from the service"
        | "example response"
        | "response example"
        | "sample response" => Place::Response,
        _ if text.starts_with("200 - ") || text.starts_with("201 - ") => Place::Response,
        // Paywall's GitBook: "Parameters Returned from the Service", "Example JSON Returned from
        // the Service", "The parameters that must be sent to the service are as follows".
        _ if text.contains("returned from the service") => Place::Response,
        _ if text.contains("sent to the service") => Place::Body,
        _ => return None,
    };
    Some(place)
}

/// Whether the next line with text after `index` is a type (`string`, `number`): the line at
/// `index` names a field of a table. Rendered tables put a blank line between cells.
pub(crate) fn typed_next(lines: &[String], index: usize) -> bool {
    lines[index + 1..]
        .iter()
        .find(|next| !next.trim().is_empty())
        .is_some_and(|next| fields::is_type_line(next))
}

/// The section each line is in (`None` before any heading). A heading word followed by a
/// type line is a field of that name (Paywall's envelope has a field `Body`), not a heading.
pub(crate) fn sections(page: &Page) -> Vec<Option<Place>> {
    let mut current = None;
    let lines = &page.lines;
    (0..lines.len())
        .map(|i| {
            let field_named_so = typed_next(lines, i);
            if let Some(place) = heading(&lines[i]).filter(|_| !field_named_so) {
                current = Some(place);
            }
            current
        })
        .collect()
}
