//! DESIGN.md's test of the design: a sixth vendor whose auth is like Rio's takes only files
//! under `specs/<name>/`. This test writes such a vendor ("acme") into a temporary specs
//! directory, builds a minimal consumer crate whose `build.rs` runs the unchanged codegen over
//! it and whose `main` dispatches through the generated registry (the path `payspec call`
//! takes), and calls every acme operation against a local server that checks acme's key.
//!
//! The consumer shares this workspace's target directory, so only it and the path crates are
//! compiled; registry dependencies are reused.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "support/consumer.rs"]
mod consumer;

use std::path::{Path, PathBuf};
use std::process::Command;

use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use serde_json::{Value, json};

const KEY: &str = "acme-key-0b7e";

const SPEC: &str = r#"openapi: 3.0.1
info:
  title: Acme Payouts
  version: '2.1'
  description: A made-up sixth vendor. Sources - none, it is a test fixture.
paths:
  /v2/payouts:
    post:
      summary: Create payout
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [amount, currency]
              properties:
                amount: {type: integer, format: int64}
                currency: {type: string, enum: [EUR, USD]}
      responses:
        '201':
          description: Created
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Payout'}
  /v2/payouts/{payout_id}:
    get:
      summary: Get payout
      parameters:
        - {name: payout_id, in: path, required: true, schema: {type: string}}
        - {name: expand, in: query, required: false, schema: {type: boolean}}
        - {name: X-Acme-Key, in: header, required: true, schema: {type: string}}
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Payout'}
components:
  schemas:
    Payout:
      type: object
      properties:
        id: {type: string}
        amount: {type: integer, format: int64}
        currency: {type: string}
        status: {type: string, enum: [queued, paid]}
        expanded: {type: boolean}
"#;

const PROFILE: &str = "vendor: acme
title: Acme Payouts
servers:
  live: https://api.acme.invalid
default_server: live
credentials:
  api_key:
    description: the Acme API key
auth:
  default: key
  schemes:
    key:
      headers:
        X-Acme-Key: { credential: api_key }
errors:
  code: /error/code
  message: /error/text
";

/// The build script a user writes: the documented Builder over the crate's own specs.
const BUILD_RS: &str = r#"fn main() {
    let specs = std::env::var("ACME_SPECS").unwrap_or_else(|_| "specs".to_owned());
    println!("cargo:rerun-if-env-changed=ACME_SPECS");
    payspec_codegen::Builder::new(specs).generate_or_exit();
}
"#;

/// The consumer depends on payspec-runtime alone (tokio to run futures): the generated code
/// reaches serde, reqwest and progenitor-client through it.
const MAIN_RS: &str = r#"payspec_runtime::include_vendors!();

use payspec_runtime::deps::serde_json;

// args: BASE_URL OPERATION BODY_JSON|- [NAME=VALUE]...  (OPERATION `typed_get` uses the typed
// client and prints the vendor's error code from a failed send()).
fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let settings = payspec_runtime::Settings::new().base_url(args[0].clone());
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    if args[1] == "typed_get" {
        let client = acme::Client::with_settings(settings).unwrap();
        let sent = runtime.block_on(client.get_payout().payout_id(args[2].clone()).send());
        return match sent {
            Ok(payout) => { println!("{:?}", payout.into_inner().status); std::process::ExitCode::SUCCESS }
            Err(error) => {
                let code = error.vendor_error().and_then(|v| v.code.clone());
                eprintln!("vendor_error code: {code:?}");
                std::process::ExitCode::from(1)
            }
        };
    }
    let entry = VENDORS.iter().find(|v| v.name == "acme").unwrap();
    let request = payspec_runtime::CallRequest {
        operation: args[1].clone(),
        args: args[3..].iter().map(|a| { let (k, v) = a.split_once('=').unwrap(); (k.to_owned(), v.to_owned()) }).collect(),
        body: (args[2] != "-").then(|| serde_json::from_str(&args[2]).unwrap()),
    };
    match runtime.block_on((entry.call)(settings, request)) {
        Ok(outcome) => { println!("{}", outcome.body); std::process::ExitCode::SUCCESS }
        Err(error) => { eprintln!("{error}"); std::process::ExitCode::from(1) }
    }
}
"#;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn consumer_manifest(dir: &Path) -> String {
    let ws = workspace();
    let path = |p: &str| ws.join(p).display().to_string();
    format!(
        r#"[package]
name = "payspec-sixth-vendor-check"
version = "0.0.0"
edition = "2024"
publish = false

[workspace]

[dependencies]
payspec-runtime = {{ path = "{runtime}" }}
tokio = {{ version = "1", features = ["rt"] }}

[build-dependencies]
payspec-codegen = {{ path = "{codegen}" }}
"#,
        runtime = path("runtime"),
        codegen = path("codegen"),
    ) + &format!("# consumer at {}\n", dir.display())
}

/// Acme's server: checks `X-Acme-Key`, answers errors as `{"error": {code, text}}`.
fn start_acme() -> String {
    fn authorised(headers: &HeaderMap) -> bool {
        headers.get("x-acme-key").and_then(|v| v.to_str().ok()) == Some(KEY)
    }
    let denied = || {
        (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"error": {"code": "E_KEY", "text": "bad key"}})),
        )
    };
    let app = axum::Router::new()
        .route(
            "/v2/payouts",
            post(move |headers: HeaderMap, axum::Json(body): axum::Json<Value>| async move {
                if !authorised(&headers) {
                    return denied();
                }
                (StatusCode::CREATED, axum::Json(json!({"id": "po_1", "amount": body["amount"], "currency": body["currency"], "status": "queued"})))
            }),
        )
        .route(
            "/v2/payouts/{id}",
            get(move |headers: HeaderMap, axum::extract::Path(id): axum::extract::Path<String>, axum::extract::RawQuery(query): axum::extract::RawQuery| async move {
                if !authorised(&headers) {
                    return denied();
                }
                (StatusCode::OK, axum::Json(json!({"id": id, "status": "paid", "expanded": query.as_deref() == Some("expand=true")})))
            }),
        );
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    format!("http://{}", rx.recv().unwrap())
}

#[test]
fn a_sixth_vendor_needs_only_files_under_specs() {
    let temp = tempfile::tempdir().unwrap();
    let specs = temp.path().join("specs");
    let acme = specs.join("acme");
    std::fs::create_dir_all(&acme).unwrap();
    std::fs::write(acme.join("openapi.yaml"), SPEC).unwrap();
    std::fs::write(acme.join("vendor.yaml"), PROFILE).unwrap();

    let crate_dir = temp.path().join("consumer");
    std::fs::create_dir_all(crate_dir.join("src")).unwrap();
    std::fs::write(crate_dir.join("Cargo.toml"), consumer_manifest(&crate_dir)).unwrap();
    std::fs::write(crate_dir.join("build.rs"), BUILD_RS).unwrap();
    std::fs::write(crate_dir.join("src/main.rs"), MAIN_RS).unwrap();
    let build = consumer::build(&crate_dir, ("ACME_SPECS", &specs));
    let target_dir = consumer::target_dir();
    assert!(
        build.status.success(),
        "consumer build failed:\n{}",
        String::from_utf8_lossy(&build.stderr)
    );
    let binary = target_dir.join("debug").join(format!(
        "payspec-sixth-vendor-check{}",
        std::env::consts::EXE_SUFFIX
    ));

    let base = start_acme();
    let run = |key: &str, args: &[&str]| {
        let output = Command::new(&binary)
            .arg(&base)
            .args(args)
            .env_clear()
            .env("PAYSPEC_ACME_API_KEY", key)
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };

    let (code, stdout, stderr) = run(
        KEY,
        &["create_payout", r#"{"amount": 1250, "currency": "EUR"}"#],
    );
    assert_eq!(code, Some(0), "{stderr}");
    let created: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        created,
        json!({"id": "po_1", "amount": 1250, "currency": "EUR", "status": "queued"})
    );

    // The X-Acme-Key header parameter is supplied by the runtime, so the caller never passes it.
    let (code, stdout, stderr) = run(KEY, &["get_payout", "-", "payout_id=po_1", "expand=true"]);
    assert_eq!(code, Some(0), "{stderr}");
    let fetched: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        (
            fetched["id"].as_str(),
            fetched["status"].as_str(),
            fetched["expanded"].as_bool()
        ),
        (Some("po_1"), Some("paid"), Some(true))
    );

    // A wrong key is the vendor's own error, decoded by the pointers in vendor.yaml.
    let (code, _, stderr) = run("wrong", &["get_payout", "-", "payout_id=po_1"]);
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("HTTP 401: vendor error E_KEY: bad key"),
        "{stderr}"
    );

    // The typed client: a failed send() is payspec's error, with the vendor's code.
    let (code, stdout, stderr) = run(KEY, &["typed_get", "po_7"]);
    assert_eq!((code, stdout.trim()), (Some(0), "Some(Paid)"), "{stderr}");
    let (code, _, stderr) = run("wrong", &["typed_get", "po_7"]);
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("vendor_error code: Some(\"E_KEY\")"),
        "{stderr}"
    );
}
