//! `payspec new VENDOR --auth STYLE`: a vendor directory to start from, with a commented
//! vendor.yaml for the auth style asked and a one-operation spec, that `payspec check` accepts.

use std::path::Path;

use crate::Failure;

/// The auth styles a new vendor can start from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AuthStyle {
    /// An API key in a header.
    ApiKey,
    /// An API key, a timestamp and an HMAC-SHA256 signature over the timestamp and body.
    Hmac,
    /// A static key sent as a bearer token.
    Bearer,
    /// HTTP Basic with a user and password.
    Basic,
    /// OAuth2 client credentials: a token endpoint, then the bearer token.
    Oauth2,
    /// No auth.
    None,
}

/// Writes `specs/<vendor>/openapi.yaml` and `vendor.yaml`; refuses to overwrite.
pub fn new_vendor(specs: &Path, vendor: &str, auth: AuthStyle) -> Result<(), Failure> {
    let valid = vendor
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase())
        && vendor
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !valid {
        return Err(Failure::usage(format!(
            "{vendor:?}: a vendor name is lower-case letters, digits and `_`, starting with a letter (it becomes a Rust module)"
        )));
    }
    let dir = specs.join(vendor);
    if dir.exists() {
        return Err(Failure::usage(format!("{} already exists", dir.display())));
    }
    std::fs::create_dir_all(&dir)
        .map_err(|e| Failure::usage(format!("cannot create {}: {e}", dir.display())))?;
    for (name, text) in [
        ("openapi.yaml", spec(vendor)),
        ("vendor.yaml", profile(vendor, auth)),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, text)
            .map_err(|e| Failure::usage(format!("cannot write {}: {e}", path.display())))?;
        say!("{}", path.display());
    }
    say!(
        "next: replace openapi.yaml with {vendor}'s OpenAPI document, adjust vendor.yaml, then `payspec check {}`",
        specs.display()
    );
    Ok(())
}

fn spec(vendor: &str) -> String {
    format!(
        "# The vendor's OpenAPI 3.0 or 3.1 document: replace this placeholder with the published one,\n# or transcribe the documentation pages (and record their URLs in externalDocs).\nopenapi: 3.0.3\ninfo:\n  title: {vendor}\n  version: '1'\npaths:\n  /payments/{{id}}:\n    get:\n      operationId: getPayment\n      summary: Get a payment\n      parameters:\n        - {{name: id, in: path, required: true, schema: {{type: string}}}}\n      responses:\n        '200':\n          description: The payment.\n          content:\n            application/json:\n              schema:\n                type: object\n                properties:\n                  id: {{type: string}}\n                  status: {{type: string}}\n"
    )
}

fn profile(vendor: &str, auth: AuthStyle) -> String {
    let upper = vendor.to_ascii_uppercase();
    let head = format!(
        "# What the spec cannot say: servers, credentials, and the auth the runtime adds to each call.\n# Credentials are read from PAYSPEC_{upper}_<NAME> (upper case).\nvendor: {vendor}\ntitle: {vendor}\ndocs: []                      # the documentation pages this is transcribed from\nservers:\n  sandbox: https://sandbox.{vendor}.example   # replace with the vendor's sandbox URL\ndefault_server: sandbox\n"
    );
    let body = match auth {
        AuthStyle::ApiKey => {
            "credentials:\n  api_key: { description: the dashboard API key }\nauth:\n  default: key\n  schemes:\n    key:\n      headers:\n        X-Api-Key: { credential: api_key }   # the header name the docs give\n"
        }
        AuthStyle::Hmac => {
            "credentials:\n  api_key: { description: the API key }\n  secret: { description: the signing secret }\nauth:\n  default: signed\n  schemes:\n    signed:\n      timestamp: unix_millis            # or unix_seconds\n      headers:\n        X-Api-Key: { credential: api_key }\n        X-Timestamp: timestamp\n        X-Signature:\n          hmac_sha256:\n            key: secret\n            message: [timestamp, body]   # parts: body, timestamp, method, path, {literal: ...}\n            separator: \"\"\n            encoding: hex_lower          # hex_lower, hex_upper, base64\n"
        }
        AuthStyle::Bearer => {
            "credentials:\n  secret_key: { description: the secret API key }\nauth:\n  default: bearer\n  schemes:\n    bearer:\n      headers:\n        Authorization: { bearer: secret_key }\n"
        }
        AuthStyle::Basic => {
            "credentials:\n  user: { description: the API user }\n  password: { description: the API password }\nauth:\n  default: basic\n  schemes:\n    basic:\n      headers:\n        Authorization: { basic: { user: user, password: password } }\n"
        }
        AuthStyle::Oauth2 => {
            "credentials:\n  client_id: { description: the app's client id }\n  client_secret: { description: the app's client secret }\ntokens:\n  oauth:\n    login:\n      path: /oauth2/token               # the token endpoint, relative to the server\n      encoding: form\n      headers:\n        Authorization: { basic: { user: client_id, password: client_secret } }\n      body:\n        grant_type: { literal: client_credentials }\n    access_token: /access_token\n    expires_in: /expires_in\n    default_lifetime_seconds: 3600\nauth:\n  default: oauth\n  schemes:\n    oauth:\n      headers:\n        Authorization: { token: oauth }\n"
        }
        AuthStyle::None => "credentials: {}\nauth:\n  default: none\n  schemes:\n    none: {}\n",
    };
    let errors = "errors:                          # JSON pointers into the vendor's error body\n  code: /error/code\n  message: /error/message\n";
    format!("{head}{body}{errors}")
}
