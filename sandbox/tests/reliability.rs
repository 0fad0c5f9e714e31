//! Reliability and secrecy of the runtime against the sandbox's faults.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use common::{faulty, invoice, start};

use payspec::{Error, RetryPolicy, Settings, onekey, paywall, rio, westminister, xpays};
use payspec_runtime::TransportKind;
use payspec_sandbox::Running;
use serde_json::json;

/// What a call ended as, in a few words.
fn outcome<T>(result: Result<T, Error>) -> String {
    match result {
        Ok(_) => "ok".into(),
        Err(Error::Vendor(e)) => format!("vendor {}", e.status),
        Err(Error::InvalidResponse { status, .. }) => {
            format!("invalid response {}", status.unwrap_or_default())
        }
        Err(Error::Transport(e)) if e.kind == TransportKind::Timeout => "timeout".into(),
        Err(Error::Transport(_)) => "connection".into(),
        Err(other) => format!("other: {other}"),
    }
}

/// Every fault kind against every vendor of the registry, for an operation that may be
/// retried (a GET, or OneKey's status query that vendor.yaml marks) and one that may not (a
/// POST that writes), both taken from the vendor's demo flow: the outcome, and how many
/// requests the sandbox saw, which is what the policy allows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_suite() {
    let sandbox = start().await;
    // (fault, outcome and requests for a retryable call, outcome for a non-retryable one)
    let cases: [(&str, &str, usize, &str); 7] = [
        ("503x2", "ok", 3, "vendor 503"),
        ("429x1", "ok", 2, "vendor 429"),
        ("resetx1", "ok", 2, "connection"),
        ("html", "vendor 502", 3, "vendor 502"),
        ("garbage", "invalid response 200", 1, "invalid response 200"),
        ("slow:800", "timeout", 3, "timeout"),
        ("unknown-enum", "ok", 1, "ok"),
    ];
    let mut table = vec![format!(
        "{:<13} {:<13} {:<24} {:>8}   {:<24} {:>8}",
        "vendor", "fault", "retryable: outcome", "requests", "POST: outcome", "requests"
    )];
    let runs = payspec::VENDORS
        .iter()
        .map(|entry| run_faults(&sandbox, entry, &cases));
    let mut failures = Vec::new();
    for (rows, failed) in futures_util::future::join_all(runs).await {
        table.extend(rows);
        failures.extend(failed);
    }
    println!("{}", table.join("\n"));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// One vendor's rows of the fault table, and what did not go as expected.
async fn run_faults(
    sandbox: &Running,
    entry: &payspec_runtime::VendorEntry,
    cases: &[(&str, &str, usize, &str)],
) -> (Vec<String>, Vec<String>) {
    let probes = common::probes(sandbox, entry).await;
    let (mut rows, mut failures) = (Vec::new(), Vec::new());
    for &(fault, read_expected, read_requests, write_expected) in cases {
        let mut cells = Vec::new();
        let probed = [
            (&probes.read, (read_expected, read_requests)),
            (&probes.write, (write_expected, 1)),
        ];
        for (probe, expected) in probed {
            let Some(request) = probe else {
                cells.push(("-".to_owned(), "-".to_owned()));
                continue;
            };
            let op = request.operation.clone();
            let before = count(sandbox, entry.name, &op);
            let settings = faulty(sandbox, Some(&format!("{fault}@{op}")));
            let got = outcome((entry.call)(settings, request.clone()).await);
            let requests = count(sandbox, entry.name, &op) - before;
            if got != expected.0 || requests != expected.1 {
                failures.push(format!(
                    "{} {fault} {op}: got {got} in {requests} requests, expected {} in {}",
                    entry.name, expected.0, expected.1
                ));
            }
            cells.push((got, requests.to_string()));
        }
        rows.push(format!(
            "{:<13} {fault:<13} {:<24} {:>8}   {:<24} {:>8}",
            entry.name, cells[0].0, cells[0].1, cells[1].0, cells[1].1
        ));
    }
    (rows, failures)
}

fn count(sandbox: &Running, vendor: &str, operation: &str) -> usize {
    sandbox.sandbox.arrivals(vendor, operation) as usize
}

#[tokio::test]
async fn every_retry_is_signed_afresh() {
    let sandbox = start().await;
    let xpays = xpays::Client::with_settings(faulty(&sandbox, None)).unwrap();
    let id = xpays
        .create_invoice_payment()
        .body(invoice())
        .send()
        .await
        .unwrap()
        .into_inner()
        .id
        .unwrap();
    let retried =
        xpays::Client::with_settings(faulty(&sandbox, Some("503x2@get_invoice_payment"))).unwrap();
    retried.get_invoice_payment().id(&id).send().await.unwrap();
    let attempts: Vec<_> = sandbox
        .sandbox
        .exchanges()
        .into_iter()
        .filter(|e| e.operation.as_deref() == Some("get_invoice_payment"))
        .collect();
    assert_eq!(attempts.len(), 3);
    let stamps: Vec<u128> = attempts
        .iter()
        .map(|e| {
            e.auth_headers
                .iter()
                .find(|(n, _)| n == "x-timestamp")
                .unwrap()
                .1
                .parse()
                .unwrap()
        })
        .collect();
    assert!(stamps.windows(2).all(|w| w[0] < w[1]), "{stamps:?}");
    // And the last one was accepted: its signature matched its own, newer timestamp.
    assert_eq!(attempts.last().unwrap().status, 200);
}

#[tokio::test]
async fn an_unknown_status_is_kept_not_fatal() {
    let sandbox = start().await;
    let client = rio::Client::with_settings(faulty(&sandbox, None)).unwrap();
    let id = client
        .create_bulk_crypto_payment()
        .body(rio::types::RequestBulkCryptoPaymentSchema::default())
        .send()
        .await
        .unwrap()
        .into_inner()
        .id
        .unwrap();
    let odd = rio::Client::with_settings(faulty(&sandbox, Some("unknown-enum"))).unwrap();
    let payment = odd
        .get_bulk_crypto_payment()
        .id(&id)
        .send()
        .await
        .unwrap()
        .into_inner();
    let status = payment.status.clone().unwrap();
    assert_eq!(
        status,
        rio::types::BulkPaymentStatus::Unknown("payspecUnknownValue".into())
    );
    assert_eq!(status.to_string(), "payspecUnknownValue");
    // It round-trips unchanged, and known values still parse as their variants.
    assert_eq!(
        serde_json::to_value(&payment).unwrap()["status"],
        "payspecUnknownValue"
    );
    let known: rio::types::BulkPaymentStatus =
        serde_json::from_value(json!("awaitingPayment")).unwrap();
    assert_eq!(known, rio::types::BulkPaymentStatus::AwaitingPayment);
    // Every enum of every vendor is open.
    let order: westminister::types::OrderStatus =
        serde_json::from_value(json!("refunded")).unwrap();
    assert_eq!(
        order,
        westminister::types::OrderStatus::Unknown("refunded".into())
    );
    let crypto: rio::types::Crypto = serde_json::from_value(json!("BTC_LIGHTNING")).unwrap();
    assert_eq!(crypto, rio::types::Crypto::Unknown("BTC_LIGHTNING".into()));
    // OneKey's integer status codes are plain integers: a new code passes through.
    let status: onekey::types::GetCashoutStatusResponse =
        serde_json::from_value(json!({"cashout_status": 9})).unwrap();
    assert_eq!(status.cashout_status.map(|s| *s), Some(9));
}

#[tokio::test]
async fn oversize_and_non_json_bodies_are_typed_errors() {
    let sandbox = start().await;
    let small = faulty(&sandbox, None).max_response_bytes(64);
    let client = rio::Client::with_settings(small).unwrap();
    let error = client
        .create_bulk_crypto_payment()
        .body(rio::types::RequestBulkCryptoPaymentSchema::default())
        .send()
        .await
        .unwrap_err();
    match &error {
        Error::InvalidResponse {
            status, message, ..
        } => {
            assert_eq!(*status, Some(201));
            assert!(message.contains("exceeds 64 bytes"), "{message}");
        }
        other => panic!("{other}"),
    }
    let garbage = rio::Client::with_settings(faulty(&sandbox, Some("garbage"))).unwrap();
    let error = garbage
        .get_bulk_crypto_payment()
        .id("x")
        .send()
        .await
        .unwrap_err();
    let text = error.to_string();
    assert!(
        text.starts_with(
            "HTTP 200: the response did not match the spec: the response body is not JSON"
        ),
        "{text}"
    );
    assert!(
        text.contains("body starts: \"{\\\"data\\\": {\\\"id\\\": \\\"tru\""),
        "{text}"
    );
    let empty = rio::Client::with_settings(faulty(&sandbox, Some("empty"))).unwrap();
    let error = empty
        .get_bulk_crypto_payment()
        .id("x")
        .send()
        .await
        .unwrap_err();
    assert!(
        error.to_string().starts_with(
            "HTTP 200: the response did not match the spec: the response body is empty"
        ),
        "{error}"
    );
    let html =
        rio::Client::with_settings(faulty(&sandbox, Some("html")).retry(RetryPolicy::none()))
            .unwrap();
    let error = html
        .get_bulk_crypto_payment()
        .id("x")
        .send()
        .await
        .unwrap_err();
    let vendor = error.vendor_error().unwrap();
    assert_eq!((vendor.status, vendor.code.as_deref()), (502, None));
    assert!(vendor.excerpt.starts_with("<html>"), "{}", vendor.excerpt);
}

#[test]
fn plain_http_is_refused_off_loopback() {
    let error = rio::Client::with_settings(
        Settings::new()
            .base_url("http://api.rio.example")
            .credentials(payspec::Credentials::new().with("api_key", "k")),
    )
    .unwrap_err();
    assert!(
        error.to_string().contains("refusing plain http://"),
        "{error}"
    );
    for allowed in [
        "http://127.0.0.1:9/rio",
        "http://localhost:9",
        "http://[::1]:9",
        "https://api.rio.example",
    ] {
        rio::Client::with_settings(
            Settings::new()
                .base_url(allowed)
                .credentials(payspec::Credentials::new().with("api_key", "k")),
        )
        .unwrap();
    }
    let explicit = Settings::new()
        .base_url("http://10.0.0.9")
        .allow_insecure_http(true)
        .credentials(payspec::Credentials::new().with("api_key", "k"));
    rio::Client::with_settings(explicit).unwrap();
}

#[test]
fn callbacks_verify_through_the_generated_clients() {
    // Golden vectors computed independently with Python's hashlib / hmac.
    let paywall =
        paywall::Client::with_settings(Settings::new().sandbox("http://127.0.0.1:9")).unwrap();
    let keys = payspec_runtime::callback::CallbackKeys::new().with("system_webhook", "sys-key-4");
    let body = r#"{"Type": 1, "PaymentId": 994838374, "UniqueCode": "AA90T0SD0ASF99", "Amount": 250.00, "Installment": 3, "Hash": "e7adab6c0995f4c7630cc041f82ee6056a5a2db05aa6b5125b378d1fac3d4042", "HashKeyType": 4}"#;
    let payment = paywall.verify_general(&keys, body.as_bytes()).unwrap();
    assert_eq!(
        (payment.payment_id, payment.amount),
        (Some(994838374), Some(250.0))
    );
    assert!(
        paywall
            .verify_general(&keys, body.replace("250.00", "999").as_bytes())
            .is_err()
    );
    let bulk = r#"{"Type": 1, "BulkPaymentId": 3846, "MerchantUniqueCode": "fe4acb15-0b4c-4a6e-9f0e-2a1b3c4d5e6f", "Hash": "fd0858479113770a5e4152ca15652f9a327edd99b73cf3722c9107047c56d5b5", "HashKeyType": 4}"#;
    assert_eq!(
        paywall
            .verify_bulk_payment(&keys, bulk.as_bytes())
            .unwrap()
            .bulk_payment_id,
        Some(3846)
    );

    let credentials = payspec::Credentials::new()
        .with("login", "l")
        .with("pass", "p")
        .with("secret", "onekey-secret");
    let onekey = onekey::Client::with_settings(
        Settings::new()
            .sandbox("http://127.0.0.1:9")
            .credentials(credentials),
    )
    .unwrap();
    let form = "date=2024-02-29+10%3A00&bank_reference_id=E352&external_id=cashoutID2134&cashout_id=11954&control=B2A10436AB12B56BB07BE4BD16462C161C51AEFC8EE3FCE949255B9A377508FB";
    let notification = onekey.verify_cashout_notification(form.as_bytes()).unwrap();
    assert_eq!(
        (
            notification.cashout_id.as_deref(),
            notification.date.as_deref()
        ),
        (Some("11954"), Some("2024-02-29 10:00"))
    );
    let error = onekey
        .verify_cashout_notification(
            form.replace("11954", "11955")
                .replace("cashoutID2134", "x")
                .as_bytes(),
        )
        .unwrap_err();
    assert!(
        error.to_string().contains("control does not match"),
        "{error}"
    );
}
