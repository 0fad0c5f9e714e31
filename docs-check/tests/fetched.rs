//! `docs check` over pages fetched from a local server: our own small pages in the shapes the
//! docs platforms serve (a Mintlify page with its `.md` variant carrying an OpenAPI block, a
//! GitBook page as HTML with a field list, a ReadMe page with a curl command), reached through
//! an `llms.txt` index with absolute and relative links. The server records every request: no
//! credential header is ever sent; a redirect to another origin and a page over the size cap
//! are errors that name the page.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use payspec_docs::fetch::Fetcher;
use payspec_docs::finding::Kind;

const SPEC: &str = r#"openapi: 3.0.3
info: {title: Widgets, version: '1'}
paths:
  /widgets:
    post:
      operationId: createWidget
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [name]
              properties:
                name: {type: string}
                color: {type: string, enum: [red, green]}
      responses:
        '201':
          description: Created
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Widget'}
  /widgets/{id}:
    get:
      operationId: getWidget
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Widget'}
components:
  schemas:
    Widget:
      type: object
      properties:
        id: {type: string}
        name: {type: string}
"#;

const PROFILE: &str = "vendor: widgets
title: Widgets
servers:
  live: https://api.widgets.invalid
default_server: live
credentials:
  api_key:
    description: the key
auth:
  default: key
  schemes:
    key:
      headers:
        X-Key: { credential: api_key }
errors:
  message: /error
";

/// Mintlify: the `.md` variant has the OpenAPI block; the page itself is never needed.
const MINTLIFY_MD: &str = "# Create widget\n\n```yaml post /widgets\nopenapi: 3.0.3\ninfo: {title: Widgets, version: '1'}\npaths:\n  /widgets:\n    post:\n      requestBody:\n        content:\n          application/json:\n            schema:\n              type: object\n              properties:\n                name: {type: string}\n                color: {type: string, enum: [red, green, blue]}\n      responses:\n        '201': {description: Created}\n```\n";

/// GitBook: HTML, a method line, the address, a field list under "Response".
const GITBOOK_HTML: &str = "<html><body><h1>Get widget</h1><p>GET</p><p>{{Base Address}}/widgets/{id}</p><h2>Response</h2><p>id</p><p>string</p><p>Yes</p><p>shade</p><p>string</p><p>No</p></body></html>";

/// ReadMe: a curl command with a header and a body.
const README_MD: &str = "# Create a widget\n\n```shell\ncurl --request POST \\\n  --url https://api.widgets.invalid/widgets \\\n  --header 'X-Key: 123' \\\n  --header 'X-Trace: 1' \\\n  --data '{\"name\": \"w\", \"size\": 3}'\n```\n";

#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<(String, HeaderMap)>>>);

async fn serve(State(seen): State<Seen>, uri: Uri, headers: HeaderMap) -> Response {
    seen.0
        .lock()
        .unwrap()
        .push((uri.path().to_owned(), headers.clone()));
    let markdown = |text: &'static str| ([("content-type", "text/markdown")], text).into_response();
    match uri.path() {
        "/llms.txt" => {
            let host = headers
                .get("host")
                .and_then(|h| h.to_str().ok())
                .unwrap_or_default();
            let index = format!(
                "# Widgets\n\n- [Create](http://{host}/docs/create-widget): create\n- [Get](/docs/get-widget): get\n- [ReadMe](/docs/readme-create.md)\n"
            );
            ([("content-type", "text/markdown")], index).into_response()
        }
        "/docs/create-widget.md" => markdown(MINTLIFY_MD),
        "/docs/create-widget" => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "the .md variant should have been used",
        )
            .into_response(),
        "/docs/get-widget" => ([("content-type", "text/html")], GITBOOK_HTML).into_response(),
        "/docs/readme-create.md" => markdown(README_MD),
        "/moved" => (
            StatusCode::FOUND,
            [("location", "http://other.invalid/page")],
        )
            .into_response(),
        "/huge" => "x".repeat(200_000).into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn start() -> (String, Seen) {
    let seen = Seen::default();
    let app = axum::Router::new().fallback(serve).with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, seen)
}

struct VendorDir(tempfile::TempDir);

impl VendorDir {
    fn path(&self) -> std::path::PathBuf {
        self.0.path().join("widgets")
    }
}

fn vendor_dir() -> VendorDir {
    let dir = VendorDir(tempfile::tempdir().unwrap());
    std::fs::create_dir(dir.path()).unwrap();
    std::fs::write(dir.path().join("openapi.yaml"), SPEC).unwrap();
    std::fs::write(dir.path().join("vendor.yaml"), PROFILE).unwrap();
    dir
}

#[tokio::test]
async fn an_index_is_followed_to_its_pages_and_each_is_checked() {
    let (base, seen) = start().await;
    let fetcher = Fetcher::new(Duration::from_secs(5), 64 << 10, 10).unwrap();
    // The index's absolute link names this server by its address.
    let index = format!("{base}/llms.txt");
    let pages = payspec_docs::page::load(std::slice::from_ref(&index), &fetcher).await;
    let pages = pages.unwrap();
    let names: Vec<&str> = pages.iter().map(|p| p.name()).collect();
    assert_eq!(names.len(), 4, "{names:?}");
    assert!(
        names.contains(&format!("{base}/docs/get-widget").as_str()),
        "{names:?}"
    );
    assert!(
        names.contains(&format!("{base}/docs/readme-create.md").as_str()),
        "{names:?}"
    );

    let dir = vendor_dir();
    let report = payspec_docs::check(&dir.path(), &pages).unwrap();
    let found: Vec<(Kind, &str, &str)> = report
        .open
        .iter()
        .map(|f| (f.kind, f.page.as_str(), f.docs.as_str()))
        .collect();
    let get = format!("{base}/docs/get-widget");
    let readme = format!("{base}/docs/readme-create.md");
    // GitBook's list names a field the schema lacks; ReadMe's curl sends a header no auth
    // supplies and a body field the schema lacks.
    assert!(
        found.contains(&(Kind::UnknownField, get.as_str(), "shade")),
        "{found:?}"
    );
    assert!(
        found.contains(&(Kind::Header, readme.as_str(), "X-Trace")),
        "{found:?}"
    );
    assert!(
        found.contains(&(Kind::UnknownField, readme.as_str(), "/size")),
        "{found:?}"
    );
    assert!(
        !found.iter().any(|(_, _, docs)| *docs == "X-Key"),
        "the auth header is vendor.yaml's: {found:?}"
    );
    assert!(!found.iter().any(|(_, _, docs)| *docs == "id"), "{found:?}");
    for (path, headers) in seen.0.lock().unwrap().iter() {
        for name in ["authorization", "cookie", "x-key", "proxy-authorization"] {
            assert!(
                headers.get(name).is_none(),
                "{path} was fetched with {name}"
            );
        }
    }
}

#[tokio::test]
async fn the_mintlify_block_is_checked_field_by_field() {
    let (base, _seen) = start().await;
    let fetcher = Fetcher::new(Duration::from_secs(5), 64 << 10, 10).unwrap();
    let pages = payspec_docs::page::load(&[format!("{base}/docs/create-widget")], &fetcher)
        .await
        .unwrap();
    assert_eq!(pages[0].name(), format!("{base}/docs/create-widget.md"));
    let dir = vendor_dir();
    let report = payspec_docs::check(&dir.path(), &pages).unwrap();
    let blue = report
        .open
        .iter()
        .find(|f| f.kind == Kind::EnumValue)
        .expect("the enum value the spec lacks");
    assert!(blue.docs.contains("blue"), "{blue}");
    assert!(
        blue.to_string().contains("openapi.yaml:"),
        "names the spec's line: {blue}"
    );
    assert!(
        blue.pointer.ends_with("/properties/color"),
        "{}",
        blue.pointer
    );
}

#[tokio::test]
async fn redirects_elsewhere_and_oversized_pages_are_errors_naming_the_page() {
    let (base, _seen) = start().await;
    let fetcher = Fetcher::new(Duration::from_secs(5), 64 << 10, 10).unwrap();
    for (path, words) in [
        ("/moved", "another origin"),
        ("/huge", "exceeds 65536 bytes"),
        ("/missing.md", "404"),
    ] {
        let url = format!("{base}{path}");
        let error = payspec_docs::page::load(std::slice::from_ref(&url), &fetcher)
            .await
            .unwrap_err()
            .to_string();
        assert!(error.contains(&url), "{error}");
        assert!(error.contains(words), "{path}: {error}");
    }
}

/// GitBook: the request's table and example, then the answer as a bare JSON example with no
/// heading of its own.
const GITBOOK_CREATE: &str = "Create widget\n\nPOST\n\n{{Base Address}}/widgets\n\nThe parameters that must be sent to the service are as follows:\n\nParameterTypeMandatoryDescription\n\nname\n\nstring\n\nYes\n\nThe name.\n\n{\n    \"name\": \"left\"\n}\n\n{\n    \"id\": \"w_1\",\n    \"name\": \"left\",\n    \"weight\": 12\n}\n\nLast updated\n";

#[test]
fn a_gitbook_answer_with_no_heading_is_checked_as_the_response() {
    let page = payspec_docs::page::Page::from_text("gitbook-create", GITBOOK_CREATE);
    let report = payspec_docs::check(&vendor_dir().path(), &[page]).unwrap();
    let found: Vec<(Kind, &str)> = report
        .open
        .iter()
        .map(|f| (f.kind, f.docs.as_str()))
        .collect();
    // The answer shows a field the Widget schema lacks; the request example is the body's.
    assert!(
        found.contains(&(Kind::UnknownField, "/weight")),
        "{found:?}"
    );
    assert!(!found.iter().any(|(_, docs)| *docs == "/id"), "{found:?}");
}
