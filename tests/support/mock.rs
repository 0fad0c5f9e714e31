//! A local stand-in for Rio and OneKey that checks auth exactly as their documentation
//! describes it, recomputing every signature itself with the `hmac` crate (never with
//! payspec's runtime), and rejects anything else. Shared by the library and CLI tests.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::{Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use hmac::{KeyInit, Mac};
use serde_json::{Value, json};

pub const RIO_API_KEY: &str = "rio-test-key-3f1c";
pub const ONEKEY_LOGIN: &str = "cashout_login_77";
pub const ONEKEY_PASS: &str = "cashout_pass_88";
pub const ONEKEY_SECRET: &str = "onekey-signature-secret-99";

/// One request as the mock received it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: Method,
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

#[derive(Default)]
struct Store {
    seen: Vec<Seen>,
    rio_payments: BTreeMap<String, Value>,
    rio_payouts: BTreeMap<String, Value>,
    onekey_cashouts: BTreeMap<i64, (String, i64)>,
    next_id: i64,
}

/// A running mock; stops when the test process ends.
pub struct Mock {
    pub addr: SocketAddr,
    store: Arc<Mutex<Store>>,
}

impl Mock {
    /// Starts the mock on an ephemeral loopback port, on a thread of its own.
    pub fn start() -> Mock {
        let store = Arc::new(Mutex::new(Store {
            next_id: 11954,
            ..Store::default()
        }));
        let (tx, rx) = std::sync::mpsc::channel();
        let shared = store.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                tx.send(listener.local_addr().unwrap()).unwrap();
                let app = axum::Router::new().fallback(handle).with_state(shared);
                axum::serve(listener, app).await.unwrap();
            });
        });
        let addr = rx.recv().unwrap();
        Mock { addr, store }
    }

    /// The base URL of a vendor on this mock (`/rio`, `/onekey/v3`).
    pub fn base(&self, prefix: &str) -> String {
        format!("http://{}{prefix}", self.addr)
    }

    /// Every request received so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.store.lock().unwrap().seen.clone()
    }

    /// Sets a OneKey cashout's status (e.g. 4 DELIVERED), as the vendor's back office would.
    pub fn set_cashout_status(&self, cashout_id: i64, status: i64) {
        let mut store = self.store.lock().unwrap();
        if let Some(entry) = store.onekey_cashouts.get_mut(&cashout_id) {
            entry.1 = status;
        }
    }
}

async fn handle(State(store): State<Arc<Mutex<Store>>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(body) = to_bytes(body, 1 << 20).await else {
        return (StatusCode::BAD_REQUEST, "unreadable body").into_response();
    };
    let path = parts.uri.path().to_owned();
    let mut store = store.lock().unwrap();
    store.seen.push(Seen {
        method: parts.method.clone(),
        path: path.clone(),
        headers: parts.headers.clone(),
        body: body.clone(),
    });
    if let Some(rest) = path.strip_prefix("/onekey/v3") {
        onekey(&mut store, &parts.method, rest, &parts.headers, &body)
    } else if let Some(rest) = path.strip_prefix("/rio") {
        rio(&mut store, &parts.method, rest, &parts.headers, &body)
    } else {
        (StatusCode::NOT_FOUND, "no such vendor").into_response()
    }
}

fn reply(status: StatusCode, body: Value) -> Response {
    (status, axum::Json(body)).into_response()
}

fn hmac_hex(key: &str, message: &[u8]) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(message);
    hex::encode(mac.finalize().into_bytes())
}

/// OneKey: `login` and `pass` inside the JSON body, `Payload-Signature` =
/// hex(HMAC-SHA256(secret, exact body bytes)); errors are `{code, message}`.
fn onekey(
    store: &mut Store,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let fail = |status: StatusCode, code: i64, message: &str| {
        reply(status, json!({"code": code, "message": message}))
    };
    if headers.get("content-type").and_then(|v| v.to_str().ok()) != Some("application/json") {
        return fail(
            StatusCode::BAD_REQUEST,
            502,
            "Content-Type must be application/json",
        );
    }
    let signature = headers
        .get("payload-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if signature != hmac_hex(ONEKEY_SECRET, body) {
        return fail(StatusCode::UNAUTHORIZED, 302, "Invalid Payload-Signature");
    }
    let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(body) else {
        return fail(StatusCode::BAD_REQUEST, 502, "Invalid JSON");
    };
    if fields.get("login") != Some(&json!(ONEKEY_LOGIN))
        || fields.get("pass") != Some(&json!(ONEKEY_PASS))
    {
        return fail(StatusCode::UNAUTHORIZED, 401, "Invalid credentials");
    }
    let describe = |status: i64| {
        [
            "Pending",
            "Completed",
            "Canceled",
            "Rejected",
            "Delivered",
            "On hold",
        ][status as usize]
    };
    let find = |store: &Store| -> Option<i64> {
        if let Some(id) = fields.get("cashout_id").and_then(Value::as_i64) {
            return store.onekey_cashouts.contains_key(&id).then_some(id);
        }
        let external = fields.get("external_id").and_then(Value::as_str)?;
        store
            .onekey_cashouts
            .iter()
            .find(|(_, (e, _))| e == external)
            .map(|(id, _)| *id)
    };
    match (method.as_str(), path) {
        ("POST", "/cashout") => {
            for required in [
                "external_id",
                "country",
                "amount",
                "document_id",
                "beneficiary_name",
                "notification_url",
            ] {
                if !fields.contains_key(required) {
                    return fail(
                        StatusCode::BAD_REQUEST,
                        300,
                        &format!("Invalid params: {required} is required"),
                    );
                }
            }
            let external = fields["external_id"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            if store.onekey_cashouts.values().any(|(e, _)| *e == external) {
                return fail(StatusCode::BAD_REQUEST, 511, "external_id already used");
            }
            let id = store.next_id;
            store.next_id += 1;
            store.onekey_cashouts.insert(id, (external, 0));
            reply(StatusCode::OK, json!({"cashout_id": id.to_string()}))
        }
        ("POST", "/cashout/status") => match find(store) {
            Some(id) => {
                let status = store.onekey_cashouts[&id].1;
                reply(
                    StatusCode::OK,
                    json!({"cashout_status": status, "cashout_status_description": describe(status)}),
                )
            }
            None => fail(StatusCode::PRECONDITION_FAILED, 509, "Cashout not found"),
        },
        ("DELETE", "/cashout/cancel") => {
            let Some(id) = find(store) else {
                return fail(StatusCode::PRECONDITION_FAILED, 509, "Cashout not found");
            };
            let entry = store.onekey_cashouts.get_mut(&id).unwrap();
            if fields.get("external_id").and_then(Value::as_str) != Some(entry.0.as_str()) {
                return fail(StatusCode::PRECONDITION_FAILED, 509, "Cashout not found");
            }
            if entry.1 != 0 {
                return fail(
                    StatusCode::PRECONDITION_FAILED,
                    510,
                    "Invalid status transition",
                );
            }
            entry.1 = 2;
            reply(
                StatusCode::OK,
                json!({"cashout_status": 2, "cashout_status_description": "Canceled"}),
            )
        }
        _ => fail(StatusCode::NOT_FOUND, 404, "Not found"),
    }
}

/// Rio: the `x-api-key` header and nothing else.
fn rio(
    store: &mut Store,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let fail = |status: StatusCode, code: &str, message: &str| {
        reply(status, json!({"code": code, "message": message}))
    };
    if headers.get("x-api-key").and_then(|v| v.to_str().ok()) != Some(RIO_API_KEY) {
        return fail(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", "Invalid API key");
    }
    let json_body = || serde_json::from_slice::<Value>(body).ok();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (method.as_str(), segments.as_slice()) {
        ("POST", ["api", "payments", "crypto", "bulk"]) => {
            let Some(request) = json_body() else {
                return fail(StatusCode::BAD_REQUEST, "BAD_REQUEST", "Invalid JSON");
            };
            let id = format!("67787fbcd520f9ecb10e{:04x}", store.next_id);
            store.next_id += 1;
            let payment = json!({
                "createdAt": "2025-01-04T01:37:25.259Z", "userId": request["userId"], "orderIds": [], "amount": 0,
                "orderIdsPaid": [], "crypto": request["crypto"], "country": request["country"],
                "status": "awaitingPayment", "depositAddress": "5BZDQjWad45rT1vYT5KdJHgSU4rWXL1Y5nDoTwSrT8Pr", "id": id,
            });
            store.rio_payments.insert(id, payment.clone());
            reply(StatusCode::CREATED, payment)
        }
        ("GET", ["api", "payments", "crypto", "bulk", id]) => match store.rio_payments.get(*id) {
            Some(payment) => reply(StatusCode::OK, payment.clone()),
            None => fail(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                "Bulk crypto payment not found",
            ),
        },
        ("POST", ["api", "payments", "crypto", "bulk", id, "cancel"]) => {
            match store.rio_payments.get_mut(*id) {
                Some(payment) if payment["status"] == "cancelled" => fail(
                    StatusCode::CONFLICT,
                    "INVALID_STATUS",
                    "Bulk crypto payment is already cancelled",
                ),
                Some(payment) => {
                    payment["status"] = json!("cancelled");
                    reply(StatusCode::OK, payment.clone())
                }
                None => fail(
                    StatusCode::NOT_FOUND,
                    "NOT_FOUND",
                    "Bulk crypto payment not found",
                ),
            }
        }
        ("POST", ["api", "payouts", "crypto", "bulk"]) => {
            let Some(request) = json_body() else {
                return fail(StatusCode::BAD_REQUEST, "BAD_REQUEST", "Invalid JSON");
            };
            if request.get("payoutAddressId").is_none() || request.get("country").is_none() {
                return fail(
                    StatusCode::BAD_REQUEST,
                    "BAD_REQUEST",
                    "payoutAddressId and country are required",
                );
            }
            let id = format!("677890d5d520f9ecb10e{:04x}", store.next_id);
            store.next_id += 1;
            let payout = json!({
                "createdAt": "2025-01-04T00:24:28.658Z", "userId": "6757546b4c5d19bf3cd7b09c", "orderIds": [],
                "amount": 0, "crypto": "USDC", "payoutAddressId": request["payoutAddressId"],
                "blockchainAddress": "0x1234567890abcdef1234567890abcdef12345678", "country": request["country"],
                "status": "awaitingOrders", "id": id,
            });
            store.rio_payouts.insert(id, payout.clone());
            reply(StatusCode::CREATED, payout)
        }
        ("GET", ["api", "payouts", "crypto", "bulk", id]) => match store.rio_payouts.get(*id) {
            Some(payout) => reply(StatusCode::OK, payout.clone()),
            None => fail(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                "Bulk crypto payout not found",
            ),
        },
        ("POST", ["api", "webhooks", kind])
            if ["orders", "bank-accounts", "users"].contains(kind) =>
        {
            match json_body() {
                Some(request) if request.get("url").is_some_and(Value::is_string) => reply(
                    StatusCode::CREATED,
                    json!({"id": format!("wh_{kind}"), "secret": "whsec_5f0c"}),
                ),
                _ => fail(StatusCode::BAD_REQUEST, "BAD_REQUEST", "url is required"),
            }
        }
        _ => fail(StatusCode::NOT_FOUND, "NOT_FOUND", "No such endpoint"),
    }
}
