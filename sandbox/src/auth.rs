//! Checking a request's auth: the sandbox computes the instructions of the operation's scheme
//! for the request it received (`payspec_profile::auth`, the runtime's own interpretation of
//! vendor.yaml) and compares what was sent in constant time. Its independence lies elsewhere:
//! the signing vectors beside each spec (computed outside payspec) are checked against both,
//! and the hand-written mock in tests/support is a second implementation. It also issues the
//! bearer tokens it checks.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use payspec_runtime::profile::auth::{self, Identity, RequestView};
use payspec_runtime::profile::{
    Scheme, TokenEncoding, TokenProvider, ValueSource, digest, timestamp,
};
use payspec_runtime::profile::{grant, jwt};
use serde_json::Value;

use crate::vendor::{State, VendorSandbox};

/// How far a request timestamp may be from the sandbox's clock.
const TIMESTAMP_WINDOW: Duration = Duration::from_secs(5 * 60);

/// What went wrong (never a secret value).
pub(crate) type Refusal = String;

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The sandbox's side of a request: its credentials, and the tokens the request carries when
/// they are live ones the sandbox issued.
struct Received<'a> {
    vendor: &'a VendorSandbox,
    tokens: Vec<(String, String)>,
}

impl Identity for Received<'_> {
    fn credential(&self, name: &str) -> Option<&str> {
        self.vendor.credentials.get(name).map(String::as_str)
    }

    fn token(&self, provider: &str) -> Option<&str> {
        self.tokens
            .iter()
            .find(|(p, _)| p == provider)
            .map(|(_, t)| t.as_str())
    }
}

impl VendorSandbox {
    /// Checks a request against the operation's scheme: its timestamp fresh, then every
    /// header and body field as the scheme's instructions give them for this request.
    pub fn verify(
        &self,
        scheme: &Scheme,
        method: &str,
        (path, query): (&str, &str),
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<(), Refusal> {
        let stamp = match auth::timestamp_header(scheme) {
            Some(name) => {
                let sent =
                    header(headers, name).ok_or_else(|| format!("header {name} is missing"))?;
                if !timestamp::is_fresh(scheme.timestamp, sent, TIMESTAMP_WINDOW) {
                    return Err(format!(
                        "header {name} is not a timestamp within 5 minutes of now"
                    ));
                }
                sent
            }
            None => "",
        };
        let path_and_query = match query {
            "" => path.to_owned(),
            query => format!("{path}?{query}"),
        };
        let view = RequestView {
            method,
            path,
            path_and_query: &path_and_query,
            host: header(headers, "host").unwrap_or_default(),
            body,
            timestamp: stamp,
            unix_seconds: timestamp::unix_seconds(),
            nonce: "",
        };
        self.check(scheme, &view, headers)
    }

    /// The instructions of `scheme` for the request, compared with what was sent.
    fn check(
        &self,
        scheme: &Scheme,
        view: &RequestView<'_>,
        headers: &HeaderMap,
    ) -> Result<(), Refusal> {
        let received = Received {
            vendor: self,
            tokens: self.live_tokens(scheme, headers),
        };
        self.check_headers(scheme, &received, view, headers)?;
        self.verify_body_fields(scheme, &received, view.body)
    }

    fn check_headers(
        &self,
        scheme: &Scheme,
        received: &Received<'_>,
        view: &RequestView<'_>,
        headers: &HeaderMap,
    ) -> Result<(), Refusal> {
        for (name, source) in &scheme.headers {
            let sent = header(headers, name).ok_or_else(|| format!("header {name} is missing"))?;
            if let ValueSource::Jwt(recipe) = source {
                // Signed with a fresh nonce and time (and ES256 is randomised): verified with
                // the public key and each claim compared, not recomputed.
                jwt::verify(recipe, received, sent, view, TIMESTAMP_WINDOW.as_secs())
                    .map_err(|why| format!("header {name} {why}"))?;
                continue;
            }
            let (expected, _) = auth::header_value(&self.profile, source, received, view)
                .map_err(|e| format!("not authenticated: {e}"))?;
            if !digest::same(sent.as_bytes(), expected.as_bytes()) {
                return Err(format!("header {name} is wrong"));
            }
        }
        Ok(())
    }

    fn verify_body_fields(
        &self,
        scheme: &Scheme,
        received: &Received<'_>,
        body: &[u8],
    ) -> Result<(), Refusal> {
        if scheme.body.is_empty() {
            return Ok(());
        }
        let json: Value =
            serde_json::from_slice(body).map_err(|_| "the body is not JSON".to_owned())?;
        let expected = auth::body_fields(scheme, received, "")
            .map_err(|e| format!("not authenticated: {e}"))?;
        for (field, value) in expected {
            let sent = json.get(field).and_then(Value::as_str);
            let good = match scheme.body.get(field) {
                Some(ValueSource::Timestamp) => {
                    sent.is_some_and(|s| timestamp::is_fresh(scheme.timestamp, s, TIMESTAMP_WINDOW))
                }
                _ => sent.is_some_and(|s| digest::same(s.as_bytes(), value.as_bytes())),
            };
            if !good {
                return Err(format!("body field {field} is missing or wrong"));
            }
        }
        Ok(())
    }

    /// The tokens a request carries that are live ones this sandbox issued, by provider.
    fn live_tokens(&self, scheme: &Scheme, headers: &HeaderMap) -> Vec<(String, String)> {
        let state = self.lock();
        scheme
            .headers
            .iter()
            .filter_map(|(name, source)| {
                let ValueSource::Token(provider) = source else {
                    return None;
                };
                let prefix = self
                    .profile
                    .tokens
                    .get(provider)
                    .map(|p| p.prefix.as_str())?;
                let token = header(headers, name)?.strip_prefix(prefix)?;
                let live = state
                    .tokens
                    .access
                    .get(token)
                    .is_some_and(|expiry| Instant::now() < *expiry);
                live.then(|| (provider.clone(), token.to_owned()))
            })
            .collect()
    }

    /// If `operation` is a token provider's login or refresh, checks the call and writes a new
    /// pair of tokens into `body` (the rendered response) by the provider's pointers.
    pub fn token_call(
        &self,
        operation: &str,
        request: &Value,
        body: &mut Value,
    ) -> Option<Result<(), Refusal>> {
        let (provider, call) = self.profile.tokens.values().find_map(|provider| {
            if provider.login.operation == operation {
                return Some((provider, &provider.login));
            }
            let refresh = provider
                .refresh
                .as_ref()
                .filter(|r| r.operation == operation)?;
            Some((provider, refresh))
        })?;
        let mut state = self.lock();
        let received = Received {
            vendor: self,
            tokens: Vec::new(),
        };
        let live_refresh = state.tokens.refresh.clone();
        let expected = match grant::call_body(call, &received, live_refresh.as_deref(), "") {
            Ok(expected) => expected,
            Err(_) => return Some(Err("no refresh token is live".into())),
        };
        for (field, source) in &call.body {
            let sent = request
                .get(field)
                .and_then(Value::as_str)
                .unwrap_or_default();
            let wanted = expected
                .get(field)
                .and_then(Value::as_str)
                .unwrap_or_default();
            let good = match source {
                ValueSource::Timestamp => {
                    timestamp::is_fresh(Default::default(), sent, TIMESTAMP_WINDOW)
                }
                _ => digest::same(sent.as_bytes(), wanted.as_bytes()),
            };
            if !good {
                return Some(Err(format!("{field} is wrong")));
            }
        }
        self.issue(provider, &mut state, body);
        Some(Ok(()))
    }

    /// A token call to a path outside the spec (an OAuth2 token endpoint): `None` when no
    /// provider uses `path`; else the grant, or why it is refused. The call's headers (client
    /// authentication) and body fields are checked as vendor.yaml gives them.
    pub fn token_endpoint(
        &self,
        path: &str,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Option<Result<Value, Refusal>> {
        let (provider, call) = self.profile.tokens.values().find_map(|provider| {
            [Some(&provider.login), provider.refresh.as_ref()]
                .into_iter()
                .flatten()
                .find(|call| call.path.as_deref().is_some_and(|p| path.ends_with(p)))
                .map(|call| (provider, call))
        })?;
        let received = Received {
            vendor: self,
            tokens: Vec::new(),
        };
        for (name, source) in &call.headers {
            let sent = headers
                .get(name.as_str())
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            let wanted = auth::plain_value(source, &received, "")
                .map(|(v, _)| v)
                .unwrap_or_default();
            if !digest::same(sent.as_bytes(), wanted.as_bytes()) {
                return Some(Err(format!("{name} is wrong")));
            }
        }
        let fields: BTreeMap<String, String> = match call.encoding {
            TokenEncoding::Form => serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
                .map(|pairs| pairs.into_iter().collect())
                .unwrap_or_default(),
            TokenEncoding::Json => serde_json::from_slice::<BTreeMap<String, Value>>(body)
                .map(|m| {
                    m.into_iter()
                        .map(|(k, v)| {
                            (
                                k,
                                v.as_str()
                                    .map(str::to_owned)
                                    .unwrap_or_else(|| v.to_string()),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default(),
        };
        let mut state = self.lock();
        let expected = grant::call_body(call, &received, state.tokens.refresh.as_deref(), "")
            .unwrap_or_default();
        for field in call.body.keys() {
            let sent = fields.get(field).map(String::as_str).unwrap_or_default();
            let wanted = expected
                .get(field)
                .and_then(Value::as_str)
                .unwrap_or_default();
            if !digest::same(sent.as_bytes(), wanted.as_bytes()) {
                return Some(Err(format!("{field} is wrong")));
            }
        }
        let mut answer = Value::Object(Default::default());
        self.issue(provider, &mut state, &mut answer);
        Some(Ok(answer))
    }

    fn issue(&self, provider: &TokenProvider, state: &mut State, body: &mut Value) {
        state.tokens.serial += 1;
        let lifetime = state
            .tokens
            .lifetime_seconds
            .unwrap_or(provider.default_lifetime_seconds);
        let serial = state.tokens.serial;
        let access = format!(
            "v4.local.sandbox-{serial}-{}",
            uuid::Uuid::new_v4().simple()
        );
        let refresh = format!("rt-{serial}-{}", uuid::Uuid::new_v4().simple());
        let expiry = Instant::now()
            .checked_add(grant::lifetime(lifetime))
            .unwrap_or_else(|| Instant::now() + grant::MAX_LIFETIME / 2);
        state
            .tokens
            .remember(access.clone(), expiry, self.options.max_tokens);
        state.tokens.refresh = Some(refresh.clone());
        grant::write(provider, body, &access, &refresh, lifetime);
    }
}

#[cfg(test)]
mod tests {
    use axum::http::{HeaderMap, HeaderName, HeaderValue};

    use crate::Options;
    use crate::vendor::VendorSandbox;

    /// Every signing vector beside a spec: the sandbox accepts the vector's request with the
    /// vector's headers, and refuses it with any one of them changed.
    #[test]
    fn the_sandbox_verifies_as_the_vectors_say() {
        let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut checked = 0;
        for vendor in payspec_runtime::profile::vectors::load_workspace(manifest) {
            for vector in &vendor.vectors.signatures {
                let parts = std::iter::empty::<&payspec_runtime::OperationMeta>();
                let mut sandbox = VendorSandbox::from_parts(
                    vendor.profile.clone(),
                    serde_json::json!({}),
                    parts,
                    Options::default(),
                )
                .unwrap();
                sandbox.credentials = vector.credentials_of(&vendor.profile);
                let scheme = &vendor.profile.auth.schemes[&vector.scheme];
                let view = vector.view();
                let headers: HeaderMap = vector
                    .headers
                    .iter()
                    .map(|(n, v)| {
                        (
                            HeaderName::try_from(n.as_str()).unwrap(),
                            HeaderValue::from_str(v).unwrap(),
                        )
                    })
                    .collect();
                // A vector without a body shows the signature alone (credentials merged into the
                // body are checked by the vectors that have one).
                let no_tokens = super::Received {
                    vendor: &sandbox,
                    tokens: Vec::new(),
                };
                let check = |headers: &HeaderMap| match vector.body.is_empty() {
                    true => sandbox.check_headers(scheme, &no_tokens, &view, headers),
                    false => sandbox.check(scheme, &view, headers),
                };
                check(&headers)
                    .unwrap_or_else(|e| panic!("{}: {}: {e}", vendor.dir.display(), vector.name));
                for name in headers.keys() {
                    let mut altered = headers.clone();
                    altered.insert(name, HeaderValue::from_static("0000"));
                    assert!(check(&altered).is_err(), "{}: {name} altered", vector.name);
                }
                checked += 1;
            }
        }
        assert!(checked >= 8, "{checked} vectors");
    }
}
