//! Where requests go: the base URL from the settings (a URL given whole, a sandbox root, or a
//! named server of the profile), and the rule that plain http is for loopback only.

use payspec_profile::Profile;

use crate::error::ConfigError;
use crate::settings::Settings;

/// The base URL of a client.
pub(crate) fn base_url(
    profile: &Profile,
    settings: &Settings,
) -> Result<reqwest::Url, ConfigError> {
    let text = match (&settings.base_url, &settings.sandbox, &settings.server) {
        (Some(url), _, _) => url.clone(),
        (None, Some(root), _) => sandbox_url(profile, root),
        (None, None, server) => {
            let name = server.as_deref().unwrap_or(&profile.default_server);
            profile
                .servers
                .get(name)
                .cloned()
                .ok_or_else(|| ConfigError::UnknownServer {
                    vendor: profile.vendor.clone(),
                    server: name.to_owned(),
                    known: profile
                        .servers
                        .keys()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", "),
                })?
        }
    };
    let url = reqwest::Url::parse(text.trim_end_matches('/')).map_err(|e| {
        ConfigError::InvalidBaseUrl {
            url: text.clone(),
            reason: e.to_string(),
        }
    })?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err(ConfigError::InvalidBaseUrl {
            url: text,
            reason: "the scheme must be https (or http on loopback)".into(),
        });
    }
    if url.scheme() == "http" && !settings.allow_insecure_http && !is_loopback(&url) {
        return Err(ConfigError::InsecureUrl { url: text });
    }
    Ok(url)
}

/// `<root>/<vendor><path of the default server>`: where a payspec sandbox serves the vendor.
fn sandbox_url(profile: &Profile, root: &str) -> String {
    let server = profile
        .servers
        .get(&profile.default_server)
        .map(String::as_str)
        .unwrap_or_default();
    let path = reqwest::Url::parse(server)
        .map(|u| u.path().trim_end_matches('/').to_owned())
        .unwrap_or_default();
    format!("{}/{}{path}", root.trim_end_matches('/'), profile.vendor)
}

/// Loopback hosts, where plain HTTP cannot be intercepted off the machine.
pub(crate) fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}
