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
