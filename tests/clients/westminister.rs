//! CoinPool (westminister): bearer tokens the runtime obtains, caches, refreshes with the rotated
//! refresh token, and renews once after a 401; Go-style nullable fields as optional values.

use std::time::Duration;

use crate::assert_every_operation_reached;
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
        "order_type": "ON_RAMP_BUY", "expires_at": "2030-12-31T23:59:59Z"
    }))
    .unwrap()
}

/// A body built from the documented JSON, so the test reads like the vendor's page.
fn body<T: serde::de::DeserializeOwned>(json: serde_json::Value) -> T {
    serde_json::from_value(json).unwrap()
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
            password: WESTMINISTER_PASSWORD.try_into().unwrap(),
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(session.expires_in, Some(900));
    let pin = client
        .login_pin()
        .body(body::<types::LoginPinBody>(
            serde_json::json!({"email": WESTMINISTER_EMAIL, "pin": "432100"}),
        ))
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
    // A PIN that is not six digits never leaves the client.
    let short: Result<types::LoginPinBody, _> =
        serde_json::from_value(serde_json::json!({"email": WESTMINISTER_EMAIL, "pin": "4321"}));
    assert!(
        short.is_err(),
        "the documented pattern ^[0-9]{{6}}$ is enforced"
    );

    let registered = client
        .register_user()
        .body(body::<types::RegisterUserBody>(serde_json::json!({
            "email": "ana@example.com", "phone_number": "+254712345678", "first_name": "Ana", "last_name": "Wanjiru",
            "password": "correct-horse", "role": "customer", "kyc_status": "pending"
        })))
        .send()
        .await
        .unwrap()
        .into_inner();
    let user = registered.user.unwrap();
    assert_eq!(registered.wallets.len(), 2);
    let user_id = user.id.unwrap();
    let by_id = client
        .get_user_by_id()
        .id(user_id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(by_id.role, Some(types::Role::Customer));
    let by_email = client
        .get_user_by_email()
        .email("ana@example.com")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(by_email.id, Some(user_id));
    let updated = client
        .update_user_pin()
        .id(user_id)
        .body(body::<types::UpdateUserPinBody>(
            serde_json::json!({"new_pin": "654321", "confirm_new_pin": "654321"}),
        ))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(updated.kyc_status, Some(types::KycStatus::Pending));

    let preview = client
        .resolve_pricing()
        .body(body::<types::ResolvePricingBody>(serde_json::json!({"flow_type": "onramp", "asset": "USDT", "amount_in": "1200.00", "amount_in_type": "crypto"})))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(preview.fees.and_then(|f| f.percentage_fee_bps), Some(50));
    let offer = client
        .create_offer()
        .body(body::<types::CreateOfferBody>(serde_json::json!({
            "vendor_id": "5c81c005-1c52-4e0d-85e2-862ee1cdd4d0", "offer_type": "SELL", "asset": "USDT", "usdt_amount": "5000",
            "available_amount": "5000", "rate": "146.00", "min_order": "10", "max_order": "2000"
        })))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(offer.status.as_deref(), Some("active"));
    let offers = client
        .list_offers_by_type()
        .offer_type(types::OfferType::Sell)
        .page_id(1)
        .page_size(5)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(offers.len(), 1);

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
    let details = client
        .get_order_details()
        .id(id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(details.offer_type, Some(types::OfferType::Sell));

    let stk = client
        .initiate_order_payment()
        .body(types::InitiateOrderPaymentBody {
            order_id: id,
            phone_number: "254712345678".into(),
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (stk.success, stk.response_code.as_deref()),
        (Some(true), Some("0"))
    );
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

    let wallet = "3c90c3cc-0d44-4b50-8888-8dd25736052a";
    let fee = client
        .estimate_order_fee()
        .order_id(id)
        .body(body::<types::EstimateOrderFeeBody>(
            serde_json::json!({"wallet_id": wallet, "network": "tron"}),
        ))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(fee.estimated_time_seconds, Some(60));
    let sent = client
        .send_order_payment()
        .order_id(id)
        .body(body::<types::SendOrderPaymentBody>(
            serde_json::json!({"wallet_id": wallet, "confirm": true}),
        ))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(sent.transaction_hash.is_some());
    let stats = client
        .get_customer_order_stats()
        .customer_id(
            "b523ed51-a7e0-4c53-8ac2-3c0b7e1c9cd5"
                .parse::<payspec_runtime::deps::uuid::Uuid>()
                .unwrap(),
        )
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(stats.total_orders, Some(1));
    let mine = client
        .list_customer_transactions()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!((mine.offers.len(), mine.orders.len()), (1, 1));

    let second = client
        .create_order()
        .body(new_order())
        .send()
        .await
        .unwrap()
        .into_inner();
    let second_id = second.id.unwrap();
    let pending = client
        .list_pending_orders()
        .page_id(1)
        .page_size(5)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        pending.len(),
        2,
        "the STK push leaves the first order pending until M-Pesa confirms"
    );
    assert_eq!(pending[0].rate.as_deref(), Some("146.00"));
    let cancelled = client
        .cancel_order()
        .id(second_id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(cancelled.status, Some(types::OrderStatus::Cancelled));
    let again = client
        .cancel_order()
        .id(second_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        again.vendor_error().map(|v| (v.status, v.message.clone())),
        Some((
            409,
            Some("order cannot be cancelled in its current status".into())
        ))
    );

    remittance_and_deposits(&client).await;
    assert_every_operation_reached("westminister", "/westminister", &[], &mock.seen());
    // One explicit login above plus exactly one by the runtime for all authenticated calls.
    let (logins, refreshes, _) = mock.token_calls();
    assert_eq!((logins, refreshes), (2, 1));
}

async fn remittance_and_deposits(client: &westminister::Client) {
    use westminister::types;
    let remittance = client
        .create_remittance_off_ramp_order()
        .body(body::<types::CreateRemittanceOffRampOrderBody>(serde_json::json!({
            "customer_id": "b523ed51-a7e0-4c53-8ac2-3c0b7e1c9cd5", "vendor_id": "5c81c005-1c52-4e0d-85e2-862ee1cdd4d0",
            "offer_id": "7c9a9311-7e7d-4739-9abc-34f7db00ff19", "sender_name": "Ana", "sender_country": "GB",
            "beneficiary_phone": "254712345678", "beneficiary_country": "KE", "beneficiary_fiat_amount": "10000.00",
            "fiat_currency": "KES", "pricing_profile_id": "11111111-2222-3333-4444-555555555555",
            "fx_rate_quote_id": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "fee_bearer": "sender"
        })))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        remittance.order_subtype,
        Some(types::OrderSubtype::RemittanceOfframp)
    );
    assert_eq!(remittance.sender_name.as_deref(), Some("Ana"));

    let created = client
        .create_custodial_draft()
        .body(body::<types::CreateCustodialDraftBody>(serde_json::json!({
            "corridor_id": "3c90c3cc-0d44-4b50-8888-8dd25736052a", "custodial_wallet_id": "3c90c3cc-0d44-4b50-8888-8dd25736052a",
            "beneficiary_fiat_amount": "10000.00", "fiat_currency": "KES", "pricing_profile_id": "11111111-2222-3333-4444-555555555555",
            "fx_rate_quote_id": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "sender_name": "Ana", "sender_country": "GB",
            "sender_phone": "+447700900123", "beneficiary_country": "KE", "beneficiary_phone": "254712345678"
        })))
        .send()
        .await
        .unwrap()
        .into_inner();
    let draft = created.draft.unwrap();
    assert_eq!(draft.usdt_total_debit.as_deref(), Some("69.59"));
    let confirmed = client
        .confirm_custodial_draft()
        .id(draft.id.unwrap())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(confirmed.remittance_draft_id, draft.id);
    let order = confirmed.order.unwrap();
    assert_eq!(
        order.order_subtype,
        Some(types::OrderSubtype::CustodialRemittanceOfframp)
    );
    assert!(order.corridor_id.is_some());

    let deposit = client
        .create_otc_deposit()
        .body(body::<types::OtcDepositRequest>(serde_json::json!({"method": "bank", "fiat_amount": "10000.00", "fiat_currency": "KES", "requested_network": "tron"})))
        .send()
        .await
        .unwrap()
        .into_inner();
    let draft_body = serde_json::json!({"method": "mpesa", "fiat_amount": "5000.00", "fiat_currency": "KES", "idempotency_key": "draft-0001"});
    let first = client
        .create_otc_deposit_draft()
        .body(body::<types::CreateOtcDepositDraftBody>(draft_body.clone()))
        .send()
        .await
        .unwrap()
        .into_inner();
    let replay = client
        .create_otc_deposit_draft()
        .body(body::<types::CreateOtcDepositDraftBody>(draft_body))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (first.idempotent_replay, replay.idempotent_replay),
        (Some(false), Some(true))
    );
    assert_eq!(
        first.deposit.and_then(|d| d.id),
        replay.deposit.and_then(|d| d.id)
    );
    let credited = client
        .credit_otc_deposit()
        .id(deposit.id.unwrap())
        .body(body::<types::CreditOtcDepositBody>(serde_json::json!({"to_wallet_id": "3c90c3cc-0d44-4b50-8888-8dd25736052a", "usdt_amount": "68.49", "network": "tron"})))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        credited.deposit.and_then(|d| d.status),
        Some(types::OtcDepositStatus::Credited)
    );
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
            password: WESTMINISTER_PASSWORD.try_into().unwrap(),
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
