//! Writes retried safely: CoinPool's OTC deposit drafts take an idempotency key in the body
//! (vendor.yaml `idempotency:`), the client makes one per call and sends it on every attempt,
//! and the sandbox replays the first answer to a key. Money must not move twice, nor silently
//! not move.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use common::start;

use std::time::Duration;

use payspec::{IDEMPOTENCY_KEY_HEADER, Settings, Stage, westminister};
use payspec_sandbox::Running;
use serde_json::json;

const DRAFT: &str = "create_otc_deposit_draft";

/// The fault suite's settings, with attempts long enough for a create.
fn settings(sandbox: &Running, fault: Option<&str>) -> Settings {
    let mut settings = common::faulty(sandbox, fault);
    settings.timeouts.attempt = Duration::from_secs(2);
    settings
}

fn draft(amount: &str, key: Option<&str>) -> westminister::types::CreateOtcDepositDraftBody {
    let mut body = json!({"method": "mpesa", "fiat_amount": amount, "fiat_currency": "KES"});
    if let Some(key) = key {
        body["idempotency_key"] = json!(key);
    }
    serde_json::from_value(body).unwrap()
}

/// Deposits held, and draft requests received, so far.
fn counts(sandbox: &Running) -> (usize, u64) {
    (
        sandbox.sandbox.records("westminister", "otc_deposit"),
        sandbox.sandbox.arrivals("westminister", DRAFT),
    )
}

fn deposit_id(response: &westminister::types::CreateOtcDepositDraftResponse) -> String {
    let deposit = serde_json::to_value(response).unwrap();
    deposit["deposit"]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_write_whose_reply_is_lost_is_retried_with_its_key_and_acts_once() {
    let sandbox = start().await;
    let client = westminister::Client::with_settings(settings(
        &sandbox,
        Some("lost-replyx1@create_otc_deposit_draft"),
    ))
    .unwrap();
    let before = counts(&sandbox);
    let response = client
        .create_otc_deposit_draft()
        .body(draft("5000.00", None))
        .send()
        .await
        .unwrap();
    let after = counts(&sandbox);
    assert_eq!(
        after.1 - before.1,
        2,
        "the lost reply was followed by one retry"
    );
    assert_eq!(after.0 - before.0, 1, "one deposit, not two");
    let key = response.headers()[IDEMPOTENCY_KEY_HEADER].to_str().unwrap();
    assert_eq!(key.len(), 36, "a UUID made for the call: {key}");
    assert!(!deposit_id(&response).is_empty());
}

#[tokio::test]
async fn a_callers_key_is_sent_as_given_and_a_replay_answers_the_first_deposit() {
    let sandbox = start().await;
    let client = westminister::Client::with_settings(settings(&sandbox, None)).unwrap();
    let first = client
        .create_otc_deposit_draft()
        .body(draft("10.00", Some("order-42")))
        .send()
        .await
        .unwrap();
    assert_eq!(first.headers()[IDEMPOTENCY_KEY_HEADER], "order-42");
    let held = counts(&sandbox).0;
    let again = client
        .create_otc_deposit_draft()
        .body(draft("10.00", Some("order-42")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        deposit_id(&again),
        deposit_id(&first),
        "the key the caller gave is the key sent"
    );
    assert_eq!(
        counts(&sandbox).0,
        held,
        "the replay made no second deposit"
    );
}

#[tokio::test]
async fn a_key_reused_with_another_body_is_the_vendors_error_and_not_retried() {
    let sandbox = start().await;
    let client = westminister::Client::with_settings(settings(&sandbox, None)).unwrap();
    client
        .create_otc_deposit_draft()
        .body(draft("10.00", Some("k-reused")))
        .send()
        .await
        .unwrap();
    let before = counts(&sandbox);
    let error = client
        .create_otc_deposit_draft()
        .body(draft("99.00", Some("k-reused")))
        .send()
        .await
        .unwrap_err();
    let vendor = error.vendor_error().expect("a vendor error");
    assert_eq!(vendor.status, 422, "{error}");
    assert_eq!(error.idempotency_key(), Some("k-reused"));
    assert!(
        error.to_string().contains("idempotency key k-reused"),
        "{error}"
    );
    assert_eq!(
        counts(&sandbox),
        (before.0, before.1 + 1),
        "sent once, nothing created"
    );
}

#[tokio::test]
async fn an_outcome_unknown_names_its_key_and_that_key_reconciles_the_call() {
    let sandbox = start().await;
    // Every attempt's reply is lost: the deposit exists, and the caller cannot know.
    let lost = westminister::Client::with_settings(settings(
        &sandbox,
        Some("lost-reply@create_otc_deposit_draft"),
    ))
    .unwrap();
    let before = counts(&sandbox);
    let error = lost
        .create_otc_deposit_draft()
        .body(draft("70.00", None))
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.stage(), Stage::OutcomeUnknown, "{error}");
    let key = error
        .idempotency_key()
        .expect("the key is in the error")
        .to_owned();
    assert!(error.to_string().contains(&key), "{error}");
    assert_eq!(counts(&sandbox).1 - before.1, 3, "three attempts, one key");
    assert_eq!(counts(&sandbox).0 - before.0, 1, "acted on once");

    // Reconciled: the same call with the key from the error learns the outcome.
    let client = westminister::Client::with_settings(settings(&sandbox, None)).unwrap();
    let known = client
        .create_otc_deposit_draft()
        .body(draft("70.00", Some(&key)))
        .send()
        .await
        .unwrap();
    assert!(!deposit_id(&known).is_empty());
    assert_eq!(counts(&sandbox).0 - before.0, 1, "still one deposit");
}

#[tokio::test]
async fn a_write_with_no_key_declared_is_sent_once() {
    let sandbox = start().await;
    let client =
        westminister::Client::with_settings(settings(&sandbox, Some("lost-reply@create_order")))
            .unwrap();
    let orders = || sandbox.sandbox.records("westminister", "order");
    let arrivals = || sandbox.sandbox.arrivals("westminister", "create_order");
    let (held, sent) = (orders(), arrivals());
    let error = client
        .create_order()
        .body(common::order())
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.stage(), Stage::OutcomeUnknown, "{error}");
    assert_eq!(error.idempotency_key(), None);
    assert_eq!(
        arrivals() - sent,
        1,
        "a write without a key is never sent twice"
    );
    assert_eq!(orders() - held, 1);
}
