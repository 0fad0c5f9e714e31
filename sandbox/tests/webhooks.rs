//! A merchant's webhook receiver (a small axum app) gets OneKey's cashout notifications from
//! the sandbox, signed as OneKey signs them, and verifies them with the generated
//! `verify_cashout_notification`; one altered on the way is refused.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use payspec::{Settings, onekey};
use payspec_sandbox::Sandbox;

/// What the receiver got: each body, and whether the generated verifier accepted it.
type Received = Arc<Mutex<Vec<(Bytes, Result<String, String>)>>>;

async fn receiver(client: Arc<onekey::Client>) -> (String, Received) {
    let received = Received::default();
    let app =
        axum::Router::new()
            .route(
                "/hooks/onekey",
                axum::routing::post(
                    |State((client, received)): State<(Arc<onekey::Client>, Received)>,
                     body: Bytes| async move {
                        let verified = client
                            .verify_cashout_notification(&body)
                            .map(|n| n.cashout_id.unwrap_or_default())
                            .map_err(|e| e.to_string());
                        received.lock().unwrap().push((body, verified));
                        "ok"
                    },
                ),
            )
            .with_state((client, received.clone()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{address}/hooks/onekey"), received)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_verifies_the_notifications_the_sandbox_sends() {
    // The receiver verifies with the merchant's client (the sandbox's demo credentials).
    let placeholder =
        onekey::Client::with_settings(Settings::new().sandbox("http://127.0.0.1:9")).unwrap();
    let (url, received) = receiver(Arc::new(placeholder)).await;
    let sandbox = Sandbox::new().unwrap().webhook_url(url.clone());
    let running = sandbox.start(([127, 0, 0, 1], 0).into()).await.unwrap();
    let client = onekey::Client::with_settings(Settings::new().sandbox(running.url())).unwrap();
    let created = client
        .create_cashout()
        .body(common::cashout("hook-1"))
        .send()
        .await
        .unwrap();
    let cashout_id = serde_json::to_value(created.into_inner()).unwrap()["cashout_id"].clone();
    let delivered = async {
        loop {
            if let Some(first) = received.lock().unwrap().first().cloned() {
                return first;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    let (body, verified) = tokio::time::timeout(Duration::from_secs(10), delivered)
        .await
        .unwrap();
    let text = String::from_utf8(body.to_vec()).unwrap();
    assert!(
        text.contains("external_id=hook-1") && text.contains("control="),
        "{text}"
    );
    let id = verified.unwrap_or_else(|e| panic!("refused: {e}: {text}"));
    assert_eq!(
        id,
        cashout_id
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| cashout_id.to_string())
    );

    // On demand, through the control endpoint; then one altered on the way is refused.
    let control = format!(
        "{}/onekey/_sandbox/webhooks/cashout_notification",
        running.url()
    );
    let answer: serde_json::Value = payspec_runtime::deps::reqwest::Client::new()
        .post(&control)
        .json(&serde_json::json!({"payload": {"date": "2026-12-05", "external_id": "hook-2", "cashout_id": "77", "comments": "paid"}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["status"], 200, "{answer}");
    let (body, verified) = received.lock().unwrap()[1].clone();
    assert_eq!(verified, Ok("77".to_owned()));
    let altered = String::from_utf8(body.to_vec())
        .unwrap()
        .replace("hook-2", "hook-3");
    let merchant = onekey::Client::with_settings(Settings::new().sandbox(running.url())).unwrap();
    assert!(
        merchant
            .verify_cashout_notification(altered.as_bytes())
            .is_err()
    );
}
