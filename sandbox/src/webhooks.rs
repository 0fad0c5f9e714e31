//! Webhooks the sandbox sends, as the vendor would: the payload of vendor.yaml's
//! `sandbox.webhooks` template (or one given on demand), signed by the callback's recipe of
//! `callbacks:` with the sandbox's own copy of the key (a credential, as the sandbox reads
//! credentials), and POSTed to the URL the user gave. A signature in a header (Stripe,
//! Standard Webhooks, Square) is made with `payspec_profile::webhook::sign`; a digest in a
//! payload field (OneKey's `control`) with the same digest the runtime checks.

use std::time::{SystemTime, UNIX_EPOCH};

use payspec_runtime::deps::reqwest;
use payspec_runtime::profile::callback::{self, Callback, CallbackFormat};
use payspec_runtime::profile::template::render_value;
use payspec_runtime::profile::{KeySource, webhook};
use serde_json::{Map, Value};

use crate::vendor::VendorSandbox;

/// A signed delivery, ready to send.
#[derive(Debug, Clone)]
pub(crate) struct Delivery {
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// What the payload template of a sent webhook may name.
pub(crate) struct Occasion<'a> {
    pub response: &'a Value,
    pub request: &'a Value,
    pub serial: u64,
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl VendorSandbox {
    /// The payloads of the webhooks an operation's success sends, by callback.
    pub(crate) fn webhooks_on(
        &self,
        operation: &str,
        occasion: &Occasion<'_>,
    ) -> Vec<(String, Value)> {
        let lookup = |name: &str| match name {
            "response" => Some(occasion.response.clone()),
            "request" => Some(occasion.request.clone()),
            "now" => Some(Value::from(now())),
            "serial" => Some(Value::from(occasion.serial)),
            _ => None,
        };
        self.profile
            .sandbox
            .webhooks
            .iter()
            .filter(|w| w.on.iter().any(|o| o == operation))
            .filter_map(|w| {
                let payload = render_value(&w.payload, &lookup)
                    .map_err(
                        |e| tracing::warn!(callback = %w.callback, error = %e, "webhook payload"),
                    )
                    .ok()?;
                Some((w.callback.clone(), payload))
            })
            .collect()
    }

    /// A callback's payload signed as the vendor signs it, for delivery to `url`.
    pub(crate) fn sign_delivery(
        &self,
        name: &str,
        payload: &Value,
        url: &str,
        serial: u64,
    ) -> Result<Delivery, String> {
        let callback = self
            .profile
            .callbacks
            .get(name)
            .ok_or_else(|| format!("{} declares no callback {name:?}", self.profile.vendor))?;
        let key = match &callback.key {
            KeySource::Credential(credential) => self
                .credentials
                .get(credential)
                .cloned()
                .ok_or_else(|| format!("no value for the credential {credential}"))?,
            _ => {
                return Err(format!(
                    "{name}: its key is the merchant's own, which the sandbox does not hold"
                ));
            }
        };
        match &callback.header {
            Some(header) => {
                let signed = Signed {
                    key: &key,
                    credentials: &self.credentials,
                    url,
                    serial,
                };
                sign_in_header(callback, header, payload, signed)
            }
            None => sign_in_field(callback, &key, payload),
        }
    }
}

/// What a delivery signed in a header is signed with, and for.
struct Signed<'a> {
    key: &'a str,
    /// The sandbox's credentials (any the message names besides the key).
    credentials: &'a std::collections::BTreeMap<String, String>,
    url: &'a str,
    serial: u64,
}

fn sign_in_header(
    callback: &Callback,
    header: &webhook::SignatureHeader,
    payload: &Value,
    signed: Signed<'_>,
) -> Result<Delivery, String> {
    let body = serde_json::to_vec(payload).map_err(|e| e.to_string())?;
    let timestamp = now().to_string();
    let id = format!("msg_sandbox_{}", signed.serial);
    let delivery = webhook::Delivery {
        signature: None,
        timestamp: Some(&timestamp),
        id: Some(&id),
        url: Some(signed.url),
        body: &body,
        credentials: signed.credentials,
    };
    let signature = webhook::sign(callback, header, signed.key, &delivery, &timestamp, payload)
        .map_err(|refusal| format!("cannot sign: {refusal:?}"))?;
    let mut headers = vec![
        ("content-type".to_owned(), "application/json".to_owned()),
        (header.name.clone(), signature),
    ];
    if let Some(name) = &header.timestamp_header {
        headers.push((name.clone(), timestamp));
    }
    if let Some(name) = &header.id_header {
        headers.push((name.clone(), id));
    }
    Ok(Delivery { headers, body })
}

/// A callback whose digest is a payload field: the digest computed over the payload's fields
/// and added as that field, the payload written in the callback's format.
fn sign_in_field(callback: &Callback, key: &str, payload: &Value) -> Result<Delivery, String> {
    let object: Map<String, Value> = payload
        .as_object()
        .cloned()
        .ok_or("the payload is not a JSON object")?;
    let text = |value: &Value| match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let fields = object.iter().map(|(k, v)| (k.clone(), text(v))).collect();
    let digest = callback::expected_digest(callback, key, &fields)
        .map_err(|missing| format!("the payload lacks {missing}, which the digest covers"))?;
    let (content_type, body) = match callback.format {
        CallbackFormat::Json => {
            let mut signed = object;
            signed.insert(callback.field.clone(), Value::String(digest));
            (
                "application/json",
                serde_json::to_vec(&signed).map_err(|e| e.to_string())?,
            )
        }
        CallbackFormat::Form => {
            let mut pairs: Vec<(String, String)> =
                object.iter().map(|(k, v)| (k.clone(), text(v))).collect();
            pairs.push((callback.field.clone(), digest));
            let form = serde_urlencoded::to_string(&pairs).map_err(|e| e.to_string())?;
            ("application/x-www-form-urlencoded", form.into_bytes())
        }
    };
    Ok(Delivery {
        headers: vec![("content-type".to_owned(), content_type.to_owned())],
        body,
    })
}

/// POSTs a delivery; the receiver's status, or why it could not be delivered.
pub(crate) async fn deliver(
    client: &reqwest::Client,
    url: &str,
    delivery: Delivery,
) -> Result<u16, String> {
    let mut request = client.post(url).body(delivery.body);
    for (name, value) in delivery.headers {
        request = request.header(name, value);
    }
    let response = request
        .send()
        .await
        .map_err(|e| e.without_url().to_string())?;
    Ok(response.status().as_u16())
}
