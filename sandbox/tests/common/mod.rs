//! Helpers shared by the sandbox's test binaries.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use payspec::{onekey, westminister, xpays};
use payspec_sandbox::{Running, Sandbox};
use serde_json::json;

/// The sandbox with every vendor, on an ephemeral loopback port.
pub async fn start() -> Running {
    Sandbox::new()
        .unwrap()
        .start(([127, 0, 0, 1], 0).into())
        .await
        .unwrap()
}

/// An xpays invoice to create.
pub fn invoice() -> xpays::types::CreateInvoicePaymentBody {
    serde_json::from_value(json!({"order_id": "1", "amount": "2", "from_fiat_currency": "USD", "to_crypto_currency": "USDT", "chain": "tron"})).unwrap()
}

/// A CoinPool on-ramp order to create.
pub fn order() -> westminister::types::CreateOrderRequest {
    serde_json::from_value(json!({
        "customer_id": "b523ed51-a7e0-4c53-8ac2-3c0b7e1c9cd5", "vendor_id": "5c81c005-1c52-4e0d-85e2-862ee1cdd4d0",
        "offer_id": "7c9a9311-7e7d-4739-9abc-34f7db00ff19", "usdt_amount": "0.07", "fiat_amount": "10", "fiat_currency": "KES",
        "wallet_address": "T", "payment_method": "mpesa", "order_type": "ON_RAMP_BUY", "expires_at": "2030-01-01T00:00:00Z"
    }))
    .unwrap()
}

/// A OneKey cashout to create, with this external id.
pub fn cashout(external: &str) -> onekey::types::CashoutRequest {
    serde_json::from_value(json!({"external_id": external, "country": "BR", "amount": 1, "document_id": "1", "beneficiary_name": "A", "notification_url": "u"})).unwrap()
}

/// A vendor's demo credentials (what the sandbox accepts when PAYSPEC_* is unset).
pub fn demo(vendor: &str) -> payspec::Credentials {
    payspec::Credentials::demo(&payspec::vendor(vendor).unwrap().profile().unwrap())
}

/// One demo credential, as the vendor's profile gives it (its `demo:` value, or the default).
#[allow(dead_code)]
pub fn demo_credential(vendor: &str, credential: &str) -> String {
    let profile = payspec::vendor(vendor).unwrap().profile().unwrap();
    profile.demo_credential(credential)
}

/// Calls a vendor's operations by name, as the registry offers them: the first demo steps of
/// its vendor.yaml, filled in as the demo fills them (earlier steps run without faults).
pub struct Probes {
    /// The first step of the flow.
    pub first: payspec_runtime::CallRequest,
    /// The first step whose operation may be retried (a read).
    pub read: Option<payspec_runtime::CallRequest>,
    /// The first step whose operation may not be retried and can be repeated (it creates, or
    /// moves a record to a state it may leave again).
    pub write: Option<payspec_runtime::CallRequest>,
}

/// The probes of a vendor, against a running sandbox.
pub async fn probes(running: &Running, entry: &payspec_runtime::VendorEntry) -> Probes {
    use payspec_runtime::profile::sandbox::{Expectation, ResourceOperation};
    use payspec_runtime::profile::template::render_value;
    let profile = entry.profile().unwrap();
    let settings = payspec::Settings::new().sandbox(running.url());
    let mut outputs = std::collections::BTreeMap::new();
    let (mut first, mut read, mut write) = (None, None, None);
    for step in profile
        .sandbox
        .demo
        .iter()
        .filter(|s| matches!(s.expect, Expectation::Ok) && s.before.is_none())
    {
        let lookup = |name: &str| outputs.get(name).cloned();
        let args = step
            .args
            .iter()
            .map(|(k, v)| {
                let value = render_value(&serde_json::Value::String(v.clone()), &lookup).unwrap();
                (
                    k.clone(),
                    value
                        .as_str()
                        .map(str::to_owned)
                        .unwrap_or_else(|| value.to_string()),
                )
            })
            .collect();
        let body = step
            .body
            .as_ref()
            .map(|b| render_value(b, &lookup).unwrap());
        let request = payspec_runtime::CallRequest {
            operation: step.operation.clone(),
            args,
            body,
        };
        let operation = entry.operation(&step.operation).unwrap();
        let repeatable =
            profile
                .sandbox
                .resources
                .values()
                .any(|r| match r.operations.get(&step.operation) {
                    Some(ResourceOperation::Create { .. }) => true,
                    Some(ResourceOperation::Transition { from, to, .. }) => {
                        to.iter().all(|(field, value)| {
                            from.get(field)
                                .is_some_and(|allowed| allowed.contains(value))
                        })
                    }
                    _ => false,
                });
        first.get_or_insert_with(|| request.clone());
        if profile.may_retry(operation.id, operation.method) {
            read.get_or_insert_with(|| request.clone());
        } else if repeatable {
            write.get_or_insert_with(|| request.clone());
        }
        let outcome = (entry.call)(settings.clone(), request).await.unwrap();
        if let Some(name) = &step.name {
            outputs.insert(name.clone(), outcome.body);
        }
        if read.is_some() && write.is_some() {
            break;
        }
    }
    Probes {
        first: first.unwrap(),
        read,
        write,
    }
}

/// Settings for fault tests: quick backoff, short attempts, a fault header on every request.
pub fn faulty(sandbox: &Running, fault: Option<&str>) -> payspec::Settings {
    use std::time::Duration;
    let mut settings = payspec::Settings::new().sandbox(sandbox.url());
    if let Some(fault) = fault {
        settings = settings.header(
            payspec_sandbox::FAULT_HEADER.parse().unwrap(),
            fault.parse().unwrap(),
        );
    }
    settings
        .retry(payspec::RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(20),
            max_backoff: Duration::from_secs(2),
        })
        .timeouts(payspec::Timeouts {
            connect: Duration::from_secs(2),
            attempt: Duration::from_millis(500),
            call: Duration::from_secs(10),
        })
}
