//! Credentials: secrets held as `secrecy` values, read from `PAYSPEC_<VENDOR>_<NAME>` or
//! passed in code. Their `Debug` output never shows a value.

use std::collections::BTreeMap;
use std::fmt;

use payspec_profile::Profile;
use secrecy::{ExposeSecret, SecretString};

use crate::error::ConfigError;

/// A vendor's credentials by name (the names of `vendor.yaml`'s `credentials`).
#[derive(Clone, Default)]
pub struct Credentials {
    values: BTreeMap<String, SecretString>,
}

impl Credentials {
    /// No credentials yet; add them with [`Credentials::with`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) a credential.
    pub fn with(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.values
            .insert(name.into(), SecretString::from(value.into()));
        self
    }

    /// Reads every credential the profile declares from its environment variable.
    ///
    /// A variable that is unset, empty or not UTF-8 is an error that names it.
    pub fn from_env(profile: &Profile) -> Result<Self, ConfigError> {
        let mut credentials = Self::new();
        for (name, spec) in &profile.credentials {
            let variable = profile.credential_variable(name);
            match std::env::var(&variable) {
                Ok(value) if !value.is_empty() => {
                    credentials = credentials.with(name.clone(), value)
                }
                Ok(_) | Err(std::env::VarError::NotPresent) if spec.optional => {}
                Ok(_) | Err(std::env::VarError::NotPresent) => {
                    return Err(ConfigError::MissingCredential {
                        vendor: profile.vendor.clone(),
                        variable,
                    });
                }
                Err(std::env::VarError::NotUnicode(_)) => {
                    return Err(ConfigError::InvalidCredential {
                        vendor: profile.vendor.clone(),
                        variable,
                        reason: "its value is not UTF-8".into(),
                    });
                }
            }
        }
        Ok(credentials)
    }

    /// Reads the credentials that are set in the environment, leaving out the others (a tool
    /// that needs only some of them, such as `payspec webhook verify`, says which is missing
    /// when it needs it).
    pub fn from_env_or_none(profile: &Profile) -> Self {
        let mut credentials = Self::new();
        for name in profile.credentials.keys() {
            if let Ok(value) = std::env::var(profile.credential_variable(name))
                && !value.is_empty()
            {
                credentials = credentials.with(name.clone(), value);
            }
        }
        credentials
    }

    /// Reads credentials from the environment, taking the sandbox's demo value for any that is
    /// unset. For the sandbox only.
    pub fn from_env_or_demo(profile: &Profile) -> Self {
        let mut credentials = Self::new();
        for name in profile.credentials.keys() {
            let value = std::env::var(profile.credential_variable(name))
                .ok()
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| profile.demo_credential(name));
            credentials = credentials.with(name.clone(), value);
        }
        credentials
    }

    /// The sandbox's demo value of every credential, whatever the environment holds (`payspec
    /// demo`, which must not depend on the caller's shell).
    pub fn demo(profile: &Profile) -> Self {
        profile
            .credentials
            .keys()
            .fold(Self::new(), |credentials, name| {
                credentials.with(name.clone(), profile.demo_credential(name))
            })
    }

    /// The credential's value, if present.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(|v| v.expose_secret())
    }

    /// Every non-empty value, so that the scrubber knows them.
    pub(crate) fn values(&self) -> impl Iterator<Item = &str> {
        self.values
            .values()
            .map(|v| v.expose_secret())
            .filter(|v| !v.is_empty())
    }
}

pub use payspec_profile::demo_credential;

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for name in self.values.keys() {
            map.entry(name, &"[redacted]");
        }
        map.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_names_not_values() {
        let credentials = Credentials::new()
            .with("secret", "hunter2-value")
            .with("login", "merchant-login");
        let text = format!("{credentials:?}");
        assert!(text.contains("secret") && text.contains("login"), "{text}");
        assert!(
            !text.contains("hunter2-value") && !text.contains("merchant-login"),
            "{text}"
        );
    }
}
