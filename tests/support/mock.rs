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
pub const ONEKEY_READ_ONLY_KEY: &str = "EKiFOWiHnI-read-only";
pub const XPAYS_API_KEY: &str = "key_4b1f0e2a9c";
pub const XPAYS_SECRET: &str = "xpays-secret-5d2c";
pub const PAYWALL_KEYS: [(&str, &str); 4] = [
    ("apikeypublic", "pub-key-11"),
    ("apiclientpublic", "pub-client-22"),
    ("apikeyprivate", "priv-key-33"),
    ("apiclientprivate", "priv-client-44"),
];
pub const WESTMINISTER_EMAIL: &str = "merchant@example.com";
pub const WESTMINISTER_PASSWORD: &str = "s3cret-pass-66";

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
    /// Rio's other records by kind (orders, quotes, addresses, bank accounts, bank bulks).
    rio_records: BTreeMap<&'static str, BTreeMap<String, Value>>,
    onekey_cashouts: BTreeMap<i64, (String, i64)>,
    xpays_payments: BTreeMap<String, Value>,
    paywall: Paywall,
    coinpool: CoinPool,
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
            paywall: Paywall::seeded(),
            coinpool: CoinPool {
                lifetime: 900,
                ..CoinPool::default()
            },
            ..Store::default()
        }));
        Self::serve(store)
    }

    /// A second address serving the same vendors and state (a vendor's other host, such as
    /// Paywall's private API), whose requests are recorded apart.
    pub fn second_host(&self) -> Mock {
        Self::serve(self.store.clone())
    }

    fn serve(store: Arc<Mutex<Store>>) -> Mock {
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

    /// Every request this address received so far (by its Host header: hosts sharing a
    /// state record apart).
    pub fn seen(&self) -> Vec<Seen> {
        let me = self.addr.to_string();
        let store = self.store.lock().unwrap();
        store
            .seen
            .iter()
            .filter(|s| s.headers.get("host").and_then(|h| h.to_str().ok()) == Some(me.as_str()))
            .cloned()
            .collect()
    }

    /// CoinPool: the lifetime (seconds) of the access tokens it issues from now on.
    pub fn set_token_lifetime(&self, seconds: u64) {
        self.store.lock().unwrap().coinpool.lifetime = seconds;
    }

    /// CoinPool: revokes every access token issued so far (as after a password change).
    pub fn revoke_access_tokens(&self) {
        self.store.lock().unwrap().coinpool.access.clear();
    }

    /// CoinPool: makes every login fail from now on (a locked account).
    pub fn lock_account(&self) {
        self.store.lock().unwrap().coinpool.locked = true;
    }

    /// CoinPool: (logins, refreshes, refresh tokens presented in order).
    pub fn token_calls(&self) -> (usize, usize, Vec<String>) {
        let store = self.store.lock().unwrap();
        (
            store.coinpool.logins,
            store.coinpool.presented.len(),
            store.coinpool.presented.clone(),
        )
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
    let raw = body.clone();
    // A multipart body (Paywall's file upload) is read here, with multer, into JSON fields.
    let body = match multipart_fields(&parts.headers, body).await {
        Ok(body) => body,
        Err(reason) => return (StatusCode::BAD_REQUEST, reason).into_response(),
    };
    let mut store = store.lock().unwrap();
    store.seen.push(Seen {
        method: parts.method.clone(),
        path: path.clone(),
        headers: parts.headers.clone(),
        body: raw,
    });
    let query = parts.uri.query().unwrap_or_default().to_owned();
    if let Some(rest) = path.strip_prefix("/onekey/v1") {
        onekey_banks(&parts.method, rest, &parts.headers)
    } else if let Some(rest) = path.strip_prefix("/onekey/v3") {
        onekey(&mut store, &parts.method, rest, &parts.headers, &body)
    } else if let Some(rest) = path.strip_prefix("/xpays") {
        xpays(
            &mut store,
            &parts.method,
            rest,
            &query,
            &parts.headers,
            &body,
        )
    } else if let Some(rest) = path.strip_prefix("/paywall") {
        paywall(&mut store, rest, &parts.headers, &body)
    } else if let Some(rest) = path.strip_prefix("/westminister") {
        coinpool(
            &mut store,
            &parts.method,
            rest,
            &query,
            &parts.headers,
            &body,
        )
    } else if let Some(rest) = path.strip_prefix("/rio") {
        rio(
            &mut store,
            &parts.method,
            rest,
            &query,
            &parts.headers,
            &body,
        )
    } else {
        (StatusCode::NOT_FOUND, "no such vendor").into_response()
    }
}

/// A multipart/form-data body as a JSON object of its text fields, each file part as
/// `{filename, content_type, lines}`; any other body as it came.
async fn multipart_fields(headers: &HeaderMap, body: Bytes) -> Result<Bytes, String> {
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !content_type.starts_with("multipart/form-data") {
        return Ok(body);
    }
    let boundary = multer::parse_boundary(content_type).map_err(|e| e.to_string())?;
    let stream = futures_util::stream::once(async move { Ok::<_, std::convert::Infallible>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut fields = serde_json::Map::new();
    while let Some(field) = multipart.next_field().await.map_err(|e| e.to_string())? {
        let name = field.name().unwrap_or_default().to_owned();
        let file = field.file_name().map(str::to_owned);
        let content_type = field.content_type().map(|m| m.to_string());
        let bytes = field.bytes().await.map_err(|e| e.to_string())?;
        let value = match file {
            Some(filename) => json!({
                "filename": filename, "content_type": content_type,
                "lines": bytes.split(|b| *b == b'\n').filter(|l| !l.is_empty()).count()
            }),
            None => json!(String::from_utf8_lossy(&bytes)),
        };
        fields.insert(name, value);
    }
    Ok(Bytes::from(
        serde_json::to_vec(&Value::Object(fields)).map_err(|e| e.to_string())?,
    ))
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
        ("PUT", "/cashout/status") => {
            let Some(id) = fields.get("cashout_id").and_then(Value::as_i64) else {
                return fail(
                    StatusCode::BAD_REQUEST,
                    300,
                    "Invalid params: cashout_id must be an integer",
                );
            };
            let Some(entry) = store.onekey_cashouts.get_mut(&id) else {
                return fail(
                    StatusCode::PRECONDITION_FAILED,
                    509,
                    "Cashout not found with this ID",
                );
            };
            let next = match (entry.1, fields.get("status").and_then(Value::as_str)) {
                (0, Some("ON_HOLD")) => 5,
                (5, Some("PENDING")) => 0,
                (_, Some("ON_HOLD" | "PENDING")) => {
                    return fail(StatusCode::BAD_REQUEST, 510, "Invalid status transition");
                }
                _ => {
                    return fail(
                        StatusCode::BAD_REQUEST,
                        521,
                        "Status not supported for this type of request",
                    );
                }
            };
            entry.1 = next;
            reply(
                StatusCode::OK,
                json!({"cashout_status": next, "cashout_status_description": describe(next), "rejection_code": null, "rejection_reason": null}),
            )
        }
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

/// OneKey's bank codes: `Authorization: Bearer <read-only key>`, no signature, no body.
fn onekey_banks(method: &Method, path: &str, headers: &HeaderMap) -> Response {
    let bearer = headers.get("authorization").and_then(|v| v.to_str().ok());
    if bearer != Some(&format!("Bearer {ONEKEY_READ_ONLY_KEY}"))
        || headers.contains_key("payload-signature")
    {
        return reply(
            StatusCode::UNAUTHORIZED,
            json!({"code": 401, "message": "Invalid credentials"}),
        );
    }
    let banks = json!([
        {"bank_code": 1, "ispb_code": 0, "bank_name": "Banco do Brasil S.A.", "bank_licensed": true},
        {"bank_code": 33, "ispb_code": 90400888, "bank_name": "Banco Santander (Brasil) S.A.", "bank_licensed": true},
    ]);
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (method.as_str(), segments.as_slice()) {
        ("GET", ["country", "BR", "authorized-banks"]) => reply(StatusCode::OK, banks),
        ("GET", ["country", "BR", "authorized-banks", code]) => {
            let found = banks.as_array().into_iter().flatten().find(|b| {
                let number = code.parse::<i64>().ok();
                number.is_some()
                    && (b["bank_code"].as_i64() == number || b["ispb_code"].as_i64() == number)
            });
            match found {
                Some(bank) => reply(StatusCode::OK, bank.clone()),
                None => reply(
                    StatusCode::NOT_FOUND,
                    json!({"code": 303, "message": "Invalid bank code"}),
                ),
            }
        }
        _ => reply(
            StatusCode::NOT_FOUND,
            json!({"code": 518, "message": "Country not available"}),
        ),
    }
}

/// Rio: the `x-api-key` header and nothing else.
fn rio(
    store: &mut Store,
    method: &Method,
    path: &str,
    query: &str,
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
        _ => {
            let order = query
                .split('&')
                .find_map(|kv| kv.strip_prefix("orderId="))
                .unwrap_or_default();
            rio_records(
                store,
                method.as_str(),
                &segments,
                order,
                json_body().unwrap_or(Value::Null),
            )
        }
    }
}

/// Rio's orders, quotes, addresses, bank accounts and bank bulks, in the pages' shapes.
fn rio_records(
    store: &mut Store,
    method: &str,
    segments: &[&str],
    order: &str,
    request: Value,
) -> Response {
    let fail = |status: StatusCode, code: &str, message: &str| {
        reply(status, json!({"code": code, "message": message}))
    };
    let id = format!("66a0{:020x}", store.next_id);
    store.next_id += 1;
    let records = &mut store.rio_records;
    let create = |records: &mut BTreeMap<&'static str, BTreeMap<String, Value>>,
                  kind: &'static str,
                  mut record: Value| {
        record["id"] = json!(id);
        record["createdAt"] = json!("2025-01-04T00:24:28.658Z");
        records
            .entry(kind)
            .or_default()
            .insert(id.clone(), record.clone());
        reply(StatusCode::CREATED, record)
    };
    let found =
        |records: &BTreeMap<&'static str, BTreeMap<String, Value>>, kind: &str, id: &str| {
            match records.get(kind).and_then(|r| r.get(id)) {
                Some(record) => reply(StatusCode::OK, record.clone()),
                None => fail(StatusCode::NOT_FOUND, "NOT_FOUND", "Not found"),
            }
        };
    let by_order =
        |records: &BTreeMap<&'static str, BTreeMap<String, Value>>, order: &str, extra: Value| {
            match records.get("orders").and_then(|r| r.get(order)) {
                Some(_) => {
                    let mut answer = extra;
                    answer["orderId"] = json!(order);
                    answer["id"] = json!(id);
                    reply(StatusCode::OK, answer)
                }
                None => fail(StatusCode::NOT_FOUND, "NOT_FOUND", "Order not found"),
            }
        };
    match (method, segments) {
        ("POST", ["api", "quotes"]) => {
            let mut quote = request.clone();
            quote["amountCrypto"] = json!(55.51);
            quote["price"] = json!(0.0568362449619);
            quote["fees"] =
                json!({"processingFeeFiat": 0, "transferFeeFiat": 0.17, "platformFeeFiat": 20});
            create(records, "quotes", quote)
        }
        ("GET", ["api", "quotes", id]) => found(records, "quotes", id),
        ("POST", ["api", "orders"]) => {
            let Some(quote) = request["quoteId"]
                .as_str()
                .and_then(|q| records.get("quotes")?.get(q))
                .cloned()
            else {
                return fail(
                    StatusCode::BAD_REQUEST,
                    "BAD_REQUEST",
                    "quoteId does not name a quote",
                );
            };
            let mut order = json!({"quoteId": request["quoteId"], "userId": quote["userId"], "status": "created", "crypto": quote["crypto"],
                "side": quote["side"], "fiat": quote["fiat"], "country": quote["country"], "amountFiat": quote["amountFiat"],
                "amountCrypto": quote["amountCrypto"], "fees": quote["fees"], "price": quote["price"], "expiredQuotes": []});
            order["cryptoAddress"] = request["cryptoAddress"].clone();
            create(records, "orders", order)
        }
        ("GET", ["api", "orders"]) => reply(
            StatusCode::OK,
            Value::Array(
                records
                    .get("orders")
                    .map(|r| r.values().cloned().collect())
                    .unwrap_or_default(),
            ),
        ),
        ("GET", ["api", "orders", id]) => found(records, "orders", id),
        ("PATCH", ["api", "orders", id]) => {
            match records.get_mut("orders").and_then(|r| r.get_mut(*id)) {
                Some(order) => {
                    for key in ["notes", "attributes"] {
                        if let Some(value) = request.get(key) {
                            order[key] = value.clone();
                        }
                    }
                    reply(StatusCode::OK, order.clone())
                }
                None => fail(StatusCode::NOT_FOUND, "NOT_FOUND", "Order not found"),
            }
        }
        ("POST", ["api", "orders", id, "cancel"]) => {
            match records.get_mut("orders").and_then(|r| r.get_mut(*id)) {
                Some(order) if order["status"] == "created" => {
                    order["status"] = json!("cancelled");
                    reply(StatusCode::OK, order.clone())
                }
                Some(_) => fail(
                    StatusCode::CONFLICT,
                    "INVALID_STATUS",
                    "The order cannot be cancelled",
                ),
                None => fail(StatusCode::NOT_FOUND, "NOT_FOUND", "Order not found"),
            }
        }
        ("POST", ["api", "payments", "crypto", "check"]) => match records
            .get_mut("orders")
            .and_then(|r| r.get_mut(request["orderId"].as_str().unwrap_or_default()))
        {
            Some(order) => {
                order["status"] = json!("paid");
                reply(StatusCode::OK, json!("OK"))
            }
            None => fail(StatusCode::NOT_FOUND, "NOT_FOUND", "Order not found"),
        },
        ("GET", ["api", "payments", "bank"]) => by_order(
            records,
            order,
            json!({"bankName": "BBVA", "companyName": "Rio Trade SA de CV",
            "status": "initiated", "reference": "RIO-4521", "CLABE": "012180015000000001"}),
        ),
        ("GET", ["api", "payouts", "bank"]) => by_order(
            records,
            order,
            json!({"bankAccountId": "65ba521a4b3e1bd9eb6a5107", "originBank": "spei",
            "status": "initialized", "payouts": []}),
        ),
        ("POST", ["api", "addresses"])
            if request["address"].is_string() && request["crypto"].is_string() =>
        {
            let mut address = request.clone();
            address["approved"] = json!(false);
            create(records, "addresses", address)
        }
        ("GET", ["api", "addresses"]) => reply(
            StatusCode::OK,
            Value::Array(
                records
                    .get("addresses")
                    .map(|r| r.values().cloned().collect())
                    .unwrap_or_default(),
            ),
        ),
        ("GET", ["api", "addresses", id]) => found(records, "addresses", id),
        ("POST", ["api", "bank", "accounts"]) => {
            let required = ["country", "fiat", "bankName", "accountHolderName"];
            if required.iter().any(|k| !request[*k].is_string()) {
                return fail(
                    StatusCode::BAD_REQUEST,
                    "BAD_REQUEST",
                    "country, fiat, bankName and accountHolderName are required",
                );
            }
            let mut account = request.clone();
            account["approved"] = json!(true);
            create(records, "accounts", account)
        }
        ("GET", ["api", "bank", "accounts"]) => reply(
            StatusCode::OK,
            Value::Array(
                records
                    .get("accounts")
                    .map(|r| r.values().cloned().collect())
                    .unwrap_or_default(),
            ),
        ),
        ("GET", ["api", "bank", "accounts", id]) => found(records, "accounts", id),
        ("PATCH", ["api", "bank", "accounts", id]) => {
            match records.get_mut("accounts").and_then(|r| r.get_mut(*id)) {
                Some(account) => {
                    for key in ["notes", "email"] {
                        if let Some(value) = request.get(key) {
                            account[key] = value.clone();
                        }
                    }
                    reply(StatusCode::OK, account.clone())
                }
                None => fail(StatusCode::NOT_FOUND, "NOT_FOUND", "Bank account not found"),
            }
        }
        ("POST", ["api", "payouts", "bank", "bulk"]) => match request["payoutBankAccountId"]
            .as_str()
            .and_then(|a| records.get("accounts")?.get(a))
            .cloned()
        {
            Some(account) => create(
                records,
                "bank_payouts",
                json!({"userId": "6757546b4c5d19bf3cd7b09c", "orderIds": [], "amount": 0,
                "fiat": account["fiat"], "country": account["country"], "bankName": account["bankName"], "CLABE": account["CLABE"],
                "status": "awaitingOrders", "payoutBankAccountId": request["payoutBankAccountId"], "payoutsSent": []}),
            ),
            None => fail(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                "payoutBankAccountId does not name a bank account",
            ),
        },
        ("GET", ["api", "payouts", "bank", "bulk", id]) => found(records, "bank_payouts", id),
        ("POST", ["api", "payments", "bank", "bulk"]) => create(
            records,
            "bank_payments",
            json!({"userId": request["userId"], "orderIds": [],
            "amount": 0, "fiat": request["fiat"], "orderIdsPaid": [], "bankName": "BBVA", "status": "awaitingPayment", "CLABE": "012180015000000001", "reference": "RIO-4521"}),
        ),
        ("GET", ["api", "payments", "bank", "bulk", id]) => found(records, "bank_payments", id),
        ("POST", ["api", "payments", "bank", "bulk", id, "cancel"]) => match records
            .get_mut("bank_payments")
            .and_then(|r| r.get_mut(*id))
        {
            Some(payment) if payment["status"] == "awaitingPayment" => {
                payment["status"] = json!("cancelled");
                reply(StatusCode::OK, payment.clone())
            }
            Some(_) => fail(
                StatusCode::CONFLICT,
                "INVALID_STATUS",
                "The bulk bank payment cannot be cancelled",
            ),
            None => fail(StatusCode::NOT_FOUND, "NOT_FOUND", "Not found"),
        },
        _ => fail(StatusCode::NOT_FOUND, "NOT_FOUND", "No such endpoint"),
    }
}

/// xpays: `x-api-key`, `x-timestamp` (Unix ms, within five minutes) and `x-signature` =
/// hex(HMAC-SHA256(secret, x-timestamp + raw body)); answers `{"data": …}` or `{"error": …}`.
/// The HTTP status of xpays' errors is not documented: this mock answers a missing payment
/// with HTTP 200 and `{"error"}`, so that the envelope rule (not the status) is what fails it.
fn xpays(
    store: &mut Store,
    method: &Method,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let fail = |status: StatusCode, message: &str| reply(status, json!({"error": message}));
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let timestamp = header("x-timestamp");
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let fresh = timestamp
        .parse::<i64>()
        .is_ok_and(|t| (now_ms - t).abs() < 5 * 60 * 1000);
    let mut message = timestamp.clone().into_bytes();
    message.extend_from_slice(body);
    if header("x-api-key") != XPAYS_API_KEY
        || !fresh
        || header("x-signature") != hmac_hex(XPAYS_SECRET, &message)
    {
        return fail(StatusCode::FORBIDDEN, "Forbidden");
    }
    let fields: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    match (method.as_str(), path) {
        ("POST", "/v1/payment/createInvoicePayment") => {
            for required in [
                "order_id",
                "amount",
                "from_fiat_currency",
                "to_crypto_currency",
                "chain",
            ] {
                if !fields.get(required).is_some_and(Value::is_string) {
                    return fail(StatusCode::BAD_REQUEST, &format!("{required} is required"));
                }
            }
            let id = format!("25e2c615-c90c-4868-b24d-{:012x}", store.next_id);
            store.next_id += 1;
            let payment = json!({
                "id": id, "seq_num": 43, "order_id": fields["order_id"], "chain": fields["chain"], "network": "testnet",
                "from_fiat_currency": fields["from_fiat_currency"], "to_crypto_currency": fields["to_crypto_currency"],
                "amount": fields["amount"], "payment_amount": 2.006488233020612, "payer_paid_currency": null,
                "payer_paid_amount": null, "merchant_amount": 0, "txid": null, "address": "TZAiamSzmrrTz5RnP8D8B96XAR2GsUvtw1",
                "from_address": null, "auto_convert": false, "convert_to": "USDT",
                "payment_url": format!("https://xpays.life/pay/{id}"), "url_return": null, "url_success": null, "url_failed": null,
                "is_multiple_order": true, "lifetime": 900, "expired_at": "2024-11-25T06:53:21.256Z", "fee_subtract": 0,
                "fee_percent": 0.4, "discount_percent": 0, "discount_amount": 0, "accuracy_percent": 0.5, "additional_data": {},
                "support_currencies": null, "except_currencies": null, "exchange_rate": 0.9967663737499999,
                "exchange_rate_source": "COINGECKO", "payment_status": "PAYMENT_WAITING", "payment_match_type": "EXACTLY",
                "is_completed": false, "status": "WAITING", "created_at": "2024-11-25T06:38:21.260Z",
                "owned_by_group": "8e393308-28a9-4a6e-a689-0d7760483c7e", "agent_id": "aacc3472-f3c3-49bb-9040-d5a6aff283bf"
            });
            store.xpays_payments.insert(id, payment.clone());
            reply(StatusCode::OK, json!({"data": payment}))
        }
        ("GET", "/v1/payment/info") => {
            let id = query.strip_prefix("id=").unwrap_or_default();
            match store.xpays_payments.get(id) {
                Some(payment) => reply(StatusCode::OK, json!({"data": payment})),
                None => fail(StatusCode::OK, "Payment not found"),
            }
        }
        ("POST", "/v1/payment/cancel") => {
            let id = fields["id"].as_str().unwrap_or_default();
            match store.xpays_payments.get_mut(id) {
                Some(payment) if payment["status"] == "CANCELED" => {
                    fail(StatusCode::BAD_REQUEST, "Payment already canceled")
                }
                Some(payment) => {
                    payment["payment_status"] = json!("PAYMENT_CANCELED");
                    payment["status"] = json!("CANCELED");
                    payment["is_completed"] = json!(true);
                    reply(StatusCode::OK, json!({"data": payment}))
                }
                None => fail(StatusCode::NOT_FOUND, "Payment not found"),
            }
        }
        _ => fail(StatusCode::NOT_FOUND, "Not found"),
    }
}

/// Paywall's merchant state: batches (open or not) and payments by MerchantUniqueCode.
#[derive(Default)]
struct Paywall {
    batches: BTreeMap<String, bool>,
    payments: BTreeMap<String, PaywallPayment>,
    next_payment: i64,
}

#[derive(Clone)]
struct PaywallPayment {
    id: i64,
    unique: String,
    amount: f64,
    state: &'static str,
    tracking: String,
}

impl Paywall {
    fn seeded() -> Self {
        let mut paywall = Paywall {
            next_payment: 994838400,
            ..Paywall::default()
        };
        paywall
            .batches
            .insert("8279c96e-2775-4ecf-b594-3cb8fb265f88".into(), true);
        let seed = [
            (
                "AA90T0SD0ASF99",
                994838374,
                "cdd14b16-74fd-4f3b-863f-fccb3ec80baf",
                250.0,
                "paid",
            ),
            (
                "BB11",
                994838375,
                "0c2a9a52-1a86-4d5e-9a53-7d2b1c8b5f01",
                120.0,
                "paid",
            ),
            (
                "CC22",
                994838376,
                "3b1e2f0a-6a3c-4f7e-8f2d-0d9c8b7a6e02",
                80.0,
                "paid",
            ),
            (
                "DD33",
                994838377,
                "9f8e7d6c-5b4a-4321-8fed-cba987654303",
                40.0,
                "paid",
            ),
            (
                "FF55",
                994838379,
                "2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d05",
                90.0,
                "provision",
            ),
        ];
        for (code, id, unique, amount, state) in seed {
            paywall.payments.insert(
                code.into(),
                PaywallPayment {
                    id,
                    unique: unique.into(),
                    amount,
                    state,
                    tracking: format!("T-{id}"),
                },
            );
        }
        paywall
    }

    /// The payment a request names by MerchantUniqueCode, UniqueCode or PaymentId.
    fn find(
        &mut self,
        fields: &Value,
        headers: &HeaderMap,
    ) -> Option<(&String, &mut PaywallPayment)> {
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let code = fields["MerchantUniqueCode"]
            .as_str()
            .map(str::to_owned)
            .or_else(|| header("merchantuniquecode"));
        let unique = fields["UniqueCode"]
            .as_str()
            .map(str::to_owned)
            .or_else(|| header("uniquecode"));
        let id = fields["PaymentId"]
            .as_i64()
            .or_else(|| header("paymentid").and_then(|v| v.parse().ok()));
        self.payments.iter_mut().find(|(c, p)| {
            Some(c.as_str()) == code.as_deref()
                || Some(p.unique.as_str()) == unique.as_deref()
                || Some(p.id) == id
        })
    }
}

fn paywall_envelope(code: i64, message: &str, body: Value) -> Response {
    reply(
        StatusCode::OK,
        json!({
            "ErrorCodeType": if code == 0 { 1 } else { 2 }, "ErrorMessage": if code == 0 { Value::Null } else { json!(message) },
            "ErrorCode": code, "Result": code == 0, "Message": message, "Body": body,
        }),
    )
}

/// A payment as the query services show it.
fn paywall_info(code: &str, payment: &PaywallPayment) -> Value {
    json!({
        "PaymentId": payment.id, "UniqueCode": payment.unique, "MerchantUniqueCode": code, "TrackingCode": payment.tracking,
        "PaymentAmount": payment.amount, "Status": payment.state == "paid", "StatusName": payment.state,
        "AnySuccessCancel": payment.state == "cancelled", "AnySuccessRefund": payment.state == "refunded",
        "IsFullyRefunded": payment.state == "refunded", "RemainingRefundAmount": payment.amount, "Installment": 1
    })
}

/// Paywall: static key pairs in headers (public for PaymentAPI, private for PaymentPrivateAPI),
/// and every answer an envelope; a refused operation is HTTP 200 with `Result: false`.
fn paywall(store: &mut Store, path: &str, headers: &HeaderMap, body: &[u8]) -> Response {
    let private = path.starts_with("/api/paywall/private/");
    let pair = if private {
        &PAYWALL_KEYS[2..]
    } else {
        &PAYWALL_KEYS[..2]
    };
    let authorised = pair
        .iter()
        .all(|(name, value)| headers.get(*name).and_then(|v| v.to_str().ok()) == Some(*value));
    if !authorised {
        return paywall_envelope(77, "Invalid credentials", Value::Null);
    }
    let fields: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    if !fields.get("Date").is_none_or(Value::is_string) {
        return paywall_envelope(2, "Unexpected parameters", Value::Null);
    }
    if private {
        return paywall_private(&mut store.paywall, path, headers, &fields);
    }
    paywall_public(&mut store.paywall, path, &fields)
}

fn paywall_public(paywall: &mut Paywall, path: &str, fields: &Value) -> Response {
    match path {
        "/api/paywall/payment/bulk/payment/cancel" => {
            match paywall
                .batches
                .get_mut(fields["MerchantUniqueCode"].as_str().unwrap_or_default())
            {
                Some(open) if *open => {
                    *open = false;
                    paywall_envelope(
                        0,
                        "Bulk payment created and enqueued",
                        json!({"Result": true, "BulkPaymentId": 389, "TotalPaymentCount": 6}),
                    )
                }
                Some(_) => {
                    paywall_envelope(7, "The operation has already been completed", Value::Null)
                }
                None => paywall_envelope(-1, "Payment not found", Value::Null),
            }
        }
        "/api/paywall/payment/bulk/batch/cancel" => {
            let payments = fields["Payments"].as_array().cloned().unwrap_or_default();
            if payments.is_empty() || !fields["CallbackUrl"].is_string() {
                return paywall_envelope(2, "Unexpected parameters", Value::Null);
            }
            let results: Vec<Value> = payments
                .iter()
                .map(|p| json!({"MerchantUniqueCode": p["MerchantUniqueCode"], "Status": true, "Message": "queued", "BulkPaymentId": 390, "ErrorMessage": null, "BulkPaymentJobId": 1}))
                .collect();
            paywall_envelope(
                0,
                "Success",
                json!({"Result": true, "TotalPaymentCount": results.len(), "PaymentResults": results}),
            )
        }
        "/api/paywall/payment/bulk/file/startdirect" => {
            // The mock's handler read the multipart body into these fields (multer).
            let lines = fields["File"]["lines"].as_u64().unwrap_or_default();
            if fields["FileFormat"] != "5" || fields["FilePattern"].as_str().is_none() || lines == 0
            {
                return paywall_envelope(2, "Unexpected parameters", Value::Null);
            }
            paywall_envelope(
                0,
                "File-based bulk payment created and enqueued",
                json!({
                    "BulkPaymentId": 3467, "MerchantUniqueCode": "fe4acb15-0b4c-4a6e-9f0e-2a1b3c4d5e6f",
                    "ProcessedRecords": 0, "TotalRecords": lines, "IsEnqueued": true, "Message": fields["File"]["filename"]
                }),
            )
        }
        "/api/paywall/payment/startdirect" | "/api/paywall/payment/start3d" => {
            let detail = &fields["PaymentDetail"];
            let (Some(code), Some(amount)) = (
                detail["MerchantUniqueCode"].as_str(),
                detail["Amount"].as_f64(),
            ) else {
                return paywall_envelope(17, "Unexpected payment detail", Value::Null);
            };
            if paywall.payments.contains_key(code) {
                return paywall_envelope(4, "MerchantUniqueCode already exists", Value::Null);
            }
            paywall.next_payment += 1;
            let id = paywall.next_payment;
            let three_d = path.ends_with("start3d");
            let payment = PaywallPayment {
                id,
                unique: format!("5a1e{id:028x}"),
                amount,
                state: if three_d { "awaiting_3d" } else { "paid" },
                tracking: String::new(),
            };
            let started = json!({"PaymentId": id, "ActivityId": 1, "UniqueCode": payment.unique, "MerchantUniqueKey": code});
            paywall.payments.insert(code.to_owned(), payment);
            if three_d {
                paywall_envelope(
                    0,
                    "Success",
                    json!({"Message": "redirect", "RedirectUrl": format!("https://agent.test/3d/{id}"), "Payment": started}),
                )
            } else {
                paywall_envelope(0, "Success", json!({"Payment": started, "Error": null}))
            }
        }
        "/api/paywall/payment/provision/cancel" => match paywall
            .payments
            .get_mut(fields["MerchantUniqueCode"].as_str().unwrap_or_default())
        {
            Some(p) if p.state == "provision" => {
                p.state = "provision_cancelled";
                paywall_envelope(0, "Success", json!(""))
            }
            Some(_) => paywall_envelope(1, "Failure", json!("")),
            None => paywall_envelope(-1, "Payment not found", Value::Null),
        },
        _ => paywall_envelope(1, "Not found", Value::Null),
    }
}

fn paywall_private(
    paywall: &mut Paywall,
    path: &str,
    headers: &HeaderMap,
    fields: &Value,
) -> Response {
    if let Some(query) = path.strip_prefix("/api/paywall/private/query") {
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        return match query {
            "" | "/by/uniquecode" | "/by/paymentid" => match paywall.find(fields, headers) {
                Some((code, payment)) => {
                    let info = paywall_info(code, payment);
                    paywall_envelope(0, "Success", json!({"Paywall": info}))
                }
                None => paywall_envelope(-1, "Payment not found", Value::Null),
            },
            "/by/trackingcode" => {
                let wanted = header("trackingcode");
                let list: Vec<Value> = paywall
                    .payments
                    .iter()
                    .filter(|(_, p)| p.tracking == wanted)
                    .map(|(c, p)| paywall_info(c, p))
                    .collect();
                paywall_envelope(0, "Success", json!({"List": list}))
            }
            "/by/productid" => {
                let list: Vec<Value> = paywall
                    .payments
                    .iter()
                    .take(100)
                    .map(|(c, p)| paywall_info(c, p))
                    .collect();
                paywall_envelope(0, "Success", json!({"List": list}))
            }
            _ => paywall_envelope(1, "Not found", Value::Null),
        };
    }
    let (allowed, next): (&[&str], &'static str) = match path {
        "/api/paywall/private/refund" | "/api/paywall/private/refund/by/uniquecode" => {
            (&["paid"], "refunded")
        }
        "/api/paywall/private/refund/partial"
        | "/api/paywall/private/refund/partial/by/paymentid"
        | "/api/paywall/private/refund/partial/by/uniquecode" => {
            (&["paid", "partially_refunded"], "partially_refunded")
        }
        "/api/paywall/private/cancel" | "/api/paywall/private/cancel/by/uniqueCode" => {
            (&["paid"], "cancelled")
        }
        "/api/paywall/private/revert" | "/api/paywall/private/revert/by/paymentid" => {
            (&["paid", "partially_refunded"], "reverted")
        }
        _ => return paywall_envelope(1, "Not found", Value::Null),
    };
    let Some((_, payment)) = paywall.find(fields, headers) else {
        return paywall_envelope(-1, "Payment not found", Value::Null);
    };
    if path.contains("/partial")
        && fields["Amount"]
            .as_f64()
            .is_none_or(|a| a <= 0.0 || a > payment.amount)
    {
        return paywall_envelope(
            65,
            "Operation amount cannot exceed payment amount",
            Value::Null,
        );
    }
    if !allowed.contains(&payment.state) {
        return paywall_envelope(7, "The operation has already been completed", Value::Null);
    }
    payment.state = next;
    paywall_envelope(0, "Success", Value::Null)
}

/// CoinPool's token state: issued access tokens (with expiry) and the one live refresh token;
/// and its records, kept as the documentation's JSON shapes.
#[derive(Default)]
struct CoinPool {
    lifetime: u64,
    access: BTreeMap<String, std::time::Instant>,
    refresh: Option<String>,
    locked: bool,
    logins: usize,
    presented: Vec<String>,
    serial: usize,
    orders: BTreeMap<String, Value>,
    users: BTreeMap<String, Value>,
    drafts: BTreeMap<String, Value>,
    offers: Vec<Value>,
    deposits: BTreeMap<String, Value>,
    deposit_keys: BTreeMap<String, String>,
    next: u64,
}

impl CoinPool {
    fn issue(&mut self) -> Value {
        self.serial += 1;
        let access = format!("v4.local.access-{}", self.serial);
        let refresh = format!("rt-{}", self.serial);
        self.access.insert(
            access.clone(),
            std::time::Instant::now() + std::time::Duration::from_secs(self.lifetime),
        );
        self.refresh = Some(refresh.clone());
        json!({
            "access_token": access, "refresh_token": refresh, "token_type": "bearer", "expires_in": self.lifetime,
            "user": {"id": "3c90c3cc-0d44-4b50-8888-8dd25736052a", "email": WESTMINISTER_EMAIL, "role": "customer", "kyc_status": "approved"}
        })
    }

    /// A new UUID-shaped id with a recognisable prefix.
    fn id(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}-b022-42a6-b57e-{:012x}", self.next)
    }
}

/// CoinPool: bearer tokens from login, rotating refresh tokens (a used one stops working),
/// expiry enforced by the server; errors are `{"error": …}`.
fn coinpool(
    store: &mut Store,
    method: &Method,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let fields: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let pool = &mut store.coinpool;
    match (method.as_str(), path) {
        ("POST", "/api/v1/users/login") => {
            pool.logins += 1;
            if pool.locked
                || fields["email"] != WESTMINISTER_EMAIL
                || fields["password"] != WESTMINISTER_PASSWORD
            {
                return coinpool_error(StatusCode::UNAUTHORIZED, "invalid email or password");
            }
            return reply(StatusCode::OK, pool.issue());
        }
        ("POST", "/api/v1/users/login-pin") => {
            if fields["pin"] != "432100" {
                return coinpool_error(StatusCode::UNAUTHORIZED, "invalid pin");
            }
            return reply(StatusCode::OK, pool.issue());
        }
        ("POST", "/api/v1/auth/refresh") => {
            let presented = fields["refresh_token"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            pool.presented.push(presented.clone());
            if pool.refresh.as_deref() != Some(presented.as_str()) {
                return coinpool_error(StatusCode::UNAUTHORIZED, "invalid refresh token");
            }
            return reply(StatusCode::OK, pool.issue());
        }
        ("POST", "/api/v1/users/register") => return coinpool_register(pool, &fields),
        _ => {}
    }
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let valid = token
        .and_then(|t| pool.access.get(t))
        .is_some_and(|expiry| std::time::Instant::now() < *expiry);
    if !valid {
        return coinpool_error(StatusCode::UNAUTHORIZED, "unauthorized");
    }
    let segments: Vec<&str> = path
        .trim_start_matches("/api/v1/auth/")
        .split('/')
        .collect();
    let query = |key: &str| {
        query
            .split('&')
            .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
            .and_then(|v| v.parse::<usize>().ok())
    };
    let page = (
        query("page_id").unwrap_or(1),
        query("page_size").unwrap_or(20),
    );
    let method = method.as_str();
    coinpool_users(pool, method, &segments, &fields)
        .or_else(|| coinpool_orders(pool, method, &segments, &fields, page))
        .or_else(|| coinpool_remittance(pool, method, &segments, &fields))
        .or_else(|| coinpool_market(pool, method, &segments, &fields, page))
        .unwrap_or_else(|| coinpool_error(StatusCode::NOT_FOUND, "not found"))
}

fn coinpool_error(status: StatusCode, message: &str) -> Response {
    reply(status, json!({"error": message}))
}

fn is_pin(value: &Value) -> bool {
    value
        .as_str()
        .is_some_and(|p| p.len() == 6 && p.bytes().all(|b| b.is_ascii_digit()))
}

/// POST /api/v1/users/register: the user and its default Ethereum and TRON wallets.
fn coinpool_register(pool: &mut CoinPool, fields: &Value) -> Response {
    let (Some(email), Some(password)) = (fields["email"].as_str(), fields["password"].as_str())
    else {
        return coinpool_error(StatusCode::BAD_REQUEST, "email and password are required");
    };
    if password.len() < 6 {
        return coinpool_error(
            StatusCode::BAD_REQUEST,
            "password must be at least 6 characters",
        );
    }
    let id = pool.id("5e0c1a7d");
    let user = json!({
        "id": id, "email": email, "phone_number": fields["phone_number"], "first_name": fields["first_name"],
        "last_name": fields["last_name"], "role": fields.get("role").cloned().unwrap_or(json!("customer")),
        "kyc_status": fields.get("kyc_status").cloned().unwrap_or(json!("pending")),
    });
    pool.users.insert(id.clone(), user.clone());
    let wallet = |network: &str, address: &str| {
        json!({"wallet": {"id": "9a0f6b84-6c1e-4c57-9d7a-1d2a3b4c5d6e", "user_id": id, "name": format!("{network} wallet"), "address": address,
            "wallet_type": "custodial", "network": network, "is_default": true, "is_active": true},
          "balances": [{"currency": "USDT", "token_type": "TRC20", "token_symbol": "USDT", "amount": "0", "usd_value": "0", "locked_amount": "0", "last_price_usd": "1"}]})
    };
    reply(
        StatusCode::CREATED,
        json!({"message": "user registered", "user": user,
               "wallets": [wallet("tron", "TGzdk5NZ6yFDDp2u35cKDWwSsktCDAR3MW"), wallet("ethereum", "0x4794a6d3e1b4c2f0a9e8d7c6b5a4938271605f4e")]}),
    )
}

fn coinpool_users(
    pool: &mut CoinPool,
    method: &str,
    segments: &[&str],
    fields: &Value,
) -> Option<Response> {
    let found = |user: Option<&Value>| match user {
        Some(user) => reply(StatusCode::OK, user.clone()),
        None => coinpool_error(StatusCode::NOT_FOUND, "user not found"),
    };
    Some(match (method, segments) {
        ("GET", ["user", "email", email]) => {
            let user = json!({"id": "3c90c3cc-0d44-4b50-8888-8dd25736052a", "email": email, "role": "customer", "kyc_status": "approved"});
            let known = pool.users.values().find(|u| u["email"] == *email);
            found(Some(known.unwrap_or(&user)))
        }
        ("GET", ["user", "id", id]) => found(pool.users.get(*id)),
        ("PUT", ["user", "id", id, "pin"]) => {
            let valid = is_pin(&fields["new_pin"])
                && fields["new_pin"] == fields["confirm_new_pin"]
                && (fields.get("current_pin").is_none() || is_pin(&fields["current_pin"]));
            if !valid {
                return Some(coinpool_error(
                    StatusCode::BAD_REQUEST,
                    "new_pin and confirm_new_pin must be the same 6 digits",
                ));
            }
            found(pool.users.get(*id))
        }
        _ => return None,
    })
}

fn coinpool_orders(
    pool: &mut CoinPool,
    method: &str,
    segments: &[&str],
    fields: &Value,
    (page_id, size): (usize, usize),
) -> Option<Response> {
    let listed = |orders: Vec<Value>| {
        let page = orders
            .into_iter()
            .skip((page_id.max(1) - 1) * size)
            .take(size);
        reply(StatusCode::OK, Value::Array(page.collect()))
    };
    Some(match (method, segments) {
        ("POST", ["orders"]) => {
            let required = [
                "customer_id",
                "vendor_id",
                "offer_id",
                "usdt_amount",
                "fiat_amount",
                "fiat_currency",
                "wallet_address",
                "payment_method",
                "order_type",
                "expires_at",
            ];
            if let Some(missing) = required.iter().find(|k| !fields[**k].is_string()) {
                return Some(coinpool_error(
                    StatusCode::BAD_REQUEST,
                    &format!("{missing} is required"),
                ));
            }
            let id = pool.id("233e6fe7");
            let order = json!({
                "id": id, "customer_id": fields["customer_id"], "vendor_id": fields["vendor_id"], "offer_id": fields["offer_id"],
                "crypto_amount": fields["usdt_amount"], "usdt_amount": fields["usdt_amount"], "fiat_amount": fields["fiat_amount"],
                "fiat_currency": fields["fiat_currency"], "wallet_address": fields["wallet_address"], "status": "pending",
                "payment_method": fields["payment_method"], "payment_txn_id": {"String": "", "Valid": false},
                "expires_at": fields["expires_at"], "completed_at": {"Time": "0001-01-01T00:00:00Z", "Valid": false},
                "created_at": "2025-12-12T07:47:59.755991Z", "updated_at": "2025-12-12T07:47:59.755991Z",
                "mpesa_receipt_number": {"String": "", "Valid": false}, "order_type": fields["order_type"],
                "order_subtype": "standard_onramp",
            });
            pool.orders.insert(id, order.clone());
            reply(StatusCode::CREATED, order)
        }
        ("GET", ["orders"]) => listed(pool.orders.values().cloned().collect()),
        ("GET", ["orders", "pending"]) => listed(
            pool.orders
                .values()
                .filter(|o| o["status"] == "pending")
                .map(|o| {
                    let mut o = o.clone();
                    o["rate"] = json!("146.00");
                    o
                })
                .collect(),
        ),
        ("GET", ["order", "id", id, "details"]) => match pool.orders.get(*id) {
            Some(order) => {
                let mut details = order.clone();
                for (k, v) in [
                    ("customer_email", "ana@example.com"),
                    ("vendor_email", "desk@example.com"),
                    ("offer_type", "SELL"),
                    ("offer_rate", "146.00"),
                ] {
                    details[k] = json!(v);
                }
                reply(StatusCode::OK, details)
            }
            None => coinpool_error(StatusCode::NOT_FOUND, "order not found"),
        },
        ("POST", ["orders", "payment"]) => match pool
            .orders
            .get_mut(fields["order_id"].as_str().unwrap_or_default())
        {
            Some(order) => {
                order["checkout_request_id"] = json!({"String": "ws_CO_123", "Valid": true});
                order["mpesa_receipt_number"] = json!({"String": "QK12ABC", "Valid": true});
                order["completed_at"] = json!({"Time": "2025-12-12T08:00:00Z", "Valid": true});
                reply(
                    StatusCode::OK,
                    json!({
                        "success": true, "message": "STK push sent", "order_id": order["id"], "payment_method": "mpesa",
                        "amount": order["fiat_amount"], "merchant_request_id": "29115-34620561-1", "checkout_request_id": "ws_CO_123",
                        "response_code": "0", "response_description": "Success. Request accepted for processing",
                        "customer_message": "Success. Request accepted for processing"
                    }),
                )
            }
            None => coinpool_error(StatusCode::NOT_FOUND, "order not found"),
        },
        ("POST", ["orders", id, action]) if pool.orders.contains_key(*id) => match *action {
            "send-payment" if fields["confirm"] == true => reply(
                StatusCode::OK,
                json!({
                    "transaction_hash": "a1b2c3", "status": "pending", "estimated_confirmations": 19, "network": "tron", "message": "payment sent"
                }),
            ),
            "send-payment" => coinpool_error(StatusCode::BAD_REQUEST, "confirm must be true"),
            "estimate-fee" => reply(
                StatusCode::OK,
                json!({
                    "fee_usdt": "1.10", "fee_native": "8.2", "fee_kes": "160.60", "estimated_time_seconds": 60,
                    "estimated_time_minutes": "1", "network": fields["network"]
                }),
            ),
            _ => coinpool_error(StatusCode::NOT_FOUND, "not found"),
        },
        ("GET", ["orders", "stats", "customer", customer]) => {
            let mine: Vec<&Value> = pool
                .orders
                .values()
                .filter(|o| o["customer_id"] == *customer)
                .collect();
            let count = |status: &str| mine.iter().filter(|o| o["status"] == status).count();
            reply(
                StatusCode::OK,
                json!({
                    "total_orders": mine.len(), "completed_orders": count("completed"), "cancelled_orders": count("cancelled"),
                    "pending_orders": count("pending"), "total_volume": "MA==", "total_usdt": "MA=="
                }),
            )
        }
        ("PUT", ["order", "id", id, "cancel"]) => match pool.orders.get_mut(*id) {
            Some(order) if order["status"] == "pending" => {
                order["status"] = json!("cancelled");
                reply(StatusCode::OK, order.clone())
            }
            Some(_) => coinpool_error(
                StatusCode::CONFLICT,
                "order cannot be cancelled in its current status",
            ),
            None => coinpool_error(StatusCode::NOT_FOUND, "order not found"),
        },
        _ => return None,
    })
}

/// Remittance: off-ramp orders and custodial drafts.
fn coinpool_remittance(
    pool: &mut CoinPool,
    method: &str,
    segments: &[&str],
    fields: &Value,
) -> Option<Response> {
    Some(match (method, segments) {
        ("POST", ["remittance", "off-ramp", "orders"]) => {
            let pairs = [
                "vendor_id",
                "offer_id",
                "pricing_profile_id",
                "fx_rate_quote_id",
            ];
            if pairs.iter().any(|k| !fields[*k].is_string()) {
                return Some(coinpool_error(
                    StatusCode::BAD_REQUEST,
                    "vendor_id + offer_id and pricing_profile_id + fx_rate_quote_id are required",
                ));
            }
            let id = pool.id("9b1e6fe7");
            let order = json!({
                "id": id, "customer_id": fields["customer_id"], "vendor_id": fields["vendor_id"], "offer_id": fields["offer_id"],
                "asset": "USDT", "crypto_amount": "68.49000000", "fiat_amount": fields["beneficiary_fiat_amount"],
                "fiat_currency": fields["fiat_currency"], "status": "pending", "order_type": "OFF_RAMP_SELL",
                "order_subtype": "remittance_offramp",
                "sender_name": {"String": fields["sender_name"].as_str().unwrap_or_default(), "Valid": fields["sender_name"].is_string()},
            });
            pool.orders.insert(id, order.clone());
            reply(StatusCode::CREATED, order)
        }
        ("POST", ["remittance", "custodial", "drafts"]) => {
            let id = pool.id("d7a4f1e0");
            let draft = json!({"id": id, "status": "draft", "escrow_wallet_address": "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE", "usdt_total_debit": "69.59"});
            pool.drafts.insert(id, draft.clone());
            reply(
                StatusCode::CREATED,
                json!({"draft": draft, "pricing_snapshot_note": "rates held for 15 minutes"}),
            )
        }
        ("POST", ["remittance", "custodial", "drafts", id, "confirm"]) => {
            let Some(draft) = pool.drafts.get_mut(*id) else {
                return Some(coinpool_error(StatusCode::NOT_FOUND, "draft not found"));
            };
            draft["status"] = json!("confirmed");
            let order_id = pool.id("c0ffee00");
            let order = json!({"id": order_id, "status": "processing", "order_type": "OFF_RAMP_SELL",
                "order_subtype": "custodial_remittance_offramp", "offer_id": null, "corridor_id": "3c90c3cc-0d44-4b50-8888-8dd25736052a"});
            pool.orders.insert(order_id, order.clone());
            reply(
                StatusCode::OK,
                json!({"order": order, "custodial_transfer": {"status": "submitted"}, "remittance_draft_id": id}),
            )
        }
        _ => return None,
    })
}

/// Offers, pricing, customer transactions and OTC deposits.
fn coinpool_market(
    pool: &mut CoinPool,
    method: &str,
    segments: &[&str],
    fields: &Value,
    (page_id, size): (usize, usize),
) -> Option<Response> {
    Some(match (method, segments) {
        ("POST", ["offers"]) => {
            let mut offer = fields.clone();
            offer["id"] = json!(pool.id("0ff3e5a1"));
            offer["status"] = fields.get("status").cloned().unwrap_or(json!("active"));
            offer["description"] = json!({"String": "", "Valid": false});
            pool.offers.push(offer.clone());
            reply(StatusCode::CREATED, offer)
        }
        ("GET", ["offers", "type", kind]) => {
            if !(5..=10).contains(&size) {
                return Some(coinpool_error(
                    StatusCode::BAD_REQUEST,
                    "page_size must be between 5 and 10",
                ));
            }
            let offers = pool
                .offers
                .iter()
                .filter(|o| o["offer_type"] == *kind)
                .skip((page_id.max(1) - 1) * size)
                .take(size);
            reply(StatusCode::OK, Value::Array(offers.cloned().collect()))
        }
        ("GET", ["customer", "transactions"]) => reply(
            StatusCode::OK,
            json!({
                "offers": pool.offers.iter().take(size).collect::<Vec<_>>(),
                "orders": pool.orders.values().take(size).collect::<Vec<_>>(),
            }),
        ),
        ("POST", ["pricing", "resolve"]) => reply(
            StatusCode::OK,
            json!({
                "pricing_profile_id": "11111111-2222-3333-4444-555555555555", "fx_rate_quote_id": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
                "flow_type": fields["flow_type"], "asset": fields["asset"], "fiat_currency": "KES", "amount_in": fields["amount_in"],
                "reference_fx_rate": "129.50", "applied_fx_rate": "131.00", "spread_bps": 115, "spread_amount": "1.50",
                "fees": {"fixed_fee": "0", "fixed_fee_currency": "KES", "percentage_fee_bps": 50, "percentage_fee_amount": "6.00", "total_fee_amount": "6.00", "fee_currency": "USDT"},
                "amounts": {"gross_fiat_amount": "157200.00", "net_fiat_amount": "156414.00", "gross_crypto_amount": "1200.00", "net_crypto_amount": "1194.00"},
                "settlement_side": "customer", "rate_source": "manual", "quoted_at": "2026-01-01T00:00:00Z", "expires_at": "2026-01-01T00:15:00Z"
            }),
        ),
        ("POST", ["otc", "deposits", tail @ ..]) => {
            return Some(coinpool_deposit(pool, tail, fields));
        }
        _ => return None,
    })
}

fn coinpool_deposit(pool: &mut CoinPool, tail: &[&str], fields: &Value) -> Response {
    let deposit = |id: &str, status: &str| {
        let mut deposit = fields.clone();
        deposit["id"] = json!(id);
        deposit["merchant_id"] = json!("3c90c3cc-0d44-4b50-8888-8dd25736052a");
        deposit["status"] = json!(status);
        deposit
    };
    match tail {
        [] => {
            let id = pool.id("de9051a0");
            let created = deposit(&id, "pending");
            pool.deposits.insert(id, created.clone());
            reply(StatusCode::CREATED, created)
        }
        ["draft"] => {
            let key = fields["idempotency_key"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            if let Some(id) = pool.deposit_keys.get(&key).filter(|_| !key.is_empty()) {
                return reply(
                    StatusCode::OK,
                    json!({"deposit": pool.deposits[id], "idempotent_replay": true}),
                );
            }
            let id = pool.id("d4af7000");
            let created = deposit(&id, "draft");
            pool.deposits.insert(id.clone(), created.clone());
            pool.deposit_keys.insert(key, id);
            reply(
                StatusCode::CREATED,
                json!({"deposit": created, "idempotent_replay": false}),
            )
        }
        [id, "credit"] => match pool.deposits.get_mut(*id) {
            Some(found) if found["status"] != "credited" => {
                found["status"] = json!("credited");
                found["to_wallet_id"] = fields["to_wallet_id"].clone();
                found["usdt_amount"] = fields["usdt_amount"].clone();
                reply(
                    StatusCode::OK,
                    json!({"deposit": found, "transfer": {"id": "7f3e2d1c-0b9a-4876-9543-210fedcba987", "status": "submitted", "message": "credited"}, "multisig_request": null}),
                )
            }
            Some(_) => coinpool_error(StatusCode::CONFLICT, "deposit already credited"),
            None => coinpool_error(StatusCode::NOT_FOUND, "deposit not found"),
        },
        _ => coinpool_error(StatusCode::NOT_FOUND, "not found"),
    }
}
