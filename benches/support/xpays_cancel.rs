//! The two xpays clients the client bench and the overhead example compare: a hand-written
//! reqwest call with the same signature and decoding, and the generated client; and the
//! minimal local server both talk to (so that the server's work is the same for both).

use std::time::{SystemTime, UNIX_EPOCH};

use hmac::{KeyInit, Mac};
use payspec::{Credentials, Settings, xpays};

const KEY: &str = "key_bench";
const SECRET: &str = "sk_bench_0123456789";

#[derive(serde::Deserialize)]
struct Wrapped {
    data: xpays::types::Payment,
}

pub async fn hand_written(http: &reqwest::Client, base: &str) -> xpays::types::Payment {
    let body =
        serde_json::to_vec(&serde_json::json!({"id": "25e2c615-c90c-4868-b24d-0c1e3b81f92e"}))
            .unwrap_or_default();
    let timestamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis()
        .to_string();
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes())
        .unwrap_or_else(|_| unreachable!());
    mac.update(timestamp.as_bytes());
    mac.update(&body);
    let signature = hex::encode(mac.finalize().into_bytes());
    let response = http
        .post(format!("{base}/v1/payment/cancel"))
        .header("content-type", "application/json")
        .header("x-api-key", KEY)
        .header("x-timestamp", timestamp)
        .header("x-signature", signature)
        .body(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let bytes = response.bytes().await.unwrap_or_else(|e| panic!("{e}"));
    serde_json::from_slice::<Wrapped>(&bytes)
        .unwrap_or_else(|e| panic!("{e}"))
        .data
}

pub async fn generated(client: &xpays::Client) -> xpays::types::Payment {
    client
        .cancel_payment()
        .body(xpays::types::CancelPaymentBody {
            id: "25e2c615-c90c-4868-b24d-0c1e3b81f92e".into(),
        })
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .into_inner()
}

/// A server answering every request with `payment`; its base URL.
pub async fn serve(payment: &'static str) -> String {
    let app = axum::Router::new()
        .fallback(move || async move { ([("content-type", "application/json")], payment) });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

/// The generated client, signing with the bench's credentials, against `base`.
pub fn typed_client(base: &str) -> xpays::Client {
    let credentials = Credentials::new()
        .with("api_key", KEY)
        .with("secret", SECRET);
    xpays::Client::with_settings(
        Settings::new()
            .base_url(base.to_owned())
            .credentials(credentials),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}
