//! Untagged enums (`oneOf`/`anyOf` without a discriminator, typify's `#[serde(untagged)]`)
//! read by a written `Deserialize` instead of serde's derive: each variant is tried on the
//! value's JSON text through the deserializer responses use (`payspec_runtime::untagged` says
//! why: the derive compiles every variant's type once more per enum). `Serialize` stays
//! derived: writing a variant costs nothing extra.

use proc_macro2::TokenStream;
use quote::quote;
use syn::punctuated::Punctuated;
use syn::{Fields, ItemEnum, Token};

use crate::open_enums::{derives_named, drop_derives};

/// Replaces an untagged enum's derived `Deserialize` by the impl returned. `None` (the enum
/// untouched) when it is not untagged, not deserialized, or has a variant this cannot read
/// (several fields, named fields, serde attributes of its own).
pub(crate) fn read_through_text(enumeration: &mut ItemEnum) -> Option<TokenStream> {
    let untagged = enumeration.attrs.iter().any(says_untagged);
    if !untagged || !derives_named(&enumeration.attrs, "Deserialize") {
        return None;
    }
    let name = &enumeration.ident;
    let mut tries = Vec::new();
    for variant in &enumeration.variants {
        if variant.attrs.iter().any(|a| a.path().is_ident("serde")) {
            return None;
        }
        let ident = &variant.ident;
        tries.push(match &variant.fields {
            Fields::Unit => quote! {
                if text == b"null" { return Some(#name::#ident); }
            },
            Fields::Unnamed(fields) if fields.unnamed.len() == 1 => quote! {
                if let Some(value) = ::payspec_runtime::untagged::variant(text) {
                    return Some(#name::#ident(value));
                }
            },
            _ => return None,
        });
    }
    drop_derives(&mut enumeration.attrs, &["Deserialize"]);
    if !derives_named(&enumeration.attrs, "Serialize") {
        enumeration.attrs.retain(|a| !a.path().is_ident("serde"));
    }
    let serde = quote!(::payspec_runtime::deps::serde);
    let label = name.to_string();
    Some(quote! {
        impl<'de> #serde::Deserialize<'de> for #name {
            fn deserialize<D: #serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                // Not generic: compiled once, whatever the deserializer.
                fn variants(text: &[u8]) -> ::std::option::Option<#name> {
                    #(#tries)*
                    None
                }
                ::payspec_runtime::untagged::deserialize(deserializer, #label, variants)
            }
        }
    })
}

/// `#[serde(untagged)]` (among other arguments, maybe).
fn says_untagged(attribute: &syn::Attribute) -> bool {
    attribute.path().is_ident("serde")
        && attribute
            .parse_args_with(Punctuated::<syn::Meta, Token![,]>::parse_terminated)
            .is_ok_and(|args| args.iter().any(|a| a.path().is_ident("untagged")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    #[test]
    fn an_untagged_enum_is_read_variant_by_variant() {
        let mut enumeration: ItemEnum = parse_quote! {
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
            #[serde(crate = "::payspec_runtime::deps::serde")]
            #[serde(untagged)]
            pub enum ChargeCustomer {
                String(::std::string::String),
                Customer(::std::boxed::Box<Customer>),
                Nothing,
            }
        };
        let read = read_through_text(&mut enumeration).unwrap().to_string();
        let kept = quote::ToTokens::to_token_stream(&enumeration).to_string();
        assert!(
            !kept.contains("Deserialize") && kept.contains("Serialize"),
            "{kept}"
        );
        assert!(kept.contains("untagged"), "{kept}");
        for expected in [
            "return Some (ChargeCustomer :: String (value))",
            "return Some (ChargeCustomer :: Customer (value))",
            "if text == b\"null\" { return Some (ChargeCustomer :: Nothing) ; }",
            "untagged :: deserialize (deserializer , \"ChargeCustomer\" , variants)",
        ] {
            assert!(read.contains(expected), "{expected} not in {read}");
        }
    }

    #[test]
    fn enums_it_cannot_read_keep_the_derive() {
        let mut named: ItemEnum = parse_quote! {
            #[derive(::serde::Deserialize)]
            #[serde(untagged)]
            pub enum Shape { Square { side: f64 }, Other(String) }
        };
        assert!(read_through_text(&mut named).is_none());
        let mut tagged: ItemEnum = parse_quote! {
            #[derive(::serde::Deserialize)]
            #[serde(tag = "type")]
            pub enum Event { Created(Created) }
        };
        assert!(read_through_text(&mut tagged).is_none());
        let text = quote::ToTokens::to_token_stream(&tagged).to_string();
        assert!(text.contains("Deserialize"), "{text}");
    }
}
