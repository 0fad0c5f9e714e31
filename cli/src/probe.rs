//! `payspec probe VENDOR`: the vendor's live API as the test of its spec. Every safe operation
//! (GET and HEAD; writes only when asked, and never on a server vendor.yaml marks as
//! production) is called with the caller's credentials, its arguments taken from `--arg`, the
//! spec's examples, or the answers of the operations called before it (the ids of a list feed
//! the get); each answer is decoded through the generated type (compiled vendors) and checked
//! against the spec's schema, and each disagreement comes with the overlay action that would
//! make the spec say what the vendor sent.

use std::collections::BTreeMap;
use std::path::PathBuf;

use payspec_runtime::profile::conformance::{self, Mismatch};
use payspec_runtime::profile::{Profile, openapi, pointer};
use payspec_runtime::{CallRequest, OperationMeta, Runtime, VendorEntry};
use serde_json::{Value, json};

use crate::{Failure, Patience, SpecsDir, Target};

/// What `payspec probe` is asked.
#[derive(Debug, clap::Args)]
pub struct ProbeArgs {
    /// The vendor (see `payspec vendors`).
    vendor: String,
    #[command(flatten)]
    specs: SpecsDir,
    #[command(flatten)]
    target: Target,
    /// A parameter for every operation that has it (NAME=VALUE), or for one
    /// (OPERATION.NAME=VALUE).
    #[arg(long = "arg", value_name = "NAME=VALUE")]
    args: Vec<String>,
    /// A header sent with every call (`Name: value`), e.g. a sandbox's fault header.
    #[arg(long = "header", value_name = "NAME: VALUE")]
    headers: Vec<String>,
    /// Also call writes (POST, PUT, PATCH, DELETE) whose body the spec gives an example of;
    /// refused against a server vendor.yaml lists under `production:`.
    #[arg(long)]
    include_writes: bool,
    /// Write the overlay that makes the spec say what the vendor sent (OpenAPI Overlay 1.0,
    /// JSON, which YAML readers take too) to FILE: put it in specs/VENDOR/overlays/.
    #[arg(long, value_name = "FILE")]
    write_overlay: Option<PathBuf>,
    #[command(flatten)]
    patience: Patience,
}

/// How one operation went.
#[derive(Debug, Clone)]
enum Verdict {
    /// The answer matches the spec.
    Ok,
    /// The answer does not match the spec.
    Drift(Vec<Finding>),
    /// The vendor refused the request (its status, code and message).
    Refused(String),
    /// The call failed before an answer (transport, timeout, configuration).
    Failed(String),
    /// Not called (why).
    Skipped(String),
}

/// One disagreement between an answer and the spec.
#[derive(Debug, Clone)]
struct Finding {
    pointer: String,
    problem: String,
    found: Value,
    schema: Option<String>,
    overlay: Option<Value>,
}

/// One operation's probe.
#[derive(Debug, Clone)]
struct Probe {
    operation: &'static str,
    method: &'static str,
    path: &'static str,
    status: Option<u16>,
    verdict: Verdict,
}

/// Runs the probe; exit 0 when nothing drifted, 3 when something did, 1 when no operation
/// could be checked at all, 2 on bad input.
pub fn run(args: &ProbeArgs, json_output: bool) -> Result<(), Failure> {
    let catalog = args.specs.catalog()?;
    let vendor = catalog.find(&args.vendor)?;
    let profile = vendor
        .profile()
        .map_err(|e| Failure::usage(e.to_string()))?;
    let spec: Value = serde_json::from_str(vendor.spec_json)
        .map_err(|e| Failure::usage(format!("{}: the spec is not JSON: {e}", vendor.name)))?;
    let given = Given::parse(vendor, &args.args)?;
    let mut settings = args.patience.apply(args.target.settings(vendor)?);
    settings.extra_headers = crate::webhook::headers(&args.headers)?;
    let runtime = Runtime::with_profile(profile.clone(), vendor.operations, settings)
        .map_err(|e| Failure::usage(e.to_string()))?;
    if args.include_writes
        && let Some(url) = production_target(&profile, &runtime)
    {
        return Err(Failure::usage(format!(
            "--include-writes: {url} is one of {}'s production servers (vendor.yaml `production:`): probe never writes there",
            vendor.name
        )));
    }
    let session = Session {
        vendor,
        spec: &spec,
        runtime: &runtime,
        given,
        include_writes: args.include_writes,
        typed: !args.specs.is_runtime(),
    };
    let probes = crate::async_runtime()?.block_on(session.run_all());
    report(vendor.name, &probes, json_output);
    if let Some(file) = &args.write_overlay {
        write_overlay(file, vendor.name, &probes)?;
    }
    exit_for(&probes)
}

/// The production server `runtime` would call, if any: its base URL, or a server group's, at
/// the origin of a server (or a group's server) that vendor.yaml lists under `production:`.
fn production_target(profile: &Profile, runtime: &Runtime) -> Option<String> {
    let origin = |url: &str| {
        payspec_runtime::deps::reqwest::Url::parse(url)
            .ok()
            .map(|u| u.origin())
    };
    let production: Vec<_> = profile
        .production
        .iter()
        .flat_map(|name| {
            let groups = profile
                .server_groups
                .values()
                .filter_map(|g| g.servers.get(name));
            profile.servers.get(name).into_iter().chain(groups)
        })
        .filter_map(|url| origin(url))
        .collect();
    let groups = profile
        .server_groups
        .keys()
        .map(|g| runtime.base_url_of(Some(g)));
    std::iter::once(runtime.base_url())
        .chain(groups)
        .find(|url| origin(url).is_some_and(|o| production.contains(&o)))
        .map(str::to_owned)
}

/// The `--arg` values: for every operation, or for one.
struct Given {
    everywhere: BTreeMap<String, String>,
    scoped: BTreeMap<(String, String), String>,
}

impl Given {
    fn parse(vendor: &VendorEntry, args: &[String]) -> Result<Self, Failure> {
        let mut given = Given {
            everywhere: BTreeMap::new(),
            scoped: BTreeMap::new(),
        };
        for arg in args {
            let (name, value) = arg
                .split_once('=')
                .ok_or_else(|| Failure::usage(format!("--arg {arg:?} must be NAME=VALUE")))?;
            match name.split_once('.') {
                Some((operation, param)) => {
                    let meta = vendor.operation(operation).ok_or_else(|| {
                        Failure::usage(format!(
                            "--arg {arg:?}: {} has no operation {operation:?}",
                            vendor.name
                        ))
                    })?;
                    given
                        .scoped
                        .insert((meta.id.to_owned(), param.to_owned()), value.to_owned());
                }
                None => {
                    given.everywhere.insert(name.to_owned(), value.to_owned());
                }
            }
        }
        Ok(given)
    }

    fn get(&self, operation: &str, name: &str) -> Option<&String> {
        self.scoped
            .get(&(operation.to_owned(), name.to_owned()))
            .or_else(|| self.everywhere.get(name))
    }
}

/// One probe run's shared state.
struct Session<'a> {
    vendor: &'static VendorEntry,
    spec: &'a Value,
    runtime: &'a Runtime,
    given: Given,
    include_writes: bool,
    /// Whether the vendor's generated types are compiled in (else it was read with --specs).
    typed: bool,
}

/// What earlier answers taught: values by field name, and each answer's path.
#[derive(Default)]
struct Learned {
    by_name: BTreeMap<String, String>,
    by_path: Vec<(&'static str, BTreeMap<String, String>)>,
}

/// At most this many names are learned from one answer (a peer's answer may be huge).
const MAX_LEARNED: usize = 256;

impl Learned {
    fn learn(&mut self, path: &'static str, answer: &Value) {
        let mut names = BTreeMap::new();
        collect_scalars(answer, &mut names, 0);
        for (name, value) in &names {
            self.by_name
                .entry(name.clone())
                .or_insert_with(|| value.clone());
        }
        self.by_path.push((path, names));
    }

    /// A value for `name` of the operation at `path`: the same name in an earlier answer
    /// (`order_id`), or for a bare `id`, the `id` in the answer of the path it extends
    /// (`/orders` for `/orders/{id}`; any other `id` would name another resource).
    fn value_for(&self, path: &str, name: &str) -> Option<String> {
        if name != "id" {
            return self.by_name.get(name).cloned();
        }
        let placeholder = format!("{{{name}}}");
        let base = path.split(&placeholder).next().unwrap_or(path);
        let base = base.trim_end_matches('/');
        self.by_path
            .iter()
            .find(|(earlier, _)| *earlier == base)
            .and_then(|(_, names)| names.get("id").cloned())
    }
}

/// The first scalar of each field name, depth first (the first item of each list).
fn collect_scalars(value: &Value, names: &mut BTreeMap<String, String>, depth: usize) {
    if depth > 8 || names.len() >= MAX_LEARNED {
        return;
    }
    match value {
        Value::Object(object) => {
            for (name, field) in object {
                match field {
                    Value::String(text) => {
                        names.entry(name.clone()).or_insert_with(|| text.clone());
                    }
                    Value::Number(number) => {
                        names
                            .entry(name.clone())
                            .or_insert_with(|| number.to_string());
                    }
                    _ => collect_scalars(field, names, depth + 1),
                }
            }
        }
        Value::Array(items) => {
            if let Some(first) = items.first() {
                collect_scalars(first, names, depth + 1);
            }
        }
        _ => {}
    }
}

impl Session<'_> {
    /// Every operation, lists (no path parameter) first so that their ids feed the rest.
    async fn run_all(&self) -> Vec<Probe> {
        let mut order: Vec<&'static OperationMeta> = self.vendor.operations.iter().collect();
        order.sort_by_key(|o| o.params.iter().any(|p| p.location == "path" && p.required));
        let mut learned = Learned::default();
        let mut probes = Vec::new();
        for operation in order {
            let (status, verdict) = match self.request(operation, &learned) {
                Err(reason) => (None, Verdict::Skipped(reason)),
                Ok(request) => self.probe(operation, &request, &mut learned).await,
            };
            probes.push(Probe {
                operation: operation.id,
                method: operation.method,
                path: operation.path,
                status,
                verdict,
            });
        }
        probes
    }

    /// The request for `operation`, or why it is not called.
    fn request(&self, operation: &OperationMeta, learned: &Learned) -> Result<CallRequest, String> {
        let safe = matches!(operation.method, "GET" | "HEAD");
        if !safe && !self.include_writes {
            return Err("a write (--include-writes calls it)".into());
        }
        let found = self.operation_in_spec(operation);
        let mut args = BTreeMap::new();
        for param in operation.params {
            let value = self
                .given
                .get(operation.id, param.name)
                .cloned()
                .or_else(|| found.and_then(|o| parameter_example(self.spec, &o, param.name)))
                .or_else(|| learned.value_for(operation.path, param.name))
                .or_else(|| {
                    // A placeholder only where the vendor insists on a value.
                    let sample = || found.and_then(|o| parameter_sample(self.spec, &o, param.name));
                    param.required.then(sample).flatten()
                });
            match value {
                Some(value) => {
                    args.insert(param.name.to_owned(), value);
                }
                None if param.required => {
                    return Err(format!(
                        "needs --arg {}={} ({} parameter: no example or schema in the spec, none in earlier answers)",
                        param.name,
                        param.name.to_ascii_uppercase(),
                        param.location
                    ));
                }
                None => {}
            }
        }
        let body = match operation.body {
            None => None,
            // A form with files: no example can carry a file, so one made from the schema.
            Some(_) if operation.multipart => {
                match found.and_then(|o| form_sample(self.spec, &o)) {
                    Some(form) => Some(form),
                    None => return Err("no multipart/form-data schema to make a form from".into()),
                }
            }
            Some(required) => match found.and_then(|o| body_example(self.spec, &o)) {
                Some(example) => Some(example),
                None if required => match found.and_then(|o| body_sample(self.spec, &o)) {
                    Some(sample) => Some(sample),
                    None => return Err("no JSON body schema to make a body from".into()),
                },
                None => None,
            },
        };
        Ok(CallRequest {
            operation: operation.id.to_owned(),
            args,
            body: body.map(|body| self.without_idempotency_key(operation, body)),
        })
    }

    /// The body without an example's idempotency key: the runtime makes a fresh one for each
    /// call (an example's key, sent twice, would be a replay).
    fn without_idempotency_key(&self, operation: &OperationMeta, mut body: Value) -> Value {
        use payspec_runtime::profile::KeyPlace;
        let profile = self.runtime.profile();
        if let Some(idempotency) = profile
            .idempotency
            .as_ref()
            .filter(|_| operation.idempotent)
            && let KeyPlace::Body(at) = &idempotency.key
        {
            pointer::remove(&mut body, at);
        }
        body
    }

    fn operation_in_spec(&self, meta: &OperationMeta) -> Option<openapi::Operation<'_>> {
        let method = meta.method.to_ascii_lowercase();
        openapi::operations(self.spec)
            .into_iter()
            .find(|o| o.path == meta.path && o.method == method)
    }

    /// Calls `operation` and checks its answer.
    async fn probe(
        &self,
        operation: &'static OperationMeta,
        request: &CallRequest,
        learned: &mut Learned,
    ) -> (Option<u16>, Verdict) {
        let outcome = payspec_runtime::untyped::call(self.runtime, operation, request).await;
        let mut outcome = match outcome {
            Ok(outcome) => outcome,
            Err(error) => {
                let verdict = match error.vendor_error() {
                    Some(refusal) => Verdict::Refused(refusal.to_string()),
                    None => Verdict::Failed(error.to_string()),
                };
                let status = error.vendor_error().map(|e| e.status);
                return (status, verdict);
            }
        };
        self.runtime.scrub_json(&mut outcome.body);
        learned.learn(operation.path, &outcome.body);
        let findings = self.check(operation, outcome.status, &outcome.body);
        let verdict = if findings.is_empty() {
            Verdict::Ok
        } else {
            Verdict::Drift(findings)
        };
        (Some(outcome.status), verdict)
    }

    /// The answer against the spec: its status documented, its payload through the generated
    /// type, and against the schema.
    fn check(&self, operation: &OperationMeta, status: u16, payload: &Value) -> Vec<Finding> {
        let Some(found) = self.operation_in_spec(operation) else {
            return Vec::new();
        };
        let Some(response) = documented_response(self.spec, &found, status) else {
            return vec![undocumented_status(self.spec, &found, status)];
        };
        let mut findings = Vec::new();
        if self.typed
            && operation.returns_body
            && !payload.is_null()
            && let Err(problem) = (self.vendor.round_trip)(operation.id, true, payload.clone())
        {
            findings.push(Finding {
                pointer: String::new(),
                problem: format!("the generated type cannot decode it: {problem}"),
                found: Value::Null,
                schema: None,
                overlay: None,
            });
        }
        let Some((schema, location)) = self.payload_schema(&response) else {
            return findings;
        };
        let options = conformance::Options { extra_fields: true };
        let mismatches =
            conformance::check(self.spec, &schema, location.as_deref(), payload, options);
        findings.extend(mismatches.iter().map(|m| self.finding(m)));
        findings
    }

    /// The schema of the payload (inside the envelope, when the vendor has one) and where it
    /// is in the document.
    fn payload_schema(&self, response: &(Value, String)) -> Option<(Value, Option<String>)> {
        let (schema, location) = response;
        let profile = self.runtime.profile();
        match profile.envelope.as_ref().and_then(|e| e.payload.as_deref()) {
            // The payload's schema found by property names: located when it is a `$ref`.
            Some(at) => openapi::schema_at(self.spec, schema, at).map(|s| (s, None)),
            None => Some((schema.clone(), Some(location.clone()))),
        }
    }

    fn finding(&self, mismatch: &Mismatch) -> Finding {
        Finding {
            pointer: mismatch.pointer.clone(),
            problem: mismatch.problem(),
            found: mismatch.found.clone(),
            schema: mismatch.schema.clone(),
            overlay: mismatch.overlay_action(self.spec),
        }
    }
}

/// The operation's parameter called `name`.
fn parameter<'a>(
    spec: &'a Value,
    operation: &openapi::Operation<'a>,
    name: &str,
) -> Option<&'a Value> {
    openapi::parameters(spec, operation)
        .into_iter()
        .find(|p| p.get("name").and_then(Value::as_str) == Some(name))
}

/// A parameter's example in the spec (`example`, its schema's, or the first of `examples`).
fn parameter_example(
    spec: &Value,
    operation: &openapi::Operation<'_>,
    name: &str,
) -> Option<String> {
    let param = parameter(spec, operation, name)?;
    let schema = param.get("schema").map(|s| openapi::resolve(spec, s));
    let example = param
        .get("example")
        .or_else(|| first_example(param))
        .or_else(|| schema.and_then(|s| s.get("example")))
        .or_else(|| schema.and_then(|s| s.get("default")))?;
    match example {
        Value::String(text) => Some(text.clone()),
        Value::Number(_) | Value::Bool(_) => Some(example.to_string()),
        _ => None,
    }
}

/// A value made from a parameter's schema (its enum's first value, a placeholder of its type
/// and format), where nothing better is known.
fn parameter_sample(
    spec: &Value,
    operation: &openapi::Operation<'_>,
    name: &str,
) -> Option<String> {
    let param = parameter(spec, operation, name)?;
    match payspec_sandbox::sample(spec, param.get("schema")?) {
        Value::String(text) if !text.is_empty() => Some(text),
        Value::String(_) => Some("probe".to_owned()),
        value @ (Value::Number(_) | Value::Bool(_)) => Some(value.to_string()),
        _ => None,
    }
}

/// A request body made from its JSON schema, where the spec gives no example.
fn body_sample(spec: &Value, operation: &openapi::Operation<'_>) -> Option<Value> {
    let body = openapi::resolve(spec, operation.value.get("requestBody")?);
    let (_, media) = openapi::json_media(body.get("content")?)?;
    Some(payspec_sandbox::sample(spec, media.get("schema")?))
}

/// A multipart form made from its schema: each field sampled, each file field (`format:
/// binary`) a small file of placeholder bytes.
fn form_sample(spec: &Value, operation: &openapi::Operation<'_>) -> Option<Value> {
    let body = openapi::resolve(spec, operation.value.get("requestBody")?);
    let schema = body
        .get("content")?
        .get("multipart/form-data")?
        .get("schema")?;
    let Value::Object(mut form) = payspec_sandbox::sample(spec, schema) else {
        return None;
    };
    let properties = openapi::resolve(spec, schema)
        .get("properties")?
        .as_object()?;
    for (name, property) in properties {
        let property = openapi::resolve(spec, property);
        if property.get("format").and_then(Value::as_str) == Some("binary") {
            let part = payspec_runtime::multipart::Part::new(
                "payspec-probe.txt",
                "text/plain",
                b"payspec probe\n".to_vec(),
            );
            form.insert(name.clone(), serde_json::to_value(part).ok()?);
        }
    }
    Some(Value::Object(form))
}

fn first_example(holder: &Value) -> Option<&Value> {
    holder
        .get("examples")
        .and_then(Value::as_object)
        .and_then(|examples| examples.values().next())
        .and_then(|example| example.get("value"))
}

/// The request body's example in the spec (the media type's, or its schema's).
fn body_example(spec: &Value, operation: &openapi::Operation<'_>) -> Option<Value> {
    let body = openapi::resolve(spec, operation.value.get("requestBody")?);
    let (_, media) = openapi::json_media(body.get("content")?)?;
    media
        .get("example")
        .or_else(|| first_example(media))
        .or_else(|| {
            media
                .get("schema")
                .and_then(|s| openapi::resolve(spec, s).get("example"))
        })
        .cloned()
}

/// The response the spec documents for `status` (its own, `2XX`, or `default`): its JSON
/// schema (`null` for none) and where that is in the document.
fn documented_response(
    spec: &Value,
    operation: &openapi::Operation<'_>,
    status: u16,
) -> Option<(Value, String)> {
    let responses = operation.value.get("responses")?.as_object()?;
    let class = format!("{}XX", status / 100);
    let (key, response) = [
        status.to_string(),
        class.clone(),
        class.to_lowercase(),
        "default".into(),
    ]
    .into_iter()
    .find_map(|key| responses.get(&key).map(|r| (key, r)))?;
    let base = format!(
        "{}/responses/{}",
        operation.pointer(),
        pointer::escape(&key)
    );
    let resolved = openapi::resolve(spec, response);
    let content = resolved.get("content").and_then(openapi::json_media);
    Some(match content {
        Some((media, value)) => (
            value.get("schema").cloned().unwrap_or(Value::Null),
            format!("{base}/content/{}/schema", pointer::escape(media)),
        ),
        None => (Value::Null, base),
    })
}

fn undocumented_status(spec: &Value, operation: &openapi::Operation<'_>, status: u16) -> Finding {
    let responses = format!("{}/responses", operation.pointer());
    let overlay = conformance::json_path(spec, &responses).map(|target| {
        json!({"target": target, "update": {status.to_string(): {"description": format!("seen by payspec probe: {status}")}}})
    });
    Finding {
        pointer: String::new(),
        problem: format!("status {status} is not documented"),
        found: Value::from(status),
        schema: Some(responses),
        overlay,
    }
}

fn report(vendor: &str, probes: &[Probe], json_output: bool) {
    if json_output {
        say!("{}", json_report(vendor, probes));
        return;
    }
    for probe in probes {
        let status = probe
            .status
            .map(|s| s.to_string())
            .unwrap_or_else(|| "-".into());
        let (word, detail) = match &probe.verdict {
            Verdict::Ok => ("ok", String::new()),
            Verdict::Drift(findings) => ("drift", format!("{} finding(s)", findings.len())),
            Verdict::Refused(reason) => ("refused", reason.clone()),
            Verdict::Failed(reason) => ("failed", reason.clone()),
            Verdict::Skipped(reason) => ("skipped", reason.clone()),
        };
        say!(
            "{:<8} {:>3} {:<32} {} {}  {detail}",
            word,
            status,
            probe.operation,
            probe.method,
            probe.path
        );
        if let Verdict::Drift(findings) = &probe.verdict {
            for finding in findings {
                let at = if finding.pointer.is_empty() {
                    "body"
                } else {
                    &finding.pointer
                };
                let schema = finding
                    .schema
                    .as_deref()
                    .map(|s| format!("  (spec: #{s})"))
                    .unwrap_or_default();
                say!("           {at}: {}{schema}", finding.problem);
            }
        }
    }
    let count = |word: &str| {
        probes
            .iter()
            .filter(|p| verdict_word(&p.verdict) == word)
            .count()
    };
    say!(
        "{vendor}: {} operations: {} ok, {} drift, {} refused, {} failed, {} skipped",
        probes.len(),
        count("ok"),
        count("drift"),
        count("refused"),
        count("failed"),
        count("skipped")
    );
}

fn verdict_word(verdict: &Verdict) -> &'static str {
    match verdict {
        Verdict::Ok => "ok",
        Verdict::Drift(_) => "drift",
        Verdict::Refused(_) => "refused",
        Verdict::Failed(_) => "failed",
        Verdict::Skipped(_) => "skipped",
    }
}

fn json_report(vendor: &str, probes: &[Probe]) -> Value {
    let operations: Vec<Value> = probes
        .iter()
        .map(|probe| {
            let (findings, reason) = match &probe.verdict {
                Verdict::Drift(findings) => (
                    findings
                        .iter()
                        .map(|f| {
                            json!({
                                "pointer": f.pointer, "problem": f.problem, "found": f.found,
                                "schema": f.schema, "overlay": f.overlay,
                            })
                        })
                        .collect(),
                    Value::Null,
                ),
                Verdict::Refused(r) | Verdict::Failed(r) | Verdict::Skipped(r) => {
                    (Vec::new(), Value::from(r.clone()))
                }
                Verdict::Ok => (Vec::new(), Value::Null),
            };
            json!({
                "operation": probe.operation, "method": probe.method, "path": probe.path,
                "verdict": verdict_word(&probe.verdict), "status": probe.status,
                "findings": findings, "reason": reason,
            })
        })
        .collect();
    json!({"vendor": vendor, "operations": operations})
}

/// The overlay of every finding that has one: enum values for one target merged into one
/// action, the same action once.
fn overlay(vendor: &str, probes: &[Probe]) -> Value {
    let mut actions: Vec<Value> = Vec::new();
    let findings = probes.iter().filter_map(|p| match &p.verdict {
        Verdict::Drift(findings) => Some(findings),
        _ => None,
    });
    for action in findings.flatten().filter_map(|f| f.overlay.clone()) {
        let values = action
            .pointer("/update/enum")
            .and_then(Value::as_array)
            .cloned();
        let same_target = actions
            .iter()
            .position(|a| a["target"] == action["target"] && a.pointer("/update/enum").is_some());
        match (values, same_target) {
            (Some(values), Some(index)) => {
                let existing = &mut actions[index];
                if let Some(list) = existing
                    .pointer_mut("/update/enum")
                    .and_then(Value::as_array_mut)
                {
                    for value in values {
                        if !list.contains(&value) {
                            list.push(value);
                        }
                    }
                }
            }
            _ if !actions.contains(&action) => actions.push(action),
            _ => {}
        }
    }
    json!({
        "overlay": "1.0.0",
        "info": {"title": format!("{vendor}: what payspec probe saw the vendor send"), "version": "1"},
        "actions": actions,
    })
}

fn write_overlay(file: &PathBuf, vendor: &str, probes: &[Probe]) -> Result<(), Failure> {
    let document = overlay(vendor, probes);
    let text = serde_json::to_string_pretty(&document).map_err(|e| Failure {
        code: 1,
        message: format!("cannot write the overlay: {e}"),
    })?;
    std::fs::write(file, text + "\n")
        .map_err(|e| Failure::usage(format!("--write-overlay {}: {e}", file.display())))
}

fn exit_for(probes: &[Probe]) -> Result<(), Failure> {
    let drifted = probes
        .iter()
        .filter(|p| matches!(p.verdict, Verdict::Drift(_)))
        .count();
    let checked = probes
        .iter()
        .filter(|p| matches!(p.verdict, Verdict::Ok | Verdict::Drift(_)))
        .count();
    if drifted > 0 {
        return Err(Failure {
            code: 3,
            message: format!("{drifted} operation(s) answered otherwise than the spec says"),
        });
    }
    if checked == 0 {
        return Err(Failure {
            code: 1,
            message: "no operation could be checked (every one refused, failed or skipped)".into(),
        });
    }
    Ok(())
}
