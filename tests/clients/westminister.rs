//! CoinPool (westminister): bearer tokens the runtime obtains, caches, refreshes with the rotated
//! refresh token, and renews once after a 401; Go-style nullable fields as optional values.

use std::time::Duration;

use crate::mock::{Mock, WESTMINISTER_EMAIL, WESTMINISTER_PASSWORD};
use payspec::{Credentials, Settings, westminister};

fn client(mock: &Mock) -> westminister::Client {
    let credentials = Credentials::new()
        .with("email", WESTMINISTER_EMAIL)
        .with("password", WESTMINISTER_PASSWORD);
    westminister::Client::with_settings(
        Settings::new()
            .base_url(mock.base("/westminister"))
            .credentials(credentials),
    )
    .unwrap()
}

fn new_order() -> westminister::types::CreateOrderRequest {
    serde_json::from_value(serde_json::json!({
        "customer_id": "b523ed51-a7e0-4c53-8ac2-3c0b7e1c9cd5", "vendor_id": "5c81c005-1c52-4e0d-85e2-862ee1cdd4d0",
        "offer_id": "7c9a9311-7e7d-4739-9abc-34f7db00ff19", "usdt_amount": "1200.00", "fiat_amount": "175200.00",
        "fiat_currency": "KES", "wallet_address": "TGzdk5NZ6yFDDp2u35cKDWwSsktCDAR3MW", "payment_method": "mpesa",
        "order_type": "ON_RAMP_BUY"
    }))
    .unwrap()
}

#[tokio::test]
async fn every_operation_with_one_login() {
    let mock = Mock::start();
    let client = client(&mock);
    use westminister::types;

    // The login operations themselves are callable too (without auth).
    let session = client
        .login()
        .body(types::LoginBody {
            email: WESTMINISTER_EMAIL.into(),
            password: WESTMINISTER_PASSWORD.into(),
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(session.expires_in, Some(900));
    let pin = client
        .login_pin()
        .body(types::LoginPinBody {
            email: Some(WESTMINISTER_EMAIL.into()),
            phone_number: None,
            pin: "4321".into(),
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    let rotated = client
        .refresh_token()
        .body(types::RefreshTokenBody {
            refresh_token: pin.refresh_token.unwrap(),
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(rotated.access_token.is_some());

    let order = client
        .create_order()
        .body(new_order())
        .send()
        .await
        .unwrap()
        .into_inner();
    let id = order.id.unwrap();
    assert_eq!(order.status, Some(types::OrderStatus::Pending));
    // {"String": "", "Valid": false} is no value, {"Time": "0001-…", "Valid": false} too.
    assert_eq!(*order.payment_txn_id, None);
    assert_eq!(*order.completed_at, None);
    assert_eq!(
        *order.escrow_network, None,
        "a field the vendor left out is no value"
    );

    client
        .initiate_order_payment()
        .body(types::InitiateOrderPaymentBody {
            order_id: id,
            phone_number: "254712345678".into(),
        })
        .send()
        .await
        .unwrap();
    let listed = client
        .list_orders()
        .page_id(1)
        .page_size(10)
        .send()
        .await
        .unwrap()
        .into_inner();
    let paid = listed.iter().find(|o| o.id == Some(id)).unwrap();
    assert_eq!(paid.mpesa_receipt_number.as_deref(), Some("QK12ABC"));
    assert_eq!(
        paid.completed_at.map(|t| t.to_rfc3339()),
        Some("2025-12-12T08:00:00+00:00".into())
    );
    // And back to the vendor's shape.
    let json = serde_json::to_value(paid).unwrap();
    assert_eq!(
        json["mpesa_receipt_number"],
        serde_json::json!({"String": "QK12ABC", "Valid": true})
    );
    assert_eq!(
        json["payment_txn_id"],
        serde_json::json!({"String": "", "Valid": false})
    );

    let pending = client
        .list_pending_orders()
        .page_id(1)
        .page_size(5)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(pending.len(), 1);
    let cancelled = client
        .cancel_order()
        .id(id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(cancelled.status, Some(types::OrderStatus::Cancelled));
    let again = client.cancel_order().id(id).send().await.unwrap_err();
    assert_eq!(
        again.vendor_error().map(|v| (v.status, v.message.clone())),
        Some((
            409,
            Some("order cannot be cancelled in its current status".into())
        ))
    );

    let user = client
        .get_user_by_email()
        .email(WESTMINISTER_EMAIL)
        .send()
        .await
        .unwrap()
        .into_inner();
    client
        .update_user_pin()
        .id(user.id.unwrap())
        .body(types::UpdateUserPinBody { pin: "9876".into() })
        .send()
        .await
        .unwrap();

    let draft = client
        .create_remittance_off_ramp_order()
        .body(serde_json::from_value::<types::CreateRemittanceOffRampOrderBody>(serde_json::json!({
            "crypto_amount": "50", "asset": "USDT", "fiat_currency": "KES", "payment_phone_number": "254700000000", "sender_name": "Ana"
        })).unwrap())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(draft.status, Some(types::OrderStatus::AwaitingCrypto));
    assert_eq!(draft.sender_name.as_deref(), Some("Ana"));
    assert_eq!(draft.offer_id, None);
    let confirmed = client
        .confirm_custodial_draft()
        .id(draft.id.unwrap())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(confirmed.status, Some(types::OrderStatus::Processing));

    // One explicit login above plus exactly one by the runtime for all authenticated calls.
    let (logins, refreshes, _) = mock.token_calls();
    assert_eq!((logins, refreshes), (2, 1));
}

#[tokio::test]
async fn an_expiring_token_is_refreshed_with_the_rotated_refresh_token() {
    let mock = Mock::start();
    mock.set_token_lifetime(1);
    let client = client(&mock);
    for _ in 0..3 {
        client.list_orders().send().await.unwrap();
        // The token lives 1 s and is refreshed half-way through its life.
        tokio::time::sleep(Duration::from_millis(700)).await;
    }
    client.list_orders().send().await.unwrap();
    let (logins, refreshes, presented) = mock.token_calls();
    assert_eq!(logins, 1);
    assert_eq!(refreshes, 3);
    // Each refresh used the refresh token issued by the previous one (the mock rejects reuse).
    assert_eq!(presented, ["rt-1", "rt-2", "rt-3"]);
}

#[tokio::test]
async fn twenty_concurrent_first_calls_log_in_once() {
    let mock = Mock::start();
    let client = client(&mock);
    let calls = (0..20).map(|_| {
        let client = client.clone();
        tokio::spawn(async move {
            client
                .list_orders()
                .send()
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
    });
    for call in calls.collect::<Vec<_>>() {
        call.await.unwrap().unwrap();
    }
    assert_eq!(mock.token_calls().0, 1);
}

#[tokio::test]
async fn a_revoked_token_leads_to_one_relogin_not_a_loop() {
    let mock = Mock::start();
    let client = client(&mock);
    client.list_orders().send().await.unwrap();
    assert_eq!(mock.token_calls().0, 1);

    mock.revoke_access_tokens();
    client.list_orders().send().await.unwrap();
    assert_eq!(mock.token_calls().0, 2, "one re-login after the 401");

    // Revoked again and the account locked: one more login attempt, then the error.
    mock.revoke_access_tokens();
    mock.lock_account();
    let error = client.list_orders().send().await.unwrap_err();
    assert_eq!(mock.token_calls().0, 3);
    let vendor = error.vendor_error().unwrap_or_else(|| panic!("{error}"));
    assert_eq!((vendor.operation.as_str(), vendor.status), ("login", 401));
    assert_eq!(vendor.message.as_deref(), Some("invalid email or password"));
    assert!(!error.to_string().contains(WESTMINISTER_PASSWORD));
}

#[tokio::test]
async fn a_failed_refresh_falls_back_to_a_login() {
    let mock = Mock::start();
    mock.set_token_lifetime(1);
    let client = client(&mock);
    client.list_orders().send().await.unwrap();
    // Someone else rotates the refresh token: the runtime's copy is now stale.
    let stale = client
        .login()
        .body(westminister::types::LoginBody {
            email: WESTMINISTER_EMAIL.into(),
            password: WESTMINISTER_PASSWORD.into(),
        })
        .send()
        .await
        .unwrap();
    drop(stale);
    tokio::time::sleep(Duration::from_millis(700)).await;
    client.list_orders().send().await.unwrap();
    let (logins, refreshes, presented) = mock.token_calls();
    assert_eq!(
        presented,
        ["rt-1"],
        "the stale refresh token was tried once"
    );
    assert_eq!(
        (logins, refreshes),
        (3, 1),
        "then the runtime logged in afresh"
    );
}
