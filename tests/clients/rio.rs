//! Rio: the x-api-key header.

use crate::assert_every_operation_reached;
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
            country: rio::types::PayoutCountry::Pe,
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
        Some(rio::types::BulkPayoutStatus::AwaitingOrders)
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

    orders_and_bank_rails(&client).await;
    let seen = mock.seen();
    assert_every_operation_reached("rio", "/rio", &[], &seen);
    assert!(
        seen.iter()
            .all(|s| s.headers.get("x-api-key").unwrap() == RIO_API_KEY)
    );
}

fn body<T: serde::de::DeserializeOwned>(json: serde_json::Value) -> T {
    serde_json::from_value(json).unwrap()
}

/// Quotes, orders, addresses, bank accounts and the bank bulk payouts and payments.
async fn orders_and_bank_rails(client: &rio::Client) {
    use rio::types;
    let address = client
        .create_address()
        .body(body::<types::CreateAddressBody>(serde_json::json!({"address": "0xAf56edF88c429F1D6858f9E47731FF53F6d34D0C", "crypto": "USDC_POLYGON", "label": "treasury"})))
        .send()
        .await
        .unwrap()
        .into_inner();
    let address_id = address.id.unwrap();
    assert_eq!(
        client
            .get_address()
            .id(&address_id)
            .send()
            .await
            .unwrap()
            .into_inner()
            .approved,
        Some(false)
    );
    assert_eq!(
        client
            .get_addresses()
            .page(1)
            .limit(10)
            .send()
            .await
            .unwrap()
            .into_inner()
            .len(),
        1
    );

    let account = client
        .create_a_bank_account()
        .body(body::<types::CreateABankAccountBody>(serde_json::json!({"country": "MX", "fiat": "MXN", "bankName": "BBVA", "accountHolderName": "Ana Lopez", "CLABE": "012180015000000001"})))
        .send()
        .await
        .unwrap()
        .into_inner();
    let account_id = account.id.unwrap();
    let accounts = client
        .get_bank_accounts()
        .country(types::Country::Mx)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(accounts.len(), 1);
    let updated = client
        .update_a_bank_account()
        .id(&account_id)
        .body(body::<types::UpdateABankAccountBody>(
            serde_json::json!({"notes": "payroll"}),
        ))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(updated.notes.as_deref(), Some("payroll"));
    assert_eq!(
        client
            .get_a_bank_account()
            .id(&account_id)
            .send()
            .await
            .unwrap()
            .into_inner()
            .bank_name
            .as_deref(),
        Some("BBVA")
    );
    let bank_payout = client
        .create_bulk_bank_payout()
        .body(body::<types::CreateBulkBankPayoutBody>(
            serde_json::json!({"payoutBankAccountId": account_id}),
        ))
        .send()
        .await
        .unwrap()
        .into_inner();
    let fetched = client
        .get_bulk_bank_payout()
        .id(bank_payout.id.as_deref().unwrap())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        fetched.status,
        Some(types::BulkPayoutStatus::AwaitingOrders)
    );
    assert_eq!(fetched.clabe.as_deref(), Some("012180015000000001"));

    let quote = client
        .create_quote()
        .body(body::<types::CreateQuoteBody>(serde_json::json!({"userId": "6757546b4c5d19bf3cd7b09c", "crypto": "TRX_USDT_S2UZ", "fiat": "MXN", "side": "buy", "amountFiat": 1000, "country": "MX"})))
        .send()
        .await
        .unwrap()
        .into_inner();
    let quote_id = quote.id.unwrap();
    assert_eq!(
        client
            .get_quote_by_id()
            .id(&quote_id)
            .send()
            .await
            .unwrap()
            .into_inner()
            .side,
        Some(types::Side::Buy)
    );
    let order = client
        .create_order()
        .body(body::<types::CreateOrderBody>(serde_json::json!({"quoteId": quote_id, "cryptoAddress": "0xAf56edF88c429F1D6858f9E47731FF53F6d34D0C"})))
        .send()
        .await
        .unwrap()
        .into_inner();
    let order_id = order.id.unwrap();
    assert_eq!(order.status, Some(types::OrderStatus::Created));
    let noted = client
        .update_order()
        .id(&order_id)
        .body(body::<types::UpdateOrderBody>(
            serde_json::json!({"notes": "invoice 42"}),
        ))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(noted.notes.as_deref(), Some("invoice 42"));
    let pay_in = client
        .get_bank_payment()
        .order_id(&order_id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(pay_in.reference.as_deref(), Some("RIO-4521"));
    let payout = client
        .get_a_bank_payout()
        .order_id(&order_id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(payout.origin_bank, Some(types::BankPayoutOriginBank::Spei));
    let cancelled = client
        .cancel_order()
        .id(&order_id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(cancelled.status, Some(types::OrderStatus::Cancelled));
    let second = client
        .create_order()
        .body(body::<types::CreateOrderBody>(
            serde_json::json!({"quoteId": quote_id}),
        ))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        client
            .check_crypto_payment()
            .body(body::<types::CheckCryptoPaymentBody>(
                serde_json::json!({"orderId": second.id})
            ))
            .send()
            .await
            .unwrap()
            .into_inner(),
        "OK"
    );
    let paid = client
        .get_order()
        .id(second.id.as_deref().unwrap())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(paid.status, Some(types::OrderStatus::Paid));
    assert_eq!(
        client.get_orders().send().await.unwrap().into_inner().len(),
        2
    );

    let bulk = client
        .create_bulk_bank_payment()
        .body(body::<types::CreateBulkBankPaymentBody>(
            serde_json::json!({"fiat": "MXN", "country": "MX"}),
        ))
        .send()
        .await
        .unwrap()
        .into_inner();
    let bulk_id = bulk.id.unwrap();
    assert_eq!(
        client
            .get_bulk_bank_payment()
            .id(&bulk_id)
            .send()
            .await
            .unwrap()
            .into_inner()
            .reference
            .as_deref(),
        Some("RIO-4521")
    );
    let cancelled = client
        .cancel_bulk_bank_payment()
        .id(&bulk_id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        cancelled.status,
        Some(types::BulkBankPaymentStatus::Cancelled)
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
