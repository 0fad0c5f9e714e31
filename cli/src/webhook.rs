//! `payspec webhook verify`: a captured delivery checked the way the generated `verify_*`
//! checks it (vendor.yaml's `callbacks:`), from the shell: exit 0 and the event as JSON when
//! it is authentic, 1 with the reason when it is refused, 2 on bad input (an unknown vendor or
//! callback, a body that cannot be read, a header that is not `Name: value`, no key).

use std::io::Read as _;

use payspec_runtime::callback::{self, CallbackError, CallbackKeys, Delivery};
use payspec_runtime::deps::reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use payspec_runtime::profile::KeySource;

use crate::{Failure, SpecsDir, catalog};

/// The largest delivery read.
const MAX_BODY: u64 = 10 << 20;

/// What `webhook verify` is given.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The vendor (see `payspec vendors`).
    vendor: String,
    /// The callback, as vendor.yaml names it (`payspec vendors --json` lists them).
    callback: String,
    #[command(flatten)]
    specs: SpecsDir,
    /// The body exactly as received: @FILE, or - for standard input.
    #[arg(long, value_name = "@FILE|-")]
    body: String,
    /// A header of the delivery, `Name: value` (repeat for each).
    #[arg(long = "header", value_name = "NAME: VALUE")]
    headers: Vec<String>,
    /// The URL the vendor delivered to (signed by some vendors, e.g. Square).
    #[arg(long)]
    url: Option<String>,
    /// The key, when it is not the credential vendor.yaml names (read from its
    /// PAYSPEC_<VENDOR>_<NAME> variable); @FILE to read it from a file (a PEM certificate:
    /// PayPal's); NAME=KEY for a key a payload field chooses.
    #[arg(long = "key", value_name = "KEY|@FILE|NAME=KEY")]
    keys: Vec<String>,
}

/// Runs `webhook verify`.
pub fn verify(args: &VerifyArgs) -> Result<(), Failure> {
    let catalog: catalog::Catalog = args.specs.catalog()?;
    let vendor = catalog.find(&args.vendor)?;
    let profile = vendor
        .profile()
        .map_err(|e| Failure::usage(e.to_string()))?;
    let spec = profile.callbacks.get(&args.callback).ok_or_else(|| {
        let known: Vec<&str> = profile.callbacks.keys().map(String::as_str).collect();
        Failure::usage(format!(
            "{} has no callback {:?} (callbacks: {})",
            vendor.name,
            args.callback,
            if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            }
        ))
    })?;
    let body = read_body(&args.body)?;
    let headers = headers(&args.headers)?;
    let result = match (&spec.header, &spec.key) {
        (Some(_), _) => {
            let key = key(&profile, spec, &args.keys)?;
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            let delivery = Delivery {
                headers: &headers,
                body: &body,
                url: args.url.as_deref(),
            };
            // Other credentials the message names (PayPal's webhook id), from the environment.
            let credentials = payspec_runtime::Credentials::from_env_or_none(&profile);
            callback::verify_webhook::<serde_json::Value>(&profile, &args.callback, &key, delivery, &credentials, now)
                .map(|verified| serde_json::json!({"valid": true, "id": verified.id, "event": verified.event}))
        }
        (None, KeySource::ByField(_)) => {
            let keys = args
                .keys
                .iter()
                .try_fold(CallbackKeys::new(), |keys, pair| {
                    let (name, key) = pair.split_once('=').ok_or_else(|| {
                        Failure::usage("--key: this callback's keys are given as NAME=KEY")
                    })?;
                    Ok::<_, Failure>(keys.with(name, key))
                })?;
            callback::verify_with_keys::<serde_json::Value>(&profile, &args.callback, &keys, &body)
                .map(|event| serde_json::json!({"valid": true, "id": null, "event": event}))
        }
        (None, _) => {
            let key = key(&profile, spec, &args.keys)?;
            callback::verify::<serde_json::Value>(&profile, &args.callback, &key, &body)
                .map(|event| serde_json::json!({"valid": true, "id": null, "event": event}))
        }
    };
    match result {
        Ok(verified) => {
            say!("{verified}");
            Ok(())
        }
        Err(error @ CallbackError::MissingKey { .. }) => Err(Failure::usage(error.to_string())),
        Err(error) => Err(Failure {
            code: 1,
            message: format!("refused: {error}"),
        }),
    }
}

/// The key: `--key`, else the credential's environment variable.
fn key(
    profile: &payspec_runtime::profile::Profile,
    spec: &payspec_runtime::profile::Callback,
    given: &[String],
) -> Result<String, Failure> {
    if let Some(key) = given.first() {
        return match key.strip_prefix('@') {
            Some(path) => read_key_file(path),
            None => Ok(key.clone()),
        };
    }
    match &spec.key {
        KeySource::Credential(credential) => {
            let variable = profile.credential_variable(credential);
            std::env::var(&variable)
                .ok()
                .filter(|v| !v.is_empty())
                .ok_or_else(|| Failure::usage(format!("no key: pass --key, or set {variable}")))
        }
        _ => Err(Failure::usage(
            "no key: pass --key (the key the vendor gave you)",
        )),
    }
}

/// A key kept in a file (`--key @FILE`), at most 64 KiB: a certificate, not a document.
fn read_key_file(path: &str) -> Result<String, Failure> {
    let flag = format!("--key @{path}");
    let file = std::fs::File::open(path).map_err(|e| Failure::usage(format!("{flag}: {e}")))?;
    let hint = "a key or a certificate is far smaller";
    let bytes = crate::read_capped(file, 64 * 1024, &flag, hint)?;
    String::from_utf8(bytes).map_err(|e| Failure::usage(format!("{flag}: not UTF-8 text: {e}")))
}

/// `--header 'Name: value'` flags, each checked.
pub(crate) fn headers(given: &[String]) -> Result<HeaderMap, Failure> {
    let mut headers = HeaderMap::new();
    for header in given {
        let (name, value) = header
            .split_once(':')
            .ok_or_else(|| Failure::usage(format!("--header {header:?} must be `Name: value`")))?;
        let name = HeaderName::from_bytes(name.trim().as_bytes())
            .map_err(|e| Failure::usage(format!("--header {:?}: {e}", name.trim())))?;
        let value = HeaderValue::from_str(value.trim())
            .map_err(|e| Failure::usage(format!("--header {name}: {e}")))?;
        headers.append(name, value);
    }
    Ok(headers)
}

/// The body, byte for byte (a signature covers the exact bytes).
fn read_body(source: &str) -> Result<Vec<u8>, Failure> {
    let mut bytes = Vec::new();
    match source {
        "-" => std::io::stdin()
            .lock()
            .take(MAX_BODY + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Failure::usage(format!("--body -: {e}")))?,
        _ => {
            let path = source.strip_prefix('@').ok_or_else(|| {
                Failure::usage("--body takes @FILE or - (the body exactly as received)")
            })?;
            std::fs::File::open(path)
                .and_then(|file| file.take(MAX_BODY + 1).read_to_end(&mut bytes))
                .map_err(|e| Failure::usage(format!("--body @{path}: {e}")))?
        }
    };
    if bytes.len() as u64 > MAX_BODY {
        return Err(Failure::usage(format!(
            "--body: larger than {MAX_BODY} bytes"
        )));
    }
    Ok(bytes)
}
