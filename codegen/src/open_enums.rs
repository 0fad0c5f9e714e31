//! Forward-compatible enums. Vendors add status values over time (Rio's list grew); a closed
//! Rust enum would fail a whole response over one new value. Every string enum progenitor
//! generates gets a last variant `Unknown(String)` (any value not listed lands there, and
//! serialises back unchanged); `Copy` goes, and `Display` writes `as_str()`.
//!
//! Its serde impls are written here, not derived: serde's derive of a listed-or-untagged enum
//! buffers the value and replays it through a second deserializer, compiled again for every
//! enum and every deserializer it meets (a fifth of a large vendor's compiled code). Read as a
//! `String` and matched by a plain function, an enum costs one small function per
//! deserializer.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::quote;
use syn::punctuated::Punctuated;
use syn::{Attribute, Fields, ItemEnum, ItemImpl, Path, Token, parse_quote};

/// The items written for an opened enum (its wire names, its serde impls), each to be
/// emitted after the enum.
pub(crate) struct Opened {
    /// `impl X { pub fn as_str … }`: an inherent impl of the enum.
    pub inherent: TokenStream,
    /// `impl Serialize for X`, `impl Deserialize for X`.
    pub serde: [TokenStream; 2],
}

/// Opens a string enum: adds a variant for unlisted values (`Unknown(String)`, or
/// `UnknownValue(String)` when the vendor lists a value named unknown), drops `Copy`, marks
/// it `#[non_exhaustive]` (so that a value added later does not break a caller's `match`),
/// and replaces its serde derives by the impls returned. `None` if the enum is not one to open.
pub(crate) fn open_enum(enumeration: &mut ItemEnum) -> Option<Opened> {
    if !is_string_enum(enumeration) {
        return None;
    }
    let wire = wire_names(enumeration)?;
    // `Copy` goes (a `String` variant is coming), serde's derives too (written below).
    drop_derives(
        &mut enumeration.attrs,
        &["Copy", "Serialize", "Deserialize"],
    );
    enumeration.attrs.retain(|a| !a.path().is_ident("serde"));
    for variant in &mut enumeration.variants {
        variant.attrs.retain(|a| !a.path().is_ident("serde"));
    }
    enumeration.attrs.push(parse_quote!(#[non_exhaustive]));
    let taken: BTreeSet<String> = enumeration
        .variants
        .iter()
        .map(|v| v.ident.to_string())
        .collect();
    let name = ["Unknown", "UnknownValue", "Unlisted", "OtherValue"]
        .into_iter()
        .find(|n| !taken.contains(*n))
        .unwrap_or("PayspecUnknown");
    let variant = syn::Ident::new(name, proc_macro2::Span::call_site());
    enumeration.variants.push(parse_quote! {
        /// A value this version of the spec does not list, kept as the vendor sent it.
        #variant(::std::string::String)
    });
    let name = &enumeration.ident;
    let listed: Vec<&syn::Ident> = enumeration.variants.iter().map(|v| &v.ident).collect();
    let listed = &listed[..listed.len() - 1];
    let serde = quote!(::payspec_runtime::deps::serde);
    let inherent = quote! {
        impl #name {
            /// The value as the vendor writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    #(Self::#listed => #wire,)*
                    Self::#variant(value) => value,
                }
            }

            /// A listed value (typify's `FromStr`), else the value kept as it came.
            fn from_wire(value: ::std::string::String) -> Self {
                match value.parse::<Self>() {
                    Ok(listed) => listed,
                    Err(_) => Self::#variant(value),
                }
            }
        }
    };
    let serialize = quote! {
        impl #serde::Serialize for #name {
            fn serialize<S: #serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
    };
    let deserialize = quote! {
        impl<'de> #serde::Deserialize<'de> for #name {
            fn deserialize<D: #serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                <::std::string::String as #serde::Deserialize>::deserialize(deserializer).map(Self::from_wire)
            }
        }
    };
    Some(Opened {
        inherent,
        serde: [serialize, deserialize],
    })
}

/// Each variant's value on the wire: its `#[serde(rename = "…")]` (read as the API model
/// reads it), else its name. `None` when a variant carries a serde argument other than a
/// rename (the enum then keeps serde's derives, unopened).
fn wire_names(enumeration: &ItemEnum) -> Option<Vec<String>> {
    enumeration
        .variants
        .iter()
        .map(|variant| {
            only_renames(&variant.attrs).then(|| {
                crate::model::serde_rename(&variant.attrs)
                    .unwrap_or_else(|| variant.ident.to_string())
            })
        })
        .collect()
}

/// Whether every argument of these attributes' `#[serde(…)]` is `rename = "…"`.
fn only_renames(attrs: &[Attribute]) -> bool {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("serde"))
        .all(|a| {
            a.parse_nested_meta(|meta| match meta.path.is_ident("rename") {
                true => meta.value()?.parse::<syn::LitStr>().map(|_| ()),
                false => Err(meta.error("not a rename")),
            })
            .is_ok()
        })
}

/// An opened enum's `Display` (`opened`: the opened enums' names) writes its `as_str()`, which
/// knows the unlisted-value variant, instead of typify's match of every value a second time.
pub(crate) fn open_display(implementation: &mut ItemImpl, opened: &BTreeSet<String>) {
    let is_display = implementation
        .trait_
        .as_ref()
        .and_then(|(_, path, _)| path.segments.last())
        .is_some_and(|s| s.ident == "Display");
    let is_opened = match implementation.self_ty.as_ref() {
        syn::Type::Path(self_ty) => self_ty
            .path
            .segments
            .last()
            .is_some_and(|s| opened.contains(&s.ident.to_string())),
        _ => false,
    };
    if !(is_display && is_opened) {
        return;
    }
    for member in &mut implementation.items {
        let syn::ImplItem::Fn(function) = member else {
            continue;
        };
        let Some(syn::FnArg::Typed(formatter)) = function.sig.inputs.iter().nth(1) else {
            continue;
        };
        let syn::Pat::Ident(formatter) = formatter.pat.as_ref() else {
            continue;
        };
        let formatter = &formatter.ident;
        function.block = parse_quote!({ #formatter.write_str(self.as_str()) });
    }
}

/// An enum of unit variants that serde reads (typify's shape for `type: string, enum: […]`).
fn is_string_enum(enumeration: &ItemEnum) -> bool {
    !enumeration.variants.is_empty()
        && enumeration
            .variants
            .iter()
            .all(|v| matches!(v.fields, Fields::Unit))
        && derives_named(&enumeration.attrs, "Deserialize")
}

/// The paths an attribute derives (none when it is not `#[derive(…)]`).
pub(crate) fn derives(attribute: &Attribute) -> Vec<Path> {
    if !attribute.path().is_ident("derive") {
        return Vec::new();
    }
    attribute
        .parse_args_with(Punctuated::<Path, Token![,]>::parse_terminated)
        .map(|paths| paths.into_iter().collect())
        .unwrap_or_default()
}

/// Whether these attributes derive a trait of this name (`Copy`, `::serde::Deserialize`).
pub(crate) fn derives_named(attrs: &[Attribute], name: &str) -> bool {
    attrs.iter().flat_map(derives).any(|p| is_named(&p, name))
}

/// Removes the derives named in `names` from every `#[derive(…)]` of these attributes.
pub(crate) fn drop_derives(attrs: &mut [Attribute], names: &[&str]) {
    for attribute in attrs {
        let paths = derives(attribute);
        let dropped = |p: &Path| names.iter().any(|name| is_named(p, name));
        if paths.iter().any(dropped) {
            let kept = paths.into_iter().filter(|p| !dropped(p));
            *attribute = parse_quote! { #[derive(#(#kept),*)] };
        }
    }
}

fn is_named(path: &Path, name: &str) -> bool {
    path.segments.last().is_some_and(|s| s.ident == name)
}
