//! Pagination recipes: how a vendor's list operations hand out their items a page at a time,
//! and how the request for the next page is made from the page just read. Four styles cover
//! the payment vendors: the last item's id (Stripe's `starting_after` + `has_more`), an opaque
//! cursor in the query or the body (Square), a link to the next page in the body or in a
//! `Link` header (PayPal's `links` with `rel: next`), and page numbers (CoinPool's `page_id`).
//! This module is pure: the runtime sends, the sandbox serves, both by these rules.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::validate::Problem;

/// One recipe of vendor.yaml's `pagination:` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pagination {
    /// The operations it applies to: operationIds, `*` standing for any characters
    /// (`list_*`). An operation is paged only when it also has the recipe's request parameter
    /// and a list where `items` says.
    pub operations: Vec<String>,
    /// Where a page's items are in the response payload, as a JSON pointer (`/data`; empty:
    /// the payload is the list).
    #[serde(default)]
    pub items: String,
    /// The query parameter that asks for a page size (`limit`, `page_size`), when there is
    /// one: with page numbers, a page shorter than the size asked for is the last; the
    /// sandbox answers pages of that size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_param: Option<String>,
    /// The page size the vendor uses when none is asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// How the next page is asked for.
    #[serde(flatten)]
    pub style: PageStyle,
}

/// How the next page is asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PageStyle {
    /// The last item's id as a query parameter (Stripe's `starting_after`), while the page
    /// says there are more.
    LastId {
        /// The query parameter, e.g. `starting_after`.
        param: String,
        /// The id in an item, as a JSON pointer.
        #[serde(default = "default_id")]
        id: String,
        /// The page's "there are more" flag, as a JSON pointer (`/has_more`); without it, the
        /// list ends at an empty page.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        has_more: Option<String>,
    },
    /// An opaque cursor from the page, sent in the query or in the JSON body; the list ends
    /// when a page has none.
    Cursor {
        /// The query parameter that takes it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        query: Option<String>,
        /// The body field that takes it, as a JSON pointer.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        body: Option<String>,
        /// Where the page gives the next cursor, as a JSON pointer.
        from: String,
    },
    /// A link to the next page: a URL in the body (a string, or the `href` of the member of
    /// a list of links whose `rel` is `rel`), or the `rel="next"` of a `Link` header. Only a
    /// link to the same origin is followed.
    NextLink {
        /// Where the link is in the page, as a JSON pointer.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        body: Option<String>,
        /// The relation of the link to follow in a list of links.
        #[serde(default = "default_rel")]
        rel: String,
        /// The header that carries RFC 8288 links (`Link`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        header: Option<String>,
    },
    /// Page numbers in the query.
    Page {
        /// The page number's parameter, e.g. `page`.
        param: String,
        /// The number of the first page.
        #[serde(default = "default_first")]
        first: u64,
    },
}

fn default_id() -> String {
    "/id".into()
}

fn default_rel() -> String {
    "next".into()
}

fn default_first() -> u64 {
    1
}

/// The request for the next page, as a change to the last request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// The list is over.
    Done,
    /// Set this query parameter (replacing any value it had).
    Query(String, String),
    /// Set this field of the JSON body (a JSON pointer).
    Body(String, Value),
    /// Send to this URL (absolute, or relative to the last request's).
    Url(String),
}

/// What the next page is made from.
#[derive(Debug, Clone, Copy)]
pub struct PageView<'a> {
    /// The page's payload (its items may have been taken out).
    pub payload: &'a Value,
    /// The page's items, as received.
    pub items: &'a [Value],
    /// The `Link`-style header named by the recipe, if the answer had it.
    pub link_header: Option<&'a str>,
    /// How many pages have been read, this one included.
    pub pages_read: u64,
    /// The page size the request asked for, when it names one.
    pub size_asked: Option<u64>,
}

impl Pagination {
    /// Whether the recipe names this operation.
    pub fn names(&self, operation_id: &str) -> bool {
        self.operations.iter().any(|p| wildcard(p, operation_id))
    }

    /// The request parameter that carries the position: `(location, name or pointer)`, with
    /// location `query` or `body`; `None` for links.
    pub fn position_param(&self) -> Option<(&'static str, &str)> {
        match &self.style {
            PageStyle::LastId { param, .. } | PageStyle::Page { param, .. } => {
                Some(("query", param))
            }
            PageStyle::Cursor { query: Some(q), .. } => Some(("query", q)),
            PageStyle::Cursor { body: Some(b), .. } => Some(("body", b)),
            PageStyle::Cursor { .. } | PageStyle::NextLink { .. } => None,
        }
    }

    /// The change to the last request that asks for the next page.
    pub fn next(&self, page: PageView<'_>) -> Result<Next, String> {
        match &self.style {
            PageStyle::LastId {
                param,
                id,
                has_more,
            } => {
                let more = match has_more {
                    Some(at) => page.payload.pointer(at) == Some(&Value::Bool(true)),
                    None => true,
                };
                let Some(last) = page.items.last().filter(|_| more) else {
                    return Ok(Next::Done);
                };
                let id = last
                    .pointer(id)
                    .and_then(scalar_text)
                    .ok_or_else(|| format!("the last item has no id at {id}"))?;
                Ok(Next::Query(param.clone(), id))
            }
            PageStyle::Cursor { query, body, from } => {
                let Some(cursor) = page.payload.pointer(from).and_then(scalar_text) else {
                    return Ok(Next::Done);
                };
                if cursor.is_empty() {
                    return Ok(Next::Done);
                }
                match (query, body) {
                    (Some(name), _) => Ok(Next::Query(name.clone(), cursor)),
                    (None, Some(at)) => Ok(Next::Body(at.clone(), Value::String(cursor))),
                    (None, None) => Err("the cursor recipe names no parameter".into()),
                }
            }
            PageStyle::NextLink { body, rel, header } => {
                let from_body = body
                    .as_deref()
                    .and_then(|at| body_link(page.payload.pointer(at)?, rel));
                let from_header = header
                    .as_ref()
                    .and(page.link_header)
                    .and_then(|h| header_link(h, rel));
                Ok(from_body.or(from_header).map_or(Next::Done, Next::Url))
            }
            PageStyle::Page { param, first } => {
                let size = page.size_asked.or(self.size);
                let short = size.is_some_and(|s| (page.items.len() as u64) < s);
                if page.items.is_empty() || short {
                    return Ok(Next::Done);
                }
                Ok(Next::Query(
                    param.clone(),
                    (first + page.pages_read).to_string(),
                ))
            }
        }
    }

    pub(crate) fn problems(&self, at: &str, problems: &mut Vec<Problem>) {
        if self.operations.is_empty() {
            problems.push(Problem::new(
                format!("{at}/operations"),
                "names no operation",
            ));
        }
        let pointer = |problems: &mut Vec<Problem>, field: &str, value: &str| {
            if !value.is_empty() && !value.starts_with('/') {
                problems.push(Problem::new(
                    format!("{at}/{field}"),
                    format!("{value:?} is not a JSON pointer (e.g. /data)"),
                ));
            }
        };
        pointer(problems, "items", &self.items);
        match &self.style {
            PageStyle::Cursor { query, body, from } => {
                pointer(problems, "cursor/from", from);
                if query.is_some() == body.is_some() {
                    problems.push(Problem::new(
                        format!("{at}/cursor"),
                        "give the cursor's parameter as exactly one of `query` or `body`",
                    ));
                }
            }
            PageStyle::NextLink {
                body: None,
                header: None,
                ..
            } => problems.push(Problem::new(
                format!("{at}/next_link"),
                "give where the link is: `body` (a JSON pointer), `header` (e.g. Link), or both",
            )),
            PageStyle::LastId { id, has_more, .. } => {
                pointer(problems, "last_id/id", id);
                if let Some(flag) = has_more {
                    pointer(problems, "last_id/has_more", flag);
                }
            }
            _ => {}
        }
    }
}

/// `*` matches any run of characters; everything else itself.
fn wildcard(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let mut parts: Vec<&str> = parts.collect();
    let Some(last) = parts.pop() else {
        return rest.is_empty();
    };
    for part in parts {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    rest.ends_with(last)
}

/// A string, number or boolean as text; `None` for anything else.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A link in a page: a URL string, or the `href` of the link whose `rel` is `rel`.
fn body_link(value: &Value, rel: &str) -> Option<String> {
    match value {
        Value::String(url) if !url.is_empty() => Some(url.clone()),
        Value::Array(links) => links
            .iter()
            .find(|l| l.get("rel").and_then(Value::as_str) == Some(rel))
            .and_then(|l| l.get("href"))
            .and_then(Value::as_str)
            .map(str::to_owned),
        Value::Object(link) => link.get("href").and_then(Value::as_str).map(str::to_owned),
        _ => None,
    }
}

/// The URL of the link with relation `rel` in an RFC 8288 `Link` header
/// (`<https://…?page=2>; rel="next", <…>; rel="last"`).
pub fn header_link(header: &str, rel: &str) -> Option<String> {
    let mut rest = header;
    while let Some(open) = rest.find('<') {
        let close = open + rest[open..].find('>')?;
        let url = &rest[open + 1..close];
        // A link's parameters run to the comma that separates it from the next link.
        let params_end = rest[close..].find(',').map_or(rest.len(), |i| close + i);
        let params = &rest[close + 1..params_end];
        let names_rel = params.split(';').any(|param| {
            let Some((key, value)) = param.split_once('=') else {
                return false;
            };
            key.trim().eq_ignore_ascii_case("rel")
                && value
                    .trim()
                    .trim_matches('"')
                    .split_ascii_whitespace()
                    .any(|r| r.eq_ignore_ascii_case(rel))
        });
        if names_rel {
            return Some(url.to_owned());
        }
        rest = &rest[params_end..];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn recipe(yaml: Value) -> Pagination {
        serde_json::from_value(yaml).unwrap()
    }

    fn view<'a>(payload: &'a Value, items: &'a [Value], pages_read: u64) -> PageView<'a> {
        PageView {
            payload,
            items,
            link_header: None,
            pages_read,
            size_asked: None,
        }
    }

    #[test]
    fn last_id_follows_the_last_item_while_there_are_more() {
        let stripe = recipe(json!({"operations": ["get_*"], "items": "/data",
            "last_id": {"param": "starting_after", "has_more": "/has_more"}}));
        let items = [json!({"id": "cus_1"}), json!({"id": "cus_2"})];
        let more = json!({"has_more": true});
        assert_eq!(
            stripe.next(view(&more, &items, 1)),
            Ok(Next::Query("starting_after".into(), "cus_2".into()))
        );
        let over = json!({"has_more": false});
        assert_eq!(stripe.next(view(&over, &items, 1)), Ok(Next::Done));
        let no_id = [json!({"name": "x"})];
        assert!(
            stripe
                .next(view(&more, &no_id, 1))
                .unwrap_err()
                .contains("/id")
        );
        assert!(stripe.names("get_customers") && !stripe.names("post_customers"));
    }

    #[test]
    fn cursors_go_in_the_query_or_the_body_until_there_is_none() {
        let square = recipe(json!({"operations": ["list_*"], "items": "/payments",
            "cursor": {"query": "cursor", "from": "/cursor"}}));
        let page = json!({"cursor": "abc"});
        assert_eq!(
            square.next(view(&page, &[], 1)),
            Ok(Next::Query("cursor".into(), "abc".into()))
        );
        for last in [json!({}), json!({"cursor": ""}), json!({"cursor": null})] {
            assert_eq!(square.next(view(&last, &[], 1)), Ok(Next::Done), "{last}");
        }
        let search = recipe(json!({"operations": ["search_*"], "items": "/orders",
            "cursor": {"body": "/cursor", "from": "/cursor"}}));
        assert_eq!(
            search.next(view(&page, &[], 1)),
            Ok(Next::Body("/cursor".into(), json!("abc")))
        );
    }

    #[test]
    fn next_links_come_from_the_body_or_the_link_header() {
        let paypal = recipe(json!({"operations": ["*_list"], "items": "/items",
            "next_link": {"body": "/links"}}));
        let page = json!({"links": [{"rel": "self", "href": "/a?page=1"}, {"rel": "next", "href": "/a?page=2"}]});
        assert_eq!(
            paypal.next(view(&page, &[], 1)),
            Ok(Next::Url("/a?page=2".into()))
        );
        assert_eq!(
            paypal.next(view(&json!({"links": []}), &[], 1)),
            Ok(Next::Done)
        );
        let github = recipe(json!({"operations": ["*"], "next_link": {"header": "Link"}}));
        let header = r#"<https://api.x.example/items?page=3>; rel="next", <https://api.x.example/items?page=9>; rel="last""#;
        let with_header = PageView {
            link_header: Some(header),
            ..view(&Value::Null, &[], 2)
        };
        assert_eq!(
            github.next(with_header),
            Ok(Next::Url("https://api.x.example/items?page=3".into()))
        );
        assert_eq!(
            header_link(header, "last").as_deref(),
            Some("https://api.x.example/items?page=9")
        );
        assert_eq!(header_link("garbage <", "next"), None);
        assert_eq!(
            header_link(r#"<a>; rel="prev next""#, "next").as_deref(),
            Some("a")
        );
    }

    #[test]
    fn page_numbers_stop_at_a_short_or_empty_page() {
        let coinpool = recipe(
            json!({"operations": ["list_orders"], "size_param": "page_size",
            "page": {"param": "page_id"}}),
        );
        let full = [json!(1), json!(2)];
        let asked = PageView {
            size_asked: Some(2),
            ..view(&Value::Null, &full, 1)
        };
        assert_eq!(
            coinpool.next(asked),
            Ok(Next::Query("page_id".into(), "2".into()))
        );
        let short = PageView {
            size_asked: Some(3),
            ..view(&Value::Null, &full, 1)
        };
        assert_eq!(coinpool.next(short), Ok(Next::Done));
        assert_eq!(coinpool.next(view(&Value::Null, &[], 4)), Ok(Next::Done));
    }

    #[test]
    fn recipes_are_checked() {
        let mut problems = Vec::new();
        recipe(json!({"operations": [], "items": "data", "cursor": {"from": "/c"}}))
            .problems("/pagination/x", &mut problems);
        recipe(json!({"operations": ["a"], "next_link": {}}))
            .problems("/pagination/y", &mut problems);
        let at: Vec<_> = problems.iter().map(|p| p.pointer.as_str()).collect();
        assert_eq!(
            at,
            [
                "/pagination/x/operations",
                "/pagination/x/items",
                "/pagination/x/cursor",
                "/pagination/y/next_link"
            ]
        );
        assert!(wildcard("list_*_items", "list_order_items"));
        assert!(!wildcard("list_*_items", "list_orders"));
        assert!(
            wildcard("*", "anything")
                && wildcard("exact", "exact")
                && !wildcard("exact", "exactly")
        );
    }
}
