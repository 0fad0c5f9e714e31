//! One-line, human descriptions of auth recipes (for `payspec vendors`): names, never values.

use std::fmt;

use crate::{MessagePart, Scheme, Signature, ValueSource};

impl fmt::Display for ValueSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValueSource::Credential(name) => write!(f, "{name}"),
            ValueSource::Literal(text) => write!(f, "{text:?}"),
            ValueSource::Bearer(name) => write!(f, "\"Bearer \" + {name}"),
            ValueSource::Template(text) => write!(f, "template {text:?}"),
            ValueSource::Basic(basic) => {
                write!(
                    f,
                    "\"Basic \" + base64({}:{})",
                    basic.user,
                    basic.password.as_deref().unwrap_or("")
                )
            }
            ValueSource::Timestamp => f.write_str("timestamp"),
            ValueSource::HmacSha256(signature) => write!(f, "{signature}"),
            ValueSource::Jwt(jwt) => write!(
                f,
                "{:?} + JWT {}({}; claims {})",
                jwt.prefix,
                crate::jwt::jose_name(jwt.algorithm),
                jwt.key,
                jwt.claims.keys().cloned().collect::<Vec<_>>().join(", ")
            ),
            ValueSource::Token(provider) => {
                write!(f, "bearer token {provider} (login, cached, refreshed)")
            }
            ValueSource::RefreshToken => f.write_str("refresh token"),
        }
    }
}

impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .message
            .iter()
            .map(|part| match part {
                MessagePart::Body => "body".to_owned(),
                MessagePart::Timestamp => "timestamp".to_owned(),
                MessagePart::Method => "method".to_owned(),
                MessagePart::Path => "path".to_owned(),
                MessagePart::PathAndQuery => "path_and_query".to_owned(),
                MessagePart::Host => "host".to_owned(),
                MessagePart::Literal(text) => format!("{text:?}"),
            })
            .collect();
        let joiner = if self.separator.is_empty() {
            " + ".to_owned()
        } else {
            format!(" + {:?} + ", self.separator)
        };
        let encoding = match self.encoding {
            crate::Encoding::HexLower => "hex",
            crate::Encoding::HexUpper => "HEX",
            crate::Encoding::Base64 => "base64",
        };
        write!(
            f,
            "{encoding}(HMAC-SHA256({}, {}))",
            self.key,
            parts.join(&joiner)
        )
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut items: Vec<String> = self
            .headers
            .iter()
            .map(|(name, value)| format!("header {name} = {value}"))
            .collect();
        items.extend(
            self.body
                .iter()
                .map(|(name, value)| format!("body field {name} = {value}")),
        );
        if items.is_empty() {
            f.write_str("no auth")
        } else {
            f.write_str(&items.join("; "))
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Encoding, MessagePart, Scheme, Signature, ValueSource};

    #[test]
    fn describes_a_signed_body_scheme() {
        let mut scheme = Scheme::default();
        scheme
            .body
            .insert("login".into(), ValueSource::Credential("login".into()));
        scheme.headers.insert(
            "Payload-Signature".into(),
            ValueSource::HmacSha256(Signature {
                key: "secret".into(),
                message: vec![MessagePart::Timestamp, MessagePart::Body],
                separator: String::new(),
                encoding: Encoding::HexLower,
            }),
        );
        assert_eq!(
            scheme.to_string(),
            "header Payload-Signature = hex(HMAC-SHA256(secret, timestamp + body)); body field login = login"
        );
    }
}
