//! One cancel for every vendor: a unified reference in, a unified outcome out, with the
//! vendor's raw status and typed response kept. Each generated client implements [`Cancel`]
//! from the `cancel:` section of its vendor.yaml; the CLI uses the same [`request`] and
//! [`outcome`] through the untyped dispatch.

use std::future::Future;

use payspec_profile::cancel::{CancelSpec, ErrorMatch};
use payspec_profile::{Profile, UnifiedStatus};
use serde::Serialize;
use serde_json::Value;

use crate::call::CallRequest;
use crate::error::{Error, VendorError};
use crate::settings::Settings;

/// What to cancel, in the vendor's own terms: Rio's bulk payment id, xpays' payment id,
/// the CoinPool order id, Paywall's MerchantUniqueCode (with `date`), OneKey's cashout_id
/// (with `external_id`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CancelReference {
    /// The vendor's identifier.
    pub id: String,
    /// The merchant's own identifier, where the vendor wants it too (OneKey).
    pub external_id: Option<String>,
    /// The payment date, where the vendor wants it (Paywall), as YYYY-MM-DD.
    pub date: Option<String>,
}

impl CancelReference {
    /// A reference by identifier alone.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            ..Self::default()
        }
    }

    /// Adds the merchant's own identifier.
    pub fn external_id(mut self, external_id: impl Into<String>) -> Self {
        self.external_id = Some(external_id.into());
        self
    }

    /// Adds the payment date (YYYY-MM-DD).
    pub fn date(mut self, date: impl Into<String>) -> Self {
        self.date = Some(date.into());
        self
    }
}

/// The outcome of a cancellation.
#[derive(Debug, Clone)]
pub struct CancelOutcome<T> {
    /// The vendor.
    pub vendor: String,
    /// The unified outcome.
    pub status: UnifiedStatus,
    /// The vendor's own status (or error code) as text, if it gave one.
    pub vendor_status: Option<String>,
    /// The HTTP status.
    pub http_status: u16,
    /// The typed response, on success.
    pub response: Option<T>,
    /// The vendor's error, when it refused.
    pub error: Option<VendorError>,
}

impl<T> CancelOutcome<T> {
    /// `{"vendor": …, "status": …, "vendor_status": …}`, as the CLI prints it.
    pub fn summary(&self) -> Value {
        serde_json::json!({"vendor": self.vendor, "status": self.status.as_str(), "vendor_status": self.vendor_status})
    }

    /// Cancelled now, or accepted to complete later.
    pub fn is_accepted(&self) -> bool {
        matches!(
            self.status,
            UnifiedStatus::Cancelled | UnifiedStatus::Pending
        )
    }
}

/// Cancels by a unified reference. Implemented by every generated client whose vendor.yaml has
/// a `cancel:` section.
pub trait Cancel {
    /// The vendor's typed response to its cancel operation.
    type Response;

    /// Cancels; a vendor refusal is an outcome (`not_cancellable`, `not_found`, `unknown`), while
    /// configuration and communication failures are errors.
    fn cancel(
        &self,
        reference: &CancelReference,
    ) -> impl Future<Output = Result<CancelOutcome<Self::Response>, Error>>;
}

fn spec(profile: &Profile) -> Result<&CancelSpec, Error> {
    profile
        .cancel
        .as_ref()
        .ok_or_else(|| Error::UnknownOperation {
            vendor: profile.vendor.clone(),
            operation: "cancel (no `cancel:` section in vendor.yaml)".to_owned(),
        })
}

/// The call that cancels `reference`, from the `cancel:` section's templates.
pub fn request(
    profile: &Profile,
    reference: &CancelReference,
    settings: Settings,
) -> Result<CallRequest, Error> {
    let spec = spec(profile)?;
    let mut args = std::collections::BTreeMap::new();
    for (name, template) in &spec.args {
        let value = fill(profile, template, reference)?;
        args.insert(
            name.clone(),
            match value {
                Value::String(s) => s,
                other => other.to_string(),
            },
        );
    }
    let body = spec
        .body
        .as_ref()
        .map(|b| fill_value(profile, b, reference))
        .transpose()?;
    Ok(CallRequest {
        operation: spec.operation.clone(),
        settings,
        args,
        body,
    })
}

fn fill_value(
    profile: &Profile,
    value: &Value,
    reference: &CancelReference,
) -> Result<Value, Error> {
    match value {
        Value::String(template) => fill(profile, template, reference),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| fill_value(profile, v, reference).map(|v| (k.clone(), v)))
            .collect::<Result<_, _>>()
            .map(Value::Object),
        other => Ok(other.clone()),
    }
}

fn fill(profile: &Profile, template: &str, reference: &CancelReference) -> Result<Value, Error> {
    let missing = |what: &str, flag: &str| {
        Error::InvalidRequest(format!(
            "{} cancels by {what} too: give it ({flag})",
            profile.vendor
        ))
    };
    Ok(match template {
        "{id}" => Value::String(reference.id.clone()),
        "{id|number}" => reference.id.parse::<i64>().map(Value::from).map_err(|_| {
            Error::InvalidRequest(format!(
                "{} ids are numbers, not {:?}",
                profile.vendor, reference.id
            ))
        })?,
        "{external_id}" => Value::String(
            reference
                .external_id
                .clone()
                .ok_or_else(|| missing("the external id", "--external-id"))?,
        ),
        "{date}" => Value::String(
            reference
                .date
                .clone()
                .ok_or_else(|| missing("the payment date", "--date YYYY-MM-DD"))?,
        ),
        literal => Value::String(literal.to_owned()),
    })
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn matches(error: &VendorError, rule: &ErrorMatch) -> bool {
    rule.status.is_none_or(|s| s == error.status)
        && rule
            .code
            .as_ref()
            .is_none_or(|c| error.code.as_ref() == Some(c))
}

/// Classifies the answer to a cancel call. A vendor refusal becomes an outcome; other errors
/// stay errors.
pub fn outcome<T: Serialize>(
    profile: &Profile,
    result: Result<(u16, T), Error>,
) -> Result<CancelOutcome<T>, Error> {
    let spec = spec(profile)?;
    let vendor = profile.vendor.clone();
    match result {
        Ok((http_status, response)) => {
            let json = serde_json::to_value(&response).unwrap_or(Value::Null);
            let raw = spec
                .status
                .as_deref()
                .and_then(|p| json.pointer(p))
                .filter(|v| !v.is_null())
                .cloned();
            let status = match &raw {
                Some(value) => spec
                    .statuses
                    .iter()
                    .find(|(_, values)| values.iter().any(|v| text(v) == text(value)))
                    .map(|(status, _)| *status)
                    .unwrap_or(UnifiedStatus::Unknown),
                None => spec.on_success.unwrap_or(UnifiedStatus::Cancelled),
            };
            Ok(CancelOutcome {
                vendor,
                status,
                vendor_status: raw.map(|v| text(&v)),
                http_status,
                response: Some(response),
                error: None,
            })
        }
        Err(Error::Vendor(error)) => {
            let status = spec
                .errors
                .iter()
                .find(|(_, rules)| rules.iter().any(|rule| matches(&error, rule)))
                .map(|(status, _)| *status)
                .unwrap_or(UnifiedStatus::Unknown);
            let vendor_status = Some(
                error
                    .code
                    .clone()
                    .unwrap_or_else(|| error.status.to_string()),
            );
            Ok(CancelOutcome {
                vendor,
                status,
                vendor_status,
                http_status: error.status,
                response: None,
                error: Some(*error),
            })
        }
        Err(other) => Err(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn profile() -> Profile {
        serde_json::from_value(json!({
            "vendor": "acme", "title": "Acme", "servers": {"s": "https://a.test"}, "default_server": "s",
            "credentials": {}, "auth": {"default": "none", "schemes": {"none": {}}},
            "cancel": {
                "operation": "cancel_thing", "args": {"id": "{id}"}, "body": {"n": "{id|number}", "ext": "{external_id}"},
                "status": "/state",
                "statuses": {"cancelled": ["void"], "pending": ["voiding"], "not_cancellable": ["settled", 4]},
                "errors": {"not_found": [{"status": 404}], "not_cancellable": [{"status": 412, "code": "510"}]}
            }
        }))
        .unwrap()
    }

    fn refusal(status: u16, code: Option<&str>) -> Error {
        Error::Vendor(Box::new(VendorError {
            vendor: "acme".into(),
            operation: "cancel_thing".into(),
            status,
            code: code.map(str::to_owned),
            message: None,
            excerpt: String::new(),
        }))
    }

    #[test]
    fn statuses_and_errors_map_to_the_unified_outcomes() {
        let profile = profile();
        let of = |state: Value| outcome(&profile, Ok((200, json!({"state": state})))).unwrap();
        assert_eq!(of(json!("void")).status, UnifiedStatus::Cancelled);
        assert_eq!(of(json!("voiding")).status, UnifiedStatus::Pending);
        assert_eq!(of(json!(4)).status, UnifiedStatus::NotCancellable);
        let unknown = of(json!("frozen"));
        assert_eq!(
            (unknown.status, unknown.vendor_status.as_deref()),
            (UnifiedStatus::Unknown, Some("frozen"))
        );

        let refused =
            |status, code| outcome::<Value>(&profile, Err(refusal(status, code))).unwrap();
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
        assert!(outcome::<Value>(&profile, Err(Error::InvalidRequest("x".into()))).is_err());
    }

    #[test]
    fn the_reference_fills_the_templates() {
        let profile = profile();
        let request = request(
            &profile,
            &CancelReference::new("42").external_id("e-1"),
            Settings::new(),
        )
        .unwrap();
        assert_eq!(request.args["id"], "42");
        assert_eq!(request.body, Some(json!({"n": 42, "ext": "e-1"})));
        let missing = request_err(&profile, CancelReference::new("42"));
        assert!(missing.contains("--external-id"), "{missing}");
        let not_a_number = request_err(&profile, CancelReference::new("abc").external_id("e"));
        assert!(not_a_number.contains("numbers"), "{not_a_number}");
    }

    fn request_err(profile: &Profile, reference: CancelReference) -> String {
        request(profile, &reference, Settings::new())
            .unwrap_err()
            .to_string()
    }
}
