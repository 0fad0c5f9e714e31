//! The unified cancel against the sandbox: every vendor, every outcome it can reach.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use common::{order, start};

use common::demo_credential;
use payspec::{Credentials, Settings, onekey, paywall, rio, westminister, xpays};
use payspec_runtime::UnifiedStatus;
use payspec_runtime::cancel::{Cancel, CancelReference};
use serde_json::json;

fn status<T>(outcome: &payspec_runtime::cancel::CancelOutcome<T>) -> (UnifiedStatus, Option<&str>) {
    (outcome.status, outcome.vendor_status.as_deref())
}

#[tokio::test]
async fn rio() {
    let sandbox = start().await;
    let client = rio::Client::with_settings(Settings::new().sandbox(sandbox.url())).unwrap();
    let new = || {
        client
            .create_bulk_crypto_payment()
            .body(rio::types::RequestBulkCryptoPaymentSchema::default())
    };
    let id = new().send().await.unwrap().into_inner().id.unwrap();
    let cancelled = client.cancel(&CancelReference::new(&id)).await.unwrap();
    assert_eq!(
        status(&cancelled),
        (UnifiedStatus::Cancelled, Some("cancelled"))
    );
    // The typed response is kept.
    assert_eq!(
        cancelled.response.unwrap().status,
        Some(rio::types::BulkPaymentStatus::Cancelled)
    );
    assert_eq!(
        status(&client.cancel(&CancelReference::new(&id)).await.unwrap()),
        (UnifiedStatus::NotCancellable, Some("INVALID_STATUS"))
    );

    let completed = new().send().await.unwrap().into_inner().id.unwrap();
    sandbox
        .sandbox
        .update_record(
            "rio",
            "bulk_payment",
            &completed,
            json!({"status": "complete"}).as_object().unwrap(),
        )
        .unwrap();
    assert_eq!(
        client
            .cancel(&CancelReference::new(&completed))
            .await
            .unwrap()
            .status,
        UnifiedStatus::NotCancellable
    );
    let missing = client
        .cancel(&CancelReference::new("000000000000000000000000"))
        .await
        .unwrap();
    assert_eq!(
        status(&missing),
        (UnifiedStatus::NotFound, Some("NOT_FOUND"))
    );
}

#[tokio::test]
async fn xpays() {
    let sandbox = start().await;
    let client = xpays::Client::with_settings(Settings::new().sandbox(sandbox.url())).unwrap();
    let body = serde_json::from_value::<xpays::types::CreateInvoicePaymentBody>(
        json!({"order_id": "1", "amount": "2", "from_fiat_currency": "USD", "to_crypto_currency": "USDT", "chain": "tron"}),
    )
    .unwrap();
    let id = client
        .create_invoice_payment()
        .body(body)
        .send()
        .await
        .unwrap()
        .into_inner()
        .id
        .unwrap();
    assert_eq!(
        status(&client.cancel(&CancelReference::new(&id)).await.unwrap()),
        (UnifiedStatus::Cancelled, Some("CANCELED"))
    );
    assert_eq!(
        client
            .cancel(&CancelReference::new(&id))
            .await
            .unwrap()
            .status,
        UnifiedStatus::NotCancellable
    );
    let missing = client
        .cancel(&CancelReference::new(
            "00000000-0000-0000-0000-000000000000",
        ))
        .await
        .unwrap();
    assert_eq!(status(&missing), (UnifiedStatus::NotFound, Some("404")));
}

#[tokio::test]
async fn westminister() {
    let sandbox = start().await;
    let client =
        westminister::Client::with_settings(Settings::new().sandbox(sandbox.url())).unwrap();
    let id = client
        .create_order()
        .body(order())
        .send()
        .await
        .unwrap()
        .into_inner()
        .id
        .unwrap();
    assert_eq!(
        status(
            &client
                .cancel(&CancelReference::new(id.to_string()))
                .await
                .unwrap()
        ),
        (UnifiedStatus::Cancelled, Some("cancelled"))
    );
    let paid = client
        .create_order()
        .body(order())
        .send()
        .await
        .unwrap()
        .into_inner()
        .id
        .unwrap();
    client
        .initiate_order_payment()
        .body(westminister::types::InitiateOrderPaymentBody {
            order_id: paid,
            phone_number: "254700000000".into(),
        })
        .send()
        .await
        .unwrap();
    assert_eq!(
        client
            .cancel(&CancelReference::new(paid.to_string()))
            .await
            .unwrap()
            .status,
        UnifiedStatus::NotCancellable
    );
    let missing = client
        .cancel(&CancelReference::new(
            "3c90c3cc-0d44-4b50-8888-8dd25736052a",
        ))
        .await
        .unwrap();
    assert_eq!(missing.status, UnifiedStatus::NotFound);
}

#[tokio::test]
async fn paywall() {
    let sandbox = start().await;
    let client = paywall::Client::with_settings(Settings::new().sandbox(sandbox.url())).unwrap();
    let batch = CancelReference::new("CC22").date("2024-12-12");
    let cancelled = client.cancel(&batch).await.unwrap();
    assert_eq!(status(&cancelled), (UnifiedStatus::Cancelled, None));
    assert_eq!(
        status(&client.cancel(&batch).await.unwrap()),
        (UnifiedStatus::NotCancellable, Some("7"))
    );
    // -1 means "not found | could not be processed | general error": the payment is read
    // back (here it cannot be found either), and the outcome stays unknown.
    let missing = client
        .cancel(&CancelReference::new("no-such-payment").date("2024-12-12"))
        .await
        .unwrap();
    assert_eq!(missing.status, UnifiedStatus::Unknown);
    assert_eq!(
        missing.error.as_ref().and_then(|e| e.code.as_deref()),
        Some("-1")
    );

    // Wrong credentials (code 77, invalid credentials) are an error, not an outcome.
    let mut credentials = Credentials::new();
    for name in [
        "apikeypublic",
        "apiclientpublic",
        "apikeyprivate",
        "apiclientprivate",
    ] {
        credentials = credentials.with(
            name,
            if name == "apikeyprivate" {
                "wrong".into()
            } else {
                demo_credential("paywall", name)
            },
        );
    }
    let stranger = paywall::Client::with_settings(
        Settings::new()
            .sandbox(sandbox.url())
            .credentials(credentials),
    )
    .unwrap();
    let refused = stranger.cancel(&batch).await.unwrap_err();
    assert!(refused.is_auth_failure(), "{refused}");
    assert_eq!(
        refused.vendor_error().and_then(|e| e.code.as_deref()),
        Some("77")
    );

    // Without the date, nothing is sent: the reference is incomplete.
    let error = client.cancel(&CancelReference::new("x")).await.unwrap_err();
    assert!(error.to_string().contains("--date"), "{error}");
}

#[tokio::test]
async fn onekey() {
    let sandbox = start().await;
    let client = onekey::Client::with_settings(Settings::new().sandbox(sandbox.url())).unwrap();
    let create = |external: &str| {
        client.create_cashout().body(
            serde_json::from_value::<onekey::types::CashoutRequest>(json!({
                "external_id": external, "country": "BR", "amount": 10, "document_id": "1", "beneficiary_name": "A", "notification_url": "u"
            }))
            .unwrap(),
        )
    };
    let id = create("c-1")
        .send()
        .await
        .unwrap()
        .into_inner()
        .cashout_id
        .unwrap();
    let reference = CancelReference::new(&id).external_id("c-1");
    assert_eq!(
        status(&client.cancel(&reference).await.unwrap()),
        (UnifiedStatus::Cancelled, Some("2"))
    );
    assert_eq!(
        status(&client.cancel(&reference).await.unwrap()),
        (UnifiedStatus::NotCancellable, Some("510"))
    );

    let delivered = create("c-2")
        .send()
        .await
        .unwrap()
        .into_inner()
        .cashout_id
        .unwrap();
    sandbox
        .sandbox
        .update_record(
            "onekey",
            "cashout",
            &delivered,
            json!({"cashout_status": 4}).as_object().unwrap(),
        )
        .unwrap();
    let refused = client
        .cancel(&CancelReference::new(&delivered).external_id("c-2"))
        .await
        .unwrap();
    assert_eq!(
        status(&refused),
        (UnifiedStatus::NotCancellable, Some("510"))
    );
    assert_eq!(
        refused.error.unwrap().message.as_deref(),
        Some("Invalid status transition")
    );

    let missing = client
        .cancel(&CancelReference::new("999999").external_id("x"))
        .await
        .unwrap();
    assert_eq!(status(&missing), (UnifiedStatus::NotFound, Some("509")));
}
