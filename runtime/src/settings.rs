//! How a client is configured: which server, which credentials, which HTTP client, and how
//! patient it is (timeouts, retries).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::credentials::Credentials;
use crate::error::ConfigError;

/// A change to the HTTP client the runtime builds (a proxy, TLS roots, a user agent…). The
/// runtime applies its own safety settings after it: redirects are never followed by the HTTP
/// client (the runtime decides, see vendor.yaml's `redirects`).
pub type HttpConfig = Arc<dyn Fn(reqwest::ClientBuilder) -> reqwest::ClientBuilder + Send + Sync>;

/// Client settings. The default is the vendor's default server, credentials from the
/// environment and a new HTTP client with conservative timeouts.
#[derive(Clone)]
pub struct Settings {
    /// A named server of the vendor's profile (e.g. `sandbox`), instead of its default.
    pub server: Option<String>,
    /// A base URL that replaces the server's URL whole (e.g. a local mock).
    pub base_url: Option<String>,
    /// Base URLs of vendor.yaml's server groups (Paywall's `private` API), replacing the
    /// group's URL whole; a group not named here follows `server` (or the sandbox).
    pub group_base_urls: std::collections::BTreeMap<String, String>,
    /// Credentials given in code; when `None`, they are read from the environment.
    pub credentials: Option<Credentials>,
    /// Changes to the HTTP client the runtime builds.
    pub http: Option<HttpConfig>,
    /// Headers sent with every request (a correlation id, a fault for the sandbox…). They are
    /// public: never put a secret here.
    pub extra_headers: reqwest::header::HeaderMap,
    /// The root URL of a payspec sandbox (e.g. `http://127.0.0.1:8080`): requests go to
    /// `<root>/<vendor><server path>`, and credentials missing from the environment take the
    /// sandbox's demo values. Only ever used when set explicitly.
    pub sandbox: Option<String>,
    /// When and how often a failed attempt is retried.
    pub retry: RetryPolicy,
    /// How long to wait.
    pub timeouts: Timeouts,
    /// Allows plain `http://` to a host other than loopback (never needed in production).
    pub allow_insecure_http: bool,
    /// The largest response body read; a larger one is an error.
    pub max_response_bytes: usize,
    /// Values of the variables in the vendor's server URLs (`{site}` in
    /// `https://{site}.acme.example`), by name.
    pub server_vars: std::collections::BTreeMap<String, String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            server: None,
            base_url: None,
            group_base_urls: std::collections::BTreeMap::new(),
            server_vars: std::collections::BTreeMap::new(),
            credentials: None,
            http: None,
            extra_headers: reqwest::header::HeaderMap::new(),
            sandbox: None,
            retry: RetryPolicy::default(),
            timeouts: Timeouts::default(),
            allow_insecure_http: false,
            max_response_bytes: 16 * 1024 * 1024,
        }
    }
}

/// Retries of operations that may be repeated (by default GET, HEAD, PUT, DELETE and OPTIONS;
/// vendor.yaml's `retry:` decides per operation) after a connection failure or a 429, 502, 503
/// or 504. A POST is never retried unless vendor.yaml says so. Each retry is signed afresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 disables retries).
    pub max_attempts: u32,
    /// The wait before the first retry; doubled each time, with jitter.
    pub initial_backoff: Duration,
    /// The longest wait between attempts (a longer `Retry-After` gives up instead).
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// No retries.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }
}

/// Timeouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Establishing a connection.
    pub connect: Duration,
    /// One attempt, from sending to the whole response read.
    pub attempt: Duration,
    /// The whole call, retries and their waits included.
    pub call: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(10),
            attempt: Duration::from_secs(30),
            call: Duration::from_secs(60),
        }
    }
}

impl Settings {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Uses the named server of the profile.
    pub fn server(mut self, name: impl Into<String>) -> Self {
        self.server = Some(name.into());
        self
    }

    /// Replaces the server's URL whole.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Sends the operations of server group `group` (vendor.yaml `server_groups`) to this base
    /// URL.
    pub fn group_base_url(mut self, group: impl Into<String>, url: impl Into<String>) -> Self {
        self.group_base_urls.insert(group.into(), url.into());
        self
    }

    /// The value of a variable of the vendor's server URLs (`site` for
    /// `https://{site}.acme.example`).
    pub fn server_var(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.server_vars.insert(name.into(), value.into());
        self
    }

    /// Fills what the caller left unset from the vendor's environment variables:
    /// `PAYSPEC_<VENDOR>_SERVER` (a server name), `PAYSPEC_<VENDOR>_BASE_URL` and
    /// `PAYSPEC_<VENDOR>_<GROUP>_BASE_URL`, `PAYSPEC_<VENDOR>_TIMEOUT_SECONDS` (the whole call),
    /// `PAYSPEC_<VENDOR>_ATTEMPT_TIMEOUT_SECONDS` and `PAYSPEC_<VENDOR>_MAX_ATTEMPTS`. Settings
    /// given in code (a value other than the default) win; a value that is not a number in
    /// range is an error naming the variable.
    pub fn with_env(mut self, profile: &payspec_profile::Profile) -> Result<Self, ConfigError> {
        let read = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let vendor = profile.vendor.to_ascii_uppercase();
        if self.server.is_none() && self.base_url.is_none() && self.sandbox.is_none() {
            self.server = read(&format!("PAYSPEC_{vendor}_SERVER"));
            self.base_url = read(&profile.base_url_variable(None));
        }
        for variable in crate::endpoint::server_variables(profile) {
            if !self.server_vars.contains_key(&variable)
                && let Some(value) = read(&profile.server_variable_name(&variable))
            {
                self.server_vars.insert(variable, value);
            }
        }
        for group in profile.server_groups.keys() {
            if !self.group_base_urls.contains_key(group)
                && let Some(url) = read(&profile.base_url_variable(Some(group)))
            {
                self.group_base_urls.insert(group.clone(), url);
            }
        }
        let number = |suffix: &str| -> Result<Option<f64>, ConfigError> {
            let variable = format!("PAYSPEC_{vendor}_{suffix}");
            let Some(text) = read(&variable) else {
                return Ok(None);
            };
            match text.trim().parse::<f64>() {
                Ok(value) if value.is_finite() && value > 0.0 && value <= 86_400.0 => {
                    Ok(Some(value))
                }
                _ => Err(ConfigError::InvalidSetting {
                    vendor: profile.vendor.clone(),
                    variable,
                    reason: format!("{text:?} is not a positive number up to 86400"),
                }),
            }
        };
        let defaults = (Timeouts::default(), RetryPolicy::default());
        if let Some(seconds) =
            number("TIMEOUT_SECONDS")?.filter(|_| self.timeouts.call == defaults.0.call)
        {
            self.timeouts.call = Duration::from_secs_f64(seconds);
        }
        if let Some(seconds) = number("ATTEMPT_TIMEOUT_SECONDS")?
            .filter(|_| self.timeouts.attempt == defaults.0.attempt)
        {
            self.timeouts.attempt = Duration::from_secs_f64(seconds);
        }
        if let Some(attempts) =
            number("MAX_ATTEMPTS")?.filter(|_| self.retry.max_attempts == defaults.1.max_attempts)
        {
            if attempts.fract() != 0.0 || attempts > 100.0 {
                return Err(ConfigError::InvalidSetting {
                    vendor: profile.vendor.clone(),
                    variable: format!("PAYSPEC_{vendor}_MAX_ATTEMPTS"),
                    reason: format!("{attempts} is not a whole number of attempts from 1 to 100"),
                });
            }
            self.retry.max_attempts = attempts as u32;
        }
        Ok(self)
    }

    /// Uses these credentials instead of the environment.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Talks to a payspec sandbox at this root URL, with demo credentials as fallback.
    pub fn sandbox(mut self, root: impl Into<String>) -> Self {
        self.sandbox = Some(root.into());
        self
    }

    /// Sets the retry policy.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Sets the timeouts.
    pub fn timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// Allows plain `http://` to hosts other than loopback.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Sets the largest response body read.
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// Changes the HTTP client the runtime builds (proxy, TLS roots…); redirects stay off.
    pub fn configure_http(
        mut self,
        configure: impl Fn(reqwest::ClientBuilder) -> reqwest::ClientBuilder + Send + Sync + 'static,
    ) -> Self {
        self.http = Some(Arc::new(configure));
        self
    }

    /// Sends this (public) header with every request.
    pub fn header(
        mut self,
        name: reqwest::header::HeaderName,
        value: reqwest::header::HeaderValue,
    ) -> Self {
        self.extra_headers.insert(name, value);
        self
    }
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("server", &self.server)
            .field("base_url", &self.base_url)
            .field("credentials", &self.credentials)
            .field("http", &self.http.as_ref().map(|_| "configured"))
            .field(
                "extra_headers",
                &self.extra_headers.keys().collect::<Vec<_>>(),
            )
            .field("sandbox", &self.sandbox)
            .field("retry", &self.retry)
            .field("timeouts", &self.timeouts)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("max_response_bytes", &self.max_response_bytes)
            .finish()
    }
}
