//! OneKey: login and pass inside the JSON body, Payload-Signature over the exact body bytes.

use crate::assert_every_operation_reached;
use crate::mock::{Mock, ONEKEY_LOGIN, ONEKEY_PASS, ONEKEY_READ_ONLY_KEY, ONEKEY_SECRET};
use payspec::{Credentials, Settings, onekey};

pub fn onekey_client(mock: &Mock, secret: &str) -> onekey::Client {
    let credentials = Credentials::new()
        .with("login", ONEKEY_LOGIN)
        .with("pass", ONEKEY_PASS)
        .with("secret", secret)
        .with("read_only_key", ONEKEY_READ_ONLY_KEY);
    onekey::Client::with_settings(
        Settings::new()
            .base_url(mock.base("/onekey/v3"))
            .group_base_url("banks", mock.base("/onekey/v1"))
            .credentials(credentials),
    )
    .unwrap()
}

fn cashout_request(external_id: &str) -> onekey::types::CashoutRequest {
    serde_json::from_value(serde_json::json!({
        "external_id": external_id, "country": "BR", "amount": 100.5, "document_id": "84932568207",
        "beneficiary_name": "Ana", "notification_url": "https://merchant.test/notify"
    }))
    .unwrap()
}

#[tokio::test]
async fn onekey_create_status_cancel_with_signed_bodies() {
    let mock = Mock::start();
    let client = onekey_client(&mock, ONEKEY_SECRET);

    let created = client
        .create_cashout()
        .body(cashout_request("e-100"))
        .send()
        .await
        .unwrap()
        .into_inner();
    let cashout_id: i64 = created.cashout_id.as_deref().unwrap().parse().unwrap();

    let status = client
        .get_cashout_status()
        .body(onekey::types::GetCashoutStatusBody {
            cashout_id: Some(cashout_id),
            external_id: None,
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(status.cashout_status.map(|s| *s), Some(0));

    let cancelled = client
        .cancel_cashout()
        .body(onekey::types::CancelCashoutBody {
            cashout_id,
            external_id: "e-100".into(),
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(cancelled.cashout_status, Some(2));
    assert_eq!(
        cancelled.cashout_status_description.as_deref(),
        Some("Canceled")
    );

    // What went on the wire: a DELETE whose body carries login and pass, signed over its bytes.
    let seen = mock.seen();
    let cancel = seen
        .iter()
        .find(|s| s.path == "/onekey/v3/cashout/cancel")
        .unwrap();
    assert_eq!(cancel.method, "DELETE");
    let body: serde_json::Value = serde_json::from_slice(&cancel.body).unwrap();
    assert_eq!(body["login"], ONEKEY_LOGIN);
    assert_eq!(body["pass"], ONEKEY_PASS);
    assert_eq!(body["cashout_id"], cashout_id);
    assert_eq!(seen.len(), 3);

    // Put on hold and released: PENDING <-> ON_HOLD only.
    let held = client
        .create_cashout()
        .body(cashout_request("e-101"))
        .send()
        .await
        .unwrap()
        .into_inner();
    let held_id: i64 = held.cashout_id.unwrap().parse().unwrap();
    let update = |status: &str| {
        client.update_cashout_status().body(
            serde_json::from_value::<onekey::types::UpdateCashoutStatusBody>(
                serde_json::json!({"cashout_id": held_id, "status": status}),
            )
            .unwrap(),
        )
    };
    let on_hold = update("ON_HOLD").send().await.unwrap().into_inner();
    assert_eq!(on_hold.cashout_status.map(|s| *s), Some(5));
    let again = update("ON_HOLD").send().await.unwrap_err();
    assert_eq!(
        again.vendor_error().and_then(|v| v.code.as_deref()),
        Some("510")
    );
    assert_eq!(
        update("PENDING")
            .send()
            .await
            .unwrap()
            .into_inner()
            .cashout_status
            .map(|s| *s),
        Some(0)
    );
    let put = mock
        .seen()
        .into_iter()
        .rfind(|s| s.method == "PUT")
        .unwrap();
    let body: serde_json::Value = serde_json::from_slice(&put.body).unwrap();
    assert_eq!(
        body["cashout_id"], held_id,
        "an integer on the wire, not {}",
        body["cashout_id"]
    );

    // The bank codes: another host path (/v1), the read-only key as a bearer, nothing signed.
    let banks = client
        .list_authorized_banks()
        .iso_code("BR")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(banks.len(), 2);
    let santander = client
        .get_authorized_bank()
        .iso_code("BR")
        .bank("33")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(santander.ispb_code, Some(90400888));
    let seen = mock.seen();
    let read = seen
        .iter()
        .find(|s| s.path == "/onekey/v1/country/BR/authorized-banks")
        .unwrap();
    assert_eq!(
        read.headers["authorization"],
        format!("Bearer {ONEKEY_READ_ONLY_KEY}")
    );
    assert!(read.headers.get("payload-signature").is_none() && read.body.is_empty());
    assert_every_operation_reached("onekey", "/onekey/v3", &[("banks", "/onekey/v1")], &seen);
}

#[tokio::test]
async fn onekey_the_read_only_key_is_optional_until_a_bank_call() {
    let mock = Mock::start();
    let credentials = Credentials::new()
        .with("login", ONEKEY_LOGIN)
        .with("pass", ONEKEY_PASS)
        .with("secret", ONEKEY_SECRET);
    let client = onekey::Client::with_settings(
        Settings::new()
            .base_url(mock.base("/onekey/v3"))
            .group_base_url("banks", mock.base("/onekey/v1"))
            .credentials(credentials),
    )
    .unwrap();
    client
        .create_cashout()
        .body(cashout_request("e-102"))
        .send()
        .await
        .unwrap();
    let error = client
        .list_authorized_banks()
        .iso_code("BR")
        .send()
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("PAYSPEC_ONEKEY_READ_ONLY_KEY"),
        "{error}"
    );
    assert!(
        !mock
            .seen()
            .iter()
            .any(|s| s.path.contains("authorized-banks")),
        "nothing was sent"
    );
}

#[tokio::test]
async fn onekey_cancelling_twice_is_a_typed_412_with_the_vendor_code() {
    let mock = Mock::start();
    let client = onekey_client(&mock, ONEKEY_SECRET);
    let created = client
        .create_cashout()
        .body(cashout_request("e-200"))
        .send()
        .await
        .unwrap()
        .into_inner();
    let cashout_id: i64 = created.cashout_id.unwrap().parse().unwrap();
    let cancel = || {
        client
            .cancel_cashout()
            .body(onekey::types::CancelCashoutBody {
                cashout_id,
                external_id: "e-200".into(),
            })
    };
    cancel().send().await.unwrap();

    let error = cancel().send().await.unwrap_err();
    let vendor = error
        .vendor_error()
        .unwrap_or_else(|| panic!("not a vendor error: {error}"));
    assert_eq!(vendor.status, 412);
    assert_eq!(vendor.code.as_deref(), Some("510"));
    assert_eq!(vendor.message.as_deref(), Some("Invalid status transition"));
    assert_eq!(
        error.to_string(),
        "onekey cancel_cashout: HTTP 412: vendor error 510: Invalid status transition"
    );
}

#[tokio::test]
async fn onekey_a_delivered_cashout_cannot_be_cancelled() {
    let mock = Mock::start();
    let client = onekey_client(&mock, ONEKEY_SECRET);
    let created = client
        .create_cashout()
        .body(cashout_request("e-300"))
        .send()
        .await
        .unwrap()
        .into_inner();
    let cashout_id: i64 = created.cashout_id.unwrap().parse().unwrap();
    mock.set_cashout_status(cashout_id, 4);
    let error = client
        .cancel_cashout()
        .body(onekey::types::CancelCashoutBody {
            cashout_id,
            external_id: "e-300".into(),
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        error.vendor_error().and_then(|v| v.code.as_deref()),
        Some("510")
    );
}

#[tokio::test]
async fn onekey_a_wrong_secret_is_rejected_by_the_signature_check() {
    let mock = Mock::start();
    let client = onekey_client(&mock, "not-the-secret");
    let error = client
        .create_cashout()
        .body(cashout_request("e-400"))
        .send()
        .await
        .unwrap_err();
    let vendor = error.vendor_error().unwrap();
    assert_eq!((vendor.status, vendor.code.as_deref()), (401, Some("302")));
    assert!(!error.to_string().contains("not-the-secret"));
}

#[test]
fn a_missing_credential_names_its_variable() {
    // SAFETY-free: this variable is read by this test only.
    let error = onekey::Client::with_settings(
        Settings::new().credentials(Credentials::new().with("login", "l").with("pass", "p")),
    )
    .unwrap_err();
    assert!(
        error.to_string().contains("PAYSPEC_ONEKEY_SECRET"),
        "{error}"
    );
}

#[test]
fn client_debug_output_redacts_credentials() {
    let mock = Mock::start();
    let client = onekey_client(&mock, ONEKEY_SECRET);
    let text = format!("{client:?}");
    for secret in [ONEKEY_LOGIN, ONEKEY_PASS, ONEKEY_SECRET] {
        assert!(!text.contains(secret), "{text}");
    }
    assert!(text.contains("onekey"), "{text}");
}
