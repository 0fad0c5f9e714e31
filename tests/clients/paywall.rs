//! Paywall: public and private header-key pairs chosen per operation, and the envelope
//! `{ErrorCode, Result, Message, Body}` whose `Result: false` inside an HTTP 200 is a failure.

use crate::mock::{Mock, PAYWALL_KEYS};
use payspec::{Credentials, Settings, paywall};

fn client(mock: &Mock, private_key: &str) -> paywall::Client {
    let mut credentials = Credentials::new();
    for (name, value) in PAYWALL_KEYS {
        credentials = credentials.with(
            name,
            if name == "apikeyprivate" {
                private_key
            } else {
                value
            },
        );
    }
    paywall::Client::with_settings(
        Settings::new()
            .base_url(mock.base("/paywall"))
            .credentials(credentials),
    )
    .unwrap()
}

fn date() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2024, 12, 12).unwrap()
}

#[tokio::test]
async fn batch_cancel_hands_over_the_typed_body_then_code_7() {
    let mock = Mock::start();
    let client = client(&mock, PAYWALL_KEYS[2].1);
    let cancel = || {
        client
            .cancel_bulk_payment()
            .body(paywall::types::CancelBulkPaymentBody {
                date: date(),
                merchant_unique_code: "8279c96e-2775-4ecf-b594-3cb8fb265f88".into(),
            })
    };
    let body = cancel().send().await.unwrap().into_inner();
    assert_eq!(
        (body.result, body.bulk_payment_id, body.total_payment_count),
        (Some(true), Some(389), Some(6))
    );

    let error = cancel().send().await.unwrap_err();
    let vendor = error.vendor_error().unwrap_or_else(|| panic!("{error}"));
    assert_eq!(vendor.status, 200);
    assert_eq!(vendor.code.as_deref(), Some("7"));
    assert_eq!(
        vendor.message.as_deref(),
        Some("The operation has already been completed")
    );
    assert_eq!(
        error.to_string(),
        "paywall cancel_bulk_payment: HTTP 200: vendor error 7: The operation has already been completed"
    );

    // The public operation carried the public pair only.
    let seen = mock.seen();
    assert!(seen.iter().all(
        |s| s.headers.contains_key("apikeypublic") && !s.headers.contains_key("apikeyprivate")
    ));
}

#[tokio::test]
async fn private_operations_use_the_private_pair() {
    let mock = Mock::start();
    let client = client(&mock, PAYWALL_KEYS[2].1);

    let refund = || {
        client
            .refund_payment()
            .body(paywall::types::RefundPaymentBody {
                date: date(),
                merchant_unique_code: "AA90T0SD0ASF99".into(),
            })
    };
    assert_eq!(refund().send().await.unwrap().into_inner(), None);
    let error = refund().send().await.unwrap_err();
    assert_eq!(
        error.vendor_error().and_then(|v| v.code.as_deref()),
        Some("7")
    );

    client
        .partial_refund_by_payment_id()
        .body(paywall::types::PartialRefundByPaymentIdBody {
            date: date(),
            payment_id: 994838375,
            amount: 101.5,
            market_place: None,
        })
        .send()
        .await
        .unwrap();
    let unknown = client
        .partial_refund_by_payment_id()
        .body(paywall::types::PartialRefundByPaymentIdBody {
            date: date(),
            payment_id: 1,
            amount: 1.0,
            market_place: None,
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        unknown.vendor_error().and_then(|v| v.code.as_deref()),
        Some("-1")
    );

    client
        .cancel_payment_by_unique_code()
        .body(paywall::types::CancelPaymentByUniqueCodeBody {
            date: date(),
            unique_code: "0000-0000-0000-0003".into(),
            market_place: None,
        })
        .send()
        .await
        .unwrap();

    let reverted = client
        .revert_payment_by_payment_id()
        .body(paywall::types::RevertPaymentByPaymentIdBody {
            payment_id: 994838377,
            amount: Some(0.0),
            market_place: None,
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        reverted.map(|body| body["Reverted"].clone()),
        Some(serde_json::json!(true))
    );

    let seen = mock.seen();
    assert_eq!(seen.len(), 6);
    assert!(
        seen.iter()
            .all(|s| s.headers["apikeyprivate"] == PAYWALL_KEYS[2].1
                && !s.headers.contains_key("apikeypublic"))
    );
}

#[tokio::test]
async fn a_wrong_private_key_is_refused() {
    let mock = Mock::start();
    let error = client(&mock, "wrong")
        .refund_payment()
        .body(paywall::types::RefundPaymentBody {
            date: date(),
            merchant_unique_code: "BB11".into(),
        })
        .send()
        .await
        .unwrap_err();
    let vendor = error.vendor_error().unwrap();
    assert_eq!(
        (
            vendor.status,
            vendor.code.as_deref(),
            vendor.message.as_deref()
        ),
        (401, Some("401"), Some("Unauthorized"))
    );
}
