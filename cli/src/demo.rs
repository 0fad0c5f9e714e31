//! `payspec demo`: every vendor's demo flow (from its vendor.yaml) against the sandbox,
//! started in-process on an ephemeral port, through the same dispatch as `payspec call`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Instant;

use payspec_runtime::profile::sandbox::{DemoStep, Expectation};
use payspec_runtime::profile::template::render_value;
use payspec_runtime::{CallRequest, Error, Settings};
use payspec_sandbox::{Running, Sandbox};
use serde_json::Value;

use crate::Failure;

/// Runs the demo; `Ok(true)` when every step ended as expected.
pub async fn run(vendors: &[String]) -> Result<bool, Failure> {
    // The demo's own credentials on both sides: a caller's real PAYSPEC_* variables (exported
    // for real use) must not make the in-process sandbox refuse the demo's logins.
    let options = payspec_sandbox::Options {
        demo_credentials_only: true,
        ..Default::default()
    };
    let sandbox = Sandbox::with_options(payspec::VENDORS, options).map_err(|e| Failure {
        code: 1,
        message: e.to_string(),
    })?;
    let running = sandbox
        .start(([127, 0, 0, 1], 0).into())
        .await
        .map_err(|e| Failure {
            code: 1,
            message: format!("cannot start the sandbox: {e}"),
        })?;
    say!(
        "payspec sandbox on {} (in-process; demo credentials, whatever PAYSPEC_* holds)\n",
        running.url()
    );
    say!(
        "{:<13} {:<34} {:>6}  {:<62} {:>5}  auth sent (redacted)",
        "vendor",
        "operation",
        "status",
        "outcome",
        "ms"
    );
    let (mut steps, mut as_expected) = (0, 0);
    for vendor in payspec::VENDORS
        .iter()
        .filter(|v| vendors.is_empty() || vendors.iter().any(|n| n == v.name))
    {
        let profile = vendor.profile().map_err(|e| Failure {
            code: 1,
            message: e.to_string(),
        })?;
        let mut outputs: BTreeMap<String, Value> = BTreeMap::new();
        for step in &profile.sandbox.demo {
            steps += 1;
            let row = run_step(&running, vendor, step, &mut outputs).await;
            if row.passed {
                as_expected += 1;
            }
            say!(
                "{:<13} {:<34} {:>6}  {:<62} {:>5}  {}",
                vendor.name,
                step.operation,
                row.status,
                clip(
                    &format!(
                        "{}{}",
                        if row.passed { "" } else { "UNEXPECTED " },
                        row.outcome
                    ),
                    62
                ),
                row.millis,
                row.auth
            );
        }
    }
    say!("\n{as_expected} of {steps} steps ended as documented.");
    Ok(as_expected == steps)
}

struct Row {
    status: String,
    outcome: String,
    millis: u128,
    auth: String,
    passed: bool,
}

async fn run_step(
    running: &Running,
    vendor: &payspec_runtime::VendorEntry,
    step: &DemoStep,
    outputs: &mut BTreeMap<String, Value>,
) -> Row {
    let failed = |outcome: String| Row {
        status: "-".into(),
        outcome,
        millis: 0,
        auth: String::new(),
        passed: false,
    };
    if let Some(before) = &step.before
        && let Err(e) = back_office(running, vendor.name, before, outputs)
    {
        return failed(e);
    }
    let request = match step_request(step, outputs) {
        Ok(request) => request,
        Err(e) => return failed(e),
    };
    let started = Instant::now();
    let credentials = match vendor.profile() {
        Ok(profile) => payspec_runtime::Credentials::demo(&profile),
        Err(_) => payspec_runtime::Credentials::new(),
    };
    let settings = Settings::new()
        .sandbox(running.url())
        .credentials(credentials);
    let result = (vendor.call)(settings, request).await;
    let millis = started.elapsed().as_millis();
    let auth = auth_sent(running, vendor.name, &step.operation);
    let note = step
        .note
        .as_deref()
        .map(|n| format!(" ({n})"))
        .unwrap_or_default();
    match result {
        Ok(outcome) => {
            if let Some(name) = &step.name {
                outputs.insert(name.clone(), outcome.body.clone());
            }
            Row {
                status: outcome.status.to_string(),
                outcome: format!("ok{note}"),
                millis,
                auth,
                passed: matches!(step.expect, Expectation::Ok),
            }
        }
        Err(Error::Vendor(error)) => Row {
            status: error.status.to_string(),
            outcome: format!("{}{note}", refusal(&error)),
            millis,
            auth,
            passed: expected_refusal(&step.expect, &error),
        },
        Err(other) => Row {
            status: "-".into(),
            outcome: other.to_string(),
            millis,
            auth,
            passed: false,
        },
    }
}

/// Sets fields of a record before a step, as the vendor's back office would.
fn back_office(
    running: &Running,
    vendor: &str,
    before: &payspec_runtime::profile::sandbox::SandboxUpdate,
    outputs: &BTreeMap<String, Value>,
) -> Result<(), String> {
    let id = match fill(&Value::String(before.id.clone()), outputs)? {
        Value::String(id) => id,
        other => other.to_string(),
    };
    running
        .sandbox
        .update_record(vendor, &before.resource, &id, &before.set)
        .map_err(|e| e.to_string())
}

/// A step's call, its templates filled from earlier steps.
fn step_request(step: &DemoStep, outputs: &BTreeMap<String, Value>) -> Result<CallRequest, String> {
    let mut args = BTreeMap::new();
    for (name, value) in &step.args {
        let text = match fill(&Value::String(value.clone()), outputs)? {
            Value::String(text) => text,
            other => other.to_string(),
        };
        args.insert(name.clone(), text);
    }
    let body = step.body.as_ref().map(|b| fill(b, outputs)).transpose()?;
    Ok(CallRequest {
        operation: step.operation.clone(),
        args,
        body,
    })
}

/// The auth headers the sandbox last received for an operation, redacted.
fn auth_sent(running: &Running, vendor: &str, operation: &str) -> String {
    running
        .sandbox
        .exchanges()
        .iter()
        .rev()
        .find(|e| e.vendor == vendor && e.operation.as_deref() == Some(operation))
        .map(|e| {
            let headers: Vec<String> = e
                .auth_headers
                .iter()
                .map(|(n, v)| format!("{n}: {v}"))
                .collect();
            headers.join(", ")
        })
        .unwrap_or_default()
}

fn refusal(error: &payspec_runtime::VendorError) -> String {
    let mut outcome = String::from("vendor error");
    if let Some(code) = &error.code {
        let _ = write!(outcome, " {code}");
    }
    if let Some(message) = &error.message {
        let _ = write!(outcome, ": {message}");
    }
    outcome
}

fn expected_refusal(expect: &Expectation, error: &payspec_runtime::VendorError) -> bool {
    match expect {
        Expectation::Ok => false,
        Expectation::Error { status, code } => {
            error.status == *status && code.as_ref().is_none_or(|c| error.code.as_ref() == Some(c))
        }
    }
}

fn clip(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(width - 1).collect::<String>())
    }
}

/// Fills `{{step/pointer}}` templates (the template language of `payspec_profile::template`)
/// with values from earlier steps.
fn fill(value: &Value, outputs: &BTreeMap<String, Value>) -> Result<Value, String> {
    render_value(value, &|name| outputs.get(name).cloned()).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn templates_take_values_from_earlier_steps() {
        let outputs = BTreeMap::from([(
            "created".to_owned(),
            json!({"cashout_id": "11954", "id": "abc"}),
        )]);
        assert_eq!(
            fill(&json!("{{created/cashout_id|number}}"), &outputs).unwrap(),
            json!(11954)
        );
        assert_eq!(
            fill(&json!({"id": "{{created/id}}", "n": 1}), &outputs).unwrap(),
            json!({"id": "abc", "n": 1})
        );
        assert_eq!(
            fill(&json!("x-{{created/id}}-y"), &outputs).unwrap(),
            json!("x-abc-y")
        );
        assert!(fill(&json!("{{missing/id}}"), &outputs).is_err());
    }
}
