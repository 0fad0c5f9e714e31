//! xpays: x-api-key, x-timestamp (Unix ms) and x-signature = hex(HMAC(secret, timestamp + body)),
//! responses wrapped in `{"data": …}`, errors `{"error": …}`.

use crate::mock::{Mock, XPAYS_API_KEY, XPAYS_SECRET};
use payspec::{Credentials, Settings, xpays};

fn client(mock: &Mock, secret: &str) -> xpays::Client {
    let credentials = Credentials::new()
        .with("api_key", XPAYS_API_KEY)
        .with("secret", secret);
    xpays::Client::with_settings(
        Settings::new()
            .base_url(mock.base("/xpays"))
            .credentials(credentials),
    )
    .unwrap()
}

fn invoice(order_id: &str) -> xpays::types::CreateInvoicePaymentBody {
    serde_json::from_value(serde_json::json!({
        "order_id": order_id, "amount": "2", "from_fiat_currency": "USD", "to_crypto_currency": "USDT", "chain": "tron",
        "url_success": "https://merchant.test/ok"
    }))
    .unwrap()
}

#[tokio::test]
async fn create_get_cancel_get_with_signed_requests() {
    let mock = Mock::start();
    let client = client(&mock, XPAYS_SECRET);

    // The caller gets the payment itself: the runtime opened the {"data": …} envelope.
    let created: xpays::types::Payment = client
        .create_invoice_payment()
        .body(invoice("391"))
        .send()
        .await
        .unwrap()
        .into_inner();
    let id = created.id.clone().unwrap();
    assert_eq!(created.order_id.as_deref(), Some("391"));
    assert_eq!(created.payment_amount, Some(2.006488233020612));

    let fetched = client
        .get_invoice_payment()
        .id(&id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(fetched.status.as_deref(), Some("WAITING"));

    let cancelled = client
        .cancel_payment()
        .body(xpays::types::CancelPaymentBody { id: id.clone() })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (
            cancelled.payment_status.as_deref(),
            cancelled.status.as_deref()
        ),
        (Some("PAYMENT_CANCELED"), Some("CANCELED"))
    );
    let fetched = client
        .get_invoice_payment()
        .id(&id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(fetched.status.as_deref(), Some("CANCELED"));

    // Every request carried a millisecond timestamp; the GET signed the empty body.
    for seen in mock.seen() {
        let timestamp = seen.headers["x-timestamp"].to_str().unwrap();
        assert_eq!(timestamp.len(), 13, "{timestamp}");
        assert!(
            seen.headers["x-signature"]
                .to_str()
                .unwrap()
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
    }
}

#[tokio::test]
async fn errors_in_the_body_are_vendor_errors_whatever_the_status() {
    let mock = Mock::start();
    let client = client(&mock, XPAYS_SECRET);
    let id = client
        .create_invoice_payment()
        .body(invoice("1"))
        .send()
        .await
        .unwrap()
        .into_inner()
        .id
        .unwrap();
    client
        .cancel_payment()
        .body(xpays::types::CancelPaymentBody { id: id.clone() })
        .send()
        .await
        .unwrap();

    let again = client
        .cancel_payment()
        .body(xpays::types::CancelPaymentBody { id })
        .send()
        .await
        .unwrap_err();
    let vendor = again.vendor_error().unwrap();
    assert_eq!(
        (vendor.status, vendor.message.as_deref()),
        (400, Some("Payment already canceled"))
    );

    // HTTP 200 with {"error": …}: the envelope's rule makes it a failure.
    let missing = client
        .get_invoice_payment()
        .id("nope")
        .send()
        .await
        .unwrap_err();
    let vendor = missing
        .vendor_error()
        .unwrap_or_else(|| panic!("{missing}"));
    assert_eq!(
        (vendor.status, vendor.message.as_deref()),
        (200, Some("Payment not found"))
    );
}

#[tokio::test]
async fn a_wrong_secret_is_forbidden() {
    let mock = Mock::start();
    let error = client(&mock, "wrong")
        .create_invoice_payment()
        .body(invoice("2"))
        .send()
        .await
        .unwrap_err();
    let vendor = error.vendor_error().unwrap();
    assert_eq!(
        (vendor.status, vendor.message.as_deref()),
        (403, Some("Forbidden"))
    );
}
