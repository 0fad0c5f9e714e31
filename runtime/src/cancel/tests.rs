use super::*;
use crate::error::{Stage, TransportError, TransportKind};
use serde_json::json;

fn profile() -> Profile {
    serde_json::from_value(json!({
        "vendor": "acme", "title": "Acme", "servers": {"s": "https://a.test"}, "default_server": "s",
        "credentials": {}, "auth": {"default": "none", "schemes": {"none": {}}},
        "cancel": {
            "operation": "cancel_thing", "args": {"id": "{{id}}"}, "body": {"n": "{{id|number}}", "ext": "{{external_id}}"},
            "status": "/state",
            "statuses": {"cancelled": ["void"], "pending": ["voiding"], "not_cancellable": ["settled", 4]},
            "errors": {"not_found": [{"status": 404}], "not_cancellable": [{"status": 412, "code": "510"}]},
            "reconcile": {"operation": "get_thing", "body": {"n": "{{id|number}}"}, "status": "/state"}
        }
    }))
    .unwrap()
}

fn refusal(status: u16, code: Option<&str>, replayed: bool) -> Error {
    Error::Vendor(Box::new(VendorError {
        vendor: "acme".into(),
        operation: "cancel_thing".into(),
        status,
        code: code.map(str::to_owned),
        message: None,
        excerpt: String::new(),
        replayed,
        idempotency_key: None,
    }))
}

fn lost() -> Error {
    Error::Transport(Box::new(TransportError {
        vendor: "acme".into(),
        operation: "cancel_thing".into(),
        stage: Stage::OutcomeUnknown,
        kind: TransportKind::ConnectionLost,
        attempts: 1,
        message: "connection closed before message completed".into(),
        idempotency_key: None,
    }))
}

fn reference() -> CancelReference {
    CancelReference::new("42").external_id("e-1")
}

/// Runs a cancel whose own answer is `answer` and whose state read answers `read`.
fn outcome(
    answer: Result<(u16, Value), Error>,
    read: Result<(u16, Value), Error>,
) -> Result<CancelOutcome<Value>, Error> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let profile = profile();
    runtime.block_on(run(
        &profile,
        &reference(),
        |call| async move {
            assert_eq!(call.operation, "cancel_thing");
            assert_eq!(call.args["id"], "42");
            assert_eq!(call.body, Some(json!({"n": 42, "ext": "e-1"})));
            answer
        },
        |call| async move {
            assert_eq!(call.operation, "get_thing");
            assert_eq!(call.body, Some(json!({"n": 42})));
            read
        },
    ))
}

#[test]
fn statuses_and_errors_map_to_the_unified_outcomes() {
    let of =
        |state: Value| outcome(Ok((200, json!({"state": state}))), Ok((200, json!({})))).unwrap();
    assert_eq!(of(json!("void")).status, UnifiedStatus::Cancelled);
    assert_eq!(of(json!("voiding")).status, UnifiedStatus::Pending);
    assert_eq!(of(json!(4)).status, UnifiedStatus::NotCancellable);
    let unknown = of(json!("frozen"));
    assert_eq!(
        (unknown.status, unknown.vendor_status.as_deref()),
        (UnifiedStatus::Unknown, Some("frozen"))
    );
    let refused =
        |status, code| outcome(Err(refusal(status, code, false)), Ok((200, json!({})))).unwrap();
    assert_eq!(refused(404, None).status, UnifiedStatus::NotFound);
    assert_eq!(
        refused(412, Some("510")).status,
        UnifiedStatus::NotCancellable
    );
    let other = refused(412, Some("999"));
    assert_eq!(
        (other.status, other.vendor_status.as_deref()),
        (UnifiedStatus::Unknown, Some("999"))
    );
    assert!(outcome(Err(Error::InvalidRequest("x".into())), Ok((200, json!({})))).is_err());
}

#[test]
fn auth_failures_are_errors_not_outcomes() {
    let error = outcome(Err(refusal(401, None, false)), Ok((200, json!({})))).unwrap_err();
    assert!(error.is_auth_failure(), "{error}");
}

#[test]
fn a_refusal_of_a_repeat_is_reconciled() {
    let done = outcome(
        Err(refusal(412, Some("510"), true)),
        Ok((200, json!({"state": "void"}))),
    )
    .unwrap();
    assert_eq!(done.status, UnifiedStatus::Cancelled, "{:?}", done.note);
    assert!(
        done.note
            .unwrap()
            .contains("read back with get_thing is void")
    );
    let still = outcome(
        Err(refusal(412, Some("510"), true)),
        Ok((200, json!({"state": "voiding"}))),
    )
    .unwrap();
    assert_eq!(
        still.status,
        UnifiedStatus::Unknown,
        "never not_cancellable"
    );
}

#[test]
fn a_lost_answer_is_reconciled_or_unknown() {
    let done = outcome(Err(lost()), Ok((200, json!({"state": "void"})))).unwrap();
    assert_eq!(done.status, UnifiedStatus::Cancelled);
    let unreadable = outcome(Err(lost()), Err(refusal(503, None, false))).unwrap();
    assert_eq!(unreadable.status, UnifiedStatus::Unknown);
    let note = unreadable.note.unwrap();
    assert!(
        note.contains("answer was lost") && note.contains("could not be read"),
        "{note}"
    );
}

#[test]
fn missing_reference_parts_name_their_flag() {
    let profile = profile();
    let spec = profile.cancel.as_ref().unwrap();
    let missing = plan(
        &profile,
        "c",
        &spec.args,
        spec.body.as_ref(),
        &CancelReference::new("42"),
    )
    .unwrap_err()
    .to_string();
    assert!(missing.contains("--external-id"), "{missing}");
    let not_a_number = plan(
        &profile,
        "c",
        &spec.args,
        spec.body.as_ref(),
        &CancelReference::new("abc").external_id("e"),
    )
    .unwrap_err()
    .to_string();
    assert!(not_a_number.contains("numbers"), "{not_a_number}");
}
