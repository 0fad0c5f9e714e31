//! `payspec vendors`: each vendor with its auth style, credential variables and operations.

use std::fmt::Write as _;

use payspec_runtime::VendorEntry;
use payspec_runtime::profile::SchemeChoice;

/// The listing, as text.
pub fn listing(vendors: &[&VendorEntry]) -> String {
    let mut out = String::new();
    for vendor in vendors {
        let _ = writeln!(out, "{}  {}", vendor.name, vendor.title);
        match vendor.profile() {
            Ok(profile) => {
                let variables: Vec<String> = profile
                    .credentials
                    .keys()
                    .map(|c| profile.credential_variable(c))
                    .collect();
                let _ = writeln!(out, "  credentials: {}", variables.join(", "));
                for (name, scheme) in &profile.auth.schemes {
                    let marker = if *name == profile.auth.default {
                        " (default)"
                    } else {
                        ""
                    };
                    let _ = writeln!(out, "  auth {name}{marker}: {scheme}");
                }
                if let Some(place) = profile.idempotency.as_ref().map(|i| key_place(&i.key)) {
                    let _ = writeln!(out, "  idempotency key: {place}");
                }
                for (name, callback) in &profile.callbacks {
                    let _ = writeln!(out, "  callback {name}: {}", signed_in(callback));
                }
                for operation in vendor.operations {
                    let auth = match profile.auth.operations.get(operation.id) {
                        Some(SchemeChoice::None) => "  [no auth]".to_owned(),
                        Some(SchemeChoice::Scheme(name)) => format!("  [auth {name}]"),
                        None => String::new(),
                    };
                    let keyed = if operation.idempotent {
                        "  [idempotency key]"
                    } else {
                        ""
                    };
                    let _ = writeln!(
                        out,
                        "  {:<28} {:<6} {}{auth}{keyed}",
                        operation.id, operation.method, operation.path
                    );
                }
            }
            Err(e) => {
                let _ = writeln!(out, "  (profile unreadable: {e})");
            }
        }
        for warning in vendor.degraded {
            let _ = writeln!(out, "  degraded {warning}");
        }
        out.push('\n');
    }
    out
}

/// The listing as JSON: per vendor its name, title, credential variables, auth schemes and
/// operations (with the scheme each uses, `none` for no auth).
pub fn json(vendors: &[&VendorEntry]) -> String {
    let listed: Vec<serde_json::Value> = vendors
        .iter()
        .map(|vendor| {
            let profile = match vendor.profile() {
                Ok(profile) => profile,
                Err(e) => return serde_json::json!({"name": vendor.name, "error": e.to_string()}),
            };
            let operations: Vec<serde_json::Value> = vendor
                .operations
                .iter()
                .map(|operation| {
                    let auth = match profile.auth.operations.get(operation.id) {
                        Some(SchemeChoice::None) => "none".to_owned(),
                        Some(SchemeChoice::Scheme(name)) => name.clone(),
                        None => profile.auth.default.clone(),
                    };
                    serde_json::json!({
                        "id": operation.id, "method": operation.method, "path": operation.path,
                        "summary": operation.summary, "auth": auth,
                        "idempotency_key": operation.idempotent, "paged": operation.paged,
                        "params": operation.params.iter().map(|p| serde_json::json!({"name": p.name, "in": p.location, "required": p.required})).collect::<Vec<_>>(),
                    })
                })
                .collect();
            serde_json::json!({
                "name": vendor.name,
                "title": vendor.title,
                "credentials": profile.credentials.keys().map(|c| profile.credential_variable(c)).collect::<Vec<_>>(),
                "auth": profile.auth.schemes.iter().map(|(name, scheme)| (name.clone(), serde_json::Value::String(scheme.to_string()))).collect::<serde_json::Map<_, _>>(),
                "default_auth": profile.auth.default,
                "idempotency_key": profile.idempotency.as_ref().map(|i| key_place(&i.key)),
                "callbacks": profile.callbacks.iter().map(|(name, callback)| serde_json::json!({
                    "name": name,
                    "schema": callback.schema,
                    "header": callback.header.as_ref().map(|h| &h.name),
                    "field": (!callback.field.is_empty()).then_some(&callback.field),
                    "scheme": signed_in(callback),
                })).collect::<Vec<_>>(),
                "operations": operations,
                "degraded": vendor.degraded,
            })
        })
        .collect();
    serde_json::to_string_pretty(&listed).unwrap_or_default()
}

/// Where a vendor takes its idempotency key, in a few words.
fn key_place(place: &payspec_runtime::profile::KeyPlace) -> String {
    match place {
        payspec_runtime::profile::KeyPlace::Header(name) => format!("header {name}"),
        payspec_runtime::profile::KeyPlace::Body(at) => format!("body {at}"),
    }
}

/// How a callback is signed, in a few words: where the signature is and with what.
fn signed_in(callback: &payspec_runtime::profile::Callback) -> String {
    let digest = serde_json::to_value(callback.digest)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    match &callback.header {
        Some(header) => {
            let tolerance = callback
                .tolerance_seconds
                .map(|t| format!(", timestamp within {t} s"))
                .unwrap_or_default();
            format!("{digest} in header {}{tolerance}", header.name)
        }
        None => format!("{digest} in field {}", callback.field),
    }
}
