//! The one scrubber every error path goes through. It knows every secret the client holds
//! (credentials, the tokens it obtained, the signatures of the call at hand) in each form a
//! vendor may echo it in: raw, JSON-escaped (once, or twice when a JSON body is quoted inside
//! a JSON string), Rust-escaped (serde's messages quote values with `{:?}`), URL-encoded, and
//! base64. Text is scrubbed whole, before any excerpt is cut, so a
//! secret is never left half-shown at a cut.

use std::collections::VecDeque;
use std::sync::{Arc, RwLock};

use base64::Engine as _;

/// What replaces a secret.
pub const REDACTED: &str = "[redacted]";

/// How many learned secrets (tokens, rotated over time) are remembered.
const LEARNED: usize = 64;

/// Secrets and their forms; shared by clones of a client.
#[derive(Clone, Default)]
pub(crate) struct Scrubber {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    /// The credentials' forms, longest first.
    fixed: Vec<String>,
    /// Tokens obtained, newest last; each with its forms.
    learned: RwLock<VecDeque<Vec<String>>>,
}

impl std::fmt::Debug for Scrubber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Scrubber([redacted])")
    }
}

impl Scrubber {
    /// A scrubber for these secrets (credential values).
    pub(crate) fn new<'a>(secrets: impl IntoIterator<Item = &'a str>) -> Self {
        let mut fixed: Vec<String> = secrets.into_iter().flat_map(forms).collect();
        fixed.sort_by_key(|form| std::cmp::Reverse(form.len()));
        fixed.dedup();
        Self {
            inner: Arc::new(Inner {
                fixed,
                learned: RwLock::new(VecDeque::new()),
            }),
        }
    }

    /// Remembers a secret obtained at run time (an access or refresh token).
    pub(crate) fn learn(&self, secret: &str) {
        if secret.is_empty() {
            return;
        }
        let mut learned = self
            .inner
            .learned
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if learned.len() == LEARNED {
            learned.pop_front();
        }
        learned.push_back(forms(secret));
    }

    /// `text` with every known secret (and the call's `extra` ones) replaced.
    pub(crate) fn scrub(&self, text: &str, extra: &[String]) -> String {
        let learned = self
            .inner
            .learned
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut all: Vec<&str> = self
            .inner
            .fixed
            .iter()
            .chain(learned.iter().flatten())
            .map(String::as_str)
            .chain(extra.iter().map(String::as_str))
            .collect();
        // Longest first, so that a form containing another is replaced whole.
        all.sort_by_key(|form| std::cmp::Reverse(form.len()));
        let mut out = text.to_owned();
        for secret in all {
            if out.contains(secret) {
                out = out.replace(secret, REDACTED);
            }
        }
        out
    }

    /// Every string of a JSON value scrubbed.
    pub(crate) fn scrub_json(&self, value: &mut serde_json::Value) {
        match value {
            serde_json::Value::String(text) => *text = self.scrub(text, &[]),
            serde_json::Value::Array(items) => items.iter_mut().for_each(|i| self.scrub_json(i)),
            serde_json::Value::Object(map) => map.values_mut().for_each(|v| self.scrub_json(v)),
            _ => {}
        }
    }
}

/// The forms a secret may be echoed in.
pub(crate) fn forms(secret: &str) -> Vec<String> {
    if secret.is_empty() {
        return Vec::new();
    }
    let json = serde_json::to_string(secret).unwrap_or_default();
    let json = json.trim_matches('"');
    // A JSON body quoted inside another JSON string (an error message that echoes a request).
    let twice = serde_json::to_string(json).unwrap_or_default();
    let debug = format!("{secret:?}");
    let mut out = vec![
        secret.to_owned(),
        json.to_owned(),
        twice.trim_matches('"').to_owned(),
        debug.trim_matches('"').to_owned(),
        url::form_urlencoded::byte_serialize(secret.as_bytes()).collect(),
        percent_encode(secret),
        base64::engine::general_purpose::STANDARD.encode(secret),
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(secret),
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret),
    ];
    out.retain(|form| !form.is_empty());
    out.sort();
    out.dedup();
    out
}

/// Percent-encoding of everything but unreserved characters (RFC 3986), as in a path or query.
fn percent_encode(secret: &str) -> String {
    let mut out = String::with_capacity(secret.len());
    for byte in secret.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A message with any `for url (…)` part removed (reqwest puts the URL, query included, in
/// its messages).
pub(crate) fn without_url(message: &str) -> String {
    match message.find(" for url (") {
        Some(start) => {
            let rest = &message[start..];
            let end = rest
                .find(')')
                .map(|i| start + i + 1)
                .unwrap_or(message.len());
            format!("{}{}", &message[..start], &message[end..])
        }
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_is_scrubbed() {
        let secret = "p\"ss/wörd+1";
        let scrubber = Scrubber::new([secret]);
        for form in forms(secret) {
            let text = format!("before {form} after");
            assert_eq!(
                scrubber.scrub(&text, &[]),
                "before [redacted] after",
                "{form}"
            );
        }
        let serde_message = serde_json::from_str::<i64>(&serde_json::to_string(secret).unwrap())
            .unwrap_err()
            .to_string();
        assert!(
            !scrubber.scrub(&serde_message, &[]).contains("ss/w"),
            "{serde_message}"
        );
    }

    #[test]
    fn learned_and_extra_secrets_are_scrubbed_and_bounded() {
        let scrubber = Scrubber::new(["fixed-secret"]);
        scrubber.learn("token-abc");
        assert_eq!(
            scrubber.scrub("fixed-secret token-abc sig-1", &["sig-1".into()]),
            "[redacted] [redacted] [redacted]"
        );
        for i in 0..(LEARNED + 5) {
            scrubber.learn(&format!("t-{i}"));
        }
        assert_eq!(
            scrubber.scrub("token-abc", &[]),
            "token-abc",
            "the oldest is forgotten"
        );
    }

    #[test]
    fn urls_are_cut_from_messages() {
        assert_eq!(
            without_url("error sending request for url (http://x/?key=s) and more"),
            "error sending request and more"
        );
    }
}
