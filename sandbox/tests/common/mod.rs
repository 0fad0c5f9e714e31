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
        "offer_id": "7c9a9311-7e7d-4739-9abc-34f7db00ff19", "fiat_amount": "10", "fiat_currency": "KES",
        "wallet_address": "T", "payment_method": "mpesa", "order_type": "ON_RAMP_BUY"
    }))
    .unwrap()
}

/// A OneKey cashout to create, with this external id.
pub fn cashout(external: &str) -> onekey::types::CashoutRequest {
    serde_json::from_value(json!({"external_id": external, "country": "BR", "amount": 1, "document_id": "1", "beneficiary_name": "A", "notification_url": "u"})).unwrap()
}

/// A vendor's demo credentials (what the sandbox accepts when PAYSPEC_* is unset).
pub fn demo(vendor: &str) -> payspec::Credentials {
    let profile = payspec::vendor(vendor).unwrap().profile().unwrap();
    profile
        .credentials
        .keys()
        .fold(payspec::Credentials::new(), |c, name| {
            c.with(name.clone(), payspec_runtime::demo_credential(vendor, name))
        })
}
