//! Idempotency keys honoured as the vendors document them: the first answer to a key is kept
//! and replayed, with an `Idempotent-Replayed: true` header, to a request with the same key,
//! operation and body; the same key with another operation or body is refused. Only an answer
//! to a request the vendor carried out is kept: not a server error (it may not have finished),
//! nor a refusal before any work (bad request, auth, validation, rate limit), after which the
//! same key may be sent again. At most
//! [`CAPACITY`] keys are remembered, the oldest forgotten first.

use std::collections::{HashMap, VecDeque};
use std::hash::{DefaultHasher, Hash, Hasher};

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use payspec_runtime::profile::{Idempotency, KeyPlace};
use serde_json::Value;

/// How many keys are remembered.
pub(crate) const CAPACITY: usize = 4_096;

/// The largest answer kept for replay.
const MAX_KEPT: usize = 1 << 20;

/// The header that marks a replayed answer (Stripe's name for it).
pub const REPLAYED_HEADER: &str = "idempotent-replayed";

/// One kept answer.
struct Kept {
    /// The operation and body it answered.
    fingerprint: u64,
    status: StatusCode,
    content_type: Option<HeaderValue>,
    body: Bytes,
}

/// The answers kept by key.
#[derive(Default)]
pub(crate) struct Replays {
    kept: HashMap<String, Kept>,
    order: VecDeque<String>,
}

/// What a request's key finds.
pub(crate) enum Seen {
    /// A key not seen before (or none): answer it.
    New,
    /// The same request again: its first answer.
    Replay(Response),
    /// The key was first used for another request.
    Conflict,
}

/// The request's key, where vendor.yaml says the vendor takes it.
pub(crate) fn key_of(
    idempotency: &Idempotency,
    headers: &HeaderMap,
    body: &Value,
) -> Option<String> {
    match &idempotency.key {
        KeyPlace::Header(name) => headers.get(name)?.to_str().ok().map(str::to_owned),
        KeyPlace::Body(at) => body.pointer(at)?.as_str().map(str::to_owned),
    }
}

/// What identifies a request under its key: its operation and its body's content, whatever
/// the order of its object keys (vendors compare parameters, not bytes: a key a client
/// placed last is the same request as the caller's key written first).
pub(crate) fn fingerprint(operation: &str, body: &Value) -> u64 {
    let mut hasher = DefaultHasher::new();
    operation.hash(&mut hasher);
    hash_json(body, &mut hasher);
    hasher.finish()
}

fn hash_json(value: &Value, hasher: &mut DefaultHasher) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            hasher.write_u8(b'{');
            for key in keys {
                key.hash(hasher);
                hash_json(&map[key], hasher);
            }
        }
        Value::Array(items) => {
            hasher.write_u8(b'[');
            items.len().hash(hasher);
            for item in items {
                hash_json(item, hasher);
            }
        }
        scalar => scalar.to_string().hash(hasher),
    }
}

impl Replays {
    pub(crate) fn seen(&self, key: &str, fingerprint: u64) -> Seen {
        match self.kept.get(key) {
            None => Seen::New,
            Some(kept) if kept.fingerprint != fingerprint => Seen::Conflict,
            Some(kept) => {
                let mut response = Response::new(Body::from(kept.body.clone()));
                *response.status_mut() = kept.status;
                if let Some(content_type) = &kept.content_type {
                    response
                        .headers_mut()
                        .insert(header::CONTENT_TYPE, content_type.clone());
                }
                response
                    .headers_mut()
                    .insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
                Seen::Replay(response)
            }
        }
    }

    /// Keeps an answer (not a server error, nor one too large) for its key.
    pub(crate) fn keep(
        &mut self,
        key: String,
        fingerprint: u64,
        status: StatusCode,
        content_type: Option<HeaderValue>,
        body: Bytes,
    ) {
        let not_carried_out =
            status.is_server_error() || matches!(status.as_u16(), 400 | 401 | 403 | 422 | 429);
        if not_carried_out || body.len() > MAX_KEPT || self.kept.contains_key(&key) {
            return;
        }
        while self.order.len() >= CAPACITY {
            if let Some(oldest) = self.order.pop_front() {
                self.kept.remove(&oldest);
            }
        }
        self.order.push_back(key.clone());
        self.kept.insert(
            key,
            Kept {
                fingerprint,
                status,
                content_type,
                body,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_request_replays_another_conflicts_and_memory_is_bounded() {
        let mut replays = Replays::default();
        let first = fingerprint("create", &serde_json::json!({"a": 1, "b": 2}));
        assert_eq!(
            first,
            fingerprint("create", &serde_json::json!({"b": 2, "a": 1}))
        );
        assert_ne!(
            first,
            fingerprint("update", &serde_json::json!({"a": 1, "b": 2}))
        );
        assert!(matches!(replays.seen("k", first), Seen::New));
        replays.keep(
            "k".into(),
            first,
            StatusCode::CREATED,
            None,
            Bytes::from_static(b"{}"),
        );
        match replays.seen("k", first) {
            Seen::Replay(response) => {
                assert_eq!(response.status(), StatusCode::CREATED);
                assert_eq!(response.headers()[REPLAYED_HEADER], "true");
            }
            _ => panic!("expected a replay"),
        }
        let other = fingerprint("create", &serde_json::json!({"a": 2, "b": 2}));
        assert!(matches!(replays.seen("k", other), Seen::Conflict));
        replays.keep(
            "e".into(),
            first,
            StatusCode::BAD_GATEWAY,
            None,
            Bytes::new(),
        );
        assert!(
            matches!(replays.seen("e", first), Seen::New),
            "server errors are not kept"
        );
        for i in 0..CAPACITY + 10 {
            replays.keep(format!("n{i}"), first, StatusCode::OK, None, Bytes::new());
        }
        assert_eq!(replays.kept.len(), CAPACITY);
        assert!(
            matches!(replays.seen("k", first), Seen::New),
            "the oldest is forgotten"
        );
    }
}
