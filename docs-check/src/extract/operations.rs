//! The operation a page documents: Mintlify's `METHOD` heading with its path split over lines
//! (`PUT` / `/` / `api` / `/` / …), a method line followed by the address (GitBook:
//! `POST` / `{{Base Address}}/api/…`), both on one line (GitBook's other pages: `POST
//! {{Base Address}}/api/…`; reference pages: `POST /v1/customers`), or `GET:
//! {{endpoint}}/v1/…` (VitePress).

use super::{DocOperation, Facts};
use crate::page::Page;

const METHODS: [&str; 7] = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];

pub(super) fn extract(page: &Page, taken: &[bool], facts: &mut Facts) {
    let lines = &page.lines;
    let mut i = 0;
    while i < lines.len() {
        if taken[i] {
            i += 1;
            continue;
        }
        let line = lines[i].trim();
        if let Some((method, rest)) = line.split_once(':').filter(|(m, _)| METHODS.contains(m))
            && rest.trim().contains('/')
        {
            push(page, facts, i, method, rest.trim());
        } else if let Some((method, rest)) =
            line.split_once(' ').filter(|(m, _)| METHODS.contains(m))
            && (is_address(rest.trim()) || is_bare_path(rest.trim()))
        {
            push(page, facts, i, method, rest.trim());
        } else if METHODS.contains(&line.to_ascii_uppercase().as_str()) {
            let method = line.to_ascii_uppercase();
            if lines.get(i + 1).map(|l| l.trim()) == Some("/") {
                let (path, used) = split_path(&lines[i + 1..]);
                push(page, facts, i, &method, &path);
                i += used + 1;
                continue;
            }
            if let Some(address) = lines[i + 1..]
                .iter()
                .take(3)
                .map(|l| l.trim())
                .find(|l| is_address(l))
            {
                push(page, facts, i, &method, address);
            }
        }
        i += 1;
    }
}

fn push(page: &Page, facts: &mut Facts, index: usize, method: &str, address: &str) {
    let url = (address.starts_with("http://") || address.starts_with("https://"))
        .then(|| address.to_owned());
    let operation = DocOperation {
        line: page.line_number(index),
        method: method.to_owned(),
        path: path_of(address),
        url,
    };
    if !facts
        .operations
        .iter()
        .any(|o| o.method == operation.method && o.path == operation.path)
    {
        facts.operations.push(operation);
    }
}

/// A path split over lines: `/`, `api`, `/`, `v1`, … up to the first line that is neither.
fn split_path(lines: &[String]) -> (String, usize) {
    let mut path = String::new();
    let mut used = 0;
    for line in lines {
        let part = line.trim();
        let is_segment = !part.is_empty() && !part.contains(' ') && part.len() < 80;
        let expects_slash = !path.ends_with('/');
        match (part, expects_slash) {
            ("/", true) => path.push('/'),
            (segment, false) if is_segment && segment != "/" => path.push_str(segment),
            _ => break,
        }
        used += 1;
    }
    (path.trim_end_matches('/').to_owned(), used)
}

/// Whether a line is an endpoint's address: a URL or a `{{placeholder}}/path` (the
/// placeholder may have spaces: `{{Base Address}}`).
fn is_address(line: &str) -> bool {
    let rest = match line.strip_prefix("{{").and_then(|r| r.split_once("}}")) {
        Some((_, rest)) => rest,
        None if line.starts_with("http://") || line.starts_with("https://") => line,
        None => return false,
    };
    !rest.contains(' ') && rest.contains('/')
}

/// A path alone (`/v1/customers/{id}`), as `METHOD /path` lines write it.
fn is_bare_path(text: &str) -> bool {
    text.starts_with('/') && text.len() > 1 && !text.contains(char::is_whitespace)
}

/// The path of an address: what follows the host, or a `{{placeholder}}`.
pub(crate) fn path_of(address: &str) -> String {
    let rest = if let Some(after) = address.strip_prefix("{{") {
        after.split_once("}}").map(|(_, r)| r).unwrap_or(after)
    } else if let Some((_, after)) = address.split_once("://") {
        after.find('/').map(|i| &after[i..]).unwrap_or("")
    } else {
        address
    };
    let path = unglue_heading(rest.split(['?', '#']).next().unwrap_or_default());
    let path = if path.starts_with('/') {
        path.to_owned()
    } else {
        format!("/{path}")
    };
    path.trim_end_matches('/').to_owned()
}

/// Text rendered from HTML can run the next heading into the address
/// (`/v1/payment/cancelHeaders`): a capitalised heading word glued to a lowercase letter at
/// the end of the path is not part of it.
fn unglue_heading(path: &str) -> &str {
    const HEADINGS: [&str; 5] = ["Headers", "Request", "Body", "Parameters", "Response"];
    for heading in HEADINGS {
        if let Some(stem) = path.strip_suffix(heading)
            && stem.ends_with(|c: char| c.is_ascii_lowercase())
        {
            return stem;
        }
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    fn operations(text: &str) -> Vec<(String, String)> {
        let page = Page::from_text("p", text);
        let mut facts = Facts::default();
        extract(&page, &vec![false; page.lines.len()], &mut facts);
        facts
            .operations
            .into_iter()
            .map(|o| (o.method, o.path))
            .collect()
    }

    #[test]
    fn the_shapes_pages_write_operations_in() {
        assert_eq!(
            operations(
                "Skip to main content\nPUT\n/\napi\n/\nv1\n/\nuser\n/\n{id}\n/\npin\nUpdate user PIN"
            ),
            [("PUT".into(), "/api/v1/user/{id}/pin".into())]
        );
        assert_eq!(
            operations(
                "Refund\nPOST\n{{Base Address}}/api/paywall/private/refund\nYou just need to send"
            ),
            [("POST".into(), "/api/paywall/private/refund".into())]
        );
        assert_eq!(
            operations("shell\nGET: {{endpoint}}/v1/payment/info\n"),
            [("GET".into(), "/v1/payment/info".into())]
        );
        assert_eq!(
            operations("Cashout Request\nPOST\nhttps://api-stg.onekeypayments.com/v3/cashout\n"),
            [("POST".into(), "/v3/cashout".into())]
        );
        assert_eq!(
            operations("POST: {{endpoint}}/v1/payment/cancelHeaders\n| Key | Type |"),
            [("POST".into(), "/v1/payment/cancel".into())]
        );
        assert_eq!(
            operations("Cancellation\nPOST {{Base Address}}/api/paywall/private/cancel\nAll you"),
            [("POST".into(), "/api/paywall/private/cancel".into())]
        );
        assert_eq!(
            operations("GET https://api.acme.example/v2/orders/{id}?expand=items\n"),
            [("GET".into(), "/v2/orders/{id}".into())]
        );
        assert!(operations("It is a POST request that\nreturns").is_empty());
        assert!(operations("POST requests to https://api.acme.example/v2 are signed").is_empty());
        assert_eq!(
            operations("POST /v1/customers\nCreates a customer"),
            [("POST".into(), "/v1/customers".into())]
        );
        assert!(operations("GET / the root").is_empty());
    }
}
