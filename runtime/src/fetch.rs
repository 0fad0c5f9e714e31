//! Plain GETs through the same transport as vendor calls (per-attempt timeout, size cap, body
//! cut at the cap, no redirect followed by the HTTP client), for reading documentation pages.
//! No credential is ever sent. Redirects are followed on the same origin only.

use std::time::Duration;

use reqwest::header::LOCATION;

use crate::error::{ConfigError, Error, RedirectError, Stage, TransportError};
use crate::pipeline::transmit::{self, Limits};

/// Fetches pages.
#[derive(Debug, Clone)]
pub struct Fetcher {
    http: reqwest::Client,
    /// One page's time.
    pub timeout: Duration,
    /// One page's largest size.
    pub max_bytes: usize,
    /// The most pages an index is followed to.
    pub max_pages: usize,
}

impl Fetcher {
    /// A fetcher with these bounds.
    pub fn new(timeout: Duration, max_bytes: usize, max_pages: usize) -> Result<Self, ConfigError> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(timeout)
            .build()
            .map_err(|e| ConfigError::Http(e.to_string()))?;
        Ok(Self {
            http,
            timeout,
            max_bytes,
            max_pages,
        })
    }

    /// The page at `url`, as text.
    pub async fn get(&self, url: &str) -> Result<String, Error> {
        let mut target =
            reqwest::Url::parse(url).map_err(|e| Error::InvalidRequest(format!("{url:?}: {e}")))?;
        for _ in 0..5 {
            let request = reqwest::Request::new(reqwest::Method::GET, target.clone());
            let limits = Limits {
                success: self.max_bytes,
                error: 4096,
            };
            let reply = transmit::attempt(
                &self.http,
                request,
                transmit::Budget::from_now(self.timeout),
                limits,
            )
            .await
            .map_err(|lost| {
                Error::Transport(Box::new(TransportError {
                    vendor: "docs".into(),
                    operation: url.to_owned(),
                    stage: if lost.may_have_arrived {
                        Stage::OutcomeUnknown
                    } else {
                        Stage::NotSent
                    },
                    kind: lost.kind,
                    attempts: 1,
                    message: lost.message,
                    idempotency_key: None,
                }))
            })?;
            let status = reply.status.as_u16();
            if reply.status.is_redirection() {
                let location = reply
                    .headers
                    .get(LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default();
                let next = target
                    .join(location)
                    .ok()
                    .filter(|n| n.origin() == target.origin());
                let Some(next) = next else {
                    return Err(Error::Redirect(Box::new(RedirectError {
                        vendor: "docs".into(),
                        operation: url.to_owned(),
                        status,
                        location: location.to_owned(),
                        reason: "it points to another origin".into(),
                    })));
                };
                target = next;
                continue;
            }
            if !reply.status.is_success() {
                return Err(Error::UnexpectedResponse { status });
            }
            if reply.over_cap {
                return Err(Error::InvalidResponse {
                    status: Some(status),
                    message: format!("the page exceeds {} bytes", self.max_bytes),
                    excerpt: String::new(),
                });
            }
            return String::from_utf8(reply.body.to_vec()).map_err(|_| Error::InvalidResponse {
                status: Some(status),
                message: "the page is not UTF-8 text".into(),
                excerpt: String::new(),
            });
        }
        Err(Error::Redirect(Box::new(RedirectError {
            vendor: "docs".into(),
            operation: url.to_owned(),
            status: 0,
            location: String::new(),
            reason: "more than 5 redirects".into(),
        })))
    }
}
