//! Where requests go: the base URL from the settings (a URL given whole, a sandbox root, or a
//! named server of the profile), and the rule that plain http is for loopback only.

use std::collections::BTreeMap;

use payspec_profile::Profile;

use crate::error::ConfigError;
use crate::settings::Settings;

/// Where a client's requests go: the vendor's base URL and each server group's.
#[derive(Debug, Clone)]
pub(crate) struct Bases {
    /// The vendor's own servers.
    pub default: reqwest::Url,
    /// vendor.yaml's server groups, by name.
    pub groups: BTreeMap<String, reqwest::Url>,
    /// The groups left on the vendor's own hosts although the caller gave the vendor's base
    /// URL (a mock, a proxy): their operations are refused, naming how to route them.
    pub unrouted: std::collections::BTreeSet<String>,
}

impl Bases {
    /// The base URL of an operation's group (the vendor's when it has none).
    pub fn of(&self, group: Option<&str>) -> &reqwest::Url {
        group
            .and_then(|g| self.groups.get(g))
            .unwrap_or(&self.default)
    }
}

/// The base URLs of a client: the vendor's and every server group's.
pub(crate) fn bases(profile: &Profile, settings: &Settings) -> Result<Bases, ConfigError> {
    let default = base_url(profile, settings, None)?;
    let mut groups = BTreeMap::new();
    let mut unrouted = std::collections::BTreeSet::new();
    for group in profile.server_groups.keys() {
        groups.insert(group.clone(), base_url(profile, settings, Some(group))?);
        if settings.base_url.is_some() && !settings.group_base_urls.contains_key(group) {
            unrouted.insert(group.clone());
        }
    }
    for group in settings.group_base_urls.keys() {
        if !profile.server_groups.contains_key(group) {
            return Err(ConfigError::UnknownServer {
                vendor: profile.vendor.clone(),
                server: format!("group {group}"),
                known: profile
                    .server_groups
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
    }
    Ok(Bases {
        default,
        groups,
        unrouted,
    })
}

/// The base URL of `group` (the vendor's own when `None`).
fn base_url(
    profile: &Profile,
    settings: &Settings,
    group: Option<&str>,
) -> Result<reqwest::Url, ConfigError> {
    let given = match group {
        None => settings.base_url.clone(),
        Some(group) => settings.group_base_urls.get(group).cloned(),
    };
    let text = match (given, &settings.sandbox) {
        (Some(url), _) => url,
        (None, Some(root)) => sandbox_url(profile, root, group),
        (None, None) => {
            let name = settings
                .server
                .as_deref()
                .unwrap_or(&profile.default_server);
            let url =
                profile
                    .server_url(group, name)
                    .ok_or_else(|| ConfigError::UnknownServer {
                        vendor: profile.vendor.clone(),
                        server: match group {
                            Some(group) => format!("{name} (of group {group})"),
                            None => name.to_owned(),
                        },
                        known: profile
                            .servers
                            .keys()
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(", "),
                    })?;
            with_variables(url, profile, settings)?
        }
    };
    checked(text, settings)
}

/// The names of the variables in the profile's server URLs, declared or not.
pub(crate) fn server_variables(profile: &Profile) -> std::collections::BTreeSet<String> {
    let urls = profile.servers.values().chain(
        profile
            .server_groups
            .values()
            .flat_map(|group| group.servers.values()),
    );
    let mut names: std::collections::BTreeSet<String> =
        profile.server_variables.keys().cloned().collect();
    for url in urls {
        names.extend(payspec_profile::template_slots(url).map(str::to_owned));
    }
    names
}

/// A server URL with its `{variable}`s filled: from the settings, else vendor.yaml's default.
/// A value may only hold characters that stay inside one URL component (letters, digits,
/// `-._~`), so that no value can move the request to another host or path.
fn with_variables(
    url: &str,
    profile: &Profile,
    settings: &Settings,
) -> Result<String, ConfigError> {
    let mut filled = url.to_owned();
    for name in payspec_profile::template_slots(url) {
        let variable = profile.server_variable_name(name);
        let value = settings
            .server_vars
            .get(name)
            .cloned()
            .or_else(|| profile.server_variables.get(name)?.default.clone())
            .ok_or_else(|| ConfigError::InvalidSetting {
                vendor: profile.vendor.clone(),
                variable: variable.clone(),
                reason: format!(
                    "the server URL {url:?} needs {{{name}}}: set it (Settings::server_var, --server-var {name}=VALUE)"
                ),
            })?;
        let safe = !value.is_empty()
            && value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c));
        if !safe {
            return Err(ConfigError::InvalidSetting {
                vendor: profile.vendor.clone(),
                variable,
                reason: format!(
                    "{value:?} for {{{name}}}: only letters, digits and -._~ may fill a server URL"
                ),
            });
        }
        filled = filled.replace(&format!("{{{name}}}"), &value);
    }
    Ok(filled)
}

/// A base URL parsed, https (or http on loopback) only.
fn checked(text: String, settings: &Settings) -> Result<reqwest::Url, ConfigError> {
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

/// `<root>/<vendor><path of the group's default server>`: where a payspec sandbox serves the
/// vendor's operations of that group.
fn sandbox_url(profile: &Profile, root: &str, group: Option<&str>) -> String {
    let server = profile
        .server_url(group, &profile.default_server)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn profile() -> Profile {
        serde_json::from_str(
            r#"{"vendor": "acme", "title": "Acme",
                "servers": {"live": "https://{site}.acme.test/{version}"},
                "server_variables": {"version": {"default": "v2"}},
                "default_server": "live", "credentials": {},
                "auth": {"default": "none", "schemes": {}}}"#,
        )
        .unwrap()
    }

    #[test]
    fn server_variables_come_from_the_settings_then_the_default() {
        let settings = Settings::default().server_var("site", "eu-1");
        let found = bases(&profile(), &settings).unwrap();
        assert_eq!(found.default.as_str(), "https://eu-1.acme.test/v2");
        let settings = settings.server_var("version", "v3");
        let found = bases(&profile(), &settings).unwrap();
        assert_eq!(found.default.as_str(), "https://eu-1.acme.test/v3");
        assert_eq!(
            server_variables(&profile()).into_iter().collect::<Vec<_>>(),
            ["site", "version"]
        );
    }

    #[test]
    fn a_missing_or_unsafe_server_variable_is_an_error_naming_its_variable() {
        let missing = bases(&profile(), &Settings::default())
            .unwrap_err()
            .to_string();
        assert!(missing.contains("PAYSPEC_ACME_SITE"), "{missing}");
        assert!(missing.contains("--server-var site=VALUE"), "{missing}");
        for value in ["evil.test/x", "a@b", "", "a b", "x?y"] {
            let settings = Settings::default().server_var("site", value);
            let error = bases(&profile(), &settings).unwrap_err().to_string();
            assert!(error.contains("PAYSPEC_ACME_SITE"), "{value:?}: {error}");
        }
    }
}
