//! Lists served a page at a time the vendor's way, as vendor.yaml's `pagination:` recipe for
//! the operation says: page numbers, the last item's id, an opaque cursor (query or body), or
//! a link to the next page in the body. Without a recipe, the first page by `page_id` and
//! `page_size` as before. What the sandbox writes into a page (a cursor, a link, "has more")
//! is what the runtime reads back by the same recipe.

use std::collections::BTreeMap;

use payspec_runtime::profile::pagination::{PageStyle, Pagination};
use payspec_runtime::profile::pointer::set;
use serde_json::{Value, json};

/// The most records a page holds.
pub(crate) const LIST_LIMIT: usize = 100;

/// The sandbox's own query parameter for the position in the links it writes.
const LINK_PAGE: &str = "page";

/// The records of one page: where it starts and how many.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Window {
    pub skip: usize,
    pub take: usize,
}

/// What the request asks for.
pub(crate) struct Asked<'a> {
    pub query: &'a BTreeMap<String, String>,
    pub body: &'a Value,
    /// The path as received, for the links.
    pub path: &'a str,
}

/// The window a request asks for; `Err` names a position the sandbox did not hand out.
pub(crate) fn window(
    recipe: Option<&Pagination>,
    asked: &Asked<'_>,
    position: &dyn Fn(&str) -> Option<usize>,
) -> Result<Window, String> {
    let number = |name: &str| asked.query.get(name).and_then(|v| v.parse::<usize>().ok());
    let size_param = recipe
        .and_then(|r| r.size_param.as_deref())
        .unwrap_or("page_size");
    let default_size = recipe
        .and_then(|r| r.size)
        .map_or(LIST_LIMIT, |s| s as usize);
    let take = number(size_param)
        .unwrap_or(default_size)
        .clamp(1, LIST_LIMIT);
    let skip = match recipe.map(|r| &r.style) {
        None => (number("page_id").unwrap_or(1).max(1) - 1).saturating_mul(take),
        Some(PageStyle::Page { param, first }) => {
            let page = number(param).unwrap_or(*first as usize);
            page.saturating_sub(*first as usize).saturating_mul(take)
        }
        Some(PageStyle::LastId { param, .. }) => match asked.query.get(param) {
            None => 0,
            Some(after) => position(after)
                .map(|i| i + 1)
                .ok_or_else(|| format!("{param}: no record {after:?}"))?,
        },
        Some(PageStyle::Cursor { query, body, .. }) => {
            let given = match (query, body) {
                (Some(name), _) => asked.query.get(name).cloned(),
                (None, Some(at)) => asked
                    .body
                    .pointer(at)
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                (None, None) => None,
            };
            match given {
                None => 0,
                Some(cursor) => decode_cursor(&cursor)
                    .ok_or_else(|| format!("cursor {cursor:?} was not handed out"))?,
            }
        }
        Some(PageStyle::NextLink { .. }) => {
            (number(LINK_PAGE).unwrap_or(1).max(1) - 1).saturating_mul(take)
        }
    };
    Ok(Window { skip, take })
}

/// Writes into the page what the recipe reads to ask for the next one, when `more` records
/// follow the window.
pub(crate) fn annotate(
    recipe: Option<&Pagination>,
    payload: &mut Value,
    window: Window,
    more: bool,
    asked: &Asked<'_>,
) {
    let Some(recipe) = recipe else {
        return;
    };
    match &recipe.style {
        PageStyle::Page { .. } => {}
        PageStyle::LastId { has_more, .. } => {
            if let Some(at) = has_more {
                set(payload, at, Value::Bool(more));
            }
        }
        PageStyle::Cursor { from, .. } => {
            let next = if more {
                Value::String(encode_cursor(window.skip + window.take))
            } else {
                Value::Null
            };
            set(payload, from, next);
        }
        PageStyle::NextLink {
            body: Some(at),
            rel,
            ..
        } => {
            let links = if more {
                json!([{"rel": rel, "href": next_href(asked, window), "method": "GET"}])
            } else {
                json!([])
            };
            set(payload, at, links);
        }
        PageStyle::NextLink { body: None, .. } => {}
    }
}

/// The header that links a page to the next one (`Link: <…>; rel="next"`), for a recipe that
/// gives the link in a header, when `more` records follow the window.
pub(crate) fn link_header(
    recipe: Option<&Pagination>,
    window: Window,
    more: bool,
    asked: &Asked<'_>,
) -> Option<(String, String)> {
    match &recipe?.style {
        PageStyle::NextLink {
            header: Some(name),
            rel,
            ..
        } if more => {
            let value = format!("<{}>; rel=\"{rel}\"", next_href(asked, window));
            Some((name.clone(), value))
        }
        _ => None,
    }
}

/// The next page's address: the path asked, its query, and the page number after the window.
fn next_href(asked: &Asked<'_>, window: Window) -> String {
    let page = window.skip / window.take.max(1) + 2;
    let mut query: Vec<String> = asked
        .query
        .iter()
        .filter(|(k, _)| k.as_str() != LINK_PAGE)
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    query.push(format!("{LINK_PAGE}={page}"));
    format!("{}?{}", asked.path, query.join("&"))
}

/// The opaque cursor for a position (opaque to clients: they hand it back as it is).
fn encode_cursor(position: usize) -> String {
    format!("c{:x}", position ^ 0x5a5a)
}

fn decode_cursor(cursor: &str) -> Option<usize> {
    usize::from_str_radix(cursor.strip_prefix('c')?, 16)
        .ok()
        .map(|p| p ^ 0x5a5a)
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_strangers_are_refused() {
        for position in [0, 1, 99, 1000, 123_456] {
            assert_eq!(decode_cursor(&encode_cursor(position)), Some(position));
        }
        assert_eq!(decode_cursor("zz"), None);
        assert_eq!(decode_cursor("cxyz"), None);
    }

    #[test]
    fn pages_say_what_the_client_reads_back() {
        let recipe: Pagination = serde_json::from_value(json!({"operations": ["list"],
            "items": "/data", "last_id": {"param": "after", "has_more": "/meta/has_more"}}))
        .unwrap();
        let query = BTreeMap::new();
        let asked = Asked {
            query: &query,
            body: &Value::Null,
            path: "/v1/x",
        };
        let mut payload = json!({"data": []});
        annotate(
            Some(&recipe),
            &mut payload,
            Window { skip: 0, take: 10 },
            true,
            &asked,
        );
        assert_eq!(payload["meta"]["has_more"], true);
        let links: Pagination = serde_json::from_value(json!({"operations": ["list"],
            "items": "/items", "next_link": {"body": "/links"}}))
        .unwrap();
        let query = BTreeMap::from([("page_size".to_owned(), "5".to_owned())]);
        let asked = Asked {
            query: &query,
            body: &Value::Null,
            path: "/v1/x",
        };
        let mut payload = json!({});
        annotate(
            Some(&links),
            &mut payload,
            Window { skip: 5, take: 5 },
            true,
            &asked,
        );
        assert_eq!(payload["links"][0]["href"], "/v1/x?page_size=5&page=3");

        // The same link in a header, as a client reads it back; none after the last page.
        let in_header: Pagination = serde_json::from_value(json!({"operations": ["list"],
            "next_link": {"header": "Link"}}))
        .unwrap();
        let window = Window { skip: 5, take: 5 };
        let (name, value) = link_header(Some(&in_header), window, true, &asked).unwrap();
        assert_eq!(name, "Link");
        assert_eq!(value, "</v1/x?page_size=5&page=3>; rel=\"next\"");
        assert_eq!(
            payspec_profile::pagination::header_link(&value, "next").as_deref(),
            Some("/v1/x?page_size=5&page=3")
        );
        assert_eq!(link_header(Some(&in_header), window, false, &asked), None);
        assert_eq!(link_header(Some(&links), window, true, &asked), None);
    }
}
