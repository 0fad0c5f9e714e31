//! Paywall: public and private header-key pairs chosen per operation, two hosts (PaymentAPI and
//! PaymentPrivateAPI), the envelope `{ErrorCode, Result, Message, Body}` whose `Result: false`
//! inside an HTTP 200 is a failure, a multipart file upload, and callbacks whose hash key the
//! payload's HashKeyType chooses.

use crate::assert_every_operation_reached;
use crate::mock::{Mock, PAYWALL_KEYS};
use payspec::{Credentials, Settings, paywall};
use paywall::types;
use serde_json::json;

fn credentials(private_key: &str) -> Credentials {
    PAYWALL_KEYS
        .iter()
        .fold(Credentials::new(), |c, (name, value)| {
            c.with(
                *name,
                if *name == "apikeyprivate" {
                    private_key
                } else {
                    value
                },
            )
        })
}

/// A client sending PaymentAPI calls to `public` and PaymentPrivateAPI calls to `private`.
fn client(public: &Mock, private: &Mock, private_key: &str) -> paywall::Client {
    paywall::Client::with_settings(
        Settings::new()
            .base_url(public.base("/paywall"))
            .group_base_url("private", private.base("/paywall"))
            .credentials(credentials(private_key)),
    )
    .unwrap()
}

fn body<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
    serde_json::from_value(value).unwrap()
}

fn date() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2024, 12, 12).unwrap()
}

fn payment(code: &str) -> serde_json::Value {
    json!({
        "PaymentDetail": {"Amount": 10.5, "MerchantUniqueCode": code, "CurrencyId": 1, "Installment": 1, "ClientIP": "127.0.0.1",
                          "MerchantSuccessBackUrl": "https://merchant.test/ok", "MerchantFailBackUrl": "https://merchant.test/fail"},
        "Card": {"OwnerName": "Ana Yilmaz", "Number": "4111111111111111", "ExpireMonth": "12", "ExpireYear": "2030", "Cvv": "000"},
        "Customer": {"FullName": "Ana Yilmaz", "Phone": "5550000000", "Email": "ana@example.com", "Country": "TR", "City": "Istanbul", "Address": "Kadikoy"},
        "Products": [{"ProductId": "P1", "ProductName": "Kit", "ProductCategory": "Books", "ProductDescription": "A kit", "ProductAmount": 10.5}]
    })
}

#[tokio::test]
async fn public_calls_go_to_one_host_and_private_calls_to_the_other() {
    let public = Mock::start();
    let private = public.second_host();
    let client = client(&public, &private, PAYWALL_KEYS[2].1);
    public_operations(&client).await;
    private_operations(&client).await;

    for s in public.seen() {
        assert!(
            !s.path.contains("/private/"),
            "{} went to the public host",
            s.path
        );
        assert!(s.headers.contains_key("apikeypublic") && !s.headers.contains_key("apikeyprivate"));
    }
    for s in private.seen() {
        assert!(
            s.path.starts_with("/paywall/api/paywall/private/"),
            "{} went to the private host",
            s.path
        );
        assert_eq!(s.headers["apikeyprivate"], PAYWALL_KEYS[2].1);
        assert!(!s.headers.contains_key("apikeypublic"));
    }
    let mut seen = public.seen();
    seen.extend(private.seen());
    assert_every_operation_reached("paywall", "/paywall", &[("private", "/paywall")], &seen);
}

async fn public_operations(client: &paywall::Client) {
    let cancel = || {
        client
            .cancel_bulk_payment()
            .body(types::CancelBulkPaymentBody {
                date: date(),
                merchant_unique_code: "8279c96e-2775-4ecf-b594-3cb8fb265f88".into(),
            })
    };
    let queued = cancel().send().await.unwrap().into_inner();
    assert_eq!(
        (
            queued.result,
            queued.bulk_payment_id,
            queued.total_payment_count
        ),
        (Some(true), Some(389), Some(6))
    );
    let error = cancel().send().await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "paywall cancel_bulk_payment: HTTP 200: vendor error 7: The operation has already been completed"
    );
    let list = client
        .cancel_bulk_list()
        .body(body::<types::CancelBulkListBody>(json!({"Payments": [{"MerchantUniqueCode": "BB11", "Date": "2024-12-12"}], "CallbackUrl": "https://merchant.test/bulk"})))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(list.payment_results.len(), 1);

    let direct = client
        .start_direct_payment()
        .body(body::<types::StartDirectRequest>(payment("web-1")))
        .send()
        .await
        .unwrap()
        .into_inner();
    let started = direct.payment.unwrap();
    assert_eq!(started.merchant_unique_key.as_deref(), Some("web-1"));
    let three_d = client
        .start3d_payment()
        .body(body::<types::Start3dRequest>(payment("web-2")))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(
        three_d
            .redirect_url
            .unwrap()
            .starts_with("https://agent.test/3d/")
    );
    client
        .cancel_provision()
        .body(body::<types::CancelProvisionBody>(
            json!({"MerchantUniqueCode": "FF55", "Date": "2024-06-13"}),
        ))
        .send()
        .await
        .unwrap();

    // The file upload goes as multipart/form-data: text fields and the file part.
    let file = payspec_runtime::multipart::Part::new(
        "payments.txt",
        "text/plain",
        b"4111111111111111,12/30,10.50,1\n5555555555554444,11/29,20.00,2\n".to_vec(),
    );
    let form = types::StartBulkFilePaymentBody {
        file_format: 5,
        file_pattern: 1,
        file,
        amount: None,
        callback_address: Some("https://merchant.test/file".into()),
        callback_body_compression: None,
        currency_id: Some(1),
        half2_d: None,
        installment: None,
        merchant_unique_code: None,
        tracking_code: None,
    };
    let uploaded = client
        .start_bulk_file_payment()
        .body(form)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (uploaded.total_records, uploaded.message.as_deref()),
        (Some(2), Some("payments.txt"))
    );
}

async fn private_operations(client: &paywall::Client) {
    let refund = || {
        client
            .refund_payment()
            .body(body::<types::RefundPaymentBody>(
                json!({"Date": "2024-12-12", "MerchantUniqueCode": "DD33"}),
            ))
    };
    assert_eq!(refund().send().await.unwrap().into_inner(), None);
    assert_eq!(
        refund()
            .send()
            .await
            .unwrap_err()
            .vendor_error()
            .and_then(|v| v.code.as_deref()),
        Some("7")
    );
    let partial = client
        .partial_refund()
        .body(body::<types::PartialRefundBody>(
            json!({"MerchantUniqueCode": "BB11", "Date": "2024-06-13", "Amount": 500}),
        ))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        partial.vendor_error().and_then(|v| v.code.as_deref()),
        Some("65"),
        "more than the payment"
    );
    client
        .partial_refund()
        .body(body::<types::PartialRefundBody>(
            json!({"MerchantUniqueCode": "BB11", "Date": "2024-06-13", "Amount": 20}),
        ))
        .send()
        .await
        .unwrap();
    client
        .partial_refund_by_payment_id()
        .body(types::PartialRefundByPaymentIdBody {
            date: date(),
            payment_id: 994838375,
            amount: 10.5,
            market_place: None,
        })
        .send()
        .await
        .unwrap();
    client
        .partial_refund_by_unique_code()
        .body(body::<types::PartialRefundByUniqueCodeBody>(json!({"UniqueCode": "0c2a9a52-1a86-4d5e-9a53-7d2b1c8b5f01", "Date": "2024-06-13", "Amount": 5})))
        .send()
        .await
        .unwrap();
    client.revert_payment().body(body::<types::RevertPaymentBody>(json!({"UniqueCode": "0c2a9a52-1a86-4d5e-9a53-7d2b1c8b5f01", "MerchantUniqueCode": "BB11", "Amount": 0}))).send().await.unwrap();
    client
        .refund_payment_by_unique_code()
        .body(body::<types::RefundPaymentByUniqueCodeBody>(
            json!({"Date": "2024-12-12", "UniqueCode": "cdd14b16-74fd-4f3b-863f-fccb3ec80baf"}),
        ))
        .send()
        .await
        .unwrap();
    client
        .cancel_payment_by_unique_code()
        .body(body::<types::CancelPaymentByUniqueCodeBody>(
            json!({"Date": "2024-12-12", "UniqueCode": "3b1e2f0a-6a3c-4f7e-8f2d-0d9c8b7a6e02"}),
        ))
        .send()
        .await
        .unwrap();
    let unknown = client
        .revert_payment_by_payment_id()
        .body(types::RevertPaymentByPaymentIdBody {
            payment_id: 1,
            amount: Some(0.0),
            market_place: None,
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        unknown.vendor_error().and_then(|v| v.code.as_deref()),
        Some("-1")
    );
    let web = client
        .query_payment()
        .merchantuniquecode("web-1")
        .send()
        .await
        .unwrap()
        .into_inner();
    let web_id = web.paywall.as_ref().and_then(|p| p.payment_id).unwrap();
    client
        .cancel_payment()
        .body(body::<types::CancelPaymentBody>(
            json!({"MerchantUniqueCode": "web-1", "Date": "2024-12-12"}),
        ))
        .send()
        .await
        .unwrap();
    let again = client
        .query_payment_by_payment_id()
        .paymentid(web_id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(again.paywall.and_then(|p| p.any_success_cancel), Some(true));
    let by_code = client
        .query_payment_by_unique_code()
        .uniquecode("9f8e7d6c-5b4a-4321-8fed-cba987654303")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        by_code.paywall.and_then(|p| p.status_name).as_deref(),
        Some("refunded")
    );
    let tracked = client
        .query_payments_by_tracking_code()
        .trackingcode("T-994838374")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(tracked.list.len(), 1);
    let products = client
        .query_payments_by_product_id()
        .productid("P1")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(!products.list.is_empty());
    client
        .revert_payment_by_payment_id()
        .body(types::RevertPaymentByPaymentIdBody {
            payment_id: web_id + 1,
            amount: Some(0.0),
            market_place: None,
        })
        .send()
        .await
        .unwrap_err();
}

#[tokio::test]
async fn a_wrong_private_key_is_refused_with_code_77() {
    let public = Mock::start();
    let private = public.second_host();
    let error = client(&public, &private, "wrong")
        .refund_payment()
        .body(body::<types::RefundPaymentBody>(
            json!({"Date": "2024-12-12", "MerchantUniqueCode": "BB11"}),
        ))
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
        (200, Some("77"), Some("Invalid credentials"))
    );
    assert!(!error.to_string().contains("wrong"));
}

#[test]
fn callbacks_choose_their_key_by_hash_key_type() {
    let public = Mock::start();
    let private = public.second_host();
    let client = client(&public, &private, PAYWALL_KEYS[2].1);
    let keys = payspec_runtime::callback::CallbackKeys::new()
        .with("three_d_callback", "3d-key-1")
        .with("system_webhook", "sys-key-4");
    // Hashes computed outside payspec: sha256("key###fields…") with Python's hashlib.
    let three_d = "paymentId=994838374&uniqueCode=AA90T0SD0ASF99&paymentCode=cdd14b16&amount=101.50&installment=1&status=Success&hash=535baa069f55544c5ccde4f5eb958766d17c7a945a8236edbea031338732e936";
    let form = client.verify_three_d(&keys, three_d.as_bytes()).unwrap();
    assert_eq!(
        (form.unique_code.as_deref(), form.amount.as_deref()),
        (Some("AA90T0SD0ASF99"), Some("101.50"))
    );
    assert!(
        client
            .verify_three_d(&keys, three_d.replace("101.50", "101.5").as_bytes())
            .is_err(),
        "the amount as received is hashed"
    );

    let bulk = r#"{"Type":1,"BulkPaymentId":3846,"MerchantUniqueCode":"fe4acb15-0b4c-4a6e-9f0e-2a1b3c4d5e6f","Payments":[{"PaymentId":1,"Amount":10.5,"MerchantUniqueCode":"m1","CurrencyId":1,"Installment":1}],"DurationTime":55.0534627,"Hash":"fd0858479113770a5e4152ca15652f9a327edd99b73cf3722c9107047c56d5b5","HashFormat":"BulkPayment","HashKeyType":4}"#;
    let parsed = client.verify_bulk_payment(&keys, bulk.as_bytes()).unwrap();
    assert_eq!(
        (parsed.type_, parsed.payments.len(), parsed.hash_key_type),
        (Some(1), 1, Some(4))
    );
    // A payload naming another key type needs that key.
    let payout = bulk.replace("\"HashKeyType\":4", "\"HashKeyType\":5");
    let error = client
        .verify_bulk_payment(&keys, payout.as_bytes())
        .unwrap_err();
    assert!(error.to_string().contains("payout_webhook"), "{error}");
    assert!(!format!("{keys:?}").contains("sys-key-4"));
}
