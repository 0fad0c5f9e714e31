//! What both corpus tests need: the sandbox serving every corpus vendor, typed bodies from
//! JSON, and what the sandbox saw of a call.

#![allow(dead_code)]

/// The sandbox serving every corpus vendor from its spec, on a free loopback port.
pub async fn sandbox() -> payspec_sandbox::Running {
    let sandbox = payspec_sandbox::Sandbox::from_entries(payspec_corpus::VENDORS).unwrap();
    sandbox.start(([127, 0, 0, 1], 0).into()).await.unwrap()
}

/// A generated body type from JSON.
pub fn body<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
    serde_json::from_value(value).unwrap()
}

/// What the sandbox saw of the last call to `operation`, with its auth headers redacted.
pub fn exchange(
    running: &payspec_sandbox::Running,
    vendor: &str,
    operation: &str,
) -> payspec_sandbox::Exchange {
    running
        .sandbox
        .exchanges()
        .into_iter()
        .rev()
        .find(|e| e.vendor == vendor && e.operation.as_deref() == Some(operation))
        .unwrap_or_else(|| panic!("no {vendor} {operation} reached the sandbox"))
}

/// A merchant's webhook receiver on a free loopback port: each delivery's headers and body
/// are kept as received. Its URL, and what it got so far.
pub async fn receiver() -> (
    String,
    std::sync::Arc<std::sync::Mutex<Vec<(axum::http::HeaderMap, axum::body::Bytes)>>>,
) {
    type Got = std::sync::Arc<std::sync::Mutex<Vec<(axum::http::HeaderMap, axum::body::Bytes)>>>;
    let got = Got::default();
    let app = axum::Router::new()
        .fallback(
            |axum::extract::State(got): axum::extract::State<Got>,
             headers: axum::http::HeaderMap,
             body: axum::body::Bytes| async move {
                got.lock().unwrap().push((headers, body));
                "ok"
            },
        )
        .with_state(got.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{address}/webhooks"), got)
}

/// The sandbox serving every corpus vendor, sending its webhooks to `url`.
pub async fn sandbox_sending_to(url: &str) -> payspec_sandbox::Running {
    let sandbox = payspec_sandbox::Sandbox::from_entries(payspec_corpus::VENDORS)
        .unwrap()
        .webhook_url(url);
    sandbox.start(([127, 0, 0, 1], 0).into()).await.unwrap()
}

/// Waits (up to 10 s) until the receiver has `n` deliveries.
pub async fn deliveries(
    got: &std::sync::Mutex<Vec<(axum::http::HeaderMap, axum::body::Bytes)>>,
    n: usize,
) -> Vec<(axum::http::HeaderMap, axum::body::Bytes)> {
    for _ in 0..500 {
        if got.lock().unwrap().len() >= n {
            return got.lock().unwrap().clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("{n} webhook deliveries did not arrive");
}
