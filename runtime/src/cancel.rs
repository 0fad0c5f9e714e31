//! One cancel for every vendor: a unified reference in, a unified outcome out, with the
//! vendor's raw status and typed response kept. Each generated client implements [`Cancel`]
//! from the `cancel:` section of its vendor.yaml through [`run`]; the CLI runs the same
//! [`run`] through the untyped dispatch.
//!
//! A cancel moves money, so its answer is not taken on trust when it cannot be: when the
//! answer was lost after the request left, or when a refusal ("invalid status transition")
//! answers a repeated request whose first attempt may have done the cancelling, the state is
//! read back with the `reconcile:` operation. When even that fails the outcome is `unknown`,
//! never `not_cancellable`. Authentication and configuration failures are errors.

use std::collections::BTreeMap;
use std::future::Future;

use payspec_profile::cancel::{CancelSpec, ErrorMatch, StateRead};
use payspec_profile::template::{RenderError, Template, render_value};
use payspec_profile::{Profile, UnifiedStatus};
use serde::Serialize;
use serde_json::Value;

use crate::call::CallRequest;
use crate::error::{Error, VendorError};

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

    fn part(&self, name: &str) -> Option<Value> {
        match name {
            "id" => Some(Value::String(self.id.clone())),
            "external_id" => self.external_id.clone().map(Value::String),
            "date" => self.date.clone().map(Value::String),
            _ => None,
        }
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
    /// The HTTP status of the cancel's answer (0 when it was lost).
    pub http_status: u16,
    /// The typed response, on success.
    pub response: Option<T>,
    /// The vendor's error, when it refused.
    pub error: Option<VendorError>,
    /// How the outcome was established when the cancel's own answer could not be trusted.
    pub note: Option<String>,
}

impl<T> CancelOutcome<T> {
    /// `{"vendor", "status", "vendor_status"}` (and `"note"` when there is one), as the CLI
    /// prints it.
    pub fn summary(&self) -> Value {
        let mut summary = serde_json::json!({"vendor": self.vendor, "status": self.status.as_str(), "vendor_status": self.vendor_status});
        if let Some(note) = &self.note {
            summary["note"] = Value::String(note.clone());
        }
        summary
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

    /// Cancels; a vendor refusal is an outcome (`not_cancellable`, `not_found`, `unknown`),
    /// while configuration, authentication and communication failures are errors.
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

/// Runs a unified cancel: `cancel` sends the vendor's cancel operation, `read` its state-read
/// operation (called only when the cancel's answer cannot be trusted).
pub async fn run<T, C, CF, R, RF>(
    profile: &Profile,
    reference: &CancelReference,
    cancel: C,
    read: R,
) -> Result<CancelOutcome<T>, Error>
where
    T: Serialize,
    C: FnOnce(CallRequest) -> CF,
    CF: Future<Output = Result<(u16, T), Error>>,
    R: FnOnce(CallRequest) -> RF,
    RF: Future<Output = Result<(u16, Value), Error>>,
{
    let spec = spec(profile)?;
    let call = plan(
        profile,
        &spec.operation,
        &spec.args,
        spec.body.as_ref(),
        reference,
    )?;
    match judge(profile, spec, cancel(call).await)? {
        Judged::Final(outcome) => Ok(outcome),
        Judged::Uncertain(outcome) => Ok(reconcile(profile, spec, reference, outcome, read).await),
    }
}

/// The call of an operation from templates of the reference's parts.
fn plan(
    profile: &Profile,
    operation: &str,
    args: &BTreeMap<String, String>,
    body: Option<&Value>,
    reference: &CancelReference,
) -> Result<CallRequest, Error> {
    let lookup = |name: &str| reference.part(name);
    let explain = |e: RenderError| match e {
        RenderError::Missing(slot) => {
            let flag = format!("--{}", slot.name.replace('_', "-"));
            Error::InvalidRequest(format!(
                "{} cancels by {} too: give it ({flag})",
                profile.vendor,
                slot.name.replace('_', " ")
            ))
        }
        RenderError::NotANumber { value, .. } => {
            Error::InvalidRequest(format!("{} ids are numbers, not {value:?}", profile.vendor))
        }
    };
    let mut rendered = BTreeMap::new();
    for (name, text) in args {
        let template = Template::parse(text).map_err(|e| Error::InvalidRequest(e.to_string()))?;
        let value = template.render(&lookup).map_err(explain)?;
        rendered.insert(name.clone(), text_of(&value));
    }
    let body = body
        .map(|b| render_value(b, &lookup))
        .transpose()
        .map_err(explain)?;
    Ok(CallRequest {
        operation: operation.to_owned(),
        args: rendered,
        body,
    })
}

enum Judged<T> {
    Final(CancelOutcome<T>),
    /// The answer cannot be trusted; the outcome so far says why.
    Uncertain(CancelOutcome<T>),
}

fn judge<T: Serialize>(
    profile: &Profile,
    spec: &CancelSpec,
    result: Result<(u16, T), Error>,
) -> Result<Judged<T>, Error> {
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
                Some(value) => status_of(spec, value),
                None => spec.on_success.unwrap_or(UnifiedStatus::Cancelled),
            };
            Ok(Judged::Final(CancelOutcome {
                vendor,
                status,
                vendor_status: raw.map(|v| text_of(&v)),
                http_status,
                response: Some(response),
                error: None,
                note: None,
            }))
        }
        Err(error) if error.is_auth_failure() => Err(error),
        Err(Error::Vendor(error)) => Ok(refusal(spec, vendor, *error)),
        Err(error) if error.may_have_taken_effect() => Ok(Judged::Uncertain(CancelOutcome {
            vendor,
            status: UnifiedStatus::Unknown,
            vendor_status: None,
            http_status: 0,
            response: None,
            error: None,
            note: Some(format!("the cancel's answer was lost ({error})")),
        })),
        Err(other) => Err(other),
    }
}

fn refusal<T>(spec: &CancelSpec, vendor: String, error: VendorError) -> Judged<T> {
    let status = spec
        .errors
        .iter()
        .find(|(_, rules)| rules.iter().any(|rule| matches(&error, rule)))
        .map(|(status, _)| *status)
        .unwrap_or(UnifiedStatus::Unknown);
    let replayed = error.replayed;
    let outcome = CancelOutcome {
        vendor,
        status,
        vendor_status: Some(
            error
                .code
                .clone()
                .unwrap_or_else(|| error.status.to_string()),
        ),
        http_status: error.status,
        response: None,
        note: replayed.then(|| {
            "the vendor refused a repeated request; an earlier attempt may have cancelled".into()
        }),
        error: Some(error),
    };
    // A refusal of a repeat may only mean that the first attempt did the job; a refusal the
    // mapping cannot read (Paywall's -1: "not found | could not be processed | general
    // error") is worth reading the state back for.
    let unreadable = status == UnifiedStatus::Unknown && spec.reconcile.is_some();
    if unreadable
        || (replayed
            && matches!(
                status,
                UnifiedStatus::NotCancellable | UnifiedStatus::Unknown
            ))
    {
        Judged::Uncertain(outcome)
    } else {
        Judged::Final(outcome)
    }
}

/// Reads the state back: cancelled, or in a final state that is not cancelled, settles the
/// outcome; anything else (still pending, unreadable) leaves it `unknown`.
async fn reconcile<T, R, RF>(
    profile: &Profile,
    spec: &CancelSpec,
    reference: &CancelReference,
    mut outcome: CancelOutcome<T>,
    read: R,
) -> CancelOutcome<T>
where
    R: FnOnce(CallRequest) -> RF,
    RF: Future<Output = Result<(u16, Value), Error>>,
{
    // What made the answer untrustworthy, if anything did, then "; " before what follows.
    let why = outcome
        .note
        .take()
        .map(|n| format!("{n}; "))
        .unwrap_or_default();
    outcome.status = UnifiedStatus::Unknown;
    let Some(state) = &spec.reconcile else {
        outcome.note = Some(format!(
            "{why}vendor.yaml declares no way to read the state"
        ));
        return outcome;
    };
    let read_state =
        |s: &StateRead| plan(profile, &s.operation, &s.args, s.body.as_ref(), reference);
    let value = match read_state(state) {
        Ok(call) => read(call)
            .await
            .map(|(_, json)| json.pointer(&state.status).cloned()),
        Err(e) => Err(e),
    };
    match value {
        Ok(Some(value)) if !value.is_null() => {
            let read_status = status_of(spec, &value);
            let settled = matches!(
                read_status,
                UnifiedStatus::Cancelled | UnifiedStatus::NotCancellable
            );
            outcome.status = if settled {
                read_status
            } else {
                UnifiedStatus::Unknown
            };
            outcome.vendor_status = Some(text_of(&value));
            outcome.note = Some(format!(
                "{why}the state read back with {} is {}{}",
                state.operation,
                text_of(&value),
                if settled {
                    ""
                } else {
                    ": the cancel has not taken effect (yet); sending it again is safe"
                }
            ));
        }
        Ok(_) => {
            outcome.note = Some(format!(
                "{why}{} answered without a status",
                state.operation
            ));
        }
        Err(e) => {
            outcome.note = Some(format!("{why}the state could not be read: {e}"));
        }
    }
    outcome
}

fn status_of(spec: &CancelSpec, value: &Value) -> UnifiedStatus {
    spec.statuses
        .iter()
        .find(|(_, values)| values.iter().any(|v| text_of(v) == text_of(value)))
        .map(|(status, _)| *status)
        .unwrap_or(UnifiedStatus::Unknown)
}

fn text_of(value: &Value) -> String {
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

#[cfg(test)]
mod tests;
