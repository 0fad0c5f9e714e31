//! The conversion behind every setter of a generated builder. progenitor's operation builders
//! and typify's type builders each convert a setter's value with a closure of their own that
//! writes the failure (`value.try_into().map_err(|e| format!("…{e}"))`): Stripe has about
//! 4,000 of them, each a closure for rustc to check and five to eight lines of the crate. The
//! generated setters call these instead, with the message they would have written, and a
//! `send` builds its body from its builder with [`build`].

use std::fmt::Display;

/// `value` as a `T`, or `failure` when it does not convert.
pub fn convert<T, V: TryInto<T>>(value: V, failure: &'static str) -> Result<T, String> {
    value.try_into().map_err(|_| failure.to_owned())
}

/// [`convert`], for an optional field: the value set is `Some`.
pub fn convert_some<T, V: TryInto<T>>(
    value: V,
    failure: &'static str,
) -> Result<Option<T>, String> {
    convert(value, failure).map(Some)
}

/// `value` as a `T`, or `"{context}: {why}"` with the conversion's own error when it does not
/// convert.
pub fn convert_shown<T, V>(value: V, context: &'static str) -> Result<T, String>
where
    V: TryInto<T>,
    V::Error: Display,
{
    value.try_into().map_err(|why| format!("{context}: {why}"))
}

/// What a builder built: the setter's failure if one failed, else the type built from it, or
/// why it could not be (a required field never set).
pub fn build<T, B>(builder: Result<B, String>) -> Result<T, String>
where
    T: TryFrom<B>,
    T::Error: Display,
{
    builder.and_then(|built| T::try_from(built).map_err(|why| why.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_converts_or_says_which_field_failed_and_why() {
        assert_eq!(convert::<u8, _>(7u32, "bad"), Ok(7));
        assert_eq!(
            convert::<u8, _>(300u32, "bad amount"),
            Err("bad amount".into())
        );
        assert_eq!(convert_some::<u8, _>(7u32, "bad"), Ok(Some(7)));
        assert_eq!(convert_some::<u8, _>(300u32, "bad"), Err("bad".into()));
        let shown = convert_shown::<u8, _>(300u32, "error converting supplied value for amount");
        assert_eq!(build::<u8, u32>(Ok(7)), Ok(7));
        assert_eq!(build::<u8, u32>(Err("unset".into())), Err("unset".into()));
        assert_eq!(
            build::<u8, u32>(Ok(300)),
            Err("out of range integral type conversion attempted".into())
        );
        assert_eq!(
            shown,
            Err(
                "error converting supplied value for amount: out of range integral type conversion attempted"
                    .into()
            )
        );
    }
}
