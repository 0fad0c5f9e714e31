//! The sandbox as a real check: every vendor's auth failures are refused the way the vendor
//! documents, a client that disagrees with the sandbox's recipe fails, bodies are validated, and
//! faults come when asked.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use common::start;

use std::time::Duration;

use common::demo_credential;
use hmac::{KeyInit, Mac};
use payspec::{Credentials, Error, Settings, onekey, paywall, rio, westminister, xpays};
use payspec_sandbox::{FAULT_HEADER, Sandbox};
use serde_json::{Value, json};

/// The vendor's demo credentials, with one replaced.
fn credentials(vendor: &str, names: &[&str], replace: Option<(&str, &str)>) -> Credentials {
    let mut credentials = Credentials::new();
    for name in names {
        let value = match replace {
            Some((n, v)) if n == *name => v.to_owned(),
            _ => demo_credential(vendor, name),
        };
        credentials = credentials.with(*name, value);
    }
    credentials
}

fn vendor_error<T>(result: Result<T, Error>) -> payspec::VendorError {
    match result {
        Ok(_) => panic!("expected a vendor error"),
        Err(error) => error
            .vendor_error()
            .cloned()
            .unwrap_or_else(|| panic!("expected a vendor error, got {error}")),
    }
}

fn hmac_hex(key: &str, message: &[u8]) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(message);
    hex::encode(mac.finalize().into_bytes())
}

#[tokio::test]
async fn rio_refuses_a_wrong_key_with_its_error_shape() {
    let sandbox = start().await;
    let settings = Settings::new()
        .sandbox(sandbox.url())
        .credentials(credentials("rio", &["api_key"], Some(("api_key", "wrong"))));
    let client = rio::Client::with_settings(settings).unwrap();
    let error = vendor_error(client.get_bulk_crypto_payment().id("x").send().await);
    assert_eq!(
        (
            error.status,
            error.code.as_deref(),
            error.message.as_deref()
        ),
        (401, Some("UNAUTHORIZED"), Some("Invalid API key"))
    );
}

#[tokio::test]
async fn onekey_refuses_a_wrong_signature_and_a_wrong_pass() {
    let sandbox = start().await;
    let names = ["login", "pass", "secret"];
    let body = onekey::types::GetCashoutStatusBody {
        cashout_id: Some(1),
        external_id: None,
    };
    for replaced in [("secret", "not-the-secret"), ("pass", "not-the-pass")] {
        let settings = Settings::new()
            .sandbox(sandbox.url())
            .credentials(credentials("onekey", &names, Some(replaced)));
        let client = onekey::Client::with_settings(settings).unwrap();
        let error = vendor_error(client.get_cashout_status().body(body.clone()).send().await);
        assert_eq!(
            (error.status, error.code.as_deref()),
            (401, Some("401")),
            "{replaced:?}"
        );
    }
    // And the right ones get through to the state: an unknown cashout is OneKey's 412/509.
    let client = onekey::Client::with_settings(Settings::new().sandbox(sandbox.url())).unwrap();
    let error = vendor_error(client.get_cashout_status().body(body).send().await);
    assert_eq!((error.status, error.code.as_deref()), (412, Some("509")));
}

#[tokio::test]
async fn xpays_refuses_a_wrong_signature_a_stale_timestamp_and_a_wrong_key() {
    let sandbox = start().await;
    let names = ["api_key", "secret"];
    for replaced in [("secret", "wrong-secret"), ("api_key", "key_wrong")] {
        let settings = Settings::new()
            .sandbox(sandbox.url())
            .credentials(credentials("xpays", &names, Some(replaced)));
        let client = xpays::Client::with_settings(settings).unwrap();
        let error = vendor_error(client.get_invoice_payment().id("x").send().await);
        assert_eq!(
            (error.status, error.message.as_deref()),
            (403, Some("Forbidden")),
            "{replaced:?}"
        );
    }
    // A correctly signed request with a timestamp ten minutes old.
    let stale = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis()
        - 600_000)
        .to_string();
    let body = r#"{"id":"x"}"#;
    let signature = hmac_hex(
        &demo_credential("xpays", "secret"),
        format!("{stale}{body}").as_bytes(),
    );
    let response = reqwest::Client::new()
        .post(format!("{}/xpays/v1/payment/cancel", sandbox.url()))
        .header("content-type", "application/json")
        .header("x-api-key", demo_credential("xpays", "api_key"))
        .header("x-timestamp", &stale)
        .header("x-signature", &signature)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"error": "Forbidden"})
    );
    // The same request with a fresh timestamp passes auth (and finds no such payment).
    let fresh = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis()
        .to_string();
    let response = reqwest::Client::new()
        .post(format!("{}/xpays/v1/payment/cancel", sandbox.url()))
        .header("content-type", "application/json")
        .header("x-api-key", demo_credential("xpays", "api_key"))
        .header("x-timestamp", &fresh)
        .header(
            "x-signature",
            hmac_hex(
                &demo_credential("xpays", "secret"),
                format!("{fresh}{body}").as_bytes(),
            ),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn paywall_refuses_the_wrong_pair() {
    let sandbox = start().await;
    let names = [
        "apikeypublic",
        "apiclientpublic",
        "apikeyprivate",
        "apiclientprivate",
    ];
    let settings = Settings::new()
        .sandbox(sandbox.url())
        .credentials(credentials(
            "paywall",
            &names,
            Some(("apikeyprivate", "wrong")),
        ));
    let client = paywall::Client::with_settings(settings).unwrap();
    let refund = paywall::types::RefundPaymentBody {
        date: chrono::NaiveDate::from_ymd_opt(2023, 2, 7).unwrap(),
        merchant_unique_code: "BB11".into(),
        complete_partial_refund: None,
        market_place: None,
    };
    let error = vendor_error(client.refund_payment().body(refund.clone()).send().await);
    assert_eq!((error.status, error.code.as_deref()), (401, Some("77")));
    // The public pair alone does not open a private operation.
    let response = reqwest::Client::new()
        .post(format!(
            "{}/paywall/api/paywall/private/refund",
            sandbox.url()
        ))
        .header("apikeypublic", demo_credential("paywall", "apikeypublic"))
        .header(
            "apiclientpublic",
            demo_credential("paywall", "apiclientpublic"),
        )
        .json(&json!({"Date": "2023-02-07", "MerchantUniqueCode": "BB11"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        (body["Result"].clone(), body["ErrorCode"].clone()),
        (json!(false), json!(77))
    );
}

#[tokio::test]
async fn westminister_refuses_an_expired_token_and_a_wrong_password() {
    let sandbox = start().await;
    sandbox
        .sandbox
        .set_token_lifetime("westminister", 1)
        .unwrap();
    let http = reqwest::Client::new();
    let login: Value = http
        .post(format!("{}/westminister/api/v1/users/login", sandbox.url()))
        .json(&json!({"email": demo_credential("westminister", "email"), "password": demo_credential("westminister", "password")}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["access_token"].as_str().unwrap().to_owned();
    assert_eq!(login["expires_in"], 1);
    let list = || {
        http.get(format!("{}/westminister/api/v1/auth/orders", sandbox.url()))
            .bearer_auth(&token)
            .send()
    };
    assert_eq!(list().await.unwrap().status(), 200);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let expired = list().await.unwrap();
    assert_eq!(expired.status(), 401);
    assert_eq!(
        expired.json::<Value>().await.unwrap(),
        json!({"error": "unauthorized"})
    );

    // Refresh rotates: the old refresh token is refused afterwards.
    let refresh = |rt: String| {
        http.post(format!(
            "{}/westminister/api/v1/auth/refresh",
            sandbox.url()
        ))
        .json(&json!({"refresh_token": rt}))
        .send()
    };
    let first = login["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(refresh(first.clone()).await.unwrap().status(), 200);
    assert_eq!(refresh(first).await.unwrap().status(), 401);

    // The typed client with a wrong password: the login is refused, the call fails once.
    let settings = Settings::new()
        .sandbox(sandbox.url())
        .credentials(credentials(
            "westminister",
            &["email", "password"],
            Some(("password", "wrong")),
        ));
    let client = westminister::Client::with_settings(settings).unwrap();
    let error = vendor_error(client.list_orders().send().await);
    assert_eq!((error.operation.as_str(), error.status), ("login", 401));
}

#[tokio::test]
async fn the_client_keeps_working_across_token_expiry() {
    let sandbox = start().await;
    sandbox
        .sandbox
        .set_token_lifetime("westminister", 1)
        .unwrap();
    let client =
        westminister::Client::with_settings(Settings::new().sandbox(sandbox.url())).unwrap();
    for _ in 0..3 {
        client.list_orders().send().await.unwrap();
        tokio::time::sleep(Duration::from_millis(700)).await;
    }
    sandbox.sandbox.revoke_tokens("westminister").unwrap();
    client.list_orders().send().await.unwrap();
}

/// The sandbox is a check, not a mirror: give it another recipe than the client's and every
/// signed call fails.
#[tokio::test]
async fn a_sandbox_and_a_client_that_disagree_on_the_recipe_do_not_get_along() {
    use payspec_runtime::profile::{Encoding, ValueSource};
    // Every vendor of the registry that signs, with its recipe changed on the sandbox's side
    // only: parts swapped, or hex of the other case. The first step of its demo flow fails.
    for entry in payspec::VENDORS {
        for mutation in ["swap the parts", "upper-case hex"] {
            let mut profile = entry.profile().unwrap();
            let mut signs = false;
            for scheme in profile.auth.schemes.values_mut() {
                for source in scheme.headers.values_mut() {
                    if let ValueSource::HmacSha256(recipe) = source {
                        signs = true;
                        match mutation {
                            "swap the parts" => recipe.message.reverse(),
                            _ => recipe.encoding = Encoding::HexUpper,
                        }
                    }
                }
            }
            if !signs || (mutation == "swap the parts" && !swappable(&entry.profile().unwrap())) {
                continue;
            }
            let honest = start().await;
            let first = common::probes(&honest, entry).await.first;
            let sandbox = Sandbox::new().unwrap().with_profile(profile).unwrap();
            let sandbox = sandbox.start(([127, 0, 0, 1], 0).into()).await.unwrap();
            let settings = Settings::new().sandbox(sandbox.url());
            let error = (entry.call)(settings, first).await.unwrap_err();
            let status = error.vendor_error().map(|e| e.status);
            assert!(
                matches!(status, Some(401 | 403)),
                "{} ({mutation}): {error}",
                entry.name
            );
        }
    }
}

/// Whether reversing a recipe's parts changes the message (more than one part).
fn swappable(profile: &payspec_runtime::profile::Profile) -> bool {
    profile.auth.schemes.values().flat_map(|s| s.headers.values()).any(|source| {
        matches!(source, payspec_runtime::profile::ValueSource::HmacSha256(r) if r.message.len() > 1)
    })
}

#[tokio::test]
async fn bodies_are_validated_against_the_spec_as_written() {
    let sandbox = start().await;
    // A request without the runtime: OneKey's body lacks login/pass and the signature header.
    let response = reqwest::Client::new()
        .post(format!("{}/onekey/v3/cashout", sandbox.url()))
        .json(&json!({"country": "BR"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401, "auth is checked first");

    // Through the client, with a body that the spec rejects (amount must be a number).
    let client = rio::Client::with_settings(Settings::new().sandbox(sandbox.url())).unwrap();
    let ok = client
        .create_bulk_crypto_payment()
        .body(rio::types::RequestBulkCryptoPaymentSchema::default())
        .send()
        .await;
    assert!(ok.is_ok());
    let login = demo_credential("onekey", "login");
    let pass = demo_credential("onekey", "pass");
    let body = json!({"login": login, "pass": pass, "external_id": "e", "country": "BR", "amount": "ten", "document_id": "1", "beneficiary_name": "A", "notification_url": "u"});
    let bytes = serde_json::to_vec(&body).unwrap();
    let response = reqwest::Client::new()
        .post(format!("{}/onekey/v3/cashout", sandbox.url()))
        .header("content-type", "application/json")
        .header(
            "payload-signature",
            hmac_hex(&demo_credential("onekey", "secret"), &bytes),
        )
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["code"], 300);
    assert_eq!(
        error["message"],
        "Invalid params: /amount: expected a number"
    );
}

#[tokio::test]
async fn faults_come_when_asked() {
    let sandbox = start().await;
    let url = format!("{}/rio/api/payments/crypto/bulk/x", sandbox.url());
    let get = |fault: &str| {
        reqwest::Client::new()
            .get(&url)
            .header("x-api-key", demo_credential("rio", "api_key"))
            .header(FAULT_HEADER, fault)
            .send()
    };
    let unavailable = get("503").await.unwrap();
    assert_eq!(
        (
            unavailable.status().as_u16(),
            unavailable.headers()["retry-after"].to_str().unwrap()
        ),
        (503, "1")
    );
    let html = get("html").await.unwrap();
    assert_eq!(html.status(), 502);
    assert!(html.text().await.unwrap().starts_with("<html>"));
    let garbage = get("garbage").await.unwrap();
    assert!(serde_json::from_slice::<Value>(&garbage.bytes().await.unwrap()).is_err());
    match get("reset").await {
        Err(_) => {}
        Ok(response) => assert!(response.bytes().await.is_err(), "the body is cut off"),
    }
    let started = std::time::Instant::now();
    assert_eq!(get("slow:300").await.unwrap().status(), 404);
    assert!(started.elapsed() >= Duration::from_millis(300));

    // unknown-enum: the typed client meets a status the spec does not list.
    let client = rio::Client::with_settings(Settings::new().sandbox(sandbox.url())).unwrap();
    let id = client
        .create_bulk_crypto_payment()
        .body(rio::types::RequestBulkCryptoPaymentSchema::default())
        .send()
        .await
        .unwrap()
        .into_inner()
        .id
        .unwrap();
    let raw: Value = reqwest::Client::new()
        .get(format!(
            "{}/rio/api/payments/crypto/bulk/{id}",
            sandbox.url()
        ))
        .header("x-api-key", demo_credential("rio", "api_key"))
        .header(FAULT_HEADER, "unknown-enum")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(raw["status"], "payspecUnknownValue");
}

#[tokio::test]
async fn unknown_faults_and_bodies_that_are_not_json_are_refused() {
    let sandbox = start().await;
    let url = format!("{}/rio/api/payments/crypto/bulk/x", sandbox.url());
    for fault in ["reste", "slow:soon", "503@", "503x99999999999"] {
        let response = reqwest::Client::new()
            .get(&url)
            .header("x-api-key", demo_credential("rio", "api_key"))
            .header(FAULT_HEADER, fault)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{fault}");
        let text = response.text().await.unwrap();
        assert!(text.contains(FAULT_HEADER), "{fault}: {text}");
    }
    // A body that is not JSON: a 400 in each vendor's own error shape, before anything else.
    let cases = [
        ("onekey/v3/cashout", "code", json!(300)),
        (
            "rio/api/payments/crypto/bulk",
            "message",
            json!("Invalid request: the body is not JSON: expected ident at line 1 column 2"),
        ),
        (
            "xpays/v1/payment/cancel",
            "error",
            json!("Invalid request: the body is not JSON: expected ident at line 1 column 2"),
        ),
        (
            "paywall/api/paywall/payment/bulk/payment/cancel",
            "ErrorCode",
            json!(2),
        ),
        (
            "westminister/api/v1/users/login",
            "error",
            json!("invalid request: the body is not JSON: expected ident at line 1 column 2"),
        ),
    ];
    for (path, field, expected) in cases {
        let response = reqwest::Client::new()
            .post(format!("{}/{path}", sandbox.url()))
            .header("content-type", "application/json")
            .body("not json")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body[field], expected, "{path}: {body}");
    }
}

#[tokio::test]
async fn memory_is_bounded_records_evicted_and_the_log_a_ring() {
    let options = payspec_sandbox::Options {
        max_records: 3,
        log_capacity: 5,
        ..Default::default()
    };
    let sandbox = payspec_sandbox::Sandbox::with_options(payspec::VENDORS, options)
        .unwrap()
        .start(([127, 0, 0, 1], 0).into())
        .await
        .unwrap();
    let client =
        payspec::onekey::Client::with_settings(Settings::new().sandbox(sandbox.url())).unwrap();
    let mut ids = Vec::new();
    for n in 0..5 {
        let created = client
            .create_cashout()
            .body(common::cashout(&format!("bounded-{n}")))
            .send()
            .await
            .unwrap();
        ids.push(
            created
                .into_inner()
                .cashout_id
                .unwrap()
                .parse::<i64>()
                .unwrap(),
        );
    }
    assert_eq!(sandbox.sandbox.records("onekey", "cashout"), 3);
    let status = |id: i64| {
        client
            .get_cashout_status()
            .body(payspec::onekey::types::GetCashoutStatusBody {
                cashout_id: Some(id),
                external_id: None,
            })
            .send()
    };
    let evicted = vendor_error(status(ids[0]).await);
    assert_eq!(
        (evicted.status, evicted.code.as_deref()),
        (412, Some("509")),
        "the oldest is gone"
    );
    status(ids[4]).await.unwrap();
    assert_eq!(
        sandbox.sandbox.exchanges().len(),
        5,
        "the log keeps the newest 5"
    );
    assert_eq!(
        sandbox
            .sandbox
            .exchanges()
            .last()
            .unwrap()
            .operation
            .as_deref(),
        Some("get_cashout_status")
    );
}

/// The demo (which `payspec demo` and the CLI's demo test run through the generated clients
/// against this sandbox) calls every operation of every vendor at least once.
#[test]
fn the_demo_calls_every_operation_of_every_vendor() {
    let mut missing = Vec::new();
    for entry in payspec::VENDORS {
        let profile = entry.profile().unwrap();
        for operation in entry.operations {
            if !profile
                .sandbox
                .demo
                .iter()
                .any(|step| step.operation == operation.id)
            {
                missing.push(format!("{}.{}", entry.name, operation.id));
            }
        }
    }
    assert!(missing.is_empty(), "no demo step calls: {missing:?}");
}
