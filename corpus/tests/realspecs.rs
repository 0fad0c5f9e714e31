//! The published specs, generated and compiled, called through their generated clients against
//! the sandbox (which serves them from their specs alone): one operation per auth style.
//! - Stripe: a static bearer token (a form-encoded POST), and HTTP Basic (GET /v1/balance);
//! - Square: a bearer token and a fixed `Square-Version` header;
//! - PayPal Payouts: OAuth2 client credentials (token endpoint outside the spec, Basic client
//!   authentication, form body), then the bearer token;
//! - Moov ACH: no auth;
//! - Adyen Payment (OpenAPI 3.1): an `X-API-Key` header.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use payspec_runtime::{Credentials, Settings};

mod support;

use support::{body, exchange, sandbox};

/// A client's settings against the sandbox, with the sandbox's demo credentials.
fn settings(running: &payspec_sandbox::Running) -> Settings {
    Settings::new().sandbox(running.url())
}

/// Stripe's expandable fields ("an id or the whole object") nest objects in enum variants:
/// held by value, a `Customer` was 2.4 MB and overflowed a debug build's stack. The generator
/// boxes variant payloads (codegen/src/boxing.rs); this keeps them small.
#[test]
fn objects_nested_in_variants_are_boxed() {
    let customer = std::mem::size_of::<payspec_corpus::stripe::types::Customer>();
    let body = std::mem::size_of::<payspec_corpus::stripe::types::PostCustomersBody>();
    assert!(
        customer < 16 << 10 && body < 16 << 10,
        "Customer {customer} bytes, PostCustomersBody {body} bytes"
    );
}

#[tokio::test]
async fn every_auth_style_is_called_against_the_sandbox() {
    call_every_auth_style().await;
}

async fn call_every_auth_style() {
    let running = sandbox().await;
    let settings = settings(&running);

    // Stripe: bearer, with a form-encoded body (nested keys in brackets).
    let stripe = payspec_corpus::stripe::Client::with_settings(settings.clone()).unwrap();
    let customer = stripe
        .post_customers()
        .body(body::<payspec_corpus::stripe::types::PostCustomersBody>(serde_json::json!({
            "email": "ana@example.com", "metadata": {"order": "6735"}, "preferred_locales": ["es"]
        })))
        .send()
        .await
        .unwrap();
    assert_eq!(customer.status(), 200);
    let seen = exchange(&running, "stripe", "post_customers");
    assert!(
        seen.auth_headers
            .iter()
            .any(|(n, v)| n.eq_ignore_ascii_case("authorization") && v.starts_with("Bearer ")),
        "{seen:?}"
    );
    // Stripe: Basic (the secret key as the user).
    stripe.get_balance().send().await.unwrap();
    let seen = exchange(&running, "stripe", "get_balance");
    assert!(
        seen.auth_headers
            .iter()
            .any(|(n, v)| n.eq_ignore_ascii_case("authorization") && v.starts_with("Basic ")),
        "{seen:?}"
    );

    // Square: bearer and Square-Version.
    let square = payspec_corpus::square::Client::with_settings(settings.clone()).unwrap();
    square.list_locations().send().await.unwrap();
    let seen = exchange(&running, "square", "list_locations");
    assert!(
        seen.auth_headers
            .iter()
            .any(|(n, v)| n.eq_ignore_ascii_case("square-version") && v == "2025-08-20"),
        "{seen:?}"
    );

    // PayPal: a token from the OAuth2 endpoint, then the call with it.
    let paypal = payspec_corpus::paypal_payouts::Client::with_settings(settings.clone()).unwrap();
    paypal
        .payouts_get()
        .id("5UXD2E8A7EBQJ")
        .send()
        .await
        .unwrap();
    let token = exchange(&running, "paypal_payouts", "token_endpoint");
    assert_eq!(token.status, 200);
    assert!(
        token
            .auth_headers
            .iter()
            .all(|(_, v)| !v.contains("demo-paypal_payouts-client_secret"))
    );
    let seen = exchange(&running, "paypal_payouts", "payouts_get");
    assert!(
        seen.auth_headers
            .iter()
            .any(|(n, v)| n.eq_ignore_ascii_case("authorization") && v.starts_with("Bearer ")),
        "{seen:?}"
    );

    // Moov: no auth.
    let moov = payspec_corpus::moov_ach::Client::with_settings(settings.clone()).unwrap();
    moov.ping().send().await.unwrap();
    assert!(
        exchange(&running, "moov_ach", "ping")
            .auth_headers
            .is_empty()
    );

    // Adyen (OpenAPI 3.1): the X-API-Key header.
    let adyen = payspec_corpus::adyen_payment::Client::with_settings(settings).unwrap();
    adyen
        .post_cancel()
        .body(body::<payspec_corpus::adyen_payment::types::CancelRequest>(
            serde_json::json!({
                "merchantAccount": "YourMerchant", "originalReference": "8835511210681393"
            }),
        ))
        .send()
        .await
        .unwrap();
    let seen = exchange(&running, "adyen_payment", "post_cancel");
    assert!(
        seen.auth_headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("x-api-key")),
        "{seen:?}"
    );
}

#[test]
fn wrong_credentials_are_refused_by_the_sandbox() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let running = sandbox().await;
        let paypal = payspec_corpus::paypal_payouts::Client::with_settings(
            settings(&running).credentials(
                Credentials::new()
                    .with("client_id", "id")
                    .with("client_secret", "wrong"),
            ),
        )
        .unwrap();
        let error = paypal
            .payouts_get()
            .id("5UXD2E8A7EBQJ")
            .send()
            .await
            .unwrap_err();
        assert!(error.is_auth_failure(), "{error}");
        assert!(!error.to_string().contains("wrong"), "{error}");
    });
}

/// Stripe as its SDKs call it: every POST with an `Idempotency-Key` (a reply lost after the
/// customer was created is retried with the same key, and the sandbox holds one customer),
/// and the customer list as a stream of typed `Customer`s, page after page by
/// `starting_after` until `has_more` is false.
#[tokio::test]
async fn stripe_writes_are_keyed_and_lists_stream() {
    use futures_util::StreamExt as _;
    use payspec_corpus::stripe::types::PostCustomersBody;
    let running = sandbox().await;
    let stripe = payspec_corpus::stripe::Client::with_settings(settings(&running)).unwrap();
    let customers = || running.sandbox.records("stripe", "customer");
    let posts = || running.sandbox.arrivals("stripe", "post_customers");
    for n in 0..95 {
        let email = format!("c{n}@example.com");
        stripe
            .post_customers()
            .body(body::<PostCustomersBody>(
                serde_json::json!({ "email": email }),
            ))
            .send()
            .await
            .unwrap();
    }
    let lossy = settings(&running).header(
        payspec_sandbox::FAULT_HEADER.parse().unwrap(),
        "lost-replyx1@post_customers".parse().unwrap(),
    );
    let lossy = payspec_corpus::stripe::Client::with_settings(lossy).unwrap();
    let (held, sent) = (customers(), posts());
    let created = lossy
        .post_customers()
        .body(body::<PostCustomersBody>(
            serde_json::json!({"email": "lost@example.com"}),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        (customers() - held, posts() - sent),
        (1, 2),
        "retried once, created once"
    );
    assert!(
        created
            .headers()
            .contains_key(payspec_runtime::IDEMPOTENCY_KEY_HEADER)
    );

    let lists = || running.sandbox.arrivals("stripe", "get_customers");
    let before = lists();
    let mut ids = std::collections::BTreeSet::new();
    let mut stream = std::pin::pin!(stripe.get_customers().limit(20).stream());
    while let Some(customer) = stream.next().await {
        assert!(ids.insert(customer.unwrap().id), "no customer twice");
    }
    assert_eq!(ids.len(), 96);
    assert_eq!(
        lists() - before,
        5,
        "pages of 20: the fifth has has_more false"
    );
}

/// Stripe's events from the sandbox to a merchant's receiver: creating a customer sends a
/// `customer.created` event signed in `Stripe-Signature` (t=…,v1=…), which the generated
/// `verify_event` accepts, typed, with the event's id; altered, it is refused.
#[tokio::test]
async fn stripe_events_from_the_sandbox_verify_in_a_receiver() {
    use payspec_corpus::stripe::types::PostCustomersBody;
    let (url, got) = support::receiver().await;
    let running = support::sandbox_sending_to(&url).await;
    let stripe = payspec_corpus::stripe::Client::with_settings(settings(&running)).unwrap();
    stripe
        .post_customers()
        .body(body::<PostCustomersBody>(
            serde_json::json!({"email": "hook@example.com"}),
        ))
        .send()
        .await
        .unwrap();
    let (headers, body) = support::deliveries(&got, 1).await.remove(0);
    assert!(
        headers["stripe-signature"]
            .to_str()
            .unwrap()
            .contains(",v1=")
    );
    let verified = stripe.verify_event(&headers, &body).unwrap();
    assert_eq!(verified.id.as_deref(), Some(verified.event.id.as_str()));
    assert_eq!(verified.event.type_, "customer.created");
    let altered = String::from_utf8(body.to_vec())
        .unwrap()
        .replace("hook@example.com", "evil@example.com");
    assert!(stripe.verify_event(&headers, altered.as_bytes()).is_err());
}

/// The webhook vectors of one corpus vendor (vectors.yaml and published-vectors.yaml).
fn webhook_vectors(vendor: &str) -> Vec<payspec_profile::vectors::CallbackVector> {
    let vendors = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("vendors");
    payspec_profile::vectors::load_all(&vendors)
        .into_iter()
        .find(|v| v.profile.vendor == vendor)
        .unwrap_or_else(|| panic!("no vectors for {vendor}"))
        .vectors
        .callbacks
}

fn header_map(
    headers: &std::collections::BTreeMap<String, String>,
) -> payspec_runtime::deps::reqwest::header::HeaderMap {
    use payspec_runtime::deps::reqwest::header::{HeaderMap, HeaderName, HeaderValue};
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        map.insert(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    map
}

/// PayPal's webhooks (RSA-SHA256 over the transmission's id and time, the webhook id and the
/// body's CRC-32, with the certificate as the key; vectors made by scripts/webhook-vectors.py)
/// through the generated `verify_event`, which reads the webhook id from the client's
/// credentials and answers the event's own id; every altered vector refused.
#[test]
fn paypal_webhooks_verify_through_the_generated_function() {
    let vectors = webhook_vectors("paypal_orders");
    assert!(vectors.len() >= 5);
    for vector in &vectors {
        let credentials = Credentials::new()
            .with("client_id", "id")
            .with("client_secret", "secret")
            .with("webhook_id", &vector.credentials["webhook_id"]);
        let paypal = payspec_corpus::paypal_orders::Client::with_settings(
            Settings::new().credentials(credentials),
        )
        .unwrap();
        let key = vector.key.as_deref().unwrap();
        let result = paypal.verify_event(key, &header_map(&vector.headers), vector.body.as_bytes());
        assert_eq!(result.is_ok(), vector.valid, "{}: {result:?}", vector.name);
        if let Ok(verified) = result {
            assert_eq!(verified.id.as_deref(), Some(verified.event.id.as_str()));
            assert_eq!(verified.event.event_type, "CHECKOUT.ORDER.APPROVED");
        }
    }
}

/// Adyen's own published example notifications verify through the generated
/// `verify_notification` (the HMAC key a credential), typed as the overlay's
/// `NotificationRequest`; the altered copy is refused.
#[test]
fn adyens_published_notifications_verify_through_the_generated_function() {
    let vectors = webhook_vectors("adyen_checkout");
    assert!(vectors.iter().any(|v| v.valid) && vectors.iter().any(|v| !v.valid));
    for vector in &vectors {
        let credentials = Credentials::new()
            .with("api_key", "key")
            .with("hmac_key", vector.key.as_deref().unwrap());
        let adyen = payspec_corpus::adyen_checkout::Client::with_settings(
            Settings::new().credentials(credentials),
        )
        .unwrap();
        let result = adyen.verify_notification(vector.body.as_bytes());
        assert_eq!(result.is_ok(), vector.valid, "{}: {result:?}", vector.name);
        if let Ok(notification) = result {
            let item = notification.notification_items[0]
                .notification_request_item
                .as_ref()
                .unwrap();
            assert_eq!(item.psp_reference, "7914073381342284");
        }
    }
}
