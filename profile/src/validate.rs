//! Consistency checks of a profile on its own (the code generator adds the checks that
//! need the OpenAPI document, such as operation names). Each section of vendor.yaml has its
//! own check; every problem is located by a JSON pointer into the file.

use std::collections::BTreeSet;

use crate::cancel::REFERENCE_PARTS;
use crate::pointer::escape;
use crate::template::{Template, templates_in};
use crate::{KeySource, Profile, Scheme, SchemeChoice, SuccessRule, TokenProvider, ValueSource};

/// One thing wrong with a profile, located by a JSON pointer into `vendor.yaml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where, e.g. `/auth/schemes/signed/headers/X-Sig/hmac_sha256/key`.
    pub pointer: String,
    /// What is wrong, in a sentence.
    pub message: String,
}

impl Problem {
    pub(crate) fn new(pointer: impl Into<String>, message: impl Into<String>) -> Self {
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

pub(crate) fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

impl Profile {
    /// Every problem found, in document order; empty when the profile is consistent.
    pub fn problems(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        self.check_identity(&mut problems);
        self.check_auth(&mut problems);
        for (name, provider) in &self.tokens {
            self.check_token_provider(name, provider, &mut problems);
        }
        self.check_callbacks(&mut problems);
        self.check_pointers(&mut problems);
        self.check_templates(&mut problems);
        if let Some(idempotency) = &self.idempotency {
            idempotency.problems(&mut problems);
        }
        for (name, recipe) in &self.pagination {
            recipe.problems(&format!("/pagination/{}", escape(name)), &mut problems);
        }
        problems
    }

    fn check_identity(&self, problems: &mut Vec<Problem>) {
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
                    format!("/servers/{}", escape(name)),
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
        for (i, name) in self.production.iter().enumerate() {
            if !self.servers.contains_key(name) {
                problems.push(Problem::new(
                    format!("/production/{i}"),
                    format!(
                        "production server {name:?} is not one of the servers ({})",
                        names(self.servers.keys())
                    ),
                ));
            }
        }
        self.check_server_groups(problems);
        for name in self.credentials.keys() {
            if !is_identifier(name) {
                problems.push(Problem::new(
                    format!("/credentials/{}", escape(name)),
                    format!("credential name {name:?} must be lower case letters, digits and '_'"),
                ));
            }
        }
    }

    fn check_server_groups(&self, problems: &mut Vec<Problem>) {
        for (group, spec) in &self.server_groups {
            let at = format!("/server_groups/{}", escape(group));
            if !is_identifier(group) {
                problems.push(Problem::new(
                    at.clone(),
                    format!("group name {group:?} must be lower case letters, digits and '_'"),
                ));
            }
            for (environment, url) in &spec.servers {
                let at = format!("{at}/servers/{}", escape(environment));
                if !self.servers.contains_key(environment) {
                    problems.push(Problem::new(
                        at.clone(),
                        format!(
                            "{environment:?} is not one of the vendor's servers ({})",
                            names(self.servers.keys())
                        ),
                    ));
                }
                if !(url.starts_with("https://") || url.starts_with("http://")) {
                    problems.push(Problem::new(
                        at,
                        format!("server URL {url:?} must start with https:// or http://"),
                    ));
                }
            }
            if !spec.servers.contains_key(&self.default_server) {
                problems.push(Problem::new(
                    format!("{at}/servers"),
                    format!(
                        "the group has no URL for the default server {:?}",
                        self.default_server
                    ),
                ));
            }
        }
    }

    fn check_auth(&self, problems: &mut Vec<Problem>) {
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
                    format!("/auth/operations/{}", escape(operation)),
                    format!(
                        "scheme {scheme:?} is not one of the schemes ({}) nor \"none\"",
                        names(self.auth.schemes.keys())
                    ),
                ));
            }
        }
        for (name, scheme) in &self.auth.schemes {
            self.check_scheme(&format!("/auth/schemes/{}", escape(name)), scheme, problems);
        }
    }

    fn check_scheme(&self, base: &str, scheme: &Scheme, problems: &mut Vec<Problem>) {
        for (pointer, credential) in scheme.credential_uses() {
            self.check_credential(&format!("{base}{pointer}"), credential, problems);
        }
        for header in scheme.headers.keys() {
            if !is_header_name(header) {
                problems.push(Problem::new(
                    format!("{base}/headers/{}", escape(header)),
                    format!("{header:?} is not a valid HTTP header name"),
                ));
            }
        }
        for (place, values) in [("headers", &scheme.headers), ("body", &scheme.body)] {
            for (name, source) in values {
                let pointer = format!("{base}/{place}/{}", escape(name));
                let message = match source {
                    ValueSource::Token(provider) if !self.tokens.contains_key(provider) => {
                        problems.push(Problem::new(
                            format!("{pointer}/token"),
                            format!(
                                "unknown token provider {provider:?} (declared: {})",
                                names(self.tokens.keys())
                            ),
                        ));
                        continue;
                    }
                    ValueSource::RefreshToken => {
                        "refresh_token can only be sent by a token provider's refresh call"
                    }
                    ValueSource::Token(_) if place == "body" => {
                        "a bearer token goes in a header, not the body"
                    }
                    ValueSource::HmacSha256(_) | ValueSource::Jwt(_) if place == "body" => {
                        "a signature cannot go inside the body it signs: put it in a header"
                    }
                    ValueSource::Jwt(jwt) if jwt.claims.is_empty() => {
                        "a JWT needs claims that bind it to the request (e.g. method, path, body_sha256, iat, exp)"
                    }
                    _ => continue,
                };
                problems.push(Problem::new(pointer, message));
            }
        }
    }

    fn check_token_provider(
        &self,
        name: &str,
        provider: &TokenProvider,
        problems: &mut Vec<Problem>,
    ) {
        let base = format!("/tokens/{}", escape(name));
        let calls = [
            ("login", Some(&provider.login)),
            ("refresh", provider.refresh.as_ref()),
        ];
        for (call_name, call) in calls {
            let Some(call) = call else { continue };
            let at = format!("{base}/{call_name}");
            match (call.operation.is_empty(), &call.path) {
                (true, None) => problems.push(Problem::new(
                    at.clone(),
                    "a token call needs an `operation` of the spec or a `path` outside it",
                )),
                (false, Some(_)) => problems.push(Problem::new(
                    at.clone(),
                    "a token call names an `operation` or a `path`, not both",
                )),
                (true, Some(path)) if !path.starts_with('/') => problems.push(Problem::new(
                    format!("{at}/path"),
                    format!("path {path:?} must start with /"),
                )),
                _ => {}
            }
            for (header, source) in &call.headers {
                if let ValueSource::Basic(basic) = source {
                    let pointer = format!("{at}/headers/{}/basic", escape(header));
                    self.check_credential(&format!("{pointer}/user"), &basic.user, problems);
                    if let Some(password) = &basic.password {
                        self.check_credential(&format!("{pointer}/password"), password, problems);
                    }
                }
            }
            for (field, source) in &call.body {
                let pointer = format!("{base}/{call_name}/body/{}", escape(field));
                match source {
                    ValueSource::Credential(c) => {
                        self.check_credential(&format!("{pointer}/credential"), c, problems)
                    }
                    ValueSource::RefreshToken if call_name == "login" => {
                        problems.push(Problem::new(pointer, "a login cannot send a refresh token"))
                    }
                    ValueSource::HmacSha256(_) | ValueSource::Jwt(_) | ValueSource::Token(_) => problems.push(Problem::new(
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
                check_pointer(problems, format!("{base}/{field}"), pointer);
            }
        }
    }

    fn check_callbacks(&self, problems: &mut Vec<Problem>) {
        for (name, callback) in &self.callbacks {
            if let KeySource::Credential(credential) = &callback.key {
                let at = format!("/callbacks/{}/key/credential", escape(name));
                self.check_credential(&at, credential, problems);
            }
            for (i, part) in callback.message.iter().enumerate() {
                if let crate::callback::CallbackPart::Credential(credential) = part {
                    let at = format!("/callbacks/{}/message/{i}/credential", escape(name));
                    self.check_credential(&at, credential, problems);
                }
            }
            check_signature_place(&format!("/callbacks/{}", escape(name)), callback, problems);
        }
        for (i, webhook) in self.sandbox.webhooks.iter().enumerate() {
            if !self.callbacks.contains_key(&webhook.callback) {
                problems.push(Problem::new(
                    format!("/sandbox/webhooks/{i}/callback"),
                    format!(
                        "{:?} is not one of the callbacks ({})",
                        webhook.callback,
                        names(self.callbacks.keys())
                    ),
                ));
            }
        }
    }

    fn check_credential(&self, at: &str, credential: &str, problems: &mut Vec<Problem>) {
        if !self.credentials.contains_key(credential) {
            problems.push(Problem::new(
                at,
                format!(
                    "unknown credential {credential:?} (declared: {})",
                    names(self.credentials.keys())
                ),
            ));
        }
    }

    fn check_pointers(&self, problems: &mut Vec<Problem>) {
        if let Some(envelope) = &self.envelope {
            if let Some(pointer) = &envelope.payload {
                check_pointer(problems, "/envelope/payload".into(), pointer);
            }
            if let Some(rule) = &envelope.success {
                let at = match rule {
                    SuccessRule::Equals { .. } => "/envelope/success/equals/pointer",
                    SuccessRule::Absent { .. } => "/envelope/success/absent/pointer",
                };
                check_pointer(problems, at.into(), rule.pointer());
            }
        }
        for (field, pointer) in [
            ("code", &self.errors.code),
            ("message", &self.errors.message),
        ] {
            if let Some(pointer) = pointer.as_ref().filter(|p| !p.is_empty()) {
                check_pointer(problems, format!("/errors/{field}"), pointer);
            }
        }
        for (name, resource) in &self.sandbox.resources {
            for (operation, pointer) in &resource.record_at {
                let at = format!("/sandbox/resources/{name}/record_at/{operation}");
                if !resource.operations.contains_key(operation) {
                    problems.push(Problem::new(
                        at.clone(),
                        format!(
                            "{operation:?} is not one of the resource's operations ({})",
                            names(resource.operations.keys())
                        ),
                    ));
                }
                check_pointer(problems, at, pointer);
            }
        }
        if let Some(cancel) = &self.cancel {
            if let Some(status) = &cancel.status {
                check_pointer(problems, "/cancel/status".into(), status);
            }
            if let Some(read) = &cancel.reconcile {
                check_pointer(problems, "/cancel/reconcile/status".into(), &read.status);
            }
        }
    }

    /// Cancel templates may name the parts of a reference; demo templates the steps before.
    fn check_templates(&self, problems: &mut Vec<Problem>) {
        if let Some(cancel) = &self.cancel {
            let known: BTreeSet<String> = REFERENCE_PARTS.iter().map(|p| (*p).to_owned()).collect();
            check_call_templates(
                "/cancel",
                &cancel.args,
                cancel.body.as_ref(),
                &known,
                problems,
            );
            if let Some(read) = &cancel.reconcile {
                let at = "/cancel/reconcile";
                check_call_templates(at, &read.args, read.body.as_ref(), &known, problems);
            }
        }
        let mut steps = BTreeSet::new();
        for (i, step) in self.sandbox.demo.iter().enumerate() {
            let at = format!("/sandbox/demo/{i}");
            check_call_templates(&at, &step.args, step.body.as_ref(), &steps, problems);
            if let Some(before) = &step.before {
                let id = serde_json::Value::String(before.id.clone());
                check_templates_in(&format!("{at}/before/id"), &id, &steps, problems);
            }
            if let Some(name) = &step.name {
                steps.insert(name.clone());
            }
        }
    }
}

fn check_call_templates(
    base: &str,
    args: &std::collections::BTreeMap<String, String>,
    body: Option<&serde_json::Value>,
    known: &BTreeSet<String>,
    problems: &mut Vec<Problem>,
) {
    for (name, text) in args {
        let at = format!("{base}/args/{}", escape(name));
        check_templates_in(
            &at,
            &serde_json::Value::String(text.clone()),
            known,
            problems,
        );
    }
    if let Some(body) = body {
        check_templates_in(&format!("{base}/body"), body, known, problems);
    }
}

fn check_templates_in(
    base: &str,
    value: &serde_json::Value,
    known: &BTreeSet<String>,
    problems: &mut Vec<Problem>,
) {
    for (at, parsed) in templates_in(value) {
        let at = format!("{base}{at}");
        match parsed {
            Err(e) => problems.push(Problem::new(at, e.to_string())),
            Ok(template) => unknown_slots(&template, known)
                .into_iter()
                .for_each(|name| {
                    problems.push(Problem::new(
                        at.clone(),
                        format!(
                            "{{{{{name}}}}} names nothing (known here: {})",
                            names(known.iter())
                        ),
                    ))
                }),
        }
    }
}

fn unknown_slots(template: &Template, known: &BTreeSet<String>) -> Vec<String> {
    template
        .slots()
        .filter(|slot| !known.contains(&slot.name))
        .map(|slot| slot.name.clone())
        .collect()
}

fn check_pointer(problems: &mut Vec<Problem>, location: String, pointer: &str) {
    if !crate::pointer::is_pointer(pointer) {
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

/// A callback is signed either in a payload field or in a header, and the parts of its
/// message and its digest must be ones that place can carry.
fn check_signature_place(at: &str, callback: &crate::Callback, problems: &mut Vec<Problem>) {
    use crate::callback::{CallbackPart, Digest};
    let in_header = callback.header.is_some();
    if in_header != callback.field.is_empty() {
        problems.push(Problem::new(
            at,
            "give exactly one of `field` (the payload field carrying the digest) or `header` (the header carrying the signature)",
        ));
        return;
    }
    let delivery_part = callback.message.iter().find(|part| {
        matches!(
            part,
            CallbackPart::Body
                | CallbackPart::Timestamp
                | CallbackPart::Id
                | CallbackPart::Url
                | CallbackPart::Pointer(_)
                | CallbackPart::BodyCrc32
                | CallbackPart::Credential(_)
        )
    });
    let per_item = callback.items.is_some();
    let delivery_part =
        delivery_part.filter(|part| !(per_item && matches!(part, CallbackPart::Pointer(_))));
    if per_item && !callback.field.starts_with('/') {
        problems.push(Problem::new(
            format!("{at}/field"),
            "with `items`, the signature's field is a JSON pointer inside each item (e.g. /additionalData/hmacSignature)",
        ));
    }
    if let (false, Some(part)) = (in_header, delivery_part) {
        problems.push(Problem::new(
            format!("{at}/message"),
            format!("{part:?} is part of a delivery signed in a header: declare `header`"),
        ));
    }
    if !in_header && callback.digest.is_public_key() {
        problems.push(Problem::new(
            format!("{at}/digest"),
            "a public-key signature (Ed25519, RSA) is carried in a header: declare `header`",
        ));
    }
    let pem = callback.key_encoding == crate::webhook::KeyEncoding::Pem;
    if pem != (callback.digest == Digest::RsaSha256) {
        problems.push(Problem::new(
            format!("{at}/key_encoding"),
            "an RSA signature is verified with a certificate (`key_encoding: pem`), and only it",
        ));
    }
    if let Some(header) = &callback.header {
        let id_part = callback.message.contains(&CallbackPart::Id);
        if id_part && header.id_header.is_none() {
            problems.push(Problem::new(
                format!("{at}/header/id_header"),
                "the message signs the delivery id: name the header that carries it",
            ));
        }
        if !is_header_name(&header.name) {
            problems.push(Problem::new(
                format!("{at}/header/name"),
                format!("{:?} is not a header name", header.name),
            ));
        }
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
    fn a_production_server_must_be_one_of_the_servers() {
        let mut value = minimal();
        value["production"] = serde_json::json!(["sandbox", "live"]);
        let problems = profile(value).problems();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].pointer, "/production/1");
        assert!(problems[0].message.contains("\"live\""), "{problems:?}");
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
    fn template_typos_are_located() {
        let mut value = minimal();
        value["cancel"] = serde_json::json!({
            "operation": "cancel_it", "args": {"id": "{{idd}}"}, "body": {"n": "{{id|numbr}}"}
        });
        value["sandbox"] = serde_json::json!({"demo": [
            {"operation": "a", "args": {"x": "{{later/id}}"}},
            {"name": "later", "operation": "b"},
            {"operation": "c", "body": {"id": "{{later/id|number}}"}}
        ]});
        let problems = profile(value).problems();
        let pointers: Vec<&str> = problems.iter().map(|p| p.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/cancel/args/id",
                "/cancel/body/n",
                "/sandbox/demo/0/args/x"
            ],
            "{problems:?}"
        );
        assert!(
            problems[0]
                .message
                .contains("{{idd}} names nothing (known here: date, external_id, id)")
        );
        assert!(problems[1].message.contains("unknown filter \"numbr\""));
    }

    #[test]
    fn credential_variable_is_upper_case_with_prefix() {
        assert_eq!(
            crate::credential_variable("paywall", "apikeypublic"),
            "PAYSPEC_PAYWALL_APIKEYPUBLIC"
        );
        assert_eq!(
            crate::credential_variable("rio", "api_key"),
            "PAYSPEC_RIO_API_KEY"
        );
    }

    #[test]
    fn none_is_a_scheme_choice() {
        let choice: SchemeChoice = serde_json::from_value("none".into()).unwrap();
        assert_eq!(choice, SchemeChoice::None);
        let choice: SchemeChoice = serde_json::from_value("private".into()).unwrap();
        assert_eq!(choice, SchemeChoice::Scheme("private".into()));
    }

    #[test]
    fn unknown_failure_kinds_do_not_parse() {
        let mut value = minimal();
        value["sandbox"] =
            serde_json::json!({"errors": {"conflcit": {"status": 409, "message": "x"}}});
        let error = serde_json::from_value::<Profile>(value)
            .unwrap_err()
            .to_string();
        assert!(error.contains("conflcit"), "{error}");
    }
}
