//! The runtime a generated client carries (progenitor's "inner" value): one vendor's profile,
//! credentials, endpoint and HTTP client, shared by clones of the client. Requests go through
//! it in named phases (see [`crate::pipeline`]).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use payspec_profile::{Profile, ValueSource};
use reqwest::header::{HeaderName, HeaderValue};

use crate::call::OperationMeta;
use crate::credentials::Credentials;
use crate::error::ConfigError;
use crate::scrub::Scrubber;
use crate::settings::Settings;
use crate::tokens::Tokens;

/// A vendor profile with its credentials and endpoint: everything a request needs.
#[derive(Clone)]
pub struct Runtime {
    pub(crate) shared: Arc<Shared>,
}

pub(crate) struct Shared {
    pub profile: Profile,
    /// How each operation is called (and the schemes), worked out once.
    pub plans: crate::pipeline::Plans,
    pub credentials: Credentials,
    pub scrubber: Scrubber,
    pub bases: crate::endpoint::Bases,
    pub http: reqwest::Client,
    pub tokens: Tokens,
    /// Retry policy, timeouts, the response cap and extra headers.
    pub settings: Settings,
    /// The schemes' header names, parsed once (and `'static`: see [`static_header_name`]).
    pub header_names: BTreeMap<String, HeaderName>,
    /// The private keys of JWT recipes, read once.
    pub signing_keys: Vec<crate::identity::SigningKeyOf>,
    /// The URL of every operation path without parameters, under the vendor's base.
    pub fixed_urls: BTreeMap<&'static str, reqwest::Url>,
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("vendor", &self.shared.profile.vendor)
            .field("base_url", &self.shared.bases.default.as_str())
            .field("credentials", &self.shared.credentials)
            .finish_non_exhaustive()
    }
}

impl Runtime {
    /// Builds the runtime from the embedded profile (JSON), the vendor's operations and the
    /// caller's settings.
    pub fn new(
        profile_json: &str,
        operations: &'static [OperationMeta],
        settings: Settings,
    ) -> Result<Self, ConfigError> {
        let profile: Profile =
            serde_json::from_str(profile_json).map_err(|e| ConfigError::Profile(e.to_string()))?;
        Self::with_profile(profile, operations, settings)
    }

    /// Builds the runtime with every setting from the environment: credentials, and the
    /// server or base URLs (`PAYSPEC_<VENDOR>_SERVER`, `…_BASE_URL`, `…_<GROUP>_BASE_URL`).
    pub fn from_env(
        profile_json: &str,
        operations: &'static [OperationMeta],
    ) -> Result<Self, ConfigError> {
        let profile: Profile =
            serde_json::from_str(profile_json).map_err(|e| ConfigError::Profile(e.to_string()))?;
        let settings = Settings::default().with_env(&profile)?;
        Self::with_profile(profile, operations, settings)
    }

    /// Builds the runtime from a profile already read.
    pub fn with_profile(
        profile: Profile,
        operations: &'static [OperationMeta],
        mut settings: Settings,
    ) -> Result<Self, ConfigError> {
        let bases = crate::endpoint::bases(&profile, &settings)?;
        let credentials = match (settings.credentials.take(), &settings.sandbox) {
            (Some(credentials), _) => credentials,
            (None, Some(_)) => Credentials::from_env_or_demo(&profile),
            (None, None) => Credentials::from_env(&profile)?,
        };
        check_credentials(&profile, &credentials)?;
        let signing_keys = read_signing_keys(&profile, &credentials)?;
        let http = build_http(&settings)?;
        let fixed_urls = fixed_urls(&bases.default, operations);
        let header_names = profile
            .auth
            .schemes
            .values()
            .flat_map(|scheme| scheme.headers.keys())
            .filter_map(|name| Some((name.clone(), static_header_name(name)?)))
            .collect();
        Ok(Self {
            shared: Arc::new(Shared {
                tokens: Tokens::new(&profile.tokens),
                scrubber: Scrubber::new(
                    credentials
                        .values()
                        .map(str::to_owned)
                        .chain(payspec_profile::auth::basic_pairs(
                            &profile,
                            &crate::identity::Keys {
                                signing_keys: &[],
                                credentials: &credentials,
                                tokens: &[],
                            },
                        ))
                        .collect::<Vec<_>>()
                        .iter()
                        .map(String::as_str),
                ),
                plans: crate::pipeline::Plans::new(&profile, operations),
                profile,
                credentials,
                bases,
                http,
                settings,
                header_names,
                signing_keys,
                fixed_urls,
            }),
        })
    }

    /// The vendor profile.
    pub fn profile(&self) -> &Profile {
        &self.shared.profile
    }

    /// The base URL requests go to (without a trailing slash).
    pub fn base_url(&self) -> &str {
        self.shared.bases.default.as_str().trim_end_matches('/')
    }

    /// The URL of an operation (what the generated `send` calls): `path`, formatted with its
    /// parameters encoded, under `base`, the generated client's base URL. The runtime's own
    /// base was parsed when the client was built, so only the path is parsed here (a whole
    /// URL's parse is the larger part of a request's own cost); another base is parsed whole.
    pub fn url(&self, base: &str, path: &str) -> Result<reqwest::Url, crate::Error> {
        let own = &self.shared.bases.default;
        if base != self.base_url() {
            let whole = format!("{base}{path}");
            return reqwest::Url::parse(&whole)
                .map_err(|e| crate::Error::InvalidRequest(format!("{whole:?} is not a URL: {e}")));
        }
        match self.shared.fixed_urls.get(path) {
            Some(fixed) => Ok(fixed.clone()),
            None => Ok(under(own, path)),
        }
    }

    /// The base URL of an operation's server group (the vendor's when it has none).
    pub fn base_url_of(&self, group: Option<&str>) -> &str {
        self.shared.bases.of(group).as_str().trim_end_matches('/')
    }

    /// The HTTP client (redirects off).
    pub fn http_client(&self) -> &reqwest::Client {
        &self.shared.http
    }

    /// `text` with every secret this client holds scrubbed out.
    pub fn scrub(&self, text: &str) -> String {
        self.shared.scrubber.scrub(text, &[])
    }

    /// Every string of `value` scrubbed (for printing a vendor's answer).
    pub fn scrub_json(&self, value: &mut serde_json::Value) {
        self.shared.scrubber.scrub_json(value)
    }

    /// The operation of this id.
    pub(crate) fn operation(&self, id: &str) -> Option<&'static OperationMeta> {
        self.shared
            .plans
            .operations
            .get(id)
            .map(|plan| plan.operation)
    }

    /// Verifies a callback of this vendor and parses it: with the given key, or with the
    /// credential vendor.yaml names for it.
    pub fn verify_callback<T: serde::de::DeserializeOwned>(
        &self,
        name: &str,
        key: Option<&str>,
        body: &[u8],
    ) -> Result<T, crate::callback::CallbackError> {
        use payspec_profile::KeySource;
        let profile = &self.shared.profile;
        let key = match (key, profile.callbacks.get(name).map(|c| &c.key)) {
            (Some(key), _) => key,
            (None, Some(KeySource::Credential(credential))) => {
                self.shared.credentials.get(credential).unwrap_or_default()
            }
            (None, _) => {
                return Err(crate::callback::CallbackError::MissingKey {
                    vendor: profile.vendor.clone(),
                    name: name.to_owned(),
                    hint: "pass the key given by the vendor".into(),
                });
            }
        };
        crate::callback::verify(profile, name, key, body)
    }

    /// Verifies a webhook signed in a header (vendor.yaml `callbacks:` with `header:`) with
    /// `key`, or the credential vendor.yaml names (the endpoint's signing secret), against
    /// the clock, and parses it.
    pub fn verify_webhook<T: serde::de::DeserializeOwned>(
        &self,
        name: &str,
        key: Option<&str>,
        delivery: crate::callback::Delivery<'_>,
    ) -> Result<crate::callback::Verified<T>, crate::callback::CallbackError> {
        use payspec_profile::KeySource;
        let profile = &self.shared.profile;
        let key = match (key, profile.callbacks.get(name).map(|c| &c.key)) {
            (Some(key), _) => key,
            (None, Some(KeySource::Credential(credential))) => {
                self.shared.credentials.get(credential).ok_or_else(|| {
                    crate::callback::CallbackError::MissingKey {
                        vendor: profile.vendor.clone(),
                        name: name.to_owned(),
                        hint: format!(
                            "set {} (the endpoint's signing secret)",
                            profile.credential_variable(credential)
                        ),
                    }
                })?
            }
            (None, _) => {
                return Err(crate::callback::CallbackError::MissingKey {
                    vendor: profile.vendor.clone(),
                    name: name.to_owned(),
                    hint: "pass the key given by the vendor".into(),
                });
            }
        };
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        crate::callback::verify_webhook(profile, name, key, delivery, &self.shared.credentials, now)
    }

    /// Verifies a callback whose key a payload field chooses among `keys`.
    pub fn verify_callback_with_keys<T: serde::de::DeserializeOwned>(
        &self,
        name: &str,
        keys: &crate::callback::CallbackKeys,
        body: &[u8],
    ) -> Result<T, crate::callback::CallbackError> {
        crate::callback::verify_with_keys(&self.shared.profile, name, keys, body)
    }
}

/// The HTTP client: the caller's changes, then the runtime's rules (no redirects followed by
/// the client; connection timeout).
fn build_http(settings: &Settings) -> Result<reqwest::Client, ConfigError> {
    let mut builder = reqwest::Client::builder();
    if let Some(configure) = &settings.http {
        builder = configure(builder);
    }
    builder
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(settings.timeouts.connect)
        .build()
        .map_err(|e| ConfigError::Http(e.to_string()))
}

/// `path` under `base` (its own path a prefix): only the path is parsed.
fn under(base: &reqwest::Url, path: &str) -> reqwest::Url {
    let mut url = base.clone();
    match base.path().trim_end_matches('/') {
        "" => url.set_path(path),
        prefix => url.set_path(&format!("{prefix}{path}")),
    }
    url
}

/// The URL of every operation whose path has no parameter, made once.
fn fixed_urls(
    base: &reqwest::Url,
    operations: &'static [OperationMeta],
) -> BTreeMap<&'static str, reqwest::Url> {
    operations
        .iter()
        .filter(|operation| !operation.path.contains('{'))
        .map(|operation| (operation.path, under(base, operation.path)))
        .collect()
}

/// A header name backed by a `'static` string, or `None` when `name` is not a header name.
/// Requests on every thread set these names: a `'static` one is copied when cloned, where a
/// name parsed at run time shares a reference count that the threads would contend for. Each
/// distinct name is kept once for the life of the process (vendor.yaml names a handful).
fn static_header_name(name: &str) -> Option<HeaderName> {
    use std::collections::BTreeSet;
    use std::sync::{Mutex, OnceLock};
    static NAMES: OnceLock<Mutex<BTreeSet<&'static str>>> = OnceLock::new();
    let lower = HeaderName::try_from(name).ok()?.as_str().to_owned();
    let mut names = NAMES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let kept = match names.get(lower.as_str()) {
        Some(kept) => *kept,
        None => {
            let kept: &'static str = Box::leak(lower.into_boxed_str());
            names.insert(kept);
            kept
        }
    };
    // A parsed name's text is lower case and valid, as `from_static` requires.
    Some(HeaderName::from_static(kept))
}

/// The private key of every JWT recipe whose credential is given, read once: a key that
/// cannot sign is an error now, naming its variable, not at the first request.
fn read_signing_keys(
    profile: &Profile,
    credentials: &Credentials,
) -> Result<Vec<crate::identity::SigningKeyOf>, ConfigError> {
    let mut keys: Vec<crate::identity::SigningKeyOf> = Vec::new();
    let recipes = profile
        .auth
        .schemes
        .values()
        .flat_map(|s| s.headers.values());
    for source in recipes {
        let ValueSource::Jwt(recipe) = source else {
            continue;
        };
        let known = keys
            .iter()
            .any(|k| k.credential == recipe.key && k.key.algorithm() == recipe.algorithm);
        let Some(text) = credentials.get(&recipe.key).filter(|_| !known) else {
            continue;
        };
        let key = payspec_profile::jwt::SigningKey::read(recipe.algorithm, text).map_err(|e| {
            ConfigError::InvalidCredential {
                vendor: profile.vendor.clone(),
                variable: profile.credential_variable(&recipe.key),
                reason: format!("it {e}"),
            }
        })?;
        keys.push(crate::identity::SigningKeyOf {
            credential: recipe.key.clone(),
            key,
        });
    }
    Ok(keys)
}

/// Every credential the profile declares must be present, and those sent as header values
/// must be valid in a header: checked once here so that sending never has to fail on them.
fn check_credentials(profile: &Profile, credentials: &Credentials) -> Result<(), ConfigError> {
    let in_headers: Vec<&str> = profile
        .auth
        .schemes
        .values()
        .flat_map(|scheme| scheme.headers.values())
        .flat_map(|source| match source {
            ValueSource::Credential(name) | ValueSource::Bearer(name) => vec![name.as_str()],
            ValueSource::Template(text) => payspec_profile::template_slots(text).collect(),
            ValueSource::Basic(basic) => std::iter::once(basic.user.as_str())
                .chain(basic.password.as_deref())
                .collect(),
            _ => Vec::new(),
        })
        .collect();
    for (name, spec) in &profile.credentials {
        let variable = profile.credential_variable(name);
        let Some(value) = credentials.get(name) else {
            if spec.optional {
                continue;
            }
            return Err(ConfigError::MissingCredential {
                vendor: profile.vendor.clone(),
                variable,
            });
        };
        if in_headers.contains(&name.as_str()) && HeaderValue::from_str(value).is_err() {
            return Err(ConfigError::InvalidCredential {
                vendor: profile.vendor.clone(),
                variable,
                reason: "it is sent in a header but contains characters a header cannot carry"
                    .into(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::{Credentials, Runtime, Settings};

    /// An operation whose path has no parameter (its URL is made once).
    static FIXED: [crate::OperationMeta; 1] = [crate::OperationMeta {
        id: "cancel",
        method: "POST",
        path: "/v1/payment/cancel",
        ..crate::OperationMeta::UNSAID
    }];

    /// A runtime of the first workspace vendor with signing vectors, at `base`.
    fn runtime_at(base: &str) -> Runtime {
        let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let vendor = payspec_profile::vectors::load_workspace(manifest)
            .into_iter()
            .find(|v| !v.vectors.signatures.is_empty())
            .unwrap();
        let credentials = vendor.vectors.signatures[0]
            .credentials_of(&vendor.profile)
            .into_iter()
            .fold(Credentials::new(), |c, (k, v)| c.with(k, v));
        let settings = Settings::new().base_url(base).credentials(credentials);
        Runtime::with_profile(vendor.profile, &FIXED, settings).unwrap()
    }

    /// The path set on the parsed base gives the URL a whole parse of base and path gives
    /// (the url crate's, as the generated code did before), with or without a base path.
    #[test]
    fn an_operation_url_is_the_base_with_its_path() {
        let paths = [
            "/v1/payment/cancel",
            "/things/a%2Fb/parts",
            "/caf%C3%A9/x:y",
            "/with space",
            "/a/./b/../c",
            FIXED[0].path,
        ];
        for base in ["https://vendor.test", "http://127.0.0.1:9/api/v2/"] {
            let runtime = runtime_at(base);
            for path in paths {
                let whole = format!("{}{path}", runtime.base_url());
                assert_eq!(
                    runtime.url(runtime.base_url(), path).unwrap(),
                    reqwest::Url::parse(&whole).unwrap(),
                    "{whole}"
                );
            }
        }
        let runtime = runtime_at("https://vendor.test");
        assert_eq!(
            runtime.url("https://other.test/p", "/q").unwrap().as_str(),
            "https://other.test/p/q"
        );
        assert!(runtime.url("not a url", "/q").is_err());
    }
}
