//! Every pagination style against a loopback server that pages 1,000 items its way: each
//! item arrives exactly once, a page is held at a time, a failing page is retried by the
//! policy, and a page that keeps failing ends the stream with its error after what was
//! already delivered.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt as _;
use payspec_runtime::profile::Profile;
use payspec_runtime::{Credentials, Error, OperationMeta, Pages, RetryPolicy, Runtime, Settings};
use serde_json::{Value, json};

const TOTAL: usize = 1_000;

const fn list(id: &'static str, method: &'static str, path: &'static str) -> OperationMeta {
    OperationMeta {
        id,
        method,
        path,
        summary: "",
        params: &[],
        body: None,
        supplied_by_runtime: &[],
        returns_body: true,
        server_group: None,
        multipart: false,
        form: false,
        media: None,
        idempotent: false,
        paged: true,
    }
}

static LISTS: [OperationMeta; 6] = [
    list("last_id", "GET", "/last"),
    list("cursor_query", "GET", "/cursor"),
    list("cursor_body", "POST", "/search"),
    list("link_body", "GET", "/links"),
    list("link_header", "GET", "/header"),
    list("numbered", "GET", "/pages"),
];

/// One recipe per style, in vendor.yaml's terms (as JSON).
fn profile() -> Profile {
    serde_json::from_value(json!({
        "vendor": "acme", "title": "Acme",
        "servers": {"production": "https://api.acme.example"}, "default_server": "production",
        "credentials": {"api_key": {}},
        "auth": {"default": "key", "schemes": {"key": {"headers": {"Authorization": {"template": "Bearer {api_key}"}}}}},
        "pagination": {
            "stripe": {"operations": ["last_id"], "items": "/data", "size_param": "limit",
                       "last_id": {"param": "starting_after", "has_more": "/has_more"}},
            "square": {"operations": ["cursor_query"], "items": "/items", "size_param": "limit",
                       "cursor": {"query": "cursor", "from": "/next_cursor"}},
            "search": {"operations": ["cursor_body"], "items": "/items",
                       "cursor": {"body": "/cursor", "from": "/cursor"}},
            "paypal": {"operations": ["link_body"], "items": "/items",
                       "next_link": {"body": "/links"}},
            "github": {"operations": ["link_header"], "next_link": {"header": "Link"}},
            "coinpool": {"operations": ["numbered"], "size_param": "size", "page": {"param": "page"}}
        }
    }))
    .unwrap()
}

#[derive(Default)]
struct Server {
    /// Requests received per path.
    requests: BTreeMap<String, usize>,
    /// Pages of /pages that fail with this status, and how many more times (None: always).
    failing: BTreeMap<usize, (u16, Option<usize>)>,
}

type Shared = Arc<Mutex<Server>>;

fn item(n: usize) -> Value {
    json!({"id": format!("it_{n:04}"), "amount": n})
}

fn slice(start: usize, size: usize) -> (Vec<Value>, bool) {
    let end = (start + size).min(TOTAL);
    ((start..end).map(item).collect(), end < TOTAL)
}

fn number(query: &BTreeMap<String, String>, name: &str, default: usize) -> usize {
    query.get(name).map_or(default, |v| v.parse().unwrap())
}

async fn serve(State(server): State<Shared>, uri: Uri, body: axum::body::Bytes) -> Response {
    let query: BTreeMap<String, String> = reqwest::Url::parse(&format!("http://x{uri}"))
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    let path = uri.path().to_owned();
    *server
        .lock()
        .unwrap()
        .requests
        .entry(path.clone())
        .or_default() += 1;
    let size = 64;
    match path.as_str() {
        "/last" => {
            let start = query
                .get("starting_after")
                .map_or(0, |id| id[3..].parse::<usize>().unwrap() + 1);
            let (data, more) = slice(start, number(&query, "limit", 10));
            axum::Json(json!({"object": "list", "data": data, "has_more": more})).into_response()
        }
        "/cursor" => {
            let start = query.get("cursor").map_or(0, |c| c.parse().unwrap());
            let size = number(&query, "limit", size);
            let (items, more) = slice(start, size);
            let next = more.then(|| (start + size).to_string());
            axum::Json(json!({"items": items, "next_cursor": next})).into_response()
        }
        "/search" => {
            let request: Value = serde_json::from_slice(&body).unwrap();
            let start = request["cursor"].as_str().map_or(0, |c| c.parse().unwrap());
            assert_eq!(
                request["query"], "amount > 0",
                "the rest of the body is kept"
            );
            let (items, more) = slice(start, size);
            let cursor = if more {
                json!((start + size).to_string())
            } else {
                json!("")
            };
            axum::Json(json!({"items": items, "cursor": cursor})).into_response()
        }
        "/links" => {
            let page = number(&query, "p", 1);
            let (items, more) = slice((page - 1) * size, size);
            let links = if more {
                json!([{"rel": "self", "href": format!("/links?p={page}")}, {"rel": "next", "href": format!("/links?p={}", page + 1)}])
            } else {
                json!([{"rel": "self", "href": format!("/links?p={page}")}])
            };
            axum::Json(json!({"items": items, "links": links})).into_response()
        }
        "/header" => {
            let page = number(&query, "p", 1);
            let (items, more) = slice((page - 1) * size, size);
            let mut headers = HeaderMap::new();
            let last = format!(
                "<http://{}/header?p=16>; rel=\"last\"",
                uri.authority().map_or("x", |a| a.as_str())
            );
            let link = if more {
                format!("</header?p={}>; rel=\"next\", {last}", page + 1)
            } else {
                last
            };
            headers.insert("link", link.parse().unwrap());
            (headers, axum::Json(json!(items))).into_response()
        }
        "/pages" => {
            let page = number(&query, "page", 1);
            let mut state = server.lock().unwrap();
            if let Some((status, times)) = state.failing.get_mut(&page) {
                let status = *status;
                match times {
                    Some(0) => {}
                    Some(left) => {
                        *left -= 1;
                        return StatusCode::from_u16(status).unwrap().into_response();
                    }
                    None => return StatusCode::from_u16(status).unwrap().into_response(),
                }
            }
            let size = number(&query, "size", 50);
            let (items, _) = slice((page - 1) * size, size);
            axum::Json(json!(items)).into_response()
        }
        "/evil" => {
            let links = json!([{"rel": "next", "href": "http://attacker.invalid/steal"}]);
            axum::Json(json!({"items": [item(0)], "links": links})).into_response()
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn start() -> (Runtime, Shared) {
    let server = Shared::default();
    let app = axum::Router::new()
        .fallback(serve)
        .with_state(server.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let settings = Settings::new()
        .base_url(format!("http://{address}"))
        .credentials(Credentials::new().with("api_key", "k"))
        .retry(RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(5),
            max_backoff: Duration::from_secs(1),
        });
    let runtime = Runtime::with_profile(profile(), &LISTS, settings).unwrap();
    (runtime, server)
}

fn request(
    runtime: &Runtime,
    method: &str,
    path_and_query: &str,
    body: Option<Value>,
) -> reqwest::Request {
    let url = format!("{}{path_and_query}", runtime.base_url());
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut builder = runtime.http_client().request(method, url);
    if let Some(body) = body {
        builder = builder.json(&body);
    }
    builder.build().unwrap()
}

/// Every item of a listing, the ids checked unique; with the largest page seen.
async fn drain(pages: Pages<'_, Value>) -> (Vec<String>, usize, Option<Error>) {
    let mut ids = Vec::new();
    let mut largest = 0;
    let mut pages = std::pin::pin!(pages);
    while let Some(page) = pages.next().await {
        match page {
            Ok(page) => {
                largest = largest.max(page.items.len());
                ids.extend(
                    page.items
                        .iter()
                        .map(|i| i["id"].as_str().unwrap().to_owned()),
                );
            }
            Err(error) => return (ids, largest, Some(error)),
        }
    }
    (ids, largest, None)
}

fn assert_all_once(ids: &[String], style: &str) {
    assert_eq!(ids.len(), TOTAL, "{style}: every item");
    let distinct: BTreeSet<&String> = ids.iter().collect();
    assert_eq!(distinct.len(), TOTAL, "{style}: no duplicates");
    assert_eq!(
        ids.first().map(String::as_str),
        Some("it_0000"),
        "{style}: in order"
    );
    assert_eq!(ids.last().map(String::as_str), Some("it_0999"), "{style}");
}

#[tokio::test]
async fn every_style_streams_a_thousand_items_once_each_a_page_at_a_time() {
    let (runtime, server) = start().await;
    let cases = [
        ("last_id", "GET", "/last?limit=100", None, 100, 10),
        ("cursor_query", "GET", "/cursor?limit=100", None, 100, 10),
        (
            "cursor_body",
            "POST",
            "/search",
            Some(json!({"query": "amount > 0"})),
            64,
            16,
        ),
        ("link_body", "GET", "/links", None, 64, 16),
        ("link_header", "GET", "/header", None, 64, 16),
        ("numbered", "GET", "/pages?size=50", None, 50, 21),
    ];
    for (operation, method, path, body, page_size, requests) in cases {
        let first = request(&runtime, method, path, body);
        let (ids, largest, error) = drain(Pages::new(&runtime, first, operation)).await;
        assert!(error.is_none(), "{operation}: {error:?}");
        assert_all_once(&ids, operation);
        assert_eq!(largest, page_size, "{operation}: one page held at a time");
        let path = path.split('?').next().unwrap();
        assert_eq!(
            server.lock().unwrap().requests[path],
            requests,
            "{operation}: pages fetched"
        );
    }
}

#[tokio::test]
async fn items_stream_lazily_and_max_items_stops_early() {
    let (runtime, server) = start().await;
    let first = request(&runtime, "GET", "/pages?size=50", None);
    let items: Vec<Value> = Pages::<Value>::new(&runtime, first, "numbered")
        .items()
        .take(120)
        .map(Result::unwrap)
        .collect()
        .await;
    assert_eq!(items.len(), 120);
    assert_eq!(items[119]["id"], "it_0119");
    assert_eq!(
        server.lock().unwrap().requests["/pages"],
        3,
        "no page fetched before it is needed"
    );
}

#[tokio::test]
async fn a_failing_page_is_retried_and_one_that_keeps_failing_ends_the_stream() {
    let (runtime, server) = start().await;
    server.lock().unwrap().failing.insert(3, (503, Some(1)));
    let first = request(&runtime, "GET", "/pages?size=50", None);
    let (ids, _, error) = drain(Pages::new(&runtime, first, "numbered")).await;
    assert!(error.is_none(), "{error:?}");
    assert_all_once(&ids, "retried page");

    let (runtime, server) = start().await;
    server.lock().unwrap().failing.insert(3, (500, None));
    let first = request(&runtime, "GET", "/pages?size=50", None);
    let (ids, _, error) = drain(Pages::new(&runtime, first, "numbered")).await;
    assert_eq!(
        ids.len(),
        100,
        "the two pages before the failure were delivered"
    );
    let error = error.expect("the failure ends the stream");
    assert_eq!(error.vendor_error().map(|e| e.status), Some(500), "{error}");
    assert_eq!(
        server.lock().unwrap().requests["/pages"],
        3,
        "a 500 is not retried, and nothing follows"
    );
}

#[tokio::test]
async fn a_next_link_to_another_origin_is_not_followed() {
    static EVIL: [OperationMeta; 1] = [list("link_body", "GET", "/evil")];
    let (runtime, server) = start().await;
    let runtime = Runtime::with_profile(
        profile(),
        &EVIL,
        Settings::new()
            .base_url(runtime.base_url())
            .credentials(Credentials::new().with("api_key", "k")),
    )
    .unwrap();
    let first = request(&runtime, "GET", "/evil", None);
    let (ids, _, error) = drain(Pages::new(&runtime, first, "link_body")).await;
    assert_eq!(ids, ["it_0000"]);
    let error = error.expect("refused");
    assert!(error.to_string().contains("another origin"), "{error}");
    assert_eq!(
        server.lock().unwrap().requests.len(),
        1,
        "nothing sent elsewhere"
    );
}
