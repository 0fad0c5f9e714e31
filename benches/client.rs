//! The per-request cost of a generated, signed client against a hand-written reqwest client
//! making the same request with the same signature and decoding the same type, both against
//! one minimal local server (so that the server's work is the same for both): sequential, and
//! 64 requests at a time. Goal: the generated client's throughput at least 0.95 of the other's.

use std::time::{SystemTime, UNIX_EPOCH};

use criterion::{Criterion, criterion_group, criterion_main};
use hmac::{KeyInit, Mac};
use payspec::{Credentials, Settings, xpays};

const PAYMENT: &str = r#"{"data": {"id": "25e2c615-c90c-4868-b24d-0c1e3b81f92e", "seq_num": 43, "order_id": "391", "chain": "tron", "network": "testnet", "from_fiat_currency": "USD", "to_crypto_currency": "USDT", "amount": "2", "payment_amount": 2.006488233020612, "payer_paid_currency": null, "payer_paid_amount": null, "merchant_amount": 0, "txid": null, "address": "TZAiamSzmrrTz5RnP8D8B96XAR2GsUvtw1", "from_address": null, "auto_convert": false, "convert_to": "USDT", "payment_url": "https://xpays.life/pay/25e2c615", "url_return": "https://xpays.life/return", "url_success": "https://xpays.life/success", "url_failed": "https://xpays.life/failed", "is_multiple_order": true, "lifetime": 900, "expired_at": "2024-11-25T06:53:21.256Z", "fee_subtract": 0, "fee_percent": 0.4, "discount_percent": 0, "discount_amount": 0, "accuracy_percent": 0.5, "additional_data": {}, "support_currencies": null, "except_currencies": null, "exchange_rate": 0.9967663737499999, "exchange_rate_source": "COINGECKO", "payment_status": "PAYMENT_CANCELED", "payment_match_type": "EXACTLY", "is_completed": true, "status": "CANCELED", "created_at": "2024-11-25T06:38:21.260Z", "owned_by_group": "8e393308-28a9-4a6e-a689-0d7760483c7e", "agent_id": "aacc3472-f3c3-49bb-9040-d5a6aff283bf"}}"#;

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

fn client(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let base = runtime.block_on(async {
        let app = axum::Router::new()
            .fallback(|| async { ([("content-type", "application/json")], PAYMENT) });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{addr}")
    });
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

    let mut group = c.benchmark_group("xpays_cancel_signed");
    group.bench_function("hand_written/sequential", |b| {
        b.to_async(&runtime).iter(|| hand_written(&http, &base))
    });
    group.bench_function("generated/sequential", |b| {
        b.to_async(&runtime).iter(|| generated(&typed))
    });
    group.bench_function("hand_written/concurrent_64", |b| {
        b.to_async(&runtime)
            .iter(|| futures_util::future::join_all((0..64).map(|_| hand_written(&http, &base))))
    });
    group.bench_function("generated/concurrent_64", |b| {
        b.to_async(&runtime)
            .iter(|| futures_util::future::join_all((0..64).map(|_| generated(&typed))))
    });
    group.finish();
}

criterion_group!(benches, client);
criterion_main!(benches);
