//! The attacks, one case each.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

use crate::server::{Handler, Origins, Reply, Seen};
use crate::{ACCESS_TOKEN, Case, REFRESH_TOKEN};

fn handler(f: impl Fn(&Seen, usize, &Origins) -> Reply + Send + Sync + 'static) -> Handler {
    Arc::new(f)
}

fn json_reply(status: u16, body: Value) -> Reply {
    Reply::Json(status, Vec::new(), body.to_string())
}

fn raw(text: String) -> Reply {
    Reply::Raw(text.into_bytes())
}

fn redirect(status: u16, location: &str) -> Reply {
    raw(format!(
        "HTTP/1.1 {status} Redirect\r\nlocation: {location}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
    ))
}

const CASHOUT: &str = r#"{"external_id":"e-1","country":"BR","amount":1,"document_id":"1","beneficiary_name":"A","notification_url":"https://merchant.example/n"}"#;

fn args(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| (*w).to_owned()).collect()
}

fn create_cashout() -> Vec<String> {
    args(&[
        "call",
        "onekey",
        "create_cashout",
        "--base-url",
        "{url}/v3",
        "--body",
        CASHOUT,
    ])
}

fn cashout_status() -> Vec<String> {
    args(&[
        "call",
        "onekey",
        "get_cashout_status",
        "--base-url",
        "{url}/v3",
        "--body",
        r#"{"cashout_id": 7}"#,
    ])
}

fn rio_get() -> Vec<String> {
    args(&[
        "call",
        "rio",
        "get_bulk_crypto_payment",
        "--base-url",
        "{url}",
        "--arg",
        "id=abc",
    ])
}

fn orders(timeout: Option<&str>) -> Vec<String> {
    let mut words = vec!["call", "westminister", "list_orders", "--base-url", "{url}"];
    if let Some(seconds) = timeout {
        words.extend(["--timeout", seconds]);
    }
    args(&words)
}

fn cancel_onekey() -> Vec<String> {
    args(&[
        "cancel",
        "onekey",
        "--id",
        "11954",
        "--external-id",
        "e-1",
        "--base-url",
        "{url}/v3",
    ])
}

/// A login answer with these tokens and lifetime.
fn grant(access: &str, expires_in: Value) -> Reply {
    json_reply(
        200,
        json!({"access_token": access, "refresh_token": REFRESH_TOKEN, "token_type": "bearer", "expires_in": expires_in, "user": {}}),
    )
}

fn redirects() -> Vec<Case> {
    let away = |status: u16| Case {
        name: match status {
            302 => "302 to another origin (POST, signed body)",
            303 => "303 to another origin (POST becomes GET?)",
            307 => "307 to another origin (body kept?)",
            _ => "308 to another origin (body kept?)",
        },
        args: create_cashout(),
        handler: handler(move |_, _, o| redirect(status, &format!("http://{}/steal", o.other))),
        exit: 1,
        requests: 1,
        says: "not followed",
    };
    vec![
        away(302),
        away(303),
        away(307),
        away(308),
        Case {
            name: "301 to the same origin, not declared",
            args: rio_get(),
            handler: handler(|_, _, _| redirect(301, "/api/payments/crypto/bulk/other")),
            exit: 1,
            requests: 1,
            says: "does not declare that this vendor redirects",
        },
        Case {
            name: "302 whose Location echoes the API key",
            args: rio_get(),
            handler: handler(|seen, _, o| {
                let key = seen.header("x-api-key").unwrap_or_default();
                redirect(302, &format!("http://{}/steal?k={key}", o.other))
            }),
            exit: 1,
            requests: 1,
            says: "k=[redacted]",
        },
    ]
}

fn echoes() -> Vec<Case> {
    vec![
        Case {
            name: "2xx of the wrong shape echoing the pass",
            args: cashout_status(),
            handler: handler(|seen, _, _| {
                let body: Value = serde_json::from_slice(&seen.body).unwrap_or_default();
                json_reply(
                    200,
                    json!({"cashout_status": body["pass"], "cashout_id": 7}),
                )
            }),
            exit: 1,
            requests: 1,
            says: "does not match the operation's type",
        },
        Case {
            name: "error echoing the request body (JSON-escaped twice)",
            args: create_cashout(),
            handler: handler(|seen, _, _| {
                let echoed = String::from_utf8_lossy(&seen.body).into_owned();
                json_reply(
                    412,
                    json!({"code": 300, "message": format!("bad request: {echoed}")}),
                )
            }),
            exit: 1,
            requests: 1,
            says: "vendor error 300",
        },
        Case {
            name: "a secret across the 300-character cut",
            args: create_cashout(),
            handler: handler(|seen, _, _| {
                let body: Value = serde_json::from_slice(&seen.body).unwrap_or_default();
                let login = body["login"].as_str().unwrap_or_default();
                json_reply(
                    412,
                    json!({"code": 300, "message": format!("{}{login}", "x".repeat(280))}),
                )
            }),
            exit: 1,
            requests: 1,
            says: "vendor error 300",
        },
        Case {
            name: "error echoing the signature header",
            args: create_cashout(),
            handler: handler(|seen, _, _| {
                let signature = seen.header("payload-signature").unwrap_or_default();
                json_reply(
                    401,
                    json!({"code": 401, "message": format!("bad signature {signature}")}),
                )
            }),
            exit: 1,
            requests: 1,
            says: "vendor error 401",
        },
        Case {
            name: "error echoing the key URL-encoded and in base64",
            args: rio_get(),
            handler: handler(|seen, _, _| {
                use base64::Engine as _;
                let key = seen.header("x-api-key").unwrap_or_default();
                let encoded: String =
                    url::form_urlencoded::byte_serialize(key.as_bytes()).collect();
                let b64 = base64::engine::general_purpose::STANDARD.encode(&key);
                json_reply(
                    400,
                    json!({"message": format!("key={encoded} basic={b64} raw={key}")}),
                )
            }),
            exit: 1,
            requests: 1,
            says: "HTTP 400",
        },
        Case {
            name: "error echoing the bearer and refresh tokens",
            args: orders(None),
            handler: handler(|seen, _, _| match seen.path.as_str() {
                "/api/v1/users/login" => grant(ACCESS_TOKEN, json!(900)),
                _ => {
                    let bearer = seen.header("authorization").unwrap_or_default();
                    json_reply(
                        400,
                        json!({"error": format!("bad {bearer}, refresh {REFRESH_TOKEN}")}),
                    )
                }
            }),
            exit: 1,
            requests: 2,
            says: "HTTP 400",
        },
    ]
}

/// The cancel whose 200 was cut off: the DELETE is sent again (it may be repeated), the vendor
/// refuses the repeat ("invalid status transition"), and the status read back settles it.
fn cut_off_cancel(status_read: fn() -> Reply) -> Handler {
    handler(move |seen, n, _| {
        match (seen.method.as_str(), n) {
        ("DELETE", 0) => raw("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"cashout_".into()),
        ("DELETE", _) => json_reply(412, json!({"code": 510, "message": "Invalid status transition"})),
        _ => status_read(),
    }
    })
}

fn cancels() -> Vec<Case> {
    vec![
        Case {
            name: "cancel cut off, refused on retry, status read: cancelled",
            args: cancel_onekey(),
            handler: cut_off_cancel(|| {
                json_reply(
                    200,
                    json!({"cashout_id": 11954, "cashout_status": 2, "cashout_status_description": "Canceled"}),
                )
            }),
            exit: 0,
            requests: 3,
            says: "\"status\":\"cancelled\"",
        },
        Case {
            name: "cancel cut off, status unreadable: unknown",
            args: cancel_onekey(),
            handler: cut_off_cancel(|| {
                json_reply(500, json!({"code": 500, "message": "Internal error"}))
            }),
            exit: 1,
            requests: 3,
            says: "\"status\":\"unknown\"",
        },
        Case {
            name: "cancel lost on every attempt, status read: cancelled",
            args: cancel_onekey(),
            handler: handler(|seen, _, _| match seen.method.as_str() {
                "DELETE" => raw("HTTP/1.1 200 OK\r\ncontent-length: 50\r\n\r\n{".into()),
                _ => json_reply(200, json!({"cashout_id": 11954, "cashout_status": 2})),
            }),
            exit: 0,
            requests: 4,
            says: "\"status\":\"cancelled\"",
        },
    ]
}

fn tokens() -> Vec<Case> {
    let login_then_orders = |login: fn() -> Reply| {
        handler(move |seen, _, _| match seen.path.as_str() {
            "/api/v1/users/login" => login(),
            _ => json_reply(200, json!([])),
        })
    };
    vec![
        Case {
            name: "token lifetime of 2^64-1 seconds",
            args: orders(None),
            handler: login_then_orders(|| grant(ACCESS_TOKEN, json!(u64::MAX))),
            exit: 0,
            requests: 2,
            says: "[]",
        },
        Case {
            name: "a login that never answers (--timeout 2)",
            args: orders(Some("2")),
            handler: login_then_orders(|| Reply::Silence),
            exit: 1,
            requests: 1,
            says: "timed out",
        },
        Case {
            name: "a 1 GB login body (declared)",
            args: orders(None),
            handler: login_then_orders(|| {
                raw("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1073741824\r\n\r\n{\"access_token\":\"".into())
            }),
            exit: 1,
            requests: 1,
            says: "exceeds 16777216 bytes",
        },
        Case {
            name: "an endless login body (chunked)",
            args: orders(None),
            handler: login_then_orders(|| Reply::Endless),
            exit: 1,
            requests: 1,
            says: "exceeds 16777216 bytes",
        },
        Case {
            name: "a 20 KiB token",
            args: orders(None),
            handler: login_then_orders(|| grant(&"t".repeat(20 * 1024), json!(900))),
            exit: 1,
            requests: 1,
            says: "16 KiB or longer",
        },
        Case {
            name: "a token that cannot be a header",
            args: orders(None),
            handler: login_then_orders(|| grant("tok\u{e9}n\r\nX-Evil: 1", json!(900))),
            exit: 1,
            requests: 1,
            says: "other than visible ASCII",
        },
    ]
}

fn transport() -> Vec<Case> {
    let lying = || {
        raw("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"id\":".into())
    };
    vec![
        Case {
            name: "a lying Content-Length on a GET (retried)",
            args: rio_get(),
            handler: handler(move |_, _, _| lying()),
            exit: 1,
            requests: 3,
            says: "the vendor may have acted on it",
        },
        Case {
            name: "a lying Content-Length on a POST (sent once)",
            args: create_cashout(),
            handler: handler(move |_, _, _| lying()),
            exit: 1,
            requests: 1,
            says: "the vendor may have acted on it",
        },
        Case {
            name: "an endless chunked success",
            args: rio_get(),
            handler: handler(|_, _, _| Reply::Endless),
            exit: 1,
            requests: 1,
            says: "exceeds 16777216 bytes",
        },
        Case {
            name: "a body dripping a byte every 50 ms (--timeout 1)",
            args: {
                let mut a = rio_get();
                a.extend(["--timeout".into(), "1".into()]);
                a
            },
            handler: handler(|_, _, _| Reply::Drip(Duration::from_millis(50))),
            exit: 1,
            requests: 1,
            says: "timed out",
        },
        Case {
            name: "1 MB of response headers",
            args: create_cashout(),
            handler: handler(|_, _, _| {
                raw(format!(
                    "HTTP/1.1 200 OK\r\nx-big: {}\r\ncontent-length: 2\r\n\r\n{{}}",
                    "a".repeat(1 << 20)
                ))
            }),
            exit: 1,
            requests: 1,
            says: "the vendor may have acted on it",
        },
    ]
}

fn retry_after() -> Vec<Case> {
    let once_then_ok = |after: &'static str| {
        handler(move |_, n, _| match n {
            0 => Reply::Json(503, vec![("retry-after".into(), after.into())], "{}".into()),
            _ => json_reply(200, json!({"id": "abc", "status": "complete"})),
        })
    };
    let case = |name, after, exit, requests, says| Case {
        name,
        args: rio_get(),
        handler: once_then_ok(after),
        exit,
        requests,
        says,
    };
    vec![
        case("Retry-After: 1 (seconds)", "1", 0, 2, "\"complete\""),
        case(
            "Retry-After: an HTTP date in the past",
            "Wed, 21 Oct 2015 07:28:00 GMT",
            0,
            2,
            "\"complete\"",
        ),
        case(
            "Retry-After: RFC 850 date",
            "Wednesday, 21-Oct-15 07:28:00 GMT",
            0,
            2,
            "\"complete\"",
        ),
        case(
            "Retry-After: asctime date",
            "Wed Oct 21 07:28:00 2015",
            0,
            2,
            "\"complete\"",
        ),
        case(
            "Retry-After: -5 (ignored: backoff)",
            "-5",
            0,
            2,
            "\"complete\"",
        ),
        case(
            "Retry-After: garbage (ignored: backoff)",
            "soon™",
            0,
            2,
            "\"complete\"",
        ),
        case(
            "Retry-After: 99999999999999999999 (gives up)",
            "99999999999999999999",
            1,
            1,
            "HTTP 503",
        ),
        Case {
            name: "a 503 to a POST (never repeated)",
            args: create_cashout(),
            handler: once_then_ok("0"),
            exit: 1,
            requests: 1,
            says: "HTTP 503",
        },
    ]
}

/// Every case.
pub fn all() -> Vec<Case> {
    [
        redirects(),
        echoes(),
        cancels(),
        tokens(),
        transport(),
        retry_after(),
    ]
    .into_iter()
    .flatten()
    .collect()
}
