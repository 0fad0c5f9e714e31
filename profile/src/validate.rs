//! Consistency checks of a profile on its own (the code generator adds the checks that
//! need the OpenAPI document, such as operation names).

use crate::{Profile, SchemeChoice, ValueSource, escape_pointer};

/// One thing wrong with a profile, located by a JSON pointer into `vendor.yaml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where, e.g. `/auth/schemes/signed/headers/X-Sig/hmac_sha256/key`.
    pub pointer: String,
    /// What is wrong, in a sentence.
    pub message: String,
}

impl Problem {
    fn new(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            pointer: pointer.into(),
            message: message.into(),
        }
    }
}

/// A name usable as a Rust module, a CLI word and part of an environment variable.
fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

impl Profile {
    /// Every problem found, in document order; empty when the profile is consistent.
    pub fn problems(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        if !is_identifier(&self.vendor) {
            problems.push(Problem::new(
                "/vendor",
                format!(
                    "vendor name {:?} must be lower case letters, digits and '_', starting with a letter",
                    self.vendor
                ),
            ));
        }
        if self.servers.is_empty() {
            problems.push(Problem::new("/servers", "at least one server is required"));
        }
        for (name, url) in &self.servers {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                problems.push(Problem::new(
                    format!("/servers/{}", escape_pointer(name)),
                    format!("server URL {url:?} must start with https:// or http://"),
                ));
            }
        }
        if !self.servers.contains_key(&self.default_server) {
            problems.push(Problem::new(
                "/default_server",
                format!(
                    "default server {:?} is not one of the servers ({})",
                    self.default_server,
                    names(self.servers.keys())
                ),
            ));
        }
        for name in self.credentials.keys() {
            if !is_identifier(name) {
                problems.push(Problem::new(
                    format!("/credentials/{}", escape_pointer(name)),
                    format!("credential name {name:?} must be lower case letters, digits and '_'"),
                ));
            }
        }
        if !self.auth.schemes.contains_key(&self.auth.default) {
            problems.push(Problem::new(
                "/auth/default",
                format!(
                    "default scheme {:?} is not one of the schemes ({})",
                    self.auth.default,
                    names(self.auth.schemes.keys())
                ),
            ));
        }
        for (operation, choice) in &self.auth.operations {
            if let SchemeChoice::Scheme(scheme) = choice
                && !self.auth.schemes.contains_key(scheme)
            {
                problems.push(Problem::new(
                    format!("/auth/operations/{}", escape_pointer(operation)),
                    format!(
                        "scheme {scheme:?} is not one of the schemes ({}) nor \"none\"",
                        names(self.auth.schemes.keys())
                    ),
                ));
            }
        }
        for (scheme_name, scheme) in &self.auth.schemes {
            let base = format!("/auth/schemes/{}", escape_pointer(scheme_name));
            for (pointer, credential) in scheme.credential_uses() {
                if !self.credentials.contains_key(credential) {
                    problems.push(Problem::new(
                        format!("{base}{pointer}"),
                        format!(
                            "unknown credential {credential:?} (declared: {})",
                            names(self.credentials.keys())
                        ),
                    ));
                }
            }
            for (field, source) in &scheme.body {
                if matches!(source, ValueSource::HmacSha256(_)) {
                    problems.push(Problem::new(
                        format!("{base}/body/{}", escape_pointer(field)),
                        "a signature cannot go inside the body it signs: put it in a header",
                    ));
                }
            }
            for header in scheme.headers.keys() {
                if !is_header_name(header) {
                    problems.push(Problem::new(
                        format!("{base}/headers/{}", escape_pointer(header)),
                        format!("{header:?} is not a valid HTTP header name"),
                    ));
                }
            }
        }
        for (scheme_name, scheme) in &self.auth.schemes {
            let base = format!("/auth/schemes/{}", escape_pointer(scheme_name));
            for (place, values) in [("headers", &scheme.headers), ("body", &scheme.body)] {
                for (name, source) in values {
                    let pointer = format!("{base}/{place}/{}", escape_pointer(name));
                    match source {
                        ValueSource::Token(provider) if !self.tokens.contains_key(provider) => {
                            problems.push(Problem::new(
                                format!("{pointer}/token"),
                                format!(
                                    "unknown token provider {provider:?} (declared: {})",
                                    names(self.tokens.keys())
                                ),
                            ));
                        }
                        ValueSource::RefreshToken => problems.push(Problem::new(
                            pointer,
                            "refresh_token can only be sent by a token provider's refresh call",
                        )),
                        ValueSource::Token(_) if place == "body" => problems.push(Problem::new(
                            pointer,
                            "a bearer token goes in a header, not the body",
                        )),
                        _ => {}
                    }
                }
            }
        }
        for (name, provider) in &self.tokens {
            let base = format!("/tokens/{}", escape_pointer(name));
            let calls = [
                ("login", Some(&provider.login)),
                ("refresh", provider.refresh.as_ref()),
            ];
            for (call_name, call) in calls {
                let Some(call) = call else { continue };
                for (field, source) in &call.body {
                    let pointer = format!("{base}/{call_name}/body/{}", escape_pointer(field));
                    match source {
                        ValueSource::Credential(c) if !self.credentials.contains_key(c) => problems.push(Problem::new(
                            format!("{pointer}/credential"),
                            format!("unknown credential {c:?} (declared: {})", names(self.credentials.keys())),
                        )),
                        ValueSource::RefreshToken if call_name == "login" => {
                            problems.push(Problem::new(pointer, "a login cannot send a refresh token"))
                        }
                        ValueSource::HmacSha256(_) | ValueSource::Token(_) => problems.push(Problem::new(
                            pointer,
                            "a token call's body takes credentials, literals, timestamps or the refresh token",
                        )),
                        _ => {}
                    }
                }
            }
            if provider.refresh.is_some() && provider.refresh_token.is_none() {
                problems.push(Problem::new(
                    format!("{base}/refresh"),
                    "a refresh call needs `refresh_token`, the pointer to the refresh token in responses",
                ));
            }
            let pointers = [
                ("access_token", Some(&provider.access_token)),
                ("refresh_token", provider.refresh_token.as_ref()),
                ("expires_in", provider.expires_in.as_ref()),
            ];
            for (field, pointer) in pointers {
                if let Some(pointer) = pointer {
                    check_pointer(&mut problems, format!("{base}/{field}"), pointer);
                }
            }
        }
        for (name, callback) in &self.callbacks {
            if let crate::KeySource::Credential(credential) = &callback.key
                && !self.credentials.contains_key(credential)
            {
                problems.push(Problem::new(
                    format!("/callbacks/{}/key/credential", escape_pointer(name)),
                    format!(
                        "unknown credential {credential:?} (declared: {})",
                        names(self.credentials.keys())
                    ),
                ));
            }
        }
        if let Some(envelope) = &self.envelope {
            if let Some(pointer) = &envelope.payload {
                check_pointer(&mut problems, "/envelope/payload".into(), pointer);
            }
            if let Some(
                crate::SuccessRule::Equals { pointer, .. } | crate::SuccessRule::Absent { pointer },
            ) = &envelope.success
            {
                check_pointer(&mut problems, "/envelope/success".into(), pointer);
            }
        }
        for (field, pointer) in [
            ("code", &self.errors.code),
            ("message", &self.errors.message),
        ] {
            if let Some(pointer) = pointer.as_ref().filter(|p| !p.is_empty()) {
                check_pointer(&mut problems, format!("/errors/{field}"), pointer);
            }
        }
        problems
    }
}

fn check_pointer(problems: &mut Vec<Problem>, location: String, pointer: &str) {
    if !pointer.starts_with('/') {
        problems.push(Problem::new(
            location,
            format!("{pointer:?} is not a JSON pointer (it must start with '/')"),
        ));
    }
}

fn names<'a>(names: impl Iterator<Item = &'a String>) -> String {
    let list: Vec<&str> = names.map(String::as_str).collect();
    if list.is_empty() {
        "none declared".to_owned()
    } else {
        list.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(yaml_like_json: serde_json::Value) -> Profile {
        serde_json::from_value(yaml_like_json).unwrap()
    }

    fn minimal() -> serde_json::Value {
        serde_json::json!({
            "vendor": "acme",
            "title": "Acme",
            "servers": {"sandbox": "https://sandbox.acme.test"},
            "default_server": "sandbox",
            "credentials": {"api_key": {}},
            "auth": {"default": "key", "schemes": {"key": {"headers": {"x-api-key": {"credential": "api_key"}}}}}
        })
    }

    #[test]
    fn a_consistent_profile_has_no_problems() {
        assert_eq!(profile(minimal()).problems(), vec![]);
    }

    #[test]
    fn unknown_credential_in_a_signature_is_located() {
        let mut value = minimal();
        value["auth"]["schemes"]["key"]["headers"]["X-Sig"] = serde_json::json!(
            {"hmac_sha256": {"key": "secrett", "message": ["body"], "encoding": "hex_lower"}});
        let problems = profile(value).problems();
        assert_eq!(problems.len(), 1);
        assert_eq!(
            problems[0].pointer,
            "/auth/schemes/key/headers/X-Sig/hmac_sha256/key"
        );
        assert!(problems[0].message.contains("\"secrett\""), "{problems:?}");
        assert!(problems[0].message.contains("api_key"), "{problems:?}");
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let mut value = minimal();
        value["default_server"] = "production".into();
        value["auth"]["default"] = "missing".into();
        value["servers"]["sandbox"] = "ftp://x".into();
        let pointers: Vec<String> = profile(value)
            .problems()
            .into_iter()
            .map(|p| p.pointer)
            .collect();
        assert_eq!(
            pointers,
            ["/servers/sandbox", "/default_server", "/auth/default"]
        );
    }

    #[test]
    fn credential_variable_is_upper_case_with_prefix() {
        assert_eq!(
            credential_variable_for("paywall", "apikeypublic"),
            "PAYSPEC_PAYWALL_APIKEYPUBLIC"
        );
        assert_eq!(
            credential_variable_for("rio", "api_key"),
            "PAYSPEC_RIO_API_KEY"
        );
    }

    fn credential_variable_for(vendor: &str, name: &str) -> String {
        crate::credential_variable(vendor, name)
    }

    #[test]
    fn none_is_a_scheme_choice() {
        let choice: SchemeChoice = serde_json::from_value("none".into()).unwrap();
        assert_eq!(choice, SchemeChoice::None);
        let choice: SchemeChoice = serde_json::from_value("private".into()).unwrap();
        assert_eq!(choice, SchemeChoice::Scheme("private".into()));
    }
}
