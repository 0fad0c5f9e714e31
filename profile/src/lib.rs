//! The vendor profile: everything about a vendor's API that its OpenAPI text cannot say,
//! declared as data in `specs/<vendor>/vendor.yaml`, and its one interpretation.
//!
//! The model (this module) is read and validated by the code generator at build time and
//! embedded (as JSON) in the generated client. What it means is computed here, once, with no
//! I/O: auth as instructions ([`auth`]), digests ([`digest`]), envelopes ([`envelope`]), error
//! bodies ([`error_body`]), token grants ([`grant`]), templates ([`template`]), JSON pointers
//! ([`pointer`]) and the OpenAPI helpers ([`openapi`]). The runtime applies these results to
//! requests, the sandbox verifies requests against them. Nothing here knows a particular
//! vendor: a new vendor whose auth fits these building blocks needs no Rust.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub mod auth;
pub mod callback;
pub mod cancel;
pub mod conformance;
mod describe;
pub mod digest;
pub mod envelope;
pub mod error_body;
pub mod grant;
pub mod idempotency;
pub mod jwt;
pub mod openapi;
pub mod pagination;
pub mod pointer;
pub mod sandbox;
pub mod template;
pub mod timestamp;
mod validate;
pub mod vectors;
pub mod webhook;

pub use callback::{Callback, CallbackFormat, CallbackPart, Digest, KeySource};
pub use cancel::{CancelSpec, UnifiedStatus};
pub use idempotency::{Idempotency, KeyPlace};
pub use pagination::{PageStyle, Pagination};
pub use sandbox::SandboxSpec;
pub use validate::Problem;

/// The whole of one `vendor.yaml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// The vendor's name: the directory under `specs/`, the Rust module and the CLI name.
    pub vendor: String,
    /// A human title for listings.
    pub title: String,
    /// Where the facts came from (documentation URLs).
    #[serde(default)]
    pub docs: Vec<String>,
    /// Named environments and their base URLs (e.g. `sandbox`, `production`).
    pub servers: BTreeMap<String, String>,
    /// The environment used when the caller names none.
    pub default_server: String,
    /// The servers where calls move real money (names of `servers`): `payspec probe` never
    /// writes to them, whatever it is asked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub production: Vec<String>,
    /// Further hosts some operations go to (Paywall's private API, OneKey's `/v1` bank codes),
    /// by group name; the spec puts an operation in a group by giving it (or its path) a
    /// server whose URL is one of the group's.
    #[serde(default)]
    pub server_groups: BTreeMap<String, ServerGroup>,
    /// Variables in server URLs (`https://{site}.acme.example`): each is read from
    /// `Settings::server_var`, else `PAYSPEC_<VENDOR>_<VARIABLE>`, else this default; a
    /// variable with no value anywhere is a configuration error naming its variable.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub server_variables: BTreeMap<String, ServerVariable>,
    /// The secrets and identifiers a caller supplies, by name.
    pub credentials: BTreeMap<String, CredentialSpec>,
    /// How requests are authenticated and signed.
    pub auth: Auth,
    /// Where a vendor error's code and message are in an error body.
    #[serde(default)]
    pub errors: ErrorShape,
    /// A wrapper around every response body, e.g. `{"data": …}` or `{"Result": true, "Body": …}`.
    #[serde(default)]
    pub envelope: Option<Envelope>,
    /// Bearer tokens the runtime obtains and refreshes itself, by name.
    #[serde(default)]
    pub tokens: BTreeMap<String, TokenProvider>,
    /// Component schemas that are Go-style nullable wrappers (`{"String": "x", "Valid": true}`),
    /// by schema name: they surface to Rust users as optional values.
    #[serde(default)]
    pub nullable_wrappers: BTreeMap<String, NullableKind>,
    /// How payspec's local sandbox imitates the vendor (state, failures, demo flow).
    #[serde(default)]
    pub sandbox: SandboxSpec,
    /// How the unified cancellation maps onto this vendor.
    #[serde(default)]
    pub cancel: Option<CancelSpec>,
    /// Whether an operation may be sent again after an attempt that failed on the way (a
    /// connection lost, a 429/502/503/504), by operationId. The HTTP method is the default:
    /// GET, HEAD, PUT, DELETE and OPTIONS are retried, POST and PATCH are not. `true` marks a
    /// POST that only reads (OneKey's cashout status); `false` a PUT or DELETE that must not be
    /// repeated.
    #[serde(default)]
    pub retry: BTreeMap<String, bool>,
    /// Idempotency keys: where the vendor takes one, for which writes. A write sent with a
    /// key is retried like an idempotent method, with the same key on every attempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotency: Option<Idempotency>,
    /// How list operations page, by recipe name: a list operation a recipe names gets a
    /// stream of its items (`.stream()`, `.pages()`, `payspec call --all`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pagination: BTreeMap<String, Pagination>,
    /// What the client does with a redirect (3xx) answer.
    #[serde(default)]
    pub redirects: RedirectPolicy,
    /// Callbacks (webhooks, notifications) the vendor sends, and how to verify them.
    #[serde(default)]
    pub callbacks: BTreeMap<String, Callback>,
    /// Choices about the generated Rust that the spec's text cannot make.
    #[serde(default)]
    pub generate: Generate,
}

/// Choices about the generated Rust.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Generate {
    /// What a string's `minLength`/`maxLength` become.
    #[serde(default)]
    pub string_lengths: StringLengths,
    /// Only these operations (operationIds, snake_case) are generated, with the schemas they
    /// reach; every operation is still read and checked. For a vendor of hundreds of
    /// operations of which a caller uses a few (Stripe's 415 compile in minutes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operations: Option<Vec<String>>,
    /// For an operation whose request body comes in several media types, the one to generate
    /// (by operationId, snake_case), e.g. `application/x-www-form-urlencoded`; without it the
    /// JSON one is generated.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub request_media: BTreeMap<String, String>,
}

/// What a string's length limits become in the generated types.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StringLengths {
    /// A newtype that checks the limits when it is built or read (the default).
    #[default]
    Checked,
    /// A plain `String`; the vendor's server checks. For specs that put an arbitrary cap on
    /// every string (Stripe's `maxLength: 5000` on nearly 4,000 of them), where a newtype per
    /// field costs the user a conversion at each one and the compiler most of the crate.
    Unchecked,
}

/// What a client does when the vendor answers with a redirect.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RedirectPolicy {
    /// A redirect is an error naming its status and target: nothing is sent elsewhere.
    #[default]
    Refuse,
    /// Followed to the same origin only (scheme, host and port), over https or loopback,
    /// re-signed for the new URL; any other target is an error.
    SameOrigin,
}

/// The HTTP methods retried by default: those whose repetition has the effect of one request.
pub const IDEMPOTENT_METHODS: [&str; 5] = ["GET", "HEAD", "PUT", "DELETE", "OPTIONS"];

/// A response envelope: where the payload is, and how a success is told from a failure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Envelope {
    /// JSON pointer to the payload handed to the caller (e.g. `/Body`); the whole body if absent.
    #[serde(default)]
    pub payload: Option<String>,
    /// When present, a 2xx response is a success only if this rule holds.
    #[serde(default)]
    pub success: Option<SuccessRule>,
}

/// How a 2xx envelope says "success".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum SuccessRule {
    /// The value at `pointer` equals `value` (Paywall: `/Result` is `true`).
    Equals {
        /// Where.
        pointer: String,
        /// The value that means success.
        value: serde_json::Value,
    },
    /// Nothing (or null) is at `pointer` (xpays: no `/error`).
    Absent {
        /// Where.
        pointer: String,
    },
}

/// A bearer token the runtime obtains by calling the vendor's login operation, caches, and
/// refreshes before it expires.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenProvider {
    /// The operationId that logs in, and the body it sends.
    pub login: TokenCall,
    /// The operationId that refreshes, and the body it sends (`refresh_token` is a source).
    #[serde(default)]
    pub refresh: Option<TokenCall>,
    /// JSON pointer to the access token in a login or refresh response.
    pub access_token: String,
    /// JSON pointer to the refresh token (it may rotate: the newest one is always used).
    #[serde(default)]
    pub refresh_token: Option<String>,
    /// JSON pointer to the access token's lifetime in seconds.
    #[serde(default)]
    pub expires_in: Option<String>,
    /// The lifetime assumed when the response does not say.
    #[serde(default = "default_lifetime")]
    pub default_lifetime_seconds: u64,
    /// Refresh this many seconds before expiry.
    #[serde(default = "default_refresh_margin")]
    pub refresh_before_seconds: u64,
    /// Written before the token in a header (e.g. `Bearer `).
    #[serde(default = "default_prefix")]
    pub prefix: String,
}

fn default_lifetime() -> u64 {
    900
}

fn default_refresh_margin() -> u64 {
    60
}

fn default_prefix() -> String {
    "Bearer ".to_owned()
}

/// A call the token provider makes: an operation of the spec, or a path the spec does not
/// describe (an OAuth2 token endpoint), with its body fields and headers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenCall {
    /// The operationId (empty when `path` is given).
    #[serde(default)]
    pub operation: String,
    /// A path on the vendor's server outside the spec, POSTed to (PayPal's `/v1/oauth2/token`).
    #[serde(default)]
    pub path: Option<String>,
    /// The body's fields.
    #[serde(default)]
    pub body: BTreeMap<String, ValueSource>,
    /// How the body is written: JSON, or a form (OAuth2's `grant_type=client_credentials`).
    #[serde(default)]
    pub encoding: TokenEncoding,
    /// Headers of the call (OAuth2 client authentication: `Authorization: {basic: …}`).
    #[serde(default)]
    pub headers: BTreeMap<String, ValueSource>,
}

/// How a token call's body is written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenEncoding {
    /// A JSON object.
    #[default]
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
}

/// What a nullable wrapper holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NullableKind {
    /// `{"String": "…", "Valid": bool}`, an optional string.
    String,
    /// `{"Time": "<RFC 3339>", "Valid": bool}`, an optional date-time.
    Time,
}

/// One credential a caller must supply.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialSpec {
    /// What the credential is and where a merchant finds it.
    #[serde(default)]
    pub description: Option<String>,
    /// Only some operations need it (OneKey's read-only key): a client is built without it,
    /// and those operations fail, naming its variable, until it is given.
    #[serde(default)]
    pub optional: bool,
    /// The value the sandbox accepts when the credential's variable is unset, for a credential
    /// that must have a form (a private key); public, and worthless anywhere else. Without it
    /// the demo value is `demo-<vendor>-<name>`.
    #[serde(default)]
    pub demo: Option<String>,
}

/// The sandbox's demo value for a credential without a `demo` of its own: public, fixed,
/// and worthless anywhere else.
pub fn demo_credential(vendor: &str, credential: &str) -> String {
    format!("demo-{vendor}-{credential}")
}

impl Profile {
    /// The value the sandbox accepts for a credential when its variable is unset.
    pub fn demo_credential(&self, credential: &str) -> String {
        self.credentials
            .get(credential)
            .and_then(|spec| spec.demo.clone())
            .unwrap_or_else(|| demo_credential(&self.vendor, credential))
    }

    /// The environment variable a credential is read from: `PAYSPEC_<VENDOR>_<NAME>`.
    pub fn credential_variable(&self, credential: &str) -> String {
        credential_variable(&self.vendor, credential)
    }

    /// Whether an operation may be sent again after an attempt that failed on the way: as
    /// vendor.yaml's `retry:` says, else by its method.
    pub fn may_retry(&self, operation_id: &str, method: &str) -> bool {
        self.retry.get(operation_id).copied().unwrap_or_else(|| {
            IDEMPOTENT_METHODS
                .iter()
                .any(|m| m.eq_ignore_ascii_case(method))
        })
    }

    /// The pagination recipe that names an operation, with its name (the first, by name).
    pub fn pagination_for(&self, operation_id: &str) -> Option<(&str, &Pagination)> {
        self.pagination
            .iter()
            .find(|(_, recipe)| recipe.names(operation_id))
            .map(|(name, recipe)| (name.as_str(), recipe))
    }

    /// The auth scheme an operation uses, or `None` when it is sent unauthenticated.
    pub fn scheme_for(&self, operation_id: &str) -> Option<&Scheme> {
        match self.auth.operations.get(operation_id) {
            Some(SchemeChoice::None) => None,
            Some(SchemeChoice::Scheme(name)) => self.auth.schemes.get(name),
            None => self.auth.schemes.get(&self.auth.default),
        }
    }
}

/// The environment variable for a vendor's credential: `PAYSPEC_<VENDOR>_<NAME>`, upper case.
pub fn credential_variable(vendor: &str, credential: &str) -> String {
    format!("PAYSPEC_{vendor}_{credential}")
        .to_ascii_uppercase()
        .replace('-', "_")
}

/// The auth recipe: named schemes, the default one, and per-operation choices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Auth {
    /// The scheme of every operation not listed in `operations`.
    pub default: String,
    /// The schemes by name.
    pub schemes: BTreeMap<String, Scheme>,
    /// Operations (by operationId) that use another scheme than the default, or `none`.
    #[serde(default)]
    pub operations: BTreeMap<String, SchemeChoice>,
}

/// Which scheme an operation uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemeChoice {
    /// Sent without any auth (e.g. a login operation).
    None,
    /// The scheme of this name.
    Scheme(String),
}

impl Serialize for SchemeChoice {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            SchemeChoice::None => serializer.serialize_str("none"),
            SchemeChoice::Scheme(name) => serializer.serialize_str(name),
        }
    }
}

impl<'de> Deserialize<'de> for SchemeChoice {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Ok(if name == "none" {
            SchemeChoice::None
        } else {
            SchemeChoice::Scheme(name)
        })
    }
}

/// One way of authenticating a request: what goes into headers and into the JSON body.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scheme {
    /// How the request timestamp is written, for `timestamp` values and signature parts.
    #[serde(default)]
    pub timestamp: TimestampFormat,
    /// Headers the runtime sets, by header name.
    #[serde(default)]
    pub headers: BTreeMap<String, ValueSource>,
    /// Top-level fields the runtime merges into the JSON request body, by field name.
    #[serde(default)]
    pub body: BTreeMap<String, ValueSource>,
}

/// Where a header or body value comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ValueSource {
    /// A credential's value.
    Credential(String),
    /// A fixed string.
    Literal(String),
    /// The request timestamp, in the scheme's format.
    Timestamp,
    /// An HMAC-SHA256 signature.
    HmacSha256(Signature),
    /// The current access token of the named token provider, with its prefix.
    Token(String),
    /// The refresh token last issued (only in a token provider's refresh call).
    RefreshToken,
    /// `Bearer <credential>`: a static key sent as a bearer token (OneKey's read-only key).
    Bearer(String),
    /// `Basic base64(user:password)` (RFC 7617), from two credentials.
    Basic(BasicAuth),
    /// A JSON Web Token signed for this request with an asymmetric key (see [`jwt`]).
    Jwt(JwtRecipe),
    /// Text with credentials in it: `"token {api_key}"`, `"{user}/{key}"`. A `{name}` slot is a
    /// credential's value; everything else is written as it is.
    Template(String),
}

/// The credentials a `template` value names, in order (`"token {api_key}"` → `api_key`).
pub fn template_slots(text: &str) -> impl Iterator<Item = &str> {
    text.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
}

/// A JSON Web Token (RFC 7519) signed per request with a private key (JWS, RFC 7515), as
/// crypto custody APIs require: its claims bind it to the method, the path and a hash of the
/// body, and to a moment and a nonce, so that a token seen once is worth nothing elsewhere.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JwtRecipe {
    /// The signature algorithm (the JOSE header's `alg`, never taken from a token received).
    pub algorithm: JwtAlgorithm,
    /// The credential holding the private key: PEM (PKCS#8, or SEC1 for ES256, or PKCS#1 for
    /// RS256; `\n` escapes read as line breaks), base64 DER, or for EdDSA the base64 of the
    /// 32-byte seed or the 64-byte seed and public key.
    pub key: String,
    /// Written before the token (e.g. `"Bearer "`); nothing by default.
    #[serde(default)]
    pub prefix: String,
    /// Fields of the JOSE header besides `alg` and `typ` (e.g. `kid`).
    #[serde(default)]
    pub header: BTreeMap<String, Claim>,
    /// The token's claims, by name.
    pub claims: BTreeMap<String, Claim>,
}

/// A JWS algorithm payspec signs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JwtAlgorithm {
    /// ECDSA on P-256 with SHA-256 (`ES256`).
    Es256,
    /// Ed25519 (`EdDSA`).
    #[serde(rename = "eddsa")]
    EdDsa,
    /// RSASSA-PKCS1-v1_5 with SHA-256 (`RS256`), keys of 2048 to 8192 bits.
    Rs256,
}

/// Where a JWT claim (or JOSE header field) comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Claim {
    /// A credential's value (an API key as `sub` or `kid`).
    Credential(String),
    /// A fixed string.
    Literal(String),
    /// Now, in seconds since the Unix epoch (`iat`).
    IssuedAt,
    /// Now, in seconds since the Unix epoch (`nbf`).
    NotBefore,
    /// Now plus this many seconds (`exp`).
    ExpiresIn(u64),
    /// A random value, fresh for each request.
    Nonce,
    /// The HTTP method, upper case.
    Method,
    /// The URL path (without the query).
    Path,
    /// The lower-case hex SHA-256 of the exact body bytes.
    BodySha256,
    /// Parts of the request joined into one string (e.g. `[method, {literal: " "}, path]`).
    Join(Vec<MessagePart>),
}

/// The two credentials of HTTP Basic auth.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasicAuth {
    /// The credential holding the user name.
    pub user: String,
    /// The credential holding the password (none: an empty password, as Stripe's).
    #[serde(default)]
    pub password: Option<String>,
}

/// An HMAC-SHA256 over a message built from parts of the request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signature {
    /// The credential whose value is the HMAC key.
    pub key: String,
    /// The parts, concatenated (with `separator` between them) into the signed message.
    pub message: Vec<MessagePart>,
    /// Written between parts; empty by default.
    #[serde(default)]
    pub separator: String,
    /// How the digest is written.
    pub encoding: Encoding,
}

/// A piece of the signed message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum MessagePart {
    /// The exact request body bytes (empty when there is no body).
    Body,
    /// The request timestamp, as sent.
    Timestamp,
    /// The HTTP method, upper case.
    Method,
    /// The URL path (without the query).
    Path,
    /// The URL path and, when there is one, `?` and the query string as sent.
    PathAndQuery,
    /// The host as the request addresses it (`api.example.com`; with the port when the URL
    /// names one, `127.0.0.1:8080`).
    Host,
    /// A fixed string.
    Literal(String),
}

/// How a digest is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    /// Lower-case hexadecimal.
    HexLower,
    /// Upper-case hexadecimal.
    HexUpper,
    /// Standard base64 with padding.
    Base64,
}

/// How a timestamp is written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimestampFormat {
    /// Seconds since the Unix epoch.
    UnixSeconds,
    /// Milliseconds since the Unix epoch.
    #[default]
    UnixMillis,
}

/// A group of operations served from other hosts than the vendor's `servers`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerGroup {
    /// What the group is (for the README and errors).
    #[serde(default)]
    pub description: Option<String>,
    /// The group's base URL in each environment, by the environment names of `servers`.
    pub servers: BTreeMap<String, String>,
}

/// A variable of the server URLs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerVariable {
    /// What it is (for errors and listings).
    #[serde(default)]
    pub description: Option<String>,
    /// Its value when the caller gives none.
    #[serde(default)]
    pub default: Option<String>,
}

impl Profile {
    /// The environment variable of a server URL variable: `PAYSPEC_<VENDOR>_<VARIABLE>`.
    pub fn server_variable_name(&self, variable: &str) -> String {
        format!(
            "PAYSPEC_{}_{}",
            self.vendor.to_ascii_uppercase(),
            variable.to_ascii_uppercase()
        )
    }

    /// The base URL of `group` (the vendor's `servers` when `None`) in `environment`.
    pub fn server_url(&self, group: Option<&str>, environment: &str) -> Option<&str> {
        match group {
            None => self.servers.get(environment),
            Some(group) => self.server_groups.get(group)?.servers.get(environment),
        }
        .map(String::as_str)
    }

    /// The environment variable that overrides a group's base URL (the vendor's own base URL
    /// when `group` is `None`): `PAYSPEC_<VENDOR>[_<GROUP>]_BASE_URL`.
    pub fn base_url_variable(&self, group: Option<&str>) -> String {
        let name = match group {
            Some(group) => format!("PAYSPEC_{}_{group}_BASE_URL", self.vendor),
            None => format!("PAYSPEC_{}_BASE_URL", self.vendor),
        };
        name.to_ascii_uppercase().replace('-', "_")
    }
}

/// JSON pointers to the vendor's own error code and message in an error body.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorShape {
    /// Pointer to the error code (e.g. `/code`).
    #[serde(default)]
    pub code: Option<String>,
    /// Pointer to the error message (e.g. `/message`).
    #[serde(default)]
    pub message: Option<String>,
}

impl Scheme {
    /// Whether the scheme sends a bearer token the runtime obtains.
    pub fn uses_token(&self) -> bool {
        self.headers
            .values()
            .any(|v| matches!(v, ValueSource::Token(_)))
    }

    /// Every credential the scheme reads, with the JSON pointer (within the scheme) that reads it.
    pub fn credential_uses(&self) -> Vec<(String, &str)> {
        let mut uses = Vec::new();
        for (place, values) in [("headers", &self.headers), ("body", &self.body)] {
            for (name, value) in values {
                let pointer = format!("/{place}/{}", pointer::escape(name));
                match value {
                    ValueSource::Credential(c) => {
                        uses.push((format!("{pointer}/credential"), c.as_str()))
                    }
                    ValueSource::HmacSha256(sig) => {
                        uses.push((format!("{pointer}/hmac_sha256/key"), sig.key.as_str()))
                    }
                    ValueSource::Bearer(c) => uses.push((format!("{pointer}/bearer"), c.as_str())),
                    ValueSource::Template(text) => {
                        for c in template_slots(text) {
                            uses.push((format!("{pointer}/template"), c));
                        }
                    }
                    ValueSource::Jwt(jwt) => {
                        uses.push((format!("{pointer}/jwt/key"), jwt.key.as_str()));
                        for (place, claims) in [("header", &jwt.header), ("claims", &jwt.claims)] {
                            for (claim, source) in claims {
                                if let Claim::Credential(c) = source {
                                    let at = pointer::escape(claim);
                                    uses.push((
                                        format!("{pointer}/jwt/{place}/{at}/credential"),
                                        c.as_str(),
                                    ));
                                }
                            }
                        }
                    }
                    ValueSource::Basic(basic) => {
                        uses.push((format!("{pointer}/basic/user"), basic.user.as_str()));
                        if let Some(password) = &basic.password {
                            uses.push((format!("{pointer}/basic/password"), password.as_str()));
                        }
                    }
                    ValueSource::Literal(_)
                    | ValueSource::Timestamp
                    | ValueSource::Token(_)
                    | ValueSource::RefreshToken => {}
                }
            }
        }
        uses
    }
}
