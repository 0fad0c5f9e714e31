//! Rio: the x-api-key header.

use crate::mock::{Mock, RIO_API_KEY};
use payspec::{Credentials, Settings, rio};

fn rio_client(mock: &Mock, key: &str) -> rio::Client {
    let settings = Settings::new()
        .base_url(mock.base("/rio"))
        .credentials(Credentials::new().with("api_key", key));
    rio::Client::with_settings(settings).unwrap()
}

#[tokio::test]
async fn rio_every_operation_with_the_api_key() {
    let mock = Mock::start();
    let client = rio_client(&mock, RIO_API_KEY);

    let created = client
        .create_bulk_crypto_payment()
        .body(rio::types::RequestBulkCryptoPaymentSchema {
            crypto: Some(rio::types::Crypto::UsdcPolygon),
            country: Some(rio::types::Country::Mx),
            user_id: Some("6757546b4c5d19bf3cd7b09c".into()),
        })
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let id = created.into_inner().id.unwrap();

    let fetched = client
        .get_bulk_crypto_payment()
        .id(&id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        fetched.status,
        Some(rio::types::BulkPaymentStatus::AwaitingPayment)
    );
    assert_eq!(fetched.crypto, Some(rio::types::Crypto::UsdcPolygon));

    let cancelled = client
        .cancel_bulk_crypto_payment()
        .id(&id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        cancelled.status,
        Some(rio::types::BulkPaymentStatus::Cancelled)
    );

    let payout = client
        .create_bulk_crypto_payout()
        .body(rio::types::RequestBulkCryptoPayoutSchema {
            payout_address_id: "65ba521a4b3e1bd9eb6a5107".into(),
            country: rio::types::Country::Pe,
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    let payout_id = payout.id.unwrap();
    let payout = client
        .get_bulk_crypto_payout()
        .id(&payout_id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        payout.status,
        Some(rio::types::BulkPaymentStatus::AwaitingOrders)
    );

    let webhook = client
        .register_webhook()
        .type_(rio::types::RegisterWebhookType::BankAccounts)
        .body(rio::types::RequestWebhookSchema {
            url: "https://merchant.test/rio".into(),
            user_id: None,
            retry_on_failure: Some(true),
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(webhook.id.as_deref(), Some("wh_bank-accounts"));

    let seen = mock.seen();
    assert_eq!(seen.len(), 6);
    assert!(
        seen.iter()
            .all(|s| s.headers.get("x-api-key").unwrap() == RIO_API_KEY)
    );
}

#[tokio::test]
async fn rio_a_wrong_key_and_a_second_cancel_are_vendor_errors() {
    let mock = Mock::start();
    let error = rio_client(&mock, "wrong-key")
        .get_bulk_crypto_payment()
        .id("x")
        .send()
        .await
        .unwrap_err();
    let vendor = error.vendor_error().unwrap();
    assert_eq!(
        (vendor.status, vendor.code.as_deref()),
        (401, Some("UNAUTHORIZED"))
    );
    assert!(!format!("{error:?}").contains("wrong-key"));

    let client = rio_client(&mock, RIO_API_KEY);
    let id = client
        .create_bulk_crypto_payment()
        .body(rio::types::RequestBulkCryptoPaymentSchema::default())
        .send()
        .await
        .unwrap()
        .into_inner()
        .id
        .unwrap();
    client
        .cancel_bulk_crypto_payment()
        .id(&id)
        .send()
        .await
        .unwrap();
    let error = client
        .cancel_bulk_crypto_payment()
        .id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.vendor_error().map(|v| v.status), Some(409));
}
