//! Secrets never appear in output: Debug of every type holding one, every error message, and
//! tracing at TRACE level from every crate (this binary installs a global subscriber, so it
//! holds this one test alone).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use common::{cashout, demo, invoice, start};

use std::sync::{Arc, Mutex};

use common::demo_credential;
use payspec::{Settings, onekey, paywall, rio, westminister, xpays};

/// A writer shared with the tracing subscriber, to read back everything logged.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Everything a user could see (Debug of every type holding a secret, every error message,
/// tracing at TRACE level from every crate) contains no credential, signature or token.
#[tokio::test]
async fn no_secret_in_any_output() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("trace"))
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();
    let mut seen = String::new();

    let sandbox = start().await;
    let settings = |vendor: &str| {
        Settings::new()
            .sandbox(sandbox.url())
            .credentials(demo(vendor))
    };
    let rio = rio::Client::with_settings(settings("rio")).unwrap();
    let onekey = onekey::Client::with_settings(settings("onekey")).unwrap();
    let xpays = xpays::Client::with_settings(settings("xpays")).unwrap();
    let paywall = paywall::Client::with_settings(settings("paywall")).unwrap();
    let westminister = westminister::Client::with_settings(settings("westminister")).unwrap();
    seen += &format!(
        "{rio:?}{onekey:?}{xpays:?}{paywall:?}{westminister:?}{:?}{:?}",
        settings("onekey"),
        demo("xpays")
    );

    rio.create_bulk_crypto_payment()
        .body(rio::types::RequestBulkCryptoPaymentSchema::default())
        .send()
        .await
        .unwrap();
    let id = xpays
        .create_invoice_payment()
        .body(invoice())
        .send()
        .await
        .unwrap()
        .into_inner()
        .id
        .unwrap();
    xpays
        .cancel_payment()
        .body(xpays::types::CancelPaymentBody { id: id.clone() })
        .send()
        .await
        .unwrap();
    let again = xpays
        .cancel_payment()
        .body(xpays::types::CancelPaymentBody { id })
        .send()
        .await
        .unwrap_err();
    seen += &format!("{again}{again:?}");
    onekey
        .create_cashout()
        .body(cashout("secret-check"))
        .send()
        .await
        .unwrap();
    westminister.list_orders().send().await.unwrap();
    let refused = onekey
        .get_cashout_status()
        .body(onekey::types::GetCashoutStatusBody {
            cashout_id: Some(1),
            external_id: None,
        })
        .send()
        .await
        .unwrap_err();
    seen += &format!("{refused}{refused:?}");
    let outcome = payspec_runtime::cancel::Cancel::cancel(
        &paywall,
        &payspec_runtime::cancel::CancelReference::new("x").date("2024-12-12"),
    )
    .await
    .unwrap();
    seen += &format!("{outcome:?}");
    let missing = onekey::Client::with_settings(
        Settings::new().credentials(payspec::Credentials::new().with("login", "demo-onekey-login")),
    )
    .unwrap_err();
    seen += &format!("{missing}{missing:?}");
    let callback = onekey
        .verify_cashout_notification(b"external_id=x&control=00")
        .unwrap_err();
    seen += &format!("{callback}{callback:?}");

    seen += &String::from_utf8_lossy(&captured.0.lock().unwrap());
    assert!(seen.contains("payspec.request"), "tracing captured nothing");
    let mut secrets: Vec<String> = ["rio", "onekey", "xpays", "paywall", "westminister"]
        .iter()
        .flat_map(|vendor| {
            let profile = payspec::vendor(vendor).unwrap().profile().unwrap();
            profile
                .credentials
                .keys()
                .map(|name| demo_credential(vendor, name))
                .collect::<Vec<_>>()
        })
        .collect();
    // Bearer tokens the sandbox issued, and signatures (the sandbox log has their first 8 chars only).
    secrets.push("v4.local.sandbox-".into());
    for secret in &secrets {
        assert!(
            !seen.contains(secret.as_str()),
            "{secret:?} appears in the output"
        );
    }
    for exchange in sandbox.sandbox.exchanges() {
        for (name, value) in exchange.auth_headers {
            if name.eq_ignore_ascii_case("x-signature")
                || name.eq_ignore_ascii_case("payload-signature")
            {
                assert!(value.ends_with("…[redacted]"), "{value}");
            }
        }
    }
}
