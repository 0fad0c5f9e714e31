//! Redirects a vendor declares (`redirects: same_origin`): followed on its origin and signed
//! afresh for the new URL, refused anywhere else, and a loop ends.

use std::time::Duration;

use payspec_runtime::{Credentials, Error, Runtime, Settings};
use serde_json::json;

use crate::server::{Hostile, Reply};

/// Rio's profile, declaring that it redirects.
fn redirecting_runtime(base: &str) -> Runtime {
    let mut profile = payspec::rio::VENDOR.profile().unwrap();
    profile.redirects = payspec_runtime::profile::RedirectPolicy::SameOrigin;
    let settings = Settings::new()
        .base_url(base)
        .credentials(Credentials::new().with("api_key", crate::RIO_KEY))
        .retry(payspec_runtime::RetryPolicy::none())
        .timeouts(payspec_runtime::Timeouts {
            connect: Duration::from_secs(2),
            attempt: Duration::from_secs(2),
            call: Duration::from_secs(5),
        });
    Runtime::with_profile(profile, payspec::rio::OPERATIONS, settings).unwrap()
}

fn get(hostile: &Hostile, path: &str) -> Result<payspec_runtime::Answer, Error> {
    let runtime = redirecting_runtime(&hostile.url());
    let url = format!("{}{path}", hostile.url()).parse().unwrap();
    let request = reqwest::Request::new(reqwest::Method::GET, url);
    hostile.block_on(runtime.send(request, "get_bulk_crypto_payment"))
}

fn answer(
    reply: impl Fn(&crate::server::Seen, usize, &crate::server::Origins) -> Reply
    + Send
    + Sync
    + 'static,
) -> Hostile {
    Hostile::start(std::sync::Arc::new(reply))
}

#[test]
fn a_declared_same_origin_redirect_is_followed_and_signed_again() {
    let hostile = answer(|seen, _, _| {
        match seen.path.as_str() {
        "/api/payments/crypto/bulk/old" => Reply::Raw(b"HTTP/1.1 308 Moved\r\nlocation: /api/payments/crypto/bulk/new\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_vec()),
        _ => Reply::Json(200, vec![], json!({"id": "new"}).to_string()),
    }
    });
    let response = get(&hostile, "/api/payments/crypto/bulk/old").unwrap();
    assert_eq!(response.status(), 200);
    let seen = hostile.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].path, "/api/payments/crypto/bulk/new");
    assert_eq!(
        seen[1].header("x-api-key").as_deref(),
        Some(crate::RIO_KEY),
        "signed for the new URL"
    );
}

#[test]
fn a_declared_policy_still_refuses_other_origins_and_loops() {
    let elsewhere = answer(|_, _, o| {
        Reply::Raw(
            format!(
                "HTTP/1.1 307 Moved\r\nlocation: http://{}/x\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                o.other
            )
            .into_bytes(),
        )
    });
    let error = get(&elsewhere, "/api/payments/crypto/bulk/a").unwrap_err();
    assert!(error.to_string().contains("another origin"), "{error}");
    assert!(
        elsewhere.other_origin_bytes().is_empty(),
        "nothing reached the other origin"
    );

    let localhost = answer(|_, _, o| {
        Reply::Raw(format!("HTTP/1.1 307 Moved\r\nlocation: http://localhost:{}/x\r\ncontent-length: 0\r\nconnection: close\r\n\r\n", o.vendor.port()).into_bytes())
    });
    let error = get(&localhost, "/api/payments/crypto/bulk/a").unwrap_err();
    assert!(
        error.to_string().contains("another origin"),
        "localhost is not 127.0.0.1: {error}"
    );

    let looping = answer(|_, n, _| {
        Reply::Raw(format!("HTTP/1.1 302 Found\r\nlocation: /api/payments/crypto/bulk/{n}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").into_bytes())
    });
    let error = get(&looping, "/api/payments/crypto/bulk/a").unwrap_err();
    assert!(
        matches!(error, Error::Redirect(_)) && error.to_string().contains("loop"),
        "{error}"
    );
    assert_eq!(
        looping.seen().len(),
        6,
        "the first request and five redirects"
    );
}

#[test]
fn a_declared_policy_never_turns_a_write_into_a_get() {
    let hostile = answer(|_, _, _| {
        Reply::Raw(b"HTTP/1.1 303 See Other\r\nlocation: /api/payments/crypto/bulk/x\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_vec())
    });
    let runtime = redirecting_runtime(&hostile.url());
    let url = format!("{}/api/payments/crypto/bulk", hostile.url())
        .parse()
        .unwrap();
    let mut request = reqwest::Request::new(reqwest::Method::POST, url);
    *request.body_mut() = Some("{}".into());
    let error = hostile
        .block_on(runtime.send(request, "create_bulk_crypto_payment"))
        .unwrap_err();
    assert!(
        error.to_string().contains("would turn it into a GET"),
        "{error}"
    );
    assert_eq!(hostile.seen().len(), 1);
}
