//! How a client is configured: which server, which credentials, which HTTP client.

use crate::credentials::Credentials;

/// Client settings. The default is the vendor's default server, credentials from the
/// environment and a new HTTP client with conservative timeouts.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// A named server of the vendor's profile (e.g. `sandbox`), instead of its default.
    pub server: Option<String>,
    /// A base URL that replaces the server's URL whole (e.g. a local mock).
    pub base_url: Option<String>,
    /// Credentials given in code; when `None`, they are read from the environment.
    pub credentials: Option<Credentials>,
    /// An HTTP client to share; when `None`, one is built.
    pub http: Option<reqwest::Client>,
    /// The root URL of a payspec sandbox (e.g. `http://127.0.0.1:8080`): requests go to
    /// `<root>/<vendor><server path>`, and credentials missing from the environment take the
    /// sandbox's demo values. Only ever used when set explicitly.
    pub sandbox: Option<String>,
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

    /// Shares an existing HTTP client.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }
}
