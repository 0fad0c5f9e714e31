//! Errors say how far a call got, and vendor.yaml decides per operation whether a call may be
//! sent again.

use std::time::Duration;

use payspec_runtime::{Credentials, Error, Runtime, Settings, Stage};
use serde_json::json;

use crate::server::{Hostile, Reply};

fn runtime(base: &str, retry: Option<bool>) -> Runtime {
    let mut profile = payspec::rio::VENDOR.profile().unwrap();
    if let Some(retry) = retry {
        profile
            .retry
            .insert("get_bulk_crypto_payment".into(), retry);
    }
    let settings = Settings::new()
        .base_url(base)
        .credentials(Credentials::new().with("api_key", crate::RIO_KEY))
        .retry(payspec_runtime::RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(50),
        })
        .timeouts(payspec_runtime::Timeouts {
            connect: Duration::from_secs(1),
            attempt: Duration::from_secs(1),
            call: Duration::from_secs(3),
        });
    Runtime::with_profile(profile, payspec::rio::OPERATIONS, settings).unwrap()
}

fn get(hostile: &Hostile, retry: Option<bool>) -> Result<payspec_runtime::Answer, Error> {
    let url = format!("{}/api/payments/crypto/bulk/x", hostile.url())
        .parse()
        .unwrap();
    let request = reqwest::Request::new(reqwest::Method::GET, url);
    hostile.block_on(runtime(&hostile.url(), retry).send(request, "get_bulk_crypto_payment"))
}

fn hostile(reply: fn() -> Reply) -> Hostile {
    Hostile::start(std::sync::Arc::new(move |_, _, _| reply()))
}

#[test]
fn each_error_says_how_far_the_call_got() {
    // Nothing listens: the request never left.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let silent = hostile(|| Reply::Silence);
    let request = reqwest::Request::new(
        reqwest::Method::GET,
        format!("{url}/api/payments/crypto/bulk/x").parse().unwrap(),
    );
    let error = silent
        .block_on(runtime(&url, Some(false)).send(request, "get_bulk_crypto_payment"))
        .unwrap_err();
    assert_eq!(error.stage(), Stage::NotSent, "{error}");
    assert!(!error.may_have_taken_effect());

    // Sent, and the answer was cut off: the vendor may have acted.
    let cut = hostile(|| Reply::Raw(b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n{".to_vec()));
    let error = get(&cut, Some(false)).unwrap_err();
    assert_eq!(error.stage(), Stage::OutcomeUnknown, "{error}");
    assert!(error.may_have_taken_effect());

    // Sent, and no answer in time.
    let error = get(&silent, Some(false)).unwrap_err();
    assert!(
        matches!(&error, Error::Transport(t) if t.kind == payspec_runtime::TransportKind::Timeout),
        "{error}"
    );
    assert_eq!(error.stage(), Stage::OutcomeUnknown);

    // The vendor refused: answered, and it did not act.
    let refused = hostile(|| Reply::Json(409, vec![], json!({"message": "no"}).to_string()));
    let error = get(&refused, Some(false)).unwrap_err();
    assert_eq!(error.stage(), Stage::Answered);
    assert!(!error.may_have_taken_effect());
    assert_eq!(error.vendor_error().map(|e| e.status), Some(409));
}

#[test]
fn vendor_yaml_decides_whether_an_operation_is_sent_again() {
    let unavailable = || Reply::Json(503, vec![], "{}".into());
    let by_method = hostile(unavailable);
    get(&by_method, None).unwrap_err();
    assert_eq!(by_method.seen().len(), 3, "a GET is retried by default");
    let never = hostile(unavailable);
    get(&never, Some(false)).unwrap_err();
    assert_eq!(never.seen().len(), 1, "retry: false for this GET");

    // A repeat after a lost answer is marked: its refusal may answer an effect already had.
    let lost_then_refused = Hostile::start(std::sync::Arc::new(|_, n, _| match n {
        0 => Reply::Raw(b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n{".to_vec()),
        _ => Reply::Json(409, vec![], json!({"message": "already"}).to_string()),
    }));
    let error = get(&lost_then_refused, None).unwrap_err();
    let vendor = error.vendor_error().unwrap();
    assert!(vendor.replayed && error.may_have_taken_effect(), "{error}");
    assert!(
        error
            .to_string()
            .contains("an earlier attempt may have succeeded")
    );
}
