//! Instructions per request of the generated xpays client against a hand-written one, for a
//! count that does not depend on how busy the machine is (BENCHMARKS.md):
//!
//! ```sh
//! cargo build --release --example overhead
//! for mode in hand generated; do for n in 200 1200; do
//!   valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.$mode.$n target/release/examples/overhead $mode $n
//! done; done
//! ```
//!
//! (instructions at 1,200 − at 200) / 1,000 is one request's cost, client and server together
//! (the server's share is the same for both).

#![allow(missing_docs)]

use std::time::{SystemTime, UNIX_EPOCH};

use hmac::{KeyInit, Mac};
use payspec::{Credentials, Settings, xpays};

const PAYMENT: &str = r#"{"data": {"id": "25e2c615-c90c-4868-b24d-0c1e3b81f92e", "seq_num": 43, "order_id": "391", "chain": "tron", "amount": "2", "payment_amount": 2.006, "status": "CANCELED", "payment_status": "PAYMENT_CANCELED", "is_completed": true, "created_at": "2024-11-25T06:38:21.260Z"}}"#;
const KEY: &str = "key_bench";
const SECRET: &str = "sk_bench_0123456789";

#[derive(serde::Deserialize)]
struct Wrapped {
    data: xpays::types::Payment,
}

async fn hand_written(http: &reqwest::Client, base: &str) -> xpays::types::Payment {
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

async fn generated(client: &xpays::Client) -> xpays::types::Payment {
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

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).cloned().unwrap_or_else(|| "generated".into());
    let n: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(1000);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    runtime.block_on(async {
        let app = axum::Router::new()
            .fallback(|| async { ([("content-type", "application/json")], PAYMENT) });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let base = format!(
            "http://{}",
            listener.local_addr().unwrap_or_else(|e| panic!("{e}"))
        );
        tokio::spawn(async move { axum::serve(listener, app).await });
        let credentials = Credentials::new()
            .with("api_key", KEY)
            .with("secret", SECRET);
        let typed = xpays::Client::with_settings(
            Settings::new()
                .base_url(base.clone())
                .credentials(credentials),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let http = reqwest::Client::new();
        for _ in 0..n {
            match mode.as_str() {
                "hand" => drop(hand_written(&http, &base).await),
                _ => drop(generated(&typed).await),
            }
        }
    });
}
