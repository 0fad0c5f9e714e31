//! Redirects. The HTTP client never follows one: a 3xx is an error naming its status and
//! (scrubbed) target, unless vendor.yaml declares `redirects: same_origin`. Then it is
//! followed to the same origin only (scheme, host and port as the base URL), over https or
//! loopback, keeping method and body (307/308) or for reads only (301/302/303: never a
//! write turned into a GET), re-signed for the new URL by the next attempt. No credential
//! byte reaches another origin.

use payspec_profile::RedirectPolicy;
use reqwest::header::{HeaderMap, LOCATION};

use super::{CallState, Step};
use crate::client::Runtime;
use crate::endpoint::is_loopback;
use crate::error::{Error, RedirectError};

/// The most redirects one call follows (a loop ends here).
const MAX_REDIRECTS: u32 = 5;

/// A redirect answer.
pub(crate) struct Redirect {
    pub status: u16,
    pub location: Option<String>,
}

impl Redirect {
    pub(crate) fn from_headers(status: u16, headers: &HeaderMap) -> Self {
        let location = headers
            .get(LOCATION)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        Self { status, location }
    }
}

impl Runtime {
    /// Follows a redirect (the next attempt goes to the new URL) or refuses it.
    pub(super) fn follow(&self, call: &mut CallState, redirect: Redirect) -> Result<Step, Error> {
        match self.redirect_target(call, &redirect) {
            Ok(url) => {
                call.redirects += 1;
                call.attempts -= 1;
                tracing::debug!(status = redirect.status, "following a same-origin redirect");
                if let Some(pristine) = &mut call.pristine {
                    *pristine.url_mut() = url;
                }
                Ok(Step::Again)
            }
            Err(reason) => {
                let location = redirect.location.as_deref().unwrap_or_default();
                let error = RedirectError {
                    vendor: self.profile().vendor.clone(),
                    operation: call.plan.operation.id.to_owned(),
                    status: redirect.status,
                    location: self.shared.scrubber.scrub(location, &call.signatures),
                    reason,
                };
                tracing::debug!(status = redirect.status, reason = %error.reason, "redirect not followed");
                Err(Error::Redirect(Box::new(error)))
            }
        }
    }

    fn redirect_target(
        &self,
        call: &CallState,
        redirect: &Redirect,
    ) -> Result<reqwest::Url, String> {
        if self.profile().redirects != RedirectPolicy::SameOrigin {
            return Err("vendor.yaml does not declare that this vendor redirects".into());
        }
        if call.redirects >= MAX_REDIRECTS {
            return Err(format!("more than {MAX_REDIRECTS} redirects (a loop?)"));
        }
        let location = redirect
            .location
            .as_deref()
            .ok_or("it has no Location header")?;
        // Kept whenever redirects are followed (another attempt may follow any attempt).
        let pristine = call
            .pristine
            .as_ref()
            .ok_or("the request was already sent")?;
        let target = pristine
            .url()
            .join(location)
            .map_err(|_| "its Location is not a URL".to_owned())?;
        let base = self.shared.bases.of(call.plan.operation.server_group);
        if target.origin() != base.origin() {
            return Err("it points to another origin than the vendor's".into());
        }
        if target.scheme() != "https" && !is_loopback(&target) {
            return Err("it points to plain http".into());
        }
        let method = pristine.method();
        let keeps_method = matches!(redirect.status, 307 | 308);
        let read = matches!(*method, reqwest::Method::GET | reqwest::Method::HEAD);
        if !keeps_method && !read {
            return Err(format!(
                "a {} to a {method} would turn it into a GET",
                redirect.status
            ));
        }
        Ok(target)
    }
}
