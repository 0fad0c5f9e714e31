//! An idempotency key in a header (Stripe's recipe: `Idempotency-Key`, and
//! `Stripe-Should-Retry` as the vendor's word on retrying), against a loopback server that
//! records every key it receives.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use payspec_runtime::profile::Profile;
use payspec_runtime::{Answer, Credentials, Error, OperationMeta, RetryPolicy, Runtime, Settings};

static CREATE: [OperationMeta; 1] = [OperationMeta {
    id: "create_charge",
    method: "POST",
    path: "/v1/charges",
    summary: "",
    params: &[],
    body: Some(true),
    supplied_by_runtime: &[],
    returns_body: true,
    server_group: None,
    multipart: false,
    form: false,
    media: None,
    idempotent: true,
    paged: false,
}];

/// Stripe's recipe, in vendor.yaml's terms (as JSON).
const PROFILE: &str = r#"{
    "vendor": "acme", "title": "Acme",
    "servers": {"production": "https://api.acme.example"}, "default_server": "production",
    "credentials": {"api_key": {}},
    "auth": {"default": "key", "schemes": {"key": {"headers": {"Authorization": {"template": "Bearer {api_key}"}}}}},
    "idempotency": {"key": {"header": "Idempotency-Key"}, "max_length": 40, "retry_hint": "Stripe-Should-Retry"}
}"#;

/// The answers to give, in order (status, `Stripe-Should-Retry`), then 200; and the keys seen.
#[derive(Default)]
struct Script {
    answers: Vec<(u16, Option<&'static str>)>,
    keys: Vec<Option<String>>,
}

fn script(answers: Vec<(u16, Option<&'static str>)>) -> Arc<Mutex<Script>> {
    Arc::new(Mutex::new(Script {
        answers,
        keys: Vec::new(),
    }))
}

async fn serve(script: Arc<Mutex<Script>>) -> String {
    let app = axum::Router::new().fallback(move |headers: HeaderMap| {
        let script = script.clone();
        async move {
            let mut script = script.lock().unwrap();
            let key = headers
                .get("idempotency-key")
                .map(|v| v.to_str().unwrap().to_owned());
            script.keys.push(key);
            let (status, hint) = if script.answers.is_empty() {
                (200, None)
            } else {
                script.answers.remove(0)
            };
            let mut response =
                axum::response::Response::new(axum::body::Body::from(r#"{"id": "ch_1"}"#));
            *response.status_mut() = StatusCode::from_u16(status).unwrap();
            if let Some(hint) = hint {
                response
                    .headers_mut()
                    .insert("stripe-should-retry", hint.parse().unwrap());
            }
            response
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{address}")
}

fn runtime(base: &str) -> Runtime {
    let profile: Profile = serde_json::from_str(PROFILE).unwrap();
    let settings = Settings::new()
        .base_url(base)
        .credentials(Credentials::new().with("api_key", "sk_test_1"))
        .retry(RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_secs(1),
        });
    Runtime::with_profile(profile, &CREATE, settings).unwrap()
}

async fn create(runtime: &Runtime, key: Option<&str>) -> Result<Answer, Error> {
    let url = format!("{}/v1/charges", runtime.base_url());
    let mut request = runtime.http_client().post(url).body("{}");
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    runtime
        .send(request.build().unwrap(), "create_charge")
        .await
}

fn keys(script: &Arc<Mutex<Script>>) -> Vec<Option<String>> {
    script.lock().unwrap().keys.clone()
}

#[tokio::test]
async fn the_vendors_retry_hint_retries_a_write_with_the_same_key() {
    let script = script(vec![(409, Some("true"))]);
    let runtime = runtime(&serve(script.clone()).await);
    let answer = create(&runtime, None).await.unwrap();
    let keys = keys(&script);
    assert_eq!(keys.len(), 2, "a 409 the vendor says to retry is retried");
    let key = keys[0].clone().expect("a key was sent");
    assert_eq!(
        keys[1].as_deref(),
        Some(key.as_str()),
        "the same key on both attempts"
    );
    assert_eq!(key.len(), 36, "a UUID: {key}");
    assert_eq!(answer.idempotency_key().as_deref(), Some(key.as_str()));
}

#[tokio::test]
async fn the_vendors_word_against_retrying_is_kept_even_for_a_server_error() {
    let script = script(vec![(503, Some("false"))]);
    let runtime = runtime(&serve(script.clone()).await);
    let error = create(&runtime, Some("charge-7")).await.unwrap_err();
    assert_eq!(error.vendor_error().unwrap().status, 503);
    assert_eq!(error.idempotency_key(), Some("charge-7"));
    assert_eq!(keys(&script), [Some("charge-7".to_owned())]);
}

#[tokio::test]
async fn a_keyed_write_is_retried_after_server_errors_with_the_callers_key_as_given() {
    let script = script(vec![(502, None), (503, None)]);
    let runtime = runtime(&serve(script.clone()).await);
    let answer = create(&runtime, Some("charge-8")).await.unwrap();
    assert_eq!(answer.idempotency_key().as_deref(), Some("charge-8"));
    assert_eq!(keys(&script), vec![Some("charge-8".to_owned()); 3]);
}

#[tokio::test]
async fn a_callers_key_over_the_vendors_limit_is_refused_before_sending() {
    let script = script(Vec::new());
    let runtime = runtime(&serve(script.clone()).await);
    let error = create(&runtime, Some(&"k".repeat(41))).await.unwrap_err();
    assert!(matches!(error, Error::InvalidRequest(_)), "{error}");
    assert!(error.to_string().contains("at most 40"), "{error}");
    assert!(keys(&script).is_empty(), "nothing sent");
}
