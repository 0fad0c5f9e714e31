//! `payspec probe`: against the sandbox with each drift fault (the finding and the overlay,
//! exact; the overlay applied makes the spec agree), against a compiled vendor (its answers
//! through the generated types), and against a hostile server (no writes unless asked, none
//! ever to a production server, bounded in time).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// A vendor of our own, read at run time by both the sandbox and the probe: a list whose
/// example feeds the get, an order with an enum, required fields and non-null fields.
const SPEC: &str = r#"openapi: 3.0.3
info: {title: probed, version: '1'}
paths:
  /orders:
    get:
      operationId: listOrders
      responses:
        '200':
          description: The orders.
          content:
            application/json:
              schema:
                type: object
                properties:
                  data:
                    type: array
                    items: {$ref: '#/components/schemas/Order'}
                    example: [{id: ord_1, amount: '10.00', status: open}]
    post:
      operationId: createOrder
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Order'}
            example: {id: ord_2, amount: '5.00', status: open}
      responses:
        '201':
          description: Created.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Order'}
  /orders/{id}:
    get:
      operationId: getOrder
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        '200':
          description: The order.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Order'}
components:
  schemas:
    Order:
      type: object
      required: [amount, id]
      properties:
        amount: {type: string, example: '10.00'}
        id: {type: string, example: ord_1}
        status: {type: string, enum: [open, paid]}
"#;

const PROFILE: &str = "vendor: probed
title: Probed
servers:
  sandbox: https://sandbox.probed.example
  live: https://api.probed.example
default_server: sandbox
production: [live]
credentials:
  api_key: { description: the key }
auth:
  default: key
  schemes:
    key:
      headers:
        X-Api-Key: { credential: api_key }
errors:
  code: /error/code
  message: /error/message
";

fn specs_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let vendor = dir.path().join("probed");
    std::fs::create_dir_all(vendor.join("overlays")).unwrap();
    std::fs::write(vendor.join("openapi.yaml"), SPEC).unwrap();
    std::fs::write(vendor.join("vendor.yaml"), PROFILE).unwrap();
    dir
}

/// The CLI with a clean environment: against a sandbox, its demo credentials apply.
fn payspec(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_payspec"))
        .args(args)
        .env_clear()
        .output()
        .unwrap()
}

/// The CLI with the probed vendor's key exported.
fn payspec_with_key(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_payspec"))
        .args(args)
        .env_clear()
        .env("PAYSPEC_PROBED_API_KEY", "probe-key-1")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `payspec sandbox --port 0` (with these arguments) in the background; killed when dropped.
struct Sandbox {
    child: Child,
    url: String,
    _banner: BufReader<std::process::ChildStdout>,
}

impl Sandbox {
    fn start(extra: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_payspec"))
            .args(["sandbox", "--port", "0"])
            .args(extra)
            .env_clear()
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut banner = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        banner.read_line(&mut first).unwrap();
        let url = first.trim().rsplit(' ').next().unwrap().to_owned();
        Self {
            child,
            url,
            _banner: banner,
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `payspec probe probed --specs DIR --sandbox URL --json` with a fault on getOrder; the exit
/// code and the report.
fn probe(specs: &Path, sandbox: &str, fault: &str, extra: &[&str]) -> (Option<i32>, Value) {
    let header = format!("x-payspec-fault: {fault}@get_order");
    let specs = specs.to_str().unwrap();
    let mut args = vec![
        "--json",
        "probe",
        "probed",
        "--specs",
        specs,
        "--sandbox",
        sandbox,
    ];
    if !fault.is_empty() {
        args.extend(["--header", &header]);
    }
    args.extend(extra);
    let output = payspec(&args);
    let report = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", text(&output.stdout), text(&output.stderr)));
    (output.status.code(), report)
}

fn operation<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["operations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["operation"] == id)
        .unwrap_or_else(|| panic!("{id} not in {report}"))
}

#[test]
fn each_drift_fault_is_found_with_the_overlay_that_makes_the_spec_agree() {
    let specs = specs_dir();
    let sandbox = Sandbox::start(&["--specs", specs.path().to_str().unwrap()]);
    let order = "$['components']['schemas']['Order']";
    let cases = [
        (
            "drift:enum",
            "/status",
            json!({"target": format!("{order}['properties']['status']"), "update": {"enum": ["payspecUnknownValue"]}}),
        ),
        (
            "drift:null",
            "/amount",
            json!({"target": format!("{order}['properties']['amount']"), "update": {"nullable": true}}),
        ),
        (
            "drift:missing",
            "/amount",
            json!({"target": format!("{order}['required'][?@ == 'amount']"), "remove": true}),
        ),
        (
            "drift:extra",
            "/payspec_unlisted",
            json!({"target": order, "update": {"properties": {"payspec_unlisted": {"type": "string"}}}}),
        ),
    ];
    // Without a fault the vendor keeps its spec, and the list's id fed the get.
    let (code, clean) = probe(specs.path(), &sandbox.url, "", &[]);
    assert_eq!(code, Some(0), "{clean}");
    assert_eq!(operation(&clean, "get_order")["verdict"], "ok", "{clean}");
    assert_eq!(operation(&clean, "create_order")["verdict"], "skipped");
    for (fault, pointer, action) in cases {
        let overlay = specs.path().join("probe-overlay.json");
        let (code, report) = probe(
            specs.path(),
            &sandbox.url,
            fault,
            &["--write-overlay", overlay.to_str().unwrap()],
        );
        assert_eq!(code, Some(3), "{fault}: {report}");
        let get = operation(&report, "get_order");
        assert_eq!(get["verdict"], "drift", "{fault}: {report}");
        let findings = get["findings"].as_array().unwrap();
        assert_eq!(findings.len(), 1, "{fault}: {findings:?}");
        assert_eq!(findings[0]["pointer"], pointer, "{fault}");
        assert_eq!(findings[0]["overlay"], action, "{fault}");
        assert_eq!(
            operation(&report, "list_orders")["verdict"],
            "ok",
            "{fault}: the fault is getOrder's"
        );
        let written: Value = serde_json::from_slice(&std::fs::read(&overlay).unwrap()).unwrap();
        assert_eq!(written["overlay"], "1.0.0");
        assert_eq!(written["actions"], json!([action]), "{fault}");

        // The overlay in the vendor's overlays: the same drift now agrees with the spec.
        let fixed = specs_dir();
        std::fs::copy(&overlay, fixed.path().join("probed/overlays/90-probe.yaml")).unwrap();
        let (code, report) = probe(fixed.path(), &sandbox.url, fault, &[]);
        assert_eq!(code, Some(0), "{fault} after its overlay: {report}");
        assert_eq!(
            operation(&report, "get_order")["verdict"],
            "ok",
            "{fault}: {report}"
        );
    }
}

fn call_json(args: &[&str]) -> Value {
    let output = payspec(args);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn a_compiled_vendors_answers_go_through_its_generated_types() {
    let sandbox = Sandbox::start(&[]);
    let url = sandbox.url.as_str();
    let quote = call_json(&[
        "call",
        "rio",
        "create_quote",
        "--sandbox",
        url,
        "--body",
        r#"{"userId":"6757546b4c5d19bf3cd7b09c","crypto":"TRX_USDT_S2UZ","fiat":"MXN","side":"buy","amountFiat":1000,"country":"MX"}"#,
    ]);
    let body = json!({"quoteId": quote["id"], "cryptoAddress": "0xAf56edF88c429F1D6858f9E47731FF53F6d34D0C"}).to_string();
    call_json(&[
        "call",
        "rio",
        "create_order",
        "--sandbox",
        url,
        "--body",
        &body,
    ]);
    let output = payspec(&[
        "--json",
        "probe",
        "rio",
        "--sandbox",
        url,
        "--header",
        "x-payspec-fault: unknown-enum@get_orders",
    ]);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(3), "{report}");
    // The open enum decodes the unknown status (the generated type is not at fault); the
    // schema check names it, and the overlay adds it to the enum.
    let list = operation(&report, "get_orders");
    let findings = list["findings"].as_array().unwrap();
    let status = findings
        .iter()
        .find(|f| f["pointer"].as_str().unwrap().ends_with("/status"))
        .unwrap_or_else(|| panic!("{list}"));
    assert_eq!(status["found"], "payspecUnknownValue");
    assert_eq!(
        status["overlay"]["update"],
        json!({"enum": ["payspecUnknownValue"]})
    );
    assert!(
        !findings
            .iter()
            .any(|f| f["problem"].as_str().unwrap().contains("cannot decode")),
        "{list}"
    );
    // The list's order id fed the get, which the fault does not touch.
    assert_eq!(operation(&report, "get_order")["verdict"], "ok", "{report}");
    assert_eq!(operation(&report, "create_order")["verdict"], "skipped");
}

/// A server that answers every request 200 with a JSON object and records what it was sent.
fn recording_server() -> (String, Arc<Mutex<Vec<String>>>) {
    answering_server(
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}".to_vec(),
    )
}

#[test]
fn a_probe_writes_only_when_asked_and_never_to_production() {
    let specs = specs_dir();
    let specs_arg = specs.path().to_str().unwrap();
    let (url, seen) = recording_server();
    let output = probe_with_key(specs_arg, &url);
    let methods: Vec<String> = seen.lock().unwrap().clone();
    assert!(!methods.is_empty(), "{}", text(&output.stderr));
    assert!(methods.iter().all(|m| m.starts_with("GET ")), "{methods:?}");
    // Its answers lack the required fields: drift, exit 3.
    assert_eq!(output.status.code(), Some(3), "{}", text(&output.stdout));

    // Asked to write: the example body is sent, once.
    seen.lock().unwrap().clear();
    payspec_with_key(&[
        "probe",
        "probed",
        "--specs",
        specs_arg,
        "--base-url",
        &url,
        "--include-writes",
    ]);
    let posts = seen
        .lock()
        .unwrap()
        .iter()
        .filter(|m| m.starts_with("POST "))
        .count();
    assert_eq!(posts, 1);

    // Never to a server vendor.yaml marks as production, whatever is asked.
    let started = Instant::now();
    for target in [
        ["--server", "live"],
        ["--base-url", "https://api.probed.example"],
    ] {
        let mut args = vec!["probe", "probed", "--specs", specs_arg, "--include-writes"];
        args.extend(target);
        let output = payspec_with_key(&args);
        assert_eq!(output.status.code(), Some(2), "{target:?}");
        assert!(
            text(&output.stderr).contains("production"),
            "{}",
            text(&output.stderr)
        );
    }
    assert!(started.elapsed() < Duration::from_secs(30));
}

/// A server that answers every request with `answer` (the whole HTTP response) and counts
/// the requests it gets.
fn answering_server(answer: Vec<u8>) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
            let mut buffer = [0u8; 8192];
            let read = stream.read(&mut buffer).unwrap_or(0);
            record
                .lock()
                .unwrap()
                .push(String::from_utf8_lossy(&buffer[..read]).into_owned());
            let _ = stream.write_all(&answer);
        }
    });
    (url, seen)
}

/// `payspec probe probed --json` at `url` with the key exported, getOrder's id given.
fn probe_with_key(specs: &str, url: &str) -> Output {
    payspec_with_key(&[
        "--json",
        "probe",
        "probed",
        "--specs",
        specs,
        "--base-url",
        url,
        "--arg",
        "get_order.id=ord_9",
        "--timeout",
        "5",
    ])
}

#[test]
fn a_hostile_server_gets_no_credentials_elsewhere_and_no_unbounded_read() {
    let specs = specs_dir();
    let specs_arg = specs.path().to_str().unwrap();
    // Every answer redirects to another origin, which must never be called.
    let (elsewhere, stolen) = answering_server(
        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}".to_vec(),
    );
    let redirect = format!(
        "HTTP/1.1 302 Found\r\nlocation: {elsewhere}/steal\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
    );
    let (url, seen) = answering_server(redirect.into_bytes());
    let output = probe_with_key(specs_arg, &url);
    assert!(!seen.lock().unwrap().is_empty());
    assert!(
        stolen.lock().unwrap().is_empty(),
        "followed a redirect to another origin"
    );
    let all = text(&output.stdout) + &text(&output.stderr);
    assert!(!all.contains("probe-key-1"), "the key was printed: {all}");
    assert_eq!(
        output.status.code(),
        Some(1),
        "nothing could be checked: {all}"
    );

    // An answer larger than the runtime reads (20 MB of a promised 200 MB): the call fails
    // at the limit (16 MB), within the timeout.
    let endless = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n[{}",
        200 << 20,
        "1,".repeat(10 << 20)
    );
    let (url, _) = answering_server(endless.into_bytes());
    let started = Instant::now();
    let output = probe_with_key(specs_arg, &url);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        operation(&report, "list_orders")["verdict"],
        "failed",
        "{report}"
    );
    assert!(started.elapsed() < Duration::from_secs(60));
}

/// A required parameter with no example gets a placeholder that matches its `pattern`, so the
/// vendor's first check (an id's shape, a currency code) passes and the probe learns something.
#[test]
fn placeholders_match_the_parameters_patterns() {
    let spec = r#"openapi: 3.0.3
info: {title: probed, version: '1'}
paths:
  /accounts/{account}:
    get:
      operationId: getAccount
      parameters:
        - {name: account, in: path, required: true, schema: {type: string, pattern: '^acct_[0-9]{6}$'}}
        - {name: currency, in: query, required: true, schema: {type: string, pattern: '^[A-Z]{3}$'}}
      responses:
        '200': {description: The account.}
"#;
    let specs = tempfile::tempdir().unwrap();
    let vendor = specs.path().join("probed");
    std::fs::create_dir_all(&vendor).unwrap();
    std::fs::write(vendor.join("openapi.yaml"), spec).unwrap();
    std::fs::write(vendor.join("vendor.yaml"), PROFILE).unwrap();
    let (url, seen) = recording_server();
    let output = payspec_with_key(&[
        "probe",
        "probed",
        "--specs",
        specs.path().to_str().unwrap(),
        "--base-url",
        &url,
    ]);
    let requests = seen.lock().unwrap().clone();
    assert_eq!(requests.len(), 1, "{}", text(&output.stderr));
    let line = requests[0].lines().next().unwrap();
    assert_eq!(line, "GET /accounts/acct_000000?currency=AAA HTTP/1.1");
}

/// A write whose body is a form with a file (Paywall's batch upload) is probed with a form
/// made from its schema: the sandbox parses the multipart body and takes it.
#[test]
fn a_multipart_write_is_probed_with_a_form_made_from_its_schema() {
    let sandbox = Sandbox::start(&[]);
    let output = payspec(&[
        "--json",
        "probe",
        "paywall",
        "--sandbox",
        &sandbox.url,
        "--include-writes",
    ]);
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", text(&output.stderr)));
    let upload = operation(&report, "start_bulk_file_payment");
    assert_eq!(upload["verdict"], "ok", "{upload}");
    assert_eq!(upload["status"], 200, "{upload}");
}
