//! The construct corpus (`vendors/c_*`, our own small specs): each generates and compiles (this
//! crate builds), and the constructs that change what goes on the wire are called through the
//! generated clients against the sandbox, which reads them back as the spec describes.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use payspec_corpus::{c_auth, c_bodies, c_degrade, c_names, c_openapi31, c_refs, c_tolerant};
use payspec_runtime::Settings;

mod support;

use support::{body, exchange, sandbox};

#[tokio::test]
async fn bodies_go_as_their_media_types_say() {
    let running = sandbox().await;
    let client = c_bodies::Client::with_settings(Settings::new().sandbox(running.url())).unwrap();
    // A form with nested keys: the sandbox reads it back against the schema (a wrong type or
    // a missing `amount` would be refused).
    let charge = client
        .create_charge()
        .body(body::<c_bodies::types::CreateChargeBody>(serde_json::json!({
            "amount": 2000, "capture": false, "metadata": {"order": "6735"}, "items": [{"price": "p_1", "quantity": 2}]
        })))
        .send()
        .await
        .unwrap();
    assert_eq!(charge.status(), 200);
    assert_eq!(exchange(&running, "c_bodies", "create_charge").status, 200);
    // deepObject query parameters, flattened.
    client
        .list_charges()
        .created_gt(1_700_000_000)
        .expand(vec!["customer".to_owned()])
        .send()
        .await
        .unwrap();
    // Multipart with a file.
    let file = payspec_runtime::multipart::Part::new(
        "receipt.pdf",
        "application/pdf",
        b"%PDF-1.4".to_vec(),
    );
    let stored = client
        .upload_file()
        .body(c_bodies::types::UploadFileBody {
            file,
            purpose: "dispute_evidence".into(),
        })
        .send()
        .await
        .unwrap();
    assert_eq!(stored.status(), 201);
    // JSON chosen among several request media types; two success codes of one schema.
    client
        .create_note()
        .body(body::<c_bodies::types::CreateNoteBody>(
            serde_json::json!({"text": "hi"}),
        ))
        .send()
        .await
        .unwrap();
    // Offered as JSON and as a form, generated as the form vendor.yaml chooses; createNote
    // (text or JSON, no choice) goes as JSON.
    client
        .create_refund()
        .body(body::<c_bodies::types::NewRefund>(serde_json::json!({
            "charge": "ch_1", "amount": 500, "metadata": {"reason": "duplicate"}
        })))
        .send()
        .await
        .unwrap();
    let refund = exchange(&running, "c_bodies", "create_refund");
    assert_eq!(
        (refund.status, refund.content_type.as_deref()),
        (200, Some("application/x-www-form-urlencoded"))
    );
    let note = exchange(&running, "c_bodies", "create_note");
    assert_eq!(note.content_type.as_deref(), Some("application/json"));
    // Success bodies that are not JSON, and an empty one.
    client.get_report().send().await.unwrap();
    client.get_archive().send().await.unwrap();
    client.delete_charge().id("ch_1").send().await.unwrap();
}

#[tokio::test]
async fn every_auth_style_of_the_auth_corpus() {
    let running = sandbox().await;
    let client = c_auth::Client::with_settings(Settings::new().sandbox(running.url())).unwrap();
    client.with_bearer().send().await.unwrap();
    client.with_basic().send().await.unwrap();
    client.with_key().send().await.unwrap();
    client.with_oauth().send().await.unwrap();
    let header = |operation: &str| {
        exchange(&running, "c_auth", operation)
            .auth_headers
            .into_iter()
            .map(|(n, v)| format!("{n}: {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    assert!(
        header("with_bearer").starts_with("Authorization: Bearer"),
        "{}",
        header("with_bearer")
    );
    assert!(
        header("with_basic").starts_with("Authorization: Basic"),
        "{}",
        header("with_basic")
    );
    assert!(
        header("with_key").starts_with("X-Api-Key"),
        "{}",
        header("with_key")
    );
    assert_eq!(exchange(&running, "c_auth", "token_endpoint").status, 200);
}

/// Per-request JWTs (ES256, EdDSA, RS256 beside an API key): signed by the generated client
/// with the demo keys, verified by the sandbox with their public halves, claims compared with
/// the request it received (method, path, body hash).
#[tokio::test]
async fn jwts_signed_per_request_are_verified_by_the_sandbox() {
    let running = sandbox().await;
    let client = c_auth::Client::with_settings(Settings::new().sandbox(running.url())).unwrap();
    let transfer =
        || body::<c_auth::types::Transfer>(serde_json::json!({"asset": "BTC", "amount": "0.015"}));
    client
        .with_jwt_es256()
        .body(transfer())
        .send()
        .await
        .unwrap();
    client.with_jwt_eddsa().send().await.unwrap();
    client
        .with_jwt_rs256()
        .body(transfer())
        .send()
        .await
        .unwrap();
    for operation in ["with_jwt_es256", "with_jwt_eddsa", "with_jwt_rs256"] {
        let seen = exchange(&running, "c_auth", operation);
        assert_eq!(seen.status, 200, "{operation}");
        let authorization = seen
            .auth_headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("authorization"))
            .map(|(_, value)| value.as_str());
        // The log shows the token's first characters only: the JOSE header's start.
        assert!(
            authorization.is_some_and(|v| v.starts_with("Bearer e")),
            "{operation}: {authorization:?}"
        );
    }
}

/// Another Ed25519 key than the one the sandbox knows: refused, and nothing retried; a key
/// that is not one: refused when the client is built, naming the variable, showing nothing.
#[tokio::test]
async fn a_jwt_of_the_wrong_key_is_refused() {
    let running = sandbox().await;
    let profile = payspec_corpus::VENDORS
        .iter()
        .find(|entry| entry.name == "c_auth")
        .unwrap()
        .profile()
        .unwrap();
    let with_ed_key = |key: &str| {
        let credentials = profile
            .credentials
            .keys()
            .fold(payspec_runtime::Credentials::new(), |c, name| {
                c.with(name, profile.demo_credential(name))
            })
            .with("ed_key", key);
        c_auth::Client::with_settings(
            Settings::new()
                .sandbox(running.url())
                .credentials(credentials),
        )
    };
    // 32 bytes of 7: a valid Ed25519 seed, not the demo one.
    let stranger = with_ed_key("BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=").unwrap();
    let refused = stranger.with_jwt_eddsa().send().await.unwrap_err();
    assert_eq!(
        refused.vendor_error().map(|v| v.status),
        Some(401),
        "{refused}"
    );
    let attempts = running
        .sandbox
        .exchanges()
        .into_iter()
        .filter(|e| e.operation.as_deref() == Some("with_jwt_eddsa"))
        .count();
    assert_eq!(attempts, 1);
    let broken = with_ed_key("not-a-key-at-all").unwrap_err().to_string();
    assert!(broken.contains("PAYSPEC_C_AUTH_ED_KEY"), "{broken}");
    assert!(
        broken.contains("PEM") && !broken.contains("not-a-key-at-all"),
        "{broken}"
    );
}

#[tokio::test]
async fn references_and_openapi_31_read_as_written() {
    let running = sandbox().await;
    let refs = c_refs::Client::with_settings(Settings::new().sandbox(running.url())).unwrap();
    let order = refs
        .create_order()
        .body(body::<c_refs::types::CommonNewOrder>(
            serde_json::json!({"amount": {"value": 1000, "currency": "EUR"}}),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(order.status(), 201);
    refs.get_order().id("o_1").send().await.unwrap();
    let widgets =
        c_openapi31::Client::with_settings(Settings::new().sandbox(running.url())).unwrap();
    let widget = widgets
        .get_widget()
        .id("w_1")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(widget.kind.to_string(), "widget");
}

#[test]
fn names_that_collide_still_compile_and_read() {
    use c_names::types::{Thing, ThingStatus};
    let thing: Thing = serde_json::from_value(serde_json::json!({
        "id": "t_1", "@id": "urn:t:1", "type": "gadget", "match": true, "self": "/things/t_1", "2fa": true,
        "status": "UNKNOWN", "zone": "Etc/GMT+1", "mode": "a-b"
    }))
    .unwrap();
    // The vendor's own UNKNOWN is a listed value; an unlisted one lands in the open variant.
    assert_eq!(thing.status, Some(ThingStatus::Unknown));
    let later: ThingStatus = serde_json::from_value(serde_json::json!("PAUSED")).unwrap();
    assert_eq!(later, ThingStatus::Unlisted("PAUSED".into()));
    // Written back as read; `as_str` is the value on the wire, listed or not.
    assert_eq!(serde_json::to_value(&later).unwrap(), "PAUSED");
    assert_eq!(
        (later.as_str(), ThingStatus::Unknown.as_str()),
        ("PAUSED", "UNKNOWN")
    );
    assert!(serde_json::from_value::<ThingStatus>(serde_json::json!(7)).is_err());
    assert_eq!(
        (thing.type_.as_deref(), thing.match_, thing.x2fa),
        (Some("gadget"), Some(true), Some(true))
    );
    // `@id` would be a second field `id`: it is kept among the additional properties.
    let back = serde_json::to_value(&thing).unwrap();
    assert_eq!(back["@id"], "urn:t:1");
    assert_eq!(back["zone"], "Etc/GMT+1");

    // Titled like their components and read as optional by typify: each a newtype over
    // `Option` of a type of its own (once defined twice, holding itself).
    let read = |value: serde_json::Value| -> Thing {
        serde_json::from_value(serde_json::json!({"id": "t_2", "rationale": value["rationale"], "schedule": value["schedule"]})).unwrap()
    };
    let set = read(serde_json::json!({"rationale": "NSF", "schedule": {"interval": "weekly"}}));
    let rationale = set.rationale.as_ref().and_then(|r| r.0.as_ref());
    assert_eq!(rationale.map(|r| r.as_str()), Some("NSF"));
    let schedule = set.schedule.as_ref().and_then(|s| s.0.as_ref());
    assert_eq!(schedule.map(|s| s.interval.as_str()), Some("weekly"));
    let null = read(serde_json::json!({"rationale": null, "schedule": null}));
    assert!(
        null.rationale.as_ref().is_none_or(|r| r.0.is_none()),
        "{null:?}"
    );
    assert_eq!(
        serde_json::to_value(&set).unwrap()["schedule"]["interval"],
        "weekly"
    );
}

/// What payspec once refused whole (corpus/vendors/c_tolerant), called as the spec says.
#[tokio::test]
async fn constructs_once_refused_are_read_and_called() {
    let running = sandbox().await;
    let client = c_tolerant::Client::with_settings(Settings::new().sandbox(running.url())).unwrap();
    // A vendor's +json media type: the body goes with its own Content-Type, the +json answer
    // decodes into the typed response.
    let created = client
        .create_thing()
        .body(c_tolerant::types::NewThing {
            name: "lamp".into(),
        })
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let _typed: &c_tolerant::types::Thing = &created;
    let seen = exchange(&running, "c_tolerant", "create_thing");
    assert_eq!(
        seen.content_type.as_deref(),
        Some("application/vnd.api+json")
    );
    // The key in a header value template (`token {key}`), which the sandbox recomputes.
    assert!(
        seen.auth_headers
            .iter()
            .any(|(n, v)| n.eq_ignore_ascii_case("authorization") && v == "[redacted]"),
        "{:?}",
        seen.auth_headers
    );
    // An object query parameter in form style: one typed parameter per property. The spec
    // says `security: []`: sent without the key.
    client
        .list_things()
        .status(c_tolerant::types::ListThingsStatus::Open)
        .limit(5)
        .send()
        .await
        .unwrap();
    let seen = exchange(&running, "c_tolerant", "list_things");
    assert_eq!(seen.status, 200);
    assert!(seen.auth_headers.is_empty(), "{:?}", seen.auth_headers);
    // A `$ref` with a sibling in a parameter list; the stray path parameter is gone; the
    // enum of numbers and booleans, the object with a format and the lone `type: null` typed.
    let thing = client
        .get_thing()
        .id("t_1")
        .verbose(true)
        .send()
        .await
        .unwrap();
    assert_eq!(thing.status(), 200);
    let level: Option<&c_tolerant::types::ThingLevel> = thing.level.as_ref();
    let _ = (
        level,
        &thing.owner,
        &thing.deleted_at,
        &thing.origin,
        &thing.price,
    );
    // The operation's own server is a server group the sandbox serves too.
    client.create_export().send().await.unwrap();
    assert_eq!(
        exchange(&running, "c_tolerant", "create_export").status,
        200
    );
}

/// The degradation fixture (corpus/vendors/c_degrade): what remains works.
#[tokio::test]
async fn what_was_not_degraded_still_works() {
    let running = sandbox().await;
    let client = c_degrade::Client::with_settings(Settings::new().sandbox(running.url())).unwrap();
    let thing = client.get_thing().id("t_1").send().await.unwrap();
    assert_eq!(thing.status(), 200);
    // The schema the generator could not type holds any JSON.
    let _any: Option<&serde_json::Value> = thing.event.as_ref().map(|e| &e.0);
    client.list_things().send().await.unwrap();
}

/// Standard Webhooks from the sandbox to a merchant's receiver: a `ping` sends a signed
/// delivery (webhook-id, webhook-timestamp, webhook-signature `v1,…`), which the generated
/// `verify_standard` accepts with its id; the body altered, or the signature of another
/// secret, is refused.
#[tokio::test]
async fn standard_webhooks_from_the_sandbox_verify_in_a_receiver() {
    use payspec_corpus::c_webhooks;
    let (url, got) = support::receiver().await;
    let running = support::sandbox_sending_to(&url).await;
    let client = c_webhooks::Client::with_settings(Settings::new().sandbox(running.url())).unwrap();
    client.ping().send().await.unwrap();
    let (headers, body) = support::deliveries(&got, 1).await.remove(0);
    let verified = client.verify_standard(&headers, &body).unwrap();
    assert_eq!(verified.id.as_deref(), Some("msg_sandbox_1"));
    assert_eq!(verified.event.type_, "ping.received");
    let altered = String::from_utf8(body.to_vec())
        .unwrap()
        .replace("ping.received", "ping.forged");
    let refused = client
        .verify_standard(&headers, altered.as_bytes())
        .unwrap_err();
    assert!(refused.to_string().contains("does not match"), "{refused}");
    let other =
        c_webhooks::Client::with_settings(Settings::new().sandbox(running.url()).credentials(
            payspec_runtime::Credentials::new().with("webhook_secret", "whsec_b3RoZXIta2V5"),
        ))
        .unwrap();
    assert!(other.verify_standard(&headers, &body).is_err());
}
